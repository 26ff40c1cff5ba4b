//! The validated scenario: what the YAML loader (`scenario`) produces and the simulation
//! (`sim`) consumes. Plain data, no behaviour. Every quantity is already in its canonical
//! integer unit: time in milliseconds, cpu in millicores, memory in bytes, every other
//! resource (`nvidia.com/gpu`, `pods`, extended resources) in milli-units, so that
//! `nvidia.com/gpu: "1"` is 1000.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// A resource list keyed by Kubernetes resource name (`cpu`, `memory`, `nvidia.com/gpu`, ...),
/// amounts in canonical units (see the module doc).
pub type ResourceList = BTreeMap<String, i64>;

/// Where an object came from, for error messages and reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceLoc {
    pub file: PathBuf,
    /// 1-based line of the document's first line (its `apiVersion` or first key).
    pub line: usize,
}

impl std::fmt::Display for SourceLoc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// A whole scenario after loading every file.
#[derive(Clone, Debug, Default)]
pub struct Scenario {
    /// `metadata.name` of the Simulation object, else the stem of the first file.
    pub name: String,
    pub sim: SimulationSpec,
    /// Nodes, NodePools already expanded (`<template name>-<i>`), in file order.
    pub nodes: Vec<NodeSpec>,
    pub priority_classes: Vec<PriorityClassSpec>,
    pub namespaces: Vec<NamespaceSpec>,
    /// Jobs and bare Pods, in file order.
    pub workloads: Vec<WorkloadSpec>,
    pub arrivals: Vec<ArrivalsSpec>,
    /// Trace objects: jobs replayed from a workload trace.
    pub traces: Vec<TraceSpec>,
    /// batch/v1 CronJobs.
    pub cron_jobs: Vec<CronJobSpec>,
    /// FaultModel objects.
    pub faults: Vec<FaultModelSpec>,
    /// policy/v1 PodDisruptionBudgets (preemption honours them as a preference).
    pub pdbs: Vec<PdbSpec>,
    /// PodGroup objects (Volcano and coscheduling) written by the user.
    pub pod_groups: Vec<PodGroupSpec>,
    /// Kubernetes' own gang scheduling (`scheduling.k8s.io` Workloads and PodGroups, policy
    /// `kube-gang`): the PodGroups (and v1alpha1 Workloads' pod groups) pods join, and the
    /// Workloads, in file order.
    pub gang_pod_groups: Vec<GangPodGroupSpec>,
    pub gang_workloads: Vec<GangWorkloadSpec>,
    /// Volcano queues defined by Queue objects (queues only named elsewhere exist implicitly).
    pub queues: Vec<QueueSpec>,
    /// kueue.x-k8s.io ResourceFlavors, ClusterQueues, LocalQueues and WorkloadPriorityClasses,
    /// each in file order (semantics.md 6.1).
    pub resource_flavors: Vec<ResourceFlavorSpec>,
    pub cluster_queues: Vec<ClusterQueueSpec>,
    pub local_queues: Vec<LocalQueueSpec>,
    pub workload_priority_classes: Vec<WorkloadPriorityClassSpec>,
    /// Kueue's own configuration (a `config.kueue.x-k8s.io` Configuration object, else Kueue's
    /// v1beta2 defaults).
    pub kueue_config: KueueConfig,
    /// v1 LimitRanges, in file order.
    pub limit_ranges: Vec<LimitRangeSpec>,
    /// v1 ResourceQuotas, in file order.
    pub resource_quotas: Vec<ResourceQuotaSpec>,
    /// Objects of a kind that a later version simulates (CronJob, Volcano Job, Queue, ...):
    /// loaded, reported by name, not simulated.
    pub not_simulated: Vec<NotSimulated>,
    /// Fields of simulated objects that load without effect, per object in file order.
    pub unmodelled: Vec<UnmodelledFields>,
    /// Run times taken from exported objects' `status`, in file order.
    pub recorded_durations: Vec<RecordedDuration>,
    /// Exported Pods of a Job or Volcano Job of the scenario, and Jobs of a JobSet of the
    /// scenario with their Pods (`ownerReferences`), set aside: the simulated controller creates
    /// its own.
    pub owned_pods: Vec<NotSimulated>,
    /// About how many times the CronJobs fire in a run, estimated at load (at most
    /// [`crate::limits::MAX_CRON_FIRES`]; the CLI notes more than
    /// [`crate::limits::WARN_CRON_FIRES`]).
    pub cron_fires: u64,
    /// Kubeflow Trainer ClusterTrainingRuntimes the scenario names but does not define, taken
    /// from Trainer's default manifests, with the TrainJobs that use them.
    pub built_in_runtimes: Vec<BuiltInRuntime>,
}

/// A default ClusterTrainingRuntime of kubeflow/trainer that TrainJobs use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuiltInRuntime {
    pub name: String,
    /// The upstream manifest (`manifests/base/runtimes/...`).
    pub source: String,
    /// The TrainJobs (`namespace/name`) that use it, and where the first is.
    pub train_jobs: Vec<String>,
    pub loc: SourceLoc,
}

impl Scenario {
    /// Its workload objects and its Arrivals' workload templates (not trace jobs or CronJob
    /// templates).
    pub fn workload_specs(&self) -> impl Iterator<Item = &WorkloadSpec> {
        self.workloads
            .iter()
            .chain(self.arrivals.iter().filter_map(|a| match &a.template {
                ArrivalTemplate::Workload(w) => Some(&**w),
                ArrivalTemplate::Node(_) => None,
            }))
    }
}

/// A workload's run time taken from the times recorded in its `status` (an object exported
/// from a cluster), when no `kubesim.io/duration` gives one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedDuration {
    /// Kind and `namespace/name`, for messages (`Job "team-a/train"`).
    pub what: String,
    pub loc: SourceLoc,
    /// The run time given to each of its pods.
    pub duration_ms: u64,
    /// Still running in the export: the run time lasts up to `until`, a lower bound.
    pub lower_bound: bool,
    /// The recorded start and the end used (RFC 3339): the recorded end, or for a lower bound
    /// the latest time found in the scenario's files.
    pub since: String,
    pub until: String,
    /// Container restarts before the recorded attempt (a Pod's `restartCount`s).
    pub restarts: u64,
}

/// The fields of one object that load without effect (`kubesim validate` lists them as
/// "loaded, not simulated").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnmodelledFields {
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// Field paths with list indexes (`spec.tasks[0].dependsOn`), in a fixed order.
    pub fields: Vec<String>,
    pub loc: SourceLoc,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotSimulated {
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub loc: SourceLoc,
}

/// The `kubesim.io/v1alpha1 Simulation` object (defaults when absent).
#[derive(Clone, Debug)]
pub struct SimulationSpec {
    pub seed: u64,
    /// `None`: run until no event is left.
    pub horizon_ms: Option<u64>,
    /// RFC 3339 wall clock at t=0.
    pub start_time: String,
    pub policies: Vec<String>,
    pub latencies: Latencies,
    pub max_events: u64,
    /// Where the Simulation object is (empty file when the defaults are used), and the lines of
    /// its `policies` and `maxEvents` fields, for errors found at run time.
    pub loc: SourceLoc,
    pub policies_line: Option<usize>,
    pub max_events_line: Option<usize>,
    /// `defaultDuration`: run times of workloads that have none of their own; the first rule
    /// that matches a workload applies.
    pub default_durations: Vec<DefaultDuration>,
    /// `clientRateLimits`: the API clients' token buckets.
    pub client_limits: ClientLimits,
    /// `kubeSchedulerThroughput`: kube-scheduler's scheduling attempts a second, in thousandths
    /// (None: an attempt takes no time).
    pub kube_scheduler_throughput_milli: Option<u64>,
}

/// The components' API client rate limits (`clientRateLimits`; see [`crate::rate`]): Kueue's
/// client and the Job controller's (kube-controller-manager's) so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientLimits {
    /// `enabled` (default true): false sends every write when it is issued, as kubesim did
    /// before it modelled client limits.
    pub enabled: bool,
    /// Kueue's manager client (`kueue`; Kueue's default 300 QPS, burst 500).
    pub kueue: crate::rate::ClientLimit,
    /// Each kube-controller-manager controller's client (`kube-controller-manager`; default
    /// 20 QPS, burst 30): the Job controller's pod creations pass it.
    pub kube_controller_manager: crate::rate::ClientLimit,
    /// kube-scheduler's client (`kube-scheduler`; default 50 QPS, burst 100): its bindings.
    pub kube_scheduler: crate::rate::ClientLimit,
    /// volcano-scheduler's client (`volcano-scheduler`; default 2000 QPS, burst 2000): its
    /// bindings.
    pub volcano_scheduler: crate::rate::ClientLimit,
    /// volcano-controller-manager's client (`volcano-controller-manager`; default 50 QPS,
    /// burst 100): the Volcano job controller's status updates, PodGroup creates and
    /// deletes, pod creations and deletions.
    pub volcano_controller_manager: crate::rate::ClientLimit,
    /// `kueue.perKind` (default false: one bucket shared by every kind, as Kueue's binary
    /// installs it): the ClusterQueue status writes get a bucket of their own with the same
    /// limit, as controller-runtime gives each kind when no limiter is shared (Kueue's
    /// performance test's minimal Kueue).
    pub kueue_per_kind: bool,
}

impl Default for ClientLimits {
    fn default() -> Self {
        ClientLimits {
            enabled: true,
            kueue: crate::rate::ClientLimit::default_of("kueue").expect("Kueue's default"),
            kube_controller_manager: crate::rate::ClientLimit::default_of("kube-controller-manager")
                .expect("kube-controller-manager's default"),
            kube_scheduler: crate::rate::ClientLimit::default_of("kube-scheduler").expect("kube-scheduler's default"),
            volcano_scheduler: crate::rate::ClientLimit::default_of("volcano-scheduler")
                .expect("volcano-scheduler's default"),
            volcano_controller_manager: crate::rate::ClientLimit::default_of("volcano-controller-manager")
                .expect("volcano-controller-manager's default"),
            kueue_per_kind: false,
        }
    }
}

