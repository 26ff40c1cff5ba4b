use std::time::Instant;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let nodes: usize = args.get(1).map(|s| s.parse().unwrap()).unwrap_or(1000);
    let jobs: u64 = args.get(2).map(|s| s.parse().unwrap()).unwrap_or(100_000);
    let sc = kubesim::synth::poisson_single_pod(nodes, jobs, 0.9);
    let t = Instant::now();
    let r = kubesim::experiment::run_all(&sc, &["kube-default".to_string()], &[1], false).unwrap();
    let el = t.elapsed();
    let s = kubesim::report::summarize(&r[0]);
    println!("{:?}", s);
    println!("elapsed {:?}, events {}, {:.1} M ev/s", el, s.events_processed, s.events_processed as f64 / el.as_secs_f64() / 1e6);
}
