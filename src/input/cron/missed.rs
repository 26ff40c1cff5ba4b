//! The v2 CronJob controller's "which scheduled time is due now": `mostRecentScheduleTime`,
//! `nextScheduleTime` and `nextScheduleTimeDuration` ([`missed`], [`missed_cached`], [`Missed`]),
//! and the per-CronJob [`NextCache`] of `Next` answers they ask for again and again.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;

use super::Schedule;

/// More than this many missed start times makes the v2 controller emit the `TooManyMissedTimes`
/// warning event (it still starts the most recent one; `utils.go` `mostRecentScheduleTime`).
pub const TOO_MANY_MISSED: u64 = 100;

/// The controller's view of a CronJob at time `now` (see [`missed`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Missed {
    /// The scheduled time a Job should be started for now (`nextScheduleTime`): the most recent
    /// scheduled time in (`earliest`, `now`], with `earliest` moved up to `now - startingDeadlineSeconds`
    /// if that is later. Only this one time is ever started; older missed times are dropped. `None`:
    /// nothing is due.
    pub most_recent: Option<DateTime<Utc>>,
    /// Number of scheduled times in (`earliest`, `now`] as the controller estimates it: 0 when the
    /// first one is still ahead, 1 when only the first one has passed, otherwise
    /// `floor((now - t1) / (t2 - t1)) + 1` (t1, t2 the first two times after `earliest`). The
    /// controller emits the `TooManyMissedTimes` warning when this is above [`TOO_MANY_MISSED`]
    /// **and** `most_recent` is `Some` — and still starts `most_recent`.
    pub count: u64,
    /// When the controller syncs this CronJob next, minus its 100 ms padding
    /// (`nextScheduleTimeDuration`, which ignores startingDeadlineSeconds): normally the first
    /// scheduled time after `now`. `None` if the schedule never fires again.
    pub next: Option<DateTime<Utc>>,
    /// `most_recent` as it would be without startingDeadlineSeconds: the time the deadline made
    /// too late when `most_recent` is `None` (the controller's `MissSchedule`).
    pub latest: Option<DateTime<Utc>>,
}

impl Missed {
    /// Whether the controller emits the `TooManyMissedTimes` warning (`nextScheduleTime`).
    pub fn too_many(&self) -> bool {
        self.most_recent.is_some() && self.count > TOO_MANY_MISSED
    }
}

/// The last few answers of [`Schedule::next_after`] for **one** schedule and zone.
///
/// The controller asks for the same times again and again: each sync looks for the times after
/// `lastScheduleTime`, then for the one after the most recent, which the next sync asks for once
/// more. A CronJob keeps one cache for its life, so each scheduled time is computed once; a cache
/// must not be shared between schedules or zones.
#[derive(Clone, Debug, Default)]
pub struct NextCache {
    /// (`t`, the first scheduled time after `t`), oldest replaced first.
    answers: [Option<Answer>; 4],
    oldest: usize,
}

impl NextCache {
    /// `s.next_after(t, tz)`, from the cache if it was asked recently.
    pub fn next_after(&mut self, s: &Schedule, tz: Tz, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if let Some(&(_, next)) = self.answers.iter().flatten().find(|a| a.0 == t) {
            return next;
        }
        let next = s.next_after(t, tz);
        self.answers[self.oldest] = Some((t, next));
        self.oldest = (self.oldest + 1) % self.answers.len();
        next
    }
}

/// A [`NextCache`] entry: a time and the first scheduled time after it.
type Answer = (DateTime<Utc>, Option<DateTime<Utc>>);

/// What `mostRecentScheduleTime` returns.
#[derive(Clone, Copy)]
struct MostRecent {
    earliest: DateTime<Utc>,
    most_recent: Option<DateTime<Utc>>,
    count: u64,
    /// `missedSchedules != noneMissed`: the estimate branch was taken.
    estimated: bool,
    /// The "time difference between two schedules is less than 1 second" error (here: no second
    /// scheduled time within the search limit).
    error: bool,
}

