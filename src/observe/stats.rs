//! Statistics: nearest-rank percentiles and means of samples (the summary metrics, queue waits,
//! replay fidelity, trace statistics), and confidence intervals for comparisons across seeds:
//! Student t intervals for means and paired differences (common random numbers make policies'
//! runs on one seed a pair), the Wilson score interval for a rate, and Newcombe's interval for the
//! difference of two paired rates.
//!
//! All functions are plain sequential arithmetic over slices in a fixed order, so the same
//! inputs give bit-identical results (no parallel float reductions; rust-stack.md section 4).

/// Nearest-rank percentile of sorted values: the smallest value with at least p% at or below.
pub fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(sorted.len()) - 1])
}

/// The mean of values (None when there are none).
pub fn mean(v: &[u64]) -> Option<f64> {
    if v.is_empty() {
        None
    } else {
        Some(v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64)
    }
}

/// The standard normal quantile for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Student t quantiles t(0.975, df) for df = 1..=30 (from the t distribution's inverse CDF).
const T975: [f64; 30] = [
    12.706_204_736,
    4.302_652_730,
    3.182_446_305,
    2.776_445_105,
    2.570_581_836,
    2.446_911_851,
    2.364_624_252,
    2.306_004_135,
    2.262_157_163,
    2.228_138_852,
    2.200_985_160,
    2.178_812_830,
    2.160_368_656,
    2.144_786_688,
    2.131_449_546,
    2.119_905_299,
    2.109_815_578,
    2.100_922_040,
    2.093_024_054,
    2.085_963_447,
    2.079_613_845,
    2.073_873_068,
    2.068_657_610,
    2.063_898_562,
    2.059_538_553,
    2.055_529_439,
    2.051_830_516,
    2.048_407_142,
    2.045_229_642,
    2.042_272_456,
];

/// t(0.975, df): exact table to 30 degrees of freedom, then the Cornish-Fisher expansion in
/// 1/df around the normal quantile (error below 1e-6 from df = 30 on).
pub fn t975(df: u64) -> f64 {
    match df {
        0 => f64::NAN,
        1..=30 => T975[df as usize - 1],
        _ => {
            let z = Z95;
            let n = df as f64;
            let (z3, z5, z7, z9) = (z.powi(3), z.powi(5), z.powi(7), z.powi(9));
            z + (z3 + z) / (4.0 * n)
                + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * n * n)
                + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * n.powi(3))
                + (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / (92_160.0 * n.powi(4))
        }
    }
}

/// A mean with its 95% interval; `lo`/`hi` are NaN when fewer than two values exist.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub n: u64,
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
}

impl Estimate {
    /// True when the interval exists and excludes zero.
    pub fn excludes_zero(&self) -> bool {
        self.lo.is_finite() && self.hi.is_finite() && (self.lo > 0.0 || self.hi < 0.0)
    }
}

/// The mean of `xs` with its Student t 95% interval (sample standard deviation, n - 1 df).
pub fn mean_ci(xs: &[f64]) -> Estimate {
    let (e, se) = mean_se(xs);
    match se {
        Some(se) => {
            let half = t975(e.n - 1) * se;
            Estimate {
                lo: e.mean - half,
                hi: e.mean + half,
                ..e
            }
        }
        None => e,
    }
}

/// The mean (no interval yet) and its standard error s / sqrt(n) (None below two values).
fn mean_se(xs: &[f64]) -> (Estimate, Option<f64>) {
    let n = xs.len() as u64;
    let mean = if n == 0 {
        f64::NAN
    } else {
        xs.iter().sum::<f64>() / n as f64
    };
    let e = Estimate {
        n,
        mean,
        lo: f64::NAN,
        hi: f64::NAN,
    };
    if n < 2 {
        return (e, None);
    }
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
    (e, Some((var / n as f64).sqrt()))
}

