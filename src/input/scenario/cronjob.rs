//! batch/v1 CronJob from the YAML tree (semantics.md section 2): the schedule and time zone are
//! checked as the API server validates them (robfig/cron v3 `ParseStandard`, no `TZ=` in the
//! schedule, IANA zones), the name is at most 52 characters, and `jobTemplate` is read as a Job.

use super::k8s::{self, HintScope, opt};
use super::view::{Obj, Res};
use crate::error::{InputError, quote};
use crate::input::spec::{
    ArrivalPattern, ArrivalTemplate, ConcurrencyPolicy, CronJobSpec, DurationDist, Scenario, SourceLoc, WorkloadKind,
    WorkloadSpec,
};
use crate::limits::{MAX_CRON_FIRES, describe_ms};

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
    let schedule = crate::input::cron::Schedule::parse(text).map_err(|m| {
        sched_f.err(
            format!("invalid schedule {}: {m}", quote(text)),
            "write 5 fields (minute hour day-of-month month day-of-week), e.g. \"0 2 * * 0\", or a macro \
             such as @daily; put the time zone in spec.timeZone",
        )
    })?;
    let time_zone = match spec.get("timeZone") {
        Some(f) => {
            let name = f.str()?;
            let tz = crate::input::cron::parse_time_zone(name).map_err(|m| {
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

/// How often the scenario's CronJobs fire within the run, estimated at load (see
/// [`crate::input::cron::Schedule::estimate_fires`]): more than [`MAX_CRON_FIRES`] is an error at the
/// CronJob that fires most (a schedule of `@every 1s` over a year is 31.5 million Jobs). The
/// run ends at the horizon; without one, CronJob syncs never keep a run going, so it ends
/// about when the other work does ([`work_end_ms`]).
pub(crate) fn check_fires(sc: &Scenario) -> Res<u64> {
    if sc.cron_jobs.is_empty() {
        return Ok(0);
    }
    // An invalid startTime is reported when the run starts; without it, count from 1970.
    let start = crate::input::cron::parse_start_time(&sc.sim.start_time).unwrap_or_default();
    let end_ms = sc.sim.horizon_ms.unwrap_or_else(|| work_end_ms(sc));
    let mut total = 0u64;
    let mut most: Option<(u64, &CronJobSpec)> = None;
    for cj in &sc.cron_jobs {
        if cj.suspend && cj.resume_at_ms.is_none() {
            continue;
        }
        let tz = cj.time_zone.as_ref().map_or(chrono_tz::Tz::UTC, |(_, tz)| *tz);
        let from = crate::input::cron::at_ms(start, cj.created_ms);
        let n = cj
            .schedule
            .estimate_fires(from, crate::input::cron::at_ms(start, end_ms), tz);
        total = total.saturating_add(n);
        if most.is_none_or(|(m, _)| n > m) {
            most = Some((n, cj));
        }
    }
    if total > MAX_CRON_FIRES
        && let Some((n, cj)) = most
    {
        let until = match sc.sim.horizon_ms {
            Some(h) => format!("the horizon ({})", describe_ms(h)),
            None => format!("about when the other work ends ({})", describe_ms(end_ms)),
        };
        return Err(Box::new(
            InputError::new(
                "spec.schedule",
                format!(
                    "the CronJobs would fire about {total} times in a run, beyond the limit of {MAX_CRON_FIRES} \
                     (this one, schedule {}, about {n} times until {until})",
                    quote(cj.schedule.as_str())
                ),
                "fire less often, shorten the horizon, or suspend the CronJob",
            )
            .at(&cj.loc.file, cj.loc.line, None),
        ));
    }
    Ok(total)
}

/// About when a run without a horizon runs out of work: the latest submit time plus run time
/// of its workloads, Arrivals copies and trace jobs (saturating; run times from the
/// `kubesim.io/duration` hints and Arrivals durations, typical values for distributions).
fn work_end_ms(sc: &Scenario) -> u64 {
    fn job_runtime(j: &crate::input::spec::JobSpec) -> u64 {
        let rounds = j.completions.unwrap_or(1).div_ceil(j.parallelism.unwrap_or(1).max(1));
        j.template
            .hints
            .duration_ms
            .unwrap_or(0)
            .saturating_mul(u64::from(rounds))
    }
    fn runtime(w: &WorkloadSpec) -> u64 {
        match &w.kind {
            WorkloadKind::Job(j) => job_runtime(j),
            WorkloadKind::JobSet(s) => s.replicated_jobs.iter().map(|r| job_runtime(&r.job)).max().unwrap_or(0),
            WorkloadKind::Pod(t) => t.hints.duration_ms.unwrap_or(0),
            WorkloadKind::Serving(s) => s.template.hints.duration_ms.unwrap_or(0),
            WorkloadKind::KueueWorkload(k) => k.duration_ms().unwrap_or(0),
            WorkloadKind::MpiJob(m) => m.launcher.template.hints.duration_ms.unwrap_or(0),
            // Pods of several templates: the longest.
            WorkloadKind::VolcanoJob(_) | WorkloadKind::Kubeflow(_) | WorkloadKind::Ray(_) | WorkloadKind::Lws(_) => w
                .templates()
                .iter()
                .map(|t| t.hints.duration_ms.unwrap_or(0))
                .max()
                .unwrap_or(0),
        }
    }
    let typical = |d: &DurationDist| match d {
        DurationDist::Fixed { ms } => *ms,
        DurationDist::Uniform { max_ms, .. } => *max_ms,
        DurationDist::Exponential { mean_ms } => *mean_ms,
        DurationDist::LogNormal { median_ms, .. } => *median_ms,
        DurationDist::Empirical { values_ms } => values_ms.iter().copied().max().unwrap_or(0),
    };
    let workloads = sc.workloads.iter().map(|w| w.submit_at_ms.saturating_add(runtime(w)));
    let arrivals = sc.arrivals.iter().map(|a| {
        let last = match &a.pattern {
            ArrivalPattern::Every { interval_ms } => interval_ms.saturating_mul(a.count.saturating_sub(1)),
            ArrivalPattern::Poisson { mean_interval_ms } => mean_interval_ms.saturating_mul(a.count),
            ArrivalPattern::At { times_ms } => times_ms.iter().copied().max().unwrap_or(0),
        };
        let run = match (&a.duration, &a.template) {
            (Some(d), _) => typical(d),
            (None, ArrivalTemplate::Workload(w)) => runtime(w),
            (None, ArrivalTemplate::Node(_)) => 0,
        };
        a.start_ms.saturating_add(last).saturating_add(run)
    });
    let traces = sc
        .traces
        .iter()
        // A job that never ends (still running at its trace's end) counts from its submission.
        .flat_map(|t| {
            t.jobs
                .iter()
                .map(|j| j.submit_ms.saturating_add(j.duration().unwrap_or(0)))
        });
    workloads.chain(arrivals).chain(traces).max().unwrap_or(0)
}
