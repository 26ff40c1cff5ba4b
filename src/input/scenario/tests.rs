//! Loader tests: the contract.md example with exact values, each supported kind, and bad inputs
//! whose errors must name the right line, field and fix. (Seed manifests: tests/seed_manifests.rs.)

use super::{load, load_str};
use crate::error::InputError;
use crate::input::spec::*;

/// contract.md section 1, "A complete small scenario", verbatim.
const CONTRACT_EXAMPLE: &str = r#"apiVersion: kubesim.io/v1alpha1
kind: Simulation
metadata:
  name: two-teams
spec:
  seed: 42
  horizon: 12h
  policies: [kube-default, volcano]
---
apiVersion: kubesim.io/v1alpha1
kind: NodePool
metadata:
  name: a100
spec:
  count: 4
  template:
    apiVersion: v1
    kind: Node
    metadata:
      name: a100
      labels: {gpu-type: A100}
    status:
      allocatable: {cpu: "96", memory: 1Ti, nvidia.com/gpu: "8", pods: "110"}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: nightly-eval
  namespace: research
  annotations:
    kubesim.io/submit-at: "30m"
    kubesim.io/duration: "45m"
spec:
  completions: 4
  parallelism: 2
  backoffLimit: 2
  template:
    spec:
      restartPolicy: Never
      nodeSelector: {gpu-type: A100}
      containers:
      - name: eval
        image: eval:latest
        resources:
          requests: {cpu: "8", memory: 64Gi, nvidia.com/gpu: "1"}
          limits: {nvidia.com/gpu: "1"}
---
apiVersion: kubesim.io/v1alpha1
kind: Arrivals
metadata:
  name: experiments
spec:
  count: 200
  poisson: {meanInterval: 3m}
  template:
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: exp
      namespace: research
      annotations:
        kubesim.io/duration: "20m"
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: train
            image: trainer:latest
            resources:
              requests: {cpu: "4", memory: 32Gi, nvidia.com/gpu: "1"}
              limits: {nvidia.com/gpu: "1"}
"#;

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

fn job_spec(template: PodTemplate) -> JobSpec {
    JobSpec {
        completions: None,
        parallelism: None,
        completion_mode: CompletionMode::NonIndexed,
        backoff_limit: None,
        backoff_limit_per_index: None,
        max_failed_indexes: None,
        pod_failure_policy: None,
        pod_replacement_policy: None,
        success_policy: vec![],
        active_deadline_s: None,
        ttl_seconds_after_finished: None,
        suspend: false,
        template,
    }
}

#[test]
fn contract_example_loads_with_exact_values() {
    let sc = load_str("contract.yaml", CONTRACT_EXAMPLE).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sc.name, "two-teams");
    assert_eq!(sc.sim.seed, 42);
    assert_eq!(sc.sim.horizon_ms, Some(12 * 3_600_000));
    assert_eq!(sc.sim.policies, ["kube-default", "volcano"]);
    assert_eq!(sc.sim.start_time, "2026-01-05T00:00:00Z");
    assert_eq!(sc.sim.latencies, Latencies::default());
    assert_eq!(sc.sim.max_events, DEFAULT_MAX_EVENTS);

    let node = |i: usize| NodeSpec {
        name: format!("a100-{i}"),
        allocatable: rl(&[
            ("cpu", 96_000),
            ("memory", 1 << 40),
            ("nvidia.com/gpu", 8_000),
            ("pods", 110_000),
        ]),
        labels: labels(&[("gpu-type", "A100")]),
        taints: vec![],
        unschedulable: false,
        add_at_ms: 0,
        loc: loc(10),
    };
    assert_eq!(sc.nodes, (0..4).map(node).collect::<Vec<_>>());

    let mut t = pod_template(
        "eval",
        rl(&[("cpu", 8_000), ("memory", 64 << 30), ("nvidia.com/gpu", 1_000)]),
        rl(&[("nvidia.com/gpu", 1_000)]),
    );
    t.node_selector = labels(&[("gpu-type", "A100")]);
    t.hints.duration_ms = Some(45 * 60_000);
    let mut job = job_spec(t);
    job.completions = Some(4);
    job.parallelism = Some(2);
    job.backoff_limit = Some(2);
    let expected = WorkloadSpec {
        namespace: "research".into(),
        name: "nightly-eval".into(),
        labels: Default::default(),
        annotations: labels(&[("kubesim.io/duration", "45m"), ("kubesim.io/submit-at", "30m")]),
        kind: WorkloadKind::Job(job),
        submit_at_ms: 30 * 60_000,
        suspend_at_ms: None,
        resume_at_ms: None,
        loc: loc(25),
    };
    assert_eq!(sc.workloads, [expected]);

    let mut t = pod_template(
        "train",
        rl(&[("cpu", 4_000), ("memory", 32 << 30), ("nvidia.com/gpu", 1_000)]),
        rl(&[("nvidia.com/gpu", 1_000)]),
    );
    t.hints.duration_ms = Some(20 * 60_000);
    let template = WorkloadSpec {
        namespace: "research".into(),
        name: "exp".into(),
        labels: Default::default(),
        annotations: labels(&[("kubesim.io/duration", "20m")]),
        kind: WorkloadKind::Job(job_spec(t)),
        submit_at_ms: 0,
        suspend_at_ms: None,
        resume_at_ms: None,
        loc: loc(48),
    };
    assert_eq!(
        sc.arrivals,
        [ArrivalsSpec {
            name: "experiments".into(),
            template: ArrivalTemplate::Workload(Box::new(template)),
            count: 200,
            start_ms: 0,
            pattern: ArrivalPattern::Poisson {
                mean_interval_ms: 180_000
            },
            duration: None,
            failure: None,
            loc: loc(48),
        }]
    );
    assert!(sc.priority_classes.is_empty());
    assert!(sc.namespaces.is_empty());
    assert!(sc.not_simulated.is_empty());
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

const JOB_HEAD: &str = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n";

fn job(spec_and_more: &str) -> String {
    format!("{JOB_HEAD}{spec_and_more}")
}

const SIMPLE_POD_SPEC: &str = "spec:\n  template:\n    spec:\n      containers:\n      - name: c\n        resources:\n          requests: {cpu: 1}\n";

// ----- good inputs ----------------------------------------------------------------------------

#[test]
fn empty_documents_and_lists_are_handled() {
    let text = format!(
        "---\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {{name: research, labels: {{team: a}}}}\n- apiVersion: scheduling.k8s.io/v1\n  kind: PriorityClass\n  metadata: {{name: low}}\n  value: -5\n---\n{}\n---\n",
        job(SIMPLE_POD_SPEC)
    );
    let sc = ok(&text);
    assert_eq!(sc.name, "t");
    assert_eq!(
        sc.namespaces,
        [NamespaceSpec {
            name: "research".into(),
            labels: labels(&[("team", "a")])
        }]
    );
    assert_eq!(sc.priority_classes[0].value, -5);
    assert_eq!(sc.workloads.len(), 1);
    assert_eq!(sc.workloads[0].loc.line, 14);
}

#[test]
fn nodes_with_taints_capacity_and_submit_at() {
    let sc = ok(
        "apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n  annotations: {kubesim.io/submit-at: 2h}\nspec:\n  unschedulable: true\n  taints:\n  - {key: gpu, value: \"yes\", effect: NoSchedule}\nstatus:\n  capacity: {cpu: 4, memory: 16Gi, example.com/fpga: 2}\n  conditions: [{type: Ready, status: \"True\"}]\n",
    );
    let n = &sc.nodes[0];
    assert_eq!(n.name, "n1");
    assert!(n.unschedulable);
    assert_eq!(n.add_at_ms, 7_200_000);
    assert_eq!(
        n.allocatable,
        rl(&[("cpu", 4_000), ("example.com/fpga", 2_000), ("memory", 16 << 30)])
    );
    assert_eq!(
        n.taints,
        [Taint {
            key: "gpu".into(),
            value: "yes".into(),
            effect: TaintEffect::NoSchedule
        }]
    );
}

#[test]
fn pod_totals_recomputed_from_containers_equal_the_loaded_ones() {
    // Containers, sidecars, init containers, overhead and pod-level resources together.
    let sc = ok(r#"apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  overhead: {cpu: 100m, memory: 64Mi}
  resources: {limits: {memory: 16Gi}}
  initContainers:
  - {name: side, restartPolicy: Always, resources: {requests: {cpu: "1"}, limits: {nvidia.com/gpu: 1}}}
  - {name: init, resources: {requests: {cpu: "3", memory: 1Gi}}}
  containers:
  - {name: a, resources: {requests: {cpu: 500m, memory: 2Gi}, limits: {cpu: "1"}}}
  - {name: b, resources: {limits: {cpu: "2", memory: 4Gi}}}
"#);
    let WorkloadKind::Pod(t) = &sc.workloads[0].kind else {
        panic!()
    };
    // cpu requests: a 0.5 + b 2 + side 1 = 3.5; init 3 + side 1 = 4 wins; + overhead 0.1.
    // memory requests: 2Gi + 4Gi = 6Gi + 64Mi, replaced by the pod-level 16Gi (from its limit).
    assert_eq!(
        t.requests,
        rl(&[("cpu", 4_100), ("memory", 16 << 30), ("nvidia.com/gpu", 1_000)])
    );
    // cpu limits: 1 + 2 = 3 (+ 0.1); memory: pod level; gpu: the sidecar's.
    assert_eq!(
        t.limits,
        rl(&[("cpu", 3_100), ("memory", 16 << 30), ("nvidia.com/gpu", 1_000)])
    );
    assert_eq!(t.overhead, rl(&[("cpu", 100), ("memory", 64 << 20)]));
    assert_eq!(t.pod_level_requests, rl(&[("memory", 16 << 30)]));
    assert_eq!(t.pod_level_limits, rl(&[("memory", 16 << 30)]));
    let names: Vec<&str> = t.containers.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "side", "init"]);
    let mut again = t.clone();
    again.requests.clear();
    again.limits.clear();
    crate::input::resources::recompute_totals(&mut again);
    assert_eq!(&again, t);
}

