//! The `Next` the cron module had before it was made fast: the same port on chrono's calendar, with a
//! tz database lookup for every wall clock read. Kept as the reference the fast one must equal
//! (`tests::fast::next_equals_reference`). Test builds only.

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
