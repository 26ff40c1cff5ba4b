//! Warnings about a loaded scenario that will run but mislead: a cluster without nodes, workloads
//! that never end (no `kubesim.io/duration`, no duration distribution), resources no node offers
//! (often a typo: `nvidia.com/gpus`), node selectors no node matches, priority classes and
//! Volcano queues that are not defined, trace rows a Trace's import skipped (they are not
//! replayed), and trace jobs requiring GPU models no node carries. Each names the object, where it is, and the fix. `run` and `validate` print them;
//! they never stop a run.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::quote;
use crate::input::spec::{
    ArrivalTemplate, PodTemplate, RestartPolicy, Scenario, SourceLoc, WorkloadKind, WorkloadSpec,
};
use crate::input::trace::GPU_MODEL_LABEL;

/// At most this many warnings of one kind are listed; the rest are counted.
const MAX_PER_KIND: usize = 10;

/// One workload template to check: its kind and name, where it is, its pod templates, and
/// whether something else gives it a run time (an Arrivals duration, a trace's recorded one).
struct Checked<'a> {
    what: String,
    loc: &'a SourceLoc,
    templates: Vec<&'a PodTemplate>,
    timed_elsewhere: bool,
}

fn checked<'a>(w: &'a WorkloadSpec, what: &str, timed_elsewhere: bool) -> Checked<'a> {
    let templates = match &w.kind {
        WorkloadKind::Job(j) => vec![&j.template],
        WorkloadKind::Pod(t) => vec![t],
        WorkloadKind::VolcanoJob(v) => v.tasks.iter().map(|t| &t.template).collect(),
    };
    Checked {
        what: format!("{what} {}", quote(&format!("{}/{}", w.namespace, w.name))),
        loc: &w.loc,
        templates,
        timed_elsewhere,
    }
}

/// The workload templates to check: workloads, Arrivals templates, CronJob job templates.
fn items(sc: &Scenario) -> Vec<Checked<'_>> {
    let mut items: Vec<Checked> = Vec::new();
    for w in &sc.workloads {
        items.push(checked(w, kind_name(w), false));
    }
    for a in &sc.arrivals {
        if let ArrivalTemplate::Workload(w) = &a.template {
            items.push(checked(
                w,
                &format!("Arrivals {} template", quote(&a.name)),
                a.duration.is_some(),
            ));
        }
    }
    for c in &sc.cron_jobs {
        items.push(checked(
            &c.job,
            &format!("CronJob {} jobTemplate", quote(&c.name)),
            false,
        ));
    }
    items
}

/// The warnings for `sc`, in a fixed order (by kind of problem, then file order).
pub fn warnings(sc: &Scenario) -> Vec<String> {
    let items = items(sc);
    let node_arrivals = sc
        .arrivals
        .iter()
        .any(|a| matches!(a.template, ArrivalTemplate::Node(_)));
    let mut out = Vec::new();
    if sc.nodes.is_empty() && !node_arrivals {
        out.push(
            "the cluster has no nodes: no pod can ever start; add Node objects or a NodePool \
             (kubesim.io/v1alpha1, e.g. count: 8 with a GPU node template)"
                .to_string(),
        );
    }
    let mut never_end = Vec::new();
    let mut unoffered = Vec::new();
    let mut unmatched = Vec::new();
    let mut no_class = Vec::new();
    let offered: BTreeSet<&str> = sc
        .nodes
        .iter()
        .chain(sc.arrivals.iter().filter_map(|a| match &a.template {
            ArrivalTemplate::Node(n) => Some(&**n),
            ArrivalTemplate::Workload(_) => None,
        }))
        .flat_map(|n| n.allocatable.keys().map(String::as_str))
        .collect();
    let node_labels: Vec<BTreeMap<String, String>> = sc.nodes.iter().map(|n| n.labels_with_kubelet()).collect();
    let classes: BTreeSet<&str> = sc.priority_classes.iter().map(|p| p.name.as_str()).collect();
    for item in &items {
        let at = format!("{} ({})", item.what, item.loc);
        let runs_forever = item
            .templates
            .iter()
            .any(|t| t.hints.duration_ms.is_none() || t.restart_policy == RestartPolicy::Always);
        if runs_forever && !item.timed_elsewhere {
            never_end.push(at.clone());
        }
        for t in &item.templates {
            if !offered.is_empty() {
                for (r, v) in t.requests.iter().chain(t.limits.iter()) {
                    if *v > 0 && !offered.contains(r.as_str()) && !unoffered.iter().any(|(a, x)| *a == at && x == r) {
                        unoffered.push((at.clone(), r.clone()));
                    }
                }
            }
            if !node_labels.is_empty()
                && !t.node_selector.is_empty()
                && !node_labels
                    .iter()
                    .any(|l| t.node_selector.iter().all(|(k, v)| l.get(k) == Some(v)))
            {
                unmatched.push(at.clone());
            }
            if let Some(c) = &t.priority_class_name
                && !classes.contains(c.as_str())
            {
                no_class.push((at.clone(), c.clone()));
            }
        }
    }
    list(&mut out, never_end, |at| {
        format!(
            "{at} never ends: it has no run time, so its pods run until the horizon (or forever); \
             add the annotation kubesim.io/duration (e.g. 30m) to its pod template"
        )
    });
    list(&mut out, unoffered, |(at, r)| {
        format!(
            "{at} asks for {} that no node offers: it can never start; check the resource name \
             (nodes offer {})",
            quote(&r),
            offered.iter().copied().collect::<Vec<_>>().join(", ")
        )
    });
    list(&mut out, unmatched, |at| {
        format!("{at} has a nodeSelector that no node matches: it can never start; check the labels")
    });
    list(&mut out, no_class, |(at, c)| {
        format!(
            "{at} names PriorityClass {} that is not defined: it will be rejected; add the PriorityClass",
            quote(&c)
        )
    });
    undefined_queues(sc, &mut out);
    trace_skips(sc, &mut out);
    trace_gpu_models(sc, &mut out);
    out
}

