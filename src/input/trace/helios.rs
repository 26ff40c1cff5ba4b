//! SenseTime Helios (SC'21) `cluster_log.csv` and the VC node counts. The format and the mapping
//! are in `traces/README.md` ("Source formats: Helios", "Mappings"):
//!
//! - pods = `node_num` (at least 1), per pod ceil(`gpu_num`/pods) GPUs and ceil(`cpu_num`/pods)
//!   cores; gang = pods when `node_num` > 1; memory is not in the trace (47 GiB per GPU, or
//!   4 GiB per core for CPU jobs, see [`super::Options`]);
//! - times are naive local strings (UTC+8, no DST, so they are read as they are);
//!   duration = end - start and recorded wait = start - submit, recomputed from the
//!   timestamps, falling back on the `duration` / `queue` columns when a timestamp is empty;
//!   a row with neither (NaN) and no start is skipped and counted;
//! - namespace and queue = `vc`; `state` COMPLETED -> succeeded, FAILED and NODE_FAIL ->
//!   failed (1), CANCELLED and TIMEOUT -> killed (137); the rare SUSPENDED is skipped and counted;
//! - a job still running at the trace's end (`state` RUNNING, or a `start_time` with neither an
//!   `end_time` nor a `duration`) -> `running`, its duration the `duration` column or 0 (unknown).

use std::path::Path;

use super::input::{Lines, Row, RowJob, columns, csv_rows, header_names, open};
use super::time::parse_naive;
use super::{Emit, ImportReport, Importer, NodeReader, Options, Outcome, TraceJob, TraceNode};
use crate::error::{InputError, quote};

/// The `helios` format: SenseTime Helios `cluster_log.csv`.
pub struct Helios;

impl Importer for Helios {
    fn name(&self) -> &'static str {
        "helios"
    }

    fn about(&self) -> &'static str {
        "SenseTime Helios `cluster_log.csv`"
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

const COLS: [&str; 12] = [
    "job_id",
    "user",
    "vc",
    "gpu_num",
    "cpu_num",
    "node_num",
    "state",
    "submit_time",
    "start_time",
    "end_time",
    "duration",
    "queue",
];

/// A Helios/Acme state as an outcome; `None` for states that are skipped.
pub(crate) fn slurm_state(state: &str) -> Option<(Outcome, i32)> {
    match state {
        "COMPLETED" => Some((Outcome::Succeeded, 0)),
        "FAILED" | "NODE_FAIL" | "OUT_OF_MEMORY" => Some((Outcome::Failed, 1)),
        "CANCELLED" | "TIMEOUT" | "PREEMPTED" => Some((Outcome::Killed, 137)),
        "RUNNING" => Some((Outcome::Running, 0)),
        _ => None,
    }
}

/// A time column: `Ok(None)` if empty or NaN, an error if malformed.
fn time(row: &Row<'_, '_>, i: usize, parse: fn(&str) -> Option<i64>) -> Result<Option<i64>, InputError> {
    let s = row.get(i);
    if s.is_empty() || s.eq_ignore_ascii_case("nan") || s == "None" {
        return Ok(None);
    }
    parse(s).map(Some).ok_or_else(|| {
        row.err(
            i,
            format!("{} is not a date-time", quote(s)),
            "write times as YYYY-MM-DD HH:MM:SS",
        )
    })
}

fn import(path: &Path, opts: &Options, report: &mut ImportReport, emit: &mut Emit<'_>) -> Result<(), InputError> {
    let mut lines = Lines::new(open(path)?, path, opts.max_line_bytes);
    let names = header_names(lines.next_line()?.map_or("", |(_, l)| l));
    let cols = columns(path, 1, &names, COLS, "a Helios cluster_log.csv")?;
    csv_rows(&mut lines, path, &names, report, emit, &mut |row, report| {
        job_of(row, &cols, opts, report)
    })
}

