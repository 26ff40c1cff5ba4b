//! Property tests: random small clusters and workloads, run under both kube policies. The
//! simulator checks its invariants after every event in test builds (no node over capacity,
//! every pod in exactly one state, resources conserved: see `World::check`), so any breach
//! panics here; the properties below check the results on top.

use std::collections::BTreeMap;

use kubesim::experiment::run_all;
use kubesim::input::spec::{Scenario, SimulationSpec, WorkloadKind};
use kubesim::input::synth::{gpu_node, gpu_pod_template, single_pod_job};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

#[derive(Clone, Debug)]
struct JobCase {
    gpus: i64,
    duration_s: u64,
    submit_s: u64,
    parallelism: u32,
    completions: u32,
    priority: i32,
    failures: u32,
}

fn job_case() -> impl Strategy<Value = JobCase> {
    (
        0i64..=8,
        1u64..600,
        0u64..1200,
        1u32..=4,
        1u32..=6,
        prop_oneof![Just(0), Just(100), Just(1000)],
        0u32..3,
    )
        .prop_map(
            |(gpus, duration_s, submit_s, parallelism, completions, priority, failures)| JobCase {
                gpus,
                duration_s,
                submit_s,
                parallelism,
                completions,
                priority,
                failures,
            },
        )
}

fn scenario(node_gpus: &[i64], jobs: &[JobCase]) -> Scenario {
    let mut sc = Scenario {
        name: "prop".into(),
        sim: SimulationSpec {
            horizon_ms: Some(4 * 3_600_000),
            // A runaway (a loop within one instant) becomes an error that proptest shrinks.
            max_events: 200_000,
            ..SimulationSpec::default()
        },
        ..Scenario::default()
    };
    sc.nodes = node_gpus
        .iter()
        .enumerate()
        .map(|(i, g)| gpu_node(&format!("n{i}"), *g))
        .collect();
    for (value, name) in [(100, "mid"), (1000, "high")] {
        sc.priority_classes.push(kubesim::input::spec::PriorityClassSpec {
            name: name.into(),
            value,
            global_default: false,
            preemption_policy: kubesim::input::spec::PreemptionPolicy::PreemptLowerPriority,
        });
    }
    for (i, j) in jobs.iter().enumerate() {
        let mut t = gpu_pod_template(j.gpus, Some(j.duration_s * 1000));
        t.hints.failures = j.failures;
        t.hints.terminate_after_ms = 5_000;
        t.priority_class_name = match j.priority {
            100 => Some("mid".into()),
            1000 => Some("high".into()),
            _ => None,
        };
        let mut w = single_pod_job(&format!("j{i}"), t);
        w.submit_at_ms = j.submit_s * 1000;
        if let WorkloadKind::Job(spec) = &mut w.kind {
            spec.parallelism = Some(j.parallelism);
            spec.completions = Some(j.completions);
            spec.backoff_limit = Some(1);
        }
        sc.workloads.push(w);
    }
    sc
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        rng_seed: RngSeed::Fixed(0x6b75_6265),
        ..ProptestConfig::default()
    })]

    #[test]
    fn runs_keep_invariants_and_report_consistent_rows(
        node_gpus in prop::collection::vec(1i64..=8, 1..5),
        jobs in prop::collection::vec(job_case(), 1..16),
    ) {
        let sc = scenario(&node_gpus, &jobs);
        let policies = vec!["kube-default".to_string(), "kube-binpack".to_string()];
        let runs = run_all(&sc, &policies, &[1], true).expect("runs");
        for r in &runs {
            prop_assert_eq!(r.jobs.len(), jobs.len());
            prop_assert!(r.gpu.alloc_util() <= 1.0 + 1e-9);
            prop_assert!(r.gpu.busy_util() <= r.gpu.alloc_util() + 1e-9);
            for row in &r.jobs {
                if let (Some(s), Some(f)) = (row.start, row.finish) {
                    prop_assert!(row.submit <= s && s <= f, "{:?}", row);
                }
                match row.state.as_str() {
                    "Complete" | "Failed" => prop_assert!(row.finish.is_some()),
                    "Running" | "Pending" => prop_assert!(row.finish.is_none()),
                    other => prop_assert!(false, "unexpected state {}", other),
                }
            }
            // A pod asking for more GPUs than the largest node is never bound.
            let largest = node_gpus.iter().max().copied().unwrap_or(0) * 1000;
            let mut by_name = BTreeMap::new();
            for row in &r.jobs {
                by_name.insert(row.name.clone(), row);
            }
            for (i, j) in jobs.iter().enumerate() {
                if j.gpus * 1000 > largest {
                    let row = by_name[&format!("j{i}")];
                    prop_assert_eq!(row.start, None);
                    prop_assert_eq!(row.reason.as_str(), "Unschedulable");
                }
            }
        }
    }
}

#[derive(Clone, Debug)]
struct GangCase {
    pods: u32,
    gpus_per_pod: i64,
    duration_s: u64,
    submit_s: u64,
}

fn gang_case() -> impl Strategy<Value = GangCase> {
    (1u32..=6, 1i64..=4, 60u64..3600, 0u64..1800).prop_map(|(pods, gpus_per_pod, duration_s, submit_s)| GangCase {
        pods,
        gpus_per_pod,
        duration_s,
        submit_s,
    })
}

fn gang_scenario(node_gpus: &[i64], gangs: &[GangCase], singles: &[JobCase]) -> Scenario {
    let mut sc = scenario(node_gpus, singles);
    for (i, g) in gangs.iter().enumerate() {
        let mut t = gpu_pod_template(g.gpus_per_pod, Some(g.duration_s * 1000));
        t.hints.gang_size = Some(g.pods);
        let mut w = single_pod_job(&format!("gang{i}"), t);
        w.submit_at_ms = g.submit_s * 1000;
        if let WorkloadKind::Job(spec) = &mut w.kind {
            spec.parallelism = Some(g.pods);
            spec.completions = Some(g.pods);
        }
        sc.workloads.push(w);
    }
    sc
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("KUBESIM_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(40),
        rng_seed: RngSeed::Fixed(0x0073_696d),
        ..ProptestConfig::default()
    })]

    /// Under volcano no gang is ever partly placed (so nothing is stranded and nothing
    /// deadlocks), and every run keeps the invariants (checked after each event).
    #[test]
    fn volcano_never_leaves_a_gang_partial(
        node_gpus in prop::collection::vec(2i64..=8, 1..5),
        gangs in prop::collection::vec(gang_case(), 1..8),
        singles in prop::collection::vec(job_case(), 0..6),
    ) {
        let sc = gang_scenario(&node_gpus, &gangs, &singles);
        let policies = vec!["volcano".to_string(), "kube-default".to_string(), "coscheduling".to_string()];
        let runs = run_all(&sc, &policies, &[1], false).expect("runs");
        let volcano = &runs[0];
        prop_assert_eq!(volcano.stranded_gpu_milli_ms, 0);
        prop_assert_eq!(volcano.deadlock_episodes, 0);
        for r in &runs {
            prop_assert!(r.gpu.busy_util() <= r.gpu.alloc_util() + 1e-9);
            prop_assert!(r.deadlock_ms <= r.end.ms());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("KUBESIM_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(40),
        rng_seed: RngSeed::Fixed(0x0067_616e),
        ..ProptestConfig::default()
    })]

    /// Under kube-gang no gang is ever partly placed: at every instant a gang holds 0 or at
    /// least its minCount pods (those that succeeded count as placed), so no GPU is ever held by
    /// a partial gang and nothing deadlocks; the Workload Scheduling Cycle binds a group whole
    /// or not at all. Every run keeps the invariants (checked after each event). The single
    /// jobs run at the gangs' priority: a higher-priority pod may preempt one member of a
    /// gang (its PodGroup's default disruption mode is `single`), ending it, which leaves the
    /// rest partial by design.
    #[test]
    fn kube_gang_never_leaves_a_gang_partial(
        node_gpus in prop::collection::vec(2i64..=8, 1..5),
        gangs in prop::collection::vec(gang_case(), 1..8),
        singles in prop::collection::vec(job_case(), 0..6),
    ) {
        let singles: Vec<JobCase> = singles.into_iter().map(|j| JobCase { priority: 0, ..j }).collect();
        let sc = gang_scenario(&node_gpus, &gangs, &singles);
        let runs = run_all(&sc, &["kube-gang".to_string()], &[1], false).expect("runs");
        let r = &runs[0];
        prop_assert_eq!(r.stranded_gpu_milli_ms, 0);
        prop_assert_eq!(r.deadlock_episodes, 0);
        prop_assert!(r.gpu.busy_util() <= r.gpu.alloc_util() + 1e-9);
    }
}

