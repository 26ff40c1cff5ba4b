//! The Kubeflow MPI Operator's controller for MPIJobs (docs/mpijob.md, after
//! kubeflow/mpi-operator v0.8.2) on hand-worked cases, asserting exact times from the run's
//! events and jobs rows. The controller reconciles at once (watch delay 0); the launcher is a
//! batch/v1 Job run by the Job controller, whose pod's run starts once every worker runs.

mod common;
use common::{job, nodes, run, secs, times};

const SIM: &str = "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: t}\n---\n";

/// An MPIJob `mpi` with `spec_fields` (lines under `spec:`), a launcher running `duration` with
/// the extra launcher fields `launcher`, and `workers` workers of `gpus` GPUs each.
fn mpijob(spec_fields: &str, duration: &str, launcher: &str, workers: u32, gpus: u32) -> String {
    format!(
        "apiVersion: kubeflow.org/v2beta1\nkind: MPIJob\nmetadata:\n  name: mpi\n  annotations: {{kubesim.io/duration: {duration}}}\nspec:\n{spec_fields}  mpiReplicaSpecs:\n    Launcher:\n      replicas: 1\n{launcher}      template:\n        spec:\n          containers: [{{name: launcher, image: x, resources: {{requests: {{cpu: \"1\"}}}}}}]\n    Worker:\n      replicas: {workers}\n      template:\n        spec:\n          containers: [{{name: worker, image: x, resources: {{requests: {{cpu: \"1\", nvidia.com/gpu: \"{gpus}\"}}}}}}]\n---\n"
    )
}

#[test]
fn the_launcher_job_runs_mpirun_once_every_worker_runs_and_clean_pod_policy_running_frees_them() {
    // Two workers and the launcher Job, all created at 0 (AtStartup) on two 8-GPU nodes: every
    // pod runs at 0, the launcher's 100 s run ends at 100, the Job and the MPIJob complete, and
    // cleanPodPolicy Running deletes the workers.
    let r = run(
        &format!(
            "{SIM}{}{}",
            nodes(2, 8),
            mpijob("  runPolicy: {cleanPodPolicy: Running}\n", "100s", "", 2, 8)
        ),
        "kube-default",
    );
    assert_eq!(times(&r, "mpi-worker-", "PodCreated"), [0.0, 0.0]);
    assert_eq!(times(&r, "mpi-launcher", "PodCreated"), [0.0]);
    // The pod ends at 100 s; the Job controller's batched sync completes the Job at 101 s, and
    // the operator sees it at once.
    assert_eq!(times(&r, "mpi-launcher-0", "PodSucceeded"), [100.0]);
    assert_eq!(times(&r, "mpi-launcher", "JobComplete"), [101.0]);
    assert_eq!(times(&r, "mpi", "MPIJobSucceeded"), [101.0]);
    assert_eq!(times(&r, "mpi-worker-", "PodDeleted"), [101.0, 101.0]);
    assert_eq!(r.jobs.len(), 1, "the launcher Job is in the MPIJob's row");
    let j = job(&r, "mpi");
    assert_eq!(j.kind, "MPIJob");
    assert_eq!(j.pods, 3);
    assert_eq!(
        (j.state.as_str(), secs(j.start), secs(j.finish)),
        ("Complete", Some(0.0), Some(101.0))
    );
}

/// A batch/v1 Job holding `gpus` GPUs for `duration`.
fn blocker(gpus: u32, duration: &str) -> String {
    format!(
        "apiVersion: batch/v1\nkind: Job\nmetadata: {{name: blocker}}\nspec:\n  template:\n    metadata:\n      annotations: {{kubesim.io/duration: {duration}}}\n    spec:\n      restartPolicy: Never\n      containers: [{{name: c, image: x, resources: {{requests: {{nvidia.com/gpu: \"{gpus}\"}}}}}}]\n---\n"
    )
}

fn outage(node: &str, at: &str, for_: &str) -> String {
    format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: FaultModel\nmetadata: {{name: f}}\nspec:\n  outages: [{{node: {node}, at: {at}, for: {for_}}}]\n---\n"
    )
}

