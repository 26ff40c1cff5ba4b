//! The ReplicaSet, Deployment and StatefulSet controllers (`apps/v1`), after
//! kubernetes/kubernetes `pkg/controller/replicaset/replica_set.go` (`syncReplicaSet`,
//! `manageReplicas`, `slowStartBatch`, `burstReplicas`; the pods it counts are
//! `controller.FilterActivePods`: neither terminal nor deleted), `pkg/controller/deployment/`
//! (`syncDeployment`, `getNewReplicaSet`: a Deployment owns a ReplicaSet
//! `<deployment>-<pod-template-hash>`; a paused Deployment creates none) and
//! `pkg/controller/statefulset/stateful_set_control.go` (`updateStatefulSet`, `processReplica`,
//! `runForAll`: OrderedReady and Parallel). The rules and constants are in docs/serving.md.
//!
//! A Deployment, ReplicaSet or StatefulSet is one workload (one jobs.csv row of its kind) whose
//! pods have no completion: they run until the horizon (restartPolicy Always: a container that
//! exits restarts in place, `controllers::kubelet`), and count as held and busy capacity all
//! along. A Deployment's ReplicaSet is modelled inside it (no row of its own): without a
//! template change there is one ReplicaSet and the Deployment controller only sets its
//! replicas. One sync, in the controllers' order:
//! 1. ReplicaSet (and a Deployment's ReplicaSet): the active pods (not terminal, no
//!    deletionTimestamp) are counted against `replicas`; missing ones are created, at most
//!    `burstReplicas` (500) in one sync (slow-start batches 1, 2, 4, ... all succeed at once
//!    in kubesim, so the batches take no time); extra ones are deleted, at most 500, the lowest
//!    ranked first (`getPodsToDelete`: unassigned, then Pending, then not Ready, then the newest). A pod deleted (evicted, preempted, its node
//!    lost and the pod evicted by the taint manager) is replaced as soon as the controller sees
//!    its deletionTimestamp, before it is gone; a pod that failed is replaced the same way.
//! 2. StatefulSet: ordinals `0..replicas` (from `ordinals.start`), pod `<name>-<ordinal>`. For
//!    each ordinal in order: a failed (or succeeded) pod is deleted, and recreated with the
//!    same name by the sync after it is gone; a missing pod is created; a terminating pod is
//!    waited for (its name is taken until it is gone: a pod evicted from a lost node comes back
//!    only when the node returns); with OrderedReady the walk stops at the first ordinal that
//!    was created or deleted in this sync, is terminating, or is not Running and Ready (no
//!    readiness probes are modelled: a pod is Ready while its container runs), so pod i+1 is
//!    created only once pods 0..i are Running and Ready; with Parallel every ordinal is
//!    handled in one sync. Then (`processCondemned`) pods beyond the replicas are deleted, the
//!    highest ordinal first: with OrderedReady only if the walk was not stopped, one at a time,
//!    waiting for each to be gone; with Parallel all at once.
//! 3. `kubesim.io/replicas-schedule` sets `replicas` at its times of day, every day (a daemon
//!    event per step), as a user's scale would, and the controller syncs at once.
//!
//! A sync runs when the object is created and one watch delay (`latencies.watch`, 0 by
//! default) after any change of one of its pods (created, running, its container exited,
//! deleted, terminal): the controllers enqueue their object on every pod event, without the Job
//! controller's batching period.
//!
//! Simplifications: the controllers' creates do not pass kube-controller-manager's token
//! bucket (each controller has its own client, 20 QPS and burst 30: a set of more than 30
//! replicas is created in one instant here, over a few seconds in a cluster); the Deployment's
//! rollout (maxSurge, maxUnavailable, minReadySeconds, progress deadline) is not modelled, as
//! there is no template change; a StatefulSet's volume claims are not created (its pods do not
//! wait for volume binding); the deletion ranks by pod deletion cost, colocation and restart
//! count are left out.

use std::collections::BTreeMap;

use crate::engine::SimTime;
use crate::input::spec::{ServingKind, ServingSpec, WorkloadKind};
use crate::sim::{Ev, PodId, WlId, World, class};

/// `burstReplicas`: the most pods a ReplicaSet creates or deletes in one sync.
pub const BURST_REPLICAS: u32 = 500;

