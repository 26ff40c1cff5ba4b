//! kube-scheduler: the scheduling queue (activeQ, backoffQ, unschedulablePods with its
//! periodic flushes), the one-pod-at-a-time scheduling cycle (Filter, Score, node choice with
//! the adaptive `percentageOfNodesToScore` sampling) and DefaultPreemption (semantics.md
//! section 3, SCH-C1..C4, SCH-Q1..Q5, SCH-S1..S3, SCH-P1..P7).
//!
//! Pending pods are grouped into equivalence classes (equal requests, priority and placement
//! constraints). Pods of one class get the same answer in the same cluster state, so after one
//! member fails, its class-mates fail in the same instant without being filtered again, and a
//! cluster event requeues a class, not each of its pods: the cost of an event is the number of
//! waiting classes, not of waiting pods. Within a class pods keep creation order, and the
//! class's waiting pods share the timestamp of its latest failed attempt.
//!
//! Deliberate differences: zero-latency attempts; with SchedulerPopFromBackoffQ (default on),
//! backoff never delays a pod here because activeQ is empty at the end of every instant, which is
//! what the gate does on an idle queue; with the gate off (`popFromBackoffQ: false`) pods wait
//! out their backoff in backoffQ, flushed on whole seconds. Score ties go to the node whose name
//! sorts first; the preemption dry run starts at the first node, not at a random offset.
//! QueueingHints: a release of resources requeues classes rejected for resources; a node
//! joining or changing requeues every class.
//!
//! This file holds the scheduler's state (per-pod and per-class side tables, the queues' keys) and
//! the sizing rules; `queue` moves pods between the queues, `cycle` runs an attempt, `diagnosis` words a failed one (FailedScheduling), `preemption`
//! is the PostFilter, `cosched` the coscheduling plugin (PreFilter, Permit, PostFilter), and
//! `podgroup` kube-scheduler's own gang scheduling (`kube-gang`: PreEnqueue and the Workload
//! Scheduling Cycle).

pub mod cosched;
mod cycle;
pub(crate) mod diagnosis;
pub mod podgroup;
mod preemption;
mod queue;

use std::cmp::Reverse;
use std::collections::BTreeSet;

use crate::engine::SimTime;
use crate::model::cluster::{NodeId, Scoring};
use crate::sim::{ClassId, PodId};

/// Where a pending pod sits in the scheduling queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loc {
    /// Not in the queue (bound, terminal, or bypassing the scheduler).
    None,
    Active,
    Backoff,
    /// unschedulablePods, inside its class's waiting set.
    Unschedulable,
    /// unschedulablePods, tracked one by one because it holds a nomination.
    Nominated,
    /// Rejected by coscheduling's PreFilter or kube-gang's PreEnqueue: waits one by one for a
    /// sibling to be created.
    GangWait,
}

#[derive(Clone, Debug)]
pub struct PodQueueState {
    /// QueuedPodInfo.Timestamp (used when popFromBackoffQ is off; see the module doc).
    pub ts: SimTime,
    /// Scheduling attempts so far.
    pub attempts: u32,
    pub loc: Loc,
    pub id: PodId,
}

impl PodQueueState {
    pub fn new(now: SimTime, id: PodId) -> Self {
        PodQueueState {
            ts: now,
            attempts: 0,
            loc: Loc::None,
            id,
        }
    }
}

/// A waiting member of a class: its attempts are `base + (rounds - join_round)`, since every
/// failed round of its class counts as an attempt of each member; its timestamp is the class's
/// `refresh_ts` once a round happened after it joined.
#[derive(Clone, Copy, Debug)]
pub struct Member {
    pub join_round: u32,
    pub base: u32,
    pub ts: SimTime,
}

