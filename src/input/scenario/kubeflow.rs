//! kubeflow.org/v1 training jobs of the training-operator v1, PyTorchJob, TFJob, JAXJob,
//! PaddleJob and XGBoostJob (docs/kubeflow.md): the spec with the defaults the controller
//! applies (`SetDefaults_<Kind>`), the validating webhook's checks with its messages, and each
//! replica's pod template read as a pod template whose `restartPolicy` the replica's overwrites
//! (`SetRestartPolicy`).
//!
//! Sources (kubeflow/training-operator @ `v1.9.0`, `6f74c7f6b2ed6c27aabd82d0a316b23f0646059c`,
//! Apache-2.0): `pkg/apis/kubeflow.org/v1/pytorch_types.go` (replica types, the default
//! container name `pytorch` and restart policy OnFailure), `pytorch_defaults.go`
//! (`SetDefaults_PyTorchJob`: cleanPodPolicy None, replicas 1, restartPolicy OnFailure),
//! `common_types.go` (`RunPolicy`, `SchedulingPolicy`, `RestartPolicy`, `CleanPodPolicy`),
//! `pkg/webhooks/pytorch/pytorchjob_webhook.go` (`validatePyTorchJob`,
//! `validatePyTorchReplicaSpecs`), `pkg/common/util/webhooks.go` (`ValidateRunPolicy`),
//! `manifests/base/crds/kubeflow.org_pytorchjobs.yaml` (the schema's fields); for TFJobs
//! `tensorflow_types.go`, `tensorflow_defaults.go` (`SetDefaults_TFJob`: restartPolicy Never,
//! replica types camel-cased), `pkg/webhooks/tensorflow/tfjob_webhook.go`
//! (`validateTFReplicaSpecs`), `kubeflow.org_tfjobs.yaml`; for JAXJobs, PaddleJobs and
//! XGBoostJobs `jax_types.go`, `jax_defaults.go`, `paddlepaddle_types.go`,
//! `paddlepaddle_defautls.go`, `xgboost_types.go`, `xgboost_defaults.go` (`SetDefaults_<Kind>`),
//! `pkg/webhooks/jax/jaxjob_webhook.go` (`validateJAXReplicaSpecs`; no `ValidateRunPolicy`),
//! `pkg/webhooks/paddlepaddle/paddlepaddle_webhook.go` (`validateSpec`),
//! `pkg/webhooks/xgboost/xgboostjob_webhook.go` (`validateXGBReplicaSpecs`: a Master of one
//! replica). The webhook aggregates its errors; kubesim reports the first it meets, naming
//! file, line, field and fix.
//! There is no defaulting webhook: the controller defaults the job when it reconciles it, so the
//! validating webhook sees the job as written (a Master without `replicas` is refused).
//!
//! Loaded without effect: `nprocPerNode` (an environment variable), the pod template's own
//! `restartPolicy` (the replica's wins). Loaded and not simulated, listed by `unmodelled` and
//! warned about: `elasticPolicy`, `runPolicy.ttlSecondsAfterFinished` (the job's deletion after
//! it ends). `runPolicy.schedulingPolicy` (or a replica's `schedulerName: volcano`) turns on the
//! operator's gang scheduling: a PodGroup of the job ([`pod_group`], `ReconcileJobs` and
//! `DecoratePodTemplateSpec` in training-operator v1.9.0 `pkg/controller.v1/common/job.go`,
//! `pkg/controller.v1/control/podgroup_control.go`). A
//! job whose `runPolicy.managedBy` is MultiKueue's is validated, then listed as not simulated.

use super::k8s::{
    HintScope, Meta, OBJECT_FIELDS, PodOwner, Workload, check_workload_pods, opt, pod_template, read_hints, read_meta,
};
use super::view::{F, Obj, Res};
use crate::error::quote;
use crate::input::resources::dns1035_label_errors;
use crate::input::spec::{
    CleanPodPolicy, KubeflowFramework, KubeflowJobSpec, KubeflowReplica, KubeflowRestartPolicy,
    KubeflowSchedulingPolicy, PodGroupApi, PodGroupSpec, RestartPolicy, RunPolicy, WorkloadKind,
};

