//! The Volcano job controller (batch.volcano.sh/v1alpha1 Job) after volcano-sh/volcano
//! `pkg/controllers/job` (semantics.md 5.1-5.3): webhook defaults (VC-J1), the PodGroup it
//! creates and pods created only once the PodGroup is Inqueue (VC-J2, J3), policies matched
//! task level first, then job level (VC-P1..P4), job phases with maxRetry (VC-S1..S4).
//!
//! Its writes (the job's status, its PodGroup, pod creations and deletions) pass the
//! controller's client (volcano-controller-manager, 50 QPS / burst 100): `client`.
//! Differences: the controller reacts in zero time (but for its writes' tokens); policy `timeout`s, `RestartPartition`,
//! `ResumeJob` and `OutOfSync`/`CommandIssued` events are not modelled (they are accepted and
//! never fire); `Aborted` is final.

use crate::engine::SimTime;
use crate::input::spec::{VcAction, VcEvent, VcPolicy, VolcanoJobSpec, WorkloadKind};
use crate::model::gang::GangId;
use crate::observe::record::WlState;
use crate::sim::{Ev, Phase, PodId, WlId, World, class};

mod client;
pub use client::{VcDeleteReason, VcWrite, VcWrites};

/// Phase of a Volcano job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VcPhase {
    Pending,
    Running,
    Restarting,
    Completing,
    Completed,
    Failed,
    Aborting,
    Aborted,
    Terminating,
    Terminated,
}

/// PodGroup phase (VC-G1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PgPhase {
    Pending,
    Inqueue,
    Running,
}

#[derive(Clone, Debug)]
pub struct VcJobState {
    pub phase: VcPhase,
    pub min_available: u32,
    pub max_retry: u32,
    pub retry_count: u32,
    pub min_success: Option<u32>,
    pub queue: String,
    /// The current PodGroup (a new one after each RestartJob).
    pub gang: GangId,
    pub pg_phase: PgPhase,
    pub pg_created: SimTime,
    /// Current pod of each (task, index), if any.
    pub slots: Vec<Vec<Option<PodId>>>,
    /// Per task: replicas that succeeded / failed (terminal, kept).
    pub succeeded: Vec<u32>,
    pub failed: Vec<u32>,
    /// Phase to reach once every pod has terminated (after a kill).
    pub after_kill: Option<VcPhase>,
    pub reason: &'static str,
    /// Consecutive syncs with a pod create refused (ResourceQuota): the controller's rate
    /// limiter count.
    pub api_failures: u32,
    /// A rate-limited retry is scheduled (one at a time).
    pub resync_pending: bool,
    /// Slots (task, index) whose pod create is issued and not sent yet (client limits), with
    /// the retry count it was issued at.
    pub creating: std::collections::BTreeMap<(u16, u32), u32>,
    /// Its writes in flight (client limits on).
    pub writes: VcWrites,
}

impl VcJobState {
    /// Whether its PodGroup exists (its create is sent) and waits for the enqueue action.
    pub fn pg_enqueueable(&self) -> bool {
        self.pg_phase == PgPhase::Pending && self.after_kill.is_none() && !self.writes.pg_absent
    }
}

impl VcJobState {
    fn replicas(&self) -> u32 {
        self.slots.iter().map(|s| s.len() as u32).sum()
    }
}

fn vc_spec(ws: &crate::input::spec::WorkloadSpec) -> &VolcanoJobSpec {
    match &ws.kind {
        WorkloadKind::VolcanoJob(v) => v,
        _ => unreachable!("not a Volcano job"),
    }
}

impl World {
    pub(crate) fn vc(&mut self, wl: WlId) -> &mut VcJobState {
        self.store.workloads[wl as usize]
            .vc
            .as_deref_mut()
            .expect("a Volcano job")
    }

