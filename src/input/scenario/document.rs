//! One document of a scenario file: which kind it is ([`Dispatch`], from its apiVersion and kind),
//! `kind: List` unpacking, its identity (name, namespace, unique per kind), and how each kind is
//! converted and added to the [`Builder`] with its size checks (nodes, pods, capacity).

use std::path::Path;

use super::view::{F, Obj, Res};
use super::{
    Builder, MAX_NODES, cronjob, jobset, k8s, kubeflow, kubesim, kueue, kueue_config, located, mpijob, quota, ray,
    trainer, unmodelled, volcano, workload_api, yaml,
};
use crate::error::quote;
use crate::input::resources::{is_dns1123_label, is_dns1123_subdomain};
use crate::input::spec::{
    ArrivalTemplate, GangApiVersion, KubeflowFramework, NotSimulated, PodGroupApi, ServingKind, SourceLoc,
    UnmodelledFields,
};

/// What the loader does with a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dispatch {
    Simulation,
    NodePool,
    Arrivals,
    Trace,
    FaultModel,
    CronJob,
    Node,
    Job,
    Pod,
    VolcanoJob,
    JobSet,
    /// A Kubeflow Trainer TrainJob: resolved against its runtime once every file is read.
    TrainJob,
    /// A Kubeflow Trainer ClusterTrainingRuntime (`false`) or TrainingRuntime (`true`: namespaced).
    TrainingRuntime(bool),
    /// apps/v1 Deployment, ReplicaSet or StatefulSet.
    Serving(ServingKind),
    /// leaderworkerset.x-k8s.io/v1 LeaderWorkerSet.
    Lws,
    /// A kubeflow.org/v1 training job of the training-operator.
    Kubeflow(KubeflowFramework),
    /// A kubeflow.org/v2beta1 MPIJob.
    MpiJob,
    /// A ray.io/v1 object: RayCluster (false), RayJob (true).
    Ray(bool),
    /// A `kueue.x-k8s.io` Workload: simulated when bare, listed as not simulated when an
    /// owner (a Job) has it.
    KueueWorkload(kueue::Version),
    PodGroup(PodGroupApi),
    /// A `scheduling.k8s.io` PodGroup (v1alpha2, v1beta1): Kubernetes' own gang scheduling.
    GangPodGroup(GangApiVersion),
    /// A `scheduling.k8s.io` Workload (v1alpha1, v1alpha2, v1beta1).
    GangWorkload(GangApiVersion),
    Queue,
    PriorityClass,
    Namespace,
    PodDisruptionBudget,
    ResourceFlavor(kueue::Version),
    ClusterQueue(kueue::Version),
    LocalQueue(kueue::Version),
    WorkloadPriorityClass(kueue::Version),
    KueueConfiguration(kueue_config::ConfigVersion),
    LimitRange,
    ResourceQuota,
    /// Loaded and reported, not simulated yet; `true` if namespaced.
    NotSimulated(bool),
}

