//! Derived outputs of an experiment ([`derive()`]): comparison.csv or sweep.csv, the plots (SVG
//! and PNG under `plots/`), and report.html: one self-contained page (styles and SVG inline, no
//! script, no link outside itself) that says the question, the scenario, the verdict, the table
//! and the plots. Everything here is a function of the plan and the per-run tables' text.

use rayon::prelude::*;

use crate::error::InputError;
use crate::experiment::output::{Kind, Plan, Tables};
use crate::observe::analysis::{
    self, Aggregate, Comparison, DEADLOCK_RATE, Pooled, Target, aggregates, compare, comparison_csv, comparison_table,
    plan_targets, pooled_series, rows, show, show_diff, sweep_csv, verdicts, waits,
};
use crate::observe::plot::{self, Chart, Series, Style};

/// What an experiment derives: files to write and the text for the terminal.
pub struct Derived {
    pub files: Vec<(String, Vec<u8>)>,
    pub terminal: String,
}

/// A chart with its file stem and a caption.
struct Figure {
    stem: String,
    caption: String,
    chart: Chart,
}

/// Everything derived from a plan and its complete tables.
pub fn derive(plan: &Plan, tables: &Tables) -> Result<Derived, InputError> {
    let rows = rows(tables, plan.kind)?;
    let targets = plan_targets(plan)?;
    let mut files = Vec::new();
    let mut terminal = String::new();
    let mut sections: Vec<String> = Vec::new();
    let verdict_lines: Vec<String>;
    let mut figures: Vec<Figure> = Vec::new();
    let aggs = aggregates(plan, &rows);
    match plan.kind {
        Kind::Run | Kind::Compare => {
            let refs: Vec<&analysis::Row> = rows.iter().collect();
            let table = policy_table_html(&aggs);
            terminal.push_str(&policy_table_text(&aggs));
            if plan.kind == Kind::Compare {
                let cmp = compare(&plan.policies, &plan.seeds, &refs);
                files.push(("comparison.csv".to_string(), comparison_csv(&cmp).into_bytes()));
                terminal.push('\n');
                terminal.push_str(&comparison_table(&cmp, plan.seeds.len()));
                verdict_lines = verdicts(&cmp);
                sections.push(section("Per policy (means over seeds)", &table));
                sections.push(section(
                    "Paired differences against the first policy",
                    &comparison_html(&cmp),
                ));
            } else {
                verdict_lines = aggs.iter().map(run_sentence).collect();
                sections.push(section("Per policy (means over seeds)", &table));
            }
            if let Some(t) = tables.get("fidelity.csv") {
                let intro = "Per run and trace: the waits the trace recorded against the simulated ones (seconds), \
                             and the Kolmogorov-Smirnov distance between the two distributions (0 = the same, 1 = \
                             disjoint).";
                sections.push(section(
                    "Replay fidelity: recorded against simulated waits",
                    &table_html(t, intro),
                ));
            }
            if let Some(t) = tables.get("cronjobs.csv") {
                let intro = "Per run and CronJob: Jobs started; scheduled times skipped (Forbid with a Job active, \
                             past startingDeadlineSeconds, suspended); starts more than 1 s late and by how much \
                             (seconds); Jobs deleted by Replace and by the history limits.";
                sections.push(section("CronJobs", &table_html(t, intro)));
            }
            if tables.get("queues.csv").is_some() {
                let intro = "Per policy and queue, means over seeds: the share its weight promises, its jobs, its share \
                             of the GPU-hours held, its jobs' median and 95th-percentile waits (seconds), pods evicted \
                             for other workloads (preemptions, of which volcano reclaims), GPU-hours of work they lost, \
                             and the GPUs it deserved (Volcano proportion) or its nominal quota (Kueue).";
                sections.push(section(
                    "Queues: shares, waits and evictions",
                    &queue_table_html(plan, tables, intro),
                ));
            }
            figures.extend(time_figures(plan, tables));
            figures.extend(queue_figures(plan, tables));
        }
        Kind::Sweep => {
            files.push(("sweep.csv".to_string(), sweep_csv(plan, &aggs, &targets).into_bytes()));
            let (text, html, lines) = sweep_summary(plan, &aggs, &targets);
            terminal.push_str(&text);
            verdict_lines = lines;
            sections.push(section("Sweep points (means over seeds)", &html));
            figures.extend(sweep_figures(plan, &aggs, &targets));
        }
    }
    // Render every figure (in parallel; results kept in figure order).
    let rendered: Vec<Result<(String, Vec<u8>), plot::PlotError>> = figures
        .par_iter()
        .map(|f| Ok((plot::svg(&f.chart)?, plot::png(&f.chart)?)))
        .collect();
    let mut plots_html = String::new();
    for (f, r) in figures.iter().zip(rendered) {
        let (svg, png) = r.map_err(|e| {
            InputError::new(
                "",
                format!("cannot draw the plot {}: {}", f.stem, e.0),
                "report this as a bug",
            )
        })?;
        plots_html.push_str(&format!(
            "<figure id=\"{}\">{}<figcaption>{}</figcaption></figure>\n",
            esc(&f.stem),
            svg,
            esc(&f.caption)
        ));
        files.push((format!("plots/{}.svg", f.stem), svg.into_bytes()));
        files.push((format!("plots/{}.png", f.stem), png));
    }
    sections.push(section("Plots", &plots_html));
    let page = page(plan, &verdict_lines, &sections);
    files.push(("report.html".to_string(), page.into_bytes()));
    Ok(Derived { files, terminal })
}

