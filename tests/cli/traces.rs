//! Trace replay through the command line: import (round trip), stats, generate (reproducible per
//! seed), a Trace object replayed with exact hand-computed waits (whole and fractional GPUs),
//! replay fidelity on the real Philly excerpt, and bad Trace input.

use super::experiments::{p, run_args};
use super::*;

/// A file of the trace excerpts committed with the project (`traces/`).
fn excerpt(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("traces").join(rel)
}

fn run_ok(args: &[&str]) -> Out {
    let o = run_args(args);
    o.assert_ok();
    o
}

#[test]
fn import_round_trips_and_generate_is_reproducible() {
    let dir = TestDir::new("trace_import");
    // 400 jobs (traces/philly/PROVENANCE.md), none skipped.
    let philly = excerpt("philly/philly_multigpu_pass_jobs_subset.excerpt.json");
    let a = dir.join("a.csv");
    let o = run_ok(&["trace", "import", "--format", "philly", p(&philly), "-o", p(&a)]);
    assert!(o.stdout.contains("read 400 rows: 400 jobs"), "{}", o.stdout);
    let b = dir.join("b.csv");
    run_ok(&["trace", "import", "--format", "kubesim", p(&a), "-o", p(&b)]);
    assert!(
        fs::read(&a).unwrap() == fs::read(&b).unwrap(),
        "native -> import -> native changed the trace"
    );
    let text = fs::read_to_string(&a).unwrap();
    // The writer's header: the base columns and every optional one.
    assert!(text.starts_with(&format!(
        "# kubesim-trace v1\n{}\n",
        kubesim::input::trace::native::HEADER
    )));
    assert!(text.contains(",recorded_wait_s,gpu_models"), "{text}");
    assert_eq!(text.lines().count(), 400 + 2);

    let st = run_ok(&["trace", "stats", p(&a), "--gpus", "2490"]);
    assert!(st.stdout.contains("jobs                 400\n"), "{}", st.stdout);
    assert!(st.stdout.contains("offered load"), "{}", st.stdout);

    let generate = |seed: &str, name: &str| -> Vec<u8> {
        let out = dir.join(name);
        run_ok(&[
            "trace",
            "generate",
            "--from",
            p(&a),
            "--jobs",
            "2000",
            "--load",
            "0.7",
            "--gpus",
            "512",
            "--seed",
            seed,
            "--queue",
            "nlp=3",
            "--queue",
            "cv=1",
            "-o",
            p(&out),
        ]);
        fs::read(out).unwrap()
    };
    let g1 = generate("5", "g1.csv");
    assert!(g1 == generate("5", "g2.csv"), "same seed, same trace");
    assert!(g1 != generate("6", "g3.csv"), "another seed, another trace");
    let g = String::from_utf8(g1).unwrap();
    assert_eq!(g.lines().count(), 2000 + 2);
    let nlp = g.lines().filter(|l| l.contains(",nlp,")).count();
    assert!((1300..1700).contains(&nlp), "queue shares 3:1, nlp has {nlp} of 2000");

    // Bad input: unsorted native trace, unknown format, generate without a rate.
    let unsorted = dir.write(
        "unsorted.csv",
        "# kubesim-trace v1\nsubmit_s,id,namespace,queue,priority_class,pods,cpu,memory,gpu_milli,gang,duration_s,outcome,exit_code,recorded_wait_s\n\
         10.000,a,default,,,1,1,1Gi,1000,1,60.000,succeeded,0,\n5.000,b,default,,,1,1,1Gi,1000,1,60.000,succeeded,0,\n",
    );
    let o = kubesim(["trace", "stats", p(&unsorted)], None, &[]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains(":4") && o.stderr.contains("sort"), "{}", o.stderr);
    let o = kubesim(["trace", "import", "--format", "nope", p(&a)], None, &[]);
    assert_eq!(o.code, Some(2));
    assert!(
        o.stderr.contains("philly") && o.stderr.contains("swf"),
        "the formats are listed: {}",
        o.stderr
    );
    let o = kubesim(
        ["trace", "generate", "--jobs", "10", "-o", p(&dir.join("x.csv"))],
        None,
        &[],
    );
    assert_eq!(o.code, Some(2));
    assert!(o.stderr.contains("--rate"), "{}", o.stderr);
    assert!(!dir.join("x.csv").exists());
}

const NATIVE_HEADER: &str = "# kubesim-trace v1\nsubmit_s,id,namespace,queue,priority_class,pods,cpu,memory,gpu_milli,gang,duration_s,outcome,exit_code,recorded_wait_s\n";

