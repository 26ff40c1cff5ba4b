//! v1 Nodes: their spec fields, taints and allocatable resources.

use super::{HintScope, OBJECT_FIELDS, opt, read_hints, read_meta};
use crate::error::quote;
use crate::input::scenario::view::{F, Obj, Res, err_at};
use crate::input::spec::{NodeSpec, SourceLoc, Taint, TaintEffect};

const NODE_SPEC_FIELDS: &[&str] = &[
    "podCIDR",
    "podCIDRs",
    "providerID",
    "taints",
    "unschedulable",
    "configSource",
    "externalID",
];

pub(crate) fn taint_effect(f: &F) -> Res<TaintEffect> {
    match f.str()? {
        "NoSchedule" => Ok(TaintEffect::NoSchedule),
        "PreferNoSchedule" => Ok(TaintEffect::PreferNoSchedule),
        "NoExecute" => Ok(TaintEffect::NoExecute),
        other => Err(f.err(
            format!("unknown taint effect {}", quote(other)),
            "write NoSchedule, PreferNoSchedule or NoExecute",
        )),
    }
}

/// One taint (`key`, `value`, `effect`; `timeAdded` accepted and ignored).
pub(crate) fn taint(f: &F) -> Res<Taint> {
    let o = f.obj()?;
    o.deny_unknown(&["key", "value", "effect", "timeAdded"], "a taint")?;
    let key = o.req("key", "give the taint a key")?.name()?;
    let value = opt(o.get("value"), |f| f.string())?.unwrap_or_default();
    let effect = taint_effect(&o.req("effect", "add effect: NoSchedule, PreferNoSchedule or NoExecute")?)?;
    Ok(Taint { key, value, effect })
}

/// Converts a v1 Node (`doc` is the whole object). With `name_required` false (a NodePool or
/// Arrivals template), a missing `metadata.name` leaves the name empty for the caller to fill.
pub(crate) fn node(doc: &Obj, loc: &SourceLoc, name_required: bool) -> Res<NodeSpec> {
    doc.deny_unknown(OBJECT_FIELDS, "a Node")?;
    let meta = read_meta(doc, name_required)?;
    let hints = read_hints(doc, HintScope::Node)?;
    let spec = opt(doc.get("spec"), |f| f.obj())?;
    let mut taints = Vec::new();
    let mut unschedulable = false;
    if let Some(spec) = &spec {
        spec.deny_unknown(NODE_SPEC_FIELDS, "a Node spec")?;
        if let Some(ts) = spec.get("taints") {
            for t in ts.seq()? {
                taints.push(taint(&t)?);
            }
        }
        if let Some(u) = spec.get("unschedulable") {
            unschedulable = u.bool()?;
        }
    }
    let status = doc.get("status").map(|f| f.obj()).transpose()?;
    let alloc = status
        .as_ref()
        .and_then(|s| s.get("allocatable").or_else(|| s.get("capacity")));
    let allocatable = match alloc {
        Some(a) => a.resource_list()?,
        None => {
            let (pos, field) = match &status {
                Some(s) => (s.pos, "status.allocatable".to_string()),
                None => (doc.pos, format!("{}status", prefix(&doc.path))),
            };
            return Err(err_at(
                pos,
                &field,
                "a Node needs its resources: status.allocatable (or status.capacity)",
                "add status: {allocatable: {cpu: \"32\", memory: 256Gi, pods: \"110\"}}",
            ));
        }
    };
    Ok(NodeSpec {
        name: meta.name,
        allocatable,
        labels: meta.labels,
        taints,
        unschedulable,
        add_at_ms: hints.submit_at_ms.unwrap_or(0),
        loc: loc.clone(),
    })
}

fn prefix(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("{path}.")
    }
}
