//! kube-scheduler's own gang scheduling (policy `kube-gang`, docs/kube-gang.md): PreEnqueue
//! waits for `minCount` pods, the Workload Scheduling Cycle places a pod group whole or not at
//! all, and a failed group backs off 1 s doubling to 10 s (waited out in backoffQ, flushed on
//! whole seconds). Times are hand-worked from those rules.

mod common;
use common::{history, job, run, secs, times};

fn sim(extra: &str) -> String {
    format!("apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: t}}\nspec: {{{extra}}}\n---\n")
}

fn cpu_node(name: &str, cpu: u32) -> String {
    format!(
        "apiVersion: v1\nkind: Node\nmetadata: {{name: {name}}}\nstatus: {{allocatable: {{cpu: \"{cpu}\", memory: 64Gi, pods: \"110\"}}}}\n---\n"
    )
}

/// A v1beta1 PodGroup with a gang policy.
fn pod_group(name: &str, min: u32) -> String {
    format!(
        "apiVersion: scheduling.k8s.io/v1beta1\nkind: PodGroup\nmetadata: {{name: {name}}}\nspec:\n  schedulingPolicy:\n    gang: {{minCount: {min}}}\n---\n"
    )
}

/// `n` 1-CPU bare pods of PodGroup `group`, named `<group>-<i>`, running `duration`, created at
/// `at`.
fn pods(group: &str, n: u32, duration: &str, at: &str) -> String {
    let mut y = String::new();
    for i in 0..n {
        y.push_str(&format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {group}-{i}\n  annotations: {{kubesim.io/duration: {duration}, kubesim.io/submit-at: {at}}}\nspec:\n  restartPolicy: Never\n  schedulingGroup: {{podGroupName: {group}}}\n  containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"1\"}}}}}}]\n---\n"
        ));
    }
    y
}

#[test]
fn a_gang_fits_only_after_another_groups_pods_end_at_its_next_retry() {
    // 4 CPUs. Group a (4 pods, 10 s) is placed whole at 0. Group b (4 pods) fails at 0: its
    // first pod finds no room, and 0 scheduled + 3 remaining < minCount 4 stops the cycle. It
    // backs off 1, 2, 4, 8 s (cycles at 1, 3, 7, 15 s): a's pods end at 10 s while b waits in
    // backoffQ, so b binds whole at 15 s.
    let y = format!(
        "{}{}{}{}{}{}",
        sim("horizon: 60s"),
        cpu_node("n0", 4),
        pod_group("a", 4),
        pod_group("b", 4),
        pods("a", 4, "10s", "0s"),
        pods("b", 4, "10s", "0s"),
    );
    let r = run(&y, "kube-gang");
    assert_eq!(times(&r, "a-", "PodBound"), [0.0; 4]);
    assert_eq!(times(&r, "b", "PodGroupUnschedulable"), [0.0, 1.0, 3.0, 7.0]);
    assert_eq!(times(&r, "b-", "PodBound"), [15.0; 4]);
    assert_eq!(times(&r, "b", "PodGroupScheduled"), [15.0]);
    let h = history(&r, "default/b");
    assert_eq!(
        h[0].2, "minCount (4) cannot be satisfied: 0 scheduled, 3 remaining",
        "the first pod found no node: the cycle stops at once"
    );
    // Pod by pod (kube-default) nothing holds b back once a's pods end: it binds at 10 s.
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "b-", "PodBound"), [10.0; 4]);
}

#[test]
fn pre_enqueue_waits_until_min_count_pods_exist() {
    // minCount 3, two pods at 0 s and the third at 20 s: no cycle before 20 s (no failure, no
    // FailedScheduling), then all three bind at 20 s.
    let y = format!(
        "{}{}{}{}{}",
        sim("horizon: 60s"),
        cpu_node("n0", 8),
        pod_group("g", 3),
        pods("g", 2, "1h", "0s"),
        pods("late", 1, "1h", "20s").replace("podGroupName: late", "podGroupName: g"),
    );
    let r = run(&y, "kube-gang");
    assert!(times(&r, "", "FailedScheduling").is_empty());
    assert!(times(&r, "g", "PodGroupUnschedulable").is_empty());
    assert_eq!(times(&r, "g-", "PodBound"), [20.0, 20.0]);
    assert_eq!(times(&r, "late-", "PodBound"), [20.0]);
    assert_eq!(times(&r, "g", "GangFormed"), [20.0]);
}

