//! The `easy-backfill` policy: EASY backfilling (Lifka 1995, "The ANL/IBM SP scheduling
//! system", JSSPP; the definition of Mu'alem & Feitelson 2001, "Utilization, predictability,
//! workloads, and user runtime estimates in scheduling the IBM SP2 with backfilling", IEEE TPDS
//! 12(6)) over whole workloads, as docs/research/backfill.md section 4.4 states it and
//! docs/backfill.md documents it.
//!
//! A queue of workloads (a workload's waiting pods, all placed at once or none: a gang as a
//! whole) in FIFO order by (submit time, creation order). One pass per instant in which
//! something changed, at the scheduling-cycle slot (after every exit and creation of the
//! instant):
//!
//! 1. Workloads start in queue order while the first one (the **head**) fits, on nodes chosen
//!    first-fit in node creation order (NodeId: `cpu-0, cpu-1, ...`), each pod on the first
//!    node with room that passes its static filters (selectors, affinity, taints).
//! 2. When the head does not fit, its **shadow time** `S`: the running workloads the policy
//!    started, by estimated end `max(start + estimate, now)` (a workload running past its
//!    estimate is taken to end now; it is never killed), give their nodes back until the head
//!    fits first-fit. The capacity then free at `S` beyond the head's own placement is the
//!    **extra**.
//! 3. Every later workload, in queue order, starts now if it fits now and either ends (by its
//!    estimate) by `S`, or the head still fits at `S` with it running (it uses only the
//!    extra; the extra shrinks by it). The head is retried, and `S` recomputed, at every pass.
//!
//! Runtime estimates (per workload): the `kubesim.io/runtime-estimate` annotation on the Job
//! or its pod template, else the trace's requested time (SWF field 9, the native
//! `requested_s` column), else none. A workload with no estimate is taken never to end: it
//! backfills only into the extra, and a shadow time that would need its nodes is unknown, so
//! while such a head waits nothing backfills (`validate` and `run` warn about such workloads
//! when the Simulation lists `easy-backfill`: `input::scenario::warnings`).
//!
//! Differences from AccaSim's `EASYBackfilling` (cgalleguillosm/accasim `2a3c0e03`,
//! `accasim/base/scheduler_class.py`): AccaSim never refuses a backfill candidate for
//! delaying the head, and does not retry the head before its reservation time
//! (docs/research/backfill.md sections 2.5 and 3.4); this policy is textbook EASY. A head
//! that can never fit (larger than every present node together) is skipped, not rejected:
//! it stays pending and does not block the queue.

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::SimTime;
use crate::model::cluster::{NodeId, Res, static_filter};
use crate::sim::{ClassId, Ev, PodId, WlId, World, class};

/// The policy's state: the queue of waiting workloads and the workloads it started.
#[derive(Clone, Debug, Default)]
pub struct BackfillSched {
    /// Waiting workloads in FIFO order, (submit time, workload id), with their waiting pods.
    queue: BTreeMap<(SimTime, WlId), Entry>,
    /// How many queued workloads have each shape (the sorted classes of their waiting pods).
    shapes: BTreeMap<Vec<ClassId>, u32>,
    /// Each waiting pod's queue key.
    waiting: BTreeMap<PodId, (SimTime, WlId)>,
    /// Workloads the policy started that may still hold nodes: their estimated end (`None`:
    /// no estimate, never ends) and the pods it bound.
    running: BTreeMap<WlId, Running>,
    /// Estimates from a replayed trace's requested time, by workload.
    trace_estimates: BTreeMap<WlId, u64>,
    /// The pass scheduled for this instant.
    pass_at: Option<SimTime>,
    /// The workload that is head now, and the shadow time computed when it became head.
    head: Option<(WlId, Option<SimTime>)>,
}

/// A queued workload: its waiting pods and their classes, sorted (its shape).
#[derive(Clone, Debug, Default)]
struct Entry {
    pods: BTreeSet<PodId>,
    shape: Vec<ClassId>,
}

#[derive(Clone, Debug)]
struct Running {
    end: Option<SimTime>,
    pods: Vec<PodId>,
}