/// The job of one row with its submit time (see [`csv_rows`]).
fn job_of(row: &Row<'_, '_>, cols: &[usize; 12], opts: &Options, report: &mut ImportReport) -> RowJob {
    let [id, _user, vc, gpu, cpu, node, state, submit, start, end, dur, queue] = *cols;
    let line = row.line;
    let Some((outcome, exit_code)) = slurm_state(row.get(state)) else {
        if row.get(state) == "SUSPENDED" {
            report.skip(line, "state SUSPENDED", row.get(id));
            return Ok(None);
        }
        return Err(row.err(
            state,
            format!("unknown state {}", quote(row.get(state))),
            "state is one of COMPLETED, FAILED, NODE_FAIL, OUT_OF_MEMORY, CANCELLED, TIMEOUT, PREEMPTED, RUNNING, SUSPENDED",
        ));
    };
    let Some(t_submit) = time(row, submit, parse_naive)? else {
        report.skip(line, "no submit_time", row.get(id));
        return Ok(None);
    };
    let t_start = time(row, start, parse_naive)?;
    let t_end = time(row, end, parse_naive)?;
    let (duration_ms, wait_ms) = match (t_start, t_end) {
        (Some(s), Some(e)) if e >= s && s >= t_submit => (Some((e - s) * 1000), Some((s - t_submit) * 1000)),
        (Some(_), Some(_)) => {
            return Err(row.err(
                start,
                "submit_time, start_time and end_time are out of order",
                "a job is submitted, then starts, then ends",
            ));
        }
        _ => (row.secs_ms(dur)?, row.secs_ms(queue)?),
    };
    // Started and never ended: running when the trace was taken.
    let (outcome, exit_code, duration_ms, wait_ms) = match t_start {
        Some(s) if outcome == Outcome::Running || (t_end.is_none() && duration_ms.is_none()) => (
            Outcome::Running,
            0,
            Some(duration_ms.unwrap_or(0)),
            Some((s - t_submit) * 1000),
        ),
        _ => (outcome, exit_code, duration_ms, wait_ms),
    };
    let Some(duration_ms) = duration_ms.filter(|d| *d >= 0) else {
        report.skip(
            line,
            "no duration (incomplete job: NaN duration, no start/end)",
            row.get(id),
        );
        return Ok(None);
    };
    let nodes = row.u64(node)?.max(1);
    let pods = u32::try_from(nodes).map_err(|_| row.err(node, "too many nodes", "node_num fits 32 bits"))?;
    let gpu_milli = row.per_pod_milli(gpu, row.u64(gpu)?, nodes)?;
    let cpu_milli = row.per_pod_milli(cpu, row.u64(cpu)?, nodes)?;
    let cpu_given = if cpu_milli > 0 { Some(cpu_milli) } else { None };
    let (cpu_milli, memory_bytes) = opts.fill(gpu_milli, cpu_given);
    let vc = row.get(vc).to_string();
    let job = TraceJob {
        queue: vc.clone(),
        duration_ms: u64::try_from(duration_ms).unwrap_or(0),
        outcome,
        exit_code,
        recorded_wait_ms: wait_ms.and_then(|w| u64::try_from(w).ok()),
        ..TraceJob::of_pods(
            row.get(id).to_string(),
            super::tenant(&vc),
            pods,
            [cpu_milli, memory_bytes, gpu_milli],
        )
    };
    Ok(Some((t_submit * 1000, job)))
}

