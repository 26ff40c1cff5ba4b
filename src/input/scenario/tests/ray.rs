//! KubeRay RayClusters and RayJobs (ray.io/v1, docs/ray.md): the upstream examples load unchanged
//! with the CRD's defaults, the operator's checks give its messages at the right line and field,
//! refused features say so, and a Volcano PodGroup is made as KubeRay's batch scheduler does.

use super::*;

const CLUSTER: &str = include_str!("../../../../tests/upstream/ray/ray-cluster.sample.yaml");
const VOLCANO_CLUSTER: &str = include_str!("../../../../tests/upstream/ray/ray-cluster.volcano-scheduler.yaml");
const JOB: &str = include_str!("../../../../tests/upstream/ray/ray-job.sample.yaml");
const SHUTDOWN: &str = include_str!("../../../../tests/upstream/ray/ray-job.shutdown.yaml");
const RESOURCES: &str = include_str!("../../../../tests/upstream/ray/ray-job.resources.yaml");
const INTERACTIVE: &str = include_str!("../../../../tests/upstream/ray/ray-job.interactive-mode.yaml");
const VOLCANO_JOB: &str = include_str!("../../../../tests/upstream/ray/ray-job.volcano-scheduler-queue.v1.5.1.yaml");
const SIDECAR: &str = include_str!("../../../../tests/upstream/ray/ray-job.sidecar-mode.yaml");
const EXISTING: &str = include_str!("../../../../tests/upstream/ray/ray-job.use-existing-raycluster.yaml");
const KUEUE_CLUSTER: &str = include_str!("../../../../tests/upstream/ray/kueue-ray-cluster-sample.yaml");
const KUEUE_JOB: &str = include_str!("../../../../tests/upstream/ray/kueue-ray-job-sample.yaml");
const KUEUE_AUTOSCALING: &str = include_str!("../../../../tests/upstream/ray/kueue-ray-job-autoscaling-sample.yaml");

fn ray_spec(w: &WorkloadSpec) -> &RaySpec {
    match &w.kind {
        WorkloadKind::Ray(r) => r,
        other => panic!("not a Ray object: {other:?}"),
    }
}

/// (group name, pods) of each group.
fn groups(r: &RaySpec) -> Vec<(&str, u32)> {
    r.groups.iter().map(|g| (g.name.as_str(), g.pods)).collect()
}

