//! The report's figures: charts built from the analysis (GPU levels over time, wait-time CDFs,
//! queues' GPUs against what they deserved, sweep curves with intervals and target lines), each
//! with its file stem and caption, drawn to SVG and PNG ([`crate::observe::render::plot`]) in
//! parallel.

use rayon::prelude::*;

use crate::error::InputError;
use crate::observe::analysis::series::PooledPoint;
use crate::observe::analysis::{
    MetricCurves, MetricGrid, PolicyFindings, QUOTA_POLICIES, QueueCurves, SweepFindings, has_gpus,
};
use crate::observe::render::format::{label_of, show};
use crate::observe::render::plot::{self, Chart, Heatmap, Panel, Series, Style};
use crate::observe::tables::Plan;

/// A picture with its file stem and a caption, and the sentence that replaces it when it would
/// show nothing but zeros.
pub struct Figure {
    pub stem: String,
    pub caption: String,
    pub picture: Picture,
    /// Said instead of the figure when every value it plots is 0 (None: always drawn).
    pub when_zero: Option<String>,
}

/// What a figure draws.
pub enum Picture {
    Chart(Chart),
    Heatmap(Heatmap),
}

impl Figure {
    /// The sentence that stands for the figure, when it has one and the figure plots only
    /// zeros (reference and target lines, dashed, aside).
    pub fn zero_note(&self) -> Option<&str> {
        let all_zero = match &self.picture {
            Picture::Chart(c) => {
                let data = c.series.iter().filter(|s| s.style != Style::Dashed);
                data.clone()
                    .all(|s| s.points.iter().all(|p| p.1 == 0.0 || !p.1.is_finite()))
                    && data.clone().any(|s| !s.points.is_empty())
            }
            Picture::Heatmap(h) => h
                .panels
                .iter()
                .flat_map(|p| p.cells.iter().flatten())
                .all(|v| v.is_none_or(|v| v == 0.0)),
        };
        self.when_zero.as_deref().filter(|_| all_zero)
    }
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
        .map(|f| match &f.picture {
            Picture::Chart(c) => Ok(Drawn {
                svg: plot::svg(c)?,
                png: plot::png(c)?,
            }),
            Picture::Heatmap(h) => Ok(Drawn {
                svg: plot::heatmap_svg(h)?,
                png: plot::heatmap_png(h)?,
            }),
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
    if has_gpus(&f.resources) {
        // CPUs are plotted only for a cluster without GPUs (timeseries.csv has them always).
        figs.retain(|x| !matches!(x.stem.as_str(), "cpu_busy" | "cpu_alloc"));
    } else {
        // A cluster without GPUs (an HPC trace): no GPU plots; its CPUs over time instead.
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

/// The palette slot of a policy: its index in the plan, so it has one colour (and marker) in
/// every figure of every report of the plan.
fn slot(plan: &Plan, policy: &str) -> usize {
    plan.policies.iter().position(|p| p == policy).unwrap_or(0)
}

/// A figure drawn as a chart, with the sentence that replaces it when all its data are 0.
fn figure(stem: &str, caption: String, chart: Chart, when_zero: Option<String>) -> Figure {
    Figure {
        stem: stem.into(),
        caption,
        picture: Picture::Chart(chart),
        when_zero,
    }
}

/// Time plots of a run or comparison: utilization, wait CDF, stranded GPUs, deadlock.
fn time_figures(plan: &Plan, f: &PolicyFindings) -> Vec<Figure> {
    let over_time = |pick: fn(&PooledPoint) -> f64| -> Vec<Series> {
        f.policies
            .iter()
            .map(|p| Series {
                label: p.policy.clone(),
                points: p.series.points.iter().map(|x| (hours(x.t), pick(x))).collect(),
                style: Style::Step,
                colour: slot(plan, &p.policy),
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
    // Waits in minutes, or in hours when the longest is over 10 hours.
    let longest = f
        .policies
        .iter()
        .flat_map(|p| p.wait_cdf.iter().map(|w| w.0))
        .fold(0.0, f64::max);
    let (wait_unit, wait_size) = if longest > 36_000.0 {
        ("h", 3600.0)
    } else {
        ("min", 60.0)
    };
    let cdf: Vec<Series> = f
        .policies
        .iter()
        .map(|p| Series {
            label: if p.censored_share > 0.0 {
                format!("{} ({:.1}% never started)", p.policy, p.censored_share * 100.0)
            } else {
                p.policy.clone()
            },
            points: p.wait_cdf.iter().map(|&(w, q)| (w / wait_size, q)).collect(),
            style: Style::Step,
            colour: slot(plan, &p.policy),
        })
        .collect();
    let gpus_note = |what: &str| Some(format!("No GPU was {what} in any run."));
    let cpus_note = |what: &str| Some(format!("No CPU was {what} in any run."));
    vec![
        figure(
            "cpu_busy",
            format!(
                "CPU busy utilization over time: CPU cores requested by pods doing work / cores in the \
                 cluster ({bucket}). Drawn for a cluster without GPUs."
            ),
            chart(
                "CPU busy utilization",
                "time (h)",
                "busy cores / cores",
                over_time(|x| x.cpu_busy),
                unit,
            ),
            cpus_note("busy"),
        ),
        figure(
            "cpu_alloc",
            format!(
                "CPU allocated utilization over time: cores requested by bound pods / cores ({bucket}). \
                 Drawn for a cluster without GPUs."
            ),
            chart(
                "CPU allocated utilization",
                "time (h)",
                "allocated cores / cores",
                over_time(|x| x.cpu_alloc),
                unit,
            ),
            cpus_note("allocated"),
        ),
        figure(
            "gpu_busy",
            format!(
                "GPU busy utilization over time: GPUs doing work / GPUs in the cluster ({bucket}). A gang \
                 member holding GPUs while its gang is incomplete is not busy."
            ),
            chart(
                "GPU busy utilization",
                "time (h)",
                "busy GPUs / GPUs",
                over_time(|x| x.busy),
                unit,
            ),
            gpus_note("busy"),
        ),
        figure(
            "gpu_alloc",
            format!("GPU allocated utilization over time: GPUs held by bound pods / GPUs ({bucket})."),
            chart(
                "GPU allocated utilization",
                "time (h)",
                "allocated GPUs / GPUs",
                over_time(|x| x.alloc),
                unit,
            ),
            gpus_note("allocated"),
        ),
        figure(
            "wait_cdf",
            format!(
                "Wait-time distribution: the Kaplan-Meier estimate of the fraction of workloads that \
                 started within a given wait (start_s - submit_s){per}. A workload that never started \
                 counts as a wait of at least the time it was seen waiting (censored), so a curve \
                 stops below 1 by about the share that never started (in the legend)."
            ),
            chart(
                "Wait time CDF",
                &format!("wait ({wait_unit})"),
                "fraction of workloads started",
                cdf,
                unit,
            ),
            None,
        ),
        figure(
            "stranded_gpus",
            format!("GPUs held by members of partial gangs (stranded), mean per bucket ({bucket})."),
            chart("Stranded GPUs", "time (h)", "GPUs", over_time(|x| x.stranded), None),
            Some("No GPU was held by a partial gang (stranded) in any run.".into()),
        ),
        figure(
            "deadlock",
            format!("Fraction of run time in deadlock (defined in docs/metrics.md) per bucket ({bucket})."),
            chart(
                "Deadlock over time",
                "time (h)",
                "fraction of time deadlocked",
                over_time(|x| x.deadlock),
                unit,
            ),
            Some("No run was ever deadlocked.".into()),
        ),
    ]
}

/// The `i`th policy's GPUs held by each queue over time against (dashed, in the queue's colour)
/// its reference: the mean GPUs it deserved when the runs report it (Volcano proportion, Kueue
/// nominal quota), else its weight's share of the cluster.
fn queue_figure(i: usize, q: &QueueCurves) -> Figure {
    let slot_of = |name: &str| q.queues.iter().position(|x| x.0 == name).unwrap_or(0);
    let mut series: Vec<Series> = q
        .queues
        .iter()
        .enumerate()
        .map(|(k, (name, _, _, pts))| Series {
            label: name.clone(),
            points: pts.clone(),
            style: Style::Step,
            colour: k,
        })
        .collect();
    let what = if !q.deserved {
        "weight share"
    } else if QUOTA_POLICIES.contains(&q.policy.as_str()) {
        "nominal quota"
    } else {
        "deserved"
    };
    series.extend(q.references.iter().map(|(name, level)| Series {
        label: format!("{name}: {what}"),
        points: vec![(0.0, *level), (q.end_h, *level)],
        style: Style::Dashed,
        colour: slot_of(name),
    }));
    let reference = if q.deserved {
        "the mean GPUs it deserved (Volcano proportion) or its nominal quota (Kueue)".to_string()
    } else {
        format!("its weight's share of the cluster's {:.0} GPUs", q.gpus)
    };
    let p = &q.policy;
    figure(
        &format!("queue_share_{i}"),
        format!("GPUs held by each queue under {p} (mean per bucket over seeds), against {reference} (dashed)."),
        chart(&format!("GPUs by queue: {p}"), "time (h)", "GPUs held", series, None),
        Some(format!("No queue held a GPU under {p} in any run.")),
    )
}

/// A sweep's figures: per metric plotted, its curves against the first parameter, or for a
/// sweep of two parameters its heatmap. A metric that is 0 everywhere is a sentence instead,
/// unless a target names it.
pub fn sweep_figures(plan: &Plan, sweep: &SweepFindings) -> Vec<Figure> {
    let targeted = |metric: &str| {
        sweep
            .metrics
            .iter()
            .any(|m| m.metric == metric && !m.targets.is_empty())
    };
    let when_zero = |metric: &str| {
        (!targeted(metric)).then(|| format!("{} is 0 at every point under every policy.", label_of(metric)))
    };
    if !sweep.grids.is_empty() {
        return sweep
            .grids
            .iter()
            .map(|g| heatmap_figure(g, when_zero(&g.metric)))
            .collect();
    }
    let xname = plan
        .points
        .first()
        .and_then(|p| p.params.first())
        .map(|(k, _)| k.clone())
        .unwrap_or_else(|| "point".into());
    sweep
        .metrics
        .iter()
        .map(|m| sweep_figure(&xname, m, when_zero(&m.metric)))
        .collect()
}

/// One metric against the swept parameter: a curve per policy (and combination of the other
/// parameters: the policy's colour with another marker) with 95% intervals, and the targets on
/// it (dashed, grey); seconds shown in minutes.
fn sweep_figure(xname: &str, m: &MetricCurves, when_zero: Option<String>) -> Figure {
    let metric = m.metric.as_str();
    let scale = if metric.ends_with("_s") { 1.0 / 60.0 } else { 1.0 };
    let mut series = Vec::new();
    let mut bars = Vec::new();
    for c in &m.curves {
        series.push(Series {
            label: c.key.clone(),
            points: c.points.iter().map(|p| (p.x, p.mean * scale)).collect(),
            style: Style::Points,
            colour: c.policy + plot::PALETTE_SLOTS * c.combo,
        });
        bars.push(c.points.iter().map(|p| (p.lo * scale, p.hi * scale)).collect());
    }
    for t in &m.targets {
        series.push(Series {
            label: format!("target {}", t.text),
            points: vec![(t.from, t.value * scale), (t.to, t.value * scale)],
            style: Style::Dashed,
            colour: plot::GREY,
        });
        bars.push(vec![]);
    }
    let unit = if metric.ends_with("_s") { " (min)" } else { "" };
    let label = label_of(metric);
    figure(
        &format!("sweep_{metric}"),
        format!("{label} against {xname}: mean over seeds with its 95% interval."),
        Chart {
            title: format!("{label} by {xname}"),
            x_label: xname.to_string(),
            y_label: format!("{label}{unit}"),
            series,
            y_range: None,
            error_bars: bars,
        },
        when_zero,
    )
}

/// One metric over a two-parameter sweep: a panel per policy, a cell per pair of values with its
/// mean over seeds, outlined when the point meets the targets.
fn heatmap_figure(g: &MetricGrid, when_zero: Option<String>) -> Figure {
    let metric = g.metric.as_str();
    let label = label_of(metric);
    let panels = g
        .panels
        .iter()
        .map(|(policy, cells)| Panel {
            title: policy.clone(),
            cells: cells.iter().map(|row| row.iter().map(|c| c.0).collect()).collect(),
            labels: cells
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|c| c.0.map_or("-".into(), |v| show(metric, v)))
                        .collect()
                })
                .collect(),
            marked: cells.iter().map(|row| row.iter().map(|c| c.1).collect()).collect(),
        })
        .collect();
    let (x, y) = (&g.x_param, &g.y_param);
    Figure {
        stem: format!("heatmap_{metric}"),
        caption: format!(
            "{label} by {x} (columns) and {y} (rows), one panel per policy: the mean over seeds in \
             each cell, coloured on one scale for all panels (dark low, yellow high); cells marked \u{2713} \
             meet the targets."
        ),
        picture: Picture::Heatmap(Heatmap {
            title: format!("{label} by {x} and {y}"),
            x_label: x.clone(),
            y_label: y.clone(),
            columns: g.columns.clone(),
            rows: g.rows.clone(),
            panels,
        }),
        when_zero,
    }
}
