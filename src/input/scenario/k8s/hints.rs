//! The `kubesim.io/*` annotations ([`Hints`]): which an object of each kind may carry
//! ([`HintScope`]), how each value is read, and how a pod template's override its workload's.

use crate::error::{cut, quote};
use crate::input::scenario::view::{F, Obj, Res, err_at};
use crate::input::scenario::yaml::Pos;
use crate::input::spec::SimHints;
use crate::limits::MAX_WORKLOAD_PODS;

const KNOWN_ANNOTATIONS: &[&str] = &[
    "kubesim.io/submit-at",
    "kubesim.io/duration",
    "kubesim.io/exit-code",
    "kubesim.io/failures",
    "kubesim.io/terminate-after",
    "kubesim.io/suspend-at",
    "kubesim.io/resume-at",
    "kubesim.io/fail-indexes",
    "kubesim.io/gang-size",
    "kubesim.io/replicas-schedule",
    "kubesim.io/runtime-estimate",
];

/// The `kubesim.io/*` annotations of one metadata block.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Hints {
    pub submit_at_ms: Option<u64>,
    pub duration_ms: Option<u64>,
    pub exit_code: Option<i32>,
    pub failures: Option<u32>,
    pub terminate_after_ms: Option<u64>,
    pub suspend_at_ms: Option<u64>,
    pub resume_at_ms: Option<u64>,
    pub fail_indexes: Option<Vec<u32>>,
    pub gang_size: Option<u32>,
    /// `kubesim.io/replicas-schedule` (a Deployment, ReplicaSet or StatefulSet): (ms of day,
    /// replicas) steps, sorted.
    pub replicas_schedule: Option<Vec<(u64, u32)>>,
    /// `kubesim.io/runtime-estimate`: the run time the user announces (the backfill policies
    /// plan with it; nothing else reads it).
    pub runtime_estimate_ms: Option<u64>,
}

impl Hints {
    /// `self` overridden by the fields `over` sets (the pod template wins).
    pub fn overridden_by(&self, over: &Hints) -> Hints {
        Hints {
            submit_at_ms: over.submit_at_ms.or(self.submit_at_ms),
            duration_ms: over.duration_ms.or(self.duration_ms),
            exit_code: over.exit_code.or(self.exit_code),
            failures: over.failures.or(self.failures),
            terminate_after_ms: over.terminate_after_ms.or(self.terminate_after_ms),
            suspend_at_ms: over.suspend_at_ms.or(self.suspend_at_ms),
            resume_at_ms: over.resume_at_ms.or(self.resume_at_ms),
            fail_indexes: over.fail_indexes.clone().or_else(|| self.fail_indexes.clone()),
            gang_size: over.gang_size.or(self.gang_size),
            replicas_schedule: over
                .replicas_schedule
                .clone()
                .or_else(|| self.replicas_schedule.clone()),
            runtime_estimate_ms: over.runtime_estimate_ms.or(self.runtime_estimate_ms),
        }
    }

    pub fn sim_hints(&self) -> SimHints {
        SimHints {
            duration_ms: self.duration_ms,
            exit_code: self.exit_code.unwrap_or(0),
            failures: self.failures.unwrap_or(0),
            terminate_after_ms: self.terminate_after_ms.unwrap_or(0),
            fail_indexes: self.fail_indexes.clone().unwrap_or_default(),
            gang_size: self.gang_size,
            runtime_estimate_ms: self.runtime_estimate_ms,
        }
    }
}

/// What an object may carry among the kubesim annotations.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum HintScope {
    /// A batch/v1 Job or its pod template: every annotation.
    Job,
    /// A JobSet's own metadata: every annotation (the pod-level ones are its replicatedJobs'
    /// defaults).
    JobSet,
    /// A JobSet's replicatedJob template or its pod template: no submit-at, suspend-at or
    /// resume-at (the JobSet is created and suspended as a whole).
    JobSetTemplate,
    /// A Volcano Job or one of its task templates: no suspend, fail-indexes or gang-size.
    VolcanoJob,
    Pod,
    Node,
    /// A bare Kueue Workload: only submit-at and duration.
    KueueWorkload,
    /// A Deployment, ReplicaSet or StatefulSet or its pod template: as a Pod (its pods have no
    /// completion to fail or suspend).
    Serving,
    /// A Kubeflow training job (PyTorchJob) or a replica's pod template: as a Volcano Job.
    Kubeflow,
    /// A KubeRay RayCluster or RayJob or one of its pod templates: as a Volcano Job.
    Ray,
}