#[test]
fn job_spec_fields_are_all_converted() {
    let text = job(r#"  annotations:
    kubesim.io/exit-code: "3"
    kubesim.io/suspend-at: 1h
    kubesim.io/resume-at: 2h
    kubesim.io/failures: "2"
spec:
  completions: 8
  parallelism: 4
  completionMode: Indexed
  backoffLimitPerIndex: 1
  maxFailedIndexes: 2
  podReplacementPolicy: Failed
  activeDeadlineSeconds: 3600
  ttlSecondsAfterFinished: 100
  suspend: true
  podFailurePolicy:
    rules:
    - action: FailIndex
      onExitCodes: {containerName: main, operator: In, values: [42]}
    - action: Ignore
      onPodConditions: [{type: DisruptionTarget}]
  successPolicy:
    rules: [{succeededIndexes: "0-3", succeededCount: 2}]
  template:
    metadata:
      labels: {app: x}
      annotations: {kubesim.io/duration: 90s, kubesim.io/exit-code: "4"}
    spec:
      restartPolicy: Never
      priorityClassName: high
      priority: 7
      preemptionPolicy: Never
      terminationGracePeriodSeconds: 5
      schedulerName: volcano
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions: [{key: gpu, operator: In, values: [a100, h100]}]
      tolerations: [{operator: Exists}]
      initContainers:
      - name: init
        resources: {requests: {cpu: "10", memory: 1Gi}}
      - name: sidecar
        restartPolicy: Always
        resources: {requests: {cpu: 500m}}
      containers:
      - name: main
        resources: {limits: {cpu: "2", memory: 4Gi}}
      - name: helper
        resources: {requests: {cpu: 250m}}
"#);
    let sc = ok(&text);
    let w = &sc.workloads[0];
    assert_eq!(w.suspend_at_ms, Some(3_600_000));
    assert_eq!(w.resume_at_ms, Some(7_200_000));
    let WorkloadKind::Job(j) = &w.kind else { panic!() };
    assert_eq!(j.completions, Some(8));
    assert_eq!(j.completion_mode, CompletionMode::Indexed);
    assert_eq!(j.backoff_limit_per_index, Some(1));
    assert_eq!(j.max_failed_indexes, Some(2));
    assert_eq!(j.pod_replacement_policy, Some(PodReplacementPolicy::Failed));
    assert_eq!(j.active_deadline_s, Some(3600));
    assert_eq!(j.ttl_seconds_after_finished, Some(100));
    assert!(j.suspend);
    let pfp = j.pod_failure_policy.as_ref().unwrap();
    assert_eq!(pfp[0].action, PfpAction::FailIndex);
    assert_eq!(
        pfp[0].on_exit_codes,
        Some(PfpExitCodes {
            container_name: Some("main".into()),
            operator: ExitCodeOperator::In,
            values: vec![42]
        })
    );
    assert_eq!(
        pfp[1].on_pod_conditions,
        [PfpPodCondition {
            condition_type: "DisruptionTarget".into(),
            status: "True".into()
        }]
    );
    assert_eq!(
        j.success_policy,
        [SuccessPolicyRule {
            succeeded_indexes: Some("0-3".into()),
            succeeded_count: Some(2)
        }]
    );
    let t = &j.template;
    assert_eq!(t.labels, labels(&[("app", "x")]));
    // cpu: containers 2 + 0.25 + sidecar 0.5 = 2.75; init 10 (+ no sidecar before it) wins.
    // memory: containers 4Gi (request from limit); init 1Gi.
    assert_eq!(t.requests, rl(&[("cpu", 10_000), ("memory", 4 << 30)]));
    assert_eq!(t.limits, rl(&[("cpu", 2_000), ("memory", 4 << 30)]));
    assert_eq!(t.container_names, ["main", "helper", "init", "sidecar"]);
    // Per container, in that order, requests defaulted from limits.
    let c = &t.containers;
    assert_eq!(
        c.iter().map(|c| (c.init, c.sidecar)).collect::<Vec<_>>(),
        [(false, false), (false, false), (true, false), (true, true)]
    );
    assert_eq!(c[0].requests, rl(&[("cpu", 2_000), ("memory", 4 << 30)]));
    assert_eq!(c[0].limits, c[0].requests);
    assert_eq!(c[3].requests, rl(&[("cpu", 500)]));
    let mut again = t.clone();
    crate::input::resources::recompute_totals(&mut again);
    assert_eq!(&again, t);
    assert_eq!(t.priority_class_name.as_deref(), Some("high"));
    assert_eq!(t.priority, Some(7));
    assert_eq!(t.preemption_policy, Some(PreemptionPolicy::Never));
    assert_eq!(t.termination_grace_ms, 5_000);
    assert_eq!(t.scheduler_name.as_deref(), Some("volcano"));
    assert_eq!(t.affinity_terms[0].match_expressions[0].values, ["a100", "h100"]);
    assert_eq!(t.tolerations[0].operator, TolerationOperator::Exists);
    // The template's annotations win over the Job's.
    assert_eq!(
        t.hints,
        SimHints {
            duration_ms: Some(90_000),
            exit_code: 4,
            failures: 2,
            terminate_after_ms: 0,
            fail_indexes: vec![],
            gang_size: None,
        }
    );
}

#[test]
fn bare_pod_and_arrival_patterns() {
    let sc = ok(r#"apiVersion: v1
kind: Pod
metadata:
  name: p
  labels: {a: b}
  annotations: {kubesim.io/duration: 1m}
spec:
  nodeName: n1
  containers: [{name: c, resources: {requests: {nvidia.com/gpu: 2}}}]
---
apiVersion: kubesim.io/v1alpha1
kind: Arrivals
metadata: {name: burst}
spec:
  at: [0, 10s, 1m]
  start: 1h
  duration: {lognormal: {median: 10m, sigma: 1.5}}
  failure: {probability: 0.1, exitCode: 2}
  template:
    apiVersion: v1
    kind: Pod
    spec: {containers: [{name: c}]}
---
apiVersion: kubesim.io/v1alpha1
kind: Arrivals
metadata: {name: grow}
spec:
  count: 3
  every: 30m
  duration: {uniform: {min: 1m, max: 2m}}
  template:
    apiVersion: v1
    kind: Node
    metadata: {name: spot}
    status: {allocatable: {cpu: 8}}
"#);
    let WorkloadKind::Pod(p) = &sc.workloads[0].kind else {
        panic!()
    };
    assert_eq!(p.restart_policy, RestartPolicy::Always);
    assert_eq!(p.node_name.as_deref(), Some("n1"));
    assert_eq!(p.labels, labels(&[("a", "b")]));
    assert_eq!(p.requests, rl(&[("nvidia.com/gpu", 2_000)]));
    assert_eq!(p.hints.duration_ms, Some(60_000));
    let a = &sc.arrivals[0];
    assert_eq!(a.count, 3);
    assert_eq!(a.start_ms, 3_600_000);
    assert_eq!(
        a.pattern,
        ArrivalPattern::At {
            times_ms: vec![0, 10_000, 60_000]
        }
    );
    assert_eq!(
        a.duration,
        Some(DurationDist::LogNormal {
            median_ms: 600_000,
            sigma: 1.5
        })
    );
    assert_eq!(
        a.failure,
        Some(FailureDist {
            probability: 0.1,
            exit_code: 2
        })
    );
    let ArrivalTemplate::Workload(w) = &a.template else {
        panic!()
    };
    assert_eq!((w.name.as_str(), w.namespace.as_str()), ("burst", "default"));
    let g = &sc.arrivals[1];
    assert_eq!(g.pattern, ArrivalPattern::Every { interval_ms: 1_800_000 });
    assert!(matches!(&g.template, ArrivalTemplate::Node(n) if n.name == "spot"));
}

#[test]
fn simulation_options() {
    let sc = ok(r#"apiVersion: kubesim.io/v1alpha1
kind: Simulation
metadata: {name: s}
spec:
  seed: 18446744073709551615
  startTime: 2026-03-01T08:00:00+01:00
  policies: [kueue, my-policy]
  maxEvents: 1000
  latencies: {jobSyncBatch: 2s, popFromBackoffQ: false, podMaxBackoff: 1m}
---
apiVersion: kubesim.io/v1alpha1
kind: SchedulerPolicy
metadata: {name: my-policy}
spec: {base: kube-default}
"#);
    assert_eq!(sc.sim.seed, u64::MAX);
    assert_eq!(sc.sim.start_time, "2026-03-01T08:00:00+01:00");
    assert_eq!(sc.sim.policies, ["kueue", "my-policy"]);
    assert_eq!(sc.sim.max_events, 1000);
    assert_eq!(sc.sim.latencies.job_sync_batch_ms, 2_000);
    assert!(!sc.sim.latencies.pop_from_backoff_q);
    assert_eq!(sc.sim.latencies.pod_max_backoff_ms, 60_000);
    assert_eq!(sc.not_simulated[0].kind, "SchedulerPolicy");
}

#[test]
fn files_and_folders_load_in_order() {
    let dir = std::env::temp_dir().join(format!("kubesim-loader-test-{}", std::process::id()));
    let sub = dir.join("cluster");
    std::fs::create_dir_all(&sub).unwrap();
    let node =
        |n: &str| format!("apiVersion: v1\nkind: Node\nmetadata: {{name: {n}}}\nstatus: {{allocatable: {{cpu: 1}}}}\n");
    std::fs::write(sub.join("b.yaml"), node("b")).unwrap();
    std::fs::write(sub.join("a.yml"), node("a")).unwrap();
    std::fs::write(sub.join("notes.txt"), "not yaml").unwrap();
    std::fs::write(dir.join("z.yaml"), node("z")).unwrap();
    let sc = load(&[dir.join("z.yaml"), sub.clone()]).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = sc.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["z", "a", "b"]);
    assert_eq!(sc.name, "z");
    assert_eq!(sc.nodes[1].loc.file, sub.join("a.yml"));

    // Two Simulation objects in two files: the error names the second file and line.
    let sim = "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: s}\n";
    std::fs::write(dir.join("s1.yaml"), sim).unwrap();
    std::fs::write(dir.join("s2.yaml"), format!("# comment\n{sim}")).unwrap();
    let e = load(&[dir.join("s1.yaml"), dir.join("s2.yaml")]).unwrap_err();
    assert_eq!(e.file, Some(dir.join("s2.yaml")), "{e}");
    assert_eq!(e.line, Some(3), "{e}");
    assert!(e.message.contains("second Simulation"), "{e}");
    assert!(e.message.contains("s1.yaml:1"), "{e}");

    let missing = load(&[dir.join("nope.yaml")]).unwrap_err();
    assert_eq!(missing.file, Some(dir.join("nope.yaml")));
    std::fs::remove_dir_all(&dir).unwrap();
}

// ----- bad inputs -----------------------------------------------------------------------------

#[test]
fn yaml_syntax_error_has_absolute_line() {
    let text = format!(
        "{}---\n{JOB_HEAD}spec:\n  template: {{spec: [oops}}\n",
        job(SIMPLE_POD_SPEC)
    );
    let e = bad(&text);
    assert_eq!(e.line, Some(18), "{e}");
    assert!(e.message.starts_with("invalid YAML"), "{e}");
    assert!(e.column.is_some());
}

#[test]
fn unknown_kind_names_line_and_lists_supported() {
    let e = bad(&format!(
        "{}---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d}}\n",
        job(SIMPLE_POD_SPEC)
    ));
    check(&e, 14, "kind", &["apps/v1 Deployment", "batch/v1 Job", "v1 Node"]);
    let e = bad("apiVersion: batch/v2\nkind: Job\nmetadata: {name: j}\n");
    check(&e, 2, "kind", &["batch/v2 Job", "supported as batch/v1 Job"]);
}

#[test]
fn missing_required_fields() {
    let e = bad("kind: Job\nmetadata: {name: j}\n");
    check(&e, 1, "apiVersion", &["missing required field `apiVersion`"]);
    let e = bad("apiVersion: v1\nmetadata: {name: j}\n");
    check(&e, 1, "kind", &["`kind`"]);
    let e = bad("apiVersion: batch/v1\nkind: Job\nmetadata:\n  namespace: x\n");
    check(&e, 3, "metadata.name", &["`name`", "metadata.name"]);
    let e = bad("apiVersion: batch/v1\nkind: CronJob\nspec: {}\n");
    check(&e, 1, "metadata", &["`metadata`"]);
    let e = bad(&job("spec:\n  completions: 1\n"));
    check(&e, 5, "spec.template", &["`template`"]);
    let e = bad(&job(
        "spec:\n  template:\n    spec:\n      containers:\n      - image: x\n",
    ));
    check(&e, 9, "spec.template.spec.containers[0].name", &["`name`"]);
    let e = bad(
        "apiVersion: kubesim.io/v1alpha1\nkind: Arrivals\nmetadata: {name: a}\nspec:\n  every: 1m\n  template: {apiVersion: v1, kind: Pod, spec: {containers: [{name: c}]}}\n",
    );
    check(&e, 4, "spec.count", &["`count`"]);
    let e = bad(
        "apiVersion: kubesim.io/v1alpha1\nkind: Arrivals\nmetadata: {name: a}\nspec:\n  count: 5\n  template: {apiVersion: v1, kind: Pod, spec: {containers: [{name: c}]}}\n",
    );
    check(&e, 4, "spec.every", &["missing arrival pattern", "poisson"]);
    let e = bad("apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n");
    check(&e, 1, "status", &["allocatable"]);
}

#[test]
fn bad_durations_and_quantities() {
    let e = bad(&job("  annotations:\n    kubesim.io/duration: 20 minutes\nspec: {}\n"));
    check(
        &e,
        6,
        "metadata.annotations.kubesim.io/duration",
        &["invalid duration \"20 minutes\"", "90s"],
    );
    let e = bad("apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: s}\nspec:\n  horizon: -5m\n");
    check(&e, 5, "spec.horizon", &["negative duration \"-5m\""]);
    assert_eq!(e.column, Some(12));
    let e = bad(&job(
        "spec:\n  template:\n    spec:\n      containers:\n      - name: c\n        resources:\n          requests:\n            cpu: 2 cores\n",
    ));
    check(
        &e,
        12,
        "spec.template.spec.containers[0].resources.requests.cpu",
        &["invalid quantity \"2 cores\" for cpu"],
    );
    let e = bad(&job(
        "spec:\n  template:\n    spec:\n      containers:\n      - name: c\n        resources: {limits: {memory: -1Gi}}\n",
    ));
    check(
        &e,
        10,
        "spec.template.spec.containers[0].resources.limits.memory",
        &["negative"],
    );
}

#[test]
fn two_simulations_in_one_file() {
    let sim = "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: s}\n";
    let e = bad(&format!("{sim}---\n{}", sim.replace("name: s", "name: s2")));
    check(&e, 6, "kind", &["second Simulation", "t.yaml:1"]);
}

#[test]
fn unknown_kubesim_annotation() {
    let e = bad(&job("  annotations:\n    kubesim.io/durration: 5m\nspec: {}\n"));
    check(
        &e,
        6,
        "metadata.annotations.kubesim.io/durration",
        &[
            "unknown kubesim annotation",
            "kubesim.io/duration",
            "kubesim.io/resume-at",
        ],
    );
    // On the pod template too; and Job-only annotations on a Pod are rejected.
    let e = bad(&job(
        "spec:\n  template:\n    metadata:\n      annotations: {kubesim.io/foo: x}\n    spec: {containers: [{name: c}]}\n",
    ));
    check(&e, 8, "spec.template.metadata.annotations.kubesim.io/foo", &["unknown"]);
    let e = bad(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {kubesim.io/suspend-at: 1h}\nspec: {containers: [{name: c}]}\n",
    );
    check(&e, 5, "metadata.annotations.kubesim.io/suspend-at", &["Jobs"]);
}

#[test]
fn typo_in_modelled_fields() {
    let e = bad(&job(
        "spec:\n  backofLimit: 3\n  template: {spec: {containers: [{name: c}]}}\n",
    ));
    check(
        &e,
        6,
        "spec.backofLimit",
        &[
            "unknown field `backofLimit` in a Job spec",
            "did you mean `backoffLimit`",
            "completions",
        ],
    );
    assert_eq!(e.column, Some(3));
    let e = bad(&job(
        "spec:\n  template:\n    spec:\n      nodeSelecter: {a: b}\n      containers: [{name: c}]\n",
    ));
    check(
        &e,
        8,
        "spec.template.spec.nodeSelecter",
        &["did you mean `nodeSelector`"],
    );
    let e = bad(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: s}\nspec:\n  latencies: {jobSyncBatchh: 1s}\n",
    );
    check(&e, 5, "spec.latencies.jobSyncBatchh", &["jobSyncBatch"]);
    let e = bad("apiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {name: p}\nspec:\n  cuont: 3\n");
    check(&e, 5, "spec.cuont", &["did you mean `count`"]);
}

/// A Job with `spec` lines (indented two spaces) before its pod template, and container
/// `resources`.
fn bounded_job(annotations: &str, spec: &str, resources: &str) -> String {
    format!(
        "{JOB_HEAD}  annotations: {{{annotations}}}\nspec:\n{spec}  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - {{name: c, resources: {resources}}}\n"
    )
}

fn arrivals(spec: &str) -> String {
    format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Arrivals\nmetadata: {{name: a}}\nspec:\n{spec}  template: {{apiVersion: v1, kind: Pod, spec: {{containers: [{{name: c}}]}}}}\n"
    )
}

