//! Experiments through the command line: `compare` (paired differences checked by hand from
//! summary.csv), `sweep` (a grid, and a capacity search that finds a threshold built into the
//! scenario with fewer runs than the grid), `--shard` + `merge` (byte for byte one run), and
//! report.html (well-formed, every plot present and drawn, nothing referenced outside it).

use super::*;

/// Every output file under `dir` (recursively), relative path -> bytes; kubesim's bookkeeping
/// (the list of outputs with their times, the lock with its pid) is not an output.
pub(super) fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap_or_else(|e| panic!("read {}: {e}", d.display())) {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .file_name()
                .is_some_and(|f| f == ".kubesim-outputs" || f == ".kubesim.lock")
            {
                continue;
            } else {
                let rel = p.strip_prefix(dir).expect("under dir").to_string_lossy().into_owned();
                out.insert(rel, fs::read(&p).expect("read"));
            }
        }
    }
    out
}

pub(super) fn assert_same_tree(a: &Path, b: &Path) {
    let (ta, tb) = (tree(a), tree(b));
    assert_eq!(
        ta.keys().collect::<Vec<_>>(),
        tb.keys().collect::<Vec<_>>(),
        "files of {} and {}",
        a.display(),
        b.display()
    );
    for (name, bytes) in &ta {
        assert!(
            bytes == &tb[name],
            "{name} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

pub(super) fn run_args(args: &[&str]) -> Out {
    kubesim(args.iter().map(OsStr::new), None, &[])
}

pub(super) fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

#[test]
fn compare_reports_paired_differences_computed_by_seed() {
    let dir = TestDir::new("compare");
    let f = dir.write("mixed.yaml", MIXED);
    let out = dir.join("out");
    let o = run_args(&[
        "compare",
        p(&f),
        "--policy",
        "kube-default",
        "--policy",
        "kube-binpack",
        "--seeds",
        "1..3",
        "--out",
        p(&out),
    ]);
    o.assert_ok();
    assert!(
        o.stdout.contains("kube-binpack vs kube-default (3 seeds"),
        "{}",
        o.stdout
    );
    check_outputs(&out, false);
    let summary = Csv::read(&out.join("summary.csv"));
    let cmp = Csv::read(&out.join("comparison.csv"));
    assert_eq!(
        cmp.header.join(","),
        "metric,policy,runs,mean,ci95_lo,ci95_hi,baseline,diff,diff_ci95_lo,diff_ci95_hi,diff_pct,verdict,lower_bound_runs,diff_bound,negligible_within"
    );
    // By hand from summary.csv: per seed d = binpack - default; mean, sample sd, t(0.975, 2).
    for metric in ["gpu_busy_util", "wait_mean_s", "jct_mean_s"] {
        let val = |policy: &str, seed: &str| -> f64 {
            let r = summary
                .rows
                .iter()
                .find(|r| summary.get(r, "policy") == policy && summary.get(r, "seed") == seed)
                .expect("summary row");
            summary.get(r, metric).parse().expect("number")
        };
        let d: Vec<f64> = ["1", "2", "3"]
            .iter()
            .map(|s| val("kube-binpack", s) - val("kube-default", s))
            .collect();
        let mean = d.iter().sum::<f64>() / 3.0;
        let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 2.0).sqrt();
        let half = 4.302_652_730 * sd / 3f64.sqrt();
        let row = cmp
            .rows
            .iter()
            .find(|r| cmp.get(r, "metric") == metric && cmp.get(r, "policy") == "kube-binpack")
            .expect("comparison row");
        let got = |c: &str| -> f64 { cmp.get(row, c).parse().expect("number") };
        assert!((got("diff") - mean).abs() < 1e-5, "{metric}: {} vs {mean}", got("diff"));
        assert!((got("diff_ci95_lo") - (mean - half)).abs() < 1e-5, "{metric} lo");
        assert!((got("diff_ci95_hi") - (mean + half)).abs() < 1e-5, "{metric} hi");
        assert_eq!(cmp.get(row, "runs"), "3");
        let base = cmp
            .rows
            .iter()
            .find(|r| cmp.get(r, "metric") == metric && cmp.get(r, "policy") == "kube-default")
            .expect("baseline row");
        assert_eq!(cmp.get(base, "verdict"), "baseline");
        assert_eq!(cmp.get(base, "diff"), "");
        // The practical threshold: 0.5 pp of utilization; 1% of the baseline's mean time, at
        // least 1 s.
        let base_vals: Vec<f64> = ["1", "2", "3"].iter().map(|s| val("kube-default", s)).collect();
        let bm = base_vals.iter().sum::<f64>() / 3.0;
        let threshold = if metric == "gpu_busy_util" {
            0.005
        } else {
            (bm * 0.01).max(1.0)
        };
        assert!(
            (got("negligible_within") - threshold).abs() < 1e-5,
            "{metric} threshold"
        );
        // The baseline's own interval by hand on the log (times) or logit (utilization) scale:
        // positive, around the mean.
        let bsd = (base_vals.iter().map(|x| (x - bm).powi(2)).sum::<f64>() / 2.0).sqrt();
        let se = bsd / 3f64.sqrt();
        let (lo, hi) = if metric == "gpu_busy_util" {
            let h = 4.302_652_730 * se / (bm * (1.0 - bm));
            let l = (bm / (1.0 - bm)).ln();
            let back = |x: f64| 1.0 / (1.0 + (-x).exp());
            (back(l - h), back(l + h))
        } else {
            let h = 4.302_652_730 * se / bm;
            (bm * (-h).exp(), bm * h.exp())
        };
        let bget = |c: &str| -> f64 { cmp.get(base, c).parse().expect("number") };
        assert!(
            (bget("ci95_lo") - lo).abs() < 1e-5 && (bget("ci95_hi") - hi).abs() < 1e-5,
            "{metric} ci"
        );
        assert!(bget("ci95_lo") >= 0.0);
        let verdict = cmp.get(row, "verdict");
        if (mean.abs() < threshold) && (mean - half > 0.0 || mean + half < 0.0) {
            assert_eq!(verdict, "negligible", "{metric}");
        }
    }
    // --negligible: recorded per metric; a bad one exits 2 before simulating.
    let neg = dir.join("neg");
    let o = run_args(&[
        "compare",
        p(&f),
        "--policy",
        "kube-default",
        "--policy",
        "kube-binpack",
        "--seeds",
        "1..3",
        "--negligible",
        "wait_mean_s=1h",
        "--out",
        p(&neg),
    ]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(
        o.stderr.contains("--negligible") && o.stderr.contains("wait_mean_s=1h"),
        "{}",
        o.stderr
    );
    assert!(!neg.exists());
    run_args(&[
        "compare",
        p(&f),
        "--policy",
        "kube-default",
        "--policy",
        "kube-binpack",
        "--seeds",
        "1..3",
        "--negligible",
        "wait_mean_s=3600",
        "--out",
        p(&neg),
    ])
    .assert_ok();
    let c2 = Csv::read(&neg.join("comparison.csv"));
    let r = c2
        .rows
        .iter()
        .find(|r| c2.get(r, "metric") == "wait_mean_s" && c2.get(r, "policy") == "kube-binpack")
        .expect("row");
    assert_eq!(c2.get(r, "negligible_within"), "3600.000000");
    assert!(
        ["negligible", "no significant difference", "identical in every seed"].contains(&c2.get(r, "verdict")),
        "{}",
        c2.get(r, "verdict")
    );
    // One policy is not a comparison.
    let one = run_args(&["compare", p(&f), "--policy", "kube-default", "--out", p(&dir.join("x"))]);
    assert_eq!(one.code, Some(2), "{}", one.stderr);
    assert!(
        one.stderr.contains("--policy") && one.stderr.contains("at least two"),
        "{}",
        one.stderr
    );
    assert!(!dir.join("x").exists());
}

/// The compare flags of the sharded experiment. With events.csv, whose rows are copied from the
/// runs' spool files and the shards' files without being read into memory.
const SHARDED_COMPARE: [&str; 7] = [
    "--policy",
    "kube-default",
    "--policy",
    "kube-binpack",
    "--seeds",
    "1..3",
    "--events",
];

#[test]
fn shards_merge_into_exactly_the_files_of_one_run() {
    let dir = TestDir::new("shards");
    let f = dir.write("mixed.yaml", MIXED);
    let one = dir.join("one");
    let mut args = vec!["compare", p(&f)];
    args.extend(SHARDED_COMPARE);
    args.extend(["--out", p(&one)]);
    run_args(&args).assert_ok();
    let shard_dirs = run_shards(&dir, &f);
    // Merge in a scrambled order: the result does not depend on it.
    let merged = dir.join("merged");
    let order = [2, 0, 3, 1];
    let mut args = vec!["merge"];
    args.extend(order.iter().map(|&i| p(&shard_dirs[i])));
    args.extend(["--out", p(&merged)]);
    run_args(&args).assert_ok();
    assert_same_tree(&one, &merged);
    assert!(
        Csv::read(&merged.join("events.csv")).rows.len() > 100,
        "the merged events.csv holds the runs' events"
    );

    refuses_damaged_shard_tables(&dir, &shard_dirs);
    refuses_bad_merges(&dir, &f, &shard_dirs);
}

/// The experiment run as 4 shards (`--shard i/4`): their folders, in shard order.
fn run_shards(dir: &TestDir, f: &Path) -> Vec<PathBuf> {
    let mut shard_dirs = Vec::new();
    for i in 0..4 {
        let d = dir.join(&format!("shard{i}"));
        let spec = format!("{i}/4");
        let mut args = vec!["compare", p(f)];
        args.extend(SHARDED_COMPARE);
        args.extend(["--shard", &spec, "--out", p(&d)]);
        let o = run_args(&args);
        o.assert_ok();
        assert!(!d.join("report.html").exists(), "a shard derives nothing");
        shard_dirs.push(d);
    }
    shard_dirs
}

/// A shard table cut mid-row, or edited in place at the same length, is refused by name.
fn refuses_damaged_shard_tables(dir: &TestDir, shard_dirs: &[PathBuf]) {
    let damaged_out = dir.join("damaged");
    for (table, damage) in [
        ("jobs.csv", "truncated"),
        ("events.csv", "truncated"),
        ("summary.csv", "edited"),
    ] {
        let path = shard_dirs[1].join(table);
        let original = fs::read(&path).expect("shard table");
        let mut bad = original.clone();
        if damage == "truncated" {
            bad.truncate(original.len() / 2);
        } else {
            let at = bad.iter().position(u8::is_ascii_digit).expect("a digit");
            bad[at] = if bad[at] == b'9' { b'8' } else { bad[at] + 1 };
        }
        fs::write(&path, &bad).expect("damage");
        let o = run_args(&[
            "merge",
            p(&shard_dirs[0]),
            p(&shard_dirs[1]),
            p(&shard_dirs[2]),
            p(&shard_dirs[3]),
            "--out",
            p(&damaged_out),
        ]);
        assert_eq!(o.code, Some(2), "{table} {damage}: {}", o.stderr);
        assert!(
            o.stderr.contains(&format!("{}: {damage}", path.display())),
            "{}",
            o.stderr
        );
        assert!(!damaged_out.exists(), "a refused merge writes nothing");
        fs::write(&path, &original).expect("restore");
    }
}

/// Bad merges: a shard missing, a shard twice, a shard of another experiment; and a shard
/// index out of range.
fn refuses_bad_merges(dir: &TestDir, f: &Path, shard_dirs: &[PathBuf]) {
    let bad_out = dir.join("bad");
    let missing = run_args(&[
        "merge",
        p(&shard_dirs[0]),
        p(&shard_dirs[1]),
        p(&shard_dirs[2]),
        "--out",
        p(&bad_out),
    ]);
    assert_eq!(missing.code, Some(2));
    assert!(missing.stderr.contains("shards missing: 3/4"), "{}", missing.stderr);
    let twice = run_args(&[
        "merge",
        p(&shard_dirs[0]),
        p(&shard_dirs[0]),
        p(&shard_dirs[1]),
        p(&shard_dirs[2]),
        "--out",
        p(&bad_out),
    ]);
    assert_eq!(twice.code, Some(2));
    assert!(twice.stderr.contains("given twice"), "{}", twice.stderr);
    let other = dir.join("other");
    run_args(&[
        "compare",
        p(f),
        "--policy",
        "kube-default",
        "--policy",
        "kube-binpack",
        "--seeds",
        "1..4",
        "--shard",
        "3/4",
        "--out",
        p(&other),
    ])
    .assert_ok();
    let mixed = run_args(&[
        "merge",
        p(&shard_dirs[0]),
        p(&shard_dirs[1]),
        p(&shard_dirs[2]),
        p(&other),
        "--out",
        p(&bad_out),
    ]);
    assert_eq!(mixed.code, Some(2));
    assert!(mixed.stderr.contains("another experiment"), "{}", mixed.stderr);
    assert!(!bad_out.exists(), "a failed merge writes nothing");
    let bad_shard = run_args(&[
        "compare",
        p(f),
        "--policy",
        "kube-default",
        "--policy",
        "volcano",
        "--shard",
        "4/4",
    ]);
    assert_eq!(bad_shard.code, Some(2));
    assert!(bad_shard.stderr.contains("--shard"), "{}", bad_shard.stderr);
}

/// 40 one-GPU jobs of one hour, one a second, on a pool of 8-GPU nodes: the p95 wait (the
/// 38th of 40) is seconds when 38 jobs fit at once (5 nodes or more) and about an hour below.
const THRESHOLD: &str = "\
apiVersion: kubesim.io/v1alpha1
kind: Simulation
metadata: {name: threshold}
spec:
  seed: 1
---
apiVersion: kubesim.io/v1alpha1
kind: NodePool
metadata: {name: gpu}
spec:
  count: 2
  template:
    apiVersion: v1
    kind: Node
    metadata: {name: gpu}
    status:
      allocatable: {cpu: \"64\", memory: 512Gi, nvidia.com/gpu: \"8\", pods: \"110\"}
---
apiVersion: kubesim.io/v1alpha1
kind: Arrivals
metadata: {name: jobs}
spec:
  count: 40
  every: 1s
  duration: {fixed: 1h}
  template:
    apiVersion: batch/v1
    kind: Job
    metadata: {name: job}
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: c
            image: x
            resources: {limits: {cpu: \"1\", memory: 1Gi, nvidia.com/gpu: \"1\"}}
";

#[test]
fn capacity_search_finds_the_threshold_with_fewer_runs_than_the_grid() {
    let dir = TestDir::new("capacity");
    let f = dir.write("threshold.yaml", THRESHOLD);
    let out = dir.join("cap");
    let o = run_args(&[
        "sweep",
        p(&f),
        "--capacity",
        "NodePool/gpu:spec.count=1..64",
        "--target",
        "wait_p95_s<=600",
        "--policy",
        "kube-default",
        "--seeds",
        "1..2",
        "--out",
        p(&out),
    ]);
    o.assert_ok();
    assert!(
        o.stdout
            .contains("kube-default: the smallest value meeting wait_p95_s<=600 is NodePool/gpu:spec.count=5."),
        "{}",
        o.stdout
    );
    let runs = Csv::read(&out.join("sweep_runs.csv"));
    let points: BTreeSet<&str> = runs.rows.iter().map(|r| r[0].as_str()).collect();
    assert!(
        points.len() <= 9,
        "bisection over 64 values ran {} points",
        points.len()
    );
    assert_eq!(runs.rows.len(), points.len() * 2, "two seeds per point");
    let sweep = Csv::read(&out.join("sweep.csv"));
    let meets = |count: &str| -> Option<String> {
        sweep
            .rows
            .iter()
            .find(|r| sweep.get(r, "params") == format!("NodePool/gpu:spec.count={count}"))
            .map(|r| sweep.get(r, "meets_targets").to_string())
    };
    assert_eq!(meets("5").as_deref(), Some("true"));
    assert_eq!(
        meets("4").as_deref(),
        Some("false"),
        "the bracket's lower end is explored"
    );
    assert_eq!(meets("64").as_deref(), Some("true"));
    let html = fs::read_to_string(out.join("report.html")).expect("report");
    assert!(
        html.contains("capacity search: simulated"),
        "the report says how much it ran"
    );
    // The target's metric has its plot.
    assert!(out.join("plots/sweep_wait_p95_s.svg").exists());
}

#[test]
fn a_grid_sweep_agrees_with_the_capacity_search_at_the_threshold() {
    let dir = TestDir::new("capacity_grid");
    let f = dir.write("threshold.yaml", THRESHOLD);
    let grid = dir.join("grid");
    run_args(&[
        "sweep",
        p(&f),
        "--set",
        "NodePool/gpu:spec.count=4..6",
        "--target",
        "wait_p95_s<=600",
        "--seeds",
        "1..2",
        "--out",
        p(&grid),
    ])
    .assert_ok();
    let g = Csv::read(&grid.join("sweep.csv"));
    // One column per swept parameter, after the fixed ones, holding the point's value.
    assert_eq!(g.header.last().map(String::as_str), Some("NodePool/gpu:spec.count"));
    assert_eq!(g.col("NodePool/gpu:spec.count"), g.col("lower_bound_runs") + 1);
    for r in &g.rows {
        assert_eq!(
            g.get(r, "params"),
            format!("NodePool/gpu:spec.count={}", g.get(r, "NodePool/gpu:spec.count"))
        );
    }
    let at = |count: &str| -> String {
        let r = g
            .rows
            .iter()
            .find(|r| {
                g.get(r, "params") == format!("NodePool/gpu:spec.count={count}") && g.get(r, "metric") == "wait_p95_s"
            })
            .expect("row");
        g.get(r, "meets_targets").to_string()
    };
    assert_eq!(
        (at("4"), at("5"), at("6")),
        ("false".into(), "true".into(), "true".into())
    );
}

#[test]
fn capacity_search_reports_a_target_no_point_meets_and_bad_sweep_flags_exit_2() {
    let dir = TestDir::new("capacity_none");
    let f = dir.write("threshold.yaml", THRESHOLD);
    let none = run_args(&[
        "sweep",
        p(&f),
        "--capacity",
        "NodePool/gpu:spec.count=1..3",
        "--target",
        "wait_p95_s<=600",
        "--out",
        p(&dir.join("none")),
    ]);
    none.assert_ok();
    assert!(none.stdout.contains("no point explored meets"), "{}", none.stdout);
    for (args, needle) in [
        (
            vec!["--set", "NodePool/nope:spec.count=1,2"],
            "no NodePool named `nope`",
        ),
        (vec!["--set", "NodePool/gpu:spec.count"], "has no `=`"),
        (vec!["--set", "NodePool/gpu:spec.count=-1,2"], "spec.count"),
        (
            vec!["--capacity", "NodePool/gpu:spec.count=1..4"],
            "needs at least one target",
        ),
        (
            vec!["--capacity", "NodePool/gpu:spec.count=1..4", "--target", "wait<=1"],
            "unknown metric",
        ),
        (vec![], "nothing to sweep"),
    ] {
        let bad = dir.join("bad");
        let mut a = vec!["sweep", p(&f), "--out", p(&bad)];
        a.extend(args.iter().copied());
        let o = run_args(&a);
        assert_eq!(o.code, Some(2), "{a:?}: {}", o.stderr);
        assert!(o.stderr.contains(needle), "{a:?}: {}", o.stderr);
        assert!(!bad.exists(), "{a:?} wrote outputs");
    }
}

#[test]
fn sweep_grids_shard_and_merge_too() {
    let dir = TestDir::new("sweep_shards");
    let f = dir.write("threshold.yaml", THRESHOLD);
    let args = [
        "--set",
        "NodePool/gpu:spec.count=2,4,6",
        "--set",
        "Arrivals/jobs:spec.every=1s,1m",
        "--seeds",
        "1..2",
        "--target",
        "jct_mean_s<=600",
    ];
    let one = dir.join("one");
    let mut a = vec!["sweep", p(&f)];
    a.extend(args);
    a.extend(["--out", p(&one)]);
    run_args(&a).assert_ok();
    let sweep = Csv::read(&one.join("sweep.csv"));
    let points: BTreeSet<&str> = sweep.rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(points.len(), 6, "3 x 2 grid: {points:?}");
    // Two parameters: a heatmap per metric, the target's metric among them; a metric that is 0
    // everywhere (and no target's) is a sentence instead.
    let html = fs::read_to_string(one.join("report.html")).expect("report");
    for metric in ["gpu_busy_util", "wait_p95_s", "jct_mean_s"] {
        let svg = fs::read_to_string(one.join(format!("plots/heatmap_{metric}.svg"))).expect(metric);
        assert!(svg.contains(">\nkube-default\n</text>"), "{metric}: a panel per policy");
        assert!(
            svg.contains(">\n6\n</text>") && svg.contains(">\n1m\n</text>"),
            "{metric}: axes"
        );
        assert!(!one.join(format!("plots/sweep_{metric}.svg")).exists());
    }
    let met = sweep.rows.iter().any(|r| sweep.get(r, "meets_targets") == "true");
    let jct = fs::read_to_string(one.join("plots/heatmap_jct_mean_s.svg")).unwrap();
    assert_eq!(jct.contains('\u{2713}'), met, "cells meeting the target are marked");
    assert!(
        one.join("plots/heatmap_deadlock_rate.svg").exists()
            || html.contains("<p class=\"note\">deadlock rate (runs) is 0 at every point under every policy.</p>")
    );
    let mut shards = Vec::new();
    for i in 0..3 {
        let d = dir.join(&format!("s{i}"));
        let spec = format!("{i}/3");
        let mut a = vec!["sweep", p(&f)];
        a.extend(args);
        a.extend(["--shard", &spec, "--out", p(&d)]);
        run_args(&a).assert_ok();
        shards.push(d);
    }
    let merged = dir.join("merged");
    run_args(&[
        "merge",
        p(&shards[0]),
        p(&shards[1]),
        p(&shards[2]),
        "--out",
        p(&merged),
    ])
    .assert_ok();
    assert_same_tree(&one, &merged);
    let cap_shard = run_args(&[
        "sweep",
        p(&f),
        "--capacity",
        "NodePool/gpu:spec.count=1..8",
        "--target",
        "wait_p95_s<=600",
        "--shard",
        "0/2",
    ]);
    assert_eq!(cap_shard.code, Some(2));
    assert!(cap_shard.stderr.contains("cannot be sharded"), "{}", cap_shard.stderr);
}

/// Tag balance of an HTML page with inline SVG: every element closed in order.
fn assert_well_formed(html: &str) {
    const VOID: &[&str] = &["meta", "br", "hr", "img", "input", "link"];
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').expect("an unclosed `<`");
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') || tag.starts_with('?') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(open, name.trim(), "mismatched close");
            continue;
        }
        let name: String = tag.chars().take_while(|c| !c.is_whitespace() && *c != '/').collect();
        if tag.ends_with('/') || VOID.contains(&name.as_str()) {
            continue;
        }
        stack.push(name);
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

#[test]
fn report_html_is_self_contained_with_every_plot_drawn() {
    let dir = TestDir::new("report");
    let f = dir.write("mixed.yaml", MIXED);
    let out = dir.join("out");
    run_args(&[
        "compare",
        p(&f),
        "--policy",
        "kube-default",
        "--policy",
        "kube-binpack",
        "--seeds",
        "1..2",
        "--out",
        p(&out),
    ])
    .assert_ok();
    let html = fs::read_to_string(out.join("report.html")).expect("report.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_well_formed(&html);
    for section in ["The question", "The scenario", "Verdict", "Paired differences", "Plots"] {
        assert!(html.contains(section), "section {section}");
    }
    assert!(html.contains("kube-binpack against kube-default over 2 paired seeds"));
    // Every table scrolls sideways inside its own box rather than being cut.
    assert_eq!(
        html.matches("<table>").count(),
        html.matches("<div class=\"scroll\"><table>").count()
    );
    assert!(html.contains(".scroll{overflow-x:auto"));
    // Nothing outside the page: no scripts, links, images, imports or URLs but SVG's namespace.
    let lower = html.to_lowercase();
    for needle in ["<script", "<link", "<img", "src=", "href", "url(", "@import"] {
        assert!(!lower.contains(needle), "report.html contains {needle}");
    }
    assert_eq!(
        lower.matches("http").count(),
        lower.matches("xmlns=\"http://www.w3.org/2000/svg\"").count(),
        "only SVG namespaces name a URL"
    );
    // A plot of nothing but zeros is a sentence instead, and no file.
    let notes = [
        (
            "stranded_gpus",
            "No GPU was held by a partial gang (stranded) in any run.",
        ),
        ("deadlock", "No run was ever deadlocked."),
    ];
    for (stem, note) in notes {
        let drawn = html.contains(&format!("<figure id=\"{stem}\">"));
        let said = html.contains(&format!("<p class=\"note\">{note}</p>"));
        assert!(drawn != said, "{stem}: a figure or its sentence");
        assert_eq!(out.join(format!("plots/{stem}.svg")).exists(), drawn, "{stem}.svg");
    }
    for stem in ["gpu_busy", "gpu_alloc", "wait_cdf", "stranded_gpus", "deadlock"] {
        let Some(start) = html.find(&format!("<figure id=\"{stem}\">")) else {
            assert!(notes.iter().any(|n| n.0 == stem), "figure {stem}");
            continue;
        };
        let fig = &html[start..start + html[start..].find("</figure>").expect("figure closed")];
        assert!(fig.contains("<svg"), "{stem}: no inline svg");
        assert!(
            fig.contains("<polyline") || fig.contains("<path"),
            "{stem}: nothing drawn"
        );
        let svg = fs::read_to_string(out.join(format!("plots/{stem}.svg"))).expect("svg file");
        assert!(fig.contains(svg.trim()), "{stem}: the inline svg is the file's");
        // One legend, in its own group after the plot (outside the plotting area: the plot
        // module's tests check the boxes); the policies keep their plan colours.
        assert_eq!(svg.matches("<g class=\"legend\">").count(), 1, "{stem}: legend group");
        assert!(
            svg.contains("#0072B2") && svg.contains("#E69F00"),
            "{stem}: policy colours"
        );
        let png = fs::read(out.join(format!("plots/{stem}.png"))).expect("png file");
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 2000, "{stem}.png");
    }
}

#[test]
fn deploy_manifests_are_valid_jobs_that_shard_by_their_index() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy");
    for (file, index_var) in [
        ("kubernetes/sweep-indexed-job.yaml", "${JOB_COMPLETION_INDEX}"),
        ("kubernetes/merge-job.yaml", ""),
    ] {
        let path = root.join(file);
        let o = run_args(&["validate", p(&path)]);
        o.assert_ok();
        let text = fs::read_to_string(&path).expect("manifest");
        if !index_var.is_empty() {
            assert!(text.contains("completionMode: Indexed"), "{file}");
            assert!(text.contains(&format!("--shard \"{index_var}/${{SHARDS}}\"")), "{file}");
        } else {
            assert!(text.contains("kubesim merge /results/shard-*"), "{file}");
        }
    }
    let script = root.join("slurm/sweep-array.sh");
    let status = Command::new("bash").arg("-n").arg(&script).status().expect("bash");
    assert!(status.success(), "bash -n {}", script.display());
    let text = fs::read_to_string(&script).expect("script");
    assert!(text.contains("--shard \"${SLURM_ARRAY_TASK_ID}/${SHARDS}\""));
    assert!(
        text.contains("#SBATCH --array=0-7") && text.contains("SHARDS=8"),
        "array size and shard count agree"
    );
    // The scenario and the sweep flags they run are accepted (one seed, two of the points).
    let out = std::env::temp_dir().join(format!("kubesim-deploy-{}", std::process::id()));
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/gang-contention.yaml");
    let o = run_args(&[
        "sweep",
        p(&scenario),
        "--set",
        "NodePool/gpu:spec.count=8..12:4",
        "--seeds",
        "1..1",
        "--policy",
        "kube-default",
        "--shard",
        "0/8",
        "--out",
        p(&out),
    ]);
    o.assert_ok();
    let _ = fs::remove_dir_all(&out);
}

/// A stream of Jobs faster than the Job controller's client gets through (10 single-pod Jobs a
/// second against under 3 at 20 QPS: each takes seven writes, a create and its event, a status
/// update, then the uncounted pod's status update, its finalizer patch, the status update with
/// the condition and the `Completed` event) queues in the controller: the syncs wait for its
/// busy workers, and the note says so. The bucket is never idle and its 4,200 writes end at
/// token 4,200; the last Job's `Complete` takes token 4,198: (4,198 - 30) x 50 ms = 208.40 s,
/// followed by the `Completed` events of the Job before it and its own. (The sync that counts a
/// Job's finished pod is the one its pod's start asked for, a batch period later, when its 1 s
/// run has just ended; it finds status.ready unchanged, 0, so no Job writes an eighth time.)
#[test]
fn a_job_stream_beyond_the_controllers_client_is_noted() {
    let dir = TestDir::new("job-stream");
    let y = "apiVersion: v1\nkind: Node\nmetadata: {name: n0}\nstatus: {allocatable: {cpu: \"64\", memory: 64Gi, pods: \"110\"}}\n---\napiVersion: kubesim.io/v1alpha1\nkind: Arrivals\nmetadata: {name: a}\nspec:\n  count: 600\n  every: 100ms\n  template:\n    apiVersion: batch/v1\n    kind: Job\n    metadata: {name: j, annotations: {kubesim.io/duration: 1s}}\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: c, image: x, resources: {requests: {cpu: 100m}}}]\n";
    let f = dir.write("s.yaml", y);
    let out = run_args(&["run", p(&f), "--out", p(&dir.join("out"))]);
    out.assert_ok();
    let longest: f64 = out
        .stderr
        .split_once("kube-controller-manager's API writes waited")
        .and_then(|(_, after)| after.split_once("up to ")?.1.split(' ').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no note: {}", out.stderr));
    assert!(longest >= 1.0, "{}", out.stderr);
    let jobs = fs::read_to_string(dir.join("out/jobs.csv")).expect("jobs.csv");
    let last_finish = jobs
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(12)?.parse::<f64>().ok())
        .fold(0.0, f64::max);
    assert_eq!(last_finish, 208.4);
}

/// A run whose writes wait a second or more for an API client's rate limit says so on stderr,
/// naming the client's `clientRateLimits` key; with the limits off it says nothing. A 100-pod
/// Job at 20 QPS / burst 30 (token n due at (n - 30) x 50 ms): 15 creates and their events go
/// at 0, and the longest wait is the last create of the batch of 32, issued at 0.8 s when the
/// batch of 16 was sent, which takes token 88 (2.9 s): 2.1 s (the semantics test of slow start
/// derives the tokens).
#[test]
fn throttled_clients_are_noted() {
    let dir = TestDir::new("throttled");
    let job = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: wide, annotations: {kubesim.io/duration: 1m}}\nspec:\n  completions: 100\n  parallelism: 100\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: x, resources: {requests: {cpu: 100m}}}]\n---\napiVersion: v1\nkind: Node\nmetadata: {name: n0}\nstatus: {allocatable: {cpu: \"64\", memory: 64Gi, pods: \"110\"}}\n";
    let sim = |spec: &str| {
        format!(
            "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: t}}\nspec: {{{spec}}}\n---\n{job}"
        )
    };
    let on = dir.write("on.yaml", &sim(""));
    let out = run_args(&["run", p(&on), "--out", p(&dir.join("on"))]);
    out.assert_ok();
    let waited: u32 = out
        .stderr
        .split_once(" of kube-controller-manager's API writes waited")
        .and_then(|(before, _)| before.rsplit(' ').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no note: {}", out.stderr));
    assert!(waited >= 71, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("(20 QPS, burst 30: the component's default), up to 2.1 s each")
            && out.stderr.contains("clientRateLimits.kube-controller-manager"),
        "{}",
        out.stderr
    );
    let off = dir.write("off.yaml", &sim("clientRateLimits: {enabled: false}"));
    let out = run_args(&["run", p(&off), "--out", p(&dir.join("off"))]);
    out.assert_ok();
    assert!(!out.stderr.contains("clientRateLimits"), "{}", out.stderr);
}