/// `KubeflowJobsController`: the `managedBy` of the jobs the training-operator reconciles.
pub(crate) const KUBEFLOW_CONTROLLER: &str = "kubeflow.org/training-operator";
/// `MultiKueueController`: a job Kueue's MultiKueue runs elsewhere (not simulated).
pub(crate) const MULTIKUEUE_CONTROLLER: &str = "kueue.x-k8s.io/multikueue";

const PYTORCH_SPEC_FIELDS: &[&str] = &["elasticPolicy", "nprocPerNode", "pytorchReplicaSpecs", "runPolicy"];
const REPLICA_FIELDS: &[&str] = &["replicas", "restartPolicy", "template"];
const RUN_POLICY_FIELDS: &[&str] = &[
    "activeDeadlineSeconds",
    "backoffLimit",
    "cleanPodPolicy",
    "managedBy",
    "schedulingPolicy",
    "suspend",
    "ttlSecondsAfterFinished",
];
const SCHEDULING_FIELDS: &[&str] = &[
    "minAvailable",
    "minResources",
    "priorityClass",
    "queue",
    "scheduleTimeoutSeconds",
];
/// The replica types of PyTorchJob, PaddleJob and XGBoostJob in the order kubesim's controller
/// walks them (`Master` first: its success ends the job).
const MASTER_WORKER: &[&str] = &["Master", "Worker"];
/// `PyTorchJobDefaultContainerName`.
const PYTORCH_CONTAINER: &str = "pytorch";

/// What differs between the training-operator's kinds as the loader reads them.
struct KindRules {
    framework: KubeflowFramework,
    /// The spec's fields (the schema's).
    spec_fields: &'static [&'static str],
    /// The replica spec map's key.
    specs_key: &'static str,
    /// The replica types in the order kubesim's controller walks them.
    types: &'static [&'static str],
    /// Whether the webhook compares the types exactly (`slices.Contains`: PyTorchJob, JAXJob,
    /// PaddleJob, XGBoostJob); else the controller's defaults camel-case them
    /// (`setTypeNameToCamelCase`, TFJob).
    exact_types: bool,
    /// `<Kind>DefaultContainerName`.
    container: &'static str,
    /// The webhook's container-name message quotes the name (PaddleJob's `%q`).
    quoted_container: bool,
    /// `<Kind>DefaultRestartPolicy`.
    default_restart: KubeflowRestartPolicy,
    /// The webhook wants a `Master` written with `replicas: 1` (PyTorchJob, XGBoostJob).
    master_one: bool,
    /// The webhook wants a `Master` (`validateXGBReplicaSpecs`: XGBoostJob).
    master_required: bool,
    /// The webhook checks `runPolicy.managedBy` (`ValidateRunPolicy`) and the controller leaves
    /// a job managed by another alone (`ManagedByExternalController`); JAXJob's do neither.
    checks_managed_by: bool,
}

const PYTORCH: KindRules = KindRules {
    framework: KubeflowFramework::PyTorch,
    spec_fields: PYTORCH_SPEC_FIELDS,
    specs_key: "pytorchReplicaSpecs",
    types: MASTER_WORKER,
    exact_types: true,
    container: PYTORCH_CONTAINER,
    quoted_container: false,
    default_restart: KubeflowRestartPolicy::OnFailure,
    master_one: true,
    master_required: false,
    checks_managed_by: true,
};

/// TFJob (`tensorflow_types.go`, `tensorflow_defaults.go`: restartPolicy Never, cleanPodPolicy
/// None; the replica types in `UpdateJobStatus`'s order).
const TENSORFLOW: KindRules = KindRules {
    framework: KubeflowFramework::TensorFlow,
    spec_fields: &["enableDynamicWorker", "runPolicy", "successPolicy", "tfReplicaSpecs"],
    specs_key: "tfReplicaSpecs",
    types: &["Chief", "Evaluator", "Master", "PS", "Worker"],
    exact_types: false,
    container: "tensorflow",
    quoted_container: false,
    default_restart: KubeflowRestartPolicy::Never,
    master_one: false,
    master_required: false,
    checks_managed_by: true,
};

