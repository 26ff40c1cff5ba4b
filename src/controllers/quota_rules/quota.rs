//! ResourceQuota admission (ADM-3; k8s `plugin/pkg/admission/resourcequota/controller.go`,
//! `checkRequest`): which quota resources concern pods, the cpu/memory constraints a quota puts on
//! every container, each quota's limits against the namespace's usage, and the API's messages.

use std::collections::{BTreeMap, BTreeSet};

use super::COUNT_PODS;
use super::usage::pod_usage;
use crate::input::quantity::{format_quantity, quota_unit_resource};
use crate::input::resources::is_native;
use crate::input::spec::{PodTemplate, ResourceList, ResourceQuotaSpec};

/// The quota resources of `hard` that a pod is charged for (`podEvaluator.MatchingResources`).
fn pod_matching(hard: &ResourceList) -> Vec<&str> {
    const POD_RESOURCES: &[&str] = &[
        COUNT_PODS,
        "cpu",
        "memory",
        "ephemeral-storage",
        "requests.cpu",
        "requests.memory",
        "requests.ephemeral-storage",
        "limits.cpu",
        "limits.memory",
        "limits.ephemeral-storage",
        "pods",
    ];
    hard.keys()
        .map(String::as_str)
        .filter(|k| {
            POD_RESOURCES.contains(k)
                || k.starts_with("hugepages-")
                || k.starts_with("requests.hugepages-")
                || (!is_native(k) && k.starts_with("requests."))
        })
        .collect()
}

/// The names in `podComputeUsageHelper` of one container.
fn container_usage_names(req: &ResourceList, lim: &ResourceList) -> BTreeSet<String> {
    let mut s = BTreeSet::new();
    for k in ["cpu", "memory"] {
        if req.contains_key(k) {
            s.insert(k.to_string());
            s.insert(format!("requests.{k}"));
        }
        if lim.contains_key(k) {
            s.insert(format!("limits.{k}"));
        }
    }
    s
}

/// ADM-3's rule (`podEvaluator.Constraints`): if `quota` constrains `cpu`/`memory` requests or
/// limits (`cpu`, `requests.cpu`, `limits.cpu`, and the memory ones), every container and init
/// container must set them, unless the pod sets pod-level resources. The message names each
/// missing resource with its containers: `failed quota: q: must specify limits.cpu for: a;
/// requests.cpu for: a,b`. Nothing to check (Ok) if the quota does not concern pods.
pub fn pod_quota_constraints(quota: &ResourceQuotaSpec, t: &PodTemplate) -> Result<(), String> {
    if !t.pod_level_requests.is_empty() || !t.pod_level_limits.is_empty() {
        return Ok(());
    }
    const VALIDATION: &[&str] = &[
        "cpu",
        "memory",
        "requests.cpu",
        "requests.memory",
        "limits.cpu",
        "limits.memory",
    ];
    let required: Vec<&str> = pod_matching(&quota.hard)
        .into_iter()
        .filter(|k| VALIDATION.contains(k))
        .collect();
    let mut missing: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for c in &t.containers {
        let have = container_usage_names(&c.requests, &c.limits);
        for r in &required {
            if !have.contains(*r) {
                missing.entry(r).or_default().insert(c.name.as_str());
            }
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let parts: Vec<String> = missing
        .iter()
        .map(|(r, names)| format!("{r} for: {}", names.iter().copied().collect::<Vec<_>>().join(",")))
        .collect();
    Err(format!(
        "failed quota: {}: must specify {}",
        quota.name,
        parts.join("; ")
    ))
}

/// `prettyPrint`: `name=quantity` pairs in name order, comma-separated; absent amounts are 0.
fn pretty(list: &ResourceList, keys: &[&str]) -> String {
    keys.iter()
        .map(|k| {
            let v = list.get(*k).copied().unwrap_or(0);
            format!("{k}={}", format_quantity(quota_unit_resource(k), v))
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// One quota's check of a create that adds `delta` to what the namespace `used`
/// (`checkRequest`): the resources of `delta` the quota names (`hard`) must stay within it
/// after the create. The error is the API server's: `exceeded quota: <name>, requested:
/// requests.cpu=1, used: requests.cpu=4, limited: requests.cpu=4`, listing every exceeded
/// resource.
pub fn quota_admit(name: &str, hard: &ResourceList, used: &ResourceList, delta: &ResourceList) -> Result<(), String> {
    let exceeded: Vec<&str> = delta
        .iter()
        .filter_map(|(k, d)| {
            let h = *hard.get(k)?;
            let new = used.get(k).copied().unwrap_or(0).saturating_add(*d);
            (new > h).then_some(k.as_str())
        })
        .collect();
    if exceeded.is_empty() {
        return Ok(());
    }
    Err(format!(
        "exceeded quota: {name}, requested: {}, used: {}, limited: {}",
        pretty(delta, &exceeded),
        pretty(used, &exceeded),
        pretty(hard, &exceeded)
    ))
}

/// ResourceQuota admission of a pod (already through [`limit_ranger`](super::limit_ranger)) into a namespace with
/// `quotas` (sorted by name) and usage `used`: first every quota's constraints
/// ([`pod_quota_constraints`]), then every quota's limits ([`quota_admit`]). Returns the usage
/// to charge ([`pod_usage`]); does not charge it (see [`NamespaceUsage::admit_pod`](super::NamespaceUsage::admit_pod)).
pub fn admit_pod(quotas: &[&ResourceQuotaSpec], used: &ResourceList, t: &PodTemplate) -> Result<ResourceList, String> {
    for q in quotas.iter().filter(|q| !pod_matching(&q.hard).is_empty()) {
        pod_quota_constraints(q, t)?;
    }
    let delta = pod_usage(t);
    for q in quotas {
        quota_admit(&q.name, &q.hard, used, &delta)?;
    }
    Ok(delta)
}

/// ResourceQuota admission of an object counted by `delta` ([`job_usage`](super::job_usage),
/// [`cron_job_usage`](super::cron_job_usage)).
pub fn admit_object(quotas: &[&ResourceQuotaSpec], used: &ResourceList, delta: &ResourceList) -> Result<(), String> {
    quotas
        .iter()
        .try_for_each(|q| quota_admit(&q.name, &q.hard, used, delta))
}
