//! Kueue's own scheduler performance test (baseline configuration), as
//! scenarios/kueue-perf-baseline.yaml, against the figures Kueue records for it
//! (kubernetes-sigs/kueue `test/performance/scheduler/configs/baseline/rangespec.yaml` at
//! ff69552e: the averages of 5 trial runs and the checker's bounds). docs/kueue-perf.md explains
//! every remaining difference. The figures are computed as Kueue's checker computes them
//! (`checker/checker_test.go`, `runner/recorder/recorder.go`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use kubesim::experiment::run_all;
use kubesim::input::scenario::load;
use kubesim::observe::record::RunResult;

/// What Kueue's checker reads of a run.
struct Figures {
    /// Seconds until the last Workload finished.
    through_s: f64,
    /// ClusterQueue usage, % of nominal quota: the quota held, integrated exactly.
    usage_pct: f64,
    /// The same from the ClusterQueue statuses, as Kueue's recorder reads them (each status's
    /// cpu held until that ClusterQueue's next status); 0 without statuses (limits off).
    status_usage_pct: f64,
    /// Mean time to admission (s) and evictions, per class.
    classes: BTreeMap<String, (f64, u32)>,
}

fn cpu(name: &str) -> i64 {
    match name.split('-').next() {
        Some("small") => 1,
        Some("medium") => 5,
        _ => 20,
    }
}

fn figures(r: &RunResult) -> Figures {
    let (mut held, mut used, mut last) = (0i64, 0f64, 0f64);
    let mut created: BTreeMap<&str, f64> = BTreeMap::new();
    let mut admitted: BTreeMap<&str, f64> = BTreeMap::new();
    let mut evictions: BTreeMap<String, u32> = BTreeMap::new();
    // Per ClusterQueue (the Workloads' namespace is their ClusterQueue's name): the quota held
    // (millicores), and its last status (time, millicores).
    let mut cq_held: BTreeMap<&str, i64> = BTreeMap::new();
    let mut cq_status: BTreeMap<&str, (f64, i64)> = BTreeMap::new();
    let (mut status_used, mut status_last) = (0f64, 0f64);
    for e in &r.events {
        let t = e.time.ms() as f64 / 1000.0;
        used += held as f64 * (t - last);
        last = t;
        let (ns, name) = e.object.split_once('/').unwrap_or(("", ""));
        match e.event {
            "QuotaReserved" => *cq_held.entry(ns).or_default() += 1000 * cpu(name),
            "QuotaReleased" | "WorkloadFinished" => *cq_held.entry(ns).or_default() -= 1000 * cpu(name),
            "ClusterQueueStatus" => {
                let says: i64 = e
                    .detail
                    .strip_prefix("cpu=")
                    .and_then(|v| v.parse().ok())
                    .expect("cpu=<millicores>");
                // A status says the quota held when it is written, exactly.
                assert_eq!(says, cq_held.get(name).copied().unwrap_or(0), "{} at {t} s", e.object);
                if let Some((at, v)) = cq_status.insert(name, (t, says)) {
                    status_used += v as f64 / 1000.0 * (t - at);
                }
                status_last = t;
            }
            _ => {}
        }
        match e.event {
            "WorkloadCreated" => {
                created.insert(&e.object, t);
            }
            "QuotaReserved" => {
                held += cpu(name);
                admitted.insert(&e.object, t);
            }
            "QuotaReleased" | "WorkloadFinished" => held -= cpu(name),
            "WorkloadEvicted" => *evictions.entry(class(name)).or_default() += 1,
            _ => {}
        }
    }
    let mut waits: BTreeMap<String, (f64, u32)> = BTreeMap::new();
    for (wl, at) in &admitted {
        let w = waits.entry(class(wl.split_once('/').unwrap().1)).or_default();
        w.0 += at - created[wl];
        w.1 += 1;
    }
    Figures {
        through_s: last,
        usage_pct: 100.0 * used / (30.0 * 20.0 * last),
        status_usage_pct: if status_last > 0.0 {
            100.0 * status_used / (30.0 * 20.0 * status_last)
        } else {
            0.0
        },
        classes: waits
            .into_iter()
            .map(|(c, (sum, n))| {
                let ev = evictions.get(&c).copied().unwrap_or(0);
                (c, (sum / f64::from(n), ev))
            })
            .collect(),
    }
}

fn class(name: &str) -> String {
    name.split('-').next().unwrap_or("").to_string()
}

/// The Kueue a run models: today's (ff69552e: the inadmissible requeue 1 s after a release,
/// SchedulingEquivalenceHashing on), or the one of the 2024 trial runs that recorded most of
/// rangespec.yaml (requeue at once, before kueue#9232; no hashing, before kueue#11097).
#[derive(Clone, Copy, PartialEq)]
enum Kueue {
    Today,
    Of2024,
}

