//! The `volcano` policy: volcano-scheduler's default configuration (semantics.md 5.4-5.6): a
//! session every second running enqueue (overcommit factor 1.2, proportion's capacity check),
//! allocate (gang all-or-nothing: a tentative plan committed only when the job is ready,
//! dropped otherwise) and backfill, with job order priority > gang (not ready first) > drf >
//! creation, and nodes scored by nodeorder (leastrequested, balancedresource) plus binpack.
//!
//! Differences: one session sees the pods that existed when it opened (pods the controller
//! creates on Inqueue wait for the next session, as in Volcano); a job that is ready keeps
//! allocating its remaining pods right away instead of being pushed back behind other jobs;
//! pods outside any gang skip enqueue (their implicit PodGroup of one is always enqueueable in
//! practice); score ties go to the node whose name sorts first; queue weights and deserved
//! shares are not applied by allocate (one queue suffices here: the queues issue brings them).
//!
//! When events are recorded, enqueue rejections and each session's end write the PodGroup's
//! `Unschedulable` message as volcano-scheduler words it (`messages`).
//!
//! For speed, the waiting pods are kept between sessions (`units`): lone pods in job order per
//! (queue, class), gangs' pods apart; a session walks them in job order and skips a class of
//! lone pods once the action is known to do nothing for it, so a session over a backlog that
//! cannot fit costs O(queues x classes + gangs), not O(backlog).

mod messages;
pub mod preempt;
pub mod proportion;
pub(crate) mod units;

use std::collections::BTreeMap;

use crate::controllers::volcano_job::PgPhase;
use crate::engine::SimTime;
use crate::model::cluster::{Best, CPU, MEMORY, NodeId, Res, best_in_states, better, resource_scores};
use crate::model::gang::GangId;
use crate::sim::{Ev, PodId, World, class};
use messages::short_dims;

/// volcano-scheduler's `overcommit-factor`.
pub const OVERCOMMIT_FACTOR_PERCENT: i64 = 120;

#[derive(Clone, Debug, Default)]
pub struct VolcanoSched {
    /// Pods waiting for the volcano scheduler: gangs' pods in creation order, lone pods in job
    /// order per (queue, class).
    pub pending: units::Pending,
    /// The same as a flag per pod id (released with the pod), for lookups on hot paths.
    pub(crate) waiting: crate::model::pods::Paged<bool>,
    /// The first pod id created after the current session opened: the session's snapshot is
    /// the pods waiting below it.
    limit: PodId,
    session_at: Option<SimTime>,
    last_session: Option<SimTime>,
    /// The current session bound a pod or enqueued a PodGroup.
    changed: bool,
    /// Classes that found no node on the session's committed free capacity: capacity only
    /// shrinks within a session, so no later pod of theirs fits either (reset per session).
    no_fit: std::collections::BTreeSet<crate::sim::ClassId>,
    /// What allocate saw of each gang this session, for its message (events recorded only).
    attempts: BTreeMap<GangId, messages::GangAttempt>,
    /// The last `Unschedulable` message written per PodGroup (enqueue 0, session close 1).
    last_msgs: BTreeMap<(GangId, u8), String>,
}

/// A session's units: its gang units in job order, with their keys; its lone pods are the pods
/// waiting in `units::Pending` created before `limit`.
pub(crate) struct SessionUnits {
    pub gangs: Vec<Unit>,
    pub keys: Vec<units::JobKey>,
    pub limit: PodId,
}

/// A scheduling unit of a session: a gang (PodGroup) or a lone pod.
#[derive(Clone, Debug)]
pub(crate) struct Unit {
    pub gang: Option<GangId>,
    pub pods: Vec<PodId>,
    pub priority: i32,
    created: SimTime,
    id: u64,
}

impl VolcanoSched {
    /// A pod was created: not waiting for a session yet.
    pub fn pod_created(&mut self, pod: PodId) {
        let id = self.waiting.push(false);
        debug_assert_eq!(id, pod, "the flags follow the pod store's ids");
    }

    /// A pod left the run (see `PodStore::release`).
    pub fn pod_released(&mut self, pod: PodId) {
        self.waiting.release(pod);
    }
}

impl World {
    /// proportion's invariant: a queue never holds more than its capability.
    pub(crate) fn volcano_check(&self) {
        for (q, held) in self.store.queue_alloc.iter().enumerate() {
            if let Some(spec) = self.queue_spec(q as u32) {
                for d in 0..held.0.len() {
                    assert!(
                        !spec.capability_set[d] || held.0[d] <= spec.capability.0[d],
                        "queue {} holds {} of dimension {d}, above its capability {}",
                        spec.name,
                        held.0[d],
                        spec.capability.0[d]
                    );
                }
            }
        }
    }