/// The kinds simulated, as printed in the unknown-kind error.
const SIMULATED: &[&str] = &[
    "v1 Node",
    "v1 Pod",
    "v1 Namespace",
    "batch/v1 Job",
    "batch/v1 CronJob",
    "apps/v1 Deployment",
    "apps/v1 ReplicaSet",
    "apps/v1 StatefulSet",
    "leaderworkerset.x-k8s.io/v1 LeaderWorkerSet",
    "batch.volcano.sh/v1alpha1 Job",
    "jobset.x-k8s.io/v1alpha2 JobSet",
    "trainer.kubeflow.org/v1alpha1 TrainJob",
    "trainer.kubeflow.org/v1alpha1 ClusterTrainingRuntime",
    "trainer.kubeflow.org/v1alpha1 TrainingRuntime",
    "kubeflow.org/v1 PyTorchJob",
    "kubeflow.org/v1 TFJob",
    "kubeflow.org/v1 JAXJob",
    "kubeflow.org/v1 PaddleJob",
    "kubeflow.org/v1 XGBoostJob",
    "kubeflow.org/v2beta1 MPIJob",
    "ray.io/v1 RayCluster",
    "ray.io/v1 RayJob",
    "scheduling.volcano.sh/v1beta1 Queue",
    "scheduling.volcano.sh/v1beta1 PodGroup",
    "scheduling.x-k8s.io/v1alpha1 PodGroup",
    "scheduling.k8s.io/v1alpha2 PodGroup",
    "scheduling.k8s.io/v1beta1 PodGroup",
    "scheduling.k8s.io/v1alpha1 Workload",
    "scheduling.k8s.io/v1alpha2 Workload",
    "scheduling.k8s.io/v1beta1 Workload",
    "scheduling.k8s.io/v1 PriorityClass",
    "scheduling.k8s.io/v1beta1 PriorityClass",
    "policy/v1 PodDisruptionBudget",
    "v1 LimitRange",
    "v1 ResourceQuota",
    "kubesim.io/v1alpha1 Simulation",
    "kubesim.io/v1alpha1 NodePool",
    "kubesim.io/v1alpha1 Arrivals",
    "kubesim.io/v1alpha1 Trace",
    "kubesim.io/v1alpha1 FaultModel",
    "kueue.x-k8s.io/v1beta1 ClusterQueue",
    "kueue.x-k8s.io/v1beta2 ClusterQueue",
    "kueue.x-k8s.io/v1beta1 LocalQueue",
    "kueue.x-k8s.io/v1beta2 LocalQueue",
    "kueue.x-k8s.io/v1beta1 ResourceFlavor",
    "kueue.x-k8s.io/v1beta2 ResourceFlavor",
    "kueue.x-k8s.io/v1beta1 WorkloadPriorityClass",
    "kueue.x-k8s.io/v1beta2 WorkloadPriorityClass",
    "kueue.x-k8s.io/v1beta1 Workload",
    "kueue.x-k8s.io/v1beta2 Workload",
    "config.kueue.x-k8s.io/v1beta1 Configuration",
    "config.kueue.x-k8s.io/v1beta2 Configuration",
];

