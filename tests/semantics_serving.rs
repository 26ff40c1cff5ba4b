//! The ReplicaSet, Deployment and StatefulSet controllers (docs/serving.md) on hand-worked
//! cases, asserting exact times from the run's events and jobs rows. Their pods never complete:
//! they hold their node until the horizon unless they are lost, and are then replaced.

mod common;
use common::{job, run, secs, times};

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

/// An apps/v1 object of `kind` named `name` with `replicas` pods of 5 CPUs (one per node), spec
/// lines `more` and pod template annotations `ann`.
fn serving(kind: &str, name: &str, replicas: u32, more: &str, ann: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: {kind}\nmetadata: {{name: {name}}}\nspec:\n  replicas: {replicas}\n{more}  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n      annotations: {{{ann}}}\n    spec:\n      containers: [{{name: c, image: nginx, resources: {{requests: {{cpu: \"5\"}}}}}}]\n---\n"
    )
}

/// n0 (from 0) fails at 100 s for 1000 s; n1 joins at 50 s. The node lifecycle controller
/// notices at 155 s (the first 5 s tick after the 50 s grace) and taints n0 NoExecute; the
/// pods there tolerate it for 300 s (DefaultTolerationSeconds) and are evicted at 455 s; they
/// stay Terminating (no kubelet) until n0 returns at 1100 s.
fn outage() -> String {
    format!(
        "{}{}apiVersion: kubesim.io/v1alpha1\nkind: FaultModel\nmetadata: {{name: f}}\nspec:\n  outages: [{{node: n0, at: 100s, for: 1000s}}]\n---\n",
        node("n0", ""),
        node("n1", "50s")
    )
}

/// A Deployment's replica on a node that fails is replaced when the taint manager evicts it
/// (455 s: its deletionTimestamp makes it inactive to the ReplicaSet controller), not when it
/// is gone (1100 s, when n0 returns and its kubelet ends it). The replacement runs on n1 at
/// 455 s. The Deployment runs to the horizon: its row is Running, censored, with 1 pod.
#[test]
fn a_deployment_replaces_an_evicted_replica_at_its_eviction() {
    let y = format!(
        "{}{}{}",
        sim("2000s", ""),
        outage(),
        serving("Deployment", "web", 1, "", "")
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "web-", "PodCreated"), [0.0, 455.0]);
    assert_eq!(times(&r, "web-", "PodDeleted"), [455.0]);
    assert_eq!(times(&r, "web-", "PodRunning"), [0.0, 455.0]);
    assert_eq!(times(&r, "web-", "PodFailed"), [1100.0]);
    let bound: Vec<String> = r
        .events
        .iter()
        .filter(|e| e.event == "PodBound")
        .map(|e| e.detail.clone())
        .collect();
    assert_eq!(bound, ["n0", "n1"]);
    let j = job(&r, "web");
    assert_eq!(j.kind, "Deployment");
    assert_eq!(
        (j.state.as_str(), j.pods, secs(j.start), secs(j.finish)),
        ("Running", 1, Some(0.0), None)
    );
    assert_eq!(r.jobs.len(), 1, "the Deployment's ReplicaSet has no row of its own");
}

/// A StatefulSet's pod on the failed node keeps its name until it is gone: evicted at 455 s, it
/// is Terminating until n0 returns at 1100 s, and only then is web-0 created again (same name),
/// though n1 was free all along.
#[test]
fn a_statefulset_recreates_a_lost_pod_with_its_name_once_it_is_gone() {
    let y = format!(
        "{}{}{}",
        sim("2000s", ""),
        outage(),
        serving("StatefulSet", "web", 1, "", "")
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "web-0", "PodCreated"), [0.0, 1100.0]);
    assert_eq!(times(&r, "web-0", "PodDeleted"), [455.0]);
    assert_eq!(times(&r, "web-0", "PodFailed"), [1100.0]);
    assert_eq!(times(&r, "web-0", "PodRunning"), [0.0, 1100.0]);
    let j = job(&r, "web");
    assert_eq!((j.kind, j.state.as_str(), j.pods), ("StatefulSet", "Running", 1));
}

/// OrderedReady with a watch delay of 1 s: web-0 is created at 0, reaches the scheduler at 1 s,
/// its Binding the kubelet at 2 s (Running and Ready); the controller sees it at 3 s and creates
/// web-1 (Running at 5 s), then web-2 at 6 s (Running at 8 s). Parallel creates all three at 0,
/// all Running at 2 s. Either way the StatefulSet has started when its last pod runs.
#[test]
fn a_statefulset_creates_its_pods_in_order_or_in_parallel() {
    let lat = "  latencies: {watch: 1s}\n";
    let nodes = format!("{}{}{}", node("n0", ""), node("n1", ""), node("n2", ""));
    let y = format!("{}{nodes}{}", sim("1h", lat), serving("StatefulSet", "web", 3, "", ""));
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "web-0", "PodCreated"), [0.0]);
    assert_eq!(times(&r, "web-1", "PodCreated"), [3.0]);
    assert_eq!(times(&r, "web-2", "PodCreated"), [6.0]);
    assert_eq!(times(&r, "web-", "PodRunning"), [2.0, 5.0, 8.0]);
    assert_eq!(secs(job(&r, "web").start), Some(8.0));
    let parallel = "  podManagementPolicy: Parallel\n";
    let y = format!(
        "{}{nodes}{}",
        sim("1h", lat),
        serving("StatefulSet", "web", 3, parallel, "")
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "web-", "PodCreated"), [0.0, 0.0, 0.0]);
    assert_eq!(times(&r, "web-", "PodRunning"), [2.0, 2.0, 2.0]);
    assert_eq!(secs(job(&r, "web").start), Some(2.0));
}

/// OrderedReady waits for a pod that cannot be placed: with room for two pods, web-2 is created
/// (web-0 and web-1 run) and waits Pending, and web-3 is never created; Parallel creates all
/// four. A ReplicaSet creates all its pods at once.
#[test]
fn ordered_ready_stops_at_a_pod_that_is_not_running() {
    let nodes = format!("{}{}", node("n0", ""), node("n1", ""));
    let y = format!("{}{nodes}{}", sim("1h", ""), serving("StatefulSet", "web", 4, "", ""));
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "web-", "PodCreated"), [0.0, 0.0, 0.0]);
    let j = job(&r, "web");
    assert_eq!((j.state.as_str(), secs(j.start)), ("Running", None));
    let parallel = "  podManagementPolicy: Parallel\n";
    let y = format!(
        "{}{nodes}{}",
        sim("1h", ""),
        serving("StatefulSet", "web", 4, parallel, "")
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "web-", "PodCreated"), [0.0; 4]);
    assert_eq!(times(&r, "web-", "PodRunning"), [0.0, 0.0]);
    let y = format!("{}{nodes}{}", sim("1h", ""), serving("ReplicaSet", "rs", 3, "", ""));
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "rs-", "PodCreated"), [0.0, 0.0, 0.0]);
    assert_eq!(job(&r, "rs").kind, "ReplicaSet");
}

