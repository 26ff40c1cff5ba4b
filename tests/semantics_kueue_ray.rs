//! Kueue's integration of KubeRay's RayJob and RayCluster (docs/ray.md "Under Kueue", after
//! kueue `pkg/controller/jobs/rayjob`, `pkg/controller/jobs/raycluster` at `ff69552e`) on
//! hand-worked cases: one Workload per object with pod sets head, each worker group and a
//! RayJob's submitter, the object created suspended and resumed on admission, evicted by
//! suspending it again (KubeRay deletes its cluster), a RayJob's quota released when it is
//! Complete or Failed, a RayCluster's held to the end; and what Kueue's webhook refuses.

mod common;
use common::{bound, job, nodes, run, secs, times};

/// A Simulation with a horizon of 1000 s.
const SIM: &str =
    "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: t}\nspec: {horizon: 1000s}\n---\n";

const HIGH: &str = "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 1000\n---\n";

/// A ClusterQueue `cq` of 4 CPUs and 64Gi (flavor `f`, spec `flavor`), preempting lower
/// priorities within it, and its LocalQueue `lq`.
fn kueue(flavor: &str) -> String {
    format!(
        "apiVersion: kueue.x-k8s.io/v1beta1\nkind: ResourceFlavor\nmetadata: {{name: f}}\n{flavor}---\napiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata: {{name: cq}}\nspec:\n  namespaceSelector: {{}}\n  preemption: {{withinClusterQueue: LowerPriority}}\n  resourceGroups:\n  - coveredResources: [cpu, memory]\n    flavors:\n    - name: f\n      resources: [{{name: cpu, nominalQuota: 4}}, {{name: memory, nominalQuota: 64Gi}}]\n---\napiVersion: kueue.x-k8s.io/v1beta1\nkind: LocalQueue\nmetadata: {{name: lq, namespace: default}}\nspec: {{clusterQueue: cq}}\n---\n"
    )
}

/// A Kueue Configuration managing the frameworks `frameworks`.
fn frameworks(frameworks: &str) -> String {
    format!(
        "apiVersion: config.kueue.x-k8s.io/v1beta1\nkind: Configuration\nintegrations:\n  frameworks: [{frameworks}]\n---\n"
    )
}

/// A cluster spec (indented by `ind`): a 1-CPU head and worker group `w` of `workers` 1-CPU
/// workers.
fn cluster(ind: usize, workers: u32) -> String {
    let text = format!(
        "headGroupSpec:\n  rayStartParams: {{}}\n  template:\n    spec:\n      containers: [{{name: ray-head, image: rayproject/ray, resources: {{requests: {{cpu: \"1\"}}}}}}]\nworkerGroupSpecs:\n- groupName: w\n  replicas: {workers}\n  rayStartParams: {{}}\n  template:\n    spec:\n      containers: [{{name: ray-worker, image: rayproject/ray, resources: {{requests: {{cpu: \"1\"}}}}}}]\n"
    );
    let pad = " ".repeat(ind);
    text.lines().map(|l| format!("{pad}{l}\n")).collect()
}

/// A RayJob `name` for LocalQueue `lq`, submitted at `at`, its entrypoint running `duration`,
/// spec lines `spec` (shutdownAfterJobFinishes is on, ttl 30 s) and `workers` workers.
fn ray_job(name: &str, at: &str, duration: &str, spec: &str, workers: u32) -> String {
    format!(
        "apiVersion: ray.io/v1\nkind: RayJob\nmetadata:\n  name: {name}\n  labels: {{kueue.x-k8s.io/queue-name: lq}}\n  annotations: {{kubesim.io/submit-at: {at}, kubesim.io/duration: {duration}}}\nspec:\n  entrypoint: python main.py\n  shutdownAfterJobFinishes: true\n  ttlSecondsAfterFinished: 30\n{spec}  rayClusterSpec:\n{}---\n",
        cluster(4, workers)
    )
}

