//! Kueue's own configuration file in a scenario: a `config.kueue.x-k8s.io/v1beta1` or
//! `v1beta2` `Configuration` document (what Kueue's `controller_manager_config.yaml` holds),
//! converted to [`KueueConfig`] with Kueue's defaults and validation. Sources (kueue @
//! ff69552e): `apis/config/v1beta2/configuration_types.go` and `v1beta1/configuration_types.go`
//! (the fields), `apis/config/v1beta2/defaults.go` and `v1beta1/defaults.go`
//! (`SetDefaults_Configuration`: v1beta2 turns waitForPodsReady on with a 30 min timeout and
//! blockAdmission off; v1beta1 only with `enable: true`, then 5 min and blockAdmission on;
//! both: recoveryTimeout = timeout, requeuing timestamp `Eviction`, backoff 60 s to 3600 s,
//! `integrations.frameworks: [batch/job]`, managedJobsNamespaceSelector "not kube-system nor
//! Kueue's namespace"), `apis/config/v1beta1/configuration_conversion.go`
//! (`Convert_v1beta1_WaitForPodsReady_To_v1beta2_WaitForPodsReady`), `pkg/config/validation.go`
//! (`validateWaitForPodsReady`, `validateQuotaCheckStrategy`), `pkg/controller/core/core.go`
//! (`waitForPodsReady`: a recoveryTimeout of 0 turns recovery checks off) and
//! `pkg/util/waitforpodsready/waitforpodsready.go` (`Enabled`: the `DisableWaitForPodsReady`
//! feature gate turns it off).
//!
//! Simulated: `waitForPodsReady` (all of it), `manageJobsWithoutQueueName`,
//! `managedJobsNamespaceSelector`, `integrations.frameworks` (whether `batch/job`, `jobset.x-k8s.io/jobset`,
//! `kubeflow.org/mpijob`, `kubeflow.org/pytorchjob`, `kubeflow.org/tfjob`, `kubeflow.org/jaxjob`,
//! `kubeflow.org/paddlejob`, `kubeflow.org/xgboostjob`, `ray.io/rayjob`, `ray.io/raycluster` are
//! managed),
//! `resources.excludeResourcePrefixes` and `resources.quotaCheckStrategy`,
//! `objectRetentionPolicies.workloads.afterDeactivatedByKueue`, the `DisableWaitForPodsReady`
//! and `SchedulingEquivalenceHashing` feature gates (`pkg/features/kube_features.go`). Every
//! other field of the Configuration is accepted and listed by `validate` as loaded, not
//! simulated (controller-manager and webhook settings change nothing a
//! simulation measures; fair sharing, admission fair sharing, resource transformations and
//! device-class mappings would, and are reported as warnings).

use super::k8s::label_selector;
use super::view::{F, Obj, Res};
use crate::error::quote;
use crate::input::spec::{KueueConfig, SourceLoc, WaitForPodsReady};

/// The API version of a Configuration document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ConfigVersion {
    V1beta1,
    V1beta2,
}

impl ConfigVersion {
    /// The version of apiVersion `api`, if it is Kueue's configuration group.
    pub fn of(api: &str) -> Option<ConfigVersion> {
        match api {
            "config.kueue.x-k8s.io/v1beta1" => Some(ConfigVersion::V1beta1),
            "config.kueue.x-k8s.io/v1beta2" => Some(ConfigVersion::V1beta2),
            _ => None,
        }
    }
}

/// Top-level fields of both versions (v1beta1 adds `queueVisibility`, v1beta2
/// `visibilityServer`; the controller-manager fields are inlined).
const TOP_FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    // Not in Kueue's type; a scenario may name the document like its other objects.
    "metadata",
    "namespace",
    "manageJobsWithoutQueueName",
    "managedJobsNamespaceSelector",
    "internalCertManagement",
    "waitForPodsReady",
    "clientConnection",
    "integrations",
    "multiKueue",
    "fairSharing",
    "admissionFairSharing",
    "resources",
    "featureGates",
    "objectRetentionPolicies",
    "webhook",
    "leaderElection",
    "metrics",
    "health",
    "pprofBindAddress",
    "controller",
    "tls",
];
const V1BETA1_ONLY: &str = "queueVisibility";
const V1BETA2_ONLY: &str = "visibilityServer";

