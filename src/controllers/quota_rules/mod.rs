//! Admission by LimitRange and ResourceQuota (semantics.md 7.1, ADM-1..ADM-3) as pure
//! functions, for the controllers to call when they create a pod or a Job:
//!
//! 1. [`limit_ranger`] (mutating, then validating): container defaults from the namespace's
//!    LimitRanges, then their bounds; the pod it returns carries the defaults and recomputed
//!    totals (k8s `plugin/pkg/admission/limitranger/admission.go`).
//! 2. [`admit_pod`] / [`admit_object`] (validating): the namespace's ResourceQuotas against a
//!    [`NamespaceUsage`] (k8s `plugin/pkg/admission/resourcequota/controller.go`,
//!    `checkRequest`; usage from `pkg/quota/v1/evaluator/core/pods.go`, `PodUsageFunc`).
//!
//! A rejection is the API server's message after `pods "<name>" is forbidden: ` (HTTP 403), or
//! after `Pod "<name>" is invalid: ` (422) when LimitRange defaults make a container's request
//! exceed its limit ([`Rejection`]). Nothing is ever Pending because of either: a rejected
//! create fails, and the controller retries (ADM-4).
//!
//! Usage is charged at create and released as [`NamespaceUsage`] is told: compute resources and
//! `pods` when the pod becomes terminal (Succeeded or Failed; or deleted), `count/pods` when it
//! is deleted, `count/jobs.batch` when the Job is deleted (ADM-3). All amounts are canonical
//! integers (`spec.rs`): `pods: 1` is 1000.
//!
//! Determinism: Kubernetes lists a namespace's quotas and ranges in no defined order; callers
//! pass them sorted by name ([`quotas_in`], [`limit_ranges_in`]) and checks run in that order, each resource in
//! name order, so the first failure (and so the message) is fixed.
//!
//! This module owns the count names, the namespace selection and the rejection forms; the
//! LimitRanger plugin is in `limit_range.rs`, quota checks (constraints, limits, messages) in
//! `quota.rs`, and what objects are charged ([`pod_usage`], [`NamespaceUsage`]) in `usage.rs`.

mod limit_range;
mod quota;
mod usage;

pub use limit_range::limit_ranger;
pub use quota::{admit_object, admit_pod, pod_quota_constraints, quota_admit};
pub use usage::{NamespaceUsage, cron_job_usage, job_usage, pod_usage, terminal_pod_usage};

use crate::input::spec::{LimitRangeSpec, ResourceQuotaSpec};

/// Quota object counts (`count/<resource>.<group>`).
pub const COUNT_PODS: &str = "count/pods";
pub const COUNT_JOBS: &str = "count/jobs.batch";
pub const COUNT_CRON_JOBS: &str = "count/cronjobs.batch";

/// One unit of a count in canonical units.
const ONE: i64 = 1_000;

/// The objects of `all` in namespace `ns`, sorted by name: the order admission checks them in.
fn in_namespace<'a, T>(all: &'a [T], ns: &str, key: impl Fn(&T) -> (&str, &str)) -> Vec<&'a T> {
    let mut v: Vec<&T> = all.iter().filter(|o| key(o).0 == ns).collect();
    v.sort_by(|a, b| key(a).1.cmp(key(b).1));
    v
}

/// The LimitRanges of namespace `ns`, by name.
pub fn limit_ranges_in<'a>(all: &'a [LimitRangeSpec], ns: &str) -> Vec<&'a LimitRangeSpec> {
    in_namespace(all, ns, |l| (l.namespace.as_str(), l.name.as_str()))
}

/// The ResourceQuotas of namespace `ns`, by name.
pub fn quotas_in<'a>(all: &'a [ResourceQuotaSpec], ns: &str) -> Vec<&'a ResourceQuotaSpec> {
    in_namespace(all, ns, |q| (q.namespace.as_str(), q.name.as_str()))
}

/// `<resource> "<name>" is forbidden: <message>`, the API server's 403 text (`pods`, `jobs.batch`).
pub fn forbidden(resource: &str, name: &str, message: &str) -> String {
    format!("{resource} \"{name}\" is forbidden: {message}")
}

/// Why a pod create was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// By an admission plugin (HTTP 403): LimitRange bounds, quota.
    Forbidden(String),
    /// By pod validation after LimitRange defaults (HTTP 422): a defaulted request above its
    /// limit, or an extended resource whose request and limit differ.
    Invalid(String),
}

impl Rejection {
    /// The message without the object prefix.
    pub fn message(&self) -> &str {
        match self {
            Rejection::Forbidden(m) | Rejection::Invalid(m) => m,
        }
    }

    /// The whole API error text for pod `name`.
    pub fn for_pod(&self, name: &str) -> String {
        match self {
            Rejection::Forbidden(m) => forbidden("pods", name, m),
            Rejection::Invalid(m) => format!("Pod \"{name}\" is invalid: {m}"),
        }
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

#[cfg(test)]
mod tests;
