//! Conversion of the kubesim objects (`kubesim.io/v1alpha1` Simulation, NodePool, Arrivals,
//! Trace, FaultModel) from the YAML tree into `spec` types. Their specs are strict: an unknown field is an error
//! that lists the allowed ones, since every field here changes what is simulated.
//!
//! This module owns the Simulation, NodePool and FaultModel objects and the template-kind check;
//! `arrivals` converts Arrivals objects (their template, pattern and distributions), `trace`
//! Trace objects (the trace read, its template and node list, compacted to shapes).

use super::k8s::{self, opt};
use super::view::{Error, F, Obj, Res};

use crate::error::quote;
use crate::input::spec::{FaultModelSpec, Latencies, NodeSpec, Outage, ScriptedTaint, SimulationSpec, SourceLoc};

use crate::limits::MAX_HORIZON_MS;
pub use crate::limits::{MAX_ARRIVALS, MAX_LIST_ENTRIES, MAX_NODES, MAX_TRACE_JOBS};

mod arrivals;
mod defaults;
mod trace;

pub(crate) use arrivals::arrivals;
pub(crate) use trace::trace;

const KUBESIM_OBJECT_FIELDS: &[&str] = &["apiVersion", "kind", "metadata", "spec"];

/// A Simulation spec, with the position of `policies` kept to check the names once every file
/// is loaded (they may name SchedulerPolicy objects).
pub(crate) struct Simulation {
    pub spec: SimulationSpec,
    /// Each policy name with its field (for the error).
    pub policy_fields: Vec<(String, Error)>,
}

pub(crate) fn simulation(doc: &Obj) -> Res<Simulation> {
    doc.deny_unknown(KUBESIM_OBJECT_FIELDS, "a Simulation")?;
    let mut out = SimulationSpec::default();
    let mut policy_fields = Vec::new();
    let Some(spec) = doc.get("spec") else {
        return Ok(Simulation {
            spec: out,
            policy_fields,
        });
    };
    let spec = spec.obj()?;
    spec.deny_unknown(
        &[
            "seed",
            "horizon",
            "startTime",
            "policies",
            "latencies",
            "maxEvents",
            "defaultDuration",
            "clientRateLimits",
            "kubeSchedulerThroughput",
        ],
        "a Simulation spec",
    )?;
    if let Some(f) = spec.get("seed") {
        out.seed = f.int_in(0, i128::from(u64::MAX))? as u64;
    }
    if let Some(f) = spec.get("horizon") {
        let h = f.duration_ms_within(MAX_HORIZON_MS)?;
        if h == 0 {
            return Err(f.err(
                "the horizon is zero: nothing would be simulated",
                "write a positive duration such as 12h, or remove horizon to run until no event \
                 is left",
            ));
        }
        out.horizon_ms = Some(h);
    }
    if let Some(f) = spec.get("startTime") {
        let s = f.str()?;
        if !is_rfc3339(s) {
            return Err(f.err(
                format!("{} is not an RFC 3339 time", quote(s)),
                "write a time such as 2026-01-05T00:00:00Z",
            ));
        }
        out.start_time = s.to_string();
    }
    if let Some(f) = spec.get("policies") {
        out.policies_line = f.err("", "").line;
        let items = f.seq()?;
        if items.is_empty() {
            return Err(f.err(
                "no policy listed",
                format!(
                    "list at least one policy: {}, or the name of a SchedulerPolicy object",
                    crate::policy::names().join(", ")
                ),
            ));
        }
        let mut names: Vec<String> = Vec::new();
        for item in items {
            let name = item.name()?;
            if names.contains(&name) {
                return Err(item.err(
                    format!("policy {} is listed twice", quote(&name)),
                    "list each policy once",
                ));
            }
            let unknown = item.err(
                format!("unknown policy {}", quote(&name)),
                format!(
                    "use a built-in policy ({}) or the name of a SchedulerPolicy object",
                    crate::policy::names().join(", ")
                ),
            );
            policy_fields.push((name.clone(), unknown));
            names.push(name);
        }
        out.policies = names;
    }
    if let Some(f) = spec.get("latencies") {
        out.latencies = latencies(&f)?;
    }
    if let Some(f) = spec.get("defaultDuration") {
        out.default_durations = defaults::default_durations(&f)?;
    }
    if let Some(f) = spec.get("clientRateLimits") {
        out.client_limits = client_limits(&f)?;
    }
    if let Some(f) = spec.get("kubeSchedulerThroughput") {
        out.kube_scheduler_throughput_milli = Some(rate_milli(
            &f,
            "write the pods kube-scheduler attempts a second, from 0.001 to 1000000 (e.g. 680), or \
             remove it for attempts that take no time",
        )?);
    }
    if let Some(f) = spec.get("maxEvents") {
        out.max_events_line = f.err("", "").line;
        out.max_events = f.int_in(1, i128::from(u64::MAX))? as u64;
    }
    Ok(Simulation {
        spec: out,
        policy_fields,
    })
}

