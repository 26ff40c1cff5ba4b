//! Kubernetes' own gang scheduling objects (`scheduling.k8s.io`, feature gate `GenericWorkload`;
//! KEP-4671, KEP-5832; docs/kube-gang.md): Workloads and PodGroups, and the pod spec fields by
//! which pods join a PodGroup.
//!
//! - v1alpha1 (Kubernetes 1.35): a Workload holds its pod groups (`spec.podGroups[]`, each a
//!   `policy` of `basic` or `gang: {minCount}`); a pod joins with `spec.workloadRef` (`name`,
//!   `podGroup`, `podGroupReplicaKey`), one gang per replica key.
//! - v1alpha2 (1.36) and v1beta1 (1.37): a Workload holds pod group templates
//!   (`spec.podGroupTemplates[]`, each a `schedulingPolicy`); a standalone PodGroup carries its
//!   own `schedulingPolicy` (copied from its template by the controller that makes it); a pod
//!   joins with `spec.schedulingGroup.podGroupName`.
//!
//! Fields and checks from kubernetes `staging/src/k8s.io/api/scheduling/v1alpha2/types.go`
//! (read at `056a0155`) and `v1beta1/types.go` (read at `01d0b727`, which introduces the kinds
//! in 1.37), v1alpha1 from KEP-4671's API section; the declarative validation tags
//! (`+k8s:required`, `+k8s:minimum=1`, `+k8s:maxItems=8`, `+union`) give the messages of
//! apimachinery `pkg/api/validate` (`Union`: "must specify one of: `basic`, `gang`").
//! Loaded without effect (listed by `validate`): topology constraints, resource claims,
//! disruption modes, PodGroup priorities and preemption policies, Workloads' `controllerRef`
//! (`unmodelled`). CompositePodGroups (alpha gate `CompositePodGroup`, off by default) are
//! refused as the API server refuses them with the gate off.

use super::k8s::{self, Meta, OBJECT_FIELDS};
use super::view::{F, Obj, Res};
use crate::error::quote;
use crate::input::spec::{GangApiVersion, GangPodGroupSpec, GangWorkloadSpec, SourceLoc};
use crate::limits::MAX_WORKLOAD_PODS;

/// `WorkloadMaxPodGroupTemplates` (v1alpha1 `WorkloadMaxPodGroups`).
const MAX_TEMPLATES: usize = 8;

const V1ALPHA1_WORKLOAD_SPEC: &[&str] = &["controllerRef", "podGroups"];
const V1ALPHA1_POD_GROUP: &[&str] = &["name", "policy"];
const V1ALPHA2_WORKLOAD_SPEC: &[&str] = &["controllerRef", "podGroupTemplates"];
const V1ALPHA2_TEMPLATE: &[&str] = &["name", "schedulingPolicy", "schedulingConstraints"];
const V1ALPHA2_POD_GROUP_SPEC: &[&str] = &["podGroupTemplateRef", "schedulingPolicy", "schedulingConstraints"];
const V1BETA1_WORKLOAD_SPEC: &[&str] = &["controllerRef", "podGroupTemplates", "compositePodGroupTemplates"];
const V1BETA1_TEMPLATE: &[&str] = &[
    "name",
    "schedulingPolicy",
    "schedulingConstraints",
    "resourceClaims",
    "disruptionMode",
    "priorityClassName",
    "priority",
    "preemptionPolicy",
];
const V1BETA1_POD_GROUP_SPEC: &[&str] = &[
    "parentCompositePodGroupName",
    "workloadRef",
    "schedulingPolicy",
    "schedulingConstraints",
    "resourceClaims",
    "disruptionMode",
    "priorityClassName",
    "priority",
    "preemptionPolicy",
];
const POLICY_FIELDS: &[&str] = &["basic", "gang"];
const CONTROLLER_REF: &[&str] = &["apiGroup", "kind", "name"];

