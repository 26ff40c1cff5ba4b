//! Alibaba cluster-trace-gpu-v2023 ("openb", the FGD paper): the pod list (one pod per row,
//! whole and fractional GPUs) and the node lists. Mapping per the source formats in traces/README.md, choices in
//! `traces/README.md` ("Mappings: openb"):
//!
//! - each pod is a 1-pod job (no gang); arrival = `creation_time`;
//!   duration = `deletion_time - scheduled_time`; recorded wait = `scheduled_time - creation_time`;
//! - per-pod GPUs = `num_gpu * gpu_milli` milli-GPUs (460 = a 0.46 share of one GPU);
//! - `pod_phase`: Succeeded -> succeeded, Failed -> failed (exit 1), Running -> killed (137): the
//!   pod was deleted while running; but a Running pod without a `deletion_time`, or deleted at
//!   the trace's end (the file's latest `deletion_time`, 12,902,960 s in the default list), was
//!   still running then -> `running` (its duration the part observed);
//!   Pending (never scheduled, `scheduled_time` empty) -> skipped and counted, or with
//!   [`super::Options::include_unscheduled`] kept with their patience: `killed` (137), deleted
//!   at their `deletion_time` whether or not they started (patience = `deletion_time -
//!   creation_time`, and so is the duration);
//! - `qos` -> priority class, lower-cased (`ls`, `be`, `burstable`, `guaranteed`);
//!   namespace `default`, no queue;
//! - `gpu_spec` (the allowed GPU models, `V100M16|V100M32`) is the job's `gpu_models`, which a
//!   replay makes a required node affinity on `nvidia.com/gpu.product`, the label nodes built
//!   from the node list (`openb_node_list_*.csv`, its `model` column) carry;
//! - a malformed row after the first is skipped, counted as `bad <column>` or `malformed row`.

use std::path::Path;

use super::input::{Lines, Row, columns, csv_rows, header_names, open};
use super::{Emit, ImportReport, Importer, NodeReader, Options, Outcome, TraceJob, TraceNode};
use crate::error::{InputError, quote};

/// The `openb` format: Alibaba cluster-trace-gpu-v2023 ("openb") pod list.
pub struct Openb;

impl Importer for Openb {
    fn name(&self) -> &'static str {
        "openb"
    }

    fn about(&self) -> &'static str {
        "Alibaba cluster-trace-gpu-v2023 (\"openb\") pod list"
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

const POD_COLS: [&str; 11] = [
    "name",
    "cpu_milli",
    "memory_mib",
    "num_gpu",
    "gpu_milli",
    "gpu_spec",
    "qos",
    "pod_phase",
    "creation_time",
    "deletion_time",
    "scheduled_time",
];

fn import(path: &Path, opts: &Options, report: &mut ImportReport, emit: &mut Emit<'_>) -> Result<(), InputError> {
    let mut lines = Lines::new(open(path)?, path, opts.max_line_bytes);
    let names = header_names(lines.next_line()?.map_or("", |(_, l)| l));
    let cols = columns(path, 1, &names, POD_COLS, "an openb pod list")?;
    let end = last_deletion(path, opts, &names, cols[9])?;
    csv_rows(&mut lines, path, &names, report, emit, &mut |row, report| {
        pod_of(row, &cols, end, opts, report)
    })
}

/// The trace's end: the latest `deletion_time` of the pod list (column `col` of the header
/// `names`), in ms; rows whose time does not parse are left out (the import counts them).
fn last_deletion(path: &Path, opts: &Options, names: &[String], col: usize) -> Result<Option<i64>, InputError> {
    let mut lines = Lines::new(open(path)?, path, opts.max_line_bytes);
    lines.next_line()?;
    let mut last: Option<i64> = None;
    while let Some((line, text)) = lines.next_line()? {
        if let Ok(row) = Row::parse(path, line, text, names)
            && let Ok(Some(t)) = row.secs_ms(col)
        {
            last = Some(last.map_or(t, |l| l.max(t)));
        }
    }
    Ok(last)
}

