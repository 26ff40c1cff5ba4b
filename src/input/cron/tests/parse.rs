//! Parsing: rejected schedules and their messages, arbitrary input, descriptors, time zones, the
//! scenario start time and simulated milliseconds.

use super::*;

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
