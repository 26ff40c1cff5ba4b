//! Curves over time and waits, pooled over a policy's seeds: GPU levels per bucket of a common
//! grid (from timeseries.csv) and the wait-time distribution, a Kaplan-Meier estimate that counts
//! the workloads that never started as censored waits (from jobs.csv and summary.csv).

use crate::observe::analysis::{field, grid_width, policy_records, pool, ratio};
use crate::observe::survival::Survival;
use crate::observe::tables::Tables;

/// Pooled GPU levels over time for one policy: per bucket of a common grid, the fractions
/// busy and allocated, mean stranded GPUs, and the fraction of run-time in deadlock.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pooled {
    pub width_s: f64,
    pub points: Vec<PooledPoint>,
}

/// One bucket of a policy's pooled series.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PooledPoint {
    /// The bucket's start, s.
    pub t: f64,
    /// GPU busy and allocated utilization.
    pub busy: f64,
    pub alloc: f64,
    /// Mean GPUs stranded in partial gangs.
    pub stranded: f64,
    pub deadlock: f64,
    /// CPU busy and allocated utilization.
    pub cpu_busy: f64,
    pub cpu_alloc: f64,
}

/// Pool the timeseries.csv rows of a policy's runs over seeds.
pub fn pooled_series(tables: &Tables, policy: &str) -> Pooled {
    // Columns: policy, seed, t, covered, gpus, alloc, busy, stranded, deadlock_frac, cpus,
    // alloc_cpus, busy_cpus.
    let rows = policy_records(tables, "timeseries.csv", policy);
    let width = grid_width(&rows, 0..2, 2);
    let grid = pool(&rows, width, |r| {
        (
            field(r, 2),
            field(r, 3),
            [
                field(r, 4),
                field(r, 5),
                field(r, 6),
                field(r, 7),
                field(r, 8),
                field(r, 9),
                field(r, 10),
                field(r, 11),
            ],
        )
    });
    Pooled {
        width_s: width,
        points: grid
            .into_iter()
            .map(|(g, (s, cov))| PooledPoint {
                t: g as f64 * width,
                busy: ratio(s[2], s[0]),
                alloc: ratio(s[1], s[0]),
                stranded: ratio(s[3], cov),
                deadlock: ratio(s[4], cov),
                cpu_busy: ratio(s[7], s[5]),
                cpu_alloc: ratio(s[6], s[5]),
            })
            .collect(),
    }
}

/// The waits of a policy's workloads over all its runs as a right-censored sample (ms): a
/// workload that never started is censored at the time it was seen waiting (until it ended, or
/// the end of its run: summary.csv `end_s`); rejected workloads are left out, as in
/// [`crate::observe::report::wait_sample`].
pub fn wait_sample(tables: &Tables, policy: &str) -> Survival {
    wait_sample_where(tables, policy, None)
}

/// The waits of a policy's workloads of one kind (jobs.csv `kind`): [`wait_sample`] for them.
pub fn kind_wait_sample(tables: &Tables, policy: &str, kind: &str) -> Survival {
    wait_sample_where(tables, policy, Some(kind))
}

/// Per kind of workload (jobs.csv `kind`) of one policy: its workloads, complete and failed
/// ones per run (means over the policy's runs), and its waits' median and 95th percentile
/// (Kaplan-Meier, pooled over the runs: a lower bound when workloads that never started hold
/// them), in kind order.
pub fn kind_means(tables: &Tables, policy: &str) -> Vec<KindMean> {
    let Some(jobs) = tables.get("jobs.csv") else {
        return Vec::new();
    };
    let col = |name: &str| jobs.header.split(',').position(|c| c == name);
    let (Some(kind), Some(state)) = (col("kind"), col("state")) else {
        return Vec::new();
    };
    let mut counts: std::collections::BTreeMap<String, [f64; 3]> = std::collections::BTreeMap::new();
    let mut runs = 0.0;
    for (jb, unit) in jobs.blocks.iter().zip(&tables.units) {
        if unit.policy != policy {
            continue;
        }
        runs += 1.0;
        for_each_record(
            jb,
            |r| {
                let c = counts.entry(r.get(kind).unwrap_or("").to_string()).or_default();
                c[0] += 1.0;
                c[1] += f64::from(r.get(state) == Some("Complete"));
                c[2] += f64::from(r.get(state) == Some("Failed"));
            },
            false,
        );
    }
    let secs = |b: Option<crate::observe::survival::Bounded<u64>>| {
        b.map(|b| crate::observe::survival::Bounded {
            value: b.value as f64 / 1000.0,
            lower_bound: b.lower_bound,
        })
    };
    counts
        .into_iter()
        .map(|(k, c)| {
            let sample = kind_wait_sample(tables, policy, &k);
            KindMean {
                workloads: c[0] / runs,
                complete: c[1] / runs,
                failed: c[2] / runs,
                wait_p50_s: secs(sample.percentile(50.0)),
                wait_p95_s: secs(sample.percentile(95.0)),
                kind: k,
            }
        })
        .collect()
}

