//! The input limits (counts, sizes, durations, quantities, pods created up front, cluster
//! capacity, nodes) and the CronJob fire estimate bounded by them.

use super::*;

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

/// A NodePool of `n` one-CPU nodes.
fn pool(n: u64) -> String {
    format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {{name: p}}\nspec:\n  count: {n}\n  template: {{apiVersion: v1, kind: Node, status: {{allocatable: {{cpu: 1}}}}}}\n"
    )
}

/// A Volcano Job with these `tasks` lines.
fn volcano(tasks: &str) -> String {
    format!("apiVersion: batch.volcano.sh/v1alpha1\nkind: Job\nmetadata: {{name: v}}\nspec:\n  tasks:\n{tasks}")
}

/// A one-line Volcano task.
fn task(name: &str, replicas: u64) -> String {
    format!("  - {{name: {name}, replicas: {replicas}, template: {{spec: {{containers: [{{name: c}}]}}}}}}\n")
}

/// A Simulation with these `spec` lines.
fn simulation(spec: &str) -> String {
    format!("apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: s}}\nspec:\n{spec}")
}

/// A container without resources.
const NO_RES: &str = "{}";

/// (case, scenario, line, field, words in the message or fix)
type LimitCase = (&'static str, String, usize, &'static str, Vec<&'static str>);

/// Each case fails to load with that line, field and words.
#[track_caller]
fn expect_limit_errors(cases: Vec<LimitCase>) {
    for (name, text, line, field, words) in cases {
        let e = load_str("t.yaml", &text).expect_err(name);
        check(&e, line, field, &words);
    }
}

/// Limits: NodePool and Arrivals counts, `at` lists, arrival patterns.
#[test]
fn limits_are_enforced_on_node_pools_and_arrivals() {
    let at: Vec<String> = (0..100_001).map(|i| format!("{i}s")).collect();
    expect_limit_errors(vec![
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
        (
            "Arrivals count 0",
            arrivals("  count: 0\n  every: 1s\n"),
            5,
            "spec.count",
            vec!["0 is out of range"],
        ),
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
    ]);
}

/// Limits: Job sizes, failure policies, gang size, deadlines and durations.
#[test]
fn limits_are_enforced_on_jobs() {
    expect_limit_errors(vec![
        (
            "Job completions",
            bounded_job("", "  completions: 1000000000\n", NO_RES),
            7,
            "spec.completions",
            vec!["completions 1000000000 is beyond the limit of 100000 pods per workload"],
        ),
        (
            "Job parallelism",
            bounded_job("", "  parallelism: 100001\n", NO_RES),
            7,
            "spec.parallelism",
            vec!["parallelism 100001 is beyond the limit of 100000"],
        ),
        (
            "Job maxFailedIndexes",
            bounded_job(
                "",
                "  completionMode: Indexed\n  completions: 4\n  backoffLimitPerIndex: 1\n  maxFailedIndexes: 100001\n",
                NO_RES,
            ),
            10,
            "spec.maxFailedIndexes",
            vec!["maxFailedIndexes 100001 is beyond the limit of 100000"],
        ),
        (
            "gang size",
            bounded_job("kubesim.io/gang-size: \"2147483647\"", "", NO_RES),
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
                NO_RES,
            ),
            10,
            "spec.podFailurePolicy.rules[0].onPodConditions",
            vec!["21 patterns; at most 20"],
        ),
        (
            "activeDeadlineSeconds",
            bounded_job("", "  activeDeadlineSeconds: 9223372036854775807\n", NO_RES),
            7,
            "spec.activeDeadlineSeconds",
            vec!["activeDeadlineSeconds 9223372036854775807 is beyond the limit of 3153600000"],
        ),
        (
            "a duration beyond 100 years",
            bounded_job("kubesim.io/duration: 36501d", "", NO_RES),
            5,
            "metadata.annotations.kubesim.io/duration",
            vec!["kubesim.io/duration 100y is beyond the limit of 100 years"],
        ),
    ]);
}

/// Limits: The horizon, one quantity, a pod's containers together, a workload's pods together.
#[test]
fn limits_are_enforced_on_horizon_and_quantities() {
    expect_limit_errors(vec![
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
    ]);
}

/// Limits: Volcano replicas, PodGroup minMember, pods created up front, the cluster's capacity.
#[test]
fn limits_are_enforced_on_gangs_and_totals() {
    let node_arrivals = "apiVersion: kubesim.io/v1alpha1\nkind: Arrivals\nmetadata: {name: nodes}\nspec:\n  count: 10000\n  every: 1s\n  template: {apiVersion: v1, kind: Node, status: {allocatable: {memory: 8Pi}}}\n";
    expect_limit_errors(vec![
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
            vec!["the tasks up to this one create 120000 pods, beyond the limit of 100000 pods per workload"],
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
    ]);
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
