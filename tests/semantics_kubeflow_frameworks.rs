//! The Kubeflow training-operator v1 controller for JAXJobs, PaddleJobs and XGBoostJobs
//! (docs/kubeflow.md, after kubeflow/training-operator v1.9.0 `pkg/controller.v1/jax`,
//! `paddlepaddle`, `xgboost`: `UpdateJobStatus`) on hand-worked cases, asserting exact times
//! from the run's events and jobs rows. As for PyTorchJobs (tests/semantics_kubeflow.rs), the
//! controller reconciles at once when a pod ends, so a pod that ends at t decides the job at t.

mod common;
use common::{job, nodes, run, secs, times};

const SIM: &str = "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: t}\n---\n";

/// A replica spec `rtype` of `replicas` pods of 1 CPU (container `container`) running
/// `duration`, with the extra replica fields `fields` and pod template annotations `more`.
fn replica(rtype: &str, replicas: u32, duration: &str, fields: &str, more: &str, container: &str) -> String {
    format!(
        "    {rtype}:\n      replicas: {replicas}\n{fields}      template:\n        metadata:\n          annotations: {{kubesim.io/duration: {duration}{more}}}\n        spec:\n          containers: [{{name: {container}, image: x, resources: {{requests: {{cpu: \"1\"}}}}}}]\n"
    )
}

/// A training job `j` of `kind` (replica specs under `key`) with its `replicas`, on two nodes of
/// 8 CPUs.
fn scenario(kind: &str, key: &str, replicas: &[String]) -> String {
    format!(
        "{SIM}{}apiVersion: kubeflow.org/v1\nkind: {kind}\nmetadata: {{name: j}}\nspec:\n  {key}:\n{}---\n",
        nodes(2, 0),
        replicas.concat()
    )
}

fn jax(replicas: &[String]) -> String {
    scenario("JAXJob", "jaxReplicaSpecs", replicas)
}

fn paddle(replicas: &[String]) -> String {
    scenario("PaddleJob", "paddleReplicaSpecs", replicas)
}

fn xgboost(replicas: &[String]) -> String {
    scenario("XGBoostJob", "xgbReplicaSpecs", replicas)
}

/// The details of the events `event` of the job `j`.
fn details(r: &kubesim::observe::record::RunResult, event: &str) -> Vec<String> {
    r.events
        .iter()
        .filter(|e| e.event == event && e.object.ends_with("/j"))
        .map(|e| e.detail.clone())
        .collect()
}

#[test]
fn a_jaxjob_succeeds_when_every_worker_has_and_fails_at_a_failed_worker() {
    // Three Workers of 50 s: Succeeded at 50, one jobs row of kind JAXJob with 3 pods.
    let r = run(&jax(&[replica("Worker", 3, "50s", "", "", "jax")]), "kube-default");
    assert_eq!(times(&r, "j-worker-", "PodCreated"), [0.0, 0.0, 0.0]);
    assert_eq!(times(&r, "j", "JAXJobSucceeded"), [50.0]);
    assert_eq!(
        details(&r, "JAXJobSucceeded"),
        ["JAXJob default/j successfully completed."]
    );
    let j = job(&r, "j");
    assert_eq!(
        (j.kind, j.pods, j.state.as_str(), secs(j.start), secs(j.finish)),
        ("JAXJob", 3, "Complete", Some(0.0), Some(50.0))
    );
    // One Worker exits 1 at 30 s under JAXJob's default restartPolicy Never: 1 failed and 0
    // running + 0 succeeded < 1 replica: Failed at 30, no new pod.
    let r = run(
        &jax(&[replica("Worker", 1, "30s", "", ", kubesim.io/exit-code: \"1\"", "jax")]),
        "kube-default",
    );
    let j = job(&r, "j");
    assert_eq!(
        (j.state.as_str(), j.reason.as_str(), secs(j.finish)),
        ("Failed", "ReplicaFailed", Some(30.0))
    );
    assert_eq!(
        details(&r, "JAXJobFailed"),
        ["JAXJob j is failed because 1 Worker replica(s) failed."]
    );
    assert_eq!(times(&r, "j-worker-", "PodCreated"), [0.0]);
}

