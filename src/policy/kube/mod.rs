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

pub mod cosched;

use std::cmp::Reverse;
use std::collections::BTreeSet;

use crate::engine::SimTime;
use crate::input::spec::IntOrPercent;
use crate::model::cluster::{
    Constraints, NodeId, Reject, Res, Scoring, intolerable_prefer_no_schedule, resource_scores, static_filter,
};
use crate::sim::{ClassId, Ev, Phase, PodId, World, class};

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
    /// Rejected by coscheduling's PreFilter: waits one by one for a sibling to be created.
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
    static_ok: Option<(u64, std::rc::Rc<[u64]>)>,
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
    /// Pods nominated to each node.
    nominated_on: Vec<Vec<PodId>>,
    next_start_node: usize,
    /// Bumped when nodes join or change labels/taints: static filter caches are stale.
    node_generation: u64,
    cycle_scheduled: bool,
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
            next_start_node: 0,
            node_generation: 0,
            cycle_scheduled: false,
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
        self.nominated_on.resize(nodes, Vec::new());
        self.node_generation += 1;
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

impl World {
    pub(crate) fn kick(&mut self) {
        if !self.sched.kube.cycle_scheduled {
            self.sched.kube.cycle_scheduled = true;
            let now = self.now();
            self.engine.schedule(now, class::SCHED_CYCLE, Ev::SchedCycle);
        }
    }

    /// A new pod enters the queue (or bypasses it with `spec.nodeName`).
    pub(crate) fn sched_add(&mut self, pod: PodId) {
        let c = self.store.pods[pod as usize].class;
        if let Some(name) = self.store.classes[c as usize].node_name.clone() {
            // spec.nodeName bypasses the scheduler: the kubelet admits the pod if it fits.
            if let Some(&n) = self.store.node_by_name.get(&name)
                && self.store.cluster.nodes[n as usize].present
            {
                let req = self.store.classes[c as usize].req;
                if req.fits_in(&self.store.cluster.nodes[n as usize].free()) {
                    self.bind(pod, n);
                } else {
                    self.pod_terminal(pod, Phase::Failed, 0, "OutOfResources");
                }
            }
            return;
        }
        let now = self.now();
        let prio = self.store.classes[c as usize].priority;
        let st = &mut self.sched.kube.pods[pod as usize];
        st.ts = now;
        st.loc = Loc::Active;
        self.sched.kube.active.insert(key(prio, now, pod));
        self.kick();
    }

    /// A pending pod leaves the queue (deleted before binding).
    pub(crate) fn sched_remove(&mut self, pod: PodId) {
        let c = self.store.pods[pod as usize].class as usize;
        let prio = self.store.classes[c].priority;
        let st = self.sched.kube.pods[pod as usize].clone();
        match st.loc {
            Loc::None => {}
            Loc::Active => {
                self.sched.kube.active.remove(&key(prio, st.ts, pod));
            }
            Loc::Backoff => {
                let expiry = self.backoff_expiry(pod);
                self.sched.kube.backoff.remove(&(expiry, key(prio, st.ts, pod)));
            }
            Loc::Unschedulable => self.class_take(c as ClassId, pod),
            Loc::Nominated => {
                self.sched.kube.nominated.remove(&pod);
            }
            Loc::GangWait => {
                self.sched.kube.gang_wait.remove(&pod);
            }
        }
        self.clear_nomination(pod);
        self.sched.kube.pods[pod as usize].loc = Loc::None;
    }

    /// A member's attempts, timestamp and backoff expiry (see `Member`).
    pub(crate) fn member_state(&self, c: ClassId, m: &Member) -> (u32, SimTime, SimTime) {
        let q = &self.sched.kube.classes[c as usize];
        let attempts = m.base + (q.rounds - m.join_round);
        let ts = if m.join_round < q.rounds {
            q.refresh_ts.max(m.ts)
        } else {
            m.ts
        };
        let d = crate::sim::backoff_ms(
            self.cfg.lat.pod_initial_backoff_ms,
            self.cfg.lat.pod_max_backoff_ms,
            attempts,
        );
        (attempts, ts, ts.plus_ms(d))
    }

