//! Kubeflow Trainer v2 (`trainer.kubeflow.org/v1alpha1`): a `TrainJob` and the
//! `ClusterTrainingRuntime` or `TrainingRuntime` it names become the JobSet the Trainer
//! controller would create (docs/trainer.md), which the JobSet controller then runs
//! (`controllers::jobset`); its jobs.csv row is the TrainJob's (kind `TrainJob`).
//!
//! Sources (kubeflow/trainer @ `8c0f5059bd51ec3ba6d6a6a7b2e1471de7bc13b3`, Apache-2.0):
//! `pkg/apis/trainer/v1alpha1/trainjob_types.go` and `trainingruntime_types.go` (fields,
//! defaults `runtimeRef.kind: ClusterTrainingRuntime`, `runtimeRef.apiGroup:
//! trainer.kubeflow.org`, `coscheduling.scheduleTimeoutSeconds: 60`, the CEL rules on the
//! TrainJob name, `numNodes` minimum 0, `numProcPerNode >= 1`, `managedBy`, one ML policy
//! source at most); `pkg/runtime/core/trainingruntime.go` `newRuntimeInfo` (a pod set per
//! replicatedJob counting its Job's `parallelism`, 1 if unset, or `mlPolicy.numNodes` for the
//! trainer ancestor; `resourcesPerNode` merged key by key into the container named `node` by
//! `MergeResourceRequirements`, `pkg/util/trainingruntime/trainingruntime.go`);
//! `pkg/runtime/framework/plugins/torch/torch.go`, `plainml/plainml.go`, `jax/jax.go`,
//! `xgboost/xgboost.go` `EnforceMLPolicy` (the trainer pod set counts `trainer.numNodes`),
//! `mpi/mpi.go` `EnforceMLPolicy` (the pod set named `node` counts `numNodes`, or `numNodes - 1`
//! at least 1 with `runLauncherAsNode`); `jobset/jobset.go` `syncParallelCount` (every pod set's
//! count becomes its Job's `parallelism` and `completions`) and `Build`, `jobset/builder.go`
//! (`replicas: 1` for the initializer and trainer replicatedJobs, the JobSet named after the
//! TrainJob, its `suspend` the TrainJob's); `coscheduling/coscheduling.go` and
//! `volcano/volcano.go` `EnforcePodGroupPolicy` and `Build` (a PodGroup named after the
//! TrainJob with `minMember` the sum of the pod sets' counts; pods labelled
//! `scheduling.x-k8s.io/pod-group` or annotated `scheduling.k8s.io/group-name`; Volcano's queue
//! from the runtime template's `scheduling.volcano.sh/queue-name` annotation and its
//! priorityClassName from the first replicatedJob naming one).
//!
//! A TrainJob names a runtime that may come later in the files, so it is resolved once every
//! file is read. A ClusterTrainingRuntime the scenario does not define but Trainer installs by
//! default (`manifests/base/runtimes`, copied in `trainer_runtimes/`) is taken from that copy,
//! with a warning.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::jobset::jobset_spec;
use super::k8s::{HintScope, Hints, Meta, OBJECT_FIELDS, check_amounts, opt, read_hints, read_meta};
use super::view::{Error, F, Obj, Res, err_at};
use super::yaml::{self, Node};
use crate::error::quote;
use crate::input::resources::recompute_totals;
use crate::input::spec::{
    JobSetSpec, JobSetSuccess, PodGroupApi, PodGroupSpec, ResourceList, SourceLoc, WorkloadKind, WorkloadSpec,
};
use crate::limits::MAX_WORKLOAD_PODS;

/// The label naming a runtime replicatedJob's role (`LabelTrainJobAncestor`).
pub(crate) const ANCESTOR_LABEL: &str = "trainer.kubeflow.org/trainjob-ancestor-step";
/// `managedBy` of the TrainJobs Trainer's own controller reconciles.
const TRAINER_CONTROLLER: &str = "trainer.kubeflow.org/trainjob-controller";
const MULTIKUEUE: &str = "kueue.x-k8s.io/multikueue";
/// The container `resourcesPerNode` applies to (`constants.Node`).
const NODE: &str = "node";

const TRAINJOB_SPEC: &[&str] = &[
    "activeDeadlineSeconds",
    "initializer",
    "managedBy",
    "runtimePatches",
    "runtimeRef",
    "suspend",
    "trainer",
];
const TRAINER_FIELDS: &[&str] = &[
    "args",
    "command",
    "env",
    "image",
    "numNodes",
    "numProcPerNode",
    "resourcesPerNode",
];
const RUNTIME_SPEC: &[&str] = &["mlPolicy", "podGroupPolicy", "template"];
const ML_SOURCES: &[&str] = &["torch", "mpi", "jax", "xgboost", "flux"];

