//! Standard Workload Format (SWF v2.2, Parallel Workloads Archive) and the extended SWF of
//! MetaCentrum (21 fields). Mapping per the source formats in traces/README.md, choices in
//! `traces/README.md` ("Mappings: swf"). Sources: the SWF definition (Feitelson et al.,
//! <https://www.cs.huji.ac.il/labs/parallel/workload/swf.html>: fields 7 and 10, used and requested
//! memory, are KB per processor); the Alea simulator's reader of the extended format
//! (github.com/aleasimulator/alea, `Alea/src/alea/core/WorkloadReaderSWF.java`: field 10 is
//! "requested RAM = KB per node (not CPU)", in bytes for the MetaCentrum data sets, which it
//! divides by 1024; field 21 holds the PBS `nodes=` spec, whose `ppn` it truncates and whose
//! `+` chunks it leaves as a "to do").
//!
//! - header comments `; Key: value` are read for `UnixStartTime`, `MaxNodes`, `MaxProcs` and
//!   `Queue: <n> <name>`; other lines starting with `;` are comments;
//! - arrival = field 2 (+ `UnixStartTime`); duration = field 4; recorded wait = field 3
//!   (`-1` = unknown); width = field 5, or field 8 when 5 is `-1`; the user's runtime estimate
//!   = field 9, requested time (`-1` = none), kept as `requested_ms` (the backfill policies' runtime estimate, docs/backfill.md);
//! - pods = ceil(width / cpus_per_node) (see [`super::Options::swf_cpus_per_node`]), each with
//!   ceil(width / pods) cores; gang = pods when pods > 1; no GPUs;
//! - memory per pod = requested memory (field 10), else used memory (field 7): KB per processor
//!   times the pod's cores in SWF, bytes per node (= per pod) in extended SWF; else 4 GiB per core;
//! - namespace = `user-<field 12>` (`default` if -1); queue = the header's name for field 15,
//!   else `queue-<n>`, or the extended SWF's field 20; the extended PBS spec (field 21, the
//!   grammar in [`super::pbs`]) gives pods = its nodes, each with its processors / nodes cores;
//! - status (field 11): 1 -> succeeded, 0 -> failed (1), 5 -> killed (137), -1 -> succeeded
//!   (models and logs without status, e.g. NASA); counted skips: run time -1 (unknown),
//!   other statuses (partial-execution records of checkpointing/preemption), negative submit
//!   times, bad or zero PBS specs, and (after the first job line) lines that are not SWF;
//! - a job larger than the machine (when it is known) is kept and counted.

use std::collections::BTreeMap;
use std::path::Path;

use super::input::{Lines, decimal_milli, open};
use super::{Emit, ImportReport, Importer, Options, Outcome, TraceJob, pbs};
use crate::error::{InputError, quote};

/// The `swf` format: Standard Workload Format (SWF v2.2) and the extended SWF of MetaCentrum.
pub struct Swf;

impl Importer for Swf {
    fn name(&self) -> &'static str {
        "swf"
    }

    fn about(&self) -> &'static str {
        "Standard Workload Format (SWF v2.2) and the extended SWF of MetaCentrum"
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
}

/// What the header comments say.
#[derive(Default)]
struct Header {
    unix_start_s: i64,
    max_nodes: Option<u64>,
    max_procs: Option<u64>,
    queues: BTreeMap<i64, String>,
}

const FIELD_NAMES: [&str; 21] = [
    "job_number",
    "submit_time",
    "wait_time",
    "run_time",
    "allocated_processors",
    "average_cpu_time",
    "used_memory",
    "requested_processors",
    "requested_time",
    "requested_memory",
    "status",
    "user_id",
    "group_id",
    "executable",
    "queue",
    "partition",
    "preceding_job",
    "think_time",
    "node_ids",
    "queue_name",
    "pbs_spec",
];

