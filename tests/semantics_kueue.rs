//! Kueue (semantics.md section 6) under the `kueue` policy: quota admission by suspending and
//! resuming Jobs, cohorts with borrowing, lending and reclaim (S-Q1), StrictFIFO against
//! BestEffortFIFO (S-Q2), priority preemption within a ClusterQueue, and waitForPodsReady's
//! eviction and requeue backoff (KQ-W3).

mod common;
use common::{history, job, run, secs, times};

const NODE: &str = "apiVersion: v1\nkind: Node\nmetadata: {name: node-0}\nstatus:\n  allocatable: {cpu: \"64\", memory: 256Gi, pods: \"110\"}\n---\napiVersion: kueue.x-k8s.io/v1beta1\nkind: ResourceFlavor\nmetadata: {name: default-flavor}\n---\n";

/// A ClusterQueue covering cpu with `nominal` CPUs and extra spec lines.
fn cq(name: &str, nominal: u32, extra: &str, quota_extra: &str) -> String {
    format!(
        "apiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata: {{name: {name}}}\nspec:\n  namespaceSelector: {{}}\n{extra}  resourceGroups:\n  - coveredResources: [cpu]\n    flavors:\n    - name: default-flavor\n      resources:\n      - name: cpu\n        nominalQuota: {nominal}\n{quota_extra}---\napiVersion: kueue.x-k8s.io/v1beta1\nkind: LocalQueue\nmetadata: {{name: {name}, namespace: default}}\nspec: {{clusterQueue: {name}}}\n---\n"
    )
}

/// A Job of one pod asking `cpu` CPUs, in LocalQueue `lq`, submitted at `at`, running `dur`.
fn kjob(name: &str, lq: &str, cpu: u32, at: &str, dur: &str, extra_labels: &str) -> String {
    format!(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}\n  labels: {{kueue.x-k8s.io/queue-name: {lq}{extra_labels}}}\n  annotations: {{kubesim.io/submit-at: {at}, kubesim.io/duration: {dur}}}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"{cpu}\"}}}}}}]\n---\n"
    )
}

fn quota_reserved(r: &kubesim::observe::record::RunResult, name: &str) -> Vec<f64> {
    history(r, &format!("default/{name}"))
        .into_iter()
        .filter(|(_, e, _)| e == "QuotaReserved")
        .map(|(t, _, _)| t)
        .collect()
}

fn evicted(r: &kubesim::observe::record::RunResult, name: &str) -> Vec<(f64, String)> {
    history(r, &format!("default/{name}"))
        .into_iter()
        .filter(|(_, e, _)| e == "WorkloadEvicted")
        .map(|(t, _, d)| (t, d))
        .collect()
}

fn s_q1(reclaim: &str, b_quota_extra: &str) -> String {
    format!(
        "{NODE}{}{}{}{}",
        cq("cq-a", 10, "  cohort: research\n", ""),
        cq(
            "cq-b",
            10,
            &format!("  cohort: research\n  preemption: {{reclaimWithinCohort: {reclaim}}}\n"),
            b_quota_extra
        ),
        kjob("a", "cq-a", 15, "0s", "1000s", ""),
        kjob("b", "cq-b", 10, "100s", "500s", ""),
    )
}

#[test]
fn s_q1_borrow_then_reclaim_within_the_cohort() {
    // A borrows 5 of B's idle CPUs at 0. B's 10-CPU workload at 100 s reclaims: A's workload
    // is evicted (its Job suspended; its pod stops at once), its quota is released at 100 s and
    // B is admitted in the same instant.
    let r = run(&s_q1("Any", ""), "kueue");
    assert_eq!(quota_reserved(&r, "a")[0], 0.0);
    assert_eq!(evicted(&r, "a"), vec![(100.0, "Preempted".to_string())]);
    assert_eq!(quota_reserved(&r, "b"), vec![100.0]);
    assert_eq!(secs(job(&r, "b").start), Some(100.0));
    // A queues again and is admitted when B's Job ends (600 s + the Job's 1 s sync).
    assert_eq!(quota_reserved(&r, "a"), vec![0.0, 601.0]);
    assert_eq!(job(&r, "a").preemptions, 1);
    // reclaimWithinCohort: Never: B waits until A's Job is complete (1000 s + 1 s).
    let r = run(&s_q1("Never", ""), "kueue");
    assert!(evicted(&r, "a").is_empty());
    assert_eq!(quota_reserved(&r, "b"), vec![1001.0]);
    // B lends nothing (lendingLimit 0): A can use at most its own 10, so its 15-CPU workload
    // never fits.
    let r = run(&s_q1("Any", "        lendingLimit: 0\n"), "kueue");
    assert!(quota_reserved(&r, "a").is_empty());
    assert_eq!(job(&r, "a").state.as_str(), "Pending");
    assert_eq!(quota_reserved(&r, "b"), vec![100.0]);
}