#[test]
fn the_upstream_examples_load_unchanged_with_the_crds_defaults() {
    for (file, text, kind, name, want) in [
        (
            "ray-cluster.sample.yaml",
            CLUSTER,
            "RayCluster",
            "raycluster-kuberay",
            vec![("head", 1), ("workergroup", 1)],
        ),
        (
            "ray-cluster.volcano-scheduler.yaml",
            VOLCANO_CLUSTER,
            "RayCluster",
            "test-cluster-0",
            vec![("head", 1)],
        ),
        (
            "ray-job.sample.yaml",
            JOB,
            "RayJob",
            "rayjob-sample",
            vec![("head", 1), ("small-group", 1), ("submitter", 1)],
        ),
        (
            "ray-job.shutdown.yaml",
            SHUTDOWN,
            "RayJob",
            "rayjob-sample-shutdown",
            vec![("head", 1), ("small-group", 1), ("submitter", 1)],
        ),
        (
            "ray-job.resources.yaml",
            RESOURCES,
            "RayJob",
            "rayjob-sample",
            vec![("head", 1), ("small-group", 1), ("submitter", 1)],
        ),
        (
            "ray-job.interactive-mode.yaml",
            INTERACTIVE,
            "RayJob",
            "rayjob-interactive-mode",
            vec![("head", 1), ("default-group", 1)],
        ),
        (
            "ray-job.volcano-scheduler-queue.v1.5.1.yaml",
            VOLCANO_JOB,
            "RayJob",
            "rayjob-sample-0",
            vec![("head", 1), ("small-group", 2), ("submitter", 1)],
        ),
        (
            "kueue-ray-cluster-sample.yaml",
            KUEUE_CLUSTER,
            "RayCluster",
            "raycluster-complete",
            vec![("head", 1), ("small-group", 1)],
        ),
        (
            "kueue-ray-job-sample.yaml",
            KUEUE_JOB,
            "RayJob",
            "rayjob-sample",
            vec![("head", 1), ("small-group", 1), ("submitter", 1)],
        ),
        (
            "kueue-ray-job-autoscaling-sample.yaml",
            KUEUE_AUTOSCALING,
            "RayJob",
            "rayjob-autoscaling-sample",
            vec![("head", 1), ("small-group", 1), ("submitter", 1)],
        ),
    ] {
        let sc = load_str(file, text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let w = sc
            .workloads
            .iter()
            .find(|w| w.name == name)
            .unwrap_or_else(|| panic!("{file}: no {name}"));
        assert_eq!(w.kind.api_kind(), kind, "{file}");
        assert_eq!(groups(ray_spec(w)), want, "{file}");
    }
    // The default submitter: 500m CPU and 200Mi requested, 1 CPU and 1Gi limits, Never.
    let sc = load_str("j.yaml", SHUTDOWN).unwrap();
    let r = ray_spec(&sc.workloads[0]);
    let sub = &r.groups[2].template;
    assert_eq!(sub.requests.get("cpu"), Some(&500));
    assert_eq!(sub.requests.get("memory"), Some(&(200 << 20)));
    assert_eq!(sub.limits.get("memory"), Some(&(1 << 30)));
    assert_eq!(sub.restart_policy, RestartPolicy::Never);
    let j = r.job.as_ref().unwrap();
    assert_eq!(
        (
            j.submission_mode,
            j.shutdown_after_job_finishes,
            j.ttl_seconds_after_finished,
            j.backoff_limit
        ),
        (RaySubmissionMode::K8sJob, true, 10, 0)
    );
    // The head's requests: 1 CPU, 2Gi.
    assert_eq!(r.groups[0].template.requests.get("cpu"), Some(&1000));
    // KubeRay v1.5's Volcano sample: a PodGroup named after the RayJob, head + 2 workers, in
    // the queue of its label.
    let sc = load_str("v.yaml", VOLCANO_JOB).unwrap();
    assert_eq!(sc.pod_groups.len(), 1);
    let pg = &sc.pod_groups[0];
    assert_eq!(
        (pg.api, pg.name.as_str(), pg.min_member, pg.queue.as_deref()),
        (PodGroupApi::Volcano, "rayjob-sample-0", 3, Some("kuberay-test-queue"))
    );
    for g in &ray_spec(&sc.workloads[0]).groups {
        assert_eq!(g.template.pod_group.as_deref(), Some("rayjob-sample-0"), "{}", g.name);
        assert_eq!(g.template.scheduler_name.as_deref(), Some("volcano"));
    }
    // Kueue's autoscaling sample: the autoscaler's fields are listed as not simulated.
    let sc = load_str("a.yaml", KUEUE_AUTOSCALING).unwrap();
    assert_eq!(sc.unmodelled.len(), 1);
    assert_eq!(
        sc.unmodelled[0].fields,
        [
            "spec.rayClusterSpec.enableInTreeAutoscaling",
            "spec.rayClusterSpec.autoscalerOptions"
        ]
    );
}

#[test]
fn refused_features_say_they_are_not_simulated() {
    let e = load_str("t.yaml", SIDECAR).unwrap_err();
    assert_eq!(e.field, "spec.submissionMode", "{e}");
    assert!(
        e.message.contains("SidecarMode") && e.message.contains("not simulated"),
        "{e}"
    );
    let e = load_str("t.yaml", EXISTING).unwrap_err();
    assert_eq!(e.field, "spec.clusterSelector", "{e}");
    assert!(e.message.contains("not simulated"), "{e}");
}

/// A RayJob with spec lines `spec` (before rayClusterSpec) and worker group lines `worker`.
fn rayjob(spec: &str, worker: &str) -> String {
    format!(
        "apiVersion: ray.io/v1\nkind: RayJob\nmetadata:\n  name: rj\nspec:\n{spec}  rayClusterSpec:\n    headGroupSpec:\n      rayStartParams: {{}}\n      template:\n        spec:\n          containers: [{{name: h, image: r}}]\n    workerGroupSpecs:\n    - groupName: g\n{worker}      template:\n        spec:\n          containers: [{{name: w, image: r}}]\n"
    )
}

#[test]
fn the_operators_checks_give_its_messages() {
    expect_errors(&[
        (
            rayjob("  suspend: true\n", ""),
            6,
            "spec.suspend",
            vec![
                "The RayJob spec is invalid: a RayJob with shutdownAfterJobFinishes set to false is not allowed to be suspended",
            ],
        ),
        (
            rayjob("  ttlSecondsAfterFinished: -1\n", ""),
            6,
            "spec.ttlSecondsAfterFinished",
            vec!["TTLSecondsAfterFinished must be a non-negative integer"],
        ),
        (
            rayjob("  activeDeadlineSeconds: 0\n", ""),
            6,
            "spec.activeDeadlineSeconds",
            vec!["The RayJob spec is invalid: activeDeadlineSeconds must be a positive integer"],
        ),
        (
            rayjob("  backoffLimit: -2\n", ""),
            6,
            "spec.backoffLimit",
            vec!["backoffLimit must be a positive integer"],
        ),
        (
            rayjob("  submissionMode: InteractiveMode\n  backoffLimit: 1\n", ""),
            7,
            "spec.backoffLimit",
            vec!["BackoffLimit is incompatible with InteractiveMode"],
        ),
        (
            rayjob("  submissionMode: Batch\n", ""),
            6,
            "spec.submissionMode",
            vec!["Unsupported value: \"Batch\"", "K8sJobMode"],
        ),
        (
            rayjob("", "      minReplicas: 3\n      maxReplicas: 2\n"),
            14,
            "spec.rayClusterSpec.workerGroupSpecs[0].minReplicas",
            vec!["The RayJob spec is invalid: worker group g has minReplicas 3 greater than maxReplicas 2"],
        ),
        (
            rayjob("", "      minReplicas: -1\n"),
            14,
            "spec.rayClusterSpec.workerGroupSpecs[0].minReplicas",
            vec!["worker group g has negative minReplicas -1"],
        ),
        (
            rayjob(
                "",
                "      replicas: 1\n      minReplicas: 1\n      maxReplicas: 1\n      relicas: 2\n",
            ),
            17,
            "spec.rayClusterSpec.workerGroupSpecs[0].relicas",
            vec!["replicas"],
        ),
        (
            rayjob("  entrypont: python x.py\n", ""),
            6,
            "spec.entrypont",
            vec!["entrypoint"],
        ),
        (
            rayjob("", "").replace("containers: [{name: h, image: r}]", "containers: []"),
            11,
            "spec.rayClusterSpec.headGroupSpec.template.spec",
            vec!["The RayJob spec is invalid: headGroupSpec should have at least one container"],
        ),
        (
            rayjob("", "").replace("name: rj", "name: r.j"),
            4,
            "metadata.name",
            vec!["The RayJob metadata is invalid: RayJob name should be a valid DNS1035 label"],
        ),
        (
            rayjob("", "").replace("name: rj", &format!("name: {}", "r".repeat(48))),
            4,
            "metadata.name",
            vec!["RayJob name should be no more than 47 characters"],
        ),
        (
            rayjob("", "").replace("  rayClusterSpec:", "  rayClusterSpc:"),
            6,
            "spec.rayClusterSpc",
            vec!["rayClusterSpec"],
        ),
        (
            rayjob("", "      suspend: true\n").replace(
                "spec:\n  rayClusterSpec:\n",
                "spec:\n  rayClusterSpec:\n    enableInTreeAutoscaling: true\n",
            ),
            15,
            "spec.rayClusterSpec.workerGroupSpecs[0].suspend",
            vec!["worker group g cannot be suspended with Autoscaler enabled"],
        ),
    ]);
}

#[test]
fn a_suspended_worker_group_has_no_pods_and_numofhosts_multiplies() {
    let sc = ok(&rayjob(
        "",
        "      replicas: 2\n      minReplicas: 1\n      maxReplicas: 3\n      numOfHosts: 4\n",
    ));
    assert_eq!(
        groups(ray_spec(&sc.workloads[0])),
        [("head", 1), ("g", 8), ("submitter", 1)]
    );
    let sc = ok(&rayjob("", "      replicas: 2\n      suspend: true\n"));
    assert_eq!(
        groups(ray_spec(&sc.workloads[0])),
        [("head", 1), ("g", 0), ("submitter", 1)]
    );
    // Without replicas: minReplicas (default 0).
    let sc = ok(&rayjob("", "      minReplicas: 2\n"));
    assert_eq!(groups(ray_spec(&sc.workloads[0]))[1], ("g", 2));
    // HTTPMode: no submitter.
    let sc = ok(&rayjob("  submissionMode: HTTPMode\n", ""));
    assert_eq!(groups(ray_spec(&sc.workloads[0])), [("head", 1), ("g", 0)]);
}

#[test]
fn a_cluster_kept_without_a_horizon_is_warned_about() {
    let about = |sc: &Scenario| {
        crate::input::scenario::warnings(sc)
            .into_iter()
            .filter(|m| m.contains("sets no spec.horizon"))
            .collect::<Vec<_>>()
    };
    // A RayCluster never finishes.
    let w = about(&ok(CLUSTER));
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("RayCluster \"default/raycluster-kuberay\""), "{w:?}");
    // A RayJob without shutdownAfterJobFinishes keeps its cluster; with it, no warning.
    assert_eq!(about(&ok(JOB)).len(), 1);
    assert!(about(&ok(SHUTDOWN)).is_empty());
    // With a horizon, none.
    let with = format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: s}}\nspec: {{horizon: 1h}}\n---\n{CLUSTER}"
    );
    assert!(about(&ok(&with)).is_empty());
    // InteractiveMode is warned about; Kueue's label only when Kueue's webhook refuses the
    // object (Kueue's own samples pass it).
    let all = crate::input::scenario::warnings(&ok(INTERACTIVE));
    assert!(all.iter().any(|m| m.contains("InteractiveMode")), "{all:?}");
    for sample in [KUEUE_JOB, KUEUE_CLUSTER, KUEUE_AUTOSCALING] {
        let all = crate::input::scenario::warnings(&ok(sample));
        assert!(!all.iter().any(|m| m.contains("Kueue's webhook")), "{all:?}");
    }
    let all = crate::input::scenario::warnings(&ok(
        &KUEUE_JOB.replace("shutdownAfterJobFinishes: true", "shutdownAfterJobFinishes: false")
    ));
    assert!(
        all.iter().any(|m| m.contains(
            "Kueue's webhook refuses it: spec.shutdownAfterJobFinishes: Invalid value: false: a kueue managed job \
             should delete the cluster after finishing"
        )),
        "{all:?}"
    );
}

