//! Observation: what a run records as it goes (transition events, GPU-time integrals) and the
//! per-workload results it reports at the end. The simulation writes here; it never reads back.
//!
//! Transition events can be many more than the scenario's objects (a pod that restarts forever
//! makes rows until the event bound), so a command-line run streams them to a spool file as
//! events.csv lines ([`EventSink::File`]) instead of holding them: memory stays independent of
//! the number of events. Library callers and tests keep them in memory ([`EventSink::Memory`]).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use crate::engine::SimTime;
use crate::model::cluster::{CPU, GPU, MAX_RESOURCES, Res};
use crate::observe::series::{Levels, Series};
use crate::text::csv_field;

/// One row of events.csv (without the policy and seed columns, which the writer adds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRow {
    pub time: SimTime,
    pub object: String,
    pub event: &'static str,
    pub detail: String,
}

/// Where a run's transition events go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventSink {
    /// Not recorded.
    Off,
    /// Kept in memory, in [`RunResult::events`].
    Memory,
    /// Appended as events.csv rows (policy and seed included, no header) to this file, which the
    /// run creates; [`RunResult::events_file`] then says how much it holds.
    File(PathBuf),
}

/// A finished run's spooled events: rows of events.csv in `path`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpooledEvents {
    pub path: PathBuf,
    pub rows: u64,
    pub bytes: u64,
}

/// The events of a run in progress.
pub(crate) enum EventLog {
    Off,
    Memory(Vec<EventRow>),
    File(EventFile),
}

/// events.csv rows streamed to a file; the first write error is kept and reported at the end.
pub(crate) struct EventFile {
    path: PathBuf,
    out: Option<BufWriter<File>>,
    /// `policy,seed,` as the rows start.
    prefix: String,
    line: String,
    rows: u64,
    bytes: u64,
    error: Option<std::io::Error>,
}

impl EventLog {
    pub(crate) fn new(sink: &EventSink, policy: &str, seed: u64) -> std::io::Result<EventLog> {
        Ok(match sink {
            EventSink::Off => EventLog::Off,
            EventSink::Memory => EventLog::Memory(Vec::new()),
            EventSink::File(path) => EventLog::File(EventFile {
                out: Some(BufWriter::with_capacity(1 << 16, File::create(path)?)),
                path: path.clone(),
                prefix: format!("{},{seed},", csv_field(policy)),
                line: String::new(),
                rows: 0,
                bytes: 0,
                error: None,
            }),
        })
    }

    pub(crate) fn push(&mut self, row: EventRow) {
        match self {
            EventLog::Off => {}
            EventLog::Memory(rows) => rows.push(row),
            EventLog::File(f) => f.push(&row),
        }
    }

    /// The last `n` rows, newest first, when kept in memory (for a bug report's context).
    pub(crate) fn recent(&self, n: usize) -> Vec<&EventRow> {
        match self {
            EventLog::Memory(rows) => rows.iter().rev().take(n).collect(),
            _ => Vec::new(),
        }
    }

    /// The rows kept in memory, and the spool file with what it holds.
    pub(crate) fn finish(self) -> std::io::Result<(Vec<EventRow>, Option<SpooledEvents>)> {
        match self {
            EventLog::Off => Ok((Vec::new(), None)),
            EventLog::Memory(rows) => Ok((rows, None)),
            EventLog::File(mut f) => {
                if let Some(mut out) = f.out.take()
                    && f.error.is_none()
                {
                    f.error = out.flush().err();
                }
                match f.error {
                    Some(e) => Err(e),
                    None => Ok((
                        Vec::new(),
                        Some(SpooledEvents {
                            path: f.path,
                            rows: f.rows,
                            bytes: f.bytes,
                        }),
                    )),
                }
            }
        }
    }
}

impl EventFile {
    fn push(&mut self, e: &EventRow) {
        let Some(out) = self.out.as_mut() else { return };
        self.line.clear();
        self.line.push_str(&self.prefix);
        event_fields(e, &mut self.line);
        match out.write_all(self.line.as_bytes()) {
            Ok(()) => {
                self.rows += 1;
                self.bytes += self.line.len() as u64;
            }
            Err(err) => {
                self.error = Some(err);
                self.out = None;
            }
        }
    }
}

