//! Summary rows: the metrics that comparisons and sweeps report ([`METRICS`]), each run's row of
//! summary.csv or sweep_runs.csv parsed ([`Row`], [`rows`]), and per (point, policy) the means
//! over seeds with their intervals and the deadlock rate ([`Aggregate`], [`aggregates`]).

use crate::error::InputError;
use crate::observe::analysis::sweep::Target;
use crate::observe::report::SUMMARY_HEADER;
use crate::observe::stats::{Estimate, Support, mean_ci_in, wilson95};
use crate::observe::tables::{Kind, Plan, Tables, Unit};

/// How a metric reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// A fraction shown as a percentage; differences in percentage points.
    Fraction,
    Seconds,
    Count,
    GpuHours,
    /// A ratio of times, at least 1 (slowdowns); differences as plain numbers.
    Ratio,
    /// An index within [0, 1] read as a number (Jain's fairness), not a percentage.
    Index,
}

/// Which way a metric is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
    /// Neither in general: allocated utilization is high both when GPUs work and when partial
    /// gangs hold them idle, so a comparison says only "higher" or "lower".
    Neither,
}

/// A summary metric that comparisons and sweeps report.
#[derive(Clone, Copy, Debug)]
pub struct Metric {
    /// The summary.csv column.
    pub name: &'static str,
    pub label: &'static str,
    pub unit: Scale,
    pub better: Better,
    /// The resource dimension it measures (`nvidia.com/gpu`, `cpu`, `memory`): reported only
    /// when the scenario's nodes have that resource ([`shows`]).
    pub resource: Option<&'static str>,
}

const fn m(name: &'static str, label: &'static str, unit: Scale, better: Better) -> Metric {
    Metric {
        name,
        label,
        unit,
        better,
        resource: None,
    }
}

/// The GPU resource's name.
pub const GPU_RESOURCE: &str = "nvidia.com/gpu";

/// A metric of one resource dimension.
const fn of(resource: &'static str, metric: Metric) -> Metric {
    Metric {
        resource: Some(resource),
        ..metric
    }
}

/// Does an experiment whose scenario's nodes offer `resources` ([`crate::observe::tables::Plan`])
/// report the metric? Metrics of a resource the nodes lack (GPU metrics of a CPU-only trace) are
/// left out; with no list (a plan written before it was kept) every metric is.
pub fn shows(resources: &[String], m: &Metric) -> bool {
    m.resource
        .is_none_or(|r| resources.is_empty() || resources.iter().any(|x| x == r))
}

/// Do the scenario's nodes have GPUs (or is it unknown: an empty list)?
pub fn has_gpus(resources: &[String]) -> bool {
    resources.is_empty() || resources.iter().any(|r| r == GPU_RESOURCE)
}

/// The (busy, allocated) utilization metrics an experiment's headlines show: the GPUs', or the
/// CPUs' when the scenario's nodes have no GPUs.
pub fn utilization(resources: &[String]) -> (&'static str, &'static str) {
    if has_gpus(resources) {
        ("gpu_busy_util", "gpu_alloc_util")
    } else {
        ("cpu_busy_util", "cpu_alloc_util")
    }
}

impl Metric {
    /// Where its values lie: every reported metric is non-negative; fractions are within [0, 1].
    pub fn support(&self) -> Support {
        match self.unit {
            Scale::Fraction | Scale::Index => Support::Unit,
            Scale::Seconds | Scale::Count | Scale::GpuHours | Scale::Ratio => Support::NonNegative,
        }
    }