/// `clientRateLimits: {enabled, kueue, kube-controller-manager, kube-scheduler,
/// volcano-scheduler, volcano-controller-manager}`, each client `{qps, burst}`.
fn client_limits(f: &F) -> Res<crate::input::spec::ClientLimits> {
    let o = f.obj()?;
    o.deny_unknown(
        &[
            "enabled",
            "kueue",
            "kube-controller-manager",
            "kube-scheduler",
            "volcano-scheduler",
            "volcano-controller-manager",
        ],
        "clientRateLimits",
    )?;
    let mut out = crate::input::spec::ClientLimits::default();
    if let Some(e) = o.get("enabled") {
        out.enabled = e.bool()?;
    }
    if let Some(k) = o.get("kueue") {
        (out.kueue, out.kueue_per_kind) = kueue_client_limit(&k)?;
    }
    if let Some(k) = o.get("kube-controller-manager") {
        out.kube_controller_manager = client_limit(&k)?;
    }
    if let Some(k) = o.get("kube-scheduler") {
        out.kube_scheduler = client_limit(&k)?;
    }
    if let Some(k) = o.get("volcano-scheduler") {
        out.volcano_scheduler = client_limit(&k)?;
    }
    if let Some(k) = o.get("volcano-controller-manager") {
        out.volcano_controller_manager = client_limit(&k)?;
    }
    Ok(out)
}

/// Kueue's `{qps, burst, perKind}`: a client limit, and whether each kind has its own bucket.
fn kueue_client_limit(f: &F) -> Res<(crate::rate::ClientLimit, bool)> {
    let o = f.obj()?;
    o.deny_unknown(&["qps", "burst", "perKind"], "Kueue's client limit")?;
    let per_kind = match o.get("perKind") {
        Some(p) => p.bool()?,
        None => false,
    };
    Ok((client_limit_fields(f)?, per_kind))
}

/// One client's `{qps, burst}`: qps > 0 (up to 1,000,000, in thousandths), burst 1 to
/// 1,000,000.
fn client_limit(f: &F) -> Res<crate::rate::ClientLimit> {
    f.obj()?.deny_unknown(&["qps", "burst"], "a client limit")?;
    client_limit_fields(f)
}

/// The `qps` and `burst` of a client limit object.
fn client_limit_fields(f: &F) -> Res<crate::rate::ClientLimit> {
    let o = f.obj()?;
    let qps_f = o.req("qps", "add qps: the requests per second the client may send, e.g. 50")?;
    let qps_milli = rate_milli(
        &qps_f,
        "write a rate from 0.001 to 1000000 requests per second (set enabled: false to turn limits off)",
    )?;
    let burst = o
        .req(
            "burst",
            "add burst: how many requests the client may send at once, e.g. 100",
        )?
        .bounded(1, 1_000_000, "requests at once", "write a burst from 1 to 1000000")?;
    Ok(crate::rate::ClientLimit {
        qps_milli,
        burst: burst as u64,
    })
}

/// A rate a second from 0.001 to 1,000,000, in thousandths.
fn rate_milli(f: &F, fix: &str) -> Res<u64> {
    let v = f.f64()?;
    let milli = (v * 1000.0).round();
    if !(1.0..=1e9).contains(&milli) {
        return Err(f.err(format!("{v} is out of range"), fix));
    }
    Ok(milli as u64)
}

const LATENCY_KEYS: &[&str] = &[
    "jobSyncBatch",
    "jobPodFailureBackoff",
    "jobPodFailureBackoffMax",
    "kubeletRestartBackoff",
    "kubeletRestartBackoffMax",
    "kubeletRestartBackoffReset",
    "podInitialBackoff",
    "podMaxBackoff",
    "unschedulableFlushPeriod",
    "podMaxInUnschedulablePods",
    "backoffFlushPeriod",
    "popFromBackoffQ",
    "watch",
    "kueueRequeueBatch",
];