    /// A Volcano job was created: apply the webhook defaults and create its PodGroup.
    pub(crate) fn vc_created(&mut self, wl: WlId) {
        let now = self.now();
        let ws = self.store.protos[self.store.workloads[wl as usize].proto as usize]
            .spec
            .clone();
        let spec = vc_spec(&ws);
        let task_min: u32 = spec.tasks.iter().map(|t| t.min_available.unwrap_or(t.replicas)).sum();
        let min_available = spec.min_available.unwrap_or(task_min);
        let obj = self.wl_object(wl);
        let gang = self.new_gang(format!("{obj}-pg0"), min_available, Some(wl));
        let state = VcJobState {
            phase: VcPhase::Pending,
            min_available,
            max_retry: spec.max_retry.unwrap_or(3),
            retry_count: 0,
            min_success: spec.min_success,
            queue: spec.queue.clone().unwrap_or_else(|| "default".into()),
            gang,
            pg_phase: PgPhase::Pending,
            pg_created: now,
            slots: spec.tasks.iter().map(|t| vec![None; t.replicas as usize]).collect(),
            succeeded: vec![0; spec.tasks.len()],
            failed: vec![0; spec.tasks.len()],
            after_kill: None,
            reason: "",
            api_failures: 0,
            resync_pending: false,
            creating: std::collections::BTreeMap::new(),
            writes: VcWrites::default(),
        };
        self.store.workloads[wl as usize].vc = Some(Box::new(state));
        self.ctl.vc_live.insert(wl);
        self.store.workloads[wl as usize].gang = Some(gang);
        if self.vc_limited() {
            self.vc_initiate(wl);
            return;
        }
        self.event(|| obj, "PodGroupCreated", || format!("minMember {min_available}"));
        self.vc_pg_created(wl);
    }

    /// A PodGroup was created: under a scheduler without an enqueue action it is Inqueue at
    /// once (VC-G1); the volcano policy's enqueue action decides otherwise.
    pub(crate) fn vc_pg_created(&mut self, wl: WlId) {
        if self.policy_enqueues_pod_groups() {
            self.policy_session_wanted();
        } else {
            self.vc_enqueued(wl);
        }
    }

    /// The PodGroup became Inqueue: create the missing pods (VC-J2).
    pub(crate) fn vc_enqueued(&mut self, wl: WlId) {
        let vc = self.vc(wl);
        if vc.pg_phase != PgPhase::Pending {
            return;
        }
        vc.pg_phase = PgPhase::Inqueue;
        let obj = self.wl_object(wl);
        self.event(|| obj, "PodGroupInqueue", String::new);
        self.vc_sync(wl);
    }

    /// The rate-limited retry of a sync whose creates were refused.
    pub(crate) fn vc_resync(&mut self, wl: WlId) {
        let vc = self.vc(wl);
        vc.resync_pending = false;
        if vc.api_failures > 0 {
            self.vc_sync(wl);
        }
    }

    /// Create the pods that are missing (not the ones kept terminal).
    pub(crate) fn vc_sync(&mut self, wl: WlId) {
        let vc = self.store.workloads[wl as usize].vc.as_deref().expect("vc");
        if vc.pg_phase == PgPhase::Pending || vc.after_kill.is_some() || is_final(vc.phase) {
            return;
        }
        let mut missing = Vec::new();
        for (t, slots) in vc.slots.iter().enumerate() {
            for (i, s) in slots.iter().enumerate() {
                if s.is_none() && vc.creating.get(&(t as u16, i as u32)) != Some(&vc.retry_count) {
                    missing.push((t, i));
                }
            }
        }
        // The controller creates the missing pods concurrently (one goroutine each), through
        // its client's token bucket (`syncJob` in volcano `pkg/controllers/job/
        // job_controller_actions.go`): a create sent now happens now, the others when their
        // token is due (`vc_pod_create_sent`). Those a ResourceQuota refuses fail the sync,
        // which is retried with the controller's rate limiter (5 ms doubling to 1000 s) and
        // reset by a sync that creates everything.
        let now = self.now();
        let retry = vc.retry_count;
        let mut refused: Option<String> = None;
        let mut delayed = false;
        let creates = !missing.is_empty();
        for (t, i) in missing {
            let due = self.api_send(crate::sim::Client::VolcanoControllerManager);
            if due > now {
                delayed = true;
                let (task, index) = (t as u16, i as u32);
                self.vc(wl).creating.insert((task, index), retry);
                self.engine
                    .schedule(due, class::API, Ev::VcPodCreate { wl, task, index, retry });
                continue;
            }
            if let Err(message) = self.vc_create_slot(wl, t, i) {
                refused = Some(message);
            }
        }
        self.vc_sync_outcome(wl, refused, delayed, creates);
    }

