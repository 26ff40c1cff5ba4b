//! Derived outputs: everything computed from the per-run tables of an experiment
//! ([`crate::experiment::output::Tables`]): the paired comparison (comparison.csv and its terminal table),
//! sweep aggregates and targets (sweep.csv), the time series and wait-time CDFs behind the plots,
//! and the report (see [`crate::observe::html`]).
//!
//! Inputs are the tables' text, parsed here, so single runs and merged shards derive the same
//! bytes. Every loop runs in unit order, sequentially: floating-point sums are reproducible.

use std::collections::BTreeMap;

use crate::error::InputError;
use crate::experiment::output::{Kind, Plan, Tables};
use crate::observe::report::{SUMMARY_HEADER, csv_field};
use crate::observe::stats::{Estimate, mean_ci, paired_diff, paired_rate_diff, wilson95};

/// How a metric reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// A fraction shown as a percentage; differences in percentage points.
    Fraction,
    Seconds,
    Count,
    GpuHours,
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
}

const fn m(name: &'static str, label: &'static str, unit: Scale, better: Better) -> Metric {
    Metric {
        name,
        label,
        unit,
        better,
    }
}

/// The metrics compared, in report order.
pub const METRICS: &[Metric] = &[
    m("gpu_busy_util", "GPU busy utilization", Scale::Fraction, Better::Higher),
    m(
        "gpu_alloc_util",
        "GPU allocated utilization",
        Scale::Fraction,
        Better::Neither,
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
    m("stranded_gpu_h", "stranded GPU-hours", Scale::GpuHours, Better::Lower),
    m("gpu_h_lost", "GPU-hours of work lost", Scale::GpuHours, Better::Lower),
    m("restarts", "container restarts", Scale::Count, Better::Lower),
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
    values: Vec<Option<f64>>,
}

fn summary_columns() -> impl Iterator<Item = &'static str> {
    SUMMARY_HEADER.split(',')
}

impl Row {
    pub fn get(&self, name: &str) -> Option<f64> {
        let i = summary_columns().position(|c| c == name)?;
        self.values.get(i).copied().flatten()
    }

    /// A row from one CSV record of summary.csv (`offset` 0) or sweep_runs.csv (1).
    fn parse(unit: &crate::experiment::Unit, rec: &csv::StringRecord, offset: usize) -> Row {
        Row {
            point: unit.point,
            policy: unit.policy.clone(),
            seed: unit.seed,
            values: (0..summary_columns().count())
                .map(|i| rec.get(i + offset).and_then(|v| v.parse::<f64>().ok()))
                .collect(),
        }
    }

    /// The row of a run as its summary.csv line reads (the same rounding as the file).
    pub fn from_run(unit: &crate::experiment::Unit, run: &crate::observe::record::RunResult) -> Row {
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

/// One line of comparison.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub metric: &'static str,
    pub policy: String,
    pub est: Estimate,
    pub baseline: String,
    /// The paired difference policy - baseline (None on the baseline's own line).
    pub diff: Option<Estimate>,
    pub diff_pct: Option<f64>,
    pub verdict: &'static str,
    /// For the deadlock rate: runs with a deadlock.
    pub deadlocked_runs: Option<u64>,
}

pub const COMPARISON_HEADER: &str =
    "metric,policy,runs,mean,ci95_lo,ci95_hi,baseline,diff,diff_ci95_lo,diff_ci95_hi,diff_pct,verdict";

fn verdict(diff: &Estimate, better: Better) -> &'static str {
    if diff.n >= 1 && diff.mean == 0.0 && diff.lo == 0.0 && diff.hi == 0.0 {
        "identical in every seed"
    } else if diff.n < 2 {
        "too few seeds"
    } else if !diff.excludes_zero() {
        "no significant difference"
    } else {
        match (better, diff.mean > 0.0) {
            (Better::Neither, true) => "higher",
            (Better::Neither, false) => "lower",
            (Better::Higher, true) | (Better::Lower, false) => "better",
            _ => "worse",
        }
    }
}