#[test]
fn kueues_pod_set_counts_are_the_replicas_as_stored() {
    // Kueue counts `replicas` as stored (the CRD's default 0), neither clamped to maxReplicas
    // nor zeroed for a suspended group, times numOfHosts (`effectiveWorkerCount`); KubeRay keeps
    // the clamped count. The head and the submitter count 1.
    let kueue = |worker: &str| -> Vec<(String, u32, u32)> {
        let sc = ok(&rayjob("", worker));
        ray_spec(&sc.workloads[0])
            .groups
            .iter()
            .map(|g| (g.name.clone(), g.pods, g.kueue_pods))
            .collect()
    };
    let row = |n: &str, pods: u32, kueue: u32| (n.to_string(), pods, kueue);
    assert_eq!(
        kueue("      replicas: 5\n      maxReplicas: 3\n"),
        [row("head", 1, 1), row("g", 3, 5), row("submitter", 1, 1)]
    );
    assert_eq!(
        kueue("      replicas: 2\n      numOfHosts: 2\n"),
        [row("head", 1, 1), row("g", 4, 4), row("submitter", 1, 1)]
    );
    assert_eq!(
        kueue("      replicas: 2\n      suspend: true\n"),
        [row("head", 1, 1), row("g", 0, 2), row("submitter", 1, 1)]
    );
    assert_eq!(
        kueue("      minReplicas: 1\n"),
        [row("head", 1, 1), row("g", 1, 0), row("submitter", 1, 1)]
    );
}

