//! The model of a run: pods, workloads, their prototypes and scheduling classes, queues and
//! gangs in id-indexed arenas (ids are creation order, never reused), the cluster and the
//! indexes over them. Only the write path (sim/write.rs) and the controllers that own a
//! field change it; a policy reads it and writes only through the World's write path.
//!
//! A workload carries its controller's own state boxed beside it (`job` for the Job
//! controller, `vc` for the Volcano job controller): only that controller writes it.

use std::collections::BTreeMap;

use crate::controllers::{job::JobState, volcano_job as volcano};
use crate::engine::SimTime;
use crate::input::spec::{FailureDist, PodTemplate, PreemptionPolicy, RestartPolicy, WorkloadKind, WorkloadSpec};
use crate::model::cluster::{self, Cluster, Constraints, NodeId, Res, ResourceNames};
use crate::model::{gang, pods};

pub type PodId = u32;
pub type WlId = u32;
pub type ClassId = u32;
pub type ProtoId = u32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Pending,
    Running,
    Succeeded,
    Failed,
}

#[derive(Clone, Debug)]
pub struct Pod {
    /// Its number among its workload's pods (`Workload::pods_created` when it was created):
    /// with the workload, what its name is made of (`Store::pod_name`).
    pub seq: u32,
    pub wl: WlId,
    /// Task of the workload (0 unless a Volcano job).
    pub task: u16,
    pub class: ClassId,
    /// Completion index (Indexed Jobs).
    pub index: Option<u32>,
    pub phase: Phase,
    pub node: Option<NodeId>,
    pub nominated: Option<NodeId>,
    pub created: SimTime,
    /// When the current container run started.
    pub run_started: Option<SimTime>,
    /// When the pod became terminal (or was deleted before binding).
    pub finished: Option<SimTime>,
    /// deletionTimestamp: when deletion was requested.
    pub deletion: Option<SimTime>,
    /// `DisruptionTarget` condition reason, if disrupted by the system.
    pub disruption: Option<&'static str>,
    pub exit_code: i32,
    /// Container restarts in place (kubelet).
    pub restarts: u32,
    /// Kubelet crash-loop backoff step.
    pub kubelet_backoff_n: u32,
    /// Run time of each container run; `None` runs until stopped.
    pub run_ms: Option<u64>,
    /// Exit code at the end of the next run.
    pub planned_exit: i32,
    /// Invalidates timers of an earlier run or state.
    pub epoch: u32,
    /// The Job controller has accounted this pod's end (its tracking finalizer is gone).
    pub counted: bool,
    /// The gang the pod belongs to.
    pub gang: Option<gang::GangId>,
    /// Doing work: running, and its gang (if any) formed. Its run time counts from
    /// `work_started`.
    pub working: bool,
    pub work_started: Option<SimTime>,
    /// Its container runs (false while the kubelet waits to restart it).
    pub container_up: bool,
    /// Reserved on `node` and waiting at Permit (coscheduling), not bound yet.
    pub waiting: bool,
    /// Assumed on `node` by the scheduler, its binding not sent yet (the scheduler's client
    /// is out of tokens).
    pub binding: bool,
    /// Evicted by a scheduler for another workload (preempt, reclaim, Kueue): its lost work
    /// counts against its queue.
    pub evicted_for_queue: bool,
}

impl Pod {
    pub fn is_terminal(&self) -> bool {
        self.finished.is_some()
    }
    /// Active in the Job controller's sense: not terminal, not being deleted.
    pub fn is_active(&self) -> bool {
        self.finished.is_none() && self.deletion.is_none()
    }
}

/// What every pod of one task of a workload shares: the scheduling class and the run hints.
/// A Job or a bare Pod has one task; a Volcano job one per `tasks` entry.
#[derive(Clone, Debug)]
pub struct TaskProto {
    pub name: String,
    pub class: ClassId,
    pub replicas: u32,
    pub min_available: u32,
    pub restart_policy: RestartPolicy,
    pub grace_ms: u64,
    pub terminate_after_ms: u64,
    pub gpus_per_pod_milli: i64,
    /// The template as admitted (LimitRange defaults applied), kept when a ResourceQuota
    /// constrains its namespace.
    pub admitted: Option<std::sync::Arc<PodTemplate>>,
}

