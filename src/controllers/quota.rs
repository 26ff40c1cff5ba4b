//! ResourceQuota and LimitRange in a run (semantics.md 7.1): the API server's admission of pod
//! and Job creations, per namespace, with what the controllers do when it refuses.
//!
//! - LimitRange (ADM-2) is applied when a workload's prototype is built: every LimitRange
//!   object exists from the start and a template is static, so every pod of a template gets
//!   the same defaults (its requests then come from the defaulted containers) and the same
//!   verdict. A template the LimitRanger refuses (403, or 422 when a default makes a request
//!   exceed its limit) makes the workload `Rejected` with the API server's message: its pods
//!   can never be created.
//! - ResourceQuota (ADM-3) is checked at every pod and Job creation against the namespace's
//!   usage: non-terminal pods' requests and limits (`requests.*`, `limits.*`, `cpu`, `memory`,
//!   `pods`), and object counts (`count/pods`: every pod object until it is deleted;
//!   `count/jobs.batch`: every Job until it is deleted, finished or not).
//! - A refused pod create (ADM-4): the Job controller records `FailedCreate`, stops creating
//!   the Job's pods in that sync (slow start stops at the first error) and retries the sync
//!   with its per-Job rate limiter, 1 s doubling to 60 s (JOB-D2); a sync that creates what it
//!   needs resets it. Pod events still trigger their own syncs (which fail and advance the
//!   backoff too). A refused bare Pod is `Rejected`; a refused user Job is `Rejected`; a
//!   CronJob whose Job create is refused records `FailedCreate` and retries the same scheduled
//!   time with the controller's default rate limiter (5 ms doubling to 1000 s), without
//!   advancing lastScheduleTime.
//!
//! - A Volcano job's controller creates its missing pods concurrently: those refused fail the
//!   sync (`FailedCreate`), retried with its controller's rate limiter (5 ms doubling to
//!   1000 s) and reset by a sync that creates everything.
//!
//! Not modelled: quota scopes; LimitRanges or quotas created or changed during a run.

use std::collections::BTreeMap;

use crate::controllers::quota_rules::{self, NamespaceUsage};
use crate::input::spec::{LimitRangeSpec, PodTemplate, ResourceList, ResourceQuotaSpec, Scenario};
use crate::sim::{PodId, WlId, World};

/// The API server's admission state of one run.
#[derive(Clone, Debug, Default)]
pub struct Admission {
    limit_ranges: Vec<LimitRangeSpec>,
    quotas: Vec<ResourceQuotaSpec>,
    usage: BTreeMap<String, NamespaceUsage>,
    /// What each charged pod (by workload and pod, so that a deleted Job finds the charges of
    /// pods it no longer tracks) holds of its namespace's quotas.
    charged: BTreeMap<(WlId, PodId), ResourceList>,
    /// Jobs charged to `count/jobs.batch`.
    jobs: std::collections::BTreeSet<WlId>,
}

/// The Job controller's per-Job rate limiter for failed syncs: 1 s doubling to 60 s
/// (`crate::sim::backoff_ms` with these, after `failures` failures).
pub const JOB_API_BACKOFF_MS: (u64, u64) = (1_000, 60_000);

/// The default controller rate limiter (CronJob, Volcano job controllers): 5 ms doubling to
/// 1000 s.
pub const CONTROLLER_API_BACKOFF_MS: (u64, u64) = (5, 1_000_000);

impl Admission {
    /// `None` when the scenario has neither LimitRanges nor ResourceQuotas.
    pub fn new(sc: &Scenario) -> Option<Box<Admission>> {
        (!sc.limit_ranges.is_empty() || !sc.resource_quotas.is_empty()).then(|| {
            Box::new(Admission {
                limit_ranges: sc.limit_ranges.clone(),
                quotas: sc.resource_quotas.clone(),
                ..Admission::default()
            })
        })
    }

    /// The LimitRanger on a pod template of `namespace`: the defaulted template, or the API
    /// server's refusal for a pod of workload `name`.
    pub fn limit(&self, namespace: &str, name: &str, t: &PodTemplate) -> Result<Option<PodTemplate>, String> {
        let ranges = quota_rules::limit_ranges_in(&self.limit_ranges, namespace);
        if ranges.is_empty() {
            return Ok(None);
        }
        quota_rules::limit_ranger(t, &ranges)
            .map(Some)
            .map_err(|r| r.for_pod(name))
    }

