//! Replications: a scenario run under several policies and seeds, in parallel with rayon,
//! each run on its own state, results merged in a fixed (policy, seed) order so that outputs
//! are byte-identical whatever the number of threads.

use rayon::prelude::*;

use crate::error::InputError;
use crate::sim::record::RunResult;
use crate::sim::{Policy, World};
use crate::spec::Scenario;

/// Seeds to run: one, or an inclusive range.
pub fn parse_seeds(s: &str) -> Result<Vec<u64>, InputError> {
    let bad = || {
        InputError::new(
            "--seeds",
            format!("`{s}` is not a seed range"),
            "write --seeds A..B with whole numbers A <= B, e.g. --seeds 1..20 (at most 100000 seeds)",
        )
    };
    let (a, b) = s.split_once("..").ok_or_else(bad)?;
    let a: u64 = a.trim().parse().map_err(|_| bad())?;
    let b: u64 = b.trim().trim_start_matches('=').parse().map_err(|_| bad())?;
    if a > b || b - a >= 100_000 {
        return Err(bad());
    }
    Ok((a..=b).collect())
}

/// Check the policies to run: each known and simulated, none twice. `from_flag`: they came
/// from `--policy` flags (else from the Simulation object, whose location the error names).
pub fn check_policies(sc: &Scenario, policies: &[String], from_flag: bool) -> Result<(), InputError> {
    let locate = |mut e: InputError| {
        if from_flag {
            e.field = "--policy".into();
        } else if !sc.sim.loc.file.as_os_str().is_empty() {
            e.field = "spec.policies".into();
            e = e.at(&sc.sim.loc.file, sc.sim.policies_line.unwrap_or(sc.sim.loc.line), None);
        }
        e
    };
    for (i, p) in policies.iter().enumerate() {
        Policy::parse(p).map_err(locate)?;
        if policies[..i].contains(p) {
            return Err(locate(InputError::new(
                "policies",
                format!("policy `{p}` is named twice"),
                "name each policy once",
            )));
        }
    }
    if policies.is_empty() {
        return Err(locate(InputError::new(
            "policies",
            "no policy to run",
            "name at least one policy",
        )));
    }
    Ok(())
}

/// Run every (policy, seed) pair; results in policy order, then seed order.
pub fn run_all(
    sc: &Scenario,
    policies: &[String],
    seeds: &[u64],
    record_events: bool,
) -> Result<Vec<RunResult>, InputError> {
    let parsed: Vec<(Policy, &String)> = policies
        .iter()
        .map(|p| Policy::parse(p).map(|pp| (pp, p)))
        .collect::<Result<_, _>>()?;
    let pairs: Vec<(Policy, &String, u64)> = parsed
        .iter()
        .flat_map(|(p, name)| seeds.iter().map(move |&s| (*p, *name, s)))
        .collect();
    let results: Vec<Result<RunResult, InputError>> = pairs
        .par_iter()
        .map(|(p, name, seed)| World::new(sc, *p, name, *seed, record_events)?.run())
        .collect();
    results.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_ranges() {
        assert_eq!(parse_seeds("1..3").unwrap(), vec![1, 2, 3]);
        assert_eq!(parse_seeds("5..5").unwrap(), vec![5]);
        assert!(parse_seeds("3..1").is_err());
        assert!(parse_seeds("x..2").is_err());
        assert!(parse_seeds("7").is_err());
        assert!(parse_seeds("0..100000").is_err());
    }
}