#[test]
fn limits_are_enforced() {
    let pool = |n: u64| {
        format!(
            "apiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {{name: p}}\nspec:\n  count: {n}\n  template: {{apiVersion: v1, kind: Node, status: {{allocatable: {{cpu: 1}}}}}}\n"
        )
    };
    let at: Vec<String> = (0..100_001).map(|i| format!("{i}s")).collect();
    let volcano = |tasks: &str| {
        format!("apiVersion: batch.volcano.sh/v1alpha1\nkind: Job\nmetadata: {{name: v}}\nspec:\n  tasks:\n{tasks}")
    };
    let task = |name: &str, replicas: u64| {
        format!("  - {{name: {name}, replicas: {replicas}, template: {{spec: {{containers: [{{name: c}}]}}}}}}\n")
    };
    let node_arrivals = "apiVersion: kubesim.io/v1alpha1\nkind: Arrivals\nmetadata: {name: nodes}\nspec:\n  count: 10000\n  every: 1s\n  template: {apiVersion: v1, kind: Node, status: {allocatable: {memory: 8Pi}}}\n";
    let simulation =
        |spec: &str| format!("apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: s}}\nspec:\n{spec}");
    let no_res = "{}";
    // (case, scenario, line, field, words in the message or fix)
    let cases: Vec<(&str, String, usize, &str, Vec<&str>)> = vec![
        (
            "NodePool count",
            pool(1_000_001),
            5,
            "spec.count",
            vec!["count 1000001 is beyond the limit of 1000000 nodes"],
        ),
        (
            "Arrivals count",
            arrivals("  count: 10000001\n  every: 1s\n"),
            5,
            "spec.count",
            vec!["count 10000001 is beyond the limit of 10000000 copies"],
        ),
        ("Arrivals count 0", arrivals("  count: 0\n  every: 1s\n"), 5, "spec.count", vec!["0 is out of range"]),
        (
            "at list",
            arrivals(&format!("  at: [{}]\n", at.join(", "))),
            5,
            "spec.at",
            vec!["100001 entries exceed the limit of 100000"],
        ),
        (
            "two patterns",
            arrivals("  count: 2\n  every: 1s\n  poisson: {meanInterval: 1s}\n"),
            7,
            "spec.poisson",
            vec!["two arrival patterns"],
        ),
        (
            "Job completions",
            bounded_job("", "  completions: 1000000000\n", no_res),
            7,
            "spec.completions",
            vec!["completions 1000000000 is beyond the limit of 100000 pods per workload"],
        ),
        (
            "Job parallelism",
            bounded_job("", "  parallelism: 100001\n", no_res),
            7,
            "spec.parallelism",
            vec!["parallelism 100001 is beyond the limit of 100000"],
        ),
        (
            "Job maxFailedIndexes",
            bounded_job(
                "",
                "  completionMode: Indexed\n  completions: 4\n  backoffLimitPerIndex: 1\n  maxFailedIndexes: 100001\n",
                no_res,
            ),
            10,
            "spec.maxFailedIndexes",
            vec!["maxFailedIndexes 100001 is beyond the limit of 100000"],
        ),
        (
            "gang size",
            bounded_job("kubesim.io/gang-size: \"2147483647\"", "", no_res),
            5,
            "metadata.annotations.kubesim.io/gang-size",
            vec!["invalid gang size \"2147483647\"", "100000"],
        ),
        (
            "onPodConditions patterns",
            bounded_job(
                "",
                &format!(
                    "  podFailurePolicy:\n    rules:\n    - action: Ignore\n      onPodConditions: [{}]\n",
                    vec!["{type: A}"; 21].join(", ")
                ),
                no_res,
            ),
            10,
            "spec.podFailurePolicy.rules[0].onPodConditions",
            vec!["21 patterns; at most 20"],
        ),
        (
            "activeDeadlineSeconds",
            bounded_job("", "  activeDeadlineSeconds: 9223372036854775807\n", no_res),
            7,
            "spec.activeDeadlineSeconds",
            vec!["activeDeadlineSeconds 9223372036854775807 is beyond the limit of 3153600000"],
        ),
        (
            "a duration beyond 100 years",
            bounded_job("kubesim.io/duration: 36501d", "", no_res),
            5,
            "metadata.annotations.kubesim.io/duration",
            vec!["kubesim.io/duration 100y is beyond the limit of 100 years"],
        ),
        (
            "horizon",
            simulation("  horizon: 18446744073709551615ms\n"),
            5,
            "spec.horizon",
            vec!["horizon 584942417y is beyond the limit of 10 years"],
        ),
        (
            "one quantity",
            bounded_job("", "", "{requests: {memory: 1E}}"),
            11,
            "spec.template.spec.containers[0].resources.requests.memory",
            vec!["beyond the limit of 8Pi"],
        ),
        (
            "a pod's containers together",
            format!(
                "{JOB_HEAD}spec:\n  template:\n    spec:\n      containers:\n      - {{name: a, resources: {{requests: {{memory: 8Pi}}}}}}\n      - {{name: b, resources: {{requests: {{memory: 8Pi}}}}}}\n"
            ),
            5,
            "spec.template.spec",
            vec!["16Pi", "beyond the limit of 8Pi"],
        ),
        (
            "per-pod amount times pods",
            bounded_job("", "  completions: 100000\n", "{requests: {memory: 8Pi}}"),
            6,
            "spec.template.spec",
            vec!["100000 pods of 8Pi", "more than kubesim can count"],
        ),
        (
            "Volcano task replicas",
            volcano(&task("a", 100_001)),
            6,
            "spec.tasks[0].replicas",
            vec!["replicas 100001 is beyond the limit of 100000"],
        ),
        (
            "Volcano total replicas",
            volcano(&format!("{}{}", task("a", 60_000), task("b", 60_000))),
            7,
            "spec.tasks[1]",
            vec!["120000 replicas, beyond the limit of 100000 pods per workload"],
        ),
        (
            "PodGroup minMember",
            "apiVersion: scheduling.x-k8s.io/v1alpha1\nkind: PodGroup\nmetadata: {name: g}\nspec: {minMember: 100001}\n"
                .to_string(),
            4,
            "spec.minMember",
            vec!["minMember 100001 is beyond the limit of 100000"],
        ),
        (
            "pods created up front",
            "apiVersion: kubesim.io/v1alpha1\nkind: Arrivals\nmetadata: {name: a}\nspec:\n  count: 10000000\n  every: 1s\n  template: {apiVersion: batch/v1, kind: Job, spec: {completions: 6, template: {spec: {restartPolicy: Never, containers: [{name: c}]}}}}\n".to_string(),
            3,
            "metadata.name",
            vec!["creates 60000000 pods even if none fails", "limit of 50000000 pods"],
        ),
        (
            "cluster capacity",
            node_arrivals.to_string(),
            3,
            "metadata.name",
            vec!["the cluster's total \"memory\" is more than kubesim can count"],
        ),
    ];
    for (name, text, line, field, words) in cases {
        let e = load_str("t.yaml", &text).expect_err(name);
        check(&e, line, field, &words);
    }
}

