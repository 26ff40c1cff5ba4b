//! Loader tests for the Kueue objects: a full example in both API versions with exact values,
//! and each validation error with its line, field and fix.

use std::collections::BTreeMap;

use crate::error::InputError;
use crate::input::scenario::load_str;
use crate::input::spec::*;

/// A v1beta2 scenario; `v1beta1()` rewrites it into the v1beta1 spelling, line for line.
const EXAMPLE: &str = r#"apiVersion: kueue.x-k8s.io/v1beta2
kind: ResourceFlavor
metadata:
  name: a100
spec:
  nodeLabels: {gpu-type: A100}
  nodeTaints:
  - {key: nvidia.com/gpu, value: present, effect: NoSchedule}
  tolerations:
  - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
  topologyName: default
---
apiVersion: kueue.x-k8s.io/v1beta2
kind: ResourceFlavor
metadata:
  name: default-flavor
---
apiVersion: kueue.x-k8s.io/v1beta2
kind: ClusterQueue
metadata:
  name: team-a
spec:
  cohortName: research
  namespaceSelector: {}
  queueingStrategy: StrictFIFO
  resourceGroups:
  - coveredResources: [cpu, memory]
    flavors:
    - name: default-flavor
      resources:
      - name: cpu
        nominalQuota: 10
        borrowingLimit: 2
      - name: memory
        nominalQuota: 64Gi
        lendingLimit: 32Gi
  - coveredResources: [nvidia.com/gpu]
    flavors:
    - name: a100
      resources:
      - name: nvidia.com/gpu
        nominalQuota: 8
  preemption:
    withinClusterQueue: LowerPriority
    reclaimWithinCohort: Any
    borrowWithinCohort: {policy: LowerPriority, maxPriorityThreshold: 100}
  flavorFungibility: {whenCanBorrow: MayStopSearch, whenCanPreempt: MayStopSearch}
  stopPolicy: Hold
  fairSharing: {weight: "0.5"}
  admissionChecksStrategy: {admissionChecks: [{name: prov}]}
---
apiVersion: kueue.x-k8s.io/v1beta2
kind: ClusterQueue
metadata: {name: team-b}
spec:
  namespaceSelector: {matchLabels: {team: b}}
---
apiVersion: kueue.x-k8s.io/v1beta2
kind: LocalQueue
metadata: {name: team-a-queue, namespace: research}
spec: {clusterQueue: team-a}
---
apiVersion: kueue.x-k8s.io/v1beta2
kind: LocalQueue
metadata: {name: team-b-queue}
spec: {clusterQueue: team-b}
---
apiVersion: kueue.x-k8s.io/v1beta2
kind: WorkloadPriorityClass
metadata: {name: high}
value: 1000
description: important
"#;

/// `EXAMPLE` in the v1beta1 spelling (same lines): `cohort`, `admissionChecks`, and the
/// deprecated fungibility names.
fn v1beta1() -> String {
    EXAMPLE
        .replace("kueue.x-k8s.io/v1beta2", "kueue.x-k8s.io/v1beta1")
        .replace("cohortName: research", "cohort: research")
        .replace(
            "{whenCanBorrow: MayStopSearch, whenCanPreempt: MayStopSearch}",
            "{whenCanBorrow: Borrow, whenCanPreempt: Preempt}",
        )
        .replace(
            "admissionChecksStrategy: {admissionChecks: [{name: prov}]}",
            "admissionChecks: [prov]",
        )
}

fn loc(line: usize) -> SourceLoc {
    SourceLoc {
        file: "t.yaml".into(),
        line,
    }
}

fn ok(text: &str) -> Scenario {
    load_str("t.yaml", text).unwrap_or_else(|e| panic!("{e}"))
}

fn bad(text: &str) -> InputError {
    match load_str("t.yaml", text) {
        Ok(_) => panic!("loaded, expected an error:\n{text}"),
        Err(e) => e,
    }
}