#[derive(Clone, Debug)]
struct OutageCase {
    node: usize,
    at_s: u64,
    for_s: Option<u64>,
}

fn outage_case() -> impl Strategy<Value = OutageCase> {
    (0usize..4, 0u64..3600, prop::option::of(30u64..3600)).prop_map(|(node, at_s, for_s)| OutageCase {
        node,
        at_s,
        for_s,
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("KUBESIM_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(32),
        rng_seed: RngSeed::Fixed(0x6661_756c),
        ..ProptestConfig::default()
    })]

    /// Lost nodes (scripted outages, some never repaired, and random failures) under every
    /// policy keep the invariants after every event (pods on a lost node hold their resources,
    /// stay in one state, and never work), and the accounting stays consistent.
    #[test]
    fn node_failures_keep_invariants(
        node_gpus in prop::collection::vec(2i64..=8, 1..5),
        gangs in prop::collection::vec(gang_case(), 0..4),
        singles in prop::collection::vec(job_case(), 1..8),
        outages in prop::collection::vec(outage_case(), 0..4),
        random in any::<bool>(),
    ) {
        let mut sc = gang_scenario(&node_gpus, &gangs, &singles);
        let outages: Vec<kubesim::input::spec::Outage> = outages
            .iter()
            .filter(|o| o.node < node_gpus.len())
            .map(|o| kubesim::input::spec::Outage { node: format!("n{}", o.node), at_ms: o.at_s * 1000, for_ms: o.for_s.map(|s| s * 1000) })
            .collect();
        let scripted = outages.len() as u64;
        sc.faults.push(kubesim::input::spec::FaultModelSpec {
            name: "f".into(),
            mtbf_ms: random.then_some(3_600_000),
            mttr_ms: 600_000,
            node_selector: BTreeMap::new(),
            outages,
            taints: vec![],
            loc: Default::default(),
        });
        let policies: Vec<String> = ["kube-default", "kube-binpack", "coscheduling", "volcano", "volcano-preempt"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let runs = run_all(&sc, &policies, &[1], false).expect("runs");
        for r in &runs {
            prop_assert!(r.gpu.busy_util() <= r.gpu.alloc_util() + 1e-9);
            prop_assert!(r.gpu.alloc_util() <= 1.0 + 1e-9);
            if !random {
                prop_assert!(r.node_failures <= scripted, "{} > {}", r.node_failures, scripted);
            }
            prop_assert_eq!(r.node_failures, runs[0].node_failures, "every policy sees the same failures");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("KUBESIM_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(32),
        rng_seed: RngSeed::Fixed(0x7175_6575),
        ..ProptestConfig::default()
    })]

    /// Under volcano a queue never holds more GPUs than its capability, whatever the weights
    /// (checked after every event in test builds, see `World::check`), and every queue in use
    /// is reported.
    #[test]
    fn volcano_queues_stay_within_capability(
        node_gpus in prop::collection::vec(2i64..=8, 1..5),
        weights in (1u32..5, 1u32..5),
        caps in (prop::option::of(1i64..12), prop::option::of(1i64..12)),
        jobs in prop::collection::vec((job_case(), any::<bool>()), 1..14),
        gangs in prop::collection::vec(gang_case(), 0..3),
    ) {
        let singles: Vec<JobCase> = jobs.iter().map(|(j, _)| j.clone()).collect();
        let mut sc = gang_scenario(&node_gpus, &gangs, &singles);
        for (i, (_, second)) in jobs.iter().enumerate() {
            let q = if *second { "b" } else { "a" };
            sc.workloads[i]
                .annotations
                .insert("scheduling.volcano.sh/queue-name".into(), q.into());
        }
        for (name, weight, cap) in [("a", weights.0, caps.0), ("b", weights.1, caps.1)] {
            let mut capability = BTreeMap::new();
            if let Some(c) = cap {
                capability.insert("nvidia.com/gpu".to_string(), c * 1000);
            }
            sc.queues.push(kubesim::input::spec::QueueSpec {
                name: name.into(),
                weight,
                capability,
                guarantee: BTreeMap::new(),
                deserved: BTreeMap::new(),
                reclaimable: true,
                priority: 0,
                state: kubesim::input::spec::QueueState::Open,
                loc: Default::default(),
            });
        }
        let runs = run_all(&sc, &["volcano".to_string()], &[1], false).expect("runs");
        let r = &runs[0];
        prop_assert!(r.queues.iter().any(|q| q.name == "a" || q.name == "b"));
        prop_assert!(r.gpu.busy_util() <= r.gpu.alloc_util() + 1e-9);
    }
}

/// A Volcano job for the reclaim property: (queue, replicas, minAvailable, submit s, run s,
/// priority class, PodEvicted -> RestartJob).
type VcCase = (usize, u32, u32, u64, u64, usize, bool);

fn vc_case() -> impl Strategy<Value = VcCase> {
    (
        0usize..3,
        1u32..=6,
        1u32..=6,
        0u64..1800,
        60u64..3600,
        0usize..3,
        any::<bool>(),
    )
        .prop_map(|(q, replicas, min, at, run, prio, restart)| (q, replicas, min.min(replicas), at, run, prio, restart))
}

fn reclaim_yaml(node_gpus: &[u32], queues: &[(u32, bool)], jobs: &[VcCase]) -> String {
    let mut y = String::from(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: p}\nspec: {horizon: 4h, maxEvents: 200000}\n---\n\
         apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: low}\nvalue: 10\n---\n\
         apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 1000\n---\n",
    );
    for (i, g) in node_gpus.iter().enumerate() {
        y += &format!(
            "apiVersion: v1\nkind: Node\nmetadata: {{name: n{i}}}\nstatus:\n  allocatable: {{cpu: \"64\", memory: 256Gi, nvidia.com/gpu: \"{g}\", pods: \"110\"}}\n---\n"
        );
    }
    for (i, (w, rec)) in queues.iter().enumerate() {
        y += &format!(
            "apiVersion: scheduling.volcano.sh/v1beta1\nkind: Queue\nmetadata: {{name: q{i}}}\nspec: {{weight: {w}, reclaimable: {rec}}}\n---\n"
        );
    }
    for (i, (q, replicas, min, at, run, prio, restart)) in jobs.iter().enumerate() {
        let prio = ["", "  priorityClassName: low\n", "  priorityClassName: high\n"][*prio];
        let policy = if *restart {
            "  policies:\n  - {event: PodEvicted, action: RestartJob}\n"
        } else {
            ""
        };
        y += &format!(
            "apiVersion: batch.volcano.sh/v1alpha1\nkind: Job\nmetadata:\n  name: j{i}\n  annotations: {{kubesim.io/submit-at: {at}s, kubesim.io/duration: {run}s}}\nspec:\n  queue: q{q}\n  minAvailable: {min}\n{prio}{policy}  tasks:\n  - name: w\n    replicas: {replicas}\n    template:\n      spec:\n        containers: [{{name: c, image: x, resources: {{limits: {{cpu: \"1\", nvidia.com/gpu: \"1\"}}}}}}]\n---\n"
        );
    }
    y
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("KUBESIM_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(40),
        rng_seed: RngSeed::Fixed(0x0072_6563),
        ..ProptestConfig::default()
    })]

    /// Under volcano-preempt a reclaim never evicts a pod of a non-reclaimable queue, a
    /// preemption only evicts in the preemptor's queue a pod of lower priority than some
    /// pending pod of that queue, and every run keeps the invariants (node capacity, queue
    /// capability, gangs: checked after every event in test builds).
    #[test]
    fn volcano_reclaim_respects_reclaimable_and_priorities(
        node_gpus in prop::collection::vec(2u32..=8, 1..4),
        queues in prop::collection::vec((1u32..5, any::<bool>()), 3),
        jobs in prop::collection::vec(vc_case(), 1..9),
    ) {
        let yaml = reclaim_yaml(&node_gpus, &queues, &jobs);
        let sc = kubesim::input::scenario::load_str("p.yaml", &yaml).expect("loads");
        let runs = run_all(&sc, &["volcano-preempt".to_string()], &[1], true).expect("runs");
        let r = &runs[0];
        let queue_of = |object: &str| -> usize {
            let name = object.trim_start_matches("default/");
            let job: usize = name[1..name.find('-').expect("pod name")].parse().expect("job index");
            jobs[job].0
        };
        for e in r.events.iter().filter(|e| e.event == "PodDeleted") {
            if e.detail == "Reclaimed" {
                prop_assert!(queues[queue_of(&e.object)].1, "reclaimed from a non-reclaimable queue: {}", e.object);
            }
            if e.detail == "Preempted" {
                let name = e.object.trim_start_matches("default/");
                let job: usize = name[1..name.find('-').expect("pod name")].parse().expect("job index");
                // Some job of the same queue with a higher priority exists.
                prop_assert!(jobs.iter().any(|j| j.0 == jobs[job].0 && j.5 > jobs[job].5), "{}", e.object);
            }
        }
        prop_assert!(r.gpu.busy_util() <= r.gpu.alloc_util() + 1e-9);
    }
}

