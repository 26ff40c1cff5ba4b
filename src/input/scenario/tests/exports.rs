//! Objects exported from clusters (`kubectl get -o yaml`): every Kueue and Volcano schema field
//! loads (simulated, or listed as loaded and not simulated), typos are still refused, recorded
//! run times are replayed, and the Simulation's default run times.

use super::*;

fn fixtures() -> Scenario {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/exports");
    load(&[dir]).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_export_fixtures_load_with_their_unsimulated_fields_listed() {
    let sc = fixtures();
    assert_eq!(sc.workloads.len(), 8);
    // The exported pod of Job "finished" is left to the simulated Job controller.
    let owned: Vec<&str> = sc.owned_pods.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(owned, ["finished-x7k2p"]);
    assert_eq!(
        sc.unmodelled.iter().map(|o| o.kind.as_str()).collect::<Vec<_>>(),
        [
            "ResourceFlavor",
            "ClusterQueue",
            "ClusterQueue",
            "LocalQueue",
            "Queue",
            "PodGroup",
            "Job"
        ]
    );
    // In a List, the paths are the object's own (not `items[1].status`).
    let listed = ok(
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a}\n\
                 - apiVersion: kueue.x-k8s.io/v1beta2\n  kind: LocalQueue\n  metadata: {name: q, namespace: a}\n  \
                 spec: {clusterQueue: cq, stopPolicy: Hold}\n  status: {pendingWorkloads: 0}\n\
                 - apiVersion: kueue.x-k8s.io/v1beta2\n  kind: ClusterQueue\n  metadata: {name: cq}\n",
    );
    assert_eq!(listed.unmodelled[0].fields, ["spec.stopPolicy", "status"]);
    assert_eq!(listed.unmodelled[0].loc.line, 7);
    let kinds: Vec<String> = sc
        .not_simulated
        .iter()
        .map(|o| format!("{} {}", o.kind, o.name))
        .collect();
    assert_eq!(
        kinds,
        [
            "Topology datacenter",
            "Cohort research",
            "AdmissionCheck prov",
            "Workload job-train-3f1c2",
            "HyperNode rack-1"
        ]
    );
    let fields = |kind: &str, name: &str| -> Vec<String> {
        sc.unmodelled
            .iter()
            .find(|o| o.kind == kind && o.name == name)
            .map(|o| o.fields.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        fields("ClusterQueue", "team-a"),
        [
            "spec.admissionChecksStrategy",
            "spec.admissionScope",
            "spec.concurrentAdmissionPolicy",
            "spec.fairSharing",
            "spec.flavorFungibility.preference",
            "spec.stopPolicy",
            "status"
        ]
    );
    assert_eq!(
        fields("ClusterQueue", "team-b"),
        [
            "spec.admissionChecks",
            "spec.admissionScope",
            "spec.fairSharing",
            "spec.flavorFungibility.preference",
            "spec.stopPolicy"
        ]
    );
    assert_eq!(
        fields("LocalQueue", "team-a"),
        ["spec.fairSharing", "spec.stopPolicy", "status"]
    );
    assert_eq!(
        fields("Job", "mpi-train"),
        [
            "spec.networkTopology",
            "spec.plugins",
            "spec.runningEstimate",
            "spec.schedulerName",
            "spec.ttlSecondsAfterFinished",
            "spec.volumes",
            "spec.policies[1].timeout",
            "spec.tasks[1].dependsOn",
            "spec.tasks[0].maxRetry",
            "spec.tasks[1].partitionPolicy",
            "spec.tasks[1].topologyPolicy",
            "status"
        ]
    );
    assert_eq!(fields("Queue", "research").len(), 7);
    assert_eq!(fields("PodGroup", "mpi-group").len(), 7);
    // The simulated parts are read: the v1beta1 deprecated fungibility names, the quotas.
    let b = sc.cluster_queues.iter().find(|c| c.name == "team-b").unwrap();
    assert_eq!(b.flavor_fungibility.when_can_borrow, FungibilityPolicy::MayStopSearch);
    assert_eq!(b.cohort.as_deref(), Some("research"));
}

const CQ2: &str = "apiVersion: kueue.x-k8s.io/v1beta2\nkind: ClusterQueue\nmetadata:\n  name: cq\nspec:\n";

#[test]
fn a_typo_in_an_exported_object_is_still_refused_with_the_fix() {
    let e = bad(&format!("{CQ2}  concurentAdmissionPolicy: {{}}\n"));
    check(
        &e,
        6,
        "spec.concurentAdmissionPolicy",
        &[
            "unknown field `concurentAdmissionPolicy`",
            "did you mean `concurrentAdmissionPolicy`?",
        ],
    );
    let e = bad(&format!("{CQ2}  admissionScope: {{admissionMode: Usage}}\n"));
    check(
        &e,
        6,
        "spec.admissionScope.admissionMode",
        &["UsageBasedAdmissionFairSharing"],
    );
    let e = bad(&format!("{CQ2}  flavorFungibility: {{preference: Borrowing}}\n"));
    check(&e, 6, "spec.flavorFungibility.preference", &["BorrowingOverPreemption"]);
    // concurrentAdmissionPolicy is v1beta2 only.
    let v1 = CQ2.replace("v1beta2", "v1beta1");
    let e = bad(&format!("{v1}  concurrentAdmissionPolicy: {{}}\n"));
    check(&e, 6, "spec.concurrentAdmissionPolicy", &["unknown field"]);
    let e = bad("apiVersion: kueue.x-k8s.io/v1beta2\nkind: Cohort\nmetadata:\n  name: c\nspec:\n  parentNme: org\n");
    check(&e, 6, "spec.parentNme", &["did you mean `parentName`?"]);
    let e = bad(
        "apiVersion: kueue.x-k8s.io/v1beta2\nkind: LocalQueue\nmetadata:\n  name: q\nspec:\n  \
         clusterQueue: cq\n  stopPolicy: Halt\n",
    );
    check(&e, 7, "spec.stopPolicy", &["HoldAndDrain"]);
    let e = bad("apiVersion: topology.volcano.sh/v1alpha1\nkind: HyperNode\nmetadata:\n  name: h\nspec:\n  tiers: 1\n");
    check(&e, 6, "spec.tiers", &["did you mean `tier`?"]);
    let flow =
        "apiVersion: flow.volcano.sh/v1alpha1\nkind: JobTemplate\nmetadata:\n  name: t\nspec:\n  minAvailble: 1\n";
    check(&bad(flow), 6, "spec.minAvailble", &["did you mean `minAvailable`?"]);
    let sc = ok(&flow.replace("minAvailble", "minAvailable"));
    assert_eq!(
        (
            sc.not_simulated[0].kind.as_str(),
            sc.not_simulated[0].namespace.as_str()
        ),
        ("JobTemplate", "default")
    );
}

const EXPORTED_JOB: &str = "apiVersion: batch/v1
kind: Job
metadata:
  name: j
  creationTimestamp: \"2026-03-02T08:00:00Z\"
spec:
  completions: 4
  parallelism: 2
  template:
    spec:
      containers:
      - name: c
status:
  startTime: \"2026-03-02T08:00:00Z\"
";

#[test]
fn a_finished_job_replays_its_recorded_time_over_its_waves() {
    let sc = ok(&format!("{EXPORTED_JOB}  completionTime: \"2026-03-02T09:00:00Z\"\n"));
    let WorkloadKind::Job(j) = &sc.workloads[0].kind else {
        panic!()
    };
    // One hour over two waves of two pods.
    assert_eq!(j.template.hints.duration_ms, Some(1_800_000));
    assert_eq!(sc.recorded_durations.len(), 1);
    assert!(!sc.recorded_durations[0].lower_bound);
    // A failed Job ends at its Failed condition.
    let failed = format!(
        "{EXPORTED_JOB}  conditions:\n  - type: Failed\n    status: \"True\"\n    lastTransitionTime: \
         \"2026-03-02T08:10:00Z\"\n"
    );
    let WorkloadKind::Job(j) = &ok(&failed).workloads[0].kind else {
        panic!()
    };
    assert_eq!(j.template.hints.duration_ms, Some(300_000));
    // The annotation wins over the record.
    let annotated = EXPORTED_JOB.replace(
        "  name: j\n",
        "  name: j\n  annotations:\n    kubesim.io/duration: 5m\n",
    );
    let sc = ok(&format!("{annotated}  completionTime: \"2026-03-02T09:00:00Z\"\n"));
    let WorkloadKind::Job(j) = &sc.workloads[0].kind else {
        panic!()
    };
    assert_eq!(j.template.hints.duration_ms, Some(300_000));
    assert!(sc.recorded_durations.is_empty());
    // A malformed recorded time is an error naming the field.
    let e = bad(&format!("{EXPORTED_JOB}  completionTime: yesterday\n"));
    check(&e, 15, "status.completionTime", &["RFC 3339"]);
}

#[test]
fn a_running_pod_gets_a_lower_bound_up_to_the_latest_time_of_the_files() {
    let text = "apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: c
status:
  phase: Running
  containerStatuses:
  - name: c
    restartCount: 2
    state:
      running:
        startedAt: \"2026-03-02T08:00:00Z\"
---
apiVersion: v1
kind: Namespace
metadata:
  name: later
  creationTimestamp: \"2026-03-02T08:45:30+01:00\"
---
apiVersion: v1
kind: Namespace
metadata:
  name: latest
  creationTimestamp: \"2026-03-02T08:20:00Z\"
";
    let sc = ok(text);
    let WorkloadKind::Pod(t) = &sc.workloads[0].kind else {
        panic!()
    };
    assert_eq!(t.hints.duration_ms, Some(1_200_000));
    let r = &sc.recorded_durations[0];
    assert!(r.lower_bound);
    assert_eq!(
        (r.since.as_str(), r.until.as_str()),
        ("2026-03-02T08:00:00Z", "2026-03-02T08:20:00Z")
    );
    assert_eq!(r.restarts, 2);
    let w = crate::input::scenario::warnings(&sc);
    assert!(
        w.iter().any(|m| m.starts_with(
            "Pod \"default/p\" (t.yaml:1) was still running in the export: its run time 1200s (from \
             2026-03-02T08:00:00Z to 2026-03-02T08:20:00Z, the latest time in the files) is a lower bound"
        )),
        "{w:?}"
    );
    assert!(
        w.iter().any(|m| m.contains("restarted its containers 2 times")),
        "{w:?}"
    );
}

const SIM: &str = "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata:\n  name: s\nspec:\n";

#[test]
fn default_durations_are_a_duration_a_distribution_or_rules() {
    let sc = ok(&format!("{SIM}  defaultDuration: 30m\n"));
    assert_eq!(
        sc.sim.default_durations[0].duration,
        DurationDist::Fixed { ms: 1_800_000 }
    );
    let sc = ok(&format!("{SIM}  defaultDuration: {{exponential: {{mean: 1h}}}}\n"));
    assert_eq!(
        sc.sim.default_durations[0].duration,
        DurationDist::Exponential { mean_ms: 3_600_000 }
    );
    let sc = ok(&format!(
        "{SIM}  defaultDuration:\n  - namespace: a\n    queue: q\n    labels: {{app: x}}\n    duration: 1m\n  \
         - duration: {{fixed: 2m}}\n"
    ));
    let rules = &sc.sim.default_durations;
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0].namespace.as_deref(), Some("a"));
    assert_eq!(rules[0].queue.as_deref(), Some("q"));
    assert_eq!(rules[0].labels, labels(&[("app", "x")]));
    let mut w = ok(&job("spec:\n  template:\n    spec:\n      containers: [{name: c}]\n")).workloads[0].clone();
    assert!(!rules[0].matches(&w) && rules[1].matches(&w));
    w.namespace = "a".into();
    w.labels = labels(&[("app", "x"), ("kueue.x-k8s.io/queue-name", "q")]);
    assert!(rules[0].matches(&w));
    w.labels.remove("kueue.x-k8s.io/queue-name");
    w.annotations
        .insert("scheduling.volcano.sh/queue-name".into(), "q".into());
    assert!(rules[0].matches(&w));
    let e = bad(&format!("{SIM}  defaultDuration: {{fixd: 1m}}\n"));
    check(&e, 6, "spec.defaultDuration.fixd", &["did you mean `fixed`?"]);
    let e = bad(&format!("{SIM}  defaultDuration:\n  - namespace: a\n"));
    check(&e, 7, "spec.defaultDuration[0].duration", &["add duration"]);
    let e = bad(&format!("{SIM}  defaultDuration: []\n"));
    check(&e, 6, "spec.defaultDuration", &["empty"]);
}

