//! Pod resource arithmetic: the per-pod `requests` and `limits` of a [`PodTemplate`] from its
//! containers, as kube-scheduler and quota compute them (k8s
//! `staging/src/k8s.io/component-helpers/resource/helpers.go`, `PodRequests`/`PodLimits`), the
//! API server's defaulting of LimitRange items; and the rules of names: object names (DNS-1123
//! labels and subdomains) and the classes of resource names (qualified, extended,
//! overcommittable). The loader uses them; LimitRange admission (`controllers::quota_rules`)
//! recomputes totals after it defaults container values. Pure functions on `spec` data, in
//! canonical units.

use crate::input::spec::{ContainerResources, LimitKind, LimitRangeItem, PodTemplate, ResourceList};

/// `acc += r`, per resource (saturating).
pub fn add_into(acc: &mut ResourceList, r: &ResourceList) {
    for (k, v) in r {
        let e = acc.entry(k.clone()).or_insert(0);
        *e = e.saturating_add(*v);
    }
}

/// `acc = max(acc, r)`, per resource.
pub fn max_into(acc: &mut ResourceList, r: &ResourceList) {
    for (k, v) in r {
        let e = acc.entry(k.clone()).or_insert(0);
        *e = (*e).max(*v);
    }
}

/// Which list of a container to total.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    Requests,
    Limits,
}

impl Pick {
    fn of(self, c: &ContainerResources) -> &ResourceList {
        match self {
            Pick::Requests => &c.requests,
            Pick::Limits => &c.limits,
        }
    }
}

/// The container part of a pod's total (`AggregateContainerRequests`): the sum over regular
/// containers and sidecars, at least each init container's amount plus the sidecars started
/// before it. No overhead, no pod-level resources: what LimitRange `type: Pod` items check
/// (k8s `plugin/pkg/admission/limitranger/admission.go`, `podRequests`/`podLimits`).
pub fn containers_total(containers: &[ContainerResources], pick: Pick) -> ResourceList {
    let mut total = ResourceList::new();
    for c in containers.iter().filter(|c| !c.init) {
        add_into(&mut total, pick.of(c));
    }
    let mut sidecars = ResourceList::new();
    let mut init_max = ResourceList::new();
    for c in containers.iter().filter(|c| c.init) {
        if c.sidecar {
            add_into(&mut total, pick.of(c));
            add_into(&mut sidecars, pick.of(c));
            max_into(&mut init_max, &sidecars);
        } else {
            let mut r = pick.of(c).clone();
            add_into(&mut r, &sidecars);
            max_into(&mut init_max, &r);
        }
    }
    max_into(&mut total, &init_max);
    total
}

/// A pod's total `pick` as kube-scheduler sees it: [`containers_total`] plus the overhead, then
/// the pod-level values replacing the sums of the resources they name.
///
/// Kubernetes adds the overhead after the pod-level override; the loader has always done it
/// the other way round, and this keeps its totals (they differ only for a pod that writes both
/// `overhead` and pod-level `resources` for the same resource).
pub fn pod_total(
    containers: &[ContainerResources],
    overhead: &ResourceList,
    pod_level: &ResourceList,
    pick: Pick,
) -> ResourceList {
    let mut total = containers_total(containers, pick);
    add_into(&mut total, overhead);
    total.extend(pod_level.iter().map(|(k, v)| (k.clone(), *v)));
    total
}

/// Sets `t.requests` and `t.limits` from `t.containers`, `t.overhead` and the pod-level values.
pub fn recompute_totals(t: &mut PodTemplate) {
    t.requests = pod_total(&t.containers, &t.overhead, &t.pod_level_requests, Pick::Requests);
    t.limits = pod_total(&t.containers, &t.overhead, &t.pod_level_limits, Pick::Limits);
}

