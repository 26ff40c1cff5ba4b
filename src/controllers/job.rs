//! The batch/v1 Job controller, rule for rule after k/k `pkg/controller/job/job_controller.go`
//! (semantics.md section 1): pod accounting (JOB-A1..A4), backoffLimit and the pod-failure
//! backoff (JOB-B1..B5), Indexed mode and backoffLimitPerIndex (JOB-I1, I2), podFailurePolicy
//! (JOB-P1..P4), activeDeadlineSeconds, suspend, successPolicy and the two-phase terminal
//! conditions (JOB-T1..T6).
//!
//! The controller's work queue is modelled as in client-go's delaying queue: one pending sync
//! per Job, the earliest requested time wins, and every sync re-requests what it still needs
//! (a backoff expiry, the active deadline). Pod events ask for a sync after `jobSyncBatch`.
//!
//! Differences: pod creations in one sync are capped at 500 but not split into slow-start
//! batches (creations only fail with quotas, which this version does not model); the
//! `Job` condition timestamps are the sync times.

use std::collections::BTreeSet;

use crate::engine::SimTime;
use crate::input::spec::{
    CompletionMode, ExitCodeOperator, JobSpec, PfpAction, PodReplacementPolicy, RestartPolicy, WorkloadKind,
};
use crate::observe::record::WlState;
use crate::sim::{Ev, Phase, PodId, WlId, World, backoff_ms, class};

/// Pods created or deleted in one sync at most (`MaxPodCreateDeletePerSync`).
const MAX_POD_CREATE_DELETE_PER_SYNC: usize = 500;

/// The controller's state of one Job (its status and its in-memory backoff record).
#[derive(Clone, Debug)]
pub struct JobState {
    /// Consecutive failed syncs (a pod create refused): the per-Job rate limiter's count.
    pub api_failures: u32,
    pub completions: Option<u32>,
    pub parallelism: u32,
    pub indexed: bool,
    pub backoff_limit: u32,
    pub per_index_limit: Option<u32>,
    pub max_failed_indexes: Option<u32>,
    pub only_replace_failed: bool,
    pub suspended: bool,
    /// status.startTime.
    pub start_time: Option<SimTime>,
    pub succeeded: u32,
    pub failed: u32,
    pub succeeded_idx: BTreeSet<u32>,
    pub failed_idx: BTreeSet<u32>,
    /// Per-index failure count and last failure time (backoffLimitPerIndex).
    idx_failures: Vec<u32>,
    idx_last_failure: Vec<Option<SimTime>>,
    /// Backoff record: failures after the last success and the last failure's finish time.
    backoff_n: u32,
    last_failure: Option<SimTime>,
    /// FailureTarget / SuccessCriteriaMet reason once decided.
    failure_target: Option<&'static str>,
    success_target: Option<&'static str>,
    pub finished: bool,
    /// The pending sync of the controller's queue.
    sync_at: Option<SimTime>,
}

impl JobState {
    fn new(spec: &JobSpec) -> JobState {
        // JOB-D1 defaults.
        let (completions, parallelism) = match (spec.completions, spec.parallelism) {
            (None, None) => (Some(1), 1),
            (c, p) => (c, p.unwrap_or(1)),
        };
        let backoff_limit = spec.backoff_limit.unwrap_or(if spec.backoff_limit_per_index.is_some() {
            i32::MAX as u32
        } else {
            6
        });
        let n_idx = if spec.completion_mode == CompletionMode::Indexed {
            completions.unwrap_or(0) as usize
        } else {
            0
        };
        JobState {
            completions,
            parallelism,
            indexed: spec.completion_mode == CompletionMode::Indexed,
            backoff_limit,
            per_index_limit: spec.backoff_limit_per_index,
            max_failed_indexes: spec.max_failed_indexes,
            only_replace_failed: spec.pod_failure_policy.is_some()
                || spec.pod_replacement_policy == Some(PodReplacementPolicy::Failed),
            suspended: spec.suspend,
            start_time: None,
            succeeded: 0,
            failed: 0,
            succeeded_idx: BTreeSet::new(),
            failed_idx: BTreeSet::new(),
            idx_failures: vec![0; n_idx],
            idx_last_failure: vec![None; n_idx],
            backoff_n: 0,
            last_failure: None,
            failure_target: None,
            success_target: None,
            finished: false,
            sync_at: None,
            api_failures: 0,
        }
    }

