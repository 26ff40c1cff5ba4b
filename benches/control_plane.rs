//! The control plane's speed limits (issue 17): a burst of 200 Jobs of 64 pods (12,800 pods)
//! created within a minute on 1,600 GPUs, kube-default, with the API clients' rate limits on
//! (every create and Binding waits for its token: the Job controller at 20 QPS takes about
//! ten minutes to create them all) and off, and with kube-scheduler's throughput bounded.

use divan::Bencher;
use kubesim::experiment::run_all;
use kubesim::input::scenario::load_str;

fn main() {
    divan::main();
}

fn burst(sim: &str) -> String {
    format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: burst}}\nspec: {{{sim}}}\n---\n\
         apiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {{name: gpu}}\nspec:\n  count: 200\n  template:\n    apiVersion: v1\n    kind: Node\n    metadata: {{name: gpu}}\n    status: {{allocatable: {{cpu: \"96\", memory: 1Ti, nvidia.com/gpu: \"8\", pods: \"110\"}}}}\n---\n\
         apiVersion: kubesim.io/v1alpha1\nkind: Arrivals\nmetadata: {{name: train}}\nspec:\n  count: 200\n  every: 300ms\n  duration: {{exponential: {{mean: 30m}}}}\n  template:\n    apiVersion: batch/v1\n    kind: Job\n    metadata: {{name: train}}\n    spec:\n      completions: 64\n      parallelism: 64\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{{name: c, image: x, resources: {{limits: {{cpu: \"1\", nvidia.com/gpu: \"1\"}}}}}}]\n"
    )
}

#[divan::bench(
    args = ["", "clientRateLimits: {enabled: false}", "kubeSchedulerThroughput: 680, clientRateLimits: {kube-scheduler: {qps: 5000, burst: 5000}}"],
    sample_count = 5,
    sample_size = 1
)]
fn burst_of_jobs(bencher: Bencher, sim: &str) {
    let sc = load_str("burst.yaml", &burst(sim)).expect("scenario");
    let policies = vec!["kube-default".to_string()];
    bencher.bench_local(|| run_all(&sc, &policies, &[1], false).expect("run"));
}
