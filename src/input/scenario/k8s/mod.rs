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
//!
//! Layout: this module owns object metadata ([`read_meta`], [`Meta`], pod group membership), the
//! conversion of a workload document ([`workload`]: Job, Pod, Volcano Job or JobSet, its amounts
//! checked)
//! and Namespaces; the kinds live in submodules: `hints` (the `kubesim.io/*` annotations), `node`
//! (Nodes and taints), `pod` (pod templates, containers, bare Pods), `select` (selectors, node
//! affinity, tolerations), `job` (batch/v1 Jobs and the Job specs of JobSet templates, their
//! failure and success policies), `priority`
//! (PriorityClasses), `pdb` (PodDisruptionBudgets).

use std::collections::BTreeMap;

use super::view::{F, Obj, Res, err_at};
use crate::error::quote;
use crate::input::spec::{NamespaceSpec, PodTemplate, SourceLoc, WorkloadSpec};
use crate::limits::{MAX_QUANTITY, MAX_WORKLOAD_PODS};

mod hints;
mod job;
mod node;
mod pdb;
mod pod;
mod priority;
mod recorded;
mod select;

pub(crate) use hints::{HintScope, Hints, read_hints};
pub(crate) use node::{node, taint, taint_effect};
pub(crate) use pdb::pod_disruption_budget;
pub(crate) use pod::{PodOwner, pod_template};
pub(crate) use priority::priority_class;
pub(crate) use recorded::{Recorded, format_time, latest_time, recorded};
pub(crate) use select::{label_selector, toleration};

pub(crate) use job::{JobDefaults, job_spec};

use job::job;
use pod::pod;

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
    let fix = "add `metadata:` with a `name:` (or a `generateName:`)";
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
/// `scheduling.k8s.io/group-name`; an empty value names none, as in both schedulers; or the
/// `scheduling.k8s.io` PodGroup its spec names (`workload_api::scheduling_group`). With
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
    let by_label = label.or(annotation);
    let spec = owner.get("spec").map(|s| s.obj()).transpose()?;
    if let Some(spec) = spec
        && let Some((group, f)) = super::workload_api::scheduling_group(&spec)?
    {
        if let Some(l) = by_label
            && l != group
        {
            return Err(f.err(
                format!(
                    "the pod joins two pod groups: {} by label or annotation and {} by this field",
                    quote(l),
                    quote(&group)
                ),
                "keep one: this field for a scheduling.k8s.io PodGroup, the label or annotation for a \
                 coscheduling or Volcano PodGroup",
            ));
        }
        return Ok(Some(group));
    }
    Ok(by_label.map(str::to_string))
}

/// Applies `conv` to a present field.
pub(crate) fn opt<'a, T>(f: Option<F<'a>>, conv: impl FnOnce(&F<'a>) -> Res<T>) -> Res<Option<T>> {
    f.as_ref().map(conv).transpose()
}

/// A workload converted from a Job or Pod document: its kind-specific part and the hints of
/// its workload-level metadata merged with the pod template's.
pub(crate) struct Workload {
    pub kind: crate::input::spec::WorkloadKind,
    pub hints: Hints,
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
    /// jobset.x-k8s.io/v1alpha2 JobSet.
    JobSet,
    /// apps/v1 Deployment, ReplicaSet or StatefulSet.
    Serving(crate::input::spec::ServingKind),
    /// leaderworkerset.x-k8s.io/v1 LeaderWorkerSet.
    Lws,
    /// A kubeflow.org/v1 training job of the training-operator (PyTorchJob, TFJob, ...).
    Kubeflow(crate::input::spec::KubeflowFramework),
    /// kubeflow.org/v2beta1 MPIJob.
    MPIJob,
    /// ray.io/v1 RayCluster.
    RayCluster,
    /// ray.io/v1 RayJob.
    RayJob,
}

