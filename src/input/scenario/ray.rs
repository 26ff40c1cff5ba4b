//! KubeRay's `ray.io/v1` RayCluster and RayJob (docs/ray.md): the spec with the CRD's defaults,
//! the operator's validation with its messages, and KubeRay's Volcano PodGroup.
//!
//! Sources (ray-project/kuberay @ `feeaf72facab4881ba2b179248bb67315634e229`, v1.7.0-rc.0-5,
//! Apache-2.0): `ray-operator/apis/ray/v1/raycluster_types.go` (`RayClusterSpec`,
//! `HeadGroupSpec`, `WorkerGroupSpec`: `replicas` and `minReplicas` default 0, `maxReplicas`
//! 2147483647, `numOfHosts` 1), `rayjob_types.go` (`RayJobSpec`: `submissionMode` K8sJobMode,
//! `backoffLimit` and `ttlSecondsAfterFinished` 0), `controllers/ray/utils/validation.go`
//! (`ValidateRayClusterMetadata`, `ValidateRayClusterSpec`, `ValidateRayJobMetadata`,
//! `ValidateRayJobSpec`: messages verbatim), `controllers/ray/utils/util.go`
//! (`GetWorkerGroupDesiredReplicas`: replicas clamped to [minReplicas, maxReplicas] times
//! numOfHosts, 0 when suspended; `CalculateMinReplicas`, `IsAutoscalingEnabled`),
//! `controllers/ray/common/job.go` (`GetSubmitterTemplate`, `GetDefaultSubmitterContainer`:
//! container `ray-job-submitter`, requests 500m CPU and 200Mi, limits 1 CPU and 1Gi,
//! `restartPolicy: Never`), `controllers/ray/batchscheduler/volcano/volcano_scheduler.go`
//! (`calculatePodGroupParams`, `createPodGroup`, `getAppPodGroupName`,
//! `AddMetadataToChildResource`). The operator refuses an invalid object at its first reconcile
//! (an event, no pods); kubesim refuses it at load, naming file, line, field and fix.
//!
//! Loaded without effect (no change to where pods land or how long they run): `rayVersion`,
//! `rayStartParams`, `headService`, `serviceType`, `enableIngress`, `ingressOptions`, groups'
//! `resources`, `labels`, `idleTimeoutSeconds`, `scaleStrategy`, `headServiceAnnotations`,
//! `autoscalerOptions`, `gcsFaultToleranceOptions`, `entrypoint`, `runtimeEnvYAML`,
//! `entrypointNumCpus`/`Gpus`/`Resources`, `metadata`, `jobId`. Loaded and not simulated (warned
//! by `warnings`): `preRunningDeadlineSeconds`, `deletionStrategy`, `submitterConfig.backoffLimit`
//! (the submitter Job's retries), `InteractiveMode` (the job never runs: the user submits it).
//! Refused: `clusterSelector` (a RayJob on an existing cluster), `SidecarMode`. A RayCluster or
//! RayJob whose `managedBy` is MultiKueue's is listed as not simulated. `kueue_refusal` gives
//! what Kueue's webhook refuses in a RayJob or RayCluster it manages (used at the object's
//! creation under `kueue`, and for a warning at load).

use std::collections::BTreeMap;

use super::k8s::{
    HintScope, Hints, Meta, OBJECT_FIELDS, PodOwner, Workload, check_workload_pods, opt, pod_template, read_hints,
    read_meta,
};
use super::view::{F, Obj, Res};
use crate::error::quote;
use crate::input::resources::dns1035_label_errors;
use crate::input::spec::{
    PodGroupApi, PodGroupSpec, PodTemplate, RayGroup, RayJobSpec, RaySpec, RaySubmissionMode, RestartPolicy,
    WorkloadKind,
};

