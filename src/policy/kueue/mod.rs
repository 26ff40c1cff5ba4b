//! The `kueue` policy (semantics.md section 6): Kueue's admission in front of kube-default.
//!
//! A batch/v1 Job labelled `kueue.x-k8s.io/queue-name: <LocalQueue>` is managed: created
//! suspended (Kueue's webhook), its Workload asks its ClusterQueue for the quota of all its pods
//! at once (count = parallelism, or completions when fewer), and the Job is resumed when the
//! quota is reserved (all-or-nothing admission, KQ-O3); kube-default then places its pods.
//! Jobs without the label are not managed and run directly (`manageJobsWithoutQueueName`
//! false, Kueue's default).
//!
//! Scheduling cycles (KQ-S1) run at every instant where something changed, and repeat within
//! the instant while they admit, evict or set a workload aside: one head per ClusterQueue
//! (heap order KQ-S2: priority, then queue-order timestamp, then creation), flavors assigned by
//! [`quota::assign_flavors`]; entries processed non-borrowing first, then by priority,
//! then FIFO; an entry admitted only if it still fits after earlier admissions of the cycle.
//! A head that does not fit: StrictFIFO keeps it at the head (it blocks the queue);
//! BestEffortFIFO sets it aside (inadmissible) until Kueue's InadmissibleWorkloadRequeuer puts
//! its cohort's inadmissible workloads back, `requeueBatchPeriod` (1 s,
//! `latencies.kueueRequeueBatch`) after quota is released in the cohort (KQ-S3; kueue
//! `pkg/cache/queue/inadmissible_workloads.go` `notifyRetryInadmissibleWithoutLock`,
//! `workqueueRequeuer`, `queueInadmissibleWorkloads`). With SchedulingEquivalenceHashing (on
//! by default; `pkg/cache/queue/cluster_queue.go` `requeueIfNotPresent`,
//! `handleInadmissibleHash`, `AddOrUpdateWorkload`) a head that found no flavor or no
//! preemption candidates takes the pending workloads of its shape along, and later ones of that
//! shape go straight to the inadmissible list until the next requeue.
//! A head that could fit by preempting (KQ-S4) evicts its victims ([`quota::
//! preemption_targets`]) and waits for their quota to be released.
//!
//! Eviction (preemption, PodsReady timeout or deactivation) suspends the Job: its pods are deleted (not
//! failures) and the quota is released once none of its pods is left running or terminating;
//! the workload then queues again. waitForPodsReady as Kueue's Configuration sets it
//! ([`crate::input::spec::KueueConfig`]; v1beta2 defaults: on, 30 min, requeue backoff 60 s
//! doubling to 3600 s, no limit, blockAdmission off): a workload whose pods are not all ready
//! (running) or succeeded `timeout` after admission, or `recoveryTimeout` after it lost
//! PodsReady, is evicted, requeued with the eviction (or creation) time as its queue-order
//! timestamp, and not admissible before its backoff ends; past `backoffLimitCount` it is
//! deactivated. blockAdmission holds every admission while a workload holding quota is not
//! PodsReady. Jobs without the label go to their namespace's `default` LocalQueue if it exists.
//!
//! Each ClusterQueue keeps its pending workloads in a heap and, under BestEffortFIFO, the ones
//! set aside grouped by shape (prototype and priority: they ask the same and fail alike); after
//! a release only each shape's first is tried again, which is what retrying all of them would
//! decide, without a deep queue costing its length at every release. A workload that does not
//! fit because it asks for a resource its ClusterQueue does not cover gets a
//! `WorkloadInadmissible` event naming the resource. A cycle that leaves a workload pending
//! writes the reason and message Kueue would (`messages`), once per change. The workloads
//! holding quota are kept per ClusterQueue ([`quota::AdmittedByCq`]) in step with admissions,
//! evictions and releases, as Kueue's cache keeps them; the preemption oracle and target search
//! read only the ClusterQueues that may give candidates, so a cycle costs the same however
//! many workloads run.
//!
//! Differences: the Kueue loop's 1-10 ms pauses are zero; the requeue backoff has no jitter;
//! a scheduler released by blockAdmission admits the next cycle's head; cohorts are one
//! level deep and fair sharing is off (see `kueue_quota`); a flavor's node labels and taints
//! are matched against the pod template's nodeSelector and tolerations, and its node labels
//! and tolerations are added to the admitted pods.

mod bare;
mod client;
mod queue_status;
use queue_status::LqId;
pub use queue_status::QueueKind;
mod messages;
mod pods_ready;
pub mod quota;

use std::collections::BTreeMap;

use crate::engine::SimTime;
use crate::input::spec::{QueueingStrategy, ResourceList, Scenario, WorkloadKind};
use crate::sim::{ClassId, Ev, WlId, World, class};
pub use client::KueueStep;
use messages::Pending;
use quota::{AdmittedByCq, AdmittedWorkload, CqId, Fr, PreemptionMode, Preemptor, QuotaTree};

/// Scheduling cycles at one instant at most (each admits, evicts or sets a workload aside).
const MAX_CYCLES_PER_INSTANT: usize = 10_000;

/// The label a Job names its LocalQueue with.
pub const QUEUE_LABEL: &str = "kueue.x-k8s.io/queue-name";
/// The LocalQueue a Job without a queue-name label goes to if its namespace has one so named.
pub const DEFAULT_LOCAL_QUEUE: &str = "default";
/// The label a Job names its WorkloadPriorityClass with.
pub const PRIORITY_LABEL: &str = "kueue.x-k8s.io/priority-class";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WkState {
    Pending,
    Admitted,
    /// Evicted; its quota is held until its pods are gone.
    Evicting,
}

/// A Job's Workload.
#[derive(Clone, Debug)]
struct Wk {
    /// Its ClusterQueue; `None` when its LocalQueue or namespace lets no ClusterQueue take it.
    cq: Option<CqId>,
    /// Its LocalQueue, when it has a ClusterQueue.
    lq: Option<LqId>,
    priority: i32,
    request: ResourceList,
    /// Queue-order timestamp (creation, or the last PodsReady-timeout eviction).
    order_ms: u64,
    created_ms: u64,
    state: WkState,
    /// Not admissible before this (waitForPodsReady requeue backoff).
    requeue_at: Option<SimTime>,
    requeue_count: u32,
    /// Pods of its Job ready (running) or succeeded, kept by [`World::kueue_pod_readiness`].
    ready: u32,
    /// Its pod-set count (KQ-W2: PodsReady when `ready >= count`).
    count: u32,
    /// A bare Workload running: its queue holds its requests (queues.csv), as a Job's pods
    /// would.
    holds: bool,
    /// The PodsReady condition of the current admission.
    pods_ready: bool,
    /// Deactivated (`spec.active: false`) after too many PodsReady requeues: never admitted
    /// again.
    deactivated: bool,
    /// Where it waits (see [`CqQueue`]) and its key there.
    loc: Loc,
    key: Key,
    /// Its scheduling shape ([`scheduling_shape`]) and priority: workloads that share them ask
    /// the same and fail alike.
    shape: (u64, i32),
    /// Invalidates PodsReady timers of an earlier admission.
    epoch: u32,
    /// The epoch of its PodsReady timer while one is pending and still live (each epoch arms
    /// at most one); a timer made obsolete is marked stale in the engine so that it no longer
    /// keeps the run going.
    timer: Option<u32>,
    /// It has evicted victims and waits for their quota: it heads its ClusterQueue until it
    /// is admitted or can no longer preempt.
    preempting: bool,
    /// Its last pending event while pending: what the message was made from (compared first,
    /// without formatting) and the reason and message.
    last_pending: Option<(messages::PendingKey, String)>,
}

