//! batch/v1 Jobs: the spec fields (counts, completion mode, deadlines), the pod template with
//! the Job's and the template's hints, and the podFailurePolicy and successPolicy rules, with the
//! API server's checks.

use super::{HintScope, Hints, OBJECT_FIELDS, PodOwner, Workload, opt, pod_group, pod_template, read_hints, read_meta};
use crate::error::quote;
use crate::input::scenario::view::{F, Obj, Res, err_at};
use crate::input::spec::{
    CompletionMode, ExitCodeOperator, JobSpec, PfpAction, PfpExitCodes, PfpPodCondition, PfpRule, PodReplacementPolicy,
    PodTemplate, RestartPolicy, SuccessPolicyRule,
};
use crate::limits::{MAX_DURATION_MS, MAX_WORKLOAD_PODS};

const JOB_SPEC_FIELDS: &[&str] = &[
    "activeDeadlineSeconds",
    "backoffLimit",
    "backoffLimitPerIndex",
    "completionMode",
    "completions",
    "managedBy",
    "manualSelector",
    "maxFailedIndexes",
    "parallelism",
    "podFailurePolicy",
    "podReplacementPolicy",
    "selector",
    "successPolicy",
    "suspend",
    "template",
    "ttlSecondsAfterFinished",
];

/// Maximum podFailurePolicy rules (Kubernetes' own limit).
const MAX_PFP_RULES: usize = 20;
/// Maximum exit codes in one `onExitCodes` (Kubernetes' own limit).
const MAX_EXIT_CODES: usize = 255;
/// Maximum patterns in one `onPodConditions` (Kubernetes' own limit).
const MAX_POD_CONDITIONS: usize = 20;
/// Maximum successPolicy rules (Kubernetes' own limit).
const MAX_SUCCESS_RULES: usize = 20;

/// The defaults of a Job spec that depend on who writes it: the API server's for a batch/v1
/// Job ([`JobDefaults::JOB`]), the JobSet webhook's for a replicatedJob's Job template
/// ([`JobDefaults::JOBSET`]).
#[derive(Clone, Copy)]
pub(crate) struct JobDefaults {
    /// `completionMode` when unwritten.
    pub completion_mode: CompletionMode,
    /// Where the pod template sits: its `restartPolicy` when unwritten.
    pub pod_owner: PodOwner,
    /// The kubesim annotations its pod template may carry.
    pub template_hints: HintScope,
    /// Who set the defaults, for the fixes of errors about a defaulted value.
    pub by: &'static str,
}

impl JobDefaults {
    /// A batch/v1 Job: NonIndexed, pods `restartPolicy: Never` (kubesim's leniency, see the
    /// module header of `k8s`).
    pub const JOB: JobDefaults = JobDefaults {
        completion_mode: CompletionMode::NonIndexed,
        pod_owner: PodOwner::Job,
        template_hints: HintScope::Job,
        by: "kubesim",
    };
    /// A JobSet's replicatedJob template: Indexed, pods `restartPolicy: OnFailure` (jobset
    /// `pkg/webhooks/jobset_webhook.go` `Default`).
    pub const JOBSET: JobDefaults = JobDefaults {
        completion_mode: CompletionMode::Indexed,
        pod_owner: PodOwner::JobSetJob,
        template_hints: HintScope::JobSetTemplate,
        by: "the JobSet webhook",
    };
}

/// Converts a batch/v1 Job (`doc` is the whole object).
pub(crate) fn job(doc: &Obj) -> Res<Workload> {
    doc.deny_unknown(OBJECT_FIELDS, "a Job")?;
    let job_hints = read_hints(doc, HintScope::Job)?;
    let spec = doc
        .req("spec", "add a spec with a pod template (spec.template.spec.containers)")?
        .obj()?;
    let (job, hints) = job_spec(&spec, &job_hints, JobDefaults::JOB)?;
    Ok(Workload {
        kind: crate::input::spec::WorkloadKind::Job(job),
        hints,
    })
}

