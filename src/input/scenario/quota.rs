//! Conversion of v1 LimitRange and v1 ResourceQuota objects into `spec` types, with the API
//! server's defaulting of LimitRange items (`crate::input::resources::limit_range_item_defaults`) and
//! the validation it does on create (k8s `pkg/apis/core/validation/validation.go`:
//! `ValidateLimitRange`, `validateContainerResourceName`, `ValidateResourceQuota`,
//! `ValidateResourceQuotaResourceName`, `ValidateResourceQuantityValue`; names from
//! `pkg/apis/core/helper/helpers.go`: `IsStandardQuotaResourceName`, `IsExtendedResourceName`,
//! `IsIntegerResourceName`, `IsOvercommitAllowed`). Each error names the field, says what the
//! API server would say, and how to fix it.
//!
//! As in Kubernetes, a quota may name resources no pod is charged for: `limits.nvidia.com/gpu`
//! (extended resources are only counted as `requests.<name>`), `services`, `count/secrets`;
//! they load and constrain nothing. Deliberate differences: ResourceQuota `scopes` and
//! `scopeSelector` are rejected (scoped quotas are not simulated), and so are LimitRange items
//! of a custom, fully qualified `type` (the LimitRanger plugin ignores them).

use super::k8s::OBJECT_FIELDS;
use super::view::{F, Obj, Res, err_at};
use crate::error::{cut, quote};
use crate::input::quantity::{format_quantity, quota_unit_resource};
use crate::input::resources::{
    is_extended, is_native, is_qualified_name, limit_range_item_defaults, overcommit_allowed,
};
use crate::input::spec::{LimitKind, LimitRangeItem, LimitRangeSpec, ResourceList, ResourceQuotaSpec, SourceLoc};

// ----- resource names (pkg/apis/core/helper/helpers.go) ---------------------------------------

/// `IsStandardContainerResourceName`.
fn is_standard_container_resource(name: &str) -> bool {
    matches!(name, "cpu" | "memory" | "ephemeral-storage") || name.starts_with("hugepages-")
}

/// `IsStandardResourceName` (the names a PersistentVolumeClaim item may bound, among others).
fn is_standard_resource(name: &str) -> bool {
    matches!(
        name,
        "cpu"
            | "memory"
            | "ephemeral-storage"
            | "storage"
            | "pods"
            | "requests.cpu"
            | "requests.memory"
            | "requests.ephemeral-storage"
            | "requests.storage"
            | "limits.cpu"
            | "limits.memory"
            | "limits.ephemeral-storage"
    ) || name.starts_with("hugepages-")
        || name.starts_with("requests.hugepages-")
}

/// `IsStandardQuotaResourceName`.
fn is_standard_quota_resource(name: &str) -> bool {
    matches!(
        name,
        "cpu"
            | "memory"
            | "ephemeral-storage"
            | "requests.cpu"
            | "requests.memory"
            | "requests.storage"
            | "requests.ephemeral-storage"
            | "limits.cpu"
            | "limits.memory"
            | "limits.ephemeral-storage"
            | "pods"
            | "services"
            | "replicationcontrollers"
            | "resourcequotas"
            | "secrets"
            | "persistentvolumeclaims"
            | "configmaps"
            | "services.nodeports"
            | "services.loadbalancers"
    ) || name.starts_with("hugepages-")
        || name.starts_with("requests.hugepages-")
}

/// `IsIntegerResourceName`: object counts and extended resources.
fn is_integer_resource(name: &str) -> bool {
    matches!(
        name,
        "pods"
            | "services"
            | "replicationcontrollers"
            | "resourcequotas"
            | "secrets"
            | "configmaps"
            | "persistentvolumeclaims"
            | "services.nodeports"
            | "services.loadbalancers"
    ) || is_extended(name)
}