impl Wk {
    /// Holding quota without being PodsReady: it blocks admission under blockAdmission
    /// (an evicted workload's pods are stopping).
    fn not_ready(&self) -> bool {
        self.state == WkState::Evicting || (self.state == WkState::Admitted && !self.pods_ready)
    }
}

/// Heap order within a ClusterQueue (KQ-S2): priority (a workload waiting for its victims
/// first), queue-order timestamp, creation, id.
type Key = (i32, u64, u64, WlId);

/// One scheduling cycle's running state.
struct Cycle {
    now: SimTime,
    /// Some ClusterQueue may preempt: the preemption oracle and targets read
    /// [`KueueState::admitted`] (else no workload is a candidate).
    preempting_cqs: bool,
    /// The cycle's view of the quota: admissions, plus what preempting entries reserve so that
    /// a later entry cannot take the room their victims free (scheduler.go `cycleCohortsUsage`:
    /// an entry that no longer fits after another is skipped). Copied from the tree on the
    /// cycle's first admission or reservation.
    tree: Option<QuotaTree>,
    /// The cycle admitted, evicted or set aside a workload.
    changed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Loc {
    /// Not waiting (admitted, evicting, or no ClusterQueue will take it).
    None,
    Queued,
    /// Set aside (BestEffortFIFO) with the workloads of its shape.
    Aside,
    /// Waiting for its requeue backoff.
    Backoff,
}

/// A ClusterQueue's pending workloads: those to try in heap order, and those BestEffortFIFO set
/// aside, grouped by shape. Kueue puts every inadmissible workload of a cohort back into the
/// heap when its requeuer runs (after a release); workloads of one shape would fail alike, so
/// only each shape's first is tried again then (`requeue_gen` newer than the shape's), which
/// keeps a deep queue from costing its length at every release.
#[derive(Clone, Debug, Default)]
struct CqQueue {
    queued: std::collections::BTreeSet<Key>,
    aside: BTreeMap<(u64, i32), (u64, std::collections::BTreeSet<Key>)>,
    /// Bumped when the requeuer moves this ClusterQueue's inadmissible workloads back.
    requeue_gen: u64,
    /// SchedulingEquivalenceHashing: the shapes whose workloads go straight to the
    /// inadmissible list until the next requeue (`hashToBulkMoveReason`).
    bulk_moved: std::collections::BTreeSet<(u64, i32)>,
    /// Its requeue group: its root cohort, or itself without one (an index into
    /// [`KueueState::requeue_at`]).
    group: usize,
}

/// Kueue's state in one run.
#[derive(Clone, Debug)]
pub struct KueueState {
    tree: QuotaTree,
    strategy: Vec<QueueingStrategy>,
    /// ClusterQueue admitting each namespace (by its namespaceSelector).
    selectors: Vec<Option<crate::input::spec::LabelSelector>>,
    /// (namespace, LocalQueue) -> its ClusterQueue and its id (LocalQueues whose
    /// ClusterQueue exists, in the scenario's order).
    local_queues: BTreeMap<(String, String), (CqId, LqId)>,
    priority_classes: BTreeMap<String, i32>,
    namespace_labels: BTreeMap<String, BTreeMap<String, String>>,
    /// Per flavor (tree index): node labels, taints, tolerations.
    flavors: Vec<crate::input::spec::ResourceFlavorSpec>,
    /// Live Workloads (a finished one is dropped once its quota is released).
    wls: BTreeMap<WlId, Wk>,
    queues: Vec<CqQueue>,
    /// Workloads waiting for their requeue backoff, by the time it ends.
    backoff: std::collections::BTreeSet<(SimTime, WlId)>,
    /// Workloads holding quota (admitted or evicting), per ClusterQueue and by id, as the
    /// preemption oracle and targets read them: kept in step with admissions, evictions and
    /// releases, within a cycle and between cycles.
    admitted: AdmittedByCq,
    /// Per requeue group (a cohort, or a ClusterQueue without one): when the
    /// InadmissibleWorkloadRequeuer moves its inadmissible workloads back, if it is due, and
    /// whether a live event is scheduled for it (a requeue with no workload set aside is a
    /// daemon event: it does not keep the run going).
    requeue_at: Vec<Option<(SimTime, bool)>>,
    /// The ClusterQueues of each requeue group.
    group_members: Vec<Vec<CqId>>,
    /// `latencies.kueueRequeueBatch`: from a release to that requeue.
    requeue_batch_ms: u64,
    requeue_scheduled: Option<SimTime>,
    cycle_at: Option<SimTime>,
    /// Kueue's Configuration (waitForPodsReady, which Jobs it manages, excluded resources).
    cfg: crate::input::spec::KueueConfig,
    /// blockAdmission held a cycle back: a cycle runs when no admitted workload is waiting for
    /// its pods any more.
    blocked: bool,
    /// Workloads holding quota that are not PodsReady ([`Wk::not_ready`]).
    not_ready: usize,
    /// The scheduler waits for its writes until then: no cycle starts earlier.
    busy_until: SimTime,
    /// The ClusterQueue and LocalQueue controllers' status writes (`queue_status`).
    cq_ctl: queue_status::StatusController,
    lq_ctl: queue_status::StatusController,
    /// Per LocalQueue: its Workloads pending and holding quota.
    lq_counts: Vec<queue_status::LqCounts>,
    /// The scheduling shape of each prototype's workloads, computed once.
    shapes: BTreeMap<u32, u64>,
}

/// A workload's scheduling shape, as Kueue's SchedulingEquivalenceHashing hashes it
/// (`pkg/workload/workload.go` `computeSchedulingHash`, `pkg/util/pod/pod.go` `SpecShape`): per
/// pod set its name, count and pod spec shape (each container's requests, the node selector,
/// affinity, tolerations, priority class and priority, overhead, pod-level requests; not the
/// images, commands or limits). The workload's priority is kept beside it. A stable hash of
/// the fields' debug text.
/// A Ray head's requests with the autoscaler sidecar KubeRay adds to it when in-tree
/// autoscaling is on: 500m CPU and 512Mi (kueue `pkg/controller/jobs/raycluster/common.go`
/// `autoscalerContainer`, `defaultAutoscalerResources`; `autoscalerOptions.resources` is not
/// read).
fn ray_head_with_autoscaler(head: &ResourceList) -> ResourceList {
    let mut r = head.clone();
    for (name, v) in [("cpu", 500), ("memory", 512 << 20)] {
        let e = r.entry(name.to_string()).or_insert(0);
        *e = e.saturating_add(v);
    }
    r
}

fn scheduling_shape(spec: &crate::input::spec::WorkloadSpec) -> u64 {
    let mut h = crate::engine::StableHasher::new();
    let mut set = |name: &str, count: u32, t: &crate::input::spec::PodTemplate| {
        use std::fmt::Write;
        let _ = write!(h, "{name}\0{count}\0");
        for c in &t.containers {
            let _ = write!(h, "{:?}{}{}\0", c.requests, c.init, c.sidecar);
        }
        let _ = write!(
            h,
            "{:?}{:?}{:?}{:?}{:?}{:?}{:?}\0",
            t.node_selector,
            t.affinity_terms,
            t.tolerations,
            t.priority_class_name,
            t.priority,
            t.overhead,
            t.pod_level_requests
        );
    };
    match &spec.kind {
        WorkloadKind::Job(job) => set("main", pods_count(job), &job.template),
        WorkloadKind::KueueWorkload(b) => {
            for p in &b.pod_sets {
                set(&p.name, p.count, &p.template);
            }
        }
        WorkloadKind::JobSet(s) => {
            for r in &s.replicated_jobs {
                set(
                    &r.name.to_lowercase(),
                    r.replicas.saturating_mul(r.pods_per_job()),
                    &r.job.template,
                );
            }
        }
        WorkloadKind::Kubeflow(k) => {
            for r in &k.replicas {
                set(&r.rtype.to_lowercase(), r.replicas, &r.template);
            }
        }
        WorkloadKind::MpiJob(m) => {
            for r in m.replica_specs() {
                set(&r.rtype.to_lowercase(), r.replicas, &r.template);
            }
        }
        WorkloadKind::Ray(r) => {
            for g in &r.groups {
                set(&g.name, g.kueue_pods, &g.template);
            }
        }
        _ => {}
    }
    h.finish()
}

/// A Job's pod-set count as Kueue's Job integration gives it: parallelism (default 1), or
/// completions when fewer.
fn pods_count(job: &crate::input::spec::JobSpec) -> u32 {
    let p = job.parallelism.unwrap_or(1);
    job.completions.map_or(p, |c| p.min(c))
}

/// waitForPodsReady requeue backoff: `min(base * 2^(n-1), max)` (KQ-W3, without jitter;
/// Kueue's defaults 60 s and 3600 s).
pub fn requeue_backoff_ms(w: &crate::input::spec::WaitForPodsReady, n: u32) -> u64 {
    crate::sim::backoff_ms(u64::from(w.backoff_base_s) * 1000, u64::from(w.backoff_max_s) * 1000, n)
}

impl KueueState {
    pub fn new(sc: &Scenario) -> KueueState {
        let tree = QuotaTree::new(&sc.cluster_queues);
        let mut local_queues = BTreeMap::new();
        for lq in &sc.local_queues {
            if let Some(cq) = tree.cq_id(&lq.cluster_queue) {
                let key = (lq.namespace.clone(), lq.name.clone());
                let id = local_queues.get(&key).map_or(local_queues.len(), |&(_, id)| id);
                local_queues.insert(key, (cq, id));
            }
        }
        let n_lqs = local_queues.len();
        let mut namespace_labels: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for ns in &sc.namespaces {
            namespace_labels.insert(ns.name.clone(), ns.labels.clone());
        }
        let flavors = tree
            .flavors
            .iter()
            .map(|name| {
                sc.resource_flavors
                    .iter()
                    .find(|f| &f.name == name)
                    .cloned()
                    .unwrap_or_else(|| crate::input::spec::ResourceFlavorSpec {
                        name: name.clone(),
                        node_labels: BTreeMap::new(),
                        node_taints: Vec::new(),
                        tolerations: Vec::new(),
                        loc: Default::default(),
                    })
            })
            .collect();
        // Requeue groups: the cohorts, then one per ClusterQueue without a cohort.
        let mut group_members: Vec<Vec<CqId>> = tree.cohorts.iter().map(|c| c.members.clone()).collect();
        let mut queues = vec![CqQueue::default(); sc.cluster_queues.len()];
        for (cq, q) in queues.iter_mut().enumerate() {
            q.group = match tree.cqs[cq].cohort {
                Some(c) => c,
                None => {
                    group_members.push(vec![cq]);
                    group_members.len() - 1
                }
            };
        }
        KueueState {
            strategy: sc.cluster_queues.iter().map(|c| c.queueing_strategy).collect(),
            selectors: sc.cluster_queues.iter().map(|c| c.namespace_selector.clone()).collect(),
            tree,
            local_queues,
            priority_classes: sc
                .workload_priority_classes
                .iter()
                .map(|p| (p.name.clone(), p.value))
                .collect(),
            namespace_labels,
            flavors,
            wls: BTreeMap::new(),
            queues,
            backoff: Default::default(),
            admitted: Default::default(),
            requeue_at: vec![None; group_members.len()],
            group_members,
            requeue_batch_ms: sc.sim.latencies.kueue_requeue_batch_ms,
            requeue_scheduled: None,
            cycle_at: None,
            cfg: sc.kueue_config.clone(),
            blocked: false,
            not_ready: 0,
            busy_until: SimTime(0),
            cq_ctl: queue_status::StatusController::new(sc, sc.cluster_queues.len()),
            lq_ctl: queue_status::StatusController::new(sc, n_lqs),
            lq_counts: vec![Default::default(); n_lqs],
            shapes: BTreeMap::new(),
        }
    }

