//! Selectors and scheduling constraints: node selector requirements, required node affinity,
//! tolerations, and label selectors.

use super::node::taint_effect;
use super::opt;
use crate::error::quote;
use crate::input::scenario::view::{F, Res};
use crate::input::spec::{
    LabelSelector, NodeSelectorTerm, SelectorOperator, SelectorRequirement, Toleration, TolerationOperator,
};
use crate::limits::MAX_DURATION_MS;

pub(crate) fn selector_requirement(f: &F) -> Res<SelectorRequirement> {
    let o = f.obj()?;
    o.deny_unknown(&["key", "operator", "values"], "a node selector requirement")?;
    let key = o.req("key", "give the requirement a key")?.name()?;
    let op_f = o.req("operator", "add operator: In, NotIn, Exists, DoesNotExist, Gt or Lt")?;
    let operator = match op_f.str()? {
        "In" => SelectorOperator::In,
        "NotIn" => SelectorOperator::NotIn,
        "Exists" => SelectorOperator::Exists,
        "DoesNotExist" => SelectorOperator::DoesNotExist,
        "Gt" => SelectorOperator::Gt,
        "Lt" => SelectorOperator::Lt,
        other => {
            return Err(op_f.err(
                format!("unknown operator {}", quote(other)),
                "write In, NotIn, Exists, DoesNotExist, Gt or Lt",
            ));
        }
    };
    let values = match o.get("values") {
        Some(v) => v.seq()?.iter().map(|x| x.string()).collect::<Res<Vec<_>>>()?,
        None => Vec::new(),
    };
    let (ok, need) = match operator {
        SelectorOperator::In | SelectorOperator::NotIn => (!values.is_empty(), "at least one value"),
        SelectorOperator::Exists | SelectorOperator::DoesNotExist => (values.is_empty(), "no values"),
        SelectorOperator::Gt | SelectorOperator::Lt => (
            values.len() == 1 && values[0].parse::<i64>().is_ok(),
            "exactly one integer value",
        ),
    };
    if !ok {
        return Err(f.err(
            format!("operator {} needs {need}", op_f.str()?),
            format!("give `values` {need}"),
        ));
    }
    Ok(SelectorRequirement { key, operator, values })
}

pub(super) fn affinity_terms(f: &F) -> Res<Vec<NodeSelectorTerm>> {
    let a = f.obj()?;
    a.deny_unknown(&["nodeAffinity", "podAffinity", "podAntiAffinity"], "affinity")?;
    let Some(na) = a.get("nodeAffinity") else {
        return Ok(Vec::new());
    };
    let na = na.obj()?;
    na.deny_unknown(
        &[
            "requiredDuringSchedulingIgnoredDuringExecution",
            "preferredDuringSchedulingIgnoredDuringExecution",
        ],
        "nodeAffinity",
    )?;
    let Some(req) = na.get("requiredDuringSchedulingIgnoredDuringExecution") else {
        return Ok(Vec::new());
    };
    let req = req.obj()?;
    req.deny_unknown(&["nodeSelectorTerms"], "a node selector")?;
    let terms_f = req.req("nodeSelectorTerms", "list at least one nodeSelectorTerm")?;
    let mut terms = Vec::new();
    for t in terms_f.seq()? {
        let o = t.obj()?;
        o.deny_unknown(&["matchExpressions", "matchFields"], "a nodeSelectorTerm")?;
        let mut term = NodeSelectorTerm::default();
        if let Some(m) = o.get("matchExpressions") {
            for r in m.seq()? {
                term.match_expressions.push(selector_requirement(&r)?);
            }
        }
        if let Some(m) = o.get("matchFields") {
            for r in m.seq()? {
                term.match_fields.push(selector_requirement(&r)?);
            }
        }
        terms.push(term);
    }
    if terms.is_empty() {
        return Err(terms_f.err(
            "nodeSelectorTerms is empty",
            "list at least one term, or remove the required node affinity",
        ));
    }
    Ok(terms)
}

pub(crate) fn toleration(f: &F) -> Res<Toleration> {
    let o = f.obj()?;
    o.deny_unknown(
        &["key", "operator", "value", "effect", "tolerationSeconds"],
        "a toleration",
    )?;
    let key = opt(o.get("key"), |f| f.string())?.unwrap_or_default();
    let operator = match o.get("operator") {
        None => TolerationOperator::Equal,
        Some(op) => match op.str()? {
            "Equal" => TolerationOperator::Equal,
            "Exists" => TolerationOperator::Exists,
            other => {
                return Err(op.err(
                    format!("unknown toleration operator {}", quote(other)),
                    "write Equal or Exists",
                ));
            }
        },
    };
    let value = opt(o.get("value"), |f| f.string())?.unwrap_or_default();
    if operator == TolerationOperator::Exists && !value.is_empty() {
        return Err(f.err(
            "a toleration with operator Exists cannot have a value",
            "remove the value, or use operator: Equal",
        ));
    }
    if key.is_empty() && operator != TolerationOperator::Exists {
        return Err(f.err(
            "a toleration without key must use operator Exists",
            "add a key, or write operator: Exists to tolerate every taint",
        ));
    }
    let effect = match o.get("effect") {
        None => None,
        Some(e) if e.str()?.is_empty() => None,
        Some(e) => Some(taint_effect(&e)?),
    };
    // Added to the time of an eviction, so bounded like every other duration.
    let toleration_seconds = opt(o.get("tolerationSeconds"), |f| {
        f.bounded(
            i128::from(i64::MIN),
            i128::from(MAX_DURATION_MS / 1000),
            "seconds (100 years)",
            "remove tolerationSeconds to tolerate forever",
        )
        .map(|v| v as i64)
    })?;
    Ok(Toleration {
        key,
        operator,
        value,
        effect,
        toleration_seconds,
    })
}

/// A label selector: `matchLabels` and `matchExpressions` (an empty mapping selects all).
pub(crate) fn label_selector(f: &F) -> Res<LabelSelector> {
    let sel = f.obj()?;
    sel.deny_unknown(&["matchLabels", "matchExpressions"], "a label selector")?;
    let mut selector = LabelSelector::default();
    if let Some(ml) = sel.get("matchLabels") {
        selector.match_labels = ml.string_map()?;
    }
    if let Some(me) = sel.get("matchExpressions") {
        selector.match_expressions = me.seq()?.iter().map(selector_requirement).collect::<Res<Vec<_>>>()?;
    }
    Ok(selector)
}