fn header_line(h: &mut Header, comment: &str) {
    let Some((key, value)) = comment.split_once(':') else {
        return;
    };
    let value = value.trim();
    match key.trim() {
        "UnixStartTime" => h.unix_start_s = value.parse().unwrap_or(0),
        "MaxNodes" => h.max_nodes = value.parse().ok(),
        "MaxProcs" => h.max_procs = value.parse().ok(),
        "Queue" => {
            let mut parts = value.split_whitespace();
            if let (Some(n), Some(name)) = (parts.next().and_then(|n| n.parse().ok()), parts.next()) {
                h.queues.insert(n, name.to_string());
            }
        }
        _ => {}
    }
}

/// `cpus_per_node` of the first cluster and of the largest node, from `<log>.machines` (Alea:
/// one cluster a line, `id name nodes cpus_per_node speed ram_kb`).
fn machines_file(path: &Path) -> Option<(u64, u64)> {
    let mut name = path.file_name()?.to_os_string();
    name.push(".machines");
    // A machines file is a few lines: anything longer than 1 MiB is not one.
    let bytes = crate::limits::read_file_at_most(&path.with_file_name(name), 1 << 20).ok()??;
    let text = String::from_utf8(bytes).ok()?;
    let cpus = |l: &str| l.split_whitespace().nth(3)?.parse::<u64>().ok().filter(|c| *c > 0);
    let mut lines = text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with(';'));
    let first = cpus(lines.next()?)?;
    Some((first, lines.filter_map(cpus).fold(first, u64::max)))
}

struct Fields<'a> {
    path: &'a Path,
    line: usize,
    /// (1-based column, text)
    f: Vec<(usize, &'a str)>,
}

impl<'a> Fields<'a> {
    /// Splits job line `line` of `path` into its whitespace-separated fields.
    fn split(path: &'a Path, line: usize, text: &'a str) -> Fields<'a> {
        // Column positions for errors.
        let mut f: Vec<(usize, &str)> = Vec::with_capacity(21);
        let mut col = 1;
        let mut rest = text;
        while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
            let tok_len = rest[start..].find(char::is_whitespace).unwrap_or(rest.len() - start);
            col += rest[..start].chars().count();
            f.push((col, &rest[start..start + tok_len]));
            col += rest[start..start + tok_len].chars().count();
            rest = &rest[start + tok_len..];
        }
        Fields { path, line, f }
    }

    fn err(&self, k: usize, msg: String, fix: &str) -> InputError {
        InputError::new(FIELD_NAMES.get(k).copied().unwrap_or(""), msg, fix).at(
            self.path,
            self.line,
            self.f.get(k).map(|x| x.0),
        )
    }

    /// Field `k` (0-based) in thousandths; `-1` stays `-1000`.
    fn milli(&self, k: usize) -> Result<i64, InputError> {
        let s = self.f[k].1;
        decimal_milli(s).ok_or_else(|| {
            self.err(
                k,
                format!("{} is not a number", quote(s)),
                "SWF fields are numbers, -1 if unknown",
            )
        })
    }

    /// Field `k` as a whole number (fractions dropped), `None` if negative (unknown).
    fn whole(&self, k: usize) -> Result<Option<i64>, InputError> {
        let v = self.milli(k)?;
        Ok(if v < 0 { None } else { Some(v / 1000) })
    }
}

fn import(path: &Path, opts: &Options, report: &mut ImportReport, emit: &mut Emit<'_>) -> Result<(), InputError> {
    let mut lines = Lines::new(open(path)?, path, opts.max_line_bytes);
    let mut h = Header::default();
    let given = match opts.swf_cpus_per_node {
        Some(c) => Some((u64::from(c), u64::from(c))),
        None => machines_file(path),
    };
    let mut machine: Option<Machine> = None;
    while let Some((line, text)) = lines.next_row()? {
        let text = match text {
            Ok(t) => t,
            Err(e) => {
                // A comment in another encoding (a Latin-1 site name) says nothing kubesim reads.
                if lines.raw().trim_ascii_start().starts_with(b";") {
                    continue;
                }
                report.rows_read += 1;
                report.skip_bad_row(e, report.rows_read == 1, "")?;
                continue;
            }
        };
        let t = text.trim();
        if let Some(c) = t.strip_prefix(';') {
            header_line(&mut h, c);
            continue;
        }
        if t.is_empty() {
            continue;
        }
        let m = *machine.get_or_insert_with(|| Machine::of(given, &h));
        report.rows_read += 1;
        let first = report.rows_read == 1;
        let fl = Fields::split(path, line, text);
        let id = fl.f.first().map_or("", |x| x.1);
        match job_of(&fl, &h, m, opts, report) {
            Ok(Some((submit_ms, job))) => {
                emit(line, submit_ms.saturating_add(h.unix_start_s.saturating_mul(1000)), job)?
            }
            Ok(None) => {}
            Err(e) => report.skip_bad_row(e, first, id)?,
        }
    }
    Ok(())
}

