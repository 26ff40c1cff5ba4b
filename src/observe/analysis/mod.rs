//! Analysis: everything the derived outputs show, computed from the plan and the per-run
//! tables ([`crate::observe::tables`]) into plain data ([`Analysis`]): per (point, policy) the
//! means over seeds with their intervals ([`summary`]), the paired comparison with its verdicts
//! ([`comparison`]), sweep curves and targets ([`sweep`]), GPU levels over time and wait-time
//! CDFs pooled over seeds ([`series`]), and queue means and curves ([`queues`]). Rendering
//! ([`crate::observe::render`]) only formats this data.
//!
//! Inputs are the tables' text, parsed here, so single runs and merged shards derive the same
//! bytes. Every loop runs in unit order, sequentially: floating-point sums are reproducible.

pub mod comparison;
pub mod queues;
pub mod scenario;
pub mod series;
pub mod summary;
pub mod sweep;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use crate::error::InputError;
use crate::observe::tables::{Kind, Plan, Table, Tables};

pub use comparison::{Comparison, DiffBound, compare, parse_negligible};
pub use queues::{
    QUOTA_POLICIES, QueueCurve, QueueCurves, QueueMean, ShareBasis, pooled_queues, queue_curves, queue_means,
};
pub use scenario::{CronMean, KS_CLOSE, KS_POOR, ReplayMean, cron_means, replay_means};
pub use series::{KindMean, Pooled, kind_means, kind_wait_sample, pooled_series, wait_cdf, wait_sample};
pub use summary::{
    Aggregate, Better, DEADLOCK_FREE, DEADLOCK_RATE, GPU_RESOURCE, METRICS, Metric, Row, Scale, Threshold, aggregates,
    has_gpus, metric, rows, shows, utilization,
};
pub use sweep::{
    Curve, CurvePoint, MetricCurves, MetricGrid, Op, SweepFindings, Target, TargetLine, number_of, plan_targets, x_of,
};

/// Everything an experiment's derived outputs show.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    /// Per (point, policy) with runs, in plan order: the means over seeds.
    pub aggregates: Vec<Aggregate>,
    pub findings: Findings,
}

/// What a run or comparison shows, or what a sweep shows, besides the aggregates.
#[derive(Clone, Debug, PartialEq)]
pub enum Findings {
    /// A run or a comparison: one point, the policies side by side (boxed: it is much the
    /// larger).
    Policies(Box<PolicyFindings>),
    Sweep(SweepFindings),
}

/// What a run or comparison shows besides the aggregates.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyFindings {
    /// The paired differences against the first policy (a comparison only).
    pub comparison: Option<Vec<Comparison>>,
    /// fidelity.csv as shown (its first rows), when the runs replay traces with their waits.
    pub fidelity: Option<Excerpt>,
    /// cronjobs.csv as shown, when the scenario has CronJobs.
    pub cronjobs: Option<Excerpt>,
    /// Per policy and trace, replay fidelity's means over runs (empty without fidelity.csv).
    pub replay: Vec<ReplayMean>,
    /// Per policy, its CronJobs' skipped and late runs per run (empty without cronjobs.csv).
    pub cron: Vec<CronMean>,
    /// Per policy, its queues' means over seeds (when the runs report queues).
    pub queues: Option<Vec<(String, Vec<QueueMean>)>>,
    /// Per policy, its workloads by kind (Job, JobSet, VolcanoJob, ...), when the runs have
    /// more than one kind.
    pub kinds: Option<Vec<(String, Vec<KindMean>)>>,
    /// Per policy: its GPU levels over time and wait-time CDF, pooled over seeds.
    pub policies: Vec<PolicyCurves>,
    /// The widest bucket of the policies' series (s).
    pub bucket_s: f64,
    /// Per policy (the first three, when the runs report queues): GPUs held per queue.
    pub queue_curves: Vec<QueueCurves>,
    /// The resource dimensions of the scenario's nodes ([`Plan::resources`](crate::observe::tables::Plan)):
    /// which utilization the headlines show and whether GPU plots are drawn.
    pub resources: Vec<String>,
}

/// One policy's curves over time and its waits, pooled over seeds.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyCurves {
    pub policy: String,
    pub series: Pooled,
    /// (wait in s, Kaplan-Meier fraction of the workloads that waited at most that long), see
    /// [`wait_cdf`].
    pub wait_cdf: Vec<(f64, f64)>,
    /// The share of its workloads that never started (censored waits), 0 to 1.
    pub censored_share: f64,
}

/// The rows of a per-run table shown as they are.
#[derive(Clone, Debug, PartialEq)]
pub struct Excerpt {
    /// The table's file name.
    pub name: &'static str,
    pub columns: Vec<String>,
    /// Its first [`EXCERPT_ROWS`] rows (all are in the file).
    pub rows: Vec<Vec<String>>,
}

/// Rows of a per-run table shown in the report.
pub const EXCERPT_ROWS: usize = 50;

/// The policies whose queues are plotted.
const QUEUE_PLOTS: usize = 3;

