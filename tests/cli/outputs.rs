//! Outputs (contract.md section 3): headers, times and exact numbers for a case computed by
//! hand, the default output folder, and a self-contained report.html.

use super::*;

#[test]
fn outputs_follow_the_contract_with_hand_computed_numbers() {
    let dir = TestDir::new("outputs");
    let f = dir.write("tiny.yaml", TINY);
    let out_dir = dir.join("out");
    let out = kubesim(
        [
            OsStr::new("run"),
            f.as_os_str(),
            OsStr::new("--events"),
            OsStr::new("--out"),
            out_dir.as_os_str(),
        ],
        None,
        &[],
    );
    out.assert_ok();
    assert!(out.stdout.contains("kube-default"), "table:\n{}", out.stdout);
    assert_eq!(check_outputs(&out_dir, true), 1);

    check_tiny_jobs(&out_dir);
    check_tiny_events(&out_dir);
    check_tiny_summary(&out_dir);
}

/// TINY's jobs.csv row, computed by hand.
fn check_tiny_jobs(out_dir: &Path) {
    // Pod two-0 runs 0-60 s; the Job controller syncs 1 s after the pod event (jobSyncBatch)
    // and creates two-1 at 61 s, which runs to 121 s; the Job completes at the next sync, 122 s.
    let jobs = Csv::read(&out_dir.join("jobs.csv"));
    let row = jobs.row_named("two");
    let expect = [
        ("policy", "kube-default"),
        ("seed", "1"),
        ("namespace", "default"),
        ("kind", "Job"),
        ("owner", ""),
        ("gpus", "1"),
        ("pods", "1"),
        ("submit_s", "0.000"),
        ("start_s", "0.000"),
        ("finish_s", "122.000"),
        ("state", "Complete"),
        ("reason", ""),
        ("wait_s", "0.000"),
        ("jct_s", "122.000"),
        ("restarts", "0"),
        ("failed_pods", "0"),
        ("preemptions", "0"),
    ];
    for (c, v) in expect {
        assert_eq!(jobs.get(row, c), v, "jobs.csv {c}: {row:?}");
    }
}

/// TINY's events.csv: each event at its hand-computed time, in time order.
fn check_tiny_events(out_dir: &Path) {
    let events = Csv::read(&out_dir.join("events.csv"));
    let at = |object: &str, event: &str| -> Vec<String> {
        events
            .rows
            .iter()
            .filter(|r| events.get(r, "object") == object && events.get(r, "event") == event)
            .map(|r| events.get(r, "time_s").to_string())
            .collect()
    };
    assert_eq!(at("default/two", "JobCreated"), ["0.000"]);
    assert_eq!(at("default/two-0", "PodRunning"), ["0.000"]);
    assert_eq!(at("default/two-0", "PodSucceeded"), ["60.000"]);
    assert_eq!(at("default/two-1", "PodCreated"), ["61.000"]);
    assert_eq!(at("default/two-1", "PodRunning"), ["61.000"]);
    assert_eq!(at("default/two-1", "PodSucceeded"), ["121.000"]);
    assert_eq!(at("default/two", "JobComplete"), ["122.000"]);
    let bound: Vec<&str> = events
        .rows
        .iter()
        .filter(|r| events.get(r, "event") == "PodBound")
        .map(|r| events.get(r, "detail"))
        .collect();
    assert_eq!(bound, ["n0", "n0"], "PodBound detail is the node");
    assert!(events.rows.iter().all(|r| r[0] == "kube-default" && r[1] == "1"));
    let times: Vec<u64> = events
        .rows
        .iter()
        .map(|r| ms(events.get(r, "time_s"), "time_s"))
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "events out of time order: {times:?}"
    );
}