/// The default ClusterTrainingRuntimes of kubeflow/trainer `manifests/base/runtimes` (see
/// `trainer_runtimes/PROVENANCE.md`), by name.
const BUILT_IN: &[(&str, &str, &str)] = &[
    (
        "torch-distributed",
        "torch_distributed.yaml",
        include_str!("trainer_runtimes/torch_distributed.yaml"),
    ),
    (
        "deepspeed-distributed",
        "deepspeed_distributed.yaml",
        include_str!("trainer_runtimes/deepspeed_distributed.yaml"),
    ),
    (
        "mlx-distributed",
        "mlx_distributed.yaml",
        include_str!("trainer_runtimes/mlx_distributed.yaml"),
    ),
    (
        "jax-distributed",
        "jax_distributed.yaml",
        include_str!("trainer_runtimes/jax_distributed.yaml"),
    ),
    (
        "xgboost-distributed",
        "xgboost_distributed.yaml",
        include_str!("trainer_runtimes/xgboost_distributed.yaml"),
    ),
    (
        "torchtune-llama3.2-1b",
        "torchtune_llama3_2_1B.yaml",
        include_str!("trainer_runtimes/torchtune_llama3_2_1B.yaml"),
    ),
    (
        "torchtune-llama3.2-3b",
        "torchtune_llama3_2_3B.yaml",
        include_str!("trainer_runtimes/torchtune_llama3_2_3B.yaml"),
    ),
    (
        "torchtune-qwen2.5-1.5b",
        "torchtune_qwen2_5_1.5B.yaml",
        include_str!("trainer_runtimes/torchtune_qwen2_5_1.5B.yaml"),
    ),
];

/// A ClusterTrainingRuntime (cluster-wide, `namespace` empty) or TrainingRuntime as read: its
/// document, kept to build each TrainJob's JobSet from, and where it is.
pub(crate) struct Runtime {
    doc: Node,
    file: PathBuf,
    /// Whether it is a built-in copy (not in the scenario).
    pub built_in: bool,
}

/// The ML policy's part in the pod counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ml {
    /// No `mlPolicy`: counts are the template's parallelism.
    None,
    /// `mpi`: the `node` replicatedJob counts the nodes (one fewer with `runLauncherAsNode`).
    Mpi { launcher_as_node: bool },
    /// `torch`, `jax`, `xgboost`, `flux` or none of them: the trainer replicatedJob counts the
    /// nodes.
    Trainer,
}

/// The runtime's policies, read from its document.
struct Policies {
    num_nodes: u32,
    ml: Ml,
    group: Option<PodGroupApi>,
    timeout_s: u64,
}

/// A TrainJob read and checked, waiting for its runtime (resolved in [`resolve`]).
pub(crate) struct TrainJob {
    doc: Node,
    file: PathBuf,
    meta: Meta,
    hints: Hints,
    loc: SourceLoc,
    /// `runtimeRef`: cluster-wide (ClusterTrainingRuntime) or in the TrainJob's namespace.
    cluster: bool,
    runtime: String,
    num_nodes: Option<u32>,
    resources: Option<(ResourceList, ResourceList)>,
    suspend: bool,
    /// `runtimePatches[].trainingRuntimeSpec.template`, in order: laid over the runtime's
    /// `spec.template` by a strategic merge.
    patches: Vec<(usize, Node)>,
    /// `managedBy: kueue.x-k8s.io/multikueue`: Trainer's controller leaves it to MultiKueue.
    pub managed_elsewhere: bool,
    /// The error for a runtime the scenario does not define.
    missing: Error,
}

impl TrainJob {
    /// The runtime's key in the builder's table: (namespace, empty for a cluster runtime; name).
    pub fn runtime_key(&self) -> (String, String) {
        let ns = if self.cluster {
            String::new()
        } else {
            self.namespace().to_string()
        };
        (ns, self.runtime.clone())
    }

    /// The TrainJob's workload before its runtime is known: a JobSet of no Jobs.
    pub fn placeholder(&self) -> WorkloadSpec {
        WorkloadSpec {
            namespace: self.namespace().to_string(),
            name: self.meta.name.clone(),
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            kind: WorkloadKind::JobSet(JobSetSpec {
                replicated_jobs: Vec::new(),
                success: JobSetSuccess {
                    any: false,
                    targets: Vec::new(),
                },
                failure: None,
                in_order: false,
                suspend: false,
                ttl_seconds_after_finished: None,
                train_job: Some(self.runtime.clone()),
            }),
            submit_at_ms: 0,
            suspend_at_ms: None,
            resume_at_ms: None,
            loc: self.loc.clone(),
        }
    }