/// Asserts the error's file, line, field, that it has a fix, and that message or fix contain
/// `words`.
#[track_caller]
fn check(e: &InputError, line: usize, field: &str, words: &[&str]) {
    assert_eq!(e.file.as_deref(), Some(std::path::Path::new("t.yaml")), "{e}");
    assert_eq!(e.line, Some(line), "wrong line: {e}");
    assert_eq!(e.field, field, "wrong field: {e}");
    assert!(!e.fix.is_empty(), "no fix: {e}");
    let text = format!("{} {}", e.message, e.fix);
    for w in words {
        assert!(text.contains(w), "missing {w:?} in: {e}");
    }
}

fn quota(name: &str, nominal: i64, borrowing_limit: Option<i64>, lending_limit: Option<i64>) -> FlavorResourceQuota {
    FlavorResourceQuota {
        name: name.into(),
        nominal,
        borrowing_limit,
        lending_limit,
    }
}

fn expected_team_a() -> ClusterQueueSpec {
    const GI: i64 = 1 << 30;
    ClusterQueueSpec {
        name: "team-a".into(),
        cohort: Some("research".into()),
        namespace_selector: Some(LabelSelector::default()),
        resource_groups: vec![
            ResourceGroupSpec {
                covered_resources: vec!["cpu".into(), "memory".into()],
                flavors: vec![FlavorQuotasSpec {
                    name: "default-flavor".into(),
                    resources: vec![
                        quota("cpu", 10_000, Some(2_000), None),
                        quota("memory", 64 * GI, None, Some(32 * GI)),
                    ],
                }],
            },
            ResourceGroupSpec {
                covered_resources: vec!["nvidia.com/gpu".into()],
                flavors: vec![FlavorQuotasSpec {
                    name: "a100".into(),
                    resources: vec![quota("nvidia.com/gpu", 8_000, None, None)],
                }],
            },
        ],
        queueing_strategy: QueueingStrategy::StrictFifo,
        preemption: KueuePreemption {
            within_cluster_queue: WithinCq::LowerPriority,
            reclaim_within_cohort: ReclaimPolicy::Any,
            borrow_within_cohort: BorrowPolicy::LowerPriority,
            max_priority_threshold: Some(100),
        },
        flavor_fungibility: FlavorFungibility {
            when_can_borrow: FungibilityPolicy::MayStopSearch,
            when_can_preempt: FungibilityPolicy::MayStopSearch,
        },
        stop_policy: StopPolicy::Hold,
        fair_sharing_weight: 500,
        loc: loc(18),
    }
}

#[track_caller]
fn assert_example(sc: &Scenario) {
    assert_eq!(
        sc.resource_flavors,
        [
            ResourceFlavorSpec {
                name: "a100".into(),
                node_labels: BTreeMap::from([("gpu-type".to_string(), "A100".to_string())]),
                node_taints: vec![Taint {
                    key: "nvidia.com/gpu".into(),
                    value: "present".into(),
                    effect: TaintEffect::NoSchedule,
                }],
                tolerations: vec![Toleration {
                    key: "nvidia.com/gpu".into(),
                    operator: TolerationOperator::Exists,
                    value: String::new(),
                    effect: Some(TaintEffect::NoSchedule),
                    toleration_seconds: None,
                }],
                loc: loc(1),
            },
            ResourceFlavorSpec {
                name: "default-flavor".into(),
                node_labels: BTreeMap::new(),
                node_taints: vec![],
                tolerations: vec![],
                loc: loc(13),
            },
        ]
    );
    assert_eq!(sc.cluster_queues.len(), 2);
    assert_eq!(sc.cluster_queues[0], expected_team_a());
    // team-b: every default (KQ-O2), and its selector.
    let b = &sc.cluster_queues[1];
    assert_eq!(b.cohort, None);
    assert!(b.resource_groups.is_empty());
    assert_eq!(b.queueing_strategy, QueueingStrategy::BestEffortFifo);
    assert_eq!(b.preemption, KueuePreemption::default());
    assert_eq!(b.preemption.within_cluster_queue, WithinCq::Never);
    assert_eq!(b.flavor_fungibility.when_can_borrow, FungibilityPolicy::MayStopSearch);
    assert_eq!(b.flavor_fungibility.when_can_preempt, FungibilityPolicy::TryNextFlavor);
    assert_eq!((b.stop_policy, b.fair_sharing_weight), (StopPolicy::None, 1000));
    let sel = b.namespace_selector.as_ref().expect("a selector");
    assert_eq!(sel.match_labels["team"], "b");
    assert_eq!(
        sc.local_queues,
        [
            LocalQueueSpec {
                namespace: "research".into(),
                name: "team-a-queue".into(),
                cluster_queue: "team-a".into(),
                loc: loc(58),
            },
            LocalQueueSpec {
                namespace: "default".into(),
                name: "team-b-queue".into(),
                cluster_queue: "team-b".into(),
                loc: loc(63),
            },
        ]
    );
    assert_eq!(
        sc.workload_priority_classes,
        [WorkloadPriorityClassSpec {
            name: "high".into(),
            value: 1000,
            loc: loc(68),
        }]
    );
    assert!(sc.not_simulated.is_empty());
}

