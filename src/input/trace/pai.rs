//! Alibaba cluster-trace-gpu-v2020 (PAI, "MLaaS in the Wild"): the job table joined with the
//! task table (both headerless CSVs; column names in the `.header` files). Mapping per
//! the source formats in traces/README.md, choices in `traces/README.md` ("Mappings: pai"):
//!
//! - job = `job_name`; arrival = job `start_time` (the submission); the task table's earliest
//!   task `start_time` is the launch: recorded wait = launch - submission; duration = latest
//!   task `end_time` - earliest task `start_time`;
//! - pods = sum of `inst_num` over the job's tasks; every pod gets the job's average request
//!   (rounded up), so GPU, CPU and memory totals are kept: `plan_gpu` percent of a GPU
//!   (50 = 500 milli-GPU), `plan_cpu` percent of a core, `plan_mem` GiB; gang = pods when > 1;
//! - namespace = `user`, no queue; `status` Terminated -> succeeded, Failed -> failed (1);
//!   counted skips: Running / Waiting (unfinished), `start_time` 0 (missing), NaN plans, jobs
//!   without task rows.
//!
//! Memory: the task table is read first into a map from job name to the aggregate of its
//! tasks (about 150 bytes per job: for the full trace's ~1.2 M jobs, roughly 200 MB); the job
//! table is then streamed. The instance table is not needed (task times bound the instances').

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::input::{Lines, Row, RowJob, csv_rows, decimal_scaled, open};
use super::{Emit, ImportReport, Importer, NodeReader, Options, Outcome, TraceJob, TraceNode};
use crate::error::{InputError, quote};

/// The `pai` format: Alibaba cluster-trace-gpu-v2020 (PAI) job table, joined with its task table.
pub struct Pai;

impl Importer for Pai {
    fn name(&self) -> &'static str {
        "pai"
    }

    fn about(&self) -> &'static str {
        "Alibaba cluster-trace-gpu-v2020 (PAI) job table, joined with its task table"
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

const JOB_COLS: [&str; 6] = ["job_name", "inst_id", "user", "status", "start_time", "end_time"];
const TASK_COLS: [&str; 10] = [
    "job_name",
    "task_name",
    "inst_num",
    "status",
    "start_time",
    "end_time",
    "plan_cpu",
    "plan_mem",
    "plan_gpu",
    "gpu_type",
];
const SPEC_COLS: [&str; 5] = ["machine", "gpu_type", "cap_cpu", "cap_mem", "cap_gpu"];

#[derive(Default)]
struct Tasks {
    pods: u64,
    cpu_milli: i128,
    mem_bytes: i128,
    gpu_milli: i128,
    start_s: Option<i64>,
    end_s: Option<i64>,
    nan_plan: bool,
    /// A row of the job's tasks was malformed and skipped.
    bad_row: bool,
}

fn names(cols: &[&str]) -> Vec<String> {
    cols.iter().map(|s| (*s).to_string()).collect()
}

/// A plan value scaled by 10^scale; `None` for empty or NaN.
fn plan(row: &Row<'_, '_>, i: usize, scale: i32) -> Result<Option<i64>, InputError> {
    let s = row.get(i);
    if s.is_empty() || s.eq_ignore_ascii_case("nan") {
        return Ok(None);
    }
    match decimal_scaled(s, scale) {
        Some(v) if v >= 0 => Ok(Some(v)),
        _ => Err(row.err(
            i,
            format!("{} is not a non-negative number", quote(s)),
            "PAI plans are numbers (or NaN)",
        )),
    }
}

/// A PAI time in whole seconds; 0, empty and NaN mean missing.
fn secs(row: &Row<'_, '_>, i: usize) -> Result<Option<i64>, InputError> {
    Ok(row.secs_ms(i)?.filter(|ms| *ms > 0).map(|ms| ms / 1000))
}

/// One row of the task table, read: its plans (`None` when one is NaN or empty) and times.
struct TaskRow {
    plans: Option<[i64; 4]>,
    start_s: Option<i64>,
    end_s: Option<i64>,
}

