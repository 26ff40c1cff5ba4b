//! The rows of the per-run tables from a run's results: jobs.csv, events.csv and summary.csv
//! exactly as contract.md sections 3-4 define them (with the summary metrics of a run), and
//! timeseries.csv, fidelity.csv, cronjobs.csv, queues.csv and queue_timeseries.csv. Pure
//! functions of run results; [`crate::observe::tables`] assembles them per unit.

use crate::engine::SimTime;
use crate::model::cluster::{CPU, GPU, MEMORY, PODS};
use crate::observe::record::{JobRow, RunResult, WlState, event_fields};
use crate::observe::stats::percentile;
use crate::observe::survival::{Bounded, Survival};
pub use crate::text::csv_field;
use crate::text::push_csv_field;

pub const JOBS_HEADER: &str = "policy,seed,namespace,name,kind,owner,queue,priority,gpus,pods,submit_s,start_s,finish_s,state,reason,wait_s,jct_s,restarts,failed_pods,preemptions";
pub const EVENTS_HEADER: &str = "policy,seed,time_s,object,event,detail";
pub const FIDELITY_HEADER: &str = "policy,seed,trace,jobs,not_started,ks_distance,recorded_p50_s,simulated_p50_s,recorded_p90_s,simulated_p90_s,recorded_p99_s,simulated_p99_s,recorded_mean_s,simulated_mean_s";
pub const CRONJOBS_HEADER: &str = "policy,seed,namespace,cronjob,schedule,concurrency_policy,started,skipped_forbid,skipped_deadline,skipped_suspended,late_runs,late_mean_s,late_max_s,too_many_missed,replaced,history_deleted,jobs_complete,jobs_failed";
pub const QUEUES_HEADER: &str = "policy,seed,queue,weight,weight_share,jobs,jobs_complete,gpu_h,gpu_share,wait_p50_s,wait_p95_s,preemptions,reclaims,gpu_h_lost,deserved_gpus,cpu_h,cpu_share,memory_gib_h,memory_share";
pub const QUEUE_TIMESERIES_HEADER: &str = "policy,seed,queue,t_s,width_s,alloc_gpus";
pub const TIMESERIES_HEADER: &str =
    "policy,seed,t_s,width_s,gpus,alloc_gpus,busy_gpus,stranded_gpus,deadlock_frac,cpus,alloc_cpus,busy_cpus";
pub const SUMMARY_HEADER: &str = "policy,seed,gpu_alloc_util,gpu_busy_util,wait_p50_s,wait_p95_s,wait_p99_s,wait_mean_s,jct_mean_s,jct_p99_s,makespan_s,jobs_complete,jobs_failed,jobs_pending,preemptions,deadlock_episodes,deadlock_s,stranded_gpu_h,jobs_running,jobs_rejected,end_s,events_processed,gpu_h_lost,restarts,node_failures,not_started,unfinished,lower_bounds,gangs,gang_tfs_p50_s,gang_tfs_p95_s,gang_tfs_mean_s,cpu_alloc_util,cpu_busy_util,memory_alloc_util,memory_busy_util,slowdown_mean,bsld_mean,bsld_p95,jain_fairness";
pub const RESOURCES_HEADER: &str = "policy,seed,resource,unit,capacity_h,alloc_h,busy_h,alloc_util,busy_util";

/// Bounded slowdown's threshold (Feitelson): runs shorter than this count as this long.
pub const BSLD_TAU_MS: u64 = 10_000;

