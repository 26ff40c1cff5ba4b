//! Why a pod waits, in the words of Kubernetes: the exact messages of the FailedScheduling
//! events (kube-scheduler's `FitError`, DefaultPreemption, Coscheduling), and Kueue's and
//! Volcano's own messages for the workloads they hold (docs/outputs.md, events.csv).

mod common;
use common::*;

fn sim(extra: &str) -> String {
    format!("apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: t}}\nspec: {{{extra}}}\n---\n")
}

fn node(name: &str, cpu: u32, gpus: u32, taints: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Node\nmetadata: {{name: {name}}}\nspec: {{taints: [{taints}]}}\nstatus: {{allocatable: {{cpu: \"{cpu}\", memory: 64Gi, nvidia.com/gpu: \"{gpus}\", pods: \"110\"}}}}\n---\n"
    )
}

/// A bare pod; `extra` goes under `spec:`.
fn pod(name: &str, at: &str, cpu: u32, gpus: u32, extra: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, annotations: {{kubesim.io/submit-at: {at}, kubesim.io/duration: 1h}}}}\nspec:\n  restartPolicy: Never\n{extra}  containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"{cpu}\"}}, limits: {{nvidia.com/gpu: {gpus}}}}}}}]\n---\n"
    )
}

fn class(name: &str, value: i32, policy: &str) -> String {
    format!(
        "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {{name: {name}}}\nvalue: {value}\npreemptionPolicy: {policy}\n---\n"
    )
}

/// The first FailedScheduling message of pods whose name starts with `name`.
fn failed(r: &kubesim::observe::record::RunResult, name: &str) -> String {
    r.events
        .iter()
        .find(|e| e.event == "FailedScheduling" && e.object.split_once('/').is_some_and(|(_, n)| n.starts_with(name)))
        .unwrap_or_else(|| panic!("no FailedScheduling for {name}"))
        .detail
        .clone()
}

#[test]
fn the_fit_error_counts_each_nodes_first_failing_filter_and_every_short_resource() {
    // 16 nodes: 4 tainted (and too small: the taint is reported, TaintToleration runs first),
    // 8 with a pod holding 7 of 8 CPUs and 6 of 8 GPUs (short of both), 4 with 2 GPUs in all
    // (short of GPUs for good). The pod asks 4 GPUs and 2 CPUs; nobody has a lower priority.
    let mut y = sim("horizon: 10m");
    for i in 0..4 {
        y += &node(
            &format!("tainted-{i}"),
            8,
            2,
            "{key: gpu, value: \"true\", effect: NoSchedule}",
        );
    }
    for i in 0..8 {
        y += &node(&format!("busy-{i:02}"), 8, 8, "");
        y += &pod(
            &format!("filler-{i:02}"),
            "0s",
            7,
            6,
            &format!("  nodeName: busy-{i:02}\n"),
        );
    }
    for i in 0..4 {
        y += &node(&format!("small-{i}"), 8, 2, "");
    }
    y += &pod("waiting", "10s", 2, 4, "");
    let r = run(&y, "kube-default");
    assert_eq!(
        failed(&r, "waiting"),
        "0/16 nodes are available: 12 Insufficient nvidia.com/gpu, 4 node(s) had untolerated taint(s), \
         8 Insufficient cpu. preemption: 0/16 nodes are available: 8 No preemption victims found for \
         incoming pod, 8 Preemption is not helpful for scheduling."
    );
}

#[test]
fn preemption_that_finds_victims_adds_nothing_and_one_that_cannot_says_why_per_node() {
    // node-a: a low-priority pod with 4 GPUs and a high one with 4: evicting the low one is
    // not enough. node-b: a low-priority pod with all 8 GPUs: the preemptor evicts it.
    let base = format!(
        "{}{}{}{}{}{}{}",
        sim("horizon: 10m"),
        class("low", 10, "PreemptLowerPriority"),
        class("high", 100, "PreemptLowerPriority"),
        node("node-a", 8, 8, ""),
        pod("a-low", "0s", 1, 4, "  nodeName: node-a\n  priorityClassName: low\n"),
        pod("a-high", "0s", 1, 4, "  nodeName: node-a\n  priorityClassName: high\n"),
        pod("preemptor", "10s", 1, 8, "  priorityClassName: high\n"),
    );
    let with_b = format!(
        "{base}{}{}",
        node("node-b", 8, 8, ""),
        pod("b-low", "0s", 1, 8, "  nodeName: node-b\n  priorityClassName: low\n")
    );
    let r = run(&with_b, "kube-default");
    assert_eq!(
        failed(&r, "preemptor"),
        "0/2 nodes are available: 2 Insufficient nvidia.com/gpu."
    );
    assert!(
        r.events
            .iter()
            .any(|e| e.event == "PodNominated" && e.detail == "node-b")
    );

    let with_tainted = format!(
        "{base}{}",
        node("node-t", 8, 8, "{key: gpu, value: \"true\", effect: NoSchedule}")
    );
    let r = run(&with_tainted, "kube-default");
    assert_eq!(
        failed(&r, "preemptor"),
        "0/2 nodes are available: 1 Insufficient nvidia.com/gpu, 1 node(s) had untolerated taint(s). \
         preemption: 0/2 nodes are available: 1 Insufficient nvidia.com/gpu, 1 Preemption is not \
         helpful for scheduling."
    );

    let never = format!(
        "{with_tainted}{}{}",
        class("high-never", 100, "Never"),
        pod("never", "20s", 1, 8, "  priorityClassName: high-never\n")
    );
    let r = run(&never, "kube-default");
    assert_eq!(
        failed(&r, "never"),
        "0/2 nodes are available: 1 Insufficient nvidia.com/gpu, 1 node(s) had untolerated taint(s). \
         preemption: not eligible due to preemptionPolicy=Never."
    );
}

