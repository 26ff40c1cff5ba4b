//! What the loader accepts without simulating it: the kinds loaded and listed but not simulated
//! ([`not_simulated_kind`]: the core v1 Service; Kueue's Cohort, AdmissionCheck, Topology, MultiKueue and
//! ProvisioningRequestConfig objects; Volcano's HyperNode, CronJob, JobFlow and JobTemplate;
//! kubesim's SchedulerPolicy),
//! whose `spec` keys are still checked against the upstream schema (the typo guard), and the
//! fields of simulated kinds that load without effect ([`fields`]), which `kubesim validate`
//! lists as "loaded, not simulated" and `run` counts in a note.
//!
//! Field lists come from the upstream CRD schemas, at the snapshots of semantics.md section 0:
//! kubernetes-sigs/kueue `ff69552e` `config/components/crd/bases/kueue.x-k8s.io_*.yaml`
//! (generated from `apis/kueue/v1beta1/*_types.go` and `apis/kueue/v1beta2/*_types.go`, e.g.
//! `ClusterQueueSpec`, `CohortSpec`, `AdmissionCheckSpec`, `TopologySpec`, `WorkloadSpec`),
//! volcano-sh/volcano `ed72c7c8` `config/crd/volcano/bases/*.yaml` (from volcano-sh/apis
//! `pkg/apis/batch/v1alpha1/job.go` `JobSpec`/`TaskSpec`, `pkg/apis/scheduling/v1beta1/types.go`
//! `QueueSpec`/`PodGroupSpec`, `pkg/apis/topology/v1alpha1/hypernode_types.go` `HyperNodeSpec`;
//! `config/crd/jobflow/bases/flow.volcano.sh_{jobflows,jobtemplates}.yaml`).
//! The converters of the simulated kinds (`kueue`, `volcano`, `k8s`) accept every schema field;
//! this module only says which of them change nothing in a run.

use super::k8s::{OBJECT_FIELDS, read_meta};
use super::kueue::{WORKLOAD_V1BETA1_SPEC, WORKLOAD_V1BETA2_SPEC};
use super::view::{F, Obj, Res};
use super::volcano::VCJOB_SPEC_FIELDS;

/// A kind loaded and listed but not simulated: its group, the versions read, whether it is
/// namespaced, and its `spec` keys per version (`None`: any spec).
pub(crate) struct NotSimulatedKind {
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    pub spec_fields: Option<&'static [&'static str]>,
}

const fn row(
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    namespaced: bool,
    spec_fields: Option<&'static [&'static str]>,
) -> NotSimulatedKind {
    NotSimulatedKind {
        group,
        version,
        kind,
        namespaced,
        spec_fields,
    }
}

const KUEUE: &str = "kueue.x-k8s.io";
const COHORT: &[&str] = &["fairSharing", "parentName", "resourceGroups"];
const TOPOLOGY: &[&str] = &["levels"];
const PROVISIONING: &[&str] = &[
    "managedResources",
    "parameters",
    "podSetMergePolicy",
    "podSetUpdates",
    "provisioningClassName",
    "retryStrategy",
];

