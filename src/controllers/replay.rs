//! Trace replay: each trace job becomes a batch/v1 Job built from the Trace's template (by
//! default a Job that runs once: backoffLimit 0, restartPolicy Never), with the trace's pods
//! (parallelism = completions), per-pod requests (fractional GPUs as milli-GPUs, as GPU-sharing
//! device plugins count them), gang, namespace, queue, priority class (when the scenario
//! defines it), and the run time and exit code the trace recorded; a job the trace saw still
//! running at its end (outcome `running`) gets no run time, so its pods run until the run ends
//! and it is reported `Running`, not failed. A job with a patience (a pod its user deleted before
//! it was ever scheduled) gets it as `activeDeadlineSeconds`, so the Job controller fails it
//! (`DeadlineExceeded`, deleting its pods) that long after it started, started or not
//! (k/k `pkg/controller/job/job_controller.go`, `syncJob` / `pastActiveDeadline`). A job that names the GPU
//! models it may run on (openb's `gpu_spec`) gets a required node affinity `In` those models on
//! the node label `nvidia.com/gpu.product`, which nodes built from the trace's inventory carry;
//! the requirement is ANDed into every term the template already has, as the scheduler's
//! NodeAffinity plugin ORs terms and ANDs a term's expressions
//! (k/k `staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go`,
//! `NodeSelector.Match`). (Replay fidelity, the recorded waits against the simulated ones, is
//! observation: [`crate::observe::fidelity`].)

use crate::input::spec::{
    NodeSelectorTerm, SelectorOperator, SelectorRequirement, TraceShape, WorkloadKind, WorkloadSpec,
};
use crate::input::trace::GPU_MODEL_LABEL;

/// The annotation naming a workload's queue (Volcano's `scheduling.volcano.sh/queue-name`).
pub const QUEUE_ANNOTATION: &str = "scheduling.volcano.sh/queue-name";

/// The Job spec of one trace job shape; `priority_class` is empty when the scenario does not
/// define the trace's class.
pub(crate) fn job_spec(base: &WorkloadSpec, j: &TraceShape, priority_class: &str) -> WorkloadSpec {
    let mut w = base.clone();
    w.namespace = j.namespace.clone();
    if !j.queue.is_empty() {
        w.annotations.insert(QUEUE_ANNOTATION.to_string(), j.queue.clone());
    }
    if let WorkloadKind::Job(job) = &mut w.kind {
        if let Some(d) = j.active_deadline_s {
            // The sooner of the template's deadline and the trace's patience.
            job.active_deadline_s = Some(job.active_deadline_s.map_or(d, |t| t.min(d)));
        }
        job.completions = Some(j.pods);
        job.parallelism = Some(j.pods);
        let t = &mut job.template;
        for (name, v) in [
            ("cpu", j.cpu_milli),
            ("memory", j.memory_bytes),
            ("nvidia.com/gpu", j.gpu_milli),
        ] {
            if v > 0 {
                t.requests.insert(name.to_string(), v);
                t.limits.insert(name.to_string(), v);
            } else {
                t.requests.remove(name);
                t.limits.remove(name);
            }
        }
        // The trace's per-pod amounts are the whole story: one container holds them, so that
        // admission (LimitRange defaults, quota) sees the pod the trace describes.
        let name = t.containers.first().map_or("main", |c| c.name.as_str()).to_string();
        t.containers = crate::input::resources::single_container(&name, &t.requests, &t.limits);
        t.container_names = vec![name];
        t.overhead.clear();
        t.pod_level_requests.clear();
        t.pod_level_limits.clear();
        if !priority_class.is_empty() {
            t.priority_class_name = Some(priority_class.to_string());
        }
        if !j.gpu_models.is_empty() {
            require_gpu_models(&mut t.affinity_terms, &j.gpu_models);
        }
        t.hints.exit_code = j.exit_code;
        if j.endless {
            // The template's own `kubesim.io/duration` would end it: the trace says it ran on.
            t.hints.duration_ms = None;
        }
        t.hints.gang_size = (j.gang > 1).then_some(j.gang);
    }
    w
}

/// ANDs `GPU_MODEL_LABEL In models` (`models` `|`-separated) into every required node-affinity
/// term, or makes it the only term when there is none.
fn require_gpu_models(terms: &mut Vec<NodeSelectorTerm>, models: &str) {
    let mut values: Vec<String> = models.split('|').map(|m| m.trim().to_string()).collect();
    values.sort();
    values.dedup();
    let req = SelectorRequirement {
        key: GPU_MODEL_LABEL.to_string(),
        operator: SelectorOperator::In,
        values,
    };
    if terms.is_empty() {
        terms.push(NodeSelectorTerm::default());
    }
    for t in terms {
        t.match_expressions.push(req.clone());
    }
}