impl BackfillSched {
    /// A queued workload's shape changed from `old` to `new` (`None` or empty: not queued).
    fn reshape(&mut self, old: Option<Vec<ClassId>>, new: Option<Vec<ClassId>>) {
        if let Some(old) = old.filter(|o| !o.is_empty())
            && let Some(n) = self.shapes.get_mut(&old)
        {
            *n -= 1;
            if *n == 0 {
                self.shapes.remove(&old);
            }
        }
        if let Some(new) = new.filter(|n| !n.is_empty()) {
            *self.shapes.entry(new).or_default() += 1;
        }
    }

    /// The pod waits in the backfill queue.
    pub fn holds(&self, pod: PodId) -> bool {
        self.waiting.contains_key(&pod)
    }
}

/// Free capacity per node; `None`: the node takes no pod (absent or down).
type Free = Vec<Option<Res>>;

impl World {
    /// Ask for a pass at the end of this instant.
    pub(crate) fn backfill_kick(&mut self) {
        let now = self.now();
        if self.sched.backfill.pass_at == Some(now) {
            return;
        }
        self.sched.backfill.pass_at = Some(now);
        self.engine.schedule(now, class::SCHED_CYCLE, Ev::BackfillPass);
    }

    pub(crate) fn backfill_add(&mut self, pod: PodId) {
        let p = &self.store.pods[pod as usize];
        let (wl, class) = (p.wl, p.class);
        let key = (self.store.workloads[wl as usize].submit, wl);
        let b = &mut self.sched.backfill;
        let e = b.queue.entry(key).or_default();
        let old = std::mem::take(&mut e.shape);
        e.pods.insert(pod);
        let mut shape = old.clone();
        let at = shape.partition_point(|&c| c <= class);
        shape.insert(at, class);
        e.shape = shape.clone();
        b.reshape(Some(old), Some(shape));
        b.waiting.insert(pod, key);
        self.backfill_kick();
    }

    pub(crate) fn backfill_remove(&mut self, pod: PodId) {
        let class = self.store.pods[pod as usize].class;
        let b = &mut self.sched.backfill;
        let Some(key) = b.waiting.remove(&pod) else { return };
        let Some(e) = b.queue.get_mut(&key) else { return };
        e.pods.remove(&pod);
        let old = e.shape.clone();
        if let Some(i) = e.shape.iter().position(|&c| c == class) {
            e.shape.remove(i);
        }
        let new = (!e.pods.is_empty()).then(|| e.shape.clone());
        if new.is_none() {
            b.queue.remove(&key);
        }
        b.reshape(Some(old), new);
    }

    /// A replayed trace job `wl` has this requested time.
    pub(crate) fn backfill_trace_estimate(&mut self, wl: WlId, ms: Option<u64>) {
        if let Some(ms) = ms {
            self.sched.backfill.trace_estimates.insert(wl, ms);
        }
    }

    /// A workload's runtime estimate: its pod template's `kubesim.io/runtime-estimate` (the
    /// Job's, unless the template overrides it), else its trace's requested time.
    fn backfill_estimate(&self, wl: WlId, pods: &[PodId]) -> Option<u64> {
        let proto = &self.store.protos[self.store.workloads[wl as usize].proto as usize];
        pods.iter()
            .filter_map(|&p| {
                proto
                    .template(self.store.pods[p as usize].task as usize)
                    .hints
                    .runtime_estimate_ms
            })
            .max()
            .or_else(|| self.sched.backfill.trace_estimates.get(&wl).copied())
    }

    /// The workload's waiting pods may be placed: a gang's only once all the members it
    /// lacks exist.
    fn backfill_eligible(&self, pods: &[PodId]) -> bool {
        let mut gangs: BTreeMap<u32, u32> = BTreeMap::new();
        for &p in pods {
            if let Some(g) = self.store.pods[p as usize].gang {
                *gangs.entry(g).or_default() += 1;
            }
        }
        gangs.iter().all(|(&g, &n)| {
            let gang = &self.store.gangs[g as usize];
            gang.holding + n >= gang.min_member
        })
    }

