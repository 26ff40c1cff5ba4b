//! The Job controller's writes through its API client: pod creations (`manageJob`, semantics.md
//! JOB-D2), pod deletions, finalizer removals and Job status updates (`syncJob`,
//! `trackJobStatusAndRemoveFinalizers`, `flushUncountedAndRemoveFinalizers`, `deleteJobPods`,
//! `deleteActivePods` in k/k `pkg/controller/job/job_controller.go`).
//!
//! Every write passes the controller's client-go token bucket ([`crate::rate`]): each
//! kube-controller-manager controller builds its own client (`ClientBuilder.ClientOrDie(
//! "job-controller")`), at `--kube-api-qps` 20 and `--kube-api-burst` 30 by default
//! (`SetDefaults_KubeControllerManagerConfiguration`). A sync runs on one of
//! `--concurrent-job-syncs` (5) workers and holds the Job's key until its last write is sent:
//! a sync of the same Job due in between runs when the worker is done (client-go's work queue
//! marks the key dirty). Workers share the bucket in the order they issue writes.
//!
//! One sync's writes, in `syncJob`'s order, each step issued once the previous one's writes
//! are all sent (the controller waits for each group of goroutines):
//! 1. `manageJob`: pod creates in slow-start batches of 1, 2, 4, ... (at most
//!    `MaxPodCreateDeletePerSync` = 500 a sync, `controller.SlowStartInitialBatchSize` = 1; a
//!    refused create ends the sync's creations after its batch), or pod deletions, all issued
//!    together: `deleteJobPods` (excess pods, a suspended Job's pods) removes each pod's
//!    tracking finalizer then deletes it, `deleteActivePods` (a Job with a terminal target)
//!    deletes and leaves the finalizer to a later sync. A pod is created, and its deletion
//!    starts, when the write is sent.
//! 2. A status update when the sync changed the status: new finished pods in
//!    `uncountedTerminatedPods`, a new interim condition (`FailureTarget`,
//!    `SuccessCriteriaMet`), `startTime`, the active count after creations or deletions, the
//!    ready count (`status.ready`: active pods whose container runs). A pod's start asks for a
//!    sync a batch period later (`updatePod`), with client limits on: without them the write
//!    could not wait and the sync would change nothing.
//! 3. One finalizer-removal patch per newly finished pod (at most `MaxUncountedPods` = 500 in
//!    the real controller; kubesim counts every newly finished pod of the sync).
//! 4. A status update moving the uncounted pods to the counters (`succeeded`, `failed`; an
//!    Indexed Job's succeeded indexes need none), carrying the terminal condition
//!    (`Complete`, `Failed`) when the Job finishes: the Job finishes when it is sent. The pods
//!    a Job deleted while winding down have their finalizers removed before it.
//!
//! When a write can go out at once (tokens left, or `clientRateLimits.enabled: false`) it
//! happens in the same instant, and the syncs of one instant interleave their creation
//! batches round-robin, so a run that never runs out of tokens gives the same results as one
//! without limits (the pods' add events ask for a sync one `syncJobBatchPeriod` after the first
//! create only after a create that waited).
//!
//! The controller's events pass the same client (`job_event_write`): the broadcaster writes
//! each event its recorder keeps (client-go `tools/record`: the spam filter keeps 25 events
//! per object, then one per 300 s), and nothing waits for it.
//!
//! Simplifications: the sync decides at its time from what it sees then, and only its writes
//! wait for a worker and for tokens (in the real controller the whole sync waits for a free
//! worker); a step's writes are taken from the bucket together, so another worker's writes
//! issued while they are sent come after them (in the real controller, each goroutine of
//! `deleteJobPods` issues its delete as soon as its own patch returns). `status.terminating`
//! is not tracked: the sync that deletes pods writes the status for the active count, and the
//! sync after they end for the finished pods, so it would add no write. Not modelled: the spam
//! filter's LRU cache of 4,096 objects (past it, an object's filter starts anew).

use std::collections::VecDeque;

use crate::engine::SimTime;
use crate::sim::{Client, Ev, PodId, WlId, World, class};

/// Job controller workers (`--concurrent-job-syncs`, default 5).
pub const CONCURRENT_JOB_SYNCS: usize = 5;

/// The event recorder's spam filter (client-go `tools/record/events_cache.go`,
/// `defaultSpamBurst`, `defaultSpamQPS`): per source and object, 25 events, then one per 300 s.
const EVENT_SPAM_BURST: u64 = 25;
const EVENT_SPAM_PERIOD_MS: u64 = 300_000;

