//! The KubeRay operator's RayCluster and RayJob controllers (`ray.io/v1`), after
//! ray-project/kuberay at `feeaf72facab4881ba2b179248bb67315634e229` (v1.7.0-rc.0-5):
//! `ray-operator/controllers/ray/raycluster_controller.go` (`reconcilePods`: the head pod, then
//! each worker group's `GetWorkerGroupDesiredReplicas` pods; a pod that is gone or has failed
//! (`shouldDeletePod`) is deleted and recreated; `calculateStatus`: state Ready once every pod
//! runs), `rayjob_controller.go` (`Reconcile`'s JobDeploymentStatus state machine: New →
//! Initializing (the cluster created, `status.startTime` set) → Running once the RayCluster is
//! Ready (K8sJobMode: the submitter Job created, `createK8sJobIfNeed`) → Complete or Failed;
//! `checkActiveDeadlineAndUpdateStatusIfNeeded` (Failed, reason DeadlineExceeded);
//! `checkBackoffLimitAndUpdateStatusIfNeeded` (a Failed RayJob with `status.failed <
//! backoffLimit + 1` and not DeadlineExceeded is Retrying: its cluster and submitter deleted,
//! then New again); `handleShutdownAfterJobFinishes` (the cluster deleted
//! `ttlSecondsAfterFinished` after the end); `suspend` (Suspended: nothing created)). The rules
//! and their constants are written out in docs/ray.md.
//!
//! A RayCluster or RayJob is one workload (one jobs.csv row, kind `RayCluster` or `RayJob`)
//! whose pods the controller creates directly: task 0 the head, then one task per worker
//! group, then a RayJob's submitter. A RayCluster never finishes: it holds its pods until the
//! horizon, its row Running (censored) then, its start the moment every pod first ran. A RayJob's
//! row starts when its submitter pod runs (HTTPMode: when the cluster is Ready, the operator
//! submitting the job itself) and ends when the Ray job does: the submitter's exit (exit 0:
//! Complete; else Failed, reason `AppFailed`); in HTTPMode the entrypoint's run time after the
//! cluster is Ready (`kubesim.io/duration`, exit code from `kubesim.io/exit-code`).
//!
//! The operator's watches have no delay of their own: a reconcile runs when a pod of the object
//! runs, ends or is deleted, and at its timers (deadline, shutdown, an HTTPMode job's end); the
//! 2 s (RayCluster) and 3 s (RayJob) periodic requeues change nothing the watches have not seen.
//!
//! Simplifications: the submitter is a pod of the RayJob's workload, not a batch/v1 Job run by
//! the Job controller: it is created at once, its Job's retries (`submitterConfig.backoffLimit`,
//! default 2) and the Job controller's delays are not simulated (its first failure fails the
//! RayJob), and a deleted submitter (preempted, evicted) is recreated with the whole run time
//! ahead of it. The Ray job's run time is the submitter's: the driver on the head and the
//! workers it uses do not stop earlier. `preRunningDeadlineSeconds`, `deletionStrategy`, the
//! autoscaler (replicas stay as desired), services are not simulated.
//!
//! Under Kueue (`ray.io/rayjob`, `ray.io/raycluster` in `integrations.frameworks`, as the
//! released manifests list them; kueue @ `ff69552e` `pkg/controller/jobs/rayjob/rayjob_controller.go`,
//! `pkg/controller/jobs/raycluster/raycluster_controller.go`, `common.go`): Kueue's webhook
//! refuses what `input::scenario::ray_kueue_refusal` lists (the object is Rejected); else the object is created
//! suspended (`spec.suspend`) and its Workload has pod sets head, each worker group and a
//! RayJob's submitter. Admission clears `spec.suspend` (`RunWithPodSetsInfo`: the flavor into
//! every group's template): a RayJob goes New → Initializing, a RayCluster creates its pods. An
//! eviction sets it again: a RayJob Initializing or Running is Suspending (its cluster and
//! submitter deleted), then Suspended (`updateStatusToSuspendingIfNeeded`); a RayCluster deletes
//! all its pods (`reconcilePods`). PodsReady is the cluster's state Ready (kept until the
//! cluster is suspended or deleted for a retry); a RayJob's Workload finishes when it is
//! Complete or Failed, a RayCluster's never.

use std::collections::BTreeMap;

use crate::engine::SimTime;
use crate::input::spec::{RayJobSpec, RaySpec, RaySubmissionMode, WorkloadKind};
use crate::observe::record::WlState;
use crate::sim::{Ev, Phase, PodId, WlId, World, class};

