//! Building a run: the World from a scenario (nodes, priority classes, queues, PodGroups, quota
//! objects, workloads and arrival streams), and the interning of what pods share: workload
//! prototypes (a template's tasks as admitted) and scheduling equivalence classes.

use crate::controllers::{node_lifecycle as faults, quota, replay};
use crate::model::{cluster, pods};
use crate::observe::record;
use crate::policy::Policy;
use crate::policy::{kube as scheduler, kueue, volcano as volcano_sched};

use std::collections::BTreeMap;

use crate::engine::{Engine, SimTime};
use crate::error::{InputError, quote};
use crate::input::spec::{
    ArrivalPattern, FailureDist, PodTemplate, PreemptionPolicy, Scenario, WorkloadKind, WorkloadSpec,
};
use crate::sim::{
    Class, ClassId, Controllers, Ev, Proto, ProtoId, QueueInfo, RunConfig, Scheduling, Store, TaskProto, World, class,
};
use cluster::{Cluster, Constraints, NodeId, Res, ResourceNames};
use record::EventSink;
use scheduler::Scheduler;

impl RunConfig {
    fn new(sc: &Scenario, policy: Policy, seed: u64, horizon: Option<SimTime>) -> Result<RunConfig, InputError> {
        Ok(RunConfig {
            lat: sc.sim.latencies.clone(),
            seed,
            policy_name: policy.name().to_string(),
            check_invariants: cfg!(debug_assertions),
            horizon,
            sim_loc: sc.sim.loc.clone(),
            max_events_line: sc.sim.max_events_line,
            default_durations: sc.sim.default_durations.clone(),
            start_time: crate::input::cron::parse_start_time(&sc.sim.start_time).map_err(|m| {
                InputError::new(
                    "spec.startTime",
                    format!("invalid startTime {}: {m}", quote(&sc.sim.start_time)),
                    "write an RFC 3339 time such as 2026-01-05T00:00:00Z",
                )
                .at(&sc.sim.loc.file, sc.sim.loc.line, None)
            })?,
        })
    }
}

impl Store {
    /// The model before any node or workload: priority classes, PodDisruptionBudgets, PodGroups.
    fn new(sc: &Scenario) -> Store {
        let mut priority_classes = BTreeMap::new();
        let mut global_default = None;
        for pc in &sc.priority_classes {
            priority_classes.insert(pc.name.clone(), (pc.value, pc.preemption_policy));
            if pc.global_default {
                global_default = Some((pc.value, pc.preemption_policy));
            }
        }
        Store {
            cluster: Cluster::default(),
            resources: ResourceNames::default(),
            classes: Vec::new(),
            class_index: BTreeMap::new(),
            protos: Vec::new(),
            pods: pods::PodStore::default(),
            workloads: Default::default(),
            bound_priorities: BTreeMap::new(),
            node_by_name: BTreeMap::new(),
            priority_classes,
            global_default,
            pdbs: sc.pdbs.clone(),
            queue_names: Vec::new(),
            queue_index: BTreeMap::new(),
            queue_alloc: Vec::new(),
            queue_specs: Vec::new(),
            namespace_names: Vec::new(),
            namespace_index: BTreeMap::new(),
            gangs: Vec::new(),
            partial_gangs: std::collections::BTreeSet::new(),
            pod_groups: sc
                .pod_groups
                .iter()
                .map(|pg| {
                    (
                        (pg.namespace.clone(), pg.name.clone()),
                        (pg.min_member, pg.schedule_timeout_s, None),
                    )
                })
                // scheduling.k8s.io PodGroups with a gang policy (a basic one is no gang).
                .chain(
                    sc.gang_pod_groups
                        .iter()
                        .filter_map(|pg| Some(((pg.namespace.clone(), pg.name.clone()), (pg.min_count?, None, None)))),
                )
                .collect(),
        }
    }
}

impl Controllers {
    fn new(sc: &Scenario) -> Controllers {
        Controllers {
            kubeflow: Default::default(),
            mpi: Default::default(),
            ray: Default::default(),
            streams: Vec::new(),
            cron: Vec::new(),
            faults: faults::Faults::default(),
            admission: quota::Admission::new(sc),
            creations: crate::controllers::job::Creations::default(),
            vc_live: std::collections::BTreeSet::new(),
            jobsets: crate::controllers::jobset::JobSets::default(),
            servings: crate::controllers::serving::Servings::default(),
            lws: crate::controllers::lws::Lwss::default(),
        }
    }
}

