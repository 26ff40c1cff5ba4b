//! Volcano preempt and reclaim (semantics.md VC-C5, S-V5) under the `volcano-preempt` policy:
//! gang-aware victims, reclaim only from reclaimable queues above their deserved share, and
//! the evicted job's policies deciding what happens next.

mod common;
use common::{history, job, nodes, run, secs, times};

fn queue(name: &str, weight: u32, reclaimable: bool) -> String {
    format!(
        "apiVersion: scheduling.volcano.sh/v1beta1\nkind: Queue\nmetadata: {{name: {name}}}\nspec: {{weight: {weight}, reclaimable: {reclaimable}}}\n---\n"
    )
}

/// A Volcano job of `replicas` one-GPU pods needing `min` of them, in `queue`, submitted at
/// `at`, running `dur`, with optional extra job-level YAML (policies, priority class).
fn vcjob(name: &str, queue: &str, replicas: u32, min: u32, at: &str, dur: &str, extra: &str) -> String {
    format!(
        "apiVersion: batch.volcano.sh/v1alpha1\nkind: Job\nmetadata:\n  name: {name}\n  annotations: {{kubesim.io/submit-at: {at}, kubesim.io/duration: {dur}}}\nspec:\n  queue: {queue}\n  minAvailable: {min}\n{extra}  tasks:\n  - name: worker\n    replicas: {replicas}\n    template:\n      spec:\n        restartPolicy: Never\n        containers: [{{name: c, image: x, resources: {{limits: {{cpu: \"100m\", nvidia.com/gpu: \"1\"}}}}}}]\n---\n"
    )
}

const RESTART_ON_EVICT: &str = "  policies:\n  - {event: PodEvicted, action: RestartJob}\n";

/// 16 GPUs. An elastic job (16 pods, minAvailable 8) in the reclaimable queue `batch` holds
/// them all; at 100 s a 2-GPU gang arrives in queue `prod` (equal weight).
fn s_v5(extra: &str, batch_reclaimable: bool) -> String {
    format!(
        "{}{}{}{}{}",
        nodes(2, 8),
        queue("batch", 1, batch_reclaimable),
        queue("prod", 1, false),
        vcjob("elastic", "batch", 16, 8, "0s", "2h", extra),
        vcjob("prod-job", "prod", 2, 2, "100s", "1h", ""),
    )
}

#[test]
fn s_v5_reclaim_restarts_a_job_with_a_pod_evicted_policy() {
    // Session at 100 s enqueues prod-job (overcommit idle 19.2 - 16 = 3.2 >= 2), its pods are
    // created and wait for the 101 s session. Deserved: prod asks 2 -> 2, batch 14. batch holds
    // 16 > 14: reclaim evicts two of its elastic pods (16 -> 14 ready, still > minAvailable 8).
    // They stop at once (no terminate-after), so PodEvicted -> RestartJob restarts the whole
    // job at 101 s; prod-job binds at the 102 s session.
    let r = run(&s_v5(RESTART_ON_EVICT, true), "volcano-preempt");
    let prod = job(&r, "prod-job");
    assert_eq!(secs(prod.start), Some(102.0));
    let evicted = times(&r, "elastic-worker-", "PodDeleted");
    // Two reclaim victims at 101 s, then the restart deletes the other 14 at 101 s.
    assert_eq!(evicted.len(), 16);
    assert!(evicted.iter().all(|&t| t == 101.0), "{evicted:?}");
    let reclaimed: Vec<_> = r
        .events
        .iter()
        .filter(|e| e.event == "PodDeleted" && e.detail == "Reclaimed")
        .collect();
    assert_eq!(reclaimed.len(), 2);
    let actions: Vec<_> = history(&r, "default/elastic")
        .into_iter()
        .filter(|(_, e, _)| e == "VolcanoJobAction")
        .collect();
    assert_eq!(actions, vec![(101.0, "VolcanoJobAction".into(), "RestartJob".into())]);
    // The restarted job runs again with its deserved 14 GPUs (its elastic part is capped).
    let elastic = job(&r, "elastic");
    assert_eq!(elastic.state.as_str(), "Complete");
    assert_eq!(elastic.preemptions, 2);
    // Without the policy only the two pods are recreated (same names) and wait.
    let r = run(&s_v5("", true), "volcano-preempt");
    assert_eq!(secs(job(&r, "prod-job").start), Some(102.0));
    let deleted = times(&r, "elastic-worker-", "PodDeleted");
    assert_eq!(deleted, vec![101.0, 101.0]);
    assert!(
        history(&r, "default/elastic")
            .iter()
            .all(|(_, e, _)| e != "VolcanoJobAction")
    );
}

#[test]
fn reclaim_never_takes_from_a_non_reclaimable_queue_and_volcano_never_reclaims() {
    let r = run(&s_v5(RESTART_ON_EVICT, false), "volcano-preempt");
    assert!(times(&r, "elastic-worker-", "PodDeleted").is_empty());
    // prod-job waits for the elastic job to end (2 h).
    assert_eq!(secs(job(&r, "prod-job").start), Some(7201.0));
    let r = run(&s_v5(RESTART_ON_EVICT, true), "volcano");
    assert!(times(&r, "elastic-worker-", "PodDeleted").is_empty());
    assert_eq!(secs(job(&r, "prod-job").start), Some(7201.0));
}

