//! The field's metrics worked by hand (docs/metrics.md): per-resource utilization, slowdown and
//! bounded slowdown with censored workloads, and Jain's fairness index over namespaces and over
//! weighted queues.

mod common;

use common::{HAND, run};
use kubesim::observe::report::{Slowdowns, jain, summarize};

/// A bare Pod in Volcano queue `q` running `secs` s, asking `amount` of a resource given as the
/// start of its map (`"requests: {cpu"` or `"limits: {nvidia.com/gpu"`).
fn queue_pod(name: &str, q: &str, resource: &str, amount: u32, secs: u32) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  annotations: {{kubesim.io/duration: {secs}s, scheduling.volcano.sh/queue-name: {q}}}\nspec:\n  restartPolicy: Never\n  containers: [{{name: c, image: x, resources: {{{resource}: \"{amount}\"}}}}}}]\n---\n"
    )
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn slowdowns_utilization_and_jain_by_hand() {
    let r = run(HAND, "kube-default");
    // a1 runs 0-100 s (wait 0), b1 100-105 s (wait 100), b2 105-125 s (submitted at 50, wait 55).
    // Slowdown (w + r) / r: 1, 105/5 = 21, 75/20 = 3.75; bounded, max(1, (w + r) / max(r, 10)):
    // 1, 105/10 = 10.5, 3.75. c1 never starts: it counts as 1 (its least possible value).
    let s = Slowdowns::of(&r);
    assert_eq!(
        s.slowdown,
        vec![1.0, 21.0, 1.0, 3.75],
        "in jobs.csv order (c1 before b2)"
    );
    assert_eq!(s.bsld, vec![1.0, 10.5, 1.0, 3.75]);
    assert_eq!(s.censored, 1);
    let m = summarize(&r);
    let v = |b: Option<kubesim::observe::survival::Bounded<f64>>| b.expect("a value");
    assert!(close(v(m.slowdown_mean).value, (1.0 + 21.0 + 1.0 + 3.75) / 4.0));
    assert!(close(v(m.bsld_mean).value, (1.0 + 10.5 + 1.0 + 3.75) / 4.0));
    // Nearest rank: ceil(0.95 x 4) = 4th of 1, 1, 3.75, 10.5.
    assert_eq!(v(m.bsld_p95).value, 10.5);
    assert!(v(m.bsld_mean).lower_bound && v(m.bsld_p95).lower_bound && v(m.slowdown_mean).lower_bound);
    for name in ["slowdown_mean", "bsld_mean", "bsld_p95"] {
        assert!(m.lower_bounds().contains(&name), "{name} in lower_bounds");
    }
    // CPU: 4 cores held 0-125 s of 200 s = 500 / 800 core-seconds; memory 1 GiB of 8 for 125 s.
    assert_eq!(m.cpu_alloc_util, Some(0.625));
    assert_eq!(m.cpu_busy_util, Some(0.625));
    assert_eq!(m.memory_alloc_util, Some(125.0 / 1600.0));
    assert_eq!(m.gpu_alloc_util, 0.0);
    // Jain over the namespaces (no GPUs: the dominant resource, cpu here): team-a held 400 of
    // 800 core-seconds, team-b 100; entitled to 1/2 each: x = 1 and 0.25;
    // J = 1.25^2 / (2 x (1 + 0.0625)) = 0.735294...
    let j = jain(&r).expect("two tenants");
    assert!(close(j, 1.5625 / 2.125), "{j}");
    assert_eq!(m.jain_fairness, Some(j));
}

#[test]
fn jain_weighs_queues_by_their_entitlement() {
    // Queues of weight 3 and 1 on 4 GPUs for 100 s: q1's job holds 3 GPUs 0-100 s, q2's 1 GPU
    // 0-50 s. GPU-time shares 300/350 = 6/7 and 1/7 over entitlements 3/4 and 1/4: x = 8/7 and
    // 4/7; J = (12/7)^2 / (2 x 80/49) = 144 / 160 = 0.9.
    let pod = |name: &str, q: &str, gpus: u32, secs: u32| queue_pod(name, q, "limits: {nvidia.com/gpu", gpus, secs);
    let yaml = format!(
        "{}{}{}apiVersion: scheduling.volcano.sh/v1beta1\nkind: Queue\nmetadata: {{name: q1}}\nspec: {{weight: 3}}\n---\n\
         apiVersion: scheduling.volcano.sh/v1beta1\nkind: Queue\nmetadata: {{name: q2}}\nspec: {{weight: 1}}\n---\n\
         apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: q}}\nspec: {{horizon: 100s, policies: [kube-default]}}\n",
        common::nodes(1, 4),
        pod("big", "q1", 3, 100),
        pod("small", "q2", 1, 50),
    );
    let r = run(&yaml, "kube-default");
    let names: Vec<&str> = r.tenants.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["q1", "q2"]);
    assert!(close(r.tenants[0].entitlement, 0.75));
    let j = jain(&r).expect("two queues");
    assert!(close(j, 0.9), "{j}");
    // GPU utilization: (300 + 50) / 400 GPU-seconds.
    assert!(close(summarize(&r).gpu_alloc_util, 350.0 / 400.0));
}

#[test]
fn queues_report_cpu_time_on_a_cpu_only_cluster() {
    // No GPUs: q1's pod holds 2 cores 0-100 s, q2's 1 core 0-50 s. queues.csv: cpu_h 200/3600
    // and 50/3600 core-hours, cpu_share 0.8 and 0.2; gpu_h and gpu_share 0.
    let pod = |name: &str, q: &str, cpu: u32, secs: u32| queue_pod(name, q, "requests: {cpu", cpu, secs);
    let yaml = format!(
        "apiVersion: v1\nkind: Node\nmetadata: {{name: node-0}}\nstatus: {{allocatable: {{cpu: \"4\", memory: 8Gi, pods: \"110\"}}}}\n---\n{}{}",
        pod("a", "q1", 2, 100),
        pod("b", "q2", 1, 50)
    );
    let r = run(&yaml, "kube-default");
    let mut text = String::new();
    kubesim::observe::report::queue_rows(&r, &mut text);
    let header: Vec<&str> = kubesim::observe::report::QUEUES_HEADER.split(',').collect();
    let col = |row: &str, name: &str| -> String {
        let at = header.iter().position(|h| *h == name).expect("column");
        row.split(',').nth(at).expect("field").to_string()
    };
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert_eq!(col(rows[0], "queue"), "q1");
    assert_eq!(col(rows[0], "cpu_h"), format!("{:.6}", 200.0 / 3600.0));
    assert_eq!(col(rows[1], "cpu_h"), format!("{:.6}", 50.0 / 3600.0));
    assert_eq!(
        (col(rows[0], "cpu_share").as_str(), col(rows[1], "cpu_share").as_str()),
        ("0.800000", "0.200000")
    );
    assert_eq!(col(rows[0], "gpu_h"), "0.000000");
}

/// jobs.csv rows of a large run are formatted in parallel chunks and joined: the same text, in
/// job order, as the rows of its pieces formatted one small piece at a time.
#[test]
fn jobs_rows_of_a_large_run_are_its_pieces_rows_in_order() {
    let yaml = format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: s}}\nspec: {{seed: 1}}\n---\n{}---\n\
         apiVersion: batch/v1\nkind: Job\nmetadata: {{name: job-a}}\nspec:\n  template:\n    spec:\n      \
         restartPolicy: Never\n      containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"1\"}}}}}}]\n",
        common::nodes(1, 8)
    );
    let mut big = run(&yaml, "kube-default");
    let one = big.jobs[0].clone();
    big.jobs = (0..60_000)
        .map(|i| kubesim::observe::record::JobRow {
            name: format!("job-{i}"),
            restarts: i,
            ..one.clone()
        })
        .collect();
    let mut whole = String::new();
    kubesim::observe::report::jobs_rows(&big, &mut whole);
    let mut pieces = String::new();
    for chunk in big.jobs.chunks(1000) {
        let piece = kubesim::observe::record::RunResult {
            jobs: chunk.to_vec(),
            ..big.clone()
        };
        kubesim::observe::report::jobs_rows(&piece, &mut pieces);
    }
    assert_eq!(whole.lines().count(), 60_000);
    assert!(
        whole.starts_with("kube-default,1,default,job-0,Job,"),
        "{}",
        &whole[..60]
    );
    assert!(whole == pieces, "the rows of the whole differ from its pieces' rows");
}
