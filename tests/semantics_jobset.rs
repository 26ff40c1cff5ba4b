//! The JobSet controller (docs/jobset.md, after kubernetes-sigs/jobset 08dfbdfd) on hand-worked
//! cases, asserting exact times from the run's events and jobs rows. Every child Job runs
//! through the Job controller: a pod that ends at t makes its Job Complete or Failed at t + 1
//! (the Job controller's batched sync), and the JobSet reconciles at once (watch delay 0).

mod common;
use common::{job, nodes, run, secs, times};

const SIM: &str = "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: t}\n---\n";

/// One replicated Job: `name`, `replicas` Jobs of `pods` pods (parallelism = completions),
/// each pod running `duration` and exiting `exit` (restartPolicy Never, backoffLimit 0), with
/// extra pod template annotations `more`.
fn rjob(name: &str, replicas: u32, pods: u32, duration: &str, exit: i32, more: &str) -> String {
    format!(
        "  - name: {name}\n    replicas: {replicas}\n    template:\n      spec:\n        parallelism: {pods}\n        completions: {pods}\n        backoffLimit: 0\n        template:\n          metadata:\n            annotations: {{kubesim.io/duration: {duration}, kubesim.io/exit-code: \"{exit}\"{more}}}\n          spec:\n            restartPolicy: Never\n            containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"1\"}}}}}}]\n"
    )
}

/// A JobSet `js` with `spec` (top-level fields) and its replicated Jobs.
fn jobset(spec: &str, rjobs: &[String]) -> String {
    format!(
        "apiVersion: jobset.x-k8s.io/v1alpha2\nkind: JobSet\nmetadata: {{name: js}}\nspec:\n{spec}  replicatedJobs:\n{}---\n",
        rjobs.concat()
    )
}

fn scenario(spec: &str, rjobs: &[String]) -> String {
    format!("{SIM}{}{}", nodes(2, 0), jobset(spec, rjobs))
}

#[test]
fn all_jobs_complete_then_the_jobset_is_complete_in_one_row() {
    let r = run(
        &scenario("", &[rjob("w", 2, 1, "30s", 0, ""), rjob("d", 1, 2, "50s", 0, "")]),
        "kube-default",
    );
    assert_eq!(times(&r, "js-", "JobCreated"), [0.0, 0.0, 0.0]);
    assert_eq!(times(&r, "js-w-", "JobComplete"), [31.0, 31.0]);
    assert_eq!(times(&r, "js-d-0", "JobComplete"), [51.0]);
    // One row: the JobSet, its Jobs' pods counted in it.
    assert_eq!(r.jobs.len(), 1);
    let j = job(&r, "js");
    assert_eq!(j.kind, "JobSet");
    assert_eq!(j.pods, 4);
    assert_eq!(
        (j.state.as_str(), secs(j.start), secs(j.finish)),
        ("Complete", Some(0.0), Some(51.0))
    );
}

#[test]
fn success_policies_with_targets_complete_and_delete_the_jobs_still_running() {
    // Any: the first Complete worker Job suffices. All with targets: every worker Job (the
    // upstream success-policy example's shape), the leader ignored. Either way the workers
    // end at 10 s, are Complete at 11 s, and so is the JobSet; the reconcile after it deletes
    // the leader, still running.
    for (operator, workers, pods) in [("Any", 2, 1), ("All", 1, 2)] {
        let spec = format!("  successPolicy: {{operator: {operator}, targetReplicatedJobs: [workers]}}\n");
        let rjobs = [
            rjob("leader", 1, 1, "1000s", 0, ""),
            rjob("workers", workers, pods, "10s", 0, ""),
        ];
        let r = run(&scenario(&spec, &rjobs), "kube-default");
        let j = job(&r, "js");
        assert_eq!(
            (j.state.as_str(), secs(j.finish)),
            ("Complete", Some(11.0)),
            "{operator}"
        );
        assert_eq!(times(&r, "js-leader-0", "JobDeleted"), [11.0], "{operator}");
    }
}

