//! The scenario loader: YAML files (or folders of them) in, a validated [`Scenario`] out, or an
//! [`InputError`] that names the file, line, column, field and fix. It owns file handling,
//! document dispatch on (apiVersion, kind), `kind: List` unpacking, cross-object checks
//! (duplicates, one Simulation, one default PriorityClass, policy names), NodePool expansion and
//! the size limits. Per-kind conversion lives in `k8s` (Kubernetes objects), `admission`
//! (LimitRanges, ResourceQuotas), `gang` (Volcano Jobs, PodGroups, Queues), `kueue` (Kueue
//! queues, flavors and priority classes) and `kubesim` (kubesim.io objects); `yaml` parses,
//! `view` reads fields with their paths.
//!
//! It never panics on input and never loops on it: every list it builds is bounded (file size,
//! the parser's budget, the node and arrival limits).

mod cronjob;
mod k8s;
mod kubesim;
mod kueue;
mod overrides;
mod quota;
mod view;
mod volcano;
pub(crate) mod yaml;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::error::{InputError, quote};
use crate::input::resources::{is_dns1123_label, is_dns1123_subdomain};
use crate::input::spec::{ArrivalTemplate, NotSimulated, PodGroupApi, Scenario, SourceLoc};
use crate::limits::MAX_PODS;
pub use kubesim::{MAX_ARRIVALS, MAX_LIST_ENTRIES, MAX_NODES};
pub use overrides::{Override, Seg};
use view::{Error, F, Obj, Res};

/// Loads a scenario from files and folders: a folder contributes its `*.yaml` and `*.yml`
/// files (not recursively) sorted by name; files are read in argument order.
#[allow(
    clippy::result_large_err,
    reason = "the loader's public signature; an error ends the load, so its size costs nothing"
)]
pub fn load(paths: &[PathBuf]) -> Result<Scenario, InputError> {
    load_files(paths, &[]).map_err(|e| *e)
}

/// Loads a scenario with values overridden before the objects are read (sweeps). Every
/// override must address an object of the scenario.
#[allow(
    clippy::result_large_err,
    reason = "the loader's public signature; an error ends the load, so its size costs nothing"
)]
pub fn load_with(paths: &[PathBuf], overrides: &[Override]) -> Result<Scenario, InputError> {
    load_files(paths, overrides).map_err(|e| *e)
}

/// Loads a scenario from one YAML text; `file_label` stands for the file name in errors and
/// source locations, and its stem names the scenario if no Simulation does.
#[allow(
    clippy::result_large_err,
    reason = "the loader's public signature; an error ends the load, so its size costs nothing"
)]
pub fn load_str(file_label: &str, text: &str) -> Result<Scenario, InputError> {
    let file = Path::new(file_label);
    let mut b = Builder::default();
    b.add_text(file, text).and_then(|()| b.finish(file)).map_err(|e| *e)
}

fn load_files(paths: &[PathBuf], overrides: &[Override]) -> Res<Scenario> {
    if paths.is_empty() {
        return Err(Box::new(InputError::new(
            "",
            "no scenario file given",
            "name one or more YAML files or folders",
        )));
    }
    let mut files = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| file_error(p, &e.to_string()))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            let entries = std::fs::read_dir(p).map_err(|e| file_error(p, &e.to_string()))?;
            for entry in entries {
                let entry = entry.map_err(|e| file_error(p, &e.to_string()))?;
                let path = entry.path();
                let is_yaml = path
                    .extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| x == "yaml" || x == "yml");
                if is_yaml && path.is_file() {
                    found.push(path);
                }
            }
            if found.is_empty() {
                return Err(file_error(p, "the folder contains no .yaml or .yml file"));
            }
            found.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    let mut b = Builder {
        overrides: overrides.to_vec(),
        used: vec![false; overrides.len()],
        ..Builder::default()
    };
    for f in &files {
        let bytes = crate::limits::read_file_at_most(f, yaml::MAX_FILE_BYTES)
            .map_err(|e| file_error(f, &e.to_string()))?
            .ok_or_else(|| {
                file_error(
                    f,
                    &format!("the file is longer than the limit of {} bytes", yaml::MAX_FILE_BYTES),
                )
            })?;
        let text = String::from_utf8(bytes).map_err(|_| file_error(f, "the file is not UTF-8 text"))?;
        b.add_text(f, &text)?;
    }
    b.finish(&files[0])
}

