//! The scenario loader: YAML files (or folders of them) in, a validated [`Scenario`] out, or an
//! [`InputError`] that names the file, line, column, field and fix. It owns file handling, the
//! scenario's running totals and the cross-object checks made once every file is read (overrides
//! that found no object, policy names, Kueue references, CronJob fires). `document` adds one
//! document: dispatch on (apiVersion, kind), `kind: List` unpacking, unique names, one
//! Simulation, one default PriorityClass, NodePool expansion and the size limits. Per-kind
//! conversion lives in `k8s` (Kubernetes objects), `cronjob` (CronJobs), `jobset` (JobSets), `quota` (LimitRanges,
//! ResourceQuotas), `volcano` (Volcano Jobs, PodGroups, Queues), `kueue` (Kueue queues, flavors
//! and priority classes) and `kubesim` (kubesim.io objects); `unmodelled` knows the kinds and
//! fields loaded without being simulated; `exports` reads what a cluster export carries (recorded
//! run times, pods that a simulated controller creates); `overrides` applies sweep values first; `yaml` parses, `view` reads fields with
//! their paths.
//!
//! It never panics on input and never loops on it: every list it builds is bounded (file size,
//! the parser's budget, the node and arrival limits).

mod cronjob;
mod document;
mod exports;
mod generate_name;
mod jobset;
mod k8s;
mod kubeflow;
mod kubesim;
mod kueue;
mod kueue_config;
mod lws;
mod mpijob;
mod overrides;
mod quota;
mod ray;
mod serving;
mod trainer;
mod unmodelled;
mod view;
mod volcano;
mod warnings;
mod workload_api;
pub(crate) mod yaml;

