//! Sweeps: targets (`metric OP value` on the mean over seeds, for sweeps and capacity searches),
//! the x value of a sweep point, and what a sweep shows besides its aggregates: per metric plotted
//! the curves against the first parameter (one per policy and combination of the other
//! parameters) with their target lines, which (point, policy) meets every target, and per policy
//! the smallest point that does.

use crate::error::InputError;
use crate::input::quantity::parse_duration_ms;
use crate::observe::analysis::summary::{Aggregate, DEADLOCK_FREE, DEADLOCK_RATE, METRICS, utilization};
use crate::observe::tables::Plan;

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

    /// Does `agg` meet this target? Missing values (no job started) do not. A mean that
    /// includes lower bounds (censored runs) never meets an upper target (`<=`, `<`): the true
    /// value may be above it; it meets a lower target (`>=`, `>`) as any value does.
    pub fn met(&self, agg: &Aggregate) -> bool {
        let Some(v) = agg.value(&self.metric) else {
            return false;
        };
        if matches!(self.op, Op::Le | Op::Lt) && agg.lower_bounds(&self.metric) > 0 {
            return false;
        }
        match self.op {
            Op::Le => v <= self.value,
            Op::Lt => v < self.value,
            Op::Ge => v >= self.value,
            Op::Gt => v > self.value,
        }
    }
}

/// Targets as given in the plan.
pub fn plan_targets(plan: &Plan) -> Result<Vec<Target>, InputError> {
    plan.targets.iter().map(|t| Target::parse(t)).collect()
}

/// A parameter value as a number for plots and ordering: a number, or a duration in seconds.
pub fn number_of(v: &str) -> Option<f64> {
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .or_else(|| parse_duration_ms(v.trim()).ok().map(|ms| ms as f64 / 1000.0))
}

/// The x value of a sweep point: its first parameter's number (else its index).
pub fn x_of(plan: &Plan, point: usize) -> f64 {
    plan.points
        .get(point)
        .and_then(|p| p.params.first())
        .and_then(|(_, v)| number_of(v))
        .unwrap_or(point as f64)
}

/// What a sweep shows besides its aggregates.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepFindings {
    pub targets: Vec<Target>,
    /// Per aggregate, in order: whether it meets every target (None without targets).
    pub meets: Vec<Option<bool>>,
    /// Per metric plotted: busy utilization, p95 wait, the deadlock rate, then the targets'.
    pub metrics: Vec<MetricCurves>,
    /// With targets, per policy: the point with the smallest value meeting them (None when no
    /// point explored does). Empty without targets.
    pub smallest: Vec<(String, Option<usize>)>,
    /// A sweep of exactly two parameters: per metric plotted, its grid of means. Empty else.
    pub grids: Vec<MetricGrid>,
}

/// One metric over a two-parameter sweep: per policy, the mean over seeds at each pair of values.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricGrid {
    pub metric: String,
    /// The first parameter's path and values (columns), the second's (rows), in the order given.
    pub x_param: String,
    pub columns: Vec<String>,
    pub y_param: String,
    pub rows: Vec<String>,
    /// Per policy of the plan: `(policy, cells[row][col])`, the mean (None: no value) and whether
    /// the point meets the targets.
    pub panels: Vec<(String, Vec<Vec<GridCell>>)>,
}

/// A grid cell: the mean over seeds (None: no value) and whether the point meets the targets.
pub type GridCell = (Option<f64>, bool);

/// One metric against the swept parameter: its curves and target lines.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricCurves {
    /// The metric's name (a summary.csv column, or [`DEADLOCK_RATE`]).
    pub metric: String,
    pub curves: Vec<Curve>,
    pub targets: Vec<TargetLine>,
}

/// The points of one policy and one combination of the parameters after the first.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// `policy`, or `policy, path=value, ...`.
    pub key: String,
    /// The policy's index in the plan, and the combination's among the policy's curves (0 with
    /// one parameter): what a plot keys colours and markers on.
    pub policy: usize,
    pub combo: usize,
    /// In increasing x.
    pub points: Vec<CurvePoint>,
}

/// A sweep point's mean over seeds with its 95% interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurvePoint {
    pub x: f64,
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
}

/// A target's level (the deadlock-free fraction as a deadlock rate) across the points' x range.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetLine {
    /// The target as given.
    pub text: String,
    pub value: f64,
    pub from: f64,
    pub to: f64,
}

/// The findings of a sweep with aggregates `aggs` (in plan order).
pub fn sweep(plan: &Plan, aggs: &[Aggregate], targets: Vec<Target>) -> SweepFindings {
    let meets = aggs
        .iter()
        .map(|a| (!targets.is_empty()).then(|| a.meets(&targets)))
        .collect();
    let metrics: Vec<MetricCurves> = plotted_metrics(&plan.resources, &targets)
        .into_iter()
        .map(|metric| metric_curves(plan, aggs, &targets, metric))
        .collect();
    let smallest = if targets.is_empty() {
        vec![]
    } else {
        plan.policies
            .iter()
            .map(|p| {
                let mut met: Vec<(f64, usize)> = aggs
                    .iter()
                    .filter(|a| &a.policy == p && a.meets(&targets))
                    .map(|a| (x_of(plan, a.point), a.point))
                    .collect();
                met.sort_by(|a, b| a.0.total_cmp(&b.0));
                (p.clone(), met.first().map(|(_, point)| *point))
            })
            .collect()
    };
    let grids = grids(plan, aggs, &targets, &metrics);
    SweepFindings {
        targets,
        meets,
        metrics,
        smallest,
        grids,
    }
}