fn file_error(path: &Path, why: &str) -> Error {
    Box::new(InputError {
        file: Some(path.to_path_buf()),
        ..InputError::new(
            "",
            format!("cannot load: {why}"),
            "check the path: a YAML file or a folder of .yaml/.yml files",
        )
    })
}

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
    PodGroup(PodGroupApi),
    Queue,
    PriorityClass,
    Namespace,
    PodDisruptionBudget,
    ResourceFlavor(kueue::Version),
    ClusterQueue(kueue::Version),
    LocalQueue(kueue::Version),
    WorkloadPriorityClass(kueue::Version),
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
    "batch.volcano.sh/v1alpha1 Job",
    "scheduling.volcano.sh/v1beta1 Queue",
    "scheduling.volcano.sh/v1beta1 PodGroup",
    "scheduling.x-k8s.io/v1alpha1 PodGroup",
    "scheduling.k8s.io/v1 PriorityClass",
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
];

/// The kinds loaded but not simulated yet, as printed in the unknown-kind error.
const NOT_SIMULATED: &[&str] = &["kubesim.io/v1alpha1 SchedulerPolicy"];

fn classify(api: &str, kind: &str) -> Option<Dispatch> {
    if let Some(v) = kueue::Version::of(api) {
        return match kind {
            "ResourceFlavor" => Some(Dispatch::ResourceFlavor(v)),
            "ClusterQueue" => Some(Dispatch::ClusterQueue(v)),
            "LocalQueue" => Some(Dispatch::LocalQueue(v)),
            "WorkloadPriorityClass" => Some(Dispatch::WorkloadPriorityClass(v)),
            _ => None,
        };
    }
    Some(match (api, kind) {
        ("kubesim.io/v1alpha1", "Simulation") => Dispatch::Simulation,
        ("kubesim.io/v1alpha1", "NodePool") => Dispatch::NodePool,
        ("kubesim.io/v1alpha1", "Arrivals") => Dispatch::Arrivals,
        ("kubesim.io/v1alpha1", "Trace") => Dispatch::Trace,
        ("kubesim.io/v1alpha1", "FaultModel") => Dispatch::FaultModel,
        ("kubesim.io/v1alpha1", "SchedulerPolicy") => Dispatch::NotSimulated(false),
        ("v1", "Node") => Dispatch::Node,
        ("v1", "Pod") => Dispatch::Pod,
        ("v1", "Namespace") => Dispatch::Namespace,
        ("v1", "LimitRange") => Dispatch::LimitRange,
        ("v1", "ResourceQuota") => Dispatch::ResourceQuota,
        ("batch/v1", "Job") => Dispatch::Job,
        ("batch/v1", "CronJob") => Dispatch::CronJob,
        ("scheduling.k8s.io/v1", "PriorityClass") => Dispatch::PriorityClass,
        ("policy/v1", "PodDisruptionBudget") => Dispatch::PodDisruptionBudget,
        ("batch.volcano.sh/v1alpha1", "Job") => Dispatch::VolcanoJob,
        ("scheduling.volcano.sh/v1beta1", "Queue") => Dispatch::Queue,
        ("scheduling.volcano.sh/v1beta1", "PodGroup") => Dispatch::PodGroup(PodGroupApi::Volcano),
        ("scheduling.x-k8s.io/v1alpha1", "PodGroup") => Dispatch::PodGroup(PodGroupApi::Coscheduling),
        _ => return None,
    })
}