/// `KubeRayController`: the `managedBy` of the objects the operator reconciles.
const KUBERAY_CONTROLLER: &str = "ray.io/kuberay-operator";
/// `MultiKueueController`.
const MULTIKUEUE_CONTROLLER: &str = "kueue.x-k8s.io/multikueue";
/// `MaxRayClusterNameLength`.
const MAX_CLUSTER_NAME: usize = 53;
/// `MaxRayJobNameLength` (`MaxRayClusterNameLength - 6`).
const MAX_JOB_NAME: usize = MAX_CLUSTER_NAME - 6;
/// The label that turns on KubeRay's Volcano batch scheduler for one object (KubeRay v1.0 to
/// v1.5 `utils.RaySchedulerName`; later releases choose the batch scheduler for the whole
/// operator, which kubesim cannot see).
pub(crate) const SCHEDULER_LABEL: &str = "ray.io/scheduler-name";
/// `volcano.QueueNameLabelKey`.
const QUEUE_LABEL: &str = "volcano.sh/queue-name";
/// `utils.RayPriorityClassName`.
const PRIORITY_LABEL: &str = "ray.io/priority-class-name";

const CLUSTER_SPEC_FIELDS: &[&str] = &[
    "authOptions",
    "autoscalerOptions",
    "enableInTreeAutoscaling",
    "gcsFaultToleranceOptions",
    "headGroupSpec",
    "headServiceAnnotations",
    "historyServerOptions",
    "managedBy",
    "networkPolicy",
    "rayVersion",
    "suspend",
    "tlsOptions",
    "upgradeStrategy",
    "workerGroupSpecs",
];
const HEAD_FIELDS: &[&str] = &[
    "enableIngress",
    "headService",
    "ingressOptions",
    "labels",
    "rayStartParams",
    "resources",
    "serviceType",
    "template",
];
const WORKER_FIELDS: &[&str] = &[
    "groupName",
    "idleTimeoutSeconds",
    "labels",
    "maxReplicas",
    "minReplicas",
    "numOfHosts",
    "priority",
    "rayStartParams",
    "replicas",
    "resources",
    "scaleStrategy",
    "suspend",
    "template",
];
const JOB_SPEC_FIELDS: &[&str] = &[
    "activeDeadlineSeconds",
    "backoffLimit",
    "clusterSelector",
    "deletionStrategy",
    "entrypoint",
    "entrypointNumCpus",
    "entrypointNumGpus",
    "entrypointResources",
    "jobId",
    "managedBy",
    "metadata",
    "preRunningDeadlineSeconds",
    "rayClusterSpec",
    "runtimeEnvYAML",
    "shutdownAfterJobFinishes",
    "submissionMode",
    "submitterConfig",
    "submitterPodTemplate",
    "suspend",
    "ttlSecondsAfterFinished",
];

/// Converts a RayCluster (`doc` is the whole object, `meta` its metadata).
pub(crate) fn ray_cluster(doc: &Obj, meta: &Meta) -> Res<Workload> {
    doc.deny_unknown(OBJECT_FIELDS, "a RayCluster")?;
    let hints = read_hints(doc, HintScope::Ray)?;
    check_name(doc, meta, "RayCluster", MAX_CLUSTER_NAME, "")?;
    let spec_f = doc.req("spec", "add a spec with headGroupSpec (and workerGroupSpecs)")?;
    let spec = cluster_spec(&spec_f, "")?;
    Ok(Workload {
        kind: WorkloadKind::Ray(decorate(spec, meta)),
        hints,
    })
}

