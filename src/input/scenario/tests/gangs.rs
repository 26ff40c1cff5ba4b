//! Gangs: PodGroups and Queues converted, pods joining pod groups, the gang-size annotation, and
//! the errors of Volcano Jobs, policies, gang annotations, PodGroups and Queues.

use super::*;

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
        .map(|w| w.templates()[0].pod_group.as_deref())
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

/// Gang errors: A Volcano Job's structure: `spec`, `tasks`, unknown fields, task templates.
#[test]
fn gang_errors_in_volcano_job_structure() {
    let t1 = vc_task("a", 1);
    let cases: Vec<(String, usize, &str, Vec<&str>)> = vec![
        // Volcano Job structure.
        (vcjob(""), 1, "spec", vec!["missing required field `spec`", "tasks"]),
        (vcjob("spec: {queue: q}\n"), 5, "spec.tasks", vec!["`tasks`"]),
        (
            vcjob("spec:\n  tasks: []\n"),
            6,
            "spec.tasks",
            vec!["no task", "at least one task"],
        ),
        (
            vcjob(&format!("spec:\n  minAvailible: 1\n  tasks:\n{t1}")),
            6,
            "spec.minAvailible",
            vec![
                "unknown field `minAvailible` in a Volcano Job spec",
                "did you mean `minAvailable`",
                "plugins",
            ],
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
    ];
    expect_errors(&cases);
}

/// Gang errors: The Volcano admission webhook's checks: task names, replicas, minAvailable, minSuccess, maxRetry.
#[test]
fn gang_errors_in_volcano_webhook_checks() {
    let t1 = vc_task("a", 1);
    let cases: Vec<(String, usize, &str, Vec<&str>)> = vec![
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
            vcjob(
                "spec:\n  tasks:\n  - replicas: 2\n    minAvailable: 3\n    template: {spec: {containers: [{name: c}]}}\n",
            ),
            8,
            "spec.tasks[0].minAvailable",
            vec!["minAvailable 3 is greater than its replicas 2"],
        ),
        (
            vcjob(&format!("spec:\n  minAvailable: 3\n  tasks:\n{t1}{}", vc_task("b", 1))),
            6,
            "spec.minAvailable",
            vec![
                "minAvailable 3 is greater than the total replicas of the tasks (2)",
                "at most 2",
            ],
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
    ];
    expect_errors(&cases);
}

/// Gang errors: Volcano Job and task policies: events, exit codes, actions, timeouts.
#[test]
fn gang_errors_in_volcano_policies() {
    let t1 = vc_task("a", 1);
    let cases: Vec<(String, usize, &str, Vec<&str>)> = vec![
        // Policies.
        (
            vcjob(&format!("spec:\n  policies:\n  - action: RestartJob\n  tasks:\n{t1}")),
            7,
            "spec.policies[0]",
            vec!["no event, events or exitCode", "exactly one"],
        ),
        (
            vcjob(&format!(
                "spec:\n  policies:\n  - {{event: PodFailed, exitCode: 1, action: RestartJob}}\n  tasks:\n{t1}"
            )),
            7,
            "spec.policies[0]",
            vec!["both an event and an exitCode"],
        ),
        (
            vcjob(&format!(
                "spec:\n  policies:\n  - {{exitCode: 0, action: RestartJob}}\n  tasks:\n{t1}"
            )),
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
            vcjob(&format!(
                "spec:\n  policies: [{{event: PodFailure, action: RestartJob}}]\n  tasks:\n{t1}"
            )),
            6,
            "spec.policies[0].event",
            vec!["unknown policy event \"PodFailure\"", "PodFailed", "TaskCompleted", "*"],
        ),
        (
            vcjob(&format!(
                "spec:\n  policies: [{{event: PodFailed, action: Restart}}]\n  tasks:\n{t1}"
            )),
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
            vcjob(&format!(
                "spec:\n  policies:\n  - {{event: PodPending, action: AbortJob, timeout: soon}}\n  tasks:\n{t1}"
            )),
            7,
            "spec.policies[0].timeout",
            vec!["invalid duration \"soon\""],
        ),
        (
            vcjob(&format!(
                "spec:\n  policies:\n  - {{event: PodFailed, action: AbortJob, exitcode: 1}}\n  tasks:\n{t1}"
            )),
            7,
            "spec.policies[0].exitcode",
            vec!["a Volcano Job policy", "did you mean `exitCode`"],
        ),
    ];
    expect_errors(&cases);
}

/// Gang errors: kubesim annotations on a Volcano Job, the gang-size annotation elsewhere, and pod group membership.
#[test]
fn gang_errors_in_annotations() {
    let t1 = vc_task("a", 1);
    let pod = |meta: &str| {
        format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n{meta}spec: {{containers: [{{name: c}}]}}\n")
    };
    let cases: Vec<(String, usize, &str, Vec<&str>)> = vec![
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
    ];
    expect_errors(&cases);
}

/// Gang errors: PodGroups (both APIs) and Queues.
#[test]
fn gang_errors_in_pod_groups_and_queues() {
    let pg_head = "apiVersion: scheduling.x-k8s.io/v1alpha1\nkind: PodGroup\nmetadata: {name: g}\n";
    let vpg_head = "apiVersion: scheduling.volcano.sh/v1beta1\nkind: PodGroup\nmetadata: {name: g}\n";
    let q_head = "apiVersion: scheduling.volcano.sh/v1beta1\nkind: Queue\nmetadata: {name: q}\n";
    let cases: Vec<(String, usize, &str, Vec<&str>)> = vec![
        // PodGroups.
        (
            format!("{pg_head}spec: {{}}\n"),
            4,
            "spec.minMember",
            vec!["missing required field `minMember`"],
        ),
        (
            pg_head.to_string(),
            1,
            "spec",
            vec!["missing required field `spec`", "minMember"],
        ),
        (
            format!("{pg_head}spec:\n  minMember: 0\n"),
            5,
            "spec.minMember",
            vec!["0 is out of range", "from 1"],
        ),
        (
            format!("{pg_head}spec:\n  minMember: 2\n  queue: q\n"),
            6,
            "spec.queue",
            vec![
                "unknown field `queue` in a coscheduling PodGroup spec",
                "scheduleTimeoutSeconds",
            ],
        ),
        (
            format!("{pg_head}spec:\n  minMember: 2\n  scheduleTimeoutSeconds: -1\n"),
            6,
            "spec.scheduleTimeoutSeconds",
            vec!["-1 is out of range"],
        ),
        (
            format!("{vpg_head}spec:\n  minMember: 0\n"),
            5,
            "spec.minMember",
            vec!["0 is out of range"],
        ),
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
        (
            format!("{q_head}spec:\n  weight: 0\n"),
            5,
            "spec.weight",
            vec!["weight 0 is not positive", "at least 1"],
        ),
        (
            format!("{q_head}spec:\n  weight: -2\n"),
            5,
            "spec.weight",
            vec!["weight -2 is not positive"],
        ),
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
    expect_errors(&cases);
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