    /// Create the pod of slot (`t`, `i`): Err with ResourceQuota's message when refused.
    fn vc_create_slot(&mut self, wl: WlId, t: usize, i: usize) -> Result<(), String> {
        let charge = self.quota_admit_pod(wl, t as u16)?;
        let pod = self.create_pod(wl, t as u16, Some(i as u32));
        if let Some(c) = charge {
            self.quota_charged(pod, c);
        }
        self.vc(wl).slots[t][i] = Some(pod);
        Ok(())
    }

    /// A create issued by an earlier sync is sent: the pod is created unless the job moved
    /// on meanwhile (a kill, a restart, its end) or the slot was filled.
    pub(crate) fn vc_pod_create_sent(&mut self, wl: WlId, task: u16, index: u32, retry: u32) {
        let Some(vc) = self.store.workloads[wl as usize].vc.as_deref_mut() else {
            return;
        };
        // A create of an earlier retry, or one the slot's newer create replaced, is stale.
        if vc.creating.get(&(task, index)) != Some(&retry) {
            return;
        }
        vc.creating.remove(&(task, index));
        let (t, i) = (task as usize, index as usize);
        if vc.retry_count != retry
            || vc.pg_phase == PgPhase::Pending
            || vc.after_kill.is_some()
            || is_final(vc.phase)
            || vc.slots[t][i].is_some()
        {
            return;
        }
        let refused = self.vc_create_slot(wl, t, i).err();
        let more = !self.vc(wl).creating.is_empty();
        if refused.is_some() || !more {
            self.vc_sync_outcome(wl, refused, more, true);
        }
    }

    /// A sync's creates are over (`pending`: some still being sent): a refused one hands the
    /// job to the controller's rate limiter, none resets it. A sync that created pods then
    /// writes the job's status (its pending count changed).
    fn vc_sync_outcome(&mut self, wl: WlId, refused: Option<String>, pending: bool, creates: bool) {
        if creates && !pending {
            self.vc_status_write(wl);
        }
        match refused {
            None => {
                if !pending {
                    self.vc(wl).api_failures = 0;
                }
            }
            Some(message) => {
                let now = self.now();
                let vc = self.vc(wl);
                vc.api_failures += 1;
                let (base, max) = crate::controllers::quota::CONTROLLER_API_BACKOFF_MS;
                let delay = crate::sim::backoff_ms(base, max, vc.api_failures);
                let schedule = !std::mem::replace(&mut vc.resync_pending, true);
                let obj = self.wl_object(wl);
                self.event(|| obj, "FailedCreate", || message);
                if schedule {
                    self.engine
                        .schedule_daemon(now.plus_ms(delay), class::CONTROLLER, Ev::VcResync { wl });
                }
            }
        }
    }

    /// A pod of a Volcano job changed: terminal (`evicted`: deleted by someone other than the
    /// controller) — apply policies and update the phase; the sync writes the job's status
    /// (its counts changed) unless what it did wrote it already.
    pub(crate) fn vc_pod_finished(&mut self, wl: WlId, pod: PodId) {
        self.vc_pod_sync(wl, |w| w.vc_pod_finished_sync(wl, pod));
    }

    /// A pod change's sync (`updatePod`: a request of its own): `handle`, then the status
    /// write the changed counts ask for, unless `handle` wrote the status already.
    fn vc_pod_sync(&mut self, wl: WlId, handle: impl FnOnce(&mut World)) {
        let touched = self.vc_status_touched(wl);
        handle(self);
        if self.vc_status_touched(wl) == touched {
            self.vc_status_write(wl);
        }
    }

