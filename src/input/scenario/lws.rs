//! `leaderworkerset.x-k8s.io/v1` LeaderWorkerSets (docs/lws.md, "Loading"): the spec with the
//! CRD's and the defaulting webhook's defaults (`replicas` 1, `size` 1, `restartPolicy`
//! RecreateGroupOnPodRestart, `Default` read as `None`, `startupPolicy` LeaderCreated,
//! `rolloutStrategy` RollingUpdate with maxUnavailable 1, maxSurge 0, partition 0,
//! `networkConfig.subdomainPolicy` Shared) and the validating webhook's checks, with its
//! messages.
//!
//! Sources (kubernetes-sigs/lws @ `060ab4da17eea1f0865fcbd3236bb1075e2cea32`, v0.10.0-11,
//! Apache-2.0): `api/leaderworkerset/v1/leaderworkerset_types.go` (`LeaderWorkerSetSpec`,
//! `LeaderWorkerTemplate`, `RolloutStrategy`, `SubGroupPolicy`, `NetworkConfig` and their
//! `+kubebuilder` defaults and enums), `pkg/webhooks/leaderworkerset_webhook.go` (`Default`,
//! `generalValidate`, `ValidatePositiveIntOrPercent`, `IsNotMoreThan100Percent`,
//! `validateUpdateSubGroupPolicy`), `pkg/schedulerprovider/volcano_provider.go`
//! (`CreatePodGroupIfNotExists`: the Volcano PodGroup of a group). The webhook aggregates its
//! errors; kubesim reports the first it meets, with file, line, field and fix.
//!
//! Loaded and not simulated, listed by `unmodelled` and warned about: `rolloutStrategy` (there
//! is no template change in a run), `networkConfig`, `subGroupPolicy` (checked), the volume
//! claims, and the exclusive-placement annotations.

use super::k8s::{
    HintScope, Meta, OBJECT_FIELDS, PodOwner, Workload, opt, pod_group, pod_template, read_hints, read_meta,
};
use super::view::{F, Obj, Res};
use crate::error::quote;
use crate::input::spec::{LwsRestartPolicy, LwsSpec, PodTemplate, WorkloadKind};

const SPEC_FIELDS: &[&str] = &[
    "leaderWorkerTemplate",
    "networkConfig",
    "replicas",
    "rolloutStrategy",
    "startupPolicy",
];
const TEMPLATE_FIELDS: &[&str] = &[
    "leaderTemplate",
    "persistentVolumeClaimRetentionPolicy",
    "restartPolicy",
    "size",
    "subGroupPolicy",
    "volumeClaimTemplates",
    "workerTemplate",
];

/// The annotation of the pods' Volcano queue (volcano-sh/apis `QueueNameAnnotationKey`), read
/// from the LeaderWorkerSet by `CreatePodGroupIfNotExists`.
const VOLCANO_QUEUE_ANNOTATION: &str = "scheduling.volcano.sh/queue-name";
/// `SubGroupExclusiveKeyAnnotationKey`.
const SUBGROUP_EXCLUSIVE: &str = "leaderworkerset.sigs.k8s.io/subgroup-exclusive-topology";
/// The webhook's bound on `replicas` (and the CRD's `Maximum`).
const MAX_REPLICAS: i128 = 1_000_000;