/// The metric a target constrains, as plotted (the deadlock-free fraction as the deadlock rate).
fn plotted(t: &Target) -> &str {
    if t.metric == DEADLOCK_FREE {
        DEADLOCK_RATE
    } else {
        t.metric.as_str()
    }
}

/// The metrics plotted: busy utilization (of GPUs, or of CPUs without GPUs), p95 wait, the
/// deadlock rate, then the targets'.
fn plotted_metrics(resources: &[String], targets: &[Target]) -> Vec<String> {
    let mut ms: Vec<String> = [utilization(resources).0, "wait_p95_s", DEADLOCK_RATE]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for t in targets {
        let name = plotted(t).to_string();
        if !ms.contains(&name) {
            ms.push(name);
        }
    }
    ms
}

/// A curve per policy and per combination of the parameters after the first.
fn curve_key(plan: &Plan, point: usize, policy: &str) -> String {
    let rest: Vec<String> = plan.points[point]
        .params
        .iter()
        .skip(1)
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if rest.is_empty() {
        policy.to_string()
    } else {
        format!("{policy}, {}", rest.join(", "))
    }
}

fn metric_curves(plan: &Plan, aggs: &[Aggregate], targets: &[Target], metric: String) -> MetricCurves {
    let mut keys: Vec<String> = Vec::new();
    for a in aggs {
        let k = curve_key(plan, a.point, &a.policy);
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let curves = keys
        .into_iter()
        .map(|key| {
            let first = aggs.iter().find(|a| curve_key(plan, a.point, &a.policy) == key);
            let policy = first.map_or(0, |a| plan.policies.iter().position(|p| *p == a.policy).unwrap_or(0));
            let mut points: Vec<CurvePoint> = aggs
                .iter()
                .filter(|a| curve_key(plan, a.point, &a.policy) == key)
                .filter_map(|a| {
                    a.estimate(&metric).map(|e| CurvePoint {
                        x: x_of(plan, a.point),
                        mean: e.mean,
                        lo: e.lo,
                        hi: e.hi,
                    })
                })
                .collect();
            points.sort_by(|a, b| a.x.total_cmp(&b.x));
            Curve {
                key,
                policy,
                combo: 0,
                points,
            }
        })
        .collect::<Vec<Curve>>();
    // Each policy's curves numbered in order.
    let mut curves = curves;
    for i in 0..curves.len() {
        curves[i].combo = curves[..i].iter().filter(|c| c.policy == curves[i].policy).count();
    }
    let (from, to) = (0..plan.points.len())
        .map(|p| x_of(plan, p))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), x| (l.min(x), h.max(x)));
    let targets = targets
        .iter()
        .filter(|t| plotted(t) == metric)
        .map(|t| TargetLine {
            text: t.text.clone(),
            value: if t.metric == DEADLOCK_FREE {
                1.0 - t.value
            } else {
                t.value
            },
            from,
            to,
        })
        .collect();
    MetricCurves {
        metric,
        curves,
        targets,
    }
}

/// The values a parameter takes over the plan's points, in order of first appearance.
fn values_of(plan: &Plan, param: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in &plan.points {
        if let Some((_, v)) = p.params.get(param)
            && !out.contains(v)
        {
            out.push(v.clone());
        }
    }
    out
}

/// The grids of a two-parameter sweep, one per metric plotted (none for other sweeps).
fn grids(plan: &Plan, aggs: &[Aggregate], targets: &[Target], metrics: &[MetricCurves]) -> Vec<MetricGrid> {
    let Some(first) = plan.points.first().filter(|p| p.params.len() == 2) else {
        return vec![];
    };
    let (columns, rows) = (values_of(plan, 0), values_of(plan, 1));
    metrics
        .iter()
        .map(|m| MetricGrid {
            metric: m.metric.clone(),
            x_param: first.params[0].0.clone(),
            columns: columns.clone(),
            y_param: first.params[1].0.clone(),
            rows: rows.clone(),
            panels: plan
                .policies
                .iter()
                .map(|policy| {
                    let cell = |row: &String, col: &String| {
                        aggs.iter()
                            .find(|a| {
                                &a.policy == policy
                                    && plan.points[a.point].params.first().map(|p| &p.1) == Some(col)
                                    && plan.points[a.point].params.get(1).map(|p| &p.1) == Some(row)
                            })
                            .map_or((None, false), |a| {
                                (
                                    a.estimate(&m.metric).map(|e| e.mean),
                                    !targets.is_empty() && a.meets(targets),
                                )
                            })
                    };
                    let cells = rows
                        .iter()
                        .map(|r| columns.iter().map(|c| cell(r, c)).collect())
                        .collect();
                    (policy.clone(), cells)
                })
                .collect(),
        })
        .collect()
}
