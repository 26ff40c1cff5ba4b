//! Bad inputs: YAML syntax, unknown kinds, missing, mistyped and unknown fields, cross-object
//! errors; each error names the right line, field and fix, and no input panics.

use super::*;

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
        "{}---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: d}}\n",
        job(SIMPLE_POD_SPEC)
    ));
    check(&e, 14, "kind", &["apps/v1 DaemonSet", "batch/v1 Job", "v1 Node"]);
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
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\n".to_string(),
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
fn bad_bare_kueue_workloads() {
    let wl = |meta: &str, spec: &str| {
        format!(
            "apiVersion: kueue.x-k8s.io/v1beta1\nkind: Workload\nmetadata:\n  name: w\n{meta}spec:\n  queueName: lq\n{spec}"
        )
    };
    let set = "  - name: main\n    template: {spec: {containers: [{name: c, resources: {requests: {cpu: \"1\"}}}]}}\n";
    // v1beta1 pod sets are named.
    let e = bad(&wl("", "  podSets:\n  - template: {spec: {containers: [{name: c}]}}\n"));
    check(&e, 8, "spec.podSets[0].name", &["`name`"]);
    // The performance test's run-time label must be whole milliseconds.
    let e = bad(&wl(
        "  labels: {kueue.x-k8s.io/performance-scheduler-running-ms: 2s}\n",
        &format!("  podSets:\n{set}"),
    ));
    check(
        &e,
        5,
        "metadata.labels.kueue.x-k8s.io/performance-scheduler-run…",
        &["whole number of milliseconds", "kubesim.io/duration"],
    );
    // No pods, so no exit codes.
    let e = bad(&wl(
        "  annotations: {kubesim.io/exit-code: \"1\"}\n",
        &format!("  podSets:\n{set}"),
    ));
    check(
        &e,
        5,
        "metadata.annotations.kubesim.io/exit-code",
        &["no meaning on a Kueue Workload"],
    );
    let e = bad(&wl("", "  podSets: []\n"));
    check(&e, 7, "spec.podSets", &["0 pod sets", "1 to 8"]);
    let e = bad(&wl("", &format!("  podSets:\n{set}{set}")));
    check(&e, 10, "spec.podSets[1]", &["a second pod set named \"main\""]);
    let e = bad(&wl(
        "",
        &format!("  priorityClassName: high\n  priorityClassSource: kueue\n  podSets:\n{set}"),
    ));
    check(&e, 8, "spec.priorityClassSource", &["unknown priority class source"]);
    // v1beta2 has no priorityClassName.
    let e = bad(&wl("", &format!("  priorityClassName: high\n  podSets:\n{set}")).replace("v1beta1", "v1beta2"));
    check(&e, 7, "spec.priorityClassName", &["priorityClassName"]);
}

#[test]
fn bad_client_rate_limits() {
    let sim = |v: &str| {
        format!(
            "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: s}}\nspec:\n  clientRateLimits:\n{v}"
        )
    };
    let e = bad(&sim("    kueue: {qps: 0, burst: 10}\n"));
    check(
        &e,
        6,
        "spec.clientRateLimits.kueue.qps",
        &["out of range", "enabled: false"],
    );
    let e = bad(&sim("    kueue: {qps: 50, burst: 0}\n"));
    check(&e, 6, "spec.clientRateLimits.kueue.burst", &["from 1 to 1000000"]);
    let e = bad(&sim("    kueue: {qps: 50}\n"));
    check(&e, 6, "spec.clientRateLimits.kueue.burst", &["`burst`"]);
    let e = bad(&sim("    kube-proxy: {qps: 50, burst: 100}\n"));
    check(&e, 6, "spec.clientRateLimits.kube-proxy", &["kube-proxy"]);
    let e = bad(&sim("    kube-scheduler: {qps: 2000000, burst: 100}\n"));
    check(&e, 6, "spec.clientRateLimits.kube-scheduler.qps", &["out of range"]);
    let e = bad(&sim("    enabled: maybe\n"));
    check(&e, 6, "spec.clientRateLimits.enabled", &["true or false"]);
    let e = bad(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: s}\nspec:\n  kubeSchedulerThroughput: 0\n",
    );
    check(&e, 5, "spec.kubeSchedulerThroughput", &["out of range", "e.g. 680"]);
    let e = bad(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: s}\nspec:\n  kubeSchedulerThroughput: fast\n",
    );
    check(&e, 5, "spec.kubeSchedulerThroughput", &[]);
}
