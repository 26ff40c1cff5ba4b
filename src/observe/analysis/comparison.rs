//! The paired comparison of a run's policies: per metric and policy the mean over seeds with its
//! interval (within the metric's support: log or logit scale), and the difference against the
//! first policy paired by seed (common random numbers) with its interval and verdict; the
//! deadlock rate with Wilson and Newcombe intervals.
//!
//! A verdict needs statistical and practical significance: the interval excludes zero and the
//! difference is at least the metric's practical threshold ([`Threshold`], `--negligible`),
//! else it is `negligible`. Censored runs (a value that is only a lower bound) bound the true
//! difference on one side ([`DiffBound`]); a verdict the censoring could undo is `undetermined
//! (censored)`.

use crate::error::InputError;
use crate::observe::analysis::summary::{
    Better, DEADLOCK_RATE, DEADLOCK_RATE_NEGLIGIBLE, METRICS, Metric, Row, Scale, Threshold, metric,
};
use crate::observe::stats::{Estimate, mean_ci_in, paired_diff, paired_rate_diff, wilson95};

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
    /// The policy's runs whose value is only a lower bound (censored workloads beyond it).
    pub lower_bound_runs: u64,
    /// What the paired difference is, given the censored runs of both sides.
    pub diff_bound: DiffBound,
    /// The practical threshold applied (the metric's unit); None on the baseline's line.
    pub negligible_within: Option<f64>,
}

/// What a paired difference policy - baseline is when some values are lower bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffBound {
    /// No value of the pairs is censored.
    Exact,
    /// Only the policy's values are (in some pairs): the true difference is at least this.
    Lower,
    /// Only the baseline's: the true difference is at most this.
    Upper,
    /// Both sides have lower bounds: the true difference can be on either side.
    Unknown,
}

impl DiffBound {
    fn of(policy_censored: bool, baseline_censored: bool) -> DiffBound {
        match (policy_censored, baseline_censored) {
            (false, false) => DiffBound::Exact,
            (true, false) => DiffBound::Lower,
            (false, true) => DiffBound::Upper,
            (true, true) => DiffBound::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DiffBound::Exact => "exact",
            DiffBound::Lower => "lower bound",
            DiffBound::Upper => "upper bound",
            DiffBound::Unknown => "unknown",
        }
    }

    /// Could the true difference lie above (`up`) / below the reported one?
    fn open(self, up: bool) -> bool {
        match self {
            DiffBound::Exact => false,
            DiffBound::Lower => up,
            DiffBound::Upper => !up,
            DiffBound::Unknown => true,
        }
    }
}

/// The verdict on a paired difference (docs/metrics.md, "Verdicts"), `threshold` its
/// practical threshold.
fn verdict(diff: &Estimate, better: Better, threshold: f64, bound: DiffBound) -> &'static str {
    if diff.n >= 1 && diff.mean == 0.0 && diff.lo == 0.0 && diff.hi == 0.0 && bound == DiffBound::Exact {
        "identical in every seed"
    } else if diff.n < 2 {
        "too few seeds"
    } else if !diff.excludes_zero() {
        // With a censored side the truth lies beyond the interval on that side: no statement.
        if bound == DiffBound::Exact {
            "no significant difference"
        } else {
            "undetermined (censored)"
        }
    } else if diff.mean.abs() <= threshold {
        // A censored side could put the true difference anywhere beyond it.
        if bound == DiffBound::Exact {
            "negligible"
        } else {
            "undetermined (censored)"
        }
    } else if bound.open(diff.mean < 0.0) {
        // The true difference may be on the other side of zero.
        "undetermined (censored)"
    } else {
        match (better, diff.mean > 0.0) {
            (Better::Neither, true) => "higher",
            (Better::Neither, false) => "lower",
            (Better::Higher, true) | (Better::Lower, false) => "better",
            _ => "worse",
        }
    }
}

/// `--negligible METRIC=V`: V a number in the metric's unit (`0.01` = 1 percentage point of a
/// utilization, seconds, a count, GPU-hours), `N%` of the baseline's mean, or `Npp` percentage
/// points for a fraction.
pub fn parse_negligible(s: &str) -> Result<(String, Threshold), InputError> {
    let names: Vec<&str> = METRICS.iter().map(|m| m.name).chain([DEADLOCK_RATE]).collect();
    let fix = format!(
        "write METRIC=VALUE: a number in the metric's unit (0.01 for 1 percentage point, seconds, \
         a count, GPU-hours), N% of the baseline's mean, or Npp for a fraction, e.g. \
         --negligible wait_mean_s=60 --negligible gpu_busy_util=1pp --negligible makespan_s=2%; \
         metrics: {}",
        names.join(", ")
    );
    let bad = |why: String| InputError::new("--negligible", format!("`{s}`: {why}"), fix.clone());
    let (name, value) = s.split_once('=').ok_or_else(|| bad("no `=`".into()))?;
    let name = name.trim();
    if !names.contains(&name) {
        return Err(bad(format!("unknown metric `{name}`")));
    }
    let fraction = name == DEADLOCK_RATE || metric(name).is_some_and(|m| m.unit == Scale::Fraction);
    let value = value.trim();
    let number = |v: &str| {
        v.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| bad("the value is not a non-negative number".into()))
    };
    let threshold = if let Some(pct) = value.strip_suffix('%') {
        Threshold {
            absolute: 0.0,
            relative: number(pct)? / 100.0,
        }
    } else if let Some(pp) = value.strip_suffix("pp") {
        if !fraction {
            return Err(bad(format!(
                "`pp` (percentage points) is for fractions; {name} is not one"
            )));
        }
        Threshold::absolute(number(pp)? / 100.0)
    } else {
        Threshold::absolute(number(value)?)
    };
    Ok((name.to_string(), threshold))
}

