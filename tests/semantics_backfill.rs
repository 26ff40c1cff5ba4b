//! The `easy-backfill` policy (docs/backfill.md) on the hand-worked scenarios of
//! docs/research/backfill.md section 6 (2 nodes x 4 CPUs, 1-CPU pods, each job one gang), with
//! exact start times from the jobs rows and the nodes from the events.

mod common;
use common::{job, run, secs, times};

/// The Simulation and NodePool of section 6: 2 nodes of 4 CPUs, client limits off.
fn cluster() -> String {
    "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: bf}\nspec: {policies: [easy-backfill], clientRateLimits: {enabled: false}}\n---\n\
     apiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {name: node}\nspec:\n  count: 2\n  template: {metadata: {name: node}, status: {allocatable: {cpu: \"4\", memory: 64Gi, pods: \"110\"}}}\n---\n"
        .to_string()
}

/// A Job `name` submitted at `submit` s of `cpus` 1-CPU pods as one gang, running `run` s with
/// the estimate `estimate` s (empty: no estimate annotation).
fn job_doc(name: &str, submit: u32, cpus: u32, estimate: &str, run: u32) -> String {
    let est = if estimate.is_empty() {
        String::new()
    } else {
        format!(", kubesim.io/runtime-estimate: {estimate}s")
    };
    format!(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}\n  annotations: {{kubesim.io/submit-at: {submit}s, kubesim.io/duration: {run}s{est}, kubesim.io/gang-size: \"{cpus}\"}}\nspec:\n  parallelism: {cpus}\n  completions: {cpus}\n  backoffLimit: 0\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"1\", memory: 1Gi}}}}}}]\n---\n"
    )
}

/// Jobs as (name, submit, cpus, estimate, run), run under `policy`: each job's start.
fn starts(jobs: &[(&str, u32, u32, u32, u32)], policy: &str) -> Vec<(String, Option<f64>)> {
    let mut y = cluster();
    for &(n, s, c, e, r) in jobs {
        y.push_str(&job_doc(n, s, c, &e.to_string(), r));
    }
    let r = run(&y, policy);
    jobs.iter()
        .map(|&(n, ..)| (n.to_string(), secs(job(&r, n).start)))
        .collect()
}

fn expect(pairs: &[(&str, f64)]) -> Vec<(String, Option<f64>)> {
    pairs.iter().map(|&(n, t)| (n.to_string(), Some(t))).collect()
}

/// S1: A (6 CPUs, 0-100) leaves 2 free; B (4 CPUs) blocks at 1 with shadow time 100 (A's
/// estimated end; extra 8 - 4 = 4); C (2 CPUs, estimate 90) fits now and ends at 92 <= 100, so
/// it is backfilled at 2. B starts at 100, its shadow time: C did not delay it.
#[test]
fn s1_a_backfilled_job_does_not_delay_the_reservation() {
    let jobs = [("a", 0, 6, 100, 100), ("b", 1, 4, 50, 50), ("c", 2, 2, 90, 90)];
    assert_eq!(starts(&jobs, "easy-backfill"), expect(&[("a", 0.0), ("b", 100.0), ("c", 2.0)]));
    let mut y = cluster();
    for &(n, s, c, e, r) in &jobs {
        y.push_str(&job_doc(n, s, c, &e.to_string(), r));
    }
    let r = run(&y, "easy-backfill");
    // First-fit in node order: A on node-0 x4 and node-1 x2, C on node-1 x2, B on node-0 x4.
    let bound = |prefix: &str| -> Vec<String> {
        r.events
            .iter()
            .filter(|e| e.event == "PodBound" && e.object.split_once('/').unwrap().1.starts_with(prefix))
            .map(|e| e.detail.clone())
            .collect()
    };
    assert_eq!(bound("a-"), ["node-0", "node-0", "node-0", "node-0", "node-1", "node-1"]);
    assert_eq!(bound("c-"), ["node-1", "node-1"]);
    assert_eq!(bound("b-"), ["node-0", "node-0", "node-0", "node-0"]);
    assert_eq!(times(&r, "b", "BackfillReserved"), [1.0]);
    let reserved: Vec<&str> = r
        .events
        .iter()
        .filter(|e| e.event == "BackfillReserved")
        .map(|e| e.detail.as_str())
        .collect();
    assert_eq!(reserved, ["shadow time 100.000"]);
}

/// S2: C (2 CPUs, estimate 150) fits at 2 but would end at 152 > B's shadow time 100, and the
/// extra is 8 - 8 = 0: refused. B starts at 100, C at 150 when B ends (AccaSim: B 152, C 2).
#[test]
fn s2_a_candidate_that_would_delay_the_head_is_refused() {
    let jobs = [("a", 0, 6, 100, 100), ("b", 1, 8, 50, 50), ("c", 2, 2, 150, 150)];
    assert_eq!(
        starts(&jobs, "easy-backfill"),
        expect(&[("a", 0.0), ("b", 100.0), ("c", 150.0)])
    );
}

/// S3: B blocks at 1 (shadow 100, extra 8 - 6 = 2); D (2 CPUs, estimate 300) ends after 100 but
/// fits the extra: it starts at 3. At 100 B starts; C (8 CPUs) becomes head with shadow 303 (B's
/// end at 200 leaves 6 < 8, D's at 303 leaves 8) and starts then. EASY delays C, the second
/// queued job, by D (conservative backfilling would start C at 200 and D at 400).
#[test]
fn s3_easy_lets_a_backfilled_job_delay_the_second_queued_job() {
    let jobs = [
        ("a", 0, 4, 100, 100),
        ("b", 1, 6, 100, 100),
        ("c", 2, 8, 200, 200),
        ("d", 3, 2, 300, 300),
    ];
    assert_eq!(
        starts(&jobs, "easy-backfill"),
        expect(&[("a", 0.0), ("b", 100.0), ("c", 303.0), ("d", 3.0)])
    );
}

/// S4: A ends at 50, before its estimate (100): the head B is retried at every pass and starts
/// at 50 (AccaSim waits for its reservation time: 100, or 130 with D). C starts at 60 on the
/// 4 CPUs left.
#[test]
fn s4_the_head_starts_when_a_job_ends_early() {
    let jobs = [
        ("a", 0, 8, 100, 50),
        ("b", 1, 4, 100, 100),
        ("c", 60, 4, 10, 10),
        ("d", 130, 1, 10, 10),
    ];
    assert_eq!(
        starts(&jobs, "easy-backfill"),
        expect(&[("a", 0.0), ("b", 50.0), ("c", 60.0), ("d", 130.0)])
    );
}

/// A job running past its estimate is not killed: A (8 CPUs, estimate 50, runs 100) runs on to
/// 100; the head B's shadow time counts A as ending at each pass's now; B and C start when A
/// really ends.
#[test]
fn a_job_past_its_estimate_runs_on() {
    let jobs = [("a", 0, 8, 50, 100), ("b", 1, 4, 50, 50), ("c", 60, 4, 10, 10)];
    assert_eq!(
        starts(&jobs, "easy-backfill"),
        expect(&[("a", 0.0), ("b", 100.0), ("c", 100.0)])
    );
}

/// A job without an estimate is taken never to end: while it runs, the head behind it has no
/// shadow time, so nothing backfills past the head. A (6 CPUs, no estimate, runs 100); B (4
/// CPUs) waits; C (2 CPUs, estimate 10) fits now but may not start; at 100 B and C start.
#[test]
fn a_job_without_an_estimate_blocks_backfilling_behind_the_head() {
    let mut y = cluster();
    y.push_str(&job_doc("a", 0, 6, "", 100));
    y.push_str(&job_doc("b", 1, 4, "50", 50));
    y.push_str(&job_doc("c", 2, 2, "10", 10));
    let sc = kubesim::input::scenario::load_str("t.yaml", &y).unwrap();
    let w = kubesim::input::scenario::warnings(&sc);
    assert!(
        w.iter().any(|m| m.contains("\"default/a\"") && m.contains("has no runtime estimate")),
        "{w:?}"
    );
    let r = run(&y, "easy-backfill");
    assert_eq!(
        ["a", "b", "c"].map(|n| secs(job(&r, n).start)),
        [Some(0.0), Some(100.0), Some(100.0)]
    );
}

/// A job larger than the cluster never runs and never blocks the queue behind it.
#[test]
fn a_job_larger_than_the_cluster_does_not_block_the_queue() {
    let jobs = [("big", 0, 9, 100, 100), ("small", 1, 4, 10, 10)];
    let got = starts(&jobs, "easy-backfill");
    assert_eq!(got[0], ("big".to_string(), None));
    assert_eq!(got[1], ("small".to_string(), Some(1.0)));
}
