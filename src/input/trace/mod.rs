//! Workload traces: readers for public GPU-cluster and HPC job logs (Philly, Alibaba openb and
//! PAI, Helios, Acme, SWF), kubesim's own native trace format, trace statistics and a synthetic
//! trace generator.
//!
//! Why: real traces are the ground truth for arrival patterns, job shapes (gangs, fractional
//! GPUs) and durations, but each comes in its own schema, units and quirks. Every importer maps
//! its rows onto one record, [`TraceJob`], in canonical units (ms, millicores, bytes, milli-GPUs
//! per pod), so the simulator, the statistics and the generator never see a trace's format. The
//! mapping choices are documented per importer in `traces/README.md` ("Mappings"), next to
//! excerpts of the real traces and their provenance.
//!
//! Reading is streaming: [`read`] calls a sink once per job in file order and keeps memory
//! independent of the file size (lines are read one at a time with a length bound; Philly's
//! single JSON array is deserialized element by element). Submit times are rebased so the
//! earliest job of the trace is at 0; because some traces are not sorted by submit time (Philly)
//! this takes two passes over the file, the first only finding the earliest submit time. The
//! PAI importer is the one exception to constant memory: it joins the task table into memory.
//!
//! Bad input is an [`InputError`] naming the file, line, column and field with a fix, never a
//! panic. Rows that a format is known to carry dirty (the source formats in traces/README.md: never-scheduled
//! pods, jobs still running at the snapshot, NaN durations, unknown run times) are skipped and
//! counted by reason in the [`ImportReport`].

mod acme;
pub mod generate;
mod helios;
mod input;
pub mod native;
mod openb;
mod pai;
mod pbs;
mod philly;
pub mod sort;
pub mod stats;
mod swf;
pub(crate) mod time;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{InputError, cut, quote};
use crate::limits::{MAX_DURATION_MS, MAX_QUANTITY, MAX_WORKLOAD_PODS, describe_limit, describe_ms};

pub use generate::{GenSpec, generate};
pub use native::{NativeWriter, write_native};
pub use stats::{TraceStats, stats};

/// A trace format: how one kind of file becomes [`TraceJob`]s (and, for some, a node
/// inventory). Each format is a module of this folder with a unit struct implementing this
/// trait, listed once in [`IMPORTERS`]; everything that names formats (the CLI's `--format`, a
/// Trace object's `format:`, the error that lists the names, `kubesim trace import --help`)
/// reads them from there.
pub trait Importer: Sync {
    /// The name `--format` and a Trace's `format:` take (`philly`).
    fn name(&self) -> &'static str;

    /// What the format is, in one line (for help and documentation).
    fn about(&self) -> &'static str;

    /// Reads the file at `path`, calling `emit` once per job in file order with the job's line
    /// and its absolute submit time in ms (any epoch; [`read`] rebases), and counting the rows
    /// read and skipped in `report`.
    fn import(
        &self,
        path: &Path,
        opts: &Options,
        report: &mut ImportReport,
        emit: &mut Emit<'_>,
    ) -> Result<(), InputError>;

    /// The reader of the format's node inventory, if the trace publishes one.
    fn inventory(&self) -> Option<NodeReader> {
        None
    }

    /// kubesim's own format: its rows are sorted by submit time (the reader refuses rows out of
    /// order) and its times already count from the trace's start, so [`read`] does not rebase
    /// them and [`sort`] passes them through.
    fn native(&self) -> bool {
        false
    }
}

impl fmt::Debug for dyn Importer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A node inventory reader (see [`Importer::inventory`]).
pub type NodeReader = fn(&Path) -> Result<Vec<TraceNode>, InputError>;

/// Every trace format, in the order error messages list them. A new format is a module of this
/// folder implementing [`Importer`] and one line here.
pub static IMPORTERS: &[&dyn Importer] = &[
    &native::Native,
    &philly::Philly,
    &helios::Helios,
    &openb::Openb,
    &pai::Pai,
    &acme::Acme,
    &swf::Swf,
];

/// The format named `name` (`--format`, a Trace's `format:`); an error listing the names if
/// there is none.
pub fn importer(name: &str) -> Result<&'static dyn Importer, InputError> {
    IMPORTERS.iter().copied().find(|i| i.name() == name).ok_or_else(|| {
        InputError::new(
            "--format",
            format!("unknown trace format {}", quote(name)),
            format!("use one of: {}", names().join(", ")),
        )
    })
}