/// What one sync decided to write, gathered while it runs and issued at its end
/// ([`World::job_issue`]).
#[derive(Debug, Default)]
pub(crate) struct SyncWrites {
    /// Pods to create (`None`: a NonIndexed pod; else its index).
    pub creates: Vec<Option<u32>>,
    /// Pods to delete, with the reason recorded.
    pub deletes: Vec<(PodId, DeleteReason)>,
    /// `deleteJobPods`: each deletion follows the removal of the pod's tracking finalizer.
    pub patch_before_delete: bool,
    /// Step 2: the sync changed the Job's status.
    pub status: bool,
    /// Step 3: finalizer removals of newly finished pods.
    pub patches: u32,
    /// Step 4: uncounted pods move to the counters.
    pub counted: bool,
    /// The Job has a terminal target: it finishes with step 4 once none of its pods is left
    /// terminating (checked when the step is reached, after the deletions were sent).
    pub finish: bool,
}

/// Pod creations and other writes requested by Job syncs and not yet sent.
#[derive(Debug, Default)]
pub struct Creations {
    /// Syncs with creations requested in this instant: issued together at its end (several
    /// Jobs synced at once interleave their batches).
    requests: Vec<(WlId, VecDeque<Step>)>,
    flush_scheduled: bool,
    /// Syncs waiting for a free worker, in the order they asked, with the time they asked.
    waiting: VecDeque<(WlId, VecDeque<Step>, SimTime)>,
    /// Syncs writing (at most `CONCURRENT_JOB_SYNCS`).
    workers: Vec<Worker>,
}

/// One step of a sync's writes: its writes are issued together, the next step once they are
/// all sent.
#[derive(Debug)]
enum Step {
    /// Pod creates, in slow-start batches (`batch`: the next batch's size).
    Create { queue: VecDeque<Option<u32>>, batch: usize },
    /// Pod deletions.
    Delete(Vec<(PodId, DeleteReason)>),
    /// Writes whose effect kubesim does not model (finalizer patches, status updates).
    Plain(u32),
    /// Step 4 of a Job with a terminal target (see [`SyncWrites::finish`]); `counted`: the
    /// status update is written even if the Job cannot finish yet.
    Finish { counted: bool },
}

/// What a write sent later than issued does (`Ev::JobWrite`; small, as every event is).
#[derive(Clone, Copy, Debug)]
pub enum JobWrite {
    Create(Option<u32>),
    Delete(PodId, DeleteReason),
    Plain,
    Finish,
}

/// Why the controller deletes a pod (the `PodDeleted` event's detail).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeleteReason {
    ScaledDown,
    JobSuspended,
    JobFinished,
    DeadlineExceeded,
}

impl DeleteReason {
    fn as_str(self) -> &'static str {
        match self {
            DeleteReason::ScaledDown => "ScaledDown",
            DeleteReason::JobSuspended => "JobSuspended",
            DeleteReason::JobFinished => "JobFinished",
            DeleteReason::DeadlineExceeded => "DeadlineExceeded",
        }
    }
}

/// One worker's sync: its steps left, the writes of the current step not sent yet.
#[derive(Debug)]
struct Worker {
    wl: WlId,
    steps: VecDeque<Step>,
    in_flight: u32,
    /// The sync creates pods (its end resets the per-Job retry count unless one was refused).
    creates: bool,
    refused: bool,
    /// When its first pod was created (its add event asks for a sync a batch period later).
    first_created: Option<SimTime>,
    /// A create of it waited for a token.
    delayed: bool,
}

impl SyncWrites {
    /// Its steps, in `syncJob`'s order.
    fn steps(self) -> VecDeque<Step> {
        let mut steps = VecDeque::new();
        if !self.creates.is_empty() {
            steps.push_back(Step::Create {
                queue: self.creates.into(),
                batch: 1,
            });
        }
        if !self.deletes.is_empty() {
            if self.patch_before_delete {
                steps.push_back(Step::Plain(self.deletes.len() as u32));
            }
            steps.push_back(Step::Delete(self.deletes));
        }
        if self.status {
            steps.push_back(Step::Plain(1));
        }
        if self.patches > 0 {
            steps.push_back(Step::Plain(self.patches));
        }
        if self.finish {
            steps.push_back(Step::Finish { counted: self.counted });
        } else if self.counted {
            steps.push_back(Step::Plain(1));
        }
        steps
    }
}

