//! kube-scheduler's DefaultPreemption PostFilter (SCH-P1..P7): candidate nodes from a dry run,
//! victims per node (lowest priority first, PodDisruptionBudgets counted), the choice among
//! candidates (fewest PDB violations, lowest highest-victim priority, ...), nomination and eviction.

use std::cmp::Reverse;

use super::{Decision, num_preemption_candidates};
use crate::engine::SimTime;
use crate::input::spec::IntOrPercent;
use crate::model::cluster::{NodeId, Res};
use crate::sim::{Phase, PodId, World};

impl World {
    /// DefaultPreemption (SCH-P2..P5): find victims so the pod fits, or give up.
    pub(crate) fn post_filter(&self, pod: PodId, statics: &[u64]) -> Decision {
        let c = &self.store.classes[self.store.pods[pod as usize].class as usize];
        let unschedulable = Decision::Unschedulable { resources: true };
        // No bound pod has a lower priority: there is no victim anywhere.
        if self.preemption_ineligible(pod).is_some()
            || self
                .store
                .bound_priorities
                .keys()
                .next()
                .is_none_or(|&low| low >= c.priority)
        {
            return unschedulable;
        }
        let n_nodes = self.store.cluster.nodes.len();
        let want = num_preemption_candidates(n_nodes);
        let pdb_allowed = self.pdb_disruptions_allowed();
        // (node, victims, PDB violations, highest victim priority, sum of shifted priorities,
        // start of highest)
        let mut candidates: Vec<(NodeId, Vec<PodId>, usize, i64, i64, SimTime)> = Vec::new();
        for i in 0..n_nodes {
            if candidates.len() >= want {
                break;
            }
            if statics[i / 64] & (1 << (i % 64)) == 0 {
                continue;
            }
            if let Some((victims, violations)) = self.select_victims_on_node(pod, i as NodeId, &pdb_allowed) {
                let prios: Vec<i64> = victims
                    .iter()
                    .map(|&v| i64::from(self.store.classes[self.store.pods[v as usize].class as usize].priority))
                    .collect();
                let highest = prios.iter().copied().max().unwrap_or(i64::MIN);
                let sum: i64 = prios.iter().map(|p| p + (1i64 << 31)).sum();
                let earliest_of_highest = victims
                    .iter()
                    .filter(|&&v| {
                        i64::from(self.store.classes[self.store.pods[v as usize].class as usize].priority) == highest
                    })
                    .map(|&v| self.store.pods[v as usize].run_started.unwrap_or(SimTime::ZERO))
                    .min()
                    .unwrap_or(SimTime::ZERO);
                candidates.push((i as NodeId, victims, violations, highest, sum, earliest_of_highest));
            }
        }
        // pickOneNodeForPreemption (SCH-P5): fewest PDB violations, lowest highest victim
        // priority, lowest priority sum, fewest victims, latest start of the highest-priority
        // victims, then node order.
        let best = candidates.into_iter().min_by(|a, b| {
            a.2.cmp(&b.2)
                .then(a.3.cmp(&b.3))
                .then(a.4.cmp(&b.4))
                .then(a.1.len().cmp(&b.1.len()))
                .then(b.5.cmp(&a.5))
                .then(a.0.cmp(&b.0))
        });
        match best {
            Some((node, victims, ..)) if !victims.is_empty() => Decision::Preempt { node, victims },
            _ => unschedulable,
        }
    }

