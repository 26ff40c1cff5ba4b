//! The overload scenario of the speed benchmarks (`scripts/overload.sh`, README, Speed): two
//! teams share 1,000 GPUs (125 nodes x 8) and submit one-GPU Jobs of one hour, Poisson
//! arrivals, together LOAD times the capacity; Volcano queues of equal weight and Kueue
//! ClusterQueues of 500 GPUs each in one cohort with reclaimWithinCohort Any. 10,000 and
//! 100,000 Jobs at 2x, 4x and 8x: the time should grow linearly with the Jobs whatever the
//! backlog. `easy-backfill` runs the same scenario with every Job announcing its hour
//! (`kubesim.io/runtime-estimate: 1h`, which no other policy reads). Each sample is one whole run (load the scenario and simulate; outputs are not
//! written).

use std::path::PathBuf;

use divan::Bencher;
use kubesim::experiment::run_all;
use kubesim::input::scenario::load;

fn main() {
    divan::main();
}

/// The scenario `scripts/overload.sh JOBS LOAD` prints.
fn overload_yaml(jobs: u64, load: u64) -> String {
    let per_team = jobs / 2;
    // Each team offers LOAD x 500 GPU-hours per hour: one 1-hour job every 3,600,000 / (LOAD x 500) ms.
    let interval = 3_600_000 / (load * 500);
    let mut y = format!(
        r#"apiVersion: kubesim.io/v1alpha1
kind: Simulation
metadata: {{name: overload-{jobs}-{load}x}}
spec: {{seed: 1}}
---
apiVersion: kubesim.io/v1alpha1
kind: NodePool
metadata: {{name: gpu}}
spec:
  count: 125
  template:
    apiVersion: v1
    kind: Node
    metadata: {{name: gpu}}
    status: {{allocatable: {{cpu: "96", memory: 1Ti, nvidia.com/gpu: "8", pods: "110"}}}}
---
apiVersion: kueue.x-k8s.io/v1beta1
kind: ResourceFlavor
metadata: {{name: gpu}}
"#
    );
    for t in ["a", "b"] {
        y.push_str(&format!(
            r#"---
apiVersion: scheduling.volcano.sh/v1beta1
kind: Queue
metadata: {{name: team-{t}}}
spec: {{weight: 1, reclaimable: true}}
---
apiVersion: kueue.x-k8s.io/v1beta1
kind: ClusterQueue
metadata: {{name: team-{t}}}
spec:
  cohort: all
  namespaceSelector: {{}}
  preemption: {{reclaimWithinCohort: Any}}
  resourceGroups:
  - coveredResources: [nvidia.com/gpu]
    flavors:
    - name: gpu
      resources:
      - {{name: nvidia.com/gpu, nominalQuota: 500}}
---
apiVersion: kueue.x-k8s.io/v1beta1
kind: LocalQueue
metadata: {{name: team-{t}, namespace: default}}
spec: {{clusterQueue: team-{t}}}
---
apiVersion: kubesim.io/v1alpha1
kind: Arrivals
metadata: {{name: team-{t}}}
spec:
  count: {per_team}
  poisson: {{meanInterval: {interval}ms}}
  duration: {{fixed: 1h}}
  template:
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: team-{t}
      labels: {{kueue.x-k8s.io/queue-name: team-{t}}}
      annotations: {{scheduling.volcano.sh/queue-name: team-{t}}}
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{{name: c, image: x, resources: {{limits: {{nvidia.com/gpu: 1}}}}}}]
"#
        ));
    }
    y
}

/// The overload scenario written to a temporary file (the loader reads files); under
/// `easy-backfill` each Job carries its runtime estimate.
fn overload_file(jobs: u64, load: u64, policy: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubesim-bench-overload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(format!("overload-{jobs}-{load}-{policy}.yaml"));
    let mut y = overload_yaml(jobs, load);
    if policy == "easy-backfill" {
        for t in ["a", "b"] {
            y = y.replace(
                &format!("annotations: {{scheduling.volcano.sh/queue-name: team-{t}}}"),
                &format!(
                    "annotations: {{scheduling.volcano.sh/queue-name: team-{t}, kubesim.io/runtime-estimate: 1h}}"
                ),
            );
        }
    }
    std::fs::write(&p, y).expect("write scenario");
    p
}

/// One whole run of the overload scenario under `policy`.
fn run(bencher: Bencher, policy: &str, jobs: u64, times: u64) {
    let f = overload_file(jobs, times, policy);
    bencher.bench_local(|| {
        let sc = load(std::slice::from_ref(&f)).expect("scenario");
        run_all(&sc, &[policy.to_string()], &[1], false).expect("run")
    });
}

/// (policy, load) pairs, each at 10,000 and 100,000 Jobs.
const CASES: [(&str, u64); 12] = [
    ("volcano", 2),
    ("volcano", 4),
    ("volcano", 8),
    ("volcano-preempt", 2),
    ("volcano-preempt", 4),
    ("volcano-preempt", 8),
    ("kueue", 2),
    ("kueue", 4),
    ("kueue", 8),
    ("easy-backfill", 2),
    ("easy-backfill", 4),
    ("easy-backfill", 8),
];

#[divan::bench(args = CASES, sample_count = 3, sample_size = 1)]
fn jobs_10k(bencher: Bencher, (policy, load): (&str, u64)) {
    run(bencher, policy, 10_000, load);
}

#[divan::bench(args = CASES, sample_count = 2, sample_size = 1)]
fn jobs_100k(bencher: Bencher, (policy, load): (&str, u64)) {
    run(bencher, policy, 100_000, load);
}
