//! What the loader does with the history a cluster export carries. Run times from the recorded
//! history (`k8s::recorded`): a finished Job's or Pod's recorded run time, and, once every file
//! is read, a lower bound for the ones still running in the export (up to the latest timestamp
//! in the files); each is noted in [`Scenario::recorded_durations`](crate::input::spec::Scenario)
//! for the warnings and `kubesim validate`. And the Pods of a Job or Volcano Job of the
//! scenario, and the Jobs of a JobSet of the scenario (`metadata.ownerReferences` with
//! `controller: true`, as the controllers set it: kubernetes `pkg/controller/job/job_controller.go`
//! `newControllerRef`, volcano `pkg/controllers/job/job_controller_util.go`
//! `MakePodName`/`createJobPod`, jobset `pkg/controllers/jobset_controller.go` `createJobs`
//! `ctrl.SetControllerReference`): the simulated controller creates its own, so the exported
//! ones are set aside ([`Scenario::owned_pods`](crate::input::spec::Scenario)), not run twice.
//! The Pods of such a Job go with it: their controller, a Job, is in the scenario.
//!
//! A Job's recorded time (start to completion) covers all its pods; each pod gets that time
//! divided by the Job's waves, `ceil(completions / parallelism)` (one wave without
//! completions), which replays a Job whose pods ran in full waves.

use super::Builder;
use super::k8s::{Recorded, format_time};
use super::view::{Obj, Res};
use crate::error::quote;
use crate::input::spec::{NotSimulated, RecordedDuration, WorkloadKind, WorkloadSpec};
use crate::limits::MAX_DURATION_MS;

impl Builder {
    /// Gives workload `w` (about to be added) the run time `r` records, unless an annotation
    /// gives one; a running one waits for [`Builder::finish_recorded`].
    pub(super) fn add_recorded(&mut self, w: &mut WorkloadSpec, r: Recorded) {
        if has_duration(w) {
            return;
        }
        match r.end_ms {
            Some(end) => {
                let total = u64::try_from(end - r.start_ms).unwrap_or(0);
                let ms = per_pod_ms(w, total);
                set_duration(w, ms);
                self.sc.recorded_durations.push(note(w, &r, ms, false, end));
            }
            None => self.running.push((self.sc.workloads.len(), r)),
        }
    }

    /// Gives the workloads still running in the export their lower bound: up to the latest
    /// timestamp in the scenario's files.
    pub(super) fn finish_recorded(&mut self) {
        let latest = self.latest_ms.unwrap_or(i64::MIN);
        for (i, r) in std::mem::take(&mut self.running) {
            let until = latest.max(r.start_ms);
            let w = &mut self.sc.workloads[i];
            let total = u64::try_from(until - r.start_ms).unwrap_or(0);
            let ms = per_pod_ms(w, total);
            set_duration(w, ms);
            let n = note(w, &r, ms, true, until);
            self.sc.recorded_durations.push(n);
        }
        // File order: the finished ones were noted as read, the running ones now.
        self.sc
            .recorded_durations
            .sort_by(|a, b| (a.loc.file.as_path(), a.loc.line).cmp(&(b.loc.file.as_path(), b.loc.line)));
    }
}

/// The controller of a Pod or Job, as its `ownerReferences` name it: a batch/v1 Job, a Volcano
/// Job or a JobSet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Owner {
    /// Its `kind` as jobs.csv names it ([`WorkloadKind::api_kind`]): `Job`, `VolcanoJob`,
    /// `JobSet`.
    kind: &'static str,
    name: String,
}

/// The Job, Volcano Job or JobSet that controls the object `doc`, if its `ownerReferences` name
/// one with `controller: true`.
pub(super) fn owner(doc: &Obj) -> Res<Option<Owner>> {
    let Some(meta) = doc.get("metadata") else {
        return Ok(None);
    };
    let Some(refs) = meta.obj()?.get("ownerReferences") else {
        return Ok(None);
    };
    for r in refs.seq()? {
        let o = r.obj()?;
        let text = |k: &str| o.get(k).and_then(|f| f.str().ok().map(str::to_string));
        let controller = o.get("controller").is_some_and(|c| c.bool().unwrap_or(false));
        let kind = match (text("apiVersion").as_deref(), text("kind").as_deref()) {
            (Some("batch/v1"), Some("Job")) => "Job",
            (Some("batch.volcano.sh/v1alpha1"), Some("Job")) => "VolcanoJob",
            (Some("jobset.x-k8s.io/v1alpha2"), Some("JobSet")) => "JobSet",
            _ => continue,
        };
        if let (true, Some(name)) = (controller, text("name")) {
            return Ok(Some(Owner { kind, name }));
        }
    }
    Ok(None)
}