/// The pod of one row as a job with its creation time; `None` if skipped (counted in
/// `report`); an error for a bad field (which the caller skips after the first row). `end` is
/// the trace's end ([`last_deletion`]).
fn pod_of(
    row: &Row,
    cols: &[usize; 11],
    end: Option<i64>,
    opts: &Options,
    report: &mut ImportReport,
) -> Result<Option<(i64, TraceJob)>, InputError> {
    let [name, cpu, mem, ngpu, gmilli, spec, qos, ..] = *cols;
    let Some(life) = life(row, cols, end, opts, report)? else {
        return Ok(None);
    };
    let num_gpu = row.i64_nonneg(ngpu)?;
    let share = row.i64_nonneg(gmilli)?;
    if num_gpu > 0 && (share == 0 || share > 1000) {
        return Err(row.err(
            gmilli,
            format!("gpu_milli {share} with num_gpu {num_gpu}"),
            "gpu_milli is 1..1000",
        ));
    }
    let models = row.get(spec);
    super::check_gpu_models(models).map_err(|(m, fix)| row.err(spec, m, fix))?;
    let job = TraceJob {
        id: row.get(name).to_string(),
        submit_ms: 0,
        namespace: "default".to_string(),
        queue: String::new(),
        priority_class: row.get(qos).to_ascii_lowercase(),
        pods: 1,
        cpu_milli: row.i64_nonneg(cpu)?,
        memory_bytes: row.i64_nonneg(mem)?.saturating_mul(1 << 20),
        gpu_milli: num_gpu.saturating_mul(share),
        gang: 1,
        duration_ms: life.duration_ms,
        outcome: life.outcome,
        exit_code: life.exit_code,
        recorded_wait_ms: life.wait_ms,
        gpu_models: models.to_string(),
        patience_ms: life.patience_ms,
        requested_ms: None,
    };
    Ok(Some((life.created, job)))
}

/// What a row's phase and times say of its pod.
struct Life {
    created: i64,
    outcome: Outcome,
    exit_code: i32,
    duration_ms: u64,
    wait_ms: Option<u64>,
    patience_ms: Option<u64>,
}

/// The [`Life`] of a row's pod; `None` if it is skipped (counted in `report`).
fn life(
    row: &Row,
    cols: &[usize; 11],
    end: Option<i64>,
    opts: &Options,
    report: &mut ImportReport,
) -> Result<Option<Life>, InputError> {
    let [.., phase, created, deleted, scheduled] = *cols;
    let (outcome, exit_code) = match row.get(phase) {
        "Succeeded" => (Outcome::Succeeded, 0),
        "Failed" => (Outcome::Failed, 1),
        "Running" | "Pending" => (Outcome::Killed, 137),
        other => {
            return Err(row.err(
                phase,
                format!("unknown pod_phase {}", quote(other)),
                "pod_phase is one of Succeeded, Failed, Running, Pending",
            ));
        }
    };
    let need = |i: usize, v: Option<i64>| {
        v.ok_or_else(|| {
            row.err(
                i,
                "empty time",
                "creation_time is never empty, deletion_time only for a pod still Running",
            )
        })
    };
    let t_created = need(created, row.secs_ms(created)?)?;
    let t_deleted = row.secs_ms(deleted)?;
    let pending = row.get(phase) == "Pending";
    let t_sched = if pending { None } else { row.secs_ms(scheduled)? };
    let Some(t_sched) = t_sched else {
        return unscheduled(row, cols, pending, t_created, t_deleted, opts, report);
    };
    // Running and not deleted, or deleted only by the trace's end: still running then.
    let censored = row.get(phase) == "Running" && (t_deleted.is_none() || t_deleted == end);
    let t_deleted = match t_deleted {
        Some(t) => t,
        None if censored => end.unwrap_or(t_sched).max(t_sched),
        None => need(deleted, None)?,
    };
    if t_sched < t_created || t_deleted < t_sched {
        return Err(row.err(
            scheduled,
            format!(
                "times out of order: creation {}, scheduled {}, deletion {}",
                quote(row.get(created)),
                quote(row.get(scheduled)),
                quote(row.get(deleted))
            ),
            "a pod is created, then scheduled, then deleted",
        ));
    }
    let (outcome, exit_code) = if censored {
        (Outcome::Running, 0)
    } else {
        (outcome, exit_code)
    };
    Ok(Some(Life {
        created: t_created,
        outcome,
        exit_code,
        duration_ms: u64::try_from(t_deleted - t_sched).unwrap_or(0),
        wait_ms: u64::try_from(t_sched - t_created).ok(),
        patience_ms: None,
    }))
}