    /// Ask for a session at the next whole second (or now, if none ran at this second).
    pub(crate) fn volcano_kick(&mut self) {
        let now = self.now();
        let at = if now.ms().is_multiple_of(1000) && self.sched.volcano.last_session != Some(now) {
            now
        } else {
            SimTime((now.ms() / 1000 + 1) * 1000)
        };
        if self.sched.volcano.session_at.is_some_and(|t| t <= at) {
            return;
        }
        self.sched.volcano.session_at = Some(at);
        // A live event: a session has work (something changed). Sessions that change nothing
        // are not repeated, so this never keeps an idle run alive.
        self.engine.schedule(at, class::SCHED_CYCLE, Ev::VolcanoSession);
    }

    /// Where a waiting pod is kept: with the gangs' pods, or as a lone pod of its queue and
    /// class (fixed for the pod's life).
    fn waiting_place(&self, pod: PodId) -> units::Place {
        let p = &self.store.pods[pod as usize];
        let wl = &self.store.workloads[p.wl as usize];
        if p.gang.is_some() || wl.vc.is_some() {
            units::Place::Gang
        } else {
            units::Place::Lone(units::Lone {
                queue: self.pod_queue(pod),
                class: p.class,
                created: wl.submit,
                req: self.store.classes[p.class as usize].req,
            })
        }
    }

    pub(crate) fn volcano_add(&mut self, pod: PodId) {
        let place = self.waiting_place(pod);
        self.sched.volcano.pending.insert(pod, place);
        self.sched.volcano.waiting[pod as usize] = true;
        self.volcano_kick();
    }

    pub(crate) fn volcano_remove(&mut self, pod: PodId) {
        let place = self.waiting_place(pod);
        self.sched.volcano.pending.remove(pod, place);
        self.sched.volcano.waiting[pod as usize] = false;
    }

    /// One session: enqueue, allocate, backfill.
    pub(crate) fn volcano_session(&mut self) {
        let now = self.now();
        if self.sched.volcano.session_at != Some(now) {
            return;
        }
        self.sched.volcano.session_at = None;
        self.sched.volcano.last_session = Some(now);
        self.sched.volcano.changed = false;
        self.sched.volcano.no_fit.clear();
        self.sched.volcano.limit = self.store.pods.len() as PodId;
        // The gangs' pods of the snapshot (lone pods are the waiting ones below `limit`).
        let snapshot: Vec<PodId> = self.sched.volcano.pending.gang.iter().copied().collect();
        self.volcano_enqueue();
        let (units, deserved) = self.volcano_allocate(&snapshot);
        if !deserved.is_empty() || !self.rec.queue_deserved.is_empty() {
            let queues = self.store.queue_names.len().max(self.rec.queue_deserved.len());
            for q in 0..queues {
                let gpus = deserved
                    .get(&(q as u32))
                    .map_or(0, |d| d[crate::model::cluster::GPU].min(i64::MAX as f64) as i64);
                self.rec.queue_deserved.set(q, now, gpus);
            }
        }
        if self.sched.policy.volcano_preempt {
            // The units allocate left pending, in job order again (an elastic job it placed in
            // part is ready now).
            let mut gangs = units.gangs;
            for u in &mut gangs {
                u.pods.retain(|&p| self.sched.volcano.waiting[p as usize]);
                if let Some(&first) = u.pods.first() {
                    u.id = u64::from(first);
                }
            }
            gangs.retain(|u| !u.pods.is_empty());
            let units = self.sort_units(gangs);
            let removed = self.sched.volcano.pending.lone_removed;
            self.volcano_evictions(&units, &deserved);
            debug_assert_eq!(
                removed, self.sched.volcano.pending.lone_removed,
                "evictions end no waiting lone pod (the walk would miss it)"
            );
        }
        if self.rec.record_events {
            self.volcano_session_messages(&snapshot);
        }
        // A session is a function of the cluster state: one that changed nothing would be
        // repeated identically every second until an event changes the state (a pod added or
        // released, a node, a PodGroup), and each of those asks for a session (`volcano_kick`).
        // So the next second's session is scheduled only after a session that changed something.
        if self.sched.volcano.changed {
            let next = now.plus_ms(1000);
            self.sched.volcano.session_at = Some(next);
            self.engine.schedule(next, class::SCHED_CYCLE, Ev::VolcanoSession);
        }
    }

    /// Cluster totals and what bound pods use.
    /// Kept by the cluster as pods are charged and released (a session asks every second).
    pub(crate) fn totals(&self) -> (Res, Res) {
        let cluster = &self.store.cluster;
        if cfg!(debug_assertions) && cluster.nodes.len() <= CROSS_CHECK_NODES {
            let mut total = Res::default();
            let mut used = Res::default();
            for n in cluster.nodes.iter().filter(|n| n.present) {
                total.add(&n.alloc);
                used.add(&n.requested);
            }
            assert_eq!(
                (total, used),
                (cluster.total, cluster.requested_total()),
                "cluster totals drifted"
            );
        }
        (cluster.total, cluster.requested_total())
    }