impl ClientLimits {
    /// Whether `client`'s limit is its component's default.
    pub fn is_default(&self, client: crate::rate::Client) -> bool {
        self.of(client) == crate::rate::ClientLimit::default_of(client.key())
    }

    /// `client`'s limit when limits are on.
    pub fn of(&self, client: crate::rate::Client) -> Option<crate::rate::ClientLimit> {
        use crate::rate::Client;
        self.enabled.then_some(match client {
            Client::Kueue => self.kueue,
            Client::KubeScheduler => self.kube_scheduler,
            Client::VolcanoScheduler => self.volcano_scheduler,
            Client::KubeControllerManager => self.kube_controller_manager,
            Client::VolcanoControllerManager => self.volcano_controller_manager,
        })
    }
}

/// A rule of Simulation `defaultDuration`: workloads it matches (every selector given must
/// match; none: every workload) without a run time of their own get one drawn from `duration`.
#[derive(Clone, Debug, PartialEq)]
pub struct DefaultDuration {
    pub namespace: Option<String>,
    /// The workload's queue: its Kueue LocalQueue (label `kueue.x-k8s.io/queue-name`), else
    /// its Volcano queue (`spec.queue`, or the annotation `scheduling.volcano.sh/queue-name`).
    pub queue: Option<String>,
    /// Labels the workload's metadata must have (equality).
    pub labels: BTreeMap<String, String>,
    pub duration: DurationDist,
}

impl DefaultDuration {
    /// Whether the rule applies to workload `w`.
    pub fn matches(&self, w: &WorkloadSpec) -> bool {
        self.namespace.as_ref().is_none_or(|n| *n == w.namespace)
            && self.queue.as_ref().is_none_or(|q| w.queue_name() == Some(q.as_str()))
            && self.labels.iter().all(|(k, v)| w.labels.get(k) == Some(v))
    }
}

/// Default bound on processed events per run (overridable with `maxEvents`).
pub const DEFAULT_MAX_EVENTS: u64 = 200_000_000;

impl Default for SimulationSpec {
    fn default() -> Self {
        SimulationSpec {
            seed: 1,
            horizon_ms: None,
            start_time: "2026-01-05T00:00:00Z".to_string(),
            policies: vec!["kube-default".to_string()],
            latencies: Latencies::default(),
            max_events: DEFAULT_MAX_EVENTS,
            loc: SourceLoc::default(),
            policies_line: None,
            max_events_line: None,
            default_durations: Vec::new(),
            client_limits: ClientLimits::default(),
            kube_scheduler_throughput_milli: None,
        }
    }
}

/// Controller delays and feature switches, defaulting to the real values
/// (semantics.md "Constants at a glance"). YAML keys are the camelCase field names
/// (`jobSyncBatch: 1s`, `popFromBackoffQ: false`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Latencies {
    /// Job controller: pod-event sync batching (JOB-D3). `jobSyncBatch`.
    pub job_sync_batch_ms: u64,
    /// Job controller: pod-failure recreate delay base and cap (JOB-B4).
    /// `jobPodFailureBackoff`, `jobPodFailureBackoffMax`.
    pub job_pod_failure_backoff_ms: u64,
    pub job_pod_failure_backoff_max_ms: u64,
    /// kubelet container restart backoff base, cap, and reset-after-running (POD-R1/R2).
    /// `kubeletRestartBackoff`, `kubeletRestartBackoffMax`, `kubeletRestartBackoffReset`.
    pub kubelet_backoff_ms: u64,
    pub kubelet_backoff_max_ms: u64,
    pub kubelet_backoff_reset_ms: u64,
    /// kube-scheduler pod backoff (SCH-Q3). `podInitialBackoff`, `podMaxBackoff`.
    pub pod_initial_backoff_ms: u64,
    pub pod_max_backoff_ms: u64,
    /// kube-scheduler unschedulable leftover flush period and age (SCH-Q4).
    /// `unschedulableFlushPeriod`, `podMaxInUnschedulablePods`.
    pub unschedulable_flush_period_ms: u64,
    pub pod_max_in_unschedulable_ms: u64,
    /// kube-scheduler backoffQ flush period (SCH-Q4). `backoffFlushPeriod`.
    pub backoff_flush_period_ms: u64,
    /// Feature gate SchedulerPopFromBackoffQ (SCH-Q3), on by default. `popFromBackoffQ`.
    pub pop_from_backoff_q: bool,
    /// Watch delay: from a write to the moment the components watching it see it (a new pod
    /// to the scheduler, a Binding to the kubelet, a pod's change to the Job controller, a
    /// Kueue write to Kueue's job reconciler). `watch`, default 0.
    pub watch_ms: u64,
    /// Kueue: a released quota asks for its cohort's inadmissible workloads to go back to
    /// the heap this much later (`requeueBatchPeriod` of the InadmissibleWorkloadRequeuer,
    /// `pkg/cache/queue/inadmissible_workloads.go`). `kueueRequeueBatch`, default 1 s.
    pub kueue_requeue_batch_ms: u64,
}

