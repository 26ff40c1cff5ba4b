//! The KubeRay operator's RayCluster and RayJob controllers (docs/ray.md, after ray-project/kuberay
//! `feeaf72f`) on hand-worked cases, asserting exact times from the run's events and jobs rows.
//! The operator's watches have no delay: a RayCluster is Ready the instant its last pod runs, a
//! RayJob's submitter is created then, and the Ray job ends when the submitter exits.

mod common;
use common::{job, run, secs, times};

/// A Simulation with a horizon of `horizon`.
fn sim(horizon: &str) -> String {
    format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: t}}\nspec:\n  horizon: {horizon}\n---\n"
    )
}

/// A node named `name` of `cpu` CPUs and `gpus` GPUs, joining at `at` (empty: at 0).
fn node(name: &str, cpu: u32, gpus: u32, at: &str) -> String {
    let ann = if at.is_empty() {
        String::new()
    } else {
        format!(", annotations: {{kubesim.io/submit-at: {at}}}")
    };
    format!(
        "apiVersion: v1\nkind: Node\nmetadata: {{name: {name}{ann}}}\nstatus:\n  allocatable: {{cpu: \"{cpu}\", memory: 64Gi, nvidia.com/gpu: \"{gpus}\", pods: \"110\"}}\n---\n"
    )
}

/// A rayClusterSpec (indented by `ind` spaces) with a 1-CPU head and worker group `gpu` of
/// `replicas` workers of 2 CPUs and `gpus` GPUs each (min 0, max 10), template annotations `wann`.
fn cluster_spec(ind: usize, replicas: u32, gpus: u32, wann: &str) -> String {
    let text = format!(
        "headGroupSpec:\n  rayStartParams: {{}}\n  template:\n    spec:\n      containers: [{{name: ray-head, image: rayproject/ray, resources: {{requests: {{cpu: \"1\"}}}}}}]\nworkerGroupSpecs:\n- groupName: gpu\n  replicas: {replicas}\n  minReplicas: 0\n  maxReplicas: 10\n  rayStartParams: {{}}\n  template:\n    metadata:\n      annotations: {{{wann}}}\n    spec:\n      containers: [{{name: ray-worker, image: rayproject/ray, resources: {{requests: {{cpu: \"2\"}}, limits: {{nvidia.com/gpu: \"{gpus}\"}}}}}}]\n"
    );
    let pad = " ".repeat(ind);
    text.lines().map(|l| format!("{pad}{l}\n")).collect()
}

/// A RayJob `rj` whose entrypoint runs `duration`, with metadata lines `meta` (labels,
/// annotations beyond the duration) and spec lines `spec`.
fn ray_job(duration: &str, ann: &str, spec: &str, replicas: u32) -> String {
    format!(
        "apiVersion: ray.io/v1\nkind: RayJob\nmetadata:\n  name: rj\n  annotations: {{kubesim.io/duration: {duration}{ann}}}\nspec:\n  entrypoint: python main.py\n{spec}  rayClusterSpec:\n{}---\n",
        cluster_spec(4, replicas, 0, "")
    )
}

/// `job` on one 8-CPU node for 1000 s under kube-default.
fn run_on_one_node(job: &str) -> kubesim::observe::record::RunResult {
    run(
        &format!("{}{}{job}", sim("1000s"), node("n0", 8, 0, "")),
        "kube-default",
    )
}