/// The formats' names in [`IMPORTERS`] order.
pub fn names() -> Vec<&'static str> {
    IMPORTERS.iter().map(|i| i.name()).collect()
}

/// The formats' names, the sources first and the native format last (what an import converts
/// from, then to).
pub fn names_native_last() -> Vec<&'static str> {
    let (native, sources): (Vec<&dyn Importer>, Vec<&dyn Importer>) = IMPORTERS.iter().partition(|i| i.native());
    sources.iter().chain(&native).map(|i| i.name()).collect()
}

/// How a job ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    Succeeded,
    Failed,
    /// Cancelled, killed, deleted or timed out, by the user or by the system.
    Killed,
    /// Still running when the trace ended (right-censored): its duration is the part observed
    /// (0 if unknown), a lower bound. A replay runs it until the end of the run.
    Running,
}

impl Outcome {
    /// The name used in the native format: `succeeded`, `failed`, `killed`, `running`.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::Killed => "killed",
            Outcome::Running => "running",
        }
    }

    /// The outcome named `name` in the native format.
    pub fn parse(name: &str) -> Option<Outcome> {
        [Outcome::Succeeded, Outcome::Failed, Outcome::Killed, Outcome::Running]
            .into_iter()
            .find(|o| o.name() == name)
    }

    /// The exit code to record when the trace has none: 0, 1, 137, and 0 for a job still
    /// running (it has none).
    pub fn default_exit_code(self) -> i32 {
        match self {
            Outcome::Succeeded | Outcome::Running => 0,
            Outcome::Failed => 1,
            Outcome::Killed => 137,
        }
    }
}

/// One job of a trace, in canonical units. Resources are per pod; all pods of a job are alike.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceJob {
    /// The trace's job id (not yet a Kubernetes name).
    pub id: String,
    /// Submission time in ms; importers rebase so the earliest job of the trace is at 0.
    pub submit_ms: u64,
    /// Tenant (user, virtual cluster or group, per importer); `default` if the trace has none.
    pub namespace: String,
    /// Queue or virtual cluster; may be empty.
    pub queue: String,
    /// Priority class; may be empty.
    pub priority_class: String,
    /// Number of pods, at least 1.
    pub pods: u32,
    /// CPU per pod, millicores.
    pub cpu_milli: i64,
    /// Memory per pod, bytes.
    pub memory_bytes: i64,
    /// GPUs per pod in milli-GPUs (500 = half a GPU).
    pub gpu_milli: i64,
    /// Pods that must run together: `pods` for a multi-pod distributed job, 1 for no gang.
    pub gang: u32,
    /// Run time once running, ms.
    pub duration_ms: u64,
    pub outcome: Outcome,
    /// 0 for success; nonzero for Failed (1 if the trace has none); 137 for Killed unless the
    /// trace says otherwise.
    pub exit_code: i32,
    /// The queueing delay the trace itself records (submit to first start), if any.
    pub recorded_wait_ms: Option<u64>,
    /// The GPU models the job may run on, `|`-separated as the trace names them
    /// (`V100M16|V100M32`, openb's `gpu_spec`); empty: any model. A replay makes it a required
    /// node affinity on [`GPU_MODEL_LABEL`].
    pub gpu_models: String,
    /// How long after its submission the job is deleted if it has not ended, ms: the patience
    /// of a user who gave up on a job that never started (openb pods never scheduled, kept with
    /// [`Options::include_unscheduled`]). A replay makes it the Job's `activeDeadlineSeconds`.
    pub patience_ms: Option<u64>,
    /// The run time the user asked for, ms: a runtime estimate (SWF field 9, requested time), as
    /// backfilling schedulers use. Kept through the native format; nothing in kubesim reads it
    /// yet (no policy backfills).
    pub requested_ms: Option<u64>,
}

impl TraceJob {
    /// A job of `pods` pods alike with `[cpu_milli, memory_bytes, gpu_milli]` each, all of them
    /// a gang when more than one, what an importer starts from: submitted at 0 (the importer
    /// emits the submit time), no queue or priority class, succeeded in 0 ms, nothing recorded.
    pub(crate) fn of_pods(
        id: String,
        namespace: String,
        pods: u32,
        [cpu_milli, memory_bytes, gpu_milli]: [i64; 3],
    ) -> TraceJob {
        TraceJob {
            id,
            submit_ms: 0,
            namespace,
            queue: String::new(),
            priority_class: String::new(),
            pods,
            cpu_milli,
            memory_bytes,
            gpu_milli,
            gang: pods.max(1),
            duration_ms: 0,
            outcome: Outcome::Succeeded,
            exit_code: 0,
            recorded_wait_ms: None,
            gpu_models: String::new(),
            patience_ms: None,
            requested_ms: None,
        }
    }

