//! The simulated cluster: pods, workloads and the controllers that move them, driven by the
//! engine. One `World` is one (scenario, policy, seed) run; it owns all its state, so runs
//! are independent and can go in parallel.
//!
//! `World` = engine + cfg (the run's constants) + store (`model::store`) + ctl (the
//! controllers' state) + sched (the policy and its state) + rec (`observe::record`). This file
//! holds the parts, `Ev` and the one `dispatch` over it, the run loop and the event helpers;
//! `build` makes a World from a scenario, `write` is the write path with the fan-out of each
//! change, `finish` closes a run into its result, `check` holds the invariants checked after
//! every event. Controllers and policies add their own `impl World` blocks in their folders.
//!
//! Zero-latency model (semantics.md section 8): API writes, watches, binding and container
//! start take no time; the only delays are the controllers' own constants (`Latencies`).
//! Simultaneous events run in class order: kubelet (pod exits) < node changes < API writes
//! (submissions) < controller syncs < timers < scheduler housekeeping < the scheduling cycle,
//! which therefore sees every change of its instant.

pub use crate::model::store::{
    Class, ClassId, Phase, Pod, PodId, Proto, ProtoId, QueueInfo, Store, TaskProto, WlId, Workload,
};

mod build;
mod check;
mod finish;
mod follow;
mod gangs;
mod write;

// The parts of a run, under the short names this file uses.
use crate::controllers::{cronjob, node_lifecycle as faults, quota};
use crate::model::{cluster, gang};
use crate::observe::record;
use crate::policy::Policy;
use crate::policy::{kube as scheduler, kueue, volcano as volcano_sched};

use crate::engine::{Engine, SimTime, Stop};
use crate::error::InputError;
use crate::input::spec::WorkloadKind;
use cluster::NodeId;
use record::{EventRow, RunResult};
use scheduler::Scheduler;

/// Events between two calls of a run's probe ([`World::run_probed`]): a few dozen a second.
pub const PROBE_EVERY: u64 = 1 << 16;

/// A run's probe: called with the simulated time and the events processed so far.
pub type Probe<'a> = &'a dyn Fn(SimTime, u64);

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
    JobSetSync {
        wl: WlId,
    },
    /// A ReplicaSet, Deployment or StatefulSet controller sync.
    ServingSync {
        wl: WlId,
    },
    /// A step of a serving workload's `kubesim.io/replicas-schedule`.
    ServingScale {
        wl: WlId,
    },
    /// A LeaderWorkerSet controller sync (`controllers::lws`).
    LwsSync {
        wl: WlId,
    },
    /// A Kubeflow training job's reconcile at its active deadline.
    KubeflowSync {
        wl: WlId,
    },
    /// A RayCluster's or RayJob's timer (active deadline, shutdown after the job, an HTTPMode
    /// job's end).
    RaySync {
        wl: WlId,
    },
    SchedFlushUnschedulable,
    SchedFlushBackoff,
    SchedCycle,
    /// End-of-instant deadlock check.
    DeadlockCheck,
    /// A volcano-scheduler session.
    VolcanoSession,
    /// A pass of the backfill policy (`policy::backfill`).
    BackfillPass,
    /// A Volcano job's controller retries a sync whose pod creates were refused.
    VcResync {
        wl: WlId,
    },
    /// A Kueue scheduling cycle.
    KueueCycle,
    /// A Kueue workload's requeue backoff ended.
    KueueRequeue,
    /// Kueue's InadmissibleWorkloadRequeuer moves a cohort's (or a lone ClusterQueue's)
    /// inadmissible workloads back to their heaps.
    KueueInadmissibleRequeue {
        group: u32,
    },
    /// waitForPodsReady's timeout for one admission of a workload.
    KueuePodsReady {
        wl: WlId,
        epoch: u32,
    },
    /// A Kueue write for one admission of a workload was sent: its effect.
    KueueStep {
        wl: WlId,
        epoch: u32,
        step: crate::policy::kueue::KueueStep,
    },
    /// A ClusterQueue's or LocalQueue's status reconcile (Kueue's controller of that kind).
    KueueQueueStatus {
        kind: crate::policy::kueue::QueueKind,
        id: u32,
    },
    /// A ClusterQueue's status write is sent.
    KueueCqWritten {
        cq: u32,
    },
    /// A bare Kueue Workload's run time since one admission is over.
    KueueWorkloadFinish {
        wl: WlId,
        epoch: u32,
    },
    /// A Job whose Workload Kueue deactivated is deleted (objectRetentionPolicies).
    KueueDeleteDeactivated {
        wl: WlId,
    },
    /// The Job controller's pooled pod creations of this instant.
    CreatePods,
    /// A Volcano job controller pod create issued earlier is sent (its client's token is
    /// due): the pod of slot (`task`, `index`) of the job's `retry` (its retry count then).
    VcPodCreate {
        wl: WlId,
        task: u16,
        index: u32,
        retry: u32,
    },
    /// A new pod reaches the scheduler's informer (the watch delay).
    PodSeen {
        pod: PodId,
    },
    /// kube-scheduler's delete of a preemption victim is sent (its client's token is due).
    PreemptVictim {
        pod: PodId,
    },
    /// A scheduler's Binding issued earlier is sent (its client's token is due).
    BindSent {
        pod: PodId,
        epoch: u32,
    },
    /// A Volcano job controller write issued earlier is sent (its client's token is due).
    VcWrite {
        wl: WlId,
        write: crate::controllers::volcano_job::VcWrite,
    },
    /// A Job controller write issued earlier is sent (its client's token is due).
    JobWrite {
        wl: WlId,
        write: crate::controllers::job::JobWrite,
    },
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

