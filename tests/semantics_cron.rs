//! CronJob controller semantics (semantics.md section 2, scenarios S-C2..S-C5) with exact times.
//! The Simulation's default startTime is 2026-01-05T00:00:00Z (a Monday), so t = 300 s is 00:05.
//! A Job's name is `<cronjob>-<minutes since the epoch of its scheduled time>`; 2026-01-05T00:00Z
//! is minute 29,459,520 (semantics.md: 2026-01-01T00:00Z is 29,453,760).

mod common;
use common::{job, nodes, run, secs, times};
use kubesim::observe::record::WlState;

const MINUTE0: i64 = 29_459_520;

fn cronjob(extra_spec: &str, job_annotations: &str, horizon: &str) -> String {
    cronjob_with(extra_spec, job_annotations, horizon, "")
}

fn cronjob_with(extra_spec: &str, job_annotations: &str, horizon: &str, job_spec: &str) -> String {
    let nodes = nodes(1, 8);
    format!(
        r#"apiVersion: kubesim.io/v1alpha1
kind: Simulation
metadata: {{name: cron}}
spec: {{horizon: {horizon}}}
---
{nodes}apiVersion: batch/v1
kind: CronJob
metadata: {{name: cj}}
spec:
  schedule: "*/5 * * * *"
{extra_spec}
  jobTemplate:
    metadata:
      annotations: {{{job_annotations}}}
    spec:
{job_spec}      template:
        spec:
          restartPolicy: Never
          containers: [{{name: c, image: x, resources: {{limits: {{cpu: "1"}}}}}}]
"#
    )
}

fn name(minute: i64) -> String {
    format!("cj-{}", MINUTE0 + minute)
}

#[test]
fn s_c2_replace_deletes_the_active_job_and_creates_the_next() {
    // Jobs never finish; every 5 minutes the active one is deleted and the next created.
    let r = run(&cronjob("  concurrencyPolicy: Replace", "", "16m"), "kube-default");
    let created: Vec<f64> = times(&r, "cj-", "JobCreated");
    assert_eq!(
        created,
        vec![300.1, 600.1, 900.1],
        "a Job at each 5 minutes (+100 ms requeue)"
    );
    let deleted = times(&r, "cj-", "JobDeleted");
    assert_eq!(deleted, vec![600.1, 900.1]);
    let a = job(&r, &name(5));
    assert_eq!(
        (a.state, a.reason.as_str(), secs(a.finish)),
        (WlState::Failed, "Replaced", Some(600.1))
    );
    assert_eq!(job(&r, &name(15)).state, WlState::Running);
    assert_eq!(r.cron[0].replaced, 2);
    assert_eq!(r.cron[0].started, 3);
}

#[test]
fn s_c3_allow_lets_runs_overlap() {
    // Each Job runs 12 minutes: at 00:15 three are running (00:05, 00:10, 00:15).
    let r = run(
        &cronjob("  concurrencyPolicy: Allow", "kubesim.io/duration: 12m", "16m"),
        "kube-default",
    );
    let running: Vec<_> = r.jobs.iter().filter(|j| j.state == WlState::Running).collect();
    assert_eq!(running.len(), 3, "{:?}", r.jobs);
    assert_eq!(r.cron[0].started, 3);
    assert_eq!(r.cron[0].skipped_forbid, 0);
}

#[test]
fn forbid_skips_while_a_job_runs_and_starts_the_skipped_time_late() {
    // Jobs run 7 minutes: 00:05 runs to 00:12 (Complete 1 s later, 00:12:01.1 with the pod start);
    // 00:10 is skipped (JobAlreadyActive), then started late when the Job finishes, since 00:10
    // is still the most recent time before 00:15.
    let r = run(
        &cronjob("  concurrencyPolicy: Forbid", "kubesim.io/duration: 7m", "14m"),
        "kube-default",
    );
    let skipped: Vec<(f64, String)> = r
        .events
        .iter()
        .filter(|e| e.event == "CronJobSkipped")
        .map(|e| (e.time.ms() as f64 / 1000.0, e.detail.clone()))
        .collect();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0].0, 600.1);
    assert!(
        skipped[0].1.starts_with("JobAlreadyActive 2026-01-05T00:10:00"),
        "{skipped:?}"
    );
    let first = job(&r, &name(5));
    let late = job(&r, &name(10));
    assert_eq!(
        Some(late.submit),
        first.finish,
        "the skipped time starts when the Job finishes"
    );
    let c = &r.cron[0];
    assert_eq!((c.started, c.skipped_forbid, c.late_runs), (2, 0, 1), "{c:?}");
    assert_eq!(c.late_max_ms, late.submit.ms() - 600_000);
}

