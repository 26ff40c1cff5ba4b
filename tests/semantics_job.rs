//! The Job controller against semantics.md section 8 (S-J1, S-J2, S-J4, S-J7, S-J8, S-J9) and
//! the rules of section 1, asserting exact times from the run's events and jobs rows.

mod common;
use common::{history, job, nodes, run, secs, times};

const SIM: &str = "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: t}\n---\n";

fn job_yaml(name: &str, annotations: &str, spec: &str) -> String {
    format!(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}\n  annotations: {{{annotations}}}\nspec:\n{spec}  template:\n    spec:\n      restartPolicy: Never\n      containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"1\"}}}}}}]\n---\n"
    )
}

#[test]
fn s_j1_backoff_limit_2_fails_on_the_third_failure_at_121() {
    let y = format!(
        "{SIM}{}{}",
        nodes(1, 0),
        job_yaml(
            "j",
            "kubesim.io/duration: 30s, kubesim.io/exit-code: \"1\"",
            "  backoffLimit: 2\n"
        )
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "j-", "PodCreated"), [0.0, 40.0, 90.0]);
    assert_eq!(times(&r, "j-", "PodFailed"), [30.0, 70.0, 120.0]);
    let j = job(&r, "j");
    assert_eq!(j.state.as_str(), "Failed");
    assert_eq!(j.reason, "BackoffLimitExceeded");
    assert_eq!(secs(j.finish), Some(121.0));
    assert_eq!(j.failed_pods, 3);
    assert_eq!(times(&r, "j", "JobFailureTarget"), [121.0]);
}

#[test]
fn s_j2_default_backoff_limit_6_delays_10_to_320() {
    let y = format!(
        "{SIM}{}{}",
        nodes(1, 0),
        job_yaml("j", "kubesim.io/duration: 30s, kubesim.io/exit-code: \"1\"", "")
    );
    let r = run(&y, "kube-default");
    assert_eq!(
        times(&r, "j-", "PodCreated"),
        [0.0, 40.0, 90.0, 160.0, 270.0, 460.0, 810.0]
    );
    assert_eq!(
        times(&r, "j-", "PodFailed"),
        [30.0, 70.0, 120.0, 190.0, 300.0, 490.0, 840.0]
    );
    let j = job(&r, "j");
    assert_eq!(
        (j.state.as_str(), secs(j.finish), j.failed_pods),
        ("Failed", Some(841.0), 7)
    );
}

#[test]
fn s_j4_a_success_resets_the_backoff() {
    let y = format!(
        "{SIM}{}{}",
        nodes(1, 0),
        job_yaml(
            "j",
            "kubesim.io/duration: 30s, kubesim.io/failures: \"1\"",
            "  completions: 3\n  parallelism: 1\n  backoffLimit: 6\n"
        )
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "j-", "PodCreated"), [0.0, 40.0, 71.0, 102.0]);
    assert_eq!(times(&r, "j-", "PodSucceeded"), [70.0, 101.0, 132.0]);
    let j = job(&r, "j");
    assert_eq!(
        (j.state.as_str(), secs(j.finish), j.failed_pods),
        ("Complete", Some(133.0), 1)
    );
}

/// One 1-GPU node; Job A (priority 0, backoffLimit 0) runs; a priority-1000 pod P arrives at 50.
fn s_j7(terminate_after: &str, pfp: bool) -> kubesim::observe::record::RunResult {
    const SIM: &str =
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: t}\nspec: {horizon: 200s}\n---\n";
    let policy = if pfp {
        "  podFailurePolicy:\n    rules:\n    - action: Ignore\n      onPodConditions: [{type: DisruptionTarget}]\n"
    } else {
        ""
    };
    let y = format!(
        "{SIM}{}apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {{name: high}}\nvalue: 1000\n---\n\
apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: a\n  annotations: {{kubesim.io/duration: 1h, kubesim.io/terminate-after: \"{terminate_after}\"}}\n\
spec:\n  backoffLimit: 0\n{policy}  template:\n    spec:\n      restartPolicy: Never\n      containers: [{{name: c, image: x, resources: {{limits: {{nvidia.com/gpu: 1}}}}}}]\n---\n\
apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {{kubesim.io/submit-at: 50s, kubesim.io/duration: 1h}}\n\
spec:\n  priorityClassName: high\n  restartPolicy: Never\n  containers: [{{name: c, image: x, resources: {{limits: {{nvidia.com/gpu: 1}}}}}}]\n",
        nodes(1, 1)
    );
    run(&y, "kube-default")
}