fn task_row(row: &Row<'_, '_>) -> Result<TaskRow, InputError> {
    let inst = plan(row, 2, 0)?;
    let cpu = plan(row, 6, 1)?; // percent of a core x 10 = millicores
    let mem = plan(row, 7, 9)?; // GiB x 1e9
    let gpu = plan(row, 8, 1)?; // percent of a GPU x 10 = milli-GPU
    let plans = match (inst, cpu, mem, gpu) {
        (Some(inst), Some(cpu), Some(mem), Some(gpu)) => Some([inst, cpu, mem, gpu]),
        _ => None,
    };
    Ok(TaskRow {
        plans,
        start_s: secs(row, 4)?,
        end_s: secs(row, 5)?,
    })
}

/// Reads the task table into the aggregate of each job's tasks. A malformed row (after the
/// first) is skipped and counted as `task table: bad <column>`, and its job marked so that it is
/// skipped too (its tasks are not all known).
fn load_tasks(path: &Path, opts: &Options, report: &mut ImportReport) -> Result<BTreeMap<String, Tasks>, InputError> {
    let cols = names(&TASK_COLS);
    let mut lines = Lines::new(open(path)?, path, opts.max_line_bytes);
    let mut map: BTreeMap<String, Tasks> = BTreeMap::new();
    let mut rows = 0u64;
    while let Some((line, text)) = lines.next_line()? {
        if text.trim().is_empty() {
            continue;
        }
        rows += 1;
        if rows > opts.max_jobs.saturating_mul(16) {
            return Err(
                InputError::new("", "too many task rows", "raise Options::max_jobs or split the trace")
                    .at(path, line, None),
            );
        }
        let job = text.split(',').next().unwrap_or("").trim();
        let r = match Row::parse(path, line, text, &cols).and_then(|row| task_row(&row)) {
            Ok(r) => r,
            Err(e) => {
                report.skip_bad_row_of("task table: ", e, rows == 1, job)?;
                map.entry(job.to_string()).or_default().bad_row = true;
                continue;
            }
        };
        let t = map.entry(job.to_string()).or_default();
        let Some([inst, cpu, mem, gpu]) = r.plans else {
            t.nan_plan = true;
            continue;
        };
        let inst_u = u64::try_from(inst).unwrap_or(0);
        t.pods = t.pods.saturating_add(inst_u);
        let n = i128::from(inst);
        // Saturating: a total beyond i64 is refused per pod by `read`; it must not wrap first.
        t.cpu_milli = t.cpu_milli.saturating_add(n * i128::from(cpu));
        t.gpu_milli = t.gpu_milli.saturating_add(n * i128::from(gpu));
        t.mem_bytes = t
            .mem_bytes
            .saturating_add(n * i128::from(mem) * (1 << 30) / 1_000_000_000);
        if let Some(s) = r.start_s {
            t.start_s = Some(t.start_s.map_or(s, |m| m.min(s)));
        }
        if let Some(e) = r.end_s {
            t.end_s = Some(t.end_s.map_or(e, |m| m.max(e)));
        }
    }
    Ok(map)
}

fn task_table_path(path: &Path, opts: &Options) -> PathBuf {
    opts.pai_task_table
        .clone()
        .unwrap_or_else(|| path.with_file_name("pai_task_table.csv"))
}

fn per_pod(total: i128, pods: u64) -> i64 {
    let p = i128::from(pods.max(1));
    i64::try_from((total + p - 1) / p).unwrap_or(i64::MAX)
}

fn import(path: &Path, opts: &Options, report: &mut ImportReport, emit: &mut Emit<'_>) -> Result<(), InputError> {
    let task_path = task_table_path(path, opts);
    if !task_path.is_file() {
        return Err(InputError::new(
            "",
            format!("the PAI task table {} is missing", task_path.display()),
            "put pai_task_table.csv beside the job table, or set Options::pai_task_table",
        )
        .at(path, 1, None));
    }
    let mut tasks = load_tasks(&task_path, opts, report)?;
    let cols = names(&JOB_COLS);
    let mut lines = Lines::new(open(path)?, path, opts.max_line_bytes);
    csv_rows(&mut lines, path, &cols, report, emit, &mut |row, report| {
        job_of(row, &mut tasks, report)
    })
}

