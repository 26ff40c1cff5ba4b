//! Kueue's integration of Kubeflow training jobs (docs/kubeflow.md, docs/mpijob.md, after
//! kueue `pkg/controller/jobs/kubeflow/kubeflowjob` and `pkg/controller/jobs/mpijob`) on
//! hand-worked cases: one Workload per job with a pod set per replica type, the job created
//! suspended and resumed on admission, evicted by suspending it again, its quota released when
//! it finishes.

mod common;
use common::{bound, job, nodes, run, secs, times};

const SIM: &str = "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: t}\n---\n";

/// A ClusterQueue `cq` of 4 CPUs (flavor `f`, whose node label and toleration are `flavor`) and
/// its LocalQueue `lq`.
fn kueue(flavor: &str) -> String {
    format!(
        "apiVersion: kueue.x-k8s.io/v1beta1\nkind: ResourceFlavor\nmetadata: {{name: f}}\n{flavor}---\napiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata: {{name: cq}}\nspec:\n  namespaceSelector: {{}}\n  preemption: {{withinClusterQueue: LowerPriority}}\n  resourceGroups:\n  - coveredResources: [cpu]\n    flavors:\n    - name: f\n      resources: [{{name: cpu, nominalQuota: 4}}]\n---\napiVersion: kueue.x-k8s.io/v1beta1\nkind: LocalQueue\nmetadata: {{name: lq, namespace: default}}\nspec: {{clusterQueue: cq}}\n---\n"
    )
}

/// A Kueue Configuration managing the frameworks `frameworks`.
fn frameworks(frameworks: &str) -> String {
    format!(
        "apiVersion: config.kueue.x-k8s.io/v1beta1\nkind: Configuration\nintegrations:\n  frameworks: [{frameworks}]\n---\n"
    )
}

/// A replica spec `rtype` of `replicas` pods of 1 CPU running `duration`.
fn replica(rtype: &str, replicas: u32, duration: &str) -> String {
    format!(
        "    {rtype}:\n      replicas: {replicas}\n      template:\n        metadata:\n          annotations: {{kubesim.io/duration: {duration}}}\n        spec:\n          containers: [{{name: pytorch, image: x, resources: {{requests: {{cpu: \"1\"}}}}}}]\n"
    )
}

/// A PyTorchJob `name` for LocalQueue `lq`, submitted at `at`: a Master and `workers` Workers.
fn pytorch(name: &str, at: &str, workers: u32, duration: &str) -> String {
    format!(
        "apiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata:\n  name: {name}\n  labels: {{kueue.x-k8s.io/queue-name: lq}}\n  annotations: {{kubesim.io/submit-at: {at}}}\nspec:\n  runPolicy: {{cleanPodPolicy: All}}\n  pytorchReplicaSpecs:\n{}{}---\n",
        replica("Master", 1, duration),
        replica("Worker", workers, duration)
    )
}

/// A Job of one pod of `cpu` CPUs for LocalQueue `lq`, submitted at `at`, running `dur`, with
/// priority class `prio` (or none).
fn kjob(name: &str, cpu: u32, at: &str, dur: &str, prio: &str) -> String {
    format!(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}\n  labels: {{kueue.x-k8s.io/queue-name: lq}}\n  annotations: {{kubesim.io/submit-at: {at}, kubesim.io/duration: {dur}}}\nspec:\n  template:\n    spec:\n{prio}      restartPolicy: Never\n      containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"{cpu}\"}}}}}}]\n---\n"
    )
}

/// An MPIJob `name` for LocalQueue `lq`, submitted at `at`: a launcher and `workers` workers of
/// 1 CPU; mpirun runs `duration`.
fn mpijob(name: &str, at: &str, workers: u32, duration: &str) -> String {
    format!(
        "apiVersion: kubeflow.org/v2beta1\nkind: MPIJob\nmetadata:\n  name: {name}\n  labels: {{kueue.x-k8s.io/queue-name: lq}}\n  annotations: {{kubesim.io/duration: {duration}, kubesim.io/submit-at: {at}}}\nspec:\n  runPolicy: {{cleanPodPolicy: Running}}\n  mpiReplicaSpecs:\n    Launcher:\n      replicas: 1\n      template:\n        spec:\n          containers: [{{name: launcher, image: x, resources: {{requests: {{cpu: \"1\"}}}}}}]\n    Worker:\n      replicas: {workers}\n      template:\n        spec:\n          containers: [{{name: worker, image: x, resources: {{requests: {{cpu: \"1\"}}}}}}]\n---\n"
    )
}

