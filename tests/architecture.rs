//! The layers of ARCHITECTURE.md, checked: every `crate::` path in a layer's source files must
//! be one the layer may use. A new import across a boundary fails here with the file, the line
//! and the rule it breaks; widening a rule is a change to this table and to ARCHITECTURE.md.

use std::path::{Path, PathBuf};

/// A layer: the source files it covers (a folder or a file under src/), the crate paths it may
/// name (prefixes of `crate::...`), and why.
struct Layer {
    files: &'static str,
    may_use: &'static [&'static str],
}

const COMMON: [&str; 4] = ["crate::error", "crate::limits", "crate::text", "crate::engine"];

const LAYERS: &[Layer] = &[
    // The engine, errors, limits and CSV text know nothing of Kubernetes.
    Layer {
        files: "engine.rs",
        may_use: &["crate::limits"],
    },
    Layer {
        files: "error.rs",
        may_use: &[],
    },
    Layer {
        files: "limits.rs",
        may_use: &["crate::error"],
    },
    Layer {
        files: "text.rs",
        may_use: &[],
    },
    // An API client's token bucket: integer time only.
    Layer {
        files: "rate.rs",
        may_use: &[],
    },
    // Input is plain data: it never sees a run. It reads the policy registry's names (to
    // validate `--policy` and Simulation.spec.policies) and the statistics helpers (trace stats).
    Layer {
        files: "input",
        may_use: &[
            "crate::input",
            "crate::rate",
            "crate::policy::names",
            "crate::policy::is_builtin",
            "crate::observe::stats",
        ],
    },
    // The model: the store and the cluster; it knows no run. A workload boxes its controller's
    // state beside it (JobState, the Volcano job state).
    Layer {
        files: "model",
        may_use: &[
            "crate::model",
            "crate::input::spec",
            "crate::controllers::job::JobState",
            "crate::controllers::volcano_job",
        ],
    },
    // Controllers act on the World; they reach the policy only through its hooks (World
    // methods), never its modules, except the registry.
    Layer {
        files: "controllers",
        may_use: &[
            "crate::controllers",
            "crate::model",
            "crate::sim",
            "crate::input",
            "crate::observe::record",
            "crate::observe::fidelity",
            "crate::policy::Policy",
            "crate::rate",
        ],
    },
    // Policies decide; they read the model and the spec, and the PodGroup phase the Volcano job
    // controller keeps.
    Layer {
        files: "policy",
        may_use: &[
            "crate::policy",
            "crate::model",
            "crate::sim",
            "crate::input",
            "crate::rate",
            "crate::controllers::volcano_job::PgPhase",
        ],
    },
    // The World wires every part of a run; it never reads experiments or the CLI. It fills the
    // followed workload's `observe::explain::Trail` for `kubesim explain`.
    Layer {
        files: "sim",
        may_use: &[
            "crate::rate",
            "crate::sim",
            "crate::model",
            "crate::controllers",
            "crate::policy",
            "crate::input",
            "crate::observe::record",
            "crate::observe::fidelity",
            "crate::observe::explain",
        ],
    },
    // Observation: the recorder, series, tables, analysis and rendering never reach into a run
    // or an experiment. The recorder keeps the model's deadlock state; the sweep analysis reads
    // `--set` values as quantities and durations.
    Layer {
        files: "observe",
        may_use: &[
            "crate::observe",
            "crate::model::cluster",
            "crate::model::gang::DeadlockState",
            "crate::model::store::WlState",
            "crate::input::spec",
            "crate::input::quantity",
            "crate::rate::Client",
        ],
    },
    // Experiments run Worlds and write tables; they never read the CLI.
    Layer {
        files: "experiment",
        may_use: &[
            "crate::experiment",
            "crate::observe",
            "crate::input",
            "crate::sim",
            "crate::policy",
        ],
    },
    Layer {
        files: "cli",
        may_use: &[
            "crate::cli",
            "crate::experiment",
            "crate::observe",
            "crate::input",
            "crate::controllers::replay::QUEUE_ANNOTATION",
        ],
    },
];

fn rust_files(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for e in entries {
            rust_files(&e, out);
        }
    } else if p.extension().is_some_and(|e| e == "rs") {
        out.push(p.to_path_buf());
    }
}