/// Converts the Job spec `spec` with `defaults`: its fields, its pod template with the hints
/// `job_hints` (of the objects above it) overridden by the template's, and the API server's
/// checks. Returns the spec and the merged hints.
pub(crate) fn job_spec(spec: &Obj, job_hints: &Hints, defaults: JobDefaults) -> Res<(JobSpec, Hints)> {
    spec.deny_unknown(JOB_SPEC_FIELDS, "a Job spec")?;
    let (pod, hints) = job_template(spec, job_hints, defaults)?;
    let counts = job_counts(spec, defaults)?;
    let indexed = counts.completion_mode == CompletionMode::Indexed;
    let pod_failure_policy = match spec.get("podFailurePolicy") {
        None => None,
        Some(p) => {
            if pod.restart_policy != RestartPolicy::Never {
                let at = format!("{}.template.spec.restartPolicy", spec.path);
                let written = opt(spec.get("template"), |t| t.obj())?
                    .and_then(|t| t.get("spec"))
                    .and_then(|p| p.obj().ok())
                    .is_some_and(|p| p.get("restartPolicy").is_some());
                let fix = if written {
                    format!("set {at}: Never")
                } else {
                    format!(
                        "set {at}: Never ({} defaults it to {:?})",
                        defaults.by, pod.restart_policy
                    )
                };
                return Err(p.err(
                    "podFailurePolicy needs the pod template's restartPolicy to be Never",
                    fix,
                ));
            }
            Some(pfp_rules(&p, counts.backoff_limit_per_index.is_some())?)
        }
    };
    let pod_replacement_policy = pod_replacement_policy(spec, pod_failure_policy.is_some())?;
    let success_policy = match spec.get("successPolicy") {
        None => Vec::new(),
        Some(sp) => {
            if !indexed {
                return Err(sp.err(
                    "successPolicy needs completionMode: Indexed",
                    "add completionMode: Indexed, or remove successPolicy",
                ));
            }
            success_rules(&sp)?
        }
    };
    let active_deadline_s = match spec.get("activeDeadlineSeconds") {
        None => None,
        Some(f) => Some(f.bounded(
            1,
            i128::from(MAX_DURATION_MS / 1000),
            "seconds (100 years)",
            "write a shorter deadline, or remove it",
        )? as u64),
    };
    let ttl_seconds_after_finished = opt(spec.get("ttlSecondsAfterFinished"), |f| {
        f.int_in(0, i128::from(i32::MAX)).map(|v| v as u64)
    })?;
    let suspend = opt(spec.get("suspend"), |f| f.bool())?.unwrap_or(false);
    let job = JobSpec {
        completions: counts.completions,
        parallelism: counts.parallelism,
        completion_mode: counts.completion_mode,
        backoff_limit: counts.backoff_limit,
        backoff_limit_per_index: counts.backoff_limit_per_index,
        max_failed_indexes: counts.max_failed_indexes,
        pod_failure_policy,
        pod_replacement_policy,
        success_policy,
        active_deadline_s,
        ttl_seconds_after_finished,
        suspend,
        template: pod,
    };
    Ok((job, hints))
}

/// The Job's pod template (`spec.template`), and the Job's hints `job_hints` overridden by the
/// template's.
fn job_template(spec: &Obj, job_hints: &Hints, defaults: JobDefaults) -> Res<(PodTemplate, Hints)> {
    let template_f = spec.req("template", "add spec.template with the pod spec of the Job's pods")?;
    let template = template_f.obj()?;
    template.deny_unknown(&["metadata", "spec"], "a pod template")?;
    let tmeta = read_meta(&template, false)?;
    let t_hints = read_hints(&template, defaults.template_hints)?;
    let hints = job_hints.overridden_by(&t_hints);
    let pod_group = pod_group(&template, &tmeta, true)?;
    let pod_spec_f = template.req("spec", "add the pod spec (containers) under spec.template")?;
    let mut pod = pod_template(&pod_spec_f, tmeta.labels, hints.sim_hints(), defaults.pod_owner)?;
    pod.pod_group = pod_group;
    Ok((pod, hints))
}

/// A Job's counts and completion mode, checked together.
struct JobCounts {
    completions: Option<u32>,
    parallelism: Option<u32>,
    backoff_limit: Option<u32>,
    backoff_limit_per_index: Option<u32>,
    max_failed_indexes: Option<u32>,
    completion_mode: CompletionMode,
}