/// A class's share of unschedulablePods.
#[derive(Clone, Debug, Default)]
pub struct ClassQueueState {
    /// Waiting pods of the class in creation order.
    pub waiting: std::collections::BTreeMap<PodId, Member>,
    /// Failed rounds of the class (each an attempt of every member then waiting).
    pub rounds: u32,
    /// Time of the class's latest failed round.
    pub refresh_ts: SimTime,
    /// Queued cohorts of the class (its entries in `Scheduler::requeued`), when requeued.
    entries: Vec<EKey>,
    /// The latest failure was for lack of resources (a release may help).
    pub resources_rejected: bool,
    /// `Cluster::generation` at which the class last failed: until it changes, so would any
    /// class-mate.
    pub failed_at_generation: Option<u64>,
    /// Cached static feasibility bitset and the node generation it was computed at.
    static_ok: Option<StaticNodes>,
}

/// A class's statically feasible nodes at one node generation.
#[derive(Clone, Debug)]
struct StaticNodes {
    generation: u64,
    bits: std::rc::Rc<[u64]>,
    /// Some of these nodes has a PreferNoSchedule taint the class does not tolerate, so
    /// TaintToleration's score is not the same on every node.
    soft_taints: bool,
}

type QKey = (Reverse<i32>, SimTime, PodId);
/// A queued cohort of a class: (tier: 0 activeQ, 1 backoffQ; backoff window; priority, timestamp,
/// head pod; class). Tier 1 is popped only when activeQ is empty (PopFromBackoffQ).
type EKey = (u8, SimTime, QKey, ClassId);

pub struct Scheduler {
    pub scoring: Scoring,
    /// Each pod's place in the queue, by pod id (released with the pod).
    pub(crate) pods: crate::model::pods::Paged<PodQueueState>,
    /// Each class's share of the queue, by class id.
    classes: Vec<ClassQueueState>,
    active: BTreeSet<QKey>,
    /// (expiry, key) of pods in backoffQ (popFromBackoffQ off only).
    backoff: BTreeSet<(SimTime, QKey)>,
    /// Cohorts of classes requeued for this instant.
    requeued: BTreeSet<EKey>,
    /// Classes with waiting pods.
    waiting_classes: BTreeSet<ClassId>,
    /// Pods holding a nomination, waiting one by one.
    nominated: BTreeSet<PodId>,
    /// Pods waiting for their group to have enough members (coscheduling PreFilter).
    gang_wait: BTreeSet<PodId>,
    /// Pods nominated to each node (change it through `nominate` and `unnominate`).
    nominated_on: Vec<Vec<PodId>>,
    /// The nodes with a pod nominated to them, one bit per node, and how many they are.
    nominated_nodes: Vec<u64>,
    nominated_count: usize,
    next_start_node: usize,
    /// Bumped when nodes join or change labels/taints: static filter caches are stale.
    node_generation: u64,
    /// Scratch space of the cycle's node choice: (score, state) of the states a pod fits.
    scratch_states: Vec<(i64, u32)>,
    cycle_scheduled: bool,
    /// The scheduling attempts' pace (`kubeSchedulerThroughput`: a bucket of one token at
    /// that rate, so attempts are serial); None: an attempt takes no time.
    pub(crate) throughput: Option<crate::rate::TokenBucket>,
    /// The next attempt's time is already taken from `throughput` (its cycle is scheduled).
    pub(crate) pace_paid: bool,
    unsched_flush_scheduled: bool,
    backoff_flush_scheduled: bool,
}

/// Outcome of one scheduling attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Bind(NodeId),
    Preempt {
        node: NodeId,
        victims: Vec<PodId>,
    },
    /// No node fits. `resources`: some node failed only for resources (preemption could
    /// help, a release may help).
    Unschedulable {
        resources: bool,
    },
}

impl Scheduler {
    /// Attempts at `milli` thousandths a second, one at a time (None: no time).
    pub fn with_throughput(mut self, milli: Option<u64>) -> Self {
        self.throughput =
            milli.map(|qps_milli| crate::rate::TokenBucket::new(crate::rate::ClientLimit { qps_milli, burst: 1 }));
        self
    }

