//! Kubeflow training jobs (kubeflow.org/v1 PyTorchJob): the upstream examples load unchanged
//! with the controller's defaults, every webhook check gives its message at the right line and
//! field, what is not simulated is listed, and a MultiKueue job is loaded and not run.

use super::*;

const SIMPLE: &str = include_str!("../../../../tests/upstream/kubeflow/pytorch-simple.yaml");
const GLOO: &str = include_str!("../../../../tests/upstream/kubeflow/pytorch_job_mnist_gloo.yaml");
const SENDRECV: &str = include_str!("../../../../tests/upstream/kubeflow/pytorch_job_sendrecv.yaml");
const CPU_DEMO: &str = include_str!("../../../../tests/upstream/kubeflow/pytorch-cpu-demo.yaml");
const ELASTIC: &str = include_str!("../../../../tests/upstream/kubeflow/pytorch-elastic-echo.yaml");
const KUEUE_SAMPLE: &str = include_str!("../../../../tests/upstream/kubeflow/kueue-sample-pytorchjob.yaml");

fn kubeflow_spec(w: &WorkloadSpec) -> &KubeflowJobSpec {
    match &w.kind {
        WorkloadKind::Kubeflow(k) => k,
        other => panic!("not a Kubeflow job: {other:?}"),
    }
}

#[test]
fn the_upstream_examples_load_unchanged_with_the_controllers_defaults() {
    for (file, text, name, pods, unmodelled) in [
        ("pytorch-simple.yaml", SIMPLE, "pytorch-simple", 2, 0),
        ("pytorch_job_mnist_gloo.yaml", GLOO, "pytorch-dist-mnist-gloo", 2, 0),
        (
            "pytorch_job_sendrecv.yaml",
            SENDRECV,
            "pytorch-dist-basic-sendrecv",
            4,
            0,
        ),
        ("pytorch-cpu-demo.yaml", CPU_DEMO, "torchrun-cpu", 2, 0),
        ("pytorch-elastic-echo.yaml", ELASTIC, "elastic-example-echo", 2, 1),
        ("kueue-sample-pytorchjob.yaml", KUEUE_SAMPLE, "pytorch-simple", 2, 0),
    ] {
        let sc = load_str(file, text).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(sc.workloads.len(), 1, "{file}");
        let w = &sc.workloads[0];
        assert_eq!((w.name.as_str(), w.kind.api_kind()), (name, "PyTorchJob"), "{file}");
        assert_eq!(w.pods_without_failures(), pods, "{file}");
        assert_eq!(sc.unmodelled.len(), unmodelled, "{file}: {:?}", sc.unmodelled);
        let k = kubeflow_spec(w);
        assert_eq!(k.run_policy, RunPolicy::default(), "{file}");
        for r in &k.replicas {
            assert_eq!(r.restart_policy, KubeflowRestartPolicy::OnFailure, "{file}");
            assert_eq!(r.template.restart_policy, RestartPolicy::OnFailure, "{file}");
        }
    }
    // simple.yaml: Master then Worker, one each, in namespace kubeflow.
    let sc = load_str("pytorch-simple.yaml", SIMPLE).unwrap();
    let w = &sc.workloads[0];
    assert_eq!(w.namespace, "kubeflow");
    let k = kubeflow_spec(w);
    let types: Vec<(&str, u32)> = k.replicas.iter().map(|r| (r.rtype.as_str(), r.replicas)).collect();
    assert_eq!(types, [("Master", 1), ("Worker", 1)]);
    // The gloo example's GPU limit is the pods' request.
    let sc = load_str("g.yaml", GLOO).unwrap();
    let k = kubeflow_spec(&sc.workloads[0]);
    assert_eq!(k.replicas[1].template.requests.get("nvidia.com/gpu"), Some(&1000));
    // The elastic example's elasticPolicy is listed as loaded, not simulated.
    let sc = load_str("e.yaml", ELASTIC).unwrap();
    assert_eq!(sc.unmodelled[0].fields, ["spec.elasticPolicy"]);
    let k = kubeflow_spec(&sc.workloads[0]);
    assert_eq!(k.replicas.len(), 1);
    assert_eq!(k.replicas[0].rtype, "Worker");
}

const PT_HEAD: &str = "apiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata:\n  name: pt\nspec:\n";