const HIGH: &str = "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 1000\n---\n";

#[test]
fn a_pytorchjob_waits_for_quota_and_is_admitted_when_a_job_finishes() {
    // A 3-CPU Job holds 3 of the 4 CPUs from 0 to 50 s. The PyTorchJob (Master + 2 Workers,
    // 1 CPU each: 3 CPUs, one Workload) comes at 10 s: it does not fit. The Job's pod ends at
    // 50 s, the Job controller's sync finishes it at 51 s (quota released); the requeue of
    // inadmissible workloads a batch period later (52 s) admits the PyTorchJob, which is
    // resumed: its 3 pods are created and run at 52, its Master succeeds at 82 s.
    let y = format!(
        "{SIM}{}{}{}{}{}",
        nodes(2, 0),
        frameworks("batch/job, kubeflow.org/pytorchjob"),
        kueue(""),
        kjob("blocker", 3, "0s", "50s", ""),
        pytorch("pt", "10s", 2, "30s"),
    );
    let r = run(&y, "kueue");
    assert_eq!(times(&r, "pt", "QuotaReserved"), [52.0]);
    assert_eq!(times(&r, "pt-", "PodCreated"), [52.0, 52.0, 52.0]);
    let pt = job(&r, "pt");
    assert_eq!(pt.kind, "PyTorchJob");
    assert_eq!(pt.queue, "cq");
    assert_eq!(
        (pt.state.as_str(), secs(pt.start), secs(pt.finish)),
        ("Complete", Some(52.0), Some(82.0))
    );
}

#[test]
fn pytorchjobs_are_not_managed_unless_the_configuration_lists_them() {
    // Kueue's released manifests leave kubeflow.org/pytorchjob commented out: without a
    // Configuration listing it, the PyTorchJob runs at once, without a Workload.
    let y = format!(
        "{SIM}{}{}{}{}",
        nodes(2, 0),
        kueue(""),
        kjob("blocker", 3, "0s", "50s", ""),
        pytorch("pt", "10s", 2, "30s"),
    );
    let r = run(&y, "kueue");
    assert!(times(&r, "pt", "QuotaReserved").is_empty());
    assert_eq!(times(&r, "pt-", "PodCreated"), [10.0, 10.0, 10.0]);
    assert_eq!(job(&r, "pt").queue, "");
}

#[test]
fn an_mpijob_is_one_workload_of_its_launcher_and_workers() {
    // MPIJobs are managed by default (the released manifests list kubeflow.org/mpijob). `a`:
    // launcher + 2 workers = 3 CPUs, admitted at 0; its launcher Job, created suspended, is
    // resumed; mpirun runs 40 s from 0, the launcher Job completes at 41 s (the Job
    // controller's batched sync), and so does the MPIJob: its quota is released at 41 and the
    // requeue admits `b` (3 CPUs, waiting since 5 s) at 42.
    let y = format!(
        "{SIM}{}{}{}{}",
        nodes(2, 0),
        kueue(""),
        mpijob("a", "0s", 2, "40s"),
        mpijob("b", "5s", 2, "40s"),
    );
    let r = run(&y, "kueue");
    assert_eq!(times(&r, "a", "QuotaReserved"), [0.0]);
    assert_eq!(times(&r, "a-launcher", "JobSuspended"), [0.0]);
    assert_eq!(times(&r, "a-launcher", "JobResumed"), [0.0]);
    assert_eq!(times(&r, "a", "MPIJobSucceeded"), [41.0]);
    assert_eq!(times(&r, "b", "QuotaReserved"), [42.0]);
    assert_eq!(times(&r, "b-worker-", "PodCreated"), [42.0, 42.0]);
    assert_eq!(times(&r, "b-launcher", "JobResumed"), [42.0]);
    let b = job(&r, "b");
    assert_eq!(b.queue, "cq");
    assert_eq!(
        (b.state.as_str(), secs(b.start), secs(b.finish)),
        ("Complete", Some(42.0), Some(83.0))
    );
    // The launcher is counted: two MPIJobs of 1 launcher + 1 worker (2 CPUs each) fit together.
    let y = format!(
        "{SIM}{}{}{}{}",
        nodes(2, 0),
        kueue(""),
        mpijob("a", "0s", 1, "40s"),
        mpijob("b", "5s", 1, "40s"),
    );
    let r = run(&y, "kueue");
    assert_eq!(times(&r, "b", "QuotaReserved"), [5.0]);
}

