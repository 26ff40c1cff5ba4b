//! The write path: every change to pods and workloads (create, bind, reserve, unreserve, delete,
//! terminal) goes through these methods, which then tell the other parts in one fixed order
//! (see `World::pod_terminal` and ARCHITECTURE.md, "Fan-out").

use crate::model::{cluster, gang};
use crate::observe::record;

use crate::controllers::arrivals::sample_duration;
use crate::engine::{rng_stream, stable_hash};
use crate::input::spec::WorkloadKind;
use crate::sim::{Ev, MAX_PODS, Phase, Pod, PodId, ProtoId, WlId, Workload, World, class};
use cluster::NodeId;
use record::WlState;

impl World {
    /// A pod its controller has fully accounted for leaves the run: the store frees it and the
    /// policy its per-pod state.
    pub(crate) fn release_pod(&mut self, pod: PodId) {
        self.store.pods.release(pod);
        self.sched.pod_released(pod);
    }

    /// A terminal pod its controller has replaced (or that is gone from the API) leaves workload
    /// `wl` and the run: nothing refers to it any more.
    pub(crate) fn release_replaced_pod(&mut self, wl: WlId, pod: PodId) {
        self.store.workloads[wl as usize].pods.retain(|&p| p != pod);
        self.release_pod(pod);
    }

    pub(crate) fn node_join(&mut self, n: NodeId) {
        let now = self.now();
        self.rec.gpu.advance(now);
        self.store.cluster.add_node(n);
        self.rec.gpu.res.capacity.level = self.store.cluster.total;
        let name = self.store.cluster.nodes[n as usize].name.clone();
        self.event(|| name, "NodeReady", String::new);
        self.policy_nodes_changed();
    }

    /// Create a workload (a CronJob's Job names its `owner`, which checked the Job quota).
    pub(crate) fn create_workload(
        &mut self,
        proto: ProtoId,
        name: String,
        arrival: u64,
        duration_ms: Option<u64>,
        owner: Option<u32>,
    ) {
        let now = self.now();
        let id = self.store.workloads.len() as WlId;
        let p = &self.store.protos[proto as usize];
        let is_job = matches!(p.spec.kind, WorkloadKind::Job(_));
        // Its own random stream, by name: the draw does not depend on other workloads.
        let default_ms = p.default_duration.as_ref().filter(|_| duration_ms.is_none()).map(|d| {
            let stream = stable_hash(&format!("{}/{}", p.spec.namespace, name)) ^ stable_hash("default-duration");
            sample_duration(d, &mut rng_stream(self.cfg.seed, stream))
        });
        self.store.workloads.push(Workload {
            proto,
            name,
            arrival,
            submit: now,
            duration_ms,
            default_ms,
            start: None,
            finish: None,
            state: WlState::Pending,
            reason: String::new(),
            pods: Vec::new(),
            running: 0,
            succeeded_pods: 0,
            pods_started: 0,
            pods_created: 0,
            failed_pods: 0,
            restarts: 0,
            preemptions: 0,
            deleted: false,
            owner,
            class_override: None,
            task_class_overrides: Vec::new(),
            job: None,
            vc: None,
            gang: None,
        });
        self.follow_workload_created(id);
        let obj = self.wl_object(id);
        // ResourceQuota admission of the object: a Job's count, a bare Pod's usage.
        let mut pod_charge = None;
        let refused = if is_job && owner.is_none() {
            self.quota_admit_job(proto).err()
        } else if matches!(self.store.protos[proto as usize].spec.kind, WorkloadKind::Pod(_))
            && self.store.protos[proto as usize].rejected.is_none()
        {
            match self.quota_admit_pod(id, 0) {
                Ok(c) => {
                    pod_charge = c;
                    None
                }
                Err(m) => Some(m),
            }
        } else {
            None
        };
        if is_job && refused.is_none() && self.ctl.admission.is_some() {
            self.quota_job_charged(id);
        }
        if let Some(reason) = refused.or_else(|| self.store.protos[proto as usize].rejected.clone()) {
            // The API server refuses the object (or, for a Job, each of its pods: the Job
            // controller keeps failing to create them). kubesim reports it Rejected.
            let w = &mut self.store.workloads[id as usize];
            w.state = WlState::Rejected;
            w.reason = reason.clone();
            self.event(|| obj, "Rejected", || reason);
            return;
        }
        if matches!(self.store.protos[proto as usize].spec.kind, WorkloadKind::VolcanoJob(_)) {
            self.event(|| obj, "JobCreated", String::new);
            self.vc_created(id);
        } else if matches!(
            self.store.protos[proto as usize].spec.kind,
            WorkloadKind::KueueWorkload(_)
        ) {
            self.event(|| obj, "WorkloadCreated", String::new);
            self.kueue_workload_created(id);
        } else if matches!(self.store.protos[proto as usize].spec.kind, WorkloadKind::JobSet(_)) {
            self.event(|| obj, "JobSetCreated", String::new);
            self.jobset_created(id);
        } else if let WorkloadKind::Serving(s) = &self.store.protos[proto as usize].spec.kind {
            let created = match s.kind {
                crate::input::spec::ServingKind::Deployment => "DeploymentCreated",
                crate::input::spec::ServingKind::ReplicaSet => "ReplicaSetCreated",
                crate::input::spec::ServingKind::StatefulSet => "StatefulSetCreated",
            };
            self.event(|| obj, created, String::new);
            self.serving_created(id);
        } else if matches!(self.store.protos[proto as usize].spec.kind, WorkloadKind::Lws(_)) {
            self.event(|| obj, "LeaderWorkerSetCreated", String::new);
            self.lws_created(id);
        } else if matches!(self.store.protos[proto as usize].spec.kind, WorkloadKind::Kubeflow(_)) {
            self.kubeflow_created(id);
        } else if matches!(self.store.protos[proto as usize].spec.kind, WorkloadKind::MpiJob(_)) {
            self.mpi_created(id);
        } else if matches!(self.store.protos[proto as usize].spec.kind, WorkloadKind::Ray(_)) {
            self.ray_created(id);
        } else if is_job {
            self.event(|| obj, "JobCreated", String::new);
            self.job_created(id);
        } else {
            self.event(|| obj, "PodCreated", String::new);
            let pod = self.create_pod(id, 0, None);
            if let Some(c) = pod_charge {
                self.quota_charged(pod, c);
            }
        }
    }

