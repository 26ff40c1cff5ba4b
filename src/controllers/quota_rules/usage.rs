//! Quota usage (k8s `pkg/quota/v1/evaluator/core/pods.go`, `PodUsageFunc`): what a pod, a Job and
//! a CronJob are charged, and [`NamespaceUsage`], a namespace's usage charged at admission and
//! released as objects finish or are deleted.

use super::quota::{admit_object, admit_pod};
use super::{COUNT_CRON_JOBS, COUNT_JOBS, COUNT_PODS, ONE};
use crate::input::resources::{add_into, is_extended};
use crate::input::spec::{PodTemplate, ResourceList, ResourceQuotaSpec};

/// The quota usage of a pod that is not terminal (`PodUsageFunc`, `podComputeUsageHelper`),
/// from its totals (containers, init containers, overhead, pod-level values): `count/pods` and
/// `pods` 1; `cpu` and `requests.cpu` its cpu request, `limits.cpu` its limit; the same for
/// `memory` and `ephemeral-storage`; `hugepages-<size>` and `requests.hugepages-<size>` the
/// request and `limits.hugepages-<size>` the limit; `requests.<name>` the request of each
/// extended resource. There is no `limits.<extended>` usage: Kubernetes quotas extended
/// resources only as `requests.<name>`, so a quota on `limits.nvidia.com/gpu` constrains
/// nothing. A resource the pod neither requests nor limits has no entry.
pub fn pod_usage(t: &PodTemplate) -> ResourceList {
    let mut u = ResourceList::new();
    u.insert(COUNT_PODS.to_string(), ONE);
    u.insert("pods".to_string(), ONE);
    for (k, v) in &t.requests {
        if matches!(k.as_str(), "cpu" | "memory" | "ephemeral-storage") || k.starts_with("hugepages-") {
            u.insert(k.clone(), *v);
            u.insert(format!("requests.{k}"), *v);
        } else if is_extended(k) {
            u.insert(format!("requests.{k}"), *v);
        }
    }
    for (k, v) in &t.limits {
        if matches!(k.as_str(), "cpu" | "memory" | "ephemeral-storage") || k.starts_with("hugepages-") {
            u.insert(format!("limits.{k}"), *v);
        }
    }
    u
}

/// What stays charged once a pod is terminal: its object count until it is deleted.
pub fn terminal_pod_usage() -> ResourceList {
    ResourceList::from([(COUNT_PODS.to_string(), ONE)])
}

/// The usage of one batch/v1 Job: `count/jobs.batch` 1, whatever its state, until deleted.
pub fn job_usage() -> ResourceList {
    ResourceList::from([(COUNT_JOBS.to_string(), ONE)])
}

/// The usage of one CronJob: `count/cronjobs.batch` 1.
pub fn cron_job_usage() -> ResourceList {
    ResourceList::from([(COUNT_CRON_JOBS.to_string(), ONE)])
}

/// What one namespace's objects hold of its quotas (`status.used`, for every resource at
/// once): charged when admission lets an object in, released as objects finish or go away.
/// The simulator's quota controller is instantaneous: a pod that becomes terminal frees its
/// compute resources at once (ADM-3).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NamespaceUsage {
    used: ResourceList,
}

impl NamespaceUsage {
    pub fn used(&self) -> &ResourceList {
        &self.used
    }

    pub fn charge(&mut self, usage: &ResourceList) {
        add_into(&mut self.used, usage);
    }

    /// Releases `usage` (never below zero; resources at zero are dropped).
    pub fn release(&mut self, usage: &ResourceList) {
        for (k, v) in usage {
            if let Some(e) = self.used.get_mut(k) {
                *e = e.saturating_sub(*v).max(0);
                if *e == 0 {
                    self.used.remove(k);
                }
            }
        }
    }

    /// [`admit_pod`], charging the pod's usage if it is admitted; returns what was charged
    /// (hand it back to [`NamespaceUsage::pod_terminal`] and [`NamespaceUsage::pod_deleted`]).
    pub fn admit_pod(&mut self, quotas: &[&ResourceQuotaSpec], t: &PodTemplate) -> Result<ResourceList, String> {
        let delta = admit_pod(quotas, &self.used, t)?;
        self.charge(&delta);
        Ok(delta)
    }

    /// [`admit_object`], charging `delta` if the object is admitted.
    pub fn admit_object(&mut self, quotas: &[&ResourceQuotaSpec], delta: &ResourceList) -> Result<(), String> {
        admit_object(quotas, &self.used, delta)?;
        self.charge(delta);
        Ok(())
    }

    /// A pod charged `charged` became terminal (Succeeded or Failed): everything but its
    /// object count is released.
    pub fn pod_terminal(&mut self, charged: &ResourceList) {
        let mut compute = charged.clone();
        compute.remove(COUNT_PODS);
        self.release(&compute);
    }

    /// A pod charged `charged` was deleted; `was_terminal` if [`NamespaceUsage::pod_terminal`]
    /// already released its compute resources.
    pub fn pod_deleted(&mut self, charged: &ResourceList, was_terminal: bool) {
        if was_terminal {
            self.release(&terminal_pod_usage());
        } else {
            self.release(charged);
        }
    }
}