/// Reads a VC node-count file (`Venus_Sept_vc_nodes.csv`: first column the VC, second the
/// number of nodes) into nodes `<vc>-node-<i>` of 8 V100 GPUs, 48 CPUs and 376 GiB (the Helios
/// node type, the source formats in traces/README.md).
fn read_nodes(path: &Path) -> Result<Vec<TraceNode>, InputError> {
    let mut lines = Lines::new(open(path)?, path, super::DEFAULT_MAX_LINE_BYTES);
    let names = header_names(lines.next_line()?.map_or("", |(_, l)| l));
    if names.len() != 2 {
        return Err(InputError::new(
            "",
            format!("{} columns in the header, expected 2 (vc, nodes)", names.len()),
            "a VC node file has two columns: the VC and its number of 8-GPU nodes",
        )
        .at(path, 1, None));
    }
    let mut nodes = Vec::new();
    while let Some((line, text)) = lines.next_line()? {
        if text.trim().is_empty() {
            continue;
        }
        let row = Row::parse(path, line, text, &names)?;
        let n = row.u64(1)?;
        // Checked before any node is made: the count alone could ask for billions.
        if n > crate::limits::MAX_NODES - nodes.len() as u64 {
            return Err(row.err(
                1,
                format!(
                    "{n} nodes (after {} on earlier lines) are more than the limit of {} nodes",
                    nodes.len(),
                    crate::limits::MAX_NODES
                ),
                "keep the node list within the scenario's node limit",
            ));
        }
        for i in 0..n {
            nodes.push(TraceNode {
                name: format!("{}-node-{i}", row.get(0)),
                cpu_milli: 48_000,
                memory_bytes: 376 << 30,
                gpu_milli: 8000,
                gpu_model: "V100-SXM2".to_string(),
            });
        }
    }
    Ok(nodes)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{assert_bad_rows, excerpt, temp_file};
    use super::super::{read_all, read_nodes};
    use super::*;

    #[test]
    fn real_example_rows() {
        let p = excerpt("helios/helios_cluster_log.example_rows.csv");
        let (jobs, r) = read_all(&Helios, &p, &Options::default()).unwrap();
        assert_eq!((r.rows_read, r.jobs), (13, 13));
        // 1425511,uXBbc,vcJkd,1,1,1,COMPLETED,2020-06-09 18:41:01,2020-06-09 18:41:01,2020-06-10 04:55:09,36848,0
        // The earliest submit is 2020-03-18 04:01:39 (row 4): 7,223,962 s before.
        assert_eq!(
            jobs[0],
            TraceJob {
                id: "1425511".into(),
                submit_ms: 7_223_962_000,
                namespace: "vcJkd".into(),
                queue: "vcJkd".into(),
                priority_class: String::new(),
                pods: 1,
                cpu_milli: 1000,
                memory_bytes: 47 << 30,
                gpu_milli: 1000,
                gang: 1,
                duration_ms: 36_848_000,
                outcome: Outcome::Succeeded,
                exit_code: 0,
                recorded_wait_ms: Some(0),
                gpu_models: String::new(),
                patience_ms: None,
                requested_ms: None,
            }
        );
        // 1381347,ulqKP,vcG8f,8,1,1,CANCELLED,2020-03-23 01:25:21,2020-03-23 01:27:20,2020-04-01 17:34:54,835654,119
        assert_eq!(
            jobs[12],
            TraceJob {
                id: "1381347".into(),
                submit_ms: 422_622_000,
                namespace: "vcG8f".into(),
                queue: "vcG8f".into(),
                priority_class: String::new(),
                pods: 1,
                cpu_milli: 1000,
                memory_bytes: 8 * (47 << 30),
                gpu_milli: 8000,
                gang: 1,
                duration_ms: 835_654_000,
                outcome: Outcome::Killed,
                exit_code: 137,
                recorded_wait_ms: Some(119_000),
                gpu_models: String::new(),
                patience_ms: None,
                requested_ms: None,
            }
        );
        // 363167: 32 GPUs, 160 CPUs on 4 nodes, TIMEOUT -> a gang of 4 pods x 8 GPUs x 40 CPUs.
        let j = &jobs[3];
        assert_eq!(
            (j.pods, j.gpu_milli, j.cpu_milli, j.gang, j.submit_ms),
            (4, 8000, 40_000, 4, 0)
        );
        assert_eq!((j.outcome, j.duration_ms), (Outcome::Killed, 1_209_615_000));
        // duration and queue columns agree with the timestamps on all 13 rows (traces.md).
        assert_eq!(jobs[1].outcome, Outcome::Failed);
        assert_eq!(jobs[6].recorded_wait_ms, Some(344_000));
    }

    #[test]
    fn dirty_and_malformed_rows() {
        let h = COLS.join(",");
        let text = format!(
            "{h}\n\
             1,u,vcA,0,4,1,COMPLETED,2020-04-01 00:00:00,2020-04-01 00:00:10,2020-04-01 00:01:10,60,10\n\
             2,u,vcA,8,8,1,CANCELLED,2020-04-01 00:00:05,,,,\n\
             3,u,vcA,8,8,1,SUSPENDED,2020-04-01 00:00:05,2020-04-01 00:00:05,2020-04-01 00:00:06,1,0\n\
             4,u,vcA,8,8,1,FAILED,2020-04-01 00:00:07,,,NaN,NaN\n\
             5,u,vcA,2,2,0,NODE_FAIL,2020-04-01 00:00:08,,,30,3\n\
             6,u,vcA,8,8,1,CANCELLED,2020-04-01 00:00:09,2020-04-01 00:00:19,,NaN,NaN\n\
             7,u,vcA,8,8,1,RUNNING,2020-04-01 00:00:09,2020-04-01 00:00:29,,70,20\n"
        );
        let p = temp_file("helios-dirty.csv", &text);
        let (jobs, r) = read_all(&Helios, &p, &Options::default()).unwrap();
        assert_eq!(r.rows_read, 7);
        assert_eq!(jobs.len(), 4);
        assert_eq!(r.skipped_total(), 3);
        assert!(r.skipped.contains(&("state SUSPENDED".to_string(), 1)));
        // CPU job: 4 cores, 4 x 4 GiB.
        assert_eq!(
            (jobs[0].cpu_milli, jobs[0].memory_bytes, jobs[0].gpu_milli),
            (4000, 16 << 30, 0)
        );
        // Fallback on the duration/queue columns; node_num 0 -> 1 pod.
        assert_eq!(
            (jobs[1].duration_ms, jobs[1].recorded_wait_ms, jobs[1].pods),
            (30_000, Some(3_000), 1)
        );
        assert_eq!(jobs[1].outcome, Outcome::Failed);
        // Started, no end and no duration: running at the trace's end, run time unknown; state
        // RUNNING: running, for the duration the row gives.
        let running: Vec<(Outcome, i32, u64, Option<u64>)> = jobs[2..]
            .iter()
            .map(|j| (j.outcome, j.exit_code, j.duration_ms, j.recorded_wait_ms))
            .collect();
        assert_eq!(
            running,
            [
                (Outcome::Running, 0, 0, Some(10_000)),
                (Outcome::Running, 0, 70_000, Some(20_000))
            ]
        );

        let cases: &[(&str, &str, &str)] = &[
            ("9,u,vcA,1,1,1,LOST,2020-04-01 00:00:00,,,1,1", "state", "unknown state"),
            (
                "9,u,vcA,1,1,1,COMPLETED,2020-04-01 25:00:00,,,1,1",
                "submit_time",
                "not a date-time",
            ),
            (
                "9,u,vcA,x,1,1,COMPLETED,2020-04-01 00:00:00,,,1,1",
                "gpu_num",
                "non-negative integer",
            ),
            (
                "9,u,vcA,1,1,1,COMPLETED,2020-04-01 00:00:00,2020-04-01 00:00:09,2020-04-01 00:00:01,1,1",
                "start_time",
                "out of order",
            ),
        ];
        assert_bad_rows(&Helios, "helios", &h, 2, cases);
    }

    /// The 13 real example rows with damaged copies after them (a GPU count that is not a number,
    /// an unknown state, an impossible date, a short row): each skipped and counted under its
    /// column, the real rows all kept. A damaged first row is the file's error.
    #[test]
    fn real_rows_with_damaged_copies() {
        let text = std::fs::read_to_string(excerpt("helios/helios_cluster_log.example_rows.csv")).unwrap();
        let rows: Vec<&str> = text.lines().collect();
        // 1425512,uVMrF,vchbv,4,16,1,FAILED,2020-06-09 18:41:27,...
        let damaged = [
            rows[2].replacen(",4,16,1,FAILED,", ",four,16,1,FAILED,", 1),
            rows[2].replacen(",FAILED,", ",LOST,", 1),
            rows[2].replacen("2020-06-09 18:41:27,", "2020-06-39 18:41:27,", 1),
            rows[2].rsplit_once(',').unwrap().0.to_string(),
        ];
        let p = temp_file("helios-damaged.csv", &format!("{text}{}\n", damaged.join("\n")));
        let (jobs, r) = read_all(&Helios, &p, &Options::default()).unwrap();
        assert_eq!((r.rows_read, jobs.len()), (17, 13));
        let skipped: Vec<(&str, u64)> = r.skipped.iter().map(|(w, n)| (w.as_str(), *n)).collect();
        assert_eq!(
            skipped,
            [
                ("bad gpu_num", 1),
                ("bad state", 1),
                ("bad submit_time", 1),
                ("malformed row", 1)
            ]
        );
        assert_eq!(r.first_skips[0], "line 15: bad gpu_num (1425512)");
        let p = temp_file("helios-damaged-first.csv", &format!("{}\n{}\n", rows[0], damaged[0]));
        let e = read_all(&Helios, &p, &Options::default()).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (Some(2), "gpu_num"), "{e}");
    }

    /// A row that is not UTF-8 (a Latin-1 byte in a copy of a real row) is a malformed row,
    /// skipped; the read goes on.
    #[test]
    fn a_row_not_utf8_is_skipped() {
        let text = std::fs::read_to_string(excerpt("helios/helios_cluster_log.example_rows.csv")).unwrap();
        let mut bytes = text.clone().into_bytes();
        let copy = text.lines().nth(1).unwrap().replacen("uXBbc", "u\u{0}Bbc", 1);
        let mut copy = copy.into_bytes();
        let at = copy.iter().position(|b| *b == 0).unwrap();
        copy[at] = 0xE9;
        bytes.extend_from_slice(&copy);
        bytes.push(b'\n');
        let p = temp_file("helios-latin1.csv", "");
        std::fs::write(&p, &bytes).unwrap();
        let (jobs, r) = read_all(&Helios, &p, &Options::default()).unwrap();
        assert_eq!((r.rows_read, jobs.len()), (14, 13));
        assert_eq!(r.skipped, vec![("malformed row".to_string(), 1)]);
        assert_eq!(r.first_skips[0], "line 15: malformed row");
    }

    #[test]
    fn real_vc_nodes() {
        let nodes = read_nodes(&Helios, &excerpt("helios/Venus_Sept_vc_nodes.csv")).unwrap();
        assert_eq!(nodes[0].name, "vcEwI-node-0");
        assert_eq!(nodes.iter().filter(|n| n.name.starts_with("vcEwI-")).count(), 9);
        assert!(nodes.iter().all(|n| n.gpu_milli == 8000));
    }
}
