//! Trace replay at scale: the Alibaba openb trace (8,152 pods) on its 1,213-node GPU inventory,
//! and a generated 1,000,000-job trace (resampled from the Philly sample, 80% offered load) on
//! 10,000 GPUs (1,250 nodes x 8) under kube-default and volcano, and 100,000 HPC jobs (the NASA
//! iPSC/860 SWF excerpt resampled at 8 an hour) as gangs of 1-CPU pods on 128 CPUs under kueue
//! StrictFIFO (1.5M pods). Each sample is one whole run:
//! load the scenario (reading the trace) and simulate; outputs are not written. Peak memory is
//! measured separately with `/usr/bin/time -v kubesim run` (see README, Speed).
//!
//! The full traces are read from `../shared/traces` beside the project; in a clone without it
//! the benches run on the project's excerpts (`traces/`: 1,200 openb pods, 400 Philly jobs to
//! resample from) and say so, so their times are not comparable with the README's.

use std::path::PathBuf;

use divan::Bencher;
use kubesim::cli::trace::{GenerateArgs, generate_cmd};
use kubesim::experiment::run_all;
use kubesim::input::scenario::load;

fn main() {
    divan::main();
}

/// `../shared/traces/<full>` if it is there, else the project's `traces/<excerpt>` (with a note).
fn trace_file(full: &str, excerpt: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let p = root.join("../shared/traces").join(full);
    if p.exists() {
        return p;
    }
    eprintln!("note: ../shared/traces/{full} not found: benchmarking the excerpt traces/{excerpt} instead");
    root.join("traces").join(excerpt)
}

fn scenario_file(name: &str, body: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubesim-bench-traces-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, body).expect("write scenario");
    p
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn openb_on_its_inventory(bencher: Bencher) {
    let f = scenario_file(
        "openb.yaml",
        &format!(
            "apiVersion: kubesim.io/v1alpha1\nkind: Trace\nmetadata: {{name: openb}}\nspec:\n  path: {}\n  format: openb\n  nodes: {{path: {}}}\n",
            trace_file(
                "alibaba-gpu-v2023-openb/openb_pod_list_default.csv",
                "openb/openb_pod_list_default.excerpt.csv"
            )
            .display(),
            trace_file(
                "alibaba-gpu-v2023-openb/openb_node_list_gpu_node.csv",
                "openb/openb_node_list_gpu_node.csv"
            )
            .display()
        ),
    );
    bencher.bench_local(|| {
        let sc = load(std::slice::from_ref(&f)).expect("scenario");
        run_all(&sc, &["kube-default".to_string()], &[1], false).expect("run")
    });
}

fn million_job_scenario() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubesim-bench-traces-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let trace = dir.join("gen1m.csv");
    if !trace.exists() {
        generate_cmd(
            &GenerateArgs {
                from: Some(trace_file(
                    "philly/philly_multigpu_pass_jobs_subset.json",
                    "philly/philly_multigpu_pass_jobs_subset.excerpt.json",
                )),
                format: "philly".into(),
                model: "empirical".into(),
                jobs: 1_000_000,
                rate: None,
                load: Some(0.8),
                gpus: Some("10000".into()),
                diurnal: None,
                queues: vec![],
                namespace: "default".into(),
                seed: 7,
                out: trace.clone(),
                overwrite: false,
            },
            &kubesim::input::trace::Options::default(),
        )
        .expect("generate");
    }
    scenario_file(
        "gen1m.yaml",
        &format!(
            "apiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {{name: gpu}}\nspec:\n  count: 1250\n  template:\n    apiVersion: v1\n    kind: Node\n    metadata: {{name: gpu}}\n    status: {{allocatable: {{cpu: \"96\", memory: 1Ti, nvidia.com/gpu: \"8\"}}}}\n---\napiVersion: kubesim.io/v1alpha1\nkind: Trace\nmetadata: {{name: gen}}\nspec: {{path: {}, format: kubesim}}\n",
            trace.display()
        ),
    )
}

#[divan::bench(args = ["kube-default", "volcano"], sample_count = 2, sample_size = 1)]
fn million_jobs_on_10k_gpus(bencher: Bencher, policy: &str) {
    let f = million_job_scenario();
    bencher.bench_local(|| {
        let sc = load(std::slice::from_ref(&f)).expect("scenario");
        run_all(&sc, &[policy.to_string()], &[1], false).expect("run")
    });
}

/// The SWF case of the README's Speed table (scripts/speed.sh `swf`): the NASA iPSC/860 excerpt
/// resampled to 100,000 jobs at 8 an hour, each a Job of N 1-CPU pods, on 128 one-CPU nodes,
/// Kueue StrictFIFO on one ClusterQueue of 128 CPUs.
fn swf_scenario() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubesim-bench-traces-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let trace = dir.join("swf100k.csv");
    if !trace.exists() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        generate_cmd(
            &GenerateArgs {
                from: Some(root.join("traces/swf/NASA-iPSC-1993-3.1-cln.excerpt.swf")),
                format: "swf".into(),
                model: "empirical".into(),
                jobs: 100_000,
                rate: Some(8.0),
                load: None,
                gpus: None,
                diurnal: None,
                queues: vec![],
                namespace: "default".into(),
                seed: 3,
                out: trace.clone(),
                overwrite: false,
            },
            &kubesim::input::trace::Options::default(),
        )
        .expect("generate");
    }
    scenario_file(
        "swf100k.yaml",
        &format!(
            "apiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {{name: cpu}}\nspec:\n  count: 128\n  template:\n    apiVersion: v1\n    kind: Node\n    metadata: {{name: cpu}}\n    status: {{allocatable: {{cpu: \"1\", memory: 8Gi, pods: \"110\"}}}}\n---\n\
             apiVersion: kueue.x-k8s.io/v1beta1\nkind: ResourceFlavor\nmetadata: {{name: cpu}}\n---\n\
             apiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata: {{name: hpc}}\nspec:\n  namespaceSelector: {{}}\n  queueingStrategy: StrictFIFO\n  resourceGroups:\n  - coveredResources: [cpu, memory]\n    flavors:\n    - name: cpu\n      resources:\n      - {{name: cpu, nominalQuota: 128}}\n      - {{name: memory, nominalQuota: 1Ti}}\n---\n\
             apiVersion: kueue.x-k8s.io/v1beta1\nkind: LocalQueue\nmetadata: {{name: hpc, namespace: default}}\nspec: {{clusterQueue: hpc}}\n---\n\
             apiVersion: kubesim.io/v1alpha1\nkind: Trace\nmetadata: {{name: swf}}\nspec:\n  path: {}\n  format: kubesim\n  template:\n    apiVersion: batch/v1\n    kind: Job\n    metadata:\n      name: swf\n      labels: {{kueue.x-k8s.io/queue-name: hpc}}\n    spec:\n      backoffLimit: 0\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{{name: c, image: x}}]\n",
            trace.display()
        ),
    )
}

#[divan::bench(sample_count = 2, sample_size = 1)]
fn swf_100k_hpc_gangs_kueue_strict_fifo(bencher: Bencher) {
    let f = swf_scenario();
    bencher.bench_local(|| {
        let sc = load(std::slice::from_ref(&f)).expect("scenario");
        run_all(&sc, &["kueue".to_string()], &[1], false).expect("run")
    });
}
