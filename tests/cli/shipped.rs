//! What ships with kubesim: the seed manifests (each validates; all together run on a GPU
//! cluster; they are in `../shared`, not in this repository, so these tests skip in a clone
//! without it) and the built-in demo.

use super::experiments::{p, run_args};
use super::*;

/// The seed manifests, or None when `../shared/manifests/seed` is absent (the test returns).
fn seed_files() -> Option<Vec<PathBuf>> {
    let dir = common::shared_path("manifests/seed")?;
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    Some(files)
}

/// 4 A100 nodes: a NodePool of three of 16 GPUs (a100-0..2) and a fourth of 8, a100-3, tainted
/// `nvidia.com/gpu=present:NoSchedule` (a NodePool copies one template, so the tainted node is
/// a Node of its own).
const GPU_CLUSTER: &str = "\
apiVersion: kubesim.io/v1alpha1
kind: Simulation
metadata: {name: seed-manifests}
spec:
  horizon: 2h
---
apiVersion: kubesim.io/v1alpha1
kind: NodePool
metadata: {name: a100}
spec:
  count: 3
  template:
    apiVersion: v1
    kind: Node
    metadata:
      name: a100
      labels: {gpu-type: A100}
    status:
      allocatable: {cpu: \"192\", memory: 2Ti, nvidia.com/gpu: \"16\", pods: \"110\"}
---
apiVersion: v1
kind: Node
metadata:
  name: a100-3
  labels: {gpu-type: A100}
spec:
  taints:
  - {key: nvidia.com/gpu, value: present, effect: NoSchedule}
status:
  allocatable: {cpu: \"96\", memory: 1Ti, nvidia.com/gpu: \"8\", pods: \"110\"}
";

#[test]
fn every_seed_manifest_validates() {
    let Some(files) = seed_files() else { return };
    assert_eq!(files.len(), 17, "{files:?}");
    for f in &files {
        let out = kubesim([OsStr::new("validate"), f.as_os_str()], None, &[]);
        out.assert_ok();
        assert!(
            out.stdout.lines().next().is_some_and(|l| l.ends_with(": valid")),
            "{}: {}",
            f.display(),
            out.stdout
        );
    }
}

// Every policy runs the seed manifests together (queues, priority classes, quota and limit
// range loaded and applied where they apply).
#[test]
fn all_seed_manifests_run_together_under_every_policy() {
    let Some(seeds) = seed_files() else { return };
    let dir = TestDir::new("seed_all_policies");
    let cluster = dir.write("cluster.yaml", GPU_CLUSTER);
    let out_dir = dir.join("out");
    let mut args: Vec<PathBuf> = vec!["compare".into()];
    args.extend(seeds);
    args.push(cluster);
    let policies = [
        "kube-default",
        "kube-binpack",
        "coscheduling",
        "volcano",
        "volcano-preempt",
        "kueue",
    ];
    for p in policies {
        args.extend(["--policy".into(), p.into()]);
    }
    args.extend(["--seeds".into(), "1..2".into(), "--out".into(), out_dir.clone()]);
    let out = kubesim(&args, None, &[]);
    out.assert_ok();
    let summary = Csv::read(&out_dir.join("summary.csv"));
    let got: Vec<&str> = summary.rows.iter().map(|r| summary.get(r, "policy")).collect();
    let want: Vec<&str> = policies.iter().flat_map(|p| [*p, *p]).collect();
    assert_eq!(got, want);
    let queues = Csv::read(&out_dir.join("queues.csv"));
    assert!(
        queues.rows.iter().any(|r| queues.get(r, "policy") == "volcano-preempt"),
        "queue rows for every policy"
    );
}

#[test]
fn all_seed_manifests_run_together_on_a_gpu_cluster() {
    let Some(seeds) = seed_files() else { return };
    let dir = TestDir::new("seed_run");
    let cluster = dir.write("cluster.yaml", GPU_CLUSTER);
    let out_dir = dir.join("out");
    let mut args: Vec<PathBuf> = vec!["run".into()];
    args.extend(seeds);
    args.push(cluster);
    args.extend(["--events".into(), "--out".into(), out_dir.clone()]);
    let out = kubesim(&args, None, &[]);
    out.assert_ok();
    check_outputs(&out_dir, true);

    let jobs = Csv::read(&out_dir.join("jobs.csv"));
    for name in [
        "model-training",
        "batch-inference-daily",
        "production-model-training",
        "gpu-training",
    ] {
        let row = jobs.row_named(name);
        assert_eq!(jobs.get(row, "namespace"), "default", "{row:?}");
        assert_eq!(jobs.get(row, "kind"), "Job", "{row:?}");
        // Nothing keeps these four from running: 7 GPUs asked, and the Volcano jobs 26 more,
        // of 48 untainted GPUs.
        assert_ne!(jobs.get(row, "state"), "Pending", "{row:?}");
        assert_ne!(jobs.get(row, "state"), "Rejected", "{row:?}");
    }
    // No duration hint: the pods run to the 2 h horizon.
    let gpu = jobs.row_named("gpu-training");
    assert_eq!(jobs.get(gpu, "state"), "Running", "{gpu:?}");
    assert_eq!(jobs.get(gpu, "start_s"), "0.000", "{gpu:?}");
    // 11 names the high-priority class of 10; the others get 10's global default.
    assert_eq!(
        jobs.get(jobs.row_named("production-model-training"), "priority"),
        "1000000"
    );
    assert_eq!(jobs.get(jobs.row_named("model-training"), "priority"), "10000");
    assert_eq!(jobs.get(jobs.row_named("production-model-training"), "gpus"), "4");

    // The taint keeps every pod that does not tolerate it off a100-3.
    let events = Csv::read(&out_dir.join("events.csv"));
    for r in &events.rows {
        if events.get(r, "event") == "PodBound" && events.get(r, "detail") == "a100-3" {
            assert!(
                events.get(r, "object").starts_with("default/gpu-training-"),
                "a pod that does not tolerate the taint is bound to a100-3: {r:?}"
            );
        }
    }

    // The four CronJobs are simulated: in these 2 h (from Monday 00:00) only the hourly one fires,
    // at 01:00 (+100 ms requeue); the nightly one's first time is the next midnight, the weekly
    // ones are on Sunday.
    let cron = Csv::read(&out_dir.join("cronjobs.csv"));
    let started = |name: &str| -> String {
        let r = cron
            .rows
            .iter()
            .find(|r| cron.get(r, "cronjob") == name)
            .unwrap_or_else(|| panic!("no cronjobs.csv row for {name}"));
        cron.get(r, "started").to_string()
    };
    assert_eq!(cron.rows.len(), 4);
    assert_eq!(started("feature-generation-hourly"), "1");
    for name in [
        "weekly-model-retrain",
        "nightly-batch-inference",
        "arr-coc-weekly-retrain",
    ] {
        assert_eq!(started(name), "0", "{name}");
    }
    let jobs = Csv::read(&out_dir.join("jobs.csv"));
    let hourly: Vec<&Vec<String>> = jobs
        .rows
        .iter()
        .filter(|r| jobs.get(r, "owner") == "feature-generation-hourly")
        .collect();
    assert_eq!(hourly.len(), 1);
    assert_eq!(jobs.get(hourly[0], "name"), "feature-generation-hourly-29459580");
    assert_eq!(jobs.get(hourly[0], "submit_s"), "3600.100");
}

#[test]
fn seed_job_15_tolerates_the_gpu_taint() {
    // Only the tainted node: gpu-training (15, tolerates it) runs there; model-training (01,
    // no toleration) can never be placed.
    let Some(seeds) = seed_files() else { return };
    let dir = TestDir::new("seed_taint");
    let start = GPU_CLUSTER
        .find("---\napiVersion: v1\nkind: Node")
        .expect("tainted node");
    let cluster = format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: taint}}\nspec:\n  horizon: 1h\n{}",
        &GPU_CLUSTER[start..]
    );
    let cluster = dir.write("tainted.yaml", &cluster);
    let pick = |prefix: &str| {
        seeds
            .iter()
            .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(prefix)))
            .expect("seed manifest")
            .clone()
    };
    let out_dir = dir.join("out");
    let args: Vec<PathBuf> = vec![
        "run".into(),
        pick("01-"),
        pick("15-"),
        cluster,
        "--events".into(),
        "--out".into(),
        out_dir.clone(),
    ];
    kubesim(&args, None, &[]).assert_ok();
    let jobs = Csv::read(&out_dir.join("jobs.csv"));
    let gpu = jobs.row_named("gpu-training");
    assert_eq!(jobs.get(gpu, "state"), "Running", "{gpu:?}");
    let model = jobs.row_named("model-training");
    assert_eq!(jobs.get(model, "state"), "Pending", "{model:?}");
    assert_eq!(jobs.get(model, "reason"), "Unschedulable", "{model:?}");
    let events = Csv::read(&out_dir.join("events.csv"));
    let bound: Vec<(&str, &str)> = events
        .rows
        .iter()
        .filter(|r| events.get(r, "event") == "PodBound")
        .map(|r| (events.get(r, "object"), events.get(r, "detail")))
        .collect();
    assert_eq!(bound, [("default/gpu-training-0", "a100-3")]);
}

