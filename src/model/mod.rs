//! The model of one run: pods in their store ([`pods`]), nodes and resources with their indexes
//! ([`cluster`]), and gangs ([`gang`]).

pub mod cluster;
pub mod gang;
pub mod pods;
