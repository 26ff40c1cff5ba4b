//! Microsoft Philly (ATC'19): `cluster_job_log`, one JSON array of job objects, and the
//! multi-GPU subset `philly_multigpu_pass_jobs_subset.json` (same times, `id`/`num_gpus`
//! instead of `jobid`/`attempts[].detail`). Mapping per the source formats in traces/README.md, choices in
//! `traces/README.md` ("Mappings: philly"):
//!
//! - times are naive US-Pacific wall clock, converted to UTC with the 2017 DST rules;
//! - duration = last attempt end - first attempt start (the official `run_time`, which spans
//!   retry gaps); recorded wait = first attempt start - submitted (the official queueing delay);
//! - pods = machines in `attempts[0].detail`, GPUs per pod = ceil(total GPUs / pods) whole GPUs;
//!   without `detail` (the subset): pods = ceil(num_gpus / 8), GPUs per pod = num_gpus / pods;
//!   gang = pods when pods > 1;
//! - namespace and queue = `vc` (`default` and empty when absent); `status` Pass / Failed /
//!   Killed -> succeeded / failed (1) / killed (137); absent (the subset) -> succeeded; a last
//!   attempt without `end_time` (still running at the snapshot), or `status` Running ->
//!   `running`, duration 0 (unknown: the snapshot's time is not in the log);
//! - counted skips: no attempts, unparsable or missing times, no GPU information.
//!
//! The array is deserialized one element at a time (a `SeqAccess` visitor over a buffered
//! reader), so memory does not grow with the file; one element is bounded by
//! `Options::max_line_bytes`.

use std::cell::Cell;
use std::fmt;
use std::io::{self, Read};
use std::path::Path;
use std::rc::Rc;

use serde::Deserialize;
use serde::de::{self, SeqAccess, Visitor};

use super::input::{Lines, Row, RowJob, columns, header_names, open};
use super::time::{pacific_to_utc, parse_naive};
use super::{
    DEFAULT_CPU_PER_GPU_MILLI, DEFAULT_MEMORY_PER_GPU_BYTES, Emit, ImportReport, Importer, NodeReader, Options, Outcome,
};
use super::{TraceJob, TraceNode};
use crate::error::{InputError, quote};

/// The `philly` format: Microsoft Philly `cluster_job_log` (one JSON array), or its multi-GPU subset.
pub struct Philly;

impl Importer for Philly {
    fn name(&self) -> &'static str {
        "philly"
    }

    fn about(&self) -> &'static str {
        "Microsoft Philly `cluster_job_log` (one JSON array), or its multi-GPU subset"
    }

    fn import(
        &self,
        path: &Path,
        opts: &Options,
        report: &mut ImportReport,
        emit: &mut Emit<'_>,
    ) -> Result<(), InputError> {
        import(path, opts, report, emit)
    }

    fn inventory(&self) -> Option<NodeReader> {
        Some(read_nodes)
    }
}

#[derive(Deserialize)]
struct Detail {
    #[serde(default)]
    gpus: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct Attempt {
    #[serde(default)]
    start_time: Option<String>,
    #[serde(default)]
    end_time: Option<String>,
    #[serde(default)]
    detail: Option<Vec<Detail>>,
}

#[derive(Deserialize)]
struct Job {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    vc: Option<String>,
    #[serde(default)]
    jobid: Option<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    num_gpus: Option<u64>,
    #[serde(default)]
    submitted_time: Option<String>,
    #[serde(default)]
    attempts: Option<Vec<Attempt>>,
}

/// Counts the newlines and bytes the JSON parser has consumed (it reads byte by byte through
/// this), and fails once one element exceeds the bound.
struct Counting<R> {
    inner: R,
    newlines: Rc<Cell<usize>>,
    element_bytes: Rc<Cell<usize>>,
    max: usize,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let nl = buf[..n].iter().filter(|b| **b == b'\n').count();
        self.newlines.set(self.newlines.get() + nl);
        let total = self.element_bytes.get() + n;
        self.element_bytes.set(total);
        if total > self.max {
            return Err(io::Error::other(ELEMENT_TOO_LARGE));
        }
        Ok(n)
    }
}