/// What the log says of its machine: processors per node (what spreads a width over pods) and,
/// when known, the largest node and the whole machine (what a job is checked against).
#[derive(Clone, Copy)]
struct Machine {
    cpus_per_node: u64,
    /// Processors of the largest node, if the options, a `.machines` file or the header say.
    largest_node: Option<u64>,
    /// `MaxProcs` of the header.
    max_procs: Option<u64>,
}

impl Machine {
    /// `given`: processors per node and of the largest node, from the options or a machines file.
    fn of(given: Option<(u64, u64)>, h: &Header) -> Machine {
        let from_header = match (h.max_procs, h.max_nodes) {
            (Some(p), Some(n)) if n > 0 && p >= n => Some((p / n, p / n)),
            _ => None,
        };
        let known = given.or(from_header);
        Machine {
            cpus_per_node: known.map_or(1, |k| k.0),
            largest_node: known.map(|k| k.1),
            max_procs: h.max_procs.filter(|p| *p > 0),
        }
    }
}

/// The reason a job larger than the machine is counted under (kept, not skipped).
const TOO_LARGE: &str = "larger than the largest machine";

/// The job of one SWF job line (`fl`), with its submit time relative to the header's start;
/// `None` if the line is skipped (counted in `report`); an error for a field that is not a
/// number or a short line (which the caller skips, unless it is the file's first job line).
fn job_of(
    fl: &Fields,
    h: &Header,
    m: Machine,
    opts: &Options,
    report: &mut ImportReport,
) -> Result<Option<(i64, TraceJob)>, InputError> {
    let line = fl.line;
    if fl.f.len() < 18 {
        return Err(InputError::new(
            "",
            format!("{} fields, expected 18", fl.f.len()),
            "an SWF job line has 18 whitespace-separated fields (-1 for unknown)",
        )
        .at(fl.path, line, None));
    }
    let extended = fl.f.len() > 18;
    let job_number = fl.f[0].1.to_string();
    let submit_ms = fl.milli(1)?;
    let wait_ms = fl.milli(2)?;
    let run_ms = fl.milli(3)?;
    let alloc = fl.whole(4)?;
    let requested = fl.whole(7)?;
    let used_mem = fl.whole(6)?;
    let req_mem = fl.whole(9)?;
    let status = fl.milli(10)?;
    let user = fl.whole(11)?;
    let queue_n = fl.whole(14)?;
    let skip = |report: &mut ImportReport, why: &str| {
        report.skip(line, why, &job_number);
        Ok(None)
    };
    if submit_ms < 0 {
        return skip(report, "negative submit time");
    }
    let Some((outcome, exit_code)) = outcome_of(status) else {
        return skip(report, "status other than 1, 0, 5, -1 (partial-execution record)");
    };
    if run_ms < 0 {
        return skip(report, "run time -1 (unknown)");
    }
    let width = alloc.or(requested).filter(|w| *w > 0);
    let (ext, shape) = match extended_fields(fl) {
        Ok(x) => x,
        Err(why) => return skip(report, why),
    };
    let (pods, cores_per_pod) = match (shape, width) {
        (Some(s), _) => (s.nodes, s.procs_per_pod()),
        (None, Some(w)) => {
            let w = w as u64;
            let pods = w.div_ceil(m.cpus_per_node.max(1));
            (pods, w.div_ceil(pods))
        }
        (None, None) => return skip(report, "no processor count (fields 5 and 8 are -1 or 0)"),
    };
    let Some(pods32) = u32::try_from(pods)
        .ok()
        .filter(|p| *p <= crate::limits::MAX_WORKLOAD_PODS)
    else {
        return skip(report, "too many pods");
    };
    let largest_ppn = shape.map_or(cores_per_pod, |s| s.max_ppn);
    let total = pods.saturating_mul(cores_per_pod);
    if m.largest_node.is_some_and(|n| largest_ppn > n) || m.max_procs.is_some_and(|p| total > p) {
        report.flag(TOO_LARGE);
    }
    let cores = i64::try_from(cores_per_pod).unwrap_or(i64::MAX);
    let memory_bytes = match req_mem.filter(|m| *m > 0).or(used_mem.filter(|m| *m > 0)) {
        // Extended SWF (MetaCentrum, Alea): bytes per node, a node being a pod.
        Some(bytes) if extended => bytes,
        // SWF: KB per processor.
        Some(kb) => kb.saturating_mul(1024).saturating_mul(cores),
        None => opts.mem_per_cpu().saturating_mul(cores),
    };
    let queue = match (ext, queue_n) {
        (Some(q), _) => q,
        (None, Some(n)) => h.queues.get(&n).cloned().unwrap_or_else(|| format!("queue-{n}")),
        (None, None) => String::new(),
    };
    let namespace = user.map_or_else(|| "default".to_string(), |u| format!("user-{u}"));
    let job = TraceJob {
        queue,
        duration_ms: u64::try_from(run_ms).unwrap_or(0),
        outcome,
        exit_code,
        recorded_wait_ms: u64::try_from(wait_ms).ok(),
        requested_ms: u64::try_from(fl.milli(8)?).ok(),
        ..TraceJob::of_pods(
            job_number.clone(),
            namespace,
            pods32,
            [cores.saturating_mul(1000), memory_bytes, 0],
        )
    };
    Ok(Some((submit_ms, job)))
}