/// Per metric and policy: the mean over seeds with its interval, and the difference against
/// the first policy paired by seed. `rows` are one point's rows.
pub fn compare(policies: &[String], seeds: &[u64], rows: &[&Row]) -> Vec<Comparison> {
    let Some(baseline) = policies.first() else {
        return vec![];
    };
    // by_policy[p][s]: the row of policy p, seed s.
    let by_policy: Vec<Vec<Option<&Row>>> = policies
        .iter()
        .map(|p| {
            seeds
                .iter()
                .map(|s| rows.iter().copied().find(|r| &r.policy == p && r.seed == *s))
                .collect()
        })
        .collect();
    let mut out = Vec::new();
    for m in METRICS {
        let vals: Vec<Vec<Option<f64>>> = by_policy
            .iter()
            .map(|rs| rs.iter().map(|r| r.and_then(|r| r.get(m.name))).collect())
            .collect();
        let base_mean = mean_ci(&vals[0].iter().flatten().copied().collect::<Vec<_>>()).mean;
        for (i, p) in policies.iter().enumerate() {
            let est = mean_ci(&vals[i].iter().flatten().copied().collect::<Vec<_>>());
            let diff = (i > 0).then(|| paired_diff(&vals[0], &vals[i]));
            out.push(Comparison {
                metric: m.name,
                policy: p.clone(),
                est,
                baseline: baseline.clone(),
                diff,
                diff_pct: diff
                    .filter(|_| base_mean != 0.0 && base_mean.is_finite())
                    .map(|d| d.mean / base_mean * 100.0),
                verdict: diff.map_or("baseline", |d| verdict(&d, m.better)),
                deadlocked_runs: None,
            });
        }
    }
    let flags: Vec<Vec<bool>> = by_policy
        .iter()
        .map(|rs| rs.iter().map(|r| r.is_some_and(Row::deadlocked)).collect())
        .collect();
    let base_rate = flags[0].iter().filter(|&&b| b).count() as f64 / seeds.len().max(1) as f64;
    for (i, p) in policies.iter().enumerate() {
        let k = flags[i].iter().filter(|&&b| b).count() as u64;
        let n = by_policy[i].iter().filter(|r| r.is_some()).count() as u64;
        let (lo, hi) = wilson95(k, n);
        let diff = (i > 0).then(|| paired_rate_diff(&flags[0], &flags[i]));
        out.push(Comparison {
            metric: DEADLOCK_RATE,
            policy: p.clone(),
            est: Estimate {
                n,
                mean: if n == 0 { f64::NAN } else { k as f64 / n as f64 },
                lo,
                hi,
            },
            baseline: baseline.clone(),
            diff,
            diff_pct: diff.filter(|_| base_rate > 0.0).map(|d| d.mean / base_rate * 100.0),
            verdict: diff.map_or("baseline", |d| verdict(&d, Better::Lower)),
            deadlocked_runs: Some(k),
        });
    }
    out
}

/// A number for CSV: six decimals, empty when not finite.
pub fn num(v: f64) -> String {
    if v.is_finite() {
        let s = format!("{v:.6}");
        if s == "-0.000000" { "0.000000".into() } else { s }
    } else {
        String::new()
    }
}

pub fn comparison_csv(rows: &[Comparison]) -> String {
    let mut out = format!("{COMPARISON_HEADER}\n");
    for c in rows {
        let (d, dlo, dhi) = c.diff.map_or((String::new(), String::new(), String::new()), |d| {
            (num(d.mean), num(d.lo), num(d.hi))
        });
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{}\n",
            c.metric,
            csv_field(&c.policy),
            c.est.n,
            num(c.est.mean),
            num(c.est.lo),
            num(c.est.hi),
            csv_field(&c.baseline),
            d,
            dlo,
            dhi,
            c.diff_pct.map(num).unwrap_or_default(),
            c.verdict
        ));
    }
    out
}

fn unit_of(metric: &str) -> Scale {
    if metric == DEADLOCK_RATE || metric == DEADLOCK_FREE {
        Scale::Fraction
    } else {
        self::metric(metric).map_or(Scale::Count, |m| m.unit)
    }
}

fn label_of(metric: &str) -> &'static str {
    match metric {
        DEADLOCK_RATE => "deadlock rate (runs)",
        DEADLOCK_FREE => "runs without deadlock",
        _ => self::metric(metric).map_or("?", |m| m.label),
    }
}

