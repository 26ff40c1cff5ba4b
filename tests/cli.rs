//! End-to-end tests of the `kubesim` command line (contract.md sections 1-4): the built binary is
//! run on scenario files written into a fresh temporary folder per test, and its exit status,
//! stderr and output files are checked.
//!
//! Tests marked `// PRODUCT BUG:` and `#[ignore]` assert what contract.md promises and the
//! product does not do yet; run them with `cargo test --test cli -- --ignored`.
//!
//! This file holds the helpers and the fixtures the tests share; the tests are in `cli/`, one
//! file per theme (errors, outputs, determinism, what ships, experiments, output folders,
//! traces, bounds, cluster exports).

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "cli/bounds.rs"]
mod bounds;
mod common;
#[path = "cli/determinism.rs"]
mod determinism;
#[path = "cli/errors.rs"]
mod errors;
#[path = "cli/experiments.rs"]
mod experiments;
#[path = "cli/explain.rs"]
mod explain;
#[path = "cli/exports.rs"]
mod exports;
#[path = "cli/folders.rs"]
mod folders;
#[path = "cli/outputs.rs"]
mod outputs;
#[path = "cli/shipped.rs"]
mod shipped;
#[path = "cli/traces.rs"]
mod traces;

// -------------------------------------------------------------------------------------------------
// Helpers

/// A fresh folder under the system temp dir, named after the test and the process id. Removed on
/// drop when the test passed; kept (and its path printed) when it failed, to look at.
struct TestDir {
    path: PathBuf,
}

impl TestDir {
    fn new(test: &str) -> TestDir {
        let path = std::env::temp_dir().join(format!("kubesim-cli-{test}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
        TestDir { path }
    }

    /// Write `text` to `name` in the folder; returns its path.
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path.join(name);
        fs::write(&p, text).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
        p
    }

    fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("test files kept in {}", self.path.display());
        } else {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// What a kubesim process did.
struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// The command line, for messages.
    cmd: String,
}

impl Out {
    fn assert_ok(&self) -> &Self {
        assert_eq!(
            self.code,
            Some(0),
            "`{}` failed\nstdout:\n{}\nstderr:\n{}",
            self.cmd,
            self.stdout,
            self.stderr
        );
        self
    }
}

/// How long any one kubesim process may run before the test kills it and fails.
const DEADLINE: Duration = Duration::from_secs(60);

/// Runs the built `kubesim` with `args`, in `cwd` if given, with extra environment variables.
/// `RAYON_NUM_THREADS` is removed unless `env` sets it, so runs do not depend on the caller's
/// environment. Kills the process and fails the test if it runs longer than [`DEADLINE`].
#[allow(
    clippy::disallowed_methods,
    reason = "a wall-clock deadline for a child process, not simulated time"
)]
fn kubesim<I, S>(args: I, cwd: Option<&Path>, env: &[(&str, &str)]) -> Out
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kubesim"));
    cmd.args(args)
        .env_remove("RAYON_NUM_THREADS")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let shown = format!(
        "kubesim {}",
        cmd.get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {shown}: {e}"));
    let mut out_pipe = child.stdout.take().expect("stdout piped");
    let mut err_pipe = child.stderr.take().expect("stderr piped");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out_pipe.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err_pipe.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > DEADLINE => {
                let _ = child.kill();
                let _ = child.wait();
                let stdout = out_reader.join().unwrap_or_default();
                let stderr = err_reader.join().unwrap_or_default();
                panic!(
                    "`{shown}` still running after {} s: killed\nstdout:\n{stdout}\nstderr:\n{stderr}",
                    DEADLINE.as_secs()
                );
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => panic!("wait for {shown}: {e}"),
        }
    };
    Out {
        code: status.code(),
        stdout: out_reader.join().expect("stdout reader"),
        stderr: err_reader.join().expect("stderr reader"),
        cmd: shown,
    }
}

/// A CSV file read with its header.
struct Csv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    fn read(path: &Path) -> Csv {
        let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let header = r
            .headers()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .iter()
            .map(str::to_string)
            .collect();
        let rows = r
            .records()
            .map(|rec| {
                rec.unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                    .iter()
                    .map(str::to_string)
                    .collect()
            })
            .collect();
        Csv { header, rows }
    }

    fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {:?}", self.header))
    }

    /// The value of column `name` in `row`.
    fn get<'a>(&self, row: &'a [String], name: &str) -> &'a str {
        &row[self.col(name)]
    }

    /// The only row whose column `name` (jobs.csv: the job name) is `value`.
    fn row_named(&self, value: &str) -> &[String] {
        let c = self.col("name");
        let found: Vec<&Vec<String>> = self.rows.iter().filter(|r| r[c] == value).collect();
        assert_eq!(found.len(), 1, "rows named {value}: {found:?}");
        found[0]
    }
}

