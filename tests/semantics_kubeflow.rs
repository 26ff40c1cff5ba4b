//! The Kubeflow training-operator v1 controller for PyTorchJobs (docs/kubeflow.md, after
//! kubeflow/training-operator v1.9.0) on hand-worked cases, asserting exact times from the run's
//! events and jobs rows. The controller reconciles at once when a pod ends or restarts (watch
//! delay 0), so a pod that ends at t decides the job at t, and a deleted pod's replacement is
//! created at t.

mod common;
use common::{job, nodes, run, secs, times};

const SIM: &str = "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: t}\n---\n";

/// A replica spec `rtype` of `replicas` pods running `duration` with the extra replica fields
/// `fields` (e.g. `restartPolicy: Never`) and pod template annotations `more`.
fn replica(rtype: &str, replicas: u32, duration: &str, fields: &str, more: &str) -> String {
    format!(
        "    {rtype}:\n      replicas: {replicas}\n{fields}      template:\n        metadata:\n          annotations: {{kubesim.io/duration: {duration}{more}}}\n        spec:\n          containers: [{{name: pytorch, image: x, resources: {{requests: {{cpu: \"1\"}}}}}}]\n"
    )
}

/// A PyTorchJob `pt` with `run_policy` (lines under `runPolicy:`, or empty) and its replicas.
fn pytorch(run_policy: &str, replicas: &[String]) -> String {
    let run = if run_policy.is_empty() {
        String::new()
    } else {
        format!("  runPolicy:\n{run_policy}")
    };
    format!(
        "apiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata: {{name: pt}}\nspec:\n{run}  pytorchReplicaSpecs:\n{}---\n",
        replicas.concat()
    )
}

fn scenario(run_policy: &str, replicas: &[String]) -> String {
    format!("{SIM}{}{}", nodes(2, 0), pytorch(run_policy, replicas))
}

#[test]
fn the_masters_success_completes_the_job_and_clean_pod_policy_none_leaves_the_workers() {
    // Master 60 s, two Workers 100 s, all created and running at 0. The Master succeeds at 60:
    // the job is Succeeded at 60. cleanPodPolicy defaults to None: the Workers run to 100.
    let r = run(
        &scenario(
            "",
            &[
                replica("Master", 1, "60s", "", ""),
                replica("Worker", 2, "100s", "", ""),
            ],
        ),
        "kube-default",
    );
    assert_eq!(times(&r, "pt-", "PodCreated"), [0.0, 0.0, 0.0]);
    assert_eq!(times(&r, "pt-master-0", "PodCreated"), [0.0]);
    assert_eq!(times(&r, "pt-worker-1", "PodCreated"), [0.0]);
    assert_eq!(times(&r, "pt", "PyTorchJobSucceeded"), [60.0]);
    assert_eq!(times(&r, "pt-worker-", "PodSucceeded"), [100.0, 100.0]);
    assert!(times(&r, "pt-", "PodDeleted").is_empty());
    assert_eq!(r.jobs.len(), 1);
    let j = job(&r, "pt");
    assert_eq!(j.kind, "PyTorchJob");
    assert_eq!(j.pods, 3);
    assert_eq!(
        (j.state.as_str(), secs(j.start), secs(j.finish)),
        ("Complete", Some(0.0), Some(60.0))
    );
}

#[test]
fn clean_pod_policy_running_deletes_the_running_workers_when_the_job_succeeds() {
    let r = run(
        &scenario(
            "    cleanPodPolicy: Running\n",
            &[
                replica("Master", 1, "60s", "", ""),
                replica("Worker", 2, "100s", "", ""),
            ],
        ),
        "kube-default",
    );
    assert_eq!(times(&r, "pt", "PyTorchJobSucceeded"), [60.0]);
    assert_eq!(times(&r, "pt-worker-", "PodDeleted"), [60.0, 60.0]);
    // SIGTERM with no kubesim.io/terminate-after: they stop at once.
    assert_eq!(times(&r, "pt-worker-", "PodFailed"), [60.0, 60.0]);
    assert_eq!(secs(job(&r, "pt").finish), Some(60.0));
}