/// Summary metrics of one run (contract.md section 4). Waits and completion times are
/// Kaplan-Meier estimates over right-censored samples ([`crate::observe::survival`]): a
/// workload that had not started (finished) by the end counts as a wait (completion time) of at
/// least what was observed, and an estimate beyond the observed part is a lower bound.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub policy: String,
    pub seed: u64,
    pub gpu_alloc_util: f64,
    pub gpu_busy_util: f64,
    pub wait_p50_ms: Option<Bounded<u64>>,
    pub wait_p95_ms: Option<Bounded<u64>>,
    pub wait_p99_ms: Option<Bounded<u64>>,
    pub wait_mean_ms: Option<Bounded<f64>>,
    pub jct_mean_ms: Option<Bounded<f64>>,
    pub jct_p99_ms: Option<Bounded<u64>>,
    /// The latest finish; with unfinished workloads, the end of the run as a lower bound.
    pub makespan_ms: Option<Bounded<u64>>,
    pub jobs_complete: usize,
    pub jobs_failed: usize,
    pub jobs_pending: usize,
    pub jobs_running: usize,
    pub jobs_rejected: usize,
    pub preemptions: u64,
    pub deadlock_episodes: u64,
    pub deadlock_ms: u64,
    pub stranded_gpu_h: f64,
    pub end: SimTime,
    pub events_processed: u64,
    /// GPU-hours of work lost to failed runs, deletions, preemptions and lost nodes.
    pub gpu_h_lost: f64,
    /// Container restarts in place, all workloads.
    pub restarts: u64,
    pub node_failures: u64,
    /// Workloads (not rejected) that never started: censored waits.
    pub not_started: usize,
    /// Workloads (not rejected) not finished at the end: censored completion times.
    pub unfinished: usize,
    /// Gang workloads (a Volcano Job, a `kubesim.io/gang-size` Job, pods joining a PodGroup).
    pub gangs: usize,
    /// Their time to first start: submission to the first time the whole gang ran.
    pub gang_tfs_p50_ms: Option<Bounded<u64>>,
    pub gang_tfs_p95_ms: Option<Bounded<u64>>,
    pub gang_tfs_mean_ms: Option<Bounded<f64>>,
    /// Allocated and busy utilization of cpu and memory; None when the cluster has none.
    pub cpu_alloc_util: Option<f64>,
    pub cpu_busy_util: Option<f64>,
    pub memory_alloc_util: Option<f64>,
    pub memory_busy_util: Option<f64>,
    /// Slowdowns ([`Slowdowns`]): lower bounds when some workloads are unfinished.
    pub slowdown_mean: Option<Bounded<f64>>,
    pub bsld_mean: Option<Bounded<f64>>,
    pub bsld_p95: Option<Bounded<f64>>,
    /// Jain's fairness index of the tenants' shares against their entitlements ([`jain`]).
    pub jain_fairness: Option<f64>,
}

/// Slowdowns of a run's workloads. A workload that started and finished has wait w = start -
/// submit and run r = finish - start: slowdown (w + r) / r (when r > 0) and bounded slowdown
/// max(1, (w + r) / max(r, 10 s)). A workload unfinished at the end (never started, or still
/// running) has a slowdown that depends on a run time not yet seen: any value from 1 up, so it
/// counts as 1, its least possible value, and the mean and percentile are then lower bounds.
/// Rejected workloads and those that ended without starting (deleted, failed) never run and
/// have none.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Slowdowns {
    pub slowdown: Vec<f64>,
    pub bsld: Vec<f64>,
    /// Unfinished workloads (counted as 1 in both).
    pub censored: usize,
}

impl Slowdowns {
    pub fn of(r: &RunResult) -> Slowdowns {
        let mut s = Slowdowns::default();
        for j in r.jobs.iter().filter(|j| j.state != WlState::Rejected) {
            match (j.start, j.finish) {
                (Some(start), Some(finish)) => {
                    let (w, run) = (start.since(j.submit) as f64, finish.since(start));
                    if run > 0 {
                        s.slowdown.push((w + run as f64) / run as f64);
                    }
                    s.bsld.push(((w + run as f64) / run.max(BSLD_TAU_MS) as f64).max(1.0));
                }
                (_, None) => {
                    s.slowdown.push(1.0);
                    s.bsld.push(1.0);
                    s.censored += 1;
                }
                (None, Some(_)) => {}
            }
        }
        s
    }

