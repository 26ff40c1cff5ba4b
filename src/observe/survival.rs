//! Right-censored samples and their Kaplan-Meier estimate: the waits and completion times of a
//! run, where a workload that has not started (finished) by the end of the run is a censored
//! observation of its wait (completion time): at least the time it was observed, not a missing
//! value. Leaving such workloads out (survivorship bias) makes the policy that starves most look
//! best; counting them at their observed time as if they had started then makes it look better
//! than it is, too. The Kaplan-Meier product-limit estimator is the standard estimate of a
//! distribution from such a sample (Kaplan and Meier, "Nonparametric estimation from incomplete
//! observations", JASA 1958).
//!
//! - distribution: F(t) = 1 - S(t), S(t) = product over event times u <= t of (1 - d(u) / r(u)),
//!   d(u) the events at u and r(u) the observations still at risk at u (value >= u); at a time
//!   with both, events come before censorings (a censored value at u was still waiting at u);
//! - p-th percentile: the smallest event time t with F(t) >= p / 100. When F stays below p / 100
//!   (the censored values hold the top of the distribution), the percentile is beyond what was
//!   observed: it is reported as a lower bound, the largest value of the sample;
//! - mean: the restricted mean, the area under S from 0 to the largest value of the sample. When
//!   the largest value is censored (S > 0 there) it is a lower bound of the mean.
//!
//! Without censored values every estimate is the plain one, computed exactly as before (the
//! nearest-rank percentile, the arithmetic mean, the empirical distribution k / n), so runs in
//! which every workload started give the numbers they always gave.
//!
//! All arithmetic is sequential over sorted integer values: same sample, same bits.

use crate::observe::stats::{mean, percentile};

/// An estimate that may be only a lower bound of the quantity (censored values beyond it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bounded<T> {
    pub value: T,
    pub lower_bound: bool,
}

impl<T> Bounded<T> {
    fn exact(value: T) -> Self {
        Bounded {
            value,
            lower_bound: false,
        }
    }
}

/// A right-censored sample of durations in ms: exact values and censoring times, each sorted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Survival {
    events: Vec<u64>,
    censored: Vec<u64>,
}

/// Tolerance of the product-limit comparisons against a percentile's level (the product of up
/// to millions of factors carries rounding far below it; levels differ by at least 1e-7).
const LEVEL_EPS: f64 = 1e-9;

impl Survival {
    pub fn new(mut events: Vec<u64>, mut censored: Vec<u64>) -> Survival {
        events.sort_unstable();
        censored.sort_unstable();
        Survival { events, censored }
    }