/// The job of one job-table row, joined with its tasks, with its submit time (see
/// [`csv_rows`]).
fn job_of(row: &Row<'_, '_>, tasks: &mut BTreeMap<String, Tasks>, report: &mut ImportReport) -> RowJob {
    let line = row.line;
    let name = row.get(0);
    let (outcome, exit_code) = match row.get(3) {
        "Terminated" => (Outcome::Succeeded, 0),
        "Failed" => (Outcome::Failed, 1),
        "Running" | "Waiting" => {
            report.skip(line, "unfinished (status Running or Waiting)", name);
            return Ok(None);
        }
        other => {
            return Err(row.err(
                3,
                format!("unknown status {}", quote(other)),
                "PAI status is Terminated, Failed, Running or Waiting",
            ));
        }
    };
    let Some(submit) = secs(row, 4)? else {
        report.skip(line, "missing start_time (0)", name);
        return Ok(None);
    };
    let Some(t) = tasks.remove(name) else {
        report.skip(line, "no task rows", name);
        return Ok(None);
    };
    if t.bad_row {
        report.skip(line, "a task row skipped as malformed", name);
        return Ok(None);
    }
    if t.nan_plan || t.pods == 0 {
        report.skip(line, "NaN or zero resource plan in a task", name);
        return Ok(None);
    }
    let (Some(start), Some(end)) = (t.start_s, t.end_s.or(secs(row, 5)?)) else {
        report.skip(line, "no task start or end time", name);
        return Ok(None);
    };
    if end < start {
        report.skip(line, "task ends before it starts", name);
        return Ok(None);
    }
    let pods = u32::try_from(t.pods).map_err(|_| {
        row.err(
            0,
            "too many instances",
            format!("at most {} pods per job", crate::limits::MAX_WORKLOAD_PODS),
        )
    })?;
    let user = row.get(2);
    let job = TraceJob {
        duration_ms: u64::try_from(end - start).unwrap_or(0) * 1000,
        outcome,
        exit_code,
        recorded_wait_ms: u64::try_from(start - submit).ok().map(|w| w * 1000),
        ..TraceJob::of_pods(
            name.to_string(),
            super::tenant(user),
            pods,
            [
                per_pod(t.cpu_milli, t.pods),
                per_pod(t.mem_bytes, t.pods),
                per_pod(t.gpu_milli, t.pods),
            ],
        )
    };
    Ok(Some((submit * 1000, job)))
}

