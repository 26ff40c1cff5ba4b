//! Kueue's API client: every write Kueue makes passes one client-go token bucket
//! ([`crate::rate`]), Kueue's manager client (`clientConnection` QPS 300, burst 500 by default:
//! kueue `apis/config/v1beta2/defaults.go`; its scheduler performance test runs a minimal Kueue
//! at 50 / 100: `test/performance/scheduler/minimalkueue/main.go`), in the order Kueue issues
//! them. Writes modelled (kueue `pkg/scheduler/scheduler.go`, `pkg/scheduler/preemption`,
//! `pkg/controller/jobframework/reconciler.go`):
//! - admission: the scheduler reserves the quota in its cache at once and sends the Workload's
//!   status patch (QuotaReserved and Admitted) from a goroutine (`admit`,
//!   `admissionRoutineWrapper`): the cycle does not wait for it. The admission is seen when the
//!   patch is sent: a bare Workload's run time starts then; for a Job, Kueue's job reconciler
//!   then resumes the Job, a second write (`startJob`: the Job's update);
//! - eviction by preemption: the scheduler patches each victim's Evicted condition within its
//!   cycle (`IssuePreemptions` waits for them), so the next cycle starts once the last is sent;
//!   the eviction is seen when it is sent: a Job is then suspended by the job reconciler (a
//!   second write), a bare Workload's reservation is cleared;
//! - a pending Workload's status (`requeueAndUpdate`: QuotaReserved=False with the reason and
//!   message, written when they change): sent within the cycle, which waits for it.
//!
//! Evictions for PodsReady timeouts and deactivation are the workload controller's: sent
//! without holding the scheduler. When a write goes out at once (tokens left, or
//! `clientRateLimits.enabled: false`) it takes effect in the same instant, as before client
//! limits were modelled, so a run that never runs out of tokens has the same results.
//! The ClusterQueue and LocalQueue controllers' status writes are in `queue_status` (on this
//! bucket, or on one per kind with `clientRateLimits.kueue.perKind`). Not modelled: event
//! writes, and reads (served from Kueue's informer cache); writes are seen by
//! other components when sent, plus the watch delay (`latencies.watch`, default 0).

use crate::engine::SimTime;
use crate::sim::{Ev, WlId, World, class};

use super::WkState;

/// What a Kueue write does once it is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KueueStep {
    /// The admission patch: a bare Workload starts, a Job's reconciler resumes the Job.
    AdmissionSeen,
    /// The job reconciler's update: the Job is resumed.
    Resume,
    /// The eviction patch: a Job's reconciler suspends the Job, a bare Workload's reservation
    /// is cleared.
    EvictionSeen,
    /// The job reconciler's update: the Job is suspended.
    Suspend,
}

impl World {
    /// Kueue issues a write now: when it is sent. `blocking`: the scheduler waits for it (its
    /// next cycle starts no earlier).
    pub(super) fn kueue_write(&mut self, blocking: bool) -> SimTime {
        let due = self.api_send(crate::sim::Client::Kueue);
        if blocking {
            let k = self.kq();
            k.busy_until = k.busy_until.max(due);
        }
        due
    }

    /// Issues a write for `wl`'s admission `epoch` whose effect is `step`: in this instant if
    /// it is sent now, else when it is sent.
    pub(super) fn kueue_send(&mut self, wl: WlId, epoch: u32, step: KueueStep, blocking: bool) {
        // The job reconciler sees the write one watch delay after it is sent.
        let due = self.kueue_write(blocking).plus_ms(self.cfg.lat.watch_ms);
        if due == self.now() {
            self.kueue_step(wl, epoch, step);
        } else {
            self.engine.schedule(due, class::API, Ev::KueueStep { wl, epoch, step });
        }
    }

    /// A Kueue write for admission `epoch` of `wl` was sent: its effect, unless the Workload
    /// has moved on (finished, or admitted or evicted again).
    pub(crate) fn kueue_step(&mut self, wl: WlId, epoch: u32, step: KueueStep) {
        let Some(w) = self.sched.kueue.as_deref().and_then(|k| k.wls.get(&wl)) else {
            return;
        };
        let want = match step {
            KueueStep::AdmissionSeen | KueueStep::Resume => WkState::Admitted,
            KueueStep::EvictionSeen | KueueStep::Suspend => WkState::Evicting,
        };
        if w.epoch != epoch || w.state != want {
            return;
        }
        let bare = self.is_bare_workload(wl);
        match step {
            KueueStep::AdmissionSeen if bare => self.kueue_bare_started(wl, epoch),
            KueueStep::AdmissionSeen => self.kueue_send(wl, epoch, KueueStep::Resume, false),
            KueueStep::Resume => self.job_set_suspend(wl, false),
            KueueStep::EvictionSeen if bare => {
                self.kueue_bare_stopped(wl);
                self.kueue_pod_gone(wl);
            }
            KueueStep::EvictionSeen => self.kueue_send(wl, epoch, KueueStep::Suspend, false),
            KueueStep::Suspend => {
                self.job_set_suspend(wl, true);
                self.kueue_pod_gone(wl);
            }
        }
    }
}
