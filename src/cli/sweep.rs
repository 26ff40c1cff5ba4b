//! `kubesim sweep`: a grid of parameter values (`--set`), or the smallest capacity that meets
//! the targets (`--capacity` with `--target`, a bisection).

use std::path::PathBuf;

use super::RunArgs;
use super::execute::{execute, expected_files, write_all};
use super::plan::{about, out_dir, policies_of, resource_dims, seeds_of, shard_of};
use crate::error::InputError;
use crate::experiment::outdir::OutDir;
use crate::experiment::output::{Kind, Plan, Tables};
use crate::experiment::sweep::{Param, capacity_search, grid, load_points};
use crate::input::scenario;
use crate::observe::analysis::Target;

/// `sweep`: the grid of `set`, or the capacity search of `capacity`.
pub(super) fn run(
    paths: &[PathBuf],
    set: &[String],
    capacity: Option<String>,
    targets: &[String],
    args: RunArgs,
) -> Result<(), InputError> {
    let base = scenario::load(paths)?;
    let policies = policies_of(&base, &args)?;
    let seeds = seeds_of(&base, &args)?;
    let shard = shard_of(&args)?;
    let parsed_targets: Vec<Target> = targets.iter().map(|t| Target::parse(t)).collect::<Result<_, _>>()?;
    let mut plan = Plan {
        kind: Kind::Sweep,
        scenario: base.name.clone(),
        about: about(&base).into_iter().map(|a| format!("base scenario {a}")).collect(),
        points: vec![],
        policies,
        seeds,
        events: false,
        fidelity: false,
        cron: false,
        queues: false,
        targets: targets.iter().map(|t| t.trim().to_string()).collect(),
        negligible: vec![],
        resources: resource_dims(&base),
    };
    if let Some(cap) = capacity {
        if shard.is_some() {
            return Err(InputError::new(
                "--shard",
                "a capacity search is sequential (each step depends on the last) and cannot be sharded",
                "shard a grid instead: --set PATH=LO..HI[:STEP] with --target marks the points that meet it",
            ));
        }
        if parsed_targets.is_empty() {
            return Err(InputError::new(
                "--target",
                "a capacity search needs at least one target",
                "add e.g. --target 'wait_p95_s<=3600' --target 'deadlock_free>=0.95'",
            ));
        }
        let param = Param::parse("--capacity", &cap)?;
        let out = out_dir(
            &args,
            &format!("{}-capacity-{}", base.name, slug(&[&param.path])),
            shard,
        );
        let mut dir = OutDir::open(&out, args.overwrite)?;
        dir.check(&expected_files(&plan, None))?;
        let found = capacity_search(paths, &param, &plan.policies, &plan.seeds, &parsed_targets)?;
        plan.points = found.points;
        plan.about.push(format!(
            "capacity search: simulated {} of the {} values of {} ({} runs instead of {} for the whole grid)",
            plan.points.len(),
            found.grid_points,
            param.path,
            found.runs.len(),
            found.grid_runs
        ));
        plan.about.extend(
            found
                .answers
                .into_iter()
                .filter(|a| a.contains("not monotone"))
                .map(|a| format!("capacity search: {a}")),
        );
        let tables = Tables::from_runs(&plan, &found.units, &found.runs);
        drop(found.runs);
        return write_all(&plan, &tables, &mut dir);
    }
    if set.is_empty() {
        return Err(InputError::new(
            "--set",
            "nothing to sweep",
            "give --set PATH=VALUES (a grid) or --capacity PATH=LO..HI with --target (a capacity search)",
        ));
    }
    let params: Vec<Param> = set.iter().map(|s| Param::parse("--set", s)).collect::<Result<_, _>>()?;
    let names: Vec<&str> = params.iter().map(|p| p.path.as_str()).collect();
    let out = out_dir(&args, &format!("{}-sweep-{}", base.name, slug(&names)), shard);
    plan.points = grid(&params)?;
    let scenarios = load_points(paths, &plan.points)?;
    execute(&plan, &scenarios, &out, shard, args.overwrite)
}

/// A folder-name part for parameter paths (`NodePool/gpu:spec.count` -> `nodepool-gpu-spec-count`),
/// shortened with a hash of the whole when long.
fn slug(paths: &[&str]) -> String {
    let mut s = String::new();
    for p in paths {
        if !s.is_empty() {
            s.push('_');
        }
        for c in p.chars() {
            if c.is_ascii_alphanumeric() {
                s.push(c.to_ascii_lowercase());
            } else if !s.ends_with(['-', '_']) && !s.is_empty() {
                s.push('-');
            }
        }
        while s.ends_with('-') {
            s.pop();
        }
    }
    if s.len() > 48 {
        let hash = crate::engine::stable_hash(&paths.join("\n"));
        s.truncate(39);
        s = format!("{}-{:08x}", s.trim_end_matches(['-', '_']), hash as u32);
    }
    s
}
