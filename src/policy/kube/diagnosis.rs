//! The FailedScheduling event's message, worded as kube-scheduler words it (v1.37).
//!
//! - `FitError.Error()` (pkg/scheduler/framework/types.go): `0/N nodes are available:`, then
//!   the PreFilter message as ` <msg>.` or, without one, the histogram of the nodes' Filter
//!   reasons (`"<count> <reason>"`, sorted as strings, joined by `", "`) as ` <hist>.`, then the
//!   PostFilter message as ` <msg>`. N counts the nodes of the snapshot (nodes that have joined).
//!   With no node at all the scheduler fails before the framework runs:
//!   `no nodes available to schedule pods` (`ErrNoNodesAvailable`, schedule_one.go).
//! - A node's reasons come from its first failing Filter plugin (the framework's
//!   `RunFilterPlugins` stops there), in the default order NodeUnschedulable, TaintToleration,
//!   NodeAffinity, NodeResourcesFit (`Reject` in `model::cluster`):
//!   `node(s) were unschedulable` (nodeunschedulable), `node(s) had untolerated taint(s)`
//!   (tainttoleration `Filter`; the taint's key and value left the message in v1.35,
//!   kubernetes/kubernetes#134740), `node(s) didn't match Pod's node affinity/selector`
//!   (nodeaffinity `ErrReasonPod`), and from noderesources/fit.go `fitsRequest` one reason per
//!   short resource: `Too many pods`, `Insufficient <resource>` for each requested resource
//!   whose request exceeds the node's free amount (net of nominated pods of equal or higher
//!   priority, as `RunFilterPluginsWithNominatedPods`). The first three are
//!   UnschedulableAndUnresolvable, and so is a resource whose request exceeds the node's whole
//!   allocatable (`InsufficientResource.Unresolvable`).
//! - PostFilter, DefaultPreemption (defaultpreemption/default_preemption.go `PostFilter`, which
//!   prefixes `preemption: `; framework/preemption/preemption.go `Evaluator.Preempt`): a pod
//!   not eligible (`PodEligibleToPreemptOthers`) gets `not eligible due to ...`; otherwise the
//!   nodes whose status was only Unschedulable are dry-run (`DryRunPreemption`): a node without
//!   a lower-priority pod gives `No preemption victims found for incoming pod`
//!   (`SelectVictimsOnNode`), one where the pod does not fit even without them gives the Filter
//!   reasons on it then; the other nodes get `Preemption is not helpful for scheduling` (the
//!   absent-node status), and the whole is a FitError of its own. When preemption finds a
//!   victim the PostFilter succeeds and adds no message.
//! - Coscheduling (scheduler-plugins pkg/coscheduling): its PreFilter's message
//!   `pre-filter pod <pod> cannot find enough sibling pods, current pods number: <n>, minMember
//!   of group: <m>` (core.go `PreFilter`), and its PostFilter, which runs after
//!   DefaultPreemption (manifests/coscheduling/scheduler-config.yaml enables it after the
//!   defaults; `RunPostFilterPlugins` joins the plugins' messages with `", "`): `PodGroup
//!   <namespace>/<name> gets rejected due to Pod <pod> is unschedulable even after PostFilter`
//!   when it rejects the group.
//! - The event's message is cut to the API's 1024-byte note limit with ` ...`
//!   (schedule_one.go `truncateMessage`).
//!
//! Built only when events are recorded: it visits every node. Not modelled (kubesim does not
//! model what they depend on): NodeAffinity's PreFilter narrowing to `metadata.name` fields
//! (every node is filtered instead), extenders, volume and pod-affinity plugins.

use std::collections::BTreeMap;

use crate::model::cluster::{NodeId, PODS, Res, static_filter};
use crate::sim::{PodId, World};

/// What failed in the attempt the event reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Coscheduling's PreFilter: too few members of the pod's group exist.
    PreFilter,
    /// No node passed Filter and preemption found nothing.
    Filter,
    /// No node passed Filter; preemption nominated a node (PostFilter succeeded).
    Preempting,
    /// No node passed Filter in a Workload Scheduling Cycle, which runs no PostFilter
    /// (`kube-gang`).
    PodGroup,
}

/// The API's limit on an event's message (`validation.NoteLengthLimit`).
pub(crate) const NOTE_LENGTH_LIMIT: usize = 1024;

