//! Kubeflow Trainer TrainJobs and runtimes (docs/trainer.md): the upstream examples, Trainer's
//! default runtimes, runtime patches, and the errors.

use super::*;
use crate::input::spec::{JobSetSpec, PodGroupApi, RestartPolicy};

const EX1: &str = include_str!("../../../../tests/upstream/trainer/01-multi-node.yaml");
const EX2: &str = include_str!("../../../../tests/upstream/trainer/02-runtime-patches.yaml");
const EX3: &str = include_str!("../../../../tests/upstream/trainer/03-kueue-integration.yaml");
const EX4: &str = include_str!("../../../../tests/upstream/trainer/04-volcano-integration.yaml");
const EX5: &str = include_str!("../../../../tests/upstream/trainer/05-multi-step.yaml");

fn jobset_of(w: &WorkloadSpec) -> &JobSetSpec {
    match &w.kind {
        WorkloadKind::JobSet(s) => s,
        other => panic!("not a JobSet: {other:?}"),
    }
}

/// (name, replicas, parallelism, completions) of each replicatedJob.
fn shape(s: &JobSetSpec) -> Vec<(&str, u32, Option<u32>, Option<u32>)> {
    s.replicated_jobs
        .iter()
        .map(|r| (r.name.as_str(), r.replicas, r.job.parallelism, r.job.completions))
        .collect()
}

#[test]
fn the_upstream_examples_load_unchanged_as_the_jobsets_trainer_creates() {
    // 01: the default torch runtime, numNodes 3: one Job of 3 indexed pods.
    let sc = ok(EX1);
    assert_eq!(sc.workloads.len(), 1);
    let w = &sc.workloads[0];
    assert_eq!((w.name.as_str(), w.kind.api_kind()), ("multi-node-example", "TrainJob"));
    let s = jobset_of(w);
    assert_eq!(shape(s), [("node", 1, Some(3), Some(3))]);
    assert_eq!(s.train_job.as_deref(), Some("torch-distributed"));
    // The JobSet webhook's defaults apply to the runtime's template.
    assert_eq!(
        s.replicated_jobs[0].job.template.restart_policy,
        RestartPolicy::OnFailure
    );
    assert_eq!(sc.built_in_runtimes.len(), 1);
    assert_eq!(sc.built_in_runtimes[0].train_jobs, ["default/multi-node-example"]);

    // 02: resourcesPerNode into the node container; the patch's node selector and
    // toleration into its pods.
    let sc = ok(EX2);
    let t = &jobset_of(&sc.workloads[0]).replicated_jobs[0].job.template;
    assert_eq!(t.requests, rl(&[("cpu", 2000), ("memory", 4 << 30)]));
    assert_eq!(t.limits, rl(&[("cpu", 4000), ("memory", 8 << 30)]));
    assert_eq!(t.node_selector, labels(&[("node-type", "training")]));
    assert_eq!(t.tolerations.len(), 1);
    assert!(sc.unmodelled.is_empty(), "{:?}", sc.unmodelled);

    // 03: Kueue's queue label and suspend.
    let sc = ok(EX3);
    let w = &sc.workloads[0];
    assert_eq!(w.queue_name(), Some("training-queue"));
    let s = jobset_of(w);
    assert!(s.suspend && s.replicated_jobs[0].job.suspend);
    assert_eq!(shape(s), [("node", 1, Some(3), Some(3))]);

    // 04: the runtime is in the file; its volcano podGroupPolicy gives a PodGroup of every pod.
    let sc = ok(EX4);
    assert!(sc.built_in_runtimes.is_empty());
    let pg = &sc.pod_groups[0];
    assert_eq!(
        (pg.api, pg.name.as_str(), pg.min_member),
        (PodGroupApi::Volcano, "volcano-example", 4)
    );
    let t = &jobset_of(&sc.workloads[0]).replicated_jobs[0].job.template;
    assert_eq!(t.pod_group.as_deref(), Some("volcano-example"));

    // 05: a namespaced TrainingRuntime with an initializer the trainer depends on.
    let sc = ok(EX5);
    let s = jobset_of(&sc.workloads[0]);
    assert_eq!(
        shape(s),
        [
            ("dataset-initializer", 1, Some(1), Some(1)),
            ("node", 1, Some(2), Some(2))
        ]
    );
    assert_eq!(s.replicated_jobs[1].depends_on.len(), 1);
}

/// A TrainJob on `runtime` of `nodes` nodes with 8 GPUs each.
fn tj(runtime: &str, nodes: u32) -> String {
    format!(
        "apiVersion: trainer.kubeflow.org/v1alpha1\nkind: TrainJob\nmetadata: {{name: tj}}\nspec:\n  runtimeRef: {{name: {runtime}}}\n  trainer:\n    numNodes: {nodes}\n    resourcesPerNode: {{limits: {{nvidia.com/gpu: 8}}}}\n"
    )
}

