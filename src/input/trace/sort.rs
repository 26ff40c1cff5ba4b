//! A trace's jobs in submit-time order in bounded memory: an external merge sort.
//!
//! The native format is sorted by submit time, and some traces are not (Philly), so an import
//! sorts. Holding every job would make memory grow with the trace (10 million rows took
//! gigabytes), so jobs are gathered in runs of at most `run_jobs`; a full run is sorted and
//! spilled to a temporary native file, and at the end the runs are merged, always taking the
//! earliest head (ties: the earlier run, so equal submit times keep file order, as a stable
//! sort would). A trace that fits in one run is sorted in memory and never spilled, and a native
//! trace (sorted by definition: its reader refuses rows out of order) is passed through. Spill
//! files are removed when the sort ends, whether it succeeded or not.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::native::{NativeWriter, RunReader};
use super::{ImportReport, Importer, Options, TraceJob, read};
use crate::error::InputError;

/// Jobs per sorted run: a few hundred MB at most, whatever the trace's length.
pub const RUN_JOBS: usize = 500_000;

/// Spill files, removed when dropped.
struct Spills(Vec<PathBuf>);

impl Drop for Spills {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = fs::remove_file(p);
        }
    }
}

fn spill(path: &Path, jobs: &mut Vec<TraceJob>) -> Result<(), InputError> {
    let io_err = |e: std::io::Error| {
        InputError::new(
            "-o",
            format!("cannot write the temporary file {}: {e}", path.display()),
            "choose an output folder with free space (the import sorts through temporary files beside the output)",
        )
    };
    jobs.sort_by_key(|j| j.submit_ms);
    let mut w = BufWriter::new(fs::File::create(path).map_err(io_err)?);
    {
        let mut nw = NativeWriter::new(&mut w).map_err(io_err)?;
        for j in jobs.iter() {
            nw.write(j).map_err(io_err)?;
        }
    }
    w.flush().map_err(io_err)?;
    jobs.clear();
    Ok(())
}

/// Read the trace at `path` and hand its jobs to `sink` sorted by submit time (stable), holding
/// at most `run_jobs` jobs; `spill_path(k)` names the temporary file of run `k`.
pub fn for_each_sorted(
    format: &dyn Importer,
    path: &Path,
    opts: &Options,
    run_jobs: usize,
    spill_path: &dyn Fn(usize) -> PathBuf,
    sink: &mut dyn FnMut(TraceJob) -> Result<(), InputError>,
) -> Result<ImportReport, InputError> {
    assert!(run_jobs > 0, "runs hold at least one job");
    // The native reader refuses rows out of order: its jobs are sorted already.
    if format.native() {
        return read(format, path, opts, sink);
    }
    let mut spills = Spills(Vec::new());
    let mut buf: Vec<TraceJob> = Vec::new();
    let report = read(format, path, opts, &mut |j| {
        buf.push(j);
        if buf.len() == run_jobs {
            let p = spill_path(spills.0.len());
            spills.0.push(p.clone());
            spill(&p, &mut buf)?;
        }
        Ok(())
    })?;
    if spills.0.is_empty() {
        buf.sort_by_key(|j| j.submit_ms);
        for j in buf {
            sink(j)?;
        }
        return Ok(report);
    }
    if !buf.is_empty() {
        let p = spill_path(spills.0.len());
        spills.0.push(p.clone());
        spill(&p, &mut buf)?;
    }
    drop(buf);
    let mut readers = spills
        .0
        .iter()
        .map(|p| RunReader::open(p))
        .collect::<Result<Vec<_>, _>>()?;
    let mut heads: Vec<Option<TraceJob>> = Vec::with_capacity(readers.len());
    let mut heap = BinaryHeap::with_capacity(readers.len());
    for (k, r) in readers.iter_mut().enumerate() {
        let head = r.next_job()?;
        if let Some(j) = &head {
            heap.push(Reverse((j.submit_ms, k)));
        }
        heads.push(head);
    }
    while let Some(Reverse((_, k))) = heap.pop() {
        let job = heads[k].take().expect("a run in the heap has a head");
        heads[k] = readers[k].next_job()?;
        if let Some(j) = &heads[k] {
            heap.push(Reverse((j.submit_ms, k)));
        }
        sink(job)?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::super::swf;
    use super::super::testutil::temp_file;
    use super::*;

    /// An SWF log with submit times out of order and with ties (job i at (7 i mod 50) s).
    fn unsorted_trace(n: u64) -> PathBuf {
        let mut text = String::new();
        for i in 1..=n {
            let t = (7 * i) % 50;
            text.push_str(&format!("{i} {t} -1 10 1 -1 -1 1 -1 -1 1 1 -1 -1 -1 -1 -1 -1\n"));
        }
        temp_file(&format!("sort-{n}.swf"), &text)
    }

    fn collect(path: &Path, run_jobs: usize) -> (Vec<(u64, String)>, usize) {
        let dir = std::env::temp_dir().join(format!("kubesim-sort-{}-{run_jobs}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let names = std::cell::RefCell::new(Vec::new());
        let mut out = Vec::new();
        for_each_sorted(
            &swf::Swf,
            path,
            &Options::default(),
            run_jobs,
            &|k| {
                let p = dir.join(format!("run-{k}"));
                names.borrow_mut().push(p.clone());
                p
            },
            &mut |j| {
                out.push((j.submit_ms, j.id));
                Ok(())
            },
        )
        .unwrap();
        let spilled = names.borrow().len();
        assert!(names.borrow().iter().all(|p| !p.exists()), "spill files are removed");
        let _ = fs::remove_dir_all(&dir);
        (out, spilled)
    }

    #[test]
    fn spilled_runs_merge_into_the_order_of_a_stable_sort() {
        let path = unsorted_trace(1000);
        let (in_memory, spilled) = collect(&path, 10_000);
        assert_eq!(spilled, 0);
        for run_jobs in [1, 7, 100, 999] {
            let (merged, spilled) = collect(&path, run_jobs);
            assert_eq!(spilled, 1000usize.div_ceil(run_jobs), "runs of {run_jobs}");
            assert_eq!(merged, in_memory, "runs of {run_jobs}");
        }
        // A stable sort of the file's order: by time, then by line (the id is the line number).
        let mut expected: Vec<(u64, String)> = (1..=1000u64).map(|i| ((7 * i) % 50 * 1000, i.to_string())).collect();
        expected.sort_by_key(|(t, _)| *t);
        assert_eq!(in_memory, expected);
    }
}