/// A value for people: 73.5%, 1,234 s, 12.3 GPU-h, 4.2.
pub fn show(metric: &str, v: f64) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    match unit_of(metric) {
        Scale::Fraction => format!("{:.1}%", v * 100.0),
        Scale::Seconds => format!("{}s", group(v.round())),
        Scale::Count => {
            if v.fract() == 0.0 {
                group(v)
            } else {
                format!("{v:.1}")
            }
        }
        Scale::GpuHours => format!("{v:.1} GPU-h"),
    }
}

/// A signed difference for people: +33.0 pp, -1,200 s.
pub fn show_diff(metric: &str, v: f64) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    let sign = if v > 0.0 {
        "+"
    } else if v < 0.0 {
        "-"
    } else {
        ""
    };
    let a = v.abs();
    let body = match unit_of(metric) {
        Scale::Fraction => format!("{:.1} pp", a * 100.0),
        Scale::Seconds => format!("{} s", group(a.round())),
        Scale::Count => format!("{a:.1}"),
        Scale::GpuHours => format!("{a:.1} GPU-h"),
    };
    format!("{sign}{body}")
}

/// Thousands separators for a whole number.
fn group(v: f64) -> String {
    let s = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 { format!("-{out}") } else { out }
}

/// The terminal table of a comparison: per policy against the baseline.
pub fn comparison_table(rows: &[Comparison], seeds: usize) -> String {
    let mut out = String::new();
    let mut policies: Vec<&str> = Vec::new();
    for c in rows {
        if !policies.contains(&c.policy.as_str()) {
            policies.push(&c.policy);
        }
    }
    let Some(base) = policies.first().copied() else {
        return out;
    };
    for p in policies.iter().skip(1) {
        out.push_str(&format!(
            "{p} vs {base} ({seeds} seeds, common random numbers; paired difference with 95% CI)\n"
        ));
        out.push_str(&format!(
            "  {:<28} {:>14} {:>14} {:>36}  {}\n",
            "metric", base, p, "difference [95% CI]", "verdict"
        ));
        for c in rows.iter().filter(|c| c.policy == *p) {
            let b = rows
                .iter()
                .find(|x| x.metric == c.metric && x.policy == base)
                .map_or(f64::NAN, |x| x.est.mean);
            let (bs, ps) = match (
                c.deadlocked_runs,
                rows.iter().find(|x| x.metric == c.metric && x.policy == base),
            ) {
                (Some(k), Some(bx)) => (
                    format!("{}/{}", bx.deadlocked_runs.unwrap_or(0), bx.est.n),
                    format!("{k}/{}", c.est.n),
                ),
                _ => (show(c.metric, b), show(c.metric, c.est.mean)),
            };
            let d = c.diff.map_or("-".to_string(), |d| {
                format!(
                    "{} [{}, {}]",
                    show_diff(c.metric, d.mean),
                    show_diff(c.metric, d.lo),
                    show_diff(c.metric, d.hi)
                )
            });
            out.push_str(&format!(
                "  {:<28} {:>14} {:>14} {:>36}  {}\n",
                label_of(c.metric),
                bs,
                ps,
                d,
                c.verdict
            ));
        }
        out.push('\n');
    }
    out
}