    fn bounded(&self, v: Option<f64>) -> Option<Bounded<f64>> {
        v.map(|value| Bounded {
            value,
            lower_bound: self.censored > 0,
        })
    }

    pub fn slowdown_mean(&self) -> Option<Bounded<f64>> {
        self.bounded(mean_f(&self.slowdown))
    }

    pub fn bsld_mean(&self) -> Option<Bounded<f64>> {
        self.bounded(mean_f(&self.bsld))
    }

    /// The nearest-rank percentile of the bounded slowdowns.
    pub fn bsld_percentile(&self, p: f64) -> Option<Bounded<f64>> {
        let mut v = self.bsld.clone();
        v.sort_by(f64::total_cmp);
        let rank = ((p / 100.0) * v.len() as f64).ceil().max(1.0) as usize;
        self.bounded(v.get(rank.min(v.len()).wrapping_sub(1)).copied())
    }
}

fn mean_f(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Jain's fairness index J = (sum x)^2 / (n sum x^2) of the tenants' normalized shares: x =
/// (the tenant's share of the GPU-time held) / (its entitlement); without GPUs in the cluster,
/// the share of its dominant resource (the largest, over cpu, memory and extended resources, of
/// the resource-time it held / the cluster's capacity-time). Tenants entitled to nothing are left
/// out. None with fewer than two tenants or when no tenant held anything. 1 when every tenant
/// got its entitlement's share, 1/n when one got everything.
pub fn jain(r: &RunResult) -> Option<f64> {
    let cap = &r.gpu.res.capacity.integral;
    let dims: Vec<usize> = if cap[GPU] > 0 {
        vec![GPU]
    } else {
        (0..r.resources.len()).filter(|&d| d != PODS && cap[d] > 0).collect()
    };
    let x: Vec<f64> = r
        .tenants
        .iter()
        .filter(|t| t.entitlement > 0.0)
        .map(|t| {
            let dominant = dims
                .iter()
                .map(|&d| t.held[d] as f64 / cap[d] as f64)
                .fold(0.0, f64::max);
            dominant / t.entitlement
        })
        .collect();
    jain_index(&x)
}

/// J = (sum x)^2 / (n sum x^2); None for fewer than two values or all zero. Shares need not be
/// normalized: J does not change when every x is scaled.
pub fn jain_index(x: &[f64]) -> Option<f64> {
    let sq: f64 = x.iter().map(|v| v * v).sum();
    if x.len() < 2 || sq <= 0.0 {
        return None;
    }
    let s: f64 = x.iter().sum();
    Some(s * s / (x.len() as f64 * sq))
}

/// A dimension's utilization, None when the cluster never had any of it.
fn dim_util(r: &RunResult, d: usize, busy: bool) -> Option<f64> {
    let res = &r.gpu.res;
    (res.capacity.integral[d] > 0).then(|| if busy { res.busy_util(d) } else { res.alloc_util(d) })
}

/// The right-censored waits of a run's workloads (`gangs_only`: of its gangs). A workload that
/// never started is censored at the time it was observed waiting: until it ended without
/// starting (deleted, failed) or the end of the run. Rejected workloads never queued: left out.
pub fn wait_sample(r: &RunResult, gangs_only: bool) -> Survival {
    let (mut events, mut censored) = (Vec::new(), Vec::new());
    for j in r
        .jobs
        .iter()
        .filter(|j| j.state != WlState::Rejected && (j.gang || !gangs_only))
    {
        match j.wait_ms() {
            Some(w) => events.push(w),
            None => censored.push(j.finish.unwrap_or(r.end).since(j.submit)),
        }
    }
    Survival::new(events, censored)
}

/// The right-censored completion times: unfinished workloads censored at the end of the run.
pub fn jct_sample(r: &RunResult) -> Survival {
    let (mut events, mut censored) = (Vec::new(), Vec::new());
    for j in r.jobs.iter().filter(|j| j.state != WlState::Rejected) {
        match j.jct_ms() {
            Some(c) => events.push(c),
            None => censored.push(r.end.since(j.submit)),
        }
    }
    Survival::new(events, censored)
}

pub fn summarize(r: &RunResult) -> Summary {
    let waits = wait_sample(r, false);
    let jcts = jct_sample(r);
    let gang_waits = wait_sample(r, true);
    let slow = Slowdowns::of(r);
    let count = |s: WlState| r.jobs.iter().filter(|j| j.state == s).count();
    let latest = r.jobs.iter().filter_map(|j| j.finish).map(|t| t.ms()).max();
    Summary {
        policy: r.policy.clone(),
        seed: r.seed,
        gpu_alloc_util: r.gpu.alloc_util(),
        gpu_busy_util: r.gpu.busy_util(),
        wait_p50_ms: waits.percentile(50.0),
        wait_p95_ms: waits.percentile(95.0),
        wait_p99_ms: waits.percentile(99.0),
        wait_mean_ms: waits.mean(),
        jct_mean_ms: jcts.mean(),
        jct_p99_ms: jcts.percentile(99.0),
        makespan_ms: if jcts.censored() > 0 {
            Some(Bounded {
                value: latest.unwrap_or(0).max(r.end.ms()),
                lower_bound: true,
            })
        } else {
            latest.map(|value| Bounded {
                value,
                lower_bound: false,
            })
        },
        jobs_complete: count(WlState::Complete),
        jobs_failed: count(WlState::Failed),
        jobs_pending: count(WlState::Pending),
        jobs_running: count(WlState::Running),
        jobs_rejected: count(WlState::Rejected),
        preemptions: r.preemptions,
        deadlock_episodes: r.deadlock_episodes,
        deadlock_ms: r.deadlock_ms,
        stranded_gpu_h: r.stranded_gpu_milli_ms as f64 / 1000.0 / 3_600_000.0,
        end: r.end,
        events_processed: r.events_processed,
        gpu_h_lost: r.gpu.lost_integral as f64 / 1000.0 / 3_600_000.0,
        restarts: r.jobs.iter().map(|j| u64::from(j.restarts)).sum(),
        node_failures: r.node_failures,
        not_started: waits.censored(),
        unfinished: jcts.censored(),
        gangs: gang_waits.len(),
        gang_tfs_p50_ms: gang_waits.percentile(50.0),
        gang_tfs_p95_ms: gang_waits.percentile(95.0),
        gang_tfs_mean_ms: gang_waits.mean(),
        cpu_alloc_util: dim_util(r, CPU, false),
        cpu_busy_util: dim_util(r, CPU, true),
        memory_alloc_util: dim_util(r, MEMORY, false),
        memory_busy_util: dim_util(r, MEMORY, true),
        slowdown_mean: slow.slowdown_mean(),
        bsld_mean: slow.bsld_mean(),
        bsld_p95: slow.bsld_percentile(95.0),
        jain_fairness: jain(r),
    }
}

impl Summary {
    /// The summary.csv columns whose value is only a lower bound (censored values beyond it),
    /// as the `lower_bounds` column lists them.
    pub fn lower_bounds(&self) -> Vec<&'static str> {
        let u = |b: &Option<Bounded<u64>>| b.is_some_and(|b| b.lower_bound);
        let f = |b: &Option<Bounded<f64>>| b.is_some_and(|b| b.lower_bound);
        [
            ("wait_p50_s", u(&self.wait_p50_ms)),
            ("wait_p95_s", u(&self.wait_p95_ms)),
            ("wait_p99_s", u(&self.wait_p99_ms)),
            ("wait_mean_s", f(&self.wait_mean_ms)),
            ("jct_mean_s", f(&self.jct_mean_ms)),
            ("jct_p99_s", u(&self.jct_p99_ms)),
            ("makespan_s", u(&self.makespan_ms)),
            ("gang_tfs_p50_s", u(&self.gang_tfs_p50_ms)),
            ("gang_tfs_p95_s", u(&self.gang_tfs_p95_ms)),
            ("gang_tfs_mean_s", f(&self.gang_tfs_mean_ms)),
            ("slowdown_mean", f(&self.slowdown_mean)),
            ("bsld_mean", f(&self.bsld_mean)),
            ("bsld_p95", f(&self.bsld_p95)),
        ]
        .into_iter()
        .filter_map(|(name, lb)| lb.then_some(name))
        .collect()
    }
}

