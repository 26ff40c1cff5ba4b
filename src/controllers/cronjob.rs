//! The CronJob controller (v2), semantics.md section 2.2: a sync at creation, after every edit
//! (suspend toggles) and owned-Job change, and at each next scheduled time + 100 ms. A sync
//! drops finished Jobs from `active`, deletes finished Jobs beyond the history limits (oldest by
//! start time first), then starts at most one Job: the most recent due time (older missed
//! times are never back-filled; more than 100 missed times only warn), unless suspended, already
//! done, outside startingDeadlineSeconds, or blocked by `Forbid`; `Replace` deletes the active
//! Jobs first. Jobs are named `<cronjob>-<minutes since the Unix epoch of the scheduled time>`.
//!
//! Syncs are daemon events: a CronJob fires for as long as the run lasts (its horizon) but does
//! not keep a run without a horizon alive.

use chrono::{DateTime, Utc};

use crate::engine::SimTime;
use crate::input::cron::{Missed, NextCache, at_ms, missed_cached, ms_of};
use crate::input::spec::{ConcurrencyPolicy, CronJobSpec};
use crate::observe::record::{CronRow, WlState};
use crate::sim::{Ev, ProtoId, WlId, World, class};

/// What the controller keeps per CronJob (its status and counters).
#[derive(Clone, Debug)]
pub struct CronState {
    pub spec: std::sync::Arc<CronJobSpec>,
    pub proto: ProtoId,
    pub suspended: bool,
    /// Suspended since the last scheduling sync.
    was_suspended: bool,
    pub created: Option<SimTime>,
    pub last_schedule: Option<DateTime<Utc>>,
    pub active: Vec<WlId>,
    /// Jobs it created and has not deleted (the active ones and the finished ones within the
    /// history limits).
    pub owned: Vec<WlId>,
    /// Its schedule's recent `Next` answers: each scheduled time is computed once.
    next_cache: NextCache,
    /// The earliest sync already scheduled.
    next_sync: Option<SimTime>,
    /// A due time skipped (for a reason) that may still start late.
    pending_skip: Option<(DateTime<Utc>, Skip)>,
    last_deadline_miss: Option<DateTime<Utc>>,
    pub started: u64,
    pub skipped: [u64; 3],
    pub late_runs: u64,
    pub late_total_ms: u64,
    pub late_max_ms: u64,
    pub too_many_missed: u64,
    /// Consecutive refused Job creates (the controller's rate limiter).
    pub api_failures: u32,
    pub replaced: u64,
    pub history_deleted: u64,
}

/// Why a scheduled time did not start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    /// `concurrencyPolicy: Forbid` with a Job still active (`JobAlreadyActive`).
    Forbid = 0,
    /// Past `startingDeadlineSeconds` (`MissSchedule`).
    Deadline = 1,
    /// Passed while the CronJob was suspended.
    Suspended = 2,
}

impl Skip {
    fn reason(self) -> &'static str {
        match self {
            Skip::Forbid => "JobAlreadyActive",
            Skip::Deadline => "MissSchedule",
            Skip::Suspended => "Suspended",
        }
    }
}

/// A start later than this after its scheduled time counts as late (the controller's own
/// requeue padding is 100 ms).
const LATE_MS: u64 = 1000;

impl World {
    pub(crate) fn add_cron_job(
        &mut self,
        spec: &CronJobSpec,
        resources: &mut crate::model::cluster::ResourceNames,
    ) -> Result<(), crate::error::InputError> {
        let proto = self.add_proto(
            spec.job.clone(),
            resources,
            Some(format!("cronjob/{}", spec.name)),
            None,
        )?;
        let id = self.ctl.cron.len() as u32;
        self.ctl.cron.push(CronState {
            spec: std::sync::Arc::new(spec.clone()),
            proto,
            suspended: spec.suspend,
            was_suspended: false,
            created: None,
            last_schedule: None,
            active: vec![],
            owned: vec![],
            next_cache: NextCache::default(),
            next_sync: None,
            pending_skip: None,
            last_deadline_miss: None,
            started: 0,
            skipped: [0; 3],
            late_runs: 0,
            late_total_ms: 0,
            late_max_ms: 0,
            too_many_missed: 0,
            api_failures: 0,
            replaced: 0,
            history_deleted: 0,
        });
        self.engine
            .schedule_daemon(SimTime(spec.created_ms), class::API, Ev::CronCreate { cj: id });
        for (at, suspend) in [(spec.suspend_at_ms, true), (spec.resume_at_ms, false)] {
            if let Some(t) = at {
                self.engine.schedule_daemon(
                    SimTime(spec.created_ms + t),
                    class::API,
                    Ev::CronSuspend { cj: id, suspend },
                );
            }
        }
        Ok(())
    }