    /// The ClusterQueue a Job in `namespace` naming LocalQueue `lq` goes to, if its
    /// namespaceSelector admits the namespace (nil selects nothing; `{}` everything).
    pub fn cluster_queue(&self, namespace: &str, lq: &str) -> Option<CqId> {
        self.queues_of(namespace, lq).map(|(cq, _)| cq)
    }

    /// [`Self::cluster_queue`], with the LocalQueue's id.
    fn queues_of(&self, namespace: &str, lq: &str) -> Option<(CqId, LqId)> {
        let (cq, id) = *self.local_queues.get(&(namespace.to_string(), lq.to_string()))?;
        let sel = self.selectors[cq].as_ref()?;
        self.namespace_matches(sel, namespace).then_some((cq, id))
    }

    /// Whether `namespace` (its labels and `kubernetes.io/metadata.name`) matches `sel`.
    fn namespace_matches(&self, sel: &crate::input::spec::LabelSelector, namespace: &str) -> bool {
        let mut labels = self.namespace_labels.get(namespace).cloned().unwrap_or_default();
        labels.insert("kubernetes.io/metadata.name".into(), namespace.to_string());
        crate::model::cluster::selector_matches(sel, &labels)
    }

    /// The LocalQueue of a new workload if Kueue manages it (a bare Workload's `queueName`;
    /// batch/v1 Jobs only when
    /// `integrations.frameworks` lists batch/job): its queue-name label; else `default` when
    /// its namespace has a LocalQueue so named and matches managedJobsNamespaceSelector
    /// (`jobframework/defaults.go` `ApplyDefaultLocalQueue`); else, under
    /// manageJobsWithoutQueueName in such a namespace, no queue (`""`: it never gets quota;
    /// `jobframework/reconciler.go` `ReconcileGenericJob`).
    pub fn queue_name(&self, spec: &crate::input::spec::WorkloadSpec) -> Option<String> {
        if let WorkloadKind::KueueWorkload(b) = &spec.kind {
            // A bare Workload names its LocalQueue itself.
            return Some(b.queue_name.clone());
        }
        let integrated = match spec.kind {
            WorkloadKind::Job(_) => self.cfg.manages_batch_jobs,
            WorkloadKind::JobSet(_) => self.cfg.manages_jobsets,
            WorkloadKind::MpiJob(_) => self.cfg.manages_mpijobs,
            WorkloadKind::Kubeflow(ref k) => match k.framework {
                crate::input::spec::KubeflowFramework::PyTorch => self.cfg.manages_pytorchjobs,
                crate::input::spec::KubeflowFramework::TensorFlow => self.cfg.manages_tfjobs,
                crate::input::spec::KubeflowFramework::Jax => self.cfg.manages_jaxjobs,
                crate::input::spec::KubeflowFramework::Paddle => self.cfg.manages_paddlejobs,
                crate::input::spec::KubeflowFramework::XGBoost => self.cfg.manages_xgboostjobs,
            },
            WorkloadKind::Ray(ref r) if r.job.is_some() => self.cfg.manages_rayjobs,
            WorkloadKind::Ray(_) => self.cfg.manages_rayclusters,
            _ => false,
        };
        if !integrated {
            return None;
        }
        if let Some(lq) = spec.labels.get(QUEUE_LABEL) {
            return Some(lq.clone());
        }
        let ns = &spec.namespace;
        let has_default = self
            .local_queues
            .contains_key(&(ns.clone(), DEFAULT_LOCAL_QUEUE.to_string()));
        if !has_default && !self.cfg.manage_jobs_without_queue_name {
            return None;
        }
        if !self.namespace_matches(&self.cfg.managed_jobs_namespace_selector, ns) {
            return None;
        }
        Some(if has_default {
            DEFAULT_LOCAL_QUEUE.to_string()
        } else {
            String::new()
        })
    }