/// JAXJob (`jax_types.go`: container `jax`, restartPolicy Never; `jax_defaults.go`
/// `SetDefaults_JAXJob`; `pkg/webhooks/jax/jaxjob_webhook.go` `validateJAXReplicaSpecs`: Worker
/// only, no runPolicy check).
const JAX: KindRules = KindRules {
    framework: KubeflowFramework::Jax,
    spec_fields: &["jaxReplicaSpecs", "runPolicy"],
    specs_key: "jaxReplicaSpecs",
    types: &["Worker"],
    exact_types: true,
    container: "jax",
    quoted_container: false,
    default_restart: KubeflowRestartPolicy::Never,
    master_one: false,
    master_required: false,
    checks_managed_by: false,
};

/// PaddleJob (`paddlepaddle_types.go`: container `paddle`, restartPolicy OnFailure;
/// `paddlepaddle_defautls.go` `SetDefaults_PaddleJob`;
/// `pkg/webhooks/paddlepaddle/paddlepaddle_webhook.go` `validateSpec`).
const PADDLE: KindRules = KindRules {
    framework: KubeflowFramework::Paddle,
    spec_fields: &["elasticPolicy", "paddleReplicaSpecs", "runPolicy"],
    specs_key: "paddleReplicaSpecs",
    types: MASTER_WORKER,
    exact_types: true,
    container: "paddle",
    quoted_container: true,
    default_restart: KubeflowRestartPolicy::OnFailure,
    master_one: false,
    master_required: false,
    checks_managed_by: true,
};

/// XGBoostJob (`xgboost_types.go`: container `xgboost`, restartPolicy Never;
/// `xgboost_defaults.go` `SetDefaults_XGBoostJob`; `pkg/webhooks/xgboost/xgboostjob_webhook.go`
/// `validateXGBReplicaSpecs`: a Master of exactly 1 replica required).
const XGBOOST: KindRules = KindRules {
    framework: KubeflowFramework::XGBoost,
    spec_fields: &["runPolicy", "xgbReplicaSpecs"],
    specs_key: "xgbReplicaSpecs",
    types: MASTER_WORKER,
    exact_types: true,
    container: "xgboost",
    quoted_container: false,
    default_restart: KubeflowRestartPolicy::Never,
    master_one: true,
    master_required: true,
    checks_managed_by: true,
};

fn rules(framework: KubeflowFramework) -> &'static KindRules {
    match framework {
        KubeflowFramework::PyTorch => &PYTORCH,
        KubeflowFramework::TensorFlow => &TENSORFLOW,
        KubeflowFramework::Jax => &JAX,
        KubeflowFramework::Paddle => &PADDLE,
        KubeflowFramework::XGBoost => &XGBOOST,
    }
}

/// Whether the training-operator reads `runPolicy.managedBy` of a job of `framework` (all but
/// JAXJob: its reconciler runs every JAXJob).
pub(crate) fn honours_managed_by(framework: KubeflowFramework) -> bool {
    rules(framework).checks_managed_by
}