#[test]
fn every_default_runtime_builds_with_its_node_count() {
    for (runtime, expected) in [
        ("torch-distributed", vec![("node", 1, Some(4), Some(4))]),
        // runLauncherAsNode: the launcher is one of the 4 nodes.
        (
            "deepspeed-distributed",
            vec![("node", 1, Some(3), Some(3)), ("launcher", 1, Some(1), Some(1))],
        ),
        (
            "mlx-distributed",
            vec![("node", 1, Some(3), Some(3)), ("launcher", 1, Some(1), Some(1))],
        ),
        ("jax-distributed", vec![("node", 1, Some(4), Some(4))]),
        ("xgboost-distributed", vec![("node", 1, Some(4), Some(4))]),
        (
            "torchtune-llama3.2-1b",
            vec![
                ("dataset-initializer", 1, Some(1), Some(1)),
                ("model-initializer", 1, Some(1), Some(1)),
                ("node", 1, Some(4), Some(4)),
            ],
        ),
    ] {
        let sc = ok(&tj(runtime, 4));
        let s = jobset_of(&sc.workloads[0]);
        assert_eq!(shape(s), expected, "{runtime}");
        // resourcesPerNode goes to the trainer's `node` container (and MPI's node pods).
        let node = s.replicated_jobs.iter().find(|r| r.name == "node").expect("node");
        assert_eq!(
            node.job.template.requests.get("nvidia.com/gpu"),
            Some(&8000),
            "{runtime}"
        );
    }
    for name in ["torchtune-llama3.2-3b", "torchtune-qwen2.5-1.5b"] {
        ok(&tj(name, 1));
    }
}

const RT: &str = "apiVersion: trainer.kubeflow.org/v1alpha1\nkind: ClusterTrainingRuntime\nmetadata: {name: rt}\nspec:\n  mlPolicy: {numNodes: 2, torch: {}}\n  template:\n    spec:\n      replicatedJobs:\n      - name: node\n        template:\n          metadata:\n            labels: {trainer.kubeflow.org/trainjob-ancestor-step: trainer}\n          spec:\n            template:\n              spec:\n                containers: [{name: node, image: x, resources: {requests: {cpu: \"1\"}, limits: {nvidia.com/gpu: 1}}}]\n---\n";

#[test]
fn the_runtime_gives_the_defaults_and_the_train_job_overrides_them() {
    // No trainer: the runtime's numNodes (2) and its container's resources.
    let sc = ok(&format!(
        "{RT}apiVersion: trainer.kubeflow.org/v1alpha1\nkind: TrainJob\nmetadata: {{name: a}}\nspec:\n  runtimeRef: {{name: rt}}\n"
    ));
    let r = &jobset_of(&sc.workloads[0]).replicated_jobs[0];
    assert_eq!((r.job.parallelism, r.job.completions), (Some(2), Some(2)));
    assert_eq!(r.job.template.requests, rl(&[("cpu", 1000), ("nvidia.com/gpu", 1000)]));
    // A TrainJob before its runtime (files apply as a whole), with its own limit: the request
    // the runtime's limit defaulted follows the new limit; cpu stays.
    let sc = ok(&format!("{}---\n{RT}", tj("rt", 5)));
    let r = &jobset_of(&sc.workloads[0]).replicated_jobs[0];
    assert_eq!(r.job.parallelism, Some(5));
    assert_eq!(r.job.template.requests, rl(&[("cpu", 1000), ("nvidia.com/gpu", 8000)]));
    assert_eq!(r.job.template.limits, rl(&[("nvidia.com/gpu", 8000)]));
}