    pub(crate) fn cron_create(&mut self, cj: u32) {
        let now = self.now();
        self.ctl.cron[cj as usize].created = Some(now);
        self.cron_sync(cj);
    }

    /// A user edits `spec.suspend`: an immediate sync.
    pub(crate) fn cron_suspend(&mut self, cj: u32, suspend: bool) {
        self.ctl.cron[cj as usize].suspended = suspend;
        if self.ctl.cron[cj as usize].created.is_some() {
            self.cron_sync(cj);
        }
    }

    /// An owned Job changed (finished or deleted): the controller syncs its CronJob at once.
    pub(crate) fn cron_job_changed(&mut self, wl: WlId) {
        if let Some(cj) = self.store.workloads[wl as usize].owner {
            let now = self.now();
            self.cron_request_sync(cj, now);
        }
    }

    /// Ask for a sync at `at`; it supersedes a pending one (which then does nothing when due;
    /// every sync requeues the next scheduled time itself).
    pub(crate) fn cron_request_sync(&mut self, cj: u32, at: SimTime) {
        self.ctl.cron[cj as usize].next_sync = Some(at);
        self.engine
            .schedule_daemon(at, class::CONTROLLER, Ev::CronSync { cj, at });
    }

    pub(crate) fn cron_sync_event(&mut self, cj: u32, at: SimTime) {
        // Only the latest requested sync runs (earlier requests were superseded).
        if self.ctl.cron[cj as usize].next_sync == Some(at) {
            self.ctl.cron[cj as usize].next_sync = None;
            self.cron_sync(cj);
        }
    }

    /// One `syncCronJob` (with the history cleanup, `cleanupFinishedJobs`, that the
    /// controller's `sync` runs with it): reconcile the active list, delete finished Jobs beyond
    /// the history limits, then, unless suspended, start or skip the most recent due time and
    /// requeue at the next one.
    pub(crate) fn cron_sync(&mut self, cj: u32) {
        let now = self.now();
        let spec = self.ctl.cron[cj as usize].spec.clone();
        self.cron_prune_active(cj);
        self.cron_cleanup_history(cj, &spec);

        // A suspended CronJob is not scheduled and not requeued (CJ-T8): the controller returns
        // before computing schedule times; the edit that resumes it syncs it again.
        if self.ctl.cron[cj as usize].suspended {
            self.ctl.cron[cj as usize].was_suspended = true;
            return;
        }
        // Scheduling (CJ-T3..T9).
        let m = self.cron_missed(cj, &spec, now);
        self.cron_note_missed(cj, &m, spec.starting_deadline_s.is_some());
        self.cron_start_due(cj, &spec, &m, now);
        self.cron_requeue(cj, &m, now);
    }

    /// Active list maintenance (CJ-T10; syncCronJob's reconciliation of `status.active` with
    /// the child Jobs): finished and deleted Jobs leave it.
    fn cron_prune_active(&mut self, cj: u32) {
        let workloads = &self.store.workloads;
        self.ctl.cron[cj as usize].active.retain(|&wl| {
            let w = &workloads[wl as usize];
            w.finish.is_none() && !w.deleted
        });
    }

    /// History cleanup (CJ-T11; `cleanupFinishedJobs`, `removeOldestJobs`): finished Jobs
    /// beyond each limit are deleted, oldest start first; deleted Jobs leave `owned`.
    fn cron_cleanup_history(&mut self, cj: u32, spec: &CronJobSpec) {
        for (state, limit) in [
            (WlState::Complete, spec.success_limit),
            (WlState::Failed, spec.failed_limit),
        ] {
            let is_done = |wl: &WlId| {
                let w = &self.store.workloads[*wl as usize];
                w.finish.is_some() && !w.deleted && w.state == state
            };
            // Counted first: most syncs are within the limits and need no list.
            if self.ctl.cron[cj as usize].owned.iter().filter(|wl| is_done(wl)).count() > limit as usize {
                let mut done: Vec<WlId> = self.ctl.cron[cj as usize]
                    .owned
                    .iter()
                    .copied()
                    .filter(is_done)
                    .collect();
                let key = |wl: WlId| {
                    let w = &self.store.workloads[wl as usize];
                    let started = w.job.as_ref().and_then(|j| j.start_time);
                    (started.is_none(), started, w.name.as_str())
                };
                done.sort_by(|&a, &b| key(a).cmp(&key(b)));
                let excess = done.len() - limit as usize;
                for &wl in &done[..excess] {
                    self.delete_job(wl, "HistoryLimit");
                    self.ctl.cron[cj as usize].history_deleted += 1;
                }
            }
        }
        let workloads = &self.store.workloads;
        self.ctl.cron[cj as usize]
            .owned
            .retain(|&wl| !workloads[wl as usize].deleted);
    }

