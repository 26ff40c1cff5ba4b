//! Conversion of the gang-scheduling objects: Volcano's batch.volcano.sh/v1alpha1 Job and
//! scheduling.volcano.sh/v1beta1 PodGroup and Queue, and the coscheduling plugin's
//! scheduling.x-k8s.io/v1alpha1 PodGroup (semantics.md 4, 5.1, 5.2, 5.6), with the checks of
//! Volcano's admission webhook for the modelled fields.
//!
//! A Volcano Job keeps the fields the user wrote: the defaults of the mutating webhook (VC-J1:
//! queue `default`, schedulerName `volcano`, maxRetry 3, task minAvailable = replicas, job
//! minAvailable = their sum) are applied by the simulation; only task names are defaulted here
//! (`default<i>`), because the uniqueness check needs them. Task templates are converted by the
//! pod-template code of `k8s`, as a Job's (restartPolicy defaults to Never). Unmodelled parts
//! (plugins, volumes, networkTopology, dependsOn, ...) are accepted and ignored.

use std::collections::BTreeMap;

use super::k8s::{
    self, HintScope, Hints, Meta, OBJECT_FIELDS, PodOwner, Workload, annotation_field, opt, read_hints, read_meta,
};
use super::view::{F, Obj, Res};
use crate::error::quote;
use crate::input::spec::{
    PodGroupApi, PodGroupSpec, QueueSpec, QueueState, SourceLoc, VcAction, VcEvent, VcPolicy, VcTask, VolcanoJobSpec,
    WorkloadKind,
};
use crate::limits::MAX_WORKLOAD_PODS;

// ----- Volcano Job ----------------------------------------------------------------------------

/// A Volcano Job's `spec` keys (also a JobTemplate's).
pub(crate) const VCJOB_SPEC_FIELDS: &[&str] = &[
    "maxRetry",
    "minAvailable",
    "minSuccess",
    "networkTopology",
    "plugins",
    "policies",
    "priorityClassName",
    "queue",
    "runningEstimate",
    "schedulerName",
    "tasks",
    "ttlSecondsAfterFinished",
    "volumes",
];

const VCTASK_FIELDS: &[&str] = &[
    "dependsOn",
    "maxRetry",
    "minAvailable",
    "name",
    "partitionPolicy",
    "policies",
    "replicas",
    "template",
    "topologyPolicy",
];

const POLICY_FIELDS: &[&str] = &["action", "event", "events", "exitCode", "timeout"];

const EVENTS: &[(&str, VcEvent)] = &[
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
    ("*", VcEvent::Any),
];

