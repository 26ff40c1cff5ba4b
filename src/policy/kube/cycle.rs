//! kube-scheduler's scheduling cycle (SCH-C1..C4, SCH-S1..S3): pop the next pod, Filter
//! (static constraints cached per class as a node bitset, then free resources net of nominated
//! pods), the adaptive `percentageOfNodesToScore` sample, Score and host selection, and the
//! FailedScheduling event (its message: `diagnosis`).
//!
//! Filter and Score work on node resource states (`model::cluster::StateIndex`): nodes with
//! equal allocatable and requested resources fit and score alike, so each state is checked and
//! scored once, the round robin counts feasible nodes by popcount, and the choice is exactly
//! kube-scheduler's node-by-node one (`choose_by_node`, kept for classes whose TaintToleration
//! score varies by node and for clusters of too many states, and compared with the fast path
//! in debug builds).

use super::diagnosis::Failure;
use super::{Decision, Loc, StaticNodes, num_feasible_nodes_to_find};
use crate::engine::SimTime;
use crate::model::cluster::{
    Best, Constraints, NodeId, Res, best_in_states, better, intolerable_prefer_no_schedule, resource_scores,
    static_filter,
};
use crate::sim::{ClassId, PodId, World};

impl World {
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
            // A bounded throughput: the next attempt starts when the last one's time is over
            // (exactly: the pace keeps fractions of a millisecond; the attempt happens on the
            // millisecond its start falls in, rounded up).
            let now = self.now();
            if !std::mem::take(&mut self.sched.kube.pace_paid)
                && let Some(pace) = self.sched.kube.throughput.as_mut()
            {
                let start = pace.take(now);
                if start > now {
                    self.sched.kube.pace_paid = true;
                    self.sched.kube.cycle_scheduled = true;
                    self.engine
                        .schedule(start, crate::sim::class::SCHED_CYCLE, crate::sim::Ev::SchedCycle);
                    break;
                }
            }
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
        if self.sched.policy.workload_cycle
            && let Some(g) = self.store.pods[pod as usize].gang
        {
            self.podgroup_cycle(g, pod);
            return;
        }
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
            self.failed_scheduling_event(pod, Failure::PreFilter);
            self.unschedulable_patch(pod);
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
                    None => self.schedule_bind(pod, node),
                }
            }
            Decision::Preempt { node, victims } => {
                // The attempt failed before the preemption it leads to.
                self.failed_scheduling_event(pod, Failure::Preempting);
                self.preempt(pod, node, victims);
                self.sched.kube.pods[pod as usize].ts = now;
                self.sched.kube.pods[pod as usize].loc = Loc::Nominated;
                self.sched.kube.nominated.insert(pod);
            }
            Decision::Unschedulable { resources } => {
                self.failed_scheduling_event(pod, Failure::Filter);
                self.unschedulable_patch(pod);
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
                    if self.follow.is_some() {
                        self.follow_round(c, pod);
                    }
                }
                let q = &mut self.sched.kube.classes[c as usize];
                q.resources_rejected = resources;
                q.failed_at_generation = Some(generation);
                self.class_join(c, pod);
            }
        }
    }

    /// A pod's first failed attempt patches its `PodScheduled=False` condition through
    /// kube-scheduler's client (`handleSchedulingFailure` -> `updatePod` in kubernetes
    /// `pkg/scheduler/schedule_one.go`; asynchronous with SchedulerAsyncAPICalls, beta and on
    /// since 1.34): it takes a token and nothing waits for it. A preempting attempt's patch (with
    /// the nomination) is taken by the preemption. Later failures patch only when the
    /// condition's message changes, which kubesim does not follow: they take none.
    pub(super) fn unschedulable_patch(&mut self, pod: PodId) {
        if self.sched.kube.pods[pod as usize].attempts == 1 {
            self.api_send(crate::rate::Client::KubeScheduler);
        }
    }

    /// Record a FailedScheduling event (only when events are recorded: its message visits
    /// every node), with kube-scheduler's message (`diagnosis`).
    pub(crate) fn failed_scheduling_event(&mut self, pod: PodId, failure: Failure) {
        if !self.rec.record_events || !self.follow_wants_class(self.store.pods[pod as usize].class) {
            return;
        }
        let detail = self.failed_scheduling_message(pod, failure);
        self.follow_failed(&detail);
        let obj = self.pod_object(pod);
        self.event(|| obj, "FailedScheduling", || detail);
    }

    /// With a workload followed (`kubesim explain`): its pods among the class's waiting members
    /// failed this round too, with the head's message (`sim::follow`).
    fn follow_round(&mut self, c: ClassId, head: PodId) {
        let waiting = &self.sched.kube.classes[c as usize].waiting;
        let mates: Vec<PodId> = self
            .followed_pods()
            .into_iter()
            .filter(|&m| m != head && waiting.contains_key(&m))
            .collect();
        self.follow_class_round(&mates);
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
        std::rc::Rc::clone(&self.static_nodes(c).bits)
    }

    /// The class's static feasibility (`static_bitset`) and whether TaintToleration's score
    /// varies across those nodes, cached until nodes change.
    fn static_nodes(&mut self, c: ClassId) -> &StaticNodes {
        let gen_now = self.sched.kube.node_generation;
        let fresh = self.sched.kube.classes[c as usize]
            .static_ok
            .as_ref()
            .is_some_and(|s| s.generation == gen_now);
        if !fresh {
            let n = self.store.cluster.nodes.len();
            let mut bits = vec![0u64; n.div_ceil(64).max(1)];
            let mut soft_taints = false;
            let cons: &Constraints = &self.store.classes[c as usize].constraints;
            let any_taints = self.store.cluster.any_taints;
            for (i, node) in self.store.cluster.nodes.iter().enumerate() {
                if node.present && static_filter(cons, node).is_ok() {
                    bits[i / 64] |= 1 << (i % 64);
                    soft_taints |= any_taints && intolerable_prefer_no_schedule(cons, node) > 0;
                }
            }
            self.sched.kube.classes[c as usize].static_ok = Some(StaticNodes {
                generation: gen_now,
                bits: bits.into(),
                soft_taints,
            });
        }
        self.sched.kube.classes[c as usize]
            .static_ok
            .as_ref()
            .expect("just cached")
    }

    /// One scheduling attempt for a pod; reads the cluster, changes nothing but the
    /// round-robin start and the filter cache.
    pub(crate) fn decide(&mut self, pod: PodId) -> Decision {
        self.decide_with(pod, true)
    }

    /// `decide`, with or without the PostFilter (DefaultPreemption) when no node fits: a pod of
    /// a Workload Scheduling Cycle runs none (`podgroup`).
    pub(crate) fn decide_with(&mut self, pod: PodId, post_filter: bool) -> Decision {
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
        let statics = self.static_nodes(c);
        let (statics, soft_taints) = (std::rc::Rc::clone(&statics.bits), statics.soft_taints);
        let n = self.store.cluster.nodes.len();
        if n == 0 {
            return Decision::Unschedulable { resources: false };
        }
        let want = num_feasible_nodes_to_find(n);
        let start = self.next_start_node_checked(n);
        let by_state = !soft_taints && self.store.cluster.states.states().is_some();
        let (chosen, processed) = if by_state {
            self.choose_by_state(pod, &req, &statics, Round { start, want })
        } else {
            self.choose_by_node(pod, &req, &statics, Round { start, want })
        };
        if by_state && cfg!(debug_assertions) && n <= CROSS_CHECK_NODES {
            assert_eq!(
                (chosen, processed),
                self.choose_by_node(pod, &req, &statics, Round { start, want }),
                "node choice by state differs from the node-by-node one"
            );
        }
        self.sched.kube.next_start_node = (start + processed) % n;
        match chosen {
            Some(node) => Decision::Bind(node),
            None if !statics.iter().any(|w| *w != 0) => Decision::Unschedulable { resources: false },
            None if !post_filter => Decision::Unschedulable { resources: true },
            None => self.post_filter(pod, &statics),
        }
    }

    pub(crate) fn next_start_node_checked(&self, n: usize) -> usize {
        if self.sched.kube.next_start_node >= n {
            0
        } else {
            self.sched.kube.next_start_node
        }
    }

    /// Filter and Score node by node (SCH-C2, SCH-C3), as kube-scheduler does: visit the
    /// statically feasible nodes in round-robin order from `start` until `want` of them have
    /// room for the pod, then pick the best of those. Returns the node (None: none has room)
    /// and how many nodes the round robin went through (the next start moves that far).
    fn choose_by_node(&self, pod: PodId, req: &Res, statics: &[u64], round: Round) -> (Option<NodeId>, usize) {
        let Round { start, want } = round;
        let n = self.store.cluster.nodes.len();
        let gpu_bits = self.store.cluster.index.candidates(req.gpu_milli());
        let mut feasible: Vec<NodeId> = Vec::new();
        let mut found_at = None;
        // Visit candidate nodes in round-robin order from `start`, a 64-node word at a time.
        'scan: for (lo, hi) in [(start, n), (0, start)] {
            for (w, mask) in words_between(lo, hi) {
                let mut word = statics[w] & gpu_bits[w] & mask;
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
            }
        }
        let processed = found_at.map_or(n, |node| (node + n - start) % n + 1);
        if feasible.is_empty() {
            return (None, processed);
        }
        (Some(self.select_host(pod, &feasible)), processed)
    }

    /// `choose_by_node` by resource state (`model::cluster::StateIndex`), with the same
    /// answer: nodes in one state have the same free capacity and the same score, so each
    /// state is filtered and scored once; the feasible nodes of a 64-node word are the
    /// statically feasible ones in a fitting state, counted by popcount until the `want`-th
    /// (whose position ends the round robin's window); the best score's nodes are then
    /// visited in name order up to the first in the window. Nodes with nominated pods have a
    /// free capacity of their own (`free_for`) and are filtered and scored one by one. Only for
    /// classes whose TaintToleration score is the same on every node (`StaticNodes::soft_taints`
    /// false).
    fn choose_by_state(&mut self, pod: PodId, req: &Res, statics: &[u64], round: Round) -> (Option<NodeId>, usize) {
        let Round { start, want } = round;
        let cluster = &self.store.cluster;
        let states = cluster.states.states().expect("the state index is on");
        let n = cluster.nodes.len();
        let scoring = self.sched.kube.scoring;
        // The states with room for the pod, with their score (NodeResourcesFit +
        // BalancedAllocation; TaintToleration adds the same to every node).
        let mut fitting = std::mem::take(&mut self.sched.kube.scratch_states);
        fitting.clear();
        for (s, st) in states.iter().enumerate() {
            if st.nodes > 0 && req.fits_in(&st.free) {
                let (fit, balanced) = resource_scores(scoring, &st.alloc, st.nonzero, req);
                fitting.push((fit + balanced, s as u32));
            }
        }
        let nominated = &self.sched.kube.nominated_nodes;
        let any_nominated = self.sched.kube.nominated_count > 0;
        if fitting.is_empty() && !any_nominated {
            self.sched.kube.scratch_states = fitting;
            return (None, n);
        }
        let in_fitting =
            |w: usize, of: &[(i64, u32)]| of.iter().fold(0u64, |acc, &(_, s)| acc | states[s as usize].bits[w]);
        // Filter: count feasible nodes in round-robin order until `want`.
        let mut found = 0usize;
        let mut found_at = None;
        let mut nominated_feasible: Vec<NodeId> = Vec::new();
        'scan: for (lo, hi) in [(start, n), (0, start)] {
            for (w, mask) in words_between(lo, hi) {
                let candidates = statics[w] & mask;
                if candidates == 0 {
                    continue;
                }
                let mut feasible = candidates & in_fitting(w, &fitting);
                if any_nominated && candidates & nominated[w] != 0 {
                    let mut own = candidates & nominated[w];
                    feasible &= !own;
                    while own != 0 {
                        let node = w * 64 + own.trailing_zeros() as usize;
                        own &= own - 1;
                        if req.fits_in(&self.free_for(pod, node as NodeId)) {
                            feasible |= 1 << (node % 64);
                            nominated_feasible.push(node as NodeId);
                        }
                    }
                }
                let count = feasible.count_ones() as usize;
                if found + count >= want {
                    found_at = Some(w * 64 + nth_bit(feasible, want - found - 1));
                    found = want;
                    break 'scan;
                }
                found += count;
            }
        }
        if found == 0 {
            self.sched.kube.scratch_states = fitting;
            return (None, n);
        }
        let processed = found_at.map_or(n, |node| (node + n - start) % n + 1);
        // Score: the best (score, then name) among the feasible nodes of the window.
        let in_window = |node: usize| (node + n - start) % n < processed;
        let mut best: Best = None;
        for &node in &nominated_feasible {
            if !in_window(node as usize) {
                continue;
            }
            let nd = &cluster.nodes[node as usize];
            let (fit, balanced) = resource_scores(scoring, &nd.alloc, cluster.nonzero[node as usize], req);
            if better(best, fit + balanced, nd.name_rank) {
                best = Some((fit + balanced, nd.name_rank, node));
            }
        }
        // States from the best score down; the first with a node in the window decides, and
        // its nodes are visited in name order up to the first in the window.
        let best = best_in_states(states, &cluster.by_name, &mut fitting, best, |node| {
            let (w, bit) = (node / 64, 1u64 << (node % 64));
            statics[w] & bit != 0 && !(any_nominated && nominated[w] & bit != 0) && in_window(node)
        });
        self.sched.kube.scratch_states = fitting;
        (Some(best.expect("a feasible node in the window").2), processed)
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
                &node.alloc,
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
            if better(best, score, node.name_rank) {
                best = Some((score, node.name_rank, n));
            }
        }
        best.expect("non-empty").2
    }
}