impl Default for Latencies {
    fn default() -> Self {
        Latencies {
            job_sync_batch_ms: 1_000,
            job_pod_failure_backoff_ms: 10_000,
            job_pod_failure_backoff_max_ms: 600_000,
            kubelet_backoff_ms: 10_000,
            kubelet_backoff_max_ms: 300_000,
            kubelet_backoff_reset_ms: 600_000,
            pod_initial_backoff_ms: 1_000,
            pod_max_backoff_ms: 10_000,
            unschedulable_flush_period_ms: 30_000,
            pod_max_in_unschedulable_ms: 300_000,
            backoff_flush_period_ms: 1_000,
            pop_from_backoff_q: true,
            watch_ms: 0,
            kueue_requeue_batch_ms: 1_000,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeSpec {
    pub name: String,
    /// `status.allocatable`, else `status.capacity`.
    pub allocatable: ResourceList,
    pub labels: BTreeMap<String, String>,
    pub taints: Vec<Taint>,
    pub unschedulable: bool,
    /// `kubesim.io/submit-at` on the Node (or an Arrivals of Nodes): when it joins. 0 = at start.
    pub add_at_ms: u64,
    pub loc: SourceLoc,
}

impl NodeSpec {
    /// The node's labels with those every kubelet sets (`kubernetes.io/hostname` = its name,
    /// `kubernetes.io/os` = linux, `kubernetes.io/arch` = amd64) where the manifest sets none.
    pub fn labels_with_kubelet(&self) -> BTreeMap<String, String> {
        kubelet_labels(&self.labels, &self.name)
    }
}

/// `labels` with the kubelet's own labels for a node called `name`, the given ones winning.
pub fn kubelet_labels(labels: &BTreeMap<String, String>, name: &str) -> BTreeMap<String, String> {
    let mut all = labels.clone();
    for (k, v) in [
        ("kubernetes.io/hostname", name),
        ("kubernetes.io/os", "linux"),
        ("kubernetes.io/arch", "amd64"),
    ] {
        all.entry(k.to_string()).or_insert_with(|| v.to_string());
    }
    all
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TaintEffect {
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taint {
    pub key: String,
    pub value: String,
    pub effect: TaintEffect,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TolerationOperator {
    Equal,
    Exists,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Toleration {
    /// Empty with `Exists` matches every key.
    pub key: String,
    pub operator: TolerationOperator,
    pub value: String,
    /// `None` matches every effect.
    pub effect: Option<TaintEffect>,
    pub toleration_seconds: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SelectorOperator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
    Gt,
    Lt,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SelectorRequirement {
    pub key: String,
    pub operator: SelectorOperator,
    pub values: Vec<String>,
}

/// One `nodeSelectorTerms` entry: its `matchExpressions` (AND). Terms are ORed.
#[derive(Clone, Debug, PartialEq, Eq, Default, PartialOrd, Ord)]
pub struct NodeSelectorTerm {
    pub match_expressions: Vec<SelectorRequirement>,
    /// `matchFields` (only `metadata.name` is meaningful).
    pub match_fields: Vec<SelectorRequirement>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestartPolicy {
    Never,
    OnFailure,
    Always,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PreemptionPolicy {
    PreemptLowerPriority,
    Never,
}

/// Simulation hints from `kubesim.io/*` annotations (pod template wins over the workload).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SimHints {
    /// `kubesim.io/duration`: run time of each pod once running; `None`: runs until deleted.
    pub duration_ms: Option<u64>,
    /// `kubesim.io/exit-code` (default 0).
    pub exit_code: i32,
    /// `kubesim.io/failures`: the first N pods started for the workload fail with exit 1.
    pub failures: u32,
    /// `kubesim.io/terminate-after`: time to stop after SIGTERM (capped by the grace period).
    pub terminate_after_ms: u64,
    /// `kubesim.io/fail-indexes` (Indexed Jobs): pods of these completion indexes always exit 1
    /// (or the exit code, if non-zero).
    pub fail_indexes: Vec<u32>,
    /// `kubesim.io/gang-size` on a plain Job: its pods form a gang of this many members that
    /// works only when all run (bound members wait, holding their resources).
    pub gang_size: Option<u32>,
    /// `kubesim.io/runtime-estimate`: the run time announced for the workload (a user's
    /// estimate, e.g. a batch system's requested time). Only the backfill policies read it
    /// (docs/backfill.md); it never ends a pod.
    pub runtime_estimate_ms: Option<u64>,
}

/// A pod template after defaulting: requests are per pod (sum of containers; max with each
/// init container), with missing requests defaulted from limits as the API server does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodTemplate {
    pub labels: BTreeMap<String, String>,
    pub requests: ResourceList,
    pub limits: ResourceList,
    pub node_selector: BTreeMap<String, String>,
    /// Required node affinity terms (ORed); empty = no constraint.
    pub affinity_terms: Vec<NodeSelectorTerm>,
    pub tolerations: Vec<Toleration>,
    pub priority_class_name: Option<String>,
    /// `spec.priority` if written (normally set by admission from the class).
    pub priority: Option<i32>,
    pub preemption_policy: Option<PreemptionPolicy>,
    pub restart_policy: RestartPolicy,
    /// `terminationGracePeriodSeconds`, default 30 s.
    pub termination_grace_ms: u64,
    pub scheduler_name: Option<String>,
    /// `spec.nodeName`: bypasses the scheduler.
    pub node_name: Option<String>,
    /// Container names in order (regular then init), for podFailurePolicy `containerName`.
    pub container_names: Vec<String>,
    /// Every container's resources, regular containers then init containers, in the order
    /// written: `requests` and `limits` above are computed from them (see
    /// [`crate::input::resources::recompute_totals`]), and LimitRange defaults apply to them.
    pub containers: Vec<ContainerResources>,
    /// `spec.overhead` (the RuntimeClass overhead), added to the totals.
    pub overhead: ResourceList,
    /// Pod-level `spec.resources.requests` (defaulted from the pod-level limits) and
    /// `spec.resources.limits`: they replace the container sums of the resources they name.
    /// Empty when not written.
    pub pod_level_requests: ResourceList,
    pub pod_level_limits: ResourceList,
    /// The pod group the pods join: label `scheduling.x-k8s.io/pod-group` (coscheduling),
    /// annotation `scheduling.k8s.io/group-name` (Volcano), on the template (or on the bare Pod),
    /// or the pod spec's `schedulingGroup.podGroupName` (a `scheduling.k8s.io` PodGroup) or
    /// v1alpha1 `workloadRef` (`<workload>/<podGroup>[/<podGroupReplicaKey>]`).
    pub pod_group: Option<String>,
    pub hints: SimHints,
}

/// One container's resources as the API server stores them before admission: requests
/// defaulted from limits (a resource with a limit and no request requests its limit).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContainerResources {
    pub name: String,
    pub requests: ResourceList,
    pub limits: ResourceList,
    /// Listed in `initContainers`.
    pub init: bool,
    /// An init container with `restartPolicy: Always` (a sidecar: runs beside the regular
    /// containers, so its resources add to theirs).
    pub sidecar: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionMode {
    NonIndexed,
    Indexed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodReplacementPolicy {
    TerminatingOrFailed,
    Failed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PfpAction {
    FailJob,
    FailIndex,
    Ignore,
    Count,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitCodeOperator {
    In,
    NotIn,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PfpExitCodes {
    pub container_name: Option<String>,
    pub operator: ExitCodeOperator,
    pub values: Vec<i32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PfpPodCondition {
    /// e.g. `DisruptionTarget`.
    pub condition_type: String,
    /// `True` by default.
    pub status: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PfpRule {
    pub action: PfpAction,
    pub on_exit_codes: Option<PfpExitCodes>,
    pub on_pod_conditions: Vec<PfpPodCondition>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuccessPolicyRule {
    pub succeeded_indexes: Option<String>,
    pub succeeded_count: Option<u32>,
}

/// batch/v1 Job spec, not yet defaulted (the Job controller applies JOB-D1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobSpec {
    pub completions: Option<u32>,
    pub parallelism: Option<u32>,
    pub completion_mode: CompletionMode,
    pub backoff_limit: Option<u32>,
    pub backoff_limit_per_index: Option<u32>,
    pub max_failed_indexes: Option<u32>,
    /// `None`: no podFailurePolicy.
    pub pod_failure_policy: Option<Vec<PfpRule>>,
    pub pod_replacement_policy: Option<PodReplacementPolicy>,
    pub success_policy: Vec<SuccessPolicyRule>,
    pub active_deadline_s: Option<u64>,
    pub ttl_seconds_after_finished: Option<u64>,
    pub suspend: bool,
    pub template: PodTemplate,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorkloadKind {
    Job(JobSpec),
    Pod(PodTemplate),
    VolcanoJob(VolcanoJobSpec),
    /// A bare `kueue.x-k8s.io` Workload (no Job behind it, as Kueue's performance test creates
    /// them): admitted by Kueue, it holds its quota for its run time and creates no pods.
    KueueWorkload(KueueWorkloadSpec),
    /// A `jobset.x-k8s.io/v1alpha2` JobSet: child Jobs created, restarted and finished as a
    /// unit by the JobSet controller (`controllers::jobset`).
    JobSet(JobSetSpec),
    /// An `apps/v1` Deployment, ReplicaSet or StatefulSet: `replicas` pods kept up until the
    /// horizon by its controller (`controllers::serving`, docs/serving.md).
    Serving(ServingSpec),
    /// A Kubeflow training-operator v1 job (`kubeflow.org/v1` PyTorchJob, TFJob, JAXJob,
    /// PaddleJob, XGBoostJob): pods created per replica by the Kubeflow controller
    /// (`controllers::kubeflow`).
    Kubeflow(KubeflowJobSpec),
    /// A Kubeflow MPI Operator `kubeflow.org/v2beta1` MPIJob: worker pods created by the MPI
    /// controller, the launcher run by a batch/v1 Job of its own (`controllers::mpijob`).
    MpiJob(Box<MpiJobSpec>),
    /// A KubeRay `ray.io/v1` RayCluster or RayJob: a head pod and worker groups kept by the
    /// KubeRay operator (`controllers::ray`, docs/ray.md); a RayJob's submitter runs its
    /// entrypoint once the head is ready.
    Ray(RaySpec),
    /// A `leaderworkerset.x-k8s.io/v1` LeaderWorkerSet: `replicas` groups of a leader and
    /// `size - 1` workers kept up until the horizon by the LWS controller (`controllers::lws`,
    /// docs/lws.md).
    Lws(Box<LwsSpec>),
}

impl WorkloadKind {
    /// The kind as its API names it (jobs.csv `kind`): Job, Pod, VolcanoJob, Workload, JobSet,
    /// TrainJob.
    pub fn api_kind(&self) -> &'static str {
        match self {
            WorkloadKind::Job(_) => "Job",
            WorkloadKind::Pod(_) => "Pod",
            WorkloadKind::VolcanoJob(_) => "VolcanoJob",
            WorkloadKind::KueueWorkload(_) => "Workload",
            WorkloadKind::JobSet(s) if s.train_job.is_some() => "TrainJob",
            WorkloadKind::JobSet(_) => "JobSet",
            WorkloadKind::Serving(s) => s.kind.api_kind(),
            WorkloadKind::Kubeflow(k) => k.framework.kind(),
            WorkloadKind::MpiJob(_) => "MPIJob",
            WorkloadKind::Ray(r) => r.api_kind(),
            WorkloadKind::Lws(_) => "LeaderWorkerSet",
        }
    }
}

/// The replicas a `kubesim.io/replicas-schedule` sets at time of day `ms` (from midnight): the
/// step in force, else (before the first step) the last one's, else `replicas` without a
/// schedule.
fn scheduled_replicas(schedule: &[(u64, u32)], replicas: u32, ms: u64) -> u32 {
    match schedule.iter().rev().find(|(t, _)| *t <= ms) {
        Some((_, r)) => *r,
        None => schedule.last().map_or(replicas, |(_, r)| *r),
    }
}

/// The most replicas a schedule (or, without one, `replicas`) ever asks for.
fn peak_scheduled(schedule: &[(u64, u32)], replicas: u32) -> u32 {
    schedule.iter().map(|(_, r)| *r).max().unwrap_or(replicas)
}

/// Which `apps/v1` controller keeps a serving workload's replicas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServingKind {
    Deployment,
    ReplicaSet,
    StatefulSet,
}

impl ServingSpec {
    /// The replicas in force at time of day `ms` (from midnight): the schedule's step, else
    /// `replicas`.
    pub fn replicas_at(&self, ms: u64) -> u32 {
        scheduled_replicas(&self.schedule, self.replicas, ms)
    }

    /// The most replicas it ever asks for (jobs.csv `pods`).
    pub fn peak_replicas(&self) -> u32 {
        peak_scheduled(&self.schedule, self.replicas)
    }
}

impl ServingKind {
    pub fn api_kind(self) -> &'static str {
        match self {
            ServingKind::Deployment => "Deployment",
            ServingKind::ReplicaSet => "ReplicaSet",
            ServingKind::StatefulSet => "StatefulSet",
        }
    }
}

/// A LeaderWorkerSet's `leaderWorkerTemplate.restartPolicy`, after the webhook's defaulting
/// (`Default` is `None`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LwsRestartPolicy {
    /// A pod of a group deleted, or a container restarted: the whole group is recreated.
    RecreateGroupOnPodRestart,
    /// As `RecreateGroupOnPodRestart`, but not while a pod of the group is pending.
    RecreateGroupAfterStart,
    /// Each StatefulSet replaces its own pods.
    None,
}

/// A LeaderWorkerSet's spec as far as it is simulated (docs/lws.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LwsSpec {
    /// `spec.replicas`: groups (default 1).
    pub replicas: u32,
    /// `leaderWorkerTemplate.size`: pods per group, leader included (default 1).
    pub size: u32,
    pub restart: LwsRestartPolicy,
    /// `startupPolicy: LeaderReady` (default LeaderCreated): workers are created once the
    /// leader is Ready.
    pub leader_ready: bool,
    /// `kubesim.io/replicas-schedule`, as a serving workload's ([`ServingSpec::schedule`]).
    pub schedule: Vec<(u64, u32)>,
    /// Each group gets a Volcano PodGroup (the LWS scheduler provider): its `minMember`
    /// (`size`, 1 with LeaderReady) and queue; `None` without gang scheduling.
    pub volcano_gang: Option<(u32, String)>,
    /// The leader's pod template (`leaderTemplate`, else `workerTemplate`): task 0.
    pub leader: PodTemplate,
    /// The workers' pod template: task 1.
    pub worker: PodTemplate,
}

impl LwsSpec {
    /// The groups in force at time of day `ms` (as [`ServingSpec::replicas_at`]).
    pub fn replicas_at(&self, ms: u64) -> u32 {
        scheduled_replicas(&self.schedule, self.replicas, ms)
    }

    /// The most groups it ever asks for.
    pub fn peak_replicas(&self) -> u32 {
        peak_scheduled(&self.schedule, self.replicas)
    }

    /// The most pods it ever asks for (jobs.csv `pods`).
    pub fn peak_pods(&self) -> u32 {
        self.peak_replicas().saturating_mul(self.size)
    }
}

/// The training-operator v1 kinds kubesim runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KubeflowFramework {
    PyTorch,
    TensorFlow,
    Jax,
    Paddle,
    XGBoost,
}

impl KubeflowFramework {
    /// Every kind, in the order kubesim lists them.
    pub const ALL: [KubeflowFramework; 5] = [
        KubeflowFramework::PyTorch,
        KubeflowFramework::TensorFlow,
        KubeflowFramework::Jax,
        KubeflowFramework::Paddle,
        KubeflowFramework::XGBoost,
    ];

    /// The framework of API kind `kind` (`PyTorchJob`), if it is one.
    pub fn from_kind(kind: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.kind() == kind)
    }

    /// The kind as its API names it.
    pub fn kind(self) -> &'static str {
        match self {
            KubeflowFramework::PyTorch => "PyTorchJob",
            KubeflowFramework::TensorFlow => "TFJob",
            KubeflowFramework::Jax => "JAXJob",
            KubeflowFramework::Paddle => "PaddleJob",
            KubeflowFramework::XGBoost => "XGBoostJob",
        }
    }
}

/// A Deployment's, ReplicaSet's or StatefulSet's spec as far as it is simulated
/// (docs/serving.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServingSpec {
    pub kind: ServingKind,
    /// `spec.replicas` (default 1).
    pub replicas: u32,
    /// A StatefulSet's `podManagementPolicy: Parallel` (default OrderedReady); false for the
    /// other kinds.
    pub parallel: bool,
    /// A StatefulSet's `ordinals.start` (default 0): its pods are `<name>-<first_ordinal + i>`.
    pub first_ordinal: u32,
    /// A Deployment's `paused`: created paused, it makes no ReplicaSet and runs no pod.
    pub paused: bool,
    /// `kubesim.io/replicas-schedule`: (time of day in ms from midnight of the Simulation's
    /// clock, replicas) steps, sorted by time, each in force from its time to the next one's,
    /// every day (the last wraps round to the first); empty: `replicas` all along.
    pub schedule: Vec<(u64, u32)>,
    /// The pod template (`restartPolicy` Always).
    pub template: PodTemplate,
}

/// A replica's `restartPolicy` (training-operator `RestartPolicy`): the pod's own policy, but
/// `ExitCode` (pods `Never`; the controller deletes and recreates a pod that failed with a
/// retryable exit code, 128 or more).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KubeflowRestartPolicy {
    Always,
    OnFailure,
    Never,
    ExitCode,
}

/// `runPolicy.cleanPodPolicy`: which pods the controller deletes once the job has finished.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CleanPodPolicy {
    /// Every pod (terminal ones too).
    All,
    /// Pods running or pending.
    Running,
    /// None (the default of every kind: `SetDefaults_<Kind>`).
    #[default]
    None,
}

/// One replica spec (`spec.pytorchReplicaSpecs.<type>`): `replicas` pods
/// `<job>-<type lowercase>-<index>` of one template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeflowReplica {
    /// The replica type in its canonical case (`Master`, `Worker`, `Chief`, `PS`, `Evaluator`).
    pub rtype: String,
    /// `replicas` (default 1).
    pub replicas: u32,
    /// `restartPolicy` (PyTorchJob's default OnFailure).
    pub restart_policy: KubeflowRestartPolicy,
    /// The pod template; its `restart_policy` is the replica's (`ExitCode`: Never), as the
    /// controller's `SetRestartPolicy` overwrites it.
    pub template: PodTemplate,
}

/// `runPolicy.schedulingPolicy`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KubeflowSchedulingPolicy {
    pub min_available: Option<u32>,
    pub queue: Option<String>,
    pub priority_class: Option<String>,
    pub schedule_timeout_s: Option<u64>,
}

/// `spec.runPolicy` of a training-operator v1 job or an MPIJob (training-operator
/// `pkg/apis/kubeflow.org/v1/common_types.go` `RunPolicy`, which the MPI Operator shares), after
/// the defaults (cleanPodPolicy None).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunPolicy {
    /// `cleanPodPolicy` (default None: pods left running after the job has finished run on).
    pub clean_pod_policy: CleanPodPolicy,
    /// `backoffLimit`: a training job's own limit (`None`: no limit); an MPIJob passes it to its
    /// launcher Job (`None`: the Job's default, 6).
    pub backoff_limit: Option<u32>,
    /// `activeDeadlineSeconds` (an MPIJob passes it to its launcher Job).
    pub active_deadline_s: Option<u64>,
    /// `ttlSecondsAfterFinished` (not simulated).
    pub ttl_seconds_after_finished: Option<u64>,
    /// `schedulingPolicy`.
    pub scheduling: Option<KubeflowSchedulingPolicy>,
    /// `suspend`.
    pub suspend: bool,
}

/// A training-operator v1 job's spec after the defaults of `SetDefaults_<Kind>` (training-operator
/// `pkg/apis/kubeflow.org/v1/*_defaults.go`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeflowJobSpec {
    pub framework: KubeflowFramework,
    /// The replica specs in the controller's order (PyTorchJob: Master, Worker; TFJob: Chief,
    /// Evaluator, Master, PS, Worker).
    pub replicas: Vec<KubeflowReplica>,
    pub run_policy: RunPolicy,
    /// A TFJob's `successPolicy: AllWorkers` (else the default: worker 0's success suffices
    /// without a Chief or Master).
    pub success_all_workers: bool,
    /// A TFJob's `enableDynamicWorker`: failed Workers do not fail the job.
    pub dynamic_worker: bool,
}

