//! Tests of the analysis (and, for a comparison, of its rendering).

use super::summary::summary_columns;
use super::*;
use crate::observe::analysis::comparison::DiffBound;
use crate::observe::render::csv::{COMPARISON_HEADER, comparison_csv};
use crate::observe::render::text::verdicts;

fn row(policy: &str, seed: u64, busy: f64, wait: Option<f64>, episodes: u64) -> Row {
    let cols: Vec<&str> = summary_columns().collect();
    let mut values = vec![None; cols.len()];
    let set = |v: &mut Vec<Option<f64>>, name: &str, x: Option<f64>| {
        let i = cols.iter().position(|c| *c == name).unwrap();
        v[i] = x;
    };
    set(&mut values, "gpu_busy_util", Some(busy));
    set(&mut values, "wait_p95_s", wait);
    set(&mut values, "deadlock_episodes", Some(episodes as f64));
    Row {
        point: 0,
        policy: policy.into(),
        seed,
        values,
        lower_bounds: String::new(),
    }
}

#[test]
fn queue_means_average_over_seeds_and_skip_missing_values() {
    use crate::observe::tables::{Table, Tables, Unit};
    let header = crate::observe::report::QUEUES_HEADER.to_string();
    // Two seeds of policy a (queue x in both, y only in seed 2), one seed of policy b.
    let blocks = vec![
        "a,1,x,1,0.500000,4,4,10.0,0.800000,10.000,20.000,2,1,0.500000,6.000\n".to_string(),
        "a,2,x,1,0.500000,6,5,20.0,0.600000,,,4,3,1.500000,\na,2,y,1,0.500000,2,2,5.0,0.400000,1.000,3.000,0,0,0.000000,2.000\n"
            .to_string(),
        "b,1,x,1,1.000000,9,9,1.0,1.000000,5.000,5.000,0,0,0.000000,\n".to_string(),
    ];
    let units = vec![
        Unit {
            point: 0,
            policy: "a".into(),
            seed: 1,
        },
        Unit {
            point: 0,
            policy: "a".into(),
            seed: 2,
        },
        Unit {
            point: 0,
            policy: "b".into(),
            seed: 1,
        },
    ];
    let tables = Tables {
        units,
        tables: vec![Table {
            name: "queues.csv",
            header,
            blocks: blocks.into_iter().map(Into::into).collect(),
        }],
    };
    let a = queue_means(&tables, "a");
    assert_eq!(a.len(), 2);
    let x = &a[0];
    assert_eq!((x.queue.as_str(), x.runs), ("x", 2));
    assert_eq!(
        (x.jobs, x.gpu_share, x.preemptions, x.reclaims, x.gpu_h_lost),
        (5.0, 0.7, 3.0, 2.0, 1.0)
    );
    // The waits and deserved GPUs only seed 1 reports.
    assert_eq!(
        (x.wait_p50_s, x.wait_p95_s, x.deserved_gpus),
        (Some(10.0), Some(20.0), Some(6.0))
    );
    assert_eq!(
        (a[1].queue.as_str(), a[1].runs, a[1].deserved_gpus),
        ("y", 1, Some(2.0))
    );
    let b = queue_means(&tables, "b");
    assert_eq!((b.len(), b[0].jobs, b[0].deserved_gpus), (1, 9.0, None));
    assert!(queue_means(&tables, "c").is_empty());
}

#[test]
fn comparison_pairs_by_seed() {
    // Busy utilization: a = .40 .50 .45 .55, b = a + (.10 .12 .08 .10): paired mean .10,
    // s = 0.016330, se = 0.008165, t(3) = 3.182446 -> half 0.025984.
    let a = [0.40, 0.50, 0.45, 0.55];
    let d = [0.10, 0.12, 0.08, 0.10];
    let mut rows = Vec::new();
    for s in 0..4 {
        rows.push(row("a", s + 1, a[s as usize], Some(100.0), u64::from(s == 0)));
        rows.push(row("b", s + 1, a[s as usize] + d[s as usize], None, 0));
    }
    let refs: Vec<&Row> = rows.iter().collect();
    let policies = vec!["a".to_string(), "b".to_string()];
    let c = compare(&policies, &[1, 2, 3, 4], &refs, &[]);
    let busy = c
        .iter()
        .find(|c| c.metric == "gpu_busy_util" && c.policy == "b")
        .unwrap();
    let diff = busy.diff.unwrap();
    assert!((diff.mean - 0.10).abs() < 1e-12);
    assert!((diff.hi - diff.mean - 0.025_984).abs() < 1e-5, "{diff:?}");
    assert_eq!(busy.verdict, "better");
    let base = c
        .iter()
        .find(|c| c.metric == "gpu_busy_util" && c.policy == "a")
        .unwrap();
    assert_eq!(base.verdict, "baseline");
    // b never started a job: no pairs for the wait, and it says so.
    let wait = c.iter().find(|c| c.metric == "wait_p95_s" && c.policy == "b").unwrap();
    assert_eq!(wait.diff.unwrap().n, 0);
    assert_eq!(wait.verdict, "too few seeds");
    let dl = c.iter().find(|c| c.metric == DEADLOCK_RATE && c.policy == "b").unwrap();
    assert_eq!(dl.deadlocked_runs, Some(0));
    assert!((dl.diff.unwrap().mean + 0.25).abs() < 1e-12);
    let csv = comparison_csv(&c);
    assert!(csv.starts_with(COMPARISON_HEADER));
    assert!(csv.contains("gpu_busy_util,b,4,"), "{csv}");
    let v = verdicts(&c);
    assert!(
        v[0].starts_with("b against a over 4 paired seeds: better on GPU busy utilization +10.0 pp"),
        "{v:?}"
    );
}