    /// The default practical threshold: a difference up to this size is negligible.
    pub fn negligible(&self) -> Threshold {
        match self.unit {
            // 0.5 percentage points.
            Scale::Fraction => Threshold::absolute(0.005),
            // 1% of the baseline's mean, and at least 1 s.
            Scale::Seconds => Threshold {
                absolute: 1.0,
                relative: 0.01,
            },
            // 1% of the baseline's mean, and at least one.
            Scale::Count => Threshold {
                absolute: 1.0,
                relative: 0.01,
            },
            // 1% of the baseline's mean, and at least 0.01 GPU-hours (36 GPU-seconds).
            Scale::GpuHours => Threshold {
                absolute: 0.01,
                relative: 0.01,
            },
            // 1% of the baseline's mean, and at least 0.01.
            Scale::Ratio => Threshold {
                absolute: 0.01,
                relative: 0.01,
            },
            // 0.01 of the index.
            Scale::Index => Threshold::absolute(0.01),
        }
    }
}

/// A practical threshold: a difference is negligible when its size is at most
/// max(`absolute`, `relative` x |the baseline's mean|).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Threshold {
    /// In the metric's CSV unit (a fraction, seconds, a count, GPU-hours).
    pub absolute: f64,
    /// A fraction of the baseline's mean.
    pub relative: f64,
}

impl Threshold {
    pub const fn absolute(absolute: f64) -> Threshold {
        Threshold {
            absolute,
            relative: 0.0,
        }
    }

    /// The threshold against a baseline mean.
    pub fn at(&self, baseline_mean: f64) -> f64 {
        let rel = if baseline_mean.is_finite() {
            self.relative * baseline_mean.abs()
        } else {
            0.0
        };
        self.absolute.max(rel)
    }
}

/// The deadlock rate's default practical threshold: 1 percentage point.
pub const DEADLOCK_RATE_NEGLIGIBLE: Threshold = Threshold::absolute(0.01);

/// The metrics compared, in report order.
pub const METRICS: &[Metric] = &[
    of(
        GPU_RESOURCE,
        m("gpu_busy_util", "GPU busy utilization", Scale::Fraction, Better::Higher),
    ),
    of(
        GPU_RESOURCE,
        m(
            "gpu_alloc_util",
            "GPU allocated utilization",
            Scale::Fraction,
            Better::Neither,
        ),
    ),
    of(
        "cpu",
        m("cpu_busy_util", "CPU busy utilization", Scale::Fraction, Better::Higher),
    ),
    of(
        "cpu",
        m(
            "cpu_alloc_util",
            "CPU allocated utilization",
            Scale::Fraction,
            Better::Neither,
        ),
    ),
    of(
        "memory",
        m(
            "memory_busy_util",
            "memory busy utilization",
            Scale::Fraction,
            Better::Higher,
        ),
    ),
    of(
        "memory",
        m(
            "memory_alloc_util",
            "memory allocated utilization",
            Scale::Fraction,
            Better::Neither,
        ),
    ),
    m("wait_mean_s", "mean wait", Scale::Seconds, Better::Lower),
    m("wait_p50_s", "median wait", Scale::Seconds, Better::Lower),
    m("wait_p95_s", "p95 wait", Scale::Seconds, Better::Lower),
    m("wait_p99_s", "p99 wait", Scale::Seconds, Better::Lower),
    m("jct_mean_s", "mean completion time", Scale::Seconds, Better::Lower),
    m("jct_p99_s", "p99 completion time", Scale::Seconds, Better::Lower),
    m("makespan_s", "makespan", Scale::Seconds, Better::Lower),
    m("jobs_complete", "jobs complete", Scale::Count, Better::Higher),
    m("jobs_failed", "jobs failed", Scale::Count, Better::Lower),
    m("jobs_pending", "jobs pending at the end", Scale::Count, Better::Lower),
    m("preemptions", "preemptions", Scale::Count, Better::Lower),
    m("deadlock_s", "time in deadlock", Scale::Seconds, Better::Lower),
    of(
        GPU_RESOURCE,
        m("stranded_gpu_h", "stranded GPU-hours", Scale::GpuHours, Better::Lower),
    ),
    of(
        GPU_RESOURCE,
        m("gpu_h_lost", "GPU-hours of work lost", Scale::GpuHours, Better::Lower),
    ),
    m("restarts", "container restarts", Scale::Count, Better::Lower),
    m("not_started", "workloads never started", Scale::Count, Better::Lower),
    m(
        "gang_tfs_mean_s",
        "gang time to first start (mean)",
        Scale::Seconds,
        Better::Lower,
    ),
    m(
        "gang_tfs_p95_s",
        "gang time to first start (p95)",
        Scale::Seconds,
        Better::Lower,
    ),
    m("slowdown_mean", "mean slowdown", Scale::Ratio, Better::Lower),
    m("bsld_mean", "mean bounded slowdown", Scale::Ratio, Better::Lower),
    m("bsld_p95", "p95 bounded slowdown", Scale::Ratio, Better::Lower),
    m("jain_fairness", "Jain's fairness index", Scale::Index, Better::Higher),
];