#[test]
fn s_j7_preempted_pod_exiting_on_sigterm_fails_the_job_at_51() {
    let r = s_j7("0s", false);
    let a = job(&r, "a");
    assert_eq!(
        (a.state.as_str(), a.reason.as_str(), secs(a.finish)),
        ("Failed", "BackoffLimitExceeded", Some(51.0))
    );
    assert_eq!(a.preemptions, 1);
    assert_eq!(times(&r, "a-", "PodDeleted"), [50.0]);
    // PopFromBackoffQ on an idle queue: P binds as soon as the victim is gone.
    assert_eq!(times(&r, "p", "PodBound"), [50.0]);
}

#[test]
fn s_j7_preempted_pod_killed_at_grace_fails_the_job_at_81() {
    let r = s_j7("10m", false);
    let a = job(&r, "a");
    assert_eq!(times(&r, "a", "JobFailureTarget"), [51.0]);
    assert_eq!((a.state.as_str(), secs(a.finish)), ("Failed", Some(81.0)));
    assert_eq!(times(&r, "a-", "PodFailed"), [80.0]);
    assert_eq!(times(&r, "p", "PodBound"), [80.0]);
}

#[test]
fn s_j7_with_ignore_disruption_the_replacement_waits_at_90() {
    let r = s_j7("10m", true);
    let a = job(&r, "a");
    assert_eq!(times(&r, "a-", "PodCreated"), [0.0, 90.0]);
    assert_eq!(a.state.as_str(), "Pending");
    assert_eq!(a.reason, "Unschedulable");
    assert_eq!(a.failed_pods, 0, "an ignored disruption is not a failure");
    assert_eq!(times(&r, "p", "PodBound"), [80.0]);
}

fn s_j8(max_failed: &str) -> kubesim::observe::record::RunResult {
    let y = format!(
        "{SIM}{}{}",
        nodes(1, 0),
        job_yaml(
            "j",
            "kubesim.io/duration: 10s, kubesim.io/fail-indexes: \"0\"",
            &format!(
                "  completions: 4\n  parallelism: 4\n  completionMode: Indexed\n  backoffLimitPerIndex: 1\n{max_failed}"
            )
        )
    );
    run(&y, "kube-default")
}

#[test]
fn s_j8_backoff_limit_per_index_fails_index_0_at_31() {
    let r = s_j8("");
    assert_eq!(times(&r, "j-0-", "PodCreated"), [0.0, 20.0]);
    assert_eq!(times(&r, "j-0-", "PodFailed"), [10.0, 30.0]);
    let j = job(&r, "j");
    assert_eq!(
        (j.state.as_str(), j.reason.as_str(), secs(j.finish)),
        ("Failed", "FailedIndexes", Some(31.0))
    );
    assert_eq!(times(&r, "j-", "PodSucceeded"), [10.0, 10.0, 10.0]);
}

#[test]
fn s_j8_max_failed_indexes_0_fails_at_31_with_its_own_reason() {
    let r = s_j8("  maxFailedIndexes: 0\n");
    let j = job(&r, "j");
    assert_eq!(
        (j.state.as_str(), j.reason.as_str(), secs(j.finish)),
        ("Failed", "MaxFailedIndexesExceeded", Some(31.0))
    );
}