    /// The controller's view of the schedule at `now` (`mostRecentScheduleTime`,
    /// `nextScheduleTimeDuration`), from the last scheduled time or the creation.
    fn cron_missed(&mut self, cj: u32, spec: &CronJobSpec, now: SimTime) -> Missed {
        let start = self.cfg.start_time;
        let now_t = at_ms(start, now.ms());
        let tz = spec.time_zone.as_ref().map_or(chrono_tz::UTC, |(_, tz)| *tz);
        let st = &self.ctl.cron[cj as usize];
        let earliest = st
            .last_schedule
            .unwrap_or_else(|| at_ms(start, st.created.unwrap_or(now).ms()));
        missed_cached(
            &spec.schedule,
            tz,
            &mut self.ctl.cron[cj as usize].next_cache,
            earliest,
            now_t,
            spec.starting_deadline_s,
        )
    }

    /// What the missed times count: the times skipped while suspended (on the first sync after
    /// a suspension), the `TooManyMissedTimes` warning, and a pending skip made final.
    fn cron_note_missed(&mut self, cj: u32, m: &Missed, deadline: bool) {
        // The first sync after a suspension: the times that passed meanwhile, except the one
        // it starts now, were skipped (the controller's estimate of their number).
        if std::mem::take(&mut self.ctl.cron[cj as usize].was_suspended) {
            let passed = m.count.saturating_sub(u64::from(m.most_recent.is_some()));
            self.ctl.cron[cj as usize].skipped[Skip::Suspended as usize] += passed;
            if passed > 0 {
                let obj = self.cron_object(cj);
                self.event(
                    || obj,
                    "CronJobSkipped",
                    || format!("Suspended ({passed} scheduled times)"),
                );
            }
        }
        if m.too_many() {
            self.ctl.cron[cj as usize].too_many_missed += 1;
            let obj = self.cron_object(cj);
            self.event(
                || obj,
                "CronJobWarning",
                || format!("TooManyMissedTimes ({} missed)", m.count),
            );
        }
        // A pending skip whose time is no longer the candidate is final: counted by its reason,
        // unless the deadline is what ended it (the slot is then the deadline miss that
        // `cron_start_due` counts: one slot, one count).
        if let Some((t, why)) = self.ctl.cron[cj as usize].pending_skip
            && m.most_recent != Some(t)
        {
            let deadline_miss = m.most_recent.is_none() && m.latest == Some(t) && deadline;
            if !deadline_miss {
                self.ctl.cron[cj as usize].skipped[why as usize] += 1;
            }
            self.ctl.cron[cj as usize].pending_skip = None;
        }
    }

    /// syncCronJob's decision on the most recent due time: a deadline miss when none is due
    /// (`MissSchedule`), nothing if already processed (CJ-T6), a skip under `Forbid` with a Job
    /// active (`JobAlreadyActive`), else start it (deleting the active Jobs first under
    /// `Replace`).
    fn cron_start_due(&mut self, cj: u32, spec: &CronJobSpec, m: &Missed, now: SimTime) {
        match m.most_recent {
            None => {
                // Due times the deadline excluded (MissSchedule).
                if spec.starting_deadline_s.is_some() {
                    let st = &self.ctl.cron[cj as usize];
                    if let Some(t) = m.latest
                        && st.last_schedule != Some(t)
                        && st.last_deadline_miss != Some(t)
                    {
                        self.ctl.cron[cj as usize].last_deadline_miss = Some(t);
                        self.ctl.cron[cj as usize].skipped[Skip::Deadline as usize] += 1;
                        let obj = self.cron_object(cj);
                        self.event(|| obj, "CronJobSkipped", || format!("MissSchedule {}", t.to_rfc3339()));
                    }
                }
            }
            Some(t) => {
                let st = &self.ctl.cron[cj as usize];
                if st.last_schedule == Some(t) {
                    // Already processed (CJ-T6).
                } else if spec.concurrency == ConcurrencyPolicy::Forbid && !st.active.is_empty() {
                    self.cron_skip(cj, t, Skip::Forbid);
                } else {
                    if spec.concurrency == ConcurrencyPolicy::Replace {
                        for wl in std::mem::take(&mut self.ctl.cron[cj as usize].active) {
                            self.delete_job(wl, "Replaced");
                            self.ctl.cron[cj as usize].replaced += 1;
                        }
                    }
                    self.cron_start(cj, t, now);
                }
            }
        }
    }

    /// Requeue at the next scheduled time + 100 ms (CJ-T2; `nextScheduleTimeDuration`), unless
    /// an earlier sync still to come is already requested.
    fn cron_requeue(&mut self, cj: u32, m: &Missed, now: SimTime) {
        if let Some(next) = m.next
            && let Some(ms) = ms_of(self.cfg.start_time, next)
        {
            let at = SimTime(ms + 100);
            if self.ctl.cron[cj as usize].next_sync.is_none_or(|t| t > at || t < now) {
                self.cron_request_sync(cj, at);
            }
        }
    }

