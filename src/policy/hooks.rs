//! The policy's extension points as the rest of the World sees them. The model and the
//! controllers call these hooks; each dispatches on the run's [`Placer`] and plugins, so no code
//! outside `policy/` asks which policy runs. A new placer adds its arm here.
//!
//! Order of calls within a change is fixed by the callers (ARCHITECTURE.md, "Fan-out of a
//! change"); a hook only schedules the placer's own events (a cycle, a session), never acts on
//! another part.

use super::Placer;
use crate::model::gang::GangId;
use crate::sim::{PodId, World};

impl World {
    /// A new pod waits for a node: the placer's queue takes it. Pods that name their node
    /// (`spec.nodeName`) always go through kube-scheduler's queue, which binds them directly.
    pub(crate) fn policy_pod_pending(&mut self, pod: PodId) {
        let class = self.store.pods[pod as usize].class;
        if self.sched.policy.placer == Placer::Volcano && self.store.classes[class as usize].node_name.is_none() {
            self.volcano_add(pod);
        } else {
            self.sched_add(pod);
        }
    }

    /// An unbound pod was deleted: it leaves whichever queue holds it.
    pub(crate) fn policy_pod_dequeued(&mut self, pod: PodId) {
        if self.sched.volcano.waiting[pod as usize] {
            self.volcano_remove(pod);
        } else {
            self.sched_remove(pod);
        }
    }

    /// A gang gained a member (coscheduling's PreFilter may now pass for its waiting pods).
    pub(crate) fn policy_gang_member_added(&mut self, g: GangId) {
        if self.sched.policy.coscheduling {
            self.sched_gang_member_added(g);
        }
    }

    /// A bound pod released its resources.
    pub(crate) fn policy_resources_released(&mut self) {
        self.sched_on_release();
        self.policy_session_wanted();
    }

    /// Nodes changed in a way that may make room: a node joined or came back, a taint went.
    pub(crate) fn policy_nodes_changed(&mut self) {
        self.sched_on_node_change();
        self.policy_session_wanted();
    }

    /// A taint was added to a node. It never makes room, so volcano-scheduler's next session
    /// is not brought forward; kube-scheduler refreshes its node view.
    pub(crate) fn policy_node_tainted(&mut self) {
        self.sched_on_node_change();
    }

    /// Something a volcano session acts on changed (a PodGroup, a job's pods, a release).
    pub(crate) fn policy_session_wanted(&mut self) {
        if self.sched.policy.placer == Placer::Volcano {
            self.volcano_kick();
        }
    }

    /// Whether the placer has an enqueue step that moves PodGroups to Inqueue (volcano's
    /// enqueue action); without one a PodGroup is Inqueue at once (VC-G1).
    pub(crate) fn policy_enqueues_pod_groups(&self) -> bool {
        self.sched.policy.placer == Placer::Volcano
    }

    /// The placer's own invariants, checked with the World's (`--check-invariants`).
    pub(crate) fn policy_check(&self) {
        if self.sched.policy.placer == Placer::Volcano {
            self.volcano_check();
        }
    }
}