#[test]
fn without_a_failure_policy_the_first_failed_job_fails_the_jobset() {
    let r = run(
        &scenario("", &[rjob("w", 2, 1, "30s", 1, ""), rjob("d", 1, 1, "1000s", 0, "")]),
        "kube-default",
    );
    let j = job(&r, "js");
    assert_eq!(
        (j.state.as_str(), j.reason.as_str(), secs(j.finish)),
        ("Failed", "FailedJobs", Some(31.0))
    );
    assert_eq!(j.failed_pods, 2);
    // The Job still running is deleted by the next reconcile.
    assert_eq!(times(&r, "js-d-0", "JobDeleted"), [31.0]);
}

#[test]
fn restarts_recreate_every_job_until_max_restarts() {
    // Each attempt's Job fails 30 s after it starts (its pod exits 1, backoffLimit 0) and 1 s
    // later is Failed: restart 1 at 31 s, restart 2 at 62 s, and the third failure (93 s)
    // finds restartsCountTowardsMax = maxRestarts.
    let spec = "  failurePolicy: {maxRestarts: 2}\n";
    let r = run(&scenario(spec, &[rjob("w", 1, 1, "30s", 1, "")]), "kube-default");
    assert_eq!(times(&r, "js-w-0", "JobCreated"), [0.0, 31.0, 62.0]);
    assert_eq!(times(&r, "js", "JobSetRestarting"), [31.0, 62.0]);
    let j = job(&r, "js");
    assert_eq!(
        (j.state.as_str(), j.reason.as_str(), secs(j.finish)),
        ("Failed", "ReachedMaxRestarts", Some(93.0))
    );
    // Failed pods of every attempt.
    assert_eq!(j.failed_pods, 3);
}

#[test]
fn recreate_waits_for_each_job_to_be_gone_and_blocking_recreate_for_all() {
    // Job a fails at 31 s; b's pod takes 20 s to stop after SIGTERM. Recreate: a comes back at
    // once, b when its pod is gone (51 s). BlockingRecreate: both at 51 s.
    let rjobs = [
        rjob("a", 1, 1, "30s", 1, ""),
        rjob("b", 1, 1, "1000s", 0, ", kubesim.io/terminate-after: 20s"),
    ];
    let recreate = run(&scenario("  failurePolicy: {maxRestarts: 1}\n", &rjobs), "kube-default");
    assert_eq!(times(&recreate, "js-a-0", "JobCreated"), [0.0, 31.0]);
    assert_eq!(times(&recreate, "js-b-0", "JobCreated"), [0.0, 51.0]);
    // The second attempt's a fails at 61 + 1 s: no restart left.
    let j = job(&recreate, "js");
    assert_eq!((j.reason.as_str(), secs(j.finish)), ("ReachedMaxRestarts", Some(62.0)));

    let blocking = run(
        &scenario(
            "  failurePolicy: {maxRestarts: 1, restartStrategy: BlockingRecreate}\n",
            &rjobs,
        ),
        "kube-default",
    );
    assert_eq!(times(&blocking, "js-a-0", "JobCreated"), [0.0, 51.0]);
    assert_eq!(times(&blocking, "js-b-0", "JobCreated"), [0.0, 51.0]);
    let j = job(&blocking, "js");
    assert_eq!((j.reason.as_str(), secs(j.finish)), ("ReachedMaxRestarts", Some(82.0)));
}

#[test]
fn failure_rules_apply_in_order_to_matching_reasons_and_targets() {
    // A rule for another reason does not apply; the FailJobSet rule for the target does.
    let spec = "  failurePolicy:\n    maxRestarts: 5\n    rules:\n    - {name: deadline, action: RestartJobSet, onJobFailureReasons: [DeadlineExceeded]}\n    - {name: fatal, action: FailJobSet, onJobFailureReasons: [BackoffLimitExceeded], targetReplicatedJobs: [w]}\n";
    let r = run(&scenario(spec, &[rjob("w", 1, 1, "30s", 1, "")]), "kube-default");
    let j = job(&r, "js");
    assert_eq!(
        (j.state.as_str(), j.reason.as_str(), secs(j.finish)),
        ("Failed", "FailJobSetFailurePolicyAction", Some(31.0))
    );
    // No rule applies (its target is another replicated Job): the default action restarts.
    let spec = "  failurePolicy:\n    maxRestarts: 1\n    rules:\n    - {name: fatal, action: FailJobSet, targetReplicatedJobs: [other]}\n";
    let r = run(
        &scenario(
            spec,
            &[rjob("w", 1, 1, "30s", 1, ""), rjob("other", 1, 1, "1000s", 0, "")],
        ),
        "kube-default",
    );
    assert_eq!(times(&r, "js", "JobSetRestarting"), [31.0]);
    assert_eq!(job(&r, "js").reason, "ReachedMaxRestarts");
}

