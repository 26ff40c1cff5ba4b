//! The kubelet's share of the pod lifecycle: a bound pod's container starts, does work while its
//! gang (if any) is formed, exits with its planned code, and restarts in place under
//! restartPolicy Always/OnFailure with the crash-loop backoff (10 s doubling to 5 min).

use crate::observe::record;

use rand::RngExt;

use crate::engine::{rng_stream, stable_hash};
use crate::input::spec::{RestartPolicy, WorkloadKind};
use crate::sim::{Ev, Phase, PodId, WlId, World, backoff_ms, class};
use record::WlState;

impl World {
    /// Start (or restart) the pod's container.
    pub(crate) fn container_start(&mut self, pod: PodId) {
        if self.store.pods[pod as usize].node.is_some_and(|n| self.node_is_down(n)) {
            return; // its kubelet is gone; it starts if the node comes back
        }
        let now = self.now();
        let wl = self.store.pods[pod as usize].wl;
        // An MPIJob's workers run sshd until they are deleted.
        let forever = self.mpi_runs_forever(wl);
        let w = &mut self.store.workloads[wl as usize];
        let proto = &self.store.protos[w.proto as usize];
        let hints = &proto.template(self.store.pods[pod as usize].task as usize).hints;
        // The first `failures` runs of the workload fail with exit 1, later ones end with
        // the exit code; an Arrivals `failure` draw may fail a run too.
        let nth = w.pods_started;
        w.pods_started += 1;
        let index = self.store.pods[pod as usize].index;
        let mut exit = if index.is_some_and(|i| hints.fail_indexes.contains(&i)) {
            if hints.exit_code != 0 { hints.exit_code } else { 1 }
        } else if nth < hints.failures {
            1
        } else {
            hints.exit_code
        };
        let run_ms = if forever {
            None
        } else {
            w.duration_ms.or(hints.duration_ms).or(w.default_ms)
        };
        let arrival = w.arrival;
        let failure = match (&proto.failure, &proto.stream) {
            (Some(f), Some(stream)) if exit == 0 => Some((f.probability, f.exit_code, stable_hash(stream))),
            _ => None,
        };
        if let Some((probability, code, stream)) = failure {
            // A JobSet's Jobs draw in turn from their JobSet's stream (the pod runs of all its
            // Jobs and attempts counted together), so that they fail independently.
            let draw = match self.ctl.parent_of(wl) {
                Some(js) => {
                    let p = &mut self.store.workloads[js as usize];
                    p.pods_started += 1;
                    p.pods_started - 1
                }
                None => nth,
            };
            let h = stream ^ stable_hash("failure");
            let mut rng = rng_stream(self.cfg.seed ^ crate::engine::splitmix64(arrival), h ^ u64::from(draw));
            if rng.random::<f64>() < probability {
                exit = code;
            }
        }
        let first_run = self.store.pods[pod as usize].phase == Phase::Pending;
        let p = &mut self.store.pods[pod as usize];
        p.phase = Phase::Running;
        p.run_started = Some(now);
        p.run_ms = run_ms;
        p.planned_exit = exit;
        p.epoch += 1;
        p.container_up = true;
        let gang = p.gang;
        self.policy_job_pod_readiness(wl, 1);
        if first_run {
            let obj = self.pod_object(pod);
            self.event(|| obj, "PodRunning", String::new);
            let w = &mut self.store.workloads[wl as usize];
            w.running += 1;
            if w.state == WlState::Pending {
                w.state = WlState::Running;
            }
            if w.vc.is_some() {
                self.vc_pod_running(wl);
            }
            // The pod's update (Running, Ready) asks its Job for a sync a batch period later,
            // which writes status.ready (`updatePod`, `enqueueSyncJobBatched`). Only a write
            // that can wait for a token changes anything, so without client limits the sync is
            // left out (runs stay as they were before the limits were modelled).
            if self.api_limited(crate::sim::Client::KubeControllerManager) {
                self.job_pod_event(wl);
            }
        }
        // Running and Ready: a StatefulSet's next ordinal may start, a LeaderReady group's
        // workers; an MPIJob's launcher may be created or start its run.
        self.serving_pod_event(wl);
        self.lws_pod_event(wl);
        self.mpi_changed(wl);
        // A gang member waits at the rendezvous until its gang has formed.
        match gang {
            Some(g) => self.gang_member_running(g, pod),
            None => {
                self.begin_work(pod);
                if first_run {
                    self.maybe_started(wl);
                }
            }
        }
    }

    /// The pod starts doing work: its run time starts now.
    pub(crate) fn begin_work(&mut self, pod: PodId) {
        if self.mpi_launcher_waits(pod) {
            return;
        }
        let now = self.now();
        self.rec.gpu.advance(now);
        let req = self.store.classes[self.store.pods[pod as usize].class as usize].req;
        self.rec.gpu.res.busy.level.add(&req);
        debug_assert!(
            !self.store.pods[pod as usize].working,
            "pod {} starts work twice",
            self.store.pod_name(pod)
        );
        let p = &mut self.store.pods[pod as usize];
        p.working = true;
        p.work_started = Some(now);
        let epoch = p.epoch;
        if let Some(d) = p.run_ms {
            self.engine
                .schedule(now.plus_ms(d), class::KUBELET, Ev::ContainerExit { pod, epoch });
        }
    }