/// A CronJob with `schedule`, its Job running `duration`.
fn cron_job(schedule: &str) -> String {
    format!(
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: c}}\nspec:\n  schedule: \"{schedule}\"\n  jobTemplate:\n    metadata: {{annotations: {{kubesim.io/duration: 1s}}}}\n    spec: {{template: {{spec: {{restartPolicy: Never, containers: [{{name: c}}]}}}}}}\n"
    )
}

#[test]
fn cron_fires_are_estimated_and_bounded() {
    let sim = |horizon: &str| {
        format!(
            "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: s}}\nspec: {{horizon: {horizon}}}\n---\n"
        )
    };
    let work = format!(
        "---\n{}",
        job(
            "  annotations: {kubesim.io/duration: 2h}\nspec: {template: {spec: {restartPolicy: Never, containers: [{name: c}]}}}\n"
        )
    );
    // (case, scenario, estimated fires)
    let loads: &[(&str, String, u64)] = &[
        (
            "hourly for a week",
            format!("{}{}", sim("7d"), cron_job("0 * * * *")),
            168,
        ),
        (
            "every minute for two years",
            format!("{}{}", sim("730d"), cron_job("* * * * *")),
            730 * 1440,
        ),
        ("no horizon and no other work", cron_job("@every 1s"), 0),
        (
            "no horizon: until a 2 h Job ends",
            format!("{}{work}", cron_job("@every 1s")),
            7199,
        ),
    ];
    for (name, text, fires) in loads {
        let sc = load_str("t.yaml", text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(sc.cron_fires, *fires, "{name}");
    }
    let e = bad(&format!("{}{}", sim("365d"), cron_job("@every 1s")));
    check(
        &e,
        6,
        "spec.schedule",
        &[
            "fire about 31535999 times in a run, beyond the limit of 5000000",
            "schedule \"@every 1s\"",
            "until the horizon (1y)",
        ],
    );
}

#[test]
fn cross_object_errors() {
    let node = "apiVersion: v1\nkind: Node\nmetadata: {name: p-1}\nstatus: {allocatable: {cpu: 1}}\n";
    let e = bad(&format!(
        "{node}---\n{JOB_HEAD}spec: {{template: {{spec: {{containers: [{{name: c}}]}}}}}}\n---\n{node}"
    ));
    check(&e, 14, "metadata.name", &["a second Node named \"p-1\"", "t.yaml:1"]);
    // A Job and a Volcano Job may share a name; two Jobs in one namespace may not.
    let vc = "apiVersion: batch.volcano.sh/v1alpha1\nkind: Job\nmetadata: {name: j}\nspec: {tasks: [{replicas: 1, template: {spec: {containers: [{name: c}]}}}]}\n";
    let j = job("spec: {template: {spec: {containers: [{name: c}]}}}\n");
    ok(&format!("{vc}---\n{j}"));
    let e = bad(&format!("{j}---\n{j}"));
    check(&e, 10, "metadata.name", &["second Job named \"default/j\""]);
    let e = bad(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: s}\nspec:\n  policies: [kube-default, gang]\n",
    );
    check(
        &e,
        5,
        "spec.policies[1]",
        &["unknown policy \"gang\"", "volcano-preempt"],
    );
    let pc = |n: &str| {
        format!(
            "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {{name: {n}}}\nvalue: 1\nglobalDefault: true\n"
        )
    };
    let e = bad(&format!("{}---\n{}", pc("a"), pc("b")));
    check(&e, 11, "globalDefault", &["second PriorityClass with globalDefault"]);
}

