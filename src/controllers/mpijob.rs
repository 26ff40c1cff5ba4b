//! The Kubeflow MPI Operator's controller for MPIJobs (`kubeflow.org/v2beta1`), after
//! kubeflow/mpi-operator at `caa3c47` ("Prepare v0.8.2"): `pkg/controller/mpi_job_controller.go`
//! `syncHandler`, `getOrCreateWorker`, `newWorker`, `newLauncherJob`, `countReadyWorkerPods`,
//! `deleteWorkerPods`, `cleanUpWorkerPods`, `updateMPIJobStatus`, `updateMPIJobFailedStatus`;
//! `pkg/controller/podgroup.go` (the PodGroup, made at load by
//! `input::scenario::mpijob::pod_group`). The rules and their messages are written out in
//! docs/mpijob.md.
//!
//! An MPIJob is a workload of its own (one jobs.csv row, kind `MPIJob`). Its workers are pods
//! the controller creates directly, `<job>-worker-<i>`; its launcher is a batch/v1 Job
//! `<job>-launcher` (one pod, `backoffLimit`, `activeDeadlineSeconds` and
//! `ttlSecondsAfterFinished` of the MPIJob's runPolicy, `podReplacementPolicy: Failed`), run by
//! the Job controller; the launcher Job's pods and failures count in the MPIJob's row. One
//! reconcile, in `syncHandler`'s order:
//! 1. A finished MPIJob deletes its workers by `cleanPodPolicy` (`Running`: the running and
//!    pending ones; `All`: every one; `None`, the default: none, and they keep running) and
//!    does nothing more.
//! 2. Unless the launcher Job has finished: unless suspended, a missing worker is created (a
//!    worker that failed stays: it exists); without a launcher Job, it is created at once
//!    (`launcherCreationPolicy: AtStartup`) or once every worker is ready
//!    (`WaitForWorkersReady`).
//! 3. The launcher Job's `suspend` follows the MPIJob's; a suspended MPIJob deletes its
//!    workers.
//! 4. The status: the launcher Job Complete makes the MPIJob Succeeded, Failed makes it Failed
//!    with the Job's reason (`BackoffLimitExceeded`, `DeadlineExceeded`).
//!
//! What the pods do, as the programs in them do (not the operator): a worker runs `sshd` and
//! never ends by itself; the launcher runs `mpirun`, whose run time is the job's (the
//! `kubesim.io/duration` hint or the Arrivals duration). kubesim starts the launcher's run once
//! it and every worker are running (mpirun reaches every rank), and fails the launcher's
//! container (exit code 1) when a worker stops running under it (a rank lost: its pod failed,
//! or is being deleted, on an eviction, a preemption or a node's loss); the launcher's
//! `restartPolicy` (OnFailure by default) and the Job's backoffLimit then decide.
//!
//! The controller's watch has no delay of its own (`latencies.watch`, 0 by default): a
//! reconcile runs when a worker is created, runs, ends or is deleted, and when the launcher Job
//! finishes. Simplifications: the controller's writes do not pass a rate-limited client;
//! Services, the ConfigMap and the SSH Secret do not affect scheduling; a worker with status
//! reason `Evicted` (node-pressure eviction, which kubesim does not model) is not looked for.
//!
//! Under Kueue (`kubeflow.org/mpijob` in `integrations.frameworks`, as the released manifests
//! list it; kueue `pkg/controller/jobs/mpijob/mpijob_controller.go`): the MPIJob is created
//! suspended (its launcher Job too), its Workload has pod sets Launcher (1) and Worker
//! (replicas), and admission clears `runPolicy.suspend` (`RunWithPodSetsInfo`: the flavor's node
//! labels and tolerations go into both templates): a reconcile creates the workers and resumes
//! the launcher Job. An eviction suspends it again: the workers are deleted and the launcher
//! Job suspended (its pod deleted).

use std::collections::BTreeMap;

use crate::input::spec::{CleanPodPolicy, MpiJobSpec, ResourceFlavorSpec, WorkloadKind};
use crate::observe::record::WlState;
use crate::sim::{Phase, PodId, ProtoId, WlId, World};

/// The MPI Operator's state.
#[derive(Debug, Default)]
pub struct MpiJobs {
    /// Each MPIJob prototype's launcher Job prototype.
    pub(crate) protos: BTreeMap<ProtoId, ProtoId>,
    /// MPIJobs in the run.
    jobs: BTreeMap<WlId, MpiState>,
    /// The MPIJob of each launcher Job.
    parent: BTreeMap<WlId, WlId>,
}

impl MpiJobs {
    /// Whether workload `wl` is an MPIJob.
    pub fn owns(&self, wl: WlId) -> bool {
        !self.jobs.is_empty() && self.jobs.contains_key(&wl)
    }