    pub(crate) fn cron_skip(&mut self, cj: u32, t: DateTime<Utc>, why: Skip) {
        if self.ctl.cron[cj as usize].pending_skip.map(|p| p.0) != Some(t) {
            self.ctl.cron[cj as usize].pending_skip = Some((t, why));
            let obj = self.cron_object(cj);
            self.event(
                || obj,
                "CronJobSkipped",
                || format!("{} {}", why.reason(), t.to_rfc3339()),
            );
        }
    }

    pub(crate) fn cron_start(&mut self, cj: u32, t: DateTime<Utc>, now: SimTime) {
        // ResourceQuota (count/jobs.batch): a refused create is retried with the controller's
        // rate limiter; lastScheduleTime does not move (ADM-4).
        let proto = self.ctl.cron[cj as usize].proto;
        if let Err(message) = self.quota_admit_job(proto) {
            let st = &mut self.ctl.cron[cj as usize];
            st.api_failures += 1;
            let (base, max) = crate::controllers::quota::CONTROLLER_API_BACKOFF_MS;
            let delay = crate::sim::backoff_ms(base, max, st.api_failures);
            let obj = self.cron_object(cj);
            self.event(|| obj, "FailedCreate", || message);
            self.cron_request_sync(cj, now.plus_ms(delay));
            return;
        }
        self.ctl.cron[cj as usize].api_failures = 0;
        let st = &mut self.ctl.cron[cj as usize];
        if st.pending_skip.map(|p| p.0) == Some(t) {
            st.pending_skip = None; // it starts late instead
        }
        let late = ms_of(self.cfg.start_time, t).map_or(0, |ms| now.ms().saturating_sub(ms));
        if late > LATE_MS {
            st.late_runs += 1;
            st.late_total_ms += late;
            st.late_max_ms = st.late_max_ms.max(late);
        }
        st.last_schedule = Some(t);
        st.started += 1;
        let name = format!("{}-{}", st.spec.name, t.timestamp().div_euclid(60));
        let (proto, arrival) = (st.proto, st.started - 1);
        let id = self.store.workloads.len() as WlId;
        self.create_workload(proto, name, arrival, None, Some(cj));
        let st = &mut self.ctl.cron[cj as usize];
        st.active.push(id);
        st.owned.push(id);
    }

    pub(crate) fn cron_object(&self, cj: u32) -> String {
        if !self.rec.record_events {
            return String::new();
        }
        let s = &self.ctl.cron[cj as usize].spec;
        format!("{}/{}", s.namespace, s.name)
    }

    /// Per-CronJob results at the end of the run.
    pub(crate) fn cron_rows(&mut self) -> Vec<CronRow> {
        // Jobs each CronJob created that ended Complete / Failed (not counting the Replaced).
        let mut ended = vec![[0u64; 2]; self.ctl.cron.len()];
        for w in self.store.workloads.values() {
            if let Some(cj) = w.owner
                && w.reason != "Replaced"
            {
                match w.state {
                    WlState::Complete => ended[cj as usize][0] += 1,
                    WlState::Failed => ended[cj as usize][1] += 1,
                    _ => {}
                }
            }
        }
        (0..self.ctl.cron.len())
            .map(|i| {
                let st = &mut self.ctl.cron[i];
                if let Some((_, why)) = st.pending_skip.take() {
                    st.skipped[why as usize] += 1;
                }
                let st = &self.ctl.cron[i];
                CronRow {
                    namespace: st.spec.namespace.clone(),
                    name: st.spec.name.clone(),
                    schedule: st.spec.schedule.as_str().to_string(),
                    concurrency: match st.spec.concurrency {
                        ConcurrencyPolicy::Allow => "Allow",
                        ConcurrencyPolicy::Forbid => "Forbid",
                        ConcurrencyPolicy::Replace => "Replace",
                    },
                    started: st.started,
                    skipped_forbid: st.skipped[Skip::Forbid as usize],
                    skipped_deadline: st.skipped[Skip::Deadline as usize],
                    skipped_suspended: st.skipped[Skip::Suspended as usize],
                    late_runs: st.late_runs,
                    late_mean_ms: (st.late_runs > 0).then(|| st.late_total_ms as f64 / st.late_runs as f64),
                    late_max_ms: st.late_max_ms,
                    too_many_missed: st.too_many_missed,
                    replaced: st.replaced,
                    history_deleted: st.history_deleted,
                    jobs_complete: ended[i][0],
                    jobs_failed: ended[i][1],
                }
            })
            .collect()
    }
}
