//! Arrivals: streams of workloads created over time (an Arrivals object's Poisson, uniform or
//! burst pattern with its duration draws, a replayed Trace's jobs in submit order, or a plain
//! workload as a stream of one), each with its own random stream so that runs are reproducible.

use crate::controllers::replay;
use crate::model::cluster;

use rand::RngExt;
use rand_distr::{Distribution, Exp, LogNormal};

use crate::engine::{SimTime, rng_stream, stable_hash};
use crate::error::InputError;
use crate::input::spec::{ArrivalPattern, ArrivalTemplate, ArrivalsSpec, DurationDist};
use crate::sim::{Ev, ProtoId, WlId, World, class};
use cluster::{Cluster, NodeId, ResourceNames};

/// One arrivals stream (an Arrivals object, or one plain workload as a stream of one).
#[derive(Clone, Debug)]
pub(crate) struct Stream {
    proto: Option<ProtoId>,
    node_template: Option<cluster::Node>,
    count: u64,
    next_idx: u64,
    pattern: ArrivalPattern,
    duration: Option<DurationDist>,
    rng: rand::rngs::Xoshiro256PlusPlus,
    duration_rng: rand::rngs::Xoshiro256PlusPlus,
    /// For a Trace: its jobs, the proto of each, and the workload each became.
    trace: Option<Box<TraceStream>>,
}

/// A Trace replayed as a stream: arrival `i` is trace job `i` (sorted by submit time).
#[derive(Clone, Debug)]
pub(crate) struct TraceStream {
    name: String,
    jobs: std::sync::Arc<Vec<crate::input::spec::ReplayJob>>,
    /// The proto of each shape.
    protos: Vec<ProtoId>,
    workloads: Vec<WlId>,
}

impl World {
    pub(crate) fn add_arrivals(&mut self, a: &ArrivalsSpec, resources: &mut ResourceNames) -> Result<(), InputError> {
        let start = SimTime(a.start_ms);
        let first = match &a.pattern {
            ArrivalPattern::At { times_ms } => times_ms.iter().min().map(|t| SimTime(*t)).unwrap_or(start),
            _ => start,
        };
        match &a.template {
            ArrivalTemplate::Workload(spec) => {
                let proto = self.add_proto((**spec).clone(), resources, Some(a.name.clone()), a.failure.clone())?;
                self.add_stream(
                    a.name.clone(),
                    Some(proto),
                    None,
                    a.count,
                    first,
                    a.pattern.clone(),
                    a.duration.clone(),
                );
            }
            ArrivalTemplate::Node(spec) => {
                let tmp = Cluster::new(std::slice::from_ref(&**spec), resources)?;
                let node = tmp.nodes.into_iter().next().expect("one node");
                self.add_stream(
                    a.name.clone(),
                    None,
                    Some(node),
                    a.count,
                    first,
                    a.pattern.clone(),
                    None,
                );
            }
        }
        Ok(())
    }