/// A RayCluster `name` for LocalQueue `lq`, submitted at `at`, of `workers` workers.
fn ray_cluster(name: &str, at: &str, workers: u32) -> String {
    format!(
        "apiVersion: ray.io/v1\nkind: RayCluster\nmetadata:\n  name: {name}\n  labels: {{kueue.x-k8s.io/queue-name: lq}}\n  annotations: {{kubesim.io/submit-at: {at}}}\nspec:\n{}---\n",
        cluster(2, workers)
    )
}

/// A Job of one pod of `cpu` CPUs for LocalQueue `lq`, submitted at `at`, running `dur`, with
/// pod spec lines `prio`.
fn kjob(name: &str, cpu: u32, at: &str, dur: &str, prio: &str) -> String {
    format!(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}\n  labels: {{kueue.x-k8s.io/queue-name: lq}}\n  annotations: {{kubesim.io/submit-at: {at}, kubesim.io/duration: {dur}}}\nspec:\n  template:\n    spec:\n{prio}      restartPolicy: Never\n      containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"{cpu}\"}}}}}}]\n---\n"
    )
}

#[test]
fn a_rayjob_waits_for_quota_until_the_first_one_finishes() {
    // Each RayJob asks for head 1 + 2 workers 1 + submitter 500m = 3.5 CPUs of the 4. `a` is
    // admitted at 0 and resumed: its head and workers are created and run at 0, the cluster is
    // Ready then and the submitter created; the entrypoint runs 100 s: Complete at 100 s, when
    // its Workload is finished and its quota released (its cluster is deleted only at 130 s,
    // ttlSecondsAfterFinished later). `b`, submitted at 10 s, was set aside; the requeue a
    // batch period (1 s) after the release admits it at 101 s, and it completes at 201 s.
    let y = format!(
        "{SIM}{}{}{}{}",
        nodes(2, 0),
        kueue(""),
        ray_job("a", "0s", "100s", "", 2),
        ray_job("b", "10s", "100s", "", 2),
    );
    let r = run(&y, "kueue");
    assert_eq!(times(&r, "a", "QuotaReserved"), [0.0]);
    assert_eq!(times(&r, "a", "CreatedRayJobSubmitter"), [0.0]);
    assert_eq!(times(&r, "a", "RayJobComplete"), [100.0]);
    assert_eq!(times(&r, "a", "DeletedRayCluster"), [130.0]);
    assert_eq!(times(&r, "b", "QuotaReserved"), [101.0]);
    assert_eq!(times(&r, "b-", "PodCreated"), [101.0, 101.0, 101.0, 101.0]);
    let a = job(&r, "a");
    assert_eq!((a.kind, a.queue.as_str()), ("RayJob", "cq"));
    assert_eq!((secs(a.start), secs(a.finish)), (Some(0.0), Some(100.0)));
    let b = job(&r, "b");
    assert_eq!(
        (b.state.as_str(), secs(b.start), secs(b.finish)),
        ("Complete", Some(101.0), Some(201.0))
    );
}

#[test]
fn the_submitter_is_a_pod_set_of_its_own() {
    // In HTTPMode a RayJob of head + 1 worker asks for 2 CPUs: two fit the 4 CPUs together,
    // both admitted at 0. In K8sJobMode the submitter's 500m makes it 2.5: the second waits for
    // the first to finish (100 s) and the requeue (101 s).
    let http = "  submissionMode: HTTPMode\n";
    let y = format!(
        "{SIM}{}{}{}{}",
        nodes(2, 0),
        kueue(""),
        ray_job("a", "0s", "100s", http, 1),
        ray_job("b", "0s", "100s", http, 1),
    );
    let r = run(&y, "kueue");
    assert_eq!(times(&r, "a", "QuotaReserved"), [0.0]);
    assert_eq!(times(&r, "b", "QuotaReserved"), [0.0]);
    assert_eq!(secs(job(&r, "b").finish), Some(100.0));
    let y = format!(
        "{SIM}{}{}{}{}",
        nodes(2, 0),
        kueue(""),
        ray_job("a", "0s", "100s", "", 1),
        ray_job("b", "0s", "100s", "", 1),
    );
    let r = run(&y, "kueue");
    assert_eq!(times(&r, "a", "QuotaReserved"), [0.0]);
    assert_eq!(times(&r, "b", "QuotaReserved"), [101.0]);
    assert_eq!(secs(job(&r, "b").finish), Some(201.0));
}

