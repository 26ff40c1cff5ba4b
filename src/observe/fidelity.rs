//! Replay fidelity: for each trace of a run, the waits the trace recorded against the simulated
//! ones (of the jobs that have both): nearest-rank quantiles, means, and the two-sample
//! Kolmogorov-Smirnov distance between the two distributions. The World computes it at the end of
//! a run ([`crate::observe::record::RunResult::fidelity`]); fidelity.csv shows it.

use crate::observe::stats::{mean, percentile};

/// Replay fidelity of one trace in one run: recorded against simulated waits of the jobs that
/// have both.
#[derive(Clone, Debug, PartialEq)]
pub struct Fidelity {
    pub trace: String,
    /// Jobs with a recorded wait and a simulated start.
    pub jobs: u64,
    /// Jobs with a recorded wait that never started in the simulation.
    pub not_started: u64,
    /// Two-sample Kolmogorov-Smirnov distance between the two wait distributions.
    pub ks: f64,
    /// (quantile in %, recorded ms, simulated ms) for p50, p90, p99.
    pub quantiles: Vec<(u32, u64, u64)>,
    pub recorded_mean_ms: f64,
    pub simulated_mean_ms: f64,
}

/// Two-sample KS distance of sorted samples: the largest gap between the empirical CDFs.
pub fn ks_distance(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return f64::NAN;
    }
    let (mut i, mut j, mut d) = (0usize, 0usize, 0f64);
    let (na, nb) = (a.len() as f64, b.len() as f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] == x {
            i += 1;
        }
        while j < b.len() && b[j] == x {
            j += 1;
        }
        d = d.max((i as f64 / na - j as f64 / nb).abs());
    }
    d
}

/// Fidelity from (recorded, simulated) wait pairs.
pub fn fidelity(trace: &str, pairs: &[(u64, Option<u64>)]) -> Fidelity {
    let mut rec: Vec<u64> = pairs.iter().filter(|p| p.1.is_some()).map(|p| p.0).collect();
    let mut sim: Vec<u64> = pairs.iter().filter_map(|p| p.1).collect();
    rec.sort_unstable();
    sim.sort_unstable();
    let q = |v: &[u64], p: f64| percentile(v, p).unwrap_or(0);
    let avg = |v: &[u64]| mean(v).unwrap_or(f64::NAN);
    Fidelity {
        trace: trace.to_string(),
        jobs: rec.len() as u64,
        not_started: pairs.iter().filter(|p| p.1.is_none()).count() as u64,
        ks: ks_distance(&rec, &sim),
        quantiles: [50u32, 90, 99]
            .iter()
            .map(|&p| (p, q(&rec, f64::from(p)), q(&sim, f64::from(p))))
            .collect(),
        recorded_mean_ms: avg(&rec),
        simulated_mean_ms: avg(&sim),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ks_distance_by_hand() {
        // a = {1,2,3,4}, b = {3,4,5,6}: after 2, F_a = .5, F_b = 0 -> 0.5; identical -> 0.
        assert_eq!(ks_distance(&[1, 2, 3, 4], &[3, 4, 5, 6]), 0.5);
        assert_eq!(ks_distance(&[1, 2, 3], &[1, 2, 3]), 0.0);
        assert_eq!(ks_distance(&[1, 1, 1], &[2, 2]), 1.0);
        assert!(ks_distance(&[], &[1]).is_nan());
    }

    #[test]
    fn fidelity_pairs_only_started_jobs() {
        let pairs = [(10, Some(20)), (30, Some(30)), (50, None)];
        let f = fidelity("t", &pairs);
        assert_eq!((f.jobs, f.not_started), (2, 1));
        assert_eq!(f.quantiles[0], (50, 10, 20));
        assert_eq!(f.recorded_mean_ms, 20.0);
        assert_eq!(f.simulated_mean_ms, 25.0);
    }
}
