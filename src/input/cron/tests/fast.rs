//! The fast code equals what it replaced: `spec_next` and `Zone::date` equal the chrono-based
//! reference port, `civil` equals chrono, spans equal chrono-tz, and the tzdb is the one checked.

use super::*;

/// The fast `Next` equals the reference (the chrono-based port it replaced): random schedules,
/// the `ZONES`, random start times from 1880 to 2045, half of them just before an offset
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