/// A ClusterQueue for the Kueue property: (nominal GPUs, borrowingLimit, lendingLimit,
/// StrictFIFO, reclaimWithinCohort, withinClusterQueue).
type CqCase = (u32, Option<u32>, Option<u32>, bool, usize, usize);

fn kueue_yaml(node_gpus: &[u32], cqs: &[CqCase], jobs: &[(usize, u32, u32, u64, u64, usize)]) -> String {
    let mut y = String::from(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: p}\nspec: {horizon: 4h, maxEvents: 200000}\n---\n\
         apiVersion: config.kueue.x-k8s.io/v1beta2\nkind: Configuration\nwaitForPodsReady: {timeout: 20m}\n---\n\
         apiVersion: kubesim.io/v1alpha1\nkind: FaultModel\nmetadata: {name: f}\nspec: {outages: [{node: n0, at: 900s, for: 1800s}]}\n---\n\
         apiVersion: kueue.x-k8s.io/v1beta1\nkind: ResourceFlavor\nmetadata: {name: gpu}\n---\n\
         apiVersion: kueue.x-k8s.io/v1beta1\nkind: WorkloadPriorityClass\nmetadata: {name: high}\nvalue: 1000\n---\n",
    );
    for (i, g) in node_gpus.iter().enumerate() {
        y += &format!(
            "apiVersion: v1\nkind: Node\nmetadata: {{name: n{i}}}\nstatus:\n  allocatable: {{cpu: \"64\", memory: 256Gi, nvidia.com/gpu: \"{g}\", pods: \"110\"}}\n---\n"
        );
    }
    for (i, (nominal, borrow, lend, strict, reclaim, within)) in cqs.iter().enumerate() {
        let mut quota = format!("        nominalQuota: {nominal}\n");
        if let Some(b) = borrow {
            quota += &format!("        borrowingLimit: {b}\n");
        }
        if let Some(l) = lend {
            quota += &format!("        lendingLimit: {}\n", l.min(nominal));
        }
        y += &format!(
            "apiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata: {{name: cq{i}}}\nspec:\n  cohort: all\n  namespaceSelector: {{}}\n  queueingStrategy: {}\n  preemption: {{reclaimWithinCohort: {}, withinClusterQueue: {}}}\n  resourceGroups:\n  - coveredResources: [nvidia.com/gpu]\n    flavors:\n    - name: gpu\n      resources:\n      - name: nvidia.com/gpu\n{quota}---\napiVersion: kueue.x-k8s.io/v1beta1\nkind: LocalQueue\nmetadata: {{name: lq{i}, namespace: default}}\nspec: {{clusterQueue: cq{i}}}\n---\n",
            if *strict { "StrictFIFO" } else { "BestEffortFIFO" },
            ["Never", "LowerPriority", "Any"][*reclaim],
            ["Never", "LowerPriority", "LowerOrNewerEqualPriority"][*within],
        );
    }
    for (i, (cq, pods, gpus, at, run, prio)) in jobs.iter().enumerate() {
        let prio = if *prio == 1 {
            ", kueue.x-k8s.io/priority-class: high"
        } else {
            ""
        };
        y += &format!(
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j{i}\n  labels: {{kueue.x-k8s.io/queue-name: lq{cq}{prio}}}\n  annotations: {{kubesim.io/submit-at: {at}s, kubesim.io/duration: {run}s}}\nspec:\n  completions: {pods}\n  parallelism: {pods}\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{{name: c, image: x, resources: {{limits: {{nvidia.com/gpu: \"{gpus}\"}}}}}}]\n---\n"
        );
    }
    y
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("KUBESIM_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(40),
        rng_seed: RngSeed::Fixed(0x006b_7565),
        ..ProptestConfig::default()
    })]

    /// Under kueue (with node n0 lost from 15 to 45 min, so that evictions and PodsReady
    /// timeouts mix with quota) no ClusterQueue ever holds more than nominal + borrowingLimit, a ClusterQueue
    /// without a cohort never more than nominal, and a cohort never more than its members'
    /// lendable quota (checked after every event in test builds, `KueueState::check`); no
    /// admitted Job's pods outnumber what its quota reserved, and nothing runs that Kueue did
    /// not admit.
    #[test]
    fn kueue_cluster_queues_stay_within_nominal_plus_borrowing(
        node_gpus in prop::collection::vec(2u32..=8, 1..4),
        cqs in prop::collection::vec(
            (1u32..10, prop::option::of(0u32..6), prop::option::of(0u32..6), any::<bool>(), 0usize..3, 0usize..3),
            1..4,
        ),
        jobs in prop::collection::vec((0usize..3, 1u32..=4, 1u32..=2, 0u64..1800, 60u64..3600, 0usize..2), 1..10),
    ) {
        let jobs: Vec<_> = jobs.into_iter().map(|mut j| { j.0 %= cqs.len(); j }).collect();
        let yaml = kueue_yaml(&node_gpus, &cqs, &jobs);
        let sc = kubesim::input::scenario::load_str("p.yaml", &yaml).expect("loads");
        let runs = run_all(&sc, &["kueue".to_string()], &[1], true).expect("runs");
        let r = &runs[0];
        // A Job's pods start only after a QuotaReserved event for it.
        for j in &r.jobs {
            if let Some(start) = j.start {
                let obj = format!("default/{}", j.name);
                let admitted = r.events.iter().any(|e| e.object == obj && e.event == "QuotaReserved" && e.time <= start);
                prop_assert!(admitted, "{} started without admission", j.name);
            }
        }
        prop_assert!(r.gpu.busy_util() <= r.gpu.alloc_util() + 1e-9);
    }
}

/// Training jobs and MPIJobs under Kueue: one 8-GPU ClusterQueue, nodes `node_gpus`, jobs
/// (is an MPIJob, workers, GPUs per pod, submit s, run s, high priority).
fn kueue_training_yaml(node_gpus: &[u32], jobs: &[(bool, u32, u32, u64, u64, bool)]) -> String {
    let mut y = String::from(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: p}\nspec: {horizon: 6h}\n---\n\
         apiVersion: config.kueue.x-k8s.io/v1beta1\nkind: Configuration\nwaitForPodsReady: {enable: true, timeout: 20m}\nintegrations:\n  frameworks: [batch/job, kubeflow.org/mpijob, kubeflow.org/pytorchjob]\n---\n\
         apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 1000\n---\n\
         apiVersion: kueue.x-k8s.io/v1beta1\nkind: ResourceFlavor\nmetadata: {name: gpu}\n---\n\
         apiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata: {name: cq}\nspec:\n  namespaceSelector: {}\n  preemption: {withinClusterQueue: LowerPriority}\n  resourceGroups:\n  - coveredResources: [nvidia.com/gpu]\n    flavors:\n    - name: gpu\n      resources: [{name: nvidia.com/gpu, nominalQuota: 8}]\n---\n\
         apiVersion: kueue.x-k8s.io/v1beta1\nkind: LocalQueue\nmetadata: {name: lq, namespace: default}\nspec: {clusterQueue: cq}\n---\n",
    );
    for (i, g) in node_gpus.iter().enumerate() {
        y += &format!(
            "apiVersion: v1\nkind: Node\nmetadata: {{name: n{i}}}\nstatus:\n  allocatable: {{cpu: \"64\", memory: 256Gi, nvidia.com/gpu: \"{g}\", pods: \"110\"}}\n---\n"
        );
    }
    for (i, &(mpi, workers, gpus, at, run, high)) in jobs.iter().enumerate() {
        let prio = if high {
            "          priorityClassName: high\n"
        } else {
            ""
        };
        let pod = |c: &str, g: u32| {
            format!(
                "      template:\n        spec:\n{prio}          containers: [{{name: {c}, image: x, resources: {{limits: {{nvidia.com/gpu: \"{g}\"}}}}}}]\n"
            )
        };
        y += &if mpi {
            format!(
                "apiVersion: kubeflow.org/v2beta1\nkind: MPIJob\nmetadata:\n  name: t{i}\n  labels: {{kueue.x-k8s.io/queue-name: lq}}\n  annotations: {{kubesim.io/submit-at: {at}s, kubesim.io/duration: {run}s}}\nspec:\n  runPolicy: {{cleanPodPolicy: Running}}\n  mpiReplicaSpecs:\n    Launcher:\n      replicas: 1\n{}    Worker:\n      replicas: {workers}\n{}---\n",
                pod("launcher", 0),
                pod("worker", gpus)
            )
        } else {
            format!(
                "apiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata:\n  name: t{i}\n  labels: {{kueue.x-k8s.io/queue-name: lq}}\n  annotations: {{kubesim.io/submit-at: {at}s}}\nspec:\n  runPolicy: {{cleanPodPolicy: All}}\n  pytorchReplicaSpecs:\n    Master:\n      replicas: 1\n{}    Worker:\n      replicas: {workers}\n{}---\n",
                pod("pytorch", gpus).replace(
                    "      template:\n",
                    &format!("      template:\n        metadata: {{annotations: {{kubesim.io/duration: {run}s}}}}\n")
                ),
                pod("pytorch", gpus).replace(
                    "      template:\n",
                    &format!("      template:\n        metadata: {{annotations: {{kubesim.io/duration: {run}s}}}}\n")
                )
            )
        };
    }
    y
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("KUBESIM_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24),
        rng_seed: RngSeed::Fixed(0x006b_6b66),
        ..ProptestConfig::default()
    })]

    /// PyTorchJobs and MPIJobs under Kueue (priority preemption and waitForPodsReady mixed in):
    /// the ClusterQueue never holds more than its nominal quota (`KueueState::check` after every
    /// event), and each job is one row that starts only after its QuotaReserved event.
    #[test]
    fn kueue_training_jobs_are_admitted_whole_within_quota(
        node_gpus in prop::collection::vec(2u32..=8, 1..3),
        jobs in prop::collection::vec((any::<bool>(), 1u32..=3, 0u32..=2, 0u64..600, 60u64..900, any::<bool>()), 1..6),
    ) {
        let yaml = kueue_training_yaml(&node_gpus, &jobs);
        let sc = kubesim::input::scenario::load_str("p.yaml", &yaml).expect("loads");
        let runs = run_all(&sc, &["kueue".to_string()], &[1], true).expect("runs");
        let r = &runs[0];
        prop_assert_eq!(r.jobs.len(), jobs.len());
        for (i, c) in jobs.iter().enumerate() {
            let name = format!("t{i}");
            let j = r.jobs.iter().find(|j| j.name == name).expect("a row per job");
            prop_assert_eq!(j.kind, if c.0 { "MPIJob" } else { "PyTorchJob" });
            prop_assert_eq!(j.queue.as_str(), "cq");
            if let Some(start) = j.start {
                let obj = format!("default/{}", j.name);
                let admitted = r.events.iter().any(|e| e.object == obj && e.event == "QuotaReserved" && e.time <= start);
                prop_assert!(admitted, "{} started without admission", j.name);
            }
        }
        prop_assert!(r.gpu.busy_util() <= r.gpu.alloc_util() + 1e-9);
    }
}

