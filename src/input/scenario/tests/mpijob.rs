//! MPIJobs (kubeflow.org/v2beta1): the upstream examples load unchanged with the operator's
//! defaults, the controller's validation gives its messages at the right line and field, gang
//! scheduling makes the operator's PodGroup, and a MultiKueue job is loaded and not run.

use super::*;

const PI: &str = include_str!("../../../../tests/upstream/mpijob/pi.yaml");
const PI_INTEL: &str = include_str!("../../../../tests/upstream/mpijob/pi-intel.yaml");
const PI_MPICH: &str = include_str!("../../../../tests/upstream/mpijob/pi-mpich.yaml");
const HOROVOD: &str = include_str!("../../../../tests/upstream/mpijob/tensorflow-mnist.yaml");
const BENCHMARKS: &str = include_str!("../../../../tests/upstream/mpijob/tensorflow-benchmarks.yaml");
const KUEUE_SAMPLE: &str = include_str!("../../../../tests/upstream/mpijob/kueue-sample-mpijob.yaml");

fn mpi_spec(w: &WorkloadSpec) -> &crate::input::spec::MpiJobSpec {
    match &w.kind {
        WorkloadKind::MpiJob(m) => m,
        other => panic!("not an MPIJob: {other:?}"),
    }
}

#[test]
fn the_upstream_examples_load_unchanged_with_the_operators_defaults() {
    for (file, text, name, workers, gpus) in [
        ("pi.yaml", PI, "pi", 2, 0),
        ("pi-intel.yaml", PI_INTEL, "pi", 2, 0),
        ("pi-mpich.yaml", PI_MPICH, "pi", 2, 0),
        ("tensorflow-mnist.yaml", HOROVOD, "tensorflow-mnist", 2, 0),
        (
            "tensorflow-benchmarks.yaml",
            BENCHMARKS,
            "tensorflow-benchmarks",
            2,
            1000,
        ),
        ("kueue-sample-mpijob.yaml", KUEUE_SAMPLE, "pi", 2, 0),
    ] {
        let sc = load_str(file, text).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(sc.workloads.len(), 1, "{file}");
        let w = &sc.workloads[0];
        assert_eq!((w.name.as_str(), w.kind.api_kind()), (name, "MPIJob"), "{file}");
        let m = mpi_spec(w);
        assert_eq!(m.workers(), workers, "{file}");
        assert_eq!(m.launcher.replicas, 1, "{file}");
        // `DefaultLauncherRestartPolicy` OnFailure, `DefaultRestartPolicy` Never.
        assert_eq!(m.launcher.restart_policy, KubeflowRestartPolicy::OnFailure, "{file}");
        assert_eq!(m.launcher.template.restart_policy, RestartPolicy::OnFailure, "{file}");
        let worker = m.worker.as_ref().expect("workers");
        assert_eq!(worker.restart_policy, KubeflowRestartPolicy::Never, "{file}");
        assert_eq!(
            worker.template.limits.get("nvidia.com/gpu").copied().unwrap_or(0),
            gpus,
            "{file}"
        );
        assert!(!m.wait_for_workers && m.slots_per_worker == 1, "{file}");
        // Every example sets cleanPodPolicy Running, and none asks for a gang.
        assert_eq!(m.run_policy.clean_pod_policy, CleanPodPolicy::Running, "{file}");
        assert!(sc.pod_groups.is_empty(), "{file}");
    }
    // The Kueue sample names its LocalQueue.
    let sc = load_str("k.yaml", KUEUE_SAMPLE).unwrap();
    assert_eq!(
        sc.workloads[0]
            .labels
            .get("kueue.x-k8s.io/queue-name")
            .map(String::as_str),
        Some("user-queue")
    );
    // pi.yaml's ttlSecondsAfterFinished is listed as loaded, not simulated.
    let sc = load_str("pi.yaml", PI).unwrap();
    assert_eq!(sc.unmodelled[0].fields, ["spec.runPolicy.ttlSecondsAfterFinished"]);
    assert_eq!(
        mpi_spec(&sc.workloads[0]).run_policy.ttl_seconds_after_finished,
        Some(60)
    );
}

const HEAD: &str = "apiVersion: kubeflow.org/v2beta1\nkind: MPIJob\nmetadata:\n  name: mpi\nspec:\n";

/// An MPIJob: `HEAD` (5 lines) then `rest`, from line 6.
fn mj(rest: &str) -> String {
    format!("{HEAD}{rest}")
}