impl World {
    /// A run of `sc` under `policy` with `seed`: the parts built empty, then filled in the order
    /// that fixes every id and random stream (nodes, workloads, arrivals, traces, CronJobs,
    /// faults, queues).
    pub fn new(sc: &Scenario, policy: Policy, seed: u64, events: &EventSink) -> Result<World, InputError> {
        let mut resources = ResourceNames::default();
        let cluster = Cluster::new(&sc.nodes, &mut resources)?;
        let horizon = sc.sim.horizon_ms.map(SimTime);
        let mut w = World {
            engine: Engine::new(sc.sim.max_events, horizon),
            cfg: RunConfig::new(sc, policy, seed, horizon)?,
            store: Store::new(sc),
            ctl: Controllers::new(sc),
            sched: Scheduling {
                policy,
                kube: Scheduler::new(policy.scoring, sc.nodes.len())
                    .with_throughput(sc.sim.kube_scheduler_throughput_milli),
                volcano: volcano_sched::VolcanoSched::default(),
                kueue: policy.kueue.then(|| Box::new(kueue::KueueState::new(sc))),
                backfill: Default::default(),
            },
            rec: record::Recorder::new(events, policy.name(), seed).map_err(|e| {
                InputError::new(
                    "--out",
                    format!("cannot write the events spool file: {e}"),
                    "choose a writable --out folder with free space",
                )
            })?,
            api: crate::rate::Client::ALL.map(|c| sc.sim.client_limits.of(c).map(crate::rate::TokenBucket::new)),
            follow: None,
        };
        for (i, n) in cluster.nodes.iter().enumerate() {
            w.store.node_by_name.insert(n.name.clone(), i as NodeId);
        }
        for (i, n) in sc.nodes.iter().enumerate() {
            w.engine
                .schedule(SimTime(n.add_at_ms), class::NODE, Ev::NodeJoin(i as NodeId));
        }
        w.add_workloads(sc, &mut resources)?;
        w.add_queues(sc, &mut resources)?;
        // A ClusterQueue deserves its nominal GPU quota (queues.csv `deserved_gpus`).
        for (name, gpu) in w.policy_deserved_queues() {
            let q = w.queue_id(&name) as usize;
            w.rec.queue_deserved.set(q, SimTime::ZERO, gpu);
        }
        w.store.cluster = cluster;
        w.store.resources = resources;
        if w.store.cluster.nodes.len() + sc.workloads.len() > 10_000 {
            w.cfg.check_invariants = false;
        }
        Ok(w)
    }

    /// Plain workloads (each a stream of one arrival), Arrivals, Traces, CronJobs and faults, in
    /// this order.
    fn add_workloads(&mut self, sc: &Scenario, resources: &mut ResourceNames) -> Result<(), InputError> {
        // Workloads: each is a stream of one arrival; Arrivals objects are streams of many.
        for spec in &sc.workloads {
            let proto = self.add_proto(spec.clone(), resources, None, None)?;
            self.add_stream(
                spec.name.clone(),
                Some(proto),
                None,
                1,
                SimTime(spec.submit_at_ms),
                ArrivalPattern::At {
                    times_ms: vec![spec.submit_at_ms],
                },
                None,
            );
        }
        for a in &sc.arrivals {
            self.add_arrivals(a, resources)?;
        }
        for t in &sc.traces {
            self.add_trace(t, resources)?;
        }
        for cj in &sc.cron_jobs {
            self.add_cron_job(cj, resources)?;
        }
        self.add_faults(sc)?;
        Ok(())
    }

    /// Volcano queues as the scheduler uses them.
    fn add_queues(&mut self, sc: &Scenario, resources: &mut ResourceNames) -> Result<(), InputError> {
        for q in &sc.queues {
            let guarantee = resources.convert(&q.guarantee)?;
            let capability = resources.convert(&q.capability)?;
            let mut capability_set = [false; cluster::MAX_RESOURCES];
            for name in q.capability.keys() {
                capability_set[resources.intern(name)?] = true;
            }
            self.store.queue_specs.push(QueueInfo {
                name: q.name.clone(),
                weight: q.weight,
                guarantee,
                capability,
                capability_set,
                reclaimable: q.reclaimable,
                open: q.state == crate::input::spec::QueueState::Open,
                priority: q.priority,
            });
        }
        Ok(())
    }