/// Accumulates documents from every file into one scenario, with the cross-object checks.
#[derive(Default)]
struct Builder {
    sc: Scenario,
    /// The Simulation object, if one was seen.
    sim: Option<SourceLoc>,
    sim_name: Option<String>,
    /// Policy names to check once every file is loaded, with the error to report.
    policy_checks: Vec<(String, Error)>,
    /// (group/kind, namespace, name) of every object, for duplicate detection.
    seen: BTreeMap<(String, String, String), SourceLoc>,
    node_names: BTreeMap<String, SourceLoc>,
    /// Nodes so far, including NodePool copies and Arrivals of Nodes.
    node_total: u64,
    /// Pods the objects so far create when none fails (workloads times their copies, trace
    /// jobs times their pods), bounded by [`MAX_PODS`].
    pods_total: u64,
    /// The cluster's allocatable per resource so far (every node, joined later or not).
    capacity: BTreeMap<String, i64>,
    global_default: Option<(String, SourceLoc)>,
    scheduler_policies: BTreeSet<String>,
    /// ResourceFlavors named by ClusterQueues and ClusterQueues named by LocalQueues, checked
    /// once every file is loaded, with the error to report.
    flavor_refs: Vec<kueue::Ref>,
    cluster_queue_refs: Vec<kueue::Ref>,
    /// Values to set before objects are read, and whether each found its object.
    overrides: Vec<Override>,
    used: Vec<bool>,
}

impl Builder {
    fn add_text(&mut self, file: &Path, text: &str) -> Res<()> {
        // Errors name this file, unless they are about another one (a Trace's data file).
        let attach = |mut e: Error| {
            if e.file.is_none() || e.file.as_deref() == Some(Path::new("")) {
                e.file = Some(file.to_path_buf());
            }
            e
        };
        let mut docs = yaml::parse_stream(text).map_err(attach)?;
        if !self.overrides.is_empty() {
            for doc in &mut docs {
                overrides::apply_all(doc, &self.overrides, &mut self.used).map_err(|e| attach(Box::new(e)))?;
            }
        }
        for doc in &docs {
            self.add_doc(file, F::new(doc, ""), false).map_err(attach)?;
        }
        Ok(())
    }

