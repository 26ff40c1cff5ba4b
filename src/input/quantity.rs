//! Parsing of Kubernetes resource quantities (`500m`, `64Gi`, `1e3`) into the simulator's
//! canonical integer units, and of Go-style durations (`90s`, `1.5h`, `2h45m`, plus `d`) into
//! milliseconds. Pure functions on strings; the YAML layer turns YAML integers and floats into
//! their decimal text first, so `nvidia.com/gpu: 1` and `nvidia.com/gpu: "1"` parse alike.
//!
//! Deliberate differences from Kubernetes: a negative quantity is an error (Kubernetes accepts
//! it in the syntax and rejects it in validation), and the day unit `d` is accepted in durations
//! (Go's `time.ParseDuration` has none).

use crate::error::quote;
use crate::limits::MAX_QUANTITY;

/// How a resource's amount is stored (see `spec.rs`): bytes, or thousandths of a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    Bytes,
    Milli,
}

fn unit_of(resource: &str) -> Unit {
    match resource {
        "memory" | "ephemeral-storage" | "storage" => Unit::Bytes,
        r if r.starts_with("hugepages-") => Unit::Bytes,
        _ => Unit::Milli,
    }
}

/// Is the resource counted in bytes (memory, storage, hugepages) rather than thousandths?
pub fn is_bytes(resource: &str) -> bool {
    unit_of(resource) == Unit::Bytes
}

const QUANTITY_HELP: &str = "a quantity is a non-negative number with an optional suffix: \
     500m, 2, 1.5, 1e3, 8k, 64M, 64Gi (decimal suffixes n u m k M G T P E, binary Ki Mi Gi Ti Pi Ei)";

/// Parses a Kubernetes quantity for `resource` into canonical units: `cpu` in millicores,
/// `memory`, `ephemeral-storage`, `storage` and `hugepages-*` in bytes, any other resource in
/// milli-units (`nvidia.com/gpu: 1` is 1000, `pods: 110` is 110000). Fractions of the
/// canonical unit round up, as Kubernetes' `MilliValue`/`Value` do. At most
/// [`MAX_QUANTITY`] canonical units.
pub fn parse_quantity(resource: &str, s: &str) -> Result<i64, String> {
    let bad = || format!("invalid quantity {} for {resource}: {QUANTITY_HELP}", quote(s));
    let t = s.trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.starts_with('-') {
        return Err(format!(
            "negative quantity {} for {resource}: amounts of resources cannot be negative",
            quote(s)
        ));
    }
    // Split the number (digits, optional '.', digits) from the suffix.
    let num_end = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, suffix) = t.split_at(num_end);
    let (int_part, frac_part) = match number.split_once('.') {
        Some((i, f)) => (i, f),
        None => (number, ""),
    };
    if (int_part.is_empty() && frac_part.is_empty()) || frac_part.contains('.') {
        return Err(bad());
    }
    // The number's digits without the point and leading zeros (ASCII digits only, so at most
    // 30 of them fit an i128), read in place: a trace parses two quantities a row.
    let digits = || int_part.bytes().chain(frac_part.bytes()).skip_while(|&d| d == b'0');
    if digits().count() > 30 {
        return Err(format!(
            "quantity {} for {resource} has too many digits (at most 30 are supported)",
            quote(s)
        ));
    }
    let mantissa = digits().fold(0i128, |m, d| m * 10 + i128::from(d - b'0'));
    // value = mantissa * num / den
    let mut num: i128 = 1;
    let mut den: i128 = pow10(frac_part.len()).ok_or_else(bad)?;
    match suffix {
        "" => {}
        "n" => den = den.checked_mul(1_000_000_000).ok_or_else(bad)?,
        "u" => den = den.checked_mul(1_000_000).ok_or_else(bad)?,
        "m" => den = den.checked_mul(1_000).ok_or_else(bad)?,
        "k" => num = 1_000,
        "M" => num = 1_000_000,
        "G" => num = 1_000_000_000,
        "T" => num = 1_000_000_000_000,
        "P" => num = 1_000_000_000_000_000,
        "E" => num = 1_000_000_000_000_000_000,
        "Ki" => num = 1 << 10,
        "Mi" => num = 1 << 20,
        "Gi" => num = 1 << 30,
        "Ti" => num = 1 << 40,
        "Pi" => num = 1 << 50,
        "Ei" => num = 1 << 60,
        exp if exp.starts_with(['e', 'E']) => {
            let e: i32 = exp[1..].parse().map_err(|_| bad())?;
            if e.unsigned_abs() > 30 {
                return Err(format!(
                    "quantity {} for {resource}: exponent out of range (at most 30)",
                    quote(s)
                ));
            }
            let p = pow10(e.unsigned_abs() as usize).ok_or_else(bad)?;
            if e >= 0 {
                num = p;
            } else {
                den = den.checked_mul(p).ok_or_else(bad)?;
            }
        }
        _ => return Err(bad()),
    }
    if unit_of(resource) == Unit::Milli {
        num = num.checked_mul(1_000).ok_or_else(bad)?;
    }
    let too_large = || format!("quantity {} for {resource} is too large", quote(s));
    let scaled = mantissa.checked_mul(num).ok_or_else(too_large)?;
    // Round up (ceil) for non-negative values.
    let value = scaled / den + i128::from(scaled % den != 0);
    if value > i128::from(MAX_QUANTITY) {
        return Err(format!(
            "quantity {} for {resource} is beyond the limit of {} (kubesim's bound on one amount)",
            quote(s),
            format_quantity(resource, MAX_QUANTITY)
        ));
    }
    i64::try_from(value).map_err(|_| too_large())
}