/// A pod never scheduled (`Pending`, or no `scheduled_time`): skipped and counted, or with
/// [`Options::include_unscheduled`] kept as a job its user gave up on: deleted (killed, 137)
/// at its `deletion_time` unless it has ended, so patience = deletion - creation; its duration
/// is the patience too (once started it runs until that deletion).
fn unscheduled(
    row: &Row,
    cols: &[usize; 11],
    pending: bool,
    t_created: i64,
    t_deleted: Option<i64>,
    opts: &Options,
    report: &mut ImportReport,
) -> Result<Option<Life>, InputError> {
    let [name, .., deleted, _] = *cols;
    if !opts.include_unscheduled {
        let why = if pending {
            "never scheduled (pod_phase Pending)"
        } else {
            "never scheduled (scheduled_time empty)"
        };
        report.skip(row.line, why, row.get(name));
        return Ok(None);
    }
    let Some(t_deleted) = t_deleted else {
        report.skip(
            row.line,
            "never scheduled and never deleted (no patience)",
            row.get(name),
        );
        return Ok(None);
    };
    let Ok(patience) = u64::try_from(t_deleted - t_created) else {
        return Err(row.err(
            deleted,
            "deleted before it was created",
            "a pod is created, then deleted",
        ));
    };
    Ok(Some(Life {
        created: t_created,
        outcome: Outcome::Killed,
        exit_code: 137,
        duration_ms: patience,
        wait_ms: None,
        patience_ms: Some(patience),
    }))
}