#[test]
fn s_c4_a_long_outage_starts_only_the_most_recent_time() {
    // `* * * * *`; the controller cannot start Jobs from 08:29:30 to 10:21:30 (modelled as
    // suspend / resume). On resume exactly one Job, for 10:21, with TooManyMissedTimes (~112).
    let spec = |extra: &str| {
        format!(
            "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: c4}}\nspec: {{horizon: 10h22m}}\n---\n{}\
             apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: cj\n  annotations: {{kubesim.io/submit-at: 8h28m30s, kubesim.io/suspend-at: 1m, kubesim.io/resume-at: 1h53m}}\n\
             spec:\n  schedule: \"* * * * *\"\n{extra}  jobTemplate:\n    metadata:\n      annotations: {{kubesim.io/duration: 10s}}\n    spec:\n      template:\n        spec:\n\
             \x20         restartPolicy: Never\n          containers: [{{name: c, image: x}}]\n",
            nodes(1, 8)
        )
    };
    let r = run(&spec(""), "kube-default");
    let created = times(&r, "cj-", "JobCreated");
    // 08:29 (created 08:28:30, first time 08:29 + 100 ms), then 10:21 at the resume (10:21:30).
    assert_eq!(
        created[..2],
        [8.0 * 3600.0 + 29.0 * 60.0 + 0.1, 10.0 * 3600.0 + 21.0 * 60.0 + 30.0]
    );
    assert_eq!(
        job(&r, &name(10 * 60 + 21)).submit.ms(),
        (10 * 3600 + 21 * 60 + 30) * 1000
    );
    let warnings: Vec<_> = r.events.iter().filter(|e| e.event == "CronJobWarning").collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].detail.starts_with("TooManyMissedTimes (112 missed)"),
        "{}",
        warnings[0].detail
    );
    // No back-fill: the Jobs are 08:29, 10:21 and the per-minute ones after (10:22 at most).
    assert!(
        r.jobs.len() <= 3,
        "{:?}",
        r.jobs.iter().map(|j| &j.name).collect::<Vec<_>>()
    );
    assert_eq!(
        r.cron[0].skipped_suspended, 111,
        "08:30 .. 10:20 passed while suspended"
    );
    // With startingDeadlineSeconds 200: the same single Job, no warning.
    let r = run(&spec("  startingDeadlineSeconds: 200\n"), "kube-default");
    assert!(r.jobs.iter().any(|j| j.name == name(10 * 60 + 21)));
    assert!(r.events.iter().all(|e| e.event != "CronJobWarning"));
    assert!(r.jobs.len() <= 3);
}

#[test]
fn s_c5_history_limits_keep_the_newest_finished_jobs() {
    // Short Jobs every 5 minutes: after 5 successes only the 3 newest remain (the 2 oldest are
    // deleted by the sync that follows each finish beyond the limit).
    let r = run(
        &cronjob("  successfulJobsHistoryLimit: 3", "kubesim.io/duration: 30s", "26m"),
        "kube-default",
    );
    let deleted: Vec<String> = r
        .events
        .iter()
        .filter(|e| e.event == "JobDeleted")
        .map(|e| e.object.clone())
        .collect();
    assert_eq!(
        deleted,
        vec![format!("default/{}", name(5)), format!("default/{}", name(10))]
    );
    assert_eq!(r.cron[0].history_deleted, 2);
    // Failed limit 1: two failed Jobs leave the newest.
    let r = run(
        &cronjob_with(
            "  failedJobsHistoryLimit: 1",
            "kubesim.io/duration: 30s, kubesim.io/exit-code: \"1\"",
            "11m",
            "      backoffLimit: 0\n",
        ),
        "kube-default",
    );
    let deleted: Vec<String> = r
        .events
        .iter()
        .filter(|e| e.event == "JobDeleted")
        .map(|e| e.object.clone())
        .collect();
    assert_eq!(
        deleted,
        vec![format!("default/{}", name(5))],
        "the older failed Job goes"
    );
    assert_eq!(r.cron[0].jobs_failed, 2);
}