    /// Pods that must run at once for the Job to count as started (jobs.csv `start_s`).
    pub fn needed_running(&self) -> u32 {
        match self.completions {
            Some(c) => self.parallelism.min(c),
            None => self.parallelism,
        }
    }

    fn succeeded_count(&self) -> u32 {
        if self.indexed {
            self.succeeded_idx.len() as u32
        } else {
            self.succeeded
        }
    }
}

/// A pod that newly finished, as the sync sees it.
struct Finished {
    at: SimTime,
    pod: PodId,
    success: bool,
}

impl World {
    pub(crate) fn job_spec(&self, wl: WlId) -> &JobSpec {
        job_of(&self.store.protos[self.store.workloads[wl as usize].proto as usize].spec)
    }

    pub(crate) fn job(&mut self, wl: WlId) -> &mut JobState {
        self.store.workloads[wl as usize].job.as_deref_mut().expect("a Job")
    }

    /// A Job object was created.
    pub(crate) fn job_created(&mut self, wl: WlId) {
        let now = self.now();
        let spec = self.job_spec(wl).clone();
        let mut state = JobState::new(&spec);
        // Kueue's webhook creates a managed Job suspended; admission resumes it.
        let managed = self.kueue_manages(wl);
        state.suspended |= managed;
        let suspended = state.suspended;
        self.store.workloads[wl as usize].job = Some(Box::new(state));
        if managed {
            self.kueue_created(wl);
        }
        if let Some(n) = spec.template.hints.gang_size {
            let obj = self.wl_object(wl);
            let g = self.new_gang(obj, n, Some(wl));
            self.store.workloads[wl as usize].gang = Some(g);
        }
        let w = &self.store.workloads[wl as usize];
        let ws = &self.store.protos[w.proto as usize].spec;
        if let Some(d) = ws.suspend_at_ms {
            self.engine
                .schedule(now.plus_ms(d), class::API, Ev::SetSuspend { wl, suspend: true });
        }
        if let Some(d) = ws.resume_at_ms {
            self.engine
                .schedule(now.plus_ms(d), class::API, Ev::SetSuspend { wl, suspend: false });
        }
        if suspended {
            let obj = self.wl_object(wl);
            self.event(|| obj, "JobSuspended", String::new);
        } else {
            self.job_enqueue(wl, now);
        }
    }

    /// Ask for a sync at `at` (the delaying queue keeps the earliest request).
    pub(crate) fn job_enqueue(&mut self, wl: WlId, at: SimTime) {
        let j = self.job(wl);
        if j.finished {
            return;
        }
        if j.sync_at.is_some_and(|t| t <= at) {
            return;
        }
        j.sync_at = Some(at);
        self.engine.schedule(at, class::CONTROLLER, Ev::JobSync { wl });
    }

    /// A pod of the Job changed: sync after the batching period (JOB-D3).
    pub(crate) fn job_pod_event(&mut self, wl: WlId) {
        if self.store.workloads[wl as usize].job.is_none() {
            return;
        }
        let at = self.now().plus_ms(self.cfg.lat.job_sync_batch_ms);
        self.job_enqueue(wl, at);
    }

    pub(crate) fn job_sync_event(&mut self, wl: WlId) {
        let now = self.now();
        let j = self.job(wl);
        if j.sync_at != Some(now) {
            return; // superseded by an earlier sync
        }
        j.sync_at = None;
        self.job_sync(wl);
    }