fn latencies(f: &F) -> Res<Latencies> {
    let o = f.obj()?;
    if let Some(old) = o.get("kueuePodsReadyTimeout") {
        return Err(old.err(
            "latencies.kueuePodsReadyTimeout was replaced by Kueue's own Configuration object",
            "remove it and add a document `apiVersion: config.kueue.x-k8s.io/v1beta2`, `kind: Configuration`, \
             `waitForPodsReady: {timeout: 30m}` (or, to turn waitForPodsReady off, \
             `featureGates: {DisableWaitForPodsReady: true}`); see docs/scenario.md",
        ));
    }
    o.deny_unknown(LATENCY_KEYS, "latencies")?;
    let mut l = Latencies::default();
    for e in o.entries {
        let Some(v) = o.get(&e.key) else { continue };
        let slot = match e.key.as_str() {
            "popFromBackoffQ" => {
                l.pop_from_backoff_q = v.bool()?;
                continue;
            }
            "jobSyncBatch" => &mut l.job_sync_batch_ms,
            "jobPodFailureBackoff" => &mut l.job_pod_failure_backoff_ms,
            "jobPodFailureBackoffMax" => &mut l.job_pod_failure_backoff_max_ms,
            "kubeletRestartBackoff" => &mut l.kubelet_backoff_ms,
            "kubeletRestartBackoffMax" => &mut l.kubelet_backoff_max_ms,
            "kubeletRestartBackoffReset" => &mut l.kubelet_backoff_reset_ms,
            "podInitialBackoff" => &mut l.pod_initial_backoff_ms,
            "podMaxBackoff" => &mut l.pod_max_backoff_ms,
            "unschedulableFlushPeriod" => &mut l.unschedulable_flush_period_ms,
            "podMaxInUnschedulablePods" => &mut l.pod_max_in_unschedulable_ms,
            "backoffFlushPeriod" => &mut l.backoff_flush_period_ms,
            "watch" => &mut l.watch_ms,
            "kueueRequeueBatch" => &mut l.kueue_requeue_batch_ms,
            _ => unreachable!("checked by deny_unknown"),
        };
        *slot = v.duration_ms()?;
    }
    let pairs = [
        (
            "jobPodFailureBackoff",
            "jobPodFailureBackoffMax",
            l.job_pod_failure_backoff_ms,
            l.job_pod_failure_backoff_max_ms,
        ),
        (
            "kubeletRestartBackoff",
            "kubeletRestartBackoffMax",
            l.kubelet_backoff_ms,
            l.kubelet_backoff_max_ms,
        ),
        (
            "podInitialBackoff",
            "podMaxBackoff",
            l.pod_initial_backoff_ms,
            l.pod_max_backoff_ms,
        ),
    ];
    for (base, max, b, m) in pairs {
        if b > m {
            return Err(f.err(
                format!("{base} is larger than {max}"),
                format!("make {base} at most {max}"),
            ));
        }
    }
    Ok(l)
}

/// A NodePool: the template node (named after the template) and the count.
pub(crate) struct NodePool {
    pub template: NodeSpec,
    pub count: u64,
    /// The `spec.count` field, blamed when the node limit is exceeded.
    pub count_err: Error,
}

pub(crate) fn node_pool(doc: &Obj, pool_name: &str, loc: &SourceLoc) -> Res<NodePool> {
    doc.deny_unknown(KUBESIM_OBJECT_FIELDS, "a NodePool")?;
    let spec = doc.req("spec", "add spec: {count: 4, template: <a Node>}")?.obj()?;
    spec.deny_unknown(&["count", "template"], "a NodePool spec")?;
    let count_f = spec.req("count", "add count: the number of nodes in the pool")?;
    let count = count_f.bounded(1, i128::from(MAX_NODES), "nodes in a scenario", "use fewer nodes")? as u64;
    let t = spec.req(
        "template",
        "add template: a v1 Node object (apiVersion, kind, metadata, status)",
    )?;
    let t_obj = t.obj()?;
    check_template_kind(&t_obj, &[("v1", "Node")])?;
    let mut template = k8s::node(&t_obj, loc, false)?;
    if template.name.is_empty() {
        template.name = pool_name.to_string();
    }
    let count_err = count_f.err(
        format!("the scenario has more than {MAX_NODES} nodes"),
        format!("keep the total number of nodes at most {MAX_NODES}"),
    );
    Ok(NodePool {
        template,
        count,
        count_err,
    })
}