#[test]
fn s_j9_resume_resets_start_time_and_the_deadline_fires_at_600() {
    let y = format!(
        "{SIM}{}{}",
        nodes(1, 0),
        job_yaml(
            "j",
            "kubesim.io/duration: 1h, kubesim.io/resume-at: 500s",
            "  activeDeadlineSeconds: 100\n  suspend: true\n"
        )
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "j-", "PodCreated"), [500.0]);
    assert_eq!(times(&r, "j", "JobFailureTarget"), [600.0]);
    assert_eq!(times(&r, "j-", "PodDeleted"), [600.0]);
    let j = job(&r, "j");
    // The Failed condition is written one batched sync after the last pod terminated.
    assert_eq!(
        (j.state.as_str(), j.reason.as_str(), secs(j.finish)),
        ("Failed", "DeadlineExceeded", Some(601.0))
    );
}

#[test]
fn s_j9_suspending_deletes_pods_without_counting_failures() {
    let y = format!(
        "{SIM}{}{}",
        nodes(1, 0),
        job_yaml(
            "j",
            "kubesim.io/duration: 1h, kubesim.io/resume-at: 500s, kubesim.io/suspend-at: 550s",
            "  activeDeadlineSeconds: 100\n  suspend: true\n"
        )
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "j-", "PodDeleted"), [550.0]);
    let j = job(&r, "j");
    assert_eq!(
        (j.state.as_str(), j.reason.as_str(), j.failed_pods),
        ("Pending", "Suspended", 0)
    );
    assert_eq!(secs(j.finish), None);
}

#[test]
fn on_failure_restarts_in_place_with_kubelet_backoff_until_backoff_limit() {
    // restartPolicy OnFailure: restarts at 10 (immediate), 30 (+10), 60 (+20); the sync after
    // the 3rd restart sees restartCount 3 >= backoffLimit 3 and fails the Job (JOB-B2, POD-R1).
    let y = format!(
        "{SIM}{}apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n  annotations: {{kubesim.io/duration: 10s, kubesim.io/exit-code: \"2\"}}\n\
spec:\n  backoffLimit: 3\n  template:\n    spec:\n      restartPolicy: OnFailure\n      containers: [{{name: c, image: x}}]\n",
        nodes(1, 0)
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "j-", "ContainerRestarted"), [10.0, 30.0, 60.0]);
    let j = job(&r, "j");
    assert_eq!(times(&r, "j", "JobFailureTarget"), [61.0]);
    assert_eq!(
        (j.state.as_str(), j.reason.as_str(), j.restarts),
        ("Failed", "BackoffLimitExceeded", 3)
    );
    assert_eq!(
        times(&r, "j-", "PodCreated"),
        [0.0],
        "no new pod: restarts are in place"
    );
}

#[test]
fn pod_failure_policy_fail_job_on_exit_code() {
    let y = format!(
        "{SIM}{}{}",
        nodes(1, 0),
        job_yaml(
            "j",
            "kubesim.io/duration: 30s, kubesim.io/exit-code: \"42\"",
            "  backoffLimit: 6\n  podFailurePolicy:\n    rules:\n    - action: FailJob\n      onExitCodes: {operator: In, values: [42]}\n"
        )
    );
    let r = run(&y, "kube-default");
    let j = job(&r, "j");
    assert_eq!(
        (j.state.as_str(), j.reason.as_str(), secs(j.finish)),
        ("Failed", "PodFailurePolicy", Some(31.0))
    );
}

#[test]
fn parallel_job_completes_and_ttl_deletes_it() {
    let y = format!(
        "{SIM}{}{}",
        nodes(1, 0),
        job_yaml(
            "j",
            "kubesim.io/duration: 20s",
            "  completions: 4\n  parallelism: 2\n  ttlSecondsAfterFinished: 100\n"
        )
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "j-", "PodCreated"), [0.0, 0.0, 21.0, 21.0]);
    let j = job(&r, "j");
    assert_eq!(
        (j.state.as_str(), secs(j.start), secs(j.finish)),
        ("Complete", Some(0.0), Some(42.0))
    );
    assert_eq!(
        history(&r, "default/j").last().map(|h| (h.0, h.1.clone())),
        Some((142.0, "JobDeleted".to_string()))
    );
}