/// Fields that configure the controller process and change nothing a simulation measures.
const PROCESS_FIELDS: &[&str] = &[
    "internalCertManagement",
    "clientConnection",
    "multiKueue",
    "webhook",
    "leaderElection",
    "metrics",
    "health",
    "pprofBindAddress",
    "controller",
    "tls",
    "queueVisibility",
    "visibilityServer",
];

/// The largest backoff in seconds (Kueue's fields are int32).
const MAX_SECONDS: i128 = i32::MAX as i128;

/// Converts a Configuration document (`doc` is the whole document; it has no metadata).
pub(crate) fn configuration(doc: &Obj, version: ConfigVersion, loc: &SourceLoc) -> Res<KueueConfig> {
    let mut allowed: Vec<&str> = TOP_FIELDS.to_vec();
    allowed.push(match version {
        ConfigVersion::V1beta1 => V1BETA1_ONLY,
        ConfigVersion::V1beta2 => V1BETA2_ONLY,
    });
    doc.deny_unknown(&allowed, "a Kueue Configuration")?;
    let namespace = match doc.get("namespace") {
        Some(f) => f.name()?,
        None => "kueue-system".to_string(),
    };
    let mut cfg = KueueConfig {
        wait_for_pods_ready: None,
        managed_jobs_namespace_selector: KueueConfig::default_namespace_selector(&namespace),
        loc: Some(loc.clone()),
        ..KueueConfig::default()
    };
    if let Some(f) = doc.get("manageJobsWithoutQueueName") {
        cfg.manage_jobs_without_queue_name = f.bool()?;
    }
    if let Some(f) = doc.get("managedJobsNamespaceSelector") {
        cfg.managed_jobs_namespace_selector = label_selector(&f)?;
    }
    let gates = feature_gates(doc)?;
    let disabled = gates.iter().any(|(g, on)| g == "DisableWaitForPodsReady" && *on);
    cfg.wait_for_pods_ready = match doc.get("waitForPodsReady") {
        _ if disabled => None,
        Some(f) => wait_for_pods_ready(&f, version)?,
        None if version == ConfigVersion::V1beta2 => Some(WaitForPodsReady::with_timeout(30 * 60_000, false)),
        None => None,
    };
    if let Some(f) = doc.get("integrations") {
        let o = f.obj()?;
        o.deny_unknown(
            &["frameworks", "externalFrameworks", "podOptions", "labelKeysToCopy"],
            "Kueue's integrations",
        )?;
        if let Some(list) = o.get("frameworks") {
            let names = list.seq()?;
            if !names.is_empty() {
                let mut listed = Vec::new();
                for n in &names {
                    listed.push(n.str()?);
                }
                let has = |f: &str| listed.contains(&f);
                cfg.manages_batch_jobs = has("batch/job");
                cfg.manages_jobsets = has("jobset.x-k8s.io/jobset");
                cfg.manages_mpijobs = has("kubeflow.org/mpijob");
                cfg.manages_pytorchjobs = has("kubeflow.org/pytorchjob");
                cfg.manages_tfjobs = has("kubeflow.org/tfjob");
                cfg.manages_jaxjobs = has("kubeflow.org/jaxjob");
                cfg.manages_paddlejobs = has("kubeflow.org/paddlejob");
                cfg.manages_xgboostjobs = has("kubeflow.org/xgboostjob");
                cfg.manages_rayjobs = has("ray.io/rayjob");
                cfg.manages_rayclusters = has("ray.io/raycluster");
            }
        }
        for k in ["externalFrameworks", "podOptions", "labelKeysToCopy"] {
            if o.has(k) {
                cfg.not_simulated.push(format!("integrations.{k}"));
            }
        }
    }
    resources(doc, &mut cfg)?;
    retention(doc, &mut cfg)?;
    if let Some((_, on)) = gates.iter().find(|(g, _)| g == "SchedulingEquivalenceHashing") {
        cfg.equivalence_hashing = *on;
    }
    let simulated = ["DisableWaitForPodsReady", "SchedulingEquivalenceHashing"];
    for (g, _) in gates.iter().filter(|(g, _)| !simulated.contains(&g.as_str())) {
        cfg.not_simulated.push(format!("featureGates.{g}"));
    }
    fair_sharing(doc, version, &mut cfg)?;
    for k in PROCESS_FIELDS {
        if doc.has(k) {
            cfg.not_simulated.push((*k).to_string());
        }
    }
    Ok(cfg)
}

