//! The JobSet controller (`jobset.x-k8s.io/v1alpha2`), after kubernetes-sigs/jobset at commit
//! `08dfbdfd` (`pkg/controllers/jobset_controller.go` `Reconcile`, `reconcileReplicatedJobs`,
//! `inOrderStartupPolicy`, `calculateReplicatedJobStatuses`, `executeSuccessPolicy`,
//! `deleteJobs`; `pkg/controllers/failure_policy.go` `executeFailurePolicy`,
//! `findFirstFailedPolicyRuleAndJob`, `ruleIsApplicable`, `failurePolicyRecreateAll`). The rules
//! and their constants are written out in docs/jobset.md.
//!
//! A JobSet is a workload of its own (one jobs.csv row, kind `JobSet`) that creates no pods:
//! its child Jobs (`<jobset>-<replicatedJob>-<index>`) are workloads run by the Job controller,
//! each with the prototype of its replicated Job, and its pods are theirs. One reconcile, in
//! `Reconcile`'s order:
//! 1. A finished JobSet (Completed or Failed) deletes its Jobs still running (foreground
//!    propagation: each Job stays until its pods are gone) and does nothing more.
//! 2. Jobs of an earlier attempt (`restart-attempt` below `status.restarts`) are deleted.
//! 3. A failed Job of the current attempt (condition `Failed`) applies the failure policy: with
//!    none, the JobSet fails (`FailedJobs`); else the first rule that applies to a failed Job,
//!    failed Jobs taken by their `Failed` condition's time (whole seconds, as
//!    `lastTransitionTime` keeps it) then by name, decides: `FailJobSet`, `RestartJobSet`
//!    (failing with `ReachedMaxRestarts` once `restartsCountTowardsMax` reached `maxRestarts`),
//!    `RestartJobSetAndIgnoreMaxRestarts`; no rule applying restarts the JobSet. A restart
//!    bumps `status.restarts`: every Job becomes an earlier attempt's.
//! 4. Else the success policy: `All` needs every Job of the target replicated Jobs (all of
//!    them without targets) Complete, `Any` one of them. The JobSet is Completed.
//! 5. Else the missing Jobs are created, replicated Job by replicated Job in spec order: a name
//!    still held by an earlier attempt's Job waits for it to be gone (`Recreate`); with
//!    `BlockingRecreate` nothing is created while any is left. `InOrder` creates a replicated
//!    Job's Jobs only once every Job of the ones before it is ready (`status.ready +
//!    status.succeeded >= min(parallelism, completions)`) or finished; a suspended JobSet
//!    creates all of them, suspended. A replicated Job with `dependsOn` gets its Jobs only
//!    once each replicated Job it names has reached the status named
//!    (`pkg/controllers/depends_on.go` `dependencyReachedStatus`, suspended or not):
//!    `Complete`, every Job succeeded; `Ready`, every Job ready, succeeded or failed.
//!
//! Each reconcile's status change is seen by the next one through the controller's own watch:
//! a restart's deletions are the reconcile after the one that counted it, the deletion of the
//! Jobs still running the reconcile after the JobSet finished, each one `latencies.watch`
//! later (0 by default: the same instant). A reconcile runs when a child Job finishes, becomes
//! ready or is gone, after the watch delay. A Job's readiness is its `status.ready`, written by
//! the Job controller's sync one `jobSyncBatch` after its pods run (`updatePod`'s batched
//! sync).
//!
//! Simplifications: the controller's writes do not pass a rate-limited client (its default is
//! 500 QPS, burst 500, `--kube-api-qps`/`--kube-api-burst`: a JobSet of up to 500 Jobs is
//! created at once); the headless Service, the network and coordinator settings do not affect
//! scheduling; a status update conflict's retry is not modelled.

use std::collections::BTreeMap;

use crate::engine::SimTime;
use crate::input::spec::{JobSetAction, JobSetSpec, ResourceFlavorSpec, WorkloadKind};
use crate::observe::record::WlState;
use crate::sim::{Ev, ProtoId, WlId, World, class};

