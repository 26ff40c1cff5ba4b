//! Conversion of the Kubernetes objects the simulator models (v1 Node, Pod, Namespace;
//! batch/v1 Job; scheduling.k8s.io/v1 PriorityClass; the pod templates of every workload, with
//! their pod group membership) from the YAML tree into `spec` types,
//! with API-server defaulting (missing requests from limits, pod requests from containers and
//! init containers) and the validation a real API server would do for the modelled fields.
//!
//! Deliberate differences from Kubernetes: a Job pod template without `restartPolicy` defaults
//! to `Never` (the API server defaults it to `Always` and then rejects the Job; seed manifests
//! 11 and 15 rely on this leniency). Unknown fields are rejected in the parts of an object whose
//! fields are listed below (as `kubectl apply` does with strict field validation), and ignored
//! in `status`.

use std::collections::BTreeMap;

use super::view::{F, Obj, Res, err_at};
use crate::error::{cut, quote};
use crate::input::spec::{
    CompletionMode, ContainerResources, ExitCodeOperator, IntOrPercent, JobSpec, LabelSelector, NamespaceSpec,
    NodeSelectorTerm, NodeSpec, PdbSpec, PfpAction, PfpExitCodes, PfpPodCondition, PfpRule, PodReplacementPolicy,
    PodTemplate, PreemptionPolicy, PriorityClassSpec, ResourceList, RestartPolicy, SelectorOperator,
    SelectorRequirement, SimHints, SourceLoc, SuccessPolicyRule, Taint, TaintEffect, Toleration, TolerationOperator,
    WorkloadSpec,
};
use crate::limits::{MAX_DURATION_MS, MAX_QUANTITY, MAX_WORKLOAD_PODS};

/// Top-level fields of a Kubernetes object with spec and status.
pub(crate) const OBJECT_FIELDS: &[&str] = &["apiVersion", "kind", "metadata", "spec", "status"];

const META_FIELDS: &[&str] = &[
    "name",
    "generateName",
    "namespace",
    "labels",
    "annotations",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "ownerReferences",
    "finalizers",
    "managedFields",
    "selfLink",
];

/// `metadata` of an object.
pub(crate) struct Meta {
    pub name: String,
    pub namespace: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
}

/// Reads `metadata` (required unless `name_required` is false: templates may omit it).
pub(crate) fn read_meta(doc: &Obj, name_required: bool) -> Res<Meta> {
    let fix = "add `metadata:` with a `name:` (generateName alone is not supported)";
    let meta = match doc.get("metadata") {
        Some(m) => m.obj()?,
        None if name_required => return Err(doc.missing("metadata", fix)),
        None => {
            return Ok(Meta {
                name: String::new(),
                namespace: None,
                labels: BTreeMap::new(),
                annotations: BTreeMap::new(),
            });
        }
    };
    meta.deny_unknown(META_FIELDS, "metadata")?;
    let name = match meta.get("name") {
        Some(f) => f.name()?,
        None if name_required => return Err(meta.missing("name", fix)),
        None => String::new(),
    };
    let namespace = match meta.get("namespace") {
        Some(f) => Some(f.name()?),
        None => None,
    };
    let labels = opt(meta.get("labels"), |f| f.string_map())?.unwrap_or_default();
    let annotations = opt(meta.get("annotations"), |f| f.string_map())?.unwrap_or_default();
    Ok(Meta {
        name,
        namespace,
        labels,
        annotations,
    })
}

/// The field of annotation `key` in `owner.metadata.annotations`, if written (and not null).
pub(crate) fn annotation_field<'a>(owner: &Obj<'a>, key: &str) -> Res<Option<F<'a>>> {
    let Some(meta) = owner.get("metadata") else {
        return Ok(None);
    };
    let Some(ann) = meta.obj()?.get("annotations") else {
        return Ok(None);
    };
    Ok(ann.obj()?.get(key))
}

/// Label that makes a pod a member of a coscheduling PodGroup (CO-1).
pub(crate) const COSCHEDULING_GROUP_LABEL: &str = "scheduling.x-k8s.io/pod-group";
/// Annotation that makes a pod a member of a Volcano PodGroup.
pub(crate) const VOLCANO_GROUP_ANNOTATION: &str = "scheduling.k8s.io/group-name";

/// The pod group that the pods of `owner` (a pod template or a bare Pod, with its metadata
/// `meta`) join: label `scheduling.x-k8s.io/pod-group` or annotation
/// `scheduling.k8s.io/group-name`; an empty value names none, as in both schedulers. With
/// `volcano_annotation` false (Volcano Job tasks, whose controller overwrites it) the
/// annotation is not read. Both naming different groups is an error: a pod is in one group.
pub(crate) fn pod_group(owner: &Obj, meta: &Meta, volcano_annotation: bool) -> Res<Option<String>> {
    let label = meta
        .labels
        .get(COSCHEDULING_GROUP_LABEL)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty());
    let annotation = meta
        .annotations
        .get(VOLCANO_GROUP_ANNOTATION)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty() && volcano_annotation);
    if let (Some(l), Some(a)) = (label, annotation)
        && l != a
        && let Some(f) = annotation_field(owner, VOLCANO_GROUP_ANNOTATION)?
    {
        return Err(f.err(
            format!(
                "the pod joins two pod groups: {} by label {COSCHEDULING_GROUP_LABEL} and {} \
                 by this annotation",
                quote(l),
                quote(a)
            ),
            "keep one: the label for a coscheduling PodGroup, the annotation for a Volcano \
             PodGroup",
        ));
    }
    Ok(label.or(annotation).map(str::to_string))
}