/// Verdict sentences: for each policy, the significant differences against the baseline and
/// the deadlock rates.
pub fn verdicts(rows: &[Comparison]) -> Vec<String> {
    let mut policies: Vec<&str> = Vec::new();
    for c in rows {
        if !policies.contains(&c.policy.as_str()) {
            policies.push(&c.policy);
        }
    }
    let Some(base) = policies.first().copied() else {
        return vec![];
    };
    let mut out = Vec::new();
    for p in policies.iter().skip(1) {
        let mine: Vec<&Comparison> = rows.iter().filter(|c| c.policy == *p).collect();
        let mut better = Vec::new();
        let mut worse = Vec::new();
        let mut other = Vec::new();
        for c in &mine {
            if let Some(d) = c.diff {
                let text = format!(
                    "{} {} [{}, {}]",
                    label_of(c.metric),
                    show_diff(c.metric, d.mean),
                    show_diff(c.metric, d.lo),
                    show_diff(c.metric, d.hi)
                );
                match c.verdict {
                    "better" => better.push(text),
                    "worse" => worse.push(text),
                    "higher" | "lower" => other.push(text),
                    _ => {}
                }
            }
        }
        let n = mine.first().map_or(0, |c| c.est.n);
        let mut s = format!("{p} against {base} over {n} paired seeds: ");
        if better.is_empty() && worse.is_empty() {
            s.push_str("no metric differs significantly at 95%; more seeds would narrow the intervals.");
        } else {
            if !better.is_empty() {
                s.push_str(&format!("better on {}", better.join("; ")));
            }
            if !worse.is_empty() {
                let lead = if better.is_empty() { "worse on" } else { ". Worse on" };
                s.push_str(&format!("{lead} {}", worse.join("; ")));
            }
            s.push('.');
        }
        if !other.is_empty() {
            s.push_str(&format!(" Also different: {}.", other.join("; ")));
        }
        if let (Some(c), Some(b)) = (
            mine.iter().find(|c| c.metric == DEADLOCK_RATE),
            rows.iter().find(|c| c.metric == DEADLOCK_RATE && c.policy == base),
        ) {
            s.push_str(&format!(
                " Deadlocked runs: {}/{} against {}/{}.",
                c.deadlocked_runs.unwrap_or(0),
                c.est.n,
                b.deadlocked_runs.unwrap_or(0),
                b.est.n
            ));
        }
        out.push(s);
    }
    out
}

/// A sweep or capacity target: `metric OP value` on the mean over seeds.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub metric: String,
    pub op: Op,
    pub value: f64,
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Le,
    Lt,
    Ge,
    Gt,
}

impl Target {
    pub fn parse(s: &str) -> Result<Target, InputError> {
        let names: Vec<&str> = METRICS
            .iter()
            .map(|m| m.name)
            .chain([DEADLOCK_RATE, DEADLOCK_FREE])
            .collect();
        let fix = format!(
            "write METRIC<=VALUE or METRIC>=VALUE (also < and >), e.g. --target 'wait_p95_s<=3600' \
             --target 'deadlock_free>=0.95'; metrics: {}",
            names.join(", ")
        );
        let bad = |why: String| InputError::new("--target", format!("`{s}`: {why}"), fix.clone());
        let (pos, op, len) = [("<=", Op::Le), (">=", Op::Ge), ("<", Op::Lt), (">", Op::Gt)]
            .iter()
            .find_map(|(t, op)| s.find(t).map(|p| (p, *op, t.len())))
            .ok_or_else(|| bad("no comparison (<=, >=, <, >)".into()))?;
        let metric = s[..pos].trim().to_string();
        if !names.contains(&metric.as_str()) {
            return Err(bad(format!("unknown metric `{metric}`")));
        }
        let value: f64 = s[pos + len..]
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| bad("the value is not a number".into()))?;
        Ok(Target {
            metric,
            op,
            value,
            text: s.trim().to_string(),
        })
    }

    /// Does `agg` meet this target? Missing values (no job started) do not.
    pub fn met(&self, agg: &Aggregate) -> bool {
        let Some(v) = agg.value(&self.metric) else {
            return false;
        };
        match self.op {
            Op::Le => v <= self.value,
            Op::Lt => v < self.value,
            Op::Ge => v >= self.value,
            Op::Gt => v > self.value,
        }
    }
}

/// One (point, policy) over its seeds.
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregate {
    pub point: usize,
    pub policy: String,
    pub runs: u64,
    pub deadlocked_runs: u64,
    /// Per metric of [`METRICS`], in order.
    pub estimates: Vec<Estimate>,
}

impl Aggregate {
    pub fn of(point: usize, policy: &str, rows: &[&Row]) -> Aggregate {
        let mine: Vec<&Row> = rows
            .iter()
            .copied()
            .filter(|r| r.point == point && r.policy == policy)
            .collect();
        Aggregate {
            point,
            policy: policy.to_string(),
            runs: mine.len() as u64,
            deadlocked_runs: mine.iter().filter(|r| r.deadlocked()).count() as u64,
            estimates: METRICS
                .iter()
                .map(|m| mean_ci(&mine.iter().filter_map(|r| r.get(m.name)).collect::<Vec<_>>()))
                .collect(),
        }
    }

