//! JobSets (jobset.x-k8s.io/v1alpha2): the three upstream examples load unchanged with the
//! webhook's defaults, hints reach each replicatedJob's pods, every webhook check gives its
//! message at the right line and field, what is not simulated is listed and warned about, and
//! the Jobs an exported JobSet owns are set aside.

use super::*;

const PARALLEL_JOBS: &str = include_str!("../../../../tests/upstream/jobset/paralleljobs.yaml");
const SUCCESS_POLICY: &str = include_str!("../../../../tests/upstream/jobset/success-policy.yaml");
const FAILURE_POLICY: &str = include_str!("../../../../tests/upstream/jobset/failure-policy.yaml");

/// An upstream example's Job template: Indexed (the webhook's default), backoffLimit 0,
/// `completions` = `parallelism` = `pods`, one container without resources, its pods
/// `restartPolicy: OnFailure` (the webhook's default).
fn example_job(pods: u32, container: &str) -> JobSpec {
    let mut template = pod_template(container, rl(&[]), rl(&[]));
    template.restart_policy = RestartPolicy::OnFailure;
    JobSpec {
        completions: Some(pods),
        parallelism: Some(pods),
        completion_mode: CompletionMode::Indexed,
        backoff_limit: Some(0),
        ..job_spec(template)
    }
}

fn rjob(name: &str, pods: u32, container: &str) -> ReplicatedJob {
    ReplicatedJob {
        name: name.to_string(),
        replicas: 1,
        labels: Default::default(),
        annotations: Default::default(),
        job: example_job(pods, container),
        depends_on: Vec::new(),
    }
}

/// The JobSet `file` (`text`) gives, loaded alone.
fn upstream(file: &str, text: &str) -> WorkloadSpec {
    let sc = load_str(file, text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sc.workloads.len(), 1);
    assert!(sc.unmodelled.is_empty(), "{:?}", sc.unmodelled);
    sc.workloads[0].clone()
}

fn jobset_workload(file: &str, name: &str, spec: JobSetSpec) -> WorkloadSpec {
    WorkloadSpec {
        namespace: "default".into(),
        name: name.into(),
        labels: Default::default(),
        annotations: Default::default(),
        kind: WorkloadKind::JobSet(spec),
        submit_at_ms: 0,
        suspend_at_ms: None,
        resume_at_ms: None,
        loc: SourceLoc {
            file: file.into(),
            line: 1,
        },
    }
}

const ALL: JobSetSuccess = JobSetSuccess {
    any: false,
    targets: vec![],
};

#[test]
fn the_upstream_parallel_jobs_example_loads_with_the_webhook_defaults() {
    let w = upstream("paralleljobs.yaml", PARALLEL_JOBS);
    let expected = JobSetSpec {
        replicated_jobs: vec![rjob("workers", 4, "sleep"), rjob("driver", 1, "sleep")],
        success: ALL,
        failure: None,
        in_order: false,
        suspend: false,
        ttl_seconds_after_finished: None,
        train_job: None,
    };
    assert_eq!(w, jobset_workload("paralleljobs.yaml", "paralleljobs", expected));
    assert_eq!(w.pods_without_failures(), 5);
}

#[test]
fn the_upstream_success_policy_example_targets_workers_by_index() {
    let w = upstream("success-policy.yaml", SUCCESS_POLICY);
    let expected = JobSetSpec {
        replicated_jobs: vec![rjob("leader", 1, "leader"), rjob("workers", 2, "worker")],
        success: JobSetSuccess {
            any: false,
            targets: vec![1],
        },
        failure: None,
        in_order: false,
        suspend: false,
        ttl_seconds_after_finished: None,
        train_job: None,
    };
    assert_eq!(w, jobset_workload("success-policy.yaml", "success-policy", expected));
}

