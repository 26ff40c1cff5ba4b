//! Good inputs: the contract.md example with exact values, and each supported kind with every
//! modelled field converted.

use super::*;

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

/// A Job with every modelled field set (`job_spec_fields_are_all_converted` and the two after it).
const FULL_JOB: &str = r#"  annotations:
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
"#;

/// The workload and Job spec of [`FULL_JOB`], loaded.
fn full_job() -> (WorkloadSpec, JobSpec) {
    let sc = ok(&job(FULL_JOB));
    let w = sc.workloads[0].clone();
    let WorkloadKind::Job(j) = &w.kind else { panic!() };
    let j = j.clone();
    (w, j)
}

#[test]
fn job_spec_fields_are_all_converted() {
    let (w, j) = full_job();
    assert_eq!(w.suspend_at_ms, Some(3_600_000));
    assert_eq!(w.resume_at_ms, Some(7_200_000));
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
}

/// The pod template's labels, totals and containers (init containers and sidecars included).
#[test]
fn job_template_resources_are_all_converted() {
    let (_, j) = full_job();
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
}

/// The pod template's scheduling fields, and its annotations over the Job's.
#[test]
fn job_template_pod_fields_are_all_converted() {
    let (_, j) = full_job();
    let t = &j.template;
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
            runtime_estimate_ms: None,
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

#[test]
fn generate_name_gives_each_object_its_own_name_the_same_on_every_load() {
    // Kueue's sample-job.yaml shape: generateName and no name, twice, plus one in a List.
    let doc = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: sample-job-\n  annotations: {kubesim.io/duration: 1m}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: x}]\n";
    let text = format!(
        "{doc}---\n{doc}---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: scheduling.k8s.io/v1\n  kind: PriorityClass\n  metadata: {{generateName: pc-}}\n  value: 3\n"
    );
    let sc = ok(&text);
    let names: Vec<&str> = sc.workloads.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names.len(), 2);
    assert_ne!(names[0], names[1]);
    assert!(
        names.iter().all(|n| n.starts_with("sample-job-") && n.len() == 16),
        "{names:?}"
    );
    assert!(sc.priority_classes[0].name.starts_with("pc-"));
    let again = ok(&text);
    let names_again: Vec<&str> = again.workloads.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, names_again, "deterministic");
    // A name wins over generateName; neither is still an error that says what to add.
    let named = ok(&doc.replace(
        "  generateName: sample-job-\n",
        "  name: mine\n  generateName: sample-job-\n",
    ));
    assert_eq!(named.workloads[0].name, "mine");
    let e = bad(&doc.replace("  generateName: sample-job-\n", ""));
    assert!(e.fix.contains("generateName"), "{e}");
}

#[test]
fn v1beta1_priority_classes_load_as_v1() {
    let text = format!(
        "apiVersion: scheduling.k8s.io/v1beta1\nkind: PriorityClass\nmetadata: {{name: old}}\nvalue: 7\npreemptionPolicy: Never\n---\n{}",
        job(SIMPLE_POD_SPEC)
    );
    let sc = ok(&text);
    assert_eq!(
        (sc.priority_classes[0].name.as_str(), sc.priority_classes[0].value),
        ("old", 7)
    );
}

#[test]
fn warnings_name_each_misleading_input_and_its_fix() {
    let job = |name: &str, extra_meta: &str, pod_extra: &str, res: &str| {
        format!(
            "apiVersion: batch/v1\nkind: Job\nmetadata: {{name: {name}{extra_meta}}}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n{pod_extra}      containers: [{{name: c, image: x, resources: {{limits: {{{res}}}}}}}]\n---\n"
        )
    };
    let node = "apiVersion: v1\nkind: Node\nmetadata: {name: n0}\nstatus: {allocatable: {cpu: \"8\", nvidia.com/gpu: \"1\"}}\n---\n";
    let timed = ", annotations: {kubesim.io/duration: 1m}";
    let text = format!(
        "{node}{}{}{}{}{}",
        job("fine", timed, "", "nvidia.com/gpu: 1"),
        job("forever", "", "", "cpu: 1"),
        job("typo", timed, "", "nvidia.com/gpus: 1"),
        job("nowhere", timed, "      nodeSelector: {gpu: a100}\n", "cpu: 1"),
        job("classless", timed, "      priorityClassName: gold\n", "cpu: 1"),
    );
    let w = crate::input::scenario::warnings(&ok(&text));
    assert_eq!(w.len(), 4, "{w:#?}");
    assert!(
        w[0].contains("default/forever") && w[0].contains("kubesim.io/duration"),
        "{}",
        w[0]
    );
    assert!(
        w[1].contains("default/typo") && w[1].contains("nvidia.com/gpus") && w[1].contains("nvidia.com/gpu"),
        "{}",
        w[1]
    );
    assert!(
        w[2].contains("default/nowhere") && w[2].contains("nodeSelector"),
        "{}",
        w[2]
    );
    assert!(w[3].contains("default/classless") && w[3].contains("gold"), "{}", w[3]);
    // The kubelet's labels count: a selector on the hostname matches.
    let host = ok(&format!(
        "{node}{}",
        job(
            "pinned",
            timed,
            "      nodeSelector: {kubernetes.io/hostname: n0}\n",
            "cpu: 1"
        )
    ));
    assert!(crate::input::scenario::warnings(&host).is_empty());
    // No nodes at all.
    let empty = crate::input::scenario::warnings(&ok(&job("fine", timed, "", "cpu: 1")));
    assert_eq!(empty.len(), 1);
    assert!(empty[0].contains("no nodes"), "{empty:?}");
}

#[test]
fn config_credentials_and_rbac_beside_workloads_load_as_not_simulated() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: b}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: team}\nstringData: {k: v}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: [{apiGroups: [\"\"], resources: [pods], verbs: [get]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\nsubjects: [{kind: ServiceAccount, name: sa}]\n";
    let sc = ok(text);
    let listed: Vec<(&str, &str, &str)> = sc
        .not_simulated
        .iter()
        .map(|o| (o.kind.as_str(), o.namespace.as_str(), o.name.as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            ("ConfigMap", "default", "cfg"),
            ("Secret", "team", "s"),
            ("ServiceAccount", "default", "sa"),
            ("ClusterRole", "", "r"),
            ("RoleBinding", "default", "rb"),
        ]
    );
    assert!(sc.workloads.is_empty());
}