/// RayJobs under Kueue: one ClusterQueue of 8 GPUs (CPU and memory ample), nodes `node_gpus`,
/// jobs (workers, GPUs per worker, submit s, entrypoint run s, high priority, HTTPMode).
fn kueue_ray_yaml(node_gpus: &[u32], jobs: &[(u32, u32, u64, u64, bool, bool)]) -> String {
    let mut y = String::from(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: p}\nspec: {horizon: 6h}\n---\n\
         apiVersion: config.kueue.x-k8s.io/v1beta1\nkind: Configuration\nwaitForPodsReady: {enable: true, timeout: 20m}\n---\n\
         apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 1000\n---\n\
         apiVersion: kueue.x-k8s.io/v1beta1\nkind: ResourceFlavor\nmetadata: {name: gpu}\n---\n\
         apiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata: {name: cq}\nspec:\n  namespaceSelector: {}\n  preemption: {withinClusterQueue: LowerPriority}\n  resourceGroups:\n  - coveredResources: [cpu, memory, nvidia.com/gpu]\n    flavors:\n    - name: gpu\n      resources: [{name: cpu, nominalQuota: 1000}, {name: memory, nominalQuota: 10Ti}, {name: nvidia.com/gpu, nominalQuota: 8}]\n---\n\
         apiVersion: kueue.x-k8s.io/v1beta1\nkind: LocalQueue\nmetadata: {name: lq, namespace: default}\nspec: {clusterQueue: cq}\n---\n",
    );
    for (i, g) in node_gpus.iter().enumerate() {
        y += &format!(
            "apiVersion: v1\nkind: Node\nmetadata: {{name: n{i}}}\nstatus:\n  allocatable: {{cpu: \"64\", memory: 256Gi, nvidia.com/gpu: \"{g}\", pods: \"110\"}}\n---\n"
        );
    }
    for (i, &(workers, gpus, at, run, high, http)) in jobs.iter().enumerate() {
        let prio = if high {
            "          priorityClassName: high\n"
        } else {
            ""
        };
        let mode = if http { "  submissionMode: HTTPMode\n" } else { "" };
        y += &format!(
            "apiVersion: ray.io/v1\nkind: RayJob\nmetadata:\n  name: r{i}\n  labels: {{kueue.x-k8s.io/queue-name: lq}}\n  annotations: {{kubesim.io/submit-at: {at}s, kubesim.io/duration: {run}s}}\nspec:\n  entrypoint: python main.py\n  shutdownAfterJobFinishes: true\n{mode}  rayClusterSpec:\n    headGroupSpec:\n      rayStartParams: {{}}\n      template:\n        spec:\n{prio}          containers: [{{name: head, image: r, resources: {{requests: {{cpu: \"1\"}}}}}}]\n    workerGroupSpecs:\n    - groupName: g\n      replicas: {workers}\n      rayStartParams: {{}}\n      template:\n        spec:\n{prio}          containers: [{{name: w, image: r, resources: {{limits: {{nvidia.com/gpu: \"{gpus}\"}}}}}}]\n---\n"
        );
    }
    y
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("KUBESIM_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24),
        rng_seed: RngSeed::Fixed(0x006b_7279),
        ..ProptestConfig::default()
    })]

    /// RayJobs under Kueue (priority preemption and waitForPodsReady mixed in): the
    /// ClusterQueue never holds more than its nominal quota (`KueueState::check` after every
    /// event), each RayJob is one row that starts only after its QuotaReserved event, and a
    /// cluster pod is created only while its RayJob holds quota.
    #[test]
    fn kueue_rayjobs_are_admitted_whole_within_quota(
        node_gpus in prop::collection::vec(2u32..=8, 1..3),
        jobs in prop::collection::vec((1u32..=3, 0u32..=2, 0u64..600, 60u64..900, any::<bool>(), any::<bool>()), 1..6),
    ) {
        let yaml = kueue_ray_yaml(&node_gpus, &jobs);
        let sc = kubesim::input::scenario::load_str("p.yaml", &yaml).expect("loads");
        let runs = run_all(&sc, &["kueue".to_string()], &[1], true).expect("runs");
        let r = &runs[0];
        prop_assert_eq!(r.jobs.len(), jobs.len());
        for i in 0..jobs.len() {
            let name = format!("r{i}");
            let j = r.jobs.iter().find(|j| j.name == name).expect("a row per RayJob");
            prop_assert_eq!(j.kind, "RayJob");
            prop_assert_eq!(j.queue.as_str(), "cq");
            let obj = format!("default/{name}");
            if let Some(start) = j.start {
                let admitted = r.events.iter().any(|e| e.object == obj && e.event == "QuotaReserved" && e.time <= start);
                prop_assert!(admitted, "{} started without admission", name);
            }
            // Every pod creation lies in an admission: after a QuotaReserved, before the next
            // eviction (the pods are created at the admission's instant at the latest).
            let mut holding = false;
            for e in r.events.iter().filter(|e| {
                e.object == obj || (e.event == "PodCreated" && e.object.starts_with(&format!("{obj}-")))
            }) {
                match e.event {
                    "QuotaReserved" => holding = true,
                    "WorkloadEvicted" => holding = false,
                    "PodCreated" => prop_assert!(holding, "{} created a pod without quota at {:?}", name, e.time),
                    _ => {}
                }
            }
        }
        prop_assert!(r.gpu.busy_util() <= r.gpu.alloc_util() + 1e-9);
    }
}