/// The columns of an events.csv row after policy and seed, with the line's end.
pub fn event_fields(e: &EventRow, out: &mut String) {
    use std::fmt::Write as _;
    let _ = writeln!(
        out,
        "{},{},{},{}",
        e.time,
        csv_field(&e.object),
        e.event,
        csv_field(&e.detail)
    );
}

/// What a run observes as it goes: GPU levels and their integrals, transition events, the GPUs
/// each queue holds and deserves, evictions and lost work per queue, preemptions, and the
/// deadlock state. The world and the parts that notice something write here; nothing reads it
/// to decide what the simulated cluster does.
pub struct Recorder {
    pub gpu: GpuTime,
    /// Per API client (`Client`): writes that waited for a token, and the longest wait (ms).
    pub throttled: [(u64, u64); Client::COUNT],
    /// Transition events are recorded (`events` is not off); code that only builds an event's
    /// text asks this first.
    pub record_events: bool,
    pub(crate) events: EventLog,
    pub preemptions: u64,
    /// GPUs each queue's bound pods hold, over time.
    pub queue_time: QueueTime,
    /// GPUs each queue deserves (Volcano proportion, per session), as a level over time.
    pub queue_deserved: QueueTime,
    /// Resource-time each queue's bound pods hold, every dimension (by queue index).
    pub queue_res: HeldByKey,
    /// Resource-time each namespace's bound pods hold (by `Store::namespace_names` index).
    pub namespace_res: HeldByKey,
    /// Pods evicted from each queue by volcano preempt and reclaim.
    pub queue_evictions: Vec<[u64; 2]>,
    /// GPU milli x ms of work each queue lost to evictions by a scheduler (preempt, reclaim,
    /// Kueue).
    pub queue_lost: Vec<u128>,
    pub deadlock: crate::model::gang::DeadlockState,
    /// Deadlock detection on (the default); off only to measure its cost.
    pub detect_deadlocks: bool,
}

impl Recorder {
    /// A recorder whose events go to `sink`.
    pub(crate) fn new(sink: &EventSink, policy: &str, seed: u64) -> std::io::Result<Recorder> {
        Ok(Recorder {
            gpu: GpuTime::default(),
            throttled: [(0, 0); Client::COUNT],
            record_events: *sink != EventSink::Off,
            events: EventLog::new(sink, policy, seed)?,
            preemptions: 0,
            queue_time: QueueTime::default(),
            queue_deserved: QueueTime::default(),
            queue_res: HeldByKey::default(),
            namespace_res: HeldByKey::default(),
            queue_evictions: Vec::new(),
            queue_lost: Vec::new(),
            deadlock: Default::default(),
            detect_deadlocks: true,
        })
    }
}

/// A resource level in every dimension and its integral over time (canonical unit x ms).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResLevel {
    /// The level right now.
    pub level: Res,
    /// Its integral so far, per dimension (negative levels count as 0).
    pub integral: [u128; MAX_RESOURCES],
}

impl ResLevel {
    /// The level held for `dt` ms more.
    fn accrue(&mut self, dt: u128) {
        for (sum, &v) in self.integral.iter_mut().zip(self.level.0.iter()) {
            *sum += v.max(0) as u128 * dt;
        }
    }
}

/// Resource-time integrals of the cluster, per dimension (cpu, memory, GPUs, extended
/// resources): the capacity of the nodes that have joined, what bound pods hold, and what pods
/// doing work hold. Updated at each change, O(1) in the run's length.
#[derive(Clone, Debug, Default)]
pub struct ResTime {
    /// Resources of the nodes in the cluster.
    pub capacity: ResLevel,
    /// Requests of bound (or reserved), non-terminal pods.
    pub held: ResLevel,
    /// Requests of pods that do work (all running pods; a gang member waiting for its gang
    /// holds but does not work).
    pub busy: ResLevel,
}