    /// Does a ResourceQuota constrain this namespace?
    pub fn has_quota(&self, namespace: &str) -> bool {
        self.quotas.iter().any(|q| q.namespace == namespace)
    }
}

impl World {
    /// ResourceQuota admission of a pod of task `task` of workload `wl`: the usage to charge
    /// once the pod exists, or the refusal (`Ok(None)`: no quota in the namespace).
    pub(crate) fn quota_admit_pod(&mut self, wl: WlId, task: u16) -> Result<Option<ResourceList>, String> {
        let Some(adm) = self.ctl.admission.as_deref_mut() else {
            return Ok(None);
        };
        let proto = &self.store.protos[self.store.workloads[wl as usize].proto as usize];
        let Some(t) = proto.tasks[task as usize].admitted.as_deref() else {
            return Ok(None);
        };
        let ns = proto.spec.namespace.clone();
        let quotas = quota_rules::quotas_in(&adm.quotas, &ns);
        let usage = adm.usage.entry(ns).or_default();
        usage.admit_pod(&quotas, t).map(Some)
    }

    /// Record what a created pod holds.
    pub(crate) fn quota_charged(&mut self, pod: PodId, charged: ResourceList) {
        let wl = self.store.pods[pod as usize].wl;
        if let Some(adm) = self.ctl.admission.as_deref_mut() {
            adm.charged.insert((wl, pod), charged);
        }
    }

    /// A pod became terminal: its compute resources no longer count (its object does until
    /// it is deleted, which for a deleted Job's pod is now).
    pub(crate) fn quota_pod_terminal(&mut self, pod: PodId) {
        let Some(adm) = self.ctl.admission.as_deref_mut() else {
            return;
        };
        let wl = self.store.pods[pod as usize].wl;
        let w = &self.store.workloads[wl as usize];
        let ns = &self.store.protos[w.proto as usize].spec.namespace;
        if w.deleted {
            if let Some(ch) = adm.charged.remove(&(wl, pod)) {
                adm.usage.entry(ns.clone()).or_default().pod_deleted(&ch, false);
            }
        } else if let Some(ch) = adm.charged.get(&(wl, pod)) {
            adm.usage.entry(ns.clone()).or_default().pod_terminal(ch);
        }
    }

    /// ResourceQuota admission of a Job object (`count/jobs.batch`).
    pub(crate) fn quota_admit_job(&mut self, proto: crate::sim::ProtoId) -> Result<(), String> {
        let Some(adm) = self.ctl.admission.as_deref_mut() else {
            return Ok(());
        };
        let ns = &self.store.protos[proto as usize].spec.namespace;
        if !adm.has_quota(ns) {
            return Ok(());
        }
        let quotas = quota_rules::quotas_in(&adm.quotas, ns);
        adm.usage
            .entry(ns.clone())
            .or_default()
            .admit_object(&quotas, &quota_rules::job_usage())
    }

    pub(crate) fn quota_job_charged(&mut self, wl: WlId) {
        if let Some(adm) = self.ctl.admission.as_deref_mut() {
            adm.jobs.insert(wl);
        }
    }

    /// A Job is deleted: its object count goes, and its terminal pods' objects with it (the
    /// others go when they become terminal).
    pub(crate) fn quota_job_deleted(&mut self, wl: WlId) {
        let Some(adm) = self.ctl.admission.as_deref_mut() else {
            return;
        };
        let ns = self.store.protos[self.store.workloads[wl as usize].proto as usize]
            .spec
            .namespace
            .clone();
        let usage = adm.usage.entry(ns).or_default();
        if adm.jobs.remove(&wl) {
            usage.release(&quota_rules::job_usage());
        }
        // Its terminal pods: those it still tracks, and those the Job controller accounted for
        // and let go (released, so terminal).
        let terminal: Vec<(WlId, PodId)> = adm
            .charged
            .range((wl, 0)..=(wl, PodId::MAX))
            .map(|(k, _)| *k)
            .filter(|&(_, p)| self.store.pods.get(p).is_none_or(|p| p.finished.is_some()))
            .collect();
        for k in terminal {
            let ch = adm.charged.remove(&k).expect("listed");
            usage.pod_deleted(&ch, true);
        }
    }
}
