//! The LeaderWorkerSet controller (docs/lws.md) on hand-worked cases, asserting exact times from
//! the run's events and jobs rows. A group is a leader pod `<lws>-<g>` and workers
//! `<lws>-<g>-<j>`; its pods never complete and hold their nodes until the horizon unless they
//! are lost, and are then recreated (the whole group with RecreateGroupOnPodRestart).

mod common;
use common::{history, job, run, secs, times};

/// A Simulation with a horizon of `horizon` and extra spec lines `more`.
fn sim(horizon: &str, more: &str) -> String {
    format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: t}}\nspec:\n  horizon: {horizon}\n{more}---\n"
    )
}

/// A node of 8 CPUs named `name`, joining at `at` (empty: at 0).
fn node(name: &str, at: &str) -> String {
    let ann = if at.is_empty() {
        String::new()
    } else {
        format!(", annotations: {{kubesim.io/submit-at: {at}}}")
    };
    format!(
        "apiVersion: v1\nkind: Node\nmetadata: {{name: {name}{ann}}}\nstatus:\n  allocatable: {{cpu: \"8\", memory: 64Gi, pods: \"110\"}}\n---\n"
    )
}

/// A LeaderWorkerSet `name` of `replicas` groups of `size` pods of 5 CPUs (one per node), with
/// extra spec lines `spec` and leaderWorkerTemplate lines `lwt`.
fn lws(name: &str, replicas: u32, size: u32, spec: &str, lwt: &str) -> String {
    format!(
        "apiVersion: leaderworkerset.x-k8s.io/v1\nkind: LeaderWorkerSet\nmetadata: {{name: {name}}}\nspec:\n  replicas: {replicas}\n{spec}  leaderWorkerTemplate:\n    size: {size}\n{lwt}    workerTemplate:\n      spec:\n        containers: [{{name: c, image: nginx, resources: {{requests: {{cpu: \"5\"}}}}}}]\n---\n"
    )
}

/// `latencies.watch` of 1 s.
const WATCH_1S: &str = "  latencies: {watch: 1s}\n";

/// `n` nodes n0.. at 0.
fn nodes(n: usize) -> String {
    (0..n).map(|i| node(&format!("n{i}"), "")).collect()
}

/// A FaultModel: `node` fails at 100 s for 1000 s. The node lifecycle controller notices at
/// 155 s (the first 5 s tick after the 50 s grace) and taints it NoExecute; its pods tolerate
/// the taint for 300 s and are evicted at 455 s, and stay Terminating (no kubelet) until the
/// node returns at 1100 s.
fn outage(node: &str) -> String {
    format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: FaultModel\nmetadata: {{name: f}}\nspec:\n  outages: [{{node: {node}, at: 100s, for: 1000s}}]\n---\n"
    )
}

/// Two groups of a leader and one worker, watch delay 1 s. The leader StatefulSet creates
/// lws-0 and lws-1 at 0; the pod controller sees each leader at 1 s and creates its worker
/// StatefulSet, whose worker lws-<g>-1 is created at 1 s. A leader reaches the scheduler at 1 s
/// and its kubelet the Binding at 2 s (Running); a worker runs at 3 s, when the set has
/// started. It never finishes: Running at the horizon, 4 pods.
#[test]
fn groups_are_created_leader_first_then_their_workers() {
    let y = format!("{}{}{}", sim("1h", WATCH_1S), nodes(4), lws("lws", 2, 2, "", ""));
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "lws-0", "PodCreated"), [0.0, 1.0]);
    assert_eq!(times(&r, "lws-1", "PodCreated"), [0.0, 1.0]);
    assert_eq!(times(&r, "lws-0-1", "PodCreated"), [1.0]);
    assert_eq!(times(&r, "lws-1-1", "PodCreated"), [1.0]);
    assert_eq!(times(&r, "lws-", "PodRunning"), [2.0, 2.0, 3.0, 3.0]);
    let j = job(&r, "lws");
    assert_eq!(
        (j.kind, j.state.as_str(), j.pods, secs(j.start), secs(j.finish)),
        ("LeaderWorkerSet", "Running", 4, Some(3.0), None)
    );
    assert_eq!(r.jobs.len(), 1, "the StatefulSets have no rows of their own");
}