/// Port of `mostRecentScheduleTime` (k/k `pkg/controller/cronjob/utils.go`).
fn most_recent_schedule_time(
    s: &Schedule,
    tz: Tz,
    cache: &mut NextCache,
    mut earliest: DateTime<Utc>,
    now: DateTime<Utc>,
    starting_deadline_s: Option<i64>,
) -> MostRecent {
    if let Some(sds) = starting_deadline_s {
        // "controller is not going to schedule anything below this point"
        let deadline = TimeDelta::try_seconds(sds).and_then(|d| now.checked_sub_signed(d));
        if let Some(deadline) = deadline
            && deadline > earliest
        {
            earliest = deadline;
        }
    }
    let mut out = MostRecent {
        earliest,
        most_recent: None,
        count: 0,
        estimated: false,
        error: false,
    };
    // A `None` here is Go's zero time (year 1): `now.Before(zero)` is false; the difference to it
    // is not positive, which is the error branch.
    let Some(t1) = cache.next_after(s, tz, earliest) else {
        out.error = true;
        return out;
    };
    if now < t1 {
        return out;
    }
    let t2 = cache.next_after(s, tz, t1);
    let Some(t2) = t2 else {
        out.error = true;
        return out;
    };
    if now < t2 {
        out.most_recent = Some(t1);
        out.count = 1;
        return out;
    }
    // "a rough approximation": how many (t2 - t1) intervals fit between t1 and now.
    // Go: t2.Sub(t1).Round(time.Second) (halves away from zero), now.Sub(t1).Seconds() truncated.
    let between = ((t2 - t1).num_milliseconds() + 500).div_euclid(1000);
    if between < 1 {
        out.error = true;
        return out;
    }
    let elapsed = (now - t1).num_milliseconds() / 1000;
    let n = elapsed / between + 1;
    out.count = u64::try_from(n).unwrap_or(0);
    out.estimated = true;
    // Start one interval before the estimated last one and walk forward with Next. For irregular
    // schedules (`* 0 * * *`, `30 6-16/4 * * 1-5`) this window can contain no scheduled time even
    // though some were missed: then nothing is due, exactly as in the controller.
    let back = (n - 2).checked_mul(between).and_then(TimeDelta::try_seconds);
    let Some(potential_earliest) = back.and_then(|d| t1.checked_add_signed(d)) else {
        return out;
    };
    let mut t = cache.next_after(s, tz, potential_earliest);
    while let Some(ti) = t
        && ti <= now
    {
        out.most_recent = Some(ti);
        t = cache.next_after(s, tz, ti).filter(|&n| n > ti);
    }
    out
}

/// The v2 CronJob controller's scheduling decision for one sync at `now`.
///
/// `earliest` is `status.lastScheduleTime`, or the CronJob's creation time if it never ran;
/// `starting_deadline_s` is `spec.startingDeadlineSeconds`. `most_recent` and `count` come from
/// `nextScheduleTime` (`mostRecentScheduleTime` with the deadline), `next` from
/// `nextScheduleTimeDuration` (the same without the deadline; the controller requeues the CronJob
/// at `next + 100 ms`). The caller still applies the rest of `syncCronJob`: suspend, the
/// "already processed" check, `concurrencyPolicy`, and the `MissSchedule` deadline check (which
/// cannot fire for a `most_recent` returned here, since it lies after `now - startingDeadlineSeconds`).
///
/// Semantics reproduced on purpose: only the most recent missed time is returned (never a
/// back-fill); more than [`TOO_MANY_MISSED`] missed times still return it (v2 behaviour, the docs
/// describe v1); with irregular schedules the estimate can miss every due time (see
/// `mostRecentScheduleTime`'s `potentialEarliest`), giving `most_recent: None` with `count > 0`.
pub fn missed(
    schedule: &Schedule,
    tz: Tz,
    earliest: DateTime<Utc>,
    now: DateTime<Utc>,
    starting_deadline_s: Option<i64>,
) -> Missed {
    missed_cached(
        schedule,
        tz,
        &mut NextCache::default(),
        earliest,
        now,
        starting_deadline_s,
    )
}

/// [`missed`] with the CronJob's [`NextCache`] (which must only ever see `schedule` and `tz`).
pub fn missed_cached(
    schedule: &Schedule,
    tz: Tz,
    cache: &mut NextCache,
    earliest: DateTime<Utc>,
    now: DateTime<Utc>,
    starting_deadline_s: Option<i64>,
) -> Missed {
    // nextScheduleTimeDuration: includeStartingDeadlineSeconds = false.
    let view = most_recent_schedule_time(schedule, tz, cache, earliest, now, None);
    let due = match starting_deadline_s {
        Some(_) => most_recent_schedule_time(schedule, tz, cache, earliest, now, starting_deadline_s),
        None => view,
    };
    let most_recent = due.most_recent.filter(|&t| t <= now);
    let base = if view.error {
        now
    } else if let Some(t) = view.most_recent {
        t
    } else if !view.estimated {
        view.earliest
    } else {
        now
    };
    Missed {
        most_recent,
        count: due.count,
        next: cache.next_after(schedule, tz, base),
        latest: view.most_recent.filter(|&t| t <= now),
    }
}