/// `featureGates`: a map of gate names to booleans.
fn feature_gates(doc: &Obj) -> Res<Vec<(String, bool)>> {
    let Some(f) = doc.get("featureGates") else {
        return Ok(Vec::new());
    };
    let o = f.obj()?;
    let mut gates = Vec::new();
    for e in o.entries {
        let v = o.get(&e.key).map(|v| v.bool()).transpose()?.unwrap_or(false);
        gates.push((e.key.clone(), v));
    }
    Ok(gates)
}

/// `waitForPodsReady`, defaulted for `version`; `None` when off (v1beta1 without `enable`).
fn wait_for_pods_ready(f: &F, version: ConfigVersion) -> Res<Option<WaitForPodsReady>> {
    let o = f.obj()?;
    let mut fields = vec!["timeout", "blockAdmission", "requeuingStrategy", "recoveryTimeout"];
    if version == ConfigVersion::V1beta1 {
        fields.push("enable");
    }
    o.deny_unknown(&fields, "Kueue's waitForPodsReady")?;
    let (default_timeout, default_block) = match version {
        ConfigVersion::V1beta1 => {
            let on = o.get("enable").map(|e| e.bool()).transpose()?.unwrap_or(false);
            if !on {
                return Ok(None);
            }
            (5 * 60_000, true)
        }
        ConfigVersion::V1beta2 => (30 * 60_000, false),
    };
    let timeout_ms = match o.get("timeout") {
        Some(t) => match t.duration_ms()? {
            // v1beta2 defaults an unset (zero) timeout; v1beta1 refuses it.
            0 if version == ConfigVersion::V1beta2 => default_timeout,
            0 => {
                return Err(t.err(
                    "waitForPodsReady.timeout must be specified (Kueue refuses 0)",
                    "write a timeout such as 5m, or leave the field out for the 5 min default",
                ));
            }
            ms => ms,
        },
        None => default_timeout,
    };
    let mut w = WaitForPodsReady::with_timeout(timeout_ms, default_block);
    if let Some(b) = o.get("blockAdmission") {
        w.block_admission = b.bool()?;
    }
    if let Some(r) = o.get("recoveryTimeout") {
        // core.go `waitForPodsReady`: 0 turns recovery checks off.
        w.recovery_timeout_ms = Some(r.duration_ms()?).filter(|&ms| ms > 0);
    }
    if let Some(s) = o.get("requeuingStrategy") {
        let s = s.obj()?;
        s.deny_unknown(
            &[
                "timestamp",
                "backoffLimitCount",
                "backoffBaseSeconds",
                "backoffMaxSeconds",
            ],
            "Kueue's requeuingStrategy",
        )?;
        if let Some(t) = s.get("timestamp") {
            w.requeue_from_creation = match t.str()? {
                "Creation" => true,
                "Eviction" => false,
                other => {
                    return Err(t.err(
                        format!("unknown requeuing timestamp {}", quote(other)),
                        "write Eviction (the default) or Creation",
                    ));
                }
            };
        }
        if let Some(n) = s.get("backoffLimitCount") {
            w.backoff_limit_count = Some(n.u32()?);
        }
        if let Some(n) = s.get("backoffBaseSeconds") {
            w.backoff_base_s = n.int_in(0, MAX_SECONDS)? as u32;
        }
        if let Some(n) = s.get("backoffMaxSeconds") {
            w.backoff_max_s = n.int_in(0, MAX_SECONDS)? as u32;
        }
    }
    Ok(Some(w))
}

