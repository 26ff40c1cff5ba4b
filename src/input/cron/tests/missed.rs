//! The controller's missed-schedule computation (`missed`, `missed_cached`): regular syncs, the
//! controller down, late starts, irregular schedules, DST, and the `NextCache`.

use super::*;

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
