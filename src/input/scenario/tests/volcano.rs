//! Volcano Jobs (batch.volcano.sh/v1alpha1): every field converted, the minimal job, every
//! event and action, submit-at on task templates.

use super::*;

fn the_vcjob(sc: &Scenario) -> &VolcanoJobSpec {
    match &sc.workloads[0].kind {
        WorkloadKind::VolcanoJob(v) => v,
        other => panic!("not a Volcano Job: {other:?}"),
    }
}

/// A Volcano Job with every modelled field set, after [`VC_HEAD`].
const FULL_VCJOB: &str = r#"  namespace: ml
  labels: {team: a}
  annotations:
    kubesim.io/submit-at: 10m
    kubesim.io/duration: 1h
    kubesim.io/failures: "1"
    example.com/owner: me
spec:
  minAvailable: 3
  queue: research
  schedulerName: volcano
  priorityClassName: high
  maxRetry: 5
  minSuccess: 2
  ttlSecondsAfterFinished: 600
  runningEstimate: 2h
  plugins: {ssh: [], svc: ["--publish-not-ready-addresses"]}
  volumes: [{mountPath: /data, volumeClaimName: pvc}]
  networkTopology: {mode: hard, highestTierAllowed: 1}
  policies:
  - events: [PodEvicted, PodFailed]
    event: PodEvicted
    action: RestartJob
  - exitCode: 137
    action: AbortJob
  - event: PodPending
    action: TerminateJob
    timeout: 5m
  tasks:
  - name: ps
    replicas: 1
    minAvailable: 1
    maxRetry: 2
    topologyPolicy: none
    policies: [{event: TaskCompleted, action: CompleteJob}]
    template:
      metadata:
        labels: {role: ps}
        annotations:
          kubesim.io/duration: 2h
          kubesim.io/exit-code: "3"
          scheduling.k8s.io/group-name: ignored-by-volcano
      spec:
        restartPolicy: Always
        containers:
        - name: tf
          image: tf:latest
          env: [{name: A, value: b}]
          resources: {limits: {nvidia.com/gpu: 1, cpu: 2}}
  - replicas: 4
    dependsOn: {name: [ps]}
    template:
      spec:
        tolerations: [{key: gpu, operator: Exists}]
        nodeSelector: {gpu: a100}
        containers: [{name: w, resources: {requests: {cpu: 500m}}}]
status:
  state: {phase: Running}
"#;

/// The job-level policies of [`FULL_VCJOB`].
fn full_vcjob_policies() -> Vec<VcPolicy> {
    vec![
        VcPolicy {
            events: vec![VcEvent::PodEvicted, VcEvent::PodFailed],
            exit_code: None,
            action: VcAction::RestartJob,
            timeout_ms: None,
        },
        VcPolicy {
            events: vec![],
            exit_code: Some(137),
            action: VcAction::AbortJob,
            timeout_ms: None,
        },
        VcPolicy {
            events: vec![VcEvent::PodPending],
            exit_code: None,
            action: VcAction::TerminateJob,
            timeout_ms: Some(300_000),
        },
    ]
}

/// The tasks of [`FULL_VCJOB`]: its pod templates with the job's and the templates' annotations.
fn full_vcjob_tasks() -> Vec<VcTask> {
    let mut ps = pod_template(
        "tf",
        rl(&[("cpu", 2_000), ("nvidia.com/gpu", 1_000)]),
        rl(&[("cpu", 2_000), ("nvidia.com/gpu", 1_000)]),
    );
    ps.labels = labels(&[("role", "ps")]);
    ps.restart_policy = RestartPolicy::Always;
    // The template's annotations win over the job's; the Volcano group annotation is the
    // controller's to set.
    ps.hints = SimHints {
        duration_ms: Some(7_200_000),
        exit_code: 3,
        failures: 1,
        ..SimHints::default()
    };
    let mut worker = pod_template("w", rl(&[("cpu", 500)]), rl(&[]));
    worker.node_selector = labels(&[("gpu", "a100")]);
    worker.tolerations = vec![Toleration {
        key: "gpu".into(),
        operator: TolerationOperator::Exists,
        value: String::new(),
        effect: None,
        toleration_seconds: None,
    }];
    worker.hints = SimHints {
        duration_ms: Some(3_600_000),
        failures: 1,
        ..SimHints::default()
    };
    vec![
        VcTask {
            name: "ps".into(),
            replicas: 1,
            min_available: Some(1),
            max_retry: Some(2),
            policies: vec![VcPolicy {
                events: vec![VcEvent::TaskCompleted],
                exit_code: None,
                action: VcAction::CompleteJob,
                timeout_ms: None,
            }],
            template: ps,
        },
        VcTask {
            name: "default1".into(),
            replicas: 4,
            min_available: None,
            max_retry: None,
            policies: vec![],
            template: worker,
        },
    ]
}