#[test]
fn the_upstream_failure_policy_example_blocks_and_restarts_three_times() {
    let w = upstream("failure-policy.yaml", FAILURE_POLICY);
    let expected = JobSetSpec {
        replicated_jobs: vec![rjob("leader", 2, "leader"), rjob("workers", 2, "worker")],
        success: ALL,
        failure: Some(JobSetFailure {
            max_restarts: 3,
            blocking: true,
            rules: vec![],
        }),
        in_order: false,
        suspend: false,
        ttl_seconds_after_finished: None,
        train_job: None,
    };
    assert_eq!(w, jobset_workload("failure-policy.yaml", "failure-policy", expected));
}

const JS_HEAD: &str = "apiVersion: jobset.x-k8s.io/v1alpha2\nkind: JobSet\nmetadata:\n  name: js\nspec:\n";

/// A JobSet named `name` (lines 1-5) with `spec` from line 6.
fn jobset_named(name: &str, spec: &str) -> String {
    format!("apiVersion: jobset.x-k8s.io/v1alpha2\nkind: JobSet\nmetadata:\n  name: {name}\nspec:\n{spec}")
}

/// A replicatedJob (4 lines plus `more` and `job` lines) named `name`: `more` are lines of the
/// replicatedJob after its name, `job` lines of its Job spec (both indented already).
fn rj(name: &str, more: &str, job: &str) -> String {
    format!(
        "  - name: {name}\n{more}    template:\n      spec:\n{job}        template: {{spec: {{containers: [{{name: c}}]}}}}\n"
    )
}

/// `spec.replicatedJobs` (line 6) with `rjobs`, then `rest` of the spec.
fn js(rjobs: &[String], rest: &str) -> String {
    format!("{JS_HEAD}  replicatedJobs:\n{}{rest}", rjobs.concat())
}

fn single() -> Vec<String> {
    vec![rj("w", "", "")]
}

fn spec_of(sc: &Scenario) -> &JobSetSpec {
    match &sc.workloads[0].kind {
        WorkloadKind::JobSet(s) => s,
        other => panic!("not a JobSet: {other:?}"),
    }
}

#[test]
fn defaults_fill_what_is_unwritten() {
    let sc = ok(&js(&single(), ""));
    let s = spec_of(&sc);
    let r = &s.replicated_jobs[0];
    assert_eq!(r.replicas, 1);
    assert_eq!(r.job.completion_mode, CompletionMode::Indexed);
    // Neither completions nor parallelism: the API server's defaulting gives completions 1.
    assert_eq!((r.job.completions, r.job.parallelism), (Some(1), None));
    assert_eq!(r.job.template.restart_policy, RestartPolicy::OnFailure);
    assert_eq!(s.success, ALL);
    assert_eq!((s.failure.clone(), s.in_order, s.suspend), (None, false, false));
    assert_eq!(sc.workloads[0].pods_without_failures(), 1);
    // Written values win: NonIndexed, Never, replicas 0.
    let sc = ok(&js(
        &[rj(
            "w",
            "    replicas: 0\n",
            "        completionMode: NonIndexed\n        parallelism: 3\n",
        )],
        "  suspend: true\n  ttlSecondsAfterFinished: 60\n  startupPolicy: {startupPolicyOrder: InOrder}\n",
    ));
    let s = spec_of(&sc);
    let r = &s.replicated_jobs[0];
    assert_eq!((r.replicas, r.job.completion_mode), (0, CompletionMode::NonIndexed));
    assert_eq!((r.job.completions, r.job.parallelism), (None, Some(3)));
    assert!(s.in_order && s.suspend && r.job.suspend);
    assert_eq!(s.ttl_seconds_after_finished, Some(60));
    let never = js(
        &[String::from(
            "  - name: w\n    template:\n      spec:\n        template: {spec: {restartPolicy: Never, containers: [{name: c}]}}\n",
        )],
        "",
    );
    assert_eq!(
        spec_of(&ok(&never)).replicated_jobs[0].job.template.restart_policy,
        RestartPolicy::Never
    );
}