    /// The priority of a Workload Kueue manages: a bare Workload's `spec.priority` (0 if
    /// unset: `pkg/util/priority/priority.go` `Priority`); for a Job, the value of the
    /// WorkloadPriorityClass its `kueue.x-k8s.io/priority-class` label names, else its pods'
    /// priority `pod_priority`.
    pub fn workload_priority(&self, spec: &crate::input::spec::WorkloadSpec, pod_priority: i32) -> i32 {
        if let WorkloadKind::KueueWorkload(b) = &spec.kind {
            return b.priority.unwrap_or(0);
        }
        spec.labels
            .get(PRIORITY_LABEL)
            .and_then(|p| self.priority_classes.get(p).copied())
            .unwrap_or(pod_priority)
    }

    /// What a workload asks of quota: without the resources `resources.excludeResourcePrefixes`
    /// names, and under `quotaCheckStrategy: IgnoreUndeclared` without those its
    /// ClusterQueue does not cover (`pkg/workload/resources.go`).
    fn quota_request(&self, cq: Option<CqId>, mut request: ResourceList) -> ResourceList {
        let prefixes = &self.cfg.exclude_resource_prefixes;
        request.retain(|name, _| !prefixes.iter().any(|p| name.starts_with(p.as_str())));
        if let Some(cq) = cq
            && self.cfg.quota_ignore_undeclared
        {
            request.retain(|name, _| self.covers(cq, name));
        }
        request
    }

    /// A Pending workload waits: for its backoff, else in its ClusterQueue's heap.
    fn enqueue(&mut self, wl: WlId, now: SimTime) {
        let w = self.wls.get_mut(&wl).expect("workload");
        let Some(cq) = w.cq else { return };
        w.key = (
            if w.preempting { i32::MIN } else { -w.priority },
            w.order_ms,
            w.created_ms,
            wl,
        );
        match w.requeue_at {
            Some(t) if t > now => {
                w.loc = Loc::Backoff;
                self.backoff.insert((t, wl));
            }
            _ => {
                // An equivalent workload failed since the last requeue: it waits with it
                // (`AddOrUpdateWorkload`; a preemptor is requeued at once, unchecked).
                let (shape, preempting) = (w.shape, w.preempting);
                if !preempting && self.queues[cq].bulk_moved.contains(&shape) {
                    self.put_aside(wl);
                    return;
                }
                let w = self.wls.get_mut(&wl).expect("workload");
                w.loc = Loc::Queued;
                self.queues[cq].queued.insert(w.key);
                if let Some(lq) = w.lq {
                    self.lq_counts[lq].pending += 1;
                }
            }
        }
    }

    /// Take a workload out of wherever it waits.
    fn dequeue(&mut self, wl: WlId) {
        let w = self.wls.get_mut(&wl).expect("workload");
        let (loc, key) = (w.loc, w.key);
        w.loc = Loc::None;
        let Some(cq) = w.cq else { return };
        if let (Loc::Queued | Loc::Aside, Some(lq)) = (loc, w.lq) {
            self.lq_counts[lq].pending -= 1;
        }
        match loc {
            Loc::None => {}
            Loc::Queued => {
                self.queues[cq].queued.remove(&key);
            }
            Loc::Aside => {
                let shape = w.shape;
                if let Some((_, set)) = self.queues[cq].aside.get_mut(&shape) {
                    set.remove(&key);
                    if set.is_empty() {
                        self.queues[cq].aside.remove(&shape);
                    }
                }
            }
            Loc::Backoff => {
                let t = w.requeue_at.expect("in backoff");
                self.backoff.remove(&(t, wl));
            }
        }
    }

    /// BestEffortFIFO: the head does not fit; it waits with its shape until quota is released.
    fn set_aside(&mut self, wl: WlId) {
        self.dequeue(wl);
        self.put_aside(wl);
    }

    /// SchedulingEquivalenceHashing (`requeueIfNotPresent`, `handleInadmissibleHash`): a head
    /// that did not fit (NoFit, or no preemption candidates) takes the pending workloads of its
    /// shape in its ClusterQueue to the inadmissible list, and later ones of that shape go
    /// there directly, until the next requeue.
    fn bulk_move(&mut self, cq: CqId, shape: (u64, i32)) {
        self.queues[cq].bulk_moved.insert(shape);
        let same: Vec<WlId> = self.queues[cq]
            .queued
            .iter()
            .map(|k| k.3)
            .filter(|id| self.wls[id].shape == shape && !self.wls[id].preempting)
            .collect();
        for wl in same {
            self.set_aside(wl);
        }
    }

    /// Wait with the workloads of its shape set aside (not retried before the next requeue).
    fn put_aside(&mut self, wl: WlId) {
        let w = self.wls.get_mut(&wl).expect("workload");
        w.loc = Loc::Aside;
        let (cq, shape, key) = (w.cq.expect("queued"), w.shape, w.key);
        if let Some(lq) = w.lq {
            self.lq_counts[lq].pending += 1;
        }
        let release = self.queues[cq].requeue_gen;
        let e = self.queues[cq]
            .aside
            .entry(shape)
            .or_insert((release, Default::default()));
        e.0 = release;
        e.1.insert(key);
    }

    /// The head of a ClusterQueue: its first queued workload, or the first of a shape set aside
    /// before the last requeue, whichever comes first in heap order.
    fn head(&self, cq: CqId) -> Option<Key> {
        let q = &self.queues[cq];
        let aside = q
            .aside
            .values()
            .filter(|(set_at, _)| *set_at < q.requeue_gen)
            .filter_map(|(_, set)| set.first());
        q.queued.first().into_iter().chain(aside).min().copied()
    }

    /// Workloads whose backoff has ended go back to their heaps; the next end, if any.
    fn wake(&mut self, now: SimTime) -> Option<SimTime> {
        while let Some(&(t, wl)) = self.backoff.first() {
            if t > now {
                return Some(t);
            }
            self.backoff.remove(&(t, wl));
            let w = self.wls.get_mut(&wl).expect("workload");
            w.loc = Loc::None;
            w.requeue_at = None;
            self.enqueue(wl, now);
        }
        None
    }

    /// May some ClusterQueue preempt (any preemption policy other than Never)?
    fn may_preempt(&self) -> bool {
        self.tree.cqs.iter().any(|c| {
            let p = c.preemption;
            p.within_cluster_queue != crate::input::spec::WithinCq::Never
                || p.reclaim_within_cohort != crate::input::spec::ReclaimPolicy::Never
                || p.borrow_within_cohort != crate::input::spec::BorrowPolicy::Never
        })
    }

    /// Does a resource group of the ClusterQueue cover this resource?
    pub fn covers(&self, cq: CqId, resource: &str) -> bool {
        self.tree
            .resources
            .iter()
            .position(|r| r == resource)
            .is_some_and(|r| self.tree.cqs[cq].groups.iter().any(|g| g.resources.contains(&r)))
    }

    pub fn cq_name(&self, cq: CqId) -> &str {
        &self.tree.cqs[cq].name
    }

    /// Nominal GPU quota of a ClusterQueue over its flavors (milli).
    pub fn nominal_gpu(&self, cq: CqId) -> i64 {
        let Some(r) = self.tree.resources.iter().position(|r| r == "nvidia.com/gpu") else {
            return 0;
        };
        (0..self.tree.flavors.len())
            .map(|flavor| self.tree.quota(cq, Fr { flavor, resource: r }).nominal)
            .sum()
    }

    pub fn cq_count(&self) -> usize {
        self.tree.cqs.len()
    }