    fn vc_pod_finished_sync(&mut self, wl: WlId, pod: PodId) {
        let p = &self.store.pods[pod as usize];
        let (task, index) = (p.task as usize, p.index.unwrap_or(0) as usize);
        let evicted = p.deletion.is_some() && !p.counted;
        let controller_killed = p.counted;
        let succeeded = p.phase == Phase::Succeeded;
        let exit_code = p.exit_code;
        let vc = self.vc(wl);
        if vc.slots[task][index] != Some(pod) {
            return;
        }
        if controller_killed || evicted {
            vc.slots[task][index] = None;
        } else if succeeded {
            vc.succeeded[task] += 1;
        } else {
            vc.failed[task] += 1;
        }
        if controller_killed {
            if self.vc(wl).after_kill.is_some() {
                self.vc_after_kill(wl);
            } else {
                self.vc_sync(wl); // RestartTask / RestartPod: recreate
            }
            return;
        }
        // A success is no policy event by itself; the task's last one is TaskCompleted.
        let action = if evicted {
            self.vc_match(wl, task, VcEvent::PodEvicted, None)
        } else if !succeeded {
            self.vc_match(wl, task, VcEvent::PodFailed, Some(exit_code))
        } else {
            let vc = self.store.workloads[wl as usize].vc.as_deref().expect("vc");
            if vc.succeeded[task] == vc.slots[task].len() as u32 {
                self.vc_match(wl, task, VcEvent::TaskCompleted, None)
            } else {
                None
            }
        };
        match action {
            Some(a) if a != VcAction::SyncJob => self.vc_act(wl, task, pod, a),
            _ => {
                // SyncJob: recreate deleted pods; failed pods stay failed (VC-P4).
                self.vc_sync(wl);
                self.vc_update_phase(wl);
            }
        }
    }

    /// The first matching policy: the task's, then the job's (VC-P3).
    pub(crate) fn vc_match(&self, wl: WlId, task: usize, event: VcEvent, exit_code: Option<i32>) -> Option<VcAction> {
        let ws = &self.store.protos[self.store.workloads[wl as usize].proto as usize].spec;
        let spec = vc_spec(ws);
        let hit = |p: &VcPolicy| {
            p.events.iter().any(|e| *e == event || *e == VcEvent::Any)
                || (p.exit_code.is_some() && p.exit_code == exit_code && exit_code != Some(0))
        };
        spec.tasks[task]
            .policies
            .iter()
            .find(|p| hit(p))
            .or_else(|| spec.policies.iter().find(|p| hit(p)))
            .map(|p| p.action)
    }

    pub(crate) fn vc_act(&mut self, wl: WlId, task: usize, pod: PodId, action: VcAction) {
        let obj = self.wl_object(wl);
        self.event(|| obj, "VolcanoJobAction", || format!("{action:?}"));
        match action {
            VcAction::RestartJob => {
                let vc = self.vc(wl);
                vc.retry_count += 1;
                let last = vc.retry_count >= vc.max_retry;
                vc.phase = VcPhase::Restarting;
                if last {
                    vc.reason = "MaxRetryExceeded";
                }
                // On the last retry terminal pods are kept (VC-S3).
                self.vc_kill(wl, None, !last);
                self.vc_after_kill(wl);
            }
            VcAction::RestartTask => {
                self.vc(wl).retry_count += 1;
                self.vc_kill(wl, Some(task), true);
                self.vc_sync(wl);
            }
            VcAction::RestartPod | VcAction::RestartPartition => {
                self.vc(wl).retry_count += 1;
                let p = &self.store.pods[pod as usize];
                let (t, i) = (p.task as usize, p.index.unwrap_or(0) as usize);
                let (finished, phase) = (p.finished.is_some(), p.phase);
                let vc = self.vc(wl);
                if vc.slots[t][i] == Some(pod) {
                    vc.slots[t][i] = None;
                    if finished {
                        if phase == Phase::Succeeded {
                            vc.succeeded[t] -= 1;
                        } else {
                            vc.failed[t] -= 1;
                        }
                    }
                }
                self.vc_sync(wl);
            }
            VcAction::CompleteJob => self.vc_end(wl, VcPhase::Completing, "CompleteJob"),
            VcAction::AbortJob | VcAction::ResumeJob => self.vc_end(wl, VcPhase::Aborting, "Aborted"),
            VcAction::TerminateJob => self.vc_end(wl, VcPhase::Terminating, "Terminated"),
            VcAction::SyncJob => self.vc_sync(wl),
        }
    }

