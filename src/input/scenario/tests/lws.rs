//! LeaderWorkerSets (leaderworkerset.x-k8s.io/v1): the upstream examples load unchanged with the
//! webhook's defaults, every check gives the webhook's (or the CRD schema's) message at the right
//! line and field, and what is not simulated is listed.

use super::*;
use crate::input::spec::{LwsRestartPolicy, LwsSpec};

/// The upstream examples (tests/upstream/lws/PROVENANCE.md), by file name.
pub(crate) const UPSTREAM: &[(&str, &str)] = &[
    (
        "sample-lws.yaml",
        include_str!("../../../../tests/upstream/lws/sample-lws.yaml"),
    ),
    (
        "sample-lws-restart-policy.yaml",
        include_str!("../../../../tests/upstream/lws/sample-lws-restart-policy.yaml"),
    ),
    (
        "sample-lws-multi-template.yaml",
        include_str!("../../../../tests/upstream/lws/sample-lws-multi-template.yaml"),
    ),
    (
        "sample-lws-rollout-strategy.yaml",
        include_str!("../../../../tests/upstream/lws/sample-lws-rollout-strategy.yaml"),
    ),
    (
        "sample-lws-volume-claim-templates.yaml",
        include_str!("../../../../tests/upstream/lws/sample-lws-volume-claim-templates.yaml"),
    ),
    (
        "sample-lws-exclusive-placement.yaml",
        include_str!("../../../../tests/upstream/lws/sample-lws-exclusive-placement.yaml"),
    ),
    (
        "sample-gang-scheduling-lws-sample-volcano.yaml",
        include_str!("../../../../tests/upstream/lws/sample-gang-scheduling-lws-sample-volcano.yaml"),
    ),
    (
        "leaderworkerset_v1_leaderworkerset.yaml",
        include_str!("../../../../tests/upstream/lws/leaderworkerset_v1_leaderworkerset.yaml"),
    ),
    (
        "vllm-GPU-lws.yaml",
        include_str!("../../../../tests/upstream/lws/vllm-GPU-lws.yaml"),
    ),
    (
        "sglang-lws.yaml",
        include_str!("../../../../tests/upstream/lws/sglang-lws.yaml"),
    ),
];

fn lws_of(sc: &Scenario) -> &LwsSpec {
    let w = sc
        .workloads
        .iter()
        .find(|w| matches!(w.kind, WorkloadKind::Lws(_)))
        .expect("a LeaderWorkerSet");
    match &w.kind {
        WorkloadKind::Lws(l) => l,
        _ => unreachable!(),
    }
}

#[test]
fn the_upstream_examples_load_unchanged_with_the_webhooks_defaults() {
    let mut seen = Vec::new();
    for (name, text) in UPSTREAM {
        let sc = ok(text);
        let l = lws_of(&sc);
        let w = &sc.workloads[0];
        seen.push((
            *name,
            w.kind.api_kind(),
            l.replicas,
            l.size,
            l.restart,
            l.leader_ready,
            l.volcano_gang.clone(),
            l.leader == l.worker,
        ));
    }
    let rg = LwsRestartPolicy::RecreateGroupOnPodRestart;
    let k = "LeaderWorkerSet";
    assert_eq!(
        seen,
        [
            ("sample-lws.yaml", k, 3, 4, rg, false, None, true),
            ("sample-lws-restart-policy.yaml", k, 3, 4, rg, false, None, true),
            ("sample-lws-multi-template.yaml", k, 3, 4, rg, false, None, false),
            ("sample-lws-rollout-strategy.yaml", k, 4, 4, rg, false, None, true),
            (
                "sample-lws-volume-claim-templates.yaml",
                k,
                2,
                2,
                rg,
                false,
                None,
                false
            ),
            ("sample-lws-exclusive-placement.yaml", k, 3, 4, rg, false, None, true),
            (
                "sample-gang-scheduling-lws-sample-volcano.yaml",
                k,
                2,
                4,
                rg,
                false,
                Some((4, "default".to_string())),
                true
            ),
            (
                "leaderworkerset_v1_leaderworkerset.yaml",
                k,
                3,
                4,
                rg,
                false,
                None,
                true
            ),
            ("vllm-GPU-lws.yaml", k, 2, 2, rg, false, None, false),
            ("sglang-lws.yaml", k, 2, 2, rg, false, None, false),
        ]
    );
    // What is not simulated is listed.
    let sc = ok(UPSTREAM[3].1);
    assert_eq!(sc.unmodelled[0].fields, ["spec.rolloutStrategy"]);
    let sc = ok(UPSTREAM[4].1);
    assert_eq!(
        sc.unmodelled[0].fields,
        ["spec.leaderWorkerTemplate.volumeClaimTemplates"]
    );
    // The vLLM example's leader asks for 8 GPUs, as its workers do.
    let sc = ok(UPSTREAM[8].1);
    assert_eq!(lws_of(&sc).leader.requests.get("nvidia.com/gpu"), Some(&8000));
}