#[test]
fn a_request_larger_than_any_node_is_not_helped_by_preemption() {
    let y = format!(
        "{}{}{}",
        sim("horizon: 10m"),
        node("node-0", 8, 8, ""),
        pod("huge", "0s", 1, 16, "")
    );
    let r = run(&y, "kube-default");
    assert_eq!(
        failed(&r, "huge"),
        "0/1 nodes are available: 1 Insufficient nvidia.com/gpu. preemption: 0/1 nodes are available: \
         1 Preemption is not helpful for scheduling."
    );
}

#[test]
fn coscheduling_prefilter_and_postfilter_messages() {
    // A PodGroup of minMember 3 with only 2 pods: PreFilter rejects each member, and the
    // PostFilter (after DefaultPreemption's) rejects the group: none of its 3 holds a node.
    let mut y = format!(
        "{}{}apiVersion: scheduling.x-k8s.io/v1alpha1\nkind: PodGroup\nmetadata: {{name: pg1}}\nspec: {{minMember: 3}}\n---\n",
        sim("horizon: 10m"),
        nodes(3, 8)
    );
    for i in 0..2 {
        y += &format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: member-{i}, labels: {{scheduling.x-k8s.io/pod-group: pg1}}, annotations: {{kubesim.io/duration: 1h}}}}\nspec:\n  restartPolicy: Never\n  containers: [{{name: c, image: x, resources: {{limits: {{nvidia.com/gpu: 1}}}}}}]\n---\n"
        );
    }
    let r = run(&y, "coscheduling");
    assert_eq!(
        failed(&r, "member-0"),
        "0/3 nodes are available: pre-filter pod member-0 cannot find enough sibling pods, current pods \
         number: 2, minMember of group: 3. preemption: 0/3 nodes are available: 3 Preemption is not \
         helpful for scheduling., PodGroup default/pg1 gets rejected due to Pod member-0 is \
         unschedulable even after PostFilter"
    );
}

#[test]
fn without_nodes_the_scheduler_says_so() {
    let y = format!("{}{}", sim("horizon: 1m"), pod("alone", "0s", 1, 1, ""));
    let r = run(&y, "kube-default");
    assert_eq!(failed(&r, "alone"), "no nodes available to schedule pods");
}

// ----- Kueue ------------------------------------------------------------------------------------

const KUEUE_NODE: &str = "apiVersion: v1\nkind: Node\nmetadata: {name: node-0}\nstatus:\n  allocatable: {cpu: \"64\", memory: 256Gi, pods: \"110\"}\n---\napiVersion: kueue.x-k8s.io/v1beta1\nkind: ResourceFlavor\nmetadata: {name: default-flavor}\n---\n";

fn cq(name: &str, nominal: u32, extra: &str) -> String {
    format!(
        "apiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata: {{name: {name}}}\nspec:\n  namespaceSelector: {{}}\n{extra}  resourceGroups:\n  - coveredResources: [cpu]\n    flavors:\n    - name: default-flavor\n      resources:\n      - name: cpu\n        nominalQuota: {nominal}\n---\napiVersion: kueue.x-k8s.io/v1beta1\nkind: LocalQueue\nmetadata: {{name: {name}, namespace: default}}\nspec: {{clusterQueue: {name}}}\n---\n"
    )
}

fn kjob(name: &str, lq: &str, cpu: u32, at: &str, dur: &str, extra_labels: &str) -> String {
    format!(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}\n  labels: {{kueue.x-k8s.io/queue-name: {lq}{extra_labels}}}\n  annotations: {{kubesim.io/submit-at: {at}, kubesim.io/duration: {dur}}}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"{cpu}\"}}}}}}]\n---\n"
    )
}