/// The status (field 11) as an outcome and exit code; `None` for a partial-execution record.
fn outcome_of(status: i64) -> Option<(Outcome, i32)> {
    match status {
        1000 => Some((Outcome::Succeeded, 0)),
        0 => Some((Outcome::Failed, 1)),
        5000 => Some((Outcome::Killed, 137)),
        -1000 => Some((Outcome::Succeeded, 0)),
        _ => None,
    }
}

/// The queue name and the PBS spec's shape of an extended SWF line (fields after 18: the node
/// ids `{...}`, which may hold spaces, then the queue name and the PBS spec); `(None, None)` for
/// an SWF line; the skip reason of a spec that cannot be read.
fn extended_fields(fl: &Fields) -> Result<(Option<String>, Option<pbs::PbsShape>), &'static str> {
    let mut k = 18;
    if fl.f.get(k).is_some_and(|x| x.1.starts_with('{')) {
        while k < fl.f.len() && !fl.f[k].1.ends_with('}') {
            k += 1;
        }
        k += 1;
    }
    let extra: Vec<&str> = fl.f.iter().skip(k).map(|x| x.1).collect();
    let queue = extra.first().map(|q| (*q).to_string());
    let shape = extra.get(1).map(|spec| pbs::parse(spec)).transpose()?;
    Ok((queue, shape))
}

#[cfg(test)]
mod tests {
    use super::super::read_all;
    use super::super::testutil::{assert_bad_rows, excerpt, read_shared, temp_file};
    use super::*;

