//! The Kubeflow training-operator v1 controller for PyTorchJobs, TFJobs, JAXJobs, PaddleJobs and
//! XGBoostJobs (`kubeflow.org/v1`), after
//! kubeflow/training-operator at `v1.9.0` (`6f74c7f6`): `pkg/controller.v1/common/job.go`
//! `ReconcileJobs`, `DeletePodsAndServices`, `CleanUpResources`; `pkg/controller.v1/common/pod.go`
//! `ReconcilePods`, `createNewPod`; `pkg/core/job.go` `PastBackoffLimit`, `PastActiveDeadline`;
//! `pkg/core/status.go` `UpdateJobReplicaStatuses`; `pkg/util/status.go` `setCondition` (a
//! Failed condition is final); `pkg/util/train/train_util.go` `IsRetryableExitCode`;
//! `pkg/controller.v1/pytorch/pytorchjob_controller.go` `Reconcile`, `UpdateJobStatus`;
//! `pkg/controller.v1/tensorflow/tfjob_controller.go` `UpdateJobStatus`, `IsWorker0Completed`;
//! `pkg/controller.v1/jax/jaxjob_controller.go`, `paddlepaddle/paddlepaddle_controller.go`,
//! `xgboost/xgboostjob_controller.go` `UpdateJobStatus` (a JAXJob and a PaddleJob decide as a
//! PyTorchJob; an XGBoostJob succeeds by its Master and fails at any failed pod not under
//! ExitCode, the pods deleted for a restart in the pass counted).
//! The rules and their messages are written out in docs/kubeflow.md.
//!
//! A training job is a workload of its own (one jobs.csv row, kind `PyTorchJob`) whose pods the
//! controller creates directly, one per replica index, `<job>-<type lowercase>-<index>`. One
//! reconcile, in `ReconcileJobs`' order:
//! 1. A finished job (Succeeded or Failed) deletes its pods by `cleanPodPolicy` (`None`: none;
//!    `Running`: the running and pending ones; `All`: every one) and does nothing more.
//! 2. A suspended job (`runPolicy.suspend`) deletes its pods and creates none.
//! 3. `backoffLimit`: the job fails (`Job <name> has failed because it has reached the specified
//!    backoff limit`) when the restart counts of its Running pods of replicas whose policy is
//!    OnFailure, Always or ExitCode reach it (exceed 0 when it is 0), or, with `backoffLimit:
//!    0`, at a new failed pod while not every replica is active. `activeDeadlineSeconds`: the
//!    job fails once that long has passed since its start time (`... was active longer than
//!    specified deadline`). Either way every pod is deleted (the job is not finished yet when
//!    it deletes them, so cleanPodPolicy does not apply).
//! 4. Else each replica type, in the order Master, Worker: a missing pod is created; a Failed
//!    pod is deleted and recreated under OnFailure and Always, and under ExitCode when its exit
//!    code is retryable (128 or more); under ExitCode with another code the job fails
//!    (`job "<name>" is failing because "<type>" replica(s) failed.`); under Never it stays.
//! 5. The status (`UpdateJobStatus`): the start time is set on the first reconcile (and the
//!    deadline's reconcile asked for); with a Master, the job succeeds once the Master's pod has
//!    succeeded; without one, once every Worker has; a replica type with a Failed pod and fewer
//!    running plus succeeded pods than replicas fails the job under Never (`PyTorchJob <name> is
//!    failed because <n> <type> replica(s) failed.`), else it is Restarting. A TFJob succeeds
//!    by its Chief (or Master), else by every Worker or, by default, Worker 0; any replica
//!    type with a Failed pod fails it unless it is Restarting (or the type is Worker under
//!    `enableDynamicWorker`).
//!
//! The controller's watch has no delay of its own (`latencies.watch`, 0 by default, delays what
//! the scheduler sees): a reconcile runs when a pod of the job is deleted, ends or restarts in
//! place, and a deleted pod's replacement is created in the same instant. A pod being deleted
//! while Running counts as failed (`UpdateJobReplicaStatuses`); once it has terminated it is
//! gone, and its index gets a new pod (whatever the restart policy) unless the job has finished. A pod restarted in place (OnFailure
//! or Always) stays Running: its restarts count towards backoffLimit.
//!
//! Simplifications: Go's map order over replica types (`for rtype, spec := range replicas`) is
//! random; kubesim walks Master then Worker, which decides only when both end in one instant.
//! The controller's writes do not pass a rate-limited client; services, environment, ports and
//! init containers do not affect scheduling; a gang job's pods are created without waiting for
//! its Volcano PodGroup to be Inqueue (its PodGroup is made at load:
//! `input::scenario::kubeflow::pod_group`); `elasticPolicy` and `ttlSecondsAfterFinished` are
//! not simulated (docs/kubeflow.md).
//!
//! Under Kueue (`kubeflow.org/pytorchjob`, `tfjob`, `jaxjob`, `paddlejob`, `xgboostjob` in `integrations.frameworks`;
//! kueue `pkg/controller/jobs/kubeflow/kubeflowjob/kubeflowjob_controller.go`): the job is
//! created suspended, its Workload has one pod set per replica type, and admission clears
//! `runPolicy.suspend` (`RunWithPodSetsInfo`: the flavor's node labels and tolerations go into
//! every replica's template), which a reconcile turns into pods; an eviction suspends it again
//! (its pods deleted).