fn opt_ms(v: Option<u64>) -> String {
    v.map(|v| SimTime(v).to_string()).unwrap_or_default()
}

fn opt_ms_f(v: Option<f64>) -> String {
    v.map(|v| format!("{:.3}", v / 1000.0)).unwrap_or_default()
}

fn opt_f6(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.6}")).unwrap_or_default()
}

fn bounded_ms(v: Option<Bounded<u64>>) -> String {
    opt_ms(v.map(|b| b.value))
}

fn bounded_ms_f(v: Option<Bounded<f64>>) -> String {
    opt_ms_f(v.map(|b| b.value))
}

/// GPUs from milli-GPUs: "8", "0.5", "1.25".
pub fn gpus(milli: i64) -> String {
    crate::text::thousandths(milli)
}

/// jobs.csv rows of one run (no header). A large run's rows are formatted in parallel, a chunk
/// of jobs per task, and joined in job order.
pub fn jobs_rows(r: &RunResult, out: &mut String) {
    use rayon::prelude::*;
    let prefix = format!("{},{},", csv_field(&r.policy), r.seed);
    if r.jobs.len() <= ROWS_PER_TASK {
        push_job_rows(&prefix, &r.jobs, out);
        return;
    }
    let parts: Vec<String> = r
        .jobs
        .par_chunks(ROWS_PER_TASK)
        .map(|jobs| {
            let mut s = String::new();
            push_job_rows(&prefix, jobs, &mut s);
            s
        })
        .collect();
    out.reserve(parts.iter().map(String::len).sum());
    for p in parts {
        out.push_str(&p);
    }
}