/// A replica spec under mpiReplicaSpecs (`type` at indent 4) with `fields`.
fn rs(rtype: &str, fields: &str) -> String {
    format!(
        "    {rtype}:\n{fields}      template:\n        spec:\n          containers:\n          - {{name: c, image: x}}\n"
    )
}

fn both(launcher: &str, worker: &str) -> String {
    mj(&format!(
        "  mpiReplicaSpecs:\n{}{}",
        rs("Launcher", launcher),
        rs("Worker", worker)
    ))
}

#[test]
fn the_operators_defaults_and_the_spec_read() {
    let sc = ok(&mj(&format!(
        "  launcherCreationPolicy: WaitForWorkersReady\n  slotsPerWorker: 8\n  runPolicy: {{backoffLimit: 2, activeDeadlineSeconds: 600, suspend: true}}\n  mpiReplicaSpecs:\n{}{}",
        rs("Worker", "      replicas: 4\n      restartPolicy: OnFailure\n"),
        rs("Launcher", "")
    )));
    let m = mpi_spec(&sc.workloads[0]);
    assert!(m.wait_for_workers && m.run_policy.suspend);
    assert_eq!(
        (
            m.slots_per_worker,
            m.run_policy.backoff_limit,
            m.run_policy.active_deadline_s
        ),
        (8, Some(2), Some(600))
    );
    assert_eq!(m.run_policy.clean_pod_policy, CleanPodPolicy::None);
    assert_eq!(m.workers(), 4);
    assert_eq!(
        m.worker.as_ref().unwrap().template.restart_policy,
        RestartPolicy::OnFailure
    );
    // The launcher alone is a valid MPIJob.
    let sc = ok(&mj(&format!("  mpiReplicaSpecs:\n{}", rs("Launcher", ""))));
    assert_eq!(mpi_spec(&sc.workloads[0]).workers(), 0);
}

#[test]
fn the_controllers_checks_name_line_field_and_fix() {
    expect_errors(&[
        (
            both("      replicas: 2\n", "      replicas: 1\n"),
            8,
            "spec.mpiReplicaSpecs.Launcher.replicas",
            vec!["spec.mpiReplicaSpecs[Launcher].replicas: Invalid value: 2: must be 1"],
        ),
        (
            both("", "      replicas: 0\n"),
            13,
            "spec.mpiReplicaSpecs.Worker.replicas",
            vec!["spec.mpiReplicaSpecs[Worker].replicas: Invalid value: 0: must be greater than or equal to 1"],
        ),
        (
            both("", ""),
            13,
            "spec.mpiReplicaSpecs.Worker",
            vec!["must be greater than or equal to 1"],
        ),
        (
            both("      restartPolicy: Always\n", "      replicas: 1\n"),
            8,
            "spec.mpiReplicaSpecs.Launcher.restartPolicy",
            vec![
                "spec.mpiReplicaSpecs[Launcher].restartPolicy: Unsupported value: \"Always\": supported values: \"Never\", \"OnFailure\"",
            ],
        ),
        (
            mj(&format!("  mpiReplicaSpecs:\n{}", rs("Worker", "      replicas: 1\n"))),
            7,
            "spec.mpiReplicaSpecs",
            vec!["spec.mpiReplicaSpecs[Launcher]: Required value: must have Launcher replica spec"],
        ),
        (
            mj(&format!("  mpiReplicaSpecs:\n{}", rs("Master", ""))),
            7,
            "spec.mpiReplicaSpecs.Master",
            vec!["unknown replica type \"Master\"", "Launcher or Worker"],
        ),
        (
            mj("  slotsPerWorker: 1\n"),
            5,
            "spec.mpiReplicaSpecs",
            vec!["must have replica specs"],
        ),
        (
            mj(&format!(
                "  launcherCreationPolicy: Later\n  mpiReplicaSpecs:\n{}",
                rs("Launcher", "")
            )),
            6,
            "spec.launcherCreationPolicy",
            vec!["unknown launcherCreationPolicy \"Later\"", "WaitForWorkersReady"],
        ),
        (
            mj(&format!(
                "  mpiImplementation: LAM\n  mpiReplicaSpecs:\n{}",
                rs("Launcher", "")
            )),
            6,
            "spec.mpiImplementation",
            vec!["spec.mpiImplementation: Unsupported value: \"LAM\""],
        ),
        (
            mj(&format!(
                "  runPolicy: {{managedBy: kubeflow.org/training-operator}}\n  mpiReplicaSpecs:\n{}",
                rs("Launcher", "")
            )),
            6,
            "spec.runPolicy.managedBy",
            vec![
                "Unsupported value: \"kubeflow.org/training-operator\"",
                "kubeflow.org/mpi-operator",
            ],
        ),
        (
            mj("  mpiReplicaSpecs:\n    Launcher:\n      template:\n        spec:\n          containers: []\n"),
            10,
            "spec.mpiReplicaSpecs.Launcher.template.spec.containers",
            vec![
                "spec.mpiReplicaSpecs[Launcher].template.spec.containers: Required value: must define at least one container",
            ],
        ),
        (
            format!(
                "apiVersion: kubeflow.org/v2beta1\nkind: MPIJob\nmetadata:\n  name: {}\nspec:\n  mpiReplicaSpecs:\n{}",
                "m".repeat(60),
                rs("Worker", "      replicas: 10\n")
            ),
            4,
            "metadata.name",
            vec![
                "will not able to create pod and service with invalid DNS label",
                "must be no more than 63 characters",
            ],
        ),
        (
            mj(&format!("  hostfile: x\n  mpiReplicaSpecs:\n{}", rs("Launcher", ""))),
            6,
            "spec.hostfile",
            vec!["unknown field"],
        ),
    ]);
}