#[test]
fn a_preempted_pytorchjob_is_suspended_and_admitted_again() {
    // The PyTorchJob (3 CPUs) runs from 0; a high-priority 4-CPU Job at 10 s preempts it:
    // its pods are deleted (each counted as preempted once), its quota released once they are
    // gone, and the Job admitted. The Job's pod ends at 30 s, the Job finishes at 31 s, and the
    // PyTorchJob is admitted again at 32 s (the requeue's batch period) and recreates its pods.
    let y = format!(
        "{SIM}{HIGH}{}{}{}{}{}",
        nodes(2, 0),
        frameworks("batch/job, kubeflow.org/pytorchjob"),
        kueue(""),
        pytorch("pt", "0s", 2, "100s"),
        kjob("urgent", 4, "10s", "20s", "      priorityClassName: high\n"),
    );
    let r = run(&y, "kueue");
    let admitted = times(&r, "pt", "QuotaReserved");
    assert_eq!(admitted, [0.0, 32.0]);
    assert_eq!(times(&r, "pt", "WorkloadEvicted"), [10.0]);
    assert_eq!(times(&r, "urgent", "QuotaReserved").len(), 1);
    let created = times(&r, "pt-", "PodCreated");
    assert_eq!(created, [0.0, 0.0, 0.0, 32.0, 32.0, 32.0]);
    let pt = job(&r, "pt");
    assert_eq!(pt.state.as_str(), "Complete");
    assert_eq!(secs(pt.finish), Some(132.0));
    assert_eq!(pt.preemptions, 3, "each of its 3 running pods evicted once");
}

#[test]
fn the_flavors_node_labels_go_into_every_replicas_pods() {
    // Flavor `f` has node label pool=a: only node-1 carries it (node-0 has more room), so
    // every pod of the PyTorchJob and the MPIJob, workers and launcher, runs on node-1.
    let labelled = "apiVersion: v1\nkind: Node\nmetadata: {name: node-1, labels: {pool: a}}\nstatus:\n  allocatable: {cpu: \"8\", memory: 64Gi, pods: \"110\"}\n---\n";
    let free = "apiVersion: v1\nkind: Node\nmetadata: {name: node-0}\nstatus:\n  allocatable: {cpu: \"64\", memory: 64Gi, pods: \"110\"}\n---\n";
    let y = format!(
        "{SIM}{free}{labelled}{}{}{}",
        frameworks("kubeflow.org/mpijob, kubeflow.org/pytorchjob"),
        kueue("spec: {nodeLabels: {pool: a}}\n"),
        pytorch("pt", "0s", 1, "30s"),
    );
    let r = run(&y, "kueue");
    let pt = job(&r, "pt");
    assert_eq!(pt.state.as_str(), "Complete");
    assert_eq!(bound(&r, "pt-"), ["node-1", "node-1"]);
    let y = format!(
        "{SIM}{free}{labelled}{}{}",
        kueue("spec: {nodeLabels: {pool: a}}\n"),
        mpijob("m", "0s", 2, "30s"),
    );
    let r = run(&y, "kueue");
    assert_eq!(job(&r, "m").state.as_str(), "Complete");
    assert_eq!(bound(&r, "m-"), ["node-1", "node-1", "node-1"]);
}