/// A PyTorchJob: `PT_HEAD` (5 lines) then `rest`, from line 6.
fn pt(rest: &str) -> String {
    format!("{PT_HEAD}{rest}")
}

/// A replica spec under pytorchReplicaSpecs (`type` at indent 4) with `fields` and a container
/// `container`.
fn rs(rtype: &str, fields: &str, container: &str) -> String {
    format!("    {rtype}:\n{fields}      template:\n        spec:\n          containers:\n          - {container}\n")
}

const C: &str = "{name: pytorch, image: x}";

#[test]
fn the_webhook_and_the_controller_defaults() {
    let sc = ok(&pt(&format!(
        "  runPolicy: {{cleanPodPolicy: Running, backoffLimit: 3, activeDeadlineSeconds: 600}}\n  pytorchReplicaSpecs:\n{}{}",
        rs("Worker", "      replicas: 4\n      restartPolicy: ExitCode\n", C),
        rs("Master", "      replicas: 1\n", C)
    )));
    let k = kubeflow_spec(&sc.workloads[0]);
    assert_eq!(k.run_policy.clean_pod_policy, CleanPodPolicy::Running);
    assert_eq!(
        (k.run_policy.backoff_limit, k.run_policy.active_deadline_s),
        (Some(3), Some(600))
    );
    // Master first, whatever the written order; ExitCode's pods are restartPolicy Never.
    assert_eq!(k.replicas[0].rtype, "Master");
    assert_eq!(k.replicas[0].restart_policy, KubeflowRestartPolicy::OnFailure);
    assert_eq!(k.replicas[1].restart_policy, KubeflowRestartPolicy::ExitCode);
    assert_eq!(k.replicas[1].template.restart_policy, RestartPolicy::Never);
    assert_eq!(k.total_replicas(), 5);
}

#[test]
fn the_webhooks_checks_name_line_field_and_fix() {
    let specs = |body: String| pt(&format!("  pytorchReplicaSpecs:\n{body}"));
    expect_errors(&[
        // Master's replicas must be written and 1.
        (
            specs(rs("Master", "      replicas: 2\n", C)),
            8,
            "spec.pytorchReplicaSpecs.Master.replicas",
            vec!["spec.pytorchReplicaSpecs[Master].replicas: Forbidden: must be 1"],
        ),
        (
            specs(rs("Master", "", C)),
            8,
            "spec.pytorchReplicaSpecs.Master",
            vec!["Forbidden: must be 1", "replicas: 1"],
        ),
        (
            specs(rs("Worker", "      replicas: 0\n", C)),
            8,
            "spec.pytorchReplicaSpecs.Worker.replicas",
            vec!["spec.pytorchReplicaSpecs[Worker].replicas: Forbidden: must be at least 1"],
        ),
        // The replica type is compared exactly (the controller's camel-casing comes later).
        (
            specs(rs("worker", "", C)),
            7,
            "spec.pytorchReplicaSpecs.worker",
            vec!["Unsupported value: \"worker\": supported values: \"Master\", \"Worker\""],
        ),
        (
            specs(rs("Worker", "", "{name: main, image: x}")),
            11,
            "spec.pytorchReplicaSpecs.Worker.template.spec.containers",
            vec!["must have at least one container with name pytorch"],
        ),
        (
            specs(rs("Worker", "", "{name: pytorch}")),
            11,
            "spec.pytorchReplicaSpecs.Worker.template.spec.containers[0]",
            vec!["spec.pytorchReplicaSpecs[Worker].template.spec.containers[0].image: Required value"],
        ),
        (
            specs(rs("Worker", "      restartPolicy: Sometimes\n", C)),
            8,
            "spec.pytorchReplicaSpecs.Worker.restartPolicy",
            vec!["unknown restartPolicy \"Sometimes\"", "ExitCode"],
        ),
        (
            pt(&format!(
                "  runPolicy: {{managedBy: me.io/ctl}}\n  pytorchReplicaSpecs:\n{}",
                rs("Worker", "", C)
            )),
            6,
            "spec.runPolicy.managedBy",
            vec!["Unsupported value: \"me.io/ctl\"", "kubeflow.org/training-operator"],
        ),
        (
            pt(&format!(
                "  runPolicy: {{cleanPodPolicy: Some}}\n  pytorchReplicaSpecs:\n{}",
                rs("Worker", "", C)
            )),
            6,
            "spec.runPolicy.cleanPodPolicy",
            vec!["unknown cleanPodPolicy", "All, Running or None"],
        ),
        (pt("  runPolicy: {}\n"), 5, "spec.pytorchReplicaSpecs", vec!["must be required"]),
        (
            "apiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata:\n  name: 1pt\nspec:\n  pytorchReplicaSpecs:\n    Worker: {template: {spec: {containers: [{name: pytorch, image: x}]}}}\n".to_string(),
            4,
            "metadata.name",
            vec!["Invalid value: \"1pt\": should match:", "DNS-1035"],
        ),
        (
            pt(&format!(
                "  elasticPolicy: {{minReplicas: 1}}\n  pytorchReplicaSpecs:\n{}",
                rs("Master", "      replicas: 1\n", C)
            )),
            8,
            "spec.pytorchReplicaSpecs",
            vec!["must be configured if elastic policy is used"],
        ),
    ]);
}

