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
    // A queues again, does not fit and waits as inadmissible; B's Job ends at 601 s (600 s +
    // the Job's 1 s sync), and Kueue's requeuer puts A back 1 s later (requeueBatchPeriod).
    assert_eq!(quota_reserved(&r, "a"), vec![0.0, 602.0]);
    assert_eq!(job(&r, "a").preemptions, 1);
    // reclaimWithinCohort: Never: B waits until A's Job is complete (1000 s + 1 s) and the
    // requeuer's 1 s.
    let r = run(&s_q1("Never", ""), "kueue");
    assert!(evicted(&r, "a").is_empty());
    assert_eq!(quota_reserved(&r, "b"), vec![1002.0]);
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
    // BestEffortFIFO: w1 is set aside and w2 is admitted at once; w1 goes back to the heap 1 s
    // after w0's quota is released (the requeuer's batch period).
    let r = run(&s_q2("BestEffortFIFO"), "kueue");
    assert_eq!(quota_reserved(&r, "w2"), vec![20.0]);
    assert_eq!(quota_reserved(&r, "w1"), vec![1002.0]);
    // With `kueueRequeueBatch: 0s` (Kueue before its asynchronous requeue) at once.
    let zero = format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: s}}\nspec: {{latencies: {{kueueRequeueBatch: 0s}}}}\n---\n{}",
        s_q2("BestEffortFIFO")
    );
    let r = run(&zero, "kueue");
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
    // low queues again and waits as inadmissible; high is done at 151 s (150 s + 1 s) and the
    // requeuer puts low back 1 s later; it runs its 1000 s from the start.
    assert_eq!(quota_reserved(&r, "low"), vec![0.0, 152.0]);
    assert_eq!(secs(job(&r, "low").finish), Some(1153.0));
    // Without a preemption policy, high waits (inadmissible) until 1 s after low's Job ends.
    let yaml = yaml.replace("  preemption: {withinClusterQueue: LowerPriority}\n", "");
    let r = run(&yaml, "kueue");
    assert!(evicted(&r, "low").is_empty());
    assert_eq!(quota_reserved(&r, "high"), vec![1002.0]);
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
    // Off: a v1beta1 Configuration without `enable: true`, or v1beta2 with the
    // DisableWaitForPodsReady feature gate: admitted once, never evicted.
    for off in [
        "apiVersion: config.kueue.x-k8s.io/v1beta1\nkind: Configuration\n---\n",
        "apiVersion: config.kueue.x-k8s.io/v1beta2\nkind: Configuration\nfeatureGates: {DisableWaitForPodsReady: true}\n---\n",
    ] {
        let r = run(&format!("{off}{yaml}"), "kueue");
        assert_eq!(quota_reserved(&r, "huge"), vec![0.0], "{off}");
        assert!(evicted(&r, "huge").is_empty());
    }
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
    // Job completes (its pod ends at 100 s, the Job at 101 s) and the requeuer puts it back
    // (1 s later); kube-default starts it at once.
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
    assert_eq!(start(&runs[0]), Some(102.0));
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

// ----- Kueue's Configuration (config.kueue.x-k8s.io) ---------------------------------------

/// A 3 h horizon (for workloads that never end).
const HORIZON: &str =
    "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: s}\nspec: {horizon: 3h}\n---\n";

/// A Kueue Configuration document with the given body lines.
fn config(version: &str, body: &str) -> String {
    format!("apiVersion: config.kueue.x-k8s.io/{version}\nkind: Configuration\n{body}---\n")
}

#[test]
fn v1beta1_wait_for_pods_ready_blocks_admission_and_times_out_after_5_minutes() {
    // v1beta1 `enable: true`: timeout 5 min, blockAdmission on (defaults.go). `huge` is
    // admitted at 0 but its pod never fits the node; `small`, created at 10 s, fits the quota
    // but is held until `huge` is evicted at 300 s; `huge` is requeued after 60 s and admitted
    // again at 360 s once `small`'s pod is ready (blockAdmission lets it in).
    let yaml = format!(
        "{HORIZON}{}{NODE}{}{}{}",
        config("v1beta1", "waitForPodsReady: {enable: true}\n"),
        cq("cq", 100, "", ""),
        kjob("huge", "cq", 80, "0s", "10m", ""),
        kjob("small", "cq", 4, "10s", "1h", ""),
    );
    let r = run(&yaml, "kueue");
    assert_eq!(
        evicted(&r, "huge")[..2],
        [
            (300.0, "PodsReadyTimeout".to_string()),
            (660.0, "PodsReadyTimeout".to_string())
        ]
    );
    assert_eq!(quota_reserved(&r, "small"), vec![300.0]);
    assert_eq!(quota_reserved(&r, "huge")[..2], [0.0, 360.0]);
    assert_eq!(times(&r, "small", "WorkloadWaitingForPodsReady"), vec![10.0]);
    // Without blockAdmission, `small` is admitted at once.
    let unblocked = yaml.replace("{enable: true}", "{enable: true, blockAdmission: false}");
    let r = run(&unblocked, "kueue");
    assert_eq!(quota_reserved(&r, "small"), vec![10.0]);
    assert_eq!(evicted(&r, "huge")[0].0, 300.0);
}