/// Converts a LeaderWorkerSet (`doc` is the whole object, `meta` its metadata).
pub(crate) fn leader_worker_set(doc: &Obj, meta: &Meta) -> Res<Workload> {
    let what = "a LeaderWorkerSet";
    doc.deny_unknown(OBJECT_FIELDS, what)?;
    check_name(doc, &meta.name)?;
    let hints = read_hints(doc, HintScope::Serving)?;
    let spec_f = doc.req(
        "spec",
        "add a spec with leaderWorkerTemplate.workerTemplate (the pods of a group) and replicas (the groups)",
    )?;
    let spec = spec_f.obj()?;
    spec.deny_unknown(SPEC_FIELDS, "a LeaderWorkerSet spec")?;
    let replicas = match spec.get("replicas") {
        None => 1,
        Some(f) => {
            let v = f.int_in(i128::from(i64::MIN), i128::from(i64::MAX))?;
            if v < 0 {
                return Err(f.err(
                    format!("Invalid value: {v}: replicas must be equal or greater than 0"),
                    "write the number of groups to keep running, 0 or more (replicas defaults to 1)",
                ));
            }
            if v > MAX_REPLICAS {
                return Err(f.err(
                    format!("Invalid value: {v}: replicas must be equal or less than 1000000"),
                    "write at most 1000000 groups",
                ));
            }
            v as u32
        }
    };
    let lwt_f = spec.req(
        "leaderWorkerTemplate",
        "add leaderWorkerTemplate: {size: <pods per group>, workerTemplate: {spec: {containers: [...]}}}",
    )?;
    let lwt = lwt_f.obj()?;
    lwt.deny_unknown(TEMPLATE_FIELDS, "a leaderWorkerTemplate")?;
    let size = match lwt.get("size") {
        None => 1,
        Some(f) => {
            let v = f.int_in(i128::from(i64::MIN), i128::from(i64::MAX))?;
            if v < 1 {
                return Err(f.err(
                    format!("Invalid value: {v}: size must be equal or greater than 1"),
                    "write the pods of a group, the leader included: 1 or more (size defaults to 1)",
                ));
            }
            v
        }
    };
    let pods = i128::from(replicas) * size;
    if pods > i128::from(crate::limits::MAX_WORKLOAD_PODS) {
        let at = spec
            .get("replicas")
            .unwrap_or_else(|| lwt.get("size").expect("size above 1"));
        return Err(at.err(
            format!(
                "{replicas} groups of {size} pods are {pods} pods, beyond kubesim's limit of {} pods per workload",
                crate::limits::MAX_WORKLOAD_PODS
            ),
            "use fewer or smaller groups, or split them into several LeaderWorkerSets",
        ));
    }
    let size = size as u32;
    let restart = match lwt.get("restartPolicy") {
        None => LwsRestartPolicy::RecreateGroupOnPodRestart,
        Some(f) => match f.str()? {
            "RecreateGroupOnPodRestart" => LwsRestartPolicy::RecreateGroupOnPodRestart,
            "RecreateGroupAfterStart" => LwsRestartPolicy::RecreateGroupAfterStart,
            // The webhook's `Default`: the deprecated name of None.
            "None" | "Default" => LwsRestartPolicy::None,
            other => {
                return unsupported(
                    &f,
                    other,
                    &[
                        "Default",
                        "RecreateGroupOnPodRestart",
                        "RecreateGroupAfterStart",
                        "None",
                    ],
                    "write RecreateGroupOnPodRestart (the default: a group is recreated as a whole when one of its \
                     pods is lost), RecreateGroupAfterStart or None (each pod is replaced alone)",
                );
            }
        },
    };
    let leader_ready = match spec.get("startupPolicy") {
        None => false,
        Some(f) => match f.str()? {
            "LeaderCreated" => false,
            "LeaderReady" => true,
            other => {
                return unsupported(
                    &f,
                    other,
                    &["LeaderCreated", "LeaderReady"],
                    "write LeaderCreated (the default: the workers are created with the leader) or LeaderReady \
                     (once the leader is ready)",
                );
            }
        },
    };
    rollout(&spec, replicas)?;
    if let Some(n) = spec.get("networkConfig") {
        let n = n.obj()?;
        n.deny_unknown(&["subdomainPolicy"], "a networkConfig")?;
        if let Some(p) = n.get("subdomainPolicy") {
            let v = p.str()?;
            if !matches!(v, "Shared" | "UniquePerReplica") {
                return unsupported(
                    &p,
                    v,
                    &["Shared", "UniquePerReplica"],
                    "write Shared (the default) or UniquePerReplica",
                );
            }
        }
    }
    sub_group_policy(&lwt, size, meta)?;
    for k in ["volumeClaimTemplates"] {
        if let Some(v) = lwt.get(k) {
            v.seq()?;
        }
    }
    let worker_f = lwt.req(
        "workerTemplate",
        "add workerTemplate: {spec: {containers: [...]}}, the pod template of the workers (and of the leader \
         without a leaderTemplate)",
    )?;
    let worker = template(&worker_f, &hints)?;
    let leader = match lwt.get("leaderTemplate") {
        Some(f) => template(&f, &hints)?,
        None => worker.clone(),
    };
    // The scheduler provider's PodGroup per group (`CreatePodGroupIfNotExists`): minMember the
    // group's size, 1 with LeaderReady (the leader is scheduled first).
    let volcano = |t: &PodTemplate| t.scheduler_name.as_deref() == Some("volcano");
    let mut leader = leader;
    let mut worker = worker;
    let volcano_gang = (volcano(&leader) || volcano(&worker)).then(|| {
        // The pod webhook names the group's PodGroup in every pod (`InjectPodGroupMetadata`),
        // over a group annotation of the template.
        leader.pod_group = None;
        worker.pod_group = None;
        let min = if leader_ready { 1 } else { size };
        let queue = meta
            .annotations
            .get(VOLCANO_QUEUE_ANNOTATION)
            .filter(|q| !q.is_empty())
            .cloned()
            .unwrap_or_else(|| "default".to_string());
        (min, queue)
    });
    Ok(Workload {
        kind: WorkloadKind::Lws(Box::new(LwsSpec {
            replicas,
            size,
            restart,
            leader_ready,
            schedule: hints.replicas_schedule.clone().unwrap_or_default(),
            volcano_gang,
            leader,
            worker,
        })),
        hints,
    })
}