#[derive(Clone, Debug)]
struct JobSetCase {
    /// Per replicated Job: (replicas, pods per Job, GPUs per pod, run time s, pods that fail).
    rjobs: Vec<(u32, u32, i64, u64, u32)>,
    any: bool,
    max_restarts: Option<u32>,
    blocking: bool,
    in_order: bool,
    submit_s: u64,
}

fn jobset_case() -> impl Strategy<Value = JobSetCase> {
    (
        prop::collection::vec((1u32..=3, 1u32..=3, 0i64..=4, 1u64..300, 0u32..2), 1..4),
        any::<bool>(),
        prop::option::of(0u32..3),
        any::<bool>(),
        any::<bool>(),
        0u64..600,
    )
        .prop_map(|(rjobs, any, max_restarts, blocking, in_order, submit_s)| JobSetCase {
            rjobs,
            any,
            max_restarts,
            blocking,
            in_order,
            submit_s,
        })
}

fn jobset_scenario(node_gpus: &[i64], sets: &[JobSetCase]) -> Scenario {
    use kubesim::input::spec::{CompletionMode, JobSetFailure, JobSetSpec, JobSetSuccess, ReplicatedJob};
    let mut sc = scenario(node_gpus, &[]);
    for (i, c) in sets.iter().enumerate() {
        let replicated_jobs = c
            .rjobs
            .iter()
            .enumerate()
            .map(|(r, &(replicas, pods, gpus, duration_s, failures))| {
                let mut t = gpu_pod_template(gpus, Some(duration_s * 1000));
                t.hints.failures = failures;
                t.hints.terminate_after_ms = 5_000;
                let WorkloadKind::Job(mut job) = single_pod_job("j", t).kind else {
                    unreachable!("a Job")
                };
                job.completion_mode = CompletionMode::Indexed;
                job.completions = Some(pods);
                job.parallelism = Some(pods);
                job.backoff_limit = Some(0);
                ReplicatedJob {
                    name: format!("r{r}"),
                    replicas,
                    labels: BTreeMap::new(),
                    annotations: BTreeMap::new(),
                    job,
                    depends_on: Vec::new(),
                }
            })
            .collect();
        let mut w = single_pod_job(&format!("js{i}"), gpu_pod_template(0, None));
        w.submit_at_ms = c.submit_s * 1000;
        w.kind = WorkloadKind::JobSet(JobSetSpec {
            replicated_jobs,
            success: JobSetSuccess {
                any: c.any,
                targets: vec![],
            },
            failure: c.max_restarts.map(|max_restarts| JobSetFailure {
                max_restarts,
                blocking: c.blocking,
                rules: vec![],
            }),
            in_order: c.in_order,
            suspend: false,
            ttl_seconds_after_finished: None,
            train_job: None,
        });
        sc.workloads.push(w);
    }
    sc
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 32,
        rng_seed: RngSeed::Fixed(0x6a73_6574),
        ..ProptestConfig::default()
    })]

    /// JobSets keep the invariants under a kube and a Volcano placer; each has one row, creates
    /// Jobs only between its submission and its end, restarts at most maxRestarts times, and
    /// fails for having reached it only after exactly that many restarts.
    #[test]
    fn jobsets_keep_invariants_and_restart_within_their_policy(
        node_gpus in prop::collection::vec(1i64..=8, 1..4),
        sets in prop::collection::vec(jobset_case(), 1..5),
    ) {
        let sc = jobset_scenario(&node_gpus, &sets);
        let policies = vec!["kube-default".to_string(), "volcano".to_string()];
        let runs = run_all(&sc, &policies, &[1], true).expect("runs");
        for r in &runs {
            prop_assert_eq!(r.jobs.len(), sets.len());
            prop_assert!(r.gpu.alloc_util() <= 1.0 + 1e-9);
            for (i, c) in sets.iter().enumerate() {
                let name = format!("js{i}");
                let row = r.jobs.iter().find(|j| j.name == name).expect("a row per JobSet");
                prop_assert_eq!(row.kind, "JobSet");
                let created: Vec<_> = r
                    .events
                    .iter()
                    .filter(|e| e.event == "JobCreated" && e.object.starts_with(&format!("default/{name}-")))
                    .map(|e| e.time)
                    .collect();
                prop_assert!(created.iter().all(|&t| t >= row.submit));
                if let Some(f) = row.finish {
                    prop_assert!(created.iter().all(|&t| t <= f), "{:?}", row);
                }
                let restarts = r
                    .events
                    .iter()
                    .filter(|e| e.event == "JobSetRestarting" && e.object == format!("default/{name}"))
                    .count() as u32;
                prop_assert!(restarts <= c.max_restarts.unwrap_or(0));
                if row.reason == "ReachedMaxRestarts" {
                    prop_assert_eq!(Some(restarts), c.max_restarts);
                }
                if row.reason == "FailedJobs" {
                    prop_assert!(c.max_restarts.is_none());
                }
            }
        }
    }
}

#[derive(Clone, Debug)]
struct ServingCase {
    /// 0 Deployment, 1 ReplicaSet, 2 StatefulSet OrderedReady, 3 StatefulSet Parallel.
    kind: u8,
    replicas: u32,
    gpus: i64,
    /// A container run time (then restarted in place), or none: runs to the horizon.
    duration_s: Option<u64>,
    submit_s: u64,
    /// `kubesim.io/replicas-schedule` steps (ms of day, replicas).
    schedule: Vec<(u64, u32)>,
}

fn serving_case() -> impl Strategy<Value = ServingCase> {
    (
        0u8..4,
        0u32..=5,
        0i64..=4,
        prop::option::of(60u64..1200),
        0u64..600,
        prop::collection::btree_map(0u64..240, 0u32..=5, 0..4),
    )
        .prop_map(|(kind, replicas, gpus, duration_s, submit_s, steps)| ServingCase {
            kind,
            replicas,
            gpus,
            duration_s,
            submit_s,
            // Steps in the first 4 hours of the day (the runs' horizon), a minute apart or more.
            schedule: steps.into_iter().map(|(m, r)| (m * 60_000, r)).collect(),
        })
}

#[derive(Clone, Debug)]
struct TrainingCase {
    /// The kind: an index into `KubeflowFramework::ALL`.
    framework: usize,
    /// Per replica type, in the kind's order: (replicas, GPUs per pod, run time s, restart
    /// policy 0..4, the workload's first runs that exit 1, 137: later runs exit 137).
    replicas: Vec<(u32, i64, u64, u8, u32, i32)>,
    backoff_limit: Option<u32>,
    deadline_s: Option<u64>,
    clean: u8,
    submit_s: u64,
}

fn training_case() -> impl Strategy<Value = TrainingCase> {
    (
        0usize..5,
        prop::collection::vec(
            (
                1u32..=3,
                0i64..=4,
                1u64..300,
                0u8..4,
                0u32..3,
                prop_oneof![Just(1), Just(137)],
            ),
            1..3,
        ),
        prop::option::of(0u32..3),
        prop::option::of(30u64..600),
        0u8..3,
        0u64..600,
    )
        .prop_map(
            |(framework, replicas, backoff_limit, deadline_s, clean, submit_s)| TrainingCase {
                framework,
                replicas,
                backoff_limit,
                deadline_s,
                clean,
                submit_s,
            },
        )
}