const ELEMENT_TOO_LARGE: &str = "kubesim: element too large";

struct JobsVisitor<'a> {
    on_job: &'a mut dyn FnMut(serde_json::Value) -> Result<(), InputError>,
    failed: &'a mut Option<InputError>,
    element_bytes: Rc<Cell<usize>>,
}

impl<'de> Visitor<'de> for JobsVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array of Philly job objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            self.element_bytes.set(0);
            match seq.next_element::<serde_json::Value>()? {
                Some(job) => {
                    if let Err(e) = (self.on_job)(job) {
                        *self.failed = Some(e);
                        return Err(de::Error::custom("stopped"));
                    }
                }
                None => return Ok(()),
            }
        }
    }
}

/// Parses a Philly time string into UTC seconds; `None` for null, `"None"` or malformed.
fn philly_time(s: Option<&String>) -> Option<i64> {
    parse_naive(s?).map(pacific_to_utc)
}

fn import(path: &Path, opts: &Options, report: &mut ImportReport, emit: &mut Emit<'_>) -> Result<(), InputError> {
    let newlines = Rc::new(Cell::new(0usize));
    let element_bytes = Rc::new(Cell::new(0usize));
    let reader = Counting {
        inner: open(path)?,
        newlines: Rc::clone(&newlines),
        element_bytes: Rc::clone(&element_bytes),
        max: opts.max_line_bytes,
    };
    let mut failed: Option<InputError> = None;
    // Each element is read as JSON first, so that one of the wrong shape is a bad row (skipped
    // and counted as for every format), not the end of the read.
    let mut on_job = |value: serde_json::Value| -> Result<(), InputError> {
        let line = newlines.get() + 1;
        report.rows_read += 1;
        let first = report.rows_read == 1;
        let id = ["jobid", "id"]
            .iter()
            .find_map(|k| value.get(k).and_then(serde_json::Value::as_str))
            .unwrap_or("")
            .to_string();
        let job = Job::deserialize(value).map_err(|e| {
            InputError::new(
                "job object",
                format!("not a Philly job object: {}", json_message(&e)),
                "a Philly job is an object with jobid, status, vc, submitted_time and attempts (see traces/README.md, Source formats)",
            )
            .at(path, line, None)
        });
        match job.and_then(|job| map_job(job, line, path, opts, report)) {
            Ok(Some((t, job))) => emit(line, t, job),
            Ok(None) => Ok(()),
            Err(e) => report.skip_bad_row(e, first, &id),
        }
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let visitor = JobsVisitor {
        on_job: &mut on_job,
        failed: &mut failed,
        element_bytes: Rc::clone(&element_bytes),
    };
    let result = de::Deserializer::deserialize_seq(&mut de, visitor).and_then(|()| de.end());
    if let Some(e) = failed {
        return Err(e);
    }
    result.map_err(|e| {
        if e.is_io() && e.to_string().contains(ELEMENT_TOO_LARGE) {
            InputError::new(
                "",
                format!("a job object longer than {} bytes", opts.max_line_bytes),
                "this is not a Philly job log, or raise Options::max_line_bytes",
            )
            .at(path, newlines.get() + 1, None)
        } else {
            InputError::new(
                "",
                format!("not a Philly job log: {}", json_message(&e)),
                "the Philly cluster_job_log is one JSON array of job objects (see traces/README.md, Source formats)",
            )
            .at(path, e.line().max(1), Some(e.column().max(1)))
        }
    })
}

/// What went wrong in the JSON, without any of its text. serde_json's syntax messages are
/// fixed phrases ("expected value", "trailing characters"), but its data messages quote the
/// value found (`invalid type: string "…", expected u64`), which may be anything: they keep
/// only what was expected, which comes from our types. The position is printed by the caller.
fn json_message(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let text = e.to_string();
    let text = text.split(" at line ").next().unwrap_or("");
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => text.to_string(),
        Category::Data => match text.rsplit_once(", expected ") {
            Some((_, expected)) => format!("a value of the wrong type or shape, expected {expected}"),
            None if text.starts_with("missing field `") => text.to_string(),
            None => "a value of the wrong type or shape".to_string(),
        },
    }
}

