//! A bare `kueue.x-k8s.io` Workload (v1beta1 or v1beta2): a Workload object created without a
//! Job, as Kueue's scheduler performance test creates them (kueue
//! `test/performance/scheduler/runner/generator/generator.go` `generateWlSet`: one pod set
//! `main` of one pod with a CPU request, `spec.priority`, `spec.queueName`, and the run time in
//! the label `kueue.x-k8s.io/performance-scheduler-running-ms`).
//!
//! Fields read (kueue `apis/kueue/v1beta1/workload_types.go`, `v1beta2/workload_types.go`,
//! `WorkloadSpec` and `PodSet`): `queueName`; `podSets` (1 to 8, Kueue's `MaxItems`), each
//! `name` (v1beta1 required; v1beta2 default `main`), `count` (default 1) and `template` (a pod
//! template: its requests times `count` are what the Workload asks of quota); `priority`;
//! the priority class (v1beta1 `priorityClassName` with `priorityClassSource`
//! `kueue.x-k8s.io/workloadpriorityclass` or `scheduling.k8s.io/priorityclass`; v1beta2
//! `priorityClassRef {group, kind, name}`); `active`. `podSets[].minCount` (partial admission),
//! `podSets[].topologyRequest`, `maximumExecutionTimeSeconds` and `preemptionGates` load
//! without effect (listed by `kubesim validate`).
//!
//! Run time: `kubesim.io/duration`, else the performance test's label, else the Simulation's
//! `defaultDuration`; without one the Workload holds its quota until the run ends. A Workload
//! with `metadata.ownerReferences` belongs to a Job (or another object) that Kueue made it for:
//! it is not simulated here (kubesim's Kueue makes its own for each Job it manages).

use super::super::k8s::{self, HintScope, OBJECT_FIELDS, PodOwner, read_hints, read_meta};
use super::super::view::{F, Obj, Res};
use super::Version;
use crate::error::quote;
use crate::input::spec::{KueuePodSet, KueueWorkloadSpec, SourceLoc, WorkloadKind, WorkloadSpec};

/// The label Kueue's scheduler performance test gives each Workload its run time with (ms).
pub(crate) const PERF_RUNNING_MS_LABEL: &str = "kueue.x-k8s.io/performance-scheduler-running-ms";

/// Kueue's limit on pod sets per Workload (`PodSets` `+kubebuilder:validation:MaxItems=8`).
const MAX_POD_SETS: usize = 8;

pub(crate) const V1BETA1_SPEC: &[&str] = &[
    "active",
    "maximumExecutionTimeSeconds",
    "podSets",
    "priority",
    "priorityClassName",
    "priorityClassSource",
    "queueName",
];
pub(crate) const V1BETA2_SPEC: &[&str] = &[
    "active",
    "maximumExecutionTimeSeconds",
    "podSets",
    "preemptionGates",
    "priority",
    "priorityClassRef",
    "queueName",
];
const POD_SET_FIELDS: &[&str] = &["name", "count", "minCount", "template", "topologyRequest"];

/// Whether the Workload document belongs to an owner (`metadata.ownerReferences` not empty).
pub(crate) fn owned(doc: &Obj) -> Res<bool> {
    let Some(meta) = doc.get("metadata") else {
        return Ok(false);
    };
    Ok(match meta.obj()?.get("ownerReferences") {
        Some(refs) => !refs.seq()?.is_empty(),
        None => false,
    })
}

/// A bare Workload document as a workload of the scenario (its name required unless it is a
/// template).
pub(crate) fn bare_workload(doc: &Obj, version: Version, loc: &SourceLoc, name_required: bool) -> Res<WorkloadSpec> {
    doc.deny_unknown(OBJECT_FIELDS, "a Workload")?;
    let meta = read_meta(doc, name_required)?;
    let w = kueue_workload(doc, &meta, version)?;
    Ok(WorkloadSpec {
        namespace: meta.namespace.unwrap_or_else(|| k8s::DEFAULT_NAMESPACE.to_string()),
        name: meta.name,
        labels: meta.labels,
        annotations: meta.annotations,
        kind: w.kind,
        submit_at_ms: w.hints.submit_at_ms.unwrap_or(0),
        suspend_at_ms: None,
        resume_at_ms: None,
        loc: loc.clone(),
    })
}