/// Converts a training job of `framework` (`doc` is the whole object, `meta` its metadata).
pub(crate) fn training_job(doc: &Obj, meta: &Meta, framework: KubeflowFramework) -> Res<Workload> {
    let k = rules(framework);
    let kind = k.framework.kind();
    doc.deny_unknown(OBJECT_FIELDS, &format!("a {kind}"))?;
    let hints = read_hints(doc, HintScope::Kubeflow)?;
    job_name(doc, meta)?;
    let fix = format!(
        "add a spec with {}: {{<replica type>: {{replicas: N, template: ...}}}}",
        k.specs_key
    );
    let spec = doc.req("spec", &fix)?.obj()?;
    spec.deny_unknown(k.spec_fields, &format!("a {kind} spec"))?;
    let run = match spec.get("runPolicy") {
        Some(f) => run_policy(&f, k.checks_managed_by.then_some(KUBEFLOW_CONTROLLER))?,
        None => RunPolicy::default(),
    };
    opt(spec.get("nprocPerNode"), |f| f.string())?;
    if let Some(e) = spec.get("elasticPolicy") {
        e.obj()?;
    }
    let success_all_workers = opt(spec.get("successPolicy"), |f| match f.str()? {
        "" => Ok(false),
        "AllWorkers" => Ok(true),
        other => Err(f.err(
            format!(
                "unknown successPolicy {} (the controller treats any value but AllWorkers as the \
                 default)",
                quote(other)
            ),
            "write AllWorkers, or remove it (the default: worker 0's success suffices)",
        )),
    })?
    .unwrap_or(false);
    let dynamic_worker = opt(spec.get("enableDynamicWorker"), |f| f.bool())?.unwrap_or(false);
    let specs_f = spec.get(k.specs_key).ok_or_else(|| {
        spec.missing(
            k.specs_key,
            &format!(
                "add {} (the webhook: `spec.{}: Required value: must be required`)",
                k.specs_key, k.specs_key
            ),
        )
    })?;
    let replicas = replica_specs(&specs_f, k, &hints)?;
    if replicas.is_empty() {
        return Err(specs_f.err(
            format!("the {kind} has no replica spec: it would create no pod and never finish"),
            format!("list the replica types ({})", k.types.join(", ")),
        ));
    }
    let has_worker = replicas.iter().any(|r| r.rtype == "Worker");
    if let (KubeflowFramework::Paddle, Some(e)) = (framework, spec.get("elasticPolicy"))
        && !has_worker
        && !e.obj()?.has("minReplicas")
        && !e.obj()?.has("maxReplicas")
    {
        // `setPaddleElasticPolicy` reads the Worker's replicas through a nil pointer.
        return Err(e.err(
            "an elasticPolicy without minReplicas and maxReplicas and no Worker replica spec (the \
             controller's defaults read the Worker's replicas: it would crash)",
            "add a Worker replica spec, or write minReplicas and maxReplicas",
        ));
    }
    if k.master_required && !replicas.iter().any(|r| r.rtype == "Master") {
        return Err(specs_f.err(
            format!("spec.{}[Master]: Required value: must be present", k.specs_key),
            "add a Master replica spec (replicas: 1): its success ends the job",
        ));
    }
    if framework == KubeflowFramework::PyTorch && spec.get("elasticPolicy").is_some() && !has_worker {
        return Err(specs_f.err(
            "spec.pytorchReplicaSpecs[Worker]: Required value: must be configured if elastic policy is used",
            "add a Worker replica spec, or remove elasticPolicy",
        ));
    }
    if replicas
        .iter()
        .filter(|r| r.rtype == "Chief" || r.rtype == "Master")
        .count()
        > 1
    {
        return Err(specs_f.err(
            format!(
                "spec.{}: Forbidden: must not have more than 1 Chief or Master role",
                k.specs_key
            ),
            "keep one of Chief and Master (they are the same role)",
        ));
    }
    let mut replicas = replicas;
    if let Some(api) = gang_api(run.scheduling.as_ref(), replicas.iter().map(|r| &r.template)) {
        for r in &mut replicas {
            join_pod_group(&mut r.template, api, &meta.name);
        }
    }
    Ok(Workload {
        kind: WorkloadKind::Kubeflow(KubeflowJobSpec {
            framework: k.framework,
            replicas,
            // `SetDefaults_<Kind>`: cleanPodPolicy None.
            run_policy: run,
            success_all_workers,
            dynamic_worker,
        }),
        hints,
    })
}

/// Whether the training job `doc` names another controller than `controller` (MultiKueue) in
/// `spec.runPolicy.managedBy`: the operator skips it (`ManagedByExternalController`).
pub(crate) fn managed_elsewhere(doc: &Obj, controller: &str) -> Res<bool> {
    let Some(spec) = doc.get("spec") else {
        return Ok(false);
    };
    let Some(run) = spec.obj()?.get("runPolicy") else {
        return Ok(false);
    };
    let managed_by = opt(run.obj()?.get("managedBy"), |f| f.string())?;
    Ok(managed_by.is_some_and(|m| m != controller))
}

