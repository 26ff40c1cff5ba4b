//! Following one workload through a run, for `kubesim explain` (`observe::explain` renders what
//! this records as a [`Trail`]).
//!
//! Off unless [`World::follow`] is called. Following turns on the building of every event's
//! message (as `--events` does) but keeps only the rows of the followed workload: its own object,
//! its pods and its gang or PodGroup. A run that follows nothing pays one `Option` test per
//! recorded event and per workload and pod created, and records exactly what it recorded before
//! (the goldens hold it).
//!
//! Two kinds of rows exist only here, because events.csv would grow too much with them:
//!
//! - a FailedScheduling row per attempt of each followed pod. kube-scheduler writes one per
//!   attempt of every pod; kubesim attempts one pod of a scheduling equivalence class and counts a
//!   round for its waiting class-mates (`policy::kube`), so events.csv has the class head's only.
//!   The followed pods among the class-mates get the head's message (the FitError names no pod).
//! - coscheduling's rejections of the members waiting at Permit, as the FailedScheduling message
//!   each gets from its binding cycle: the member whose wait timed out `rejected due to timeout
//!   after waiting <d> at plugin Coscheduling` (kubernetes pkg/scheduler/framework/runtime
//!   `waiting_pods_map.go` `newWaitingPod`, `<d>` as Go prints a `time.Duration`), its siblings
//!   `rejection in Unreserve` (scheduler-plugins pkg/coscheduling `Unreserve`), and the members a
//!   failed sibling's PostFilter rejects `optimistic rejection in PostFilter` (`PostFilter`).
//!   kubesim keeps one Permit deadline per group (its first waiting member's): the member reported
//!   as timed out is the first waiting one in creation order.
//!
//! At the end, [`World::follow_trail`] places the workload on the scenario's nodes, all empty
//! (`model::cluster::place_count`, the deadlock detector's placement), at each time nodes join.

use std::collections::BTreeSet;

use crate::engine::SimTime;
use crate::input::spec::{Scenario, WorkloadKind};
use crate::model::cluster::{Node, Res, place_count, static_filter};
use crate::observe::explain::{EmptyFit, Trail};
use crate::observe::record::EventRow;
use crate::policy::kube::diagnosis::{fit_error, resource_reasons};
use crate::sim::{ClassId, PodId, WlId, World};

/// The followed workload and what the run recorded of it.
pub struct Follow {
    /// The workload asked for: `name` (any namespace) or `namespace/name`; the first created
    /// that matches is followed.
    target: String,
    wl: Option<WlId>,
    /// events.csv objects of the workload: itself, its pods, its gang.
    objects: BTreeSet<String>,
    pods: Vec<PodId>,
    /// The gang its pods join (its own, or a PodGroup object's).
    gang: Option<crate::model::gang::GangId>,
    rows: Vec<EventRow>,
    /// The message of the latest FailedScheduling, for class-mates of the same round.
    last_failed: String,
    /// The scenario's nodes, empty, with the time each joins.
    nodes: Vec<(Node, SimTime)>,
}

impl World {
    /// Follow the workload `target` (`name` or `namespace/name`) through this run.
    pub fn follow(&mut self, target: &str, sc: &Scenario) {
        let nodes = (self.store.cluster.nodes.iter().cloned())
            .zip(sc.nodes.iter().map(|n| SimTime(n.add_at_ms)))
            .collect();
        self.follow = Some(Box::new(Follow {
            target: target.to_string(),
            wl: None,
            objects: BTreeSet::new(),
            pods: Vec::new(),
            gang: None,
            rows: Vec::new(),
            last_failed: String::new(),
            nodes,
        }));
        self.rec.record_events = true;
    }

    /// A workload was created: is it the one followed?
    pub(crate) fn follow_workload_created(&mut self, wl: WlId) {
        let Some(f) = self.follow.as_deref_mut() else { return };
        let w = &self.store.workloads[wl as usize];
        let ns = &self.store.protos[w.proto as usize].spec.namespace;
        if f.wl.is_some() {
            // A followed JobSet's Jobs (an MPIJob's launcher Job) are followed with it.
            if f.wl == self.ctl.parent_of(wl) {
                f.objects.insert(format!("{ns}/{}", w.name));
            }
            return;
        }
        let hit = match f.target.split_once('/') {
            Some((n, name)) => n == ns && name == w.name,
            None => f.target == w.name,
        };
        if hit {
            f.wl = Some(wl);
            f.objects.insert(format!("{ns}/{}", w.name));
        }
    }

    /// A pod was created: one of the followed workload's?
    pub(crate) fn follow_pod_created(&mut self, pod: PodId) {
        let Some(f) = self.follow.as_deref_mut() else { return };
        let p = &self.store.pods[pod as usize];
        if f.wl != Some(p.wl) && (f.wl.is_none() || f.wl != self.ctl.parent_of(p.wl)) {
            return;
        }
        let w = &self.store.workloads[p.wl as usize];
        let ns = &self.store.protos[w.proto as usize].spec.namespace;
        f.pods.push(pod);
        f.objects.insert(format!("{ns}/{}", self.store.pod_name(pod)));
        if let Some(g) = p.gang {
            f.gang = Some(g);
            f.objects.insert(self.store.gangs[g as usize].object.clone());
        }
    }