#[test]
fn a_job_multikueue_manages_is_loaded_and_not_run() {
    let sc = ok(&pt(&format!(
        "  runPolicy: {{managedBy: kueue.x-k8s.io/multikueue}}\n  pytorchReplicaSpecs:\n{}",
        rs("Worker", "", C)
    )));
    assert!(sc.workloads.is_empty());
    assert_eq!(sc.not_simulated.len(), 1);
    assert_eq!(sc.not_simulated[0].kind, "PyTorchJob");
}

const TF_SIMPLE: &str = include_str!("../../../../tests/upstream/kubeflow/tf-simple.yaml");
const TF_DIST_MNIST: &str = include_str!("../../../../tests/upstream/kubeflow/tf_job_dist_mnist.yaml");
const TF_MULTI_WORKER: &str = include_str!("../../../../tests/upstream/kubeflow/tf-multi-worker.yaml");
const TF_SUMMARIES: &str = include_str!("../../../../tests/upstream/kubeflow/tf_job_mnist_with_summaries.yaml");
const KUEUE_TF: &str = include_str!("../../../../tests/upstream/kubeflow/kueue-sample-tfjob.yaml");

#[test]
fn the_upstream_tfjob_examples_load_unchanged_with_the_controllers_defaults() {
    for (file, text, name, types, restart) in [
        (
            "tf-simple.yaml",
            TF_SIMPLE,
            "tfjob-simple",
            vec![("Worker", 2)],
            KubeflowRestartPolicy::OnFailure,
        ),
        (
            "tf_job_dist_mnist.yaml",
            TF_DIST_MNIST,
            "dist-mnist-for-e2e-test",
            vec![("Chief", 1), ("PS", 1), ("Worker", 2)],
            KubeflowRestartPolicy::Never,
        ),
        (
            "tf-multi-worker.yaml",
            TF_MULTI_WORKER,
            "multi-worker",
            vec![("Worker", 2)],
            KubeflowRestartPolicy::Never,
        ),
        (
            "tf_job_mnist_with_summaries.yaml",
            TF_SUMMARIES,
            "mnist",
            vec![("Worker", 1)],
            KubeflowRestartPolicy::Never,
        ),
        (
            "kueue-sample-tfjob.yaml",
            KUEUE_TF,
            "tensorflow-dist-mnist",
            vec![("PS", 1), ("Worker", 2)],
            KubeflowRestartPolicy::Never,
        ),
    ] {
        let sc = load_str(file, text).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(sc.workloads.len(), 1, "{file}");
        let w = &sc.workloads[0];
        assert_eq!((w.name.as_str(), w.kind.api_kind()), (name, "TFJob"), "{file}");
        let k = kubeflow_spec(w);
        let got: Vec<(&str, u32)> = k.replicas.iter().map(|r| (r.rtype.as_str(), r.replicas)).collect();
        assert_eq!(got, types, "{file}");
        assert!(k.replicas.iter().all(|r| r.restart_policy == restart), "{file}");
        assert_eq!(
            (k.run_policy.clean_pod_policy, k.success_all_workers, k.dynamic_worker),
            (CleanPodPolicy::None, false, false)
        );
    }
}

const TF_HEAD: &str = "apiVersion: kubeflow.org/v1\nkind: TFJob\nmetadata:\n  name: tf\nspec:\n";

