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
//! The controller's writes (`client.rs`): pod creations (at most 500 a sync, in slow-start
//! batches) and deletions, finalizer removals and status updates, through its rate-limited API
//! client; with client limits on, the terminal condition is written when the status update
//! carrying it is sent. Differences: the `Job` condition timestamps are the times they are
//! written (the sync times without client limits).
//!
//! This module owns the Job's state ([`JobState`]) and its life cycle (creation, queue,
//! suspend, TTL, deletion, the terminal condition); one sync (`syncJob`) is in `sync.rs`, its
//! writes in `client.rs`.

mod client;
mod sync;

pub use client::{Creations, JobWrite};

use client::SyncWrites;

use std::collections::BTreeSet;

use crate::engine::SimTime;
use crate::input::spec::{CompletionMode, JobSpec, PfpAction, PodReplacementPolicy, WorkloadKind};
use crate::observe::record::WlState;
use crate::sim::{Ev, PodId, WlId, World, class};

/// Pods created or deleted in one sync at most (`MaxPodCreateDeletePerSync`).
const MAX_POD_CREATE_DELETE_PER_SYNC: usize = 500;

/// The controller's state of one Job (its status and its in-memory backoff record).
#[derive(Clone, Debug)]
pub struct JobState {
    /// Consecutive failed syncs (a pod create refused): the per-Job rate limiter's count
    /// (saturating: its delay reaches its maximum long before).
    pub api_failures: u8,
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
    /// status.ready as last written: the active pods whose container runs (no readiness
    /// probes: a running container is ready). A sync that sees another count writes the
    /// status (`syncJob`'s `needsStatusUpdate`).
    status_ready: u32,
    /// An Indexed Job's per-index state; `None` for a NonIndexed Job (most Jobs: kept out of
    /// line so that a million-job run does not carry four empty collections per Job).
    idx: Option<Box<IndexState>>,
    /// Backoff record: failures after the last success and the last failure's finish time.
    backoff_n: u32,
    last_failure: Option<SimTime>,
    /// FailureTarget / SuccessCriteriaMet reason once decided (`target_failed`: which of the
    /// two; one byte and a flag rather than two optional strings keep the state within 128
    /// bytes, mimalloc's size class below 160, a million Jobs' worth of memory).
    target: Option<Target>,
    /// The event recorder's spam filter for this Job (client-go `EventSourceObjectSpamFilter`):
    /// the instant from which its bucket of 25 events, refilled one per 300 s, is full again.
    events_full_at: SimTime,
    target_failed: bool,
    pub finished: bool,
    /// A sync's writes are still being sent (client limits on): the Job's key is with a
    /// worker, and a sync due meanwhile waits for it (`sync_deferred`).
    busy: bool,
    sync_deferred: bool,
    /// The pending sync of the controller's queue.
    sync_at: Option<SimTime>,
    /// Pods deleted while the Job winds down whose tracking finalizer is still to be removed
    /// before the terminal condition (client limits on).
    finalizers_left: u32,
}

/// The reason of a Job's terminal target (its `FailureTarget` or `SuccessCriteriaMet`
/// condition).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    PodFailurePolicy,
    BackoffLimitExceeded,
    DeadlineExceeded,
    MaxFailedIndexesExceeded,
    FailedIndexes,
    SuccessPolicy,
    CompletionsReached,
}

impl Target {
    fn reason(self) -> &'static str {
        match self {
            Target::PodFailurePolicy => "PodFailurePolicy",
            Target::BackoffLimitExceeded => "BackoffLimitExceeded",
            Target::DeadlineExceeded => "DeadlineExceeded",
            Target::MaxFailedIndexesExceeded => "MaxFailedIndexesExceeded",
            Target::FailedIndexes => "FailedIndexes",
            Target::SuccessPolicy => "SuccessPolicy",
            Target::CompletionsReached => "CompletionsReached",
        }
    }
}

// A million Jobs hold a million of these: within mimalloc's 128-byte size class.
const _: () = assert!(std::mem::size_of::<JobState>() <= 128, "JobState grew past 128 bytes");

