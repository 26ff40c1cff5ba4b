//! kubesim: a deterministic discrete-event simulator of Kubernetes batch and ML scheduling.
//!
//! The folders are the architecture (ARCHITECTURE.md): the [`engine`] (time and events, nothing
//! of Kubernetes); the [`model`] (pods, workloads, nodes and their indexes); the [`controllers`]
//! that move the model as Kubernetes' controllers do (kubelet, Job, Volcano job, CronJob, node
//! lifecycle, quota); the scheduling [`policy`] (kube-scheduler with its plugins, Volcano,
//! Kueue); [`observe`] (what a run records, the per-run tables, analysis and rendering); and
//! [`sim`], the `World` of one run that ties them together. Around them: [`input`] (scenario
//! files, traces, the validated spec), [`experiment`] (replications, sweeps, outputs) and the
//! [`cli`].

pub mod cli;
pub mod controllers;
pub mod engine;
pub mod error;
pub mod experiment;
pub mod input;
pub mod limits;
pub mod model;
pub mod observe;
pub mod policy;
pub mod rate;
pub mod sim;
pub mod text;