/// A native trace's header (the base columns).
const TRACE_HEAD: &str = "# kubesim-trace v1\nsubmit_s,id,namespace,queue,priority_class,pods,cpu,memory,gpu_milli,gang,duration_s,outcome,exit_code,recorded_wait_s\n";

/// Runs a native trace `rows` (Trace `t`) on one 8-CPU node with `sim` as the Simulation's spec
/// and `template` as the Trace's extra spec fields, under kube-default.
fn replay(tag: &str, sim: &str, template: &str, rows: &str) -> kubesim::observe::record::RunResult {
    let yaml = format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: t}}\nspec: {{{sim}}}\n---\n{}\
         apiVersion: kubesim.io/v1alpha1\nkind: Trace\nmetadata: {{name: t}}\nspec:\n  path: t.csv\n  format: kubesim\n{template}",
        nodes(1, 0)
    );
    let sc = common::load_with_files(tag, &[("t.csv", &format!("{TRACE_HEAD}{rows}"))], &yaml);
    let mut runs = kubesim::experiment::run_all(&sc, &["kube-default".to_string()], &[1], true).expect("runs");
    runs.remove(0)
}

/// A job the trace saw still running at its end (outcome `running`, 50 s observed) runs on until
/// the run ends: at the 1 h horizon it is Running (its pod never ended), counted in
/// `jobs_running`, not failed; the killed job next to it fails at its 30 s exit (137). A
/// template's own `kubesim.io/duration` does not end it either; without a horizon the run ends
/// with the killed job and the running one is still Running.
#[test]
fn trace_jobs_running_at_the_trace_end_run_until_the_run_ends() {
    let rows = "0.000,r,default,,,1,1,1Gi,0,1,50.000,running,0,\n\
                0.000,k,default,,,1,1,1Gi,0,1,30.000,killed,137,\n";
    let template = "  template:\n    metadata: {annotations: {kubesim.io/duration: 10s}}\n    spec:\n      backoffLimit: 0\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: main, image: x}]\n";
    for (tag, sim, tmpl, end) in [
        ("running-horizon", "horizon: 1h", "", 3600.0),
        ("running-template", "horizon: 1h", template, 3600.0),
        ("running-no-horizon", "", "", 31.0),
    ] {
        let r = replay(tag, sim, tmpl, rows);
        assert_eq!(r.end.ms() as f64 / 1000.0, end, "{tag}");
        let run = job(&r, "t-0");
        assert_eq!(
            (run.state.as_str(), secs(run.start), secs(run.finish)),
            ("Running", Some(0.0), None),
            "{tag}"
        );
        assert!(
            times(&r, "t-0-0", "PodSucceeded").is_empty() && times(&r, "t-0-0", "PodFailed").is_empty(),
            "{tag}"
        );
        let killed = job(&r, "t-1");
        assert_eq!(
            (killed.state.as_str(), secs(killed.finish)),
            ("Failed", Some(31.0)),
            "{tag}"
        );
        let s = kubesim::observe::report::summarize(&r);
        assert_eq!((s.jobs_running, s.jobs_failed, s.jobs_complete), (1, 1, 0), "{tag}");
    }
}

