//! Shanghai AI Lab Acme (NSDI'24): `trace_seren.csv` and `trace_kalos.csv` (Kalos has the extra
//! columns `mem_per_pod_GB`, `shared_mem_per_pod`, `fail_time`, `stop_time`; columns are found
//! by name). The format and the mapping are in `traces/README.md` ("Source formats", "Mappings"):
//!
//! - pods = `node_num` (at least 1), per pod ceil(`gpu_num`/pods) GPUs and ceil(`cpu_num`/pods)
//!   cores; gang = pods when > 1; memory per pod = `mem_per_pod_GB` GiB (Kalos), else the
//!   per-GPU / per-core defaults;
//! - timestamps are ISO strings with offsets, normalised to UTC; duration = end - start and
//!   recorded wait = start - submit are recomputed from them (Kalos' `duration` column includes
//!   the queueing time); the end is `end_time`, else `fail_time`, else `stop_time`;
//! - namespace = `user`, no queue; priority class = `type` lower-cased (`pretrain`, `sft`,
//!   `evaluation`, `debug`, ...); `state` as Helios; counted skips: jobs that never started
//!   (empty `start_time`) or have no end; a job of `state` RUNNING that started was still
//!   running at the trace's end -> `running`, its duration up to its end time if any, else 0.

use std::path::Path;

use super::helios::slurm_state;
use super::input::{Lines, Row, RowJob, columns, csv_rows, header_names, open};
use super::time::parse_iso_utc;
use super::{Emit, ImportReport, Importer, Options, Outcome, TraceJob};
use crate::error::{InputError, quote};

/// The `acme` format: Shanghai AI Lab Acme `trace_seren.csv` / `trace_kalos.csv`.
pub struct Acme;

impl Importer for Acme {
    fn name(&self) -> &'static str {
        "acme"
    }

    fn about(&self) -> &'static str {
        "Shanghai AI Lab Acme `trace_seren.csv` / `trace_kalos.csv`"
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

const COLS: [&str; 9] = [
    "job_id",
    "user",
    "node_num",
    "gpu_num",
    "cpu_num",
    "type",
    "state",
    "submit_time",
    "start_time",
];

fn time(row: &Row<'_, '_>, i: Option<usize>) -> Result<Option<i64>, InputError> {
    let Some(i) = i else { return Ok(None) };
    let s = row.get(i);
    if s.is_empty() || s.eq_ignore_ascii_case("nan") || s == "None" {
        return Ok(None);
    }
    parse_iso_utc(s).map(Some).ok_or_else(|| {
        row.err(
            i,
            format!("{} is not an ISO date-time", quote(s)),
            "write times such as 2023-03-01 08:00:00+08:00",
        )
    })
}

/// A count that may be written as a float (`10.0`).
fn count(row: &Row<'_, '_>, i: usize) -> Result<u64, InputError> {
    let s = row.get(i);
    let v = super::input::decimal_milli(s).filter(|v| *v >= 0 && v % 1000 == 0);
    v.map(|v| (v / 1000) as u64).ok_or_else(|| {
        row.err(
            i,
            format!("{} is not a whole non-negative number", quote(s)),
            "write a count such as 8",
        )
    })
}

fn import(path: &Path, opts: &Options, report: &mut ImportReport, emit: &mut Emit<'_>) -> Result<(), InputError> {
    let mut lines = Lines::new(open(path)?, path, opts.max_line_bytes);
    let names = header_names(lines.next_line()?.map_or("", |(_, l)| l));
    let col = |n: &str| names.iter().position(|x| x == n);
    let cols = Cols {
        named: columns(path, 1, &names, COLS, "an Acme trace")?,
        ends: [col("end_time"), col("fail_time"), col("stop_time")],
        mem: col("mem_per_pod_GB"),
    };
    csv_rows(&mut lines, path, &names, report, emit, &mut |row, report| {
        job_of(row, &cols, opts, report)
    })
}

/// Where an Acme trace's columns are: the ones every trace has ([`COLS`]), the end times in the
/// order they are tried, and Kalos' memory per pod.
struct Cols {
    named: [usize; 9],
    ends: [Option<usize>; 3],
    mem: Option<usize>,
}

