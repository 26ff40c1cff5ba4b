//! The end of a run: jobs still running or pending are closed at the end time (censored), the
//! per-run tables are built (jobs, queues, CronJobs, summary inputs) and the recorder's series
//! closed; and the runaway diagnosis when the event bound stops a run.

use crate::controllers::{replay, volcano_job as volcano};
use crate::observe::record;

use crate::engine::SimTime;
use crate::error::InputError;
use crate::input::spec::{RestartPolicy, WorkloadKind};
use crate::sim::{Phase, Pod, WlId, Workload, World};
use record::{JobRow, RunResult, WlState};

impl World {
    /// Per-queue results: queues that workloads use (in order of first use), their weight (a
    /// Queue object's, else 1) and share of the weights, and the GPUs they held.
    pub(crate) fn queue_rows(&mut self, end: SimTime) -> Vec<record::QueueRow> {
        self.rec.queue_time.finish(end);
        self.rec.queue_deserved.finish(end);
        self.rec.queue_res.finish(end);
        let cpu = (0..self.store.resources.len()).find(|&i| self.store.resources.name(i) == "cpu");
        let memory = (0..self.store.resources.len()).find(|&i| self.store.resources.name(i) == "memory");
        let weight = |name: &str| {
            self.store
                .queue_specs
                .iter()
                .find(|q| q.name == name)
                .map_or(1, |q| q.weight.max(1))
        };
        let mut used = vec![false; self.store.queue_names.len()];
        for w in self.store.workloads.values() {
            used[self.store.protos[w.proto as usize].queue as usize] = true;
        }
        let total_weight: u64 = (0..self.store.queue_names.len())
            .filter(|&q| used[q])
            .map(|q| u64::from(weight(&self.store.queue_names[q])))
            .sum();
        (0..self.store.queue_names.len())
            .filter(|&q| used[q])
            .map(|q| {
                let w = weight(&self.store.queue_names[q]);
                record::QueueRow {
                    name: self.store.queue_names[q].clone(),
                    weight: w,
                    weight_share: f64::from(w) / total_weight.max(1) as f64,
                    gpu_milli_ms: self.rec.queue_time.integral.get(q).copied().unwrap_or(0),
                    series: self.rec.queue_time.series.get(q).cloned().unwrap_or_default(),
                    preempted: self.rec.queue_evictions[q][0],
                    reclaimed: self.rec.queue_evictions[q][1],
                    lost_gpu_milli_ms: self.rec.queue_lost[q],
                    cpu_milli_ms: cpu.map_or(0, |c| self.rec.queue_res.integral(q)[c]),
                    memory_byte_ms: memory.map_or(0, |m| self.rec.queue_res.integral(q)[m]),
                    // The time-mean from the first session that computed shares (nothing was
                    // deserved or not before it).
                    deserved_gpu_milli: (!self.rec.queue_deserved.is_empty()).then(|| {
                        let from = self.rec.queue_deserved.first_set.unwrap_or(SimTime::ZERO);
                        self.rec.queue_deserved.integral.get(q).copied().unwrap_or(0) as f64
                            / end.since(from).max(1) as f64
                    }),
                }
            })
            .collect()
    }

    /// The tenants Jain's fairness index compares: the queues in use when two or more are, each
    /// entitled to its share of the ClusterQueues' nominal GPU quotas under Kueue (when those
    /// add up to more than 0) or else of the queues' weights; otherwise the namespaces of the
    /// workloads, entitled to equal shares. Call after `queue_rows` (which accounts the queues
    /// up to the end).
    fn tenant_rows(&mut self, end: SimTime, queues: &[record::QueueRow]) -> Vec<record::TenantRow> {
        self.rec.queue_res.finish(end);
        self.rec.namespace_res.finish(end);
        if queues.len() >= 2 {
            let nominal: Vec<(String, i64)> = self.policy_deserved_queues();
            let nominal_of = |name: &str| nominal.iter().find(|(n, _)| n == name).map_or(0, |(_, g)| *g);
            let total: i64 = queues.iter().map(|q| nominal_of(&q.name)).sum();
            return queues
                .iter()
                .map(|q| record::TenantRow {
                    name: q.name.clone(),
                    entitlement: if total > 0 {
                        nominal_of(&q.name) as f64 / total as f64
                    } else {
                        q.weight_share
                    },
                    held: self.rec.queue_res.integral(self.store.queue_index[&q.name] as usize),
                })
                .collect();
        }
        let mut used = vec![false; self.store.namespace_names.len()];
        for w in self.store.workloads.values() {
            used[self.store.protos[w.proto as usize].namespace as usize] = true;
        }
        let n = used.iter().filter(|&&u| u).count().max(1) as f64;
        (0..used.len())
            .filter(|&i| used[i])
            .map(|i| record::TenantRow {
                name: self.store.namespace_names[i].clone(),
                entitlement: 1.0 / n,
                held: self.rec.namespace_res.integral(i),
            })
            .collect()
    }

