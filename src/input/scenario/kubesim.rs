//! Conversion of the kubesim objects (`kubesim.io/v1alpha1` Simulation, NodePool, Arrivals,
//! Trace)
//! from the YAML tree into `spec` types. Their specs are strict: an unknown field is an error
//! that lists the allowed ones, since every field here changes what is simulated.

use super::k8s::{self, opt};
use super::view::{Error, F, Obj, Res};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{InputError, quote};
use crate::input::spec::{
    ArrivalPattern, ArrivalTemplate, ArrivalsSpec, DurationDist, FailureDist, FaultModelSpec, Latencies, NodeSpec,
    Outage, ReplayJob, ScriptedTaint, SimulationSpec, SourceLoc, TraceShape, TraceSpec,
};

use crate::limits::MAX_HORIZON_MS;
pub use crate::limits::{MAX_ARRIVALS, MAX_LIST_ENTRIES, MAX_NODES, MAX_TRACE_JOBS};

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
        &["seed", "horizon", "startTime", "policies", "latencies", "maxEvents"],
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
    if let Some(f) = spec.get("maxEvents") {
        out.max_events_line = f.err("", "").line;
        out.max_events = f.int_in(1, i128::from(u64::MAX))? as u64;
    }
    Ok(Simulation {
        spec: out,
        policy_fields,
    })
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
    "kueuePodsReadyTimeout",
];

