//! JobSets through the whole stack: 10,000 JobSets of 4 Jobs x 8 one-GPU pods (320,000 pods),
//! Poisson arrivals at 90% offered load on 1,000 nodes of 8 GPUs, each JobSet's Jobs created by
//! the JobSet controller and run by the Job controller, under kube-default; and a tenth of it,
//! to see the cost grow with the work.

use divan::Bencher;
use kubesim::experiment::run_all;
use kubesim::input::synth::poisson_jobsets;

fn main() {
    divan::main();
}

#[divan::bench(args = [1_000, 10_000], sample_count = 3, sample_size = 1)]
fn jobsets_4x8_kube_default(bencher: Bencher, jobsets: u64) {
    let sc = poisson_jobsets(1_000, jobsets, 4, 8, 0.9);
    let policies = vec!["kube-default".to_string()];
    bencher
        .counter(divan::counter::ItemsCount::new(jobsets))
        .bench_local(|| {
            let runs = run_all(&sc, &policies, &[1], false).expect("runs");
            assert_eq!(runs[0].jobs.len() as u64, jobsets);
            assert!(runs[0].jobs.iter().all(|j| j.kind == "JobSet" && j.finish.is_some()));
            runs
        });
}