/// The serving controllers' state.
#[derive(Debug, Default)]
pub struct Servings {
    sets: BTreeMap<WlId, ServingState>,
}

impl Servings {
    /// Whether workload `wl` is a Deployment, ReplicaSet or StatefulSet.
    pub fn is_serving(&self, wl: WlId) -> bool {
        !self.sets.is_empty() && self.sets.contains_key(&wl)
    }
}

/// One object's controller state.
#[derive(Debug)]
struct ServingState {
    /// `spec.replicas` as it is now (its `kubesim.io/replicas-schedule` step).
    replicas: u32,
    /// The pending sync.
    sync_at: Option<SimTime>,
    /// Syncs in a row whose creates were refused (the work queue's per-item backoff).
    refusals: u32,
}

const DAY_MS: u64 = 86_400_000;

/// The work queue's per-item backoff after a failed sync (client-go
/// `DefaultControllerRateLimiter`: 5 ms doubling to 1000 s).
const QUEUE_BACKOFF_MS: u64 = 5;
const QUEUE_BACKOFF_MAX_MS: u64 = 1_000_000;

impl World {
    fn serving_spec(&self, wl: WlId) -> &ServingSpec {
        match &self.store.protos[self.store.workloads[wl as usize].proto as usize]
            .spec
            .kind
        {
            WorkloadKind::Serving(s) => s,
            _ => unreachable!("not a serving workload"),
        }
    }

    /// A Deployment, ReplicaSet or StatefulSet was created: its first sync, now.
    pub(crate) fn serving_created(&mut self, wl: WlId) {
        let now = self.now();
        let replicas = self.scheduled_replicas_now(wl);
        self.ctl.servings.sets.insert(
            wl,
            ServingState {
                replicas,
                sync_at: None,
                refusals: 0,
            },
        );
        self.serving_next_step(wl);
        self.serving_enqueue(wl, now);
    }

    /// The replicas `wl` asks for now.
    pub(crate) fn serving_replicas(&self, wl: WlId) -> u32 {
        self.ctl.servings.sets.get(&wl).map_or(0, |s| s.replicas)
    }

    /// Time of day (ms from midnight) of simulated time `t` on the Simulation's clock.
    fn serving_time_of_day(&self, t: SimTime) -> u64 {
        let start = self.cfg.start_time.timestamp_millis().rem_euclid(DAY_MS as i64) as u64;
        (start + t.ms() % DAY_MS) % DAY_MS
    }

    /// The `kubesim.io/replicas-schedule` of `wl` (a serving workload or a LeaderWorkerSet).
    fn replicas_schedule(&self, wl: WlId) -> &[(u64, u32)] {
        match &self.store.protos[self.store.workloads[wl as usize].proto as usize]
            .spec
            .kind
        {
            WorkloadKind::Serving(s) => &s.schedule,
            WorkloadKind::Lws(l) => &l.schedule,
            _ => unreachable!("no replicas schedule"),
        }
    }

    /// The replicas `wl` (a serving workload or a LeaderWorkerSet) asks for now: its schedule's
    /// step, else `spec.replicas`.
    pub(crate) fn scheduled_replicas_now(&self, wl: WlId) -> u32 {
        let day_ms = self.serving_time_of_day(self.now());
        match &self.store.protos[self.store.workloads[wl as usize].proto as usize]
            .spec
            .kind
        {
            WorkloadKind::Serving(s) => s.replicas_at(day_ms),
            WorkloadKind::Lws(l) => l.replicas_at(day_ms),
            _ => unreachable!("no replicas"),
        }
    }

    /// Schedule the next step of `wl`'s replicas schedule, if it has one (a daemon event: a
    /// schedule alone does not keep a run going). `wl` is a serving workload or a
    /// LeaderWorkerSet.
    pub(crate) fn serving_next_step(&mut self, wl: WlId) {
        let now = self.now();
        let day_ms = self.serving_time_of_day(now);
        let schedule = self.replicas_schedule(wl);
        let Some(&(first, _)) = schedule.first() else {
            return;
        };
        let next = schedule
            .iter()
            .map(|&(t, _)| t)
            .find(|&t| t > day_ms)
            .unwrap_or(first + DAY_MS);
        self.engine
            .schedule_daemon(now.plus_ms(next - day_ms), class::API, Ev::ServingScale { wl });
    }

