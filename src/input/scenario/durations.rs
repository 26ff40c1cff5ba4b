//! Run times the loader gives workloads from their recorded history (`k8s::recorded`): a
//! finished Job's or Pod's recorded run time, and, once every file is read, a lower bound for
//! the ones still running in the export (up to the latest timestamp in the files). Each is
//! noted in [`Scenario::recorded_durations`](crate::input::spec::Scenario) for the warnings and
//! `kubesim validate`.
//!
//! A Job's recorded time (start to completion) covers all its pods; each pod gets that time
//! divided by the Job's waves, `ceil(completions / parallelism)` (one wave without
//! completions), which replays a Job whose pods ran in full waves.

use super::Builder;
use super::k8s::{Recorded, format_time};
use crate::error::quote;
use crate::input::spec::{RecordedDuration, WorkloadKind, WorkloadSpec};
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

fn note(w: &WorkloadSpec, r: &Recorded, ms: u64, lower_bound: bool, until: i64) -> RecordedDuration {
    let kind = match w.kind {
        WorkloadKind::Job(_) => "Job",
        WorkloadKind::Pod(_) => "Pod",
        WorkloadKind::VolcanoJob(_) => "Volcano Job",
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
        WorkloadKind::VolcanoJob(v) => v.tasks.iter().all(|t| t.template.hints.duration_ms.is_some()),
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
        WorkloadKind::VolcanoJob(_) => {}
    }
}
