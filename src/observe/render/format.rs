//! Numbers for people, shared by the terminal text and report.html: values by their metric's
//! scale in human units (73.5%; 45 s, 12 min, 12 h, 7 d, 3.7 y; 822 GPU-h, 3.7 GPU-years), signed
//! differences, a mean with its interval in one unit, deadlocked runs. The CSV files keep raw
//! numbers in the base units.

use crate::observe::analysis::{self, Aggregate, DEADLOCK_FREE, DEADLOCK_RATE, Scale};

/// The scale a metric reads in (the deadlock rate and its complement are fractions).
fn unit_of(metric: &str) -> Scale {
    if metric == DEADLOCK_RATE || metric == DEADLOCK_FREE {
        Scale::Fraction
    } else {
        analysis::metric(metric).map_or(Scale::Count, |m| m.unit)
    }
}

/// A metric's label in text (the deadlock rate's says it counts runs).
pub fn label_of(metric: &str) -> &'static str {
    match metric {
        DEADLOCK_RATE => "deadlock rate (runs)",
        DEADLOCK_FREE => "runs without deadlock",
        _ => analysis::metric(metric).map_or("?", |m| m.label),
    }
}

/// A unit for people: its name, its size in the base unit (seconds, GPU-hours), and the
/// magnitude (in the base unit) from which it is used.
type Unit = (&'static str, f64, f64);

/// Seconds: s, then min from 2 min, h from 2 h, d from 3 d, y (365.25 d) from a year.
const TIME: [Unit; 5] = [
    ("s", 1.0, 0.0),
    ("min", 60.0, 120.0),
    ("h", 3600.0, 7200.0),
    ("d", 86_400.0, 259_200.0),
    ("y", 31_557_600.0, 31_557_600.0),
];

/// GPU-hours: GPU-h, then GPU-years (8,766 GPU-hours) from 10,000 GPU-hours.
const GPU_TIME: [Unit; 2] = [("GPU-h", 1.0, 0.0), ("GPU-years", 8766.0, 10_000.0)];

/// The unit of `units` for a magnitude: the largest whose threshold it reaches.
fn unit_for(units: &[Unit], magnitude: f64) -> Unit {
    units
        .iter()
        .rev()
        .find(|u| magnitude >= u.2)
        .copied()
        .unwrap_or(units[0])
}

/// A number in a unit: thousands separators from 10, else one decimal (`.0` dropped).
fn number(v: f64) -> String {
    if v.abs() >= 9.95 {
        group(v.round())
    } else {
        let s = format!("{v:.1}");
        let s = s.strip_suffix(".0").unwrap_or(&s).to_string();
        if s == "-0" { "0".into() } else { s }
    }
}

/// `v` in `u`, with its sign when `signed` (+ for positive).
fn in_unit(v: f64, u: Unit, signed: bool) -> String {
    let body = format!("{} {}", number(v.abs() / u.1), u.0);
    let zero = number(v.abs() / u.1) == "0";
    match (signed, v < 0.0 && !zero, v > 0.0 && !zero) {
        (_, true, _) => format!("-{body}"),
        (true, _, true) => format!("+{body}"),
        _ => body,
    }
}

/// A duration for people: 45 s, 12 min, 12 h, 7 d, 3.7 y.
pub fn duration(s: f64) -> String {
    if !s.is_finite() {
        return "-".into();
    }
    in_unit(s, unit_for(&TIME, s.abs()), false)
}

/// Values of one metric in one unit, so an interval reads in one unit: the first value's (the
/// mean's), or when it is 0 the largest magnitude's: 73.5%, 3.2 h, 822 GPU-h, 3.7 GPU-years, 4.2. Signed (`+`/`-`, and pp for
/// fractions) when `diff`.
fn show_all<const N: usize>(metric: &str, vs: [f64; N], diff: bool) -> [String; N] {
    let magnitude = match vs.first() {
        Some(v) if v.is_finite() && *v != 0.0 => v.abs(),
        _ => vs
            .iter()
            .filter(|v| v.is_finite())
            .fold(0.0, |m: f64, v| m.max(v.abs())),
    };
    let scale = unit_of(metric);
    vs.map(|v| {
        if !v.is_finite() {
            return "-".into();
        }
        match scale {
            Scale::Fraction if diff => {
                let s = format!("{:+.1} pp", v * 100.0);
                if s.starts_with("+0.0") || s.starts_with("-0.0") {
                    "0.0 pp".into()
                } else {
                    s
                }
            }
            Scale::Fraction => format!("{:.1}%", v * 100.0),
            Scale::Seconds => in_unit(v, unit_for(&TIME, magnitude), diff),
            Scale::GpuHours => in_unit(v, unit_for(&GPU_TIME, magnitude), diff),
            Scale::Count if diff && v.abs() < 0.05 => "0.0".into(),
            Scale::Count if diff => format!("{v:+.1}"),
            Scale::Count => {
                if v.fract() == 0.0 {
                    group(v)
                } else {
                    format!("{v:.1}")
                }
            }
            Scale::Ratio if diff => format!("{v:+.2}"),
            Scale::Ratio => format!("{v:.2}"),
            Scale::Index if diff => format!("{v:+.3}"),
            Scale::Index => format!("{v:.3}"),
        }
    })
}

/// A value for people: 73.5%, 3.2 h, 12.3 GPU-h, 4.2.
pub fn show(metric: &str, v: f64) -> String {
    let [s] = show_all(metric, [v], false);
    s
}

/// [`show`], marked `>=` when the value is only a lower bound (censored runs).
pub fn show_bounded(metric: &str, v: f64, lower_bound: bool) -> String {
    let s = show(metric, v);
    if lower_bound && v.is_finite() {
        format!(">={s}")
    } else {
        s
    }
}

/// A signed difference for people: +33.0 pp, -1.2 h.
pub fn show_diff(metric: &str, v: f64) -> String {
    let [s] = show_all(metric, [v], true);
    s
}

/// A value with its interval, in one unit: `3.2 h [2.0 h, 4.5 h]`; a difference signed:
/// `-1.2 h [-2.4 h, -0.1 h]`.
pub fn interval(metric: &str, mean: f64, lo: f64, hi: f64, diff: bool) -> String {
    let [m, l, h] = show_all(metric, [mean, lo, hi], diff);
    format!("{m} [{l}, {h}]")
}

/// Thousands separators for a whole number.
fn group(v: f64) -> String {
    let s = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 && out != "0" { format!("-{out}") } else { out }
}

/// A metric's mean over seeds, with its 95% interval when there is one: `73.5% [70.1%, 76.9%]`.
pub fn cell(a: &Aggregate, metric: &str) -> String {
    a.estimate(metric).map_or("-".into(), |e| {
        if e.lo.is_finite() && e.hi.is_finite() && e.n > 1 {
            interval(metric, e.mean, e.lo, e.hi, false)
        } else {
            show(metric, e.mean)
        }
    })
}

/// Deadlocked runs with the rate and its interval: `2/10 20% [6%, 51%]`.
pub fn deadlock_cell(a: &Aggregate) -> String {
    let e = a.estimate(DEADLOCK_RATE);
    match e {
        Some(e) => format!(
            "{}/{} {:.0}% [{:.0}%, {:.0}%]",
            a.deadlocked_runs,
            a.runs,
            e.mean * 100.0,
            e.lo * 100.0,
            e.hi * 100.0
        ),
        None => "-".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::render::csv::num;

    #[test]
    fn human_numbers() {
        assert_eq!(show("gpu_busy_util", 0.735), "73.5%");
        assert_eq!(show("wait_p95_s", 12345.4), "3.4 h");
        assert_eq!(show_diff("gpu_busy_util", -0.331), "-33.1 pp");
        assert_eq!(show_diff("gpu_busy_util", 0.00001), "0.0 pp");
        assert_eq!(show_diff("wait_p95_s", 1200.0), "+20 min");
        assert_eq!(show_diff("wait_p95_s", -4450.0), "-74 min");
        assert_eq!(show_diff("wait_p95_s", 0.2), "+0.2 s");
        assert_eq!(show_diff("wait_p95_s", 0.02), "0 s");
        assert_eq!(show_diff("jobs_complete", 53.2), "+53.2");
        assert_eq!(show_diff("jobs_complete", -0.0), "0.0");
        assert_eq!(show("jobs_complete", 1234.0), "1,234");
    }

    /// The examples: 12 h, 7 d, 32,030 GPU-hours as 3.7 GPU-years; and each unit's
    /// threshold.
    #[test]
    fn human_units() {
        assert_eq!(duration(43_200.0), "12 h");
        assert_eq!(duration(7.0 * 86_400.0), "7 d");
        assert_eq!(duration(0.4), "0.4 s");
        assert_eq!(duration(45.0), "45 s");
        assert_eq!(duration(119.0), "119 s");
        assert_eq!(duration(120.0), "2 min");
        assert_eq!(duration(720.0), "12 min");
        assert_eq!(duration(7199.0), "120 min");
        assert_eq!(duration(7200.0), "2 h");
        assert_eq!(duration(9000.0), "2.5 h");
        assert_eq!(duration(259_199.0), "72 h");
        assert_eq!(duration(259_200.0), "3 d");
        assert_eq!(duration(2.0 * 31_557_600.0), "2 y");
        assert_eq!(duration(f64::NAN), "-");
        assert_eq!(show("stranded_gpu_h", 822.2), "822 GPU-h");
        assert_eq!(show("stranded_gpu_h", 9999.0), "9,999 GPU-h");
        assert_eq!(show("stranded_gpu_h", 32_030.0), "3.7 GPU-years");
        assert_eq!(show("stranded_gpu_h", 0.0), "0 GPU-h");
        // An interval reads in the unit of its mean (its largest magnitude's when the mean is 0).
        assert_eq!(
            interval("wait_p95_s", 11_590.0, 7_200.0, 16_200.0, false),
            "3.2 h [2 h, 4.5 h]"
        );
        assert_eq!(
            interval("wait_p95_s", -8_696.0, -12_000.0, -203.0, true),
            "-2.4 h [-3.3 h, -0.1 h]"
        );
        assert_eq!(interval("wait_p95_s", 0.0, 0.0, 9000.0, false), "0 h [0 h, 2.5 h]");
        assert_eq!(interval("wait_p50_s", 50.0, 10.0, 90.0, false), "50 s [10 s, 90 s]");
        assert_eq!(num(-0.0), "0.000000");
        assert_eq!(num(f64::NAN), "");
    }
}