#[test]
fn a_raycluster_holds_its_quota_to_the_end() {
    // A RayCluster never finishes: admitted at 0 (head + 2 workers: 3 CPUs), it holds its
    // quota to the horizon, and the RayJob (3.5 CPUs) submitted at 5 s is never admitted.
    let y = format!(
        "{SIM}{}{}{}{}",
        nodes(2, 0),
        kueue(""),
        ray_cluster("rc", "0s", 2),
        ray_job("rj", "5s", "100s", "", 2),
    );
    let r = run(&y, "kueue");
    assert_eq!(times(&r, "rc", "QuotaReserved"), [0.0]);
    assert_eq!(times(&r, "rc-", "PodCreated"), [0.0, 0.0, 0.0]);
    let rc = job(&r, "rc");
    assert_eq!(
        (rc.kind, rc.state.as_str(), rc.queue.as_str(), secs(rc.start)),
        ("RayCluster", "Running", "cq", Some(0.0))
    );
    assert!(times(&r, "rj", "QuotaReserved").is_empty());
    assert!(times(&r, "rj-", "PodCreated").is_empty());
    assert_eq!(job(&r, "rj").state.as_str(), "Pending");
}

#[test]
fn a_preempted_rayjob_is_suspended_and_admitted_again() {
    // The RayJob (3.5 CPUs) runs from 0; a high-priority 4-CPU Job at 10 s preempts it: KubeRay
    // deletes its cluster and submitter (each running pod counted as preempted once), the
    // quota is released once they are gone and the Job admitted. The Job's pod ends at 30 s,
    // the Job finishes at 31 s, and the RayJob is admitted again at 32 s (the requeue's batch
    // period): New, Initializing, a new cluster; its entrypoint runs 100 s anew, to 132 s.
    let y = format!(
        "{SIM}{HIGH}{}{}{}{}",
        nodes(2, 0),
        kueue(""),
        ray_job("rj", "0s", "100s", "", 2),
        kjob("urgent", 4, "10s", "20s", "      priorityClassName: high\n"),
    );
    let r = run(&y, "kueue");
    assert_eq!(times(&r, "rj", "QuotaReserved"), [0.0, 32.0]);
    assert_eq!(times(&r, "rj", "WorkloadEvicted"), [10.0]);
    assert_eq!(times(&r, "rj", "DeletedRayCluster"), [10.0, 162.0]);
    assert_eq!(times(&r, "urgent", "QuotaReserved"), [10.0]);
    assert_eq!(times(&r, "rj", "CreatedRayJobSubmitter"), [0.0, 32.0]);
    let rj = job(&r, "rj");
    assert_eq!(
        (rj.state.as_str(), secs(rj.finish), rj.preemptions),
        ("Complete", Some(132.0), 4)
    );
}

#[test]
fn rayjobs_and_rayclusters_are_managed_only_when_the_configuration_lists_them() {
    // Frameworks [batch/job]: the RayJob runs at once without a Workload while the blocker
    // holds 3 of the 4 CPUs.
    let y = format!(
        "{SIM}{}{}{}{}{}",
        nodes(2, 0),
        frameworks("batch/job"),
        kueue(""),
        kjob("blocker", 3, "0s", "50s", ""),
        ray_job("rj", "10s", "100s", "", 2),
    );
    let r = run(&y, "kueue");
    assert!(times(&r, "rj", "QuotaReserved").is_empty());
    assert_eq!(times(&r, "rj", "CreatedRayJobSubmitter"), [10.0]);
    assert_eq!(job(&r, "rj").queue, "");
    // Frameworks [batch/job, ray.io/raycluster]: the RayCluster is managed, the RayJob not.
    let y = format!(
        "{SIM}{}{}{}{}{}",
        nodes(2, 0),
        frameworks("batch/job, ray.io/raycluster"),
        kueue(""),
        ray_cluster("rc", "0s", 2),
        ray_job("rj", "10s", "100s", "", 2),
    );
    let r = run(&y, "kueue");
    assert_eq!(times(&r, "rc", "QuotaReserved"), [0.0]);
    assert!(times(&r, "rj", "QuotaReserved").is_empty());
    assert_eq!(secs(job(&r, "rj").finish), Some(110.0));
}

