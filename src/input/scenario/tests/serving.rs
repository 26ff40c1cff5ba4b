//! Deployments, ReplicaSets and StatefulSets (apps/v1): the upstream examples load unchanged
//! with the API server's defaults, every validation gives its message at the right line and
//! field, and what is not simulated is listed.

use super::*;
use crate::input::spec::{ServingKind, ServingSpec};

const NGINX_DEPLOYMENT: &str = include_str!("../../../../tests/upstream/serving/nginx-deployment.yaml");
const WEB: &str = include_str!("../../../../tests/upstream/serving/web.yaml");
const KUEUE_DEPLOYMENT: &str = include_str!("../../../../tests/upstream/serving/kueue-sample-deployment.yaml");

fn serving_of(w: &WorkloadSpec) -> &ServingSpec {
    match &w.kind {
        WorkloadKind::Serving(s) => s,
        other => panic!("not a serving kind: {other:?}"),
    }
}

#[test]
fn upstream_examples_load_unchanged() {
    let sc = ok(NGINX_DEPLOYMENT);
    assert_eq!(sc.workloads.len(), 1);
    assert!(sc.unmodelled.is_empty(), "{:?}", sc.unmodelled);
    let w = &sc.workloads[0];
    let s = serving_of(w);
    assert_eq!((w.name.as_str(), w.kind.api_kind()), ("nginx-deployment", "Deployment"));
    assert_eq!(
        (s.kind, s.replicas, s.parallel, s.paused),
        (ServingKind::Deployment, 3, false, false)
    );
    assert_eq!(s.template.restart_policy, RestartPolicy::Always);
    assert_eq!(s.template.labels, labels(&[("app.kubernetes.io/name", "nginx")]));

    // The StatefulSet beside its headless Service: the Service is listed as not simulated, the
    // volume claims as loaded without effect.
    let sc = ok(WEB);
    assert_eq!(sc.workloads.len(), 1);
    assert_eq!(
        sc.not_simulated
            .iter()
            .map(|n| (n.api_version.as_str(), n.kind.as_str()))
            .collect::<Vec<_>>(),
        [("v1", "Service")]
    );
    let s = serving_of(&sc.workloads[0]);
    assert_eq!(
        (s.kind, s.replicas, s.parallel, s.first_ordinal),
        (ServingKind::StatefulSet, 2, false, 0)
    );
    assert_eq!(sc.unmodelled.len(), 1);
    assert_eq!(sc.unmodelled[0].fields, ["spec.volumeClaimTemplates"]);

    let sc = ok(KUEUE_DEPLOYMENT);
    let s = serving_of(&sc.workloads[0]);
    assert_eq!((s.replicas, s.template.requests.get("cpu").copied()), (3, Some(3000)));
    assert_eq!(
        s.template.labels.get("kueue.x-k8s.io/queue-name").map(String::as_str),
        Some("user-queue")
    );
}

const DEP: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n";
const TEMPLATE: &str =
    "  template:\n    metadata: {labels: {app: d}}\n    spec:\n      containers: [{name: c, image: x}]\n";
const SELECTOR: &str = "  selector: {matchLabels: {app: d}}\n";

#[test]
fn the_api_servers_validation() {
    let cases = vec![
        (
            format!("{DEP}  replicas: -1\n{SELECTOR}{TEMPLATE}"),
            6,
            "spec.replicas",
            vec!["Invalid value: -1: must be greater than or equal to 0"],
        ),
        (
            format!("{DEP}{TEMPLATE}"),
            5,
            "spec.selector",
            vec!["missing required field `selector`", "matchLabels"],
        ),
        (
            format!("{DEP}  selector: {{}}\n{TEMPLATE}"),
            6,
            "spec.selector",
            vec!["empty selector is invalid for deployment"],
        ),
        (
            format!("{DEP}  selector: {{matchLabels: {{app: e}}}}\n{TEMPLATE}"),
            8,
            "spec.template.metadata.labels",
            vec!["`selector` does not match template `labels`", "\"app\":\"d\""],
        ),
        (
            format!(
                "{DEP}{SELECTOR}  template:\n    metadata: {{labels: {{app: d}}}}\n    spec:\n      restartPolicy: Never\n      containers: [{{name: c}}]\n"
            ),
            10,
            "spec.template.spec.restartPolicy",
            vec!["Unsupported value: \"Never\": supported values: \"Always\""],
        ),
        (
            format!(
                "{DEP}{SELECTOR}  template:\n    metadata: {{labels: {{app: d}}}}\n    spec:\n      activeDeadlineSeconds: 5\n      containers: [{{name: c}}]\n"
            ),
            10,
            "spec.template.spec.activeDeadlineSeconds",
            vec!["activeDeadlineSeconds in Deployment is not Supported"],
        ),
        (
            format!("{DEP}  podManagementPolicy: Parallel\n{SELECTOR}{TEMPLATE}"),
            6,
            "spec.podManagementPolicy",
            vec!["unknown field `podManagementPolicy` in a Deployment spec"],
        ),
        (
            format!("{DEP}  replicas: 200000\n{SELECTOR}{TEMPLATE}"),
            6,
            "spec.replicas",
            vec!["beyond the limit"],
        ),
    ];
    expect_errors(&cases);
    let sts = DEP.replace("Deployment", "StatefulSet");
    expect_errors(&[
        (
            format!("{sts}  podManagementPolicy: Burst\n{SELECTOR}{TEMPLATE}"),
            6,
            "spec.podManagementPolicy",
            vec!["Unsupported value: \"Burst\": supported values: \"OrderedReady\", \"Parallel\""],
        ),
        (
            format!("{sts}  selector: {{}}\n{TEMPLATE}"),
            6,
            "spec.selector",
            vec!["empty selector is invalid for statefulset"],
        ),
    ]);
    // A ReplicaSet's message names the Deployment, as upstream's does.
    let rs = DEP.replace("Deployment", "ReplicaSet");
    let e = bad(&format!("{rs}  selector: {{}}\n{TEMPLATE}"));
    check(&e, 6, "spec.selector", &["empty selector is invalid for deployment"]);
}