/// (time, event, detail) of a workload's Kueue pending events.
fn pending(r: &kubesim::observe::record::RunResult, name: &str) -> Vec<(f64, String, String)> {
    history(r, &format!("default/{name}"))
        .into_iter()
        .filter(|(_, e, _)| {
            [
                "WaitingForQuota",
                "ExceedsMaxQuota",
                "NoMatchingFlavor",
                "WaitingForPreemptedWorkloads",
            ]
            .contains(&e.as_str())
        })
        .collect()
}

#[test]
fn kueue_says_how_much_quota_of_which_flavor_is_short_once_per_change() {
    let y = format!(
        "{}{KUEUE_NODE}{}{}{}{}{}",
        sim("horizon: 2000s"),
        cq("cq-a", 10, ""),
        kjob("first", "cq-a", 8, "0s", "1000s", ""),
        kjob("second", "cq-a", 4, "10s", "100s", ""),
        kjob("third", "cq-a", 1, "20s", "100s", ""),
        kjob("huge", "cq-a", 12, "30s", "100s", ""),
    );
    let r = run(&y, "kueue");
    // second waits (2 CPUs short) until first ends at 1000 s; third (1 CPU) fits beside first.
    assert_eq!(
        pending(&r, "second"),
        vec![(
            10.0,
            "WaitingForQuota".to_string(),
            "couldn't assign flavors to pod set main: insufficient unused quota for cpu in flavor \
             default-flavor, 2 more needed"
                .to_string()
        )]
    );
    assert_eq!(
        pending(&r, "huge"),
        vec![(
            30.0,
            "ExceedsMaxQuota".to_string(),
            "couldn't assign flavors to pod set main: insufficient quota for cpu in flavor \
             default-flavor, previously considered podsets requests (0) + current podset request \
             (12) > maximum capacity (10)"
                .to_string()
        )]
    );
    assert!(pending(&r, "first").is_empty() && pending(&r, "third").is_empty());
}

#[test]
fn kueue_says_it_is_waiting_for_the_workloads_it_preempts() {
    let classes =
        "apiVersion: kueue.x-k8s.io/v1beta1\nkind: WorkloadPriorityClass\nmetadata: {name: prod}\nvalue: 1000\n---\n";
    let y = format!(
        "{}{KUEUE_NODE}{classes}{}{}{}",
        sim("horizon: 2000s"),
        cq("cq", 8, "  preemption: {withinClusterQueue: LowerPriority}\n"),
        kjob("low", "cq", 6, "0s", "1000s", ""),
        kjob("high", "cq", 4, "50s", "100s", ", kueue.x-k8s.io/priority-class: prod"),
    );
    let r = run(&y, "kueue");
    assert_eq!(
        pending(&r, "high"),
        vec![(
            50.0,
            "WaitingForPreemptedWorkloads".to_string(),
            "couldn't assign flavors to pod set main: insufficient unused quota for cpu in flavor \
             default-flavor, 2 more needed. Pending the preemption of 1 workload(s)"
                .to_string()
        )]
    );
}

// ----- Volcano ----------------------------------------------------------------------------------

/// A Volcano job of 4 workers asking 4 GPUs each, all needed, in `queue`, at 10 s.
fn train(queue: &str) -> String {
    format!(
        "apiVersion: batch.volcano.sh/v1alpha1\nkind: Job\nmetadata:\n  name: train\n  annotations: {{kubesim.io/submit-at: 10s, kubesim.io/duration: 1h}}\nspec:\n  queue: {queue}\n  minAvailable: 4\n  tasks:\n  - name: worker\n    replicas: 4\n    template:\n      spec:\n        restartPolicy: Never\n        containers: [{{name: c, image: x, resources: {{limits: {{cpu: \"100m\", nvidia.com/gpu: \"4\"}}}}}}]\n---\n"
    )
}

/// (time, detail) of the PodGroup's Unschedulable events.
fn unschedulable(r: &kubesim::observe::record::RunResult) -> Vec<(f64, String)> {
    history(r, "default/train-pg0")
        .into_iter()
        .filter(|(_, e, _)| e == "Unschedulable")
        .map(|(t, _, d)| (t, d))
        .collect()
}

