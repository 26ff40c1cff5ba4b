//! The `kube-gang` policy: kube-scheduler's own gang scheduling as Kubernetes v1.37 runs it
//! (feature gate `GenericWorkload`, KEP-4671 "Scheduler Changes for Beta"; docs/kube-gang.md).
//! Every gang of the scenario is a pod group to it: a `scheduling.k8s.io` PodGroup (v1alpha2,
//! v1beta1) or a v1alpha1 Workload's pod group, and, as under `coscheduling`, a coscheduling or
//! Volcano PodGroup, a Volcano job's group and a `kubesim.io/gang-size` Job.
//!
//! - PreEnqueue (kubernetes `pkg/scheduler/framework/plugins/gangscheduling/gangscheduling.go`
//!   `preEnqueueHierarchiesDisabled`, read at commit `03789157`): a member does not enter the
//!   queue while fewer than `minCount` pods of its group exist (`AllPodsCount`: here the live
//!   members, bound or not, and the members that succeeded, whose pod objects remain); it
//!   waits, without an attempt, until a member is added (the plugin's
//!   `isSchedulableAfterPodAdded` hint).
//! - The Workload Scheduling Cycle (`pkg/scheduler/schedule_one_podgroup.go`
//!   `scheduleOnePodGroup`, `podGroupInfoForPod`, `submitPodGroupAlgorithmResult`, read at
//!   `008b3652`; `pkg/scheduler/algorithm_podgroup.go` `podGroupSchedulingDefaultAlgorithm`, read
//!   at `1ff291df`): when a member is popped, all the group's pending pods are taken out of the
//!   queue and placed one after the other in one snapshot, sorted by priority (highest first)
//!   then by their first attempt (here: creation order), each with the pod-by-pod cycle's Filter
//!   and Score and no PostFilter; a placed pod is assumed so the next ones see it.
//!   `PlacementFeasible` (`gangscheduling.go`) runs before the first pod and after each: with
//!   `scheduled` (members already bound, or that succeeded, as `Gang::is_partial` counts them,
//!   plus the ones placed) and `remaining` (pods not yet
//!   evaluated), the cycle stops when `scheduled + remaining < minCount`; it succeeds when
//!   `scheduled >= minCount` and at least one pod was placed in this cycle.
//! - Success: the placed pods go to their binding cycles (the DefaultBinder's Binding, as every
//!   pod); pods that found no node go back to the queue with the group's backoff.
//! - Failure: every assumption is undone, every member goes back to the queue, and the group
//!   backs off (`scheduling_queue.go` `AddAttemptedPodGroupIfNotPresent`: its `UnschedulableCount`
//!   grows and it enters backoffQ): the standard pod backoff of the group's count of failures,
//!   1 s doubling to 10 s, waited out in backoffQ (flushed on whole seconds) before the next
//!   cycle. Cluster events do not bring the retry forward (the group is in backoffQ, which
//!   QueueingHints do not move).
//!
//! Not simulated: workload-aware preemption (KEP-5710, merged into `GenericWorkload` in v1.37):
//! a gang never preempts under `kube-gang` (pods outside gangs keep DefaultPreemption);
//! topology constraints, DRA claims and the disruption mode of a PodGroup; CompositePodGroups.
//! With `SchedulerPopFromBackoffQ` (on by default) an idle queue pops a backing-off group at
//! once, which in real time repeats the cycle as fast as it runs; kubesim waits out the backoff
//! instead, as it does for coscheduling's rejected members.

use std::cmp::Reverse;

use super::{Decision, Loc};
use crate::model::cluster::NodeId;
use crate::model::gang::GangId;
use crate::sim::{PodId, World};