/// Applies `conv` to a present field.
pub(crate) fn opt<'a, T>(f: Option<F<'a>>, conv: impl FnOnce(&F<'a>) -> Res<T>) -> Res<Option<T>> {
    f.as_ref().map(conv).transpose()
}

// ----- kubesim.io annotations -----------------------------------------------------------------

const KNOWN_ANNOTATIONS: &[&str] = &[
    "kubesim.io/submit-at",
    "kubesim.io/duration",
    "kubesim.io/exit-code",
    "kubesim.io/failures",
    "kubesim.io/terminate-after",
    "kubesim.io/suspend-at",
    "kubesim.io/resume-at",
    "kubesim.io/fail-indexes",
    "kubesim.io/gang-size",
];

/// The `kubesim.io/*` annotations of one metadata block.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Hints {
    pub submit_at_ms: Option<u64>,
    pub duration_ms: Option<u64>,
    pub exit_code: Option<i32>,
    pub failures: Option<u32>,
    pub terminate_after_ms: Option<u64>,
    pub suspend_at_ms: Option<u64>,
    pub resume_at_ms: Option<u64>,
    pub fail_indexes: Option<Vec<u32>>,
    pub gang_size: Option<u32>,
}

impl Hints {
    /// `self` overridden by the fields `over` sets (the pod template wins).
    pub fn overridden_by(&self, over: &Hints) -> Hints {
        Hints {
            submit_at_ms: over.submit_at_ms.or(self.submit_at_ms),
            duration_ms: over.duration_ms.or(self.duration_ms),
            exit_code: over.exit_code.or(self.exit_code),
            failures: over.failures.or(self.failures),
            terminate_after_ms: over.terminate_after_ms.or(self.terminate_after_ms),
            suspend_at_ms: over.suspend_at_ms.or(self.suspend_at_ms),
            resume_at_ms: over.resume_at_ms.or(self.resume_at_ms),
            fail_indexes: over.fail_indexes.clone().or_else(|| self.fail_indexes.clone()),
            gang_size: over.gang_size.or(self.gang_size),
        }
    }

    pub fn sim_hints(&self) -> SimHints {
        SimHints {
            duration_ms: self.duration_ms,
            exit_code: self.exit_code.unwrap_or(0),
            failures: self.failures.unwrap_or(0),
            terminate_after_ms: self.terminate_after_ms.unwrap_or(0),
            fail_indexes: self.fail_indexes.clone().unwrap_or_default(),
            gang_size: self.gang_size,
        }
    }
}

/// What an object may carry among the kubesim annotations.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum HintScope {
    /// A batch/v1 Job or its pod template: every annotation.
    Job,
    /// A Volcano Job or one of its task templates: no suspend, fail-indexes or gang-size.
    VolcanoJob,
    Pod,
    Node,
}

/// Reads the `kubesim.io/*` annotations of `doc.metadata` (for a pod template, of
/// `template.metadata`). Unknown `kubesim.io/` keys are errors (typo guard).
pub(crate) fn read_hints(doc: &Obj, scope: HintScope) -> Res<Hints> {
    let mut h = Hints::default();
    let Some(meta) = doc.get("metadata") else {
        return Ok(h);
    };
    let Some(ann) = meta.obj()?.get("annotations") else {
        return Ok(h);
    };
    let ann_obj = ann.obj()?;
    for e in ann_obj.entries {
        if !e.key.starts_with("kubesim.io/") {
            continue;
        }
        let f = F::new(&e.value, format!("{}.{}", ann.path, cut(&e.key)));
        let key = e.key.as_str();
        if !KNOWN_ANNOTATIONS.contains(&key) {
            return Err(err_at(
                e.key_pos,
                &f.path,
                format!("unknown kubesim annotation {}", quote(key)),
                format!("use one of: {}", KNOWN_ANNOTATIONS.join(", ")),
            ));
        }
        let allowed = match scope {
            HintScope::Job => true,
            HintScope::Pod | HintScope::VolcanoJob => !matches!(
                key,
                "kubesim.io/suspend-at" | "kubesim.io/resume-at" | "kubesim.io/fail-indexes" | "kubesim.io/gang-size"
            ),
            HintScope::Node => key == "kubesim.io/submit-at",
        };
        if !allowed {
            let what = match scope {
                HintScope::Node => "a Node (only kubesim.io/submit-at is)",
                HintScope::VolcanoJob => {
                    "a Volcano Job (suspend-at, resume-at, fail-indexes and gang-size are for batch/v1 \
                     Jobs; a Volcano Job is a gang through its minAvailable)"
                }
                _ => "a Pod (suspend-at, resume-at, fail-indexes and gang-size are for Jobs)",
            };
            return Err(err_at(
                e.key_pos,
                &f.path,
                format!("annotation `{key}` has no meaning on {what}"),
                "remove the annotation",
            ));
        }
        let text = f.str()?;
        match key {
            "kubesim.io/submit-at" => h.submit_at_ms = Some(f.duration_ms()?),
            "kubesim.io/duration" => h.duration_ms = Some(f.duration_ms()?),
            "kubesim.io/terminate-after" => h.terminate_after_ms = Some(f.duration_ms()?),
            "kubesim.io/suspend-at" => h.suspend_at_ms = Some(f.duration_ms()?),
            "kubesim.io/resume-at" => h.resume_at_ms = Some(f.duration_ms()?),
            "kubesim.io/exit-code" => {
                h.exit_code = Some(
                    text.trim()
                        .parse::<i32>()
                        .ok()
                        .filter(|c| (0..=255).contains(c))
                        .ok_or_else(|| {
                            f.err(
                                format!("invalid exit code {}", quote(text)),
                                "write an exit code from 0 to 255 as a string, e.g. \"1\"",
                            )
                        })?,
                )
            }
            "kubesim.io/failures" => {
                h.failures = Some(
                    text.trim()
                        .parse::<u32>()
                        .ok()
                        .filter(|n| *n <= i32::MAX as u32)
                        .ok_or_else(|| {
                            f.err(
                                format!("invalid failure count {}", quote(text)),
                                "write a non-negative integer as a string, e.g. \"2\"",
                            )
                        })?,
                )
            }
            "kubesim.io/gang-size" => {
                h.gang_size = Some(
                    text.trim()
                        .parse::<u32>()
                        .ok()
                        .filter(|n| (1..=MAX_WORKLOAD_PODS).contains(n))
                        .ok_or_else(|| {
                            f.err(
                                format!(
                                    "invalid gang size {} (1 to {MAX_WORKLOAD_PODS}, the limit of pods per \
                                     workload)",
                                    quote(text)
                                ),
                                "write the number of pods in the gang, at least 1, as a string, e.g. \"4\"",
                            )
                        })?,
                )
            }
            "kubesim.io/fail-indexes" => {
                h.fail_indexes = Some(parse_index_list(text).ok_or_else(|| {
                    f.err(
                        format!("invalid index set {}", quote(text)),
                        "write completion indexes as Kubernetes does, e.g. \"0\" or \"0-3,7\"",
                    )
                })?)
            }
            _ => unreachable!("checked against KNOWN_ANNOTATIONS"),
        }
    }
    Ok(h)
}