impl ResTime {
    fn accrue(&mut self, dt: u128) {
        self.capacity.accrue(dt);
        self.held.accrue(dt);
        self.busy.accrue(dt);
    }

    /// Allocated utilization of dimension `d`: held / capacity integrals (0 without capacity).
    pub fn alloc_util(&self, d: usize) -> f64 {
        ratio(self.held.integral[d], self.capacity.integral[d])
    }

    /// Busy utilization of dimension `d`: busy / capacity integrals (0 without capacity).
    pub fn busy_util(&self, d: usize) -> f64 {
        ratio(self.busy.integral[d], self.capacity.integral[d])
    }
}

/// Resource-time held per key (a queue or a namespace), every dimension; each key accrues on
/// its own changes only, so a change costs O(1) whatever the number of keys.
#[derive(Clone, Debug, Default)]
pub struct HeldByKey {
    last: Vec<SimTime>,
    pub levels: Vec<ResLevel>,
}

impl HeldByKey {
    /// Key `k` holds `req` more (`sign` 1) or less (-1) from `now`.
    pub fn change(&mut self, k: usize, now: SimTime, req: &Res, sign: i64) {
        if self.levels.len() <= k {
            self.last.resize(k + 1, SimTime::ZERO);
            self.levels.resize(k + 1, ResLevel::default());
        }
        self.advance(k, now);
        let level = &mut self.levels[k].level;
        if sign > 0 { level.add(req) } else { level.sub(req) }
    }

    fn advance(&mut self, k: usize, now: SimTime) {
        let dt = u128::from(now.since(self.last[k]));
        if dt > 0 {
            self.levels[k].accrue(dt);
            self.last[k] = now;
        }
    }

    /// Account every key up to the end of the run.
    pub fn finish(&mut self, end: SimTime) {
        for k in 0..self.levels.len() {
            self.advance(k, end);
        }
    }

    /// Key `k`'s integral (zeros for a key that never held anything).
    pub fn integral(&self, k: usize) -> [u128; MAX_RESOURCES] {
        self.levels.get(k).map_or([0; MAX_RESOURCES], |l| l.integral)
    }
}

/// GPU-time integrals, in GPU-milli x milliseconds, with the resource-time integrals of every
/// dimension they are part of ([`ResTime`]; the GPU levels are its `nvidia.com/gpu` dimension).
#[derive(Clone, Debug, Default)]
pub struct GpuTime {
    last: SimTime,
    /// Capacity, held and busy levels and integrals of every resource dimension.
    pub res: ResTime,
    /// GPU milli held by members of partial gangs right now.
    pub stranded_milli: i64,
    /// The cluster is in a deadlock episode right now.
    pub deadlocked: bool,
    pub stranded_integral: u128,
    /// GPU time of work lost: runs that failed, pods deleted, preempted or lost with a node.
    pub lost_integral: u128,
    /// The GPU levels over time, bucketed.
    pub series: Series,
}

impl GpuTime {
    /// Accumulate up to `now`; call before every change of the levels.
    pub fn advance(&mut self, now: SimTime) {
        let dt = u128::from(now.since(self.last));
        if dt > 0 {
            self.res.accrue(dt);
            self.stranded_integral += self.stranded_milli.max(0) as u128 * dt;
            let levels = Levels {
                capacity: self.res.capacity.level.gpu_milli(),
                held: self.res.held.level.gpu_milli(),
                busy: self.res.busy.level.gpu_milli(),
                stranded: self.stranded_milli,
                cpu: [
                    self.res.capacity.level.0[CPU],
                    self.res.held.level.0[CPU],
                    self.res.busy.level.0[CPU],
                ],
                deadlocked: self.deadlocked,
            };
            self.series.add(self.last.ms(), now.ms(), &levels);
            self.last = now;
        }
    }

    /// GPU milli held by bound, non-terminal pods right now.
    pub fn held_milli(&self) -> i64 {
        self.res.held.level.gpu_milli()
    }

    /// GPU milli held by pods that do work right now.
    pub fn busy_milli(&self) -> i64 {
        self.res.busy.level.gpu_milli()
    }

