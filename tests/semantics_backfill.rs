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
    assert_eq!(
        starts(&jobs, "easy-backfill"),
        expect(&[("a", 0.0), ("b", 100.0), ("c", 2.0)])
    );
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
    assert_eq!(
        bound("a-"),
        ["node-0", "node-0", "node-0", "node-0", "node-1", "node-1"]
    );
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
    let w = kubesim::input::scenario::policy_warnings(&sc, &["easy-backfill".to_string()]);
    assert!(
        w.iter()
            .any(|m| m.contains("\"default/a\"") && m.contains("has no runtime estimate")),
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

/// Each job of the HPC2N excerpt replayed under `easy-backfill` (one 1-CPU pod per processor,
/// each job one gang, on 120 nodes of `node_cpus` CPUs, client limits off, the requested time as
/// estimate): (SWF job number, start s, submit s).
fn hpc2n_starts(node_cpus: u32) -> Vec<(u32, Option<u64>, u64)> {
    let root = env!("CARGO_MANIFEST_DIR");
    let path = format!("{root}/traces/swf/HPC2N-2002-2.2.excerpt.swf");
    // The SWF job number of each replayed job, in order: kubesim's importer skips run time -1
    // (the 6 status -1 lines of the excerpt), as the research's AccaSim input does.
    let text = std::fs::read_to_string(&path).unwrap();
    let numbers: Vec<u32> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with(';') && !l.trim().is_empty())
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[3] != "-1").then(|| f[0].parse().unwrap())
        })
        .collect();
    assert_eq!(numbers.len(), 394);
    let y = format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: hpc2n-easy}}\nspec: {{seed: 1, policies: [easy-backfill], clientRateLimits: {{enabled: false}}}}\n---\n\
         apiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {{name: cpu}}\nspec:\n  count: 120\n  template: {{metadata: {{name: cpu}}, status: {{allocatable: {{cpu: \"{node_cpus}\", memory: 64Gi, pods: \"110\"}}}}}}\n---\n\
         apiVersion: kubesim.io/v1alpha1\nkind: Trace\nmetadata: {{name: hpc2n}}\nspec: {{path: \"{path}\", format: swf, cpusPerNode: 1}}\n"
    );
    let r = run(&y, "easy-backfill");
    numbers
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let j = job(&r, &format!("hpc2n-{i}"));
            (n, j.start.map(|t| t.ms() / 1000), j.submit.ms() / 1000)
        })
        .collect()
}

/// Checks `starts` against `waiting` ((job, textbook EASY start, AccaSim start); every other job
/// starts at its submit time) and returns the jobs where AccaSim's start differs.
fn check_textbook(starts: &[(u32, Option<u64>, u64)], waiting: &[(u32, u64, u64)]) -> Vec<u32> {
    let mut differs = Vec::new();
    for &(n, start, submit) in starts {
        match waiting.iter().find(|w| w.0 == n) {
            Some(&(_, easy, accasim)) => {
                assert_eq!(start, Some(easy), "job {n}: the textbook EASY start");
                if easy != accasim {
                    differs.push(n);
                }
            }
            None => assert_eq!(start, Some(submit), "job {n} starts at its submit time"),
        }
    }
    differs
}

/// The check (docs/research/backfill.md section 5.2, config A: 120 nodes x 4 CPUs): 14
/// jobs wait; their starts are the research's textbook EASY column (count-based EASY,
/// re-implemented there). AccaSim's `EASYBackfilling` protects no reservation, so 11 of them
/// differ from AccaSim's (docs/backfill.md, "Where it differs").
#[test]
fn hpc2n_excerpt_at_120_by_4_matches_textbook_easy() {
    // (SWF job number, textbook EASY start, AccaSim start): research section 5.2.
    const WAITING: [(u32, u64, u64); 14] = [
        (83, 387605, 389316),
        (84, 387926, 387605),
        (85, 388013, 387926),
        (86, 388013, 388013),
        (87, 388016, 388013),
        (88, 388016, 388016),
        (89, 388017, 388016),
        (90, 388018, 388017),
        (91, 388018, 388018),
        (92, 388019, 388018),
        (271, 700110, 701832),
        (272, 700122, 700110),
        (274, 700122, 700110),
        (275, 700155, 700137),
    ];
    let differs = check_textbook(&hpc2n_starts(4), &WAITING);
    assert_eq!(differs, [83, 84, 85, 87, 89, 90, 92, 271, 272, 274, 275]);
}

/// Config B of the research (Appendix A: 120 nodes x 2 CPUs, AccaSim's HPC2N machine): every job
/// that waits under either, with the textbook EASY start and AccaSim's; 67 differ.
#[test]
fn hpc2n_excerpt_at_120_by_2_matches_textbook_easy() {
    const WAITING_B: [(u32, u64, u64); 84] = [
        (70, 385378, 385378),
        (71, 398288, 407430),
        (72, 399123, 398288),
        (73, 400728, 399123),
        (74, 401690, 400728),
        (75, 403401, 400855),
        (76, 404004, 402439),
        (77, 405112, 402566),
        (78, 405715, 404004),
        (79, 406827, 404150),
        (80, 407428, 404281),
        (81, 407643, 405717),
        (82, 408543, 405866),
        (83, 408795, 405996),
        (84, 409143, 408795),
        (85, 409356, 407581),
        (86, 410258, 407708),
        (87, 410507, 410506),
        (88, 410854, 409292),
        (89, 411067, 409419),
        (90, 411969, 412217),
        (91, 412218, 411003),
        (92, 412565, 411131),
        (139, 514928, 523932),
        (140, 514928, 514928),
        (141, 516005, 516005),
        (142, 517053, 517053),
        (160, 535700, 547906),
        (161, 535700, 535700),
        (162, 535700, 535700),
        (163, 535700, 535700),
        (164, 535700, 535700),
        (168, 535701, 535700),
        (169, 535701, 535701),
        (170, 535701, 535701),
        (258, 700110, 706116),
        (259, 700122, 700110),
        (260, 700155, 700122),
        (261, 700166, 700155),
        (262, 700171, 700166),
        (263, 700216, 700171),
        (264, 706117, 700216),
        (265, 706128, 707769),
        (266, 706142, 706131),
        (267, 706143, 706132),
        (268, 706191, 706158),
        (269, 706201, 706195),
        (270, 706240, 706196),
        (271, 707769, 706239),
        (272, 707769, 707769),
        (274, 707769, 707769),
        (275, 707771, 707771),
        (276, 707895, 712433),
        (277, 707895, 707895),
        (278, 712140, 707895),
        (279, 712164, 712123),
        (288, 712180, 712174),
        (300, 739083, 748712),
        (307, 724685, 724685),
        (308, 724809, 724809),
        (309, 724871, 724871),
        (310, 739394, 738893),
        (311, 743138, 739394),
        (312, 743163, 743122),
        (313, 743350, 743344),
        (314, 745543, 743621),
        (315, 748712, 745543),
        (319, 770453, 780082),
        (320, 770508, 770007),
        (322, 774128, 770384),
        (323, 774474, 774433),
        (324, 774638, 774632),
        (336, 801472, 808005),
        (337, 804021, 805655),
        (338, 804271, 805655),
        (796, 1480295, 1483812),
        (820, 1484147, 1487860),
        (835, 1493300, 1501964),
        (837, 1493366, 1493300),
        (838, 1493475, 1493366),
        (840, 1508322, 1517413),
        (843, 1493300, 1493475),
        (860, 1493417, 1493475),
        (1017, 1607311, 1614968),
    ];
    let differs = check_textbook(&hpc2n_starts(2), &WAITING_B);
    assert_eq!(differs.len(), 67, "{differs:?}");
}