impl KubeflowJobSpec {
    /// Its pods, all replicas together.
    pub fn total_replicas(&self) -> u32 {
        self.replicas.iter().map(|r| r.replicas).fold(0, u32::saturating_add)
    }
}

/// An MPIJob's spec after the MPI Operator's defaults (kubeflow/mpi-operator
/// `pkg/apis/kubeflow/v2beta1/default.go` `SetDefaults_MPIJob`; docs/mpijob.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MpiJobSpec {
    /// `mpiReplicaSpecs.Launcher` (one pod; restartPolicy OnFailure by default): the template
    /// of the launcher Job `<job>-launcher`.
    pub launcher: KubeflowReplica,
    /// `mpiReplicaSpecs.Worker` (restartPolicy Never by default): pods `<job>-worker-<i>`.
    pub worker: Option<KubeflowReplica>,
    /// `runPolicy` (cleanPodPolicy None by default: the workers keep running after the launcher
    /// has finished).
    pub run_policy: RunPolicy,
    /// `launcherCreationPolicy: WaitForWorkersReady` (default AtStartup): the launcher Job is
    /// created once every worker is ready.
    pub wait_for_workers: bool,
    /// `runLauncherAsWorker` (the launcher also runs a rank; no effect on scheduling).
    pub run_launcher_as_worker: bool,
    /// `slotsPerWorker` (default 1; no effect on scheduling).
    pub slots_per_worker: u32,
}

impl MpiJobSpec {
    /// Its worker pods.
    pub fn workers(&self) -> u32 {
        self.worker.as_ref().map_or(0, |w| w.replicas)
    }

    /// Its replica specs: the launcher, then the workers' (its tasks, in this order).
    pub fn replica_specs(&self) -> impl Iterator<Item = &KubeflowReplica> {
        std::iter::once(&self.launcher).chain(&self.worker)
    }
}

/// One group of a Ray cluster's pods: the head (`headGroupSpec`), a worker group
/// (`workerGroupSpecs[]`), or a RayJob's submitter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RayGroup {
    /// `head`, the worker group's `groupName`, or `submitter`.
    pub name: String,
    /// The pods the operator keeps: 1 for the head and the submitter; a worker group's
    /// `replicas` clamped to `[minReplicas, maxReplicas]` times `numOfHosts`, 0 when suspended
    /// (`GetWorkerGroupDesiredReplicas`).
    pub pods: u32,
    /// `minReplicas * numOfHosts` (0 for a suspended group): what the Volcano PodGroup counts
    /// when the autoscaler is on (`CalculateMinReplicas`).
    pub min_pods: u32,
    /// The count of the group's pod set in Kueue's Workload: 1 for the head and the submitter;
    /// a worker group's `replicas` as stored (the CRD's default 0), unclamped and counted even
    /// when the group is suspended, times `numOfHosts` (kueue `raycluster/common.go`
    /// `effectiveWorkerCount`).
    pub kueue_pods: u32,
    /// The pod template.
    pub template: PodTemplate,
}

/// A RayJob's `submissionMode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RaySubmissionMode {
    /// A batch/v1 Job whose pod runs `ray job submit` (the default).
    K8sJob,
    /// The operator submits through the dashboard's HTTP API: no submitter pod.
    Http,
    /// The user submits (`spec.jobId`): not simulated (refused at load).
    Interactive,
    /// The submitter is a sidecar of the head pod.
    Sidecar,
}