/// A pod template built in code: one container `name` with `requests` and `limits`, nothing
/// else written (no selector, tolerations or priority; a 30 s grace period), `restart_policy`
/// and `hints`.
pub fn code_template(
    name: &str,
    requests: ResourceList,
    limits: ResourceList,
    restart_policy: crate::input::spec::RestartPolicy,
    hints: crate::input::spec::SimHints,
) -> PodTemplate {
    PodTemplate {
        labels: std::collections::BTreeMap::new(),
        containers: single_container(name, &requests, &limits),
        overhead: ResourceList::new(),
        pod_level_requests: ResourceList::new(),
        pod_level_limits: ResourceList::new(),
        requests,
        limits,
        node_selector: std::collections::BTreeMap::new(),
        affinity_terms: vec![],
        tolerations: vec![],
        priority_class_name: None,
        priority: None,
        preemption_policy: None,
        restart_policy,
        termination_grace_ms: 30_000,
        scheduler_name: None,
        node_name: None,
        container_names: vec![name.to_string()],
        pod_group: None,
        hints,
    }
}

/// One regular container named `name` holding a template's totals: for templates built in
/// code (synthetic workloads, trace replay), whose totals are the whole story.
pub fn single_container(name: &str, requests: &ResourceList, limits: &ResourceList) -> Vec<ContainerResources> {
    vec![ContainerResources {
        name: name.to_string(),
        requests: requests.clone(),
        limits: limits.clone(),
        init: false,
        sidecar: false,
    }]
}

/// A LimitRange item with the API server's defaulting applied (k8s
/// `pkg/apis/core/v1/defaults.go`, `SetDefaults_LimitRangeItem`): for a Container item, a
/// resource with a `max` and no `default` gets `default = max`; one with a `default` and no
/// `defaultRequest` gets `defaultRequest = default`; then one with a `min` and still no
/// `defaultRequest` gets `defaultRequest = min`. Other kinds are unchanged. Idempotent.
pub fn limit_range_item_defaults(item: &LimitRangeItem) -> LimitRangeItem {
    let mut out = item.clone();
    if item.kind == LimitKind::Container {
        for (k, v) in &item.max {
            out.default.entry(k.clone()).or_insert(*v);
        }
        for (k, v) in &out.default {
            out.default_request.entry(k.clone()).or_insert(*v);
        }
        for (k, v) in &item.min {
            out.default_request.entry(k.clone()).or_insert(*v);
        }
    }
    out
}

// ----- object and resource names (k8s apimachinery validation, pkg/apis/core/helper) ----------

/// A DNS-1123 label: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
pub fn is_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// A DNS-1123 subdomain: labels joined by '.', at most 253 characters.
pub fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns1123_label)
}

/// apimachinery's `MaxLenError`.
fn max_len_error(n: usize) -> String {
    format!("must be no more than {n} characters")
}

/// apimachinery's `RegexError` (`msg`, the examples, the regex), as the API server words it.
fn regex_error(msg: &str, regex: &str, examples: &[&str]) -> String {
    let examples: String = examples
        .iter()
        .map(|e| format!("'{e}', "))
        .collect::<Vec<_>>()
        .join(" or ");
    format!("{msg} (e.g. {examples}regex used for validation is '{regex}')")
}

/// The messages of apimachinery's `IsDNS1035Label` for `s` (`[a-z]([-a-z0-9]*[a-z0-9])?`, at
/// most 63 characters), the length one first; empty when `s` is one.
pub fn dns1035_label_errors(s: &str) -> Vec<String> {
    let b = s.as_bytes();
    let mut errs = Vec::new();
    if b.len() > 63 {
        errs.push(max_len_error(63));
    }
    let well_formed = b.first().is_some_and(u8::is_ascii_lowercase)
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b.last() != Some(&b'-');
    if !well_formed {
        errs.push(regex_error(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an \
             alphabetic character, and end with an alphanumeric character",
            "[a-z]([-a-z0-9]*[a-z0-9])?",
            &["my-name", "abc-123"],
        ));
    }
    errs
}

/// The messages of apimachinery's `IsDNS1123Subdomain` for `s` (at most 253 characters);
/// empty when `s` is one.
pub fn dns1123_subdomain_errors(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 253 {
        errs.push(max_len_error(253));
    }
    // As kubesim's other name checks: each label at most 63 characters too.
    if !s.split('.').all(is_dns1123_label) {
        errs.push(regex_error(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' \
             or '.', and must start and end with an alphanumeric character",
            r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*",
            &["example.com"],
        ));
    }
    errs
}