#[test]
fn backoff_limit_deactivates_and_retention_deletes_the_job() {
    // v1beta2, timeout 10 min, backoff 30 s doubling, at most 2 requeues: evicted at 600,
    // requeued at 630, evicted at 1230, requeued at 1290; at 1890 the third timeout exceeds
    // the limit: deactivated (the Job stays suspended, Pending/Deactivated).
    let body =
        "waitForPodsReady:\n  timeout: 10m\n  requeuingStrategy: {backoffLimitCount: 2, backoffBaseSeconds: 30}\n";
    let yaml = format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: s}}\nspec: {{horizon: 3h}}\n---\n{}{NODE}{}{}",
        config("v1beta2", body),
        cq("cq", 100, "", ""),
        kjob("huge", "cq", 80, "0s", "10m", ""),
    );
    let r = run(&yaml, "kueue");
    assert_eq!(quota_reserved(&r, "huge"), vec![0.0, 630.0, 1290.0]);
    let ev = evicted(&r, "huge");
    assert_eq!(
        ev,
        vec![
            (600.0, "PodsReadyTimeout".to_string()),
            (1230.0, "PodsReadyTimeout".to_string()),
            (1890.0, "Deactivated".to_string())
        ]
    );
    assert_eq!(job_state(&r, "huge"), "Pending");
    assert_eq!(job(&r, "huge").reason, "Deactivated");
    // objectRetentionPolicies.workloads.afterDeactivatedByKueue: deleted 15 min later.
    let kept = format!("{body}objectRetentionPolicies:\n  workloads: {{afterDeactivatedByKueue: 15m}}\n");
    let r = run(&yaml.replace(body, &kept), "kueue");
    assert_eq!(job_state(&r, "huge"), "Failed");
    assert_eq!(job(&r, "huge").reason, "Deactivated");
    assert_eq!(times(&r, "huge", "JobDeleted"), vec![2790.0]);
}

#[test]
fn requeuing_timestamp_creation_keeps_the_place_in_the_queue() {
    // Room for one workload at a time (80 CPUs of quota; `b` and `c` ask 60, `huge` 80, more
    // than the node's 64). `huge` (created 0) never gets its pod placed: admitted at 0, evicted at
    // 300 s, back from backoff at 360 s. `b` (100 s) runs 300-4800 s; `c` (200 s) waits. When
    // `b` ends, Eviction orders `huge` by its eviction (300 s), after `c` (200 s); Creation
    // orders it by creation (0 s), before `c`.
    let yaml = |ts: &str| {
        format!(
            "{HORIZON}{}{NODE}{}{}{}{}",
            config(
                "v1beta2",
                &format!("waitForPodsReady:\n  timeout: 5m\n  requeuingStrategy: {{timestamp: {ts}}}\n")
            ),
            cq("cq", 80, "  queueingStrategy: StrictFIFO\n", ""),
            kjob("huge", "cq", 80, "0s", "10m", ""),
            kjob("b", "cq", 60, "100s", "4500s", ""),
            kjob("c", "cq", 60, "200s", "1h", ""),
        )
    };
    let r = run(&yaml("Eviction"), "kueue");
    let b_end = secs(job(&r, "b").finish).expect("b finishes");
    assert_eq!(quota_reserved(&r, "c"), vec![b_end]);
    let c_end = secs(job(&r, "c").finish).expect("c finishes");
    assert_eq!(quota_reserved(&r, "huge")[..2], [0.0, c_end]);
    let r = run(&yaml("Creation"), "kueue");
    assert_eq!(quota_reserved(&r, "huge")[..2], [0.0, b_end]);
}

