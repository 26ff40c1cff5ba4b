//! Kubeflow Trainer v2 (docs/trainer.md, after kubeflow/trainer 8c0f505): a TrainJob becomes
//! the JobSet its runtime's template gives, with the TrainJob's node count, resources per
//! node, suspend and pod group, which the JobSet and Job controllers run. Hand-worked cases
//! with exact times: a pod that ends at t makes its Job Complete at t + 1 (the Job
//! controller's batched sync), and the JobSet (the TrainJob's row) completes then.

mod common;
use common::{job, nodes, run, secs, times};

const SIM: &str = "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: t}\n---\n";

/// A TrainJob `name` on runtime `runtime` (a ClusterTrainingRuntime) of `num_nodes` nodes of
/// `gpus` GPUs each, running `duration`, with extra metadata lines `more` and spec lines `spec`.
fn train_job(name: &str, runtime: &str, num_nodes: u32, gpus: u32, duration: &str, more: &str, spec: &str) -> String {
    format!(
        "apiVersion: trainer.kubeflow.org/v1alpha1\nkind: TrainJob\nmetadata:\n  name: {name}\n  annotations: {{kubesim.io/duration: {duration}}}\n{more}spec:\n  runtimeRef: {{name: {runtime}}}\n{spec}  trainer:\n    numNodes: {num_nodes}\n    resourcesPerNode:\n      limits: {{nvidia.com/gpu: {gpus}}}\n---\n"
    )
}

/// A ClusterTrainingRuntime `name` (torch policy, 1 node by default) with `policy` lines under
/// its spec and an initializer replicatedJob before the trainer when `init` is set.
fn runtime(name: &str, policy: &str, init: bool) -> String {
    let initializer = if init {
        "      - name: dataset-initializer\n        template:\n          metadata:\n            labels: {trainer.kubeflow.org/trainjob-ancestor-step: dataset-initializer}\n            annotations: {kubesim.io/duration: 50s}\n          spec:\n            template:\n              spec:\n                containers: [{name: dataset-initializer, image: x, resources: {requests: {cpu: \"1\"}}}]\n"
    } else {
        ""
    };
    let depends = if init {
        "        dependsOn: [{name: dataset-initializer, status: Complete}]\n"
    } else {
        ""
    };
    format!(
        "apiVersion: trainer.kubeflow.org/v1alpha1\nkind: ClusterTrainingRuntime\nmetadata: {{name: {name}}}\nspec:\n  mlPolicy: {{numNodes: 1, torch: {{}}}}\n{policy}  template:\n    spec:\n      replicatedJobs:\n{initializer}      - name: node\n{depends}        template:\n          metadata:\n            labels: {{trainer.kubeflow.org/trainjob-ancestor-step: trainer}}\n          spec:\n            template:\n              spec:\n                containers: [{{name: node, image: x}}]\n---\n"
    )
}

#[test]
fn a_train_job_on_the_default_torch_runtime_runs_its_nodes_as_one_indexed_job() {
    // torch-distributed is not in the scenario: Trainer's default copy is used. Its one
    // replicatedJob `node` becomes one Job of parallelism = completions = numNodes = 3, each
    // pod asking for 8 GPUs (resourcesPerNode into the `node` container). 4 nodes of 8 GPUs:
    // all three run at 0 s, end at 600 s, the Job is Complete at 601 s and so is the TrainJob.
    let y = format!(
        "{SIM}{}{}",
        nodes(4, 8),
        train_job("llm", "torch-distributed", 3, 8, "600s", "", "")
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "llm-node-0", "JobCreated"), [0.0]);
    assert_eq!(times(&r, "llm-node-0-", "PodRunning"), [0.0, 0.0, 0.0]);
    assert_eq!(times(&r, "llm-node-0", "JobComplete"), [601.0]);
    assert_eq!(r.jobs.len(), 1);
    let j = job(&r, "llm");
    assert_eq!(j.kind, "TrainJob");
    assert_eq!((j.pods, j.gpus_milli), (3, 24_000));
    assert_eq!(
        (j.state.as_str(), secs(j.start), secs(j.finish)),
        ("Complete", Some(0.0), Some(601.0))
    );
}

