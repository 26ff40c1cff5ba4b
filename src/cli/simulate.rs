//! `kubesim run` and `kubesim compare`: simulate one scenario under its policies and seeds.

use std::path::PathBuf;

use super::RunArgs;
use super::execute::execute;
use super::plan::{out_dir, policies_of, seeds_of, shard_of, single_point};
use crate::error::InputError;
use crate::experiment::output::Kind;
use crate::input::scenario;
use crate::observe::analysis::parse_negligible;

/// `run` (kind [`Kind::Run`]) or `compare` ([`Kind::Compare`], with its practical thresholds
/// `negligible`).
pub(super) fn run(
    kind: Kind,
    paths: &[PathBuf],
    args: RunArgs,
    events: bool,
    negligible: &[String],
) -> Result<(), InputError> {
    for n in negligible {
        parse_negligible(n)?;
    }
    let sc = scenario::load(paths)?;
    let policies = policies_of(&sc, &args)?;
    if kind == Kind::Compare && policies.len() < 2 {
        return Err(InputError::new(
            "--policy",
            format!("compare needs at least two policies, got {}", policies.len()),
            "name two or more: --policy kube-default --policy volcano (the first is the baseline)",
        ));
    }
    let seeds = seeds_of(&sc, &args)?;
    let shard = shard_of(&args)?;
    let mut plan = single_point(kind, &sc, policies, seeds, events);
    plan.negligible = negligible.iter().map(|n| n.trim().to_string()).collect();
    let name = match kind {
        Kind::Compare => format!("{}-compare", sc.name),
        _ => sc.name.clone(),
    };
    let out = out_dir(&args, &name, shard);
    execute(&plan, &[sc], &out, shard, args.overwrite, args.json)
}