/// Every `crate::a::b::C` path in the code (comments skipped), with its line; `use crate::a::{b, c}`
/// gives `crate::a::b` and `crate::a::c` (one level of braces, which is all the code uses).
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut in_use: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        if let Some((start, buf)) = in_use.as_mut() {
            buf.push_str(code);
            if code.contains(';') {
                let (start, buf) = (*start, std::mem::take(buf));
                in_use = None;
                expand(start, &buf, &mut out);
            }
            continue;
        }
        let trimmed = code.trim_start();
        if (trimmed.starts_with("use crate::") || trimmed.starts_with("pub use crate::")) && !code.contains(';') {
            in_use = Some((i + 1, code.to_string()));
            continue;
        }
        expand(i + 1, code, &mut out);
    }
    out
}

fn expand(line: usize, code: &str, out: &mut Vec<(usize, String)>) {
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(tail.len());
        let path = tail[..end].trim_end_matches(':').to_string();
        if tail[end..].starts_with('{') || tail[..end].ends_with("::") && tail[end..].starts_with('{') {
            let close = tail.find('}').unwrap_or(tail.len());
            let inner = &tail[end + 1..close];
            for item in inner.split(',') {
                let item = item.split(" as ").next().unwrap_or("").trim();
                if !item.is_empty() {
                    out.push((line, format!("{path}::{item}")));
                }
            }
            rest = &tail[close.min(tail.len())..];
        } else {
            out.push((line, path));
            rest = &tail[end..];
        }
    }
}

fn allowed(path: &str, rules: &[&str]) -> bool {
    let within = |p: &str| path == p || path.starts_with(&format!("{p}::"));
    // `crate::x::{self, ...}` names the module itself.
    let path_self = path.strip_suffix("::self").unwrap_or(path);
    COMMON
        .iter()
        .chain(rules)
        .any(|r| within(r) || path_self == *r || r.starts_with(&format!("{path_self}::")))
}

#[test]
fn every_layer_imports_only_what_architecture_md_allows() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut broken = Vec::new();
    let mut covered = 0;
    for layer in LAYERS {
        let mut files = Vec::new();
        rust_files(&src.join(layer.files), &mut files);
        assert!(
            !files.is_empty(),
            "layer {} has no files: update the table",
            layer.files
        );
        for f in files {
            covered += 1;
            let text = std::fs::read_to_string(&f).unwrap();
            for (line, path) in crate_paths(&text) {
                if !allowed(&path, layer.may_use) {
                    let rel = f.strip_prefix(&src).unwrap().display();
                    broken.push(format!("src/{rel}:{line}: {path} (layer {})", layer.files));
                }
            }
        }
    }
    // Every source file but the crate root, main.rs and lib.rs belongs to a layer.
    let mut all = Vec::new();
    rust_files(&src, &mut all);
    assert_eq!(
        covered + 2,
        all.len(),
        "a source file outside every layer: add it to LAYERS"
    );
    assert!(broken.is_empty(), "imports across a boundary:\n{}", broken.join("\n"));
}

#[test]
fn the_checker_sees_grouped_and_nested_imports() {
    let got = crate_paths(
        "use crate::a::{b, c as d};\nuse crate::x::{\n    y,\n    z,\n};\nlet v = crate::m::n(1); // crate::no\n",
    );
    let paths: Vec<&str> = got.iter().map(|(_, p)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "crate::a::b",
            "crate::a::c",
            "crate::x::y",
            "crate::x::z",
            "crate::m::n"
        ]
    );
    assert_eq!(got[2].0, 2);
    assert!(allowed("crate::policy::names", &["crate::policy::names"]));
    assert!(!allowed("crate::policy::kube", &["crate::policy::names"]));
    assert!(allowed("crate::engine::SimTime", &[]));
}

#[test]
fn only_the_policy_reads_its_state() {
    // The World reaches a policy's state (`sched.kube`, `sched.volcano`, `sched.kueue`) only
    // through the hooks of policy/hooks.rs; the model, controllers, observers and the World's
    // own files never touch it.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut found = Vec::new();
    for f in files {
        let rel = f.strip_prefix(&src).unwrap();
        if rel.starts_with("policy") {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if ["sched.kube", "sched.volcano", "sched.kueue"]
                .iter()
                .any(|s| code.contains(s))
            {
                found.push(format!("src/{}:{}", rel.display(), i + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "policy state read outside policy/ (add a hook):\n{}",
        found.join("\n")
    );
}
