//! End-to-end tests of the `kubesim` command line (contract.md sections 1-4): the built binary is
//! run on scenario files written into a fresh temporary folder per test, and its exit status,
//! stderr and output files are checked.
//!
//! Tests marked `// PRODUCT BUG:` and `#[ignore]` assert what contract.md promises and the
//! product does not do yet; run them with `cargo test --test cli -- --ignored`.

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
#[path = "cli/experiments.rs"]
mod experiments;
#[path = "cli/folders.rs"]
mod folders;
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
    let mut names = vec!["jobs.csv", "summary.csv", "timeseries.csv", "report.html", "plots"];
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

// -------------------------------------------------------------------------------------------------
// 1. Bad input: exit 2, a message naming file, line and field with a fix, nothing written.

/// One bad-input case.
struct BadInput {
    name: &'static str,
    /// Files written into the test folder (name, text).
    files: &'static [(&'static str, &'static str)],
    /// Scenario paths given to `run`, relative to the test folder (they may not exist).
    paths: &'static [&'static str],
    flags: &'static [&'static str],
    /// The file stderr must name (its full path).
    file: Option<&'static str>,
    /// A text on the line stderr must name (as `<path>:<line>:`), in `file`.
    line_with: Option<&'static str>,
    /// Texts stderr must contain besides: the field or flag, the bad value, hints.
    mentions: &'static [&'static str],
    /// `kubesim validate` on the same paths fails the same way (file-only errors).
    validate_too: bool,
}