/// A replica whose container exits (`kubesim.io/duration: 60s`) is restarted in place by the
/// kubelet (restartPolicy Always: at once the first time, then after 10 s), not replaced.
#[test]
fn an_exiting_container_restarts_in_place() {
    let y = format!(
        "{}{}{}",
        sim("200s", ""),
        node("n0", ""),
        serving("Deployment", "web", 1, "", "kubesim.io/duration: 60s")
    );
    let r = run(&y, "kube-default");
    assert_eq!(times(&r, "web-", "PodCreated"), [0.0]);
    assert_eq!(times(&r, "web-", "ContainerExited"), [60.0, 120.0, 190.0]);
    assert_eq!(times(&r, "web-", "ContainerRestarted"), [60.0, 130.0]);
}

/// Pod names: a Deployment's `<name>-<pod-template-hash>-<5>` (the hash of the digits of a
/// 32-bit number, so of the characters `456789bcdf`), a ReplicaSet's `<name>-<5>`, a
/// StatefulSet's `<name>-<ordinal>` from `ordinals.start`.
#[test]
fn pod_names_follow_the_controllers() {
    let nodes = format!("{}{}", node("n0", ""), node("n1", ""));
    let y = format!(
        "{}{nodes}{}{}{}",
        sim("1h", ""),
        serving("Deployment", "d", 1, "", ""),
        serving("ReplicaSet", "r", 1, "", ""),
        serving("StatefulSet", "s", 1, "  ordinals: {start: 5}\n", "")
    );
    let r = run(&y, "kube-default");
    let names: Vec<String> = r
        .events
        .iter()
        .filter(|e| e.event == "PodCreated")
        .map(|e| e.object.trim_start_matches("default/").to_string())
        .collect();
    assert_eq!(names.len(), 3);
    let d: Vec<&str> = names[0].split('-').collect();
    assert_eq!((d.len(), d[0], d[2].len()), (3, "d", 5), "{names:?}");
    assert!(
        d[1].chars().all(|c| "456789bcdf".contains(c)) && d[1].len() <= 10,
        "{names:?}"
    );
    let r_parts: Vec<&str> = names[1].split('-').collect();
    assert_eq!((r_parts.len(), r_parts[0], r_parts[1].len()), (2, "r", 5), "{names:?}");
    assert_eq!(names[2], "s-5");
}

