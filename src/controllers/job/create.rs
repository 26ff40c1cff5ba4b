//! The Job controller's pod creations (`manageJob` in k/k `pkg/controller/job/job_controller.go`,
//! semantics.md JOB-D2), through its API client.
//!
//! A sync that wants `diff` more pods (at most `MaxPodCreateDeletePerSync` = 500) creates them
//! in slow-start batches of 1, 2, 4, ... (`controller.SlowStartInitialBatchSize` = 1): each
//! batch's creates are issued together (one goroutine each) and the next batch starts once all
//! of them have returned; a refused create ends the sync's creations after its batch. The sync
//! runs on one of `--concurrent-job-syncs` (5) workers and holds the Job's key meanwhile: a
//! sync of the same Job due in between runs when the worker is done (client-go's work queue
//! marks the key dirty), and the pods' add events ask for a sync one `syncJobBatchPeriod`
//! after the first create (`addPod` -> `enqueueSyncJobBatched`).
//!
//! Every create passes the controller's client-go token bucket ([`crate::rate`]): each
//! kube-controller-manager controller builds its own client (`ClientBuilder.ClientOrDie(
//! "job-controller")`), at `--kube-api-qps` 20 and `--kube-api-burst` 30 by default
//! (`SetDefaults_KubeControllerManagerConfiguration`). A pod exists from the moment its create
//! is sent; workers share the bucket in the order they issue creates. When a create can go out
//! at once (tokens left, or `clientRateLimits.enabled: false`) it happens in the same instant,
//! and the syncs of one instant interleave their batches round-robin, so a run that never runs
//! out of tokens creates the same pods in the same order as without limits (and the pods' add
//! event sync is asked for only after a create that waited, so its results are the same).
//!
//! Not passed through the bucket yet: the controller's pod deletions, its Job status updates,
//! the finalizer patches of finished pods and its events (they share the client in the real
//! controller, so real creations can be slower than modelled when those are frequent).

use std::collections::VecDeque;

use crate::sim::{Client, Ev, WlId, World, class};

/// Job controller workers (`--concurrent-job-syncs`, default 5).
pub const CONCURRENT_JOB_SYNCS: usize = 5;

/// Pod creations requested by Job syncs and not yet sent.
#[derive(Debug, Default)]
pub struct Creations {
    /// Requested in this instant: issued together at its end (several Jobs synced at once
    /// interleave their batches).
    requests: Vec<(WlId, VecDeque<Option<u32>>)>,
    flush_scheduled: bool,
    /// Syncs waiting for a free worker, in the order they asked.
    waiting: VecDeque<(WlId, VecDeque<Option<u32>>)>,
    /// Syncs creating pods (at most `CONCURRENT_JOB_SYNCS`).
    workers: Vec<Worker>,
}

/// One worker's sync: the indexes still to create (None: a NonIndexed pod), the next batch
/// size, and the creates of the current batch not sent yet.
#[derive(Debug)]
struct Worker {
    wl: WlId,
    queue: VecDeque<Option<u32>>,
    batch: usize,
    in_flight: u32,
    refused: bool,
    /// When its first pod was created (its add event asks for a sync a batch period later).
    first_created: Option<crate::engine::SimTime>,
    /// A create of it waited for a token.
    delayed: bool,
}

impl World {
    /// A sync decided to create pods (JOB-D2): issued with the other requests of this instant
    /// at its end.
    pub(crate) fn request_pods(&mut self, wl: WlId, indexes: Vec<Option<u32>>) {
        if indexes.is_empty() {
            return;
        }
        let c = &mut self.ctl.creations;
        c.requests.push((wl, indexes.into()));
        if self.api_limited(Client::KubeControllerManager) {
            self.job(wl).creating = true;
        }
        if !self.ctl.creations.flush_scheduled {
            self.ctl.creations.flush_scheduled = true;
            let now = self.now();
            self.engine.schedule(now, class::CREATE, Ev::CreatePods);
        }
    }

    /// The end of an instant in which syncs asked for pods: they join the workers' queue.
    pub(crate) fn create_pods_flush(&mut self) {
        let c = &mut self.ctl.creations;
        c.flush_scheduled = false;
        let requests = std::mem::take(&mut c.requests);
        c.waiting.extend(requests);
        self.create_rounds();
    }