fn s_q2(strategy: &str) -> String {
    format!(
        "{NODE}{}{}{}{}",
        cq("cq", 8, &format!("  queueingStrategy: {strategy}\n"), ""),
        kjob("w0", "cq", 6, "0s", "1000s", ""),
        kjob("w1", "cq", 4, "10s", "100s", ""),
        kjob("w2", "cq", 2, "20s", "100s", ""),
    )
}

#[test]
fn s_q2_strict_fifo_blocks_best_effort_fifo_does_not() {
    // 8 CPUs nominal, w0 uses 6. StrictFIFO: w1 (4, older) heads the queue and blocks w2 (2)
    // until w0 ends (1000 s + 1 s); then both fit.
    let r = run(&s_q2("StrictFIFO"), "kueue");
    assert_eq!(quota_reserved(&r, "w1"), vec![1001.0]);
    assert_eq!(quota_reserved(&r, "w2"), vec![1001.0]);
    // BestEffortFIFO: w1 is set aside and w2 is admitted at once.
    let r = run(&s_q2("BestEffortFIFO"), "kueue");
    assert_eq!(quota_reserved(&r, "w2"), vec![20.0]);
    assert_eq!(quota_reserved(&r, "w1"), vec![1001.0]);
}

#[test]
fn preemption_within_a_cluster_queue_by_workload_priority() {
    let classes =
        "apiVersion: kueue.x-k8s.io/v1beta1\nkind: WorkloadPriorityClass\nmetadata: {name: prod}\nvalue: 1000\n---\n";
    let yaml = format!(
        "{NODE}{classes}{}{}{}",
        cq("cq", 8, "  preemption: {withinClusterQueue: LowerPriority}\n", ""),
        kjob("low", "cq", 6, "0s", "1000s", ""),
        kjob("high", "cq", 4, "50s", "100s", ", kueue.x-k8s.io/priority-class: prod"),
    );
    let r = run(&yaml, "kueue");
    assert_eq!(evicted(&r, "low"), vec![(50.0, "Preempted".to_string())]);
    assert_eq!(quota_reserved(&r, "high"), vec![50.0]);
    // low is admitted again when high is done (150 s + 1 s) and runs its 1000 s from the start.
    assert_eq!(quota_reserved(&r, "low"), vec![0.0, 151.0]);
    assert_eq!(secs(job(&r, "low").finish), Some(1152.0));
    // Without a preemption policy, high waits.
    let yaml = yaml.replace("  preemption: {withinClusterQueue: LowerPriority}\n", "");
    let r = run(&yaml, "kueue");
    assert!(evicted(&r, "low").is_empty());
    assert_eq!(quota_reserved(&r, "high"), vec![1001.0]);
}

#[test]
fn wait_for_pods_ready_evicts_and_requeues_with_backoff() {
    // A Job admitted by quota whose pod can never be placed (it asks for more CPUs than the
    // node has): evicted 30 min after each admission, requeued after 60, 120, 240, 480 s
    // (the next, 960 s, would end past the 3 h horizon).
    let yaml = format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: s}}\nspec: {{horizon: 3h}}\n---\n{NODE}{}{}",
        cq("cq", 100, "", ""),
        kjob("huge", "cq", 80, "0s", "10m", ""),
    );
    let r = run(&yaml, "kueue");
    assert_eq!(quota_reserved(&r, "huge"), vec![0.0, 1860.0, 3780.0, 5820.0, 8100.0]);
    let ev: Vec<f64> = evicted(&r, "huge").into_iter().map(|(t, _)| t).collect();
    assert_eq!(ev, vec![1800.0, 3660.0, 5580.0, 7620.0, 9900.0]);
    assert!(evicted(&r, "huge").iter().all(|(_, d)| d == "PodsReadyTimeout"));
    // Off (timeout 0): admitted once, never evicted.
    let yaml = yaml.replace(
        "spec: {horizon: 3h}",
        "spec: {horizon: 3h, latencies: {kueuePodsReadyTimeout: 0s}}",
    );
    let r = run(&yaml, "kueue");
    assert_eq!(quota_reserved(&r, "huge"), vec![0.0]);
    assert!(evicted(&r, "huge").is_empty());
}