    /// The error for a TrainJob that brings the scenario's pods to `total`, too many.
    pub fn too_many_pods(&self, total: u64) -> Error {
        let f = F::new(&self.doc, "");
        let at = match f.obj() {
            Ok(o) => o.get("metadata").and_then(|m| m.obj().ok()?.get("name")).unwrap_or(f),
            Err(_) => f,
        };
        in_file(super::too_many_pods(total, &at), &self.file)
    }

    /// The error for a runtime that is not in the scenario and not one of Trainer's defaults.
    pub fn missing(&self) -> Error {
        in_file(self.missing.clone(), &self.file)
    }

    fn namespace(&self) -> &str {
        self.meta.namespace.as_deref().unwrap_or(super::k8s::DEFAULT_NAMESPACE)
    }
}

/// Reads a ClusterTrainingRuntime or TrainingRuntime (`doc`, in `file`) and checks that its
/// template builds a JobSet.
pub(crate) fn runtime(doc: &Obj, file: &Path) -> Res<Runtime> {
    doc.deny_unknown(OBJECT_FIELDS, "a training runtime")?;
    let meta = read_meta(doc, true)?;
    // Built for a TrainJob of the runtime's name, to find its errors here.
    template_jobset(doc, &meta.name, &Hints::default())?;
    Ok(Runtime {
        doc: root(doc),
        file: file.to_path_buf(),
        built_in: false,
    })
}

/// The whole document node of `doc`, kept for later.
fn root(doc: &Obj) -> Node {
    Node {
        pos: doc.pos,
        value: yaml::Value::Map(doc.entries.to_vec()),
    }
}

impl Runtime {
    /// Where it comes from: its file, or the upstream manifest of a built-in copy.
    pub fn source(&self) -> String {
        self.file.display().to_string()
    }
}

/// The built-in copy of ClusterTrainingRuntime `name`, if Trainer installs one by default.
pub(crate) fn built_in(name: &str) -> Option<Runtime> {
    let (_, file, text) = BUILT_IN.iter().find(|(n, _, _)| *n == name)?;
    let docs = yaml::parse_stream(text).expect("a built-in runtime parses");
    let doc = docs.into_iter().next().expect("a built-in runtime has a document");
    Some(Runtime {
        doc,
        file: PathBuf::from(format!("kubeflow/trainer@8c0f505 manifests/base/runtimes/{file}")),
        built_in: true,
    })
}

/// The JobSet spec a runtime's `spec.template` gives a TrainJob named `name`, with its
/// policies.
fn template_jobset(doc: &Obj, name: &str, hints: &Hints) -> Res<(JobSetSpec, Policies)> {
    let spec = doc
        .req("spec", "add a spec with mlPolicy and template: {spec: <a JobSet spec>}")?
        .obj()?;
    spec.deny_unknown(RUNTIME_SPEC, "a training runtime spec")?;
    let policies = policies(&spec)?;
    let template = spec
        .req(
            "template",
            "add template: {spec: {replicatedJobs: [...]}} (the JobSet to create)",
        )?
        .obj()?;
    template.deny_unknown(&["metadata", "spec"], "a JobSet template")?;
    let js = template.req("spec", "add the JobSet spec under template.spec")?.obj()?;
    Ok((jobset_spec(&js, name, hints)?, policies))
}

/// `mlPolicy` and `podGroupPolicy`.
fn policies(spec: &Obj) -> Res<Policies> {
    let mut p = Policies {
        num_nodes: 1,
        ml: Ml::None,
        group: None,
        timeout_s: 60,
    };
    if let Some(m) = spec.get("mlPolicy") {
        let m = m.obj()?;
        let mut allowed = vec!["numNodes"];
        allowed.extend_from_slice(ML_SOURCES);
        m.deny_unknown(&allowed, "an mlPolicy")?;
        p.num_nodes = opt(m.get("numNodes"), count)?.unwrap_or(1);
        let sources: Vec<&str> = ML_SOURCES.iter().copied().filter(|s| m.has(s)).collect();
        if sources.len() > 1 {
            return Err(err_at(
                m.pos,
                &format!("{}.{}", m.path, sources[1]),
                "Only one of the policy can be configured",
                format!("keep one of {}", sources.join(", ")),
            ));
        }
        p.ml = match sources.first() {
            Some(&"mpi") => {
                let launcher_as_node = match m.get("mpi") {
                    Some(f) => opt(f.obj()?.get("runLauncherAsNode"), |f| f.bool())?.unwrap_or(false),
                    None => false,
                };
                Ml::Mpi { launcher_as_node }
            }
            _ => Ml::Trainer,
        };
    }
    if let Some(g) = spec.get("podGroupPolicy") {
        let g = g.obj()?;
        g.deny_unknown(&["coscheduling", "volcano"], "a podGroupPolicy")?;
        match (g.get("coscheduling"), g.get("volcano")) {
            (Some(_), Some(v)) => {
                return Err(v.err(
                    "only one of coscheduling and volcano can be configured",
                    "keep one pod group policy",
                ));
            }
            (Some(c), None) => {
                p.group = Some(PodGroupApi::Coscheduling);
                let c = c.obj()?;
                c.deny_unknown(&["scheduleTimeoutSeconds"], "a coscheduling pod group policy")?;
                if let Some(t) = c.get("scheduleTimeoutSeconds") {
                    p.timeout_s = t.int_in(0, i128::from(i32::MAX))? as u64;
                }
            }
            (None, Some(v)) => {
                p.group = Some(PodGroupApi::Volcano);
                v.obj()?
                    .deny_unknown(&["networkTopology"], "a volcano pod group policy")?;
            }
            // An empty policy: no PodGroup.
            (None, None) => {}
        }
    }
    Ok(p)
}