    /// The queue entry of a cohort headed by member `pod`.
    pub(crate) fn cohort_key(&self, c: ClassId, pod: PodId, m: &Member) -> EKey {
        let (_, ts, expiry) = self.member_state(c, m);
        let prio = self.store.classes[c as usize].priority;
        if expiry <= self.now() {
            (0, SimTime::ZERO, key(prio, ts, pod), c)
        } else {
            // backoffQ windows are whole seconds (SchedulerPopFromBackoffQ).
            (1, SimTime(expiry.ms() / 1000 * 1000), key(prio, ts, pod), c)
        }
    }

    /// Drop a class's queued cohorts (it is no longer requeued).
    pub(crate) fn unqueue_class(&mut self, c: ClassId) {
        for e in std::mem::take(&mut self.sched.kube.classes[c as usize].entries) {
            self.sched.kube.requeued.remove(&e);
        }
    }

    /// Take a waiting member out of its class (it leaves the queue or is attempted), carrying
    /// its attempts and timestamp back to the pod.
    pub(crate) fn class_take(&mut self, c: ClassId, pod: PodId) {
        let Some(m) = self.sched.kube.classes[c as usize].waiting.get(&pod).copied() else {
            return;
        };
        let (attempts, ts, _) = self.member_state(c, &m);
        // If the pod heads a queued cohort, its class-mates of the same cohort take its place.
        let entry = self.sched.kube.classes[c as usize]
            .entries
            .iter()
            .position(|e| e.2.2 == pod);
        self.sched.kube.classes[c as usize].waiting.remove(&pod);
        if let Some(i) = entry {
            let old = self.sched.kube.classes[c as usize].entries[i];
            self.sched.kube.requeued.remove(&old);
            let next = self.sched.kube.classes[c as usize]
                .waiting
                .range(pod + 1..)
                .next()
                .map(|(p, m)| (*p, *m));
            // The next member in creation order continues the walk, unless it heads a cohort
            // of its own already: every waiting member is reached in one requeue.
            let replacement = next
                .filter(|(np, _)| !self.sched.kube.classes[c as usize].entries.iter().any(|e| e.2.2 == *np))
                .map(|(np, nm)| self.cohort_key(c, np, &nm));
            match replacement {
                Some(k) => {
                    self.sched.kube.classes[c as usize].entries[i] = k;
                    self.sched.kube.requeued.insert(k);
                }
                None => {
                    self.sched.kube.classes[c as usize].entries.remove(i);
                }
            }
        }
        let st = &mut self.sched.kube.pods[pod as usize];
        st.attempts = attempts;
        st.ts = ts;
        if self.sched.kube.classes[c as usize].waiting.is_empty() {
            self.sched.kube.waiting_classes.remove(&c);
            self.unqueue_class(c);
        }
    }

    /// Add a pod that just failed to its class's waiting members.
    pub(crate) fn class_join(&mut self, c: ClassId, pod: PodId) {
        let now = self.now();
        let q = &mut self.sched.kube.classes[c as usize];
        let m = Member {
            join_round: q.rounds,
            base: self.sched.kube.pods[pod as usize].attempts,
            ts: now,
        };
        q.waiting.insert(pod, m);
        self.sched.kube.pods[pod as usize].loc = Loc::Unschedulable;
        self.sched.kube.waiting_classes.insert(c);
    }

    pub(crate) fn clear_nomination(&mut self, pod: PodId) {
        if let Some(n) = self.store.pods[pod as usize].nominated.take() {
            self.sched.kube.nominated_on[n as usize].retain(|&p| p != pod);
            // The reservation is gone: pods it kept out may fit now.
            self.store.cluster.generation += 1;
            self.requeue_waiting(true);
        }
    }

    /// Capacity was released (a pod became terminal or was deleted from a node).
    pub(crate) fn sched_on_release(&mut self) {
        self.requeue_waiting(true);
    }

    /// A node joined or changed: every waiting pod may fit now.
    pub(crate) fn sched_on_node_change(&mut self) {
        self.sched.kube.node_generation += 1;
        self.sched
            .kube
            .nominated_on
            .resize(self.store.cluster.nodes.len(), Vec::new());
        self.requeue_waiting(false);
    }

