//! Kueue's waitForPodsReady (semantics.md KQ-W1..W4) as its Configuration sets it: the
//! PodsReady condition of admitted workloads, kept from a count of ready or succeeded pods
//! (`jobframework/reconciler.go` `generatePodsReadyCondition`); the timeout after admission and
//! the recovery timeout after PodsReady was lost (`workload_controller.go`
//! `reconcileNotReadyTimeout`, `admittedNotReadyWorkload`); eviction with the requeue backoff
//! (`pkg/workload/workload.go` `UpdateRequeueState`), or deactivation past
//! `backoffLimitCount` (`triggerDeactivation`) and the Job's deletion after
//! `objectRetentionPolicies.workloads.afterDeactivatedByKueue`; and blockAdmission
//! (`scheduler.go` `waitForPodsReadyIfNeeded`, `cache.go` `WaitForPodsReady`).

use super::WkState;
use crate::sim::{Ev, WlId, World, class};

impl World {
    /// waitForPodsReady (KQ-W3; `workload_controller.go` `reconcileNotReadyTimeout`): the
    /// admission's timeout, or the recovery timeout after PodsReady was lost, expired with the
    /// workload still not PodsReady. Past `backoffLimitCount` requeues the Workload is
    /// deactivated (`triggerDeactivation`), else evicted and requeued after its backoff.
    pub(crate) fn kueue_pods_ready(&mut self, wl: WlId, epoch: u32) {
        let Some(k) = self.sched.kueue.as_deref_mut() else {
            return;
        };
        let Some(w) = k.wls.get_mut(&wl).filter(|w| w.timer == Some(epoch)) else {
            // Made obsolete (and marked stale) since it was armed.
            self.engine.stale_fired();
            return;
        };
        w.timer = None;
        if w.epoch != epoch || w.state != WkState::Admitted || w.pods_ready {
            return;
        }
        let wf = k.cfg.wait_for_pods_ready.expect("waitForPodsReady on");
        let deactivate = wf.backoff_limit_count.is_some_and(|limit| w.requeue_count + 1 > limit);
        if deactivate {
            self.kueue_deactivate(wl);
        } else {
            self.kueue_evict(wl, "PodsReadyTimeout");
        }
    }

    /// Deactivate a Workload (`spec.active: false`, reason RequeuingLimitExceeded): evicted,
    /// never queued again; its Job stays suspended, or is deleted after
    /// `objectRetentionPolicies.workloads.afterDeactivatedByKueue`
    /// (`jobframework/reconciler.go` `handleWorkloadAfterDeactivatedPolicy`).
    pub(super) fn kueue_deactivate(&mut self, wl: WlId) {
        let now = self.now();
        let k = self.kq();
        k.wls.get_mut(&wl).expect("workload").deactivated = true;
        let delete_after = k.cfg.delete_after_deactivated_ms;
        self.store.workloads[wl as usize].reason = "Deactivated".into();
        self.kueue_evict(wl, "Deactivated");
        if let Some(after) = delete_after {
            self.engine
                .schedule(now.plus_ms(after), class::TIMER, Ev::KueueDeleteDeactivated { wl });
        }
    }

    /// A pod of a managed Job became ready (running) or succeeded (`delta` 1), or stopped
    /// being either (-1). PodsReady (KQ-W2) of an admitted workload follows: regained, it
    /// may unblock admission (blockAdmission); lost, the recovery timeout starts
    /// (`generatePodsReadyCondition`: WaitForRecovery).
    pub(crate) fn kueue_pod_readiness(&mut self, wl: WlId, delta: i32) {
        let now = self.now();
        let Some(k) = self.sched.kueue.as_deref_mut() else {
            return;
        };
        let Some(w) = k.wls.get_mut(&wl) else { return };
        w.ready = w.ready.checked_add_signed(delta).expect("ready pods counted");
        let ready = w.ready >= w.count;
        if w.state != WkState::Admitted || ready == w.pods_ready {
            return;
        }
        w.pods_ready = ready;
        w.epoch += 1;
        let epoch = w.epoch;
        let armed = w.timer.take().is_some();
        if ready {
            k.not_ready -= 1;
        } else {
            k.not_ready += 1;
        }
        let wf = k.cfg.wait_for_pods_ready;
        if armed {
            self.engine.mark_stale();
        }
        let Some(wf) = wf else { return };
        if ready {
            if k.blocked {
                self.kueue_kick();
            }
        } else if let Some(after) = wf.recovery_timeout_ms {
            self.kueue_arm(wl, epoch, now.plus_ms(after));
        }
    }

    /// Its PodsReady timer of `epoch`, at `at`.
    pub(super) fn kueue_arm(&mut self, wl: WlId, epoch: u32, at: crate::engine::SimTime) {
        self.kueue_disarm(wl);
        self.kq().wls.get_mut(&wl).expect("workload").timer = Some(epoch);
        self.engine.schedule(at, class::TIMER, Ev::KueuePodsReady { wl, epoch });
    }

    /// Its pending PodsReady timer, if any, will do nothing: marked stale.
    pub(super) fn kueue_disarm(&mut self, wl: WlId) {
        if self.kq().wls.get_mut(&wl).and_then(|w| w.timer.take()).is_some() {
            self.engine.mark_stale();
        }
    }

    /// blockAdmission (KQ-W4; `scheduler.go` `waitForPodsReadyIfNeeded`): some workload holding
    /// quota is not PodsReady, so nothing is admitted; the cycle runs again when that changes.
    pub(super) fn kueue_admission_blocked(&mut self) -> bool {
        let k = self.sched.kueue.as_deref().expect("kueue");
        if !k.cfg.wait_for_pods_ready.is_some_and(|wf| wf.block_admission) {
            return false;
        }
        let blocked = k.not_ready > 0;
        self.kq().blocked = blocked;
        blocked
    }
}
