//! Gangs against semantics.md section 8 (S-G1..S-G3 coscheduling, S-V1, S-V2, S-V4, S-V5
//! Volcano) and contract.md section 4 (partial gangs, deadlock, stranded GPU-hours).

mod common;
use common::{job, run, secs, times};

fn sim(extra: &str) -> String {
    format!("apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: t}}\nspec: {{{extra}}}\n---\n")
}

fn cpu_node(name: &str, cpu: u32) -> String {
    format!(
        "apiVersion: v1\nkind: Node\nmetadata: {{name: {name}}}\nstatus: {{allocatable: {{cpu: \"{cpu}\", memory: 64Gi, pods: \"110\"}}}}\n---\n"
    )
}

fn gpu_node(name: &str, gpus: u32) -> String {
    format!(
        "apiVersion: v1\nkind: Node\nmetadata: {{name: {name}}}\nstatus: {{allocatable: {{cpu: \"64\", memory: 512Gi, nvidia.com/gpu: \"{gpus}\", pods: \"110\"}}}}\n---\n"
    )
}

/// A coscheduling PodGroup and `n` 1-CPU bare pods in it.
fn pod_group(name: &str, min: u32, n: u32, timeout: Option<u32>) -> String {
    let t = timeout
        .map(|t| format!("\n  scheduleTimeoutSeconds: {t}"))
        .unwrap_or_default();
    let mut y = format!(
        "apiVersion: scheduling.x-k8s.io/v1alpha1\nkind: PodGroup\nmetadata: {{name: {name}}}\nspec:\n  minMember: {min}{t}\n---\n"
    );
    for i in 0..n {
        y.push_str(&format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}-{i}\n  labels: {{scheduling.x-k8s.io/pod-group: {name}}}\n  annotations: {{kubesim.io/duration: 1h}}\nspec:\n  restartPolicy: Never\n  containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"1\"}}}}}}]\n---\n"
        ));
    }
    y
}

#[test]
fn s_g1_too_many_missing_members_reject_the_waiting_ones_at_once() {
    let y = format!(
        "{}{}{}",
        sim("horizon: 20s"),
        cpu_node("n0", 2),
        pod_group("pg", 3, 3, None)
    );
    let r = run(&y, "coscheduling");
    // Rejected at once each time ((3-2)/3 > 10%); the rejected members retry after their pod
    // backoff (1, 2, 4, 8 s).
    assert_eq!(
        times(&r, "pg-", "PodWaitingOnPermit"),
        [0.0, 0.0, 1.0, 1.0, 3.0, 3.0, 7.0, 7.0, 15.0, 15.0]
    );
    assert_eq!(times(&r, "pg", "PodGroupRejected"), [0.0, 1.0, 3.0, 7.0, 15.0]);
    assert!(times(&r, "pg-", "PodBound").is_empty());
}

