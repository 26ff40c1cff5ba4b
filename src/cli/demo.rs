//! `kubesim` with no command: the built-in demo scenario (gang contention), compared over ten
//! seeds per policy.

use std::path::PathBuf;

use super::execute::execute;
use super::plan::{single_point, total_gpus};
use crate::error::InputError;
use crate::experiment::output::Kind;
use crate::input::scenario;

/// The scenario `kubesim` runs with no arguments.
const DEMO: &str = include_str!("../../scenarios/gang-contention.yaml");

/// Seeds the demo runs for its deadlock rate.
const DEMO_SEEDS: u64 = 10;

/// Run the demo: load the built-in scenario, compare its policies, print the comparison.
pub(super) fn run() -> Result<(), InputError> {
    let sc = scenario::load_str("scenarios/gang-contention.yaml (built in)", DEMO)?;
    super::ui::say!(
        "kubesim demo: {} ({} GPUs; gangs of 8-32 GPUs and single-GPU jobs; {} seeds per policy)\n",
        sc.name,
        total_gpus(&sc),
        DEMO_SEEDS
    );
    let plan = single_point(
        Kind::Compare,
        &sc,
        sc.sim.policies.clone(),
        (1..=DEMO_SEEDS).collect(),
        false,
    );
    // Its own folder, so that `kubesim run` of the same scenario never meets the demo's files.
    let out = PathBuf::from("reports").join("demo");
    execute(&plan, &[sc], &out, None, false, false)
}