    /// The mean of a metric, or the deadlock rate / deadlock-free fraction.
    pub fn value(&self, metric: &str) -> Option<f64> {
        let rate = (self.runs > 0).then(|| self.deadlocked_runs as f64 / self.runs as f64);
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
            DEADLOCK_RATE | DEADLOCK_FREE => {
                let (lo, hi) = wilson95(self.deadlocked_runs, self.runs);
                let rate = self.value(DEADLOCK_RATE)?;
                Some(if metric == DEADLOCK_RATE {
                    Estimate {
                        n: self.runs,
                        mean: rate,
                        lo,
                        hi,
                    }
                } else {
                    Estimate {
                        n: self.runs,
                        mean: 1.0 - rate,
                        lo: 1.0 - hi,
                        hi: 1.0 - lo,
                    }
                })
            }
            _ => METRICS.iter().position(|m| m.name == metric).map(|i| self.estimates[i]),
        }
    }

    pub fn meets(&self, targets: &[Target]) -> bool {
        targets.iter().all(|t| t.met(self))
    }
}

pub const SWEEP_HEADER: &str = "point,params,policy,metric,runs,mean,ci95_lo,ci95_hi,meets_targets";

/// sweep.csv: per point, policy and metric the mean over seeds with its interval, and whether
/// the point meets every target (empty without targets).
pub fn sweep_csv(plan: &Plan, aggs: &[Aggregate], targets: &[Target]) -> String {
    let mut out = format!("{SWEEP_HEADER}\n");
    for a in aggs {
        let params = plan.points.get(a.point).map(|p| p.label()).unwrap_or_default();
        let meets = if targets.is_empty() {
            String::new()
        } else {
            a.meets(targets).to_string()
        };
        for name in METRICS.iter().map(|m| m.name).chain([DEADLOCK_RATE]) {
            let e = a.estimate(name).unwrap_or(Estimate {
                n: a.runs,
                mean: f64::NAN,
                lo: f64::NAN,
                hi: f64::NAN,
            });
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{}\n",
                a.point,
                csv_field(&params),
                csv_field(&a.policy),
                name,
                e.n,
                num(e.mean),
                num(e.lo),
                num(e.hi),
                meets
            ));
        }
    }
    out
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

/// Pooled GPU levels over time for one policy: per bucket of a common grid, the fractions
/// busy and allocated, mean stranded GPUs, and the fraction of run-time in deadlock.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pooled {
    pub width_s: f64,
    /// (bucket start in s, busy util, alloc util, stranded GPUs, deadlock fraction)
    pub points: Vec<(f64, f64, f64, f64, f64)>,
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

/// Pool the timeseries.csv rows of a policy's runs over seeds.
pub fn pooled_series(tables: &Tables, policy: &str) -> Pooled {
    // Columns: policy, seed, t, covered, gpus, alloc, busy, stranded, deadlock_frac.
    let rows = policy_records(tables, "timeseries.csv", policy);
    let width = grid_width(&rows, 0..2, 2);
    let grid = pool(&rows, width, |r| {
        (
            field(r, 2),
            field(r, 3),
            [field(r, 4), field(r, 5), field(r, 6), field(r, 7), field(r, 8)],
        )
    });
    Pooled {
        width_s: width,
        points: grid
            .into_iter()
            .map(|(g, (s, cov))| {
                (
                    g as f64 * width,
                    ratio(s[2], s[0]),
                    ratio(s[1], s[0]),
                    ratio(s[3], cov),
                    ratio(s[4], cov),
                )
            })
            .collect(),
    }
}

/// A queue's name, weight share, mean deserved GPUs (Volcano proportion or a Kueue nominal
/// quota; `None` when not reported), and (bucket start in h, mean GPUs held) points.
pub type QueueCurve = (String, f64, Option<f64>, Vec<(f64, f64)>);