/// What a RayJob adds to its cluster (`RayJobSpec`, KubeRay `ray-operator/apis/ray/v1/rayjob_types.go`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RayJobSpec {
    pub entrypoint: String,
    pub submission_mode: RaySubmissionMode,
    /// `shutdownAfterJobFinishes`: the cluster is deleted `ttlSecondsAfterFinished` after the
    /// job ends.
    pub shutdown_after_job_finishes: bool,
    /// `ttlSecondsAfterFinished` (default 0).
    pub ttl_seconds_after_finished: u64,
    /// `suspend`.
    pub suspend: bool,
    /// `activeDeadlineSeconds`.
    pub active_deadline_s: Option<u64>,
    /// `backoffLimit` (default 0): how many times a failed RayJob is retried on a new cluster.
    pub backoff_limit: u32,
    /// The entrypoint's run time (`kubesim.io/duration` on the RayJob): the submitter pod's in
    /// K8sJobMode, counted from the cluster's readiness in HTTPMode.
    pub duration_ms: Option<u64>,
    /// The entrypoint's exit code (`kubesim.io/exit-code`): non-zero fails the Ray job.
    pub exit_code: i32,
}

/// A KubeRay RayCluster or RayJob after the CRD's defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RaySpec {
    /// The head group first, then the worker groups in the order written, then a RayJob's
    /// submitter (K8sJobMode only).
    pub groups: Vec<RayGroup>,
    /// `enableInTreeAutoscaling`: the Volcano PodGroup counts minimum replicas.
    pub autoscaling: bool,
    /// The cluster's `suspend`.
    pub suspend: bool,
    /// Label `ray.io/scheduler-name: volcano`: KubeRay's Volcano batch scheduler makes a PodGroup.
    pub volcano: bool,
    /// A RayJob's own fields; `None` for a RayCluster.
    pub job: Option<RayJobSpec>,
}

impl RaySpec {
    /// `RayJob` or `RayCluster`.
    pub fn api_kind(&self) -> &'static str {
        if self.job.is_some() { "RayJob" } else { "RayCluster" }
    }

    /// The cluster's groups (head and workers: not the submitter).
    pub fn cluster_groups(&self) -> &[RayGroup] {
        let n = self.groups.len() - usize::from(self.has_submitter());
        &self.groups[..n]
    }

    /// Whether the last group is a K8sJobMode submitter.
    pub fn has_submitter(&self) -> bool {
        self.job
            .as_ref()
            .is_some_and(|j| j.submission_mode == RaySubmissionMode::K8sJob)
    }

    /// Every pod it keeps at once: the cluster's and the submitter.
    pub fn total_pods(&self) -> u32 {
        self.groups.iter().map(|g| g.pods).fold(0, u32::saturating_add)
    }
}

/// A JobSet's spec after the JobSet webhook's defaults (jobset `pkg/webhooks/jobset_webhook.go`
/// `Default`): each replicated Job's template has `completionMode: Indexed` and its pods
/// `restartPolicy: OnFailure` where unwritten, successPolicy defaults to `operator: All`, the
/// startup policy to AnyOrder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobSetSpec {
    /// `spec.replicatedJobs`, in the order written (the order Jobs are created in).
    pub replicated_jobs: Vec<ReplicatedJob>,
    pub success: JobSetSuccess,
    /// `spec.failurePolicy`; `None`: the JobSet fails on its first failed Job.
    pub failure: Option<JobSetFailure>,
    /// `spec.startupPolicy.startupPolicyOrder: InOrder`: a replicated Job's Jobs are created once
    /// every Job of the one before is ready.
    pub in_order: bool,
    /// `spec.suspend`: the child Jobs are created suspended.
    pub suspend: bool,
    /// The JobSet a Kubeflow Trainer `TrainJob` becomes: the runtime it was built from
    /// (`trainer.kubeflow.org` `ClusterTrainingRuntime` or `TrainingRuntime` name). Its
    /// jobs.csv row is the TrainJob's (kind `TrainJob`).
    pub train_job: Option<String>,
    /// `spec.ttlSecondsAfterFinished` (s).
    pub ttl_seconds_after_finished: Option<u64>,
}

/// One `spec.replicatedJobs` entry: `replicas` Jobs `<jobset>-<name>-<index>` of one template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicatedJob {
    pub name: String,
    /// `replicas` (default 1).
    pub replicas: u32,
    /// The Job template's `metadata.labels` and `metadata.annotations`.
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    /// The Job template's spec, the webhook's defaults applied.
    pub job: JobSpec,
    /// `dependsOn`: its Jobs are created once these replicatedJobs reach their status.
    pub depends_on: Vec<JobSetDependency>,
}

/// One `dependsOn` entry of a replicatedJob: the replicatedJob (index) it waits for, and
/// whether for `Complete` (every Job succeeded) or `Ready` (every Job ready or finished).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobSetDependency {
    pub rjob: usize,
    pub complete: bool,
}

impl ReplicatedJob {
    /// Pods each of its Jobs runs at once: `min(parallelism, completions)` (jobset
    /// `podsCount`; Kueue's pod set count per replica).
    pub fn pods_per_job(&self) -> u32 {
        let p = self.job.parallelism.unwrap_or(1);
        self.job.completions.map_or(p, |c| c.min(p))
    }
}

/// `spec.successPolicy`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobSetSuccess {
    /// `operator: Any` (one Complete Job of the targets suffices); else All.
    pub any: bool,
    /// `targetReplicatedJobs` as indexes into `replicated_jobs`; empty: all of them.
    pub targets: Vec<usize>,
}

/// `spec.failurePolicy`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobSetFailure {
    /// `maxRestarts` (default 0).
    pub max_restarts: u32,
    /// `restartStrategy: BlockingRecreate`: no Job of the next attempt is created before every
    /// Job of the last one is gone (else Recreate: each as soon as its old self is gone).
    pub blocking: bool,
    pub rules: Vec<JobSetFailureRule>,
}

/// One `spec.failurePolicy.rules` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobSetFailureRule {
    /// `name` (the webhook names an unnamed rule `failurePolicyRule<i>`).
    pub name: String,
    pub action: JobSetAction,
    /// `onJobFailureReasons`: the failed Job's condition reason; empty: any.
    pub reasons: Vec<String>,
    /// `targetReplicatedJobs` as indexes into `replicated_jobs`; empty: all.
    pub targets: Vec<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobSetAction {
    FailJobSet,
    RestartJobSet,
    RestartJobSetAndIgnoreMaxRestarts,
}

/// A bare Kueue Workload's spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KueueWorkloadSpec {
    /// `spec.queueName`: its LocalQueue (empty: it names none and is never admitted).
    pub queue_name: String,
    /// `spec.priority`, if written.
    pub priority: Option<i32>,
    /// The priority class it names (v1beta1 `priorityClassName`, v1beta2
    /// `priorityClassRef.name`) and whether it is a WorkloadPriorityClass (else a
    /// PriorityClass).
    pub priority_class: Option<(String, bool)>,
    /// `spec.active` (default true): an inactive Workload is never admitted.
    pub active: bool,
    pub pod_sets: Vec<KueuePodSet>,
}

impl KueueWorkloadSpec {
    /// Its run time once admitted (`kubesim.io/duration` or the performance test's label, kept
    /// on every pod set's template).
    pub fn duration_ms(&self) -> Option<u64> {
        self.pod_sets.first().and_then(|p| p.template.hints.duration_ms)
    }
}

/// One `spec.podSets[]` entry of a bare Workload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KueuePodSet {
    pub name: String,
    pub count: u32,
    pub template: PodTemplate,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadSpec {
    pub namespace: String,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub kind: WorkloadKind,
    /// `kubesim.io/submit-at`.
    pub submit_at_ms: u64,
    /// `kubesim.io/suspend-at` / `kubesim.io/resume-at`: when `spec.suspend` is set to true /
    /// false by a user (Jobs and JobSets).
    pub suspend_at_ms: Option<u64>,
    pub resume_at_ms: Option<u64>,
    pub loc: SourceLoc,
}

impl WorkloadSpec {
    /// A bare Kueue Workload (no Job behind it: it creates no pods).
    pub fn is_bare(&self) -> bool {
        matches!(self.kind, WorkloadKind::KueueWorkload(_))
    }

    /// The queue a workload names: its Kueue LocalQueue (label `kueue.x-k8s.io/queue-name`, or
    /// a bare Workload's `spec.queueName`), else its Volcano queue (a Volcano Job's `spec.queue`, else the annotation
    /// `scheduling.volcano.sh/queue-name`).
    pub fn queue_name(&self) -> Option<&str> {
        if let Some(q) = self.labels.get("kueue.x-k8s.io/queue-name") {
            return Some(q);
        }
        if let WorkloadKind::KueueWorkload(k) = &self.kind {
            return (!k.queue_name.is_empty()).then_some(k.queue_name.as_str());
        }
        match &self.kind {
            WorkloadKind::VolcanoJob(v) if v.queue.is_some() => v.queue.as_deref(),
            _ => self
                .annotations
                .get("scheduling.volcano.sh/queue-name")
                .map(String::as_str),
        }
    }

    /// The pods one copy creates when none fails: a Job's completions (its parallelism when
    /// completions is unset), 1 for a Pod, a Volcano Job's replicas, none for a bare Kueue
    /// Workload. What the load-time bound
    /// on pods created up front counts (see [`crate::limits::MAX_PODS`]).
    pub fn pods_without_failures(&self) -> u64 {
        match &self.kind {
            WorkloadKind::Job(j) => u64::from(j.completions.unwrap_or(j.parallelism.unwrap_or(1))),
            WorkloadKind::Pod(_) => 1,
            WorkloadKind::VolcanoJob(v) => v.tasks.iter().map(|t| u64::from(t.replicas)).sum(),
            WorkloadKind::KueueWorkload(_) => 0,
            WorkloadKind::Kubeflow(k) => u64::from(k.total_replicas()),
            WorkloadKind::Ray(r) => u64::from(r.total_pods()),
            WorkloadKind::JobSet(s) => s
                .replicated_jobs
                .iter()
                .map(|r| u64::from(r.job.completions.unwrap_or(r.job.parallelism.unwrap_or(1))) * u64::from(r.replicas))
                .sum(),
            WorkloadKind::Serving(s) => u64::from(s.replicas),
            WorkloadKind::MpiJob(m) => 1 + u64::from(m.workers()),
            WorkloadKind::Lws(l) => u64::from(l.replicas) * u64::from(l.size),
        }
    }