#[test]
fn full_example_loads_in_both_versions() {
    assert_example(&ok(EXAMPLE));
    assert_example(&ok(&v1beta1()));
}

#[test]
fn namespace_selector_absent_null_and_empty() {
    let cq = |sel: &str| {
        format!("apiVersion: kueue.x-k8s.io/v1beta2\nkind: ClusterQueue\nmetadata: {{name: q}}\nspec:\n{sel}")
    };
    let get = |text: &str| ok(text).cluster_queues[0].namespace_selector.clone();
    assert_eq!(get(&cq("  queueingStrategy: StrictFIFO\n")), None);
    assert_eq!(get(&cq("  namespaceSelector:\n")), None, "null is Kueue's nil selector");
    assert_eq!(get(&cq("  namespaceSelector: {}\n")), Some(LabelSelector::default()));
    // No spec at all: a ClusterQueue with no quota.
    let sc = ok("apiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata: {name: q}\n");
    assert_eq!(sc.cluster_queues[0].namespace_selector, None);
}

#[test]
fn duplicates_and_unknown_versions() {
    let rf = "apiVersion: kueue.x-k8s.io/v1beta2\nkind: ResourceFlavor\nmetadata: {name: f}\n";
    let e = bad(&format!("{rf}---\n{}", rf.replace("v1beta2", "v1beta1")));
    check(
        &e,
        7,
        "metadata.name",
        &["a second ResourceFlavor named \"f\"", "t.yaml:1"],
    );
    let lq = |ns: &str| {
        format!(
            "apiVersion: kueue.x-k8s.io/v1beta2\nkind: LocalQueue\nmetadata: {{name: q, namespace: {ns}}}\nspec: {{clusterQueue: cq}}\n"
        )
    };
    let cq = "apiVersion: kueue.x-k8s.io/v1beta2\nkind: ClusterQueue\nmetadata: {name: cq}\n";
    // LocalQueues are namespaced: the same name in two namespaces is two queues.
    assert_eq!(
        ok(&format!("{cq}---\n{}---\n{}", lq("a"), lq("b"))).local_queues.len(),
        2
    );
    let e = bad(&format!("{cq}---\n{}---\n{}", lq("a"), lq("a")));
    check(&e, 12, "metadata.name", &["a second LocalQueue named \"a/q\""]);
    let e = bad(&format!("{cq}---\n{cq}"));
    check(&e, 7, "metadata.name", &["a second ClusterQueue named \"cq\""]);
    let wpc = "apiVersion: kueue.x-k8s.io/v1beta2\nkind: WorkloadPriorityClass\nmetadata: {name: p}\nvalue: 1\n";
    let e = bad(&format!("{wpc}---\n{wpc}"));
    check(&e, 8, "metadata.name", &["a second WorkloadPriorityClass named \"p\""]);
    // Other versions are unknown kinds that name the supported ones.
    let e = bad(&cq.replace("v1beta2", "v1alpha1"));
    check(
        &e,
        2,
        "kind",
        &[
            "kueue.x-k8s.io/v1alpha1 ClusterQueue",
            "supported as kueue.x-k8s.io/v1beta1 ClusterQueue or kueue.x-k8s.io/v1beta2 ClusterQueue",
        ],
    );
    // A Cohort loads, not simulated; its v1alpha1 (no longer served) is an unknown kind.
    let sc = ok("apiVersion: kueue.x-k8s.io/v1beta2\nkind: Cohort\nmetadata: {name: c}\n");
    assert_eq!(sc.not_simulated[0].kind, "Cohort");
    let e = bad("apiVersion: kueue.x-k8s.io/v1alpha1\nkind: Cohort\nmetadata: {name: c}\n");
    check(
        &e,
        2,
        "kind",
        &[
            "kueue.x-k8s.io/v1alpha1 Cohort",
            "supported as kueue.x-k8s.io/v1beta1 Cohort",
        ],
    );
}