/// The KubeRay controllers' state: every RayCluster and RayJob of the run.
#[derive(Debug, Default)]
pub struct RayObjects {
    objs: BTreeMap<WlId, RayState>,
}

impl RayObjects {
    /// Whether workload `wl` is a RayCluster or RayJob.
    pub fn owns(&self, wl: WlId) -> bool {
        !self.objs.is_empty() && self.objs.contains_key(&wl)
    }
}

/// A RayJob's `JobDeploymentStatus` (a RayCluster is always Initializing or Running).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    /// The cluster is being created; the RayJob waits for it to be Ready.
    Initializing,
    /// The Ray job runs (the submitter created, or HTTPMode's submission).
    Running,
    /// InteractiveMode: the RayJob waits for the user to submit the job (never, in a run).
    Waiting,
    /// Retrying: the cluster and submitter are being deleted before a new attempt.
    Retrying,
    /// `spec.suspend` was set while Initializing or Running (Kueue's eviction): the cluster
    /// and submitter are being deleted; Suspended once they are gone.
    Suspending,
    Suspended,
    Complete,
    Failed,
}

/// What a timer of the object is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Timer {
    /// `activeDeadlineSeconds` after `status.startTime`.
    Deadline,
    /// `ttlSecondsAfterFinished` after the end, with `shutdownAfterJobFinishes`.
    Shutdown,
    /// An HTTPMode Ray job's end.
    HttpEnd,
}

/// A live event of the object: stale once it no longer has anything to do.
#[derive(Debug)]
struct Pending {
    at: SimTime,
    what: Timer,
    stale: bool,
}

#[derive(Debug)]
struct RayState {
    /// The pod of each (group, slot), once created.
    slots: Vec<Vec<Option<PodId>>>,
    status: Status,
    /// The cluster exists: its pods are kept (false before a RayJob's first reconcile, while
    /// suspended, and once deleted).
    cluster: bool,
    /// `status.failed`: the RayJob's failed attempts.
    failed: u32,
    /// The reason of the last failure.
    reason: &'static str,
    /// Timers scheduled.
    timers: Vec<Pending>,
    /// `spec.suspend` now (Kueue sets it on creation and eviction, clears it on admission).
    suspend: bool,
    /// The cluster's state reached Ready since it was last created: Kueue's PodsReady
    /// (reported to Kueue as one signal; KubeRay keeps Ready until the cluster is suspended or
    /// deleted).
    ready: bool,
    /// Reconciles asked for while one runs.
    reconcile: super::Reentry,
}

impl World {
    fn ray_spec(&self, wl: WlId) -> &RaySpec {
        match &self.store.protos[self.store.workloads[wl as usize].proto as usize]
            .spec
            .kind
        {
            WorkloadKind::Ray(r) => r,
            _ => unreachable!("not a Ray object"),
        }
    }

    fn ray_job_spec(&self, wl: WlId) -> Option<&RayJobSpec> {
        self.ray_spec(wl).job.as_ref()
    }

    /// A RayCluster or RayJob was created: its first reconcile. Kueue's webhook refuses one it
    /// manages that breaks its rules (`ray_kueue_refusal`), else creates it suspended, and its
    /// Workload queues.
    pub(crate) fn ray_created(&mut self, wl: WlId) {
        let managed = self.kueue_manages(wl);
        if managed {
            let w = &self.store.workloads[wl as usize];
            let spec = &self.store.protos[w.proto as usize].spec;
            if let Some(reason) = crate::input::scenario::ray_kueue_refusal(spec, self.ray_spec(wl)) {
                let obj = self.wl_object(wl);
                let w = &mut self.store.workloads[wl as usize];
                w.state = WlState::Rejected;
                w.reason = reason.clone();
                self.event(|| obj, "Rejected", || reason);
                return;
            }
        }
        let spec = self.ray_spec(wl);
        let slots = spec.groups.iter().map(|g| vec![None; g.pods as usize]).collect();
        let suspend = managed || spec.job.as_ref().map_or(spec.suspend, |j| j.suspend);
        let (status, cluster) = match &spec.job {
            Some(_) if suspend => (Status::Suspended, false),
            // `initRayJobStatusIfNeed`: Initializing, the cluster created in the same pass.
            Some(_) => (Status::Initializing, true),
            None => (Status::Initializing, !suspend),
        };
        let deadline = spec.job.as_ref().and_then(|j| j.active_deadline_s);
        let kind = spec.api_kind();
        self.ctl.ray.objs.insert(
            wl,
            RayState {
                slots,
                status,
                cluster,
                failed: 0,
                reason: "",
                timers: Vec::new(),
                suspend,
                ready: false,
                reconcile: super::Reentry::default(),
            },
        );
        let obj = self.wl_object(wl);
        self.event(
            || obj,
            if kind == "RayJob" {
                "CreatedRayJob"
            } else {
                "CreatedRayCluster"
            },
            String::new,
        );
        // `status.startTime` is set with Initializing: the deadline counts from it.
        if status == Status::Initializing
            && let Some(d) = deadline
        {
            self.ray_arm(wl, Timer::Deadline, self.now().plus_ms(d * 1000));
        }
        if managed {
            self.kueue_created(wl);
        }
        self.ray_reconcile(wl);
    }