/// n0 (4 CPUs) takes the head and one worker; the second worker waits for n1, which joins at
/// 50 s. The cluster is Ready at 50 s: the submitter (500m CPU, on n0) is created and runs then;
/// the entrypoint runs 100 s: the RayJob is Complete at 150 s, its row started at 50 s (the
/// submitter's start). shutdownAfterJobFinishes with ttlSecondsAfterFinished 10 deletes the
/// cluster's pods at 160 s; the finished submitter stays.
#[test]
fn a_rayjob_submits_once_its_cluster_is_ready_and_shuts_it_down_after_the_ttl() {
    let y = format!(
        "{}{}{}{}",
        sim("1000s"),
        node("n0", 4, 0, ""),
        node("n1", 4, 0, "50s"),
        ray_job(
            "100s",
            "",
            "  shutdownAfterJobFinishes: true\n  ttlSecondsAfterFinished: 10\n",
            2
        )
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "rj-head-", "PodCreated"), [0.0]);
    assert_eq!(times(&r, "rj-gpu-worker-", "PodCreated"), [0.0, 0.0]);
    assert_eq!(times(&r, "rj-gpu-worker-", "PodRunning"), [0.0, 50.0]);
    assert_eq!(times(&r, "rj", "CreatedRayJobSubmitter"), [50.0]);
    assert_eq!(times(&r, "rj-3", "PodRunning"), [50.0]);
    assert_eq!(times(&r, "rj-3", "PodSucceeded"), [150.0]);
    assert_eq!(times(&r, "rj", "RayJobComplete"), [150.0]);
    assert_eq!(times(&r, "rj", "DeletedRayCluster"), [160.0]);
    assert_eq!(times(&r, "rj-head-", "PodDeleted"), [160.0]);
    assert_eq!(times(&r, "rj-gpu-worker-", "PodDeleted"), [160.0, 160.0]);
    assert!(times(&r, "rj-3", "PodDeleted").is_empty(), "the submitter Job is kept");
    assert_eq!(r.jobs.len(), 1);
    let j = job(&r, "rj");
    assert_eq!(j.kind, "RayJob");
    assert_eq!(j.pods, 4, "head, two workers, submitter");
    assert_eq!(
        (j.state.as_str(), secs(j.start), secs(j.finish)),
        ("Complete", Some(50.0), Some(150.0))
    );
}

/// Without shutdownAfterJobFinishes the cluster stays after the job: its pods run to the
/// horizon. Replicas are clamped to maxReplicas (5 asked, at most 1).
#[test]
fn without_shutdown_the_cluster_outlives_the_job_and_replicas_are_clamped() {
    let spec = ray_job("100s", "", "", 5).replace("maxReplicas: 10", "maxReplicas: 1");
    let r = run_on_one_node(&spec);
    assert_eq!(times(&r, "rj-gpu-worker-", "PodCreated"), [0.0]);
    assert_eq!(times(&r, "rj", "RayJobComplete"), [100.0]);
    assert!(times(&r, "rj-", "PodDeleted").is_empty());
    let j = job(&r, "rj");
    assert_eq!((j.state.as_str(), j.pods, secs(j.finish)), ("Complete", 3, Some(100.0)));
}

/// The entrypoint fails (exit 1) at 100 s; backoffLimit 1 retries once on a new cluster: the
/// old pods are deleted at 100 s (terminate at once), the new cluster is created and Ready at
/// 100 s, its submitter fails at 200 s: no retry left, the RayJob is Failed (AppFailed) at 200 s.
#[test]
fn backoff_limit_retries_a_failed_rayjob_on_a_new_cluster() {
    let r = run_on_one_node(&ray_job(
        "100s",
        ", kubesim.io/exit-code: \"1\"",
        "  shutdownAfterJobFinishes: true\n  backoffLimit: 1\n",
        1,
    ));
    assert_eq!(times(&r, "rj-head-", "PodCreated"), [0.0, 100.0]);
    assert_eq!(times(&r, "rj-head-", "PodDeleted"), [100.0, 200.0]);
    assert_eq!(times(&r, "rj", "RayJobRetrying"), [100.0]);
    assert_eq!(times(&r, "rj", "CreatedRayJobSubmitter"), [0.0, 100.0]);
    assert_eq!(times(&r, "rj", "RayJobFailed"), [200.0]);
    let j = job(&r, "rj");
    assert_eq!(
        (j.state.as_str(), j.reason.as_str(), secs(j.start), secs(j.finish)),
        ("Failed", "AppFailed", Some(0.0), Some(200.0))
    );
}