    pub(crate) fn vc_end(&mut self, wl: WlId, phase: VcPhase, reason: &'static str) {
        let vc = self.vc(wl);
        vc.phase = phase;
        vc.reason = reason;
        self.vc_kill(wl, None, false);
        self.vc_after_kill(wl);
    }

    /// Delete the live pods of the job (or of one task); with `drop_terminal`, forget kept
    /// terminal pods too so that they are recreated.
    pub(crate) fn vc_kill(&mut self, wl: WlId, task: Option<usize>, drop_terminal: bool) {
        let vc = self.vc(wl);
        if task.is_none() {
            vc.after_kill = Some(vc.phase);
        }
        let mut doomed = Vec::new();
        for (t, slots) in vc.slots.iter_mut().enumerate() {
            if task.is_some_and(|x| x != t) {
                continue;
            }
            for s in slots.iter_mut() {
                if let Some(p) = *s {
                    doomed.push(p);
                }
            }
            if drop_terminal {
                vc.succeeded[t] = 0;
                vc.failed[t] = 0;
            }
        }
        for p in doomed {
            let pod = &self.store.pods[p as usize];
            if pod.finished.is_some() {
                if drop_terminal {
                    self.vc_clear_slot(wl, p);
                }
                continue;
            }
            self.vc_delete(wl, p, VcDeleteReason::Kill);
        }
        // `killPods`: the status update, then a whole-job kill deletes the PodGroup.
        self.vc_status_write(wl);
        if task.is_none() {
            self.vc_delete_pod_group();
        }
    }

    pub(crate) fn vc_clear_slot(&mut self, wl: WlId, pod: PodId) {
        let p = &self.store.pods[pod as usize];
        let (t, i) = (p.task as usize, p.index.unwrap_or(0) as usize);
        let vc = self.vc(wl);
        if vc.slots[t][i] == Some(pod) {
            vc.slots[t][i] = None;
        }
    }

    /// After a kill: once no pod is left terminating, move to the next phase.
    pub(crate) fn vc_after_kill(&mut self, wl: WlId) {
        let live = self.store.workloads[wl as usize]
            .pods
            .iter()
            .any(|&p| self.store.pods[p as usize].finished.is_none());
        let vc = self.store.workloads[wl as usize].vc.as_deref().expect("vc");
        let Some(phase) = vc.after_kill else {
            return;
        };
        if live {
            return;
        }
        self.vc(wl).after_kill = None;
        match phase {
            VcPhase::Restarting => {
                let vc = self.vc(wl);
                if vc.retry_count >= vc.max_retry {
                    self.vc_finish(wl, VcPhase::Failed);
                    return;
                }
                // A new PodGroup goes through enqueue again (VC-S3).
                let (min, version) = (vc.min_available, vc.retry_count);
                let obj = self.wl_object(wl);
                let gang = self.new_gang(format!("{obj}-pg{version}"), min, Some(wl));
                let now = self.now();
                let vc = self.vc(wl);
                vc.gang = gang;
                vc.pg_phase = PgPhase::Pending;
                vc.pg_created = now;
                vc.phase = VcPhase::Pending;
                self.store.workloads[wl as usize].gang = Some(gang);
                if self.vc_limited() {
                    self.vc_recreate_pod_group(wl);
                } else {
                    self.vc_pg_created(wl);
                }
            }
            VcPhase::Completing => self.vc_finish(wl, VcPhase::Completed),
            VcPhase::Aborting => self.vc_finish(wl, VcPhase::Aborted),
            VcPhase::Terminating => self.vc_finish(wl, VcPhase::Terminated),
            _ => {}
        }
    }

