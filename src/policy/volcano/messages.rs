//! Why a Volcano job waits, in volcano-scheduler's words: the `Unschedulable` events it writes on
//! a job's PodGroup (events.csv object: the gang, `<ns>/<job>-pg<n>`).
//!
//! - At enqueue (pkg/scheduler/plugins/overcommit `JobEnqueueableFn`, then proportion's; the
//!   first that rejects speaks): `resource in cluster is overused: overused <r>, ...` or `queue
//!   resource quota insufficient: insufficient <r>, ...` (plugins/util `FormatResourceNames`;
//!   resources in the order cpu, memory, then the others). A closed queue rejects silently.
//! - At the end of every session, for each job whose PodGroup is not Running (fewer than
//!   minMember members hold a node or succeeded): cache.go `RecordJobStatusEvent`: `<pending>/<tasks>
//!   tasks in gang unschedulable: ` and `JobInfo.FitError()` (api/job_info.go): `pod group is
//!   not ready, ` the task-status histogram with `minAvailable` (`"<n> <status>"` sorted as
//!   strings, joined by `, `), `; Pending: ` the pending tasks' reasons (`Schedulable` for a task
//!   the dropped plan had placed, `Unschedulable` otherwise, `TaskSchedulingReason`), and `.
//!   Origin reason is <pod>: ` the first failing task's `FitErrors.Error()`
//!   (api/unschedule_info.go): `0/<n> nodes are unavailable: <histogram>.` over the nodes that
//!   failed it, each node's reason being allocate's resource check (`Insufficient <r>`, the
//!   first short of cpu, memory, the others; actions/allocate `predicate`) or else the Filter
//!   plugin that rejects it (kube-scheduler's words). A job whose pods do not exist yet reads
//!   `0/0 tasks in gang unschedulable: pod group is not ready, <m> minAvailable` (so does one
//!   whose pods were created during the session: the session's snapshot is older).
//!
//! volcano-scheduler writes these at every session; Kubernetes' event recorder folds repeats
//! into a count, and kubesim runs a session only when something changed: a row is written when a
//! PodGroup's message changes. Differences: allocate stops at a gang's first failing task (so
//! later tasks are `Unschedulable`), while kubesim's plan goes on (only tasks placed before the
//! failure count as `Schedulable`); among several extended resources the first short one is taken
//! in kubesim's resource order (Volcano's map order is random); terminated pods are not counted
//! as tasks; tasks pipelined by `volcano-preempt` count as Pending; gangs that are not Volcano
//! jobs get no message.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::cluster::{CPU, MEMORY, NodeId, PODS, Res, static_filter};
use crate::model::gang::GangId;
use crate::sim::{PodId, World};

/// What allocate saw of a gang in the current session (only when events are recorded).
#[derive(Clone, Debug, Default)]
pub(crate) struct GangAttempt {
    /// Members the (dropped) plan placed before the first failure.
    pub schedulable: BTreeSet<PodId>,
    /// The first member that found no node, with its nodes' reasons.
    pub origin: Option<(PodId, String)>,
}

/// The histogram `"<n> <reason>"`, sorted as strings, joined by `, ` (Volcano's
/// `sortReasonsHistogram`).
fn histogram(counts: &BTreeMap<String, usize>) -> String {
    let mut v: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
    v.sort();
    v.join(", ")
}

/// Resource dimensions in Volcano's order of report: cpu, memory, then the others (the pod
/// count is not a resource there).
fn volcano_dims(n: usize) -> impl Iterator<Item = usize> {
    [CPU, MEMORY]
        .into_iter()
        .chain((0..n).filter(|&d| d != CPU && d != MEMORY && d != PODS))
}

/// The dimensions a request asks for where `used + request` exceeds `limit`.
pub(crate) fn short_dims(request: &Res, used: &Res, limit: &Res) -> Vec<usize> {
    (0..request.0.len())
        .filter(|&d| request.0[d] != 0 && used.0[d] + request.0[d] > limit.0[d])
        .collect()
}

impl World {
    /// `FitErrors.Error()` for a pod no node takes, against the committed state plus the
    /// gang's tentative plan (`taken`).
    pub(crate) fn volcano_fit_errors(&self, pod: PodId, taken: &BTreeMap<NodeId, (Res, (i64, i64))>) -> String {
        let c = &self.store.classes[self.store.pods[pod as usize].class as usize];
        let dims = self.store.resources.len();
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        let mut failed = 0;
        for (i, node) in self.store.cluster.nodes.iter().enumerate() {
            if !node.present {
                continue;
            }
            let mut requested = node.requested;
            if let Some((r, _)) = taken.get(&(i as NodeId)) {
                requested.add(r);
            }
            let free = node.alloc.minus(&requested);
            let short = volcano_dims(dims).find(|&d| c.req.0[d] > 0 && c.req.0[d] > free.0[d]);
            let why = match (short, static_filter(&c.constraints, node)) {
                (Some(d), _) => format!("Insufficient {}", self.store.resources.name(d)),
                (None, Err(r)) if r.reason().is_some() => r.reason().unwrap_or_default().into(),
                (None, _) if c.req.0[PODS] > free.0[PODS] => "node(s) pod number exceeded".into(),
                (None, _) => continue,
            };
            failed += 1;
            *counts.entry(why).or_default() += 1;
        }
        format!("0/{failed} nodes are unavailable: {}.", histogram(&counts))
    }

