//! The LimitRanger admission plugin (ADM-2; k8s `plugin/pkg/admission/limitranger/admission.go`):
//! LimitRange defaults for containers, validation of what they set, then each range's min, max and
//! limit/request-ratio bounds with the plugin's messages.

use std::collections::BTreeSet;

use super::Rejection;
use crate::input::quantity::format_quantity;
use crate::input::resources::{
    Pick, containers_total, limit_range_item_defaults, overcommit_allowed, recompute_totals,
};
use crate::input::spec::{LimitKind, LimitRangeItem, LimitRangeSpec, PodTemplate, ResourceList};

fn kind_name(k: LimitKind) -> &'static str {
    match k {
        LimitKind::Container => "Container",
        LimitKind::Pod => "Pod",
        LimitKind::PersistentVolumeClaim => "PersistentVolumeClaim",
    }
}

/// `minConstraint`.
fn min_constraint(kind: &str, k: &str, enforced: i64, req: &ResourceList, lim: &ResourceList) -> Option<String> {
    let q = |v: i64| format_quantity(k, v);
    let Some(&r) = req.get(k) else {
        return Some(format!(
            "minimum {k} usage per {kind} is {}.  No request is specified",
            q(enforced)
        ));
    };
    if enforced > r {
        return Some(format!(
            "minimum {k} usage per {kind} is {}, but request is {}",
            q(enforced),
            q(r)
        ));
    }
    match lim.get(k) {
        Some(&l) if enforced > l => Some(format!(
            "minimum {k} usage per {kind} is {}, but limit is {}",
            q(enforced),
            q(l)
        )),
        _ => None,
    }
}

/// `maxConstraint`.
fn max_constraint(kind: &str, k: &str, enforced: i64, req: &ResourceList, lim: &ResourceList) -> Option<String> {
    let q = |v: i64| format_quantity(k, v);
    let Some(&l) = lim.get(k) else {
        return Some(format!(
            "maximum {k} usage per {kind} is {}.  No limit is specified",
            q(enforced)
        ));
    };
    if l > enforced {
        return Some(format!(
            "maximum {k} usage per {kind} is {}, but limit is {}",
            q(enforced),
            q(l)
        ));
    }
    match req.get(k) {
        Some(&r) if r > enforced => Some(format!(
            "maximum {k} usage per {kind} is {}, but request is {}",
            q(enforced),
            q(r)
        )),
        _ => None,
    }
}

/// `limitRequestRatioConstraint`; `ratio` in thousandths.
fn ratio_constraint(kind: &str, k: &str, ratio: i64, req: &ResourceList, lim: &ResourceList) -> Option<String> {
    let shown = format_quantity("ratio", ratio);
    let r = req.get(k).copied().unwrap_or(0);
    if r == 0 {
        return Some(format!(
            "{k} max limit to request ratio per {kind} is {shown}, but no request is specified or request is 0"
        ));
    }
    let l = lim.get(k).copied().unwrap_or(0);
    if l == 0 {
        return Some(format!(
            "{k} max limit to request ratio per {kind} is {shown}, but no limit is specified or limit is 0"
        ));
    }
    if i128::from(l) * 1_000 > i128::from(r) * i128::from(ratio) {
        // limit / request to six decimals, rounded half up.
        let micro = (i128::from(l) * 2_000_000 / i128::from(r) + 1) / 2;
        return Some(format!(
            "{k} max limit to request ratio per {kind} is {shown}, but provided ratio is {}.{:06}",
            micro / 1_000_000,
            micro % 1_000_000
        ));
    }
    None
}

/// The min, max and ratio checks of one item against one set of requests and limits.
fn item_errors(item: &LimitRangeItem, req: &ResourceList, lim: &ResourceList, errs: &mut Vec<String>) {
    let kind = kind_name(item.kind);
    errs.extend(
        item.min
            .iter()
            .filter_map(|(k, v)| min_constraint(kind, k, *v, req, lim)),
    );
    errs.extend(
        item.max
            .iter()
            .filter_map(|(k, v)| max_constraint(kind, k, *v, req, lim)),
    );
    errs.extend(
        item.max_limit_request_ratio
            .iter()
            .filter_map(|(k, v)| ratio_constraint(kind, k, *v, req, lim)),
    );
}

/// `utilerrors.NewAggregate(errs).Error()`: one message alone, several deduplicated in
/// `[a, b]`.
fn aggregate(errs: Vec<String>) -> String {
    let mut seen: Vec<String> = Vec::new();
    for e in errs {
        if !seen.contains(&e) {
            seen.push(e);
        }
    }
    if seen.len() == 1 {
        seen.pop().unwrap_or_default()
    } else {
        format!("[{}]", seen.join(", "))
    }
}

/// The field path of container `i` of `t` (`spec.containers[0]`, `spec.initContainers[1]`).
fn container_path(t: &PodTemplate, i: usize) -> String {
    let init_before = t.containers[..i].iter().filter(|c| c.init).count();
    if t.containers[i].init {
        format!("spec.initContainers[{init_before}]")
    } else {
        format!("spec.containers[{}]", i - init_before)
    }
}