    /// minResources of a Volcano job's PodGroup: the first minAvailable pods in task order
    /// (VC-J3).
    pub(crate) fn vc_min_resources(&self, wl: crate::sim::WlId) -> Res {
        let proto = &self.store.protos[self.store.workloads[wl as usize].proto as usize];
        let vc = self.store.workloads[wl as usize].vc.as_deref().expect("vc");
        let mut left = vc.min_available;
        let mut r = Res::default();
        for t in &proto.tasks {
            let take = t.replicas.min(left);
            let req = self.store.classes[t.class as usize].req;
            for _ in 0..take {
                r.add(&req);
            }
            left -= take;
        }
        r
    }

    /// enqueue (VC-C3, VC-Q2, VC-Q3): Pending PodGroups in job order; overcommit and
    /// proportion must both permit.
    pub(crate) fn volcano_enqueue(&mut self) {
        if self.ctl.vc_live.is_empty() {
            return; // no PodGroup to enqueue (and the totals cost a pass over the nodes)
        }
        let (total, used) = self.totals();
        let mut idle = Res::default();
        for (i, v) in idle.0.iter_mut().enumerate() {
            *v = total.0[i] * OVERCOMMIT_FACTOR_PERCENT / 100 - used.0[i];
        }
        // Resources of Inqueue jobs not yet allocated, overall and per queue; allocated and
        // elastic per queue.
        let mut inqueue = Res::default();
        let mut per_queue: BTreeMap<String, (Res, Res, Res)> = BTreeMap::new();
        let mut candidates: Vec<(std::cmp::Reverse<i32>, SimTime, u32)> = Vec::new();
        for &wl in &self.ctl.vc_live {
            let w = &self.store.workloads[wl as usize];
            let Some(vc) = w.vc.as_deref() else { continue };
            if w.finish.is_some() {
                continue;
            }
            let held = self.gang_held(vc.gang);
            let min_res = self.vc_min_resources(wl);
            let q = per_queue.entry(vc.queue.clone()).or_default();
            q.1.add(&held);
            match vc.pg_phase {
                PgPhase::Pending if vc.pg_enqueueable() => candidates.push((
                    std::cmp::Reverse(self.store.protos[w.proto as usize].priority),
                    vc.pg_created,
                    wl,
                )),
                PgPhase::Pending => {}
                _ => {
                    let mut rest = min_res;
                    rest.sub(&held);
                    for v in rest.0.iter_mut() {
                        *v = (*v).max(0);
                    }
                    inqueue.add(&rest);
                    q.0.add(&rest);
                    let mut elastic = held;
                    elastic.sub(&min_res);
                    for v in elastic.0.iter_mut() {
                        *v = (*v).max(0);
                    }
                    q.2.add(&elastic);
                }
            }
        }
        candidates.sort();
        let guarantees: Res = {
            let mut g = Res::default();
            for q in &self.store.queue_specs {
                g.add(&q.guarantee);
            }
            g
        };
        for (_, _, wl) in candidates {
            let min_res = self.vc_min_resources(wl);
            let queue = self.store.workloads[wl as usize]
                .vc
                .as_deref()
                .expect("vc")
                .queue
                .clone();
            // overcommit: inqueue + minReq <= idle, per requested dimension.
            let over_ok = (0..idle.0.len()).all(|d| min_res.0[d] == 0 || inqueue.0[d] + min_res.0[d] <= idle.0[d]);
            // proportion: minReq + allocated + inqueue - elastic <= realCapability.
            let spec = self.store.queue_specs.iter().find(|q| q.name == queue);
            let mut real_cap = total;
            real_cap.sub(&guarantees);
            if let Some(s) = spec {
                real_cap.add(&s.guarantee);
                for d in 0..real_cap.0.len() {
                    if s.capability_set[d] {
                        real_cap.0[d] = real_cap.0[d].min(s.capability.0[d]);
                    }
                }
            }
            let (q_in, q_alloc, q_elastic) = per_queue.get(&queue).cloned().unwrap_or_default();
            let prop_ok = (0..real_cap.0.len()).all(|d| {
                min_res.0[d] == 0 || min_res.0[d] + q_alloc.0[d] + q_in.0[d] - q_elastic.0[d] <= real_cap.0[d]
            });
            let open = spec.is_none_or(|s| s.open);
            if over_ok && prop_ok && open {
                inqueue.add(&min_res);
                per_queue.entry(queue).or_default().0.add(&min_res);
                self.vc_enqueued(wl);
                self.sched.volcano.changed = true;
            } else if self.rec.record_events {
                let mut q_used = q_alloc;
                q_used.add(&q_in);
                q_used.sub(&q_elastic);
                let insufficient = if open {
                    short_dims(&min_res, &q_used, &real_cap)
                } else {
                    Vec::new()
                };
                self.volcano_enqueue_rejected(wl, &short_dims(&min_res, &inqueue, &idle), &insufficient);
            }
        }
    }