#[test]
fn a_dataset_initializer_runs_before_the_trainer_nodes() {
    // dependsOn Complete: the initializer's pod ends at 50 s, its Job is Complete at 51 s, and
    // only then is the trainer's Job created; its pods end at 151 s, Complete at 152 s.
    let y = format!(
        "{SIM}{}{}{}",
        nodes(2, 8),
        runtime("with-init", "", true),
        train_job("ft", "with-init", 2, 8, "100s", "", "")
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "ft-dataset-initializer-0", "JobComplete"), [51.0]);
    assert_eq!(times(&r, "ft-node-0", "JobCreated"), [51.0]);
    let j = job(&r, "ft");
    assert_eq!((j.pods, j.state.as_str(), secs(j.finish)), (3, "Complete", Some(152.0)));
}

#[test]
fn a_coscheduling_pod_group_policy_makes_the_train_job_one_gang() {
    // The runtime's podGroupPolicy: a PodGroup named after the TrainJob, minMember = every pod
    // of it (3). On 2 nodes of 8 GPUs the 3 nodes of 8 GPUs never fit together: under
    // coscheduling no pod runs; pod by pod under kube-default two run at once and the third
    // when they end (100 s).
    let y = format!(
        "{}{}{}{}",
        SIM.replace("metadata: {name: t}", "metadata: {name: t}\nspec: {horizon: 600s}"),
        nodes(2, 8),
        runtime(
            "gang",
            "  podGroupPolicy: {coscheduling: {scheduleTimeoutSeconds: 30}}\n",
            false
        ),
        train_job("big", "gang", 3, 8, "100s", "", "")
    );
    let sc = kubesim::input::scenario::load_str("t.yaml", &y).expect("loads");
    let pg = &sc.pod_groups[0];
    assert_eq!(
        (pg.name.as_str(), pg.min_member, pg.schedule_timeout_s),
        ("big", 3, Some(30))
    );
    let gang = run(&y, "coscheduling");
    assert!(times(&gang, "big-", "PodRunning").is_empty());
    assert!(job(&gang, "big").gang);
    let pod_by_pod = run(
        &y.replace(
            "podGroupPolicy: {coscheduling: {scheduleTimeoutSeconds: 30}}",
            "podGroupPolicy: {}",
        ),
        "kube-default",
    );
    assert_eq!(times(&pod_by_pod, "big-", "PodRunning"), [0.0, 0.0, 100.0]);
}

const KUEUE: &str = "apiVersion: kueue.x-k8s.io/v1beta1\nkind: ResourceFlavor\nmetadata: {name: f}\n---\napiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata: {name: cq}\nspec:\n  namespaceSelector: {}\n  resourceGroups:\n  - coveredResources: [nvidia.com/gpu]\n    flavors:\n    - name: f\n      resources: [{name: nvidia.com/gpu, nominalQuota: 16}]\n---\napiVersion: kueue.x-k8s.io/v1beta1\nkind: LocalQueue\nmetadata: {name: lq, namespace: default}\nspec: {clusterQueue: cq}\n---\n";

#[test]
fn kueue_admits_a_train_job_as_one_workload() {
    // Two suspended TrainJobs of 2 nodes x 8 GPUs for LocalQueue lq (quota 16 GPUs), as
    // Trainer's Kueue example writes them: the first is admitted at 0 s and completes at
    // 101 s; the second, submitted at 5 s, is admitted at the requeue a batch period after
    // the quota is released (102 s) and completes at 203 s.
    let queued = |name: &str, at: &str| {
        train_job(
            name,
            "torch-distributed",
            2,
            8,
            "100s",
            "  labels: {kueue.x-k8s.io/queue-name: lq}\n",
            "  suspend: true\n",
        )
        .replace(
            "{kubesim.io/duration: 100s}",
            &format!("{{kubesim.io/duration: 100s, kubesim.io/submit-at: {at}}}"),
        )
    };
    let y = format!(
        "{SIM}{}{KUEUE}{}{}",
        nodes(4, 8),
        queued("first", "0s"),
        queued("second", "5s")
    );
    let r = run(&y, "kueue");
    assert_eq!(times(&r, "first", "QuotaReserved"), [0.0]);
    assert_eq!(times(&r, "second", "QuotaReserved"), [102.0]);
    let (first, second) = (job(&r, "first"), job(&r, "second"));
    assert_eq!((secs(first.start), secs(first.finish)), (Some(0.0), Some(101.0)));
    assert_eq!((secs(second.start), secs(second.finish)), (Some(102.0), Some(203.0)));
    assert_eq!(second.queue, "cq");
}