#[test]
fn tfjob_defaults_and_checks() {
    const T: &str = "{name: tensorflow, image: x}";
    // Replica types are camel-cased (`setTypeNameToCamelCase`); restartPolicy defaults to
    // Never; the order is Chief, Evaluator, Master, PS, Worker.
    let sc = ok(&format!(
        "{TF_HEAD}  successPolicy: AllWorkers\n  enableDynamicWorker: true\n  tfReplicaSpecs:\n{}{}",
        rs("worker", "      replicas: 3\n", T),
        rs("ps", "", T)
    ));
    let k = kubeflow_spec(&sc.workloads[0]);
    let got: Vec<(&str, u32, KubeflowRestartPolicy)> = k
        .replicas
        .iter()
        .map(|r| (r.rtype.as_str(), r.replicas, r.restart_policy))
        .collect();
    assert_eq!(
        got,
        [
            ("PS", 1, KubeflowRestartPolicy::Never),
            ("Worker", 3, KubeflowRestartPolicy::Never)
        ]
    );
    assert!(k.success_all_workers && k.dynamic_worker);
    let specs = |body: String| format!("{TF_HEAD}  tfReplicaSpecs:\n{body}");
    expect_errors(&[
        (
            specs(format!("{}{}", rs("Chief", "", T), rs("Master", "", T))),
            7,
            "spec.tfReplicaSpecs",
            vec!["spec.tfReplicaSpecs: Forbidden: must not have more than 1 Chief or Master role"],
        ),
        (
            specs(rs("Worker", "", C)),
            11,
            "spec.tfReplicaSpecs.Worker.template.spec.containers",
            vec![
                "spec.tfReplicaSpecs[Worker].template.spec.containers: Required value: must have at least one container with name tensorflow",
            ],
        ),
        (
            specs(rs("Trainer", "", T)),
            7,
            "spec.tfReplicaSpecs.Trainer",
            vec![
                "unknown replica type \"Trainer\"",
                "Chief, Evaluator, Master, PS, Worker",
            ],
        ),
        (
            format!(
                "{TF_HEAD}  successPolicy: Any\n  tfReplicaSpecs:\n{}",
                rs("Worker", "", T)
            ),
            6,
            "spec.successPolicy",
            vec!["unknown successPolicy", "AllWorkers"],
        ),
    ]);
}

