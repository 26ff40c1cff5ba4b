//! kube-scheduler against semantics.md section 8 (S-K1, S-K2, S-K4, S-K5) and section 3:
//! queue backoff and flushes, preemption victim and node choice, preemptionPolicy Never,
//! LeastAllocated vs MostAllocated placement, taints and node selection.

mod common;
use common::{job, nodes, run, times};

fn sim(extra: &str) -> String {
    format!("apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: t}}\nspec: {{{extra}}}\n---\n")
}

/// A pod that can never fit (100 CPUs), and 1-CPU nodes joining every 0.1 s (each a cluster
/// event that requeues it).
fn s_k1(pop_from_backoff_q: bool) -> Vec<f64> {
    let sim = sim(&format!(
        "horizon: 40s, latencies: {{popFromBackoffQ: {pop_from_backoff_q}}}"
    ));
    let y = format!(
        r#"{sim}apiVersion: kubesim.io/v1alpha1
kind: Arrivals
metadata: {{name: joiners}}
spec:
  count: 400
  every: 100ms
  template:
    apiVersion: v1
    kind: Node
    metadata: {{name: small}}
    status: {{allocatable: {{cpu: "1", memory: 1Gi, pods: "10"}}}}
---
apiVersion: v1
kind: Pod
metadata: {{name: big}}
spec:
  restartPolicy: Never
  containers: [{{name: c, image: x, resources: {{requests: {{cpu: "100"}}}}}}]
"#
    );
    let r = run(&y, "kube-default");
    times(&r, "big", "FailedScheduling")
}

#[test]
fn s_k1_backoff_doubles_to_10s_on_whole_seconds_without_pop_from_backoff_q() {
    let attempts = s_k1(false);
    assert_eq!(attempts[..7], [0.0, 1.0, 3.0, 7.0, 15.0, 25.0, 35.0]);
}

#[test]
fn s_k1_with_pop_from_backoff_q_the_pod_is_retried_at_each_event() {
    let attempts = s_k1(true);
    // One attempt at creation, then one after each of the 399 later node joins.
    assert_eq!(attempts.len(), 400);
    assert_eq!(attempts[..4], [0.0, 0.1, 0.2, 0.3]);
}

#[test]
fn s_k2_without_events_the_leftover_flush_retries_at_330_then_660() {
    let y = format!(
        "{}{}apiVersion: v1\nkind: Pod\nmetadata: {{name: big}}\nspec:\n  restartPolicy: Never\n  containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"100\"}}}}}}]\n",
        sim("horizon: 1000s"),
        nodes(1, 0)
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "big", "FailedScheduling"), [0.0, 330.0, 660.0, 990.0]);
    assert_eq!(job(&r, "big").reason, "Unschedulable");
}

/// Victims pinned with spec.nodeName; `preemptor` asks for 3 of each node's 3 CPUs.
fn pinned(name: &str, node: &str, class: &str, cpu: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, annotations: {{kubesim.io/duration: 1h, kubesim.io/terminate-after: 5m}}}}\nspec:\n  nodeName: {node}\n  priorityClassName: {class}\n  restartPolicy: Never\n  containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"{cpu}\"}}}}}}]\n---\n"
    )
}

fn class(name: &str, value: i32, policy: &str) -> String {
    format!(
        "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {{name: {name}}}\nvalue: {value}\npreemptionPolicy: {policy}\n---\n"
    )
}