/// TINY's summary.csv row, computed by hand.
fn check_tiny_summary(out_dir: &Path) {
    // GPU-seconds held: (60 + 60) x 1 GPU; capacity 8 GPUs x 200 s: 120 / 1600 = 0.075.
    let summary = Csv::read(&out_dir.join("summary.csv"));
    assert_eq!(summary.rows.len(), 1);
    let s = &summary.rows[0];
    let util = |c: &str| -> f64 { summary.get(s, c).parse().unwrap_or_else(|e| panic!("{c}: {e}")) };
    assert!((util("gpu_alloc_util") - 0.075).abs() < 1e-6, "{s:?}");
    assert!((util("gpu_busy_util") - 0.075).abs() < 1e-6, "{s:?}");
    let expect = [
        ("policy", "kube-default"),
        ("seed", "1"),
        ("wait_p50_s", "0.000"),
        ("wait_p95_s", "0.000"),
        ("wait_p99_s", "0.000"),
        ("wait_mean_s", "0.000"),
        ("jct_mean_s", "122.000"),
        ("jct_p99_s", "122.000"),
        ("makespan_s", "122.000"),
        ("jobs_complete", "1"),
        ("jobs_failed", "0"),
        ("jobs_pending", "0"),
        ("preemptions", "0"),
        ("deadlock_episodes", "0"),
        ("deadlock_s", "0.000"),
    ];
    for (c, v) in expect {
        assert_eq!(summary.get(s, c), v, "summary.csv {c}: {s:?}");
    }
    assert!(util("stranded_gpu_h").abs() < 1e-9, "{s:?}");
}

#[test]
fn default_out_is_reports_simulation_name_and_events_need_the_flag() {
    let dir = TestDir::new("default_out");
    let f = dir.write("tiny.yaml", TINY);
    let out = kubesim([OsStr::new("run"), f.as_os_str()], Some(&dir.path), &[]);
    out.assert_ok();
    let reports = dir.join("reports/tiny");
    assert_eq!(check_outputs(&reports, false), 1);
    assert!(
        out.stdout.contains("jobs.csv") && out.stdout.contains("summary.csv"),
        "{}",
        out.stdout
    );
}

// Object names are Kubernetes names (DNS-1123 subdomains), so the default output folder
// `reports/<simulation name>` cannot escape reports/.
#[test]
fn simulation_name_must_be_a_kubernetes_name() {
    let dir = TestDir::new("simulation_name");
    let text = "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: \"../../escaped\"}\n";
    let f = dir.write("sim.yaml", text);
    let work = dir.join("work");
    fs::create_dir_all(&work).expect("work dir");
    let out = kubesim([OsStr::new("run"), f.as_os_str()], Some(&work), &[]);
    let escaped = dir.join("escaped");
    assert!(
        !escaped.exists(),
        "outputs written outside reports/: {}",
        escaped.display()
    );
    let at = format!("{}:{}:", f.display(), line_of(text, "name:"));
    assert_input_error("name ../../escaped", &out, &[at, "metadata.name".into()]);
}

#[test]
fn run_writes_a_self_contained_report_html() {
    let dir = TestDir::new("report_html");
    let f = dir.write("tiny.yaml", TINY);
    let out_dir = dir.join("out");
    kubesim(
        [
            OsStr::new("run"),
            f.as_os_str(),
            OsStr::new("--out"),
            out_dir.as_os_str(),
        ],
        None,
        &[],
    )
    .assert_ok();
    let html = fs::read_to_string(out_dir.join("report.html")).expect("report.html written");
    assert!(html.contains("<html") && html.contains("kube-default"));
    check_outputs(&out_dir, false);
}