// Every pending event is one of these, in the queue's arrays: keep it within 24 bytes.
const _: () = assert!(std::mem::size_of::<Ev>() <= 24, "Ev grew past 24 bytes");

/// Settings of one run: constants, its seed and bounds.
pub struct RunConfig {
    pub lat: crate::input::spec::Latencies,
    pub seed: u64,
    pub policy_name: String,
    pub check_invariants: bool,
    pub horizon: Option<SimTime>,
    pub sim_loc: crate::input::spec::SourceLoc,
    pub max_events_line: Option<usize>,
    /// Simulation `defaultDuration` rules.
    pub default_durations: Vec<crate::input::spec::DefaultDuration>,
    /// The wall clock at t = 0 (Simulation `startTime`), for cron schedules.
    pub start_time: chrono::DateTime<chrono::Utc>,
}

/// The controllers' own state (arrivals, CronJobs, node lifecycle, quota, the Job and Volcano job controllers).
pub struct Controllers {
    pub(crate) streams: Vec<crate::controllers::arrivals::Stream>,
    /// CronJobs and their controller state.
    pub cron: Vec<cronjob::CronState>,
    /// Node failures and taints.
    pub faults: faults::Faults,
    /// ResourceQuota and LimitRange admission, when the scenario has some.
    pub admission: Option<Box<quota::Admission>>,
    /// The Job controller's pod creations not sent yet (`controllers::job::client`).
    pub creations: crate::controllers::job::Creations,
    /// Volcano jobs not finished yet.
    pub vc_live: std::collections::BTreeSet<WlId>,
    /// The JobSet controller's state.
    pub jobsets: crate::controllers::jobset::JobSets,
    /// The ReplicaSet, Deployment and StatefulSet controllers' state.
    pub servings: crate::controllers::serving::Servings,
    /// The LeaderWorkerSet controller's state.
    pub lws: crate::controllers::lws::Lwss,
    /// The Kubeflow training-operator controller's state.
    pub kubeflow: crate::controllers::kubeflow::KubeflowJobs,
    /// The MPI Operator's state.
    pub mpi: crate::controllers::mpijob::MpiJobs,
    /// The KubeRay operator's state (RayClusters, RayJobs).
    pub ray: crate::controllers::ray::RayObjects,
}

impl Controllers {
    /// The workload whose jobs.csv row a child Job is in, and which Kueue admits for it: its
    /// JobSet, or the MPIJob it is the launcher of.
    pub fn parent_of(&self, wl: WlId) -> Option<WlId> {
        self.jobsets.parent(wl).or_else(|| self.mpi.parent(wl))
    }
}

/// The scheduling policy of the run and its state.
pub struct Scheduling {
    pub policy: Policy,
    pub kube: Scheduler,
    pub volcano: volcano_sched::VolcanoSched,
    /// Kueue's admission state (the `kueue` policy).
    pub kueue: Option<Box<kueue::KueueState>>,
    /// The backfill policies' queue and running workloads (`easy-backfill`).
    pub backfill: crate::policy::backfill::BackfillSched,
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
        self.kube.holds(pod) || self.volcano.waiting[pod as usize] || self.backfill.holds(pod)
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
    /// Each component's API client (indexed by `Client`; None: client limits off): every
    /// modelled write passes its bucket (`api_send`).
    pub(crate) api: [Option<crate::rate::TokenBucket>; Client::COUNT],
    /// The workload `kubesim explain` follows, if any (`follow`).
    pub(crate) follow: Option<Box<follow::Follow>>,
}

