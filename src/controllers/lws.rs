//! The LeaderWorkerSet controller (`leaderworkerset.x-k8s.io/v1`), after kubernetes-sigs/lws @
//! `060ab4da17eea1f0865fcbd3236bb1075e2cea32` (v0.10.0-11, Apache-2.0):
//! `pkg/controllers/leaderworkerset_controller.go` (`Reconcile`,
//! `constructLeaderStatefulSetApplyConfiguration`: the leader StatefulSet `<lws>` of `replicas`
//! pods, Parallel), `pkg/controllers/pod_controller.go` (`Reconcile`: the worker StatefulSet
//! `<leader pod>` of `size - 1` pods, Parallel, ordinals from 1, created when the leader pod
//! exists, not deleted, and with `startupPolicy: LeaderReady` Ready; `handleRestartPolicy`,
//! `pendingPodsInGroup`), `pkg/utils/pod/pod_utils.go` (`ContainerRestarted`, `PodDeleted`)
//! and `pkg/schedulerprovider/volcano_provider.go` (`CreatePodGroupIfNotExists`). The rules and
//! constants are in docs/lws.md.
//!
//! A LeaderWorkerSet is one workload (one jobs.csv row of kind LeaderWorkerSet) whose pods never
//! complete: like a StatefulSet's (`controllers::serving`) they run until the horizon. Group `g`
//! is the leader pod `<lws>-<g>` (task 0, the leader StatefulSet's ordinal `g`) and its workers
//! `<lws>-<g>-<j>`, j = 1..size-1 (task 1, the worker StatefulSet `<lws>-<g>`'s ordinals); a
//! pod's index is `g * size + j`. One sync does, in order, what the four controllers involved do:
//! 1. Pods that ended are gone from the StatefulSets' view (a failed one first deleted, as the
//!    StatefulSet controller does); each is recreated, with its name, by the next sync.
//! 2. The pod controller's restart policy (`handleRestartPolicy`), with RecreateGroupOnPodRestart
//!    (or RecreateGroupAfterStart, or the `experimental-recreate-group-after-start`
//!    annotation, which wait until no pod of the group is Pending and the group is whole): a pod
//!    of the group deleted (evicted, preempted, its node lost and the pod evicted), ended, or
//!    whose container restarted deletes the group's leader, with foreground propagation: the
//!    worker StatefulSet and its pods are deleted at once, the leader is gone once they are, and
//!    its StatefulSet recreates it. A leader already being deleted is left alone. With None
//!    each StatefulSet replaces its own pods.
//! 3. The garbage collector: a group whose leader is gone loses its worker StatefulSet, and its
//!    workers are deleted (whatever the restart policy: the workers belong to the leader pod).
//! 4. The leader StatefulSet (Parallel): a missing leader of a group below `replicas` is created;
//!    leaders of groups at or above it are deleted, all at once.
//! 5. The worker StatefulSets (Parallel): a group whose leader exists and is not being deleted
//!    gets its worker StatefulSet once the leader is created (LeaderCreated) or Ready
//!    (LeaderReady: its container runs), at the sync after the leader's event; then every
//!    missing worker is created, a terminating one waited for.
//!
//! A sync runs when the object is created and one watch delay (`latencies.watch`) after any
//! event of one of its pods (created, Running, its container exited or restarted, deleted,
//! terminal), as the serving controllers'. `kubesim.io/replicas-schedule` sets `replicas` as for
//! a StatefulSet (`World::serving_scale`).
//!
//! Gang scheduling: with the Volcano scheduler provider (pods naming `schedulerName: volcano`),
//! each group's leader incarnation gets a Volcano PodGroup of `minMember` size (1 with
//! LeaderReady), which its pods join.
//!
//! Simplifications: the LeaderWorkerSet, pod and StatefulSet controllers are one sync (no delay
//! between the leader StatefulSet's object and its pods, nor between the worker StatefulSet and
//! its pods); the garbage collector's foreground deletion takes no time; the rolling update,
//! the headless Services, volume claims and subgroups are not modelled (docs/lws.md).

use std::collections::BTreeMap;

use crate::engine::SimTime;
use crate::input::spec::{LwsRestartPolicy, LwsSpec, WorkloadKind};
use crate::model::gang::GangId;
use crate::sim::{Ev, PodId, WlId, World, class};

/// The LeaderWorkerSet controller's state.
#[derive(Debug, Default)]
pub struct Lwss {
    sets: BTreeMap<WlId, LwsState>,
}