/// An upstream example of `tests/upstream/kubeflow`.
fn upstream(file: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/upstream/kubeflow/{file}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn the_upstream_jax_paddle_and_xgboost_examples_load_unchanged_with_the_controllers_defaults() {
    use KubeflowRestartPolicy::{ExitCode, Never, OnFailure};
    for (file, name, kind, types) in [
        (
            "jax-cpu-demo.yaml",
            "jaxjob-simple",
            "JAXJob",
            vec![("Worker", 2, OnFailure)],
        ),
        (
            "jaxjob_dist_spmd_mnist_gloo.yaml",
            "jaxjob-mnist",
            "JAXJob",
            vec![("Worker", 2, OnFailure)],
        ),
        (
            "kueue-sample-jaxjob.yaml",
            "jax-simple",
            "JAXJob",
            vec![("Worker", 2, OnFailure)],
        ),
        (
            "paddle-simple-cpu.yaml",
            "paddle-simple-cpu",
            "PaddleJob",
            vec![("Worker", 2, OnFailure)],
        ),
        (
            "paddle-simple-gpu.yaml",
            "paddle-simple-gpu",
            "PaddleJob",
            vec![("Worker", 2, OnFailure)],
        ),
        (
            "kueue-sample-paddlejob.yaml",
            "paddle-simple-cpu",
            "PaddleJob",
            vec![("Worker", 2, OnFailure)],
        ),
        (
            "xgboostjob.yaml",
            "xgboost-dist-iris-test-train",
            "XGBoostJob",
            vec![("Master", 1, Never), ("Worker", 2, ExitCode)],
        ),
        (
            "xgboostjob_v1_rabit_test.yaml",
            "xgboost-dist-test",
            "XGBoostJob",
            vec![("Master", 1, Never), ("Worker", 2, Never)],
        ),
        (
            "xgboostjob_v1_iris_train.yaml",
            "xgboost-dist-iris-test-train",
            "XGBoostJob",
            vec![("Master", 1, Never), ("Worker", 2, ExitCode)],
        ),
        (
            "xgboostjob_v1_lightgbm_dist_training.yaml",
            "lightgbm-dist-train-test",
            "XGBoostJob",
            vec![("Master", 1, Never), ("Worker", 2, ExitCode)],
        ),
        (
            "kueue-sample-xgboostjob.yaml",
            "xgboost-dist-iris-test-train",
            "XGBoostJob",
            vec![("Master", 1, Never), ("Worker", 2, ExitCode)],
        ),
    ] {
        let sc = load_str(file, &upstream(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(sc.workloads.len(), 1, "{file}");
        let w = &sc.workloads[0];
        assert_eq!((w.name.as_str(), w.kind.api_kind()), (name, kind), "{file}");
        let k = kubeflow_spec(w);
        let got: Vec<(&str, u32, KubeflowRestartPolicy)> = k
            .replicas
            .iter()
            .map(|r| (r.rtype.as_str(), r.replicas, r.restart_policy))
            .collect();
        assert_eq!(got, types, "{file}");
        assert_eq!(k.run_policy.clean_pod_policy, CleanPodPolicy::None, "{file}");
        assert!(sc.unmodelled.is_empty(), "{file}: {:?}", sc.unmodelled);
    }
    // The GPU example's limit is the pods' request.
    let sc = ok(&upstream("paddle-simple-gpu.yaml"));
    let k = kubeflow_spec(&sc.workloads[0]);
    assert_eq!(k.replicas[0].template.requests.get("nvidia.com/gpu"), Some(&2000));
}

/// A training job `j` of `kind` with the replica specs `body` under `key`, the spec's other
/// lines `more` first: `apiVersion` .. `spec:` are lines 1-5.
fn framework_job(kind: &str, key: &str, more: &str, body: &str) -> String {
    format!("apiVersion: kubeflow.org/v1\nkind: {kind}\nmetadata:\n  name: j\nspec:\n{more}  {key}:\n{body}")
}

#[test]
fn jax_paddle_and_xgboost_defaults() {
    // `SetDefaults_<Kind>`: replicas 1; restartPolicy Never (JAX, XGBoost), OnFailure (Paddle);
    // cleanPodPolicy None.
    for (kind, key, container, types) in [
        (
            "JAXJob",
            "jaxReplicaSpecs",
            "{name: jax, image: x}",
            vec![("Worker", KubeflowRestartPolicy::Never)],
        ),
        (
            "PaddleJob",
            "paddleReplicaSpecs",
            "{name: paddle, image: x}",
            vec![
                ("Master", KubeflowRestartPolicy::OnFailure),
                ("Worker", KubeflowRestartPolicy::OnFailure),
            ],
        ),
        (
            "XGBoostJob",
            "xgbReplicaSpecs",
            "{name: xgboost, image: x}",
            vec![
                ("Master", KubeflowRestartPolicy::Never),
                ("Worker", KubeflowRestartPolicy::Never),
            ],
        ),
    ] {
        // Written Worker first: walked Master first.
        let body: String = types
            .iter()
            .rev()
            .map(|(t, _)| {
                let fields = if *t == "Master" { "      replicas: 1\n" } else { "" };
                rs(t, fields, container)
            })
            .collect();
        let sc = ok(&framework_job(kind, key, "", &body));
        let w = &sc.workloads[0];
        assert_eq!(w.kind.api_kind(), kind);
        let k = kubeflow_spec(w);
        let got: Vec<(&str, KubeflowRestartPolicy)> = k
            .replicas
            .iter()
            .map(|r| (r.rtype.as_str(), r.restart_policy))
            .collect();
        assert_eq!(got, types, "{kind}");
        assert!(k.replicas.iter().all(|r| r.replicas == 1), "{kind}");
        assert_eq!(k.run_policy.clean_pod_policy, CleanPodPolicy::None);
    }
    // Paddle's elasticPolicy is read (the v1.9.0 controller does not use it).
    let sc = ok(&framework_job(
        "PaddleJob",
        "paddleReplicaSpecs",
        "  elasticPolicy: {minReplicas: 1, maxReplicas: 2}\n",
        &rs("Worker", "", "{name: paddle, image: x}"),
    ));
    assert_eq!(kubeflow_spec(&sc.workloads[0]).total_replicas(), 1);
    // JAXJob's webhook does not check managedBy and its reconciler runs every JAXJob.
    let sc = ok(&framework_job(
        "JAXJob",
        "jaxReplicaSpecs",
        "  runPolicy: {managedBy: kueue.x-k8s.io/multikueue}\n",
        &rs("Worker", "", "{name: jax, image: x}"),
    ));
    assert_eq!((sc.workloads.len(), sc.not_simulated.len()), (1, 0));
    // A PaddleJob or XGBoostJob MultiKueue manages is loaded and not run.
    let sc = ok(&framework_job(
        "XGBoostJob",
        "xgbReplicaSpecs",
        "  runPolicy: {managedBy: kueue.x-k8s.io/multikueue}\n",
        &rs("Master", "      replicas: 1\n", "{name: xgboost, image: x}"),
    ));
    assert_eq!(sc.not_simulated[0].kind, "XGBoostJob");
    assert!(sc.workloads.is_empty());
}

#[test]
fn jax_paddle_and_xgboost_webhook_checks_name_line_field_and_fix() {
    const J: &str = "{name: jax, image: x}";
    const P: &str = "{name: paddle, image: x}";
    const X: &str = "{name: xgboost, image: x}";
    let jax = |body: String| framework_job("JAXJob", "jaxReplicaSpecs", "", &body);
    let paddle = |body: String| framework_job("PaddleJob", "paddleReplicaSpecs", "", &body);
    let xgb = |body: String| framework_job("XGBoostJob", "xgbReplicaSpecs", "", &body);
    expect_errors(&[
        (
            jax(rs("Master", "", J)),
            7,
            "spec.jaxReplicaSpecs.Master",
            vec!["Unsupported value: \"Master\": supported values: \"Worker\""],
        ),
        (
            jax(rs("Worker", "", P)),
            11,
            "spec.jaxReplicaSpecs.Worker.template.spec.containers",
            vec![
                "spec.jaxReplicaSpecs[Worker].template.spec.containers: Required value: must have at least one container with name jax",
            ],
        ),
        (
            framework_job(
                "JAXJob",
                "jaxReplicaSpecs",
                "  nprocPerNode: \"2\"\n",
                &rs("Worker", "", J),
            ),
            6,
            "spec.nprocPerNode",
            vec!["nprocPerNode"],
        ),
        (
            paddle(rs("worker", "", P)),
            7,
            "spec.paddleReplicaSpecs.worker",
            vec!["Unsupported value: \"worker\": supported values: \"Master\", \"Worker\""],
        ),
        (
            paddle(rs("Worker", "", J)),
            11,
            "spec.paddleReplicaSpecs.Worker.template.spec.containers",
            vec!["must have at least one container with name \"paddle\""],
        ),
        (
            paddle(rs("Worker", "      replicas: -1\n", P)),
            8,
            "spec.paddleReplicaSpecs.Worker.replicas",
            vec!["negative replicas -1"],
        ),
        (
            framework_job(
                "PaddleJob",
                "paddleReplicaSpecs",
                "  runPolicy: {managedBy: me.io/ctl}\n",
                &rs("Worker", "", P),
            ),
            6,
            "spec.runPolicy.managedBy",
            vec!["Unsupported value: \"me.io/ctl\""],
        ),
        (
            framework_job(
                "PaddleJob",
                "paddleReplicaSpecs",
                "  elasticPolicy: {maxRestarts: 3}\n",
                &rs("Master", "", P),
            ),
            6,
            "spec.elasticPolicy",
            vec!["no Worker replica spec", "crash"],
        ),
        (
            xgb(rs("Worker", "", X)),
            7,
            "spec.xgbReplicaSpecs",
            vec!["spec.xgbReplicaSpecs[Master]: Required value: must be present"],
        ),
        (
            xgb(rs("Master", "      replicas: 2\n", X)),
            8,
            "spec.xgbReplicaSpecs.Master.replicas",
            vec!["spec.xgbReplicaSpecs[Master].replicas: Forbidden: must be 1"],
        ),
        (
            xgb(rs("Master", "", X)),
            8,
            "spec.xgbReplicaSpecs.Master",
            vec!["Forbidden: must be 1"],
        ),
        (
            xgb(format!(
                "{}{}",
                rs("Master", "      replicas: 1\n", X),
                rs("Worker", "", "{name: xgboost}")
            )),
            17,
            "spec.xgbReplicaSpecs.Worker.template.spec.containers[0]",
            vec!["spec.xgbReplicaSpecs[Worker].template.spec.containers[0].image: Required value: must be required"],
        ),
    ]);
}
