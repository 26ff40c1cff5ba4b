//! The terminal text (the per-policy table, a comparison's table, a sweep's table and answers)
//! and the verdict sentences that report.html also shows.

use crate::observe::analysis::{
    Aggregate, Comparison, CronMean, DEADLOCK_RATE, KS_CLOSE, KS_POOR, PolicyFindings, ReplayMean, SweepFindings,
};
use crate::observe::render::format::{deadlock_cell, duration, interval, label_of, show, show_bounded};
use crate::observe::tables::Plan;

/// The per-policy table for the terminal; `util` the (busy, allocated) utilization metrics
/// shown ([`crate::observe::analysis::utilization`]).
pub fn policy_table_text(aggs: &[Aggregate], util: (&str, &str)) -> String {
    // Stranded GPU-hours with GPUs; the mean bounded slowdown without (an HPC trace).
    let gpus = util.0.starts_with("gpu");
    let last = if gpus { "stranded_gpu_h" } else { "bsld_mean" };
    let mut out = format!(
        "{:<16} {:>5} {:>9} {:>9} {:>10} {:>10} {:>9} {:>12}  {}\n",
        "policy",
        "seeds",
        util.0.trim_end_matches("_util"),
        util.1.trim_end_matches("_util"),
        "wait_p50",
        "wait_p95",
        "complete",
        if gpus { "stranded" } else { "bsld" },
        "deadlocked runs (95% CI)"
    );
    for a in aggs {
        let v = |m: &str| a.value(m).unwrap_or(f64::NAN);
        let b = |m: &str| show_bounded(m, v(m), a.lower_bounds(m) > 0);
        out.push_str(&format!(
            "{:<16} {:>5} {:>9} {:>9} {:>10} {:>10} {:>9} {:>12}  {}\n",
            a.policy,
            a.runs,
            show(util.0, v(util.0)),
            show(util.1, v(util.1)),
            b("wait_p50_s"),
            b("wait_p95_s"),
            show("jobs_complete", v("jobs_complete")),
            b(last),
            deadlock_cell(a),
        ));
    }
    out
}

/// A run's verdict for one policy: its headline metrics in a sentence (`util` as in
/// [`policy_table_text`]).
pub fn run_sentence(a: &Aggregate, util: (&str, &str)) -> String {
    let v = |m: &str| a.value(m).unwrap_or(f64::NAN);
    let b = |m: &str| show_bounded(m, v(m), a.lower_bounds(m) > 0);
    let mut s = format!(
        "{}: {} busy {} and allocated {} of the time; median wait {}, p95 wait {}; {} jobs complete on \
         average; {} of {} runs deadlocked.",
        a.policy,
        if util.0.starts_with("gpu") { "GPUs" } else { "CPUs" },
        show(util.0, v(util.0)),
        show(util.1, v(util.1)),
        b("wait_p50_s"),
        b("wait_p95_s"),
        show("jobs_complete", v("jobs_complete")),
        a.deadlocked_runs,
        a.runs
    );
    let never = v("not_started");
    if never > 0.0 {
        s.push_str(&format!(
            " {} workloads never started (per run, on average): their waits count as at least the \
             time they waited (>= marks a lower bound).",
            show("not_started", never)
        ));
    }
    s
}

/// What the verdict says of the scenario's own kind: per policy, a replayed trace's fidelity and
/// its CronJobs' skipped and late runs.
pub fn scenario_sentences(f: &PolicyFindings) -> Vec<String> {
    let mut out: Vec<String> = f.replay.iter().map(replay_sentence).collect();
    out.extend(f.cron.iter().map(cron_sentence));
    out
}

/// A replay's fidelity in words, with the thresholds of docs/metrics.md.
fn replay_sentence(r: &ReplayMean) -> String {
    let runs = plural(r.runs, "run");
    let Some(ks) = r.ks_distance else {
        return format!(
            "{}: no job of the trace {} with a recorded wait started ({runs}); its fidelity is unknown.",
            r.policy, r.trace
        );
    };
    let how = if ks <= KS_CLOSE {
        "close to the recorded waits"
    } else if ks <= KS_POOR {
        "moderately far from the recorded waits"
    } else {
        "far from the recorded waits"
    };
    let mut s = format!(
        "{}: replaying the trace {}, simulated waits are {how}: Kolmogorov-Smirnov distance {ks:.3} \
         (close <= {KS_CLOSE}, far > {KS_POOR}; mean over {runs})",
        r.policy, r.trace
    );
    if let (Some(rec), Some(sim)) = (r.recorded_p50_s, r.simulated_p50_s) {
        s.push_str(&format!(
            "; median wait {} simulated against {} recorded",
            duration(sim),
            duration(rec)
        ));
    }
    s.push('.');
    if r.not_started > 0.0 {
        s.push_str(&format!(
            " {} of its jobs with a recorded wait never started per run (not in the distance).",
            show("not_started", r.not_started)
        ));
    }
    s
}