#[test]
fn bad_train_jobs_and_runtimes_get_the_api_servers_messages() {
    let tj_with = |spec: &str| {
        format!(
            "{RT}apiVersion: trainer.kubeflow.org/v1alpha1\nkind: TrainJob\nmetadata: {{name: tj}}\nspec:\n  runtimeRef: {{name: rt}}\n{spec}"
        )
    };
    let cases = vec![
        (
            tj("nope", 1),
            5,
            "spec.runtimeRef.name",
            vec!["ClusterTrainingRuntime \"nope\" not found", "torch-distributed"],
        ),
        (
            tj("rt", 1).replace("name: tj", "name: t.j"),
            3,
            "metadata.name",
            vec!["must match RFC 1035 DNS label format"],
        ),
        (
            tj_with("  trainer: {numProcPerNode: 0}\n"),
            23,
            "spec.trainer.numProcPerNode",
            vec!["numProcPerNode must be greater than or equal to 1"],
        ),
        (
            tj_with("  managedBy: me\n"),
            23,
            "spec.managedBy",
            vec!["ManagedBy must be trainer.kubeflow.org/trainjob-controller or kueue.x-k8s.io/multikueue"],
        ),
        (
            tj("rt", 1).replace("runtimeRef: {name: rt}", "runtimeRef: {name: rt, kind: Runtime}"),
            5,
            "spec.runtimeRef.kind",
            vec!["unsupported runtime kind \"Runtime\""],
        ),
        (
            tj_with("  trainer: {numNodes: -1}\n"),
            23,
            "spec.trainer.numNodes",
            vec![],
        ),
        (
            RT.replace("torch: {}", "torch: {}, mpi: {}"),
            5,
            "spec.mlPolicy.mpi",
            vec!["Only one of the policy can be configured"],
        ),
        (
            tj_with(
                "  runtimePatches:\n  - manager: a\n    trainingRuntimeSpec:\n      template:\n        spec:\n          replicatedJobs: [{name: launcher}]\n",
            ),
            28,
            "spec.runtimePatches[0].trainingRuntimeSpec.template.spec.replicatedJobs[0]",
            vec![
                "must not have replicated job that doesn't exist in the runtime job template",
                "node",
            ],
        ),
        (
            tj_with(
                "  runtimePatches:\n  - manager: a\n    trainingRuntimeSpec:\n      template:\n        spec:\n          replicatedJobs:\n          - name: node\n            template: {spec: {template: {spec: {containers: [{name: sidecar}]}}}}\n",
            ),
            30,
            "spec.runtimePatches[0].trainingRuntimeSpec.template.spec.replicatedJobs[0].template.spec.template.spec.containers[0]",
            vec!["must not have container that doesn't exist in the runtime job node"],
        ),
        (
            tj_with("  runtimePatches:\n  - manager: a\n  - manager: a\n"),
            25,
            "spec.runtimePatches[1].manager",
            vec!["Duplicate value: \"a\""],
        ),
        (
            tj_with(
                "  runtimePatches:\n  - manager: a\n    trainingRuntimeSpec:\n      template:\n        spec:\n          replicatedJobs:\n          - name: node\n            template: {spec: {template: {spec: {nodeSelectr: {a: b}}}}}\n",
            ),
            30,
            "spec.runtimePatches[0].trainingRuntimeSpec.template.spec.replicatedJobs[0].template.spec.template.spec.nodeSelectr",
            vec!["did you mean `nodeSelector`?"],
        ),
        (
            // A patched toleration the pod converter refuses: the error names the TrainJob's
            // line.
            tj_with(
                "  runtimePatches:\n  - manager: a\n    trainingRuntimeSpec:\n      template:\n        spec:\n          replicatedJobs:\n          - name: node\n            template: {spec: {template: {spec: {tolerations: [{operator: Maybe}]}}}}\n",
            ),
            30,
            "",
            vec!["Maybe"],
        ),
    ];
    for (text, line, field, words) in &cases {
        let e = bad(text);
        if field.is_empty() {
            assert_eq!(e.line, Some(*line), "{e}");
            assert!(words.iter().all(|w| e.to_string().contains(w)), "{e}");
        } else {
            check(&e, *line, field, words);
        }
    }
}

#[test]
fn a_multikueue_train_job_is_listed_not_run_and_active_deadlines_are_warned_about() {
    let sc = ok(&tj("torch-distributed", 1).replace(
        "  runtimeRef:",
        "  managedBy: kueue.x-k8s.io/multikueue\n  activeDeadlineSeconds: 60\n  runtimeRef:",
    ));
    assert!(sc.workloads.is_empty());
    assert_eq!(sc.not_simulated[0].kind, "TrainJob");
    let w = crate::input::scenario::warnings(&sc);
    assert!(w.iter().any(|m| m.contains("MultiKueue")), "{w:?}");
    let sc = ok(&tj("torch-distributed", 1).replace("  runtimeRef:", "  activeDeadlineSeconds: 60\n  runtimeRef:"));
    assert_eq!(sc.unmodelled[0].fields, ["spec.activeDeadlineSeconds"]);
    let w = crate::input::scenario::warnings(&sc);
    assert!(
        w.iter()
            .any(|m| m.contains("spec.activeDeadlineSeconds is not simulated") && m.contains("TrainJob \"default/tj\"")),
        "{w:?}"
    );
    assert!(
        w.iter()
            .any(|m| m.contains("ClusterTrainingRuntime \"torch-distributed\" is not in the scenario"))
    );
}