#[test]
fn a_paddlejob_or_xgboostjob_ends_at_its_masters_success() {
    // Master 60 s, two Workers 100 s: Succeeded at 60 (the Master's success); cleanPodPolicy
    // None leaves the Workers running to 100.
    for (kind, key, container, message) in [
        (
            "PaddleJob",
            "paddleReplicaSpecs",
            "paddle",
            "PaddleJob j is successfully completed.",
        ),
        (
            "XGBoostJob",
            "xgbReplicaSpecs",
            "xgboost",
            "XGBoostJob j is successfully completed.",
        ),
    ] {
        let r = run(
            &scenario(
                kind,
                key,
                &[
                    replica("Master", 1, "60s", "", "", container),
                    replica("Worker", 2, "100s", "", "", container),
                ],
            ),
            "kube-default",
        );
        let succeeded = format!("{kind}Succeeded");
        assert_eq!(times(&r, "j", &succeeded), [60.0]);
        assert_eq!(details(&r, &succeeded), [message]);
        assert_eq!(times(&r, "j-worker-", "PodSucceeded"), [100.0, 100.0]);
        assert!(times(&r, "j-", "PodDeleted").is_empty());
        let j = job(&r, "j");
        assert_eq!(
            (j.kind, j.pods, j.state.as_str(), secs(j.finish)),
            (kind, 3, "Complete", Some(60.0))
        );
    }
}

#[test]
fn a_paddlejob_restarts_in_place_by_default() {
    // Workers alone, OnFailure (PaddleJob's default): the first run exits 1 at 30 and restarts
    // in place at once; the second succeeds at 60, when every Worker has: Succeeded at 60.
    let r = run(
        &paddle(&[replica(
            "Worker",
            1,
            "30s",
            "",
            ", kubesim.io/failures: \"1\"",
            "paddle",
        )]),
        "kube-default",
    );
    assert_eq!(times(&r, "j-worker-0", "ContainerRestarted"), [30.0]);
    assert_eq!(
        details(&r, "PaddleJobSucceeded"),
        ["PaddleJob default/j successfully completed."]
    );
    let j = job(&r, "j");
    assert_eq!(
        (j.state.as_str(), secs(j.finish), j.restarts),
        ("Complete", Some(60.0), 1)
    );
}

#[test]
fn an_xgboostjob_fails_at_any_failed_pod_but_under_exit_code() {
    // A Worker exits 1 at 30 under the default Never: Failed at 30.
    let r = run(
        &xgboost(&[
            replica("Master", 1, "100s", "", "", "xgboost"),
            replica("Worker", 1, "30s", "", ", kubesim.io/exit-code: \"1\"", "xgboost"),
        ]),
        "kube-default",
    );
    let j = job(&r, "j");
    assert_eq!(
        (j.state.as_str(), j.reason.as_str(), secs(j.finish)),
        ("Failed", "ReplicaFailed", Some(30.0))
    );
    assert_eq!(
        details(&r, "XGBoostJobFailed"),
        ["XGBoostJob j is failed because 1 Worker replica(s) failed."]
    );
    // Under ExitCode, a Worker failing with 137 (retryable) every 30 s is recreated at 30, 60
    // and 90, the job Restarting, until the Master succeeds at 100.
    let r = run(
        &xgboost(&[
            replica("Master", 1, "100s", "", "", "xgboost"),
            replica(
                "Worker",
                1,
                "30s",
                "      restartPolicy: ExitCode\n",
                ", kubesim.io/exit-code: \"137\"",
                "xgboost",
            ),
        ]),
        "kube-default",
    );
    assert_eq!(times(&r, "j-worker-0", "PodCreated"), [0.0, 30.0, 60.0, 90.0]);
    assert_eq!(
        details(&r, "XGBoostJobRestarting")[..2],
        [
            "job j is restarting because Worker replica(s) failed.",
            "XGBoostJob j is restarting because 1 Worker replica(s) failed."
        ]
    );
    let j = job(&r, "j");
    assert_eq!((j.state.as_str(), secs(j.finish)), ("Complete", Some(100.0)));
}