#[test]
fn recovery_timeout_evicts_a_workload_that_lost_its_pods() {
    // The pod runs from 0 and fails twice (restartPolicy OnFailure: the kubelet restarts it at
    // once the first time, at 60 s, then after 10 s). PodsReady is lost at 120 s; with
    // recoveryTimeout 5 s the workload is evicted at 125 s; with the default (the 30 min
    // timeout) the restart at 130 s recovers it.
    let flaky = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: flaky\n  labels: {kueue.x-k8s.io/queue-name: cq}\n  annotations: {kubesim.io/duration: 60s, kubesim.io/failures: \"2\"}\nspec:\n  template:\n    spec:\n      restartPolicy: OnFailure\n      containers: [{name: c, image: x, resources: {requests: {cpu: \"1\"}}}]\n---\n";
    let yaml = |wfpr: &str| format!("{}{NODE}{}{flaky}", config("v1beta2", wfpr), cq("cq", 8, "", ""));
    let r = run(
        &yaml("waitForPodsReady: {timeout: 10m, recoveryTimeout: 5s}\n"),
        "kueue",
    );
    assert_eq!(evicted(&r, "flaky"), vec![(125.0, "PodsReadyTimeout".to_string())]);
    let r = run(&yaml("waitForPodsReady: {timeout: 10m}\n"), "kueue");
    assert!(evicted(&r, "flaky").is_empty());
    assert_eq!(job_state(&r, "flaky"), "Complete");
}

#[test]
fn default_local_queue_and_manage_jobs_without_queue_name() {
    // A Job without the queue-name label in a namespace with a LocalQueue named `default` is
    // managed through it (LocalQueueDefaulting, GA); elsewhere it runs directly, unless
    // manageJobsWithoutQueueName: then it waits (no queue) — except in kube-system and Kueue's
    // own namespace (the default managedJobsNamespaceSelector).
    let plain = |name: &str, ns: &str| {
        format!(
            "apiVersion: batch/v1\nkind: Job\nmetadata: {{name: {name}, namespace: {ns}, annotations: {{kubesim.io/duration: 10s}}}}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"1\"}}}}}}]\n---\n"
        )
    };
    let default_lq = "apiVersion: kueue.x-k8s.io/v1beta1\nkind: LocalQueue\nmetadata: {name: default, namespace: team}\nspec: {clusterQueue: cq}\n---\n";
    let base = format!(
        "{NODE}{}{default_lq}{}{}{}",
        cq("cq", 8, "", ""),
        plain("in-team", "team"),
        plain("elsewhere", "other"),
        plain("system", "kube-system"),
    );
    let r = run(&base, "kueue");
    assert_eq!(
        history(&r, "team/in-team")
            .iter()
            .filter(|e| e.1 == "QuotaReserved")
            .count(),
        1
    );
    assert!(history(&r, "other/elsewhere").iter().all(|e| e.1 != "QuotaReserved"));
    assert_eq!(job(&r, "elsewhere").state.as_str(), "Complete");
    let managed = format!("{}{base}", config("v1beta2", "manageJobsWithoutQueueName: true\n"));
    let r = run(&managed, "kueue");
    assert_eq!(job(&r, "in-team").state.as_str(), "Complete");
    assert_eq!(job(&r, "elsewhere").state.as_str(), "Pending");
    assert_eq!(times(&r, "elsewhere", "WorkloadInadmissible"), vec![0.0]);
    assert_eq!(job(&r, "system").state.as_str(), "Complete");
    // integrations.frameworks without batch/job: Kueue manages no Job at all.
    let unmanaged = format!(
        "{}{NODE}{}{}",
        config("v1beta2", "integrations: {frameworks: [kubeflow.org/pytorchjob]}\n"),
        cq("cq", 8, "", ""),
        kjob("labelled", "cq", 80, "0s", "10s", ""),
    );
    let r = run(&unmanaged, "kueue");
    assert!(quota_reserved(&r, "labelled").is_empty());
}

#[test]
fn excluded_and_undeclared_resources_do_not_block_admission() {
    // The Job asks for example.com/licence, which the ClusterQueue does not cover: inadmissible
    // by default (BlockUndeclared); admitted when the prefix is excluded, or under
    // IgnoreUndeclared.
    let lic = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: lic\n  labels: {kueue.x-k8s.io/queue-name: cq}\n  annotations: {kubesim.io/duration: 10s}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: x, resources: {requests: {cpu: \"1\"}, limits: {example.com/licence: \"1\"}}}]\n---\n";
    let node = "apiVersion: v1\nkind: Node\nmetadata: {name: lic-node}\nstatus:\n  allocatable: {cpu: \"8\", memory: 16Gi, pods: \"110\", example.com/licence: \"4\"}\n---\n";
    let base = format!("{NODE}{node}{}{lic}", cq("cq", 8, "", ""));
    let r = run(&base, "kueue");
    assert!(quota_reserved(&r, "lic").is_empty());
    for body in [
        "resources: {excludeResourcePrefixes: [example.com/]}\n",
        "resources: {quotaCheckStrategy: IgnoreUndeclared}\n",
    ] {
        let r = run(&format!("{}{base}", config("v1beta2", body)), "kueue");
        assert_eq!(quota_reserved(&r, "lic"), vec![0.0], "{body}");
        assert_eq!(job(&r, "lic").state.as_str(), "Complete");
    }
}

#[test]
fn configuration_errors_name_the_field_and_the_fix() {
    let load = |y: &str| {
        kubesim::input::scenario::load_str("t.yaml", &format!("{NODE}{y}"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let two = format!("{}{}", config("v1beta2", ""), config("v1beta1", ""));
    assert!(
        load(&two).contains("a second Kueue Configuration (the first is at t.yaml:"),
        "{}",
        load(&two)
    );
    let typo = load(&config("v1beta2", "waitForPodReady: {timeout: 5m}\n"));
    assert!(
        typo.contains("unknown field `waitForPodReady`") && typo.contains("did you mean `waitForPodsReady`?"),
        "{typo}"
    );
    // v1beta2 has no `enable` (waitForPodsReady is always on there).
    let enable = load(&config("v1beta2", "waitForPodsReady: {enable: true}\n"));
    assert!(enable.contains("unknown field `enable`"), "{enable}");
    let ts = load(&config(
        "v1beta2",
        "waitForPodsReady: {requeuingStrategy: {timestamp: Admission}}\n",
    ));
    assert!(
        ts.contains("unknown requeuing timestamp \"Admission\"") && ts.contains("Eviction"),
        "{ts}"
    );
    let both = load(&config(
        "v1beta2",
        "resources: {excludeResourcePrefixes: [x/], quotaCheckStrategy: IgnoreUndeclared}\n",
    ));
    assert!(
        both.contains("cannot be combined with excludeResourcePrefixes"),
        "{both}"
    );
    let old = load(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: s}\nspec: {latencies: {kueuePodsReadyTimeout: 5m}}\n---\n",
    );
    assert!(
        old.contains("replaced by Kueue's own Configuration") && old.contains("waitForPodsReady"),
        "{old}"
    );
}

#[test]
fn configuration_defaults_follow_the_api_version() {
    let cfg = |y: &str| {
        kubesim::input::scenario::load_str("t.yaml", &format!("{NODE}{y}"))
            .expect("loads")
            .kueue_config
    };
    // No Configuration: v1beta2's defaults.
    let none = cfg("");
    let w = none.wait_for_pods_ready.expect("on");
    assert_eq!(
        (w.timeout_ms, w.block_admission, w.recovery_timeout_ms),
        (1_800_000, false, Some(1_800_000))
    );
    assert_eq!(
        (w.backoff_base_s, w.backoff_max_s, w.backoff_limit_count),
        (60, 3600, None)
    );
    // v1beta1: off unless enabled; enabled: 5 min and blockAdmission.
    assert!(cfg(&config("v1beta1", "")).wait_for_pods_ready.is_none());
    let w = cfg(&config("v1beta1", "waitForPodsReady: {enable: true, timeout: 7m}\n"))
        .wait_for_pods_ready
        .expect("on");
    assert_eq!(
        (w.timeout_ms, w.block_admission, w.recovery_timeout_ms),
        (420_000, true, Some(420_000))
    );
    // recoveryTimeout 0s turns recovery checks off; the Kueue namespace joins the default
    // managedJobsNamespaceSelector.
    let c = cfg(&config(
        "v1beta2",
        "namespace: batch-system\nwaitForPodsReady: {timeout: 1m, recoveryTimeout: 0s}\nfairSharing: {}\nleaderElection: {leaderElect: true}\n",
    ));
    assert_eq!(c.wait_for_pods_ready.expect("on").recovery_timeout_ms, None);
    assert_eq!(
        c.managed_jobs_namespace_selector.match_expressions[0].values,
        ["kube-system", "batch-system"]
    );
    assert_eq!(c.not_simulated, ["fairSharing", "leaderElection"]);
}

#[test]
fn configuration_fields_that_change_admission_are_warned_about() {
    let warn = |body: &str| {
        let sc =
            kubesim::input::scenario::load_str("t.yaml", &format!("{NODE}{}", config("v1beta2", body))).expect("loads");
        kubesim::input::scenario::warnings(&sc)
    };
    let fs = warn("fairSharing: {preemptionStrategies: [LessThanOrEqualToFinalShare]}\n");
    assert!(
        fs.iter()
            .any(|w| w.contains("sets fairSharing, which changes admission in real Kueue but is not simulated")),
        "{fs:?}"
    );
    let gate = warn("featureGates: {TopologyAwareScheduling: true}\n");
    assert!(
        gate.iter()
            .any(|w| w.contains("sets the feature gate TopologyAwareScheduling, which kubesim does not simulate")),
        "{gate:?}"
    );
    // Only listed (validate's "loaded, not simulated"), never warned: process settings.
    let quiet = warn("clientConnection: {qps: 50, burst: 100}\n");
    assert!(quiet.iter().all(|w| !w.contains("Kueue Configuration")), "{quiet:?}");
    // DisableWaitForPodsReady is simulated: no warning.
    let off = warn("featureGates: {DisableWaitForPodsReady: true}\n");
    assert!(off.iter().all(|w| !w.contains("feature gate")), "{off:?}");
}

/// The report's list of policies whose queues are promised their nominal quota's share is the
/// registry's Kueue policies.
#[test]
fn quota_share_policies_are_the_registrys_kueue_policies() {
    let kueue: Vec<&str> = kubesim::policy::POLICIES
        .iter()
        .filter(|p| p.kueue)
        .map(|p| p.name)
        .collect();
    assert_eq!(kueue, kubesim::observe::analysis::QUOTA_POLICIES);
}

/// A bare Workload (no Job) in LocalQueue `lq` asking `count` pods of `cpu` CPUs, with
/// priority `prio`, created at `at`; its run time in the performance test's label (ms).
fn bare(name: &str, lq: &str, count: u32, cpu: u32, prio: i32, at: &str, run_ms: u64) -> String {
    format!(
        "apiVersion: kueue.x-k8s.io/v1beta2\nkind: Workload\nmetadata:\n  name: {name}\n  labels: {{kueue.x-k8s.io/performance-scheduler-running-ms: \"{run_ms}\"}}\n  annotations: {{kubesim.io/submit-at: {at}}}\nspec:\n  queueName: {lq}\n  priority: {prio}\n  podSets:\n  - name: main\n    count: {count}\n    template: {{spec: {{containers: [{{name: c, resources: {{requests: {{cpu: \"{cpu}\"}}}}}}]}}}}\n---\n"
    )
}

#[test]
fn bare_workloads_hold_quota_for_their_run_time_and_queue_again_when_preempted() {
    // 4 CPUs of quota: two 1-CPU Workloads (priority 50, 1 s) at 0 and 0.1 s; a 4-pod
    // Workload of priority 200 at 0.25 s preempts both (LowerPriority), runs 2 s, and the
    // two, inadmissible, start over when the requeuer puts them back 1 s after big's end (3.25
    // s): their run time counts from their new admission.
    let yaml = format!(
        "{}{}{}{}",
        cq("cq", 4, "  preemption: {withinClusterQueue: LowerPriority}\n", ""),
        bare("s0", "cq", 1, 1, 50, "0s", 1000),
        bare("s1", "cq", 1, 1, 50, "100ms", 1000),
        bare("big", "cq", 4, 1, 200, "250ms", 2000),
    );
    let yaml = format!(
        "apiVersion: kueue.x-k8s.io/v1beta1\nkind: ResourceFlavor\nmetadata: {{name: default-flavor}}\n---\n{yaml}"
    );
    let r = run(&yaml, "kueue");
    assert_eq!(quota_reserved(&r, "s0"), vec![0.0, 3.25]);
    assert_eq!(quota_reserved(&r, "s1"), vec![0.1, 3.25]);
    assert_eq!(evicted(&r, "s0"), vec![(0.25, "Preempted".to_string())]);
    assert_eq!(quota_reserved(&r, "big"), vec![0.25]);
    let big = job(&r, "big");
    assert_eq!((secs(big.start), secs(big.finish)), (Some(0.25), Some(2.25)));
    assert_eq!(
        (big.kind, big.pods, big.priority, big.queue.as_str()),
        ("Workload", 4, 200, "cq")
    );
    let s0 = job(&r, "s0");
    assert_eq!(
        (secs(s0.start), secs(s0.finish), s0.preemptions),
        (Some(0.0), Some(4.25), 1)
    );
    assert_eq!(s0.state.as_str(), "Complete");
    // Without Kueue nothing admits a bare Workload.
    let r = run(&yaml, "kube-default");
    let s0 = job(&r, "s0");
    assert_eq!(
        (s0.state.as_str(), s0.reason.as_str(), s0.start),
        ("Pending", "NoKueue", None)
    );
}

#[test]
fn bare_workloads_inactive_unqueued_or_owned() {
    let flavor = "apiVersion: kueue.x-k8s.io/v1beta1\nkind: ResourceFlavor\nmetadata: {name: default-flavor}\n---\n";
    let inactive =
        bare("idle", "cq", 1, 1, 0, "0s", 1000).replace("  queueName: cq\n", "  queueName: cq\n  active: false\n");
    // A Workload a Job owns is Kueue's record of that Job: not simulated as a workload.
    let owned = bare("job-x-1234", "cq", 1, 1, 0, "0s", 1000).replace(
        "metadata:\n",
        "metadata:\n  ownerReferences: [{apiVersion: batch/v1, kind: Job, name: x, uid: u, controller: true}]\n",
    );
    let yaml = format!(
        "{flavor}{}{inactive}{}{owned}",
        cq("cq", 4, "", ""),
        bare("nowhere", "missing", 1, 1, 0, "0s", 1000),
    );
    let r = run(&yaml, "kueue");
    let off = job(&r, "idle");
    assert_eq!((off.state.as_str(), off.reason.as_str()), ("Pending", "Inactive"));
    let nowhere = job(&r, "nowhere");
    assert_eq!((nowhere.state.as_str(), nowhere.start), ("Pending", None));
    assert!(r.jobs.iter().all(|j| j.name != "job-x-1234"));
}

/// A Simulation with Kueue's client limited to `qps` and `burst` (or limits off).
fn limits(qps: &str, burst: u32, enabled: bool) -> String {
    format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: s}}\nspec:\n  clientRateLimits: {{enabled: {enabled}, kueue: {{qps: {qps}, burst: {burst}}}}}\n---\napiVersion: kueue.x-k8s.io/v1beta1\nkind: ResourceFlavor\nmetadata: {{name: default-flavor}}\n---\n"
    )
}

#[test]
fn kueue_admissions_go_out_at_its_client_rate() {
    // 1 QPS, burst 2: five Workloads admitted at 0 have their quota reserved at 0, but the
    // admission patches go out at 0, 0, 1, 2 and 3 s: each starts (its run time counts) then.
    let mut yaml = format!("{}{}", limits("1", 2, true), cq("cq", 10, "", ""));
    for i in 0..5 {
        yaml.push_str(&bare(&format!("w{i}"), "cq", 1, 1, 0, "0s", 10_000));
    }
    let r = run(&yaml, "kueue");
    let starts: Vec<Option<f64>> = (0..5).map(|i| secs(job(&r, &format!("w{i}")).start)).collect();
    assert_eq!(starts, [Some(0.0), Some(0.0), Some(1.0), Some(2.0), Some(3.0)]);
    assert!((0..5).all(|i| quota_reserved(&r, &format!("w{i}")) == vec![0.0]));
    assert_eq!(secs(job(&r, "w4").finish), Some(13.0));
    // Limits off: every admission is seen at once.
    let r = run(&yaml.replace("enabled: true", "enabled: false"), "kueue");
    assert!((0..5).all(|i| secs(job(&r, &format!("w{i}")).start) == Some(0.0)));
    // A rate with a fraction: 2.5 QPS, burst 1: 0, 0.4, 0.8, 1.2, 1.6 s.
    let r = run(&yaml.replace("qps: 1, burst: 2", "qps: 2.5, burst: 1"), "kueue");
    let starts: Vec<Option<f64>> = (0..5).map(|i| secs(job(&r, &format!("w{i}")).start)).collect();
    assert_eq!(starts, [Some(0.0), Some(0.4), Some(0.8), Some(1.2), Some(1.6)]);
}

#[test]
fn kueue_cycles_wait_for_pending_status_writes_and_jobs_take_a_second_write() {
    // 1 QPS, burst 1, 1 CPU of quota. w1 is admitted at 0 (its patch takes the token). w2
    // does not fit: its pending status write goes out at 1 s, and the scheduler waits for it.
    // w1 ends at 0.5 s; the requeuer puts w2 back at 1.5 s and it is admitted then. The
    // ClusterQueue's and the LocalQueue's status writes, asked for at 0 and made at 1 s, take
    // the tokens due at 2 and 3 s, so w2's admission patch goes out at 4 s.
    let yaml = format!(
        "{}{}{}{}",
        limits("1", 1, true),
        cq("cq", 1, "", ""),
        bare("w1", "cq", 1, 1, 0, "0s", 500),
        bare("w2", "cq", 1, 1, 0, "0s", 500)
    );
    let r = run(&yaml, "kueue");
    assert_eq!(quota_reserved(&r, "w2"), vec![1.5]);
    assert_eq!(
        (secs(job(&r, "w2").start), secs(job(&r, "w2").finish)),
        (Some(4.0), Some(4.5))
    );
    // The status write counts whether events are recorded or not.
    let sc = kubesim::input::scenario::load_str("test.yaml", &yaml).expect("loads");
    let quiet = kubesim::experiment::run_all(&sc, &["kueue".to_string()], &[sc.sim.seed], false).expect("runs");
    assert_eq!(secs(job(&quiet[0], "w2").start), Some(4.0));
    // Limits off: w1's end at 0.5 s, the requeue at 1.5 s.
    let r = run(&yaml.replace("enabled: true", "enabled: false"), "kueue");
    assert_eq!(quota_reserved(&r, "w2"), vec![1.5]);
    // A Job: the admission patch at 0, then Kueue's job reconciler resumes the Job with a
    // second write, which waits for the next token (1 s).
    let yaml = format!(
        "{NODE}{}{}{}",
        limits("1", 1, true).replace(
            "---\napiVersion: kueue.x-k8s.io/v1beta1\nkind: ResourceFlavor\nmetadata: {name: default-flavor}\n---\n",
            "---\n"
        ),
        cq("cq", 4, "", ""),
        kjob("j", "cq", 1, "0s", "10s", "")
    );
    let r = run(&yaml, "kueue");
    assert_eq!(quota_reserved(&r, "j"), vec![0.0]);
    assert_eq!(times(&r, "j", "JobResumed"), vec![1.0]);
}

#[test]
fn a_run_ends_with_its_work_not_with_an_obsolete_pods_ready_timer() {
    // waitForPodsReady is on by default (30 min). The Job's pods are ready at once and it ends
    // within seconds: its admission's timeout is obsolete, so the run ends with the Job, not at
    // the 30 min the timer was set for.
    let yaml = format!("{NODE}{}{}", cq("cq", 4, "", ""), kjob("j", "cq", 1, "0s", "10s", ""));
    let r = run(&yaml, "kueue");
    let finish = job(&r, "j").finish.expect("the Job finishes");
    assert!(finish.ms() < 60_000, "finished at {finish}");
    assert_eq!(r.end, finish);
}

/// Kueue's ClusterQueue and LocalQueue controllers write their queue's status one batch period
/// (1 s) after its Workloads change, through Kueue's client. Kueue at 1 QPS, burst 1: w1,
/// created at 0, is admitted with the bucket's token; the ClusterQueue's status write at 1 s
/// takes the next, the LocalQueue's the one due at 2 s; w2, created at 1.5 s, waits for the
/// token due at 3 s, where its admission patch is sent and its run starts. A second LocalQueue,
/// `other`, has no Workloads: its status is never written (w2 would start at 4 s). With
/// `perKind` the status writes pass buckets of their own (one per kind): w2 starts at 1.5 s.
#[test]
fn queue_status_writes_share_kueues_client() {
    let other = "apiVersion: kueue.x-k8s.io/v1beta1\nkind: LocalQueue\nmetadata: {name: other, namespace: default}\nspec: {clusterQueue: cq}\n---\n";
    let shared = format!(
        "{}{}{other}{}{}",
        limits("1", 1, true),
        cq("cq", 8, "", ""),
        bare("w1", "cq", 1, 1, 0, "0s", 100_000),
        bare("w2", "cq", 1, 1, 0, "1500ms", 100_000),
    );
    let per_kind = shared.replace("burst: 1}", "burst: 1, perKind: true}");
    assert_ne!(per_kind, shared);
    let start = |yaml: &str| {
        let r = run(yaml, "kueue");
        (secs(job(&r, "w1").start), secs(job(&r, "w2").start))
    };
    assert_eq!(start(&shared), (Some(0.0), Some(3.0)));
    // The status written at 1 s says w1's 1 CPU is reserved (in millicores).
    let r = run(&shared, "kueue");
    let status: Vec<(f64, String)> = r
        .events
        .iter()
        .filter(|e| e.event == "ClusterQueueStatus" && e.object == "clusterqueue/cq")
        .map(|e| (e.time.ms() as f64 / 1000.0, e.detail.clone()))
        .collect();
    assert_eq!(status.first(), Some(&(1.0, "cpu=1000".to_string())), "{status:?}");
    assert_eq!(start(&per_kind), (Some(0.0), Some(1.5)));
}

/// SchedulingEquivalenceHashing (kueue `pkg/cache/queue/cluster_queue.go`
/// `requeueIfNotPresent`, `handleInadmissibleHash`; on by default): 4 CPUs of quota held by
/// `big` (0 to 10 s). Two copies of one 2-CPU Workload arrive at 1 and 2 s: the first is
/// evaluated, does not fit (`WaitingForQuota` at 1 s) and its shape is marked; the second
/// goes to the inadmissible list without an evaluation (no status, no event). A 1-CPU
/// Workload of another shape at 3 s is evaluated. big's release at 10 s puts them all back at
/// 11 s (the requeuer's batch period), where both copies are admitted (in creation order) and
/// fill the quota; the other waits again until 1 s after their end (13 s). With the feature
/// gate off the second copy is evaluated too (`WaitingForQuota` at 2 s).
#[test]
fn equivalent_workloads_skip_evaluation_after_one_failed() {
    let copies = "apiVersion: kubesim.io/v1alpha1\nkind: Arrivals\nmetadata: {name: w}\nspec:\n  at: [1s, 2s]\n  template:\n    apiVersion: kueue.x-k8s.io/v1beta2\n    kind: Workload\n    metadata:\n      name: w\n      labels: {kueue.x-k8s.io/performance-scheduler-running-ms: \"1000\"}\n    spec:\n      queueName: cq\n      podSets:\n      - name: main\n        count: 1\n        template: {spec: {containers: [{name: c, resources: {requests: {cpu: \"2\"}}}]}}\n---\n";
    let yaml = format!(
        "apiVersion: kueue.x-k8s.io/v1beta1\nkind: ResourceFlavor\nmetadata: {{name: default-flavor}}\n---\n{}{}{copies}{}",
        cq("cq", 4, "", ""),
        bare("big", "cq", 4, 1, 0, "0s", 10_000),
        bare("other", "cq", 1, 1, 0, "3s", 1000),
    );
    let r = run(&yaml, "kueue");
    assert_eq!(times(&r, "w-0", "WaitingForQuota"), [1.0]);
    assert!(times(&r, "w-1", "WaitingForQuota").is_empty());
    assert_eq!(times(&r, "other", "WaitingForQuota"), [3.0]);
    assert_eq!(quota_reserved(&r, "w-0"), [11.0]);
    assert_eq!(quota_reserved(&r, "w-1"), [11.0]);
    assert_eq!(quota_reserved(&r, "other"), [13.0]);
    let off = format!(
        "{yaml}apiVersion: config.kueue.x-k8s.io/v1beta2\nkind: Configuration\nfeatureGates: {{SchedulingEquivalenceHashing: false}}\n"
    );
    let r = run(&off, "kueue");
    assert_eq!(times(&r, "w-1", "WaitingForQuota"), [2.0]);
    assert_eq!(quota_reserved(&r, "w-1"), [11.0]);
    // The shape is the pod sets' requests, count and placement fields, not the object: two
    // manifests written apart with the same pod set (another run time) are equivalent too.
    let apart = format!(
        "apiVersion: kueue.x-k8s.io/v1beta1\nkind: ResourceFlavor\nmetadata: {{name: default-flavor}}\n---\n{}{}{}{}",
        cq("cq", 4, "", ""),
        bare("big", "cq", 4, 1, 0, "0s", 10_000),
        bare("a", "cq", 1, 2, 0, "1s", 1000),
        bare("b", "cq", 1, 2, 0, "2s", 3000),
    );
    let r = run(&apart, "kueue");
    assert_eq!(times(&r, "a", "WaitingForQuota"), [1.0]);
    assert!(times(&r, "b", "WaitingForQuota").is_empty());
    // Two pods of 1 CPU ask the same quota but are another shape: evaluated.
    let other = apart.replace(
        &bare("b", "cq", 1, 2, 0, "2s", 3000),
        &bare("b", "cq", 2, 1, 0, "2s", 3000),
    );
    assert_ne!(other, apart);
    let r = run(&other, "kueue");
    assert_eq!(times(&r, "b", "WaitingForQuota"), [2.0]);
}

/// An entry that fitted when its cycle began but no longer fits after an earlier entry took
/// the room is requeued at once (kueue `scheduler.go` `requeueAndUpdate`: a `skipped` entry is
/// `FailedAfterNomination`, which `requeueIfNotPresent` puts straight back in the heap). Cohort
/// of cq-a and cq-b, 2 CPUs each; at 0 s a (3 CPUs, borrowing 1) and b (2 CPUs) are both heads:
/// b, not borrowing, goes first and a no longer fits. The next cycle, at the same instant,
/// evaluates a again: 1 CPU more needed, so it waits as inadmissible until 1 s after b's Job
/// ends (10 s + the Job's 1 s sync): 12 s.
#[test]
fn an_entry_that_no_longer_fits_is_tried_again_in_the_next_cycle() {
    let yaml = format!(
        "{NODE}{}{}{}{}",
        cq("cq-a", 2, "  cohort: c\n", ""),
        cq("cq-b", 2, "  cohort: c\n", ""),
        kjob("a", "cq-a", 3, "0s", "10s", ""),
        kjob("b", "cq-b", 2, "0s", "10s", ""),
    );
    let r = run(&yaml, "kueue");
    assert_eq!(quota_reserved(&r, "b"), [0.0]);
    let pending: Vec<(f64, String)> = history(&r, "default/a")
        .into_iter()
        .filter(|(_, e, _)| e == "WaitingForQuota")
        .map(|(t, _, d)| (t, d))
        .collect();
    assert_eq!(
        pending,
        [
            (0.0, "Workload no longer fits after processing another workload".to_string()),
            (
                0.0,
                "couldn't assign flavors to pod set main: insufficient unused quota for cpu in flavor default-flavor, 1 more needed"
                    .to_string()
            ),
        ]
    );
    assert_eq!(quota_reserved(&r, "a"), [12.0]);
}
