//! `kubesim explain`: one workload's story in one run, rendered from what the run recorded of it
//! (`sim::follow` fills a [`Trail`]): its timeline, what held it at a given time in the words of
//! the system holding it, and the first time it would have fitted on an empty cluster.
//!
//! The timeline is the workload's rows of events.csv (its own object, its pods, its gang or
//! PodGroup), plus one FailedScheduling row per scheduling attempt of each of its pods (events.csv
//! writes one per class head: see `sim::follow`) and per coscheduling Permit rejection. Repeats
//! are folded as Kubernetes' event recorder folds them (same object, reason and message: one line
//! with a count), and rows of several pods at the same instant with the same message share a
//! line.
//!
//! What holds a waiting workload, and whose words say so (each message is written by the module
//! that models the system, which cites its upstream source):
//!
//! - **Kueue** holds a suspended Job until it admits its Workload: the pending Workload's reason
//!   and message (`WaitingForQuota`, `ExceedsMaxQuota`, `NoMatchingFlavor`,
//!   `WaitingForPreemptedWorkloads`: `couldn't assign flavors to pod set main: ...`,
//!   kueue pkg/scheduler/flavorassigner; `policy::kueue::messages`), or `WorkloadInadmissible`,
//!   `WorkloadWaitingForPodsReady`.
//! - **Volcano** holds a job's PodGroup at enqueue (`resource in cluster is overused: ...`,
//!   `queue resource quota insufficient: ...`) and while its gang is not ready (`N/M tasks in
//!   gang unschedulable: pod group is not ready, ...`; `policy::volcano::messages`).
//! - **kube-scheduler** holds a pending pod: its latest FailedScheduling message, `0/N nodes are
//!   available: ...` (framework `FitError`, noderesources `fit.go`; `policy::kube::diagnosis`).
//! - **coscheduling** (scheduler-plugins): its PreFilter (`pre-filter pod ... cannot find enough
//!   sibling pods, ...`), a member reserved and waiting at Permit, and the rejection of the
//!   waiting members: `rejected due to timeout after waiting <d> at plugin Coscheduling`
//!   (kube-scheduler framework/runtime `waiting_pods_map.go`, the member whose wait timed out),
//!   `rejection in Unreserve` (coscheduling `Unreserve`, its siblings), `optimistic rejection in
//!   PostFilter` (coscheduling `PostFilter`).
//! - **the API server** refuses a pod its ResourceQuota does not allow (FailedCreate).

use std::collections::BTreeMap;

use crate::engine::SimTime;
use crate::observe::record::{EventRow, JobRow};

/// What a run recorded of the workload it followed.
#[derive(Clone, Debug)]
pub struct Trail {
    /// `namespace/name` of the workload.
    pub object: String,
    /// Its rows, in the order the run wrote them.
    pub rows: Vec<EventRow>,
    pub fit: EmptyFit,
}

/// Would the workload fit on the scenario's nodes, all empty?
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EmptyFit {
    /// From `at` on (the time the nodes it needs have joined; 0 when they are there from the
    /// start) its `pods` pods fit at once on the `nodes` nodes then present; `joined`: the node
    /// whose arrival made it fit, when that was not at t = 0.
    Fits {
        at: SimTime,
        pods: usize,
        nodes: usize,
        joined: Option<String>,
    },
    /// It creates no pods (a bare Kueue Workload): no node is needed.
    NoPods,
    /// Never: at most `placed` of its `pods` pods fit at once on all `nodes` nodes; `why`:
    /// kube-scheduler's words for one pod on the empty nodes, when not even one fits.
    Never {
        pods: usize,
        placed: usize,
        nodes: usize,
        why: String,
    },
}

/// One system holding the workload, in its words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hold {
    /// `Kueue`, `Volcano`, `kube-scheduler`, `coscheduling`, `API server`, `Job controller`.
    pub system: &'static str,
    /// The objects it speaks of (a Workload, a PodGroup, pods).
    pub objects: Vec<String>,
    /// The event's reason (`WaitingForQuota`, `Unschedulable`, `FailedScheduling`, ...).
    pub reason: String,
    /// Since when it has said exactly this, and when it last said it.
    pub since: SimTime,
    pub last: SimTime,
    /// Scheduling attempts that ended with this message (pods only).
    pub attempts: u64,
    pub message: String,
}

