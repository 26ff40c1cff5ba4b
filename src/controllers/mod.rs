//! The controllers that move the model as Kubernetes' do: the kubelet's share of the pod
//! lifecycle ([`kubelet`]), workload arrivals ([`arrivals`]), the Job controller ([`job`]), the JobSet
//! controller ([`jobset`]), the Volcano job controller ([`volcano_job`]), the CronJob controller ([`cronjob`]), the ReplicaSet, Deployment and StatefulSet
//! controllers ([`serving`]), the LeaderWorkerSet controller ([`lws`]), the node
//! lifecycle controller and scripted faults ([`node_lifecycle`]), quota and limit-range
//! admission ([`quota`], with its rules in [`quota_rules`]), and trace replay ([`replay`]).

pub mod arrivals;
pub mod cronjob;
pub mod job;
pub mod jobset;
pub mod kubeflow;
pub mod kubelet;
pub mod lws;
pub mod mpijob;
pub mod node_lifecycle;
pub mod quota;
pub mod quota_rules;
pub mod ray;
pub mod replay;
pub mod serving;
pub mod volcano_job;

use crate::sim::{WlId, World};

/// A controller's reconcile of one object that may be asked for again while it runs (a pod it
/// deletes ends at once and asks for another): the request is remembered and the reconcile
/// runs again after the one running, never inside it.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Reentry {
    /// A reconcile is running.
    busy: bool,
    /// Another reconcile was asked for while one ran.
    again: bool,
}

impl Reentry {
    /// Ask for one more reconcile after the running one (or the next one to run).
    pub(crate) fn request(&mut self) {
        self.again = true;
    }
}

impl World {
    /// Run `once` for object `wl` now, or after the reconcile running, until none is asked for;
    /// `guard` finds the object's [`Reentry`] (None: the object is gone, nothing runs).
    pub(crate) fn reconcile_guarded(
        &mut self,
        wl: WlId,
        guard: for<'a> fn(&'a mut World, WlId) -> Option<&'a mut Reentry>,
        once: fn(&mut World, WlId),
    ) {
        let Some(g) = guard(self, wl) else {
            return;
        };
        if g.busy {
            g.again = true;
            return;
        }
        g.busy = true;
        loop {
            once(self, wl);
            let g = guard(self, wl).expect("the object of a running reconcile");
            if !std::mem::take(&mut g.again) {
                g.busy = false;
                break;
            }
        }
    }
}