/// The entries of the resource-list mapping `f`, each with its field, amounts in the unit of
/// `unit(key)`, after the name check `check_name`.
fn entries<'a>(
    f: &F<'a>,
    check_name: impl Fn(&str) -> Option<(&'static str, &'static str)>,
    unit: impl Fn(&str) -> String,
) -> Res<Written<'a>> {
    let o = f.obj()?;
    let mut out = Vec::new();
    for e in o.entries {
        let vf = F {
            node: &e.value,
            path: format!("{}.{}", o.path, cut(&e.key)),
            key_pos: e.key_pos,
        };
        if let Some((message, fix)) = check_name(&e.key) {
            return Err(err_at(
                e.key_pos,
                &vf.path,
                format!("{}: {message}", quote(&e.key)),
                fix,
            ));
        }
        let v = vf.quantity(&unit(&e.key))?;
        out.push((e.key.clone(), v, vf));
    }
    Ok(out)
}

// ----- LimitRange -----------------------------------------------------------------------------

const LIMIT_ITEM_FIELDS: &[&str] = &[
    "type",
    "max",
    "min",
    "default",
    "defaultRequest",
    "maxLimitRequestRatio",
];

/// The name check of `validateLimitRangeResourceName` for items of `kind`.
fn limit_resource_name(kind: LimitKind, name: &str) -> Option<(&'static str, &'static str)> {
    if !is_qualified_name(name) {
        return Some((
            "not a valid resource name",
            "write a resource name such as cpu, memory or nvidia.com/gpu",
        ));
    }
    match kind {
        LimitKind::Container | LimitKind::Pod if !name.contains('/') => (!is_standard_container_resource(name))
            .then_some((
                "must be a standard resource for containers",
                "bound cpu, memory, ephemeral-storage, hugepages-<size> or an extended resource such as \
                 nvidia.com/gpu",
            )),
        LimitKind::Container | LimitKind::Pod => (!is_native(name) && !is_extended(name)).then_some((
            "doesn't follow extended resource name standard",
            "name an extended resource as <domain>/<name>, e.g. nvidia.com/gpu (not requests.<...>)",
        )),
        LimitKind::PersistentVolumeClaim => (!name.contains('/') && !is_standard_resource(name))
            .then_some(("must be a standard resource type or fully qualified", "bound storage")),
    }
}

/// A resource list as written: name, amount, and the field of the amount.
type Written<'a> = Vec<(String, i64, F<'a>)>;

/// The lists of one item as written, with their fields (for blame).
struct ItemLists<'a> {
    item: F<'a>,
    max: Written<'a>,
    min: Written<'a>,
    default: Written<'a>,
    default_request: Written<'a>,
    ratio: Written<'a>,
}

fn to_list(v: &[(String, i64, F)]) -> ResourceList {
    v.iter().map(|(k, q, _)| (k.clone(), *q)).collect()
}