/// A pod template (`leaderTemplate`, `workerTemplate`), its hints over the LeaderWorkerSet's.
fn template(f: &F, hints: &super::k8s::Hints) -> Res<PodTemplate> {
    let template = f.obj()?;
    template.deny_unknown(&["metadata", "spec"], "a pod template")?;
    let tmeta = read_meta(&template, false)?;
    let hints = hints.overridden_by(&read_hints(&template, HintScope::Serving)?);
    let group = pod_group(&template, &tmeta, true)?;
    let spec_f = template.req("spec", &format!("add the pod spec (containers) under {}", f.path))?;
    let mut pod = pod_template(&spec_f, tmeta.labels, hints.sim_hints(), PodOwner::Serving)?;
    pod.pod_group = group;
    Ok(pod)
}

/// The CRD schema's message for a value outside an enum.
fn unsupported<T>(f: &F, value: &str, supported: &[&str], fix: &str) -> Res<T> {
    let shown: Vec<String> = supported.iter().map(|s| quote(s)).collect();
    Err(f.err(
        format!(
            "Unsupported value: {}: supported values: {}",
            quote(value),
            shown.join(", ")
        ),
        fix,
    ))
}

/// The name is that of the headless Service: a DNS-1035 label (`generalValidate`,
/// `NameIsDNS1035Label`).
fn check_name(doc: &Obj, name: &str) -> Res<()> {
    if name.is_empty() {
        return Ok(());
    }
    let b = name.as_bytes();
    let ok = b.len() <= 63
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[b.len() - 1] != b'-';
    if ok {
        return Ok(());
    }
    let at = doc
        .get("metadata")
        .and_then(|m| m.obj().ok())
        .and_then(|m| m.get("name"))
        .expect("a named object");
    let message = if b.len() > 63 {
        format!("Invalid value: {}: must be no more than 63 characters", quote(name))
    } else {
        format!(
            "Invalid value: {}: a DNS-1035 label must consist of lower case alphanumeric characters or '-', \
             start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or \
             'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
            quote(name)
        )
    };
    Err(at.err(
        message,
        "name the LeaderWorkerSet with lower-case letters, digits and '-', starting with a letter (it names its \
         headless Service)",
    ))
}

/// `rolloutStrategy`: loaded and checked (`generalValidate`), not simulated.
fn rollout(spec: &Obj, replicas: u32) -> Res<()> {
    let Some(r) = spec.get("rolloutStrategy") else {
        return Ok(());
    };
    let r = r.obj()?;
    r.deny_unknown(&["rollingUpdateConfiguration", "type"], "a rolloutStrategy")?;
    if let Some(t) = r.get("type") {
        let v = t.str()?;
        if v != "RollingUpdate" {
            return unsupported(&t, v, &["RollingUpdate"], "write RollingUpdate (the only strategy)");
        }
    }
    let Some(c) = r.get("rollingUpdateConfiguration") else {
        return Ok(());
    };
    let c = c.obj()?;
    c.deny_unknown(
        &["maxSurge", "maxUnavailable", "partition"],
        "a rollingUpdateConfiguration",
    )?;
    let unavailable = opt(c.get("maxUnavailable"), |f| int_or_percent(f, replicas, false))?.unwrap_or(1);
    let surge = opt(c.get("maxSurge"), |f| int_or_percent(f, replicas, true))?.unwrap_or(0);
    if let Some(p) = c.get("partition") {
        let v = p.int_in(i128::from(i32::MIN), i128::from(i32::MAX))?;
        if v < 0 {
            return Err(p.err(
                format!("Invalid value: {v}: must be greater than or equal to 0"),
                "write 0 or more (partition defaults to 0)",
            ));
        }
    }
    if unavailable == 0 && surge == 0 && replicas != 0 {
        let at = c
            .get("maxUnavailable")
            .unwrap_or_else(|| c.get("maxSurge").expect("a zero maxSurge"));
        return Err(at.err(
            "Invalid value: 0: must not be 0 when `maxSurge` is 0",
            "let maxUnavailable or maxSurge be above 0",
        ));
    }
    Ok(())
}