    fn add_doc(&mut self, file: &Path, root: F, in_list: bool) -> Res<()> {
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
            let suffix = format!(" {kind}");
            let same_kind: Vec<&str> = SIMULATED
                .iter()
                .chain(NOT_SIMULATED)
                .copied()
                .filter(|s| s.ends_with(&suffix))
                .collect();
            let hint = if same_kind.is_empty() {
                String::new()
            } else {
                format!(" ({kind} is supported as {})", same_kind.join(" or "))
            };
            return Err(kind_f.err(
                format!("unknown apiVersion/kind {}{hint}", quote(&format!("{api} {kind}"))),
                format!(
                    "use a supported kind: {}; or one loaded but not yet simulated: {}",
                    SIMULATED.join(", "),
                    NOT_SIMULATED.join(", ")
                ),
            ));
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
        let (name, name_f, namespace) = object_name(&obj)?;
        let namespaced = matches!(
            class,
            Dispatch::Job
                | Dispatch::Pod
                | Dispatch::VolcanoJob
                | Dispatch::CronJob
                | Dispatch::PodGroup(_)
                | Dispatch::LocalQueue(_)
                | Dispatch::LimitRange
                | Dispatch::ResourceQuota
                | Dispatch::PodDisruptionBudget
                | Dispatch::NotSimulated(true)
        );
        let namespace = if namespaced {
            namespace.unwrap_or_else(|| k8s::DEFAULT_NAMESPACE.to_string())
        } else {
            String::new()
        };
        let group = api.rsplit_once('/').map_or("", |(g, _)| g);
        let key = (format!("{group}/{kind}"), namespace.clone(), name.clone());
        if let Some(first) = self.seen.get(&key) {
            let shown = if namespace.is_empty() {
                name.clone()
            } else {
                format!("{namespace}/{name}")
            };
            return Err(name_f.err(
                format!("a second {kind} named {} (the first is at {first})", quote(&shown)),
                format!("rename one of the two, or delete one ({kind} names are unique)"),
            ));
        }
        self.seen.insert(key, loc.clone());

        match class {
            Dispatch::Simulation => {
                let s = kubesim::simulation(&obj)?;
                self.sc.sim = s.spec;
                self.sc.sim.loc = loc.clone();
                self.policy_checks.extend(s.policy_fields.into_iter().map(|(n, mut e)| {
                    e.file = Some(file.to_path_buf());
                    (n, e)
                }));
                self.sim = Some(loc);
                self.sim_name = Some(name);
            }
            Dispatch::NodePool => {
                let pool = kubesim::node_pool(&obj, &name, &loc)?;
                if self.node_total + pool.count > MAX_NODES {
                    return Err(pool.count_err);
                }
                self.node_total += pool.count;
                let base = pool.template.name.clone();
                for i in 0..pool.count {
                    let mut n = pool.template.clone();
                    n.name = format!("{base}-{i}");
                    self.add_node(n, &name_f)?;
                }
            }
            Dispatch::Arrivals => {
                let a = kubesim::arrivals(&obj, &name, &loc)?;
                match &a.spec.template {
                    ArrivalTemplate::Node(n) => {
                        if self.node_total + a.spec.count > MAX_NODES {
                            return Err(a.count_err);
                        }
                        self.node_total += a.spec.count;
                        self.add_capacity(&n.allocatable, a.spec.count, &name_f)?;
                    }
                    ArrivalTemplate::Workload(w) => {
                        let pods = w.pods_without_failures().saturating_mul(a.spec.count);
                        self.add_pods(pods, &name_f)?;
                    }
                }
                self.sc.arrivals.push(a.spec);
            }
            Dispatch::FaultModel => {
                let f = kubesim::fault_model(&obj, &name, &loc)?;
                self.sc.faults.push(f);
            }
            Dispatch::CronJob => {
                let cj = cronjob::cron_job(&obj, &loc)?;
                self.sc.cron_jobs.push(cj);
            }
            Dispatch::Trace => {
                let t = kubesim::trace(&obj, &name, &loc)?;
                if self.node_total + t.nodes.len() as u64 > MAX_NODES {
                    return Err(name_f.err(
                        format!("the scenario has more than {MAX_NODES} nodes with this trace's node list"),
                        format!("keep the total number of nodes at most {MAX_NODES}"),
                    ));
                }
                self.node_total += t.nodes.len() as u64;
                for n in t.nodes {
                    self.add_node(n, &name_f)?;
                }
                let pods = t
                    .spec
                    .jobs
                    .iter()
                    .map(|j| u64::from(t.spec.shapes[j.shape as usize].pods))
                    .sum();
                self.add_pods(pods, &name_f)?;
                self.sc.traces.push(t.spec);
            }
            Dispatch::Node => {
                if self.node_total + 1 > MAX_NODES {
                    return Err(name_f.err(
                        format!("the scenario has more than {MAX_NODES} nodes"),
                        format!("keep the total number of nodes at most {MAX_NODES}"),
                    ));
                }
                self.node_total += 1;
                let n = k8s::node(&obj, &loc, true)?;
                self.add_node(n, &name_f)?;
            }
            Dispatch::Job | Dispatch::Pod | Dispatch::VolcanoJob => {
                let what = match class {
                    Dispatch::Job => k8s::WorkloadDoc::Job,
                    Dispatch::Pod => k8s::WorkloadDoc::Pod,
                    _ => k8s::WorkloadDoc::VolcanoJob,
                };
                let w = k8s::workload(&obj, what, &loc, true)?;
                self.add_pods(w.pods_without_failures(), &name_f)?;
                self.sc.workloads.push(w);
            }
            Dispatch::PodGroup(api) => {
                let meta = k8s::read_meta(&obj, true)?;
                let pg = volcano::pod_group(&obj, api, meta, &loc)?;
                self.sc.pod_groups.push(pg);
            }
            Dispatch::Queue => {
                let meta = k8s::read_meta(&obj, true)?;
                let q = volcano::queue(&obj, meta, &loc)?;
                self.sc.queues.push(q);
            }
            Dispatch::PriorityClass => {
                let pc = k8s::priority_class(&obj, name)?;
                if pc.global_default {
                    if let Some((other, at)) = &self.global_default {
                        let f = obj.get("globalDefault").unwrap_or(name_f);
                        return Err(f.err(
                            format!(
                                "a second PriorityClass with globalDefault: true ({} at \
                                 {at})",
                                quote(other)
                            ),
                            "keep globalDefault: true on one PriorityClass only",
                        ));
                    }
                    self.global_default = Some((pc.name.clone(), loc));
                }
                self.sc.priority_classes.push(pc);
            }
            Dispatch::PodDisruptionBudget => {
                let meta = k8s::read_meta(&obj, true)?;
                let pdb = k8s::pod_disruption_budget(&obj, meta)?;
                self.sc.pdbs.push(pdb);
            }
            Dispatch::Namespace => {
                let meta = k8s::read_meta(&obj, true)?;
                let ns = k8s::namespace(&obj, meta)?;
                self.sc.namespaces.push(ns);
            }
            Dispatch::ResourceFlavor(_) => {
                let meta = k8s::read_meta(&obj, true)?;
                let rf = kueue::resource_flavor(&obj, meta, &loc)?;
                self.sc.resource_flavors.push(rf);
            }
            Dispatch::ClusterQueue(v) => {
                let meta = k8s::read_meta(&obj, true)?;
                let cq = kueue::cluster_queue(&obj, v, meta, &loc)?;
                self.flavor_refs.extend(cq.refs.into_iter().map(|r| located(r, file)));
                self.sc.cluster_queues.push(cq.spec);
            }
            Dispatch::LocalQueue(_) => {
                let meta = k8s::read_meta(&obj, true)?;
                let lq = kueue::local_queue(&obj, meta, &loc)?;
                self.cluster_queue_refs
                    .extend(lq.refs.into_iter().map(|r| located(r, file)));
                self.sc.local_queues.push(lq.spec);
            }
            Dispatch::WorkloadPriorityClass(_) => {
                let wpc = kueue::workload_priority_class(&obj, name, &loc)?;
                self.sc.workload_priority_classes.push(wpc);
            }
            Dispatch::LimitRange => {
                let lr = quota::limit_range(&obj, namespace, name, &loc)?;
                self.sc.limit_ranges.push(lr);
            }
            Dispatch::ResourceQuota => {
                let rq = quota::resource_quota(&obj, namespace, name, &loc)?;
                self.sc.resource_quotas.push(rq);
            }
            Dispatch::NotSimulated(_) => {
                if api == "kubesim.io/v1alpha1" && kind == "SchedulerPolicy" {
                    self.scheduler_policies.insert(name.clone());
                }
                self.sc.not_simulated.push(NotSimulated {
                    api_version: api,
                    kind,
                    namespace,
                    name,
                    loc,
                });
            }
        }
        Ok(())
    }