    /// PodEligibleToPreemptOthers (defaultpreemption/default_preemption.go): why the pod may
    /// not preempt, in the plugin's words; None when it may. A pod with `preemptionPolicy:
    /// Never` never may; a pod whose nominated node still has a lower-priority pod terminating
    /// by preemption waits for it (SCH-P7).
    pub(crate) fn preemption_ineligible(&self, pod: PodId) -> Option<&'static str> {
        let p = &self.store.pods[pod as usize];
        let c = &self.store.classes[p.class as usize];
        if c.preempt_never {
            return Some("not eligible due to preemptionPolicy=Never.");
        }
        let n = p.nominated?;
        let waiting_for_victims = self.store.cluster.pods_on[n as usize].iter().any(|&q| {
            let q = &self.store.pods[q as usize];
            q.deletion.is_some()
                && q.disruption == Some("PreemptionByScheduler")
                && self.store.classes[q.class as usize].priority < c.priority
        });
        waiting_for_victims.then_some("not eligible due to a terminating pod on the nominated node.")
    }

    /// The first step of SelectVictimsOnNode: the node's pods the preemptor may evict (lower
    /// priority, not terminating, not waiting at Permit) and the node's free capacity for the
    /// preemptor once they are all gone.
    pub(crate) fn without_lower_priority(&self, pod: PodId, node: NodeId) -> (Vec<PodId>, Res) {
        let c = &self.store.classes[self.store.pods[pod as usize].class as usize];
        let mut free = self.free_for(pod, node);
        let potential: Vec<PodId> = self.store.cluster.pods_on[node as usize]
            .iter()
            .copied()
            .filter(|&q| {
                let q = &self.store.pods[q as usize];
                q.deletion.is_none() && !q.waiting && self.store.classes[q.class as usize].priority < c.priority
            })
            .collect();
        for &q in &potential {
            free.add(&self.store.classes[self.store.pods[q as usize].class as usize].req);
        }
        (potential, free)
    }

    /// PodDisruptionBudget status: disruptions allowed now, per PDB of the scenario.
    pub(crate) fn pdb_disruptions_allowed(&self) -> Vec<i64> {
        self.store
            .pdbs
            .iter()
            .map(|pdb| {
                let (mut expected, mut healthy) = (0i64, 0i64);
                for (id, p) in self.store.pods.iter() {
                    if p.finished.is_some()
                        || self.store.protos[self.store.workloads[p.wl as usize].proto as usize]
                            .spec
                            .namespace
                            != pdb.namespace
                        || !self.selects(&pdb.selector, id)
                    {
                        continue;
                    }
                    expected += 1;
                    if p.phase == Phase::Running && p.deletion.is_none() {
                        healthy += 1;
                    }
                }
                let scaled = |v: IntOrPercent| match v {
                    IntOrPercent::Int(n) => i64::from(n),
                    IntOrPercent::Percent(pct) => (i64::from(pct) * expected + 99) / 100,
                };
                let desired = match (pdb.min_available, pdb.max_unavailable) {
                    (Some(m), _) => scaled(m),
                    (None, Some(u)) => expected - scaled(u),
                    (None, None) => 0,
                };
                (healthy - desired).max(0)
            })
            .collect()
    }

    /// SelectVictimsOnNode (SCH-P4): remove every lower-priority pod; if the preemptor fits,
    /// reprieve the most important ones that can stay, PDB-violating ones first. Returns the
    /// victims and how many of them violate a PDB.
    pub(crate) fn select_victims_on_node(
        &self,
        pod: PodId,
        node: NodeId,
        pdb_allowed: &[i64],
    ) -> Option<(Vec<PodId>, usize)> {
        let c = &self.store.classes[self.store.pods[pod as usize].class as usize];
        let (mut potential, mut free) = self.without_lower_priority(pod, node);
        if potential.is_empty() {
            return None;
        }
        if !c.req.fits_in(&free) {
            return None;
        }
        // Most important first: higher priority, then earlier start (MoreImportantPod).
        potential.sort_by_key(|&q| {
            let qp = &self.store.pods[q as usize];
            (
                Reverse(self.store.classes[qp.class as usize].priority),
                qp.run_started.unwrap_or(SimTime::MAX),
                q,
            )
        });
        // filterPodsWithPDBViolation: each matching budget is spent in importance order.
        let mut allowed = pdb_allowed.to_vec();
        let (mut violating, mut fine) = (Vec::new(), Vec::new());
        for q in potential {
            let ns = &self.store.protos[self.store.workloads[self.store.pods[q as usize].wl as usize].proto as usize]
                .spec
                .namespace;
            let mut violated = false;
            for (i, pdb) in self.store.pdbs.iter().enumerate() {
                if &pdb.namespace == ns && self.selects(&pdb.selector, q) {
                    allowed[i] -= 1;
                    violated |= allowed[i] < 0;
                }
            }
            if violated { violating.push(q) } else { fine.push(q) }
        }
        let n_violating = violating.len();
        let mut victims = Vec::new();
        let mut violations = 0;
        for (k, q) in violating.into_iter().chain(fine).enumerate() {
            let qreq = self.store.classes[self.store.pods[q as usize].class as usize].req;
            let mut trial = free;
            trial.sub(&qreq);
            if c.req.fits_in(&trial) {
                free = trial; // reprieved
            } else {
                victims.push(q);
                if k < n_violating {
                    violations += 1;
                }
            }
        }
        Some((victims, violations))
    }

    /// Carry out a preemption: nominate, then delete the victims gracefully (SCH-P6), through
    /// kube-scheduler's client.
    pub(crate) fn preempt(&mut self, pod: PodId, node: NodeId, victims: Vec<PodId>) {
        let prio = self.store.classes[self.store.pods[pod as usize].class as usize].priority;
        self.clear_nomination_quiet(pod);
        // Lower-priority pods nominated to the node lose their nomination.
        let others: Vec<PodId> = self.sched.kube.nominated_on[node as usize]
            .iter()
            .copied()
            .filter(|&q| self.store.classes[self.store.pods[q as usize].class as usize].priority < prio)
            .collect();
        for q in others {
            self.clear_nomination_quiet(q);
        }
        self.store.pods[pod as usize].nominated = Some(node);
        self.sched.kube.nominate(node, pod);
        self.pod_node_event(pod, "PodNominated", node);
        // Through kube-scheduler's client (`prepareCandidate`, async preemption): the
        // preemptor's nominatedNodeName patch, then each victim's DisruptionTarget condition
        // patch and its delete, the victims in parallel (their patches go first). A victim's
        // deletion starts when its delete is sent.
        let client = crate::rate::Client::KubeScheduler;
        let now = self.now();
        for _ in 0..=victims.len() {
            self.api_send(client);
        }
        for v in victims {
            let due = self.api_send(client);
            if due == now {
                self.preempt_victim(v);
            } else {
                self.engine
                    .schedule(due, crate::sim::class::API, crate::sim::Ev::PreemptVictim { pod: v });
            }
        }
    }

    /// A victim's delete is sent: it is evicted, unless it ended or is being deleted already.
    pub(crate) fn preempt_victim(&mut self, v: PodId) {
        let Some(p) = self.store.pods.get(v) else { return };
        if p.finished.is_some() || p.deletion.is_some() {
            return;
        }
        self.count_eviction(v, None);
        self.delete_pod(v, "Preempted", Some("PreemptionByScheduler"));
    }
}
