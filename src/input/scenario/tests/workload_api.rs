//! Kubernetes' own gang scheduling objects (`workload_api`): Workloads and PodGroups of each
//! `scheduling.k8s.io` version, pods joining them, and the API server's messages for bad ones.

use super::*;
use crate::input::spec::{GangApiVersion, WorkloadKind};

const PG_HEAD: &str = "apiVersion: scheduling.k8s.io/v1beta1\nkind: PodGroup\nmetadata: {name: pg}\n";

#[test]
fn workloads_and_pod_groups_of_every_version_load() {
    let sc = ok(r#"apiVersion: scheduling.k8s.io/v1beta1
kind: Workload
metadata: {name: training, namespace: ml}
spec:
  controllerRef: {apiGroup: batch, kind: Job, name: train}
  podGroupTemplates:
  - name: workers
    schedulingPolicy: {gang: {minCount: 4}}
    priorityClassName: high
  - name: driver
    schedulingPolicy: {basic: {}}
---
apiVersion: scheduling.k8s.io/v1beta1
kind: PodGroup
metadata: {name: training-workers-0, namespace: ml}
spec:
  workloadRef: {workloadName: training, templateName: workers}
  schedulingPolicy: {gang: {minCount: 4}}
  disruptionMode: {single: {}}
status: {conditions: []}
---
apiVersion: scheduling.k8s.io/v1alpha2
kind: PodGroup
metadata: {name: old}
spec:
  podGroupTemplateRef: {workload: {workloadName: w2, podGroupTemplateName: g}}
  schedulingPolicy: {basic: {}}
---
apiVersion: scheduling.k8s.io/v1alpha1
kind: Workload
metadata: {name: w1}
spec:
  podGroups:
  - name: ranks
    policy: {gang: {minCount: 2}}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: ml}
spec:
  schedulingGroup: {podGroupName: training-workers-0}
  containers: [{name: c, resources: {requests: {cpu: 1}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: q}
spec:
  workloadRef: {name: w1, podGroup: ranks, podGroupReplicaKey: r0}
  containers: [{name: c, resources: {requests: {cpu: 1}}}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  template:
    spec:
      schedulingGroup: {podGroupName: old}
      containers: [{name: c, resources: {requests: {cpu: 1}}}]
"#);
    assert_eq!(sc.gang_workloads.len(), 2);
    let w = &sc.gang_workloads[0];
    assert_eq!(
        (w.version, w.namespace.as_str(), w.name.as_str()),
        (GangApiVersion::V1beta1, "ml", "training")
    );
    assert_eq!(
        w.templates,
        vec![("workers".to_string(), Some(4)), ("driver".to_string(), None)]
    );
    let groups: Vec<(&str, Option<u32>, GangApiVersion)> = sc
        .gang_pod_groups
        .iter()
        .map(|g| (g.name.as_str(), g.min_count, g.version))
        .collect();
    assert_eq!(
        groups,
        vec![
            ("training-workers-0", Some(4), GangApiVersion::V1beta1),
            ("old", None, GangApiVersion::V1alpha2),
            ("w1/ranks", Some(2), GangApiVersion::V1alpha1),
        ]
    );
    assert_eq!(
        sc.gang_pod_groups[0].template,
        Some(("training".to_string(), "workers".to_string()))
    );
    let joined: Vec<Option<String>> = sc
        .workloads
        .iter()
        .map(|w| match &w.kind {
            WorkloadKind::Pod(t) => t.pod_group.clone(),
            WorkloadKind::Job(j) => j.template.pod_group.clone(),
            _ => None,
        })
        .collect();
    assert_eq!(
        joined,
        vec![
            Some("training-workers-0".to_string()),
            Some("w1/ranks/r0".to_string()),
            Some("old".to_string())
        ]
    );
    // Fields that load without effect are listed.
    let unmodelled: Vec<&str> = sc
        .unmodelled
        .iter()
        .flat_map(|u| u.fields.iter().map(String::as_str))
        .collect();
    assert!(unmodelled.contains(&"spec.controllerRef"), "{unmodelled:?}");
    assert!(
        unmodelled.contains(&"spec.podGroupTemplates[0].priorityClassName"),
        "{unmodelled:?}"
    );
    assert!(unmodelled.contains(&"spec.disruptionMode"), "{unmodelled:?}");
}

#[test]
fn bad_workloads_and_pod_groups_get_the_api_servers_message() {
    let pod = |spec: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p, labels: {{scheduling.x-k8s.io/pod-group: a}}}}\nspec:\n{spec}  containers: [{{name: c}}]\n"
        )
    };
    expect_errors(&[
        (
            format!("{PG_HEAD}spec:\n  schedulingPolicy: {{}}\n"),
            5,
            "spec.schedulingPolicy",
            vec!["must specify one of: `basic`, `gang`"],
        ),
        (
            format!("{PG_HEAD}spec:\n  schedulingPolicy: {{basic: {{}}, gang: {{minCount: 2}}}}\n"),
            5,
            "spec.schedulingPolicy",
            vec!["must specify exactly one of: `basic`, `gang`"],
        ),
        (
            format!("{PG_HEAD}spec:\n  schedulingPolicy:\n    gang: {{minCount: 0}}\n"),
            6,
            "spec.schedulingPolicy.gang.minCount",
            vec!["Invalid value: 0: must be greater than or equal to 1"],
        ),
        (
            format!("{PG_HEAD}spec:\n  schedulingPolicy:\n    gang: {{}}\n"),
            6,
            "spec.schedulingPolicy.gang.minCount",
            vec!["missing required field `minCount`"],
        ),
        (
            format!("{PG_HEAD}spec:\n  schedulingPolicy: {{gang: {{minCount: 2}}}}\n  minMember: 2\n"),
            6,
            "spec.minMember",
            vec!["unknown field `minMember`", "The fields allowed here are"],
        ),
        (
            format!("{PG_HEAD}spec:\n  schedulingPolicy: {{gang: {{minCont: 2}}}}\n"),
            5,
            "spec.schedulingPolicy.gang.minCont",
            vec!["did you mean `minCount`?"],
        ),
        (
            format!("{PG_HEAD}spec:\n  parentCompositePodGroupName: top\n  schedulingPolicy: {{gang: {{minCount: 2}}}}\n"),
            5,
            "spec.parentCompositePodGroupName",
            vec!["CompositePodGroup feature gate"],
        ),
        (
            // v1alpha2 has no workloadRef (its reference is podGroupTemplateRef).
            "apiVersion: scheduling.k8s.io/v1alpha2\nkind: PodGroup\nmetadata: {name: pg}\nspec:\n  workloadRef: {workloadName: w, templateName: t}\n  schedulingPolicy: {basic: {}}\n".to_string(),
            5,
            "spec.workloadRef",
            vec!["unknown field `workloadRef`"],
        ),
        (
            "apiVersion: scheduling.k8s.io/v1beta1\nkind: Workload\nmetadata: {name: w}\nspec:\n  podGroupTemplates:\n  - name: a\n    schedulingPolicy: {basic: {}}\n  - name: a\n    schedulingPolicy: {basic: {}}\n".to_string(),
            8,
            "spec.podGroupTemplates[1].name",
            vec!["Duplicate value: \"a\""],
        ),
        (
            format!(
                "apiVersion: scheduling.k8s.io/v1beta1\nkind: Workload\nmetadata: {{name: w}}\nspec:\n  podGroupTemplates:\n{}",
                (0..9).map(|i| format!("  - {{name: g{i}, schedulingPolicy: {{basic: {{}}}}}}\n")).collect::<String>()
            ),
            6,
            "spec.podGroupTemplates",
            vec!["Too many: 9: must have at most 8 items"],
        ),
        (
            "apiVersion: scheduling.k8s.io/v1beta1\nkind: Workload\nmetadata: {name: w}\nspec:\n  podGroupTemplates:\n  - name: Workers\n    schedulingPolicy: {basic: {}}\n".to_string(),
            6,
            "spec.podGroupTemplates[0].name",
            vec!["RFC 1123 label"],
        ),
        (
            "apiVersion: scheduling.k8s.io/v1alpha1\nkind: Workload\nmetadata: {name: w}\nspec:\n  podGroupTemplates: []\n".to_string(),
            5,
            "spec.podGroupTemplates",
            vec!["unknown field `podGroupTemplates`", "controllerRef, podGroups"],
        ),
        (
            pod("  schedulingGroup: {podGroupName: b}\n"),
            5,
            "spec.schedulingGroup.podGroupName",
            vec!["joins two pod groups"],
        ),
        (
            pod("  workloadRef: {name: w, podGroup: g, replicaKey: r}\n"),
            5,
            "spec.workloadRef.replicaKey",
            vec!["unknown field `replicaKey`", "podGroupReplicaKey"],
        ),
        (
            pod("  schedulingGroup: {podGroup: b}\n"),
            5,
            "spec.schedulingGroup.podGroup",
            vec!["unknown field `podGroup`"],
        ),
    ]);
}
