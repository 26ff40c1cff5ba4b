//! Queues and quotas: the seed's multi-tenant scenario (scenarios/multi-tenant.yaml, 100 GPUs,
//! ~500 Jobs in 24 h) per policy, and a larger contended workload (four teams, 10,000 Jobs on
//! 1,000 GPUs) under volcano, volcano-preempt and kueue, to show what queue shares, reclaim
//! and quota admission cost against the same run without them; and Kueue's own baseline
//! scheduler performance test (scenarios/kueue-perf-baseline.yaml: 15,000 bare Workloads in 30
//! ClusterQueues, Kueue's client at 50 QPS), with client limits on and off.

use divan::Bencher;
use kubesim::experiment::run_all;
use kubesim::input::scenario::{load, load_str};

fn main() {
    divan::main();
}

#[divan::bench(args = ["volcano", "volcano-preempt", "kueue"], sample_count = 10, sample_size = 1)]
fn multi_tenant(bencher: Bencher, policy: &str) {
    let path = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/multi-tenant.yaml"));
    let sc = load(&[path]).expect("scenario");
    let policies = vec![policy.to_string()];
    bencher.bench_local(|| run_all(&sc, &policies, &[1], false).expect("run"));
}

/// Four teams (Volcano queues and Kueue ClusterQueues in one cohort, weights and quotas
/// 4:3:2:1) each submitting 2,500 elastic 4-pod Jobs (Poisson) to 125 nodes of 8 GPUs at
/// about 110% offered load.
fn four_teams() -> String {
    let mut y = String::from(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: teams}\n---\n\
         apiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {name: gpu}\nspec:\n  count: 125\n  template:\n    apiVersion: v1\n    kind: Node\n    metadata: {name: gpu}\n    status:\n      allocatable: {cpu: \"96\", memory: 1Ti, nvidia.com/gpu: \"8\", pods: \"110\"}\n---\n\
         apiVersion: kueue.x-k8s.io/v1beta1\nkind: ResourceFlavor\nmetadata: {name: gpu}\n---\n",
    );
    for (i, w) in [4u32, 3, 2, 1].iter().enumerate() {
        y += &format!(
            "apiVersion: scheduling.volcano.sh/v1beta1\nkind: Queue\nmetadata: {{name: team{i}}}\nspec: {{weight: {w}, reclaimable: true}}\n---\n\
             apiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata: {{name: team{i}}}\nspec:\n  cohort: all\n  namespaceSelector: {{}}\n  preemption: {{reclaimWithinCohort: Any}}\n  resourceGroups:\n  - coveredResources: [cpu, nvidia.com/gpu]\n    flavors:\n    - name: gpu\n      resources:\n      - name: cpu\n        nominalQuota: {}\n      - name: nvidia.com/gpu\n        nominalQuota: {}\n---\n\
             apiVersion: kueue.x-k8s.io/v1beta1\nkind: LocalQueue\nmetadata: {{name: team{i}, namespace: default}}\nspec: {{clusterQueue: team{i}}}\n---\n\
             apiVersion: kubesim.io/v1alpha1\nkind: Arrivals\nmetadata: {{name: team{i}}}\nspec:\n  count: 2500\n  poisson: {{meanInterval: 30s}}\n  duration: {{lognormal: {{median: 30m, sigma: 0.5}}}}\n  template:\n    apiVersion: batch/v1\n    kind: Job\n    metadata:\n      name: team{i}\n      labels: {{kueue.x-k8s.io/queue-name: team{i}}}\n      annotations: {{scheduling.volcano.sh/queue-name: team{i}, kubesim.io/gang-size: \"2\"}}\n    spec:\n      completions: 4\n      parallelism: 4\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{{name: c, image: x, resources: {{limits: {{cpu: \"4\", nvidia.com/gpu: \"1\"}}}}}}]\n---\n",
            w * 400,
            w * 100
        );
    }
    y
}

#[divan::bench(args = ["kube-default", "volcano", "volcano-preempt", "kueue"], sample_count = 3, sample_size = 1)]
fn four_teams_10k_jobs(bencher: Bencher, policy: &str) {
    let sc = load_str("teams.yaml", &four_teams()).expect("scenario");
    let policies = vec![policy.to_string()];
    bencher.bench_local(|| run_all(&sc, &policies, &[1], false).expect("run"));
}

/// Kueue's baseline performance test: load once, then each run (no events, no outputs).
#[divan::bench(args = [true, false], sample_count = 10, sample_size = 1)]
fn kueue_perf_baseline(bencher: Bencher, client_limits: bool) {
    let path = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/kueue-perf-baseline.yaml"
    ));
    let mut sc = load(&[path]).expect("scenario");
    sc.sim.client_limits.enabled = client_limits;
    let policies = vec!["kueue".to_string()];
    bencher.bench_local(|| run_all(&sc, &policies, &[1], false).expect("run"));
}