    /// Create a pod of a workload's task and hand it to the scheduler. Its name is formatted
    /// only where it is shown (`Store::pod_name`).
    pub fn create_pod(&mut self, wl: WlId, task: u16, index: Option<u32>) -> PodId {
        self.create_pod_in_gang(wl, task, index, None)
    }

    /// [`World::create_pod`], the pod joining `gang` (a PodGroup its controller made for it, as
    /// the LeaderWorkerSet's per group) rather than its workload's or template's.
    pub(crate) fn create_pod_in_gang(
        &mut self,
        wl: WlId,
        task: u16,
        index: Option<u32>,
        gang: Option<gang::GangId>,
    ) -> PodId {
        // `run` stops with an error once a pod limit is reached after an event; one event
        // creates far fewer (a workload's pods, a sync's batch), so this only guards a bug.
        assert!(self.store.pods.live() < 2 * MAX_PODS, "pod bound exceeded");
        let now = self.now();
        let w = &mut self.store.workloads[wl as usize];
        let n = w.pods_created;
        w.pods_created += 1;
        let proto = &self.store.protos[w.proto as usize];
        let is_job = !matches!(proto.spec.kind, WorkloadKind::Pod(_));
        let class = w
            .task_class_overrides
            .get(task as usize)
            .copied()
            .or(w.class_override)
            .unwrap_or(proto.tasks[task as usize].class);
        let id = self.store.pods.len() as PodId;
        self.store.pods.push(Pod {
            seq: n,
            wl,
            task,
            class,
            index,
            phase: Phase::Pending,
            node: None,
            nominated: None,
            created: now,
            run_started: None,
            finished: None,
            deletion: None,
            disruption: None,
            exit_code: 0,
            restarts: 0,
            kubelet_backoff_n: 0,
            run_ms: None,
            planned_exit: 0,
            epoch: 0,
            counted: false,
            gang: None,
            working: false,
            work_started: None,
            container_up: false,
            waiting: false,
            binding: false,
            evicted_for_queue: false,
        });
        self.sched.pod_created(id, now);
        self.store.workloads[wl as usize].pods.push(id);
        if let Some(g) = gang.or_else(|| self.gang_for_new_pod(wl, task)) {
            self.store.pods[id as usize].gang = Some(g);
            self.gang_member_created(g, id);
            self.policy_gang_member_added(g);
        }
        self.follow_pod_created(id);
        if is_job {
            let obj = self.pod_object(id);
            self.event(|| obj, "PodCreated", String::new);
        }
        self.pod_seen_by_scheduler(id);
        id
    }