#[test]
fn failure_rules_are_named_targeted_by_index_and_bounded() {
    let rjobs = [rj("leader", "", ""), rj("workers", "", "")];
    let rest = "  successPolicy:\n    operator: Any\n    targetReplicatedJobs: [workers, leader, workers]\n  \
                failurePolicy:\n    maxRestarts: -2\n    restartStrategy: Recreate\n    rules:\n    \
                - action: FailJobSet\n      onJobFailureReasons: [PodFailurePolicy]\n      \
                targetReplicatedJobs: [workers]\n    - name: again\n      \
                action: RestartJobSetAndIgnoreMaxRestarts\n";
    let sc = ok(&js(&rjobs, rest));
    let s = spec_of(&sc);
    assert_eq!(
        s.success,
        JobSetSuccess {
            any: true,
            targets: vec![0, 1]
        }
    );
    assert_eq!(
        s.failure,
        Some(JobSetFailure {
            // A negative maxRestarts fails at the first failure, as 0 does.
            max_restarts: 0,
            blocking: false,
            rules: vec![
                JobSetFailureRule {
                    name: "failurePolicyRule0".into(),
                    action: JobSetAction::FailJobSet,
                    reasons: vec!["PodFailurePolicy".into()],
                    targets: vec![1],
                },
                JobSetFailureRule {
                    name: "again".into(),
                    action: JobSetAction::RestartJobSetAndIgnoreMaxRestarts,
                    reasons: vec![],
                    targets: vec![],
                },
            ],
        })
    );
}

#[test]
fn hints_flow_from_the_jobset_to_each_replicated_jobs_pods() {
    let text = format!(
        "apiVersion: jobset.x-k8s.io/v1alpha2\nkind: JobSet\nmetadata:\n  name: js\n  labels: {{team: a}}\n  \
         annotations:\n    kubesim.io/submit-at: 5m\n    kubesim.io/suspend-at: 10m\n    \
         kubesim.io/duration: 1h\n    kubesim.io/exit-code: \"3\"\nspec:\n  replicatedJobs:\n{}{}",
        // The first keeps the JobSet's; the second's Job template and pod template override it.
        rj("a", "", ""),
        "  - name: b\n    template:\n      metadata:\n        labels: {role: b}\n        annotations:\n          \
         kubesim.io/duration: 30m\n          note: x\n      spec:\n        template:\n          metadata:\n            \
         annotations: {kubesim.io/exit-code: \"2\"}\n          spec: {containers: [{name: c}]}\n"
    );
    let sc = ok(&text);
    let w = &sc.workloads[0];
    assert_eq!((w.submit_at_ms, w.suspend_at_ms), (300_000, Some(600_000)));
    assert_eq!(w.labels, labels(&[("team", "a")]));
    let s = spec_of(&sc);
    let (a, b) = (&s.replicated_jobs[0], &s.replicated_jobs[1]);
    assert_eq!(
        (a.job.template.hints.duration_ms, a.job.template.hints.exit_code),
        (Some(3_600_000), 3)
    );
    assert_eq!(
        (b.job.template.hints.duration_ms, b.job.template.hints.exit_code),
        (Some(1_800_000), 2)
    );
    assert_eq!(b.labels, labels(&[("role", "b")]));
    assert_eq!(b.annotations, labels(&[("kubesim.io/duration", "30m"), ("note", "x")]));
}

#[test]
fn the_webhook_refuses_names_it_cannot_generate_from() {
    let long = "a".repeat(60);
    let cases: Vec<(String, usize, &str, Vec<&str>)> = vec![
        (
            jobset_named(&long, &format!("  replicatedJobs:\n{}", rj("w", "", ""))),
            7,
            "spec.replicatedJobs[0].name",
            vec!["JobSet name is too long, job names generated for this JobSet will exceed 63 characters"],
        ),
        (
            jobset_named(
                &"a".repeat(55),
                &format!("  replicatedJobs:\n{}", rj("w", "", "        completions: 4\n")),
            ),
            7,
            "spec.replicatedJobs[0].name",
            vec![
                "JobSet name is too long, pod names generated for this JobSet will exceed 63 characters",
                "shorten",
            ],
        ),
        (
            js(&[rj("Workers", "", "")], ""),
            7,
            "spec.replicatedJobs[0].name",
            vec![
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-'",
                "names in lowercase letters, digits and '-'",
            ],
        ),
        (
            js(&[rj("w", "", ""), rj("w", "", "")], ""),
            11,
            "spec.replicatedJobs[1].name",
            vec!["Duplicate value", "\"w\"", "spec.replicatedJobs[0]"],
        ),
        (
            js(&[rj("w", "    groupName: Group\n", "")], ""),
            8,
            "spec.replicatedJobs[0].groupName",
            vec!["a DNS-1035 label"],
        ),
        (
            js(&single(), "  network: {subdomain: Bad_Sub}\n"),
            11,
            "spec.network.subdomain",
            vec!["a lowercase RFC 1123 subdomain"],
        ),
        (
            js(&single(), "  managedBy: no-slash\n"),
            11,
            "spec.managedBy",
            vec!["must be a domain-prefixed path (such as \"acme.io/foo\")"],
        ),
    ];
    expect_errors(&cases);
}

