//! Machine-friendly outputs: `--json` (parsed, and compared cell by cell with the CSV files),
//! `--threads` (any number gives the same bytes), `--quiet`, `--progress`, shell completions, and
//! `-` reading a scenario from standard input.

use std::io::Write;

use super::experiments::{p, run_args, tree};
use super::*;

/// Runs kubesim with `input` on its standard input.
fn kubesim_stdin(args: &[&str], input: &str) -> Out {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubesim"))
        .args(args)
        .env_remove("RAYON_NUM_THREADS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kubesim");
    let mut stdin = child.stdin.take().expect("stdin piped");
    let input = input.to_string();
    // Written from a thread: kubesim may exit (an error) before reading it all.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let out = child.wait_with_output().expect("wait for kubesim");
    let _ = writer.join();
    Out {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        cmd: format!("kubesim {} < input", args.join(" ")),
    }
}

/// Every row of `json` (an array of objects) against the CSV file at `path`: the same rows in
/// order, the same columns, and every cell equal: an empty cell is null, a number the same
/// number, `true`/`false` a boolean, anything else the same string.
fn assert_json_matches_csv(json: &serde_json::Value, path: &Path) {
    let csv = Csv::read(path);
    let rows = json
        .as_array()
        .unwrap_or_else(|| panic!("{}: not an array", path.display()));
    assert_eq!(rows.len(), csv.rows.len(), "{}: rows", path.display());
    assert!(!rows.is_empty(), "{}: no rows to compare", path.display());
    for (i, (obj, row)) in rows.iter().zip(&csv.rows).enumerate() {
        let obj = obj.as_object().expect("row object");
        let keys: BTreeSet<&str> = obj.keys().map(String::as_str).collect();
        let cols: BTreeSet<&str> = csv.header.iter().map(String::as_str).collect();
        assert_eq!(keys, cols, "{} row {i}: columns", path.display());
        for (col, cell) in csv.header.iter().zip(row) {
            let v = &obj[col.as_str()];
            let same = match v {
                serde_json::Value::Null => cell.is_empty(),
                serde_json::Value::Number(n) => cell.parse::<f64>().ok() == n.as_f64(),
                serde_json::Value::Bool(b) => cell == &b.to_string(),
                serde_json::Value::String(s) => s == cell,
                _ => false,
            };
            assert!(
                same,
                "{} row {i} column {col}: JSON {v} vs CSV `{cell}`",
                path.display()
            );
        }
    }
}

#[test]
fn json_parses_and_matches_the_csv() {
    let dir = TestDir::new("json_compare");
    let f = dir.write("tiny.yaml", TINY);
    let out = dir.join("out");
    let o = run_args(&[
        "compare",
        p(&f),
        "--policy",
        "kube-default",
        "--policy",
        "volcano",
        "--seeds",
        "1..3",
        "--json",
        "--out",
        p(&out),
    ]);
    o.assert_ok();
    // stdout is exactly one JSON document; the human text is not there.
    let doc: serde_json::Value = serde_json::from_str(&o.stdout).unwrap_or_else(|e| panic!("{e}:\n{}", o.stdout));
    assert_eq!(doc["command"], "compare");
    assert_eq!(doc["scenario"], "tiny");
    assert!(
        doc["files"]
            .as_array()
            .is_some_and(|f| f.contains(&"comparison.csv".into()))
    );
    assert_json_matches_csv(&doc["summary"], &out.join("summary.csv"));
    assert_json_matches_csv(&doc["comparison"], &out.join("comparison.csv"));
    // Typed: numbers are numbers, empty cells null.
    assert!(doc["summary"][0]["gpu_busy_util"].is_number());
    assert!(doc["summary"][0]["seed"].is_u64());
    assert!(doc["comparison"][0]["diff"].is_null(), "the baseline has no difference");
    assert!(o.stderr.contains("wrote "), "the files written are named on stderr");

    // A sweep: sweep.csv (with its parameter column) and sweep_runs.csv.
    let sweep = dir.join("sweep");
    let o = run_args(&[
        "sweep",
        p(&f),
        "--set",
        "Node/n0:status.allocatable[\"nvidia.com/gpu\"]=1,8",
        "--json",
        "-q",
        "--out",
        p(&sweep),
    ]);
    o.assert_ok();
    let doc: serde_json::Value = serde_json::from_str(&o.stdout).unwrap_or_else(|e| panic!("{e}:\n{}", o.stdout));
    assert_json_matches_csv(&doc["sweep"], &sweep.join("sweep.csv"));
    assert_json_matches_csv(&doc["sweep_runs"], &sweep.join("sweep_runs.csv"));
    assert_eq!(doc["sweep"][0]["Node/n0:status.allocatable[\"nvidia.com/gpu\"]"], 1);
    assert_eq!(o.stderr, "", "--quiet: nothing on stderr");
}