    /// A new pod reaches the scheduler's queue: now, or one watch delay later.
    fn pod_seen_by_scheduler(&mut self, pod: PodId) {
        let watch = self.cfg.lat.watch_ms;
        if watch == 0 {
            self.policy_pod_pending(pod);
        } else {
            let at = self.now().plus_ms(watch);
            self.engine.schedule(at, class::API, Ev::PodSeen { pod });
        }
    }

    /// The scheduler's informer delivers a pod created one watch delay ago (`Ev::PodSeen`),
    /// unless it is gone or was deleted meanwhile.
    pub(crate) fn pod_seen(&mut self, pod: PodId) {
        let Some(p) = self.store.pods.get(pod) else { return };
        if p.finished.is_none() && p.deletion.is_none() && p.node.is_none() {
            self.policy_pod_pending(pod);
        }
    }

    /// The gang a new pod of a workload's task joins: the workload's own, or the PodGroup
    /// object its template names.
    pub(crate) fn gang_for_new_pod(&mut self, wl: WlId, task: u16) -> Option<gang::GangId> {
        if let Some(g) = self.store.workloads[wl as usize].gang {
            return Some(g);
        }
        let proto = &self.store.protos[self.store.workloads[wl as usize].proto as usize];
        let group = proto.template(task as usize).pod_group.clone()?;
        let key = (proto.spec.namespace.clone(), group);
        let (min, timeout_s, gang) = match self.store.pod_groups.get(&key) {
            Some(e) => *e,
            // A replica (`podGroupReplicaKey`) of a v1alpha1 Workload's pod group
            // `<workload>/<group>`: a gang of its own with the group's policy.
            None => {
                let (group, _) = key.1.rsplit_once('/')?;
                let (min, timeout_s, _) = *self.store.pod_groups.get(&(key.0.clone(), group.to_string()))?;
                (min, timeout_s, None)
            }
        };
        if let Some(g) = gang {
            return Some(g);
        }
        let g = self.new_gang(format!("{}/{}", key.0, key.1), min, None);
        if let Some(t) = timeout_s {
            self.store.gangs[g as usize].permit_timeout_ms = t * 1000;
        }
        self.store.pod_groups.insert(key, (min, timeout_s, Some(g)));
        Some(g)
    }

    /// Bind a pod to a node and start it at once: zero-latency kubelet (a pod that names its
    /// node, which no scheduler binds).
    pub fn bind(&mut self, pod: PodId, node: NodeId) {
        self.reserve(pod, node);
        self.start_bound(pod);
    }

    /// `client` issues a write now: when it is sent (now when a token is left or client limits
    /// are off; the waits are recorded for the run's note on throttled clients).
    pub(crate) fn api_send(&mut self, client: crate::rate::Client) -> crate::engine::SimTime {
        let now = self.now();
        let Some(bucket) = self.api[client as usize].as_mut() else {
            return now;
        };
        let due = bucket.take(now);
        self.rec.client_wait(client, now, due);
        due
    }

    /// Whether `client`'s writes pass a bucket (client limits on).
    pub(crate) fn api_limited(&self, client: crate::rate::Client) -> bool {
        self.api[client as usize].is_some()
    }

    /// The scheduler decided: it assumes the pod on the node (Reserve) and binds it through
    /// its API client (`send_bind`).
    pub fn schedule_bind(&mut self, pod: PodId, node: NodeId) {
        self.reserve(pod, node);
        self.send_bind(pod);
    }

    /// The scheduler's binding cycle issues a reserved pod's Binding (DefaultBinder, from a
    /// goroutine: the scheduling cycle goes on). It passes the scheduler's client-go token
    /// bucket: the pod is bound and starts when the Binding is sent, in this instant if a
    /// token is left (kube-scheduler `pkg/scheduler/schedule_one.go` `bindingCycle`,
    /// `framework/plugins/defaultbinder`; volcano `pkg/scheduler/cache` `Bind`).
    pub fn send_bind(&mut self, pod: PodId) {
        let now = self.now();
        let client = if self.sched.policy.placer == crate::policy::Placer::Volcano {
            crate::rate::Client::VolcanoScheduler
        } else {
            crate::rate::Client::KubeScheduler
        };
        let sent = self.api_send(client);
        // The kubelet sees the binding one watch delay after it is sent.
        let due = sent.plus_ms(self.cfg.lat.watch_ms);
        if due == now {
            self.start_bound(pod);
            return;
        }
        let p = &mut self.store.pods[pod as usize];
        p.waiting = false;
        p.binding = true;
        let epoch = p.epoch;
        self.engine.schedule(due, class::API, Ev::BindSent { pod, epoch });
    }