/// Reads `openb_node_list_*.csv` (`sn,cpu_milli,memory_mib,gpu,model`).
fn read_nodes(path: &Path) -> Result<Vec<TraceNode>, InputError> {
    let mut lines = Lines::new(open(path)?, path, super::DEFAULT_MAX_LINE_BYTES);
    let names = header_names(lines.next_line()?.map_or("", |(_, l)| l));
    let [sn, cpu, mem, gpu, model] = columns(
        path,
        1,
        &names,
        ["sn", "cpu_milli", "memory_mib", "gpu", "model"],
        "an openb node list",
    )?;
    let mut nodes = Vec::new();
    while let Some((line, text)) = lines.next_line()? {
        if text.trim().is_empty() {
            continue;
        }
        let row = Row::parse(path, line, text, &names)?;
        let node = TraceNode {
            name: row.get(sn).to_string(),
            cpu_milli: row.i64_nonneg(cpu)?,
            memory_bytes: row.i64_nonneg(mem)?.saturating_mul(1 << 20),
            gpu_milli: row.i64_nonneg(gpu)?.saturating_mul(1000),
            gpu_model: row.get(model).to_string(),
        };
        super::push_node(&mut nodes, node, path, line)?;
    }
    Ok(nodes)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{assert_bad_rows, excerpt, read_shared, shared_path, temp_file};
    use super::super::{native, read_all, read_nodes};
    use super::*;

    /// The import of a pod list of `rows` under the header, written to a temporary file `name`.
    fn import_rows(name: &str, rows: &[&str], opts: &Options) -> (Vec<TraceJob>, ImportReport) {
        let p = temp_file(name, &format!("{}\n{}\n", POD_COLS.join(","), rows.join("\n")));
        read_all(&Openb, &p, opts).unwrap()
    }

    #[test]
    fn real_pod_list_excerpt() {
        let p = excerpt("openb/openb_pod_list_default.excerpt.csv");
        let (jobs, r) = read_all(&Openb, &p, &Options::default()).unwrap();
        // 1200 rows: 111 Pending, 647 Running, 416 Failed, 26 Succeeded
        // (`awk -F, 'NR>1 {print $8}' | sort | uniq -c`); 19 of the Running pods are deleted at
        // 12902960, the latest deletion_time, the trace's end: still running then.
        assert_eq!(r.rows_read, 1200);
        assert_eq!(r.jobs, 1200 - 111);
        assert_eq!(jobs.len(), 1200 - 111);
        assert_eq!(
            r.skipped,
            vec![("never scheduled (pod_phase Pending)".to_string(), 111)]
        );
        let outcomes = |o: Outcome| jobs.iter().filter(|j| j.outcome == o).count();
        assert_eq!(
            (
                outcomes(Outcome::Killed),
                outcomes(Outcome::Running),
                outcomes(Outcome::Failed),
                outcomes(Outcome::Succeeded)
            ),
            (628, 19, 416, 26)
        );
        // openb-pod-0001,6000,12288,1,460,,LS,Running,427061,12902960,427061: running for the
        // 12,475,899 s the trace saw.
        assert_eq!(
            (jobs[1].outcome, jobs[1].exit_code, jobs[1].duration_ms),
            (Outcome::Running, 0, 12_475_899_000)
        );
        // openb-pod-0000,12000,16384,1,1000,,LS,Running,0,12537496,0
        assert_eq!(
            jobs[0],
            TraceJob {
                id: "openb-pod-0000".into(),
                submit_ms: 0,
                namespace: "default".into(),
                queue: String::new(),
                priority_class: "ls".into(),
                pods: 1,
                cpu_milli: 12_000,
                memory_bytes: 16 << 30,
                gpu_milli: 1000,
                gang: 1,
                duration_ms: 12_537_496_000,
                outcome: Outcome::Killed,
                exit_code: 137,
                recorded_wait_ms: Some(0),
                gpu_models: String::new(),
                patience_ms: None,
                requested_ms: None,
            }
        );
        // openb-pod-1199,18708,64512,1,1000,,LS,Running,10451555,10451757,10451590: deleted while
        // running 167 s after it was scheduled, 35 s after its creation.
        assert_eq!(
            jobs.last().unwrap(),
            &TraceJob {
                id: "openb-pod-1199".into(),
                submit_ms: 10_451_555_000,
                namespace: "default".into(),
                queue: String::new(),
                priority_class: "ls".into(),
                pods: 1,
                cpu_milli: 18_708,
                memory_bytes: 64_512 << 20,
                gpu_milli: 1000,
                gang: 1,
                duration_ms: 167_000,
                outcome: Outcome::Killed,
                exit_code: 137,
                recorded_wait_ms: Some(35_000),
                gpu_models: String::new(),
                patience_ms: None,
                requested_ms: None,
            }
        );
        // Of the scheduled pods, 4 ask 8 whole GPUs and 347 a fraction of one (num_gpu 1,
        // gpu_milli < 1000; awk on the non-Pending rows).
        assert_eq!(jobs.iter().filter(|j| j.gpu_milli == 8000).count(), 4);
        assert_eq!(
            jobs.iter().filter(|j| j.gpu_milli > 0 && j.gpu_milli < 1000).count(),
            347
        );
        assert!(jobs.windows(2).all(|w| w[0].submit_ms <= w[1].submit_ms));
        // Import -> native -> read gives the same jobs, and writing again the same bytes.
        let mut out = Vec::new();
        super::super::write_native(&mut out, jobs.iter()).unwrap();
        let native = temp_file("openb-native.csv", std::str::from_utf8(&out).unwrap());
        let (back, _) = read_all(&native::Native, &native, &Options::default()).unwrap();
        assert_eq!(back, jobs);
        let mut again = Vec::new();
        super::super::write_native(&mut again, back.iter()).unwrap();
        assert_eq!(again, out);
    }

    /// Rows 7852 to 7858 of `openb_pod_list_gpuspec33.csv` (GPU-model constraints in
    /// `gpu_spec`), as a public repository's tests quote them (the list itself is neither in
    /// `traces/` nor in `../shared`, so they are not checked against it here), and one bad row
    /// written by hand: imported with their GPU models; the malformed spec is skipped.
    #[test]
    fn gpu_spec_rows_keep_their_models() {
        let rows = [
            "openb-pod-7852,11300,49152,1,1000,V100M16|V100M32,LS,Running,12844303,12844554,12844441",
            "openb-pod-7854,11300,49152,1,1000,P100|V100M16|V100M32,LS,Running,12844338,12844584,12844441",
            "openb-pod-7855,11300,49152,1,1000,P100|T4|V100M16|V100M32,LS,Running,12844373,12844681,12844449",
            "openb-pod-7857,11300,49152,1,1000,T4,LS,Running,12844752,12845090,12844754",
            "openb-pod-7858,11300,49152,1,1000,G3,LS,Running,12844783,12844942,12844822",
            "openb-pod-9999,11300,49152,1,1000,T4||G3,LS,Running,12844783,12844942,12844822",
        ];
        let (jobs, r) = import_rows("openb-gpuspec.csv", &rows, &Options::default());
        assert_eq!((r.rows_read, jobs.len()), (6, 5));
        assert_eq!(r.skipped, vec![("bad gpu_spec".to_string(), 1)]);
        assert!(r.flagged.is_empty(), "{r}");
        let models: Vec<&str> = jobs.iter().map(|j| j.gpu_models.as_str()).collect();
        assert_eq!(
            models,
            [
                "V100M16|V100M32",
                "P100|V100M16|V100M32",
                "P100|T4|V100M16|V100M32",
                "T4",
                "G3"
            ]
        );
        // openb-pod-7852: scheduled 138 s after creation, deleted 113 s later.
        assert_eq!(
            (jobs[0].recorded_wait_ms, jobs[0].duration_ms, jobs[0].gpu_milli),
            (Some(138_000), 113_000, 1000)
        );
    }

    /// What only the whole pod list shows: its size, its Pending pods and its last pod.
    #[test]
    fn real_pod_list_full() {
        let Some((jobs, r)) = read_shared(&Openb, "alibaba-gpu-v2023-openb/openb_pod_list_default.csv") else {
            return;
        };
        assert_eq!((r.rows_read, r.jobs), (8152, 8152 - 897));
        assert_eq!(
            r.skipped,
            vec![("never scheduled (pod_phase Pending)".to_string(), 897)]
        );
        // 34 Running pods end at 12902960, the trace's end (the source formats in
        // traces/README.md): still running then.
        assert_eq!(jobs.iter().filter(|j| j.outcome == Outcome::Running).count(), 34);
        // openb-pod-8151,3152,5600,1,590,,BE,Failed,12901761,12901792,12901762
        assert_eq!(
            jobs.last().unwrap(),
            &TraceJob {
                id: "openb-pod-8151".into(),
                submit_ms: 12_901_761_000,
                namespace: "default".into(),
                queue: String::new(),
                priority_class: "be".into(),
                pods: 1,
                cpu_milli: 3152,
                memory_bytes: 5600 << 20,
                gpu_milli: 590,
                gang: 1,
                duration_ms: 30_000,
                outcome: Outcome::Failed,
                exit_code: 1,
                recorded_wait_ms: Some(1000),
                gpu_models: String::new(),
                patience_ms: None,
                requested_ms: None,
            }
        );
    }

    #[test]
    fn real_gpu_node_list() {
        let gpu = read_nodes(&Openb, &excerpt("openb/openb_node_list_gpu_node.csv")).unwrap();
        // 1213 rows holding 6212 GPUs (`awk -F, 'NR>1 {n++; g+=$4} END {print n, g}'`).
        assert_eq!(gpu.len(), 1213);
        assert_eq!(gpu.iter().map(|n| n.gpu_milli).sum::<i64>(), 6212 * 1000);
        // openb-node-0000,64000,262144,2,P100 and openb-node-1212,96000,393216,8,G2
        assert_eq!(
            gpu[0],
            TraceNode {
                name: "openb-node-0000".into(),
                cpu_milli: 64_000,
                memory_bytes: 256 << 30,
                gpu_milli: 2000,
                gpu_model: "P100".into()
            }
        );
        assert_eq!(
            gpu[1212],
            TraceNode {
                name: "openb-node-1212".into(),
                cpu_milli: 96_000,
                memory_bytes: 384 << 30,
                gpu_milli: 8000,
                gpu_model: "G2".into()
            }
        );
    }

    /// The list of all nodes (CPU-only ones too) is not among the excerpts: it is read from the
    /// full traces when they are there.
    #[test]
    fn real_all_node_list() {
        let Some(p) = shared_path("traces/alibaba-gpu-v2023-openb/openb_node_list_all_node.csv") else {
            return;
        };
        let all = read_nodes(&Openb, &p).unwrap();
        assert_eq!(all.len(), 1523);
        assert_eq!(all.iter().map(|n| n.gpu_milli).sum::<i64>(), 6212 * 1000);
        assert_eq!(all.iter().filter(|n| n.gpu_milli == 0).count(), 310);
        assert_eq!(
            all[0],
            TraceNode {
                name: "openb-node-0000".into(),
                cpu_milli: 32_000,
                memory_bytes: 256 << 30,
                gpu_milli: 0,
                gpu_model: String::new()
            }
        );
        assert_eq!(all[1522].gpu_model, "G2");
    }

    /// Running pods: deleted before the trace's end (the latest deletion_time, 500 s here) ->
    /// killed; deleted at the end or never -> running, for the time the trace saw.
    #[test]
    fn running_pods_at_the_trace_end_are_running() {
        let rows = [
            "p0,1000,1024,0,0,,BE,Succeeded,0,500,0",
            "p1,1000,1024,0,0,,BE,Running,10,300,20",
            "p2,1000,1024,0,0,,BE,Running,10,500,40",
            "p3,1000,1024,0,0,,BE,Running,10,,100",
        ];
        let (jobs, r) = import_rows("openb-running.csv", &rows, &Options::default());
        assert!(r.skipped.is_empty(), "{r}");
        let got: Vec<(Outcome, i32, u64)> = jobs.iter().map(|j| (j.outcome, j.exit_code, j.duration_ms)).collect();
        assert_eq!(
            got,
            [
                (Outcome::Succeeded, 0, 500_000),
                (Outcome::Killed, 137, 280_000),
                (Outcome::Running, 0, 460_000),
                (Outcome::Running, 0, 400_000),
            ]
        );
    }

    /// With `include_unscheduled` the 111 Pending pods of the excerpt are kept, each deleted at its
    /// deletion time: openb-pod-0061,11908,47104,1,1000,,BE,Pending,10001278,10001403, waited
    /// 125 s. A Pending pod without a deletion time has no patience: skipped.
    #[test]
    fn unscheduled_pods_keep_their_patience() {
        let opts = Options {
            include_unscheduled: true,
            ..Options::default()
        };
        let p = excerpt("openb/openb_pod_list_default.excerpt.csv");
        let (jobs, r) = read_all(&Openb, &p, &opts).unwrap();
        assert_eq!((r.rows_read, r.jobs), (1200, 1200), "{r}");
        assert!(r.skipped.is_empty(), "{r}");
        assert_eq!(jobs.iter().filter(|j| j.patience_ms.is_some()).count(), 111);
        let j = jobs.iter().find(|j| j.id == "openb-pod-0061").unwrap();
        assert_eq!(
            (
                j.submit_ms,
                j.outcome,
                j.exit_code,
                j.duration_ms,
                j.recorded_wait_ms,
                j.patience_ms
            ),
            (10_001_278_000, Outcome::Killed, 137, 125_000, None, Some(125_000))
        );
        let (jobs, r) = import_rows("openb-nodel.csv", &["p0,1000,1024,0,0,,BE,Pending,10,,"], &opts);
        assert!(jobs.is_empty());
        assert_eq!(
            r.skipped,
            vec![("never scheduled and never deleted (no patience)".to_string(), 1)]
        );
    }

    #[test]
    fn malformed_rows() {
        let h = POD_COLS.join(",");
        let cases: &[(&str, &str, &str)] = &[
            (
                "p1,1000,1024,1,1000,,LS,Exploded,0,10,0",
                "pod_phase",
                "unknown pod_phase",
            ),
            (
                "p1,1000,1024,1,1000,,LS,Running,0,10,20",
                "scheduled_time",
                "out of order",
            ),
            ("p1,1000,1024,1,0,,LS,Running,0,10,0", "gpu_milli", "gpu_milli 0"),
            (
                "p1,lots,1024,1,1000,,LS,Running,0,10,0",
                "cpu_milli",
                "not a non-negative integer",
            ),
            ("p1,1000,1024,1,1000,,LS,Failed,0,,0", "deletion_time", "empty time"),
            (
                "p1,1000,1024,1,1000,,LS,Running,zero,10,0",
                "creation_time",
                "not a number",
            ),
            ("p1,1000,1024,1,1000,LS,Running,0,10,0", "", "10 fields"),
        ];
        // As the first row, each bad row is the file's error; after a good row, it is skipped
        // and counted under its field.
        assert_bad_rows(&Openb, "openb", &h, 2, cases);
        let good = "p0,1000,1024,0,0,,BE,Succeeded,0,5,1";
        let rows: Vec<&str> = cases.iter().map(|c| c.0).collect();
        let p = temp_file("openb-skips.csv", &format!("{h}\n{good}\n{}\n", rows.join("\n")));
        let (jobs, r) = read_all(&Openb, &p, &Options::default()).unwrap();
        assert_eq!((jobs.len(), r.rows_read), (1, 8));
        let skipped: Vec<(&str, u64)> = r.skipped.iter().map(|(w, n)| (w.as_str(), *n)).collect();
        assert_eq!(
            skipped,
            vec![
                ("bad cpu_milli", 1),
                ("bad creation_time", 1),
                ("bad deletion_time", 1),
                ("bad gpu_milli", 1),
                ("bad pod_phase", 1),
                ("bad scheduled_time", 1),
                ("malformed row", 1),
            ]
        );
        assert_eq!(r.first_skips[0], "line 3: bad pod_phase (p1)");
        let p = temp_file("openb-nohdr.csv", "name,cpu\np0,1\n");
        let e = read_all(&Openb, &p, &Options::default()).unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("no column \"cpu_milli\""), "{e}");
    }
}
