//! Memory that must not grow with events: peak heap of runs that stop at 1,000,000 and at
//! 10,000,000 events (the event bound, `spec.maxEvents`), for
//! - a bare Pod whose container restarts forever, with every transition written to events.csv
//!   (streamed to a spool file, as `kubesim run --events` does);
//! - a Job whose pods fail and are replaced forever (pods are released once accounted for);
//! - 200 such Jobs at once;
//!
//! and of `kubesim trace import` of an unsorted openb-style pod list of 1,000,000 and 4,000,000
//! rows (sorted through spilled runs of 500,000 jobs, so memory stays that of one run).
//!
//! Peak heap is measured by a counting global allocator (exact, not sampled). The two peaks of a
//! case should be within 10% of each other. Run with `cargo bench --bench memory`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use kubesim::observe::record::EventSink;
use kubesim::policy::Policy;
use kubesim::sim::World;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const NODE: &str = "apiVersion: v1\nkind: Node\nmetadata: {name: n0}\nstatus:\n  allocatable: {cpu: \"64\", memory: 256Gi, nvidia.com/gpu: \"8\", pods: \"110\"}\n---\n";

fn scenario(max_events: u64, workloads: &str) -> String {
    format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: memory}}\nspec: {{maxEvents: {max_events}}}\n---\n{NODE}{workloads}"
    )
}

fn restarting_pod() -> String {
    "apiVersion: v1\nkind: Pod\nmetadata: {name: forever, annotations: {kubesim.io/duration: 1s}}\nspec:\n  containers: [{name: c, image: x}]\n"
        .to_string()
}

fn failing_jobs(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "apiVersion: batch/v1\nkind: Job\nmetadata: {{name: flaky-{i}, annotations: {{kubesim.io/duration: 1s, kubesim.io/failures: \"1000000000\"}}}}\n\
                 spec:\n  backoffLimit: 1000000000\n  podFailurePolicy:\n    rules: [{{action: Ignore, onExitCodes: {{operator: In, values: [1]}}}}]\n  \
                 template:\n    spec:\n      restartPolicy: Never\n      containers: [{{name: c, image: x, resources: {{requests: {{cpu: 100m}}}}}}]\n---\n"
            )
        })
        .collect()
}

/// Peak heap (bytes) of a run stopped by the event bound, and the events it processed.
fn peak(text: &str, events_to: Option<&std::path::Path>) -> (usize, u64) {
    let sc = kubesim::input::scenario::load_str("memory.yaml", text).expect("scenario");
    let sink = match events_to {
        Some(p) => EventSink::File(p.to_path_buf()),
        None => EventSink::Off,
    };
    PEAK.store(CURRENT.load(Ordering::Relaxed), Ordering::Relaxed);
    let base = CURRENT.load(Ordering::Relaxed);
    let world = World::new(&sc, Policy::parse("kube-default").expect("policy"), 1, &sink).expect("world");
    let err = world.run().expect_err("the run stops at the event bound");
    assert!(err.message.contains("event bound"), "{err}");
    let events: u64 = err
        .message
        .split("event bound of ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("the bound in the message");
    (PEAK.load(Ordering::Relaxed) - base, events)
}

fn main() {
    let spool = std::env::temp_dir().join(format!("kubesim-bench-memory-{}.csv", std::process::id()));
    let cases: [(&str, String, bool); 3] = [
        ("restarting pod, events.csv streamed", restarting_pod(), true),
        ("a Job replacing failed pods", failing_jobs(1), false),
        ("200 Jobs replacing failed pods", failing_jobs(200), false),
    ];
    println!(
        "{:<40} {:>12} {:>14} {:>12} {:>8}",
        "case", "events or rows", "peak heap", "events.csv", "ratio"
    );
    for (name, workloads, events) in cases {
        let mut first = None;
        for n in [1_000_000u64, 10_000_000] {
            let (bytes, processed) = peak(&scenario(n, &workloads), events.then_some(spool.as_path()));
            let spool_mb = std::fs::metadata(&spool).map(|m| m.len() as f64 / 1e6).unwrap_or(0.0);
            let ratio = first.map_or(1.0, |f: usize| bytes as f64 / f as f64);
            first.get_or_insert(bytes);
            println!(
                "{name:<40} {processed:>12} {:>11.2} MB {:>9.0} MB {ratio:>8.2}",
                bytes as f64 / 1e6,
                if events { spool_mb } else { 0.0 }
            );
        }
    }
    let _ = std::fs::remove_file(&spool);
    import_peaks();
}

/// Peak heap of importing unsorted openb rows: flat in the number of rows.
fn import_peaks() {
    use std::io::Write;
    let dir = std::env::temp_dir().join(format!("kubesim-bench-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut first = None;
    for rows in [1_000_000u64, 4_000_000] {
        let input = dir.join(format!("pods-{rows}.csv"));
        let mut w = std::io::BufWriter::new(std::fs::File::create(&input).expect("input"));
        writeln!(
            w,
            "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time"
        )
        .expect("write");
        // Creation times scrambled by a multiplicative hash: far from sorted.
        for i in 0..rows {
            let c = (i.wrapping_mul(2_654_435_761) % 10_000_000) as i64;
            writeln!(w, "p{i},4000,8192,1,1000,,LS,Succeeded,{c},{},{}", c + 600, c + 30).expect("write");
        }
        w.flush().expect("flush");
        drop(w);
        let out = dir.join(format!("out-{rows}.csv"));
        let _ = std::fs::remove_file(&out);
        PEAK.store(CURRENT.load(Ordering::Relaxed), Ordering::Relaxed);
        let base = CURRENT.load(Ordering::Relaxed);
        kubesim::cli::trace::import(
            "openb",
            &input,
            Some(out),
            false,
            &kubesim::input::trace::Options::default(),
        )
        .expect("import");
        let bytes = PEAK.load(Ordering::Relaxed) - base;
        let ratio = first.map_or(1.0, |f: usize| bytes as f64 / f as f64);
        first.get_or_insert(bytes);
        println!(
            "{:<40} {rows:>12} {:>11.2} MB {:>12} {ratio:>8.2}",
            "trace import, unsorted openb rows",
            bytes as f64 / 1e6,
            "-"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
