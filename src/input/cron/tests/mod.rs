//! Tests of the cron module: parsing (`parse`), `Next` (`next`), the controller's missed-schedule
//! computation (`missed`), and the fast calendar and zone code against chrono and the reference
//! port (`fast`). Shared here: time and zone helpers, the equivalence tests' zones and random numbers.

use super::zone::{Civil, MAX_SECS, MIN_SECS, Zone, days_from_civil, span_at, tz_offset};
use super::*;
use chrono::{NaiveDate, Timelike};

mod fast;
mod missed;
mod next;
mod parse;

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