    /// Why a run reached the event bound, and the fix: the workload that made the most pods or
    /// restarts, if one stands out (a pod restarting forever, a Job replacing failed pods), else
    /// the scenario's size.
    pub(crate) fn runaway(&self) -> (String, String) {
        let busiest = self
            .store
            .workloads
            .iter()
            .max_by_key(|(i, w)| (u64::from(w.restarts) + u64::from(w.pods_created), std::cmp::Reverse(*i)));
        let horizon_fix = if self.cfg.horizon.is_none() {
            "give the Simulation a spec.horizon (e.g. horizon: 7d) so the run stops there, "
        } else {
            ""
        };
        if let Some((_, w)) = busiest {
            let proto = &self.store.protos[w.proto as usize];
            let obj = format!("{}/{}", proto.spec.namespace, w.name);
            let churn = u64::from(w.restarts) + u64::from(w.pods_created);
            // One workload churned for a good share of the events (each restart or pod is several): it is the cause.
            if churn.saturating_mul(100) >= self.engine.processed() {
                let policy = proto.tasks.first().map(|t| t.restart_policy);
                if w.restarts >= w.pods_created {
                    let why = match policy {
                        Some(RestartPolicy::Always) => {
                            "restartPolicy Always (the default for a bare Pod) restarts a container that exits, forever"
                        }
                        _ => "restartPolicy OnFailure restarts a failing container until it succeeds",
                    };
                    return (
                        format!("{obj} restarted its containers {} times: {why}", w.restarts),
                        format!(
                            "{horizon_fix}or give the pod restartPolicy: Never (or OnFailure for a run that ends), \
                             or raise Simulation spec.maxEvents"
                        ),
                    );
                }
                return (
                    format!(
                        "{obj} created {} pods: its pods keep failing and are replaced",
                        w.pods_created
                    ),
                    format!(
                        "{horizon_fix}or lower its backoffLimit or kubesim.io/failures, or raise Simulation spec.maxEvents"
                    ),
                );
            }
        }
        (
            format!(
                "no workload restarts or replaces pods unusually often; the scenario is larger than the bound \
                 ({} workloads and {} pods so far)",
                self.store.workloads.len(),
                self.store.pods.len()
            ),
            "raise Simulation spec.maxEvents, set a shorter spec.horizon, or make the scenario smaller".to_string(),
        )
    }

    pub(crate) fn finish(mut self, end: SimTime) -> Result<RunResult, InputError> {
        let (events, events_file) = std::mem::replace(&mut self.rec.events, record::EventLog::Off)
            .finish()
            .map_err(|e| {
                InputError::new(
                    "--out",
                    format!("cannot write the events spool file: {e}"),
                    "choose a --out folder with free space",
                )
            })?;
        // What the rows need of the pods, so the pods can be freed before the rows are built: a
        // million-job run never holds both.
        let mut pod_flags = self.pending_flags();
        self.fold_jobset_children(&mut pod_flags);
        drop(std::mem::take(&mut self.store.pods));
        let fidelity = self.trace_fidelity();
        let cron = self.cron_rows();
        let queues = self.queue_rows(end);
        let tenants = self.tenant_rows(end, &queues);
        // The rows consume the workloads, each freed (its controller state, pod list) as its
        // row is made, so a million-job run never holds every workload's state and every row.
        let workloads = std::mem::take(&mut self.store.workloads);
        let mut jobs = Vec::with_capacity(workloads.len());
        for ((id, w), &flags) in workloads.into_iter_ids().zip(&pod_flags) {
            // A JobSet's Jobs (an MPIJob's launcher Job) are in its row.
            if self.ctl.parent_of(id).is_none() {
                jobs.push(self.job_row(w, flags));
            }
        }
        let resources = (0..self.store.resources.len())
            .map(|i| self.store.resources.name(i).to_string())
            .collect();
        Ok(RunResult {
            resources,
            tenants,
            queues,
            node_failures: self.ctl.faults.failures,
            throttled: self.rec.throttled,
            cron,
            fidelity,
            policy: self.cfg.policy_name.clone(),
            seed: self.cfg.seed,
            jobs,
            events,
            events_file,
            gpu: self.rec.gpu.clone(),
            end,
            events_processed: self.engine.processed(),
            preemptions: self.rec.preemptions,
            deadlock_episodes: self.rec.deadlock.episodes,
            deadlock_ms: self.rec.deadlock.total_ms,
            stranded_gpu_milli_ms: self.rec.gpu.stranded_integral,
            gang_submissions: self.store.gangs.len() as u64,
        })
    }

