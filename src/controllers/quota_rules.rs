//! Admission by LimitRange and ResourceQuota (semantics.md 7.1, ADM-1..ADM-3) as pure
//! functions, for the controllers to call when they create a pod or a Job:
//!
//! 1. [`limit_ranger`] (mutating, then validating): container defaults from the namespace's
//!    LimitRanges, then their bounds; the pod it returns carries the defaults and recomputed
//!    totals (k8s `plugin/pkg/admission/limitranger/admission.go`).
//! 2. [`admit_pod`] / [`admit_object`] (validating): the namespace's ResourceQuotas against a
//!    [`NamespaceUsage`] (k8s `plugin/pkg/admission/resourcequota/controller.go`,
//!    `checkRequest`; usage from `pkg/quota/v1/evaluator/core/pods.go`, `PodUsageFunc`).
//!
//! A rejection is the API server's message after `pods "<name>" is forbidden: ` (HTTP 403), or
//! after `Pod "<name>" is invalid: ` (422) when LimitRange defaults make a container's request
//! exceed its limit ([`Rejection`]). Nothing is ever Pending because of either: a rejected
//! create fails, and the controller retries (ADM-4).
//!
//! Usage is charged at create and released as [`NamespaceUsage`] is told: compute resources and
//! `pods` when the pod becomes terminal (Succeeded or Failed; or deleted), `count/pods` when it
//! is deleted, `count/jobs.batch` when the Job is deleted (ADM-3). All amounts are canonical
//! integers (`spec.rs`): `pods: 1` is 1000.
//!
//! Determinism: Kubernetes lists a namespace's quotas and ranges in no defined order; callers
//! pass them sorted by name ([`quotas_in`], [`limit_ranges_in`]) and checks run in that order, each resource in
//! name order, so the first failure (and so the message) is fixed.

use std::collections::{BTreeMap, BTreeSet};

use crate::input::quantity::{format_quantity, quota_unit_resource};
use crate::input::resources::{
    Pick, add_into, containers_total, is_extended, is_native, limit_range_item_defaults, overcommit_allowed,
    recompute_totals,
};
use crate::input::spec::{LimitKind, LimitRangeItem, LimitRangeSpec, PodTemplate, ResourceList, ResourceQuotaSpec};

/// Quota object counts (`count/<resource>.<group>`).
pub const COUNT_PODS: &str = "count/pods";
pub const COUNT_JOBS: &str = "count/jobs.batch";
pub const COUNT_CRON_JOBS: &str = "count/cronjobs.batch";

/// One unit of a count in canonical units.
const ONE: i64 = 1_000;

/// The objects of `all` in namespace `ns`, sorted by name: the order admission checks them in.
fn in_namespace<'a, T>(all: &'a [T], ns: &str, key: impl Fn(&T) -> (&str, &str)) -> Vec<&'a T> {
    let mut v: Vec<&T> = all.iter().filter(|o| key(o).0 == ns).collect();
    v.sort_by(|a, b| key(a).1.cmp(key(b).1));
    v
}

/// The LimitRanges of namespace `ns`, by name.
pub fn limit_ranges_in<'a>(all: &'a [LimitRangeSpec], ns: &str) -> Vec<&'a LimitRangeSpec> {
    in_namespace(all, ns, |l| (l.namespace.as_str(), l.name.as_str()))
}

/// The ResourceQuotas of namespace `ns`, by name.
pub fn quotas_in<'a>(all: &'a [ResourceQuotaSpec], ns: &str) -> Vec<&'a ResourceQuotaSpec> {
    in_namespace(all, ns, |q| (q.namespace.as_str(), q.name.as_str()))
}

/// `<resource> "<name>" is forbidden: <message>`, the API server's 403 text (`pods`, `jobs.batch`).
pub fn forbidden(resource: &str, name: &str, message: &str) -> String {
    format!("{resource} \"{name}\" is forbidden: {message}")
}

/// Why a pod create was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// By an admission plugin (HTTP 403): LimitRange bounds, quota.
    Forbidden(String),
    /// By pod validation after LimitRange defaults (HTTP 422): a defaulted request above its
    /// limit, or an extended resource whose request and limit differ.
    Invalid(String),
}

impl Rejection {
    /// The message without the object prefix.
    pub fn message(&self) -> &str {
        match self {
            Rejection::Forbidden(m) | Rejection::Invalid(m) => m,
        }
    }