    /// GPUs of all pods together, in milli-GPUs.
    pub fn total_gpu_milli(&self) -> i64 {
        self.gpu_milli.saturating_mul(i64::from(self.pods))
    }
}

/// The node label that names a node's GPU model: NVIDIA GPU Feature Discovery's
/// `nvidia.com/gpu.product`. Nodes built from a trace's inventory carry it with the model the
/// inventory names; a replayed job with [`TraceJob::gpu_models`] requires it (`In` the models).
pub const GPU_MODEL_LABEL: &str = "nvidia.com/gpu.product";

/// The namespace of a tenant the trace names (a VC, a user): the name, `default` if empty.
pub(crate) fn tenant(name: &str) -> String {
    if name.is_empty() { "default" } else { name }.to_string()
}

/// Checks a list of GPU models (see [`TraceJob::gpu_models`]): empty, or models separated by
/// `|` with none empty. Returns the message and the fix.
pub(crate) fn check_gpu_models(models: &str) -> Result<(), (String, &'static str)> {
    if !models.is_empty() && models.split('|').any(|m| m.trim().is_empty()) {
        return Err((
            format!("GPU models {} have an empty model", quote(models)),
            "write GPU models separated by |, such as V100M16|V100M32, or nothing for any model",
        ));
    }
    Ok(())
}

/// A node of a trace's inventory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceNode {
    pub name: String,
    pub cpu_milli: i64,
    pub memory_bytes: i64,
    pub gpu_milli: i64,
    /// GPU model as the trace names it; empty for CPU nodes or when unknown.
    pub gpu_model: String,
}

/// What a read saw: data rows, jobs produced and rows skipped by reason.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Data rows (or JSON elements) read, not counting headers and comments.
    pub rows_read: u64,
    /// Jobs passed to the sink.
    pub jobs: u64,
    /// Skipped rows by reason, sorted by reason.
    pub skipped: Vec<(String, u64)>,
    /// The first 10 skips as `line N: why`.
    pub first_skips: Vec<String>,
    /// Jobs kept but worth a word, by reason (e.g. larger than the trace's largest machine),
    /// sorted by reason.
    pub flagged: Vec<(String, u64)>,
}

impl ImportReport {
    /// Counts a skipped row under `reason`; keeps the first 10 as examples.
    pub(crate) fn skip(&mut self, line: usize, reason: &str, detail: &str) {
        match self.skipped.binary_search_by(|(r, _)| r.as_str().cmp(reason)) {
            Ok(i) => self.skipped[i].1 += 1,
            Err(i) => self.skipped.insert(i, (reason.to_string(), 1)),
        }
        if self.first_skips.len() < 10 {
            // The detail (a job id) is cut like any value a message quotes.
            let detail = cut(detail);
            if detail.is_empty() {
                self.first_skips.push(format!("line {line}: {reason}"));
            } else {
                self.first_skips.push(format!("line {line}: {reason} ({detail})"));
            }
        }
    }

    /// Counts a kept job under `reason` (see [`ImportReport::flagged`]).
    pub(crate) fn flag(&mut self, reason: &str) {
        match self.flagged.binary_search_by(|(r, _)| r.as_str().cmp(reason)) {
            Ok(i) => self.flagged[i].1 += 1,
            Err(i) => self.flagged.insert(i, (reason.to_string(), 1)),
        }
    }

    /// A bad row's error `e`: on the file's first data row (`first`) it stays the error (the
    /// file is not of the format); on a later row the row is skipped, counted under
    /// `bad <field>` (`malformed row` when the error names no field).
    pub(crate) fn skip_bad_row(&mut self, e: InputError, first: bool, detail: &str) -> Result<(), InputError> {
        self.skip_bad_row_of("", e, first, detail)
    }