    #[test]
    fn real_nasa_log_excerpt() {
        let p = excerpt("swf/NASA-iPSC-1993-3.1-cln.excerpt.swf");
        let (jobs, r) = read_all(&Swf, &p, &Options::default()).unwrap();
        assert_eq!((r.rows_read, r.jobs), (300, 300));
        // Every job fits the header's 128 processors.
        assert!(r.flagged.is_empty(), "{:?}", r.flagged);
        // "    1        0     -1   1451  128 ... -1   1   1  -1 -1 -1 -1 -1": 128 procs on
        // 1-CPU nodes (MaxProcs 128 / MaxNodes 128) = a gang of 128 one-core pods; no wait; status -1.
        assert_eq!(
            jobs[0],
            TraceJob {
                id: "1".into(),
                submit_ms: 0,
                namespace: "user-1".into(),
                queue: String::new(),
                priority_class: String::new(),
                pods: 128,
                cpu_milli: 1000,
                memory_bytes: 4 << 30,
                gpu_milli: 0,
                gang: 128,
                duration_ms: 1_451_000,
                outcome: Outcome::Succeeded,
                exit_code: 0,
                recorded_wait_ms: None,
                gpu_models: String::new(),
                patience_ms: None,
                requested_ms: None,
            }
        );
        // " 1138   288452     -1   8666   64     -1    -1   -1     -1    -1 -1   4   1   3 -1 -1 -1 -1"
        let last = jobs.last().unwrap();
        assert_eq!(
            (last.id.as_str(), last.submit_ms, last.duration_ms),
            ("1138", 288_452_000, 8_666_000)
        );
        assert_eq!((last.pods, last.gang, last.namespace.as_str()), (64, 64, "user-4"));
        // 217 of the 300 jobs use more than one processor (awk: field 5 > 1), so are gangs.
        assert_eq!(jobs.iter().filter(|j| j.gang > 1).count(), 217);
    }

    /// What only the whole cleaned NASA log shows: its size and its last job.
    #[test]
    fn real_nasa_log_full() {
        let Some((jobs, r)) = read_shared(&Swf, "swf/NASA-iPSC-1993-3.1-cln.swf") else {
            return;
        };
        assert_eq!((r.rows_read, r.jobs), (18_239, 18_239));
        // "42264  7948936     -1     86  128     -1    -1   -1     -1    -1 -1  12   2  -1 -1 -1 -1 -1"
        let last = jobs.last().unwrap();
        assert_eq!(
            (last.id.as_str(), last.submit_ms, last.duration_ms),
            ("42264", 7_948_936_000, 86_000)
        );
        assert_eq!((last.pods, last.namespace.as_str()), (128, "user-12"));
    }

    #[test]
    fn real_hpc2n_excerpt() {
        let p = excerpt("swf/HPC2N-2002-2.2.excerpt.swf");
        let (jobs, r) = read_all(&Swf, &p, &Options::default()).unwrap();
        // 400 jobs, 6 of them with run time -1 (awk: field 4 == -1), the first on line 34.
        assert_eq!(r.rows_read, 400);
        assert_eq!(r.skipped, vec![("run time -1 (unknown)".to_string(), 6)]);
        assert!(
            r.first_skips[0].starts_with("line 34: run time -1"),
            "{:?}",
            r.first_skips
        );
        assert_eq!(jobs.len(), 394);
        // "    1        0 308434  31405   30  31405    -1   30  37980    -1  1   1   1  -1 -1  1 -1 -1"
        // 30 processors on 2-CPU nodes (the .machines file) = 15 pods of 2 cores; queue -1.
        assert_eq!(
            jobs[0],
            TraceJob {
                id: "1".into(),
                submit_ms: 0,
                namespace: "user-1".into(),
                queue: String::new(),
                priority_class: String::new(),
                pods: 15,
                cpu_milli: 2000,
                memory_bytes: 2 * (4 << 30),
                gpu_milli: 0,
                gang: 15,
                duration_ms: 31_405_000,
                outcome: Outcome::Succeeded,
                exit_code: 0,
                recorded_wait_ms: Some(308_434_000),
                gpu_models: String::new(),
                patience_ms: None,
                // Field 9, the requested time: 37980 s.
                requested_ms: Some(37_980_000),
            }
        );
        // " 1040  1648635  20068   9001   28 957.31    -1   28  86400    -1  1   6   1  -1 -1  1 -1 -1"
        let last = jobs.last().unwrap();
        assert_eq!(
            (last.id.as_str(), last.submit_ms, last.duration_ms),
            ("1040", 1_648_635_000, 9_001_000)
        );
        assert_eq!((last.pods, last.cpu_milli, last.gang), (14, 2000, 14));
        assert_eq!(last.recorded_wait_ms, Some(20_068_000));
        assert_eq!(last.requested_ms, Some(86_400_000));
    }