/// Reads the `kubesim.io/*` annotations of `doc.metadata` (for a pod template, of
/// `template.metadata`). Unknown `kubesim.io/` keys are errors (typo guard).
pub(crate) fn read_hints(doc: &Obj, scope: HintScope) -> Res<Hints> {
    let mut h = Hints::default();
    let Some(meta) = doc.get("metadata") else {
        return Ok(h);
    };
    let Some(ann) = meta.obj()?.get("annotations") else {
        return Ok(h);
    };
    let ann_obj = ann.obj()?;
    for e in ann_obj.entries {
        if !e.key.starts_with("kubesim.io/") {
            continue;
        }
        let f = F::new(&e.value, format!("{}.{}", ann.path, cut(&e.key)));
        let key = e.key.as_str();
        check_hint_key(e.key_pos, &f, key, scope)?;
        set_hint(&mut h, key, &f)?;
    }
    Ok(h)
}

/// Refuses a `kubesim.io/` annotation `key` (at `key_pos`, field `f`) that does not exist or has
/// no meaning on an object of `scope`.
fn check_hint_key(key_pos: Pos, f: &F, key: &str, scope: HintScope) -> Res<()> {
    if !KNOWN_ANNOTATIONS.contains(&key) {
        return Err(err_at(
            key_pos,
            &f.path,
            format!("unknown kubesim annotation {}", quote(key)),
            format!("use one of: {}", KNOWN_ANNOTATIONS.join(", ")),
        ));
    }
    if key == "kubesim.io/replicas-schedule" && scope != HintScope::Serving {
        return Err(err_at(
            key_pos,
            &f.path,
            format!(
                "annotation `{key}` has no meaning here: it is for Deployments, ReplicaSets, StatefulSets and LeaderWorkerSets"
            ),
            "remove the annotation",
        ));
    }
    let allowed = match scope {
        HintScope::Job | HintScope::JobSet => true,
        HintScope::JobSetTemplate => !matches!(
            key,
            "kubesim.io/submit-at" | "kubesim.io/suspend-at" | "kubesim.io/resume-at"
        ),
        HintScope::Pod | HintScope::VolcanoJob | HintScope::Serving | HintScope::Kubeflow | HintScope::Ray => {
            !matches!(
                key,
                "kubesim.io/suspend-at" | "kubesim.io/resume-at" | "kubesim.io/fail-indexes" | "kubesim.io/gang-size"
            )
        }
        HintScope::Node => key == "kubesim.io/submit-at",
        HintScope::KueueWorkload => matches!(key, "kubesim.io/submit-at" | "kubesim.io/duration"),
    };
    if !allowed {
        let what = match scope {
            HintScope::Node => "a Node (only kubesim.io/submit-at is)",
            HintScope::KueueWorkload => {
                "a Kueue Workload (only kubesim.io/submit-at and kubesim.io/duration are: it \
                 creates no pods)"
            }
            HintScope::VolcanoJob => {
                "a Volcano Job (suspend-at, resume-at, fail-indexes and gang-size are for batch/v1 \
                 Jobs; a Volcano Job is a gang through its minAvailable)"
            }
            HintScope::Kubeflow => {
                "a Kubeflow training job (suspend-at, resume-at, fail-indexes and gang-size are for \
                 batch/v1 Jobs; a training job is suspended through runPolicy.suspend)"
            }
            HintScope::Ray => {
                "a RayCluster or RayJob (suspend-at, resume-at, fail-indexes and gang-size are for \
                 batch/v1 Jobs; a RayJob is suspended through spec.suspend)"
            }
            HintScope::JobSetTemplate => {
                "a JobSet's replicatedJob template (submit-at, suspend-at and resume-at go on the \
                 JobSet's own metadata: it is created and suspended as a whole)"
            }
            HintScope::Serving => {
                "a Deployment, ReplicaSet, StatefulSet or LeaderWorkerSet (suspend-at, resume-at, fail-indexes and \
                 gang-size are for Jobs)"
            }
            _ => "a Pod (suspend-at, resume-at, fail-indexes and gang-size are for Jobs)",
        };
        return Err(err_at(
            key_pos,
            &f.path,
            format!("annotation `{key}` has no meaning on {what}"),
            if scope == HintScope::JobSetTemplate {
                "move the annotation to the JobSet's metadata.annotations"
            } else {
                "remove the annotation"
            },
        ));
    }
    Ok(())
}

