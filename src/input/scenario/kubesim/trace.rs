//! The Trace object: a trace file read through its format's importer (bounded, sorted by submit
//! time, limited, shifted and scaled in time), the Job template its jobs start from, the node list,
//! and the jobs compacted to interned shapes.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use super::super::k8s::{self, opt};
use super::super::view::{F, Obj, Res};
use super::{KUBESIM_OBJECT_FIELDS, MAX_TRACE_JOBS, check_template_kind};
use crate::error::InputError;
use crate::input::spec::{NodeSpec, ReplayJob, SourceLoc, TraceShape, TraceSpec, WorkloadSpec};
use crate::input::trace::{
    GPU_MODEL_LABEL, Importer, Options, Outcome, TraceJob, importer, names, names_native_last, read, read_nodes,
};

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
    "includeUnscheduled",
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
    let opts = trace_options(&spec, loc)?;
    let limit = opt(spec.get("limit"), |f| f.int_in(1, i128::from(MAX_TRACE_JOBS)))?.map(|v| v as usize);
    let start_ms = opt(spec.get("start"), |f| f.duration_ms())?.unwrap_or(0);
    let scale = time_scale(&spec)?;
    // Each job is compacted as the reader yields it (its id is not kept, its shape interned),
    // so the trace is never held as full records: 32 bytes a job plus the distinct shapes.
    let mut shapes = Shapes::default();
    let mut replay: Vec<ReplayJob> = Vec::new();
    let report = read(format, &path, &opts, &mut |j| {
        replay.push(shapes.compact(j));
        Ok(())
    })
    .map_err(|e| {
        Box::new(InputError {
            message: format!("{} (reading the trace of Trace `{name}` at {loc})", e.message),
            ..e
        })
    })?;
    // Sorted by submit time, stable: file order among equal times (as `read_sorted`).
    replay.sort_by_key(|j| j.submit_ms);
    if let Some(l) = limit {
        replay.truncate(l);
    }
    replay.shrink_to_fit();
    for j in &mut replay {
        j.submit_ms = start_ms.saturating_add((j.submit_ms as f64 * scale).round() as u64);
    }
    let template = trace_template(&spec, name, loc)?;
    let nodes = opt(spec.get("nodes"), |n| trace_nodes(n, format, loc))?.unwrap_or_default();
    let recorded = replay.iter().any(|j| j.recorded_wait().is_some());
    let shapes = shapes.list;
    Ok(TraceObj {
        spec: TraceSpec {
            name: name.to_string(),
            shapes,
            jobs: std::sync::Arc::new(replay),
            template,
            recorded_waits: recorded,
            path,
            format: format.name(),
            import_summary: report.summary(),
            loc: loc.clone(),
        },
        nodes,
    })
}

/// The import options a Trace sets: the per-GPU and per-CPU defaults, the nodes' CPUs of an
/// SWF trace, the task table of an Alibaba PAI trace, openb's never-scheduled pods; bounded to
/// [`MAX_TRACE_JOBS`] jobs.
fn trace_options(spec: &Obj, loc: &SourceLoc) -> Res<Options> {
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
    if let Some(f) = spec.get("includeUnscheduled") {
        opts.include_unscheduled = f.bool()?;
    }
    Ok(opts)
}

/// `timeScale`: the factor applied to submit times (default 1).
fn time_scale(spec: &Obj) -> Res<f64> {
    Ok(match spec.get("timeScale") {
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
    })
}

/// The Job each trace job starts from, named after the Trace `name`: the object's template, else
/// a plain Job that runs once (a trace records each job's final outcome; retrying a failed one
/// would add load the trace never had).
fn trace_template(spec: &Obj, name: &str, loc: &SourceLoc) -> Res<Box<WorkloadSpec>> {
    let default_doc;
    let template_f = match spec.get("template") {
        Some(t) => t,
        None => {
            default_doc = super::super::yaml::parse_stream(DEFAULT_TRACE_JOB)
                .map_err(|e| *e)
                .map_err(Box::new)?;
            F::new(&default_doc[0], "spec.template")
        }
    };
    let t_obj = template_f.obj()?;
    check_template_kind(&t_obj, &[("batch/v1", "Job")])?;
    let mut w = k8s::workload(&t_obj, k8s::WorkloadDoc::Job, loc, false)?;
    w.name = name.to_string();
    Ok(Box::new(w))
}

