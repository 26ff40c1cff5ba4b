//! The paired comparison of a run's policies: per metric and policy the mean over seeds with its
//! interval, and the difference against the first policy paired by seed (common random numbers)
//! with its interval and verdict; the deadlock rate with Wilson and Newcombe intervals.

use crate::observe::analysis::summary::{Better, DEADLOCK_RATE, METRICS, Row};
use crate::observe::stats::{Estimate, mean_ci, paired_diff, paired_rate_diff, wilson95};

/// One policy on one metric against the baseline (a line of comparison.csv).
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