fn three_cpu_node(name: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Node\nmetadata: {{name: {name}}}\nstatus: {{allocatable: {{cpu: \"3\", memory: 8Gi, pods: \"10\"}}}}\n---\n"
    )
}

/// A pod of priority 100 created at 10 s that needs all 3 CPUs of a node.
const PREEMPTOR: &str = r#"apiVersion: v1
kind: Pod
metadata: {name: preemptor, annotations: {kubesim.io/submit-at: 10s, kubesim.io/duration: 1h}}
spec:
  priorityClassName: p100
  restartPolicy: Never
  containers: [{name: c, image: x, resources: {requests: {cpu: "3"}}}]
"#;

#[test]
fn s_k4_preemption_prefers_the_node_with_the_lowest_highest_victim_priority() {
    let preemptor = PREEMPTOR;
    let y = format!(
        "{}{}{}{}{}{}{}{}{}{}{}{}{preemptor}",
        sim("horizon: 100s"),
        three_cpu_node("node-x"),
        three_cpu_node("node-y"),
        class("p5", 5, "PreemptLowerPriority"),
        class("p10", 10, "PreemptLowerPriority"),
        class("p100", 100, "PreemptLowerPriority"),
        pinned("x1", "node-x", "p10", "1500m"),
        pinned("x2", "node-x", "p10", "1500m"),
        pinned("y1", "node-y", "p5", "1"),
        pinned("y2", "node-y", "p5", "1"),
        pinned("y3", "node-y", "p5", "1"),
        ""
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "y", "PodDeleted"), [10.0, 10.0, 10.0]);
    assert!(times(&r, "x", "PodDeleted").is_empty());
    let bound: Vec<_> = r
        .events
        .iter()
        .filter(|e| e.event == "PodBound" && e.object.ends_with("preemptor"))
        .collect();
    assert_eq!(bound.len(), 1);
    assert_eq!(bound[0].detail, "node-y");
    // The victims ignore SIGTERM for the 30 s grace period; the preemptor binds then.
    assert_eq!(bound[0].time.ms(), 40_000);
    assert_eq!(r.preemptions, 3);
}

#[test]
fn s_k5_preemption_policy_never_waits_ahead_of_lower_priority_but_never_evicts() {
    let one_gpu = |name: &str, submit: &str, class: &str, dur: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, annotations: {{kubesim.io/submit-at: {submit}, kubesim.io/duration: {dur}}}}}\nspec:\n  priorityClassName: {class}\n  restartPolicy: Never\n  containers: [{{name: c, image: x, resources: {{limits: {{nvidia.com/gpu: 1}}}}}}]\n---\n"
        )
    };
    let y = format!(
        "{}{}{}{}{}{}{}",
        sim("horizon: 500s"),
        nodes(1, 1),
        class("low", 0, "PreemptLowerPriority"),
        class("high-never", 1000, "Never"),
        one_gpu("l", "0s", "low", "100s"),
        one_gpu("h", "10s", "high-never", "100s"),
        one_gpu("m", "20s", "low", "100s"),
    );
    let r = run(&y, "kube-default");
    assert_eq!(r.preemptions, 0);
    assert_eq!(times(&r, "h", "PodBound"), [100.0]);
    assert_eq!(times(&r, "m", "PodBound"), [200.0]);
}

/// Two 8-GPU nodes, one already holding a 4-GPU pod; a 1-GPU pod goes to the emptier node
/// under LeastAllocated and to the fuller one under MostAllocated. GPUs are not in the default
/// scoring resources, so the pods ask for cpu in proportion.
#[test]
fn least_allocated_spreads_and_most_allocated_packs() {
    let gpu_pod = |name: &str, submit: &str, gpus: u32| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, annotations: {{kubesim.io/submit-at: {submit}, kubesim.io/duration: 1h}}}}\nspec:\n  restartPolicy: Never\n  containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"{gpus}\", memory: {gpus}Gi, nvidia.com/gpu: \"{gpus}\"}}, limits: {{nvidia.com/gpu: \"{gpus}\"}}}}}}]\n---\n"
        )
    };
    let y = format!(
        "{}{}{}{}",
        sim("horizon: 10s"),
        nodes(2, 8),
        gpu_pod("first", "0s", 4),
        gpu_pod("second", "1s", 1)
    );
    let node_of = |policy: &str| {
        let r = run(&y, policy);
        let first = r
            .events
            .iter()
            .find(|e| e.event == "PodBound" && e.object.ends_with("first"))
            .unwrap()
            .detail
            .clone();
        let second = r
            .events
            .iter()
            .find(|e| e.event == "PodBound" && e.object.ends_with("second"))
            .unwrap()
            .detail
            .clone();
        (first, second)
    };
    // Equal empty nodes tie: the node whose name sorts first wins.
    let (f, s) = node_of("kube-default");
    assert_eq!((f.as_str(), s.as_str()), ("node-0", "node-1"));
    let (f, s) = node_of("kube-binpack");
    assert_eq!((f.as_str(), s.as_str()), ("node-0", "node-0"));
}

