//! Curves over time and waits, pooled over a policy's seeds: GPU levels per bucket of a common
//! grid (from timeseries.csv) and the wait-time CDF of the workloads that started (from jobs.csv).

use crate::observe::analysis::{field, grid_width, policy_records, pool, ratio};
use crate::observe::tables::Tables;

/// Pooled GPU levels over time for one policy: per bucket of a common grid, the fractions
/// busy and allocated, mean stranded GPUs, and the fraction of run-time in deadlock.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pooled {
    pub width_s: f64,
    /// (bucket start in s, busy util, alloc util, stranded GPUs, deadlock fraction)
    pub points: Vec<(f64, f64, f64, f64, f64)>,
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

/// Bound on the points of a wait-time CDF (about; the last point is always kept).
const CDF_POINTS: usize = 400;

/// The wait-time CDF of sorted waits: (wait in s, fraction of the started workloads that waited
/// at most that long), one point per distinct wait (its last rank), thinned to at most ~400
/// points, from (the first wait, 0).
pub fn wait_cdf(w: &[f64]) -> Vec<(f64, f64)> {
    let n = w.len() as f64;
    let mut pts: Vec<(f64, f64)> = Vec::new();
    for (i, x) in w.iter().enumerate() {
        if i + 1 == w.len() || w[i + 1] != *x {
            pts.push((*x, (i + 1) as f64 / n));
        }
    }
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
    if let Some(first) = w.first() {
        pts.insert(0, (*first, 0.0));
    }
    pts
}