    /// A JobSet's row counts its Jobs' failed pods (the Job controller's count), container
    /// restarts and evictions, of every attempt, and says what its unfinished Jobs' pods say.
    fn fold_jobset_children(&mut self, flags: &mut [EndFlags]) {
        if !self.ctl.jobsets.has_jobsets() && !self.ctl.mpi.has_jobs() {
            return;
        }
        // Workloads are never released before the end: a workload's flags are at its id.
        debug_assert_eq!(self.store.workloads.live(), self.store.workloads.len());
        let children: Vec<(WlId, WlId)> = self
            .store
            .workloads
            .iter()
            .map(|(id, _)| id)
            .filter_map(|id| self.ctl.parent_of(id).map(|js| (id, js)))
            .collect();
        for (child, js) in children {
            let c = &self.store.workloads[child as usize];
            let failed = c.job.as_ref().map_or(c.failed_pods, |j| j.failed);
            let (restarts, preemptions) = (c.restarts, c.preemptions);
            let unfinished = c.finish.is_none();
            let p = &mut self.store.workloads[js as usize];
            p.failed_pods += failed;
            p.restarts += restarts;
            p.preemptions += preemptions;
            if unfinished && p.finish.is_none() {
                let f = flags[child as usize];
                let pf = &mut flags[js as usize];
                pf.waiting |= f.waiting;
                pf.unschedulable |= f.unschedulable;
                pf.volcano_pending |= f.volcano_pending;
                pf.only_on_lost_nodes |= f.only_on_lost_nodes;
            }
        }
    }

    /// For each workload not finished, what its pods say at the end (all false when finished).
    fn pending_flags(&self) -> Vec<EndFlags> {
        self.store
            .workloads
            .values()
            .map(|w| {
                if w.finish.is_some() {
                    return EndFlags::default();
                }
                let live_unbound = |p: &Pod| p.finished.is_none() && p.node.is_none();
                let waiting = w.pods.iter().any(|&p| live_unbound(&self.store.pods[p as usize]));
                let unschedulable = w.pods.iter().any(|&p| {
                    let pod = &self.store.pods[p as usize];
                    live_unbound(pod) && self.policy_pending_state(p).0
                });
                let volcano_pending = w.pods.iter().any(|&p| self.policy_pending_state(p).1);
                let running_on = |p: &Pod| {
                    (p.finished.is_none() && p.phase == Phase::Running)
                        .then_some(p.node)
                        .flatten()
                };
                let mut running_nodes = w.pods.iter().filter_map(|&p| running_on(&self.store.pods[p as usize]));
                let only_on_lost_nodes = w.running > 0 && running_nodes.all(|n| self.node_is_down(n));
                EndFlags {
                    waiting,
                    unschedulable,
                    volcano_pending,
                    only_on_lost_nodes,
                }
            })
            .collect()
    }