    /// What only the whole Alea excerpt shows: its size, its skips and the used-memory column
    /// (every job of the project's excerpt has field 7 at -1).
    #[test]
    fn real_hpc2n_full() {
        let Some((jobs, r)) = read_shared(&Swf, "swf/HPC2N-2002-2.2.alea-excerpt.swf") else {
            return;
        };
        assert_eq!(r.rows_read, 3170);
        assert_eq!(r.skipped, vec![("run time -1 (unknown)".to_string(), 25)]);
        // No job is wider than Seth's 240 processors (MaxProcs) or than a 2-CPU node per pod.
        assert!(r.flagged.is_empty(), "{:?}", r.flagged);
        assert_eq!(jobs.len(), 3145);
        // " 7183  4950011  15715    129   50 129.02 18432   50   1800    -1  1   8   1  -1 -1  1 -1 -1"
        // used memory 18432 KB per processor x 2 cores.
        let last = jobs.last().unwrap();
        assert_eq!(
            (last.id.as_str(), last.submit_ms, last.duration_ms),
            ("7183", 4_950_011_000, 129_000)
        );
        assert_eq!(
            (last.pods, last.cpu_milli, last.memory_bytes),
            (25, 2000, 2 * 18_432 * 1024)
        );
        assert_eq!(last.recorded_wait_ms, Some(15_715_000));
    }

    /// A header comment in Latin-1 is passed over; a job line that is not UTF-8 is a malformed
    /// row, skipped.
    #[test]
    fn lines_not_utf8() {
        let mut bytes = b"; Installation: Universit\xe4t\n".to_vec();
        bytes.extend_from_slice(b"1 0 10 600 1 -1 -1 1 3600 -1 1 5 1 -1 -1 -1 -1 -1\n");
        bytes.extend_from_slice(b"2 5 10 600 1 -1 -1 1 3600 -1 1 5 1 -1 -1 -1 -1 -1 \xe4\n");
        bytes.extend_from_slice(b"3 9 10 600 1 -1 -1 1 3600 -1 1 5 1 -1 -1 -1 -1 -1\n");
        let p = temp_file("latin1.swf", "");
        std::fs::write(&p, &bytes).unwrap();
        let (jobs, r) = read_all(&Swf, &p, &Options::default()).unwrap();
        assert_eq!((r.rows_read, jobs.len()), (3, 2));
        assert_eq!(r.first_skips, ["line 3: malformed row"]);
    }

