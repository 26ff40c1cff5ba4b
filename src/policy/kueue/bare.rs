//! Bare Kueue Workloads: `kueue.x-k8s.io` Workload objects created without a Job, as Kueue's
//! scheduler performance test creates them (kueue `test/performance/scheduler/runner`).
//!
//! Such a Workload queues in its ClusterQueue like a Job's (its request is the sum over its pod
//! sets of `count` times the template's requests; its priority is `spec.priority`, 0 if unset:
//! kueue `pkg/util/priority/priority.go` `Priority`). Once admitted it holds its quota for its
//! run time, then finishes and releases it: the performance test's runner marks it Finished
//! that long after it saw it admitted (`runner/controller/controller.go` `Reconcile`). It creates
//! no pods, so it is PodsReady at once (waitForPodsReady never evicts it) and uses no node.
//! Evicted (preempted), it loses its quota reservation at once (the runner clears it:
//! `UnsetQuotaReservationWithCondition`) and queues again; its run time starts over at its next
//! admission. Under a policy other than `kueue` nothing admits it: it stays Pending, reason
//! `NoKueue`.

use super::WkState;
use crate::model::store::WlState;
use crate::sim::{Ev, WlId, World, class};

/// jobs.csv reason of a bare Workload waiting for quota.
pub(crate) const NOT_ADMITTED: &str = "NotAdmitted";

impl World {
    /// A bare Workload was created: Kueue queues it; without Kueue nothing will.
    pub(crate) fn kueue_workload_created(&mut self, wl: WlId) {
        if self.sched.kueue.is_none() {
            self.store.workloads[wl as usize].reason = "NoKueue".into();
            return;
        }
        self.store.workloads[wl as usize].reason = NOT_ADMITTED.into();
        self.kueue_created(wl);
    }

    /// Whether `wl` is a bare Kueue Workload.
    pub(crate) fn is_bare_workload(&self, wl: WlId) -> bool {
        self.store.protos[self.store.workloads[wl as usize].proto as usize]
            .spec
            .is_bare()
    }

    /// Admitted (admission `epoch`): it runs for its run time from now.
    pub(super) fn kueue_bare_started(&mut self, wl: WlId, epoch: u32) {
        let now = self.now();
        self.bare_holds(wl, true);
        let w = &mut self.store.workloads[wl as usize];
        w.start.get_or_insert(now);
        w.state = WlState::Running;
        w.reason.clear();
        let proto = &self.store.protos[w.proto as usize];
        let run_ms = w.duration_ms.or(proto.template(0).hints.duration_ms).or(w.default_ms);
        if let Some(ms) = run_ms {
            self.engine
                .schedule(now.plus_ms(ms), class::TIMER, Ev::KueueWorkloadFinish { wl, epoch });
        }
    }

    /// Its run time since admission `epoch` is over: it is Finished and releases its quota.
    pub(crate) fn kueue_workload_finish(&mut self, wl: WlId, epoch: u32) {
        let Some(k) = self.sched.kueue.as_deref() else { return };
        if k.wls
            .get(&wl)
            .is_none_or(|w| w.epoch != epoch || w.state != WkState::Admitted)
        {
            return;
        }
        let now = self.now();
        self.bare_holds(wl, false);
        let w = &mut self.store.workloads[wl as usize];
        w.finish = Some(now);
        w.state = WlState::Complete;
        let obj = self.wl_object(wl);
        self.event(|| obj, "WorkloadFinished", String::new);
        self.kueue_job_done(wl);
    }

    /// Its eviction is seen: its quota reservation goes at once (it has no pods to stop) and it
    /// waits again.
    pub(super) fn kueue_bare_stopped(&mut self, wl: WlId) {
        self.bare_holds(wl, false);
        let w = &mut self.store.workloads[wl as usize];
        w.state = WlState::Pending;
        if w.reason.is_empty() {
            w.reason = NOT_ADMITTED.into();
        }
    }

    /// A bare Workload starts (`on`) or stops holding its requests (its pod sets' counts times
    /// their pods' requests) for its queue and namespace, as a Job's running pods would.
    fn bare_holds(&mut self, wl: WlId, on: bool) {
        let Some(w) = self.sched.kueue.as_deref_mut().and_then(|k| k.wls.get_mut(&wl)) else {
            return;
        };
        if w.holds == on {
            return;
        }
        w.holds = on;
        let proto = &self.store.protos[self.store.workloads[wl as usize].proto as usize];
        let mut req = crate::model::cluster::Res::default();
        for t in &proto.tasks {
            let per_pod = self.store.classes[t.class as usize].req;
            for (r, p) in req.0.iter_mut().zip(per_pod.0) {
                *r = r.saturating_add(p.saturating_mul(i64::from(t.replicas)));
            }
        }
        self.workload_holds(wl, &req, if on { 1 } else { -1 });
    }

    /// A preemption of a bare Workload, counted as a Job's evicted pods are.
    pub(super) fn count_workload_eviction(&mut self, wl: WlId) {
        let w = &mut self.store.workloads[wl as usize];
        w.preemptions += 1;
        self.rec.preemptions += 1;
        let q = self.store.protos[w.proto as usize].queue as usize;
        self.rec.queue_evictions[q][0] += 1;
    }
}