    /// A workload's jobs.csv row at the end of the run: a workload still running or pending is
    /// reported in the state it is in (censored), with the reason it waits.
    fn job_row(&self, w: Workload, f: EndFlags) -> JobRow {
        let EndFlags {
            waiting,
            unschedulable,
            volcano_pending,
            only_on_lost_nodes,
        } = f;
        let p = &self.store.protos[w.proto as usize];
        let kind = p.spec.kind.api_kind();
        let pods = match &p.spec.kind {
            WorkloadKind::Job(j) => j.parallelism.unwrap_or(1).min(j.completions.unwrap_or(u32::MAX)),
            WorkloadKind::Pod(_) => 1,
            WorkloadKind::Serving(s) => s.peak_replicas(),
            WorkloadKind::Lws(l) => l.peak_pods(),
            WorkloadKind::VolcanoJob(_) | WorkloadKind::KueueWorkload(_) => p.tasks.iter().map(|t| t.replicas).sum(),
            WorkloadKind::JobSet(_) => p.tasks.iter().map(|t| t.replicas).fold(0, u32::saturating_add),
            WorkloadKind::Kubeflow(k) => k.total_replicas(),
            WorkloadKind::MpiJob(m) => m.workers().saturating_add(1),
            WorkloadKind::Ray(r) => r.total_pods(),
        };
        let gpus_milli = match &p.spec.kind {
            WorkloadKind::VolcanoJob(_)
            | WorkloadKind::KueueWorkload(_)
            | WorkloadKind::JobSet(_)
            | WorkloadKind::Kubeflow(_)
            | WorkloadKind::MpiJob(_)
            | WorkloadKind::Ray(_) => p
                .tasks
                .iter()
                .map(|t| t.gpus_per_pod_milli.saturating_mul(i64::from(t.replicas)))
                .fold(0, i64::saturating_add),
            // Saturating: a LimitRange default can raise a pod's request after the load-time
            // check of amount x pods.
            _ => p.tasks[0].gpus_per_pod_milli.saturating_mul(i64::from(pods)),
        };
        let mut state = w.state;
        let mut reason = w.reason;
        let bare = p.spec.is_bare();
        if w.finish.is_none() && matches!(state, WlState::Running | WlState::Pending) && !bare {
            // A pod running: Running. None running: Pending if a pod waits for a node (or the
            // Job never started or is suspended); else it started and its pods have ended
            // without a terminal condition yet (the run ended first): Running. Pods whose node
            // is lost are Running to the API but do nothing: with no other pod running, the
            // workload waits (Pending, NodeLost) for the node or for their eviction.
            let suspended = w.job.as_ref().is_some_and(|j| j.suspended);
            state = if only_on_lost_nodes {
                WlState::Pending
            } else if w.running > 0 || (w.start.is_some() && !waiting && !suspended) {
                WlState::Running
            } else {
                WlState::Pending
            };
            if only_on_lost_nodes && reason.is_empty() {
                reason = "NodeLost".into();
            }
        }
        if state == WlState::Pending && reason.is_empty() {
            if let Some(vc) = w.vc.as_deref()
                && vc.pg_phase == volcano::PgPhase::Pending
            {
                reason = "PodGroupPending".into();
            } else if unschedulable || w.vc.is_some() || volcano_pending {
                reason = "Unschedulable".into();
            } else if w.job.as_ref().is_some_and(|j| j.suspended) {
                reason = "Suspended".into();
            }
        }
        // For a Job, failed pods are the controller's count (status.failed): pods it deleted
        // for suspension or scale-down are not failures.
        let failed_pods = w.job.as_ref().map_or(w.failed_pods, |j| j.failed);
        JobRow {
            namespace: p.spec.namespace.clone(),
            name: w.name,
            kind,
            owner: w
                .owner
                .map(|cj| self.ctl.cron[cj as usize].spec.name.clone())
                .unwrap_or_default(),
            // The queue the run accounted it to (a ClusterQueue under kueue); empty when
            // it named none.
            queue: match self.store.queue_names[p.queue as usize].as_str() {
                "default" => {
                    w.vc.as_ref()
                        .map(|v| v.queue.clone())
                        .or_else(|| p.spec.annotations.get(replay::QUEUE_ANNOTATION).cloned())
                        .unwrap_or_default()
                }
                name => name.to_string(),
            },
            // Under kueue, the Workload's priority; a bare Workload's own.
            priority: self.policy_workload_priority(&p.spec, p.priority),
            gpus_milli,
            pods,
            submit: w.submit,
            start: w.start,
            finish: w.finish,
            state,
            reason,
            restarts: w.restarts,
            failed_pods,
            preemptions: w.preemptions,
            gang: w.gang.is_some() || (0..p.tasks.len()).any(|t| p.template(t).pod_group.is_some()),
        }
    }
}

/// What a workload's pods say at the end of a run, for its jobs.csv state and reason.
#[derive(Clone, Copy, Debug, Default)]
struct EndFlags {
    /// A live pod waits unbound.
    waiting: bool,
    /// A live unbound pod has failed a kube-scheduler attempt.
    unschedulable: bool,
    /// A Volcano session holds one of its pods pending.
    volcano_pending: bool,
    /// Pods are Running, all on nodes that are down.
    only_on_lost_nodes: bool,
}