    /// An enqueue rejection's message: overcommit's, else proportion's (None: a closed queue).
    pub(crate) fn volcano_enqueue_message(&self, overused: &[usize], insufficient: &[usize]) -> Option<String> {
        let names = |dims: &[usize], verb: &str| -> String {
            volcano_dims(self.store.resources.len())
                .filter(|d| dims.contains(d))
                .map(|d| format!("{verb} {}", self.store.resources.name(d)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !overused.is_empty() {
            return Some(format!(
                "resource in cluster is overused: {}",
                names(overused, "overused")
            ));
        }
        if !insufficient.is_empty() {
            return Some(format!(
                "queue resource quota insufficient: {}",
                names(insufficient, "insufficient")
            ));
        }
        None
    }

    /// Enqueue rejected a Volcano job's PodGroup: its event, if a plugin words one.
    pub(crate) fn volcano_enqueue_rejected(
        &mut self,
        wl: crate::sim::WlId,
        overused: &[usize],
        insufficient: &[usize],
    ) {
        if let Some(msg) = self.volcano_enqueue_message(overused, insufficient) {
            let g = self.store.workloads[wl as usize].vc.as_deref().expect("vc").gang;
            self.volcano_pg_event(g, 0, msg);
        }
    }

    /// Write a PodGroup's `Unschedulable` event if its message changed (`kind` 0: enqueue,
    /// 1: session close).
    pub(crate) fn volcano_pg_event(&mut self, g: GangId, kind: u8, message: String) {
        if self.sched.volcano.last_msgs.get(&(g, kind)) == Some(&message) {
            return;
        }
        self.sched.volcano.last_msgs.insert((g, kind), message.clone());
        let obj = self.store.gangs[g as usize].object.clone();
        self.event(|| obj, "Unschedulable", || message);
    }

    /// Session close (`RecordJobStatusEvent`): the message of every live Volcano job whose
    /// PodGroup is not Running, over the tasks the session saw (`snapshot`: the pods waiting
    /// when it opened, sorted; bound members count too). Forgets the messages of the others.
    pub(crate) fn volcano_session_messages(&mut self, snapshot: &[PodId]) {
        let attempts = std::mem::take(&mut self.sched.volcano.attempts);
        let mut unschedulable: BTreeSet<GangId> = BTreeSet::new();
        let live: Vec<crate::sim::WlId> = self.ctl.vc_live.iter().copied().collect();
        for wl in live {
            let w = &self.store.workloads[wl as usize];
            let Some(vc) = w.vc.as_deref() else { continue };
            // A job whose PodGroup is not created yet is not in the session.
            if w.finish.is_some() || vc.writes.pg_absent {
                continue;
            }
            let g = vc.gang;
            let gang = &self.store.gangs[g as usize];
            let succeeded: u32 = vc.succeeded.iter().sum();
            if gang.holding + succeeded >= gang.min_member {
                continue;
            }
            unschedulable.insert(g);
            let (mut tasks, mut pending, mut status, mut reasons) = (0, 0, BTreeMap::new(), BTreeMap::new());
            let attempt = attempts.get(&g);
            for &m in &gang.members {
                let p = &self.store.pods[m as usize];
                // A pod created during the session is not in it.
                if p.node.is_none() && snapshot.binary_search(&m).is_err() {
                    continue;
                }
                tasks += 1;
                let s = if p.deletion.is_some() {
                    "Releasing"
                } else if p.node.is_some() {
                    "Running"
                } else {
                    pending += 1;
                    let why = if attempt.is_some_and(|a| a.schedulable.contains(&m)) {
                        "Schedulable"
                    } else {
                        "Unschedulable"
                    };
                    *reasons.entry(why.to_string()).or_default() += 1;
                    "Pending"
                };
                *status.entry(s.to_string()).or_default() += 1;
            }
            status.insert("minAvailable".to_string(), vc.min_available as usize);
            let mut msg = format!(
                "{pending}/{tasks} tasks in gang unschedulable: pod group is not ready, {}",
                histogram(&status)
            );
            if !reasons.is_empty() {
                msg.push_str(&format!("; Pending: {}", histogram(&reasons)));
            }
            if let Some((pod, why)) = attempt.and_then(|a| a.origin.as_ref()) {
                msg.push_str(&format!(". Origin reason is {}: {why}", self.store.pod_name(*pod)));
            }
            self.volcano_pg_event(g, 1, msg);
        }
        self.sched
            .volcano
            .last_msgs
            .retain(|(g, _), _| unschedulable.contains(g));
    }
}
