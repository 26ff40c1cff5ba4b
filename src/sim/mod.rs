//! The simulated cluster: pods, workloads and the controllers that move them, driven by the
//! engine. One `World` is one (scenario, policy, seed) run; it owns all its state, so runs
//! are independent and can go in parallel.
//!
//! Module map: `cluster` (nodes, resources, filters and scores), `scheduler` (kube-scheduler's
//! queue and scheduling cycle), `job` (the batch/v1 Job controller), this file (the kubelet's
//! share of the pod lifecycle, arrivals, and the event dispatch), `record` (observation).
//!
//! Zero-latency model (semantics.md section 8): API writes, watches, binding and container
//! start take no time; the only delays are the controllers' own constants (`Latencies`).
//! Simultaneous events run in class order: kubelet (pod exits) < node changes < API writes
//! (submissions) < controller syncs < timers < scheduler housekeeping < the scheduling cycle,
//! which therefore sees every change of its instant.

// The parts of a run, under the short names this file uses.
use crate::controllers::{cronjob, job, node_lifecycle as faults, quota, replay, volcano_job as volcano};
use crate::model::{cluster, gang, pods};
use crate::observe::record;
use crate::policy::Policy;
use crate::policy::{kube as scheduler, kueue, volcano as volcano_sched};

use std::collections::BTreeMap;

use rand::RngExt;
use rand_distr::{Distribution, Exp, LogNormal};

use crate::engine::{Engine, SimTime, Stop, rng_stream, stable_hash};
use crate::error::{InputError, quote};
use crate::input::spec::{
    ArrivalPattern, ArrivalTemplate, ArrivalsSpec, DurationDist, FailureDist, PodTemplate, PreemptionPolicy,
    RestartPolicy, Scenario, WorkloadKind, WorkloadSpec,
};
use cluster::{Cluster, Constraints, NodeId, Res, ResourceNames};
use job::JobState;
use record::{EventRow, EventSink, JobRow, RunResult, WlState};
use scheduler::Scheduler;

pub type PodId = u32;
pub type WlId = u32;
pub type ClassId = u32;
pub type ProtoId = u32;

/// Event classes: the order of simultaneous events (see the module doc).
pub(crate) mod class {
    pub const KUBELET: u8 = 0;
    pub const NODE: u8 = 1;
    pub const API: u8 = 2;
    pub const CONTROLLER: u8 = 3;
    pub const TIMER: u8 = 4;
    pub const CREATE: u8 = 5;
    pub const SCHED_HOUSEKEEPING: u8 = 7;
    pub const SCHED_CYCLE: u8 = 9;
    pub const DEADLOCK_CHECK: u8 = 10;
}