#[test]
fn the_webhook_refuses_bad_counts_before_they_size_anything() {
    let cases: Vec<(String, usize, &str, Vec<&str>)> = vec![
        (
            js(&[rj("w", "    replicas: -1\n", "")], ""),
            8,
            "spec.replicatedJobs[0].replicas",
            vec!["replicas -1: should be greater than or equal to 0"],
        ),
        (
            js(&[rj("w", "    replicas: two\n", "")], ""),
            8,
            "spec.replicatedJobs[0].replicas",
            vec!["expected an integer, found a string"],
        ),
        (
            js(&[rj("w", "    replicas: 100001\n", "")], ""),
            8,
            "spec.replicatedJobs[0].replicas",
            vec!["replicas 100001 is beyond the limit of 100000"],
        ),
        (
            js(
                &[rj(
                    "w",
                    "    replicas: 100000\n",
                    "        completions: 1\n        parallelism: 100000\n",
                )],
                "",
            ),
            8,
            "spec.replicatedJobs[0].replicas",
            vec!["the product of replicas and parallelism must not exceed 2147483647 for replicatedJob 'w'"],
        ),
        (
            js(
                &[rj(
                    "w",
                    "    replicas: 2\n",
                    "        completions: 60000\n        parallelism: 8\n",
                )],
                "",
            ),
            7,
            "spec.replicatedJobs[0]",
            vec!["create 120000 pods, beyond the limit of 100000 pods per workload"],
        ),
        (
            js(&[rj("w", "", "        completions: many\n")], ""),
            10,
            "spec.replicatedJobs[0].template.spec.completions",
            vec!["expected an integer"],
        ),
        (
            js(&[rj("w", "", "        parallelism: 2\n")], ""),
            9,
            "spec.replicatedJobs[0].template.spec.completions",
            vec!["Required value: when completion mode is Indexed", "the JobSet webhook"],
        ),
        (
            js(&single(), "  ttlSecondsAfterFinished: -1\n"),
            11,
            "spec.ttlSecondsAfterFinished",
            vec!["-1 is out of range"],
        ),
    ];
    expect_errors(&cases);
}