const ACTIONS: &[(&str, VcAction)] = &[
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

fn names<T>(table: &[(&str, T)]) -> String {
    table.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}

/// Converts a batch.volcano.sh/v1alpha1 Job (`doc` is the whole object).
pub(crate) fn volcano_job(doc: &Obj) -> Res<Workload> {
    doc.deny_unknown(OBJECT_FIELDS, "a Volcano Job")?;
    let job_hints = read_hints(doc, HintScope::VolcanoJob)?;
    let spec = doc
        .req(
            "spec",
            "add a spec with tasks: [{name, replicas, template: {spec: {containers: [...]}}}]",
        )?
        .obj()?;
    spec.deny_unknown(VCJOB_SPEC_FIELDS, "a Volcano Job spec")?;
    let Tasks {
        tasks,
        submit_at: task_submit_at,
        total_replicas,
    } = vc_tasks(&spec, &job_hints)?;
    let min_available = opt(spec.get("minAvailable"), |f| f.u32())?;
    if let Some(m) = min_available
        && u64::from(m) > total_replicas
        && let Some(f) = spec.get("minAvailable")
    {
        return Err(f.err(
            format!("minAvailable {m} is greater than the total replicas of the tasks ({total_replicas})"),
            format!("write minAvailable of at most {total_replicas}, or add replicas to the tasks"),
        ));
    }
    let queue = opt(spec.get("queue"), |f| f.name())?;
    let scheduler_name = opt(spec.get("schedulerName"), |f| f.name())?;
    let priority_class_name = opt(spec.get("priorityClassName"), |f| f.name())?;
    let max_retry = opt(spec.get("maxRetry"), |f| f.u32())?;
    let min_success = opt(spec.get("minSuccess"), |f| {
        f.int_in(1, i128::from(i32::MAX)).map(|v| v as u32)
    })?;
    let ttl_seconds_after_finished = opt(spec.get("ttlSecondsAfterFinished"), |f| {
        f.int_in(0, i128::from(i32::MAX)).map(|v| v as u64)
    })?;
    let policies = opt(spec.get("policies"), policies)?.unwrap_or_default();

    // The task templates' submit-at wins over the job's (they agree, checked above).
    let mut hints = job_hints;
    if let Some((at, _)) = task_submit_at {
        hints.submit_at_ms = Some(at);
    }
    Ok(Workload {
        kind: WorkloadKind::VolcanoJob(VolcanoJobSpec {
            min_available,
            queue,
            scheduler_name,
            priority_class_name,
            max_retry,
            min_success,
            ttl_seconds_after_finished,
            policies,
            tasks,
        }),
        hints,
    })
}

/// A Volcano Job's tasks, with what the job-level checks need of them.
struct Tasks {
    tasks: Vec<VcTask>,
    /// A submit-at on task templates, with the first task that wrote it.
    submit_at: Option<(u64, usize)>,
    total_replicas: u64,
}

/// Reads `spec.tasks`: at least one, unique names, one submit-at among the task templates, and
/// at most [`MAX_WORKLOAD_PODS`] replicas in all.
fn vc_tasks(spec: &Obj, job_hints: &Hints) -> Res<Tasks> {
    let tasks_f = spec.req(
        "tasks",
        "list at least one task: tasks: [{name, replicas, template: {spec: {containers: [...]}}}]",
    )?;
    let items = tasks_f.seq()?;
    if items.is_empty() {
        return Err(tasks_f.err(
            "the Volcano Job has no task",
            "list at least one task with name, replicas and template",
        ));
    }
    let mut tasks: Vec<VcTask> = Vec::new();
    let mut task_names: BTreeMap<String, usize> = BTreeMap::new();
    let mut task_submit_at: Option<(u64, usize)> = None;
    let mut total_replicas: u64 = 0;
    for (i, t) in items.iter().enumerate() {
        let (task, t_hints, name_f) = vc_task(t, i, job_hints)?;
        if let Some(first) = task_names.get(&task.name) {
            return Err(name_f.err(
                format!(
                    "two tasks are named {} (spec.tasks[{first}] and spec.tasks[{i}])",
                    quote(&task.name)
                ),
                "give every task its own name (an unnamed task i is named default<i>)",
            ));
        }
        task_names.insert(task.name.clone(), i);
        if let Some(at) = t_hints.submit_at_ms {
            match task_submit_at {
                None => task_submit_at = Some((at, i)),
                Some((first_at, first)) if first_at != at => {
                    let f = annotation_field(&t.obj()?.req("template", "")?.obj()?, "kubesim.io/submit-at")?
                        .unwrap_or_else(|| t.clone());
                    return Err(f.err(
                        format!(
                            "the tasks are submitted at different times (spec.tasks[{first}] and \
                             spec.tasks[{i}]); a Volcano Job is created as a whole"
                        ),
                        "put kubesim.io/submit-at on the Volcano Job's metadata only",
                    ));
                }
                Some(_) => {}
            }
        }
        total_replicas += u64::from(task.replicas);
        k8s::check_workload_pods(t, "tasks", total_replicas, "split the work into several Volcano Jobs")?;
        tasks.push(task);
    }
    Ok(Tasks {
        tasks,
        submit_at: task_submit_at,
        total_replicas,
    })
}

/// One task: the task, the hints of its template's metadata, and the field to blame for its
/// name (the task itself when the name is defaulted).
fn vc_task<'a>(f: &F<'a>, index: usize, job_hints: &Hints) -> Res<(VcTask, Hints, F<'a>)> {
    let o = f.obj()?;
    o.deny_unknown(VCTASK_FIELDS, "a Volcano Job task")?;
    // The mutating webhook names unnamed tasks default<i>; an empty name is no name.
    let (name, name_f) = match o.get("name") {
        Some(n) if !n.str()?.is_empty() => (n.str()?.to_string(), n),
        _ => (format!("default{index}"), f.clone()),
    };
    let replicas = opt(o.get("replicas"), |f| {
        f.bounded(
            0,
            i128::from(MAX_WORKLOAD_PODS),
            "pods per workload",
            "split the work into several Volcano Jobs",
        )
        .map(|v| v as u32)
    })?
    .unwrap_or(0);
    let min_available = opt(o.get("minAvailable"), |f| f.u32())?;
    if let Some(m) = min_available
        && m > replicas
        && let Some(mf) = o.get("minAvailable")
    {
        return Err(mf.err(
            format!("the task's minAvailable {m} is greater than its replicas {replicas}"),
            "write minAvailable of at most replicas (or omit it: it defaults to replicas)",
        ));
    }
    let max_retry = opt(o.get("maxRetry"), |f| f.u32())?;
    let policies = opt(o.get("policies"), policies)?.unwrap_or_default();
    let template_f = o.req(
        "template",
        "add template: the pod template of the task's pods (template.spec.containers)",
    )?;
    let template = template_f.obj()?;
    template.deny_unknown(&["metadata", "spec"], "a pod template")?;
    let tmeta: Meta = read_meta(&template, false)?;
    let t_hints = read_hints(&template, HintScope::VolcanoJob)?;
    let merged = job_hints.overridden_by(&t_hints);
    let pod_group = k8s::pod_group(&template, &tmeta, false)?;
    let pod_spec_f = template.req("spec", "add the pod spec (containers) under template")?;
    let mut pod = k8s::pod_template(&pod_spec_f, tmeta.labels, merged.sim_hints(), PodOwner::VolcanoTask)?;
    pod.pod_group = pod_group;
    Ok((
        VcTask {
            name,
            replicas,
            min_available,
            max_retry,
            policies,
            template: pod,
        },
        t_hints,
        name_f,
    ))
}