/// The job of one row with its submit time (see [`csv_rows`]).
fn job_of(row: &Row<'_, '_>, cols: &Cols, opts: &Options, report: &mut ImportReport) -> RowJob {
    let [id, user, node, gpu, cpu, kind, state, submit, start] = cols.named;
    let (end_cols, mem_col) = (cols.ends, cols.mem);
    let line = row.line;
    let Some((outcome, exit_code)) = slurm_state(row.get(state)) else {
        return Err(row.err(
            state,
            format!("unknown state {}", quote(row.get(state))),
            "state is one of COMPLETED, FAILED, NODE_FAIL, CANCELLED, TIMEOUT",
        ));
    };
    let Some(t_submit) = time(row, Some(submit))? else {
        return Err(row.err(submit, "empty submit_time", "every job has a submit_time"));
    };
    let Some(t_start) = time(row, Some(start))? else {
        report.skip(line, "never started (empty start_time)", row.get(id));
        return Ok(None);
    };
    let mut t_end = None;
    for c in end_cols {
        if t_end.is_none() {
            t_end = time(row, c)?;
        }
    }
    let t_end = match t_end {
        Some(e) => e,
        // Running when the trace was taken: its run so far is unknown.
        None if outcome == Outcome::Running => t_start,
        None => {
            report.skip(line, "no end_time, fail_time or stop_time", row.get(id));
            return Ok(None);
        }
    };
    if t_start < t_submit || t_end < t_start {
        return Err(row.err(
            start,
            "submit_time, start_time and end time are out of order",
            "a job is submitted, then starts, then ends",
        ));
    }
    let nodes = count(row, node)?.max(1);
    let pods = u32::try_from(nodes).map_err(|_| row.err(node, "too many nodes", "node_num fits 32 bits"))?;
    let gpu_milli = row.per_pod_milli(gpu, count(row, gpu)?, nodes)?;
    let cpu_milli = row.per_pod_milli(cpu, count(row, cpu)?, nodes)?;
    let (cpu_milli, mut memory_bytes) = opts.fill(gpu_milli, (cpu_milli > 0).then_some(cpu_milli));
    if let Some(m) = mem_col
        && let Some(gb) = row.secs_ms(m)?
    {
        // secs_ms parses a decimal x 1000; here GiB x 1000. Out of range (negative, or
        // beyond i64) is refused by `read` with the line.
        memory_bytes = i64::try_from(i128::from(gb) * (1 << 30) / 1000).unwrap_or(i64::MAX);
    }
    let u = row.get(user);
    let job = TraceJob {
        priority_class: row.get(kind).to_ascii_lowercase(),
        duration_ms: u64::try_from(t_end - t_start).unwrap_or(0) * 1000,
        outcome,
        exit_code,
        recorded_wait_ms: u64::try_from(t_start - t_submit).ok().map(|w| w * 1000),
        ..TraceJob::of_pods(
            row.get(id).to_string(),
            super::tenant(u),
            pods,
            [cpu_milli, memory_bytes, gpu_milli],
        )
    };
    Ok(Some((t_submit * 1000, job)))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{assert_bad_rows, temp_file};
    use super::super::{Outcome, read_all};
    use super::*;

    // Hand-written rows in the documented schemas (the source formats in traces/README.md); not real jobs.
    const SEREN: &str = "job_id,user,node_num,gpu_num,cpu_num,type,state,submit_time,start_time,end_time,duration,queue,gpu_time\n\
        101,uA,1,8,64,Pretrain,COMPLETED,2023-03-01 08:00:00+08:00,2023-03-01 08:00:30+08:00,2023-03-01 09:00:30+08:00,3600,30,28800\n\
        102,uB,2,16,128,SFT,FAILED,2023-03-01 08:00:10+08:00,2023-03-01 08:01:10+08:00,2023-03-01 08:11:10+08:00,600,60,9600\n\
        103,uB,0,0,4,Debug,CANCELLED,2023-03-01 08:00:20+08:00,,,,,\n";

    const KALOS: &str = "job_id,user,node_num,gpu_num,cpu_num,mem_per_pod_GB,shared_mem_per_pod,type,state,submit_time,start_time,end_time,fail_time,stop_time,duration,queue,gpu_time\n\
        dlc1a,uK,8,64,1024,1600.0,256.0,Pretrain,TIMEOUT,2023-05-01 00:00:00+00:00,2023-05-01 00:10:00+00:00,2023-05-02 00:10:00+00:00,,,87000,600.0,5529600\n\
        dlc1b,uK,1,1,16,100.5,0,Evaluation,FAILED,2023-05-01 00:00:05+00:00,2023-05-01 00:00:06+00:00,,2023-05-01 00:01:06+00:00,,61,1.0,60\n";

    #[test]
    fn seren_rows() {
        let p = temp_file("trace_seren.csv", SEREN);
        let (jobs, r) = read_all(&Acme, &p, &Options::default()).unwrap();
        assert_eq!((r.rows_read, r.jobs), (3, 2));
        assert_eq!(r.skipped, vec![("never started (empty start_time)".to_string(), 1)]);
        assert_eq!(
            jobs[0],
            TraceJob {
                id: "101".into(),
                submit_ms: 0,
                namespace: "uA".into(),
                queue: String::new(),
                priority_class: "pretrain".into(),
                pods: 1,
                cpu_milli: 64_000,
                memory_bytes: 8 * (47 << 30),
                gpu_milli: 8000,
                gang: 1,
                duration_ms: 3_600_000,
                outcome: Outcome::Succeeded,
                exit_code: 0,
                recorded_wait_ms: Some(30_000),
                gpu_models: String::new(),
                patience_ms: None,
                requested_ms: None,
            }
        );
        let j = &jobs[1];
        assert_eq!(
            (j.pods, j.gang, j.gpu_milli, j.cpu_milli, j.submit_ms),
            (2, 2, 8000, 64_000, 10_000)
        );
        assert_eq!(
            (j.outcome, j.duration_ms, j.recorded_wait_ms),
            (Outcome::Failed, 600_000, Some(60_000))
        );
    }

    #[test]
    fn kalos_rows_recompute_duration() {
        let p = temp_file("trace_kalos.csv", KALOS);
        let (jobs, _) = read_all(&Acme, &p, &Options::default()).unwrap();
        let j = &jobs[0];
        // duration column 87000 includes the 600 s queue: recomputed end - start = 86400 s.
        assert_eq!((j.duration_ms, j.recorded_wait_ms), (86_400_000, Some(600_000)));
        assert_eq!((j.pods, j.gpu_milli, j.cpu_milli, j.gang), (8, 8000, 128_000, 8));
        assert_eq!(j.memory_bytes, 1600 << 30);
        assert_eq!((j.outcome, j.exit_code), (Outcome::Killed, 137));
        // Empty end_time: the fail_time ends the job.
        let k = &jobs[1];
        assert_eq!(
            (k.duration_ms, k.memory_bytes, k.priority_class.as_str()),
            (60_000, (201 << 30) / 2, "evaluation")
        );
    }

    /// A RUNNING job that started is running at the trace's end (its run so far unknown without
    /// an end time); one that never started is skipped.
    #[test]
    fn running_rows() {
        let h = SEREN.lines().next().unwrap();
        let text = format!(
            "{h}\n\
             1,u,1,8,8,SFT,RUNNING,2023-03-01 08:00:00+08:00,2023-03-01 08:00:05+08:00,,,,\n\
             2,u,1,8,8,SFT,RUNNING,2023-03-01 08:00:00+08:00,,,,,\n"
        );
        let p = temp_file("acme-running.csv", &text);
        let (jobs, r) = read_all(&Acme, &p, &Options::default()).unwrap();
        assert_eq!(r.skipped, vec![("never started (empty start_time)".to_string(), 1)]);
        assert_eq!(
            (
                jobs.len(),
                jobs[0].outcome,
                jobs[0].exit_code,
                jobs[0].duration_ms,
                jobs[0].recorded_wait_ms
            ),
            (1, Outcome::Running, 0, 0, Some(5_000))
        );
    }

    /// The real rows of the Acme README (github.com/InternLM/AcmeTrace, `README.md` at commit
    /// 6d6ac9c, CC BY 4.0: two of `trace_seren.csv`, two of `trace_kalos.csv`) with damaged
    /// copies after them: each copy skipped and counted under its column, the real rows kept.
    #[test]
    fn real_rows_with_damaged_copies() {
        let seren = "job_id,user,node_num,gpu_num,cpu_num,type,state,submit_time,start_time,end_time,duration,queue,gpu_time\n\
            5778432,u5907,1,8,128,Other,FAILED,2023-03-01 00:18:22+08:00,2023-03-01 00:18:54+08:00,2023-03-01 00:20:51+08:00,117,32,936.0\n\
            5778469,u5907,1,8,128,Other,COMPLETED,2023-03-01 00:23:58+08:00,2023-03-01 00:24:11+08:00,2023-03-01 01:09:04+08:00,2693,13,21544.0\n";
        let kalos = "job_id,user,node_num,gpu_num,cpu_num,mem_per_pod_GB,shared_mem_per_pod,type,state,submit_time,start_time,end_time,fail_time,stop_time,duration,queue,gpu_time\n\
            dlctk696s0jbvitv,uf794,8,64,960,1000,100.0,Other,FAILED,2023-05-17 11:00:58+00:00,2023-05-17 11:01:08+00:00,2023-05-17 11:01:16+00:00,2023-05-17 11:01:16+00:00,,18,10.0,1152.0\n\
            dlc1t2ypl09b8qtp,uf794,8,64,960,1000,100.0,Other,CANCELLED,2023-05-17 11:28:42+00:00,2023-05-17 11:28:54+00:00,2023-05-17 11:30:04+00:00,,2023-05-17 11:30:04+00:00,82,12.0,5248.0\n";
        for (name, text, reasons) in [
            ("seren", seren, ["bad gpu_num", "bad state", "bad submit_time"]),
            ("kalos", kalos, ["bad gpu_num", "bad mem_per_pod_GB", "bad state"]),
        ] {
            let real: Vec<&str> = text.lines().skip(1).collect();
            let damaged = if name == "seren" {
                [
                    real[0].replacen(",1,8,128,", ",1,eight,128,", 1),
                    real[0].replacen(",FAILED,", ",LOST,", 1),
                    real[0].replacen("2023-03-01 00:18:22+08:00", "2023-03-01 00:18:22+0800x", 1),
                ]
            } else {
                [
                    real[0].replacen(",8,64,960,", ",8,sixty-four,960,", 1),
                    real[0].replacen(",1000,100.0,", ",lots,100.0,", 1),
                    real[0].replacen(",FAILED,", ",LOST,", 1),
                ]
            };
            let p = temp_file(
                &format!("acme-{name}-damaged.csv"),
                &format!("{text}{}\n", damaged.join("\n")),
            );
            let (jobs, r) = read_all(&Acme, &p, &Options::default()).unwrap();
            assert_eq!((r.rows_read, jobs.len()), (5, 2), "{name}: {r}");
            let mut got: Vec<&str> = r.skipped.iter().map(|(w, _)| w.as_str()).collect();
            got.sort_unstable();
            assert_eq!(got, reasons, "{name}");
        }
    }

    #[test]
    fn malformed_rows() {
        let h = SEREN.lines().next().unwrap();
        let cases: &[(&str, &str, &str)] = &[
            (
                "1,u,1,1,1,SFT,LOST,2023-03-01 08:00:00+08:00,,,,,",
                "state",
                "unknown state",
            ),
            (
                "1,u,1,1,1,SFT,FAILED,2023-03-01 08:00:00+0800x,,,,,",
                "submit_time",
                "not an ISO",
            ),
            (
                "1,u,1.5,1,1,SFT,FAILED,2023-03-01 08:00:00+08:00,2023-03-01 08:00:00+08:00,2023-03-01 09:00:00+08:00,,,",
                "node_num",
                "whole",
            ),
            (
                "1,u,1,1,1,SFT,FAILED,2023-03-01 08:00:00+08:00,2023-03-01 07:00:00+08:00,2023-03-01 09:00:00+08:00,,,",
                "start_time",
                "out of order",
            ),
        ];
        assert_bad_rows(&Acme, "acme", h, 2, cases);
    }
}
