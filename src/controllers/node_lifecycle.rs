//! Node failures and taints (semantics.md 7.3, PLC-3/4): FaultModel random failures (per node,
//! exponential time to failure `mtbf` and to repair `mttr`, drawn from the run's seed by node
//! name, so every policy sees the same failures), scripted outages, and scripted taints.
//!
//! A lost node: its containers stop at once (their work is lost) but the API does not know yet.
//! The node lifecycle controller notices at its first check (every 5 s) strictly after the
//! grace period (50 s) from the last heartbeat, taken at the failure (`monitorNodeHealth` in
//! pkg/controller/nodelifecycle/node_lifecycle_controller.go: `now.After(probeTimestamp +
//! gracePeriod)`; lease renewals every 10 s are not modelled):
//! `NodeNotReady`, the `node.kubernetes.io/unreachable` NoSchedule taint at once and the NoExecute
//! taint rate-limited to one node per 10 s. NoExecute evicts pods that do not tolerate it, after
//! their `tolerationSeconds` (300 s by default for this taint, as DefaultTolerationSeconds
//! admission adds). An evicted pod on a dead node stays Terminating (its kubelet is gone) and
//! keeps its resources; the Job controller counts and replaces it (DisruptionTarget). When the
//! node returns, terminating pods end, pods that were not evicted fail (restartPolicy Never) or
//! restart in place, and the taints go.
//!
//! Not modelled: zones and the secondary eviction rate or full-disruption mode (NODE-3 beyond
//! the 0.1 nodes/s rate), the node startup grace period, PodGC and the out-of-service taint.

use rand_distr::{Distribution, Exp};

use crate::engine::SimTime;
use crate::engine::{rng_stream, stable_hash};
use crate::error::{InputError, quote};
use crate::input::spec::{RestartPolicy, Taint, TaintEffect};
use crate::model::cluster::NodeId;
use crate::model::cluster::tolerates;
use crate::sim::{Ev, Phase, PodId, World, class};

/// `--node-monitor-grace-period` (v1.32+).
pub const NODE_MONITOR_GRACE_MS: u64 = 50_000;
/// `--node-monitor-period`.
pub const NODE_MONITOR_PERIOD_MS: u64 = 5_000;
/// One node per 10 s (`--node-eviction-rate` 0.1).
pub const NODE_EVICTION_INTERVAL_MS: u64 = 10_000;
/// DefaultTolerationSeconds for the unreachable / not-ready NoExecute taints.
pub const DEFAULT_TOLERATION_S: i64 = 300;
pub const UNREACHABLE: &str = "node.kubernetes.io/unreachable";

/// Failure state of the run.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    pub down: std::collections::BTreeSet<NodeId>,
    last_noexecute: Option<SimTime>,
    /// Bumped on every taint removal from a node (pending evictions check it).
    taint_gen: Vec<u64>,
    /// Random failures: the node's stream and mean times.
    random: Vec<(NodeId, rand::rngs::Xoshiro256PlusPlus, u64, u64)>,
    /// Scripted taints.
    scripted: Vec<(NodeId, Taint)>,
    pub failures: u64,
}

impl World {
    pub(crate) fn add_faults(&mut self, sc: &crate::input::spec::Scenario) -> Result<(), InputError> {
        self.ctl.faults.taint_gen = vec![0; sc.nodes.len()];
        for f in &sc.faults {
            let node_of = |name: &str| {
                self.store.node_by_name.get(name).copied().ok_or_else(|| {
                    InputError::new(
                        "spec",
                        format!(
                            "FaultModel `{}` names node {}, which the scenario does not define",
                            f.name,
                            quote(name)
                        ),
                        "name a Node of the scenario (NodePool nodes are <pool template name>-<i>)",
                    )
                    .at(&f.loc.file, f.loc.line, None)
                })
            };
            for o in &f.outages {
                let n = node_of(&o.node)?;
                self.engine.schedule(
                    SimTime(o.at_ms),
                    class::NODE,
                    Ev::NodeFail {
                        node: n,
                        for_ms: o.for_ms,
                    },
                );
            }
            for t in &f.taints {
                let n = node_of(&t.node)?;
                let idx = self.ctl.faults.scripted.len() as u32;
                self.ctl.faults.scripted.push((n, t.taint.clone()));
                self.engine
                    .schedule(SimTime(t.at_ms), class::NODE, Ev::TaintAdd { idx });
                if let Some(d) = t.for_ms {
                    self.engine
                        .schedule(SimTime(t.at_ms + d), class::NODE, Ev::TaintRemove { idx });
                }
            }
            if let Some(mtbf) = f.mtbf_ms {
                for (i, spec) in sc.nodes.iter().enumerate() {
                    let matches = f.node_selector.iter().all(|(k, v)| spec.labels.get(k) == Some(v));
                    if !matches {
                        continue;
                    }
                    let rng = rng_stream(self.cfg.seed, stable_hash("node-failures") ^ stable_hash(&spec.name));
                    self.ctl.faults.random.push((i as NodeId, rng, mtbf, f.mttr_ms));
                    let k = self.ctl.faults.random.len() - 1;
                    self.schedule_random_failure(k, SimTime(spec.add_at_ms));
                }
            }
        }
        Ok(())
    }