/// Converts a RayJob (`doc` is the whole object, `meta` its metadata). Its `kubesim.io/duration`
/// is the entrypoint's run time: the submitter pod's.
pub(crate) fn ray_job(doc: &Obj, meta: &Meta) -> Res<Workload> {
    doc.deny_unknown(OBJECT_FIELDS, "a RayJob")?;
    let hints = read_hints(doc, HintScope::Ray)?;
    const INVALID: &str = "The RayJob spec is invalid: ";
    check_name(doc, meta, "RayJob", MAX_JOB_NAME, "The RayJob metadata is invalid: ")?;
    let spec_f = doc.req("spec", "add a spec with entrypoint and rayClusterSpec")?;
    let o = spec_f.obj()?;
    o.deny_unknown(JOB_SPEC_FIELDS, "a RayJob spec")?;
    for k in ["entrypoint", "runtimeEnvYAML", "jobId", "entrypointResources"] {
        opt(o.get(k), |f| f.string())?;
    }
    for k in ["entrypointNumCpus", "entrypointNumGpus"] {
        opt(o.get(k), |f| f.f64())?;
    }
    opt(o.get("metadata"), |f| f.string_map())?;
    let shutdown = opt(o.get("shutdownAfterJobFinishes"), |f| f.bool())?.unwrap_or(false);
    let suspend_f = o.get("suspend");
    let suspend = opt(suspend_f.clone(), |f| f.bool())?.unwrap_or(false);
    if suspend && !shutdown {
        return Err(suspend_f.expect("written").err(
            format!("{INVALID}a RayJob with shutdownAfterJobFinishes set to false is not allowed to be suspended"),
            "set shutdownAfterJobFinishes: true, or remove suspend",
        ));
    }
    let ttl = opt(o.get("ttlSecondsAfterFinished"), |f| {
        let v = f.int_in(i128::from(i32::MIN), i128::from(i32::MAX))?;
        if v < 0 {
            return Err(f.err(
                format!("{INVALID}TTLSecondsAfterFinished must be a non-negative integer"),
                "write 0 or more seconds",
            ));
        }
        Ok(v as u64)
    })?
    .unwrap_or(0);
    if let Some(c) = o.get("clusterSelector") {
        let sel = c.string_map()?;
        if !sel.is_empty() {
            return Err(c.err(
                "a RayJob on an existing RayCluster (clusterSelector) is not simulated",
                "give the RayJob its own cluster in rayClusterSpec (and remove clusterSelector), or \
                 simulate the RayCluster alone",
            ));
        }
    }
    let mode_f = o.get("submissionMode");
    let mode = match &mode_f {
        None => RaySubmissionMode::K8sJob,
        Some(f) => match f.str()? {
            "K8sJobMode" => RaySubmissionMode::K8sJob,
            "HTTPMode" => RaySubmissionMode::Http,
            "InteractiveMode" => RaySubmissionMode::Interactive,
            "SidecarMode" => {
                return Err(f.err(
                    "SidecarMode (the submitter as a container of the head pod) is not simulated",
                    "use K8sJobMode (the default) or HTTPMode",
                ));
            }
            other => {
                return Err(f.err(
                    format!(
                        "Unsupported value: {}: supported values: \"K8sJobMode\", \"HTTPMode\", \
                         \"InteractiveMode\", \"SidecarMode\"",
                        quote(other)
                    ),
                    "write K8sJobMode (the default), HTTPMode or InteractiveMode",
                ));
            }
        },
    };
    let backoff_f = o.get("backoffLimit");
    let backoff_limit = opt(backoff_f.clone(), |f| {
        let v = f.int_in(i128::from(i32::MIN), i128::from(i32::MAX))?;
        if v < 0 {
            return Err(f.err(
                format!("{INVALID}backoffLimit must be a positive integer"),
                "write 0 (the default: no retry) or more",
            ));
        }
        Ok(v as u32)
    })?
    .unwrap_or(0);
    if mode == RaySubmissionMode::Interactive && backoff_limit > 0 {
        return Err(backoff_f.expect("written").err(
            format!("{INVALID}BackoffLimit is incompatible with InteractiveMode"),
            "remove backoffLimit, or use K8sJobMode",
        ));
    }
    let cluster_f = o.get("rayClusterSpec").ok_or_else(|| {
        o.missing(
            "rayClusterSpec",
            &format!(
                "add rayClusterSpec with headGroupSpec and workerGroupSpecs (the operator: `{INVALID}one \
                 of RayClusterSpec or ClusterSelector must be set`)"
            ),
        )
    })?;
    let mut cluster = cluster_spec(&cluster_f, INVALID)?;
    let active_deadline_s = opt(o.get("activeDeadlineSeconds"), |f| {
        positive_seconds(f, "activeDeadlineSeconds")
    })?;
    opt(o.get("preRunningDeadlineSeconds"), |f| {
        positive_seconds(f, "preRunningDeadlineSeconds")
    })?;
    if let Some(d) = o.get("deletionStrategy") {
        d.obj()?;
    }
    if let Some(c) = o.get("submitterConfig") {
        let co = c.obj()?;
        co.deny_unknown(&["backoffLimit"], "a submitterConfig")?;
        opt(co.get("backoffLimit"), |f| f.int_in(0, i128::from(i32::MAX)))?;
    }
    if let Some(m) = o.get("managedBy") {
        managed_by_value(&m)?;
    }
    if mode == RaySubmissionMode::K8sJob {
        let template = match o.get("submitterPodTemplate") {
            Some(t) => submitter_template(&t, &hints)?,
            None => default_submitter(&hints),
        };
        cluster.groups.push(RayGroup {
            name: "submitter".to_string(),
            pods: 1,
            min_pods: 0,
            kueue_pods: 1,
            template,
        });
    } else if let Some(t) = o.get("submitterPodTemplate") {
        t.obj()?;
    }
    cluster.job = Some(RayJobSpec {
        entrypoint: opt(o.get("entrypoint"), |f| f.string())?.unwrap_or_default(),
        submission_mode: mode,
        shutdown_after_job_finishes: shutdown,
        ttl_seconds_after_finished: ttl,
        suspend,
        active_deadline_s,
        backoff_limit,
        duration_ms: hints.duration_ms,
        exit_code: hints.exit_code.unwrap_or(0),
    });
    Ok(Workload {
        kind: WorkloadKind::Ray(decorate(cluster, meta)),
        hints,
    })
}

