//! The Job controller's sync (`syncJob` in k/k `pkg/controller/job/job_controller.go`): pod
//! accounting (`trackJobStatusWithFinalizers`), the terminal checks and the winding down of a
//! Job with a target, and `manageJob` (scaling, the pod-failure backoff, Indexed creation).
//! The rules they apply (podFailurePolicy, successPolicy, the backoff delay) are here too.

use std::collections::BTreeSet;

use super::client::DeleteReason;
use super::{JobState, MAX_POD_CREATE_DELETE_PER_SYNC, SyncWrites, Target, job_of, parse_index_set};
use crate::engine::SimTime;
use crate::input::spec::{ExitCodeOperator, JobSpec, PfpAction, RestartPolicy};
use crate::sim::{Phase, PodId, WlId, World, backoff_ms};

/// A pod that newly finished, as the sync sees it.
struct Finished {
    at: SimTime,
    pod: PodId,
    success: bool,
}

impl World {
    /// One sync of the Job (`syncJob`): count the newly finished pods, decide a terminal
    /// condition, then either wind the Job down or scale it (`manageJob`), issue the sync's
    /// writes (`client.rs`), and re-request the active-deadline sync.
    pub(crate) fn job_sync(&mut self, wl: WlId) {
        let now = self.now();
        if self.job(wl).finished || self.store.workloads[wl as usize].deleted || self.job(wl).suspended {
            return;
        }
        let ws = self.store.protos[self.store.workloads[wl as usize].proto as usize]
            .spec
            .clone();
        let spec = job_of(&ws);
        let mut writes = SyncWrites::default();
        if self.job(wl).start_time.is_none() {
            self.job(wl).start_time = Some(now);
            writes.status = true;
        }
        let fail_job = self.account_finished_pods(wl, spec, &mut writes);

        // Terminal checks, in syncJob's order (JOB-T2).
        let j = self.store.workloads[wl as usize].job.as_deref().expect("job");
        let active = self.active_pods(wl);
        if j.target.is_none() {
            // A new interim condition is written with the status.
            writes.status |= self.job_check_terminal(wl, spec, fail_job, &active);
        }

        let j = self.store.workloads[wl as usize].job.as_deref().expect("job");
        if j.target.is_some() {
            self.job_wind_down(wl, active, writes);
            return;
        }

        // status.ready: pods the sync counted as ready; a change is a status update.
        let ready = active
            .iter()
            .filter(|&&p| self.store.pods[p as usize].container_up)
            .count() as u32;
        self.job_manage(wl, &active, &mut writes);
        let j = self.job(wl);
        if ready != j.status_ready {
            j.status_ready = ready;
            writes.status = true;
        }
        self.job_issue(wl, writes);
        // Re-request the deadline sync (syncJob re-adds it on every pass).
        if let Some(ads) = spec.active_deadline_s {
            let start = self.job(wl).start_time.expect("set");
            self.job_enqueue(wl, start.plus_ms(ads * 1000).max(now));
        }
    }

    /// syncJob's terminal checks on a Job without a target yet (JOB-T2): the failure target
    /// (podFailurePolicy FailJob, `exceedsBackoffLimit` / `pastBackoffLimitOnFailure`,
    /// `pastActiveDeadline`, max failed indexes, failed indexes), else the success target
    /// (successPolicy, completions reached), recorded with its event. True when it decided one.
    fn job_check_terminal(&mut self, wl: WlId, spec: &JobSpec, fail_job: bool, active: &[PodId]) -> bool {
        let now = self.now();
        let j = self.store.workloads[wl as usize].job.as_deref().expect("job");
        let restarts: u32 = active.iter().map(|&p| self.store.pods[p as usize].restarts).sum();
        let on_failure = spec.template.restart_policy == RestartPolicy::OnFailure;
        let deadline_hit = spec
            .active_deadline_s
            .is_some_and(|ads| now.since(j.start_time.expect("set")) >= ads * 1000);
        let failed_idx = j.idx().failed.len() as u32;
        let failure = if fail_job {
            Some(Target::PodFailurePolicy)
        } else if (j.per_index_limit.is_none() && j.failed > j.backoff_limit)
            || (on_failure && restarts >= j.backoff_limit.max(1))
        {
            // JOB-B1 (failures > limit) or JOB-B2 (restarts >= limit, OnFailure).
            Some(Target::BackoffLimitExceeded)
        } else if deadline_hit {
            Some(Target::DeadlineExceeded)
        } else if j.indexed && j.max_failed_indexes.is_some_and(|m| failed_idx > m) {
            Some(Target::MaxFailedIndexesExceeded)
        } else if j.indexed && failed_idx > 0 && failed_idx + j.succeeded_count() >= j.completions.unwrap_or(0) {
            Some(Target::FailedIndexes)
        } else {
            None
        };
        let success = if failure.is_some() {
            None
        } else if success_policy_met(spec, j) {
            Some(Target::SuccessPolicy)
        } else {
            match j.completions {
                Some(c) if j.succeeded_count() >= c => Some(Target::CompletionsReached),
                None if j.succeeded > 0 && active.is_empty() => Some(Target::CompletionsReached),
                _ => None,
            }
        };
        let obj = self.wl_object(wl);
        if let Some(r) = failure {
            let j = self.job(wl);
            (j.target, j.target_failed) = (Some(r), true);
            self.event(|| obj, "JobFailureTarget", || r.reason().to_string());
        } else if let Some(r) = success {
            let j = self.job(wl);
            (j.target, j.target_failed) = (Some(r), false);
            self.event(|| obj, "JobSuccessCriteriaMet", || r.reason().to_string());
        }
        failure.is_some() || success.is_some()
    }