/// activeDeadlineSeconds 50 counts from the RayJob's start time (its creation): the RayJob is
/// Failed (DeadlineExceeded, never retried) at 50 s and its cluster deleted then (ttl 0).
#[test]
fn the_active_deadline_fails_the_rayjob_without_retry() {
    let r = run_on_one_node(&ray_job(
        "100s",
        "",
        "  shutdownAfterJobFinishes: true\n  backoffLimit: 3\n  activeDeadlineSeconds: 50\n",
        1,
    ));
    assert_eq!(times(&r, "rj", "RayJobFailed"), [50.0]);
    assert!(times(&r, "rj", "RayJobRetrying").is_empty());
    assert_eq!(times(&r, "rj-head-", "PodDeleted"), [50.0]);
    let j = job(&r, "rj");
    assert_eq!(
        (j.state.as_str(), j.reason.as_str(), secs(j.finish)),
        ("Failed", "DeadlineExceeded", Some(50.0))
    );
}

/// A suspended RayJob creates nothing: its row is Pending at the horizon.
#[test]
fn a_suspended_rayjob_creates_no_pods() {
    let r = run_on_one_node(&ray_job(
        "100s",
        "",
        "  shutdownAfterJobFinishes: true\n  suspend: true\n",
        1,
    ));
    assert!(times(&r, "rj-", "PodCreated").is_empty());
    let j = job(&r, "rj");
    assert_eq!((j.state.as_str(), secs(j.start)), ("Pending", None));
}

/// HTTPMode: no submitter pod; the operator submits once the cluster is Ready (0 s) and the
/// job ends its run time later.
#[test]
fn http_mode_runs_the_entrypoint_from_the_clusters_readiness() {
    let r = run_on_one_node(&ray_job(
        "100s",
        "",
        "  submissionMode: HTTPMode\n  shutdownAfterJobFinishes: true\n",
        1,
    ));
    assert!(times(&r, "rj", "CreatedRayJobSubmitter").is_empty());
    assert_eq!(times(&r, "rj", "RayJobComplete"), [100.0]);
    let j = job(&r, "rj");
    assert_eq!(
        (j.state.as_str(), j.pods, secs(j.start), secs(j.finish)),
        ("Complete", 2, Some(0.0), Some(100.0))
    );
}

/// A RayCluster whose worker (restartPolicy Never) exits at 100 s: the operator deletes the
/// terminal pod and creates a replacement at once (`shouldDeletePod`), which runs at 100 s
/// and exits at 200 s, and so on. The cluster never finishes: Running at the horizon.
#[test]
fn a_rayclusters_lost_worker_is_recreated() {
    let cluster = format!(
        "apiVersion: ray.io/v1\nkind: RayCluster\nmetadata: {{name: rc}}\nspec:\n{}---\n",
        cluster_spec(2, 1, 0, "kubesim.io/duration: 100s").replace(
            "containers: [{name: ray-worker",
            "restartPolicy: Never\n        containers: [{name: ray-worker"
        )
    );
    let y = format!("{}{}{}", sim("250s"), node("n0", 8, 0, ""), cluster);
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "rc-gpu-worker-", "PodCreated"), [0.0, 100.0, 200.0]);
    assert_eq!(times(&r, "rc-gpu-worker-", "PodSucceeded"), [100.0, 200.0]);
    assert_eq!(times(&r, "rc-head-", "PodCreated"), [0.0]);
    let j = job(&r, "rc");
    assert_eq!(j.kind, "RayCluster");
    assert_eq!(
        (j.state.as_str(), j.pods, secs(j.start), secs(j.finish)),
        ("Running", 2, Some(0.0), None)
    );
}