/// Reads the value of the known annotation `key` (field `f`) into `h`.
fn set_hint(h: &mut Hints, key: &str, f: &F) -> Res<()> {
    let text = f.str()?;
    match key {
        "kubesim.io/submit-at" => h.submit_at_ms = Some(f.duration_ms()?),
        "kubesim.io/duration" => h.duration_ms = Some(f.duration_ms()?),
        "kubesim.io/terminate-after" => h.terminate_after_ms = Some(f.duration_ms()?),
        "kubesim.io/suspend-at" => h.suspend_at_ms = Some(f.duration_ms()?),
        "kubesim.io/resume-at" => h.resume_at_ms = Some(f.duration_ms()?),
        "kubesim.io/runtime-estimate" => h.runtime_estimate_ms = Some(f.duration_ms()?),
        "kubesim.io/exit-code" => {
            h.exit_code = Some(
                text.trim()
                    .parse::<i32>()
                    .ok()
                    .filter(|c| (0..=255).contains(c))
                    .ok_or_else(|| {
                        f.err(
                            format!("invalid exit code {}", quote(text)),
                            "write an exit code from 0 to 255 as a string, e.g. \"1\"",
                        )
                    })?,
            )
        }
        "kubesim.io/failures" => {
            h.failures = Some(
                text.trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n <= i32::MAX as u32)
                    .ok_or_else(|| {
                        f.err(
                            format!("invalid failure count {}", quote(text)),
                            "write a non-negative integer as a string, e.g. \"2\"",
                        )
                    })?,
            )
        }
        "kubesim.io/gang-size" => {
            h.gang_size = Some(
                text.trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=MAX_WORKLOAD_PODS).contains(n))
                    .ok_or_else(|| {
                        f.err(
                            format!(
                                "invalid gang size {} (1 to {MAX_WORKLOAD_PODS}, the limit of pods per \
                                 workload)",
                                quote(text)
                            ),
                            "write the number of pods in the gang, at least 1, as a string, e.g. \"4\"",
                        )
                    })?,
            )
        }
        "kubesim.io/replicas-schedule" => {
            h.replicas_schedule = Some(parse_schedule(text).ok_or_else(|| {
                f.err(
                    format!("invalid replicas schedule {}", quote(text)),
                    format!(
                        "write times of day (HH:MM, 24-hour, the Simulation's clock) and replica counts \
                         (0 to {MAX_WORKLOAD_PODS}), each time once, e.g. \"00:00=2,08:00=6,20:00=3\""
                    ),
                )
            })?)
        }
        "kubesim.io/fail-indexes" => {
            h.fail_indexes = Some(parse_index_list(text).ok_or_else(|| {
                f.err(
                    format!("invalid index set {}", quote(text)),
                    "write completion indexes as Kubernetes does, e.g. \"0\" or \"0-3,7\"",
                )
            })?)
        }
        _ => unreachable!("checked against KNOWN_ANNOTATIONS"),
    }
    Ok(())
}

/// "00:00=2,08:30=6" -> [(0, 2), (30_600_000, 6)] (ms of day, replicas), sorted; `None` when
/// malformed, a time repeats, or a count is beyond [`MAX_WORKLOAD_PODS`]. At most 1440 steps (one
/// a minute).
fn parse_schedule(text: &str) -> Option<Vec<(u64, u32)>> {
    let mut out: Vec<(u64, u32)> = Vec::new();
    for part in text.split(',').map(str::trim) {
        let (time, n) = part.split_once('=')?;
        let (h, m) = time.trim().split_once(':')?;
        let (h, m) = (h.parse::<u64>().ok()?, m.parse::<u64>().ok()?);
        let n = n.trim().parse::<u32>().ok().filter(|n| *n <= MAX_WORKLOAD_PODS)?;
        if h > 23 || m > 59 || out.len() >= 1440 {
            return None;
        }
        out.push(((h * 60 + m) * 60_000, n));
    }
    out.sort_unstable();
    if out.windows(2).any(|w| w[0].0 == w[1].0) {
        return None;
    }
    Some(out)
}

/// "0-3,7" -> [0, 1, 2, 3, 7]; `None` when malformed or larger than 100,000 indexes.
fn parse_index_list(text: &str) -> Option<Vec<u32>> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim) {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?),
            None => {
                let v = part.parse::<u32>().ok()?;
                (v, v)
            }
        };
        if a > b || out.len() as u64 + u64::from(b - a) >= 100_000 {
            return None;
        }
        out.extend(a..=b);
    }
    Some(out)
}