/// Volcano Jobs naming a queue the scenario does not define.
fn undefined_queues(sc: &Scenario, out: &mut Vec<String>) {
    let queues: BTreeSet<&str> = sc.queues.iter().map(|q| q.name.as_str()).collect();
    let undefined_queues: Vec<String> = sc
        .workloads
        .iter()
        .filter_map(|w| match &w.kind {
            WorkloadKind::VolcanoJob(v) => v
                .queue
                .as_deref()
                .filter(|q| *q != "default" && !queues.contains(q))
                .map(|q| format!("Volcano Job {} ({}) names queue {}", quote(&w.name), w.loc, quote(q))),
            _ => None,
        })
        .collect();
    list(out, undefined_queues, |m| {
        format!("{m}, which is not defined: add a Queue (scheduling.volcano.sh/v1beta1) of that name")
    });
}

/// Trace jobs that require GPU models (openb's `gpu_spec`) none of the scenario's nodes carries
/// in the label [`GPU_MODEL_LABEL`]: they can never start.
fn trace_gpu_models(sc: &Scenario, out: &mut Vec<String>) {
    let nodes = sc
        .nodes
        .iter()
        .chain(sc.arrivals.iter().filter_map(|a| match &a.template {
            ArrivalTemplate::Node(n) => Some(&**n),
            ArrivalTemplate::Workload(_) => None,
        }));
    let models: BTreeSet<&str> = nodes
        .filter_map(|n| n.labels.get(GPU_MODEL_LABEL))
        .map(String::as_str)
        .collect();
    for t in &sc.traces {
        // Per list of models no node carries, its jobs.
        let mut missing: BTreeMap<&str, u64> = BTreeMap::new();
        for j in t.jobs.iter() {
            let m = t.shapes[j.shape as usize].gpu_models.as_str();
            if !m.is_empty() && !m.split('|').any(|x| models.contains(x.trim())) {
                *missing.entry(m).or_default() += 1;
            }
        }
        if missing.is_empty() {
            continue;
        }
        let jobs: u64 = missing.values().sum();
        let lists: Vec<String> = missing.iter().map(|(m, n)| format!("{n} of {}", quote(m))).collect();
        out.push(format!(
            "Trace {} ({}): {jobs} jobs require GPU models that no node carries in the label {GPU_MODEL_LABEL} \
             ({}): they can never start; give the Trace its cluster's node list (nodes: {{path: ...}}) \
             or label nodes with those models",
            quote(&t.name),
            t.loc,
            lists.join(", ")
        ));
    }
}

/// Traces whose import skipped rows (or flagged jobs): the summary `trace import` prints, so
/// that a replay never drops rows without a word.
fn trace_skips(sc: &Scenario, out: &mut Vec<String>) {
    for t in &sc.traces {
        if let Some(s) = &t.import_summary {
            out.push(format!(
                "Trace {} ({}): reading {}: {s}; skipped rows are not replayed \
                 (`kubesim trace stats --format {} {}` lists them by reason)",
                quote(&t.name),
                t.loc,
                t.path.display(),
                t.format,
                t.path.display()
            ));
        }
    }
}

fn kind_name(w: &WorkloadSpec) -> &'static str {
    match w.kind {
        WorkloadKind::Job(_) => "Job",
        WorkloadKind::Pod(_) => "Pod",
        WorkloadKind::VolcanoJob(_) => "Volcano Job",
    }
}

/// Up to [`MAX_PER_KIND`] messages, then how many more.
fn list<T>(out: &mut Vec<String>, items: Vec<T>, message: impl Fn(T) -> String) {
    let n = items.len();
    for item in items.into_iter().take(MAX_PER_KIND) {
        out.push(message(item));
    }
    if n > MAX_PER_KIND {
        out.push(format!("... and {} more like the last", n - MAX_PER_KIND));
    }
}