/// The JobSet controller's state.
#[derive(Debug, Default)]
pub struct JobSets {
    /// Each JobSet prototype's child Job prototypes, one per replicated Job.
    pub(crate) protos: BTreeMap<ProtoId, Vec<ProtoId>>,
    /// JobSets in the run.
    sets: BTreeMap<WlId, JobSetState>,
    /// The JobSet of each child Job (of any attempt).
    parent: BTreeMap<WlId, WlId>,
}

impl JobSets {
    /// The JobSet that owns Job `wl`, if one does.
    pub fn parent(&self, wl: WlId) -> Option<WlId> {
        if self.parent.is_empty() {
            return None;
        }
        self.parent.get(&wl).copied()
    }

    /// Whether workload `wl` is a JobSet's Job (its row is its JobSet's).
    pub fn is_child(&self, wl: WlId) -> bool {
        self.parent(wl).is_some()
    }

    /// Whether the run has JobSets.
    pub fn has_jobsets(&self) -> bool {
        !self.sets.is_empty()
    }

    /// Whether workload `wl` is a JobSet.
    pub fn is_jobset(&self, wl: WlId) -> bool {
        !self.sets.is_empty() && self.sets.contains_key(&wl)
    }
}

/// One JobSet's status and the controller's view of its Jobs.
#[derive(Debug)]
struct JobSetState {
    /// `status.restarts` and `status.restartsCountTowardsMax`.
    restarts: u32,
    restarts_towards_max: u32,
    /// The current attempt's Job of each replicated Job and index, once created.
    current: Vec<Vec<Option<WlId>>>,
    /// Jobs of earlier attempts still present, by (replicated Job, index): deleted (or to be
    /// deleted by the next reconcile) and not gone yet.
    previous: Vec<Prev>,
    /// When each current Job became ready to the controller (`status.ready` written).
    ready_at: BTreeMap<WlId, SimTime>,
    /// The pending reconcile.
    sync_at: Option<SimTime>,
    /// Completed or Failed; `cleaned`: its running Jobs were deleted.
    finished: bool,
    cleaned: bool,
    /// `spec.suspend` as it is now (a user's, or Kueue's until it admits the JobSet).
    suspended: bool,
    /// The flavor Kueue assigned: its node labels and tolerations go into every Job's pods.
    flavor: Option<Box<ResourceFlavorSpec>>,
}

impl JobSetState {
    /// The current attempt's Jobs created so far.
    fn current_jobs(&self) -> impl Iterator<Item = WlId> + '_ {
        self.current.iter().flatten().flatten().copied()
    }

    /// Every Job still known: the current attempt's and the earlier ones' not gone.
    fn all_jobs(&self) -> impl Iterator<Item = WlId> + '_ {
        self.current_jobs().chain(self.previous.iter().map(|p| p.wl))
    }
}

#[derive(Debug)]
struct Prev {
    rjob: usize,
    index: u32,
    wl: WlId,
    deleted: bool,
    /// Gone (its pods all terminated after its deletion) at this time.
    gone_at: Option<SimTime>,
}

impl World {
    fn jobset_spec(&self, js: WlId) -> &JobSetSpec {
        match &self.store.protos[self.store.workloads[js as usize].proto as usize]
            .spec
            .kind
        {
            WorkloadKind::JobSet(s) => s,
            _ => unreachable!("not a JobSet"),
        }
    }

