//! Gang scheduling: the contention scenario (scenarios/gang-contention.yaml) per policy, the
//! cost of deadlock detection on a run without partial gangs (the 100,000-job foundation
//! workload under kube-default, detection on vs off; target: under 5% apart), and 100,000 gang
//! Jobs under kube-scheduler pod by pod and with its own gang scheduling (`kube-gang`).

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

#[divan::bench(args = ["kube-default", "kube-gang", "coscheduling", "volcano"], sample_count = 10, sample_size = 1)]
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

/// The foundation workload (100,000 Jobs with Poisson arrivals on 1,000 nodes of 8 GPUs, offered
/// load 0.9) with every Job of `g` GPUs turned into a gang of `g` one-GPU pods
/// (`kubesim.io/gang-size`): the same GPU-time, in gangs of 1, 2, 4 and 8 pods.
fn poisson_gangs() -> kubesim::input::spec::Scenario {
    use kubesim::input::spec::{ArrivalTemplate, WorkloadKind};
    let mut sc = poisson_single_pod(1_000, 100_000, 0.9);
    for a in &mut sc.arrivals {
        let ArrivalTemplate::Workload(w) = &mut a.template else {
            continue;
        };
        let WorkloadKind::Job(job) = &mut w.kind else {
            continue;
        };
        let g = job.template.requests.get("nvidia.com/gpu").copied().unwrap_or(1000) / 1000;
        job.template = kubesim::input::synth::gpu_pod_template(1, None);
        job.template.hints.gang_size = Some(g as u32);
        job.parallelism = Some(g as u32);
        job.completions = Some(g as u32);
    }
    sc
}

#[divan::bench(args = ["kube-default", "kube-gang"], sample_count = 3, sample_size = 1)]
fn gangs_at_scale(bencher: Bencher, policy: &str) {
    let sc = poisson_gangs();
    bencher.bench_local(|| {
        let w = World::new(&sc, Policy::parse(policy).expect("policy"), 1, &EventSink::Off).expect("world");
        w.run().expect("run")
    });
}
