//! The `volcano-preempt` policy's extra actions (semantics.md VC-C1, VC-C5): after allocate,
//! `preempt` (within a queue, by job priority) and `reclaim` (across queues, from reclaimable
//! queues above their deserved share), as volcano-scheduler runs them when the scheduler
//! configuration lists `enqueue, allocate, preempt, reclaim, backfill`.
//!
//! Both build a statement per preemptor job: pending tasks in task order, each placed on the
//! first node (in node order) whose future idle resources (free + releasing, less what the
//! statement has pipelined) fit it, else on the first node where evicting victims makes it fit
//! (`ValidateVictims`: victims + future idle must cover the request; victims are evicted
//! lowest priority first, then newest first, until it fits). The statement commits (victims
//! evicted with `DisruptionTarget`, tasks pipelined) only if the job is then pipelined
//! (gang: ready + pipelined >= minAvailable); otherwise it is discarded.
//! Pipelined tasks are not bound: they are allocated by a later session once the victims have
//! terminated, as in Volcano (pipelining is session state).
//!
//! Victims (`Preemptable` / `Reclaimable`; within the first tier that has an opinion, the
//! plugins' answers intersect):
//! - preempt follows the default install's scheduler configuration (helm chart
//!   volcano-scheduler.conf: gang and drf with `enablePreemptable: false`), so priority and
//!   conformance decide: Running tasks of the same queue whose job priority is lower than the
//!   preemptor's. It is made gang-aware: a task its job needs for minAvailable is taken only
//!   with every live member of its gang (a gang loses all its pods or none, as Volcano's
//!   gang-aware `gangpreempt` action does); tasks beyond minAvailable go one by one; a pod
//!   outside any gang is a PodGroup of one.
//! - reclaim: the gang plugin votes (`enableReclaimable` is on by default): only tasks beyond
//!   their job's minAvailable (plugins/gang/gang.go `preemptableFn`), so a gang never loses a
//!   member it needs and PodGroups of one are never reclaimed; the victim's queue is
//!   `reclaimable` and (proportion `reclaimableFn`) its allocation, less the victims already
//!   taken, is above its deserved share in some dimension and not below the reclaimer's request
//!   in any; the reclaimer's queue is not overused and is under its deserved share in every
//!   dimension the task requests.
//! - conformance: never pods of priority >= 2,000,000,000 (system-*-critical).
//!
//! What happens to a victim's job next is its policies' business (`PodEvicted -> RestartJob`
//! restarts a Volcano job whole; no policy recreates the pod; a Job replaces it).
//!
//! Sources: volcano-sh/volcano pkg/scheduler/actions/reclaim/reclaim.go (queue loop, job and
//! task pops, reclaimees: Running tasks of other, reclaimable queues), plugins/gang/gang.go.
//!
//! Differences: nodes are tried in node order rather than by nodeorder score; ready tasks do not
//! count succeeded members; a job's PodEvicted fires when the evicted pod is terminal. For
//! speed, a session computes once which nodes hold possible victims and what is being
//! released; a job whose queue has no running pod of lower priority skips preempt (it could
//! only pipeline onto idle resources, which binds nothing), reclaim runs only while some
//! reclaimable queue is above its deserved share, and a statement shape that failed is not
//! retried until a statement commits.

use std::collections::BTreeMap;

use crate::model::cluster::{NodeId, Res};
use crate::model::gang::GangId;
use crate::policy::volcano::proportion::Vec8;
use crate::policy::volcano::units::{Item, Stream, Verdict};
use crate::policy::volcano::{SessionUnits, Unit};
use crate::sim::Phase;
use crate::sim::{PodId, World};

/// Priority at and above which conformance protects a pod (system-cluster-critical).
const CRITICAL_PRIORITY: i32 = 2_000_000_000;

/// Why a pod was evicted, for per-queue accounting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eviction {
    Preempt,
    Reclaim,
}

/// What decides a statement's outcome in one session state: the first and last pod's class,
/// the queue, the priority, the action, the pods still needed and the pods pending.
type ShapeKey = (crate::sim::ClassId, crate::sim::ClassId, u32, i32, u8, u32, usize);