    /// An event while following: kept if it is about the followed workload.
    pub(crate) fn follow_event(&mut self, object: String, event: &'static str, detail: impl FnOnce() -> String) {
        let time = self.now();
        let Some(f) = self.follow.as_deref_mut() else { return };
        if !f.objects.contains(&object) {
            // Its gang (a Volcano job's PodGroup exists before its pods).
            let gang = f.wl.and_then(|wl| self.store.workloads[wl as usize].gang);
            match gang {
                Some(g) if self.store.gangs[g as usize].object == object => {
                    f.objects.insert(object.clone());
                }
                _ => return,
            }
        }
        f.rows.push(EventRow {
            time,
            object,
            event,
            detail: detail(),
        });
    }

    /// Should a FailedScheduling message be built for a pod of class `c`? Always when not
    /// following (events.csv wants it); when following, only if a followed pod of that class
    /// waits for a node (its own attempt, or a class-mate's it shares).
    pub(crate) fn follow_wants_class(&self, c: ClassId) -> bool {
        self.follow.as_deref().is_none_or(|f| {
            f.pods.iter().any(|&p| {
                self.store
                    .pods
                    .get(p)
                    .is_some_and(|p| p.class == c && p.node.is_none() && p.finished.is_none())
            })
        })
    }

    /// The message of a FailedScheduling just built (for its class-mates' round).
    pub(crate) fn follow_failed(&mut self, detail: &str) {
        if let Some(f) = self.follow.as_deref_mut() {
            f.last_failed.clear();
            f.last_failed.push_str(detail);
        }
    }

    /// The followed pods (none when not following).
    pub(crate) fn followed_pods(&self) -> Vec<PodId> {
        self.follow.as_deref().map_or_else(Vec::new, |f| f.pods.clone())
    }

    /// Followed pods failed a round of their class with the latest FailedScheduling message.
    pub(crate) fn follow_class_round(&mut self, mates: &[PodId]) {
        let Some(f) = self.follow.as_deref() else { return };
        let detail = f.last_failed.clone();
        for &m in mates {
            let obj = self.pod_object(m);
            self.event(|| obj, "FailedScheduling", || detail.clone());
        }
    }

    /// Coscheduling rejects the members of gang `g` waiting at Permit (`why`: `PermitTimeout`
    /// or `PodGroupRejected`): each one's FailedScheduling message (see the module doc).
    pub(crate) fn follow_permit_rejected(&mut self, g: crate::model::gang::GangId, waiting: &[PodId], why: &str) {
        if self.follow.is_none() {
            return;
        }
        let timeout = go_duration(self.store.gangs[g as usize].permit_timeout_ms);
        for (i, &m) in waiting.iter().enumerate() {
            let msg = match (why, i) {
                ("PermitTimeout", 0) => {
                    format!("rejected due to timeout after waiting {timeout} at plugin Coscheduling")
                }
                ("PermitTimeout", _) => "rejection in Unreserve".to_string(),
                _ => "optimistic rejection in PostFilter".to_string(),
            };
            let obj = self.pod_object(m);
            self.event(|| obj, "FailedScheduling", || msg);
        }
    }

    /// What the run recorded of the followed workload, with its fit on the empty cluster
    /// (None: not following, or no workload of that name was created).
    pub(crate) fn follow_trail(&mut self) -> Option<Trail> {
        let f = self.follow.take()?;
        let wl = f.wl?;
        let w = &self.store.workloads[wl as usize];
        let object = format!("{}/{}", self.store.protos[w.proto as usize].spec.namespace, w.name);
        Some(Trail {
            object,
            fit: self.empty_fit(wl, f.gang, f.nodes),
            rows: f.rows,
        })
    }