#[test]
fn kueues_webhook_refuses_a_rayjob_that_keeps_its_cluster() {
    // A managed RayJob without shutdownAfterJobFinishes would hold its quota after it ends:
    // Kueue's webhook refuses it (rejected, no pods). Unmanaged (no queue label, and no
    // LocalQueue `default`), it runs.
    let keep = ray_job("rj", "0s", "100s", "", 1).replace("  shutdownAfterJobFinishes: true\n", "");
    let y = format!("{SIM}{}{}{keep}", nodes(2, 0), kueue(""));
    let r = run(&y, "kueue");
    let rj = job(&r, "rj");
    assert_eq!(rj.state.as_str(), "Rejected");
    assert_eq!(
        rj.reason,
        "spec.shutdownAfterJobFinishes: Invalid value: false: a kueue managed job should delete the cluster after \
         finishing"
    );
    assert!(times(&r, "rj-", "PodCreated").is_empty());
    let unlabelled = keep.replace("  labels: {kueue.x-k8s.io/queue-name: lq}\n", "");
    let y = format!("{SIM}{}{}{unlabelled}", nodes(2, 0), kueue(""));
    let r = run(&y, "kueue");
    assert_eq!(job(&r, "rj").state.as_str(), "Complete");
    // A RayCluster with the autoscaler on is refused too (the ElasticJobsViaWorkloadSlices gate
    // is off).
    let auto = ray_cluster("rc", "0s", 1).replacen("\nspec:\n", "\nspec:\n  enableInTreeAutoscaling: true\n", 1);
    let y = format!("{SIM}{}{}{auto}", nodes(2, 0), kueue(""));
    let r = run(&y, "kueue");
    let rc = job(&r, "rc");
    assert_eq!(rc.state.as_str(), "Rejected");
    assert!(
        rc.reason.starts_with(
            "spec.enableInTreeAutoscaling: Invalid value: true: a kueue-managed RayCluster can use autoscaling only \
             as an elastic job"
        ),
        "{}",
        rc.reason
    );
}

#[test]
fn the_flavors_node_labels_go_into_every_groups_pods() {
    // Flavor `f` has node label pool=a: only node-1 carries it (node-0 has more room), so the
    // head, the workers and the submitter all run on node-1.
    let labelled = "apiVersion: v1\nkind: Node\nmetadata: {name: node-1, labels: {pool: a}}\nstatus:\n  allocatable: {cpu: \"8\", memory: 64Gi, pods: \"110\"}\n---\n";
    let free = "apiVersion: v1\nkind: Node\nmetadata: {name: node-0}\nstatus:\n  allocatable: {cpu: \"64\", memory: 64Gi, pods: \"110\"}\n---\n";
    let y = format!(
        "{SIM}{free}{labelled}{}{}",
        kueue("spec: {nodeLabels: {pool: a}}\n"),
        ray_job("rj", "0s", "30s", "", 2),
    );
    let r = run(&y, "kueue");
    assert_eq!(job(&r, "rj").state.as_str(), "Complete");
    assert_eq!(bound(&r, "rj-"), ["node-1", "node-1", "node-1", "node-1"]);
}