    /// [`ImportReport::skip_bad_row`] for a row of a file joined to the trace (PAI's task
    /// table): the reason starts with `table` (`task table: bad plan_cpu`).
    pub(crate) fn skip_bad_row_of(
        &mut self,
        table: &str,
        e: InputError,
        first: bool,
        detail: &str,
    ) -> Result<(), InputError> {
        if first {
            return Err(e);
        }
        let reason = if e.field.is_empty() {
            format!("{table}malformed row")
        } else {
            format!("{table}bad {}", e.field)
        };
        self.skip(e.line.unwrap_or(0), &reason, detail);
        Ok(())
    }

    /// Total rows skipped.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.iter().map(|(_, n)| n).sum()
    }

    /// One line for the end of an import, or `None` when nothing was skipped or flagged:
    /// `skipped 58 of 17,900 rows: 41 bad PBS spec, 17 zero processors; 3 jobs larger than ...`.
    pub fn summary(&self) -> Option<String> {
        let list = |v: &[(String, u64)]| {
            v.iter()
                .map(|(why, n)| format!("{} {why}", thousands(*n)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut parts = Vec::new();
        if !self.skipped.is_empty() {
            parts.push(format!(
                "skipped {} of {} rows: {}",
                thousands(self.skipped_total()),
                thousands(self.rows_read),
                list(&self.skipped)
            ));
        }
        if !self.flagged.is_empty() {
            parts.push(format!("kept {}", list(&self.flagged)));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// `17900` as `17,900`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "rows read: {}", self.rows_read)?;
        writeln!(f, "jobs:      {}", self.jobs)?;
        writeln!(f, "skipped:   {}", self.skipped_total())?;
        for (reason, n) in &self.skipped {
            writeln!(f, "  {n:>10}  {reason}")?;
        }
        for s in &self.first_skips {
            writeln!(f, "  e.g. {s}")?;
        }
        for (reason, n) in &self.flagged {
            writeln!(f, "kept:      {n} {reason}")?;
        }
        Ok(())
    }
}

/// Default CPU per GPU when a trace has no CPU column: 6 cores (a Helios node: 48 threads,
/// 8 GPUs), so a whole-node job fits a whole node.
pub const DEFAULT_CPU_PER_GPU_MILLI: i64 = 6_000;
/// Default memory per GPU when a trace has none: 47 GiB (a Helios node: 376 GB, 8 GPUs).
pub const DEFAULT_MEMORY_PER_GPU_BYTES: i64 = 47 << 30;
/// Default memory per CPU core for CPU-only jobs of traces without memory: 4 GiB.
pub const DEFAULT_MEMORY_PER_CPU_BYTES: i64 = 4 << 30;
/// Default CPU of a job with neither GPUs nor a CPU count: 1 core.
pub const DEFAULT_CPU_MILLI: i64 = 1_000;
/// Default bound on the jobs one read may produce.
pub const DEFAULT_MAX_JOBS: u64 = 50_000_000;
/// Default bound on one line (or one Philly JSON element), bytes.
pub const DEFAULT_MAX_LINE_BYTES: usize = 1 << 20;

/// Import options: defaults for what a trace lacks, and bounds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// CPU per GPU for GPU jobs without a CPU request (Philly; Helios and Acme rows with
    /// `cpu_num` 0). `None`: [`DEFAULT_CPU_PER_GPU_MILLI`].
    pub cpu_per_gpu_milli: Option<i64>,
    /// Memory per GPU for GPU jobs of traces without memory (Philly, Helios, Acme Seren).
    /// `None`: [`DEFAULT_MEMORY_PER_GPU_BYTES`].
    pub memory_per_gpu_bytes: Option<i64>,
    /// Memory per CPU core for CPU-only jobs of traces without memory (Helios, SWF without
    /// requested memory). `None`: [`DEFAULT_MEMORY_PER_CPU_BYTES`].
    pub memory_per_cpu_bytes: Option<i64>,
    /// SWF: processors per node, so pods = ceil(procs / cpus_per_node). `None`: from the
    /// `<file>.machines` file beside the log if present, else header `MaxProcs / MaxNodes`, else 1.
    pub swf_cpus_per_node: Option<u32>,
    /// PAI: the task table to join. `None`: `pai_task_table.csv` in the job table's directory.
    pub pai_task_table: Option<PathBuf>,
    /// openb: keep the pods never scheduled (`Pending`) as jobs with their patience
    /// ([`TraceJob::patience_ms`]) instead of skipping them.
    pub include_unscheduled: bool,
    /// At most this many jobs per read (an error beyond).
    pub max_jobs: u64,
    /// At most this many bytes per line (or per Philly JSON element).
    pub max_line_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            cpu_per_gpu_milli: None,
            memory_per_gpu_bytes: None,
            memory_per_cpu_bytes: None,
            swf_cpus_per_node: None,
            pai_task_table: None,
            include_unscheduled: false,
            max_jobs: DEFAULT_MAX_JOBS,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
        }
    }
}