    /// Resources held by a gang's members.
    pub(crate) fn gang_held(&self, g: GangId) -> Res {
        let mut r = Res::default();
        for &m in &self.store.gangs[g as usize].members {
            let p = &self.store.pods[m as usize];
            if p.node.is_some() && p.finished.is_none() {
                r.add(&self.store.classes[p.class as usize].req);
            }
        }
        r
    }

    /// The session changed the cluster: run the next second's session too.
    pub(crate) fn vsched_changed(&mut self) {
        self.sched.volcano.changed = true;
    }

    /// allocate + backfill (VC-C4, C6): per job in order, a tentative plan committed only when
    /// the job is ready. Returns the session's units (for preempt and reclaim) and its deserved
    /// shares by queue (empty when one queue without a capability is in play).
    pub(crate) fn volcano_allocate(
        &mut self,
        snapshot: &[PodId],
    ) -> (SessionUnits, BTreeMap<u32, crate::policy::volcano::proportion::Vec8>) {
        let sorted = self.session_units(snapshot);
        debug_assert_eq!(
            self.sched.volcano.pending.lone_since(sorted.limit),
            0,
            "no lone pod is created between a session's opening and its allocate"
        );
        let partial_before: Vec<bool> = if cfg!(debug_assertions) {
            self.store
                .gangs
                .iter()
                .map(|g| g.holding > 0 && g.holding < g.min_member && !g.formed)
                .collect()
        } else {
            Vec::new()
        };
        let deserved = self.allocate_by_queue(&sorted);
        // Gang invariant: a session never makes a gang partly placed (a gang can be partial
        // only through a loss: a member lost with its node, evicted or deleted).
        debug_assert!(
            self.store
                .gangs
                .iter()
                .enumerate()
                .all(|(i, g)| g.holding == 0 || g.holding >= g.min_member || g.formed || partial_before[i]),
            "volcano left a gang partial"
        );
        (sorted, deserved)
    }

    /// The session's scheduling units: the gang units (a gang's pending pods) among `snapshot`'s
    /// pods still pending, in job order (`sort_units`); the lone pods waiting stay where they
    /// are kept (`units::Pending`).
    pub(crate) fn session_units(&self, snapshot: &[PodId]) -> SessionUnits {
        // Units in order of their first pod (the snapshot is in pod order); a gang's pods join
        // the unit of its first pending pod.
        let mut order: Vec<Unit> = Vec::new();
        let mut unit_of_gang: BTreeMap<GangId, usize> = BTreeMap::new();
        for &pod in snapshot {
            let p = &self.store.pods[pod as usize];
            if p.finished.is_some() || p.node.is_some() || !self.sched.volcano.waiting[pod as usize] {
                continue;
            }
            let wl = &self.store.workloads[p.wl as usize];
            // A Volcano job's pods are allocated only while its PodGroup is Inqueue/Running.
            if wl.vc.as_deref().is_some_and(|v| v.pg_phase == PgPhase::Pending) {
                continue;
            }
            if let Some(g) = p.gang
                && let Some(&i) = unit_of_gang.get(&g)
            {
                order[i].pods.push(pod);
                continue;
            }
            if let Some(g) = p.gang {
                unit_of_gang.insert(g, order.len());
            }
            order.push(Unit {
                gang: p.gang,
                pods: vec![pod],
                priority: self.store.classes[p.class as usize].priority,
                created: wl.submit,
                id: u64::from(pod),
            });
        }
        self.sort_units(order)
    }

