//! Gang scheduling: the contention scenario (scenarios/gang-contention.yaml) per policy, and the
//! cost of deadlock detection on a run without partial gangs (the 100,000-job foundation
//! workload under kube-default, detection on vs off; target: under 5% apart).

use divan::Bencher;
use kubesim::experiment::run_all;
use kubesim::input::scenario::load;
use kubesim::input::synth::poisson_single_pod;
use kubesim::observe::record::EventSink;
use kubesim::policy::Policy;
use kubesim::sim::World;

fn main() {
    divan::main();
}

#[divan::bench(args = ["kube-default", "coscheduling", "volcano"], sample_count = 10, sample_size = 1)]
fn contention(bencher: Bencher, policy: &str) {
    let path = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/gang-contention.yaml"));
    let sc = load(&[path]).expect("scenario");
    let policies = vec![policy.to_string()];
    bencher.bench_local(|| run_all(&sc, &policies, &[2], false).expect("run"));
}

#[divan::bench(args = [true, false], sample_count = 5, sample_size = 1)]
fn deadlock_detection_without_gangs(bencher: Bencher, detect: bool) {
    let sc = poisson_single_pod(1_000, 100_000, 0.9);
    bencher.bench_local(|| {
        let mut w = World::new(&sc, Policy::parse("kube-default").expect("policy"), 1, &EventSink::Off).expect("world");
        w.rec.detect_deadlocks = detect;
        w.run().expect("run")
    });
}