/// The threshold of a metric: an override, else its default.
fn threshold_of(name: &str, default: Threshold, overrides: &[(String, Threshold)]) -> Threshold {
    overrides
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map_or(default, |(_, t)| *t)
}

/// Per metric and policy: the mean over seeds with its interval, and the difference against
/// the first policy paired by seed. `rows` are one point's rows; `negligible` the practical
/// threshold overrides.
pub fn compare(
    policies: &[String],
    seeds: &[u64],
    rows: &[&Row],
    negligible: &[(String, Threshold)],
) -> Vec<Comparison> {
    if policies.is_empty() {
        return vec![];
    }
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
        compare_metric(m, policies, &by_policy, negligible, &mut out);
    }
    compare_deadlock_rate(policies, seeds, &by_policy, negligible, &mut out);
    out
}

/// One metric's lines: per policy its mean, and the paired difference with the baseline.
fn compare_metric(
    m: &'static Metric,
    policies: &[String],
    by_policy: &[Vec<Option<&Row>>],
    negligible: &[(String, Threshold)],
    out: &mut Vec<Comparison>,
) {
    let vals: Vec<Vec<Option<f64>>> = by_policy
        .iter()
        .map(|rs| rs.iter().map(|r| r.and_then(|r| r.get(m.name))).collect())
        .collect();
    // No run has a value (cpu utilization of a cluster without cpu): nothing to compare.
    if vals.iter().flatten().all(Option::is_none) {
        return;
    }
    let censored: Vec<Vec<bool>> = by_policy
        .iter()
        .map(|rs| rs.iter().map(|r| r.is_some_and(|r| r.is_lower_bound(m.name))).collect())
        .collect();
    let est_of = |i: usize| mean_ci_in(&vals[i].iter().flatten().copied().collect::<Vec<_>>(), m.support());
    let base_mean = est_of(0).mean;
    let threshold = threshold_of(m.name, m.negligible(), negligible).at(base_mean);
    for (i, p) in policies.iter().enumerate() {
        let diff = (i > 0).then(|| paired_diff(&vals[0], &vals[i]));
        // Censoring that matters: in the pairs the difference is taken over.
        let in_pairs =
            |side: usize| (0..vals[0].len()).any(|s| vals[0][s].is_some() && vals[i][s].is_some() && censored[side][s]);
        let bound = DiffBound::of(in_pairs(i), i > 0 && in_pairs(0));
        out.push(Comparison {
            metric: m.name,
            policy: p.clone(),
            est: est_of(i),
            baseline: policies[0].clone(),
            diff,
            diff_pct: diff
                .filter(|_| base_mean != 0.0 && base_mean.is_finite())
                .map(|d| d.mean / base_mean * 100.0),
            verdict: diff.map_or("baseline", |d| verdict(&d, m.better, threshold, bound)),
            deadlocked_runs: None,
            lower_bound_runs: censored[i].iter().filter(|&&c| c).count() as u64,
            diff_bound: if i > 0 { bound } else { DiffBound::Exact },
            negligible_within: (i > 0).then_some(threshold),
        });
    }
}