/// openb pods never scheduled, kept with `includeUnscheduled`, are deleted at their deletion
/// time whether or not they start: on one 1-GPU node busy until 100 s, the pod created at 10 s
/// and deleted at 60 s never starts and fails (DeadlineExceeded) then; the one created at 200 s
/// and deleted at 230 s starts at once on the free node and is stopped at 230 s (not failed by
/// its own exit at the same instant).
#[test]
fn unscheduled_trace_pods_are_deleted_at_their_deletion_time() {
    let pods = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n\
        a,1000,1024,1,1000,,LS,Succeeded,0,100,0\n\
        p1,1000,1024,1,1000,,LS,Pending,10,60,\n\
        p2,1000,1024,1,1000,,LS,Pending,200,230,\n";
    let yaml = format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: t}}\n---\n{}\
         apiVersion: kubesim.io/v1alpha1\nkind: Trace\nmetadata: {{name: t}}\n\
         spec: {{path: pods.csv, format: openb, includeUnscheduled: true}}\n",
        nodes(1, 1)
    );
    let sc = common::load_with_files("unscheduled", &[("pods.csv", pods)], &yaml);
    let mut runs = kubesim::experiment::run_all(&sc, &["kube-default".to_string()], &[1], true).expect("runs");
    let r = runs.remove(0);
    let row = |n: &str| {
        let j = job(&r, n);
        (j.state.as_str(), secs(j.start), secs(j.finish))
    };
    assert_eq!(row("t-0"), ("Complete", Some(0.0), Some(101.0)));
    assert_eq!(row("t-1"), ("Failed", None, Some(60.0)));
    // The deadline deletes its running pod at 230 s; the Job fails at the next sync, once the
    // pod has terminated (the controller's 1 s sync batch).
    assert_eq!(row("t-2"), ("Failed", Some(200.0), Some(231.0)));
    let failed = |n: &str| {
        history(&r, &format!("default/{n}"))
            .into_iter()
            .filter(|e| e.1 == "JobFailed")
            .collect::<Vec<_>>()
    };
    assert_eq!(
        failed("t-1"),
        [(60.0, "JobFailed".to_string(), "DeadlineExceeded".to_string())]
    );
    assert_eq!(
        failed("t-2"),
        [(231.0, "JobFailed".to_string(), "DeadlineExceeded".to_string())]
    );
}

/// Creation times (s) of the k-th pod (1-based) through a client of `burst` tokens refilled
/// every `period_ms`: the bucket's first `burst` at 0, then one a period.
fn bucket_times(n: usize, burst: usize, period_ms: u64) -> Vec<f64> {
    (1..=n)
        .map(|k| (k.saturating_sub(burst) as u64 * period_ms) as f64 / 1000.0)
        .collect()
}

/// The Job controller's pod creates pass its client's token bucket (kube-controller-manager
/// 20 QPS, burst 30; token n is due at max(0, n - 30) x 50 ms), in slow-start batches of at
/// most 500 a sync, each create followed by its `SuccessfulCreate` event while the event
/// recorder's spam filter lets them through (25 per Job). At 0 the batches of 1, 2, 4 and 8
/// create 15 pods and write their 15 events (tokens 1-30); the 16 creates of the next batch
/// take tokens 31-46, and the first 10 of them, sent from 50 ms on, the last 10 events (tokens
/// 47-56), before the batch of 32 is issued at 0.8 s: pods 32 to 500 take tokens 57-525, the
/// sync's status update token 526, and the second sync, run when it is sent, pods 501 to 1,000
/// tokens 527-1,026: the last at 49.8 s; indexes in order.
#[test]
fn job_controller_creates_pods_at_its_client_rate_with_slow_start() {
    let y = format!(
        "{SIM}{}{}",
        nodes(2, 0),
        job_yaml(
            "j",
            "kubesim.io/duration: 1h",
            "  completions: 1000\n  parallelism: 1000\n  completionMode: Indexed\n"
        )
    );
    let r = run(&y, "kube-default");
    let created = times(&r, "j-", "PodCreated");
    // Pod k (1-based) takes token t(k); token n is due at bucket_times(..)[n - 1].
    let t = |k: usize| match k {
        1..=15 => 2 * k - 1,
        16..=31 => k + 15,
        32..=500 => k + 25,
        _ => k + 26,
    };
    let tokens = bucket_times(1026, 30, 50);
    let expected: Vec<f64> = (1..=1000).map(|k| tokens[t(k) - 1]).collect();
    assert_eq!(created, expected);
    assert_eq!(created[14], 0.0);
    assert_eq!(created[15], 0.05);
    assert_eq!(created[31], 1.35);
    assert_eq!(created[999], 49.8);
    // Created in index order: sync 1 takes indexes 0-499, sync 2 the rest.
    let names: Vec<&str> = r
        .events
        .iter()
        .filter(|e| e.event == "PodCreated")
        .map(|e| e.object.as_str())
        .collect();
    for (k, name) in names.iter().enumerate() {
        assert!(name.starts_with(&format!("default/j-{k}-")), "pod {k} is {name}");
    }
}