impl Options {
    pub(crate) fn cpu_per_gpu(&self) -> i64 {
        self.cpu_per_gpu_milli.unwrap_or(DEFAULT_CPU_PER_GPU_MILLI)
    }
    pub(crate) fn mem_per_gpu(&self) -> i64 {
        self.memory_per_gpu_bytes.unwrap_or(DEFAULT_MEMORY_PER_GPU_BYTES)
    }
    pub(crate) fn mem_per_cpu(&self) -> i64 {
        self.memory_per_cpu_bytes.unwrap_or(DEFAULT_MEMORY_PER_CPU_BYTES)
    }

    /// Default per-pod CPU and memory for a pod of `gpu_milli` GPUs and (if known) `cpu_milli`.
    /// Saturating: an amount beyond [`MAX_QUANTITY`] is refused by [`read`] with the job's line.
    pub(crate) fn fill(&self, gpu_milli: i64, cpu_milli: Option<i64>) -> (i64, i64) {
        let ceil_units = |milli: i64| milli / 1000 + i64::from(milli % 1000 != 0);
        let gpus_ceil = ceil_units(gpu_milli);
        let cpu = match cpu_milli {
            Some(c) => c,
            None if gpu_milli > 0 => self.cpu_per_gpu().saturating_mul(gpus_ceil),
            None => DEFAULT_CPU_MILLI,
        };
        let mem = if gpu_milli > 0 {
            self.mem_per_gpu().saturating_mul(gpus_ceil)
        } else {
            self.mem_per_cpu()
                .saturating_mul(ceil_units(cpu))
                .max(self.mem_per_cpu())
        };
        (cpu, mem)
    }
}

/// An importer's output before rebasing: the job's line, its absolute submit time in ms (any
/// epoch) and the job.
pub type Emit<'a> = dyn FnMut(usize, i64, TraceJob) -> Result<(), InputError> + 'a;

/// Streams a trace: calls `sink` once per job in file order. Memory is independent of the file
/// size (except the PAI join, see `traces/README.md`). Submit times are rebased so the
/// earliest job is at 0, which takes a first pass over the file; native traces are read as
/// written (one pass, no rebase). Returns what was read and skipped.
pub fn read(
    format: &dyn Importer,
    path: &Path,
    opts: &Options,
    sink: &mut dyn FnMut(TraceJob) -> Result<(), InputError>,
) -> Result<ImportReport, InputError> {
    let base = if format.native() {
        0
    } else {
        let mut min: Option<i64> = None;
        let mut scratch = ImportReport::default();
        format.import(path, opts, &mut scratch, &mut |_, t, _| {
            min = Some(min.map_or(t, |m| m.min(t)));
            Ok(())
        })?;
        min.unwrap_or(0)
    };
    let mut report = ImportReport::default();
    let mut jobs = 0u64;
    format.import(path, opts, &mut report, &mut |line, t, mut job| {
        jobs += 1;
        if jobs > opts.max_jobs {
            return Err(InputError::new(
                "",
                format!("the trace has more than {} jobs", opts.max_jobs),
                "split the trace into parts",
            )
            .at(path, line, None));
        }
        // In i128: a trace's times may span more than i64 (a bogus far-future row).
        job.submit_ms = u64::try_from(i128::from(t) - i128::from(base)).unwrap_or(u64::MAX);
        check_job(&job).map_err(|(field, message, fix)| InputError::new(field, message, fix).at(path, line, None))?;
        sink(job)
    })?;
    report.jobs = jobs;
    Ok(report)
}