/// Session-wide state of the two actions: committed changes on top of the cluster, and what
/// the session computed once: resources being released per node, the nodes holding pods that
/// could be victims, the lowest such priority per queue, and statements that failed (the
/// same job shape fails again until something is committed).
#[derive(Default)]
pub(crate) struct EvictState {
    releasing: BTreeMap<NodeId, Res>,
    victim_nodes: std::collections::BTreeSet<NodeId>,
    min_priority: BTreeMap<u32, i32>,
    /// Statement shapes that failed -> the commit generation they failed at.
    failed: BTreeMap<ShapeKey, u64>,
    generation: u64,
    /// Future idle per node (free + releasing), once computed, with committed changes.
    future: BTreeMap<NodeId, Res>,
    /// Ready tasks per gang, less committed victims.
    ready: BTreeMap<GangId, u32>,
    /// Victims committed this session (no longer Running for later statements).
    gone: std::collections::BTreeSet<PodId>,
    /// Allocation per queue less committed victims, plus committed pipelined tasks.
    queue_alloc: BTreeMap<u32, Res>,
}

/// One job's tentative statement.
#[derive(Default)]
struct Stmt {
    victims: Vec<PodId>,
    pipelined: u32,
    /// Future idle change per node (+victims, -pipelined tasks).
    delta: BTreeMap<NodeId, Res>,
    ready_taken: BTreeMap<GangId, u32>,
    /// Allocation change per queue (-victims, +pipelined tasks).
    queue_delta: BTreeMap<u32, Res>,
}