#[test]
fn reclaim_never_breaks_a_gang() {
    // The batch job is a rigid gang (16 of 16): no victim may be taken (gang plugin).
    let yaml = format!(
        "{}{}{}{}{}",
        nodes(2, 8),
        queue("batch", 1, true),
        queue("prod", 1, false),
        vcjob("rigid", "batch", 16, 16, "0s", "2h", RESTART_ON_EVICT),
        vcjob("prod-job", "prod", 2, 2, "100s", "1h", ""),
    );
    let r = run(&yaml, "volcano-preempt");
    assert!(times(&r, "rigid-worker-", "PodDeleted").is_empty());
    assert_eq!(secs(job(&r, "prod-job").start), Some(7201.0));
}

#[test]
fn preempt_takes_lower_priority_tasks_in_the_same_queue() {
    let classes = "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 1000\n---\napiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: low}\nvalue: 10\n---\n";
    let yaml = format!(
        "{}{}{}{}{}",
        nodes(2, 8),
        classes,
        queue("team", 1, true),
        vcjob("experiment", "team", 16, 4, "0s", "2h", "  priorityClassName: low\n"),
        vcjob("training", "team", 2, 2, "100s", "1h", "  priorityClassName: high\n"),
    );
    let r = run(&yaml, "volcano-preempt");
    let deleted: Vec<_> = r
        .events
        .iter()
        .filter(|e| e.event == "PodDeleted" && e.detail == "Preempted")
        .map(|e| (e.time.ms(), e.object.clone()))
        .collect();
    assert_eq!(deleted.len(), 2, "{deleted:?}");
    assert!(deleted.iter().all(|(t, _)| *t == 101_000));
    assert_eq!(secs(job(&r, "training").start), Some(102.0));
    // Equal priorities: no preemption.
    let yaml = yaml.replace("priorityClassName: high", "priorityClassName: low");
    let r = run(&yaml, "volcano-preempt");
    assert!(r.events.iter().all(|e| e.detail != "Preempted"));
    assert_eq!(secs(job(&r, "training").start), Some(7201.0));
}

#[test]
fn queue_rows_report_reclaims_lost_work_and_deserved_shares() {
    let r = run(&s_v5("", true), "volcano-preempt");
    let batch = r.queues.iter().find(|q| q.name == "batch").expect("batch row");
    let prod = r.queues.iter().find(|q| q.name == "prod").expect("prod row");
    assert_eq!((batch.reclaimed, batch.preempted), (2, 0));
    assert_eq!((prod.reclaimed, prod.preempted), (0, 0));
    // The two victims had worked 100 s each (from the 1 s session to 101 s): 200 GPU-s.
    assert_eq!(batch.lost_gpu_milli_ms, 2 * 1000 * 100_000);
    // Deserved follows the sessions: nothing computed before the queues first contend at
    // 101 s, so the mean runs from there to the end; then batch 14 and prod 2 while prod-job
    // runs (to 3702 s); then batch alone with its 16-pod request until its first 14 pods end
    // (7201 s), then the 2 pods it still has. (Sessions follow the events within a second:
    // 10 milli-GPU tolerance.)
    assert_eq!(r.end.ms(), 10_902_000);
    let end = (r.end.ms() - 101_000) as f64;
    let expect_batch = (14_000.0 * 3_601_000.0 + 16_000.0 * 3_499_000.0 + 2_000.0 * 3_701_000.0) / end;
    let got = batch.deserved_gpu_milli.expect("deserved");
    assert!((got - expect_batch).abs() < 10.0, "{got} vs {expect_batch}");
    let expect_prod = 2_000.0 * 3_601_000.0 / end;
    let got = prod.deserved_gpu_milli.expect("deserved");
    assert!((got - expect_prod).abs() < 10.0, "{got} vs {expect_prod}");
    // volcano without contention between queues records no deserved shares.
    let r = run(
        &format!("{}{}", nodes(1, 8), vcjob("solo", "batch", 2, 2, "0s", "1h", "")),
        "volcano",
    );
    assert!(r.queues.iter().all(|q| q.deserved_gpu_milli.is_none()));
}