    /// Move waiting pods back to be attempted (QueueingHints: `only_resources` requeues the
    /// classes whose failure a release of resources may fix).
    pub(crate) fn requeue_waiting(&mut self, only_resources: bool) {
        let classes: Vec<ClassId> = self.sched.kube.waiting_classes.iter().copied().collect();
        for c in classes {
            if only_resources && !self.sched.kube.classes[c as usize].resources_rejected {
                continue;
            }
            self.requeue_class(c);
        }
        let noms: Vec<PodId> = std::mem::take(&mut self.sched.kube.nominated).into_iter().collect();
        for pod in noms {
            self.sched.kube.pods[pod as usize].loc = Loc::None;
            self.requeue_pod(pod);
        }
        if !self.sched.kube.requeued.is_empty() || !self.sched.kube.active.is_empty() {
            self.kick();
        }
    }

    pub(crate) fn requeue_class(&mut self, c: ClassId) {
        if self.cfg.lat.pop_from_backoff_q {
            if !self.sched.kube.classes[c as usize].entries.is_empty() {
                return;
            }
            // Cohorts: runs of members with the same timestamp and backoff expiry. Members that
            // joined before the last few rounds all share the capped backoff, so walking from the
            // newest back stops early.
            let members: Vec<(PodId, Member)> = {
                let q = &self.sched.kube.classes[c as usize];
                let mut tail = Vec::new();
                for (p, m) in q.waiting.iter().rev() {
                    let settled = m.join_round + 8 <= q.rounds && m.base >= 1;
                    tail.push((*p, *m));
                    if settled {
                        break;
                    }
                }
                tail.reverse();
                if let Some((first, m)) = q.waiting.iter().next()
                    && tail.first().is_none_or(|(p, _)| p != first)
                {
                    tail.insert(0, (*first, *m));
                }
                tail
            };
            let mut entries: Vec<EKey> = Vec::new();
            for (p, m) in members {
                let k = self.cohort_key(c, p, &m);
                let same = entries
                    .last()
                    .is_some_and(|e| e.0 == k.0 && e.1 == k.1 && e.2.1 == k.2.1);
                if !same {
                    entries.push(k);
                }
            }
            for e in &entries {
                self.sched.kube.requeued.insert(*e);
            }
            self.sched.kube.classes[c as usize].entries = entries;
        } else {
            let members: Vec<PodId> = self.sched.kube.classes[c as usize].waiting.keys().copied().collect();
            for pod in members {
                self.class_take(c, pod);
                self.sched.kube.pods[pod as usize].loc = Loc::None;
                self.requeue_pod(pod);
            }
        }
    }

    pub(crate) fn backoff_expiry(&self, pod: PodId) -> SimTime {
        let st = &self.sched.kube.pods[pod as usize];
        let d = crate::sim::backoff_ms(
            self.cfg.lat.pod_initial_backoff_ms,
            self.cfg.lat.pod_max_backoff_ms,
            st.attempts,
        );
        st.ts.plus_ms(d)
    }

    /// Requeue one pod: to activeQ if its backoff is over (or popFromBackoffQ makes backoff
    /// moot), else to backoffQ (SCH-Q3, Q5).
    pub(crate) fn requeue_pod(&mut self, pod: PodId) {
        let now = self.now();
        let prio = self.store.classes[self.store.pods[pod as usize].class as usize].priority;
        let expiry = self.backoff_expiry(pod);
        let ts = self.sched.kube.pods[pod as usize].ts;
        if self.cfg.lat.pop_from_backoff_q || expiry <= now {
            self.sched.kube.pods[pod as usize].loc = Loc::Active;
            self.sched.kube.active.insert(key(prio, ts, pod));
            self.kick();
        } else {
            self.enter_backoff_q(pod, expiry, key(prio, ts, pod));
        }
    }

