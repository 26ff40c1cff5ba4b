//! ResourceQuota and LimitRange admission (semantics.md 7.1, S-A1, S-A2): what the API server
//! refuses is Rejected with its message; what a quota blocks later (a Job's pod creates, a
//! CronJob's Job creates) is retried as the controllers retry it.

mod common;
use common::{job, run, times};

const NODE: &str = "apiVersion: v1\nkind: Node\nmetadata: {name: node-0}\nstatus:\n  allocatable: {cpu: \"64\", memory: 256Gi, nvidia.com/gpu: \"32\", pods: \"110\"}\n---\n";

fn quota(ns: &str, hard: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ResourceQuota\nmetadata: {{name: q, namespace: {ns}}}\nspec:\n  hard: {{{hard}}}\n---\n"
    )
}

/// A Job of `pods` pods (parallel) with container `resources` running `dur`.
fn job_yaml(name: &str, ns: &str, pods: u32, resources: &str, dur: &str) -> String {
    format!(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}\n  namespace: {ns}\n  annotations: {{kubesim.io/duration: {dur}}}\nspec:\n  completions: {pods}\n  parallelism: {pods}\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{{name: c, image: x, resources: {resources}}}]\n---\n"
    )
}

#[test]
fn s_a1_quota_refused_pod_creates_are_retried_with_the_job_backoff() {
    // requests.cpu 4, five 1-CPU pods: slow-start batches 1, 2, 2 create four at 0 and the
    // fifth is refused; the Job's sync is retried at 1, 3, 7, 15, 31, 63 s (1 s doubling, capped
    // at 60 s), each failing; the pods end at 100 s, which frees the quota, and the pod-event
    // sync at 101 s creates the fifth pod.
    let yaml = format!(
        "{NODE}{}{}",
        quota("default", "requests.cpu: \"4\""),
        job_yaml("five", "default", 5, "{requests: {cpu: \"1\"}}", "100s")
    );
    let r = run(&yaml, "kube-default");
    assert_eq!(
        times(&r, "five", "FailedCreate"),
        vec![0.0, 1.0, 3.0, 7.0, 15.0, 31.0, 63.0]
    );
    assert_eq!(times(&r, "five-", "PodCreated"), vec![0.0, 0.0, 0.0, 0.0, 101.0]);
    assert_eq!(job(&r, "five").state.as_str(), "Complete");
    let refusal = r.events.iter().find(|e| e.event == "FailedCreate").expect("refusal");
    assert!(
        refusal
            .detail
            .contains("exceeded quota: q, requested: requests.cpu=1, used: requests.cpu=4, limited: requests.cpu=4"),
        "{}",
        refusal.detail
    );
    // Without the quota all five start at once.
    let r = run(
        &job_yaml("five", "default", 5, "{requests: {cpu: \"1\"}}", "100s"),
        "kube-default",
    );
    assert!(times(&r, "five", "FailedCreate").is_empty());
}

#[test]
fn s_a2_limit_range_defaults_and_refusals() {
    let limits = "apiVersion: v1\nkind: LimitRange\nmetadata: {name: l, namespace: default}\nspec:\n  limits:\n  - type: Container\n    default: {cpu: \"1\"}\n    defaultRequest: {cpu: 500m}\n    max: {cpu: \"2\"}\n---\n";
    // A node of 1 CPU: pods without resources get 500m requests, so two run at once and the
    // third waits for one to finish.
    let small = "apiVersion: v1\nkind: Node\nmetadata: {name: small}\nstatus:\n  allocatable: {cpu: \"1\", memory: 8Gi, pods: \"110\"}\n---\n";
    let yaml = format!("{small}{limits}{}", job_yaml("bare", "default", 3, "{}", "60s"));
    let r = run(&yaml, "kube-default");
    let started = times(&r, "bare-", "PodBound");
    assert_eq!(started, vec![0.0, 0.0, 60.0], "{started:?}");
    // Without the LimitRange they request nothing and all three run at once.
    let r = run(
        &format!("{small}{}", job_yaml("bare", "default", 3, "{}", "60s")),
        "kube-default",
    );
    assert_eq!(times(&r, "bare-", "PodBound"), vec![0.0, 0.0, 0.0]);
    // A 3-CPU limit against max 2: refused (403), the Job is Rejected, never Pending.
    let yaml = format!(
        "{NODE}{limits}{}",
        job_yaml("big", "default", 1, "{limits: {cpu: \"3\"}}", "60s")
    );
    let r = run(&yaml, "kube-default");
    let big = job(&r, "big");
    assert_eq!(big.state.as_str(), "Rejected");
    assert!(
        big.reason
            .contains("maximum cpu usage per Container is 2, but limit is 3"),
        "{}",
        big.reason
    );
    // Another namespace is not constrained.
    let yaml = format!(
        "{NODE}{limits}{}",
        job_yaml("big", "other", 1, "{limits: {cpu: \"3\"}}", "60s")
    );
    assert_eq!(job(&run(&yaml, "kube-default"), "big").state.as_str(), "Complete");
}

