//! `kubesim validate`: load scenario files and print what they define.

use std::path::PathBuf;

use super::execute::note_not_simulated;
use super::ui::{note, say};
use crate::error::InputError;
use crate::input::scenario;
use crate::input::spec::Scenario;

/// `validate` the scenario made of `paths`.
pub(super) fn run(paths: &[PathBuf]) -> Result<(), InputError> {
    let sc = scenario::load(paths)?;
    note_not_simulated(&sc);
    for w in scenario::policy_warnings(&sc, &sc.sim.policies) {
        eprintln!("warning: {w}");
    }
    let gpus: i64 = sc
        .nodes
        .iter()
        .map(|n| n.allocatable.get("nvidia.com/gpu").copied().unwrap_or(0))
        .sum();
    say!("scenario {}: valid", sc.name);
    say!(
        "  simulation: seed {}, horizon {}, policies {}",
        sc.sim.seed,
        sc.sim
            .horizon_ms
            .map(|h| format!("{} s", crate::engine::SimTime(h)))
            .unwrap_or_else(|| "none (until idle)".into()),
        sc.sim.policies.join(", ")
    );
    say!(
        "  nodes: {} ({} GPUs)",
        sc.nodes.len(),
        crate::observe::report::gpus(gpus)
    );
    say!("  priority classes: {}", sc.priority_classes.len());
    workloads(&sc);
    queues(&sc);
    timed(&sc);
    not_simulated(&sc);
    Ok(())
}

/// Workloads and pod groups.
fn workloads(sc: &Scenario) {
    say!("  workloads: {}", sc.workloads.len());
    for w in &sc.workloads {
        let kind = w.kind.api_kind();
        say!("    {kind} {}/{} ({})", w.namespace, w.name, w.loc);
    }
    say!("  pod groups: {}", sc.pod_groups.len());
    for g in &sc.pod_groups {
        let api = match g.api {
            crate::input::spec::PodGroupApi::Volcano => "Volcano",
            crate::input::spec::PodGroupApi::Coscheduling => "coscheduling",
        };
        say!(
            "    {api} {}/{} minMember {} ({})",
            g.namespace,
            g.name,
            g.min_member,
            g.loc
        );
    }
    if !sc.gang_workloads.is_empty() || !sc.gang_pod_groups.is_empty() {
        say!(
            "  scheduling.k8s.io workloads: {}, pod groups: {}",
            sc.gang_workloads.len(),
            sc.gang_pod_groups.len()
        );
    }
    for w in &sc.gang_workloads {
        let templates: Vec<String> = w.templates.iter().map(|(n, m)| gang_policy(n, *m)).collect();
        say!(
            "    {} Workload {}/{}: {} ({})",
            w.version.api_version(),
            w.namespace,
            w.name,
            templates.join(", "),
            w.loc
        );
    }
    for g in &sc.gang_pod_groups {
        say!(
            "    {} PodGroup {} ({})",
            g.version.api_version(),
            gang_policy(&format!("{}/{}", g.namespace, g.name), g.min_count),
            g.loc
        );
    }
}

/// A pod group (template) with its policy: `name gang minCount N` or `name basic`.
fn gang_policy(name: &str, min_count: Option<u32>) -> String {
    match min_count {
        Some(m) => format!("{name} gang minCount {m}"),
        None => format!("{name} basic"),
    }
}