/// The workload's state at a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Not created yet.
    NotYet,
    /// Refused by the API server (or an admission rule): never runs.
    Rejected(String),
    Finished {
        at: SimTime,
        state: String,
    },
    /// Nothing holds it: its pods have nodes.
    Running,
    /// Something holds it (or part of it).
    Held(Vec<Hold>),
}

/// Kueue's reasons for a Workload it leaves pending.
const KUEUE_REASONS: [&str; 6] = [
    "WaitingForQuota",
    "ExceedsMaxQuota",
    "NoMatchingFlavor",
    "WaitingForPreemptedWorkloads",
    "WorkloadInadmissible",
    "WorkloadWaitingForPodsReady",
];

/// The coscheduling plugin's words in a pod's FailedScheduling message.
fn is_coscheduling(message: &str) -> bool {
    message.starts_with("rejected due to timeout after waiting")
        || message.starts_with("rejection in Unreserve")
        || message.starts_with("optimistic rejection in PostFilter")
        || message.contains(": pre-filter pod ")
}

#[derive(Clone, Debug)]
enum PodState {
    Pending,
    Permit(String, SimTime),
    Bound,
    Ended,
}

/// A message and the span over which it was said without change.
#[derive(Clone, Debug)]
struct Said {
    reason: String,
    message: String,
    since: SimTime,
    last: SimTime,
    count: u64,
}

fn say(slot: &mut Option<Said>, t: SimTime, reason: &str, message: &str) {
    match slot {
        Some(s) if s.reason == reason && s.message == message => {
            s.last = t;
            s.count += 1;
        }
        _ => {
            *slot = Some(Said {
                reason: reason.to_string(),
                message: message.to_string(),
                since: t,
                last: t,
                count: 1,
            })
        }
    }
}