    /// A user sets `spec.suspend` (JOB-T4).
    pub(crate) fn job_set_suspend(&mut self, wl: WlId, suspend: bool) {
        let now = self.now();
        let j = self.job(wl);
        if j.finished || j.suspended == suspend {
            return;
        }
        j.suspended = suspend;
        let obj = self.wl_object(wl);
        if suspend {
            self.event(|| obj, "JobSuspended", String::new);
            // Pods deleted for suspension are not failures (their finalizer goes first).
            for pod in self.active_pods(wl) {
                self.store.pods[pod as usize].counted = true;
                self.delete_pod(pod, "JobSuspended", None);
            }
        } else {
            self.job(wl).start_time = Some(now);
            self.event(|| obj, "JobResumed", String::new);
            self.job_enqueue(wl, now);
        }
    }

    /// ttlSecondsAfterFinished expired (JOB-T6): the Job and its pods are deleted.
    pub(crate) fn job_ttl(&mut self, wl: WlId) {
        self.delete_job(wl, "TTLExpired");
    }

    /// Delete a Job (background propagation): its pods are deleted and the controller stops
    /// acting for it. A Job deleted before it finished ends `Failed` with `reason` (jobs.csv),
    /// its finish the deletion time.
    pub(crate) fn delete_job(&mut self, wl: WlId, reason: &'static str) {
        let now = self.now();
        let w = &mut self.store.workloads[wl as usize];
        if w.deleted {
            return;
        }
        w.deleted = true;
        if w.finish.is_none() {
            w.finish = Some(now);
            w.state = WlState::Failed;
            w.reason = reason.to_string();
        }
        let obj = self.wl_object(wl);
        self.event(|| obj, "JobDeleted", || reason.into());
        if self.ctl.admission.is_some() {
            self.quota_job_deleted(wl);
        }
        for pod in self.store.workloads[wl as usize].pods.clone() {
            self.delete_pod(pod, "JobDeleted", None);
        }
        self.kueue_job_done(wl);
        self.cron_job_changed(wl);
    }

    pub(crate) fn active_pods(&self, wl: WlId) -> Vec<PodId> {
        self.store.workloads[wl as usize]
            .pods
            .iter()
            .copied()
            .filter(|&p| self.store.pods[p as usize].is_active())
            .collect()
    }