/// Limits set in the Simulation: 10 QPS, burst 5 (token n due at max(0, n - 5) x 100 ms); two
/// Jobs created together share the bucket, their slow-start batches interleaved in issue
/// order, each create's event taking the next token when the create is sent: a's first create
/// and event (tokens 1, 2), b's (3, 4), a's batch of 2 (create 5, its event 6, create 7 at
/// 0.2 s), b's (8, 9: 0.3, 0.4 s), a's event of 0.2 s (10), a's batch of 4 (11-14: 0.6-0.9 s),
/// b's two events (15, 16), b's batch of 4 (17-20: 1.2-1.5 s), a's four events (21-24), a's
/// last 3 (25-27: 2.0-2.2 s), b's four events (28-31), b's last 3 (32-34: 2.7-2.9 s). With
/// `enabled: false` all their pods exist at 0.
#[test]
fn job_controller_client_limit_is_configurable_and_shared() {
    let jobs = format!(
        "{}{}",
        job_yaml("a", "kubesim.io/duration: 1h", "  completions: 10\n  parallelism: 10\n"),
        job_yaml("b", "kubesim.io/duration: 1h", "  completions: 10\n  parallelism: 10\n")
    );
    let limited = format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: t}}\nspec:\n  clientRateLimits:\n    kube-controller-manager: {{qps: 10, burst: 5}}\n---\n{}{jobs}",
        nodes(4, 0)
    );
    let r = run(&limited, "kube-default");
    assert_eq!(
        times(&r, "a-", "PodCreated"),
        [0.0, 0.0, 0.2, 0.6, 0.7, 0.8, 0.9, 2.0, 2.1, 2.2]
    );
    assert_eq!(
        times(&r, "b-", "PodCreated"),
        [0.0, 0.3, 0.4, 1.2, 1.3, 1.4, 1.5, 2.7, 2.8, 2.9]
    );
    // Slow start, round-robin: a 1, b 1, a 2, b 2, a 4, b 4, then a 3, b 3 (each pod in the
    // order its create was issued).
    let order: String = r
        .events
        .iter()
        .filter(|e| e.event == "PodCreated")
        .map(|e| if e.object.starts_with("default/a-") { 'a' } else { 'b' })
        .collect();
    assert_eq!(order, "abaabbaaaabbbbaaabbb");
    let off = format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: t}}\nspec:\n  clientRateLimits: {{enabled: false, kube-controller-manager: {{qps: 10, burst: 5}}}}\n---\n{}{jobs}",
        nodes(4, 0)
    );
    let r = run(&off, "kube-default");
    assert_eq!(times(&r, "", "PodCreated"), vec![0.0; 20]);
}

/// A Simulation spec whose Job controller's client has `qps` and `burst`, then `body`.
fn kcm_limited(qps: &str, burst: u32, body: &str) -> String {
    format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: t}}\nspec:\n  clientRateLimits:\n    kube-controller-manager: {{qps: {qps}, burst: {burst}}}\n---\n{body}"
    )
}