/// A positive number of seconds (`activeDeadlineSeconds`, `preRunningDeadlineSeconds`), else
/// the operator's message.
fn positive_seconds(f: &F, name: &str) -> Res<u64> {
    let v = f.int_in(i128::from(i32::MIN), i128::from(i32::MAX))?;
    if v <= 0 {
        return Err(f.err(
            format!("The RayJob spec is invalid: {name} must be a positive integer"),
            "write a positive number of seconds, or remove it",
        ));
    }
    Ok(v as u64)
}

/// Whether the RayCluster or RayJob `doc` names another controller than KubeRay in
/// `spec.managedBy` (MultiKueue): the operator skips it.
pub(crate) fn managed_elsewhere(doc: &Obj) -> Res<bool> {
    let Some(spec) = doc.get("spec") else {
        return Ok(false);
    };
    let Some(m) = spec.obj()?.get("managedBy") else {
        return Ok(false);
    };
    Ok(managed_by_value(&m)? != KUBERAY_CONTROLLER)
}

fn managed_by_value(f: &F) -> Res<String> {
    let v = f.string()?;
    if v != KUBERAY_CONTROLLER && v != MULTIKUEUE_CONTROLLER {
        return Err(f.err(
            format!(
                "Unsupported value: {}: supported values: \"{KUBERAY_CONTROLLER}\", \"{MULTIKUEUE_CONTROLLER}\"",
                quote(&v)
            ),
            format!("write {KUBERAY_CONTROLLER} (the KubeRay operator), or remove managedBy"),
        ));
    }
    Ok(v)
}

/// `ValidateRayClusterMetadata` / `ValidateRayJobMetadata`: at most `max` characters, a DNS-1035
/// label.
fn check_name(doc: &Obj, meta: &Meta, kind: &str, max: usize, prefix: &str) -> Res<()> {
    let at = || {
        doc.get("metadata")
            .and_then(|m| m.obj().ok())
            .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
            .unwrap_or_else(|| doc.get("kind").expect("a kind"))
    };
    if meta.name.len() > max {
        return Err(at().err(
            format!("{prefix}{kind} name should be no more than {max} characters"),
            format!("shorten the name to {max} characters (the operator names pods and services after it)"),
        ));
    }
    let errs = dns1035_label_errors(&meta.name);
    if !errs.is_empty() && !meta.name.is_empty() {
        return Err(at().err(
            format!(
                "{prefix}{kind} name should be a valid DNS1035 label: [{}]",
                errs.join(" ")
            ),
            "name it with lowercase letters, digits and '-', starting with a letter",
        ));
    }
    Ok(())
}