    /// Every ClusterQueue's usage is within nominal + borrowingLimit (or its cohort), for the
    /// invariant checks.
    pub fn check(&self) {
        let not_ready = self.wls.values().filter(|w| w.not_ready()).count();
        assert_eq!(self.not_ready, not_ready, "Kueue's count of workloads not PodsReady");
        let mut held = 0;
        for (&id, w) in &self.wls {
            let a = w.cq.and_then(|cq| self.admitted.get(cq, id));
            match w.state {
                WkState::Pending => assert!(a.is_none(), "a pending workload holds quota"),
                WkState::Admitted | WkState::Evicting => {
                    let a = a.expect("a workload holding quota is in Kueue's admitted list");
                    assert_eq!(a.evicted, w.state == WkState::Evicting, "evicted flag of {id}");
                    assert_eq!((a.priority, a.queue_order_ms), (w.priority, w.order_ms));
                    held += 1;
                }
            }
        }
        assert_eq!(
            self.admitted.len(),
            held,
            "Kueue's admitted list holds only live workloads"
        );
        for (cq, c) in self.tree.cqs.iter().enumerate() {
            for (&fr, &used) in &c.usage {
                let q = self.tree.quota(cq, fr);
                if let Some(b) = q.borrowing_limit {
                    assert!(
                        used <= q.nominal + b,
                        "ClusterQueue {} above nominal + borrowingLimit",
                        c.name
                    );
                }
                if c.cohort.is_none() {
                    assert!(
                        used <= q.nominal,
                        "ClusterQueue {} without cohort above nominal",
                        c.name
                    );
                }
            }
        }
        for (cohort, co) in self.tree.cohorts.iter().enumerate() {
            for flavor in 0..self.tree.flavors.len() {
                for resource in 0..self.tree.resources.len() {
                    let fr = Fr { flavor, resource };
                    assert!(
                        self.tree.cohort_usage(cohort, fr) <= self.tree.cohort_subtree_quota(cohort, fr),
                        "cohort {} above its quota",
                        co.name
                    );
                }
            }
        }
    }
}

impl World {
    pub(crate) fn kq(&mut self) -> &mut KueueState {
        self.sched.kueue.as_deref_mut().expect("kueue policy")
    }

    /// Does Kueue manage this new Job? (the `kueue` policy, and [`KueueState::queue_name`]).
    pub(crate) fn kueue_manages(&self, wl: WlId) -> bool {
        let Some(k) = self.sched.kueue.as_deref() else {
            return false;
        };
        // A JobSet's Jobs (an MPIJob's launcher) are not top-level: Kueue admits their owner.
        if self.ctl.parent_of(wl).is_some() {
            return false;
        }
        k.queue_name(&self.store.protos[self.store.workloads[wl as usize].proto as usize].spec)
            .is_some()
    }

    /// A managed Job was created (suspended): its Workload queues.
    pub(crate) fn kueue_created(&mut self, wl: WlId) {
        let now = self.now();
        let spec = std::sync::Arc::clone(&self.store.protos[self.store.workloads[wl as usize].proto as usize].spec);
        let ray_head = match &spec.kind {
            WorkloadKind::Ray(r) if r.autoscaling => Some(ray_head_with_autoscaler(&r.groups[0].template.requests)),
            _ => None,
        };
        // Pod sets: a Job's one (KQ-W1), a bare Workload's own.
        let sets: Vec<(u64, &ResourceList)> = match &spec.kind {
            WorkloadKind::Job(job) => vec![(u64::from(pods_count(job)), &job.template.requests)],
            WorkloadKind::KueueWorkload(b) => b
                .pod_sets
                .iter()
                .map(|p| (u64::from(p.count), &p.template.requests))
                .collect(),
            // One pod set per replicated Job: replicas x min(parallelism, completions)
            // (kueue `pkg/controller/jobs/jobset` `PodSets`).
            WorkloadKind::JobSet(s) => s
                .replicated_jobs
                .iter()
                .map(|r| {
                    (
                        u64::from(r.replicas) * u64::from(r.pods_per_job()),
                        &r.job.template.requests,
                    )
                })
                .collect(),
            // One pod set per replica type, count = its replicas (kueue
            // `pkg/controller/jobs/kubeflow/kubeflowjob/kubeflowjob_controller.go` `PodSets`).
            WorkloadKind::Kubeflow(k) => k
                .replicas
                .iter()
                .map(|r| (u64::from(r.replicas), &r.template.requests))
                .collect(),
            // Launcher (1) and Worker (replicas) (kueue
            // `pkg/controller/jobs/mpijob/mpijob_controller.go` `PodSets`).
            WorkloadKind::MpiJob(m) => m
                .replica_specs()
                .map(|r| (u64::from(r.replicas), &r.template.requests))
                .collect(),
            // The head (1), each worker group, a RayJob's submitter (1) in K8sJobMode (kueue
            // `pkg/controller/jobs/raycluster/common.go` `BuildPodSets`,
            // `pkg/controller/jobs/rayjob/rayjob_controller.go` `PodSets`).
            // With the autoscaler on (a RayJob that is an elastic job), the head's pod set
            // counts its sidecar too.
            WorkloadKind::Ray(r) => r
                .groups
                .iter()
                .enumerate()
                .map(|(i, g)| match (i, &ray_head) {
                    (0, Some(head)) => (1, head),
                    _ => (u64::from(g.kueue_pods), &g.template.requests),
                })
                .collect(),
            _ => return,
        };
        let bare = spec.is_bare();
        let count: u64 = sets.iter().map(|(n, _)| n).sum();
        // A Ray object's PodsReady is its cluster's state Ready (`PodsReady`), which the
        // KubeRay controller reports as one signal (`ray_kueue_ready`).
        let ready_needed = if matches!(spec.kind, WorkloadKind::Ray(_)) {
            1
        } else {
            count
        };
        let k = self.sched.kueue.as_deref().expect("kueue");
        let mut request = ResourceList::new();
        for (n, requests) in &sets {
            for (name, v) in *requests {
                let total = request.entry(name.clone()).or_insert(0);
                *total = total.saturating_add(v.saturating_mul(*n as i64));
            }
        }
        if k.tree.resources.iter().any(|r| r == "pods") {
            request.insert("pods".into(), count as i64 * 1000);
        }
        let lq = k.queue_name(&spec).unwrap_or_default();
        let queues = k.queues_of(&spec.namespace, &lq);
        let (cq, lq_id) = (queues.map(|(cq, _)| cq), queues.map(|(_, id)| id));
        let request = k.quota_request(cq, request);
        let priority = k.workload_priority(
            &spec,
            self.store.protos[self.store.workloads[wl as usize].proto as usize].priority,
        );
        let inactive = matches!(&spec.kind, WorkloadKind::KueueWorkload(b) if !b.active);
        // A requested resource the ClusterQueue does not cover can never be admitted.
        let uncovered = cq.and_then(|cq| {
            request
                .iter()
                .find(|&(name, &v)| v > 0 && !k.covers(cq, name))
                .map(|(name, _)| (name.clone(), k.cq_name(cq).to_string()))
        });
        let obj = self.wl_object(wl);
        if cq.is_none() {
            self.event(
                || obj.clone(),
                "WorkloadInadmissible",
                || format!("LocalQueue {lq} does not exist or its ClusterQueue does not admit the namespace"),
            );
        }
        if let Some((resource, cq_name)) = uncovered {
            self.event(
                || obj,
                "WorkloadInadmissible",
                || format!("resource {resource} is not covered by ClusterQueue {cq_name}"),
            );
        }
        let proto = self.store.workloads[wl as usize].proto;
        let k = self.kq();
        let shape = match k.shapes.get(&proto) {
            Some(&h) => h,
            None => {
                let h = scheduling_shape(&spec);
                k.shapes.insert(proto, h);
                h
            }
        };
        let shape = (shape, priority);
        let k = self.kq();
        k.wls.insert(
            wl,
            Wk {
                cq,
                lq: lq_id,
                priority,
                request,
                order_ms: now.ms(),
                created_ms: now.ms(),
                state: WkState::Pending,
                requeue_at: None,
                requeue_count: 0,
                ready: 0,
                // A bare Workload has no pods to wait for: PodsReady once admitted.
                count: if bare { 0 } else { ready_needed as u32 },
                holds: false,
                pods_ready: false,
                deactivated: inactive,
                loc: Loc::None,
                key: (0, 0, 0, wl),
                shape,
                epoch: 0,
                timer: None,
                preempting: false,
                last_pending: None,
            },
        );
        if inactive {
            // `spec.active: false`: never queued.
            self.store.workloads[wl as usize].reason = "Inactive".into();
            return;
        }
        k.enqueue(wl, now);
        self.kueue_queues_touched(cq, lq_id);
        self.kueue_kick();
    }