#[test]
fn volcano_says_the_gang_is_not_ready_and_why_its_first_task_found_no_node() {
    // 5 nodes of 4 GPUs, 2 held by pods bound by name: enqueue admits (idle 24 - 8 = 16 GPUs),
    // allocate places 3 workers on the 3 free nodes and the 4th finds none; the plan is dropped.
    let mut y = sim("horizon: 1h");
    for i in 0..5 {
        y += &node(&format!("node-{i}"), 8, 4, "");
    }
    for i in 3..5 {
        y += &pod(&format!("filler-{i}"), "0s", 1, 4, &format!("  nodeName: node-{i}\n"));
    }
    y += &train("default");
    let r = run(&y, "volcano");
    assert_eq!(
        unschedulable(&r),
        vec![
            // The session that enqueued it ran before its pods existed.
            (
                10.0,
                "0/0 tasks in gang unschedulable: pod group is not ready, 4 minAvailable".to_string()
            ),
            (
                11.0,
                "4/4 tasks in gang unschedulable: pod group is not ready, 4 Pending, 4 minAvailable; \
                 Pending: 1 Unschedulable, 3 Schedulable. Origin reason is train-worker-3: 0/5 nodes \
                 are unavailable: 5 Insufficient nvidia.com/gpu."
                    .to_string()
            ),
        ]
    );
}

#[test]
fn volcano_says_when_the_cluster_is_overused_or_the_queue_short() {
    // 3 nodes of 4 GPUs: 16 GPUs exceed overcommit's 12 x 1.2.
    let mut y = sim("horizon: 1m");
    for i in 0..3 {
        y += &node(&format!("node-{i}"), 8, 4, "");
    }
    let r = run(&format!("{y}{}", train("default")), "volcano");
    assert_eq!(
        unschedulable(&r),
        vec![
            (
                10.0,
                "resource in cluster is overused: overused nvidia.com/gpu".to_string()
            ),
            (
                10.0,
                "0/0 tasks in gang unschedulable: pod group is not ready, 4 minAvailable".to_string()
            ),
        ]
    );
    // 5 nodes (20 GPUs), but the queue may hold 8.
    for i in 3..5 {
        y += &node(&format!("node-{i}"), 8, 4, "");
    }
    y += "apiVersion: scheduling.volcano.sh/v1beta1\nkind: Queue\nmetadata: {name: small}\nspec: {weight: 1, capability: {nvidia.com/gpu: 8}}\n---\n";
    let r = run(&format!("{y}{}", train("small")), "volcano");
    assert_eq!(
        unschedulable(&r)[0],
        (
            10.0,
            "queue resource quota insufficient: insufficient nvidia.com/gpu".to_string()
        )
    );
}

#[test]
fn kueue_words_every_flavor_it_tried_and_the_cohort_borrowing_limit() {
    // Flavor spot is tainted (the Job does not tolerate it); on-demand: 4 CPUs nominal, may
    // borrow 2 of cq-b's 6 in the cohort: at most 6, and the Job asks 9.
    let flavors = "apiVersion: kueue.x-k8s.io/v1beta1\nkind: ResourceFlavor\nmetadata: {name: spot}\nspec:\n  nodeTaints: [{key: spot, value: \"true\", effect: NoSchedule}]\n---\napiVersion: kueue.x-k8s.io/v1beta1\nkind: ResourceFlavor\nmetadata: {name: on-demand}\n---\n";
    let cq_a = "apiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata: {name: cq-a}\nspec:\n  namespaceSelector: {}\n  cohort: pool\n  resourceGroups:\n  - coveredResources: [cpu]\n    flavors:\n    - name: spot\n      resources: [{name: cpu, nominalQuota: 10}]\n    - name: on-demand\n      resources: [{name: cpu, nominalQuota: 4, borrowingLimit: 2}]\n---\napiVersion: kueue.x-k8s.io/v1beta1\nkind: LocalQueue\nmetadata: {name: cq-a, namespace: default}\nspec: {clusterQueue: cq-a}\n---\n";
    let cq_b = "apiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata: {name: cq-b}\nspec:\n  namespaceSelector: {}\n  cohort: pool\n  resourceGroups:\n  - coveredResources: [cpu]\n    flavors:\n    - name: on-demand\n      resources: [{name: cpu, nominalQuota: 6}]\n---\n";
    let y = format!(
        "{}{}{flavors}{cq_a}{cq_b}{}",
        sim("horizon: 10m"),
        "apiVersion: v1\nkind: Node\nmetadata: {name: node-0}\nstatus:\n  allocatable: {cpu: \"64\", memory: 256Gi, pods: \"110\"}\n---\n",
        kjob("wide", "cq-a", 9, "0s", "100s", ""),
    );
    let r = run(&y, "kueue");
    assert_eq!(
        pending(&r, "wide"),
        vec![(
            0.0,
            "ExceedsMaxQuota".to_string(),
            "couldn't assign flavors to pod set main: insufficient quota for cpu in flavor on-demand, \
             previously considered podsets requests (0) + current podset request (9) > maximum capacity \
             (6), untolerated taint {spot true NoSchedule <nil>} in flavor spot"
                .to_string()
        )]
    );
}