    /// A JobSet was created: its first reconcile. Kueue's webhook creates a JobSet it manages
    /// suspended, and its Workload queues.
    pub(crate) fn jobset_created(&mut self, js: WlId) {
        let managed = self.kueue_manages(js);
        let spec = self.jobset_spec(js);
        let suspended = spec.suspend || managed;
        let current = spec
            .replicated_jobs
            .iter()
            .map(|r| vec![None; r.replicas as usize])
            .collect();
        self.ctl.jobsets.sets.insert(
            js,
            JobSetState {
                restarts: 0,
                restarts_towards_max: 0,
                current,
                previous: Vec::new(),
                ready_at: BTreeMap::new(),
                sync_at: None,
                finished: false,
                cleaned: false,
                suspended,
                flavor: None,
            },
        );
        if managed {
            self.kueue_created(js);
        }
        let now = self.now();
        let ws = &self.store.protos[self.store.workloads[js as usize].proto as usize].spec;
        for (at, suspend) in [(ws.suspend_at_ms, true), (ws.resume_at_ms, false)] {
            if let Some(d) = at {
                self.engine
                    .schedule(now.plus_ms(d), class::API, Ev::SetSuspend { wl: js, suspend });
            }
        }
        self.jobset_enqueue(js, now);
    }

    /// `spec.suspend` set (by a user or by Kueue): the next reconcile suspends or resumes the
    /// Jobs.
    pub(crate) fn jobset_set_suspend(&mut self, js: WlId, suspend: bool) {
        let st = self.ctl.jobsets.sets.get_mut(&js).expect("a JobSet");
        if st.finished || st.suspended == suspend {
            return;
        }
        st.suspended = suspend;
        let obj = self.wl_object(js);
        self.event(
            || obj,
            if suspend { "JobSetSuspended" } else { "JobSetResumed" },
            String::new,
        );
        self.jobset_watch(js);
    }

    /// Whether a new Job of a JobSet is created suspended (its JobSet is).
    pub(crate) fn jobset_suspends_new_jobs(&self, job: WlId) -> bool {
        self.ctl
            .jobsets
            .parent(job)
            .is_some_and(|js| self.ctl.jobsets.sets[&js].suspended)
    }

    /// Kueue's flavor for the JobSet's pod templates (`RunWithPodSetsInfo`): the Jobs there
    /// are get it, and so do those created later.
    pub(crate) fn jobset_set_flavor(&mut self, js: WlId, fl: &ResourceFlavorSpec) {
        let st = self.ctl.jobsets.sets.get_mut(&js).expect("a JobSet");
        st.flavor = Some(Box::new(fl.clone()));
        let jobs: Vec<WlId> = st.current_jobs().collect();
        for wl in jobs {
            self.kueue_inject_flavor(wl, fl);
        }
    }

    /// The JobSet is deleted (foreground): its Jobs, of every attempt, are deleted; a JobSet
    /// deleted before it finished ends Failed with `reason`.
    pub(crate) fn jobset_delete(&mut self, js: WlId, reason: &'static str) {
        if !self.mark_deleted(js, reason) {
            return;
        }
        let st = self.ctl.jobsets.sets.get_mut(&js).expect("a JobSet");
        st.finished = true;
        st.cleaned = true;
        let jobs: Vec<WlId> = st.all_jobs().collect();
        let obj = self.wl_object(js);
        self.event(|| obj, "JobSetDeleted", || reason.into());
        for wl in jobs {
            self.delete_job(wl, reason);
        }
        self.kueue_job_done(js);
    }

    /// The pods not yet terminal of a workload: a JobSet's are its Jobs' (of every attempt), an
    /// MPIJob's its workers and its launcher Job's.
    pub(crate) fn live_pods_of(&self, wl: WlId) -> Vec<crate::sim::PodId> {
        let jobs: Vec<WlId> = match self.ctl.jobsets.sets.get(&wl) {
            Some(st) => st.all_jobs().collect(),
            // An MPIJob's workers and its launcher Job's pods.
            None => std::iter::once(wl).chain(self.mpi_launcher(wl)).collect(),
        };
        jobs.iter()
            .flat_map(|&j| self.store.workloads[j as usize].pods.iter().copied())
            .filter(|&p| self.store.pods[p as usize].finished.is_none())
            .collect()
    }