/// "0-3,7" -> [0, 1, 2, 3, 7]; `None` when malformed or larger than 100,000 indexes.
fn parse_index_list(text: &str) -> Option<Vec<u32>> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim) {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?),
            None => {
                let v = part.parse::<u32>().ok()?;
                (v, v)
            }
        };
        if a > b || out.len() as u64 + u64::from(b - a) >= 100_000 {
            return None;
        }
        out.extend(a..=b);
    }
    Some(out)
}

// ----- Node -----------------------------------------------------------------------------------

const NODE_SPEC_FIELDS: &[&str] = &[
    "podCIDR",
    "podCIDRs",
    "providerID",
    "taints",
    "unschedulable",
    "configSource",
    "externalID",
];

pub(crate) fn taint_effect(f: &F) -> Res<TaintEffect> {
    match f.str()? {
        "NoSchedule" => Ok(TaintEffect::NoSchedule),
        "PreferNoSchedule" => Ok(TaintEffect::PreferNoSchedule),
        "NoExecute" => Ok(TaintEffect::NoExecute),
        other => Err(f.err(
            format!("unknown taint effect {}", quote(other)),
            "write NoSchedule, PreferNoSchedule or NoExecute",
        )),
    }
}

/// One taint (`key`, `value`, `effect`; `timeAdded` accepted and ignored).
pub(crate) fn taint(f: &F) -> Res<Taint> {
    let o = f.obj()?;
    o.deny_unknown(&["key", "value", "effect", "timeAdded"], "a taint")?;
    let key = o.req("key", "give the taint a key")?.name()?;
    let value = opt(o.get("value"), |f| f.string())?.unwrap_or_default();
    let effect = taint_effect(&o.req("effect", "add effect: NoSchedule, PreferNoSchedule or NoExecute")?)?;
    Ok(Taint { key, value, effect })
}

/// Converts a v1 Node (`doc` is the whole object). With `name_required` false (a NodePool or
/// Arrivals template), a missing `metadata.name` leaves the name empty for the caller to fill.
pub(crate) fn node(doc: &Obj, loc: &SourceLoc, name_required: bool) -> Res<NodeSpec> {
    doc.deny_unknown(OBJECT_FIELDS, "a Node")?;
    let meta = read_meta(doc, name_required)?;
    let hints = read_hints(doc, HintScope::Node)?;
    let spec = opt(doc.get("spec"), |f| f.obj())?;
    let mut taints = Vec::new();
    let mut unschedulable = false;
    if let Some(spec) = &spec {
        spec.deny_unknown(NODE_SPEC_FIELDS, "a Node spec")?;
        if let Some(ts) = spec.get("taints") {
            for t in ts.seq()? {
                taints.push(taint(&t)?);
            }
        }
        if let Some(u) = spec.get("unschedulable") {
            unschedulable = u.bool()?;
        }
    }
    let status = doc.get("status").map(|f| f.obj()).transpose()?;
    let alloc = status
        .as_ref()
        .and_then(|s| s.get("allocatable").or_else(|| s.get("capacity")));
    let allocatable = match alloc {
        Some(a) => a.resource_list()?,
        None => {
            let (pos, field) = match &status {
                Some(s) => (s.pos, "status.allocatable".to_string()),
                None => (doc.pos, format!("{}status", prefix(&doc.path))),
            };
            return Err(err_at(
                pos,
                &field,
                "a Node needs its resources: status.allocatable (or status.capacity)",
                "add status: {allocatable: {cpu: \"32\", memory: 256Gi, pods: \"110\"}}",
            ));
        }
    };
    Ok(NodeSpec {
        name: meta.name,
        allocatable,
        labels: meta.labels,
        taints,
        unschedulable,
        add_at_ms: hints.submit_at_ms.unwrap_or(0),
        loc: loc.clone(),
    })
}