#[test]
fn taints_tolerations_and_node_selectors_place_pods() {
    let y = format!(
        "{}apiVersion: v1\nkind: Node\nmetadata: {{name: tainted, labels: {{gpu-type: A100}}}}\nspec:\n  taints: [{{key: nvidia.com/gpu, value: present, effect: NoSchedule}}]\nstatus: {{allocatable: {{cpu: \"8\", memory: 64Gi, nvidia.com/gpu: \"8\"}}}}\n---\n\
apiVersion: v1\nkind: Node\nmetadata: {{name: plain, labels: {{gpu-type: T4}}}}\nstatus: {{allocatable: {{cpu: \"8\", memory: 64Gi, nvidia.com/gpu: \"8\"}}}}\n---\n\
apiVersion: v1\nkind: Pod\nmetadata: {{name: tolerant, annotations: {{kubesim.io/duration: 1m}}}}\nspec:\n  restartPolicy: Never\n  nodeSelector: {{gpu-type: A100}}\n  tolerations: [{{key: nvidia.com/gpu, operator: Equal, value: present, effect: NoSchedule}}]\n  containers: [{{name: c, image: x, resources: {{limits: {{nvidia.com/gpu: 1}}}}}}]\n---\n\
apiVersion: v1\nkind: Pod\nmetadata: {{name: intolerant, annotations: {{kubesim.io/duration: 1m}}}}\nspec:\n  restartPolicy: Never\n  nodeSelector: {{gpu-type: A100}}\n  containers: [{{name: c, image: x, resources: {{limits: {{nvidia.com/gpu: 1}}}}}}]\n---\n\
apiVersion: v1\nkind: Pod\nmetadata: {{name: anywhere, annotations: {{kubesim.io/duration: 1m}}}}\nspec:\n  restartPolicy: Never\n  containers: [{{name: c, image: x, resources: {{limits: {{nvidia.com/gpu: 1}}}}}}]\n",
        sim("horizon: 5m")
    );
    let r = run(&y, "kube-default");
    let bound = |name: &str| {
        r.events
            .iter()
            .find(|e| e.event == "PodBound" && e.object.ends_with(name))
            .map(|e| e.detail.clone())
    };
    assert_eq!(bound("tolerant").as_deref(), Some("tainted"));
    assert_eq!(bound("anywhere").as_deref(), Some("plain"));
    assert_eq!(bound("intolerant"), None);
    let j = job(&r, "intolerant");
    assert_eq!((j.state.as_str(), j.reason.as_str()), ("Pending", "Unschedulable"));
    let why = r
        .events
        .iter()
        .find(|e| e.event == "FailedScheduling" && e.object.ends_with("intolerant"))
        .unwrap();
    assert_eq!(
        why.detail,
        "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had \
         untolerated taint(s). preemption: 0/2 nodes are available: 2 Preemption is not helpful for \
         scheduling."
    );
}

#[test]
fn s_k4_a_pdb_violation_outweighs_a_lower_victim_priority() {
    // Node X: one priority-10 victim guarded by a PDB with no disruption allowed; node Y: one
    // priority-50 victim. Without the PDB, X would win (lower highest victim priority).
    let guarded = "apiVersion: v1\nkind: Pod\nmetadata: {name: x1, labels: {app: guarded}, annotations: {kubesim.io/duration: 1h}}\nspec:\n  nodeName: node-x\n  priorityClassName: p10\n  restartPolicy: Never\n  containers: [{name: c, image: x, resources: {requests: {cpu: \"3\"}}}]\n---\n";
    let pdb = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: keep-one}\nspec:\n  minAvailable: 1\n  selector: {matchLabels: {app: guarded}}\n---\n";
    let preemptor = "apiVersion: v1\nkind: Pod\nmetadata: {name: preemptor, annotations: {kubesim.io/submit-at: 10s, kubesim.io/duration: 1h}}\nspec:\n  priorityClassName: p100\n  restartPolicy: Never\n  containers: [{name: c, image: x, resources: {requests: {cpu: \"3\"}}}]\n";
    let base = format!(
        "{}{}{}{}{}{}{}{}",
        sim("horizon: 100s"),
        three_cpu_node("node-x"),
        three_cpu_node("node-y"),
        class("p10", 10, "PreemptLowerPriority"),
        class("p50", 50, "PreemptLowerPriority"),
        class("p100", 100, "PreemptLowerPriority"),
        guarded,
        pinned("y1", "node-y", "p50", "3"),
    );
    let with_pdb = run(&format!("{base}{pdb}{preemptor}"), "kube-default");
    assert_eq!(times(&with_pdb, "y1", "PodDeleted"), [10.0]);
    assert!(times(&with_pdb, "x1", "PodDeleted").is_empty());
    let without = run(&format!("{base}{preemptor}"), "kube-default");
    assert_eq!(times(&without, "x1", "PodDeleted"), [10.0]);
    assert!(times(&without, "y1", "PodDeleted").is_empty());
}