#[test]
fn defaults_hints_and_what_is_not_simulated() {
    let sc = ok(&format!(
        "{}  podManagementPolicy: Parallel\n  ordinals: {{start: 3}}\n  updateStrategy: {{type: OnDelete}}\n{SELECTOR}  template:\n    metadata:\n      labels: {{app: d}}\n      annotations: {{kubesim.io/duration: 1h}}\n    spec:\n      containers: [{{name: c}}]\n",
        DEP.replace("Deployment", "StatefulSet")
    ));
    let s = serving_of(&sc.workloads[0]);
    assert_eq!((s.replicas, s.parallel, s.first_ordinal), (1, true, 3));
    assert_eq!(s.template.hints.duration_ms, Some(3_600_000));
    assert_eq!(sc.unmodelled[0].fields, ["spec.updateStrategy"]);
    // A Job-only annotation is refused.
    let e = bad(&format!(
        "{DEP}{SELECTOR}  template:\n    metadata:\n      labels: {{app: d}}\n      annotations: {{kubesim.io/suspend-at: 1h}}\n    spec:\n      containers: [{{name: c}}]\n"
    ));
    check(
        &e,
        10,
        "spec.template.metadata.annotations.kubesim.io/suspend-at",
        &["Deployment"],
    );
}

#[test]
fn a_replicas_schedule() {
    let with = |value: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  annotations:\n    kubesim.io/replicas-schedule: \"{value}\"\nspec:\n{SELECTOR}{TEMPLATE}"
        )
    };
    let sc = ok(&with("20:00=3, 00:00=2,08:30=6"));
    let s = serving_of(&sc.workloads[0]);
    assert_eq!(s.schedule, [(0, 2), (30_600_000, 6), (72_000_000, 3)]);
    assert_eq!(
        (s.replicas_at(0), s.replicas_at(30_599_999), s.replicas_at(80_000_000)),
        (2, 2, 3)
    );
    assert_eq!(s.peak_replicas(), 6);
    // Before the first step of the day, the last one's count holds (it wraps round).
    let sc = ok(&with("08:00=4,20:00=1"));
    assert_eq!(serving_of(&sc.workloads[0]).replicas_at(3_600_000), 1);
    for bad_value in ["8=4", "25:00=1", "08:00=1,08:00=2", "08:00=-1", "08:00=200000"] {
        let e = bad(&with(bad_value));
        check(
            &e,
            6,
            "metadata.annotations.kubesim.io/replicas-schedule",
            &["invalid replicas schedule", "00:00=2,08:00=6,20:00=3"],
        );
    }
    // Only on the serving kinds.
    let e = bad(&job(
        "  annotations: {kubesim.io/replicas-schedule: \"00:00=1\"}\nspec:\n  template:\n    spec:\n      containers: [{name: c}]\n",
    ));
    check(
        &e,
        5,
        "metadata.annotations.kubesim.io/replicas-schedule",
        &["Deployments, ReplicaSets, StatefulSets and LeaderWorkerSets"],
    );
}

#[test]
fn serving_without_a_horizon_is_warned_about() {
    let about = |sc: &Scenario| {
        crate::input::scenario::warnings(sc)
            .into_iter()
            .filter(|m| m.contains("sets no spec.horizon"))
            .collect::<Vec<_>>()
    };
    let w = about(&ok(&format!("{NGINX_DEPLOYMENT}\n---\n{WEB}")));
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with("Deployment \"default/nginx-deployment\" (t.yaml:1) and 1 more serving workloads"),
        "{w:?}"
    );
    let with_horizon = format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: s}}\nspec: {{horizon: 1h}}\n---\n{NGINX_DEPLOYMENT}"
    );
    assert!(about(&ok(&with_horizon)).is_empty());
}