/// What held the workload at `at` (its rows up to and including that instant).
pub fn status_at(trail: &Trail, job: &JobRow, at: SimTime) -> Status {
    if at < job.submit {
        return Status::NotYet;
    }
    if job.state.as_str() == "Rejected" {
        return Status::Rejected(job.reason.clone());
    }
    if let Some(f) = job.finish.filter(|&f| f <= at) {
        return Status::Finished {
            at: f,
            state: job.state.as_str().to_string(),
        };
    }
    let mut pods: BTreeMap<&str, (usize, PodState, Option<Said>)> = BTreeMap::new();
    let (mut suspended, mut kueue, mut api) = (false, None, None);
    // Volcano's two messages: enqueue's (until the PodGroup is Inqueue) and the gang's.
    let (mut enqueue, mut volcano) = (None, None);
    for r in trail.rows.iter().take_while(|r| r.time <= at) {
        let o = r.object.as_str();
        match r.event {
            "PodCreated" => {
                let n = pods.len();
                pods.insert(o, (n, PodState::Pending, None));
                api = None;
            }
            "FailedScheduling" => {
                if let Some(p) = pods.get_mut(o) {
                    p.1 = PodState::Pending;
                    say(&mut p.2, r.time, r.event, &r.detail);
                }
            }
            "PodWaitingOnPermit" => {
                if let Some(p) = pods.get_mut(o) {
                    p.1 = PodState::Permit(r.detail.clone(), r.time);
                }
            }
            "PodBound" => {
                if let Some(p) = pods.get_mut(o) {
                    p.1 = PodState::Bound;
                    p.2 = None;
                }
            }
            "PodSucceeded" | "PodFailed" => {
                if let Some(p) = pods.get_mut(o) {
                    p.1 = PodState::Ended;
                }
            }
            "PodDeleted" => {
                if let Some(p) = pods.get_mut(o).filter(|p| matches!(p.1, PodState::Pending)) {
                    p.1 = PodState::Ended;
                }
            }
            "JobSuspended" => suspended = true,
            "JobResumed" => suspended = false,
            "QuotaReserved" => kueue = None,
            "GangFormed" => volcano = None,
            "PodGroupInqueue" => enqueue = None,
            "Unschedulable" if r.detail.contains(" tasks in gang unschedulable: ") => {
                say(&mut volcano, r.time, r.event, &r.detail)
            }
            "Unschedulable" => say(&mut enqueue, r.time, r.event, &r.detail),
            "FailedCreate" => say(&mut api, r.time, r.event, &r.detail),
            e if KUEUE_REASONS.contains(&e) => say(&mut kueue, r.time, e, &r.detail),
            _ => {}
        }
    }
    let mut holds = Vec::new();
    let hold = |system, objects: Vec<String>, s: &Said| Hold {
        system,
        objects,
        reason: s.reason.clone(),
        since: s.since,
        last: s.last,
        attempts: 0,
        message: s.message.clone(),
    };
    if suspended {
        holds.push(match &kueue {
            Some(s) => hold("Kueue", vec![trail.object.clone()], s),
            None => Hold {
                system: "Job controller",
                objects: vec![trail.object.clone()],
                reason: "JobSuspended".into(),
                since: at,
                last: at,
                attempts: 0,
                message: "the Job is suspended: no pod is created until it is resumed (by Kueue's admission, or spec.suspend)"
                    .into(),
            },
        });
    }
    let mut waiting: Vec<(usize, &str, &PodState, &Option<Said>)> =
        pods.iter().map(|(o, (n, st, s))| (*n, *o, st, s)).collect();
    waiting.sort_by_key(|w| w.0);
    let pending = waiting.iter().filter(|w| matches!(w.2, PodState::Pending)).count();
    let bound = waiting.iter().filter(|w| matches!(w.2, PodState::Bound)).count();
    let gang: Vec<String> = (trail.rows.iter().find(|r| r.event == "Unschedulable"))
        .map(|r| r.object.clone())
        .into_iter()
        .collect();
    for s in [&enqueue, &volcano.filter(|_| pending > 0 || bound == 0)]
        .into_iter()
        .flatten()
    {
        holds.push(hold("Volcano", gang.clone(), s));
    }
    if let Some(s) = &api {
        holds.push(hold("API server", vec![trail.object.clone()], s));
    }
    // Pods: the same message (and reason) for several pods is one hold.
    let mut by_message: Vec<Hold> = Vec::new();
    for (_, o, st, s) in &waiting {
        let h = match (st, s) {
            (PodState::Pending, Some(s)) => Hold {
                attempts: s.count,
                ..hold(
                    if is_coscheduling(&s.message) {
                        "coscheduling"
                    } else {
                        "kube-scheduler"
                    },
                    vec![o.to_string()],
                    s,
                )
            },
            (PodState::Pending, None) if holds.is_empty() => Hold {
                system: "kube-scheduler",
                objects: vec![o.to_string()],
                reason: "Pending".into(),
                since: at,
                last: at,
                attempts: 0,
                message: "in the scheduling queue, not attempted yet".into(),
            },
            (PodState::Permit(node, since), _) => Hold {
                system: "coscheduling",
                objects: vec![o.to_string()],
                reason: "WaitingOnPermit".into(),
                since: *since,
                last: *since,
                attempts: 0,
                message: format!("reserved on {node}, waiting at Permit for its PodGroup's minMember"),
            },
            _ => continue,
        };
        match by_message
            .iter_mut()
            .find(|b| b.system == h.system && b.reason == h.reason && b.message == h.message)
        {
            Some(b) => {
                b.objects.extend(h.objects);
                b.since = b.since.min(h.since);
                b.last = b.last.max(h.last);
                b.attempts = b.attempts.max(h.attempts);
            }
            None => by_message.push(h),
        }
    }
    holds.extend(by_message);
    if holds.is_empty() {
        Status::Running
    } else {
        Status::Held(holds)
    }
}

/// The time `explain` looks at without `--at`: just before the workload started (the last
/// instant it waited), or the end of the run.
pub fn default_at(job: &JobRow, end: SimTime) -> SimTime {
    match job.start {
        Some(s) if s > job.submit => SimTime(s.ms() - 1),
        Some(s) => s,
        None => end,
    }
}

/// The timeline's longest listing: the first and last half of this many lines.
const MAX_LINES: usize = 400;

/// One line of the timeline: rows folded together.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Line {
    time: SimTime,
    last: SimTime,
    count: u64,
    objects: Vec<String>,
    event: &'static str,
    detail: String,
}