    /// Gang units in job order: priority, gang (not ready first), drf (lower dominant share),
    /// creation, id; with the session's lone pods, its units.
    pub(crate) fn sort_units(&self, order: Vec<Unit>) -> SessionUnits {
        let total = if order.iter().any(|u| u.gang.is_some()) {
            self.totals().0
        } else {
            Res::default() // drf shares are of gangs only
        };
        // Job order: priority, gang (not ready first), drf (lower dominant share), creation, id.
        // Keys are unique (the id is the unit's first pod), so an unstable sort of (key, index)
        // gives the one order; a backlog mostly in order already costs a pass.
        let mut keyed: Vec<(units::JobKey, u32)> = order
            .iter()
            .enumerate()
            .map(|(i, u)| {
                let ready = u
                    .gang
                    .is_none_or(|g| self.store.gangs[g as usize].holding >= self.store.gangs[g as usize].min_member);
                // A gang holding nothing has no share (most of a backlog): its members are
                // not visited.
                let share = u.gang.map_or(0, |g| {
                    if self.store.gangs[g as usize].holding == 0 {
                        debug_assert_eq!(self.gang_held(g), Res::default(), "a gang holding 0 holds resources");
                        0
                    } else {
                        dominant_share_ppm(&self.gang_held(g), &total)
                    }
                });
                ((std::cmp::Reverse(u.priority), ready, share, u.created, u.id), i as u32)
            })
            .collect();
        if !keyed.is_sorted() {
            keyed.sort_unstable();
        }
        let mut units: Vec<Option<Unit>> = order.into_iter().map(Some).collect();
        let keys = keyed.iter().map(|k| k.0).collect();
        let gangs = keyed
            .iter()
            .map(|&(_, i)| units[i as usize].take().expect("each unit once"))
            .collect();
        SessionUnits {
            gangs,
            keys,
            limit: self.sched.volcano.limit,
        }
    }

    /// A walk over the session's units of queue `queue` (every queue if `None`) in job order.
    pub(crate) fn walk_units(&self, su: &SessionUnits, queue: Option<u32>) -> units::Stream {
        let gangs = su
            .gangs
            .iter()
            .enumerate()
            .filter(|(_, u)| queue.is_none_or(|q| self.pod_queue(u.pods[0]) == q))
            .map(|(i, _)| (su.keys[i], i))
            .collect();
        units::Stream::new(
            &self.sched.volcano.pending,
            queue,
            |c| self.store.classes[c as usize].priority,
            gangs,
            su.limit,
        )
    }

    /// The queues of the session's units.
    pub(crate) fn unit_queues(&self, su: &SessionUnits) -> std::collections::BTreeSet<u32> {
        let mut qs = self.sched.volcano.pending.lone_queues(su.limit);
        qs.extend(su.gangs.iter().map(|u| self.pod_queue(u.pods[0])));
        qs
    }

    /// Allocate one unit of a walk (`cap`: its queue's deserved share, if queues are in play).
    fn allocate_item(
        &mut self,
        su: &SessionUnits,
        item: units::Item,
        cap: Option<crate::policy::volcano::proportion::Vec8>,
    ) {
        match item {
            units::Item::Gang(k) => self.allocate_unit(su.gangs[k].gang, &su.gangs[k].pods, cap),
            units::Item::Lone { pod, .. } => self.allocate_unit(None, &[pod], cap),
        }
    }