/// A `RayClusterSpec` (a RayCluster's `spec`, a RayJob's `rayClusterSpec`): head and worker
/// groups. `prefix` goes before the operator's messages (a RayJob's `The RayJob spec is
/// invalid: `).
fn cluster_spec(f: &F, prefix: &str) -> Res<RaySpec> {
    let o = f.obj()?;
    o.deny_unknown(CLUSTER_SPEC_FIELDS, "a RayCluster spec")?;
    opt(o.get("rayVersion"), |f| f.string())?;
    opt(o.get("headServiceAnnotations"), |f| f.string_map())?;
    for k in [
        "autoscalerOptions",
        "gcsFaultToleranceOptions",
        "upgradeStrategy",
        "authOptions",
        "historyServerOptions",
        "networkPolicy",
        "tlsOptions",
    ] {
        if let Some(x) = o.get(k) {
            x.obj()?;
        }
    }
    if let Some(m) = o.get("managedBy") {
        managed_by_value(&m)?;
    }
    let autoscaling = opt(o.get("enableInTreeAutoscaling"), |f| f.bool())?.unwrap_or(false);
    let suspend = opt(o.get("suspend"), |f| f.bool())?.unwrap_or(false);
    let head_f = o.req(
        "headGroupSpec",
        "add headGroupSpec with rayStartParams and the head's pod template",
    )?;
    let head = head_f.obj()?;
    head.deny_unknown(HEAD_FIELDS, "a headGroupSpec")?;
    group_extras(&head)?;
    for k in ["headService", "ingressOptions"] {
        if let Some(x) = head.get(k) {
            x.obj()?;
        }
    }
    opt(head.get("enableIngress"), |f| f.bool())?;
    opt(head.get("serviceType"), |f| f.string())?;
    let template = group_template(
        &head,
        &format!("{prefix}headGroupSpec should have at least one container"),
    )?;
    let mut groups = vec![RayGroup {
        name: "head".to_string(),
        pods: 1,
        min_pods: 1,
        kueue_pods: 1,
        template,
    }];
    let mut pods: u64 = 1;
    if let Some(w) = o.get("workerGroupSpecs") {
        for wf in w.seq()? {
            let g = worker_group(&wf, prefix, autoscaling)?;
            if groups.iter().any(|x| x.name == g.name) {
                return Err(wf.err(
                    format!("a second worker group named {}", quote(&g.name)),
                    "give each worker group its own groupName (the operator tells pods apart by it)",
                ));
            }
            pods += u64::from(g.pods);
            check_workload_pods(&wf, "worker groups", pods, "use fewer replicas or fewer hosts")?;
            groups.push(g);
        }
    }
    Ok(RaySpec {
        groups,
        autoscaling,
        suspend,
        volcano: false,
        job: None,
    })
}

/// The fields of a head or worker group loaded without effect.
fn group_extras(o: &Obj) -> Res<()> {
    for k in ["rayStartParams", "resources", "labels"] {
        opt(o.get(k), |f| f.string_map())?;
    }
    Ok(())
}

/// A group's `template`, its containers required (`empty`: the operator's message).
fn group_template(o: &Obj, empty: &str) -> Res<PodTemplate> {
    let template_f = o.req(
        "template",
        "add template with the group's pod spec (template.spec.containers)",
    )?;
    let template = template_f.obj()?;
    template.deny_unknown(&["metadata", "spec"], "a pod template")?;
    let tmeta = read_meta(&template, false)?;
    let t_hints = read_hints(&template, HintScope::Ray)?;
    let spec_f = template.req("spec", "add the pod spec under template (containers)")?;
    let no_containers = match spec_f.obj()?.get("containers") {
        None => true,
        Some(c) => c.seq()?.is_empty(),
    };
    if no_containers {
        return Err(spec_f.err(empty, "list the Ray container under template.spec.containers"));
    }
    pod_template(&spec_f, tmeta.labels, t_hints.sim_hints(), PodOwner::BarePod)
}