/// openb pods with a `gpu_spec` replayed on nodes built from an openb node list bind only to
/// nodes of their GPU models: the three V100M32 pods share the one 2-GPU V100M32 node (the third
/// waits for the first to end at 100 s although the T4 node has 8 GPUs free), the
/// `V100M16|V100M32` pod goes to the V100M16 node as the V100M32 one is full, the T4 pod to the
/// T4 node. Every binding is asserted.
#[test]
fn trace_gpu_models_are_a_required_node_affinity() {
    let nodes = "sn,cpu_milli,memory_mib,gpu,model\n\
        n-cpu,64000,262144,0,\n\
        n-t4,64000,262144,8,T4\n\
        n-v16,64000,262144,2,V100M16\n\
        n-v32,64000,262144,2,V100M32\n";
    let pods = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n\
        a0,1000,1024,1,1000,V100M32,LS,Succeeded,0,100,0\n\
        a1,1000,1024,1,1000,V100M32,LS,Succeeded,0,200,0\n\
        a2,1000,1024,1,1000,V100M32,LS,Succeeded,10,60,10\n\
        b0,1000,1024,1,1000,V100M16|V100M32,LS,Succeeded,20,50,20\n\
        c0,1000,1024,1,1000,T4,BE,Succeeded,30,40,30\n\
        d0,1000,1024,1,1000,,BE,Succeeded,30,40,30\n";
    let yaml = "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: models}\n---\n\
        apiVersion: kubesim.io/v1alpha1\nkind: Trace\nmetadata: {name: t}\n\
        spec: {path: pods.csv, format: openb, nodes: {path: nodes.csv}}\n";
    let sc = common::load_with_files("gpu-models", &[("nodes.csv", nodes), ("pods.csv", pods)], yaml);
    // Every model a pod names is on some node: nothing to warn about. Without the V100M32 node,
    // the three pods that need it can never start, and the run says so.
    assert_eq!(kubesim::input::scenario::warnings(&sc), Vec::<String>::new());
    let no_v32 = nodes.replace("n-v32,64000,262144,2,V100M32\n", "");
    let sc2 = common::load_with_files("gpu-models-2", &[("nodes.csv", &no_v32), ("pods.csv", pods)], yaml);
    assert_eq!(
        kubesim::input::scenario::warnings(&sc2),
        ["Trace \"t\" (".to_string()
            + &sc2.traces[0].loc.to_string()
            + "): 3 jobs require GPU models that no node carries in the label nvidia.com/gpu.product \
               (3 of \"V100M32\"): they can never start; give the Trace its cluster's node list \
               (nodes: {path: ...}) or label nodes with those models"]
    );
    let mut runs = kubesim::experiment::run_all(&sc, &["kube-default".to_string()], &[1], true).expect("runs");
    let r = runs.remove(0);
    let bound: Vec<(f64, &str, &str)> = r
        .events
        .iter()
        .filter(|e| e.event == "PodBound")
        .map(|e| (e.time.ms() as f64 / 1000.0, e.object.as_str(), e.detail.as_str()))
        .collect();
    assert_eq!(
        bound,
        [
            (0.0, "default/t-0-0", "n-v32"),
            (0.0, "default/t-1-0", "n-v32"),
            (20.0, "default/t-3-0", "n-v16"),
            (30.0, "default/t-4-0", "n-t4"),
            (30.0, "default/t-5-0", "n-t4"),
            (100.0, "default/t-2-0", "n-v32"),
        ]
    );
}

