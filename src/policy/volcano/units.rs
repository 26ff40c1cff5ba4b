//! The pods waiting for a Volcano session, kept between sessions, and the session's walk over
//! its scheduling units in job order.
//!
//! volcano-scheduler rebuilds its job queues at every session (pkg/scheduler/actions/allocate
//! `allocate.go Execute`: a `util.PriorityQueue` of jobs per queue, ordered by the session's
//! `JobOrderFn`, framework/session_plugins.go). Rebuilding them costs O(backlog) per session,
//! which under overload (tens of thousands of pods that cannot fit, a session almost every
//! second) is the whole run. kubesim keeps the same order without rebuilding it:
//!
//! - a *lone* pod (no gang, not a Volcano job's) is a unit of its own whose job-order key never
//!   changes: (its class's priority, ready, drf share 0, its workload's creation, its id). Lone
//!   pods are kept per (queue, class), sorted by (creation, id), added and removed as they start
//!   and stop waiting ([`Pending`]), with their requests summed per queue;
//! - a gang's key (ready, drf share) moves with the cluster, so gang units are built and sorted
//!   per session as before, from the gangs' waiting pods only;
//! - a session walks a merge of the two ([`Stream`]): a cursor per (queue, class) of lone pods
//!   and the sorted gang units, always taking the smallest key.
//!
//! All lone pods of one (queue, class) get the same answer from an action in one state
//! (allocate: the class found no node, or the queue's deserved share has no room for the
//! request; preempt and reclaim: the statement shape failed since the last commit). The caller
//! tells the walk so ([`Verdict`]): a class that is done for the action is dropped, one that
//! failed until the next commit is set aside and taken up again after it, past the units
//! walked meanwhile. Skipping them is exact because visiting them would change nothing: the
//! original walk visits them as no-ops. A session over a backlog that cannot fit therefore
//! costs O(queues x classes + gangs), not O(backlog).
//!
//! The session's snapshot (pods waiting when it opened) is the waiting pods created before
//! it opened: pods join the waiting set only when created (`policy_pod_pending`), and ids are
//! given in creation order, so pods created during the session (id at or above the session's
//! `limit`) are left out of every walk.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::ops::Bound;

use crate::engine::SimTime;
use crate::model::cluster::Res;
use crate::sim::{ClassId, PodId};

/// A unit's place in job order: priority (higher first), gang ready (not ready first), drf
/// dominant share (lower first), creation, id (the unit's first pod).
pub(crate) type JobKey = (Reverse<i32>, bool, u64, SimTime, u64);

/// The job-order key of a lone pod of priority `prio`.
pub(crate) fn lone_key(prio: i32, created: SimTime, pod: PodId) -> JobKey {
    (Reverse(prio), true, 0, created, u64::from(pod))
}

/// The pods waiting for a session.
#[derive(Clone, Debug, Default)]
pub struct Pending {
    /// Pods of a gang (a PodGroup or a Volcano job) waiting, in creation order.
    pub(crate) gang: BTreeSet<PodId>,
    /// Lone pods waiting, per (queue, class), by (workload creation, id). Empty sets are
    /// removed.
    lone: BTreeMap<(u32, ClassId), BTreeSet<(SimTime, PodId)>>,
    /// The requests of the lone pods waiting, per queue.
    lone_request: BTreeMap<u32, Res>,
    /// Lone pods removed so far (debug builds check that evictions remove none).
    pub(crate) lone_removed: u64,
}

/// Where a waiting pod is kept.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Place {
    Gang,
    Lone(Lone),
}

/// What a lone pod's entry needs: its queue, class, workload creation and request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lone {
    pub queue: u32,
    pub class: ClassId,
    pub created: SimTime,
    pub req: Res,
}

impl Pending {
    pub(crate) fn insert(&mut self, pod: PodId, place: Place) {
        match place {
            Place::Gang => {
                self.gang.insert(pod);
            }
            Place::Lone(l) => {
                self.lone
                    .entry((l.queue, l.class))
                    .or_default()
                    .insert((l.created, pod));
                self.lone_request.entry(l.queue).or_default().add(&l.req);
            }
        }
    }