/// A scheduling policy (`basic` or `gang`, exactly one): the gang's `minCount`, None for basic.
fn policy(f: &F) -> Res<Option<u32>> {
    let o = f.obj()?;
    o.deny_unknown(POLICY_FIELDS, "a pod group scheduling policy")?;
    match (o.has("basic"), o.get("gang")) {
        (false, None) => Err(f.err(
            "Invalid value: \"\": must specify one of: `basic`, `gang`",
            "write `gang: {minCount: N}` (all-or-nothing) or `basic: {}` (pod by pod)",
        )),
        (true, Some(_)) => Err(f.err(
            "Invalid value: \"{basic, gang}\": must specify exactly one of: `basic`, `gang`",
            "keep one policy: `gang` for all-or-nothing, `basic` for pod by pod",
        )),
        (true, None) => {
            if let Some(b) = o.get("basic") {
                b.obj()?.deny_unknown(&[], "a basic scheduling policy")?;
            }
            Ok(None)
        }
        (false, Some(g)) => {
            let go = g.obj()?;
            go.deny_unknown(&["minCount"], "a gang scheduling policy")?;
            let m = go.req(
                "minCount",
                "add minCount: the number of pods that must be placed together",
            )?;
            let v = m.int_in(i128::from(i32::MIN), i128::from(i32::MAX))?;
            if v < 1 {
                return Err(m.err(
                    format!("Invalid value: {v}: must be greater than or equal to 1"),
                    "write the number of pods that must be placed together (at least 1)",
                ));
            }
            let v = m.bounded(
                1,
                i128::from(MAX_WORKLOAD_PODS),
                "pods per workload",
                "a gang has at most this many members",
            )?;
            Ok(Some(v as u32))
        }
    }
}

/// A DNS label (`+k8s:format=k8s-short-name`).
fn short_name(f: &F) -> Res<String> {
    let s = f.name()?;
    let ok = !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if !ok {
        return Err(f.err(
            format!(
                "Invalid value: {}: must be a lowercase RFC 1123 label (at most 63 characters: a-z, 0-9, '-', \
                 starting and ending with an alphanumeric character)",
                quote(&s)
            ),
            "use a name such as `workers`",
        ));
    }
    Ok(s)
}

fn controller_ref(spec: &Obj) -> Res<()> {
    if let Some(c) = spec.get("controllerRef") {
        let o = c.obj()?;
        o.deny_unknown(CONTROLLER_REF, "a controllerRef")?;
        o.req("kind", "add the kind of the controlling object (e.g. Job)")?
            .name()?;
        o.req("name", "add the name of the controlling object")?.name()?;
    }
    Ok(())
}