    /// Ask for a reconcile at `at` (the work queue keeps one per JobSet, the earliest).
    fn jobset_enqueue(&mut self, js: WlId, at: SimTime) {
        let st = self.ctl.jobsets.sets.get_mut(&js).expect("a JobSet");
        if st.sync_at.is_some_and(|t| t <= at) {
            return;
        }
        st.sync_at = Some(at);
        self.engine.schedule(at, class::CONTROLLER, Ev::JobSetSync { wl: js });
    }

    /// The controller sees a change of JobSet `js` or of one of its Jobs (the watch delay
    /// after now).
    fn jobset_watch(&mut self, js: WlId) {
        let at = self.now().plus_ms(self.cfg.lat.watch_ms);
        self.jobset_enqueue(js, at);
    }

    /// `Ev::JobSetSync`.
    pub(crate) fn jobset_sync_event(&mut self, js: WlId) {
        let now = self.now();
        let st = self.ctl.jobsets.sets.get_mut(&js).expect("a JobSet");
        if st.sync_at != Some(now) {
            return; // superseded by an earlier reconcile
        }
        st.sync_at = None;
        self.jobset_reconcile(js);
    }

    /// A child Job finished (Complete or Failed) or was deleted.
    pub(crate) fn jobset_child_changed(&mut self, job: WlId) {
        if let Some(js) = self.ctl.jobsets.parent(job) {
            self.jobset_child_maybe_gone(js, job);
            self.jobset_watch(js);
        }
    }

    /// A child Job has the pods it needs running: ready to the controller when the Job
    /// controller's batched sync writes `status.ready`; the JobSet starts (jobs.csv `start_s`)
    /// once every Job of the attempt has started.
    pub(crate) fn jobset_child_started(&mut self, job: WlId) {
        let Some(js) = self.ctl.jobsets.parent(job) else {
            return;
        };
        let now = self.now();
        let at = now.plus_ms(self.cfg.lat.job_sync_batch_ms);
        let st = self.ctl.jobsets.sets.get_mut(&js).expect("a JobSet");
        st.ready_at.insert(job, at);
        let all_started = st
            .current
            .iter()
            .flatten()
            .all(|c| c.is_some_and(|wl| self.store.workloads[wl as usize].start.is_some()));
        if all_started && self.store.workloads[js as usize].start.is_none() {
            self.store.workloads[js as usize].start = Some(now);
        }
        let at = at.plus_ms(self.cfg.lat.watch_ms);
        self.jobset_enqueue(js, at);
    }

    /// A pod of a child Job ended: a deleted Job whose pods are all gone is gone itself
    /// (foreground deletion).
    pub(crate) fn jobset_child_pod_gone(&mut self, job: WlId) {
        if let Some(js) = self.ctl.jobsets.parent(job)
            && self.jobset_child_maybe_gone(js, job)
        {
            self.jobset_watch(js);
        }
    }

    /// Marks an earlier attempt's Job gone if it was deleted and has no pod left; whether it
    /// just went.
    fn jobset_child_maybe_gone(&mut self, js: WlId, job: WlId) -> bool {
        let now = self.now();
        let w = &self.store.workloads[job as usize];
        if !w.deleted || w.pods.iter().any(|&p| self.store.pods[p as usize].finished.is_none()) {
            return false;
        }
        let st = self.ctl.jobsets.sets.get_mut(&js).expect("a JobSet");
        match st.previous.iter_mut().find(|p| p.wl == job && p.gone_at.is_none()) {
            Some(p) => {
                p.gone_at = Some(now);
                true
            }
            None => false,
        }
    }

