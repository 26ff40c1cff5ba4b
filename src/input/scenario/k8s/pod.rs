//! Pod templates (the pod spec of every workload: containers and init containers with API-server
//! defaulting, pod-level resources, scheduling fields, restart policy) and bare v1 Pods.

use std::collections::BTreeMap;

use super::select::{affinity_terms, toleration};
use super::{HintScope, Meta, OBJECT_FIELDS, Workload, opt, pod_group, read_hints};
use crate::error::{cut, quote};
use crate::input::scenario::view::{F, Obj, Res, err_at};
use crate::input::spec::{ContainerResources, PodTemplate, PreemptionPolicy, ResourceList, RestartPolicy, SimHints};

const POD_SPEC_FIELDS: &[&str] = &[
    "activeDeadlineSeconds",
    "affinity",
    "automountServiceAccountToken",
    "containers",
    "dnsConfig",
    "dnsPolicy",
    "enableServiceLinks",
    "ephemeralContainers",
    "hostAliases",
    "hostIPC",
    "hostNetwork",
    "hostPID",
    "hostUsers",
    "hostname",
    "hostnameOverride",
    "imagePullSecrets",
    "initContainers",
    "nodeName",
    "nodeSelector",
    "os",
    "overhead",
    "preemptionPolicy",
    "priority",
    "priorityClassName",
    "readinessGates",
    "resourceClaims",
    "resources",
    "restartPolicy",
    "runtimeClassName",
    "schedulerName",
    "schedulingGates",
    "schedulingGroup",
    "securityContext",
    "serviceAccount",
    "serviceAccountName",
    "setHostnameAsFQDN",
    "shareProcessNamespace",
    "subdomain",
    "terminationGracePeriodSeconds",
    "tolerations",
    "topologySpreadConstraints",
    "volumes",
    "workloadRef",
];

const CONTAINER_FIELDS: &[&str] = &[
    "name",
    "image",
    "command",
    "args",
    "workingDir",
    "ports",
    "envFrom",
    "env",
    "resources",
    "resizePolicy",
    "restartPolicy",
    "restartPolicyRules",
    "volumeMounts",
    "volumeDevices",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "lifecycle",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "imagePullPolicy",
    "securityContext",
    "stdin",
    "stdinOnce",
    "tty",
];

/// One container's resources, requests defaulted from limits.
fn container(f: &F, init: bool) -> Res<ContainerResources> {
    let o = f.obj()?;
    o.deny_unknown(CONTAINER_FIELDS, "a container")?;
    let name = o.req("name", "give every container a name")?.name()?;
    let mut requests = ResourceList::new();
    let mut limits = ResourceList::new();
    if let Some(r) = o.get("resources") {
        let r = r.obj()?;
        r.deny_unknown(&["requests", "limits", "claims"], "container resources")?;
        if let Some(l) = r.get("limits") {
            limits = l.resource_list()?;
        }
        if let Some(q) = r.get("requests") {
            requests = q.resource_list()?;
        }
        // API-server defaulting: a resource with a limit and no request requests its limit.
        for (k, v) in &limits {
            requests.entry(k.clone()).or_insert(*v);
        }
        for (k, req) in &requests {
            if let Some(lim) = limits.get(k)
                && req > lim
            {
                let field = format!("{}.resources.requests.{}", f.path, cut(k));
                return Err(err_at(
                    r.pos,
                    &field,
                    format!("the request for {} is larger than its limit", quote(k)),
                    "make the request at most the limit",
                ));
            }
        }
    }
    let sidecar = match o.get("restartPolicy") {
        None => false,
        Some(p) if init && p.str()? == "Always" => true,
        Some(p) => {
            return Err(p.err(
                format!("unsupported container restartPolicy {}", quote(p.str()?)),
                "only init containers may set restartPolicy, and only to Always (a sidecar)",
            ));
        }
    };
    Ok(ContainerResources {
        name,
        requests,
        limits,
        init,
        sidecar,
    })
}