/// LeaderReady: the worker StatefulSet waits for the leader to be Ready. lws-0 runs at 2 s (as
/// above); the pod controller sees it Ready at 3 s and the workers are created then (both at
/// once: Parallel), running at 5 s.
#[test]
fn leader_ready_creates_the_workers_once_the_leader_runs() {
    let y = format!(
        "{}{}{}",
        sim("1h", WATCH_1S),
        nodes(3),
        lws("lws", 1, 3, "  startupPolicy: LeaderReady\n", "")
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "lws-0", "PodCreated"), [0.0, 3.0, 3.0]);
    assert_eq!(times(&r, "lws-0", "PodRunning"), [2.0, 5.0, 5.0]);
    assert_eq!(times(&r, "lws-0-2", "PodCreated"), [3.0]);
    assert_eq!(secs(job(&r, "lws").start), Some(5.0));
}

/// RecreateGroupOnPodRestart (the default): the leader lws-0 runs on n0, its worker lws-0-1 on
/// n1, which fails at 100 s. The worker is evicted at 455 s; the pod controller deletes the
/// leader then (foreground), which ends at once on n0. The worker stays Terminating until n1
/// returns at 1100 s, and the leader, waiting for its dependents, is gone only then: the group
/// is recreated as a whole at 1100 s, though n2 was free from 50 s.
#[test]
fn a_lost_worker_recreates_its_whole_group() {
    let y = format!(
        "{}{}{}{}{}",
        sim("2000s", ""),
        nodes(2),
        node("n2", "50s"),
        outage("n1"),
        lws("lws", 1, 2, "", "")
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "lws-0-1", "PodDeleted"), [455.0]);
    assert_eq!(times(&r, "lws", "RecreateGroup"), [455.0]);
    assert_eq!(times(&r, "lws-0", "PodDeleted"), [455.0, 455.0]);
    assert_eq!(times(&r, "lws-0-1", "PodFailed"), [1100.0]);
    // The leader first, then its worker StatefulSet's pod, at the same instant (watch 0).
    let created: Vec<(f64, String)> = r
        .events
        .iter()
        .filter(|e| e.event == "PodCreated")
        .map(|e| (e.time.ms() as f64 / 1000.0, e.object.clone()))
        .collect();
    let names =
        |v: &[(f64, &str)]| -> Vec<(f64, String)> { v.iter().map(|(t, n)| (*t, format!("default/{n}"))).collect() };
    assert_eq!(
        created,
        names(&[(0.0, "lws-0"), (0.0, "lws-0-1"), (1100.0, "lws-0"), (1100.0, "lws-0-1")])
    );
}

/// restartPolicy None: only the lost worker is replaced, by its StatefulSet, with its name, once
/// it is gone (1100 s); the leader runs on untouched.
#[test]
fn with_restart_policy_none_only_the_lost_pod_is_replaced() {
    let y = format!(
        "{}{}{}{}{}",
        sim("2000s", ""),
        nodes(2),
        node("n2", "50s"),
        outage("n1"),
        lws("lws", 1, 2, "", "    restartPolicy: None\n")
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "lws", "RecreateGroup"), Vec::<f64>::new());
    assert_eq!(times(&r, "lws-0", "PodCreated"), [0.0, 0.0, 1100.0]);
    assert_eq!(times(&r, "lws-0-1", "PodCreated"), [0.0, 1100.0]);
    assert_eq!(times(&r, "lws-0", "PodDeleted"), [455.0]);
    assert_eq!(
        history(&r, "default/lws-0")
            .iter()
            .filter(|(_, e, _)| e == "PodCreated")
            .count(),
        1
    );
}

