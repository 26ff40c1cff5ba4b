//! policy/v1 PodDisruptionBudgets: minAvailable or maxUnavailable (a number or a percentage)
//! and the pod selector.

use super::{DEFAULT_NAMESPACE, Meta, OBJECT_FIELDS, label_selector, opt};
use crate::error::quote;
use crate::input::scenario::view::{F, Obj, Res};
use crate::input::spec::{IntOrPercent, PdbSpec};

fn int_or_percent(f: &F) -> Res<IntOrPercent> {
    if let Ok(text) = f.str() {
        let pct = text
            .strip_suffix('%')
            .and_then(|p| p.trim().parse::<u32>().ok())
            .filter(|p| *p <= 100)
            .ok_or_else(|| {
                f.err(
                    format!("invalid value {}", quote(text)),
                    "write a whole number (1) or a percentage (\"50%\")",
                )
            })?;
        return Ok(IntOrPercent::Percent(pct));
    }
    Ok(IntOrPercent::Int(f.u32()?))
}

/// Converts a policy/v1 PodDisruptionBudget.
pub(crate) fn pod_disruption_budget(doc: &Obj, meta: Meta) -> Res<PdbSpec> {
    doc.deny_unknown(OBJECT_FIELDS, "a PodDisruptionBudget")?;
    let spec_f = doc.req("spec", "add spec with minAvailable or maxUnavailable and a selector")?;
    let spec = spec_f.obj()?;
    spec.deny_unknown(
        &[
            "minAvailable",
            "maxUnavailable",
            "selector",
            "unhealthyPodEvictionPolicy",
        ],
        "a PodDisruptionBudget spec",
    )?;
    let min_available = opt(spec.get("minAvailable"), int_or_percent)?;
    let max_unavailable = opt(spec.get("maxUnavailable"), int_or_percent)?;
    if min_available.is_some() && max_unavailable.is_some() {
        return Err(spec_f.err(
            "minAvailable and maxUnavailable are both set",
            "keep one of minAvailable and maxUnavailable",
        ));
    }
    let selector = opt(spec.get("selector"), label_selector)?.unwrap_or_default();
    Ok(PdbSpec {
        namespace: meta.namespace.unwrap_or_else(|| DEFAULT_NAMESPACE.to_string()),
        name: meta.name,
        selector,
        min_available,
        max_unavailable,
    })
}