/// Reads `completions`, `parallelism`, `backoffLimit`, `backoffLimitPerIndex`, `maxFailedIndexes`
/// and `completionMode` (`defaults.completion_mode` when unwritten), then checks what Indexed
/// mode requires. An Indexed Job with neither completions nor parallelism gets `completions: 1`,
/// as the API server's defaulting gives it (kubernetes `pkg/apis/batch/v1/defaults.go`
/// `SetDefaults_Job`: both unset are both 1) before its validation requires completions.
fn job_counts(spec: &Obj, defaults: JobDefaults) -> Res<JobCounts> {
    let u32_of = |k: &str| opt(spec.get(k), |f| f.u32());
    // Pods are created and tracked per completion (and per index): bounded before anything
    // is sized by them.
    let pods_of = |k: &str| {
        opt(spec.get(k), |f| {
            f.bounded(
                0,
                i128::from(MAX_WORKLOAD_PODS),
                "pods per workload",
                "split the work into several Jobs",
            )
            .map(|v| v as u32)
        })
    };
    let mut completions = pods_of("completions")?;
    let parallelism = pods_of("parallelism")?;
    let backoff_limit = u32_of("backoffLimit")?;
    let backoff_limit_per_index = u32_of("backoffLimitPerIndex")?;
    // The API server's bound (maxFailedIndexesForIndexedJob).
    let max_failed_indexes = opt(spec.get("maxFailedIndexes"), |f| {
        f.bounded(0, 100_000, "(the API server's limit)", "write fewer failed indexes")
            .map(|v| v as u32)
    })?;
    let completion_mode = match spec.get("completionMode") {
        None => defaults.completion_mode,
        Some(m) => match m.str()? {
            "NonIndexed" => CompletionMode::NonIndexed,
            "Indexed" => CompletionMode::Indexed,
            other => {
                return Err(m.err(
                    format!("unknown completionMode {}", quote(other)),
                    "write NonIndexed or Indexed",
                ));
            }
        },
    };
    let indexed = completion_mode == CompletionMode::Indexed;
    if indexed && completions.is_none() {
        if parallelism.is_some() {
            let fix = if spec.get("completionMode").is_some() {
                "add completions (the number of completion indexes)".to_string()
            } else {
                format!(
                    "add completions (the number of completion indexes), or write completionMode: \
                     NonIndexed ({} makes the Job Indexed when completionMode is unwritten)",
                    defaults.by
                )
            };
            return Err(err_at(
                spec.pos,
                &format!("{}.completions", spec.path),
                "missing completions: Required value: when completion mode is Indexed",
                fix,
            ));
        }
        completions = Some(1);
    }
    if let Some(f) = spec.get("backoffLimitPerIndex")
        && !indexed
    {
        return Err(f.err(
            "backoffLimitPerIndex needs completionMode: Indexed",
            "add completionMode: Indexed, or use backoffLimit",
        ));
    }
    if let Some(f) = spec.get("maxFailedIndexes")
        && backoff_limit_per_index.is_none()
    {
        return Err(f.err(
            "maxFailedIndexes needs backoffLimitPerIndex",
            "add backoffLimitPerIndex, or remove maxFailedIndexes",
        ));
    }
    Ok(JobCounts {
        completions,
        parallelism,
        backoff_limit,
        backoff_limit_per_index,
        max_failed_indexes,
        completion_mode,
    })
}

/// `podReplacementPolicy` (TerminatingOrFailed is refused with a podFailurePolicy).
fn pod_replacement_policy(spec: &Obj, has_pfp: bool) -> Res<Option<PodReplacementPolicy>> {
    Ok(match spec.get("podReplacementPolicy") {
        None => None,
        Some(p) => Some(match p.str()? {
            "TerminatingOrFailed" => {
                if has_pfp {
                    return Err(p.err(
                        "with a podFailurePolicy, podReplacementPolicy must be Failed",
                        "write podReplacementPolicy: Failed or remove it",
                    ));
                }
                PodReplacementPolicy::TerminatingOrFailed
            }
            "Failed" => PodReplacementPolicy::Failed,
            other => {
                return Err(p.err(
                    format!("unknown podReplacementPolicy {}", quote(other)),
                    "write TerminatingOrFailed or Failed",
                ));
            }
        }),
    })
}

fn pfp_rules(f: &F, per_index: bool) -> Res<Vec<PfpRule>> {
    let o = f.obj()?;
    o.deny_unknown(&["rules"], "podFailurePolicy")?;
    let rules_f = o.req("rules", "list the podFailurePolicy rules")?;
    let items = rules_f.seq()?;
    if items.len() > MAX_PFP_RULES {
        return Err(rules_f.err(
            format!("{} rules; at most {MAX_PFP_RULES} are allowed", items.len()),
            format!("keep at most {MAX_PFP_RULES} rules"),
        ));
    }
    let mut rules = Vec::new();
    for r in items {
        let ro = r.obj()?;
        ro.deny_unknown(&["action", "onExitCodes", "onPodConditions"], "a podFailurePolicy rule")?;
        let action = pfp_action(&ro, per_index)?;
        let on_exit_codes = opt(ro.get("onExitCodes"), on_exit_codes)?;
        let on_pod_conditions = opt(ro.get("onPodConditions"), on_pod_conditions)?.unwrap_or_default();
        if on_exit_codes.is_some() != on_pod_conditions.is_empty() {
            return Err(r.err(
                "a podFailurePolicy rule needs exactly one of onExitCodes and onPodConditions",
                "keep one of onExitCodes or onPodConditions in this rule",
            ));
        }
        rules.push(PfpRule {
            action,
            on_exit_codes,
            on_pod_conditions,
        });
    }
    Ok(rules)
}

