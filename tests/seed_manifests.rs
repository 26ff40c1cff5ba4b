//! The seed manifests (`shared/manifests/seed`) load unchanged, alone and together, into the
//! expected objects.

use std::path::PathBuf;

use kubesim::scenario::load;
use kubesim::spec::{PreemptionPolicy, RestartPolicy, Scenario, WorkloadKind};

fn seed_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/manifests/seed"))
}

fn seed_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(seed_dir())
        .expect("seed folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
}

fn seed(prefix: &str) -> Scenario {
    let file = seed_files()
        .into_iter()
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .expect("seed file");
    load(std::slice::from_ref(&file)).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

fn not_simulated(sc: &Scenario) -> Vec<(String, String, String)> {
    sc.not_simulated
        .iter()
        .map(|n| (n.api_version.clone(), n.kind.clone(), n.name.clone()))
        .collect()
}

#[test]
fn there_are_17_seed_manifests() {
    assert_eq!(seed_files().len(), 17);
}

#[test]
fn every_seed_manifest_loads_alone() {
    for f in seed_files() {
        let sc = load(std::slice::from_ref(&f)).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let stem = f.file_stem().unwrap().to_string_lossy().into_owned();
        assert_eq!(sc.name, stem);
        let objects = sc.workloads.len()
            + sc.priority_classes.len()
            + sc.not_simulated.len()
            + sc.nodes.len()
            + sc.namespaces.len();
        assert!(objects > 0, "{}: nothing loaded", f.display());
    }
}

#[test]
fn all_seed_manifests_load_together_as_a_folder_and_as_files() {
    let by_folder = load(&[seed_dir()]).unwrap_or_else(|e| panic!("{e}"));
    let by_files = load(&seed_files()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(by_folder.workloads, by_files.workloads);
    assert_eq!(by_folder.not_simulated, by_files.not_simulated);
    assert_eq!(by_folder.name, "01-job-model-training");
    // Jobs 01, 02, 11, 15.
    let jobs: Vec<&str> = by_folder.workloads.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(
        jobs,
        [
            "model-training",
            "batch-inference-daily",
            "production-model-training",
            "gpu-training"
        ]
    );
    assert_eq!(by_folder.priority_classes.len(), 3);
    // 03, 04, 05, 16 CronJobs; 06, 07, 09, 17 Volcano Jobs;
    // three Queues each in 08 and 12; 13 ResourceQuota; 14 LimitRange.
    assert_eq!(by_folder.not_simulated.len(), 4 + 4 + 3 + 3 + 2);
}

#[test]
fn job_01_requests_and_limits() {
    let sc = seed("01-");
    let w = &sc.workloads[0];
    assert_eq!(w.namespace, "default");
    assert_eq!(w.labels["model"], "resnet50");
    let WorkloadKind::Job(job) = &w.kind else {
        panic!("not a Job")
    };
    assert_eq!(job.completions, Some(1));
    assert_eq!(job.parallelism, Some(1));
    assert_eq!(job.backoff_limit, Some(4));
    let t = &job.template;
    assert_eq!(t.restart_policy, RestartPolicy::Never);
    assert_eq!(t.requests["nvidia.com/gpu"], 1000);
    assert_eq!(t.requests["memory"], 24 << 30);
    assert_eq!(t.requests["cpu"], 6000);
    assert_eq!(t.limits["memory"], 32 << 30);
    assert_eq!(t.limits["cpu"], 8000);
    assert_eq!(t.container_names, ["trainer"]);
    assert_eq!(t.termination_grace_ms, 30_000);
    assert_eq!(t.hints.duration_ms, None);
}

#[test]
fn job_02_requests_default_from_limits() {
    let sc = seed("02-");
    let WorkloadKind::Job(job) = &sc.workloads[0].kind else {
        panic!("not a Job")
    };
    assert_eq!(job.template.restart_policy, RestartPolicy::OnFailure);
    assert_eq!(job.template.requests["nvidia.com/gpu"], 1000);
    assert_eq!(job.template.requests["memory"], 16 << 30);
    assert!(!job.template.requests.contains_key("cpu"));
}

#[test]
fn priority_classes_10() {
    let sc = seed("10-");
    let pcs: Vec<(&str, i32, bool, PreemptionPolicy)> = sc
        .priority_classes
        .iter()
        .map(|p| (p.name.as_str(), p.value, p.global_default, p.preemption_policy))
        .collect();
    assert_eq!(
        pcs,
        [
            (
                "high-priority-training",
                1_000_000,
                false,
                PreemptionPolicy::PreemptLowerPriority
            ),
            (
                "medium-priority-research",
                100_000,
                false,
                PreemptionPolicy::PreemptLowerPriority
            ),
            (
                "low-priority-experiments",
                10_000,
                true,
                PreemptionPolicy::PreemptLowerPriority
            ),
        ]
    );
}

#[test]
fn job_11_priority_class_and_gpus() {
    let sc = seed("11-");
    let WorkloadKind::Job(job) = &sc.workloads[0].kind else {
        panic!("not a Job")
    };
    assert_eq!(
        job.template.priority_class_name.as_deref(),
        Some("high-priority-training")
    );
    assert_eq!(job.template.requests["nvidia.com/gpu"], 4000);
    // No restartPolicy in the manifest: a Job's pods default to Never here.
    assert_eq!(job.template.restart_policy, RestartPolicy::Never);
}

#[test]
fn job_15_request_from_limit_and_toleration() {
    let sc = seed("15-");
    let WorkloadKind::Job(job) = &sc.workloads[0].kind else {
        panic!("not a Job")
    };
    assert_eq!(job.template.requests["nvidia.com/gpu"], 1000);
    assert_eq!(job.template.limits["nvidia.com/gpu"], 1000);
    assert_eq!(job.template.tolerations.len(), 1);
    let t = &job.template.tolerations[0];
    assert_eq!(t.key, "nvidia.com/gpu");
    assert_eq!(t.value, "present");
    assert_eq!(t.effect, Some(kubesim::spec::TaintEffect::NoSchedule));
}

#[test]
fn volcano_jobs_cronjobs_queues_quota_are_not_simulated() {
    let vc = |n: &str| {
        (
            "batch.volcano.sh/v1alpha1".to_string(),
            "Job".to_string(),
            n.to_string(),
        )
    };
    assert_eq!(not_simulated(&seed("06-")), [vc("distributed-training-tf")]);
    assert_eq!(not_simulated(&seed("07-")), [vc("pytorch-ddp-resnet")]);
    assert_eq!(not_simulated(&seed("09-")), [vc("critical-inference")]);
    assert_eq!(not_simulated(&seed("17-")), [vc("arr-coc-distributed-training")]);
    for (prefix, name) in [("03-", "feature-generation-hourly"), ("16-", "arr-coc-weekly-retrain")] {
        let sc = seed(prefix);
        assert_eq!(
            not_simulated(&sc),
            [("batch/v1".to_string(), "CronJob".to_string(), name.to_string())]
        );
        assert!(sc.workloads.is_empty());
    }
    let q = seed("08-");
    let names: Vec<&str> = q.not_simulated.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["production-inference", "research-training", "exploratory"]);
    assert!(
        q.not_simulated
            .iter()
            .all(|n| n.kind == "Queue" && n.namespace.is_empty())
    );
    let rq = seed("13-");
    assert_eq!(rq.not_simulated[0].kind, "ResourceQuota");
    assert_eq!(rq.not_simulated[0].namespace, "ml-workloads");
    assert_eq!(seed("14-").not_simulated[0].kind, "LimitRange");
    let cj16 = seed("16-");
    assert_eq!(cj16.not_simulated[0].namespace, "ml-production");
    assert_eq!(cj16.not_simulated[0].loc.line, 1);
}