/// HTML-escape text.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn section(title: &str, body: &str) -> String {
    format!("<section><h2>{}</h2>\n{}</section>\n", esc(title), body)
}

fn question(plan: &Plan) -> String {
    let policies = plan.policies.join(", ");
    let seeds = seeds_text(&plan.seeds);
    match plan.kind {
        Kind::Run => format!(
            "How does the scenario {} run under {policies}? ({seeds})",
            plan.scenario
        ),
        Kind::Compare => format!(
            "Which policy serves the scenario {} better: {policies}? Every seed gives every policy the same \
             arrivals, sizes, durations and failures (common random numbers), so each difference is paired \
             by seed against {} ({seeds}).",
            plan.scenario, plan.policies[0]
        ),
        Kind::Sweep => {
            let params: Vec<String> = plan
                .points
                .first()
                .map(|p| p.params.iter().map(|(k, _)| k.clone()).collect())
                .unwrap_or_default();
            let mut q = format!(
                "How do the metrics of {} change with {} under {policies}? ({seeds} per point)",
                plan.scenario,
                params.join(" and ")
            );
            if !plan.targets.is_empty() {
                q.push_str(&format!(" Target: {}.", plan.targets.join(" and ")));
            }
            q
        }
    }
}

fn seeds_text(seeds: &[u64]) -> String {
    match seeds {
        [one] => format!("seed {one}"),
        [first, .., last] if (*last - *first) as usize + 1 == seeds.len() => {
            format!("{} seeds, {first} to {last}", seeds.len())
        }
        _ => format!("{} seeds", seeds.len()),
    }
}

