//! Time zones with Go `time` semantics on Unix seconds: wall-clock readings ([`Civil`], integer
//! calendar arithmetic), the spans of constant UTC offset looked up from chrono-tz and remembered
//! per thread ([`Span`], [`Zone`]), Go's `time.Date` normalization of non-existent and ambiguous
//! local times, and the API server's validation of `spec.timeZone` ([`parse_time_zone`]).

use std::cell::RefCell;

use chrono::{DateTime, Datelike, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use crate::error::cut;

/// A wall-clock reading: proleptic Gregorian date, time of day, and weekday (Sunday = 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Civil {
    pub(super) year: i32,
    pub(super) month: u32,
    pub(super) day: u32,
    pub(super) hour: u32,
    pub(super) minute: u32,
    pub(super) second: u32,
    pub(super) weekday: u32,
}

/// The wall clock `s` seconds after 1970-01-01T00:00:00 (Howard Hinnant's `civil_from_days`).
/// `s` must lie in chrono's range (years -262143..=262142), so the year fits an `i32`.
pub(super) fn civil(s: i64) -> Civil {
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
pub(super) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = y - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let mp = i64::from((m + 9) % 12); // March = 0
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Unix seconds chrono can represent (what the `Option`s below stand for).
pub(super) const MIN_SECS: i64 = DateTime::<Utc>::MIN_UTC.timestamp();
pub(super) const MAX_SECS: i64 = DateTime::<Utc>::MAX_UTC.timestamp();

/// Instants `[lo, hi)` (Unix seconds) over which a zone's UTC offset is `off` seconds east.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Span {
    pub(super) lo: i64,
    pub(super) hi: i64,
    pub(super) off: i64,
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
/// `tests::fast::tzdb_is_the_one_checked` fails when chrono-tz brings another tzdb, to have it checked
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
pub(super) struct Zone {
    tz: Tz,
    /// The span used last, then the one before.
    spans: [Span; 2],
}

impl Zone {
    pub(super) fn new(tz: Tz) -> Zone {
        let spans = SPANS
            .try_with(|c| c.borrow().iter().find(|e| e.0 == tz).map(|e| e.1))
            .ok()
            .flatten()
            .unwrap_or([Span::EMPTY; 2]);
        Zone { tz, spans }
    }

    /// Offset from UTC (seconds east) in effect at instant `t`.
    pub(super) fn offset(&mut self, t: i64) -> Option<i64> {
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
    pub(super) fn same_offset(&self, a: i64, b: i64) -> bool {
        self.spans[0].contains(a) && self.spans[0].contains(b)
    }

    /// The local wall clock at instant `t`.
    pub(super) fn local(&mut self, t: i64) -> Option<Civil> {
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
    pub(super) fn date(&mut self, y: i32, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<i64> {
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
    pub(super) fn add_date(&mut self, t: i64, months: i64, days: i64) -> Option<i64> {
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
pub(super) fn tz_offset(tz: Tz, t: i64) -> Option<i64> {
    let utc = DateTime::from_timestamp(t, 0)?.naive_utc();
    Some(i64::from(tz.offset_from_utc_datetime(&utc).fix().local_minus_utc()))
}

/// The span of constant offset around `t`, as far as [`PROBES_AHEAD`] / [`PROBES_BEHIND`] probes
/// reach (see [`PROBE_SECS`] for why probing is exact); `None` if `t` is outside chrono's range.
pub(super) fn span_at(tz: Tz, t: i64) -> Option<Span> {
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
