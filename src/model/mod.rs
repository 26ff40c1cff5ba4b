//! The model of one run: the store of pods, workloads, prototypes, classes and queues
//! ([`store`]), the paged pod arena ([`pods`]), nodes and resources with their indexes
//! ([`cluster`]), and gangs ([`gang`]).

pub mod cluster;
pub mod gang;
pub mod pods;
pub mod store;