/// A RayCluster on a node that fails: the node lifecycle controller evicts its pods at 455 s
/// (outage at 100 s, noticed at 155 s, 300 s of toleration); they stay Terminating until the
/// node returns at 1100 s, when they are gone and the operator creates their replacements, which
/// run on n1 (joined at 50 s).
#[test]
fn a_rayclusters_pods_on_a_lost_node_are_recreated_once_gone() {
    let cluster = format!(
        "apiVersion: ray.io/v1\nkind: RayCluster\nmetadata: {{name: rc}}\nspec:\n{}---\n",
        cluster_spec(2, 1, 0, "")
    );
    let faults = "apiVersion: kubesim.io/v1alpha1\nkind: FaultModel\nmetadata: {name: f}\nspec:\n  outages: [{node: n0, at: 100s, for: 1000s}]\n---\n";
    let y = format!(
        "{}{}{}{}{}",
        sim("2000s"),
        node("n0", 8, 0, ""),
        node("n1", 8, 0, "50s"),
        faults,
        cluster
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "rc-gpu-worker-", "PodCreated"), [0.0, 1100.0]);
    assert_eq!(times(&r, "rc-head-", "PodCreated"), [0.0, 1100.0]);
    assert_eq!(times(&r, "rc-gpu-worker-", "PodDeleted"), [455.0]);
    assert_eq!(times(&r, "rc-gpu-worker-", "PodRunning"), [0.0, 1100.0]);
    let j = job(&r, "rc");
    assert_eq!(
        (j.state.as_str(), secs(j.start), secs(j.finish)),
        ("Running", Some(0.0), None)
    );
}