fn event(f: &F) -> Res<VcEvent> {
    let s = f.str()?;
    EVENTS.iter().find(|(n, _)| *n == s).map(|(_, e)| *e).ok_or_else(|| {
        f.err(
            format!("unknown policy event {}", quote(s)),
            format!("write one of: {}", names(EVENTS)),
        )
    })
}

fn action(f: &F) -> Res<VcAction> {
    let s = f.str()?;
    ACTIONS.iter().find(|(n, _)| *n == s).map(|(_, a)| *a).ok_or_else(|| {
        f.err(
            format!("unknown policy action {}", quote(s)),
            format!("write one of: {}", names(ACTIONS)),
        )
    })
}

/// A `policies` list (job or task level), checked as Volcano's webhook does: each policy has
/// event(s) or a non-zero exitCode, not both; no event or exit code in two policies; `*` alone.
fn policies(f: &F) -> Res<Vec<VcPolicy>> {
    let mut out = Vec::new();
    let mut seen_events: BTreeMap<VcEvent, usize> = BTreeMap::new();
    let mut seen_codes: BTreeMap<i32, usize> = BTreeMap::new();
    for (i, p) in f.seq()?.into_iter().enumerate() {
        let o = p.obj()?;
        o.deny_unknown(POLICY_FIELDS, "a Volcano Job policy")?;
        let mut event_fs = Vec::new();
        if let Some(e) = o.get("event") {
            event_fs.push(e);
        }
        if let Some(es) = o.get("events") {
            event_fs.extend(es.seq()?);
        }
        let exit_code_f = o.get("exitCode");
        if event_fs.is_empty() == exit_code_f.is_none() {
            let message = if event_fs.is_empty() {
                "the policy has no event, events or exitCode"
            } else {
                "the policy has both an event and an exitCode"
            };
            return Err(p.err(
                message,
                "give each policy exactly one trigger: event (or a list of events) or exitCode",
            ));
        }
        let mut events: Vec<VcEvent> = Vec::new();
        for ef in &event_fs {
            let e = event(ef)?;
            if events.contains(&e) {
                continue; // Volcano merges event and events, dropping repeats.
            }
            if let Some(first) = seen_events.get(&e) {
                return Err(ef.err(
                    format!("event {} is already handled by policy {first} of this list", ef.str()?),
                    "handle each event in one policy only (Volcano rejects duplicates)",
                ));
            }
            let any_clash = if e == VcEvent::Any {
                !seen_events.is_empty()
            } else {
                seen_events.contains_key(&VcEvent::Any)
            };
            if any_clash {
                return Err(ef.err(
                    "event * (any event) cannot be combined with other events in one policy list",
                    "keep either one policy with event \"*\" or policies for named events",
                ));
            }
            seen_events.insert(e, i);
            events.push(e);
        }
        let exit_code = match &exit_code_f {
            None => None,
            Some(cf) => {
                let code = cf.i32()?;
                if code == 0 {
                    return Err(cf.err(
                        "exitCode 0 is not a valid policy exit code (0 is success)",
                        "write a non-zero exit code",
                    ));
                }
                if let Some(first) = seen_codes.get(&code) {
                    return Err(cf.err(
                        format!("exitCode {code} is already handled by policy {first} of this list"),
                        "handle each exit code in one policy only (Volcano rejects duplicates)",
                    ));
                }
                seen_codes.insert(code, i);
                Some(code)
            }
        };
        let action = action(&o.req("action", &format!("add action: one of {}", names(ACTIONS)))?)?;
        let timeout_ms = opt(o.get("timeout"), |f| f.duration_ms())?;
        out.push(VcPolicy {
            events,
            exit_code,
            action,
            timeout_ms,
        });
    }
    Ok(out)
}

// ----- PodGroup -------------------------------------------------------------------------------

const VOLCANO_PODGROUP_SPEC_FIELDS: &[&str] = &[
    "minMember",
    "minResources",
    "minTaskMember",
    "networkTopology",
    "priorityClassName",
    "queue",
    "subGroupPolicy",
];