/// The bounds every job of every format keeps (see [`crate::limits`]), checked before a job
/// reaches the simulator: pods and gang, per-pod amounts and their product with the pods,
/// times. Returns the field, the message and the fix.
fn check_job(j: &TraceJob) -> Result<(), (&'static str, String, String)> {
    if j.pods == 0 || j.pods > MAX_WORKLOAD_PODS {
        return Err((
            "pods",
            format!(
                "a job of {} pods; the limit is {MAX_WORKLOAD_PODS} pods per job",
                j.pods
            ),
            "drop or split the job (kubesim's bound on pods per workload)".to_string(),
        ));
    }
    if j.gang == 0 || j.gang > j.pods {
        return Err((
            "gang",
            format!("a gang of {} in a job of {} pods", j.gang, j.pods),
            "a gang is 1 (none) to the job's pods".to_string(),
        ));
    }
    let amounts = [
        ("cpu", "cpu", j.cpu_milli),
        ("memory", "memory", j.memory_bytes),
        ("gpu", "nvidia.com/gpu", j.gpu_milli),
    ];
    for (field, resource, v) in amounts {
        let shown = |v: i64| crate::input::quantity::format_quantity(resource, v);
        if !(0..=MAX_QUANTITY).contains(&v) {
            return Err((
                field,
                format!(
                    "{} of {resource} per pod is outside 0 to {}",
                    shown(v),
                    shown(MAX_QUANTITY)
                ),
                "check the row's resource columns (and the CPU and memory defaults per GPU)".to_string(),
            ));
        }
        if v.checked_mul(i64::from(j.pods)).is_none() {
            return Err((
                field,
                format!(
                    "{} pods of {} of {resource} each are more than kubesim can count",
                    j.pods,
                    shown(v)
                ),
                "check the row's resource columns".to_string(),
            ));
        }
    }
    let times = [
        ("submit time", j.submit_ms),
        ("duration", j.duration_ms),
        ("recorded wait", j.recorded_wait_ms.unwrap_or(0)),
        ("patience", j.patience_ms.unwrap_or(0)),
        ("requested time", j.requested_ms.unwrap_or(0)),
    ];
    for (field, ms) in times {
        if ms > MAX_DURATION_MS {
            return Err((
                field,
                format!(
                    "{field} {} is beyond the limit of {}",
                    describe_ms(ms),
                    describe_limit(MAX_DURATION_MS)
                ),
                "check the row's times (the submit time counts from the trace's earliest job)".to_string(),
            ));
        }
    }
    Ok(())
}

/// Reads a whole trace into memory (convenience over [`read`]).
pub fn read_all(
    format: &dyn Importer,
    path: &Path,
    opts: &Options,
) -> Result<(Vec<TraceJob>, ImportReport), InputError> {
    let mut jobs = Vec::new();
    let report = read(format, path, opts, &mut |j| {
        jobs.push(j);
        Ok(())
    })?;
    Ok((jobs, report))
}

/// Reads a whole trace sorted by submit time (stable: file order among equal times), as the
/// native format, replay and statistics need it.
pub fn read_sorted(
    format: &dyn Importer,
    path: &Path,
    opts: &Options,
) -> Result<(Vec<TraceJob>, ImportReport), InputError> {
    let (mut jobs, report) = read_all(format, path, opts)?;
    jobs.sort_by_key(|j| j.submit_ms);
    Ok((jobs, report))
}

/// Adds a node read from line `line` of an inventory, within the bounds: at most
/// [`crate::limits::MAX_NODES`] nodes (checked before the list grows past it) and amounts of at
/// most [`MAX_QUANTITY`].
pub(crate) fn push_node(
    nodes: &mut Vec<TraceNode>,
    node: TraceNode,
    path: &Path,
    line: usize,
) -> Result<(), InputError> {
    let bound =
        |field: &str, message: String, fix: &str| Err(InputError::new(field, message, fix).at(path, line, None));
    if nodes.len() as u64 >= crate::limits::MAX_NODES {
        return bound(
            "",
            format!("more than {} nodes", crate::limits::MAX_NODES),
            "keep the node list within the scenario's node limit",
        );
    }
    for (field, resource, v) in [
        ("cpu", "cpu", node.cpu_milli),
        ("memory", "memory", node.memory_bytes),
        ("gpu", "nvidia.com/gpu", node.gpu_milli),
    ] {
        if !(0..=MAX_QUANTITY).contains(&v) {
            let shown = |v: i64| crate::input::quantity::format_quantity(resource, v);
            return bound(
                field,
                format!(
                    "{} of {resource} on a node is outside 0 to {}",
                    shown(v),
                    shown(MAX_QUANTITY)
                ),
                "check the node's capacity columns",
            );
        }
    }
    nodes.push(node);
    Ok(())
}

