//! apps/v1 Deployments, ReplicaSets and StatefulSets (docs/serving.md, "Loading"): the spec
//! with the API server's defaults (`replicas: 1`, a StatefulSet's `podManagementPolicy:
//! OrderedReady`, pods `restartPolicy: Always`) and its validation, with its messages.
//!
//! Sources (kubernetes/kubernetes, Apache-2.0): `pkg/apis/apps/validation/validation.go`
//! (`ValidateDeploymentSpec`, `ValidateReplicaSetSpec`, `ValidateStatefulSetSpec`,
//! `ValidatePodTemplateSpecForReplicaSet`, `ValidatePodTemplateSpecForStatefulSet`: `replicas`
//! non-negative, `selector` required and non-empty, the selector must select the template's
//! labels, `restartPolicy` only Always, no `activeDeadlineSeconds`; `podManagementPolicy`
//! OrderedReady or Parallel), `pkg/apis/apps/v1/defaults.go` (`SetDefaults_Deployment`,
//! `SetDefaults_ReplicaSet`, `SetDefaults_StatefulSet`: `replicas` 1, OrderedReady). The API
//! server aggregates its errors; kubesim reports the first it meets, with file, line, field and
//! fix.
//!
//! Loaded without effect (no pod changes where it lands or how long it runs): a StatefulSet's
//! `serviceName`. Loaded and not simulated, listed by `unmodelled` and warned about: a
//! Deployment's `strategy`, `minReadySeconds`, `revisionHistoryLimit`, `progressDeadlineSeconds`;
//! a StatefulSet's `updateStrategy`, `volumeClaimTemplates`,
//! `persistentVolumeClaimRetentionPolicy`, `minReadySeconds`, `revisionHistoryLimit`; a
//! ReplicaSet's `minReadySeconds`.

use super::k8s::{
    HintScope, Meta, OBJECT_FIELDS, PodOwner, Workload, opt, pod_group, pod_template, read_hints, read_meta,
    replicas_count,
};
use super::view::{Obj, Res};
use crate::error::quote;
use crate::input::spec::{ServingKind, ServingSpec, WorkloadKind};

const DEPLOYMENT_FIELDS: &[&str] = &[
    "minReadySeconds",
    "paused",
    "progressDeadlineSeconds",
    "replicas",
    "revisionHistoryLimit",
    "selector",
    "strategy",
    "template",
];
const REPLICASET_FIELDS: &[&str] = &["minReadySeconds", "replicas", "selector", "template"];
const STATEFULSET_FIELDS: &[&str] = &[
    "minReadySeconds",
    "ordinals",
    "persistentVolumeClaimRetentionPolicy",
    "podManagementPolicy",
    "replicas",
    "revisionHistoryLimit",
    "selector",
    "serviceName",
    "template",
    "updateStrategy",
    "volumeClaimTemplates",
];

