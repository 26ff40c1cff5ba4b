//! Simulation `spec.defaultDuration`: the run time of workloads that have none of their own (no
//! `kubesim.io/duration`, no Arrivals `duration`, no recorded run time), as one duration, one
//! distribution (the Arrivals `duration` forms, read by [`duration_dist`]), or a list of rules
//! by namespace, queue and labels, the first matching rule applying.

use super::super::view::{F, Res};
use super::super::yaml::Value;
use super::MAX_LIST_ENTRIES;
use super::arrivals::duration_dist;
use crate::input::spec::{DefaultDuration, DurationDist};

/// Reads `defaultDuration`: `30m`, `{lognormal: {median: 30m, sigma: 1}}`, or
/// `[{namespace, queue, labels, duration}, ...]`.
pub(crate) fn default_durations(f: &F) -> Res<Vec<DefaultDuration>> {
    if !matches!(f.node.value, Value::Seq(_)) {
        return Ok(vec![DefaultDuration {
            namespace: None,
            queue: None,
            labels: Default::default(),
            duration: duration_or_dist(f)?,
        }]);
    }
    let items = f.seq()?;
    if items.is_empty() {
        return Err(f.err(
            "the list of default durations is empty",
            "list rules such as {namespace: team-a, duration: 30m}, or remove defaultDuration",
        ));
    }
    if items.len() > MAX_LIST_ENTRIES {
        return Err(f.err(
            format!("{} rules exceed the limit of {MAX_LIST_ENTRIES}", items.len()),
            format!("list at most {MAX_LIST_ENTRIES} rules"),
        ));
    }
    items.iter().map(rule).collect()
}

/// One rule: selectors and a duration.
fn rule(f: &F) -> Res<DefaultDuration> {
    let o = f.obj()?;
    o.deny_unknown(&["namespace", "queue", "labels", "duration"], "a defaultDuration rule")?;
    let d = o.req(
        "duration",
        "add duration: a duration (30m) or a distribution ({exponential: {mean: 30m}})",
    )?;
    Ok(DefaultDuration {
        namespace: o.get("namespace").map(|n| n.name()).transpose()?,
        queue: o.get("queue").map(|q| q.name()).transpose()?,
        labels: o.get("labels").map(|l| l.string_map()).transpose()?.unwrap_or_default(),
        duration: duration_or_dist(&d)?,
    })
}

/// A duration (`30m`, a fixed distribution) or a distribution mapping.
fn duration_or_dist(f: &F) -> Res<DurationDist> {
    match &f.node.value {
        Value::Map(_) => duration_dist(f),
        _ => Ok(DurationDist::Fixed { ms: f.duration_ms()? }),
    }
}
