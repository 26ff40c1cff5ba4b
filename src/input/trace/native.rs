//! kubesim's native trace format: one CSV row per job in canonical, human-readable units, so a
//! trace imported once (or generated) can be replayed, diffed and edited without the original
//! format's quirks. Specified in `traces/README.md` ("Native format"):
//!
//! ```text
//! # kubesim-trace v1
//! submit_s,id,namespace,queue,priority_class,pods,cpu,memory,gpu_milli,gang,duration_s,outcome,exit_code,recorded_wait_s,gpu_models,patience_s,requested_s
//! 0.000,job-1,default,,,1,4,32Gi,1000,1,3600.000,succeeded,0,,,,
//! ```
//!
//! Times are seconds with exactly three decimals (the reader accepts 0 to 3), CPU and memory
//! are Kubernetes quantities, rows are sorted by submit time (the reader rejects unsorted
//! input). The first 14 columns are the base every native trace has; the later ones
//! ([`OPTIONAL`]) were added since and may be absent (a file written before them still loads),
//! or present in any order after the base. The writer writes them all, and is canonical: reading
//! what it wrote and writing again is byte-identical.

use std::fs::File;
use std::io::{self, BufReader, Write};
use std::path::{Path, PathBuf};

use super::input::{Lines, Row, header_names, open};
use super::{Emit, ImportReport, Importer, Options, Outcome, TraceJob};
use crate::error::{InputError, quote};
use crate::input::quantity::parse_quantity;

/// The `kubesim` format: kubesim's native CSV trace (`# kubesim-trace v1`).
pub struct Native;

impl Importer for Native {
    fn name(&self) -> &'static str {
        "kubesim"
    }

    fn about(&self) -> &'static str {
        "kubesim's native CSV trace (`# kubesim-trace v1`)"
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

    fn native(&self) -> bool {
        true
    }
}

/// The first line of a native trace.
pub const MAGIC: &str = "# kubesim-trace v1";
/// The base columns every native trace has, in this order.
pub const BASE_HEADER: &str = "submit_s,id,namespace,queue,priority_class,pods,cpu,memory,gpu_milli,gang,duration_s,outcome,exit_code,recorded_wait_s";
/// The optional columns a native trace may add after the base ones, in any order (each at most
/// once), in the order the writer writes them: `gpu_models` (see [`TraceJob::gpu_models`]),
/// `patience_s` ([`TraceJob::patience_ms`]), `requested_s` ([`TraceJob::requested_ms`]).
pub const OPTIONAL: [&str; 3] = ["gpu_models", "patience_s", "requested_s"];
/// The header line the writer writes: the base columns, then every optional one.
pub const HEADER: &str = "submit_s,id,namespace,queue,priority_class,pods,cpu,memory,gpu_milli,gang,duration_s,outcome,exit_code,recorded_wait_s,gpu_models,patience_s,requested_s";

/// Where a file's header puts each [`OPTIONAL`] column (`None`: absent).
type OptionalCols = [Option<usize>; OPTIONAL.len()];

/// A header line's column names and where the optional columns are; `None` if it is not a
/// native header (the base columns in order, then known optional columns, each at most once).
fn parse_header(line: &str) -> Option<(Vec<String>, OptionalCols)> {
    let names = header_names(line.trim_end());
    let base = BASE_HEADER.split(',').count();
    if names.len() < base || names[..base].iter().zip(BASE_HEADER.split(',')).any(|(n, b)| n != b) {
        return None;
    }
    let mut opt: OptionalCols = [None; OPTIONAL.len()];
    for (i, n) in names.iter().enumerate().skip(base) {
        let k = OPTIONAL.iter().position(|o| o == n)?;
        if opt[k].replace(i).is_some() {
            return None;
        }
    }
    Some((names, opt))
}