fn training_scenario(node_gpus: &[i64], jobs: &[TrainingCase]) -> Scenario {
    use kubesim::input::spec::{
        CleanPodPolicy, KubeflowFramework, KubeflowJobSpec, KubeflowReplica, KubeflowRestartPolicy, RestartPolicy,
        RunPolicy,
    };
    let mut sc = scenario(node_gpus, &[]);
    for (i, c) in jobs.iter().enumerate() {
        // PyTorchJob, PaddleJob, XGBoostJob: Master (1 replica) then Worker; TFJob: Chief (1),
        // Worker; JAXJob: Worker alone.
        let framework = KubeflowFramework::ALL[c.framework];
        let types: &[&str] = match framework {
            KubeflowFramework::TensorFlow => &["Chief", "Worker"],
            KubeflowFramework::Jax => &["Worker"],
            _ => &["Master", "Worker"],
        };
        let replicas = c
            .replicas
            .iter()
            .take(types.len())
            .enumerate()
            .map(|(t, &(replicas, gpus, duration_s, policy, failures, code))| {
                let restart_policy = [
                    KubeflowRestartPolicy::Always,
                    KubeflowRestartPolicy::OnFailure,
                    KubeflowRestartPolicy::Never,
                    KubeflowRestartPolicy::ExitCode,
                ][policy as usize];
                let mut template = gpu_pod_template(gpus, Some(duration_s * 1000));
                template.hints.failures = failures;
                // The workload's first `failures` runs exit 1; with code 137 and two of them,
                // every later run exits 137 (a pod that keeps being killed).
                if failures > 1 && code != 1 {
                    template.hints.exit_code = code;
                }
                template.hints.terminate_after_ms = 5_000;
                template.restart_policy = match restart_policy {
                    KubeflowRestartPolicy::Always => RestartPolicy::Always,
                    KubeflowRestartPolicy::OnFailure => RestartPolicy::OnFailure,
                    _ => RestartPolicy::Never,
                };
                KubeflowReplica {
                    rtype: types[t].to_string(),
                    replicas: if t == 0 && types[0] != "Worker" { 1 } else { replicas },
                    restart_policy,
                    template,
                }
            })
            .collect();
        let mut w = single_pod_job(&format!("tj{i}"), gpu_pod_template(0, None));
        w.submit_at_ms = c.submit_s * 1000;
        w.kind = WorkloadKind::Kubeflow(KubeflowJobSpec {
            framework,
            replicas,
            run_policy: RunPolicy {
                clean_pod_policy: [CleanPodPolicy::None, CleanPodPolicy::Running, CleanPodPolicy::All]
                    [c.clean as usize],
                backoff_limit: c.backoff_limit,
                active_deadline_s: c.deadline_s,
                ..RunPolicy::default()
            },
            success_all_workers: false,
            dynamic_worker: false,
        });
        sc.workloads.push(w);
    }
    sc
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("KUBESIM_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(32),
        rng_seed: RngSeed::Fixed(0x7365_7276),
        ..ProptestConfig::default()
    })]

    /// Deployments, ReplicaSets and StatefulSets beside Jobs, with node outages, keep the
    /// invariants under every placer; each has one row of its kind that never finishes, never
    /// has more live pods than its replicas plus those being deleted, and a StatefulSet never
    /// has two live pods of one ordinal.
    #[test]
    fn serving_workloads_keep_their_replicas(
        node_gpus in prop::collection::vec(1i64..=8, 1..4),
        sets in prop::collection::vec(serving_case(), 1..4),
        singles in prop::collection::vec(job_case(), 0..4),
        outages in prop::collection::vec(outage_case(), 0..3),
    ) {
        use kubesim::input::spec::{ServingKind, ServingSpec};
        let mut sc = scenario(&node_gpus, &singles);
        for (i, c) in sets.iter().enumerate() {
            let mut w = single_pod_job(&format!("s{i}"), gpu_pod_template(0, None));
            w.submit_at_ms = c.submit_s * 1000;
            let mut template = gpu_pod_template(c.gpus, c.duration_s.map(|s| s * 1000));
            template.restart_policy = kubesim::input::spec::RestartPolicy::Always;
            w.kind = WorkloadKind::Serving(ServingSpec {
                kind: [ServingKind::Deployment, ServingKind::ReplicaSet, ServingKind::StatefulSet, ServingKind::StatefulSet][c.kind as usize],
                replicas: c.replicas,
                parallel: c.kind == 3,
                first_ordinal: 0,
                paused: false,
                schedule: c.schedule.clone(),
                template,
            });
            sc.workloads.push(w);
        }
        sc.faults.push(kubesim::input::spec::FaultModelSpec {
            name: "f".into(),
            mtbf_ms: None,
            mttr_ms: 600_000,
            node_selector: BTreeMap::new(),
            outages: outages
                .iter()
                .filter(|o| o.node < node_gpus.len())
                .map(|o| kubesim::input::spec::Outage { node: format!("n{}", o.node), at_ms: o.at_s * 1000, for_ms: o.for_s.map(|s| s * 1000) })
                .collect(),
            taints: vec![],
            loc: Default::default(),
        });
        let policies: Vec<String> = ["kube-default", "coscheduling", "volcano", "kueue"].iter().map(|s| s.to_string()).collect();
        let runs = run_all(&sc, &policies, &[1], true).expect("runs");
        for r in &runs {
            prop_assert!(r.gpu.alloc_util() <= 1.0 + 1e-9);
            for (i, c) in sets.iter().enumerate() {
                let name = format!("s{i}");
                let row = r.jobs.iter().find(|j| j.name == name).expect("a row per object");
                prop_assert_eq!(row.kind, ["Deployment", "ReplicaSet", "StatefulSet", "StatefulSet"][c.kind as usize]);
                let peak = c.schedule.iter().map(|s| s.1).max().unwrap_or(c.replicas);
                prop_assert_eq!(row.pods, peak);
                prop_assert!(row.finish.is_none(), "{:?}", row);
                // Live pods over time: created minus ended; deleted ones may still be live.
                let prefix = format!("default/{name}-");
                let mut live: BTreeMap<String, i64> = BTreeMap::new();
                let (mut n, mut deleting) = (0i64, 0i64);
                for e in r.events.iter().filter(|e| e.object.starts_with(&prefix)) {
                    match e.event {
                        "PodCreated" => {
                            n += 1;
                            *live.entry(e.object.clone()).or_default() += 1;
                        }
                        "PodSucceeded" | "PodFailed" => {
                            n -= 1;
                            *live.entry(e.object.clone()).or_default() -= 1;
                        }
                        "PodDeleted" => deleting += 1,
                        _ => {}
                    }
                    prop_assert!(n <= i64::from(peak) + deleting, "{name}: {n} live pods at {:?}", e.time);
                    if c.kind >= 2 {
                        prop_assert!(live.values().all(|&k| k <= 1), "{name}: two pods of one ordinal at {:?}", e.time);
                    }
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 32,
        rng_seed: RngSeed::Fixed(0x6b66_6c77),
        ..ProptestConfig::default()
    })]

    /// Kubeflow training jobs (PyTorchJob, TFJob, JAXJob, PaddleJob, XGBoostJob) keep the invariants under a kube and a Volcano
    /// placer; each has one row of its kind, creates pods only between its submission and its
    /// end, fails for its deadline exactly activeDeadlineSeconds after its creation, for its
    /// backoff limit or an ExitCode failure only when it has them.
    #[test]
    fn training_jobs_keep_invariants_and_end_by_their_run_policy(
        node_gpus in prop::collection::vec(1i64..=8, 1..4),
        jobs in prop::collection::vec(training_case(), 1..5),
    ) {
        let sc = training_scenario(&node_gpus, &jobs);
        let policies = vec!["kube-default".to_string(), "volcano".to_string()];
        let runs = run_all(&sc, &policies, &[1], true).expect("runs");
        for r in &runs {
            prop_assert_eq!(r.jobs.len(), jobs.len());
            prop_assert!(r.gpu.alloc_util() <= 1.0 + 1e-9);
            for (i, c) in jobs.iter().enumerate() {
                let name = format!("tj{i}");
                let row = r.jobs.iter().find(|j| j.name == name).expect("a row per job");
                prop_assert_eq!(row.kind, kubesim::input::spec::KubeflowFramework::ALL[c.framework].kind());
                let created: Vec<_> = r
                    .events
                    .iter()
                    .filter(|e| e.event == "PodCreated" && e.object.starts_with(&format!("default/{name}-")))
                    .map(|e| e.time)
                    .collect();
                prop_assert!(!created.is_empty());
                prop_assert!(created.iter().all(|&t| t >= row.submit));
                if let Some(f) = row.finish {
                    prop_assert!(created.iter().all(|&t| t <= f), "{:?}", row);
                }
                match row.reason.as_str() {
                    "DeadlineExceeded" => {
                        let d = c.deadline_s.expect("a deadline");
                        prop_assert_eq!(row.finish, Some(row.submit.plus_ms(d * 1000)));
                    }
                    "BackoffLimitExceeded" => prop_assert!(c.backoff_limit.is_some()),
                    "ExitCode" => prop_assert!(c.replicas.iter().any(|r| r.3 == 3)),
                    _ => {}
                }
            }
        }
    }
}

