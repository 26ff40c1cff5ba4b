//! Kubernetes CronJob schedules: parsing `spec.schedule` and `spec.timeZone`, finding the next
//! firing time, and the CronJob controller's "which scheduled time is due now" computation.
//!
//! **What.** [`Schedule::parse`] accepts exactly what the API server accepts for
//! `CronJob.spec.schedule`; [`Schedule::next_after`] is robfig/cron v3 `SpecSchedule.Next` (or
//! `ConstantDelaySchedule.Next` for `@every`), including its daylight-saving behaviour; [`missed`] is
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

use std::cell::RefCell;
use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

use crate::error::{cut, quote};

/// More than this many missed start times makes the v2 controller emit the `TooManyMissedTimes`
/// warning event (it still starts the most recent one; `utils.go` `mostRecentScheduleTime`).
pub const TOO_MANY_MISSED: u64 = 100;

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

/// robfig `bounds`, plus the field's name and allowed values for error messages.
struct Bounds {
    field: &'static str,
    min: u64,
    max: u64,
    names: &'static [(&'static str, u64)],
    allowed: &'static str,
}

const MINUTES: Bounds = Bounds {
    field: "minute",
    min: 0,
    max: 59,
    names: &[],
    allowed: "0-59",
};
const HOURS: Bounds = Bounds {
    field: "hour",
    min: 0,
    max: 23,
    names: &[],
    allowed: "0-23",
};
const DOM: Bounds = Bounds {
    field: "day-of-month",
    min: 1,
    max: 31,
    names: &[],
    allowed: "1-31",
};
const MONTHS: Bounds = Bounds {
    field: "month",
    min: 1,
    max: 12,
    names: &[
        ("jan", 1),
        ("feb", 2),
        ("mar", 3),
        ("apr", 4),
        ("may", 5),
        ("jun", 6),
        ("jul", 7),
        ("aug", 8),
        ("sep", 9),
        ("oct", 10),
        ("nov", 11),
        ("dec", 12),
    ],
    allowed: "1-12 or JAN-DEC",
};
const DOW: Bounds = Bounds {
    field: "day-of-week",
    min: 0,
    max: 6,
    names: &[
        ("sun", 0),
        ("mon", 1),
        ("tue", 2),
        ("wed", 3),
        ("thu", 4),
        ("fri", 5),
        ("sat", 6),
    ],
    allowed: "0-6 or SUN-SAT; Sunday is 0, not 7",
};

const FORM: &str = "write 5 fields `minute hour day-of-month month day-of-week` (e.g. \"*/15 9-17 * * MON-FRI\") \
                    or one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @every <duration>";

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

/// `Parser.Parse` for the standard options (Minute | Hour | Dom | Month | Dow | Descriptor).
fn parse_fields(s: &str) -> Result<Spec, String> {
    // strings.Fields: split on Unicode white space (same set as Rust's `split_whitespace`).
    let fields: Vec<&str> = s.split_whitespace().collect();
    if fields.len() != 5 {
        let hint = if fields.len() == 6 {
            "Kubernetes schedules have no seconds field: drop the first field"
        } else {
            FORM
        };
        return Err(format!(
            "expected exactly 5 fields, found {}: [{}]: {hint}",
            fields.len(),
            cut(&fields.join(" "))
        ));
    }
    Ok(Spec {
        minute: get_field(fields[0], &MINUTES)?,
        hour: get_field(fields[1], &HOURS)?,
        dom: get_field(fields[2], &DOM)?,
        month: get_field(fields[3], &MONTHS)?,
        dow: get_field(fields[4], &DOW)?,
    })
}

/// `getField`: a comma list of ranges; empty items are dropped (`strings.FieldsFunc`).
fn get_field(field: &str, b: &Bounds) -> Result<u64, String> {
    let mut bits = 0;
    for expr in field.split(',').filter(|e| !e.is_empty()) {
        bits |= get_range(expr, b).map_err(|e| format!("{e} ({} takes {})", b.field, b.allowed))?;
    }
    Ok(bits)
}

/// `getRange`: `number | number "-" number [ "/" number ]`, with `*`/`?` and names.
fn get_range(expr: &str, b: &Bounds) -> Result<u64, String> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let low_and_high: Vec<&str> = range_and_step[0].split('-').collect();
    let single = low_and_high.len() == 1;
    let (start, mut end, mut extra);
    if low_and_high[0] == "*" || low_and_high[0] == "?" {
        // robfig ignores anything after "*-": `*-5` is `*`.
        (start, end, extra) = (b.min, b.max, STAR_BIT);
    } else {
        start = parse_int_or_name(low_and_high[0], b)?;
        end = match low_and_high.len() {
            1 => start,
            2 => parse_int_or_name(low_and_high[1], b)?,
            _ => return Err(format!("too many hyphens: {}", cut(expr))),
        };
        extra = 0;
    }
    let step = match range_and_step.len() {
        1 => 1,
        2 => {
            let step = parse_uint(range_and_step[1])?;
            // "N/step" means "N-max/step".
            if single {
                end = b.max;
            }
            if step > 1 {
                extra = 0;
            }
            step
        }
        _ => return Err(format!("too many slashes: {}", cut(expr))),
    };
    if start < b.min {
        return Err(format!(
            "beginning of range ({start}) below minimum ({}): {}",
            b.min,
            cut(expr)
        ));
    }
    if end > b.max {
        return Err(format!("end of range ({end}) above maximum ({}): {}", b.max, cut(expr)));
    }
    if start > end {
        return Err(format!(
            "beginning of range ({start}) beyond end of range ({end}): {}",
            cut(expr)
        ));
    }
    if step == 0 {
        return Err(format!("step of range should be a positive number: {}", cut(expr)));
    }
    let mut bits = 0;
    let mut i = start;
    while i <= end {
        bits |= 1 << i;
        i = i.saturating_add(step);
    }
    Ok(bits | extra)
}

/// `parseIntOrName`: a (lower-cased) name of the field, else an integer.
fn parse_int_or_name(expr: &str, b: &Bounds) -> Result<u64, String> {
    let lower = expr.to_lowercase();
    if let Some(&(_, v)) = b.names.iter().find(|(n, _)| *n == lower) {
        return Ok(v);
    }
    parse_uint(expr)
}

/// `mustParseInt`: `strconv.Atoi` (optional sign, decimal digits, fits in 64 bits), then >= 0.
fn parse_uint(expr: &str) -> Result<u64, String> {
    let (neg, digits) = match expr.as_bytes().first() {
        Some(b'-') => (true, &expr[1..]),
        Some(b'+') => (false, &expr[1..]),
        _ => (false, expr),
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "failed to parse int from {}: strconv.Atoi: parsing {}: invalid syntax",
            cut(expr),
            quote(expr)
        ));
    }
    let Ok(v) = digits.parse::<i64>() else {
        return Err(format!(
            "failed to parse int from {}: strconv.Atoi: parsing {}: value out of range",
            cut(expr),
            quote(expr)
        ));
    };
    if neg && v != 0 {
        return Err(format!("negative number (-{v}) not allowed: {}", cut(expr)));
    }
    Ok(v as u64)
}

/// `parseDescriptor`: the macros and `@every <duration>`.
fn parse_descriptor(s: &str) -> Result<Kind, String> {
    let all = |b: &Bounds| ((u64::MAX >> (63 - b.max)) & (u64::MAX << b.min)) | STAR_BIT;
    let spec = |minute, hour, dom, month, dow| {
        Kind::Spec(Spec {
            minute,
            hour,
            dom,
            month,
            dow,
        })
    };
    Ok(match s {
        "@yearly" | "@annually" => spec(1, 1, 1 << 1, 1 << 1, all(&DOW)),
        "@monthly" => spec(1, 1, 1 << 1, all(&MONTHS), all(&DOW)),
        "@weekly" => spec(1, 1, all(&DOM), all(&MONTHS), 1),
        "@daily" | "@midnight" => spec(1, 1, all(&DOM), all(&MONTHS), all(&DOW)),
        "@hourly" => spec(1, all(&HOURS), all(&DOM), all(&MONTHS), all(&DOW)),
        _ => {
            let Some(d) = s.strip_prefix("@every ") else {
                return Err(format!(
                    "unrecognized descriptor: {}: use one of @yearly, @annually, @monthly, @weekly, @daily, \
                     @midnight, @hourly (lower case, alone) or @every <duration> such as @every 1h30m",
                    cut(s)
                ));
            };
            let ns = parse_go_duration(d).map_err(|e| {
                format!(
                    "failed to parse duration {}: {e}: write a Go duration after exactly one space, \
                     e.g. @every 90s or @every 1h30m (units ns, us, ms, s, m, h)",
                    cut(s)
                )
            })?;
            // constantdelay.go `Every`: below one second becomes one second; sub-second part dropped.
            Kind::Every(ns.max(1_000_000_000) / 1_000_000_000)
        }
    })
}

/// Go `time.ParseDuration`: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, or `0`; nanoseconds in an `i64`.
fn parse_go_duration(orig: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", quote(orig));
    let mut s = orig;
    let mut neg = false;
    if let Some(c) = s.chars().next()
        && (c == '-' || c == '+')
    {
        neg = c == '-';
        s = &s[1..];
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    const LIMIT: u128 = 1 << 63;
    let mut total: u128 = 0;
    while !s.is_empty() {
        if !(s.starts_with('.') || s.as_bytes()[0].is_ascii_digit()) {
            return Err(invalid());
        }
        let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
        let int_part = &s[..int_len];
        s = &s[int_len..];
        let mut frac_part = "";
        if let Some(rest) = s.strip_prefix('.') {
            let n = rest.bytes().take_while(u8::is_ascii_digit).count();
            frac_part = &rest[..n];
            s = &rest[n..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(invalid());
        }
        let unit_len = s.find(|c: char| c == '.' || c.is_ascii_digit()).unwrap_or(s.len());
        let unit = &s[..unit_len];
        s = &s[unit_len..];
        let mult: u128 = match unit {
            "" => return Err(format!("time: missing unit in duration {}", quote(orig))),
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    quote(unit),
                    quote(orig)
                ));
            }
        };
        let mut v: u128 = 0;
        for c in int_part.bytes() {
            v = v * 10 + u128::from(c - b'0');
            if v >= LIMIT {
                return Err(invalid());
            }
        }
        v *= mult;
        if v > LIMIT {
            return Err(invalid());
        }
        // Fraction: Go keeps at most ~19 significant digits and truncates toward zero.
        let (mut f, mut scale): (u128, u128) = (0, 1);
        // (Go stops reading fraction digits once they would overflow; 18 digits is below a ns.)
        for c in frac_part.bytes().take(18) {
            f = f * 10 + u128::from(c - b'0');
            scale *= 10;
        }
        v += f * mult / scale;
        total += v;
        if total > LIMIT {
            return Err(invalid());
        }
    }
    if neg {
        return Ok((total as i128).wrapping_neg() as i64);
    }
    if total >= LIMIT {
        return Err(invalid());
    }
    Ok(total as i64)
}