fn latencies(f: &F) -> Res<Latencies> {
    let o = f.obj()?;
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
            "kueuePodsReadyTimeout" => &mut l.kueue_pods_ready_timeout_ms,
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

/// An Arrivals object and the error to report if its Node copies exceed the node limit.
pub(crate) struct Arrivals {
    pub spec: ArrivalsSpec,
    pub count_err: Error,
}

pub(crate) fn arrivals(doc: &Obj, name: &str, loc: &SourceLoc) -> Res<Arrivals> {
    doc.deny_unknown(KUBESIM_OBJECT_FIELDS, "an Arrivals object")?;
    let spec = doc
        .req("spec", "add spec: {count, template, and one of every, poisson, at}")?
        .obj()?;
    spec.deny_unknown(
        &[
            "template", "count", "start", "every", "poisson", "at", "duration", "failure",
        ],
        "an Arrivals spec",
    )?;
    let t = spec.req(
        "template",
        "add template: a batch/v1 Job, v1 Pod, batch.volcano.sh/v1alpha1 Job or v1 Node object",
    )?;
    let t_obj = t.obj()?;
    let idx = check_template_kind(
        &t_obj,
        &[
            ("batch/v1", "Job"),
            ("v1", "Pod"),
            ("batch.volcano.sh/v1alpha1", "Job"),
            ("v1", "Node"),
        ],
    )?;
    let workload_doc = [
        k8s::WorkloadDoc::Job,
        k8s::WorkloadDoc::Pod,
        k8s::WorkloadDoc::VolcanoJob,
    ];
    let template = if let Some(what) = workload_doc.get(idx) {
        let mut w = k8s::workload(&t_obj, *what, loc, false)?;
        if w.name.is_empty() {
            w.name = name.to_string();
        }
        ArrivalTemplate::Workload(Box::new(w))
    } else {
        let mut n = k8s::node(&t_obj, loc, false)?;
        if n.name.is_empty() {
            n.name = name.to_string();
        }
        ArrivalTemplate::Node(Box::new(n))
    };

    let patterns: Vec<F> = ["every", "poisson", "at"].iter().filter_map(|k| spec.get(k)).collect();
    let pattern_f = match patterns.as_slice() {
        [] => {
            return Err(super::view::err_at(
                spec.pos,
                &format!("{}.every", spec.path),
                "missing arrival pattern",
                "add one of every: <duration>, poisson: {meanInterval: <duration>} or \
                 at: [<durations>]",
            ));
        }
        [one] => one.clone(),
        [_, second, ..] => {
            return Err(super::view::err_at(
                second.key_pos,
                &second.path,
                "two arrival patterns; an Arrivals object has exactly one",
                "keep one of every, poisson and at",
            ));
        }
    };
    let key = pattern_f.path.rsplit('.').next().unwrap_or("");
    let pattern = match key {
        "every" => ArrivalPattern::Every {
            interval_ms: pattern_f.duration_ms()?,
        },
        "poisson" => {
            let p = pattern_f.obj()?;
            p.deny_unknown(&["meanInterval"], "poisson")?;
            let m = p.req("meanInterval", "add meanInterval: the mean time between arrivals")?;
            let mean = m.duration_ms()?;
            if mean == 0 {
                return Err(m.err("meanInterval is zero", "write a positive duration such as 3m"));
            }
            ArrivalPattern::Poisson { mean_interval_ms: mean }
        }
        _ => ArrivalPattern::At {
            times_ms: duration_list(&pattern_f)?,
        },
    };
    let count = match (&pattern, spec.get("count")) {
        (ArrivalPattern::At { times_ms }, None) => times_ms.len() as u64,
        (ArrivalPattern::At { times_ms }, Some(c)) => {
            let n = arrivals_count(&c)?;
            if n != times_ms.len() as u64 {
                return Err(c.err(
                    format!(
                        "count is {n} but `at` lists {} times (one arrival per time)",
                        times_ms.len()
                    ),
                    "make count equal to the number of `at` entries, or remove count",
                ));
            }
            n
        }
        (_, Some(c)) => arrivals_count(&c)?,
        (_, None) => {
            return Err(spec.missing(
                "count",
                &format!("add count: the number of arrivals (1 to {MAX_ARRIVALS})"),
            ));
        }
    };
    let count_err = match spec.get("count") {
        Some(c) => c.err(
            format!("the scenario has more than {MAX_NODES} nodes"),
            format!("keep the total number of nodes at most {MAX_NODES}"),
        ),
        None => pattern_f.err(
            format!("the scenario has more than {MAX_NODES} nodes"),
            format!("keep the total number of nodes at most {MAX_NODES}"),
        ),
    };
    let start_ms = opt(spec.get("start"), |f| f.duration_ms())?.unwrap_or(0);
    let duration = opt(spec.get("duration"), duration_dist)?;
    let failure = opt(spec.get("failure"), failure_dist)?;
    Ok(Arrivals {
        spec: ArrivalsSpec {
            name: name.to_string(),
            template,
            count,
            start_ms,
            pattern,
            duration,
            failure,
            loc: loc.clone(),
        },
        count_err,
    })
}

/// An Arrivals `count`, from 1 to [`MAX_ARRIVALS`].
fn arrivals_count(c: &F) -> Res<u64> {
    c.bounded(
        1,
        i128::from(MAX_ARRIVALS),
        "copies of an Arrivals object",
        "split the arrivals over several objects, or use a Trace",
    )
    .map(|v| v as u64)
}

/// A list of durations (at most [`MAX_LIST_ENTRIES`], at least one).
fn duration_list(f: &F) -> Res<Vec<u64>> {
    let items = f.seq()?;
    if items.is_empty() {
        return Err(f.err("the list is empty", "list at least one duration"));
    }
    if items.len() > MAX_LIST_ENTRIES {
        return Err(f.err(
            format!("{} entries exceed the limit of {MAX_LIST_ENTRIES}", items.len()),
            format!("list at most {MAX_LIST_ENTRIES} entries (use a Trace for longer series)"),
        ));
    }
    items.iter().map(F::duration_ms).collect()
}

fn duration_dist(f: &F) -> Res<DurationDist> {
    let o = f.obj()?;
    let kinds = ["fixed", "uniform", "exponential", "lognormal", "empirical"];
    o.deny_unknown(&kinds, "a duration distribution")?;
    let present: Vec<&str> = kinds.iter().copied().filter(|k| o.has(k)).collect();
    if present.len() != 1 {
        return Err(f.err(
            format!(
                "a duration distribution has exactly one of {}; found {}",
                kinds.join(", "),
                present.len()
            ),
            "write e.g. duration: {fixed: 20m} or duration: {exponential: {mean: 30m}}",
        ));
    }
    let kind = present[0];
    let v = o.req(kind, "give the distribution its parameters")?;
    Ok(match kind {
        "fixed" => DurationDist::Fixed { ms: v.duration_ms()? },
        "uniform" => {
            let p = v.obj()?;
            p.deny_unknown(&["min", "max"], "uniform")?;
            let min_ms = p.req("min", "add min: a duration")?.duration_ms()?;
            let max_f = p.req("max", "add max: a duration")?;
            let max_ms = max_f.duration_ms()?;
            if min_ms > max_ms {
                return Err(max_f.err("max is smaller than min", "make max at least min"));
            }
            DurationDist::Uniform { min_ms, max_ms }
        }
        "exponential" => {
            let p = v.obj()?;
            p.deny_unknown(&["mean"], "exponential")?;
            let m = p.req("mean", "add mean: a duration")?;
            let mean_ms = m.duration_ms()?;
            if mean_ms == 0 {
                return Err(m.err("the mean is zero", "write a positive duration"));
            }
            DurationDist::Exponential { mean_ms }
        }
        "lognormal" => {
            let p = v.obj()?;
            p.deny_unknown(&["median", "sigma"], "lognormal")?;
            let m = p.req("median", "add median: a duration")?;
            let median_ms = m.duration_ms()?;
            if median_ms == 0 {
                return Err(m.err("the median is zero", "write a positive duration"));
            }
            let s = p.req("sigma", "add sigma: the standard deviation of ln(duration)")?;
            let sigma = s.f64()?;
            if !(0.0..=10.0).contains(&sigma) {
                return Err(s.err(
                    format!("sigma {sigma} is out of range"),
                    "write a sigma from 0 to 10 (typical values are 0.5 to 2)",
                ));
            }
            DurationDist::LogNormal { median_ms, sigma }
        }
        _ => DurationDist::Empirical {
            values_ms: duration_list(&v)?,
        },
    })
}

fn failure_dist(f: &F) -> Res<FailureDist> {
    let o = f.obj()?;
    o.deny_unknown(&["probability", "exitCode"], "failure")?;
    let p = o.req("probability", "add probability: a number from 0 to 1")?;
    let probability = p.f64()?;
    if !(0.0..=1.0).contains(&probability) {
        return Err(p.err(
            format!("probability {probability} is not between 0 and 1"),
            "write a probability from 0 to 1",
        ));
    }
    let exit_code = opt(o.get("exitCode"), |f| f.int_in(1, 255))?.unwrap_or(1) as i32;
    Ok(FailureDist { probability, exit_code })
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

/// A Trace object: the trace read, sorted by submit time and shaped by the object's options,
/// with the nodes of its node list.
pub(crate) struct TraceObj {
    pub spec: TraceSpec,
    pub nodes: Vec<NodeSpec>,
}

/// The Trace object's `spec` fields.
const TRACE_FIELDS: &[&str] = &[
    "path",
    "format",
    "nodes",
    "limit",
    "start",
    "timeScale",
    "template",
    "cpuPerGpu",
    "memoryPerGpu",
    "memoryPerCpu",
    "cpusPerNode",
    "taskTable",
];

/// A path written in a scenario file, relative to that file's folder.
fn relative_to(file: &Path, written: &str) -> PathBuf {
    let p = Path::new(written);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        file.parent().unwrap_or(Path::new("")).join(p)
    }
}

pub(crate) fn trace(doc: &Obj, name: &str, loc: &SourceLoc) -> Res<TraceObj> {
    use crate::input::trace::{Options, importer, names, names_native_last, read_nodes, read_sorted};
    doc.deny_unknown(KUBESIM_OBJECT_FIELDS, "a Trace")?;
    let spec = doc
        .req(
            "spec",
            &format!(
                "add spec: {{path: <trace file>, format: {}}}",
                names_native_last().join("|")
            ),
        )?
        .obj()?;
    spec.deny_unknown(TRACE_FIELDS, "a Trace spec")?;
    let path_f = spec.req("path", "add path: the trace file, relative to this YAML file")?;
    let path = relative_to(&loc.file, path_f.str()?);
    let format_f = spec.req("format", &format!("add format: one of {}", names().join(", ")))?;
    let format = importer(format_f.str()?).map_err(|e| format_f.err(e.message, e.fix))?;
    // The read stops at the first job beyond the bound, before holding them all.
    let mut opts = Options {
        max_jobs: MAX_TRACE_JOBS,
        ..Options::default()
    };
    if let Some(f) = spec.get("cpuPerGpu") {
        opts.cpu_per_gpu_milli = Some(f.quantity("cpu")?);
    }
    if let Some(f) = spec.get("memoryPerGpu") {
        opts.memory_per_gpu_bytes = Some(f.quantity("memory")?);
    }
    if let Some(f) = spec.get("memoryPerCpu") {
        opts.memory_per_cpu_bytes = Some(f.quantity("memory")?);
    }
    if let Some(f) = spec.get("cpusPerNode") {
        opts.swf_cpus_per_node = Some(f.int_in(1, 1_000_000)? as u32);
    }
    if let Some(f) = spec.get("taskTable") {
        opts.pai_task_table = Some(relative_to(&loc.file, f.str()?));
    }
    let limit = opt(spec.get("limit"), |f| f.int_in(1, i128::from(MAX_TRACE_JOBS)))?.map(|v| v as usize);
    let start_ms = opt(spec.get("start"), |f| f.duration_ms())?.unwrap_or(0);
    let scale = match spec.get("timeScale") {
        Some(f) => {
            let v = f.f64()?;
            if !(v > 0.0 && v <= 1e6) {
                return Err(f.err(
                    format!("timeScale {v} is not a positive factor"),
                    "write a factor > 0: 0.5 submits the trace twice as fast, 2 half as fast",
                ));
            }
            v
        }
        None => 1.0,
    };
    let (mut jobs, _report) = read_sorted(format, &path, &opts).map_err(|e| {
        Box::new(InputError {
            message: format!("{} (reading the trace of Trace `{name}` at {loc})", e.message),
            ..e
        })
    })?;
    if let Some(l) = limit {
        jobs.truncate(l);
    }

    for j in &mut jobs {
        j.submit_ms = start_ms.saturating_add((j.submit_ms as f64 * scale).round() as u64);
    }
    // The Job each trace job starts from: the object's template, else a plain Job that runs
    // once (a trace records each job's final outcome; retrying a failed one would add load the
    // trace never had).
    let default_doc;
    let template_f = match spec.get("template") {
        Some(t) => t,
        None => {
            default_doc = super::yaml::parse_stream(DEFAULT_TRACE_JOB)
                .map_err(|e| *e)
                .map_err(Box::new)?;
            F::new(&default_doc[0], "spec.template")
        }
    };
    let t_obj = template_f.obj()?;
    check_template_kind(&t_obj, &[("batch/v1", "Job")])?;
    let mut w = k8s::workload(&t_obj, k8s::WorkloadDoc::Job, loc, false)?;
    w.name = name.to_string();
    let template = Box::new(w);
    let nodes = match spec.get("nodes") {
        Some(n) => {
            let o = n.obj()?;
            o.deny_unknown(&["path", "format"], "a Trace nodes list")?;
            let np_f = o.req("path", "add path: the node list, relative to this YAML file")?;
            let np = relative_to(&loc.file, np_f.str()?);
            let nf = match o.get("format") {
                Some(f) => importer(f.str()?).map_err(|e| f.err(e.message, e.fix))?,
                None => format,
            };
            let list = read_nodes(nf, &np)?;
            list.into_iter()
                .map(|tn| {
                    let mut allocatable = BTreeMap::new();
                    allocatable.insert("cpu".to_string(), tn.cpu_milli);
                    allocatable.insert("memory".to_string(), tn.memory_bytes);
                    allocatable.insert("nvidia.com/gpu".to_string(), tn.gpu_milli);
                    allocatable.insert("pods".to_string(), 110_000);
                    let mut labels = BTreeMap::new();
                    if !tn.gpu_model.is_empty() {
                        labels.insert("nvidia.com/gpu.product".to_string(), tn.gpu_model.clone());
                    }
                    NodeSpec {
                        name: tn.name,
                        allocatable,
                        labels,
                        taints: vec![],
                        unschedulable: false,
                        add_at_ms: 0,
                        loc: loc.clone(),
                    }
                })
                .collect()
        }
        None => vec![],
    };
    let recorded = jobs.iter().any(|j| j.recorded_wait_ms.is_some());
    // Compact: shapes interned, jobs reduced to times and a shape index.
    let mut shapes: Vec<TraceShape> = Vec::new();
    let mut index: BTreeMap<TraceShape, u32> = BTreeMap::new();
    let replay: Vec<ReplayJob> = jobs
        .into_iter()
        .map(|j| {
            let shape = TraceShape {
                namespace: j.namespace,
                queue: j.queue,
                priority_class: j.priority_class,
                pods: j.pods,
                cpu_milli: j.cpu_milli,
                memory_bytes: j.memory_bytes,
                gpu_milli: j.gpu_milli,
                gang: j.gang,
                exit_code: j.exit_code,
            };
            let idx = match index.get(&shape) {
                Some(i) => *i,
                None => {
                    let i = shapes.len() as u32;
                    index.insert(shape.clone(), i);
                    shapes.push(shape);
                    i
                }
            };
            ReplayJob {
                submit_ms: j.submit_ms,
                duration_ms: j.duration_ms,
                recorded_wait_ms: j.recorded_wait_ms.unwrap_or(u64::MAX),
                shape: idx,
            }
        })
        .collect();
    Ok(TraceObj {
        spec: TraceSpec {
            name: name.to_string(),
            shapes,
            jobs: std::sync::Arc::new(replay),
            template,
            recorded_waits: recorded,
            loc: loc.clone(),
        },
        nodes,
    })
}

/// The Job a trace job starts from when the Trace has no `template`.
const DEFAULT_TRACE_JOB: &str = "apiVersion: batch/v1
kind: Job
metadata: {name: trace}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: trace}]
";

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