/// The MPIJob, submitted at 10 s, finds one node taken by `blocker` until 50 s: worker 0 runs
/// at 10 s, worker 1 at 50 s (the blocker's pod ends and frees node-0).
fn late_worker(policy_line: &str) -> String {
    format!(
        "{SIM}{}{}{}",
        nodes(2, 8),
        blocker(8, "50s"),
        mpijob(
            &format!("{policy_line}  runPolicy: {{cleanPodPolicy: Running}}\n"),
            "100s",
            "",
            2,
            8
        )
        .replace(
            "kubesim.io/duration: 100s",
            "kubesim.io/duration: 100s, kubesim.io/submit-at: 10s"
        )
    )
}

#[test]
fn wait_for_workers_ready_creates_the_launcher_job_when_the_last_worker_runs() {
    let r = run(
        &late_worker("  launcherCreationPolicy: WaitForWorkersReady\n"),
        "kube-default",
    );
    assert_eq!(times(&r, "mpi-worker-", "PodRunning"), [10.0, 50.0]);
    assert_eq!(times(&r, "mpi-launcher", "JobCreated"), [50.0]);
    assert_eq!(times(&r, "mpi-launcher-", "PodRunning"), [50.0]);
    // 100 s of mpirun from 50 s; the Job controller's sync a second later completes it.
    assert_eq!(times(&r, "mpi-launcher-", "PodSucceeded"), [150.0]);
    assert_eq!(times(&r, "mpi", "MPIJobSucceeded"), [151.0]);
    let j = job(&r, "mpi");
    assert_eq!(
        (secs(Some(j.submit)), secs(j.start), secs(j.finish)),
        (Some(10.0), Some(50.0), Some(151.0))
    );
}

#[test]
fn at_startup_the_launcher_runs_at_once_and_mpirun_starts_when_every_worker_runs() {
    let r = run(&late_worker(""), "kube-default");
    assert_eq!(times(&r, "mpi-launcher", "JobCreated"), [10.0]);
    assert_eq!(times(&r, "mpi-launcher-", "PodRunning"), [10.0]);
    assert_eq!(times(&r, "mpi-worker-", "PodRunning"), [10.0, 50.0]);
    // Its run is counted from 50 s, when the last rank runs: the same end as above.
    assert_eq!(times(&r, "mpi-launcher-", "PodSucceeded"), [150.0]);
    let j = job(&r, "mpi");
    assert_eq!((secs(j.start), secs(j.finish)), (Some(50.0), Some(151.0)));
}

#[test]
fn clean_pod_policy_none_leaves_the_workers_running_after_the_launcher() {
    let r = run(
        &format!("{SIM}{}{}", nodes(2, 8), mpijob("", "100s", "", 2, 8)),
        "kube-default",
    );
    assert_eq!(times(&r, "mpi", "MPIJobSucceeded"), [101.0]);
    assert!(times(&r, "mpi-worker-", "PodDeleted").is_empty());
    assert!(times(&r, "mpi-worker-", "PodSucceeded").is_empty());
    // The workers hold their 16 GPUs to the end of the run (they never end by themselves).
    let sc = kubesim::input::scenario::load_str(
        "t.yaml",
        &format!("{SIM}{}{}", nodes(2, 8), mpijob("", "100s", "", 2, 8)),
    )
    .expect("loads");
    let warnings = kubesim::input::scenario::warnings(&sc);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("cleanPodPolicy None") && w.contains("2 worker(s) keep running")),
        "{warnings:?}"
    );
}