#[test]
fn field_metrics_by_hand_and_no_gpu_outputs_for_a_cpu_only_cluster() {
    let dir = TestDir::new("field_metrics");
    let f = dir.write("hand.yaml", common::HAND);
    let out = dir.join("out");
    let o = kubesim(
        [
            OsStr::new("compare"),
            f.as_os_str(),
            OsStr::new("--policy"),
            OsStr::new("kube-default"),
            OsStr::new("--policy"),
            OsStr::new("kube-binpack"),
            OsStr::new("--seeds"),
            OsStr::new("1..2"),
            OsStr::new("--out"),
            out.as_os_str(),
        ],
        None,
        &[],
    );
    o.assert_ok();
    check_outputs(&out, false);
    // The terminal shows the CPUs' utilization, not the GPUs'.
    assert!(
        o.stdout.contains("cpu_busy") && !o.stdout.contains("gpu_busy"),
        "{}",
        o.stdout
    );
    // By hand (tests/metrics.rs): slowdowns 1, 21, 3.75 and 1 for the pod that never started;
    // bounded 1, 10.5, 3.75, 1; cpu 500 of 800 core-seconds, memory 125 of 1,600 GiB-seconds;
    // Jain over the two namespaces 1.5625 / 2.125.
    let summary = Csv::read(&out.join("summary.csv"));
    assert_eq!(summary.rows.len(), 4);
    for row in &summary.rows {
        for (c, v) in [
            ("cpu_alloc_util", "0.625000"),
            ("cpu_busy_util", "0.625000"),
            ("memory_alloc_util", "0.078125"),
            ("memory_busy_util", "0.078125"),
            ("slowdown_mean", "6.687500"),
            ("bsld_mean", "4.062500"),
            ("bsld_p95", "10.500000"),
            ("jain_fairness", "0.735294"),
            ("not_started", "1"),
        ] {
            assert_eq!(summary.get(row, c), v, "summary.csv {c}");
        }
        assert!(
            summary
                .get(row, "lower_bounds")
                .ends_with("slowdown_mean bsld_mean bsld_p95"),
            "{row:?}"
        );
    }
    let resources = Csv::read(&out.join("resources.csv"));
    assert_eq!(
        resources.header.join(","),
        "policy,seed,resource,unit,capacity_h,alloc_h,busy_h,alloc_util,busy_util"
    );
    let first: Vec<String> = resources.rows.iter().take(2).map(|r| r[2..].join(",")).collect();
    assert_eq!(
        first,
        [
            "cpu,cores,0.222222,0.138889,0.138889,0.625000,0.625000",
            "memory,GiB,0.444444,0.034722,0.034722,0.078125,0.078125"
        ],
        "4 cores x 200 s = 0.2222 core-hours; no GPU row"
    );
    assert_eq!(resources.rows.len(), 8, "cpu and memory per run");
    // No GPU metric in the comparison, the new ones are there.
    let cmp = Csv::read(&out.join("comparison.csv"));
    let metrics: BTreeSet<String> = cmp.rows.iter().map(|r| cmp.get(r, "metric").to_string()).collect();
    for gone in ["gpu_busy_util", "gpu_alloc_util", "stranded_gpu_h", "gpu_h_lost"] {
        assert!(!metrics.contains(gone), "{gone} compared on a cluster without GPUs");
    }
    for present in [
        "cpu_busy_util",
        "memory_alloc_util",
        "slowdown_mean",
        "bsld_mean",
        "bsld_p95",
        "jain_fairness",
    ] {
        assert!(metrics.contains(present), "{present} missing from comparison.csv");
    }
    // The CPU time series by hand: the node's 4 cores are held 0-125 s (a1 100 s, b1 5 s,
    // b2 20 s, one after another), so the 60 s buckets hold 4, 4, 5/60 x 4 = 0.333 and, over
    // the 20 s left to the 200 s horizon, 0 cores.
    let series = Csv::read(&out.join("timeseries.csv"));
    let first_run: Vec<String> = series
        .rows
        .iter()
        .filter(|r| series.get(r, "policy") == "kube-default" && series.get(r, "seed") == "1")
        .map(|r| {
            ["t_s", "width_s", "cpus", "alloc_cpus", "busy_cpus"]
                .map(|c| series.get(r, c))
                .join(",")
        })
        .collect();
    assert_eq!(
        first_run,
        [
            "0.000,60.000,4.000,4.000,4.000",
            "60.000,60.000,4.000,4.000,4.000",
            "120.000,60.000,4.000,0.333,0.333",
            "180.000,20.000,4.000,0.000,0.000"
        ]
    );
    // No GPU plot; the CPUs' busy and allocated time series instead.
    let plots = files_in(&out.join("plots"));
    assert!(plots.iter().all(|p| !p.contains("gpu")), "{plots:?}");
    for p in ["cpu_busy.svg", "cpu_alloc.svg"] {
        assert!(plots.iter().any(|f| f == p), "{p} missing: {plots:?}");
    }
    let html = fs::read_to_string(out.join("report.html")).expect("report.html");
    assert!(!html.contains("GPU busy") && html.contains("CPU busy utilization"));
}