#[test]
fn cross_object_references() {
    let rf = "apiVersion: kueue.x-k8s.io/v1beta2\nkind: ResourceFlavor\nmetadata: {name: cpu-flavor}\n";
    let cq = "apiVersion: kueue.x-k8s.io/v1beta2\nkind: ClusterQueue\nmetadata: {name: cq}\nspec:\n  resourceGroups:\n  - coveredResources: [cpu]\n    flavors:\n    - name: gpu-flavor\n      resources: [{name: cpu, nominalQuota: 1}]\n";
    let e = bad(&format!("{rf}---\n{cq}"));
    check(
        &e,
        12,
        "spec.resourceGroups[0].flavors[0].name",
        &[
            "ClusterQueue \"cq\" names ResourceFlavor \"gpu-flavor\"",
            "add a ResourceFlavor named \"gpu-flavor\"",
            "cpu-flavor",
        ],
    );
    // The ResourceFlavor may come after the ClusterQueue, in another document.
    ok(&format!("{cq}---\n{}", rf.replace("cpu-flavor", "gpu-flavor")));
    let lq = "apiVersion: kueue.x-k8s.io/v1beta2\nkind: LocalQueue\nmetadata: {name: q, namespace: ml}\nspec:\n  clusterQueue: missing\n";
    let e = bad(lq);
    check(
        &e,
        5,
        "spec.clusterQueue",
        &[
            "LocalQueue \"ml/q\" names ClusterQueue \"missing\"",
            "add a ClusterQueue named \"missing\"",
            "defines no ClusterQueue",
        ],
    );
}

const CQ_HEAD: &str = "apiVersion: kueue.x-k8s.io/v1beta2\nkind: ClusterQueue\nmetadata: {name: cq}\nspec:\n";

/// A ClusterQueue with `spec_lines` (indented by two), ResourceFlavors `f` and `g`.
fn cq(spec_lines: &str) -> String {
    let rf =
        |n: &str| format!("---\napiVersion: kueue.x-k8s.io/v1beta2\nkind: ResourceFlavor\nmetadata: {{name: {n}}}\n");
    format!("{CQ_HEAD}{spec_lines}{}{}", rf("f"), rf("g"))
}

/// A one-group ClusterQueue covering `covered`, with flavor `f`'s resources `resources`.
fn group(cohort: &str, covered: &str, resources: &str) -> String {
    cq(&format!(
        "{cohort}  resourceGroups:\n  - coveredResources: [{covered}]\n    flavors:\n    - name: f\n      resources:\n{resources}"
    ))
}

