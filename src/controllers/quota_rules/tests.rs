//! Tests of LimitRange and ResourceQuota admission: the semantics.md scenarios (S-A1, S-A2,
//! S-C5), defaults and bounds, quota constraints, usage and counts.

use super::*;
use crate::input::resources::{limit_range_item_defaults, recompute_totals};
use crate::input::spec::{ContainerResources, SourceLoc};
use crate::input::spec::{LimitKind, LimitRangeItem, PodTemplate, ResourceList};

fn rl(v: &[(&str, i64)]) -> ResourceList {
    v.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

type Res<'a> = &'a [(&'a str, i64)];

/// A pod of regular containers (name, requests, limits); requests default from limits as
/// the loader does.
fn pod(containers: &[(&str, Res, Res)]) -> PodTemplate {
    let mut t = crate::input::synth::gpu_pod_template(1, None);
    t.containers = containers
        .iter()
        .map(|(name, req, lim)| {
            let mut requests = rl(req);
            for (k, v) in lim.iter() {
                requests.entry(k.to_string()).or_insert(*v);
            }
            ContainerResources {
                name: name.to_string(),
                requests,
                limits: rl(lim),
                init: false,
                sidecar: false,
            }
        })
        .collect();
    t.container_names = t.containers.iter().map(|c| c.name.clone()).collect();
    recompute_totals(&mut t);
    t
}

fn range(items: Vec<LimitRangeItem>) -> LimitRangeSpec {
    LimitRangeSpec {
        namespace: "ns".into(),
        name: "lr".into(),
        items,
        loc: SourceLoc::default(),
    }
}

fn item(kind: LimitKind) -> LimitRangeItem {
    LimitRangeItem {
        kind,
        max: ResourceList::new(),
        min: ResourceList::new(),
        default: ResourceList::new(),
        default_request: ResourceList::new(),
        max_limit_request_ratio: ResourceList::new(),
    }
}

fn quota(name: &str, hard: Res) -> ResourceQuotaSpec {
    ResourceQuotaSpec {
        namespace: "ns".into(),
        name: name.into(),
        hard: rl(hard),
        loc: SourceLoc::default(),
    }
}

fn forbidden_msg(r: Result<PodTemplate, Rejection>) -> String {
    match r {
        Err(Rejection::Forbidden(m)) => m,
        other => panic!("expected a 403, got {other:?}"),
    }
}

/// S-A2: a Container item with default cpu limit 1, defaultRequest 500m and max 2.
fn s_a2() -> LimitRangeSpec {
    range(vec![LimitRangeItem {
        default: rl(&[("cpu", 1_000)]),
        default_request: rl(&[("cpu", 500)]),
        max: rl(&[("cpu", 2_000)]),
        ..item(LimitKind::Container)
    }])
}

#[test]
fn s_a2_defaults_a_pod_without_resources() {
    let lr = s_a2();
    let t = limit_ranger(&pod(&[("c", &[], &[])]), &[&lr]).unwrap();
    assert_eq!(t.containers[0].requests, rl(&[("cpu", 500)]));
    assert_eq!(t.containers[0].limits, rl(&[("cpu", 1_000)]));
    // Totals recomputed: request 500m, limit 1.
    assert_eq!((t.requests["cpu"], t.limits["cpu"]), (500, 1_000));
    // A pod within bounds that sets both is unchanged.
    let p = pod(&[("c", &[("cpu", 1_500)], &[("cpu", 2_000)])]);
    assert_eq!(limit_ranger(&p, &[&lr]), Ok(p.clone()));
    // No LimitRange in the namespace: nothing happens.
    assert_eq!(limit_ranger(&p, &[]), Ok(p));
}

#[test]
fn s_a2_rejects_a_three_cpu_pod() {
    let lr = s_a2();
    // Limit 3 (the request defaults to it when the pod is read): over max, 403.
    let p = pod(&[("c", &[], &[("cpu", 3_000)])]);
    let r = limit_ranger(&p, &[&lr]);
    assert_eq!(
        forbidden_msg(r.clone()),
        "maximum cpu usage per Container is 2, but limit is 3"
    );
    assert_eq!(
        r.unwrap_err().for_pod("p-1"),
        "pods \"p-1\" is forbidden: maximum cpu usage per Container is 2, but limit is 3"
    );
    // Request 3 without a limit: the default limit 1 is below the request, and pod
    // validation (before the LimitRanger's own check) makes the pod invalid, 422.
    let p = pod(&[("c", &[("cpu", 3_000)], &[])]);
    let r = limit_ranger(&p, &[&lr]).unwrap_err();
    assert_eq!(
        r,
        Rejection::Invalid(
            "spec.containers[0].resources.requests[cpu]: Invalid value: \"3\": must be less than or equal \
             to cpu limit of 1"
                .into()
        )
    );
    assert!(r.for_pod("p").starts_with("Pod \"p\" is invalid: spec.containers[0]"));
}

/// Seed manifest 14 (ml-job-limits) as loaded: defaults filled from max by the API server.
fn seed_14() -> LimitRangeSpec {
    let written = LimitRangeItem {
        max: rl(&[("nvidia.com/gpu", 8_000), ("memory", 128 << 30), ("cpu", 64_000)]),
        min: rl(&[("nvidia.com/gpu", 1_000), ("memory", 8 << 30), ("cpu", 4_000)]),
        default: rl(&[("memory", 32 << 30), ("cpu", 16_000)]),
        ..item(LimitKind::Container)
    };
    range(vec![limit_range_item_defaults(&written)])
}

#[test]
fn seed_limit_range_on_gpu_and_cpu_only_containers() {
    let lr = seed_14();
    // 4 GPUs and 16 CPUs as limits: within [1, 8] and [4, 64]; memory defaults to 32Gi.
    let p = pod(&[("train", &[], &[("nvidia.com/gpu", 4_000), ("cpu", 16_000)])]);
    let t = limit_ranger(&p, &[&lr]).unwrap();
    let want = rl(&[("cpu", 16_000), ("memory", 32 << 30), ("nvidia.com/gpu", 4_000)]);
    assert_eq!((&t.requests, &t.limits), (&want, &want));
    // No GPU at all: min 1 is never "missing", because the item's default GPU limit is its
    // max (SetDefaults_LimitRangeItem), so the pod is admitted with 8 GPUs. This is what
    // the real plugin does: min only sees the values after defaults.
    let p = pod(&[("cpu-only", &[], &[("cpu", 8_000)])]);
    let t = limit_ranger(&p, &[&lr]).unwrap();
    assert_eq!(t.requests["nvidia.com/gpu"], 8_000);
    assert_eq!(t.limits["nvidia.com/gpu"], 8_000);
    // Too many GPUs, too few CPUs: every violation of the range, in one message.
    let p = pod(&[("big", &[], &[("nvidia.com/gpu", 16_000), ("cpu", 2_000)])]);
    assert_eq!(
        forbidden_msg(limit_ranger(&p, &[&lr])),
        "[minimum cpu usage per Container is 4, but request is 2, maximum nvidia.com/gpu usage per \
         Container is 8, but limit is 16]"
    );
}

#[test]
fn min_without_a_request_and_pod_sums() {
    // A Pod item bounds the sums; a resource nobody requests has "No request".
    let lr = range(vec![LimitRangeItem {
        min: rl(&[("nvidia.com/gpu", 1_000)]),
        max: rl(&[("cpu", 3_000)]),
        ..item(LimitKind::Pod)
    }]);
    let p = pod(&[("a", &[], &[("cpu", 2_000)]), ("b", &[], &[("cpu", 2_000)])]);
    assert_eq!(
        forbidden_msg(limit_ranger(&p, &[&lr])),
        "[minimum nvidia.com/gpu usage per Pod is 1.  No request is specified, maximum cpu usage per Pod \
         is 3, but limit is 4]"
    );
    // A Container max on a resource without limit.
    let lr = range(vec![LimitRangeItem {
        max: rl(&[("memory", 1 << 30)]),
        ..item(LimitKind::Pod)
    }]);
    assert_eq!(
        forbidden_msg(limit_ranger(&pod(&[("a", &[("memory", 1 << 20)], &[])]), &[&lr])),
        "maximum memory usage per Pod is 1Gi.  No limit is specified"
    );
}

#[test]
fn limit_to_request_ratio() {
    let lr = range(vec![LimitRangeItem {
        max_limit_request_ratio: rl(&[("cpu", 2_000)]),
        ..item(LimitKind::Container)
    }]);
    // 2 / 0.5 = 4 > 2.
    let p = pod(&[("c", &[("cpu", 500)], &[("cpu", 2_000)])]);
    assert_eq!(
        forbidden_msg(limit_ranger(&p, &[&lr])),
        "cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000"
    );
    // 1.5 / 1 = 1.5 <= 2.
    let p = pod(&[("c", &[("cpu", 1_000)], &[("cpu", 1_500)])]);
    assert!(limit_ranger(&p, &[&lr]).is_ok());
    // 1 / 0.3 = 3.333333.
    let p = pod(&[("c", &[("cpu", 300)], &[("cpu", 1_000)])]);
    assert!(forbidden_msg(limit_ranger(&p, &[&lr])).ends_with("provided ratio is 3.333333"));
    let p = pod(&[("c", &[("cpu", 300)], &[])]);
    assert_eq!(
        forbidden_msg(limit_ranger(&p, &[&lr])),
        "cpu max limit to request ratio per Container is 2, but no limit is specified or limit is 0"
    );
}

#[test]
fn defaults_reach_init_containers_and_the_first_range_wins() {
    let mut p = pod(&[("main", &[("cpu", 100)], &[("cpu", 100)])]);
    p.containers.push(ContainerResources {
        name: "init".into(),
        init: true,
        ..ContainerResources::default()
    });
    recompute_totals(&mut p);
    let a = LimitRangeSpec {
        name: "a".into(),
        ..s_a2()
    };
    let b = LimitRangeSpec {
        name: "b".into(),
        ..range(vec![LimitRangeItem {
            default: rl(&[("cpu", 4_000), ("memory", 1 << 30)]),
            default_request: rl(&[("cpu", 4_000), ("memory", 1 << 30)]),
            ..item(LimitKind::Container)
        }])
    };
    let t = limit_ranger(&p, &[&a, &b]).unwrap();
    // cpu from a (first), memory from b; the init container gets them too.
    let init = &t.containers[1];
    assert_eq!(init.requests, rl(&[("cpu", 500), ("memory", 1 << 30)]));
    assert_eq!(init.limits, rl(&[("cpu", 1_000), ("memory", 1 << 30)]));
    assert_eq!(t.containers[0].limits, rl(&[("cpu", 100), ("memory", 1 << 30)]));
    // Totals: the init container's 500m/1 beat main's 100m; memory 1Gi either way.
    assert_eq!(t.requests, rl(&[("cpu", 500), ("memory", 1 << 30)]));
    assert_eq!(t.limits, rl(&[("cpu", 1_000), ("memory", 1 << 30)]));
    // Checks name the init container by its own list.
    p.containers[1].requests = rl(&[("cpu", 3_000)]);
    let r = limit_ranger(&p, &[&a]).unwrap_err();
    assert!(
        r.message()
            .starts_with("spec.initContainers[0].resources.requests[cpu]: Invalid value: \"3\""),
        "{r}"
    );
    // An extended resource defaulted to a request without a limit is invalid.
    let gpu = range(vec![LimitRangeItem {
        default_request: rl(&[("nvidia.com/gpu", 1_000)]),
        ..item(LimitKind::Container)
    }]);
    let r = limit_ranger(&pod(&[("c", &[], &[])]), &[&gpu]).unwrap_err();
    assert_eq!(
        r,
        Rejection::Invalid(
            "spec.containers[0].resources.limits[nvidia.com/gpu]: Required value: Limit must be set for non \
             overcommitable resources"
                .into()
        )
    );
}

// ----- quota -----

/// S-A1: `requests.cpu: 4`, 1-CPU pods. Four are admitted, the fifth is rejected with the
/// API server's message; once one is terminal, the fifth fits.
#[test]
fn s_a1_quota_arithmetic() {
    let q = quota("cpu-quota", &[("requests.cpu", 4_000)]);
    let qs = [&q];
    let p = pod(&[("c", &[("cpu", 1_000)], &[])]);
    let mut ns = NamespaceUsage::default();
    let charged: Vec<ResourceList> = (0..4).map(|_| ns.admit_pod(&qs, &p).unwrap()).collect();
    assert_eq!(ns.used()["requests.cpu"], 4_000);
    assert_eq!(ns.used()["pods"], 4_000);
    let before = ns.clone();
    let e = ns.admit_pod(&qs, &p).unwrap_err();
    assert_eq!(
        e,
        "exceeded quota: cpu-quota, requested: requests.cpu=1, used: requests.cpu=4, limited: requests.cpu=4"
    );
    assert_eq!(
        forbidden("pods", "job-x", &e),
        "pods \"job-x\" is forbidden: exceeded quota: cpu-quota, requested: requests.cpu=1, used: \
         requests.cpu=4, limited: requests.cpu=4"
    );
    assert_eq!(ns, before, "a rejected pod is not charged");
    ns.pod_terminal(&charged[0]);
    assert_eq!(ns.used()["requests.cpu"], 3_000);
    assert_eq!(ns.used()[COUNT_PODS], 4_000, "count/pods until deleted");
    ns.admit_pod(&qs, &p).unwrap();
    assert_eq!(ns.used()["requests.cpu"], 4_000);
    ns.pod_deleted(&charged[0], true);
    assert_eq!(ns.used()[COUNT_PODS], 4_000);
    // Deleting a running pod releases all of it.
    ns.pod_deleted(&charged[1], false);
    assert_eq!((ns.used()["requests.cpu"], ns.used()[COUNT_PODS]), (3_000, 3_000));
}

#[test]
fn a_quota_on_cpu_needs_every_container_to_set_it() {
    let q = quota("q", &[("cpu", 4_000)]);
    let p = pod(&[("c", &[("memory", 1 << 30)], &[])]);
    assert_eq!(
        admit_pod(&[&q], &ResourceList::new(), &p).unwrap_err(),
        "failed quota: q: must specify cpu for: c"
    );
    // Limits too, per container, resources and names sorted.
    let q = quota("q", &[("requests.cpu", 4_000), ("limits.cpu", 4_000), ("pods", 10_000)]);
    let p = pod(&[
        ("b", &[("cpu", 100)], &[]),
        ("a", &[], &[]),
        ("c", &[], &[("cpu", 100)]),
    ]);
    assert_eq!(
        pod_quota_constraints(&q, &p).unwrap_err(),
        "failed quota: q: must specify limits.cpu for: a,b; requests.cpu for: a"
    );
    // Pod-level resources lift the rule; so does a quota that does not concern cpu/memory.
    let mut pl = p.clone();
    pl.pod_level_requests = rl(&[("cpu", 1_000)]);
    assert!(pod_quota_constraints(&q, &pl).is_ok());
    let gpu_only = quota("g", &[("requests.nvidia.com/gpu", 8_000)]);
    assert!(pod_quota_constraints(&gpu_only, &p).is_ok());
    // The constraint fails before any amount is checked, whatever the order of quotas.
    let tiny = quota("a-tiny", &[("pods", 0)]);
    assert_eq!(
        admit_pod(&[&tiny, &q], &ResourceList::new(), &p).unwrap_err(),
        "failed quota: q: must specify limits.cpu for: a,b; requests.cpu for: a"
    );
}

#[test]
fn pod_usage_names_and_extended_resources() {
    let mut p = pod(&[(
        "c",
        &[("cpu", 500), ("memory", 1 << 30), ("hugepages-2Mi", 4 << 20)],
        &[("cpu", 1_000), ("nvidia.com/gpu", 2_000), ("hugepages-2Mi", 4 << 20)],
    )]);
    p.overhead = rl(&[("cpu", 100)]);
    recompute_totals(&mut p);
    assert_eq!(
        pod_usage(&p),
        rl(&[
            ("count/pods", 1_000),
            ("pods", 1_000),
            ("cpu", 600),
            ("requests.cpu", 600),
            ("limits.cpu", 1_100),
            ("memory", 1 << 30),
            ("requests.memory", 1 << 30),
            ("hugepages-2Mi", 4 << 20),
            ("requests.hugepages-2Mi", 4 << 20),
            ("limits.hugepages-2Mi", 4 << 20),
            ("requests.nvidia.com/gpu", 2_000),
        ])
    );
    // Seed quota 13 names limits.nvidia.com/gpu: no pod is charged for it, so only
    // requests.nvidia.com/gpu binds.
    let q = quota(
        "ml-training-quota",
        &[("requests.nvidia.com/gpu", 16_000), ("limits.nvidia.com/gpu", 1_000)],
    );
    let mut ns = NamespaceUsage::default();
    for _ in 0..8 {
        ns.admit_pod(&[&q], &p).unwrap();
    }
    assert_eq!(
        ns.admit_pod(&[&q], &p).unwrap_err(),
        "exceeded quota: ml-training-quota, requested: requests.nvidia.com/gpu=2, used: \
         requests.nvidia.com/gpu=16, limited: requests.nvidia.com/gpu=16"
    );
}

#[test]
fn every_exceeded_resource_is_listed_and_absent_usage_is_zero() {
    let q = quota(
        "q",
        &[("requests.cpu", 1_000), ("requests.memory", 1 << 30), ("pods", 5_000)],
    );
    let p = pod(&[("c", &[("cpu", 2_000), ("memory", 2 << 30)], &[])]);
    assert_eq!(
        admit_pod(&[&q], &ResourceList::new(), &p).unwrap_err(),
        "exceeded quota: q, requested: requests.cpu=2,requests.memory=2Gi, used: \
         requests.cpu=0,requests.memory=0, limited: requests.cpu=1,requests.memory=1Gi"
    );
}

#[test]
fn pods_count_live_pods_and_count_pods_every_pod() {
    let q = quota("q", &[("pods", 2_000), (COUNT_PODS, 3_000)]);
    let p = pod(&[("c", &[], &[])]);
    let mut ns = NamespaceUsage::default();
    let a = ns.admit_pod(&[&q], &p).unwrap();
    ns.admit_pod(&[&q], &p).unwrap();
    assert_eq!(
        ns.admit_pod(&[&q], &p).unwrap_err(),
        "exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2"
    );
    ns.pod_terminal(&a);
    ns.admit_pod(&[&q], &p).unwrap();
    ns.pod_terminal(&a);
    // Two live pods' worth of `pods` is free again, but three pods exist.
    assert_eq!(
        ns.admit_pod(&[&q], &p).unwrap_err(),
        "exceeded quota: q, requested: count/pods=1, used: count/pods=3, limited: count/pods=3"
    );
}

#[test]
fn job_and_cron_job_counts() {
    let q = quota(
        "q",
        &[(COUNT_JOBS, 2_000), (COUNT_CRON_JOBS, 1_000), ("requests.cpu", 1_000)],
    );
    let qs = [&q];
    let mut ns = NamespaceUsage::default();
    ns.admit_object(&qs, &job_usage()).unwrap();
    ns.admit_object(&qs, &job_usage()).unwrap();
    assert_eq!(
        ns.admit_object(&qs, &job_usage()).unwrap_err(),
        "exceeded quota: q, requested: count/jobs.batch=1, used: count/jobs.batch=2, limited: \
         count/jobs.batch=2"
    );
    // A finished Job holds its count until it is deleted.
    ns.release(&job_usage());
    ns.admit_object(&qs, &job_usage()).unwrap();
    ns.admit_object(&qs, &cron_job_usage()).unwrap();
    assert!(ns.admit_object(&qs, &cron_job_usage()).is_err());
    // A Job is not a pod: no cpu rule for it, and pods do not use the Job count.
    let p = pod(&[("c", &[("cpu", 1_000)], &[])]);
    ns.admit_pod(&qs, &p).unwrap();
    assert_eq!(ns.used()[COUNT_JOBS], 2_000);
}

/// S-C5's quota note: a CronJob keeping 3 successful Jobs. With `count/jobs.batch: 4` the
/// next Job always fits; with 3 every new Job is rejected until one is deleted.
#[test]
fn s_c5_history_against_a_job_count() {
    let mut ns = NamespaceUsage::default();
    for _ in 0..3 {
        ns.charge(&job_usage());
    }
    let four = quota("q", &[(COUNT_JOBS, 4_000)]);
    let three = quota("q", &[(COUNT_JOBS, 3_000)]);
    assert!(admit_object(&[&four], ns.used(), &job_usage()).is_ok());
    assert_eq!(
        admit_object(&[&three], ns.used(), &job_usage()).unwrap_err(),
        "exceeded quota: q, requested: count/jobs.batch=1, used: count/jobs.batch=3, limited: \
         count/jobs.batch=3"
    );
    ns.release(&job_usage());
    assert!(ns.admit_object(&[&three], &job_usage()).is_ok());
}

#[test]
fn limit_ranger_then_quota_charges_the_defaulted_pod() {
    // S-A2's defaults (request 500m) against requests.cpu: 1 -> two pods, not three.
    let lr = s_a2();
    let q = quota("q", &[("requests.cpu", 1_000), ("limits.cpu", 4_000)]);
    let bare = pod(&[("c", &[], &[])]);
    // Without the LimitRange the bare pod violates the cpu rule.
    assert!(
        admit_pod(&[&q], &ResourceList::new(), &bare)
            .unwrap_err()
            .starts_with("failed quota: q")
    );
    let t = limit_ranger(&bare, &[&lr]).unwrap();
    let mut ns = NamespaceUsage::default();
    ns.admit_pod(&[&q], &t).unwrap();
    ns.admit_pod(&[&q], &t).unwrap();
    assert_eq!(
        ns.admit_pod(&[&q], &t).unwrap_err(),
        "exceeded quota: q, requested: requests.cpu=500m, used: requests.cpu=1, limited: requests.cpu=1"
    );
}

#[test]
fn namespaces_select_and_sort_by_name() {
    let mk = |ns: &str, name: &str| ResourceQuotaSpec {
        namespace: ns.into(),
        ..quota(name, &[])
    };
    let all = [mk("a", "z"), mk("b", "y"), mk("a", "m")];
    let names: Vec<&str> = quotas_in(&all, "a").iter().map(|q| q.name.as_str()).collect();
    assert_eq!(names, ["m", "z"]);
    assert!(quotas_in(&all, "c").is_empty());
    let lrs = [s_a2()];
    assert_eq!(limit_ranges_in(&lrs, "ns").len(), 1);
}
