//! Helpers for scenario tests: run a YAML scenario and read its results; find the optional
//! files beside the project (`../shared`).
#![allow(dead_code)]

mod shared;
#[allow(unused_imports)] // each test crate includes `common`; not all of them read ../shared
pub use shared::shared_path;

use kubesim::experiment::run_all;
use kubesim::input::scenario::load_str;
use kubesim::observe::record::{JobRow, RunResult};

/// A small cluster preamble: `n` nodes of 8 CPUs and `gpus` GPUs each.
pub fn nodes(n: usize, gpus: u32) -> String {
    (0..n)
        .map(|i| {
            format!(
                "apiVersion: v1\nkind: Node\nmetadata: {{name: node-{i}}}\nstatus:\n  allocatable: {{cpu: \"8\", memory: 64Gi, nvidia.com/gpu: \"{gpus}\", pods: \"110\"}}\n---\n"
            )
        })
        .collect()
}

/// Run a scenario under one policy and its Simulation seed, recording events.
pub fn run(yaml: &str, policy: &str) -> RunResult {
    let sc = load_str("test.yaml", yaml).unwrap_or_else(|e| panic!("scenario does not load: {e}"));
    let mut runs = run_all(&sc, &[policy.to_string()], &[sc.sim.seed], true).unwrap_or_else(|e| panic!("run: {e}"));
    runs.remove(0)
}

pub fn job<'a>(r: &'a RunResult, name: &str) -> &'a JobRow {
    r.jobs
        .iter()
        .find(|j| j.name == name)
        .unwrap_or_else(|| panic!("no job {name}"))
}

/// Times (seconds) of `event` for objects whose name (after the namespace) starts with `prefix`.
pub fn times(r: &RunResult, prefix: &str, event: &str) -> Vec<f64> {
    r.events
        .iter()
        .filter(|e| {
            e.event == event
                && e.object
                    .split_once('/')
                    .map_or(e.object.as_str(), |(_, n)| n)
                    .starts_with(prefix)
        })
        .map(|e| e.time.ms() as f64 / 1000.0)
        .collect()
}

/// The nodes the pods of namespace `default` named `prefix...` were bound to, in binding order.
pub fn bound(r: &RunResult, prefix: &str) -> Vec<String> {
    r.events
        .iter()
        .filter(|e| e.event == "PodBound" && e.object.trim_start_matches("default/").starts_with(prefix))
        .map(|e| e.detail.clone())
        .collect()
}

/// (time s, event, detail) of one object.
pub fn history(r: &RunResult, object: &str) -> Vec<(f64, String, String)> {
    r.events
        .iter()
        .filter(|e| e.object == object)
        .map(|e| (e.time.ms() as f64 / 1000.0, e.event.to_string(), e.detail.clone()))
        .collect()
}

pub fn secs(t: Option<kubesim::engine::SimTime>) -> Option<f64> {
    t.map(|t| t.ms() as f64 / 1000.0)
}

/// A scenario file `s.yaml` with its trace and node list beside it in a fresh temporary folder,
/// loaded; the folder is removed after loading.
pub fn load_with_files(tag: &str, files: &[(&str, &str)], yaml: &str) -> kubesim::input::spec::Scenario {
    let dir = std::env::temp_dir().join(format!("kubesim-test-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write");
    }
    std::fs::write(dir.join("s.yaml"), yaml).expect("scenario");
    let sc = kubesim::input::scenario::load(&[dir.join("s.yaml")]).expect("loads");
    std::fs::remove_dir_all(&dir).ok();
    sc
}

/// One node of 4 CPUs and 8 GiB, no GPUs; three pods of 4 CPUs and 1 GiB run one after the
/// other; c1 asks 8 CPUs and never starts. Run to 200 s. tests/metrics.rs and the command line tests work its metrics by hand.
pub const HAND: &str = r#"apiVersion: v1
kind: Node
metadata: {name: n1}
status: {allocatable: {cpu: "4", memory: 8Gi, pods: "110"}}
---
apiVersion: v1
kind: Pod
metadata: {name: a1, namespace: team-a, annotations: {kubesim.io/duration: 100s}}
spec: {restartPolicy: Never, containers: [{name: c, image: x, resources: {requests: {cpu: "4", memory: 1Gi}}}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b1, namespace: team-b, annotations: {kubesim.io/duration: 5s}}
spec: {restartPolicy: Never, containers: [{name: c, image: x, resources: {requests: {cpu: "4", memory: 1Gi}}}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b2, namespace: team-b, annotations: {kubesim.io/submit-at: 50s, kubesim.io/duration: 20s}}
spec: {restartPolicy: Never, containers: [{name: c, image: x, resources: {requests: {cpu: "4", memory: 1Gi}}}]}
---
apiVersion: v1
kind: Pod
metadata: {name: c1, namespace: team-b, annotations: {kubesim.io/duration: 1s}}
spec: {restartPolicy: Never, containers: [{name: c, image: x, resources: {requests: {cpu: "8"}}}]}
---
apiVersion: kubesim.io/v1alpha1
kind: Simulation
metadata: {name: hand}
spec: {horizon: 200s, policies: [kube-default]}
"#;