/// A node count: 0 up to the pods a workload may have.
fn count(f: &F) -> Res<u32> {
    f.bounded(
        0,
        i128::from(MAX_WORKLOAD_PODS),
        "nodes per TrainJob",
        "use fewer nodes (kubesim's limit of pods per workload)",
    )
    .map(|v| v as u32)
}

/// Reads a TrainJob (`doc` in `file`, at `loc`): its own fields checked; the runtime is
/// looked up once every file is read.
pub(crate) fn train_job(doc: &Obj, name_f: &F, file: &Path, loc: &SourceLoc) -> Res<TrainJob> {
    doc.deny_unknown(OBJECT_FIELDS, "a TrainJob")?;
    let meta = read_meta(doc, true)?;
    // The CRD's CEL rules on the name.
    let dns1035 = meta.name.len() <= 63
        && meta.name.starts_with(|c: char| c.is_ascii_lowercase())
        && meta
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !meta.name.ends_with('-');
    if !dns1035 {
        let message = if meta.name.len() > 63 {
            "metadata.name must be no more than 63 characters"
        } else {
            "metadata.name must match RFC 1035 DNS label format"
        };
        return Err(name_f.err(
            message,
            "use at most 63 lowercase letters, digits and '-', starting with a letter and ending with a letter \
             or digit",
        ));
    }
    let hints = read_hints(doc, HintScope::JobSet)?;
    let spec = doc
        .req(
            "spec",
            "add a spec with runtimeRef: {name: torch-distributed} and trainer: {numNodes: N}",
        )?
        .obj()?;
    spec.deny_unknown(TRAINJOB_SPEC, "a TrainJob spec")?;
    let rref = spec
        .req("runtimeRef", "add runtimeRef: {name: <a ClusterTrainingRuntime>}")?
        .obj()?;
    rref.deny_unknown(&["apiGroup", "kind", "name"], "a runtimeRef")?;
    let name_field = rref.req("name", "name the ClusterTrainingRuntime or TrainingRuntime to run")?;
    let runtime = name_field.string()?;
    if runtime.is_empty() {
        return Err(name_field.err("should be at least 1 chars long", "name a runtime"));
    }
    if let Some(g) = rref.get("apiGroup")
        && g.str()? != "trainer.kubeflow.org"
    {
        return Err(g.err(
            format!("unsupported runtime apiGroup {}", quote(g.str()?)),
            "use apiGroup: trainer.kubeflow.org (or leave it out)",
        ));
    }
    let cluster = match rref.get("kind") {
        None => true,
        Some(k) => match k.str()? {
            "ClusterTrainingRuntime" => true,
            "TrainingRuntime" => false,
            other => {
                return Err(k.err(
                    format!("unsupported runtime kind {}", quote(other)),
                    "use kind: ClusterTrainingRuntime or TrainingRuntime",
                ));
            }
        },
    };
    let mut num_nodes = None;
    let mut resources = None;
    if let Some(t) = spec.get("trainer") {
        let t = t.obj()?;
        t.deny_unknown(TRAINER_FIELDS, "a TrainJob trainer")?;
        num_nodes = opt(t.get("numNodes"), count)?;
        if let Some(n) = t.get("numProcPerNode")
            && n.int_in(i128::from(i32::MIN), i128::from(i32::MAX))? < 1
        {
            return Err(n.err(
                "numProcPerNode must be greater than or equal to 1",
                "set numProcPerNode to 1 or more (or leave it out)",
            ));
        }
        if let Some(r) = t.get("resourcesPerNode") {
            let r = r.obj()?;
            r.deny_unknown(&["claims", "limits", "requests"], "resourcesPerNode")?;
            let limits = opt(r.get("limits"), |f| f.resource_list())?.unwrap_or_default();
            let requests = opt(r.get("requests"), |f| f.resource_list())?.unwrap_or_default();
            resources = Some((requests, limits));
        }
    }
    let suspend = opt(spec.get("suspend"), |f| f.bool())?.unwrap_or(false);
    let patches = match spec.get("runtimePatches") {
        Some(p) => runtime_patches(&p)?,
        None => Vec::new(),
    };
    let mut managed_elsewhere = false;
    if let Some(m) = spec.get("managedBy") {
        let v = m.str()?;
        managed_elsewhere = v == MULTIKUEUE;
        if v != TRAINER_CONTROLLER && v != MULTIKUEUE {
            return Err(m.err(
                "ManagedBy must be trainer.kubeflow.org/trainjob-controller or kueue.x-k8s.io/multikueue if set",
                format!("leave managedBy out (Trainer's own controller: {TRAINER_CONTROLLER})"),
            ));
        }
    }
    if let Some(a) = spec.get("activeDeadlineSeconds") {
        a.bounded(
            1,
            i128::from(i64::MAX),
            "activeDeadlineSeconds",
            "set at least 1 second",
        )?;
    }
    let kind = if cluster {
        "ClusterTrainingRuntime"
    } else {
        "TrainingRuntime"
    };
    let missing = name_field.err(
        format!(
            "{kind} {} not found: specified trainingRuntime must be created before the TrainJob is created",
            quote(&runtime)
        ),
        format!(
            "add the {kind} to the scenario (Trainer's defaults: {})",
            BUILT_IN.iter().map(|(n, _, _)| *n).collect::<Vec<_>>().join(", ")
        ),
    );
    Ok(TrainJob {
        doc: root(doc),
        file: file.to_path_buf(),
        meta,
        hints,
        loc: loc.clone(),
        cluster,
        runtime,
        num_nodes,
        resources,
        suspend,
        patches,
        managed_elsewhere,
        missing,
    })
}