const HEAD: &str = "apiVersion: leaderworkerset.x-k8s.io/v1\nkind: LeaderWorkerSet\nmetadata:\n  name: l\nspec:\n";
const WORKER: &str = "    workerTemplate:\n      spec:\n        containers: [{name: c, image: x}]\n";

/// A LeaderWorkerSet with spec lines `spec` (from line 6) and leaderWorkerTemplate lines `lwt`
/// (after `leaderWorkerTemplate:`).
fn lws(spec: &str, lwt: &str) -> String {
    format!("{HEAD}{spec}  leaderWorkerTemplate:\n{lwt}{WORKER}")
}

#[test]
fn defaults() {
    let sc = ok(&lws("", ""));
    let l = lws_of(&sc);
    assert_eq!(
        (l.replicas, l.size, l.restart, l.leader_ready, l.volcano_gang.clone()),
        (1, 1, LwsRestartPolicy::RecreateGroupOnPodRestart, false, None)
    );
    assert_eq!(l.leader, l.worker);
    assert_eq!(l.worker.restart_policy, RestartPolicy::Always);
    assert!(sc.unmodelled.is_empty());
    // `Default` is the deprecated name of None (the defaulting webhook).
    let sc = ok(&lws("", "    restartPolicy: Default\n"));
    assert_eq!(lws_of(&sc).restart, LwsRestartPolicy::None);
    let sc = ok(&lws(
        "  startupPolicy: LeaderReady\n",
        "    restartPolicy: RecreateGroupAfterStart\n    size: 3\n",
    ));
    let l = lws_of(&sc);
    assert_eq!(
        (l.restart, l.leader_ready, l.size),
        (LwsRestartPolicy::RecreateGroupAfterStart, true, 3)
    );
    // The Volcano provider's PodGroup: minMember 1 with LeaderReady, the LWS's queue.
    let sc = ok(&format!(
        "{}  annotations: {{scheduling.volcano.sh/queue-name: q}}\nspec:\n  startupPolicy: LeaderReady\n  leaderWorkerTemplate:\n    size: 3\n    workerTemplate:\n      spec:\n        schedulerName: volcano\n        containers: [{{name: c}}]\n",
        HEAD.trim_end_matches("spec:\n")
    ));
    assert_eq!(lws_of(&sc).volcano_gang, Some((1, "q".to_string())));
    // A replicas schedule, as a serving workload's.
    let sc = ok(&format!(
        "{}  annotations: {{kubesim.io/replicas-schedule: \"00:00=1,12:00=3\"}}\nspec:\n  leaderWorkerTemplate:\n    size: 2\n{WORKER}",
        HEAD.trim_end_matches("spec:\n")
    ));
    let l = lws_of(&sc);
    assert_eq!((l.peak_replicas(), l.peak_pods(), l.replicas_at(43_200_000)), (3, 6, 3));
}