#[test]
fn restarts_that_ignore_max_restarts_are_not_counted() {
    // Two restarts that do not count, then maxRestarts 0 stops nothing of them: the JobSet
    // runs until the horizon restarting every 31 s.
    let spec = "  failurePolicy:\n    maxRestarts: 0\n    rules:\n    - {name: retry, action: RestartJobSetAndIgnoreMaxRestarts}\n";
    let y = scenario(spec, &[rjob("w", 1, 1, "30s", 1, "")])
        .replace("metadata: {name: t}\n", "metadata: {name: t}\nspec: {horizon: 100s}\n");
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "js", "JobSetRestarting"), [31.0, 62.0, 93.0]);
    let j = job(&r, "js");
    assert_eq!(j.finish, None);
}

#[test]
fn in_order_startup_creates_a_replicated_job_once_the_one_before_is_ready() {
    // driver's pod runs at 0; the Job controller writes status.ready a batch period later
    // (1 s): workers are created at 1 s, ready at 2 s.
    let spec = "  startupPolicy: {startupPolicyOrder: InOrder}\n";
    let r = run(
        &scenario(
            spec,
            &[
                rjob("driver", 1, 1, "100s", 0, ""),
                rjob("workers", 2, 1, "100s", 0, ""),
            ],
        ),
        "kube-default",
    );
    assert_eq!(times(&r, "js-driver-", "JobCreated"), [0.0]);
    assert_eq!(times(&r, "js-workers-", "JobCreated"), [1.0, 1.0]);
    let j = job(&r, "js");
    // Started when its last Job had its pods running; complete when the workers are.
    assert_eq!((secs(j.start), secs(j.finish)), (Some(1.0), Some(102.0)));
}

#[test]
fn a_suspended_jobset_creates_its_jobs_suspended() {
    let r = run(
        &scenario("  suspend: true\n", &[rjob("w", 2, 1, "30s", 0, "")]),
        "kube-default",
    );
    assert_eq!(times(&r, "js-w-", "JobCreated"), [0.0, 0.0]);
    assert!(times(&r, "js-w-", "PodCreated").is_empty());
    let j = job(&r, "js");
    assert_eq!((j.state.as_str(), j.finish), ("Pending", None));
}

const KUEUE: &str = "apiVersion: kueue.x-k8s.io/v1beta1\nkind: ResourceFlavor\nmetadata: {name: f}\n---\napiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata: {name: cq}\nspec:\n  namespaceSelector: {}\n  preemption: {withinClusterQueue: LowerPriority}\n  resourceGroups:\n  - coveredResources: [cpu]\n    flavors:\n    - name: f\n      resources: [{name: cpu, nominalQuota: 4}]\n---\napiVersion: kueue.x-k8s.io/v1beta1\nkind: LocalQueue\nmetadata: {name: lq, namespace: default}\nspec: {clusterQueue: cq}\n---\n";

/// A JobSet `name` for Kueue's LocalQueue `lq`, submitted at `at`, of one replicated Job.
fn queued_jobset(name: &str, at: &str, rjobs: &[String]) -> String {
    jobset("", rjobs).replace(
        "metadata: {name: js}",
        &format!("metadata:\n  name: {name}\n  labels: {{kueue.x-k8s.io/queue-name: lq}}\n  annotations: {{kubesim.io/submit-at: {at}}}"),
    )
}