#[test]
fn type_and_value_errors() {
    let e = bad(&job(
        "spec:\n  parallelism: two\n  template: {spec: {containers: [{name: c}]}}\n",
    ));
    // The type found, not the text: a file that is not YAML at all reads as one string.
    check(&e, 6, "spec.parallelism", &["expected an integer, found a string"]);
    let e = bad(&job(
        "spec:\n  template:\n    spec:\n      restartPolicy: Always\n      containers: [{name: c}]\n",
    ));
    check(&e, 8, "spec.template.spec.restartPolicy", &["Never or OnFailure"]);
    let e = bad(
        "apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n  labels: {gpu: on}\nstatus: {allocatable: {cpu: 1}}\n",
    );
    check(&e, 5, "metadata.labels.gpu", &["expected a string", "quote"]);
    let e = bad("- just\n- a list\n");
    check(&e, 1, "", &["must be a Kubernetes object"]);
    let e = bad(&job(
        "spec:\n  podFailurePolicy: {rules: [{action: FailJob, onExitCodes: {operator: In, values: [0]}}]}\n  template: {spec: {restartPolicy: Never, containers: [{name: c}]}}\n",
    ));
    check(
        &e,
        6,
        "spec.podFailurePolicy.rules[0].onExitCodes.values[0]",
        &["exit code 0"],
    );
}

#[test]
fn never_panics_on_odd_input() {
    let inputs = [
        "",
        "---",
        "~",
        "42",
        "apiVersion: [1]\nkind: Job\n",
        "apiVersion: v1\nkind: List\nitems: 3\n",
        "apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: List, items: []}]\n",
        "a: &x [*x]\n",
        "? [a, b]\n: c\n",
        "apiVersion: v1\nkind: Node\nmetadata: {name: n}\nstatus: {allocatable: {cpu: 1e400}}\n",
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec: {template: {spec: {containers: {}}}}\n",
        "\u{feff}apiVersion: v1\n",
        "\t\t\n:",
    ];
    for text in inputs {
        let _ = load_str("t.yaml", text);
    }
    // Empty streams load as an empty scenario.
    let sc = ok("---\n# nothing\n");
    assert!(sc.workloads.is_empty());
}

#[test]
fn alias_bomb_is_refused_quickly() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let e = bad(&text);
    assert!(e.message.contains("expands too much"), "{e}");
}

#[test]
#[ignore = "prints sample errors for review"]
fn print_sample_errors() {
    for text in [
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n".to_string(),
        job("spec:\n  backofLimit: 3\n"),
        job("  annotations: {kubesim.io/durration: 5m}\nspec: {}\n"),
        job(
            "spec:\n  template:\n    spec:\n      containers:\n      - name: c\n        resources: {requests: {cpu: 2 cores}}\n",
        ),
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: s}\nspec:\n  horizon: 5\n".to_string(),
        "a: [\n".to_string(),
    ] {
        println!("{}\n", bad(&text));
    }
}

#[test]
#[ignore = "expands a million nodes: about 5 s in a debug build"]
fn node_pool_at_the_limit_loads() {
    let text = "apiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {name: p}\nspec:\n  count: 1000000\n  template: {apiVersion: v1, kind: Node, metadata: {name: big}, status: {allocatable: {cpu: 1, nvidia.com/gpu: 8}}}\n";
    let sc = ok(text);
    assert_eq!(sc.nodes.len(), 1_000_000);
    assert_eq!(sc.nodes[999_999].name, "big-999999");
}

#[test]
fn node_limit_counts_every_node() {
    let one = "apiVersion: v1\nkind: Node\nmetadata: {name: one}\nstatus: {allocatable: {cpu: 1}}\n";
    let pool = "apiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {name: p}\nspec:\n  count: 1000000\n  template: {apiVersion: v1, kind: Node, status: {allocatable: {cpu: 1}}}\n";
    let e = bad(&format!("{one}---\n{pool}"));
    check(&e, 10, "spec.count", &["more than 1000000 nodes"]);
}

// ----- gangs: Volcano Jobs, PodGroups, Queues -------------------------------------------------

const VC_HEAD: &str = "apiVersion: batch.volcano.sh/v1alpha1\nkind: Job\nmetadata:\n  name: v\n";

/// A Volcano Job: `VC_HEAD` (4 lines) then `rest`, from line 5.
fn vcjob(rest: &str) -> String {
    format!("{VC_HEAD}{rest}")
}

/// A task (3 lines) named `name` with `replicas`, inside `spec.tasks`.
fn vc_task(name: &str, replicas: u32) -> String {
    format!("  - name: {name}\n    replicas: {replicas}\n    template: {{spec: {{containers: [{{name: c}}]}}}}\n")
}

fn the_vcjob(sc: &Scenario) -> &VolcanoJobSpec {
    match &sc.workloads[0].kind {
        WorkloadKind::VolcanoJob(v) => v,
        other => panic!("not a Volcano Job: {other:?}"),
    }
}

#[test]
fn volcano_job_fields_are_all_converted() {
    let sc = ok(&vcjob(
        r#"  namespace: ml
  labels: {team: a}
  annotations:
    kubesim.io/submit-at: 10m
    kubesim.io/duration: 1h
    kubesim.io/failures: "1"
    example.com/owner: me
spec:
  minAvailable: 3
  queue: research
  schedulerName: volcano
  priorityClassName: high
  maxRetry: 5
  minSuccess: 2
  ttlSecondsAfterFinished: 600
  runningEstimate: 2h
  plugins: {ssh: [], svc: ["--publish-not-ready-addresses"]}
  volumes: [{mountPath: /data, volumeClaimName: pvc}]
  networkTopology: {mode: hard, highestTierAllowed: 1}
  policies:
  - events: [PodEvicted, PodFailed]
    event: PodEvicted
    action: RestartJob
  - exitCode: 137
    action: AbortJob
  - event: PodPending
    action: TerminateJob
    timeout: 5m
  tasks:
  - name: ps
    replicas: 1
    minAvailable: 1
    maxRetry: 2
    topologyPolicy: none
    policies: [{event: TaskCompleted, action: CompleteJob}]
    template:
      metadata:
        labels: {role: ps}
        annotations:
          kubesim.io/duration: 2h
          kubesim.io/exit-code: "3"
          scheduling.k8s.io/group-name: ignored-by-volcano
      spec:
        restartPolicy: Always
        containers:
        - name: tf
          image: tf:latest
          env: [{name: A, value: b}]
          resources: {limits: {nvidia.com/gpu: 1, cpu: 2}}
  - replicas: 4
    dependsOn: {name: [ps]}
    template:
      spec:
        tolerations: [{key: gpu, operator: Exists}]
        nodeSelector: {gpu: a100}
        containers: [{name: w, resources: {requests: {cpu: 500m}}}]
status:
  state: {phase: Running}
"#,
    ));
    let w = &sc.workloads[0];
    assert_eq!((w.namespace.as_str(), w.name.as_str()), ("ml", "v"));
    assert_eq!(w.labels, labels(&[("team", "a")]));
    assert_eq!(w.annotations["example.com/owner"], "me");
    assert_eq!(w.submit_at_ms, 600_000);
    assert_eq!((w.suspend_at_ms, w.resume_at_ms), (None, None));
    assert_eq!(w.loc.line, 1);

    let mut ps = pod_template(
        "tf",
        rl(&[("cpu", 2_000), ("nvidia.com/gpu", 1_000)]),
        rl(&[("cpu", 2_000), ("nvidia.com/gpu", 1_000)]),
    );
    ps.labels = labels(&[("role", "ps")]);
    ps.restart_policy = RestartPolicy::Always;
    // The template's annotations win over the job's; the Volcano group annotation is the
    // controller's to set.
    ps.hints = SimHints {
        duration_ms: Some(7_200_000),
        exit_code: 3,
        failures: 1,
        ..SimHints::default()
    };
    let mut worker = pod_template("w", rl(&[("cpu", 500)]), rl(&[]));
    worker.node_selector = labels(&[("gpu", "a100")]);
    worker.tolerations = vec![Toleration {
        key: "gpu".into(),
        operator: TolerationOperator::Exists,
        value: String::new(),
        effect: None,
        toleration_seconds: None,
    }];
    worker.hints = SimHints {
        duration_ms: Some(3_600_000),
        failures: 1,
        ..SimHints::default()
    };
    let expected = VolcanoJobSpec {
        min_available: Some(3),
        queue: Some("research".into()),
        scheduler_name: Some("volcano".into()),
        priority_class_name: Some("high".into()),
        max_retry: Some(5),
        min_success: Some(2),
        ttl_seconds_after_finished: Some(600),
        policies: vec![
            VcPolicy {
                events: vec![VcEvent::PodEvicted, VcEvent::PodFailed],
                exit_code: None,
                action: VcAction::RestartJob,
                timeout_ms: None,
            },
            VcPolicy {
                events: vec![],
                exit_code: Some(137),
                action: VcAction::AbortJob,
                timeout_ms: None,
            },
            VcPolicy {
                events: vec![VcEvent::PodPending],
                exit_code: None,
                action: VcAction::TerminateJob,
                timeout_ms: Some(300_000),
            },
        ],
        tasks: vec![
            VcTask {
                name: "ps".into(),
                replicas: 1,
                min_available: Some(1),
                max_retry: Some(2),
                policies: vec![VcPolicy {
                    events: vec![VcEvent::TaskCompleted],
                    exit_code: None,
                    action: VcAction::CompleteJob,
                    timeout_ms: None,
                }],
                template: ps,
            },
            VcTask {
                name: "default1".into(),
                replicas: 4,
                min_available: None,
                max_retry: None,
                policies: vec![],
                template: worker,
            },
        ],
    };
    assert_eq!(the_vcjob(&sc), &expected);
    assert!(sc.not_simulated.is_empty());
}