/// The exact first line of a file.
fn header_line(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    text.lines().next().unwrap_or_default().to_string()
}

/// Milliseconds of a time value written as contract.md section 3 says: seconds with exactly
/// three decimals.
fn ms(value: &str, what: &str) -> u64 {
    let parsed = value.split_once('.').and_then(|(s, frac)| {
        let ok = !s.is_empty() && frac.len() == 3 && (s.bytes().chain(frac.bytes())).all(|b| b.is_ascii_digit());
        ok.then(|| s.parse::<u64>().ok().zip(frac.parse::<u64>().ok()))
            .flatten()
    });
    match parsed {
        Some((s, f)) => s * 1000 + f,
        None => panic!("{what}: `{value}` is not seconds with exactly three decimals"),
    }
}

/// The 1-based number of the first line of `text` containing `marker`.
fn line_of(text: &str, marker: &str) -> usize {
    text.lines()
        .position(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("no line contains {marker:?}"))
        + 1
}

/// Every file in `dir` (none if it does not exist), hidden ones included.
fn files_in(dir: &Path) -> Vec<String> {
    match fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.expect("dir entry").file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

const JOBS_HEADER: &str = "policy,seed,namespace,name,kind,owner,queue,priority,gpus,pods,submit_s,start_s,finish_s,state,reason,wait_s,jct_s,restarts,failed_pods,preemptions";
const EVENTS_HEADER: &str = "policy,seed,time_s,object,event,detail";
const SUMMARY_HEADER_PREFIX: &str = "policy,seed,gpu_alloc_util,gpu_busy_util,wait_p50_s,wait_p95_s,wait_p99_s,wait_mean_s,jct_mean_s,jct_p99_s,makespan_s,jobs_complete,jobs_failed,jobs_pending,preemptions,deadlock_episodes,deadlock_s,stranded_gpu_h";

/// Checks an output folder against contract.md section 3: headers, time format, the wait and
/// JCT identities, and no temporary file left behind. Returns the number of jobs.csv rows.
fn check_outputs(dir: &Path, events: bool) -> usize {
    assert_eq!(header_line(&dir.join("jobs.csv")), JOBS_HEADER);
    let summary_header = header_line(&dir.join("summary.csv"));
    assert!(
        summary_header.starts_with(SUMMARY_HEADER_PREFIX),
        "summary.csv header: {summary_header}"
    );
    let mut names = vec![
        "jobs.csv",
        "summary.csv",
        "timeseries.csv",
        "resources.csv",
        "report.html",
        "plots",
    ];
    for optional in [
        "comparison.csv",
        "cronjobs.csv",
        "fidelity.csv",
        "queues.csv",
        "queue_timeseries.csv",
    ] {
        if dir.join(optional).exists() {
            names.push(optional);
        }
    }
    if events {
        assert_eq!(header_line(&dir.join("events.csv")), EVENTS_HEADER);
        names.push("events.csv");
    } else {
        assert!(!dir.join("events.csv").exists(), "events.csv written without --events");
    }
    let mut found = files_in(dir);
    found.sort();
    names.extend([".kubesim-outputs", ".kubesim.lock"]);
    names.sort();
    assert_eq!(found, names, "files in {}", dir.display());
    // The folder's list of what kubesim wrote names exactly its output files.
    let mut listed: Vec<String> = fs::read_to_string(dir.join(".kubesim-outputs"))
        .expect("the list of outputs")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.rsplit('\t').next().expect("name").to_string())
        .collect();
    listed.sort();
    let mut written: Vec<String> = names
        .iter()
        .filter(|n| !n.starts_with(".kubesim") && **n != "plots")
        .map(|n| n.to_string())
        .chain(files_in(&dir.join("plots")).into_iter().map(|f| format!("plots/{f}")))
        .collect();
    written.sort();
    assert_eq!(listed, written, "{}/.kubesim-outputs", dir.display());
    // Every time value (a column named *_s) has exactly three decimals.
    for name in names.iter().filter(|n| n.ends_with(".csv")) {
        let csv = Csv::read(&dir.join(name));
        for (c, h) in csv.header.iter().enumerate() {
            if !h.ends_with("_s") {
                continue;
            }
            for row in &csv.rows {
                if !row[c].is_empty() {
                    ms(&row[c], &format!("{name} column {h}"));
                }
            }
        }
    }
    let jobs = Csv::read(&dir.join("jobs.csv"));
    for row in &jobs.rows {
        let t = |c: &str| {
            let v = jobs.get(row, c);
            (!v.is_empty()).then(|| ms(v, c))
        };
        let submit = t("submit_s").expect("submit_s is always set");
        match (t("start_s"), t("wait_s")) {
            (Some(start), Some(wait)) => assert_eq!(start - submit, wait, "wait_s = start_s - submit_s: {row:?}"),
            (None, None) => {}
            other => panic!("start_s and wait_s must be set together: {other:?} in {row:?}"),
        }
        match (t("finish_s"), t("jct_s")) {
            (Some(finish), Some(jct)) => assert_eq!(finish - submit, jct, "jct_s = finish_s - submit_s: {row:?}"),
            (None, None) => {}
            other => panic!("finish_s and jct_s must be set together: {other:?} in {row:?}"),
        }
    }
    jobs.rows.len()
}