    /// A Job with a failure or success target: delete its `active` pods (`deleteActivePods`),
    /// and write the terminal condition once none is terminating (`finishJob`'s wait, JOB-T3).
    fn job_wind_down(&mut self, wl: WlId, active: Vec<PodId>, mut writes: SyncWrites) {
        let j = self.store.workloads[wl as usize].job.as_deref().expect("job");
        let failing = j.target.is_some() && j.target_failed;
        let reason = if failing && j.target == Some(Target::DeadlineExceeded) {
            DeleteReason::DeadlineExceeded
        } else {
            DeleteReason::JobFinished
        };
        let limited = self.api_limited(crate::sim::Client::KubeControllerManager);
        writes.status |= !active.is_empty();
        for pod in active {
            // Every pod still running when a Job fails counts as failed; it is the
            // success of a Job that leaves excess pods uncounted.
            let j = self.job(wl);
            if failing {
                j.failed += 1;
            }
            // Its finalizer stays until it has terminated.
            if limited {
                j.finalizers_left += 1;
            }
            self.store.pods[pod as usize].counted = true;
            writes.deletes.push((pod, reason));
        }
        writes.finish = true;
        self.job_issue(wl, writes);
    }

    /// `manageJob`: scale to the wanted number of active pods, deleting the least advanced
    /// excess pods (`deleteJobPods`) or creating missing ones once the pod-failure backoff has
    /// passed; the status update follows either.
    fn job_manage(&mut self, wl: WlId, active: &[PodId], writes: &mut SyncWrites) {
        let now = self.now();
        let j = self.store.workloads[wl as usize].job.as_deref().expect("job");
        let terminating = if j.only_replace_failed {
            self.store.workloads[wl as usize]
                .pods
                .iter()
                .filter(|&&p| {
                    let p = &self.store.pods[p as usize];
                    p.deletion.is_some() && p.finished.is_none()
                })
                .count()
        } else {
            0
        };
        let want = match j.completions {
            None => {
                if j.succeeded > 0 {
                    active.len()
                } else {
                    j.parallelism as usize
                }
            }
            Some(c) => {
                let remaining = if j.indexed {
                    c.saturating_sub(j.idx().succeeded.len() as u32 + j.idx().failed.len() as u32)
                } else {
                    c.saturating_sub(j.succeeded)
                };
                j.parallelism.min(remaining) as usize
            }
        };
        if active.len() > want {
            let mut excess = active.to_vec();
            // Delete the least advanced first: unscheduled < scheduled, then newest first.
            // Names are formatted on demand (a pod keeps none): once per pod, not per comparison.
            excess.sort_by_cached_key(|&id| {
                let p = &self.store.pods[id as usize];
                (
                    p.node.is_some(),
                    std::cmp::Reverse(p.created),
                    std::cmp::Reverse(self.store.pod_name(id)),
                )
            });
            for pod in excess
                .into_iter()
                .take((active.len() - want).min(MAX_POD_CREATE_DELETE_PER_SYNC))
            {
                self.store.pods[pod as usize].counted = true;
                writes.deletes.push((pod, DeleteReason::ScaledDown));
            }
            writes.patch_before_delete = true;
            writes.status = true;
        } else if active.len() + terminating < want {
            let budget = (want - active.len() - terminating).min(MAX_POD_CREATE_DELETE_PER_SYNC);
            if j.indexed {
                self.create_indexed(wl, budget, writes);
            } else {
                let remaining = remaining_backoff(now, j.backoff_n, j.last_failure, &self.cfg.lat);
                if remaining > 0 {
                    self.job_enqueue(wl, now.plus_ms(remaining.max(1000)));
                } else {
                    writes.creates = vec![None; budget];
                }
            }
            writes.status |= !writes.creates.is_empty();
        }
    }