/// Half the workloads never start (issue 15): one 4-core node, four 4-core pods of 100 s
/// submitted at 0, a 150 s horizon. p1 waits 0 s, p2 100 s; p3 and p4 are still waiting at
/// 150 s: censored waits. By hand (Kaplan-Meier): S(0) = 3/4, S(100) = 3/4 x 2/3 = 1/2, and S
/// stays 1/2 to 150 s. Median 100 s; p95 beyond the data: >= 150 s; restricted mean
/// 0 x 1 + 100 x 3/4 + 50 x 1/2 = 100 s, a lower bound (dropping p3 and p4 would say 50 s).
/// Completion times: p1 100 s, the others censored at 150 s: S(100) = 3/4, restricted mean
/// 100 + 50 x 3/4 = 137.5 s, a bound; makespan at least the end.
#[test]
fn half_the_workloads_never_start_and_their_waits_are_censored() {
    let mut text = String::from(
        "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus: {allocatable: {cpu: \"4\", memory: 8Gi, pods: \"110\"}}\n",
    );
    for i in 1..=4 {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, annotations: {{kubesim.io/duration: 100s}}}}\n\
             spec: {{restartPolicy: Never, containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"4\"}}}}}}]}}\n"
        ));
    }
    text.push_str(
        "---\napiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: half}\nspec: {horizon: 150s, policies: [kube-default]}\n",
    );
    let dir = TestDir::new("half_censored");
    let f = dir.write("half.yaml", &text);
    let out = dir.join("out");
    let o = kubesim(
        [OsStr::new("run"), f.as_os_str(), OsStr::new("--out"), out.as_os_str()],
        None,
        &[],
    );
    o.assert_ok();
    let jobs = Csv::read(&out.join("jobs.csv"));
    let waits: Vec<&str> = jobs.rows.iter().map(|r| jobs.get(r, "wait_s")).collect();
    assert_eq!(waits, ["0.000", "100.000", "", ""], "the schedule the numbers rest on");
    let summary = Csv::read(&out.join("summary.csv"));
    let row = &summary.rows[0];
    for (c, v) in [
        ("wait_p50_s", "100.000"),
        ("wait_p95_s", "150.000"),
        ("wait_p99_s", "150.000"),
        ("wait_mean_s", "100.000"),
        ("jct_mean_s", "137.500"),
        ("jct_p99_s", "150.000"),
        ("makespan_s", "150.000"),
        ("not_started", "2"),
        ("unfinished", "3"),
    ] {
        assert_eq!(summary.get(row, c), v, "summary.csv {c}");
    }
    let bounds: BTreeSet<&str> = summary.get(row, "lower_bounds").split(' ').collect();
    for c in [
        "wait_p95_s",
        "wait_p99_s",
        "wait_mean_s",
        "jct_mean_s",
        "jct_p99_s",
        "makespan_s",
    ] {
        assert!(bounds.contains(c), "{c} is a lower bound: {bounds:?}");
    }
    assert!(!bounds.contains("wait_p50_s"), "the median is observed: {bounds:?}");
    // The terminal marks the bounds, and the wait CDF's legend gives the censored share.
    assert!(o.stdout.contains(">="), "{}", o.stdout);
    let html = fs::read_to_string(out.join("report.html")).expect("report.html");
    assert!(
        html.contains("(50.0% never started)"),
        "the CDF legend names the censored share"
    );
}