/// Per queue of a policy's runs: (queue, weight share, mean GPUs held per bucket start (h)),
/// pooled over seeds on the coarsest bucket grid; and the mean GPUs of the cluster.
pub fn pooled_queues(tables: &Tables, policy: &str) -> (Vec<QueueCurve>, f64) {
    if tables.get("queues.csv").is_none() {
        return (vec![], 0.0);
    }
    // Queues in order of first appearance, with their weight share and the sum and count of
    // their deserved GPUs over runs.
    let mut queues: Vec<(String, f64, f64, u32)> = Vec::new();
    for r in policy_records(tables, "queues.csv", policy) {
        let name = r.get(2).unwrap_or("").to_string();
        let at = match queues.iter().position(|q| q.0 == name) {
            Some(i) => i,
            None => {
                queues.push((name, field(&r, 4), 0.0, 0));
                queues.len() - 1
            }
        };
        if let Some(d) = r.get(14).filter(|d| !d.is_empty()).and_then(|d| d.parse::<f64>().ok()) {
            queues[at].2 += d;
            queues[at].3 += 1;
        }
    }
    // Columns: policy, seed, queue, t, covered, alloc_gpus.
    let rows = policy_records(tables, "queue_timeseries.csv", policy);
    let width = grid_width(&rows, 0..3, 3);
    let out = queues
        .iter()
        .map(|(name, share, deserved, n)| {
            let mine: Vec<csv::StringRecord> = rows
                .iter()
                .filter(|r| r.get(2) == Some(name.as_str()))
                .cloned()
                .collect();
            let pts = pool(&mine, width, |r| (field(r, 3), field(r, 4), [field(r, 5)]))
                .into_iter()
                .map(|(g, (held, cov))| (g as f64 * width / 3600.0, ratio(held[0], cov)))
                .collect();
            (name.clone(), *share, (*n > 0).then(|| deserved / f64::from(*n)), pts)
        })
        .collect();
    let gpus = pool(&policy_records(tables, "timeseries.csv", policy), f64::INFINITY, |r| {
        (0.0, field(r, 3), [field(r, 4)])
    })
    .into_values()
    .next()
    .map_or(0.0, |(sum, cov)| ratio(sum[0], cov));
    (out, gpus)
}

/// Wait times (s) of a policy's workloads that started, over all its runs, sorted.
pub fn waits(tables: &Tables, policy: &str) -> Vec<f64> {
    let Some(col) = tables
        .get("jobs.csv")
        .and_then(|t| t.header.split(',').position(|c| c == "wait_s"))
    else {
        return vec![];
    };
    let mut out: Vec<f64> = policy_records(tables, "jobs.csv", policy)
        .iter()
        .filter_map(|rec| rec.get(col).and_then(|s| s.parse::<f64>().ok()))
        .collect();
    out.sort_by(f64::total_cmp);
    out
}