/// A RayCluster holds its GPUs to the horizon: the 4-GPU Job submitted at 10 s behind its 4-GPU
/// worker never starts; the cluster's row is Running (censored) with 4 GPUs.
#[test]
fn a_raycluster_holds_its_gpus_to_the_horizon() {
    let cluster = format!(
        "apiVersion: ray.io/v1\nkind: RayCluster\nmetadata: {{name: rc}}\nspec:\n{}---\n",
        cluster_spec(2, 1, 4, "")
    );
    let blocked = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j, annotations: {kubesim.io/submit-at: 10s}}\nspec:\n  template:\n    metadata: {annotations: {kubesim.io/duration: 10s}}\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: x, resources: {limits: {nvidia.com/gpu: \"4\"}}}]\n---\n";
    let y = format!("{}{}{}{}", sim("3600s"), node("n0", 8, 4, ""), cluster, blocked);
    let r = run(&y, "kube-default");
    let j = job(&r, "rc");
    assert_eq!(
        (j.state.as_str(), j.gpus_milli, j.pods, secs(j.start), secs(j.finish)),
        ("Running", 4000, 2, Some(0.0), None)
    );
    let b = job(&r, "j");
    assert_eq!((b.state.as_str(), secs(b.start)), ("Pending", None));
}

/// With label `ray.io/scheduler-name: volcano` KubeRay's Volcano batch scheduler makes a PodGroup
/// named after the RayJob: minMember the head plus the workers (3), minResources their requests
/// plus the submitter's, queue from `volcano.sh/queue-name`; every pod joins it. Under the
/// volcano policy the gang of three is placed by the session at 0 s; the submitter, created
/// when the cluster is Ready, waits for the next session (1 s period) and runs at 1 s: the
/// RayJob is Complete at 101 s.
#[test]
fn a_volcano_rayjob_is_one_pod_group() {
    let y = format!(
        "{}{}apiVersion: scheduling.volcano.sh/v1beta1\nkind: Queue\nmetadata: {{name: q}}\nspec: {{weight: 1}}\n---\n{}",
        sim("1000s"),
        node("n0", 8, 0, ""),
        ray_job("100s", "", "  shutdownAfterJobFinishes: true\n", 2).replace(
            "  name: rj\n",
            "  name: rj\n  labels: {ray.io/scheduler-name: volcano, volcano.sh/queue-name: q}\n"
        )
    );
    let sc = kubesim::input::scenario::load_str("t.yaml", &y).expect("loads");
    assert_eq!(sc.pod_groups.len(), 1);
    let pg = &sc.pod_groups[0];
    assert_eq!(
        (pg.name.as_str(), pg.min_member, pg.queue.as_deref()),
        ("rj", 3, Some("q"))
    );
    let res = pg.min_resources.as_ref().expect("minResources");
    assert_eq!(res.get("cpu"), Some(&5500), "1 + 2 x 2 CPUs and the submitter's 500m");
    let r = run(&y, "volcano");
    assert_eq!(times(&r, "rj-", "PodRunning"), [0.0, 0.0, 0.0, 1.0]);
    assert_eq!(times(&r, "rj", "RayJobComplete"), [101.0]);
}

/// The upstream examples (tests/upstream/ray) simulated on two 16-CPU nodes for one hour with a
/// default run time of 10 min: every pod is placed at 0 s, each RayJob's submitter runs at 0 s
/// and its job is Complete at 600 s (the InteractiveMode one waits: Running, censored); each RayCluster
/// runs to the horizon. The Volcano RayJob runs under the volcano policy (its submitter placed
/// by the session at 1 s).
#[test]
fn the_upstream_examples_simulate() {
    let pre = format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: t}}\nspec:\n  horizon: 3600s\n  defaultDuration: 10m\n---\n{}{}",
        node("n0", 16, 0, ""),
        node("n1", 16, 0, "")
    );
    for (file, text, policy, name, state, finish) in [
        (
            "ray-cluster.sample.yaml",
            include_str!("upstream/ray/ray-cluster.sample.yaml"),
            "kube-default",
            "raycluster-kuberay",
            "Running",
            None,
        ),
        (
            "ray-cluster.volcano-scheduler.yaml",
            include_str!("upstream/ray/ray-cluster.volcano-scheduler.yaml"),
            "kube-default",
            "test-cluster-0",
            "Running",
            None,
        ),
        (
            "ray-job.sample.yaml",
            include_str!("upstream/ray/ray-job.sample.yaml"),
            "kube-default",
            "rayjob-sample",
            "Complete",
            Some(600.0),
        ),
        (
            "ray-job.shutdown.yaml",
            include_str!("upstream/ray/ray-job.shutdown.yaml"),
            "kube-default",
            "rayjob-sample-shutdown",
            "Complete",
            Some(600.0),
        ),
        (
            "ray-job.resources.yaml",
            include_str!("upstream/ray/ray-job.resources.yaml"),
            "kube-default",
            "rayjob-sample",
            "Complete",
            Some(600.0),
        ),
        (
            "ray-job.interactive-mode.yaml",
            include_str!("upstream/ray/ray-job.interactive-mode.yaml"),
            "kube-default",
            "rayjob-interactive-mode",
            "Running",
            None,
        ),
        (
            "ray-job.volcano-scheduler-queue.v1.5.1.yaml",
            include_str!("upstream/ray/ray-job.volcano-scheduler-queue.v1.5.1.yaml"),
            "volcano",
            "rayjob-sample-0",
            "Complete",
            Some(601.0),
        ),
        (
            "kueue-ray-cluster-sample.yaml",
            include_str!("upstream/ray/kueue-ray-cluster-sample.yaml"),
            "kube-default",
            "raycluster-complete",
            "Running",
            None,
        ),
        (
            "kueue-ray-job-sample.yaml",
            include_str!("upstream/ray/kueue-ray-job-sample.yaml"),
            "kube-default",
            "rayjob-sample",
            "Complete",
            Some(600.0),
        ),
        (
            "kueue-ray-job-autoscaling-sample.yaml",
            include_str!("upstream/ray/kueue-ray-job-autoscaling-sample.yaml"),
            "kube-default",
            "rayjob-autoscaling-sample",
            "Complete",
            Some(600.0),
        ),
    ] {
        let r = run(&format!("{pre}{text}"), policy);
        let j = job(&r, name);
        assert_eq!((j.state.as_str(), secs(j.finish)), (state, finish), "{file}");
    }
}