    /// Counts `pods` more pods created up front by the object named at `name_f`; an error
    /// once the scenario's total passes [`MAX_PODS`] (the run could not hold them).
    fn add_pods(&mut self, pods: u64, name_f: &F) -> Res<()> {
        self.pods_total = self.pods_total.saturating_add(pods);
        if self.pods_total > MAX_PODS as u64 {
            return Err(name_f.err(
                format!(
                    "with this object the scenario creates {} pods even if none fails, beyond the \
                     limit of {MAX_PODS} pods a run creates",
                    self.pods_total
                ),
                "use fewer copies or smaller workloads, or split the experiment into several scenarios",
            ));
        }
        Ok(())
    }

    /// Adds `copies` nodes of `allocatable` to the cluster's totals, which the simulator keeps
    /// in i64 (GPU capacity, per-queue and per-node sums): an error if they would overflow.
    fn add_capacity(&mut self, allocatable: &crate::input::spec::ResourceList, copies: u64, name_f: &F) -> Res<()> {
        for (name, v) in allocatable {
            if !self.capacity.contains_key(name) {
                self.capacity.insert(name.clone(), 0);
            }
            let total = self.capacity.get_mut(name).expect("inserted");
            let sum = i64::try_from(copies)
                .ok()
                .and_then(|c| v.checked_mul(c))
                .and_then(|add| total.checked_add(add));
            match sum {
                Some(s) => *total = s,
                None => {
                    return Err(name_f.err(
                        format!(
                            "with this object the cluster's total {} is more than kubesim can count",
                            quote(name)
                        ),
                        "use fewer or smaller nodes",
                    ));
                }
            }
        }
        Ok(())
    }