/// `FitError.Error()`: the message of a scheduling attempt that found no node.
pub(crate) fn fit_error(
    nodes: usize,
    pre_filter: Option<&str>,
    reasons: &BTreeMap<String, usize>,
    post_filter: &str,
) -> String {
    let mut s = format!("0/{nodes} nodes are available:");
    match pre_filter {
        Some(msg) => {
            s.push(' ');
            s.push_str(msg);
            s.push('.');
        }
        None => {
            let mut hist: Vec<String> = reasons.iter().map(|(why, n)| format!("{n} {why}")).collect();
            hist.sort();
            if !hist.is_empty() {
                s.push(' ');
                s.push_str(&hist.join(", "));
                s.push('.');
            }
        }
    }
    if !post_filter.is_empty() {
        s.push(' ');
        s.push_str(post_filter);
    }
    s
}

/// `truncateMessage`: cut to the note limit, ending with ` ...` (at a character boundary).
pub(crate) fn truncate_message(mut s: String) -> String {
    if s.len() <= NOTE_LENGTH_LIMIT {
        return s;
    }
    let mut end = NOTE_LENGTH_LIMIT - 4;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    s.push_str(" ...");
    s
}

/// NodeResourcesFit's reasons for a request against a free amount; unresolvable when some
/// request exceeds the node's whole allocatable.
pub(crate) fn resource_reasons(
    names: impl Fn(usize) -> String,
    dims: usize,
    req: &Res,
    free: &Res,
    alloc: &Res,
) -> (Vec<String>, bool) {
    let mut reasons = Vec::new();
    let mut unresolvable = false;
    if req.0[PODS] > free.0[PODS] {
        reasons.push("Too many pods".to_string());
    }
    for r in (0..dims).filter(|&r| r != PODS) {
        if req.0[r] > 0 && req.0[r] > free.0[r] {
            reasons.push(format!("Insufficient {}", names(r)));
            unresolvable |= req.0[r] > alloc.0[r];
        }
    }
    (reasons, unresolvable)
}

impl World {
    /// The FailedScheduling message for an attempt of `pod` that failed as `failure` says.
    /// Called before the attempt's consequences change the cluster (evictions, rejections).
    pub(crate) fn failed_scheduling_message(&self, pod: PodId, failure: Failure) -> String {
        let nodes = self.store.cluster.nodes.iter().filter(|n| n.present).count();
        if nodes == 0 {
            return "no nodes available to schedule pods".to_string();
        }
        let c = self.store.pods[pod as usize].class;
        let req = self.store.classes[c as usize].req;
        // Per node: its Filter reasons and whether preemption could help (status Unschedulable).
        let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
        let mut potential: Vec<NodeId> = Vec::new();
        let pre_filter = (failure == Failure::PreFilter).then(|| self.cosched_pre_filter_message(pod));
        if pre_filter.is_none() {
            for (i, n) in self.store.cluster.nodes.iter().enumerate() {
                if !n.present {
                    continue;
                }
                let why: Vec<String> = match static_filter(&self.store.classes[c as usize].constraints, n) {
                    Err(r) if r.reason().is_some() => r.reason().into_iter().map(String::from).collect(),
                    _ => {
                        let free = self.free_for(pod, i as NodeId);
                        let (why, unresolvable) = self.resource_reasons(&req, &free, &n.alloc);
                        if !why.is_empty() && !unresolvable {
                            potential.push(i as NodeId);
                        }
                        why
                    }
                };
                for w in why {
                    *reasons.entry(w).or_default() += 1;
                }
            }
        }
        let mut post: Vec<String> = Vec::new();
        if failure == Failure::Filter || failure == Failure::PreFilter {
            post.push(format!(
                "preemption: {}",
                self.preemption_message(pod, nodes, &potential)
            ));
            if let Some(msg) = self.cosched_post_filter_message(pod) {
                post.push(msg);
            }
        }
        truncate_message(fit_error(nodes, pre_filter.as_deref(), &reasons, &post.join(", ")))
    }

    fn resource_reasons(&self, req: &Res, free: &Res, alloc: &Res) -> (Vec<String>, bool) {
        let names = &self.store.resources;
        resource_reasons(|r| names.name(r).to_string(), names.len(), req, free, alloc)
    }