/// kube-scheduler binds through its client (50 QPS, burst 100 by default): 300 pods that fit
/// at once (the Job controller's client opened wide) are scheduled in one instant, but the
/// first 100 Bindings go out at 0 and then one every 20 ms, the last at 4 s; a pod starts when
/// its Binding is sent.
#[test]
fn kube_scheduler_binds_at_its_client_rate() {
    let y = format!(
        "{}{}apiVersion: batch/v1\nkind: Job\nmetadata: {{name: j, annotations: {{kubesim.io/duration: 1h}}}}\nspec:\n  completions: 300\n  parallelism: 300\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{{name: c, image: x, resources: {{requests: {{cpu: 100m}}}}}}]\n---\n",
        sim("clientRateLimits: {kube-controller-manager: {qps: 100000, burst: 100000}}"),
        nodes(4, 0)
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "j-", "PodCreated"), vec![0.0; 300]);
    let bound = times(&r, "j-", "PodBound");
    let want: Vec<f64> = (1..=300usize)
        .map(|k| (k.saturating_sub(100) * 20) as f64 / 1000.0)
        .collect();
    assert_eq!(bound, want);
    // A custom rate: 10 QPS, burst 50: the 300th at 25 s.
    let y2 = y.replace(
        "kube-controller-manager: {qps: 100000, burst: 100000}",
        "kube-controller-manager: {qps: 100000, burst: 100000}, kube-scheduler: {qps: 10, burst: 50}",
    );
    let r = run(&y2, "kube-default");
    assert_eq!(times(&r, "j-", "PodBound").last(), Some(&25.0));
    // Limits off: every pod bound at 0.
    let r = run(
        &y.replace("clientRateLimits: {", "clientRateLimits: {enabled: false, "),
        "kube-default",
    );
    assert_eq!(times(&r, "j-", "PodBound"), vec![0.0; 300]);
}

/// A pod's first failed attempt patches its PodScheduled condition through kube-scheduler's
/// client (asynchronous: nothing waits for it, but the patches take tokens before later
/// Bindings). At 1 QPS, burst 5: ten pods that never fit, created at 0, take 5 tokens at 0 and
/// one a second until 5 s; a pod created at 1 s is bound at 6 s (1 s without limits).
#[test]
fn unschedulable_condition_patches_take_kube_schedulers_tokens() {
    let jobs = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: big, annotations: {kubesim.io/duration: 1h}}\nspec:\n  completions: 10\n  parallelism: 10\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: x, resources: {requests: {cpu: \"100\"}}}]\n---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: small, annotations: {kubesim.io/duration: 1h, kubesim.io/submit-at: 1s}}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: x, resources: {requests: {cpu: \"1\"}}}]\n---\n";
    let y = format!(
        "{}{}{jobs}",
        sim("horizon: 100s, clientRateLimits: {kube-scheduler: {qps: 1, burst: 5}}"),
        nodes(1, 0)
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "small-", "PodBound"), [6.0]);
    let r = run(
        &y.replace("clientRateLimits: {", "clientRateLimits: {enabled: false, "),
        "kube-default",
    );
    assert_eq!(times(&r, "small-", "PodBound"), [1.0]);
}

/// A preemption's writes pass kube-scheduler's client: the preemptor's nomination, each
/// victim's DisruptionTarget patch, then the victims' deletes. At 1 QPS, burst 4 (full at
/// 10 s): the nomination and the 3 patches at 10 s, the deletes at 11, 12 and 13 s; the
/// victims ignore SIGTERM for their 30 s grace period, so the preemptor binds at 43 s (40 s
/// with the default limits).
#[test]
fn preemption_victims_are_deleted_at_kube_schedulers_client_rate() {
    let preemptor = PREEMPTOR;
    let body = format!(
        "{}{}{}{}{}{}{preemptor}",
        three_cpu_node("node-y"),
        class("p5", 5, "PreemptLowerPriority"),
        class("p100", 100, "PreemptLowerPriority"),
        pinned("y1", "node-y", "p5", "1"),
        pinned("y2", "node-y", "p5", "1"),
        pinned("y3", "node-y", "p5", "1"),
    );
    let limited = format!(
        "{}{body}",
        sim("horizon: 100s, clientRateLimits: {kube-scheduler: {qps: 1, burst: 4}}")
    );
    let r = run(&limited, "kube-default");
    assert_eq!(times(&r, "y", "PodDeleted"), [11.0, 12.0, 13.0]);
    assert_eq!(times(&r, "preemptor", "PodBound"), [43.0]);
    assert_eq!(r.preemptions, 3);
    let r = run(&format!("{}{body}", sim("horizon: 100s")), "kube-default");
    assert_eq!(times(&r, "y", "PodDeleted"), [10.0, 10.0, 10.0]);
    assert_eq!(times(&r, "preemptor", "PodBound"), [40.0]);
}

