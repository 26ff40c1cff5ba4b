//! Calendar arithmetic for trace timestamps without a date-time dependency: naive
//! `YYYY-MM-DD HH:MM:SS` strings, US-Pacific local time (Philly, with its DST change on
//! 2017-11-05), and ISO 8601 strings with an offset (Acme). All results are seconds since the
//! Unix epoch (UTC); only differences matter after rebasing.

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

fn num<T: std::str::FromStr>(s: &str, len: usize) -> Option<T> {
    if s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// Parses `YYYY-MM-DD HH:MM:SS` (or with `T`, optional fraction of a second dropped) as if it
/// were UTC: seconds since the epoch. `None` if malformed or out of range.
pub fn parse_naive(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.len() < 19 {
        return None;
    }
    let (date, rest) = s.split_at(10);
    let sep = rest.as_bytes().first()?;
    if *sep != b' ' && *sep != b'T' {
        return None;
    }
    let time = &rest[1..];
    let time = match time.split_once('.') {
        Some((t, frac)) if !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit()) => t,
        Some(_) => return None,
        None => time,
    };
    let mut dp = date.split('-');
    let y: i64 = num(dp.next()?, 4)?;
    let m: u32 = num(dp.next()?, 2)?;
    let d: u32 = num(dp.next()?, 2)?;
    let mut tp = time.split(':');
    let hh: i64 = num(tp.next()?, 2)?;
    let mm: i64 = num(tp.next()?, 2)?;
    let ss: i64 = num(tp.next()?, 2)?;
    if dp.next().is_some() || tp.next().is_some() {
        return None;
    }
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// Day of the week of a day number (0 = Monday).
pub fn weekday(days: i64) -> i64 {
    (days + 3).rem_euclid(7)
}

/// The day number of the `n`th (1-based) Sunday of a month.
fn nth_sunday(y: i64, m: u32, n: i64) -> i64 {
    let first = days_from_civil(y, m, 1);
    let to_sunday = (6 - weekday(first)).rem_euclid(7);
    first + to_sunday + 7 * (n - 1)
}

/// Converts a naive US-Pacific wall-clock time (as parsed by [`parse_naive`]) to UTC, with the
/// US rules in force since 2007: daylight time (UTC-7) from the second Sunday of March 02:00
/// to the first Sunday of November 02:00, else standard time (UTC-8). The repeated hour in
/// November is read as daylight time (its first occurrence).
pub fn pacific_to_utc(naive: i64) -> i64 {
    let days = naive.div_euclid(86_400);
    // The year of the naive time.
    let (y, _, _) = civil_from_days(days);
    let dst_start = nth_sunday(y, 3, 2) * 86_400 + 2 * 3600;
    let dst_end = nth_sunday(y, 11, 1) * 86_400 + 2 * 3600;
    if naive >= dst_start && naive < dst_end {
        naive + 7 * 3600
    } else {
        naive + 8 * 3600
    }
}

/// (year, month, day) of a day number (Hinnant's `civil_from_days`).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Parses an ISO 8601 date-time with an offset (`2023-03-01 08:00:00+08:00`,
/// `2023-03-01T00:00:00Z`, `...+0000`) into UTC seconds. Without an offset it is read as UTC.
pub fn parse_iso_utc(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.len() < 19 {
        return None;
    }
    let (head, tail) = s.split_at(19);
    let naive = parse_naive(head)?;
    // Optional fraction, then optional offset.
    let tail = match tail.strip_prefix('.') {
        Some(t) => t.trim_start_matches(|c: char| c.is_ascii_digit()),
        None => tail,
    };
    let offset_s = match tail {
        "" | "Z" => 0,
        t => {
            let sign = match t.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let t = t[1..].replace(':', "");
            let hh: i64 = num(t.get(0..2)?, 2)?;
            let mm: i64 = num(t.get(2..)?, 2)?;
            sign * (hh * 3600 + mm * 60)
        }
    };
    Some(naive - offset_s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_and_weekdays() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(civil_from_days(11_017), (2000, 3, 1));
        assert_eq!(weekday(0), 3); // 1970-01-01 was a Thursday
        assert_eq!(weekday(days_from_civil(2017, 11, 5)), 6); // a Sunday
        assert_eq!(parse_naive("1970-01-02 00:00:01"), Some(86_401));
        assert_eq!(parse_naive("2017-02-29 00:00:00"), None);
        assert_eq!(parse_naive("2017-10-07 01:1:39"), None);
        assert_eq!(parse_naive("None"), None);
    }

    #[test]
    fn pacific_dst() {
        // 2017-11-02 05:56:51 PDT = 12:56:51 UTC; 2017-11-08 08:49:03 PST = 16:49:03 UTC.
        let a = parse_naive("2017-11-02 05:56:51").unwrap();
        let b = parse_naive("2017-11-08 08:49:03").unwrap();
        assert_eq!(pacific_to_utc(a), parse_naive("2017-11-02 12:56:51").unwrap());
        assert_eq!(pacific_to_utc(b), parse_naive("2017-11-08 16:49:03").unwrap());
        // DST 2017 began on March 12.
        assert_eq!(
            pacific_to_utc(parse_naive("2017-03-12 01:59:59").unwrap()) % 86_400,
            9 * 3600 + 3599
        );
        assert_eq!(
            pacific_to_utc(parse_naive("2017-03-12 03:00:00").unwrap()) % 86_400,
            10 * 3600
        );
    }

    #[test]
    fn iso_offsets() {
        let utc = parse_naive("2023-03-01 00:00:00").unwrap();
        assert_eq!(parse_iso_utc("2023-03-01 08:00:00+08:00"), Some(utc));
        assert_eq!(parse_iso_utc("2023-03-01T00:00:00Z"), Some(utc));
        assert_eq!(parse_iso_utc("2023-03-01 00:00:00.250+00:00"), Some(utc));
        assert_eq!(parse_iso_utc("2023-02-28 19:00:00-0500"), Some(utc));
        assert_eq!(parse_iso_utc("2023-03-01 00:00:00+8"), None);
    }
}