    /// The index of a queue, interned on first use.
    pub(crate) fn queue_id(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.store.queue_index.get(name) {
            return i;
        }
        let i = self.store.queue_names.len() as u32;
        self.store.queue_names.push(name.to_string());
        self.store.queue_index.insert(name.to_string(), i);
        self.store.queue_alloc.push(Res::default());
        self.rec.queue_evictions.push([0; 2]);
        self.rec.queue_lost.push(0);
        i
    }

    /// The index of a namespace, interned on first use.
    fn namespace_id(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.store.namespace_index.get(name) {
            return i;
        }
        let i = self.store.namespace_names.len() as u32;
        self.store.namespace_names.push(name.to_string());
        self.store.namespace_index.insert(name.to_string(), i);
        i
    }

    /// Resolve a workload's priorities, classes and run hints once for all its pods and copies.
    pub(crate) fn add_proto(
        &mut self,
        spec: WorkloadSpec,
        resources: &mut ResourceNames,
        stream: Option<String>,
        failure: Option<FailureDist>,
    ) -> Result<ProtoId, InputError> {
        let shapes: Vec<(String, u32, u32, &PodTemplate)> = match &spec.kind {
            WorkloadKind::Job(j) => vec![(String::new(), 1, 1, &j.template)],
            WorkloadKind::Pod(t) => vec![(String::new(), 1, 1, t)],
            WorkloadKind::Serving(s) => vec![(String::new(), s.peak_replicas(), 1, &s.template)],
            // Task 0 the leaders, task 1 the workers.
            WorkloadKind::Lws(l) => vec![
                ("leader".to_string(), l.peak_replicas(), 1, &l.leader),
                (
                    "worker".to_string(),
                    l.peak_replicas().saturating_mul(l.size - 1),
                    1,
                    &l.worker,
                ),
            ],
            WorkloadKind::VolcanoJob(v) => v
                .tasks
                .iter()
                .map(|t| {
                    (
                        t.name.clone(),
                        t.replicas,
                        t.min_available.unwrap_or(t.replicas),
                        &t.template,
                    )
                })
                .collect(),
            WorkloadKind::KueueWorkload(k) => k
                .pod_sets
                .iter()
                .map(|p| (p.name.clone(), p.count, p.count, &p.template))
                .collect(),
            // What the JobSet runs at once, per replicated Job (its pods are its Jobs').
            WorkloadKind::JobSet(s) => s
                .replicated_jobs
                .iter()
                .map(|r| {
                    let n = r.pods_per_job().saturating_mul(r.replicas);
                    (r.name.clone(), n, n, &r.job.template)
                })
                .collect(),
            // The launcher (its Job's pod) and the workers, `<job>-worker-<index>`.
            WorkloadKind::MpiJob(m) => m
                .replica_specs()
                .map(|r| (r.rtype.to_lowercase(), r.replicas, r.replicas, &r.template))
                .collect(),
            // Pods `<job>-<replica type lowercase>-<index>`.
            WorkloadKind::Kubeflow(k) => k
                .replicas
                .iter()
                .map(|r| (r.rtype.to_lowercase(), r.replicas, r.replicas, &r.template))
                .collect(),
            // The head, each worker group, a RayJob's submitter.
            WorkloadKind::Ray(r) => r
                .groups
                .iter()
                .map(|g| (g.name.clone(), g.pods, g.pods, &g.template))
                .collect(),
        };
        let job_class_name = match &spec.kind {
            WorkloadKind::VolcanoJob(v) => v.priority_class_name.clone(),
            _ => None,
        };
        let mut rejected = None;
        let mut tasks = Vec::new();
        let mut priority0 = None;
        for (name, replicas, min_available, t) in shapes {
            let (task, priority) = self.task_proto(
                &spec,
                job_class_name.as_ref(),
                (name, replicas, min_available, t),
                resources,
                &mut rejected,
            )?;
            priority0.get_or_insert(priority);
            tasks.push(task);
        }
        let queue = self.proto_queue(&spec);
        let namespace = self.namespace_id(&spec.namespace);
        let proto = Proto {
            namespace,
            tasks,
            priority: priority0.unwrap_or(0),
            rejected,
            stream,
            failure,
            default_duration: self
                .cfg
                .default_durations
                .iter()
                .find(|r| r.matches(&spec))
                .map(|r| r.duration.clone()),
            queue,
            spec: std::sync::Arc::new(spec),
        };
        self.store.protos.push(proto);
        let id = self.store.protos.len() as ProtoId - 1;
        self.add_jobset_children(id, resources)?;
        self.add_mpi_launcher(id, resources)?;
        Ok(id)
    }