pub use crate::limits::{MAX_POD_IDS, MAX_PODS};
/// The API clients whose writes wait for their rate limits.
pub use crate::rate::Client;

impl World {
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

    pub fn now(&self) -> SimTime {
        self.engine.now()
    }

    pub fn event(&mut self, object: impl FnOnce() -> String, event: &'static str, detail: impl FnOnce() -> String) {
        if self.rec.record_events {
            let object = object();
            if self.follow.is_some() {
                self.follow_event(object, event, detail);
                return;
            }
            let row = EventRow {
                time: self.now(),
                object,
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
        format!(
            "{}/{}",
            self.store.protos[w.proto as usize].spec.namespace,
            self.store.pod_name(pod)
        )
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
    pub fn run(self) -> Result<RunResult, InputError> {
        self.run_loop(None).map(|(r, _)| r)
    }

    /// Run to the end and report, with what the run recorded of the workload it follows
    /// ([`World::follow`]; None when it follows none, or none of that name was created).
    pub fn run_following(self) -> Result<(RunResult, Option<crate::observe::explain::Trail>), InputError> {
        self.run_loop(None)
    }

    /// [`World::run`], calling `probe(now, events processed)` after every `every` events (the
    /// progress display uses [`PROBE_EVERY`]). The probe only reads the clock and the count; the
    /// results are the same as [`World::run`]'s (tests/golden.rs runs the goldens probed).
    pub fn run_probed(self, every: u64, probe: Probe<'_>) -> Result<RunResult, InputError> {
        self.run_loop(Some((every.max(1), probe))).map(|(r, _)| r)
    }

    /// The run loop; without a probe it pays one comparison per event.
    #[allow(clippy::type_complexity)]
    fn run_loop(
        mut self,
        probe: Option<(u64, Probe<'_>)>,
    ) -> Result<(RunResult, Option<crate::observe::explain::Trail>), InputError> {
        let every = probe.map_or(u64::MAX, |(e, _)| e);
        let mut next_probe = every;
        let stop = loop {
            match self.engine.pop() {
                Ok((_, ev)) => {
                    self.dispatch(ev);
                    if self.engine.processed() >= next_probe {
                        next_probe = next_probe.saturating_add(every);
                        if let Some((_, p)) = probe {
                            p(self.now(), self.engine.processed());
                        }
                    }
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
        let trail = self.follow_trail();
        Ok((self.finish(end)?, trail))
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
            Ev::JobSetSync { wl } => self.jobset_sync_event(wl),
            Ev::ServingSync { wl } => self.serving_sync_event(wl),
            Ev::ServingScale { wl } => self.serving_scale(wl),
            Ev::LwsSync { wl } => self.lws_sync_event(wl),
            Ev::KubeflowSync { wl } => self.kubeflow_sync_event(wl),
            Ev::RaySync { wl } => self.ray_sync_event(wl),
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
            Ev::BackfillPass => self.backfill_pass(),
            Ev::VcResync { wl } => self.vc_resync(wl),
            Ev::KueueCycle => self.kueue_cycle(),
            Ev::KueueRequeue => self.kueue_kick(),
            Ev::KueueInadmissibleRequeue { group } => self.kueue_requeue_due(group as usize),
            Ev::KueuePodsReady { wl, epoch } => self.kueue_pods_ready(wl, epoch),
            Ev::KueueStep { wl, epoch, step } => self.kueue_step(wl, epoch, step),
            Ev::KueueQueueStatus { kind, id } => self.kueue_queue_reconcile(kind, id),
            Ev::KueueCqWritten { cq } => self.kueue_cq_written(cq),
            Ev::KueueWorkloadFinish { wl, epoch } => self.kueue_workload_finish(wl, epoch),
            Ev::KueueDeleteDeactivated { wl } => self.delete_job(wl, "Deactivated"),
            Ev::CreatePods => self.create_pods_flush(),
            Ev::JobWrite { wl, write } => self.job_write_sent(wl, write),
            Ev::BindSent { pod, epoch } => self.bind_sent(pod, epoch),
            Ev::PreemptVictim { pod } => self.preempt_victim(pod),
            Ev::PodSeen { pod } => self.pod_seen(pod),
            Ev::VcPodCreate { wl, task, index, retry } => self.vc_pod_create_sent(wl, task, index, retry),
            Ev::VcWrite { wl, write } => self.vc_write_sent(wl, write),
            Ev::PermitTimeout { gang, generation } => self.cosched_timeout(gang, generation),
        }
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