/// Formats ms as seconds with exactly three decimals.
pub fn fmt_secs(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// CPU millicores as a canonical quantity: `4` for whole cores, else `500m`.
pub fn fmt_cpu(milli: i64) -> String {
    if milli % 1000 == 0 {
        format!("{}", milli / 1000)
    } else {
        format!("{milli}m")
    }
}

/// Bytes as a canonical quantity: the largest binary suffix that divides exactly (`32Gi`),
/// else plain bytes.
pub fn fmt_memory(bytes: i64) -> String {
    if bytes == 0 {
        return "0".to_string();
    }
    for (suffix, shift) in [("Ei", 60), ("Pi", 50), ("Ti", 40), ("Gi", 30), ("Mi", 20), ("Ki", 10)] {
        if bytes % (1i64 << shift) == 0 {
            return format!("{}{suffix}", bytes >> shift);
        }
    }
    bytes.to_string()
}

fn csv_text(s: &str) -> io::Result<String> {
    if s.contains(['\n', '\r']) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("a native trace field cannot contain a line break: {}", quote(s)),
        ));
    }
    if s.contains([',', '"']) || s.trim() != s {
        Ok(format!("\"{}\"", s.replace('"', "\"\"")))
    } else {
        Ok(s.to_string())
    }
}

/// Writes a native trace one job at a time (constant memory): the two header lines on
/// creation, then one row per [`NativeWriter::write`]. Jobs must come sorted by submit time.
pub struct NativeWriter<'w> {
    w: &'w mut dyn Write,
    last: u64,
    rows: u64,
}

impl<'w> NativeWriter<'w> {
    /// Writes the header lines.
    pub fn new(w: &'w mut dyn Write) -> io::Result<Self> {
        writeln!(w, "{MAGIC}")?;
        writeln!(w, "{HEADER}")?;
        Ok(NativeWriter { w, last: 0, rows: 0 })
    }

    /// Writes one job; an `InvalidInput` error if it is earlier than the previous one or a text
    /// field has a line break.
    pub fn write(&mut self, j: &TraceJob) -> io::Result<()> {
        if j.submit_ms < self.last {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "job {} ({}) is submitted at {} s, before the previous job at {} s: sort jobs by submit time",
                    self.rows + 1,
                    quote(&j.id),
                    fmt_secs(j.submit_ms),
                    fmt_secs(self.last)
                ),
            ));
        }
        self.last = j.submit_ms;
        self.rows += 1;
        writeln!(
            self.w,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            fmt_secs(j.submit_ms),
            csv_text(&j.id)?,
            csv_text(&j.namespace)?,
            csv_text(&j.queue)?,
            csv_text(&j.priority_class)?,
            j.pods,
            fmt_cpu(j.cpu_milli),
            fmt_memory(j.memory_bytes),
            j.gpu_milli,
            j.gang,
            fmt_secs(j.duration_ms),
            j.outcome.name(),
            j.exit_code,
            j.recorded_wait_ms.map(fmt_secs).unwrap_or_default(),
            csv_text(&j.gpu_models)?,
            j.patience_ms.map(fmt_secs).unwrap_or_default(),
            j.requested_ms.map(fmt_secs).unwrap_or_default(),
        )
    }
}

/// Writes jobs as a native trace. The jobs must be sorted by submit time (an `InvalidInput`
/// error otherwise, as for text fields with line breaks).
pub fn write_native<'a>(w: &mut dyn Write, jobs: impl Iterator<Item = &'a TraceJob>) -> io::Result<()> {
    let mut nw = NativeWriter::new(w)?;
    for j in jobs {
        nw.write(j)?;
    }
    Ok(())
}

/// Parses seconds with at most three decimals into ms.
fn parse_secs(s: &str) -> Option<u64> {
    let (int_part, frac) = s.split_once('.').unwrap_or((s, ""));
    if int_part.is_empty() || int_part.len() > 15 || frac.len() > 3 {
        return None;
    }
    if !int_part.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u64 = int_part.parse().ok()?;
    let mut milli: u64 = if frac.is_empty() { 0 } else { frac.parse().ok()? };
    for _ in frac.len()..3 {
        milli *= 10;
    }
    whole.checked_mul(1000)?.checked_add(milli)
}