    /// A JobSet's child Job prototypes, one per replicated Job: the Job template with the
    /// labels the JobSet controller puts on its Jobs (`constructJob`), suspended with the
    /// JobSet, in its namespace and named after it (each Job adds `-<index>`).
    fn add_jobset_children(&mut self, id: ProtoId, resources: &mut ResourceNames) -> Result<(), InputError> {
        let spec = std::sync::Arc::clone(&self.store.protos[id as usize].spec);
        let WorkloadKind::JobSet(js) = &spec.kind else {
            return Ok(());
        };
        let stream = self.store.protos[id as usize].stream.clone();
        let failure = self.store.protos[id as usize].failure.clone();
        let mut children = Vec::with_capacity(js.replicated_jobs.len());
        for r in &js.replicated_jobs {
            let mut job = r.job.clone();
            job.suspend |= js.suspend;
            let mut labels = r.labels.clone();
            labels.insert("jobset.sigs.k8s.io/jobset-name".into(), spec.name.clone());
            labels.insert("jobset.sigs.k8s.io/replicatedjob-name".into(), r.name.clone());
            let child = WorkloadSpec {
                namespace: spec.namespace.clone(),
                name: format!("{}-{}", spec.name, r.name),
                labels,
                annotations: r.annotations.clone(),
                kind: WorkloadKind::Job(job),
                submit_at_ms: 0,
                suspend_at_ms: None,
                resume_at_ms: None,
                loc: spec.loc.clone(),
            };
            children.push(self.add_proto(child, resources, stream.clone(), failure.clone())?);
        }
        self.ctl.jobsets.protos.insert(id, children);
        Ok(())
    }

    /// An MPIJob's launcher Job prototype (`newLauncherJob`): one pod of the Launcher
    /// template with the operator's labels, the runPolicy's backoffLimit,
    /// activeDeadlineSeconds and ttlSecondsAfterFinished, `podReplacementPolicy: Failed`,
    /// suspended with the MPIJob, named `<job>-launcher`.
    fn add_mpi_launcher(&mut self, id: ProtoId, resources: &mut ResourceNames) -> Result<(), InputError> {
        let spec = std::sync::Arc::clone(&self.store.protos[id as usize].spec);
        let WorkloadKind::MpiJob(m) = &spec.kind else {
            return Ok(());
        };
        let mut template = m.launcher.template.clone();
        for (k, v) in [
            ("training.kubeflow.org/operator-name", "mpi-operator"),
            ("training.kubeflow.org/job-name", spec.name.as_str()),
            ("training.kubeflow.org/job-role", "launcher"),
        ] {
            template.labels.insert(k.to_string(), v.to_string());
        }
        let mut job = crate::input::synth::job_spec(template);
        job.backoff_limit = m.run_policy.backoff_limit;
        job.active_deadline_s = m.run_policy.active_deadline_s;
        job.ttl_seconds_after_finished = m.run_policy.ttl_seconds_after_finished;
        job.pod_replacement_policy = Some(crate::input::spec::PodReplacementPolicy::Failed);
        job.suspend = m.run_policy.suspend;
        let child = WorkloadSpec {
            namespace: spec.namespace.clone(),
            name: format!("{}-launcher", spec.name),
            labels: [("app".to_string(), spec.name.clone())].into(),
            annotations: Default::default(),
            kind: WorkloadKind::Job(job),
            submit_at_ms: 0,
            suspend_at_ms: None,
            resume_at_ms: None,
            loc: spec.loc.clone(),
        };
        let stream = self.store.protos[id as usize].stream.clone();
        let failure = self.store.protos[id as usize].failure.clone();
        let launcher = self.add_proto(child, resources, stream, failure)?;
        self.ctl.mpi.protos.insert(id, launcher);
        Ok(())
    }