/// Reads `pai_machine_spec.csv` (headerless: machine, gpu_type, cap_cpu cores, cap_mem GiB,
/// cap_gpu).
fn read_nodes(path: &Path) -> Result<Vec<TraceNode>, InputError> {
    let cols = names(&SPEC_COLS);
    let mut lines = Lines::new(open(path)?, path, super::DEFAULT_MAX_LINE_BYTES);
    let mut nodes = Vec::new();
    while let Some((line, text)) = lines.next_line()? {
        if text.trim().is_empty() {
            continue;
        }
        let row = Row::parse(path, line, text, &cols)?;
        let num = |i: usize| plan(&row, i, 3)?.ok_or_else(|| row.err(i, "empty", "machine capacities are numbers"));
        let node = TraceNode {
            name: row.get(0).to_string(),
            cpu_milli: num(2)?,
            memory_bytes: i64::try_from(i128::from(num(3)?) * (1 << 30) / 1000).unwrap_or(i64::MAX),
            gpu_milli: num(4)?,
            gpu_model: row.get(1).to_string(),
        };
        super::push_node(&mut nodes, node, path, line)?;
    }
    Ok(nodes)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{excerpt, temp_file};
    use super::super::{read_all, read_nodes};
    use super::*;

    #[test]
    fn real_example_rows() {
        // The README's example job and task rows are different jobs: the join finds no tasks.
        let opts = Options {
            pai_task_table: Some(excerpt("pai/pai_task_table.example_row.csv")),
            ..Options::default()
        };
        let (jobs, r) = read_all(&Pai, &excerpt("pai/pai_job_table.example_row.csv"), &opts).unwrap();
        assert!(jobs.is_empty());
        assert_eq!(r.rows_read, 1);
        assert_eq!(r.skipped, vec![("no task rows".to_string(), 1)]);
        // A job row of our own for the real task row
        // 4f057009a5d481acec67b088,tensorflow,1.0,Terminated,1739162.0,1739200.0,600.0,29.296875,50.0,MISC
        let job = temp_file(
            "pai_job.csv",
            "4f057009a5d481acec67b088,abc,u1,Terminated,1739100.0,1739201.0\n",
        );
        let (jobs, r) = read_all(&Pai, &job, &opts).unwrap();
        assert_eq!(r.jobs, 1);
        assert_eq!(
            jobs[0],
            TraceJob {
                id: "4f057009a5d481acec67b088".into(),
                submit_ms: 0,
                namespace: "u1".into(),
                queue: String::new(),
                priority_class: String::new(),
                pods: 1,
                cpu_milli: 6000,
                memory_bytes: 30_000 << 20,
                gpu_milli: 500,
                gang: 1,
                duration_ms: 38_000,
                outcome: Outcome::Succeeded,
                exit_code: 0,
                recorded_wait_ms: Some(62_000),
                gpu_models: String::new(),
                patience_ms: None,
                requested_ms: None,
            }
        );
    }

    /// The real example rows (one job, one task of another job), the task renamed to the job, and
    /// damaged copies: a second job whose task row has a plan that is not a number (the task row
    /// skipped, and its job with it), a third of an unknown status, a fourth with a short row.
    /// The real job is kept; each damage is counted under its column.
    #[test]
    fn real_rows_with_damaged_copies() {
        let job = std::fs::read_to_string(excerpt("pai/pai_job_table.example_row.csv")).unwrap();
        let task = std::fs::read_to_string(excerpt("pai/pai_task_table.example_row.csv")).unwrap();
        let (job, task) = (job.trim_end(), task.trim_end());
        let name = job.split(',').next().unwrap();
        let task_of = |n: &str| task.replacen("4f057009a5d481acec67b088", n, 1);
        let tasks = [
            task_of(name),
            task_of("jB").replacen(",600.0,", ",six hundred,", 1),
            task_of("jC"),
            task_of("jD"),
        ];
        let jobs_rows = [
            job.to_string(),
            job.replacen(name, "jB", 1),
            job.replacen(name, "jC", 1).replacen(",Terminated,", ",Exploded,", 1),
            job.replacen(name, "jD", 1).rsplit_once(',').unwrap().0.to_string(),
        ];
        let task_path = temp_file("pai_real_tasks.csv", &format!("{}\n", tasks.join("\n")));
        let job_path = temp_file("pai_real_jobs.csv", &format!("{}\n", jobs_rows.join("\n")));
        let opts = Options {
            pai_task_table: Some(task_path),
            ..Options::default()
        };
        let (jobs, r) = read_all(&Pai, &job_path, &opts).unwrap();
        assert_eq!((r.rows_read, jobs.len()), (4, 1), "{r}");
        let skipped: Vec<(&str, u64)> = r.skipped.iter().map(|(w, n)| (w.as_str(), *n)).collect();
        assert_eq!(
            skipped,
            [
                ("a task row skipped as malformed", 1),
                ("bad status", 1),
                ("malformed row", 1),
                ("task table: bad plan_cpu", 1)
            ]
        );
        // The real job: submitted at 4550879 s; its task (600% CPU, 29.3 GiB, 50% GPU) ran
        // 1739162 to 1739200 s, before the submission: no recorded wait.
        assert_eq!(
            (jobs[0].id.as_str(), jobs[0].gpu_milli, jobs[0].cpu_milli),
            (name, 500, 6000)
        );
    }

    #[test]
    fn join_of_several_tasks_and_dirty_jobs() {
        let tasks = temp_file(
            "pai_tasks.csv",
            "j1,ps,1.0,Terminated,100.0,300.0,400.0,8.0,,\n\
             j1,worker,4.0,Terminated,110.0,310.0,600.0,16.0,100.0,V100\n\
             j2,worker,1.0,Failed,50.0,60.0,100.0,1.0,NaN,T4\n\
             j4,worker,1.0,Running,0.0,0.0,100.0,1.0,100.0,T4\n",
        );
        let jobs_csv = temp_file(
            "pai_jobs.csv",
            "j1,i1,u1,Terminated,90.0,310.0\nj2,i2,u2,Failed,40.0,60.0\nj3,i3,u3,Running,10.0,0.0\nj4,i4,u4,Failed,0.0,0.0\nj5,i5,u5,Terminated,20.0,30.0\n",
        );
        let opts = Options {
            pai_task_table: Some(tasks),
            ..Options::default()
        };
        let (jobs, r) = read_all(&Pai, &jobs_csv, &opts).unwrap();
        assert_eq!(r.rows_read, 5);
        assert_eq!(jobs.len(), 0, "the ps task of j1 has an empty GPU plan: {r}");
        assert_eq!(r.skipped_total(), 5);
        // With the PS GPU plan given as 0, j1 joins: 5 pods, (4 + 4 x 6) / 5 = 5.6 cores, 4 GPUs / 5.
        let tasks = temp_file(
            "pai_tasks2.csv",
            "j1,ps,1.0,Terminated,100.0,300.0,400.0,8.0,0.0,\nj1,worker,4.0,Terminated,110.0,310.0,600.0,16.0,100.0,V100\n",
        );
        let opts = Options {
            pai_task_table: Some(tasks),
            ..Options::default()
        };
        let (jobs, _) = read_all(&Pai, &jobs_csv, &opts).unwrap();
        let j = &jobs[0];
        assert_eq!((j.pods, j.gang, j.cpu_milli, j.gpu_milli), (5, 5, 5600, 800));
        assert_eq!(j.memory_bytes, (8 + 4 * 16) * (1i64 << 30) / 5 + 1);
        assert_eq!(
            (j.duration_ms, j.recorded_wait_ms, j.submit_ms),
            (210_000, Some(10_000), 0)
        );
        // A bad status after the first row is skipped and counted; on the first row it is the
        // file's error.
        let bad = temp_file(
            "pai_bad.csv",
            "j1,i1,u1,Terminated,90.0,310.0\nj2,i2,u2,Exploded,1.0,2.0\n",
        );
        let (jobs, r) = read_all(&Pai, &bad, &opts).unwrap();
        assert_eq!(
            (jobs.len(), r.skipped.clone()),
            (1, vec![("bad status".to_string(), 1)])
        );
        let bad_first = temp_file("pai_bad_first.csv", "j2,i2,u2,Exploded,1.0,2.0\n");
        let e = read_all(&Pai, &bad_first, &opts).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (Some(1), "status"), "{e}");
        let missing = Options {
            pai_task_table: Some(PathBuf::from("/nonexistent/pai_task_table.csv")),
            ..Options::default()
        };
        let e = read_all(&Pai, &bad, &missing).unwrap_err();
        assert!(e.message.contains("task table"), "{e}");
    }

    #[test]
    fn machine_spec() {
        let p = temp_file("pai_machine_spec.csv", "m1,V100M32,96,512,8\nm2,CPU,64,256,0\n");
        let nodes = read_nodes(&Pai, &p).unwrap();
        assert_eq!(
            nodes[0],
            TraceNode {
                name: "m1".into(),
                cpu_milli: 96_000,
                memory_bytes: 512 << 30,
                gpu_milli: 8000,
                gpu_model: "V100M32".into()
            }
        );
        assert_eq!(nodes[1].gpu_milli, 0);
    }
}