/// Resource groups: covered resources, their order in each flavor, and each flavor and resource in one group only.
#[test]
fn resource_group_coverage_is_validated() {
    let cpu = "      - {name: cpu, nominalQuota: 10}\n";
    let cases: Vec<(String, usize, &str, Vec<&str>)> = vec![
        (
            group("", "cpu, memory", cpu),
            10,
            "spec.resourceGroups[0].flavors[0].resources",
            vec![
                "lists 1 resources",
                "covers 2 (cpu, memory)",
                "order of coveredResources",
            ],
        ),
        (
            group(
                "",
                "cpu, memory",
                "      - {name: memory, nominalQuota: 1}\n      - {name: cpu, nominalQuota: 1}\n",
            ),
            10,
            "spec.resourceGroups[0].flavors[0].resources[0].name",
            vec!["\"memory\" is not the covered resource at this position (\"cpu\")"],
        ),
        (
            cq(
                "  resourceGroups:\n  - coveredResources: [cpu]\n    flavors:\n    - {name: f, resources: [{name: cpu, nominalQuota: 1}]}\n  - coveredResources: [memory]\n    flavors:\n    - {name: f, resources: [{name: memory, nominalQuota: 1}]}\n",
            ),
            11,
            "spec.resourceGroups[1].flavors[0].name",
            vec![
                "flavor \"f\" appears twice",
                "spec.resourceGroups[0]",
                "one resource group",
            ],
        ),
        (
            cq(
                "  resourceGroups:\n  - coveredResources: [cpu]\n    flavors:\n    - {name: f, resources: [{name: cpu, nominalQuota: 1}]}\n  - coveredResources: [cpu]\n    flavors:\n    - {name: g, resources: [{name: cpu, nominalQuota: 1}]}\n",
            ),
            9,
            "spec.resourceGroups[1].coveredResources[0]",
            vec!["\"cpu\" is covered in two resource groups", "one resource group only"],
        ),
        (
            group("", "cpu, cpu", cpu),
            6,
            "spec.resourceGroups[0].coveredResources[1]",
            vec!["covered twice in this group"],
        ),
    ];
    for (text, line, field, words) in &cases {
        check(&bad(text), *line, field, words);
    }
}

/// Resource groups: nominal quotas, borrowing and lending limits (which need a cohort).
#[test]
fn resource_group_quotas_are_validated() {
    let cases: Vec<(String, usize, &str, Vec<&str>)> = vec![
        (
            group("", "cpu", "      - {name: cpu, nominalQuota: 10, borrowingLimit: 2}\n"),
            10,
            "spec.resourceGroups[0].flavors[0].resources[0].borrowingLimit",
            vec!["borrowingLimit is set but the ClusterQueue has no cohort", "cohort"],
        ),
        (
            group("", "cpu", "      - {name: cpu, nominalQuota: 10, lendingLimit: 2}\n"),
            10,
            "spec.resourceGroups[0].flavors[0].resources[0].lendingLimit",
            vec!["lendingLimit is set but the ClusterQueue has no cohort"],
        ),
        (
            group(
                "  cohortName: c\n",
                "cpu",
                "      - {name: cpu, nominalQuota: 10, lendingLimit: 11}\n",
            ),
            11,
            "spec.resourceGroups[0].flavors[0].resources[0].lendingLimit",
            vec!["lendingLimit is greater than nominalQuota", "at most nominalQuota"],
        ),
        (
            group("", "cpu", "      - {name: cpu}\n"),
            10,
            "spec.resourceGroups[0].flavors[0].resources[0].nominalQuota",
            vec!["missing required field `nominalQuota`"],
        ),
        (
            group("", "cpu", "      - {name: cpu, nominalQuota: -1}\n"),
            10,
            "spec.resourceGroups[0].flavors[0].resources[0].nominalQuota",
            vec!["negative quantity"],
        ),
    ];
    for (text, line, field, words) in &cases {
        check(&bad(text), *line, field, words);
    }
    // Within the limits, at the edge: lendingLimit = nominal, borrowingLimit 0.
    let sc = ok(&group(
        "  cohortName: c\n",
        "cpu",
        "      - {name: cpu, nominalQuota: 10, borrowingLimit: 0, lendingLimit: 10}\n",
    ));
    assert_eq!(
        sc.cluster_queues[0].resource_groups[0].flavors[0].resources[0],
        quota("cpu", 10_000, Some(0), Some(10_000))
    );
}