#[test]
fn the_webhooks_checks() {
    expect_errors(&[
        (
            lws("  replicas: -1\n", ""),
            6,
            "spec.replicas",
            vec!["Invalid value: -1: replicas must be equal or greater than 0"],
        ),
        (
            lws("  replicas: 1000001\n", ""),
            6,
            "spec.replicas",
            vec!["Invalid value: 1000001: replicas must be equal or less than 1000000"],
        ),
        (
            lws("", "    size: 0\n"),
            7,
            "spec.leaderWorkerTemplate.size",
            vec!["Invalid value: 0: size must be equal or greater than 1"],
        ),
        (
            lws("  replicas: 1000\n", "    size: 1000\n"),
            6,
            "spec.replicas",
            vec!["beyond kubesim's limit"],
        ),
        (
            lws("", "    restartPolicy: Always\n"),
            7,
            "spec.leaderWorkerTemplate.restartPolicy",
            vec![
                "Unsupported value: \"Always\": supported values: \"Default\", \"RecreateGroupOnPodRestart\", \"RecreateGroupAfterStart\", \"None\"",
            ],
        ),
        (
            lws("  startupPolicy: WorkersFirst\n", ""),
            6,
            "spec.startupPolicy",
            vec!["supported values: \"LeaderCreated\", \"LeaderReady\""],
        ),
        (
            lws("  replica: 2\n", ""),
            6,
            "spec.replica",
            vec!["unknown field `replica`", "replicas"],
        ),
        (
            lws("", "    sizes: 2\n"),
            7,
            "spec.leaderWorkerTemplate.sizes",
            vec!["unknown field `sizes`", "size"],
        ),
        (
            lws(
                "  rolloutStrategy:\n    rollingUpdateConfiguration: {maxUnavailable: 0, maxSurge: 0}\n",
                "",
            ),
            7,
            "spec.rolloutStrategy.rollingUpdateConfiguration.maxUnavailable",
            vec!["Invalid value: 0: must not be 0 when `maxSurge` is 0"],
        ),
        (
            lws(
                "  rolloutStrategy:\n    rollingUpdateConfiguration: {maxSurge: 150%}\n",
                "",
            ),
            7,
            "spec.rolloutStrategy.rollingUpdateConfiguration.maxSurge",
            vec!["must not be greater than 100%"],
        ),
        (
            lws("", "    size: 6\n    subGroupPolicy: {subGroupSize: 4}\n"),
            8,
            "spec.leaderWorkerTemplate.subGroupPolicy.subGroupSize",
            vec!["Invalid value: 4: size or size - 1 must be divisible by subGroupSize"],
        ),
        (
            lws("  networkConfig: {subdomainPolicy: Unique}\n", ""),
            6,
            "spec.networkConfig.subdomainPolicy",
            vec!["supported values: \"Shared\", \"UniquePerReplica\""],
        ),
        (
            format!("{HEAD}  replicas: 1\n"),
            5,
            "spec.leaderWorkerTemplate",
            vec!["missing required field `leaderWorkerTemplate`"],
        ),
        (
            lws("", "").replace("name: l", "name: my.lws"),
            4,
            "metadata.name",
            vec!["a DNS-1035 label must consist of lower case alphanumeric characters"],
        ),
    ]);
    // Not a Job: Job-only hints are refused; restartPolicy Never in a template is the
    // StatefulSet's error.
    let e = bad(&lws(
        "",
        "    leaderTemplate:\n      spec:\n        restartPolicy: Never\n        containers: [{name: c}]\n",
    ));
    check(
        &e,
        9,
        "spec.leaderWorkerTemplate.leaderTemplate.spec.restartPolicy",
        &["supported values: \"Always\""],
    );
}

#[test]
fn warnings_without_a_horizon_for_kueue_and_for_exclusive_placement() {
    // No horizon: the groups never end.
    let w = crate::input::scenario::warnings(&ok(&lws("", "")));
    assert!(
        w.iter()
            .any(|m| m.contains("LeaderWorkerSet \"default/l\"") && m.contains("no spec.horizon")),
        "{w:?}"
    );
    // Kueue's LeaderWorkerSet integration and exclusive placement are not simulated.
    let text = lws("", "").replace(
        "  name: l\n",
        "  name: l\n  labels: {kueue.x-k8s.io/queue-name: q}\n  annotations: {leaderworkerset.sigs.k8s.io/exclusive-topology: zone}\n",
    );
    let w = crate::input::scenario::warnings(&ok(&text));
    assert!(w.iter().any(|m| m.contains("kueue.x-k8s.io/queue-name")), "{w:?}");
    assert!(w.iter().any(|m| m.contains("exclusive placement")), "{w:?}");
}