#[test]
fn kueues_own_samples_are_admitted_and_run() {
    // Kueue's Ray samples (tests/upstream/ray, from kueue site/static/examples/jobs) in its
    // single ClusterQueue setup (cpu 9, memory 36Gi; LocalQueue user-queue): each is admitted
    // at 0; the RayJobs complete (the entrypoint's default 60 s), the RayCluster runs to the
    // horizon. The autoscaling sample is an elastic job (kueue.x-k8s.io/elastic-job), which the
    // webhook lets use the autoscaler; its head's pod set counts the autoscaler's sidecar.
    let setup = "apiVersion: kueue.x-k8s.io/v1beta1\nkind: ResourceFlavor\nmetadata: {name: default-flavor}\n---\napiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata: {name: cluster-queue}\nspec:\n  namespaceSelector: {}\n  resourceGroups:\n  - coveredResources: [cpu, memory]\n    flavors:\n    - name: default-flavor\n      resources: [{name: cpu, nominalQuota: 9}, {name: memory, nominalQuota: 36Gi}]\n---\napiVersion: kueue.x-k8s.io/v1beta1\nkind: LocalQueue\nmetadata: {name: user-queue, namespace: default}\nspec: {clusterQueue: cluster-queue}\n---\n";
    let sim = "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: t}\nspec:\n  defaultDuration: 60s\n  horizon: 1000s\n---\n";
    for (f, name, kind, state, finish) in [
        (
            "kueue-ray-job-sample.yaml",
            "rayjob-sample",
            "RayJob",
            "Complete",
            Some(60.0),
        ),
        (
            "kueue-ray-job-autoscaling-sample.yaml",
            "rayjob-autoscaling-sample",
            "RayJob",
            "Complete",
            Some(60.0),
        ),
        (
            "kueue-ray-cluster-sample.yaml",
            "raycluster-complete",
            "RayCluster",
            "Running",
            None,
        ),
    ] {
        let text = std::fs::read_to_string(format!("{}/tests/upstream/ray/{f}", env!("CARGO_MANIFEST_DIR")))
            .expect("the sample");
        let y = format!("{sim}{}{setup}{text}", nodes(2, 0));
        let r = run(&y, "kueue");
        assert_eq!(times(&r, name, "QuotaReserved"), [0.0], "{f}");
        let j = job(&r, name);
        assert_eq!(
            (j.kind, j.state.as_str(), j.queue.as_str(), secs(j.finish)),
            (kind, state, "cluster-queue", finish),
            "{f}"
        );
        assert_eq!(secs(j.start), Some(0.0), "{f}");
    }
}

#[test]
fn a_preempted_raycluster_deletes_its_pods_and_recreates_them_when_readmitted() {
    // The RayCluster (3 CPUs) runs from 0; the high-priority 4-CPU Job at 10 s preempts it:
    // KubeRay deletes all its pods (suspension), the quota is released once they are gone and
    // the Job admitted; the Job finishes at 31 s and the requeue readmits the RayCluster at
    // 32 s, which creates its 3 pods again.
    let y = format!(
        "{SIM}{HIGH}{}{}{}{}",
        nodes(2, 0),
        kueue(""),
        ray_cluster("rc", "0s", 2),
        kjob("urgent", 4, "10s", "20s", "      priorityClassName: high\n"),
    );
    let r = run(&y, "kueue");
    assert_eq!(times(&r, "rc", "QuotaReserved"), [0.0, 32.0]);
    assert_eq!(times(&r, "rc", "WorkloadEvicted"), [10.0]);
    assert_eq!(times(&r, "rc", "DeletedPod"), [10.0]);
    assert_eq!(times(&r, "rc-", "PodCreated"), [0.0, 0.0, 0.0, 32.0, 32.0, 32.0]);
    let rc = job(&r, "rc");
    assert_eq!(
        (rc.state.as_str(), secs(rc.start), rc.preemptions),
        ("Running", Some(0.0), 3)
    );
}