#[test]
fn the_webhook_checks_policies_and_their_targets() {
    let two = [rj("a", "", ""), rj("b", "", "")];
    let rule = |body: &str| format!("  failurePolicy:\n    rules:\n{body}");
    let cases: Vec<(String, usize, &str, Vec<&str>)> = vec![
        (
            js(
                &single(),
                "  successPolicy: {operator: All, targetReplicatedJobs: [x]}\n",
            ),
            11,
            "spec.successPolicy.targetReplicatedJobs[0]",
            vec![
                "invalid replicatedJob name 'x' does not appear in .spec.ReplicatedJobs",
                "w",
            ],
        ),
        (
            js(&single(), "  successPolicy: {operator: Most}\n"),
            11,
            "spec.successPolicy.operator",
            vec!["Unsupported value: \"Most\": supported values: \"All\", \"Any\""],
        ),
        (
            js(
                &single(),
                &rule("    - action: FailJobSet\n      targetReplicatedJobs: [x]\n"),
            ),
            14,
            "spec.failurePolicy.rules[0].targetReplicatedJobs[0]",
            vec!["invalid replicatedJob name 'x' in failure policy does not appear in .spec.ReplicatedJobs"],
        ),
        (
            js(
                &single(),
                &rule(&format!("    - name: {}\n      action: FailJobSet\n", "r".repeat(129))),
            ),
            13,
            "spec.failurePolicy.rules[0].name",
            vec![
                "invalid failure policy rule name of length 129, the rule name must be at least 1 characters long and at most 128 characters long",
            ],
        ),
        (
            js(&single(), &rule("    - name: 1bad\n      action: FailJobSet\n")),
            13,
            "spec.failurePolicy.rules[0].name",
            vec![
                "invalid failure policy rule name '1bad', a failure policy rule name must start with an alphabetic character",
            ],
        ),
        (
            js(
                &single(),
                &rule("    - name: r\n      action: FailJobSet\n    - name: r\n      action: RestartJobSet\n"),
            ),
            15,
            "spec.failurePolicy.rules[1].name",
            vec!["rule names are not unique, rules with indices [0 1] all have the same name 'r'"],
        ),
        (
            js(
                &single(),
                &rule("    - action: FailJobSet\n      onJobFailureReasons: [OOMKilled]\n"),
            ),
            14,
            "spec.failurePolicy.rules[0].onJobFailureReasons[0]",
            vec![
                "invalid job failure reason 'OOMKilled' in failure policy is not a recognized job failure reason",
                "BackoffLimitExceeded",
            ],
        ),
        (
            js(&single(), &rule("    - action: FailJobSet\n    - action: RestartJob\n")),
            14,
            "spec.failurePolicy.rules[1].action",
            vec![
                "RestartJob and RestartJobAndIgnoreMaxRestarts failure policy actions are not allowed when RestartJob feature gate is disabled",
            ],
        ),
        (
            js(&single(), "  failurePolicy:\n    restartStrategy: InPlaceRestart\n"),
            12,
            "spec.failurePolicy.restartStrategy",
            vec!["InPlaceRestart restart strategy cannot be set when InPlaceRestart feature gate is disabled"],
        ),
        (
            js(
                &[
                    rj("a", "", ""),
                    rj("b", "    dependsOn: [{name: a, status: Ready}]\n", ""),
                ],
                "  startupPolicy: {startupPolicyOrder: InOrder}\n",
            ),
            16,
            "spec.startupPolicy.startupPolicyOrder",
            vec!["StartupPolicy and DependsOn APIs are mutually exclusive"],
        ),
        (
            js(
                &[
                    rj("a", "    dependsOn: [{name: b, status: Ready}]\n", ""),
                    rj("b", "", ""),
                ],
                "",
            ),
            8,
            "spec.replicatedJobs[0].dependsOn",
            vec!["DependsOn can't be set for the first ReplicatedJob"],
        ),
        (
            js(
                &[
                    two[0].clone(),
                    rj("b", "    dependsOn: [{name: zz, status: Complete}]\n", ""),
                ],
                "",
            ),
            12,
            "spec.replicatedJobs[1].dependsOn[0].name",
            vec!["replicatedJob: b cannot depend on replicatedJob: zz"],
        ),
        (
            js(&two, "  coordinator: {replicatedJob: a, jobIndex: 1}\n"),
            15,
            "spec.coordinator.jobIndex",
            vec!["coordinator job index 1 is invalid for replicatedJob a"],
        ),
    ];
    expect_errors(&cases);
}