/// Where a metric's values can lie, for an interval that respects it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    /// Any real value (paired differences): the Student t interval.
    Real,
    /// 0 or more (times, counts, GPU-hours): the interval on the log scale.
    NonNegative,
    /// Between 0 and 1 (utilizations, shares): the interval on the logit scale.
    Unit,
}

/// The mean of `xs` with a 95% interval that stays within `support`.
///
/// `NonNegative`: the delta-method interval for log(mean), mean x exp(-/+ t s / (sqrt(n) mean)):
/// positive, and asymmetric as the sampling distribution of a mean of skewed non-negative values
/// is. `Unit`: the same on the logit scale, logit(mean) -/+ t s / (sqrt(n) mean (1 - mean)),
/// mapped back into (0, 1). t is t(0.975, n - 1). When every value is equal (s = 0), including a
/// mean of exactly 0 or 1, the interval is that value. docs/metrics.md gives the coverage
/// measured by simulation; a test checks it.
/// The largest half-width on the log scale (a factor e^2 = 7.4 either way) for which
/// [`mean_ci_in`] uses the log-scale interval of a non-negative mean; beyond, the t interval cut
/// at 0.
pub const MAX_LOG_HALF_WIDTH: f64 = 2.0;

pub fn mean_ci_in(xs: &[f64], support: Support) -> Estimate {
    let (e, se) = mean_se(xs);
    let Some(se) = se.filter(|_| support != Support::Real) else {
        return mean_ci(xs);
    };
    let m = e.mean;
    if se <= 0.0 {
        return Estimate { lo: m, hi: m, ..e };
    }
    let inside = match support {
        Support::Unit => m > 0.0 && m < 1.0,
        _ => m > 0.0,
    };
    if !inside {
        // Values outside the support (not a metric kubesim reports): the plain t interval.
        return mean_ci(xs);
    }
    let t = t975(e.n - 1);
    match support {
        Support::NonNegative => {
            let h = t * se / m;
            if h > MAX_LOG_HALF_WIDTH {
                // The delta method linearizes log around the mean: with so few or so spread
                // values that the half-width passes a factor e^2 it no longer holds, and
                // exp(h) runs away (two seeds of 0 s and 100 s: up to 16 million s). The t
                // interval, cut at 0, is the honest wide one.
                let t_int = mean_ci(xs);
                return Estimate {
                    lo: t_int.lo.max(0.0),
                    ..t_int
                };
            }
            Estimate {
                lo: m * (-h).exp(),
                hi: m * h.exp(),
                ..e
            }
        }
        Support::Unit => {
            let logit = (m / (1.0 - m)).ln();
            let h = t * se / (m * (1.0 - m));
            let back = |x: f64| 1.0 / (1.0 + (-x).exp());
            Estimate {
                lo: back(logit - h),
                hi: back(logit + h),
                ..e
            }
        }
        Support::Real => e,
    }
}

/// The paired difference `b - a` over pairs where both values exist, with its t interval.
pub fn paired_diff(a: &[Option<f64>], b: &[Option<f64>]) -> Estimate {
    let d: Vec<f64> = a.iter().zip(b).filter_map(|(x, y)| Some((*y)? - (*x)?)).collect();
    mean_ci(&d)
}