#[test]
fn pods_ready_is_the_clusters_state_ready() {
    // waitForPodsReady with a 60 s timeout, backoff 30 s, one requeue at most. One node of 2
    // CPUs: the head (1 CPU) runs, the 2-CPU worker never fits, so the cluster is never Ready
    // (the quota, 3.5 CPUs of 4, is no obstacle). Admitted at 0, evicted at 60 s
    // (PodsReadyTimeout: its pods deleted), readmitted after the backoff at 90 s, and at 150 s
    // past the requeue limit deactivated: the RayJob stays suspended. On a 4-CPU node the
    // cluster is Ready at 0 and the RayJob completes at 100 s.
    let config = "apiVersion: config.kueue.x-k8s.io/v1beta2\nkind: Configuration\nwaitForPodsReady:\n  timeout: 60s\n  requeuingStrategy: {backoffLimitCount: 1, backoffBaseSeconds: 30}\n---\n";
    let node = |cpu: u32| {
        format!(
            "apiVersion: v1\nkind: Node\nmetadata: {{name: n0}}\nstatus:\n  allocatable: {{cpu: \"{cpu}\", memory: 64Gi, pods: \"110\"}}\n---\n"
        )
    };
    let job_of = |workers: &str| ray_job("rj", "0s", "100s", "", 1).replace("\"1\"}}}]\n---", workers);
    let big_worker = job_of("\"2\"}}}]\n---");
    let y = format!("{SIM}{config}{}{}{big_worker}", node(2), kueue(""));
    let r = run(&y, "kueue");
    assert_eq!(times(&r, "rj", "QuotaReserved"), [0.0, 90.0]);
    let evicted: Vec<(f64, String)> = r
        .events
        .iter()
        .filter(|e| e.event == "WorkloadEvicted" && e.object.ends_with("/rj"))
        .map(|e| (e.time.ms() as f64 / 1000.0, e.detail.clone()))
        .collect();
    assert_eq!(
        evicted,
        [
            (60.0, "PodsReadyTimeout".to_string()),
            (150.0, "Deactivated".to_string())
        ]
    );
    assert_eq!(times(&r, "rj", "DeletedRayCluster"), [60.0, 150.0]);
    let rj = job(&r, "rj");
    assert_eq!((rj.state.as_str(), rj.reason.as_str()), ("Pending", "Deactivated"));
    let y = format!(
        "{SIM}{config}{}{}{}",
        node(4),
        kueue(""),
        ray_job("rj", "0s", "100s", "", 1)
    );
    let r = run(&y, "kueue");
    assert!(times(&r, "rj", "WorkloadEvicted").is_empty());
    assert_eq!(secs(job(&r, "rj").finish), Some(100.0));
}

#[test]
fn a_retrying_rayjob_keeps_its_quota_until_it_fails() {
    // `a` (backoffLimit 1) fails its entrypoint (exit 1) at 100 s: Retrying, its cluster
    // deleted and created anew at once, still holding its quota (the Workload is not
    // finished); the second attempt fails at 200 s: Failed, the Workload finished, and `b`
    // (waiting since 10 s) is admitted by the requeue at 201 s.
    let a = ray_job("a", "0s", "100s", "  backoffLimit: 1\n", 2).replace(
        "kubesim.io/duration: 100s}",
        "kubesim.io/duration: 100s, kubesim.io/exit-code: \"1\"}",
    );
    let y = format!(
        "{SIM}{}{}{a}{}",
        nodes(2, 0),
        kueue(""),
        ray_job("b", "10s", "100s", "", 2),
    );
    let r = run(&y, "kueue");
    assert_eq!(times(&r, "a", "QuotaReserved"), [0.0]);
    assert_eq!(times(&r, "a", "RayJobRetrying"), [100.0]);
    assert_eq!(times(&r, "a", "CreatedRayJobSubmitter"), [0.0, 100.0]);
    assert_eq!(times(&r, "a", "RayJobFailed"), [200.0]);
    let ja = job(&r, "a");
    assert_eq!((ja.state.as_str(), ja.reason.as_str()), ("Failed", "AppFailed"));
    assert_eq!(times(&r, "b", "QuotaReserved"), [201.0]);
}