impl World {
    /// preempt then reclaim over the session's still-pending units (`units`, walked in job
    /// order), with the session's deserved shares (`deserved`: queue -> share), if queues are
    /// in play.
    pub(crate) fn volcano_evictions(&mut self, units: &SessionUnits, deserved: &BTreeMap<u32, Vec8>) {
        let queues = self.unit_queues(units);
        if queues.is_empty() {
            return;
        }
        let mut st = EvictState::default();
        // Before a pass over the bound pods: preempt can act only for a unit of higher
        // priority than some bound pod, reclaim only with a reclaimable queue above its
        // deserved share. Otherwise the actions would visit every unit and change nothing.
        let lowest_bound = self.store.bound_priorities.keys().next().copied();
        let top_unit = units
            .gangs
            .iter()
            .map(|u| u.priority)
            .chain(
                self.sched
                    .volcano
                    .pending
                    .lone_waiting(units.limit)
                    .map(|(_, c)| self.store.classes[c as usize].priority),
            )
            .max();
        let may_preempt = lowest_bound.is_some_and(|low| top_unit.is_some_and(|top| top > low));
        if !may_preempt && !self.reclaim_target(deserved, &st) {
            return;
        }
        for (n, pods) in self.store.cluster.pods_on.iter().enumerate() {
            for &p in pods {
                let pod = &self.store.pods[p as usize];
                if pod.finished.is_some() {
                    continue;
                }
                let req = self.store.classes[pod.class as usize].req;
                if pod.deletion.is_some() {
                    st.releasing.entry(n as NodeId).or_default().add(&req);
                } else if pod.phase == Phase::Running && !pod.waiting {
                    let prio = self.store.classes[pod.class as usize].priority;
                    if prio < CRITICAL_PRIORITY {
                        st.victim_nodes.insert(n as NodeId);
                        let m = st.min_priority.entry(self.pod_queue(p)).or_insert(prio);
                        *m = (*m).min(prio);
                    }
                }
            }
        }
        debug_assert!(
            st.min_priority
                .values()
                .all(|&m| lowest_bound.is_some_and(|low| m >= low)),
            "every possible victim is a bound pod"
        );
        if st.victim_nodes.is_empty() && st.releasing.is_empty() {
            return; // nothing to evict and nothing being released: allocate saw it all
        }
        // preempt: starving jobs, victims of lower priority in the same queue.
        let mut walk = self.walk_units(units, None);
        while let Some(item) = self.next_preemptor(&mut walk, Eviction::Preempt, &st) {
            let generation = st.generation;
            match item {
                Item::Gang(k) => {
                    let u = &units.gangs[k];
                    let q = self.pod_queue(u.pods[0]);
                    if st.min_priority.get(&q).is_none_or(|&m| m >= u.priority) || !self.unit_starving(u, &st) {
                        continue;
                    }
                    self.run_statement(u, Eviction::Preempt, deserved, &mut st);
                }
                Item::Lone { pod, prio, .. } => {
                    self.run_statement(&lone_unit(pod, prio), Eviction::Preempt, deserved, &mut st);
                }
            }
            if st.generation != generation {
                walk.revive(&self.sched.volcano.pending);
            }
        }
        // reclaim needs deserved shares, hence two queues or more, and a reclaimable queue
        // above its share.
        if !self.reclaim_target(deserved, &st) {
            return;
        }
        let f = |r: &Res| -> Vec8 { r.0.map(|x| x as f64) };
        // Queues by share (lowest first), each popping its jobs in job order.
        // Queue order (VC-C2): priority, then share, then age.
        let mut order: Vec<(std::cmp::Reverse<i32>, f64, usize, u32)> = queues
            .iter()
            .map(|&q| {
                let des = deserved
                    .get(&q)
                    .copied()
                    .unwrap_or([0.0; crate::model::cluster::MAX_RESOURCES]);
                let share = crate::policy::volcano::proportion::share(&f(&self.store.queue_alloc[q as usize]), &des);
                (std::cmp::Reverse(self.queue_priority(q)), share, self.queue_rank(q), q)
            })
            .collect();
        order.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(a.1.total_cmp(&b.1))
                .then(a.2.cmp(&b.2))
                .then(a.3.cmp(&b.3))
        });
        for (_, _, _, q) in order {
            let Some(des) = deserved.get(&q) else { continue };
            let alloc = self.alloc_of(q, &st);
            if crate::policy::volcano::proportion::overused(&f(&alloc), des) {
                continue;
            }
            let mut walk = self.walk_units(units, Some(q));
            while let Some(item) = self.next_preemptor(&mut walk, Eviction::Reclaim, &st) {
                let generation = st.generation;
                match item {
                    Item::Gang(k) => self.run_statement(&units.gangs[k], Eviction::Reclaim, deserved, &mut st),
                    Item::Lone { pod, prio, .. } => {
                        self.run_statement(&lone_unit(pod, prio), Eviction::Reclaim, deserved, &mut st);
                    }
                }
                if st.generation != generation {
                    walk.revive(&self.sched.volcano.pending);
                }
            }
        }
    }

    /// The next unit of a preempt or reclaim walk, taken. Lone pods of a (queue, class) are
    /// skipped while they would be no-ops: under preempt for good when their queue has no
    /// running pod of lower priority, and until the next commit while their statement shape
    /// has failed since the last one (`run_statement` would return at once).
    fn next_preemptor(&self, walk: &mut Stream, kind: Eviction, st: &EvictState) -> Option<Item> {
        let item = walk.peek(&self.sched.volcano.pending, |q, c, prio| {
            if kind == Eviction::Preempt && st.min_priority.get(&q).is_none_or(|&m| m >= prio) {
                Verdict::Done
            } else if st.failed.get(&(c, c, q, prio, kind as u8, 1, 1)) == Some(&st.generation) {
                Verdict::Wait
            } else {
                Verdict::Live
            }
        })?;
        walk.take(&self.sched.volcano.pending, item);
        Some(item)
    }

    /// Whether reclaim has work: deserved shares (two queues or more) and a reclaimable queue
    /// above its share in some dimension.
    fn reclaim_target(&self, deserved: &BTreeMap<u32, Vec8>, st: &EvictState) -> bool {
        deserved.len() >= 2
            && deserved.iter().any(|(&q, des)| {
                let a = self.alloc_of(q, st);
                self.queue_reclaimable(q) && (0..a.0.len()).any(|d| a.0[d] as f64 > des[d])
            })
    }

    /// A queue's `spec.priority` (0 without a Queue object).
    pub(crate) fn queue_priority(&self, q: u32) -> i32 {
        self.queue_spec(q).map_or(0, |s| s.priority)
    }

    /// Queue order tie-break: Queue objects in file order, then queues by first use.
    pub(crate) fn queue_rank(&self, q: u32) -> usize {
        let name = &self.store.queue_names[q as usize];
        self.store
            .queue_specs
            .iter()
            .position(|s| &s.name == name)
            .unwrap_or(self.store.queue_specs.len() + q as usize)
    }

    pub(crate) fn alloc_of(&self, q: u32, st: &EvictState) -> Res {
        st.queue_alloc
            .get(&q)
            .copied()
            .unwrap_or(self.store.queue_alloc[q as usize])
    }

    /// Ready tasks of a gang: live members bound and not being deleted (session view).
    pub(crate) fn gang_ready(&self, g: GangId, st: &EvictState) -> u32 {
        if let Some(&r) = st.ready.get(&g) {
            return r;
        }
        self.store.gangs[g as usize]
            .members
            .iter()
            .filter(|&&m| {
                let p = &self.store.pods[m as usize];
                p.node.is_some() && p.finished.is_none() && p.deletion.is_none()
            })
            .count() as u32
    }

    /// gang's JobStarving: ready (+ pipelined) below minAvailable; a lone pod always starves.
    pub(crate) fn unit_starving(&self, u: &Unit, st: &EvictState) -> bool {
        match u.gang {
            Some(g) => self.gang_ready(g, st) < self.store.gangs[g as usize].min_member,
            None => true,
        }
    }

    fn future_idle(&self, n: NodeId, st: &EvictState, stmt: &Stmt) -> Res {
        let mut r = match st.future.get(&n) {
            Some(r) => *r,
            None => {
                let mut r = self.store.cluster.nodes[n as usize].free();
                if let Some(rel) = st.releasing.get(&n) {
                    r.add(rel);
                }
                r
            }
        };
        if let Some(d) = stmt.delta.get(&n) {
            r.add(d);
        }
        r
    }

    /// Build one job's statement and commit it if the job is then pipelined.
    pub(crate) fn run_statement(
        &mut self,
        u: &Unit,
        kind: Eviction,
        deserved: &BTreeMap<u32, Vec8>,
        st: &mut EvictState,
    ) {
        let (min, ready) = match u.gang {
            Some(g) => (self.store.gangs[g as usize].min_member, self.gang_ready(g, st)),
            None => (1, 0),
        };
        let queue = self.pod_queue(u.pods[0]);
        // A lone pod's key is (class, class, queue, priority, kind, 1, 1) (`next_preemptor`).
        let key = (
            self.store.pods[u.pods[0] as usize].class,
            self.store.pods[u.pods[u.pods.len() - 1] as usize].class,
            queue,
            u.priority,
            kind as u8,
            min.saturating_sub(ready),
            u.pods.len(),
        );
        if st.failed.get(&key) == Some(&st.generation) {
            return; // the same shape failed since the last commit
        }
        let mut stmt = Stmt::default();
        let mut pods = u.pods.clone();
        pods.sort_by_key(|&p| (self.store.pods[p as usize].task, self.store.pods[p as usize].index, p));
        for pod in pods {
            if ready + stmt.pipelined >= min && u.gang.is_some() && kind == Eviction::Preempt {
                break; // no longer starving
            }
            let req = self.store.classes[self.store.pods[pod as usize].class as usize].req;
            if kind == Eviction::Reclaim {
                // The reclaimer's queue must be under its deserved share in each requested
                // dimension.
                let mut alloc = self.alloc_of(queue, st);
                if let Some(d) = stmt.queue_delta.get(&queue) {
                    alloc.add(d);
                }
                let Some(des) = deserved.get(&queue) else { return };
                if (0..req.0.len()).any(|d| req.0[d] > 0 && alloc.0[d] as f64 >= des[d]) {
                    break;
                }
            }
            if !self.place_with_victims(pod, &req, kind, queue, deserved, st, &mut stmt) {
                continue;
            }
            stmt.pipelined += 1;
            let e = stmt.queue_delta.entry(queue).or_default();
            e.add(&req);
        }
        if ready + stmt.pipelined < min || stmt.pipelined == 0 {
            st.failed.insert(key, st.generation);
            return; // discard
        }
        st.generation += 1;
        self.commit(stmt, kind, st);
    }

    /// Find a node for `pod` (future idle, else with victims) and record it in the statement.
    #[allow(clippy::too_many_arguments)]
    fn place_with_victims(
        &mut self,
        pod: PodId,
        req: &Res,
        kind: Eviction,
        queue: u32,
        deserved: &BTreeMap<u32, Vec8>,
        st: &EvictState,
        stmt: &mut Stmt,
    ) -> bool {
        let class = self.store.pods[pod as usize].class;
        let statics = self.static_bitset(class);
        let usable = |w: &World, n: NodeId| {
            statics[n as usize / 64] & (1u64 << (n % 64)) != 0
                && w.store.cluster.nodes[n as usize].present
                && !w.node_is_down(n)
        };
        // A node whose future idle already fits (allocate would pipeline there): nodes with
        // the GPUs free now, or resources being released, or freed by this session's victims.
        let gpu_bits = self.store.cluster.index.candidates(req.gpu_milli());
        let mut free_nodes: std::collections::BTreeSet<NodeId> =
            crate::model::cluster::nodes_in_both(&statics, gpu_bits)
                .map(|i| i as NodeId)
                .collect();
        free_nodes.extend(st.releasing.keys().chain(st.future.keys()).chain(stmt.delta.keys()));
        for &n in &free_nodes {
            if usable(self, n) && req.fits_in(&self.future_idle(n, st, stmt)) {
                stmt.delta.entry(n).or_default().sub(req);
                return true;
            }
        }
        let nodes: Vec<NodeId> = st.victim_nodes.iter().copied().filter(|&n| usable(self, n)).collect();
        let wl = self.store.pods[pod as usize].wl;
        let prio = self.store.classes[class as usize].priority;
        for &n in &nodes {
            let units = self.victims_on(n, wl, req, prio, queue, kind, deserved, st, stmt);
            let on_node = |w: &World, unit: &[PodId]| {
                let mut r = Res::default();
                for &v in unit {
                    if w.store.pods[v as usize].node == Some(n) {
                        r.add(&w.store.classes[w.store.pods[v as usize].class as usize].req);
                    }
                }
                r
            };
            let mut idle = self.future_idle(n, st, stmt);
            let mut all = idle;
            for u in &units {
                all.add(&on_node(self, u));
            }
            if units.is_empty() || !req.fits_in(&all) {
                continue; // ValidateVictims
            }
            for unit in units {
                if req.fits_in(&idle) {
                    break;
                }
                idle.add(&on_node(self, &unit));
                for v in unit {
                    let p = &self.store.pods[v as usize];
                    let vreq = self.store.classes[p.class as usize].req;
                    let node = p.node.expect("a victim is bound");
                    stmt.delta.entry(node).or_default().add(&vreq);
                    stmt.victims.push(v);
                    if let Some(g) = p.gang {
                        *stmt.ready_taken.entry(g).or_default() += 1;
                    }
                    let vq = self.pod_queue(v);
                    stmt.queue_delta.entry(vq).or_default().sub(&vreq);
                }
            }
            stmt.delta.entry(n).or_default().sub(req);
            return true;
        }
        false
    }

    /// What may be evicted on node `n` for a task of workload `wl` (request `req`, priority
    /// `prio`, queue `queue`), as eviction units in eviction order (lowest priority, then newest
    /// first). A unit is one pod, or under preempt a whole gang: taking a member its job needs
    /// for minAvailable takes every live member with it (a gang loses all its pods or none).
    #[allow(clippy::too_many_arguments)]
    fn victims_on(
        &self,
        n: NodeId,
        wl: crate::sim::WlId,
        req: &Res,
        prio: i32,
        queue: u32,
        kind: Eviction,
        deserved: &BTreeMap<u32, Vec8>,
        st: &EvictState,
        stmt: &Stmt,
    ) -> Vec<Vec<PodId>> {
        let evictable = |v: PodId| {
            let p = &self.store.pods[v as usize];
            p.phase == Phase::Running
                && p.finished.is_none()
                && p.deletion.is_none()
                && !p.waiting
                && !st.gone.contains(&v)
                && !stmt.victims.contains(&v)
        };
        let mut cands: Vec<PodId> = self.store.cluster.pods_on[n as usize]
            .iter()
            .copied()
            .filter(|&v| {
                let p = &self.store.pods[v as usize];
                let vprio = self.store.classes[p.class as usize].priority;
                evictable(v)
                    && p.wl != wl
                    && vprio < CRITICAL_PRIORITY
                    && match kind {
                        Eviction::Preempt => self.pod_queue(v) == queue && vprio < prio,
                        Eviction::Reclaim => {
                            let vq = self.pod_queue(v);
                            p.gang.is_some() && vq != queue && self.queue_reclaimable(vq) && deserved.contains_key(&vq)
                        }
                    }
            })
            .collect();
        cands.sort_by_key(|&v| {
            let p = &self.store.pods[v as usize];
            (
                self.store.classes[p.class as usize].priority,
                std::cmp::Reverse(p.created),
                std::cmp::Reverse(v),
            )
        });
        // Ready tasks left per gang as victims are taken; gangs taken whole.
        let mut ready: BTreeMap<GangId, u32> = BTreeMap::new();
        let mut whole: std::collections::BTreeSet<GangId> = std::collections::BTreeSet::new();
        // proportion (reclaim): the victim's queue stays above deserved before each victim.
        let mut qalloc: BTreeMap<u32, Res> = BTreeMap::new();
        let mut units = Vec::new();
        for v in cands {
            let Some(g) = self.store.pods[v as usize].gang else {
                units.push(vec![v]); // a PodGroup of one (preempt only)
                continue;
            };
            if whole.contains(&g) {
                continue;
            }
            let r = ready
                .entry(g)
                .or_insert_with(|| self.gang_ready(g, st) - stmt.ready_taken.get(&g).copied().unwrap_or(0));
            let elastic = *r > self.store.gangs[g as usize].min_member;
            if kind == Eviction::Reclaim {
                // gang's reclaimableFn: only tasks beyond minAvailable.
                if !elastic {
                    continue;
                }
                let vq = self.pod_queue(v);
                let a = qalloc.entry(vq).or_insert_with(|| {
                    let mut a = self.alloc_of(vq, st);
                    if let Some(d) = stmt.queue_delta.get(&vq) {
                        a.add(d);
                    }
                    a
                });
                let des = deserved[&vq];
                let above = (0..a.0.len()).any(|d| a.0[d] as f64 > des[d]);
                let covers = (0..a.0.len()).all(|d| a.0[d] >= req.0[d]);
                if !above || !covers {
                    continue;
                }
                a.sub(&self.store.classes[self.store.pods[v as usize].class as usize].req);
            }
            if elastic {
                *r -= 1;
                units.push(vec![v]);
            } else {
                // preempt: the whole gang goes.
                whole.insert(g);
                let members: Vec<PodId> = self.store.gangs[g as usize]
                    .members
                    .iter()
                    .copied()
                    .filter(|&m| self.store.pods[m as usize].node.is_some() && evictable(m))
                    .collect();
                *r = 0;
                units.push(members);
            }
        }
        units
    }

    /// Queues without a Queue object are reclaimable (the webhook's default).
    pub(crate) fn queue_reclaimable(&self, q: u32) -> bool {
        self.queue_spec(q).is_none_or(|s| s.reclaimable)
    }

    fn commit(&mut self, stmt: Stmt, kind: Eviction, st: &mut EvictState) {
        for (&n, d) in &stmt.delta {
            let base = self.future_idle(n, st, &Stmt::default());
            let mut r = base;
            r.add(d);
            st.future.insert(n, r);
        }
        for (&g, &k) in &stmt.ready_taken {
            let r = self.gang_ready(g, st);
            st.ready.insert(g, r - k);
        }
        for (&q, d) in &stmt.queue_delta {
            let mut a = self.alloc_of(q, st);
            a.add(d);
            st.queue_alloc.insert(q, a);
        }
        if stmt.victims.is_empty() {
            return;
        }
        self.vsched_changed();
        let (reason, counter) = match kind {
            Eviction::Preempt => ("Preempted", 0),
            Eviction::Reclaim => ("Reclaimed", 1),
        };
        for v in stmt.victims {
            st.gone.insert(v);
            self.count_eviction(v, Some(counter));
            self.delete_pod(v, reason, Some("PreemptionByScheduler"));
        }
    }
}

/// A lone pod as a unit of its own, for a statement.
fn lone_unit(pod: PodId, priority: i32) -> Unit {
    Unit {
        gang: None,
        pods: vec![pod],
        priority,
        created: crate::engine::SimTime::ZERO,
        id: u64::from(pod),
    }
}
