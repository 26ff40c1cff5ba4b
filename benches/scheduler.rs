//! End-to-end runs under kube-default. The foundation target: 100,000 single-pod Jobs with
//! Poisson arrivals at about 90% offered load on 1,000 nodes of 8 GPUs, under 1 second.

use divan::Bencher;
use kubesim::experiment::run_all;
use kubesim::input::synth::poisson_single_pod;

fn main() {
    divan::main();
}

#[divan::bench(args = [(100, 10_000), (1_000, 100_000)], sample_count = 5, sample_size = 1)]
fn poisson_kube_default(bencher: Bencher, (nodes, jobs): (usize, u64)) {
    let sc = poisson_single_pod(nodes, jobs, 0.9);
    let policies = vec!["kube-default".to_string()];
    bencher.counter(divan::counter::ItemsCount::new(jobs)).bench_local(|| {
        let runs = run_all(&sc, &policies, &[1], false).expect("runs");
        assert_eq!(runs[0].jobs.len() as u64, jobs);
        runs
    });
}

#[divan::bench(args = [(1_000, 100_000)], sample_count = 5, sample_size = 1)]
fn poisson_kube_binpack(bencher: Bencher, (nodes, jobs): (usize, u64)) {
    let sc = poisson_single_pod(nodes, jobs, 0.9);
    let policies = vec!["kube-binpack".to_string()];
    bencher
        .counter(divan::counter::ItemsCount::new(jobs))
        .bench_local(|| run_all(&sc, &policies, &[1], false).expect("runs"));
}

/// Replications in parallel: `--seeds 1..4` of the 100,000-Job case on 1 and 2 threads (the
/// runs are independent; the ratio of the two is the thread scaling the README reports).
#[divan::bench(args = [1, 2], sample_count = 3, sample_size = 1)]
fn poisson_four_seeds_on_threads(bencher: Bencher, threads: usize) {
    let sc = poisson_single_pod(1_000, 100_000, 0.9);
    let policies = vec!["kube-default".to_string()];
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    bencher.bench_local(|| pool.install(|| run_all(&sc, &policies, &[1, 2, 3, 4], false).expect("runs")));
}