#[test]
fn unmanaged_jobs_and_missing_local_queues() {
    // A Job without the label runs directly; one naming a LocalQueue that does not exist in its
    // namespace stays suspended (Pending) with a WorkloadInadmissible event.
    let plain = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: plain, annotations: {kubesim.io/duration: 10s}}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: x, resources: {requests: {cpu: \"1\"}}}]\n---\n";
    let yaml = format!(
        "{NODE}{}{plain}{}",
        cq("cq", 8, "", ""),
        kjob("lost", "nowhere", 1, "0s", "10s", "")
    );
    let r = run(&yaml, "kueue");
    assert_eq!(job(&r, "plain").state.as_str(), "Complete");
    assert_eq!(job(&r, "lost").state.as_str(), "Pending");
    assert_eq!(times(&r, "lost", "WorkloadInadmissible"), vec![0.0]);
}

#[test]
fn trace_jobs_join_the_local_queue_their_queue_names() {
    // Two 8-GPU trace jobs of queue `nlp` in namespace team-a on a 16-GPU node; a ClusterQueue
    // of 8 GPUs behind LocalQueue team-a/nlp. Under kueue the second is admitted when the first
    // Job completes (its pod ends at 100 s, the Job at 101 s); kube-default starts it at once.
    let dir = std::env::temp_dir().join(format!("kubesim-kueue-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("t.csv"),
        "# kubesim-trace v1\nsubmit_s,id,namespace,queue,priority_class,pods,cpu,memory,gpu_milli,gang,duration_s,outcome,exit_code,recorded_wait_s\n\
         0.000,a,team-a,nlp,,1,8,64Gi,8000,1,100.000,succeeded,0,\n\
         10.000,b,team-a,nlp,,1,8,64Gi,8000,1,50.000,succeeded,0,\n",
    )
    .expect("trace");
    let yaml = "apiVersion: v1\nkind: Node\nmetadata: {name: n0}\nstatus:\n  allocatable: {cpu: \"64\", memory: 512Gi, nvidia.com/gpu: \"16\"}\n---\n\
         apiVersion: kueue.x-k8s.io/v1beta1\nkind: ResourceFlavor\nmetadata: {name: default-flavor}\n---\n\
         apiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata: {name: nlp}\nspec:\n  namespaceSelector: {}\n  resourceGroups:\n  - coveredResources: [cpu, memory, nvidia.com/gpu]\n    flavors:\n    - name: default-flavor\n      resources:\n      - {name: cpu, nominalQuota: 64}\n      - {name: memory, nominalQuota: 512Gi}\n      - {name: nvidia.com/gpu, nominalQuota: 8}\n---\n\
         apiVersion: kueue.x-k8s.io/v1beta1\nkind: LocalQueue\nmetadata: {name: nlp, namespace: team-a}\nspec: {clusterQueue: nlp}\n---\n\
         apiVersion: kubesim.io/v1alpha1\nkind: Trace\nmetadata: {name: t}\nspec: {path: t.csv, format: kubesim}\n";
    std::fs::write(dir.join("s.yaml"), yaml).expect("scenario");
    let sc = kubesim::input::scenario::load(&[dir.join("s.yaml")]).expect("loads");
    let policies = vec!["kueue".to_string(), "kube-default".to_string()];
    let runs = kubesim::experiment::run_all(&sc, &policies, &[1], false).expect("runs");
    let start = |r: &kubesim::observe::record::RunResult| secs(job(r, "t-1").start);
    assert_eq!(start(&runs[0]), Some(101.0));
    assert_eq!(job(&runs[0], "t-1").queue, "nlp");
    assert_eq!(start(&runs[1]), Some(10.0));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_resource_the_cluster_queue_does_not_cover_is_reported() {
    // The ClusterQueue covers cpu only; a Job asking for memory too can never be admitted, and
    // the run says why.
    let job = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: mem\n  labels: {kueue.x-k8s.io/queue-name: cq}\n  annotations: {kubesim.io/duration: 10s}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: x, resources: {requests: {cpu: \"1\", memory: 1Gi}}}]\n---\n";
    let r = run(&format!("{NODE}{}{job}", cq("cq", 8, "", "")), "kueue");
    assert_eq!(job_state(&r, "mem"), "Pending");
    let why: Vec<_> = r
        .events
        .iter()
        .filter(|e| e.event == "WorkloadInadmissible")
        .map(|e| e.detail.clone())
        .collect();
    assert_eq!(why, ["resource memory is not covered by ClusterQueue cq"]);
}

fn job_state(r: &kubesim::observe::record::RunResult, name: &str) -> &'static str {
    job(r, name).state.as_str()
}
