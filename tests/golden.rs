//! Golden outputs: any change that alters results shows up here as a readable diff of CSV
//! lines. After an intended change, regenerate with `KUBESIM_UPDATE_GOLDEN=1 cargo test --test
//! golden` and review the diff of tests/golden/ in the commit.

use std::path::PathBuf;

use kubesim::experiment::run_all;
use kubesim::input::scenario::load;
use kubesim::observe::report::{events_csv, jobs_csv, summarize, summary_csv};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Compare `actual` with the golden file, printing the differing lines.
fn check(name: &str, actual: &str) {
    let path = root().join("tests/golden").join(name);
    if std::env::var_os("KUBESIM_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if expected == actual {
        return;
    }
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let mut diff = String::new();
    let mut shown = 0;
    for i in 0..e.len().max(a.len()) {
        let (x, y) = (e.get(i).copied(), a.get(i).copied());
        if x != y && shown < 40 {
            diff.push_str(&format!(
                "line {}:\n  - {}\n  + {}\n",
                i + 1,
                x.unwrap_or("<none>"),
                y.unwrap_or("<none>")
            ));
            shown += 1;
        }
    }
    panic!(
        "{name} differs from tests/golden/{name} ({} vs {} lines). First differences:\n{diff}\
         If the change is intended, regenerate with KUBESIM_UPDATE_GOLDEN=1 cargo test --test golden",
        e.len(),
        a.len()
    );
}

/// A scenario with the API clients' rate limits off: the goldens from before client limits
/// were modelled hold the results of that setting.
fn limits_off(files: &[&str]) -> kubesim::input::spec::Scenario {
    let paths: Vec<PathBuf> = files.iter().map(|f| root().join(f)).collect();
    let mut sc = load(&paths).expect("scenario loads");
    sc.sim.client_limits.enabled = false;
    sc
}

#[test]
fn demo_scenario_results_are_unchanged() {
    let sc = limits_off(&["scenarios/demo.yaml"]);
    let runs = run_all(&sc, &sc.sim.policies, &[sc.sim.seed], false).expect("runs");
    let summaries: Vec<_> = runs.iter().map(summarize).collect();
    check("demo-summary.csv", &summary_csv(&summaries));
    check("demo-jobs.csv", &jobs_csv(&runs));
}

/// A run with a probe (the progress display's, here after every event) gives the goldens: the
/// probe only reads.
#[test]
fn probed_runs_give_the_golden_results() {
    use std::cell::Cell;
    let sc = limits_off(&["scenarios/demo.yaml"]);
    let mut runs = Vec::new();
    for p in &sc.sim.policies {
        let policy = kubesim::policy::Policy::parse(p).expect("policy");
        let world = kubesim::sim::World::new(&sc, policy, sc.sim.seed, &kubesim::observe::record::EventSink::Off)
            .expect("world");
        let (calls, last) = (Cell::new(0u64), Cell::new((kubesim::engine::SimTime::ZERO, 0u64)));
        let r = world
            .run_probed(1, &|now, events| {
                assert!(
                    (now, events) >= last.get(),
                    "the probe sees time and events move forward"
                );
                last.set((now, events));
                calls.set(calls.get() + 1);
            })
            .expect("run");
        assert_eq!(calls.get(), r.events_processed, "one call per event");
        runs.push(r);
    }
    let summaries: Vec<_> = runs.iter().map(summarize).collect();
    check("demo-summary.csv", &summary_csv(&summaries));
    check("demo-jobs.csv", &jobs_csv(&runs));
}

#[test]
fn mixed_scenario_transitions_are_unchanged() {
    let sc = limits_off(&["tests/golden/mixed.yaml"]);
    let runs = run_all(
        &sc,
        &["kube-default".to_string(), "kube-binpack".to_string()],
        &[3],
        true,
    )
    .expect("runs");
    check("mixed-events.csv", &events_csv(&runs));
    check("mixed-jobs.csv", &jobs_csv(&runs));
}