    /// `spec.suspend` set or cleared (by Kueue: an eviction, an admission). A RayJob Initializing
    /// or Running goes Suspending (`updateStatusToSuspendingIfNeeded`): its cluster and
    /// submitter are deleted, then it is Suspended; a Suspended one resumed is New again, then
    /// Initializing (`status.startTime` anew). A RayCluster suspended has all its pods deleted
    /// (`reconcilePods`: `deleteAllPods`); resumed, it creates them again.
    pub(crate) fn ray_set_suspend(&mut self, wl: WlId, suspend: bool) {
        let is_job = self.ray_job_spec(wl).is_some();
        let st = self.ctl.ray.objs.get_mut(&wl).expect("a Ray object");
        if st.suspend == suspend || matches!(st.status, Status::Complete | Status::Failed) {
            return;
        }
        st.suspend = suspend;
        let status = st.status;
        if !is_job {
            st.cluster = !suspend;
            if suspend {
                self.ray_unready(wl);
                let obj = self.wl_object(wl);
                let (ns, name) = self.ray_ns_name(wl);
                self.event(
                    || obj,
                    "DeletedPod",
                    || format!("Deleted Pods for RayCluster {ns}/{name} due to suspension"),
                );
                self.ray_delete_pods(wl, "Suspended");
            }
        } else if suspend && matches!(status, Status::Initializing | Status::Running) {
            let st = self.ctl.ray.objs.get_mut(&wl).expect("a Ray object");
            st.status = Status::Suspending;
            st.cluster = false;
            self.ray_cancel(wl, Timer::Deadline);
            self.ray_cancel(wl, Timer::HttpEnd);
            self.ray_unready(wl);
            let obj = self.wl_object(wl);
            self.event(|| obj, "DeletedRayCluster", String::new);
            self.ray_delete_pods(wl, "Suspended");
        }
        self.ray_reconcile(wl);
    }

    fn ray_ns_name(&self, wl: WlId) -> (String, String) {
        let w = &self.store.workloads[wl as usize];
        (
            self.store.protos[w.proto as usize].spec.namespace.clone(),
            w.name.clone(),
        )
    }

    /// The cluster's state is no longer Ready (its pods deleted): Kueue's PodsReady is lost.
    fn ray_unready(&mut self, wl: WlId) {
        let st = self.ctl.ray.objs.get_mut(&wl).expect("a Ray object");
        if std::mem::take(&mut st.ready) {
            self.kueue_pod_readiness(wl, -1);
        }
    }

    fn ray_arm(&mut self, wl: WlId, what: Timer, at: SimTime) {
        let st = self.ctl.ray.objs.get_mut(&wl).expect("a Ray object");
        st.timers.push(Pending { at, what, stale: false });
        self.engine.schedule(at, class::CONTROLLER, Ev::RaySync { wl });
    }

    /// The timers of kind `what` no longer have anything to do.
    fn ray_cancel(&mut self, wl: WlId, what: Timer) {
        let st = self.ctl.ray.objs.get_mut(&wl).expect("a Ray object");
        for t in st.timers.iter_mut().filter(|t| t.what == what && !t.stale) {
            t.stale = true;
            self.engine.mark_stale();
        }
    }