    /// A step of `wl`'s replicas schedule: `spec.replicas` is set (a user's or an autoscaler's
    /// scale), and the controller syncs (a LeaderWorkerSet's, `controllers::lws`, for one).
    pub(crate) fn serving_scale(&mut self, wl: WlId) {
        let now = self.now();
        let replicas = self.scheduled_replicas_now(wl);
        if self.ctl.lws.owns(wl) {
            self.lws_scale(wl, replicas);
            self.serving_next_step(wl);
            return;
        }
        let st = self.ctl.servings.sets.get_mut(&wl).expect("a serving workload");
        if std::mem::replace(&mut st.replicas, replicas) != replicas {
            let obj = self.wl_object(wl);
            self.event(|| obj, "Scaled", || format!("replicas {replicas}"));
            self.serving_enqueue(wl, now);
        }
        self.serving_next_step(wl);
    }

    /// A pod of `wl` changed: its controller syncs one watch delay later.
    pub(crate) fn serving_pod_event(&mut self, wl: WlId) {
        if !self.ctl.servings.is_serving(wl) {
            return;
        }
        let at = self.now().plus_ms(self.cfg.lat.watch_ms);
        self.serving_enqueue(wl, at);
    }

    /// Ask for a sync at `at` (the queue keeps the earliest request).
    fn serving_enqueue(&mut self, wl: WlId, at: SimTime) {
        let st = self.ctl.servings.sets.get_mut(&wl).expect("a serving workload");
        if st.sync_at.is_some_and(|t| t <= at) {
            return;
        }
        st.sync_at = Some(at);
        self.engine.schedule(at, class::CONTROLLER, Ev::ServingSync { wl });
    }

    pub(crate) fn serving_sync_event(&mut self, wl: WlId) {
        let now = self.now();
        let st = self.ctl.servings.sets.get_mut(&wl).expect("a serving workload");
        if st.sync_at != Some(now) {
            return; // superseded by an earlier sync
        }
        st.sync_at = None;
        let spec = self.serving_spec(wl);
        match spec.kind {
            ServingKind::StatefulSet => self.statefulset_sync(wl),
            ServingKind::Deployment if spec.paused => {}
            ServingKind::Deployment | ServingKind::ReplicaSet => self.replicaset_sync(wl),
        }
    }

    /// Terminal pods the controller no longer needs leave the run (a ReplicaSet's are the
    /// pod garbage collector's; their memory is not kept however often pods are replaced).
    fn serving_release_terminal(&mut self, wl: WlId) {
        let pods = std::mem::take(&mut self.store.workloads[wl as usize].pods);
        let (done, keep): (Vec<PodId>, Vec<PodId>) = pods
            .into_iter()
            .partition(|&p| self.store.pods[p as usize].finished.is_some());
        self.store.workloads[wl as usize].pods = keep;
        for p in done {
            self.release_pod(p);
        }
    }

    /// Rule 1: create the missing replicas, or delete the extra ones (at most `burstReplicas`).
    fn replicaset_sync(&mut self, wl: WlId) {
        self.serving_release_terminal(wl);
        let replicas = self.serving_replicas(wl);
        let mut active: Vec<PodId> = self.store.workloads[wl as usize]
            .pods
            .iter()
            .copied()
            .filter(|&p| self.store.pods[p as usize].is_active())
            .collect();
        if active.len() as u32 > replicas {
            // `getPodsToDelete`: the lowest ranked first (unassigned before assigned, pending
            // before running, not ready before ready, then the newest first).
            active.sort_by_key(|&p| {
                let q = &self.store.pods[p as usize];
                let running = q.phase == crate::sim::Phase::Running;
                (
                    q.node.is_some(),
                    running,
                    q.container_up,
                    std::cmp::Reverse(q.created),
                    std::cmp::Reverse(p),
                )
            });
            let extra = (active.len() as u32 - replicas).min(BURST_REPLICAS) as usize;
            for &p in &active[..extra] {
                self.delete_pod(p, "ScaleDown", None);
            }
            return;
        }
        let missing = replicas - active.len() as u32;
        let n = missing.min(BURST_REPLICAS);
        for _ in 0..n {
            self.serving_create_pod(wl, None);
        }
        if missing > n {
            // The rest once the creations are observed: the next sync.
            let at = self.now().plus_ms(self.cfg.lat.watch_ms);
            self.serving_enqueue(wl, at);
        }
    }

