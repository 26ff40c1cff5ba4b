//! report.html: one self-contained page (styles and SVG inline, no script, no link outside
//! itself) that says the question, the scenario, the verdict, the tables and the plots.

use crate::observe::analysis::{
    self, Aggregate, Comparison, EXCERPT_ROWS, Excerpt, PolicyFindings, QueueMean, SweepFindings,
};
use crate::observe::render::format::{cell, deadlock_cell, duration, interval, show};
use crate::observe::render::text::yes_no;
use crate::observe::tables::{Kind, Plan};

/// HTML-escape text.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A section of the report: a heading and its body.
pub fn section(title: &str, body: &str) -> String {
    format!("<section><h2>{}</h2>\n{}</section>\n", esc(title), body)
}

/// The question the experiment answers.
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

/// The seeds in words: `seed 1`, `10 seeds, 1 to 10`.
fn seeds_text(seeds: &[u64]) -> String {
    match seeds {
        [one] => format!("seed {one}"),
        [first, .., last] if (*last - *first) as usize + 1 == seeds.len() => {
            format!("{} seeds, {first} to {last}", seeds.len())
        }
        _ => format!("{} seeds", seeds.len()),
    }
}

/// The page: the question, the scenario, the verdict, then the sections.
pub fn page(plan: &Plan, verdicts: &[String], sections: &[String]) -> String {
    let about: String = plan.about.iter().map(|a| format!("<li>{}</li>", esc(a))).collect();
    let verdict: String = verdicts.iter().map(|v| format!("<li>{}</li>", esc(v))).collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>kubesim {kind}: {name}</title>\n\
         <style>\nbody{{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em;color:#222}}\n\
         .scroll{{overflow-x:auto;max-width:100%;margin:1em 0}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:right;white-space:nowrap}}\n\
         th:first-child,td:first-child{{text-align:left}}.better{{color:#0a6b2d}}.worse{{color:#a11}}\n\
         figure{{margin:1.5em 0}}figcaption{{color:#555;font-size:.9em}}svg{{max-width:100%;height:auto}}\n\
         .verdict{{background:#f4f7fb;border-left:4px solid #0072b2;padding:.5em 1em}}.note{{color:#555;font-style:italic}}\n</style>\n</head>\n<body>\n\
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

/// The sections of a run or comparison: the per-policy table, the paired differences, and the
/// per-run tables and queues the runs report.
pub fn policy_sections(aggs: &[Aggregate], f: &PolicyFindings) -> Vec<String> {
    let mut sections = vec![section(
        "Per policy (means over seeds)",
        &policy_table_html(aggs, &f.resources),
    )];
    if let Some(cmp) = &f.comparison {
        sections.push(section(
            "Paired differences against the first policy",
            &comparison_html(cmp),
        ));
    }
    if let Some(t) = &f.fidelity {
        let intro = "Per run and trace: the waits the trace recorded against the simulated ones (seconds), \
                     and the Kolmogorov-Smirnov distance between the two distributions (0 = the same, 1 = \
                     disjoint).";
        sections.push(section(
            "Replay fidelity: recorded against simulated waits",
            &excerpt_html(t, intro),
        ));
    }
    if let Some(t) = &f.cronjobs {
        let intro = "Per run and CronJob: Jobs started; scheduled times skipped (Forbid with a Job active, \
                     past startingDeadlineSeconds, suspended); starts more than 1 s late and by how much \
                     (seconds); Jobs deleted by Replace and by the history limits.";
        sections.push(section("CronJobs", &excerpt_html(t, intro)));
    }
    if let Some(kinds) = &f.kinds {
        let intro = "Per policy and kind of workload (a JobSet counts once, with its Jobs), means over \
                     seeds: workloads, those complete and failed, and the waits' median and 95th \
                     percentile pooled over seeds (>= when workloads that never started hold them: a \
                     lower bound).";
        sections.push(section("Workloads by kind", &kind_table_html(kinds, intro)));
    }
    if let Some(queues) = &f.queues {
        let intro = "Per policy and queue, means over seeds: the share of the cluster it is promised (its \
                     weight's share of the weights, or under Kueue its nominal GPU quota's share of the \
                     ClusterQueues' quotas), its jobs, its share of the GPU-hours held, its jobs' median and \
                     95th-percentile waits, pods evicted \
                     for other workloads (preemptions, of which volcano reclaims), GPU-hours of work they lost, \
                     and the GPUs it deserved (Volcano proportion) or its nominal quota (Kueue).";
        sections.push(section(
            "Queues: shares, waits and evictions",
            &queue_table_html(queues, intro),
        ));
    }
    sections
}

/// A sentence standing for a figure that would show only zeros.
pub fn note(text: &str) -> String {
    format!("<p class=\"note\">{}</p>\n", esc(text))
}

/// A figure: its SVG inline with the caption.
pub fn figure(stem: &str, svg: &str, caption: &str) -> String {
    format!(
        "<figure id=\"{}\">{}<figcaption>{}</figcaption></figure>\n",
        esc(stem),
        svg,
        esc(caption)
    )
}

/// The sweep's section: per point and policy, the headline means over seeds with their intervals
/// (and whether the point meets the targets).
pub fn sweep_section(plan: &Plan, aggs: &[Aggregate], sweep: &SweepFindings) -> String {
    let columns: Vec<&str> = [
        analysis::utilization(&plan.resources).0,
        "wait_p95_s",
        "jct_mean_s",
        "stranded_gpu_h",
    ]
    .into_iter()
    .filter(|m| analysis::metric(m).is_none_or(|m| analysis::shows(&plan.resources, m)))
    .collect();
    let targets = !sweep.targets.is_empty();
    let mut html = String::from("<div class=\"scroll\"><table><tr><th>point</th><th>policy</th><th>runs</th>");
    for m in &columns {
        html.push_str(&format!("<th>{}</th>", esc(label(m))));
    }
    html.push_str("<th>deadlocked runs (95% CI)</th>");
    if targets {
        html.push_str("<th>meets target</th>");
    }
    html.push_str("</tr>\n");
    for (a, meets) in aggs.iter().zip(&sweep.meets) {
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td>",
            esc(&plan.points[a.point].label()),
            esc(&a.policy),
            a.runs
        ));
        for m in &columns {
            html.push_str(&format!("<td>{}</td>", esc(&cell(a, m))));
        }
        html.push_str(&format!("<td>{}</td>", esc(&deadlock_cell(a))));
        if let Some(m) = meets {
            html.push_str(&format!("<td>{}</td>", yes_no(*m)));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table></div>\n");
    section("Sweep points (means over seeds)", &html)
}

/// Headline metrics of the per-policy table: utilization of the GPUs (of the CPUs without
/// GPUs), waits, jobs complete, stranded GPU-hours (with GPUs), bounded slowdown, and Jain's
/// fairness when some run has tenants to compare.
fn headline(aggs: &[Aggregate], resources: &[String]) -> Vec<&'static str> {
    let (busy, alloc) = analysis::utilization(resources);
    let mut h = vec![busy, alloc, "wait_p50_s", "wait_p95_s", "jobs_complete"];
    if busy.starts_with("gpu") {
        h.push("stranded_gpu_h");
    }
    h.push("bsld_mean");
    if aggs.iter().any(|a| a.value("jain_fairness").is_some()) {
        h.push("jain_fairness");
    }
    h
}

/// The per-policy table: headline means over seeds with their intervals, deadlocked runs.
fn policy_table_html(aggs: &[Aggregate], resources: &[String]) -> String {
    let headline = headline(aggs, resources);
    let mut h = String::from("<div class=\"scroll\"><table><tr><th>policy</th><th>runs</th>");
    for m in &headline {
        h.push_str(&format!("<th>{}</th>", esc(label(m))));
    }
    h.push_str("<th>deadlocked runs (95% CI)</th></tr>\n");
    for a in aggs {
        h.push_str(&format!("<tr><td>{}</td><td>{}</td>", esc(&a.policy), a.runs));
        for m in &headline {
            h.push_str(&format!("<td>{}</td>", esc(&cell(a, m))));
        }
        h.push_str(&format!("<td>{}</td></tr>\n", esc(&deadlock_cell(a))));
    }
    h.push_str("</table></div>\n");
    h
}

/// A metric's label in the report's tables.
fn label(metric: &str) -> &'static str {
    analysis::metric(metric).map_or("deadlock rate", |m| m.label)
}

/// The paired differences: per metric and policy, the mean and the difference against the
/// baseline with their intervals, and the verdict (better green, worse red).
fn comparison_html(cmp: &[Comparison]) -> String {
    let mut h = String::from(
        "<div class=\"scroll\"><table><tr><th>metric</th><th>policy</th><th>mean [95% CI]</th><th>difference [95% CI]</th><th>verdict</th></tr>\n",
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
            interval(c.metric, c.est.mean, c.est.lo, c.est.hi, false)
        } else {
            show(c.metric, c.est.mean)
        };
        let diff = c
            .diff
            .map_or("-".to_string(), |d| interval(c.metric, d.mean, d.lo, d.hi, true));
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
    h.push_str("</table></div>\n");
    h
}

/// A table of rows under `intro`, each cell escaped.
fn rows_table_html(intro: &str, columns: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut h = format!("<p>{}</p>\n<div class=\"scroll\"><table><tr>", esc(intro));
    for c in columns {
        h.push_str(&format!("<th>{}</th>", esc(c)));
    }
    h.push_str("</tr>\n");
    for cells in rows {
        h.push_str("<tr>");
        for c in cells {
            h.push_str(&format!("<td>{}</td>", esc(&c)));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table></div>\n");
    h
}

/// The kinds table: per policy and kind of workload.
fn kind_table_html(kinds: &[(String, Vec<crate::observe::analysis::KindMean>)], intro: &str) -> String {
    let wait = |b: &Option<crate::observe::survival::Bounded<f64>>| {
        b.as_ref().map_or(String::new(), |b| {
            format!("{}{}", if b.lower_bound { ">=" } else { "" }, duration(b.value))
        })
    };
    let rows = kinds.iter().flat_map(|(p, means)| {
        means.iter().map(move |k| {
            vec![
                p.clone(),
                k.kind.clone(),
                format!("{:.1}", k.workloads),
                format!("{:.1}", k.complete),
                format!("{:.1}", k.failed),
                wait(&k.wait_p50_s),
                wait(&k.wait_p95_s),
            ]
        })
    });
    let columns = [
        "policy",
        "kind",
        "workloads",
        "complete",
        "failed",
        "wait p50",
        "wait p95",
    ];
    rows_table_html(intro, &columns, rows)
}

/// The queues table: per policy and queue, means over seeds.
fn queue_table_html(queues: &[(String, Vec<QueueMean>)], intro: &str) -> String {
    let opt = |v: Option<f64>, digits: usize| v.map_or(String::new(), |v| format!("{v:.digits$}"));
    let rows = queues.iter().flat_map(|(p, means)| {
        means.iter().map(move |q| {
            vec![
                p.clone(),
                q.queue.clone(),
                format!("{:.1}% ({})", q.share * 100.0, q.share_basis.label()),
                format!("{:.1}", q.jobs),
                format!("{:.1}%", q.gpu_share * 100.0),
                q.wait_p50_s.map_or(String::new(), duration),
                q.wait_p95_s.map_or(String::new(), duration),
                format!("{:.1}", q.preemptions),
                format!("{:.1}", q.reclaims),
                format!("{:.2}", q.gpu_h_lost),
                opt(q.deserved_gpus, 1),
            ]
        })
    });
    let columns = [
        "policy",
        "queue",
        "promised share",
        "jobs",
        "GPU share",
        "wait p50",
        "wait p95",
        "preemptions",
        "reclaims",
        "GPU-h lost",
        "deserved GPUs",
    ];
    rows_table_html(intro, &columns, rows)
}

/// A per-run table shown as is (its first rows; all are in the CSV file).
fn excerpt_html(t: &Excerpt, intro: &str) -> String {
    let columns: Vec<&str> = t.columns.iter().map(String::as_str).collect();
    let mut h = rows_table_html(intro, &columns, t.rows.iter().cloned());
    if t.rows.len() == EXCERPT_ROWS {
        h.push_str(&format!(
            "<p>(the first {EXCERPT_ROWS} rows; all are in {})</p>\n",
            t.name
        ));
    }
    h
}