/// The job of one job object with its submit time; `None` if it is skipped (counted in
/// `report`); an error for a field it cannot use.
fn map_job(job: Job, line: usize, path: &Path, opts: &Options, report: &mut ImportReport) -> RowJob {
    let Some(id) = job.jobid.or(job.id) else {
        return Err(InputError::new(
            "jobid",
            "a job object without \"jobid\" (or \"id\")",
            "every Philly job has a jobid such as application_1506638472019_14199",
        )
        .at(path, line, None));
    };
    let Some(submitted) = philly_time(job.submitted_time.as_ref()) else {
        report.skip(line, "unparsable submitted_time", &id);
        return Ok(None);
    };
    let attempts = job.attempts.unwrap_or_default();
    let Some((start, end)) = run_span(&attempts, line, &id, report) else {
        return Ok(None);
    };
    // Still running at the snapshot: its run so far is unknown.
    let end_unknown = end.is_none();
    let end = end.unwrap_or(start);
    let first = &attempts[0];
    let detail = first.detail.as_deref().unwrap_or_default();
    let (pods, gpus_per_pod) = if !detail.is_empty() {
        let total: u64 = detail
            .iter()
            .map(|d| d.gpus.as_ref().map_or(0, |g| g.len() as u64))
            .sum();
        let pods = detail.len() as u64;
        (pods, total.div_ceil(pods))
    } else if let Some(n) = job.num_gpus {
        let pods = n.div_ceil(8).max(1);
        (pods, n.div_ceil(pods))
    } else {
        report.skip(line, "no GPU information (no attempts[0].detail, no num_gpus)", &id);
        return Ok(None);
    };
    let pods = u32::try_from(pods).map_err(|_| {
        InputError::new(
            "attempts[0].detail",
            format!("{pods} machines"),
            format!("at most {} pods per job", crate::limits::MAX_WORKLOAD_PODS),
        )
        .at(path, line, None)
    })?;
    let (outcome, exit_code) = if end_unknown {
        (Outcome::Running, 0)
    } else {
        outcome_of(job.status.as_deref(), &id, path, line)?
    };
    let gpu_milli = i64::try_from(gpus_per_pod)
        .unwrap_or(i64::MAX / 1000)
        .saturating_mul(1000);
    let (cpu_milli, memory_bytes) = opts.fill(gpu_milli, None);
    let vc = job.vc.unwrap_or_default();
    let job = TraceJob {
        queue: vc.clone(),
        duration_ms: u64::try_from(end - start).unwrap_or(0) * 1000,
        outcome,
        exit_code,
        recorded_wait_ms: Some(u64::try_from(start - submitted).unwrap_or(0) * 1000),
        ..TraceJob::of_pods(id, super::tenant(&vc), pods, [cpu_milli, memory_bytes, gpu_milli])
    };
    Ok(Some((submitted * 1000, job)))
}