    /// Put a pod into backoffQ until `expiry`, with the 1 s flush running.
    pub(crate) fn enter_backoff_q(&mut self, pod: PodId, expiry: SimTime, k: QKey) {
        let now = self.now();
        self.sched.kube.pods[pod as usize].loc = Loc::Backoff;
        self.sched.kube.backoff.insert((expiry, k));
        if !self.sched.kube.backoff_flush_scheduled {
            self.sched.kube.backoff_flush_scheduled = true;
            let period = self.cfg.lat.backoff_flush_period_ms.max(1);
            let next = SimTime((now.ms() / period + 1) * period);
            self.engine
                .schedule_daemon(next, class::SCHED_HOUSEKEEPING, Ev::SchedFlushBackoff);
        }
    }

    /// backoffQ -> activeQ for pods whose backoff expired (every second, SCH-Q4).
    pub(crate) fn sched_flush_backoff(&mut self) {
        let now = self.now();
        self.sched.kube.backoff_flush_scheduled = false;
        while let Some(&(expiry, k)) = self.sched.kube.backoff.first() {
            if expiry > now {
                break;
            }
            self.sched.kube.backoff.remove(&(expiry, k));
            let pod = k.2;
            self.sched.kube.pods[pod as usize].loc = Loc::Active;
            self.sched.kube.active.insert(k);
            self.kick();
        }
        if !self.sched.kube.backoff.is_empty() {
            self.sched.kube.backoff_flush_scheduled = true;
            let period = self.cfg.lat.backoff_flush_period_ms.max(1);
            self.engine
                .schedule_daemon(now.plus_ms(period), class::SCHED_HOUSEKEEPING, Ev::SchedFlushBackoff);
        }
    }

    /// The unschedulablePods leftover flush (every 30 s; pods waiting more than 5 min, SCH-Q4).
    pub(crate) fn sched_flush_unschedulable(&mut self) {
        let now = self.now();
        self.sched.kube.unsched_flush_scheduled = false;
        let max_wait = self.cfg.lat.pod_max_in_unschedulable_ms;
        let classes: Vec<ClassId> = self.sched.kube.waiting_classes.iter().copied().collect();
        for c in classes {
            if self.cfg.lat.pop_from_backoff_q {
                let oldest = self.sched.kube.classes[c as usize]
                    .waiting
                    .iter()
                    .next()
                    .map(|(_, m)| self.member_state(c, m).1);
                if oldest.is_some_and(|ts| now.since(ts) > max_wait) {
                    self.requeue_class(c);
                }
            } else {
                let old: Vec<PodId> = self.sched.kube.classes[c as usize]
                    .waiting
                    .iter()
                    .filter(|(_, m)| now.since(self.member_state(c, m).1) > max_wait)
                    .map(|(p, _)| *p)
                    .collect();
                for pod in old {
                    self.class_take(c, pod);
                    self.sched.kube.pods[pod as usize].loc = Loc::None;
                    self.requeue_pod(pod);
                }
            }
        }
        if !self.sched.kube.requeued.is_empty() {
            self.kick();
        }
        self.schedule_unsched_flush();
    }

    pub(crate) fn schedule_unsched_flush(&mut self) {
        if self.sched.kube.unsched_flush_scheduled
            || (self.sched.kube.waiting_classes.is_empty() && self.sched.kube.nominated.is_empty())
        {
            return;
        }
        self.sched.kube.unsched_flush_scheduled = true;
        let period = self.cfg.lat.unschedulable_flush_period_ms.max(1);
        let next = SimTime((self.now().ms() / period + 1) * period);
        self.engine
            .schedule_daemon(next, class::SCHED_HOUSEKEEPING, Ev::SchedFlushUnschedulable);
    }