#[test]
fn a_trace_replays_with_exact_waits() {
    let dir = TestDir::new("trace_replay");
    // One node of 8 GPUs. a (8 GPUs, 100 s) at 0; b (8 GPUs, 50 s) at 10 s waits for a: starts
    // at 100 s. c and d ask half a GPU each at 200 s: both fit on one GPU at once, no wait.
    // e fails (exit 3) after 30 s and is not retried (a trace records final outcomes). A Job's
    // terminal condition comes 1 s after its last pod ends (the controller's sync batch).
    dir.write(
        "t.csv",
        &format!(
            "{NATIVE_HEADER}0.000,a,team-a,nlp,,1,8,64Gi,8000,1,100.000,succeeded,0,5.000\n\
             10.000,b,team-a,nlp,,1,8,64Gi,8000,1,50.000,succeeded,0,\n\
             200.000,c,team-b,,,1,1,8Gi,500,1,40.000,succeeded,0,\n\
             200.000,d,team-b,,,1,1,8Gi,500,1,40.000,succeeded,0,\n\
             300.000,e,team-b,,,1,1,8Gi,1000,1,30.000,failed,3,\n"
        ),
    );
    let scenario = dir.write(
        "s.yaml",
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: replay}\n---\n\
         apiVersion: v1\nkind: Node\nmetadata: {name: n0}\nstatus:\n  allocatable: {cpu: \"64\", memory: 512Gi, nvidia.com/gpu: \"8\"}\n---\n\
         apiVersion: kubesim.io/v1alpha1\nkind: Trace\nmetadata: {name: t}\nspec: {path: t.csv, format: kubesim}\n",
    );
    let out = dir.join("out");
    run_ok(&["run", p(&scenario), "--out", p(&out)]);
    let jobs = Csv::read(&out.join("jobs.csv"));
    let row = |n: &str| jobs.row_named(n).to_vec();
    let get = |r: &[String], c: &str| jobs.get(r, c).to_string();
    let a = row("t-0");
    assert_eq!(
        (get(&a, "namespace"), get(&a, "queue"), get(&a, "gpus")),
        ("team-a".into(), "nlp".into(), "8".into())
    );
    assert_eq!(
        (get(&a, "start_s"), get(&a, "finish_s")),
        ("0.000".into(), "101.000".into())
    );
    let b = row("t-1");
    assert_eq!(
        (get(&b, "submit_s"), get(&b, "start_s"), get(&b, "wait_s")),
        ("10.000".into(), "100.000".into(), "90.000".into())
    );
    for n in ["t-2", "t-3"] {
        let r = row(n);
        assert_eq!(
            (get(&r, "gpus"), get(&r, "start_s"), get(&r, "finish_s")),
            ("0.5".into(), "200.000".into(), "241.000".into())
        );
    }
    let e = row("t-4");
    assert_eq!(
        (get(&e, "state"), get(&e, "failed_pods"), get(&e, "finish_s")),
        ("Failed".into(), "1".into(), "331.000".into())
    );
    // Fidelity: job a recorded a 5 s wait and waited 0 s here.
    let f = Csv::read(&out.join("fidelity.csv"));
    assert_eq!(f.rows.len(), 1);
    let r = &f.rows[0];
    assert_eq!(
        (
            f.get(r, "jobs"),
            f.get(r, "recorded_p50_s"),
            f.get(r, "simulated_p50_s")
        ),
        ("1", "5.000", "0.000")
    );
    assert_eq!(f.get(r, "ks_distance"), "1.000000");
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("trace t: 5 jobs"), "the report names the trace");
    assert!(html.contains("Replay fidelity"), "the report shows the fidelity table");
    // The verdict speaks to the replay: its KS distance against the documented thresholds.
    assert!(
        html.contains(
            "replaying the trace t, simulated waits are far from the recorded waits: \
             Kolmogorov-Smirnov distance 1.000 (close &lt;= 0.1, far &gt; 0.3; mean over 1 run); \
             median wait 0 s simulated against 5 s recorded."
        ),
        "the verdict names the replay's fidelity"
    );
}

