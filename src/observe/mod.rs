//! Observation: what a run records ([`record`], [`series`]), the per-run tables ([`report`]),
//! their analysis ([`analysis`], [`stats`]) and rendering ([`html`], [`plot`]).

pub mod analysis;
pub mod html;
pub mod plot;
pub mod record;
pub mod report;
pub mod series;
pub mod stats;