impl World {
    /// Issue a sync's writes. Without client limits their effects happen now, in the order
    /// the sync decided them (creations at the end of the instant, with the other syncs').
    /// With limits, they pass the client: creations join this instant's requests, other
    /// writes a worker now (or when one is free).
    pub(crate) fn job_issue(&mut self, wl: WlId, w: SyncWrites) {
        if !self.api_limited(Client::KubeControllerManager) {
            for (pod, reason) in w.deletes {
                self.delete_pod(pod, reason.as_str(), None);
            }
            if !w.creates.is_empty() {
                self.request_creates(
                    wl,
                    VecDeque::from([Step::Create {
                        queue: w.creates.into(),
                        batch: 1,
                    }]),
                );
            }
            if w.finish && !self.job_terminating(wl) {
                self.job_finish(wl);
            }
            return;
        }
        let creates = !w.creates.is_empty();
        let steps = w.steps();
        if steps.is_empty() {
            return;
        }
        if self.job(wl).busy {
            // The Job's key is held (a suspension while its sync writes): the writes follow.
            self.append_steps(wl, steps);
            return;
        }
        self.job(wl).busy = true;
        if creates {
            self.request_creates(wl, steps);
        } else {
            let now = self.now();
            self.ctl.creations.waiting.push_back((wl, steps, now));
            self.write_rounds();
        }
    }

    /// Add a sync's steps behind those of the Job's sync still writing.
    fn append_steps(&mut self, wl: WlId, steps: VecDeque<Step>) {
        let c = &mut self.ctl.creations;
        let entry = c
            .workers
            .iter_mut()
            .map(|w| (w.wl, &mut w.steps))
            .chain(c.waiting.iter_mut().map(|(w, s, _)| (*w, s)))
            .chain(c.requests.iter_mut().map(|(w, s)| (*w, s)))
            .find(|(w, _)| *w == wl)
            .map(|(_, s)| s)
            .expect("a busy Job's writes are queued");
        entry.extend(steps);
        // A worker waiting for nothing more would otherwise not look at its new steps.
        self.write_rounds();
    }

    /// Whether one of the Job's pods is still terminating (`finishJob`'s wait, JOB-T3).
    fn job_terminating(&self, wl: WlId) -> bool {
        self.store.workloads[wl as usize]
            .pods
            .iter()
            .any(|&p| self.store.pods[p as usize].finished.is_none())
    }

    /// A sync with creations: issued with the other requests of this instant at its end.
    fn request_creates(&mut self, wl: WlId, steps: VecDeque<Step>) {
        self.ctl.creations.requests.push((wl, steps));
        if !self.ctl.creations.flush_scheduled {
            self.ctl.creations.flush_scheduled = true;
            let now = self.now();
            self.engine.schedule(now, class::CREATE, Ev::CreatePods);
        }
    }

    /// The end of an instant in which syncs asked for pods: they join the workers' queue.
    pub(crate) fn create_pods_flush(&mut self) {
        let now = self.now();
        let c = &mut self.ctl.creations;
        c.flush_scheduled = false;
        let requests = std::mem::take(&mut c.requests);
        c.waiting
            .extend(requests.into_iter().map(|(wl, steps)| (wl, steps, now)));
        self.write_rounds();
    }

    /// Workers take waiting syncs, and every worker whose step is sent issues its next one
    /// (a creation step one batch at a time), round-robin, until each worker waits for its
    /// writes to be sent or has no more.
    fn write_rounds(&mut self) {
        let now = self.now();
        loop {
            while self.ctl.creations.workers.len() < CONCURRENT_JOB_SYNCS {
                let Some((wl, steps, asked)) = self.ctl.creations.waiting.pop_front() else {
                    break;
                };
                // A sync that waited for a worker (every worker's writes waiting for tokens)
                // counts as a write held back by the client's limit.
                if asked < now {
                    self.rec.client_wait(Client::KubeControllerManager, asked, now);
                }
                let c = &mut self.ctl.creations;
                let creates = matches!(steps.front(), Some(Step::Create { .. }));
                c.workers.push(Worker {
                    wl,
                    steps,
                    in_flight: 0,
                    creates,
                    refused: false,
                    first_created: None,
                    delayed: false,
                });
            }
            let mut issued = false;
            for k in 0..self.ctl.creations.workers.len() {
                let w = &self.ctl.creations.workers[k];
                if w.in_flight > 0 || w.steps.is_empty() {
                    continue;
                }
                issued = true;
                self.issue_step(k);
            }
            self.retire_workers();
            if !issued {
                return;
            }
        }
    }