fn prefix(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("{path}.")
    }
}

// ----- Pod template ---------------------------------------------------------------------------

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

pub(crate) fn selector_requirement(f: &F) -> Res<SelectorRequirement> {
    let o = f.obj()?;
    o.deny_unknown(&["key", "operator", "values"], "a node selector requirement")?;
    let key = o.req("key", "give the requirement a key")?.name()?;
    let op_f = o.req("operator", "add operator: In, NotIn, Exists, DoesNotExist, Gt or Lt")?;
    let operator = match op_f.str()? {
        "In" => SelectorOperator::In,
        "NotIn" => SelectorOperator::NotIn,
        "Exists" => SelectorOperator::Exists,
        "DoesNotExist" => SelectorOperator::DoesNotExist,
        "Gt" => SelectorOperator::Gt,
        "Lt" => SelectorOperator::Lt,
        other => {
            return Err(op_f.err(
                format!("unknown operator {}", quote(other)),
                "write In, NotIn, Exists, DoesNotExist, Gt or Lt",
            ));
        }
    };
    let values = match o.get("values") {
        Some(v) => v.seq()?.iter().map(|x| x.string()).collect::<Res<Vec<_>>>()?,
        None => Vec::new(),
    };
    let (ok, need) = match operator {
        SelectorOperator::In | SelectorOperator::NotIn => (!values.is_empty(), "at least one value"),
        SelectorOperator::Exists | SelectorOperator::DoesNotExist => (values.is_empty(), "no values"),
        SelectorOperator::Gt | SelectorOperator::Lt => (
            values.len() == 1 && values[0].parse::<i64>().is_ok(),
            "exactly one integer value",
        ),
    };
    if !ok {
        return Err(f.err(
            format!("operator {} needs {need}", op_f.str()?),
            format!("give `values` {need}"),
        ));
    }
    Ok(SelectorRequirement { key, operator, values })
}

fn affinity_terms(f: &F) -> Res<Vec<NodeSelectorTerm>> {
    let a = f.obj()?;
    a.deny_unknown(&["nodeAffinity", "podAffinity", "podAntiAffinity"], "affinity")?;
    let Some(na) = a.get("nodeAffinity") else {
        return Ok(Vec::new());
    };
    let na = na.obj()?;
    na.deny_unknown(
        &[
            "requiredDuringSchedulingIgnoredDuringExecution",
            "preferredDuringSchedulingIgnoredDuringExecution",
        ],
        "nodeAffinity",
    )?;
    let Some(req) = na.get("requiredDuringSchedulingIgnoredDuringExecution") else {
        return Ok(Vec::new());
    };
    let req = req.obj()?;
    req.deny_unknown(&["nodeSelectorTerms"], "a node selector")?;
    let terms_f = req.req("nodeSelectorTerms", "list at least one nodeSelectorTerm")?;
    let mut terms = Vec::new();
    for t in terms_f.seq()? {
        let o = t.obj()?;
        o.deny_unknown(&["matchExpressions", "matchFields"], "a nodeSelectorTerm")?;
        let mut term = NodeSelectorTerm::default();
        if let Some(m) = o.get("matchExpressions") {
            for r in m.seq()? {
                term.match_expressions.push(selector_requirement(&r)?);
            }
        }
        if let Some(m) = o.get("matchFields") {
            for r in m.seq()? {
                term.match_fields.push(selector_requirement(&r)?);
            }
        }
        terms.push(term);
    }
    if terms.is_empty() {
        return Err(terms_f.err(
            "nodeSelectorTerms is empty",
            "list at least one term, or remove the required node affinity",
        ));
    }
    Ok(terms)
}

pub(crate) fn toleration(f: &F) -> Res<Toleration> {
    let o = f.obj()?;
    o.deny_unknown(
        &["key", "operator", "value", "effect", "tolerationSeconds"],
        "a toleration",
    )?;
    let key = opt(o.get("key"), |f| f.string())?.unwrap_or_default();
    let operator = match o.get("operator") {
        None => TolerationOperator::Equal,
        Some(op) => match op.str()? {
            "Equal" => TolerationOperator::Equal,
            "Exists" => TolerationOperator::Exists,
            other => {
                return Err(op.err(
                    format!("unknown toleration operator {}", quote(other)),
                    "write Equal or Exists",
                ));
            }
        },
    };
    let value = opt(o.get("value"), |f| f.string())?.unwrap_or_default();
    if operator == TolerationOperator::Exists && !value.is_empty() {
        return Err(f.err(
            "a toleration with operator Exists cannot have a value",
            "remove the value, or use operator: Equal",
        ));
    }
    if key.is_empty() && operator != TolerationOperator::Exists {
        return Err(f.err(
            "a toleration without key must use operator Exists",
            "add a key, or write operator: Exists to tolerate every taint",
        ));
    }
    let effect = match o.get("effect") {
        None => None,
        Some(e) if e.str()?.is_empty() => None,
        Some(e) => Some(taint_effect(&e)?),
    };
    // Added to the time of an eviction, so bounded like every other duration.
    let toleration_seconds = opt(o.get("tolerationSeconds"), |f| {
        f.bounded(
            i128::from(i64::MIN),
            i128::from(MAX_DURATION_MS / 1000),
            "seconds (100 years)",
            "remove tolerationSeconds to tolerate forever",
        )
        .map(|v| v as i64)
    })?;
    Ok(Toleration {
        key,
        operator,
        value,
        effect,
        toleration_seconds,
    })
}