    /// One sync of the Job (`syncJob`).
    pub(crate) fn job_sync(&mut self, wl: WlId) {
        let now = self.now();
        if self.job(wl).finished || self.store.workloads[wl as usize].deleted || self.job(wl).suspended {
            return;
        }
        let ws = self.store.protos[self.store.workloads[wl as usize].proto as usize]
            .spec
            .clone();
        let spec = job_of(&ws);
        let lat = self.cfg.lat.clone();
        if self.job(wl).start_time.is_none() {
            self.job(wl).start_time = Some(now);
        }
        let fail_job = self.account_finished_pods(wl, spec);

        // Terminal checks, in syncJob's order (JOB-T2).
        let j = self.store.workloads[wl as usize].job.as_deref().expect("job");
        let active = self.active_pods(wl);
        if j.failure_target.is_none() && j.success_target.is_none() {
            let restarts: u32 = active.iter().map(|&p| self.store.pods[p as usize].restarts).sum();
            let on_failure = spec.template.restart_policy == RestartPolicy::OnFailure;
            let deadline_hit = spec
                .active_deadline_s
                .is_some_and(|ads| now.since(j.start_time.expect("set")) >= ads * 1000);
            let failed_idx = j.failed_idx.len() as u32;
            let failure = if fail_job {
                Some("PodFailurePolicy")
            } else if (j.per_index_limit.is_none() && j.failed > j.backoff_limit)
                || (on_failure && restarts >= j.backoff_limit.max(1))
            {
                // JOB-B1 (failures > limit) or JOB-B2 (restarts >= limit, OnFailure).
                Some("BackoffLimitExceeded")
            } else if deadline_hit {
                Some("DeadlineExceeded")
            } else if j.indexed && j.max_failed_indexes.is_some_and(|m| failed_idx > m) {
                Some("MaxFailedIndexesExceeded")
            } else if j.indexed && failed_idx > 0 && failed_idx + j.succeeded_count() >= j.completions.unwrap_or(0) {
                Some("FailedIndexes")
            } else {
                None
            };
            let success = if failure.is_some() {
                None
            } else if success_policy_met(spec, j) {
                Some("SuccessPolicy")
            } else {
                match j.completions {
                    Some(c) if j.succeeded_count() >= c => Some("CompletionsReached"),
                    None if j.succeeded > 0 && active.is_empty() => Some("CompletionsReached"),
                    _ => None,
                }
            };
            let obj = self.wl_object(wl);
            if let Some(r) = failure {
                self.job(wl).failure_target = Some(r);
                self.event(|| obj, "JobFailureTarget", || r.to_string());
            } else if let Some(r) = success {
                self.job(wl).success_target = Some(r);
                self.event(|| obj, "JobSuccessCriteriaMet", || r.to_string());
            }
        }

        let j = self.store.workloads[wl as usize].job.as_deref().expect("job");
        if j.failure_target.is_some() || j.success_target.is_some() {
            let failing = j.failure_target.is_some();
            let reason = if j.failure_target == Some("DeadlineExceeded") {
                "DeadlineExceeded"
            } else {
                "JobFinished"
            };
            for pod in active {
                // Every pod still running when a Job fails counts as failed; it is the
                // success of a Job that leaves excess pods uncounted.
                if failing {
                    self.job(wl).failed += 1;
                }
                self.store.pods[pod as usize].counted = true;
                self.delete_pod(pod, reason, None);
            }
            let terminating = self.store.workloads[wl as usize]
                .pods
                .iter()
                .any(|&p| self.store.pods[p as usize].finished.is_none());
            if !terminating {
                self.job_finish(wl);
            }
            return;
        }

        // manageJob: scale to the wanted number of active pods.
        let j = self.store.workloads[wl as usize].job.as_deref().expect("job");
        let terminating = if j.only_replace_failed {
            self.store.workloads[wl as usize]
                .pods
                .iter()
                .filter(|&&p| {
                    let p = &self.store.pods[p as usize];
                    p.deletion.is_some() && p.finished.is_none()
                })
                .count()
        } else {
            0
        };
        let want = match j.completions {
            None => {
                if j.succeeded > 0 {
                    active.len()
                } else {
                    j.parallelism as usize
                }
            }
            Some(c) => {
                let remaining = if j.indexed {
                    c.saturating_sub(j.succeeded_idx.len() as u32 + j.failed_idx.len() as u32)
                } else {
                    c.saturating_sub(j.succeeded)
                };
                j.parallelism.min(remaining) as usize
            }
        };
        if active.len() > want {
            let mut excess = active.clone();
            // Delete the least advanced first: unscheduled < scheduled, then newest first.
            excess.sort_by_key(|&p| {
                let p = &self.store.pods[p as usize];
                (
                    p.node.is_some(),
                    std::cmp::Reverse(p.created),
                    std::cmp::Reverse(p.name.clone()),
                )
            });
            for pod in excess
                .into_iter()
                .take((active.len() - want).min(MAX_POD_CREATE_DELETE_PER_SYNC))
            {
                self.store.pods[pod as usize].counted = true;
                self.delete_pod(pod, "ScaledDown", None);
            }
        } else if active.len() + terminating < want {
            let budget = (want - active.len() - terminating).min(MAX_POD_CREATE_DELETE_PER_SYNC);
            if j.indexed {
                self.create_indexed(wl, budget, &lat);
            } else {
                let remaining = remaining_backoff(now, j.backoff_n, j.last_failure, &lat);
                if remaining > 0 {
                    self.job_enqueue(wl, now.plus_ms(remaining.max(1000)));
                } else {
                    self.request_pods(wl, vec![None; budget]);
                }
            }
        }
        // Re-request the deadline sync (syncJob re-adds it on every pass).
        if let Some(ads) = spec.active_deadline_s {
            let start = self.job(wl).start_time.expect("set");
            self.job_enqueue(wl, start.plus_ms(ads * 1000).max(now));
        }
    }

