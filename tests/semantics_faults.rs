//! Node failures and taints (semantics.md 7.3, PLC-3/4, S-N2) with exact times.

mod common;
use common::{history, job, run, secs, times};
use kubesim::observe::record::WlState;

fn node(name: &str, gpus: u32) -> String {
    format!(
        "apiVersion: v1\nkind: Node\nmetadata: {{name: {name}}}\nstatus:\n  allocatable: {{cpu: \"8\", memory: 64Gi, nvidia.com/gpu: \"{gpus}\"}}\n---\n"
    )
}

fn pod(name: &str, tolerations: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  annotations: {{kubesim.io/duration: 100s}}\nspec:\n  restartPolicy: Never\n  tolerations: [{tolerations}]\n  containers: [{{name: c, image: x, resources: {{limits: {{cpu: \"1\"}}}}}}]\n---\n"
    )
}

#[test]
fn s_n2_noexecute_taint_evicts_by_toleration_and_its_removal_saves_the_rest() {
    // S-N2 shifted by 10 s so the pods run first: the NoExecute taint comes at 10 s and goes at
    // 30 s. No toleration: evicted at 10. tolerationSeconds 5: at 15. tolerationSeconds 30:
    // would go at 40, but the taint is gone at 30, so it runs to its end at 100.
    let yaml = format!(
        "{}{}{}{}apiVersion: kubesim.io/v1alpha1\nkind: FaultModel\nmetadata: {{name: f}}\nspec:\n  taints:\n  - {{node: n0, at: 10s, for: 20s, key: maintenance, effect: NoExecute}}\n",
        node("n0", 0),
        pod("none", ""),
        pod(
            "five",
            "{key: maintenance, operator: Exists, effect: NoExecute, tolerationSeconds: 5}"
        ),
        pod(
            "thirty",
            "{key: maintenance, operator: Exists, effect: NoExecute, tolerationSeconds: 30}"
        ),
    );
    let r = run(&yaml, "kube-default");
    assert_eq!(times(&r, "none", "PodDeleted"), vec![10.0]);
    assert_eq!(times(&r, "five", "PodDeleted"), vec![15.0]);
    assert!(times(&r, "thirty", "PodDeleted").is_empty());
    assert_eq!(secs(job(&r, "thirty").finish), Some(100.0));
    assert_eq!(job(&r, "thirty").state, WlState::Complete);
    assert_eq!(job(&r, "none").state, WlState::Failed);
    let h = history(&r, "default/none");
    assert!(
        h.iter()
            .any(|(t, e, d)| *t == 10.0 && e == "PodDeleted" && d == "TaintManagerEviction"),
        "{h:?}"
    );
}

#[test]
fn a_job_loses_its_pod_with_its_node_and_is_replaced_after_the_eviction() {
    // n0 is lost at 100 s for 1000 s. The lifecycle controller notices at the first 5 s check
    // strictly after the 50 s grace (`now.After(probe + grace)`: 150 s falls on a check, so
    // 155 s): NotReady, the unreachable NoSchedule and NoExecute taints. The pod tolerates
    // unreachable for 300 s (DefaultTolerationSeconds): evicted at 455 s. On the
    // dead node it stays Terminating (no kubelet), holding its GPU; the Job counts it failed and
    // creates a replacement, which runs on n1. The node returns at 1100 s: the old pod ends.
    let yaml = format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: lost}}\n---\n{}{}\
         apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n  annotations: {{kubesim.io/duration: 1000s}}\nspec:\n  backoffLimit: 6\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{{name: c, image: x, resources: {{limits: {{nvidia.com/gpu: \"1\"}}}}}}]\n---\n\
         apiVersion: kubesim.io/v1alpha1\nkind: FaultModel\nmetadata: {{name: f}}\nspec:\n  outages: [{{node: n0, at: 100s, for: 1000s}}]\n",
        node("n0", 1),
        node("n1", 1)
    );
    let r = run(&yaml, "kube-default");
    assert_eq!(times(&r, "n0", "NodeLost"), vec![100.0]);
    assert_eq!(times(&r, "n0", "NodeNotReady"), vec![155.0]);
    assert_eq!(times(&r, "n0", "NodeReady"), vec![0.0, 1100.0]);
    let created = times(&r, "train-", "PodCreated");
    assert_eq!(created.len(), 2, "one replacement");
    assert_eq!(
        times(&r, "train-", "PodDeleted"),
        vec![455.0],
        "evicted after the 300 s toleration"
    );
    // The replacement comes after the Job controller's sync of the eviction and the pod-failure
    // backoff of the first failure (10 s): 455 + 10.
    assert_eq!(created[1], 465.0, "{:?}", history(&r, "default/train"));
    let bound: Vec<(f64, String)> = r
        .events
        .iter()
        .filter(|e| e.event == "PodBound")
        .map(|e| (e.time.ms() as f64 / 1000.0, e.detail.clone()))
        .collect();
    assert_eq!(bound[1], (465.0, "n1".to_string()), "{bound:?}");
    let j = job(&r, "train");
    assert_eq!((j.state, j.failed_pods), (WlState::Complete, 1));
    assert_eq!(secs(j.finish), Some(465.0 + 1000.0 + 1.0));
    // The first pod worked 100 s before its node was lost: 100 GPU-seconds lost.
    let s = kubesim::observe::report::summarize(&r);
    assert!((s.gpu_h_lost - 100.0 / 3600.0).abs() < 1e-9, "{}", s.gpu_h_lost);
    assert_eq!(s.node_failures, 1);
}

#[test]
fn random_node_failures_come_from_the_seed_and_match_across_policies() {
    let yaml = "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: flaky}\nspec: {seed: 3, horizon: 2d}\n---\n\
         apiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {name: gpu}\nspec:\n  count: 8\n  template:\n    apiVersion: v1\n    kind: Node\n    metadata: {name: gpu}\n    status: {allocatable: {cpu: \"64\", memory: 512Gi, nvidia.com/gpu: \"8\"}}\n---\n\
         apiVersion: kubesim.io/v1alpha1\nkind: Arrivals\nmetadata: {name: jobs}\nspec:\n  count: 200\n  poisson: {meanInterval: 10m}\n  duration: {exponential: {mean: 2h}}\n  template:\n    apiVersion: batch/v1\n    kind: Job\n    metadata: {name: job}\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: c, image: x, resources: {limits: {nvidia.com/gpu: \"2\"}}}]\n---\n\
         apiVersion: kubesim.io/v1alpha1\nkind: FaultModel\nmetadata: {name: f}\nspec: {mtbf: 1d, mttr: 2h}\n"
    .to_string();
    let a = run(&yaml, "kube-default");
    let b = run(&yaml, "kube-default");
    assert_eq!(a.events, b.events, "same seed, same failures and outcomes");
    let lost = |r: &kubesim::observe::record::RunResult| -> Vec<(u64, String)> {
        r.events
            .iter()
            .filter(|e| e.event == "NodeLost")
            .map(|e| (e.time.ms(), e.object.clone()))
            .collect()
    };
    let la = lost(&a);
    // 8 nodes x 2 days / (1 day up + ~2 h down): about 15 failures expected; not none.
    assert!((5..40).contains(&la.len()), "{} failures", la.len());
    let binpack = run(&yaml, "kube-binpack");
    assert_eq!(lost(&binpack), la, "every policy sees the same node failures");
    let s = kubesim::observe::report::summarize(&a);
    assert_eq!(s.node_failures as usize, la.len());
    assert!(s.gpu_h_lost > 0.0);
    let other_seed = run(&yaml.replace("seed: 3", "seed: 4"), "kube-default");
    assert_ne!(lost(&other_seed), la);
}

#[test]
fn fault_models_naming_unknown_nodes_are_errors() {
    let yaml = format!(
        "{}apiVersion: kubesim.io/v1alpha1\nkind: FaultModel\nmetadata: {{name: f}}\nspec:\n  outages: [{{node: nope, at: 1m}}]\n",
        node("n0", 1)
    );
    let sc = kubesim::input::scenario::load_str("t.yaml", &yaml).expect("loads");
    let e = kubesim::experiment::run_all(&sc, &["kube-default".to_string()], &[1], false).unwrap_err();
    assert!(e.message.contains("nope") && e.file.is_some(), "{e}");
    let bad = format!(
        "{}apiVersion: kubesim.io/v1alpha1\nkind: FaultModel\nmetadata: {{name: f}}\nspec: {{mtbf: 1d}}\n",
        node("n0", 1)
    );
    let e = kubesim::input::scenario::load_str("t.yaml", &bad).unwrap_err();
    assert!(e.to_string().contains("mttr"), "{e}");
}

#[test]
fn the_node_failure_scenario_breaks_the_gang_under_both_schedulers() {
    let path = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/node-failure.yaml"));
    let sc = kubesim::input::scenario::load(&[path]).expect("scenario");
    let runs = kubesim::experiment::run_all(&sc, &sc.sim.policies, &[1], true).expect("runs");
    for r in &runs {
        assert_eq!(times(r, "gpu-1", "NodeLost"), vec![3600.0], "{}", r.policy);
        assert_eq!(times(r, "gpu-1", "NodeNotReady"), vec![3655.0], "{}", r.policy);
        let train = job(r, "llm-train");
        assert_eq!(train.state, WlState::Complete, "{}", r.policy);
        // The gang's 4 h of work restart after the node returns at 3 h: it ends at 7 h or later.
        assert!(
            secs(train.finish).unwrap() >= 7.0 * 3600.0,
            "{}: {:?}",
            r.policy,
            train.finish
        );
        assert!(
            kubesim::observe::report::summarize(r).gpu_h_lost >= 4.0 * 8.0 * 1.0 - 1e-9,
            "an hour of 32 GPUs lost"
        );
    }
}

#[test]
fn arrival_failure_exit_codes_reach_pod_failure_policy() {
    // Every run fails with exit code 42 (probability 1); podFailurePolicy fails the Job at once
    // on 42 instead of retrying (backoffLimit 6 is never reached).
    let yaml = format!(
        "{}apiVersion: kubesim.io/v1alpha1\nkind: Arrivals\nmetadata: {{name: a}}\nspec:\n  count: 2\n  every: 1m\n  duration: {{fixed: 30s}}\n  failure: {{probability: 1.0, exitCode: 42}}\n  template:\n    apiVersion: batch/v1\n    kind: Job\n    metadata: {{name: j}}\n    spec:\n      backoffLimit: 6\n      podFailurePolicy:\n        rules:\n        - action: FailJob\n          onExitCodes: {{operator: In, values: [42]}}\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{{name: c, image: x}}]\n",
        node("n0", 1)
    );
    let r = run(&yaml, "kube-default");
    for name in ["j-0", "j-1"] {
        let j = job(&r, name);
        assert_eq!(
            (j.state, j.reason.as_str(), j.failed_pods),
            (WlState::Failed, "PodFailurePolicy", 1),
            "{j:?}"
        );
    }
}

#[test]
fn a_job_whose_only_pod_sits_on_a_lost_node_is_reported_pending_node_lost() {
    // n0 is lost at 100 s and never returns; the run ends at 300 s, before the pod's eviction
    // (455 s). To the API the pod is still Running, but it does nothing: jobs.csv says the Job
    // waits (Pending, NodeLost), not Running. A Job with a pod on a healthy node stays Running.
    let yaml = format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: lost}}\nspec: {{horizon: 300s}}\n---\n{}{}\
         apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n  annotations: {{kubesim.io/duration: 1000s}}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      nodeSelector: {{kubernetes.io/hostname: n0}}\n      containers: [{{name: c, image: x, resources: {{limits: {{nvidia.com/gpu: \"1\"}}}}}}]\n---\n\
         apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: other\n  annotations: {{kubesim.io/duration: 1000s}}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      nodeSelector: {{kubernetes.io/hostname: n1}}\n      containers: [{{name: c, image: x, resources: {{limits: {{nvidia.com/gpu: \"1\"}}}}}}]\n---\n\
         apiVersion: kubesim.io/v1alpha1\nkind: FaultModel\nmetadata: {{name: f}}\nspec:\n  outages: [{{node: n0, at: 100s}}]\n",
        node("n0", 1),
        node("n1", 1)
    );
    let r = run(&yaml, "kube-default");
    assert_eq!(times(&r, "n0", "NodeLost"), vec![100.0]);
    let train = job(&r, "train");
    assert_eq!((train.state, train.reason.as_str()), (WlState::Pending, "NodeLost"));
    let other = job(&r, "other");
    assert_eq!((other.state, other.reason.as_str()), (WlState::Running, ""));
}