/// Where a pod spec sits, for its defaults.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum PodOwner {
    Job,
    BarePod,
    /// A Volcano Job task: restartPolicy defaults to Never as for a Job, and Always is allowed
    /// (Volcano validates task templates as plain pod templates).
    VolcanoTask,
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
    let overhead = opt(spec.get("overhead"), |f| f.resource_list())?.unwrap_or_default();
    // Pod-level resources (PodLevelResources) replace the container sums they name.
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
    let node_selector = opt(spec.get("nodeSelector"), |f| f.string_map())?.unwrap_or_default();
    let affinity_terms = opt(spec.get("affinity"), affinity_terms)?.unwrap_or_default();
    let tolerations = match spec.get("tolerations") {
        Some(t) => t.seq()?.iter().map(toleration).collect::<Res<Vec<_>>>()?,
        None => Vec::new(),
    };
    let priority_class_name = opt(spec.get("priorityClassName"), |f| f.name())?;
    let priority = opt(spec.get("priority"), |f| f.i32())?;
    let preemption_policy = opt(spec.get("preemptionPolicy"), preemption_policy)?;
    let restart_policy = match spec.get("restartPolicy") {
        None => match owner {
            PodOwner::Job | PodOwner::VolcanoTask => RestartPolicy::Never,
            PodOwner::BarePod => RestartPolicy::Always,
        },
        Some(p) => match (p.str()?, owner) {
            ("Never", _) => RestartPolicy::Never,
            ("OnFailure", _) => RestartPolicy::OnFailure,
            ("Always", PodOwner::BarePod | PodOwner::VolcanoTask) => RestartPolicy::Always,
            ("Always", PodOwner::Job) => {
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
    };
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

// ----- Job and Pod ----------------------------------------------------------------------------

const JOB_SPEC_FIELDS: &[&str] = &[
    "activeDeadlineSeconds",
    "backoffLimit",
    "backoffLimitPerIndex",
    "completionMode",
    "completions",
    "managedBy",
    "manualSelector",
    "maxFailedIndexes",
    "parallelism",
    "podFailurePolicy",
    "podReplacementPolicy",
    "selector",
    "successPolicy",
    "suspend",
    "template",
    "ttlSecondsAfterFinished",
];

/// Maximum podFailurePolicy rules (Kubernetes' own limit).
const MAX_PFP_RULES: usize = 20;
/// Maximum exit codes in one `onExitCodes` (Kubernetes' own limit).
const MAX_EXIT_CODES: usize = 255;
/// Maximum patterns in one `onPodConditions` (Kubernetes' own limit).
const MAX_POD_CONDITIONS: usize = 20;
/// Maximum successPolicy rules (Kubernetes' own limit).
const MAX_SUCCESS_RULES: usize = 20;

/// A workload converted from a Job or Pod document: its kind-specific part and the hints of
/// its workload-level metadata merged with the pod template's.
pub(crate) struct Workload {
    pub kind: crate::input::spec::WorkloadKind,
    pub hints: Hints,
}

/// Converts a batch/v1 Job (`doc` is the whole object).
pub(crate) fn job(doc: &Obj) -> Res<Workload> {
    doc.deny_unknown(OBJECT_FIELDS, "a Job")?;
    let job_hints = read_hints(doc, HintScope::Job)?;
    let spec = doc
        .req("spec", "add a spec with a pod template (spec.template.spec.containers)")?
        .obj()?;
    spec.deny_unknown(JOB_SPEC_FIELDS, "a Job spec")?;
    let template_f = spec.req("template", "add spec.template with the pod spec of the Job's pods")?;
    let template = template_f.obj()?;
    template.deny_unknown(&["metadata", "spec"], "a pod template")?;
    let tmeta = read_meta(&template, false)?;
    let t_hints = read_hints(&template, HintScope::Job)?;
    let hints = job_hints.overridden_by(&t_hints);
    let pod_group = pod_group(&template, &tmeta, true)?;
    let pod_spec_f = template.req("spec", "add the pod spec (containers) under spec.template")?;
    let mut pod = pod_template(&pod_spec_f, tmeta.labels, hints.sim_hints(), PodOwner::Job)?;
    pod.pod_group = pod_group;

    let u32_of = |k: &str| opt(spec.get(k), |f| f.u32());
    // Pods are created and tracked per completion (and per index): bounded before anything
    // is sized by them.
    let pods_of = |k: &str| {
        opt(spec.get(k), |f| {
            f.bounded(
                0,
                i128::from(MAX_WORKLOAD_PODS),
                "pods per workload",
                "split the work into several Jobs",
            )
            .map(|v| v as u32)
        })
    };
    let completions = pods_of("completions")?;
    let parallelism = pods_of("parallelism")?;
    let backoff_limit = u32_of("backoffLimit")?;
    let backoff_limit_per_index = u32_of("backoffLimitPerIndex")?;
    // The API server's bound (maxFailedIndexesForIndexedJob).
    let max_failed_indexes = opt(spec.get("maxFailedIndexes"), |f| {
        f.bounded(0, 100_000, "(the API server's limit)", "write fewer failed indexes")
            .map(|v| v as u32)
    })?;
    let completion_mode = match spec.get("completionMode") {
        None => CompletionMode::NonIndexed,
        Some(m) => match m.str()? {
            "NonIndexed" => CompletionMode::NonIndexed,
            "Indexed" => CompletionMode::Indexed,
            other => {
                return Err(m.err(
                    format!("unknown completionMode {}", quote(other)),
                    "write NonIndexed or Indexed",
                ));
            }
        },
    };
    let indexed = completion_mode == CompletionMode::Indexed;
    if indexed && completions.is_none() {
        return Err(spec.missing("completions", "an Indexed Job needs completions: add it"));
    }
    if let Some(f) = spec.get("backoffLimitPerIndex")
        && !indexed
    {
        return Err(f.err(
            "backoffLimitPerIndex needs completionMode: Indexed",
            "add completionMode: Indexed, or use backoffLimit",
        ));
    }
    if let Some(f) = spec.get("maxFailedIndexes")
        && backoff_limit_per_index.is_none()
    {
        return Err(f.err(
            "maxFailedIndexes needs backoffLimitPerIndex",
            "add backoffLimitPerIndex, or remove maxFailedIndexes",
        ));
    }
    let pod_failure_policy = match spec.get("podFailurePolicy") {
        None => None,
        Some(p) => {
            if pod.restart_policy != RestartPolicy::Never {
                return Err(p.err(
                    "podFailurePolicy needs the pod template's restartPolicy to be Never",
                    "set spec.template.spec.restartPolicy: Never",
                ));
            }
            Some(pfp_rules(&p, backoff_limit_per_index.is_some())?)
        }
    };
    let pod_replacement_policy = match spec.get("podReplacementPolicy") {
        None => None,
        Some(p) => Some(match p.str()? {
            "TerminatingOrFailed" => {
                if pod_failure_policy.is_some() {
                    return Err(p.err(
                        "with a podFailurePolicy, podReplacementPolicy must be Failed",
                        "write podReplacementPolicy: Failed or remove it",
                    ));
                }
                PodReplacementPolicy::TerminatingOrFailed
            }
            "Failed" => PodReplacementPolicy::Failed,
            other => {
                return Err(p.err(
                    format!("unknown podReplacementPolicy {}", quote(other)),
                    "write TerminatingOrFailed or Failed",
                ));
            }
        }),
    };
    let success_policy = match spec.get("successPolicy") {
        None => Vec::new(),
        Some(sp) => {
            if !indexed {
                return Err(sp.err(
                    "successPolicy needs completionMode: Indexed",
                    "add completionMode: Indexed, or remove successPolicy",
                ));
            }
            success_rules(&sp)?
        }
    };
    let active_deadline_s = match spec.get("activeDeadlineSeconds") {
        None => None,
        Some(f) => Some(f.bounded(
            1,
            i128::from(MAX_DURATION_MS / 1000),
            "seconds (100 years)",
            "write a shorter deadline, or remove it",
        )? as u64),
    };
    let ttl_seconds_after_finished = opt(spec.get("ttlSecondsAfterFinished"), |f| {
        f.int_in(0, i128::from(i32::MAX)).map(|v| v as u64)
    })?;
    let suspend = opt(spec.get("suspend"), |f| f.bool())?.unwrap_or(false);
    Ok(Workload {
        kind: crate::input::spec::WorkloadKind::Job(JobSpec {
            completions,
            parallelism,
            completion_mode,
            backoff_limit,
            backoff_limit_per_index,
            max_failed_indexes,
            pod_failure_policy,
            pod_replacement_policy,
            success_policy,
            active_deadline_s,
            ttl_seconds_after_finished,
            suspend,
            template: pod,
        }),
        hints,
    })
}

fn pfp_rules(f: &F, per_index: bool) -> Res<Vec<PfpRule>> {
    let o = f.obj()?;
    o.deny_unknown(&["rules"], "podFailurePolicy")?;
    let rules_f = o.req("rules", "list the podFailurePolicy rules")?;
    let items = rules_f.seq()?;
    if items.len() > MAX_PFP_RULES {
        return Err(rules_f.err(
            format!("{} rules; at most {MAX_PFP_RULES} are allowed", items.len()),
            format!("keep at most {MAX_PFP_RULES} rules"),
        ));
    }
    let mut rules = Vec::new();
    for r in items {
        let ro = r.obj()?;
        ro.deny_unknown(&["action", "onExitCodes", "onPodConditions"], "a podFailurePolicy rule")?;
        let af = ro.req("action", "add action: FailJob, FailIndex, Ignore or Count")?;
        let action = match af.str()? {
            "FailJob" => PfpAction::FailJob,
            "FailIndex" if per_index => PfpAction::FailIndex,
            "FailIndex" => {
                return Err(af.err(
                    "action FailIndex needs backoffLimitPerIndex",
                    "add spec.backoffLimitPerIndex, or use FailJob",
                ));
            }
            "Ignore" => PfpAction::Ignore,
            "Count" => PfpAction::Count,
            other => {
                return Err(af.err(
                    format!("unknown action {}", quote(other)),
                    "write FailJob, FailIndex, Ignore or Count",
                ));
            }
        };
        let on_exit_codes = match ro.get("onExitCodes") {
            None => None,
            Some(ec) => {
                let eo = ec.obj()?;
                eo.deny_unknown(&["containerName", "operator", "values"], "onExitCodes")?;
                let container_name = opt(eo.get("containerName"), |f| f.name())?;
                let of = eo.req("operator", "add operator: In or NotIn")?;
                let operator = match of.str()? {
                    "In" => ExitCodeOperator::In,
                    "NotIn" => ExitCodeOperator::NotIn,
                    other => {
                        return Err(of.err(format!("unknown operator {}", quote(other)), "write In or NotIn"));
                    }
                };
                let vf = eo.req("values", "list the exit codes")?;
                let vals = vf.seq()?;
                if vals.is_empty() || vals.len() > MAX_EXIT_CODES {
                    return Err(vf.err(
                        format!("{} exit codes listed", vals.len()),
                        format!("list from 1 to {MAX_EXIT_CODES} exit codes"),
                    ));
                }
                let mut values = Vec::new();
                for v in vals {
                    let code = v.i32()?;
                    if operator == ExitCodeOperator::In && code == 0 {
                        return Err(v.err(
                            "exit code 0 cannot be listed with operator In",
                            "remove 0 (a pod that exits 0 succeeded)",
                        ));
                    }
                    values.push(code);
                }
                Some(PfpExitCodes {
                    container_name,
                    operator,
                    values,
                })
            }
        };
        let mut on_pod_conditions = Vec::new();
        if let Some(pc) = ro.get("onPodConditions") {
            let items = pc.seq()?;
            if items.len() > MAX_POD_CONDITIONS {
                return Err(pc.err(
                    format!("{} patterns; at most {MAX_POD_CONDITIONS} are allowed", items.len()),
                    format!("keep at most {MAX_POD_CONDITIONS} patterns"),
                ));
            }
            for c in items {
                let co = c.obj()?;
                co.deny_unknown(&["type", "status"], "onPodConditions")?;
                let condition_type = co.req("type", "add type, e.g. DisruptionTarget")?.name()?;
                let status = match co.get("status") {
                    None => "True".to_string(),
                    Some(s) => match s.str()? {
                        st @ ("True" | "False" | "Unknown") => st.to_string(),
                        other => {
                            return Err(s.err(
                                format!("unknown condition status {}", quote(other)),
                                "write True, False or Unknown",
                            ));
                        }
                    },
                };
                on_pod_conditions.push(PfpPodCondition { condition_type, status });
            }
        }
        if on_exit_codes.is_some() != on_pod_conditions.is_empty() {
            return Err(r.err(
                "a podFailurePolicy rule needs exactly one of onExitCodes and onPodConditions",
                "keep one of onExitCodes or onPodConditions in this rule",
            ));
        }
        rules.push(PfpRule {
            action,
            on_exit_codes,
            on_pod_conditions,
        });
    }
    Ok(rules)
}

fn success_rules(f: &F) -> Res<Vec<SuccessPolicyRule>> {
    let o = f.obj()?;
    o.deny_unknown(&["rules"], "successPolicy")?;
    let rules_f = o.req("rules", "list the successPolicy rules")?;
    let items = rules_f.seq()?;
    if items.is_empty() || items.len() > MAX_SUCCESS_RULES {
        return Err(rules_f.err(
            format!("{} successPolicy rules", items.len()),
            format!("list from 1 to {MAX_SUCCESS_RULES} rules"),
        ));
    }
    let mut rules = Vec::new();
    for r in items {
        let ro = r.obj()?;
        ro.deny_unknown(&["succeededIndexes", "succeededCount"], "a successPolicy rule")?;
        let succeeded_indexes = opt(ro.get("succeededIndexes"), |f| f.name())?;
        let succeeded_count = opt(ro.get("succeededCount"), |f| f.u32())?;
        if succeeded_indexes.is_none() && succeeded_count.is_none() {
            return Err(r.err(
                "a successPolicy rule needs succeededIndexes or succeededCount",
                "add succeededIndexes (e.g. \"0-3\") or succeededCount",
            ));
        }
        rules.push(SuccessPolicyRule {
            succeeded_indexes,
            succeeded_count,
        });
    }
    Ok(rules)
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

// ----- PriorityClass and Namespace ------------------------------------------------------------

/// Largest value of a user PriorityClass (larger ones are reserved for system classes).
const MAX_USER_PRIORITY: i128 = 1_000_000_000;

pub(crate) fn priority_class(doc: &Obj, name: String) -> Res<PriorityClassSpec> {
    doc.deny_unknown(
        &[
            "apiVersion",
            "kind",
            "metadata",
            "value",
            "globalDefault",
            "description",
            "preemptionPolicy",
        ],
        "a PriorityClass",
    )?;
    let value = doc
        .req("value", "add value: an integer priority (higher is more important)")?
        .int_in(i128::from(i32::MIN), MAX_USER_PRIORITY)? as i32;
    let global_default = opt(doc.get("globalDefault"), |f| f.bool())?.unwrap_or(false);
    let preemption_policy =
        opt(doc.get("preemptionPolicy"), preemption_policy)?.unwrap_or(PreemptionPolicy::PreemptLowerPriority);
    Ok(PriorityClassSpec {
        name,
        value,
        global_default,
        preemption_policy,
    })
}

fn int_or_percent(f: &F) -> Res<IntOrPercent> {
    if let Ok(text) = f.str() {
        let pct = text
            .strip_suffix('%')
            .and_then(|p| p.trim().parse::<u32>().ok())
            .filter(|p| *p <= 100)
            .ok_or_else(|| {
                f.err(
                    format!("invalid value {}", quote(text)),
                    "write a whole number (1) or a percentage (\"50%\")",
                )
            })?;
        return Ok(IntOrPercent::Percent(pct));
    }
    Ok(IntOrPercent::Int(f.u32()?))
}

/// A label selector: `matchLabels` and `matchExpressions` (an empty mapping selects all).
pub(crate) fn label_selector(f: &F) -> Res<LabelSelector> {
    let sel = f.obj()?;
    sel.deny_unknown(&["matchLabels", "matchExpressions"], "a label selector")?;
    let mut selector = LabelSelector::default();
    if let Some(ml) = sel.get("matchLabels") {
        selector.match_labels = ml.string_map()?;
    }
    if let Some(me) = sel.get("matchExpressions") {
        selector.match_expressions = me.seq()?.iter().map(selector_requirement).collect::<Res<Vec<_>>>()?;
    }
    Ok(selector)
}

/// Converts a policy/v1 PodDisruptionBudget.
pub(crate) fn pod_disruption_budget(doc: &Obj, meta: Meta) -> Res<PdbSpec> {
    doc.deny_unknown(OBJECT_FIELDS, "a PodDisruptionBudget")?;
    let spec_f = doc.req("spec", "add spec with minAvailable or maxUnavailable and a selector")?;
    let spec = spec_f.obj()?;
    spec.deny_unknown(
        &[
            "minAvailable",
            "maxUnavailable",
            "selector",
            "unhealthyPodEvictionPolicy",
        ],
        "a PodDisruptionBudget spec",
    )?;
    let min_available = opt(spec.get("minAvailable"), int_or_percent)?;
    let max_unavailable = opt(spec.get("maxUnavailable"), int_or_percent)?;
    if min_available.is_some() && max_unavailable.is_some() {
        return Err(spec_f.err(
            "minAvailable and maxUnavailable are both set",
            "keep one of minAvailable and maxUnavailable",
        ));
    }
    let selector = opt(spec.get("selector"), label_selector)?.unwrap_or_default();
    Ok(PdbSpec {
        namespace: meta.namespace.unwrap_or_else(|| DEFAULT_NAMESPACE.to_string()),
        name: meta.name,
        selector,
        min_available,
        max_unavailable,
    })
}

pub(crate) fn namespace(doc: &Obj, meta: Meta) -> Res<NamespaceSpec> {
    doc.deny_unknown(OBJECT_FIELDS, "a Namespace")?;
    Ok(NamespaceSpec {
        name: meta.name,
        labels: meta.labels,
    })
}

/// The kinds of workload document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WorkloadDoc {
    /// batch/v1 Job.
    Job,
    /// v1 Pod.
    Pod,
    /// batch.volcano.sh/v1alpha1 Job.
    VolcanoJob,
}

/// Converts a workload document into a [`WorkloadSpec`]. `name_required` is false for Arrivals
/// templates (their copies are named by the Arrivals object).
pub(crate) fn workload(doc: &Obj, what: WorkloadDoc, loc: &SourceLoc, name_required: bool) -> Res<WorkloadSpec> {
    let meta = read_meta(doc, name_required)?;
    let w = match what {
        WorkloadDoc::Job => job(doc)?,
        WorkloadDoc::Pod => pod(doc, &meta)?,
        WorkloadDoc::VolcanoJob => super::volcano::volcano_job(doc)?,
    };
    check_amounts(doc, &w.kind)?;
    Ok(WorkloadSpec {
        namespace: meta.namespace.unwrap_or_else(|| DEFAULT_NAMESPACE.to_string()),
        name: meta.name,
        labels: meta.labels,
        annotations: meta.annotations,
        kind: w.kind,
        submit_at_ms: w.hints.submit_at_ms.unwrap_or(0),
        suspend_at_ms: w.hints.suspend_at_ms,
        resume_at_ms: w.hints.resume_at_ms,
        loc: loc.clone(),
    })
}

/// Checks a workload's pod totals: each at most [`MAX_QUANTITY`] (a total of many containers
/// can pass it where no container does), and each times the workload's pods within `i64`, as
/// the simulator multiplies them (a Kueue workload's quota, the GPUs of a job row).
fn check_amounts(doc: &Obj, kind: &crate::input::spec::WorkloadKind) -> Res<()> {
    use crate::input::spec::WorkloadKind;
    let templates: Vec<(String, &PodTemplate, u32)> = match kind {
        WorkloadKind::Job(j) => vec![(
            "spec.template.spec".to_string(),
            &j.template,
            j.completions.unwrap_or(1).max(j.parallelism.unwrap_or(1)),
        )],
        WorkloadKind::Pod(t) => vec![("spec".to_string(), t, 1)],
        WorkloadKind::VolcanoJob(v) => v
            .tasks
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("spec.tasks[{i}].template.spec"), &t.template, t.replicas))
            .collect(),
    };
    for (path, t, pods) in templates {
        for (name, v) in t.requests.iter().chain(&t.limits) {
            let shown = |v: i64| crate::input::quantity::format_quantity(name, v);
            let message = if *v > MAX_QUANTITY {
                format!(
                    "a pod's containers together ask for {} of {}, beyond the limit of {}",
                    shown(*v),
                    quote(name),
                    shown(MAX_QUANTITY)
                )
            } else if v.checked_mul(i64::from(pods)).is_none() {
                format!(
                    "{pods} pods of {} of {} each are more than kubesim can count",
                    shown(*v),
                    quote(name)
                )
            } else {
                continue;
            };
            let at = doc.get("spec").map_or(doc.pos, |f| f.key_pos);
            return Err(err_at(at, &path, message, "ask for less per pod, or use fewer pods"));
        }
    }
    Ok(())
}

/// The namespace of objects that name none.
pub(crate) const DEFAULT_NAMESPACE: &str = "default";