/// The field of `key` in the list `field` (`max`, `default`, ...) if written; else the written
/// field its value was defaulted from, with a note saying so.
fn blame<'a>(lists: &ItemLists<'a>, field: &str, key: &str) -> (F<'a>, String) {
    let find = |list: &[(String, i64, F<'a>)]| list.iter().find(|(k, _, _)| k == key).map(|(_, _, f)| f.clone());
    let written = match field {
        "max" => &lists.max,
        "min" => &lists.min,
        "default" => &lists.default,
        "defaultRequest" => &lists.default_request,
        _ => &lists.ratio,
    };
    if let Some(f) = find(written) {
        return (f, String::new());
    }
    // SetDefaults_LimitRangeItem: default <- max; defaultRequest <- default (<- max), else min.
    let sources: &[(&str, &Written<'a>)] = match field {
        "default" => &[("max", &lists.max)],
        _ => &[("default", &lists.default), ("max", &lists.max), ("min", &lists.min)],
    };
    for (name, list) in sources {
        if let Some(f) = find(list) {
            return (
                f,
                format!(" ({field}.{key} is not written: the API server set it from {name}.{key})"),
            );
        }
    }
    (lists.item.clone(), String::new())
}

/// `ValidateLimitRange`'s checks of one (defaulted) item, the first failure as an error.
fn check_item(lists: &ItemLists, item: &LimitRangeItem) -> Res<()> {
    let mut keys: Vec<&String> = item
        .max
        .keys()
        .chain(item.min.keys())
        .chain(item.default.keys())
        .chain(item.default_request.keys())
        .chain(item.max_limit_request_ratio.keys())
        .collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        let v = KeyValues {
            min: item.min.get(k).copied(),
            max: item.max.get(k).copied(),
            def: item.default.get(k).copied(),
            req: item.default_request.get(k).copied(),
            ratio: item.max_limit_request_ratio.get(k).copied(),
        };
        check_order(lists, k, &v)?;
        check_ratio(lists, k, &v)?;
        check_overcommit(lists, k, &v)?;
    }
    Ok(())
}

/// One resource's values in a LimitRange item (after the API server's defaulting).
struct KeyValues {
    min: Option<i64>,
    max: Option<i64>,
    def: Option<i64>,
    req: Option<i64>,
    ratio: Option<i64>,
}

/// The error `message` (and `fix`) for `field.key` of an item, at the field it comes from.
fn fail(lists: &ItemLists, field: &str, key: &str, message: String, fix: &str) -> Res<()> {
    let (f, note) = blame(lists, field, key);
    Err(f.err(format!("{message}{note}"), fix))
}

/// min <= defaultRequest <= default <= max for resource `k`.
fn check_order(lists: &ItemLists, k: &str, v: &KeyValues) -> Res<()> {
    let q = |v: i64| format_quantity(k, v);
    let KeyValues { min, max, def, req, .. } = *v;
    let order_fix = "keep min <= defaultRequest <= default <= max for each resource (an unwritten \
                     default is the max, an unwritten defaultRequest the default, else the min)";
    if let (Some(mn), Some(mx)) = (min, max)
        && mn > mx
    {
        return fail(
            lists,
            "min",
            k,
            format!("min value {} is greater than max value {}", q(mn), q(mx)),
            order_fix,
        );
    }
    if let (Some(r), Some(mn)) = (req, min)
        && mn > r
    {
        let m = format!("min value {} is greater than default request value {}", q(mn), q(r));
        return fail(lists, "defaultRequest", k, m, order_fix);
    }
    if let (Some(r), Some(mx)) = (req, max)
        && r > mx
    {
        let m = format!("default request value {} is greater than max value {}", q(r), q(mx));
        return fail(lists, "defaultRequest", k, m, order_fix);
    }
    if let (Some(r), Some(d)) = (req, def)
        && r > d
    {
        let m = format!(
            "default request value {} is greater than default limit value {}",
            q(r),
            q(d)
        );
        return fail(lists, "defaultRequest", k, m, order_fix);
    }
    if let (Some(d), Some(mn)) = (def, min)
        && mn > d
    {
        let m = format!("min value {} is greater than default value {}", q(mn), q(d));
        return fail(lists, "default", k, m, order_fix);
    }
    if let (Some(d), Some(mx)) = (def, max)
        && d > mx
    {
        let m = format!("default value {} is greater than max value {}", q(d), q(mx));
        return fail(lists, "default", k, m, order_fix);
    }
    Ok(())
}

/// maxLimitRequestRatio of resource `k`: at least 1, and at most max/min.
fn check_ratio(lists: &ItemLists, k: &str, v: &KeyValues) -> Res<()> {
    let KeyValues { min, max, ratio, .. } = *v;
    let r = |v: i64| format_quantity("ratio", v);
    if let Some(ra) = ratio
        && ra < 1_000
    {
        let m = format!("ratio {} is less than 1", r(ra));
        return fail(lists, "maxLimitRequestRatio", k, m, "write a ratio of at least 1");
    }
    if let (Some(ra), Some(mn), Some(mx)) = (ratio, min, max)
        && mn > 0
        && i128::from(ra) * i128::from(mn) > i128::from(mx) * 1_000
    {
        // max/min to six decimals, rounded half up.
        let micro = (i128::from(mx) * 2_000_000 / i128::from(mn) + 1) / 2;
        let m = format!(
            "ratio {} is greater than max/min = {}.{:06}",
            r(ra),
            micro / 1_000_000,
            micro % 1_000_000
        );
        return fail(
            lists,
            "maxLimitRequestRatio",
            k,
            m,
            "lower maxLimitRequestRatio to at most max/min (no container could reach a higher ratio)",
        );
    }
    Ok(())
}

/// default equals defaultRequest for resource `k` if it cannot be overcommitted.
fn check_overcommit(lists: &ItemLists, k: &str, v: &KeyValues) -> Res<()> {
    let q = |v: i64| format_quantity(k, v);
    let KeyValues { def, req, .. } = *v;
    if !overcommit_allowed(k)
        && let (Some(d), Some(rq)) = (def, req)
        && d != rq
    {
        let m = format!(
            "default value {} must equal to defaultRequest value {} in {k}",
            q(d),
            q(rq)
        );
        return fail(
            lists,
            "defaultRequest",
            k,
            m,
            "extended resources and hugepages cannot be overcommitted: make default and defaultRequest \
             equal",
        );
    }
    Ok(())
}

/// Converts a v1 LimitRange (`doc` is the whole object).
pub(crate) fn limit_range(doc: &Obj, namespace: String, name: String, loc: &SourceLoc) -> Res<LimitRangeSpec> {
    doc.deny_unknown(OBJECT_FIELDS, "a LimitRange")?;
    let spec = doc
        .req(
            "spec",
            "add spec.limits: a list of items such as {type: Container, default: {cpu: 500m}}",
        )?
        .obj()?;
    spec.deny_unknown(&["limits"], "a LimitRange spec")?;
    let limits_f = spec.req(
        "limits",
        "add limits: a list of items such as {type: Container, max: {cpu: 2}}",
    )?;
    let mut items = Vec::new();
    let mut kinds: Vec<LimitKind> = Vec::new();
    for item_f in limits_f.seq()? {
        let o = item_f.obj()?;
        o.deny_unknown(LIMIT_ITEM_FIELDS, "a LimitRange item")?;
        let type_f = o.req("type", "add type: Container, Pod or PersistentVolumeClaim")?;
        let kind = match type_f.str()? {
            "Container" => LimitKind::Container,
            "Pod" => LimitKind::Pod,
            "PersistentVolumeClaim" => LimitKind::PersistentVolumeClaim,
            other => {
                return Err(type_f.err(
                    format!("unsupported limit type {}", quote(other)),
                    "write Container, Pod or PersistentVolumeClaim (custom limit types are not supported)",
                ));
            }
        };
        if kinds.contains(&kind) {
            return Err(type_f.err(
                format!("Duplicate value: {} (a second item of this type)", quote(type_f.str()?)),
                "merge the two items: a LimitRange has at most one item per type",
            ));
        }
        kinds.push(kind);
        let read = |key: &str, unit: &dyn Fn(&str) -> String| -> Res<Written> {
            match o.get(key) {
                None => Ok(Vec::new()),
                Some(f) => entries(&f, |n| limit_resource_name(kind, n), unit),
            }
        };
        let same = |k: &str| k.to_string();
        let lists = ItemLists {
            item: item_f.clone(),
            max: read("max", &same)?,
            min: read("min", &same)?,
            default: read("default", &same)?,
            default_request: read("defaultRequest", &same)?,
            // Ratios are plain numbers, kept in thousandths whatever the resource.
            ratio: read("maxLimitRequestRatio", &|k| format!("the {k} ratio"))?,
        };
        if kind == LimitKind::Pod {
            for (key, list) in [("default", &lists.default), ("defaultRequest", &lists.default_request)] {
                if !list.is_empty()
                    && let Some(f) = o.get(key)
                {
                    return Err(f.err(
                        "may not be specified when `type` is 'Pod'",
                        "move the defaults to an item of type Container (pods get no defaults of their own)",
                    ));
                }
            }
        }
        if kind == LimitKind::PersistentVolumeClaim
            && !lists.min.iter().chain(&lists.max).any(|(k, _, _)| k == "storage")
        {
            return Err(item_f.err(
                "either minimum or maximum storage value is required, but neither was provided",
                "add min or max storage, e.g. max: {storage: 100Gi}",
            ));
        }
        let written = LimitRangeItem {
            kind,
            max: to_list(&lists.max),
            min: to_list(&lists.min),
            default: to_list(&lists.default),
            default_request: to_list(&lists.default_request),
            max_limit_request_ratio: to_list(&lists.ratio),
        };
        let item = limit_range_item_defaults(&written);
        check_item(&lists, &item)?;
        items.push(item);
    }
    Ok(LimitRangeSpec {
        namespace,
        name,
        items,
        loc: loc.clone(),
    })
}

// ----- ResourceQuota --------------------------------------------------------------------------

/// The name check of `ValidateResourceQuotaResourceName`.
fn quota_resource_name(name: &str) -> Option<(&'static str, &'static str)> {
    if !is_qualified_name(name) {
        return Some((
            "not a valid quota resource name",
            "write a quota resource such as requests.cpu, limits.memory, pods, requests.nvidia.com/gpu or \
             count/jobs.batch",
        ));
    }
    (!name.contains('/') && !is_standard_quota_resource(name)).then_some((
        "must be a standard resource for quota",
        "use requests.cpu, requests.memory, limits.cpu, limits.memory, cpu, memory, pods, \
         requests.<extended resource> (e.g. requests.nvidia.com/gpu) or count/<resource>.<group> (e.g. \
         count/jobs.batch)",
    ))
}

/// Converts a v1 ResourceQuota (`doc` is the whole object).
pub(crate) fn resource_quota(doc: &Obj, namespace: String, name: String, loc: &SourceLoc) -> Res<ResourceQuotaSpec> {
    doc.deny_unknown(OBJECT_FIELDS, "a ResourceQuota")?;
    let mut hard = ResourceList::new();
    if let Some(spec) = doc.get("spec") {
        let spec = spec.obj()?;
        spec.deny_unknown(&["hard", "scopes", "scopeSelector"], "a ResourceQuota spec")?;
        for key in ["scopes", "scopeSelector"] {
            if let Some(f) = spec.get(key) {
                return Err(f.err(
                    "scoped quotas (scopes, scopeSelector) are not supported by the simulator",
                    "remove the scopes: the quota then applies to every pod of its namespace",
                ));
            }
        }
        if let Some(h) = spec.get("hard") {
            for (k, v, f) in entries(&h, quota_resource_name, |k| quota_unit_resource(k).to_string())? {
                if is_integer_resource(&k) && v % 1_000 != 0 {
                    return Err(f.err(
                        format!("{}: must be an integer", format_quantity(quota_unit_resource(&k), v)),
                        format!("write a whole number of {k}"),
                    ));
                }
                hard.insert(k, v);
            }
        }
    }
    Ok(ResourceQuotaSpec {
        namespace,
        name,
        hard,
        loc: loc.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::InputError;
    use crate::input::spec::Scenario;

    fn rl(v: &[(&str, i64)]) -> ResourceList {
        v.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    fn ok(text: &str) -> Scenario {
        super::super::load_str("t.yaml", text).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Asserts that `text` fails at `line` and `field` with `words` in the message or fix.
    #[track_caller]
    fn bad(text: &str, line: usize, field: &str, words: &[&str]) -> InputError {
        let e = match super::super::load_str("t.yaml", text) {
            Ok(_) => panic!("loaded, expected an error:\n{text}"),
            Err(e) => e,
        };
        assert_eq!((e.line, e.field.as_str()), (Some(line), field), "{e}");
        assert!(!e.fix.is_empty(), "{e}");
        let all = format!("{} {}", e.message, e.fix);
        for w in words {
            assert!(all.contains(w), "missing {w:?} in: {e}");
        }
        e
    }

    const LR: &str = "apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr, namespace: ns}\nspec:\n  limits:\n";

    #[test]
    fn limit_range_s_a2_loads_with_item_defaults() {
        // S-A2: default cpu limit 1, defaultRequest 500m, max 2.
        let sc = ok(&format!(
            "{LR}  - type: Container\n    default: {{cpu: \"1\"}}\n    defaultRequest: {{cpu: 500m}}\n    max: {{cpu: \"2\", memory: 1Gi}}\n  - type: Pod\n    max: {{cpu: \"4\"}}\n    maxLimitRequestRatio: {{memory: 1.5}}\n"
        ));
        assert!(sc.not_simulated.is_empty());
        let lr = &sc.limit_ranges[0];
        assert_eq!((lr.namespace.as_str(), lr.name.as_str(), lr.loc.line), ("ns", "lr", 1));
        let c = &lr.items[0];
        assert_eq!(c.kind, LimitKind::Container);
        // memory: default from max, defaultRequest from default.
        assert_eq!(c.default, rl(&[("cpu", 1_000), ("memory", 1 << 30)]));
        assert_eq!(c.default_request, rl(&[("cpu", 500), ("memory", 1 << 30)]));
        let p = &lr.items[1];
        assert_eq!(p.kind, LimitKind::Pod);
        assert!(
            p.default.is_empty() && p.default_request.is_empty(),
            "no defaults for Pod items"
        );
        assert_eq!(
            p.max_limit_request_ratio,
            rl(&[("memory", 1_500)]),
            "ratios in thousandths"
        );
    }

    #[test]
    fn resource_quota_amounts_in_the_unit_of_what_they_count() {
        let sc = ok(
            "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec:\n  hard:\n    requests.cpu: \"4\"\n    limits.memory: 8Gi\n    memory: 1G\n    pods: \"10\"\n    count/jobs.batch: 5\n    requests.nvidia.com/gpu: 2\n    limits.nvidia.com/gpu: 2\n    services: 1\n",
        );
        let q = &sc.resource_quotas[0];
        assert_eq!((q.namespace.as_str(), q.name.as_str()), ("default", "q"));
        assert_eq!(
            q.hard,
            rl(&[
                ("requests.cpu", 4_000),
                ("limits.memory", 8 << 30),
                ("memory", 1_000_000_000),
                ("pods", 10_000),
                ("count/jobs.batch", 5_000),
                ("requests.nvidia.com/gpu", 2_000),
                ("limits.nvidia.com/gpu", 2_000),
                ("services", 1_000),
            ])
        );
        // No spec: a quota on nothing.
        let sc = ok(
            "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: a}\n---\napiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: b}\n",
        );
        assert_eq!(sc.resource_quotas.len(), 2);
        assert!(sc.resource_quotas[1].hard.is_empty());
    }

    #[test]
    fn limit_range_errors_name_the_field() {
        let item = |body: &str| format!("{LR}  - type: Container\n{body}");
        bad(
            &item("    min: {cpu: \"2\"}\n    max: {cpu: \"1\"}\n"),
            7,
            "spec.limits[0].min.cpu",
            &[
                "min value 2 is greater than max value 1",
                "min <= defaultRequest <= default <= max",
            ],
        );
        bad(
            &item("    default: {cpu: 500m}\n    defaultRequest: {cpu: 800m}\n"),
            8,
            "spec.limits[0].defaultRequest.cpu",
            &["default request value 800m is greater than default limit value 500m"],
        );
        // A defaulted value is blamed on the field it came from, saying so.
        bad(
            &item("    default: {cpu: \"3\"}\n    max: {cpu: \"2\"}\n"),
            7,
            "spec.limits[0].default.cpu",
            &[
                "default request value 3 is greater than max value 2",
                "defaultRequest.cpu is not written: the API server set it from default.cpu",
            ],
        );
        let e = bad(
            &item("    min: {memory: 2Gi}\n    default: {memory: 1Gi}\n"),
            8,
            "spec.limits[0].default.memory",
            &["min value 2Gi is greater than default request value 1Gi"],
        );
        assert_eq!(e.column, Some(23));
        bad(
            &item("    maxLimitRequestRatio: {cpu: 500m}\n"),
            7,
            "spec.limits[0].maxLimitRequestRatio.cpu",
            &["ratio 500m is less than 1"],
        );
        bad(
            &item("    min: {memory: 1Gi}\n    max: {memory: 2Gi}\n    maxLimitRequestRatio: {memory: 4}\n"),
            9,
            "spec.limits[0].maxLimitRequestRatio.memory",
            &["ratio 4 is greater than max/min = 2.000000"],
        );
        bad(
            &item("    default: {nvidia.com/gpu: 2}\n    defaultRequest: {nvidia.com/gpu: 1}\n"),
            8,
            "spec.limits[0].defaultRequest.nvidia.com/gpu",
            &["default value 2 must equal to defaultRequest value 1 in nvidia.com/gpu"],
        );
        bad(
            &item("    max: {requests.cpu: 1}\n"),
            7,
            "spec.limits[0].max.requests.cpu",
            &["must be a standard resource for containers"],
        );
        bad(
            &item("    max: {cpu: 1, cpu2: 1}\n"),
            7,
            "spec.limits[0].max.cpu2",
            &["must be a standard resource"],
        );
        bad(
            &format!("{LR}  - type: Pod\n    default: {{cpu: 1}}\n"),
            7,
            "spec.limits[0].default",
            &["may not be specified when `type` is 'Pod'"],
        );
        bad(
            &format!("{LR}  - type: Pod\n  - type: Pod\n"),
            7,
            "spec.limits[1].type",
            &["Duplicate value"],
        );
        bad(
            &format!("{LR}  - type: example.com/x\n"),
            6,
            "spec.limits[0].type",
            &["unsupported limit type"],
        );
        bad(
            &format!("{LR}  - type: PersistentVolumeClaim\n    max: {{cpu: 1}}\n"),
            6,
            "spec.limits[0]",
            &["either minimum or maximum storage value is required"],
        );
        bad(
            &item("    mx: {cpu: 1}\n"),
            7,
            "spec.limits[0].mx",
            &["did you mean `max`"],
        );
        bad(
            "apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr}\nspec: {}\n",
            4,
            "spec.limits",
            &["add limits"],
        );
    }

    #[test]
    fn resource_quota_errors_name_the_field() {
        let q = |hard: &str| {
            format!("apiVersion: v1\nkind: ResourceQuota\nmetadata: {{name: q}}\nspec:\n  hard:\n    {hard}\n")
        };
        bad(
            &q("request.cpu: 1"),
            6,
            "spec.hard.request.cpu",
            &["must be a standard resource for quota", "requests.cpu"],
        );
        bad(
            &q("gpus: 1"),
            6,
            "spec.hard.gpus",
            &["must be a standard resource for quota"],
        );
        bad(&q("pods: 1.5"), 6, "spec.hard.pods", &["1500m: must be an integer"]);
        bad(
            &q("count/jobs.batch: 500m"),
            6,
            "spec.hard.count/jobs.batch",
            &["must be an integer"],
        );
        bad(
            &q("requests.memory: lots"),
            6,
            "spec.hard.requests.memory",
            &["invalid quantity"],
        );
        bad(
            "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec:\n  scopes: [BestEffort]\n",
            5,
            "spec.scopes",
            &["not supported", "remove the scopes"],
        );
        bad(
            "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec:\n  hrad: {pods: 1}\n",
            5,
            "spec.hrad",
            &["did you mean `hard`"],
        );
        bad(
            "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\n---\napiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\n",
            7,
            "metadata.name",
            &["a second ResourceQuota named \"default/q\""],
        );
    }

    #[test]
    fn resource_name_classes() {
        assert!(is_extended("nvidia.com/gpu"));
        assert!(is_extended("limits.nvidia.com/gpu"), "as the API server classifies it");
        assert!(is_extended("count/jobs.batch"));
        assert!(!is_extended("requests.nvidia.com/gpu"));
        assert!(!is_extended("cpu"));
        assert!(!is_extended("kubernetes.io/foo"));
        assert!(overcommit_allowed("cpu") && overcommit_allowed("memory"));
        assert!(!overcommit_allowed("nvidia.com/gpu") && !overcommit_allowed("hugepages-2Mi"));
        assert!(is_qualified_name("requests.nvidia.com/gpu"));
        assert!(!is_qualified_name("a/b/c") && !is_qualified_name("Nvidia.com/gpu") && !is_qualified_name(""));
        assert!(is_integer_resource("pods") && !is_integer_resource("requests.nvidia.com/gpu"));
    }
}