impl Lwss {
    /// Whether workload `wl` is a LeaderWorkerSet.
    pub fn owns(&self, wl: WlId) -> bool {
        !self.sets.is_empty() && self.sets.contains_key(&wl)
    }
}

/// One LeaderWorkerSet's state.
#[derive(Debug)]
struct LwsState {
    /// `spec.replicas` as it is now (its `kubesim.io/replicas-schedule` step).
    replicas: u32,
    /// The pending sync.
    sync_at: Option<SimTime>,
    /// Syncs in a row whose creates were refused (the work queue's per-item backoff).
    refusals: u32,
    /// Groups by index.
    groups: BTreeMap<u32, Group>,
}

/// One group's objects besides its pods.
#[derive(Debug, Default)]
struct Group {
    /// Its worker StatefulSet exists.
    workers: bool,
    /// Its leader was deleted with foreground propagation (the restart policy): the leader is
    /// recreated once no pod of the group is left.
    recreating: bool,
    /// Its leader incarnation's Volcano PodGroup.
    gang: Option<GangId>,
}

/// The work queue's per-item backoff after a failed sync (controller-runtime's default rate
/// limiter: 5 ms doubling to 1000 s).
const QUEUE_BACKOFF_MS: u64 = 5;
const QUEUE_BACKOFF_MAX_MS: u64 = 1_000_000;

/// `experimental-recreate-group-after-start` (`RecreateGroupAfterStartAnnotationKey`).
const RECREATE_AFTER_START: &str = "leaderworkerset.sigs.k8s.io/experimental-recreate-group-after-start";

impl World {
    fn lws_spec(&self, wl: WlId) -> &LwsSpec {
        match &self.store.protos[self.store.workloads[wl as usize].proto as usize]
            .spec
            .kind
        {
            WorkloadKind::Lws(l) => l,
            _ => unreachable!("not a LeaderWorkerSet"),
        }
    }

    /// A LeaderWorkerSet was created: its first sync, now.
    pub(crate) fn lws_created(&mut self, wl: WlId) {
        let now = self.now();
        let replicas = self.scheduled_replicas_now(wl);
        self.ctl.lws.sets.insert(
            wl,
            LwsState {
                replicas,
                sync_at: None,
                refusals: 0,
                groups: BTreeMap::new(),
            },
        );
        self.serving_next_step(wl);
        self.lws_enqueue(wl, now);
    }

    /// The pods `wl` asks for now (groups x size).
    pub(crate) fn lws_pods_wanted(&self, wl: WlId) -> u32 {
        let groups = self.ctl.lws.sets.get(&wl).map_or(0, |s| s.replicas);
        groups.saturating_mul(self.lws_spec(wl).size)
    }

    /// A step of `wl`'s replicas schedule (from `World::serving_scale`): the controller syncs.
    pub(crate) fn lws_scale(&mut self, wl: WlId, replicas: u32) {
        let now = self.now();
        let st = self.ctl.lws.sets.get_mut(&wl).expect("a LeaderWorkerSet");
        if std::mem::replace(&mut st.replicas, replicas) != replicas {
            let obj = self.wl_object(wl);
            self.event(|| obj, "Scaled", || format!("replicas {replicas}"));
            self.lws_enqueue(wl, now);
        }
    }

    /// A pod of `wl` changed: its controllers sync one watch delay later.
    pub(crate) fn lws_pod_event(&mut self, wl: WlId) {
        if !self.ctl.lws.owns(wl) {
            return;
        }
        let at = self.now().plus_ms(self.cfg.lat.watch_ms);
        self.lws_enqueue(wl, at);
    }

    /// Ask for a sync at `at` (the queue keeps the earliest request).
    fn lws_enqueue(&mut self, wl: WlId, at: SimTime) {
        let st = self.ctl.lws.sets.get_mut(&wl).expect("a LeaderWorkerSet");
        if st.sync_at.is_some_and(|t| t <= at) {
            return;
        }
        st.sync_at = Some(at);
        self.engine.schedule(at, class::CONTROLLER, Ev::LwsSync { wl });
    }

    pub(crate) fn lws_sync_event(&mut self, wl: WlId) {
        let now = self.now();
        let st = self.ctl.lws.sets.get_mut(&wl).expect("a LeaderWorkerSet");
        if st.sync_at != Some(now) {
            return; // superseded by an earlier sync
        }
        st.sync_at = None;
        self.lws_sync(wl);
    }