fn classify(api: &str, kind: &str) -> Option<Dispatch> {
    if let (Some(v), "Workload") = (kueue::Version::of(api), kind) {
        return Some(Dispatch::KueueWorkload(v));
    }
    if let Some(k) = unmodelled::not_simulated_kind(api, kind) {
        return Some(Dispatch::NotSimulated(k.namespaced));
    }
    if let Some(v) = GangApiVersion::of(api) {
        match (v, kind) {
            (_, "Workload") => return Some(Dispatch::GangWorkload(v)),
            (GangApiVersion::V1alpha2 | GangApiVersion::V1beta1, "PodGroup") => return Some(Dispatch::GangPodGroup(v)),
            _ => {}
        }
    }
    if let Some(v) = kueue::Version::of(api) {
        return match kind {
            "ResourceFlavor" => Some(Dispatch::ResourceFlavor(v)),
            "ClusterQueue" => Some(Dispatch::ClusterQueue(v)),
            "LocalQueue" => Some(Dispatch::LocalQueue(v)),
            "WorkloadPriorityClass" => Some(Dispatch::WorkloadPriorityClass(v)),
            _ => None,
        };
    }
    if let Some(v) = kueue_config::ConfigVersion::of(api) {
        return (kind == "Configuration").then_some(Dispatch::KueueConfiguration(v));
    }
    Some(match (api, kind) {
        ("kubesim.io/v1alpha1", "Simulation") => Dispatch::Simulation,
        ("kubesim.io/v1alpha1", "NodePool") => Dispatch::NodePool,
        ("kubesim.io/v1alpha1", "Arrivals") => Dispatch::Arrivals,
        ("kubesim.io/v1alpha1", "Trace") => Dispatch::Trace,
        ("kubesim.io/v1alpha1", "FaultModel") => Dispatch::FaultModel,
        ("v1", "Node") => Dispatch::Node,
        ("v1", "Pod") => Dispatch::Pod,
        ("v1", "Namespace") => Dispatch::Namespace,
        ("v1", "LimitRange") => Dispatch::LimitRange,
        ("v1", "ResourceQuota") => Dispatch::ResourceQuota,
        ("batch/v1", "Job") => Dispatch::Job,
        ("batch/v1", "CronJob") => Dispatch::CronJob,
        ("apps/v1", "Deployment") => Dispatch::Serving(ServingKind::Deployment),
        ("apps/v1", "ReplicaSet") => Dispatch::Serving(ServingKind::ReplicaSet),
        ("apps/v1", "StatefulSet") => Dispatch::Serving(ServingKind::StatefulSet),
        ("leaderworkerset.x-k8s.io/v1", "LeaderWorkerSet") => Dispatch::Lws,
        // v1beta1 (served until 1.22) has the same fields as v1.
        ("scheduling.k8s.io/v1" | "scheduling.k8s.io/v1beta1", "PriorityClass") => Dispatch::PriorityClass,
        ("policy/v1", "PodDisruptionBudget") => Dispatch::PodDisruptionBudget,
        ("batch.volcano.sh/v1alpha1", "Job") => Dispatch::VolcanoJob,
        ("jobset.x-k8s.io/v1alpha2", "JobSet") => Dispatch::JobSet,
        ("trainer.kubeflow.org/v1alpha1", "TrainJob") => Dispatch::TrainJob,
        ("trainer.kubeflow.org/v1alpha1", "ClusterTrainingRuntime") => Dispatch::TrainingRuntime(false),
        ("trainer.kubeflow.org/v1alpha1", "TrainingRuntime") => Dispatch::TrainingRuntime(true),
        ("kubeflow.org/v1", k) => Dispatch::Kubeflow(KubeflowFramework::from_kind(k)?),
        ("kubeflow.org/v2beta1", "MPIJob") => Dispatch::MpiJob,
        ("ray.io/v1", "RayCluster") => Dispatch::Ray(false),
        ("ray.io/v1", "RayJob") => Dispatch::Ray(true),
        ("scheduling.volcano.sh/v1beta1", "Queue") => Dispatch::Queue,
        ("scheduling.volcano.sh/v1beta1", "PodGroup") => Dispatch::PodGroup(PodGroupApi::Volcano),
        ("scheduling.x-k8s.io/v1alpha1", "PodGroup") => Dispatch::PodGroup(PodGroupApi::Coscheduling),
        _ => return None,
    })
}

/// A document being added: the object, its apiVersion and kind, its identity and where it is.
struct Object<'a> {
    obj: Obj<'a>,
    api: String,
    kind: String,
    name: String,
    /// The `metadata.name` field, which errors about the whole object point at.
    name_f: F<'a>,
    /// The namespace (the default one if unwritten) of a namespaced kind, else empty.
    namespace: String,
    loc: SourceLoc,
}

