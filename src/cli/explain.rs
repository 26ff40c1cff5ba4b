//! `kubesim explain`: one workload in one run (a policy, a seed), followed from its creation:
//! its timeline, what held it at a time in the words of the system holding it, and when it would
//! have fitted on an empty cluster (`observe::explain` words it, `sim::follow` records it).

use std::path::PathBuf;

use crate::engine::SimTime;
use crate::error::{InputError, quote};
use crate::experiment::{check_policies, explain_run};
use crate::input::quantity::parse_duration_ms;
use crate::input::scenario;
use crate::observe::explain::{Run, default_at, render};
use crate::observe::record::RunResult;

/// `kubesim explain SCENARIO... --job NAME [--policy P] [--seed S] [--at TIME]`.
pub(super) fn run(
    paths: &[PathBuf],
    job: &str,
    policy: Option<String>,
    seed: Option<u64>,
    at: Option<&str>,
) -> Result<(), InputError> {
    let at = at.map(parse_at).transpose()?;
    let sc = scenario::load(paths)?;
    let from_flag = policy.is_some();
    let policies: Vec<String> = match policy {
        Some(p) => vec![p],
        None => sc.sim.policies.iter().take(1).cloned().collect(),
    };
    check_policies(&sc, &policies, from_flag)?;
    let policy = &policies[0];
    let seed = seed.unwrap_or(sc.sim.seed);
    let (result, trail) = explain_run(&sc, policy, seed, job)?;
    let Some(trail) = trail else {
        return Err(unknown_job(job, &result));
    };
    let row = (result.jobs.iter())
        .find(|j| format!("{}/{}", j.namespace, j.name) == trail.object)
        .expect("the followed workload has a jobs row");
    let at = match at {
        Some(t) if t > result.end => {
            return Err(InputError::new(
                "--at",
                format!(
                    "{t} s is after the end of the run (policy {policy}, seed {seed}), at {} s",
                    result.end
                ),
                format!(
                    "give a time from 0 to {} s, or leave --at out (just before the workload started, else the end of the run)",
                    result.end
                ),
            ));
        }
        Some(t) => t,
        None => default_at(row, result.end),
    };
    let run = Run {
        policy,
        seed,
        end: result.end,
    };
    print!("{}", render(&run, row, &trail, at));
    Ok(())
}

/// `--at`: seconds (`3600`, `90.5`) or a duration (`1h`, `90s`, `2h45m`).
fn parse_at(s: &str) -> Result<SimTime, InputError> {
    let t = s.trim();
    let seconds = !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || c == '.');
    let ms = if seconds {
        parse_duration_ms(&format!("{t}s"))
    } else {
        parse_duration_ms(t)
    };
    ms.map(SimTime).map_err(|why| {
        InputError::new(
            "--at",
            format!("{} is not a time: {why}", quote(s)),
            "give seconds from the start of the run (3600, 90.5) or a duration (1h, 90s, 2h45m)",
        )
    })
}

/// The error for a `--job` that names no workload of the run, with the closest names.
fn unknown_job(job: &str, result: &RunResult) -> InputError {
    let what = format!(
        "no workload named {} in the run (policy {}, seed {})",
        quote(job),
        result.policy,
        result.seed
    );
    if result.jobs.is_empty() {
        return InputError::new(
            "--job",
            what,
            "the run created no workload: check the scenario's workloads",
        );
    }
    let lower = job.to_ascii_lowercase();
    let mut names: Vec<(usize, String)> = (result.jobs.iter())
        .map(|j| {
            let full = format!("{}/{}", j.namespace, j.name);
            let d = crate::text::edit_distance(&lower, &j.name.to_ascii_lowercase())
                .min(crate::text::edit_distance(&lower, &full.to_ascii_lowercase()));
            (d, full)
        })
        .collect();
    names.sort();
    names.dedup_by(|a, b| a.1 == b.1);
    let closest: Vec<String> = names.iter().take(3).map(|(_, n)| format!("`{n}`")).collect();
    InputError::new(
        "--job",
        what,
        format!(
            "name one of its {} workloads (`name` or `namespace/name`); the closest: {}",
            result.jobs.len(),
            closest.join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::parse_at;
    use crate::engine::SimTime;

    #[test]
    fn at_takes_seconds_or_a_duration() {
        assert_eq!(parse_at("90").unwrap(), SimTime(90_000));
        assert_eq!(parse_at("90.5").unwrap(), SimTime(90_500));
        assert_eq!(parse_at("1h30m").unwrap(), SimTime(5_400_000));
        assert!(parse_at("soon").is_err());
        assert!(parse_at("-5").is_err());
    }
}