#[test]
fn censored_pairs_and_practical_thresholds_decide_verdicts() {
    // p95 wait: a = 100 200 300 400 s (exact), b = a + 50 s in every seed.
    let mut rows = Vec::new();
    for s in 0..4u64 {
        let w = 100.0 * (s + 1) as f64;
        rows.push(row("a", s + 1, 0.5, Some(w), 0));
        let mut r = row("b", s + 1, 0.5 + 0.001 * (s % 2) as f64, Some(w + 50.0), 0);
        if s == 3 {
            // In seed 4, b's p95 is only a lower bound (its censored workloads hold the top).
            r.lower_bounds = "wait_p95_s wait_mean_s".into();
        }
        rows.push(r);
    }
    let refs: Vec<&Row> = rows.iter().collect();
    let policies = vec!["a".to_string(), "b".to_string()];
    let c = compare(&policies, &[1, 2, 3, 4], &refs, &[]);
    let get = |m: &str| c.iter().find(|c| c.metric == m && c.policy == "b").unwrap();
    let wait = get("wait_p95_s");
    // +50 s in every pair: an interval of width 0 excluding 0; b's lower bound can only make
    // the true difference larger: worse stands.
    assert_eq!((wait.diff.unwrap().mean, wait.diff_bound), (50.0, DiffBound::Lower));
    assert_eq!(wait.verdict, "worse");
    assert_eq!(wait.lower_bound_runs, 1);
    // The threshold (1% of a's mean 250 s = 2.5 s, at least 1 s) is recorded.
    assert_eq!(wait.negligible_within, Some(2.5));
    // Swapped names: the baseline's value is the lower bound and the difference -50 s: the true
    // baseline is larger still, so better stands.
    let swapped: Vec<Row> = rows
        .iter()
        .map(|r| Row {
            policy: if r.policy == "a" { "b".into() } else { "a".into() },
            ..r.clone()
        })
        .collect();
    let refs2: Vec<&Row> = swapped.iter().collect();
    let c2 = compare(&policies, &[1, 2, 3, 4], &refs2, &[]);
    let w2 = c2.iter().find(|c| c.metric == "wait_p95_s" && c.policy == "b").unwrap();
    assert_eq!((w2.diff_bound, w2.verdict), (DiffBound::Upper, "better"));
    // The baseline's value a lower bound while b is worse by 50 s: the true difference could
    // be below 0.
    let mut base_censored = rows.clone();
    for r in &mut base_censored {
        r.lower_bounds = if r.policy == "a" && r.seed == 4 {
            "wait_p95_s".into()
        } else {
            String::new()
        };
    }
    let refs3: Vec<&Row> = base_censored.iter().collect();
    let c4 = compare(&policies, &[1, 2, 3, 4], &refs3, &[]);
    let w4 = c4.iter().find(|c| c.metric == "wait_p95_s" && c.policy == "b").unwrap();
    assert_eq!(
        (w4.diff_bound, w4.verdict),
        (DiffBound::Upper, "undetermined (censored)")
    );
    // A 50 s difference under a 60 s override: negligible only where exact; here b is censored.
    let c3 = compare(
        &policies,
        &[1, 2, 3, 4],
        &refs,
        &[("wait_p95_s".into(), Threshold::absolute(60.0))],
    );
    let w3 = c3.iter().find(|c| c.metric == "wait_p95_s" && c.policy == "b").unwrap();
    assert_eq!(w3.verdict, "undetermined (censored)");
    // Utilization +0.05 pp on average (0, +0.1 pp alternating): inside 0.5 pp.
    let busy = get("gpu_busy_util");
    assert!(busy.diff.unwrap().mean > 0.0);
    assert_ne!(busy.verdict, "better");
    assert!(
        ["negligible", "no significant difference"].contains(&busy.verdict),
        "{}",
        busy.verdict
    );
}

#[test]
fn targets_parse_and_apply() {
    let t = Target::parse("wait_p95_s <= 3600").unwrap();
    assert_eq!((t.metric.as_str(), t.op, t.value), ("wait_p95_s", Op::Le, 3600.0));
    assert!(Target::parse("deadlock_free>=0.95").is_ok());
    for bad in ["wait_p95_s", "nope<=1", "wait_p95_s<=x", "wait_p95_s<=inf"] {
        let e = Target::parse(bad).unwrap_err();
        assert_eq!(e.field, "--target");
    }
    let rows = [row("a", 1, 0.5, Some(100.0), 0), row("a", 2, 0.5, Some(300.0), 1)];
    let refs: Vec<&Row> = rows.iter().collect();
    let agg = Aggregate::of(0, "a", &refs);
    assert_eq!(agg.value("wait_p95_s"), Some(200.0));
    assert_eq!(agg.value(DEADLOCK_FREE), Some(0.5));
    assert!(t.met(&agg));
    assert!(!Target::parse("deadlock_free>=0.95").unwrap().met(&agg));
    assert!(
        !Target::parse("wait_p50_s<=1").unwrap().met(&agg),
        "a missing value never meets"
    );
}

#[test]
fn numbers_of_values() {
    assert_eq!(number_of("8"), Some(8.0));
    assert_eq!(number_of("0.5"), Some(0.5));
    assert_eq!(number_of("3m"), Some(180.0));
    assert_eq!(number_of("x"), None);
}