    pub fn alloc_util(&self) -> f64 {
        self.res.alloc_util(GPU)
    }

    pub fn busy_util(&self) -> f64 {
        self.res.busy_util(GPU)
    }
}

fn ratio(a: u128, b: u128) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// GPUs held by each queue's bound pods over time (queue index as in `World::queue_names`).
#[derive(Clone, Debug, Default)]
pub struct QueueTime {
    last: Vec<SimTime>,
    level: Vec<i64>,
    pub series: Vec<Series>,
    /// Held GPU milli x ms per queue.
    pub integral: Vec<u128>,
    /// When a level was first set (`set`): for levels that exist only from some point on (the
    /// deserved shares, from the first session that computed them).
    pub first_set: Option<SimTime>,
}

impl QueueTime {
    /// Queue `q`'s held GPUs change by `delta` milli at `now`.
    pub fn change(&mut self, q: usize, now: SimTime, delta: i64) {
        if self.level.len() <= q {
            self.last.resize(q + 1, SimTime::ZERO);
            self.level.resize(q + 1, 0);
            self.series.resize(q + 1, Series::default());
            self.integral.resize(q + 1, 0);
        }
        self.advance(q, now);
        self.level[q] += delta;
    }

    fn advance(&mut self, q: usize, now: SimTime) {
        let dt = now.since(self.last[q]);
        if dt > 0 {
            let held = self.level[q];
            self.integral[q] += held.max(0) as u128 * u128::from(dt);
            let levels = Levels {
                held,
                ..Levels::default()
            };
            self.series[q].add(self.last[q].ms(), now.ms(), &levels);
            self.last[q] = now;
        }
    }

    /// Queue `q`'s level becomes `level` at `now`.
    pub fn set(&mut self, q: usize, now: SimTime, level: i64) {
        self.first_set.get_or_insert(now);
        let current = self.level.get(q).copied().unwrap_or(0);
        if current != level {
            self.change(q, now, level - current);
        }
    }

    /// Queues with a level so far.
    pub fn len(&self) -> usize {
        self.level.len()
    }

    pub fn is_empty(&self) -> bool {
        self.level.is_empty()
    }

    /// Account every queue up to the end of the run.
    pub fn finish(&mut self, end: SimTime) {
        for q in 0..self.level.len() {
            self.advance(q, end);
        }
    }
}

/// One queue's results in a run (queues.csv; its series feed queue_timeseries.csv).
#[derive(Clone, Debug)]
pub struct QueueRow {
    pub name: String,
    pub weight: u32,
    /// weight / the sum of the weights of the queues with workloads.
    pub weight_share: f64,
    pub gpu_milli_ms: u128,
    pub series: Series,
    /// Pods of the queue evicted by volcano preempt / reclaim.
    pub preempted: u64,
    pub reclaimed: u64,
    /// GPU milli x ms of work lost by its pods evicted for other workloads.
    pub lost_gpu_milli_ms: u128,
    /// Time-mean GPUs the queue deserved (Volcano proportion) or its nominal GPU quota (a
    /// Kueue ClusterQueue), in milli; `None` when neither applies.
    pub deserved_gpu_milli: Option<f64>,
    /// CPU millicores x ms its bound (or reserved) pods held.
    pub cpu_milli_ms: u128,
    /// Memory bytes x ms its bound (or reserved) pods held.
    pub memory_byte_ms: u128,
}

pub use crate::model::store::WlState;
/// The API clients whose waits a run records (`RunResult::throttled`).
pub use crate::rate::Client;

impl Recorder {
    /// A write of `client` issued at `now` goes out at `due`.
    pub fn client_wait(&mut self, client: Client, now: crate::engine::SimTime, due: crate::engine::SimTime) {
        if due > now {
            let t = &mut self.throttled[client as usize];
            t.0 += 1;
            t.1 = t.1.max(due.since(now));
        }
    }
}