/// Kueue's webhook's refusal of a RayJob or RayCluster it manages (the KubeRay controller's).
pub(crate) use ray::kueue_refusal as ray_kueue_refusal;
pub use warnings::{policy_warnings, warnings};

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::error::{InputError, quote};
use crate::input::spec::{Scenario, SourceLoc};
use crate::limits::MAX_PODS;
pub use kubesim::{MAX_ARRIVALS, MAX_LIST_ENTRIES, MAX_NODES};
pub use overrides::{Override, Seg};
use view::{Error, F, Res};

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
    // Which of `files` is standard input.
    let mut stdin_at = None;
    for p in paths {
        if p.as_os_str() == STDIN_PATH {
            if stdin_at.is_some() {
                return Err(Box::new(InputError::new(
                    "",
                    "`-` (standard input) is named twice",
                    "name `-` once: standard input can be read only once",
                )));
            }
            stdin_at = Some(files.len());
            files.push(PathBuf::from(STDIN_LABEL));
            continue;
        }
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
    for (i, f) in files.iter().enumerate() {
        if stdin_at == Some(i) {
            b.add_text(f, &stdin_text()?)?;
            continue;
        }
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
    // Without a Simulation, the scenario is named after its first file: `stdin` for `-`.
    let first = if stdin_at == Some(0) {
        Path::new("stdin")
    } else {
        files[0].as_path()
    };
    b.finish(first)
}

/// The scenario path that stands for standard input.
pub const STDIN_PATH: &str = "-";
/// How errors and source locations name standard input: `<stdin>:LINE:COL`.
pub const STDIN_LABEL: &str = "<stdin>";

/// Standard input's text, read once (at most [`yaml::MAX_FILE_BYTES`]) and kept: a sweep loads
/// the scenario again for every point.
fn stdin_text() -> Res<String> {
    static TEXT: std::sync::OnceLock<Result<String, String>> = std::sync::OnceLock::new();
    let read = || -> Result<String, String> {
        use std::io::Read;
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(yaml::MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        if bytes.len() as u64 > yaml::MAX_FILE_BYTES {
            return Err(format!(
                "standard input is longer than the limit of {} bytes (256 MiB)",
                yaml::MAX_FILE_BYTES
            ));
        }
        String::from_utf8(bytes).map_err(|_| "standard input is not UTF-8 text".to_string())
    };
    TEXT.get_or_init(read).clone().map_err(|why| {
        Box::new(InputError {
            file: Some(PathBuf::from(STDIN_LABEL)),
            ..InputError::new(
                "",
                why,
                "pipe one YAML stream into kubesim (e.g. kubectl get jobs,nodes -o yaml | kubesim validate -), \
                 or save it to a file and name the file",
            )
        })
    })
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

/// Accumulates documents from every file into one scenario, with the cross-object checks.
#[derive(Default)]
struct Builder {
    sc: Scenario,
    /// Names drawn for objects with `metadata.generateName` only.
    generated_names: generate_name::Names,
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
    /// The latest timestamp in the files read (ms since the epoch), and the workloads still
    /// running in them (index, recorded start), given a lower bound at the end.
    latest_ms: Option<i64>,
    running: Vec<(usize, k8s::Recorded)>,
    /// Pods whose controller is a Job or Volcano Job, and Jobs whose controller is a JobSet:
    /// (index, owner kind and name).
    owned: Vec<(usize, exports::Owner)>,
    /// Kubeflow Trainer runtimes by (namespace, empty for a ClusterTrainingRuntime; name), and
    /// the TrainJobs waiting for theirs (index of their placeholder workload).
    runtimes: BTreeMap<(String, String), trainer::Runtime>,
    train_jobs: Vec<(usize, trainer::TrainJob)>,
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
        for doc in &mut docs {
            self.generated_names.fill(doc);
            k8s::latest_time(doc, &mut self.latest_ms);
        }
        for doc in &docs {
            self.add_doc(file, F::new(doc, ""), false).map_err(attach)?;
        }
        Ok(())
    }

    /// Counts `pods` more pods created up front by the object named at `name_f`; an error
    /// once the scenario's total passes [`MAX_PODS`] (the run could not hold them).
    fn add_pods(&mut self, pods: u64, name_f: &F) -> Res<()> {
        self.pods_total = self.pods_total.saturating_add(pods);
        if self.pods_total > MAX_PODS as u64 {
            return Err(too_many_pods(self.pods_total, name_f));
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
        self.resolve_train_jobs()?;
        self.finish_recorded();
        self.drop_owned_pods();
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

impl Builder {
    /// Builds each TrainJob's JobSet from its runtime, the scenario's or Trainer's default
    /// copy, in file order.
    fn resolve_train_jobs(&mut self) -> Res<()> {
        for (i, tj) in std::mem::take(&mut self.train_jobs) {
            let key = tj.runtime_key();
            if !self.runtimes.contains_key(&key) {
                let built_in = if key.0.is_empty() {
                    trainer::built_in(&key.1)
                } else {
                    None
                };
                match built_in {
                    Some(rt) => {
                        self.sc.built_in_runtimes.push(crate::input::spec::BuiltInRuntime {
                            name: key.1.clone(),
                            source: rt.source(),
                            train_jobs: Vec::new(),
                            loc: self.sc.workloads[i].loc.clone(),
                        });
                        self.runtimes.insert(key.clone(), rt);
                    }
                    None => return Err(tj.missing()),
                }
            }
            let rt = &self.runtimes[&key];
            let r = trainer::resolve(&tj, rt)?;
            if rt.built_in
                && let Some(b) = self.sc.built_in_runtimes.iter_mut().find(|b| b.name == key.1)
            {
                b.train_jobs
                    .push(format!("{}/{}", r.workload.namespace, r.workload.name));
            }
            self.pods_total = self.pods_total.saturating_add(r.pods);
            if self.pods_total > MAX_PODS as u64 {
                return Err(tj.too_many_pods(self.pods_total));
            }
            self.sc.workloads[i] = r.workload;
            self.sc.pod_groups.extend(r.pod_group);
        }
        Ok(())
    }
}

/// The error for an object (named at `name_f`) that brings the scenario's pods to `total`,
/// beyond [`MAX_PODS`].
fn too_many_pods(total: u64, name_f: &F) -> Error {
    name_f.err(
        format!(
            "with this object the scenario creates {total} pods even if none fails, beyond the limit of \
             {MAX_PODS} pods a run creates"
        ),
        "use fewer copies or smaller workloads, or split the experiment into several scenarios",
    )
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