    /// Count newly finished pods (JOB-A2, A3, B3, P1..P3, I2; syncJob's pod accounting,
    /// `trackJobStatusWithFinalizers`), with the writes they take: a status update, one
    /// finalizer patch each, and a second status update for those kept as uncounted UIDs (all
    /// but an Indexed Job's succeeded pods). Returns whether a podFailurePolicy FailJob rule
    /// matched.
    fn account_finished_pods(&mut self, wl: WlId, spec: &JobSpec, writes: &mut SyncWrites) -> bool {
        let new = self.newly_finished_pods(wl);
        let indexed = self.job(wl).indexed;
        writes.status |= !new.is_empty();
        writes.patches += new.len() as u32;
        writes.counted |= new.iter().any(|f| !(indexed && f.success));
        let mut fail_job = false;
        let latest_success = new.iter().filter(|f| f.success).map(|f| f.at).max();
        let mut backoff_failures = 0u32;
        let mut last_failure = None;
        for f in &new {
            self.store.pods[f.pod as usize].counted = true;
            let index = self.store.pods[f.pod as usize].index;
            let action = if f.success {
                None
            } else {
                Some(match &spec.pod_failure_policy {
                    Some(rules) => match_pod_failure_policy(
                        rules,
                        &self.store.pods[f.pod as usize],
                        &spec.template.container_names,
                    ),
                    None => PfpAction::Count,
                })
            };
            let j = self.job(wl);
            match action {
                None => {
                    j.succeeded += 1;
                    if let Some(i) = index {
                        j.idx_mut().succeeded.insert(i);
                    }
                }
                Some(a) => {
                    if latest_success.is_none_or(|s| f.at > s) {
                        backoff_failures += 1;
                        last_failure = Some(f.at);
                    }
                    fail_job |= j.count_failure(a, index, f.at);
                }
            }
        }
        self.job(wl)
            .update_backoff(latest_success.is_some(), backoff_failures, last_failure);
        self.release_accounted_pods(wl);
        fail_job
    }

    /// The Job's pods that finished (or, unless only failed pods are replaced, are being
    /// deleted) and are not counted yet, by finish time then pod (`getNewFinishedPods`).
    fn newly_finished_pods(&self, wl: WlId) -> Vec<Finished> {
        let j = self.store.workloads[wl as usize].job.as_deref().expect("job");
        let only_failed = j.only_replace_failed;
        let mut new: Vec<Finished> = Vec::new();
        for &pid in &self.store.workloads[wl as usize].pods {
            let p = &self.store.pods[pid as usize];
            if p.counted {
                continue;
            }
            let terminal = p.finished.is_some();
            let success = terminal && p.phase == Phase::Succeeded;
            let failed = (terminal && p.phase != Phase::Succeeded)
                || (!only_failed && p.deletion.is_some() && p.phase != Phase::Succeeded);
            if success || failed {
                let at = if terminal {
                    p.finished.expect("terminal")
                } else {
                    p.deletion.expect("deleting")
                };
                new.push(Finished { at, pod: pid, success });
            }
        }
        new.sort_by_key(|f| (f.at, f.pod));
        new
    }

    /// Fully accounted terminal pods leave the Job's working set, and the run: nothing refers
    /// to them any more (a replaced pod's memory is not kept, however many times the Job
    /// replaces its pods).
    fn release_accounted_pods(&mut self, wl: WlId) {
        let pods = std::mem::take(&mut self.store.workloads[wl as usize].pods);
        let (done, keep): (Vec<PodId>, Vec<PodId>) = pods.into_iter().partition(|&p| {
            let p = &self.store.pods[p as usize];
            p.counted && p.finished.is_some()
        });
        self.store.workloads[wl as usize].pods = keep;
        for p in done {
            self.release_pod(p);
        }
    }