use std::collections::BTreeMap;

use crate::engine::SimTime;
use crate::input::spec::{CleanPodPolicy, KubeflowFramework, KubeflowJobSpec, KubeflowRestartPolicy, WorkloadKind};
use crate::observe::record::WlState;
use crate::sim::{Ev, Phase, PodId, WlId, World, class};

/// The Kubeflow controller's state: its jobs not finished, or finished with pods left.
#[derive(Debug, Default)]
pub struct KubeflowJobs {
    jobs: BTreeMap<WlId, KfState>,
}

impl KubeflowJobs {
    /// Whether workload `wl` is a training job.
    pub fn owns(&self, wl: WlId) -> bool {
        !self.jobs.is_empty() && self.jobs.contains_key(&wl)
    }
}

/// One job's status and the controller's view of its pods.
#[derive(Debug)]
struct KfState {
    /// The pod of each (replica type, index), once created; a Failed pod the controller keeps
    /// (Never) stays in its slot.
    slots: Vec<Vec<Option<PodId>>>,
    /// `status.startTime`.
    start: Option<SimTime>,
    /// The Failed pods the last status counted (`GetTotalFailedReplicas`): a reconcile that
    /// counts more has a new failure.
    failed_seen: u32,
    /// Succeeded or Failed.
    finished: bool,
    /// `runPolicy.suspend`.
    suspended: bool,
    /// Reconciles asked for while one runs.
    reconcile: super::Reentry,
    /// The job has a Restarting condition (a TFJob's failed pods do not fail it then).
    restarting: bool,
    /// The active deadline's reconcile is pending (a live event, marked stale once the job
    /// has finished: it no longer keeps the run going).
    deadline_pending: bool,
}

/// A pod's phase as the controller counts it (`UpdateJobReplicaStatuses`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Seen {
    Pending,
    Active,
    Succeeded,
    Failed,
}

/// The events' reasons of a kind (`NewReason(kind, ...)`).
struct Reasons {
    created: &'static str,
    succeeded: &'static str,
    failed: &'static str,
    restarting: &'static str,
}

/// The reasons of kind `$kind` (`NewReason`: the kind, then the reason).
macro_rules! reasons {
    ($kind:literal) => {
        Reasons {
            created: concat!($kind, "Created"),
            succeeded: concat!($kind, "Succeeded"),
            failed: concat!($kind, "Failed"),
            restarting: concat!($kind, "Restarting"),
        }
    };
}