/// A Simulation spec with client limits off, then `body`.
fn limits_off(body: &str) -> String {
    format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: t}}\nspec: {{clientRateLimits: {{enabled: false}}}}\n---\n{body}"
    )
}

/// A Job's terminal condition is written after its finished pods' finalizers are removed, all
/// through its client: 40 pods of 20 s at 1 QPS, burst 66. At 0 the 40 creates, their first 25
/// events (the spam filter's burst) and the status update take the 66 tokens; the pods run at
/// 0, and the sync their updates ask for at 1 s writes status.ready (40) with the token back
/// at 1 s; at 20 s the pods end, and the sync at 21 s, with 20 tokens back, writes the
/// uncounted pods (1), the 40 finalizer patches, then the status update with `Complete`, its
/// k-th write at max(21, k + 1) s: JobComplete at 43 s, not 21 s as without limits (the
/// `Completed` event is dropped: the filter has no token before 300 s). At 0.5 QPS the ready
/// update waits for the token of 2 s and the sync's k-th write goes at max(21, 2(k + 1)) s:
/// 86 s.
#[test]
fn job_finishes_when_its_finalizer_patches_and_status_update_are_sent() {
    let body = format!(
        "{}{}",
        nodes(5, 0),
        job_yaml(
            "j",
            "kubesim.io/duration: 20s",
            "  completions: 40\n  parallelism: 40\n"
        )
    );
    let r = run(&kcm_limited("1", 66, &body), "kube-default");
    assert_eq!(times(&r, "j-", "PodCreated"), vec![0.0; 40]);
    assert_eq!(times(&r, "j", "JobComplete"), [43.0]);
    assert_eq!(secs(job(&r, "j").finish), Some(43.0));
    let r = run(&kcm_limited("0.5", 66, &body), "kube-default");
    assert_eq!(times(&r, "j", "JobComplete"), [86.0]);
    // Without limits the Job completes at the sync a batch period after its pods end.
    let r = run(&limits_off(&body), "kube-default");
    assert_eq!(times(&r, "j", "JobComplete"), [21.0]);
}

/// A suspended Job's pods are deleted through the client (`deleteJobPods`: each pod's
/// finalizer patch, then its delete): 40 running pods, 1 QPS, burst 66 (emptied at 0 by the
/// creates, 25 events and a status update; the token of 1 s goes to the status.ready update
/// the pods' start asks for), suspended at 50 s with 49 tokens back: the 40 patches and the
/// first 9 deletes go at 50 s, then one delete a second, the last at 81 s; without limits all
/// at 50 s.
#[test]
fn suspended_jobs_pods_are_deleted_at_the_client_rate() {
    let body = format!(
        "{}{}",
        nodes(5, 0),
        job_yaml(
            "j",
            "kubesim.io/duration: 1h, kubesim.io/suspend-at: 50s",
            "  completions: 40\n  parallelism: 40\n"
        )
    );
    let r = run(&kcm_limited("1", 66, &body), "kube-default");
    let deleted = times(&r, "j-", "PodDeleted");
    let expected: Vec<f64> = (1..=40).map(|k| 50.0f64.max(41.0 + k as f64)).collect();
    assert_eq!(deleted, expected);
    let r = run(&limits_off(&body), "kube-default");
    assert_eq!(times(&r, "j-", "PodDeleted"), vec![50.0; 40]);
}