impl Builder {
    /// Adds the document `root` of `file` (`in_list`: an item of a `kind: List`).
    pub(super) fn add_doc(&mut self, file: &Path, root: F, in_list: bool) -> Res<()> {
        let obj = match &root.node.value {
            yaml::Value::Map(_) => root.obj()?,
            other => {
                return Err(root.err(
                    format!("a document must be a Kubernetes object, found {}", other.describe()),
                    "write a mapping with apiVersion, kind, metadata and spec",
                ));
            }
        };
        let api_f = obj.req("apiVersion", "add apiVersion (e.g. batch/v1, v1, kubesim.io/v1alpha1)")?;
        let api = api_f.name()?;
        let kind_f = obj.req("kind", "add kind (e.g. Job, Node, Simulation)")?;
        let kind = kind_f.name()?;
        if kind == "List" && (api == "v1" || !api.contains('/')) {
            if in_list {
                return Err(kind_f.err(
                    "a List inside a List",
                    "put the objects directly in the outer List's items",
                ));
            }
            if let Some(items) = obj.get("items") {
                for item in items.seq()? {
                    self.add_doc(file, item, true)?;
                }
            }
            return Ok(());
        }
        let Some(class) = classify(&api, &kind) else {
            return Err(unknown_kind(&kind_f, &api, &kind));
        };
        let loc = SourceLoc {
            file: file.to_path_buf(),
            line: root.node.pos.line,
        };
        if class == Dispatch::Simulation
            && let Some(first) = &self.sim
        {
            return Err(kind_f.err(
                format!("a second Simulation object (the first is at {first})"),
                "keep exactly one Simulation object across all files",
            ));
        }
        if let Dispatch::KueueConfiguration(v) = class {
            // Kueue's config file: no metadata, one per scenario.
            if let Some(first) = &self.sc.kueue_config.loc {
                return Err(kind_f.err(
                    format!("a second Kueue Configuration (the first is at {first})"),
                    "keep exactly one Kueue Configuration across all files",
                ));
            }
            self.sc.kueue_config = kueue_config::configuration(&obj, v, &loc)?;
            return Ok(());
        }
        let (name, name_f, namespace) = object_name(&obj)?;
        let namespace = if is_namespaced(class) {
            namespace.unwrap_or_else(|| k8s::DEFAULT_NAMESPACE.to_string())
        } else {
            String::new()
        };
        let o = Object {
            obj,
            api,
            kind,
            name,
            name_f,
            namespace,
            loc,
        };
        self.check_unique(&o)?;
        self.add_object(file, class, o)
    }

    /// Refuses a second object of the same group, kind, namespace and name; else remembers it.
    fn check_unique(&mut self, o: &Object) -> Res<()> {
        let (kind, name, namespace) = (&o.kind, &o.name, &o.namespace);
        let group = o.api.rsplit_once('/').map_or("", |(g, _)| g);
        let key = (format!("{group}/{kind}"), namespace.clone(), name.clone());
        if let Some(first) = self.seen.get(&key) {
            let shown = if namespace.is_empty() {
                name.clone()
            } else {
                format!("{namespace}/{name}")
            };
            return Err(o.name_f.err(
                format!("a second {kind} named {} (the first is at {first})", quote(&shown)),
                format!("rename one of the two, or delete one ({kind} names are unique)"),
            ));
        }
        self.seen.insert(key, o.loc.clone());
        Ok(())
    }