/// The kinds loaded but not simulated, with their schema's `spec` keys.
pub(crate) const NOT_SIMULATED_KINDS: &[NotSimulatedKind] = &[
    row("kubesim.io", "v1alpha1", "SchedulerPolicy", false, None),
    // A Service (a StatefulSet's headless governing Service, beside it in upstream manifests):
    // no effect on scheduling.
    row("", "v1", "Service", true, None),
    // What manifests ship beside their workloads (configuration, credentials, the controllers'
    // service accounts and RBAC, as in Kueue's and Volcano's examples): no effect on scheduling.
    row("", "v1", "ConfigMap", true, None),
    row("", "v1", "Secret", true, None),
    row("", "v1", "ServiceAccount", true, None),
    row("rbac.authorization.k8s.io", "v1", "Role", true, None),
    row("rbac.authorization.k8s.io", "v1", "RoleBinding", true, None),
    row("rbac.authorization.k8s.io", "v1", "ClusterRole", false, None),
    row("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", false, None),
    row(KUEUE, "v1beta1", "Cohort", false, Some(COHORT)),
    row(KUEUE, "v1beta2", "Cohort", false, Some(COHORT)),
    row(
        KUEUE,
        "v1beta1",
        "AdmissionCheck",
        false,
        Some(&["controllerName", "parameters", "retryDelayMinutes"]),
    ),
    row(
        KUEUE,
        "v1beta2",
        "AdmissionCheck",
        false,
        Some(&["controllerName", "parameters"]),
    ),
    row(KUEUE, "v1beta1", "Topology", false, Some(TOPOLOGY)),
    row(KUEUE, "v1beta2", "Topology", false, Some(TOPOLOGY)),
    row(KUEUE, "v1beta1", "Workload", true, Some(WORKLOAD_V1BETA1_SPEC)),
    row(KUEUE, "v1beta2", "Workload", true, Some(WORKLOAD_V1BETA2_SPEC)),
    row(
        KUEUE,
        "v1beta1",
        "MultiKueueCluster",
        false,
        Some(&["clusterProfileRef", "kubeConfig"]),
    ),
    row(KUEUE, "v1beta2", "MultiKueueCluster", false, Some(&["clusterSource"])),
    row(KUEUE, "v1beta1", "MultiKueueConfig", false, Some(&["clusters"])),
    row(
        KUEUE,
        "v1beta2",
        "MultiKueueConfig",
        false,
        Some(&["clusters", "quotaManagement"]),
    ),
    row(KUEUE, "v1beta1", "ProvisioningRequestConfig", false, Some(PROVISIONING)),
    row(KUEUE, "v1beta2", "ProvisioningRequestConfig", false, Some(PROVISIONING)),
    row(
        "topology.volcano.sh",
        "v1alpha1",
        "HyperNode",
        false,
        Some(&["members", "tier", "tierName"]),
    ),
    row(
        "flow.volcano.sh",
        "v1alpha1",
        "JobFlow",
        true,
        Some(&["flows", "jobRetainPolicy"]),
    ),
    row(
        "flow.volcano.sh",
        "v1alpha1",
        "JobTemplate",
        true,
        Some(VCJOB_SPEC_FIELDS),
    ),
    row(
        "batch.volcano.sh",
        "v1alpha1",
        "CronJob",
        true,
        Some(&[
            "concurrencyPolicy",
            "failedJobsHistoryLimit",
            "jobTemplate",
            "schedule",
            "startingDeadlineSeconds",
            "successfulJobsHistoryLimit",
            "suspend",
            "timeZone",
        ]),
    ),
];

impl NotSimulatedKind {
    /// `group/version kind`, as listed in the unknown-kind error.
    pub fn label(&self) -> String {
        if self.group.is_empty() {
            return format!("{} {}", self.version, self.kind);
        }
        format!("{}/{} {}", self.group, self.version, self.kind)
    }
}

/// The not-simulated kind of (`api`, `kind`), if it is one.
pub(crate) fn not_simulated_kind(api: &str, kind: &str) -> Option<&'static NotSimulatedKind> {
    // The core group's apiVersion (`v1`) names no group.
    let (group, version) = api.rsplit_once('/').unwrap_or(("", api));
    NOT_SIMULATED_KINDS
        .iter()
        .find(|k| k.group == group && k.version == version && k.kind == kind)
}

/// Checks a not-simulated object's top-level fields, metadata and `spec` keys (kubesim's own
/// SchedulerPolicy is read as before: any spec).
pub(crate) fn check_not_simulated(doc: &Obj, k: &NotSimulatedKind) -> Res<()> {
    let Some(spec_fields) = k.spec_fields else {
        return Ok(());
    };
    let what = format!("a {} ({})", k.kind, k.label());
    doc.deny_unknown(OBJECT_FIELDS, &what)?;
    read_meta(doc, true)?;
    if let Some(spec) = doc.get("spec") {
        spec.obj()?.deny_unknown(spec_fields, &format!("{what} spec"))?;
    }
    Ok(())
}

