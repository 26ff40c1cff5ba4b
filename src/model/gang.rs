//! Gangs and deadlock (contract.md section 4). A gang is a group of pods that does work only
//! when at least `min_member` of them run together, as distributed-training ranks wait at a
//! rendezvous: a member that runs before its gang is whole holds its resources and does nothing.
//! Gangs come from a Volcano job's PodGroup, a PodGroup object that pods join (label
//! `scheduling.x-k8s.io/pod-group` or annotation `scheduling.k8s.io/group-name`), or a Job
//! annotated `kubesim.io/gang-size`. The rules hold under every policy; only the schedulers
//! differ in whether they place gangs whole.
//!
//! Deadlock detection is exact for the definition: at least one gang is partial (some but not
//! all of its `min_member` pods hold resources), and no partial gang could get the rest of its
//! pods even if every pod that is doing work (and every pod being deleted) released its
//! resources. Checked at the end of every instant in which a partial gang exists and something
//! changed; a run without partial gangs pays one comparison per change.
//!
//! Once formed, a gang keeps working if it later loses members (the model does not stall the
//! survivors); what a controller does about a lost member is its own policy.
//!
//! This module holds the records (`Gang`, `DeadlockState`); `sim::gangs` keeps them in step
//! with the write path and runs the deadlock check.

use crate::engine::SimTime;
use crate::model::store::{ClassId, PodId, WlId};

pub type GangId = u32;

#[derive(Clone, Debug)]
pub struct Gang {
    /// `namespace/name` for events.
    pub object: String,
    pub min_member: u32,
    /// Live member pods (created, not terminal), in creation order.
    pub members: Vec<PodId>,
    /// Live members holding resources on a node (bound, or reserved at Permit).
    pub holding: u32,
    /// Live members whose container runs.
    pub running: u32,
    /// GPU milli held by holding members.
    pub held_gpu_milli: i64,
    /// The gang has had `min_member` members running together.
    pub formed: bool,
    /// The class of a member to stand for members not created yet (deadlock check).
    pub member_class: Option<ClassId>,
    /// Owning workload (Volcano job or annotated Job), if any.
    pub wl: Option<WlId>,
    /// Members ever created.
    pub created: u32,
    /// Members that succeeded while bound: pods the gang needs no more (a gang whose members
    /// end at different times is not partial for the ones still running).
    pub succeeded: u32,
    /// Coscheduling: the Permit wait deadline of the waiting members, its timer generation,
    /// the wait timeout, and the time of the group's last failure.
    pub permit_deadline: Option<SimTime>,
    pub permit_gen: u32,
    pub permit_timeout_ms: u64,
    pub last_failure: Option<SimTime>,
    /// kube-gang: the failed Workload Scheduling Cycles of the group since it last bound whole
    /// (its `UnschedulableCount`, which sets its backoff).
    pub group_failures: u32,
}

impl Gang {
    pub fn new(object: String, min_member: u32, wl: Option<WlId>) -> Gang {
        Gang {
            object,
            min_member: min_member.max(1),
            members: Vec::new(),
            holding: 0,
            running: 0,
            held_gpu_milli: 0,
            formed: false,
            member_class: None,
            wl,
            created: 0,
            succeeded: 0,
            permit_deadline: None,
            permit_gen: 0,
            permit_timeout_ms: 60_000,
            last_failure: None,
            group_failures: 0,
        }
    }

    /// Some but not all of the pods it needs are bound (those that succeeded it needs no
    /// more).
    pub fn is_partial(&self) -> bool {
        self.holding > 0 && self.holding.saturating_add(self.succeeded) < self.min_member
    }
}

/// Deadlock bookkeeping of a run.
#[derive(Clone, Debug, Default)]
pub struct DeadlockState {
    pub since: Option<SimTime>,
    pub episodes: u64,
    pub total_ms: u64,
    pub(crate) check_scheduled: bool,
}
