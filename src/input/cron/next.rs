//! robfig/cron v3 `SpecSchedule.Next` on Unix seconds: the field-by-field walk with Go's
//! wall-clock `Date`/`AddDate` steps ([`Zone`]), and the `dayMatches` rule. Reached through
//! [`Schedule::next_after`](super::Schedule::next_after).

use chrono_tz::Tz;

use super::zone::{Civil, Zone};
use super::{STAR_BIT, Spec};

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

pub(super) fn bit(bits: u64, v: u32) -> bool {
    bits & (1 << v) != 0
}

/// robfig `dayMatches`: AND if either day field is a star, OR if both are restricted.
pub(super) fn day_matches(spec: &Spec, l: Civil) -> bool {
    let dom = bit(spec.dom, l.day);
    let dow = bit(spec.dow, l.weekday);
    if spec.dom & STAR_BIT != 0 || spec.dow & STAR_BIT != 0 {
        dom && dow
    } else {
        dom || dow
    }
}