#[test]
fn typos_misplaced_hints_and_job_rules_are_refused_with_the_fix() {
    let cases: Vec<(String, usize, &str, Vec<&str>)> = vec![
        (
            format!("{JS_HEAD}  replicatedJob: []\n"),
            6,
            "spec.replicatedJob",
            vec![
                "unknown field `replicatedJob` in a JobSet spec",
                "did you mean `replicatedJobs`",
            ],
        ),
        (
            format!("{JS_HEAD}  replicatedJobs: []\n"),
            6,
            "spec.replicatedJobs",
            vec!["no replicatedJob"],
        ),
        (
            js(&[rj("w", "    replica: 2\n", "")], ""),
            8,
            "spec.replicatedJobs[0].replica",
            vec!["did you mean `replicas`"],
        ),
        (
            js(
                &[String::from(
                    "  - name: w\n    template:\n      metadata:\n        annotations: {kubesim.io/submit-at: 1m}\n      \
                     spec:\n        template: {spec: {containers: [{name: c}]}}\n",
                )],
                "",
            ),
            10,
            "spec.replicatedJobs[0].template.metadata.annotations.kubesim.io/submit-at",
            vec![
                "has no meaning on a JobSet's replicatedJob template",
                "the JobSet's metadata.annotations",
            ],
        ),
        (
            js(
                &[String::from(
                    "  - name: w\n    template:\n      spec:\n        template: {spec: {restartPolicy: Always, containers: [{name: c}]}}\n",
                )],
                "",
            ),
            10,
            "spec.replicatedJobs[0].template.spec.template.spec.restartPolicy",
            vec!["cannot use restartPolicy Always"],
        ),
        (
            js(
                &[rj(
                    "w",
                    "",
                    "        podFailurePolicy:\n          rules: [{action: FailJob, onExitCodes: {operator: In, values: [1]}}]\n",
                )],
                "",
            ),
            11,
            "spec.replicatedJobs[0].template.spec.podFailurePolicy",
            vec![
                "needs the pod template's restartPolicy to be Never",
                "spec.replicatedJobs[0].template.spec.template.spec.restartPolicy: Never",
                "the JobSet webhook defaults it to OnFailure",
            ],
        ),
    ];
    expect_errors(&cases);
}

#[test]
fn what_is_not_simulated_is_listed_and_warned_about() {
    let text = format!(
        "apiVersion: jobset.x-k8s.io/v1alpha2\nkind: JobSet\nmetadata:\n  name: js\n  annotations:\n    \
         alpha.jobset.sigs.k8s.io/exclusive-topology: rack\nspec:\n  replicatedJobs:\n{}{}  failurePolicy:\n    \
         rules:\n    - action: FailJobSet\n      onJobFailureMessagePatterns: [OOM]\n  network: \
         {{enableDNSHostnames: true, subdomain: net}}\n  coordinator: {{replicatedJob: a}}\n  managedBy: \
         jobset.sigs.k8s.io/jobset-controller\n  volumeClaimPolicies:\n  - templates: [{{metadata: {{name: \
         cache}}, spec: {{}}}}]\n    retentionPolicy: {{whenDeleted: Retain}}\nstatus: {{restarts: 0}}\n",
        rj("a", "", "        completions: 2\n"),
        rj("b", "    dependsOn: [{name: a, status: Complete}]\n", ""),
    );
    let sc = ok(&text);
    assert_eq!(sc.workloads.len(), 1);
    assert_eq!(
        sc.unmodelled[0].fields,
        ["spec.failurePolicy.rules[0].onJobFailureMessagePatterns", "status"]
    );
    // dependsOn is simulated: kept, not listed, not warned about.
    let WorkloadKind::JobSet(s) = &sc.workloads[0].kind else {
        unreachable!()
    };
    assert_eq!(
        s.replicated_jobs[1].depends_on,
        [crate::input::spec::JobSetDependency {
            rjob: 0,
            complete: true
        }]
    );
    let w = crate::input::scenario::warnings(&sc);
    let about = |needle: &str| w.iter().filter(|m| m.contains(needle)).count();
    assert_eq!(about("dependsOn"), 0, "{w:?}");
    assert_eq!(
        about("spec.failurePolicy.rules[0].onJobFailureMessagePatterns is not simulated"),
        1,
        "{w:?}"
    );
    assert_eq!(
        about("the annotation alpha.jobset.sigs.k8s.io/exclusive-topology (metadata.annotations: \"rack\")"),
        1,
        "{w:?}"
    );
    assert!(
        w.iter()
            .all(|m| !m.contains("JobSet") || m.contains("JobSet \"default/js\" (t.yaml:1)"))
    );
    // Another controller in managedBy: loaded, checked, listed as not simulated, warned about.
    let elsewhere = js(&single(), "  managedBy: kueue.x-k8s.io/multikueue\n");
    let sc = ok(&elsewhere);
    assert!(sc.workloads.is_empty());
    assert_eq!(sc.not_simulated[0].kind, "JobSet");
    let w = crate::input::scenario::warnings(&sc);
    assert!(
        w.iter()
            .any(|m| m.contains("names another controller in spec.managedBy")),
        "{w:?}"
    );
    check(
        &bad(&js(&[rj("W", "", "")], "  managedBy: kueue.x-k8s.io/multikueue\n")),
        7,
        "spec.replicatedJobs[0].name",
        &["DNS-1035"],
    );
}