/// Where a pod spec sits, for its defaults.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum PodOwner {
    Job,
    /// A JobSet's Job template: restartPolicy defaults to OnFailure (the JobSet webhook), and
    /// Always is refused as for a Job.
    JobSetJob,
    BarePod,
    /// A Volcano Job task: restartPolicy defaults to Never as for a Job, and Always is allowed
    /// (Volcano validates task templates as plain pod templates).
    VolcanoTask,
    /// A Deployment's, ReplicaSet's or StatefulSet's template: restartPolicy Always, the only
    /// value the API server accepts (`ValidatePodTemplateSpecForReplicaSet`).
    Serving,
}

/// Converts a pod spec `spec` (with `labels` and `hints` already read) into a [`PodTemplate`].
pub(crate) fn pod_template(
    spec_f: &F,
    labels: BTreeMap<String, String>,
    hints: SimHints,
    owner: PodOwner,
) -> Res<PodTemplate> {
    let spec = spec_f.obj()?;
    spec.deny_unknown(POD_SPEC_FIELDS, "a pod spec")?;
    let (containers, names) = containers(spec_f, &spec)?;
    let overhead = opt(spec.get("overhead"), |f| f.resource_list())?.unwrap_or_default();
    let (pod_level_requests, pod_level_limits) = pod_level_resources(&spec)?;
    let node_selector = opt(spec.get("nodeSelector"), |f| f.string_map())?.unwrap_or_default();
    let affinity_terms = opt(spec.get("affinity"), affinity_terms)?.unwrap_or_default();
    let tolerations = match spec.get("tolerations") {
        Some(t) => t.seq()?.iter().map(toleration).collect::<Res<Vec<_>>>()?,
        None => Vec::new(),
    };
    let priority_class_name = opt(spec.get("priorityClassName"), |f| f.name())?;
    let priority = opt(spec.get("priority"), |f| f.i32())?;
    let preemption_policy = opt(spec.get("preemptionPolicy"), preemption_policy)?;
    let restart_policy = restart_policy(&spec, owner)?;
    let termination_grace_ms = match spec.get("terminationGracePeriodSeconds") {
        Some(g) => g.int_in(0, i128::from(u32::MAX))? as u64 * 1000,
        None => 30_000,
    };
    let scheduler_name = opt(spec.get("schedulerName"), |f| f.name())?;
    let node_name = opt(spec.get("nodeName"), |f| f.name())?;
    let mut t = PodTemplate {
        labels,
        requests: ResourceList::new(),
        limits: ResourceList::new(),
        node_selector,
        affinity_terms,
        tolerations,
        priority_class_name,
        priority,
        preemption_policy,
        restart_policy,
        termination_grace_ms,
        scheduler_name,
        node_name,
        container_names: names,
        containers,
        overhead,
        pod_level_requests,
        pod_level_limits,
        hints,
        pod_group: None,
    };
    crate::input::resources::recompute_totals(&mut t);
    Ok(t)
}

/// The containers then init containers of pod spec `spec` (field `spec_f`), and their names,
/// which must differ.
fn containers(spec_f: &F, spec: &Obj) -> Res<(Vec<ContainerResources>, Vec<String>)> {
    let containers_f = spec.req("containers", "list at least one container")?;
    let mut containers = Vec::new();
    for c in containers_f.seq()? {
        containers.push(container(&c, false)?);
    }
    if containers.is_empty() {
        return Err(containers_f.err("the pod has no containers", "list at least one container"));
    }
    if let Some(ic) = spec.get("initContainers") {
        for c in ic.seq()? {
            containers.push(container(&c, true)?);
        }
    }
    let names: Vec<String> = containers.iter().map(|c| c.name.clone()).collect();
    let mut seen = std::collections::BTreeSet::new();
    for n in &names {
        if !seen.insert(n) {
            return Err(spec_f.err(
                format!("two containers are named {}", quote(n)),
                "give every container (and init container) its own name",
            ));
        }
    }
    Ok((containers, names))
}