/// Jobs formatted per parallel task by `jobs_rows`.
const ROWS_PER_TASK: usize = 16_384;

/// The rows of `jobs`, each after `prefix` (policy and seed), appended to `out` field by field.
fn push_job_rows(prefix: &str, jobs: &[JobRow], out: &mut String) {
    use std::fmt::Write as _;
    // Room for the rows at once (a row is about 100-130 bytes; room not written to is never
    // touched): growing by doubling would copy the text again and again.
    out.reserve(jobs.len().saturating_mul(prefix.len() + ROW_BYTES));
    for j in jobs {
        out.push_str(prefix);
        push_csv_field(out, &j.namespace);
        out.push(',');
        push_csv_field(out, &j.name);
        let _ = write!(out, ",{},", j.kind);
        push_csv_field(out, &j.owner);
        out.push(',');
        push_csv_field(out, &j.queue);
        let _ = write!(out, ",{},{},{},{},", j.priority, gpus(j.gpus_milli), j.pods, j.submit);
        push_opt_ms(out, j.start.map(|t| t.0));
        out.push(',');
        push_opt_ms(out, j.finish.map(|t| t.0));
        let _ = write!(out, ",{},", j.state.as_str());
        push_csv_field(out, &j.reason);
        out.push(',');
        push_opt_ms(out, j.wait_ms());
        out.push(',');
        push_opt_ms(out, j.jct_ms());
        let _ = writeln!(out, ",{},{},{}", j.restarts, j.failed_pods, j.preemptions);
    }
}

/// Bytes reserved per jobs.csv row besides its policy and seed.
const ROW_BYTES: usize = 128;

/// `opt_ms(v)` appended to `out`.
fn push_opt_ms(out: &mut String, v: Option<u64>) {
    use std::fmt::Write as _;
    if let Some(v) = v {
        let _ = write!(out, "{}", SimTime(v));
    }
}