    /// Converts object `o` of `file`, of kind `class`, and adds it to the scenario.
    fn add_object(&mut self, file: &Path, class: Dispatch, o: Object) -> Res<()> {
        let fields = unmodelled::fields(&o.api, &o.kind, &o.obj);
        let unmodelled = (!fields.is_empty()).then(|| UnmodelledFields {
            api_version: o.api.clone(),
            kind: o.kind.clone(),
            namespace: o.namespace.clone(),
            name: o.name.clone(),
            fields,
            loc: o.loc.clone(),
        });
        let (obj, loc) = (&o.obj, &o.loc);
        match class {
            Dispatch::Simulation => self.add_simulation(file, o)?,
            Dispatch::NodePool => self.add_node_pool(&o)?,
            Dispatch::Arrivals => self.add_arrivals(&o)?,
            Dispatch::FaultModel => self.sc.faults.push(kubesim::fault_model(obj, &o.name, loc)?),
            Dispatch::CronJob => self.sc.cron_jobs.push(cronjob::cron_job(obj, loc)?),
            Dispatch::Trace => self.add_trace(&o)?,
            Dispatch::Node => self.add_node_object(&o)?,
            Dispatch::Job
            | Dispatch::Pod
            | Dispatch::VolcanoJob
            | Dispatch::JobSet
            | Dispatch::Serving(_)
            | Dispatch::Kubeflow(_)
            | Dispatch::MpiJob
            | Dispatch::Ray(_)
            | Dispatch::Lws => {
                let what = match class {
                    Dispatch::Job => k8s::WorkloadDoc::Job,
                    Dispatch::Pod => k8s::WorkloadDoc::Pod,
                    Dispatch::JobSet => k8s::WorkloadDoc::JobSet,
                    Dispatch::Serving(k) => k8s::WorkloadDoc::Serving(k),
                    Dispatch::Lws => k8s::WorkloadDoc::Lws,
                    Dispatch::Kubeflow(f) => k8s::WorkloadDoc::Kubeflow(f),
                    Dispatch::MpiJob => k8s::WorkloadDoc::MPIJob,
                    Dispatch::Ray(false) => k8s::WorkloadDoc::RayCluster,
                    Dispatch::Ray(true) => k8s::WorkloadDoc::RayJob,
                    _ => k8s::WorkloadDoc::VolcanoJob,
                };
                let mut w = k8s::workload(obj, what, loc, true)?;
                if what == k8s::WorkloadDoc::JobSet && jobset::managed_elsewhere(obj)? {
                    // The JobSet controller leaves it to the controller it names.
                    self.add_not_simulated(o);
                    return Ok(());
                }
                if let k8s::WorkloadDoc::Kubeflow(f) = what
                    && kubeflow::honours_managed_by(f)
                    && kubeflow::managed_elsewhere(obj, kubeflow::KUBEFLOW_CONTROLLER)?
                {
                    // The training-operator leaves it to MultiKueue.
                    self.add_not_simulated(o);
                    return Ok(());
                }
                if what == k8s::WorkloadDoc::MPIJob && mpijob::managed_elsewhere(obj)? {
                    // The MPI Operator leaves it to MultiKueue.
                    self.add_not_simulated(o);
                    return Ok(());
                }
                if matches!(what, k8s::WorkloadDoc::RayCluster | k8s::WorkloadDoc::RayJob)
                    && ray::managed_elsewhere(obj)?
                {
                    // KubeRay leaves it to MultiKueue.
                    self.add_not_simulated(o);
                    return Ok(());
                }
                if let Some(r) = k8s::recorded(obj, what)? {
                    self.add_recorded(&mut w, r);
                }
                if matches!(what, k8s::WorkloadDoc::Pod | k8s::WorkloadDoc::Job)
                    && let Some(owner) = super::exports::owner(obj)?
                {
                    self.owned.push((self.sc.workloads.len(), owner));
                }
                self.add_pods(w.pods_without_failures(), &o.name_f)?;
                // The training-operator's PodGroup, when its gang scheduling is on.
                self.sc.pod_groups.extend(kubeflow::pod_group(&w));
                self.sc.pod_groups.extend(mpijob::pod_group(&w));
                // KubeRay's Volcano PodGroup.
                self.sc.pod_groups.extend(ray::pod_group(&w));
                self.sc.workloads.push(w);
            }
            Dispatch::TrainJob => {
                let tj = trainer::train_job(obj, &o.name_f, file, loc)?;
                if tj.managed_elsewhere {
                    // MultiKueue's: Trainer's controller leaves it alone.
                    self.add_not_simulated(o);
                    return Ok(());
                }
                // A placeholder until the runtime is known (`Builder::resolve_train_jobs`).
                self.sc.workloads.push(tj.placeholder());
                self.train_jobs.push((self.sc.workloads.len() - 1, tj));
            }
            Dispatch::TrainingRuntime(_) => {
                let rt = trainer::runtime(obj, file)?;
                self.runtimes.insert((o.namespace.clone(), o.name.clone()), rt);
            }
            Dispatch::KueueWorkload(v) => {
                if kueue::workload_owned(obj)? {
                    // Kueue made it for its owner (a Job): kubesim's Kueue makes its own.
                    if let Some(k) = unmodelled::not_simulated_kind(&o.api, &o.kind) {
                        unmodelled::check_not_simulated(&o.obj, k)?;
                    }
                    self.add_not_simulated(o);
                    return Ok(());
                }
                self.sc.workloads.push(kueue::bare_workload(obj, v, loc, true)?);
            }
            Dispatch::PodGroup(api) => {
                let meta = k8s::read_meta(obj, true)?;
                self.sc.pod_groups.push(volcano::pod_group(obj, api, meta, loc)?);
            }
            Dispatch::GangPodGroup(v) => {
                let meta = k8s::read_meta(obj, true)?;
                self.sc
                    .gang_pod_groups
                    .push(workload_api::pod_group(obj, v, meta, loc)?);
            }
            Dispatch::GangWorkload(v) => {
                let meta = k8s::read_meta(obj, true)?;
                let (w, groups) = workload_api::workload(obj, v, meta, loc)?;
                self.sc.gang_workloads.push(w);
                self.sc.gang_pod_groups.extend(groups);
            }
            Dispatch::Queue => {
                let meta = k8s::read_meta(obj, true)?;
                self.sc.queues.push(volcano::queue(obj, meta, loc)?);
            }
            Dispatch::PriorityClass => self.add_priority_class(o)?,
            Dispatch::PodDisruptionBudget => {
                let meta = k8s::read_meta(obj, true)?;
                self.sc.pdbs.push(k8s::pod_disruption_budget(obj, meta)?);
            }
            Dispatch::Namespace => {
                let meta = k8s::read_meta(obj, true)?;
                self.sc.namespaces.push(k8s::namespace(obj, meta)?);
            }
            Dispatch::ResourceFlavor(_)
            | Dispatch::ClusterQueue(_)
            | Dispatch::LocalQueue(_)
            | Dispatch::WorkloadPriorityClass(_) => self.add_kueue_object(file, class, o)?,
            Dispatch::LimitRange => {
                let lr = quota::limit_range(obj, o.namespace.clone(), o.name.clone(), loc)?;
                self.sc.limit_ranges.push(lr);
            }
            Dispatch::ResourceQuota => {
                let rq = quota::resource_quota(obj, o.namespace.clone(), o.name.clone(), loc)?;
                self.sc.resource_quotas.push(rq);
            }
            Dispatch::NotSimulated(_) => {
                if let Some(k) = unmodelled::not_simulated_kind(&o.api, &o.kind) {
                    unmodelled::check_not_simulated(&o.obj, k)?;
                }
                self.add_not_simulated(o);
                return Ok(());
            }
            Dispatch::KueueConfiguration(_) => unreachable!("read before its identity"),
        }
        self.sc.unmodelled.extend(unmodelled);
        Ok(())
    }