const PYTORCH_REASONS: Reasons = reasons!("PyTorchJob");
const TF_REASONS: Reasons = reasons!("TFJob");
const JAX_REASONS: Reasons = reasons!("JAXJob");
const PADDLE_REASONS: Reasons = reasons!("PaddleJob");
const XGBOOST_REASONS: Reasons = reasons!("XGBoostJob");

/// A status pass's terminal condition, if any: (succeeded, jobs.csv reason, message).
type Outcome = Option<(bool, &'static str, String)>;

/// `UpdateJobStatus` of PyTorchJob, PaddleJob (the same rules) and JAXJob (Workers only) on the
/// replica counts (active, succeeded, failed) per replica type: its terminal condition and its
/// Restarting messages. With a Master, its success ends the job; without one, every Worker's.
fn master_worker_status(
    spec: &KubeflowJobSpec,
    ns: &str,
    name: &str,
    counts: &[(u32, u32, u32)],
) -> (Outcome, Vec<String>) {
    let has_master = spec.replicas.iter().any(|r| r.rtype == "Master");
    let kind = spec.framework.kind();
    let mut outcome: Outcome = None;
    let mut restarting = Vec::new();
    for (t, r) in spec.replicas.iter().enumerate() {
        let (running, succeeded, failed) = counts[t];
        let expected = r.replicas - succeeded.min(r.replicas);
        let decides = if has_master {
            r.rtype == "Master"
        } else {
            r.rtype == "Worker"
        };
        if decides && expected == 0 {
            let m = if has_master {
                format!("{kind} {name} is successfully completed.")
            } else {
                format!("{kind} {ns}/{name} successfully completed.")
            };
            outcome = Some((true, "", m));
            if has_master {
                break;
            }
        }
        if failed > 0 && r.replicas > succeeded + running {
            if r.restart_policy == KubeflowRestartPolicy::Never {
                let m = format!(
                    "{kind} {name} is failed because {failed} {} replica(s) failed.",
                    r.rtype
                );
                // The first terminal condition decides (kubesim walks Master first, and a
                // Master's success ends the pass).
                if outcome.is_none() {
                    outcome = Some((false, "ReplicaFailed", m));
                }
            } else {
                restarting.push(format!(
                    "{kind} {name} is restarting because {failed} {} replica(s) failed.",
                    r.rtype
                ));
            }
        }
    }
    (outcome, restarting)
}

/// TFJob's `UpdateJobStatus`: its terminal condition, whether it wrote a Running condition, and
/// whether it (re)wrote Restarting. `worker0`: `IsWorker0Completed`; `restarting`: the job had a
/// Restarting condition when the pass began.
fn tf_status(
    spec: &KubeflowJobSpec,
    ns: &str,
    name: &str,
    counts: &[(u32, u32, u32)],
    worker0: bool,
    restarting: bool,
) -> (Outcome, bool, bool) {
    let chief = spec.replicas.iter().any(|r| r.rtype == "Chief" || r.rtype == "Master");
    let (mut outcome, mut running_set, mut restart_set): (Outcome, bool, bool) = (None, false, false);
    for (t, r) in spec.replicas.iter().enumerate() {
        let (running, succeeded, failed) = counts[t];
        let expected = r.replicas - succeeded.min(r.replicas);
        let success = format!("TFJob {ns}/{name} successfully completed.");
        if chief {
            if r.rtype == "Chief" || r.rtype == "Master" {
                running_set |= running > 0;
                if expected == 0 && outcome.is_none() {
                    outcome = Some((true, "", success));
                }
            }
        } else if r.rtype == "Worker" {
            if expected == 0 || (worker0 && !spec.success_all_workers) {
                if outcome.is_none() {
                    outcome = Some((true, "", success));
                }
            } else if running > 0 {
                running_set = true;
            }
        }
        if failed > 0 {
            if restarting {
                restart_set = true;
            } else if spec.dynamic_worker && r.rtype == "Worker" {
                continue;
            } else if outcome.is_none() {
                let m = format!(
                    "TFJob {ns}/{name} has failed because {failed} {} replica(s) failed.",
                    r.rtype
                );
                outcome = Some((false, "ReplicaFailed", m));
            }
        }
    }
    (outcome, running_set, restart_set)
}

/// XGBoostJob's `UpdateJobStatus` (training-operator v1.9.0
/// `pkg/controller.v1/xgboost/xgboostjob_controller.go`): the Master's success ends the job; any
/// replica type with a failed pod fails it unless its restartPolicy is ExitCode (then it is
/// Restarting), whatever the running and succeeded pods. Returns the terminal condition and the
/// Restarting messages.
fn xgboost_status(spec: &KubeflowJobSpec, name: &str, counts: &[(u32, u32, u32)]) -> (Outcome, Vec<String>) {
    let mut restarting = Vec::new();
    for (t, r) in spec.replicas.iter().enumerate() {
        let (_, succeeded, failed) = counts[t];
        if r.rtype == "Master" && r.replicas <= succeeded {
            return (
                Some((true, "", format!("XGBoostJob {name} is successfully completed."))),
                restarting,
            );
        }
        if failed > 0 {
            if r.restart_policy == KubeflowRestartPolicy::ExitCode {
                restarting.push(format!(
                    "XGBoostJob {name} is restarting because {failed} {} replica(s) failed.",
                    r.rtype
                ));
            } else {
                let m = format!(
                    "XGBoostJob {name} is failed because {failed} {} replica(s) failed.",
                    r.rtype
                );
                return (Some((false, "ReplicaFailed", m)), restarting);
            }
        }
    }
    (None, restarting)
}

/// `IsRetryableExitCode`.
pub fn is_retryable_exit_code(code: i32) -> bool {
    code >= 128
}

impl World {
    fn kf_spec(&self, wl: WlId) -> &KubeflowJobSpec {
        match &self.store.protos[self.store.workloads[wl as usize].proto as usize]
            .spec
            .kind
        {
            WorkloadKind::Kubeflow(k) => k,
            _ => unreachable!("not a Kubeflow job"),
        }
    }

    fn kf_reasons(&self, wl: WlId) -> &'static Reasons {
        match self.kf_spec(wl).framework {
            KubeflowFramework::PyTorch => &PYTORCH_REASONS,
            KubeflowFramework::TensorFlow => &TF_REASONS,
            KubeflowFramework::Jax => &JAX_REASONS,
            KubeflowFramework::Paddle => &PADDLE_REASONS,
            KubeflowFramework::XGBoost => &XGBOOST_REASONS,
        }
    }

    /// `IsWorker0Completed`: Worker 0's pod succeeded (exit 0); true without Workers.
    fn kf_worker0_completed(&self, wl: WlId) -> bool {
        let spec = self.kf_spec(wl);
        let Some(t) = spec.replicas.iter().position(|r| r.rtype == "Worker") else {
            return true;
        };
        let st = &self.ctl.kubeflow.jobs[&wl];
        st.slots[t].first().copied().flatten().is_some_and(|p| {
            let pod = &self.store.pods[p as usize];
            pod.finished.is_some() && pod.phase == Phase::Succeeded && pod.exit_code == 0
        })
    }

    /// A training job was created: its first reconcile. Kueue's webhook creates a job it
    /// manages suspended (`runPolicy.suspend`), and its Workload queues.
    pub(crate) fn kubeflow_created(&mut self, wl: WlId) {
        let managed = self.kueue_manages(wl);
        let spec = self.kf_spec(wl);
        let slots = spec.replicas.iter().map(|r| vec![None; r.replicas as usize]).collect();
        let suspended = spec.run_policy.suspend || managed;
        self.ctl.kubeflow.jobs.insert(
            wl,
            KfState {
                slots,
                start: None,
                failed_seen: 0,
                finished: false,
                suspended,
                reconcile: super::Reentry::default(),
                deadline_pending: false,
                restarting: false,
            },
        );
        let obj = self.wl_object(wl);
        let name = self.store.workloads[wl as usize].name.clone();
        let r = self.kf_reasons(wl);
        let kind = self.kf_spec(wl).framework.kind();
        self.event(|| obj, r.created, || format!("{kind} {name} is created."));
        if managed {
            self.kueue_created(wl);
        }
        self.kubeflow_reconcile(wl);
    }

    /// `runPolicy.suspend` set or cleared (by Kueue: an eviction, an admission): a reconcile,
    /// which deletes every pod of a suspended job and creates the missing pods of a resumed
    /// one.
    pub(crate) fn kubeflow_set_suspend(&mut self, wl: WlId, suspend: bool) {
        let st = self.ctl.kubeflow.jobs.get_mut(&wl).expect("a Kubeflow job");
        if st.finished || st.suspended == suspend {
            return;
        }
        st.suspended = suspend;
        self.kubeflow_reconcile(wl);
    }

    /// The pods of the job still present: its slots' pods.
    fn kf_pods(&self, wl: WlId) -> Vec<(usize, u32, PodId)> {
        let st = &self.ctl.kubeflow.jobs[&wl];
        let mut out = Vec::new();
        for (t, slots) in st.slots.iter().enumerate() {
            for (i, s) in slots.iter().enumerate() {
                if let Some(p) = *s {
                    out.push((t, i as u32, p));
                }
            }
        }
        out
    }

    fn kf_seen(&self, pod: PodId) -> Seen {
        let p = &self.store.pods[pod as usize];
        match p.phase {
            _ if p.finished.is_some() => {
                if p.phase == Phase::Succeeded {
                    Seen::Succeeded
                } else {
                    Seen::Failed
                }
            }
            // A Running pod being deleted counts as failed (an orphan on a lost node).
            Phase::Running if p.deletion.is_some() => Seen::Failed,
            Phase::Running => Seen::Active,
            _ => Seen::Pending,
        }
    }

    /// A reconcile of job `wl` (`Reconcile`, `ReconcileJobs`); one asked for while one runs
    /// runs after it.
    pub(crate) fn kubeflow_reconcile(&mut self, wl: WlId) {
        self.reconcile_guarded(
            wl,
            |w, wl| w.ctl.kubeflow.jobs.get_mut(&wl).map(|s| &mut s.reconcile),
            Self::kf_reconcile_once,
        );
    }

    fn kf_reconcile_once(&mut self, wl: WlId) {
        // A deleted pod that has terminated is gone from the API (an eviction, a preemption,
        // the controller's own deletions): its index is missing again.
        for (t, i, p) in self.kf_pods(wl) {
            let pod = &self.store.pods[p as usize];
            if pod.finished.is_some() && pod.deletion.is_some() {
                self.ctl.kubeflow.jobs.get_mut(&wl).expect("a job").slots[t][i as usize] = None;
                self.release_replaced_pod(wl, p);
            }
        }
        let st = &self.ctl.kubeflow.jobs[&wl];
        if st.finished {
            self.kf_clean_up(wl);
            return;
        }
        if st.suspended {
            // `CleanUpResources` on a job not finished: every pod goes.
            self.kf_delete_pods(wl, "Suspended");
            return;
        }
        let now = self.now();
        let spec = self.kf_spec(wl);
        let total = spec.total_replicas();
        let backoff_limit = spec.run_policy.backoff_limit;
        let deadline = spec.run_policy.active_deadline_s;
        let pods = self.kf_pods(wl);
        let active = pods
            .iter()
            .filter(|&&(_, _, p)| matches!(self.kf_seen(p), Seen::Active | Seen::Pending))
            .filter(|&&(_, _, p)| self.store.pods[p as usize].deletion.is_none())
            .count() as u32;
        let failed = pods
            .iter()
            .filter(|&&(_, _, p)| self.store.pods[p as usize].finished.is_some() && self.kf_seen(p) == Seen::Failed)
            .count() as u32;
        let name = self.store.workloads[wl as usize].name.clone();
        if let Some(limit) = backoff_limit {
            let st = &self.ctl.kubeflow.jobs[&wl];
            // `previousRetry` (the work queue's requeues after errors) is 0: no reconcile errs.
            let exceeds = failed > st.failed_seen && active != total && 1 > limit;
            if exceeds || self.kf_past_backoff_limit(wl, limit) {
                let m = format!("Job {name} has failed because it has reached the specified backoff limit");
                self.kf_fail_and_delete(wl, "BackoffLimitExceeded", m);
                return;
            }
        }
        let st = &self.ctl.kubeflow.jobs[&wl];
        if let (Some(d), Some(start)) = (deadline, st.start)
            && now.since(start) >= d * 1000
        {
            let m = format!("Job {name} has failed because it was active longer than specified deadline");
            self.kf_fail_and_delete(wl, "DeadlineExceeded", m);
            return;
        }
        let (failed_now, restarted) = self.kf_reconcile_pods(wl);
        self.kf_update_status(wl, failed_now, &restarted);
    }

    /// `PastBackoffLimit`: the restart counts of the Running pods of replicas restarted by
    /// OnFailure, Always or ExitCode, against `limit`.
    fn kf_past_backoff_limit(&self, wl: WlId, limit: u32) -> bool {
        let spec = self.kf_spec(wl);
        let mut restarts: u64 = 0;
        for (t, _, p) in self.kf_pods(wl) {
            if spec.replicas[t].restart_policy == KubeflowRestartPolicy::Never {
                continue;
            }
            let pod = &self.store.pods[p as usize];
            if pod.finished.is_none() && pod.phase == Phase::Running {
                restarts += u64::from(pod.restarts);
            }
        }
        if limit == 0 {
            restarts > 0
        } else {
            restarts >= u64::from(limit)
        }
    }

    /// The job fails with `reason` (jobs.csv) and `message` (its Failed condition), and every
    /// pod is deleted (`DeletePodsAndServices` before the Failed condition is written).
    fn kf_fail_and_delete(&mut self, wl: WlId, reason: &'static str, message: String) {
        self.kf_delete_pods(wl, reason);
        self.kf_finish(wl, false, reason, message);
    }

    /// Delete every pod of the job not terminal yet.
    fn kf_delete_pods(&mut self, wl: WlId, reason: &'static str) {
        for (_, _, p) in self.kf_pods(wl) {
            self.delete_pod(p, reason, None);
        }
    }

    /// A finished job's `CleanUpResources` by `cleanPodPolicy`.
    fn kf_clean_up(&mut self, wl: WlId) {
        let policy = self.kf_spec(wl).run_policy.clean_pod_policy;
        if policy == CleanPodPolicy::None {
            return;
        }
        for (_, _, p) in self.kf_pods(wl) {
            let pod = &self.store.pods[p as usize];
            if pod.finished.is_some() {
                continue; // a terminal pod's deletion frees nothing
            }
            self.delete_pod(p, "CleanPodPolicy", None);
        }
    }

    /// `ReconcilePods` over the replica types in order: create missing pods, delete and
    /// recreate failed ones the policy restarts. Returns the replica type a non-retryable
    /// ExitCode failure fails the job for, if any, and the failed pods deleted for a restart
    /// per replica type (`updateJobReplicaStatuses` counts them in this pass's status).
    fn kf_reconcile_pods(&mut self, wl: WlId) -> (Option<usize>, Vec<u32>) {
        let spec = self.kf_spec(wl);
        let policies: Vec<KubeflowRestartPolicy> = spec.replicas.iter().map(|r| r.restart_policy).collect();
        let mut fails = None;
        let mut replaced = Vec::new();
        let mut restarted = vec![0u32; policies.len()];
        for (t, policy) in policies.iter().enumerate() {
            let n = self.ctl.kubeflow.jobs[&wl].slots[t].len();
            for i in 0..n {
                let Some(p) = self.ctl.kubeflow.jobs[&wl].slots[t][i] else {
                    self.kf_create_pod(wl, t, i);
                    continue;
                };
                let pod = &self.store.pods[p as usize];
                if pod.finished.is_none() || pod.phase != Phase::Failed {
                    continue;
                }
                let code = pod.exit_code;
                let restart = match policy {
                    KubeflowRestartPolicy::ExitCode => is_retryable_exit_code(code),
                    KubeflowRestartPolicy::OnFailure | KubeflowRestartPolicy::Always => true,
                    KubeflowRestartPolicy::Never => false,
                };
                if restart {
                    // The deletion is seen by the next reconcile, which creates its
                    // replacement: at once.
                    replaced.push((t, i, p));
                    restarted[t] += 1;
                } else if *policy == KubeflowRestartPolicy::ExitCode && fails.is_none() {
                    fails = Some(t);
                }
            }
        }
        if !replaced.is_empty() {
            self.ctl.kubeflow.jobs.get_mut(&wl).expect("a job").restarting = true;
            let name = self.store.workloads[wl as usize].name.clone();
            let r = self.kf_reasons(wl);
            for (t, i, p) in replaced {
                let rtype = self.kf_spec(wl).replicas[t].rtype.clone();
                let obj = self.wl_object(wl);
                self.event(
                    || obj,
                    r.restarting,
                    || format!("job {name} is restarting because {rtype} replica(s) failed."),
                );
                self.ctl.kubeflow.jobs.get_mut(&wl).expect("a job").slots[t][i] = None;
                self.release_replaced_pod(wl, p);
            }
            self.ctl.kubeflow.jobs.get_mut(&wl).expect("a job").reconcile.request();
        }
        (fails, restarted)
    }

    /// Create the pod of replica `t`, index `i`.
    fn kf_create_pod(&mut self, wl: WlId, t: usize, i: usize) {
        let pod = self.create_pod(wl, t as u16, Some(i as u32));
        self.ctl.kubeflow.jobs.get_mut(&wl).expect("a job").slots[t][i] = Some(pod);
    }

    /// `UpdateJobStatus`: the start time, then success or failure by replica type.
    /// `exit_code_failed`: the replica type whose pod failed with a non-retryable exit code
    /// under ExitCode (`ReconcilePods` set the Failed condition); `restarted`: the failed pods
    /// `ReconcilePods` deleted for a restart, per replica type (an XGBoostJob counts them as
    /// failed; the other kinds' rules are decided by the pods left).
    fn kf_update_status(&mut self, wl: WlId, exit_code_failed: Option<usize>, restarted: &[u32]) {
        let now = self.now();
        let name = self.store.workloads[wl as usize].name.clone();
        if let Some(t) = exit_code_failed {
            let rtype = self.kf_spec(wl).replicas[t].rtype.clone();
            let m = format!("job \"{name}\" is failing because \"{rtype}\" replica(s) failed.");
            self.kf_finish(wl, false, "ExitCode", m);
            return;
        }
        let deadline = self.kf_spec(wl).run_policy.active_deadline_s;
        let st = self.ctl.kubeflow.jobs.get_mut(&wl).expect("a job");
        if st.start.is_none() {
            st.start = Some(now);
            if let Some(d) = deadline {
                st.deadline_pending = true;
                self.engine
                    .schedule(now.plus_ms(d * 1000), class::CONTROLLER, Ev::KubeflowSync { wl });
            }
        }
        let mut counts = Vec::new();
        let pods = self.kf_pods(wl);
        let spec = self.kf_spec(wl);
        for t in 0..spec.replicas.len() {
            let (mut active, mut succeeded, mut failed) = (0u32, 0u32, 0u32);
            for &(pt, _, p) in &pods {
                if pt != t {
                    continue;
                }
                match self.kf_seen(p) {
                    Seen::Active => active += 1,
                    Seen::Succeeded => succeeded += 1,
                    Seen::Failed => failed += 1,
                    Seen::Pending => {}
                }
            }
            counts.push((active, succeeded, failed));
        }
        let ns = self.store.protos[self.store.workloads[wl as usize].proto as usize]
            .spec
            .namespace
            .clone();
        let (outcome, restarting) = match self.kf_spec(wl).framework {
            KubeflowFramework::PyTorch | KubeflowFramework::Paddle | KubeflowFramework::Jax => {
                master_worker_status(self.kf_spec(wl), &ns, &name, &counts)
            }
            KubeflowFramework::XGBoost => {
                for (c, r) in counts.iter_mut().zip(restarted) {
                    c.2 += r;
                }
                xgboost_status(self.kf_spec(wl), &name, &counts)
            }
            KubeflowFramework::TensorFlow => {
                let worker0 = self.kf_worker0_completed(wl);
                let was_restarting = self.ctl.kubeflow.jobs[&wl].restarting;
                let (outcome, running, restart) =
                    tf_status(self.kf_spec(wl), &ns, &name, &counts, worker0, was_restarting);
                // A Running condition replaces Restarting (`filterOutCondition`); the pass puts
                // an existing Restarting back when a replica type has failed pods.
                let st = self.ctl.kubeflow.jobs.get_mut(&wl).expect("a job");
                if running {
                    st.restarting = false;
                }
                if restart {
                    st.restarting = true;
                }
                (outcome, Vec::new())
            }
        };
        for m in restarting {
            let obj = self.wl_object(wl);
            let r = self.kf_reasons(wl).restarting;
            self.event(|| obj, r, || m);
        }
        let failed_total: u32 = counts.iter().map(|c| c.2).sum();
        self.ctl.kubeflow.jobs.get_mut(&wl).expect("a job").failed_seen = failed_total;
        if let Some((ok, reason, m)) = outcome {
            self.kf_finish(wl, ok, reason, m);
        }
    }

    /// The job has its Succeeded (`ok`) or Failed condition: its row ends now, and the next
    /// reconcile (its status update, seen at once) cleans its pods up.
    fn kf_finish(&mut self, wl: WlId, ok: bool, reason: &'static str, message: String) {
        let st = self.ctl.kubeflow.jobs.get_mut(&wl).expect("a job");
        if st.finished {
            return;
        }
        st.finished = true;
        st.reconcile.request();
        if std::mem::take(&mut st.deadline_pending) {
            self.engine.mark_stale();
        }
        let r = self.kf_reasons(wl);
        let obj = self.wl_object(wl);
        self.event(|| obj, if ok { r.succeeded } else { r.failed }, || message);
        if ok {
            self.end_workload(wl, WlState::Complete, "");
        } else {
            self.end_workload(wl, WlState::Failed, reason);
        }
        // Kueue's Workload is finished: its quota is released.
        self.kueue_job_done(wl);
    }

    /// A pod of the job ended, or restarted in place: a reconcile.
    pub(crate) fn kubeflow_pod_changed(&mut self, wl: WlId) {
        if self.ctl.kubeflow.owns(wl) {
            self.kubeflow_reconcile(wl);
        }
    }

    /// The reconcile the active deadline asked for (stale once the job has finished).
    pub(crate) fn kubeflow_sync_event(&mut self, wl: WlId) {
        let st = self.ctl.kubeflow.jobs.get_mut(&wl).expect("a job");
        if !std::mem::take(&mut st.deadline_pending) {
            self.engine.stale_fired();
            return;
        }
        self.kubeflow_reconcile(wl);
    }

    /// The pods a training job needs running at once to count as started: all of them.
    pub(crate) fn kubeflow_needed_running(&self, wl: WlId) -> Option<u32> {
        self.ctl.kubeflow.owns(wl).then(|| self.kf_spec(wl).total_replicas())
    }
}