impl Builder {
    /// Sets aside the Pods and Jobs whose controller (a Job, Volcano Job or JobSet) is in the
    /// scenario: a Pod of a Job of a JobSet goes with its Job.
    pub(super) fn drop_owned_pods(&mut self) {
        let owned = std::mem::take(&mut self.owned);
        let mut drop = vec![false; self.sc.workloads.len()];
        for (i, owner) in &owned {
            let ns = &self.sc.workloads[*i].namespace;
            drop[*i] = self
                .sc
                .workloads
                .iter()
                .any(|w| w.namespace == *ns && w.name == owner.name && w.kind.api_kind() == owner.kind);
        }
        if !drop.contains(&true) {
            return;
        }
        let mut kept = Vec::with_capacity(self.sc.workloads.len());
        for (w, d) in std::mem::take(&mut self.sc.workloads).into_iter().zip(&drop) {
            if *d {
                self.sc.recorded_durations.retain(|r| r.loc != w.loc);
                let api_version = if matches!(w.kind, WorkloadKind::Pod(_)) {
                    "v1"
                } else {
                    "batch/v1"
                };
                self.sc.owned_pods.push(NotSimulated {
                    api_version: api_version.to_string(),
                    kind: w.kind.api_kind().to_string(),
                    namespace: w.namespace,
                    name: w.name,
                    loc: w.loc,
                });
            } else {
                kept.push(w);
            }
        }
        self.sc.workloads = kept;
    }
}

fn note(w: &WorkloadSpec, r: &Recorded, ms: u64, lower_bound: bool, until: i64) -> RecordedDuration {
    let kind = match w.kind {
        WorkloadKind::Job(_) => "Job",
        WorkloadKind::Pod(_) => "Pod",
        WorkloadKind::VolcanoJob(_) => "Volcano Job",
        WorkloadKind::KueueWorkload(_) => "Workload",
        WorkloadKind::JobSet(_) => "JobSet",
        WorkloadKind::Serving(ref s) => s.kind.api_kind(),
        WorkloadKind::Kubeflow(_) | WorkloadKind::MpiJob(_) | WorkloadKind::Ray(_) | WorkloadKind::Lws(_) => {
            w.kind.api_kind()
        }
    };
    RecordedDuration {
        what: format!("{kind} {}", quote(&format!("{}/{}", w.namespace, w.name))),
        loc: w.loc.clone(),
        duration_ms: ms,
        lower_bound,
        since: format_time(r.start_ms),
        until: format_time(until),
        restarts: r.restarts,
    }
}

/// Whether an annotation already gives the workload's pods a run time.
fn has_duration(w: &WorkloadSpec) -> bool {
    match &w.kind {
        WorkloadKind::Job(j) => j.template.hints.duration_ms.is_some(),
        WorkloadKind::Pod(t) => t.hints.duration_ms.is_some(),
        WorkloadKind::Serving(s) => s.template.hints.duration_ms.is_some(),
        WorkloadKind::Lws(l) => l.leader.hints.duration_ms.is_some() && l.worker.hints.duration_ms.is_some(),
        WorkloadKind::VolcanoJob(v) => v.tasks.iter().all(|t| t.template.hints.duration_ms.is_some()),
        WorkloadKind::KueueWorkload(k) => k.duration_ms().is_some(),
        WorkloadKind::JobSet(s) => s
            .replicated_jobs
            .iter()
            .all(|r| r.job.template.hints.duration_ms.is_some()),
        WorkloadKind::Kubeflow(k) => k.replicas.iter().all(|r| r.template.hints.duration_ms.is_some()),
        // The launcher's run is the job's (the workers run until they are deleted).
        WorkloadKind::MpiJob(m) => m.launcher.template.hints.duration_ms.is_some(),
        WorkloadKind::Ray(r) => r.groups.iter().all(|g| g.template.hints.duration_ms.is_some()),
    }
}

/// Each pod's share of a recorded `total`: a Job's time over its waves, within the duration
/// limit.
fn per_pod_ms(w: &WorkloadSpec, total: u64) -> u64 {
    let waves = match &w.kind {
        WorkloadKind::Job(j) => match j.completions {
            Some(c) => u64::from(c)
                .div_ceil(u64::from(j.parallelism.unwrap_or(1).max(1)))
                .max(1),
            None => 1,
        },
        _ => 1,
    };
    (total / waves).min(MAX_DURATION_MS)
}

fn set_duration(w: &mut WorkloadSpec, ms: u64) {
    match &mut w.kind {
        WorkloadKind::Job(j) => j.template.hints.duration_ms = Some(ms),
        WorkloadKind::Pod(t) => t.hints.duration_ms = Some(ms),
        WorkloadKind::VolcanoJob(_)
        | WorkloadKind::KueueWorkload(_)
        | WorkloadKind::JobSet(_)
        | WorkloadKind::Serving(_)
        | WorkloadKind::Kubeflow(_)
        | WorkloadKind::MpiJob(_)
        | WorkloadKind::Ray(_)
        | WorkloadKind::Lws(_) => {}
    }
}
