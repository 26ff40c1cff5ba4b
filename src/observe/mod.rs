//! Observation: what a run records ([`record`], [`series`], [`fidelity`]), the per-run tables
//! ([`report`] makes each run's rows, [`tables`] holds them per unit with the plan), and what is
//! derived from those tables: first analysis ([`analysis`], with [`stats`] and [`survival`]) into plain data, then
//! rendering ([`render`]) of that data as text, CSV, plots and report.html. [`derive()`] does both.

pub mod analysis;
pub mod explain;
pub mod fidelity;
pub mod record;
pub mod render;
pub mod report;
pub mod series;
pub mod stats;
pub mod survival;
pub mod tables;

use crate::error::InputError;
use crate::observe::tables::{Plan, Tables};

pub use render::Derived;

/// Everything derived from a plan and its complete tables: comparison.csv or sweep.csv, the
/// plots, report.html, and the text for the terminal. A function of the plan and the tables'
/// text only, so a single run and a merge of its shards derive the same bytes.
pub fn derive(plan: &Plan, tables: &Tables) -> Result<Derived, InputError> {
    let analysis = analysis::analyze(plan, tables)?;
    render::render(plan, &analysis)
}
