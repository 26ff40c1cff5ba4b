//! The status writes of Kueue's ClusterQueue and LocalQueue controllers (kueue
//! `pkg/controller/core/clusterqueue_controller.go`, `localqueue_controller.go`): every Workload
//! create, update or delete asks for a reconcile of its ClusterQueue and of its LocalQueue one
//! `UpdatesBatchPeriod` (1 s, `pkg/constants`) later (`NotifyWorkloadUpdate` -> the
//! controller's workload handler -> `AddAfter`; a reconcile already waiting keeps its earlier
//! time). The reconcile writes the status when it changed, through Kueue's client, on the
//! controller's one worker (`GroupKindConcurrency` 1 for each kind), which waits for the write:
//! - ClusterQueue (`updateCqStatusIfChanged`): pending, reserving and admitted counts, quota
//!   reserved and used;
//! - LocalQueue (`updateStatusIfChanged`): pending, reserving and admitted counts
//!   (`PendingWorkloads`, `LocalQueueUsage`), quota reserved (`flavorsReservation`) and used
//!   (`flavorUsage`) by its Workloads. Admission checks are not modelled, so a Workload
//!   reserving quota is admitted: the two counts and the two quotas are equal.
//!
//! Kueue's binary shares one limiter among every kind (`cmd/kueue/main.go`): these writes take
//! tokens before the scheduler's. With `clientRateLimits.kueue.perKind` each kind passes a
//! bucket of its own, as controller-runtime gives each kind without a shared limiter (the
//! performance test's minimal Kueue). Modelled only with client limits on: a status has no
//! other effect in kubesim. Not modelled: the backoff queue's Workloads in the pending counts,
//! the status of a LocalQueue whose ClusterQueue does not exist (its Workloads never reach a
//! queue), and the LocalQueue reconciles that a ClusterQueue's condition change asks for.

use crate::engine::SimTime;
use crate::sim::{Client, Ev, World, class};

use super::CqId;
use super::quota::Fr;

/// A LocalQueue, by its index among the scenario's LocalQueues whose ClusterQueue exists.
pub(super) type LqId = usize;

/// Which controller: its objects' statuses and its worker are its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueKind {
    ClusterQueue,
    LocalQueue,
}

/// One queue's status reconciles: the one waiting, and what the last write said.
#[derive(Clone, Debug, Default)]
struct Status {
    due: Option<SimTime>,
    written: Option<u64>,
    /// The quota reserved that the write in flight carries (a ClusterQueue's, kept only when
    /// events are recorded: the `ClusterQueueStatus` event shows it when the write is sent).
    sending: Vec<(Fr, i64)>,
}

/// One controller's state: per queue, its reconciles; its worker's end; its own bucket when
/// each kind has one.
#[derive(Clone, Debug)]
pub(super) struct StatusController {
    queues: Vec<Status>,
    worker_free: SimTime,
    bucket: Option<crate::rate::TokenBucket>,
}

/// What a LocalQueue's status says besides its ClusterQueue's: its Workloads waiting in a
/// queue, those holding quota, and the quota they hold; kept as Workloads move.
#[derive(Clone, Debug, Default)]
pub(super) struct LqCounts {
    pub(super) pending: u32,
    pub(super) reserving: u32,
    pub(super) usage: Vec<(Fr, i64)>,
}

impl LqCounts {
    /// A Workload of the queue reserves (`sign` 1) or releases (-1) `usage`.
    pub(super) fn hold(&mut self, usage: &[(Fr, i64)], sign: i64) {
        if sign > 0 {
            self.reserving += 1;
        } else {
            self.reserving -= 1;
        }
        for &(fr, v) in usage {
            match self.usage.iter_mut().find(|(f, _)| *f == fr) {
                Some((_, held)) => *held += sign * v,
                None => self.usage.push((fr, sign * v)),
            }
        }
        self.usage.retain(|(_, v)| *v != 0);
        self.usage.sort_unstable_by_key(|(fr, _)| *fr);
    }
}

/// The reconcile batching period (`constants.UpdatesBatchPeriod`).
const UPDATES_BATCH_PERIOD_MS: u64 = 1000;

impl StatusController {
    /// The controller of `n` queues.
    pub(super) fn new(sc: &crate::input::spec::Scenario, n: usize) -> StatusController {
        let limits = &sc.sim.client_limits;
        let bucket = match limits.of(Client::Kueue) {
            Some(l) if limits.kueue_per_kind => Some(crate::rate::TokenBucket::new(l)),
            _ => None,
        };
        StatusController {
            queues: vec![Status::default(); n],
            worker_free: SimTime::ZERO,
            bucket,
        }
    }
}

impl World {
    fn status_ctl(&mut self, kind: QueueKind) -> &mut StatusController {
        let k = self.kq();
        match kind {
            QueueKind::ClusterQueue => &mut k.cq_ctl,
            QueueKind::LocalQueue => &mut k.lq_ctl,
        }
    }

