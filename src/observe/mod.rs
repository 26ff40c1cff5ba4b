//! Observation: what a run records ([`record`], [`series`], [`fidelity`]), the per-run tables
//! ([`report`]), their analysis ([`analysis`], [`stats`]) and rendering ([`html`], [`plot`]).

pub mod analysis;
pub mod fidelity;
pub mod html;
pub mod plot;
pub mod record;
pub mod report;
pub mod series;
pub mod stats;