#[test]
fn the_philly_sample_replays_on_its_machine_list() {
    let dir = TestDir::new("trace_philly");
    let scenario = dir.write(
        "p.yaml",
        &format!(
            "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: philly}}\n---\n\
             apiVersion: kubesim.io/v1alpha1\nkind: Trace\nmetadata: {{name: philly}}\nspec:\n  path: {}\n  format: philly\n  limit: 300\n  nodes: {{path: {}}}\n",
            p(&excerpt("philly/philly_multigpu_pass_jobs_subset.excerpt.json")),
            p(&excerpt("philly/cluster_machine_list"))
        ),
    );
    let v = run_ok(&["validate", p(&scenario)]);
    assert!(v.stdout.contains("nodes: 552"), "{}", v.stdout);
    let out = dir.join("out");
    run_ok(&[
        "compare",
        p(&scenario),
        "--policy",
        "kube-default",
        "--policy",
        "volcano",
        "--out",
        p(&out),
    ]);
    let jobs = Csv::read(&out.join("jobs.csv"));
    // The limit keeps 300 of the excerpt's 400 jobs; each records its wait.
    assert_eq!(jobs.rows.len(), 2 * 300);
    let f = Csv::read(&out.join("fidelity.csv"));
    assert_eq!(f.rows.len(), 2, "one fidelity row per run");
    for r in &f.rows {
        assert_eq!(f.get(r, "jobs"), "300");
        let ks: f64 = f.get(r, "ks_distance").parse().unwrap();
        assert!((0.0..=1.0).contains(&ks));
    }
}

#[test]
fn bad_trace_objects_exit_2_naming_the_problem() {
    let dir = TestDir::new("trace_bad");
    dir.write(
        "t.csv",
        &format!("{NATIVE_HEADER}0.000,a,default,,,1,1,1Gi,1000,1,10.000,succeeded,0,\n"),
    );
    let cases = [
        ("spec: {path: missing.csv, format: kubesim}", "missing.csv"),
        ("spec: {path: t.csv, format: parquet}", "philly"),
        ("spec: {path: t.csv, format: kubesim, timeScale: 0}", "timeScale"),
        ("spec: {path: t.csv, format: kubesim, speed: 2}", "speed"),
        ("spec: {format: kubesim}", "path"),
    ];
    for (spec, needle) in cases {
        let f = dir.write(
            "bad.yaml",
            &format!("apiVersion: kubesim.io/v1alpha1\nkind: Trace\nmetadata: {{name: t}}\n{spec}\n"),
        );
        let out = dir.join("out");
        let o = kubesim(["run", p(&f), "--out", p(&out)], None, &[]);
        assert_eq!(o.code, Some(2), "{spec}: {}", o.stderr);
        assert!(o.stderr.contains(needle), "{spec}: {}", o.stderr);
        assert!(!out.exists(), "{spec} wrote outputs");
    }
}

#[test]
fn random_node_failures_are_identical_whatever_the_thread_count() {
    let dir = TestDir::new("faults_threads");
    let f = dir.write(
        "flaky.yaml",
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: flaky}\nspec: {horizon: 2d, policies: [kube-default, volcano]}\n---\n\
         apiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {name: gpu}\nspec:\n  count: 6\n  template:\n    apiVersion: v1\n    kind: Node\n    metadata: {name: gpu}\n    status: {allocatable: {cpu: \"64\", memory: 512Gi, nvidia.com/gpu: \"8\"}}\n---\n\
         apiVersion: kubesim.io/v1alpha1\nkind: Arrivals\nmetadata: {name: jobs}\nspec:\n  count: 150\n  poisson: {meanInterval: 10m}\n  duration: {exponential: {mean: 2h}}\n  template:\n    apiVersion: batch/v1\n    kind: Job\n    metadata: {name: job}\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: c, image: x, resources: {limits: {nvidia.com/gpu: \"2\"}}}]\n---\n\
         apiVersion: kubesim.io/v1alpha1\nkind: FaultModel\nmetadata: {name: f}\nspec: {mtbf: 1d, mttr: 2h}\n",
    );
    let mut outs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.join(&format!("t{threads}"));
        kubesim(
            ["run", p(&f), "--seeds", "1..3", "--events", "--out", p(&out)],
            None,
            &[("RAYON_NUM_THREADS", threads)],
        )
        .assert_ok();
        outs.push(out);
    }
    super::experiments::assert_same_tree(&outs[0], &outs[1]);
    let summary = Csv::read(&outs[0].join("summary.csv"));
    let failures: u64 = summary
        .rows
        .iter()
        .map(|r| summary.get(r, "node_failures").parse::<u64>().unwrap())
        .sum();
    assert!(failures > 0, "the runs had node failures");
}

