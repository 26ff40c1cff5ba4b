//! The backfill policies' runtime estimate: the `kubesim.io/runtime-estimate` annotation on a
//! Job and its pod template (the template's wins), its errors, the trace's requested time kept
//! per replayed job, and the warning for workloads without an estimate (docs/backfill.md).

use super::*;

fn estimate(sc: &Scenario) -> Option<u64> {
    let WorkloadKind::Job(j) = &sc.workloads[0].kind else {
        panic!("a Job")
    };
    j.template.hints.runtime_estimate_ms
}

#[test]
fn runtime_estimate_annotation_on_jobs() {
    let sc = ok(&job(&format!(
        "  annotations: {{kubesim.io/runtime-estimate: 90m}}\n{SIMPLE_POD_SPEC}"
    )));
    assert_eq!(estimate(&sc), Some(5_400_000));
    // The template wins.
    let sc = ok(&job(
        "  annotations: {kubesim.io/runtime-estimate: 1h}\nspec:\n  template:\n    metadata: {annotations: {kubesim.io/runtime-estimate: 30s}}\n    spec: {containers: [{name: c}]}\n",
    ));
    assert_eq!(estimate(&sc), Some(30_000));
    assert_eq!(estimate(&ok(&job(SIMPLE_POD_SPEC))), None);
    // A bare Pod may carry it too.
    let sc = ok(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {kubesim.io/runtime-estimate: 2h}\nspec: {containers: [{name: c}]}\n",
    );
    let WorkloadKind::Pod(t) = &sc.workloads[0].kind else {
        panic!("a Pod")
    };
    assert_eq!(t.hints.runtime_estimate_ms, Some(7_200_000));
}

#[test]
fn runtime_estimate_errors() {
    let cases: Vec<(String, usize, &str, Vec<&str>)> = vec![
        (
            job(&format!("  annotations: {{kubesim.io/runtime-estimate: soon}}\n{SIMPLE_POD_SPEC}")),
            5,
            "metadata.annotations.kubesim.io/runtime-estimate",
            vec!["soon", "write a duration such as"],
        ),
        (
            job("spec:\n  template:\n    metadata: {annotations: {kubesim.io/runtime-estimate: -5s}}\n    spec: {containers: [{name: c}]}\n"),
            7,
            "spec.template.metadata.annotations.kubesim.io/runtime-estimate",
            vec!["write a duration such as"],
        ),
        (
            job(&format!("  annotations: {{kubesim.io/runtime-estimat: 1h}}\n{SIMPLE_POD_SPEC}")),
            5,
            "metadata.annotations.kubesim.io/runtime-estimat",
            vec!["unknown kubesim annotation", "kubesim.io/runtime-estimate"],
        ),
        (
            "apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n  annotations: {kubesim.io/runtime-estimate: 1h}\nstatus: {allocatable: {cpu: 1}}\n".to_string(),
            5,
            "metadata.annotations.kubesim.io/runtime-estimate",
            vec!["no meaning on a Node"],
        ),
    ];
    expect_errors(&cases);
}

/// Under easy-backfill (the Simulation's `policies` or the command line's `--policy`), a workload
/// without an estimate is named in a warning; with the annotation, or under another policy,
/// nothing is said.
#[test]
fn workloads_without_an_estimate_are_warned_about_under_easy_backfill() {
    use crate::input::scenario::policy_warnings;
    let backfill = ["easy-backfill".to_string()];
    let sim = "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: s}\nspec: {policies: [easy-backfill]}\n---\n";
    let sc = ok(&format!("{sim}{}", job(SIMPLE_POD_SPEC)));
    let w = policy_warnings(&sc, &sc.sim.policies);
    assert!(
        w.iter()
            .any(|m| m.contains("\"default/j\"") && m.contains("no runtime estimate")),
        "{w:?}"
    );
    // Chosen on the command line only: the same warning.
    let plain = ok(&job(SIMPLE_POD_SPEC));
    let w = policy_warnings(&plain, &backfill);
    assert!(
        w.len() == 1 && w[0].contains("\"default/j\" (t.yaml:1) has no runtime estimate"),
        "{w:?}"
    );
    let annotated = job(&format!(
        "  annotations: {{kubesim.io/runtime-estimate: 1h}}\n{SIMPLE_POD_SPEC}"
    ));
    assert!(policy_warnings(&ok(&annotated), &backfill).is_empty());
    assert!(policy_warnings(&plain, &["kube-default".to_string()]).is_empty());
    // Not among the scenario's own warnings, which do not depend on the policy.
    let w = crate::input::scenario::warnings(&sc);
    assert!(!w.iter().any(|m| m.contains("runtime estimate")), "{w:?}");
}

/// An SWF trace's requested time (field 9) reaches each replayed job, in whole seconds; -1 is
/// none.
#[test]
fn trace_requested_time_is_kept_per_job() {
    let dir = std::env::temp_dir().join(format!("kubesim-bf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("t.swf"),
        "; MaxProcs: 8\n1 0 0 100 2 100 -1 2 3600 -1 1 1 1 -1 -1 1 -1 -1\n2 5 0 50 1 50 -1 1 -1 -1 1 1 1 -1 -1 1 -1 -1\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("s.yaml"),
        "apiVersion: kubesim.io/v1alpha1\nkind: Trace\nmetadata: {name: t}\nspec: {path: t.swf, format: swf, cpusPerNode: 1}\n",
    )
    .unwrap();
    let sc = load(&[dir.join("s.yaml")]).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    let req: Vec<Option<u64>> = sc.traces[0].jobs.iter().map(|j| j.requested_ms()).collect();
    assert_eq!(req, [Some(3_600_000), None]);
}
