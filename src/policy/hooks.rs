//! The policy's extension points as the rest of the World sees them. The model and the
//! controllers call these hooks; each dispatches on the run's [`Placer`] and plugins, so no code
//! outside `policy/` asks which policy runs. A new placer adds its arm here.
//!
//! Order of calls within a change is fixed by the callers (ARCHITECTURE.md, "Fan-out of a
//! change"); a hook only schedules the placer's own events (a cycle, a session), never acts on
//! another part.

use super::Placer;
use crate::input::spec::WorkloadSpec;
use crate::model::gang::GangId;
use crate::sim::{ClassId, PodId, WlId, World};

impl World {
    /// A new pod waits for a node: the placer's queue takes it. Pods that name their node
    /// (`spec.nodeName`) always go through kube-scheduler's queue, which binds them directly.
    pub(crate) fn policy_pod_pending(&mut self, pod: PodId) {
        let class = self.store.pods[pod as usize].class;
        let own = self.store.classes[class as usize].node_name.is_none();
        if self.sched.policy.placer == Placer::Volcano && own {
            self.volcano_add(pod);
        } else if self.sched.policy.placer == Placer::Backfill && own {
            self.backfill_add(pod);
        } else {
            self.sched_add(pod);
        }
    }

    /// An unbound pod was deleted: it leaves whichever queue holds it.
    pub(crate) fn policy_pod_dequeued(&mut self, pod: PodId) {
        if self.sched.volcano.waiting[pod as usize] {
            self.volcano_remove(pod);
        } else if self.sched.backfill.holds(pod) {
            self.backfill_remove(pod);
        } else {
            self.sched_remove(pod);
        }
    }

    /// A gang gained a member (coscheduling's PreFilter or kube-gang's PreEnqueue may now pass
    /// for its waiting pods).
    pub(crate) fn policy_gang_member_added(&mut self, g: GangId) {
        if self.sched.policy.coscheduling || self.sched.policy.workload_cycle {
            self.sched_gang_member_added(g);
        }
        if self.sched.policy.placer == Placer::Backfill {
            self.backfill_kick();
        }
    }

    /// A bound pod released its resources.
    pub(crate) fn policy_resources_released(&mut self) {
        self.sched_on_release();
        self.policy_session_wanted();
    }

    /// Nodes changed in a way that may make room: a node joined or came back, a taint went.
    pub(crate) fn policy_nodes_changed(&mut self) {
        self.sched_on_node_change();
        self.policy_session_wanted();
    }

    /// A taint was added to a node. It never makes room, so volcano-scheduler's next session
    /// is not brought forward; kube-scheduler refreshes its node view.
    pub(crate) fn policy_node_tainted(&mut self) {
        self.sched_on_node_change();
    }

    /// Something a volcano session acts on changed (a PodGroup, a job's pods, a release).
    pub(crate) fn policy_session_wanted(&mut self) {
        match self.sched.policy.placer {
            Placer::Volcano => self.volcano_kick(),
            Placer::Backfill => self.backfill_kick(),
            Placer::Kube => {}
        }
    }

    /// Whether the placer has an enqueue step that moves PodGroups to Inqueue (volcano's
    /// enqueue action); without one a PodGroup is Inqueue at once (VC-G1).
    pub(crate) fn policy_enqueues_pod_groups(&self) -> bool {
        self.sched.policy.placer == Placer::Volcano
    }

    /// The policy's own invariants, checked with the World's (`--check-invariants`).
    pub(crate) fn policy_check(&self) {
        if let Some(k) = self.sched.kueue.as_deref() {
            k.check();
        }
        if self.sched.policy.placer == Placer::Volcano {
            self.volcano_check();
        }
    }

    /// A pod of a Job, a training job or an MPIJob ended (after its controller counted it):
    /// Kueue releases the Workload's quota once the job's pods are gone.
    pub(crate) fn policy_job_pod_gone(&mut self, wl: WlId) {
        if self.sched.kueue.is_some() {
            // Kueue admits a JobSet's Jobs as one Workload, the JobSet's.
            self.kueue_pod_gone(self.ctl.parent_of(wl).unwrap_or(wl));
        }
    }