    pub(crate) fn remove(&mut self, pod: PodId, place: Place) {
        match place {
            Place::Gang => {
                let was = self.gang.remove(&pod);
                debug_assert!(was, "pod {pod} was waiting");
            }
            Place::Lone(l) => {
                let set = self.lone.get_mut(&(l.queue, l.class)).expect("its class waits");
                let was = set.remove(&(l.created, pod));
                debug_assert!(was, "pod {pod} was waiting");
                if set.is_empty() {
                    self.lone.remove(&(l.queue, l.class));
                }
                let r = self.lone_request.get_mut(&l.queue).expect("its queue waits");
                r.sub(&l.req);
                if *r == Res::default() {
                    self.lone_request.remove(&l.queue);
                }
                self.lone_removed += 1;
            }
        }
    }

    /// The requests of the lone pods waiting in queue `q`.
    pub(crate) fn lone_request(&self, q: u32) -> Res {
        self.lone_request.get(&q).copied().unwrap_or_default()
    }

    /// The (queue, class) pairs with a lone pod created before `limit` waiting.
    pub(crate) fn lone_waiting(&self, limit: PodId) -> impl Iterator<Item = (u32, ClassId)> + '_ {
        self.lone
            .iter()
            .filter(move |(_, set)| set.iter().any(|&(_, p)| p < limit))
            .map(|(&k, _)| k)
    }

    /// Queues with a lone pod created before `limit` waiting.
    pub(crate) fn lone_queues(&self, limit: PodId) -> BTreeSet<u32> {
        self.lone_waiting(limit).map(|(q, _)| q).collect()
    }

    /// Lone pods waiting that were created at or after `limit` (debug checks).
    pub(crate) fn lone_since(&self, limit: PodId) -> usize {
        self.lone.values().flatten().filter(|&&(_, p)| p >= limit).count()
    }

    /// The (queue, class) pairs of lone pods, with a queue filter.
    fn lone_classes(&self, queue: Option<u32>) -> impl Iterator<Item = (u32, ClassId)> + '_ {
        self.lone
            .keys()
            .copied()
            .filter(move |&(q, _)| queue.is_none_or(|x| x == q))
    }
}

/// What an action would make of a (queue, class) of lone pods now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Its next pod is worth visiting.
    Live,
    /// Every pod of it is a no-op for the rest of the walk.
    Done,
    /// Every pod of it is a no-op until the walk is told of a commit ([`Stream::revive`]).
    Wait,
}

/// The next unit of a walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Item {
    /// The gang unit at this index of the session's gang units.
    Gang(usize),
    /// A lone pod, of this class and priority, in this queue.
    Lone {
        pod: PodId,
        queue: u32,
        class: ClassId,
        prio: i32,
    },
}

#[derive(Clone, Debug)]
struct Cursor {
    queue: u32,
    class: ClassId,
    prio: i32,
    /// The last pod walked (its (creation, id)), or where a revived cursor resumes after.
    after: Option<(SimTime, PodId)>,
}

/// A walk over a session's units in job order: the lone pods of some queues (cursors merged
/// in a heap) and a sorted list of gang units.
pub(crate) struct Stream {
    cursors: Vec<Cursor>,
    /// Live cursors by the key of their next pod.
    heap: BinaryHeap<Reverse<(JobKey, usize)>>,
    /// Cursors waiting for a commit.
    waiting: Vec<usize>,
    /// Gang units (key, index into the session's gang units), in job order.
    gangs: Vec<(JobKey, usize)>,
    next_gang: usize,
    limit: PodId,
    /// The key of the last unit taken.
    last: Option<JobKey>,
}

impl Stream {
    /// A walk over the lone pods of `queue` (every queue if `None`) created before `limit`,
    /// and the gang units `gangs` (already in job order, of the same queues).
    pub(crate) fn new(
        pending: &Pending,
        queue: Option<u32>,
        prio_of: impl Fn(ClassId) -> i32,
        gangs: Vec<(JobKey, usize)>,
        limit: PodId,
    ) -> Stream {
        let mut s = Stream {
            cursors: Vec::new(),
            heap: BinaryHeap::new(),
            waiting: Vec::new(),
            gangs,
            next_gang: 0,
            limit,
            last: None,
        };
        for (q, c) in pending.lone_classes(queue) {
            let i = s.cursors.len();
            s.cursors.push(Cursor {
                queue: q,
                class: c,
                prio: prio_of(c),
                after: None,
            });
            if let Some(k) = s.head(pending, i) {
                s.heap.push(Reverse((k, i)));
            }
        }
        s
    }