    /// Worker `k` issues its next step (or creation batch): writes that can be sent now take
    /// effect now, the others when their tokens are due.
    fn issue_step(&mut self, k: usize) {
        let now = self.now();
        let wl = self.ctl.creations.workers[k].wl;
        let step = self.ctl.creations.workers[k].steps.pop_front().expect("a step");
        match step {
            Step::Create { mut queue, batch } => {
                for _ in 0..batch {
                    let Some(index) = queue.pop_front() else {
                        break;
                    };
                    let due = self.api_send(Client::KubeControllerManager);
                    if due == now {
                        if !self.send_create(k, index) {
                            queue.clear();
                            break;
                        }
                    } else {
                        self.write_later(k, due, JobWrite::Create(index));
                        self.ctl.creations.workers[k].delayed = true;
                    }
                }
                if !queue.is_empty() {
                    let batch = batch * 2;
                    self.ctl.creations.workers[k]
                        .steps
                        .push_front(Step::Create { queue, batch });
                }
            }
            Step::Delete(pods) => {
                for (pod, reason) in pods {
                    let due = self.api_send(Client::KubeControllerManager);
                    if due == now {
                        self.delete_pod(pod, reason.as_str(), None);
                        self.job_event_write(wl); // SuccessfulDelete
                    } else {
                        self.write_later(k, due, JobWrite::Delete(pod, reason));
                    }
                }
            }
            Step::Plain(n) => self.plain_writes(k, n, JobWrite::Plain),
            Step::Finish { counted } => {
                let w = &self.store.workloads[wl as usize];
                let over = w.deleted || w.job.as_ref().is_none_or(|j| j.finished);
                if over {
                    return;
                }
                if self.job_terminating(wl) {
                    if counted {
                        self.plain_writes(k, 1, JobWrite::Plain);
                    }
                    return;
                }
                // The finalizers of the pods deleted while winding down, then the status
                // update with the terminal condition.
                let patches = std::mem::take(&mut self.job(wl).finalizers_left);
                self.plain_writes(k, patches + 1, JobWrite::Finish);
            }
        }
    }

    /// `n` writes issued together by worker `k`; the last one, when sent, does `last`.
    fn plain_writes(&mut self, k: usize, n: u32, last: JobWrite) {
        let now = self.now();
        let mut due = now;
        for _ in 0..n {
            due = self.api_send(Client::KubeControllerManager);
        }
        if due > now {
            self.write_later(k, due, last);
        } else if let JobWrite::Finish = last {
            let wl = self.ctl.creations.workers[k].wl;
            self.job_finish(wl);
        }
    }

    /// A write of worker `k` is sent at `due`.
    fn write_later(&mut self, k: usize, due: SimTime, write: JobWrite) {
        let w = &mut self.ctl.creations.workers[k];
        w.in_flight += 1;
        let wl = w.wl;
        self.engine.schedule(due, class::API, Ev::JobWrite { wl, write });
    }

    /// A create of worker `k` reaches the API server: the pod is created, unless the Job
    /// finished, was suspended or deleted meanwhile (then it creates nothing more: a pod
    /// created into a suspended Job would be deleted by its next sync) or ResourceQuota
    /// refuses it (then the sync fails: its later batches are not issued, and the per-Job rate
    /// limiter retries it, ADM-4). False when the sync creates nothing more.
    fn send_create(&mut self, k: usize, index: Option<u32>) -> bool {
        let wl = self.ctl.creations.workers[k].wl;
        let w = &self.store.workloads[wl as usize];
        if w.deleted || w.job.as_ref().is_some_and(|j| j.finished || j.suspended) {
            self.drop_creates(k);
            return false;
        }
        match self.quota_admit_pod(wl, 0) {
            Ok(charge) => {
                let pod = self.create_pod(wl, 0, index);
                if let Some(c) = charge {
                    self.quota_charged(pod, c);
                }
                self.job_event_write(wl); // SuccessfulCreate
                let now = self.now();
                self.ctl.creations.workers[k].first_created.get_or_insert(now);
                true
            }
            Err(message) => {
                self.drop_creates(k);
                self.ctl.creations.workers[k].refused = true;
                self.job_create_failed(wl, message);
                false
            }
        }
    }

    /// Worker `k`'s sync creates nothing more.
    fn drop_creates(&mut self, k: usize) {
        let steps = &mut self.ctl.creations.workers[k].steps;
        if let Some(Step::Create { .. }) = steps.front() {
            steps.pop_front();
        }
    }