    /// A timer of the object fires.
    pub(crate) fn ray_sync_event(&mut self, wl: WlId) {
        let now = self.now();
        let st = self.ctl.ray.objs.get_mut(&wl).expect("a Ray object");
        let i = st
            .timers
            .iter()
            .position(|t| t.at == now && !t.stale)
            .or_else(|| st.timers.iter().position(|t| t.at == now))
            .expect("a timer of now");
        let t = st.timers.remove(i);
        if t.stale {
            self.engine.stale_fired();
            return;
        }
        match t.what {
            Timer::Deadline => self.ray_deadline(wl),
            Timer::Shutdown => self.ray_shutdown(wl),
            Timer::HttpEnd => {
                let code = self.ray_job_spec(wl).map_or(0, |j| j.exit_code);
                self.ray_job_ended(wl, code == 0);
            }
        }
        self.ray_reconcile(wl);
    }

    /// A pod of the object ran, ended, restarted or is being deleted: a reconcile.
    pub(crate) fn ray_pod_changed(&mut self, wl: WlId) {
        if self.ctl.ray.owns(wl) {
            self.ray_reconcile(wl);
        }
    }

    /// The pods of the object still present: (group, slot, pod).
    fn ray_pods(&self, wl: WlId) -> Vec<(usize, usize, PodId)> {
        let st = &self.ctl.ray.objs[&wl];
        let mut out = Vec::new();
        for (g, slots) in st.slots.iter().enumerate() {
            for (i, s) in slots.iter().enumerate() {
                if let Some(p) = *s {
                    out.push((g, i, p));
                }
            }
        }
        out
    }

    /// The index of a RayJob's submitter group, if it has one.
    fn ray_submitter_group(&self, wl: WlId) -> Option<usize> {
        let spec = self.ray_spec(wl);
        spec.has_submitter().then(|| spec.groups.len() - 1)
    }

    /// A reconcile; one asked for while one runs runs after it.
    pub(crate) fn ray_reconcile(&mut self, wl: WlId) {
        self.reconcile_guarded(
            wl,
            |w, wl| w.ctl.ray.objs.get_mut(&wl).map(|s| &mut s.reconcile),
            Self::ray_reconcile_once,
        );
    }

    fn ray_reconcile_once(&mut self, wl: WlId) {
        // A deleted pod that has terminated is gone from the API: its slot is empty again.
        for (g, i, p) in self.ray_pods(wl) {
            let pod = &self.store.pods[p as usize];
            if pod.finished.is_some() && pod.deletion.is_some() {
                self.ctl.ray.objs.get_mut(&wl).expect("a Ray object").slots[g][i] = None;
                self.release_replaced_pod(wl, p);
            }
        }
        let sub = self.ray_submitter_group(wl);
        let st = &self.ctl.ray.objs[&wl];
        let status = st.status;
        if status == Status::Suspending && self.ray_pods(wl).is_empty() {
            // Everything deleted: Suspended.
            let st = self.ctl.ray.objs.get_mut(&wl).expect("a Ray object");
            st.status = Status::Suspended;
            st.reconcile.request();
            return;
        }
        if status == Status::Suspended && !st.suspend {
            // New, then Initializing (`initRayJobStatusIfNeed`: `status.startTime` now, from
            // which the deadline counts).
            let st = self.ctl.ray.objs.get_mut(&wl).expect("a Ray object");
            st.status = Status::Initializing;
            st.cluster = true;
            st.reconcile.request();
            if let Some(d) = self.ray_job_spec(wl).and_then(|j| j.active_deadline_s) {
                self.ray_arm(wl, Timer::Deadline, self.now().plus_ms(d * 1000));
            }
            return;
        }
        if status == Status::Retrying {
            // `deleteClusterResources`, `deleteSubmitterJob`: New once everything is gone.
            if self.ray_pods(wl).is_empty() {
                let st = self.ctl.ray.objs.get_mut(&wl).expect("a Ray object");
                if st.suspend {
                    // Suspended meanwhile (Kueue's eviction): Initializing goes Suspending at
                    // once, with nothing to delete (`updateStatusToSuspendingIfNeeded`).
                    st.status = Status::Suspended;
                } else {
                    st.status = Status::Initializing;
                    st.cluster = true;
                }
                st.reconcile.request();
            }
            return;
        }
        if self.ctl.ray.objs[&wl].cluster {
            self.ray_reconcile_cluster(wl, sub);
        }
        let st = &self.ctl.ray.objs[&wl];
        let ready = st.cluster && self.ray_cluster_ready(wl, sub);
        if ready && !st.ready {
            // The cluster's state is Ready: Kueue's PodsReady (`PodsReady`).
            self.ctl.ray.objs.get_mut(&wl).expect("a Ray object").ready = true;
            self.kueue_pod_readiness(wl, 1);
        }
        let is_job = self.ray_job_spec(wl).is_some();
        if !is_job {
            // A RayCluster's row starts once it is first Ready.
            if ready && self.store.workloads[wl as usize].start.is_none() {
                self.store.workloads[wl as usize].start = Some(self.now());
            }
            return;
        }
        match status {
            Status::Initializing if ready => self.ray_job_submit(wl),
            Status::Running => {
                if let Some(g) = sub {
                    self.ray_reconcile_submitter(wl, g);
                }
            }
            _ => {}
        }
    }