    /// The Simulation object: its options, and the policy names to check at the end.
    fn add_simulation(&mut self, file: &Path, o: Object) -> Res<()> {
        let s = kubesim::simulation(&o.obj)?;
        self.sc.sim = s.spec;
        self.sc.sim.loc = o.loc.clone();
        self.policy_checks.extend(s.policy_fields.into_iter().map(|(n, mut e)| {
            e.file = Some(file.to_path_buf());
            (n, e)
        }));
        self.sim = Some(o.loc);
        self.sim_name = Some(o.name);
        Ok(())
    }

    /// A NodePool: its nodes, named `<template name>-<i>`, within [`MAX_NODES`].
    fn add_node_pool(&mut self, o: &Object) -> Res<()> {
        let pool = kubesim::node_pool(&o.obj, &o.name, &o.loc)?;
        if self.node_total + pool.count > MAX_NODES {
            return Err(pool.count_err);
        }
        self.node_total += pool.count;
        let base = pool.template.name.clone();
        for i in 0..pool.count {
            let mut n = pool.template.clone();
            n.name = format!("{base}-{i}");
            self.add_node(n, &o.name_f)?;
        }
        Ok(())
    }

    /// Arrivals: of Nodes, counted in the nodes and the capacity; of workloads, in the pods.
    fn add_arrivals(&mut self, o: &Object) -> Res<()> {
        let a = kubesim::arrivals(&o.obj, &o.name, &o.loc)?;
        match &a.spec.template {
            ArrivalTemplate::Node(n) => {
                if self.node_total + a.spec.count > MAX_NODES {
                    return Err(a.count_err);
                }
                self.node_total += a.spec.count;
                self.add_capacity(&n.allocatable, a.spec.count, &o.name_f)?;
            }
            ArrivalTemplate::Workload(w) => {
                let pods = w.pods_without_failures().saturating_mul(a.spec.count);
                self.add_pods(pods, &o.name_f)?;
            }
        }
        self.sc.arrivals.push(a.spec);
        Ok(())
    }