    /// Count newly finished pods (JOB-A2, A3, B3, P1..P3, I2). Returns whether a
    /// podFailurePolicy FailJob rule matched.
    pub(crate) fn account_finished_pods(&mut self, wl: WlId, spec: &JobSpec) -> bool {
        let j = self.store.workloads[wl as usize].job.as_deref().expect("job");
        let only_failed = j.only_replace_failed;
        let mut new: Vec<Finished> = Vec::new();
        for &pid in &self.store.workloads[wl as usize].pods {
            let p = &self.store.pods[pid as usize];
            if p.counted {
                continue;
            }
            let terminal = p.finished.is_some();
            let success = terminal && p.phase == Phase::Succeeded;
            let failed = (terminal && p.phase != Phase::Succeeded)
                || (!only_failed && p.deletion.is_some() && p.phase != Phase::Succeeded);
            if success || failed {
                let at = if terminal {
                    p.finished.expect("terminal")
                } else {
                    p.deletion.expect("deleting")
                };
                new.push(Finished { at, pod: pid, success });
            }
        }
        new.sort_by_key(|f| (f.at, f.pod));
        let mut fail_job = false;
        let latest_success = new.iter().filter(|f| f.success).map(|f| f.at).max();
        let mut backoff_failures = 0u32;
        let mut last_failure = None;
        for f in &new {
            self.store.pods[f.pod as usize].counted = true;
            let index = self.store.pods[f.pod as usize].index;
            let action = if f.success {
                None
            } else {
                Some(match &spec.pod_failure_policy {
                    Some(rules) => match_pod_failure_policy(
                        rules,
                        &self.store.pods[f.pod as usize],
                        &spec.template.container_names,
                    ),
                    None => PfpAction::Count,
                })
            };
            let j = self.job(wl);
            match action {
                None => {
                    j.succeeded += 1;
                    if let Some(i) = index {
                        j.succeeded_idx.insert(i);
                    }
                }
                Some(a) => {
                    if latest_success.is_none_or(|s| f.at > s) {
                        backoff_failures += 1;
                        last_failure = Some(f.at);
                    }
                    match a {
                        PfpAction::FailJob => {
                            j.failed += 1;
                            fail_job = true;
                        }
                        PfpAction::Ignore => {}
                        PfpAction::FailIndex => {
                            j.failed += 1;
                            if let Some(i) = index {
                                j.failed_idx.insert(i);
                            }
                        }
                        PfpAction::Count => {
                            j.failed += 1;
                            if let (Some(i), Some(limit)) = (index, j.per_index_limit) {
                                let k = i as usize;
                                j.idx_failures[k] += 1;
                                j.idx_last_failure[k] = Some(f.at);
                                if j.idx_failures[k] > limit {
                                    j.failed_idx.insert(i);
                                }
                            }
                        }
                    }
                    if a == PfpAction::Ignore
                        && let (Some(i), Some(_)) = (index, j.per_index_limit)
                    {
                        j.idx_last_failure[i as usize] = Some(f.at);
                    }
                }
            }
        }
        let j = self.job(wl);
        if latest_success.is_some() {
            j.backoff_n = backoff_failures;
            if backoff_failures == 0 {
                j.last_failure = None;
            }
        } else {
            j.backoff_n += backoff_failures;
        }
        if last_failure.is_some() {
            j.last_failure = last_failure;
        }
        // Fully accounted terminal pods leave the Job's working set, and the run: nothing
        // refers to them any more (a replaced pod's memory is not kept, however many times
        // the Job replaces its pods).
        let pods = std::mem::take(&mut self.store.workloads[wl as usize].pods);
        let (done, keep): (Vec<PodId>, Vec<PodId>) = pods.into_iter().partition(|&p| {
            let p = &self.store.pods[p as usize];
            p.counted && p.finished.is_some()
        });
        self.store.workloads[wl as usize].pods = keep;
        for p in done {
            self.release_pod(p);
        }
        fail_job
    }