#[test]
fn gang_scheduling_makes_the_operators_pod_group() {
    // scheduler-plugins' (a schedulingPolicy, no volcano): minMember workers + 1, timeout 0.
    let sc = ok(&mj(&format!(
        "  runPolicy: {{schedulingPolicy: {{}}}}\n  mpiReplicaSpecs:\n{}{}",
        rs("Launcher", ""),
        rs("Worker", "      replicas: 3\n")
    )));
    assert_eq!(sc.pod_groups.len(), 1);
    let pg = &sc.pod_groups[0];
    assert_eq!(
        (pg.name.as_str(), pg.min_member, pg.schedule_timeout_s),
        ("mpi", 4, Some(0))
    );
    assert_eq!(pg.api, crate::input::spec::PodGroupApi::Coscheduling);
    let m = mpi_spec(&sc.workloads[0]);
    for t in [&m.launcher.template, &m.worker.as_ref().unwrap().template] {
        assert_eq!(t.pod_group.as_deref(), Some("mpi"));
        assert_eq!(
            t.labels.get("scheduling.x-k8s.io/pod-group").map(String::as_str),
            Some("mpi")
        );
    }
    // Volcano's: the queue from the annotation, the priority class from the launcher.
    let sc = ok(
        "apiVersion: kubeflow.org/v2beta1\nkind: MPIJob\nmetadata:\n  name: mpi\n  annotations: {scheduling.volcano.sh/queue-name: research}\nspec:\n  runPolicy: {schedulingPolicy: {minAvailable: 2}}\n  mpiReplicaSpecs:\n    Launcher:\n      template:\n        spec:\n          priorityClassName: high\n          containers: [{name: c, image: x}]\n    Worker:\n      replicas: 2\n      template:\n        spec:\n          schedulerName: volcano\n          containers: [{name: c, image: x}]\n",
    );
    let pg = &sc.pod_groups[0];
    assert_eq!(pg.api, crate::input::spec::PodGroupApi::Volcano);
    assert_eq!(
        (pg.min_member, pg.queue.as_deref(), pg.priority_class_name.as_deref()),
        (2, Some("research"), Some("high"))
    );
    let m = mpi_spec(&sc.workloads[0]);
    assert_eq!(m.launcher.template.scheduler_name.as_deref(), Some("volcano"));
}

#[test]
fn a_job_multikueue_manages_is_loaded_and_not_run() {
    let sc = ok(&mj(&format!(
        "  runPolicy: {{managedBy: kueue.x-k8s.io/multikueue}}\n  mpiReplicaSpecs:\n{}",
        rs("Launcher", "")
    )));
    assert!(sc.workloads.is_empty());
    assert_eq!(sc.not_simulated[0].kind, "MPIJob");
}

#[test]
fn an_mpijob_without_a_run_time_is_told_where_the_annotation_goes() {
    let sc = load_str("pi.yaml", PI).unwrap();
    let w = crate::input::scenario::warnings(&sc);
    assert!(
        w.iter().any(|m| m.contains("MPIJob \"default/pi\"")
            && m.contains("never ends")
            && m.contains("to its metadata or its Launcher's pod template")),
        "{w:?}"
    );
}