    /// The pod's work so far is lost (its run failed, or it was deleted, preempted or lost with
    /// its node): GPU time it worked counts as lost. Call before `end_work`.
    pub(crate) fn lose_work(&mut self, pod: PodId) {
        let p = &self.store.pods[pod as usize];
        if let (true, Some(start)) = (p.working, p.work_started) {
            let gpu = self.store.classes[p.class as usize].req.gpu_milli().max(0) as u128;
            let lost = gpu * u128::from(self.now().since(start));
            self.rec.gpu.lost_integral += lost;
            if p.evicted_for_queue {
                let q = self.pod_queue(pod) as usize;
                self.rec.queue_lost[q] += lost;
            }
        }
    }

    /// The pod stops doing work (its container exited or it became terminal).
    pub(crate) fn end_work(&mut self, pod: PodId) {
        if self.store.pods[pod as usize].working {
            let now = self.now();
            self.rec.gpu.advance(now);
            let req = self.store.classes[self.store.pods[pod as usize].class as usize].req;
            self.rec.gpu.res.busy.level.sub(&req);
            self.store.pods[pod as usize].working = false;
        }
    }

    /// Record the workload's start when it first has all the pods it needs running.
    pub(crate) fn maybe_started(&mut self, wl: WlId) {
        if self.ctl.ray.owns(wl) {
            // The KubeRay operator decides (a RayCluster Ready, a RayJob's submitter running).
            self.ray_reconcile(wl);
            return;
        }
        let w = &self.store.workloads[wl as usize];
        // An MPIJob starts when its launcher's run does (`controllers::mpijob`).
        if w.start.is_some() || self.ctl.mpi.owns(wl) {
            return;
        }
        // A Job's pods that already succeeded count: it needs them no more (its first pods can
        // end before its last start when they are created or placed over time).
        let (need, done) = match (&w.job, &self.store.protos[w.proto as usize].spec.kind) {
            (Some(j), _) => (j.needed_running(), w.succeeded_pods),
            // A Deployment, ReplicaSet or StatefulSet starts once all its replicas run.
            (None, WorkloadKind::Serving(_)) => (self.serving_replicas(wl), 0),
            // A LeaderWorkerSet once all its groups' pods run.
            (None, WorkloadKind::Lws(_)) => (self.lws_pods_wanted(wl), 0),
            (None, _) => match self.kubeflow_needed_running(wl) {
                Some(n) => (n, w.succeeded_pods),
                None => (1, 0),
            },
        };
        if w.running + done >= need.max(1) {
            self.store.workloads[wl as usize].start = Some(self.now());
            self.jobset_child_started(wl);
        }
    }

    /// The container exits at the end of its run.
    pub(crate) fn container_exit(&mut self, pod: PodId) {
        let now = self.now();
        let p = &self.store.pods[pod as usize];
        let code = p.planned_exit;
        let restart_policy =
            self.store.protos[self.store.workloads[p.wl as usize].proto as usize].tasks[p.task as usize].restart_policy;
        if p.deletion.is_some() {
            // It finished on its own while terminating.
            let phase = if code == 0 { Phase::Succeeded } else { Phase::Failed };
            self.pod_terminal(pod, phase, code, "");
            return;
        }
        let restart = match restart_policy {
            RestartPolicy::Never => false,
            RestartPolicy::OnFailure => code != 0,
            RestartPolicy::Always => true,
        };
        if code != 0 {
            self.lose_work(pod);
        }
        if !restart {
            let phase = if code == 0 { Phase::Succeeded } else { Phase::Failed };
            self.pod_terminal(pod, phase, code, "");
            return;
        }
        // Kubelet restart in place with crash-loop backoff (POD-R1, POD-R2): the first restart is
        // immediate, later ones wait 10 s doubling to 300 s; a run longer than 10 min resets it.
        let ran = now.since(self.store.pods[pod as usize].run_started.unwrap_or(now));
        let lat = &self.cfg.lat;
        let p = &mut self.store.pods[pod as usize];
        if ran >= lat.kubelet_backoff_reset_ms {
            p.kubelet_backoff_n = 0;
        }
        let delay = backoff_ms(lat.kubelet_backoff_ms, lat.kubelet_backoff_max_ms, p.kubelet_backoff_n);
        p.kubelet_backoff_n += 1;
        p.exit_code = code;
        p.epoch += 1;
        p.container_up = false;
        let epoch = p.epoch;
        let wl = p.wl;
        let gang = p.gang;
        self.policy_job_pod_readiness(wl, -1);
        self.end_work(pod);
        if let Some(g) = gang {
            self.gang_member_stopped_running(g);
        }
        let obj = self.pod_object(pod);
        self.event(|| obj, "ContainerExited", || format!("exit code {code}"));
        self.engine
            .schedule(now.plus_ms(delay), class::KUBELET, Ev::ContainerRestart { pod, epoch });
        self.job_pod_event(wl);
        self.serving_pod_event(wl);
        self.lws_pod_event(wl);
    }

    /// The kubelet restarts the container in place: restartCount goes up.
    pub(crate) fn container_restart(&mut self, pod: PodId) {
        let p = &mut self.store.pods[pod as usize];
        p.restarts += 1;
        let (wl, n) = (p.wl, p.restarts);
        self.store.workloads[wl as usize].restarts += 1;
        let obj = self.pod_object(pod);
        self.event(|| obj, "ContainerRestarted", || format!("restart count {n}"));
        self.container_start(pod);
        self.job_pod_event(wl);
        self.kubeflow_pod_changed(wl);
        self.mpi_changed(wl);
        self.ray_pod_changed(wl);
        // restartCount went up: a LeaderWorkerSet's group may be recreated.
        self.lws_pod_event(wl);
    }
}
