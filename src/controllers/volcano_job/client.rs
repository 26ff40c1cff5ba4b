//! The Volcano job controller's writes through volcano-controller-manager's client (50 QPS,
//! burst 100), as `pkg/controllers/job/job_controller_actions.go` issues them:
//! - a new job's first sync (`initiateJob`): `initJobStatus` writes the job's status (phase
//!   Pending), then `createOrUpdatePodGroup` creates its PodGroup; the PodGroup exists (the
//!   scheduler can enqueue it) when that create is sent;
//! - `syncJob` creates the missing pods (one goroutine each, `super::World::vc_sync`), waits for
//!   them, then updates the job's status when it changed (`reflect.DeepEqual`);
//! - `killPods` (a restart, an abort, completion, a terminal phase) deletes the pods to kill
//!   (one goroutine each: a pod's deletion starts when its delete is sent), updates the status,
//!   and on a whole-job kill deletes the PodGroup; after a restart's kill the next sync creates
//!   a new PodGroup (`createOrUpdatePodGroup` finding none);
//! - every pod change (created, running, finished, deleted) is a request of its own (`updatePod`:
//!   the request names the pod) whose sync writes the status if its counts changed.
//!
//! A job's requests run one at a time on its worker (`getWorkerQueue`: a job's key hashes to one
//! of the controller's workers), which waits for each write: so a job has at most one status
//! write in flight, and the changes made meanwhile are written together by the next (the syncs
//! between them find the status already up to date). The job reaches its terminal phase
//! (`Completed`, `Failed`, ...) when the status write carrying it is sent.
//!
//! Approximations: a job's pod creates and deletes are issued when kubesim's sync runs, not
//! after the job's status write in flight (the bucket is first come first served, so this
//! changes only their order against other jobs' writes issued meanwhile); the PodGroup delete is
//! sent once per kill (Volcano retries it while its lister still has the PodGroup); events
//! (`recorder.Event`) and the PodGroup updates of `createOrUpdatePodGroup` (only when the
//! job's spec changed) take no token. With client limits off none of this applies: the
//! controller writes in zero time, as before the limits were modelled.

use crate::engine::SimTime;
use crate::rate::Client;
use crate::sim::{Ev, PodId, WlId, World, class};

use super::VcPhase;

/// A write of the Volcano job controller that was issued earlier and is sent now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VcWrite {
    /// The new job's first status update: the PodGroup create is issued next.
    InitStatus,
    /// The PodGroup create (`first`: the job's first, whose creation is an event): it exists
    /// from now on.
    PodGroup { first: bool },
    /// A status update.
    Status,
    /// A pod's delete: its deletion starts.
    Delete(PodId, VcDeleteReason),
}

/// Why the controller deletes a pod (the `PodDeleted` event's detail).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VcDeleteReason {
    /// A kill: a restart, an abort, completion.
    Kill,
    /// The job ended with pods still running (`minSuccess`).
    Finished,
}

impl VcDeleteReason {
    fn as_str(self) -> &'static str {
        match self {
            VcDeleteReason::Kill => "VolcanoJobKill",
            VcDeleteReason::Finished => "VolcanoJobFinished",
        }
    }
}

/// A job's writes in flight.
#[derive(Clone, Debug, Default)]
pub struct VcWrites {
    /// A status update is in flight (the job's worker waits for it).
    in_flight: bool,
    /// The status changed after the update in flight was issued.
    dirty: bool,
    /// The update in flight carries the terminal phase.
    carries_final: bool,
    /// The terminal phase the controller reached, not written yet.
    final_phase: Option<VcPhase>,
    /// Status updates issued or folded into the next: tells a caller whether its handling
    /// already wrote the status.
    touched: u32,
    /// The job's current PodGroup is not created yet (its create is not sent).
    pub(crate) pg_absent: bool,
}

impl World {
    /// Whether the Volcano job controller's writes pass its client's bucket.
    pub(crate) fn vc_limited(&self) -> bool {
        self.api_limited(Client::VolcanoControllerManager)
    }