/// The first attempt's start and the last attempt's end (Unix seconds; `None` if the job was
/// still running at the snapshot); `None` if the job is skipped for them (counted in `report`).
fn run_span(attempts: &[Attempt], line: usize, id: &str, report: &mut ImportReport) -> Option<(i64, Option<i64>)> {
    let (Some(first), Some(last)) = (attempts.first(), attempts.last()) else {
        report.skip(line, "no attempts", id);
        return None;
    };
    let Some(start) = philly_time(first.start_time.as_ref()) else {
        report.skip(line, "first attempt without a parsable start_time", id);
        return None;
    };
    let end = match last.end_time.as_deref() {
        None | Some("None") => return Some((start, None)),
        Some(_) => match philly_time(last.end_time.as_ref()) {
            Some(t) => t,
            None => {
                report.skip(line, "unparsable end_time", id);
                return None;
            }
        },
    };
    if end < start {
        report.skip(line, "last attempt ends before the first starts", id);
        return None;
    }
    Some((start, Some(end)))
}

/// The job's `status` as an outcome and exit code (no status: passed).
fn outcome_of(status: Option<&str>, id: &str, path: &Path, line: usize) -> Result<(Outcome, i32), InputError> {
    Ok(match status {
        None | Some("Pass") => (Outcome::Succeeded, 0),
        Some("Failed") => (Outcome::Failed, 1),
        Some("Killed") => (Outcome::Killed, 137),
        Some("Running") => (Outcome::Running, 0),
        Some(other) => {
            return Err(InputError::new(
                "status",
                format!("unknown status {} of job {}", quote(other), quote(id)),
                "Philly status is Pass, Failed, Killed or Running",
            )
            .at(path, line, None));
        }
    })
}