/// The LimitRanger admission plugin on a pod about to be created in a namespace with `ranges`
/// (sorted by name; each item is defaulted again as the API server stores it, which is
/// idempotent). ADM-2:
///
/// 1. Defaults, range by range: each container (init containers too) gets the Container item's
///    `default` as the limit and `defaultRequest` as the request of every resource it does not
///    set (`mergeContainerResources`). Requests were already defaulted from the container's own
///    limits when the pod was read; by `SetDefaults_LimitRangeItem` a `defaultRequest` exists
///    wherever a `default` does, so a defaulted limit comes with a request.
/// 2. Pod validation of what the defaults set (`ValidateResourceRequirements`): a request above
///    its limit, or an extended resource whose request and limit differ or that has no limit,
///    makes the pod invalid ([`Rejection::Invalid`]). Values the pod wrote itself were checked
///    when it was loaded.
/// 3. Bounds, range by range, stopping at the first range with a violation
///    (`PodValidateLimitFunc`): Container items check `min <= request`, `limit <= max` (a
///    bounded resource must then have a request, resp. a limit) and `limit / request <=
///    maxLimitRequestRatio` for every container and init container; Pod items check the same
///    on the pod's sums (containers, sidecars, init containers; no overhead; pod-level values
///    where written). Every violation of that range is reported ([`Rejection::Forbidden`],
///    `maximum cpu usage per Container is 2, but limit is 3`).
///
/// The pod returned has the defaults in its containers and its totals recomputed.
pub fn limit_ranger(template: &PodTemplate, ranges: &[&LimitRangeSpec]) -> Result<PodTemplate, Rejection> {
    let mut t = template.clone();
    let items: Vec<Vec<LimitRangeItem>> = ranges
        .iter()
        .map(|r| r.items.iter().map(limit_range_item_defaults).collect())
        .collect();
    // 1. Defaults.
    let mut set: BTreeSet<(usize, String)> = BTreeSet::new();
    for item in items.iter().flatten().filter(|i| i.kind == LimitKind::Container) {
        for (i, c) in t.containers.iter_mut().enumerate() {
            for (k, v) in &item.default {
                if !c.limits.contains_key(k) {
                    c.limits.insert(k.clone(), *v);
                    set.insert((i, k.clone()));
                }
            }
            for (k, v) in &item.default_request {
                if !c.requests.contains_key(k) {
                    c.requests.insert(k.clone(), *v);
                    set.insert((i, k.clone()));
                }
            }
        }
    }
    // 2. Validation of the defaulted values.
    for (i, k) in &set {
        let c = &t.containers[*i];
        let path = container_path(&t, *i);
        let q = |v: i64| format_quantity(k, v);
        match (c.requests.get(k), c.limits.get(k)) {
            (Some(&r), Some(&l)) if r != l && !overcommit_allowed(k) => {
                return Err(Rejection::Invalid(format!(
                    "{path}.resources.requests[{k}]: Invalid value: \"{}\": must be equal to {k} limit of {}",
                    q(r),
                    q(l)
                )));
            }
            (Some(&r), Some(&l)) if r > l => {
                return Err(Rejection::Invalid(format!(
                    "{path}.resources.requests[{k}]: Invalid value: \"{}\": must be less than or equal to {k} \
                     limit of {}",
                    q(r),
                    q(l)
                )));
            }
            (Some(_), None) if !overcommit_allowed(k) => {
                return Err(Rejection::Invalid(format!(
                    "{path}.resources.limits[{k}]: Required value: Limit must be set for non overcommitable \
                     resources"
                )));
            }
            _ => {}
        }
    }
    // 3. Bounds.
    for range_items in &items {
        let mut errs = Vec::new();
        for item in range_items {
            match item.kind {
                LimitKind::Container => {
                    // Regular containers first, then init containers, as the plugin does.
                    for c in t.containers.iter().filter(|c| !c.init) {
                        item_errors(item, &c.requests, &c.limits, &mut errs);
                    }
                    for c in t.containers.iter().filter(|c| c.init) {
                        item_errors(item, &c.requests, &c.limits, &mut errs);
                    }
                }
                LimitKind::Pod => {
                    let mut req = containers_total(&t.containers, Pick::Requests);
                    let mut lim = containers_total(&t.containers, Pick::Limits);
                    req.extend(t.pod_level_requests.iter().map(|(k, v)| (k.clone(), *v)));
                    lim.extend(t.pod_level_limits.iter().map(|(k, v)| (k.clone(), *v)));
                    item_errors(item, &req, &lim, &mut errs);
                }
                LimitKind::PersistentVolumeClaim => {}
            }
        }
        if !errs.is_empty() {
            return Err(Rejection::Forbidden(aggregate(errs)));
        }
    }
    recompute_totals(&mut t);
    Ok(t)
}