#[test]
fn an_unknown_jobset_version_names_the_supported_one() {
    let e = bad("apiVersion: jobset.x-k8s.io/v1alpha1\nkind: JobSet\nmetadata: {name: js}\n");
    check(
        &e,
        2,
        "kind",
        &["(JobSet is supported as jobset.x-k8s.io/v1alpha2 JobSet)"],
    );
}

/// `kubectl get jobsets,jobs,pods -o yaml` of a JobSet, its Job and that Job's Pod, and a Job
/// whose JobSet is not in the export.
const EXPORTED: &str = r#"apiVersion: v1
kind: List
items:
- apiVersion: jobset.x-k8s.io/v1alpha2
  kind: JobSet
  metadata: {name: js, uid: js-uid}
  spec:
    replicatedJobs:
    - name: w
      groupName: default
      replicas: 1
      template: {spec: {completionMode: Indexed, completions: 1, template: {spec: {restartPolicy: OnFailure, containers: [{name: c}]}}}}
    successPolicy: {operator: All}
    startupPolicy: {startupPolicyOrder: AnyOrder}
    network: {enableDNSHostnames: true, publishNotReadyAddresses: true}
  status: {restarts: 0, replicatedJobsStatus: [{name: w, ready: 1, succeeded: 0, failed: 0, active: 1, suspended: 0}]}
- apiVersion: batch/v1
  kind: Job
  metadata:
    name: js-w-0
    ownerReferences:
    - {apiVersion: jobset.x-k8s.io/v1alpha2, kind: JobSet, name: js, uid: js-uid, controller: true, blockOwnerDeletion: true}
  spec:
    completionMode: Indexed
    completions: 1
    template: {spec: {restartPolicy: OnFailure, containers: [{name: c}]}}
- apiVersion: v1
  kind: Pod
  metadata:
    name: js-w-0-0-abcde
    ownerReferences:
    - {apiVersion: batch/v1, kind: Job, name: js-w-0, uid: job-uid, controller: true}
  spec: {containers: [{name: c}]}
- apiVersion: batch/v1
  kind: Job
  metadata:
    name: lone
    ownerReferences:
    - {apiVersion: jobset.x-k8s.io/v1alpha2, kind: JobSet, name: gone, uid: u, controller: true}
  spec:
    template: {spec: {containers: [{name: c}]}}
"#;

#[test]
fn the_jobs_and_pods_of_an_exported_jobset_are_set_aside() {
    let sc = ok(EXPORTED);
    let kept: Vec<(&str, &str)> = sc
        .workloads
        .iter()
        .map(|w| (w.kind.api_kind(), w.name.as_str()))
        .collect();
    assert_eq!(kept, [("JobSet", "js"), ("Job", "lone")]);
    let set_aside: Vec<(&str, &str, &str)> = sc
        .owned_pods
        .iter()
        .map(|o| (o.api_version.as_str(), o.kind.as_str(), o.name.as_str()))
        .collect();
    assert_eq!(
        set_aside,
        [("batch/v1", "Job", "js-w-0"), ("v1", "Pod", "js-w-0-0-abcde")]
    );
    assert_eq!(sc.unmodelled[0].fields, ["status"]);
}