    /// First-fit of `pods` (in task, index order) on `free`, without changing it.
    fn backfill_first_fit(
        &self,
        pods: &[PodId],
        free: &Free,
        statics: &BTreeMap<ClassId, Vec<bool>>,
    ) -> Option<Vec<(PodId, NodeId)>> {
        let mut taken: BTreeMap<NodeId, Res> = BTreeMap::new();
        let mut plan = Vec::with_capacity(pods.len());
        // Pods of one class fill nodes in order: the next one starts where the last one went.
        let mut cursor: BTreeMap<ClassId, usize> = BTreeMap::new();
        for &pod in pods {
            let c = self.store.pods[pod as usize].class;
            let req = self.store.classes[c as usize].req;
            let ok = &statics[&c];
            let start = cursor.get(&c).copied().unwrap_or(0);
            let found = (start..free.len()).find(|&n| {
                let Some(f) = &free[n] else { return false };
                if !ok[n] {
                    return false;
                }
                let mut room = *f;
                if let Some(t) = taken.get(&(n as NodeId)) {
                    room.sub(t);
                }
                req.fits_in(&room)
            })?;
            cursor.insert(c, found);
            taken.entry(found as NodeId).or_default().add(&req);
            plan.push((pod, found as NodeId));
        }
        Some(plan)
    }

    /// One pass of EASY over the queue (module doc).
    ///
    /// Capacity only shrinks within a pass, so a shape (the classes of a unit's pods) that did
    /// not fit now does not fit later in the pass: its units are skipped, and the pass ends once
    /// every shape waiting has failed. A pass over a backlog of one shape costs O(1) units.
    pub(crate) fn backfill_pass(&mut self) {
        let now = self.now();
        if self.sched.backfill.pass_at != Some(now) {
            return;
        }
        self.sched.backfill.pass_at = None;
        let mut free: Free = (0..self.store.cluster.nodes.len())
            .map(|i| {
                let n = &self.store.cluster.nodes[i];
                (n.present && !self.node_is_down(i as NodeId)).then(|| n.free())
            })
            .collect();
        let mut free_total = Res::default();
        for f in free.iter().flatten() {
            free_total.add(f);
        }
        let mut statics: BTreeMap<ClassId, Vec<bool>> = BTreeMap::new();
        let mut failed: BTreeSet<Vec<ClassId>> = BTreeSet::new();
        // The blocked head: its pods, shadow time and the capacity free at it.
        let mut head: Option<(Vec<PodId>, Option<SimTime>, Free)> = None;
        let mut head_seen = None;
        let mut cursor: Option<(SimTime, WlId)> = None;
        loop {
            let b = &self.sched.backfill;
            if failed.len() == b.shapes.len() && !failed.is_empty() {
                break;
            }
            let next = match cursor {
                None => b.queue.iter().next(),
                Some(c) => b
                    .queue
                    .range((std::ops::Bound::Excluded(c), std::ops::Bound::Unbounded))
                    .next(),
            };
            let Some((&key, entry)) = next else { break };
            cursor = Some(key);
            let wl = key.1;
            if failed.contains(&entry.shape) {
                continue;
            }
            let shape = entry.shape.clone();
            let mut pods: Vec<PodId> = entry.pods.iter().copied().collect();
            pods.sort_by_key(|&p| (self.store.pods[p as usize].task, self.store.pods[p as usize].index, p));
            if !self.backfill_eligible(&pods) {
                continue;
            }
            let mut need = Res::default();
            for &c in &shape {
                need.add(&self.store.classes[c as usize].req);
                statics.entry(c).or_insert_with(|| {
                    let cons = &self.store.classes[c as usize].constraints;
                    self.store
                        .cluster
                        .nodes
                        .iter()
                        .map(|n| static_filter(cons, n).is_ok())
                        .collect()
                });
            }
            let plan = if need.fits_in(&free_total) {
                self.backfill_first_fit(&pods, &free, &statics)
            } else {
                None
            };
            let end = self.backfill_estimate(wl, &pods).map(|e| now.plus_ms(e));
            let Some((hpods, shadow, at_shadow)) = &mut head else {
                match plan {
                    Some(plan) => self.backfill_start(wl, plan, end, &mut free, &mut free_total),
                    None => {
                        failed.insert(shape);
                        if !self.backfill_ever_fits(&pods, &statics) {
                            continue; // larger than the cluster: never the head
                        }
                        let (s, at) = self.backfill_shadow(&pods, &free, &statics);
                        head_seen = Some((wl, s));
                        head = Some((pods, s, at));
                    }
                }
                continue;
            };
            let Some(plan) = plan else {
                failed.insert(shape);
                continue;
            };
            let Some(s) = *shadow else { continue };
            let fits = if end.is_some_and(|e| e <= s) {
                true
            } else {
                let mut at = at_shadow.clone();
                for &(p, n) in &plan {
                    let req = self.store.classes[self.store.pods[p as usize].class as usize].req;
                    if let Some(f) = at[n as usize].as_mut() {
                        f.sub(&req);
                    }
                }
                let ok = self.backfill_first_fit(hpods, &at, &statics).is_some();
                if ok {
                    *at_shadow = at;
                }
                ok
            };
            if fits {
                self.backfill_start(wl, plan, end, &mut free, &mut free_total);
            }
        }
        self.backfill_note_head(head_seen);
    }