#[test]
fn without_a_master_every_worker_must_succeed() {
    // Three Workers and no Master: the job is Succeeded when all three have, at 50 s.
    let r = run(&scenario("", &[replica("Worker", 3, "50s", "", "")]), "kube-default");
    assert_eq!(times(&r, "pt", "PyTorchJobSucceeded"), [50.0]);
    let j = job(&r, "pt");
    assert_eq!((j.state.as_str(), j.pods), ("Complete", 3));
}

#[test]
fn never_fails_the_job_at_the_first_failed_pod_and_leaves_the_others() {
    // A Worker exits 1 at 30 s under restartPolicy Never: 1 failed, 0 running + 0 succeeded <
    // 1 replica: Failed at 30 s. cleanPodPolicy None: the Master runs on to 1000 s.
    let r = run(
        &scenario(
            "",
            &[
                replica("Master", 1, "1000s", "", ""),
                replica(
                    "Worker",
                    1,
                    "30s",
                    "      restartPolicy: Never\n",
                    ", kubesim.io/exit-code: \"1\"",
                ),
            ],
        ),
        "kube-default",
    );
    let j = job(&r, "pt");
    assert_eq!(
        (j.state.as_str(), j.reason.as_str(), secs(j.finish)),
        ("Failed", "ReplicaFailed", Some(30.0))
    );
    assert_eq!(times(&r, "pt-worker-0", "PodCreated"), [0.0]);
    assert_eq!(times(&r, "pt-master-0", "PodSucceeded"), [1000.0]);
}

#[test]
fn exit_code_recreates_a_pod_that_failed_with_a_retryable_code_until_the_deadline() {
    // The Worker exits 137 (retryable: 128 or more) every 30 s: deleted and recreated at 30,
    // 60, 90. activeDeadlineSeconds 100 from the start time (0): at 100 the job fails and its
    // pods are deleted. ExitCode's pods are restartPolicy Never: no restart counts, so
    // backoffLimit 1 is never reached.
    let r = run(
        &scenario(
            "    activeDeadlineSeconds: 100\n    backoffLimit: 1\n",
            &[
                replica("Master", 1, "1000s", "", ""),
                replica(
                    "Worker",
                    1,
                    "30s",
                    "      restartPolicy: ExitCode\n",
                    ", kubesim.io/exit-code: \"137\"",
                ),
            ],
        ),
        "kube-default",
    );
    assert_eq!(times(&r, "pt-worker-0", "PodCreated"), [0.0, 30.0, 60.0, 90.0]);
    assert_eq!(times(&r, "pt", "PyTorchJobRestarting"), [30.0, 60.0, 90.0]);
    let j = job(&r, "pt");
    assert_eq!(
        (j.state.as_str(), j.reason.as_str(), secs(j.finish)),
        ("Failed", "DeadlineExceeded", Some(100.0))
    );
    assert_eq!(times(&r, "pt-", "PodDeleted"), [100.0, 100.0]);
    assert_eq!(j.failed_pods, 5);
}

#[test]
fn exit_code_fails_the_job_at_a_non_retryable_code_and_backoff_limit_zero_at_any_failure() {
    let worker = |code: &str| {
        replica(
            "Worker",
            1,
            "30s",
            "      restartPolicy: ExitCode\n",
            &format!(", kubesim.io/exit-code: \"{code}\""),
        )
    };
    // Exit 1 is not retryable: Failed at 30 s, no new pod.
    let r = run(
        &scenario("", &[replica("Master", 1, "1000s", "", ""), worker("1")]),
        "kube-default",
    );
    let j = job(&r, "pt");
    assert_eq!(
        (j.state.as_str(), j.reason.as_str(), secs(j.finish)),
        ("Failed", "ExitCode", Some(30.0))
    );
    assert_eq!(times(&r, "pt-worker-0", "PodCreated"), [0.0]);
    // Exit 137 with backoffLimit 0: a new failure while not every replica is active fails the
    // job before ReconcilePods would recreate the pod; every pod is deleted (the Master).
    let r = run(
        &scenario(
            "    backoffLimit: 0\n",
            &[replica("Master", 1, "1000s", "", ""), worker("137")],
        ),
        "kube-default",
    );
    let j = job(&r, "pt");
    assert_eq!(
        (j.state.as_str(), j.reason.as_str(), secs(j.finish)),
        ("Failed", "BackoffLimitExceeded", Some(30.0))
    );
    assert_eq!(times(&r, "pt-worker-0", "PodCreated"), [0.0]);
    assert_eq!(times(&r, "pt-master-0", "PodDeleted"), [30.0]);
}