fn page(plan: &Plan, verdicts: &[String], sections: &[String]) -> String {
    let about: String = plan.about.iter().map(|a| format!("<li>{}</li>", esc(a))).collect();
    let verdict: String = verdicts.iter().map(|v| format!("<li>{}</li>", esc(v))).collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>kubesim {kind}: {name}</title>\n\
         <style>\nbody{{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em;color:#222}}\n\
         table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:right}}\n\
         th:first-child,td:first-child{{text-align:left}}.better{{color:#0a6b2d}}.worse{{color:#a11}}\n\
         figure{{margin:1.5em 0}}figcaption{{color:#555;font-size:.9em}}svg{{max-width:100%;height:auto}}\n\
         .verdict{{background:#f4f7fb;border-left:4px solid #0072b2;padding:.5em 1em}}\n</style>\n</head>\n<body>\n\
         <h1>kubesim {kind}: {name}</h1>\n<section><h2>The question</h2>\n<p>{question}</p></section>\n\
         <section><h2>The scenario</h2>\n<ul>{about}<li>policies: {policies}</li><li>{seeds}</li></ul></section>\n\
         <section class=\"verdict\"><h2>Verdict</h2>\n<ul>{verdict}</ul></section>\n{sections}\
         <footer><p>kubesim {version}. Definitions: docs/metrics.md in the kubesim repository; intervals are 95%: Student t over seeds, \
         Wilson for rates, Newcombe for paired rate differences. The data behind this page are the CSV files \
         next to it.</p></footer>\n</body>\n</html>\n",
        kind = plan.kind.as_str(),
        name = esc(&plan.scenario),
        question = esc(&question(plan)),
        about = about,
        policies = esc(&plan.policies.join(", ")),
        seeds = esc(&seeds_text(&plan.seeds)),
        verdict = verdict,
        sections = sections.concat(),
        version = env!("CARGO_PKG_VERSION"),
    )
}

/// Headline metrics of the per-policy table.
const HEADLINE: &[&str] = &[
    "gpu_busy_util",
    "gpu_alloc_util",
    "wait_p50_s",
    "wait_p95_s",
    "jobs_complete",
    "stranded_gpu_h",
];

fn cell(a: &Aggregate, metric: &str) -> String {
    a.estimate(metric).map_or("-".into(), |e| {
        if e.lo.is_finite() && e.hi.is_finite() && e.n > 1 {
            format!(
                "{} [{}, {}]",
                show(metric, e.mean),
                show(metric, e.lo),
                show(metric, e.hi)
            )
        } else {
            show(metric, e.mean)
        }
    })
}

fn policy_table_html(aggs: &[Aggregate]) -> String {
    let mut h = String::from("<table><tr><th>policy</th><th>runs</th>");
    for m in HEADLINE {
        h.push_str(&format!("<th>{}</th>", esc(label(m))));
    }
    h.push_str("<th>deadlocked runs (95% CI)</th></tr>\n");
    for a in aggs {
        h.push_str(&format!("<tr><td>{}</td><td>{}</td>", esc(&a.policy), a.runs));
        for m in HEADLINE {
            h.push_str(&format!("<td>{}</td>", esc(&cell(a, m))));
        }
        h.push_str(&format!("<td>{}</td></tr>\n", esc(&deadlock_cell(a))));
    }
    h.push_str("</table>\n");
    h
}

fn deadlock_cell(a: &Aggregate) -> String {
    let e = a.estimate(DEADLOCK_RATE);
    match e {
        Some(e) => format!(
            "{}/{} {:.0}% [{:.0}%, {:.0}%]",
            a.deadlocked_runs,
            a.runs,
            e.mean * 100.0,
            e.lo * 100.0,
            e.hi * 100.0
        ),
        None => "-".into(),
    }
}

fn label(metric: &str) -> &'static str {
    analysis::metric(metric).map_or("deadlock rate", |m| m.label)
}

/// The per-policy table for the terminal.
fn policy_table_text(aggs: &[Aggregate]) -> String {
    let mut out = format!(
        "{:<16} {:>5} {:>9} {:>9} {:>10} {:>10} {:>9} {:>12}  {}\n",
        "policy",
        "seeds",
        "gpu_busy",
        "gpu_alloc",
        "wait_p50",
        "wait_p95",
        "complete",
        "stranded",
        "deadlocked runs (95% CI)"
    );
    for a in aggs {
        let v = |m: &str| a.value(m).unwrap_or(f64::NAN);
        out.push_str(&format!(
            "{:<16} {:>5} {:>9} {:>9} {:>10} {:>10} {:>9} {:>12}  {}\n",
            a.policy,
            a.runs,
            show("gpu_busy_util", v("gpu_busy_util")),
            show("gpu_alloc_util", v("gpu_alloc_util")),
            show("wait_p50_s", v("wait_p50_s")),
            show("wait_p95_s", v("wait_p95_s")),
            show("jobs_complete", v("jobs_complete")),
            show("stranded_gpu_h", v("stranded_gpu_h")),
            deadlock_cell(a),
        ));
    }
    out
}

fn run_sentence(a: &Aggregate) -> String {
    let v = |m: &str| a.value(m).unwrap_or(f64::NAN);
    format!(
        "{}: GPUs busy {} and allocated {} of the time; median wait {}, p95 wait {}; {} jobs complete on \
         average; {} of {} runs deadlocked.",
        a.policy,
        show("gpu_busy_util", v("gpu_busy_util")),
        show("gpu_alloc_util", v("gpu_alloc_util")),
        show("wait_p50_s", v("wait_p50_s")),
        show("wait_p95_s", v("wait_p95_s")),
        show("jobs_complete", v("jobs_complete")),
        a.deadlocked_runs,
        a.runs
    )
}

fn comparison_html(cmp: &[Comparison]) -> String {
    let mut h = String::from(
        "<table><tr><th>metric</th><th>policy</th><th>mean [95% CI]</th><th>difference [95% CI]</th><th>verdict</th></tr>\n",
    );
    for c in cmp {
        let mean = if let Some(k) = c.deadlocked_runs {
            format!(
                "{k}/{} [{}, {}]",
                c.est.n,
                show(c.metric, c.est.lo),
                show(c.metric, c.est.hi)
            )
        } else if c.est.lo.is_finite() {
            format!(
                "{} [{}, {}]",
                show(c.metric, c.est.mean),
                show(c.metric, c.est.lo),
                show(c.metric, c.est.hi)
            )
        } else {
            show(c.metric, c.est.mean)
        };
        let diff = c.diff.map_or("-".to_string(), |d| {
            format!(
                "{} [{}, {}]",
                show_diff(c.metric, d.mean),
                show_diff(c.metric, d.lo),
                show_diff(c.metric, d.hi)
            )
        });
        let class = match c.verdict {
            "better" => " class=\"better\"",
            "worse" => " class=\"worse\"",
            _ => "",
        };
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td{class}>{}</td></tr>\n",
            esc(label(c.metric)),
            esc(&c.policy),
            esc(&mean),
            esc(&diff),
            esc(c.verdict)
        ));
    }
    h.push_str("</table>\n");
    h
}

/// The queues table: per policy and queue, means over seeds (`analysis::queue_means`).
fn queue_table_html(plan: &Plan, tables: &Tables, intro: &str) -> String {
    let mut h = format!("<p>{}</p>\n<table><tr>", esc(intro));
    for c in [
        "policy",
        "queue",
        "weight share",
        "jobs",
        "GPU share",
        "wait p50 (s)",
        "wait p95 (s)",
        "preemptions",
        "reclaims",
        "GPU-h lost",
        "deserved GPUs",
    ] {
        h.push_str(&format!("<th>{}</th>", esc(c)));
    }
    h.push_str("</tr>\n");
    let opt = |v: Option<f64>, digits: usize| v.map_or(String::new(), |v| format!("{v:.digits$}"));
    for p in &plan.policies {
        for q in analysis::queue_means(tables, p) {
            let cells = [
                p.clone(),
                q.queue.clone(),
                format!("{:.1}%", q.weight_share * 100.0),
                format!("{:.1}", q.jobs),
                format!("{:.1}%", q.gpu_share * 100.0),
                opt(q.wait_p50_s, 0),
                opt(q.wait_p95_s, 0),
                format!("{:.1}", q.preemptions),
                format!("{:.1}", q.reclaims),
                format!("{:.2}", q.gpu_h_lost),
                opt(q.deserved_gpus, 1),
            ];
            h.push_str("<tr>");
            for c in cells {
                h.push_str(&format!("<td>{}</td>", esc(&c)));
            }
            h.push_str("</tr>\n");
        }
    }
    h.push_str("</table>\n");
    h
}

/// A per-run table shown as is (its first 50 rows; all are in the CSV file).
fn table_html(t: &crate::experiment::output::Table, intro: &str) -> String {
    let mut h = format!("<p>{}</p>\n<table><tr>", esc(intro));
    let cols: Vec<&str> = t.header.split(',').collect();
    for c in &cols {
        h.push_str(&format!("<th>{}</th>", esc(c)));
    }
    h.push_str("</tr>\n");
    let mut shown = 0;
    'rows: for block in &t.blocks {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(block.as_bytes());
        for rec in rdr.records().flatten() {
            if shown == 50 {
                break 'rows;
            }
            shown += 1;
            h.push_str("<tr>");
            for v in rec.iter() {
                h.push_str(&format!("<td>{}</td>", esc(v)));
            }
            h.push_str("</tr>\n");
        }
    }
    h.push_str("</table>\n");
    if shown == 50 {
        h.push_str(&format!("<p>(the first 50 rows; all are in {})</p>\n", t.name));
    }
    h
}

fn hours(s: f64) -> f64 {
    s / 3600.0
}

/// Time plots of a run or comparison: utilization, stranded GPUs, deadlock, wait CDF.
fn time_figures(plan: &Plan, tables: &Tables) -> Vec<Figure> {
    let pooled: Vec<(String, Pooled)> = plan
        .policies
        .iter()
        .map(|p| (p.clone(), pooled_series(tables, p)))
        .collect();
    let over_time = |pick: fn(&(f64, f64, f64, f64, f64)) -> f64| -> Vec<Series> {
        pooled
            .iter()
            .map(|(p, s)| Series {
                label: p.clone(),
                points: s.points.iter().map(|x| (hours(x.0), pick(x))).collect(),
                style: Style::Step,
            })
            .collect()
    };
    let per = if plan.seeds.len() > 1 {
        ", pooled over seeds"
    } else {
        ""
    };
    let width = pooled.iter().map(|(_, p)| p.width_s).fold(0.0, f64::max);
    let bucket = format!("{}-minute buckets{per}", (width / 60.0).round());
    let mut figs = vec![
        Figure {
            stem: "gpu_busy".into(),
            caption: format!(
                "GPU busy utilization over time: GPUs doing work / GPUs in the cluster ({bucket}). A gang \
                 member holding GPUs while its gang is incomplete is not busy."
            ),
            chart: Chart {
                title: "GPU busy utilization".into(),
                x_label: "time (h)".into(),
                y_label: "busy GPUs / GPUs".into(),
                series: over_time(|x| x.1),
                y_range: Some((0.0, 1.0)),
                error_bars: vec![],
            },
        },
        Figure {
            stem: "gpu_alloc".into(),
            caption: format!("GPU allocated utilization over time: GPUs held by bound pods / GPUs ({bucket})."),
            chart: Chart {
                title: "GPU allocated utilization".into(),
                x_label: "time (h)".into(),
                y_label: "allocated GPUs / GPUs".into(),
                series: over_time(|x| x.2),
                y_range: Some((0.0, 1.0)),
                error_bars: vec![],
            },
        },
    ];
    let cdf: Vec<Series> = plan
        .policies
        .iter()
        .map(|p| {
            let w = waits(tables, p);
            let n = w.len() as f64;
            // One point per distinct wait (its last rank), thinned to at most ~400 points.
            let mut pts: Vec<(f64, f64)> = Vec::new();
            for (i, x) in w.iter().enumerate() {
                if i + 1 == w.len() || w[i + 1] != *x {
                    pts.push((x / 60.0, (i + 1) as f64 / n));
                }
            }
            if pts.len() > 400 {
                let step = pts.len().div_ceil(400);
                let last = pts.len() - 1;
                pts = pts
                    .into_iter()
                    .enumerate()
                    .filter(|(i, _)| i % step == 0 || *i == last)
                    .map(|(_, p)| p)
                    .collect();
            }
            if let Some(first) = w.first() {
                pts.insert(0, (first / 60.0, 0.0));
            }
            Series {
                label: p.clone(),
                points: pts,
                style: Style::Step,
            }
        })
        .collect();
    figs.push(Figure {
        stem: "wait_cdf".into(),
        caption: format!(
            "Wait-time CDF: fraction of the workloads that started within a given wait (start_s - submit_s; \
             workloads that never started are not on the curve){per}."
        ),
        chart: Chart {
            title: "Wait time CDF".into(),
            x_label: "wait (min)".into(),
            y_label: "fraction of started workloads".into(),
            series: cdf,
            y_range: Some((0.0, 1.0)),
            error_bars: vec![],
        },
    });
    figs.push(Figure {
        stem: "stranded_gpus".into(),
        caption: format!("GPUs held by members of partial gangs (stranded), mean per bucket ({bucket})."),
        chart: Chart {
            title: "Stranded GPUs".into(),
            x_label: "time (h)".into(),
            y_label: "GPUs".into(),
            series: over_time(|x| x.3),
            y_range: None,
            error_bars: vec![],
        },
    });
    figs.push(Figure {
        stem: "deadlock".into(),
        caption: format!("Fraction of run time in deadlock (defined in docs/metrics.md) per bucket ({bucket})."),
        chart: Chart {
            title: "Deadlock over time".into(),
            x_label: "time (h)".into(),
            y_label: "fraction of time deadlocked".into(),
            series: over_time(|x| x.4),
            y_range: Some((0.0, 1.0)),
            error_bars: vec![],
        },
    });
    figs
}

/// Per policy (the first three), GPUs held by each queue over time against (dashed) the mean
/// GPUs it deserved when the runs report it (Volcano proportion, Kueue nominal quota), else the
/// share its weight gives it: weight / the sum of the weights of the queues in use, times the
/// cluster's GPUs.
fn queue_figures(plan: &Plan, tables: &Tables) -> Vec<Figure> {
    if tables.get("queues.csv").is_none() {
        return vec![];
    }
    plan.policies
        .iter()
        .take(3)
        .enumerate()
        .map(|(i, p)| {
            let (queues, gpus) = analysis::pooled_queues(tables, p);
            let mut series: Vec<Series> = queues
                .iter()
                .map(|(name, _, _, pts)| Series {
                    label: name.clone(),
                    points: pts.clone(),
                    style: Style::Step,
                })
                .collect();
            let end = queues
                .iter()
                .flat_map(|(_, _, _, pts)| pts.last().map(|p| p.0))
                .fold(0.0, f64::max);
            let deserved = queues.iter().any(|q| q.2.is_some());
            for (name, share, des, _) in &queues {
                let (label, level) = match des {
                    Some(d) => (format!("{name}: deserved"), *d),
                    None if deserved => continue,
                    None => (format!("{name}: weight share"), share * gpus),
                };
                series.push(Series {
                    label,
                    points: vec![(0.0, level), (end, level)],
                    style: Style::Dashed,
                });
            }
            let reference = if deserved {
                "the mean GPUs it deserved (Volcano proportion) or its nominal quota (Kueue)".to_string()
            } else {
                format!("its weight's share of the cluster's {gpus:.0} GPUs")
            };
            Figure {
                stem: format!("queue_share_{i}"),
                caption: format!(
                    "GPUs held by each queue under {p} (mean per bucket over seeds), against {reference} (dashed)."
                ),
                chart: Chart {
                    title: format!("GPUs by queue: {p}"),
                    x_label: "time (h)".into(),
                    y_label: "GPUs held".into(),
                    series,
                    y_range: None,
                    error_bars: vec![],
                },
            }
        })
        .collect()
}

/// The x value of a sweep point: its first parameter's number (else its index).
fn x_of(plan: &Plan, point: usize) -> f64 {
    plan.points
        .get(point)
        .and_then(|p| p.params.first())
        .and_then(|(_, v)| crate::experiment::sweep::number_of(v))
        .unwrap_or(point as f64)
}

fn sweep_metrics(targets: &[Target]) -> Vec<String> {
    let mut ms: Vec<String> = ["gpu_busy_util", "wait_p95_s", DEADLOCK_RATE]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for t in targets {
        let name = if t.metric == analysis::DEADLOCK_FREE {
            DEADLOCK_RATE.to_string()
        } else {
            t.metric.clone()
        };
        if !ms.contains(&name) {
            ms.push(name);
        }
    }
    ms
}

fn sweep_figures(plan: &Plan, aggs: &[Aggregate], targets: &[Target]) -> Vec<Figure> {
    let xname = plan
        .points
        .first()
        .and_then(|p| p.params.first())
        .map(|(k, _)| k.clone())
        .unwrap_or_else(|| "point".into());
    // A curve per policy and per combination of the other parameters.
    let curve_key = |point: usize, policy: &str| -> String {
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
    };
    sweep_metrics(targets)
        .into_iter()
        .map(|metric| {
            let mut keys: Vec<String> = Vec::new();
            for a in aggs {
                let k = curve_key(a.point, &a.policy);
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
            let mut series = Vec::new();
            let mut bars = Vec::new();
            for k in &keys {
                let mut pts: Vec<(f64, f64, f64, f64)> = aggs
                    .iter()
                    .filter(|a| &curve_key(a.point, &a.policy) == k)
                    .filter_map(|a| a.estimate(&metric).map(|e| (x_of(plan, a.point), e.mean, e.lo, e.hi)))
                    .collect();
                pts.sort_by(|a, b| a.0.total_cmp(&b.0));
                let scale = if metric.ends_with("_s") { 1.0 / 60.0 } else { 1.0 };
                series.push(Series {
                    label: k.clone(),
                    points: pts.iter().map(|p| (p.0, p.1 * scale)).collect(),
                    style: Style::Points,
                });
                bars.push(pts.iter().map(|p| (p.2 * scale, p.3 * scale)).collect());
            }
            for t in targets {
                let tm = if t.metric == analysis::DEADLOCK_FREE {
                    DEADLOCK_RATE
                } else {
                    t.metric.as_str()
                };
                if tm != metric {
                    continue;
                }
                let v = if t.metric == analysis::DEADLOCK_FREE {
                    1.0 - t.value
                } else {
                    t.value
                };
                let scale = if metric.ends_with("_s") { 1.0 / 60.0 } else { 1.0 };
                let xs: Vec<f64> = (0..plan.points.len()).map(|p| x_of(plan, p)).collect();
                let (lo, hi) = xs
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), x| (l.min(*x), h.max(*x)));
                series.push(Series {
                    label: format!("target {}", t.text),
                    points: vec![(lo, v * scale), (hi, v * scale)],
                    style: Style::Dashed,
                });
                bars.push(vec![]);
            }
            let unit = if metric.ends_with("_s") { " (min)" } else { "" };
            let label = if metric == DEADLOCK_RATE {
                "deadlock rate (runs)"
            } else {
                analysis::metric(&metric).map_or("?", |m| m.label)
            };
            Figure {
                stem: format!("sweep_{metric}"),
                caption: format!("{label} against {xname}: mean over seeds with its 95% interval."),
                chart: Chart {
                    title: format!("{label} by {xname}"),
                    x_label: xname.clone(),
                    y_label: format!("{label}{unit}"),
                    series,
                    y_range: None,
                    error_bars: bars,
                },
            }
        })
        .collect()
}