    /// Write `write` when its token is due: now if one is left, else at its time.
    fn vc_issue(&mut self, wl: WlId, write: VcWrite) {
        let now = self.now();
        let sent: SimTime = self.api_send(Client::VolcanoControllerManager);
        if sent == now {
            self.vc_write_sent(wl, write);
        } else {
            self.engine.schedule(sent, class::API, Ev::VcWrite { wl, write });
        }
    }

    /// A new job's first sync: its status, then its PodGroup (`initiateJob`).
    pub(super) fn vc_initiate(&mut self, wl: WlId) {
        self.vc(wl).writes.pg_absent = true;
        self.vc_issue(wl, VcWrite::InitStatus);
    }

    /// After a restart's kill: the status (phase Pending), then a new PodGroup.
    pub(super) fn vc_recreate_pod_group(&mut self, wl: WlId) {
        self.vc(wl).writes.pg_absent = true;
        self.vc_status_write(wl);
        self.vc_issue(wl, VcWrite::PodGroup { first: false });
    }

    /// Delete the pod of a job being killed: at once without limits, else when the delete is
    /// sent.
    pub(super) fn vc_delete(&mut self, wl: WlId, pod: PodId, reason: VcDeleteReason) {
        self.store.pods[pod as usize].counted = true; // deleted by its controller
        if self.vc_limited() {
            self.vc_issue(wl, VcWrite::Delete(pod, reason));
        } else {
            self.delete_pod(pod, reason.as_str(), None);
        }
    }

    /// A whole-job kill's PodGroup delete (nothing waits for it).
    pub(super) fn vc_delete_pod_group(&mut self) {
        if self.vc_limited() {
            self.api_send(Client::VolcanoControllerManager);
        }
    }

    /// The job's status changed: write it, or fold the change into the next update when one
    /// is in flight.
    pub(super) fn vc_status_write(&mut self, wl: WlId) {
        // Without limits nothing waits; once its terminal phase is written, the job is over.
        if !self.vc_limited() || self.store.workloads[wl as usize].finish.is_some() {
            return;
        }
        let w = &mut self.vc(wl).writes;
        w.touched = w.touched.wrapping_add(1);
        if w.in_flight {
            w.dirty = true;
            return;
        }
        w.in_flight = true;
        w.dirty = false;
        w.carries_final = w.final_phase.is_some();
        let sent = self.api_send(Client::VolcanoControllerManager);
        self.engine.schedule(
            sent,
            class::API,
            Ev::VcWrite {
                wl,
                write: VcWrite::Status,
            },
        );
    }

    /// How many status updates the job's handling issued so far (see `vc_status_write`).
    pub(super) fn vc_status_touched(&self, wl: WlId) -> u32 {
        self.store.workloads[wl as usize]
            .vc
            .as_deref()
            .map_or(0, |v| v.writes.touched)
    }

    /// The job reached terminal phase `phase` (client limits on): it is that phase once the
    /// status update carrying it is sent.
    pub(super) fn vc_write_final(&mut self, wl: WlId, phase: VcPhase) {
        self.vc(wl).writes.final_phase = Some(phase);
        self.vc_status_write(wl);
    }

    /// A write issued earlier is sent.
    pub(crate) fn vc_write_sent(&mut self, wl: WlId, write: VcWrite) {
        match write {
            VcWrite::InitStatus => self.vc_issue(wl, VcWrite::PodGroup { first: true }),
            VcWrite::PodGroup { first } => {
                let now = self.now();
                let vc = self.vc(wl);
                vc.writes.pg_absent = false;
                vc.pg_created = now;
                let min = vc.min_available;
                if first {
                    let obj = self.wl_object(wl);
                    self.event(|| obj, "PodGroupCreated", || format!("minMember {min}"));
                }
                self.vc_pg_created(wl);
            }
            VcWrite::Status => {
                let w = &mut self.vc(wl).writes;
                w.in_flight = false;
                if w.carries_final {
                    self.vc_finish_written(wl);
                } else if w.dirty {
                    self.vc_status_write(wl);
                }
            }
            VcWrite::Delete(pod, reason) => self.delete_pod(pod, reason.as_str(), None),
        }
    }
}
