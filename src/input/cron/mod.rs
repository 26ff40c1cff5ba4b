//! Kubernetes CronJob schedules: parsing `spec.schedule` and `spec.timeZone`, finding the next
//! firing time, and the CronJob controller's "which scheduled time is due now" computation.
//!
//! **What.** [`Schedule::parse`] accepts exactly what the API server accepts for
//! `CronJob.spec.schedule`; [`Schedule::next_after`] is robfig/cron v3 `SpecSchedule.Next` (or
//! `ConstantDelaySchedule.Next` for `@every`), including its daylight-saving behaviour; [`missed()`] is
//! the v2 controller's `mostRecentScheduleTime` / `nextScheduleTime` / `nextScheduleTimeDuration`.
//! [`parse_time_zone`] validates `spec.timeZone`; [`parse_start_time`], [`at_ms`] and [`ms_of`] map
//! simulated milliseconds to wall-clock instants (the scenario's `startTime` is t = 0).
//!
//! **Why hand-written.** No Rust cron crate reproduces Kubernetes exactly (see
//! `docs/rust-stack.md` section 1b: `7` accepted as Sunday, `@midnight` missing, AND instead of OR
//! for day-of-month/day-of-week, ISC-style DST handling). The parser and `Next` are small, so they
//! are ported rule by rule, and Go's `time.Date` normalization of non-existent and ambiguous local
//! times is reproduced on top of chrono-tz (tzdb compiled in, so results do not depend on the
//! machine's zoneinfo).
//!
//! **Sources** (read, paraphrased; see `docs/semantics.md` section 2):
//! - robfig/cron v3 (`bc59245f`, vendored by Kubernetes): `parser.go` (`ParseStandard`,
//!   `normalizeFields`, `getField`, `getRange`, `parseIntOrName`, `mustParseInt`, `parseDescriptor`),
//!   `spec.go` (`Next`, `dayMatches`, bounds, `starBit`), `constantdelay.go` (`Every`, `Next`),
//!   `spec_test.go` (the DST cases "2am nightly job (skipped)", "1am nightly job (runs twice)").
//! - kubernetes/kubernetes `pkg/controller/cronjob/utils.go` (`mostRecentScheduleTime`,
//!   `nextScheduleTime`, `nextScheduleTimeDuration`), `cronjob_controllerv2.go` (`formatSchedule`:
//!   the zone is applied as `TZ=<zone> <schedule>`), `pkg/apis/batch/validation/validation.go`
//!   (`validateScheduleFormat`: `ParseStandard` plus "no `TZ` in the schedule";
//!   `validateTimeZone`).
//! - Go `time.Date` (zone lookup of a local wall time), `time.ParseDuration`, `strconv.Atoi`.
//!
//! Time granularity: robfig works in whole seconds; instants here carry milliseconds (the
//! simulator's tick), which `next_after` first rounds up to the next whole second exactly as Go
//! rounds nanoseconds.
//!
//! **Layout.** This module owns the parsed [`Schedule`] (the public entry points: `parse`,
//! `next_after`, `estimate_fires`) and the scenario clock ([`parse_start_time`], [`at_ms`],
//! [`ms_of`]); the parts live in submodules: `parse` (robfig/cron v3 spec and descriptor parsing),
//! `next` (robfig `Next`: the next-fire arithmetic), `zone` (time-zone offsets, spans, wall clocks,
//! and [`parse_time_zone`]), `missed` (the controller's missed-schedule computation, [`missed()`]).

use std::fmt;

use chrono::{DateTime, Datelike, TimeDelta, Utc};
use chrono_tz::Tz;

use crate::error::quote;

mod missed;
mod next;
mod parse;
#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;
mod zone;

pub use missed::{Missed, NextCache, TOO_MANY_MISSED, missed, missed_cached};
pub use zone::parse_time_zone;

use next::{bit, day_matches, spec_next};
use parse::{FORM, parse_descriptor, parse_fields};
use zone::civil;

/// robfig's `starBit`: set in a field's bitset when the field was written `*` or `?` (with no step
/// or step 1). Only the day-of-month / day-of-week rule ([`Schedule`] docs) looks at it.
const STAR_BIT: u64 = 1 << 63;

/// A parsed CronJob schedule.
///
/// Either a five-field cron spec, kept as robfig's bitsets (bit `v` set = value `v` allowed; bit 63 =
/// the field was a star), or an `@every <duration>` constant delay. Day rule (robfig `dayMatches`):
/// if day-of-month or day-of-week carries the star bit, a day must match both fields; if both are
/// restricted, it must match either (`0 0 1 * 1` = the 1st of each month and every Monday).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    source: String,
    kind: Kind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Spec(Spec),
    /// `@every d`: fires `d` whole seconds (at least 1) after the previous time, in any zone.
    Every(i64),
}

/// robfig `SpecSchedule` without the seconds field (`ParseStandard` fixes it to `0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Spec {
    minute: u64,
    hour: u64,
    dom: u64,
    month: u64,
    dow: u64,
}

