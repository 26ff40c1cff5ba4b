//! Replications: a scenario run under several policies and seeds, in parallel with rayon,
//! each run on its own state, results merged in a fixed (policy, seed) order so that outputs
//! are byte-identical whatever the number of threads.

pub mod outdir;
pub mod output;
pub mod progress;
pub mod sweep;

use rayon::prelude::*;

use crate::engine::SimTime;
use crate::error::{InputError, quote};
use crate::experiment::progress::Progress;
use crate::input::spec::Scenario;
use crate::observe::record::{EventSink, RunResult};
pub use crate::observe::tables::{Unit, units};
use crate::policy::Policy;
use crate::sim::World;

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

/// The policies among `policies` that run no Kueue (under which bare Kueue Workloads are
/// never admitted).
pub fn policies_without_kueue(policies: &[String]) -> Vec<&str> {
    policies
        .iter()
        .filter(|p| Policy::parse(p).is_ok_and(|p| !p.kueue))
        .map(String::as_str)
        .collect()
}

/// The policies in `policies` that place gangs pod by pod: kube-scheduler without its own gang
/// scheduling or the coscheduling plugin (`kube-default`, `kube-binpack`, `kueue`; `easy-backfill` places whole workloads).
pub fn policies_without_gang_scheduling(policies: &[String]) -> Vec<&str> {
    policies
        .iter()
        .filter(|p| {
            Policy::parse(p).is_ok_and(|p| {
                !p.workload_cycle && !p.coscheduling && !p.is_volcano() && p.placer != crate::policy::Placer::Backfill
            })
        })
        .map(String::as_str)
        .collect()
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

/// `--shard i/n`: this process runs units `k` with `k mod n = i` (round robin, so every shard
/// gets a share of the large and the small sweep points).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    pub fn parse(s: &str) -> Result<Shard, InputError> {
        let bad = |why: &str| {
            InputError::new(
                "--shard",
                format!("{} is not a shard: {why}", quote(s)),
                "write --shard I/N with 0 <= I < N, e.g. --shard 0/4 ... --shard 3/4 (JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID for I)",
            )
        };
        let (i, n) = s.split_once('/').ok_or_else(|| bad("no `/`"))?;
        let index: u64 = i.trim().parse().map_err(|_| bad("I is not a whole number"))?;
        let count: u64 = n.trim().parse().map_err(|_| bad("N is not a whole number"))?;
        if count == 0 || count > 100_000 {
            return Err(bad("N must be 1 to 100000"));
        }
        if index >= count {
            return Err(bad("I must be below N (shards count from 0)"));
        }
        Ok(Shard { index, count })
    }

    /// Does this shard run the unit at position `k` of the canonical order?
    pub fn owns(&self, k: usize) -> bool {
        k as u64 % self.count == self.index
    }
}

/// Where the runs of a command put their transition events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Events {
    Off,
    /// In each [`RunResult::events`].
    Memory,
    /// Streamed to a spool file per run in this (output) folder, named by
    /// [`crate::experiment::outdir::temp_path`] so that a killed command's spools are cleaned like any
    /// temporary file.
    Spool(std::path::PathBuf),
}

impl Events {
    /// The sink of the `k`-th run.
    fn sink(&self, k: usize) -> EventSink {
        match self {
            Events::Off => EventSink::Off,
            Events::Memory => EventSink::Memory,
            Events::Spool(dir) => {
                EventSink::File(crate::experiment::outdir::temp_path(dir, &format!("events-{k}.csv")))
            }
        }
    }
}

/// Run units in parallel; `scenarios[u.point]` is each unit's scenario. Results come back in
/// the order of `units`, whatever the number of threads.
pub fn run_units(
    scenarios: &[Scenario],
    units: &[Unit],
    events: &Events,
    progress: Option<&Progress>,
) -> Result<Vec<RunResult>, InputError> {
    memory_for_runs(units.len());
    let first = progress.map(|p| {
        p.add_runs(
            units
                .iter()
                .map(|u| (u.point, u.policy.clone(), scenarios[u.point].sim.horizon_ms)),
        )
    });
    let results: Vec<Result<RunResult, InputError>> = units
        .par_iter()
        .enumerate()
        .map(|(k, u)| {
            let policy = Policy::parse(&u.policy)?;
            let world = World::new(&scenarios[u.point], policy, u.seed, &events.sink(k))?;
            let Some((p, first)) = progress.zip(first) else {
                return world.run();
            };
            let r = if p.is_on() {
                world.run_probed(crate::sim::PROBE_EVERY, &|now, events| p.probe(first + k, now, events))
            } else {
                world.run()
            };
            match &r {
                Ok(res) => p.run_done(first + k, res.end, res.events_processed),
                Err(_) => p.run_done(first + k, SimTime::ZERO, 0),
            }
            r
        })
        .collect();
    results.into_iter().collect()
}