    pub(crate) fn draw(rng: &mut rand::rngs::Xoshiro256PlusPlus, mean_ms: u64) -> u64 {
        let exp = Exp::new(1.0 / mean_ms.max(1) as f64).expect("positive rate");
        let x: f64 = exp.sample(rng);
        x.round() as u64
    }

    pub(crate) fn schedule_random_failure(&mut self, k: usize, from: SimTime) {
        let (n, rng, mtbf, mttr) = &mut self.ctl.faults.random[k];
        let up = Self::draw(rng, *mtbf);
        let repair = Self::draw(rng, *mttr).max(1);
        let node = *n;
        // Random failures do not keep a run alive (a daemon event).
        self.engine.schedule_daemon(
            from.plus_ms(up),
            class::NODE,
            Ev::NodeFail {
                node,
                for_ms: Some(repair),
            },
        );
    }

    /// Live pods bound to node `n` (not those only reserved there, waiting at Permit: they are
    /// not on the kubelet yet).
    pub(crate) fn pods_on(&self, n: NodeId) -> Vec<PodId> {
        // The node's charged pods (bound or reserved), in pod order.
        let mut pods: Vec<PodId> = self.store.cluster.pods_on[n as usize]
            .iter()
            .copied()
            .filter(|&p| {
                let pod = &self.store.pods[p as usize];
                pod.node == Some(n) && pod.finished.is_none() && !pod.waiting
            })
            .collect();
        pods.sort_unstable();
        pods
    }

    pub fn node_is_down(&self, n: NodeId) -> bool {
        self.ctl.faults.down.contains(&n)
    }

    /// The node is lost: its containers stop; the control plane notices after the grace period.
    pub(crate) fn node_fail(&mut self, n: NodeId, for_ms: Option<u64>) {
        if self.ctl.faults.down.contains(&n) || !self.store.cluster.nodes[n as usize].present {
            return;
        }
        let now = self.now();
        self.ctl.faults.down.insert(n);
        self.ctl.faults.failures += 1;
        let name = self.store.cluster.nodes[n as usize].name.clone();
        self.event(|| name, "NodeLost", String::new);
        let mut mpi_jobs = Vec::new();
        for pod in self.pods_on(n) {
            self.lose_work(pod);
            let p = &mut self.store.pods[pod as usize];
            p.epoch += 1; // its exit and restart timers are void: the container is gone
            let was_up = std::mem::replace(&mut p.container_up, false);
            let (gang, wl) = (p.gang, p.wl);
            self.end_work(pod);
            if let (Some(g), true) = (gang, was_up) {
                self.gang_member_stopped_running(g);
            }
            if self.ctl.mpi.owns(wl) && !mpi_jobs.contains(&wl) {
                mpi_jobs.push(wl);
            }
        }
        // An MPIJob's launcher loses the ranks there (`controllers::mpijob`).
        for wl in mpi_jobs {
            self.mpi_changed(wl);
        }
        // monitorNodeHealth runs every period and marks the node when
        // `now.After(probeTimestamp + gracePeriod)`, strictly: the first tick after the grace,
        // not one that falls on it. The last heartbeat is taken at the failure itself.
        let detect = (now.plus_ms(NODE_MONITOR_GRACE_MS).ms() / NODE_MONITOR_PERIOD_MS + 1) * NODE_MONITOR_PERIOD_MS;
        self.engine
            .schedule(SimTime(detect), class::NODE, Ev::NodeDetect { node: n });
        if let Some(d) = for_ms {
            self.engine
                .schedule(now.plus_ms(d), class::NODE, Ev::NodeRecover { node: n });
        }
    }

    /// The node lifecycle controller marks the node NotReady and taints it.
    pub(crate) fn node_detect(&mut self, n: NodeId) {
        if !self.ctl.faults.down.contains(&n) {
            return;
        }
        let now = self.now();
        let name = self.store.cluster.nodes[n as usize].name.clone();
        self.event(|| name, "NodeNotReady", || "Ready=Unknown".into());
        self.add_taint(
            n,
            Taint {
                key: UNREACHABLE.into(),
                value: String::new(),
                effect: TaintEffect::NoSchedule,
            },
        );
        let at = match self.ctl.faults.last_noexecute {
            Some(last) => now.max(last.plus_ms(NODE_EVICTION_INTERVAL_MS)),
            None => now,
        };
        self.ctl.faults.last_noexecute = Some(at);
        self.engine.schedule(at, class::NODE, Ev::NodeNoExecute { node: n });
    }

    pub(crate) fn node_noexecute(&mut self, n: NodeId) {
        if !self.ctl.faults.down.contains(&n) {
            return;
        }
        self.add_taint(
            n,
            Taint {
                key: UNREACHABLE.into(),
                value: String::new(),
                effect: TaintEffect::NoExecute,
            },
        );
    }