/// Under None too a lost leader takes its workers with it: they belong to it (the garbage
/// collector deletes its worker StatefulSet once it is gone). The leader lws-0 on n0 fails at
/// 100 s, is evicted at 455 s and gone at 1100 s; then its worker is deleted and the leader
/// recreated (the name is free), and the worker once it has ended.
#[test]
fn a_lost_leader_takes_its_workers_with_it() {
    let y = format!(
        "{}{}{}{}{}",
        sim("2000s", ""),
        nodes(2),
        node("n2", "50s"),
        outage("n0"),
        lws("lws", 1, 2, "", "    restartPolicy: None\n")
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "lws-0", "PodDeleted"), [455.0, 1100.0]);
    assert_eq!(times(&r, "lws-0", "PodCreated"), [0.0, 0.0, 1100.0, 1100.0]);
}

/// A worker whose container exits (its template's `kubesim.io/duration: 100s`) is restarted in
/// place by the kubelet at once (restartCount 1); with RecreateGroupOnPodRestart the pod
/// controller then recreates the group: at 100 s, and every 100 s after. With None the
/// container restarts in place and nothing is recreated: at 100 s, then at 210 s (it exits at
/// 200 s, and the kubelet's back-off is 10 s after the first restart).
#[test]
fn a_container_restart_recreates_the_group_unless_none() {
    let leader = "    leaderTemplate:\n      spec:\n        containers: [{name: c, image: nginx, resources: {requests: {cpu: \"5\"}}}]\n";
    let worker_ann = "metadata: {name: lws}\nspec:\n  replicas: 1\n  leaderWorkerTemplate:\n    size: 2\n";
    let body = |policy: &str| {
        format!(
            "apiVersion: leaderworkerset.x-k8s.io/v1\nkind: LeaderWorkerSet\n{worker_ann}{policy}{leader}    workerTemplate:\n      metadata: {{annotations: {{kubesim.io/duration: 100s}}}}\n      spec:\n        containers: [{{name: c, image: nginx, resources: {{requests: {{cpu: \"5\"}}}}}}]\n---\n"
        )
    };
    let y = format!("{}{}{}", sim("250s", ""), nodes(2), body(""));
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "lws", "RecreateGroup"), [100.0, 200.0]);
    assert_eq!(times(&r, "lws-0", "PodCreated"), [0.0, 0.0, 100.0, 100.0, 200.0, 200.0]);
    let y = format!("{}{}{}", sim("250s", ""), nodes(2), body("    restartPolicy: None\n"));
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "lws", "RecreateGroup"), Vec::<f64>::new());
    assert_eq!(times(&r, "lws-0", "PodCreated"), [0.0, 0.0]);
    assert_eq!(times(&r, "lws-0-1", "ContainerRestarted"), [100.0, 210.0]);
}