// -------------------------------------------------------------------------------------------------
// The built-in demo.

#[test]
fn demo_runs_with_no_arguments_and_prints_a_line_per_policy() {
    let demo = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/gang-contention.yaml"))
        .expect("gang-contention.yaml");
    let policies: Vec<String> = demo
        .lines()
        .find_map(|l| l.trim().strip_prefix("policies:"))
        .and_then(|v| v.trim().strip_prefix('[')?.strip_suffix(']').map(str::to_string))
        .expect("a `policies: [..]` line in scenarios/gang-contention.yaml")
        .split(',')
        .map(|p| p.trim().to_string())
        .collect();
    assert!(!policies.is_empty());

    let dir = TestDir::new("demo");
    let out = kubesim(Vec::<&str>::new(), Some(&dir.path), &[]);
    out.assert_ok();
    for p in &policies {
        let lines = out
            .stdout
            .lines()
            .filter(|l| {
                let mut w = l.split_whitespace();
                w.next() == Some(p.as_str()) && w.next() == Some("10")
            })
            .count();
        assert_eq!(lines, 1, "table lines for policy {p}:\n{}", out.stdout);
    }
    // Its reports go under the current folder.
    let reports = dir.join("reports/demo");
    let jobs = Csv::read(&reports.join("jobs.csv"));
    let seen: BTreeSet<&str> = jobs.rows.iter().map(|r| r[0].as_str()).collect();
    let want: BTreeSet<&str> = policies.iter().map(String::as_str).collect();
    assert_eq!(seen, want);
    check_outputs(&reports, false);
    // It compares: paired differences against the first policy, and a report.
    for p in &policies[1..] {
        assert!(
            out.stdout.contains(&format!("{p} vs {} (10 seeds", policies[0])),
            "{}",
            out.stdout
        );
    }
    assert!(reports.join("comparison.csv").exists() && reports.join("report.html").exists());
}