/// Converts a workload document into a [`WorkloadSpec`]. `name_required` is false for Arrivals
/// templates (their copies are named by the Arrivals object).
pub(crate) fn workload(doc: &Obj, what: WorkloadDoc, loc: &SourceLoc, name_required: bool) -> Res<WorkloadSpec> {
    let meta = read_meta(doc, name_required)?;
    let w = match what {
        WorkloadDoc::Job => job(doc)?,
        WorkloadDoc::Pod => pod(doc, &meta)?,
        WorkloadDoc::VolcanoJob => super::volcano::volcano_job(doc)?,
        WorkloadDoc::JobSet => super::jobset::jobset(doc, &meta)?,
        WorkloadDoc::Serving(k) => super::serving::serving(doc, k, &meta)?,
        WorkloadDoc::Lws => super::lws::leader_worker_set(doc, &meta)?,
        WorkloadDoc::Kubeflow(f) => super::kubeflow::training_job(doc, &meta, f)?,
        WorkloadDoc::MPIJob => super::mpijob::mpi_job(doc, &meta)?,
        WorkloadDoc::RayCluster => super::ray::ray_cluster(doc, &meta)?,
        WorkloadDoc::RayJob => super::ray::ray_job(doc, &meta)?,
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
pub(crate) fn check_amounts(doc: &Obj, kind: &crate::input::spec::WorkloadKind) -> Res<()> {
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
        WorkloadKind::KueueWorkload(k) => k
            .pod_sets
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("spec.podSets[{i}].template.spec"), &p.template, p.count))
            .collect(),
        WorkloadKind::JobSet(s) => s
            .replicated_jobs
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let per_job = r.job.completions.unwrap_or(1).max(r.job.parallelism.unwrap_or(1));
                (
                    format!("spec.replicatedJobs[{i}].template.spec.template.spec"),
                    &r.job.template,
                    per_job.saturating_mul(r.replicas),
                )
            })
            .collect(),
        WorkloadKind::Serving(s) => vec![("spec.template.spec".to_string(), &s.template, s.replicas)],
        WorkloadKind::Lws(l) => vec![
            (
                "spec.leaderWorkerTemplate.leaderTemplate.spec".to_string(),
                &l.leader,
                l.replicas,
            ),
            (
                "spec.leaderWorkerTemplate.workerTemplate.spec".to_string(),
                &l.worker,
                l.replicas.saturating_mul(l.size),
            ),
        ],
        WorkloadKind::Kubeflow(k) => k
            .replicas
            .iter()
            .map(|r| {
                (
                    format!("spec.replicaSpecs[{}].template.spec", r.rtype),
                    &r.template,
                    r.replicas,
                )
            })
            .collect(),
        WorkloadKind::MpiJob(m) => std::iter::once(&m.launcher)
            .chain(&m.worker)
            .map(|r| {
                (
                    format!("spec.mpiReplicaSpecs[{}].template.spec", r.rtype),
                    &r.template,
                    r.replicas,
                )
            })
            .collect(),
        WorkloadKind::Ray(r) => r
            .groups
            .iter()
            .map(|g| (format!("the {} group's template.spec", g.name), &g.template, g.pods))
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

/// An error at `f` once the `parts` of a workload up to it (its tasks, its replicatedJobs)
/// create `pods` pods, more than [`MAX_WORKLOAD_PODS`] (per-pod state is sized by them); `fix`
/// says how to split it.
pub(crate) fn check_workload_pods(f: &F, parts: &str, pods: u64, fix: &str) -> Res<()> {
    if pods <= u64::from(MAX_WORKLOAD_PODS) {
        return Ok(());
    }
    Err(f.err(
        format!(
            "the {parts} up to this one create {pods} pods, beyond the limit of {MAX_WORKLOAD_PODS} pods per workload"
        ),
        fix,
    ))
}

/// A `replicas` count of `o`: 1 when unwritten, refused below 0 with `negative` (the message
/// and fix for the value), else bounded by [`MAX_WORKLOAD_PODS`] (`what`: what it counts, and
/// `fix`: how to need fewer).
pub(crate) fn replicas_count(o: &Obj, negative: impl Fn(i128) -> (String, String), what: &str, fix: &str) -> Res<u32> {
    let Some(f) = o.get("replicas") else {
        return Ok(1);
    };
    if let super::yaml::Value::Int(i) = f.node.value
        && i < 0
    {
        let (message, fix) = negative(i);
        return Err(f.err(message, fix));
    }
    Ok(f.bounded(0, i128::from(MAX_WORKLOAD_PODS), what, fix)? as u32)
}

/// The namespace of objects that name none.
pub(crate) const DEFAULT_NAMESPACE: &str = "default";
