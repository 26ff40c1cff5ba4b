//! robfig/cron v3 `ParseStandard` for `CronJob.spec.schedule`: the five fields (`getField`,
//! `getRange`, `parseIntOrName`, `mustParseInt`, with each field's [`Bounds`]), the `@` descriptors
//! (`parseDescriptor`, including `@every` with Go's `time.ParseDuration`), and the error texts,
//! each followed by how to write the schedule. [`Schedule::parse`](super::Schedule::parse) is the
//! entry point.

use super::{Kind, STAR_BIT, Spec};
use crate::error::{cut, quote};

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

pub(super) const FORM: &str = "write 5 fields `minute hour day-of-month month day-of-week` (e.g. \"*/15 9-17 * * MON-FRI\") \
                    or one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @every <duration>";

/// `Parser.Parse` for the standard options (Minute | Hour | Dom | Month | Dow | Descriptor).
pub(super) fn parse_fields(s: &str) -> Result<Spec, String> {
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
pub(super) fn parse_descriptor(s: &str) -> Result<Kind, String> {
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