    /// Workers take waiting syncs, and every worker whose batch is done issues its next one,
    /// round-robin, until each worker waits for its creates to be sent or has no more.
    fn create_rounds(&mut self) {
        loop {
            let c = &mut self.ctl.creations;
            while c.workers.len() < CONCURRENT_JOB_SYNCS {
                let Some((wl, queue)) = c.waiting.pop_front() else {
                    break;
                };
                c.workers.push(Worker {
                    wl,
                    queue,
                    batch: 1,
                    in_flight: 0,
                    refused: false,
                    first_created: None,
                    delayed: false,
                });
            }
            let mut issued = false;
            for k in 0..self.ctl.creations.workers.len() {
                let w = &self.ctl.creations.workers[k];
                if w.in_flight > 0 || w.queue.is_empty() {
                    continue;
                }
                issued = true;
                self.issue_batch(k);
            }
            self.retire_workers();
            if !issued {
                return;
            }
        }
    }

    /// Worker `k` issues its next slow-start batch: creates that can be sent now happen now,
    /// the others when their tokens are due.
    fn issue_batch(&mut self, k: usize) {
        let now = self.now();
        let (wl, batch) = {
            let w = &self.ctl.creations.workers[k];
            (w.wl, w.batch)
        };
        for _ in 0..batch {
            let Some(index) = self.ctl.creations.workers[k].queue.pop_front() else {
                break;
            };
            let due = self.api_send(Client::KubeControllerManager);
            if due == now {
                if !self.send_create(k, index) {
                    break;
                }
            } else {
                self.ctl.creations.workers[k].in_flight += 1;
                self.ctl.creations.workers[k].delayed = true;
                self.engine.schedule(due, class::API, Ev::JobPodCreate { wl, index });
            }
        }
        let w = &mut self.ctl.creations.workers[k];
        w.batch *= 2;
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
            self.ctl.creations.workers[k].queue.clear();
            return false;
        }
        match self.quota_admit_pod(wl, 0) {
            Ok(charge) => {
                let pod = self.create_pod(wl, 0, index);
                if let Some(c) = charge {
                    self.quota_charged(pod, c);
                }
                let now = self.now();
                self.ctl.creations.workers[k].first_created.get_or_insert(now);
                true
            }
            Err(message) => {
                let w = &mut self.ctl.creations.workers[k];
                w.queue.clear();
                w.refused = true;
                self.job_create_failed(wl, message);
                false
            }
        }
    }

    /// A create sent later than it was issued (`Ev::JobPodCreate`).
    pub(crate) fn job_pod_create_sent(&mut self, wl: WlId, index: Option<u32>) {
        let k = self
            .ctl
            .creations
            .workers
            .iter()
            .position(|w| w.wl == wl && w.in_flight > 0)
            .expect("a create in flight belongs to a worker");
        self.ctl.creations.workers[k].in_flight -= 1;
        // A refused sync sends nothing more: the rest of its batch, issued together with the
        // refused create, is refused alike.
        if !self.ctl.creations.workers[k].refused {
            self.send_create(k, index);
        }
        if self.ctl.creations.workers[k].in_flight == 0 {
            self.create_rounds();
        }
    }

    /// Workers whose sync has nothing left to create or send are free again.
    fn retire_workers(&mut self) {
        let mut k = 0;
        while k < self.ctl.creations.workers.len() {
            let w = &self.ctl.creations.workers[k];
            if w.in_flight > 0 || !w.queue.is_empty() {
                k += 1;
                continue;
            }
            let w = self.ctl.creations.workers.remove(k);
            self.create_sync_done(w);
        }
    }

    /// A sync's creations are over: the Job's key is released.
    fn create_sync_done(&mut self, w: Worker) {
        if !w.refused {
            self.job(w.wl).api_failures = 0; // the sync succeeded (Forget)
        }
        if !self.api_limited(Client::KubeControllerManager) {
            return;
        }
        let now = self.now();
        let batch = self.cfg.lat.job_sync_batch_ms;
        let j = self.job(w.wl);
        j.creating = false;
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
        let j = self.job(wl);
        j.api_failures += 1;
        let (base, max) = crate::controllers::quota::JOB_API_BACKOFF_MS;
        let delay = crate::sim::backoff_ms(base, max, j.api_failures);
        self.job_enqueue(wl, now.plus_ms(delay));
    }
}