    /// The scheduling cycle: attempt every queued pod in queue order, one at a time.
    pub(crate) fn sched_cycle(&mut self) {
        self.sched.kube.cycle_scheduled = false;
        // A bound on attempts in one instant: every pod can be attempted a few times (after each
        // release), never without end; reaching it is a bug.
        let bound = 20 * (self.store.pods.len() as u64 + 100);
        let mut attempts = 0u64;
        loop {
            attempts += 1;
            if attempts > bound {
                let tail: Vec<String> = self
                    .rec
                    .events
                    .recent(30)
                    .into_iter()
                    .map(|e| format!("{} {} {} {}", e.time, e.object, e.event, e.detail))
                    .collect();
                panic!(
                    "scheduling cycle did not settle at t={} s (policy {}); last events:\n{}",
                    self.now(),
                    self.cfg.policy_name,
                    tail.join("\n")
                );
            }
            let a = self.sched.kube.active.first().copied();
            let r = self.sched.kube.requeued.first().copied();
            // Individual activeQ pods are tier 0 with the same order as tier-0 cohorts.
            let take_active = match (a, r) {
                (None, None) => break,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some(k), Some(e)) => (0u8, SimTime::ZERO, k) <= (e.0, e.1, e.2),
            };
            let pod = if take_active {
                let k = a.expect("active head");
                self.sched.kube.active.remove(&k);
                k.2
            } else {
                let e = r.expect("cohort");
                let (pod, c) = (e.2.2, e.3);
                self.class_take(c, pod);
                pod
            };
            self.sched.kube.pods[pod as usize].loc = Loc::None;
            self.attempt(pod);
        }
        self.schedule_unsched_flush();
    }

    pub(crate) fn attempt(&mut self, pod: PodId) {
        let now = self.now();
        let c = self.store.pods[pod as usize].class;
        self.sched.kube.pods[pod as usize].attempts += 1;
        let cosched_gang = if self.sched.policy.coscheduling {
            self.store.pods[pod as usize].gang
        } else {
            None
        };
        if let Some(g) = cosched_gang
            && !self.cosched_prefilter(g)
        {
            // UnschedulableAndUnresolvable: wait for a sibling to be created (CO-4).
            self.failed_scheduling_event(pod, false);
            self.sched.kube.pods[pod as usize].ts = now;
            self.sched.kube.pods[pod as usize].loc = Loc::GangWait;
            self.sched.kube.gang_wait.insert(pod);
            return;
        }
        let has_nomination = self.store.pods[pod as usize].nominated.is_some();
        // The cluster state the decision is about (a rejection below may release capacity).
        let generation = self.store.cluster.generation;
        let known_failure = !has_nomination
            && self.sched.kube.classes[c as usize].failed_at_generation == Some(self.store.cluster.generation);
        let decision = if known_failure {
            Decision::Unschedulable {
                resources: self.sched.kube.classes[c as usize].resources_rejected,
            }
        } else {
            self.decide(pod)
        };
        match decision {
            Decision::Bind(node) => {
                self.clear_nomination_quiet(pod);
                match cosched_gang {
                    Some(g) => self.cosched_reserve(pod, node, g),
                    None => self.bind(pod, node),
                }
            }
            Decision::Preempt { node, victims } => {
                self.preempt(pod, node, victims);
                self.sched.kube.pods[pod as usize].ts = now;
                self.sched.kube.pods[pod as usize].loc = Loc::Nominated;
                self.sched.kube.nominated.insert(pod);
                self.failed_scheduling_event(pod, true);
            }
            Decision::Unschedulable { resources } => {
                self.failed_scheduling_event(pod, false);
                if let Some(g) = cosched_gang {
                    self.cosched_post_filter(g);
                }
                self.sched.kube.pods[pod as usize].ts = now;
                if has_nomination {
                    self.sched.kube.pods[pod as usize].loc = Loc::Nominated;
                    self.sched.kube.nominated.insert(pod);
                    return;
                }
                // The whole class fails at this generation. If it was queued, every waiting
                // member would have been attempted and failed too: that is a round.
                let queued = !self.sched.kube.classes[c as usize].entries.is_empty();
                if queued {
                    self.unqueue_class(c);
                    let q = &mut self.sched.kube.classes[c as usize];
                    q.rounds += 1;
                    q.refresh_ts = now;
                }
                let q = &mut self.sched.kube.classes[c as usize];
                q.resources_rejected = resources;
                q.failed_at_generation = Some(generation);
                self.class_join(c, pod);
            }
        }
    }

    /// Put a pod rejected at Permit into backoffQ: it is retried once its backoff expires.
    pub(crate) fn sched_backoff(&mut self, pod: PodId) {
        let now = self.now();
        self.sched.kube.pods[pod as usize].ts = now;
        let prio = self.store.classes[self.store.pods[pod as usize].class as usize].priority;
        let expiry = self.backoff_expiry(pod);
        self.enter_backoff_q(pod, expiry, key(prio, now, pod));
    }

    /// Move a waiting pod to activeQ now (coscheduling activates a group's siblings).
    pub(crate) fn sched_activate(&mut self, pod: PodId) {
        match self.sched.kube.pods[pod as usize].loc {
            Loc::Unschedulable => {
                let c = self.store.pods[pod as usize].class;
                self.class_take(c, pod);
            }
            Loc::GangWait => {
                self.sched.kube.gang_wait.remove(&pod);
            }
            // A pod rejected in this very instant waits for the next one: activation would
            // otherwise loop within one instant (real cycles take time).
            Loc::Backoff if self.sched.kube.pods[pod as usize].ts == self.now() => return,
            Loc::Backoff => {
                let prio = self.store.classes[self.store.pods[pod as usize].class as usize].priority;
                let expiry = self.backoff_expiry(pod);
                let ts = self.sched.kube.pods[pod as usize].ts;
                self.sched.kube.backoff.remove(&(expiry, key(prio, ts, pod)));
            }
            _ => return,
        }
        // Activation moves the pod to activeQ whatever its backoff.
        let prio = self.store.classes[self.store.pods[pod as usize].class as usize].priority;
        let ts = self.sched.kube.pods[pod as usize].ts;
        self.sched.kube.pods[pod as usize].loc = Loc::Active;
        self.sched.kube.active.insert(key(prio, ts, pod));
        self.kick();
    }

    /// A new member of a group exists: members waiting for it (PreFilter) are retried.
    pub(crate) fn sched_gang_member_added(&mut self, g: crate::model::gang::GangId) {
        let waiting: Vec<PodId> = self.store.gangs[g as usize]
            .members
            .iter()
            .copied()
            .filter(|&m| self.sched.kube.pods[m as usize].loc == Loc::GangWait)
            .collect();
        for m in waiting {
            self.sched_activate(m);
        }
    }

    pub(crate) fn clear_nomination_quiet(&mut self, pod: PodId) {
        if let Some(n) = self.store.pods[pod as usize].nominated.take() {
            self.sched.kube.nominated_on[n as usize].retain(|&p| p != pod);
        }
    }

    /// Record a FailedScheduling event (only when events are recorded: it scans every node).
    pub(crate) fn failed_scheduling_event(&mut self, pod: PodId, preempting: bool) {
        if !self.rec.record_events {
            return;
        }
        let detail = self.diagnose(pod, preempting);
        let obj = self.pod_object(pod);
        self.event(|| obj, "FailedScheduling", || detail);
    }

    /// "0/N nodes are available: ..." as kube-scheduler words it.
    pub(crate) fn diagnose(&self, pod: PodId, preempting: bool) -> String {
        let c = &self.store.classes[self.store.pods[pod as usize].class as usize];
        let mut counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
        let mut total = 0;
        for (i, n) in self.store.cluster.nodes.iter().enumerate() {
            if !n.present {
                continue;
            }
            total += 1;
            let why = match static_filter(&c.constraints, n) {
                Err(Reject::Unschedulable) => "node(s) were unschedulable".to_string(),
                Err(Reject::Affinity) => "node(s) didn't match Pod's node affinity/selector".to_string(),
                Err(Reject::Taint) => "node(s) had untolerated taint(s)".to_string(),
                Err(Reject::Resources) | Ok(()) => {
                    let free = self.free_for(pod, i as NodeId);
                    match (0..self.store.resources.len()).find(|&r| c.req.0[r] > free.0[r]) {
                        Some(r) if self.store.resources.name(r) == "pods" => "Too many pods".to_string(),
                        Some(r) => format!("Insufficient {}", self.store.resources.name(r)),
                        None => continue,
                    }
                }
            };
            *counts.entry(why).or_default() += 1;
        }
        let parts: Vec<String> = counts.iter().map(|(why, n)| format!("{n} {why}")).collect();
        let mut s = format!("0/{total} nodes are available: {}", parts.join("; "));
        if preempting {
            s.push_str("; preempting to make room");
        }
        s
    }

    /// Free capacity of a node for a pod: allocatable minus requested minus the requests of
    /// pods of equal or higher priority nominated to it (SCH-P6).
    pub(crate) fn free_for(&self, pod: PodId, node: NodeId) -> Res {
        let mut free = self.store.cluster.nodes[node as usize].free();
        let nominated = &self.sched.kube.nominated_on[node as usize];
        if nominated.is_empty() {
            // The common case, on the scheduler's hottest path: no pod lookup.
            return free;
        }
        let prio = self.store.classes[self.store.pods[pod as usize].class as usize].priority;
        for &q in nominated {
            if q == pod {
                continue;
            }
            let qc = &self.store.classes[self.store.pods[q as usize].class as usize];
            if qc.priority >= prio {
                free.sub(&qc.req);
            }
        }
        free
    }

    /// The class's statically feasible nodes as a bitset, cached until nodes change (shared,
    /// not copied, on every attempt).
    pub(crate) fn static_bitset(&mut self, c: ClassId) -> std::rc::Rc<[u64]> {
        let gen_now = self.sched.kube.node_generation;
        if let Some((g, bits)) = &self.sched.kube.classes[c as usize].static_ok
            && *g == gen_now
        {
            return std::rc::Rc::clone(bits);
        }
        let n = self.store.cluster.nodes.len();
        let mut bits = vec![0u64; n.div_ceil(64).max(1)];
        let cons: &Constraints = &self.store.classes[c as usize].constraints;
        for (i, node) in self.store.cluster.nodes.iter().enumerate() {
            if node.present && static_filter(cons, node).is_ok() {
                bits[i / 64] |= 1 << (i % 64);
            }
        }
        let bits: std::rc::Rc<[u64]> = bits.into();
        self.sched.kube.classes[c as usize].static_ok = Some((gen_now, std::rc::Rc::clone(&bits)));
        bits
    }

    /// One scheduling attempt for a pod; reads the cluster, changes nothing but the
    /// round-robin start and the filter cache.
    pub(crate) fn decide(&mut self, pod: PodId) -> Decision {
        let c = self.store.pods[pod as usize].class;
        let req = self.store.classes[c as usize].req;
        // A nominated node is tried first (SCH-P6).
        if let Some(n) = self.store.pods[pod as usize].nominated {
            let node = &self.store.cluster.nodes[n as usize];
            if node.present
                && static_filter(&self.store.classes[c as usize].constraints, node).is_ok()
                && req.fits_in(&self.free_for(pod, n))
            {
                return Decision::Bind(n);
            }
        }
        let statics = self.static_bitset(c);
        let n = self.store.cluster.nodes.len();
        if n == 0 {
            return Decision::Unschedulable { resources: false };
        }
        let want = num_feasible_nodes_to_find(n);
        let gpu_bits = self.store.cluster.index.candidates(req.gpu_milli());
        let any_static = statics.iter().any(|w| *w != 0);
        let mut feasible: Vec<NodeId> = Vec::new();
        let start = self.next_start_node_checked(n);
        let mut found_at = None;
        // Visit candidate nodes in round-robin order from `start`, a 64-node word at a time.
        'scan: for (lo, hi) in [(start, n), (0, start)] {
            let mut i = lo;
            while i < hi {
                let w = i / 64;
                let word_end = ((w + 1) * 64).min(hi);
                let mut word = statics[w] & gpu_bits[w] & (!0u64 << (i % 64));
                if word_end % 64 != 0 {
                    word &= (1u64 << (word_end % 64)) - 1;
                }
                while word != 0 {
                    let node = w * 64 + word.trailing_zeros() as usize;
                    word &= word - 1;
                    if req.fits_in(&self.free_for(pod, node as NodeId)) {
                        feasible.push(node as NodeId);
                        if feasible.len() == want {
                            found_at = Some(node);
                            break 'scan;
                        }
                    }
                }
                i = word_end;
            }
        }
        let processed = found_at.map_or(n, |node| (node + n - start) % n + 1);
        self.sched.kube.next_start_node = (start + processed) % n;
        if feasible.is_empty() {
            if !any_static {
                return Decision::Unschedulable { resources: false };
            }
            return self.post_filter(pod, &statics);
        }
        Decision::Bind(self.select_host(pod, &feasible))
    }

    pub(crate) fn next_start_node_checked(&self, n: usize) -> usize {
        if self.sched.kube.next_start_node >= n {
            0
        } else {
            self.sched.kube.next_start_node
        }
    }

    /// Score the feasible nodes and pick the best; ties go to the node whose name sorts first.
    pub(crate) fn select_host(&self, pod: PodId, feasible: &[NodeId]) -> NodeId {
        let c = &self.store.classes[self.store.pods[pod as usize].class as usize];
        // Without taints anywhere, TaintToleration scores every node 100 and nothing is counted.
        let taint_counts: Vec<i64> = if self.store.cluster.any_taints {
            feasible
                .iter()
                .map(|&n| intolerable_prefer_no_schedule(&c.constraints, &self.store.cluster.nodes[n as usize]))
                .collect()
        } else {
            Vec::new()
        };
        let max_taints = taint_counts.iter().copied().max().unwrap_or(0);
        let mut best: Option<(i64, u32, NodeId)> = None;
        for (k, &n) in feasible.iter().enumerate() {
            let node = &self.store.cluster.nodes[n as usize];
            let (fit, balanced) = resource_scores(
                self.sched.kube.scoring,
                node,
                self.store.cluster.nonzero[n as usize],
                &c.req,
            );
            // TaintToleration, reverse-normalised (weight 3).
            let taint = if max_taints == 0 {
                100
            } else {
                (max_taints - taint_counts[k]) * 100 / max_taints
            };
            let score = fit + balanced + 3 * taint;
            let better = match best {
                None => true,
                Some((s, rank, _)) => score > s || (score == s && node.name_rank < rank),
            };
            if better {
                best = Some((score, node.name_rank, n));
            }
        }
        best.expect("non-empty").2
    }

    /// DefaultPreemption (SCH-P2..P5): find victims so the pod fits, or give up.
    pub(crate) fn post_filter(&self, pod: PodId, statics: &[u64]) -> Decision {
        let p = &self.store.pods[pod as usize];
        let c = &self.store.classes[p.class as usize];
        let unschedulable = Decision::Unschedulable { resources: true };
        // No bound pod has a lower priority: there is no victim anywhere.
        if c.preempt_never
            || self
                .store
                .bound_priorities
                .keys()
                .next()
                .is_none_or(|&low| low >= c.priority)
        {
            return unschedulable;
        }
        // Wait for earlier victims on the nominated node.
        if let Some(n) = p.nominated {
            let waiting_for_victims = self.store.cluster.pods_on[n as usize].iter().any(|&q| {
                let q = &self.store.pods[q as usize];
                q.deletion.is_some()
                    && q.disruption == Some("PreemptionByScheduler")
                    && self.store.classes[q.class as usize].priority < c.priority
            });
            if waiting_for_victims {
                return unschedulable;
            }
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
        let mut free = self.free_for(pod, node);
        let mut potential: Vec<PodId> = self.store.cluster.pods_on[node as usize]
            .iter()
            .copied()
            .filter(|&q| {
                let q = &self.store.pods[q as usize];
                q.deletion.is_none() && !q.waiting && self.store.classes[q.class as usize].priority < c.priority
            })
            .collect();
        if potential.is_empty() {
            return None;
        }
        for &q in &potential {
            free.add(&self.store.classes[self.store.pods[q as usize].class as usize].req);
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

    /// Carry out a preemption: nominate, then delete the victims gracefully (SCH-P6).
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
        self.sched.kube.nominated_on[node as usize].push(pod);
        self.pod_node_event(pod, "PodNominated", node);
        for v in victims {
            self.count_eviction(v, None);
            self.delete_pod(v, "Preempted", Some("PreemptionByScheduler"));
        }
    }
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