/// Fields of simulated kinds that load without effect, by API group and kind, as paths (`[]`:
/// every item of a list). Kubernetes objects' `status` is listed except where it is read (a
/// Node's allocatable, a Job's or Pod's recorded times).
const FIELDS: &[(&str, &str, &[&str])] = &[
    (
        KUEUE,
        "Workload",
        &[
            "spec.maximumExecutionTimeSeconds",
            "spec.podSets[].minCount",
            "spec.podSets[].topologyRequest",
            "spec.preemptionGates",
            "spec.priorityClassName",
            "spec.priorityClassSource",
            "spec.priorityClassRef",
            "status",
        ],
    ),
    (
        KUEUE,
        "ClusterQueue",
        &[
            "spec.admissionChecks",
            "spec.admissionChecksStrategy",
            "spec.admissionScope",
            "spec.concurrentAdmissionPolicy",
            "spec.fairSharing",
            "spec.flavorFungibility.preference",
            "spec.stopPolicy",
            "status",
        ],
    ),
    (KUEUE, "LocalQueue", &["spec.fairSharing", "spec.stopPolicy", "status"]),
    (KUEUE, "ResourceFlavor", &["spec.topologyName"]),
    (
        "batch.volcano.sh",
        "Job",
        &[
            "spec.networkTopology",
            "spec.plugins",
            "spec.runningEstimate",
            "spec.schedulerName",
            "spec.ttlSecondsAfterFinished",
            "spec.volumes",
            "spec.policies[].timeout",
            "spec.tasks[].dependsOn",
            "spec.tasks[].maxRetry",
            "spec.tasks[].partitionPolicy",
            "spec.tasks[].policies[].timeout",
            "spec.tasks[].topologyPolicy",
            "spec.tasks[].template.spec.topologySpreadConstraints",
            "spec.tasks[].template.spec.affinity.podAffinity",
            "spec.tasks[].template.spec.affinity.podAntiAffinity",
            "status",
        ],
    ),
    (
        "scheduling.volcano.sh",
        "Queue",
        &[
            "spec.affinity",
            "spec.deserved",
            "spec.dequeueStrategy",
            "spec.extendClusters",
            "spec.parent",
            "spec.type",
            "status",
        ],
    ),
    (
        "scheduling.volcano.sh",
        "PodGroup",
        &[
            "spec.minResources",
            "spec.minTaskMember",
            "spec.networkTopology",
            "spec.priorityClassName",
            "spec.queue",
            "spec.subGroupPolicy",
            "status",
        ],
    ),
    ("scheduling.x-k8s.io", "PodGroup", &["spec.minResources", "status"]),
    (
        "scheduling.k8s.io",
        "PodGroup",
        &[
            "spec.schedulingConstraints",
            "spec.resourceClaims",
            "spec.disruptionMode",
            "spec.priorityClassName",
            "spec.priority",
            "spec.preemptionPolicy",
            "status",
        ],
    ),
    (
        "scheduling.k8s.io",
        "Workload",
        &[
            "spec.controllerRef",
            "spec.podGroupTemplates[].schedulingConstraints",
            "spec.podGroupTemplates[].resourceClaims",
            "spec.podGroupTemplates[].disruptionMode",
            "spec.podGroupTemplates[].priorityClassName",
            "spec.podGroupTemplates[].priority",
            "spec.podGroupTemplates[].preemptionPolicy",
        ],
    ),
    (
        "batch",
        "Job",
        &[
            "spec.template.spec.topologySpreadConstraints",
            "spec.template.spec.affinity.podAffinity",
            "spec.template.spec.affinity.podAntiAffinity",
        ],
    ),
    (
        "",
        "Pod",
        &[
            "spec.topologySpreadConstraints",
            "spec.affinity.podAffinity",
            "spec.affinity.podAntiAffinity",
        ],
    ),
    (
        "jobset.x-k8s.io",
        "JobSet",
        &[
            "spec.failurePolicy.rules[].onJobFailureMessagePatterns",
            "spec.replicatedJobs[].template.spec.template.spec.topologySpreadConstraints",
            "spec.replicatedJobs[].template.spec.template.spec.affinity.podAffinity",
            "spec.replicatedJobs[].template.spec.template.spec.affinity.podAntiAffinity",
            "status",
        ],
    ),
    (
        "trainer.kubeflow.org",
        "TrainJob",
        &["spec.activeDeadlineSeconds", "status"],
    ),
    (
        "trainer.kubeflow.org",
        "ClusterTrainingRuntime",
        &["spec.podGroupPolicy.volcano.networkTopology"],
    ),
    (
        "trainer.kubeflow.org",
        "TrainingRuntime",
        &["spec.podGroupPolicy.volcano.networkTopology"],
    ),
    (
        "apps",
        "Deployment",
        &[
            "spec.minReadySeconds",
            "spec.progressDeadlineSeconds",
            "spec.revisionHistoryLimit",
            "spec.strategy",
            "spec.template.spec.topologySpreadConstraints",
            "spec.template.spec.affinity.podAffinity",
            "spec.template.spec.affinity.podAntiAffinity",
            "status",
        ],
    ),
    (
        "kubeflow.org",
        "PyTorchJob",
        &["spec.elasticPolicy", "spec.runPolicy.ttlSecondsAfterFinished", "status"],
    ),
    (
        "apps",
        "ReplicaSet",
        &[
            "spec.minReadySeconds",
            "spec.template.spec.topologySpreadConstraints",
            "spec.template.spec.affinity.podAffinity",
            "spec.template.spec.affinity.podAntiAffinity",
            "status",
        ],
    ),
    (
        "apps",
        "StatefulSet",
        &[
            "spec.minReadySeconds",
            "spec.persistentVolumeClaimRetentionPolicy",
            "spec.revisionHistoryLimit",
            "spec.updateStrategy",
            "spec.volumeClaimTemplates",
            "spec.template.spec.topologySpreadConstraints",
            "spec.template.spec.affinity.podAffinity",
            "spec.template.spec.affinity.podAntiAffinity",
            "status",
        ],
    ),
    (
        "kubeflow.org",
        "TFJob",
        &["spec.runPolicy.ttlSecondsAfterFinished", "status"],
    ),
    (
        "kubeflow.org",
        "JAXJob",
        &["spec.runPolicy.ttlSecondsAfterFinished", "status"],
    ),
    (
        "kubeflow.org",
        "PaddleJob",
        &["spec.runPolicy.ttlSecondsAfterFinished", "status"],
    ),
    (
        "kubeflow.org",
        "XGBoostJob",
        &["spec.runPolicy.ttlSecondsAfterFinished", "status"],
    ),
    (
        "kubeflow.org",
        "MPIJob",
        &["spec.runPolicy.ttlSecondsAfterFinished", "status"],
    ),
    (
        "ray.io",
        "RayCluster",
        &[
            "spec.enableInTreeAutoscaling",
            "spec.autoscalerOptions",
            "spec.gcsFaultToleranceOptions",
            "spec.upgradeStrategy",
            "status",
        ],
    ),
    (
        "ray.io",
        "RayJob",
        &[
            "spec.preRunningDeadlineSeconds",
            "spec.deletionStrategy",
            "spec.submitterConfig",
            "spec.rayClusterSpec.enableInTreeAutoscaling",
            "spec.rayClusterSpec.autoscalerOptions",
            "spec.rayClusterSpec.gcsFaultToleranceOptions",
            "status",
        ],
    ),
    (
        "leaderworkerset.x-k8s.io",
        "LeaderWorkerSet",
        &[
            "spec.rolloutStrategy",
            "spec.networkConfig",
            "spec.leaderWorkerTemplate.subGroupPolicy",
            "spec.leaderWorkerTemplate.volumeClaimTemplates",
            "spec.leaderWorkerTemplate.persistentVolumeClaimRetentionPolicy",
            "spec.leaderWorkerTemplate.leaderTemplate.spec.topologySpreadConstraints",
            "spec.leaderWorkerTemplate.leaderTemplate.spec.affinity.podAffinity",
            "spec.leaderWorkerTemplate.leaderTemplate.spec.affinity.podAntiAffinity",
            "spec.leaderWorkerTemplate.workerTemplate.spec.topologySpreadConstraints",
            "spec.leaderWorkerTemplate.workerTemplate.spec.affinity.podAffinity",
            "spec.leaderWorkerTemplate.workerTemplate.spec.affinity.podAntiAffinity",
            "status",
        ],
    ),
    ("batch", "CronJob", &["status"]),
    ("", "Namespace", &["spec", "status"]),
    ("", "ResourceQuota", &["status"]),
    ("policy", "PodDisruptionBudget", &["status"]),
];