/// Converts a bare Workload document whose metadata is `meta`.
fn kueue_workload(doc: &Obj, meta: &k8s::Meta, version: Version) -> Res<k8s::Workload> {
    let mut hints = read_hints(doc, HintScope::KueueWorkload)?;
    if hints.duration_ms.is_none()
        && let Some(v) = meta.labels.get(PERF_RUNNING_MS_LABEL)
    {
        let label_f = doc
            .get("metadata")
            .and_then(|m| m.obj().ok()?.get("labels"))
            .and_then(|l| l.obj().ok()?.get(PERF_RUNNING_MS_LABEL));
        let ms = v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|&ms| ms <= crate::limits::MAX_DURATION_MS);
        match (ms, label_f) {
            (Some(ms), _) => hints.duration_ms = Some(ms),
            (None, Some(f)) => {
                return Err(f.err(
                    format!("run time {} is not a whole number of milliseconds", quote(v)),
                    "write the run time in milliseconds, such as \"200\", or use the annotation \
                     kubesim.io/duration: 200ms",
                ));
            }
            (None, None) => {}
        }
    }
    let spec = doc
        .req(
            "spec",
            "add a spec: {queueName, podSets: [{name: main, count: 1, template: {spec: {containers: [...]}}}]}",
        )?
        .obj()?;
    spec.deny_unknown(
        match version {
            Version::V1beta1 => V1BETA1_SPEC,
            Version::V1beta2 => V1BETA2_SPEC,
        },
        "a Workload spec",
    )?;
    let queue_name = k8s::opt(spec.get("queueName"), |f| f.string())?.unwrap_or_default();
    let priority = k8s::opt(spec.get("priority"), |f| f.i32())?;
    let priority_class = priority_class(&spec, version)?;
    let active = k8s::opt(spec.get("active"), |f| f.bool())?.unwrap_or(true);
    let sets_f = spec.req(
        "podSets",
        "add podSets: [{name: main, count: 1, template: {spec: {containers: [...]}}}]",
    )?;
    let sets = sets_f.seq()?;
    if sets.is_empty() || sets.len() > MAX_POD_SETS {
        return Err(sets_f.err(
            format!("{} pod sets; a Workload has 1 to {MAX_POD_SETS}", sets.len()),
            "list between 1 and 8 pod sets",
        ));
    }
    let mut pod_sets: Vec<KueuePodSet> = Vec::with_capacity(sets.len());
    for set_f in &sets {
        let set = pod_set(set_f, version, &hints)?;
        if pod_sets.iter().any(|p| p.name == set.name) {
            return Err(set_f.err(
                format!("a second pod set named {}", quote(&set.name)),
                "give each pod set its own name",
            ));
        }
        pod_sets.push(set);
    }
    Ok(k8s::Workload {
        kind: WorkloadKind::KueueWorkload(KueueWorkloadSpec {
            queue_name,
            priority,
            priority_class,
            active,
            pod_sets,
        }),
        hints,
    })
}

/// One `podSets[]` entry.
fn pod_set(set_f: &F, version: Version, hints: &k8s::Hints) -> Res<KueuePodSet> {
    let set = set_f.obj()?;
    set.deny_unknown(POD_SET_FIELDS, "a Workload pod set")?;
    let name = match (set.get("name"), version) {
        (Some(f), _) => f.name()?,
        (None, Version::V1beta2) => "main".to_string(),
        (None, Version::V1beta1) => {
            return Err(set.missing("name", "add name: main (v1beta1 pod sets are named)"));
        }
    };
    let count = k8s::opt(set.get("count"), |f| {
        f.bounded(
            0,
            i128::from(crate::limits::MAX_WORKLOAD_PODS),
            "pods in a pod set",
            "ask for fewer pods",
        )
    })?
    .map_or(1, |c| c as u32);
    let template_f = set.req("template", "add template: {spec: {containers: [...]}}")?;
    let template = template_f.obj()?;
    template.deny_unknown(&["metadata", "spec"], "a pod template")?;
    let tmeta = read_meta(&template, false)?;
    let pod_spec_f = template.req("spec", "add the pod spec (containers) under template")?;
    let pod = k8s::pod_template(&pod_spec_f, tmeta.labels, hints.sim_hints(), PodOwner::VolcanoTask)?;
    Ok(KueuePodSet {
        name,
        count,
        template: pod,
    })
}

/// The priority class a Workload names, and whether it is a WorkloadPriorityClass.
fn priority_class(spec: &Obj, version: Version) -> Res<Option<(String, bool)>> {
    match version {
        Version::V1beta1 => {
            let Some(name) = k8s::opt(spec.get("priorityClassName"), |f| f.string())? else {
                return Ok(None);
            };
            let workload_class = match spec.get("priorityClassSource") {
                None => false,
                Some(f) => match f.str()? {
                    "kueue.x-k8s.io/workloadpriorityclass" => true,
                    "scheduling.k8s.io/priorityclass" | "" => false,
                    other => {
                        return Err(f.err(
                            format!("unknown priority class source {}", quote(other)),
                            "write kueue.x-k8s.io/workloadpriorityclass or scheduling.k8s.io/priorityclass",
                        ));
                    }
                },
            };
            Ok(Some((name, workload_class)))
        }
        Version::V1beta2 => {
            let Some(r) = spec.get("priorityClassRef") else {
                return Ok(None);
            };
            let o = r.obj()?;
            o.deny_unknown(&["group", "kind", "name"], "a priorityClassRef")?;
            let name = o.req("name", "add the class's name")?.string()?;
            let workload_class = match o.get("kind") {
                None => true,
                Some(f) => match f.str()? {
                    "WorkloadPriorityClass" => true,
                    "PriorityClass" => false,
                    other => {
                        return Err(f.err(
                            format!("unknown priority class kind {}", quote(other)),
                            "write WorkloadPriorityClass or PriorityClass",
                        ));
                    }
                },
            };
            Ok(Some((name, workload_class)))
        }
    }
}