impl Schedule {
    /// Parses `spec.schedule` as the API server validates it: robfig/cron v3 `ParseStandard`, plus
    /// Kubernetes' rule that the text must not contain `TZ` (`TZ=`/`CRON_TZ=` prefixes are rejected
    /// for new objects; the zone goes in `spec.timeZone`).
    ///
    /// Five fields separated by whitespace: minute (0-59), hour (0-23), day-of-month (1-31), month
    /// (1-12 or JAN-DEC), day-of-week (0-6 or SUN-SAT); names are case-insensitive. Each field is a
    /// comma list of `*` or `?`, `a`, `a-b`, with an optional step `/n` (`a/n` means `a-max/n`).
    /// Descriptors (case-sensitive, nothing else on the line): `@yearly`/`@annually` (`0 0 1 1 *`),
    /// `@monthly` (`0 0 1 * *`), `@weekly` (`0 0 * * 0`), `@daily`/`@midnight` (`0 0 * * *`),
    /// `@hourly` (`0 * * * *`), `@every <Go duration>` (e.g. `@every 1h30m`; under 1 s counts as
    /// 1 s, fractions of a second are dropped). The error text is robfig's message followed by how
    /// to write the schedule.
    ///
    /// Accepted because robfig accepts them (and so does Kubernetes): `*-5` (the part after a star is
    /// ignored), empty list items (`1,,2`; a field of only commas matches nothing, so the schedule
    /// never fires), steps larger than the range (`*/61` = minute 0), leading zeros and `+` signs.
    pub fn parse(s: &str) -> Result<Schedule, String> {
        if s.is_empty() {
            return Err(format!("empty spec string: {FORM}"));
        }
        // Kubernetes validation (`validateScheduleFormat`, allowTZInSchedule = false).
        if s.contains("TZ") {
            return Err(format!(
                "cannot use TZ or CRON_TZ in schedule, use timeZone field instead: remove the prefix from \
                 {} and set spec.timeZone (e.g. timeZone: America/New_York)",
                quote(s)
            ));
        }
        let kind = if s.starts_with('@') {
            parse_descriptor(s)?
        } else {
            Kind::Spec(parse_fields(s)?)
        };
        Ok(Schedule {
            source: s.to_string(),
            kind,
        })
    }

    /// The schedule text as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// First scheduled time strictly after `t`, evaluated in zone `tz` (robfig `Next`).
    ///
    /// `t` is first rounded up to the next whole second. Daylight saving time follows robfig on Go's
    /// `time` package: a local time that does not exist (spring forward) is skipped — `30 2 * * *`
    /// in America/New_York does not fire on 2026-03-08 — and a local time that occurs twice (fall
    /// back) fires twice — `30 1 * * *` fires at 01:30 EDT and again at 01:30 EST on 2026-11-01.
    /// Returns `None` when no time matches within robfig's search limit (until the end of the year
    /// five years after `t`'s local year), e.g. for `0 0 30 2 *`.
    pub fn next_after(&self, t: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        let secs = t.timestamp();
        match &self.kind {
            // constantdelay.go: t.Add(delay - t.Nanosecond()): whole seconds, zone irrelevant.
            Kind::Every(delay) => DateTime::from_timestamp(secs.checked_add(*delay)?, 0),
            Kind::Spec(spec) => DateTime::from_timestamp(spec_next(spec, secs, tz)?, 0),
        }
    }
}

impl Schedule {
    /// About how many times the schedule fires in (`from`, `to`), evaluated in `tz`, without
    /// listing them, so a schedule firing every second for years costs nothing to count.
    /// `@every d`: exact. Five fields: the fires of one day (minutes times hours) times the
    /// local days from `from`'s to `to`'s whose month and day match, so the two partial days
    /// count in full and daylight-saving days as ordinary ones: within two days' fires.
    pub fn estimate_fires(&self, from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz) -> u64 {
        if to <= from {
            return 0;
        }
        match &self.kind {
            Kind::Every(delay) => {
                let span = (to - from).num_seconds().saturating_sub(1);
                u64::try_from(span / (*delay).max(1)).unwrap_or(0)
            }
            Kind::Spec(spec) => {
                let per_day =
                    u64::from((spec.minute & !STAR_BIT).count_ones()) * u64::from((spec.hour & !STAR_BIT).count_ones());
                // The last instant counted is just before `to`.
                let last = (to - TimeDelta::seconds(1)).with_timezone(&tz).date_naive();
                let mut day = from.with_timezone(&tz).date_naive();
                let mut fires = 0u64;
                loop {
                    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists in naive time");
                    // The naive local midnight read as UTC seconds gives its calendar fields.
                    if bit(spec.month, day.month()) && day_matches(spec, civil(midnight.and_utc().timestamp())) {
                        fires += per_day;
                    }
                    match day.succ_opt() {
                        Some(next) if next <= last => day = next,
                        _ => return fires,
                    }
                }
            }
        }
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// Parses the scenario's RFC 3339 `startTime` (e.g. `2026-01-05T00:00:00Z`) into UTC.
pub fn parse_start_time(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            format!(
                "{} is not an RFC 3339 time ({e}): write e.g. 2026-01-05T00:00:00Z",
                quote(s)
            )
        })
}

/// The wall-clock instant of simulated time `ms` (milliseconds since `start`).
pub fn at_ms(start: DateTime<Utc>, ms: u64) -> DateTime<Utc> {
    let d = TimeDelta::try_milliseconds(i64::try_from(ms).unwrap_or(i64::MAX)).unwrap_or(TimeDelta::MAX);
    start.checked_add_signed(d).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Simulated milliseconds of instant `t` (truncated to the millisecond); `None` before `start`.
pub fn ms_of(start: DateTime<Utc>, t: DateTime<Utc>) -> Option<u64> {
    if t < start {
        return None;
    }
    u64::try_from((t - start).num_milliseconds()).ok()
}