/// A policy's CronJobs in words: Jobs started, scheduled times skipped (by why) and late runs.
fn cron_sentence(c: &CronMean) -> String {
    let n = |v: f64| show("jobs_complete", v);
    let per = if c.runs > 1 { " per run on average" } else { "" };
    let mut s = format!(
        "{}: its {} started {} Jobs{per}; {} scheduled times were skipped",
        c.policy,
        plural(c.cronjobs, "CronJob"),
        n(c.started),
        n(c.skipped())
    );
    let why: Vec<String> = [
        (c.skipped_forbid, "Forbid with a Job still active"),
        (c.skipped_deadline, "past startingDeadlineSeconds"),
        (c.skipped_suspended, "suspended"),
    ]
    .iter()
    .filter(|(v, _)| *v > 0.0)
    .map(|(v, why)| format!("{} {why}", n(*v)))
    .collect();
    if !why.is_empty() {
        s.push_str(&format!(" ({})", why.join(", ")));
    }
    s.push_str(&format!(" and {} Jobs started more than 1 s late", n(c.late_runs)));
    if c.late_runs > 0.0 {
        s.push_str(&format!(" (at most {})", duration(c.late_max_s)));
    }
    s.push('.');
    s
}

/// `1 run`, `3 runs`.
fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// The terminal table of a comparison: per policy against the baseline.
pub fn comparison_table(rows: &[Comparison], seeds: usize) -> String {
    let mut out = String::new();
    let mut policies: Vec<&str> = Vec::new();
    for c in rows {
        if !policies.contains(&c.policy.as_str()) {
            policies.push(&c.policy);
        }
    }
    let Some(base) = policies.first().copied() else {
        return out;
    };
    for p in policies.iter().skip(1) {
        out.push_str(&format!(
            "{p} vs {base} ({seeds} seeds, common random numbers; paired difference with 95% CI)\n"
        ));
        out.push_str(&format!(
            "  {:<28} {:>14} {:>14} {:>36}  {}\n",
            "metric", base, p, "difference [95% CI]", "verdict"
        ));
        for c in rows.iter().filter(|c| c.policy == *p) {
            let b = rows
                .iter()
                .find(|x| x.metric == c.metric && x.policy == base)
                .map_or(f64::NAN, |x| x.est.mean);
            let (bs, ps) = match (
                c.deadlocked_runs,
                rows.iter().find(|x| x.metric == c.metric && x.policy == base),
            ) {
                (Some(k), Some(bx)) => (
                    format!("{}/{}", bx.deadlocked_runs.unwrap_or(0), bx.est.n),
                    format!("{k}/{}", c.est.n),
                ),
                _ => {
                    let base_lb = rows
                        .iter()
                        .find(|x| x.metric == c.metric && x.policy == base)
                        .is_some_and(|x| x.lower_bound_runs > 0);
                    (
                        show_bounded(c.metric, b, base_lb),
                        show_bounded(c.metric, c.est.mean, c.lower_bound_runs > 0),
                    )
                }
            };
            let d = c
                .diff
                .map_or("-".to_string(), |d| interval(c.metric, d.mean, d.lo, d.hi, true));
            out.push_str(&format!(
                "  {:<28} {:>14} {:>14} {:>36}  {}\n",
                label_of(c.metric),
                bs,
                ps,
                d,
                c.verdict
            ));
        }
        out.push('\n');
    }
    out
}