/// Resource groups: flavors and covered resources present, no unknown field.
#[test]
fn resource_group_fields_are_validated() {
    let cases: Vec<(String, usize, &str, Vec<&str>)> = vec![
        (
            cq("  resourceGroups:\n  - coveredResources: [cpu]\n    flavors: []\n"),
            7,
            "spec.resourceGroups[0].flavors",
            vec!["no flavor"],
        ),
        (
            cq("  resourceGroups:\n  - coveredResources: []\n    flavors: [{name: f, resources: []}]\n"),
            6,
            "spec.resourceGroups[0].coveredResources",
            vec!["coveredResources is empty"],
        ),
        (
            group("", "cpu", "      - {name: cpu, nominalQuota: 1, borowingLimit: 1}\n"),
            10,
            "spec.resourceGroups[0].flavors[0].resources[0].borowingLimit",
            vec!["unknown field `borowingLimit`", "did you mean `borrowingLimit`?"],
        ),
    ];
    for (text, line, field, words) in &cases {
        check(&bad(text), *line, field, words);
    }
}

#[test]
fn list_limits_are_kueues() {
    // 17 resource groups (at most 16).
    let mut groups = String::from("  resourceGroups:\n");
    for i in 0..17 {
        groups.push_str(&format!(
            "  - coveredResources: [r{i}]\n    flavors: [{{name: f, resources: [{{name: r{i}, nominalQuota: 1}}]}}]\n"
        ));
    }
    check(
        &bad(&cq(&groups)),
        6,
        "spec.resourceGroups",
        &["17 resource groups", "at most 16"],
    );
    // 65 flavors in a group (at most 64).
    let mut flavors = String::new();
    for i in 0..65 {
        flavors.push_str(&format!(
            "    - {{name: f{i}, resources: [{{name: cpu, nominalQuota: 1}}]}}\n"
        ));
    }
    let text = cq(&format!(
        "  resourceGroups:\n  - coveredResources: [cpu]\n    flavors:\n{flavors}"
    ));
    check(
        &bad(&text),
        8,
        "spec.resourceGroups[0].flavors",
        &["65 flavors", "at most 64"],
    );
    // 65 covered resources (at most 64).
    let names: Vec<String> = (0..65).map(|i| format!("r{i}")).collect();
    let text = cq(&format!(
        "  resourceGroups:\n  - coveredResources: [{}]\n    flavors: []\n",
        names.join(", ")
    ));
    check(
        &bad(&text),
        6,
        "spec.resourceGroups[0].coveredResources",
        &["65 covered resources"],
    );
    // 9 flavor node labels (at most 8).
    let labels: Vec<String> = (0..9).map(|i| format!("l{i}: v")).collect();
    let text = format!(
        "apiVersion: kueue.x-k8s.io/v1beta2\nkind: ResourceFlavor\nmetadata: {{name: f}}\nspec:\n  nodeLabels: {{{}}}\n",
        labels.join(", ")
    );
    check(&bad(&text), 5, "spec.nodeLabels", &["9 node labels", "at most 8"]);
}