    /// A Trace: one proto per job shape (namespace, queue, priority class, pods, requests,
    /// gang, exit code), one arrival per job at its submit time.
    pub(crate) fn add_trace(
        &mut self,
        t: &crate::input::spec::TraceSpec,
        resources: &mut ResourceNames,
    ) -> Result<(), InputError> {
        let mut protos = Vec::with_capacity(t.shapes.len());
        for shape in &t.shapes {
            // A priority class the scenario does not define is ignored (traces name classes
            // of their own clusters).
            let pc = if self.store.priority_classes.contains_key(&shape.priority_class) {
                shape.priority_class.as_str()
            } else {
                ""
            };
            let mut spec = replay::job_spec(&t.template, shape, pc);
            self.policy_adopt_trace_queue(&mut spec, &shape.namespace, &shape.queue);
            protos.push(self.add_proto(spec, resources, Some(t.name.clone()), None)?);
        }
        // Room in the page tables for every workload and pod up front (the records themselves
        // are paged, made as they arrive).
        let pods: u64 = t.jobs.iter().map(|j| u64::from(t.shapes[j.shape as usize].pods)).sum();
        self.store.workloads.reserve(t.jobs.len());
        self.store
            .pods
            .reserve(usize::try_from(pods).unwrap_or(0).min(50_000_000));
        // The jobs are sorted by submit time; `arrive` reads the next one's from them.
        let first = SimTime(t.jobs.first().map_or(0, |j| j.submit_ms));
        let count = t.jobs.len() as u64;
        let id = self.ctl.streams.len();
        self.add_stream(
            t.name.clone(),
            protos.first().copied(),
            None,
            count,
            first,
            ArrivalPattern::At { times_ms: Vec::new() },
            None,
        );
        self.ctl.streams[id].trace = Some(Box::new(TraceStream {
            name: t.name.clone(),
            jobs: t.jobs.clone(),
            protos,
            workloads: Vec::with_capacity(count as usize),
        }));
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add_stream(
        &mut self,
        name: String,
        proto: Option<ProtoId>,
        node_template: Option<cluster::Node>,
        count: u64,
        first: SimTime,
        mut pattern: ArrivalPattern,
        duration: Option<DurationDist>,
    ) {
        if let ArrivalPattern::At { times_ms } = &mut pattern {
            times_ms.sort_unstable();
        }
        let id = self.ctl.streams.len() as u32;
        let h = stable_hash(&name);
        self.ctl.streams.push(Stream {
            rng: rng_stream(self.cfg.seed, h ^ stable_hash("arrivals")),
            duration_rng: rng_stream(self.cfg.seed, h ^ stable_hash("duration")),
            proto,
            node_template,
            count,
            next_idx: 0,
            pattern,
            duration,
            trace: None,
        });
        if count > 0 {
            let cls = if self.ctl.streams[id as usize].node_template.is_some() {
                class::NODE
            } else {
                class::API
            };
            self.engine.schedule(first, cls, Ev::Arrive { stream: id });
        }
    }

    pub(crate) fn arrive(&mut self, sid: u32) {
        let now = self.now();
        let s = &mut self.ctl.streams[sid as usize];
        let idx = s.next_idx;
        s.next_idx += 1;
        let duration = s.duration.as_ref().map(|d| sample_duration(d, &mut s.duration_rng));
        // Schedule the next arrival of the stream.
        if s.next_idx < s.count {
            let next = match &s.pattern {
                ArrivalPattern::Every { interval_ms } => now.plus_ms(*interval_ms),
                ArrivalPattern::Poisson { mean_interval_ms } => {
                    let exp = Exp::new(1.0 / (*mean_interval_ms).max(1) as f64).expect("positive rate");
                    let gap: f64 = exp.sample(&mut s.rng);
                    now.plus_ms(gap.round() as u64)
                }
                ArrivalPattern::At { times_ms } => SimTime(match &s.trace {
                    Some(ts) => ts.jobs[s.next_idx as usize].submit_ms,
                    None => times_ms[s.next_idx as usize],
                }),
            };
            let cls = if s.node_template.is_some() {
                class::NODE
            } else {
                class::API
            };
            self.engine.schedule(next, cls, Ev::Arrive { stream: sid });
        }
        let s = &self.ctl.streams[sid as usize];
        if let Some(tmpl) = &s.node_template {
            let mut node = tmpl.clone();
            node.name = format!("{}-{idx}", tmpl.name);
            // The template's hostname label named the template; each node gets its own.
            if node.labels.get("kubernetes.io/hostname") == Some(&tmpl.name) {
                node.labels.insert("kubernetes.io/hostname".into(), node.name.clone());
            }
            let id = self.store.cluster.nodes.len() as NodeId;
            self.store.node_by_name.insert(node.name.clone(), id);
            self.store.cluster.nodes.push(node);
            self.store.cluster.grow();
            self.policy_node_added();
            self.node_join(id);
            return;
        }
        if let Some(ts) = &s.trace {
            let i = idx as usize;
            let job = ts.jobs[i];
            let (proto, duration) = (ts.protos[job.shape as usize], job.duration());
            let name = format!("{}-{idx}", ts.name);
            let id = self.store.workloads.len() as WlId;
            self.policy_trace_estimate(id, job.requested_ms());
            // No duration (a job still running at the trace's end): the shape's template has
            // none either, so its pods run until the run ends.
            self.create_workload(proto, name, idx, duration, None);
            if let Some(ts) = &mut self.ctl.streams[sid as usize].trace {
                ts.workloads.push(id);
            }
            return;
        }
        let proto = s.proto.expect("workload stream");
        let single = s.count == 1
            && matches!(s.pattern, ArrivalPattern::At { .. })
            && self.store.protos[proto as usize].stream.is_none();
        let name = if single {
            self.store.protos[proto as usize].spec.name.clone()
        } else {
            format!("{}-{idx}", self.store.protos[proto as usize].spec.name)
        };
        self.create_workload(proto, name, idx, duration, None);
    }

    /// For each replayed Trace with recorded waits, how close the run's waits came to them.
    pub(crate) fn trace_fidelity(&self) -> Vec<crate::observe::fidelity::Fidelity> {
        self.ctl
            .streams
            .iter()
            .filter_map(|s| s.trace.as_deref())
            .filter(|t| t.jobs.iter().any(|j| j.recorded_wait().is_some()))
            .map(|t| {
                let pairs: Vec<(u64, Option<u64>)> = t
                    .workloads
                    .iter()
                    .zip(t.jobs.iter())
                    .filter_map(|(&w, j)| {
                        let wl = &self.store.workloads[w as usize];
                        j.recorded_wait().map(|r| (r, wl.start.map(|s| s.since(wl.submit))))
                    })
                    .collect();
                crate::observe::fidelity::fidelity(&t.name, &pairs)
            })
            .collect()
    }
}

pub(crate) fn sample_duration(d: &DurationDist, rng: &mut rand::rngs::Xoshiro256PlusPlus) -> u64 {
    match d {
        DurationDist::Fixed { ms } => *ms,
        DurationDist::Uniform { min_ms, max_ms } => {
            if max_ms <= min_ms {
                *min_ms
            } else {
                rng.random_range(*min_ms..=*max_ms)
            }
        }
        DurationDist::Exponential { mean_ms } => {
            let e = Exp::new(1.0 / (*mean_ms).max(1) as f64).expect("positive rate");
            let v: f64 = e.sample(rng);
            v.round() as u64
        }
        DurationDist::LogNormal { median_ms, sigma } => {
            let ln = LogNormal::new(((*median_ms).max(1) as f64).ln(), sigma.max(0.0)).expect("valid lognormal");
            let v: f64 = ln.sample(rng);
            v.round().min(1e15) as u64
        }
        DurationDist::Empirical { values_ms } => {
            if values_ms.is_empty() {
                0
            } else {
                values_ms[rng.random_range(0..values_ms.len())]
            }
        }
    }
}
