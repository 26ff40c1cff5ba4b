//! kubeflow.org/v2beta1 MPIJob of the Kubeflow MPI Operator (docs/mpijob.md): the spec with the
//! defaults the controller applies (`SetDefaults_MPIJob`), the controller's validation with its
//! messages, and the launcher's and workers' pod templates read as pod templates whose
//! `restartPolicy` the replica's overwrites (`setRestartPolicy`).
//!
//! Sources (kubeflow/mpi-operator @ `caa3c47` "Prepare v0.8.2", Apache-2.0):
//! `pkg/apis/kubeflow/v2beta1/types.go` (`MPIJobSpec`, `RunPolicy`, `SchedulingPolicy`,
//! `ReplicaSpec`, `LauncherCreationPolicy`), `constants.go` (`DefaultRestartPolicy` Never,
//! `DefaultLauncherRestartPolicy` OnFailure), `default.go` (`SetDefaults_MPIJob`: cleanPodPolicy
//! None, slotsPerWorker 1, sshAuthMountPath `/root/.ssh`, mpiImplementation OpenMPI,
//! launcherCreationPolicy AtStartup, Launcher replicas 1, Worker replicas 0),
//! `pkg/apis/kubeflow/validation/validation.go` (`ValidateMPIJob`, `validateMPIJobName`,
//! `validateRunPolicy`, `validateLauncherReplicaSpec`, `validateWorkerReplicaSpec`,
//! `validateReplicaSpec`), `manifests/base/kubeflow.org_mpijobs.yaml` (the schema's fields and
//! the mpiImplementation enum). The operator has no webhook: the API server takes an invalid
//! MPIJob, and the controller reports `ValidationError` and never runs it. kubesim refuses it
//! with the controller's message, naming file, line, field and fix.
//!
//! Loaded without effect on scheduling: `slotsPerWorker`, `runLauncherAsWorker` (which ranks
//! the hostfile lists), `sshAuthMountPath`, `mpiImplementation`. `runPolicy.schedulingPolicy` (or
//! a replica's `schedulerName: volcano`) turns on the operator's gang scheduling: a PodGroup
//! named after the job ([`pod_group`], mpi-operator `pkg/controller/podgroup.go` `newPodGroup`,
//! `calculateMinAvailable`, `calculatePriorityClassName`, `decoratePodTemplateSpec`).

use super::k8s::{HintScope, Meta, OBJECT_FIELDS, Workload, check_workload_pods, opt, read_hints};
use super::kubeflow::{check_replicas, gang_api, join_pod_group, replica_template, run_policy};
use super::view::{F, Obj, Res};
use crate::error::quote;
use crate::input::spec::{
    KubeflowReplica, KubeflowRestartPolicy, MpiJobSpec, PodGroupApi, PodGroupSpec, RunPolicy, WorkloadKind,
};

/// `KubeflowJobController`: the `managedBy` of the MPIJobs the MPI Operator reconciles.
pub(crate) const MPI_CONTROLLER: &str = "kubeflow.org/mpi-operator";

const SPEC_FIELDS: &[&str] = &[
    "launcherCreationPolicy",
    "mpiImplementation",
    "mpiReplicaSpecs",
    "runLauncherAsWorker",
    "runPolicy",
    "slotsPerWorker",
    "sshAuthMountPath",
];
const REPLICA_FIELDS: &[&str] = &["replicas", "restartPolicy", "template"];
/// The `mpiImplementation` enum of the schema.
const MPI_IMPLEMENTATIONS: &[&str] = &["OpenMPI", "Intel", "MPICH"];