#[test]
fn a_group_that_never_fits_retries_on_the_backoff_capped_at_ten_seconds() {
    // 4 pods of minCount 4 on 3 CPUs: three are placed, the fourth finds no node (3 scheduled,
    // 0 remaining). Every cycle fails; the retries follow the group's backoff: 1, 2, 4, 8, 10,
    // 10 s, so cycles at 0, 1, 3, 7, 15, 25, 35 s. No pod ever binds.
    let y = format!(
        "{}{}{}{}",
        sim("horizon: 40s"),
        cpu_node("n0", 3),
        pod_group("g", 4),
        pods("g", 4, "1h", "0s"),
    );
    let r = run(&y, "kube-gang");
    assert_eq!(
        times(&r, "g", "PodGroupUnschedulable"),
        [0.0, 1.0, 3.0, 7.0, 15.0, 25.0, 35.0]
    );
    assert!(times(&r, "g-", "PodBound").is_empty());
    let h = history(&r, "default/g");
    assert_eq!(h[0].2, "minCount (4) cannot be satisfied: 3 scheduled, 0 remaining");
    // Placed members are rejected with the group's message; the one without a node with its own.
    let failed: Vec<(f64, String, String)> = history(&r, "default/g-0")
        .into_iter()
        .filter(|e| e.1 == "FailedScheduling")
        .collect();
    assert_eq!(
        failed[0].2,
        "minCount (4) cannot be satisfied: 3 scheduled, 0 remaining"
    );
    let own: Vec<String> = history(&r, "default/g-3")
        .into_iter()
        .filter(|e| e.1 == "FailedScheduling")
        .map(|e| e.2)
        .collect();
    assert_eq!(
        own[0], "0/1 nodes are available: 1 Insufficient cpu.",
        "no PostFilter ran"
    );
    // Pod by pod, three bind at once and hold their CPUs: a partial gang.
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "g-", "PodBound"), [0.0; 3]);
}

#[test]
fn a_group_placed_with_min_count_binds_and_its_other_pods_back_off() {
    // minCount 2 of 3 pods on 2 CPUs: two bind at 0; the third found no node, so it returns to
    // the queue with the group's backoff (1 s, then 2 s, ...) and binds when a CPU frees up at
    // its next cycle after 10 s (cycles at 1, 3, 7, 15 s: 15 s).
    let y = format!(
        "{}{}{}{}",
        sim("horizon: 60s"),
        cpu_node("n0", 2),
        pod_group("g", 2),
        pods("g", 3, "10s", "0s"),
    );
    let r = run(&y, "kube-gang");
    assert_eq!(times(&r, "g-", "PodBound"), [0.0, 0.0, 15.0]);
    assert_eq!(times(&r, "g", "PodGroupScheduled"), [0.0, 15.0]);
    assert_eq!(times(&r, "g", "PodGroupUnschedulable"), [1.0, 3.0, 7.0]);
    let unschedulable: Vec<String> = history(&r, "default/g")
        .into_iter()
        .filter(|e| e.1 == "PodGroupUnschedulable")
        .map(|e| e.2)
        .collect();
    assert_eq!(
        unschedulable[0], "no pods were schedulable",
        "minCount is met by the bound members alone"
    );
}

#[test]
fn a_job_template_joins_a_pod_group_and_binds_whole() {
    // A Job of 4 parallel pods whose template names PodGroup j (minCount 4), on 3 CPUs then a
    // second node at 30 s: nothing binds before the node joins; the group binds whole at its
    // first cycle after 30 s (cycles at 0, 1, 3, 7, 15, 25, 35 s: 35 s).
    let y = format!(
        "{}{}{}apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n  annotations: {{kubesim.io/submit-at: 30s}}\nstatus: {{allocatable: {{cpu: \"1\", memory: 64Gi, pods: \"110\"}}}}\n---\n\
         apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n  annotations: {{kubesim.io/duration: 1m}}\nspec:\n  parallelism: 4\n  completions: 4\n  template:\n    spec:\n      restartPolicy: Never\n      schedulingGroup: {{podGroupName: j}}\n      containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"1\"}}}}}}]\n",
        sim("horizon: 2m"),
        cpu_node("n0", 3),
        pod_group("j", 4),
    );
    let r = run(&y, "kube-gang");
    assert_eq!(times(&r, "train-", "PodBound"), [35.0; 4]);
    assert_eq!(times(&r, "train-", "PodSucceeded"), [95.0; 4]);
    assert_eq!(secs(job(&r, "train").start), Some(35.0));
}