#[derive(Clone, Debug)]
pub enum Ev {
    /// The next workload of an arrivals stream (or a single workload) is created.
    Arrive {
        stream: u32,
    },
    /// A node joins.
    NodeJoin(NodeId),
    /// A pod's container exits at the end of its run.
    ContainerExit {
        pod: PodId,
        epoch: u32,
    },
    /// The kubelet restarts a container in place (restartPolicy OnFailure/Always).
    ContainerRestart {
        pod: PodId,
        epoch: u32,
    },
    /// A pod asked to stop has stopped (SIGTERM honoured, or SIGKILL at the grace period).
    PodTerminated {
        pod: PodId,
        epoch: u32,
    },
    /// A Job controller sync.
    JobSync {
        wl: WlId,
    },
    /// A user flips `spec.suspend`.
    SetSuspend {
        wl: WlId,
        suspend: bool,
    },
    /// ttlSecondsAfterFinished expired: the Job is deleted.
    JobTtl {
        wl: WlId,
    },
    SchedFlushUnschedulable,
    SchedFlushBackoff,
    SchedCycle,
    /// End-of-instant deadlock check.
    DeadlockCheck,
    /// A volcano-scheduler session.
    VolcanoSession,
    /// A Volcano job's controller retries a sync whose pod creates were refused.
    VcResync {
        wl: WlId,
    },
    /// A Kueue scheduling cycle.
    KueueCycle,
    /// A Kueue workload's requeue backoff ended.
    KueueRequeue,
    /// waitForPodsReady's timeout for one admission of a workload.
    KueuePodsReady {
        wl: WlId,
        epoch: u32,
    },
    /// The Job controller's pooled pod creations of this instant.
    CreatePods,
    /// A CronJob is created.
    CronCreate {
        cj: u32,
    },
    /// A user sets a CronJob's `spec.suspend`.
    CronSuspend {
        cj: u32,
        suspend: bool,
    },
    /// A CronJob controller sync requested for time `at`.
    CronSync {
        cj: u32,
        at: SimTime,
    },
    /// A node is lost (`for_ms`: back after this long).
    NodeFail {
        node: NodeId,
        for_ms: Option<u64>,
    },
    /// The node lifecycle controller notices a lost node.
    NodeDetect {
        node: NodeId,
    },
    /// The rate-limited NoExecute taint of a lost node.
    NodeNoExecute {
        node: NodeId,
    },
    /// A lost node comes back.
    NodeRecover {
        node: NodeId,
    },
    /// A scripted taint is added / removed.
    TaintAdd {
        idx: u32,
    },
    TaintRemove {
        idx: u32,
    },
    /// A pod's NoExecute toleration runs out.
    TaintEvict {
        pod: PodId,
        node: NodeId,
        generation: u64,
    },
    /// A coscheduling Permit wait expired.
    PermitTimeout {
        gang: gang::GangId,
        generation: u32,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Pending,
    Running,
    Succeeded,
    Failed,
}

#[derive(Clone, Debug)]
pub struct Pod {
    pub name: String,
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
    /// Its queue (index into `World::queue_names`): a Volcano job's `spec.queue`, else the
    /// `scheduling.volcano.sh/queue-name` annotation, else `default`.
    pub queue: u32,
}

impl Proto {
    /// The pod template of task `t`.
    pub fn template(&self, t: usize) -> &PodTemplate {
        match &self.spec.kind {
            WorkloadKind::Job(j) => &j.template,
            WorkloadKind::Pod(t) => t,
            WorkloadKind::VolcanoJob(v) => &v.tasks[t].template,
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
    pub start: Option<SimTime>,
    pub finish: Option<SimTime>,
    pub state: WlState,
    pub reason: String,
    /// Pods not yet fully accounted (active, terminating, or terminal but uncounted).
    pub pods: Vec<PodId>,
    pub running: u32,
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
}

/// One arrivals stream (an Arrivals object, or one plain workload as a stream of one).
#[derive(Clone, Debug)]
struct Stream {
    proto: Option<ProtoId>,
    node_template: Option<cluster::Node>,
    count: u64,
    next_idx: u64,
    pattern: ArrivalPattern,
    duration: Option<DurationDist>,
    rng: rand::rngs::Xoshiro256PlusPlus,
    duration_rng: rand::rngs::Xoshiro256PlusPlus,
    /// For a Trace: its jobs, the proto of each, and the workload each became.
    trace: Option<Box<TraceStream>>,
}

/// A Trace replayed as a stream: arrival `i` is trace job `i` (sorted by submit time).
#[derive(Clone, Debug)]
struct TraceStream {
    name: String,
    jobs: std::sync::Arc<Vec<crate::input::spec::ReplayJob>>,
    /// The proto of each shape.
    protos: Vec<ProtoId>,
    workloads: Vec<WlId>,
}

/// A PodGroup object: min member, schedule timeout (s), and its gang once a member exists.
type PodGroupEntry = (u32, Option<u64>, Option<gang::GangId>);

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

/// Settings of one run: constants, its seed and bounds.
pub struct RunConfig {
    pub lat: crate::input::spec::Latencies,
    pub seed: u64,
    pub policy_name: String,
    pub check_invariants: bool,
    pub horizon: Option<SimTime>,
    pub sim_loc: crate::input::spec::SourceLoc,
    pub max_events_line: Option<usize>,
    /// The wall clock at t = 0 (Simulation `startTime`), for cron schedules.
    pub start_time: chrono::DateTime<chrono::Utc>,
}

/// The model of the run: pods, workloads, nodes and the indexes over them.
pub struct Store {
    pub cluster: Cluster,
    pub resources: ResourceNames,
    pub classes: Vec<Class>,
    pub class_index: BTreeMap<(Res, i32, bool, Constraints, Option<String>), ClassId>,
    pub protos: Vec<Proto>,
    pub pods: pods::PodStore,
    pub workloads: Vec<Workload>,
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
    pub gangs: Vec<gang::Gang>,
    pub partial_gangs: std::collections::BTreeSet<gang::GangId>,
    /// PodGroup objects by (namespace, name): min member, schedule timeout, and the gang once a
    /// member exists.
    pub pod_groups: BTreeMap<(String, String), PodGroupEntry>,
}

/// The controllers' own state (arrivals, CronJobs, node lifecycle, quota, the Job and Volcano job controllers).
pub struct Controllers {
    streams: Vec<Stream>,
    /// CronJobs and their controller state.
    pub cron: Vec<cronjob::CronState>,
    /// Node failures and taints.
    pub faults: faults::Faults,
    /// ResourceQuota and LimitRange admission, when the scenario has some.
    pub admission: Option<Box<quota::Admission>>,
    /// Pod creations requested by Job syncs in this instant (see `job::request_pods`).
    pub create_requests: Vec<(WlId, std::collections::VecDeque<Option<u32>>)>,
    pub create_flush_scheduled: bool,
    /// Volcano jobs not finished yet.
    pub vc_live: std::collections::BTreeSet<WlId>,
}

/// The scheduling policy of the run and its state.
pub struct Scheduling {
    pub policy: Policy,
    pub kube: Scheduler,
    pub volcano: volcano_sched::VolcanoSched,
    /// Kueue's admission state (the `kueue` policy).
    pub kueue: Option<Box<kueue::KueueState>>,
}

impl Scheduling {
    /// A pod was created: the policy's per-pod state for it.
    pub fn pod_created(&mut self, pod: PodId, now: SimTime) {
        self.kube.pod_created(pod, now);
        self.volcano.pod_created(pod);
    }

    /// A pod left the run: its per-pod state goes with it.
    pub fn pod_released(&mut self, pod: PodId) {
        self.kube.pod_released(pod);
        self.volcano.pod_released(pod);
    }

    /// The pod waits in a scheduling queue (kube-scheduler's, or for a volcano session).
    pub fn queues(&self, pod: PodId) -> bool {
        self.kube.holds(pod) || self.volcano.waiting[pod as usize]
    }
}

/// One simulation run: the engine, the model, the controllers, the scheduling policy and the
/// recorder. Each part owns its state; the world routes events and changes between them.
pub struct World {
    pub engine: Engine<Ev>,
    pub cfg: RunConfig,
    pub store: Store,
    pub ctl: Controllers,
    pub sched: Scheduling,
    pub rec: record::Recorder,
}

pub use crate::limits::{MAX_POD_IDS, MAX_PODS};

impl World {
    pub fn new(sc: &Scenario, policy: Policy, seed: u64, events: &EventSink) -> Result<World, InputError> {
        let mut resources = ResourceNames::default();
        let cluster = Cluster::new(&sc.nodes, &mut resources)?;
        let scoring = policy.scoring;
        let mut priority_classes = BTreeMap::new();
        let mut global_default = None;
        for pc in &sc.priority_classes {
            priority_classes.insert(pc.name.clone(), (pc.value, pc.preemption_policy));
            if pc.global_default {
                global_default = Some((pc.value, pc.preemption_policy));
            }
        }
        let horizon = sc.sim.horizon_ms.map(SimTime);
        let mut w = World {
            engine: Engine::new(sc.sim.max_events, horizon),
            cfg: RunConfig {
                lat: sc.sim.latencies.clone(),
                seed,
                policy_name: policy.name().to_string(),
                check_invariants: cfg!(debug_assertions),
                horizon,
                sim_loc: sc.sim.loc.clone(),
                max_events_line: sc.sim.max_events_line,
                start_time: crate::input::cron::parse_start_time(&sc.sim.start_time).map_err(|m| {
                    InputError::new(
                        "spec.startTime",
                        format!("invalid startTime {}: {m}", quote(&sc.sim.start_time)),
                        "write an RFC 3339 time such as 2026-01-05T00:00:00Z",
                    )
                    .at(&sc.sim.loc.file, sc.sim.loc.line, None)
                })?,
            },
            store: Store {
                cluster: Cluster::default(),
                resources: ResourceNames::default(),
                classes: Vec::new(),
                class_index: BTreeMap::new(),
                protos: Vec::new(),
                pods: pods::PodStore::default(),
                workloads: Vec::new(),
                bound_priorities: BTreeMap::new(),
                node_by_name: BTreeMap::new(),
                priority_classes,
                global_default,
                pdbs: sc.pdbs.clone(),
                queue_names: Vec::new(),
                queue_index: BTreeMap::new(),
                queue_alloc: Vec::new(),
                queue_specs: Vec::new(),
                gangs: Vec::new(),
                partial_gangs: std::collections::BTreeSet::new(),
                pod_groups: sc
                    .pod_groups
                    .iter()
                    .map(|pg| {
                        (
                            (pg.namespace.clone(), pg.name.clone()),
                            (pg.min_member, pg.schedule_timeout_s, None),
                        )
                    })
                    .collect(),
            },
            ctl: Controllers {
                streams: Vec::new(),
                cron: Vec::new(),
                faults: faults::Faults::default(),
                admission: quota::Admission::new(sc),
                create_requests: Vec::new(),
                create_flush_scheduled: false,
                vc_live: std::collections::BTreeSet::new(),
            },
            sched: Scheduling {
                policy,
                kube: Scheduler::new(scoring, sc.nodes.len()),
                volcano: volcano_sched::VolcanoSched::default(),
                kueue: policy.kueue.then(|| Box::new(kueue::KueueState::new(sc))),
            },
            rec: record::Recorder::new(events, policy.name(), seed).map_err(|e| {
                InputError::new(
                    "--out",
                    format!("cannot write the events spool file: {e}"),
                    "choose a writable --out folder with free space",
                )
            })?,
        };
        for (i, n) in cluster.nodes.iter().enumerate() {
            w.store.node_by_name.insert(n.name.clone(), i as NodeId);
        }
        for (i, n) in sc.nodes.iter().enumerate() {
            w.engine
                .schedule(SimTime(n.add_at_ms), class::NODE, Ev::NodeJoin(i as NodeId));
        }
        // Workloads: each is a stream of one arrival; Arrivals objects are streams of many.
        for spec in &sc.workloads {
            let proto = w.add_proto(spec.clone(), &mut resources, None, None)?;
            w.add_stream(
                spec.name.clone(),
                Some(proto),
                None,
                1,
                SimTime(spec.submit_at_ms),
                ArrivalPattern::At {
                    times_ms: vec![spec.submit_at_ms],
                },
                None,
            );
        }
        for a in &sc.arrivals {
            w.add_arrivals(a, &mut resources)?;
        }
        for t in &sc.traces {
            w.add_trace(t, &mut resources)?;
        }
        for cj in &sc.cron_jobs {
            w.add_cron_job(cj, &mut resources)?;
        }
        w.add_faults(sc)?;
        for q in &sc.queues {
            let guarantee = resources.convert(&q.guarantee)?;
            let capability = resources.convert(&q.capability)?;
            let mut capability_set = [false; cluster::MAX_RESOURCES];
            for name in q.capability.keys() {
                capability_set[resources.intern(name)?] = true;
            }
            w.store.queue_specs.push(QueueInfo {
                name: q.name.clone(),
                weight: q.weight,
                guarantee,
                capability,
                capability_set,
                reclaimable: q.reclaimable,
                open: q.state == crate::input::spec::QueueState::Open,
                priority: q.priority,
            });
        }
        // A ClusterQueue deserves its nominal GPU quota (queues.csv `deserved_gpus`).
        let cqs: Vec<(String, i64)> = w.sched.kueue.as_deref().map_or(Vec::new(), |k| {
            (0..k.cq_count())
                .map(|cq| (k.cq_name(cq).to_string(), k.nominal_gpu(cq)))
                .collect()
        });
        for (name, gpu) in cqs {
            let q = w.queue_id(&name) as usize;
            w.rec.queue_deserved.set(q, SimTime::ZERO, gpu);
        }
        w.store.cluster = cluster;
        w.store.resources = resources;
        if w.store.cluster.nodes.len() + sc.workloads.len() > 10_000 {
            w.cfg.check_invariants = false;
        }
        Ok(w)
    }

    pub(crate) fn add_arrivals(&mut self, a: &ArrivalsSpec, resources: &mut ResourceNames) -> Result<(), InputError> {
        let start = SimTime(a.start_ms);
        let first = match &a.pattern {
            ArrivalPattern::At { times_ms } => times_ms.iter().min().map(|t| SimTime(*t)).unwrap_or(start),
            _ => start,
        };
        match &a.template {
            ArrivalTemplate::Workload(spec) => {
                let proto = self.add_proto((**spec).clone(), resources, Some(a.name.clone()), a.failure.clone())?;
                self.add_stream(
                    a.name.clone(),
                    Some(proto),
                    None,
                    a.count,
                    first,
                    a.pattern.clone(),
                    a.duration.clone(),
                );
            }
            ArrivalTemplate::Node(spec) => {
                let tmp = Cluster::new(std::slice::from_ref(&**spec), resources)?;
                let node = tmp.nodes.into_iter().next().expect("one node");
                self.add_stream(
                    a.name.clone(),
                    None,
                    Some(node),
                    a.count,
                    first,
                    a.pattern.clone(),
                    None,
                );
            }
        }
        Ok(())
    }

    /// A Trace: one proto per job shape (namespace, queue, priority class, pods, requests,
    /// gang, exit code), one arrival per job at its submit time.
    pub(crate) fn add_trace(
        &mut self,
        t: &crate::input::spec::TraceSpec,
        resources: &mut ResourceNames,
    ) -> Result<(), InputError> {
        let mut protos = Vec::with_capacity(t.shapes.len());
        for shape in &t.shapes {
            // A priority class the scenario does not define is ignored (traces name classes
            // of their own clusters).
            let pc = if self.store.priority_classes.contains_key(&shape.priority_class) {
                shape.priority_class.as_str()
            } else {
                ""
            };
            let mut spec = replay::job_spec(&t.template, shape, pc);
            // Under kueue, a trace queue that names a LocalQueue of the job's namespace is its
            // LocalQueue (the Trace template's own label wins).
            if let Some(k) = self.sched.kueue.as_deref()
                && !shape.queue.is_empty()
                && k.cluster_queue(&shape.namespace, &shape.queue).is_some()
            {
                spec.labels
                    .entry(kueue::QUEUE_LABEL.to_string())
                    .or_insert_with(|| shape.queue.clone());
            }
            protos.push(self.add_proto(spec, resources, Some(t.name.clone()), None)?);
        }
        // Room for every workload and pod up front: growing vectors of a million entries by
        // doubling would hold the old and the new buffer at once (peak memory).
        let pods: u64 = t.jobs.iter().map(|j| u64::from(t.shapes[j.shape as usize].pods)).sum();
        self.store.workloads.reserve(t.jobs.len());
        self.store
            .pods
            .reserve(usize::try_from(pods).unwrap_or(0).min(50_000_000));
        let times: Vec<u64> = t.jobs.iter().map(|j| j.submit_ms).collect();
        let first = SimTime(times.first().copied().unwrap_or(0));
        let count = times.len() as u64;
        let id = self.ctl.streams.len();
        self.add_stream(
            t.name.clone(),
            protos.first().copied(),
            None,
            count,
            first,
            ArrivalPattern::At { times_ms: times },
            None,
        );
        self.ctl.streams[id].trace = Some(Box::new(TraceStream {
            name: t.name.clone(),
            jobs: t.jobs.clone(),
            protos,
            workloads: Vec::with_capacity(count as usize),
        }));
        Ok(())
    }

    /// The index of a queue, interned on first use.
    pub(crate) fn queue_id(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.store.queue_index.get(name) {
            return i;
        }
        let i = self.store.queue_names.len() as u32;
        self.store.queue_names.push(name.to_string());
        self.store.queue_index.insert(name.to_string(), i);
        self.store.queue_alloc.push(Res::default());
        self.rec.queue_evictions.push([0; 2]);
        self.rec.queue_lost.push(0);
        i
    }

    /// Per-queue results: queues that workloads use (in order of first use), their weight (a
    /// Queue object's, else 1) and share of the weights, and the GPUs they held.
    pub(crate) fn queue_rows(&mut self, end: SimTime) -> Vec<record::QueueRow> {
        self.rec.queue_time.finish(end);
        self.rec.queue_deserved.finish(end);
        let weight = |name: &str| {
            self.store
                .queue_specs
                .iter()
                .find(|q| q.name == name)
                .map_or(1, |q| q.weight.max(1))
        };
        let mut used = vec![false; self.store.queue_names.len()];
        for w in &self.store.workloads {
            used[self.store.protos[w.proto as usize].queue as usize] = true;
        }
        let total_weight: u64 = (0..self.store.queue_names.len())
            .filter(|&q| used[q])
            .map(|q| u64::from(weight(&self.store.queue_names[q])))
            .sum();
        (0..self.store.queue_names.len())
            .filter(|&q| used[q])
            .map(|q| {
                let w = weight(&self.store.queue_names[q]);
                record::QueueRow {
                    name: self.store.queue_names[q].clone(),
                    weight: w,
                    weight_share: f64::from(w) / total_weight.max(1) as f64,
                    gpu_milli_ms: self.rec.queue_time.integral.get(q).copied().unwrap_or(0),
                    series: self.rec.queue_time.series.get(q).cloned().unwrap_or_default(),
                    preempted: self.rec.queue_evictions[q][0],
                    reclaimed: self.rec.queue_evictions[q][1],
                    lost_gpu_milli_ms: self.rec.queue_lost[q],
                    deserved_gpu_milli: (!self.rec.queue_deserved.is_empty()).then(|| {
                        self.rec.queue_deserved.integral.get(q).copied().unwrap_or(0) as f64 / end.ms().max(1) as f64
                    }),
                }
            })
            .collect()
    }

    /// A scheduler evicts `pod` for another workload: counted against its workload (jobs.csv
    /// `preemptions`) and the run; its lost work counts against its queue; `queue_kind` (0
    /// preempt, 1 reclaim) also counts it in its queue's evictions.
    pub(crate) fn count_eviction(&mut self, pod: PodId, queue_kind: Option<usize>) {
        self.rec.preemptions += 1;
        let wl = self.store.pods[pod as usize].wl;
        self.store.workloads[wl as usize].preemptions += 1;
        self.store.pods[pod as usize].evicted_for_queue = true;
        if let Some(k) = queue_kind {
            let q = self.pod_queue(pod) as usize;
            self.rec.queue_evictions[q][k] += 1;
        }
    }

    /// The Queue object of queue `q`, if one defines it.
    pub fn queue_spec(&self, q: u32) -> Option<&QueueInfo> {
        let name = &self.store.queue_names[q as usize];
        self.store.queue_specs.iter().find(|s| &s.name == name)
    }

    /// The queue a pod's workload belongs to.
    pub fn pod_queue(&self, pod: PodId) -> u32 {
        self.store.protos[self.store.workloads[self.store.pods[pod as usize].wl as usize].proto as usize].queue
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add_stream(
        &mut self,
        name: String,
        proto: Option<ProtoId>,
        node_template: Option<cluster::Node>,
        count: u64,
        first: SimTime,
        mut pattern: ArrivalPattern,
        duration: Option<DurationDist>,
    ) {
        if let ArrivalPattern::At { times_ms } = &mut pattern {
            times_ms.sort_unstable();
        }
        let id = self.ctl.streams.len() as u32;
        let h = stable_hash(&name);
        self.ctl.streams.push(Stream {
            rng: rng_stream(self.cfg.seed, h ^ stable_hash("arrivals")),
            duration_rng: rng_stream(self.cfg.seed, h ^ stable_hash("duration")),
            proto,
            node_template,
            count,
            next_idx: 0,
            pattern,
            duration,
            trace: None,
        });
        if count > 0 {
            let cls = if self.ctl.streams[id as usize].node_template.is_some() {
                class::NODE
            } else {
                class::API
            };
            self.engine.schedule(first, cls, Ev::Arrive { stream: id });
        }
    }

    /// Resolve a workload's priorities, classes and run hints once for all its pods and copies.
    pub(crate) fn add_proto(
        &mut self,
        spec: WorkloadSpec,
        resources: &mut ResourceNames,
        stream: Option<String>,
        failure: Option<FailureDist>,
    ) -> Result<ProtoId, InputError> {
        let shapes: Vec<(String, u32, u32, &PodTemplate)> = match &spec.kind {
            WorkloadKind::Job(j) => vec![(String::new(), 1, 1, &j.template)],
            WorkloadKind::Pod(t) => vec![(String::new(), 1, 1, t)],
            WorkloadKind::VolcanoJob(v) => v
                .tasks
                .iter()
                .map(|t| {
                    (
                        t.name.clone(),
                        t.replicas,
                        t.min_available.unwrap_or(t.replicas),
                        &t.template,
                    )
                })
                .collect(),
        };
        let job_class_name = match &spec.kind {
            WorkloadKind::VolcanoJob(v) => v.priority_class_name.clone(),
            _ => None,
        };
        let mut rejected = None;
        let mut tasks = Vec::new();
        let mut priority0 = None;
        for (name, replicas, min_available, t) in shapes {
            // LimitRange admission (its defaults, or the API server's refusal).
            let limited = match self.ctl.admission.as_deref() {
                Some(adm) => match adm.limit(&spec.namespace, &spec.name, t) {
                    Ok(l) => l,
                    Err(message) => {
                        rejected = Some(message);
                        None
                    }
                },
                None => None,
            };
            let t = limited.as_ref().unwrap_or(t);
            let admitted = self
                .ctl
                .admission
                .as_deref()
                .is_some_and(|a| a.has_quota(&spec.namespace))
                .then(|| std::sync::Arc::new(t.clone()));
            let mut req = resources
                .convert(&t.requests)
                .map_err(|e| e.at(&spec.loc.file, spec.loc.line, None))?;
            req.0[cluster::PODS] += 1000;
            // Priority admission: the class named (a Volcano job's class when its template
            // names none), else the global default, else 0 (SCH-P1).
            let class_name = t.priority_class_name.clone().or_else(|| job_class_name.clone());
            let (priority, policy) = match &class_name {
                Some(name) => match self.store.priority_classes.get(name) {
                    Some(v) => *v,
                    None => {
                        rejected = Some(format!("no PriorityClass with name {name} was found"));
                        (0, PreemptionPolicy::PreemptLowerPriority)
                    }
                },
                None => self
                    .store
                    .global_default
                    .unwrap_or((t.priority.unwrap_or(0), PreemptionPolicy::PreemptLowerPriority)),
            };
            priority0.get_or_insert(priority);
            let preempt_never = t.preemption_policy.unwrap_or(policy) == PreemptionPolicy::Never;
            let constraints = Constraints {
                node_selector: t.node_selector.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                affinity_terms: t.affinity_terms.clone(),
                tolerations: t.tolerations.clone(),
            };
            let class = self.intern_class(req, priority, preempt_never, constraints, t.node_name.clone());
            tasks.push(TaskProto {
                name,
                class,
                replicas,
                min_available,
                restart_policy: t.restart_policy,
                grace_ms: t.termination_grace_ms,
                terminate_after_ms: t.hints.terminate_after_ms.min(t.termination_grace_ms),
                gpus_per_pod_milli: req.gpu_milli(),
                admitted,
            });
        }
        // Under kueue a managed Job's queue is its ClusterQueue.
        let cluster_queue = self.sched.kueue.as_deref().and_then(|k| {
            let lq = spec.labels.get(kueue::QUEUE_LABEL)?;
            let cq = k.cluster_queue(&spec.namespace, lq)?;
            matches!(spec.kind, WorkloadKind::Job(_)).then(|| k.cq_name(cq).to_string())
        });
        let queue_name = match &spec.kind {
            _ if cluster_queue.is_some() => cluster_queue,
            WorkloadKind::VolcanoJob(v) => v.queue.clone(),
            _ => spec.annotations.get(replay::QUEUE_ANNOTATION).cloned(),
        }
        .unwrap_or_else(|| "default".to_string());
        let queue = self.queue_id(&queue_name);
        let proto = Proto {
            tasks,
            priority: priority0.unwrap_or(0),
            rejected,
            stream,
            failure,
            queue,
            spec: std::sync::Arc::new(spec),
        };
        self.store.protos.push(proto);
        Ok(self.store.protos.len() as ProtoId - 1)
    }

    pub(crate) fn intern_class(
        &mut self,
        req: Res,
        priority: i32,
        preempt_never: bool,
        constraints: Constraints,
        node_name: Option<String>,
    ) -> ClassId {
        let key = (req, priority, preempt_never, constraints, node_name);
        if let Some(c) = self.store.class_index.get(&key) {
            return *c;
        }
        let id = self.store.classes.len() as ClassId;
        self.store.classes.push(Class {
            req: key.0,
            priority,
            preempt_never,
            constraints: key.3.clone(),
            node_name: key.4.clone(),
        });
        self.store.class_index.insert(key, id);
        self.sched.kube.class_added(id);
        id
    }

    pub fn now(&self) -> SimTime {
        self.engine.now()
    }

    pub fn event(&mut self, object: impl FnOnce() -> String, event: &'static str, detail: impl FnOnce() -> String) {
        if self.rec.record_events {
            let row = EventRow {
                time: self.now(),
                object: object(),
                event,
                detail: detail(),
            };
            self.rec.events.push(row);
        }
    }

    /// An event of a pod whose detail is a node name (built only when events are recorded).
    pub fn pod_node_event(&mut self, pod: PodId, event: &'static str, node: NodeId) {
        if self.rec.record_events {
            let (obj, name) = (
                self.pod_object(pod),
                self.store.cluster.nodes[node as usize].name.clone(),
            );
            self.event(|| obj, event, || name);
        }
    }

    /// `namespace/name` of a workload for events; empty (no allocation) when events are off.
    pub fn wl_object(&self, wl: WlId) -> String {
        if !self.rec.record_events {
            return String::new();
        }
        let w = &self.store.workloads[wl as usize];
        format!("{}/{}", self.store.protos[w.proto as usize].spec.namespace, w.name)
    }

    /// `namespace/name` of a pod for events; empty (no allocation) when events are off.
    pub fn pod_object(&self, pod: PodId) -> String {
        if !self.rec.record_events {
            return String::new();
        }
        let p = &self.store.pods[pod as usize];
        let w = &self.store.workloads[p.wl as usize];
        format!("{}/{}", self.store.protos[w.proto as usize].spec.namespace, p.name)
    }

    /// A pod's label: its template's labels, plus `job-name` and `batch.kubernetes.io/job-name`
    /// that the Job controller adds to its pods.
    pub fn pod_label(&self, pod: PodId, key: &str) -> Option<&str> {
        let w = &self.store.workloads[self.store.pods[pod as usize].wl as usize];
        let proto = &self.store.protos[w.proto as usize];
        if let Some(v) = proto
            .template(self.store.pods[pod as usize].task as usize)
            .labels
            .get(key)
        {
            return Some(v);
        }
        let is_job = matches!(proto.spec.kind, WorkloadKind::Job(_));
        (is_job && (key == "job-name" || key == "batch.kubernetes.io/job-name")).then_some(w.name.as_str())
    }

    /// Does a label selector select this pod? An empty selector selects nothing (as the
    /// preemption code reads a PDB's).
    pub fn selects(&self, sel: &crate::input::spec::LabelSelector, pod: PodId) -> bool {
        if sel.match_labels.is_empty() && sel.match_expressions.is_empty() {
            return false;
        }
        sel.match_labels
            .iter()
            .all(|(k, v)| self.pod_label(pod, k) == Some(v.as_str()))
            && sel
                .match_expressions
                .iter()
                .all(|r| cluster::requirement_matches(r, self.pod_label(pod, r.key.as_str())))
    }

    /// Run to the end and report.
    pub fn run(mut self) -> Result<RunResult, InputError> {
        let stop = loop {
            match self.engine.pop() {
                Ok((_, ev)) => {
                    self.dispatch(ev);
                    // Every event while the run is small; every 64th beyond 2,000 pods, as the
                    // check scans every pod.
                    if self.cfg.check_invariants
                        && (self.store.pods.live() < 2_000 || self.engine.processed().is_multiple_of(64))
                    {
                        self.check();
                    }
                }
                Err(stop) => break stop,
            }
            // Retries and CronJobs create pods the load-time bound could not count. Released pods
            // take no memory, but their ids are never reused.
            if self.store.pods.live() >= MAX_PODS || self.store.pods.len() >= MAX_POD_IDS {
                return Err(self.run_error(
                    "",
                    format!(
                        "has {} pods at once and created {} by t={} s; the limits are {MAX_PODS} at once and {MAX_POD_IDS} in all",
                        self.store.pods.live(),
                        self.store.pods.len(),
                        self.now()
                    ),
                    "set a spec.horizon, lower backoffLimits and CronJob frequencies, or make the scenario smaller",
                    None,
                ));
            }
        };
        match stop {
            Stop::EventLimit => {
                let (cause, fix) = self.runaway();
                return Err(self.run_error(
                    "spec.maxEvents",
                    format!(
                        "reached the event bound of {} events at t={} s before it ended: {cause}",
                        self.engine.processed(),
                        self.now()
                    ),
                    &fix,
                    self.cfg.max_events_line,
                ));
            }
            Stop::TimeLimit => {
                return Err(self.run_error(
                    "spec.horizon",
                    format!(
                        "still has work at t={} s, past {}, the latest time a run simulates",
                        self.now(),
                        crate::limits::describe_limit(crate::limits::MAX_SIM_TIME_MS)
                    ),
                    "set a spec.horizon (a pod with restartPolicy Always, the default for a bare Pod, restarts \
                     forever), or shorten the durations",
                    None,
                ));
            }
            Stop::Drained | Stop::Horizon => {}
        }
        // With a horizon the run lasts exactly that long; without, until its last event.
        let end = self.cfg.horizon.unwrap_or(self.now());
        self.engine.advance_to(end);
        self.deadlock_finish(end);
        self.rec.gpu.advance(end);
        self.finish(end)
    }

    /// Why a run reached the event bound, and the fix: the workload that made the most pods or
    /// restarts, if one stands out (a pod restarting forever, a Job replacing failed pods), else
    /// the scenario's size.
    pub(crate) fn runaway(&self) -> (String, String) {
        let busiest = self
            .store
            .workloads
            .iter()
            .enumerate()
            .max_by_key(|(i, w)| (u64::from(w.restarts) + u64::from(w.pods_created), std::cmp::Reverse(*i)));
        let horizon_fix = if self.cfg.horizon.is_none() {
            "give the Simulation a spec.horizon (e.g. horizon: 7d) so the run stops there, "
        } else {
            ""
        };
        if let Some((_, w)) = busiest {
            let proto = &self.store.protos[w.proto as usize];
            let obj = format!("{}/{}", proto.spec.namespace, w.name);
            let churn = u64::from(w.restarts) + u64::from(w.pods_created);
            // One workload churned for a good share of the events (each restart or pod is several): it is the cause.
            if churn.saturating_mul(100) >= self.engine.processed() {
                let policy = proto.tasks.first().map(|t| t.restart_policy);
                if w.restarts >= w.pods_created {
                    let why = match policy {
                        Some(RestartPolicy::Always) => {
                            "restartPolicy Always (the default for a bare Pod) restarts a container that exits, forever"
                        }
                        _ => "restartPolicy OnFailure restarts a failing container until it succeeds",
                    };
                    return (
                        format!("{obj} restarted its containers {} times: {why}", w.restarts),
                        format!(
                            "{horizon_fix}or give the pod restartPolicy: Never (or OnFailure for a run that ends), \
                             or raise Simulation spec.maxEvents"
                        ),
                    );
                }
                return (
                    format!(
                        "{obj} created {} pods: its pods keep failing and are replaced",
                        w.pods_created
                    ),
                    format!(
                        "{horizon_fix}or lower its backoffLimit or kubesim.io/failures, or raise Simulation spec.maxEvents"
                    ),
                );
            }
        }
        (
            format!(
                "no workload restarts or replaces pods unusually often; the scenario is larger than the bound \
                 ({} workloads and {} pods so far)",
                self.store.workloads.len(),
                self.store.pods.len()
            ),
            "raise Simulation spec.maxEvents, set a shorter spec.horizon, or make the scenario smaller".to_string(),
        )
    }

    /// A pod its controller has fully accounted for leaves the run: the store frees it and the
    /// policy its per-pod state.
    pub(crate) fn release_pod(&mut self, pod: PodId) {
        self.store.pods.release(pod);
        self.sched.pod_released(pod);
    }

    pub(crate) fn pod_epoch_is(&self, pod: PodId, epoch: u32) -> bool {
        self.store.pods.get(pod).is_some_and(|p| p.epoch == epoch)
    }

    /// A run that cannot finish, as an error located at the Simulation object (at `line`
    /// of its file, if given): "the run (policy P, seed S) <what>".
    pub(crate) fn run_error(&self, field: &str, what: String, fix: &str, line: Option<usize>) -> InputError {
        let e = InputError::new(
            field,
            format!(
                "the run (policy {}, seed {}) {what}",
                self.cfg.policy_name, self.cfg.seed
            ),
            fix,
        );
        let loc = &self.cfg.sim_loc;
        if loc.file.as_os_str().is_empty() {
            e
        } else {
            e.at(&loc.file, line.unwrap_or(loc.line), None)
        }
    }

    pub(crate) fn dispatch(&mut self, ev: Ev) {
        match ev {
            Ev::Arrive { stream } => self.arrive(stream),
            Ev::NodeJoin(n) => self.node_join(n),
            // Timers of a pod outlive it when it ends another way; its epoch (or its release)
            // tells.
            Ev::ContainerExit { pod, epoch } => {
                if self.pod_epoch_is(pod, epoch) {
                    self.container_exit(pod);
                }
            }
            Ev::ContainerRestart { pod, epoch } => {
                if self.pod_epoch_is(pod, epoch) {
                    self.container_restart(pod);
                }
            }
            Ev::PodTerminated { pod, epoch } => {
                if self.pod_epoch_is(pod, epoch) {
                    let code = if self.store.pods[pod as usize].phase == Phase::Running {
                        143
                    } else {
                        self.store.pods[pod as usize].exit_code
                    };
                    self.pod_terminal(pod, Phase::Failed, code, "Terminated");
                }
            }
            Ev::JobSync { wl } => self.job_sync_event(wl),
            Ev::SetSuspend { wl, suspend } => self.job_set_suspend(wl, suspend),
            Ev::JobTtl { wl } => self.job_ttl(wl),
            Ev::CronCreate { cj } => self.cron_create(cj),
            Ev::NodeFail { node, for_ms } => self.node_fail(node, for_ms),
            Ev::NodeDetect { node } => self.node_detect(node),
            Ev::NodeNoExecute { node } => self.node_noexecute(node),
            Ev::NodeRecover { node } => self.node_recover(node),
            Ev::TaintAdd { idx } => self.scripted_taint(idx, true),
            Ev::TaintRemove { idx } => self.scripted_taint(idx, false),
            Ev::TaintEvict { pod, node, generation } => self.taint_evict(pod, node, generation),
            Ev::CronSuspend { cj, suspend } => self.cron_suspend(cj, suspend),
            Ev::CronSync { cj, at } => self.cron_sync_event(cj, at),
            Ev::SchedFlushUnschedulable => self.sched_flush_unschedulable(),
            Ev::SchedFlushBackoff => self.sched_flush_backoff(),
            Ev::SchedCycle => self.sched_cycle(),
            Ev::DeadlockCheck => self.deadlock_check(),
            Ev::VolcanoSession => self.volcano_session(),
            Ev::VcResync { wl } => self.vc_resync(wl),
            Ev::KueueCycle => self.kueue_cycle(),
            Ev::KueueRequeue => self.kueue_kick(),
            Ev::KueuePodsReady { wl, epoch } => self.kueue_pods_ready(wl, epoch),
            Ev::CreatePods => self.create_pods_flush(),
            Ev::PermitTimeout { gang, generation } => self.cosched_timeout(gang, generation),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Arrivals and nodes

    pub(crate) fn arrive(&mut self, sid: u32) {
        let now = self.now();
        let s = &mut self.ctl.streams[sid as usize];
        let idx = s.next_idx;
        s.next_idx += 1;
        let duration = s.duration.as_ref().map(|d| sample_duration(d, &mut s.duration_rng));
        // Schedule the next arrival of the stream.
        if s.next_idx < s.count {
            let next = match &s.pattern {
                ArrivalPattern::Every { interval_ms } => now.plus_ms(*interval_ms),
                ArrivalPattern::Poisson { mean_interval_ms } => {
                    let exp = Exp::new(1.0 / (*mean_interval_ms).max(1) as f64).expect("positive rate");
                    let gap: f64 = exp.sample(&mut s.rng);
                    now.plus_ms(gap.round() as u64)
                }
                ArrivalPattern::At { times_ms } => SimTime(times_ms[s.next_idx as usize]),
            };
            let cls = if s.node_template.is_some() {
                class::NODE
            } else {
                class::API
            };
            self.engine.schedule(next, cls, Ev::Arrive { stream: sid });
        }
        let s = &self.ctl.streams[sid as usize];
        if let Some(tmpl) = &s.node_template {
            let mut node = tmpl.clone();
            node.name = format!("{}-{idx}", tmpl.name);
            let id = self.store.cluster.nodes.len() as NodeId;
            self.store.node_by_name.insert(node.name.clone(), id);
            self.store.cluster.nodes.push(node);
            self.store.cluster.grow();
            self.sched.kube.nodes_changed(self.store.cluster.nodes.len());
            self.node_join(id);
            return;
        }
        if let Some(ts) = &s.trace {
            let i = idx as usize;
            let job = ts.jobs[i];
            let (proto, duration) = (ts.protos[job.shape as usize], job.duration_ms);
            let name = format!("{}-{idx}", ts.name);
            let id = self.store.workloads.len() as WlId;
            self.create_workload(proto, name, idx, Some(duration), None);
            if let Some(ts) = &mut self.ctl.streams[sid as usize].trace {
                ts.workloads.push(id);
            }
            return;
        }
        let proto = s.proto.expect("workload stream");
        let single = s.count == 1
            && matches!(s.pattern, ArrivalPattern::At { .. })
            && self.store.protos[proto as usize].stream.is_none();
        let name = if single {
            self.store.protos[proto as usize].spec.name.clone()
        } else {
            format!("{}-{idx}", self.store.protos[proto as usize].spec.name)
        };
        self.create_workload(proto, name, idx, duration, None);
    }

    pub(crate) fn node_join(&mut self, n: NodeId) {
        let now = self.now();
        self.rec.gpu.advance(now);
        self.store.cluster.add_node(n);
        self.rec.gpu.capacity_milli = self.store.cluster.total_gpu_milli;
        let name = self.store.cluster.nodes[n as usize].name.clone();
        self.event(|| name, "NodeReady", String::new);
        self.policy_nodes_changed();
    }

    /// Create a workload (a CronJob's Job names its `owner`, which checked the Job quota).
    pub(crate) fn create_workload(
        &mut self,
        proto: ProtoId,
        name: String,
        arrival: u64,
        duration_ms: Option<u64>,
        owner: Option<u32>,
    ) {
        let now = self.now();
        let id = self.store.workloads.len() as WlId;
        let p = &self.store.protos[proto as usize];
        let is_job = matches!(p.spec.kind, WorkloadKind::Job(_));
        self.store.workloads.push(Workload {
            proto,
            name,
            arrival,
            submit: now,
            duration_ms,
            start: None,
            finish: None,
            state: WlState::Pending,
            reason: String::new(),
            pods: Vec::new(),
            running: 0,
            pods_started: 0,
            pods_created: 0,
            failed_pods: 0,
            restarts: 0,
            preemptions: 0,
            deleted: false,
            owner,
            class_override: None,
            job: None,
            vc: None,
            gang: None,
        });
        let obj = self.wl_object(id);
        // ResourceQuota admission of the object: a Job's count, a bare Pod's usage.
        let mut pod_charge = None;
        let refused = if is_job && owner.is_none() {
            self.quota_admit_job(proto).err()
        } else if matches!(self.store.protos[proto as usize].spec.kind, WorkloadKind::Pod(_))
            && self.store.protos[proto as usize].rejected.is_none()
        {
            match self.quota_admit_pod(id, 0) {
                Ok(c) => {
                    pod_charge = c;
                    None
                }
                Err(m) => Some(m),
            }
        } else {
            None
        };
        if is_job && refused.is_none() && self.ctl.admission.is_some() {
            self.quota_job_charged(id);
        }
        if let Some(reason) = refused.or_else(|| self.store.protos[proto as usize].rejected.clone()) {
            // The API server refuses the object (or, for a Job, each of its pods: the Job
            // controller keeps failing to create them). kubesim reports it Rejected.
            let w = &mut self.store.workloads[id as usize];
            w.state = WlState::Rejected;
            w.reason = reason.clone();
            self.event(|| obj, "Rejected", || reason);
            return;
        }
        if matches!(self.store.protos[proto as usize].spec.kind, WorkloadKind::VolcanoJob(_)) {
            self.event(|| obj, "JobCreated", String::new);
            self.vc_created(id);
        } else if is_job {
            self.event(|| obj, "JobCreated", String::new);
            self.job_created(id);
        } else {
            self.event(|| obj, "PodCreated", String::new);
            let pod = self.create_pod(id, 0, None);
            if let Some(c) = pod_charge {
                self.quota_charged(pod, c);
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Pods (API side and kubelet side)

    /// Create a pod of a workload's task and hand it to the scheduler. Names: a bare Pod keeps
    /// its own; a Job's pods are `<job>-<n>` (`<job>-<index>-<n>` when Indexed), n counting the
    /// Job's pods (Kubernetes appends a random suffix instead); a Volcano job's are
    /// `<job>-<task>-<index>`, as Volcano names them.
    pub fn create_pod(&mut self, wl: WlId, task: u16, index: Option<u32>) -> PodId {
        // `run` stops with an error once a pod limit is reached after an event; one event
        // creates far fewer (a workload's pods, a sync's batch), so this only guards a bug.
        assert!(self.store.pods.live() < 2 * MAX_PODS, "pod bound exceeded");
        let now = self.now();
        let w = &mut self.store.workloads[wl as usize];
        let n = w.pods_created;
        w.pods_created += 1;
        let proto = &self.store.protos[w.proto as usize];
        let name = match (&proto.spec.kind, index) {
            (WorkloadKind::Pod(_), _) => w.name.clone(),
            (WorkloadKind::Job(_), Some(i)) => format!("{}-{i}-{n}", w.name),
            (WorkloadKind::Job(_), None) => format!("{}-{n}", w.name),
            (WorkloadKind::VolcanoJob(_), i) => {
                format!("{}-{}-{}", w.name, proto.tasks[task as usize].name, i.unwrap_or(0))
            }
        };
        let is_job = !matches!(proto.spec.kind, WorkloadKind::Pod(_));
        let class = w.class_override.unwrap_or(proto.tasks[task as usize].class);
        let id = self.store.pods.len() as PodId;
        self.store.pods.push(Pod {
            name,
            wl,
            task,
            class,
            index,
            phase: Phase::Pending,
            node: None,
            nominated: None,
            created: now,
            run_started: None,
            finished: None,
            deletion: None,
            disruption: None,
            exit_code: 0,
            restarts: 0,
            kubelet_backoff_n: 0,
            run_ms: None,
            planned_exit: 0,
            epoch: 0,
            counted: false,
            gang: None,
            working: false,
            work_started: None,
            container_up: false,
            waiting: false,
            evicted_for_queue: false,
        });
        self.sched.pod_created(id, now);
        self.store.workloads[wl as usize].pods.push(id);
        if let Some(g) = self.gang_for_new_pod(wl, task) {
            self.store.pods[id as usize].gang = Some(g);
            self.gang_member_created(g, id);
            self.policy_gang_member_added(g);
        }
        if is_job {
            let obj = self.pod_object(id);
            self.event(|| obj, "PodCreated", String::new);
        }
        self.policy_pod_pending(id);
        id
    }

    /// The gang a new pod of a workload's task joins: the workload's own, or the PodGroup
    /// object its template names.
    pub(crate) fn gang_for_new_pod(&mut self, wl: WlId, task: u16) -> Option<gang::GangId> {
        if let Some(g) = self.store.workloads[wl as usize].gang {
            return Some(g);
        }
        let proto = &self.store.protos[self.store.workloads[wl as usize].proto as usize];
        let group = proto.template(task as usize).pod_group.clone()?;
        let key = (proto.spec.namespace.clone(), group);
        let (min, timeout_s, gang) = *self.store.pod_groups.get(&key)?;
        if let Some(g) = gang {
            return Some(g);
        }
        let g = self.new_gang(format!("{}/{}", key.0, key.1), min, None);
        if let Some(t) = timeout_s {
            self.store.gangs[g as usize].permit_timeout_ms = t * 1000;
        }
        self.store.pod_groups.insert(key, (min, timeout_s, Some(g)));
        Some(g)
    }

    /// Bind a pod to a node (the scheduler decided) and start it: zero-latency kubelet.
    pub fn bind(&mut self, pod: PodId, node: NodeId) {
        self.reserve(pod, node);
        self.start_bound(pod);
    }

    /// Assume a pod on a node (Reserve): its resources are held from now on.
    pub fn reserve(&mut self, pod: PodId, node: NodeId) {
        let now = self.now();
        let req = self.store.classes[self.store.pods[pod as usize].class as usize].req;
        self.rec.gpu.advance(now);
        self.store.cluster.charge(node, pod, &req);
        let q = self.pod_queue(pod) as usize;
        self.store.queue_alloc[q].add(&req);
        self.rec.queue_time.change(q, now, req.gpu_milli());
        self.rec.gpu.held_milli += req.gpu_milli();
        let p = &mut self.store.pods[pod as usize];
        p.node = Some(node);
        p.nominated = None;
        p.waiting = true;
        if let Some(g) = p.gang {
            self.gang_member_holds(g, pod);
        }
    }

    /// A reserved pod is bound (Permit allowed it) and its container starts.
    pub fn start_bound(&mut self, pod: PodId) {
        let prio = self.store.classes[self.store.pods[pod as usize].class as usize].priority;
        *self.store.bound_priorities.entry(prio).or_default() += 1;
        let p = &mut self.store.pods[pod as usize];
        p.waiting = false;
        let node = p.node.expect("reserved");
        self.pod_node_event(pod, "PodBound", node);
        self.container_start(pod);
    }

    /// Undo a reservation (a Permit rejection): the pod goes back to waiting for a node.
    pub fn unreserve(&mut self, pod: PodId) {
        let now = self.now();
        let req = self.store.classes[self.store.pods[pod as usize].class as usize].req;
        let p = &mut self.store.pods[pod as usize];
        debug_assert!(p.waiting, "unreserve of a pod that is not waiting");
        let node = p.node.take().expect("reserved");
        p.waiting = false;
        let gang = p.gang;
        self.rec.gpu.advance(now);
        self.rec.gpu.held_milli -= req.gpu_milli();
        self.store.cluster.release(node, pod, &req);
        let q = self.pod_queue(pod) as usize;
        self.store.queue_alloc[q].sub(&req);
        self.rec.queue_time.change(q, now, -req.gpu_milli());
        if let Some(g) = gang {
            self.gang_member_releases(g, pod);
        }
        self.deadlock_on_release();
    }

    /// Start (or restart) the pod's container.
    pub(crate) fn container_start(&mut self, pod: PodId) {
        if self.store.pods[pod as usize].node.is_some_and(|n| self.node_is_down(n)) {
            return; // its kubelet is gone; it starts if the node comes back
        }
        let now = self.now();
        let wl = self.store.pods[pod as usize].wl;
        let w = &mut self.store.workloads[wl as usize];
        let proto = &self.store.protos[w.proto as usize];
        let hints = &proto.template(self.store.pods[pod as usize].task as usize).hints;
        // The first `failures` runs of the workload fail with exit 1, later ones end with
        // the exit code; an Arrivals `failure` draw may fail a run too.
        let nth = w.pods_started;
        w.pods_started += 1;
        let index = self.store.pods[pod as usize].index;
        let mut exit = if index.is_some_and(|i| hints.fail_indexes.contains(&i)) {
            if hints.exit_code != 0 { hints.exit_code } else { 1 }
        } else if nth < hints.failures {
            1
        } else {
            hints.exit_code
        };
        if let (Some(f), Some(stream)) = (&proto.failure, &proto.stream)
            && exit == 0
        {
            let h = stable_hash(stream) ^ stable_hash("failure");
            let mut rng = rng_stream(self.cfg.seed ^ crate::engine::splitmix64(w.arrival), h ^ u64::from(nth));
            if rng.random::<f64>() < f.probability {
                exit = f.exit_code;
            }
        }
        let run_ms = w.duration_ms.or(hints.duration_ms);
        let first_run = self.store.pods[pod as usize].phase == Phase::Pending;
        let p = &mut self.store.pods[pod as usize];
        p.phase = Phase::Running;
        p.run_started = Some(now);
        p.run_ms = run_ms;
        p.planned_exit = exit;
        p.epoch += 1;
        p.container_up = true;
        let gang = p.gang;
        if first_run {
            let obj = self.pod_object(pod);
            self.event(|| obj, "PodRunning", String::new);
            let w = &mut self.store.workloads[wl as usize];
            w.running += 1;
            if w.state == WlState::Pending {
                w.state = WlState::Running;
            }
            if w.vc.is_some() {
                self.vc_pod_running(wl);
            }
        }
        // A gang member waits at the rendezvous until its gang has formed.
        match gang {
            Some(g) => self.gang_member_running(g, pod),
            None => {
                self.begin_work(pod);
                if first_run {
                    self.maybe_started(wl);
                }
            }
        }
    }

    /// The pod starts doing work: its run time starts now.
    pub(crate) fn begin_work(&mut self, pod: PodId) {
        let now = self.now();
        self.rec.gpu.advance(now);
        self.rec.gpu.busy_milli += self.store.classes[self.store.pods[pod as usize].class as usize]
            .req
            .gpu_milli();
        let p = &mut self.store.pods[pod as usize];
        debug_assert!(!p.working, "pod {} starts work twice", p.name);
        p.working = true;
        p.work_started = Some(now);
        let epoch = p.epoch;
        if let Some(d) = p.run_ms {
            self.engine
                .schedule(now.plus_ms(d), class::KUBELET, Ev::ContainerExit { pod, epoch });
        }
    }

    /// The pod's work so far is lost (its run failed, or it was deleted, preempted or lost with
    /// its node): GPU time it worked counts as lost. Call before `end_work`.
    pub(crate) fn lose_work(&mut self, pod: PodId) {
        let p = &self.store.pods[pod as usize];
        if let (true, Some(start)) = (p.working, p.work_started) {
            let gpu = self.store.classes[p.class as usize].req.gpu_milli().max(0) as u128;
            let lost = gpu * u128::from(self.now().since(start));
            self.rec.gpu.lost_integral += lost;
            if p.evicted_for_queue {
                let q = self.pod_queue(pod) as usize;
                self.rec.queue_lost[q] += lost;
            }
        }
    }

    /// The pod stops doing work (its container exited or it became terminal).
    pub(crate) fn end_work(&mut self, pod: PodId) {
        if self.store.pods[pod as usize].working {
            let now = self.now();
            self.rec.gpu.advance(now);
            self.rec.gpu.busy_milli -= self.store.classes[self.store.pods[pod as usize].class as usize]
                .req
                .gpu_milli();
            self.store.pods[pod as usize].working = false;
        }
    }

    /// Record the workload's start when it first has all the pods it needs running.
    pub(crate) fn maybe_started(&mut self, wl: WlId) {
        let w = &self.store.workloads[wl as usize];
        if w.start.is_some() {
            return;
        }
        let need = match &w.job {
            Some(j) => j.needed_running(),
            None => 1,
        };
        if w.running >= need.max(1) {
            self.store.workloads[wl as usize].start = Some(self.now());
        }
    }

    /// The container exits at the end of its run.
    pub(crate) fn container_exit(&mut self, pod: PodId) {
        let now = self.now();
        let p = &self.store.pods[pod as usize];
        let code = p.planned_exit;
        let restart_policy =
            self.store.protos[self.store.workloads[p.wl as usize].proto as usize].tasks[p.task as usize].restart_policy;
        if p.deletion.is_some() {
            // It finished on its own while terminating.
            let phase = if code == 0 { Phase::Succeeded } else { Phase::Failed };
            self.pod_terminal(pod, phase, code, "");
            return;
        }
        let restart = match restart_policy {
            RestartPolicy::Never => false,
            RestartPolicy::OnFailure => code != 0,
            RestartPolicy::Always => true,
        };
        if code != 0 {
            self.lose_work(pod);
        }
        if !restart {
            let phase = if code == 0 { Phase::Succeeded } else { Phase::Failed };
            self.pod_terminal(pod, phase, code, "");
            return;
        }
        // Kubelet restart in place with crash-loop backoff (POD-R1, POD-R2): the first restart is
        // immediate, later ones wait 10 s doubling to 300 s; a run longer than 10 min resets it.
        let ran = now.since(self.store.pods[pod as usize].run_started.unwrap_or(now));
        let lat = &self.cfg.lat;
        let p = &mut self.store.pods[pod as usize];
        if ran >= lat.kubelet_backoff_reset_ms {
            p.kubelet_backoff_n = 0;
        }
        let delay = backoff_ms(lat.kubelet_backoff_ms, lat.kubelet_backoff_max_ms, p.kubelet_backoff_n);
        p.kubelet_backoff_n += 1;
        p.exit_code = code;
        p.epoch += 1;
        p.container_up = false;
        let epoch = p.epoch;
        let wl = p.wl;
        let gang = p.gang;
        self.end_work(pod);
        if let Some(g) = gang {
            self.gang_member_stopped_running(g);
        }
        let obj = self.pod_object(pod);
        self.event(|| obj, "ContainerExited", || format!("exit code {code}"));
        self.engine
            .schedule(now.plus_ms(delay), class::KUBELET, Ev::ContainerRestart { pod, epoch });
        self.job_pod_event(wl);
    }

    /// The kubelet restarts the container in place: restartCount goes up.
    pub(crate) fn container_restart(&mut self, pod: PodId) {
        let p = &mut self.store.pods[pod as usize];
        p.restarts += 1;
        let (wl, n) = (p.wl, p.restarts);
        self.store.workloads[wl as usize].restarts += 1;
        let obj = self.pod_object(pod);
        self.event(|| obj, "ContainerRestarted", || format!("restart count {n}"));
        self.container_start(pod);
        self.job_pod_event(wl);
    }

    /// Ask a pod to stop (a DELETE). Unbound pods go at once; bound ones get SIGTERM and stop
    /// after `terminate-after` capped by the grace period (POD-R4).
    pub fn delete_pod(&mut self, pod: PodId, reason: &'static str, disruption: Option<&'static str>) {
        let now = self.now();
        let p = &mut self.store.pods[pod as usize];
        if p.finished.is_some() || p.deletion.is_some() {
            return;
        }
        p.deletion = Some(now);
        if disruption.is_some() {
            p.disruption = disruption;
        }
        let obj = self.pod_object(pod);
        self.event(|| obj, "PodDeleted", || reason.to_string());
        let p = &self.store.pods[pod as usize];
        if p.node.is_none() {
            self.policy_pod_dequeued(pod);
            self.pod_terminal(pod, Phase::Failed, 0, reason);
            return;
        }
        let proto = &self.store.protos[self.store.workloads[p.wl as usize].proto as usize];
        let stop_ms = if p.phase == Phase::Running {
            proto.tasks[p.task as usize].terminate_after_ms
        } else {
            0
        };
        if self.store.pods[pod as usize].node.is_some_and(|n| self.node_is_down(n)) {
            // No kubelet to stop it: Terminating until the node returns (NODE-4).
            self.store.pods[pod as usize].epoch += 1;
            let wl = self.store.pods[pod as usize].wl;
            self.job_pod_event(wl);
            return;
        }
        let p = &mut self.store.pods[pod as usize];
        p.epoch += 1;
        let epoch = p.epoch;
        // A run that would end by itself before the stop keeps its exit event.
        let natural_end = match (p.work_started, p.run_ms) {
            (Some(s), Some(d)) if p.working => Some(s.plus_ms(d)),
            _ => None,
        };
        let stop_at = now.plus_ms(stop_ms);
        match natural_end {
            Some(end) if end <= stop_at => {
                self.engine
                    .schedule(end.max(now), class::KUBELET, Ev::ContainerExit { pod, epoch });
            }
            _ => self
                .engine
                .schedule(stop_at, class::KUBELET, Ev::PodTerminated { pod, epoch }),
        }
        let wl = self.store.pods[pod as usize].wl;
        self.job_pod_event(wl);
    }

    /// A pod reaches a terminal phase: its resources are released at once (SCH-C4).
    pub fn pod_terminal(&mut self, pod: PodId, phase: Phase, code: i32, reason: &str) {
        let now = self.now();
        let req = self.store.classes[self.store.pods[pod as usize].class as usize].req;
        let p = &mut self.store.pods[pod as usize];
        assert!(p.finished.is_none(), "pod {} terminal twice", p.name);
        let was_running = p.phase == Phase::Running;
        let container_up = p.container_up;
        p.phase = phase;
        p.finished = Some(now);
        p.exit_code = code;
        p.epoch += 1;
        p.container_up = false;
        let wl = p.wl;
        let node = p.node;
        let gang = p.gang;
        if phase == Phase::Failed {
            self.lose_work(pod);
        }
        self.end_work(pod);
        self.rec.gpu.advance(now);
        if was_running {
            self.store.workloads[wl as usize].running -= 1;
        }
        if let Some(g) = gang {
            if container_up {
                self.gang_member_stopped_running(g);
            }
            if node.is_some() {
                self.gang_member_releases(g, pod);
            }
            self.gang_member_gone(g, pod);
        }
        if let Some(n) = node {
            let prio = self.store.classes[self.store.pods[pod as usize].class as usize].priority;
            if !std::mem::take(&mut self.store.pods[pod as usize].waiting) {
                let count = self
                    .store
                    .bound_priorities
                    .get_mut(&prio)
                    .expect("bound priority counted");
                *count -= 1;
                if *count == 0 {
                    self.store.bound_priorities.remove(&prio);
                }
            }
            self.rec.gpu.held_milli -= req.gpu_milli();
            self.store.cluster.release(n, pod, &req);
            let q = self.pod_queue(pod) as usize;
            self.store.queue_alloc[q].sub(&req);
            self.rec.queue_time.change(q, now, -req.gpu_milli());
        }
        if phase == Phase::Failed {
            self.store.workloads[wl as usize].failed_pods += 1;
        }
        if self.ctl.admission.is_some() {
            self.quota_pod_terminal(pod);
        }
        if node.is_some() || self.rec.record_events {
            let obj = self.pod_object(pod);
            let (ev, detail) = match phase {
                Phase::Succeeded => ("PodSucceeded", String::new()),
                _ if !reason.is_empty() && reason != "Terminated" => ("PodFailed", reason.to_string()),
                _ => ("PodFailed", format!("exit code {code}")),
            };
            self.event(|| obj, ev, || detail);
        }
        if node.is_some() {
            self.policy_resources_released();
            self.deadlock_on_release();
        }
        if self.store.workloads[wl as usize].vc.is_some() {
            self.vc_pod_finished(wl, pod);
        } else if self.store.workloads[wl as usize].job.is_some() {
            self.job_pod_event(wl);
            if self.sched.kueue.is_some() {
                self.kueue_pod_gone(wl);
            }
        } else {
            self.bare_pod_finished(wl, phase);
        }
    }

    pub(crate) fn bare_pod_finished(&mut self, wl: WlId, phase: Phase) {
        let now = self.now();
        let w = &mut self.store.workloads[wl as usize];
        w.finish = Some(now);
        w.state = if phase == Phase::Succeeded {
            WlState::Complete
        } else {
            WlState::Failed
        };
        if w.state == WlState::Failed && w.reason.is_empty() {
            w.reason = "Error".into();
        }
    }

    // -----------------------------------------------------------------------------------------
    // Results

    pub(crate) fn finish(mut self, end: SimTime) -> Result<RunResult, InputError> {
        let (events, events_file) = std::mem::replace(&mut self.rec.events, record::EventLog::Off)
            .finish()
            .map_err(|e| {
                InputError::new(
                    "--out",
                    format!("cannot write the events spool file: {e}"),
                    "choose a --out folder with free space",
                )
            })?;
        // What the rows need of the pods (for unfinished workloads only), so the pods can be
        // freed before the rows are built: a million-job run never holds both.
        let pod_flags: Vec<(bool, bool, bool)> = self
            .store
            .workloads
            .iter()
            .map(|w| {
                if w.finish.is_some() {
                    return (false, false, false);
                }
                let live_unbound = |p: &Pod| p.finished.is_none() && p.node.is_none();
                let waiting = w.pods.iter().any(|&p| live_unbound(&self.store.pods[p as usize]));
                let unschedulable = w.pods.iter().any(|&p| {
                    let pod = &self.store.pods[p as usize];
                    live_unbound(pod) && self.sched.kube.pods[p as usize].attempts > 0
                });
                let volcano_pending = w.pods.iter().any(|p| self.sched.volcano.pending.contains(p));
                (waiting, unschedulable, volcano_pending)
            })
            .collect();
        drop(std::mem::take(&mut self.store.pods));
        let mut jobs = Vec::with_capacity(self.store.workloads.len());
        for (w, &(waiting, unschedulable, volcano_pending)) in self.store.workloads.iter().zip(&pod_flags) {
            let p = &self.store.protos[w.proto as usize];
            let (kind, pods) = match &p.spec.kind {
                WorkloadKind::Job(j) => ("Job", j.parallelism.unwrap_or(1).min(j.completions.unwrap_or(u32::MAX))),
                WorkloadKind::Pod(_) => ("Pod", 1),
                WorkloadKind::VolcanoJob(_) => ("VolcanoJob", p.tasks.iter().map(|t| t.replicas).sum()),
            };
            let gpus_milli = match &p.spec.kind {
                WorkloadKind::VolcanoJob(_) => p
                    .tasks
                    .iter()
                    .map(|t| t.gpus_per_pod_milli.saturating_mul(i64::from(t.replicas)))
                    .fold(0, i64::saturating_add),
                // Saturating: a LimitRange default can raise a pod's request after the load-time
                // check of amount x pods.
                _ => p.tasks[0].gpus_per_pod_milli.saturating_mul(i64::from(pods)),
            };
            let mut state = w.state;
            let mut reason = w.reason.clone();
            if w.finish.is_none() && matches!(state, WlState::Running | WlState::Pending) {
                // A pod running: Running. None running: Pending if a pod waits for a node (or the
                // Job never started or is suspended); else it started and its pods have ended
                // without a terminal condition yet (the run ended first): Running.
                let suspended = w.job.as_ref().is_some_and(|j| j.suspended);
                state = if w.running > 0 || (w.start.is_some() && !waiting && !suspended) {
                    WlState::Running
                } else {
                    WlState::Pending
                };
            }
            if state == WlState::Pending && reason.is_empty() {
                if let Some(vc) = w.vc.as_deref()
                    && vc.pg_phase == volcano::PgPhase::Pending
                {
                    reason = "PodGroupPending".into();
                } else if unschedulable || w.vc.is_some() || volcano_pending {
                    reason = "Unschedulable".into();
                } else if w.job.as_ref().is_some_and(|j| j.suspended) {
                    reason = "Suspended".into();
                }
            }
            // For a Job, failed pods are the controller's count (status.failed): pods it deleted
            // for suspension or scale-down are not failures.
            let failed_pods = w.job.as_ref().map_or(w.failed_pods, |j| j.failed);
            jobs.push(JobRow {
                namespace: p.spec.namespace.clone(),
                name: w.name.clone(),
                kind,
                owner: w
                    .owner
                    .map(|cj| self.ctl.cron[cj as usize].spec.name.clone())
                    .unwrap_or_default(),
                // The queue the run accounted it to (a ClusterQueue under kueue); empty when
                // it named none.
                queue: match self.store.queue_names[p.queue as usize].as_str() {
                    "default" => {
                        w.vc.as_ref()
                            .map(|v| v.queue.clone())
                            .or_else(|| p.spec.annotations.get(replay::QUEUE_ANNOTATION).cloned())
                            .unwrap_or_default()
                    }
                    name => name.to_string(),
                },
                priority: p.priority,
                gpus_milli,
                pods,
                submit: w.submit,
                start: w.start,
                finish: w.finish,
                state,
                reason,
                restarts: w.restarts,
                failed_pods,
                preemptions: w.preemptions,
            });
        }
        let fidelity = self
            .ctl
            .streams
            .iter()
            .filter_map(|s| s.trace.as_deref())
            .filter(|t| t.jobs.iter().any(|j| j.recorded_wait().is_some()))
            .map(|t| {
                let pairs: Vec<(u64, Option<u64>)> = t
                    .workloads
                    .iter()
                    .zip(t.jobs.iter())
                    .filter_map(|(&w, j)| {
                        let wl = &self.store.workloads[w as usize];
                        j.recorded_wait().map(|r| (r, wl.start.map(|s| s.since(wl.submit))))
                    })
                    .collect();
                crate::observe::fidelity::fidelity(&t.name, &pairs)
            })
            .collect();
        let cron = self.cron_rows();
        let queues = self.queue_rows(end);
        Ok(RunResult {
            queues,
            node_failures: self.ctl.faults.failures,
            cron,
            fidelity,
            policy: self.cfg.policy_name.clone(),
            seed: self.cfg.seed,
            jobs,
            events,
            events_file,
            gpu: self.rec.gpu.clone(),
            end,
            events_processed: self.engine.processed(),
            preemptions: self.rec.preemptions,
            deadlock_episodes: self.rec.deadlock.episodes,
            deadlock_ms: self.rec.deadlock.total_ms,
            stranded_gpu_milli_ms: self.rec.gpu.stranded_integral,
            gang_submissions: self.store.gangs.len() as u64,
        })
    }

    // -----------------------------------------------------------------------------------------
    // Invariants (debug builds): checked after every event.

    pub(crate) fn check(&self) {
        if let Some(k) = self.sched.kueue.as_deref() {
            k.check();
        }
        let mut requested = vec![Res::default(); self.store.cluster.nodes.len()];
        let mut queue_held = vec![Res::default(); self.store.queue_alloc.len()];
        let (mut held, mut busy) = (0i64, 0i64);
        for (id, p) in self.store.pods.iter() {
            let req = self.store.classes[p.class as usize].req;
            match (p.finished, p.node) {
                (None, Some(n)) => {
                    requested[n as usize].add(&req);
                    held += req.gpu_milli();
                    assert!(
                        p.phase == Phase::Running || p.waiting || self.node_is_down(n),
                        "bound live pod {} not Running",
                        p.name
                    );
                    queue_held[self.store.protos[self.store.workloads[p.wl as usize].proto as usize].queue as usize]
                        .add(&req);
                    if p.working {
                        busy += req.gpu_milli();
                    }
                }
                (None, None) => {
                    assert_eq!(p.phase, Phase::Pending, "unbound live pod {} not Pending", p.name);
                    assert!(self.sched.queues(id), "pending pod {} in no scheduling queue", p.name);
                }
                (Some(_), _) => {
                    assert!(
                        matches!(p.phase, Phase::Succeeded | Phase::Failed),
                        "terminal pod {} phase",
                        p.name
                    );
                    assert!(!self.sched.queues(id), "terminal pod {} still queued", p.name);
                }
            }
        }
        for (i, n) in self.store.cluster.nodes.iter().enumerate() {
            assert_eq!(
                n.requested, requested[i],
                "node {} requested != sum of its pods",
                n.name
            );
            assert!(n.requested.fits_in(&n.alloc), "node {} over capacity", n.name);
        }
        assert_eq!(self.rec.gpu.held_milli, held, "held GPU level");
        assert_eq!(self.store.queue_alloc, queue_held, "per-queue allocated resources");
        self.policy_check();
        assert_eq!(self.rec.gpu.busy_milli, busy, "busy GPU level");
    }
}

/// `base * 2^(n-1)` capped at `max`, for n >= 1 (JOB-B4, POD-R1, SCH-Q3).
pub fn backoff_ms(base: u64, max: u64, n: u32) -> u64 {
    if n == 0 {
        return 0;
    }
    let shift = (n - 1).min(40);
    base.saturating_mul(1u64 << shift).min(max)
}

fn sample_duration(d: &DurationDist, rng: &mut rand::rngs::Xoshiro256PlusPlus) -> u64 {
    match d {
        DurationDist::Fixed { ms } => *ms,
        DurationDist::Uniform { min_ms, max_ms } => {
            if max_ms <= min_ms {
                *min_ms
            } else {
                rng.random_range(*min_ms..=*max_ms)
            }
        }
        DurationDist::Exponential { mean_ms } => {
            let e = Exp::new(1.0 / (*mean_ms).max(1) as f64).expect("positive rate");
            let v: f64 = e.sample(rng);
            v.round() as u64
        }
        DurationDist::LogNormal { median_ms, sigma } => {
            let ln = LogNormal::new(((*median_ms).max(1) as f64).ln(), sigma.max(0.0)).expect("valid lognormal");
            let v: f64 = ln.sample(rng);
            v.round().min(1e15) as u64
        }
        DurationDist::Empirical { values_ms } => {
            if values_ms.is_empty() {
                0
            } else {
                values_ms[rng.random_range(0..values_ms.len())]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_sequences() {
        let job: Vec<u64> = (1..=8).map(|n| backoff_ms(10_000, 600_000, n) / 1000).collect();
        assert_eq!(job, [10, 20, 40, 80, 160, 320, 600, 600]);
        let kubelet: Vec<u64> = (1..=7).map(|n| backoff_ms(10_000, 300_000, n) / 1000).collect();
        assert_eq!(kubelet, [10, 20, 40, 80, 160, 300, 300]);
        assert_eq!(backoff_ms(1000, 10_000, 0), 0);
        assert_eq!(backoff_ms(1000, 10_000, 200), 10_000);
    }
}