#[test]
fn on_failure_restarts_in_place_and_the_restarts_count_towards_backoff_limit() {
    // The Master alone, OnFailure (the default): its first two runs exit 1. Run 1 ends at 30
    // and restarts at once (restart count 1); run 2 ends at 60 and restarts after the kubelet's
    // 10 s back-off, at 70 (count 2); run 3 succeeds at 100.
    let master = replica("Master", 1, "30s", "", ", kubesim.io/failures: \"2\"");
    let r = run(
        &scenario("    backoffLimit: 3\n", std::slice::from_ref(&master)),
        "kube-default",
    );
    assert_eq!(times(&r, "pt-master-0", "ContainerRestarted"), [30.0, 70.0]);
    let j = job(&r, "pt");
    assert_eq!(
        (j.state.as_str(), secs(j.finish), j.restarts),
        ("Complete", Some(100.0), 2)
    );
    // backoffLimit 2: the restart count of the Running pod reaches it at 70 s.
    let r = run(&scenario("    backoffLimit: 2\n", &[master]), "kube-default");
    let j = job(&r, "pt");
    assert_eq!(
        (j.state.as_str(), j.reason.as_str(), secs(j.finish)),
        ("Failed", "BackoffLimitExceeded", Some(70.0))
    );
    assert_eq!(times(&r, "pt-master-0", "PodDeleted"), [70.0]);
}

#[test]
fn the_job_starts_when_all_its_replicas_run() {
    // One node of 8 CPUs, pods of 3 CPUs: the Master and one Worker fit at 0, the second
    // Worker when the first pod ends (Worker 0 at 20 s). The job's start is 20 s.
    let sc = format!(
        "{SIM}{}{}",
        nodes(1, 0),
        pytorch(
            "",
            &[
                replica("Master", 1, "100s", "", ""),
                replica("Worker", 2, "20s", "", "")
            ],
        )
        .replace("cpu: \"1\"", "cpu: \"3\"")
    );
    let r = run(&sc, "kube-default");
    let j = job(&r, "pt");
    assert_eq!((secs(j.start), secs(j.finish)), (Some(20.0), Some(100.0)));
}

/// A TFJob `tf` with top-level spec lines `spec` and its replicas (container `tensorflow`).
fn tfjob(spec: &str, replicas: &[String]) -> String {
    let body = replicas.concat().replace("name: pytorch", "name: tensorflow");
    format!(
        "{SIM}{}apiVersion: kubeflow.org/v1\nkind: TFJob\nmetadata: {{name: tf}}\nspec:\n{spec}  tfReplicaSpecs:\n{body}---\n",
        nodes(2, 0)
    )
}

#[test]
fn a_tfjob_without_a_chief_succeeds_at_worker_0_unless_all_workers_is_asked() {
    // One node of 8 CPUs, pods of 4: the Evaluator (10 s) and Worker 0 (20 s) start at 0,
    // Worker 1 when the Evaluator ends, 10 to 30 s. By default Worker 0's success completes the
    // job at 20 (`IsWorker0Completed`); with successPolicy AllWorkers, the last Worker's at 30.
    let one_node = |spec: &str| {
        let reps = [
            replica("Evaluator", 1, "10s", "", ""),
            replica("Worker", 2, "20s", "", ""),
        ];
        tfjob(spec, &reps)
            .replace(&nodes(2, 0), &nodes(1, 0))
            .replace("cpu: \"1\"", "cpu: \"4\"")
    };
    let r = run(&one_node(""), "kube-default");
    let j = job(&r, "tf");
    assert_eq!(
        (j.kind, j.state.as_str(), secs(j.finish)),
        ("TFJob", "Complete", Some(20.0))
    );
    assert_eq!(times(&r, "tf", "TFJobSucceeded"), [20.0]);
    assert_eq!(times(&r, "tf-worker-1", "PodRunning"), [10.0]);
    let r = run(&one_node("  successPolicy: AllWorkers\n"), "kube-default");
    assert_eq!(secs(job(&r, "tf").finish), Some(30.0));
}