/// Reads a node inventory: openb node lists, Philly machine lists (`cluster_machine_list` or
/// `revised_machine_list.csv`), Helios VC node counts (`*_vc_nodes.csv`: `count` 8-GPU nodes
/// per VC) and PAI `pai_machine_spec.csv`.
pub fn read_nodes(format: &dyn Importer, path: &Path) -> Result<Vec<TraceNode>, InputError> {
    match format.inventory() {
        Some(read) => read(path),
        // The list is written out, not built from IMPORTERS, so that the message stays as it
        // was; a test checks that it names every format with an inventory.
        None => Err(InputError::new(
            "--format",
            format!("the {} format has no node inventory", format.name()),
            INVENTORY_FIX,
        )
        .at(path, 1, None)),
    }
}

/// The fix of the error for a format without a node inventory.
const INVENTORY_FIX: &str = "node inventories exist for openb, philly, helios and pai";

// `shared_path(rel)`: `../shared/<rel>` or None, by the same rule as the integration tests.
#[cfg(test)]
#[path = "../../../tests/common/shared.rs"]
mod shared;

#[cfg(test)]
pub(crate) mod testutil {
    use std::path::PathBuf;

    pub use super::shared::shared_path;

    /// A file of the trace excerpts committed with the project (`traces/`, with a
    /// `PROVENANCE.md` per folder), which every clone has.
    pub fn excerpt(rel: &str) -> PathBuf {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/traces/")).join(rel)
    }

    /// The import of the full trace `../shared/traces/<rel>` with the default options, or None
    /// (the test returns) when it is absent.
    pub fn read_shared(format: &dyn super::Importer, rel: &str) -> Option<(Vec<super::TraceJob>, super::ImportReport)> {
        let p = shared_path(&format!("traces/{rel}"))?;
        Some(super::read_all(format, &p, &super::Options::default()).unwrap())
    }

    /// Each bad row, written after `before` (the lines above it), fails the import of `format`
    /// with an error at line `line` naming the field and containing the message of its case
    /// (row, field, message).
    pub fn assert_bad_rows(
        format: &dyn super::Importer,
        stem: &str,
        before: &str,
        line: usize,
        cases: &[(&str, &str, &str)],
    ) {
        for (k, (row, field, msg)) in cases.iter().enumerate() {
            let p = temp_file(&format!("{stem}{k}"), &format!("{before}\n{row}\n"));
            let e = super::read_all(format, &p, &super::Options::default()).unwrap_err();
            assert_eq!((e.line, e.field.as_str()), (Some(line), *field), "case {k}: {e}");
            assert!(e.message.contains(msg), "case {k}: {e}");
        }
    }

    /// Writes `content` to a fresh temporary file named `name` and returns its path.
    pub fn temp_file(name: &str, content: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kubesim-trace-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        let p = dir.join(name);
        std::fs::write(&p, content).expect("write temp file");
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_parse_and_errors_list_them() {
        for i in IMPORTERS {
            assert_eq!(importer(i.name()).map(|f| f.name()), Ok(i.name()));
        }
        let e = importer("slurm").unwrap_err();
        assert!(e.message.contains("slurm"));
        assert_eq!(e.fix, "use one of: kubesim, philly, helios, openb, pai, acme, swf");
        assert_eq!(
            names_native_last().join("|"),
            "philly|helios|openb|pai|acme|swf|kubesim"
        );
    }

    #[test]
    fn the_inventory_error_names_every_format_with_one() {
        let mut listed: Vec<&str> = INVENTORY_FIX
            .trim_start_matches("node inventories exist for ")
            .split([',', ' '])
            .filter(|w| !w.is_empty() && *w != "and")
            .collect();
        listed.sort_unstable();
        let mut with: Vec<&str> = IMPORTERS
            .iter()
            .filter(|i| i.inventory().is_some())
            .map(|i| i.name())
            .collect();
        with.sort_unstable();
        assert_eq!(listed, with, "update INVENTORY_FIX");
        let e = read_nodes(&swf::Swf, Path::new("x.swf")).unwrap_err();
        assert_eq!(e.message, "the swf format has no node inventory");
    }

    #[test]
    fn the_docs_name_every_format() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for doc in ["docs/cli.md", "docs/scenario.md", "traces/README.md"] {
            let text = std::fs::read_to_string(root.join(doc)).unwrap();
            for i in IMPORTERS {
                assert!(
                    text.contains(&format!("`{}`", i.name())),
                    "{doc} does not name `{}`",
                    i.name()
                );
            }
        }
    }

