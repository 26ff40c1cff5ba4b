//! Numbers for people, shared by the terminal text and report.html: values by their metric's
//! scale (73.5%, 1,234s, 12.3 GPU-h), signed differences, a mean with its interval, deadlocked
//! runs.

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

/// A value for people: 73.5%, 1,234 s, 12.3 GPU-h, 4.2.
pub fn show(metric: &str, v: f64) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    match unit_of(metric) {
        Scale::Fraction => format!("{:.1}%", v * 100.0),
        Scale::Seconds => format!("{}s", group(v.round())),
        Scale::Count => {
            if v.fract() == 0.0 {
                group(v)
            } else {
                format!("{v:.1}")
            }
        }
        Scale::GpuHours => format!("{v:.1} GPU-h"),
        Scale::Ratio => format!("{v:.2}"),
        Scale::Index => format!("{v:.3}"),
    }
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

/// A signed difference for people: +33.0 pp, -1,200 s.
pub fn show_diff(metric: &str, v: f64) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    let sign = if v > 0.0 {
        "+"
    } else if v < 0.0 {
        "-"
    } else {
        ""
    };
    let a = v.abs();
    let body = match unit_of(metric) {
        Scale::Fraction => format!("{:.1} pp", a * 100.0),
        Scale::Seconds => format!("{} s", group(a.round())),
        Scale::Count => format!("{a:.1}"),
        Scale::GpuHours => format!("{a:.1} GPU-h"),
        Scale::Ratio => format!("{a:.2}"),
        Scale::Index => format!("{a:.3}"),
    };
    format!("{sign}{body}")
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
    if v < 0.0 { format!("-{out}") } else { out }
}

/// A metric's mean over seeds, with its 95% interval when there is one: `73.5% [70.1%, 76.9%]`.
pub fn cell(a: &Aggregate, metric: &str) -> String {
    a.estimate(metric).map_or("-".into(), |e| {
        if e.lo.is_finite() && e.hi.is_finite() && e.n > 1 {
            format!(
                "{} [{}, {}]",
                show(metric, e.mean),
                show(metric, e.lo),
                show(metric, e.hi)
            )
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
        assert_eq!(show("wait_p95_s", 12345.4), "12,345s");
        assert_eq!(show_diff("gpu_busy_util", -0.331), "-33.1 pp");
        assert_eq!(show_diff("wait_p95_s", 1200.0), "+1,200 s");
        assert_eq!(num(-0.0), "0.000000");
        assert_eq!(num(f64::NAN), "");
    }
}