    /// Its pod templates: a Job's or Pod's one, a Volcano Job's tasks', a bare Kueue
    /// Workload's pod sets'.
    pub fn templates(&self) -> Vec<&PodTemplate> {
        match &self.kind {
            WorkloadKind::Job(j) => vec![&j.template],
            WorkloadKind::Pod(t) => vec![t],
            WorkloadKind::VolcanoJob(v) => v.tasks.iter().map(|t| &t.template).collect(),
            WorkloadKind::KueueWorkload(k) => k.pod_sets.iter().map(|p| &p.template).collect(),
            WorkloadKind::JobSet(s) => s.replicated_jobs.iter().map(|r| &r.job.template).collect(),
            WorkloadKind::Serving(s) => vec![&s.template],
            WorkloadKind::Kubeflow(k) => k.replicas.iter().map(|r| &r.template).collect(),
            WorkloadKind::MpiJob(m) => m.replica_specs().map(|r| &r.template).collect(),
            WorkloadKind::Ray(r) => r.groups.iter().map(|g| &g.template).collect(),
            WorkloadKind::Lws(l) => vec![&l.leader, &l.worker],
        }
    }
}

/// A distribution of durations (Arrivals `duration`).
#[derive(Clone, Debug, PartialEq)]
pub enum DurationDist {
    Fixed {
        ms: u64,
    },
    Uniform {
        min_ms: u64,
        max_ms: u64,
    },
    Exponential {
        mean_ms: u64,
    },
    /// Log-normal with the given median and sigma of the underlying normal.
    LogNormal {
        median_ms: u64,
        sigma: f64,
    },
    /// Uniform choice among the listed values.
    Empirical {
        values_ms: Vec<u64>,
    },
}

/// Per-pod failure draw (Arrivals `failure`): with `probability` a pod exits `exit_code`.
#[derive(Clone, Debug, PartialEq)]
pub struct FailureDist {
    pub probability: f64,
    pub exit_code: i32,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ArrivalPattern {
    Every { interval_ms: u64 },
    Poisson { mean_interval_ms: u64 },
    At { times_ms: Vec<u64> },
}

#[derive(Clone, Debug, PartialEq)]
pub enum ArrivalTemplate {
    Workload(Box<WorkloadSpec>),
    Node(Box<NodeSpec>),
}

/// The `kubesim.io/v1alpha1 Arrivals` object: copies of a template named `<name>-<i>`.
#[derive(Clone, Debug, PartialEq)]
pub struct ArrivalsSpec {
    pub name: String,
    pub template: ArrivalTemplate,
    pub count: u64,
    pub start_ms: u64,
    pub pattern: ArrivalPattern,
    pub duration: Option<DurationDist>,
    pub failure: Option<FailureDist>,
    pub loc: SourceLoc,
}

/// A FaultModel object (node failures).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultModelSpec {
    pub name: String,
    /// Mean time between failures of each node (exponential); `None`: no random failures.
    pub mtbf_ms: Option<u64>,
    /// Mean time to repair (exponential); 0 with only scripted outages.
    pub mttr_ms: u64,
    /// Nodes with these labels fail at random (all nodes if empty).
    pub node_selector: BTreeMap<String, String>,
    pub outages: Vec<Outage>,
    pub taints: Vec<ScriptedTaint>,
    pub loc: SourceLoc,
}

/// A scripted node failure: the node is lost at `at` and comes back after `for` (never if unset).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outage {
    pub node: String,
    pub at_ms: u64,
    pub for_ms: Option<u64>,
}

/// A taint a user adds to a node at `at` and removes after `for` (never if unset).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptedTaint {
    pub node: String,
    pub at_ms: u64,
    pub for_ms: Option<u64>,
    pub taint: Taint,
}

/// `spec.concurrencyPolicy` of a CronJob.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConcurrencyPolicy {
    Allow,
    Forbid,
    Replace,
}

/// A batch/v1 CronJob (semantics.md section 2).
#[derive(Clone, Debug, PartialEq)]
pub struct CronJobSpec {
    pub namespace: String,
    pub name: String,
    pub schedule: crate::input::cron::Schedule,
    /// `spec.timeZone` (name and zone); `None`: the controller's local zone, UTC.
    pub time_zone: Option<(String, chrono_tz::Tz)>,
    pub concurrency: ConcurrencyPolicy,
    pub starting_deadline_s: Option<i64>,
    pub suspend: bool,
    pub success_limit: u32,
    pub failed_limit: u32,
    /// The Job template (named after the CronJob).
    pub job: WorkloadSpec,
    /// `kubesim.io/submit-at` on the CronJob: when it is created.
    pub created_ms: u64,
    /// `kubesim.io/suspend-at` / `resume-at`: a user sets `spec.suspend` to true / false then.
    pub suspend_at_ms: Option<u64>,
    pub resume_at_ms: Option<u64>,
    pub loc: SourceLoc,
}

/// A Trace object: jobs read from a trace file (any supported format), sorted by submit time,
/// each replayed as a batch/v1 Job (see docs/contract-additions.md, Trace). Jobs are kept
/// compact (times and a shape index): a million-job trace costs tens of megabytes, not the
/// hundreds its text fields would.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceSpec {
    pub name: String,
    /// The distinct job shapes, in order of first appearance.
    pub shapes: Vec<TraceShape>,
    pub jobs: std::sync::Arc<Vec<ReplayJob>>,
    /// The Job every trace job starts from (its tolerations, selectors, policies); by default
    /// a plain Job with restartPolicy Never and backoffLimit 0.
    pub template: Box<WorkloadSpec>,
    /// Some job records its own queueing delay (for replay fidelity).
    pub recorded_waits: bool,
    /// The trace file, as the scenario resolved it, and its format's name.
    pub path: std::path::PathBuf,
    pub format: &'static str,
    /// What the import skipped and flagged, in one line
    /// ([`crate::input::trace::ImportReport::summary`]); `None` if nothing.
    pub import_summary: Option<String>,
    pub loc: SourceLoc,
}

/// What trace jobs of one shape share.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TraceShape {
    pub namespace: String,
    pub queue: String,
    pub priority_class: String,
    pub pods: u32,
    pub cpu_milli: i64,
    pub memory_bytes: i64,
    pub gpu_milli: i64,
    pub gang: u32,
    pub exit_code: i32,
    /// GPU models the job may run on, `|`-separated; empty: any (see
    /// [`crate::input::trace::TraceJob::gpu_models`]).
    pub gpu_models: String,
    /// Its pods have no run time: they run until the run ends or the Job is stopped. A job
    /// still running when the trace ended (outcome `running`), or one its patience stops before
    /// its duration could end it.
    pub endless: bool,
    /// The Job's `activeDeadlineSeconds` from the trace's patience (see
    /// [`crate::input::trace::TraceJob::patience_ms`]): seconds, rounded up, at least 1.
    pub active_deadline_s: Option<u64>,
}

/// One trace job to replay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplayJob {
    pub submit_ms: u64,
    /// The run time of its pods; `u64::MAX` for a job that never ends (see
    /// [`TraceShape::endless`]).
    pub duration_ms: u64,
    /// The queueing delay the trace recorded; `u64::MAX` if none.
    pub recorded_wait_ms: u64,
    /// Index into [`TraceSpec::shapes`].
    pub shape: u32,
    /// The run time the user asked for (the trace's requested time), whole seconds rounded up;
    /// `u32::MAX` if none. A runtime estimate for the backfill policies (docs/backfill.md).
    pub requested_s: u32,
}

impl ReplayJob {
    /// The run time of its pods, `None` if they never end.
    pub fn duration(&self) -> Option<u64> {
        (self.duration_ms != u64::MAX).then_some(self.duration_ms)
    }

    pub fn recorded_wait(&self) -> Option<u64> {
        (self.recorded_wait_ms != u64::MAX).then_some(self.recorded_wait_ms)
    }

    /// The requested time (a runtime estimate), ms; `None` if the trace has none.
    pub fn requested_ms(&self) -> Option<u64> {
        (self.requested_s != u32::MAX).then_some(u64::from(self.requested_s) * 1000)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriorityClassSpec {
    pub name: String,
    pub value: i32,
    pub global_default: bool,
    pub preemption_policy: PreemptionPolicy,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespaceSpec {
    pub name: String,
    pub labels: BTreeMap<String, String>,
}

/// An int-or-percent field (`1`, `"50%"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntOrPercent {
    Int(u32),
    Percent(u32),
}

/// A label selector: `matchLabels` and `matchExpressions`, ANDed.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct LabelSelector {
    pub match_labels: BTreeMap<String, String>,
    pub match_expressions: Vec<SelectorRequirement>,
}

impl LabelSelector {
    /// Whether it selects these labels (an empty selector selects everything, as a
    /// namespaceSelector `{}` does).
    pub fn selects(&self, labels: &BTreeMap<String, String>) -> bool {
        self.match_labels.iter().all(|(k, v)| labels.get(k) == Some(v))
            && self
                .match_expressions
                .iter()
                .all(|r| r.matches(labels.get(&r.key).map(String::as_str)))
    }
}

impl SelectorRequirement {
    /// Whether a label's value (`None`: no such label) meets the requirement.
    pub fn matches(&self, value: Option<&str>) -> bool {
        match self.operator {
            SelectorOperator::In => value.is_some_and(|v| self.values.iter().any(|x| x == v)),
            SelectorOperator::NotIn => value.is_none_or(|v| self.values.iter().all(|x| x != v)),
            SelectorOperator::Exists => value.is_some(),
            SelectorOperator::DoesNotExist => value.is_none(),
            SelectorOperator::Gt | SelectorOperator::Lt => {
                let (Some(v), Some(bound)) = (value, self.values.first()) else {
                    return false;
                };
                match (v.parse::<i64>(), bound.parse::<i64>()) {
                    (Ok(v), Ok(b)) => {
                        if self.operator == SelectorOperator::Gt {
                            v > b
                        } else {
                            v < b
                        }
                    }
                    _ => false,
                }
            }
        }
    }
}

/// policy/v1 PodDisruptionBudget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PdbSpec {
    pub namespace: String,
    pub name: String,
    pub selector: LabelSelector,
    pub min_available: Option<IntOrPercent>,
    pub max_unavailable: Option<IntOrPercent>,
}