    /// One task of a workload: its template through LimitRange admission, its requests and
    /// priority (a missing PriorityClass rejects the workload), and its scheduling class.
    fn task_proto(
        &mut self,
        spec: &WorkloadSpec,
        job_class_name: Option<&String>,
        (name, replicas, min_available, t): (String, u32, u32, &PodTemplate),
        resources: &mut ResourceNames,
        rejected: &mut Option<String>,
    ) -> Result<(TaskProto, i32), InputError> {
        // LimitRange admission (its defaults, or the API server's refusal).
        let limited = match self.ctl.admission.as_deref() {
            Some(adm) => match adm.limit(&spec.namespace, &spec.name, t) {
                Ok(l) => l,
                Err(message) => {
                    *rejected = Some(message);
                    None
                }
            },
            None => None,
        };
        let t = limited.as_ref().unwrap_or(t);
        let admitted = self
            .ctl
            .admission
            .as_deref()
            .is_some_and(|a| a.has_quota(&spec.namespace))
            .then(|| std::sync::Arc::new(t.clone()));
        let mut req = resources
            .convert(&t.requests)
            .map_err(|e| e.at(&spec.loc.file, spec.loc.line, None))?;
        req.0[cluster::PODS] += 1000;
        // Priority admission: the class named (a Volcano job's class when its template
        // names none), else the global default, else 0 (SCH-P1).
        let class_name = t.priority_class_name.clone().or_else(|| job_class_name.cloned());
        let (priority, policy) = match &class_name {
            Some(name) => match self.store.priority_classes.get(name) {
                Some(v) => *v,
                None => {
                    *rejected = Some(format!("no PriorityClass with name {name} was found"));
                    (0, PreemptionPolicy::PreemptLowerPriority)
                }
            },
            None => self
                .store
                .global_default
                .unwrap_or((t.priority.unwrap_or(0), PreemptionPolicy::PreemptLowerPriority)),
        };
        let preempt_never = t.preemption_policy.unwrap_or(policy) == PreemptionPolicy::Never;
        let constraints = Constraints {
            node_selector: t.node_selector.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            affinity_terms: t.affinity_terms.clone(),
            tolerations: t.tolerations.clone(),
        };
        let class = self.intern_class(req, priority, preempt_never, constraints, t.node_name.clone());
        let task = TaskProto {
            name,
            class,
            replicas,
            min_available,
            restart_policy: t.restart_policy,
            grace_ms: t.termination_grace_ms,
            terminate_after_ms: t.hints.terminate_after_ms.min(t.termination_grace_ms),
            gpus_per_pod_milli: req.gpu_milli(),
            admitted,
        };
        Ok((task, priority))
    }

    /// The queue a workload is accounted to: under kueue a managed Job's ClusterQueue, a
    /// Volcano job's `spec.queue`, else the queue annotation, else `default`.
    fn proto_queue(&mut self, spec: &WorkloadSpec) -> u32 {
        let cluster_queue = self.policy_workload_queue(spec);
        let queue_name = match &spec.kind {
            _ if cluster_queue.is_some() => cluster_queue,
            WorkloadKind::VolcanoJob(v) => v.queue.clone(),
            _ => spec.annotations.get(replay::QUEUE_ANNOTATION).cloned(),
        }
        .unwrap_or_else(|| "default".to_string());
        self.queue_id(&queue_name)
    }

    pub(crate) fn intern_class(
        &mut self,
        req: Res,
        priority: i32,
        preempt_never: bool,
        constraints: Constraints,
        node_name: Option<String>,
    ) -> ClassId {
        let key = (req, priority, preempt_never, constraints, node_name);
        if let Some(c) = self.store.class_index.get(&key) {
            return *c;
        }
        let id = self.store.classes.len() as ClassId;
        self.store.classes.push(Class {
            req: key.0,
            priority,
            preempt_never,
            constraints: key.3.clone(),
            node_name: key.4.clone(),
        });
        self.store.class_index.insert(key, id);
        self.policy_class_added(id);
        id
    }
}