/// The error `e` attached to `file`.
fn in_file(mut e: Error, file: &Path) -> Error {
    e.file = Some(file.to_path_buf());
    e
}

/// What a TrainJob becomes: its JobSet (as a workload named after it) and, with a pod group
/// policy, its PodGroup.
pub(crate) struct Resolved {
    pub workload: WorkloadSpec,
    pub pod_group: Option<PodGroupSpec>,
    /// Its pods when none fails.
    pub pods: u64,
}

/// Builds the JobSet of TrainJob `tj` from `runtime`, as the Trainer controller does.
pub(crate) fn resolve(tj: &TrainJob, runtime: &Runtime) -> Res<Resolved> {
    let rt_doc = F::new(&runtime.doc, "");
    let rt = rt_doc.obj().map_err(|e| in_file(e, &runtime.file))?;
    let (mut js, policies) = template_jobset(&rt, &tj.meta.name, &tj.hints).map_err(|e| in_file(e, &runtime.file))?;
    // The runtime builds as written: an error with the patches laid over it is the patches'.
    let patched;
    let rt = if tj.patches.is_empty() {
        rt
    } else {
        check_patches(&tj.patches, &js).map_err(|e| in_file(e, &tj.file))?;
        patched = patch_runtime(&runtime.doc, &tj.patches);
        let rt = F::new(&patched, "").obj().map_err(|e| in_file(e, &tj.file))?;
        js = template_jobset(&rt, &tj.meta.name, &tj.hints)
            .map_err(|e| in_file(e, &tj.file))?
            .0;
        rt
    };
    let tmpl_annotations: BTreeMap<String, String> = rt
        .get("spec")
        .and_then(|s| s.obj().ok()?.get("template"))
        .and_then(|t| t.obj().ok()?.get("metadata"))
        .and_then(|m| m.obj().ok()?.get("annotations"))
        .and_then(|a| a.string_map().ok())
        .unwrap_or_default();
    let mut total: u64 = 0;
    for r in &mut js.replicated_jobs {
        let ancestor = r.labels.get(ANCESTOR_LABEL).map(String::as_str);
        // newRuntimeInfo: the Job's parallelism, or the runtime's node count for the trainer.
        let mut count = r.job.parallelism.unwrap_or(1);
        if ancestor == Some("trainer") && policies.ml != Ml::None {
            count = policies.num_nodes;
        }
        // EnforceMLPolicy: the TrainJob's node count.
        if let Some(n) = tj.num_nodes {
            match policies.ml {
                Ml::Mpi { launcher_as_node } if r.name == NODE => {
                    count = if launcher_as_node {
                        n.saturating_sub(1).max(1)
                    } else {
                        n
                    };
                }
                Ml::Trainer if ancestor == Some("trainer") => count = n,
                // PlainML (no ML policy source) also sets the trainer's count.
                Ml::None if ancestor == Some("trainer") => count = n,
                _ => {}
            }
        }
        // syncParallelCount, and one replica for the initializers and the trainer.
        r.job.parallelism = Some(count);
        r.job.completions = Some(count);
        if matches!(ancestor, Some("trainer" | "dataset-initializer" | "model-initializer")) {
            r.replicas = 1;
        }
        let launcher_node = matches!(policies.ml, Ml::Mpi { launcher_as_node: true }) && r.name == NODE;
        if let Some((requests, limits)) = &tj.resources
            && (ancestor == Some("trainer") && policies.ml != Ml::None || launcher_node)
            && let Some(c) = r.job.template.containers.iter_mut().find(|c| c.name == NODE && !c.init)
        {
            merge_resources(&mut c.requests, &mut c.limits, requests, limits);
            recompute_totals(&mut r.job.template);
        }
        if let Some(api) = policies.group {
            let t = &mut r.job.template;
            t.pod_group = Some(tj.meta.name.clone());
            match api {
                PodGroupApi::Coscheduling => {
                    t.labels
                        .insert("scheduling.x-k8s.io/pod-group".to_string(), tj.meta.name.clone());
                }
                PodGroupApi::Volcano => {}
            }
        }
        total = total.saturating_add(u64::from(count).saturating_mul(u64::from(r.replicas)));
        r.job.suspend = tj.suspend;
    }
    if total > u64::from(MAX_WORKLOAD_PODS) {
        let f = F::new(&tj.doc, "");
        return Err(in_file(
            f.err(
                format!("the TrainJob creates {total} pods, beyond the limit of {MAX_WORKLOAD_PODS} pods per workload"),
                "use fewer nodes",
            ),
            &tj.file,
        ));
    }
    js.suspend = tj.suspend;
    js.train_job = Some(tj.runtime.clone());
    let kind = WorkloadKind::JobSet(js);
    let tj_f = F::new(&tj.doc, "");
    let tj_obj = tj_f.obj().map_err(|e| in_file(e, &tj.file))?;
    check_amounts(&tj_obj, &kind).map_err(|e| in_file(e, &tj.file))?;
    let namespace = tj.namespace().to_string();
    let pod_group = policies.group.map(|api| {
        let priority_class_name = match &kind {
            WorkloadKind::JobSet(s) => s
                .replicated_jobs
                .iter()
                .find_map(|r| r.job.template.priority_class_name.clone()),
            _ => None,
        };
        PodGroupSpec {
            api,
            namespace: namespace.clone(),
            name: tj.meta.name.clone(),
            min_member: total as u32,
            min_resources: None,
            queue: match api {
                PodGroupApi::Volcano => tmpl_annotations.get("scheduling.volcano.sh/queue-name").cloned(),
                PodGroupApi::Coscheduling => None,
            },
            priority_class_name: match api {
                PodGroupApi::Volcano => priority_class_name,
                PodGroupApi::Coscheduling => None,
            },
            schedule_timeout_s: match api {
                PodGroupApi::Coscheduling => Some(policies.timeout_s),
                PodGroupApi::Volcano => None,
            },
            loc: tj.loc.clone(),
        }
    });
    Ok(Resolved {
        workload: WorkloadSpec {
            namespace,
            name: tj.meta.name.clone(),
            labels: tj.meta.labels.clone(),
            annotations: tj.meta.annotations.clone(),
            kind,
            submit_at_ms: tj.hints.submit_at_ms.unwrap_or(0),
            suspend_at_ms: tj.hints.suspend_at_ms,
            resume_at_ms: tj.hints.resume_at_ms,
            loc: tj.loc.clone(),
        },
        pod_group,
        pods: total,
    })
}