    /// Create pods for the lowest pending indexes whose per-index backoff has passed.
    pub(crate) fn create_indexed(&mut self, wl: WlId, budget: usize, lat: &crate::input::spec::Latencies) {
        let now = self.now();
        let j = self.store.workloads[wl as usize].job.as_deref().expect("job");
        let taken: BTreeSet<u32> = self.store.workloads[wl as usize]
            .pods
            .iter()
            .filter_map(|&p| {
                let p = &self.store.pods[p as usize];
                (p.finished.is_none()).then_some(p.index).flatten()
            })
            .collect();
        let mut to_create = Vec::new();
        let mut wake: Option<u64> = None;
        // Without backoffLimitPerIndex the global backoff applies to every missing pod.
        let global_wait = if j.per_index_limit.is_none() {
            remaining_backoff(now, j.backoff_n, j.last_failure, lat)
        } else {
            0
        };
        if global_wait > 0 {
            self.job_enqueue(wl, now.plus_ms(global_wait.max(1000)));
            return;
        }
        for i in 0..j.completions.unwrap_or(0) {
            if to_create.len() == budget {
                break;
            }
            if j.succeeded_idx.contains(&i) || j.failed_idx.contains(&i) || taken.contains(&i) {
                continue;
            }
            if j.per_index_limit.is_some() {
                let k = i as usize;
                let rem = remaining_backoff(now, j.idx_failures[k], j.idx_last_failure[k], lat);
                if rem > 0 {
                    wake = Some(wake.map_or(rem, |w| w.min(rem)));
                    continue;
                }
            }
            to_create.push(i);
        }
        self.request_pods(wl, to_create.into_iter().map(Some).collect());
        if let Some(rem) = wake {
            self.job_enqueue(wl, now.plus_ms(rem.max(1000)));
        }
    }

    /// Write the terminal condition (JOB-T3): every pod has terminated.
    pub(crate) fn job_finish(&mut self, wl: WlId) {
        let now = self.now();
        let j = self.job(wl);
        j.finished = true;
        let (failed, reason) = match (j.failure_target, j.success_target) {
            (Some(r), _) => (true, r),
            (None, Some(_)) => (false, ""),
            (None, None) => unreachable!("finish without a target"),
        };
        let w = &mut self.store.workloads[wl as usize];
        w.finish = Some(now);
        w.state = if failed { WlState::Failed } else { WlState::Complete };
        w.reason = reason.to_string();
        let obj = self.wl_object(wl);
        if failed {
            self.event(|| obj, "JobFailed", || reason.to_string());
        } else {
            self.event(|| obj, "JobComplete", String::new);
        }
        if let Some(ttl) = self.job_spec(wl).ttl_seconds_after_finished {
            self.engine
                .schedule(now.plus_ms(ttl * 1000), class::TIMER, Ev::JobTtl { wl });
        }
        self.kueue_job_done(wl);
        self.cron_job_changed(wl);
    }
}

fn job_of(ws: &crate::input::spec::WorkloadSpec) -> &JobSpec {
    match &ws.kind {
        WorkloadKind::Job(j) => j,
        WorkloadKind::Pod(_) | WorkloadKind::VolcanoJob(_) => unreachable!("not a Job"),
    }
}

/// Job controller workers (`--concurrent-job-syncs`, default 5).
pub const CONCURRENT_JOB_SYNCS: usize = 5;