    /// Create pods for the lowest pending indexes whose per-index backoff has passed.
    fn create_indexed(&mut self, wl: WlId, budget: usize, writes: &mut SyncWrites) {
        let now = self.now();
        let j = self.store.workloads[wl as usize].job.as_deref().expect("job");
        let taken: BTreeSet<u32> = self.store.workloads[wl as usize]
            .pods
            .iter()
            .filter_map(|&p| {
                let p = &self.store.pods[p as usize];
                (p.finished.is_none()).then_some(p.index).flatten()
            })
            .collect();
        let mut to_create = Vec::new();
        let mut wake: Option<u64> = None;
        // Without backoffLimitPerIndex the global backoff applies to every missing pod.
        let global_wait = if j.per_index_limit.is_none() {
            remaining_backoff(now, j.backoff_n, j.last_failure, &self.cfg.lat)
        } else {
            0
        };
        if global_wait > 0 {
            self.job_enqueue(wl, now.plus_ms(global_wait.max(1000)));
            return;
        }
        for i in 0..j.completions.unwrap_or(0) {
            if to_create.len() == budget {
                break;
            }
            if j.idx().succeeded.contains(&i) || j.idx().failed.contains(&i) || taken.contains(&i) {
                continue;
            }
            if j.per_index_limit.is_some() {
                let k = i as usize;
                let rem = remaining_backoff(now, j.idx().failures[k], j.idx().last_failure[k], &self.cfg.lat);
                if rem > 0 {
                    wake = Some(wake.map_or(rem, |w| w.min(rem)));
                    continue;
                }
            }
            to_create.push(i);
        }
        writes.creates = to_create.into_iter().map(Some).collect();
        if let Some(rem) = wake {
            self.job_enqueue(wl, now.plus_ms(rem.max(1000)));
        }
    }
}

/// Time left before replacement pods may be created (JOB-B4).
fn remaining_backoff(now: SimTime, n: u32, last_failure: Option<SimTime>, lat: &crate::input::spec::Latencies) -> u64 {
    match (n, last_failure) {
        (0, _) | (_, None) => 0,
        (n, Some(t)) => {
            let delay = backoff_ms(lat.job_pod_failure_backoff_ms, lat.job_pod_failure_backoff_max_ms, n);
            delay.saturating_sub(now.since(t))
        }
    }
}

/// The first matching podFailurePolicy rule's action; `Count` when none matches (JOB-P1, P2).
fn match_pod_failure_policy(
    rules: &[crate::input::spec::PfpRule],
    pod: &crate::sim::Pod,
    containers: &[String],
) -> PfpAction {
    // Only pods in phase Failed are matched; a pod removed before it ran has no exit code.
    for r in rules {
        if let Some(ec) = &r.on_exit_codes {
            let code = pod.exit_code;
            let container_ok = ec
                .container_name
                .as_ref()
                .is_none_or(|c| containers.first().is_some_and(|first| first == c));
            let hit = code != 0
                && container_ok
                && match ec.operator {
                    ExitCodeOperator::In => ec.values.contains(&code),
                    ExitCodeOperator::NotIn => !ec.values.contains(&code),
                };
            if hit {
                return r.action;
            }
        }
        if !r.on_pod_conditions.is_empty() {
            let hit = r.on_pod_conditions.iter().any(|c| {
                c.condition_type == "DisruptionTarget" && pod.disruption.is_some() && c.status == "True"
                    || c.condition_type == "DisruptionTarget" && pod.disruption.is_none() && c.status == "False"
            });
            if hit {
                return r.action;
            }
        }
    }
    PfpAction::Count
}

/// successPolicy (JOB-T5): the first rule satisfied.
fn success_policy_met(spec: &JobSpec, j: &JobState) -> bool {
    if !j.indexed {
        return false;
    }
    spec.success_policy.iter().any(|rule| {
        let set: Option<Vec<u32>> = rule.succeeded_indexes.as_deref().map(parse_index_set);
        match (set, rule.succeeded_count) {
            (Some(set), count) => {
                let done = set.iter().filter(|i| j.idx().succeeded.contains(i)).count() as u32;
                match count {
                    Some(c) => done >= c,
                    None => done as usize == set.len(),
                }
            }
            (None, Some(c)) => j.idx().succeeded.len() as u32 >= c,
            (None, None) => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaining_backoff_counts_from_the_last_failure() {
        let lat = crate::input::spec::Latencies::default();
        assert_eq!(
            remaining_backoff(SimTime::from_secs(31), 1, Some(SimTime::from_secs(30)), &lat),
            9_000
        );
        assert_eq!(
            remaining_backoff(SimTime::from_secs(71), 2, Some(SimTime::from_secs(70)), &lat),
            19_000
        );
        assert_eq!(
            remaining_backoff(SimTime::from_secs(50), 1, Some(SimTime::from_secs(30)), &lat),
            0
        );
        assert_eq!(remaining_backoff(SimTime::from_secs(50), 0, None, &lat), 0);
    }
}