    pub fn new(scoring: Scoring, nodes: usize) -> Self {
        Scheduler {
            scoring,
            pods: Default::default(),
            classes: Vec::new(),
            active: BTreeSet::new(),
            backoff: BTreeSet::new(),
            requeued: BTreeSet::new(),
            waiting_classes: BTreeSet::new(),
            nominated: BTreeSet::new(),
            gang_wait: BTreeSet::new(),
            nominated_on: vec![Vec::new(); nodes],
            nominated_nodes: vec![0; nodes.div_ceil(64).max(1)],
            nominated_count: 0,
            next_start_node: 0,
            node_generation: 0,
            scratch_states: Vec::new(),
            cycle_scheduled: false,
            throughput: None,
            pace_paid: false,
            unsched_flush_scheduled: false,
            backoff_flush_scheduled: false,
        }
    }

    /// A scheduling class was interned: its (empty) share of the queue.
    pub fn class_added(&mut self, c: ClassId) {
        debug_assert_eq!(c as usize, self.classes.len(), "classes are added in id order");
        self.classes.push(ClassQueueState::default());
    }

    pub fn nodes_changed(&mut self, nodes: usize) {
        self.resize_nodes(nodes);
        self.node_generation += 1;
    }

    /// Make room in the per-node tables for `nodes` nodes.
    fn resize_nodes(&mut self, nodes: usize) {
        self.nominated_on.resize(nodes, Vec::new());
        self.nominated_nodes.resize(nodes.div_ceil(64).max(1), 0);
    }

    /// Nominate a pod to a node.
    fn nominate(&mut self, node: NodeId, pod: PodId) {
        let list = &mut self.nominated_on[node as usize];
        if list.is_empty() {
            self.nominated_nodes[node as usize / 64] |= 1 << (node % 64);
            self.nominated_count += 1;
        }
        list.push(pod);
    }

    /// A pod's nomination to a node is gone.
    fn unnominate(&mut self, node: NodeId, pod: PodId) {
        let list = &mut self.nominated_on[node as usize];
        let had = !list.is_empty();
        list.retain(|&p| p != pod);
        if had && list.is_empty() {
            self.nominated_nodes[node as usize / 64] &= !(1 << (node % 64));
            self.nominated_count -= 1;
        }
    }

    /// Whether the pod sits somewhere in the queue (invariant checks).
    pub fn holds(&self, pod: PodId) -> bool {
        self.pods[pod as usize].loc != Loc::None
    }

    /// A pod was created: its queue state, not queued yet.
    pub fn pod_created(&mut self, pod: PodId, now: SimTime) {
        let id = self.pods.push(PodQueueState::new(now, pod));
        debug_assert_eq!(id, pod, "the queue states follow the pod store's ids");
    }

    /// A pod left the run (see `PodStore::release`).
    pub fn pod_released(&mut self, pod: PodId) {
        self.pods.release(pod);
    }
}

fn key(prio: i32, ts: SimTime, pod: PodId) -> QKey {
    (Reverse(prio), ts, pod)
}

/// kube-scheduler's numFeasibleNodesToFind with percentageOfNodesToScore = 0 (SCH-C2).
pub fn num_feasible_nodes_to_find(nodes: usize) -> usize {
    if nodes < 100 {
        return nodes;
    }
    let pct = (50 - nodes as i64 / 125).max(5) as usize;
    (nodes * pct / 100).max(100)
}

/// DefaultPreemption's number of candidates to find (SCH-P3).
fn num_preemption_candidates(nodes: usize) -> usize {
    (nodes / 10).max(100).min(nodes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feasible_nodes_to_find_follows_kube_scheduler() {
        // SCH-C2: all nodes below 100; pct = max(5, 50 - N/125); at least 100.
        let cases = [
            (10, 10),
            (99, 99),
            (100, 100),
            (1000, 420),
            (5000, 500),
            (10_000, 500),
            (200, 100),
        ];
        for (n, want) in cases {
            assert_eq!(num_feasible_nodes_to_find(n), want, "{n} nodes");
        }
    }

    #[test]
    fn preemption_candidates_follow_kube_scheduler() {
        assert_eq!(num_preemption_candidates(50), 50);
        assert_eq!(num_preemption_candidates(500), 100);
        assert_eq!(num_preemption_candidates(5000), 500);
    }
}