    #[test]
    fn report_counts_skips_by_reason_and_keeps_ten_examples() {
        let mut r = ImportReport::default();
        for i in 0..12 {
            r.skip(i + 2, if i % 2 == 0 { "b" } else { "a" }, "x");
        }
        assert_eq!(r.skipped, vec![("a".to_string(), 6), ("b".to_string(), 6)]);
        assert_eq!(r.first_skips.len(), 10);
        assert_eq!(r.first_skips[0], "line 2: b (x)");
        assert_eq!(r.skipped_total(), 12);
    }

    #[test]
    fn every_job_is_within_the_limits() {
        let native = format!("{}\n{}", native::MAGIC, native::BASE_HEADER);
        let row = |pods: &str, gpu: &str, gang: &str, dur: &str| {
            format!("0.000,j,default,,,{pods},1,1Gi,{gpu},{gang},{dur},succeeded,0,")
        };
        let cases: Vec<(String, &str, &str)> = vec![
            (
                row("2147483647", "0", "1", "1.000"),
                "pods",
                "a job of 2147483647 pods; the limit is 100000",
            ),
            (
                row("100001", "0", "1", "1.000"),
                "pods",
                "the limit is 100000 pods per job",
            ),
            (
                row("1", "9223372036854775807", "1", "1.000"),
                "gpu",
                "per pod is outside 0 to",
            ),
            (
                row("100000", "9007199254740992", "1", "1.000"),
                "gpu",
                "more than kubesim can count",
            ),
            (
                row("1", "0", "1", "3153600001.000"),
                "duration",
                "duration 100y is beyond the limit of 100 years",
            ),
        ];
        let cases: Vec<(&str, &str, &str)> = cases.iter().map(|(r, f, m)| (r.as_str(), *f, *m)).collect();
        testutil::assert_bad_rows(&native::Native, "limits-native", &native, 3, &cases);

        // Helios: a GPU count of i64::MAX is refused on its column, before any product wraps.
        let helios = "job_id,user,vc,gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,duration,queue";
        let times = "COMPLETED,2020-04-01 00:00:00,2020-04-01 00:00:01,2020-04-01 00:01:01,60,1";
        let big = format!("1,u,vc,9223372036854775807,1,1,{times}");
        let pods = format!("1,u,vc,8,1,2147483647,{times}");
        let cases = [
            (big.as_str(), "gpu_num", "beyond the limit of 9007199254740 per pod"),
            (pods.as_str(), "pods", "a job of 2147483647 pods"),
        ];
        testutil::assert_bad_rows(&helios::Helios, "limits-helios", helios, 2, &cases);
    }

    #[test]
    fn node_inventories_are_bounded_before_they_grow() {
        // Two million nodes in one row: refused without making any.
        let p = testutil::temp_file("vc-nodes-huge.csv", "vc,nodes\nvcA,999999\nvcB,2000000\n");
        let e = read_nodes(&helios::Helios, &p).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (Some(3), "nodes"), "{e}");
        assert!(
            e.message.contains("2000000 nodes (after 999999 on earlier lines)"),
            "{e}"
        );
        let p = testutil::temp_file(
            "openb-nodes-huge.csv",
            "sn,cpu_milli,memory_mib,gpu,model\nn1,1000,9223372036854775807,0,\n",
        );
        let e = read_nodes(&openb::Openb, &p).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (Some(2), "memory"), "{e}");
        assert!(e.message.contains("on a node is outside 0 to 8Pi"), "{e}");
    }

    #[test]
    fn max_jobs_is_enforced() {
        let opts = Options {
            max_jobs: 100,
            ..Options::default()
        };
        let path = testutil::excerpt("openb/openb_pod_list_default.excerpt.csv");
        let e = read(&openb::Openb, &path, &opts, &mut |_| Ok(())).unwrap_err();
        assert!(e.message.contains("more than 100 jobs"), "{e}");
        // The 101st kept pod (10 Pending pods skipped before it) is on line 112:
        // `awk -F, 'NR>1 && $8!="Pending" && ++n==101 {print NR}'` on the file.
        assert_eq!(e.line, Some(112));
    }
}