#[test]
fn a_tfjob_fails_at_any_failed_pod_under_never_unless_workers_are_dynamic() {
    // The Chief runs 100 s; a Worker exits 1 at 30 s under the TFJob default Never: Failed at 30
    // (TFJob needs no shortfall of running pods, unlike PyTorchJob). enableDynamicWorker: the
    // Worker's failure is ignored and the Chief's success completes the job at 100.
    let reps = [
        replica("Chief", 1, "100s", "", ""),
        replica("Worker", 1, "30s", "", ", kubesim.io/exit-code: \"1\""),
    ];
    let r = run(&tfjob("", &reps), "kube-default");
    let j = job(&r, "tf");
    assert_eq!(
        (j.state.as_str(), j.reason.as_str(), secs(j.finish)),
        ("Failed", "ReplicaFailed", Some(30.0))
    );
    let r = run(&tfjob("  enableDynamicWorker: true\n", &reps), "kube-default");
    let j = job(&r, "tf");
    assert_eq!((j.state.as_str(), secs(j.finish)), ("Complete", Some(100.0)));
}

#[test]
fn a_preempted_pod_is_counted_failed_while_terminating_then_recreated() {
    // One node of 8 CPUs; the job's Master (4 CPUs, 1000 s) and a Worker (4 CPUs, 1000 s) fill
    // it. A pod of priority 1000 asking for 4 CPUs arrives at 10 s and preempts the Worker
    // (the lower index of the two equal victims is not guaranteed: the test reads which one).
    // Under OnFailure the deleted pod counts as failed while it terminates (Restarting), and
    // once gone its index gets a new pod at once; under Never the job fails at the deletion.
    for (policy, state) in [("", "Running"), ("      restartPolicy: Never\n", "Failed")] {
        let reps = [
            replica("Master", 1, "1000s", policy, ""),
            replica("Worker", 1, "1000s", policy, ""),
        ];
        let high = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: high\n  annotations: {kubesim.io/submit-at: 10s, kubesim.io/duration: 100s}\nspec:\n  priority: 1000\n  restartPolicy: Never\n  containers: [{name: c, image: x, resources: {requests: {cpu: \"4\"}}}]\n---\n";
        let sc = format!("{SIM}{}{}{high}", nodes(1, 0), pytorch("", &reps)).replace("cpu: \"1\"", "cpu: \"4\"");
        let r = run(&sc, "kube-default");
        let deleted = times(&r, "pt-", "PodDeleted");
        assert_eq!(deleted.len(), 1, "{policy}");
        assert!(deleted[0] >= 10.0 && deleted[0] < 11.0, "{deleted:?}");
        let j = job(&r, "pt");
        if state == "Failed" {
            assert_eq!(
                (j.state.as_str(), j.reason.as_str(), secs(j.finish)),
                ("Failed", "ReplicaFailed", Some(deleted[0]))
            );
        } else {
            // The victim's replacement is created when it is gone, and runs once the
            // high-priority pod has ended (110 s).
            let created: Vec<f64> = times(&r, "pt-", "PodCreated");
            assert_eq!(created, [0.0, 0.0, deleted[0]], "{policy}");
            assert!(times(&r, "pt", "PyTorchJobRestarting").contains(&deleted[0]));
            assert_eq!(j.state.as_str(), "Complete", "{j:?}");
        }
    }
}

#[test]
fn arrivals_of_training_jobs_each_get_a_row_of_their_kind() {
    // Three PyTorchJob copies every 100 s (Master and one Worker, 50 s each) and two TFJob
    // copies: each copy is Complete 50 s after it arrives.
    let arrivals = |name: &str, kind: &str, key: &str, rtype: &str, container: &str, count: u32| {
        format!(
            "apiVersion: kubesim.io/v1alpha1\nkind: Arrivals\nmetadata: {{name: {name}}}\nspec:\n  count: {count}\n  every: 100s\n  template:\n    apiVersion: kubeflow.org/v1\n    kind: {kind}\n    spec:\n      {key}:\n        {rtype}:\n          replicas: 1\n          template:\n            metadata: {{annotations: {{kubesim.io/duration: 50s}}}}\n            spec: {{containers: [{{name: {container}, image: x}}]}}\n        Worker:\n          replicas: 1\n          template:\n            metadata: {{annotations: {{kubesim.io/duration: 50s}}}}\n            spec: {{containers: [{{name: {container}, image: x}}]}}\n---\n"
        )
    };
    let sc = format!(
        "{SIM}{}{}{}",
        nodes(2, 0),
        arrivals("pt", "PyTorchJob", "pytorchReplicaSpecs", "Master", "pytorch", 3),
        arrivals("tf", "TFJob", "tfReplicaSpecs", "Chief", "tensorflow", 2)
    );
    let r = run(&sc, "kube-default");
    let mut rows: Vec<(&str, &str, Option<f64>)> = r
        .jobs
        .iter()
        .map(|j| (j.name.as_str(), j.kind, secs(j.finish)))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(b.0));
    assert_eq!(
        rows,
        [
            ("pt-0", "PyTorchJob", Some(50.0)),
            ("pt-1", "PyTorchJob", Some(150.0)),
            ("pt-2", "PyTorchJob", Some(250.0)),
            ("tf-0", "TFJob", Some(50.0)),
            ("tf-1", "TFJob", Some(150.0)),
        ]
    );
}

#[test]
fn a_scheduling_policy_makes_the_job_one_gang_of_min_available() {
    // The operator's gang scheduling: a PodGroup named after the job, minMember minAvailable
    // (default: every replica). Master + 2 Workers of 6 CPUs on 2 nodes of 8 CPUs: two fit.
    // Under coscheduling, a gang of all 3 never forms and no pod runs; with minAvailable 2
    // the Master and a Worker run at once.
    let sim = SIM.replace("metadata: {name: t}", "metadata: {name: t}\nspec: {horizon: 600s}");
    let with_policy = |policy: &str| {
        let y = format!(
            "{sim}{}{}",
            nodes(2, 0),
            pytorch(
                policy,
                &[
                    replica("Master", 1, "100s", "", ""),
                    replica("Worker", 2, "100s", "", "")
                ]
            )
            .replace("cpu: \"1\"", "cpu: \"6\"")
        );
        let sc = kubesim::input::scenario::load_str("t.yaml", &y).expect("loads");
        (y, sc)
    };
    let (all, sc) = with_policy("    schedulingPolicy: {queue: q}\n");
    let pg = &sc.pod_groups[0];
    assert_eq!(
        (pg.name.as_str(), pg.min_member, pg.api),
        ("pt", 3, kubesim::input::spec::PodGroupApi::Coscheduling)
    );
    let r = run(&all, "coscheduling");
    assert!(times(&r, "pt-", "PodRunning").is_empty());
    assert!(job(&r, "pt").gang);
    let (two, _) = with_policy("    schedulingPolicy: {minAvailable: 2}\n");
    let r = run(&two, "coscheduling");
    assert_eq!(times(&r, "pt-", "PodRunning")[..2], [0.0, 0.0]);
    // schedulerName volcano: Volcano's PodGroup, in queue `default`.
    let (_, sc) = with_policy("    schedulingPolicy: {minAvailable: 2}\n");
    assert_eq!(sc.pod_groups[0].queue, None);
    let volcano = pytorch("", &[replica("Master", 1, "100s", "", "")]).replace(
        "        spec:\n          containers",
        "        spec:\n          schedulerName: volcano\n          containers",
    );
    let sc = kubesim::input::scenario::load_str("t.yaml", &volcano).expect("loads");
    let pg = &sc.pod_groups[0];
    assert_eq!(
        (pg.api, pg.min_member, pg.queue.as_deref()),
        (kubesim::input::spec::PodGroupApi::Volcano, 1, Some("default"))
    );
}
