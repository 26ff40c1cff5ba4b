//! kubesim: a deterministic discrete-event simulator of Kubernetes batch and ML scheduling.
//!
//! The crate is four parts that do not know each other's insides (see ARCHITECTURE.md):
//! the `engine` (time and events), the model and controllers (`sim`), the scheduling
//! policies (`sim::scheduler`), and observation (`sim::record`, `report`); around them
//! `scenario` (YAML in), `experiment` (replications) and the CLI.

pub mod analysis;
pub mod cron;
pub mod engine;
pub mod error;
pub mod experiment;
pub mod html;
pub mod limits;
pub mod outdir;
pub mod output;
pub mod plot;
pub mod progress;
pub mod quantity;
pub mod report;
pub mod resources;
pub mod scenario;
pub mod series;
pub mod sim;
pub mod spec;
pub mod stats;
pub mod sweep;
pub mod synth;
pub mod text;
pub mod trace;
pub mod trace_cmd;
