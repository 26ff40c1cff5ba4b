//! scheduling.k8s.io/v1 PriorityClasses.

use super::opt;
use super::pod::preemption_policy;
use crate::input::scenario::view::{Obj, Res};
use crate::input::spec::{PreemptionPolicy, PriorityClassSpec};

/// Largest value of a user PriorityClass (larger ones are reserved for system classes).
const MAX_USER_PRIORITY: i128 = 1_000_000_000;

pub(crate) fn priority_class(doc: &Obj, name: String) -> Res<PriorityClassSpec> {
    doc.deny_unknown(
        &[
            "apiVersion",
            "kind",
            "metadata",
            "value",
            "globalDefault",
            "description",
            "preemptionPolicy",
        ],
        "a PriorityClass",
    )?;
    let value = doc
        .req("value", "add value: an integer priority (higher is more important)")?
        .int_in(i128::from(i32::MIN), MAX_USER_PRIORITY)? as i32;
    let global_default = opt(doc.get("globalDefault"), |f| f.bool())?.unwrap_or(false);
    let preemption_policy =
        opt(doc.get("preemptionPolicy"), preemption_policy)?.unwrap_or(PreemptionPolicy::PreemptLowerPriority);
    Ok(PriorityClassSpec {
        name,
        value,
        global_default,
        preemption_policy,
    })
}