/// Converts an MPIJob (`doc` is the whole object, `meta` its metadata).
pub(crate) fn mpi_job(doc: &Obj, meta: &Meta) -> Res<Workload> {
    doc.deny_unknown(OBJECT_FIELDS, "an MPIJob")?;
    let hints = read_hints(doc, HintScope::Kubeflow)?;
    let spec = doc
        .req(
            "spec",
            "add a spec with mpiReplicaSpecs: {Launcher: {replicas: 1, template: ...}, Worker: {replicas: N, template: ...}}",
        )?
        .obj()?;
    spec.deny_unknown(SPEC_FIELDS, "an MPIJob spec")?;
    let run: RunPolicy = match spec.get("runPolicy") {
        Some(f) => run_policy(&f, Some(MPI_CONTROLLER))?,
        None => RunPolicy::default(),
    };
    // `slotsPerWorker`: `ValidateNonnegativeField`.
    let slots_per_worker = opt(spec.get("slotsPerWorker"), |f| {
        f.int_in(0, i128::from(i32::MAX)).map(|v| v as u32)
    })?
    .unwrap_or(1);
    let run_launcher_as_worker = opt(spec.get("runLauncherAsWorker"), |f| f.bool())?.unwrap_or(false);
    if let Some(f) = spec.get("sshAuthMountPath") {
        f.string()?;
    }
    if let Some(f) = spec.get("mpiImplementation") {
        let v = f.string()?;
        if !v.is_empty() && !MPI_IMPLEMENTATIONS.contains(&v.as_str()) {
            return Err(f.err(
                format!(
                    "spec.mpiImplementation: Unsupported value: {}: supported values: \"Intel\", \"MPICH\", \"OpenMPI\"",
                    quote(&v)
                ),
                "write OpenMPI (the default), Intel or MPICH",
            ));
        }
    }
    let wait_for_workers = match spec.get("launcherCreationPolicy") {
        None => false,
        Some(f) => match f.str()? {
            "" | "AtStartup" => false,
            "WaitForWorkersReady" => true,
            other => {
                return Err(f.err(
                    format!(
                        "unknown launcherCreationPolicy {} (the schema takes any string; the controller \
                         then waits for every worker to be ready, as with WaitForWorkersReady)",
                        quote(other)
                    ),
                    "write AtStartup (the default) or WaitForWorkersReady",
                ));
            }
        },
    };
    let specs_f = spec.get("mpiReplicaSpecs").ok_or_else(|| {
        spec.missing(
            "mpiReplicaSpecs",
            "add mpiReplicaSpecs with a Launcher (and Worker) replica spec (the controller: \
             `spec.mpiReplicaSpecs: Required value: must have replica specs`)",
        )
    })?;
    let specs = specs_f.obj()?;
    let (mut launcher, mut worker) = (None, None);
    for e in specs.entries {
        let rf = specs
            .get(&e.key)
            .unwrap_or_else(|| F::new(&e.value, format!("{}.{}", specs_f.path, e.key)));
        let wpath = format!("spec.mpiReplicaSpecs[{}]", e.key);
        match e.key.as_str() {
            "Launcher" => launcher = Some(replica(&rf, &wpath, "Launcher", &hints)?),
            "Worker" => worker = Some(replica(&rf, &wpath, "Worker", &hints)?),
            other => {
                return Err(super::view::err_at(
                    e.key_pos,
                    &rf.path,
                    format!(
                        "unknown replica type {} (the controller creates only the Launcher and the Workers: \
                         its pods would never exist)",
                        quote(other)
                    ),
                    "name the replica type Launcher or Worker",
                ));
            }
        }
    }
    // `ValidateMPIJob`: the name's check comes first.
    job_name(doc, meta, worker.as_ref().map_or(0, |w| w.replicas))?;
    let Some(launcher) = launcher else {
        return Err(specs_f.err(
            "spec.mpiReplicaSpecs[Launcher]: Required value: must have Launcher replica spec",
            "add a Launcher replica spec (replicas: 1, its template runs mpirun)",
        ));
    };
    check_workload_pods(
        &specs_f,
        "replica specs",
        1 + u64::from(worker.as_ref().map_or(0, |w| w.replicas)),
        "use fewer workers, or split the training into several jobs",
    )?;
    let (mut launcher, mut worker) = (launcher, worker);
    if let Some(api) = gang_api(
        run.scheduling.as_ref(),
        std::iter::once(&launcher.template).chain(worker.iter().map(|w| &w.template)),
    ) {
        join_pod_group(&mut launcher.template, api, &meta.name);
        if let Some(w) = &mut worker {
            join_pod_group(&mut w.template, api, &meta.name);
        }
    }
    Ok(Workload {
        kind: WorkloadKind::MpiJob(Box::new(MpiJobSpec {
            launcher,
            worker,
            // `setDefaultsRunPolicy`: cleanPodPolicy None.
            run_policy: run,
            wait_for_workers,
            run_launcher_as_worker,
            slots_per_worker,
        })),
        hints,
    })
}

/// `validateMPIJobName`: the last worker's host name, `<name>-worker-<replicas-1>`, must be a
/// DNS-1035 label.
fn job_name(doc: &Obj, meta: &Meta, workers: u32) -> Res<()> {
    if meta.name.is_empty() {
        return Ok(());
    }
    let host = format!("{}-worker-{}", meta.name, workers.max(1) - 1);
    let errs = crate::input::resources::dns1035_label_errors(&host);
    if errs.is_empty() {
        return Ok(());
    }
    let f = super::kubeflow::name_field(doc);
    Err(f.err(
        format!(
            "metadata.name: Invalid value: {}: will not able to create pod and service with invalid DNS label {}: {}",
            quote(&meta.name),
            quote(&host),
            errs.join(", ")
        ),
        "name the job with lowercase letters, digits and '-', starting with a letter, short enough \
         that <name>-worker-<last index> has at most 63 characters",
    ))
}