    /// The pods a workload needs at once, by class: its gang's minMember (its own pods in task
    /// order, then members like its first for a PodGroup it shares), else every pod it runs at
    /// once.
    fn needed_at_once(&self, wl: WlId, gang: Option<crate::model::gang::GangId>) -> Vec<ClassId> {
        let w = &self.store.workloads[wl as usize];
        let proto = &self.store.protos[w.proto as usize];
        let class = |t: usize| {
            w.task_class_overrides
                .get(t)
                .copied()
                .or(w.class_override)
                .unwrap_or(proto.tasks[t].class)
        };
        let per_task: Vec<(ClassId, u32)> = match &proto.spec.kind {
            WorkloadKind::Job(j) => vec![(
                class(0),
                j.parallelism.unwrap_or(1).min(j.completions.unwrap_or(u32::MAX)),
            )],
            WorkloadKind::Pod(_) => vec![(class(0), 1)],
            WorkloadKind::Serving(s) => vec![(class(0), s.peak_replicas())],
            WorkloadKind::VolcanoJob(_)
            | WorkloadKind::JobSet(_)
            | WorkloadKind::Kubeflow(_)
            | WorkloadKind::MpiJob(_)
            | WorkloadKind::Ray(_)
            | WorkloadKind::Lws(_) => (0..proto.tasks.len())
                .map(|t| (class(t), proto.tasks[t].replicas))
                .collect(),
            // Creates no pods: nothing to place.
            WorkloadKind::KueueWorkload(_) => Vec::new(),
        };
        let mut wanted: Vec<ClassId> = per_task
            .iter()
            .flat_map(|&(c, n)| std::iter::repeat_n(c, n as usize))
            .collect();
        if let Some(g) = w.gang.or(gang) {
            let min = self.store.gangs[g as usize].min_member as usize;
            wanted.truncate(min);
            if let Some(&first) = wanted.first() {
                wanted.resize(min, first);
            }
        }
        wanted
    }

    /// Place the workload's pods on the scenario's nodes, all empty, at each time nodes join.
    fn empty_fit(
        &self,
        wl: WlId,
        gang: Option<crate::model::gang::GangId>,
        mut nodes: Vec<(Node, SimTime)>,
    ) -> EmptyFit {
        let wanted = self.needed_at_once(wl, gang);
        if wanted.is_empty() {
            return EmptyFit::NoPods;
        }
        let classes = &self.store.classes;
        let shape = |c: ClassId| (&classes[c as usize].req, &classes[c as usize].constraints);
        let mut times: Vec<SimTime> = nodes.iter().map(|n| n.1).collect();
        times.sort();
        times.dedup();
        for (n, _) in nodes.iter_mut() {
            n.present = false;
            n.requested = Res::default();
        }
        let mut placed = 0;
        let mut list: Vec<Node> = nodes.iter().map(|n| n.0.clone()).collect();
        let free: Vec<Res> = list.iter().map(|n| n.alloc).collect();
        for &t in &times {
            for (i, (_, at)) in nodes.iter().enumerate() {
                if *at == t {
                    list[i].present = true;
                }
            }
            placed = place_count(&list, &free, &wanted, shape);
            if placed == wanted.len() {
                let joined = nodes
                    .iter()
                    .find(|n| n.1 == t && t > SimTime::ZERO)
                    .map(|n| n.0.name.clone());
                return EmptyFit::Fits {
                    at: t,
                    pods: wanted.len(),
                    nodes: list.iter().filter(|n| n.present).count(),
                    joined,
                };
            }
        }
        let why = match wanted.first() {
            Some(&c) if placed == 0 => self.empty_fit_error(&list, c),
            _ => String::new(),
        };
        EmptyFit::Never {
            pods: wanted.len(),
            placed,
            nodes: list.len(),
            why,
        }
    }

    /// kube-scheduler's FitError for a pod of class `c` on the empty nodes.
    fn empty_fit_error(&self, nodes: &[Node], c: ClassId) -> String {
        if nodes.is_empty() {
            return "no nodes available to schedule pods".to_string();
        }
        let class = &self.store.classes[c as usize];
        let names = &self.store.resources;
        let mut reasons = std::collections::BTreeMap::new();
        for n in nodes {
            let why: Vec<String> = match static_filter(&class.constraints, n).err().and_then(|r| r.reason()) {
                Some(r) => vec![r.to_string()],
                None => {
                    resource_reasons(
                        |r| names.name(r).to_string(),
                        names.len(),
                        &class.req,
                        &n.alloc,
                        &n.alloc,
                    )
                    .0
                }
            };
            for w in why {
                *reasons.entry(w).or_default() += 1;
            }
        }
        fit_error(nodes.len(), None, &reasons, "")
    }
}

/// A duration as Go's `time.Duration.String()` prints it: `500ms`, `10s`, `1m0s`, `1h30m0s`,
/// `1m30.5s`.
pub fn go_duration(ms: u64) -> String {
    if ms == 0 {
        return "0s".to_string();
    }
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let (h, m, s, frac) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if h > 0 || m > 0 {
        out.push_str(&format!("{m}m"));
    }
    out.push_str(&s.to_string());
    if frac > 0 {
        let digits = format!("{frac:03}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
    out.push('s');
    out
}

#[cfg(test)]
mod tests {
    use super::go_duration;

    #[test]
    fn durations_as_go_prints_them() {
        for (ms, go) in [
            (0, "0s"),
            (500, "500ms"),
            (10_000, "10s"),
            (60_000, "1m0s"),
            (90_500, "1m30.5s"),
            (3_600_000, "1h0m0s"),
            (5_430_250, "1h30m30.25s"),
        ] {
            assert_eq!(go_duration(ms), go, "{ms} ms");
        }
    }
}