#[test]
fn job_count_quota_rejects_jobs_and_holds_cronjobs() {
    let jobs: String = (0..3)
        .map(|i| job_yaml(&format!("j{i}"), "default", 1, "{requests: {cpu: \"1\"}}", "10s"))
        .collect();
    let r = run(
        &format!("{NODE}{}{jobs}", quota("default", "count/jobs.batch: \"2\"")),
        "kube-default",
    );
    assert_eq!(job(&r, "j0").state.as_str(), "Complete");
    assert_eq!(job(&r, "j1").state.as_str(), "Complete");
    let j2 = job(&r, "j2");
    assert_eq!(j2.state.as_str(), "Rejected");
    assert!(j2.reason.contains("count/jobs.batch"), "{}", j2.reason);
    // S-C5: count/jobs.batch 3 with 3 successful Jobs kept by the history limit: every later
    // create is refused and retried (5 ms doubling), lastScheduleTime does not move, and the
    // CronJob starts nothing more.
    let cron = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: every}\nspec:\n  schedule: \"* * * * *\"\n  successfulJobsHistoryLimit: 3\n  jobTemplate:\n    metadata: {annotations: {kubesim.io/duration: 10s}}\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: c, image: x, resources: {requests: {cpu: \"1\"}}}]\n---\n";
    let sim = "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: s}\nspec: {horizon: 10m}\n---\n";
    let r = run(
        &format!("{sim}{NODE}{}{cron}", quota("default", "count/jobs.batch: \"3\"")),
        "kube-default",
    );
    assert_eq!(r.cron[0].started, 3);
    let refused = times(&r, "every", "FailedCreate");
    assert!(!refused.is_empty());
    assert_eq!(refused[0], 240.1);
    // With room for 4, the history limit keeps 3 and every minute's Job starts.
    let r = run(
        &format!("{sim}{NODE}{}{cron}", quota("default", "count/jobs.batch: \"4\"")),
        "kube-default",
    );
    assert_eq!(r.cron[0].started, 9); // 00:01 .. 00:09
    assert!(times(&r, "every", "FailedCreate").is_empty());
}

#[test]
fn seed_quota_and_limit_range_apply_to_their_namespace() {
    let Some(dir) = common::shared_path("manifests/seed") else {
        return;
    };
    let seed = |f: &str| std::fs::read_to_string(dir.join(f)).expect("seed manifest");
    let q = seed("13-resourcequota-ml-training-quota.yaml");
    let l = seed("14-limitrange-ml-job-limits.yaml");
    // Five 4-GPU trainers (16 CPUs, 64Gi each): the quota's 16 GPUs admit four at a time.
    let trainers = job_yaml(
        "trainer",
        "ml-workloads",
        5,
        "{limits: {nvidia.com/gpu: \"4\", cpu: \"16\", memory: 64Gi}}",
        "1h",
    );
    let yaml = format!("{NODE}---\n{q}\n---\n{l}\n---\n{trainers}");
    let r = run(&yaml, "kube-default");
    assert_eq!(times(&r, "trainer-", "PodCreated"), vec![0.0, 0.0, 0.0, 0.0, 3601.0]);
    assert!(!times(&r, "trainer", "FailedCreate").is_empty());
    // A 9-GPU container is above the LimitRange's max of 8: Rejected.
    let huge = job_yaml("huge", "ml-workloads", 1, "{limits: {nvidia.com/gpu: \"9\"}}", "1h");
    let r = run(&format!("{NODE}---\n{q}\n---\n{l}\n---\n{huge}"), "kube-default");
    let j = job(&r, "huge");
    assert_eq!(j.state.as_str(), "Rejected");
    assert!(
        j.reason.contains("maximum nvidia.com/gpu usage per Container is 8"),
        "{}",
        j.reason
    );
}

#[test]
fn volcano_job_pods_are_charged_and_refused_creates_retried() {
    // A Volcano job of 4 one-CPU workers (minAvailable 2) against requests.cpu 2: two pods are
    // created, the other two refused; the controller retries 5, 10, 20 ms ... later, and the
    // two run once the first pods end (60 s) and free the quota.
    let vcjob = "apiVersion: batch.volcano.sh/v1alpha1\nkind: Job\nmetadata:\n  name: vc\n  annotations: {kubesim.io/duration: 60s}\nspec:\n  minAvailable: 2\n  tasks:\n  - name: w\n    replicas: 4\n    template:\n      spec:\n        restartPolicy: Never\n        containers: [{name: c, image: x, resources: {requests: {cpu: \"1\"}}}]\n---\n";
    let r = run(
        &format!("{NODE}{}{vcjob}", quota("default", "requests.cpu: \"2\"")),
        "kube-default",
    );
    let refused = times(&r, "vc", "FailedCreate");
    assert_eq!(refused[..4], [0.0, 0.005, 0.015, 0.035]);
    assert!(refused.iter().all(|&t| t <= 60.0));
    assert_eq!(times(&r, "vc-w-", "PodCreated"), vec![0.0, 0.0, 60.0, 60.0]);
    assert_eq!(job(&r, "vc").state.as_str(), "Complete");
}