    /// allocate's queue loop (VC-C4): with one queue in play, jobs in job order; with several,
    /// proportion's deserved shares (VC-Q2) for this session, then repeatedly the queue with the
    /// lowest share that is not overused gives its next job, and a task fits its queue only while
    /// `allocated + request <= deserved`.
    ///
    /// A lone pod whose class found no node this session, or whose request has no room left in
    /// its queue's deserved share, would be visited as a no-op, and so would every later pod of
    /// its (queue, class): capacity and room only shrink within allocate. The walk drops such
    /// a class, and a queue whose units left are all such is as good as empty (its turns would
    /// change nothing).
    pub(crate) fn allocate_by_queue(
        &mut self,
        su: &SessionUnits,
    ) -> BTreeMap<u32, crate::policy::volcano::proportion::Vec8> {
        use crate::policy::volcano::proportion::{QueueInput, Vec8, deserved, overused, share};
        use units::Verdict;
        let unit_queue = |w: &World, u: &Unit| w.pod_queue(u.pods[0]);
        let mut in_play = self.unit_queues(su);
        for (q, a) in self.store.queue_alloc.iter().enumerate() {
            if *a != Res::default() {
                in_play.insert(q as u32);
            }
        }
        let capped = in_play
            .iter()
            .any(|&q| self.queue_spec(q).is_some_and(|s| s.capability_set.iter().any(|&c| c)));
        if in_play.len() < 2 && !capped {
            // One queue without a capability: its deserved share is min(its request, the
            // cluster), which every task that fits a node also fits; proportion changes nothing.
            // Once queues have been contended (deserved shares recorded), a lone queue's
            // deserved share is recorded too: min(its request, the cluster) for the GPUs.
            let lone = (!self.rec.queue_deserved.is_empty())
                .then(|| in_play.first().copied())
                .flatten()
                .map(|q| {
                    let mut request = self.store.queue_alloc[q as usize];
                    request.add(&self.sched.volcano.pending.lone_request(q));
                    for u in &su.gangs {
                        for &p in &u.pods {
                            request.add(&self.store.classes[self.store.pods[p as usize].class as usize].req);
                        }
                    }
                    let total = self.totals().0;
                    let mut des = [0.0; crate::model::cluster::MAX_RESOURCES];
                    for (d, v) in des.iter_mut().enumerate() {
                        *v = request.0[d].min(total.0[d]) as f64;
                    }
                    (q, des)
                });
            let mut walk = self.walk_units(su, None);
            loop {
                let no_fit = &self.sched.volcano.no_fit;
                let item = walk.peek(&self.sched.volcano.pending, |_, c, _| {
                    if no_fit.contains(&c) {
                        Verdict::Done
                    } else {
                        Verdict::Live
                    }
                });
                let Some(item) = item else { break };
                walk.take(&self.sched.volcano.pending, item);
                self.allocate_item(su, item, None);
            }
            return lone.into_iter().collect();
        }
        let qs: Vec<u32> = in_play.into_iter().collect();
        let pos = |q: u32| qs.iter().position(|&x| x == q).expect("queue in play");
        let mut request: Vec<Res> = qs
            .iter()
            .map(|&q| {
                let mut r = self.store.queue_alloc[q as usize];
                r.add(&self.sched.volcano.pending.lone_request(q));
                r
            })
            .collect();
        for u in &su.gangs {
            let i = pos(unit_queue(self, u));
            for &p in &u.pods {
                request[i].add(&self.store.classes[self.store.pods[p as usize].class as usize].req);
            }
        }
        let f = |r: &Res| -> Vec8 { r.0.map(|x| x as f64) };
        let (total, _) = self.totals();
        let inputs: Vec<QueueInput> = qs
            .iter()
            .enumerate()
            .map(|(i, &q)| {
                let spec = self.queue_spec(q);
                let mut capability = [f64::INFINITY; crate::model::cluster::MAX_RESOURCES];
                if let Some(s) = spec {
                    for (d, c) in capability.iter_mut().enumerate() {
                        if s.capability_set[d] {
                            *c = s.capability.0[d] as f64;
                        }
                    }
                }
                QueueInput {
                    weight: f64::from(spec.map_or(1, |s| s.weight.max(1))),
                    capability,
                    guarantee: spec.map_or([0.0; crate::model::cluster::MAX_RESOURCES], |s| f(&s.guarantee)),
                    request: f(&request[i]),
                }
            })
            .collect();
        let deserved = deserved(&f(&total), &inputs);
        let open: Vec<bool> = qs.iter().map(|&q| self.queue_spec(q).is_none_or(|s| s.open)).collect();
        let mut walks: Vec<units::Stream> = qs.iter().map(|&q| self.walk_units(su, Some(q))).collect();
        // Queue order (VC-C2): higher queue priority first, then lower share; ties go to the
        // older queue: Queue objects in file order, then queues no object defines in the order
        // workloads first named them.
        let ranks: Vec<(std::cmp::Reverse<i32>, usize)> = qs
            .iter()
            .map(|&q| (std::cmp::Reverse(self.queue_priority(q)), self.queue_rank(q)))
            .collect();
        let mut next: Vec<Option<units::Item>> = vec![None; qs.len()];
        loop {
            for i in 0..qs.len() {
                next[i] = None;
                if !open[i] {
                    continue;
                }
                // A lone pod is a no-op once its class found no node, or once its queue's
                // deserved share has no room for its request (proportion's Allocatable).
                let held = self.store.queue_alloc[qs[i] as usize];
                let (no_fit, classes, des) = (&self.sched.volcano.no_fit, &self.store.classes, &deserved[i]);
                next[i] = walks[i].peek(&self.sched.volcano.pending, |_, c, _| {
                    let req = classes[c as usize].req;
                    let room = (0..req.0.len()).all(|d| req.0[d] == 0 || (held.0[d] + req.0[d]) as f64 <= des[d]);
                    if no_fit.contains(&c) || !room {
                        Verdict::Done
                    } else {
                        Verdict::Live
                    }
                });
            }
            let best = (0..qs.len())
                .filter(|&i| open[i] && next[i].is_some())
                .filter(|&i| !overused(&f(&self.store.queue_alloc[qs[i] as usize]), &deserved[i]))
                .min_by(|&a, &b| {
                    let sa = share(&f(&self.store.queue_alloc[qs[a] as usize]), &deserved[a]);
                    let sb = share(&f(&self.store.queue_alloc[qs[b] as usize]), &deserved[b]);
                    ranks[a]
                        .0
                        .cmp(&ranks[b].0)
                        .then(sa.total_cmp(&sb))
                        .then_with(|| ranks[a].1.cmp(&ranks[b].1))
                });
            let Some(i) = best else { break };
            let item = next[i].expect("a live unit");
            walks[i].take(&self.sched.volcano.pending, item);
            self.allocate_item(su, item, Some(deserved[i]));
        }
        qs.iter().copied().zip(deserved).collect()
    }