    /// Ask for a scheduling cycle now.
    pub(crate) fn kueue_kick(&mut self) {
        let now = self.now();
        let k = self.kq();
        // Not before the scheduler has sent the writes it waits for.
        let at = now.max(k.busy_until);
        if k.cycle_at.is_some_and(|t| t <= at) {
            return;
        }
        k.cycle_at = Some(at);
        self.engine.schedule(at, class::SCHED_HOUSEKEEPING, Ev::KueueCycle);
    }

    /// Quota of ClusterQueue `cq` was released: workloads set aside in its cohort may fit now.
    /// The workload controller asks the InadmissibleWorkloadRequeuer
    /// (`QueueAssociatedInadmissibleWorkloadsAfter`), which moves the cohort's inadmissible
    /// workloads back to their heaps `requeueBatchPeriod` (1 s) later; requests meanwhile
    /// join the waiting one (a delaying work queue keeps one entry per cohort). The heads still
    /// in the heaps (a preemptor waiting for its victims, a StrictFIFO head) are tried at once:
    /// Kueue's scheduler loop keeps popping them.
    pub(crate) fn kueue_released(&mut self, cq: CqId) {
        let now = self.now();
        let k = self.kq();
        let group = k.queues[cq].group;
        if k.requeue_batch_ms == 0 {
            self.kueue_requeue(group);
            return;
        }
        self.kueue_kick();
        let k = self.kq();
        let live = k.group_members[group].iter().any(|&c| !k.queues[c].aside.is_empty());
        let at = match k.requeue_at[group] {
            // Joins the waiting request; a live event is added if workloads now wait for it.
            Some((_, was_live)) if was_live || !live => return,
            Some((at, _)) => at,
            None => now.plus_ms(k.requeue_batch_ms),
        };
        k.requeue_at[group] = Some((at, live));
        let ev = Ev::KueueInadmissibleRequeue { group: group as u32 };
        if live {
            self.engine.schedule(at, class::SCHED_HOUSEKEEPING, ev);
        } else {
            self.engine.schedule_daemon(at, class::SCHED_HOUSEKEEPING, ev);
        }
    }

    /// The requeuer's event: it runs once however many events were scheduled for that time
    /// (an event left from a requeue already run must not run a later one early).
    pub(crate) fn kueue_requeue_due(&mut self, group: usize) {
        let now = self.now();
        if self.kq().requeue_at[group].is_some_and(|(at, _)| at == now) {
            self.kueue_requeue(group);
        }
    }

    /// The requeuer moves the inadmissible workloads of a requeue group back to their heaps
    /// (`queueInadmissibleWorkloads`), and the scheduler runs.
    pub(crate) fn kueue_requeue(&mut self, group: usize) {
        let k = self.kq();
        k.requeue_at[group] = None;
        for i in 0..k.group_members[group].len() {
            let cq = k.group_members[group][i];
            let q = &mut k.queues[cq];
            q.requeue_gen += 1;
            q.bulk_moved.clear();
        }
        self.kueue_kick();
    }

    /// The Job finished or was deleted: its Workload is finished and releases its quota.
    pub(crate) fn kueue_job_done(&mut self, wl: WlId) {
        let Some(k) = self.sched.kueue.as_deref_mut() else {
            return;
        };
        if !k.wls.contains_key(&wl) {
            return;
        }
        k.dequeue(wl);
        let w = k.wls.remove(&wl).expect("workload");
        k.not_ready -= usize::from(w.not_ready());
        if w.timer.is_some() {
            self.engine.mark_stale();
        }
        self.kueue_queues_touched(w.cq, w.lq);
        let k = self.sched.kueue.as_deref_mut().expect("kueue");
        let held = matches!(w.state, WkState::Admitted | WkState::Evicting);
        if let (true, Some(cq)) = (held, w.cq) {
            let a = k.admitted.remove(cq, wl).expect("holding quota");
            k.tree.remove_usage(cq, &a.usage);
            if let Some(lq) = w.lq {
                k.lq_counts[lq].hold(&a.usage, -1);
            }
            self.kueue_released(cq);
        }
    }

    /// A pod of a managed Job became terminal: an evicted Workload releases its quota once
    /// none of its pods is left.
    pub(crate) fn kueue_pod_gone(&mut self, wl: WlId) {
        let Some(k) = self.sched.kueue.as_deref() else { return };
        if k.wls.get(&wl).is_none_or(|w| w.state != WkState::Evicting) {
            return;
        }
        if !self.live_pods_of(wl).is_empty() {
            return;
        }
        let now = self.now();
        let k = self.kq();
        let w = k.wls.get_mut(&wl).expect("workload");
        w.state = WkState::Pending;
        k.not_ready -= 1;
        let cq = w.cq.expect("admitted");
        let a = k.admitted.remove(cq, wl).expect("holding quota");
        k.tree.remove_usage(cq, &a.usage);
        if let Some(lq) = w.lq {
            k.lq_counts[lq].hold(&a.usage, -1);
        }
        if !w.deactivated {
            k.enqueue(wl, now);
        }
        self.kueue_wl_touched(wl);
        let obj = self.wl_object(wl);
        self.event(|| obj, "QuotaReleased", String::new);
        self.kueue_released(cq);
    }

    /// One scheduling cycle (KQ-S1), repeated within the instant while it changes something.
    pub(crate) fn kueue_cycle(&mut self) {
        let now = self.now();
        if self.kq().cycle_at != Some(now) {
            return;
        }
        self.kq().cycle_at = None;
        // blockAdmission holds the scheduler until every admitted workload is PodsReady.
        if self.kq().blocked && self.kueue_admission_blocked() {
            return;
        }
        for _ in 0..MAX_CYCLES_PER_INSTANT {
            if !self.kueue_one_cycle(now) {
                return;
            }
            let busy_until = self.kq().busy_until;
            if busy_until > now {
                // The next cycle starts once this one's writes are sent.
                self.kq().cycle_at = Some(busy_until);
                self.engine
                    .schedule(busy_until, class::SCHED_HOUSEKEEPING, Ev::KueueCycle);
                return;
            }
        }
        // Admissions and evictions that keep undoing each other (a livelock the real
        // controller would run through at its own pace): go on a millisecond later; the run's
        // event bound ends a livelock that never resolves.
        let obj = String::from("kueue");
        self.event(
            || obj,
            "KueueCyclesCapped",
            || format!("{MAX_CYCLES_PER_INSTANT} cycles at one instant"),
        );
        let next = now.plus_ms(1);
        self.kq().cycle_at = Some(next);
        self.engine.schedule(next, class::SCHED_HOUSEKEEPING, Ev::KueueCycle);
    }