/// The nodes of the Trace's `nodes` list (`n`), read in its `format`, else the trace's.
fn trace_nodes(n: &F, format: &'static dyn Importer, loc: &SourceLoc) -> Res<Vec<NodeSpec>> {
    let o = n.obj()?;
    o.deny_unknown(&["path", "format"], "a Trace nodes list")?;
    let np_f = o.req("path", "add path: the node list, relative to this YAML file")?;
    let np = relative_to(&loc.file, np_f.str()?);
    let nf = match o.get("format") {
        Some(f) => importer(f.str()?).map_err(|e| f.err(e.message, e.fix))?,
        None => format,
    };
    let list = read_nodes(nf, &np)?;
    Ok(list
        .into_iter()
        .map(|tn| {
            let mut allocatable = BTreeMap::new();
            allocatable.insert("cpu".to_string(), tn.cpu_milli);
            allocatable.insert("memory".to_string(), tn.memory_bytes);
            allocatable.insert("nvidia.com/gpu".to_string(), tn.gpu_milli);
            allocatable.insert("pods".to_string(), 110_000);
            let mut labels = BTreeMap::new();
            if !tn.gpu_model.is_empty() {
                labels.insert(GPU_MODEL_LABEL.to_string(), tn.gpu_model.clone());
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
        .collect())
}

/// A job whose pods get no run time: one still running at the trace's end (it runs on), or one
/// whose patience ends it first (its deletion, not its own exit, stops it; at equal times the
/// kubelet's exit would come first in the instant and fail it as a pod failure instead).
fn endless(j: &TraceJob) -> bool {
    j.outcome == Outcome::Running || j.patience_ms.is_some_and(|p| j.duration_ms >= p)
}

/// The distinct shapes of a trace's jobs, interned in the order first met.
#[derive(Default)]
struct Shapes {
    list: Vec<TraceShape>,
    /// By the hash of a shape (`Fx`): the last shape of that hash interned; shapes are
    /// compared only on a hash match (ordered lookups compared their strings at every step).
    index: BTreeMap<u64, u32>,
    /// Per shape: the shape interned before it with the same hash (`NO_SHAPE`: none).
    same_hash: Vec<u32>,
}

const NO_SHAPE: u32 = u32::MAX;

/// `a == b`, without handing an empty string to `memcmp`: glibc's AVX-512 `memcmp` loads even
/// a zero-length operand through a masked load, and an empty `String`'s dangling pointer then
/// costs a fault-suppression assist (hundreds of cycles); a trace's shapes mostly have empty
/// queue, priority class and GPU models. The fields are listed in full, so a new field of
/// `TraceShape` does not compile until it is compared here.
fn same_shape(a: &TraceShape, b: &TraceShape) -> bool {
    fn same_str(a: &str, b: &str) -> bool {
        a.len() == b.len() && (a.is_empty() || a == b)
    }
    let TraceShape {
        namespace,
        queue,
        priority_class,
        pods,
        cpu_milli,
        memory_bytes,
        gpu_milli,
        gang,
        exit_code,
        gpu_models,
        endless,
        active_deadline_s,
    } = a;
    (
        *pods,
        *cpu_milli,
        *memory_bytes,
        *gpu_milli,
        *gang,
        *exit_code,
        *endless,
        *active_deadline_s,
    ) == (
        b.pods,
        b.cpu_milli,
        b.memory_bytes,
        b.gpu_milli,
        b.gang,
        b.exit_code,
        b.endless,
        b.active_deadline_s,
    ) && same_str(namespace, &b.namespace)
        && same_str(queue, &b.queue)
        && same_str(priority_class, &b.priority_class)
        && same_str(gpu_models, &b.gpu_models)
}

/// FxHash (rustc's hasher): fast, and unkeyed, so the same in every run. Only finds shapes: the
/// ids are given in the order shapes are first met, whatever the hashes.
#[derive(Default)]
struct Fx(u64);

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl std::hash::Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            self.add(u64::from_le_bytes(w.try_into().expect("8 bytes")));
        }
        for &b in words.remainder() {
            self.add(u64::from(b));
        }
    }

    fn write_u8(&mut self, v: u8) {
        self.add(u64::from(v));
    }

    fn write_u32(&mut self, v: u32) {
        self.add(u64::from(v));
    }

    fn write_u64(&mut self, v: u64) {
        self.add(v);
    }

    fn write_usize(&mut self, v: usize) {
        self.add(v as u64);
    }
}

impl Shapes {
    /// The job reduced to its times and the index of its (interned) shape.
    fn compact(&mut self, j: TraceJob) -> ReplayJob {
        let endless = endless(&j);
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
            gpu_models: j.gpu_models,
            endless,
            // activeDeadlineSeconds is whole seconds and positive (the API server's validation).
            active_deadline_s: j.patience_ms.map(|p| p.div_ceil(1000).max(1)),
        };
        let mut hasher = Fx::default();
        shape.hash(&mut hasher);
        let hash = hasher.finish();
        let last = self.index.get(&hash).copied().unwrap_or(NO_SHAPE);
        let mut at = last;
        while at != NO_SHAPE && !same_shape(&self.list[at as usize], &shape) {
            at = self.same_hash[at as usize];
        }
        let idx = if at != NO_SHAPE {
            at
        } else {
            let i = self.list.len() as u32;
            self.index.insert(hash, i);
            self.same_hash.push(last);
            self.list.push(shape);
            i
        };
        ReplayJob {
            submit_ms: j.submit_ms,
            // A job still running at the trace's end never ends (its duration is only the part
            // the trace saw).
            duration_ms: if endless {
                u64::MAX
            } else {
                j.duration_ms.min(u64::MAX - 1)
            },
            recorded_wait_ms: j.recorded_wait_ms.unwrap_or(u64::MAX),
            shape: idx,
            requested_s: j
                .requested_ms
                .map_or(u32::MAX, |ms| ms.div_ceil(1000).min(u64::from(u32::MAX - 1)) as u32),
        }
    }
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