/// The deadlock rate's pseudo-metric name (runs with at least one episode / runs).
pub const DEADLOCK_RATE: &str = "deadlock_rate";
/// Its complement, for targets such as "no deadlock in 95% of seeds".
pub const DEADLOCK_FREE: &str = "deadlock_free";

pub fn metric(name: &str) -> Option<&'static Metric> {
    METRICS.iter().find(|m| m.name == name)
}

/// One run's summary row, parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub point: usize,
    pub policy: String,
    pub seed: u64,
    /// Values by summary.csv column (None where empty).
    pub(super) values: Vec<Option<f64>>,
    /// The `lower_bounds` column: the metrics whose value is only a lower bound.
    pub(super) lower_bounds: String,
}

pub(super) fn summary_columns() -> impl Iterator<Item = &'static str> {
    SUMMARY_HEADER.split(',')
}

impl Row {
    pub fn get(&self, name: &str) -> Option<f64> {
        let i = summary_columns().position(|c| c == name)?;
        self.values.get(i).copied().flatten()
    }

    /// Is the metric's value only a lower bound (censored workloads beyond it)?
    pub fn is_lower_bound(&self, name: &str) -> bool {
        self.lower_bounds.split(' ').any(|m| m == name)
    }

    /// A row from one CSV record of summary.csv (`offset` 0) or sweep_runs.csv (1).
    fn parse(unit: &Unit, rec: &csv::StringRecord, offset: usize) -> Row {
        Row {
            point: unit.point,
            policy: unit.policy.clone(),
            seed: unit.seed,
            values: (0..summary_columns().count())
                .map(|i| rec.get(i + offset).and_then(|v| v.parse::<f64>().ok()))
                .collect(),
            lower_bounds: summary_columns()
                .position(|c| c == "lower_bounds")
                .and_then(|i| rec.get(i + offset))
                .unwrap_or_default()
                .to_string(),
        }
    }

    /// The row of a run as its summary.csv line reads (the same rounding as the file).
    pub fn from_run(unit: &Unit, run: &crate::observe::record::RunResult) -> Row {
        let mut line = String::new();
        crate::observe::report::summary_row(&crate::observe::report::summarize(run), &mut line);
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes());
        let rec = rdr.records().next().and_then(Result::ok).unwrap_or_default();
        Row::parse(unit, &rec, 0)
    }

    pub fn deadlocked(&self) -> bool {
        self.get("deadlock_episodes").unwrap_or(0.0) > 0.0
    }
}

/// The summary rows of every unit, in unit order.
pub fn rows(tables: &Tables, kind: Kind) -> Result<Vec<Row>, InputError> {
    let (name, offset) = if kind == Kind::Sweep {
        ("sweep_runs.csv", 1)
    } else {
        ("summary.csv", 0)
    };
    let table = tables
        .get(name)
        .ok_or_else(|| InputError::new("", format!("{name} is missing"), "run the experiment again"))?;
    let mut out = Vec::with_capacity(table.blocks.len());
    for (block, unit) in table.blocks.iter().zip(&tables.units) {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(block.as_bytes());
        for rec in rdr.records() {
            let rec = rec.map_err(|e| InputError::new(name, format!("bad row: {e}"), "run the experiment again"))?;
            out.push(Row::parse(unit, &rec, offset));
        }
    }
    Ok(out)
}