const JOB_5_MINUTES: &str = "\
apiVersion: batch/v1
kind: Job
metadata:
  name: slow
  annotations:
    kubesim.io/duration: \"5 minutes\"
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: x
        resources: {limits: {nvidia.com/gpu: \"1\"}}
";

const MAX_EVENTS_10: &str = "\
apiVersion: kubesim.io/v1alpha1
kind: Simulation
metadata: {name: bounded}
spec:
  maxEvents: 10
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
  name: many
  annotations:
    kubesim.io/duration: \"60s\"
spec:
  completions: 10
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: x
        resources: {limits: {nvidia.com/gpu: \"1\"}}
";

const BAD_INPUTS: &[BadInput] = &[
    BadInput {
        name: "yaml syntax error",
        files: &[(
            "syntax.yaml",
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: a: b\nspec: {}\n",
        )],
        paths: &["syntax.yaml"],
        flags: &[],
        file: Some("syntax.yaml"),
        line_with: Some("name: a: b"),
        mentions: &["invalid YAML"],
        validate_too: true,
    },
    BadInput {
        name: "yaml tab indentation",
        files: &[(
            "tab.yaml",
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n\tname: a\nspec: {}\n",
        )],
        paths: &["tab.yaml"],
        flags: &[],
        file: Some("tab.yaml"),
        line_with: Some("\tname: a"),
        mentions: &["invalid YAML"],
        validate_too: true,
    },
    BadInput {
        name: "unknown kind",
        files: &[(
            "deploy.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {}\n",
        )],
        paths: &["deploy.yaml"],
        flags: &[],
        file: Some("deploy.yaml"),
        line_with: Some("kind: Deployment"),
        // The kind, and the supported kinds listed.
        mentions: &[
            "kind",
            "apps/v1 Deployment",
            "batch/v1 Job",
            "v1 Node",
            "v1 Pod",
            "kubesim.io/v1alpha1 Simulation",
        ],
        validate_too: true,
    },
    BadInput {
        name: "job without spec.template",
        files: &[(
            "notemplate.yaml",
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: a\nspec:\n  completions: 1\n",
        )],
        paths: &["notemplate.yaml"],
        flags: &[],
        file: Some("notemplate.yaml"),
        line_with: Some("spec:"),
        mentions: &["spec.template"],
        validate_too: true,
    },
    BadInput {
        name: "malformed duration",
        files: &[("slow.yaml", JOB_5_MINUTES)],
        paths: &["slow.yaml"],
        flags: &[],
        file: Some("slow.yaml"),
        line_with: Some("kubesim.io/duration"),
        mentions: &["kubesim.io/duration", "5 minutes"],
        validate_too: true,
    },
    BadInput {
        name: "negative horizon",
        files: &[(
            "horizon.yaml",
            "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: s}\nspec:\n  horizon: -5m\n",
        )],
        paths: &["horizon.yaml"],
        flags: &[],
        file: Some("horizon.yaml"),
        line_with: Some("horizon: -5m"),
        mentions: &["spec.horizon", "-5m"],
        validate_too: true,
    },
    BadInput {
        name: "two simulations in two files",
        files: &[
            (
                "sim1.yaml",
                "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: one}\nspec: {seed: 1}\n",
            ),
            (
                "sim2.yaml",
                "# the second one\napiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: two}\n\
                 spec: {seed: 2}\n",
            ),
        ],
        paths: &["sim1.yaml", "sim2.yaml"],
        flags: &[],
        file: Some("sim2.yaml"),
        line_with: Some("kind: Simulation"),
        // It also says where the first one is.
        mentions: &["second Simulation", "sim1.yaml:1"],
        validate_too: true,
    },
    BadInput {
        name: "unknown policy in the Simulation",
        files: &[(
            "policies.yaml",
            "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: s}\nspec:\n  policies: \
             [kube-default, nope]\n",
        )],
        paths: &["policies.yaml"],
        flags: &[],
        file: Some("policies.yaml"),
        line_with: Some("policies:"),
        mentions: &["spec.policies[1]", "nope", "kube-default"],
        validate_too: true,
    },
    BadInput {
        name: "bad --seeds range",
        files: &[("tiny.yaml", TINY)],
        paths: &["tiny.yaml"],
        flags: &["--seeds", "5..1"],
        file: None,
        line_with: None,
        mentions: &["--seeds", "5..1"],
        validate_too: false,
    },
    BadInput {
        name: "maxEvents exceeded",
        files: &[("bounded.yaml", MAX_EVENTS_10)],
        paths: &["bounded.yaml"],
        flags: &[],
        // Where the bound is (file and line) is not named: see
        // max_events_error_names_the_file_and_line.
        file: None,
        line_with: None,
        mentions: &["maxEvents"],
        validate_too: false,
    },
    BadInput {
        name: "nonexistent scenario path",
        files: &[],
        paths: &["missing.yaml"],
        flags: &[],
        file: Some("missing.yaml"),
        line_with: None,
        mentions: &[],
        validate_too: true,
    },
    BadInput {
        name: "unknown --policy",
        files: &[("tiny.yaml", TINY)],
        paths: &["tiny.yaml"],
        flags: &["--policy", "nope"],
        file: None,
        line_with: None,
        // The flag itself is not named: see unknown_policy_flag_error_names_the_flag.
        mentions: &["nope", "kube-default"],
        validate_too: false,
    },
];

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

#[test]
fn bad_input_exits_2_with_a_located_message_and_writes_nothing() {
    let dir = TestDir::new("bad_input");
    for case in BAD_INPUTS {
        // A fresh subfolder per case.
        let case_dir = dir.join(&case.name.replace([' ', '-'], "_"));
        fs::create_dir_all(&case_dir).expect("case dir");
        let mut texts = Vec::new();
        for (name, text) in case.files {
            fs::write(case_dir.join(name), text).expect("write scenario");
            texts.push((*name, *text));
        }
        let out_dir = case_dir.join("out");
        let paths: Vec<PathBuf> = case.paths.iter().map(|p| case_dir.join(p)).collect();

        let mut expected: Vec<String> = case.mentions.iter().map(|m| m.to_string()).collect();
        if let Some(file) = case.file {
            let path = case_dir.join(file);
            let shown = path.display().to_string();
            match case.line_with {
                Some(marker) => {
                    let text = texts.iter().find(|(n, _)| *n == file).expect("file of the case").1;
                    expected.push(format!("{shown}:{}:", line_of(text, marker)));
                }
                None => expected.push(shown),
            }
        }

        let mut args: Vec<&OsStr> = vec![OsStr::new("run")];
        args.extend(paths.iter().map(|p| p.as_os_str()));
        args.extend(case.flags.iter().map(OsStr::new));
        args.extend([OsStr::new("--out"), out_dir.as_os_str()]);
        let out = kubesim(&args, Some(&case_dir), &[]);
        assert_input_error(case.name, &out, &expected);
        assert!(
            !out.stdout.contains("wrote"),
            "{}: stdout says it wrote files:\n{}",
            case.name,
            out.stdout
        );
        assert_eq!(
            files_in(&out_dir),
            Vec::<String>::new(),
            "{}: files written into --out",
            case.name
        );
        assert!(
            !case_dir.join("reports").exists(),
            "{}: reports/ written in the current folder",
            case.name
        );

        if case.validate_too {
            let mut args: Vec<&OsStr> = vec![OsStr::new("validate")];
            args.extend(paths.iter().map(|p| p.as_os_str()));
            let v = kubesim(&args, Some(&case_dir), &[]);
            assert_input_error(&format!("{} (validate)", case.name), &v, &expected);
            assert_eq!(
                v.stderr, out.stderr,
                "{}: validate and run report differently",
                case.name
            );
        }
    }
}

// The maxEvents error names the file and line of the bound (contract.md section 2).
#[test]
fn max_events_error_names_the_file_and_line() {
    let dir = TestDir::new("max_events_location");
    let f = dir.write("bounded.yaml", MAX_EVENTS_10);
    let out = kubesim(
        [
            OsStr::new("run"),
            f.as_os_str(),
            OsStr::new("--out"),
            dir.join("out").as_os_str(),
        ],
        None,
        &[],
    );
    let at = format!("{}:{}:", f.display(), line_of(MAX_EVENTS_10, "maxEvents"));
    assert_input_error("maxEvents", &out, &[at, "spec.maxEvents".into()]);
    assert!(files_in(&dir.join("out")).is_empty());
}

// A run that would never end stops at the event bound with its cause and fix: a bare Pod that
// restarts forever, a Job that replaces failing pods forever; a run that is merely large is told
// to raise the bound. Each stops at 20,000 events here (the default bound is 200,000,000).
#[test]
fn runaway_runs_stop_at_the_event_bound_naming_the_cause() {
    let sim =
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: runaway}\nspec: {maxEvents: 20000}\n---\n";
    let cases: [(&str, &str, &[&str]); 3] = [
        (
            "restarting pod",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: forever, annotations: {kubesim.io/duration: 1s}}\n\
             spec:\n  containers: [{name: c, image: x}]\n",
            &[
                "default/forever restarted its containers",
                "restartPolicy Always",
                "spec.horizon",
                "restartPolicy: Never",
            ],
        ),
        (
            "replacing job",
            "apiVersion: batch/v1\nkind: Job\nmetadata: {name: flaky, annotations: {kubesim.io/duration: 1s, kubesim.io/failures: \"100000000\"}}\n\
             spec:\n  backoffLimit: 100000000\n  podFailurePolicy:\n    rules: [{action: Ignore, onExitCodes: {operator: In, values: [1]}}]\n  \
             template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: x}]\n",
            &["default/flaky created", "pods keep failing", "backoffLimit"],
        ),
        (
            "large scenario",
            "apiVersion: kubesim.io/v1alpha1\nkind: Arrivals\nmetadata: {name: many}\nspec:\n  count: 100000\n  every: 1s\n  \
             template:\n    apiVersion: batch/v1\n    kind: Job\n    metadata: {name: j, annotations: {kubesim.io/duration: 10s}}\n    \
             spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: c, image: x}]\n",
            &[
                "the scenario is larger than the bound",
                "raise Simulation spec.maxEvents",
            ],
        ),
    ];
    for (name, workload, mentions) in cases {
        let dir = TestDir::new(&format!("runaway_{}", name.replace(' ', "_")));
        let text = format!("{sim}{NODE}---\n{workload}");
        let f = dir.write("runaway.yaml", &text);
        let out = kubesim(
            [
                OsStr::new("run"),
                f.as_os_str(),
                OsStr::new("--out"),
                dir.join("out").as_os_str(),
            ],
            None,
            &[],
        );
        let mut expected: Vec<String> = mentions.iter().map(|m| m.to_string()).collect();
        expected.push("reached the event bound of 20000 events".into());
        assert_input_error(name, &out, &expected);
        assert!(!dir.join("out").exists(), "{name}: nothing written");
    }
}

// An unknown `--policy` value is reported against the flag the user typed.
#[test]
fn unknown_policy_flag_error_names_the_flag() {
    let dir = TestDir::new("policy_flag");
    let f = dir.write("tiny.yaml", TINY);
    let out = kubesim(
        [
            OsStr::new("run"),
            f.as_os_str(),
            OsStr::new("--policy"),
            OsStr::new("nope"),
            OsStr::new("--out"),
            dir.join("out").as_os_str(),
        ],
        None,
        &[],
    );
    assert_input_error("--policy nope", &out, &["--policy".into(), "nope".into()]);
}

// Every built-in policy runs: a Simulation naming `kueue` and `volcano-preempt` (with no Kueue
// objects, so every Job runs unmanaged) writes one summary row per policy.
#[test]
fn every_built_in_policy_named_in_the_simulation_runs() {
    let dir = TestDir::new("all_policies");
    let text = TINY.replace(
        "  horizon: 200s",
        "  horizon: 200s\n  policies: [kube-default, kube-binpack, coscheduling, volcano, volcano-preempt, kueue]",
    );
    let f = dir.write("sim.yaml", &text);
    let out_dir = dir.join("out");
    let out = kubesim(
        [
            OsStr::new("run"),
            f.as_os_str(),
            OsStr::new("--out"),
            out_dir.as_os_str(),
        ],
        None,
        &[],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let summary = std::fs::read_to_string(out_dir.join("summary.csv")).expect("summary.csv");
    let policies: Vec<&str> = summary
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap_or(""))
        .collect();
    assert_eq!(
        policies,
        [
            "kube-default",
            "kube-binpack",
            "coscheduling",
            "volcano",
            "volcano-preempt",
            "kueue"
        ]
    );
}

// `--policy kube-default --policy kube-default` is rejected (one row per (policy, seed)).
#[test]
fn repeated_policy_flag_does_not_duplicate_rows() {
    let dir = TestDir::new("repeated_policy");
    let f = dir.write("tiny.yaml", TINY);
    let out_dir = dir.join("out");
    let out = kubesim(
        [
            OsStr::new("run"),
            f.as_os_str(),
            OsStr::new("--policy"),
            OsStr::new("kube-default"),
            OsStr::new("--policy"),
            OsStr::new("kube-default"),
            OsStr::new("--out"),
            out_dir.as_os_str(),
        ],
        None,
        &[],
    );
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("--policy"), "{}", out.stderr);
    assert!(!out_dir.exists() || files_in(&out_dir).is_empty());
}

// -------------------------------------------------------------------------------------------------
// 2. Not errors: an unschedulable pod and a missing PriorityClass end the run normally.

struct Outcome {
    name: &'static str,
    scenario: &'static str,
    job: &'static str,
    state: &'static str,
    reason_contains: &'static str,
}

const OUTCOMES: &[Outcome] = &[
    Outcome {
        name: "pod no node can ever fit",
        scenario: "\
apiVersion: batch/v1
kind: Job
metadata:
  name: huge
  annotations:
    kubesim.io/duration: \"60s\"
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: x
        resources: {limits: {nvidia.com/gpu: \"64\"}}
",
        job: "huge",
        state: "Pending",
        reason_contains: "Unschedulable",
    },
    Outcome {
        name: "missing PriorityClass",
        scenario: "\
apiVersion: batch/v1
kind: Job
metadata:
  name: orphan
  annotations:
    kubesim.io/duration: \"60s\"
spec:
  template:
    spec:
      priorityClassName: does-not-exist
      restartPolicy: Never
      containers:
      - name: c
        image: x
        resources: {limits: {nvidia.com/gpu: \"1\"}}
",
        job: "orphan",
        state: "Rejected",
        reason_contains: "does-not-exist",
    },
];

#[test]
fn unschedulable_and_rejected_jobs_are_outcomes_not_errors() {
    let dir = TestDir::new("outcomes");
    for (i, case) in OUTCOMES.iter().enumerate() {
        // No Simulation and no horizon: the run must end on its own (kubesim() kills it after
        // 60 s and fails).
        let nodes = dir.write(&format!("nodes-{i}.yaml"), NODE);
        let f = dir.write(&format!("case-{i}.yaml"), case.scenario);
        let out_dir = dir.join(&format!("out-{i}"));
        kubesim(
            [
                OsStr::new("run"),
                nodes.as_os_str(),
                f.as_os_str(),
                OsStr::new("--events"),
                OsStr::new("--out"),
                out_dir.as_os_str(),
            ],
            None,
            &[],
        )
        .assert_ok();
        assert_eq!(check_outputs(&out_dir, true), 1, "{}", case.name);
        let jobs = Csv::read(&out_dir.join("jobs.csv"));
        let row = jobs.row_named(case.job);
        assert_eq!(jobs.get(row, "state"), case.state, "{}: {row:?}", case.name);
        assert!(
            jobs.get(row, "reason").contains(case.reason_contains),
            "{}: reason {:?} should mention {:?}",
            case.name,
            jobs.get(row, "reason"),
            case.reason_contains
        );
        assert_eq!(jobs.get(row, "start_s"), "", "{}", case.name);
        assert_eq!(jobs.get(row, "finish_s"), "", "{}", case.name);
        let summary = Csv::read(&out_dir.join("summary.csv"));
        let s = &summary.rows[0];
        assert_eq!(summary.get(s, "jobs_complete"), "0", "{}", case.name);
        let pending = if case.state == "Pending" { "1" } else { "0" };
        assert_eq!(summary.get(s, "jobs_pending"), pending, "{}", case.name);
    }
}

// -------------------------------------------------------------------------------------------------
// 3. Outputs (contract.md section 3) and exact numbers for a case computed by hand.

#[test]
fn outputs_follow_the_contract_with_hand_computed_numbers() {
    let dir = TestDir::new("outputs");
    let f = dir.write("tiny.yaml", TINY);
    let out_dir = dir.join("out");
    let out = kubesim(
        [
            OsStr::new("run"),
            f.as_os_str(),
            OsStr::new("--events"),
            OsStr::new("--out"),
            out_dir.as_os_str(),
        ],
        None,
        &[],
    );
    out.assert_ok();
    assert!(out.stdout.contains("kube-default"), "table:\n{}", out.stdout);
    assert_eq!(check_outputs(&out_dir, true), 1);

    // Pod two-0 runs 0-60 s; the Job controller syncs 1 s after the pod event (jobSyncBatch)
    // and creates two-1 at 61 s, which runs to 121 s; the Job completes at the next sync, 122 s.
    let jobs = Csv::read(&out_dir.join("jobs.csv"));
    let row = jobs.row_named("two");
    let expect = [
        ("policy", "kube-default"),
        ("seed", "1"),
        ("namespace", "default"),
        ("kind", "Job"),
        ("owner", ""),
        ("gpus", "1"),
        ("pods", "1"),
        ("submit_s", "0.000"),
        ("start_s", "0.000"),
        ("finish_s", "122.000"),
        ("state", "Complete"),
        ("reason", ""),
        ("wait_s", "0.000"),
        ("jct_s", "122.000"),
        ("restarts", "0"),
        ("failed_pods", "0"),
        ("preemptions", "0"),
    ];
    for (c, v) in expect {
        assert_eq!(jobs.get(row, c), v, "jobs.csv {c}: {row:?}");
    }

    let events = Csv::read(&out_dir.join("events.csv"));
    let at = |object: &str, event: &str| -> Vec<String> {
        events
            .rows
            .iter()
            .filter(|r| events.get(r, "object") == object && events.get(r, "event") == event)
            .map(|r| events.get(r, "time_s").to_string())
            .collect()
    };
    assert_eq!(at("default/two", "JobCreated"), ["0.000"]);
    assert_eq!(at("default/two-0", "PodRunning"), ["0.000"]);
    assert_eq!(at("default/two-0", "PodSucceeded"), ["60.000"]);
    assert_eq!(at("default/two-1", "PodCreated"), ["61.000"]);
    assert_eq!(at("default/two-1", "PodRunning"), ["61.000"]);
    assert_eq!(at("default/two-1", "PodSucceeded"), ["121.000"]);
    assert_eq!(at("default/two", "JobComplete"), ["122.000"]);
    let bound: Vec<&str> = events
        .rows
        .iter()
        .filter(|r| events.get(r, "event") == "PodBound")
        .map(|r| events.get(r, "detail"))
        .collect();
    assert_eq!(bound, ["n0", "n0"], "PodBound detail is the node");
    assert!(events.rows.iter().all(|r| r[0] == "kube-default" && r[1] == "1"));
    let times: Vec<u64> = events
        .rows
        .iter()
        .map(|r| ms(events.get(r, "time_s"), "time_s"))
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "events out of time order: {times:?}"
    );

    // GPU-seconds held: (60 + 60) x 1 GPU; capacity 8 GPUs x 200 s: 120 / 1600 = 0.075.
    let summary = Csv::read(&out_dir.join("summary.csv"));
    assert_eq!(summary.rows.len(), 1);
    let s = &summary.rows[0];
    let util = |c: &str| -> f64 { summary.get(s, c).parse().unwrap_or_else(|e| panic!("{c}: {e}")) };
    assert!((util("gpu_alloc_util") - 0.075).abs() < 1e-6, "{s:?}");
    assert!((util("gpu_busy_util") - 0.075).abs() < 1e-6, "{s:?}");
    let expect = [
        ("policy", "kube-default"),
        ("seed", "1"),
        ("wait_p50_s", "0.000"),
        ("wait_p95_s", "0.000"),
        ("wait_p99_s", "0.000"),
        ("wait_mean_s", "0.000"),
        ("jct_mean_s", "122.000"),
        ("jct_p99_s", "122.000"),
        ("makespan_s", "122.000"),
        ("jobs_complete", "1"),
        ("jobs_failed", "0"),
        ("jobs_pending", "0"),
        ("preemptions", "0"),
        ("deadlock_episodes", "0"),
        ("deadlock_s", "0.000"),
    ];
    for (c, v) in expect {
        assert_eq!(summary.get(s, c), v, "summary.csv {c}: {s:?}");
    }
    assert!(util("stranded_gpu_h").abs() < 1e-9, "{s:?}");
}

#[test]
fn default_out_is_reports_simulation_name_and_events_need_the_flag() {
    let dir = TestDir::new("default_out");
    let f = dir.write("tiny.yaml", TINY);
    let out = kubesim([OsStr::new("run"), f.as_os_str()], Some(&dir.path), &[]);
    out.assert_ok();
    let reports = dir.join("reports/tiny");
    assert_eq!(check_outputs(&reports, false), 1);
    assert!(
        out.stdout.contains("jobs.csv") && out.stdout.contains("summary.csv"),
        "{}",
        out.stdout
    );
}

// Object names are Kubernetes names (DNS-1123 subdomains), so the default output folder
// `reports/<simulation name>` cannot escape reports/.
#[test]
fn simulation_name_must_be_a_kubernetes_name() {
    let dir = TestDir::new("simulation_name");
    let text = "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: \"../../escaped\"}\n";
    let f = dir.write("sim.yaml", text);
    let work = dir.join("work");
    fs::create_dir_all(&work).expect("work dir");
    let out = kubesim([OsStr::new("run"), f.as_os_str()], Some(&work), &[]);
    let escaped = dir.join("escaped");
    assert!(
        !escaped.exists(),
        "outputs written outside reports/: {}",
        escaped.display()
    );
    let at = format!("{}:{}:", f.display(), line_of(text, "name:"));
    assert_input_error("name ../../escaped", &out, &[at, "metadata.name".into()]);
}

#[test]
fn run_writes_a_self_contained_report_html() {
    let dir = TestDir::new("report_html");
    let f = dir.write("tiny.yaml", TINY);
    let out_dir = dir.join("out");
    kubesim(
        [
            OsStr::new("run"),
            f.as_os_str(),
            OsStr::new("--out"),
            out_dir.as_os_str(),
        ],
        None,
        &[],
    )
    .assert_ok();
    let html = fs::read_to_string(out_dir.join("report.html")).expect("report.html written");
    assert!(html.contains("<html") && html.contains("kube-default"));
    check_outputs(&out_dir, false);
}

// -------------------------------------------------------------------------------------------------
// 4. Determinism: the same inputs give byte-identical outputs whatever the thread count.

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

#[test]
fn outputs_are_byte_identical_across_runs_and_thread_counts() {
    let dir = TestDir::new("determinism");
    let f = dir.write("mixed.yaml", MIXED);
    let variants: [(&str, &[(&str, &str)]); 4] = [
        ("first", &[]),
        ("again", &[]),
        ("one-thread", &[("RAYON_NUM_THREADS", "1")]),
        ("two-threads", &[("RAYON_NUM_THREADS", "2")]),
    ];
    let mut outputs = Vec::new();
    for (name, env) in variants {
        let out_dir = dir.join(name);
        kubesim(
            [
                OsStr::new("run"),
                f.as_os_str(),
                OsStr::new("--seeds"),
                OsStr::new("1..4"),
                OsStr::new("--policy"),
                OsStr::new("kube-default"),
                OsStr::new("--policy"),
                OsStr::new("kube-binpack"),
                OsStr::new("--events"),
                OsStr::new("--out"),
                out_dir.as_os_str(),
            ],
            None,
            env,
        )
        .assert_ok();
        outputs.push((name, out_dir));
    }
    // Every file: the tables, the time series, report.html and the plots (SVG and PNG).
    let (_, first_dir) = &outputs[0];
    for (_, dir) in &outputs[1..] {
        experiments::assert_same_tree(first_dir, dir);
    }

    // The contract's format holds on this bigger output too: 270 workloads x 8 runs.
    assert_eq!(check_outputs(first_dir, true), 270 * 8);
    let summary = Csv::read(&first_dir.join("summary.csv"));
    let runs: Vec<(String, String)> = summary.rows.iter().map(|r| (r[0].clone(), r[1].clone())).collect();
    let expected: Vec<(String, String)> = ["kube-default", "kube-binpack"]
        .iter()
        .flat_map(|p| (1..=4).map(move |s| (p.to_string(), s.to_string())))
        .collect();
    assert_eq!(runs, expected, "one summary row per (policy, seed), in order");

    // Seeds matter: the rows of each seed (seed column aside) differ from every other seed's,
    // so byte-identical outputs above are not trivially identical.
    let jobs = Csv::read(&first_dir.join("jobs.csv"));
    let per_seed: Vec<Vec<Vec<String>>> = (1..=4)
        .map(|seed| {
            jobs.rows
                .iter()
                .filter(|r| r[0] == "kube-default" && r[1] == seed.to_string())
                .map(|r| r[2..].to_vec())
                .collect()
        })
        .collect();
    for a in 0..4 {
        assert_eq!(per_seed[a].len(), 270, "seed {}", a + 1);
        for b in a + 1..4 {
            assert_ne!(
                per_seed[a],
                per_seed[b],
                "seeds {} and {} give the same jobs.csv rows",
                a + 1,
                b + 1
            );
        }
    }
}

// -------------------------------------------------------------------------------------------------
// 5. The seed manifests: each validates; all together run on a GPU cluster. They are in
// `../shared`, not in this repository: these tests skip in a clone without it.

/// The seed manifests, or None when `../shared/manifests/seed` is absent (the test returns).
fn seed_files() -> Option<Vec<PathBuf>> {
    let dir = common::shared_path("manifests/seed")?;
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    Some(files)
}

/// 4 A100 nodes: a NodePool of three of 16 GPUs (a100-0..2) and a fourth of 8, a100-3, tainted
/// `nvidia.com/gpu=present:NoSchedule` (a NodePool copies one template, so the tainted node is
/// a Node of its own).
const GPU_CLUSTER: &str = "\
apiVersion: kubesim.io/v1alpha1
kind: Simulation
metadata: {name: seed-manifests}
spec:
  horizon: 2h
---
apiVersion: kubesim.io/v1alpha1
kind: NodePool
metadata: {name: a100}
spec:
  count: 3
  template:
    apiVersion: v1
    kind: Node
    metadata:
      name: a100
      labels: {gpu-type: A100}
    status:
      allocatable: {cpu: \"192\", memory: 2Ti, nvidia.com/gpu: \"16\", pods: \"110\"}
---
apiVersion: v1
kind: Node
metadata:
  name: a100-3
  labels: {gpu-type: A100}
spec:
  taints:
  - {key: nvidia.com/gpu, value: present, effect: NoSchedule}
status:
  allocatable: {cpu: \"96\", memory: 1Ti, nvidia.com/gpu: \"8\", pods: \"110\"}
";

#[test]
fn every_seed_manifest_validates() {
    let Some(files) = seed_files() else { return };
    assert_eq!(files.len(), 17, "{files:?}");
    for f in &files {
        let out = kubesim([OsStr::new("validate"), f.as_os_str()], None, &[]);
        out.assert_ok();
        assert!(
            out.stdout.lines().next().is_some_and(|l| l.ends_with(": valid")),
            "{}: {}",
            f.display(),
            out.stdout
        );
    }
}

// Every policy runs the seed manifests together (queues, priority classes, quota and limit
// range loaded and applied where they apply).
#[test]
fn all_seed_manifests_run_together_under_every_policy() {
    let Some(seeds) = seed_files() else { return };
    let dir = TestDir::new("seed_all_policies");
    let cluster = dir.write("cluster.yaml", GPU_CLUSTER);
    let out_dir = dir.join("out");
    let mut args: Vec<PathBuf> = vec!["compare".into()];
    args.extend(seeds);
    args.push(cluster);
    let policies = [
        "kube-default",
        "kube-binpack",
        "coscheduling",
        "volcano",
        "volcano-preempt",
        "kueue",
    ];
    for p in policies {
        args.extend(["--policy".into(), p.into()]);
    }
    args.extend(["--seeds".into(), "1..2".into(), "--out".into(), out_dir.clone()]);
    let out = kubesim(&args, None, &[]);
    out.assert_ok();
    let summary = Csv::read(&out_dir.join("summary.csv"));
    let got: Vec<&str> = summary.rows.iter().map(|r| summary.get(r, "policy")).collect();
    let want: Vec<&str> = policies.iter().flat_map(|p| [*p, *p]).collect();
    assert_eq!(got, want);
    let queues = Csv::read(&out_dir.join("queues.csv"));
    assert!(
        queues.rows.iter().any(|r| queues.get(r, "policy") == "volcano-preempt"),
        "queue rows for every policy"
    );
}

#[test]
fn all_seed_manifests_run_together_on_a_gpu_cluster() {
    let Some(seeds) = seed_files() else { return };
    let dir = TestDir::new("seed_run");
    let cluster = dir.write("cluster.yaml", GPU_CLUSTER);
    let out_dir = dir.join("out");
    let mut args: Vec<PathBuf> = vec!["run".into()];
    args.extend(seeds);
    args.push(cluster);
    args.extend(["--events".into(), "--out".into(), out_dir.clone()]);
    let out = kubesim(&args, None, &[]);
    out.assert_ok();
    check_outputs(&out_dir, true);

    let jobs = Csv::read(&out_dir.join("jobs.csv"));
    for name in [
        "model-training",
        "batch-inference-daily",
        "production-model-training",
        "gpu-training",
    ] {
        let row = jobs.row_named(name);
        assert_eq!(jobs.get(row, "namespace"), "default", "{row:?}");
        assert_eq!(jobs.get(row, "kind"), "Job", "{row:?}");
        // Nothing keeps these four from running: 7 GPUs asked, and the Volcano jobs 26 more,
        // of 48 untainted GPUs.
        assert_ne!(jobs.get(row, "state"), "Pending", "{row:?}");
        assert_ne!(jobs.get(row, "state"), "Rejected", "{row:?}");
    }
    // No duration hint: the pods run to the 2 h horizon.
    let gpu = jobs.row_named("gpu-training");
    assert_eq!(jobs.get(gpu, "state"), "Running", "{gpu:?}");
    assert_eq!(jobs.get(gpu, "start_s"), "0.000", "{gpu:?}");
    // 11 names the high-priority class of 10; the others get 10's global default.
    assert_eq!(
        jobs.get(jobs.row_named("production-model-training"), "priority"),
        "1000000"
    );
    assert_eq!(jobs.get(jobs.row_named("model-training"), "priority"), "10000");
    assert_eq!(jobs.get(jobs.row_named("production-model-training"), "gpus"), "4");

    // The taint keeps every pod that does not tolerate it off a100-3.
    let events = Csv::read(&out_dir.join("events.csv"));
    for r in &events.rows {
        if events.get(r, "event") == "PodBound" && events.get(r, "detail") == "a100-3" {
            assert!(
                events.get(r, "object").starts_with("default/gpu-training-"),
                "a pod that does not tolerate the taint is bound to a100-3: {r:?}"
            );
        }
    }

    // The four CronJobs are simulated: in these 2 h (from Monday 00:00) only the hourly one fires,
    // at 01:00 (+100 ms requeue); the nightly one's first time is the next midnight, the weekly
    // ones are on Sunday.
    let cron = Csv::read(&out_dir.join("cronjobs.csv"));
    let started = |name: &str| -> String {
        let r = cron
            .rows
            .iter()
            .find(|r| cron.get(r, "cronjob") == name)
            .unwrap_or_else(|| panic!("no cronjobs.csv row for {name}"));
        cron.get(r, "started").to_string()
    };
    assert_eq!(cron.rows.len(), 4);
    assert_eq!(started("feature-generation-hourly"), "1");
    for name in [
        "weekly-model-retrain",
        "nightly-batch-inference",
        "arr-coc-weekly-retrain",
    ] {
        assert_eq!(started(name), "0", "{name}");
    }
    let jobs = Csv::read(&out_dir.join("jobs.csv"));
    let hourly: Vec<&Vec<String>> = jobs
        .rows
        .iter()
        .filter(|r| jobs.get(r, "owner") == "feature-generation-hourly")
        .collect();
    assert_eq!(hourly.len(), 1);
    assert_eq!(jobs.get(hourly[0], "name"), "feature-generation-hourly-29459580");
    assert_eq!(jobs.get(hourly[0], "submit_s"), "3600.100");
}

#[test]
fn seed_job_15_tolerates_the_gpu_taint() {
    // Only the tainted node: gpu-training (15, tolerates it) runs there; model-training (01,
    // no toleration) can never be placed.
    let Some(seeds) = seed_files() else { return };
    let dir = TestDir::new("seed_taint");
    let start = GPU_CLUSTER
        .find("---\napiVersion: v1\nkind: Node")
        .expect("tainted node");
    let cluster = format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: taint}}\nspec:\n  horizon: 1h\n{}",
        &GPU_CLUSTER[start..]
    );
    let cluster = dir.write("tainted.yaml", &cluster);
    let pick = |prefix: &str| {
        seeds
            .iter()
            .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(prefix)))
            .expect("seed manifest")
            .clone()
    };
    let out_dir = dir.join("out");
    let args: Vec<PathBuf> = vec![
        "run".into(),
        pick("01-"),
        pick("15-"),
        cluster,
        "--events".into(),
        "--out".into(),
        out_dir.clone(),
    ];
    kubesim(&args, None, &[]).assert_ok();
    let jobs = Csv::read(&out_dir.join("jobs.csv"));
    let gpu = jobs.row_named("gpu-training");
    assert_eq!(jobs.get(gpu, "state"), "Running", "{gpu:?}");
    let model = jobs.row_named("model-training");
    assert_eq!(jobs.get(model, "state"), "Pending", "{model:?}");
    assert_eq!(jobs.get(model, "reason"), "Unschedulable", "{model:?}");
    let events = Csv::read(&out_dir.join("events.csv"));
    let bound: Vec<(&str, &str)> = events
        .rows
        .iter()
        .filter(|r| events.get(r, "event") == "PodBound")
        .map(|r| (events.get(r, "object"), events.get(r, "detail")))
        .collect();
    assert_eq!(bound, [("default/gpu-training-0", "a100-3")]);
}

// -------------------------------------------------------------------------------------------------
// 6. The built-in demo.

#[test]
fn demo_runs_with_no_arguments_and_prints_a_line_per_policy() {
    let demo = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/gang-contention.yaml"))
        .expect("gang-contention.yaml");
    let policies: Vec<String> = demo
        .lines()
        .find_map(|l| l.trim().strip_prefix("policies:"))
        .and_then(|v| v.trim().strip_prefix('[')?.strip_suffix(']').map(str::to_string))
        .expect("a `policies: [..]` line in scenarios/gang-contention.yaml")
        .split(',')
        .map(|p| p.trim().to_string())
        .collect();
    assert!(!policies.is_empty());

    let dir = TestDir::new("demo");
    let out = kubesim(Vec::<&str>::new(), Some(&dir.path), &[]);
    out.assert_ok();
    for p in &policies {
        let lines = out
            .stdout
            .lines()
            .filter(|l| {
                let mut w = l.split_whitespace();
                w.next() == Some(p.as_str()) && w.next() == Some("10")
            })
            .count();
        assert_eq!(lines, 1, "table lines for policy {p}:\n{}", out.stdout);
    }
    // Its reports go under the current folder.
    let reports = dir.join("reports/demo");
    let jobs = Csv::read(&reports.join("jobs.csv"));
    let seen: BTreeSet<&str> = jobs.rows.iter().map(|r| r[0].as_str()).collect();
    let want: BTreeSet<&str> = policies.iter().map(String::as_str).collect();
    assert_eq!(seen, want);
    check_outputs(&reports, false);
    // It compares: paired differences against the first policy, and a report.
    for p in &policies[1..] {
        assert!(
            out.stdout.contains(&format!("{p} vs {} (10 seeds", policies[0])),
            "{}",
            out.stdout
        );
    }
    assert!(reports.join("comparison.csv").exists() && reports.join("report.html").exists());
}