    /// Job phase from pod counts (VC-S1, S2).
    pub(crate) fn vc_update_phase(&mut self, wl: WlId) {
        let running = self.store.workloads[wl as usize].running;
        let vc = self.store.workloads[wl as usize].vc.as_deref().expect("vc");
        if is_final(vc.phase) || vc.after_kill.is_some() {
            return;
        }
        let succeeded: u32 = vc.succeeded.iter().sum();
        let failed: u32 = vc.failed.iter().sum();
        if vc.phase == VcPhase::Pending && vc.min_available <= running + succeeded + failed {
            self.vc(wl).phase = VcPhase::Running;
        }
        let vc = self.store.workloads[wl as usize].vc.as_deref().expect("vc");
        if vc.min_success.is_some_and(|m| succeeded >= m) {
            self.vc_end(wl, VcPhase::Completing, "MinSuccess");
            return;
        }
        if succeeded + failed == vc.replicas() {
            let ws = self.store.protos[self.store.workloads[wl as usize].proto as usize]
                .spec
                .clone();
            let spec = vc_spec(&ws);
            let task_short = spec
                .tasks
                .iter()
                .enumerate()
                .any(|(t, task)| task.min_available.is_some() && vc.succeeded[t] < task.min_available.unwrap_or(0));
            let ok = if task_short {
                false
            } else if let Some(m) = vc.min_success {
                succeeded >= m
            } else {
                succeeded >= vc.min_available
            };
            self.vc_finish(wl, if ok { VcPhase::Completed } else { VcPhase::Failed });
        }
    }

    /// The job reached terminal phase `phase`: its remaining live pods (after `minSuccess`)
    /// are deleted, then the status update carries the phase (`killPods`); the job ends when
    /// that update is sent (at once without client limits).
    pub(crate) fn vc_finish(&mut self, wl: WlId, phase: VcPhase) {
        self.ctl.vc_live.remove(&wl);
        self.vc(wl).phase = phase;
        let limited = self.vc_limited();
        if !limited {
            self.vc_finish_written(wl);
        }
        let live: Vec<PodId> = self.store.workloads[wl as usize]
            .pods
            .iter()
            .copied()
            .filter(|&p| self.store.pods[p as usize].finished.is_none())
            .collect();
        for p in live {
            self.vc_delete(wl, p, VcDeleteReason::Finished);
        }
        if limited {
            self.vc_write_final(wl, phase);
        }
    }

    /// The job's terminal phase is written: it ends now.
    pub(crate) fn vc_finish_written(&mut self, wl: WlId) {
        let now = self.now();
        let vc = self.vc(wl);
        let phase = vc.phase;
        let reason = if vc.reason.is_empty() {
            match phase {
                VcPhase::Failed => "PodFailed",
                _ => "",
            }
        } else {
            vc.reason
        };
        let w = &mut self.store.workloads[wl as usize];
        w.finish = Some(now);
        w.state = if phase == VcPhase::Completed {
            WlState::Complete
        } else {
            WlState::Failed
        };
        w.reason = if phase == VcPhase::Completed {
            String::new()
        } else {
            reason.to_string()
        };
        let obj = self.wl_object(wl);
        let ev = if phase == VcPhase::Completed {
            "JobComplete"
        } else {
            "JobFailed"
        };
        let detail = format!("{phase:?}");
        self.event(|| obj, ev, || detail);
    }

    /// Called when a Volcano job pod starts running (phase bookkeeping).
    /// The sync writes the job's status (its running count changed).
    pub(crate) fn vc_pod_running(&mut self, wl: WlId) {
        self.vc_pod_sync(wl, |w| w.vc_update_phase(wl));
    }
}

fn is_final(p: VcPhase) -> bool {
    matches!(
        p,
        VcPhase::Completed | VcPhase::Failed | VcPhase::Aborted | VcPhase::Terminated
    )
}