#[test]
fn time_zones_and_bad_schedules() {
    // "0 9 * * *" in Asia/Tokyo (UTC+9) fires at 00:00 UTC: t = 0 is not after creation, so the
    // first run is the next day at 24 h.
    let yaml = format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: tz}}\nspec: {{horizon: 25h}}\n---\n{}\
         apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: cj}}\nspec:\n  schedule: \"0 9 * * *\"\n  timeZone: Asia/Tokyo\n  jobTemplate:\n    spec:\n      template:\n        spec:\n\
         \x20         restartPolicy: Never\n          containers: [{{name: c, image: x}}]\n",
        nodes(1, 8)
    );
    let r = run(&yaml, "kube-default");
    assert_eq!(times(&r, "cj-", "JobCreated"), vec![86_400.1]);
    for (bad, needle) in [
        ("\"*/5 * * *\"", "schedule"),
        ("\"0 0 * * 7\"", "above maximum"),
        ("\"TZ=UTC 0 * * * *\"", "TZ"),
    ] {
        let y = yaml.replace("\"0 9 * * *\"", bad);
        let e = kubesim::input::scenario::load_str("t.yaml", &y).unwrap_err();
        assert!(e.to_string().contains(needle), "{bad}: {e}");
        assert_eq!(e.field, "spec.schedule", "{e}");
    }
    let y = yaml.replace("Asia/Tokyo", "Mars/Olympus");
    let e = kubesim::input::scenario::load_str("t.yaml", &y).unwrap_err();
    assert_eq!(e.field, "spec.timeZone", "{e}");
}

#[test]
fn the_cron_week_scenario_shows_each_concurrency_policy() {
    let path = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/cron-week.yaml"));
    let sc = kubesim::input::scenario::load(&[path]).expect("scenario");
    assert_eq!(sc.cron_jobs.len(), 6);
    let r = kubesim::experiment::run_all(&sc, &["kube-default".to_string()], &[1], false)
        .expect("run")
        .remove(0);
    let row = |n: &str| r.cron.iter().find(|c| c.name == n).expect("cron row").clone();
    // Replace: every run but the last is deleted at the next hour; none completes.
    let replace = row("feature-generation-replace");
    assert_eq!(replace.replaced, replace.started - 1);
    assert_eq!(replace.jobs_complete, 0);
    // Allow: every hour starts on time (7 days x 24 hours after the first, minus the ones the
    // horizon cuts) and runs overlap; all but the last complete.
    let allow = row("feature-generation-allow");
    assert_eq!(allow.started, 7 * 24 - 1, "00:00 of day 0 is not after creation");
    assert_eq!((allow.late_runs, allow.skipped_forbid), (0, 0));
    assert_eq!(allow.jobs_complete, allow.started - 1);
    // Forbid: never two at once; skipped hours start late when the running one finishes.
    let forbid = row("feature-generation-hourly");
    assert!(forbid.skipped_forbid > 0 && forbid.late_runs > 0, "{forbid:?}");
    assert_eq!(
        forbid.started + forbid.skipped_forbid,
        allow.started,
        "each hour starts or is skipped"
    );
    let mut spans: Vec<(u64, u64)> = r
        .jobs
        .iter()
        .filter(|j| j.owner == "feature-generation-hourly")
        .map(|j| (j.submit.ms(), j.finish.map_or(u64::MAX, |f| f.ms())))
        .collect();
    spans.sort_unstable();
    for w in spans.windows(2) {
        assert!(w[0].1 <= w[1].0, "Forbid let two runs overlap: {w:?}");
    }
    // The history limit keeps 3 successful Jobs of each.
    assert_eq!(forbid.history_deleted, forbid.jobs_complete - 3);
}

#[test]
fn a_forbid_skip_that_misses_its_deadline_counts_once_as_a_deadline_miss() {
    // Jobs run 7 minutes, startingDeadlineSeconds 60: 00:05 runs to about 00:12; 00:10 is
    // skipped (JobAlreadyActive) and could start late only until 00:11. When the Job finishes
    // the slot is past its deadline: MissSchedule. The slot is one skip, counted by the reason
    // it never ran (the deadline), not once per reason.
    let r = run(
        &cronjob(
            "  concurrencyPolicy: Forbid\n  startingDeadlineSeconds: 60",
            "kubesim.io/duration: 7m",
            "14m",
        ),
        "kube-default",
    );
    let c = &r.cron[0];
    assert_eq!(c.started, 1, "{c:?}");
    assert_eq!((c.skipped_forbid, c.skipped_deadline), (0, 1), "{c:?}");
    let events: Vec<&str> = r
        .events
        .iter()
        .filter(|e| e.event == "CronJobSkipped")
        .map(|e| e.detail.as_str())
        .collect();
    assert_eq!(events.len(), 2, "both of the controller's events are kept: {events:?}");
    assert!(
        events[0].starts_with("JobAlreadyActive 2026-01-05T00:10:00"),
        "{events:?}"
    );
    assert!(events[1].starts_with("MissSchedule 2026-01-05T00:10:00"), "{events:?}");
}