    /// A Trace: its node list (within [`MAX_NODES`]) and its jobs' pods.
    fn add_trace(&mut self, o: &Object) -> Res<()> {
        let name_f = &o.name_f;
        let t = kubesim::trace(&o.obj, &o.name, &o.loc)?;
        if self.node_total + t.nodes.len() as u64 > MAX_NODES {
            return Err(name_f.err(
                format!("the scenario has more than {MAX_NODES} nodes with this trace's node list"),
                format!("keep the total number of nodes at most {MAX_NODES}"),
            ));
        }
        self.node_total += t.nodes.len() as u64;
        for n in t.nodes {
            self.add_node(n, name_f)?;
        }
        let pods = t
            .spec
            .jobs
            .iter()
            .map(|j| u64::from(t.spec.shapes[j.shape as usize].pods))
            .sum();
        self.add_pods(pods, name_f)?;
        self.sc.traces.push(t.spec);
        Ok(())
    }

    /// A v1 Node, within [`MAX_NODES`].
    fn add_node_object(&mut self, o: &Object) -> Res<()> {
        if self.node_total + 1 > MAX_NODES {
            return Err(o.name_f.err(
                format!("the scenario has more than {MAX_NODES} nodes"),
                format!("keep the total number of nodes at most {MAX_NODES}"),
            ));
        }
        self.node_total += 1;
        let n = k8s::node(&o.obj, &o.loc, true)?;
        self.add_node(n, &o.name_f)
    }

    /// A PriorityClass; at most one has `globalDefault: true`.
    fn add_priority_class(&mut self, o: Object) -> Res<()> {
        let pc = k8s::priority_class(&o.obj, o.name)?;
        if pc.global_default {
            if let Some((other, at)) = &self.global_default {
                let f = o.obj.get("globalDefault").unwrap_or(o.name_f);
                return Err(f.err(
                    format!(
                        "a second PriorityClass with globalDefault: true ({} at \
                         {at})",
                        quote(other)
                    ),
                    "keep globalDefault: true on one PriorityClass only",
                ));
            }
            self.global_default = Some((pc.name.clone(), o.loc));
        }
        self.sc.priority_classes.push(pc);
        Ok(())
    }

    /// A Kueue ResourceFlavor, ClusterQueue, LocalQueue or WorkloadPriorityClass; the objects
    /// the queues name are checked at the end.
    fn add_kueue_object(&mut self, file: &Path, class: Dispatch, o: Object) -> Res<()> {
        let (obj, loc) = (&o.obj, &o.loc);
        match class {
            Dispatch::ResourceFlavor(_) => {
                let meta = k8s::read_meta(obj, true)?;
                let rf = kueue::resource_flavor(obj, meta, loc)?;
                self.sc.resource_flavors.push(rf);
            }
            Dispatch::ClusterQueue(v) => {
                let meta = k8s::read_meta(obj, true)?;
                let cq = kueue::cluster_queue(obj, v, meta, loc)?;
                self.flavor_refs.extend(cq.refs.into_iter().map(|r| located(r, file)));
                self.sc.cluster_queues.push(cq.spec);
            }
            Dispatch::LocalQueue(_) => {
                let meta = k8s::read_meta(obj, true)?;
                let lq = kueue::local_queue(obj, meta, loc)?;
                self.cluster_queue_refs
                    .extend(lq.refs.into_iter().map(|r| located(r, file)));
                self.sc.local_queues.push(lq.spec);
            }
            Dispatch::WorkloadPriorityClass(_) => {
                let wpc = kueue::workload_priority_class(obj, o.name, loc)?;
                self.sc.workload_priority_classes.push(wpc);
            }
            _ => unreachable!("not a Kueue kind: {class:?}"),
        }
        Ok(())
    }