#[test]
fn kueues_frameworks_list_says_whether_ray_objects_are_managed() {
    let config = |frameworks: &str| {
        let sc = ok(&format!(
            "apiVersion: config.kueue.x-k8s.io/v1beta1\nkind: Configuration\nintegrations:\n  frameworks: {frameworks}\n"
        ));
        (sc.kueue_config.manages_rayjobs, sc.kueue_config.manages_rayclusters)
    };
    // Both are in the released manifests' list: managed by default (and an empty list keeps it).
    let d = crate::input::spec::KueueConfig::default();
    assert_eq!((d.manages_rayjobs, d.manages_rayclusters), (true, true));
    assert_eq!(config("[]"), (true, true));
    assert_eq!(config("[batch/job]"), (false, false));
    assert_eq!(config("[batch/job, ray.io/rayjob]"), (true, false));
    assert_eq!(config("[ray.io/raycluster]"), (false, true));
    // A framework that is not a string is refused, naming the entry.
    let e = bad(
        "apiVersion: config.kueue.x-k8s.io/v1beta1\nkind: Configuration\nintegrations:\n  frameworks: [ray.io/rayjob, {a: b}]\n",
    );
    assert_eq!(e.line, Some(4), "{e}");
    assert!(!e.fix.is_empty(), "{e}");
}