    /// Rule 2: a StatefulSet's ordinals in order.
    fn statefulset_sync(&mut self, wl: WlId) {
        let now = self.now();
        let spec = self.serving_spec(wl);
        let (first, parallel) = (spec.first_ordinal, spec.parallel);
        let replicas = self.serving_replicas(wl);
        // The live pod of each ordinal (at most one: a name is unique).
        let mut by_ordinal: BTreeMap<u32, PodId> = BTreeMap::new();
        for &p in &self.store.workloads[wl as usize].pods {
            let i = self.store.pods[p as usize]
                .index
                .expect("a StatefulSet pod has an ordinal");
            by_ordinal.insert(i, p);
        }
        let mut resync = false;
        let mut blocked = false;
        for i in first..first + replicas {
            let Some(&pod) = by_ordinal.get(&i) else {
                self.serving_create_pod(wl, Some(i));
                if parallel {
                    continue;
                }
                blocked = true;
                break;
            };
            let p = &self.store.pods[pod as usize];
            if p.finished.is_some() {
                // Deleted now (unless its deletion made it end); its name is free once the
                // deletion is seen.
                if p.deletion.is_none() {
                    let obj = self.pod_object(pod);
                    self.event(|| obj, "PodDeleted", || "StatefulSetPodFailed".to_string());
                }
                let pods = &mut self.store.workloads[wl as usize].pods;
                pods.retain(|&q| q != pod);
                self.release_pod(pod);
                resync = true;
                if parallel {
                    continue;
                }
                blocked = true;
                break;
            }
            let ready = p.deletion.is_none() && p.container_up;
            if !ready && !parallel {
                blocked = true;
                break;
            }
        }
        // `processCondemned`: pods beyond the replicas go, the highest ordinal first; with
        // OrderedReady only once every replica is Running and Ready, one at a time, waiting for
        // each to be gone.
        if !blocked {
            let condemned: Vec<PodId> = by_ordinal.range(first + replicas..).rev().map(|(_, &p)| p).collect();
            // A condemned pod that ended is gone from the controller's view.
            let (gone, condemned): (Vec<PodId>, Vec<PodId>) = condemned
                .into_iter()
                .partition(|&p| self.store.pods[p as usize].finished.is_some());
            for p in gone {
                self.store.workloads[wl as usize].pods.retain(|&q| q != p);
                self.release_pod(p);
            }
            for p in condemned {
                if self.store.pods[p as usize].deletion.is_none() {
                    self.delete_pod(p, "ScaleDown", None);
                }
                if !parallel {
                    break;
                }
            }
        }
        if resync {
            let at = now.plus_ms(self.cfg.lat.watch_ms);
            self.serving_enqueue(wl, at);
        }
    }

    /// Create one pod of `wl` (a StatefulSet's of ordinal `ordinal`), through ResourceQuota
    /// admission: a refused create fails the sync, which the work queue retries after its
    /// per-item backoff.
    fn serving_create_pod(&mut self, wl: WlId, ordinal: Option<u32>) {
        let charge = match self.quota_admit_pod(wl, 0) {
            Ok(c) => c,
            Err(reason) => {
                let obj = self.wl_object(wl);
                self.event(|| obj, "FailedCreate", || reason);
                let st = self.ctl.servings.sets.get_mut(&wl).expect("a serving workload");
                let delay = crate::sim::backoff_ms(QUEUE_BACKOFF_MS, QUEUE_BACKOFF_MAX_MS, st.refusals);
                st.refusals += 1;
                let at = self.now().plus_ms(delay);
                self.serving_enqueue(wl, at);
                return;
            }
        };
        self.ctl
            .servings
            .sets
            .get_mut(&wl)
            .expect("a serving workload")
            .refusals = 0;
        let pod = self.create_pod(wl, 0, ordinal);
        if let Some(c) = charge {
            self.quota_charged(pod, c);
        }
    }
}
