//! The report's figures: charts built from the analysis (GPU levels over time, wait-time CDFs,
//! queues' GPUs against what they deserved, sweep curves with intervals and target lines), each
//! with its file stem and caption, drawn to SVG and PNG ([`crate::observe::render::plot`]) in
//! parallel.

use rayon::prelude::*;

use crate::error::InputError;
use crate::observe::analysis::{DEADLOCK_RATE, MetricCurves, PolicyFindings, QueueCurves, SweepFindings, has_gpus};
use crate::observe::render::plot::{self, Chart, Series, Style};
use crate::observe::tables::Plan;

/// A chart with its file stem and a caption.
pub struct Figure {
    pub stem: String,
    pub caption: String,
    pub chart: Chart,
}

/// A figure drawn: SVG text and PNG bytes.
pub struct Drawn {
    pub svg: String,
    pub png: Vec<u8>,
}

/// Draw every figure (in parallel; results in figure order). The first that fails is an error.
pub fn draw(figures: &[Figure]) -> Result<Vec<Drawn>, InputError> {
    let drawn: Vec<Result<Drawn, plot::PlotError>> = figures
        .par_iter()
        .map(|f| {
            Ok(Drawn {
                svg: plot::svg(&f.chart)?,
                png: plot::png(&f.chart)?,
            })
        })
        .collect();
    figures
        .iter()
        .zip(drawn)
        .map(|(f, d)| {
            d.map_err(|e| {
                InputError::new(
                    "",
                    format!("cannot draw the plot {}: {}", f.stem, e.0),
                    "report this as a bug",
                )
            })
        })
        .collect()
}

/// The figures of a run or comparison: its time plots, then its queues'.
pub fn policy_figures(plan: &Plan, f: &PolicyFindings) -> Vec<Figure> {
    let mut figs = time_figures(plan, f);
    figs.extend(f.queue_curves.iter().enumerate().map(|(i, q)| queue_figure(i, q)));
    if !has_gpus(&f.resources) {
        // A cluster without GPUs (an HPC trace): no GPU plots.
        figs.retain(|x| {
            !matches!(x.stem.as_str(), "gpu_busy" | "gpu_alloc" | "stranded_gpus") && !x.stem.starts_with("queue_share")
        });
    }
    figs
}

fn hours(s: f64) -> f64 {
    s / 3600.0
}

/// A chart of one series per policy, stepped, with a fixed y range or not.
fn chart(title: &str, x_label: &str, y_label: &str, series: Vec<Series>, y_range: Option<(f64, f64)>) -> Chart {
    Chart {
        title: title.into(),
        x_label: x_label.into(),
        y_label: y_label.into(),
        series,
        y_range,
        error_bars: vec![],
    }
}

/// Time plots of a run or comparison: utilization, wait CDF, stranded GPUs, deadlock.
fn time_figures(plan: &Plan, f: &PolicyFindings) -> Vec<Figure> {
    let over_time = |pick: fn(&(f64, f64, f64, f64, f64)) -> f64| -> Vec<Series> {
        f.policies
            .iter()
            .map(|p| Series {
                label: p.policy.clone(),
                points: p.series.points.iter().map(|x| (hours(x.0), pick(x))).collect(),
                style: Style::Step,
            })
            .collect()
    };
    let per = if plan.seeds.len() > 1 {
        ", pooled over seeds"
    } else {
        ""
    };
    let bucket = format!("{}-minute buckets{per}", (f.bucket_s / 60.0).round());
    let unit = Some((0.0, 1.0));
    let cdf: Vec<Series> = f
        .policies
        .iter()
        .map(|p| Series {
            label: if p.censored_share > 0.0 {
                format!("{} ({:.1}% never started)", p.policy, p.censored_share * 100.0)
            } else {
                p.policy.clone()
            },
            points: p.wait_cdf.iter().map(|&(w, q)| (w / 60.0, q)).collect(),
            style: Style::Step,
        })
        .collect();
    vec![
        Figure {
            stem: "gpu_busy".into(),
            caption: format!(
                "GPU busy utilization over time: GPUs doing work / GPUs in the cluster ({bucket}). A gang \
                 member holding GPUs while its gang is incomplete is not busy."
            ),
            chart: chart(
                "GPU busy utilization",
                "time (h)",
                "busy GPUs / GPUs",
                over_time(|x| x.1),
                unit,
            ),
        },
        Figure {
            stem: "gpu_alloc".into(),
            caption: format!("GPU allocated utilization over time: GPUs held by bound pods / GPUs ({bucket})."),
            chart: chart(
                "GPU allocated utilization",
                "time (h)",
                "allocated GPUs / GPUs",
                over_time(|x| x.2),
                unit,
            ),
        },
        Figure {
            stem: "wait_cdf".into(),
            caption: format!(
                "Wait-time distribution: the Kaplan-Meier estimate of the fraction of workloads that \
                 started within a given wait (start_s - submit_s){per}. A workload that never started \
                 counts as a wait of at least the time it was seen waiting (censored), so a curve \
                 stops below 1 by about the share that never started (in the legend)."
            ),
            chart: chart(
                "Wait time CDF",
                "wait (min)",
                "fraction of workloads started",
                cdf,
                unit,
            ),
        },
        Figure {
            stem: "stranded_gpus".into(),
            caption: format!("GPUs held by members of partial gangs (stranded), mean per bucket ({bucket})."),
            chart: chart("Stranded GPUs", "time (h)", "GPUs", over_time(|x| x.3), None),
        },
        Figure {
            stem: "deadlock".into(),
            caption: format!("Fraction of run time in deadlock (defined in docs/metrics.md) per bucket ({bucket})."),
            chart: chart(
                "Deadlock over time",
                "time (h)",
                "fraction of time deadlocked",
                over_time(|x| x.4),
                unit,
            ),
        },
    ]
}