impl World {
    /// A member of gang `g` was popped: PreEnqueue, then the Workload Scheduling Cycle of its
    /// group.
    pub(crate) fn podgroup_cycle(&mut self, g: GangId, head: PodId) {
        let now = self.now();
        let gang = &self.store.gangs[g as usize];
        if gang.members.len() as u32 + gang.succeeded < gang.min_member {
            // PreEnqueue: "waiting for minCount pods from a gang to appear in scheduling queue".
            let st = &mut self.sched.kube.pods[head as usize];
            st.ts = now;
            st.loc = Loc::GangWait;
            self.sched.kube.gang_wait.insert(head);
            return;
        }
        let mut group = vec![head];
        let queued: Vec<PodId> = gang
            .members
            .iter()
            .copied()
            .filter(|&m| m != head && self.sched.kube.pods[m as usize].loc != Loc::None)
            .collect();
        for m in queued {
            self.sched_remove(m);
            group.push(m);
        }
        // podGroupInfoForPod: priority first, then the first attempt's timestamp.
        group.sort_by_key(|&m| {
            let prio = self.store.classes[self.store.pods[m as usize].class as usize].priority;
            (Reverse(prio), m)
        });
        let min = self.store.gangs[g as usize].min_member;
        let gang = &self.store.gangs[g as usize];
        let mut scheduled = gang.holding + gang.succeeded;
        let mut remaining = group.len() as u32;
        let mut placed: Vec<(PodId, NodeId)> = Vec::new();
        let mut unplaced: Vec<PodId> = Vec::new();
        if scheduled + remaining >= min {
            for &m in &group {
                self.sched.kube.pods[m as usize].attempts += 1;
                match self.decide_with(m, false) {
                    Decision::Bind(node) => {
                        self.clear_nomination_quiet(m);
                        self.reserve(m, node);
                        placed.push((m, node));
                        scheduled += 1;
                    }
                    _ => unplaced.push(m),
                }
                remaining -= 1;
                if scheduled + remaining < min {
                    break;
                }
            }
        }
        if scheduled >= min && !placed.is_empty() {
            let obj = self.store.gangs[g as usize].object.clone();
            let n = placed.len();
            self.event(|| obj, "PodGroupScheduled", || format!("{n} pods scheduled"));
            for &(m, _) in &placed {
                self.send_bind(m);
            }
            if unplaced.is_empty() {
                self.store.gangs[g as usize].group_failures = 0;
            } else {
                for &m in &unplaced {
                    self.failed_scheduling_event(m, super::diagnosis::Failure::PodGroup);
                }
                self.podgroup_backoff(g, &unplaced);
            }
            return;
        }
        // PlacementFeasible's message (or, with minCount met by bound members alone, the
        // framework's).
        let message = if scheduled >= min {
            "no pods were schedulable".to_string()
        } else {
            format!("minCount ({min}) cannot be satisfied: {scheduled} scheduled, {remaining} remaining")
        };
        // The events first: a pod's message is about the snapshot it failed in.
        for &m in &group {
            if unplaced.contains(&m) {
                self.failed_scheduling_event(m, super::diagnosis::Failure::PodGroup);
            } else {
                self.podgroup_rejected_event(m, &message);
            }
        }
        for &(m, _) in placed.iter().rev() {
            self.unreserve(m);
        }
        let obj = self.store.gangs[g as usize].object.clone();
        self.event(|| obj, "PodGroupUnschedulable", || message);
        self.podgroup_backoff(g, &group);
    }

    /// The group failed a cycle: its members wait out the group's backoff in backoffQ.
    fn podgroup_backoff(&mut self, g: GangId, pods: &[PodId]) {
        let gang = &mut self.store.gangs[g as usize];
        gang.group_failures += 1;
        let failures = gang.group_failures;
        for &m in pods {
            self.unschedulable_patch(m);
            self.sched.kube.pods[m as usize].attempts = failures;
            self.sched_backoff(m);
        }
    }

    /// A member that had a node in a cycle its group failed: rejected with the group's
    /// message (`submitPodGroupAlgorithmResult`).
    fn podgroup_rejected_event(&mut self, pod: PodId, message: &str) {
        if !self.rec.record_events || !self.follow_wants_class(self.store.pods[pod as usize].class) {
            return;
        }
        self.follow_failed(message);
        let obj = self.pod_object(pod);
        self.event(|| obj, "FailedScheduling", || message.to_string());
    }
}