/// The field a name error points at: `metadata.name` (or `generateName`), else the kind.
pub(super) fn name_field<'a>(doc: &Obj<'a>) -> F<'a> {
    doc.get("metadata")
        .and_then(|m| m.obj().ok())
        .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
        .unwrap_or_else(|| doc.get("kind").expect("a kind"))
}

/// The webhook's check of `metadata.name`: a DNS-1035 label (pod and service names derive from
/// it).
fn job_name(doc: &Obj, meta: &Meta) -> Res<()> {
    let errs = dns1035_label_errors(&meta.name);
    if errs.is_empty() || meta.name.is_empty() {
        return Ok(());
    }
    let f = name_field(doc);
    Err(f.err(
        format!("Invalid value: {}: should match: {}", quote(&meta.name), errs.join(",")),
        "name the job with lowercase letters, digits and '-', starting with a letter, at most 63 \
         characters (a DNS-1035 label: its pods and services are named after it)",
    ))
}

/// `spec.runPolicy` of a job of the operator whose `managedBy` name is `controller` (`None`:
/// `managedBy` is not checked, JAXJob), with the defaults (cleanPodPolicy None).
pub(super) fn run_policy(f: &F, controller: Option<&str>) -> Res<RunPolicy> {
    let o = f.obj()?;
    o.deny_unknown(RUN_POLICY_FIELDS, "a runPolicy")?;
    let clean_pod_policy = opt(o.get("cleanPodPolicy"), |f| {
        let v = f.str()?;
        match v {
            "All" => Ok(CleanPodPolicy::All),
            "Running" => Ok(CleanPodPolicy::Running),
            "None" => Ok(CleanPodPolicy::None),
            _ => Err(f.err(
                format!(
                    "unknown cleanPodPolicy {} (the API server accepts any string; the controller \
                     then deletes every pod of the finished job, as with All)",
                    quote(v)
                ),
                "write All, Running or None (the default)",
            )),
        }
    })?;
    // A negative backoffLimit would fail the job at its first reconcile (the restart count of
    // its running pods, 0, is already at or above it): refused as a mistake.
    let backoff_limit = opt(o.get("backoffLimit"), |f| {
        f.int_in(0, i128::from(i32::MAX)).map(|v| v as u32)
    })?;
    let active_deadline_s = opt(o.get("activeDeadlineSeconds"), |f| {
        f.bounded(
            1,
            i128::from(crate::limits::MAX_DURATION_MS / 1000),
            "seconds (kubesim's longest duration)",
            "write a positive number of seconds, or remove it",
        )
        .map(|v| v as u64)
    })?;
    let ttl_seconds_after_finished = opt(o.get("ttlSecondsAfterFinished"), |f| {
        f.int_in(0, i128::from(i32::MAX)).map(|v| v as u64)
    })?;
    let scheduling = opt(o.get("schedulingPolicy"), scheduling_policy)?;
    let suspend = opt(o.get("suspend"), |f| f.bool())?.unwrap_or(false);
    if let Some(m) = o.get("managedBy") {
        let v = m.string()?;
        if let Some(controller) = controller
            && v != controller
            && v != MULTIKUEUE_CONTROLLER
        {
            return Err(m.err(
                format!(
                    "Unsupported value: {}: supported values: \"{controller}\", \"{MULTIKUEUE_CONTROLLER}\"",
                    quote(&v)
                ),
                format!("write {controller} (the operator), or remove managedBy"),
            ));
        }
    }
    Ok(RunPolicy {
        clean_pod_policy: clean_pod_policy.unwrap_or_default(),
        backoff_limit,
        active_deadline_s,
        ttl_seconds_after_finished,
        scheduling,
        suspend,
    })
}

