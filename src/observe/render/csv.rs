//! The derived CSV files: comparison.csv (a comparison) and sweep.csv (a sweep), numbers with
//! six decimals.

use crate::observe::analysis::summary::shows;
use crate::observe::analysis::{Aggregate, Comparison, DEADLOCK_RATE, METRICS, SweepFindings};
use crate::observe::stats::Estimate;
use crate::observe::tables::Plan;
use crate::text::csv_field;

pub const COMPARISON_HEADER: &str = "metric,policy,runs,mean,ci95_lo,ci95_hi,baseline,diff,diff_ci95_lo,diff_ci95_hi,diff_pct,verdict,lower_bound_runs,diff_bound,negligible_within";

/// A number for CSV: six decimals, empty when not finite.
pub fn num(v: f64) -> String {
    if v.is_finite() {
        let s = format!("{v:.6}");
        if s == "-0.000000" { "0.000000".into() } else { s }
    } else {
        String::new()
    }
}

/// comparison.csv: per metric and policy, the mean over seeds and the paired difference against
/// the baseline, with their intervals and the verdict.
pub fn comparison_csv(rows: &[Comparison]) -> String {
    let mut out = format!("{COMPARISON_HEADER}\n");
    for c in rows {
        let (d, dlo, dhi) = c.diff.map_or((String::new(), String::new(), String::new()), |d| {
            (num(d.mean), num(d.lo), num(d.hi))
        });
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
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
            c.verdict,
            c.lower_bound_runs,
            if c.diff.is_some() { c.diff_bound.as_str() } else { "" },
            c.negligible_within.map(num).unwrap_or_default(),
        ));
    }
    out
}

/// sweep.csv's fixed columns; one column per swept parameter (named by its path) follows.
pub const SWEEP_HEADER: &str = "point,params,policy,metric,runs,mean,ci95_lo,ci95_hi,meets_targets,lower_bound_runs";

/// sweep.csv's header: [`SWEEP_HEADER`], then the path of each swept parameter (every point sets
/// the same paths, in the order of `--set`).
pub fn sweep_header(plan: &Plan) -> String {
    let mut h = SWEEP_HEADER.to_string();
    for (path, _) in plan.points.first().map_or(&[][..], |p| &p.params[..]) {
        h.push(',');
        h.push_str(&csv_field(path));
    }
    h
}

/// sweep.csv: per point, policy and metric the mean over seeds with its interval, whether the
/// point meets every target (empty without targets), and the point's value of each parameter.
pub fn sweep_csv(plan: &Plan, aggs: &[Aggregate], sweep: &SweepFindings) -> String {
    let mut out = format!("{}\n", sweep_header(plan));
    for (a, meets) in aggs.iter().zip(&sweep.meets) {
        let point = plan.points.get(a.point);
        let params = point.map(|p| p.label()).unwrap_or_default();
        let values: String = point
            .map_or(&[][..], |p| &p.params[..])
            .iter()
            .map(|(_, v)| format!(",{}", csv_field(v)))
            .collect();
        let meets = meets.map_or(String::new(), |m| m.to_string());
        // Metrics of resources the nodes lack (GPU metrics of a CPU-only trace) are left out,
        // as in comparison.csv.
        let shown = METRICS.iter().filter(|m| shows(&plan.resources, m));
        for name in shown.map(|m| m.name).chain([DEADLOCK_RATE]) {
            let e = a.estimate(name).unwrap_or(Estimate {
                n: a.runs,
                mean: f64::NAN,
                lo: f64::NAN,
                hi: f64::NAN,
            });
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{}{values}\n",
                a.point,
                csv_field(&params),
                csv_field(&a.policy),
                name,
                e.n,
                num(e.mean),
                num(e.lo),
                num(e.hi),
                meets,
                a.lower_bounds(name),
            ));
        }
    }
    out
}