    /// Workload `wl` changed: `kueue_queues_touched` for its queues.
    pub(super) fn kueue_wl_touched(&mut self, wl: crate::sim::WlId) {
        let (cq, lq) = self.kq().wls.get(&wl).map_or((None, None), |w| (w.cq, w.lq));
        self.kueue_queues_touched(cq, lq);
    }

    /// A Workload of ClusterQueue `cq` and LocalQueue `lq` was created, updated or deleted:
    /// their reconciles, one batch period later unless one is waiting.
    pub(super) fn kueue_queues_touched(&mut self, cq: Option<CqId>, lq: Option<LqId>) {
        if !self.api_limited(Client::Kueue) {
            return;
        }
        let at = self.now().plus_ms(UPDATES_BATCH_PERIOD_MS);
        for (kind, id) in [(QueueKind::ClusterQueue, cq), (QueueKind::LocalQueue, lq)] {
            let Some(id) = id else { continue };
            let q = &mut self.status_ctl(kind).queues[id];
            if q.due.is_some() {
                continue;
            }
            q.due = Some(at);
            // A status reconcile does not keep the run going: the run ends with its work.
            self.engine
                .schedule_daemon(at, class::CONTROLLER, Ev::KueueQueueStatus { kind, id: id as u32 });
        }
    }

    /// A queue's reconcile: once its controller's worker is free, its status is written if it
    /// changed.
    pub(crate) fn kueue_queue_reconcile(&mut self, kind: QueueKind, id: u32) {
        let now = self.now();
        let i = id as usize;
        let ctl = self.status_ctl(kind);
        if ctl.queues[i].due != Some(now) {
            return;
        }
        if ctl.worker_free > now {
            let at = ctl.worker_free;
            ctl.queues[i].due = Some(at);
            self.engine
                .schedule_daemon(at, class::CONTROLLER, Ev::KueueQueueStatus { kind, id });
            return;
        }
        ctl.queues[i].due = None;
        let k = self.kq();
        let status = match kind {
            QueueKind::ClusterQueue => k.cq_status_hash(i),
            QueueKind::LocalQueue => k.lq_status_hash(i),
        };
        let ctl = self.status_ctl(kind);
        if ctl.queues[i].written == Some(status) {
            return;
        }
        ctl.queues[i].written = Some(status);
        let cq = kind == QueueKind::ClusterQueue;
        if cq && self.rec.record_events {
            let k = self.kq();
            k.cq_ctl.queues[i].sending = k.tree.cqs[i].usage.iter().map(|(fr, v)| (*fr, *v)).collect();
        }
        let sent = match self.status_ctl(kind).bucket.as_mut() {
            Some(b) => b.take(now),
            None => self.api_send(Client::Kueue),
        };
        self.status_ctl(kind).worker_free = sent;
        // Scheduled whether events are recorded or not, so that a run counts the same events
        // either way.
        if cq {
            self.engine
                .schedule_daemon(sent, class::API, Ev::KueueCqWritten { cq: id });
        }
    }

    /// ClusterQueue `cq`'s status write is sent: the `ClusterQueueStatus` event, with the quota
    /// it says is reserved (`resource=amount` in canonical units: millicores for cpu), as
    /// Kueue's performance recorder sees the status (`recordCQEvent`).
    pub(crate) fn kueue_cq_written(&mut self, cq: u32) {
        if !self.rec.record_events {
            return;
        }
        let k = self.sched.kueue.as_deref().expect("kueue");
        let name = k.cq_name(cq as usize).to_string();
        let detail: Vec<String> = k.cq_ctl.queues[cq as usize]
            .sending
            .iter()
            .map(|(fr, v)| format!("{}={v}", k.tree.resources[fr.resource]))
            .collect();
        self.event(
            || format!("clusterqueue/{name}"),
            "ClusterQueueStatus",
            || detail.join(" "),
        );
    }
}

/// A stable hash of a queue's counts and quota: equal statuses are not written again.
fn status_hash<'a>(pending: usize, reserving: usize, usage: impl Iterator<Item = (&'a Fr, &'a i64)>) -> u64 {
    let mut h = crate::engine::StableHasher::new();
    h.u64(pending as u64);
    h.u64(reserving as u64);
    for (fr, v) in usage {
        h.u64(fr.flavor as u64);
        h.u64(fr.resource as u64);
        h.u64(*v as u64);
    }
    h.finish()
}

impl super::KueueState {
    /// What ClusterQueue `cq`'s status says (pending and reserving Workloads, quota reserved).
    fn cq_status_hash(&self, cq: CqId) -> u64 {
        let q = &self.queues[cq];
        let pending = q.queued.len() + q.aside.values().map(|(_, set)| set.len()).sum::<usize>();
        status_hash(pending, self.admitted.count(cq), self.tree.cqs[cq].usage.iter())
    }

    /// What LocalQueue `lq`'s status says.
    fn lq_status_hash(&self, lq: LqId) -> u64 {
        let c = &self.lq_counts[lq];
        status_hash(
            c.pending as usize,
            c.reserving as usize,
            c.usage.iter().map(|(fr, v)| (fr, v)),
        )
    }
}