#[test]
fn v1alpha1_workload_pod_groups_make_one_gang_per_replica_key() {
    // A v1alpha1 Workload's pod group `workers` (minCount 2): pods with replica keys r0 and r1
    // form two gangs. On 3 CPUs, r0 (created first) binds whole at 0; r1 cannot and waits for r0
    // to end at 10 s, binding at its cycle at 15 s (1, 3, 7, 15 s).
    let mut y = format!(
        "{}{}apiVersion: scheduling.k8s.io/v1alpha1\nkind: Workload\nmetadata: {{name: w}}\nspec:\n  podGroups:\n  - name: workers\n    policy:\n      gang: {{minCount: 2}}\n---\n",
        sim("horizon: 60s"),
        cpu_node("n0", 3),
    );
    for (key, i) in [("r0", 0), ("r0", 1), ("r1", 2), ("r1", 3)] {
        y.push_str(&format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\n  annotations: {{kubesim.io/duration: 10s}}\nspec:\n  restartPolicy: Never\n  workloadRef: {{name: w, podGroup: workers, podGroupReplicaKey: {key}}}\n  containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"1\"}}}}}}]\n---\n"
        ));
    }
    let r = run(&y, "kube-gang");
    assert_eq!(times(&r, "p0", "PodBound"), [0.0]);
    assert_eq!(times(&r, "p1", "PodBound"), [0.0]);
    assert_eq!(times(&r, "p2", "PodBound"), [15.0]);
    assert_eq!(times(&r, "p3", "PodBound"), [15.0]);
    assert_eq!(times(&r, "w/workers/r1", "PodGroupUnschedulable"), [0.0, 1.0, 3.0, 7.0]);
}

#[test]
fn a_basic_pod_group_is_no_gang() {
    // The basic policy: pods are placed as they fit, as pod by pod.
    let y = format!(
        "{}{}apiVersion: scheduling.k8s.io/v1alpha2\nkind: PodGroup\nmetadata: {{name: b}}\nspec:\n  schedulingPolicy: {{basic: {{}}}}\n---\n{}",
        sim("horizon: 60s"),
        cpu_node("n0", 3),
        pods("b", 4, "10s", "0s"),
    );
    let r = run(&y, "kube-gang");
    assert_eq!(times(&r, "b-", "PodBound"), [0.0, 0.0, 0.0, 10.0]);
}

#[test]
fn every_gang_of_the_scenario_is_a_pod_group_to_kube_gang() {
    // A coscheduling PodGroup and a `kubesim.io/gang-size` Job are gangs to kube-gang too: on 3
    // CPUs neither 4-pod gang is placed partly.
    let mut y = format!(
        "{}{}apiVersion: scheduling.x-k8s.io/v1alpha1\nkind: PodGroup\nmetadata: {{name: pg}}\nspec: {{minMember: 4}}\n---\n",
        sim("horizon: 20s"),
        cpu_node("n0", 3),
    );
    for i in 0..4 {
        y.push_str(&format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: pg-{i}\n  labels: {{scheduling.x-k8s.io/pod-group: pg}}\n  annotations: {{kubesim.io/duration: 1h}}\nspec:\n  restartPolicy: Never\n  containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"1\"}}}}}}]\n---\n"
        ));
    }
    let r = run(&y, "kube-gang");
    assert!(times(&r, "pg-", "PodBound").is_empty());
    assert_eq!(times(&r, "pg", "PodGroupUnschedulable")[..3], [0.0, 1.0, 3.0]);
    let y = format!(
        "{}{}apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: gj\n  annotations: {{kubesim.io/gang-size: \"4\", kubesim.io/duration: 1h}}\nspec:\n  parallelism: 4\n  completions: 4\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"1\"}}}}}}]\n",
        sim("horizon: 20s"),
        cpu_node("n0", 3),
    );
    let r = run(&y, "kube-gang");
    assert!(times(&r, "gj-", "PodBound").is_empty());
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "gj-", "PodBound"), [0.0; 3]);
}

#[test]
fn upstream_examples_load_and_run() {
    // The Kubernetes documentation's examples (tests/upstream/kube-gang): a Workload, its
    // PodGroup (minCount 4) and one pod of it. Only one of the four pods exists, so PreEnqueue
    // holds it: it never binds, under kube-gang, while kube-default binds it at once.
    let example = include_str!("upstream/kube-gang/workload-podgroup-pod.yaml");
    let y = format!("{}{}{example}", sim("horizon: 60s"), cpu_node("n0", 8));
    let r = run(&y, "kube-gang");
    assert!(times(&r, "worker-0", "PodBound").is_empty());
    assert!(times(&r, "worker-0", "FailedScheduling").is_empty());
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "worker-0", "PodBound"), [0.0]);
    // The standalone PodGroup, with four pods joining it: they bind together.
    let pg = include_str!("upstream/kube-gang/podgroup.yaml");
    let y = format!(
        "{}{}{pg}\n---\n{}",
        sim("horizon: 60s"),
        cpu_node("n0", 8),
        pods("training-worker-0", 4, "10s", "0s")
    );
    let sc = kubesim::input::scenario::load_str("test.yaml", &y).expect("loads");
    assert_eq!(sc.gang_pod_groups[0].min_count, Some(4));
    let r = run(&y, "kube-gang");
    assert_eq!(times(&r, "training-worker-0-", "PodBound"), [0.0; 4]);
}