    /// The live pods of `wl` by (group, worker index).
    fn lws_pods(&self, wl: WlId) -> BTreeMap<(u32, u32), PodId> {
        let size = self.lws_spec(wl).size;
        self.store.workloads[wl as usize]
            .pods
            .iter()
            .map(|&p| {
                let i = self.store.pods[p as usize].index.expect("an LWS pod has an index");
                ((i / size, i % size), p)
            })
            .collect()
    }

    /// Rules 1 to 5 (module header).
    fn lws_sync(&mut self, wl: WlId) {
        let now = self.now();
        let spec = self.lws_spec(wl);
        let (size, restart, leader_ready) = (spec.size, spec.restart, spec.leader_ready);
        let after_start = restart == LwsRestartPolicy::RecreateGroupAfterStart
            || self.store.protos[self.store.workloads[wl as usize].proto as usize]
                .spec
                .annotations
                .contains_key(RECREATE_AFTER_START);
        let mut resync = false;
        // Rule 2 first: it reads the pods as they are (an ended pod is a lost one).
        if restart != LwsRestartPolicy::None {
            let pods = self.lws_pods(wl);
            let mut by_group: BTreeMap<u32, Vec<(u32, PodId)>> = BTreeMap::new();
            for (&(g, j), &p) in &pods {
                by_group.entry(g).or_default().push((j, p));
            }
            for (g, members) in by_group {
                let Some(&(0, leader)) = members.first() else {
                    continue; // no leader: nothing to delete (`Get` not found)
                };
                if self.store.pods[leader as usize].deletion.is_some()
                    || self.store.pods[leader as usize].finished.is_some()
                {
                    continue;
                }
                // Workers of an earlier leader (created before it: pod ids grow) belong to a
                // worker StatefulSet that is gone (`workerPodBelongsToLeader`).
                let members: Vec<(u32, PodId)> = members.into_iter().filter(|&(_, p)| p >= leader).collect();
                let lost = members.iter().find(|&&(_, p)| {
                    let q = &self.store.pods[p as usize];
                    q.deletion.is_some() || q.finished.is_some() || q.restarts > 0
                });
                let Some(&(_, culprit)) = lost else { continue };
                if after_start {
                    let pending = members.len() as u32 != size
                        || members
                            .iter()
                            .any(|&(_, p)| self.store.pods[p as usize].phase == crate::sim::Phase::Pending);
                    if pending {
                        continue;
                    }
                }
                let detail = if self.rec.record_events {
                    let name = |o: String| o.rsplit('/').next().unwrap_or_default().to_string();
                    let (c, l) = (name(self.pod_object(culprit)), name(self.pod_object(leader)));
                    format!("Worker pod {c} failed, deleted leader pod {l} to recreate group {g}")
                } else {
                    String::new()
                };
                let obj = self.wl_object(wl);
                self.event(|| obj, "RecreateGroup", || detail);
                self.delete_pod(leader, "RecreateGroup", None);
                // Foreground propagation: the worker StatefulSet and its pods go first.
                let group = self.lws_group(wl, g);
                group.recreating = true;
                group.workers = false;
                for &(j, p) in &members {
                    if j > 0 {
                        self.delete_pod(p, "RecreateGroup", None);
                    }
                }
            }
        }
        // Rule 1: ended pods leave; their names are free at the next sync.
        let ended: Vec<PodId> = self.store.workloads[wl as usize]
            .pods
            .iter()
            .copied()
            .filter(|&p| self.store.pods[p as usize].finished.is_some())
            .collect();
        let mut freed: Vec<(u32, u32)> = Vec::new();
        for p in ended {
            let i = self.store.pods[p as usize].index.expect("an LWS pod has an index");
            if self.store.pods[p as usize].deletion.is_none() {
                let obj = self.pod_object(p);
                self.event(|| obj, "PodDeleted", || "StatefulSetPodFailed".to_string());
            }
            self.store.workloads[wl as usize].pods.retain(|&q| q != p);
            self.release_pod(p);
            freed.push((i / size, i % size));
            resync = true;
        }
        let pods = self.lws_pods(wl);
        let replicas = self.ctl.lws.sets[&wl].replicas;
        // Rule 3: a group without its leader loses its workers.
        let groups: Vec<u32> = pods
            .keys()
            .map(|&(g, _)| g)
            .chain(self.ctl.lws.sets[&wl].groups.keys().copied())
            .collect::<std::collections::BTreeSet<u32>>()
            .into_iter()
            .collect();
        for &g in &groups {
            if pods.contains_key(&(g, 0)) {
                continue;
            }
            if let Some(group) = self
                .ctl
                .lws
                .sets
                .get_mut(&wl)
                .expect("a LeaderWorkerSet")
                .groups
                .get_mut(&g)
            {
                group.workers = false;
                group.gang = None;
            }
            for (_, &p) in pods.range((g, 1)..(g + 1, 0)) {
                self.delete_pod(p, "GarbageCollected", None);
            }
        }
        // Rule 4: the leader StatefulSet.
        for g in 0..replicas {
            if pods.contains_key(&(g, 0)) || freed.contains(&(g, 0)) {
                continue;
            }
            let recreating = self.ctl.lws.sets[&wl].groups.get(&g).is_some_and(|x| x.recreating);
            if recreating && pods.range((g, 1)..(g + 1, 0)).next().is_some() {
                continue; // foreground deletion: the leader goes after its workers
            }
            if !self.lws_create_pod(wl, g, 0) {
                return;
            }
            self.lws_group(wl, g).recreating = false;
            resync = true; // the pod controller sees the new leader
        }
        for (&(_, j), &p) in pods.range((replicas, 0)..).rev() {
            if j == 0 {
                self.delete_pod(p, "ScaleDown", None);
            }
        }
        // Rule 5: the worker StatefulSets.
        if size > 1 {
            for g in 0..replicas {
                let Some(&leader) = pods.get(&(g, 0)) else { continue };
                let l = &self.store.pods[leader as usize];
                if l.deletion.is_some() || l.finished.is_some() {
                    continue;
                }
                let group = self.lws_group(wl, g);
                if !group.workers {
                    if leader_ready && !self.store.pods[leader as usize].container_up {
                        continue;
                    }
                    self.lws_group(wl, g).workers = true;
                    let (obj, name) = (self.wl_object(wl), self.pod_object(leader));
                    self.event(
                        || obj,
                        "GroupsProgressing",
                        || format!("Created worker statefulset for leader pod {name}"),
                    );
                }
                for j in 1..size {
                    if pods.contains_key(&(g, j)) || freed.contains(&(g, j)) {
                        continue;
                    }
                    if !self.lws_create_pod(wl, g, j) {
                        return;
                    }
                }
            }
        }
        if resync {
            let at = now.plus_ms(self.cfg.lat.watch_ms);
            self.lws_enqueue(wl, at);
        }
    }