/// Targets as given in the plan.
pub fn plan_targets(plan: &Plan) -> Result<Vec<Target>, InputError> {
    plan.targets.iter().map(|t| Target::parse(t)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(policy: &str, seed: u64, busy: f64, wait: Option<f64>, episodes: u64) -> Row {
        let cols: Vec<&str> = summary_columns().collect();
        let mut values = vec![None; cols.len()];
        let set = |v: &mut Vec<Option<f64>>, name: &str, x: Option<f64>| {
            let i = cols.iter().position(|c| *c == name).unwrap();
            v[i] = x;
        };
        set(&mut values, "gpu_busy_util", Some(busy));
        set(&mut values, "wait_p95_s", wait);
        set(&mut values, "deadlock_episodes", Some(episodes as f64));
        Row {
            point: 0,
            policy: policy.into(),
            seed,
            values,
        }
    }

    #[test]
    fn queue_means_average_over_seeds_and_skip_missing_values() {
        use crate::experiment::Unit;
        use crate::experiment::output::{Table, Tables};
        let header = crate::observe::report::QUEUES_HEADER.to_string();
        // Two seeds of policy a (queue x in both, y only in seed 2), one seed of policy b.
        let blocks = vec![
            "a,1,x,1,0.500000,4,4,10.0,0.800000,10.000,20.000,2,1,0.500000,6.000\n".to_string(),
            "a,2,x,1,0.500000,6,5,20.0,0.600000,,,4,3,1.500000,\na,2,y,1,0.500000,2,2,5.0,0.400000,1.000,3.000,0,0,0.000000,2.000\n"
                .to_string(),
            "b,1,x,1,1.000000,9,9,1.0,1.000000,5.000,5.000,0,0,0.000000,\n".to_string(),
        ];
        let units = vec![
            Unit {
                point: 0,
                policy: "a".into(),
                seed: 1,
            },
            Unit {
                point: 0,
                policy: "a".into(),
                seed: 2,
            },
            Unit {
                point: 0,
                policy: "b".into(),
                seed: 1,
            },
        ];
        let tables = Tables {
            units,
            tables: vec![Table {
                name: "queues.csv",
                header,
                blocks: blocks.into_iter().map(Into::into).collect(),
            }],
        };
        let a = queue_means(&tables, "a");
        assert_eq!(a.len(), 2);
        let x = &a[0];
        assert_eq!((x.queue.as_str(), x.runs), ("x", 2));
        assert_eq!(
            (x.jobs, x.gpu_share, x.preemptions, x.reclaims, x.gpu_h_lost),
            (5.0, 0.7, 3.0, 2.0, 1.0)
        );
        // The waits and deserved GPUs only seed 1 reports.
        assert_eq!(
            (x.wait_p50_s, x.wait_p95_s, x.deserved_gpus),
            (Some(10.0), Some(20.0), Some(6.0))
        );
        assert_eq!(
            (a[1].queue.as_str(), a[1].runs, a[1].deserved_gpus),
            ("y", 1, Some(2.0))
        );
        let b = queue_means(&tables, "b");
        assert_eq!((b.len(), b[0].jobs, b[0].deserved_gpus), (1, 9.0, None));
        assert!(queue_means(&tables, "c").is_empty());
    }

    #[test]
    fn comparison_pairs_by_seed() {
        // Busy utilization: a = .40 .50 .45 .55, b = a + (.10 .12 .08 .10): paired mean .10,
        // s = 0.016330, se = 0.008165, t(3) = 3.182446 -> half 0.025984.
        let a = [0.40, 0.50, 0.45, 0.55];
        let d = [0.10, 0.12, 0.08, 0.10];
        let mut rows = Vec::new();
        for s in 0..4 {
            rows.push(row("a", s + 1, a[s as usize], Some(100.0), u64::from(s == 0)));
            rows.push(row("b", s + 1, a[s as usize] + d[s as usize], None, 0));
        }
        let refs: Vec<&Row> = rows.iter().collect();
        let policies = vec!["a".to_string(), "b".to_string()];
        let c = compare(&policies, &[1, 2, 3, 4], &refs);
        let busy = c
            .iter()
            .find(|c| c.metric == "gpu_busy_util" && c.policy == "b")
            .unwrap();
        let diff = busy.diff.unwrap();
        assert!((diff.mean - 0.10).abs() < 1e-12);
        assert!((diff.hi - diff.mean - 0.025_984).abs() < 1e-5, "{diff:?}");
        assert_eq!(busy.verdict, "better");
        let base = c
            .iter()
            .find(|c| c.metric == "gpu_busy_util" && c.policy == "a")
            .unwrap();
        assert_eq!(base.verdict, "baseline");
        // b never started a job: no pairs for the wait, and it says so.
        let wait = c.iter().find(|c| c.metric == "wait_p95_s" && c.policy == "b").unwrap();
        assert_eq!(wait.diff.unwrap().n, 0);
        assert_eq!(wait.verdict, "too few seeds");
        let dl = c.iter().find(|c| c.metric == DEADLOCK_RATE && c.policy == "b").unwrap();
        assert_eq!(dl.deadlocked_runs, Some(0));
        assert!((dl.diff.unwrap().mean + 0.25).abs() < 1e-12);
        let csv = comparison_csv(&c);
        assert!(csv.starts_with(COMPARISON_HEADER));
        assert!(csv.contains("gpu_busy_util,b,4,"), "{csv}");
        let v = verdicts(&c);
        assert!(
            v[0].starts_with("b against a over 4 paired seeds: better on GPU busy utilization +10.0 pp"),
            "{v:?}"
        );
    }

    #[test]
    fn targets_parse_and_apply() {
        let t = Target::parse("wait_p95_s <= 3600").unwrap();
        assert_eq!((t.metric.as_str(), t.op, t.value), ("wait_p95_s", Op::Le, 3600.0));
        assert!(Target::parse("deadlock_free>=0.95").is_ok());
        for bad in ["wait_p95_s", "nope<=1", "wait_p95_s<=x", "wait_p95_s<=inf"] {
            let e = Target::parse(bad).unwrap_err();
            assert_eq!(e.field, "--target");
        }
        let rows = [row("a", 1, 0.5, Some(100.0), 0), row("a", 2, 0.5, Some(300.0), 1)];
        let refs: Vec<&Row> = rows.iter().collect();
        let agg = Aggregate::of(0, "a", &refs);
        assert_eq!(agg.value("wait_p95_s"), Some(200.0));
        assert_eq!(agg.value(DEADLOCK_FREE), Some(0.5));
        assert!(t.met(&agg));
        assert!(!Target::parse("deadlock_free>=0.95").unwrap().met(&agg));
        assert!(
            !Target::parse("wait_p50_s<=1").unwrap().met(&agg),
            "a missing value never meets"
        );
    }

    #[test]
    fn human_numbers() {
        assert_eq!(show("gpu_busy_util", 0.735), "73.5%");
        assert_eq!(show("wait_p95_s", 12345.4), "12,345s");
        assert_eq!(show_diff("gpu_busy_util", -0.331), "-33.1 pp");
        assert_eq!(show_diff("wait_p95_s", 1200.0), "+1,200 s");
        assert_eq!(num(-0.0), "0.000000");
        assert_eq!(num(f64::NAN), "");
    }
}

/// One queue's results for a policy, means over its runs (queues.csv). Wait percentiles and
/// deserved GPUs average the runs that report them (`None` when none does).
#[derive(Clone, Debug, PartialEq)]
pub struct QueueMean {
    pub queue: String,
    pub runs: usize,
    pub weight_share: f64,
    pub jobs: f64,
    pub gpu_share: f64,
    pub wait_p50_s: Option<f64>,
    pub wait_p95_s: Option<f64>,
    pub preemptions: f64,
    pub reclaims: f64,
    pub gpu_h_lost: f64,
    pub deserved_gpus: Option<f64>,
}

/// Per queue of a policy's runs (in order of first appearance), the means of queues.csv.
pub fn queue_means(tables: &Tables, policy: &str) -> Vec<QueueMean> {
    // (queue, runs, sums of the always-present columns, (sum, count) of the optional ones)
    type Acc = (String, usize, [f64; 6], [(f64, usize); 3]);
    let mut acc: Vec<Acc> = Vec::new();
    for r in policy_records(tables, "queues.csv", policy) {
        let name = r.get(2).unwrap_or("").to_string();
        let at = match acc.iter().position(|a| a.0 == name) {
            Some(i) => i,
            None => {
                acc.push((name, 0, [0.0; 6], [(0.0, 0); 3]));
                acc.len() - 1
            }
        };
        let a = &mut acc[at];
        a.1 += 1;
        for (k, col) in [4, 5, 8, 11, 12, 13].into_iter().enumerate() {
            a.2[k] += field(&r, col);
        }
        for (k, col) in [9, 10, 14].into_iter().enumerate() {
            if let Some(v) = r.get(col).filter(|v| !v.is_empty()).and_then(|v| v.parse::<f64>().ok()) {
                a.3[k].0 += v;
                a.3[k].1 += 1;
            }
        }
    }
    acc.into_iter()
        .map(|(queue, runs, s, o)| {
            let n = runs as f64;
            let opt = |(sum, count): (f64, usize)| (count > 0).then(|| sum / count as f64);
            QueueMean {
                queue,
                runs,
                weight_share: s[0] / n,
                jobs: s[1] / n,
                gpu_share: s[2] / n,
                wait_p50_s: opt(o[0]),
                wait_p95_s: opt(o[1]),
                preemptions: s[3] / n,
                reclaims: s[4] / n,
                gpu_h_lost: s[5] / n,
                deserved_gpus: opt(o[2]),
            }
        })
        .collect()
}