/// One (point, policy) over its seeds.
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregate {
    pub point: usize,
    pub policy: String,
    pub runs: u64,
    pub deadlocked_runs: u64,
    /// The deadlock rate (runs with an episode / runs) with its Wilson interval; None without
    /// runs.
    pub deadlock: Option<Estimate>,
    /// Per metric of [`METRICS`], in order.
    pub estimates: Vec<Estimate>,
    /// Per metric of [`METRICS`], in order: the runs whose value is only a lower bound.
    pub lower_bound_runs: Vec<u64>,
}

impl Aggregate {
    pub fn of(point: usize, policy: &str, rows: &[&Row]) -> Aggregate {
        let mine: Vec<&Row> = rows
            .iter()
            .copied()
            .filter(|r| r.point == point && r.policy == policy)
            .collect();
        let runs = mine.len() as u64;
        let deadlocked_runs = mine.iter().filter(|r| r.deadlocked()).count() as u64;
        let (lo, hi) = wilson95(deadlocked_runs, runs);
        Aggregate {
            point,
            policy: policy.to_string(),
            runs,
            deadlocked_runs,
            deadlock: (runs > 0).then(|| Estimate {
                n: runs,
                mean: deadlocked_runs as f64 / runs as f64,
                lo,
                hi,
            }),
            estimates: METRICS
                .iter()
                .map(|m| {
                    mean_ci_in(
                        &mine.iter().filter_map(|r| r.get(m.name)).collect::<Vec<_>>(),
                        m.support(),
                    )
                })
                .collect(),
            lower_bound_runs: METRICS
                .iter()
                .map(|m| mine.iter().filter(|r| r.is_lower_bound(m.name)).count() as u64)
                .collect(),
        }
    }

    /// The mean of a metric, or the deadlock rate / deadlock-free fraction.
    pub fn value(&self, metric: &str) -> Option<f64> {
        let rate = self.deadlock.map(|e| e.mean);
        match metric {
            DEADLOCK_RATE => rate,
            DEADLOCK_FREE => rate.map(|r| 1.0 - r),
            _ => {
                let i = METRICS.iter().position(|m| m.name == metric)?;
                Some(self.estimates[i].mean).filter(|v| v.is_finite())
            }
        }
    }

    /// The estimate of a metric (the deadlock rate with its Wilson interval).
    pub fn estimate(&self, metric: &str) -> Option<Estimate> {
        match metric {
            DEADLOCK_RATE => self.deadlock,
            DEADLOCK_FREE => self.deadlock.map(|e| Estimate {
                n: e.n,
                mean: 1.0 - e.mean,
                lo: 1.0 - e.hi,
                hi: 1.0 - e.lo,
            }),
            _ => METRICS.iter().position(|m| m.name == metric).map(|i| self.estimates[i]),
        }
    }

    /// Runs in which the metric's value is only a lower bound (0 for the deadlock rate).
    pub fn lower_bounds(&self, metric: &str) -> u64 {
        METRICS
            .iter()
            .position(|m| m.name == metric)
            .map_or(0, |i| self.lower_bound_runs[i])
    }

    pub fn meets(&self, targets: &[Target]) -> bool {
        targets.iter().all(|t| t.met(self))
    }
}

/// Aggregates of every (point, policy) in plan order.
pub fn aggregates(plan: &Plan, rows: &[Row]) -> Vec<Aggregate> {
    let refs: Vec<&Row> = rows.iter().collect();
    let mut out = Vec::new();
    for point in 0..plan.points.len() {
        for p in &plan.policies {
            let a = Aggregate::of(point, p, &refs);
            if a.runs > 0 {
                out.push(a);
            }
        }
    }
    out
}