/// One row of jobs.csv (without policy and seed).
#[derive(Clone, Debug, PartialEq)]
pub struct JobRow {
    pub namespace: String,
    pub name: String,
    pub kind: &'static str,
    pub owner: String,
    pub queue: String,
    pub priority: i32,
    pub gpus_milli: i64,
    pub pods: u32,
    pub submit: SimTime,
    pub start: Option<SimTime>,
    pub finish: Option<SimTime>,
    pub state: WlState,
    pub reason: String,
    pub restarts: u32,
    pub failed_pods: u32,
    pub preemptions: u32,
    /// A gang: a Volcano Job, a `kubesim.io/gang-size` Job, or pods joining a PodGroup.
    pub gang: bool,
}

impl JobRow {
    pub fn wait_ms(&self) -> Option<u64> {
        self.start.map(|s| s.since(self.submit))
    }
    pub fn jct_ms(&self) -> Option<u64> {
        self.finish.map(|f| f.since(self.submit))
    }
}

/// Everything one (policy, seed) run produced.
#[derive(Clone, Debug)]
pub struct RunResult {
    pub policy: String,
    pub seed: u64,
    pub jobs: Vec<JobRow>,
    /// Transition events, when recorded in memory ([`EventSink::Memory`]).
    pub events: Vec<EventRow>,
    /// Transition events, when streamed to a file ([`EventSink::File`]).
    pub events_file: Option<SpooledEvents>,
    pub gpu: GpuTime,
    /// Simulated time at the end of the run.
    pub end: SimTime,
    pub events_processed: u64,
    pub preemptions: u64,
    /// Gang metrics (0 while no gang-aware model is in the run).
    pub deadlock_episodes: u64,
    pub deadlock_ms: u64,
    pub stranded_gpu_milli_ms: u128,
    /// Gangs created in the run (for deadlock episodes per 1,000 gang submissions).
    pub gang_submissions: u64,
    /// Replay fidelity per Trace whose jobs record their own waits.
    pub fidelity: Vec<crate::observe::fidelity::Fidelity>,
    /// One row per CronJob.
    pub cron: Vec<CronRow>,
    /// Node failures (FaultModel) in the run.
    pub node_failures: u64,
    /// Per API client (`Client`): writes that waited for a token, and the longest wait (ms).
    pub throttled: [(u64, u64); Client::COUNT],
    /// Per queue: weight, GPU time held, held GPUs over time.
    pub queues: Vec<QueueRow>,
    /// The names of the resource dimensions, by index (as [`ResTime`]'s arrays are).
    pub resources: Vec<String>,
    /// The tenants whose shares Jain's fairness index compares: the queues in use when there
    /// are two or more, else the namespaces of the workloads.
    pub tenants: Vec<TenantRow>,
}

/// One tenant (a queue or a namespace) of a run: what it is entitled to and what it held.
#[derive(Clone, Debug, PartialEq)]
pub struct TenantRow {
    pub name: String,
    /// Its entitled share of the cluster, 0 to 1: a Kueue ClusterQueue's share of the nominal
    /// GPU quotas, a queue's weight share, or 1 / (number of namespaces).
    pub entitlement: f64,
    /// Resource-time its pods held (bound or reserved), per dimension.
    pub held: [u128; MAX_RESOURCES],
}

/// One CronJob's results (cronjobs.csv).
#[derive(Clone, Debug, PartialEq)]
pub struct CronRow {
    pub namespace: String,
    pub name: String,
    pub schedule: String,
    pub concurrency: &'static str,
    /// Jobs started.
    pub started: u64,
    /// Scheduled times never started, by reason.
    pub skipped_forbid: u64,
    pub skipped_deadline: u64,
    pub skipped_suspended: u64,
    /// Jobs started more than a second after their scheduled time, and by how much.
    pub late_runs: u64,
    pub late_mean_ms: Option<f64>,
    pub late_max_ms: u64,
    /// Syncs that warned `TooManyMissedTimes`.
    pub too_many_missed: u64,
    /// Active Jobs deleted by `Replace`.
    pub replaced: u64,
    /// Finished Jobs deleted beyond the history limits.
    pub history_deleted: u64,
    pub jobs_complete: u64,
    pub jobs_failed: u64,
}