/// The sweep's terminal table, HTML table and verdict lines (capacity answers with targets).
fn sweep_summary(plan: &Plan, aggs: &[Aggregate], targets: &[Target]) -> (String, String, Vec<String>) {
    let mut text = format!(
        "{:<40} {:<16} {:>5} {:>9} {:>10} {:>10} {:>10}{}\n",
        "point",
        "policy",
        "seeds",
        "gpu_busy",
        "wait_p95",
        "jct_mean",
        "deadlock",
        if targets.is_empty() { "" } else { "  meets target" }
    );
    let mut html = String::from("<table><tr><th>point</th><th>policy</th><th>runs</th>");
    for m in ["gpu_busy_util", "wait_p95_s", "jct_mean_s", "stranded_gpu_h"] {
        html.push_str(&format!("<th>{}</th>", esc(label(m))));
    }
    html.push_str("<th>deadlocked runs (95% CI)</th>");
    if !targets.is_empty() {
        html.push_str("<th>meets target</th>");
    }
    html.push_str("</tr>\n");
    for a in aggs {
        let point = plan.points[a.point].label();
        let v = |m: &str| a.value(m).unwrap_or(f64::NAN);
        let meets = if targets.is_empty() {
            String::new()
        } else if a.meets(targets) {
            "yes".into()
        } else {
            "no".into()
        };
        text.push_str(&format!(
            "{:<40} {:<16} {:>5} {:>9} {:>10} {:>10} {:>10}{}\n",
            point,
            a.policy,
            a.runs,
            show("gpu_busy_util", v("gpu_busy_util")),
            show("wait_p95_s", v("wait_p95_s")),
            show("jct_mean_s", v("jct_mean_s")),
            format!("{}/{}", a.deadlocked_runs, a.runs),
            if meets.is_empty() {
                String::new()
            } else {
                format!("  {meets}")
            }
        ));
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td>",
            esc(&point),
            esc(&a.policy),
            a.runs
        ));
        for m in ["gpu_busy_util", "wait_p95_s", "jct_mean_s", "stranded_gpu_h"] {
            html.push_str(&format!("<td>{}</td>", esc(&cell(a, m))));
        }
        html.push_str(&format!("<td>{}</td>", esc(&deadlock_cell(a))));
        if !targets.is_empty() {
            html.push_str(&format!("<td>{meets}</td>"));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n");
    let mut lines = Vec::new();
    if !targets.is_empty() {
        for p in &plan.policies {
            let mut met: Vec<(f64, usize)> = aggs
                .iter()
                .filter(|a| &a.policy == p && a.meets(targets))
                .map(|a| (x_of(plan, a.point), a.point))
                .collect();
            met.sort_by(|a, b| a.0.total_cmp(&b.0));
            let line = match met.first() {
                Some((_, point)) => format!(
                    "{p}: the smallest value meeting {} is {}.",
                    plan.targets.join(" and "),
                    plan.points[*point].label()
                ),
                None => format!(
                    "{p}: no point explored meets {}; widen the range.",
                    plan.targets.join(" and ")
                ),
            };
            text.push_str(&format!("\n{line}"));
            lines.push(line);
        }
        text.push('\n');
    } else {
        let swept = plan
            .points
            .first()
            .and_then(|p| p.params.first())
            .map_or("the point", |(k, _)| k.as_str());
        lines.push(format!(
            "{} points x {} policies x {} seeds; the plots show each metric against {swept}.",
            plan.points.len(),
            plan.policies.len(),
            plan.seeds.len(),
        ));
    }
    lines.extend(plan.about.iter().filter(|a| a.starts_with("capacity search")).cloned());
    (text, html, lines)
}