/// A node with 8 GPUs.
const NODE: &str = "\
apiVersion: v1
kind: Node
metadata: {name: n0}
status:
  allocatable: {cpu: \"32\", memory: 256Gi, nvidia.com/gpu: \"8\", pods: \"110\"}
";

/// The hand-computed case: one 8-GPU node, one Job of 2 completions run one at a time, 1 GPU
/// each, 60 s per pod, over a 200 s horizon.
const TINY: &str = "\
apiVersion: kubesim.io/v1alpha1
kind: Simulation
metadata: {name: tiny}
spec:
  horizon: 200s
---
apiVersion: v1
kind: Node
metadata: {name: n0}
status:
  allocatable: {cpu: \"32\", memory: 256Gi, nvidia.com/gpu: \"8\", pods: \"110\"}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: two
  annotations:
    kubesim.io/duration: \"60s\"
spec:
  completions: 2
  parallelism: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: x
        resources: {limits: {nvidia.com/gpu: \"1\"}}
";

/// Asserts a user error: exit status 2, no panic, a `fix:` line, and the given texts.
fn assert_input_error(case: &str, out: &Out, expected: &[String]) {
    assert_eq!(
        out.code,
        Some(2),
        "{case}: `{}` exit status\nstdout:\n{}\nstderr:\n{}",
        out.cmd,
        out.stdout,
        out.stderr
    );
    for bad in ["panicked", "internal error", "RUST_BACKTRACE"] {
        assert!(
            !out.stderr.contains(bad),
            "{case}: panic text in stderr:\n{}",
            out.stderr
        );
    }
    assert!(
        out.stderr.lines().any(|l| l.trim_start().starts_with("fix: ")),
        "{case}: no `fix:` line in stderr:\n{}",
        out.stderr
    );
    for text in expected {
        assert!(
            out.stderr.contains(text.as_str()),
            "{case}: stderr does not contain {text:?}:\n{}",
            out.stderr
        );
    }
}

/// A mixed workload on three 8-GPU nodes: small, medium and large (2-pod) Jobs arriving by
/// Poisson processes, with lognormal, uniform and exponential durations.
const MIXED: &str = "\
apiVersion: kubesim.io/v1alpha1
kind: Simulation
metadata: {name: mixed}
spec:
  seed: 1
---
apiVersion: kubesim.io/v1alpha1
kind: NodePool
metadata: {name: pool}
spec:
  count: 3
  template:
    apiVersion: v1
    kind: Node
    metadata: {name: gpu}
    status:
      allocatable: {cpu: \"64\", memory: 512Gi, nvidia.com/gpu: \"8\", pods: \"110\"}
---
apiVersion: kubesim.io/v1alpha1
kind: Arrivals
metadata: {name: small}
spec:
  count: 150
  poisson: {meanInterval: 2m}
  duration: {lognormal: {median: 20m, sigma: 0.8}}
  template:
    apiVersion: batch/v1
    kind: Job
    metadata: {name: small, namespace: research}
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: c
            image: x
            resources: {limits: {cpu: \"4\", memory: 16Gi, nvidia.com/gpu: \"1\"}}
---
apiVersion: kubesim.io/v1alpha1
kind: Arrivals
metadata: {name: medium}
spec:
  count: 80
  poisson: {meanInterval: 5m}
  duration: {uniform: {min: 10m, max: 1h}}
  template:
    apiVersion: batch/v1
    kind: Job
    metadata: {name: medium, namespace: research}
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: c
            image: x
            resources: {limits: {cpu: \"8\", memory: 32Gi, nvidia.com/gpu: \"2\"}}
---
apiVersion: kubesim.io/v1alpha1
kind: Arrivals
metadata: {name: large}
spec:
  count: 40
  poisson: {meanInterval: 10m}
  duration: {exponential: {mean: 40m}}
  template:
    apiVersion: batch/v1
    kind: Job
    metadata: {name: large, namespace: nlp}
    spec:
      completions: 2
      parallelism: 2
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: c
            image: x
            resources: {limits: {cpu: \"16\", memory: 64Gi, nvidia.com/gpu: \"4\"}}
";