#[test]
fn kueue_admits_a_jobset_as_one_workload_and_releases_it_when_it_finishes() {
    // Two JobSets of 2 Jobs x 2 pods of 1 CPU: 4 CPUs each, the ClusterQueue's whole quota.
    // The first is admitted at once; the second waits for the first to complete (31 s) and
    // for the requeue of inadmissible workloads a batch period later (32 s).
    let y = format!(
        "{SIM}{}{KUEUE}{}{}",
        nodes(2, 0),
        queued_jobset("first", "0s", &[rjob("w", 2, 2, "30s", 0, "")]),
        queued_jobset("second", "5s", &[rjob("w", 2, 2, "30s", 0, "")]),
    );
    let r = run(&y, "kueue");
    // Created suspended by Kueue's webhook; resumed on admission.
    assert_eq!(times(&r, "first-w-", "JobSuspended"), [0.0, 0.0]);
    assert_eq!(times(&r, "first", "QuotaReserved"), [0.0]);
    assert_eq!(times(&r, "second", "QuotaReserved"), [32.0]);
    assert_eq!(times(&r, "second-w-", "JobResumed"), [32.0, 32.0]);
    let first = job(&r, "first");
    let second = job(&r, "second");
    assert_eq!((secs(first.start), secs(first.finish)), (Some(0.0), Some(31.0)));
    assert_eq!((secs(second.start), secs(second.finish)), (Some(32.0), Some(63.0)));
    assert_eq!(second.queue, "cq");
}

#[test]
fn kueue_evicts_a_jobset_by_suspending_its_jobs() {
    // A low-priority JobSet holds the quota; a high-priority Job preempts it: its Jobs are
    // suspended (their pods deleted), its quota released once they are gone, and it is
    // admitted again after the Job ends.
    let high = "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 1000\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: urgent\n  labels: {kueue.x-k8s.io/queue-name: lq}\n  annotations: {kubesim.io/submit-at: 10s, kubesim.io/duration: 20s}\nspec:\n  template:\n    spec:\n      priorityClassName: high\n      restartPolicy: Never\n      containers: [{name: c, image: x, resources: {requests: {cpu: \"4\"}}}]\n---\n";
    let y = format!(
        "{SIM}{}{KUEUE}{high}{}",
        nodes(2, 0),
        queued_jobset("low", "0s", &[rjob("w", 2, 2, "100s", 0, "")]),
    );
    let r = run(&y, "kueue");
    let evicted = times(&r, "low", "WorkloadEvicted");
    assert_eq!(evicted.len(), 1);
    assert!(evicted[0] >= 10.0);
    // Both Jobs suspended after the eviction, and resumed at the second admission.
    let suspended = times(&r, "low-w-", "JobSuspended");
    assert_eq!(suspended.len(), 4, "created suspended, then suspended by the eviction");
    assert!(suspended[2..].iter().all(|&t| t >= evicted[0]));
    let admitted = times(&r, "low", "QuotaReserved");
    assert_eq!(admitted.len(), 2);
    let urgent = job(&r, "urgent");
    assert!(admitted[1] >= secs(urgent.finish).expect("urgent ends"));
    let low = job(&r, "low");
    assert_eq!(low.state.as_str(), "Complete");
    assert_eq!(low.preemptions, 4, "each of its 4 running pods evicted once");
}

#[test]
fn arrivals_of_jobsets_create_one_jobset_per_arrival() {
    // Every 10 min a JobSet of 2 Jobs x 1 pod, 30 s each: each completes 31 s after it arrives.
    let arrivals = "apiVersion: kubesim.io/v1alpha1\nkind: Arrivals\nmetadata: {name: train}\nspec:\n  count: 3\n  every: 10m\n  template:\n    apiVersion: jobset.x-k8s.io/v1alpha2\n    kind: JobSet\n    metadata: {name: train, annotations: {kubesim.io/duration: 30s}}\n    spec:\n      replicatedJobs:\n      - name: w\n        replicas: 2\n        template:\n          spec:\n            template:\n              spec:\n                containers: [{name: c, image: x, resources: {requests: {cpu: \"1\"}}}]\n";
    let r = run(&format!("{SIM}{}{arrivals}", nodes(1, 0)), "kube-default");
    assert_eq!(r.jobs.len(), 3);
    for (i, j) in r.jobs.iter().enumerate() {
        assert_eq!(j.kind, "JobSet");
        let at = 600.0 * i as f64;
        assert_eq!(
            (secs(Some(j.submit)), secs(j.finish)),
            (Some(at), Some(at + 31.0)),
            "{}",
            j.name
        );
    }
}