/// Formats an amount of `resource` in canonical units as Kubernetes prints a quantity
/// (`Quantity.String()`): millicores and milli-units as `500m`, `2`, `4k`; bytes with the exact
/// binary (`64Gi`) or decimal (`8G`) suffix, whichever is shorter, else plain. Kubernetes keeps
/// the suffix family a quantity was written in; canonical units have forgotten it, so a byte
/// amount written `8000000000` prints `8G` here.
pub fn format_quantity(resource: &str, value: i64) -> String {
    const DECIMAL: [&str; 7] = ["", "k", "M", "G", "T", "P", "E"];
    const BINARY: [&str; 7] = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
    let sign = if value < 0 { "-" } else { "" };
    let v = value.unsigned_abs();
    let decimal = |mut n: u64| {
        let mut k = 0;
        while n != 0 && n.is_multiple_of(1000) && k < 6 {
            n /= 1000;
            k += 1;
        }
        format!("{sign}{n}{}", DECIMAL[k])
    };
    match unit_of(resource) {
        Unit::Milli if !v.is_multiple_of(1000) => format!("{sign}{v}m"),
        Unit::Milli => decimal(v / 1000),
        Unit::Bytes => {
            let dec = decimal(v);
            let mut n = v;
            let mut k = 0;
            while n != 0 && n.is_multiple_of(1024) && k < 6 {
                n /= 1024;
                k += 1;
            }
            let bin = format!("{sign}{n}{}", BINARY[k]);
            if k > 0 && bin.len() <= dec.len() { bin } else { dec }
        }
    }
}

/// The resource whose unit a ResourceQuota resource name is counted in: `requests.memory`,
/// `limits.memory` and `memory` are bytes; `requests.cpu`, `pods`, `count/jobs.batch` and
/// `requests.nvidia.com/gpu` are thousandths (see `spec.rs`).
pub fn quota_unit_resource(quota_name: &str) -> &str {
    quota_name
        .strip_prefix("requests.")
        .or_else(|| quota_name.strip_prefix("limits."))
        .unwrap_or(quota_name)
}

fn pow10(n: usize) -> Option<i128> {
    let mut p: i128 = 1;
    for _ in 0..n {
        p = p.checked_mul(10)?;
    }
    Some(p)
}

const DURATION_HELP: &str = "a duration is a number with a unit, such as 300ms, 90s, 1.5h, \
     2h45m, 1m30.5s or 2d (units: ns, us, ms, s, m, h, d); a bare 0 is allowed";