/// A podFailurePolicy rule's `action` (FailIndex only with backoffLimitPerIndex, `per_index`).
fn pfp_action(ro: &Obj, per_index: bool) -> Res<PfpAction> {
    let af = ro.req("action", "add action: FailJob, FailIndex, Ignore or Count")?;
    Ok(match af.str()? {
        "FailJob" => PfpAction::FailJob,
        "FailIndex" if per_index => PfpAction::FailIndex,
        "FailIndex" => {
            return Err(af.err(
                "action FailIndex needs backoffLimitPerIndex",
                "add spec.backoffLimitPerIndex, or use FailJob",
            ));
        }
        "Ignore" => PfpAction::Ignore,
        "Count" => PfpAction::Count,
        other => {
            return Err(af.err(
                format!("unknown action {}", quote(other)),
                "write FailJob, FailIndex, Ignore or Count",
            ));
        }
    })
}

/// A podFailurePolicy rule's `onExitCodes`.
fn on_exit_codes(f: &F) -> Res<PfpExitCodes> {
    let eo = f.obj()?;
    eo.deny_unknown(&["containerName", "operator", "values"], "onExitCodes")?;
    let container_name = opt(eo.get("containerName"), |f| f.name())?;
    let of = eo.req("operator", "add operator: In or NotIn")?;
    let operator = match of.str()? {
        "In" => ExitCodeOperator::In,
        "NotIn" => ExitCodeOperator::NotIn,
        other => {
            return Err(of.err(format!("unknown operator {}", quote(other)), "write In or NotIn"));
        }
    };
    let vf = eo.req("values", "list the exit codes")?;
    let vals = vf.seq()?;
    if vals.is_empty() || vals.len() > MAX_EXIT_CODES {
        return Err(vf.err(
            format!("{} exit codes listed", vals.len()),
            format!("list from 1 to {MAX_EXIT_CODES} exit codes"),
        ));
    }
    let mut values = Vec::new();
    for v in vals {
        let code = v.i32()?;
        if operator == ExitCodeOperator::In && code == 0 {
            return Err(v.err(
                "exit code 0 cannot be listed with operator In",
                "remove 0 (a pod that exits 0 succeeded)",
            ));
        }
        values.push(code);
    }
    Ok(PfpExitCodes {
        container_name,
        operator,
        values,
    })
}

/// A podFailurePolicy rule's `onPodConditions` (status defaults to True).
fn on_pod_conditions(f: &F) -> Res<Vec<PfpPodCondition>> {
    let mut on_pod_conditions = Vec::new();
    let items = f.seq()?;
    if items.len() > MAX_POD_CONDITIONS {
        return Err(f.err(
            format!("{} patterns; at most {MAX_POD_CONDITIONS} are allowed", items.len()),
            format!("keep at most {MAX_POD_CONDITIONS} patterns"),
        ));
    }
    for c in items {
        let co = c.obj()?;
        co.deny_unknown(&["type", "status"], "onPodConditions")?;
        let condition_type = co.req("type", "add type, e.g. DisruptionTarget")?.name()?;
        let status = match co.get("status") {
            None => "True".to_string(),
            Some(s) => match s.str()? {
                st @ ("True" | "False" | "Unknown") => st.to_string(),
                other => {
                    return Err(s.err(
                        format!("unknown condition status {}", quote(other)),
                        "write True, False or Unknown",
                    ));
                }
            },
        };
        on_pod_conditions.push(PfpPodCondition { condition_type, status });
    }
    Ok(on_pod_conditions)
}

fn success_rules(f: &F) -> Res<Vec<SuccessPolicyRule>> {
    let o = f.obj()?;
    o.deny_unknown(&["rules"], "successPolicy")?;
    let rules_f = o.req("rules", "list the successPolicy rules")?;
    let items = rules_f.seq()?;
    if items.is_empty() || items.len() > MAX_SUCCESS_RULES {
        return Err(rules_f.err(
            format!("{} successPolicy rules", items.len()),
            format!("list from 1 to {MAX_SUCCESS_RULES} rules"),
        ));
    }
    let mut rules = Vec::new();
    for r in items {
        let ro = r.obj()?;
        ro.deny_unknown(&["succeededIndexes", "succeededCount"], "a successPolicy rule")?;
        let succeeded_indexes = opt(ro.get("succeededIndexes"), |f| f.name())?;
        let succeeded_count = opt(ro.get("succeededCount"), |f| f.u32())?;
        if succeeded_indexes.is_none() && succeeded_count.is_none() {
            return Err(r.err(
                "a successPolicy rule needs succeededIndexes or succeededCount",
                "add succeededIndexes (e.g. \"0-3\") or succeededCount",
            ));
        }
        rules.push(SuccessPolicyRule {
            succeeded_indexes,
            succeeded_count,
        });
    }
    Ok(rules)
}