    /// The whole API error text for pod `name`.
    pub fn for_pod(&self, name: &str) -> String {
        match self {
            Rejection::Forbidden(m) => forbidden("pods", name, m),
            Rejection::Invalid(m) => format!("Pod \"{name}\" is invalid: {m}"),
        }
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

// ----- LimitRanger ----------------------------------------------------------------------------

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

// ----- ResourceQuota --------------------------------------------------------------------------

/// The quota usage of a pod that is not terminal (`PodUsageFunc`, `podComputeUsageHelper`),
/// from its totals (containers, init containers, overhead, pod-level values): `count/pods` and
/// `pods` 1; `cpu` and `requests.cpu` its cpu request, `limits.cpu` its limit; the same for
/// `memory` and `ephemeral-storage`; `hugepages-<size>` and `requests.hugepages-<size>` the
/// request and `limits.hugepages-<size>` the limit; `requests.<name>` the request of each
/// extended resource. There is no `limits.<extended>` usage: Kubernetes quotas extended
/// resources only as `requests.<name>`, so a quota on `limits.nvidia.com/gpu` constrains
/// nothing. A resource the pod neither requests nor limits has no entry.
pub fn pod_usage(t: &PodTemplate) -> ResourceList {
    let mut u = ResourceList::new();
    u.insert(COUNT_PODS.to_string(), ONE);
    u.insert("pods".to_string(), ONE);
    for (k, v) in &t.requests {
        if matches!(k.as_str(), "cpu" | "memory" | "ephemeral-storage") || k.starts_with("hugepages-") {
            u.insert(k.clone(), *v);
            u.insert(format!("requests.{k}"), *v);
        } else if is_extended(k) {
            u.insert(format!("requests.{k}"), *v);
        }
    }
    for (k, v) in &t.limits {
        if matches!(k.as_str(), "cpu" | "memory" | "ephemeral-storage") || k.starts_with("hugepages-") {
            u.insert(format!("limits.{k}"), *v);
        }
    }
    u
}

/// What stays charged once a pod is terminal: its object count until it is deleted.
pub fn terminal_pod_usage() -> ResourceList {
    ResourceList::from([(COUNT_PODS.to_string(), ONE)])
}

/// The usage of one batch/v1 Job: `count/jobs.batch` 1, whatever its state, until deleted.
pub fn job_usage() -> ResourceList {
    ResourceList::from([(COUNT_JOBS.to_string(), ONE)])
}

/// The usage of one CronJob: `count/cronjobs.batch` 1.
pub fn cron_job_usage() -> ResourceList {
    ResourceList::from([(COUNT_CRON_JOBS.to_string(), ONE)])
}

/// The quota resources of `hard` that a pod is charged for (`podEvaluator.MatchingResources`).
fn pod_matching(hard: &ResourceList) -> Vec<&str> {
    const POD_RESOURCES: &[&str] = &[
        COUNT_PODS,
        "cpu",
        "memory",
        "ephemeral-storage",
        "requests.cpu",
        "requests.memory",
        "requests.ephemeral-storage",
        "limits.cpu",
        "limits.memory",
        "limits.ephemeral-storage",
        "pods",
    ];
    hard.keys()
        .map(String::as_str)
        .filter(|k| {
            POD_RESOURCES.contains(k)
                || k.starts_with("hugepages-")
                || k.starts_with("requests.hugepages-")
                || (!is_native(k) && k.starts_with("requests."))
        })
        .collect()
}

/// The names in `podComputeUsageHelper` of one container.
fn container_usage_names(req: &ResourceList, lim: &ResourceList) -> BTreeSet<String> {
    let mut s = BTreeSet::new();
    for k in ["cpu", "memory"] {
        if req.contains_key(k) {
            s.insert(k.to_string());
            s.insert(format!("requests.{k}"));
        }
        if lim.contains_key(k) {
            s.insert(format!("limits.{k}"));
        }
    }
    s
}

/// ADM-3's rule (`podEvaluator.Constraints`): if `quota` constrains `cpu`/`memory` requests or
/// limits (`cpu`, `requests.cpu`, `limits.cpu`, and the memory ones), every container and init
/// container must set them, unless the pod sets pod-level resources. The message names each
/// missing resource with its containers: `failed quota: q: must specify limits.cpu for: a;
/// requests.cpu for: a,b`. Nothing to check (Ok) if the quota does not concern pods.
pub fn pod_quota_constraints(quota: &ResourceQuotaSpec, t: &PodTemplate) -> Result<(), String> {
    if !t.pod_level_requests.is_empty() || !t.pod_level_limits.is_empty() {
        return Ok(());
    }
    const VALIDATION: &[&str] = &[
        "cpu",
        "memory",
        "requests.cpu",
        "requests.memory",
        "limits.cpu",
        "limits.memory",
    ];
    let required: Vec<&str> = pod_matching(&quota.hard)
        .into_iter()
        .filter(|k| VALIDATION.contains(k))
        .collect();
    let mut missing: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for c in &t.containers {
        let have = container_usage_names(&c.requests, &c.limits);
        for r in &required {
            if !have.contains(*r) {
                missing.entry(r).or_default().insert(c.name.as_str());
            }
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let parts: Vec<String> = missing
        .iter()
        .map(|(r, names)| format!("{r} for: {}", names.iter().copied().collect::<Vec<_>>().join(",")))
        .collect();
    Err(format!(
        "failed quota: {}: must specify {}",
        quota.name,
        parts.join("; ")
    ))
}

/// `prettyPrint`: `name=quantity` pairs in name order, comma-separated; absent amounts are 0.
fn pretty(list: &ResourceList, keys: &[&str]) -> String {
    keys.iter()
        .map(|k| {
            let v = list.get(*k).copied().unwrap_or(0);
            format!("{k}={}", format_quantity(quota_unit_resource(k), v))
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// One quota's check of a create that adds `delta` to what the namespace `used`
/// (`checkRequest`): the resources of `delta` the quota names (`hard`) must stay within it
/// after the create. The error is the API server's: `exceeded quota: <name>, requested:
/// requests.cpu=1, used: requests.cpu=4, limited: requests.cpu=4`, listing every exceeded
/// resource.
pub fn quota_admit(name: &str, hard: &ResourceList, used: &ResourceList, delta: &ResourceList) -> Result<(), String> {
    let exceeded: Vec<&str> = delta
        .iter()
        .filter_map(|(k, d)| {
            let h = *hard.get(k)?;
            let new = used.get(k).copied().unwrap_or(0).saturating_add(*d);
            (new > h).then_some(k.as_str())
        })
        .collect();
    if exceeded.is_empty() {
        return Ok(());
    }
    Err(format!(
        "exceeded quota: {name}, requested: {}, used: {}, limited: {}",
        pretty(delta, &exceeded),
        pretty(used, &exceeded),
        pretty(hard, &exceeded)
    ))
}

/// ResourceQuota admission of a pod (already through [`limit_ranger`]) into a namespace with
/// `quotas` (sorted by name) and usage `used`: first every quota's constraints
/// ([`pod_quota_constraints`]), then every quota's limits ([`quota_admit`]). Returns the usage
/// to charge ([`pod_usage`]); does not charge it (see [`NamespaceUsage::admit_pod`]).
pub fn admit_pod(quotas: &[&ResourceQuotaSpec], used: &ResourceList, t: &PodTemplate) -> Result<ResourceList, String> {
    for q in quotas.iter().filter(|q| !pod_matching(&q.hard).is_empty()) {
        pod_quota_constraints(q, t)?;
    }
    let delta = pod_usage(t);
    for q in quotas {
        quota_admit(&q.name, &q.hard, used, &delta)?;
    }
    Ok(delta)
}

/// ResourceQuota admission of an object counted by `delta` ([`job_usage`],
/// [`cron_job_usage`]).
pub fn admit_object(quotas: &[&ResourceQuotaSpec], used: &ResourceList, delta: &ResourceList) -> Result<(), String> {
    quotas
        .iter()
        .try_for_each(|q| quota_admit(&q.name, &q.hard, used, delta))
}

/// What one namespace's objects hold of its quotas (`status.used`, for every resource at
/// once): charged when admission lets an object in, released as objects finish or go away.
/// The simulator's quota controller is instantaneous: a pod that becomes terminal frees its
/// compute resources at once (ADM-3).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NamespaceUsage {
    used: ResourceList,
}

impl NamespaceUsage {
    pub fn used(&self) -> &ResourceList {
        &self.used
    }

    pub fn charge(&mut self, usage: &ResourceList) {
        add_into(&mut self.used, usage);
    }

    /// Releases `usage` (never below zero; resources at zero are dropped).
    pub fn release(&mut self, usage: &ResourceList) {
        for (k, v) in usage {
            if let Some(e) = self.used.get_mut(k) {
                *e = e.saturating_sub(*v).max(0);
                if *e == 0 {
                    self.used.remove(k);
                }
            }
        }
    }

    /// [`admit_pod`], charging the pod's usage if it is admitted; returns what was charged
    /// (hand it back to [`NamespaceUsage::pod_terminal`] and [`NamespaceUsage::pod_deleted`]).
    pub fn admit_pod(&mut self, quotas: &[&ResourceQuotaSpec], t: &PodTemplate) -> Result<ResourceList, String> {
        let delta = admit_pod(quotas, &self.used, t)?;
        self.charge(&delta);
        Ok(delta)
    }

    /// [`admit_object`], charging `delta` if the object is admitted.
    pub fn admit_object(&mut self, quotas: &[&ResourceQuotaSpec], delta: &ResourceList) -> Result<(), String> {
        admit_object(quotas, &self.used, delta)?;
        self.charge(delta);
        Ok(())
    }

    /// A pod charged `charged` became terminal (Succeeded or Failed): everything but its
    /// object count is released.
    pub fn pod_terminal(&mut self, charged: &ResourceList) {
        let mut compute = charged.clone();
        compute.remove(COUNT_PODS);
        self.release(&compute);
    }

    /// A pod charged `charged` was deleted; `was_terminal` if [`NamespaceUsage::pod_terminal`]
    /// already released its compute resources.
    pub fn pod_deleted(&mut self, charged: &ResourceList, was_terminal: bool) {
        if was_terminal {
            self.release(&terminal_pod_usage());
        } else {
            self.release(charged);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::spec::{ContainerResources, SourceLoc};

    fn rl(v: &[(&str, i64)]) -> ResourceList {
        v.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    type Res<'a> = &'a [(&'a str, i64)];

    /// A pod of regular containers (name, requests, limits); requests default from limits as
    /// the loader does.
    fn pod(containers: &[(&str, Res, Res)]) -> PodTemplate {
        let mut t = crate::input::synth::gpu_pod_template(1, None);
        t.containers = containers
            .iter()
            .map(|(name, req, lim)| {
                let mut requests = rl(req);
                for (k, v) in lim.iter() {
                    requests.entry(k.to_string()).or_insert(*v);
                }
                ContainerResources {
                    name: name.to_string(),
                    requests,
                    limits: rl(lim),
                    init: false,
                    sidecar: false,
                }
            })
            .collect();
        t.container_names = t.containers.iter().map(|c| c.name.clone()).collect();
        recompute_totals(&mut t);
        t
    }

    fn range(items: Vec<LimitRangeItem>) -> LimitRangeSpec {
        LimitRangeSpec {
            namespace: "ns".into(),
            name: "lr".into(),
            items,
            loc: SourceLoc::default(),
        }
    }

    fn item(kind: LimitKind) -> LimitRangeItem {
        LimitRangeItem {
            kind,
            max: ResourceList::new(),
            min: ResourceList::new(),
            default: ResourceList::new(),
            default_request: ResourceList::new(),
            max_limit_request_ratio: ResourceList::new(),
        }
    }

    fn quota(name: &str, hard: Res) -> ResourceQuotaSpec {
        ResourceQuotaSpec {
            namespace: "ns".into(),
            name: name.into(),
            hard: rl(hard),
            loc: SourceLoc::default(),
        }
    }

    fn forbidden_msg(r: Result<PodTemplate, Rejection>) -> String {
        match r {
            Err(Rejection::Forbidden(m)) => m,
            other => panic!("expected a 403, got {other:?}"),
        }
    }

    /// S-A2: a Container item with default cpu limit 1, defaultRequest 500m and max 2.
    fn s_a2() -> LimitRangeSpec {
        range(vec![LimitRangeItem {
            default: rl(&[("cpu", 1_000)]),
            default_request: rl(&[("cpu", 500)]),
            max: rl(&[("cpu", 2_000)]),
            ..item(LimitKind::Container)
        }])
    }

    #[test]
    fn s_a2_defaults_a_pod_without_resources() {
        let lr = s_a2();
        let t = limit_ranger(&pod(&[("c", &[], &[])]), &[&lr]).unwrap();
        assert_eq!(t.containers[0].requests, rl(&[("cpu", 500)]));
        assert_eq!(t.containers[0].limits, rl(&[("cpu", 1_000)]));
        // Totals recomputed: request 500m, limit 1.
        assert_eq!((t.requests["cpu"], t.limits["cpu"]), (500, 1_000));
        // A pod within bounds that sets both is unchanged.
        let p = pod(&[("c", &[("cpu", 1_500)], &[("cpu", 2_000)])]);
        assert_eq!(limit_ranger(&p, &[&lr]), Ok(p.clone()));
        // No LimitRange in the namespace: nothing happens.
        assert_eq!(limit_ranger(&p, &[]), Ok(p));
    }

    #[test]
    fn s_a2_rejects_a_three_cpu_pod() {
        let lr = s_a2();
        // Limit 3 (the request defaults to it when the pod is read): over max, 403.
        let p = pod(&[("c", &[], &[("cpu", 3_000)])]);
        let r = limit_ranger(&p, &[&lr]);
        assert_eq!(
            forbidden_msg(r.clone()),
            "maximum cpu usage per Container is 2, but limit is 3"
        );
        assert_eq!(
            r.unwrap_err().for_pod("p-1"),
            "pods \"p-1\" is forbidden: maximum cpu usage per Container is 2, but limit is 3"
        );
        // Request 3 without a limit: the default limit 1 is below the request, and pod
        // validation (before the LimitRanger's own check) makes the pod invalid, 422.
        let p = pod(&[("c", &[("cpu", 3_000)], &[])]);
        let r = limit_ranger(&p, &[&lr]).unwrap_err();
        assert_eq!(
            r,
            Rejection::Invalid(
                "spec.containers[0].resources.requests[cpu]: Invalid value: \"3\": must be less than or equal \
                 to cpu limit of 1"
                    .into()
            )
        );
        assert!(r.for_pod("p").starts_with("Pod \"p\" is invalid: spec.containers[0]"));
    }

    /// Seed manifest 14 (ml-job-limits) as loaded: defaults filled from max by the API server.
    fn seed_14() -> LimitRangeSpec {
        let written = LimitRangeItem {
            max: rl(&[("nvidia.com/gpu", 8_000), ("memory", 128 << 30), ("cpu", 64_000)]),
            min: rl(&[("nvidia.com/gpu", 1_000), ("memory", 8 << 30), ("cpu", 4_000)]),
            default: rl(&[("memory", 32 << 30), ("cpu", 16_000)]),
            ..item(LimitKind::Container)
        };
        range(vec![limit_range_item_defaults(&written)])
    }

    #[test]
    fn seed_limit_range_on_gpu_and_cpu_only_containers() {
        let lr = seed_14();
        // 4 GPUs and 16 CPUs as limits: within [1, 8] and [4, 64]; memory defaults to 32Gi.
        let p = pod(&[("train", &[], &[("nvidia.com/gpu", 4_000), ("cpu", 16_000)])]);
        let t = limit_ranger(&p, &[&lr]).unwrap();
        let want = rl(&[("cpu", 16_000), ("memory", 32 << 30), ("nvidia.com/gpu", 4_000)]);
        assert_eq!((&t.requests, &t.limits), (&want, &want));
        // No GPU at all: min 1 is never "missing", because the item's default GPU limit is its
        // max (SetDefaults_LimitRangeItem), so the pod is admitted with 8 GPUs. This is what
        // the real plugin does: min only sees the values after defaults.
        let p = pod(&[("cpu-only", &[], &[("cpu", 8_000)])]);
        let t = limit_ranger(&p, &[&lr]).unwrap();
        assert_eq!(t.requests["nvidia.com/gpu"], 8_000);
        assert_eq!(t.limits["nvidia.com/gpu"], 8_000);
        // Too many GPUs, too few CPUs: every violation of the range, in one message.
        let p = pod(&[("big", &[], &[("nvidia.com/gpu", 16_000), ("cpu", 2_000)])]);
        assert_eq!(
            forbidden_msg(limit_ranger(&p, &[&lr])),
            "[minimum cpu usage per Container is 4, but request is 2, maximum nvidia.com/gpu usage per \
             Container is 8, but limit is 16]"
        );
    }

    #[test]
    fn min_without_a_request_and_pod_sums() {
        // A Pod item bounds the sums; a resource nobody requests has "No request".
        let lr = range(vec![LimitRangeItem {
            min: rl(&[("nvidia.com/gpu", 1_000)]),
            max: rl(&[("cpu", 3_000)]),
            ..item(LimitKind::Pod)
        }]);
        let p = pod(&[("a", &[], &[("cpu", 2_000)]), ("b", &[], &[("cpu", 2_000)])]);
        assert_eq!(
            forbidden_msg(limit_ranger(&p, &[&lr])),
            "[minimum nvidia.com/gpu usage per Pod is 1.  No request is specified, maximum cpu usage per Pod \
             is 3, but limit is 4]"
        );
        // A Container max on a resource without limit.
        let lr = range(vec![LimitRangeItem {
            max: rl(&[("memory", 1 << 30)]),
            ..item(LimitKind::Pod)
        }]);
        assert_eq!(
            forbidden_msg(limit_ranger(&pod(&[("a", &[("memory", 1 << 20)], &[])]), &[&lr])),
            "maximum memory usage per Pod is 1Gi.  No limit is specified"
        );
    }

    #[test]
    fn limit_to_request_ratio() {
        let lr = range(vec![LimitRangeItem {
            max_limit_request_ratio: rl(&[("cpu", 2_000)]),
            ..item(LimitKind::Container)
        }]);
        // 2 / 0.5 = 4 > 2.
        let p = pod(&[("c", &[("cpu", 500)], &[("cpu", 2_000)])]);
        assert_eq!(
            forbidden_msg(limit_ranger(&p, &[&lr])),
            "cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000"
        );
        // 1.5 / 1 = 1.5 <= 2.
        let p = pod(&[("c", &[("cpu", 1_000)], &[("cpu", 1_500)])]);
        assert!(limit_ranger(&p, &[&lr]).is_ok());
        // 1 / 0.3 = 3.333333.
        let p = pod(&[("c", &[("cpu", 300)], &[("cpu", 1_000)])]);
        assert!(forbidden_msg(limit_ranger(&p, &[&lr])).ends_with("provided ratio is 3.333333"));
        let p = pod(&[("c", &[("cpu", 300)], &[])]);
        assert_eq!(
            forbidden_msg(limit_ranger(&p, &[&lr])),
            "cpu max limit to request ratio per Container is 2, but no limit is specified or limit is 0"
        );
    }

    #[test]
    fn defaults_reach_init_containers_and_the_first_range_wins() {
        let mut p = pod(&[("main", &[("cpu", 100)], &[("cpu", 100)])]);
        p.containers.push(ContainerResources {
            name: "init".into(),
            init: true,
            ..ContainerResources::default()
        });
        recompute_totals(&mut p);
        let a = LimitRangeSpec {
            name: "a".into(),
            ..s_a2()
        };
        let b = LimitRangeSpec {
            name: "b".into(),
            ..range(vec![LimitRangeItem {
                default: rl(&[("cpu", 4_000), ("memory", 1 << 30)]),
                default_request: rl(&[("cpu", 4_000), ("memory", 1 << 30)]),
                ..item(LimitKind::Container)
            }])
        };
        let t = limit_ranger(&p, &[&a, &b]).unwrap();
        // cpu from a (first), memory from b; the init container gets them too.
        let init = &t.containers[1];
        assert_eq!(init.requests, rl(&[("cpu", 500), ("memory", 1 << 30)]));
        assert_eq!(init.limits, rl(&[("cpu", 1_000), ("memory", 1 << 30)]));
        assert_eq!(t.containers[0].limits, rl(&[("cpu", 100), ("memory", 1 << 30)]));
        // Totals: the init container's 500m/1 beat main's 100m; memory 1Gi either way.
        assert_eq!(t.requests, rl(&[("cpu", 500), ("memory", 1 << 30)]));
        assert_eq!(t.limits, rl(&[("cpu", 1_000), ("memory", 1 << 30)]));
        // Checks name the init container by its own list.
        p.containers[1].requests = rl(&[("cpu", 3_000)]);
        let r = limit_ranger(&p, &[&a]).unwrap_err();
        assert!(
            r.message()
                .starts_with("spec.initContainers[0].resources.requests[cpu]: Invalid value: \"3\""),
            "{r}"
        );
        // An extended resource defaulted to a request without a limit is invalid.
        let gpu = range(vec![LimitRangeItem {
            default_request: rl(&[("nvidia.com/gpu", 1_000)]),
            ..item(LimitKind::Container)
        }]);
        let r = limit_ranger(&pod(&[("c", &[], &[])]), &[&gpu]).unwrap_err();
        assert_eq!(
            r,
            Rejection::Invalid(
                "spec.containers[0].resources.limits[nvidia.com/gpu]: Required value: Limit must be set for non \
                 overcommitable resources"
                    .into()
            )
        );
    }

    // ----- quota -----

    /// S-A1: `requests.cpu: 4`, 1-CPU pods. Four are admitted, the fifth is rejected with the
    /// API server's message; once one is terminal, the fifth fits.
    #[test]
    fn s_a1_quota_arithmetic() {
        let q = quota("cpu-quota", &[("requests.cpu", 4_000)]);
        let qs = [&q];
        let p = pod(&[("c", &[("cpu", 1_000)], &[])]);
        let mut ns = NamespaceUsage::default();
        let charged: Vec<ResourceList> = (0..4).map(|_| ns.admit_pod(&qs, &p).unwrap()).collect();
        assert_eq!(ns.used()["requests.cpu"], 4_000);
        assert_eq!(ns.used()["pods"], 4_000);
        let before = ns.clone();
        let e = ns.admit_pod(&qs, &p).unwrap_err();
        assert_eq!(
            e,
            "exceeded quota: cpu-quota, requested: requests.cpu=1, used: requests.cpu=4, limited: requests.cpu=4"
        );
        assert_eq!(
            forbidden("pods", "job-x", &e),
            "pods \"job-x\" is forbidden: exceeded quota: cpu-quota, requested: requests.cpu=1, used: \
             requests.cpu=4, limited: requests.cpu=4"
        );
        assert_eq!(ns, before, "a rejected pod is not charged");
        ns.pod_terminal(&charged[0]);
        assert_eq!(ns.used()["requests.cpu"], 3_000);
        assert_eq!(ns.used()[COUNT_PODS], 4_000, "count/pods until deleted");
        ns.admit_pod(&qs, &p).unwrap();
        assert_eq!(ns.used()["requests.cpu"], 4_000);
        ns.pod_deleted(&charged[0], true);
        assert_eq!(ns.used()[COUNT_PODS], 4_000);
        // Deleting a running pod releases all of it.
        ns.pod_deleted(&charged[1], false);
        assert_eq!((ns.used()["requests.cpu"], ns.used()[COUNT_PODS]), (3_000, 3_000));
    }

    #[test]
    fn a_quota_on_cpu_needs_every_container_to_set_it() {
        let q = quota("q", &[("cpu", 4_000)]);
        let p = pod(&[("c", &[("memory", 1 << 30)], &[])]);
        assert_eq!(
            admit_pod(&[&q], &ResourceList::new(), &p).unwrap_err(),
            "failed quota: q: must specify cpu for: c"
        );
        // Limits too, per container, resources and names sorted.
        let q = quota("q", &[("requests.cpu", 4_000), ("limits.cpu", 4_000), ("pods", 10_000)]);
        let p = pod(&[
            ("b", &[("cpu", 100)], &[]),
            ("a", &[], &[]),
            ("c", &[], &[("cpu", 100)]),
        ]);
        assert_eq!(
            pod_quota_constraints(&q, &p).unwrap_err(),
            "failed quota: q: must specify limits.cpu for: a,b; requests.cpu for: a"
        );
        // Pod-level resources lift the rule; so does a quota that does not concern cpu/memory.
        let mut pl = p.clone();
        pl.pod_level_requests = rl(&[("cpu", 1_000)]);
        assert!(pod_quota_constraints(&q, &pl).is_ok());
        let gpu_only = quota("g", &[("requests.nvidia.com/gpu", 8_000)]);
        assert!(pod_quota_constraints(&gpu_only, &p).is_ok());
        // The constraint fails before any amount is checked, whatever the order of quotas.
        let tiny = quota("a-tiny", &[("pods", 0)]);
        assert_eq!(
            admit_pod(&[&tiny, &q], &ResourceList::new(), &p).unwrap_err(),
            "failed quota: q: must specify limits.cpu for: a,b; requests.cpu for: a"
        );
    }

    #[test]
    fn pod_usage_names_and_extended_resources() {
        let mut p = pod(&[(
            "c",
            &[("cpu", 500), ("memory", 1 << 30), ("hugepages-2Mi", 4 << 20)],
            &[("cpu", 1_000), ("nvidia.com/gpu", 2_000), ("hugepages-2Mi", 4 << 20)],
        )]);
        p.overhead = rl(&[("cpu", 100)]);
        recompute_totals(&mut p);
        assert_eq!(
            pod_usage(&p),
            rl(&[
                ("count/pods", 1_000),
                ("pods", 1_000),
                ("cpu", 600),
                ("requests.cpu", 600),
                ("limits.cpu", 1_100),
                ("memory", 1 << 30),
                ("requests.memory", 1 << 30),
                ("hugepages-2Mi", 4 << 20),
                ("requests.hugepages-2Mi", 4 << 20),
                ("limits.hugepages-2Mi", 4 << 20),
                ("requests.nvidia.com/gpu", 2_000),
            ])
        );
        // Seed quota 13 names limits.nvidia.com/gpu: no pod is charged for it, so only
        // requests.nvidia.com/gpu binds.
        let q = quota(
            "ml-training-quota",
            &[("requests.nvidia.com/gpu", 16_000), ("limits.nvidia.com/gpu", 1_000)],
        );
        let mut ns = NamespaceUsage::default();
        for _ in 0..8 {
            ns.admit_pod(&[&q], &p).unwrap();
        }
        assert_eq!(
            ns.admit_pod(&[&q], &p).unwrap_err(),
            "exceeded quota: ml-training-quota, requested: requests.nvidia.com/gpu=2, used: \
             requests.nvidia.com/gpu=16, limited: requests.nvidia.com/gpu=16"
        );
    }

    #[test]
    fn every_exceeded_resource_is_listed_and_absent_usage_is_zero() {
        let q = quota(
            "q",
            &[("requests.cpu", 1_000), ("requests.memory", 1 << 30), ("pods", 5_000)],
        );
        let p = pod(&[("c", &[("cpu", 2_000), ("memory", 2 << 30)], &[])]);
        assert_eq!(
            admit_pod(&[&q], &ResourceList::new(), &p).unwrap_err(),
            "exceeded quota: q, requested: requests.cpu=2,requests.memory=2Gi, used: \
             requests.cpu=0,requests.memory=0, limited: requests.cpu=1,requests.memory=1Gi"
        );
    }

    #[test]
    fn pods_count_live_pods_and_count_pods_every_pod() {
        let q = quota("q", &[("pods", 2_000), (COUNT_PODS, 3_000)]);
        let p = pod(&[("c", &[], &[])]);
        let mut ns = NamespaceUsage::default();
        let a = ns.admit_pod(&[&q], &p).unwrap();
        ns.admit_pod(&[&q], &p).unwrap();
        assert_eq!(
            ns.admit_pod(&[&q], &p).unwrap_err(),
            "exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2"
        );
        ns.pod_terminal(&a);
        ns.admit_pod(&[&q], &p).unwrap();
        ns.pod_terminal(&a);
        // Two live pods' worth of `pods` is free again, but three pods exist.
        assert_eq!(
            ns.admit_pod(&[&q], &p).unwrap_err(),
            "exceeded quota: q, requested: count/pods=1, used: count/pods=3, limited: count/pods=3"
        );
    }

    #[test]
    fn job_and_cron_job_counts() {
        let q = quota(
            "q",
            &[(COUNT_JOBS, 2_000), (COUNT_CRON_JOBS, 1_000), ("requests.cpu", 1_000)],
        );
        let qs = [&q];
        let mut ns = NamespaceUsage::default();
        ns.admit_object(&qs, &job_usage()).unwrap();
        ns.admit_object(&qs, &job_usage()).unwrap();
        assert_eq!(
            ns.admit_object(&qs, &job_usage()).unwrap_err(),
            "exceeded quota: q, requested: count/jobs.batch=1, used: count/jobs.batch=2, limited: \
             count/jobs.batch=2"
        );
        // A finished Job holds its count until it is deleted.
        ns.release(&job_usage());
        ns.admit_object(&qs, &job_usage()).unwrap();
        ns.admit_object(&qs, &cron_job_usage()).unwrap();
        assert!(ns.admit_object(&qs, &cron_job_usage()).is_err());
        // A Job is not a pod: no cpu rule for it, and pods do not use the Job count.
        let p = pod(&[("c", &[("cpu", 1_000)], &[])]);
        ns.admit_pod(&qs, &p).unwrap();
        assert_eq!(ns.used()[COUNT_JOBS], 2_000);
    }

    /// S-C5's quota note: a CronJob keeping 3 successful Jobs. With `count/jobs.batch: 4` the
    /// next Job always fits; with 3 every new Job is rejected until one is deleted.
    #[test]
    fn s_c5_history_against_a_job_count() {
        let mut ns = NamespaceUsage::default();
        for _ in 0..3 {
            ns.charge(&job_usage());
        }
        let four = quota("q", &[(COUNT_JOBS, 4_000)]);
        let three = quota("q", &[(COUNT_JOBS, 3_000)]);
        assert!(admit_object(&[&four], ns.used(), &job_usage()).is_ok());
        assert_eq!(
            admit_object(&[&three], ns.used(), &job_usage()).unwrap_err(),
            "exceeded quota: q, requested: count/jobs.batch=1, used: count/jobs.batch=3, limited: \
             count/jobs.batch=3"
        );
        ns.release(&job_usage());
        assert!(ns.admit_object(&[&three], &job_usage()).is_ok());
    }

    #[test]
    fn limit_ranger_then_quota_charges_the_defaulted_pod() {
        // S-A2's defaults (request 500m) against requests.cpu: 1 -> two pods, not three.
        let lr = s_a2();
        let q = quota("q", &[("requests.cpu", 1_000), ("limits.cpu", 4_000)]);
        let bare = pod(&[("c", &[], &[])]);
        // Without the LimitRange the bare pod violates the cpu rule.
        assert!(
            admit_pod(&[&q], &ResourceList::new(), &bare)
                .unwrap_err()
                .starts_with("failed quota: q")
        );
        let t = limit_ranger(&bare, &[&lr]).unwrap();
        let mut ns = NamespaceUsage::default();
        ns.admit_pod(&[&q], &t).unwrap();
        ns.admit_pod(&[&q], &t).unwrap();
        assert_eq!(
            ns.admit_pod(&[&q], &t).unwrap_err(),
            "exceeded quota: q, requested: requests.cpu=500m, used: requests.cpu=1, limited: requests.cpu=1"
        );
    }

    #[test]
    fn namespaces_select_and_sort_by_name() {
        let mk = |ns: &str, name: &str| ResourceQuotaSpec {
            namespace: ns.into(),
            ..quota(name, &[])
        };
        let all = [mk("a", "z"), mk("b", "y"), mk("a", "m")];
        let names: Vec<&str> = quotas_in(&all, "a").iter().map(|q| q.name.as_str()).collect();
        assert_eq!(names, ["m", "z"]);
        assert!(quotas_in(&all, "c").is_empty());
        let lrs = [s_a2()];
        assert_eq!(limit_ranges_in(&lrs, "ns").len(), 1);
    }
}