#[test]
fn volcano_job_fields_are_all_converted() {
    let sc = ok(&vcjob(FULL_VCJOB));
    let w = &sc.workloads[0];
    assert_eq!((w.namespace.as_str(), w.name.as_str()), ("ml", "v"));
    assert_eq!(w.labels, labels(&[("team", "a")]));
    assert_eq!(w.annotations["example.com/owner"], "me");
    assert_eq!(w.submit_at_ms, 600_000);
    assert_eq!((w.suspend_at_ms, w.resume_at_ms), (None, None));
    assert_eq!(w.loc.line, 1);

    let expected = VolcanoJobSpec {
        min_available: Some(3),
        queue: Some("research".into()),
        scheduler_name: Some("volcano".into()),
        priority_class_name: Some("high".into()),
        max_retry: Some(5),
        min_success: Some(2),
        ttl_seconds_after_finished: Some(600),
        policies: full_vcjob_policies(),
        tasks: full_vcjob_tasks(),
    };
    assert_eq!(the_vcjob(&sc), &expected);
    assert!(sc.not_simulated.is_empty());
}

#[test]
fn volcano_job_minimal_and_every_event_and_action() {
    // No task name, no replicas: default0 with 0 replicas (the API's zero value).
    let sc = ok(&vcjob(
        "spec:\n  tasks: [{template: {spec: {containers: [{name: c}]}}}]\n",
    ));
    let v = the_vcjob(&sc);
    assert_eq!((v.tasks[0].name.as_str(), v.tasks[0].replicas), ("default0", 0));
    assert_eq!((v.min_available, v.queue.as_deref(), v.max_retry), (None, None, None));
    assert_eq!(v.tasks[0].template.restart_policy, RestartPolicy::Never);

    let events = [
        ("PodFailed", VcEvent::PodFailed),
        ("PodEvicted", VcEvent::PodEvicted),
        ("PodPending", VcEvent::PodPending),
        ("PodRunning", VcEvent::PodRunning),
        ("TaskCompleted", VcEvent::TaskCompleted),
        ("TaskFailed", VcEvent::TaskFailed),
        ("Unknown", VcEvent::Unknown),
        ("OutOfSync", VcEvent::OutOfSync),
        ("CommandIssued", VcEvent::CommandIssued),
        ("JobUpdated", VcEvent::JobUpdated),
        ("\"*\"", VcEvent::Any),
    ];
    let actions = [
        ("RestartJob", VcAction::RestartJob),
        ("RestartTask", VcAction::RestartTask),
        ("RestartPod", VcAction::RestartPod),
        ("RestartPartition", VcAction::RestartPartition),
        ("AbortJob", VcAction::AbortJob),
        ("TerminateJob", VcAction::TerminateJob),
        ("CompleteJob", VcAction::CompleteJob),
        ("ResumeJob", VcAction::ResumeJob),
        ("SyncJob", VcAction::SyncJob),
    ];
    for (i, (ev, event)) in events.iter().enumerate() {
        let (act, action) = actions[i % actions.len()];
        let sc = ok(&vcjob(&format!(
            "spec:\n  policies: [{{event: {ev}, action: {act}}}]\n  tasks:\n{}",
            vc_task("a", 1)
        )));
        assert_eq!(
            the_vcjob(&sc).policies,
            [VcPolicy {
                events: vec![*event],
                exit_code: None,
                action,
                timeout_ms: None
            }]
        );
    }
}

#[test]
fn volcano_job_submit_at_on_task_templates() {
    let task = |at: &str| {
        format!(
            "  - replicas: 1\n    template:\n      metadata: {{annotations: {{kubesim.io/submit-at: {at}}}}}\n      spec: {{containers: [{{name: c}}]}}\n"
        )
    };
    // The templates win over the job's metadata when they agree.
    let sc = ok(&format!(
        "{VC_HEAD}  annotations: {{kubesim.io/submit-at: 1m}}\nspec:\n  tasks:\n{}{}",
        task("5m"),
        vc_task("b", 1)
    ));
    assert_eq!(sc.workloads[0].submit_at_ms, 300_000);
    let e = bad(&format!("{VC_HEAD}spec:\n  tasks:\n{}{}", task("5m"), task("6m")));
    check(
        &e,
        13,
        "spec.tasks[1].template.metadata.annotations.kubesim.io/submit-at",
        &[
            "submitted at different times",
            "spec.tasks[0]",
            "Volcano Job's metadata",
        ],
    );
}