/// A sweep of a CPU-only cluster lists no GPU metric in sweep.csv, as comparison.csv does not.
#[test]
fn a_cpu_only_sweep_lists_no_gpu_metric() {
    let dir = TestDir::new("cpu_sweep");
    let f = dir.write("hand.yaml", common::HAND);
    let out = dir.join("out");
    let o = kubesim(
        [
            "sweep",
            f.to_str().expect("utf-8 path"),
            "--set",
            "Node/n1:status.allocatable.cpu=4,8",
            "--out",
            out.to_str().expect("utf-8 path"),
        ]
        .map(OsStr::new),
        None,
        &[],
    );
    o.assert_ok();
    let sweep = Csv::read(&out.join("sweep.csv"));
    let metrics: BTreeSet<&str> = sweep.rows.iter().map(|r| sweep.get(r, "metric")).collect();
    assert!(
        metrics.contains("cpu_busy_util") && metrics.contains("deadlock_rate"),
        "{metrics:?}"
    );
    for gone in ["gpu_busy_util", "gpu_alloc_util", "stranded_gpu_h", "gpu_h_lost"] {
        assert!(!metrics.contains(gone), "{gone} in the sweep of a cluster without GPUs");
    }
}

/// A scenario with a Job and two JobSets of 2 Jobs x 1 pod on one 2-CPU node: the Job runs
/// 0-60 s; the first JobSet (2 CPUs), submitted at 1 s, waits for it and starts at 60 s; the
/// second asks for 4 CPUs per pod and never starts.
const KINDS: &str = "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: kinds}\nspec: {horizon: 1h}\n---\napiVersion: v1\nkind: Node\nmetadata: {name: node-a}\nstatus: {allocatable: {cpu: \"2\", memory: 8Gi, pods: \"110\"}}\n---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: j, annotations: {kubesim.io/duration: 60s}}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: x, resources: {requests: {cpu: \"2\"}}}]\n---\napiVersion: jobset.x-k8s.io/v1alpha2\nkind: JobSet\nmetadata: {name: fits, annotations: {kubesim.io/duration: 60s, kubesim.io/submit-at: 1s}}\nspec:\n  replicatedJobs:\n  - name: w\n    replicas: 2\n    template:\n      spec:\n        template:\n          spec:\n            containers: [{name: c, image: x, resources: {requests: {cpu: \"1\"}}}]\n---\napiVersion: jobset.x-k8s.io/v1alpha2\nkind: JobSet\nmetadata: {name: too-big, annotations: {kubesim.io/duration: 60s}}\nspec:\n  replicatedJobs:\n  - name: w\n    replicas: 2\n    template:\n      spec:\n        template:\n          spec:\n            containers: [{name: c, image: x, resources: {requests: {cpu: \"4\"}}}]\n";

#[test]
fn the_report_groups_workloads_by_kind_with_censored_waits_as_lower_bounds() {
    let dir = TestDir::new("kinds");
    let f = dir.write("kinds.yaml", KINDS);
    let out_dir = dir.join("out");
    let out = kubesim(
        [
            OsStr::new("run"),
            f.as_os_str(),
            OsStr::new("--out"),
            out_dir.as_os_str(),
        ],
        None,
        &[],
    );
    out.assert_ok();
    let jobs = Csv::read(&out_dir.join("jobs.csv"));
    assert_eq!(jobs.row_named("fits")[jobs.col("kind")], "JobSet");
    assert_eq!(jobs.row_named("fits")[jobs.col("start_s")], "60.000");
    let html = std::fs::read_to_string(out_dir.join("report.html")).expect("report");
    let section = &html[html.find("Workloads by kind").expect("a kinds section")..];
    let table = &section[..section.find("</table>").expect("its table")];
    // Job: one, complete, waited 0 s. JobSet: two, one complete (waited 59 s), one never
    // started (censored at the 1 h horizon: 60 min): the median is a lower bound.
    assert!(
        table.contains("<td>kube-default</td><td>Job</td><td>1.0</td><td>1.0</td><td>0.0</td><td>0 s</td><td>0 s</td>"),
        "{table}"
    );
    assert!(
        table.contains(
            "<td>kube-default</td><td>JobSet</td><td>2.0</td><td>1.0</td><td>0.0</td><td>59 s</td><td>&gt;=60 min</td>"
        ),
        "{table}"
    );
}