    /// A Binding issued earlier is sent: the pod starts, unless it was deleted meanwhile (the
    /// bind fails; its reservation went with the deletion). On a node that went down
    /// meanwhile the bind is undone and the pod waits for a node again.
    pub(crate) fn bind_sent(&mut self, pod: PodId, epoch: u32) {
        let Some(p) = self.store.pods.get(pod) else { return };
        if !p.binding || p.epoch != epoch || p.finished.is_some() || p.deletion.is_some() {
            return;
        }
        let node = p.node.expect("a pod being bound is reserved");
        self.store.pods[pod as usize].binding = false;
        if self.node_is_down(node) {
            self.store.pods[pod as usize].waiting = true;
            self.unreserve(pod);
            self.policy_pod_pending(pod);
            return;
        }
        self.start_bound(pod);
    }

    /// A reserved pod is bound (Permit allowed it) and its container starts.
    pub fn start_bound(&mut self, pod: PodId) {
        let prio = self.store.classes[self.store.pods[pod as usize].class as usize].priority;
        *self.store.bound_priorities.entry(prio).or_default() += 1;
        let p = &mut self.store.pods[pod as usize];
        p.waiting = false;
        let node = p.node.expect("reserved");
        self.pod_node_event(pod, "PodBound", node);
        self.container_start(pod);
    }

    /// Assume a pod on a node (Reserve): its resources are held from now on.
    pub fn reserve(&mut self, pod: PodId, node: NodeId) {
        let now = self.now();
        let req = self.store.classes[self.store.pods[pod as usize].class as usize].req;
        self.rec.gpu.advance(now);
        self.store.cluster.charge(node, pod, &req);
        self.tenant_holds(pod, &req, 1);
        self.rec.gpu.res.held.level.add(&req);
        let p = &mut self.store.pods[pod as usize];
        p.node = Some(node);
        p.nominated = None;
        p.waiting = true;
        if let Some(g) = p.gang {
            self.gang_member_holds(g, pod);
        }
    }

    /// Undo a reservation (a Permit rejection): the pod goes back to waiting for a node.
    pub fn unreserve(&mut self, pod: PodId) {
        let now = self.now();
        let req = self.store.classes[self.store.pods[pod as usize].class as usize].req;
        let p = &mut self.store.pods[pod as usize];
        debug_assert!(p.waiting, "unreserve of a pod that is not waiting");
        let node = p.node.take().expect("reserved");
        p.waiting = false;
        let gang = p.gang;
        self.rec.gpu.advance(now);
        self.rec.gpu.res.held.level.sub(&req);
        self.store.cluster.release(node, pod, &req);
        self.tenant_holds(pod, &req, -1);
        if let Some(g) = gang {
            self.gang_member_releases(g, pod, false);
        }
        self.deadlock_on_release();
    }