    /// One reconcile (`Reconcile`, in its order).
    fn jobset_reconcile(&mut self, js: WlId) {
        let now = self.now();
        let st = self.ctl.jobsets.sets.get_mut(&js).expect("a JobSet");
        if st.finished {
            if !std::mem::replace(&mut st.cleaned, true) {
                let running: Vec<WlId> = st
                    .current_jobs()
                    .filter(|&wl| self.store.workloads[wl as usize].finish.is_none())
                    .collect();
                for wl in running {
                    self.delete_job(wl, "JobSetFinished");
                }
            }
            return;
        }
        // Earlier attempts' Jobs the controller has seen gone leave its view; the others are
        // deleted (once).
        st.previous
            .retain(|p| p.gone_at.is_none_or(|t| t.plus_ms(self.cfg.lat.watch_ms) > now));
        let to_delete: Vec<WlId> = st
            .previous
            .iter_mut()
            .filter_map(|p| (!std::mem::replace(&mut p.deleted, true)).then_some(p.wl))
            .collect();
        for wl in to_delete {
            self.delete_job(wl, "JobSetRestart");
        }
        if self.jobset_failures(js) || self.jobset_success(js) {
            return;
        }
        self.jobset_create_jobs(js);
        self.jobset_suspend_or_resume_jobs(js);
    }

    /// Step 6 (`suspendJobs`, `resumeJobsIfNecessary`): a suspended JobSet suspends its Jobs
    /// still active; a running one resumes its suspended Jobs, replicated Job by replicated
    /// Job, and under InOrder only up to the first one whose Jobs are not all ready, with
    /// Kueue's flavor in their pods.
    fn jobset_suspend_or_resume_jobs(&mut self, js: WlId) {
        let st = &self.ctl.jobsets.sets[&js];
        let suspended = st.suspended;
        let in_order = self.jobset_spec(js).in_order;
        let mut change = Vec::new();
        for r in 0..st.current.len() {
            let ready = self.jobset_rjob_ready(js, r);
            for wl in st.current[r].iter().flatten().copied() {
                let w = &self.store.workloads[wl as usize];
                let j = w.job.as_deref().expect("a Job");
                if w.finish.is_none() && !j.finished && j.suspended != suspended {
                    change.push(wl);
                }
            }
            if !suspended && in_order && !ready {
                break;
            }
        }
        let flavor = self.ctl.jobsets.sets[&js].flavor.clone();
        for wl in change {
            if let (false, Some(fl)) = (suspended, flavor.as_deref()) {
                self.kueue_inject_flavor(wl, fl);
            }
            self.job_set_suspend(wl, suspended);
        }
    }

    /// Whether every Job of replicated Job `r` of the current attempt exists and is ready to
    /// the controller or finished (`allReplicasStarted`).
    fn jobset_rjob_ready(&self, js: WlId, r: usize) -> bool {
        let now = self.now();
        let st = &self.ctl.jobsets.sets[&js];
        st.current[r].iter().all(|c| {
            c.is_some_and(|wl| {
                self.store.workloads[wl as usize].finish.is_some()
                    || st
                        .ready_at
                        .get(&wl)
                        .is_some_and(|&t| t.plus_ms(self.cfg.lat.watch_ms) <= now)
            })
        })
    }

    /// Whether every replicated Job `rjob` depends on has reached the status it waits for
    /// (`dependencyReachedStatus`): `Complete`, every Job of the current attempt succeeded;
    /// `Ready`, every Job ready, succeeded or failed ([`World::jobset_rjob_ready`]).
    fn jobset_dependencies_reached(&self, js: WlId, rjob: &crate::input::spec::ReplicatedJob) -> bool {
        let st = &self.ctl.jobsets.sets[&js];
        rjob.depends_on.iter().all(|d| {
            if d.complete {
                st.current[d.rjob]
                    .iter()
                    .all(|c| c.is_some_and(|wl| self.store.workloads[wl as usize].state == WlState::Complete))
            } else {
                self.jobset_rjob_ready(js, d.rjob)
            }
        })
    }