/// One `workerGroupSpecs` entry: its pods by `GetWorkerGroupDesiredReplicas`, the checks of
/// `ValidateRayClusterSpec`.
fn worker_group(f: &F, prefix: &str, autoscaling: bool) -> Res<RayGroup> {
    let o = f.obj()?;
    o.deny_unknown(WORKER_FIELDS, "a workerGroupSpec")?;
    group_extras(&o)?;
    opt(o.get("idleTimeoutSeconds"), |f| f.i32())?;
    opt(o.get("priority"), |f| f.i32())?;
    if let Some(s) = o.get("scaleStrategy") {
        s.obj()?;
    }
    let name = o
        .req(
            "groupName",
            "add groupName (the operator names the group's pods after it)",
        )?
        .string()?;
    let template = group_template(
        &o,
        &format!("{prefix}workerGroupSpec should have at least one container"),
    )?;
    let int = |k: &str| opt(o.get(k), |f| f.int_in(i128::from(i32::MIN), i128::from(i32::MAX)));
    let replicas = int("replicas")?;
    let min_f = o.get("minReplicas");
    let max_f = o.get("maxReplicas");
    let min = int("minReplicas")?;
    let max = int("maxReplicas")?;
    // `ValidateRayClusterSpec`, which sees the object after the CRD's defaults (minReplicas 0,
    // maxReplicas 2147483647): the "must set both" check cannot fail on a stored object.
    let min = min.unwrap_or(0);
    let max = max.unwrap_or(i128::from(i32::MAX));
    if min < 0 {
        return Err(min_f.expect("negative: written").err(
            format!("{prefix}worker group {name} has negative minReplicas {min}"),
            "write 0 or more",
        ));
    }
    if max < 0 {
        return Err(max_f.expect("negative: written").err(
            format!("{prefix}worker group {name} has negative maxReplicas {max}"),
            "write 0 or more",
        ));
    }
    if min > max {
        return Err(min_f.unwrap_or_else(|| f.clone()).err(
            format!("{prefix}worker group {name} has minReplicas {min} greater than maxReplicas {max}"),
            "make minReplicas at most maxReplicas",
        ));
    }
    let hosts_f = o.get("numOfHosts");
    let hosts = opt(hosts_f.clone(), |f| {
        f.int_in(i128::from(i32::MIN), i128::from(i32::MAX))
    })?
    .unwrap_or(1);
    if hosts < 1 {
        return Err(hosts_f.expect("written").err(
            format!("numOfHosts {hosts}: a worker replica of no host creates no pod"),
            "write 1 or more (the default is 1)",
        ));
    }
    let suspend_f = o.get("suspend");
    let suspend = opt(suspend_f.clone(), |f| f.bool())?.unwrap_or(false);
    if suspend && autoscaling {
        return Err(suspend_f.expect("written").err(
            format!("{prefix}worker group {name} cannot be suspended with Autoscaler enabled"),
            "remove suspend, or turn enableInTreeAutoscaling off",
        ));
    }
    // `GetWorkerGroupDesiredReplicas`.
    let desired = if suspend {
        0
    } else {
        match replicas {
            None => min,
            Some(r) if r < min => min,
            Some(r) if r > max => max,
            Some(r) => r,
        }
    };
    let pods = desired.saturating_mul(hosts);
    if pods > i128::from(crate::limits::MAX_WORKLOAD_PODS) {
        return Err(f.err(
            format!(
                "worker group {name} asks for {pods} pods, beyond the limit of {} pods per workload",
                crate::limits::MAX_WORKLOAD_PODS
            ),
            "use fewer replicas or fewer hosts",
        ));
    }
    let min_pods = if suspend { 0 } else { min.saturating_mul(hosts) };
    // Kueue's pod set counts `replicas` as stored, neither clamped nor zeroed when suspended
    // (kueue `raycluster/common.go` `effectiveWorkerCount`).
    let kueue_pods = replicas.unwrap_or(0).max(0).saturating_mul(hosts);
    Ok(RayGroup {
        name,
        pods: pods as u32,
        min_pods: min_pods.min(pods) as u32,
        kueue_pods: kueue_pods.min(i128::from(u32::MAX)) as u32,
        template,
    })
}