#[test]
fn a_preempted_xgboost_pod_fails_the_job_even_under_on_failure() {
    // One node of 8 CPUs; the Master (4 CPUs) and a Worker (4 CPUs), OnFailure, fill it. A pod
    // of priority 1000 asking for 4 CPUs arrives at 10 s and preempts one of them: the deleted
    // pod counts as failed while it terminates, and an XGBoostJob fails at any failed pod unless
    // its restartPolicy is ExitCode (a PyTorchJob would restart it).
    let policy = "      restartPolicy: OnFailure\n";
    let reps = [
        replica("Master", 1, "1000s", policy, "", "xgboost"),
        replica("Worker", 1, "1000s", policy, "", "xgboost"),
    ];
    let high = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: high\n  annotations: {kubesim.io/submit-at: 10s, kubesim.io/duration: 100s}\nspec:\n  priority: 1000\n  restartPolicy: Never\n  containers: [{name: c, image: x, resources: {requests: {cpu: \"4\"}}}]\n---\n";
    let sc = format!("{}{high}", xgboost(&reps))
        .replace(&nodes(2, 0), &nodes(1, 0))
        .replace("cpu: \"1\"", "cpu: \"4\"");
    let r = run(&sc, "kube-default");
    let deleted = times(&r, "j-", "PodDeleted");
    assert_eq!(deleted.len(), 1);
    assert!(deleted[0] >= 10.0 && deleted[0] < 11.0, "{deleted:?}");
    let j = job(&r, "j");
    assert_eq!(
        (j.state.as_str(), j.reason.as_str(), secs(j.finish)),
        ("Failed", "ReplicaFailed", Some(deleted[0]))
    );
}

#[test]
fn the_upstream_examples_run_to_completion() {
    // Every upstream JAXJob, PaddleJob and XGBoostJob example (tests/upstream/kubeflow) with a
    // run time of 60 s on four nodes of 8 CPUs: all pods created at 0, Complete at 60.
    let sim =
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: t}\nspec:\n  defaultDuration: 60s\n---\n";
    for (file, name, kind, pods) in [
        ("jax-cpu-demo.yaml", "jaxjob-simple", "JAXJob", 2),
        ("jaxjob_dist_spmd_mnist_gloo.yaml", "jaxjob-mnist", "JAXJob", 2),
        ("kueue-sample-jaxjob.yaml", "jax-simple", "JAXJob", 2),
        ("paddle-simple-cpu.yaml", "paddle-simple-cpu", "PaddleJob", 2),
        ("paddle-simple-gpu.yaml", "paddle-simple-gpu", "PaddleJob", 2),
        ("kueue-sample-paddlejob.yaml", "paddle-simple-cpu", "PaddleJob", 2),
        ("xgboostjob.yaml", "xgboost-dist-iris-test-train", "XGBoostJob", 3),
        ("xgboostjob_v1_rabit_test.yaml", "xgboost-dist-test", "XGBoostJob", 3),
        (
            "xgboostjob_v1_iris_train.yaml",
            "xgboost-dist-iris-test-train",
            "XGBoostJob",
            3,
        ),
        (
            "xgboostjob_v1_lightgbm_dist_training.yaml",
            "lightgbm-dist-train-test",
            "XGBoostJob",
            3,
        ),
        (
            "kueue-sample-xgboostjob.yaml",
            "xgboost-dist-iris-test-train",
            "XGBoostJob",
            3,
        ),
    ] {
        let text = std::fs::read_to_string(format!("{}/tests/upstream/kubeflow/{file}", env!("CARGO_MANIFEST_DIR")))
            .expect("the example");
        // The GPU example asks for 2 GPUs per Worker.
        let y = format!("{sim}{}{text}", nodes(4, 4));
        let r = run(&y, "kube-default");
        let j = job(&r, name);
        assert_eq!(
            (j.kind, j.pods, j.state.as_str(), secs(j.start), secs(j.finish)),
            (kind, pods, "Complete", Some(0.0), Some(60.0)),
            "{file}"
        );
    }
}