/// The deadlock rate's lines: Wilson intervals per policy, Newcombe's for the paired difference.
fn compare_deadlock_rate(
    policies: &[String],
    seeds: &[u64],
    by_policy: &[Vec<Option<&Row>>],
    negligible: &[(String, Threshold)],
    out: &mut Vec<Comparison>,
) {
    let flags: Vec<Vec<bool>> = by_policy
        .iter()
        .map(|rs| rs.iter().map(|r| r.is_some_and(Row::deadlocked)).collect())
        .collect();
    let base_rate = flags[0].iter().filter(|&&b| b).count() as f64 / seeds.len().max(1) as f64;
    let threshold = threshold_of(DEADLOCK_RATE, DEADLOCK_RATE_NEGLIGIBLE, negligible).at(base_rate);
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
            baseline: policies[0].clone(),
            diff,
            diff_pct: diff.filter(|_| base_rate > 0.0).map(|d| d.mean / base_rate * 100.0),
            verdict: diff.map_or("baseline", |d| verdict(&d, Better::Lower, threshold, DiffBound::Exact)),
            deadlocked_runs: Some(k),
            lower_bound_runs: 0,
            diff_bound: DiffBound::Exact,
            negligible_within: (i > 0).then_some(threshold),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(mean: f64, lo: f64, hi: f64) -> Estimate {
        Estimate { n: 5, mean, lo, hi }
    }

    #[test]
    fn verdicts_need_practical_significance() {
        // Significant but below the threshold: negligible.
        let small = est(0.4, 0.1, 0.7);
        assert_eq!(verdict(&small, Better::Lower, 1.0, DiffBound::Exact), "negligible");
        assert_eq!(verdict(&small, Better::Lower, 0.3, DiffBound::Exact), "worse");
        // At the threshold (a 1 s wait difference against the 1 s default): still negligible.
        assert_eq!(
            verdict(&est(1.0, 0.5, 1.5), Better::Lower, 1.0, DiffBound::Exact),
            "negligible"
        );
        assert_eq!(
            verdict(&est(-2.0, -3.0, -1.0), Better::Lower, 1.0, DiffBound::Exact),
            "better"
        );
        assert_eq!(
            verdict(&est(-2.0, -3.0, 0.5), Better::Lower, 1.0, DiffBound::Exact),
            "no significant difference"
        );
        assert_eq!(
            verdict(&est(2.0, 1.0, 3.0), Better::Neither, 1.0, DiffBound::Exact),
            "higher"
        );
    }

    #[test]
    fn censoring_decides_which_verdicts_stand() {
        let up = est(2.0, 1.0, 3.0);
        // The policy's values are lower bounds: the true difference is larger still: worse stands.
        assert_eq!(verdict(&up, Better::Lower, 0.5, DiffBound::Lower), "worse");
        // The baseline's are: the true difference may be below zero.
        assert_eq!(
            verdict(&up, Better::Lower, 0.5, DiffBound::Upper),
            "undetermined (censored)"
        );
        let down = est(-2.0, -3.0, -1.0);
        assert_eq!(verdict(&down, Better::Lower, 0.5, DiffBound::Upper), "better");
        assert_eq!(
            verdict(&down, Better::Lower, 0.5, DiffBound::Lower),
            "undetermined (censored)"
        );
        assert_eq!(
            verdict(&down, Better::Lower, 0.5, DiffBound::Unknown),
            "undetermined (censored)"
        );
        // A small difference is negligible only when exact: censoring could move it anywhere
        // on its open side.
        for b in [DiffBound::Lower, DiffBound::Upper, DiffBound::Unknown] {
            assert_eq!(
                verdict(&est(0.4, 0.1, 0.7), Better::Lower, 1.0, b),
                "undetermined (censored)"
            );
            // An interval across zero says nothing when one side is censored: both makespans
            // `>= the end` in every seed differ by 0, yet the truth is unknown.
            assert_eq!(
                verdict(&est(0.0, 0.0, 0.0), Better::Lower, 1.0, b),
                "undetermined (censored)"
            );
            assert_eq!(
                verdict(&est(-1.0, -4.0, 2.0), Better::Lower, 1.0, b),
                "undetermined (censored)"
            );
        }
        assert_eq!(
            verdict(&est(-1.0, -4.0, 2.0), Better::Lower, 1.0, DiffBound::Exact),
            "no significant difference"
        );
    }

    #[test]
    fn negligible_overrides_parse_or_say_how() {
        let (n, t) = parse_negligible("wait_mean_s=60").unwrap();
        assert_eq!((n.as_str(), t), ("wait_mean_s", Threshold::absolute(60.0)));
        let (_, t) = parse_negligible("makespan_s=2%").unwrap();
        assert_eq!(t.at(1000.0), 20.0);
        let (_, t) = parse_negligible("gpu_busy_util=1pp").unwrap();
        assert!((t.absolute - 0.01).abs() < 1e-15);
        let e = parse_negligible("wait_mean_s=1pp").unwrap_err().to_string();
        assert!(e.contains("is for fractions"), "{e}");
        let e = parse_negligible("wait_man_s=3").unwrap_err().to_string();
        assert!(
            e.contains("unknown metric `wait_man_s`") && e.contains("wait_mean_s"),
            "{e}"
        );
        assert!(parse_negligible("wait_mean_s=-1").is_err());
        assert!(parse_negligible("wait_mean_s").is_err());
    }

    #[test]
    fn default_thresholds() {
        let t = |name: &str| metric(name).unwrap().negligible();
        // 0.5 pp of utilization.
        assert_eq!(t("gpu_busy_util").at(0.7), 0.005);
        // Times: 1% of the baseline, at least 1 s.
        assert_eq!(t("makespan_s").at(33_205.0), 332.05);
        assert_eq!(t("wait_mean_s").at(20.0), 1.0);
        assert_eq!(t("jobs_complete").at(1000.0), 10.0);
    }
}