/// The operator's gang scheduling, on when the job asks for it: a `runPolicy.schedulingPolicy`
/// (which only a gang-scheduling operator reads) or a replica's `schedulerName: volcano`. The
/// PodGroup is Volcano's when a replica names the volcano scheduler, else scheduler-plugins'
/// (coscheduling): the operator's `--gang-scheduler-name`, which kubesim cannot see, is taken
/// from the pods.
pub(super) fn gang_api<'a>(
    scheduling: Option<&KubeflowSchedulingPolicy>,
    mut templates: impl Iterator<Item = &'a crate::input::spec::PodTemplate>,
) -> Option<PodGroupApi> {
    if templates.any(|t| t.scheduler_name.as_deref() == Some("volcano")) {
        Some(PodGroupApi::Volcano)
    } else {
        scheduling.map(|_| PodGroupApi::Coscheduling)
    }
}

/// `DecoratePodTemplateSpec`: a pod of template `t` joins the PodGroup `name` of `api` (the
/// coscheduling label, or the volcano scheduler).
pub(super) fn join_pod_group(t: &mut crate::input::spec::PodTemplate, api: PodGroupApi, name: &str) {
    t.pod_group = Some(name.to_string());
    match api {
        PodGroupApi::Coscheduling => {
            t.labels
                .insert("scheduling.x-k8s.io/pod-group".to_string(), name.to_string());
        }
        PodGroupApi::Volcano => {
            t.scheduler_name.get_or_insert_with(|| "volcano".to_string());
        }
    }
}

/// The PodGroup the operator creates for job `w` when its gang scheduling is on
/// (`ReconcileJobs`): named after the job, `minMember` the schedulingPolicy's `minAvailable`,
/// else every replica; Volcano's in the policy's queue (`default`) with its priority class,
/// scheduler-plugins' with its `scheduleTimeoutSeconds`.
pub(crate) fn pod_group(w: &crate::input::spec::WorkloadSpec) -> Option<PodGroupSpec> {
    let WorkloadKind::Kubeflow(k) = &w.kind else {
        return None;
    };
    let api = gang_api(k.run_policy.scheduling.as_ref(), k.replicas.iter().map(|r| &r.template))?;
    let policy = k.run_policy.scheduling.clone().unwrap_or_default();
    Some(PodGroupSpec {
        api,
        namespace: w.namespace.clone(),
        name: w.name.clone(),
        min_member: policy.min_available.unwrap_or_else(|| k.total_replicas()),
        min_resources: None,
        queue: match api {
            PodGroupApi::Volcano => Some(policy.queue.unwrap_or_else(|| "default".to_string())),
            PodGroupApi::Coscheduling => None,
        },
        priority_class_name: match api {
            PodGroupApi::Volcano => policy.priority_class,
            PodGroupApi::Coscheduling => None,
        },
        schedule_timeout_s: match api {
            PodGroupApi::Coscheduling => policy.schedule_timeout_s,
            PodGroupApi::Volcano => None,
        },
        loc: w.loc.clone(),
    })
}

pub(super) fn scheduling_policy(f: &F) -> Res<KubeflowSchedulingPolicy> {
    let o = f.obj()?;
    o.deny_unknown(SCHEDULING_FIELDS, "a schedulingPolicy")?;
    if let Some(r) = o.get("minResources") {
        r.resource_list()?;
    }
    Ok(KubeflowSchedulingPolicy {
        min_available: opt(o.get("minAvailable"), |f| {
            f.bounded(
                0,
                i128::from(crate::limits::MAX_WORKLOAD_PODS),
                "gang members",
                "use at most the job's replicas",
            )
            .map(|v| v as u32)
        })?,
        queue: opt(o.get("queue"), |f| f.string())?.filter(|q| !q.is_empty()),
        priority_class: opt(o.get("priorityClass"), |f| f.string())?.filter(|q| !q.is_empty()),
        schedule_timeout_s: opt(o.get("scheduleTimeoutSeconds"), |f| {
            f.int_in(0, i128::from(i32::MAX)).map(|v| v as u64)
        })?,
    })
}