/// A failing Job deletes its running pods (`deleteActivePods`, finalizers kept) and writes
/// `Failed` once they have terminated and their finalizers are removed: 40 pods, 1 QPS, burst
/// 66 (emptied at 0; the token of 1 s goes to the status.ready update), activeDeadlineSeconds
/// 50. At 50 s the 40 deletes and the FailureTarget status update take 41 of the 49 tokens
/// back; the pods stop at once (no grace period); the sync at 51 s has 9 tokens: it removes the
/// 40 finalizers and writes `Failed` with its 41st write, at 51 + 32 = 83 s (51 s without
/// limits).
#[test]
fn failing_jobs_finalizers_are_removed_before_failed() {
    let body = format!(
        "{}{}",
        nodes(5, 0),
        job_yaml(
            "j",
            "kubesim.io/duration: 1h",
            "  completions: 40\n  parallelism: 40\n  activeDeadlineSeconds: 50\n"
        )
    );
    let r = run(&kcm_limited("1", 66, &body), "kube-default");
    assert_eq!(times(&r, "j-", "PodDeleted"), vec![50.0; 40]);
    assert_eq!(times(&r, "j", "JobFailed"), [83.0]);
    let r = run(&limits_off(&body), "kube-default");
    assert_eq!(times(&r, "j", "JobFailed"), [51.0]);
}

/// `latencies.watch`: each component sees another's write one watch delay later. At 100 ms a
/// Job's pod, created at 0, reaches the scheduler at 0.1 s, its Binding the kubelet at 0.2 s (it
/// runs 10 s from then), and its end the Job controller 1 s + 0.1 s after it (JobComplete at
/// 11.3 s); with the default 0 every hop is instant.
#[test]
fn watch_delay_between_a_write_and_its_watchers() {
    let job = job_yaml("j", "kubesim.io/duration: 10s", "");
    let y = format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: t}}\nspec:\n  latencies: {{watch: 100ms}}\n---\n{}{job}",
        nodes(1, 0)
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "j-", "PodCreated"), [0.0]);
    assert_eq!(times(&r, "j-", "PodBound"), [0.2]);
    assert_eq!(times(&r, "j-", "PodSucceeded"), [10.2]);
    assert_eq!(times(&r, "j", "JobComplete"), [11.3]);
    let r = run(&format!("{SIM}{}{job}", nodes(1, 0)), "kube-default");
    assert_eq!(times(&r, "j-", "PodBound"), [0.0]);
    assert_eq!(times(&r, "j", "JobComplete"), [11.0]);
}

/// A Job whose pods cannot all run at once (one node slot, two pods of 10 s) starts when its
/// last pod does, its first already succeeded (10 s), and is not counted as never started.
#[test]
fn a_job_whose_first_pod_ended_before_its_last_started_has_started() {
    let y = format!(
        "{SIM}apiVersion: v1\nkind: Node\nmetadata: {{name: node-0}}\nstatus: {{allocatable: {{cpu: \"1\", memory: 8Gi, pods: \"110\"}}}}\n---\n{}",
        job_yaml("j", "kubesim.io/duration: 10s", "  completions: 2\n  parallelism: 2\n")
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "j-", "PodRunning"), [0.0, 10.0]);
    let j = job(&r, "j");
    assert_eq!((secs(j.start), j.state.as_str()), (Some(10.0), "Complete"));
}

/// A Job suspended while its creates wait for the controller's client (`kubesim.io/suspend-at:
/// 1s`, 100 pods at 20 QPS / burst 30): 15 pods and their events at 0, the batch of 16 at
/// 0.05-0.8 s, then the batch of 32 is due from 1.35 s, after the suspension: those creates
/// create nothing, so the Job has 31 pods, all deleted by the suspension.
#[test]
fn creates_waiting_when_a_job_is_suspended_create_nothing() {
    let y = format!(
        "{SIM}{}{}",
        nodes(20, 0),
        job_yaml(
            "j",
            "kubesim.io/duration: 1h, kubesim.io/suspend-at: 1s",
            "  completions: 100\n  parallelism: 100\n"
        )
    );
    let r = run(&y, "kube-default");
    let created = times(&r, "j-", "PodCreated");
    let tokens = bucket_times(46, 30, 50);
    let expected: Vec<f64> = (1..=31).map(|k| if k <= 15 { 0.0 } else { tokens[k + 14] }).collect();
    assert_eq!(created, expected);
    assert_eq!(times(&r, "j-", "PodDeleted").len(), 31);
}