#[test]
fn a_configuration_without_mpijob_leaves_mpijobs_unmanaged_and_tfjobs_are_managed_when_listed() {
    // Frameworks [batch/job, kubeflow.org/tfjob]: the MPIJob (3 CPUs) runs at once without a
    // Workload while the blocker holds 3 of the 4 CPUs; the TFJob of 2 Workers (2 CPUs), in
    // its pod set `Worker`, waits for the blocker's Job to finish (51 s) and the requeue (52 s).
    let tf = "apiVersion: kubeflow.org/v1\nkind: TFJob\nmetadata:\n  name: tf\n  labels: {kueue.x-k8s.io/queue-name: lq}\n  annotations: {kubesim.io/submit-at: 10s}\nspec:\n  tfReplicaSpecs:\n    Worker:\n      replicas: 2\n      template:\n        metadata:\n          annotations: {kubesim.io/duration: 30s}\n        spec:\n          containers: [{name: tensorflow, image: x, resources: {requests: {cpu: \"1\"}}}]\n---\n";
    let y = format!(
        "{SIM}{}{}{}{}{}{tf}",
        nodes(2, 0),
        frameworks("batch/job, kubeflow.org/tfjob"),
        kueue(""),
        kjob("blocker", 3, "0s", "50s", ""),
        mpijob("m", "10s", 2, "40s"),
    );
    let r = run(&y, "kueue");
    assert!(times(&r, "m", "QuotaReserved").is_empty());
    assert_eq!(times(&r, "m-worker-", "PodCreated"), [10.0, 10.0]);
    assert_eq!(job(&r, "m").queue, "");
    assert_eq!(times(&r, "tf", "QuotaReserved"), [52.0]);
    let tf = job(&r, "tf");
    assert_eq!((tf.kind, tf.queue.as_str()), ("TFJob", "cq"));
    assert_eq!(
        (tf.state.as_str(), secs(tf.start), secs(tf.finish)),
        ("Complete", Some(52.0), Some(82.0))
    );
}

#[test]
fn kueues_own_samples_are_admitted_and_run_to_completion() {
    // Kueue's samples (tests/upstream/kubeflow, tests/upstream/mpijob) in its single
    // ClusterQueue setup (cpu 9, memory 36Gi; LocalQueue user-queue): each is admitted at 0,
    // its pods created then, and it completes.
    let setup = "apiVersion: kueue.x-k8s.io/v1beta1\nkind: ResourceFlavor\nmetadata: {name: default-flavor}\n---\napiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata: {name: cluster-queue}\nspec:\n  namespaceSelector: {}\n  resourceGroups:\n  - coveredResources: [cpu, memory]\n    flavors:\n    - name: default-flavor\n      resources: [{name: cpu, nominalQuota: 9}, {name: memory, nominalQuota: 36Gi}]\n---\napiVersion: kueue.x-k8s.io/v1beta1\nkind: LocalQueue\nmetadata: {name: user-queue, namespace: default}\nspec: {clusterQueue: cluster-queue}\n---\n";
    let sim =
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: t}\nspec:\n  defaultDuration: 60s\n---\n";
    for (dir, f, name, kind, pods) in [
        (
            "kubeflow",
            "kueue-sample-pytorchjob.yaml",
            "pytorch-simple",
            "PyTorchJob",
            2,
        ),
        (
            "kubeflow",
            "kueue-sample-tfjob.yaml",
            "tensorflow-dist-mnist",
            "TFJob",
            3,
        ),
        ("mpijob", "kueue-sample-mpijob.yaml", "pi", "MPIJob", 3),
        ("kubeflow", "kueue-sample-jaxjob.yaml", "jax-simple", "JAXJob", 2),
        (
            "kubeflow",
            "kueue-sample-paddlejob.yaml",
            "paddle-simple-cpu",
            "PaddleJob",
            2,
        ),
        (
            "kubeflow",
            "kueue-sample-xgboostjob.yaml",
            "xgboost-dist-iris-test-train",
            "XGBoostJob",
            3,
        ),
    ] {
        let text = std::fs::read_to_string(format!("{}/tests/upstream/{dir}/{f}", env!("CARGO_MANIFEST_DIR")))
            .expect("the sample");
        let y = format!(
            "{sim}{}{}{setup}{text}",
            nodes(2, 0),
            frameworks(
                "batch/job, kubeflow.org/mpijob, kubeflow.org/pytorchjob, kubeflow.org/tfjob, \
                 kubeflow.org/jaxjob, kubeflow.org/paddlejob, kubeflow.org/xgboostjob"
            )
        );
        let r = run(&y, "kueue");
        assert_eq!(times(&r, name, "QuotaReserved"), [0.0], "{f}");
        let j = job(&r, name);
        assert_eq!(
            (j.kind, j.state.as_str(), j.pods, j.queue.as_str()),
            (kind, "Complete", pods, "cluster-queue"),
            "{f}"
        );
        assert_eq!(secs(j.start), Some(0.0), "{f}");
    }
}