    /// One scheduling cycle (Kueue's `scheduler.go` `schedule`): requeue the workloads whose
    /// backoff ended, take each ClusterQueue's head, assign flavors and order the entries
    /// (`nominate`), then admit, preempt for or set aside each entry in that order. Returns
    /// whether the cycle changed anything.
    pub(crate) fn kueue_one_cycle(&mut self, now: SimTime) -> bool {
        self.kueue_wake(now);
        // Heads: per ClusterQueue, its first workload in heap order (KQ-S2, S3).
        let k = self.sched.kueue.as_deref().expect("kueue");
        let heads: BTreeMap<CqId, Key> = (0..k.queues.len())
            .filter_map(|cq| k.head(cq).map(|h| (cq, h)))
            .collect();
        if heads.is_empty() {
            return false;
        }
        // The workloads holding quota are candidates only when some ClusterQueue may preempt.
        let preempting_cqs = self.sched.kueue.as_deref().expect("kueue").may_preempt();
        let entries = self.kueue_nominate(&heads, preempting_cqs);
        let mut cycle = Cycle {
            now,
            preempting_cqs,
            tree: None,
            changed: false,
        };
        for (wl, a) in entries {
            if !self.kueue_cycle_entry(&mut cycle, wl, a) {
                break;
            }
        }
        cycle.changed
    }

    /// Workloads whose requeue backoff ended queue again; a live event is scheduled for the
    /// next backoff end (unless one already is, no later).
    fn kueue_wake(&mut self, now: SimTime) {
        let k = self.kq();
        let next_requeue = k.wake(now);
        if let Some(t) = next_requeue
            && k.requeue_scheduled.is_none_or(|s| s <= now || s > t)
        {
            // A live event: the workload is waiting for its backoff.
            k.requeue_scheduled = Some(t);
            self.engine.schedule(t, class::SCHED_HOUSEKEEPING, Ev::KueueRequeue);
        }
    }

    /// Flavor assignment per head (`nominate`), the entries in processing order: not borrowing
    /// first, then by priority, queue order, creation and workload.
    fn kueue_nominate(&self, heads: &BTreeMap<CqId, Key>, preempting_cqs: bool) -> Vec<(WlId, quota::Assignment)> {
        let k = self.sched.kueue.as_deref().expect("kueue");
        let none = AdmittedByCq::default();
        let admitted = if preempting_cqs { &k.admitted } else { &none };
        let mut entries: Vec<(bool, i32, u64, u64, WlId, quota::Assignment)> = Vec::new();
        for (&cq, &(neg_prio, order, created, wl)) in heads {
            let a = self.kueue_assign(wl, cq, admitted);
            entries.push((a.mode.borrowing, neg_prio, order, created, wl, a));
        }
        entries.sort_by_key(|e| (e.0, e.1, e.2, e.3, e.4));
        entries.into_iter().map(|(_, _, _, _, wl, a)| (wl, a)).collect()
    }

    /// One entry of the cycle: admitted if it fits without preemption after the cycle's earlier
    /// admissions and reservations; else it preempts if it can; else BestEffortFIFO sets it
    /// aside (unless it fitted when nominated: then it is requeued at once) and StrictFIFO
    /// keeps it at the head. Returns false when blockAdmission stops the
    /// cycle at an entry that fits (the scheduler waits there until all admitted workloads
    /// are PodsReady).
    fn kueue_cycle_entry(&mut self, cycle: &mut Cycle, wl: WlId, a: quota::Assignment) -> bool {
        let cq = self.sched.kueue.as_deref().expect("kueue").wls[&wl]
            .cq
            .expect("head has a queue");
        let k = self.sched.kueue.as_deref().expect("kueue");
        let fits = a.mode.mode == PreemptionMode::Fit
            && a.usage.len() == a.flavors.len()
            && cycle.tree.as_ref().unwrap_or(&k.tree).fits(cq, &a.usage) != quota::FitMode::NoFit;
        if fits {
            if self.kueue_admission_blocked() {
                let obj = self.wl_object(wl);
                self.event(
                    || obj,
                    "WorkloadWaitingForPodsReady",
                    || "waiting for all admitted workloads to be in PodsReady condition".into(),
                );
                return false;
            }
            self.kueue_cycle_admit(cycle, wl, cq, a);
            return true;
        }
        if matches!(a.mode.mode, PreemptionMode::Preempt | PreemptionMode::Reclaim)
            && let Some(n) = self.kueue_cycle_preempt(cycle, wl, cq, &a)
        {
            // The preemptor waits for the victims' quota (requeued, not set aside).
            self.kueue_pending_event(wl, &a, Pending::Preempting(n));
            return true;
        }
        let outcome = if a.mode.mode == PreemptionMode::Fit {
            Pending::NoLongerFits
        } else {
            Pending::NotAssigned
        };
        self.kueue_pending_event(wl, &a, outcome);
        // Does not fit: BestEffortFIFO sets it aside, StrictFIFO keeps it at the head.
        let k = self.kq();
        // An entry that fitted when nominated but no longer does after an earlier entry of the
        // cycle (`skipped`: FailedAfterNomination) is requeued at once (KQ-S3): it stays in
        // its heap and the next cycle tries it again.
        if k.strategy[cq] == QueueingStrategy::BestEffortFifo && outcome != Pending::NoLongerFits {
            k.set_aside(wl);
            if k.cfg.equivalence_hashing && outcome == Pending::NotAssigned {
                let shape = k.wls[&wl].shape;
                k.bulk_move(cq, shape);
            }
            cycle.changed = true;
        }
        true
    }

    /// Admit an entry that fits: its usage joins the cycle's view of the quota (and the
    /// workloads holding quota), and its quota is reserved.
    fn kueue_cycle_admit(&mut self, cycle: &mut Cycle, wl: WlId, cq: CqId, a: quota::Assignment) {
        let k = self.sched.kueue.as_deref().expect("kueue");
        cycle.tree.get_or_insert_with(|| k.tree.clone()).add_usage(cq, &a.usage);
        self.kueue_admit(wl, cq, a.usage);
        cycle.changed = true;
    }

    /// An entry that could fit by preempting (KQ-S4; `preemptor.IssuePreemptions`): its usage
    /// is reserved in the cycle's view, its victims (still admitted) are evicted. Returns
    /// how many targets it has if it found some (it then waits for their quota); a
    /// change of its preempting state requeues it under its new key.
    fn kueue_cycle_preempt(&mut self, cycle: &mut Cycle, wl: WlId, cq: CqId, a: &quota::Assignment) -> Option<usize> {
        let k = self.sched.kueue.as_deref().expect("kueue");
        cycle.tree.get_or_insert_with(|| k.tree.clone()).add_usage(cq, &a.usage);
        let w = &k.wls[&wl];
        let preemptor = Preemptor {
            cq,
            priority: w.priority,
            queue_order_ms: w.order_ms,
        };
        let none = AdmittedByCq::default();
        let admitted = if cycle.preempting_cqs { &k.admitted } else { &none };
        let targets = quota::preemption_targets(&k.tree, &preemptor, &a.usage, admitted);
        let k = self.kq();
        let w = k.wls.get_mut(&wl).expect("workload");
        if w.preempting != targets.is_some() {
            // Its key changes (a preemptor keeps the head): wait again under it.
            w.preempting = targets.is_some();
            k.dequeue(wl);
            k.enqueue(wl, cycle.now);
        }
        let k = self.sched.kueue.as_deref().expect("kueue");
        let victims = targets?;
        // Targets already being evicted count as preempted (`IssuePreemptions`: "Preemption
        // ongoing").
        let targeted = victims.len();
        let fresh: Vec<WlId> = victims
            .into_iter()
            .filter(|v| k.wls[v].state == WkState::Admitted)
            .collect();
        for &v in &fresh {
            // Still holding quota while its pods stop (marked evicted), or released already.
            self.kueue_evict(v, "Preempted");
        }
        if !fresh.is_empty() {
            cycle.changed = true;
        }
        Some(targeted)
    }