/// The `i`th policy's GPUs held by each queue over time against (dashed) its reference: the
/// mean GPUs it deserved when the runs report it (Volcano proportion, Kueue nominal quota), else
/// its weight's share of the cluster.
fn queue_figure(i: usize, q: &QueueCurves) -> Figure {
    let mut series: Vec<Series> = q
        .queues
        .iter()
        .map(|(name, _, _, pts)| Series {
            label: name.clone(),
            points: pts.clone(),
            style: Style::Step,
        })
        .collect();
    let what = if q.deserved { "deserved" } else { "weight share" };
    series.extend(q.references.iter().map(|(name, level)| Series {
        label: format!("{name}: {what}"),
        points: vec![(0.0, *level), (q.end_h, *level)],
        style: Style::Dashed,
    }));
    let reference = if q.deserved {
        "the mean GPUs it deserved (Volcano proportion) or its nominal quota (Kueue)".to_string()
    } else {
        format!("its weight's share of the cluster's {:.0} GPUs", q.gpus)
    };
    let p = &q.policy;
    Figure {
        stem: format!("queue_share_{i}"),
        caption: format!(
            "GPUs held by each queue under {p} (mean per bucket over seeds), against {reference} (dashed)."
        ),
        chart: chart(&format!("GPUs by queue: {p}"), "time (h)", "GPUs held", series, None),
    }
}

/// A sweep's figures: per metric plotted, its curves against the first parameter.
pub fn sweep_figures(plan: &Plan, sweep: &SweepFindings) -> Vec<Figure> {
    let xname = plan
        .points
        .first()
        .and_then(|p| p.params.first())
        .map(|(k, _)| k.clone())
        .unwrap_or_else(|| "point".into());
    sweep.metrics.iter().map(|m| sweep_figure(&xname, m)).collect()
}

/// One metric against the swept parameter: a curve per policy (and combination of the other
/// parameters) with 95% intervals, and the targets on it (dashed); seconds shown in minutes.
fn sweep_figure(xname: &str, m: &MetricCurves) -> Figure {
    let metric = m.metric.as_str();
    let scale = if metric.ends_with("_s") { 1.0 / 60.0 } else { 1.0 };
    let mut series = Vec::new();
    let mut bars = Vec::new();
    for c in &m.curves {
        series.push(Series {
            label: c.key.clone(),
            points: c.points.iter().map(|p| (p.x, p.mean * scale)).collect(),
            style: Style::Points,
        });
        bars.push(c.points.iter().map(|p| (p.lo * scale, p.hi * scale)).collect());
    }
    for t in &m.targets {
        series.push(Series {
            label: format!("target {}", t.text),
            points: vec![(t.from, t.value * scale), (t.to, t.value * scale)],
            style: Style::Dashed,
        });
        bars.push(vec![]);
    }
    let unit = if metric.ends_with("_s") { " (min)" } else { "" };
    let label = if metric == DEADLOCK_RATE {
        "deadlock rate (runs)"
    } else {
        crate::observe::analysis::metric(metric).map_or("?", |m| m.label)
    };
    Figure {
        stem: format!("sweep_{metric}"),
        caption: format!("{label} against {xname}: mean over seeds with its 95% interval."),
        chart: Chart {
            title: format!("{label} by {xname}"),
            x_label: xname.to_string(),
            y_label: format!("{label}{unit}"),
            series,
            y_range: None,
            error_bars: bars,
        },
    }
}