const COSCHEDULING_PODGROUP_SPEC_FIELDS: &[&str] = &["minMember", "minResources", "scheduleTimeoutSeconds"];

/// Converts a PodGroup of either API (`doc` is the whole object, `meta` its metadata).
pub(crate) fn pod_group(doc: &Obj, api: PodGroupApi, meta: Meta, loc: &SourceLoc) -> Res<PodGroupSpec> {
    doc.deny_unknown(OBJECT_FIELDS, "a PodGroup")?;
    let spec = match api {
        PodGroupApi::Volcano => opt(doc.get("spec"), |f| f.obj())?,
        PodGroupApi::Coscheduling => Some(doc.req("spec", "add spec: {minMember: <pods in the gang>}")?.obj()?),
    };
    let mut pg = PodGroupSpec {
        api,
        namespace: meta.namespace.unwrap_or_else(|| k8s::DEFAULT_NAMESPACE.to_string()),
        name: meta.name,
        min_member: 1,
        min_resources: None,
        queue: None,
        priority_class_name: None,
        schedule_timeout_s: None,
        loc: loc.clone(),
    };
    let Some(spec) = spec else {
        return Ok(pg);
    };
    let (fields, what) = match api {
        PodGroupApi::Volcano => (VOLCANO_PODGROUP_SPEC_FIELDS, "a Volcano PodGroup spec"),
        PodGroupApi::Coscheduling => (COSCHEDULING_PODGROUP_SPEC_FIELDS, "a coscheduling PodGroup spec"),
    };
    spec.deny_unknown(fields, what)?;
    let min_member_f = match api {
        PodGroupApi::Volcano => spec.get("minMember"),
        PodGroupApi::Coscheduling => Some(spec.req(
            "minMember",
            "add minMember: the number of pods that must be placed together",
        )?),
    };
    if let Some(f) = min_member_f {
        pg.min_member = f.bounded(
            1,
            i128::from(MAX_WORKLOAD_PODS),
            "pods per workload",
            "a gang has at most this many members",
        )? as u32;
    }
    pg.min_resources = opt(spec.get("minResources"), |f| f.resource_list())?;
    pg.queue = opt(spec.get("queue"), |f| f.name())?;
    pg.priority_class_name = opt(spec.get("priorityClassName"), |f| f.name())?;
    pg.schedule_timeout_s = opt(spec.get("scheduleTimeoutSeconds"), |f| {
        f.int_in(0, i128::from(i32::MAX)).map(|v| v as u64)
    })?;
    Ok(pg)
}

// ----- Queue ----------------------------------------------------------------------------------

const QUEUE_SPEC_FIELDS: &[&str] = &[
    "affinity",
    "capability",
    "dequeueStrategy",
    "deserved",
    "extendClusters",
    "guarantee",
    "parent",
    "priority",
    "reclaimable",
    "type",
    "weight",
];

/// Converts a scheduling.volcano.sh/v1beta1 Queue with the mutating webhook's defaults (VC-Q1):
/// weight 1, reclaimable true. The state is Open (`status` is accepted and ignored).
pub(crate) fn queue(doc: &Obj, meta: Meta, loc: &SourceLoc) -> Res<QueueSpec> {
    doc.deny_unknown(OBJECT_FIELDS, "a Queue")?;
    let mut q = QueueSpec {
        name: meta.name,
        weight: 1,
        capability: Default::default(),
        guarantee: Default::default(),
        deserved: Default::default(),
        reclaimable: true,
        priority: 0,
        state: QueueState::Open,
        loc: loc.clone(),
    };
    let Some(spec) = opt(doc.get("spec"), |f| f.obj())? else {
        return Ok(q);
    };
    spec.deny_unknown(QUEUE_SPEC_FIELDS, "a Queue spec")?;
    if let Some(w) = spec.get("weight") {
        let v = w.i32()?;
        if v < 1 {
            return Err(w.err(
                format!("weight {v} is not positive"),
                "write a weight of at least 1 (or omit it: it defaults to 1)",
            ));
        }
        q.weight = v as u32;
    }
    q.capability = opt(spec.get("capability"), |f| f.resource_list())?.unwrap_or_default();
    q.deserved = opt(spec.get("deserved"), |f| f.resource_list())?.unwrap_or_default();
    if let Some(g) = spec.get("guarantee") {
        let go = g.obj()?;
        go.deny_unknown(&["resource"], "a Queue guarantee")?;
        q.guarantee = opt(go.get("resource"), |f| f.resource_list())?.unwrap_or_default();
    }
    q.reclaimable = opt(spec.get("reclaimable"), |f| f.bool())?.unwrap_or(true);
    q.priority = opt(spec.get("priority"), |f| f.i32())?.unwrap_or(0);
    Ok(q)
}