impl World {
    /// A sync decided to create pods. The controller's workers create them in slow-start
    /// batches (1, 2, 4, ...) and several Jobs synced at once interleave their batches, so the
    /// creations of one instant are pooled and issued together at its end (JOB-D2).
    pub(crate) fn request_pods(&mut self, wl: WlId, indexes: Vec<Option<u32>>) {
        if indexes.is_empty() {
            return;
        }
        self.ctl.create_requests.push((wl, indexes.into()));
        if !self.ctl.create_flush_scheduled {
            self.ctl.create_flush_scheduled = true;
            let now = self.now();
            self.engine.schedule(now, class::CREATE, Ev::CreatePods);
        }
    }

    /// Issue the pooled creations: up to `CONCURRENT_JOB_SYNCS` Jobs at a time, each a
    /// slow-start batch per round, round-robin.
    pub(crate) fn create_pods_flush(&mut self) {
        self.ctl.create_flush_scheduled = false;
        let mut waiting: std::collections::VecDeque<(WlId, std::collections::VecDeque<Option<u32>>)> =
            std::mem::take(&mut self.ctl.create_requests).into();
        let mut workers: Vec<(WlId, std::collections::VecDeque<Option<u32>>, usize)> = Vec::new();
        loop {
            while workers.len() < CONCURRENT_JOB_SYNCS {
                match waiting.pop_front() {
                    Some((wl, q)) => workers.push((wl, q, 1)),
                    None => break,
                }
            }
            if workers.is_empty() {
                break;
            }
            for (wl, q, batch) in workers.iter_mut() {
                let mut refused = false;
                for _ in 0..*batch {
                    let Some(index) = q.pop_front() else { break };
                    // A Job finished or deleted meanwhile creates nothing more.
                    let w = &self.store.workloads[*wl as usize];
                    if w.deleted || w.job.as_ref().is_some_and(|j| j.finished) {
                        q.clear();
                        break;
                    }
                    match self.quota_admit_pod(*wl, 0) {
                        Ok(charge) => {
                            let pod = self.create_pod(*wl, 0, index);
                            if let Some(c) = charge {
                                self.quota_charged(pod, c);
                            }
                        }
                        Err(message) => {
                            // The create is refused: slow start stops, the sync fails and is
                            // retried by the per-Job rate limiter (ADM-4, JOB-D2).
                            q.clear();
                            refused = true;
                            self.job_create_failed(*wl, message);
                            break;
                        }
                    }
                }
                if q.is_empty() && !refused {
                    self.job(*wl).api_failures = 0; // the sync succeeded (Forget)
                }
                *batch *= 2;
            }
            workers.retain(|(_, q, _)| !q.is_empty());
        }
    }

    /// A pod create was refused (ResourceQuota): `FailedCreate`, and the sync is retried
    /// after the per-Job rate limiter's delay.
    pub(crate) fn job_create_failed(&mut self, wl: WlId, message: String) {
        let now = self.now();
        let obj = self.wl_object(wl);
        self.event(|| obj, "FailedCreate", || message);
        let j = self.job(wl);
        j.api_failures += 1;
        let (base, max) = crate::controllers::quota::JOB_API_BACKOFF_MS;
        let delay = crate::sim::backoff_ms(base, max, j.api_failures);
        self.job_enqueue(wl, now.plus_ms(delay));
    }
}

/// Time left before replacement pods may be created (JOB-B4).
fn remaining_backoff(now: SimTime, n: u32, last_failure: Option<SimTime>, lat: &crate::input::spec::Latencies) -> u64 {
    match (n, last_failure) {
        (0, _) | (_, None) => 0,
        (n, Some(t)) => {
            let delay = backoff_ms(lat.job_pod_failure_backoff_ms, lat.job_pod_failure_backoff_max_ms, n);
            delay.saturating_sub(now.since(t))
        }
    }
}