fn run_baseline(limits_on: bool, kueue: Kueue) -> Figures {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/kueue-perf-baseline.yaml");
    let mut sc = load(&[path]).expect("the baseline scenario loads");
    assert_eq!(
        sc.sim
            .client_limits
            .of(kubesim::rate::Client::Kueue)
            .map(|l| (l.qps_milli, l.burst)),
        Some((50_000, 100))
    );
    assert_eq!(sc.sim.latencies.kueue_requeue_batch_ms, 1_000);
    assert!(sc.kueue_config.equivalence_hashing);
    if kueue == Kueue::Of2024 {
        sc.sim.latencies.kueue_requeue_batch_ms = 0;
        sc.kueue_config.equivalence_hashing = false;
    }
    sc.sim.client_limits.enabled = limits_on;
    let runs = run_all(&sc, &["kueue".to_string()], &[sc.sim.seed], true).expect("runs");
    assert_eq!(runs[0].jobs.len(), 15_000);
    assert!(runs[0].jobs.iter().all(|j| j.state.as_str() == "Complete"));
    figures(&runs[0])
}

/// The Kueue of the 2024 trial runs against their records: the time to get through, usage
/// (58.7 %), and the three classes.
#[test]
fn kueue_baseline_performance_test_matches_kueues_records() {
    let f = run_baseline(true, Kueue::Of2024);
    // Kueue: 351.1 s wall (+/- 0.9 %, the minimal Kueue's, start-up included); checker bound 425 s.
    assert!((330.0..=360.0).contains(&f.through_s), "through {} s", f.through_s);
    // Kueue: 58.7 % (+/- 1.2 %) before SchedulingEquivalenceHashing.
    assert!((55.0..=61.0).contains(&f.usage_pct), "usage {} %", f.usage_pct);
    // The checker's own reading, from the ClusterQueue statuses: their sampling reads higher
    // than the quota held (docs/kueue-perf.md), still within the same range.
    assert!(
        (f.usage_pct..=61.0).contains(&f.status_usage_pct),
        "status usage {} % (exact {} %)",
        f.status_usage_pct,
        f.usage_pct
    );
    let wait = |c: &str| f.classes[c].0;
    // Kueue: large 6.7 s (+/- 14 %); medium 76.8 s (+/- 2 %); small 215.5 s (+/- 2 %).
    assert!((5.0..=11.0).contains(&wait("large")), "large {} s", wait("large"));
    assert!((73.0..=81.0).contains(&wait("medium")), "medium {} s", wait("medium"));
    assert!((205.0..=226.0).contains(&wait("small")), "small {} s", wait("small"));
    // Without the client's limit the same workload goes through in about a fifth of the time
    // with the quota nearly full: the limit, not quota, sets the pace.
    let off = run_baseline(false, Kueue::Of2024);
    assert!(off.through_s < 100.0, "through {} s without limits", off.through_s);
    assert!(off.usage_pct > 90.0, "usage {} % without limits", off.usage_pct);
}

/// Today's Kueue (the scenario as written) against the figures recorded with the hashing on
/// (usage 55.9 %, large 16.5 s): the hashing and the requeuer's batch period lower usage and
/// make large Workloads wait longer, as they did in Kueue's runs; the client still sets the pace.
#[test]
fn todays_kueue_waits_longer_for_large_workloads_as_kueue_recorded() {
    let f = run_baseline(true, Kueue::Today);
    let old = run_baseline(true, Kueue::Of2024);
    assert!((330.0..=360.0).contains(&f.through_s), "through {} s", f.through_s);
    // Kueue: 55.9 % (+/- 1.1 %), checker bound 50 %; 2.8 points below the 2024 runs.
    assert!((52.0..=59.0).contains(&f.usage_pct), "usage {} %", f.usage_pct);
    assert!(
        f.usage_pct < old.usage_pct - 1.0,
        "{} vs {} %",
        f.usage_pct,
        old.usage_pct
    );
    assert!(
        (f.usage_pct..=59.0).contains(&f.status_usage_pct),
        "status usage {} %",
        f.status_usage_pct
    );
    // Kueue: large 16.5 s (+/- 13 %), 9.8 s more than in 2024.
    let (large, old_large) = (f.classes["large"].0, old.classes["large"].0);
    assert!((14.0..=26.0).contains(&large), "large {large} s");
    assert!(large > old_large + 8.0, "large {large} s against {old_large} s");
    for c in ["medium", "small"] {
        assert!(f.classes[c].0 < 237.0, "{c} {} s", f.classes[c].0);
    }
    // Without client limits: the requeuer's 1 s batches set the pace, still far from the
    // client's.
    let off = run_baseline(false, Kueue::Today);
    assert!(
        off.through_s < 0.5 * f.through_s,
        "through {} s without limits",
        off.through_s
    );
}