/// Volcano queues, Kueue's objects, ResourceQuotas and LimitRanges.
fn queues(sc: &Scenario) {
    say!("  queues: {}", sc.queues.len());
    for q in &sc.queues {
        say!("    {} weight {} ({})", q.name, q.weight, q.loc);
    }
    say!(
        "  kueue: {} ClusterQueues, {} LocalQueues, {} ResourceFlavors, {} WorkloadPriorityClasses",
        sc.cluster_queues.len(),
        sc.local_queues.len(),
        sc.resource_flavors.len(),
        sc.workload_priority_classes.len()
    );
    for c in &sc.cluster_queues {
        let cohort = c
            .cohort
            .as_deref()
            .map(|co| format!(" cohort {co}"))
            .unwrap_or_default();
        say!("    ClusterQueue {}{cohort} ({})", c.name, c.loc);
    }
    for l in &sc.local_queues {
        say!(
            "    LocalQueue {}/{} -> {} ({})",
            l.namespace,
            l.name,
            l.cluster_queue,
            l.loc
        );
    }
    say!(
        "  admission: {} ResourceQuotas, {} LimitRanges",
        sc.resource_quotas.len(),
        sc.limit_ranges.len()
    );
    for q in &sc.resource_quotas {
        say!(
            "    ResourceQuota {}/{} ({} limits) ({})",
            q.namespace,
            q.name,
            q.hard.len(),
            q.loc
        );
    }
    for l in &sc.limit_ranges {
        say!(
            "    LimitRange {}/{} ({} items) ({})",
            l.namespace,
            l.name,
            l.items.len(),
            l.loc
        );
    }
}

/// What happens over time: CronJobs, fault models, traces, arrivals.
fn timed(sc: &Scenario) {
    say!("  cron jobs: {}", sc.cron_jobs.len());
    for c in &sc.cron_jobs {
        say!(
            "    {}/{} \"{}\" {:?} ({})",
            c.namespace,
            c.name,
            c.schedule.as_str(),
            c.concurrency,
            c.loc
        );
    }
    say!("  fault models: {}", sc.faults.len());
    for f in &sc.faults {
        say!(
            "    {}: {} outages, {} scripted taints{} ({})",
            f.name,
            f.outages.len(),
            f.taints.len(),
            f.mtbf_ms
                .map(|m| format!(", random failures (mtbf {} s, mttr {} s)", m / 1000, f.mttr_ms / 1000))
                .unwrap_or_default(),
            f.loc
        );
    }
    say!("  traces: {}", sc.traces.len());
    for t in &sc.traces {
        say!("    {}: {} jobs ({})", t.name, t.jobs.len(), t.loc);
    }
    say!("  arrivals: {}", sc.arrivals.len());
    for a in &sc.arrivals {
        say!("    {} x{} ({})", a.name, a.count, a.loc);
    }
}

/// The objects (and Kueue Configuration fields) loaded and ignored.
fn not_simulated(sc: &Scenario) {
    if let Some(loc) = &sc.kueue_config.loc
        && !sc.kueue_config.not_simulated.is_empty()
    {
        say!(
            "  Kueue Configuration ({loc}) fields loaded, not simulated: {}",
            sc.kueue_config.not_simulated.join(", ")
        );
    }
    if !sc.not_simulated.is_empty() {
        say!("  not simulated yet (loaded, ignored by runs):");
        if sc.cron_fires > crate::limits::WARN_CRON_FIRES {
            note!(
                "note: the CronJobs fire about {} times in each run (every fire creates a Job and its pods): \
             expect a long run and large outputs; fire less often or shorten the horizon to go faster",
                sc.cron_fires
            );
        }
        for o in &sc.not_simulated {
            say!("    {} {}/{} ({})", o.kind, o.namespace, o.name, o.loc);
        }
    }
    if !sc.owned_pods.is_empty() {
        say!(
            "  pods of a Job or Volcano Job, Jobs of a JobSet, of the scenario (loaded, left to its simulated controller):"
        );
        for o in &sc.owned_pods {
            say!("    {} {}/{} ({})", o.kind, o.namespace, o.name, o.loc);
        }
    }
    if !sc.unmodelled.is_empty() {
        say!("  loaded, not simulated (fields without effect on a run):");
        for o in &sc.unmodelled {
            say!(
                "    {} {} {}/{} ({}): {}",
                o.api_version,
                o.kind,
                o.namespace,
                o.name,
                o.loc,
                o.fields.join(", ")
            );
        }
    }
}