#[test]
fn the_never_ends_warning_names_each_workload_and_both_fixes() {
    let mut text = String::new();
    for i in 0..12 {
        text.push_str(&format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\nspec:\n  restartPolicy: Never\n  containers: [{{name: c}}]\n---\n"
        ));
    }
    let w = crate::input::scenario::warnings(&ok(&text));
    assert!(
        w.contains(
            &"Pod \"default/p0\" (t.yaml:1) never ends: it has no run time, so its pods run until the \
              horizon (or forever); add the annotation kubesim.io/duration (e.g. 30m) to its pod template, or \
              give the Simulation a default (spec.defaultDuration: 30m, or rules by namespace, queue or labels)"
                .to_string()
        ),
        "{w:?}"
    );
    assert!(
        w.contains(
            &"2 more workloads never end, for the same reason and with the same fixes: Pod \"default/p10\", \
              Pod \"default/p11\""
                .to_string()
        ),
        "{w:?}"
    );
    // A default run time that covers them silences the warning.
    let covered = format!("{SIM}  defaultDuration: 1h\n---\n{text}");
    assert!(
        !crate::input::scenario::warnings(&ok(&covered))
            .iter()
            .any(|m| m.contains("never end"))
    );
}

#[test]
fn a_pod_is_set_aside_only_when_its_controlling_job_is_in_the_scenario() {
    let pod = |owner_kind: &str, controller: bool| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: j-abcde\n  ownerReferences:\n  - apiVersion: {owner_kind}\n    \
             kind: Job\n    name: j\n    uid: u\n    controller: {controller}\nspec:\n  containers: [{{name: c}}]\n"
        )
    };
    let job_doc = job("spec:\n  template:\n    spec:\n      containers: [{name: c}]\n");
    let sc = ok(&format!("{job_doc}---\n{}", pod("batch/v1", true)));
    assert_eq!(sc.workloads.len(), 1);
    assert_eq!(sc.owned_pods.len(), 1);
    // Not the controller, another API's Job, or no such Job: the pod runs as a bare Pod.
    for text in [
        format!("{job_doc}---\n{}", pod("batch/v1", false)),
        format!("{job_doc}---\n{}", pod("batch.volcano.sh/v1alpha1", true)),
        pod("batch/v1", true),
    ] {
        let sc = ok(&text);
        assert!(sc.owned_pods.is_empty(), "{text}");
        assert!(sc.workloads.iter().any(|w| w.name == "j-abcde"), "{text}");
    }
}