fn parse_row(row: &Row<'_, '_>, opt: &OptionalCols) -> Result<TraceJob, InputError> {
    let secs = |i: usize| {
        parse_secs(row.get(i)).ok_or_else(|| {
            row.err(
                i,
                format!("{} is not a time in seconds", quote(row.get(i))),
                "write non-negative seconds with at most three decimals, such as 12.500",
            )
        })
    };
    let id = row.get(1).to_string();
    if id.is_empty() {
        return Err(row.err(1, "empty job id", "give every job an id"));
    }
    let pods = u32::try_from(row.u64(5)?).ok().filter(|p| *p >= 1).ok_or_else(|| {
        row.err(
            5,
            format!("pods {} out of range", quote(row.get(5))),
            format!("write a pod count from 1 to {}", crate::limits::MAX_WORKLOAD_PODS),
        )
    })?;
    let cpu_milli = parse_quantity("cpu", row.get(6)).map_err(|m| row.err(6, m, "write CPU such as 4 or 500m"))?;
    let memory_bytes =
        parse_quantity("memory", row.get(7)).map_err(|m| row.err(7, m, "write memory such as 32Gi or 512Mi"))?;
    let gpu_milli = row.i64_nonneg(8)?;
    let gang = u32::try_from(row.u64(9)?)
        .ok()
        .filter(|g| *g >= 1 && *g <= pods)
        .ok_or_else(|| {
            row.err(
                9,
                format!("gang {} must be between 1 and pods ({pods})", quote(row.get(9))),
                "write 1 for no gang, or the number of pods that must run together",
            )
        })?;
    let outcome = Outcome::parse(row.get(11)).ok_or_else(|| {
        row.err(
            11,
            format!("unknown outcome {}", quote(row.get(11))),
            "write succeeded, failed, killed or running",
        )
    })?;
    let exit_code: i32 = row.get(12).parse().map_err(|_| {
        row.err(
            12,
            format!("{} is not an exit code", quote(row.get(12))),
            "write an integer such as 0 or 137",
        )
    })?;
    let recorded_wait_ms = if row.get(13).is_empty() { None } else { Some(secs(13)?) };
    let gpu_models = match opt[0] {
        Some(i) => {
            let models = row.get(i);
            super::check_gpu_models(models).map_err(|(m, fix)| row.err(i, m, fix))?;
            models.to_string()
        }
        None => String::new(),
    };
    // An optional time: empty (or an absent column) for none.
    let optional_secs = |k: usize| match opt[k] {
        Some(i) if !row.get(i).is_empty() => secs(i).map(Some),
        _ => Ok(None),
    };
    let patience_ms = optional_secs(1)?;
    let requested_ms = optional_secs(2)?;
    Ok(TraceJob {
        id,
        submit_ms: secs(0)?,
        namespace: row.get(2).to_string(),
        queue: row.get(3).to_string(),
        priority_class: row.get(4).to_string(),
        pods,
        cpu_milli,
        memory_bytes,
        gpu_milli,
        gang,
        duration_ms: secs(10)?,
        outcome,
        exit_code,
        recorded_wait_ms,
        gpu_models,
        patience_ms,
        requested_ms,
    })
}

/// The native reader behind [`super::read`] with [`Native`].
fn import(path: &Path, opts: &Options, report: &mut ImportReport, emit: &mut Emit<'_>) -> Result<(), InputError> {
    let mut lines = Lines::new(open(path)?, path, opts.max_line_bytes);
    match lines.next_line()? {
        Some((_, l)) if l.trim_end() == MAGIC => {}
        // The line found is not shown: the file may be anything (the wrong path or format).
        _ => {
            return Err(InputError::new(
                "",
                format!("not a kubesim trace: expected the first line {MAGIC}"),
                format!("start the file with the line {MAGIC}, or choose the trace's real --format"),
            )
            .at(path, 1, Some(1)));
        }
    }
    let (names, opt) = match lines.next_line()?.and_then(|(_, l)| parse_header(l)) {
        Some(h) => h,
        None => {
            return Err(InputError::new(
                "",
                format!("not a kubesim trace: expected the header {HEADER}"),
                format!(
                    "the second line must be the columns {BASE_HEADER}, optionally followed by any of {}",
                    OPTIONAL.join(", ")
                ),
            )
            .at(path, 2, Some(1)));
        }
    };
    let mut last: Option<(u64, usize)> = None;
    while let Some((line, text)) = lines.next_line()? {
        if text.trim().is_empty() {
            continue;
        }
        report.rows_read += 1;
        let row = Row::parse(path, line, text, &names)?;
        let job = parse_row(&row, &opt)?;
        if let Some((prev, prev_line)) = last
            && job.submit_ms < prev
        {
            return Err(row.err(
                0,
                format!(
                    "the trace is not sorted by submit time: line {line} has submit_s {}, earlier than {} on line {prev_line}",
                    fmt_secs(job.submit_ms),
                    fmt_secs(prev)
                ),
                "sort the rows by submit_s (e.g. keep the header lines and `sort -t, -k1,1g` the rest)",
            ));
        }
        last = Some((job.submit_ms, line));
        let t = i64::try_from(job.submit_ms).unwrap_or(i64::MAX);
        emit(line, t, job)?;
    }
    Ok(())
}