    /// Record a new head's reservation (an event `BackfillReserved` when events are recorded).
    fn backfill_note_head(&mut self, head: Option<(WlId, Option<SimTime>)>) {
        let prev = self.sched.backfill.head;
        if head.map(|h| h.0) == prev.map(|h| h.0) {
            return;
        }
        self.sched.backfill.head = head;
        if let Some((wl, s)) = head {
            let obj = self.wl_object(wl);
            self.event(
                || obj,
                "BackfillReserved",
                || s.map_or_else(|| "shadow time unknown".to_string(), |s| format!("shadow time {s}")),
            );
        }
    }

    /// Whether `pods` fit first-fit on every present node emptied.
    fn backfill_ever_fits(&self, pods: &[PodId], statics: &BTreeMap<ClassId, Vec<bool>>) -> bool {
        let empty: Free = self
            .store
            .cluster
            .nodes
            .iter()
            .map(|n| n.present.then_some(n.alloc))
            .collect();
        self.backfill_first_fit(pods, &empty, statics).is_some()
    }

    /// The head's shadow time and the capacity free then: running workloads give their nodes
    /// back by estimated end (`max(start + estimate, now)`) until the head fits first-fit.
    /// `None` if it never does (a workload without estimate holds what it needs).
    fn backfill_shadow(
        &mut self,
        pods: &[PodId],
        free: &Free,
        statics: &BTreeMap<ClassId, Vec<bool>>,
    ) -> (Option<SimTime>, Free) {
        let now = self.now();
        // Drop workloads none of whose pods holds a node any more.
        let held = |w: &World, p: PodId| {
            w.store
                .pods
                .get(p)
                .is_some_and(|pod| pod.node.is_some() && pod.finished.is_none())
        };
        let gone: Vec<WlId> = self
            .sched
            .backfill
            .running
            .iter()
            .filter(|(_, r)| !r.pods.iter().any(|&p| held(self, p)))
            .map(|(&w, _)| w)
            .collect();
        for w in gone {
            self.sched.backfill.running.remove(&w);
        }
        let mut ends: Vec<(SimTime, WlId)> = self
            .sched
            .backfill
            .running
            .iter()
            .filter_map(|(&w, r)| r.end.map(|e| (e.max(now), w)))
            .collect();
        ends.sort_unstable();
        let mut at = free.clone();
        let mut i = 0;
        while i < ends.len() {
            let t = ends[i].0;
            while i < ends.len() && ends[i].0 == t {
                for &p in &self.sched.backfill.running[&ends[i].1].pods {
                    if held(self, p) {
                        let pod = &self.store.pods[p as usize];
                        let req = self.store.classes[pod.class as usize].req;
                        if let Some(f) = at[pod.node.expect("held") as usize].as_mut() {
                            f.add(&req);
                        }
                    }
                }
                i += 1;
            }
            if self.backfill_first_fit(pods, &at, statics).is_some() {
                return (Some(t), at);
            }
        }
        (None, at)
    }

    /// Start workload `wl`: bind its pods as planned.
    fn backfill_start(
        &mut self,
        wl: WlId,
        plan: Vec<(PodId, NodeId)>,
        end: Option<SimTime>,
        free: &mut Free,
        free_total: &mut Res,
    ) {
        let entry = self
            .sched
            .backfill
            .running
            .entry(wl)
            .or_insert(Running { end, pods: Vec::new() });
        // A later batch of the same workload: the later end; no estimate: never ends.
        entry.end = match (entry.end, end) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
        for &(p, _) in &plan {
            entry.pods.push(p);
        }
        for (pod, n) in plan {
            let req = self.store.classes[self.store.pods[pod as usize].class as usize].req;
            if let Some(f) = free[n as usize].as_mut() {
                f.sub(&req);
            }
            free_total.sub(&req);
            self.backfill_remove(pod);
            self.schedule_bind(pod, n);
        }
    }
}