#[derive(Clone, Debug)]
struct RayCase {
    /// Worker groups: (replicas, GPUs per pod).
    workers: Vec<(u32, i64)>,
    duration_s: u64,
    /// The entrypoint exits 1.
    fails: bool,
    backoff_limit: u32,
    deadline_s: Option<u64>,
    /// `shutdownAfterJobFinishes` with this ttl.
    shutdown_ttl_s: Option<u64>,
    http: bool,
    submit_s: u64,
}

fn ray_case() -> impl Strategy<Value = RayCase> {
    (
        prop::collection::vec((0u32..=2, 0i64..=4), 0..3),
        1u64..600,
        any::<bool>(),
        0u32..3,
        prop::option::of(30u64..900),
        prop::option::of(0u64..120),
        any::<bool>(),
        0u64..600,
    )
        .prop_map(
            |(workers, duration_s, fails, backoff_limit, deadline_s, shutdown_ttl_s, http, submit_s)| RayCase {
                workers,
                duration_s,
                fails,
                backoff_limit,
                deadline_s,
                shutdown_ttl_s,
                http,
                submit_s,
            },
        )
}

fn ray_scenario(node_gpus: &[i64], jobs: &[RayCase]) -> Scenario {
    use kubesim::input::spec::{RayGroup, RayJobSpec, RaySpec, RaySubmissionMode, RestartPolicy};
    let mut sc = scenario(node_gpus, &[]);
    for (i, c) in jobs.iter().enumerate() {
        let mut head = gpu_pod_template(0, None);
        head.restart_policy = RestartPolicy::Always;
        let mut groups = vec![RayGroup {
            name: "head".into(),
            pods: 1,
            min_pods: 1,
            kueue_pods: 1,
            template: head,
        }];
        for (g, &(replicas, gpus)) in c.workers.iter().enumerate() {
            let mut t = gpu_pod_template(gpus, None);
            t.restart_policy = RestartPolicy::Always;
            groups.push(RayGroup {
                name: format!("g{g}"),
                pods: replicas,
                min_pods: replicas,
                kueue_pods: replicas,
                template: t,
            });
        }
        if !c.http {
            let mut t = gpu_pod_template(0, Some(c.duration_s * 1000));
            t.hints.exit_code = i32::from(c.fails);
            groups.push(RayGroup {
                name: "submitter".into(),
                pods: 1,
                min_pods: 0,
                kueue_pods: 1,
                template: t,
            });
        }
        let mut w = single_pod_job(&format!("rj{i}"), gpu_pod_template(0, None));
        w.submit_at_ms = c.submit_s * 1000;
        w.kind = WorkloadKind::Ray(RaySpec {
            groups,
            autoscaling: false,
            suspend: false,
            volcano: false,
            job: Some(RayJobSpec {
                entrypoint: "python main.py".into(),
                submission_mode: if c.http {
                    RaySubmissionMode::Http
                } else {
                    RaySubmissionMode::K8sJob
                },
                shutdown_after_job_finishes: c.shutdown_ttl_s.is_some(),
                ttl_seconds_after_finished: c.shutdown_ttl_s.unwrap_or(0),
                suspend: false,
                active_deadline_s: c.deadline_s,
                backoff_limit: c.backoff_limit,
                duration_ms: Some(c.duration_s * 1000),
                exit_code: i32::from(c.fails),
            }),
        });
        sc.workloads.push(w);
    }
    sc
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 32,
        rng_seed: RngSeed::Fixed(0x7261_796a),
        ..ProptestConfig::default()
    })]

    /// RayJobs keep the invariants under a kube and a Volcano placer; each has one row of kind
    /// RayJob that starts after its submission, fails for its deadline exactly
    /// activeDeadlineSeconds after its creation, fails AppFailed only when its entrypoint does,
    /// and completes no sooner than its run time after its start; with shutdown, no pod of its
    /// cluster outlives the end by more than the ttl (deletions are at end + ttl at the latest).
    #[test]
    fn rayjobs_keep_invariants_and_end_by_their_spec(
        node_gpus in prop::collection::vec(1i64..=8, 1..4),
        jobs in prop::collection::vec(ray_case(), 1..4),
    ) {
        let sc = ray_scenario(&node_gpus, &jobs);
        let policies = vec!["kube-default".to_string(), "volcano".to_string()];
        let runs = run_all(&sc, &policies, &[1], true).expect("runs");
        for r in &runs {
            prop_assert_eq!(r.jobs.len(), jobs.len());
            prop_assert!(r.gpu.alloc_util() <= 1.0 + 1e-9);
            for (i, c) in jobs.iter().enumerate() {
                let name = format!("rj{i}");
                let row = r.jobs.iter().find(|j| j.name == name).expect("a row per RayJob");
                prop_assert_eq!(row.kind, "RayJob");
                if let Some(s) = row.start {
                    prop_assert!(s >= row.submit);
                }
                match row.reason.as_str() {
                    "DeadlineExceeded" => {
                        let d = c.deadline_s.expect("a deadline");
                        prop_assert_eq!(row.finish, Some(row.submit.plus_ms(d * 1000)));
                    }
                    "AppFailed" => prop_assert!(c.fails),
                    _ => {}
                }
                if row.state.as_str() == "Complete" {
                    prop_assert!(!c.fails);
                    let (s, f) = (row.start.expect("started"), row.finish.expect("finished"));
                    prop_assert!(f.since(s) >= c.duration_s * 1000, "{:?}", row);
                }
                if let (Some(f), Some(ttl)) = (row.finish, c.shutdown_ttl_s) {
                    let last = f.plus_ms(ttl * 1000);
                    let late = r.events.iter().any(|e| {
                        e.event == "PodDeleted"
                            && e.object.starts_with(&format!("default/{name}-"))
                            && e.time > last
                    });
                    prop_assert!(!late, "{:?}", row);
                }
            }
        }
    }
}

#[derive(Clone, Debug)]
struct LwsCase {
    replicas: u32,
    size: u32,
    gpus: i64,
    /// A container run time (then restarted in place, which recreates a group under the default
    /// policy), or none.
    duration_s: Option<u64>,
    submit_s: u64,
    /// 0 RecreateGroupOnPodRestart, 1 RecreateGroupAfterStart, 2 None.
    restart: u8,
    leader_ready: bool,
    volcano: bool,
    schedule: Vec<(u64, u32)>,
}