    /// A pod of a Job, a training job or an MPIJob became ready (running) or succeeded (`delta` 1), or stopped being either
    /// (-1): Kueue's PodsReady follows.
    pub(crate) fn policy_job_pod_readiness(&mut self, wl: WlId, delta: i32) {
        let owned =
            self.store.workloads[wl as usize].job.is_some() || self.ctl.kubeflow.owns(wl) || self.ctl.mpi.owns(wl);
        if self.sched.kueue.is_some() && owned {
            self.kueue_pod_readiness(self.ctl.parent_of(wl).unwrap_or(wl), delta);
        }
    }

    /// A replayed trace job names a queue: under Kueue, one that is a LocalQueue of the job's
    /// namespace becomes its queue label (a label the Trace template sets wins).
    pub(crate) fn policy_adopt_trace_queue(&self, spec: &mut WorkloadSpec, namespace: &str, queue: &str) {
        if let Some(k) = self.sched.kueue.as_deref()
            && !queue.is_empty()
            && k.cluster_queue(namespace, queue).is_some()
        {
            spec.labels
                .entry(super::kueue::QUEUE_LABEL.to_string())
                .or_insert_with(|| queue.to_string());
        }
    }

    /// A replayed trace job `wl` is created with the trace's requested time (a runtime
    /// estimate for the backfill policies).
    pub(crate) fn policy_trace_estimate(&mut self, wl: WlId, requested_ms: Option<u64>) {
        if self.sched.policy.placer == Placer::Backfill {
            self.backfill_trace_estimate(wl, requested_ms);
        }
    }

    /// A scheduling equivalence class was interned.
    pub(crate) fn policy_class_added(&mut self, class: ClassId) {
        self.sched.kube.class_added(class);
    }

    /// A node was added to the cluster (an Arrivals stream of nodes); it joins next.
    pub(crate) fn policy_node_added(&mut self) {
        self.sched.kube.nodes_changed(self.store.cluster.nodes.len());
    }

    /// The priority jobs.csv shows for a workload whose pods have priority `pod_priority`: under
    /// Kueue a managed Job's Workload priority, a bare Workload's `spec.priority`.
    pub(crate) fn policy_workload_priority(&self, spec: &WorkloadSpec, pod_priority: i32) -> i32 {
        match self.sched.kueue.as_deref() {
            Some(k) if k.queue_name(spec).is_some() => k.workload_priority(spec, pod_priority),
            _ => match &spec.kind {
                crate::input::spec::WorkloadKind::KueueWorkload(b) => b.priority.unwrap_or(0),
                _ => pod_priority,
            },
        }
    }

    /// The queue the policy accounts a workload to, if it decides one: under Kueue a managed
    /// Job's ClusterQueue (through its LocalQueue label).
    pub(crate) fn policy_workload_queue(&self, spec: &WorkloadSpec) -> Option<String> {
        let k = self.sched.kueue.as_deref()?;
        let lq = k.queue_name(spec)?;
        let cq = k.cluster_queue(&spec.namespace, &lq)?;
        Some(k.cq_name(cq).to_string())
    }

    /// Queues the policy gives a deserved GPU level from the start (queues.csv
    /// `deserved_gpus`): each ClusterQueue its nominal GPU quota.
    pub(crate) fn policy_deserved_queues(&self) -> Vec<(String, i64)> {
        self.sched.kueue.as_deref().map_or(Vec::new(), |k| {
            (0..k.cq_count())
                .map(|cq| (k.cq_name(cq).to_string(), k.nominal_gpu(cq)))
                .collect()
        })
    }

    /// What the policy knows of a pending pod at the end of a run: whether kube-scheduler has
    /// tried it, and whether a Volcano session holds it pending.
    pub(crate) fn policy_pending_state(&self, pod: PodId) -> (bool, bool) {
        (
            self.sched.kube.pods[pod as usize].attempts > 0,
            self.sched.volcano.waiting[pod as usize],
        )
    }
}