/// Rows folded: rows of one instant with the same event and detail share a line (their objects
/// listed), and a line that repeats the previous line of the same objects adds to its count.
fn fold(rows: &[EventRow]) -> Vec<Line> {
    let mut same_instant: Vec<Line> = Vec::new();
    for r in rows {
        match same_instant.last_mut() {
            Some(l) if l.time == r.time && l.event == r.event && l.detail == r.detail => {
                if !l.objects.contains(&r.object) {
                    l.objects.push(r.object.clone());
                }
            }
            _ => same_instant.push(Line {
                time: r.time,
                last: r.time,
                count: 1,
                objects: vec![r.object.clone()],
                event: r.event,
                detail: r.detail.clone(),
            }),
        }
    }
    let mut lines: Vec<Line> = Vec::new();
    let mut last_of: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    for l in same_instant {
        if let Some(&i) = last_of.get(&l.objects)
            && lines[i].event == l.event
            && lines[i].detail == l.detail
        {
            lines[i].count += 1;
            lines[i].last = l.time;
            continue;
        }
        last_of.insert(l.objects.clone(), lines.len());
        lines.push(l);
    }
    lines
}

/// Objects as a line shows them: up to three, then how many more.
fn objects_text(objects: &[String]) -> String {
    let mut s = objects.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
    if objects.len() > 3 {
        s.push_str(&format!(" and {} more", objects.len() - 3));
    }
    s
}

fn line_text(l: &Line) -> String {
    let mut s = format!(
        "  {:>12} s  {}  {}",
        l.time.to_string(),
        objects_text(&l.objects),
        l.event
    );
    if l.count > 1 {
        s.push_str(&format!(" (x{}, last at {} s)", l.count, l.last));
    }
    if !l.detail.is_empty() {
        s.push_str(": ");
        s.push_str(&l.detail);
    }
    s
}

/// The run `explain` looked at.
pub struct Run<'a> {
    pub policy: &'a str,
    pub seed: u64,
    pub end: SimTime,
}

