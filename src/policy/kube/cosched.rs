//! The `coscheduling` policy: kube-scheduler plus the scheduler-plugins Coscheduling plugin
//! (semantics.md section 4): PreFilter rejects a member while fewer than `minMember` pods of its
//! group exist (CO-4), Permit holds reserved members until `minMember` are reserved or the wait
//! times out (CO-5, CO-7), and PostFilter rejects the waiting members when too many are missing
//! (CO-6, `podGroupRejectPercentage` 10 %). Every gang of the scenario is a pod group to the
//! plugin (a PodGroup object, a Volcano job's group, or a `kubesim.io/gang-size` Job).
//!
//! Differences: QueueSort's group timestamp is approximated by the scheduling queue's own order
//! (see `scheduler`); `minResources` and `podGroupBackoffSeconds` (default 0) are not modelled;
//! rejected members always wait out their pod backoff (1 s doubling to 10 s) in backoffQ, as the
//! error backoff does, even with popFromBackoffQ on.

use crate::model::cluster::NodeId;
use crate::model::gang::GangId;
use crate::policy::kube::Loc;
use crate::sim::{Ev, PodId, World, class};

/// podGroupRejectPercentage (CO-2).
const REJECT_PERCENTAGE: u32 = 10;

impl World {
    /// PreFilter: enough members exist (CO-4).
    pub(crate) fn cosched_prefilter(&self, g: GangId) -> bool {
        let gang = &self.store.gangs[g as usize];
        gang.members.len() as u32 >= gang.min_member
    }

    /// Reserve + Permit (CO-5): the member is assumed on the node; the group binds together
    /// once `minMember` members are reserved, or waits.
    pub(crate) fn cosched_reserve(&mut self, pod: PodId, node: NodeId, g: GangId) {
        let now = self.now();
        self.reserve(pod, node);
        self.pod_node_event(pod, "PodWaitingOnPermit", node);
        let gang = &mut self.store.gangs[g as usize];
        if gang.holding >= gang.min_member {
            gang.permit_deadline = None;
            gang.permit_gen += 1;
            for m in self.waiting_members(g) {
                self.send_bind(m);
            }
            return;
        }
        if gang.permit_deadline.is_none() {
            let at = now.plus_ms(gang.permit_timeout_ms);
            gang.permit_deadline = Some(at);
            gang.permit_gen += 1;
            let generation = gang.permit_gen;
            self.engine
                .schedule(at, class::TIMER, Ev::PermitTimeout { gang: g, generation });
        }
        // The first waiting member activates its siblings.
        let siblings: Vec<PodId> = self.store.gangs[g as usize]
            .members
            .iter()
            .copied()
            .filter(|&m| {
                matches!(
                    self.sched.kube.pods[m as usize].loc,
                    Loc::Unschedulable | Loc::GangWait | Loc::Backoff
                )
            })
            .collect();
        for m in siblings {
            self.sched_activate(m);
        }
    }

    /// PostFilter (CO-6): a member found no node.
    pub(crate) fn cosched_post_filter(&mut self, g: GangId) {
        let gang = &self.store.gangs[g as usize];
        if gang.holding == 0 || !self.cosched_rejects(gang) {
            return;
        }
        self.cosched_reject(g, "PodGroupRejected");
    }

    /// Does PostFilter reject the group of a member that found no node (CO-6)? Not once enough
    /// members hold a node, nor while at most `podGroupRejectPercentage` of `minMember` is
    /// missing (only this pod fails; the waiting members keep waiting). A formed group's
    /// replacement members are placed one by one: nothing waits to reject.
    pub(crate) fn cosched_rejects(&self, gang: &crate::model::gang::Gang) -> bool {
        !gang.formed
            && gang.holding < gang.min_member
            && (gang.min_member - gang.holding) * 100 > REJECT_PERCENTAGE * gang.min_member
    }

    /// A Permit wait expired (CO-7): every waiting member is rejected.
    pub(crate) fn cosched_timeout(&mut self, g: GangId, generation: u32) {
        if self.store.gangs[g as usize].permit_gen != generation {
            return;
        }
        self.cosched_reject(g, "PermitTimeout");
    }

    /// Members reserved and waiting at Permit.
    pub(crate) fn waiting_members(&self, g: GangId) -> Vec<PodId> {
        self.store.gangs[g as usize]
            .members
            .iter()
            .copied()
            .filter(|&m| self.store.pods[m as usize].waiting)
            .collect()
    }

    pub(crate) fn cosched_reject(&mut self, g: GangId, why: &'static str) {
        let waiting = self.waiting_members(g);
        if waiting.is_empty() {
            return;
        }
        let now = self.now();
        let gang = &mut self.store.gangs[g as usize];
        gang.permit_deadline = None;
        gang.permit_gen += 1;
        gang.last_failure = Some(now);
        let obj = gang.object.clone();
        let n = waiting.len();
        self.event(
            || obj,
            "PodGroupRejected",
            || format!("{why}: {n} waiting pods rejected"),
        );
        self.follow_permit_rejected(g, &waiting, why);
        for m in waiting {
            self.unreserve(m);
            self.sched_backoff(m);
        }
        // A failed binding cycle moves the other waiting pods as an assigned-pod deletion
        // would (kube-scheduler `handleBindingCycleError`); the rejected ones wait out their
        // backoff, so two groups that keep rejecting each other retry once a second, not in a
        // loop within one instant.
        self.sched_on_release();
    }
}