/// `MergeResourceRequirements`: the TrainJob's `resourcesPerNode` laid over the container's,
/// key by key. A limit the TrainJob sets without a request replaces a request that only
/// defaulted from the runtime's limit (one equal to it), as the API server's defaulting of the
/// merged container would.
fn merge_resources(
    requests: &mut ResourceList,
    limits: &mut ResourceList,
    over_requests: &ResourceList,
    over_limits: &ResourceList,
) {
    for (k, v) in over_limits {
        let defaulted = requests.get(k).is_none_or(|r| limits.get(k) == Some(r));
        limits.insert(k.clone(), *v);
        if defaulted && !over_requests.contains_key(k) {
            requests.insert(k.clone(), *v);
        }
    }
    for (k, v) in over_requests {
        requests.insert(k.clone(), *v);
    }
}

/// The fields of each level of a runtime patch (trainer `RuntimePatch` and the `*Patch` types
/// below it), the typo guard.
const PATCH_FIELDS: &[&str] = &["manager", "time", "trainingRuntimeSpec"];
const POD_SPEC_PATCH: &[&str] = &[
    "affinity",
    "containers",
    "imagePullSecrets",
    "initContainers",
    "nodeSelector",
    "schedulingGates",
    "securityContext",
    "serviceAccountName",
    "terminationGracePeriodSeconds",
    "tolerations",
    "volumes",
];
const CONTAINER_PATCH: &[&str] = &["env", "name", "securityContext", "volumeMounts"];
/// `runtimePatches` MaxItems.
const MAX_PATCHES: usize = 16;

