//! The ClusterQueue controller's status writes (kueue `pkg/controller/core/
//! clusterqueue_controller.go`): every Workload create, update or delete asks for a reconcile
//! of its ClusterQueue one `UpdatesBatchPeriod` (1 s, `pkg/constants`) later (`NotifyWorkloadUpdate`
//! -> `nonCQObjectHandler` -> `AddAfter`; a reconcile already waiting keeps its earlier time);
//! the reconcile writes the status (`updateCqStatusIfChanged`: pending, reserving and admitted
//! counts, quota reserved and used) when it changed, through Kueue's client, on the
//! controller's one worker (`GroupKindConcurrency` 1 for ClusterQueue), which waits for the
//! write. Kueue's binary shares one limiter among every kind (`cmd/kueue/main.go`): these
//! writes take tokens before the scheduler's. With `clientRateLimits.kueue.perKind` they pass
//! a bucket of their own, as controller-runtime gives each kind without a shared limiter (the
//! performance test's minimal Kueue). Modelled only with client limits on: the status has no
//! other effect in kubesim. Not modelled: LocalQueue status writes (alike, once a second per
//! active LocalQueue), the backoff queue's Workloads in the pending count.

use crate::engine::SimTime;
use crate::sim::{Client, Ev, World, class};

use super::CqId;

/// A ClusterQueue's status reconciles: the one waiting, and what the last write said.
#[derive(Clone, Debug, Default)]
pub(super) struct CqStatus {
    due: Option<SimTime>,
    written: Option<u64>,
    /// The quota reserved that the write in flight carries (kept only when events are
    /// recorded: the `ClusterQueueStatus` event shows it when the write is sent).
    sending: Vec<(super::quota::Fr, i64)>,
}

/// The ClusterQueue controller's state: per ClusterQueue, its reconciles; its worker's end;
/// its own bucket when each kind has one.
#[derive(Clone, Debug)]
pub(super) struct CqController {
    queues: Vec<CqStatus>,
    worker_free: SimTime,
    bucket: Option<crate::rate::TokenBucket>,
}

/// The reconcile batching period (`constants.UpdatesBatchPeriod`).
const UPDATES_BATCH_PERIOD_MS: u64 = 1000;

impl CqController {
    pub(super) fn new(sc: &crate::input::spec::Scenario) -> CqController {
        let limits = &sc.sim.client_limits;
        let bucket = match limits.of(Client::Kueue) {
            Some(l) if limits.kueue_per_kind => Some(crate::rate::TokenBucket::new(l)),
            _ => None,
        };
        CqController {
            queues: vec![CqStatus::default(); sc.cluster_queues.len()],
            worker_free: SimTime::ZERO,
            bucket,
        }
    }
}

impl World {
    /// A Workload of ClusterQueue `cq` was created, updated or deleted: its reconcile, one
    /// batch period later unless one is waiting.
    pub(super) fn kueue_cq_touched(&mut self, cq: Option<CqId>) {
        let Some(cq) = cq else { return };
        if !self.api_limited(Client::Kueue) {
            return;
        }
        let at = self.now().plus_ms(UPDATES_BATCH_PERIOD_MS);
        let q = &mut self.kq().cq_ctl.queues[cq];
        if q.due.is_some() {
            return;
        }
        q.due = Some(at);
        // A status reconcile does not keep the run going: the run ends with its work.
        self.engine
            .schedule_daemon(at, class::CONTROLLER, Ev::KueueCqStatus { cq: cq as u32 });
    }

    /// ClusterQueue `cq`'s reconcile: once the worker is free, its status is written if it
    /// changed.
    pub(crate) fn kueue_cq_reconcile(&mut self, cq: u32) {
        let now = self.now();
        let cq = cq as usize;
        let k = self.kq();
        if k.cq_ctl.queues[cq].due != Some(now) {
            return;
        }
        if k.cq_ctl.worker_free > now {
            let at = k.cq_ctl.worker_free;
            k.cq_ctl.queues[cq].due = Some(at);
            self.engine
                .schedule_daemon(at, class::CONTROLLER, Ev::KueueCqStatus { cq: cq as u32 });
            return;
        }
        k.cq_ctl.queues[cq].due = None;
        let status = k.cq_status_hash(cq);
        if k.cq_ctl.queues[cq].written == Some(status) {
            return;
        }
        k.cq_ctl.queues[cq].written = Some(status);
        if self.rec.record_events {
            let k = self.kq();
            k.cq_ctl.queues[cq].sending = k.tree.cqs[cq].usage.iter().map(|(fr, v)| (*fr, *v)).collect();
        }
        let k = self.kq();
        let sent = match k.cq_ctl.bucket.as_mut() {
            Some(b) => b.take(now),
            None => self.api_send(Client::Kueue),
        };
        self.kq().cq_ctl.worker_free = sent;
        self.engine
            .schedule_daemon(sent, class::API, Ev::KueueCqWritten { cq: cq as u32 });
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

impl super::KueueState {
    /// What ClusterQueue `cq`'s status says (pending and reserving Workloads, quota reserved),
    /// as a hash: equal statuses are not written again.
    fn cq_status_hash(&self, cq: CqId) -> u64 {
        let q = &self.queues[cq];
        let pending = q.queued.len() + q.aside.values().map(|(_, set)| set.len()).sum::<usize>();
        let reserving = self.admitted.count(cq);
        let mut h = crate::engine::StableHasher::new();
        h.u64(pending as u64);
        h.u64(reserving as u64);
        for (fr, v) in &self.tree.cqs[cq].usage {
            h.u64(fr.flavor as u64);
            h.u64(fr.resource as u64);
            h.u64(*v as u64);
        }
        h.finish()
    }
}