/// Wilson score interval for `k` successes in `n` trials at 95%; (0, 1) when n = 0.
pub fn wilson95(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let z = Z95;
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let denom = 1.0 + z * z / n;
    let center = (p + z * z / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denom;
    ((center - half).max(0.0), (center + half).min(1.0))
}

/// The difference `p_b - p_a` of two rates measured on the same trials (seeds), with
/// Newcombe's (1998) hybrid score interval for paired proportions ("method 10"): Wilson
/// intervals of each rate combined with the phi correlation of the pairs. `a` and `b` are the
/// per-trial outcomes, in the same order.
pub fn paired_rate_diff(a: &[bool], b: &[bool]) -> Estimate {
    let n = a.len().min(b.len()) as u64;
    if n == 0 {
        return Estimate {
            n,
            mean: f64::NAN,
            lo: f64::NAN,
            hi: f64::NAN,
        };
    }
    // Cells: both, b only, a only, neither.
    let (mut both, mut b_only, mut a_only, mut neither) = (0u64, 0u64, 0u64, 0u64);
    for (&x, &y) in a.iter().zip(b) {
        match (x, y) {
            (true, true) => both += 1,
            (false, true) => b_only += 1,
            (true, false) => a_only += 1,
            (false, false) => neither += 1,
        }
    }
    let nf = n as f64;
    let kb = both + b_only;
    let ka = both + a_only;
    let (pb, pa) = (kb as f64 / nf, ka as f64 / nf);
    let (lb, ub) = wilson95(kb, n);
    let (la, ua) = wilson95(ka, n);
    let margins = [kb, n - kb, ka, n - ka];
    let phi = if margins.contains(&0) {
        0.0
    } else {
        let num = both as f64 * neither as f64 - b_only as f64 * a_only as f64;
        num / margins.iter().map(|&m| m as f64).product::<f64>().sqrt()
    };
    let theta = pb - pa;
    let delta = ((pb - lb).powi(2) - 2.0 * phi * (pb - lb) * (ua - pa) + (ua - pa).powi(2))
        .max(0.0)
        .sqrt();
    let eps = ((ub - pb).powi(2) - 2.0 * phi * (ub - pb) * (pa - la) + (pa - la).powi(2))
        .max(0.0)
        .sqrt();
    Estimate {
        n,
        mean: theta,
        lo: (theta - delta).max(-1.0),
        hi: (theta + eps).min(1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), Some(50));
        assert_eq!(percentile(&v, 95.0), Some(95));
        assert_eq!(percentile(&v, 99.0), Some(99));
        assert_eq!(percentile(&[7], 99.0), Some(7));
        assert_eq!(percentile(&[1, 2, 3, 4], 50.0), Some(2));
        assert_eq!(percentile(&[], 50.0), None);
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn t_quantiles_match_the_table_and_the_expansion_joins_it() {
        assert_eq!(t975(1), 12.706_204_736);
        assert_eq!(t975(9), 2.262_157_163);
        // The expansion at df = 30 agrees with the exact value; 60 and 120 from tables.
        let cf30 = {
            let z = Z95;
            let n = 30.0f64;
            z + (z.powi(3) + z) / (4.0 * n)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * n * n)
                + (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / (384.0 * n.powi(3))
                + (79.0 * z.powi(9) + 776.0 * z.powi(7) + 1482.0 * z.powi(5) - 1920.0 * z.powi(3) - 945.0 * z)
                    / (92_160.0 * n.powi(4))
        };
        assert!(close(cf30, 2.042_272_456, 2e-6), "{cf30}");
        assert!(close(t975(60), 2.000_297_822, 1e-6), "{}", t975(60));
        assert!(close(t975(120), 1.979_930_405, 1e-6), "{}", t975(120));
        assert!(close(t975(1_000_000), Z95, 1e-5));
        assert!(t975(0).is_nan());
    }

    #[test]
    fn mean_interval_by_hand() {
        // 1, 2, 3, 4, 5: mean 3, s^2 = 10/4 = 2.5, se = sqrt(0.5) = 0.707107,
        // t(0.975, 4) = 2.776445 -> half-width 1.963243.
        let e = mean_ci(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(e.n, 5);
        assert!(close(e.mean, 3.0, 1e-12));
        assert!(
            close(e.lo, 3.0 - 1.963_243, 1e-6) && close(e.hi, 3.0 + 1.963_243, 1e-6),
            "{e:?}"
        );
        let one = mean_ci(&[7.0]);
        assert_eq!(one.mean, 7.0);
        assert!(one.lo.is_nan() && one.hi.is_nan() && !one.excludes_zero());
        assert!(mean_ci(&[]).mean.is_nan());
    }

    #[test]
    fn paired_difference_by_hand() {
        // Baseline a, policy b on 4 seeds: differences 2, 1, 3, 2 (seed 5 has no value for b).
        // mean 2, s^2 = (0 + 1 + 1 + 0) / 3 = 2/3, se = sqrt(2/3 / 4) = 0.408248,
        // t(0.975, 3) = 3.182446 -> half-width 1.299228.
        let a = [Some(10.0), Some(11.0), Some(9.0), Some(10.0), Some(4.0)];
        let b = [Some(12.0), Some(12.0), Some(12.0), Some(12.0), None];
        let d = paired_diff(&a, &b);
        assert_eq!(d.n, 4);
        assert!(close(d.mean, 2.0, 1e-12));
        assert!(
            close(d.lo, 2.0 - 1.299_228, 1e-6) && close(d.hi, 2.0 + 1.299_228, 1e-6),
            "{d:?}"
        );
        assert!(d.excludes_zero());
        // The unpaired view of the same data would not be significant; pairing is the point.
        let same = paired_diff(&[Some(1.0), Some(2.0)], &[Some(1.0), Some(2.0)]);
        assert_eq!((same.mean, same.lo, same.hi), (0.0, 0.0, 0.0));
        assert!(!same.excludes_zero());
    }

    #[test]
    fn wilson_interval_by_hand() {
        // 1 of 10: p = 0.1, z = 1.96 -> [0.0179, 0.4042]; 0 of 10 -> [0, 0.2775].
        let (lo, hi) = wilson95(1, 10);
        assert!(close(lo, 0.017_875, 1e-4) && close(hi, 0.404_150, 1e-4), "{lo} {hi}");
        let (lo, hi) = wilson95(0, 10);
        assert!(lo == 0.0 && close(hi, 0.277_535, 1e-4), "{hi}");
        let (lo, hi) = wilson95(10, 10);
        assert!(close(lo, 0.722_467, 1e-6) && close(hi, 1.0, 1e-12), "{lo} {hi}");
        assert_eq!(wilson95(0, 0), (0.0, 1.0));
    }

    #[test]
    fn paired_rate_difference_by_hand() {
        // 10 seeds: a deadlocks on seeds 0-3, b on seed 0 only. Cells: both 1, b only 0,
        // a only 3, neither 6. p_b = 0.1 [0.017875, 0.404150], p_a = 0.4 [0.168180, 0.687326].
        // phi = (1*6 - 0*3) / sqrt(1 * 9 * 4 * 6) = 6 / 14.696938 = 0.408248.
        // delta = sqrt(0.082125^2 - 2 phi 0.082125 * 0.287326 + 0.287326^2) = 0.264640
        // eps   = sqrt(0.304150^2 - 2 phi 0.304150 * 0.231820 + 0.231820^2) = 0.297789
        // -> -0.3 [-0.564640, -0.002211].
        let a: Vec<bool> = (0..10).map(|i| i < 4).collect();
        let b: Vec<bool> = (0..10).map(|i| i == 0).collect();
        let d = paired_rate_diff(&a, &b);
        assert_eq!(d.n, 10);
        assert!(close(d.mean, -0.3, 1e-12));
        assert!(close(d.lo, -0.564_640, 2e-6) && close(d.hi, -0.002_211, 2e-6), "{d:?}");
        // No events on either side: the interval still has width (Wilson), centred on 0.
        let none = paired_rate_diff(&[false; 10], &[false; 10]);
        assert_eq!(none.mean, 0.0);
        assert!(
            close(none.lo, -0.277_535, 1e-4) && close(none.hi, 0.277_535, 1e-4),
            "{none:?}"
        );
        assert!(!none.excludes_zero());
    }

    /// Coverage of the bounded intervals by simulation, with known truth: 2,000 samples of 10
    /// values (seeds), the fraction of intervals containing the true mean must be 95% +/- 2%
    /// (the standard error of a coverage estimate from 2,000 samples is 0.5%).
    fn coverage(support: Support, draw: impl Fn(&mut rand::rngs::Xoshiro256PlusPlus) -> f64, truth: f64) -> f64 {
        let mut rng = crate::engine::rng_stream(2026, 15);
        let mut hits = 0;
        let mut below_support = 0;
        for _ in 0..2000 {
            let xs: Vec<f64> = (0..10).map(|_| draw(&mut rng)).collect();
            let e = mean_ci_in(&xs, support);
            hits += usize::from(e.lo <= truth && truth <= e.hi);
            below_support += usize::from(match support {
                Support::Real => false,
                Support::NonNegative => e.lo < 0.0,
                Support::Unit => e.lo < 0.0 || e.hi > 1.0,
            });
        }
        assert_eq!(below_support, 0, "{support:?}: an interval left the support");
        hits as f64 / 2000.0
    }

    #[test]
    fn bounded_intervals_cover_95_percent_and_stay_in_their_support() {
        use rand_distr::{Beta, Distribution, Gamma, Normal};
        // Skewed non-negative values (a gamma of shape 4, mean 100): the per-seed mean waits.
        let gamma = Gamma::new(4.0, 25.0).unwrap();
        let c = coverage(Support::NonNegative, |r| gamma.sample(r), 100.0);
        assert!((0.93..=0.97).contains(&c), "log scale: {c}");
        // Utilizations near 2/3 (a beta(40, 20)).
        let beta = Beta::new(40.0, 20.0).unwrap();
        let c = coverage(Support::Unit, |r| beta.sample(r), 40.0 / 60.0);
        assert!((0.93..=0.97).contains(&c), "logit scale: {c}");
        // Paired differences (any sign): Student t, exact for normal values.
        let normal = Normal::new(-3.0, 10.0).unwrap();
        let c = coverage(Support::Real, |r| normal.sample(r), -3.0);
        assert!((0.93..=0.97).contains(&c), "t: {c}");
    }

    #[test]
    fn bounded_intervals_by_hand() {
        // 1, 2, 3: mean 2, s = 1, se = 1/sqrt(3), t(0.975, 2) = 4.302652730.
        let t = 4.302_652_730;
        let h = t / 3f64.sqrt() / 2.0;
        let e = mean_ci_in(&[1.0, 2.0, 3.0], Support::NonNegative);
        assert!((e.lo - 2.0 * (-h).exp()).abs() < 1e-12 && (e.hi - 2.0 * h.exp()).abs() < 1e-12);
        // The t interval would be 2 -/+ 2.484: below 0.
        assert!(mean_ci(&[1.0, 2.0, 3.0]).lo < 0.0 && e.lo > 0.0);
        // 0.2, 0.4, 0.6 on the logit scale: mean 0.4, se 0.2/sqrt(3).
        let e = mean_ci_in(&[0.2, 0.4, 0.6], Support::Unit);
        let h = t * 0.2 / 3f64.sqrt() / (0.4 * 0.6);
        let logit = (0.4f64 / 0.6).ln();
        let back = |x: f64| 1.0 / (1.0 + (-x).exp());
        assert!((e.lo - back(logit - h)).abs() < 1e-12 && (e.hi - back(logit + h)).abs() < 1e-12);
        // Two seeds of 0 s and 100 s: t(0.975, 1) = 12.706 makes the log-scale factor e^12.7;
        // the t interval cut at 0 instead: 50 + 12.706 x 50.
        let w = mean_ci_in(&[0.0, 100.0], Support::NonNegative);
        assert_eq!(w.lo, 0.0);
        assert!((w.hi - (50.0 + 12.706_204_736 * 50.0)).abs() < 1e-6, "{w:?}");
        // All equal (zero deadlock time in every seed): the point.
        let z = mean_ci_in(&[0.0, 0.0, 0.0], Support::NonNegative);
        assert_eq!((z.mean, z.lo, z.hi), (0.0, 0.0, 0.0));
        // One value: no interval.
        assert!(mean_ci_in(&[5.0], Support::NonNegative).lo.is_nan());
    }
}