#[test]
fn scenarios_with_queues_write_queue_tables_and_plots() {
    let dir = TestDir::new("queues_out");
    let mut yaml = String::from(
        "apiVersion: v1\nkind: Node\nmetadata: {name: n0}\nstatus:\n  allocatable: {cpu: \"8\", memory: 64Gi, nvidia.com/gpu: \"8\"}\n---\n",
    );
    for (q, w) in [("nlp", 3), ("cv", 1)] {
        yaml.push_str(&format!(
            "apiVersion: scheduling.volcano.sh/v1beta1\nkind: Queue\nmetadata: {{name: {q}}}\nspec: {{weight: {w}}}\n---\n\
             apiVersion: kubesim.io/v1alpha1\nkind: Arrivals\nmetadata: {{name: {q}}}\nspec:\n  count: 10\n  every: 1s\n  template:\n    apiVersion: batch/v1\n    kind: Job\n    metadata:\n      name: {q}\n      annotations: {{kubesim.io/duration: 10m, scheduling.volcano.sh/queue-name: {q}}}\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{{name: c, image: x, resources: {{limits: {{nvidia.com/gpu: \"1\"}}}}}}]\n---\n"
        ));
    }
    let f = dir.write("q.yaml", &yaml);
    let out = dir.join("out");
    run_ok(&[
        "compare",
        p(&f),
        "--policy",
        "kube-default",
        "--policy",
        "volcano",
        "--out",
        p(&out),
    ]);
    let q = Csv::read(&out.join("queues.csv"));
    assert_eq!(q.rows.len(), 4, "2 policies x 2 queues");
    assert_eq!(
        header_line(&out.join("queue_timeseries.csv")),
        "policy,seed,queue,t_s,width_s,alloc_gpus"
    );
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    for stem in ["queue_share_0", "queue_share_1"] {
        assert!(html.contains(&format!("<figure id=\"{stem}\">")), "{stem}");
        assert!(out.join(format!("plots/{stem}.png")).exists());
    }
    // The queues table: one row per policy and queue, with queues.csv's jobs and GPU share.
    assert!(html.contains("Queues: shares, waits and evictions"));
    for r in &q.rows {
        let share: f64 = q.get(r, "gpu_share").parse().unwrap();
        let cells = format!(
            "<tr><td>{}</td><td>{}</td><td>{:.1}% (weight)</td><td>{:.1}</td><td>{:.1}%</td>",
            q.get(r, "policy"),
            q.get(r, "queue"),
            q.get(r, "weight_share").parse::<f64>().unwrap() * 100.0,
            q.get(r, "jobs").parse::<f64>().unwrap(),
            share * 100.0
        );
        assert!(html.contains(&cells), "{cells}");
    }
}

/// An SWF log with bad rows imports: each bad row is skipped and counted, and the summary of
/// skips goes to stderr (exit 0); `trace stats` lists the skips per reason.
#[test]
fn bad_swf_rows_are_skipped_with_a_summary_on_stderr() {
    let dir = TestDir::new("trace_swf_skips");
    let log = dir.join("meta.swf");
    let rows = [
        "1 0 10 600 1 -1 -1 1 3600 1073741824 1 5 1 -1 -1 -1 -1 -1 {1} q_2h 1",
        "2 1 10 600 20 -1 -1 20 3600 1073741824 1 5 1 -1 -1 -1 -1 -1 {1, 2} q_1d 2:ppn=8+1:ppn=4",
        "3 2 10 600 1 -1 -1 1 3600 1073741824 1 5 1 -1 -1 -1 -1 -1 {1} q_2h 1:ppn=two",
        "4 3 10 600 1 -1 -1 1 3600 1073741824 1 5 1 -1 -1 -1 -1 -1 {1} q_2h 0",
    ];
    fs::write(&log, format!("{}\n", rows.join("\n"))).unwrap();
    let out = dir.join("meta.csv");
    let o = run_ok(&["trace", "import", "--format", "swf", p(&log), "-o", p(&out)]);
    assert_eq!(
        o.stderr.trim_end(),
        "skipped 2 of 4 rows: 1 bad PBS spec, 1 zero processors",
        "{}",
        o.stderr
    );
    assert!(o.stdout.contains("read 4 rows: 2 jobs"), "{}", o.stdout);
    let st = run_ok(&["trace", "stats", "--format", "swf", p(&log)]);
    assert!(
        st.stdout.contains("skipped 1 bad PBS spec, 1 zero processors"),
        "{}",
        st.stdout
    );
}