/// The report of a shipped Kueue and Volcano scenario: Kueue's ClusterQueues show their nominal
/// GPU quota's share of the quotas, Volcano's queues their weight's share.
#[test]
fn queue_shares_read_as_nominal_quota_under_kueue_and_weight_under_volcano() {
    let dir = TestDir::new("shipped_shares");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/multi-tenant.yaml");
    let out = dir.join("out");
    let args = ["compare", p(&scenario), "--policy", "volcano", "--policy", "kueue"];
    run_args(&[&args[..], &["--seeds", "1..1", "--out", p(&out)]].concat()).assert_ok();
    let q = Csv::read(&out.join("queues.csv"));
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let kueue: Vec<_> = q.rows.iter().filter(|r| q.get(r, "policy") == "kueue").collect();
    let quota: f64 = kueue
        .iter()
        .map(|r| q.get(r, "deserved_gpus").parse::<f64>().unwrap())
        .sum();
    assert!(quota > 0.0 && kueue.len() > 1);
    for r in &q.rows {
        let (policy, queue) = (q.get(r, "policy"), q.get(r, "queue"));
        let share = if policy == "kueue" {
            format!(
                "{:.1}% (nominal quota)",
                q.get(r, "deserved_gpus").parse::<f64>().unwrap() / quota * 100.0
            )
        } else {
            format!(
                "{:.1}% (weight)",
                q.get(r, "weight_share").parse::<f64>().unwrap() * 100.0
            )
        };
        let cells = format!("<tr><td>{policy}</td><td>{queue}</td><td>{share}</td>");
        assert!(html.contains(&cells), "{cells}");
    }
}

/// A CronJob scenario's verdict counts its skipped and late runs (cronjobs.csv summed).
#[test]
fn a_cron_scenario_verdict_counts_skipped_and_late_runs() {
    let dir = TestDir::new("shipped_cron_verdict");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/cron-week.yaml");
    let out = dir.join("out");
    let o = run_args(&["run", p(&scenario), "--out", p(&out)]);
    o.assert_ok();
    let c = Csv::read(&out.join("cronjobs.csv"));
    let sum = |col: &str| -> u64 { c.rows.iter().map(|r| c.get(r, col).parse::<u64>().unwrap()).sum() };
    let skipped = sum("skipped_forbid") + sum("skipped_deadline") + sum("skipped_suspended");
    assert!(skipped > 0 && sum("late_runs") > 0, "the scenario skips and runs late");
    let policy = c.get(&c.rows[0], "policy");
    let sentence = format!(
        "{policy}: its {} CronJobs started {} Jobs; {skipped} scheduled times were skipped",
        c.rows.len(),
        sum("started")
    );
    let late = format!("and {} Jobs started more than 1 s late", sum("late_runs"));
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    for text in [&o.stdout, &html] {
        assert!(
            text.contains(&sentence) && text.contains(&late),
            "{sentence} ... {late}"
        );
    }
}