/// What every copy of a workload shares (a plain workload, or every arrival of a stream).
#[derive(Clone, Debug)]
pub struct Proto {
    pub spec: std::sync::Arc<WorkloadSpec>,
    pub tasks: Vec<TaskProto>,
    /// Priority of the workload (its first task's pods).
    pub priority: i32,
    /// Rejected at admission (e.g. a missing PriorityClass): the reason.
    pub rejected: Option<String>,
    /// Arrivals stream name and failure draw, for per-arrival sampling.
    pub stream: Option<String>,
    pub failure: Option<FailureDist>,
    /// The Simulation `defaultDuration` rule's distribution that matches the workload, drawn
    /// once per workload for pods without a run time of their own.
    pub default_duration: Option<crate::input::spec::DurationDist>,
    /// Its queue (index into `World::queue_names`): a Volcano job's `spec.queue`, else the
    /// `scheduling.volcano.sh/queue-name` annotation, else `default`.
    pub queue: u32,
    /// Its namespace (index into `Store::namespace_names`).
    pub namespace: u32,
}

impl Proto {
    /// The pod template of task `t`.
    pub fn template(&self, t: usize) -> &PodTemplate {
        match &self.spec.kind {
            WorkloadKind::Job(j) => &j.template,
            WorkloadKind::Pod(t) => t,
            WorkloadKind::VolcanoJob(v) => &v.tasks[t].template,
            WorkloadKind::KueueWorkload(k) => &k.pod_sets[t].template,
            WorkloadKind::JobSet(s) => &s.replicated_jobs[t].job.template,
            WorkloadKind::Serving(s) => &s.template,
            WorkloadKind::Kubeflow(k) => &k.replicas[t].template,
            WorkloadKind::MpiJob(m) => &m.replica_specs().nth(t).expect("a replica spec").template,
            WorkloadKind::Ray(r) => &r.groups[t].template,
            WorkloadKind::Lws(l) if t == 0 => &l.leader,
            WorkloadKind::Lws(l) => &l.worker,
        }
    }
}