/// Analyze an experiment from its plan and complete tables.
pub fn analyze(plan: &Plan, tables: &Tables) -> Result<Analysis, InputError> {
    let rows = rows(tables, plan.kind)?;
    let targets = plan_targets(plan)?;
    let negligible: Vec<(String, Threshold)> = plan
        .negligible
        .iter()
        .map(|n| parse_negligible(n))
        .collect::<Result<_, _>>()?;
    let aggregates = aggregates(plan, &rows);
    let findings = match plan.kind {
        Kind::Run | Kind::Compare => Findings::Policies(Box::new(policy_findings(plan, tables, &rows, &negligible))),
        Kind::Sweep => Findings::Sweep(sweep::sweep(plan, &aggregates, targets)),
    };
    Ok(Analysis { aggregates, findings })
}

fn policy_findings(plan: &Plan, tables: &Tables, rows: &[Row], negligible: &[(String, Threshold)]) -> PolicyFindings {
    let comparison = (plan.kind == Kind::Compare).then(|| {
        let refs: Vec<&Row> = rows.iter().collect();
        let mut c = compare(&plan.policies, &plan.seeds, &refs, negligible);
        // Metrics of resources the nodes lack (GPU metrics of a CPU-only trace) are left out.
        c.retain(|c| metric(c.metric).is_none_or(|m| summary::shows(&plan.resources, m)));
        c
    });
    let with_queues = tables.get("queues.csv").is_some();
    let policies: Vec<PolicyCurves> = plan
        .policies
        .iter()
        .map(|p| {
            let sample = wait_sample(tables, p);
            PolicyCurves {
                policy: p.clone(),
                series: pooled_series(tables, p),
                wait_cdf: wait_cdf(&sample),
                censored_share: if sample.is_empty() {
                    0.0
                } else {
                    sample.censored() as f64 / sample.len() as f64
                },
            }
        })
        .collect();
    PolicyFindings {
        comparison,
        fidelity: tables.get("fidelity.csv").map(excerpt),
        cronjobs: tables.get("cronjobs.csv").map(excerpt),
        replay: replay_means(tables, &plan.policies),
        cron: cron_means(tables, &plan.policies),
        queues: with_queues.then(|| {
            plan.policies
                .iter()
                .map(|p| (p.clone(), queue_means(tables, p)))
                .collect()
        }),
        kinds: {
            let kinds: Vec<(String, Vec<KindMean>)> = plan
                .policies
                .iter()
                .map(|p| (p.clone(), kind_means(tables, p)))
                .collect();
            let distinct: std::collections::BTreeSet<&str> = kinds
                .iter()
                .flat_map(|(_, m)| m.iter().map(|k| k.kind.as_str()))
                .collect();
            (distinct.len() > 1).then_some(kinds)
        },
        bucket_s: policies.iter().map(|p| p.series.width_s).fold(0.0, f64::max),
        policies,
        resources: plan.resources.clone(),
        queue_curves: if with_queues {
            plan.policies
                .iter()
                .take(QUEUE_PLOTS)
                .map(|p| queue_curves(tables, p))
                .collect()
        } else {
            vec![]
        },
    }
}

/// A per-run table's columns and first rows.
fn excerpt(t: &Table) -> Excerpt {
    let mut rows = Vec::new();
    'rows: for block in &t.blocks {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(block.as_bytes());
        for rec in rdr.records().flatten() {
            if rows.len() == EXCERPT_ROWS {
                break 'rows;
            }
            rows.push(rec.iter().map(str::to_string).collect());
        }
    }
    Excerpt {
        name: t.name,
        columns: t.header.split(',').map(str::to_string).collect(),
        rows,
    }
}

/// The rows of one per-run table for a policy's runs, in unit order.
fn policy_records(tables: &Tables, name: &str, policy: &str) -> Vec<csv::StringRecord> {
    let Some(t) = tables.get(name) else {
        return vec![];
    };
    t.blocks
        .iter()
        .zip(&tables.units)
        .filter(|(_, u)| u.policy == policy)
        .flat_map(|(b, _)| {
            csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(b.as_bytes())
                .into_records()
                .flatten()
                .collect::<Vec<_>>()
        })
        .collect()
}

fn field(r: &csv::StringRecord, i: usize) -> f64 {
    r.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0)
}

/// The common grid of bucketed series: the widest bucket (widths nest by powers of two), from
/// consecutive rows of one series (equal `key` columns; `t` the bucket start column).
fn grid_width(rows: &[csv::StringRecord], key: std::ops::Range<usize>, t: usize) -> f64 {
    let mut width = crate::observe::series::FIRST_WIDTH_MS as f64 / 1000.0;
    for w in rows.windows(2) {
        if key.clone().all(|k| w[0].get(k) == w[1].get(k)) {
            width = width.max(field(&w[1], t) - field(&w[0], t));
        }
    }
    width
}

/// Sum `values x covered` and `covered` of each row into grid buckets of `width` seconds, in
/// row order (so sums are reproducible). `row` gives (bucket start, covered, values).
fn pool<const N: usize>(
    rows: &[csv::StringRecord],
    width: f64,
    row: impl Fn(&csv::StringRecord) -> (f64, f64, [f64; N]),
) -> BTreeMap<u64, ([f64; N], f64)> {
    let mut grid: BTreeMap<u64, ([f64; N], f64)> = BTreeMap::new();
    for r in rows {
        let (t, cov, values) = row(r);
        let e = grid.entry((t / width + 1e-9).floor() as u64).or_insert(([0.0; N], 0.0));
        for (sum, v) in e.0.iter_mut().zip(values) {
            *sum += v * cov;
        }
        e.1 += cov;
    }
    grid
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}