/// robfig `SpecSchedule.Next` for a spec whose seconds field is `0`; `t` in whole Unix seconds.
///
/// A line-by-line port: fields are checked from month down to second; a field that does not match
/// is incremented (resetting the smaller ones the first time, `added`), and a wrap-around restarts
/// at the month check (`goto WRAP`). Month and day steps use Go's `AddDate`/`Date` on the local wall
/// clock ([`Zone::date`]), hour, minute and second steps add absolute time — which is what skips a
/// wall time inside a spring-forward gap and visits a repeated hour twice.
///
/// One shortcut, with the same result and the same number of steps: robfig walks the seconds field
/// one second at a time up to the next local `:00`; where the zone's offset is known to stay the
/// same until then ([`Zone::same_offset`]) the walk is a single jump.
fn spec_next(spec: &Spec, t: i64, tz: Tz) -> Option<i64> {
    // Not in robfig: a field that allows no value at all (only commas, e.g. `0 , * * *`) can never
    // match; robfig would search the whole five years before giving up. Same answer, found at once.
    let some = |bits: u64| bits & !STAR_BIT != 0;
    let star_rule = spec.dom & STAR_BIT != 0 || spec.dow & STAR_BIT != 0;
    let day_possible = if star_rule {
        some(spec.dom) && some(spec.dow)
    } else {
        some(spec.dom) || some(spec.dow)
    };
    if !(some(spec.minute) && some(spec.hour) && some(spec.month) && day_possible) {
        return None;
    }
    let mut z = Zone::new(tz);
    // "Start at the earliest possible time (the upcoming second)."
    let mut t = t.checked_add(1)?;
    let mut added = false;
    // "If no time is found within five years, return zero."
    let year_limit = z.local(t)?.year + 5;
    // Not in robfig: a guard so that a pathological zone cannot make this loop forever.
    let mut budget: u32 = 2_000_000;
    let mut tick = |steps: u32| {
        budget = budget.checked_sub(steps)?;
        Some(())
    };
    'wrap: loop {
        tick(1)?;
        if z.local(t)?.year > year_limit {
            return None;
        }
        // Find the first applicable month.
        while !bit(spec.month, z.local(t)?.month) {
            tick(1)?;
            if !added {
                added = true;
                let l = z.local(t)?;
                t = z.date(l.year, i64::from(l.month), 1, 0, 0, 0)?;
            }
            t = z.add_date(t, 1, 0)?;
            if z.local(t)?.month == 1 {
                continue 'wrap;
            }
        }
        // Now get a day in that month.
        while !day_matches(spec, z.local(t)?) {
            tick(1)?;
            if !added {
                added = true;
                let l = z.local(t)?;
                t = z.date(l.year, i64::from(l.month), i64::from(l.day), 0, 0, 0)?;
            }
            t = z.add_date(t, 0, 1)?;
            // "Notice if the hour is no longer midnight due to DST."
            let h = i64::from(z.local(t)?.hour);
            if h != 0 {
                t += if h > 12 { (24 - h) * 3600 } else { -h * 3600 };
            }
            if z.local(t)?.day == 1 {
                continue 'wrap;
            }
        }
        while !bit(spec.hour, z.local(t)?.hour) {
            tick(1)?;
            if !added {
                added = true;
                let l = z.local(t)?;
                t = z.date(l.year, i64::from(l.month), i64::from(l.day), i64::from(l.hour), 0, 0)?;
            }
            t += 3600;
            if z.local(t)?.hour == 0 {
                continue 'wrap;
            }
        }
        while !bit(spec.minute, z.local(t)?.minute) {
            tick(1)?;
            if !added {
                added = true;
                // Go `Truncate(time.Minute)` works on absolute time (the zero time is minute-aligned).
                t = t.div_euclid(60) * 60;
            }
            t += 60;
            if z.local(t)?.minute == 0 {
                continue 'wrap;
            }
        }
        // Seconds field is `0` (ParseStandard); `Truncate(time.Second)` is a no-op on whole seconds.
        let second = z.local(t)?.second;
        if second != 0 {
            added = true;
            // robfig: one second per step until the local second is 0, then back to WRAP. With the
            // offset unchanged up to there, that is `60 - second` steps.
            let steps = 60 - second;
            if z.same_offset(t, t + i64::from(steps)) {
                tick(steps)?;
                t += i64::from(steps);
                continue 'wrap;
            }
            loop {
                tick(1)?;
                t += 1;
                if z.local(t)?.second == 0 {
                    continue 'wrap;
                }
            }
        }
        return Some(t);
    }
}

fn bit(bits: u64, v: u32) -> bool {
    bits & (1 << v) != 0
}

/// robfig `dayMatches`: AND if either day field is a star, OR if both are restricted.
fn day_matches(spec: &Spec, l: Civil) -> bool {
    let dom = bit(spec.dom, l.day);
    let dow = bit(spec.dow, l.weekday);
    if spec.dom & STAR_BIT != 0 || spec.dow & STAR_BIT != 0 {
        dom && dow
    } else {
        dom || dow
    }
}

/// A wall-clock reading: proleptic Gregorian date, time of day, and weekday (Sunday = 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Civil {
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    weekday: u32,
}

/// The wall clock `s` seconds after 1970-01-01T00:00:00 (Howard Hinnant's `civil_from_days`).
/// `s` must lie in chrono's range (years -262143..=262142), so the year fits an `i32`.
fn civil(s: i64) -> Civil {
    let days = s.div_euclid(86_400);
    let secs = s.rem_euclid(86_400) as u32;
    let z = days + 719_468; // days since 0000-03-01
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365], from March 1
    let mp = (5 * doy + 2) / 153; // [0, 11], March = 0
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    Civil {
        year: (era * 400 + yoe + i64::from(month <= 2)) as i32,
        month,
        day: (doy - (153 * mp + 2) / 5 + 1) as u32,
        hour: secs / 3600,
        minute: secs / 60 % 60,
        second: secs % 60,
        // 1970-01-01 was a Thursday.
        weekday: (days + 4).rem_euclid(7) as u32,
    }
}

/// Days from 1970-01-01 to `y`-`m`-`d` (`m` in 1..=12; Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = y - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let mp = i64::from((m + 9) % 12); // March = 0
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Unix seconds chrono can represent (what the `Option`s below stand for).
const MIN_SECS: i64 = DateTime::<Utc>::MIN_UTC.timestamp();
const MAX_SECS: i64 = DateTime::<Utc>::MAX_UTC.timestamp();

/// Instants `[lo, hi)` (Unix seconds) over which a zone's UTC offset is `off` seconds east.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    lo: i64,
    hi: i64,
    off: i64,
}

impl Span {
    const EMPTY: Span = Span { lo: 0, hi: 0, off: 0 };

    fn contains(&self, t: i64) -> bool {
        self.lo <= t && t < self.hi
    }
}

/// Distance between two offset probes when a [`Span`] is looked for. It must be shorter than the
/// shortest stretch of constant offset between two offset changes in chrono-tz's data: then two
/// probes with the same offset have no change between them, and two with different offsets
/// exactly one, which a bisection finds to the second. In chrono-tz 0.10.4 (tzdb 2025b, every
/// zone, transitions up to 2099) that shortest stretch is 601,200 s, seven days less an hour
/// (America/Noronha in 2000, Asia/Gaza in 2040); one day leaves a margin of seven.
/// `tests::tzdb_is_the_one_checked` fails when chrono-tz brings another tzdb, to have it checked
/// again (read the `REST` tables in chrono-tz's `src/prebuilt/timezones.rs`).
const PROBE_SECS: i64 = 86_400;
/// Probes after and before the instant a span is looked for at: a span covers up to 16 days ahead
/// (an every-minute schedule looks one up every 16 days) and 2 behind.
const PROBES_AHEAD: u32 = 16;
const PROBES_BEHIND: u32 = 2;
/// Zones whose last spans a thread remembers between calls.
const REMEMBERED_ZONES: usize = 16;

thread_local! {
    /// Per zone, the last two spans used (a `Zone` starts from them and leaves its own behind).
    static SPANS: RefCell<Vec<(Tz, [Span; 2])>> = const { RefCell::new(Vec::new()) };
}

/// A zone with Go `time` semantics on Unix seconds.
///
/// Offsets come from chrono-tz (`offset_from_utc_datetime`), but a lookup returns the whole
/// [`Span`] around the instant, and the zone keeps its last two spans: the many lookups of one
/// `Next` (and of the next call, through a per-thread memory) mostly cost a range check. Wall
/// clocks are computed with integer arithmetic ([`civil`]).
struct Zone {
    tz: Tz,
    /// The span used last, then the one before.
    spans: [Span; 2],
}

impl Zone {
    fn new(tz: Tz) -> Zone {
        let spans = SPANS
            .try_with(|c| c.borrow().iter().find(|e| e.0 == tz).map(|e| e.1))
            .ok()
            .flatten()
            .unwrap_or([Span::EMPTY; 2]);
        Zone { tz, spans }
    }

    /// Offset from UTC (seconds east) in effect at instant `t`.
    fn offset(&mut self, t: i64) -> Option<i64> {
        if self.spans[0].contains(t) {
            return Some(self.spans[0].off);
        }
        if self.spans[1].contains(t) {
            self.spans.swap(0, 1);
        } else {
            self.spans = [span_at(self.tz, t)?, self.spans[0]];
        }
        Some(self.spans[0].off)
    }

    /// Whether instants `a..=b` are all in the span used last (one offset throughout).
    fn same_offset(&self, a: i64, b: i64) -> bool {
        self.spans[0].contains(a) && self.spans[0].contains(b)
    }

    /// The local wall clock at instant `t`.
    fn local(&mut self, t: i64) -> Option<Civil> {
        let wall = t.checked_add(self.offset(t)?)?;
        (MIN_SECS..=MAX_SECS).contains(&wall).then(|| civil(wall))
    }