    /// Flavor assignment of a head, with Kueue's preemption oracle.
    pub(crate) fn kueue_assign(&self, wl: WlId, cq: CqId, admitted: &AdmittedByCq) -> quota::Assignment {
        let k = self.sched.kueue.as_deref().expect("kueue");
        let w = &k.wls[&wl];
        let template = self.kueue_template(wl);
        let flavor_ok = |f: usize| {
            let fl = &k.flavors[f];
            let labels_ok = fl
                .node_labels
                .iter()
                .all(|(key, v)| template.node_selector.get(key).is_none_or(|want| want == v));
            let taints_ok = fl.node_taints.iter().all(|t| {
                t.effect == crate::input::spec::TaintEffect::PreferNoSchedule
                    || template
                        .tolerations
                        .iter()
                        .any(|tol| crate::model::cluster::tolerates(tol, t))
            });
            labels_ok && taints_ok
        };
        let preemptor = Preemptor {
            cq,
            priority: w.priority,
            queue_order_ms: w.order_ms,
        };
        let mut oracle = |fr: Fr, amount: i64| quota::simulate_preemption(&k.tree, &preemptor, admitted, fr, amount);
        quota::assign_flavors(&k.tree, cq, &w.request, &flavor_ok, &mut oracle)
    }

    /// The pod template flavors are matched against: a Job's, or a bare Workload's first pod
    /// set's (flavors are assigned to the Workload as a whole).
    pub(crate) fn kueue_template(&self, wl: WlId) -> &crate::input::spec::PodTemplate {
        self.store.protos[self.store.workloads[wl as usize].proto as usize].template(0)
    }

    /// Reserve the quota and resume the Job, with the flavor's node labels and tolerations.
    pub(crate) fn kueue_admit(&mut self, wl: WlId, cq: CqId, usage: Vec<(Fr, i64)>) {
        self.kueue_wl_touched(wl);
        let now = self.now();
        let k = self.kq();
        k.tree.add_usage(cq, &usage);
        if let Some(lq) = k.wls[&wl].lq {
            k.lq_counts[lq].hold(&usage, 1);
        }
        let flavor = usage.first().map(|(fr, _)| fr.flavor);
        let w = k.wls.get_mut(&wl).expect("workload");
        w.state = WkState::Admitted;
        k.admitted.insert(AdmittedWorkload {
            id: wl,
            cq,
            priority: w.priority,
            usage,
            queue_order_ms: w.order_ms,
            quota_reserved_ms: now.ms(),
            evicted: false,
        });
        w.requeue_at = None;
        w.preempting = false;
        w.last_pending = None;
        w.epoch += 1;
        w.pods_ready = w.ready >= w.count;
        k.not_ready += usize::from(!w.pods_ready);
        let epoch = w.epoch;
        k.dequeue(wl);
        // No timeout to wait for when it is PodsReady at once (a bare Workload).
        let timeout = k
            .cfg
            .wait_for_pods_ready
            .filter(|_| !k.wls[&wl].pods_ready)
            .map(|wf| wf.timeout_ms);
        let cq_name = k.cq_name(cq).to_string();
        if let Some(f) = flavor
            && !self.is_bare_workload(wl)
        {
            let fl = self.kq().flavors[f].clone();
            self.kueue_inject_flavor(wl, &fl);
        }
        let obj = self.wl_object(wl);
        self.event(
            || obj,
            "QuotaReserved",
            || format!("admitted by ClusterQueue {cq_name}"),
        );
        self.kueue_disarm(wl);
        if let Some(timeout) = timeout {
            self.kueue_arm(wl, epoch, now.plus_ms(timeout));
        }
        // The admission patch (sent from a goroutine: the cycle goes on).
        self.kueue_send(wl, epoch, KueueStep::AdmissionSeen, false);
    }

    /// The flavor's node labels (nodeSelector) and tolerations go into the Job's pods.
    pub(crate) fn kueue_inject_flavor(&mut self, wl: WlId, fl: &crate::input::spec::ResourceFlavorSpec) {
        if self.ctl.jobsets.is_jobset(wl) {
            // Into every replicated Job's template: its Jobs, now and after a restart.
            self.jobset_set_flavor(wl, fl);
            return;
        }
        if self.ctl.kubeflow.owns(wl) || self.ctl.mpi.owns(wl) || self.ctl.ray.owns(wl) {
            // Into every replica type's (Ray group's) template (`RunWithPodSetsInfo`): each
            // task its class.
            let tasks = self.store.protos[self.store.workloads[wl as usize].proto as usize]
                .tasks
                .len();
            let classes = (0..tasks).map(|t| self.kueue_flavored_class(wl, t, fl)).collect();
            self.store.workloads[wl as usize].task_class_overrides = classes;
            self.mpi_set_flavor(wl, fl);
            if let Some(j) = self.mpi_launcher(wl) {
                // The launcher Job, if it exists, takes the Launcher's.
                self.kueue_inject_flavor(j, fl);
            }
            return;
        }
        if fl.node_labels.is_empty() && fl.tolerations.is_empty() {
            self.store.workloads[wl as usize].class_override = None;
            return;
        }
        let class = self.kueue_flavored_class(wl, 0, fl);
        self.store.workloads[wl as usize].class_override = Some(class);
    }

    /// The class of task `task` of workload `wl` with the flavor's node labels (nodeSelector)
    /// and tolerations added.
    fn kueue_flavored_class(&mut self, wl: WlId, task: usize, fl: &crate::input::spec::ResourceFlavorSpec) -> ClassId {
        let base = self.store.protos[self.store.workloads[wl as usize].proto as usize].tasks[task].class;
        if fl.node_labels.is_empty() && fl.tolerations.is_empty() {
            return base;
        }
        let c = &self.store.classes[base as usize];
        let mut constraints = c.constraints.clone();
        for (key, v) in &fl.node_labels {
            if !constraints.node_selector.iter().any(|(k2, _)| k2 == key) {
                constraints.node_selector.push((key.clone(), v.clone()));
            }
        }
        constraints.node_selector.sort();
        for t in &fl.tolerations {
            if !constraints.tolerations.contains(t) {
                constraints.tolerations.push(t.clone());
            }
        }
        let (req, priority, never, node_name) = (c.req, c.priority, c.preempt_never, c.node_name.clone());
        self.intern_class(req, priority, never, constraints, node_name)
    }

    /// Evict a Workload: suspend its Job (its pods are deleted); the quota is released when
    /// they are gone.
    pub(crate) fn kueue_evict(&mut self, wl: WlId, reason: &'static str) {
        self.kueue_wl_touched(wl);
        let now = self.now();
        let k = self.kq();
        let w = k.wls.get_mut(&wl).expect("workload");
        k.not_ready += usize::from(w.pods_ready);
        w.state = WkState::Evicting;
        w.epoch += 1;
        let armed = w.timer.take().is_some();
        if armed {
            self.engine.mark_stale();
        }
        let k = self.kq();
        let w = k.wls.get_mut(&wl).expect("workload");
        if reason == "PodsReadyTimeout" {
            let wf = k.cfg.wait_for_pods_ready.expect("waitForPodsReady on");
            w.requeue_count += 1;
            w.requeue_at = Some(now.plus_ms(requeue_backoff_ms(&wf, w.requeue_count)));
            if !wf.requeue_from_creation {
                w.order_ms = now.ms();
            }
        }
        let (cq, order_ms) = (w.cq.expect("admitted"), w.order_ms);
        let a = k.admitted.get_mut(cq, wl).expect("holding quota");
        a.evicted = true;
        a.queue_order_ms = order_ms;
        let obj = self.wl_object(wl);
        self.event(|| obj, "WorkloadEvicted", || reason.to_string());
        let live = self.live_pods_of(wl);
        if reason == "Preempted" {
            for &p in &live {
                self.count_eviction(p, Some(0));
            }
        }
        if reason == "Preempted" && self.is_bare_workload(wl) {
            self.count_workload_eviction(wl);
        }
        // The eviction patch: the scheduler waits for a preemption's.
        let epoch = self.kq().wls[&wl].epoch;
        self.kueue_send(wl, epoch, KueueStep::EvictionSeen, reason == "Preempted");
    }
}