/// Checks a template's `apiVersion`/`kind` against `allowed`; returns the matching index.
/// Absent both, the first allowed kind is assumed.
fn check_template_kind(t: &Obj, allowed: &[(&str, &str)]) -> Res<usize> {
    let api = opt(t.get("apiVersion"), |f| f.string())?;
    let kind = opt(t.get("kind"), |f| f.string())?;
    let list = allowed
        .iter()
        .map(|(a, k)| format!("{a} {k}"))
        .collect::<Vec<_>>()
        .join(", ");
    match (api, kind) {
        (None, None) if allowed.len() == 1 => Ok(0),
        (Some(a), Some(k)) => allowed.iter().position(|(aa, kk)| *aa == a && *kk == k).ok_or_else(|| {
            t.get("kind").expect("kind present").err(
                format!("a template of {} is not supported here", quote(&format!("{a} {k}"))),
                format!("use one of: {list}"),
            )
        }),
        _ => Err(t.missing(
            if t.has("apiVersion") { "kind" } else { "apiVersion" },
            &format!("give the template apiVersion and kind, one of: {list}"),
        )),
    }
}

/// Checks an RFC 3339 date-time (`2026-01-05T00:00:00Z`, `2026-01-05T09:30:00.5+01:00`).
fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(se)) =
        (num(0..4), num(5..7), num(8..10), num(11..13), num(14..16), num(17..19))
    else {
        return false;
    };
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
        return false;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if d == 0 || d > days || h > 23 || mi > 59 || se > 60 {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest {
        "Z" | "z" => true,
        off if off.len() == 6 && (off.starts_with('+') || off.starts_with('-')) => {
            let oh = off[1..3].parse::<u32>();
            let om = off[4..6].parse::<u32>();
            off.as_bytes()[3] == b':'
                && off[1..3].bytes().all(|c| c.is_ascii_digit())
                && off[4..6].bytes().all(|c| c.is_ascii_digit())
                && matches!((oh, om), (Ok(h), Ok(m)) if h < 24 && m < 60)
        }
        _ => false,
    }
}

/// A FaultModel object: random node failures (`mtbf`, `mttr`, exponential, drawn per node
/// from the run's seed), scripted `outages`, and scripted `taints` (added at a time, removed
/// after `for` if given).
pub(crate) fn fault_model(doc: &Obj, name: &str, loc: &SourceLoc) -> Res<FaultModelSpec> {
    doc.deny_unknown(KUBESIM_OBJECT_FIELDS, "a FaultModel")?;
    let spec = doc
        .req(
            "spec",
            "add spec: {mtbf: 30d, mttr: 2h} and/or outages: [{node, at, for}]",
        )?
        .obj()?;
    spec.deny_unknown(
        &["mtbf", "mttr", "nodeSelector", "outages", "taints"],
        "a FaultModel spec",
    )?;
    let mtbf_ms = opt(spec.get("mtbf"), |f| f.duration_ms())?;
    if let (Some(0), Some(f)) = (mtbf_ms, spec.get("mtbf")) {
        return Err(f.err(
            "mtbf must be positive",
            "write a mean time between failures such as 30d",
        ));
    }
    let mttr_ms = opt(spec.get("mttr"), |f| f.duration_ms())?;
    if mtbf_ms.is_some() && mttr_ms.is_none() {
        return Err(spec.missing("mttr", "add mttr: the mean time to repair a failed node, e.g. 2h"));
    }
    let node_selector = opt(spec.get("nodeSelector"), |f| f.string_map())?.unwrap_or_default();
    let mut outages = Vec::new();
    if let Some(list) = spec.get("outages") {
        for o in list.seq()? {
            let obj = o.obj()?;
            obj.deny_unknown(&["node", "at", "for"], "an outage")?;
            outages.push(Outage {
                node: obj.req("node", "name the node that fails")?.name()?,
                at_ms: obj.req("at", "add at: when the node fails, e.g. 2h")?.duration_ms()?,
                for_ms: opt(obj.get("for"), |f| f.duration_ms())?,
            });
        }
    }
    let mut taints = Vec::new();
    if let Some(list) = spec.get("taints") {
        for t in list.seq()? {
            let obj = t.obj()?;
            obj.deny_unknown(&["node", "at", "for", "key", "value", "effect"], "a scripted taint")?;
            taints.push(ScriptedTaint {
                node: obj.req("node", "name the node to taint")?.name()?,
                at_ms: obj.req("at", "add at: when the taint is added")?.duration_ms()?,
                for_ms: opt(obj.get("for"), |f| f.duration_ms())?,
                taint: crate::input::spec::Taint {
                    key: obj.req("key", "give the taint a key")?.name()?,
                    value: opt(obj.get("value"), |f| f.string())?.unwrap_or_default(),
                    effect: k8s::taint_effect(&obj.req("effect", "add effect: NoSchedule or NoExecute")?)?,
                },
            });
        }
    }
    Ok(FaultModelSpec {
        name: name.to_string(),
        mtbf_ms,
        mttr_ms: mttr_ms.unwrap_or(0),
        node_selector,
        outages,
        taints,
        loc: loc.clone(),
    })
}