    fn lws_group(&mut self, wl: WlId, g: u32) -> &mut Group {
        self.ctl
            .lws
            .sets
            .get_mut(&wl)
            .expect("a LeaderWorkerSet")
            .groups
            .entry(g)
            .or_default()
    }

    /// Create pod `j` of group `g` (the leader when `j` is 0) through ResourceQuota admission: a
    /// refused create fails the sync (false), which the work queue retries after its per-item
    /// backoff. A leader starts a new Volcano PodGroup for its group when the scheduler
    /// provider is on.
    fn lws_create_pod(&mut self, wl: WlId, g: u32, j: u32) -> bool {
        let task = u16::from(j > 0);
        let charge = match self.quota_admit_pod(wl, task) {
            Ok(c) => c,
            Err(reason) => {
                let obj = self.wl_object(wl);
                self.event(|| obj, "FailedCreate", || reason);
                let st = self.ctl.lws.sets.get_mut(&wl).expect("a LeaderWorkerSet");
                let delay = crate::sim::backoff_ms(QUEUE_BACKOFF_MS, QUEUE_BACKOFF_MAX_MS, st.refusals);
                st.refusals += 1;
                let at = self.now().plus_ms(delay);
                self.lws_enqueue(wl, at);
                return false;
            }
        };
        self.ctl.lws.sets.get_mut(&wl).expect("a LeaderWorkerSet").refusals = 0;
        let spec = self.lws_spec(wl);
        let size = spec.size;
        let gang = match spec.volcano_gang.as_ref().map(|(min, _)| *min) {
            Some(min) if j == 0 => {
                let w = &self.store.workloads[wl as usize];
                let ns = &self.store.protos[w.proto as usize].spec.namespace;
                let name = format!("{ns}/{}-{g}", w.name);
                let gang = self.new_gang(name, min, None);
                self.lws_group(wl, g).gang = Some(gang);
                Some(gang)
            }
            Some(_) => self.ctl.lws.sets[&wl].groups.get(&g).and_then(|x| x.gang),
            None => None,
        };
        let pod = self.create_pod_in_gang(wl, task, Some(g * size + j), gang);
        if let Some(c) = charge {
            self.quota_charged(pod, c);
        }
        true
    }
}