/// An int-or-percent of `rollingUpdateConfiguration` (`ValidatePositiveIntOrPercent`,
/// `IsNotMoreThan100Percent`), scaled to `replicas` (`GetScaledValueFromIntOrPercent`, rounded
/// up when `round_up`).
fn int_or_percent(f: &F, replicas: u32, round_up: bool) -> Res<u64> {
    use super::yaml::Value;
    match &f.node.value {
        Value::Int(i) => {
            if *i < 0 {
                return Err(f.err(
                    format!("Invalid value: {i}: must be greater than or equal to 0"),
                    "write 0 or more, or a percentage such as '25%'",
                ));
            }
            Ok(*i as u64)
        }
        _ => {
            let s = f.str()?;
            let digits = s
                .strip_suffix('%')
                .filter(|d| !d.is_empty() && d.bytes().all(|c| c.is_ascii_digit()));
            let Some(d) = digits else {
                return Err(f.err(
                    format!(
                        "Invalid value: {}: a valid percent string must be a numeric string followed by an ending \
                         '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
                        quote(s)
                    ),
                    "write an integer or a percentage such as '25%'",
                ));
            };
            let pct: u64 = d.parse().unwrap_or(u64::MAX);
            if pct > 100 {
                return Err(f.err(
                    format!("Invalid value: {}: must not be greater than 100%", quote(s)),
                    "write a percentage up to 100%",
                ));
            }
            let scaled = pct * u64::from(replicas);
            Ok(if round_up { scaled.div_ceil(100) } else { scaled / 100 })
        }
    }
}

/// `subGroupPolicy`: loaded and checked (`validateUpdateSubGroupPolicy`), not simulated.
fn sub_group_policy(lwt: &Obj, size: u32, meta: &Meta) -> Res<()> {
    let Some(p) = lwt.get("subGroupPolicy") else {
        if meta.annotations.contains_key(SUBGROUP_EXCLUSIVE) {
            return Err(lwt.missing(
                "subGroupPolicy",
                &format!(
                    "metadata.annotations.{SUBGROUP_EXCLUSIVE}: cannot have subgroup-exclusive-topology without \
                     subGroupSize set: add subGroupPolicy.subGroupSize, or remove the annotation"
                ),
            ));
        }
        return Ok(());
    };
    let o = p.obj()?;
    o.deny_unknown(&["subGroupPolicyType", "subGroupSize"], "a subGroupPolicy")?;
    let leader_excluded = match o.get("subGroupPolicyType") {
        None => false,
        Some(t) => match t.str()? {
            "LeaderWorker" => false,
            "LeaderExcluded" => true,
            other => {
                return unsupported(
                    &t,
                    other,
                    &["LeaderWorker", "LeaderExcluded"],
                    "write LeaderWorker (the default) or LeaderExcluded",
                );
            }
        },
    };
    let Some(s) = o.get("subGroupSize") else {
        return Ok(());
    };
    let sub = s.int_in(i128::from(i32::MIN), i128::from(i32::MAX))?;
    let size = i128::from(size);
    let bad = |m: &str| {
        Err(s.err(
            format!("Invalid value: {sub}: {m}"),
            "write a subGroupSize from 1 to size that divides size or size - 1",
        ))
    };
    if sub < 1 {
        return bad("subGroupSize must be equal or greater than 1");
    }
    if size % sub != 0 && (size - 1) % sub != 0 {
        return bad("size or size - 1 must be divisible by subGroupSize");
    }
    if size < sub {
        return bad("subGroupSize cannot be larger than size");
    }
    if leader_excluded && (size - 1) % sub != 0 {
        return bad("size-1 must be divisible by subGroupSize when using LeaderExcluded");
    }
    Ok(())
}