/// An Indexed Job's indexes: succeeded and failed ones, per-index failure count and last
/// failure time (backoffLimitPerIndex).
#[derive(Clone, Debug, Default)]
pub struct IndexState {
    pub succeeded: BTreeSet<u32>,
    pub failed: BTreeSet<u32>,
    failures: Vec<u32>,
    last_failure: Vec<Option<SimTime>>,
}

/// The indexes of a NonIndexed Job: none.
static NO_INDEXES: IndexState = IndexState {
    succeeded: BTreeSet::new(),
    failed: BTreeSet::new(),
    failures: Vec::new(),
    last_failure: Vec::new(),
};

impl JobState {
    /// Its per-index state (empty for a NonIndexed Job).
    pub fn idx(&self) -> &IndexState {
        self.idx.as_deref().unwrap_or(&NO_INDEXES)
    }

    fn idx_mut(&mut self) -> &mut IndexState {
        self.idx.get_or_insert_with(Box::default)
    }

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
            status_ready: 0,
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
            idx: (spec.completion_mode == CompletionMode::Indexed).then(|| {
                Box::new(IndexState {
                    failures: vec![0; n_idx],
                    last_failure: vec![None; n_idx],
                    ..IndexState::default()
                })
            }),
            backoff_n: 0,
            last_failure: None,
            target: None,
            events_full_at: SimTime::ZERO,
            target_failed: false,
            finished: false,
            busy: false,
            finalizers_left: 0,
            sync_deferred: false,
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
            self.idx().succeeded.len() as u32
        } else {
            self.succeeded
        }
    }

    /// Count one failed pod (with `index` if Indexed, finished `at`) by its podFailurePolicy
    /// action (JOB-P1..P3, I2: failed, failed index, per-index failure count). Returns whether
    /// the action fails the Job.
    fn count_failure(&mut self, action: PfpAction, index: Option<u32>, at: SimTime) -> bool {
        let mut fail_job = false;
        match action {
            PfpAction::FailJob => {
                self.failed += 1;
                fail_job = true;
            }
            PfpAction::Ignore => {}
            PfpAction::FailIndex => {
                self.failed += 1;
                if let Some(i) = index {
                    self.idx_mut().failed.insert(i);
                }
            }
            PfpAction::Count => {
                self.failed += 1;
                if let (Some(i), Some(limit)) = (index, self.per_index_limit) {
                    let k = i as usize;
                    let idx = self.idx_mut();
                    idx.failures[k] += 1;
                    idx.last_failure[k] = Some(at);
                    if idx.failures[k] > limit {
                        idx.failed.insert(i);
                    }
                }
            }
        }
        if action == PfpAction::Ignore
            && let (Some(i), Some(_)) = (index, self.per_index_limit)
        {
            self.idx_mut().last_failure[i as usize] = Some(at);
        }
        fail_job
    }

    /// The backoff record after a sync's accounting (`newBackoffRecord`): `failures` counted
    /// failures after the latest success, the last at `last_failure`; a success (`succeeded`)
    /// restarts the count.
    fn update_backoff(&mut self, succeeded: bool, failures: u32, last_failure: Option<SimTime>) {
        if succeeded {
            self.backoff_n = failures;
            if failures == 0 {
                self.last_failure = None;
            }
        } else {
            self.backoff_n += failures;
        }
        if last_failure.is_some() {
            self.last_failure = last_failure;
        }
    }
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
        let spec = self.job_spec(wl);
        let gang_size = spec.template.hints.gang_size;
        let mut state = JobState::new(spec);
        // Kueue's webhook creates a managed Job suspended; admission resumes it. A suspended
        // JobSet creates its Jobs suspended.
        let managed = self.kueue_manages(wl);
        state.suspended |= managed || self.jobset_suspends_new_jobs(wl) || self.mpi_suspends_new_job(wl);
        let suspended = state.suspended;
        self.store.workloads[wl as usize].job = Some(Box::new(state));
        if managed {
            self.kueue_created(wl);
        }
        if let Some(n) = gang_size {
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
        let at = self
            .now()
            .plus_ms(self.cfg.lat.job_sync_batch_ms + self.cfg.lat.watch_ms);
        self.job_enqueue(wl, at);
    }

    pub(crate) fn job_sync_event(&mut self, wl: WlId) {
        let now = self.now();
        let j = self.job(wl);
        if j.sync_at != Some(now) {
            return; // superseded by an earlier sync
        }
        j.sync_at = None;
        if j.busy {
            // A worker holds the Job's key: the queue hands it out again when it is done.
            j.sync_deferred = true;
            return;
        }
        self.job_sync(wl);
    }

    /// A user sets `spec.suspend` (JOB-T4).
    pub(crate) fn job_set_suspend(&mut self, wl: WlId, suspend: bool) {
        if self.ctl.jobsets.is_jobset(wl) {
            self.jobset_set_suspend(wl, suspend);
            return;
        }
        if self.ctl.kubeflow.owns(wl) {
            self.kubeflow_set_suspend(wl, suspend);
            return;
        }
        if self.ctl.mpi.owns(wl) {
            self.mpi_set_suspend(wl, suspend);
            return;
        }
        if self.ctl.ray.owns(wl) {
            self.ray_set_suspend(wl, suspend);
            return;
        }
        let now = self.now();
        let j = self.job(wl);
        if j.finished || j.suspended == suspend {
            return;
        }
        j.suspended = suspend;
        let obj = self.wl_object(wl);
        self.job_event_write(wl); // Suspended or Resumed
        if suspend {
            self.event(|| obj, "JobSuspended", String::new);
            // Pods deleted for suspension are not failures (`deleteJobPods`: their finalizer
            // goes first), then the Suspended condition.
            let mut writes = SyncWrites {
                patch_before_delete: true,
                status: true,
                ..SyncWrites::default()
            };
            for pod in self.active_pods(wl) {
                self.store.pods[pod as usize].counted = true;
                writes.deletes.push((pod, client::DeleteReason::JobSuspended));
            }
            self.job_issue(wl, writes);
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
        if self.ctl.jobsets.is_jobset(wl) {
            self.jobset_delete(wl, reason);
            return;
        }
        if !self.mark_deleted(wl, reason) {
            return;
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
        self.jobset_child_changed(wl);
        self.mpi_changed(wl);
    }

    pub(crate) fn active_pods(&self, wl: WlId) -> Vec<PodId> {
        self.store.workloads[wl as usize]
            .pods
            .iter()
            .copied()
            .filter(|&p| self.store.pods[p as usize].is_active())
            .collect()
    }

    /// Write the terminal condition (JOB-T3): every pod has terminated.
    pub(crate) fn job_finish(&mut self, wl: WlId) {
        let now = self.now();
        let j = self.job(wl);
        j.finished = true;
        let (failed, reason) = match (j.target, j.target_failed) {
            (Some(r), true) => (true, r.reason()),
            (Some(_), false) => (false, ""),
            (None, _) => unreachable!("finish without a target"),
        };
        self.end_workload(wl, if failed { WlState::Failed } else { WlState::Complete }, reason);
        let obj = self.wl_object(wl);
        if failed {
            self.event(|| obj, "JobFailed", || reason.to_string());
        } else {
            self.event(|| obj, "JobComplete", String::new);
        }
        self.job_event_write(wl);
        if let Some(ttl) = self.job_spec(wl).ttl_seconds_after_finished {
            self.engine
                .schedule(now.plus_ms(ttl * 1000), class::TIMER, Ev::JobTtl { wl });
        }
        self.kueue_job_done(wl);
        self.cron_job_changed(wl);
        self.jobset_child_changed(wl);
        self.mpi_changed(wl);
    }
}

fn job_of(ws: &crate::input::spec::WorkloadSpec) -> &JobSpec {
    match &ws.kind {
        WorkloadKind::Job(j) => j,
        WorkloadKind::Pod(_)
        | WorkloadKind::VolcanoJob(_)
        | WorkloadKind::KueueWorkload(_)
        | WorkloadKind::JobSet(_)
        | WorkloadKind::Serving(_)
        | WorkloadKind::Kubeflow(_)
        | WorkloadKind::MpiJob(_)
        | WorkloadKind::Ray(_)
        | WorkloadKind::Lws(_) => {
            unreachable!("not a Job")
        }
    }
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
}