    /// Ask a pod to stop (a DELETE). Unbound pods go at once; bound ones get SIGTERM and stop
    /// after `terminate-after` capped by the grace period (POD-R4).
    pub fn delete_pod(&mut self, pod: PodId, reason: &'static str, disruption: Option<&'static str>) {
        let now = self.now();
        let p = &mut self.store.pods[pod as usize];
        if p.finished.is_some() || p.deletion.is_some() {
            return;
        }
        p.deletion = Some(now);
        if disruption.is_some() {
            p.disruption = disruption;
        }
        let obj = self.pod_object(pod);
        self.event(|| obj, "PodDeleted", || reason.to_string());
        let p = &self.store.pods[pod as usize];
        if p.node.is_none() {
            self.policy_pod_dequeued(pod);
            self.pod_terminal(pod, Phase::Failed, 0, reason);
            return;
        }
        let proto = &self.store.protos[self.store.workloads[p.wl as usize].proto as usize];
        let stop_ms = if p.phase == Phase::Running {
            proto.tasks[p.task as usize].terminate_after_ms
        } else {
            0
        };
        if self.store.pods[pod as usize].node.is_some_and(|n| self.node_is_down(n)) {
            // No kubelet to stop it: Terminating until the node returns (NODE-4).
            self.store.pods[pod as usize].epoch += 1;
            let wl = self.store.pods[pod as usize].wl;
            self.job_pod_event(wl);
            self.serving_pod_event(wl);
            self.lws_pod_event(wl);
            self.kubeflow_pod_changed(wl);
            self.mpi_changed(wl);
            self.ray_pod_changed(wl);
            return;
        }
        let p = &mut self.store.pods[pod as usize];
        p.epoch += 1;
        let epoch = p.epoch;
        // A run that would end by itself before the stop keeps its exit event.
        let natural_end = match (p.work_started, p.run_ms) {
            (Some(s), Some(d)) if p.working => Some(s.plus_ms(d)),
            _ => None,
        };
        let stop_at = now.plus_ms(stop_ms);
        match natural_end {
            Some(end) if end <= stop_at => {
                self.engine
                    .schedule(end.max(now), class::KUBELET, Ev::ContainerExit { pod, epoch });
            }
            _ => self
                .engine
                .schedule(stop_at, class::KUBELET, Ev::PodTerminated { pod, epoch }),
        }
        let wl = self.store.pods[pod as usize].wl;
        self.job_pod_event(wl);
        self.serving_pod_event(wl);
        self.lws_pod_event(wl);
        self.kubeflow_pod_changed(wl);
        self.mpi_changed(wl);
        self.ray_pod_changed(wl);
    }

    /// A pod reaches a terminal phase: its resources are released at once (SCH-C4). The change
    /// fans out in this order (ARCHITECTURE.md, "Fan-out of a change"): the pod, its work, its
    /// gang, its node, quota, the recorder, the policy, deadlock detection, then the controller
    /// that owns the workload.
    pub fn pod_terminal(&mut self, pod: PodId, phase: Phase, code: i32, reason: &str) {
        let now = self.now();
        if self.store.pods[pod as usize].finished.is_some() {
            panic!("pod {} terminal twice", self.store.pod_name(pod));
        }
        let p = &mut self.store.pods[pod as usize];
        let was_running = p.phase == Phase::Running;
        let container_up = p.container_up;
        p.phase = phase;
        p.finished = Some(now);
        p.exit_code = code;
        p.epoch += 1;
        p.container_up = false;
        let wl = p.wl;
        let node = p.node;
        let gang = p.gang;
        if phase == Phase::Failed {
            self.lose_work(pod);
        }
        self.end_work(pod);
        self.rec.gpu.advance(now);
        if was_running {
            self.store.workloads[wl as usize].running -= 1;
        }
        if phase == Phase::Succeeded {
            self.store.workloads[wl as usize].succeeded_pods += 1;
        }
        if let Some(g) = gang {
            if container_up {
                self.gang_member_stopped_running(g);
            }
            if node.is_some() {
                self.gang_member_releases(g, pod, phase == Phase::Succeeded);
            }
            self.gang_member_gone(g, pod);
        }
        if let Some(n) = node {
            self.release_node(pod, n);
        }
        if phase == Phase::Failed {
            self.store.workloads[wl as usize].failed_pods += 1;
        }
        if self.ctl.admission.is_some() {
            self.quota_pod_terminal(pod);
        }
        if node.is_some() || self.rec.record_events {
            let obj = self.pod_object(pod);
            let (ev, detail) = match phase {
                Phase::Succeeded => ("PodSucceeded", String::new()),
                _ if !reason.is_empty() && reason != "Terminated" => ("PodFailed", reason.to_string()),
                _ => ("PodFailed", format!("exit code {code}")),
            };
            self.event(|| obj, ev, || detail);
        }
        let readiness = i32::from(phase == Phase::Succeeded) - i32::from(container_up);
        if readiness != 0 {
            self.policy_job_pod_readiness(wl, readiness);
        }
        if node.is_some() {
            self.policy_resources_released();
            self.deadlock_on_release();
        }
        self.owner_pod_terminal(wl, pod, phase);
    }