#[test]
fn s_g2_within_the_reject_percentage_members_wait_until_the_timeout() {
    let other = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: other\n  annotations: {kubesim.io/submit-at: 10s, kubesim.io/duration: 1m}\nspec:\n  restartPolicy: Never\n  containers: [{name: c, image: x, resources: {requests: {cpu: \"1\"}}}]\n---\n";
    let y = format!(
        "{}{}{}{}",
        sim("horizon: 40s"),
        cpu_node("n0", 19),
        pod_group("pg", 20, 20, Some(30)),
        other
    );
    let r = run(&y, "coscheduling");
    let waits = times(&r, "pg-", "PodWaitingOnPermit");
    assert_eq!(waits.iter().filter(|&&t| t < 30.0).count(), 19);
    // (20-19)/20 = 5% <= 10%: no rejection until the first waiter times out at 30 s.
    assert_eq!(times(&r, "pg", "PodGroupRejected"), [30.0]);
    // Meanwhile the 19 reserved CPUs starve the other pod; it gets one when they are released.
    assert_eq!(times(&r, "other", "PodBound"), [30.0]);
    let s = kubesim::observe::report::summarize(&r);
    assert!(s.stranded_gpu_h == 0.0, "CPU-only gang holds no GPU");
}

#[test]
fn s_g3_prefilter_waits_for_the_last_member_to_exist() {
    let mut y = format!("{}{}", sim("horizon: 60s"), cpu_node("n0", 8));
    y.push_str(&pod_group("pg", 3, 2, None));
    y.push_str("apiVersion: v1\nkind: Pod\nmetadata:\n  name: pg-late\n  labels: {scheduling.x-k8s.io/pod-group: pg}\n  annotations: {kubesim.io/submit-at: 20s, kubesim.io/duration: 1h}\nspec:\n  restartPolicy: Never\n  containers: [{name: c, image: x, resources: {requests: {cpu: \"1\"}}}]\n");
    let r = run(&y, "coscheduling");
    assert!(times(&r, "pg-", "PodWaitingOnPermit").iter().all(|&t| t == 20.0));
    assert_eq!(times(&r, "pg-", "PodBound"), [20.0, 20.0, 20.0]);
    assert_eq!(times(&r, "pg", "GangFormed"), [20.0]);
}

fn vcjob(name: &str, queue: &str, replicas: u32, cpu: &str, extra_meta: &str, policies: &str) -> String {
    format!(
        "apiVersion: batch.volcano.sh/v1alpha1\nkind: Job\nmetadata:\n  name: {name}\n  annotations: {{kubesim.io/duration: 10s{extra_meta}}}\nspec:\n  minAvailable: {replicas}\n  queue: {queue}\n{policies}  tasks:\n  - name: w\n    replicas: {replicas}\n    template:\n      spec:\n        containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"{cpu}\"}}}}}}]\n---\n"
    )
}

#[test]
fn s_v1_gang_enqueued_when_overcommitted_idle_covers_it_and_bound_together() {
    let small = format!(
        "{}{}{}",
        sim("horizon: 30s"),
        cpu_node("n0", 3),
        vcjob("g", "default", 4, "1", "", "")
    );
    let r = run(&small, "volcano");
    // 3 CPUs x 1.2 = 3.6 < 4: the PodGroup stays Pending and no pod is created.
    assert!(times(&r, "g", "PodGroupInqueue").is_empty());
    assert!(times(&r, "g-", "PodCreated").is_empty());
    assert_eq!(
        (job(&r, "g").state.as_str(), job(&r, "g").reason.as_str()),
        ("Pending", "PodGroupPending")
    );
    let fits = format!(
        "{}{}{}",
        sim("horizon: 30s"),
        cpu_node("n0", 4),
        vcjob("g", "default", 4, "1", "", "")
    );
    let r = run(&fits, "volcano");
    assert_eq!(times(&r, "g", "PodGroupInqueue"), [0.0]);
    assert_eq!(times(&r, "g-", "PodCreated"), [0.0; 4]);
    assert_eq!(
        times(&r, "g-", "PodBound"),
        [1.0; 4],
        "allocated together at the next session"
    );
    let j = job(&r, "g");
    assert_eq!(
        (j.state.as_str(), secs(j.start), secs(j.finish)),
        ("Complete", Some(1.0), Some(11.0))
    );
}

#[test]
fn s_v2_enqueue_overcommit_and_proportion_votes() {
    // 10 CPUs idle: overcommitted idle 12. Queue q1 holds J1 (8), queue q2 holds J2 (8, older)
    // and J3 (4), all pending in the first session in job order J1, J2, J3. J1 permitted
    // (8 <= 12; proportion 8 <= 10); J2 rejected by overcommit (16 > 12) though proportion
    // permits; J3 permitted (12 <= 12; q2: 4 <= 10).
    let y = format!(
        "{}{}{}{}{}",
        sim("horizon: 500ms"),
        cpu_node("n0", 10),
        vcjob("j1", "q1", 8, "1", "", ""),
        vcjob("j2", "q2", 8, "1", "", ""),
        vcjob("j3", "q2", 4, "1", "", "")
    );
    let r = run(&y, "volcano");
    let inq = |n: &str| times(&r, n, "PodGroupInqueue");
    assert_eq!(inq("j1"), [0.0]);
    assert!(inq("j2").is_empty());
    assert_eq!(inq("j3"), [0.0]);
}

#[test]
fn s_v2_proportion_caps_one_queue_at_its_capability() {
    // Within one queue: 8 + 4 = 12 > 10 CPUs of real capability: the second job waits even
    // though overcommit (12 <= 12) would permit it.
    let a = vcjob("a", "q", 8, "1", "", "");
    let b = vcjob("b", "q", 4, "1", ", kubesim.io/submit-at: 0s", "");
    let y = format!("{}{}{a}{b}", sim("horizon: 1s"), cpu_node("n0", 10));
    let r = run(&y, "volcano");
    assert_eq!(times(&r, "a", "PodGroupInqueue"), [0.0]);
    assert!(times(&r, "b", "PodGroupInqueue").is_empty());
}

#[test]
fn s_v4_restart_job_three_times_then_failed() {
    let policy = "  policies:\n  - event: PodFailed\n    action: RestartJob\n";
    let y = format!(
        "{}{}{}",
        sim("horizon: 200s"),
        cpu_node("n0", 4),
        vcjob("g", "default", 1, "1", ", kubesim.io/exit-code: \"1\"", policy)
    );
    let r = run(&y, "volcano");
    assert_eq!(times(&r, "g", "VolcanoJobAction").len(), 3);
    assert_eq!(times(&r, "g-", "PodFailed").len(), 3);
    let j = job(&r, "g");
    assert_eq!((j.state.as_str(), j.reason.as_str()), ("Failed", "MaxRetryExceeded"));
    // Without a policy the job fails once its pod has failed, no reruns.
    let y = format!(
        "{}{}{}",
        sim("horizon: 200s"),
        cpu_node("n0", 4),
        vcjob("g", "default", 1, "1", ", kubesim.io/exit-code: \"1\"", "")
    );
    let r = run(&y, "volcano");
    assert_eq!(times(&r, "g-", "PodFailed").len(), 1);
    let j = job(&r, "g");
    assert_eq!((j.state.as_str(), secs(j.finish)), ("Failed", Some(11.0)));
}

#[test]
fn s_v5_an_evicted_pod_restarts_the_whole_job_with_pod_evicted_restart_job() {
    // kube-default's preemption evicts one member of a 2-pod Volcano job.
    let policy = "  policies:\n  - event: PodEvicted\n    action: RestartJob\n";
    let job_y =
        vcjob("g", "default", 2, "2", "", policy).replace("kubesim.io/duration: 10s", "kubesim.io/duration: 1h");
    let high = "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 1000\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: vip\n  annotations: {kubesim.io/submit-at: 100s, kubesim.io/duration: 1m}\nspec:\n  priorityClassName: high\n  restartPolicy: Never\n  containers: [{name: c, image: x, resources: {requests: {cpu: \"2\"}}}]\n---\n";
    let y = format!("{}{}{job_y}{high}", sim("horizon: 300s"), cpu_node("n0", 4));
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "g-w-", "PodDeleted")[0], 100.0);
    assert_eq!(times(&r, "g", "VolcanoJobAction"), [100.0]);
    // Both pods are recreated under a new PodGroup once the killed ones have terminated.
    assert_eq!(times(&r, "g-w-", "PodCreated"), [0.0, 0.0, 100.0, 100.0]);
    // Without the policy only the evicted pod is recreated, with the same name.
    let job_y = vcjob("g", "default", 2, "2", "", "").replace("kubesim.io/duration: 10s", "kubesim.io/duration: 1h");
    let y = format!("{}{}{job_y}{high}", sim("horizon: 300s"), cpu_node("n0", 4));
    let r = run(&y, "kube-default");
    assert!(times(&r, "g", "VolcanoJobAction").is_empty());
    assert_eq!(times(&r, "g-w-", "PodCreated"), [0.0, 0.0, 100.0]);
}

/// The seed's example: a job needing 8 GPUs (8 pods of 1) when 6 are free.
fn eight_of_six(policy: &str) -> kubesim::observe::record::RunResult {
    let busy = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: busy\n  annotations: {kubesim.io/duration: 1h}\nspec:\n  restartPolicy: Never\n  containers: [{name: c, image: x, resources: {limits: {nvidia.com/gpu: 2}}}]\n---\n";
    let gang = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n  annotations: {kubesim.io/gang-size: \"8\", kubesim.io/duration: 1h, kubesim.io/submit-at: 1m}\nspec:\n  completions: 8\n  parallelism: 8\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: x, resources: {limits: {nvidia.com/gpu: 1}}}]\n---\n";
    let small = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: small\n  annotations: {kubesim.io/submit-at: 10m, kubesim.io/duration: 10m}\nspec:\n  restartPolicy: Never\n  containers: [{name: c, image: x, resources: {limits: {nvidia.com/gpu: 1}}}]\n---\n";
    let y = format!("{}{}{busy}{gang}{small}", sim("horizon: 30m"), gpu_node("n0", 8));
    run(&y, policy)
}

#[test]
fn pod_by_pod_a_gang_holds_six_idle_gpus_until_it_can_run() {
    let r = eight_of_six("kube-default");
    assert_eq!(times(&r, "train-", "PodBound").len(), 6);
    assert!(times(&r, "train", "GangFormed").is_empty());
    // 6 GPUs held idle from 1 min to the end of the 30-minute run: 2.9 GPU-hours stranded;
    // busy (2 of 8 GPUs) well below allocated (8 of 8 after 1 min).
    let s = kubesim::observe::report::summarize(&r);
    assert!(
        (s.stranded_gpu_h - 6.0 * 29.0 / 60.0).abs() < 1e-9,
        "{}",
        s.stranded_gpu_h
    );
    assert!((s.gpu_alloc_util - (2.0 * 30.0 + 6.0 * 29.0) / (8.0 * 30.0)).abs() < 1e-9);
    assert!((s.gpu_busy_util - 0.25).abs() < 1e-9, "{}", s.gpu_busy_util);
    // The small job never gets a GPU; the gang waiting for the busy pod is not a deadlock (the
    // busy pod's release would let it complete).
    assert_eq!(job(&r, "small").state.as_str(), "Pending");
    assert_eq!(s.deadlock_episodes, 0);
}

#[test]
fn with_gang_scheduling_nothing_is_placed_and_the_six_gpus_stay_usable() {
    let pod_by_pod = kubesim::observe::report::summarize(&eight_of_six("kube-default")).stranded_gpu_h;
    for policy in ["volcano", "coscheduling"] {
        let r = eight_of_six(policy);
        let s = kubesim::observe::report::summarize(&r);
        assert!(times(&r, "train-", "PodBound").is_empty(), "{policy}");
        assert!(
            job(&r, "small").start.is_some(),
            "{policy}: the small job runs on a free GPU"
        );
        if policy == "volcano" {
            assert_eq!(s.stranded_gpu_h, 0.0, "volcano never places part of a gang");
        } else {
            // Coscheduling reserves members while others return from backoff, so it strands
            // some GPU time (the partial-reservation pathology, CO-8), less than pod by pod.
            assert!(
                s.stranded_gpu_h > 0.0 && s.stranded_gpu_h < pod_by_pod,
                "{}",
                s.stranded_gpu_h
            );
        }
    }
}

/// A cross-hold: gang `a` (6 x 1 GPU) gets the 4 GPUs a blocker leaves free; gang `b` (6 x 1
/// GPU, higher priority, preemptionPolicy Never) arrives later and gets the blocker's 4 GPUs when
/// it ends at 600 s: each holds 4 of the 6 it needs and nothing that works is left to release.
/// With `near_miss`, a second pod works on 2 more GPUs until 1200 s: its release would let a
/// gang complete, so that state is not a deadlock.
fn cross_hold(near_miss: bool) -> kubesim::observe::record::RunResult {
    let gang = |name: &str, at: &str, class: &str| {
        format!(
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}\n  annotations: {{kubesim.io/gang-size: \"6\", kubesim.io/duration: 1h, kubesim.io/submit-at: {at}}}\nspec:\n  completions: 6\n  parallelism: 6\n  template:\n    spec:\n      restartPolicy: Never\n      {class}containers: [{{name: c, image: x, resources: {{limits: {{nvidia.com/gpu: 1}}}}}}]\n---\n"
        )
    };
    let blocker = |name: &str, gpus: u32, dur: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  annotations: {{kubesim.io/duration: {dur}}}\nspec:\n  restartPolicy: Never\n  containers: [{{name: c, image: x, resources: {{limits: {{nvidia.com/gpu: {gpus}}}}}}}]\n---\n"
        )
    };
    let high = "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 100\npreemptionPolicy: Never\n---\n";
    let (gpus, extra) = if near_miss {
        (10, blocker("worker", 2, "20m"))
    } else {
        (8, String::new())
    };
    let y = format!(
        "{}{}{high}{}{extra}{}{}",
        sim("horizon: 30m"),
        gpu_node("n0", gpus),
        blocker("blocker", 4, "10m"),
        gang("a", "0s", ""),
        gang("b", "1s", "priorityClassName: high\n      ")
    );
    run(&y, "kube-default")
}

#[test]
fn a_cross_hold_is_detected_as_a_deadlock_at_the_time_it_forms() {
    let r = cross_hold(false);
    assert_eq!(times(&r, "a-", "PodBound"), [0.0; 4]);
    assert_eq!(times(&r, "b-", "PodBound"), [600.0; 4]);
    assert_eq!(times(&r, "cluster", "DeadlockStart"), [600.0]);
    let s = kubesim::observe::report::summarize(&r);
    assert_eq!(s.deadlock_episodes, 1);
    assert_eq!(s.deadlock_ms, 1_200_000, "from 600 s to the end of the 30-minute run");
    // Stranded: a's 4 GPUs for 30 min, b's 4 for 20 min.
    assert!(
        (s.stranded_gpu_h - (4.0 * 0.5 + 4.0 * 20.0 / 60.0)).abs() < 1e-9,
        "{}",
        s.stranded_gpu_h
    );
    // The run still ends with every job's state reported.
    assert_eq!(job(&r, "a").state.as_str(), "Running");
    assert_eq!(job(&r, "b").state.as_str(), "Running");
    assert_eq!(job(&r, "a").start, None, "a partial gang has not started");
}

#[test]
fn a_near_miss_that_a_working_pods_release_would_unblock_is_no_deadlock() {
    let r = cross_hold(true);
    assert_eq!(
        times(&r, "b-", "PodBound"),
        [600.0, 600.0, 600.0, 600.0, 1200.0, 1200.0]
    );
    assert!(times(&r, "cluster", "DeadlockStart").is_empty());
    assert_eq!(kubesim::observe::report::summarize(&r).deadlock_episodes, 0);
    assert_eq!(secs(job(&r, "b").start), Some(1200.0));
}

/// The seed's Volcano manifests (06, 07, 09, 17) simulate unchanged, with the queues they name,
/// under each gang policy and pod by pod.
#[test]
fn seed_volcano_manifests_simulate_unchanged() {
    let Some(seed) = common::shared_path("manifests/seed") else {
        return;
    };
    let cluster = format!("{}{}{}", sim("horizon: 2h"), gpu_node("gpu-a", 8), gpu_node("gpu-b", 8))
        .replace("cpu: \"64\", memory: 512Gi", "cpu: \"256\", memory: 2Ti");
    let dir = std::env::temp_dir().join(format!("kubesim-seed-vc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cluster_file = dir.join("cluster.yaml");
    std::fs::write(&cluster_file, cluster).unwrap();
    let mut paths = vec![cluster_file];
    for f in [
        "06-vcjob-distributed-training-tf.yaml",
        "07-vcjob-pytorch-ddp-resnet.yaml",
        "09-vcjob-critical-inference.yaml",
        "17-vcjob-arr-coc-distributed-training.yaml",
    ] {
        paths.push(seed.join(f));
    }
    let sc = kubesim::input::scenario::load(&paths).expect("seed Volcano manifests load");
    let policies: Vec<String> = ["volcano", "coscheduling", "kube-default"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let runs = kubesim::experiment::run_all(&sc, &policies, &[1], true).expect("runs");
    for r in &runs {
        let queues: Vec<(&str, &str)> = r.jobs.iter().map(|j| (j.name.as_str(), j.queue.as_str())).collect();
        assert_eq!(
            queues,
            [
                ("distributed-training-tf", "ml-training"),
                ("pytorch-ddp-resnet", "gpu-training"),
                ("critical-inference", "production-inference"),
                ("arr-coc-distributed-training", "arr-coc-training"),
            ],
            "{}",
            r.policy
        );
        assert!(r.jobs.iter().all(|j| j.kind == "VolcanoJob"));
    }
    // 26 GPUs asked of 16 (the jobs have no duration: they run to the horizon). Under the
    // pod-by-pod and coscheduling policies the last 8-GPU gang finds no room and never starts.
    for r in &runs[1..] {
        let last = r
            .jobs
            .iter()
            .find(|j| j.name == "arr-coc-distributed-training")
            .unwrap();
        assert_eq!(last.start, None, "{}", r.policy);
        assert!(r.jobs.iter().filter(|j| j.start.is_some()).count() >= 2, "{}", r.policy);
    }
    // Under volcano each job is in its own queue (weight 1): proportion deserves each queue
    // about 16/4 GPUs (inference asks 3, the rest share 13: 4.33 each), and a task fits its
    // queue only while allocated + request <= deserved. So the 7- and 8-GPU gangs can never be
    // whole and only the inference job (minAvailable 1) runs; nothing is stranded.
    let started: Vec<&str> = runs[0]
        .jobs
        .iter()
        .filter(|j| j.start.is_some())
        .map(|j| j.name.as_str())
        .collect();
    assert_eq!(started, ["critical-inference"]);
    assert_eq!(kubesim::observe::report::summarize(&runs[0]).stranded_gpu_h, 0.0);
    std::fs::remove_dir_all(&dir).ok();
}

// A Job whose pods join a PodGroup object starts when its pods run and work, that is when the
// group's gang forms: the second pod of a 2-member group arrives 30 s after the first (a second
// Job in the group), so both Jobs start at 30 s; their pods end at 90 s and the Job controller's
// 1 s sync batching writes Complete at 91 s. (start_s was left empty for such Jobs before.)
#[test]
fn jobs_whose_pods_join_a_pod_group_start_when_the_gang_forms() {
    let job = |name: &str, at: &str| {
        format!(
            "apiVersion: batch/v1\nkind: Job\nmetadata: {{name: {name}, annotations: {{kubesim.io/duration: 60s, kubesim.io/submit-at: {at}}}}}\n\
             spec:\n  template:\n    metadata: {{labels: {{scheduling.x-k8s.io/pod-group: g}}}}\n    spec:\n      restartPolicy: Never\n      \
             containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"1\"}}}}}}]\n---\n"
        )
    };
    let yaml = format!(
        "{}{}apiVersion: scheduling.x-k8s.io/v1alpha1\nkind: PodGroup\nmetadata: {{name: g}}\nspec: {{minMember: 2}}\n---\n{}{}",
        sim(""),
        cpu_node("n0", 8),
        job("a", "0s"),
        job("b", "30s")
    );
    for policy in ["coscheduling", "kube-default"] {
        let r = run(&yaml, policy);
        for (name, submit) in [("a", 0.0), ("b", 30.0)] {
            let j = common::job(&r, name);
            assert_eq!(secs(j.start), Some(30.0), "{policy} {name}");
            assert_eq!(secs(j.finish), Some(91.0), "{policy} {name}");
            assert_eq!(
                j.wait_ms().map(|w| w as f64 / 1000.0),
                Some(30.0 - submit),
                "{policy} {name}"
            );
        }
    }
}

/// volcano-scheduler binds a session's gang through its own client: at 10 QPS and burst 2, a
/// 5-pod gang allocated in one session is bound at 0, 0, 0.1, 0.2 and 0.3 s, and each pod starts
/// when its Binding is sent.
#[test]
fn volcano_binds_through_its_client() {
    let y = format!(
        "{}{}{}",
        sim("clientRateLimits: {volcano-scheduler: {qps: 10, burst: 2}}"),
        cpu_node("n0", 8),
        vcjob("g", "default", 5, "1", "", "")
    );
    let r = run(&y, "volcano");
    let bound = times(&r, "g-", "PodBound");
    let first = bound[0];
    let rel: Vec<f64> = bound.iter().map(|t| ((t - first) * 1000.0).round() / 1000.0).collect();
    assert_eq!(rel, [0.0, 0.0, 0.1, 0.2, 0.3]);
}

/// The Volcano job controller creates a job's pods at once, through its client (volcano-
/// controller-manager, 50 QPS, burst 100): the job's first status update and its PodGroup
/// create take two tokens, so of 150 pods 98 appear at once, then one every 20 ms (the last
/// 1.04 s after the first); with `enabled: false` all at once.
#[test]
fn volcano_job_controller_creates_pods_through_its_client() {
    let nodes = format!("{}{}", cpu_node("n0", 100), cpu_node("n1", 100));
    let y = format!("{}{nodes}{}", sim(""), vcjob("g", "default", 150, "1", "", ""));
    let r = run(&y, "volcano");
    let created = times(&r, "g-", "PodCreated");
    let first = created[0];
    let rel: Vec<f64> = created
        .iter()
        .map(|t| ((t - first) * 1000.0).round() / 1000.0)
        .collect();
    let want: Vec<f64> = (1..=150usize)
        .map(|k| (k.saturating_sub(98) * 20) as f64 / 1000.0)
        .collect();
    assert_eq!(rel, want);
    // The gang runs once all 150 are bound, after the last create.
    let formed = times(&r, "g", "GangFormed");
    assert!(!formed.is_empty(), "the gang never formed");
    assert!(formed.iter().all(|&t| t >= first + 1.04), "{formed:?}");
    let off = y.replace("spec: {}", "spec: {clientRateLimits: {enabled: false}}");
    assert_ne!(off, y);
    let r = run(&off, "volcano");
    let created = times(&r, "g-", "PodCreated");
    assert!(created.iter().all(|&t| t == created[0]));
}

/// The Volcano job controller's own writes pass its client (volcano `job_controller_actions.go`):
/// at 1 QPS and burst 1, a 2-pod job created at 0 (kube-default binds at once):
/// - 0 s: its first status update takes the burst; its PodGroup create is due at 1 s;
/// - 1 s: the PodGroup exists and is Inqueue at once: the sync creates both pods, due at 2 and 3 s;
/// - 2 s: pod 0 runs: a status update due at 4 s; 3 s: pod 1 created, the sync's status update
///   and pod 1's running fold into the update after that one (due at 5 s);
/// - 13 s: both pods succeed: pod 0's sync writes at once (the bucket is full again), pod 1's
///   sync finds the job Completed and writes that after it: the job ends at 14 s.
///
/// Without limits everything happens at 0 and the job ends at 10 s.
#[test]
fn volcano_job_controller_writes_status_and_pod_group_through_its_client() {
    let y = format!(
        "{}{}{}",
        sim("clientRateLimits: {volcano-controller-manager: {qps: 1, burst: 1}}"),
        cpu_node("n0", 8),
        vcjob("g", "default", 2, "1", "", "")
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "g", "PodGroupCreated"), [1.0]);
    assert_eq!(times(&r, "g-", "PodCreated"), [2.0, 3.0]);
    assert_eq!(times(&r, "g", "JobComplete"), [14.0]);
    assert_eq!(job(&r, "g").finish.map(|t| t.ms()), Some(14_000));
    let off = y.replace(
        "clientRateLimits: {volcano-controller-manager: {qps: 1, burst: 1}}",
        "clientRateLimits: {enabled: false}",
    );
    let r = run(&off, "kube-default");
    assert_eq!(times(&r, "g", "PodGroupCreated"), [0.0]);
    assert_eq!(times(&r, "g-", "PodCreated"), [0.0, 0.0]);
    assert_eq!(times(&r, "g", "JobComplete"), [10.0]);
}

/// A restart under the Volcano job controller's client (1 QPS, burst 1; a 1-pod job whose pod
/// fails after 10 s, `PodFailed: RestartJob`, `maxRetry: 2`; kube-default binds at once):
/// - 0 s status, 1 s PodGroup, 2 s the pod's create (it runs), 3 s and 4 s status updates;
/// - 12 s the pod fails: `killPods` updates the status (the bucket is full again), deletes the
///   PodGroup (13 s); no pod is left, so the restart issues the status (folded into the next
///   update, 15 s) and the new PodGroup's create (14 s): the pod is created at 16 s;
/// - 26 s it fails again: the status (26 s), the PodGroup delete (27 s) and the retries are
///   spent: the status carrying `Failed` is sent at 28 s.
///
/// Without limits: 0, 10 and 20 s.
#[test]
fn volcano_job_restart_writes_through_its_client() {
    let policy = "  maxRetry: 2\n  policies:\n  - event: PodFailed\n    action: RestartJob\n";
    let y = format!(
        "{}{}{}",
        sim("horizon: 200s, clientRateLimits: {volcano-controller-manager: {qps: 1, burst: 1}}"),
        cpu_node("n0", 4),
        vcjob("g", "default", 1, "1", ", kubesim.io/exit-code: \"1\"", policy)
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "g", "PodGroupInqueue"), [1.0, 14.0]);
    assert_eq!(times(&r, "g-", "PodCreated"), [2.0, 16.0]);
    assert_eq!(times(&r, "g", "JobFailed"), [28.0]);
    let j = job(&r, "g");
    assert_eq!((j.reason.as_str(), secs(j.finish)), ("MaxRetryExceeded", Some(28.0)));
    let off = y.replace("{volcano-controller-manager: {qps: 1, burst: 1}}", "{enabled: false}");
    assert_ne!(off, y);
    let r = run(&off, "kube-default");
    assert_eq!(times(&r, "g-", "PodCreated"), [0.0, 10.0]);
    assert_eq!(times(&r, "g", "JobFailed"), [20.0]);
}