    /// DefaultPreemption's message when it finds no candidate (`Evaluator.Preempt`), without
    /// the `preemption: ` prefix. `potential`: the nodes whose Filter status was Unschedulable.
    fn preemption_message(&self, pod: PodId, nodes: usize, potential: &[NodeId]) -> String {
        if let Some(why) = self.preemption_ineligible(pod) {
            return why.to_string();
        }
        let c = &self.store.classes[self.store.pods[pod as usize].class as usize];
        let req = c.req;
        // No bound pod of a lower priority anywhere: no node has a victim (post_filter's
        // shortcut, which spares a pass over each node's pods).
        let none_lower = self
            .store
            .bound_priorities
            .keys()
            .next()
            .is_none_or(|&low| low >= c.priority);
        let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
        for &n in potential {
            let (victims, free) = if none_lower {
                (Vec::new(), Res::default())
            } else {
                self.without_lower_priority(pod, n)
            };
            let why = if victims.is_empty() {
                vec!["No preemption victims found for incoming pod".to_string()]
            } else {
                self.resource_reasons(&req, &free, &self.store.cluster.nodes[n as usize].alloc)
                    .0
            };
            for w in why {
                *reasons.entry(w).or_default() += 1;
            }
        }
        if potential.len() < nodes {
            reasons.insert(
                "Preemption is not helpful for scheduling".into(),
                nodes - potential.len(),
            );
        }
        fit_error(nodes, None, &reasons, "")
    }

    /// Coscheduling's PreFilter message (CO-4).
    fn cosched_pre_filter_message(&self, pod: PodId) -> String {
        let p = &self.store.pods[pod as usize];
        let (members, min) = p.gang.map_or((0, 0), |g| {
            let gang = &self.store.gangs[g as usize];
            (gang.members.len(), gang.min_member)
        });
        format!(
            "pre-filter pod {} cannot find enough sibling pods, current pods number: {members}, minMember of group: {min}",
            self.store.pod_name(pod)
        )
    }

    /// Coscheduling's PostFilter message, when it rejects the pod's group (CO-6).
    fn cosched_post_filter_message(&self, pod: PodId) -> Option<String> {
        if !self.sched.policy.coscheduling {
            return None;
        }
        let p = &self.store.pods[pod as usize];
        let gang = &self.store.gangs[p.gang? as usize];
        if !self.cosched_rejects(gang) {
            return None;
        }
        Some(format!(
            "PodGroup {} gets rejected due to Pod {} is unschedulable even after PostFilter",
            gang.object,
            self.store.pod_name(pod)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_error_sorts_the_histogram_as_strings() {
        let mut r = BTreeMap::new();
        r.insert("Insufficient nvidia.com/gpu".to_string(), 12);
        r.insert("node(s) had untolerated taint(s)".to_string(), 4);
        r.insert("Insufficient cpu".to_string(), 3);
        // "12 ..." sorts before "3 ..." and "4 ...": Go's sort.Strings on the formatted strings.
        assert_eq!(
            fit_error(16, None, &r, "preemption: x"),
            "0/16 nodes are available: 12 Insufficient nvidia.com/gpu, 3 Insufficient cpu, \
             4 node(s) had untolerated taint(s). preemption: x"
        );
        assert_eq!(fit_error(2, Some("pre"), &r, ""), "0/2 nodes are available: pre.");
        assert_eq!(fit_error(2, None, &BTreeMap::new(), ""), "0/2 nodes are available:");
    }

    #[test]
    fn truncation_keeps_the_note_limit() {
        let long = "é".repeat(600);
        let t = truncate_message(long);
        assert!(t.len() <= NOTE_LENGTH_LIMIT && t.ends_with(" ..."), "{}", t.len());
        assert_eq!(truncate_message("short".into()), "short");
    }

    #[test]
    fn resource_reasons_one_per_short_resource() {
        let names = ["cpu", "memory", "pods", "nvidia.com/gpu"];
        let req = Res([4000, 1 << 30, 1000, 2000, 0, 0, 0, 0]);
        let alloc = Res([8000, 8 << 30, 110_000, 8000, 0, 0, 0, 0]);
        let free = Res([1000, 8 << 30, 0, 1000, 0, 0, 0, 0]);
        let (why, unresolvable) = resource_reasons(|r| names[r].to_string(), 4, &req, &free, &alloc);
        assert_eq!(
            why,
            ["Too many pods", "Insufficient cpu", "Insufficient nvidia.com/gpu"]
        );
        assert!(!unresolvable);
        let small = Res([8000, 8 << 30, 110_000, 1000, 0, 0, 0, 0]);
        let (why, unresolvable) = resource_reasons(|r| names[r].to_string(), 4, &req, &free, &small);
        assert_eq!(why.len(), 3);
        assert!(unresolvable, "2 GPUs on a 1-GPU node: preemption cannot help");
    }
}