    /// `reconcilePods`: the head, then each worker group: a failed or succeeded pod is deleted
    /// (its slot refilled once it is gone), a missing one created.
    fn ray_reconcile_cluster(&mut self, wl: WlId, sub: Option<usize>) {
        let groups = self.ctl.ray.objs[&wl].slots.len() - usize::from(sub.is_some());
        for g in 0..groups {
            let n = self.ctl.ray.objs[&wl].slots[g].len();
            for i in 0..n {
                match self.ctl.ray.objs[&wl].slots[g][i] {
                    None => {
                        let pod = self.create_pod(wl, g as u16, None);
                        self.ctl.ray.objs.get_mut(&wl).expect("a Ray object").slots[g][i] = Some(pod);
                    }
                    Some(p) => {
                        let pod = &self.store.pods[p as usize];
                        if pod.finished.is_some() && pod.deletion.is_none() {
                            // `shouldDeletePod`: a terminal pod is deleted and replaced.
                            self.ctl.ray.objs.get_mut(&wl).expect("a Ray object").slots[g][i] = None;
                            self.release_replaced_pod(wl, p);
                            self.ctl
                                .ray
                                .objs
                                .get_mut(&wl)
                                .expect("a Ray object")
                                .reconcile
                                .request();
                        }
                    }
                }
            }
        }
    }

    /// The RayCluster's state is Ready: every pod of the head and worker groups runs.
    fn ray_cluster_ready(&self, wl: WlId, sub: Option<usize>) -> bool {
        let st = &self.ctl.ray.objs[&wl];
        let groups = st.slots.len() - usize::from(sub.is_some());
        st.slots[..groups].iter().flatten().all(|s| {
            s.is_some_and(|p| {
                let pod = &self.store.pods[p as usize];
                pod.phase == Phase::Running && pod.finished.is_none() && pod.deletion.is_none()
            })
        })
    }

    /// The cluster is Ready: K8sJobMode creates the submitter (`createK8sJobIfNeed`), HTTPMode
    /// submits the job (its end a timer), InteractiveMode waits for the user.
    fn ray_job_submit(&mut self, wl: WlId) {
        let now = self.now();
        let job = self.ray_job_spec(wl).expect("a RayJob").clone();
        let st = self.ctl.ray.objs.get_mut(&wl).expect("a Ray object");
        match job.submission_mode {
            RaySubmissionMode::K8sJob => {
                st.status = Status::Running;
                let g = st.slots.len() - 1;
                let pod = self.create_pod(wl, g as u16, None);
                self.ctl.ray.objs.get_mut(&wl).expect("a Ray object").slots[g][0] = Some(pod);
                let obj = self.wl_object(wl);
                let name = self.store.workloads[wl as usize].name.clone();
                self.event(
                    || obj,
                    "CreatedRayJobSubmitter",
                    || format!("Created Kubernetes Job {name}"),
                );
            }
            RaySubmissionMode::Http => {
                st.status = Status::Running;
                if self.store.workloads[wl as usize].start.is_none() {
                    self.store.workloads[wl as usize].start = Some(now);
                }
                if let Some(d) = job.duration_ms {
                    self.ray_arm(wl, Timer::HttpEnd, now.plus_ms(d));
                }
            }
            // SidecarMode is refused at load.
            RaySubmissionMode::Interactive | RaySubmissionMode::Sidecar => st.status = Status::Waiting,
        }
    }

    /// The submitter: its start is the row's; its exit ends the Ray job; a deleted submitter
    /// is recreated once gone.
    fn ray_reconcile_submitter(&mut self, wl: WlId, g: usize) {
        let Some(p) = self.ctl.ray.objs[&wl].slots[g][0] else {
            let pod = self.create_pod(wl, g as u16, None);
            self.ctl.ray.objs.get_mut(&wl).expect("a Ray object").slots[g][0] = Some(pod);
            return;
        };
        let pod = &self.store.pods[p as usize];
        if pod.phase == Phase::Running && self.store.workloads[wl as usize].start.is_none() {
            self.store.workloads[wl as usize].start = Some(self.now());
        }
        if pod.finished.is_some() && pod.deletion.is_none() {
            let ok = pod.phase == Phase::Succeeded;
            self.ray_job_ended(wl, ok);
        }
    }