    /// Whether the run has MPIJobs.
    pub fn has_jobs(&self) -> bool {
        !self.jobs.is_empty()
    }

    /// The MPIJob whose launcher Job `wl` is, if it is one.
    pub fn parent(&self, wl: WlId) -> Option<WlId> {
        if self.parent.is_empty() {
            return None;
        }
        self.parent.get(&wl).copied()
    }
}

/// One MPIJob's status and the controller's view of its objects.
#[derive(Debug)]
struct MpiState {
    /// The pod of each worker index, once created; a failed worker stays in its slot.
    workers: Vec<Option<PodId>>,
    /// The launcher Job, once created.
    launcher: Option<WlId>,
    /// Succeeded or Failed.
    finished: bool,
    /// `runPolicy.suspend`.
    suspended: bool,
    /// Kueue's flavor, for the launcher Job created after admission.
    flavor: Option<Box<ResourceFlavorSpec>>,
    /// The launcher's pod, running and waiting for every worker to run.
    waiting: Option<PodId>,
    /// Reconciles asked for while one runs.
    reconcile: super::Reentry,
}

impl World {
    fn mpi_spec(&self, wl: WlId) -> &MpiJobSpec {
        match &self.store.protos[self.store.workloads[wl as usize].proto as usize]
            .spec
            .kind
        {
            WorkloadKind::MpiJob(m) => m,
            _ => unreachable!("not an MPIJob"),
        }
    }

    /// An MPIJob was created: its first reconcile. Kueue's webhook creates an MPIJob it
    /// manages suspended (`runPolicy.suspend`), and its Workload queues.
    pub(crate) fn mpi_created(&mut self, wl: WlId) {
        let managed = self.kueue_manages(wl);
        let spec = self.mpi_spec(wl);
        let st = MpiState {
            workers: vec![None; spec.workers() as usize],
            launcher: None,
            finished: false,
            suspended: spec.run_policy.suspend || managed,
            flavor: None,
            waiting: None,
            reconcile: super::Reentry::default(),
        };
        self.ctl.mpi.jobs.insert(wl, st);
        let obj = self.wl_object(wl);
        let (ns, name) = self.mpi_ns_name(wl);
        self.event(|| obj, "MPIJobCreated", || format!("MPIJob {ns}/{name} is created."));
        if managed {
            self.kueue_created(wl);
        }
        self.mpi_reconcile(wl);
    }

    /// `runPolicy.suspend` set or cleared (by Kueue: an eviction, an admission): a reconcile,
    /// which deletes the workers and suspends the launcher Job, or creates the workers and
    /// resumes the launcher Job.
    pub(crate) fn mpi_set_suspend(&mut self, wl: WlId, suspend: bool) {
        let st = self.ctl.mpi.jobs.get_mut(&wl).expect("an MPIJob");
        if st.finished || st.suspended == suspend {
            return;
        }
        st.suspended = suspend;
        self.mpi_reconcile(wl);
    }

    /// The launcher Job of MPIJob `wl`, once created.
    pub(crate) fn mpi_launcher(&self, wl: WlId) -> Option<WlId> {
        self.ctl.mpi.jobs.get(&wl).and_then(|st| st.launcher)
    }

    /// Kueue's flavor for the MPIJob (`RunWithPodSetsInfo`), kept for a launcher Job created
    /// later.
    pub(crate) fn mpi_set_flavor(&mut self, wl: WlId, fl: &ResourceFlavorSpec) {
        if let Some(st) = self.ctl.mpi.jobs.get_mut(&wl) {
            st.flavor = Some(Box::new(fl.clone()));
        }
    }

    fn mpi_ns_name(&self, wl: WlId) -> (String, String) {
        let w = &self.store.workloads[wl as usize];
        (
            self.store.protos[w.proto as usize].spec.namespace.clone(),
            w.name.clone(),
        )
    }

    /// A reconcile of MPIJob `wl`; one asked for while one runs runs after it.
    pub(crate) fn mpi_reconcile(&mut self, wl: WlId) {
        self.reconcile_guarded(
            wl,
            |w, wl| w.ctl.mpi.jobs.get_mut(&wl).map(|s| &mut s.reconcile),
            Self::mpi_reconcile_once,
        );
    }

    /// Whether worker pod `p` runs a rank: Running, its container up, not being deleted.
    fn mpi_worker_up(&self, p: PodId) -> bool {
        let pod = &self.store.pods[p as usize];
        pod.finished.is_none() && pod.phase == Phase::Running && pod.container_up && pod.deletion.is_none()
    }