    fn add_node(&mut self, n: crate::input::spec::NodeSpec, name_f: &F) -> Res<()> {
        self.add_capacity(&n.allocatable, 1, name_f)?;
        if let Some(first) = self.node_names.get(&n.name) {
            return Err(name_f.err(
                format!("a second node named {} (the first is at {first})", quote(&n.name)),
                "rename the Node or the NodePool (pool nodes are named <template name>-<i>)",
            ));
        }
        self.node_names.insert(n.name.clone(), n.loc.clone());
        self.sc.nodes.push(n);
        Ok(())
    }

    fn finish(mut self, first_file: &Path) -> Res<Scenario> {
        if let Some(i) = self.used.iter().position(|u| !u) {
            let o = &self.overrides[i];
            let suffix = format!("/{}", o.kind);
            let mut names: Vec<String> = self
                .seen
                .keys()
                .filter(|(k, _, _)| k.ends_with(&suffix))
                .map(|(_, ns, n)| if ns.is_empty() { n.clone() } else { format!("{ns}/{n}") })
                .collect();
            names.dedup();
            let have = if names.is_empty() {
                format!("the scenario has no {}", o.kind)
            } else {
                format!("its {} objects: {}", o.kind, names.join(", "))
            };
            return Err(Box::new(InputError::new(
                o.text.clone(),
                format!("no {} named `{}` in the scenario", o.kind, o.name),
                format!("name an object the scenario defines ({have})"),
            )));
        }
        for (name, err) in self.policy_checks {
            if !crate::policy::is_builtin(&name) && !self.scheduler_policies.contains(&name) {
                return Err(err);
            }
        }
        let flavors: Vec<&str> = self.sc.resource_flavors.iter().map(|f| f.name.as_str()).collect();
        check_refs(self.flavor_refs, &flavors, "ResourceFlavor")?;
        let queues: Vec<&str> = self.sc.cluster_queues.iter().map(|q| q.name.as_str()).collect();
        check_refs(self.cluster_queue_refs, &queues, "ClusterQueue")?;
        self.sc.cron_fires = cronjob::check_fires(&self.sc)?;
        self.sc.name = match self.sim_name {
            Some(n) => n,
            None => first_file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
        };
        Ok(self.sc)
    }
}

/// A reference's error, in `file`.
fn located(mut r: kueue::Ref, file: &Path) -> kueue::Ref {
    r.err.file = Some(file.to_path_buf());
    r
}

/// The first reference to a `kind` object not among `defined`, as an error whose fix also
/// lists the objects that exist.
fn check_refs(refs: Vec<kueue::Ref>, defined: &[&str], kind: &str) -> Res<()> {
    for mut r in refs {
        if defined.contains(&r.name.as_str()) {
            continue;
        }
        let others = if defined.is_empty() {
            format!("; the scenario defines no {kind}")
        } else {
            format!(", or name one the scenario defines: {}", defined.join(", "))
        };
        r.err.fix.push_str(&others);
        return Err(r.err);
    }
    Ok(())
}

/// `metadata.name` (required, non-empty) with its field, and `metadata.namespace` if written.
fn object_name<'a>(obj: &Obj<'a>) -> Res<(String, F<'a>, Option<String>)> {
    let fix = "add metadata.name (generateName alone is not supported)";
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