/// The whole text of `kubesim explain`.
pub fn render(run: &Run, job: &JobRow, trail: &Trail, at: SimTime) -> String {
    let mut out = format!(
        "{} ({}) under {}, seed {}; the run ended at {} s\n",
        trail.object, job.kind, run.policy, run.seed, run.end
    );
    let t = |v: Option<SimTime>| v.map_or("-".to_string(), |v| format!("{v} s"));
    out.push_str(&format!(
        "  submitted {} s, started {}, finished {}: {}{}\n",
        job.submit,
        t(job.start),
        t(job.finish),
        job.state.as_str(),
        if job.reason.is_empty() {
            String::new()
        } else {
            format!(" ({})", job.reason)
        }
    ));
    let lines = fold(&trail.rows);
    out.push_str(&format!(
        "\ntimeline ({} events, {} lines)\n",
        trail.rows.len(),
        lines.len()
    ));
    let half = MAX_LINES / 2;
    for (i, l) in lines.iter().enumerate() {
        if lines.len() > MAX_LINES && i == half {
            out.push_str(&format!("  ... {} lines left out ...\n", lines.len() - MAX_LINES));
        }
        if lines.len() <= MAX_LINES || i < half || i >= lines.len() - half {
            out.push_str(&line_text(l));
            out.push('\n');
        }
    }
    let just_before = job.start.is_some_and(|s| s > job.submit && at.ms() + 1 == s.ms());
    out.push_str(&format!(
        "\nat {at} s{}: ",
        if just_before { " (just before it started)" } else { "" }
    ));
    match status_at(trail, job, at) {
        Status::NotYet => out.push_str(&format!("not created yet (created at {} s)\n", job.submit)),
        Status::Rejected(why) => out.push_str(&format!("rejected, never runs: {why}\n")),
        Status::Finished { at, state } => out.push_str(&format!("finished at {at} s ({state}), nothing holds it\n")),
        Status::Running => out.push_str("running, nothing holds it\n"),
        Status::Held(holds) => {
            out.push_str("held by\n");
            for h in holds {
                out.push_str(&format!(
                    "  {} ({}): {} since {} s",
                    h.system,
                    objects_text(&h.objects),
                    h.reason,
                    h.since
                ));
                if h.last > h.since {
                    out.push_str(&format!(", last at {} s", h.last));
                }
                if h.attempts > 1 {
                    out.push_str(&format!(", {} attempts", h.attempts));
                }
                out.push_str(&format!("\n    {}\n", h.message));
            }
        }
    }
    out.push_str(&format!(
        "\non an empty cluster: {}\n",
        fit_text(&trail.fit, job.submit)
    ));
    out
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// The empty-cluster verdict in words.
fn fit_text(fit: &EmptyFit, submit: SimTime) -> String {
    match fit {
        EmptyFit::Fits {
            at,
            pods,
            nodes,
            joined,
        } => {
            let what = format!(
                "the {} it needs at once fit on the {} present",
                plural(*pods, "pod"),
                plural(*nodes, "node")
            );
            match joined {
                Some(node) if *at > submit => {
                    format!("it would first have fitted at {at} s, when node {node} joined: {what}")
                }
                _ => format!("it would have fitted at once, on submission at {submit} s: {what}"),
            }
        }
        EmptyFit::NoPods => "it needs no node: it creates no pods, and only Kueue's quota admits it".to_string(),
        EmptyFit::Never {
            pods,
            placed,
            nodes,
            why,
        } => {
            if *placed == 0 {
                format!("never fits: {why}")
            } else {
                format!(
                    "never fits: it needs {pods} pods at once and only {placed} fit on the {} (all empty)",
                    plural(*nodes, "node")
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::store::WlState;

    fn row(t: u64, object: &str, event: &'static str, detail: &str) -> EventRow {
        EventRow {
            time: SimTime(t * 1000),
            object: object.into(),
            event,
            detail: detail.into(),
        }
    }

    fn job(submit: u64, start: Option<u64>, finish: Option<u64>, state: WlState) -> JobRow {
        JobRow {
            namespace: "default".into(),
            name: "train".into(),
            kind: "Job",
            owner: String::new(),
            queue: "default".into(),
            priority: 0,
            gpus_milli: 8000,
            pods: 2,
            submit: SimTime(submit * 1000),
            start: start.map(|s| SimTime(s * 1000)),
            finish: finish.map(|s| SimTime(s * 1000)),
            state,
            reason: String::new(),
            restarts: 0,
            failed_pods: 0,
            preemptions: 0,
            gang: false,
        }
    }

    fn trail(rows: Vec<EventRow>) -> Trail {
        Trail {
            object: "default/train".into(),
            rows,
            fit: EmptyFit::Never {
                pods: 2,
                placed: 0,
                nodes: 1,
                why: "0/1 nodes are available: 1 Insufficient nvidia.com/gpu.".into(),
            },
        }
    }

    const FIT: &str = "0/1 nodes are available: 1 Insufficient nvidia.com/gpu.";

    #[test]
    fn pods_with_one_message_are_one_hold_with_its_span_and_attempts() {
        let tr = trail(vec![
            row(10, "default/train", "JobCreated", ""),
            row(10, "default/train-0", "PodCreated", ""),
            row(10, "default/train-1", "PodCreated", ""),
            row(10, "default/train-0", "FailedScheduling", FIT),
            row(10, "default/train-1", "FailedScheduling", FIT),
            row(20, "default/train-0", "FailedScheduling", FIT),
            row(20, "default/train-1", "FailedScheduling", FIT),
            row(30, "default/train-0", "PodBound", "node-0"),
        ]);
        let j = job(10, None, None, WlState::Pending);
        let Status::Held(h) = status_at(&tr, &j, SimTime(25_000)) else {
            panic!("held")
        };
        assert_eq!(
            h,
            vec![Hold {
                system: "kube-scheduler",
                objects: vec!["default/train-0".into(), "default/train-1".into()],
                reason: "FailedScheduling".into(),
                since: SimTime(10_000),
                last: SimTime(20_000),
                attempts: 2,
                message: FIT.into(),
            }]
        );
        // Once train-0 has a node, only train-1 waits.
        let Status::Held(h) = status_at(&tr, &j, SimTime(30_000)) else {
            panic!("held")
        };
        assert_eq!(h[0].objects, vec!["default/train-1".to_string()]);
        assert_eq!(status_at(&tr, &j, SimTime(5_000)), Status::NotYet);
    }

    #[test]
    fn kueue_holds_a_suspended_job_until_it_reserves_quota() {
        let msg =
            "couldn't assign flavors to pod set main: insufficient unused quota for cpu in flavor f, 2 more needed";
        let tr = trail(vec![
            row(0, "default/train", "JobCreated", ""),
            row(0, "default/train", "JobSuspended", ""),
            row(0, "default/train", "WaitingForQuota", msg),
            row(100, "default/train", "QuotaReserved", "admitted by ClusterQueue cq"),
            row(100, "default/train", "JobResumed", ""),
            row(100, "default/train-0", "PodCreated", ""),
            row(100, "default/train-0", "PodBound", "node-0"),
        ]);
        let j = job(0, Some(100), Some(200), WlState::Complete);
        let Status::Held(h) = status_at(&tr, &j, default_at(&j, SimTime(300_000))) else {
            panic!("held")
        };
        assert_eq!(
            (h.len(), h[0].system, h[0].reason.as_str(), h[0].message.as_str()),
            (1, "Kueue", "WaitingForQuota", msg)
        );
        assert_eq!(status_at(&tr, &j, SimTime(150_000)), Status::Running);
        assert_eq!(
            status_at(&tr, &j, SimTime(250_000)),
            Status::Finished {
                at: SimTime(200_000),
                state: "Complete".into()
            }
        );
    }

    #[test]
    fn permit_rejections_are_coscheduling_and_a_reserved_pod_waits_at_permit() {
        let tr = trail(vec![
            row(0, "default/m-0", "PodCreated", ""),
            row(0, "default/m-1", "PodCreated", ""),
            row(0, "default/m-0", "PodWaitingOnPermit", "node-0"),
            row(
                60,
                "default/m-0",
                "FailedScheduling",
                "rejected due to timeout after waiting 1m0s at plugin Coscheduling",
            ),
        ]);
        let j = job(0, None, None, WlState::Pending);
        let Status::Held(h) = status_at(&tr, &j, SimTime(30_000)) else {
            panic!("held")
        };
        assert_eq!((h[0].system, h[0].reason.as_str()), ("coscheduling", "WaitingOnPermit"));
        assert_eq!(h[1].message, "in the scheduling queue, not attempted yet");
        let Status::Held(h) = status_at(&tr, &j, SimTime(60_000)) else {
            panic!("held")
        };
        assert_eq!(h[0].system, "coscheduling");
        assert_eq!(
            h[0].message,
            "rejected due to timeout after waiting 1m0s at plugin Coscheduling"
        );
    }

    #[test]
    fn the_timeline_folds_repeats_and_pods_of_one_instant() {
        let rows = vec![
            row(10, "default/train-0", "FailedScheduling", FIT),
            row(10, "default/train-1", "FailedScheduling", FIT),
            row(20, "default/train-0", "FailedScheduling", FIT),
            row(20, "default/train-1", "FailedScheduling", FIT),
            row(30, "default/train-0", "PodBound", "node-0"),
        ];
        let lines: Vec<String> = fold(&rows).iter().map(line_text).collect();
        assert_eq!(
            lines,
            vec![
                format!(
                    "        10.000 s  default/train-0, default/train-1  FailedScheduling (x2, last at 20.000 s): {FIT}"
                ),
                "        30.000 s  default/train-0  PodBound: node-0".to_string(),
            ]
        );
    }

    #[test]
    fn the_empty_cluster_in_words() {
        let fits = EmptyFit::Fits {
            at: SimTime(7_200_000),
            pods: 4,
            nodes: 3,
            joined: Some("gpu-2".into()),
        };
        assert_eq!(
            fit_text(&fits, SimTime(0)),
            "it would first have fitted at 7200.000 s, when node gpu-2 joined: the 4 pods it needs at once fit on the 3 nodes present"
        );
        let never = EmptyFit::Never {
            pods: 4,
            placed: 3,
            nodes: 3,
            why: String::new(),
        };
        assert_eq!(
            fit_text(&never, SimTime(0)),
            "never fits: it needs 4 pods at once and only 3 fit on the 3 nodes (all empty)"
        );
    }
}