/// Converts a Deployment, ReplicaSet or StatefulSet (`doc` is the whole object, `meta` its
/// metadata).
pub(crate) fn serving(doc: &Obj, kind: ServingKind, _meta: &Meta) -> Res<Workload> {
    let what = format!("a {}", kind.api_kind());
    doc.deny_unknown(OBJECT_FIELDS, &what)?;
    let hints = read_hints(doc, HintScope::Serving)?;
    let spec = doc
        .req(
            "spec",
            "add a spec with replicas, selector and a pod template (spec.template.spec.containers)",
        )?
        .obj()?;
    let fields = match kind {
        ServingKind::Deployment => DEPLOYMENT_FIELDS,
        ServingKind::ReplicaSet => REPLICASET_FIELDS,
        ServingKind::StatefulSet => STATEFULSET_FIELDS,
    };
    spec.deny_unknown(fields, &format!("{what} spec"))?;
    let replicas = replicas(&spec)?;
    let lower = kind.api_kind().to_lowercase();
    // `ValidateReplicaSetSpec` names the Deployment in its message, as upstream does.
    let empty_for = if kind == ServingKind::StatefulSet {
        "statefulset"
    } else {
        "deployment"
    };
    let selector_f = spec.req(
        "selector",
        "add spec.selector: {matchLabels: {...}} with labels the pod template carries (apps/v1 \
         requires it)",
    )?;
    let selector = super::k8s::label_selector(&selector_f)?;
    if selector.match_labels.is_empty() && selector.match_expressions.is_empty() {
        return Err(selector_f.err(
            format!("Invalid value: {{}}: empty selector is invalid for {empty_for}"),
            format!(
                "select the {lower}'s pods by a label of its pod template: selector: {{matchLabels: {{app: <name>}}}}"
            ),
        ));
    }
    let template_f = spec.req(
        "template",
        "add spec.template with the pod spec of the replicas (template.spec.containers)",
    )?;
    let template = template_f.obj()?;
    template.deny_unknown(&["metadata", "spec"], "a pod template")?;
    let tmeta = read_meta(&template, false)?;
    if !selector.selects(&tmeta.labels) {
        let at = template
            .get("metadata")
            .and_then(|m| m.obj().ok())
            .and_then(|m| m.get("labels"))
            .unwrap_or_else(|| template_f.clone());
        let shown: Vec<String> = tmeta
            .labels
            .iter()
            .map(|(k, v)| format!("{}:{}", quote(k), quote(v)))
            .collect();
        return Err(at.err(
            format!(
                "spec.template.metadata.labels: Invalid value: {{{}}}: `selector` does not match template `labels`",
                shown.join(",")
            ),
            "give the pod template (spec.template.metadata.labels) every label spec.selector asks for",
        ));
    }
    let t_hints = read_hints(&template, HintScope::Serving)?;
    let hints = hints.overridden_by(&t_hints);
    let group = pod_group(&template, &tmeta, true)?;
    let pod_spec_f = template.req("spec", "add the pod spec (containers) under spec.template")?;
    if let Some(d) = pod_spec_f.obj()?.get("activeDeadlineSeconds") {
        return Err(d.err(
            format!(
                "Forbidden: activeDeadlineSeconds in {} is not Supported",
                kind.api_kind()
            ),
            "remove activeDeadlineSeconds: the replicas run until they are stopped",
        ));
    }
    let mut pod = pod_template(&pod_spec_f, tmeta.labels, hints.sim_hints(), PodOwner::Serving)?;
    pod.pod_group = group;
    let parallel = match spec.get("podManagementPolicy") {
        None => false,
        Some(p) => match p.str()? {
            "OrderedReady" => false,
            "Parallel" => true,
            other => {
                return Err(p.err(
                    format!(
                        "Unsupported value: {}: supported values: \"OrderedReady\", \"Parallel\"",
                        quote(other)
                    ),
                    "write OrderedReady (the default: one pod at a time, in ordinal order) or Parallel",
                ));
            }
        },
    };
    let first_ordinal = opt(spec.get("ordinals"), |f| {
        let o = f.obj()?;
        o.deny_unknown(&["start"], "ordinals")?;
        opt(o.get("start"), |s| s.u32())
    })?
    .flatten()
    .unwrap_or(0);
    let paused = opt(spec.get("paused"), |f| f.bool())?.unwrap_or(false);
    Ok(Workload {
        kind: WorkloadKind::Serving(ServingSpec {
            kind,
            replicas,
            parallel,
            first_ordinal,
            paused,
            schedule: hints.replicas_schedule.clone().unwrap_or_default(),
            template: pod,
        }),
        hints,
    })
}

/// `replicas`: default 1, at least 0 (`ValidateNonnegativeField`), at most
/// [`MAX_WORKLOAD_PODS`](crate::limits::MAX_WORKLOAD_PODS).
fn replicas(o: &Obj) -> Res<u32> {
    replicas_count(
        o,
        |i| {
            (
                format!("Invalid value: {i}: must be greater than or equal to 0"),
                "write the number of pods to keep running, 0 or more (replicas defaults to 1)".to_string(),
            )
        },
        "pods (kubesim's limit of pods per workload)",
        "use fewer replicas, or split them into several objects",
    )
}