/// One run of `sc` that follows the workload `target` (`name` or `namespace/name`), for
/// `kubesim explain`: the result and what it recorded of the workload (None: no workload of that
/// name was created).
pub fn explain_run(
    sc: &Scenario,
    policy: &str,
    seed: u64,
    target: &str,
) -> Result<(RunResult, Option<crate::observe::explain::Trail>), InputError> {
    let mut w = World::new(sc, Policy::parse(policy)?, seed, &EventSink::Off)?;
    w.follow(target, sc);
    w.run_following()
}

/// Run every (policy, seed) pair of one scenario; results in policy order, then seed order.
pub fn run_all(
    sc: &Scenario,
    policies: &[String],
    seeds: &[u64],
    record_events: bool,
) -> Result<Vec<RunResult>, InputError> {
    let events = if record_events { Events::Memory } else { Events::Off };
    run_units(std::slice::from_ref(sc), &units(1, policies, seeds), &events, None)
}

// mimalloc, the binary's allocator, linked here for `memory_for_runs`.
use mimalloc as _;

unsafe extern "C" {
    /// mimalloc's `mi_option_set` (mimalloc.h).
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` in mimalloc v3's `mi_option_e` (the version libmimalloc-sys builds
/// by default; `include/mimalloc.h`); its default is 1,000 ms (`src/options.c`).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;
const MI_DEFAULT_PURGE_DELAY_MS: std::ffi::c_long = 1000;

/// How soon mimalloc hands freed memory back to the OS, for a command about to make `runs` runs
/// (the command line calls it with 1 before loading anything). One run: at once, not after a
/// second, because the end of a run frees its workloads while it makes their rows and with the
/// delay both are resident together (peak RSS of the 1,000,000-job trace 709 -> about 500 MB,
/// of 100,000 Jobs 141 -> 77 MB). Many runs: mimalloc's default, as runs on several threads
/// reuse what earlier runs freed (`compare --seeds 1..400` of the demo on 2 threads took 17%
/// longer with immediate purging). MIMALLOC_PURGE_DELAY, when set, decides instead. Without
/// mimalloc as the global allocator (the library's tests) it changes nothing.
pub fn memory_for_runs(runs: usize) {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        let delay = if runs <= 1 { 0 } else { MI_DEFAULT_PURGE_DELAY_MS };
        // SAFETY: sets an integer option, which mimalloc reads at any time.
        unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, delay) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only the policies that place a gang's pods one by one are named in the warning about
    /// scheduling.k8s.io gangs; easy-backfill starts whole workloads.
    #[test]
    fn policies_that_place_gangs_pod_by_pod() {
        let all: Vec<String> = crate::policy::POLICIES.iter().map(|p| p.name.to_string()).collect();
        assert_eq!(
            policies_without_gang_scheduling(&all),
            ["kube-default", "kube-binpack", "kueue"]
        );
    }

    #[test]
    fn seed_ranges() {
        assert_eq!(parse_seeds("1..3").unwrap(), vec![1, 2, 3]);
        assert_eq!(parse_seeds("5..5").unwrap(), vec![5]);
        assert!(parse_seeds("3..1").is_err());
        assert!(parse_seeds("x..2").is_err());
        assert!(parse_seeds("7").is_err());
        assert!(parse_seeds("0..100000").is_err());
    }

    #[test]
    fn shards_partition_the_units() {
        let all = units(3, &["a".to_string(), "b".to_string()], &[1, 2, 3]);
        assert_eq!(all.len(), 18);
        assert_eq!(
            all[0],
            Unit {
                point: 0,
                policy: "a".into(),
                seed: 1
            }
        );
        assert_eq!(
            all[17],
            Unit {
                point: 2,
                policy: "b".into(),
                seed: 3
            }
        );
        let shards: Vec<Shard> = (0..4).map(|i| Shard::parse(&format!("{i}/4")).unwrap()).collect();
        for k in 0..all.len() {
            assert_eq!(shards.iter().filter(|s| s.owns(k)).count(), 1, "unit {k}");
        }
        for bad in ["4/4", "1", "a/2", "0/0", "-1/3"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