/// The replica specs of map `f` (`spec.pytorchReplicaSpecs`, `spec.tfReplicaSpecs`) among the
/// kind's types, in their order; the job's hints are the templates' defaults.
fn replica_specs(f: &F, k: &KindRules, job_hints: &super::k8s::Hints) -> Res<Vec<KubeflowReplica>> {
    let o = f.obj()?;
    let mut found: Vec<(usize, KubeflowReplica)> = Vec::new();
    let mut pods: u64 = 0;
    for e in o.entries {
        let rf = o
            .get(&e.key)
            .unwrap_or_else(|| F::new(&e.value, format!("{}.{}", f.path, e.key)));
        let position = if k.exact_types {
            k.types.iter().position(|t| *t == e.key)
        } else {
            k.types.iter().position(|t| t.eq_ignore_ascii_case(&e.key))
        };
        let Some(order) = position else {
            let supported: Vec<String> = k.types.iter().map(|t| format!("\"{t}\"")).collect();
            let message = if k.exact_types {
                format!(
                    "Unsupported value: {}: supported values: {}",
                    quote(&e.key),
                    supported.join(", ")
                )
            } else {
                format!(
                    "unknown replica type {} (the API server takes it; the controller creates its pods \
                     and never counts them towards the job's success or failure)",
                    quote(&e.key)
                )
            };
            return Err(super::view::err_at(
                e.key_pos,
                &rf.path,
                message,
                format!("name the replica type one of {}", k.types.join(", ")),
            ));
        };
        if found.iter().any(|(o, _)| *o == order) {
            return Err(super::view::err_at(
                e.key_pos,
                &rf.path,
                format!(
                    "a second replica spec of type {} (the controller's defaults keep one of them)",
                    k.types[order]
                ),
                "write each replica type once",
            ));
        }
        let rtype = k.types[order];
        let wpath = format!("spec.{}[{}]", k.specs_key, e.key);
        let r = replica(&rf, &wpath, rtype, k, job_hints)?;
        pods += u64::from(r.replicas);
        check_workload_pods(
            &rf,
            "replica specs",
            pods,
            "use fewer replicas, or split the training into several jobs",
        )?;
        found.push((order, r));
    }
    found.sort_by_key(|(order, _)| *order);
    Ok(found.into_iter().map(|(_, r)| r).collect())
}