/// One replica spec `f` of type `rtype` (`Launcher` or `Worker`), which the controller's
/// messages name `wpath` (`spec.mpiReplicaSpecs[Worker]`).
fn replica(f: &F, wpath: &str, rtype: &str, job_hints: &super::k8s::Hints) -> Res<KubeflowReplica> {
    let o = f.obj()?;
    o.deny_unknown(REPLICA_FIELDS, "a replica spec")?;
    // `validateReplicaSpec`: replicas required (the controller validates after its defaults,
    // which give the Launcher 1 and the Workers 0).
    let replicas_f = o.get("replicas");
    let written = opt(replicas_f.clone(), |f| {
        f.int_in(i128::from(i32::MIN), i128::from(i32::MAX))
    })?;
    let replicas = written.unwrap_or(if rtype == "Launcher" { 1 } else { 0 });
    if rtype == "Launcher" && replicas != 1 {
        let at = replicas_f.clone().unwrap_or_else(|| f.clone());
        return Err(at.err(
            format!("{wpath}.replicas: Invalid value: {replicas}: must be 1"),
            "write replicas: 1 (an MPIJob has one launcher)",
        ));
    }
    if rtype == "Worker" && replicas <= 0 {
        let at = replicas_f.clone().unwrap_or_else(|| f.clone());
        return Err(at.err(
            format!("{wpath}.replicas: Invalid value: {replicas}: must be greater than or equal to 1"),
            "write 1 or more workers, or remove the Worker replica spec",
        ));
    }
    let replicas = replicas as u32;
    check_replicas(replicas, replicas_f.as_ref())?;
    // `DefaultLauncherRestartPolicy` OnFailure, `DefaultRestartPolicy` Never; only these two
    // are valid (`validRestartPolicies`).
    let restart_policy = match o.get("restartPolicy") {
        None => {
            if rtype == "Launcher" {
                KubeflowRestartPolicy::OnFailure
            } else {
                KubeflowRestartPolicy::Never
            }
        }
        Some(p) => match p.str()? {
            "OnFailure" => KubeflowRestartPolicy::OnFailure,
            "Never" => KubeflowRestartPolicy::Never,
            other => {
                return Err(p.err(
                    format!(
                        "{wpath}.restartPolicy: Unsupported value: {}: supported values: \"Never\", \"OnFailure\"",
                        quote(other)
                    ),
                    "write OnFailure or Never",
                ));
            }
        },
    };
    let template = replica_template(
        &o,
        job_hints,
        "add the pod spec under template (its containers)",
        |spec_f| {
            let spec_o = spec_f.obj()?;
            if spec_o
                .get("containers")
                .is_none_or(|c| c.seq().is_ok_and(|s| s.is_empty()))
            {
                let at = spec_o.get("containers").unwrap_or_else(|| spec_f.clone());
                return Err(at.err(
                    format!("{wpath}.template.spec.containers: Required value: must define at least one container"),
                    "list the replica's containers (the launcher's runs mpirun; a worker's, by default, sshd)",
                ));
            }
            Ok(())
        },
        restart_policy,
    )?;
    Ok(KubeflowReplica {
        rtype: rtype.to_string(),
        replicas,
        restart_policy,
        template,
    })
}

/// Whether the MPIJob `doc` names MultiKueue in `spec.runPolicy.managedBy`: the MPI Operator
/// skips it (`managedByExternalController`).
pub(crate) fn managed_elsewhere(doc: &Obj) -> Res<bool> {
    super::kubeflow::managed_elsewhere(doc, MPI_CONTROLLER)
}

/// The PodGroup the operator creates for MPIJob `w` when its gang scheduling is on
/// (`getOrCreatePodGroups`, `newPodGroup`): named after the job, `minMember` the
/// schedulingPolicy's `minAvailable`, else the workers and the launcher
/// (`calculateMinAvailable`); Volcano's in the policy's queue, else the job's
/// `scheduling.volcano.sh/queue-name` annotation (else Volcano's `default`), with the priority
/// class of the policy, else of the launcher's, else of the workers' pods
/// (`calculatePriorityClassName`); scheduler-plugins' with the policy's
/// `scheduleTimeoutSeconds`, else 0.
pub(crate) fn pod_group(w: &crate::input::spec::WorkloadSpec) -> Option<PodGroupSpec> {
    let WorkloadKind::MpiJob(m) = &w.kind else {
        return None;
    };
    let api = gang_api(
        m.run_policy.scheduling.as_ref(),
        std::iter::once(&m.launcher.template).chain(m.worker.iter().map(|r| &r.template)),
    )?;
    let policy = m.run_policy.scheduling.clone().unwrap_or_default();
    let priority = policy
        .priority_class
        .clone()
        .or_else(|| m.launcher.template.priority_class_name.clone())
        .or_else(|| m.worker.as_ref().and_then(|r| r.template.priority_class_name.clone()));
    let queue = policy
        .queue
        .clone()
        .or_else(|| w.annotations.get("scheduling.volcano.sh/queue-name").cloned())
        .filter(|q| !q.is_empty())
        .unwrap_or_else(|| "default".to_string());
    Some(PodGroupSpec {
        api,
        namespace: w.namespace.clone(),
        name: w.name.clone(),
        min_member: policy.min_available.unwrap_or_else(|| m.workers().saturating_add(1)),
        min_resources: None,
        queue: (api == PodGroupApi::Volcano).then_some(queue),
        priority_class_name: priority.filter(|_| api == PodGroupApi::Volcano),
        schedule_timeout_s: (api == PodGroupApi::Coscheduling).then(|| policy.schedule_timeout_s.unwrap_or(0)),
        loc: w.loc.clone(),
    })
}