/// `runtimePatches` (`p`): each entry's shape checked, its `trainingRuntimeSpec.template` kept.
fn runtime_patches(p: &F) -> Res<Vec<(usize, Node)>> {
    let items = p.seq()?;
    if items.len() > MAX_PATCHES {
        return Err(p.err(
            format!("Too many: {}: must have at most {MAX_PATCHES} items", items.len()),
            "merge patches of one manager into one entry",
        ));
    }
    let mut managers: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let o = item.obj()?;
        o.deny_unknown(PATCH_FIELDS, "a runtime patch")?;
        let m = o.req(
            "manager",
            "name who owns the patch (e.g. manager: example.io/platform-team)",
        )?;
        let manager = m.string()?;
        if manager.is_empty() {
            return Err(m.err("should be at least 1 chars long", "name who owns the patch"));
        }
        if managers.contains(&manager) {
            return Err(m.err(
                format!("Duplicate value: {}", quote(&manager)),
                "use one entry per manager (runtimePatches is a map keyed by manager)",
            ));
        }
        managers.push(manager);
        let Some(trs) = o.get("trainingRuntimeSpec") else {
            continue;
        };
        let trs = trs.obj()?;
        trs.deny_unknown(&["template"], "a trainingRuntimeSpec patch")?;
        let Some(template) = trs.get("template") else {
            continue;
        };
        let t = template.obj()?;
        t.deny_unknown(&["metadata", "spec"], "a JobSet template patch")?;
        if let Some(spec) = t.get("spec") {
            let spec = spec.obj()?;
            spec.deny_unknown(&["replicatedJobs"], "a JobSet spec patch")?;
            for rj in spec
                .get("replicatedJobs")
                .map(|r| r.seq())
                .transpose()?
                .unwrap_or_default()
            {
                let rj = rj.obj()?;
                rj.deny_unknown(&["name", "template"], "a replicatedJob patch")?;
                rj.req("name", "name the runtime's replicatedJob to patch")?.string()?;
                let Some(jt) = rj.get("template") else { continue };
                let jt = jt.obj()?;
                jt.deny_unknown(&["metadata", "spec"], "a Job template patch")?;
                let Some(js) = jt.get("spec") else { continue };
                let js = js.obj()?;
                js.deny_unknown(&["template"], "a Job spec patch")?;
                let Some(pt) = js.get("template") else { continue };
                let pt = pt.obj()?;
                pt.deny_unknown(&["metadata", "spec"], "a pod template patch")?;
                let Some(ps) = pt.get("spec") else { continue };
                let ps = ps.obj()?;
                ps.deny_unknown(POD_SPEC_PATCH, "a pod spec patch")?;
                for key in ["containers", "initContainers"] {
                    for c in ps.get(key).map(|c| c.seq()).transpose()?.unwrap_or_default() {
                        let c = c.obj()?;
                        c.deny_unknown(CONTAINER_PATCH, "a container patch")?;
                        c.req("name", "name the runtime's container to patch")?.string()?;
                    }
                }
            }
        }
        out.push((i, template.node.clone()));
    }
    Ok(out)
}

/// The runtime document `doc` with each patch laid over its `spec.template`
/// (`mergeRuntimePatches`: a strategic merge patch against the JobSet spec's schema, the
/// replicatedJobs kept in the runtime's order).
fn patch_runtime(doc: &Node, patches: &[(usize, Node)]) -> Node {
    let mut doc = doc.clone();
    if let Some(template) = child_mut(&mut doc, "spec").and_then(|s| child_mut(s, "template")) {
        for (_, p) in patches {
            strategic_merge(template, p);
        }
    }
    doc
}