    #[test]
    fn header_queues_extended_rows_and_errors() {
        let text = "; Version: 2.2\n; UnixStartTime: 1000\n; MaxNodes: 4\n; MaxProcs: 16\n; Queue:  0  interactive\n; Queue: 1 batch\n\
            1 10 5 100 8 -1 -1 8 200 -1 1 3 1 -1 1 -1 -1 -1\n\
            2 20 -1 50 -1 -1 -1 3 200 1024 0 3 1 -1 0 -1 -1 -1\n\
            3 30 0 70 1 -1 -1 1 200 -1 5 -1 1 -1 7 -1 -1 -1\n\
            4 40 0 70 1 -1 -1 1 200 -1 3 -1 1 -1 7 -1 -1 -1\n\
            5 50 2 60 24 -1 -1 24 3600 2147483648 1 7 1 -1 -1 -1 -1 -1 {1,2, 3} q_2h 2:ppn=12:cl_zegox#excl\n";
        let p = temp_file("hand.swf", text);
        let (jobs, r) = read_all(&Swf, &p, &Options::default()).unwrap();
        assert_eq!(
            r.skipped,
            vec![(
                "status other than 1, 0, 5, -1 (partial-execution record)".to_string(),
                1
            )]
        );
        assert_eq!(jobs.len(), 4);
        // 4 CPUs per node (16/4): 8 procs -> 2 pods of 4; queue 1 = batch.
        assert_eq!(
            (jobs[0].pods, jobs[0].cpu_milli, jobs[0].gang, jobs[0].queue.as_str()),
            (2, 4000, 2, "batch")
        );
        assert_eq!((jobs[0].submit_ms, jobs[0].recorded_wait_ms), (0, Some(5000)));
        // Field 5 -1: requested 3 procs -> 1 pod of 3 cores, 1024 KB per proc; failed; queue 0 interactive.
        assert_eq!(
            (jobs[1].pods, jobs[1].cpu_milli, jobs[1].memory_bytes),
            (1, 3000, 3 * 1024 * 1024)
        );
        assert_eq!(
            (jobs[1].outcome, jobs[1].exit_code, jobs[1].queue.as_str()),
            (Outcome::Failed, 1, "interactive")
        );
        assert_eq!(
            (jobs[2].outcome, jobs[2].namespace.as_str(), jobs[2].queue.as_str()),
            (Outcome::Killed, "default", "queue-7")
        );
        // Extended: PBS spec 2:ppn=12 -> 2 pods x 12 cores; memory in bytes per node (a pod).
        let x = &jobs[3];
        assert_eq!((x.pods, x.cpu_milli, x.gang, x.queue.as_str()), (2, 12_000, 2, "q_2h"));
        assert_eq!(x.memory_bytes, 2_147_483_648);
        // A job of 24 processors fits MaxProcs 16 nowhere: kept, counted.
        assert_eq!(r.flagged, vec![(TOO_LARGE.to_string(), 1)]);

        // On the first job line, a line that is not SWF is the file's error.
        let cases: &[(&str, &str, &str)] = &[
            ("1 10 5 100 8 -1 -1 8 200 -1 1 3 1 -1 1 -1 -1", "", "17 fields"),
            (
                "1 1O 5 100 8 -1 -1 8 200 -1 1 3 1 -1 1 -1 -1 -1",
                "submit_time",
                "not a number",
            ),
        ];
        assert_bad_rows(&Swf, "bad-swf", "; Version: 2.2", 2, cases);
    }

    /// A machines file of several clusters: the first sets processors per node, the largest
    /// node is what a job is checked against.
    #[test]
    fn machines_file_of_several_clusters() {
        let machines = "0 zigur 32 8 1 33554432\n1 zewura 20 80 1 536870912\n";
        temp_file("clusters.swf.machines", machines);
        let text = "\
            1 0 0 60 16 -1 -1 16 60 -1 1 1 1 -1 -1 -1 -1 -1\n\
            2 1 0 60 64 -1 -1 64 60 -1 1 1 1 -1 -1 -1 -1 -1 {1} q_2h 1:ppn=64\n\
            3 2 0 60 96 -1 -1 96 60 -1 1 1 1 -1 -1 -1 -1 -1 {1} q_2h 1:ppn=96\n";
        let p = temp_file("clusters.swf", text);
        let (jobs, r) = read_all(&Swf, &p, &Options::default()).unwrap();
        // 16 processors on 8-CPU nodes (the first cluster): 2 pods of 8.
        assert_eq!((jobs[0].pods, jobs[0].cpu_milli), (2, 8000));
        // 64 fit an 80-CPU zewura node; 96 fit no node.
        assert_eq!(jobs.len(), 3);
        assert_eq!(r.flagged, vec![(TOO_LARGE.to_string(), 1)]);
    }