/// Pod-level resources (PodLevelResources), which replace the container sums they name, as
/// (requests, limits): requests defaulted from limits.
fn pod_level_resources(spec: &Obj) -> Res<(ResourceList, ResourceList)> {
    let (mut pod_level_requests, mut pod_level_limits) = (ResourceList::new(), ResourceList::new());
    if let Some(r) = spec.get("resources") {
        let r = r.obj()?;
        r.deny_unknown(&["requests", "limits", "claims"], "pod resources")?;
        pod_level_limits = opt(r.get("limits"), |f| f.resource_list())?.unwrap_or_default();
        pod_level_requests = opt(r.get("requests"), |f| f.resource_list())?.unwrap_or_default();
        for (k, v) in &pod_level_limits {
            pod_level_requests.entry(k.clone()).or_insert(*v);
        }
    }
    Ok((pod_level_requests, pod_level_limits))
}

/// `restartPolicy`, defaulted by `owner` (Never for Jobs and Volcano tasks, OnFailure for a
/// JobSet's Jobs, Always for bare Pods).
fn restart_policy(spec: &Obj, owner: PodOwner) -> Res<RestartPolicy> {
    Ok(match spec.get("restartPolicy") {
        None => match owner {
            PodOwner::Job | PodOwner::VolcanoTask => RestartPolicy::Never,
            PodOwner::JobSetJob => RestartPolicy::OnFailure,
            PodOwner::BarePod | PodOwner::Serving => RestartPolicy::Always,
        },
        Some(p) => match (p.str()?, owner) {
            (v @ ("Never" | "OnFailure"), PodOwner::Serving) => {
                return Err(p.err(
                    format!("Unsupported value: {}: supported values: \"Always\"", quote(v)),
                    "write restartPolicy: Always (or remove it: Always is the default)",
                ));
            }
            ("Never", _) => RestartPolicy::Never,
            ("OnFailure", _) => RestartPolicy::OnFailure,
            ("Always", PodOwner::BarePod | PodOwner::VolcanoTask | PodOwner::Serving) => RestartPolicy::Always,
            ("Always", PodOwner::Job | PodOwner::JobSetJob) => {
                return Err(p.err(
                    "a Job's pods cannot use restartPolicy Always",
                    "write restartPolicy: Never or OnFailure",
                ));
            }
            (other, _) => {
                return Err(p.err(
                    format!("unknown restartPolicy {}", quote(other)),
                    "write Never, OnFailure or Always",
                ));
            }
        },
    })
}

pub(crate) fn preemption_policy(f: &F) -> Res<PreemptionPolicy> {
    match f.str()? {
        "PreemptLowerPriority" => Ok(PreemptionPolicy::PreemptLowerPriority),
        "Never" => Ok(PreemptionPolicy::Never),
        other => Err(f.err(
            format!("unknown preemptionPolicy {}", quote(other)),
            "write PreemptLowerPriority or Never",
        )),
    }
}

/// Converts a v1 Pod (`doc` is the whole object, `meta` its metadata): its spec is the pod
/// template.
pub(crate) fn pod(doc: &Obj, meta: &Meta) -> Res<Workload> {
    doc.deny_unknown(OBJECT_FIELDS, "a Pod")?;
    let hints = read_hints(doc, HintScope::Pod)?;
    let pod_group = pod_group(doc, meta, true)?;
    let spec_f = doc.req("spec", "add the pod spec (containers)")?;
    let mut pod = pod_template(&spec_f, meta.labels.clone(), hints.sim_hints(), PodOwner::BarePod)?;
    pod.pod_group = pod_group;
    Ok(Workload {
        kind: crate::input::spec::WorkloadKind::Pod(pod),
        hints,
    })
}