#[test]
fn gang_contention_summary_is_unchanged() {
    let sc = limits_off(&["scenarios/gang-contention.yaml"]);
    let runs = run_all(&sc, &sc.sim.policies, &[1], false).expect("runs");
    let summaries: Vec<_> = runs.iter().map(summarize).collect();
    check("gang-contention-summary.csv", &summary_csv(&summaries));
}

/// The queue scenarios under every queueing policy: per-run summaries and per-queue rows
/// (shares, waits, evictions, lost work, deserved GPUs).
#[test]
fn queue_scenarios_are_unchanged() {
    for (file, golden) in [
        ("scenarios/multi-tenant.yaml", "multi-tenant"),
        ("scenarios/priority.yaml", "priority"),
    ] {
        let sc = limits_off(&[file]);
        let runs = run_all(&sc, &sc.sim.policies, &[1], false).expect("runs");
        let summaries: Vec<_> = runs.iter().map(summarize).collect();
        check(&format!("{golden}-summary.csv"), &summary_csv(&summaries));
        let mut queues = format!("{}\n", kubesim::observe::report::QUEUES_HEADER);
        for r in &runs {
            kubesim::observe::report::queue_rows(r, &mut queues);
        }
        check(&format!("{golden}-queues.csv"), &queues);
    }
}

/// Client limits on, the components' defaults: the demo scenario under every policy (the Job
/// controller's creates, deletions, finalizer patches, status updates and events, the
/// schedulers' Bindings, condition patches and preemptions, Kueue's writes), summaries and the
/// jobs of one seed.
#[test]
fn demo_with_the_default_client_limits_is_unchanged() {
    let sc = load(&[root().join("scenarios/demo.yaml")]).expect("scenario loads");
    assert!(sc.sim.client_limits.enabled);
    let policies: Vec<String> = ["kube-default", "coscheduling", "volcano", "volcano-preempt", "kueue"]
        .map(String::from)
        .to_vec();
    let runs = run_all(&sc, &policies, &[1], false).expect("runs");
    let summaries: Vec<_> = runs.iter().map(summarize).collect();
    check("demo-limits-summary.csv", &summary_csv(&summaries));
    check("demo-limits-jobs.csv", &jobs_csv(&runs));
}

/// Client limits on: Kueue's baseline performance test (its client at 50 QPS), summary and
/// per-ClusterQueue rows.
#[test]
fn kueue_with_its_client_limited_is_unchanged() {
    let sc = load(&[root().join("scenarios/kueue-perf-baseline.yaml")]).expect("scenario loads");
    assert!(sc.sim.client_limits.enabled);
    let runs = run_all(&sc, &sc.sim.policies, &[1], false).expect("runs");
    let summaries: Vec<_> = runs.iter().map(summarize).collect();
    check("kueue-perf-summary.csv", &summary_csv(&summaries));
    let mut queues = format!("{}\n", kubesim::observe::report::QUEUES_HEADER);
    for r in &runs {
        kubesim::observe::report::queue_rows(r, &mut queues);
    }
    check("kueue-perf-queues.csv", &queues);
}

/// JobSets (client limits on, the defaults): the training scenario under its three policies,
/// summaries and the JobSets' rows (with their restarts' failed pods and their waits).
#[test]
fn jobset_training_is_unchanged() {
    let sc = load(&[root().join("scenarios/jobset-training.yaml")]).expect("scenario loads");
    let runs = run_all(&sc, &sc.sim.policies, &[1], false).expect("runs");
    let summaries: Vec<_> = runs.iter().map(summarize).collect();
    check("jobset-training-summary.csv", &summary_csv(&summaries));
    let jobs = jobs_csv(&runs);
    let mut lines = jobs.lines();
    let mut jobsets: String = lines.next().map(|h| format!("{h}\n")).unwrap_or_default();
    for l in lines.filter(|l| l.contains(",JobSet,")) {
        jobsets.push_str(l);
        jobsets.push('\n');
    }
    check("jobset-training-jobsets.csv", &jobsets);
}