/// events.csv rows of one run (no header).
pub fn events_rows(r: &RunResult, out: &mut String) {
    let prefix = format!("{},{},", csv_field(&r.policy), r.seed);
    for e in &r.events {
        out.push_str(&prefix);
        event_fields(e, out);
    }
}

/// The summary.csv row of one run (no header).
pub fn summary_row(s: &Summary, out: &mut String) {
    out.push_str(&format!(
        "{},{},{:.6},{:.6},{},{},{},{},{},{},{},{},{},{},{},{},{},{:.6},{},{},{},{},{:.6},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
        csv_field(&s.policy),
        s.seed,
        s.gpu_alloc_util,
        s.gpu_busy_util,
        bounded_ms(s.wait_p50_ms),
        bounded_ms(s.wait_p95_ms),
        bounded_ms(s.wait_p99_ms),
        bounded_ms_f(s.wait_mean_ms),
        bounded_ms_f(s.jct_mean_ms),
        bounded_ms(s.jct_p99_ms),
        bounded_ms(s.makespan_ms),
        s.jobs_complete,
        s.jobs_failed,
        s.jobs_pending,
        s.preemptions,
        s.deadlock_episodes,
        SimTime(s.deadlock_ms),
        s.stranded_gpu_h,
        s.jobs_running,
        s.jobs_rejected,
        s.end,
        s.events_processed,
        s.gpu_h_lost,
        s.restarts,
        s.node_failures,
        s.not_started,
        s.unfinished,
        s.lower_bounds().join(" "),
        s.gangs,
        bounded_ms(s.gang_tfs_p50_ms),
        bounded_ms(s.gang_tfs_p95_ms),
        bounded_ms_f(s.gang_tfs_mean_ms),
        opt_f6(s.cpu_alloc_util),
        opt_f6(s.cpu_busy_util),
        opt_f6(s.memory_alloc_util),
        opt_f6(s.memory_busy_util),
        opt_f6(s.slowdown_mean.map(|b| b.value)),
        opt_f6(s.bsld_mean.map(|b| b.value)),
        opt_f6(s.bsld_p95.map(|b| b.value)),
        opt_f6(s.jain_fairness),
    ));
}

/// A resource dimension's unit in resources.csv and how many canonical units make one.
fn resource_unit(name: &str) -> (&'static str, f64) {
    match name {
        "cpu" => ("cores", 1000.0),
        "nvidia.com/gpu" => ("GPUs", 1000.0),
        n if crate::input::quantity::is_bytes(n) => ("GiB", (1u64 << 30) as f64),
        _ => ("units", 1000.0),
    }
}

/// resources.csv rows of one run (no header): per resource dimension the cluster had or pods
/// requested (not `pods`), its capacity, allocated and busy resource-time in unit-hours and its
/// allocated and busy utilization (docs/metrics.md).
pub fn resources_rows(r: &RunResult, out: &mut String) {
    let res = &r.gpu.res;
    for (d, name) in r.resources.iter().enumerate() {
        if d == PODS || (res.capacity.integral[d] == 0 && res.held.integral[d] == 0) {
            continue;
        }
        let (unit, per) = resource_unit(name);
        let hours = |x: u128| x as f64 / per / 3_600_000.0;
        out.push_str(&format!(
            "{},{},{},{unit},{:.6},{:.6},{:.6},{:.6},{:.6}\n",
            csv_field(&r.policy),
            r.seed,
            csv_field(name),
            hours(res.capacity.integral[d]),
            hours(res.held.integral[d]),
            hours(res.busy.integral[d]),
            res.alloc_util(d),
            res.busy_util(d),
        ));
    }
}