#[test]
fn a_resumed_in_order_jobset_resumes_its_jobs_one_replicated_job_at_a_time() {
    // Suspended with InOrder: every Job is created at once, suspended. Resumed at 100 s (a
    // user's kubesim.io/resume-at): a's Job resumes at once, b's once a's is ready (its pod
    // runs at 100 s, status.ready a batch period later: 101 s).
    let spec = "  suspend: true\n  startupPolicy: {startupPolicyOrder: InOrder}\n";
    let y = scenario(spec, &[rjob("a", 1, 1, "60s", 0, ""), rjob("b", 2, 1, "60s", 0, "")]).replace(
        "metadata: {name: js}",
        "metadata: {name: js, annotations: {kubesim.io/resume-at: 100s}}",
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "js-", "JobCreated"), [0.0, 0.0, 0.0]);
    assert_eq!(times(&r, "js", "JobSetResumed"), [100.0]);
    assert_eq!(times(&r, "js-a-0", "JobResumed"), [100.0]);
    assert_eq!(times(&r, "js-b-", "JobResumed"), [101.0, 101.0]);
    let j = job(&r, "js");
    assert_eq!((secs(j.start), secs(j.finish)), (Some(101.0), Some(162.0)));
}

/// `rjob` with `dependsOn: [{name: dep, status}]`.
fn dependent(name: &str, dep: &str, status: &str, duration: &str) -> String {
    rjob(name, 1, 1, duration, 0, "").replacen(
        "    replicas:",
        &format!("    dependsOn: [{{name: {dep}, status: {status}}}]\n    replicas:"),
        1,
    )
}

#[test]
fn depends_on_complete_waits_for_every_job_to_succeed() {
    // init's two Jobs end at 30 s and 40 s, Complete at 31 s and 41 s: train's Job is created
    // at 41 s, runs 20 s, Complete at 62 s, and so is the JobSet.
    let rjobs = [
        rjob("init", 1, 1, "30s", 0, ""),
        rjob("init2", 1, 1, "40s", 0, ""),
        dependent("train", "init2", "Complete", "20s").replacen(
            "dependsOn: [",
            "dependsOn: [{name: init, status: Complete}, ",
            1,
        ),
    ];
    let r = run(&scenario("", &rjobs), "kube-default");
    assert_eq!(times(&r, "js-init-0", "JobComplete"), [31.0]);
    assert_eq!(times(&r, "js-train-0", "JobCreated"), [41.0]);
    let j = job(&r, "js");
    assert_eq!((j.state.as_str(), secs(j.finish)), ("Complete", Some(62.0)));
}

#[test]
fn depends_on_ready_waits_for_the_jobs_status_ready() {
    // The workers' pod runs at 0 s; the Job controller writes status.ready one jobSyncBatch
    // later (1 s), and the launcher's Job is created then, as an MPI runtime's launcher waits
    // for its nodes.
    let rjobs = [
        rjob("node", 1, 1, "100s", 0, ""),
        dependent("launcher", "node", "Ready", "10s"),
    ];
    let spec = "  successPolicy: {operator: All, targetReplicatedJobs: [launcher]}\n";
    let r = run(&scenario(spec, &rjobs), "kube-default");
    assert_eq!(times(&r, "js-node-0", "JobCreated"), [0.0]);
    assert_eq!(times(&r, "js-launcher-0", "JobCreated"), [1.0]);
    // The launcher ends at 11 s, Complete at 12 s: the JobSet completes and deletes node's Job.
    let j = job(&r, "js");
    assert_eq!((j.state.as_str(), secs(j.finish)), ("Complete", Some(12.0)));
    assert_eq!(times(&r, "js-node-0", "JobDeleted"), [12.0]);
}