    /// A terminal pod frees its node: bound priorities (unless it still waited at Permit), GPU
    /// held, the node's usage and its queue's allocation.
    fn release_node(&mut self, pod: PodId, n: NodeId) {
        let class = &self.store.classes[self.store.pods[pod as usize].class as usize];
        let (req, prio) = (class.req, class.priority);
        if !std::mem::take(&mut self.store.pods[pod as usize].waiting) {
            let count = self
                .store
                .bound_priorities
                .get_mut(&prio)
                .expect("bound priority counted");
            *count -= 1;
            if *count == 0 {
                self.store.bound_priorities.remove(&prio);
            }
        }
        self.rec.gpu.res.held.level.sub(&req);
        self.store.cluster.release(n, pod, &req);
        self.tenant_holds(pod, &req, -1);
    }

    /// A pod's queue and namespace hold `req` more (`sign` 1) or less (-1) from now: the
    /// queue's allocation, its GPUs over time, and both tenants' resource-time.
    fn tenant_holds(&mut self, pod: PodId, req: &cluster::Res, sign: i64) {
        let wl = self.store.pods[pod as usize].wl;
        let q = self.store.protos[self.store.workloads[wl as usize].proto as usize].queue as usize;
        if sign > 0 {
            self.store.queue_alloc[q].add(req);
        } else {
            self.store.queue_alloc[q].sub(req);
        }
        self.workload_holds(wl, req, sign);
    }

    /// A workload's queue and namespace hold `req` more (`sign` 1) or less (-1) from now, as
    /// recorded (for its pods, or for a bare Kueue Workload while it runs).
    pub(crate) fn workload_holds(&mut self, wl: WlId, req: &cluster::Res, sign: i64) {
        let now = self.now();
        let proto = &self.store.protos[self.store.workloads[wl as usize].proto as usize];
        let (q, ns) = (proto.queue as usize, proto.namespace as usize);
        self.rec.queue_time.change(q, now, sign * req.gpu_milli());
        self.rec.queue_res.change(q, now, req, sign);
        self.rec.namespace_res.change(ns, now, req, sign);
    }

    /// The controller that owns the workload hears of its pod's end last: the Volcano job
    /// controller, or the Job controller (then Kueue's admission, which releases quota once a
    /// Job's pods are gone), or a ReplicaSet's, Deployment's or StatefulSet's controller, the
    /// Kubeflow controller, the KubeRay operator, or a bare pod's own end.
    fn owner_pod_terminal(&mut self, wl: WlId, pod: PodId, phase: Phase) {
        if self.store.workloads[wl as usize].vc.is_some() {
            self.vc_pod_finished(wl, pod);
        } else if self.ctl.kubeflow.owns(wl) {
            self.kubeflow_reconcile(wl);
            self.policy_job_pod_gone(wl);
        } else if self.ctl.mpi.owns(wl) {
            self.mpi_reconcile(wl);
            self.policy_job_pod_gone(wl);
        } else if self.ctl.ray.owns(wl) {
            self.ray_reconcile(wl);
            self.policy_job_pod_gone(wl);
        } else if self.store.workloads[wl as usize].job.is_some() {
            self.job_pod_event(wl);
            self.policy_job_pod_gone(wl);
            self.jobset_child_pod_gone(wl);
        } else if self.ctl.servings.is_serving(wl) {
            self.serving_pod_event(wl);
        } else if self.ctl.lws.owns(wl) {
            self.lws_pod_event(wl);
        } else {
            self.bare_pod_finished(wl, phase);
        }
    }

    /// Workload `wl` ends now in `state` (jobs.csv), with `reason`.
    pub(crate) fn end_workload(&mut self, wl: WlId, state: WlState, reason: &str) {
        let now = self.now();
        let w = &mut self.store.workloads[wl as usize];
        w.finish = Some(now);
        w.state = state;
        w.reason = reason.to_string();
    }

    /// Workload `wl`'s object is deleted: false if it already was. One deleted before it ended
    /// ends Failed with `reason`.
    pub(crate) fn mark_deleted(&mut self, wl: WlId, reason: &str) -> bool {
        let w = &mut self.store.workloads[wl as usize];
        if std::mem::replace(&mut w.deleted, true) {
            return false;
        }
        if w.finish.is_none() {
            self.end_workload(wl, WlState::Failed, reason);
        }
        true
    }

    pub(crate) fn bare_pod_finished(&mut self, wl: WlId, phase: Phase) {
        let now = self.now();
        let w = &mut self.store.workloads[wl as usize];
        w.finish = Some(now);
        w.state = if phase == Phase::Succeeded {
            WlState::Complete
        } else {
            WlState::Failed
        };
        if w.state == WlState::Failed && w.reason.is_empty() {
            w.reason = "Error".into();
        }
    }
}