/// node-1 (worker 1's) is lost at 100 s for 200 s, under a launcher with 1000 s to run.
#[test]
fn a_lost_worker_fails_mpirun_and_a_failed_worker_stays_until_the_backoff_limit_fails_the_job() {
    let r = run(
        &format!(
            "{SIM}{}{}{}",
            nodes(3, 8),
            outage("node-1", "100s", "200s"),
            mpijob("  runPolicy: {cleanPodPolicy: Running}\n", "1000s", "", 2, 8)
        ),
        "kube-default",
    );
    // The rank is lost with its node: mpirun exits 1, and the kubelet restarts it at once
    // (OnFailure); it waits for the worker.
    assert_eq!(times(&r, "mpi-launcher-0", "RankLost")[0], 100.0);
    assert_eq!(times(&r, "mpi-launcher-0", "ContainerRestarted")[0], 100.0);
    // node-1 returns at 300 s: its kubelet fails the worker (restartPolicy Never), which the
    // operator does not recreate. Each launcher start now fails at once, restarted after the
    // kubelet's backoff (10, 20, 40, 80, 160 s) until the 6th restart reaches the Job's
    // default backoffLimit of 6.
    assert_eq!(times(&r, "mpi-worker-1", "PodFailed"), [300.0]);
    assert!(
        times(&r, "mpi-worker-", "PodCreated").len() == 2,
        "a failed worker is not recreated"
    );
    assert_eq!(
        times(&r, "mpi-launcher-0", "ContainerRestarted"),
        [100.0, 310.0, 330.0, 370.0, 450.0, 610.0]
    );
    assert_eq!(times(&r, "mpi-launcher", "JobFailed"), [612.0]);
    let j = job(&r, "mpi");
    assert_eq!(
        (
            j.state.as_str(),
            j.reason.as_str(),
            secs(j.start),
            secs(j.finish),
            j.restarts
        ),
        ("Failed", "BackoffLimitExceeded", Some(0.0), Some(612.0), 6)
    );
}

/// Under a gang (the operator's PodGroup: workers + launcher = 3 members), no pod of the
/// MPIJob holds a node while the blocker keeps one: all three are bound at 50 s together, and
/// the launcher's success at 150 s leaves no partial gang behind (the workers it leaves are not
/// stranded, no deadlock).
#[test]
fn the_operators_pod_group_places_the_launcher_and_workers_together() {
    let late = |extra: &str, volcano: bool| {
        let mut y = late_worker("").replace(
            "  runPolicy: {cleanPodPolicy: Running}",
            &format!("  runPolicy: {{cleanPodPolicy: Running, schedulingPolicy: {{{extra}}}}}"),
        );
        if volcano {
            y = y.replace(
                "        spec:\n          containers: [{name: worker",
                "        spec:\n          schedulerName: volcano\n          containers: [{name: worker",
            );
        }
        y
    };
    for (policy, y) in [
        ("coscheduling", late("scheduleTimeoutSeconds: 30", false)),
        ("volcano", late("queue: default", true)),
    ] {
        let r = run(&y, policy);
        assert_eq!(times(&r, "mpi-worker-", "PodBound"), [50.0, 50.0], "{policy}");
        assert_eq!(times(&r, "mpi-launcher-", "PodBound"), [50.0], "{policy}");
        assert_eq!(times(&r, "mpi", "GangFormed"), [50.0], "{policy}");
        assert_eq!(times(&r, "mpi", "MPIJobSucceeded"), [151.0], "{policy}");
        assert!(times(&r, "cluster", "DeadlockStart").is_empty(), "{policy}");
        let j = job(&r, "mpi");
        assert!(j.gang, "{policy}");
        assert_eq!((secs(j.start), secs(j.finish)), (Some(50.0), Some(151.0)), "{policy}");
    }
}

/// Every upstream example (mpi-operator's and Kueue's) runs on two 8-GPU nodes with a 60 s
/// launcher and completes, its workers freed by their cleanPodPolicy Running.
#[test]
fn the_upstream_examples_run_to_completion() {
    for f in [
        "pi.yaml",
        "pi-intel.yaml",
        "pi-mpich.yaml",
        "tensorflow-mnist.yaml",
        "tensorflow-benchmarks.yaml",
        "kueue-sample-mpijob.yaml",
    ] {
        let text = std::fs::read_to_string(format!("{}/tests/upstream/mpijob/{f}", env!("CARGO_MANIFEST_DIR")))
            .expect("the example");
        let sim = "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: t}\nspec:\n  defaultDuration: 60s\n---\n";
        let r = run(&format!("{sim}{}{text}", nodes(2, 8)), "kube-default");
        assert_eq!(r.jobs.len(), 1, "{f}");
        let j = &r.jobs[0];
        assert_eq!((j.kind, j.state.as_str(), j.pods), ("MPIJob", "Complete", 3), "{f}");
        assert_eq!((secs(j.start), secs(j.finish)), (Some(0.0), Some(61.0)), "{f}");
        assert_eq!(times(&r, "", "PodDeleted").len(), 2, "{f}: the workers");
    }
}
