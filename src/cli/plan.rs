//! From a scenario and the command's flags to a [`Plan`]: the lines describing the scenario, the
//! tables it needs (queues, replay fidelity, CronJobs), the policies, seeds, shard and output
//! folder.

use std::path::PathBuf;

use super::RunArgs;
use crate::error::InputError;
use crate::experiment::output::{Kind, Plan, Point};
use crate::experiment::{Shard, check_policies, parse_seeds};
use crate::input::spec::Scenario;

/// The plan of a command on one scenario (no sweep points): `run`, `compare`, the demo.
pub(super) fn single_point(kind: Kind, sc: &Scenario, policies: Vec<String>, seeds: Vec<u64>, events: bool) -> Plan {
    Plan {
        kind,
        scenario: sc.name.clone(),
        about: about(sc),
        points: vec![Point::default()],
        policies,
        seeds,
        events,
        fidelity: has_fidelity(sc),
        cron: !sc.cron_jobs.is_empty(),
        queues: has_queues(sc),
        targets: vec![],
        negligible: vec![],
        resources: resource_dims(sc),
    }
}

/// The resource dimensions the scenario's nodes offer (allocatable above 0, not `pods`),
/// including nodes that arrive later, sorted.
pub(super) fn resource_dims(sc: &Scenario) -> Vec<String> {
    let templates = sc.arrivals.iter().filter_map(|a| match &a.template {
        crate::input::spec::ArrivalTemplate::Node(n) => Some(n.as_ref()),
        crate::input::spec::ArrivalTemplate::Workload(_) => None,
    });
    let names: std::collections::BTreeSet<&String> = sc
        .nodes
        .iter()
        .chain(templates)
        .flat_map(|n| n.allocatable.iter())
        .filter(|(name, v)| **v > 0 && name.as_str() != "pods")
        .map(|(name, _)| name)
        .collect();
    names.into_iter().cloned().collect()
}

/// Does the scenario use queues (Volcano Queues, Kueue ClusterQueues, or workloads naming a
/// queue)?
fn has_queues(sc: &Scenario) -> bool {
    let named = |w: &crate::input::spec::WorkloadSpec| match &w.kind {
        crate::input::spec::WorkloadKind::VolcanoJob(v) => v.queue.is_some(),
        _ => w.annotations.contains_key(crate::controllers::replay::QUEUE_ANNOTATION),
    };
    !sc.queues.is_empty()
        || !sc.cluster_queues.is_empty()
        || sc.workload_specs().any(named)
        || sc.traces.iter().any(|t| t.shapes.iter().any(|s| !s.queue.is_empty()))
}

/// Does a Trace of the scenario record its own waits (so runs report replay fidelity)?
fn has_fidelity(sc: &Scenario) -> bool {
    sc.traces.iter().any(|t| t.recorded_waits)
}

pub(super) fn total_gpus(sc: &Scenario) -> String {
    crate::observe::report::gpus(
        sc.nodes
            .iter()
            .map(|n| n.allocatable.get("nvidia.com/gpu").copied().unwrap_or(0))
            .sum::<i64>(),
    )
}

/// Lines describing a scenario for reports.
pub(super) fn about(sc: &Scenario) -> Vec<String> {
    let mut shapes: Vec<(String, usize)> = Vec::new();
    for n in &sc.nodes {
        let shape = format!(
            "{} GPUs, {} CPUs, {} GiB",
            crate::observe::report::gpus(n.allocatable.get("nvidia.com/gpu").copied().unwrap_or(0)),
            crate::observe::report::gpus(n.allocatable.get("cpu").copied().unwrap_or(0)),
            n.allocatable.get("memory").copied().unwrap_or(0) / (1 << 30)
        );
        match shapes.iter_mut().find(|(s, _)| *s == shape) {
            Some((_, c)) => *c += 1,
            None => shapes.push((shape, 1)),
        }
    }
    let nodes: Vec<String> = shapes.iter().map(|(s, c)| format!("{c} x ({s})")).collect();
    let mut out = vec![format!(
        "cluster: {} nodes, {} GPUs: {}",
        sc.nodes.len(),
        total_gpus(sc),
        nodes.join(", ")
    )];
    if !sc.workloads.is_empty() {
        out.push(format!(
            "workloads: {} objects (Jobs, Pods, Volcano Jobs)",
            sc.workloads.len()
        ));
    }
    for a in &sc.arrivals {
        out.push(format!("arrivals {}: {} copies", a.name, a.count));
    }
    for c in &sc.cron_jobs {
        out.push(format!(
            "cronjob {}/{}: \"{}\"",
            c.namespace,
            c.name,
            c.schedule.as_str()
        ));
    }
    for t in &sc.traces {
        let span = t.jobs.last().map_or(0, |j| j.submit_ms) - t.jobs.first().map_or(0, |j| j.submit_ms);
        out.push(format!(
            "trace {}: {} jobs over {:.1} h",
            t.name,
            t.jobs.len(),
            span as f64 / 3_600_000.0
        ));
    }
    if !sc.queues.is_empty() {
        let qs: Vec<String> = sc
            .queues
            .iter()
            .map(|q| format!("{} (weight {})", q.name, q.weight))
            .collect();
        out.push(format!("queues: {}", qs.join(", ")));
    }
    out.push(match sc.sim.horizon_ms {
        Some(h) => format!("horizon: {} s", crate::engine::SimTime(h)),
        None => "horizon: none (each run ends when no work is left)".to_string(),
    });
    out
}

pub(super) fn seeds_of(sc: &Scenario, args: &RunArgs) -> Result<Vec<u64>, InputError> {
    Ok(match (args.seed, &args.seeds) {
        (_, Some(range)) => parse_seeds(range)?,
        (Some(s), None) => vec![s],
        (None, None) => vec![sc.sim.seed],
    })
}

pub(super) fn policies_of(sc: &Scenario, args: &RunArgs) -> Result<Vec<String>, InputError> {
    let from_flag = !args.policies.is_empty();
    let policies = if from_flag {
        args.policies.clone()
    } else {
        sc.sim.policies.clone()
    };
    check_policies(sc, &policies, from_flag)?;
    Ok(policies)
}

pub(super) fn shard_of(args: &RunArgs) -> Result<Option<Shard>, InputError> {
    args.shard.as_deref().map(Shard::parse).transpose()
}

/// The output folder: `--out`, else `reports/<name>/` (name as the command makes it, so that
/// commands and sweeps of one scenario do not share a folder), plus `shard-I-of-N/` for a shard.
pub(super) fn out_dir(args: &RunArgs, name: &str, shard: Option<Shard>) -> PathBuf {
    let base = args.out.clone().unwrap_or_else(|| PathBuf::from("reports").join(name));
    match (shard, &args.out) {
        (Some(s), None) => base.join(format!("shard-{}-of-{}", s.index, s.count)),
        _ => base,
    }
}