    pub(crate) fn allocate_unit(
        &mut self,
        gang: Option<GangId>,
        unit_pods: &[PodId],
        cap: Option<crate::policy::volcano::proportion::Vec8>,
    ) {
        let (min, holding) = match gang {
            Some(g) => (
                self.store.gangs[g as usize].min_member,
                self.store.gangs[g as usize].holding,
            ),
            None => (1, 0),
        };
        // Tentative plan (a Statement): what it takes from each node, over the committed state.
        let mut taken: BTreeMap<NodeId, (Res, (i64, i64))> = BTreeMap::new();
        let mut plan: Vec<(PodId, NodeId)> = Vec::new();
        let mut pods = unit_pods.to_vec();
        pods.sort_by_key(|&p| (self.store.pods[p as usize].task, self.store.pods[p as usize].index, p));
        let mut planned = Res::default();
        // For the gang's message: what the plan placed before its first failure, and that.
        let mut attempt = (self.rec.record_events && gang.is_some()).then(messages::GangAttempt::default);
        for pod in pods {
            let class = self.store.pods[pod as usize].class;
            if self.sched.volcano.no_fit.contains(&class) {
                if let Some(a) = attempt.as_mut().filter(|a| a.origin.is_none()) {
                    a.origin = Some((pod, self.volcano_fit_errors(pod, &taken)));
                }
                continue;
            }
            // proportion's Allocatable: the queue's allocated + planned + this task <= deserved
            // in each dimension the task requests.
            if let Some(des) = &cap {
                let req = self.store.classes[class as usize].req;
                let held = self.store.queue_alloc[self.pod_queue(pod) as usize];
                let fits =
                    (0..req.0.len()).all(|d| req.0[d] == 0 || (held.0[d] + planned.0[d] + req.0[d]) as f64 <= des[d]);
                if !fits {
                    continue;
                }
            }
            let statics = self.static_bitset(class);
            match self.volcano_pick_node(pod, &taken, &statics) {
                Some(n) => {
                    let req = self.store.classes[class as usize].req;
                    let (c, m) = crate::model::cluster::non_zero_pub(&req);
                    let t = taken.entry(n).or_default();
                    t.0.add(&req);
                    t.1.0 += c;
                    t.1.1 += m;
                    planned.add(&req);
                    plan.push((pod, n));
                    if let Some(a) = attempt.as_mut().filter(|a| a.origin.is_none()) {
                        a.schedulable.insert(pod);
                    }
                }
                None => {
                    if let Some(a) = attempt.as_mut().filter(|a| a.origin.is_none()) {
                        a.origin = Some((pod, self.volcano_fit_errors(pod, &taken)));
                    }
                    if taken.is_empty() {
                        self.sched.volcano.no_fit.insert(class);
                    }
                }
            }
        }
        if let (Some(a), Some(g)) = (attempt, gang) {
            self.sched.volcano.attempts.insert(g, a);
        }
        if holding + plan.len() as u32 >= min {
            self.sched.volcano.changed |= !plan.is_empty();
            for (pod, n) in plan {
                self.volcano_remove(pod);
                self.schedule_bind(pod, n);
            }
        }
        // else: the statement is discarded; nothing was bound.
    }

    /// predicates + nodeorder + binpack: the best node for a pod, the session's committed free
    /// capacity less what the tentative plan `taken` holds; ties go to the node whose name sorts
    /// first. By resource state (`volcano_pick_by_state`) when the cluster's state index is on,
    /// else node by node; both give the same node (checked against each other in debug builds).
    pub(crate) fn volcano_pick_node(
        &self,
        pod: PodId,
        taken: &BTreeMap<NodeId, (Res, (i64, i64))>,
        statics: &[u64],
    ) -> Option<NodeId> {
        let Some(chosen) = self.volcano_pick_by_state(pod, taken, statics) else {
            return self.volcano_pick_by_node(pod, taken, statics);
        };
        if cfg!(debug_assertions) && self.store.cluster.nodes.len() <= CROSS_CHECK_NODES {
            assert_eq!(
                chosen,
                self.volcano_pick_by_node(pod, taken, statics),
                "volcano's node choice by state differs from the node-by-node one"
            );
        }
        chosen
    }