/// The first matching podFailurePolicy rule's action; `Count` when none matches (JOB-P1, P2).
fn match_pod_failure_policy(
    rules: &[crate::input::spec::PfpRule],
    pod: &crate::sim::Pod,
    containers: &[String],
) -> PfpAction {
    // Only pods in phase Failed are matched; a pod removed before it ran has no exit code.
    for r in rules {
        if let Some(ec) = &r.on_exit_codes {
            let code = pod.exit_code;
            let container_ok = ec
                .container_name
                .as_ref()
                .is_none_or(|c| containers.first().is_some_and(|first| first == c));
            let hit = code != 0
                && container_ok
                && match ec.operator {
                    ExitCodeOperator::In => ec.values.contains(&code),
                    ExitCodeOperator::NotIn => !ec.values.contains(&code),
                };
            if hit {
                return r.action;
            }
        }
        if !r.on_pod_conditions.is_empty() {
            let hit = r.on_pod_conditions.iter().any(|c| {
                c.condition_type == "DisruptionTarget" && pod.disruption.is_some() && c.status == "True"
                    || c.condition_type == "DisruptionTarget" && pod.disruption.is_none() && c.status == "False"
            });
            if hit {
                return r.action;
            }
        }
    }
    PfpAction::Count
}

/// successPolicy (JOB-T5): the first rule satisfied.
fn success_policy_met(spec: &JobSpec, j: &JobState) -> bool {
    if !j.indexed {
        return false;
    }
    spec.success_policy.iter().any(|rule| {
        let set: Option<Vec<u32>> = rule.succeeded_indexes.as_deref().map(parse_index_set);
        match (set, rule.succeeded_count) {
            (Some(set), count) => {
                let done = set.iter().filter(|i| j.succeeded_idx.contains(i)).count() as u32;
                match count {
                    Some(c) => done >= c,
                    None => done as usize == set.len(),
                }
            }
            (None, Some(c)) => j.succeeded_idx.len() as u32 >= c,
            (None, None) => false,
        }
    })
}

/// Parse an index set such as "0-3,5" (malformed parts are ignored; the loader validates).
pub fn parse_index_set(s: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                if let (Ok(a), Ok(b)) = (a.trim().parse::<u32>(), b.trim().parse::<u32>()) {
                    out.extend(a..=b.min(a.saturating_add(10_000_000)));
                }
            }
            None => {
                if let Ok(v) = part.parse() {
                    out.push(v);
                }
            }
        }
    }
    out
}

/// Format an index set as Kubernetes does ("1-3,5").
pub fn format_index_set(set: &BTreeSet<u32>) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut it = set.iter().copied().peekable();
    while let Some(start) = it.next() {
        let mut end = start;
        while it.peek() == Some(&(end + 1)) {
            end = it.next().expect("peeked");
        }
        out.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
    }
    out.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_sets_round_trip() {
        let cases = [
            ("0-3,5", vec![0, 1, 2, 3, 5]),
            ("1-3", vec![1, 2, 3]),
            ("7", vec![7]),
            ("", vec![]),
        ];
        for (text, want) in cases {
            assert_eq!(parse_index_set(text), want, "{text}");
            let set: BTreeSet<u32> = want.iter().copied().collect();
            assert_eq!(format_index_set(&set), text);
        }
    }

    #[test]
    fn remaining_backoff_counts_from_the_last_failure() {
        let lat = crate::input::spec::Latencies::default();
        assert_eq!(
            remaining_backoff(SimTime::from_secs(31), 1, Some(SimTime::from_secs(30)), &lat),
            9_000
        );
        assert_eq!(
            remaining_backoff(SimTime::from_secs(71), 2, Some(SimTime::from_secs(70)), &lat),
            19_000
        );
        assert_eq!(
            remaining_backoff(SimTime::from_secs(50), 1, Some(SimTime::from_secs(30)), &lat),
            0
        );
        assert_eq!(remaining_backoff(SimTime::from_secs(50), 0, None, &lat), 0);
    }
}