#[test]
fn volcano_job_minimal_and_every_event_and_action() {
    // No task name, no replicas: default0 with 0 replicas (the API's zero value).
    let sc = ok(&vcjob(
        "spec:\n  tasks: [{template: {spec: {containers: [{name: c}]}}}]\n",
    ));
    let v = the_vcjob(&sc);
    assert_eq!((v.tasks[0].name.as_str(), v.tasks[0].replicas), ("default0", 0));
    assert_eq!((v.min_available, v.queue.as_deref(), v.max_retry), (None, None, None));
    assert_eq!(v.tasks[0].template.restart_policy, RestartPolicy::Never);

    let events = [
        ("PodFailed", VcEvent::PodFailed),
        ("PodEvicted", VcEvent::PodEvicted),
        ("PodPending", VcEvent::PodPending),
        ("PodRunning", VcEvent::PodRunning),
        ("TaskCompleted", VcEvent::TaskCompleted),
        ("TaskFailed", VcEvent::TaskFailed),
        ("Unknown", VcEvent::Unknown),
        ("OutOfSync", VcEvent::OutOfSync),
        ("CommandIssued", VcEvent::CommandIssued),
        ("JobUpdated", VcEvent::JobUpdated),
        ("\"*\"", VcEvent::Any),
    ];
    let actions = [
        ("RestartJob", VcAction::RestartJob),
        ("RestartTask", VcAction::RestartTask),
        ("RestartPod", VcAction::RestartPod),
        ("RestartPartition", VcAction::RestartPartition),
        ("AbortJob", VcAction::AbortJob),
        ("TerminateJob", VcAction::TerminateJob),
        ("CompleteJob", VcAction::CompleteJob),
        ("ResumeJob", VcAction::ResumeJob),
        ("SyncJob", VcAction::SyncJob),
    ];
    for (i, (ev, event)) in events.iter().enumerate() {
        let (act, action) = actions[i % actions.len()];
        let sc = ok(&vcjob(&format!(
            "spec:\n  policies: [{{event: {ev}, action: {act}}}]\n  tasks:\n{}",
            vc_task("a", 1)
        )));
        assert_eq!(
            the_vcjob(&sc).policies,
            [VcPolicy {
                events: vec![*event],
                exit_code: None,
                action,
                timeout_ms: None
            }]
        );
    }
}

#[test]
fn volcano_job_submit_at_on_task_templates() {
    let task = |at: &str| {
        format!(
            "  - replicas: 1\n    template:\n      metadata: {{annotations: {{kubesim.io/submit-at: {at}}}}}\n      spec: {{containers: [{{name: c}}]}}\n"
        )
    };
    // The templates win over the job's metadata when they agree.
    let sc = ok(&format!(
        "{VC_HEAD}  annotations: {{kubesim.io/submit-at: 1m}}\nspec:\n  tasks:\n{}{}",
        task("5m"),
        vc_task("b", 1)
    ));
    assert_eq!(sc.workloads[0].submit_at_ms, 300_000);
    let e = bad(&format!("{VC_HEAD}spec:\n  tasks:\n{}{}", task("5m"), task("6m")));
    check(
        &e,
        13,
        "spec.tasks[1].template.metadata.annotations.kubesim.io/submit-at",
        &[
            "submitted at different times",
            "spec.tasks[0]",
            "Volcano Job's metadata",
        ],
    );
}

#[test]
fn pod_groups_and_queues_are_converted() {
    let sc = ok(r#"apiVersion: scheduling.volcano.sh/v1beta1
kind: PodGroup
metadata: {name: pg, namespace: ml}
spec:
  minMember: 4
  minTaskMember: {worker: 3}
  minResources: {cpu: "8", nvidia.com/gpu: "4"}
  queue: research
  priorityClassName: high
  networkTopology: {mode: soft}
status: {phase: Running}
---
apiVersion: scheduling.volcano.sh/v1beta1
kind: PodGroup
metadata: {name: bare}
---
apiVersion: scheduling.x-k8s.io/v1alpha1
kind: PodGroup
metadata: {name: pg, namespace: ml}
spec:
  minMember: 2
  minResources: {memory: 1Gi}
  scheduleTimeoutSeconds: 30
status: {phase: Scheduling, scheduled: 1}
---
apiVersion: scheduling.volcano.sh/v1beta1
kind: Queue
metadata: {name: research}
spec:
  weight: 3
  capability: {cpu: "100", nvidia.com/gpu: "8"}
  deserved: {cpu: "50"}
  guarantee: {resource: {nvidia.com/gpu: "2"}}
  reclaimable: false
  priority: 10
  parent: root
  type: training
  dequeueStrategy: fifo
  affinity: {nodeGroupAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [g1]}}
  extendClusters: [{name: c1, weight: 1}]
status: {state: Closed}
---
apiVersion: scheduling.volcano.sh/v1beta1
kind: Queue
metadata: {name: plain}
"#);
    let pg = |api, namespace: &str, name: &str, line| PodGroupSpec {
        api,
        namespace: namespace.into(),
        name: name.into(),
        min_member: 1,
        min_resources: None,
        queue: None,
        priority_class_name: None,
        schedule_timeout_s: None,
        loc: SourceLoc {
            file: "t.yaml".into(),
            line,
        },
    };
    let mut volcano = pg(PodGroupApi::Volcano, "ml", "pg", 1);
    volcano.min_member = 4;
    volcano.min_resources = Some(rl(&[("cpu", 8_000), ("nvidia.com/gpu", 4_000)]));
    volcano.queue = Some("research".into());
    volcano.priority_class_name = Some("high".into());
    let mut cosched = pg(PodGroupApi::Coscheduling, "ml", "pg", 17);
    cosched.min_member = 2;
    cosched.min_resources = Some(rl(&[("memory", 1 << 30)]));
    cosched.schedule_timeout_s = Some(30);
    assert_eq!(
        sc.pod_groups,
        [volcano, pg(PodGroupApi::Volcano, "default", "bare", 13), cosched]
    );
    let q = |name: &str, line| QueueSpec {
        name: name.into(),
        weight: 1,
        capability: Default::default(),
        guarantee: Default::default(),
        deserved: Default::default(),
        reclaimable: true,
        priority: 0,
        state: QueueState::Open,
        loc: SourceLoc {
            file: "t.yaml".into(),
            line,
        },
    };
    let mut research = q("research", 26);
    research.weight = 3;
    research.capability = rl(&[("cpu", 100_000), ("nvidia.com/gpu", 8_000)]);
    research.deserved = rl(&[("cpu", 50_000)]);
    research.guarantee = rl(&[("nvidia.com/gpu", 2_000)]);
    research.reclaimable = false;
    research.priority = 10;
    assert_eq!(sc.queues, [research, q("plain", 43)]);
    assert!(sc.not_simulated.is_empty());
}