/// The fields of object `doc` (of `api`, `kind`) that load without effect, with their paths
/// (`spec.tasks[1].dependsOn`), in table order. Empty values are not listed.
pub(crate) fn fields(api: &str, kind: &str, doc: &Obj) -> Vec<String> {
    let group = api.rsplit_once('/').map_or("", |(g, _)| g);
    let mut out = Vec::new();
    for (g, k, paths) in FIELDS {
        if *g != group || *k != kind {
            continue;
        }
        for p in *paths {
            let segs: Vec<&str> = p.split('.').collect();
            collect(doc, &segs, &mut out);
        }
    }
    // Paths from the object itself, not from the List it is an item of.
    if !doc.path.is_empty() {
        let prefix = format!("{}.", doc.path);
        for p in &mut out {
            if let Some(rest) = p.strip_prefix(&prefix) {
                *p = rest.to_string();
            }
        }
    }
    out
}

/// Appends the paths of `segs` below `o` that hold a non-empty value.
fn collect(o: &Obj, segs: &[&str], out: &mut Vec<String>) {
    let Some((first, rest)) = segs.split_first() else {
        return;
    };
    let (key, each) = match first.strip_suffix("[]") {
        Some(k) => (k, true),
        None => (*first, false),
    };
    let Some(child) = o.get(key) else {
        return;
    };
    let children = if each {
        child.seq().unwrap_or_default()
    } else {
        vec![child]
    };
    for c in children {
        if rest.is_empty() {
            if !is_empty(&c) {
                out.push(c.path.clone());
            }
        } else if let Ok(co) = c.obj() {
            collect(&co, rest, out);
        }
    }
}

fn is_empty(f: &F) -> bool {
    use super::yaml::Value;
    match &f.node.value {
        Value::Map(m) => m.is_empty(),
        Value::Seq(s) => s.is_empty(),
        Value::Str(s) => s.is_empty(),
        _ => false,
    }
}