#[test]
fn multi_tenant_scenario_reclaims_only_from_reclaimable_queues() {
    let sc = kubesim::input::scenario::load(&["scenarios/multi-tenant.yaml".into()]).expect("loads");
    let runs = kubesim::experiment::run_all(&sc, &["volcano-preempt".to_string()], &[1], false).expect("runs");
    let r = &runs[0];
    let row = |name: &str| r.queues.iter().find(|q| q.name == name).expect("queue row");
    // The seed's non-reclaimable queues (nlp-team, production-inference) lose nothing; the
    // elastic data-science jobs are the only tasks reclaim can take (analytics' pods are
    // PodGroups of one, which the gang plugin never evicts).
    for q in ["nlp-team", "production-inference", "analytics-team"] {
        assert_eq!(row(q).reclaimed, 0, "{q}");
        assert_eq!(row(q).lost_gpu_milli_ms, 0, "{q}");
    }
    assert!(row("data-science-team").reclaimed > 0);
    // Every queue stays within its capability (checked after every event in test builds)
    // and the deserved shares add up to at most the cluster's 100 GPUs.
    let deserved: f64 = r.queues.iter().filter_map(|q| q.deserved_gpu_milli).sum();
    assert!(deserved <= 100_000.0 + 1.0, "{deserved}");
}

#[test]
fn preempt_takes_a_gang_whole_or_not_at_all_and_lone_pods_singly() {
    let classes = "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 1000\n---\napiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: low}\nvalue: 10\n---\n";
    // A plain Job's pods (PodGroups of one, which skip enqueue), `pods` of them with `gpus`
    // GPUs each, in queue `team`.
    let plain = |name: &str, prio: &str, at: &str, pods: u32, gpus: u32| {
        format!(
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}\n  annotations: {{kubesim.io/submit-at: {at}, kubesim.io/duration: 2h, scheduling.volcano.sh/queue-name: team}}\nspec:\n  completions: {pods}\n  parallelism: {pods}\n  template:\n    spec:\n      priorityClassName: {prio}\n      restartPolicy: Never\n      containers: [{{name: c, image: x, resources: {{limits: {{cpu: \"100m\", nvidia.com/gpu: \"{gpus}\"}}}}}}]\n---\n"
        )
    };
    // A rigid low-priority gang (16 of 16) fills both nodes; a high-priority 4-GPU pod arrives:
    // taking any of the gang's members takes all 16.
    let yaml = format!(
        "{}{}{}{}{}",
        nodes(2, 8),
        classes,
        queue("team", 1, true),
        vcjob("rigid", "team", 16, 16, "0s", "2h", "  priorityClassName: low\n"),
        plain("urgent", "high", "100s", 1, 4),
    );
    let r = run(&yaml, "volcano-preempt");
    assert_eq!(times(&r, "rigid-worker-", "PodDeleted"), vec![100.0; 16]);
    assert_eq!(secs(job(&r, "urgent").start), Some(101.0));
    // The same gang made elastic (16, minAvailable 8): four of its members go, one by one.
    let yaml = yaml.replace("minAvailable: 16", "minAvailable: 8");
    let r = run(&yaml, "volcano-preempt");
    assert_eq!(times(&r, "rigid-worker-", "PodDeleted"), vec![100.0; 4]);
    assert_eq!(secs(job(&r, "urgent").start), Some(101.0));
    // Lone pods: exactly as many as needed go (two 2-GPU pods for a 4-GPU pod).
    let yaml = format!(
        "{}{}{}{}{}",
        nodes(2, 8),
        classes,
        queue("team", 1, true),
        plain("exp", "low", "0s", 8, 2),
        plain("urgent", "high", "100s", 1, 4),
    );
    let r = run(&yaml, "volcano-preempt");
    assert_eq!(times(&r, "exp-", "PodDeleted"), vec![100.0; 2]);
    assert_eq!(secs(job(&r, "urgent").start), Some(101.0));
    // volcano never preempts: urgent waits for the experiments (2 h).
    let r = run(&yaml, "volcano");
    assert!(times(&r, "exp-", "PodDeleted").is_empty());
    assert_eq!(secs(job(&r, "urgent").start), Some(7200.0));
}

#[test]
fn priority_scenario_production_preempts_experiments() {
    let sc = kubesim::input::scenario::load(&["scenarios/priority.yaml".into()]).expect("loads");
    let policies: Vec<String> = ["kube-default", "volcano", "volcano-preempt"]
        .map(String::from)
        .to_vec();
    let runs = kubesim::experiment::run_all(&sc, &policies, &[1], false).expect("runs");
    let production = |r: &kubesim::observe::record::RunResult| -> (usize, usize, u64) {
        let prod: Vec<_> = r.jobs.iter().filter(|j| j.name.starts_with("production")).collect();
        let started = prod.iter().filter(|j| j.start.is_some()).count();
        let max_wait = prod.iter().filter_map(|j| j.wait_ms()).max().unwrap_or(0);
        (prod.len(), started, max_wait)
    };
    // kube-default and volcano-preempt start every production Job within seconds, by evicting
    // experiments; volcano starts almost none of them.
    for r in [&runs[0], &runs[2]] {
        let (n, started, max_wait) = production(r);
        assert_eq!((n, started), (7, 7), "{}", r.policy);
        assert!(max_wait <= 2_000, "{}: {max_wait} ms", r.policy);
        assert!(r.preemptions >= 28, "{}: {}", r.policy, r.preemptions);
    }
    let (n, started, _) = production(&runs[1]);
    assert_eq!(n, 7);
    assert!(started <= 2, "volcano started {started}");
    assert_eq!(runs[1].preemptions, 0);
}