    /// An object loaded but not simulated; a SchedulerPolicy's name is a policy name.
    fn add_not_simulated(&mut self, o: Object) {
        if o.api == "kubesim.io/v1alpha1" && o.kind == "SchedulerPolicy" {
            self.scheduler_policies.insert(o.name.clone());
        }
        self.sc.not_simulated.push(NotSimulated {
            api_version: o.api,
            kind: o.kind,
            namespace: o.namespace,
            name: o.name,
            loc: o.loc,
        });
    }
}

/// Whether objects of kind `class` live in a namespace.
fn is_namespaced(class: Dispatch) -> bool {
    matches!(
        class,
        Dispatch::Job
            | Dispatch::Pod
            | Dispatch::VolcanoJob
            | Dispatch::JobSet
            | Dispatch::TrainJob
            | Dispatch::TrainingRuntime(true)
            | Dispatch::Serving(_)
            | Dispatch::Lws
            | Dispatch::Kubeflow(_)
            | Dispatch::MpiJob
            | Dispatch::Ray(_)
            | Dispatch::KueueWorkload(_)
            | Dispatch::CronJob
            | Dispatch::PodGroup(_)
            | Dispatch::GangPodGroup(_)
            | Dispatch::GangWorkload(_)
            | Dispatch::LocalQueue(_)
            | Dispatch::LimitRange
            | Dispatch::ResourceQuota
            | Dispatch::PodDisruptionBudget
            | Dispatch::NotSimulated(true)
    )
}

/// The error for an (apiVersion, kind) the loader does not know (at `kind_f`), naming the
/// apiVersions the kind is supported as, if any.
fn unknown_kind(kind_f: &F, api: &str, kind: &str) -> super::view::Error {
    let suffix = format!(" {kind}");
    let not_simulated: Vec<String> = unmodelled::NOT_SIMULATED_KINDS.iter().map(|k| k.label()).collect();
    let same_kind: Vec<&str> = SIMULATED
        .iter()
        .copied()
        .chain(not_simulated.iter().map(String::as_str))
        .filter(|s| s.ends_with(&suffix))
        .collect();
    let hint = if same_kind.is_empty() {
        String::new()
    } else {
        format!(" ({kind} is supported as {})", same_kind.join(" or "))
    };
    kind_f.err(
        format!("unknown apiVersion/kind {}{hint}", quote(&format!("{api} {kind}"))),
        format!(
            "use a supported kind: {}; or one loaded but not yet simulated: {}",
            SIMULATED.join(", "),
            not_simulated.join(", ")
        ),
    )
}

/// `metadata.name` (required, non-empty) with its field, and `metadata.namespace` if written.
fn object_name<'a>(obj: &Obj<'a>) -> Res<(String, F<'a>, Option<String>)> {
    let fix = "add metadata.name (or metadata.generateName)";
    let meta = obj.req("metadata", fix)?.obj()?;
    let name_f = meta.req("name", fix)?;
    let name = name_f.name()?;
    if !is_dns1123_subdomain(&name) {
        return Err(name_f.err(
            format!("{} is not a valid Kubernetes object name", quote(&name)),
            "use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, \
             at most 253 characters (a DNS-1123 subdomain)",
        ));
    }
    let namespace = match meta.get("namespace") {
        Some(f) => {
            let ns = f.name()?;
            if !is_dns1123_label(&ns) {
                return Err(f.err(
                    format!("{} is not a valid namespace name", quote(&ns)),
                    "use lowercase letters, digits and '-', starting and ending with a letter or digit, \
                     at most 63 characters (a DNS-1123 label)",
                ));
            }
            Some(ns)
        }
        None => None,
    };
    Ok((name, name_f, namespace))
}