    /// The current attempt's Jobs that failed, as (failure second, name, replicated Job, Job).
    fn jobset_failed_jobs(&self, js: WlId) -> Vec<(u64, String, usize, WlId)> {
        let st = &self.ctl.jobsets.sets[&js];
        let mut failed: Vec<(u64, String, usize, WlId)> = st
            .current
            .iter()
            .enumerate()
            .flat_map(|(r, jobs)| jobs.iter().flatten().map(move |&wl| (r, wl)))
            .filter_map(|(r, wl)| {
                let w = &self.store.workloads[wl as usize];
                (w.state == WlState::Failed && w.finish.is_some())
                    .then(|| (w.finish.map_or(0, |t| t.ms() / 1000), w.name.clone(), r, wl))
            })
            .collect();
        failed.sort();
        failed
    }

    /// Step 3: the failure policy, if a Job of the current attempt failed; whether it acted.
    fn jobset_failures(&mut self, js: WlId) -> bool {
        let failed = self.jobset_failed_jobs(js);
        let Some(first) = failed.first() else {
            return false;
        };
        let spec = self.jobset_spec(js).clone();
        let Some(policy) = &spec.failure else {
            let message = format!(
                "jobset failed due to one or more job failures (first failed job: {})",
                first.1
            );
            self.jobset_fail(js, "FailedJobs", message);
            return true;
        };
        // The first rule (in order) that applies to a failed Job, with the earliest such Job.
        let applies = |rule: &crate::input::spec::JobSetFailureRule, (_, _, r, wl): &(u64, String, usize, WlId)| {
            let reason = &self.store.workloads[*wl as usize].reason;
            (rule.reasons.is_empty() || rule.reasons.iter().any(|x| x == reason))
                && (rule.targets.is_empty() || rule.targets.contains(r))
        };
        let matched = policy
            .rules
            .iter()
            .find_map(|rule| failed.iter().find(|f| applies(rule, f)).map(|f| (rule, f)));
        let (action, rule_name, job) = match matched {
            Some((rule, f)) => (rule.action, Some(rule.name.clone()), f.1.clone()),
            None => (JobSetAction::RestartJobSet, None, first.1.clone()),
        };
        let towards_max = self.ctl.jobsets.sets[&js].restarts_towards_max;
        match action {
            JobSetAction::FailJobSet => {
                let message = format!("applying FailJobSet failure policy action (first failed job: {job})");
                self.jobset_fail(js, "FailJobSetFailurePolicyAction", message);
            }
            JobSetAction::RestartJobSet if towards_max >= policy.max_restarts => {
                let message = format!("jobset failed due to reaching max number of restarts (first failed job: {job})");
                self.jobset_fail(js, "ReachedMaxRestarts", message);
            }
            JobSetAction::RestartJobSet | JobSetAction::RestartJobSetAndIgnoreMaxRestarts => {
                let counts = action == JobSetAction::RestartJobSet;
                let st = self.ctl.jobsets.sets.get_mut(&js).expect("a JobSet");
                st.restarts += 1;
                if counts {
                    st.restarts_towards_max += 1;
                }
                // Every Job is now an earlier attempt's: the next reconcile deletes them.
                for (r, jobs) in st.current.iter_mut().enumerate() {
                    for (i, slot) in jobs.iter_mut().enumerate() {
                        if let Some(wl) = slot.take() {
                            st.previous.push(Prev {
                                rjob: r,
                                index: i as u32,
                                wl,
                                deleted: false,
                                gone_at: None,
                            });
                        }
                    }
                }
                st.ready_at.clear();
                let restarts = st.restarts;
                let reason = match rule_name {
                    Some(n) => format!("FailurePolicy_{n}"),
                    None => "DefaultFailurePolicy".to_string(),
                };
                let what = if counts {
                    "RestartJobSet"
                } else {
                    "RestartJobSetAndIgnoreMaxRestarts"
                };
                let obj = self.wl_object(js);
                self.event(
                    || obj,
                    "JobSetRestarting",
                    || format!("{reason}: applying {what} failure policy action (first failed job: {job}); restart {restarts}"),
                );
                self.jobset_watch(js);
            }
        }
        true
    }

