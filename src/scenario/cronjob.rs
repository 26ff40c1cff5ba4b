//! batch/v1 CronJob from the YAML tree (semantics.md section 2): the schedule and time zone are
//! checked as the API server validates them (robfig/cron v3 `ParseStandard`, no `TZ=` in the
//! schedule, IANA zones), the name is at most 52 characters, and `jobTemplate` is read as a Job.

use super::k8s::{self, HintScope, opt};
use super::view::{Obj, Res};
use crate::error::quote;
use crate::spec::{ConcurrencyPolicy, CronJobSpec, SourceLoc};

const SPEC_FIELDS: &[&str] = &[
    "schedule",
    "timeZone",
    "concurrencyPolicy",
    "startingDeadlineSeconds",
    "suspend",
    "successfulJobsHistoryLimit",
    "failedJobsHistoryLimit",
    "jobTemplate",
];

pub(crate) fn cron_job(doc: &Obj, loc: &SourceLoc) -> Res<CronJobSpec> {
    let meta = k8s::read_meta(doc, true)?;
    let hints = k8s::read_hints(doc, HintScope::Job)?;
    let name_f = doc
        .req("metadata", "add metadata")?
        .obj()?
        .req("name", "add metadata.name")?;
    if meta.name.len() > 52 {
        return Err(name_f.err(
            format!(
                "a CronJob name is at most 52 characters; {} has {}",
                quote(&meta.name),
                meta.name.len()
            ),
            "shorten the name (the controller appends -<minutes since 1970> to name its Jobs)",
        ));
    }
    let spec = doc.req("spec", "add spec: {schedule, jobTemplate}")?.obj()?;
    spec.deny_unknown(SPEC_FIELDS, "a CronJob spec")?;
    let sched_f = spec.req("schedule", "add schedule: a cron expression such as \"0 * * * *\"")?;
    let text = sched_f.str()?;
    let schedule = crate::cron::Schedule::parse(text).map_err(|m| {
        sched_f.err(
            format!("invalid schedule {}: {m}", quote(text)),
            "write 5 fields (minute hour day-of-month month day-of-week), e.g. \"0 2 * * 0\", or a macro \
             such as @daily; put the time zone in spec.timeZone",
        )
    })?;
    let time_zone = match spec.get("timeZone") {
        Some(f) => {
            let name = f.str()?;
            let tz = crate::cron::parse_time_zone(name).map_err(|m| {
                f.err(
                    format!("invalid timeZone {}: {m}", quote(name)),
                    "write an IANA time zone name such as Europe/Berlin or America/New_York",
                )
            })?;
            Some((name.to_string(), tz))
        }
        None => None,
    };
    let concurrency = match spec.get("concurrencyPolicy") {
        Some(f) => match f.str()? {
            "Allow" => ConcurrencyPolicy::Allow,
            "Forbid" => ConcurrencyPolicy::Forbid,
            "Replace" => ConcurrencyPolicy::Replace,
            other => {
                return Err(f.err(
                    format!("unknown concurrencyPolicy {}", quote(other)),
                    "use Allow, Forbid or Replace",
                ));
            }
        },
        None => ConcurrencyPolicy::Allow,
    };
    let starting_deadline_s = opt(spec.get("startingDeadlineSeconds"), |f| {
        f.int_in(0, i128::from(i32::MAX))
    })?
    .map(|v| v as i64);
    let suspend = opt(spec.get("suspend"), |f| f.bool())?.unwrap_or(false);
    let success_limit = opt(spec.get("successfulJobsHistoryLimit"), |f| {
        f.int_in(0, i128::from(i32::MAX))
    })?
    .map_or(3, |v| v as u32);
    let failed_limit = opt(spec.get("failedJobsHistoryLimit"), |f| {
        f.int_in(0, i128::from(i32::MAX))
    })?
    .map_or(1, |v| v as u32);
    let jt = spec
        .req("jobTemplate", "add jobTemplate: {spec: <a Job spec>}")?
        .obj()?;
    jt.deny_unknown(&["metadata", "spec"], "a jobTemplate")?;
    let mut job = k8s::workload(&jt, k8s::WorkloadDoc::Job, loc, false)?;
    job.name = meta.name.clone();
    job.namespace = meta
        .namespace
        .clone()
        .unwrap_or_else(|| k8s::DEFAULT_NAMESPACE.to_string());
    Ok(CronJobSpec {
        namespace: job.namespace.clone(),
        name: meta.name,
        schedule,
        time_zone,
        concurrency,
        starting_deadline_s,
        suspend,
        success_limit,
        failed_limit,
        job,
        created_ms: hints.submit_at_ms.unwrap_or(0),
        suspend_at_ms: hints.suspend_at_ms,
        resume_at_ms: hints.resume_at_ms,
        loc: loc.clone(),
    })
}