    /// An event the controller records about Job `wl` (`SuccessfulCreate`, `SuccessfulDelete`,
    /// `FailedCreate`, `Completed` or the failure's reason, `Suspended`, `Resumed`): with client
    /// limits on, the event recorder's spam filter keeps it if the Job's bucket has a token
    /// (client-go `EventSourceObjectSpamFilter.Filter`; a dropped event is never written), and
    /// the broadcaster writes it through the controller's client (`recordToSink`): it takes a
    /// token, and nothing waits for it.
    pub(crate) fn job_event_write(&mut self, wl: WlId) {
        if !self.api_limited(Client::KubeControllerManager) {
            return;
        }
        let now = self.now();
        let j = self.job(wl);
        let full = j.events_full_at.max(now).plus_ms(EVENT_SPAM_PERIOD_MS);
        if full > now.plus_ms(EVENT_SPAM_BURST * EVENT_SPAM_PERIOD_MS) {
            return;
        }
        j.events_full_at = full;
        self.api_send(Client::KubeControllerManager);
    }

    /// A write sent later than it was issued (`Ev::JobWrite`).
    pub(crate) fn job_write_sent(&mut self, wl: WlId, write: JobWrite) {
        let k = self
            .ctl
            .creations
            .workers
            .iter()
            .position(|w| w.wl == wl && w.in_flight > 0)
            .expect("a write in flight belongs to a worker");
        self.ctl.creations.workers[k].in_flight -= 1;
        match write {
            // A refused sync sends nothing more: the rest of its batch, issued together with
            // the refused create, is refused alike.
            JobWrite::Create(index) => {
                if !self.ctl.creations.workers[k].refused {
                    self.send_create(k, index);
                }
            }
            JobWrite::Delete(pod, reason) => {
                // (A pod leaves the store once counted and terminated: not while its Job's key
                // is held, but a pod gone has nothing to delete.)
                if self.store.pods.get(pod).is_some() {
                    self.delete_pod(pod, reason.as_str(), None);
                }
                self.job_event_write(wl); // SuccessfulDelete
            }
            JobWrite::Plain => {}
            JobWrite::Finish => {
                let w = &self.store.workloads[wl as usize];
                if !w.deleted && w.job.as_ref().is_some_and(|j| !j.finished) {
                    self.job_finish(wl);
                }
            }
        }
        if self.ctl.creations.workers[k].in_flight == 0 {
            self.write_rounds();
        }
    }

    /// Workers whose sync has nothing left to write or send are free again.
    fn retire_workers(&mut self) {
        let mut k = 0;
        while k < self.ctl.creations.workers.len() {
            let w = &self.ctl.creations.workers[k];
            if w.in_flight > 0 || !w.steps.is_empty() {
                k += 1;
                continue;
            }
            let w = self.ctl.creations.workers.remove(k);
            self.sync_writes_done(w);
        }
    }

    /// A sync's writes are all sent: the Job's key is released.
    fn sync_writes_done(&mut self, w: Worker) {
        if w.creates && !w.refused {
            self.job(w.wl).api_failures = 0; // the sync succeeded (Forget)
        }
        if !self.api_limited(Client::KubeControllerManager) {
            return;
        }
        let now = self.now();
        let batch = self.cfg.lat.job_sync_batch_ms;
        let j = self.job(w.wl);
        j.busy = false;
        let deferred = std::mem::take(&mut j.sync_deferred);
        if deferred {
            self.job_enqueue(w.wl, now);
        }
        // Creates that all went out when issued keep kubesim's earlier rule (a sync on the
        // pods' next change), so that a run that never runs out of tokens gives the same
        // results as one without limits.
        if let Some(first) = w.first_created.filter(|_| w.delayed) {
            self.job_enqueue(w.wl, first.plus_ms(batch).max(now));
        }
    }

    /// A pod create was refused (ResourceQuota): `FailedCreate`, and the sync is retried
    /// after the per-Job rate limiter's delay.
    pub(crate) fn job_create_failed(&mut self, wl: WlId, message: String) {
        let now = self.now();
        let obj = self.wl_object(wl);
        self.event(|| obj, "FailedCreate", || message);
        self.job_event_write(wl);
        let j = self.job(wl);
        j.api_failures = j.api_failures.saturating_add(1);
        let (base, max) = crate::controllers::quota::JOB_API_BACKOFF_MS;
        let delay = crate::sim::backoff_ms(base, max, j.api_failures.into());
        self.job_enqueue(wl, now.plus_ms(delay));
    }
}