// ---------------------------------------------------------------------------------------------
// Gangs: Volcano jobs, pod groups, queues.

/// Volcano job policy events (VC-P1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum VcEvent {
    PodFailed,
    PodEvicted,
    PodPending,
    PodRunning,
    TaskCompleted,
    TaskFailed,
    Unknown,
    OutOfSync,
    CommandIssued,
    JobUpdated,
    /// `*`: any event.
    Any,
}

/// Volcano job policy actions (VC-P2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum VcAction {
    RestartJob,
    RestartTask,
    RestartPod,
    RestartPartition,
    AbortJob,
    TerminateJob,
    CompleteJob,
    ResumeJob,
    SyncJob,
}

/// One entry of `policies` (job or task level).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VcPolicy {
    /// `event` and `events` together; empty when the policy matches an exit code.
    pub events: Vec<VcEvent>,
    pub exit_code: Option<i32>,
    pub action: VcAction,
    pub timeout_ms: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VcTask {
    /// Default `default<i>` (VC-J1).
    pub name: String,
    pub replicas: u32,
    /// Default: replicas.
    pub min_available: Option<u32>,
    pub max_retry: Option<u32>,
    pub policies: Vec<VcPolicy>,
    pub template: PodTemplate,
}

/// batch.volcano.sh/v1alpha1 Job spec, with the mutating webhook's defaults not yet applied
/// (the controller applies VC-J1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolcanoJobSpec {
    pub min_available: Option<u32>,
    /// Default `default`.
    pub queue: Option<String>,
    /// Default `volcano`.
    pub scheduler_name: Option<String>,
    pub priority_class_name: Option<String>,
    /// Default 3.
    pub max_retry: Option<u32>,
    pub min_success: Option<u32>,
    pub ttl_seconds_after_finished: Option<u64>,
    pub policies: Vec<VcPolicy>,
    pub tasks: Vec<VcTask>,
}

/// Which API a PodGroup object belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodGroupApi {
    /// scheduling.volcano.sh/v1beta1 (pods join with annotation `scheduling.k8s.io/group-name`).
    Volcano,
    /// scheduling.x-k8s.io/v1alpha1 (pods join with label `scheduling.x-k8s.io/pod-group`).
    Coscheduling,
}

/// A PodGroup object written by the user (Volcano jobs create their own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodGroupSpec {
    pub api: PodGroupApi,
    pub namespace: String,
    pub name: String,
    pub min_member: u32,
    pub min_resources: Option<ResourceList>,
    pub queue: Option<String>,
    pub priority_class_name: Option<String>,
    /// Coscheduling `scheduleTimeoutSeconds`.
    pub schedule_timeout_s: Option<u64>,
    pub loc: SourceLoc,
}

/// The `scheduling.k8s.io` version of an object of Kubernetes' own gang scheduling
/// (docs/kube-gang.md): v1alpha1 (1.35: pod groups inside the Workload, pods join by
/// `spec.workloadRef`), v1alpha2 (1.36: standalone PodGroups, pods join by
/// `spec.schedulingGroup.podGroupName`), v1beta1 (1.37).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum GangApiVersion {
    V1alpha1,
    V1alpha2,
    V1beta1,
}

impl GangApiVersion {
    /// The version of apiVersion `api`, if it is one of these.
    pub fn of(api: &str) -> Option<GangApiVersion> {
        match api {
            "scheduling.k8s.io/v1alpha1" => Some(GangApiVersion::V1alpha1),
            "scheduling.k8s.io/v1alpha2" => Some(GangApiVersion::V1alpha2),
            "scheduling.k8s.io/v1beta1" => Some(GangApiVersion::V1beta1),
            _ => None,
        }
    }

    pub fn api_version(self) -> &'static str {
        match self {
            GangApiVersion::V1alpha1 => "scheduling.k8s.io/v1alpha1",
            GangApiVersion::V1alpha2 => "scheduling.k8s.io/v1alpha2",
            GangApiVersion::V1beta1 => "scheduling.k8s.io/v1beta1",
        }
    }
}

/// A `scheduling.k8s.io` PodGroup (v1alpha2, v1beta1), or a pod group of a v1alpha1 Workload
/// (named `<workload>/<group>`; its pods form one gang per `podGroupReplicaKey`, named
/// `<workload>/<group>/<key>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GangPodGroupSpec {
    pub version: GangApiVersion,
    pub namespace: String,
    pub name: String,
    /// The gang policy's `minCount`; None: the basic policy (no gang).
    pub min_count: Option<u32>,
    /// The Workload and template it was made from, if written.
    pub template: Option<(String, String)>,
    pub loc: SourceLoc,
}

/// A `scheduling.k8s.io` Workload: its pod group templates (v1alpha1: its pod groups), each with
/// its gang `minCount` (None: basic).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GangWorkloadSpec {
    pub version: GangApiVersion,
    pub namespace: String,
    pub name: String,
    pub templates: Vec<(String, Option<u32>)>,
    pub loc: SourceLoc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueState {
    Open,
    Closed,
    Closing,
}

/// scheduling.volcano.sh/v1beta1 Queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueSpec {
    pub name: String,
    /// Default 1.
    pub weight: u32,
    pub capability: ResourceList,
    pub guarantee: ResourceList,
    pub deserved: ResourceList,
    /// Default true.
    pub reclaimable: bool,
    pub priority: i32,
    pub state: QueueState,
    pub loc: SourceLoc,
}

// ---------------------------------------------------------------------------------------------
// Kueue (semantics.md section 6): the objects of the kueue.x-k8s.io API (v1beta1 and v1beta2
// spellings load alike), with the defaults of Kueue's CRDs and webhooks applied.

/// A kueue.x-k8s.io ResourceFlavor (KQ-O1). `topologyName` is accepted and not kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceFlavorSpec {
    pub name: String,
    /// Injected as a nodeSelector into the pods admitted on this flavor.
    pub node_labels: BTreeMap<String, String>,
    /// Taints of the flavor's nodes: a pod set must tolerate them (NoSchedule and NoExecute
    /// only) to be assigned the flavor.
    pub node_taints: Vec<Taint>,
    /// Added to the pods admitted on this flavor.
    pub tolerations: Vec<Toleration>,
    pub loc: SourceLoc,
}

/// `spec.queueingStrategy` of a ClusterQueue (KQ-S3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum QueueingStrategy {
    StrictFifo,
    #[default]
    BestEffortFifo,
}

/// `preemption.withinClusterQueue` (KQ-S4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WithinCq {
    #[default]
    Never,
    LowerPriority,
    LowerOrNewerEqualPriority,
}

/// `preemption.reclaimWithinCohort` (KQ-S4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReclaimPolicy {
    #[default]
    Never,
    LowerPriority,
    Any,
}

/// `preemption.borrowWithinCohort.policy` (KQ-S4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BorrowPolicy {
    #[default]
    Never,
    LowerPriority,
}

/// `spec.preemption` of a ClusterQueue (KQ-S4); every policy defaults to Never.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KueuePreemption {
    pub within_cluster_queue: WithinCq,
    pub reclaim_within_cohort: ReclaimPolicy,
    pub borrow_within_cohort: BorrowPolicy,
    /// `borrowWithinCohort.maxPriorityThreshold`: only workloads of at most this priority may
    /// be preempted by a borrowing workload.
    pub max_priority_threshold: Option<i32>,
}

/// A `flavorFungibility` policy. v1beta1's deprecated `Borrow` (for `whenCanBorrow`) and
/// `Preempt` (for `whenCanPreempt`) are old names of `MayStopSearch` and load as it
/// (kueue apis/kueue/v1beta1/clusterqueue_types.go, `FlavorFungibility`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FungibilityPolicy {
    /// Stop the flavor search at a flavor where the workload fits borrowing (or preempting).
    MayStopSearch,
    /// Try the next flavor first.
    TryNextFlavor,
}

/// `spec.flavorFungibility` of a ClusterQueue (KQ-O2, KQ-S1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlavorFungibility {
    /// Default MayStopSearch.
    pub when_can_borrow: FungibilityPolicy,
    /// Default TryNextFlavor.
    pub when_can_preempt: FungibilityPolicy,
}

impl Default for FlavorFungibility {
    fn default() -> Self {
        FlavorFungibility {
            when_can_borrow: FungibilityPolicy::MayStopSearch,
            when_can_preempt: FungibilityPolicy::TryNextFlavor,
        }
    }
}

/// `spec.stopPolicy` of a ClusterQueue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StopPolicy {
    #[default]
    None,
    /// No new admissions; admitted workloads run to completion.
    Hold,
    /// No new admissions; admitted workloads are evicted.
    HoldAndDrain,
}

/// The quota of one resource in one flavor of a ClusterQueue (KQ-Q1), in canonical units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlavorResourceQuota {
    pub name: String,
    pub nominal: i64,
    /// Most this ClusterQueue may borrow above `nominal`; `None`: no limit.
    pub borrowing_limit: Option<i64>,
    /// Most of `nominal` this ClusterQueue lends to its cohort; `None`: all of it.
    pub lending_limit: Option<i64>,
}

/// One flavor of a resource group: the quota of every covered resource, in the group's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlavorQuotasSpec {
    /// The ResourceFlavor's name.
    pub name: String,
    pub resources: Vec<FlavorResourceQuota>,
}

/// `spec.resourceGroups[]`: flavors in order of preference, each covering the same resources.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceGroupSpec {
    pub covered_resources: Vec<String>,
    pub flavors: Vec<FlavorQuotasSpec>,
}