/// A RayJob's `submitterPodTemplate`: the RayJob's hints are its own (its duration is the
/// entrypoint's), its restartPolicy the Job's (Never unless written).
fn submitter_template(f: &F, job_hints: &Hints) -> Res<PodTemplate> {
    let template = f.obj()?;
    template.deny_unknown(&["metadata", "spec"], "a pod template")?;
    let tmeta = read_meta(&template, false)?;
    let t_hints = read_hints(&template, HintScope::Ray)?;
    let merged = job_hints.overridden_by(&t_hints);
    let spec_f = template.req("spec", "add the submitter's pod spec (containers)")?;
    pod_template(&spec_f, tmeta.labels, merged.sim_hints(), PodOwner::Job)
}

/// `GetDefaultSubmitterContainer`: `ray-job-submitter`, requests 500m CPU and 200Mi, limits 1
/// CPU and 1Gi; `restartPolicy: Never`. The RayJob's hints are its hints.
fn default_submitter(hints: &Hints) -> PodTemplate {
    let requests: BTreeMap<String, i64> = [("cpu".to_string(), 500), ("memory".to_string(), 200 << 20)].into();
    let limits: BTreeMap<String, i64> = [("cpu".to_string(), 1000), ("memory".to_string(), 1 << 30)].into();
    crate::input::resources::code_template(
        "ray-job-submitter",
        requests,
        limits,
        RestartPolicy::Never,
        hints.sim_hints(),
    )
}

/// Whether the object's labels turn KubeRay's Volcano batch scheduler on.
fn volcano_on(meta: &Meta) -> bool {
    meta.labels.get(SCHEDULER_LABEL).map(String::as_str) == Some("volcano")
}

/// The object's labels applied to its pods: with Volcano, every pod (the submitter too) joins
/// the PodGroup named after the object (`getAppPodGroupName`: a RayJob's name for its cluster),
/// with `schedulerName: volcano` and the queue and priority-class labels copied
/// (`AddMetadataToChildResource`).
fn decorate(mut spec: RaySpec, meta: &Meta) -> RaySpec {
    spec.volcano = volcano_on(meta);
    if !spec.volcano {
        return spec;
    }
    for g in &mut spec.groups {
        g.template.pod_group = Some(meta.name.clone());
        g.template.scheduler_name = Some("volcano".to_string());
        for key in [QUEUE_LABEL, PRIORITY_LABEL] {
            if let Some(v) = meta.labels.get(key).filter(|v| !v.is_empty()) {
                g.template.labels.insert(key.to_string(), v.clone());
            }
        }
    }
    spec
}