    /// The Ray job ended (`ok`: SUCCEEDED): the RayJob is Complete, or Failed (`AppFailed`).
    fn ray_job_ended(&mut self, wl: WlId, ok: bool) {
        if ok {
            self.ray_finish(wl, true, "");
        } else {
            self.ray_finish(wl, false, "AppFailed");
        }
    }

    /// `checkActiveDeadlineAndUpdateStatusIfNeeded`: Failed, DeadlineExceeded (never retried).
    fn ray_deadline(&mut self, wl: WlId) {
        let st = &self.ctl.ray.objs[&wl];
        if matches!(st.status, Status::Initializing | Status::Running) {
            self.ray_finish(wl, false, "DeadlineExceeded");
        }
    }

    /// The RayJob reaches Complete or Failed; a Failed one with retries left
    /// (`checkBackoffLimitAndUpdateStatusIfNeeded`) is Retrying instead.
    fn ray_finish(&mut self, wl: WlId, ok: bool, reason: &'static str) {
        let job = self.ray_job_spec(wl).expect("a RayJob").clone();
        let obj = self.wl_object(wl);
        let st = self.ctl.ray.objs.get_mut(&wl).expect("a Ray object");
        if ok {
            st.status = Status::Complete;
        } else {
            st.failed += 1;
            st.reason = reason;
            let retry = st.failed < job.backoff_limit + 1 && reason != "DeadlineExceeded";
            if retry {
                st.status = Status::Retrying;
                st.cluster = false;
                st.reconcile.request();
                let n = st.failed;
                self.ray_cancel(wl, Timer::HttpEnd);
                self.ray_unready(wl);
                self.event(
                    || obj,
                    "RayJobRetrying",
                    || format!("failed attempt {n} of backoffLimit {}", job.backoff_limit),
                );
                self.ray_delete_pods(wl, "RayJobRetrying");
                return;
            }
            st.status = Status::Failed;
        }
        self.ray_cancel(wl, Timer::Deadline);
        self.ray_cancel(wl, Timer::HttpEnd);
        if ok {
            self.event(|| obj, "RayJobComplete", String::new);
            self.end_workload(wl, WlState::Complete, "");
        } else {
            self.event(|| obj, "RayJobFailed", || reason.to_string());
            self.end_workload(wl, WlState::Failed, reason);
        }
        // Kueue's Workload is finished (`Finished`: Complete or Failed): its quota is released,
        // the cluster's pods still running until the shutdown.
        self.kueue_job_done(wl);
        if job.shutdown_after_job_finishes {
            // `handleShutdownAfterJobFinishes`: the cluster goes ttl seconds after the end; the
            // submitter Job is kept (a finished pod holds nothing).
            let at = self.now().plus_ms(job.ttl_seconds_after_finished * 1000);
            if job.ttl_seconds_after_finished == 0 {
                self.ray_shutdown(wl);
            } else {
                self.ray_arm(wl, Timer::Shutdown, at);
            }
        }
    }

    /// The RayJob's cluster is deleted: its pods go and are not replaced.
    fn ray_shutdown(&mut self, wl: WlId) {
        let sub = self.ray_submitter_group(wl);
        let st = self.ctl.ray.objs.get_mut(&wl).expect("a Ray object");
        st.cluster = false;
        let obj = self.wl_object(wl);
        self.event(|| obj, "DeletedRayCluster", String::new);
        for (g, _, p) in self.ray_pods(wl) {
            if Some(g) != sub && self.store.pods[p as usize].finished.is_none() {
                self.delete_pod(p, "ShutdownAfterJobFinishes", None);
            }
        }
    }

    /// Delete every pod of the object not terminal yet (a terminal one is gone at once).
    fn ray_delete_pods(&mut self, wl: WlId, reason: &'static str) {
        for (g, i, p) in self.ray_pods(wl) {
            if self.store.pods[p as usize].finished.is_some() {
                self.ctl.ray.objs.get_mut(&wl).expect("a Ray object").slots[g][i] = None;
                self.release_replaced_pod(wl, p);
            } else {
                self.delete_pod(p, reason, None);
            }
        }
    }
}