fn lws_case() -> impl Strategy<Value = LwsCase> {
    (
        (0u32..=3, 1u32..=3, 0i64..=4, prop::option::of(60u64..1200)),
        (0u64..600, 0u8..3, any::<bool>(), any::<bool>()),
        prop::collection::btree_map(0u64..240, 0u32..=3, 0..3),
    )
        .prop_map(
            |((replicas, size, gpus, duration_s), (submit_s, restart, leader_ready, volcano), steps)| LwsCase {
                replicas,
                size,
                gpus,
                duration_s,
                submit_s,
                restart,
                leader_ready,
                volcano,
                schedule: steps.into_iter().map(|(m, r)| (m * 60_000, r)).collect(),
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("KUBESIM_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(32),
        rng_seed: RngSeed::Fixed(0x6c77_7321),
        ..ProptestConfig::default()
    })]

    /// LeaderWorkerSets beside Jobs, with node outages, keep the invariants under every placer;
    /// each has one row of kind LeaderWorkerSet with groups x size pods that never finishes,
    /// never has two live pods of one name, nor more live pods than groups x size plus those
    /// being deleted.
    #[test]
    fn leader_worker_sets_keep_their_groups(
        node_gpus in prop::collection::vec(1i64..=8, 1..4),
        sets in prop::collection::vec(lws_case(), 1..3),
        singles in prop::collection::vec(job_case(), 0..3),
        outages in prop::collection::vec(outage_case(), 0..3),
    ) {
        use kubesim::input::spec::{LwsRestartPolicy, LwsSpec};
        let mut sc = scenario(&node_gpus, &singles);
        for (i, c) in sets.iter().enumerate() {
            let mut w = single_pod_job(&format!("l{i}"), gpu_pod_template(0, None));
            w.submit_at_ms = c.submit_s * 1000;
            let mut template = gpu_pod_template(c.gpus, c.duration_s.map(|s| s * 1000));
            template.restart_policy = kubesim::input::spec::RestartPolicy::Always;
            w.kind = WorkloadKind::Lws(Box::new(LwsSpec {
                replicas: c.replicas,
                size: c.size,
                restart: [
                    LwsRestartPolicy::RecreateGroupOnPodRestart,
                    LwsRestartPolicy::RecreateGroupAfterStart,
                    LwsRestartPolicy::None,
                ][c.restart as usize],
                leader_ready: c.leader_ready,
                schedule: c.schedule.clone(),
                volcano_gang: c.volcano.then(|| (if c.leader_ready { 1 } else { c.size }, "default".to_string())),
                leader: template.clone(),
                worker: template,
            }));
            sc.workloads.push(w);
        }
        sc.faults.push(kubesim::input::spec::FaultModelSpec {
            name: "f".into(),
            mtbf_ms: None,
            mttr_ms: 600_000,
            node_selector: BTreeMap::new(),
            outages: outages
                .iter()
                .filter(|o| o.node < node_gpus.len())
                .map(|o| kubesim::input::spec::Outage { node: format!("n{}", o.node), at_ms: o.at_s * 1000, for_ms: o.for_s.map(|s| s * 1000) })
                .collect(),
            taints: vec![],
            loc: Default::default(),
        });
        let policies: Vec<String> = ["kube-default", "coscheduling", "volcano", "kueue"].iter().map(|s| s.to_string()).collect();
        let runs = run_all(&sc, &policies, &[1], true).expect("runs");
        for r in &runs {
            prop_assert!(r.gpu.alloc_util() <= 1.0 + 1e-9);
            for (i, c) in sets.iter().enumerate() {
                let name = format!("l{i}");
                let row = r.jobs.iter().find(|j| j.name == name).expect("a row per object");
                prop_assert_eq!(row.kind, "LeaderWorkerSet");
                let peak = c.schedule.iter().map(|s| s.1).max().unwrap_or(c.replicas) * c.size;
                prop_assert_eq!(row.pods, peak);
                prop_assert!(row.finish.is_none(), "{:?}", row);
                let prefix = format!("default/{name}-");
                let mut live: BTreeMap<String, i64> = BTreeMap::new();
                let (mut n, mut deleting) = (0i64, 0i64);
                for e in r.events.iter().filter(|e| e.object.starts_with(&prefix)) {
                    match e.event {
                        "PodCreated" => {
                            n += 1;
                            *live.entry(e.object.clone()).or_default() += 1;
                        }
                        "PodSucceeded" | "PodFailed" => {
                            n -= 1;
                            *live.entry(e.object.clone()).or_default() -= 1;
                        }
                        "PodDeleted" => deleting += 1,
                        _ => {}
                    }
                    prop_assert!(n <= i64::from(peak) + deleting, "{name}: {n} live pods at {:?}", e.time);
                    prop_assert!(live.values().all(|&k| k <= 1), "{name}: two pods of one name at {:?}", e.time);
                }
            }
        }
    }
}

/// A job of the backfill property: pods of `gpus` GPUs each, one gang, run time = estimate.
#[derive(Clone, Debug)]
struct BfCase {
    gpus: i64,
    pods: u32,
    duration_s: u64,
    submit_s: u64,
}

fn bf_case() -> impl Strategy<Value = BfCase> {
    (1i64..=4, 1u32..=4, 1u64..300, 0u64..600).prop_map(|(gpus, pods, duration_s, submit_s)| BfCase {
        gpus,
        pods,
        duration_s,
        submit_s,
    })
}

/// Jobs with exact runtime estimates (`kubesim.io/runtime-estimate` = their run time), each one
/// gang, client limits off.
fn bf_scenario(node_gpus: &[i64], jobs: &[BfCase]) -> Scenario {
    let mut sc = Scenario {
        name: "bf".into(),
        sim: SimulationSpec {
            horizon_ms: Some(4 * 3_600_000),
            max_events: 200_000,
            ..SimulationSpec::default()
        },
        ..Scenario::default()
    };
    sc.sim.client_limits.enabled = false;
    sc.nodes = node_gpus
        .iter()
        .enumerate()
        .map(|(i, g)| gpu_node(&format!("n{i}"), *g))
        .collect();
    for (i, j) in jobs.iter().enumerate() {
        let mut t = gpu_pod_template(j.gpus, Some(j.duration_s * 1000));
        t.hints.runtime_estimate_ms = Some(j.duration_s * 1000);
        t.hints.gang_size = (j.pods > 1).then_some(j.pods);
        let mut w = single_pod_job(&format!("j{i}"), t);
        w.submit_at_ms = j.submit_s * 1000;
        if let WorkloadKind::Job(spec) = &mut w.kind {
            spec.parallelism = Some(j.pods);
            spec.completions = Some(j.pods);
            spec.backoff_limit = Some(0);
        }
        sc.workloads.push(w);
    }
    sc
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("KUBESIM_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48),
        rng_seed: RngSeed::Fixed(0x6266_6666),
        ..ProptestConfig::default()
    })]

    /// Under easy-backfill with exact estimates, every job that became the head starts no later
    /// than the shadow time computed when it became head (backfilled jobs never delay it), no
    /// gang is ever partly placed, and every job that fits the cluster runs.
    #[test]
    fn easy_backfill_never_delays_the_head_past_its_reservation(
        node_gpus in prop::collection::vec(1i64..=8, 1..4),
        jobs in prop::collection::vec(bf_case(), 1..14),
    ) {
        let sc = bf_scenario(&node_gpus, &jobs);
        let runs = run_all(&sc, &["easy-backfill".to_string()], &[1], true).expect("runs");
        let r = &runs[0];
        prop_assert_eq!(r.stranded_gpu_milli_ms, 0);
        let rows: BTreeMap<&str, _> = r.jobs.iter().map(|j| (j.name.as_str(), j)).collect();
        for e in r.events.iter().filter(|e| e.event == "BackfillReserved") {
            let name = e.object.split_once('/').expect("namespace/name").1;
            let shadow = e.detail.strip_prefix("shadow time ").expect("a shadow time");
            prop_assert!(shadow != "unknown", "every job has an estimate: {:?}", e);
            let shadow_ms = (shadow.parse::<f64>().expect("seconds") * 1000.0).round() as u64;
            let start = rows[name].start.expect("the head starts").ms();
            prop_assert!(start <= shadow_ms, "{} starts at {} ms after its shadow time {} ms", name, start, shadow_ms);
        }
        let largest = node_gpus.iter().max().copied().unwrap_or(0);
        let total: i64 = node_gpus.iter().sum();
        for (i, j) in jobs.iter().enumerate() {
            let row = rows[format!("j{i}").as_str()];
            // First-fit packs whole pods: a gang fits the empty cluster iff its pods fit the nodes.
            let fits = j.gpus <= largest
                && node_gpus.iter().map(|g| g / j.gpus).sum::<i64>() >= i64::from(j.pods)
                && j.gpus * i64::from(j.pods) <= total;
            prop_assert_eq!(row.start.is_some(), fits, "{:?} {:?}", j, row);
        }
    }
}