/// A file that is not SWF at all (its first job line is not 18 numbers) is still an error.
#[test]
fn a_file_that_is_not_swf_is_an_error() {
    let dir = TestDir::new("trace_not_swf");
    let f = dir.join("notes.swf");
    fs::write(&f, "hello world\n1 2 3\n").unwrap();
    let o = run_args(&["trace", "import", "--format", "swf", p(&f), "-o", p(&dir.join("o.csv"))]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains("2 fields, expected 18"), "{}", o.stderr);
    assert!(!o.stderr.contains("hello"), "{}", o.stderr);
}

/// Helios, PAI, Acme and Philly rows that cannot be read are skipped with a summary on stderr
/// (exit 0); a file whose first row is not of the format is an error (exit 2) that does not
/// echo the file.
#[test]
fn bad_rows_of_every_format_are_skipped_and_foreign_files_refused() {
    let dir = TestDir::new("trace_bad_rows");
    let real = fs::read_to_string(excerpt("helios/helios_cluster_log.example_rows.csv")).unwrap();
    let second = real.lines().nth(2).unwrap();
    let log = dir.join("cluster_log.csv");
    fs::write(
        &log,
        format!(
            "{real}{}\n{}\n",
            second.replacen(",FAILED,", ",LOST,", 1),
            second.replacen(",4,16,", ",x,16,", 1)
        ),
    )
    .unwrap();
    let o = run_ok(&[
        "trace",
        "import",
        "--format",
        "helios",
        p(&log),
        "-o",
        p(&dir.join("h.csv")),
    ]);
    assert_eq!(
        o.stderr.trim_end(),
        "skipped 2 of 15 rows: 1 bad gpu_num, 1 bad state",
        "{}",
        o.stderr
    );
    for (format, name, text) in [
        (
            "helios",
            "notes.csv",
            "job_id,user,vc,gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,duration,queue\nsecret words here\n",
        ),
        ("acme", "notes2.csv", "hello secret words\n1,2\n"),
        (
            "philly",
            "notes.json",
            "[{\"jobid\": \"secret\", \"num_gpus\": \"secret words\"}]\n",
        ),
    ] {
        let f = dir.join(name);
        fs::write(&f, text).unwrap();
        let o = run_args(&[
            "trace",
            "import",
            "--format",
            format,
            p(&f),
            "-o",
            p(&dir.join("o.csv")),
        ]);
        assert_eq!(o.code, Some(2), "{format}: {}", o.stderr);
        assert!(!o.stderr.contains("secret words"), "{format}: {}", o.stderr);
        assert!(!dir.join("o.csv").exists());
    }
}

/// A replay does not drop an import's skips silently: `validate` and `run` print the import's
/// summary as a warning naming the Trace, its file and how to list the skips; with the skipped
/// rows kept (`includeUnscheduled`) there is nothing to say.
#[test]
fn a_replay_prints_what_its_import_skipped() {
    let dir = TestDir::new("trace_replay_skips");
    let pods = excerpt("openb/openb_pod_list_default.excerpt.csv");
    let yaml = |extra: &str| {
        format!(
            "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: skips}}\nspec: {{horizon: 1h}}\n---\n\
             apiVersion: kubesim.io/v1alpha1\nkind: Trace\nmetadata: {{name: openb}}\nspec:\n  path: {}\n  format: openb\n  limit: 50\n  nodes: {{path: {}}}\n{extra}",
            p(&pods),
            p(&excerpt("openb/openb_node_list_gpu_node.csv"))
        )
    };
    let scenario = dir.write("s.yaml", &yaml(""));
    let expected = format!(
        "warning: Trace \"openb\" ({}:6): reading {}: skipped 111 of 1,200 rows: 111 never scheduled (pod_phase Pending); \
         skipped rows are not replayed (`kubesim trace stats --format openb {}` lists them by reason)",
        p(&scenario),
        p(&pods),
        p(&pods)
    );
    let v = run_ok(&["validate", p(&scenario)]);
    assert!(v.stderr.lines().any(|l| l == expected), "{}\n---\n{expected}", v.stderr);
    let r = run_ok(&["run", p(&scenario), "--out", p(&dir.join("out"))]);
    assert!(r.stderr.lines().any(|l| l == expected), "{}", r.stderr);
    let kept = dir.write("k.yaml", &yaml("  includeUnscheduled: true\n"));
    let v = run_ok(&["validate", p(&kept)]);
    assert!(!v.stderr.contains("Trace \"openb\""), "{}", v.stderr);
}