/// One kind of workload's figures for one policy ([`kind_means`]).
#[derive(Clone, Debug, PartialEq)]
pub struct KindMean {
    pub kind: String,
    pub workloads: f64,
    pub complete: f64,
    pub failed: f64,
    pub wait_p50_s: Option<crate::observe::survival::Bounded<f64>>,
    pub wait_p95_s: Option<crate::observe::survival::Bounded<f64>>,
}

fn wait_sample_where(tables: &Tables, policy: &str, only_kind: Option<&str>) -> Survival {
    let (Some(jobs), Some(summary)) = (tables.get("jobs.csv"), tables.get("summary.csv")) else {
        return Survival::default();
    };
    let col = |t: &crate::observe::tables::Table, name: &str| t.header.split(',').position(|c| c == name);
    let (Some(submit), Some(finish), Some(state), Some(wait), Some(end_col)) = (
        col(jobs, "submit_s"),
        col(jobs, "finish_s"),
        col(jobs, "state"),
        col(jobs, "wait_s"),
        col(summary, "end_s"),
    ) else {
        return Survival::default();
    };
    let kind = col(jobs, "kind");
    let ms = |v: Option<&str>| {
        v.and_then(|s| s.parse::<f64>().ok())
            .map(|s| (s * 1000.0).round() as u64)
    };
    let (mut events, mut censored) = (Vec::new(), Vec::new());
    for ((jb, sb), unit) in jobs.blocks.iter().zip(&summary.blocks).zip(&tables.units) {
        if unit.policy != policy {
            continue;
        }
        let mut end = 0;
        for_each_record(sb, |r| end = ms(r.get(end_col)).unwrap_or(0), true);
        for_each_record(
            jb,
            |r| {
                if r.get(state) == Some("Rejected") {
                    return;
                }
                if only_kind.is_some_and(|k| kind.and_then(|c| r.get(c)) != Some(k)) {
                    return;
                }
                match ms(r.get(wait)) {
                    Some(w) => events.push(w),
                    None => {
                        let at = ms(r.get(finish)).unwrap_or(end);
                        censored.push(at.saturating_sub(ms(r.get(submit)).unwrap_or(0)));
                    }
                }
            },
            false,
        );
    }
    Survival::new(events, censored)
}

/// Calls `f` on each well-formed row of a block (only the first when `first_only`), read into
/// one reused record: a million-row jobs.csv is never held as a million records.
fn for_each_record(block: &crate::observe::tables::Block, mut f: impl FnMut(&csv::StringRecord), first_only: bool) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(block.as_bytes());
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {
                f(&record);
                if first_only {
                    return;
                }
            }
            Ok(false) => return,
            Err(_) => continue,
        }
    }
}

/// Bound on the points of a wait-time CDF (about; the last point is always kept).
const CDF_POINTS: usize = 400;

/// The wait-time distribution of a censored sample: (wait in s, the Kaplan-Meier estimate of the
/// fraction of workloads that waited at most that long), one point per distinct wait, thinned
/// to at most ~400 points, from (the first wait, 0). With censored workloads the curve stops
/// below 1 when the censored ones hold the top of the distribution.
pub fn wait_cdf(sample: &Survival) -> Vec<(f64, f64)> {
    let mut pts: Vec<(f64, f64)> = sample
        .steps()
        .into_iter()
        .map(|(t, f)| (t as f64 / 1000.0, f))
        .collect();
    let first = pts.first().map(|p| p.0);
    if pts.len() > CDF_POINTS {
        let step = pts.len().div_ceil(CDF_POINTS);
        let last = pts.len() - 1;
        pts = pts
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % step == 0 || *i == last)
            .map(|(_, p)| p)
            .collect();
    }
    if let Some(first) = first {
        pts.insert(0, (first, 0.0));
    }
    pts
}