/// The messages of apimachinery's `IsValidLabelValue` for `s` (at most 63 characters, empty or
/// alphanumeric at both ends with `-`, `_`, `.` inside); empty when `s` is one.
pub fn label_value_errors(s: &str) -> Vec<String> {
    let b = s.as_bytes();
    let mut errs = Vec::new();
    if b.len() > 63 {
        errs.push(max_len_error(63));
    }
    let well_formed = b.is_empty()
        || (b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.')));
    if !well_formed {
        errs.push(regex_error(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or \
             '.', and must start and end with an alphanumeric character",
            "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?",
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

/// A Kubernetes qualified name: an optional DNS-1123 subdomain prefix and `/`, then a name of
/// at most 63 characters of `[A-Za-z0-9-_.]`, starting and ending alphanumeric.
pub fn is_qualified_name(s: &str) -> bool {
    let (prefix, name) = match s.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, s),
    };
    let name_ok = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name.as_bytes()[name.len() - 1].is_ascii_alphanumeric();
    let prefix_ok = prefix.is_none_or(is_dns1123_subdomain);
    name_ok && prefix_ok
}

/// `IsNativeResource`: unprefixed, or prefixed with `kubernetes.io/`.
pub fn is_native(name: &str) -> bool {
    !name.contains('/') || name.contains("kubernetes.io/")
}

/// `IsExtendedResourceName`: not native, not a `requests.` quota name, and still a qualified
/// name with `requests.` in front.
pub fn is_extended(name: &str) -> bool {
    !is_native(name) && !name.starts_with("requests.") && is_qualified_name(&format!("requests.{name}"))
}

/// Resources that may be overcommitted (request below limit): native ones except hugepages.
pub fn overcommit_allowed(name: &str) -> bool {
    is_native(name) && !name.starts_with("hugepages-")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rl(v: &[(&str, i64)]) -> ResourceList {
        v.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    fn c(name: &str, req: &[(&str, i64)], init: bool, sidecar: bool) -> ContainerResources {
        ContainerResources {
            name: name.into(),
            requests: rl(req),
            limits: ResourceList::new(),
            init,
            sidecar,
        }
    }

    #[test]
    fn sidecars_add_and_init_containers_take_the_max() {
        // Regular 1 + 2 = 3 cpu; sidecar 0.5 adds (3.5); the init container after the sidecar
        // needs 4 + 0.5 = 4.5 > 3.5, so it wins. Memory: 1Gi + sidecar 1Gi = 2Gi vs init 0.
        let cs = vec![
            c("a", &[("cpu", 1_000), ("memory", 1 << 30)], false, false),
            c("b", &[("cpu", 2_000)], false, false),
            c("side", &[("cpu", 500), ("memory", 1 << 30)], true, true),
            c("init", &[("cpu", 4_000)], true, false),
        ];
        assert_eq!(
            containers_total(&cs, Pick::Requests),
            rl(&[("cpu", 4_500), ("memory", 2 << 30)])
        );
        let total = pod_total(&cs, &rl(&[("cpu", 250)]), &rl(&[("memory", 8 << 30)]), Pick::Requests);
        assert_eq!(total, rl(&[("cpu", 4_750), ("memory", 8 << 30)]));
        assert!(containers_total(&cs, Pick::Limits).is_empty());
    }

    #[test]
    fn limit_range_items_default_from_max_then_default_then_min() {
        let item = LimitRangeItem {
            kind: LimitKind::Container,
            max: rl(&[("cpu", 4_000), ("nvidia.com/gpu", 8_000)]),
            min: rl(&[("cpu", 1_000), ("memory", 1 << 30)]),
            default: rl(&[("cpu", 2_000)]),
            default_request: ResourceList::new(),
            max_limit_request_ratio: ResourceList::new(),
        };
        let d = limit_range_item_defaults(&item);
        assert_eq!(d.default, rl(&[("cpu", 2_000), ("nvidia.com/gpu", 8_000)]));
        assert_eq!(
            d.default_request,
            rl(&[("cpu", 2_000), ("memory", 1 << 30), ("nvidia.com/gpu", 8_000)])
        );
        assert_eq!(limit_range_item_defaults(&d), d, "idempotent");
        let pod = LimitRangeItem {
            kind: LimitKind::Pod,
            ..item.clone()
        };
        assert_eq!(limit_range_item_defaults(&pod), pod);
    }
}