    /// Step 4: the success policy; whether the JobSet completed.
    fn jobset_success(&mut self, js: WlId) -> bool {
        let spec = self.jobset_spec(js);
        let st = &self.ctl.jobsets.sets[&js];
        let targeted = |r: usize| spec.success.targets.is_empty() || spec.success.targets.contains(&r);
        let complete = st
            .current
            .iter()
            .enumerate()
            .filter(|&(r, _)| targeted(r))
            .flat_map(|(_, jobs)| jobs.iter().flatten())
            .filter(|&&wl| self.store.workloads[wl as usize].state == WlState::Complete)
            .count();
        let needed = if spec.success.any {
            1
        } else {
            spec.replicated_jobs
                .iter()
                .enumerate()
                .filter(|&(r, _)| targeted(r))
                .map(|(_, r)| r.replicas as usize)
                .sum()
        };
        if complete == 0 || complete < needed {
            return false;
        }
        self.end_workload(js, WlState::Complete, "");
        self.jobset_finished(js);
        let obj = self.wl_object(js);
        self.event(
            || obj,
            "JobSetCompleted",
            || "AllJobsCompleted: jobset completed successfully".into(),
        );
        true
    }

    /// The JobSet fails with `reason`.
    fn jobset_fail(&mut self, js: WlId, reason: &'static str, message: String) {
        self.end_workload(js, WlState::Failed, reason);
        self.jobset_finished(js);
        let obj = self.wl_object(js);
        self.event(|| obj, "JobSetFailed", || format!("{reason}: {message}"));
    }

    /// Completed or Failed: the next reconcile deletes the Jobs still running.
    fn jobset_finished(&mut self, js: WlId) {
        self.ctl.jobsets.sets.get_mut(&js).expect("a JobSet").finished = true;
        // Kueue's Workload is Finished with the JobSet: its quota is released.
        self.kueue_job_done(js);
        self.jobset_watch(js);
    }

    /// Step 5: create the missing Jobs (`reconcileReplicatedJobs`).
    fn jobset_create_jobs(&mut self, js: WlId) {
        let spec = self.jobset_spec(js).clone();
        let st = &self.ctl.jobsets.sets[&js];
        let blocking = spec.failure.as_ref().is_some_and(|f| f.blocking);
        if blocking && !st.previous.is_empty() {
            return;
        }
        let in_order = spec.in_order && !st.suspended;
        for (r, rjob) in spec.replicated_jobs.iter().enumerate() {
            if !self.jobset_dependencies_reached(js, rjob) {
                continue;
            }
            if in_order && self.jobset_rjob_ready(js, r) {
                continue;
            }
            let st = &self.ctl.jobsets.sets[&js];
            let missing: Vec<u32> = (0..rjob.replicas)
                .filter(|&i| {
                    st.current[r][i as usize].is_none() && !st.previous.iter().any(|p| p.rjob == r && p.index == i)
                })
                .collect();
            for i in missing {
                self.jobset_create_job(js, r, i);
            }
            if in_order {
                return;
            }
        }
    }

    /// Create Job `index` of replicated Job `r`: `<jobset>-<replicatedJob>-<index>`.
    fn jobset_create_job(&mut self, js: WlId, r: usize, index: u32) {
        let w = &self.store.workloads[js as usize];
        let proto = self.ctl.jobsets.protos[&w.proto][r];
        let name = format!("{}-{}-{index}", w.name, self.jobset_spec(js).replicated_jobs[r].name);
        let (arrival, duration) = (w.arrival, w.duration_ms);
        // Its id, known before it exists: the Job controller asks whose it is as it creates it.
        let id = self.store.workloads.len() as WlId;
        self.ctl.jobsets.parent.insert(id, js);
        self.ctl.jobsets.sets.get_mut(&js).expect("a JobSet").current[r][index as usize] = Some(id);
        self.create_workload(proto, name, arrival, duration, None);
        if let Some(fl) = self.ctl.jobsets.sets[&js].flavor.clone() {
            self.kueue_inject_flavor(id, &fl);
        }
    }
}