/// Parses a Go-style duration (`300ms`, `90s`, `1.5h`, `2h45m`, `1m30.5s`; units `ns`, `us`/`µs`,
/// `ms`, `s`, `m`, `h`, plus `d` for 24 h) into milliseconds, rounded to the nearest
/// millisecond (halves up). A bare `0` is zero; a negative duration, an empty string and a
/// non-zero number without unit are errors.
pub fn parse_duration_ms(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let bad = |why: &str| format!("invalid duration {}{why}: {DURATION_HELP}", quote(s));
    if t.is_empty() {
        return Err(bad(" (empty)"));
    }
    if t.starts_with('-') {
        return Err(format!(
            "negative duration {}: durations count forward from t=0 and cannot be negative; \
             {DURATION_HELP}",
            quote(s)
        ));
    }
    let t = t.strip_prefix('+').unwrap_or(t);
    if t == "0" {
        return Ok(0);
    }
    if t.is_empty() {
        return Err(bad(""));
    }
    let mut rest = t;
    let mut total_ns: u128 = 0;
    let too_long = || format!("duration {} is too long", quote(s));
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(num_end);
        let (int_part, frac_part) = match number.split_once('.') {
            Some((i, f)) => (i, f),
            None => (number, ""),
        };
        if (int_part.is_empty() && frac_part.is_empty()) || frac_part.contains('.') {
            return Err(bad(""));
        }
        let unit_end = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_end);
        let unit_ns: u128 = match unit {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60 * 1_000_000_000,
            "h" => 3_600 * 1_000_000_000,
            "d" => 86_400 * 1_000_000_000,
            "" => return Err(bad(" (a number without unit)")),
            _ => return Err(bad(&format!(" (unknown unit {})", quote(unit)))),
        };
        let int_digits = int_part.trim_start_matches('0');
        if int_digits.len() > 20 {
            return Err(too_long());
        }
        let int_val: u128 = if int_digits.is_empty() {
            0
        } else {
            int_digits.parse().map_err(|_| bad(""))?
        };
        // Digits beyond nanosecond precision cannot matter: keep at most 18.
        let frac = &frac_part[..frac_part.len().min(18)];
        let frac_ns = if frac.is_empty() {
            0
        } else {
            let f: u128 = frac.parse().map_err(|_| bad(""))?;
            f * unit_ns / 10u128.pow(frac.len() as u32)
        };
        let ns = int_val
            .checked_mul(unit_ns)
            .and_then(|v| v.checked_add(frac_ns))
            .ok_or_else(too_long)?;
        total_ns = total_ns.checked_add(ns).ok_or_else(too_long)?;
        rest = next;
    }
    let ms = (total_ns + 500_000) / 1_000_000;
    u64::try_from(ms).map_err(|_| too_long())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        let cases: &[(&str, &str, &str, i64)] = &[
            ("cpu whole", "cpu", "8", 8_000),
            ("cpu milli", "cpu", "500m", 500),
            ("cpu decimal", "cpu", "1.5", 1_500),
            ("cpu fraction rounds up", "cpu", "0.0001", 1),
            ("cpu exponent", "cpu", "1e3", 1_000_000),
            ("cpu negative exponent", "cpu", "5e-1", 500),
            ("cpu plus sign", "cpu", "+2", 2_000),
            ("cpu nano", "cpu", "1500000n", 2),
            ("cpu micro", "cpu", "2000u", 2),
            ("memory Gi", "memory", "64Gi", 64 << 30),
            ("memory Ti", "memory", "1Ti", 1 << 40),
            ("memory Ki", "memory", "1Ki", 1024),
            ("memory G", "memory", "1G", 1_000_000_000),
            ("memory k", "memory", "8k", 8_000),
            ("memory plain", "memory", "1024", 1024),
            ("memory milli rounds up", "memory", "1500m", 2),
            ("memory decimal Gi", "memory", "1.5Gi", 3 << 29),
            ("memory P", "memory", "8P", 8_000_000_000_000_000),
            ("memory at the limit", "memory", "8Pi", MAX_QUANTITY),
            ("cpu at the limit", "cpu", "9007199254740992m", MAX_QUANTITY),
            ("memory exponent E3", "memory", "1E3", 1_000),
            ("ephemeral storage", "ephemeral-storage", "10Mi", 10 << 20),
            ("hugepages", "hugepages-2Mi", "4Mi", 4 << 20),
            ("gpu", "nvidia.com/gpu", "1", 1_000),
            ("gpu zero", "nvidia.com/gpu", "0", 0),
            ("pods", "pods", "110", 110_000),
            ("extended milli", "example.com/foo", "250m", 250),
            ("leading dot", "cpu", ".5", 500),
            ("trailing dot", "cpu", "2.", 2_000),
            ("leading zeros", "cpu", "0002", 2_000),
        ];
        for (name, res, s, want) in cases {
            assert_eq!(parse_quantity(res, s), Ok(*want), "case {name}: {res} {s}");
        }
    }

    #[test]
    fn quantities_print_as_kubernetes_does() {
        let cases: &[(&str, i64, &str)] = &[
            ("cpu", 500, "500m"),
            ("cpu", 4_000, "4"),
            ("cpu", 1_500, "1500m"),
            ("cpu", 1_500_000, "1500"),
            ("cpu", 4_000_000, "4k"),
            ("cpu", 0, "0"),
            ("pods", 50_000, "50"),
            ("count/jobs.batch", 1_000, "1"),
            ("nvidia.com/gpu", 16_000, "16"),
            ("memory", 256 << 30, "256Gi"),
            ("memory", 64 << 20, "64Mi"),
            ("memory", 8_000_000_000, "8G"),
            ("memory", 1_000, "1k"),
            ("memory", 1_024, "1Ki"),
            ("memory", 1_500, "1500"),
            ("memory", 0, "0"),
            ("hugepages-2Mi", 4 << 20, "4Mi"),
        ];
        for (res, v, want) in cases {
            assert_eq!(format_quantity(res, *v), *want, "{res} {v}");
            assert_eq!(parse_quantity(res, want), Ok(*v), "round trip {res} {want}");
        }
        assert_eq!(quota_unit_resource("requests.memory"), "memory");
        assert_eq!(quota_unit_resource("limits.cpu"), "cpu");
        assert_eq!(quota_unit_resource("requests.nvidia.com/gpu"), "nvidia.com/gpu");
        assert_eq!(quota_unit_resource("count/jobs.batch"), "count/jobs.batch");
    }

    #[test]
    fn bad_quantities() {
        let cases: &[(&str, &str, &str, &str)] = &[
            ("negative", "cpu", "-1", "negative"),
            ("empty", "cpu", "", "invalid quantity"),
            ("garbage", "cpu", "abc", "invalid quantity"),
            ("unknown suffix", "memory", "10GB", "invalid quantity"),
            ("two dots", "cpu", "1.2.3", "invalid quantity"),
            ("lone suffix", "memory", "Gi", "invalid quantity"),
            ("space inside", "cpu", "1 m", "invalid quantity"),
            ("beyond the limit", "memory", "1E", "beyond the limit of 8Pi"),
            (
                "one beyond the limit",
                "cpu",
                "9007199254740993m",
                "beyond the limit of 9007199254740992m",
            ),
            ("overflow", "memory", "9999999Ei", "beyond the limit"),
            ("huge exponent", "cpu", "1e400", "exponent"),
            (
                "too many digits",
                "cpu",
                "1234567890123456789012345678901",
                "too many digits",
            ),
            ("bad exponent", "cpu", "1e", "invalid quantity"),
        ];
        for (name, res, s, want) in cases {
            let err = parse_quantity(res, s).expect_err(name);
            assert!(err.contains(want), "case {name}: {err}");
        }
    }

    #[test]
    fn durations() {
        let cases: &[(&str, &str, u64)] = &[
            ("zero", "0", 0),
            ("zero with unit", "0s", 0),
            ("millis", "300ms", 300),
            ("seconds", "90s", 90_000),
            ("minutes", "20m", 1_200_000),
            ("fraction of hour", "1.5h", 5_400_000),
            ("compound", "2h45m", 9_900_000),
            ("compound fraction", "1m30.5s", 90_500),
            ("days", "2d", 172_800_000),
            ("day and hours", "1d12h", 129_600_000),
            ("micros round down", "1400us", 1),
            ("micros round half up", "1500us", 2),
            ("micro sign", "2000\u{b5}s", 2),
            ("greek mu", "2000\u{3bc}s", 2),
            ("nanos", "2500000ns", 3),
            ("plus sign", "+5s", 5_000),
            ("leading dot", ".5s", 500),
            ("trailing dot", "1.s", 1_000),
            ("many fraction digits", "0.0000000000000000000001s", 0),
        ];
        for (name, s, want) in cases {
            assert_eq!(parse_duration_ms(s), Ok(*want), "case {name}: {s}");
        }
    }

    #[test]
    fn bad_durations() {
        let cases: &[(&str, &str, &str)] = &[
            ("negative", "-5m", "negative"),
            ("empty", "", "empty"),
            ("unitless", "5", "without unit"),
            ("unitless decimal", "1.5", "without unit"),
            ("unknown unit", "5y", "unknown unit"),
            ("garbage", "soon", "invalid duration"),
            ("double dot", "1..5s", "invalid duration"),
            ("unit only", "h", "invalid duration"),
            ("trailing number", "1h30", "without unit"),
            ("overflow", "99999999999999999999d", "too long"),
            ("plus only", "+", "invalid duration"),
        ];
        for (name, s, want) in cases {
            let err = parse_duration_ms(s).expect_err(name);
            assert!(err.contains(want), "case {name}: {err}");
            assert!(err.contains("300ms") || err.contains("too long"), "case {name}: {err}");
        }
    }
}