/// One replica spec `f` of type `rtype`, which the webhook's messages name `wpath`
/// (`spec.pytorchReplicaSpecs[Master]`).
fn replica(f: &F, wpath: &str, rtype: &str, k: &KindRules, job_hints: &super::k8s::Hints) -> Res<KubeflowReplica> {
    let container = k.container;
    let o = f.obj()?;
    o.deny_unknown(REPLICA_FIELDS, "a replica spec")?;
    let replicas_f = o.get("replicas");
    let written = opt(replicas_f.clone(), |f| {
        f.int_in(i128::from(i32::MIN), i128::from(i32::MAX))
    })?;
    if k.master_one && rtype == "Master" && written != Some(1) {
        let at = replicas_f.clone().unwrap_or_else(|| f.clone());
        return Err(at.err(
            format!("{wpath}.replicas: Forbidden: must be 1"),
            "write replicas: 1 (a job has one Master; the webhook sees the job before the \
             controller's defaults, so it must be written)",
        ));
    }
    if let (Some(v), Some(rf)) = (written, &replicas_f)
        && v < 1
    {
        if k.framework == KubeflowFramework::PyTorch {
            return Err(rf.err(
                format!("{wpath}.replicas: Forbidden: must be at least 1"),
                "write 1 or more replicas",
            ));
        }
        if v < 0 {
            return Err(rf.err(
                format!("negative replicas {v} (the controller would create no pod and count a negative number)"),
                "write 0 or more replicas",
            ));
        }
    }
    let replicas = written.map_or(1, |v| v as u32);
    check_replicas(replicas, replicas_f.as_ref())?;
    let restart_policy = match o.get("restartPolicy") {
        // `<Kind>DefaultRestartPolicy`.
        None => k.default_restart,
        Some(p) => match p.str()? {
            "Always" => KubeflowRestartPolicy::Always,
            "OnFailure" => KubeflowRestartPolicy::OnFailure,
            "Never" => KubeflowRestartPolicy::Never,
            "ExitCode" => KubeflowRestartPolicy::ExitCode,
            other => {
                return Err(p.err(
                    format!(
                        "unknown restartPolicy {} (the API server accepts it in the job, then refuses \
                         every pod: `spec.restartPolicy: Unsupported value: {}: supported values: \
                         \"Always\", \"OnFailure\", \"Never\"`)",
                        quote(other),
                        quote(other)
                    ),
                    "write Always, OnFailure, Never or ExitCode",
                ));
            }
        },
    };
    let template = replica_template(
        &o,
        job_hints,
        &format!("add the pod spec under template (containers, with one named {container})"),
        |spec_f| {
            check_containers(
                spec_f,
                &format!("{wpath}.template.spec.containers"),
                container,
                k.quoted_container,
            )
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

/// A replica's `replicas`, within kubesim's bound of pods per workload.
pub(super) fn check_replicas(replicas: u32, replicas_f: Option<&F>) -> Res<()> {
    if replicas > crate::limits::MAX_WORKLOAD_PODS
        && let Some(rf) = replicas_f
    {
        return Err(rf.err(
            format!(
                "replicas {replicas} is beyond the limit of {} pods per workload",
                crate::limits::MAX_WORKLOAD_PODS
            ),
            "use fewer replicas, or split the training into several jobs",
        ));
    }
    Ok(())
}

/// The pod template of replica spec `o` (its `template`), its hints over the job's, the
/// operator's container checks `check` on its spec, and the replica's `restartPolicy` in place
/// of its own (`SetRestartPolicy`: ExitCode as Never).
pub(super) fn replica_template(
    o: &Obj,
    job_hints: &super::k8s::Hints,
    spec_fix: &str,
    check: impl FnOnce(&F) -> Res<()>,
    restart_policy: KubeflowRestartPolicy,
) -> Res<crate::input::spec::PodTemplate> {
    let template_f = o.req(
        "template",
        "add template: the pod template of the replica's pods (template.spec.containers)",
    )?;
    let template = template_f.obj()?;
    template.deny_unknown(&["metadata", "spec"], "a pod template")?;
    let tmeta: Meta = read_meta(&template, false)?;
    let t_hints = read_hints(&template, HintScope::Kubeflow)?;
    let merged = job_hints.overridden_by(&t_hints);
    let spec_f = template.req("spec", spec_fix)?;
    check(&spec_f)?;
    let mut pod = pod_template(&spec_f, tmeta.labels, merged.sim_hints(), PodOwner::BarePod)?;
    pod.restart_policy = match restart_policy {
        KubeflowRestartPolicy::Always => RestartPolicy::Always,
        KubeflowRestartPolicy::OnFailure => RestartPolicy::OnFailure,
        KubeflowRestartPolicy::Never | KubeflowRestartPolicy::ExitCode => RestartPolicy::Never,
    };
    Ok(pod)
}

/// The webhook's container checks (its messages name the list `wpath`): every container has
/// an image, one is named `container`.
pub(super) fn check_containers(spec_f: &F, wpath: &str, container: &str, quoted: bool) -> Res<()> {
    let spec = spec_f.obj()?;
    let Some(cf) = spec.get("containers") else {
        return Err(spec.missing(
            "containers",
            &format!("list the containers, one named {container} (the webhook: `Required value: must be specified`)"),
        ));
    };
    let mut named = false;
    for (i, c) in cf.seq()?.into_iter().enumerate() {
        let co = c.obj()?;
        let image = opt(co.get("image"), |f| f.string())?.unwrap_or_default();
        if image.is_empty() {
            let at = co.get("image").unwrap_or_else(|| c.clone());
            return Err(at.err(
                format!("{wpath}[{i}].image: Required value: must be required"),
                "write the container's image",
            ));
        }
        named |= opt(co.get("name"), |f| f.string())?.as_deref() == Some(container);
    }
    if !named {
        let shown = if quoted {
            quote(container)
        } else {
            container.to_string()
        };
        return Err(cf.err(
            format!("{wpath}: Required value: must have at least one container with name {shown}"),
            format!("name the training container {container} (the controller sets its port and environment)"),
        ));
    }
    Ok(())
}