#[test]
fn pods_join_pod_groups() {
    let sc = ok(&format!(
        r#"{JOB_HEAD}spec:
  template:
    metadata:
      labels: {{scheduling.x-k8s.io/pod-group: gang-a}}
      annotations: {{example.com/x: "y"}}
    spec: {{containers: [{{name: c}}]}}
---
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations: {{scheduling.k8s.io/group-name: vc-group, other.io/note: "n"}}
spec: {{containers: [{{name: c}}]}}
---
apiVersion: v1
kind: Pod
metadata:
  name: both-same
  labels: {{scheduling.x-k8s.io/pod-group: g}}
  annotations: {{scheduling.k8s.io/group-name: g}}
spec: {{containers: [{{name: c}}]}}
---
apiVersion: v1
kind: Pod
metadata:
  name: empty
  labels: {{scheduling.x-k8s.io/pod-group: ""}}
spec: {{containers: [{{name: c}}]}}
---
{VC_HEAD}spec:
  tasks:
  - template:
      metadata:
        labels: {{scheduling.x-k8s.io/pod-group: co}}
        annotations: {{scheduling.k8s.io/group-name: vc}}
      spec: {{containers: [{{name: c}}]}}
"#
    ));
    let groups: Vec<Option<&str>> = sc
        .workloads
        .iter()
        .map(|w| match &w.kind {
            WorkloadKind::Job(j) => j.template.pod_group.as_deref(),
            WorkloadKind::Pod(p) => p.pod_group.as_deref(),
            WorkloadKind::VolcanoJob(v) => v.tasks[0].template.pod_group.as_deref(),
        })
        .collect();
    assert_eq!(groups, [Some("gang-a"), Some("vc-group"), Some("g"), None, Some("co")]);
    // A pod naming a pod group that no object defines loads (it waits, as in Kubernetes).
    assert!(sc.pod_groups.is_empty());
}

#[test]
fn gang_size_annotation_on_jobs() {
    let sc = ok(&job(
        "  annotations: {kubesim.io/gang-size: \"4\"}\nspec:\n  parallelism: 4\n  template: {spec: {containers: [{name: c}]}}\n",
    ));
    let WorkloadKind::Job(j) = &sc.workloads[0].kind else {
        panic!()
    };
    assert_eq!(j.template.hints.gang_size, Some(4));
    // The template wins.
    let sc = ok(&job(
        "  annotations: {kubesim.io/gang-size: \"4\"}\nspec:\n  template:\n    metadata: {annotations: {kubesim.io/gang-size: \"2\"}}\n    spec: {containers: [{name: c}]}\n",
    ));
    let WorkloadKind::Job(j) = &sc.workloads[0].kind else {
        panic!()
    };
    assert_eq!(j.template.hints.gang_size, Some(2));
    let sc = ok(&job(SIMPLE_POD_SPEC));
    let WorkloadKind::Job(j) = &sc.workloads[0].kind else {
        panic!()
    };
    assert_eq!(j.template.hints.gang_size, None);
}

#[test]
fn gang_errors() {
    let t1 = vc_task("a", 1);
    let pg_head = "apiVersion: scheduling.x-k8s.io/v1alpha1\nkind: PodGroup\nmetadata: {name: g}\n";
    let vpg_head = "apiVersion: scheduling.volcano.sh/v1beta1\nkind: PodGroup\nmetadata: {name: g}\n";
    let q_head = "apiVersion: scheduling.volcano.sh/v1beta1\nkind: Queue\nmetadata: {name: q}\n";
    let pod = |meta: &str| {
        format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n{meta}spec: {{containers: [{{name: c}}]}}\n")
    };
    let cases: Vec<(String, usize, &str, Vec<&str>)> = vec![
        // Volcano Job structure.
        (vcjob(""), 1, "spec", vec!["missing required field `spec`", "tasks"]),
        (vcjob("spec: {queue: q}\n"), 5, "spec.tasks", vec!["`tasks`"]),
        (vcjob("spec:\n  tasks: []\n"), 6, "spec.tasks", vec!["no task", "at least one task"]),
        (
            vcjob(&format!("spec:\n  minAvailible: 1\n  tasks:\n{t1}")),
            6,
            "spec.minAvailible",
            vec!["unknown field `minAvailible` in a Volcano Job spec", "did you mean `minAvailable`", "plugins"],
        ),
        (
            vcjob("spec:\n  tasks:\n  - replica: 1\n    template: {spec: {containers: [{name: c}]}}\n"),
            7,
            "spec.tasks[0].replica",
            vec!["a Volcano Job task", "did you mean `replicas`"],
        ),
        (
            vcjob("spec:\n  tasks:\n  - name: a\n"),
            7,
            "spec.tasks[0].template",
            vec!["`template`"],
        ),
        (
            vcjob("spec:\n  tasks:\n  - template: {spec: {containers: [{name: c}], restartPolicy: Sometimes}}\n"),
            7,
            "spec.tasks[0].template.spec.restartPolicy",
            vec!["unknown restartPolicy \"Sometimes\""],
        ),
        // Webhook checks.
        (
            vcjob(&format!("spec:\n  tasks:\n{t1}{t1}")),
            10,
            "spec.tasks[1].name",
            vec!["two tasks are named \"a\"", "spec.tasks[0]"],
        ),
        (
            vcjob(&format!(
                "spec:\n  tasks:\n{}  - template: {{spec: {{containers: [{{name: c}}]}}}}\n",
                vc_task("default1", 1)
            )),
            10,
            "spec.tasks[1]",
            vec!["two tasks are named \"default1\"", "default<i>"],
        ),
        (
            vcjob("spec:\n  tasks:\n  - replicas: -1\n    template: {spec: {containers: [{name: c}]}}\n"),
            7,
            "spec.tasks[0].replicas",
            vec!["-1 is out of range", "from 0"],
        ),
        (
            vcjob("spec:\n  tasks:\n  - replicas: 2\n    minAvailable: 3\n    template: {spec: {containers: [{name: c}]}}\n"),
            8,
            "spec.tasks[0].minAvailable",
            vec!["minAvailable 3 is greater than its replicas 2"],
        ),
        (
            vcjob(&format!("spec:\n  minAvailable: 3\n  tasks:\n{t1}{}", vc_task("b", 1))),
            6,
            "spec.minAvailable",
            vec!["minAvailable 3 is greater than the total replicas of the tasks (2)", "at most 2"],
        ),
        (
            vcjob(&format!("spec:\n  minSuccess: 0\n  tasks:\n{t1}")),
            6,
            "spec.minSuccess",
            vec!["0 is out of range"],
        ),
        (
            vcjob(&format!("spec:\n  maxRetry: -1\n  tasks:\n{t1}")),
            6,
            "spec.maxRetry",
            vec!["-1 is out of range"],
        ),
        // Policies.
        (
            vcjob(&format!("spec:\n  policies:\n  - action: RestartJob\n  tasks:\n{t1}")),
            7,
            "spec.policies[0]",
            vec!["no event, events or exitCode", "exactly one"],
        ),
        (
            vcjob(&format!("spec:\n  policies:\n  - {{event: PodFailed, exitCode: 1, action: RestartJob}}\n  tasks:\n{t1}")),
            7,
            "spec.policies[0]",
            vec!["both an event and an exitCode"],
        ),
        (
            vcjob(&format!("spec:\n  policies:\n  - {{exitCode: 0, action: RestartJob}}\n  tasks:\n{t1}")),
            7,
            "spec.policies[0].exitCode",
            vec!["exitCode 0 is not a valid", "non-zero"],
        ),
        (
            vcjob(&format!(
                "spec:\n  policies:\n  - {{exitCode: 3, action: RestartJob}}\n  - {{exitCode: 3, action: AbortJob}}\n  tasks:\n{t1}"
            )),
            8,
            "spec.policies[1].exitCode",
            vec!["exitCode 3 is already handled by policy 0"],
        ),
        (
            vcjob(&format!(
                "spec:\n  policies:\n  - event: PodFailed\n    action: RestartJob\n  - events: [PodEvicted, PodFailed]\n    action: AbortJob\n  tasks:\n{t1}"
            )),
            9,
            "spec.policies[1].events[1]",
            vec!["event PodFailed is already handled by policy 0", "duplicates"],
        ),
        (
            vcjob(
                "spec:\n  tasks:\n  - name: a\n    policies:\n    - {event: \"*\", action: RestartJob}\n    - {event: PodFailed, action: AbortJob}\n    template: {spec: {containers: [{name: c}]}}\n",
            ),
            10,
            "spec.tasks[0].policies[1].event",
            vec!["event * (any event) cannot be combined"],
        ),
        (
            vcjob(&format!("spec:\n  policies: [{{event: PodFailure, action: RestartJob}}]\n  tasks:\n{t1}")),
            6,
            "spec.policies[0].event",
            vec!["unknown policy event \"PodFailure\"", "PodFailed", "TaskCompleted", "*"],
        ),
        (
            vcjob(&format!("spec:\n  policies: [{{event: PodFailed, action: Restart}}]\n  tasks:\n{t1}")),
            6,
            "spec.policies[0].action",
            vec!["unknown policy action \"Restart\"", "RestartJob", "CompleteJob"],
        ),
        (
            vcjob(&format!("spec:\n  policies:\n  - event: PodFailed\n  tasks:\n{t1}")),
            7,
            "spec.policies[0].action",
            vec!["missing required field `action`", "RestartJob"],
        ),
        (
            vcjob(&format!("spec:\n  policies:\n  - {{event: PodPending, action: AbortJob, timeout: soon}}\n  tasks:\n{t1}")),
            7,
            "spec.policies[0].timeout",
            vec!["invalid duration \"soon\""],
        ),
        (
            vcjob(&format!("spec:\n  policies:\n  - {{event: PodFailed, action: AbortJob, exitcode: 1}}\n  tasks:\n{t1}")),
            7,
            "spec.policies[0].exitcode",
            vec!["a Volcano Job policy", "did you mean `exitCode`"],
        ),
        // Annotations: the Volcano Job is its own scope.
        (
            vcjob(&format!("  annotations: {{kubesim.io/suspend-at: 1h}}\nspec:\n  tasks:\n{t1}")),
            5,
            "metadata.annotations.kubesim.io/suspend-at",
            vec!["no meaning on a Volcano Job", "remove"],
        ),
        (
            vcjob(&format!("  annotations: {{kubesim.io/fail-indexes: \"0\"}}\nspec:\n  tasks:\n{t1}")),
            5,
            "metadata.annotations.kubesim.io/fail-indexes",
            vec!["no meaning on a Volcano Job"],
        ),
        (
            vcjob("spec:\n  tasks:\n  - template:\n      metadata: {annotations: {kubesim.io/gang-size: \"2\"}}\n      spec: {containers: [{name: c}]}\n"),
            8,
            "spec.tasks[0].template.metadata.annotations.kubesim.io/gang-size",
            vec!["no meaning on a Volcano Job", "minAvailable"],
        ),
        // gang-size elsewhere.
        (
            pod("  annotations: {kubesim.io/gang-size: \"2\"}\n"),
            5,
            "metadata.annotations.kubesim.io/gang-size",
            vec!["no meaning on a Pod", "gang-size"],
        ),
        (
            "apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n  annotations: {kubesim.io/gang-size: \"2\"}\nstatus: {allocatable: {cpu: 1}}\n".to_string(),
            5,
            "metadata.annotations.kubesim.io/gang-size",
            vec!["no meaning on a Node"],
        ),
        (
            job("  annotations: {kubesim.io/gang-size: \"0\"}\nspec: {template: {spec: {containers: [{name: c}]}}}\n"),
            5,
            "metadata.annotations.kubesim.io/gang-size",
            vec!["invalid gang size \"0\"", "at least 1"],
        ),
        (
            job("  annotations: {kubesim.io/gang-size: four}\nspec: {template: {spec: {containers: [{name: c}]}}}\n"),
            5,
            "metadata.annotations.kubesim.io/gang-size",
            vec!["invalid gang size \"four\""],
        ),
        (
            job("  annotations: {kubesim.io/gang-size: 4}\nspec: {template: {spec: {containers: [{name: c}]}}}\n"),
            5,
            "metadata.annotations.kubesim.io/gang-size",
            vec!["expected a string", "quote"],
        ),
        // Pod group membership.
        (
            pod("  labels: {scheduling.x-k8s.io/pod-group: a}\n  annotations: {scheduling.k8s.io/group-name: b}\n"),
            6,
            "metadata.annotations.scheduling.k8s.io/group-name",
            vec!["two pod groups", "\"a\"", "\"b\"", "keep one"],
        ),
        // PodGroups.
        (format!("{pg_head}spec: {{}}\n"), 4, "spec.minMember", vec!["missing required field `minMember`"]),
        (pg_head.to_string(), 1, "spec", vec!["missing required field `spec`", "minMember"]),
        (format!("{pg_head}spec:\n  minMember: 0\n"), 5, "spec.minMember", vec!["0 is out of range", "from 1"]),
        (
            format!("{pg_head}spec:\n  minMember: 2\n  queue: q\n"),
            6,
            "spec.queue",
            vec!["unknown field `queue` in a coscheduling PodGroup spec", "scheduleTimeoutSeconds"],
        ),
        (
            format!("{pg_head}spec:\n  minMember: 2\n  scheduleTimeoutSeconds: -1\n"),
            6,
            "spec.scheduleTimeoutSeconds",
            vec!["-1 is out of range"],
        ),
        (format!("{vpg_head}spec:\n  minMember: 0\n"), 5, "spec.minMember", vec!["0 is out of range"]),
        (
            format!("{vpg_head}spec:\n  minMembers: 2\n"),
            5,
            "spec.minMembers",
            vec!["a Volcano PodGroup spec", "did you mean `minMember`"],
        ),
        (
            format!("{vpg_head}spec:\n  minResources: {{cpu: lots}}\n"),
            5,
            "spec.minResources.cpu",
            vec!["invalid quantity \"lots\""],
        ),
        // Queues.
        (format!("{q_head}spec:\n  weight: 0\n"), 5, "spec.weight", vec!["weight 0 is not positive", "at least 1"]),
        (format!("{q_head}spec:\n  weight: -2\n"), 5, "spec.weight", vec!["weight -2 is not positive"]),
        (
            format!("{q_head}spec:\n  capabilty: {{cpu: 1}}\n"),
            5,
            "spec.capabilty",
            vec!["unknown field `capabilty` in a Queue spec", "did you mean `capability`"],
        ),
        (
            format!("{q_head}spec:\n  guarantee: {{cpu: 1}}\n"),
            5,
            "spec.guarantee.cpu",
            vec!["unknown field `cpu` in a Queue guarantee", "resource"],
        ),
        (
            format!("{q_head}spec:\n  reclaimable: \"no\"\n"),
            5,
            "spec.reclaimable",
            vec!["expected true or false"],
        ),
    ];
    for (text, line, field, words) in &cases {
        let e = bad(text);
        check(&e, *line, field, words);
    }
}