    /// Go `time.Date(y, mo, d, h, mi, s, 0, loc)` as Unix seconds. Out-of-range month, day, hour,
    /// minute and second values are normalized (month 13 = January of the next year, day 0 = last
    /// day of the previous month). A wall time that does not exist or exists twice is resolved as
    /// Go does: look the offset up at the wall time read as UTC (`off1`), then use the offset in
    /// effect at `wall - off1`. In America/New_York (west of UTC) this maps 02:30 on a spring-forward
    /// day to 01:30 EST (06:30Z) and 01:30 on a fall-back day to 01:30 EDT (the first one); in
    /// Europe/Berlin (east of UTC) 02:30 in the gap becomes 03:30 CEST and 02:30 in the fold the
    /// second one, 02:30 CET.
    fn date(&mut self, y: i32, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<i64> {
        let m0 = mo.checked_sub(1)?;
        let year = i32::try_from(i64::from(y).checked_add(m0.div_euclid(12))?).ok()?;
        let month = u32::try_from(m0.rem_euclid(12) + 1).ok()?;
        // chrono's date range (`NaiveDate::from_ymd_opt(year, month, 1)` in the reference).
        if !(NaiveDate::MIN.year()..=NaiveDate::MAX.year()).contains(&year) {
            return None;
        }
        let days = days_from_civil(i64::from(year), month, 1).checked_add(d.checked_sub(1)?)?;
        let wall = days
            .checked_mul(86_400)?
            .checked_add(h.checked_mul(3600)?)?
            .checked_add(mi.checked_mul(60)?)?
            .checked_add(s)?;
        let off1 = self.offset(wall)?;
        let off2 = self.offset(wall.checked_sub(off1)?)?;
        wall.checked_sub(off2)
    }

    /// Go `t.AddDate(0, months, days)`: the same wall-clock time `months` months and `days` days
    /// later, through [`Zone::date`].
    fn add_date(&mut self, t: i64, months: i64, days: i64) -> Option<i64> {
        let l = self.local(t)?;
        self.date(
            l.year,
            i64::from(l.month) + months,
            i64::from(l.day) + days,
            i64::from(l.hour),
            i64::from(l.minute),
            i64::from(l.second),
        )
    }
}

impl Drop for Zone {
    /// Leaves the spans for the next `Zone` of this thread in the same zone.
    fn drop(&mut self) {
        let (tz, spans) = (self.tz, self.spans);
        let _ = SPANS.try_with(|c| {
            let mut zones = c.borrow_mut();
            if let Some(e) = zones.iter_mut().find(|e| e.0 == tz) {
                e.1 = spans;
            } else {
                if zones.len() == REMEMBERED_ZONES {
                    zones.remove(0);
                }
                zones.push((tz, spans));
            }
        });
    }
}

/// chrono-tz's offset (seconds east) at instant `t`; `None` outside chrono's range.
fn tz_offset(tz: Tz, t: i64) -> Option<i64> {
    let utc = DateTime::from_timestamp(t, 0)?.naive_utc();
    Some(i64::from(tz.offset_from_utc_datetime(&utc).fix().local_minus_utc()))
}

/// The span of constant offset around `t`, as far as [`PROBES_AHEAD`] / [`PROBES_BEHIND`] probes
/// reach (see [`PROBE_SECS`] for why probing is exact); `None` if `t` is outside chrono's range.
fn span_at(tz: Tz, t: i64) -> Option<Span> {
    let off = tz_offset(tz, t)?;
    // Walks from `t` in steps of `dir * PROBE_SECS` and returns the farthest instant with the
    // offset `off` before the first change (or the last probe).
    let reach = |dir: i64, probes: u32| {
        let mut same = t;
        for _ in 0..probes {
            let Some(p) = same.checked_add(dir * PROBE_SECS) else {
                break;
            };
            match tz_offset(tz, p) {
                None => break,
                Some(o) if o == off => same = p,
                Some(_) => {
                    // Exactly one change in (same, p]: bisect to the last instant before it.
                    let mut other = p;
                    while (other - same).abs() > 1 {
                        let mid = same + (other - same) / 2;
                        if tz_offset(tz, mid) == Some(off) {
                            same = mid;
                        } else {
                            other = mid;
                        }
                    }
                    break;
                }
            }
        }
        same
    };
    Some(Span {
        lo: reach(-1, PROBES_BEHIND),
        hi: reach(1, PROBES_AHEAD) + 1,
        off,
    })
}

/// Validates `spec.timeZone` as the API server does (`validateTimeZone`) and returns the zone.
///
/// The name must be non-empty; each `/`-separated part must be 1-14 of `A-Za-z0-9._-+`, not `.` or
/// `..`, not starting with `-`; `Local` (any case) is refused because it would mean the
/// controller's own zone; and the name must exist in the tz database. Names are case-sensitive, as
/// for Go's `time.LoadLocation`. The database is chrono-tz's compiled-in copy
/// ([`chrono_tz::IANA_TZDB_VERSION`]), not the machine's zoneinfo.
pub fn parse_time_zone(s: &str) -> Result<Tz, String> {
    const HOW: &str = "write an IANA time zone name such as Etc/UTC, America/New_York or Europe/Berlin";
    if s.is_empty() {
        return Err(format!(
            "timeZone must be nil or non-empty string: omit timeZone for UTC or {HOW}"
        ));
    }
    let part_ok = |p: &str| {
        p != "."
            && p != ".."
            && !p.starts_with('-')
            && (1..=14).contains(&p.len())
            && p.bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_' | b'+'))
    };
    if !s.split('/').all(part_ok) {
        return Err(format!("unknown time zone {}: {HOW}", cut(s)));
    }
    if s.eq_ignore_ascii_case("local") {
        return Err(format!(
            "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones: {HOW}"
        ));
    }
    s.parse::<Tz>().map_err(|_| {
        let hint = chrono_tz::TZ_VARIANTS
            .iter()
            .find(|tz| tz.name().eq_ignore_ascii_case(s))
            .map(|tz| format!("names are case-sensitive: did you mean {}?", tz.name()))
            .unwrap_or_else(|| HOW.to_string());
        format!("unknown time zone {}: {hint}", cut(s))
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    #[test]
    fn fires_are_estimated_without_listing_them() {
        let utc = |s: &str| parse_start_time(s).expect("time");
        let year = utc("2027-01-05T00:00:00Z");
        let start = utc("2026-01-05T00:00:00Z"); // a Monday
        let cases: &[(&str, &str, &str, u64)] = &[
            (
                "every second for a year",
                "@every 1s",
                "2027-01-05T00:00:00Z",
                365 * 86_400 - 1,
            ),
            ("every hour for a day", "@every 1h", "2026-01-06T00:00:00Z", 23),
            ("every minute for a day", "* * * * *", "2026-01-06T00:00:00Z", 1440),
            ("monthly for ten years", "0 0 1 * *", "2036-01-05T00:00:00Z", 120),
            (
                "weekdays at nine for four weeks",
                "0 9 * * MON-FRI",
                "2026-02-02T00:00:00Z",
                20,
            ),
            ("never", "0 0 30 2 *", "2036-01-05T00:00:00Z", 0),
        ];
        for (name, schedule, to, want) in cases {
            let s = Schedule::parse(schedule).expect(name);
            assert_eq!(s.estimate_fires(start, utc(to), Tz::UTC), *want, "{name}");
        }
        let every = Schedule::parse("@every 1s").expect("parse");
        assert_eq!(every.estimate_fires(year, start, Tz::UTC), 0, "an empty window");
        // Against the listed times: within two days' fires, in a zone with a DST change.
        let tz: Tz = "America/New_York".parse().expect("zone");
        let to = utc("2026-04-05T00:00:00Z");
        for schedule in ["*/7 * * * *", "30 1,2 * * *", "0 0 1,15 * *", "0 12 * * SUN"] {
            let s = Schedule::parse(schedule).expect(schedule);
            let mut listed = 0u64;
            let mut at = start;
            while let Some(next) = s.next_after(at, tz).filter(|n| *n < to) {
                listed += 1;
                at = next;
            }
            let estimate = s.estimate_fires(start, to, tz);
            let Kind::Spec(spec) = &s.kind else { unreachable!() };
            let per_day = u64::from((spec.minute & !STAR_BIT).count_ones() * (spec.hour & !STAR_BIT).count_ones());
            assert!(
                estimate.abs_diff(listed) <= 2 * per_day,
                "{schedule}: estimate {estimate}, listed {listed}"
            );
        }
    }

    fn t(s: &str) -> DateTime<Utc> {
        parse_start_time(s).unwrap()
    }

    fn tz(s: &str) -> Tz {
        parse_time_zone(s).unwrap()
    }

    fn fmt(t: Option<DateTime<Utc>>) -> String {
        t.map_or_else(|| "never".to_string(), |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
    }

    fn next(expr: &str, from: &str, zone: &str) -> String {
        let s = Schedule::parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
        fmt(s.next_after(t(from), tz(zone)))
    }

    /// (schedule, from, expected next) in UTC. 2026-01-01 is a Thursday.
    #[test]
    fn next_table_utc() {
        let cases = [
            ("* * * * *", "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z"),
            ("* * * * *", "2026-01-01T00:00:59.999Z", "2026-01-01T00:01:00Z"),
            ("* * * * *", "2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z"),
            ("*/15 * * * *", "2026-01-01T00:00:00Z", "2026-01-01T00:15:00Z"),
            ("*/15 * * * *", "2026-01-01T00:50:00Z", "2026-01-01T01:00:00Z"),
            ("5 * * * *", "2026-01-01T00:05:00Z", "2026-01-01T01:05:00Z"),
            ("5/20 * * * *", "2026-01-01T00:00:00Z", "2026-01-01T00:05:00Z"),
            ("5/20 * * * *", "2026-01-01T00:45:00Z", "2026-01-01T01:05:00Z"),
            ("10-20/5 * * * *", "2026-01-01T00:16:00Z", "2026-01-01T00:20:00Z"),
            ("10-20/5 * * * *", "2026-01-01T00:20:00Z", "2026-01-01T01:10:00Z"),
            ("1,2,30-31 * * * *", "2026-01-01T00:02:00Z", "2026-01-01T00:30:00Z"),
            ("*/61 * * * *", "2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z"),
            ("+05 * * * *", "2026-01-01T00:00:00Z", "2026-01-01T00:05:00Z"),
            ("*-5 * * * *", "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z"),
            ("1,,2 * * * *", "2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z"),
            ("0 9-17/4 * * *", "2026-01-01T00:00:00Z", "2026-01-01T09:00:00Z"),
            ("0 9-17/4 * * *", "2026-01-01T10:00:00Z", "2026-01-01T13:00:00Z"),
            ("0 9-17/4 * * *", "2026-01-01T17:00:00Z", "2026-01-02T09:00:00Z"),
            // Weekdays and names.
            ("0 0 * * MON", "2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z"),
            ("0 0 * * mon-fri", "2026-01-02T00:00:00Z", "2026-01-05T00:00:00Z"),
            ("0 0 * * 0", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z"),
            ("0 0 * * SUN,sat", "2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z"),
            ("0 12 * JAN,jul *", "2026-01-31T12:00:00Z", "2026-07-01T12:00:00Z"),
            ("0 0 1 mar-May *", "2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z"),
            ("0 0 1 Dec/1 *", "2026-01-01T00:00:00Z", "2026-12-01T00:00:00Z"),
            // Day-of-month OR day-of-week when both are restricted; AND when one is a star.
            ("0 0 1 * 1", "2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z"),
            ("0 0 1 * 1", "2026-01-26T00:00:00Z", "2026-02-01T00:00:00Z"),
            ("0 0 13 * 5", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"),
            ("0 0 1-31 * 5", "2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"),
            ("0 0 */1 * 5", "2026-01-02T00:00:00Z", "2026-01-09T00:00:00Z"),
            ("0 0 ? * 5", "2026-01-02T00:00:00Z", "2026-01-09T00:00:00Z"),
            ("0 0 * * 5/1", "2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"),
            ("0 0 */2 * 5", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"),
            ("0 0 */2 * 5", "2026-01-03T00:00:00Z", "2026-01-05T00:00:00Z"),
            ("0 0 13 * *", "2026-01-01T00:00:00Z", "2026-01-13T00:00:00Z"),
            // Month ends, leap years, unsatisfiable, year rollover.
            ("0 0 31 * *", "2026-01-31T00:00:00Z", "2026-03-31T00:00:00Z"),
            ("0 0 31 * *", "2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z"),
            ("0 0 30 * *", "2026-01-30T00:00:00Z", "2026-03-30T00:00:00Z"),
            ("0 0 29 2 *", "2026-01-01T00:00:00Z", "2028-02-29T00:00:00Z"),
            ("0 0 29 2 *", "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"),
            ("0 0 28 2 *", "2027-02-28T00:00:00Z", "2028-02-28T00:00:00Z"),
            ("0 0 29 2 *", "2096-03-01T00:00:00Z", "never"), // 2100 is not a leap year; 2104 is too far
            ("0 0 30 2 *", "2026-01-01T00:00:00Z", "never"),
            ("0 0 31 4,6,9,11 *", "2026-01-01T00:00:00Z", "never"),
            ("0 0 , * *", "2026-01-01T00:00:00Z", "never"),
            ("0 , * * *", "2026-01-01T00:00:00Z", "never"),
            (", * * * *", "2026-01-01T00:00:00Z", "never"),
            ("0 0 , * ,", "2026-01-01T00:00:00Z", "never"),
            ("0 0 , * 1", "2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z"),
            ("59 23 31 12 *", "2026-06-01T00:00:00Z", "2026-12-31T23:59:00Z"),
            ("59 23 31 12 *", "2026-12-31T23:59:00Z", "2027-12-31T23:59:00Z"),
            ("0 0 1 1 *", "2026-12-31T23:59:59.999Z", "2027-01-01T00:00:00Z"),
            ("0 0 * * *", "2026-12-31T00:00:00Z", "2027-01-01T00:00:00Z"),
            // Macros.
            ("@yearly", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
            ("@annually", "2026-03-01T00:00:00Z", "2027-01-01T00:00:00Z"),
            ("@monthly", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"),
            ("@weekly", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z"),
            ("@daily", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"),
            ("@midnight", "2026-01-01T12:00:00Z", "2026-01-02T00:00:00Z"),
            ("@hourly", "2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z"),
            ("@hourly", "2026-01-01T00:59:59.999Z", "2026-01-01T01:00:00Z"),
            // @every: a fixed delay after the given time, whole seconds, at least one.
            ("@every 1h30m", "2026-01-01T00:00:00.250Z", "2026-01-01T01:30:00Z"),
            ("@every 90s", "2026-01-01T00:00:10Z", "2026-01-01T00:01:40Z"),
            ("@every 1.5h", "2026-01-01T00:00:00Z", "2026-01-01T01:30:00Z"),
            ("@every 2500ms", "2026-01-01T00:00:00Z", "2026-01-01T00:00:02Z"),
            ("@every 500ms", "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z"),
            ("@every 0", "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z"),
            ("@every -1h", "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z"),
            (
                "@every 1.0000000000000000000000000000009s",
                "2026-01-01T00:00:00Z",
                "2026-01-01T00:00:01Z",
            ),
            ("@every .5m", "2026-01-01T00:00:00Z", "2026-01-01T00:00:30Z"),
        ];
        for (expr, from, want) in cases {
            assert_eq!(next(expr, from, "UTC"), want, "{expr} after {from}");
        }
    }

    #[test]
    fn next_in_fixed_offset_zones() {
        assert_eq!(
            next("0 9 * * *", "2026-01-01T00:00:00Z", "America/New_York"),
            "2026-01-01T14:00:00Z"
        );
        assert_eq!(
            next("0 0 * * *", "2026-01-01T00:00:00Z", "Asia/Kolkata"),
            "2026-01-01T18:30:00Z"
        );
        assert_eq!(
            next("0 0 * * MON", "2026-01-01T00:00:00Z", "Pacific/Auckland"),
            "2026-01-04T11:00:00Z"
        );
        // @every ignores the zone.
        assert_eq!(
            next("@every 1h", "2026-01-01T00:00:00Z", "Asia/Kolkata"),
            "2026-01-01T01:00:00Z"
        );
    }

    /// America/New_York: EST -> EDT at 2026-03-08 02:00 local (07:00Z); EDT -> EST at 2026-11-01
    /// 02:00 local (06:00Z).
    #[test]
    fn dst_new_york_2026() {
        let ny = "America/New_York";
        // Spring forward: 02:30 does not exist on 2026-03-08, so that day is skipped.
        assert_eq!(next("30 2 * * *", "2026-03-07T12:00:00Z", ny), "2026-03-09T06:30:00Z");
        assert_eq!(next("0 2 * * *", "2026-03-08T05:00:00Z", ny), "2026-03-09T06:00:00Z");
        assert_eq!(next("0 1 * * *", "2026-03-08T05:00:00Z", ny), "2026-03-08T06:00:00Z"); // 01:00 EST
        assert_eq!(next("0 3 * * *", "2026-03-08T05:00:00Z", ny), "2026-03-08T07:00:00Z"); // 03:00 EDT
        assert_eq!(next("0 * * * *", "2026-03-08T06:00:00Z", ny), "2026-03-08T07:00:00Z"); // 01:00 EST -> 03:00 EDT
        assert_eq!(next("59 1 * * *", "2026-03-08T05:00:00Z", ny), "2026-03-08T06:59:00Z");
        // Fall back: 01:00-01:59 happens twice on 2026-11-01 and fires twice.
        assert_eq!(next("30 1 * * *", "2026-11-01T04:00:00Z", ny), "2026-11-01T05:30:00Z"); // 01:30 EDT
        assert_eq!(next("30 1 * * *", "2026-11-01T05:30:00Z", ny), "2026-11-01T06:30:00Z"); // 01:30 EST
        assert_eq!(next("30 1 * * *", "2026-11-01T06:30:00Z", ny), "2026-11-02T06:30:00Z");
        assert_eq!(next("0 * * * *", "2026-11-01T05:00:00Z", ny), "2026-11-01T06:00:00Z"); // 01:00 EST
        assert_eq!(next("0 * * * *", "2026-11-01T06:00:00Z", ny), "2026-11-01T07:00:00Z"); // 02:00 EST
        assert_eq!(next("0 2 * * *", "2026-11-01T04:00:00Z", ny), "2026-11-01T07:00:00Z"); // 02:00 EST
        let half_hours: Vec<String> = {
            let s = Schedule::parse("*/30 * * * *").unwrap();
            let mut at = t("2026-11-01T04:59:00Z");
            (0..5)
                .map(|_| {
                    at = s.next_after(at, tz(ny)).unwrap();
                    fmt(Some(at))
                })
                .collect()
        };
        assert_eq!(
            half_hours,
            [
                "2026-11-01T05:00:00Z",
                "2026-11-01T05:30:00Z",
                "2026-11-01T06:00:00Z",
                "2026-11-01T06:30:00Z",
                "2026-11-01T07:00:00Z"
            ]
        );
    }

    /// Europe/Berlin: CET -> CEST at 2026-03-29 02:00 local (01:00Z); CEST -> CET at 2026-10-25
    /// 03:00 local (01:00Z).
    #[test]
    fn dst_berlin_2026() {
        let be = "Europe/Berlin";
        assert_eq!(next("30 2 * * *", "2026-03-28T12:00:00Z", be), "2026-03-30T00:30:00Z");
        assert_eq!(next("0 3 * * *", "2026-03-28T12:00:00Z", be), "2026-03-29T01:00:00Z"); // 03:00 CEST
        assert_eq!(next("0 * * * *", "2026-03-29T00:00:00Z", be), "2026-03-29T01:00:00Z"); // 01:00 CET -> 03:00 CEST
        assert_eq!(next("30 2 * * *", "2026-10-24T12:00:00Z", be), "2026-10-25T00:30:00Z"); // 02:30 CEST
        assert_eq!(next("30 2 * * *", "2026-10-25T00:30:00Z", be), "2026-10-25T01:30:00Z"); // 02:30 CET
        assert_eq!(next("30 2 * * *", "2026-10-25T01:30:00Z", be), "2026-10-26T01:30:00Z");
        assert_eq!(next("0 0 * * *", "2026-10-24T12:00:00Z", be), "2026-10-24T22:00:00Z");
        assert_eq!(next("0 0 * * *", "2026-10-24T22:00:00Z", be), "2026-10-25T23:00:00Z");
    }

    /// robfig/cron v3 `spec_test.go` DST cases (2012), and its midnight-does-not-exist cases
    /// (America/Sao_Paulo 2018, robfig issue 157).
    #[test]
    fn dst_robfig_spec_test_cases() {
        let ny = "America/New_York";
        let cases = [
            ("30 2 11 Mar *", "2012-03-11T05:00:00Z", ny, "2013-03-11T06:30:00Z"),
            ("0 * * * *", "2012-03-11T05:00:00Z", ny, "2012-03-11T06:00:00Z"),
            ("0 * * * *", "2012-03-11T06:00:00Z", ny, "2012-03-11T07:00:00Z"),
            ("0 * * * *", "2012-03-11T07:00:00Z", ny, "2012-03-11T08:00:00Z"),
            ("0 1 * * *", "2012-03-11T06:00:00Z", ny, "2012-03-12T05:00:00Z"),
            ("0 2 * * *", "2012-03-11T05:00:00Z", ny, "2012-03-12T06:00:00Z"),
            ("30 2 04 Nov *", "2012-11-04T04:00:00Z", ny, "2012-11-04T07:30:00Z"),
            ("30 1 04 Nov *", "2012-11-04T05:45:00Z", ny, "2012-11-04T06:30:00Z"),
            ("0 * * * *", "2012-11-04T04:00:00Z", ny, "2012-11-04T05:00:00Z"),
            ("0 * * * *", "2012-11-04T05:00:00Z", ny, "2012-11-04T06:00:00Z"),
            ("0 * * * *", "2012-11-04T06:00:00Z", ny, "2012-11-04T07:00:00Z"),
            ("0 1 * * *", "2012-11-04T04:00:00Z", ny, "2012-11-04T05:00:00Z"),
            ("0 1 * * *", "2012-11-04T05:00:00Z", ny, "2012-11-04T06:00:00Z"),
            ("0 1 * * *", "2012-11-04T06:00:00Z", ny, "2012-11-05T06:00:00Z"),
            ("0 2 * * *", "2012-11-04T04:00:00Z", ny, "2012-11-04T07:00:00Z"),
            ("0 3 * * *", "2012-11-04T04:00:00Z", ny, "2012-11-04T08:00:00Z"),
            ("0 3 3 * *", "2012-11-04T04:00:00Z", ny, "2012-12-03T08:00:00Z"),
            (
                "0 9 10 * *",
                "2018-10-17T09:00:00Z",
                "America/Sao_Paulo",
                "2018-11-10T11:00:00Z",
            ),
            (
                "0 9 22 * *",
                "2018-02-14T07:00:00Z",
                "America/Sao_Paulo",
                "2018-02-22T12:00:00Z",
            ),
        ];
        for (expr, from, zone, want) in cases {
            assert_eq!(next(expr, from, zone), want, "{expr} after {from} in {zone}");
        }
    }

    /// Where DST starts at midnight (America/Santiago, 2026-09-06 00:00 -> 01:00), robfig's hour
    /// loop steps from 23:00 Saturday to 01:00 Sunday without seeing hour 0, so it does not re-check
    /// the day: `30 3 25-31 4,9 6` (Saturdays, or the 25th-31st) fires at 03:30 on Sunday the 6th.
    /// Kubernetes does the same; reproduced on purpose.
    #[test]
    fn robfig_quirk_dst_at_midnight() {
        let sa = "America/Santiago";
        assert_eq!(
            next("30 3 25-31 4,9 6", "2026-09-05T16:00:00Z", sa),
            "2026-09-06T06:30:00Z"
        );
        assert_eq!(next("30 3 * * 6", "2026-09-05T16:00:00Z", sa), "2026-09-06T06:30:00Z");
        // A day already past midnight is checked normally.
        assert_eq!(next("30 3 * * 6", "2026-09-06T12:00:00Z", sa), "2026-09-12T06:30:00Z");
    }

    /// Go `time.Date` on wall times in a gap or a fold.
    #[test]
    fn go_date_normalization() {
        let at = |zone: &str, y, mo, d, h, mi| {
            fmt(DateTime::from_timestamp(
                Zone::new(tz(zone)).date(y, mo, d, h, mi, 0).unwrap(),
                0,
            ))
        };
        let ny = "America/New_York";
        assert_eq!(at(ny, 2026, 3, 8, 2, 30), "2026-03-08T06:30:00Z"); // 01:30 EST
        assert_eq!(at(ny, 2026, 11, 1, 1, 30), "2026-11-01T05:30:00Z"); // 01:30 EDT, the first
        let be = "Europe/Berlin";
        assert_eq!(at(be, 2026, 3, 29, 2, 30), "2026-03-29T01:30:00Z"); // 03:30 CEST
        assert_eq!(at(be, 2026, 10, 25, 2, 30), "2026-10-25T01:30:00Z"); // 02:30 CET, the second
        assert_eq!(at("UTC", 2026, 13, 1, 0, 0), "2027-01-01T00:00:00Z");
        assert_eq!(at("UTC", 2026, 1, 32, 0, 0), "2026-02-01T00:00:00Z");
        assert_eq!(at("UTC", 2026, 3, 0, 0, 0), "2026-02-28T00:00:00Z");
    }

    #[test]
    fn rejected_schedules_say_what_and_how() {
        let cases = [
            ("", "empty spec string"),
            ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
            ("0 * * * * *", "no seconds field"),
            ("0 0 0 * * * *", "found 7"),
            (
                "60 * * * *",
                "end of range (60) above maximum (59): 60 (minute takes 0-59)",
            ),
            (
                "* 24 * * *",
                "end of range (24) above maximum (23): 24 (hour takes 0-23)",
            ),
            (
                "* * 0 * *",
                "beginning of range (0) below minimum (1): 0 (day-of-month takes 1-31)",
            ),
            ("* * 32 * *", "above maximum (31)"),
            (
                "* * * 13 *",
                "end of range (13) above maximum (12): 13 (month takes 1-12 or JAN-DEC)",
            ),
            ("* * * 0 *", "below minimum (1)"),
            (
                "* * * * 7",
                "end of range (7) above maximum (6): 7 (day-of-week takes 0-6 or SUN-SAT; Sunday is 0, not 7)",
            ),
            ("* * * * 1-7", "end of range (7) above maximum (6)"),
            ("*/0 * * * *", "step of range should be a positive number: */0"),
            ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
            ("1-2-3 * * * *", "too many hyphens: 1-2-3"),
            ("*/2/3 * * * *", "too many slashes: */2/3"),
            ("a * * * *", "failed to parse int from a"),
            ("-5 * * * *", "failed to parse int from "),
            ("*/-5 * * * *", "negative number (-5) not allowed: -5"),
            ("99999999999999999999 * * * *", "value out of range"),
            ("* * * FOO *", "failed to parse int from FOO"),
            ("* * * * MONDAY", "failed to parse int from MONDAY"),
            ("* * * * MON-SUN", "beginning of range (1) beyond end of range (0)"),
            ("0 0 L * *", "failed to parse int from L"),
            ("0 0 1W * *", "failed to parse int from 1W"),
            ("0 0 * * 5#3", "failed to parse int from 5#3"),
            (
                "0 0 JAN * *",
                "parsing \"JAN\": invalid syntax (day-of-month takes 1-31)",
            ),
            ("@reboot", "unrecognized descriptor: @reboot"),
            ("@DAILY", "unrecognized descriptor: @DAILY"),
            ("@daily ", "unrecognized descriptor"),
            (" @daily", "expected exactly 5 fields, found 1"),
            ("@every", "unrecognized descriptor: @every"),
            ("@every 5", "missing unit in duration \"5\""),
            ("@every 5x", "unknown unit \"x\" in duration \"5x\""),
            ("@every ", "invalid duration \"\""),
            ("@every  5m", "invalid duration \" 5m\""),
            ("@every 1h 30m", "unknown unit \"h \" in duration"),
            ("@every 9999999999h", "invalid duration"),
            (
                "TZ=UTC 0 * * * *",
                "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
            ),
            ("CRON_TZ=Europe/Berlin 0 0 * * *", "set spec.timeZone"),
        ];
        for (expr, want) in cases {
            match Schedule::parse(expr) {
                Ok(s) => panic!("{expr:?} was accepted: {s:?}"),
                Err(e) => {
                    assert!(e.contains(want), "{expr:?}: {e:?} does not contain {want:?}");
                    // Each message also says how to write it.
                    let hints = [" takes ", "write ", "use ", "drop the first field", "set spec.timeZone"];
                    assert!(hints.iter().any(|h| e.contains(h)), "{expr:?}: {e:?} gives no fix");
                }
            }
        }
        // Every message ends with how to write it.
        let e = Schedule::parse("* * * * 7").unwrap_err();
        assert!(e.contains("Sunday is 0, not 7"), "{e}");
        let e = Schedule::parse("0 * * * * *").unwrap_err();
        assert!(e.contains("drop the first field"), "{e}");
    }

    /// No input makes `parse` or `next_after` panic (random strings over the schedule alphabet).
    #[test]
    fn arbitrary_input_does_not_panic() {
        let alphabet: Vec<char> = "0123456789*/-,?@ \tabcdefjnorsuvwyLTZ=hm.µ+".chars().collect();
        let mut rng: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut pick = |n: usize| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % n as u64) as usize
        };
        let from = t("2026-03-08T06:59:59.999Z");
        let mut accepted = 0;
        for _ in 0..20_000 {
            let len = pick(16);
            let mut text: String = (0..len).map(|_| alphabet[pick(alphabet.len())]).collect();
            if pick(3) == 0 {
                text = format!("@every {text}");
            } else if pick(2) == 0 {
                text = text.split(' ').chain(["*"; 5]).take(5).collect::<Vec<_>>().join(" ");
            }
            if let Ok(s) = Schedule::parse(&text) {
                accepted += 1;
                let _ = s.next_after(from, tz("America/New_York"));
                let _ = missed(&s, Tz::UTC, from, at_ms(from, 86_400_000), Some(30));
            }
        }
        assert!(accepted > 100, "{accepted}");
        assert_eq!(
            Schedule::parse("* * * * *")
                .unwrap()
                .next_after(DateTime::<Utc>::MAX_UTC, Tz::UTC),
            None
        );
        assert_eq!(
            Schedule::parse("@every 1s")
                .unwrap()
                .next_after(DateTime::<Utc>::MAX_UTC, Tz::UTC),
            None
        );
        let m = missed(
            &Schedule::parse("* * * * *").unwrap(),
            Tz::UTC,
            DateTime::<Utc>::MIN_UTC,
            from,
            Some(i64::MAX),
        );
        assert_eq!(
            (fmt(m.most_recent), m.too_many()),
            ("2026-03-08T06:59:00Z".to_string(), true)
        );
    }

    #[test]
    fn descriptors_equal_their_expansions() {
        let same = |a: &str, b: &str| {
            assert_eq!(
                Schedule::parse(a).unwrap().kind,
                Schedule::parse(b).unwrap().kind,
                "{a} vs {b}"
            )
        };
        same("@yearly", "0 0 1 1 *");
        same("@annually", "0 0 1 1 *");
        same("@monthly", "0 0 1 * *");
        same("@weekly", "0 0 * * 0");
        same("@daily", "0 0 * * *");
        same("@midnight", "0 0 * * *");
        same("@hourly", "0 * * * *");
        same("0 0 ? * ?", "0 0 * * *");
        same("0 0 * jan-DEC sun-SAT", "0 0 * 1-12 0-6");
        same("*/1 * * * *", "* * * * *");
        assert_eq!(Schedule::parse("@every 1h30m").unwrap().kind, Kind::Every(5400));
        assert_eq!(Schedule::parse("@every 1m30.9s").unwrap().kind, Kind::Every(90));
        assert_eq!(Schedule::parse("@every 1\u{b5}s").unwrap().kind, Kind::Every(1));
        assert_eq!(Schedule::parse("0 9 * * 1").unwrap().to_string(), "0 9 * * 1");
    }

    #[test]
    fn time_zones() {
        for ok in [
            "America/New_York",
            "Europe/Berlin",
            "Etc/UTC",
            "UTC",
            "Etc/GMT+5",
            "America/Argentina/ComodRivadavia",
        ] {
            assert_eq!(parse_time_zone(ok).map(|z| z.name()), Ok(ok));
        }
        let cases = [
            ("", "timeZone must be nil or non-empty string"),
            ("Local", "must be an explicit time zone"),
            ("local", "must be an explicit time zone"),
            ("america/new_york", "did you mean America/New_York?"),
            ("Mars/Olympus_Mons", "unknown time zone Mars/Olympus_Mons"),
            ("../etc/passwd", "unknown time zone"),
            ("America/", "unknown time zone"),
            ("Europe/Berlin ", "unknown time zone"),
            ("Europe/Abcdefghijklmno", "unknown time zone"),
            ("-05:00", "unknown time zone"),
        ];
        for (name, want) in cases {
            let e = parse_time_zone(name).unwrap_err();
            assert!(e.contains(want), "{name:?}: {e:?}");
            assert!(
                e.contains("IANA") || e.contains("did you mean"),
                "{name:?}: {e:?} gives no fix"
            );
        }
    }

    #[test]
    fn start_time_and_ms() {
        let start = t("2026-01-05T00:00:00Z");
        assert_eq!(fmt(Some(t("2026-03-01T08:00:00+01:00"))), "2026-03-01T07:00:00Z");
        assert_eq!(t("2026-01-05T09:30:00.5+01:00").timestamp_subsec_millis(), 500);
        assert!(parse_start_time("2026-01-05").unwrap_err().contains("RFC 3339"));
        assert!(parse_start_time("2026-02-30T00:00:00Z").is_err());
        assert_eq!(fmt(Some(at_ms(start, 90_000))), "2026-01-05T00:01:30Z");
        assert_eq!(ms_of(start, at_ms(start, 123_456)), Some(123_456));
        assert_eq!(ms_of(start, start), Some(0));
        assert_eq!(ms_of(start, t("2026-01-04T23:59:59.999Z")), None);
        assert_eq!(ms_of(start, t("2026-01-04T23:59:59.9999Z")), None);
        assert_eq!(ms_of(start, t("2026-01-05T00:00:00.0009Z")), Some(0));
        assert_eq!(at_ms(start, u64::MAX), DateTime::<Utc>::MAX_UTC);
    }

    fn m(expr: &str, zone: &str, earliest: &str, now: &str, sds: Option<i64>) -> (String, u64, String, bool) {
        let s = Schedule::parse(expr).unwrap();
        let r = missed(&s, tz(zone), t(earliest), t(now), sds);
        (fmt(r.most_recent), r.count, fmt(r.next), r.too_many())
    }

    fn owned(a: &str, n: u64, b: &str, w: bool) -> (String, u64, String, bool) {
        (a.to_string(), n, b.to_string(), w)
    }

    /// S-C2/S-C3: `*/5` from creation at 00:00: due at 00:05, 00:10, 00:15; the controller syncs
    /// again at the next time.
    #[test]
    fn missed_regular_syncs() {
        let c = "2026-01-05T00:00:00Z";
        assert_eq!(
            m("*/5 * * * *", "UTC", c, "2026-01-05T00:00:00Z", None),
            owned("never", 0, "2026-01-05T00:05:00Z", false)
        );
        assert_eq!(
            m("*/5 * * * *", "UTC", c, "2026-01-05T00:04:59.999Z", None),
            owned("never", 0, "2026-01-05T00:05:00Z", false)
        );
        // The requeue lands at 00:05:00.100.
        assert_eq!(
            m("*/5 * * * *", "UTC", c, "2026-01-05T00:05:00.100Z", None),
            owned("2026-01-05T00:05:00Z", 1, "2026-01-05T00:10:00Z", false)
        );
        let last = "2026-01-05T00:05:00Z";
        assert_eq!(
            m("*/5 * * * *", "UTC", last, "2026-01-05T00:05:00.100Z", None),
            owned("never", 0, "2026-01-05T00:10:00Z", false)
        );
        assert_eq!(
            m("*/5 * * * *", "UTC", last, "2026-01-05T00:10:00.100Z", None),
            owned("2026-01-05T00:10:00Z", 1, "2026-01-05T00:15:00Z", false)
        );
    }

    /// S-C4: `* * * * *`, lastScheduleTime 08:29, controller down until 10:21:30: one Job for 10:21
    /// with the TooManyMissedTimes warning (112 missed); with startingDeadlineSeconds 200 the same Job
    /// and no warning.
    #[test]
    fn missed_controller_down_s_c4() {
        let (last, now) = ("2026-01-05T08:29:00Z", "2026-01-05T10:21:30Z");
        assert_eq!(
            m("* * * * *", "UTC", last, now, None),
            owned("2026-01-05T10:21:00Z", 112, "2026-01-05T10:22:00Z", true)
        );
        assert_eq!(
            m("* * * * *", "UTC", last, now, Some(200)),
            owned("2026-01-05T10:21:00Z", 3, "2026-01-05T10:22:00Z", false)
        );
        // The warning threshold: more than 100.
        let c = "2026-01-05T00:00:00Z";
        assert_eq!(m("* * * * *", "UTC", c, "2026-01-05T01:40:59Z", None).1, 100);
        assert_eq!(
            m("* * * * *", "UTC", c, "2026-01-05T01:41:00Z", None),
            owned("2026-01-05T01:41:00Z", 101, "2026-01-05T01:42:00Z", true)
        );
        // A deadline that excludes every missed time: nothing is due, the next sync is unchanged.
        assert_eq!(
            m("0 * * * *", "UTC", c, "2026-01-05T05:30:00Z", Some(600)),
            owned("never", 0, "2026-01-05T06:00:00Z", false)
        );
        // Exactly at the deadline is already too late (Next is strictly after now - deadline).
        assert_eq!(
            m("0 * * * *", "UTC", c, "2026-01-05T05:30:00Z", Some(1800)),
            owned("never", 0, "2026-01-05T06:00:00Z", false)
        );
        assert_eq!(
            m("0 * * * *", "UTC", c, "2026-01-05T05:30:00Z", Some(1801)),
            owned("2026-01-05T05:00:00Z", 1, "2026-01-05T06:00:00Z", false)
        );
    }

    /// CJ-T7/T8: a time skipped under Forbid (or while suspended) starts late, when the controller
    /// looks again, if it is still the most recent one and within startingDeadlineSeconds.
    #[test]
    fn missed_late_start_after_forbid_or_suspend() {
        let last = "2026-01-05T00:00:00Z";
        assert_eq!(
            m("*/5 * * * *", "UTC", last, "2026-01-05T00:07:00Z", None),
            owned("2026-01-05T00:05:00Z", 1, "2026-01-05T00:10:00Z", false)
        );
        assert_eq!(
            m("*/5 * * * *", "UTC", last, "2026-01-05T00:07:00Z", Some(180)),
            owned("2026-01-05T00:05:00Z", 1, "2026-01-05T00:10:00Z", false)
        );
        assert_eq!(
            m("*/5 * * * *", "UTC", last, "2026-01-05T00:07:00Z", Some(60)),
            owned("never", 0, "2026-01-05T00:10:00Z", false)
        );
        // Unsuspended a day later: only the latest time runs.
        assert_eq!(
            m("0 9 * * *", "UTC", "2026-01-01T09:00:00Z", "2026-01-05T12:00:00Z", None),
            owned("2026-01-05T09:00:00Z", 4, "2026-01-06T09:00:00Z", false)
        );
    }

    /// The controller's estimate steps back from `now` by whole (t2 - t1) intervals.
    #[test]
    fn missed_irregular_schedules() {
        // Kubernetes' own example: 06:30, 10:30, 14:30 on weekdays. 2026-01-02 is a Friday.
        let e = "30 6-16/4 * * 1-5";
        assert_eq!(
            m(e, "UTC", "2026-01-02T14:30:00Z", "2026-01-05T11:00:00Z", None),
            owned("2026-01-05T10:30:00Z", 2, "2026-01-05T14:30:00Z", false)
        );
        assert_eq!(
            m(e, "UTC", "2026-01-02T10:30:00Z", "2026-01-05T07:00:00Z", None),
            owned("2026-01-05T06:30:00Z", 2, "2026-01-05T10:30:00Z", false)
        );
        // Every minute of hour 0, controller down from 00:30 to 23:30: the estimate window
        // (23:29, 23:30] holds no scheduled time, so nothing starts although 29 times were missed.
        assert_eq!(
            m("* 0 * * *", "UTC", "2026-01-05T00:30:00Z", "2026-01-05T23:30:00Z", None),
            owned("never", 1380, "2026-01-06T00:00:00Z", false)
        );
        // @every counts from the last schedule time (or creation), not from wall-clock boundaries.
        assert_eq!(
            m(
                "@every 1h30m",
                "UTC",
                "2026-01-05T00:00:00Z",
                "2026-01-05T10:00:00Z",
                None
            ),
            owned("2026-01-05T09:00:00Z", 6, "2026-01-05T10:30:00Z", false)
        );
        // A schedule that never fires: nothing due, no next sync.
        assert_eq!(
            m(
                "0 0 30 2 *",
                "UTC",
                "2026-01-05T00:00:00Z",
                "2026-01-05T10:00:00Z",
                None
            ),
            owned("never", 0, "never", false)
        );
    }

    #[test]
    fn missed_across_dst() {
        // Hourly in New York across spring forward: 01:00 EST then 03:00 EDT.
        assert_eq!(
            m(
                "0 * * * *",
                "America/New_York",
                "2026-03-08T06:00:00Z",
                "2026-03-08T07:00:00.100Z",
                None
            ),
            owned("2026-03-08T07:00:00Z", 1, "2026-03-08T08:00:00Z", false)
        );
        // Daily 01:30 across fall back: the second 01:30 is its own scheduled time.
        assert_eq!(
            m(
                "30 1 * * *",
                "America/New_York",
                "2026-11-01T05:30:00Z",
                "2026-11-01T06:30:00.100Z",
                None
            ),
            owned("2026-11-01T06:30:00Z", 1, "2026-11-02T06:30:00Z", false)
        );
    }

    /// Independent check of `next_after`: walk UTC minute by minute and test the local wall clock
    /// against the fields. robfig agrees with this (a non-existent local time never matches, a
    /// repeated one matches twice), including a zone with 30-minute DST (Australia/Lord_Howe), as
    /// long as DST does not change at midnight (see `robfig_quirk_dst_at_midnight`).
    #[test]
    fn next_matches_brute_force_walk() {
        let minutes = ["*", "0", "30", "*/7", "15-20", "0,45", "59"];
        let hours = ["*", "0", "1", "2", "3", "1-3", "*/5", "23"];
        let doms = ["*", "1", "8", "*/2", "31", "25-31"];
        let months = ["*", "3", "10,11", "MAR-NOV", "4,9"];
        let dows = ["*", "0", "MON-FRI", "6"];
        let zones = [
            ("UTC", "2026-03-01T00:00:00Z"),
            ("America/New_York", "2026-03-07T00:00:00Z"),
            ("America/New_York", "2026-10-31T00:00:00Z"),
            ("Europe/Berlin", "2026-03-28T00:00:00Z"),
            ("Europe/Berlin", "2026-10-24T00:00:00Z"),
            ("Australia/Lord_Howe", "2026-04-04T00:00:00Z"),
            ("Australia/Lord_Howe", "2026-10-03T00:00:00Z"),
            ("Asia/Kolkata", "2026-03-01T00:00:00Z"),
            ("Pacific/Chatham", "2026-04-04T00:00:00Z"),
            ("Pacific/Chatham", "2026-09-26T00:00:00Z"),
        ];
        let mut rng: u64 = 0x2545_f491_4f6c_dd1d;
        let mut pick = |n: usize| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % n as u64) as usize
        };
        let horizon = 40 * 86_400;
        for _ in 0..600 {
            let expr = format!(
                "{} {} {} {} {}",
                minutes[pick(minutes.len())],
                hours[pick(hours.len())],
                doms[pick(doms.len())],
                months[pick(months.len())],
                dows[pick(dows.len())]
            );
            let (zone, from) = zones[pick(zones.len())];
            let s = Schedule::parse(&expr).unwrap();
            let Kind::Spec(spec) = s.kind else { unreachable!() };
            let z = reference::Zone(tz(zone));
            let mut at = t(from).timestamp() + 3600 * pick(72) as i64;
            for _ in 0..4 {
                let got = s
                    .next_after(DateTime::from_timestamp(at, 0).unwrap(), z.0)
                    .map(|d| d.timestamp());
                let mut c = (at.div_euclid(60) + 1) * 60;
                let want = loop {
                    if c > at + horizon {
                        break None;
                    }
                    let l = z.local(c).unwrap();
                    if bit(spec.month, l.month())
                        && reference::day_matches(&spec, l)
                        && bit(spec.hour, l.hour())
                        && bit(spec.minute, l.minute())
                    {
                        break Some(c);
                    }
                    c += 60;
                };
                match want {
                    Some(w) => assert_eq!(got, Some(w), "{expr} in {zone} after {at}"),
                    None => assert!(
                        got.is_none_or(|g| g > at + horizon),
                        "{expr} in {zone} after {at}: {got:?}"
                    ),
                }
                let Some(g) = got else { break };
                at = g;
            }
        }
    }

    /// Australia/Lord_Howe moves by 30 minutes: LHDT (+11) -> LHST (+10:30) at 02:00 on
    /// 2026-04-05 (15:00Z; 01:30-01:59 happens twice), LHST -> LHDT at 02:00 on 2026-10-04
    /// (15:30Z; 02:00-02:29 does not exist).
    #[test]
    fn dst_lord_howe_half_hour() {
        let lh = "Australia/Lord_Howe";
        assert_eq!(next("45 1 * * *", "2026-04-04T12:00:00Z", lh), "2026-04-04T14:45:00Z"); // +11
        assert_eq!(next("45 1 * * *", "2026-04-04T14:45:00Z", lh), "2026-04-04T15:15:00Z"); // +10:30
        assert_eq!(next("45 1 * * *", "2026-04-04T15:15:00Z", lh), "2026-04-05T15:15:00Z");
        assert_eq!(next("15 2 * * *", "2026-10-03T12:00:00Z", lh), "2026-10-04T15:15:00Z"); // skipped
        assert_eq!(next("45 2 * * *", "2026-10-03T12:00:00Z", lh), "2026-10-03T15:45:00Z"); // exists
        assert_eq!(next("0 * * * *", "2026-10-03T14:00:00Z", lh), "2026-10-03T14:30:00Z"); // 01:00 LHST
        assert_eq!(next("0 * * * *", "2026-10-03T14:30:00Z", lh), "2026-10-03T16:00:00Z"); // 03:00 LHDT
    }

    /// Offsets that changed for good: Europe/Moscow went from +4 to +3 at 02:00 on 2014-10-26
    /// (01:00-01:59 twice); Pacific/Apia skipped 2011-12-30 (-10 -> +14); New York's local mean
    /// time (-4:56:02) became EST at 12:03:58 LMT on 1883-11-18 (17:00Z), so 12:00-12:03 came twice.
    #[test]
    fn historic_offset_changes() {
        let msk = "Europe/Moscow";
        assert_eq!(next("0 12 * * *", "2014-10-25T00:00:00Z", msk), "2014-10-25T08:00:00Z");
        assert_eq!(next("0 12 * * *", "2014-10-25T08:00:00Z", msk), "2014-10-26T09:00:00Z");
        assert_eq!(
            next("30 1 26 10 *", "2014-10-25T12:00:00Z", msk),
            "2014-10-25T21:30:00Z"
        );
        assert_eq!(
            next("30 1 26 10 *", "2014-10-25T21:30:00Z", msk),
            "2014-10-25T22:30:00Z"
        );
        let apia = "Pacific/Apia";
        assert_eq!(next("0 12 * * *", "2011-12-29T00:00:00Z", apia), "2011-12-29T22:00:00Z");
        assert_eq!(next("0 12 * * *", "2011-12-29T22:00:00Z", apia), "2011-12-30T22:00:00Z");
        assert_eq!(
            next("0 0 30 12 *", "2012-01-01T00:00:00Z", apia),
            "2012-12-29T10:00:00Z"
        );
        // Go's `Date` maps the missing 2011-12-30 00:00 back to 29 December 00:00 (-10), so robfig's
        // day loop, adding a day to the 29th, stays on the 29th: Go would loop forever; here the
        // loop guard gives up. Kept as found (the reference does the same).
        assert_eq!(next("0 0 30 12 *", "2011-12-01T00:00:00Z", apia), "never");
        let ny = "America/New_York";
        assert_eq!(next("* * * * *", "1883-11-18T16:58:58Z", ny), "1883-11-18T16:59:02Z"); // 12:03:00 LMT
        assert_eq!(next("* * * * *", "1883-11-18T16:59:02Z", ny), "1883-11-18T17:00:00Z"); // 12:00:00 EST
        assert_eq!(next("* * * * *", "1883-11-18T16:59:30Z", ny), "1883-11-18T17:00:00Z");
        // Hourly: robfig's minute steps are whole minutes of absolute time, which here all read
        // hh:mm:58 LMT; by the time the clock reads 12:00:00 (EST) the minute walk has moved past.
        assert_eq!(next("0 * * * *", "1883-11-18T16:00:00Z", ny), "1883-11-18T18:00:00Z"); // 13:00 EST
    }

    /// The zones of the equivalence tests: UTC, fixed offsets (some not whole hours), DST with
    /// every kind of rule (30 minutes, at midnight, southern, suspended for Ramadan), and zones
    /// whose standard offset changed.
    const ZONES: [&str; 19] = [
        "UTC",
        "America/New_York",
        "Europe/Berlin",
        "Europe/London",
        "Australia/Lord_Howe",
        "Australia/Adelaide",
        "Pacific/Chatham",
        "America/Santiago",
        "America/Sao_Paulo",
        "America/St_Johns",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "Africa/Casablanca",
        "Asia/Gaza",
        "Pacific/Apia",
        "Europe/Moscow",
        "Europe/Amsterdam",
        "Antarctica/Troll",
        "America/Noronha",
    ];

    /// xorshift64: the tests' deterministic random numbers.
    fn rng(seed: u64) -> impl FnMut(u64) -> u64 {
        let mut x = seed;
        move |n| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        }
    }

    /// Start of each year, Unix seconds.
    fn year_start(y: i64) -> i64 {
        days_from_civil(y, 1, 1) * 86_400
    }

    /// The fast `Next` equals the reference (the chrono-based port it replaced): random schedules,
    /// the zones above, random start times from 1880 to 2045, half of them just before an offset
    /// change, each followed by five more `Next` calls.
    #[test]
    fn next_equals_reference() {
        let minutes = [
            "*", "0", "30", "*/7", "15-20", "0,45", "59", "*/1", "5/20", "1-59/2", "?",
        ];
        let hours = ["*", "0", "1", "2", "3", "1-3", "*/5", "23", "2,14", "9-17"];
        let doms = ["*", "1", "8", "*/2", "31", "25-31", "29", "?", "15"];
        let months = ["*", "3", "10,11", "MAR-NOV", "4,9", "FEB", "*/3", "12"];
        let dows = ["*", "0", "MON-FRI", "6", "SUN", "1,3,5"];
        let macros = ["@hourly", "@daily", "@weekly", "@monthly", "@yearly"];
        let mut pick = rng(0x853c_49e6_748f_ea9b);
        let (mut calls, mut found, mut near_change) = (0, 0, 0);
        for case in 0..4000 {
            let mut one = |l: &[&str]| l[pick(l.len() as u64) as usize].to_string();
            let expr = if case % 10 == 0 {
                one(&macros)
            } else if case % 10 == 1 {
                "* * * * *".to_string()
            } else {
                [one(&minutes), one(&hours), one(&doms), one(&months), one(&dows)].join(" ")
            };
            let zone = ZONES[pick(ZONES.len() as u64) as usize];
            let tz = tz(zone);
            let Kind::Spec(spec) = Schedule::parse(&expr).unwrap().kind else {
                unreachable!()
            };
            let year = match pick(10) {
                0 => 1880 + pick(10) as i64,
                1 => 1935 + pick(15) as i64,
                _ => 1970 + pick(76) as i64,
            };
            let mut at = year_start(year) + pick(366 * 86_400) as i64;
            if pick(2) == 0 {
                // Just before the next offset change (if one comes within two years).
                let off = tz_offset(tz, at).unwrap();
                let mut s = at;
                while s < at + 2 * 366 * 86_400 && tz_offset(tz, s) == Some(off) {
                    s = span_at(tz, s).unwrap().hi;
                }
                if tz_offset(tz, s) != Some(off) {
                    at = s - pick(3 * 86_400) as i64;
                    near_change += 1;
                }
            }
            for _ in 0..6 {
                let want = reference::spec_next(&spec, at, tz);
                assert_eq!(spec_next(&spec, at, tz), want, "{expr} in {zone} after {at}");
                calls += 1;
                let Some(w) = want else { break };
                found += 1;
                at = w + pick(3) as i64 - 1;
            }
        }
        assert!(
            calls > 20_000 && found > 15_000 && near_change > 1000,
            "{calls} {found} {near_change}"
        );
    }

    /// `Zone::date` (Go `time.Date`, with normalization, gaps and folds) equals the reference.
    #[test]
    fn date_equals_reference() {
        let mut pick = rng(0x2545_f491_4f6c_dd1d);
        for _ in 0..20_000 {
            let zone = ZONES[pick(ZONES.len() as u64) as usize];
            let (y, mo, d) = (1870 + pick(180) as i32, pick(16) as i64 - 1, pick(36) as i64 - 2);
            let (h, mi, s) = (pick(26) as i64 - 1, pick(62) as i64 - 1, pick(62) as i64 - 1);
            let want = reference::Zone(tz(zone)).date(y, mo, d, h, mi, s);
            assert_eq!(
                Zone::new(tz(zone)).date(y, mo, d, h, mi, s),
                want,
                "{zone} {y}-{mo}-{d} {h}:{mi}:{s}"
            );
        }
        // The ends of chrono's range.
        for y in [
            NaiveDate::MIN.year() - 1,
            NaiveDate::MIN.year(),
            NaiveDate::MAX.year(),
            NaiveDate::MAX.year() + 1,
        ] {
            for (mo, d) in [(1, 1), (12, 31), (13, 1), (0, 1), (1, 0)] {
                let want = reference::Zone(Tz::UTC).date(y, mo, d, 0, 0, 0);
                assert_eq!(Zone::new(Tz::UTC).date(y, mo, d, 0, 0, 0), want, "{y}-{mo}-{d}");
            }
        }
    }

    /// `civil` and `days_from_civil` agree with chrono over its whole range.
    #[test]
    fn civil_equals_chrono() {
        let mut pick = rng(0x9e37_79b9_7f4a_7c15);
        let span = (MAX_SECS - MIN_SECS) as u64;
        let edges = [MIN_SECS, MIN_SECS + 86_399, -1, 0, 951_782_400, 4_107_542_399, MAX_SECS];
        let random = (0..200_000).map(|i| match i % 2 {
            0 => MIN_SECS + pick(span) as i64,
            _ => year_start(1800) + pick(400 * 366 * 86_400) as i64,
        });
        for s in edges.into_iter().chain(random) {
            let n = DateTime::from_timestamp(s, 0).unwrap().naive_utc();
            let want = Civil {
                year: n.year(),
                month: n.month(),
                day: n.day(),
                hour: n.hour(),
                minute: n.minute(),
                second: n.second(),
                weekday: n.weekday().num_days_from_sunday(),
            };
            assert_eq!(civil(s), want, "{s}");
            let days = days_from_civil(i64::from(want.year), want.month, want.day);
            assert_eq!(days, s.div_euclid(86_400), "{s}");
        }
    }

    /// Spans hold chrono-tz's offset to the second: walk every zone from 1850 to 2100 in steps of
    /// at most 3 days (less than any stretch between two changes, so none is missed); at each
    /// change, the instants either side of it; elsewhere, random ones.
    #[test]
    fn spans_equal_chrono_tz() {
        let mut pick = rng(0x1234_5678_9abc_def1);
        let mut changes = 0;
        for &tz in chrono_tz::TZ_VARIANTS.iter() {
            let mut z = Zone::new(tz);
            let (mut t, end) = (year_start(1850), year_start(2100));
            let mut off = tz_offset(tz, t).unwrap();
            while t < end {
                let step = 1 + pick(3 * 86_400) as i64;
                let o = tz_offset(tz, t + step).unwrap();
                if o != off {
                    // Bisect to the change and look either side of it.
                    let (mut a, mut b) = (t, t + step);
                    while b - a > 1 {
                        let m = a + (b - a) / 2;
                        if tz_offset(tz, m) == Some(off) { a = m } else { b = m }
                    }
                    changes += 1;
                    for s in [a - 1, a, b, b + 1] {
                        assert_eq!(z.offset(s), tz_offset(tz, s), "{} at {s}", tz.name());
                    }
                    off = o;
                } else if pick(4) == 0 {
                    let s = t + pick(step as u64) as i64;
                    assert_eq!(z.offset(s), Some(off), "{} at {s}", tz.name());
                }
                t += step;
            }
        }
        assert!(changes > 50_000, "{changes}");
        assert_eq!(Zone::new(Tz::UTC).offset(MAX_SECS), Some(0));
        assert_eq!(Zone::new(Tz::UTC).offset(MAX_SECS + 1), None);
        assert_eq!(Zone::new(Tz::UTC).local(MIN_SECS - 1), None);
        assert_eq!(Zone::new(tz("Asia/Tokyo")).local(MAX_SECS), None);
    }

    /// [`PROBE_SECS`] is shorter than the shortest stretch between two offset changes in this tzdb;
    /// another tzdb must be checked again (see there).
    #[test]
    fn tzdb_is_the_one_checked() {
        assert_eq!(
            chrono_tz::IANA_TZDB_VERSION,
            "2025b",
            "chrono-tz has a new tzdb: check that no zone keeps an offset for less than a week between \
             two changes (PROBE_SECS), then update this test"
        );
    }

    /// A CronJob's [`NextCache`] changes nothing: a controller's syncs (regular, late, after long
    /// pauses, with and without a deadline) give the same answers as fresh computations, and
    /// `latest` is `most_recent` without the deadline.
    #[test]
    fn missed_with_a_cache_equals_missed() {
        let mut pick = rng(0x6a09_e667_f3bc_c908);
        for expr in [
            "* * * * *",
            "*/5 * * * *",
            "0 * * * *",
            "30 6-16/4 * * 1-5",
            "@every 90s",
            "* 0 * * *",
        ] {
            let s = Schedule::parse(expr).unwrap();
            for zone in ["UTC", "America/New_York", "Australia/Lord_Howe"] {
                let tz = tz(zone);
                let mut cache = NextCache::default();
                let mut last = t("2026-03-01T00:00:00Z");
                let mut now = last;
                for _ in 0..400 {
                    now += TimeDelta::milliseconds(match pick(4) {
                        0 => 100,
                        1 => pick(90_000) as i64,
                        2 => pick(3_600_000) as i64,
                        _ => pick(86_400_000 * 3) as i64,
                    });
                    let sds = [None, Some(30), Some(200), Some(7200)][pick(4) as usize];
                    let got = missed_cached(&s, tz, &mut cache, last, now, sds);
                    assert_eq!(
                        got,
                        missed(&s, tz, last, now, sds),
                        "{expr} {zone} {last} {now} {sds:?}"
                    );
                    assert_eq!(got.latest, missed(&s, tz, last, now, None).most_recent);
                    if let Some(t) = got.most_recent {
                        last = t;
                    }
                }
            }
        }
    }
}

/// The `Next` this module had before it was made fast: the same port on chrono's calendar, with a
/// tz database lookup for every wall clock read. Kept as the reference the fast one must equal
/// (`tests::next_equals_reference`).
#[cfg(test)]
mod reference {
    use super::{STAR_BIT, Spec, bit};
    use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Offset, TimeZone, Timelike};
    use chrono_tz::Tz;

    /// robfig `SpecSchedule.Next` for a spec whose seconds field is `0`; `t` in whole Unix seconds.
    ///
    /// A line-by-line port: fields are checked from month down to second; a field that does not match
    /// is incremented (resetting the smaller ones the first time, `added`), and a wrap-around restarts
    /// at the month check (`goto WRAP`). Month and day steps use Go's `AddDate`/`Date` on the local wall
    /// clock (`Zone::date`), hour, minute and second steps add absolute time — which is what skips a
    /// wall time inside a spring-forward gap and visits a repeated hour twice.
    pub(super) fn spec_next(spec: &Spec, t: i64, tz: Tz) -> Option<i64> {
        // Not in robfig: a field that allows no value at all (only commas, e.g. `0 , * * *`) can never
        // match; robfig would search the whole five years before giving up. Same answer, found at once.
        let some = |bits: u64| bits & !STAR_BIT != 0;
        let star_rule = spec.dom & STAR_BIT != 0 || spec.dow & STAR_BIT != 0;
        let day_possible = if star_rule {
            some(spec.dom) && some(spec.dow)
        } else {
            some(spec.dom) || some(spec.dow)
        };
        if !(some(spec.minute) && some(spec.hour) && some(spec.month) && day_possible) {
            return None;
        }
        let z = Zone(tz);
        // "Start at the earliest possible time (the upcoming second)."
        let mut t = t.checked_add(1)?;
        let mut added = false;
        // "If no time is found within five years, return zero."
        let year_limit = z.local(t)?.year() + 5;
        // Not in robfig: a guard so that a pathological zone cannot make this loop forever.
        let mut budget: u32 = 2_000_000;
        let mut tick = || {
            budget = budget.checked_sub(1)?;
            Some(())
        };
        'wrap: loop {
            tick()?;
            if z.local(t)?.year() > year_limit {
                return None;
            }
            // Find the first applicable month.
            while !bit(spec.month, z.local(t)?.month()) {
                tick()?;
                if !added {
                    added = true;
                    let l = z.local(t)?;
                    t = z.date(l.year(), i64::from(l.month()), 1, 0, 0, 0)?;
                }
                t = z.add_date(t, 1, 0)?;
                if z.local(t)?.month() == 1 {
                    continue 'wrap;
                }
            }
            // Now get a day in that month.
            while !day_matches(spec, z.local(t)?) {
                tick()?;
                if !added {
                    added = true;
                    let l = z.local(t)?;
                    t = z.date(l.year(), i64::from(l.month()), i64::from(l.day()), 0, 0, 0)?;
                }
                t = z.add_date(t, 0, 1)?;
                // "Notice if the hour is no longer midnight due to DST."
                let h = i64::from(z.local(t)?.hour());
                if h != 0 {
                    t += if h > 12 { (24 - h) * 3600 } else { -h * 3600 };
                }
                if z.local(t)?.day() == 1 {
                    continue 'wrap;
                }
            }
            while !bit(spec.hour, z.local(t)?.hour()) {
                tick()?;
                if !added {
                    added = true;
                    let l = z.local(t)?;
                    t = z.date(
                        l.year(),
                        i64::from(l.month()),
                        i64::from(l.day()),
                        i64::from(l.hour()),
                        0,
                        0,
                    )?;
                }
                t += 3600;
                if z.local(t)?.hour() == 0 {
                    continue 'wrap;
                }
            }
            while !bit(spec.minute, z.local(t)?.minute()) {
                tick()?;
                if !added {
                    added = true;
                    // Go `Truncate(time.Minute)` works on absolute time (the zero time is minute-aligned).
                    t = t.div_euclid(60) * 60;
                }
                t += 60;
                if z.local(t)?.minute() == 0 {
                    continue 'wrap;
                }
            }
            // Seconds field is `0` (ParseStandard); `Truncate(time.Second)` is a no-op on whole seconds.
            while z.local(t)?.second() != 0 {
                tick()?;
                added = true;
                t += 1;
                if z.local(t)?.second() == 0 {
                    continue 'wrap;
                }
            }
            return Some(t);
        }
    }

    /// robfig `dayMatches`: AND if either day field is a star, OR if both are restricted.
    pub(super) fn day_matches(spec: &Spec, l: NaiveDateTime) -> bool {
        let dom = bit(spec.dom, l.day());
        let dow = bit(spec.dow, l.weekday().num_days_from_sunday());
        if spec.dom & STAR_BIT != 0 || spec.dow & STAR_BIT != 0 {
            dom && dow
        } else {
            dom || dow
        }
    }

    /// A zone with Go `time` semantics on Unix seconds.
    #[derive(Clone, Copy)]
    pub(super) struct Zone(pub(super) Tz);

    impl Zone {
        /// Offset from UTC (seconds east) in effect at instant `t`.
        fn offset(self, t: i64) -> Option<i64> {
            let utc = DateTime::from_timestamp(t, 0)?.naive_utc();
            Some(i64::from(self.0.offset_from_utc_datetime(&utc).fix().local_minus_utc()))
        }

        /// The local wall clock at instant `t`.
        pub(super) fn local(self, t: i64) -> Option<NaiveDateTime> {
            Some(DateTime::from_timestamp(t.checked_add(self.offset(t)?)?, 0)?.naive_utc())
        }

        /// Go `time.Date(y, mo, d, h, mi, s, 0, loc)` as Unix seconds. Out-of-range month, day, hour,
        /// minute and second values are normalized (month 13 = January of the next year, day 0 = last
        /// day of the previous month). A wall time that does not exist or exists twice is resolved as
        /// Go does: look the offset up at the wall time read as UTC (`off1`), then use the offset in
        /// effect at `wall - off1`. In America/New_York (west of UTC) this maps 02:30 on a spring-forward
        /// day to 01:30 EST (06:30Z) and 01:30 on a fall-back day to 01:30 EDT (the first one); in
        /// Europe/Berlin (east of UTC) 02:30 in the gap becomes 03:30 CEST and 02:30 in the fold the
        /// second one, 02:30 CET.
        pub(super) fn date(self, y: i32, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<i64> {
            let m0 = mo.checked_sub(1)?;
            let year = i32::try_from(i64::from(y).checked_add(m0.div_euclid(12))?).ok()?;
            let month = u32::try_from(m0.rem_euclid(12) + 1).ok()?;
            let first = NaiveDate::from_ymd_opt(year, month, 1)?;
            let days = i64::from(first.num_days_from_ce()) - UNIX_EPOCH_DAYS_FROM_CE + d.checked_sub(1)?;
            let wall = days
                .checked_mul(86_400)?
                .checked_add(h.checked_mul(3600)?)?
                .checked_add(mi.checked_mul(60)?)?
                .checked_add(s)?;
            let off1 = self.offset(wall)?;
            let off2 = self.offset(wall.checked_sub(off1)?)?;
            wall.checked_sub(off2)
        }

        /// Go `t.AddDate(0, months, days)`: the same wall-clock time `months` months and `days` days
        /// later, through `Zone::date`.
        fn add_date(self, t: i64, months: i64, days: i64) -> Option<i64> {
            let l = self.local(t)?;
            self.date(
                l.year(),
                i64::from(l.month()) + months,
                i64::from(l.day()) + days,
                i64::from(l.hour()),
                i64::from(l.minute()),
                i64::from(l.second()),
            )
        }
    }

    /// `NaiveDate::from_ymd(1970, 1, 1).num_days_from_ce()`.
    const UNIX_EPOCH_DAYS_FROM_CE: i64 = 719_163;
}