/// A kueue.x-k8s.io ClusterQueue (KQ-O2). `admissionChecks` and `admissionChecksStrategy` are
/// accepted and not kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterQueueSpec {
    pub name: String,
    /// `spec.cohort` (v1beta1) or `spec.cohortName` (v1beta2).
    pub cohort: Option<String>,
    /// `None` matches no namespace; an empty selector (`{}`) matches every namespace.
    pub namespace_selector: Option<LabelSelector>,
    pub resource_groups: Vec<ResourceGroupSpec>,
    pub queueing_strategy: QueueingStrategy,
    pub preemption: KueuePreemption,
    pub flavor_fungibility: FlavorFungibility,
    pub stop_policy: StopPolicy,
    /// `fairSharing.weight` in milli-units (default 1000, i.e. weight 1).
    pub fair_sharing_weight: i64,
    pub loc: SourceLoc,
}

/// A kueue.x-k8s.io LocalQueue: jobs of its namespace labelled
/// `kueue.x-k8s.io/queue-name: <name>` are queued in `cluster_queue` (KQ-O1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalQueueSpec {
    pub namespace: String,
    pub name: String,
    pub cluster_queue: String,
    pub loc: SourceLoc,
}

/// A kueue.x-k8s.io WorkloadPriorityClass (KQ-S2): a priority for workloads only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadPriorityClassSpec {
    pub name: String,
    pub value: i32,
    pub loc: SourceLoc,
}

// ---------------------------------------------------------------------------------------------
// Admission: ResourceQuota and LimitRange (semantics.md 7.1).

/// The `type` of a LimitRange item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LimitKind {
    /// Bounds and defaults for each container.
    Container,
    /// Bounds on the pod's sums.
    Pod,
    /// Bounds on claims: loaded and validated, ignored (the simulator has no volumes).
    PersistentVolumeClaim,
}

/// One `spec.limits` item of a LimitRange, as the API server stores it: for a Container item
/// with its own defaulting applied (`SetDefaults_LimitRangeItem`: `default` from `max`,
/// `defaultRequest` from `default`, then from `min`). Amounts in canonical units;
/// `max_limit_request_ratio` holds ratios in thousandths (`2` is 2000), whatever the resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitRangeItem {
    pub kind: LimitKind,
    pub max: ResourceList,
    pub min: ResourceList,
    pub default: ResourceList,
    pub default_request: ResourceList,
    pub max_limit_request_ratio: ResourceList,
}

/// A v1 LimitRange: defaults and bounds for the pods of its namespace, applied when a pod is
/// created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitRangeSpec {
    pub namespace: String,
    pub name: String,
    pub items: Vec<LimitRangeItem>,
    pub loc: SourceLoc,
}

/// A v1 ResourceQuota: caps on what the objects of its namespace may hold, checked when an
/// object is created. `hard` is keyed by the quota resource name as written (`requests.cpu`,
/// `limits.memory`, `cpu`, `pods`, `count/jobs.batch`, `requests.nvidia.com/gpu`, ...), each
/// amount in the canonical unit of the resource the name counts: `requests.cpu`, `limits.cpu`
/// and `cpu` in millicores, the memory names in bytes, and every count (`pods`, `count/*`) and
/// extended resource in thousandths like other resources, so `pods: "10"` is 10000. Without
/// scopes (scoped quotas are not supported).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceQuotaSpec {
    pub namespace: String,
    pub name: String,
    pub hard: ResourceList,
    pub loc: SourceLoc,
}

/// Kueue's Configuration (`config.kueue.x-k8s.io` v1beta1 or v1beta2), defaulted as Kueue's
/// `apis/config/<version>/defaults.go` `SetDefaults_Configuration` does: the fields that change
/// admission. [`Default`] is a scenario without a Configuration object: the v1beta2 defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KueueConfig {
    /// `waitForPodsReady`; `None` when off (v1beta1 without `enable: true`).
    pub wait_for_pods_ready: Option<WaitForPodsReady>,
    /// `manageJobsWithoutQueueName`: Jobs without a queue-name label are managed too (and wait
    /// forever unless their namespace has a LocalQueue named `default`).
    pub manage_jobs_without_queue_name: bool,
    /// `managedJobsNamespaceSelector`: the namespaces where Jobs without a queue-name label are
    /// managed (default: all but `kube-system` and Kueue's own namespace).
    pub managed_jobs_namespace_selector: LabelSelector,
    /// `integrations.frameworks` lists `batch/job` (the default): Kueue manages batch/v1 Jobs.
    pub manages_batch_jobs: bool,
    /// `integrations.frameworks` lists `jobset.x-k8s.io/jobset` (as Kueue's released manifests
    /// configure it, `config/components/manager/controller_manager_config.yaml`): Kueue manages
    /// JobSets.
    pub manages_jobsets: bool,
    /// `integrations.frameworks` lists `kubeflow.org/mpijob` (as the released manifests do):
    /// Kueue manages MPIJobs.
    pub manages_mpijobs: bool,
    /// `integrations.frameworks` lists `kubeflow.org/pytorchjob` (commented out in the
    /// released manifests: not by default).
    pub manages_pytorchjobs: bool,
    /// `integrations.frameworks` lists `kubeflow.org/tfjob` (not by default).
    pub manages_tfjobs: bool,
    /// `integrations.frameworks` lists `kubeflow.org/jaxjob` (not by default).
    pub manages_jaxjobs: bool,
    /// `integrations.frameworks` lists `kubeflow.org/paddlejob` (not by default).
    pub manages_paddlejobs: bool,
    /// `integrations.frameworks` lists `kubeflow.org/xgboostjob` (not by default).
    pub manages_xgboostjobs: bool,
    /// `integrations.frameworks` lists `ray.io/rayjob` (as the released manifests do): Kueue
    /// manages RayJobs.
    pub manages_rayjobs: bool,
    /// `integrations.frameworks` lists `ray.io/raycluster` (as the released manifests do):
    /// Kueue manages RayClusters.
    pub manages_rayclusters: bool,
    /// `resources.excludeResourcePrefixes`: resources not counted against quota.
    pub exclude_resource_prefixes: Vec<String>,
    /// `resources.quotaCheckStrategy: IgnoreUndeclared`: requests of resources a ClusterQueue
    /// does not cover are ignored (else they make the workload inadmissible).
    pub quota_ignore_undeclared: bool,
    /// `objectRetentionPolicies.workloads.afterDeactivatedByKueue`: a Job whose Workload Kueue
    /// deactivated is deleted this long after.
    pub delete_after_deactivated_ms: Option<u64>,
    /// The `SchedulingEquivalenceHashing` feature gate (beta, on by default since Kueue 0.18):
    /// under BestEffortFIFO a workload that does not fit takes the pending workloads of its
    /// shape to the inadmissible list with it.
    pub equivalence_hashing: bool,
    /// Fields written that do not change what the simulator models (listed by `validate`).
    pub not_simulated: Vec<String>,
    /// Where the Configuration object is, if the scenario has one.
    pub loc: Option<SourceLoc>,
}

/// Kueue's `waitForPodsReady` (semantics.md KQ-W1..W4), defaulted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitForPodsReady {
    /// `timeout`: from admission to PodsReady.
    pub timeout_ms: u64,
    /// `blockAdmission`: no admission while an admitted workload is not PodsReady.
    pub block_admission: bool,
    /// `recoveryTimeout` (default `timeout`; `None` for `0s`): from PodsReady lost to regained.
    pub recovery_timeout_ms: Option<u64>,
    /// `requeuingStrategy.timestamp: Creation` (else `Eviction`): the queue-order timestamp
    /// after a PodsReady-timeout eviction.
    pub requeue_from_creation: bool,
    /// `requeuingStrategy.backoffLimitCount` (`None`: requeue forever): past it the Workload
    /// is deactivated.
    pub backoff_limit_count: Option<u32>,
    /// `requeuingStrategy.backoffBaseSeconds` and `backoffMaxSeconds`.
    pub backoff_base_s: u32,
    pub backoff_max_s: u32,
}

impl WaitForPodsReady {
    /// Kueue's defaults with a given timeout (v1beta2: 30 min; v1beta1: 5 min).
    pub fn with_timeout(timeout_ms: u64, block_admission: bool) -> WaitForPodsReady {
        WaitForPodsReady {
            timeout_ms,
            block_admission,
            recovery_timeout_ms: Some(timeout_ms),
            requeue_from_creation: false,
            backoff_limit_count: None,
            backoff_base_s: 60,
            backoff_max_s: 3600,
        }
    }
}

impl KueueConfig {
    /// The default `managedJobsNamespaceSelector`: not `kube-system`, not `kueue_namespace`.
    pub fn default_namespace_selector(kueue_namespace: &str) -> LabelSelector {
        LabelSelector {
            match_labels: BTreeMap::new(),
            match_expressions: vec![SelectorRequirement {
                key: "kubernetes.io/metadata.name".into(),
                operator: SelectorOperator::NotIn,
                values: vec!["kube-system".into(), kueue_namespace.to_string()],
            }],
        }
    }
}

impl Default for KueueConfig {
    /// Kueue's v1beta2 defaults: waitForPodsReady on (30 min, no blockAdmission).
    fn default() -> KueueConfig {
        KueueConfig {
            wait_for_pods_ready: Some(WaitForPodsReady::with_timeout(30 * 60_000, false)),
            manage_jobs_without_queue_name: false,
            managed_jobs_namespace_selector: KueueConfig::default_namespace_selector("kueue-system"),
            manages_batch_jobs: true,
            manages_jobsets: true,
            manages_mpijobs: true,
            manages_pytorchjobs: false,
            manages_tfjobs: false,
            manages_jaxjobs: false,
            manages_paddlejobs: false,
            manages_xgboostjobs: false,
            manages_rayjobs: true,
            manages_rayclusters: true,
            exclude_resource_prefixes: Vec::new(),
            quota_ignore_undeclared: false,
            delete_after_deactivated_ms: None,
            equivalence_hashing: true,
            not_simulated: Vec::new(),
            loc: None,
        }
    }
}