/// A paused Deployment makes no ReplicaSet, so no pod: Pending at the horizon.
#[test]
fn a_paused_deployment_runs_nothing() {
    let y = format!(
        "{}{}{}",
        sim("1h", ""),
        node("n0", ""),
        serving("Deployment", "web", 2, "  paused: true\n", "")
    );
    let r = run(&y, "kube-default");
    assert!(times(&r, "web-", "PodCreated").is_empty());
    assert_eq!(job(&r, "web").state.as_str(), "Pending");
}

/// `kubesim.io/replicas-schedule: "00:00=1,00:10=3,00:20=2"` (the Simulation's clock starts at
/// midnight): one replica from 0, three at 600 s, two at 1200 s. The ReplicaSet deletes the
/// newest of its running pods (`getPodsToDelete`: both made at 600 s, the last made goes); the
/// StatefulSet creates web-1 then web-2 at 600 s (OrderedReady: web-1 runs at once) and deletes
/// its highest ordinal, web-2, at 1200 s. The row's `pods` is the peak, 3.
#[test]
fn a_replicas_schedule_scales_up_and_down() {
    let nodes = format!("{}{}{}", node("n0", ""), node("n1", ""), node("n2", ""));
    let ann = "kubesim.io/replicas-schedule: \"00:00=1,00:10=3,00:20=2\"";
    for kind in ["Deployment", "StatefulSet"] {
        let y = format!("{}{nodes}{}", sim("1h", ""), serving(kind, "web", 1, "", ann));
        let r = run(&y, "kube-default");
        assert_eq!(times(&r, "web", "Scaled"), [600.0, 1200.0], "{kind}");
        assert_eq!(times(&r, "web-", "PodCreated"), [0.0, 600.0, 600.0], "{kind}");
        assert_eq!(times(&r, "web-", "PodDeleted"), [1200.0], "{kind}");
        assert_eq!(times(&r, "web-", "PodFailed"), [1200.0], "{kind}");
        let deleted: Vec<&str> = r
            .events
            .iter()
            .filter(|e| e.event == "PodDeleted")
            .map(|e| e.object.as_str())
            .collect();
        let created: Vec<&str> = r
            .events
            .iter()
            .filter(|e| e.event == "PodCreated")
            .map(|e| e.object.as_str())
            .collect();
        assert_eq!(deleted, [created[2]], "{kind}: the newest (highest ordinal) goes");
        let j = job(&r, "web");
        assert_eq!((j.pods, j.state.as_str()), (3, "Running"), "{kind}");
    }
}