    /// Observations, exact and censored.
    pub fn len(&self) -> usize {
        self.events.len() + self.censored.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Censored observations.
    pub fn censored(&self) -> usize {
        self.censored.len()
    }

    /// The largest value of the sample, exact or censored.
    fn max(&self) -> Option<u64> {
        self.events.last().copied().max(self.censored.last().copied())
    }

    /// The Kaplan-Meier steps: (event time, F right after it), ascending.
    pub fn steps(&self) -> Vec<(u64, f64)> {
        if self.censored.is_empty() {
            let n = self.events.len() as f64;
            let mut out: Vec<(u64, f64)> = Vec::new();
            for (i, &t) in self.events.iter().enumerate() {
                let f = (i + 1) as f64 / n;
                match out.last_mut() {
                    Some(last) if last.0 == t => last.1 = f,
                    _ => out.push((t, f)),
                }
            }
            return out;
        }
        let mut out = Vec::new();
        self.product_limit(|t, s| out.push((t, 1.0 - s)));
        out
    }

    /// Walk the product-limit estimate: `step(t, S(t))` at each distinct event time. Returns
    /// S at the largest value.
    fn product_limit(&self, mut step: impl FnMut(u64, f64)) -> f64 {
        let n = self.len();
        let (mut i, mut j) = (0, 0); // next event, next censored
        let mut s = 1.0;
        while i < self.events.len() {
            let t = self.events[i];
            // Censored strictly before t leave the risk set first.
            while j < self.censored.len() && self.censored[j] < t {
                j += 1;
            }
            let at_risk = n - i - j;
            let mut d = 0;
            while i < self.events.len() && self.events[i] == t {
                d += 1;
                i += 1;
            }
            s *= 1.0 - d as f64 / at_risk as f64;
            step(t, s);
        }
        s
    }

    /// The p-th percentile (0 < p <= 100), a lower bound when it lies beyond the observed part
    /// of the distribution; None for an empty sample.
    pub fn percentile(&self, p: f64) -> Option<Bounded<u64>> {
        if self.censored.is_empty() {
            return percentile(&self.events, p).map(Bounded::exact);
        }
        let level = p / 100.0 - LEVEL_EPS;
        let mut found = None;
        self.product_limit(|t, s| {
            if found.is_none() && 1.0 - s >= level {
                found = Some(t);
            }
        });
        match found {
            Some(t) => Some(Bounded::exact(t)),
            None => self.max().map(|m| Bounded {
                value: m,
                lower_bound: true,
            }),
        }
    }

    /// The (restricted) mean in ms, a lower bound when the largest value is censored.
    pub fn mean(&self) -> Option<Bounded<f64>> {
        if self.censored.is_empty() {
            return mean(&self.events).map(Bounded::exact);
        }
        let max = self.max()?;
        let (mut area, mut prev_t, mut prev_s) = (0.0, 0u64, 1.0);
        let last_s = self.product_limit(|t, s| {
            area += prev_s * (t - prev_t) as f64;
            prev_t = t;
            prev_s = s;
        });
        area += last_s * (max - prev_t) as f64;
        Some(Bounded {
            value: area,
            lower_bound: last_s > 0.0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(value: u64, lower_bound: bool) -> Option<Bounded<u64>> {
        Some(Bounded { value, lower_bound })
    }

    #[test]
    fn without_censoring_the_plain_estimates() {
        let s = Survival::new(vec![30, 10, 20, 20], vec![]);
        assert_eq!(s.percentile(50.0), b(20, false));
        assert_eq!(s.percentile(95.0), b(30, false));
        assert_eq!(s.mean(), Some(Bounded::exact(20.0)));
        assert_eq!(s.steps(), vec![(10, 0.25), (20, 0.75), (30, 1.0)]);
        assert_eq!(Survival::default().percentile(50.0), None);
        assert_eq!(Survival::default().mean(), None);
    }

    /// Worked by hand: exact 10, 20, 40; censored 15, 30 (n = 5).
    /// t = 10: at risk 5, S = 4/5 = 0.8.
    /// t = 20: at risk 3 (15 censored left), S = 0.8 x 2/3 = 0.5333...
    /// t = 40: at risk 1 (30 censored left), S = 0.
    #[test]
    fn kaplan_meier_by_hand() {
        let s = Survival::new(vec![40, 10, 20], vec![30, 15]);
        let steps = s.steps();
        assert_eq!(steps.len(), 3);
        assert!((steps[0].1 - 0.2).abs() < 1e-12);
        assert!((steps[1].1 - (1.0 - 0.8 * 2.0 / 3.0)).abs() < 1e-12);
        assert_eq!(steps[2], (40, 1.0));
        // F(10) = 0.2, F(20) = 0.4667, F(40) = 1.
        assert_eq!(s.percentile(20.0), b(10, false));
        assert_eq!(s.percentile(40.0), b(20, false));
        assert_eq!(s.percentile(50.0), b(40, false));
        // Area under S: 1 x 10 + 0.8 x 10 + 0.5333 x 20 = 28.667; S(40) = 0: not a bound.
        let m = s.mean().unwrap();
        assert!((m.value - (10.0 + 8.0 + 0.8 * 2.0 / 3.0 * 20.0)).abs() < 1e-9);
        assert!(!m.lower_bound);
    }

    /// Half the workloads never start: exact 100, 200; censored at 500 and 600 (n = 4).
    /// S(100) = 3/4, S(200) = 3/4 x 2/3 = 1/2; F reaches 0.5 at 200 and never 0.95.
    #[test]
    fn percentiles_in_the_censored_region_are_lower_bounds() {
        let s = Survival::new(vec![200, 100], vec![600, 500]);
        assert_eq!(s.percentile(50.0), b(200, false));
        assert_eq!(s.percentile(95.0), b(600, true));
        // Restricted mean: 100 x 1 + 100 x 0.75 + 400 x 0.5 = 375, a lower bound (S(600) = 0.5).
        assert_eq!(
            s.mean(),
            Some(Bounded {
                value: 375.0,
                lower_bound: true
            })
        );
        // Only censored values: everything is a lower bound at the largest.
        let none = Survival::new(vec![], vec![7, 9]);
        assert_eq!(none.percentile(50.0), b(9, true));
        assert_eq!(
            none.mean(),
            Some(Bounded {
                value: 9.0,
                lower_bound: true
            })
        );
        assert!(none.steps().is_empty());
    }

    #[test]
    fn a_censored_value_tied_with_an_event_is_still_at_risk() {
        // Exact 10, censored 10, exact 20: at 10 both are at risk (3): S = 2/3; at 20 one: S = 0.
        let s = Survival::new(vec![10, 20], vec![10]);
        let steps = s.steps();
        assert!((steps[0].1 - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(steps[1], (20, 1.0));
    }
}