    /// Add a taint; NoExecute evicts pods that do not tolerate it (after their toleration).
    pub(crate) fn add_taint(&mut self, n: NodeId, taint: Taint) {
        let node = &mut self.store.cluster.nodes[n as usize];
        if node.taints.contains(&taint) {
            return;
        }
        node.taints.push(taint.clone());
        self.store.cluster.any_taints = true;
        self.policy_node_tainted();
        if taint.effect != TaintEffect::NoExecute {
            return;
        }
        let now = self.now();
        let generation = self.ctl.faults.taint_gen.get(n as usize).copied().unwrap_or(0);
        for pod in self.pods_on(n) {
            if self.store.pods[pod as usize].deletion.is_some() {
                continue;
            }
            let tolerations = &self.store.classes[self.store.pods[pod as usize].class as usize]
                .constraints
                .tolerations;
            let matching: Vec<Option<i64>> = tolerations
                .iter()
                .filter(|t| tolerates(t, &taint))
                .map(|t| t.toleration_seconds)
                .collect();
            let after_s = if matching.is_empty() {
                // DefaultTolerationSeconds admission tolerates unreachable / not-ready 300 s.
                (taint.key == UNREACHABLE || taint.key == "node.kubernetes.io/not-ready")
                    .then_some(DEFAULT_TOLERATION_S)
            } else if matching.contains(&None) {
                continue; // tolerated forever
            } else {
                matching.into_iter().flatten().min()
            };
            match after_s {
                None => self.evict(pod),
                Some(s) => {
                    let at = now.plus_ms(u64::try_from(s).unwrap_or(0) * 1000);
                    self.engine.schedule(
                        at,
                        class::TIMER,
                        Ev::TaintEvict {
                            pod,
                            node: n,
                            generation,
                        },
                    );
                }
            }
        }
    }

    pub(crate) fn evict(&mut self, pod: PodId) {
        self.delete_pod(pod, "TaintManagerEviction", Some("DeletionByTaintManager"));
    }

    /// A NoExecute toleration ran out: evict, unless a taint was removed from the node since.
    pub(crate) fn taint_evict(&mut self, pod: PodId, n: NodeId, generation: u64) {
        let Some(p) = self.store.pods.get(pod) else { return };
        if p.node != Some(n) || p.finished.is_some() || p.deletion.is_some() {
            return;
        }
        if self.ctl.faults.taint_gen.get(n as usize).copied().unwrap_or(0) != generation {
            return;
        }
        self.evict(pod);
    }

    pub(crate) fn remove_taint(&mut self, n: NodeId, taint: &Taint) {
        let node = &mut self.store.cluster.nodes[n as usize];
        let before = node.taints.len();
        node.taints.retain(|t| t != taint);
        if node.taints.len() != before {
            if let Some(g) = self.ctl.faults.taint_gen.get_mut(n as usize) {
                *g += 1;
            }
            self.policy_nodes_changed();
        }
    }

    pub(crate) fn scripted_taint(&mut self, idx: u32, add: bool) {
        let (n, taint) = self.ctl.faults.scripted[idx as usize].clone();
        if add {
            self.add_taint(n, taint);
        } else {
            self.remove_taint(n, &taint);
        }
    }

    /// The node is back: its kubelet ends what was being deleted, fails or restarts the rest.
    pub(crate) fn node_recover(&mut self, n: NodeId) {
        if !self.ctl.faults.down.remove(&n) {
            return;
        }
        let now = self.now();
        for effect in [TaintEffect::NoExecute, TaintEffect::NoSchedule] {
            self.remove_taint(
                n,
                &Taint {
                    key: UNREACHABLE.into(),
                    value: String::new(),
                    effect,
                },
            );
        }
        let name = self.store.cluster.nodes[n as usize].name.clone();
        self.event(|| name, "NodeReady", String::new);
        for pod in self.pods_on(n) {
            let p = &self.store.pods[pod as usize];
            let policy = self.store.protos[self.store.workloads[p.wl as usize].proto as usize].tasks[p.task as usize]
                .restart_policy;
            if p.deletion.is_some() {
                self.pod_terminal(pod, Phase::Failed, 137, "NodeLost");
            } else if p.phase == Phase::Pending {
                self.container_start(pod); // bound while the node was down: it starts now
            } else if policy == RestartPolicy::Never {
                self.pod_terminal(pod, Phase::Failed, 137, "NodeLost");
            } else {
                let epoch = self.store.pods[pod as usize].epoch;
                self.engine
                    .schedule(now, class::KUBELET, Ev::ContainerRestart { pod, epoch });
            }
        }
        self.policy_nodes_changed();
        // The next random failure of this node, if it fails at random.
        if let Some(k) = self.ctl.faults.random.iter().position(|(node, ..)| *node == n) {
            self.schedule_random_failure(k, now);
        }
    }
}
