//! Scheduling policies: kube-scheduler with its plugins ([`kube`]), volcano-scheduler
//! ([`volcano`]) and Kueue's admission in front of kube-scheduler ([`kueue`]).

pub mod kube;
pub mod kueue;
pub mod volcano;