/// The Volcano PodGroup KubeRay's batch scheduler creates for RayCluster or RayJob `w`
/// (`syncPodGroup`, `calculatePodGroupParams`): named after the object, `minMember` the head
/// plus every worker group's desired pods (minimum pods with the autoscaler on), `minResources`
/// their requests (a RayJob's submitter added), queue from label `volcano.sh/queue-name`
/// (Volcano's `default` without one), priority class from `ray.io/priority-class-name`.
pub(crate) fn pod_group(w: &crate::input::spec::WorkloadSpec) -> Option<PodGroupSpec> {
    let WorkloadKind::Ray(r) = &w.kind else {
        return None;
    };
    if !r.volcano {
        return None;
    }
    let cluster = r.cluster_groups();
    let count = |g: &RayGroup| if r.autoscaling { g.min_pods } else { g.pods };
    let min_member = cluster.iter().map(count).fold(0, u32::saturating_add);
    let mut min_resources: BTreeMap<String, i64> = BTreeMap::new();
    let mut add = |t: &PodTemplate, n: u32| {
        let mut per_pod = t.requests.clone();
        for (k, v) in &t.limits {
            per_pod.entry(k.clone()).or_insert(*v);
        }
        for (k, v) in per_pod {
            let e = min_resources.entry(k).or_insert(0);
            *e = e.saturating_add(v.saturating_mul(i64::from(n)));
        }
    };
    for g in cluster {
        add(&g.template, count(g));
    }
    if r.has_submitter() {
        add(&r.groups[r.groups.len() - 1].template, 1);
    }
    Some(PodGroupSpec {
        api: PodGroupApi::Volcano,
        namespace: w.namespace.clone(),
        name: w.name.clone(),
        min_member,
        min_resources: Some(min_resources),
        queue: Some(
            w.labels
                .get(QUEUE_LABEL)
                .filter(|q| !q.is_empty())
                .cloned()
                .unwrap_or_else(|| "default".to_string()),
        ),
        priority_class_name: w.labels.get(PRIORITY_LABEL).filter(|q| !q.is_empty()).cloned(),
        schedule_timeout_s: None,
        loc: w.loc.clone(),
    })
}

/// The annotation that makes a Ray object an elastic job (kueue `pkg/constants` `ElasticJobAnnotation`,
/// `workloadslicing.EnabledAnnotationKey`).
const ELASTIC_JOB_ANNOTATION: &str = "kueue.x-k8s.io/elastic-job";
/// `jobframework.MaxPodSets`.
const MAX_POD_SETS: usize = 18;

/// What Kueue's validating webhook refuses in a RayJob or RayCluster it manages (kueue
/// `pkg/controller/jobs/rayjob/rayjob_webhook.go` `validateCreate`,
/// `pkg/controller/jobs/raycluster/raycluster_webhook.go` `validateCreate`,
/// `raycluster/common.go` `ValidateCreate`): the message of its aggregated field errors. A
/// worker group named `head` and `clusterSelector` are refused at load already.
pub(crate) fn kueue_refusal(w: &crate::input::spec::WorkloadSpec, r: &RaySpec) -> Option<String> {
    let mut errs = Vec::new();
    let elastic = w.annotations.get(ELASTIC_JOB_ANNOTATION).map(String::as_str) == Some("true");
    let cluster_path = if r.job.is_some() { "spec.rayClusterSpec" } else { "spec" };
    if let Some(j) = &r.job
        && !j.shutdown_after_job_finishes
    {
        errs.push(
            "spec.shutdownAfterJobFinishes: Invalid value: false: a kueue managed job should delete the cluster \
             after finishing"
                .to_string(),
        );
    }
    if r.autoscaling {
        if r.job.is_none() {
            // The ElasticJobsViaWorkloadSlices feature gate (alpha) is off.
            errs.push(format!(
                "spec.enableInTreeAutoscaling: Invalid value: true: a kueue-managed RayCluster can use \
                 autoscaling only as an elastic job: enable the ElasticJobsViaWorkloadSlices feature gate and \
                 set the \"{ELASTIC_JOB_ANNOTATION}\": \"true\" annotation"
            ));
        } else if !elastic {
            errs.push(format!(
                "{cluster_path}.enableInTreeAutoscaling: Invalid value: true: a kueue managed job should only use \
                 autoscaling when workload slicing is enabled"
            ));
        }
    }
    let pod_sets = r.cluster_groups().len();
    if pod_sets > MAX_POD_SETS {
        errs.push(format!(
            "{cluster_path}.workerGroupSpecs: Too many: {pod_sets}: must have at most {MAX_POD_SETS} items"
        ));
    }
    match errs.len() {
        0 => None,
        1 => errs.pop(),
        _ => Some(format!("[{}]", errs.join(", "))),
    }
}