#[test]
fn cluster_queue_field_errors() {
    let cases: Vec<(String, usize, &str, Vec<&str>)> = vec![
        (
            cq("  cohort: c\n"),
            5,
            "spec.cohort",
            vec!["this version names it `cohortName`", "kueue.x-k8s.io/v1beta1"],
        ),
        (
            cq("  cohortName: c\n").replace("v1beta2", "v1beta1"),
            5,
            "spec.cohortName",
            vec!["this version names it `cohort`"],
        ),
        (
            cq("  admissionChecks: [a]\n"),
            5,
            "spec.admissionChecks",
            vec!["admissionChecksStrategy"],
        ),
        (
            cq("  cohortName: Team_A\n"),
            5,
            "spec.cohortName",
            vec!["not a valid cohort name", "DNS-1123"],
        ),
        (
            cq("  queueingStrategy: FIFO\n"),
            5,
            "spec.queueingStrategy",
            vec!["unknown value \"FIFO\"", "StrictFIFO, BestEffortFIFO"],
        ),
        (
            cq("  preemption: {withinClusterQueue: Any}\n"),
            5,
            "spec.preemption.withinClusterQueue",
            vec!["unknown value \"Any\"", "LowerOrNewerEqualPriority"],
        ),
        (
            cq("  preemption:\n    borrowWithinCohort: {policy: LowerPriority}\n"),
            6,
            "spec.preemption.borrowWithinCohort.policy",
            vec!["reclaimWithinCohort is Never", "LowerPriority or Any"],
        ),
        (
            cq("  flavorFungibility: {whenCanBorrow: Borrow}\n"),
            5,
            "spec.flavorFungibility.whenCanBorrow",
            vec!["unknown value \"Borrow\"", "MayStopSearch, TryNextFlavor"],
        ),
        (
            cq("  stopPolicy: Drain\n"),
            5,
            "spec.stopPolicy",
            vec!["None, Hold, HoldAndDrain"],
        ),
        (
            cq("  fairSharing: {weight: -1}\n"),
            5,
            "spec.fairSharing.weight",
            vec!["negative quantity"],
        ),
        (
            cq("  namespaceSelector:\n    matchExpressions: [{key: a, operator: Gt, values: [\"1\"]}]\n"),
            6,
            "spec.namespaceSelector.matchExpressions[0]",
            vec!["cannot use operator Gt or Lt"],
        ),
        (
            cq("  resourceGroup: []\n"),
            5,
            "spec.resourceGroup",
            vec!["unknown field `resourceGroup`", "did you mean `resourceGroups`?"],
        ),
    ];
    for (text, line, field, words) in &cases {
        check(&bad(text), *line, field, words);
    }
}

#[test]
fn other_kinds_field_errors() {
    let rf = "apiVersion: kueue.x-k8s.io/v1beta2\nkind: ResourceFlavor\nmetadata: {name: f}\nspec:\n";
    let lq = "apiVersion: kueue.x-k8s.io/v1beta2\nkind: LocalQueue\nmetadata: {name: q}\n";
    let wpc = "apiVersion: kueue.x-k8s.io/v1beta2\nkind: WorkloadPriorityClass\nmetadata: {name: p}\n";
    let cases: Vec<(String, usize, &str, Vec<&str>)> = vec![
        (
            format!("{rf}  topologyName: t\n"),
            5,
            "spec.topologyName",
            vec!["needs at least one node label"],
        ),
        (
            format!("{rf}  tolerations: [{{key: a, operator: Exists, effect: NoSchedule, tolerationSeconds: 5}}]\n"),
            5,
            "spec.tolerations[0]",
            vec!["not NoExecute"],
        ),
        (
            format!("{rf}  nodeTaints: [{{key: a, effect: Sometimes}}]\n"),
            5,
            "spec.nodeTaints[0].effect",
            vec!["unknown taint effect"],
        ),
        (
            format!("{rf}  nodeLabel: {{a: b}}\n"),
            5,
            "spec.nodeLabel",
            vec!["did you mean `nodeLabels`?"],
        ),
        (
            lq.to_string(),
            1,
            "spec",
            vec!["missing required field `spec`", "clusterQueue"],
        ),
        (
            format!("{lq}spec: {{clusterQueue: cq, stopPolicy: Halt}}\n"),
            4,
            "spec.stopPolicy",
            vec!["unknown value \"Halt\"", "None, Hold, HoldAndDrain"],
        ),
        (
            format!("{lq}spec: {{}}\n"),
            4,
            "spec.clusterQueue",
            vec!["missing required field `clusterQueue`"],
        ),
        (wpc.to_string(), 1, "value", vec!["missing required field `value`"]),
        (format!("{wpc}value: 3000000000\n"), 4, "value", vec!["out of range"]),
        (
            format!("{wpc}value: 1\nspec: {{}}\n"),
            5,
            "spec",
            vec!["unknown field `spec` in a WorkloadPriorityClass"],
        ),
    ];
    for (text, line, field, words) in &cases {
        check(&bad(text), *line, field, words);
    }
}