/// `resources`: excluded prefixes and the quota check strategy are simulated.
fn resources(doc: &Obj, cfg: &mut KueueConfig) -> Res<()> {
    let Some(f) = doc.get("resources") else { return Ok(()) };
    let o = f.obj()?;
    o.deny_unknown(
        &[
            "quotaCheckStrategy",
            "excludeResourcePrefixes",
            "transformations",
            "deviceClassMappings",
        ],
        "Kueue's resources",
    )?;
    if let Some(list) = o.get("excludeResourcePrefixes") {
        for p in list.seq()? {
            cfg.exclude_resource_prefixes.push(p.string()?);
        }
    }
    if let Some(s) = o.get("quotaCheckStrategy") {
        cfg.quota_ignore_undeclared = match s.str()? {
            "BlockUndeclared" => false,
            "IgnoreUndeclared" => true,
            other => {
                return Err(s.err(
                    format!("unknown quotaCheckStrategy {}", quote(other)),
                    "write BlockUndeclared (the default) or IgnoreUndeclared",
                ));
            }
        };
        if cfg.quota_ignore_undeclared && !cfg.exclude_resource_prefixes.is_empty() {
            return Err(s.err(
                "quotaCheckStrategy IgnoreUndeclared cannot be combined with excludeResourcePrefixes",
                "remove excludeResourcePrefixes, or use BlockUndeclared (Kueue's validateQuotaCheckStrategy)",
            ));
        }
    }
    for k in ["transformations", "deviceClassMappings"] {
        if o.get(k).is_some_and(|v| v.seq().is_ok_and(|s| !s.is_empty())) {
            cfg.not_simulated.push(format!("resources.{k}"));
        }
    }
    Ok(())
}

/// `objectRetentionPolicies.workloads`: deletion after deactivation is simulated.
fn retention(doc: &Obj, cfg: &mut KueueConfig) -> Res<()> {
    let Some(f) = doc.get("objectRetentionPolicies") else {
        return Ok(());
    };
    let o = f.obj()?;
    o.deny_unknown(&["workloads"], "Kueue's objectRetentionPolicies")?;
    let Some(w) = o.get("workloads") else { return Ok(()) };
    let w = w.obj()?;
    w.deny_unknown(
        &["afterFinished", "afterDeactivatedByKueue"],
        "Kueue's workload retention policy",
    )?;
    if let Some(d) = w.get("afterDeactivatedByKueue") {
        cfg.delete_after_deactivated_ms = Some(d.duration_ms()?);
    }
    if w.has("afterFinished") {
        // Deleting finished Workload objects changes no Job and no quota.
        cfg.not_simulated
            .push("objectRetentionPolicies.workloads.afterFinished".into());
    }
    Ok(())
}

/// `fairSharing` (v1beta1: on with `enable: true`; v1beta2: on when present) and
/// `admissionFairSharing`: loaded, not simulated.
fn fair_sharing(doc: &Obj, version: ConfigVersion, cfg: &mut KueueConfig) -> Res<()> {
    if let Some(f) = doc.get("fairSharing") {
        let o = f.obj()?;
        let mut fields = vec!["preemptionStrategies"];
        if version == ConfigVersion::V1beta1 {
            fields.push("enable");
        }
        o.deny_unknown(&fields, "Kueue's fairSharing")?;
        let on = match version {
            ConfigVersion::V1beta1 => o.get("enable").map(|e| e.bool()).transpose()?.unwrap_or(false),
            ConfigVersion::V1beta2 => true,
        };
        if on {
            cfg.not_simulated.push("fairSharing".into());
        }
    }
    if doc.has("admissionFairSharing") {
        cfg.not_simulated.push("admissionFairSharing".into());
    }
    Ok(())
}

/// Fields in `not_simulated` that change admission in real Kueue (warned about, not only
/// listed).
pub(crate) fn changes_admission(field: &str) -> bool {
    matches!(
        field,
        "fairSharing" | "admissionFairSharing" | "resources.transformations" | "resources.deviceClassMappings"
    )
}