/// `kubeSchedulerThroughput` bounds the scheduling attempts a second (one at a time): at 100
/// a second, 300 pods created at once (clients opened wide) are bound 10 ms apart, the last at
/// 2.99 s; without it every attempt takes no time.
#[test]
fn scheduler_throughput_bounded_as_configured() {
    let y = format!(
        "{}{}apiVersion: batch/v1\nkind: Job\nmetadata: {{name: j, annotations: {{kubesim.io/duration: 1h}}}}\nspec:\n  completions: 300\n  parallelism: 300\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{{name: c, image: x, resources: {{requests: {{cpu: 100m}}}}}}]\n---\n",
        sim(
            "kubeSchedulerThroughput: 100, clientRateLimits: {kube-controller-manager: {qps: 100000, burst: 100000}, kube-scheduler: {qps: 100000, burst: 100000}}"
        ),
        nodes(4, 0)
    );
    let r = run(&y, "kube-default");
    let want: Vec<f64> = (0..300u64).map(|k| (k * 10) as f64 / 1000.0).collect();
    assert_eq!(times(&r, "j-", "PodBound"), want);
    // 680 a second (scheduler_perf's SchedulingBasic on 5,000 nodes): attempt k at k/680 s,
    // rounded up to the millisecond.
    let r = run(
        &y.replace("kubeSchedulerThroughput: 100", "kubeSchedulerThroughput: 680"),
        "kube-default",
    );
    let want: Vec<f64> = (0..300u64).map(|k| (k * 1000).div_ceil(680) as f64 / 1000.0).collect();
    assert_eq!(times(&r, "j-", "PodBound"), want);
    let r = run(&y.replace("kubeSchedulerThroughput: 100, ", ""), "kube-default");
    assert_eq!(times(&r, "j-", "PodBound"), vec![0.0; 300]);
}

/// A run that never runs out of tokens gives the same results as one without client limits:
/// the demo scenario (gangs created together, one-by-one and gang policies, Kueue) with every
/// client opened wide against `enabled: false`, jobs and events alike. It processes more
/// engine events: with limits on, a Job's pod that starts asks for a sync a batch period later
/// (its status.ready update, a write that could wait for a token), which changes nothing
/// when the token is there.
#[test]
fn client_limits_never_reached_change_nothing() {
    use kubesim::experiment::run_all;
    use kubesim::input::scenario::load;
    use kubesim::rate::ClientLimit;
    let path = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/gang-contention.yaml"));
    let mut open = load(&[path]).expect("the demo loads");
    let wide = ClientLimit {
        qps_milli: 1_000_000_000,
        burst: 1_000_000,
    };
    let l = &mut open.sim.client_limits;
    (l.kueue, l.kube_scheduler, l.volcano_scheduler) = (wide, wide, wide);
    (l.kube_controller_manager, l.volcano_controller_manager) = (wide, wide);
    let mut off = open.clone();
    off.sim.client_limits.enabled = false;
    let policies: Vec<String> = ["kube-default", "coscheduling", "volcano", "kueue"]
        .map(String::from)
        .to_vec();
    let a = run_all(&open, &policies, &[1, 2], true).expect("runs");
    let b = run_all(&off, &policies, &[1, 2], true).expect("runs");
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.jobs, y.jobs, "{} seed {}", x.policy, x.seed);
        assert_eq!(x.events, y.events, "{} seed {}", x.policy, x.seed);
        assert!(x.events_processed >= y.events_processed, "{} seed {}", x.policy, x.seed);
    }
    // Opened wide but on, the limits are in force: the default ones do change the demo.
    let mut default = open.clone();
    default.sim.client_limits = Default::default();
    let c = run_all(&default, &policies, &[1], true).expect("runs");
    let b1 = b.iter().filter(|r| r.seed == 1);
    assert!(c.iter().zip(b1).any(|(x, y)| {
        assert_eq!((&x.policy, x.seed), (&y.policy, y.seed));
        x.events != y.events
    }));
}