#[test]
fn any_number_of_threads_gives_the_same_bytes() {
    let dir = TestDir::new("threads");
    let f = dir.write("mixed.yaml", MIXED);
    let mut outputs = Vec::new();
    for n in ["1", "3"] {
        let out = dir.join(&format!("t{n}"));
        run_args(&[
            "compare",
            p(&f),
            "--policy",
            "kube-default",
            "--policy",
            "volcano",
            "--seeds",
            "1..4",
            "--events",
            "--threads",
            n,
            "--out",
            p(&out),
        ])
        .assert_ok();
        outputs.push(tree(&out));
    }
    assert!(outputs[0].len() >= 10, "{:?}", outputs[0].keys().collect::<Vec<_>>());
    assert!(outputs[0].contains_key("events.csv"));
    assert!(
        outputs[0] == outputs[1],
        "--threads 1 and --threads 3 wrote different files"
    );
    for bad in ["0", "1025", "many"] {
        let o = run_args(&["run", p(&f), "--threads", bad]);
        assert_eq!(o.code, Some(2), "--threads {bad}: {}", o.stderr);
        assert!(
            o.stderr.contains("--threads") && o.stderr.contains("1 to 1024"),
            "{}",
            o.stderr
        );
    }
}

#[test]
fn quiet_progress_and_completions() {
    let dir = TestDir::new("quiet");
    let f = dir.write("tiny.yaml", TINY);
    let out = dir.join("out");
    let o = run_args(&["run", p(&f), "-q", "--out", p(&out)]);
    o.assert_ok();
    assert_eq!((o.stdout.as_str(), o.stderr.as_str()), ("", ""));
    assert!(out.join("summary.csv").is_file());
    let o = run_args(&["validate", p(&f), "--quiet"]);
    o.assert_ok();
    assert_eq!(o.stdout, "");

    // Progress only when asked (stderr is not a terminal here), never on stdout, and it changes
    // no file.
    let plain = run_args(&["run", p(&f), "--out", p(&out)]);
    plain.assert_ok();
    assert!(!plain.stderr.contains("progress:"), "{}", plain.stderr);
    let before = fs::read(out.join("summary.csv")).expect("summary");
    let asked = run_args(&["run", p(&f), "--progress", "--out", p(&out)]);
    asked.assert_ok();
    assert!(
        asked.stderr.contains("progress:") && asked.stderr.contains("writing"),
        "{}",
        asked.stderr
    );
    assert_eq!(asked.stdout, plain.stdout);
    assert_eq!(fs::read(out.join("summary.csv")).expect("summary"), before);

    let bash = run_args(&["completions", "bash"]);
    bash.assert_ok();
    for word in ["kubesim", "validate", "--threads", "--json"] {
        assert!(bash.stdout.contains(word), "bash completions lack {word}");
    }
    run_args(&["completions", "zsh"]).assert_ok();
    assert_eq!(run_args(&["completions", "cmd.exe"]).code, Some(2));
}

/// What `kubectl get jobs,nodes -o yaml` prints: a v1 List with the objects as items.
const KUBECTL_LIST: &str = "\
apiVersion: v1
kind: List
metadata:
  resourceVersion: \"\"
items:
- apiVersion: batch/v1
  kind: Job
  metadata:
    name: train
    namespace: default
    annotations:
      kubesim.io/duration: 60s
  spec:
    completions: 1
    parallelism: 1
    template:
      spec:
        restartPolicy: Never
        containers:
        - name: c
          image: x
          resources: {limits: {nvidia.com/gpu: \"2\"}}
- apiVersion: v1
  kind: Node
  metadata:
    name: gpu-0
  status:
    allocatable: {cpu: \"32\", memory: 256Gi, nvidia.com/gpu: \"8\", pods: \"110\"}
";

#[test]
fn a_scenario_can_come_from_standard_input() {
    let dir = TestDir::new("stdin");
    let o = kubesim_stdin(&["validate", "-"], KUBECTL_LIST);
    o.assert_ok();
    assert!(o.stdout.contains("scenario stdin: valid"), "{}", o.stdout);
    assert!(o.stdout.contains("nodes: 1 (8 GPUs)"), "{}", o.stdout);
    assert!(o.stdout.contains("Job default/train (<stdin>:6)"), "{}", o.stdout);

    let out = dir.join("out");
    let o = kubesim_stdin(&["run", "-", "--out", p(&out), "--json"], KUBECTL_LIST);
    o.assert_ok();
    let doc: serde_json::Value = serde_json::from_str(&o.stdout).unwrap_or_else(|e| panic!("{e}:\n{}", o.stdout));
    assert_eq!(doc["scenario"], "stdin");
    assert_eq!(doc["summary"][0]["jobs_complete"], 1);

    // Bad input is located in <stdin>, line and column; `-` twice is refused.
    let bad = KUBECTL_LIST.replace("nvidia.com/gpu: \"2\"", "nvidia.com/gpu: \"two\"");
    let o = kubesim_stdin(&["validate", "-"], &bad);
    let line = line_of(&bad, "\"two\"");
    assert_input_error("bad stdin", &o, &[format!("<stdin>:{line}:")]);
    let o = kubesim_stdin(&["validate", "-", "-"], KUBECTL_LIST);
    assert_input_error("stdin twice", &o, &["standard input".into()]);
    let o = kubesim_stdin(&["validate", "-"], "a: [");
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains("error: <stdin>:"), "{}", o.stderr);
}