#[test]
fn gang_cross_object_checks() {
    let vpg = |ns: &str| {
        format!("apiVersion: scheduling.volcano.sh/v1beta1\nkind: PodGroup\nmetadata: {{name: g, namespace: {ns}}}\n")
    };
    let cpg = "apiVersion: scheduling.x-k8s.io/v1alpha1\nkind: PodGroup\nmetadata: {name: g, namespace: a}\nspec: {minMember: 1}\n";
    let q = "apiVersion: scheduling.volcano.sh/v1beta1\nkind: Queue\nmetadata: {name: q}\n";
    // Same name in two namespaces, or in the two PodGroup APIs: two objects.
    let sc = ok(&format!("{}---\n{}---\n{cpg}", vpg("a"), vpg("b")));
    assert_eq!(sc.pod_groups.len(), 3);
    let e = bad(&format!("{}---\n{}", vpg("a"), vpg("a")));
    check(&e, 7, "metadata.name", &["a second PodGroup named \"a/g\"", "t.yaml:1"]);
    let e = bad(&format!("{cpg}---\n{cpg}"));
    check(&e, 8, "metadata.name", &["a second PodGroup named \"a/g\""]);
    // Queues are cluster-scoped: a namespace does not make two.
    let e = bad(&format!(
        "{q}---\n{}",
        q.replace("{name: q}", "{name: q, namespace: x}")
    ));
    check(&e, 7, "metadata.name", &["a second Queue named \"q\"", "t.yaml:1"]);
    // PodDisruptionBudgets are namespaced: one name in two namespaces is two objects.
    let pdb = |ns: &str| {
        format!(
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: p, namespace: {ns}}}\n\
             spec: {{minAvailable: 1, selector: {{matchLabels: {{app: x}}}}}}\n"
        )
    };
    assert_eq!(ok(&format!("{}---\n{}", pdb("a"), pdb("b"))).pdbs.len(), 2);
    let e = bad(&format!("{}---\n{}", pdb("a"), pdb("a")));
    check(&e, 8, "metadata.name", &["a second PodDisruptionBudget named \"a/p\""]);
    // Two Volcano Jobs in one namespace.
    let v = vcjob(&format!("spec:\n  tasks:\n{}", vc_task("a", 1)));
    let e = bad(&format!("{v}---\n{v}"));
    check(&e, 14, "metadata.name", &["a second Job named \"default/v\""]);
    // Queues and pod groups named by jobs need not exist.
    let sc = ok(&vcjob(&format!(
        "spec:\n  queue: nowhere\n  tasks:\n{}",
        vc_task("a", 1)
    )));
    assert!(sc.queues.is_empty());
}

#[test]
fn gang_kinds_in_unknown_kind_errors_and_arrivals() {
    let e = bad("apiVersion: batch.volcano.sh/v1beta1\nkind: Job\nmetadata: {name: j}\n");
    check(
        &e,
        2,
        "kind",
        &["supported as batch/v1 Job or batch.volcano.sh/v1alpha1 Job"],
    );
    let e = bad("apiVersion: scheduling.volcano.sh/v1alpha1\nkind: Queue\nmetadata: {name: q}\n");
    check(&e, 2, "kind", &["supported as scheduling.volcano.sh/v1beta1 Queue"]);
    assert!(
        e.fix
            .contains("v1 LimitRange, v1 ResourceQuota, kubesim.io/v1alpha1 Simulation"),
        "{e}"
    );
    // A Volcano Job as an Arrivals template.
    let sc = ok(
        "apiVersion: kubesim.io/v1alpha1\nkind: Arrivals\nmetadata: {name: vcs}\nspec:\n  count: 2\n  every: 1m\n  template:\n    apiVersion: batch.volcano.sh/v1alpha1\n    kind: Job\n    spec: {minAvailable: 2, tasks: [{replicas: 2, template: {spec: {containers: [{name: c}]}}}]}\n",
    );
    let ArrivalTemplate::Workload(w) = &sc.arrivals[0].template else {
        panic!()
    };
    assert_eq!(w.name, "vcs");
    assert!(matches!(&w.kind, WorkloadKind::VolcanoJob(v) if v.min_available == Some(2)));
}
