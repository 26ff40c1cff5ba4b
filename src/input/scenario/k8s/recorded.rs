//! Run times recorded in objects exported from a cluster (`kubectl get -o yaml`): the history
//! in a Job's or Pod's `status` becomes the run time of its pods when no `kubesim.io/duration`
//! gives one (the annotation always wins).
//!
//! Fields read, as the API defines them (kubernetes/kubernetes `staging/src/k8s.io/api/batch/v1/
//! types.go` `JobStatus`, `core/v1/types.go` `PodStatus`, `ContainerStatus`,
//! `ContainerStateRunning`, `ContainerStateTerminated`):
//!
//! - a Job: `status.startTime` (when the Job controller started it) to `status.completionTime`
//!   (set only on success, `pkg/controller/job/job_controller.go` `syncJob`), else to the
//!   `lastTransitionTime` of its `Complete` or `Failed` condition with status `"True"`. A Job
//!   with a start and no end is still running.
//! - a Pod: its containers' `state.terminated.startedAt` / `finishedAt` and
//!   `state.running.startedAt`: from the earliest start to the latest finish when every
//!   container that started has terminated, else running from the earliest start; without
//!   container states, `status.startTime` of a `Running` pod. `restartCount` is summed: the
//!   states describe the last attempt only.
//!
//! A running object's run time is a lower bound, filled by the loader once every file is read:
//! up to the latest timestamp anywhere in the scenario's files ([`latest_time`]), the best
//! estimate of when the export was taken.

use super::super::view::{F, Obj, Res};
use super::super::yaml::{Node, Value};
use super::WorkloadDoc;
use crate::input::trace::time::{civil_from_days, parse_iso_utc};

/// A run recorded in an object's `status`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Recorded {
    /// When it started, in ms since the Unix epoch.
    pub start_ms: i64,
    /// When it ended; `None`: still running at the export.
    pub end_ms: Option<i64>,
    /// Container restarts before the recorded attempt (Pods).
    pub restarts: u64,
}

/// Keys whose values are timestamps in Kubernetes objects (metav1.Time fields of the core,
/// batch, Kueue and Volcano types, and managedFields' `time`).
const TIME_KEYS: &[&str] = &[
    "creationTimestamp",
    "deletionTimestamp",
    "startTime",
    "completionTime",
    "lastTransitionTime",
    "lastProbeTime",
    "lastHeartbeatTime",
    "lastUpdateTime",
    "lastScheduleTime",
    "lastSuccessfulTime",
    "startedAt",
    "finishedAt",
    "time",
    "timeAdded",
];

/// Raises `latest` to the latest timestamp (ms since the epoch) found in `node`'s tree.
pub(crate) fn latest_time(node: &Node, latest: &mut Option<i64>) {
    match &node.value {
        Value::Map(entries) => {
            for e in entries {
                if let Value::Str(s) = &e.value.value
                    && TIME_KEYS.contains(&e.key.as_str())
                    && let Some(t) = parse_iso_utc(s).filter(|_| s.len() >= 20)
                {
                    let ms = t.saturating_mul(1000);
                    *latest = Some(latest.map_or(ms, |l| l.max(ms)));
                }
                latest_time(&e.value, latest);
            }
        }
        Value::Seq(items) => items.iter().for_each(|n| latest_time(n, latest)),
        _ => {}
    }
}

/// An RFC 3339 time of ms since the epoch, to the second (`2026-03-02T08:00:00Z`).
pub(crate) fn format_time(ms: i64) -> String {
    let s = ms.div_euclid(1000);
    let (y, m, d) = civil_from_days(s.div_euclid(86_400));
    let sec = s.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        sec / 3600,
        sec / 60 % 60,
        sec % 60
    )
}

/// A timestamp field, in ms since the epoch.
fn time(f: &F) -> Res<i64> {
    let s = f.str()?;
    parse_iso_utc(s)
        .filter(|_| s.len() >= 20)
        .map(|t| t.saturating_mul(1000))
        .ok_or_else(|| {
            f.err(
                "not an RFC 3339 time",
                "write a time such as 2026-03-02T08:00:00Z (as the API server records it), or remove the field",
            )
        })
}

/// The run recorded in the `status` of a Job or Pod document, if any.
pub(crate) fn recorded(doc: &Obj, what: WorkloadDoc) -> Res<Option<Recorded>> {
    let Some(status) = doc.get("status") else {
        return Ok(None);
    };
    let status = status.obj()?;
    match what {
        WorkloadDoc::Job => job(&status),
        WorkloadDoc::Pod => pod(&status),
        WorkloadDoc::VolcanoJob
        | WorkloadDoc::JobSet
        | WorkloadDoc::Serving(_)
        | WorkloadDoc::Lws
        | WorkloadDoc::Kubeflow(_)
        | WorkloadDoc::MPIJob
        | WorkloadDoc::RayCluster
        | WorkloadDoc::RayJob => Ok(None),
    }
}

fn job(status: &Obj) -> Res<Option<Recorded>> {
    let Some(start) = status.get("startTime") else {
        return Ok(None);
    };
    let start_ms = time(&start)?;
    let mut end_ms = status.get("completionTime").map(|f| time(&f)).transpose()?;
    if end_ms.is_none()
        && let Some(conds) = status.get("conditions")
    {
        for c in conds.seq()? {
            let co = c.obj()?;
            let finished = matches!(
                co.get("type").map(|t| t.string()).transpose()?.as_deref(),
                Some("Complete" | "Failed")
            );
            let is_true = co.get("status").map(|s| s.string()).transpose()?.as_deref() == Some("True");
            if finished
                && is_true
                && let Some(t) = co.get("lastTransitionTime")
            {
                end_ms = Some(time(&t)?);
            }
        }
    }
    Ok(Some(Recorded {
        start_ms,
        end_ms: end_ms.map(|e| e.max(start_ms)),
        restarts: 0,
    }))
}

fn pod(status: &Obj) -> Res<Option<Recorded>> {
    let mut start: Option<i64> = None;
    let mut end: Option<i64> = None;
    let mut running = false;
    let mut restarts = 0u64;
    for key in ["initContainerStatuses", "containerStatuses"] {
        let Some(list) = status.get(key) else { continue };
        for c in list.seq()? {
            let co = c.obj()?;
            if let Some(r) = co.get("restartCount") {
                restarts = restarts.saturating_add(r.int_in(0, i128::from(i32::MAX))? as u64);
            }
            let Some(state) = co.get("state") else { continue };
            let state = state.obj()?;
            let (started, finished) = if let Some(t) = state.get("terminated") {
                let t = t.obj()?;
                (t.get("startedAt"), t.get("finishedAt"))
            } else if let Some(r) = state.get("running") {
                running = true;
                (r.obj()?.get("startedAt"), None)
            } else {
                continue;
            };
            if let Some(s) = started {
                let s = time(&s)?;
                start = Some(start.map_or(s, |x| x.min(s)));
            }
            if let Some(f) = finished {
                let f = time(&f)?;
                end = Some(end.map_or(f, |x| x.max(f)));
            }
        }
    }
    if start.is_none() {
        let phase = status.get("phase").map(|p| p.string()).transpose()?;
        if phase.as_deref() == Some("Running")
            && let Some(s) = status.get("startTime")
        {
            start = Some(time(&s)?);
            running = true;
        }
    }
    Ok(start.map(|start_ms| Recorded {
        start_ms,
        end_ms: if running { None } else { end.map(|e| e.max(start_ms)) },
        restarts,
    }))
}