/// A pod scheduling equivalence class: pods with equal requests, priority and constraints
/// get equal answers from the scheduler in the same cluster state.
#[derive(Clone, Debug)]
pub struct Class {
    pub req: Res,
    pub priority: i32,
    pub preempt_never: bool,
    pub constraints: Constraints,
    pub node_name: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Workload {
    pub proto: ProtoId,
    pub name: String,
    /// Arrival index within its stream (for per-arrival random draws).
    pub arrival: u64,
    pub submit: SimTime,
    /// Run time drawn for this arrival (overrides the template's).
    pub duration_ms: Option<u64>,
    /// Run time drawn from the Simulation's `defaultDuration` (for pods whose template has none).
    pub default_ms: Option<u64>,
    pub start: Option<SimTime>,
    pub finish: Option<SimTime>,
    pub state: WlState,
    pub reason: String,
    /// Pods not yet fully accounted (active, terminating, or terminal but uncounted).
    pub pods: Vec<PodId>,
    pub running: u32,
    /// Pods that ended Succeeded (a Job no longer needs them running to count as started).
    pub succeeded_pods: u32,
    pub pods_started: u32,
    pub pods_created: u32,
    pub failed_pods: u32,
    pub restarts: u32,
    pub preemptions: u32,
    pub deleted: bool,
    pub job: Option<Box<JobState>>,
    pub vc: Option<Box<volcano::VcJobState>>,
    /// The workload's own gang (a Volcano job's PodGroup, or `kubesim.io/gang-size`).
    pub gang: Option<gang::GangId>,
    /// The CronJob that created it.
    pub owner: Option<u32>,
    /// The class its pods use instead of the template's (Kueue's flavor node labels).
    pub class_override: Option<ClassId>,
    /// Per task, the class Kueue's flavor gave a training job's or MPIJob's replica type
    /// (empty: none); wins over `class_override`.
    pub task_class_overrides: Vec<ClassId>,
}

/// A PodGroup object: min member, schedule timeout (s), and its gang once a member exists.
pub type PodGroupEntry = (u32, Option<u64>, Option<gang::GangId>);

/// A Volcano queue as the scheduler uses it.
#[derive(Clone, Debug)]
pub struct QueueInfo {
    pub name: String,
    pub weight: u32,
    pub guarantee: Res,
    pub capability: Res,
    /// Dimensions the capability limits (unset ones are unlimited).
    pub capability_set: [bool; cluster::MAX_RESOURCES],
    pub reclaimable: bool,
    pub open: bool,
    /// `spec.priority`: higher-priority queues go first (proportion's QueueOrder).
    pub priority: i32,
}

/// The model of the run: pods, workloads, nodes and the indexes over them.
pub struct Store {
    pub cluster: Cluster,
    pub resources: ResourceNames,
    pub classes: Vec<Class>,
    pub class_index: BTreeMap<(Res, i32, bool, Constraints, Option<String>), ClassId>,
    pub protos: Vec<Proto>,
    pub pods: pods::PodStore,
    /// In pages (`pods::Paged`), never released during a run: the end of the run consumes them
    /// page by page as it makes their jobs.csv rows.
    pub workloads: pods::Paged<Workload>,
    /// Priorities of bound, non-terminal pods (count per value): preemption has no victim
    /// anywhere when the lowest is not below the preemptor's.
    pub bound_priorities: BTreeMap<i32, u32>,
    /// Nodes by name, for `spec.nodeName`.
    pub node_by_name: BTreeMap<String, NodeId>,
    pub priority_classes: BTreeMap<String, (i32, PreemptionPolicy)>,
    pub global_default: Option<(i32, PreemptionPolicy)>,
    pub pdbs: Vec<crate::input::spec::PdbSpec>,
    /// Queues by index, and the resources their bound pods hold.
    pub queue_names: Vec<String>,
    pub queue_index: BTreeMap<String, u32>,
    pub queue_alloc: Vec<Res>,
    pub queue_specs: Vec<QueueInfo>,
    /// Namespaces of the workloads by index (a workload's `Proto::namespace`).
    pub namespace_names: Vec<String>,
    pub namespace_index: BTreeMap<String, u32>,
    pub gangs: Vec<gang::Gang>,
    pub partial_gangs: std::collections::BTreeSet<gang::GangId>,
    /// PodGroup objects by (namespace, name): min member, schedule timeout, and the gang once a
    /// member exists.
    pub pod_groups: BTreeMap<(String, String), PodGroupEntry>,
}

impl Store {
    /// A pod's name, formatted from its workload when asked (a pod keeps no string). A bare Pod
    /// keeps its own; a Job's pods are `<job>-<n>` (`<job>-<index>-<n>` when Indexed), n
    /// counting the Job's pods (Kubernetes appends a random suffix instead); a Volcano job's are
    /// `<job>-<task>-<index>`, as Volcano names them.
    pub fn pod_name(&self, pod: PodId) -> String {
        let p = &self.pods[pod as usize];
        let w = &self.workloads[p.wl as usize];
        let proto = &self.protos[w.proto as usize];
        let n = p.seq;
        match (&proto.spec.kind, p.index) {
            (WorkloadKind::Pod(_), _) => w.name.clone(),
            (WorkloadKind::Job(_), Some(i)) => format!("{}-{i}-{n}", w.name),
            (WorkloadKind::Job(_), None) => format!("{}-{n}", w.name),
            (WorkloadKind::VolcanoJob(_) | WorkloadKind::Kubeflow(_) | WorkloadKind::MpiJob(_), i) => {
                format!("{}-{}-{}", w.name, proto.tasks[p.task as usize].name, i.unwrap_or(0))
            }
            (WorkloadKind::KueueWorkload(_), _) => unreachable!("a bare Kueue Workload creates no pods"),
            (WorkloadKind::JobSet(_), _) => unreachable!("a JobSet's pods are its Jobs'"),
            (WorkloadKind::Serving(s), i) => serving_pod_name(s.kind, &proto.spec.namespace, &w.name, n, i),
            // KubeRay's `generateName`s (`<cluster>-head-`, `<cluster>-<group>-worker-`; the
            // submitter Job's pod `<rayjob>-`), n in place of the random suffix.
            (WorkloadKind::Ray(r), _) => {
                let t = p.task as usize;
                if t == 0 {
                    format!("{}-head-{n}", w.name)
                } else if r.has_submitter() && t == r.groups.len() - 1 {
                    format!("{}-{n}", w.name)
                } else {
                    format!("{}-{}-worker-{n}", w.name, r.groups[t].name)
                }
            }
            // A group's leader is `<lws>-<group>` (the leader StatefulSet's ordinal), its workers
            // `<lws>-<group>-<worker>` (the worker StatefulSet `<lws>-<group>`'s ordinals from 1).
            (WorkloadKind::Lws(l), i) => {
                let i = i.unwrap_or(n);
                match (i / l.size, i % l.size) {
                    (g, 0) => format!("{}-{g}", w.name),
                    (g, j) => format!("{}-{g}-{j}", w.name),
                }
            }
        }
    }
}

/// `utilrand`'s alphabet (apimachinery `pkg/util/rand`), of generated names' suffixes.
const NAME_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// The name of pod `n` of a Deployment, ReplicaSet or StatefulSet named `name`: a StatefulSet's
/// is `<name>-<ordinal>` (`index`); a ReplicaSet's `<name>-<5 characters>` (its pods'
/// `generateName`, the API server's `SimpleNameGenerator`); a Deployment's is its ReplicaSet's,
/// `<name>-<pod-template-hash>-<5 characters>`. The hash is `SafeEncodeString` of a 32-bit
/// decimal number, as `controller.ComputeHash` writes it, and the 5 characters drawn from a
/// stable hash of the ReplicaSet and `n` rather than at random (the same names under every
/// seed).
pub fn serving_pod_name(
    kind: crate::input::spec::ServingKind,
    namespace: &str,
    name: &str,
    n: u32,
    index: Option<u32>,
) -> String {
    use crate::input::spec::ServingKind;
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|b| NAME_ALPHABET[b as usize % NAME_ALPHABET.len()] as char)
            .collect()
    };
    let rs = match kind {
        ServingKind::StatefulSet => return format!("{name}-{}", index.unwrap_or(n)),
        ServingKind::ReplicaSet => name.to_string(),
        ServingKind::Deployment => {
            let hash = crate::engine::stable_hash(&format!("{namespace}/{name}")) as u32;
            format!("{name}-{}", encode(&hash.to_string()))
        }
    };
    let mut h = crate::engine::stable_hash(&format!("{namespace}/{rs}\u{0}{n}"));
    let mut suffix = String::with_capacity(5);
    for _ in 0..5 {
        suffix.push(NAME_ALPHABET[(h % NAME_ALPHABET.len() as u64) as usize] as char);
        h /= NAME_ALPHABET.len() as u64;
    }
    format!("{rs}-{suffix}")
}

/// The end state of a workload, as jobs.csv reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WlState {
    Complete,
    Failed,
    Running,
    Pending,
    Rejected,
}

impl WlState {
    pub fn as_str(self) -> &'static str {
        match self {
            WlState::Complete => "Complete",
            WlState::Failed => "Failed",
            WlState::Running => "Running",
            WlState::Pending => "Pending",
            WlState::Rejected => "Rejected",
        }
    }
}