/// Reads back, one job at a time, a native trace that [`NativeWriter`] wrote in this process
/// (the sorted runs of [`super::sort`]); no checks of order, as the writer sorted them.
pub(crate) struct RunReader {
    lines: Lines<BufReader<File>>,
    names: Vec<String>,
    opt: OptionalCols,
    path: PathBuf,
}

impl RunReader {
    pub(crate) fn open(path: &Path) -> Result<RunReader, InputError> {
        let mut lines = Lines::new(open(path)?, path, super::DEFAULT_MAX_LINE_BYTES);
        // The magic line and the header, as the writer wrote them.
        lines.next_line()?;
        lines.next_line()?;
        let (names, opt) = parse_header(HEADER).expect("the writer's header is a native header");
        Ok(RunReader {
            lines,
            names,
            opt,
            path: path.to_path_buf(),
        })
    }

    pub(crate) fn next_job(&mut self) -> Result<Option<TraceJob>, InputError> {
        match self.lines.next_line()? {
            None => Ok(None),
            Some((line, text)) => parse_row(&Row::parse(&self.path, line, text, &self.names)?, &self.opt).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::temp_file;
    use super::super::{read, read_all};
    use super::*;

    fn job(id: &str, submit_ms: u64) -> TraceJob {
        TraceJob {
            id: id.to_string(),
            submit_ms,
            namespace: "team-a".to_string(),
            queue: "q1".to_string(),
            priority_class: String::new(),
            pods: 2,
            cpu_milli: 4_500,
            memory_bytes: 32 << 30,
            gpu_milli: 500,
            gang: 2,
            duration_ms: 3_600_001,
            outcome: Outcome::Killed,
            exit_code: 137,
            recorded_wait_ms: Some(12),
            gpu_models: String::new(),
            patience_ms: None,
            requested_ms: None,
        }
    }

    #[test]
    fn quantities_are_canonical() {
        assert_eq!(fmt_cpu(4000), "4");
        assert_eq!(fmt_cpu(4500), "4500m");
        assert_eq!(fmt_memory(32 << 30), "32Gi");
        assert_eq!(fmt_memory(1536 << 20), "1536Mi");
        assert_eq!(fmt_memory(1000), "1000");
        assert_eq!(fmt_memory(0), "0");
        assert_eq!(fmt_secs(1), "0.001");
        assert_eq!(parse_secs("12"), Some(12_000));
        assert_eq!(parse_secs("12.5"), Some(12_500));
        assert_eq!(parse_secs("12.0005"), None);
        assert_eq!(parse_secs("-1"), None);
    }

    #[test]
    fn round_trip_is_byte_identical() {
        let mut a = job("a", 0);
        a.recorded_wait_ms = None;
        a.outcome = Outcome::Succeeded;
        a.exit_code = 0;
        let mut b = job("b,with \"comma\"", 1_500);
        b.memory_bytes = 1000;
        let c = job("c", 1_500);
        let mut out = Vec::new();
        write_native(&mut out, [a.clone(), b.clone(), c.clone()].iter()).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.starts_with(&format!(
            "{MAGIC}\n{HEADER}\n0.000,a,team-a,q1,,2,4500m,32Gi,500,2,3600.001,succeeded,0,,,,\n"
        )));
        let p = temp_file("roundtrip.csv", &text);
        let (jobs, report) = read_all(&Native, &p, &Options::default()).unwrap();
        assert_eq!(jobs, vec![a, b, c]);
        assert_eq!(report.rows_read, 3);
        assert_eq!(report.jobs, 3);
        let mut again = Vec::new();
        write_native(&mut again, jobs.iter()).unwrap();
        assert_eq!(again, out);
    }

    #[test]
    fn optional_columns_may_be_absent_or_in_any_order() {
        assert_eq!(HEADER, format!("{BASE_HEADER},{}", OPTIONAL.join(",")));
        let row = "0.000,a,default,,,1,1,1Gi,1000,1,1.000,succeeded,0,";
        // A file from before the optional columns: no GPU-model constraint.
        let p = temp_file("opt-old.csv", &format!("{MAGIC}\n{BASE_HEADER}\n{row}\n"));
        let (jobs, _) = read_all(&Native, &p, &Options::default()).unwrap();
        assert_eq!(jobs[0].gpu_models, "");
        // With the column: the models, as written.
        let p = temp_file(
            "opt-new.csv",
            &format!("{MAGIC}\n{BASE_HEADER},gpu_models\n{row},V100M16|V100M32\n{row},\n"),
        );
        let (jobs, _) = read_all(&Native, &p, &Options::default()).unwrap();
        assert_eq!(
            (jobs[0].gpu_models.as_str(), jobs[1].gpu_models.as_str()),
            ("V100M16|V100M32", "")
        );
        // Written back with every column, and read again the same.
        let mut out = Vec::new();
        write_native(&mut out, jobs.iter()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains(&format!("{HEADER}\n{row},V100M16|V100M32,,\n")), "{text}");
        let p = temp_file("opt-back.csv", &text);
        assert_eq!(read_all(&Native, &p, &Options::default()).unwrap().0, jobs);
        // The optional columns in another order: a patience of 12.5 s.
        let p = temp_file(
            "opt-order.csv",
            &format!("{MAGIC}\n{BASE_HEADER},patience_s,requested_s,gpu_models\n{row},12.5,7200,T4\n{row},,,\n"),
        );
        let (jobs, _) = read_all(&Native, &p, &Options::default()).unwrap();
        assert_eq!(
            (jobs[0].patience_ms, jobs[0].requested_ms, jobs[0].gpu_models.as_str()),
            (Some(12_500), Some(7_200_000), "T4")
        );
        assert_eq!((jobs[1].patience_ms, jobs[1].requested_ms), (None, None));
        let mut out = Vec::new();
        write_native(&mut out, jobs.iter()).unwrap();
        assert!(
            String::from_utf8(out)
                .unwrap()
                .ends_with(&format!("{row},T4,12.500,7200.000\n{row},,,\n"))
        );
        // An unknown or repeated column after the base is not a native header.
        for (k, h) in [
            format!("{BASE_HEADER},gpu_model"),
            format!("{BASE_HEADER},gpu_models,gpu_models"),
        ]
        .iter()
        .enumerate()
        {
            let p = temp_file(&format!("opt-bad{k}.csv"), &format!("{MAGIC}\n{h}\n"));
            let e = read_all(&Native, &p, &Options::default()).unwrap_err();
            assert_eq!(e.line, Some(2), "{e}");
            assert!(e.fix.contains("optionally followed by any of gpu_models"), "{e}");
        }
        // An empty model in the list.
        let p = temp_file("opt-empty.csv", &format!("{MAGIC}\n{HEADER}\n{row},T4||G3,,\n"));
        let e = read_all(&Native, &p, &Options::default()).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (Some(3), "gpu_models"), "{e}");
        assert!(e.message.contains("have an empty model"), "{e}");
    }