    fn mpi_reconcile_once(&mut self, wl: WlId) {
        // A deleted worker that has terminated is gone from the API: its index is missing.
        let gone: Vec<(usize, PodId)> = self.ctl.mpi.jobs[&wl]
            .workers
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.map(|p| (i, p)))
            .filter(|&(_, p)| {
                let pod = &self.store.pods[p as usize];
                pod.finished.is_some() && pod.deletion.is_some()
            })
            .collect();
        for (i, p) in gone {
            self.ctl.mpi.jobs.get_mut(&wl).expect("an MPIJob").workers[i] = None;
            self.release_replaced_pod(wl, p);
        }
        self.mpi_ranks_changed(wl);
        let st = &self.ctl.mpi.jobs[&wl];
        if st.finished {
            // `isFinished && CompletionTime != nil`: `cleanUpWorkerPods` by cleanPodPolicy.
            if self.mpi_spec(wl).run_policy.clean_pod_policy != CleanPodPolicy::None {
                self.mpi_delete_workers(wl, "CleanPodPolicy");
            }
            return;
        }
        let launcher = st.launcher;
        let suspended = st.suspended;
        let done = launcher.is_some_and(|j| self.store.workloads[j as usize].finish.is_some());
        if !done {
            if !suspended {
                // `getOrCreateWorker`.
                let n = self.ctl.mpi.jobs[&wl].workers.len();
                for i in 0..n {
                    if self.ctl.mpi.jobs[&wl].workers[i].is_none() {
                        let pod = self.create_pod(wl, 1, Some(i as u32));
                        self.ctl.mpi.jobs.get_mut(&wl).expect("an MPIJob").workers[i] = Some(pod);
                    }
                }
            }
            if launcher.is_none() {
                let st = &self.ctl.mpi.jobs[&wl];
                // `countReadyWorkerPods(worker) == len(worker)`: with the job suspended, no
                // worker is listed, so the (suspended) launcher Job is created.
                let ready = suspended || st.workers.iter().all(|s| s.is_some_and(|p| self.mpi_worker_up(p)));
                if !self.mpi_spec(wl).wait_for_workers || ready {
                    self.mpi_create_launcher(wl);
                }
            }
        }
        let st = &self.ctl.mpi.jobs[&wl];
        if let Some(j) = st.launcher
            && self.store.workloads[j as usize].finish.is_none()
        {
            let suspended = st.suspended;
            self.job_set_suspend(j, suspended);
        }
        if self.ctl.mpi.jobs[&wl].suspended {
            self.mpi_delete_workers(wl, "Suspended");
        }
        // `updateMPIJobStatus`.
        let Some(j) = self.ctl.mpi.jobs[&wl].launcher else {
            return;
        };
        let lw = &self.store.workloads[j as usize];
        if lw.finish.is_none() {
            return;
        }
        let (ns, name) = self.mpi_ns_name(wl);
        let obj = self.wl_object(wl);
        let st = self.ctl.mpi.jobs.get_mut(&wl).expect("an MPIJob");
        st.finished = true;
        st.reconcile.request();
        if lw.state == WlState::Complete {
            self.event(
                || obj,
                "MPIJobSucceeded",
                || format!("MPIJob {ns}/{name} successfully completed."),
            );
            self.end_workload(wl, WlState::Complete, "");
        } else {
            // The launcher Job's Failed condition's reason (`updateMPIJobFailedStatus`).
            let reason = if lw.reason.is_empty() {
                "MPIJobFailed".to_string()
            } else {
                lw.reason.clone()
            };
            let m = format!("MPIJob {ns}/{name} has failed");
            self.event(|| obj, "MPIJobFailed", || format!("{reason}: {m}"));
            self.end_workload(wl, WlState::Failed, &reason);
        }
        // Kueue's Workload is finished: its quota is released.
        self.kueue_job_done(wl);
    }

    /// `deleteWorkerPods`: every worker not terminal (under `cleanPodPolicy: Running`, the
    /// running and pending ones, which are all the workers not terminal).
    fn mpi_delete_workers(&mut self, wl: WlId, reason: &'static str) {
        let pods: Vec<PodId> = self.ctl.mpi.jobs[&wl].workers.iter().flatten().copied().collect();
        for p in pods {
            if self.store.pods[p as usize].finished.is_none() {
                self.delete_pod(p, reason, None);
            }
        }
    }

    /// `newLauncherJob`: the Job `<job>-launcher`, suspended with the MPIJob.
    fn mpi_create_launcher(&mut self, wl: WlId) {
        let w = &self.store.workloads[wl as usize];
        let proto = self.ctl.mpi.protos[&w.proto];
        let name = format!("{}-launcher", w.name);
        let (arrival, duration) = (w.arrival, w.duration_ms);
        // Its id, known before it exists: the Job controller asks whose it is as it creates it.
        let id = self.store.workloads.len() as WlId;
        self.ctl.mpi.parent.insert(id, wl);
        self.ctl.mpi.jobs.get_mut(&wl).expect("an MPIJob").launcher = Some(id);
        self.create_workload(proto, name, arrival, duration, None);
        if let Some(fl) = self.ctl.mpi.jobs[&wl].flavor.clone() {
            self.kueue_inject_flavor(id, &fl);
        }
    }

    /// Whether a new Job is an MPIJob's launcher created suspended (its MPIJob is).
    pub(crate) fn mpi_suspends_new_job(&self, job: WlId) -> bool {
        self.ctl
            .mpi
            .parent(job)
            .is_some_and(|m| self.ctl.mpi.jobs[&m].suspended)
    }

    /// A worker pod of MPIJob `wl` was created, ran, ended or is being deleted; or its launcher
    /// Job finished: a reconcile.
    pub(crate) fn mpi_changed(&mut self, wl: WlId) {
        if self.ctl.mpi.owns(wl) {
            self.mpi_reconcile(wl);
        } else if let Some(m) = self.ctl.mpi.parent(wl) {
            self.mpi_reconcile(m);
        }
    }

    /// Whether a worker of MPIJob `wl` has ended and stays (a failed worker is not recreated):
    /// mpirun cannot reach it.
    fn mpi_worker_dead(&self, wl: WlId) -> bool {
        self.ctl.mpi.jobs[&wl].workers.iter().flatten().any(|&p| {
            let pod = &self.store.pods[p as usize];
            pod.finished.is_some() && pod.deletion.is_none()
        })
    }

    /// Whether the launcher's pod `pod` must wait for the workers before its run starts (it
    /// then starts in [`World::mpi_ranks_changed`]). With a worker that has ended for good,
    /// mpirun fails at once (exit code 1).
    pub(crate) fn mpi_launcher_waits(&mut self, pod: PodId) -> bool {
        let Some(m) = self.ctl.mpi.parent(self.store.pods[pod as usize].wl) else {
            return false;
        };
        if self.mpi_worker_dead(m) {
            let p = &mut self.store.pods[pod as usize];
            p.run_ms = Some(0);
            p.planned_exit = 1;
            return false;
        }
        let st = &self.ctl.mpi.jobs[&m];
        if st.workers.iter().all(|s| s.is_some_and(|p| self.mpi_worker_up(p))) {
            self.mpi_rendezvous(m);
            return false;
        }
        self.ctl.mpi.jobs.get_mut(&m).expect("an MPIJob").waiting = Some(pod);
        true
    }

    /// Every rank runs: the MPIJob starts (jobs.csv `start_s`) on its first such moment.
    fn mpi_rendezvous(&mut self, m: WlId) {
        if self.store.workloads[m as usize].start.is_none() {
            self.store.workloads[m as usize].start = Some(self.now());
        }
    }

    /// The workers of MPIJob `wl` changed: a waiting launcher starts its run once every worker
    /// runs; a working launcher whose worker stopped fails (exit code 1).
    fn mpi_ranks_changed(&mut self, wl: WlId) {
        let st = &self.ctl.mpi.jobs[&wl];
        let all_up = st.workers.iter().all(|s| s.is_some_and(|p| self.mpi_worker_up(p)));
        if let Some(pod) = st.waiting {
            let p = &self.store.pods[pod as usize];
            let still = p.finished.is_none() && p.phase == Phase::Running && p.container_up && !p.working;
            if !still {
                self.ctl.mpi.jobs.get_mut(&wl).expect("an MPIJob").waiting = None;
            } else if self.mpi_worker_dead(wl) {
                self.ctl.mpi.jobs.get_mut(&wl).expect("an MPIJob").waiting = None;
                self.mpi_rank_lost(pod);
            } else if all_up {
                self.ctl.mpi.jobs.get_mut(&wl).expect("an MPIJob").waiting = None;
                self.mpi_rendezvous(wl);
                self.begin_work(pod);
            }
            return;
        }
        if all_up {
            return;
        }
        let Some(j) = st.launcher else {
            return;
        };
        let working: Vec<PodId> = self.store.workloads[j as usize]
            .pods
            .iter()
            .copied()
            .filter(|&p| {
                let pod = &self.store.pods[p as usize];
                pod.working && pod.finished.is_none() && pod.deletion.is_none()
            })
            .collect();
        for p in working {
            self.mpi_rank_lost(p);
        }
    }

    /// mpirun loses a rank: the launcher's container `p` exits with an error now.
    fn mpi_rank_lost(&mut self, p: PodId) {
        let obj = self.pod_object(p);
        self.event(
            || obj,
            "RankLost",
            || "a worker is not running under mpirun".to_string(),
        );
        self.store.pods[p as usize].planned_exit = 1;
        self.container_exit(p);
    }

    /// Whether the worker pods of MPIJob `wl` run without a run time of their own (`sshd`).
    pub(crate) fn mpi_runs_forever(&self, wl: WlId) -> bool {
        self.ctl.mpi.owns(wl)
    }
}
