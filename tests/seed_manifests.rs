//! The seed manifests (`../shared/manifests/seed`) load unchanged, alone and together, into the
//! expected objects. They are not part of this repository: in a clone without `../shared` these
//! tests skip (and fail under `KUBESIM_REQUIRE_SHARED=1`, as in CI).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kubesim::input::scenario::load;
use kubesim::input::spec::{
    PreemptionPolicy, QueueSpec, QueueState, ResourceList, RestartPolicy, Scenario, SourceLoc, VcAction, VcEvent,
    VcPolicy, VolcanoJobSpec, WorkloadKind,
};

/// The seed folder, or None when it is absent (the test returns early).
fn seed_dir() -> Option<PathBuf> {
    common::shared_path("manifests/seed")
}

fn seed_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("seed folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
}

fn seed(dir: &Path, prefix: &str) -> Scenario {
    let file = seed_files(dir)
        .into_iter()
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .expect("seed file");
    load(std::slice::from_ref(&file)).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

#[test]
fn there_are_17_seed_manifests() {
    let Some(dir) = seed_dir() else { return };
    assert_eq!(seed_files(&dir).len(), 17);
}

#[test]
fn every_seed_manifest_loads_alone() {
    let Some(dir) = seed_dir() else { return };
    for f in seed_files(&dir) {
        let sc = load(std::slice::from_ref(&f)).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let stem = f.file_stem().unwrap().to_string_lossy().into_owned();
        assert_eq!(sc.name, stem);
        let objects = sc.workloads.len()
            + sc.priority_classes.len()
            + sc.queues.len()
            + sc.pod_groups.len()
            + sc.not_simulated.len()
            + sc.limit_ranges.len()
            + sc.resource_quotas.len()
            + sc.cron_jobs.len()
            + sc.nodes.len()
            + sc.namespaces.len();
        assert!(objects > 0, "{}: nothing loaded", f.display());
    }
}

#[test]
fn all_seed_manifests_load_together_as_a_folder_and_as_files() {
    let Some(dir) = seed_dir() else { return };
    let by_folder = load(std::slice::from_ref(&dir)).unwrap_or_else(|e| panic!("{e}"));
    let by_files = load(&seed_files(&dir)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(by_folder.workloads, by_files.workloads);
    assert_eq!(by_folder.not_simulated, by_files.not_simulated);
    assert_eq!(by_folder.queues, by_files.queues);
    assert_eq!(by_folder.name, "01-job-model-training");
    // Jobs 01, 02, 11, 15 and Volcano Jobs 06, 07, 09, 17, in file order.
    let jobs: Vec<(&str, &str)> = by_folder
        .workloads
        .iter()
        .map(|w| (w.kind.api_kind(), w.name.as_str()))
        .collect();
    assert_eq!(
        jobs,
        [
            ("Job", "model-training"),
            ("Job", "batch-inference-daily"),
            ("VolcanoJob", "distributed-training-tf"),
            ("VolcanoJob", "pytorch-ddp-resnet"),
            ("VolcanoJob", "critical-inference"),
            ("Job", "production-model-training"),
            ("Job", "gpu-training"),
            ("VolcanoJob", "arr-coc-distributed-training"),
        ]
    );
    assert_eq!(by_folder.priority_classes.len(), 3);
    // Three Queues each in 08 and 12.
    let queues: Vec<&str> = by_folder.queues.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(
        queues,
        [
            "production-inference",
            "research-training",
            "exploratory",
            "nlp-team",
            "data-science-team",
            "analytics-team"
        ]
    );
    assert!(by_folder.pod_groups.is_empty());
    // 03, 04, 05, 16 CronJobs; 13 ResourceQuota and 14 LimitRange.
    let cron: Vec<&str> = by_folder.cron_jobs.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        cron,
        [
            "feature-generation-hourly",
            "weekly-model-retrain",
            "nightly-batch-inference",
            "arr-coc-weekly-retrain"
        ]
    );
    assert!(by_folder.not_simulated.is_empty());
    assert_eq!(by_folder.resource_quotas, by_files.resource_quotas);
    assert_eq!(by_folder.limit_ranges, by_files.limit_ranges);
    assert_eq!((by_folder.resource_quotas.len(), by_folder.limit_ranges.len()), (1, 1));
}

#[test]
fn job_01_requests_and_limits() {
    let Some(dir) = seed_dir() else { return };
    let sc = seed(&dir, "01-");
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
    let Some(dir) = seed_dir() else { return };
    let sc = seed(&dir, "02-");
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
    let Some(dir) = seed_dir() else { return };
    let sc = seed(&dir, "10-");
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
    let Some(dir) = seed_dir() else { return };
    let sc = seed(&dir, "11-");
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
    let Some(dir) = seed_dir() else { return };
    let sc = seed(&dir, "15-");
    let WorkloadKind::Job(job) = &sc.workloads[0].kind else {
        panic!("not a Job")
    };
    assert_eq!(job.template.requests["nvidia.com/gpu"], 1000);
    assert_eq!(job.template.limits["nvidia.com/gpu"], 1000);
    assert_eq!(job.template.tolerations.len(), 1);
    let t = &job.template.tolerations[0];
    assert_eq!(t.key, "nvidia.com/gpu");
    assert_eq!(t.value, "present");
    assert_eq!(t.effect, Some(kubesim::input::spec::TaintEffect::NoSchedule));
}

fn rl(pairs: &[(&str, i64)]) -> ResourceList {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

fn vcjob(sc: &Scenario) -> &VolcanoJobSpec {
    assert_eq!(sc.workloads.len(), 1);
    assert!(sc.not_simulated.is_empty());
    match &sc.workloads[0].kind {
        WorkloadKind::VolcanoJob(v) => v,
        other => panic!("not a Volcano Job: {other:?}"),
    }
}

fn policy(event: VcEvent, action: VcAction) -> VcPolicy {
    VcPolicy {
        events: vec![event],
        exit_code: None,
        action,
        timeout_ms: None,
    }
}

#[test]
fn vcjob_06_ps_and_workers() {
    let Some(dir) = seed_dir() else { return };
    let sc = seed(&dir, "06-");
    let w = &sc.workloads[0];
    assert_eq!(
        (w.namespace.as_str(), w.name.as_str()),
        ("default", "distributed-training-tf")
    );
    assert_eq!(w.submit_at_ms, 0);
    let v = vcjob(&sc);
    assert_eq!(v.min_available, Some(4));
    assert_eq!(v.queue.as_deref(), Some("ml-training"));
    assert_eq!(v.scheduler_name.as_deref(), Some("volcano"));
    assert_eq!(v.priority_class_name, None);
    assert_eq!(v.max_retry, None);
    assert_eq!(v.min_success, None);
    assert_eq!(v.ttl_seconds_after_finished, None);
    assert_eq!(v.policies, [policy(VcEvent::PodEvicted, VcAction::RestartJob)]);
    assert_eq!(v.tasks.len(), 2);
    let ps = &v.tasks[0];
    assert_eq!((ps.name.as_str(), ps.replicas, ps.min_available), ("ps", 1, None));
    assert!(ps.policies.is_empty());
    assert_eq!(ps.template.requests, rl(&[("nvidia.com/gpu", 1_000)]));
    assert_eq!(ps.template.limits, rl(&[("nvidia.com/gpu", 1_000)]));
    assert_eq!(ps.template.restart_policy, RestartPolicy::Never);
    assert_eq!(ps.template.container_names, ["tensorflow"]);
    assert_eq!(ps.template.pod_group, None);
    let worker = &v.tasks[1];
    assert_eq!(
        (worker.name.as_str(), worker.replicas, worker.min_available),
        ("worker", 3, None)
    );
    assert_eq!(worker.template.requests, rl(&[("nvidia.com/gpu", 2_000)]));
    assert_eq!(worker.template.restart_policy, RestartPolicy::Never);
    assert_eq!(worker.policies, [policy(VcEvent::TaskCompleted, VcAction::CompleteJob)]);
}

#[test]
fn vcjob_07_pytorch_workers() {
    let Some(dir) = seed_dir() else { return };
    let sc = seed(&dir, "07-");
    let v = vcjob(&sc);
    assert_eq!(v.min_available, Some(8));
    assert_eq!(v.queue.as_deref(), Some("gpu-training"));
    assert!(v.policies.is_empty());
    assert_eq!(v.tasks.len(), 1);
    let t = &v.tasks[0];
    assert_eq!((t.name.as_str(), t.replicas), ("worker", 8));
    let limits = rl(&[("cpu", 8_000), ("memory", 32 << 30), ("nvidia.com/gpu", 1_000)]);
    assert_eq!(t.template.requests, limits);
    assert_eq!(t.template.limits, limits);
    assert_eq!(t.template.container_names, ["pytorch"]);
}

#[test]
fn vcjob_09_inference_defaults_restart_policy_never() {
    let Some(dir) = seed_dir() else { return };
    let sc = seed(&dir, "09-");
    let v = vcjob(&sc);
    assert_eq!(v.min_available, Some(1));
    assert_eq!(v.queue.as_deref(), Some("production-inference"));
    let t = &v.tasks[0];
    assert_eq!((t.name.as_str(), t.replicas), ("inference-server", 3));
    assert_eq!(t.template.requests, rl(&[("nvidia.com/gpu", 1_000)]));
    // No restartPolicy in the manifest: a task's pods default to Never, as a Job's.
    assert_eq!(t.template.restart_policy, RestartPolicy::Never);
}

#[test]
fn vcjob_17_arr_coc() {
    let Some(dir) = seed_dir() else { return };
    let sc = seed(&dir, "17-");
    let v = vcjob(&sc);
    assert_eq!(v.min_available, Some(8));
    assert_eq!(v.queue.as_deref(), Some("arr-coc-training"));
    assert_eq!(v.policies, [policy(VcEvent::PodEvicted, VcAction::RestartJob)]);
    let t = &v.tasks[0];
    assert_eq!((t.name.as_str(), t.replicas), ("worker", 8));
    assert_eq!(
        t.template.requests,
        rl(&[("cpu", 16_000), ("memory", 64 << 30), ("nvidia.com/gpu", 1_000)])
    );
    assert_eq!(t.template.container_names, ["pytorch-worker"]);
}

fn queue(name: &str, weight: u32, capability: ResourceList, reclaimable: bool, file: &Path, line: usize) -> QueueSpec {
    QueueSpec {
        name: name.into(),
        weight,
        capability,
        guarantee: ResourceList::new(),
        deserved: ResourceList::new(),
        reclaimable,
        priority: 0,
        state: QueueState::Open,
        loc: SourceLoc {
            file: file.to_path_buf(),
            line,
        },
    }
}

#[test]
fn queues_08_and_12() {
    let Some(dir) = seed_dir() else { return };
    let f08 = &dir.join("08-queue-production-inference.yaml");
    let gpus = |cpu: i64, mem_gi: i64, gpu: i64| {
        rl(&[
            ("cpu", cpu * 1000),
            ("memory", mem_gi << 30),
            ("nvidia.com/gpu", gpu * 1000),
        ])
    };
    assert_eq!(
        seed(&dir, "08-").queues,
        [
            queue("production-inference", 100, gpus(200, 800, 20), false, f08, 1),
            queue("research-training", 50, gpus(400, 1600, 40), true, f08, 13),
            queue("exploratory", 10, gpus(100, 400, 10), true, f08, 25),
        ]
    );
    let f12 = &dir.join("12-queue-nlp-team.yaml");
    let gpu = |n: i64| rl(&[("nvidia.com/gpu", n * 1000)]);
    assert_eq!(
        seed(&dir, "12-").queues,
        [
            queue("nlp-team", 50, gpu(50), false, f12, 1),
            queue("data-science-team", 30, gpu(30), true, f12, 11),
            queue("analytics-team", 20, gpu(20), true, f12, 21),
        ]
    );
}

#[test]
fn cronjobs_are_read() {
    let Some(dir) = seed_dir() else { return };
    use kubesim::input::spec::ConcurrencyPolicy;
    let c03 = &seed(&dir, "03-").cron_jobs[0];
    assert_eq!(
        (c03.name.as_str(), c03.schedule.as_str()),
        ("feature-generation-hourly", "0 * * * *")
    );
    assert_eq!(c03.concurrency, ConcurrencyPolicy::Forbid);
    assert_eq!((c03.success_limit, c03.failed_limit), (3, 3));
    let c04 = &seed(&dir, "04-").cron_jobs[0];
    assert_eq!(
        (c04.concurrency, c04.starting_deadline_s),
        (ConcurrencyPolicy::Replace, Some(3600))
    );
    assert_eq!((c04.success_limit, c04.failed_limit), (3, 1), "the defaults");
    let WorkloadKind::Job(j) = &c04.job.kind else {
        panic!("not a Job")
    };
    assert_eq!(j.backoff_limit, Some(2));
    assert_eq!(j.template.requests["nvidia.com/gpu"], 2000);
    assert_eq!(j.template.node_selector["gpu-type"], "A100");
    let c16 = &seed(&dir, "16-").cron_jobs[0];
    assert_eq!(
        (c16.namespace.as_str(), c16.job.namespace.as_str()),
        ("ml-production", "ml-production")
    );
    assert_eq!(c16.loc.line, 1);
    for prefix in ["03-", "16-"] {
        let sc = seed(&dir, prefix);
        assert!(sc.not_simulated.is_empty() && sc.workloads.is_empty());
    }
    for prefix in ["08-", "12-"] {
        assert!(seed(&dir, prefix).not_simulated.is_empty());
    }
}

#[test]
fn quota_13_and_limit_range_14_are_read() {
    let Some(dir) = seed_dir() else { return };
    use kubesim::input::spec::LimitKind;
    let rl = |v: &[(&str, i64)]| -> BTreeMap<String, i64> { v.iter().map(|(k, v)| (k.to_string(), *v)).collect() };
    let sc = seed(&dir, "13-");
    assert!(sc.not_simulated.is_empty());
    let q = &sc.resource_quotas[0];
    assert_eq!(
        (q.namespace.as_str(), q.name.as_str()),
        ("ml-workloads", "ml-training-quota")
    );
    // Counts and extended resources in thousandths, memory in bytes, cpu in millicores.
    assert_eq!(
        q.hard,
        rl(&[
            ("requests.nvidia.com/gpu", 16_000),
            ("limits.nvidia.com/gpu", 16_000),
            ("requests.memory", 256 << 30),
            ("requests.cpu", 128_000),
            ("count/jobs.batch", 50_000),
            ("count/cronjobs.batch", 20_000),
        ])
    );
    assert_eq!(q.loc.line, 1);
    let sc = seed(&dir, "14-");
    assert!(sc.not_simulated.is_empty());
    let lr = &sc.limit_ranges[0];
    assert_eq!(
        (lr.namespace.as_str(), lr.name.as_str()),
        ("ml-workloads", "ml-job-limits")
    );
    let item = &lr.items[0];
    assert_eq!(item.kind, LimitKind::Container);
    assert_eq!(
        item.max,
        rl(&[("nvidia.com/gpu", 8_000), ("memory", 128 << 30), ("cpu", 64_000)])
    );
    assert_eq!(
        item.min,
        rl(&[("nvidia.com/gpu", 1_000), ("memory", 8 << 30), ("cpu", 4_000)])
    );
    // As the API server stores it: the GPU default comes from max, defaultRequest from default.
    let defaults = rl(&[("nvidia.com/gpu", 8_000), ("memory", 32 << 30), ("cpu", 16_000)]);
    assert_eq!(item.default, defaults);
    assert_eq!(item.default_request, defaults);
    assert!(item.max_limit_request_ratio.is_empty());
}