/// timeseries.csv rows of one run (no header): per bucket of the run's series, the mean GPUs
/// in the cluster, held, busy and stranded, the fraction of the bucket in deadlock, and the mean
/// CPUs (cores) in the cluster, held and busy.
/// The last bucket covers the run up to its end (`width_s` says how much).
pub fn timeseries_rows(r: &RunResult, out: &mut String) {
    let series = &r.gpu.series;
    let end = r.end.ms();
    for (i, b) in series.buckets.iter().enumerate() {
        let t = i as u64 * series.width_ms;
        let covered = end.min(t + series.width_ms).saturating_sub(t);
        if covered == 0 {
            break;
        }
        let per = |x: u128| x as f64 / 1000.0 / covered as f64;
        out.push_str(&format!(
            "{},{},{},{},{:.3},{:.3},{:.3},{:.3},{:.4},{:.3},{:.3},{:.3}\n",
            csv_field(&r.policy),
            r.seed,
            SimTime(t),
            SimTime(covered),
            per(b.capacity),
            per(b.held),
            per(b.busy),
            per(b.stranded),
            b.deadlock_ms as f64 / covered as f64,
            per(b.cpu[0]),
            per(b.cpu[1]),
            per(b.cpu[2]),
        ));
    }
}

/// fidelity.csv rows of one run (no header): per Trace whose jobs record their own waits.
pub fn fidelity_rows(r: &RunResult, out: &mut String) {
    for f in &r.fidelity {
        let mut line = format!(
            "{},{},{},{},{},{}",
            csv_field(&r.policy),
            r.seed,
            csv_field(&f.trace),
            f.jobs,
            f.not_started,
            if f.ks.is_finite() {
                format!("{:.6}", f.ks)
            } else {
                String::new()
            }
        );
        for (_, rec, sim) in &f.quantiles {
            line.push_str(&format!(",{},{}", SimTime(*rec), SimTime(*sim)));
        }
        line.push_str(&format!(
            ",{},{}\n",
            opt_ms_f(Some(f.recorded_mean_ms).filter(|v| v.is_finite())),
            opt_ms_f(Some(f.simulated_mean_ms).filter(|v| v.is_finite()))
        ));
        out.push_str(&line);
    }
}

/// cronjobs.csv rows of one run (no header).
pub fn cronjob_rows(r: &RunResult, out: &mut String) {
    for c in &r.cron {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            csv_field(&r.policy),
            r.seed,
            csv_field(&c.namespace),
            csv_field(&c.name),
            csv_field(&c.schedule),
            c.concurrency,
            c.started,
            c.skipped_forbid,
            c.skipped_deadline,
            c.skipped_suspended,
            c.late_runs,
            opt_ms_f(c.late_mean_ms),
            SimTime(c.late_max_ms),
            c.too_many_missed,
            c.replaced,
            c.history_deleted,
            c.jobs_complete,
            c.jobs_failed,
        ));
    }
}

/// queues.csv rows of one run (no header): per queue that workloads use.
pub fn queue_rows(r: &RunResult, out: &mut String) {
    let total: u128 = r.queues.iter().map(|q| q.gpu_milli_ms).sum();
    let total_cpu: u128 = r.queues.iter().map(|q| q.cpu_milli_ms).sum();
    let total_memory: u128 = r.queues.iter().map(|q| q.memory_byte_ms).sum();
    let share = |mine: u128, all: u128| if all == 0 { 0.0 } else { mine as f64 / all as f64 };
    for q in &r.queues {
        let mine: Vec<&JobRow> = r
            .jobs
            .iter()
            .filter(|j| {
                let name = if j.queue.is_empty() {
                    "default"
                } else {
                    j.queue.as_str()
                };
                name == q.name
            })
            .collect();
        let mut waits: Vec<u64> = mine.iter().filter_map(|j| j.wait_ms()).collect();
        waits.sort_unstable();
        out.push_str(&format!(
            "{},{},{},{},{:.6},{},{},{:.6},{:.6},{},{},{},{},{:.6},{},{:.6},{:.6},{:.6},{:.6}\n",
            csv_field(&r.policy),
            r.seed,
            csv_field(&q.name),
            q.weight,
            q.weight_share,
            mine.len(),
            mine.iter().filter(|j| j.state == WlState::Complete).count(),
            q.gpu_milli_ms as f64 / 1000.0 / 3_600_000.0,
            if total == 0 {
                0.0
            } else {
                q.gpu_milli_ms as f64 / total as f64
            },
            opt_ms(percentile(&waits, 50.0)),
            opt_ms(percentile(&waits, 95.0)),
            mine.iter().map(|j| u64::from(j.preemptions)).sum::<u64>(),
            q.reclaimed,
            q.lost_gpu_milli_ms as f64 / 1000.0 / 3_600_000.0,
            q.deserved_gpu_milli
                .map_or(String::new(), |d| format!("{:.3}", d / 1000.0)),
            q.cpu_milli_ms as f64 / 1000.0 / 3_600_000.0,
            share(q.cpu_milli_ms, total_cpu),
            q.memory_byte_ms as f64 / (1u64 << 30) as f64 / 3_600_000.0,
            share(q.memory_byte_ms, total_memory),
        ));
    }
}