/// The webhook's checks of the patches against the runtime's template (`JobSet.Validate`):
/// each patched replicatedJob and container exists; no env for the `node` and initializer
/// containers.
fn check_patches(patches: &[(usize, Node)], js: &JobSetSpec) -> Res<()> {
    for (i, node) in patches {
        let t = F::new(node, format!("spec.runtimePatches[{i}].trainingRuntimeSpec.template"));
        let Some(spec) = t.obj()?.get("spec") else { continue };
        for rj in spec
            .obj()?
            .get("replicatedJobs")
            .map(|r| r.seq())
            .transpose()?
            .unwrap_or_default()
        {
            let rjo = rj.obj()?;
            let name = rjo.req("name", "")?.string()?;
            let Some(rjob) = js.replicated_jobs.iter().find(|r| r.name == name) else {
                return Err(rj.err(
                    "must not have replicated job that doesn't exist in the runtime job template",
                    format!(
                        "patch one of the runtime's replicatedJobs: {}",
                        js.replicated_jobs
                            .iter()
                            .map(|r| r.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            };
            let pod_spec = rjo
                .get("template")
                .and_then(|t| t.obj().ok()?.get("spec"))
                .and_then(|s| s.obj().ok()?.get("template"))
                .and_then(|t| t.obj().ok()?.get("spec"));
            let Some(ps) = pod_spec else { continue };
            let ps = ps.obj()?;
            for (key, what) in [("initContainers", "initContainer"), ("containers", "container")] {
                for c in ps.get(key).map(|c| c.seq()).transpose()?.unwrap_or_default() {
                    let co = c.obj()?;
                    let cname = co.req("name", "")?.string()?;
                    if !rjob.job.template.container_names.contains(&cname) {
                        return Err(c.err(
                            format!("must not have {what} that doesn't exist in the runtime job {name}"),
                            format!(
                                "patch one of its containers: {}",
                                rjob.job.template.container_names.join(", ")
                            ),
                        ));
                    }
                    if co.has("env") && matches!(cname.as_str(), "dataset-initializer" | "model-initializer" | NODE) {
                        return Err(c.err(
                            "must not have envs for the dataset-initializer, model-initializer, node containers",
                            "set the trainer's env in spec.trainer.env (and the initializers' in spec.initializer)",
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

/// The value of `key` in mapping `n`, if there is one.
fn child_mut<'a>(n: &'a mut Node, key: &str) -> Option<&'a mut Node> {
    match &mut n.value {
        yaml::Value::Map(entries) => entries.iter_mut().find(|e| e.key == key).map(|e| &mut e.value),
        _ => None,
    }
}

/// The merge key of the list held by field `field` in the JobSet and pod schemas (their
/// `patchMergeKey` tags); lists of other fields are replaced whole.
fn merge_key(field: &str) -> Option<&'static str> {
    Some(match field {
        "replicatedJobs" | "containers" | "initContainers" | "volumes" | "env" | "imagePullSecrets"
        | "schedulingGates" => "name",
        "volumeMounts" => "mountPath",
        "ports" => "containerPort",
        _ => return None,
    })
}

/// Kubernetes' strategic merge of `patch` into `base`: mappings merged key by key (a null
/// value deletes the key), lists with a merge key merged item by item (an item of a new key
/// appended), anything else replaced.
fn strategic_merge(base: &mut Node, patch: &Node) {
    use yaml::Value;
    let (Value::Map(b), Value::Map(p)) = (&mut base.value, &patch.value) else {
        *base = patch.clone();
        return;
    };
    for pe in p {
        let at = b.iter().position(|e| e.key == pe.key);
        match (&pe.value.value, at) {
            (Value::Null, Some(i)) => {
                b.remove(i);
            }
            (Value::Null, None) => {}
            (Value::Seq(items), Some(i)) if merge_key(&pe.key).is_some() => {
                let key = merge_key(&pe.key).expect("checked");
                let Value::Seq(base_items) = &mut b[i].value.value else {
                    b[i].value = pe.value.clone();
                    continue;
                };
                for item in items {
                    let k = map_get(item, key);
                    match base_items.iter_mut().find(|bi| k.is_some() && map_get(bi, key) == k) {
                        Some(bi) => strategic_merge(bi, item),
                        None => base_items.push(item.clone()),
                    }
                }
            }
            (Value::Map(_), Some(i)) => strategic_merge(&mut b[i].value, &pe.value),
            (_, Some(i)) => b[i].value = pe.value.clone(),
            (_, None) => b.push(pe.clone()),
        }
    }
}

/// The scalar value of `key` in mapping `n`.
fn map_get<'a>(n: &'a Node, key: &str) -> Option<&'a yaml::Value> {
    match &n.value {
        yaml::Value::Map(entries) => entries.iter().find(|e| e.key == key).map(|e| &e.value.value),
        _ => None,
    }
}
