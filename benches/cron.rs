//! CronJob cost per fire (issue 12: "a CronJob's cost is linear in its fires"): an every-minute
//! CronJob (Jobs of 30 s, 1 CPU, one node) run for 1 day, 1 week, 4 weeks and 8 weeks, and an
//! `@every 1s` CronJob for 1 day. Throughput is reported in fires (Jobs started) per second; flat
//! across horizons means the cost of a fire does not grow with the fires before it. The node has
//! 64 CPUs, so even `@every 1s` (30 Jobs running at a time) never builds a queue of pending pods:
//! what is measured is the CronJob, not a growing backlog.

use divan::Bencher;
use divan::counter::ItemsCount;
use kubesim::experiment::run_all;
use kubesim::input::scenario::load_str;
use kubesim::input::spec::Scenario;

fn main() {
    divan::main();
}

/// One node, one CronJob with `schedule`, Jobs of 30 s at 1 CPU, run for `horizon`.
fn scenario(schedule: &str, horizon: &str) -> Scenario {
    let yaml = format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: cron-bench}}\nspec: {{horizon: {horizon}}}\n---\n\
         apiVersion: v1\nkind: Node\nmetadata: {{name: node-0}}\nstatus:\n  allocatable: {{cpu: \"64\", memory: 256Gi, pods: \"110\"}}\n---\n\
         apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: cj}}\nspec:\n  schedule: \"{schedule}\"\n\
         \x20 jobTemplate:\n    metadata:\n      annotations: {{kubesim.io/duration: 30s}}\n    spec:\n      template:\n        spec:\n\
         \x20         restartPolicy: Never\n          containers: [{{name: c, image: x, resources: {{limits: {{cpu: \"1\"}}}}}}]\n"
    );
    load_str("cron-bench.yaml", &yaml).expect("scenario")
}

/// Runs `sc` once under kube-default and checks it fired `fires` times.
fn run(bencher: Bencher, sc: &Scenario, fires: u64) {
    let policies = vec!["kube-default".to_string()];
    bencher.counter(ItemsCount::new(fires)).bench_local(|| {
        let runs = run_all(sc, &policies, &[1], false).expect("run");
        assert_eq!(runs[0].cron[0].started, fires);
        runs
    });
}

/// `* * * * *` for `days` days: one fire a minute (the last one, at the horizon, is not run).
#[divan::bench(args = [1, 7, 28, 56], sample_count = 3, sample_size = 1)]
fn every_minute(bencher: Bencher, days: u64) {
    let sc = scenario("* * * * *", &format!("{}h", days * 24));
    run(bencher, &sc, days * 1440 - 1);
}

/// `@every 1s` for a day.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn every_second_one_day(bencher: Bencher) {
    let sc = scenario("@every 1s", "24h");
    run(bencher, &sc, 86_399);
}