    /// `volcano_pick_node` node by node.
    /// Only nodes that pass the static filters (`statics`) and have the pod's GPUs free on the
    /// committed state (the free-GPU index) can fit; the rest are skipped without changing the
    /// choice.
    fn volcano_pick_by_node(
        &self,
        pod: PodId,
        taken: &BTreeMap<NodeId, (Res, (i64, i64))>,
        statics: &[u64],
    ) -> Option<NodeId> {
        let c = &self.store.classes[self.store.pods[pod as usize].class as usize];
        let gpu_bits = self.store.cluster.index.candidates(c.req.gpu_milli());
        let mut best: Best = None;
        for i in crate::model::cluster::nodes_in_both(statics, gpu_bits) {
            let node = &self.store.cluster.nodes[i];
            if !node.present {
                continue;
            }
            let mut requested = node.requested;
            let mut nonzero = self.store.cluster.nonzero[i];
            if let Some((r, nz)) = taken.get(&(i as NodeId)) {
                requested.add(r);
                nonzero.0 += nz.0;
                nonzero.1 += nz.1;
            }
            let free = node.alloc.minus(&requested);
            if !c.req.fits_in(&free) {
                continue;
            }
            let score = volcano_score(&node.alloc, &requested, nonzero, &c.req);
            if better(best, score, node.name_rank) {
                best = Some((score, node.name_rank, i as NodeId));
            }
        }
        best.map(|b| b.2)
    }

    /// `volcano_pick_node` by resource state (`model::cluster::StateIndex`): nodes in one state
    /// have the same free capacity and score, so each state is filtered and scored once and the
    /// best score's nodes are visited in name order up to the first that passes the static
    /// filters. Nodes the plan `taken` holds part of have a state of their own and are scored one
    /// by one. None (the outer None) when the state index is off.
    fn volcano_pick_by_state(
        &self,
        pod: PodId,
        taken: &BTreeMap<NodeId, (Res, (i64, i64))>,
        statics: &[u64],
    ) -> Option<Option<NodeId>> {
        let cluster = &self.store.cluster;
        let states = cluster.states.states()?;
        let req = &self.store.classes[self.store.pods[pod as usize].class as usize].req;
        let mut best: Best = None;
        for (&n, (r, nz)) in taken {
            let i = n as usize;
            let node = &cluster.nodes[i];
            if !node.present || statics[i / 64] & (1 << (i % 64)) == 0 {
                continue;
            }
            let mut requested = node.requested;
            requested.add(r);
            let nonzero = (cluster.nonzero[i].0 + nz.0, cluster.nonzero[i].1 + nz.1);
            if !req.fits_in(&node.alloc.minus(&requested)) {
                continue;
            }
            let score = volcano_score(&node.alloc, &requested, nonzero, req);
            if better(best, score, node.name_rank) {
                best = Some((score, node.name_rank, n));
            }
        }
        let mut fitting: Vec<(i64, u32)> = states
            .iter()
            .enumerate()
            .filter(|(_, st)| st.nodes > 0 && req.fits_in(&st.free))
            .map(|(s, st)| (volcano_score(&st.alloc, &st.requested, st.nonzero, req), s as u32))
            .collect();
        // States from the best score down; the first with an eligible node decides (its first
        // in name order), unless a planned node scores higher or ties with a smaller name.
        let best = best_in_states(states, &cluster.by_name, &mut fitting, best, |i| {
            statics[i / 64] & (1 << (i % 64)) != 0 && !taken.contains_key(&(i as NodeId))
        });
        Some(best.map(|b| b.2))
    }
}

/// Clusters up to this many nodes have volcano's node choice by state checked against the
/// node-by-node one in debug builds (the tests).
const CROSS_CHECK_NODES: usize = 5000;

/// nodeorder (leastrequested + balancedresource) + binpack for a pod asking `req` on a node of
/// allocatable `alloc` with `requested` held (`nonzero`: cpu and memory with the scoring
/// defaults).
fn volcano_score(alloc: &Res, requested: &Res, nonzero: (i64, i64), req: &Res) -> i64 {
    let (least, balanced) = resource_scores(crate::model::cluster::Scoring::LeastAllocated, alloc, nonzero, req);
    // binpack: cpu and memory weight 1, (used + request) / allocatable, x100.
    let mut bp = 0i64;
    let mut dims = 0i64;
    for d in [CPU, MEMORY] {
        if alloc.0[d] > 0 && req.0[d] > 0 {
            bp += (requested.0[d] + req.0[d]) * 100 / alloc.0[d];
            dims += 1;
        }
    }
    let binpack = if dims == 0 { 0 } else { bp / dims };
    least + balanced + binpack
}

/// drf: the largest allocated/total over dimensions, in parts per million.
fn dominant_share_ppm(held: &Res, total: &Res) -> u64 {
    let mut best = 0u64;
    for d in 0..held.0.len() {
        if total.0[d] > 0 && held.0[d] > 0 {
            // In u64 when the product fits (u128 division is several times slower), the same
            // quotient either way.
            let ppm = match (held.0[d] as u64).checked_mul(1_000_000) {
                Some(p) => p / total.0[d] as u64,
                None => (held.0[d] as u128 * 1_000_000 / total.0[d] as u128) as u64,
            };
            best = best.max(ppm);
        }
    }
    best
}