/// Where an attempt's round robin over the nodes starts (`nextStartNodeIndex`) and how many
/// feasible nodes it looks for (`numFeasibleNodesToFind`, SCH-C2).
#[derive(Clone, Copy)]
struct Round {
    start: usize,
    want: usize,
}

/// `decide` checks the node choice by state against the node-by-node one in debug builds
/// (every test) up to this many nodes.
const CROSS_CHECK_NODES: usize = 5000;

/// The 64-node words of nodes `lo..hi`, each with the mask of its nodes in that range.
fn words_between(lo: usize, hi: usize) -> impl Iterator<Item = (usize, u64)> {
    let mut i = lo;
    std::iter::from_fn(move || {
        (i < hi).then(|| {
            let w = i / 64;
            let word_end = ((w + 1) * 64).min(hi);
            let mut mask = !0u64 << (i % 64);
            if !word_end.is_multiple_of(64) {
                mask &= (1u64 << (word_end % 64)) - 1;
            }
            i = word_end;
            (w, mask)
        })
    })
}

/// The position of the `k`-th set bit of `word` (from 0, lowest first); `word` has more than
/// `k` bits set.
fn nth_bit(mut word: u64, k: usize) -> usize {
    for _ in 0..k {
        word &= word - 1;
    }
    word.trailing_zeros() as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_cover_a_range_with_masks() {
        let words: Vec<(usize, u64)> = words_between(3, 130).collect();
        assert_eq!(words, vec![(0, !0u64 << 3), (1, !0), (2, 0b11)]);
        assert_eq!(words_between(64, 128).collect::<Vec<_>>(), vec![(1, !0)]);
        assert_eq!(words_between(5, 5).count(), 0);
        assert_eq!(words_between(70, 72).collect::<Vec<_>>(), vec![(1, 0b1100_0000)]);
    }

    #[test]
    fn nth_bit_counts_from_the_lowest() {
        let w = 0b1011_0100u64;
        assert_eq!((0..4).map(|k| nth_bit(w, k)).collect::<Vec<_>>(), vec![2, 4, 5, 7]);
    }
}
