//! Scenarios built in code rather than YAML: the benchmark workloads (and the tests that
//! check them at a small size). Everything here is also expressible as a scenario file.

use std::collections::BTreeMap;

use crate::input::spec::{
    ArrivalPattern, ArrivalTemplate, ArrivalsSpec, CompletionMode, DurationDist, JobSetSpec, JobSetSuccess, JobSpec,
    NodeSpec, PodTemplate, ReplicatedJob, RestartPolicy, Scenario, SimHints, SimulationSpec, SourceLoc, WorkloadKind,
    WorkloadSpec,
};

/// A GPU node of `gpus` GPUs, 96 CPUs and 1 TiB of memory.
pub fn gpu_node(name: &str, gpus: i64) -> NodeSpec {
    let mut alloc = BTreeMap::new();
    alloc.insert("cpu".to_string(), 96_000);
    alloc.insert("memory".to_string(), 1i64 << 40);
    alloc.insert("nvidia.com/gpu".to_string(), gpus * 1000);
    alloc.insert("pods".to_string(), 110_000);
    NodeSpec {
        name: name.to_string(),
        allocatable: alloc,
        labels: BTreeMap::new(),
        taints: vec![],
        unschedulable: false,
        add_at_ms: 0,
        loc: SourceLoc::default(),
    }
}

/// A pod template asking for `gpus` GPUs (and 8 CPUs, 64 GiB per GPU), restartPolicy Never.
pub fn gpu_pod_template(gpus: i64, duration_ms: Option<u64>) -> PodTemplate {
    let mut req = BTreeMap::new();
    req.insert("cpu".to_string(), 8_000 * gpus.max(1));
    req.insert("memory".to_string(), (64i64 << 30) * gpus.max(1));
    req.insert("nvidia.com/gpu".to_string(), gpus * 1000);
    crate::input::resources::code_template(
        "main",
        req.clone(),
        req,
        RestartPolicy::Never,
        SimHints {
            duration_ms,
            ..SimHints::default()
        },
    )
}

/// A NonIndexed Job spec with nothing written but its pod `template`.
pub fn job_spec(template: PodTemplate) -> JobSpec {
    JobSpec {
        completions: None,
        parallelism: None,
        completion_mode: CompletionMode::NonIndexed,
        backoff_limit: None,
        backoff_limit_per_index: None,
        max_failed_indexes: None,
        pod_failure_policy: None,
        pod_replacement_policy: None,
        success_policy: vec![],
        active_deadline_s: None,
        ttl_seconds_after_finished: None,
        suspend: false,
        template,
    }
}

/// A single-pod Job.
pub fn single_pod_job(name: &str, template: PodTemplate) -> WorkloadSpec {
    WorkloadSpec {
        namespace: "default".to_string(),
        name: name.to_string(),
        labels: BTreeMap::new(),
        annotations: BTreeMap::new(),
        kind: WorkloadKind::Job(job_spec(template)),
        submit_at_ms: 0,
        suspend_at_ms: None,
        resume_at_ms: None,
        loc: SourceLoc::default(),
    }
}

/// The foundation benchmark: `jobs` single-pod Jobs with Poisson arrivals on `nodes` nodes of
/// 8 GPUs at offered load `load` (GPU-time asked / GPU-time available). Pods ask for 1, 2, 4 or
/// 8 GPUs (50/25/15/10 % of jobs) and run an exponential time of mean 1 h, so a queue builds
/// from fragmentation and bursts.
pub fn poisson_single_pod(nodes: usize, jobs: u64, load: f64) -> Scenario {
    let mix: [(i64, f64); 4] = [(1, 0.50), (2, 0.25), (4, 0.15), (8, 0.10)];
    let mean_gpus: f64 = mix.iter().map(|(g, s)| *g as f64 * s).sum();
    let mean_duration_ms = 3_600_000u64;
    let total_gpus = nodes as f64 * 8.0;
    // load = rate * mean_gpus * duration / total_gpus.
    let rate_per_ms = load * total_gpus / (mean_gpus * mean_duration_ms as f64);
    let arrivals = mix
        .iter()
        .map(|&(g, share)| {
            let count = (jobs as f64 * share).round() as u64;
            let mean_interval_ms = (1.0 / (rate_per_ms * share)).round() as u64;
            ArrivalsSpec {
                name: format!("gpu{g}"),
                template: ArrivalTemplate::Workload(Box::new(single_pod_job(
                    &format!("gpu{g}"),
                    gpu_pod_template(g, None),
                ))),
                count,
                start_ms: 0,
                pattern: ArrivalPattern::Poisson { mean_interval_ms },
                duration: Some(DurationDist::Exponential {
                    mean_ms: mean_duration_ms,
                }),
                failure: None,
                loc: SourceLoc::default(),
            }
        })
        .collect();
    Scenario {
        name: format!("poisson-{nodes}x8-{jobs}"),
        sim: SimulationSpec::default(),
        nodes: (0..nodes).map(|i| gpu_node(&format!("gpu-{i}"), 8)).collect(),
        arrivals,
        ..Scenario::default()
    }
}

/// JobSets as distributed training submits them: `jobsets` JobSets, each of one replicated Job
/// of `replicas` Indexed Jobs of `pods` one-GPU pods, with Poisson arrivals on `nodes` nodes of
/// 8 GPUs at offered load `load`, run times exponential of mean 1 h (every pod of a JobSet runs
/// its JobSet's drawn time).
pub fn poisson_jobsets(nodes: usize, jobsets: u64, replicas: u32, pods: u32, load: f64) -> Scenario {
    let mean_duration_ms = 3_600_000u64;
    let gpus_per_jobset = f64::from(replicas) * f64::from(pods);
    let rate_per_ms = load * nodes as f64 * 8.0 / (gpus_per_jobset * mean_duration_ms as f64);
    let WorkloadKind::Job(mut job) = single_pod_job("worker", gpu_pod_template(1, None)).kind else {
        unreachable!("a Job")
    };
    job.completion_mode = CompletionMode::Indexed;
    job.completions = Some(pods);
    job.parallelism = Some(pods);
    let jobset = WorkloadSpec {
        name: "train".to_string(),
        kind: WorkloadKind::JobSet(JobSetSpec {
            replicated_jobs: vec![ReplicatedJob {
                name: "worker".to_string(),
                replicas,
                labels: BTreeMap::new(),
                annotations: BTreeMap::new(),
                job,
                depends_on: Vec::new(),
            }],
            success: JobSetSuccess {
                any: false,
                targets: vec![],
            },
            failure: None,
            in_order: false,
            suspend: false,
            ttl_seconds_after_finished: None,
            train_job: None,
        }),
        ..single_pod_job("train", gpu_pod_template(1, None))
    };
    Scenario {
        name: format!("jobsets-{nodes}x8-{jobsets}"),
        sim: SimulationSpec::default(),
        nodes: (0..nodes).map(|i| gpu_node(&format!("gpu-{i}"), 8)).collect(),
        arrivals: vec![ArrivalsSpec {
            name: "train".to_string(),
            template: ArrivalTemplate::Workload(Box::new(jobset)),
            count: jobsets,
            start_ms: 0,
            pattern: ArrivalPattern::Poisson {
                mean_interval_ms: (1.0 / rate_per_ms).round() as u64,
            },
            duration: Some(DurationDist::Exponential {
                mean_ms: mean_duration_ms,
            }),
            failure: None,
            loc: SourceLoc::default(),
        }],
        ..Scenario::default()
    }
}
