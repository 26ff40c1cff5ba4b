//! Loader tests: the contract.md example with exact values, each supported kind, and bad inputs
//! whose errors must name the right line, field and fix. (Seed manifests: tests/seed_manifests.rs.)
//!
//! One file per theme: `backfill` (the runtime-estimate annotation, trace requested times), `good` (the contract example and each supported kind converted exactly),
//! `bad` (syntax, kind, field, type and cross-object errors), `limits` (the input limits and the
//! CronJob fire estimate), `volcano` (Volcano Jobs), `gangs` (PodGroups, Queues, gang annotations
//! and their errors), `jobset` (JobSets: the upstream examples, the webhook's defaults and
//! checks, exported JobSets), `kubeflow` (PyTorchJobs: the upstream examples, the webhook's checks), `ray` (RayClusters and RayJobs: the upstream examples, the operator's checks), `exports` (objects exported from clusters). Shared here: scenario builders and the error checker.
//! checks, exported JobSets), `kubeflow` (PyTorchJobs: the upstream examples, the webhook's checks), `lws` (LeaderWorkerSets: the upstream examples, the webhook's defaults and checks), `exports` (objects exported from clusters). Shared here: scenario builders and the error checker.

use super::{load, load_str};
use crate::error::InputError;
use crate::input::spec::*;
use crate::input::synth::job_spec;

mod backfill;
mod bad;
mod exports;
mod gangs;
mod good;
mod jobset;
mod kubeflow;
mod limits;
mod lws;
mod mpijob;
mod ray;
mod serving;
mod trainer;
mod volcano;
mod workload_api;

fn rl(pairs: &[(&str, i64)]) -> ResourceList {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

fn labels(pairs: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn loc(line: usize) -> SourceLoc {
    SourceLoc {
        file: "contract.yaml".into(),
        line,
    }
}

/// The template of a pod with one container, `container`, of these requests and limits.
fn pod_template(container: &str, requests: ResourceList, limits: ResourceList) -> PodTemplate {
    PodTemplate {
        labels: Default::default(),
        containers: crate::input::resources::single_container(container, &requests, &limits),
        overhead: Default::default(),
        pod_level_requests: Default::default(),
        pod_level_limits: Default::default(),
        requests,
        limits,
        node_selector: Default::default(),
        affinity_terms: vec![],
        tolerations: vec![],
        priority_class_name: None,
        priority: None,
        preemption_policy: None,
        restart_policy: RestartPolicy::Never,
        termination_grace_ms: 30_000,
        scheduler_name: None,
        node_name: None,
        container_names: vec![container.to_string()],
        hints: SimHints::default(),
        pod_group: None,
    }
}

fn ok(text: &str) -> Scenario {
    load_str("t.yaml", text).unwrap_or_else(|e| panic!("{e}"))
}

fn bad(text: &str) -> InputError {
    match load_str("t.yaml", text) {
        Ok(_) => panic!("loaded, expected an error:\n{text}"),
        Err(e) => e,
    }
}

/// Asserts the error's file, line, field, and that message or fix contain `words`.
#[track_caller]
fn check(e: &InputError, line: usize, field: &str, words: &[&str]) {
    assert_eq!(e.file.as_deref(), Some(std::path::Path::new("t.yaml")), "{e}");
    assert_eq!(e.line, Some(line), "wrong line: {e}");
    assert_eq!(e.field, field, "wrong field: {e}");
    assert!(!e.fix.is_empty(), "no fix: {e}");
    let text = format!("{} {}", e.message, e.fix);
    for w in words {
        assert!(text.contains(w), "missing {w:?} in: {e}");
    }
}

/// Each case `(text, line, field, words)` fails to load with that line, field and words.
#[track_caller]
fn expect_errors(cases: &[(String, usize, &str, Vec<&str>)]) {
    for (text, line, field, words) in cases {
        let e = bad(text);
        check(&e, *line, field, words);
    }
}

const JOB_HEAD: &str = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n";

fn job(spec_and_more: &str) -> String {
    format!("{JOB_HEAD}{spec_and_more}")
}

const SIMPLE_POD_SPEC: &str = "spec:\n  template:\n    spec:\n      containers:\n      - name: c\n        resources:\n          requests: {cpu: 1}\n";

const VC_HEAD: &str = "apiVersion: batch.volcano.sh/v1alpha1\nkind: Job\nmetadata:\n  name: v\n";

/// A Volcano Job: `VC_HEAD` (4 lines) then `rest`, from line 5.
fn vcjob(rest: &str) -> String {
    format!("{VC_HEAD}{rest}")
}

/// A task (3 lines) named `name` with `replicas`, inside `spec.tasks`.
fn vc_task(name: &str, replicas: u32) -> String {
    format!("  - name: {name}\n    replicas: {replicas}\n    template: {{spec: {{containers: [{{name: c}}]}}}}\n")
}