/// queue_timeseries.csv rows of one run (no header): GPUs each queue held, per bucket.
pub fn queue_timeseries_rows(r: &RunResult, out: &mut String) {
    let end = r.end.ms();
    for q in &r.queues {
        let s = &q.series;
        for (i, b) in s.buckets.iter().enumerate() {
            let t = i as u64 * s.width_ms;
            let covered = end.min(t + s.width_ms).saturating_sub(t);
            if covered == 0 {
                break;
            }
            out.push_str(&format!(
                "{},{},{},{},{},{:.3}\n",
                csv_field(&r.policy),
                r.seed,
                csv_field(&q.name),
                SimTime(t),
                SimTime(covered),
                b.held as f64 / 1000.0 / covered as f64
            ));
        }
    }
}

fn with_header(header: &str, runs: &[RunResult], rows: fn(&RunResult, &mut String)) -> String {
    let mut out = String::with_capacity(runs.iter().map(|r| r.jobs.len() * 120).sum::<usize>() + 256);
    out.push_str(header);
    out.push('\n');
    for r in runs {
        rows(r, &mut out);
    }
    out
}

pub fn jobs_csv(runs: &[RunResult]) -> String {
    with_header(JOBS_HEADER, runs, jobs_rows)
}

pub fn events_csv(runs: &[RunResult]) -> String {
    with_header(EVENTS_HEADER, runs, events_rows)
}

pub fn timeseries_csv(runs: &[RunResult]) -> String {
    with_header(TIMESERIES_HEADER, runs, timeseries_rows)
}

pub fn summary_csv(summaries: &[Summary]) -> String {
    let mut out = String::new();
    out.push_str(SUMMARY_HEADER);
    out.push('\n');
    for s in summaries {
        summary_row(s, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpu_counts_print_without_trailing_zeros() {
        assert_eq!(gpus(8000), "8");
        assert_eq!(gpus(500), "0.5");
        assert_eq!(gpus(1250), "1.25");
        assert_eq!(gpus(0), "0");
    }

    #[test]
    fn jain_index_by_hand() {
        // Equal shares: 1; one tenant has everything: 1/n; (1, 0.25): 1.5625 / 2.125.
        assert_eq!(jain_index(&[0.5, 0.5, 0.5]), Some(1.0));
        assert_eq!(jain_index(&[2.0, 0.0]), Some(0.5));
        assert_eq!(jain_index(&[1.0, 0.0, 0.0, 0.0]), Some(0.25));
        assert!((jain_index(&[1.0, 0.25]).unwrap() - 1.5625 / 2.125).abs() < 1e-12);
        // Fewer than two tenants, or nothing held: no index.
        assert_eq!(jain_index(&[1.0]), None);
        assert_eq!(jain_index(&[0.0, 0.0]), None);
    }
}