    /// The key of cursor `i`'s next pod: after its last, after the walk's last key, created
    /// before the limit.
    fn head(&self, pending: &Pending, i: usize) -> Option<JobKey> {
        let c = &self.cursors[i];
        let set = pending.lone.get(&(c.queue, c.class))?;
        let mut from = c.after.map_or(Bound::Unbounded, Bound::Excluded);
        if let Some(last) = self.last {
            // A lone key is (prio, true, 0, created, id): compare the fixed part with the
            // walk's last key, then (created, id).
            match (Reverse(c.prio), true, 0u64).cmp(&(last.0, last.1, last.2)) {
                std::cmp::Ordering::Less => return None,
                std::cmp::Ordering::Equal => {
                    let at = (last.3, last.4 as PodId);
                    let later = match from {
                        Bound::Excluded(a) => a.max(at),
                        _ => at,
                    };
                    from = Bound::Excluded(later);
                }
                std::cmp::Ordering::Greater => {}
            }
        }
        set.range((from, Bound::Unbounded))
            .find(|&&(_, p)| p < self.limit)
            .map(|&(created, p)| lone_key(c.prio, created, p))
    }

    /// The next unit without taking it. `verdict` judges the class of the lone pod on top: a
    /// `Done` class is dropped, a `Wait` one set aside until [`Stream::revive`].
    pub(crate) fn peek(
        &mut self,
        pending: &Pending,
        mut verdict: impl FnMut(u32, ClassId, i32) -> Verdict,
    ) -> Option<Item> {
        let lone = loop {
            let Some(&Reverse((key, i))) = self.heap.peek() else {
                break None;
            };
            let c = &self.cursors[i];
            // The pod on top may have stopped waiting since it was pushed.
            let still = pending
                .lone
                .get(&(c.queue, c.class))
                .is_some_and(|s| s.contains(&(key.3, key.4 as PodId)));
            if !still {
                self.heap.pop();
                if let Some(k) = self.head(pending, i) {
                    self.heap.push(Reverse((k, i)));
                }
                continue;
            }
            match verdict(c.queue, c.class, c.prio) {
                Verdict::Live => break Some((key, i)),
                Verdict::Done => {
                    self.heap.pop();
                }
                Verdict::Wait => {
                    self.heap.pop();
                    self.waiting.push(i);
                }
            }
        };
        let gang = self.gangs.get(self.next_gang);
        match (lone, gang) {
            (Some((key, i)), g) if g.is_none_or(|g| key < g.0) => {
                let c = &self.cursors[i];
                Some(Item::Lone {
                    pod: key.4 as PodId,
                    queue: c.queue,
                    class: c.class,
                    prio: c.prio,
                })
            }
            (_, Some(&(_, g))) => Some(Item::Gang(g)),
            _ => None,
        }
    }

    /// Take the unit [`Stream::peek`] returned.
    pub(crate) fn take(&mut self, pending: &Pending, item: Item) {
        match item {
            Item::Gang(g) => {
                let (key, idx) = self.gangs[self.next_gang];
                debug_assert_eq!(idx, g);
                self.next_gang += 1;
                self.last = Some(key);
            }
            Item::Lone { pod, .. } => {
                let Reverse((key, i)) = self.heap.pop().expect("peeked");
                debug_assert_eq!(key.4, u64::from(pod));
                self.cursors[i].after = Some((key.3, pod));
                self.last = Some(key);
                if let Some(k) = self.head(pending, i) {
                    self.heap.push(Reverse((k, i)));
                }
            }
        }
    }