/// The upstream examples (tests/upstream/lws), unchanged, each run for an hour on four nodes
/// large enough for the vLLM example's pods (8 GPUs, 125 CPUs, 1124Gi each): every group's
/// pods are created and run, the set has started and is Running at the horizon with
/// groups x size pods. The Volcano example's groups are gangs (one PodGroup each) under the
/// volcano policy.
#[test]
fn the_upstream_examples_run() {
    let big = (0..4)
        .map(|i| {
            format!(
                "apiVersion: v1\nkind: Node\nmetadata: {{name: g{i}}}\nstatus:\n  allocatable: {{cpu: \"256\", memory: 4Ti, nvidia.com/gpu: \"8\", ephemeral-storage: 4Ti, pods: \"110\"}}\n---\n"
            )
        })
        .collect::<String>();
    let files: &[(&str, &str, u32)] = &[
        ("sample-lws", include_str!("upstream/lws/sample-lws.yaml"), 12),
        (
            "sample-lws-restart-policy",
            include_str!("upstream/lws/sample-lws-restart-policy.yaml"),
            12,
        ),
        (
            "sample-lws-multi-template",
            include_str!("upstream/lws/sample-lws-multi-template.yaml"),
            12,
        ),
        (
            "sample-lws-rollout-strategy",
            include_str!("upstream/lws/sample-lws-rollout-strategy.yaml"),
            16,
        ),
        (
            "sample-lws-volume-claim-templates",
            include_str!("upstream/lws/sample-lws-volume-claim-templates.yaml"),
            4,
        ),
        (
            "sample-lws-exclusive-placement",
            include_str!("upstream/lws/sample-lws-exclusive-placement.yaml"),
            12,
        ),
        (
            "gang",
            include_str!("upstream/lws/sample-gang-scheduling-lws-sample-volcano.yaml"),
            8,
        ),
        (
            "config-sample",
            include_str!("upstream/lws/leaderworkerset_v1_leaderworkerset.yaml"),
            12,
        ),
        ("vllm", include_str!("upstream/lws/vllm-GPU-lws.yaml"), 4),
        ("sglang", include_str!("upstream/lws/sglang-lws.yaml"), 4),
    ];
    for (what, text, pods) in files {
        for policy in ["kube-default", "volcano"] {
            let y = format!("{}{big}{text}", sim("1h", ""));
            let r = run(&y, policy);
            let j = r
                .jobs
                .iter()
                .find(|j| j.kind == "LeaderWorkerSet")
                .expect("a LeaderWorkerSet row");
            assert_eq!(
                (j.state.as_str(), j.pods, secs(j.start)),
                ("Running", *pods, Some(0.0)),
                "{what} under {policy}"
            );
            assert_eq!(
                r.events.iter().filter(|e| e.event == "PodRunning").count() as u32,
                *pods,
                "{what} under {policy}"
            );
        }
    }
}

/// Gang scheduling through the Volcano provider: a group's pods name `schedulerName: volcano`,
/// so each group gets a PodGroup of minMember size (4). Three nodes of 8 CPUs hold three of its
/// four pods of 5 CPUs: under volcano none is bound (the gang cannot form) and the set stays
/// Pending, while kube-default (which knows no PodGroup) binds three and leaves one pending.
#[test]
fn a_volcano_group_is_a_gang() {
    let gang = "apiVersion: leaderworkerset.x-k8s.io/v1\nkind: LeaderWorkerSet\nmetadata: {name: g}\nspec:\n  replicas: 1\n  leaderWorkerTemplate:\n    size: 4\n    workerTemplate:\n      spec:\n        schedulerName: volcano\n        containers: [{name: c, image: x, resources: {requests: {cpu: \"5\"}}}]\n---\n";
    let y = format!("{}{}{gang}", sim("1h", ""), nodes(3));
    let r = run(&y, "volcano");
    assert_eq!(times(&r, "g-", "PodBound"), Vec::<f64>::new());
    assert_eq!(job(&r, "g").state.as_str(), "Pending");
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "g-", "PodBound"), [0.0, 0.0, 0.0]);
}

/// `kubesim.io/replicas-schedule` sets the groups as for a StatefulSet: one group from midnight,
/// two from 00:10. Group 1 (leader then worker, watch 0) is created at 600 s; the jobs.csv row's
/// pods are the peak, 2 groups x 2.
#[test]
fn a_replicas_schedule_adds_a_group() {
    let set = lws("lws", 1, 2, "", "").replace(
        "metadata: {name: lws}",
        "metadata: {name: lws, annotations: {kubesim.io/replicas-schedule: \"00:00=1,00:10=2\"}}",
    );
    let y = format!("{}{}{set}", sim("1h", ""), nodes(4));
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "lws-1", "PodCreated"), [600.0, 600.0]);
    assert_eq!(times(&r, "lws-0", "PodCreated"), [0.0, 0.0]);
    assert_eq!(times(&r, "lws", "Scaled"), [600.0]);
    let j = job(&r, "lws");
    assert_eq!((j.pods, secs(j.start)), (4, Some(0.0)));
}