    /// Rows in the shape of MetaCentrum's extended SWF (21 fields, memory in bytes per node, the
    /// PBS spec last), one per form of the PBS grammar, and bad rows after a good first one:
    /// every bad row is skipped and counted, none stops the import.
    #[test]
    fn extended_pbs_specs_and_skips() {
        let gib = 1i64 << 30;
        let text = "\
            1 1356994800 10 600 1 -1 -1 1 3600 1073741824 1 5 1 -1 -1 -1 -1 -1 {1} q_2h 1\n\
            2 1356994801 10 600 4 -1 -1 4 3600 1073741824 1 5 1 -1 -1 -1 -1 -1 {1,2,3,4} q_2h 4\n\
            3 1356994802 10 600 1 -1 -1 1 3600 1073741824 1 5 1 -1 -1 -1 -1 -1 {7} q_1d 1:ppn=1.5:brno\n\
            4 1356994803 10 600 20 -1 -1 20 3600 4294967296 1 5 1 -1 -1 -1 -1 -1 {1, 2, 3} q_1d 2:ppn=8+1:ppn=4\n\
            5 1356994804 10 600 64 -1 -1 64 86400 68719476736 1 6 1 -1 -1 -1 -1 -1 {9} q_1w 1:ppn=64:cl_zegox#excl\n\
            6 1356994805 10 600 2 -1 -1 2 3600 1073741824 1 6 1 -1 -1 -1 -1 -1 {3} backfill skirit5.ics.muni.cz:ppn=2\n\
            7 1356994806 10 600 1 -1 -1 1 3600 1073741824 1 6 1 -1 -1 -1 -1 -1 {3} q_2h 1:ppn=x\n\
            8 1356994807 10 600 1 -1 -1 1 3600 1073741824 1 6 1 -1 -1 -1 -1 -1 {3} q_2h 0:ppn=4\n\
            9 1356994808 10 600 1 -1 -1 1 3600 1073741824 1 6 1 -1 -1 -1 -1 -1 {3} q_2h 1:ppn=0\n\
            10 13569948O9 10 600 1 -1 -1 1 3600 1073741824 1 6 1 -1 -1 -1 -1 -1 {3} q_2h 1\n\
            11 1356994810 10 600 1 -1 -1 1 3600\n\
            12 -5 10 600 1 -1 -1 1 3600 -1 1 6 1 -1 -1 -1 -1 -1\n\
            13 1356994812 10 600 1 -1 -1 1 3600 1073741824 1 6 1 -1 -1 -1 -1 -1 {3} q_2h 1:ppn=2\n";
        let p = temp_file("meta.extended-swf", text);
        let opts = Options {
            swf_cpus_per_node: Some(16),
            ..Options::default()
        };
        let (jobs, r) = read_all(&Swf, &p, &opts).unwrap();
        assert_eq!(r.rows_read, 13);
        let skipped: Vec<(&str, u64)> = r.skipped.iter().map(|(w, n)| (w.as_str(), *n)).collect();
        assert_eq!(
            skipped,
            vec![
                ("bad PBS spec", 1),
                ("bad submit_time", 1),
                ("malformed row", 1),
                ("negative submit time", 1),
                ("zero processors", 2),
            ]
        );
        assert_eq!(
            r.summary().unwrap(),
            "skipped 6 of 13 rows: 1 bad PBS spec, 1 bad submit_time, 1 malformed row, \
             1 negative submit time, 2 zero processors; kept 1 larger than the largest machine"
        );
        let got: Vec<(&str, u32, i64, i64, u32)> = jobs
            .iter()
            .map(|j| (j.id.as_str(), j.pods, j.cpu_milli, j.memory_bytes, j.gang))
            .collect();
        assert_eq!(
            got,
            vec![
                ("1", 1, 1000, gib, 1),
                ("2", 4, 1000, gib, 4),
                ("3", 1, 2000, gib, 1),
                // 2 x 8 + 1 x 4 = 20 processors on 3 nodes: 7 each (rounded up).
                ("4", 3, 7000, 4 * gib, 3),
                // 64 cores asking 64 GiB: one pod of 64 GiB (not 64 x 64 GiB), larger than a
                // 16-core node: kept and counted.
                ("5", 1, 64_000, 64 * gib, 1),
                ("6", 1, 2000, gib, 1),
                ("13", 1, 2000, gib, 1),
            ]
        );
        assert_eq!(jobs[4].queue, "q_1w");
        assert_eq!(jobs[5].queue, "backfill");
    }
}