/// Reads `cluster_machine_list` (`machineId, number of GPUs, single GPU mem`) or
/// `revised_machine_list.csv` (`,machineId,number of GPUs`). CPU and memory are not in the
/// trace: 6 cores and 47 GiB per GPU (the job defaults, so a whole-machine job fits).
fn read_nodes(path: &Path) -> Result<Vec<TraceNode>, InputError> {
    let mut lines = Lines::new(open(path)?, path, super::DEFAULT_MAX_LINE_BYTES);
    let names = header_names(lines.next_line()?.map_or("", |(_, l)| l));
    let [id, gpus] = columns(
        path,
        1,
        &names,
        ["machineId", "number of GPUs"],
        "a Philly machine list",
    )?;
    let mem = names.iter().position(|n| n == "single GPU mem");
    let mut nodes = Vec::new();
    while let Some((line, text)) = lines.next_line()? {
        if text.trim().is_empty() {
            continue;
        }
        let row = Row::parse(path, line, text, &names)?;
        let g = row.i64_nonneg(gpus)?;
        let node = TraceNode {
            name: row.get(id).to_string(),
            cpu_milli: g.saturating_mul(DEFAULT_CPU_PER_GPU_MILLI),
            memory_bytes: g.saturating_mul(DEFAULT_MEMORY_PER_GPU_BYTES),
            gpu_milli: g.saturating_mul(1000),
            gpu_model: mem.map(|m| row.get(m).to_string()).unwrap_or_default(),
        };
        super::push_node(&mut nodes, node, path, line)?;
    }
    Ok(nodes)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{excerpt, read_shared, temp_file};
    use super::super::{read_all, read_nodes};
    use super::*;

    #[test]
    fn real_multigpu_subset_excerpt() {
        let p = excerpt("philly/philly_multigpu_pass_jobs_subset.excerpt.json");
        let (jobs, r) = read_all(&Philly, &p, &Options::default()).unwrap();
        assert_eq!((r.rows_read, r.jobs), (400, 400));
        assert!(r.skipped.is_empty(), "{r}");
        // First element: submitted 2017-10-07 01:11:39 PDT; the earliest submit in the excerpt
        // is 2017-09-23 19:03:56 PDT (element 120; also daylight time): 14 days less 17:52:17,
        // 1,145,263 s, later. Official runtime 3221.05 min = 193,263 s (no DST change inside);
        // 8 GPUs on one machine.
        assert_eq!(
            jobs[0],
            TraceJob {
                id: "application_1506638472019_14199".into(),
                submit_ms: 1_145_263_000,
                namespace: "default".into(),
                queue: String::new(),
                priority_class: String::new(),
                pods: 1,
                cpu_milli: 48_000,
                memory_bytes: 8 * (47 << 30),
                gpu_milli: 8000,
                gang: 1,
                duration_ms: 193_263_000,
                outcome: Outcome::Succeeded,
                exit_code: 0,
                recorded_wait_ms: Some(30_000),
                gpu_models: String::new(),
                patience_ms: None,
                requested_ms: None,
            }
        );
        // Last element (the subset's last, kept in the excerpt for this): submitted 2017-11-02
        // 05:43:55 PDT (40 days less 13:20:01 after the earliest), started 05:56:51 PDT, ended
        // 2017-11-08 08:49:03 PST. The naive difference is the official 8812.2 min (528,732 s);
        // across the DST change the real run time is one hour longer.
        let last = jobs.last().unwrap();
        assert_eq!(last.id, "application_1508364558011_25820");
        assert_eq!(last.submit_ms, 3_407_999_000);
        assert_eq!(last.duration_ms, 532_332_000);
        assert_eq!(last.recorded_wait_ms, Some(776_000));
        assert_eq!((last.pods, last.gpu_milli, last.gang), (1, 4000, 1));
        // Shapes: more than 8 GPUs -> ceil(GPUs/8) pods, a gang, every job keeping its GPU total.
        // The excerpt's num_gpus (counted with Python's json): 198 x 4, 180 x 8, 4 x 12, 8 x 16,
        // 2 x 24, 8 x 32, so 22 multi-pod jobs, and the 12-GPU ones are 2 pods x 6 GPUs.
        let big = jobs.iter().filter(|j| j.pods > 1).count();
        assert_eq!(big, 22, "jobs with more than 8 GPUs");
        let twelve = jobs.iter().filter(|j| (j.pods, j.gpu_milli) == (2, 6000)).count();
        assert_eq!(twelve, 4, "12-GPU jobs");
        assert!(jobs.iter().all(|j| j.gang == if j.pods > 1 { j.pods } else { 1 }));
        assert_eq!(jobs.iter().map(|j| j.submit_ms).min(), Some(0));
    }

    /// What only the whole subset shows: its size, its multi-node jobs and its earliest submit.
    #[test]
    fn real_multigpu_subset_full() {
        let Some((jobs, r)) = read_shared(&Philly, "philly/philly_multigpu_pass_jobs_subset.json") else {
            return;
        };
        assert_eq!((r.rows_read, r.jobs), (3034, 3034));
        assert!(r.skipped.is_empty(), "{r}");
        // The earliest submit in the file is 2017-09-04 10:30:41 PDT: the first element
        // (2017-10-07 01:11:39) is 2,817,658 s later, the last (2017-11-02 05:43:55) 5,080,394 s.
        assert_eq!(jobs[0].submit_ms, 2_817_658_000);
        assert_eq!(jobs.last().unwrap().submit_ms, 5_080_394_000);
        assert_eq!(
            jobs.iter().filter(|j| j.pods > 1).count(),
            223,
            "jobs with more than 8 GPUs"
        );
    }

    #[test]
    fn real_full_format_example() {
        let p = excerpt("philly/philly_cluster_job_log.example.json");
        let (jobs, r) = read_all(&Philly, &p, &Options::default()).unwrap();
        assert_eq!((r.rows_read, r.jobs), (1, 1));
        let j = &jobs[0];
        assert_eq!(j.id, "application_1506638472019_14199");
        assert_eq!((j.namespace.as_str(), j.queue.as_str()), ("ee9e8c", "ee9e8c"));
        assert_eq!((j.pods, j.gpu_milli, j.gang, j.submit_ms), (1, 8000, 1, 0));
        assert_eq!(j.duration_ms, 193_263_000);
        assert_eq!(j.recorded_wait_ms, Some(30_000));
        assert_eq!(j.outcome, Outcome::Succeeded);
    }

    const HAND: &str = r#"[
{"status": "Killed", "vc": "abc123", "jobid": "j1", "user": "u",
 "submitted_time": "2017-10-01 00:00:00",
 "attempts": [{"start_time": "2017-10-01 00:01:00", "end_time": "2017-10-01 01:01:00",
   "detail": [{"ip": "m1", "gpus": ["gpu0","gpu1","gpu2","gpu3","gpu4","gpu5","gpu6","gpu7"]},
              {"ip": "m2", "gpus": ["gpu0","gpu1","gpu2","gpu3"]}]}]},
{"status": "Pass", "vc": "abc123", "jobid": "j2", "submitted_time": "2017-10-01 00:00:05", "attempts": []},
{"status": "Pass", "vc": "abc123", "jobid": "j3", "submitted_time": "None", "attempts": []},
{"status": "Failed", "vc": "abc123", "jobid": "j4", "submitted_time": "2017-10-01 00:00:05",
 "attempts": [{"start_time": "2017-10-01 00:00:06", "end_time": null, "detail": [{"ip": "m3", "gpus": ["gpu0"]}]}]},
{"status": "Failed", "vc": "abc123", "jobid": "j5", "submitted_time": "2017-10-01 00:00:10",
 "attempts": [{"start_time": "None", "end_time": "None", "detail": []}]},
{"status": "Failed", "vc": "abc123", "jobid": "j6", "submitted_time": "2017-10-01 00:00:10",
 "attempts": [{"start_time": "2017-10-01 00:00:12", "end_time": "2017-10-01 00:00:20", "detail": [{"ip": "m3", "gpus": ["gpu0"]}]}]}
]"#;

    #[test]
    fn hand_written_full_format_with_dirty_jobs() {
        let p = temp_file("philly-hand.json", HAND);
        let (jobs, r) = read_all(&Philly, &p, &Options::default()).unwrap();
        assert_eq!(r.rows_read, 6);
        assert_eq!(jobs.len(), 3);
        assert_eq!(r.skipped_total(), 3);
        assert!(
            r.first_skips.iter().any(|s| s.starts_with("line 7: no attempts (j2)")),
            "{:?}",
            r.first_skips
        );
        let j1 = &jobs[0];
        // 8 + 4 GPUs on two machines: 2 pods of ceil(12/2) = 6 GPUs, a gang.
        assert_eq!((j1.pods, j1.gpu_milli, j1.gang), (2, 6000, 2));
        assert_eq!((j1.outcome, j1.exit_code), (Outcome::Killed, 137));
        assert_eq!((j1.duration_ms, j1.recorded_wait_ms), (3_600_000, Some(60_000)));
        // j4: its last attempt has no end_time: running at the snapshot, run time unknown.
        let j4 = &jobs[1];
        assert_eq!(
            (
                j4.id.as_str(),
                j4.outcome,
                j4.exit_code,
                j4.duration_ms,
                j4.recorded_wait_ms
            ),
            ("j4", Outcome::Running, 0, 0, Some(1_000))
        );
        let j6 = &jobs[2];
        assert_eq!(
            (j6.outcome, j6.exit_code, j6.submit_ms, j6.duration_ms),
            (Outcome::Failed, 1, 10_000, 8_000)
        );
    }

    #[test]
    fn malformed_json_is_an_error_with_line() {
        let p = temp_file("philly-bad.json", "[\n{\"jobid\": \"a\", \"attempts\": 5}\n]");
        let e = read_all(&Philly, &p, &Options::default()).unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(e.message.contains("not a Philly job object"), "{e}");
        // A value of the wrong type is described by what was expected, never quoted.
        let p = temp_file(
            "philly-type.json",
            "[\n{\"jobid\": \"a\", \"num_gpus\": \"s3cr3t-value\"}\n]",
        );
        let e = read_all(&Philly, &p, &Options::default()).unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(e.message.contains("expected u64"), "{e}");
        assert!(!e.to_string().contains("s3cr3t"), "{e}");
        let p = temp_file("philly-trunc.json", "[\n{\"jobid\": \"a\"},\n");
        let e = read_all(&Philly, &p, &Options::default()).unwrap_err();
        assert!(e.message.contains("EOF"), "{e}");
        let p = temp_file(
            "philly-status.json",
            "[\n{\"jobid\": \"a\", \"status\": \"Weird\", \"submitted_time\": \"2017-10-01 00:00:00\",\n \"attempts\": [{\"start_time\": \"2017-10-01 00:00:00\", \"end_time\": \"2017-10-01 00:00:01\", \"detail\": [{\"gpus\": []}]}]}\n]",
        );
        let e = read_all(&Philly, &p, &Options::default()).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (Some(3), "status"), "{e}");
        let big = format!("[{{\"jobid\": \"{}\"}}]", "x".repeat(200));
        let p = temp_file("philly-big.json", &big);
        let opts = Options {
            max_line_bytes: 100,
            ..Options::default()
        };
        let e = read_all(&Philly, &p, &opts).unwrap_err();
        assert!(e.message.contains("longer than 100 bytes"), "{e}");
    }

    /// Real jobs (the excerpt of the multi-GPU subset, one element a line) with damaged copies:
    /// a job object of the wrong shape, one without an id, one of an unknown status, each
    /// skipped and counted; the read goes on. A damaged first element is the file's error.
    #[test]
    fn bad_jobs_are_skipped_after_the_first() {
        let text = std::fs::read_to_string(excerpt("philly/philly_multigpu_pass_jobs_subset.excerpt.json")).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        // Line 1 is "[", lines 2..=401 the 400 jobs.
        lines[4] = lines[4].replacen("\"num_gpus\": 4,", "\"num_gpus\": \"four\",", 1);
        lines[9] = lines[9].replacen("{\"id\": ", "{\"name\": ", 1);
        lines[19] = lines[19].replacen("{", "{\"status\": \"Lost\", ", 1);
        let p = temp_file("philly-damaged.json", &lines.join("\n"));
        let (jobs, r) = read_all(&Philly, &p, &Options::default()).unwrap();
        assert_eq!((r.rows_read, r.jobs, jobs.len()), (400, 397, 397));
        let skipped: Vec<(&str, u64)> = r.skipped.iter().map(|(w, n)| (w.as_str(), *n)).collect();
        assert_eq!(skipped, [("bad job object", 1), ("bad jobid", 1), ("bad status", 1)]);
        assert_eq!(
            r.first_skips[0],
            "line 5: bad job object (application_1504131676014_25116)"
        );
        let mut first = lines.clone();
        first[1] = first[1].replacen("\"num_gpus\": 8,", "\"num_gpus\": \"eight\",", 1);
        let p = temp_file("philly-damaged-first.json", &first.join("\n"));
        let e = read_all(&Philly, &p, &Options::default()).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (Some(2), "job object"), "{e}");
        assert!(!e.to_string().contains("eight"), "{e}");
    }

    #[test]
    fn real_machine_lists() {
        let orig = read_nodes(&Philly, &excerpt("philly/cluster_machine_list")).unwrap();
        assert_eq!(orig.len(), 552);
        assert_eq!(orig.iter().filter(|n| n.gpu_milli == 2000).count(), 321);
        assert_eq!((orig[0].name.as_str(), orig[0].gpu_model.as_str()), ("m0", "12GB"));
        let rev = read_nodes(&Philly, &excerpt("philly/revised_machine_list.csv")).unwrap();
        assert_eq!(rev.len(), 552);
        assert_eq!(rev.iter().filter(|n| n.gpu_milli == 8000).count(), 264);
        assert_eq!(rev[0].cpu_milli, 48_000);
    }
}