    #[test]
    fn unsorted_input_names_line_and_times() {
        let text = format!(
            "{MAGIC}\n{BASE_HEADER}\n5.000,a,default,,,1,1,1Gi,0,1,1.000,succeeded,0,\n4.250,b,default,,,1,1,1Gi,0,1,1.000,succeeded,0,\n"
        );
        let p = temp_file("unsorted.csv", &text);
        let e = read(&Native, &p, &Options::default(), &mut |_| Ok(())).unwrap_err();
        assert_eq!(e.line, Some(4));
        assert_eq!(e.field, "submit_s");
        assert!(e.message.contains("not sorted"), "{e}");
        assert!(
            e.message.contains("4.250") && e.message.contains("5.000") && e.message.contains("line 3"),
            "{e}"
        );
        // The writer refuses unsorted jobs too.
        let mut out = Vec::new();
        assert!(write_native(&mut out, [job("a", 5), job("b", 4)].iter()).is_err());
    }

    #[test]
    fn malformed_fields_name_line_column_and_field() {
        let good = "0.000,a,default,,,1,1,1Gi,0,1,1.000,succeeded,0,";
        let cases: &[(&str, &str, &str)] = &[
            (
                "x.000,a,default,,,1,1,1Gi,0,1,1.000,succeeded,0,",
                "submit_s",
                "not a time",
            ),
            (
                "0.0001,a,default,,,1,1,1Gi,0,1,1.000,succeeded,0,",
                "submit_s",
                "not a time",
            ),
            ("0.000,,default,,,1,1,1Gi,0,1,1.000,succeeded,0,", "id", "empty job id"),
            (
                "0.000,a,default,,,0,1,1Gi,0,1,1.000,succeeded,0,",
                "pods",
                "out of range",
            ),
            (
                "0.000,a,default,,,1,1x,1Gi,0,1,1.000,succeeded,0,",
                "cpu",
                "invalid quantity",
            ),
            (
                "0.000,a,default,,,1,1,-1Gi,0,1,1.000,succeeded,0,",
                "memory",
                "negative",
            ),
            (
                "0.000,a,default,,,1,1,1Gi,-5,1,1.000,succeeded,0,",
                "gpu_milli",
                "non-negative integer",
            ),
            (
                "0.000,a,default,,,1,1,1Gi,0,2,1.000,succeeded,0,",
                "gang",
                "between 1 and pods",
            ),
            (
                "0.000,a,default,,,1,1,1Gi,0,1,1.000,done,0,",
                "outcome",
                "unknown outcome",
            ),
            (
                "0.000,a,default,,,1,1,1Gi,0,1,1.000,succeeded,zero,",
                "exit_code",
                "not an exit code",
            ),
            (
                "0.000,a,default,,,1,1,1Gi,0,1,1.000,succeeded,0,soon",
                "recorded_wait_s",
                "not a time",
            ),
            (
                "0.000,a,default,,,1,1,1Gi,0,1,1.000,succeeded,0",
                "",
                "13 fields, expected 14",
            ),
        ];
        for (k, (row, field, msg)) in cases.iter().enumerate() {
            let p = temp_file(
                &format!("bad{k}.csv"),
                &format!("{MAGIC}\n{BASE_HEADER}\n{good}\n{row}\n"),
            );
            let e = read(&Native, &p, &Options::default(), &mut |_| Ok(())).unwrap_err();
            assert_eq!(e.line, Some(4), "case {k}: {e}");
            assert_eq!(e.field, *field, "case {k}: {e}");
            assert!(e.message.contains(msg), "case {k}: {e}");
            assert!(!e.fix.is_empty(), "case {k}");
            assert_eq!(e.file.as_deref(), Some(p.as_path()));
        }
        let p = temp_file("nomagic.csv", &format!("{HEADER}\n{good}\n"));
        let e = read(&Native, &p, &Options::default(), &mut |_| Ok(())).unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("not a kubesim trace"));
        let p = temp_file("badheader.csv", &format!("{MAGIC}\nsubmit_s,id\n{good}\n"));
        let e = read(&Native, &p, &Options::default(), &mut |_| Ok(())).unwrap_err();
        assert_eq!(e.line, Some(2));
    }
}