    /// A statement committed: the classes set aside are live again from the next unit on.
    pub(crate) fn revive(&mut self, pending: &Pending) {
        for i in std::mem::take(&mut self.waiting) {
            if let Some(k) = self.head(pending, i) {
                self.heap.push(Reverse((k, i)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lone(queue: u32, class: ClassId, created: u64) -> Place {
        Place::Lone(Lone {
            queue,
            class,
            created: SimTime(created),
            req: Res::default(),
        })
    }

    /// Every unit of a walk, with a verdict per (queue, class) and the classes that wait.
    fn walk(s: &mut Stream, p: &Pending, verdict: impl Fn(u32, ClassId, i32) -> Verdict) -> Vec<Item> {
        let mut out = Vec::new();
        while let Some(item) = s.peek(p, &verdict) {
            s.take(p, item);
            out.push(item);
        }
        out
    }

    fn pods(items: &[Item]) -> Vec<String> {
        items
            .iter()
            .map(|i| match i {
                Item::Gang(g) => format!("g{g}"),
                Item::Lone { pod, .. } => format!("{pod}"),
            })
            .collect()
    }

    #[test]
    fn lone_pods_and_gangs_merge_in_job_order() {
        let mut p = Pending::default();
        // Class 0 has priority 0, class 1 priority 5; workloads created at 10, 20, 30.
        p.insert(1, lone(0, 0, 20));
        p.insert(2, lone(0, 1, 30));
        p.insert(3, lone(0, 0, 10));
        p.insert(4, lone(1, 0, 5)); // another queue
        p.insert(5, Place::Gang);
        let prio = |c: ClassId| if c == 1 { 5 } else { 0 };
        // A gang of priority 0, not ready: before every ready unit of its priority.
        let gangs = vec![((Reverse(0), false, 0, SimTime(99), 5), 0)];
        let mut s = Stream::new(&p, Some(0), prio, gangs.clone(), 100);
        assert_eq!(pods(&walk(&mut s, &p, |_, _, _| Verdict::Live)), ["2", "g0", "3", "1"]);
        let mut s = Stream::new(&p, None, prio, gangs, 100);
        assert_eq!(
            pods(&walk(&mut s, &p, |_, _, _| Verdict::Live)),
            ["2", "g0", "4", "3", "1"]
        );
    }

    #[test]
    fn pods_created_after_the_session_opened_are_left_out() {
        let mut p = Pending::default();
        p.insert(1, lone(0, 0, 20));
        p.insert(7, lone(0, 0, 10)); // created during the session
        let mut s = Stream::new(&p, None, |_| 0, Vec::new(), 5);
        assert_eq!(pods(&walk(&mut s, &p, |_, _, _| Verdict::Live)), ["1"]);
        assert_eq!(p.lone_since(5), 1);
        assert_eq!(p.lone_queues(5).len(), 1);
        assert_eq!(p.lone_queues(1).len(), 0);
    }

    #[test]
    fn a_done_class_is_dropped_and_a_removed_head_skipped() {
        let mut p = Pending::default();
        for (pod, class, t) in [(1, 0, 1), (2, 1, 2), (3, 0, 3), (4, 1, 4), (5, 0, 5)] {
            p.insert(pod, lone(0, class, t));
        }
        let mut s = Stream::new(&p, None, |_| 0, Vec::new(), 100);
        let first = s.peek(&p, |_, _, _| Verdict::Live).expect("a unit");
        s.take(&p, first);
        // Pod 2 (class 1's head) stops waiting; class 0 is done after pod 1.
        p.remove(2, lone(0, 1, 2));
        assert_eq!(
            pods(&walk(&mut s, &p, |_, c, _| if c == 0 {
                Verdict::Done
            } else {
                Verdict::Live
            })),
            ["4"]
        );
        assert_eq!(p.lone_removed, 1);
    }

    #[test]
    fn a_waiting_class_resumes_after_the_commit_past_the_units_walked() {
        let mut p = Pending::default();
        for (pod, class, t) in [(1, 0, 1), (2, 1, 2), (3, 0, 3), (4, 1, 4), (5, 0, 5), (6, 1, 6)] {
            p.insert(pod, lone(0, class, t));
        }
        let mut s = Stream::new(&p, None, |_| 0, Vec::new(), 100);
        let mut seen = Vec::new();
        // Class 0 waits from the start; a commit at pod 4 revives it: pod 5 is next, not 1 or 3.
        while let Some(item) = s.peek(&p, |_, c, _| if c == 0 { Verdict::Wait } else { Verdict::Live }) {
            s.take(&p, item);
            seen.push(item);
            if matches!(item, Item::Lone { pod: 4, .. }) {
                s.revive(&p);
                let next = s.peek(&p, |_, _, _| Verdict::Live).expect("a unit");
                assert!(matches!(next, Item::Lone { pod: 5, .. }), "{next:?}");
            }
        }
        assert_eq!(pods(&seen), ["2", "4", "6"]);
    }

    #[test]
    fn requests_are_summed_per_queue() {
        let mut p = Pending::default();
        let mut req = Res::default();
        req.0[0] = 1000;
        let place = |created| {
            Place::Lone(Lone {
                queue: 3,
                class: 0,
                created: SimTime(created),
                req,
            })
        };
        p.insert(1, place(1));
        p.insert(2, place(2));
        assert_eq!(p.lone_request(3).0[0], 2000);
        p.remove(1, place(1));
        p.remove(2, place(2));
        assert_eq!(p.lone_request(3), Res::default());
        assert!(p.lone.is_empty() && p.lone_request.is_empty());
    }
}