/// Verdict sentences: for each policy, the significant differences against the baseline and
/// the deadlock rates.
pub fn verdicts(rows: &[Comparison]) -> Vec<String> {
    let mut policies: Vec<&str> = Vec::new();
    for c in rows {
        if !policies.contains(&c.policy.as_str()) {
            policies.push(&c.policy);
        }
    }
    let Some(base) = policies.first().copied() else {
        return vec![];
    };
    let mut out = Vec::new();
    for p in policies.iter().skip(1) {
        let mine: Vec<&Comparison> = rows.iter().filter(|c| c.policy == *p).collect();
        let mut better = Vec::new();
        let mut worse = Vec::new();
        let mut other = Vec::new();
        let mut censored = Vec::new();
        let mut negligible = 0;
        for c in &mine {
            if let Some(d) = c.diff {
                let text = format!(
                    "{} {}",
                    label_of(c.metric),
                    interval(c.metric, d.mean, d.lo, d.hi, true)
                );
                match c.verdict {
                    "better" => better.push(text),
                    "worse" => worse.push(text),
                    "higher" | "lower" => other.push(text),
                    "undetermined (censored)" => censored.push(label_of(c.metric)),
                    "negligible" => negligible += 1,
                    _ => {}
                }
            }
        }
        let n = mine.first().map_or(0, |c| c.est.n);
        let mut s = format!("{p} against {base} over {n} paired seeds: ");
        if better.is_empty() && worse.is_empty() {
            s.push_str("no metric differs significantly at 95%; more seeds would narrow the intervals.");
        } else {
            if !better.is_empty() {
                s.push_str(&format!("better on {}", better.join("; ")));
            }
            if !worse.is_empty() {
                let lead = if better.is_empty() { "worse on" } else { ". Worse on" };
                s.push_str(&format!("{lead} {}", worse.join("; ")));
            }
            s.push('.');
        }
        if !other.is_empty() {
            s.push_str(&format!(" Also different: {}.", other.join("; ")));
        }
        if negligible > 0 {
            s.push_str(&format!(
                " {negligible} significant difference{} below the practical threshold (negligible).",
                if negligible == 1 { " is" } else { "s are" }
            ));
        }
        if !censored.is_empty() {
            s.push_str(&format!(
                " Undetermined because workloads never started or finished (censored): {}.",
                censored.join(", ")
            ));
        }
        if let (Some(c), Some(b)) = (
            mine.iter().find(|c| c.metric == DEADLOCK_RATE),
            rows.iter().find(|c| c.metric == DEADLOCK_RATE && c.policy == base),
        ) {
            s.push_str(&format!(
                " Deadlocked runs: {}/{} against {}/{}.",
                c.deadlocked_runs.unwrap_or(0),
                c.est.n,
                b.deadlocked_runs.unwrap_or(0),
                b.est.n
            ));
        }
        out.push(s);
    }
    out
}

/// The sweep's terminal table: per point and policy, the headline means over seeds (and whether
/// the point meets the targets), then the answers to the targets.
pub fn sweep_table_text(plan: &Plan, aggs: &[Aggregate], sweep: &SweepFindings) -> String {
    let targets = !sweep.targets.is_empty();
    let mut text = format!(
        "{:<40} {:<16} {:>5} {:>9} {:>10} {:>10} {:>10}{}\n",
        "point",
        "policy",
        "seeds",
        "gpu_busy",
        "wait_p95",
        "jct_mean",
        "deadlock",
        if targets { "  meets target" } else { "" }
    );
    for (a, meets) in aggs.iter().zip(&sweep.meets) {
        let v = |m: &str| a.value(m).unwrap_or(f64::NAN);
        text.push_str(&format!(
            "{:<40} {:<16} {:>5} {:>9} {:>10} {:>10} {:>10}{}\n",
            plan.points[a.point].label(),
            a.policy,
            a.runs,
            show("gpu_busy_util", v("gpu_busy_util")),
            show("wait_p95_s", v("wait_p95_s")),
            show("jct_mean_s", v("jct_mean_s")),
            format!("{}/{}", a.deadlocked_runs, a.runs),
            meets.map_or(String::new(), |m| format!("  {}", yes_no(m)))
        ));
    }
    let answers = sweep_answers(plan, sweep);
    for line in &answers {
        text.push_str(&format!("\n{line}"));
    }
    if targets {
        text.push('\n');
    }
    text
}

/// "yes" or "no".
pub fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// Per policy, the answer to the sweep's targets (none without targets).
fn sweep_answers(plan: &Plan, sweep: &SweepFindings) -> Vec<String> {
    let targets = plan.targets.join(" and ");
    sweep
        .smallest
        .iter()
        .map(|(p, point)| match point {
            Some(point) => format!(
                "{p}: the smallest value meeting {targets} is {}.",
                plan.points[*point].label()
            ),
            None => format!("{p}: no point explored meets {targets}; widen the range."),
        })
        .collect()
}

/// The sweep's verdict lines: the answers to its targets (else what it explored), and a capacity
/// search's own account.
pub fn sweep_verdicts(plan: &Plan, sweep: &SweepFindings) -> Vec<String> {
    let mut lines = sweep_answers(plan, sweep);
    if sweep.targets.is_empty() {
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
    lines
}