/// Converts a `scheduling.k8s.io` Workload (`doc` is the whole object); a v1alpha1 Workload's
/// pod groups are also returned as the PodGroups its pods join (`<workload>/<group>`).
pub(crate) fn workload(
    doc: &Obj,
    version: GangApiVersion,
    meta: Meta,
    loc: &SourceLoc,
) -> Res<(GangWorkloadSpec, Vec<GangPodGroupSpec>)> {
    doc.deny_unknown(OBJECT_FIELDS, "a Workload")?;
    let namespace = meta.namespace.unwrap_or_else(|| k8s::DEFAULT_NAMESPACE.to_string());
    let spec_f = doc.req("spec", "add spec with the pod group templates")?;
    let spec = spec_f.obj()?;
    let (fields, list, item_fields) = match version {
        GangApiVersion::V1alpha1 => (V1ALPHA1_WORKLOAD_SPEC, "podGroups", V1ALPHA1_POD_GROUP),
        GangApiVersion::V1alpha2 => (V1ALPHA2_WORKLOAD_SPEC, "podGroupTemplates", V1ALPHA2_TEMPLATE),
        GangApiVersion::V1beta1 => (V1BETA1_WORKLOAD_SPEC, "podGroupTemplates", V1BETA1_TEMPLATE),
    };
    spec.deny_unknown(fields, "a Workload spec")?;
    controller_ref(&spec)?;
    if let Some(c) = spec.get("compositePodGroupTemplates") {
        return Err(c.err(
            "Forbidden: compositePodGroupTemplates needs the CompositePodGroup feature gate (alpha, off by default)",
            "list pod group templates in podGroupTemplates: kubesim does not simulate CompositePodGroups",
        ));
    }
    let list_f = spec.req(
        list,
        &format!("add {list}: at least one template with a scheduling policy"),
    )?;
    let items = list_f.seq()?;
    if items.len() > MAX_TEMPLATES {
        return Err(list_f.err(
            format!("Too many: {}: must have at most {MAX_TEMPLATES} items", items.len()),
            "split the pod groups over several Workloads",
        ));
    }
    let mut templates: Vec<(String, Option<u32>)> = Vec::new();
    for item in &items {
        let o = item.obj()?;
        o.deny_unknown(item_fields, "a pod group template")?;
        let name_f = o.req("name", "add a name (a DNS label) to the template")?;
        let name = short_name(&name_f)?;
        if templates.iter().any(|(n, _)| *n == name) {
            return Err(name_f.err(
                format!("Duplicate value: {}", quote(&name)),
                "give each template of the Workload its own name",
            ));
        }
        let policy_key = if version == GangApiVersion::V1alpha1 {
            "policy"
        } else {
            "schedulingPolicy"
        };
        let p = policy(&o.req(
            policy_key,
            "add a scheduling policy: `gang: {minCount: N}` or `basic: {}`",
        )?)?;
        templates.push((name, p));
    }
    let groups = if version == GangApiVersion::V1alpha1 {
        templates
            .iter()
            .map(|(t, min)| GangPodGroupSpec {
                version,
                namespace: namespace.clone(),
                name: format!("{}/{t}", meta.name),
                min_count: *min,
                template: Some((meta.name.clone(), t.clone())),
                loc: loc.clone(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let w = GangWorkloadSpec {
        version,
        namespace,
        name: meta.name,
        templates,
        loc: loc.clone(),
    };
    Ok((w, groups))
}

/// Converts a `scheduling.k8s.io` PodGroup (v1alpha2, v1beta1).
pub(crate) fn pod_group(doc: &Obj, version: GangApiVersion, meta: Meta, loc: &SourceLoc) -> Res<GangPodGroupSpec> {
    doc.deny_unknown(OBJECT_FIELDS, "a PodGroup")?;
    let spec = doc
        .req("spec", "add spec: {schedulingPolicy: {gang: {minCount: N}}}")?
        .obj()?;
    let fields = if version == GangApiVersion::V1beta1 {
        V1BETA1_POD_GROUP_SPEC
    } else {
        V1ALPHA2_POD_GROUP_SPEC
    };
    spec.deny_unknown(fields, "a PodGroup spec")?;
    if let Some(p) = spec.get("parentCompositePodGroupName") {
        return Err(p.err(
            "Forbidden: parentCompositePodGroupName needs the CompositePodGroup feature gate (alpha, off by default)",
            "remove it: kubesim does not simulate CompositePodGroups",
        ));
    }
    let min_count = policy(&spec.req(
        "schedulingPolicy",
        "add schedulingPolicy: `gang: {minCount: N}` or `basic: {}`",
    )?)?;
    let template = match version {
        GangApiVersion::V1beta1 => match spec.get("workloadRef") {
            Some(r) => {
                let o = r.obj()?;
                o.deny_unknown(&["workloadName", "templateName"], "a workloadRef")?;
                let w = o.req("workloadName", "add the Workload's name")?.name()?;
                let t = short_name(&o.req("templateName", "add the template's name in the Workload")?)?;
                Some((w, t))
            }
            None => None,
        },
        _ => match spec.get("podGroupTemplateRef") {
            Some(r) => {
                let o = r.obj()?;
                o.deny_unknown(&["workload"], "a podGroupTemplateRef")?;
                match o.get("workload") {
                    Some(w) => {
                        let wo = w.obj()?;
                        wo.deny_unknown(
                            &["workloadName", "podGroupTemplateName"],
                            "a workload template reference",
                        )?;
                        let n = short_name(&wo.req("workloadName", "add the Workload's name")?)?;
                        let t =
                            short_name(&wo.req("podGroupTemplateName", "add the template's name in the Workload")?)?;
                        Some((n, t))
                    }
                    None => None,
                }
            }
            None => None,
        },
    };
    Ok(GangPodGroupSpec {
        version,
        namespace: meta.namespace.unwrap_or_else(|| k8s::DEFAULT_NAMESPACE.to_string()),
        name: meta.name,
        min_count,
        template,
        loc: loc.clone(),
    })
}

/// The `scheduling.k8s.io` pod group a pod spec `spec` joins: `schedulingGroup.podGroupName`
/// (v1alpha2, v1beta1), or `workloadRef` (v1alpha1: `<name>/<podGroup>`, with
/// `/<podGroupReplicaKey>` when one is written).
pub(crate) fn scheduling_group<'a>(spec: &Obj<'a>) -> Res<Option<(String, F<'a>)>> {
    if let Some(g) = spec.get("schedulingGroup") {
        let o = g.obj()?;
        o.deny_unknown(&["podGroupName"], "a schedulingGroup")?;
        if let Some(n) = o.get("podGroupName") {
            return Ok(Some((n.name()?, n)));
        }
    }
    if let Some(r) = spec.get("workloadRef") {
        let o = r.obj()?;
        o.deny_unknown(&["name", "podGroup", "podGroupReplicaKey"], "a workloadRef")?;
        let name = o.req("name", "add the Workload's name")?.name()?;
        let group = short_name(&o.req("podGroup", "add the name of the pod group in the Workload")?)?;
        let key = match o.get("podGroupReplicaKey") {
            Some(k) if !k.str()?.is_empty() => Some(short_name(&k)?),
            _ => None,
        };
        let joined = match key {
            Some(k) => format!("{name}/{group}/{k}"),
            None => format!("{name}/{group}"),
        };
        return Ok(Some((joined, r)));
    }
    Ok(None)
}
