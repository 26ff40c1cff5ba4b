//! Volcano queues (semantics.md VC-Q2, VC-C4): proportion's deserved shares decide how a
//! contended cluster is split between queues by weight, and a queue at its share gets no more.

mod common;
use common::{nodes, run};

fn queue(name: &str, weight: u32) -> String {
    format!(
        "apiVersion: scheduling.volcano.sh/v1beta1\nkind: Queue\nmetadata: {{name: {name}}}\nspec: {{weight: {weight}, reclaimable: true}}\n---\n"
    )
}

fn jobs(queue: &str, count: u32) -> String {
    format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Arrivals\nmetadata: {{name: {queue}}}\nspec:\n  count: {count}\n  at: [{}]\n  template:\n    apiVersion: batch/v1\n    kind: Job\n    metadata:\n      name: {queue}\n      annotations: {{kubesim.io/duration: 1h, scheduling.volcano.sh/queue-name: {queue}}}\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{{name: c, image: x, resources: {{limits: {{cpu: \"1\", nvidia.com/gpu: \"1\"}}}}}}]\n---\n",
        vec!["0s"; count as usize].join(", ")
    )
}

/// GPUs each queue holds after the first session (t = 1 s).
fn running_by_queue(r: &kubesim::observe::record::RunResult) -> (usize, usize) {
    let started = |prefix: &str| {
        r.jobs
            .iter()
            .filter(|j| j.name.starts_with(prefix) && j.start.is_some_and(|s| s.ms() <= 1000))
            .count()
    };
    (started("nlp-"), started("cv-"))
}

/// Client limits off: all 40 pods exist at the first session (through the Job controller's
/// client, 20 QPS, burst 30, they arrive over 2.5 s and the first session sees some of them).
const NO_LIMITS: &str = "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {name: t}\nspec: {clientRateLimits: {enabled: false}}\n---\n";

#[test]
fn weights_split_a_contended_cluster_and_shares_cap_each_queue() {
    // 16 GPUs; nlp (weight 3) and cv (weight 1) each submit 20 one-GPU jobs at once. Deserved
    // GPUs: 16 x 3/4 = 12 and 16 x 1/4 = 4 (both ask for more), so 12 and 4 run.
    let yaml = format!(
        "{NO_LIMITS}{}{}{}{}{}",
        nodes(2, 8),
        queue("nlp", 3),
        queue("cv", 1),
        jobs("nlp", 20),
        jobs("cv", 20)
    );
    let r = run(&yaml, "volcano");
    assert_eq!(running_by_queue(&r), (12, 4));
    for j in r.jobs.iter().filter(|j| j.name.starts_with("nlp-")) {
        assert_eq!(j.queue, "nlp");
    }
    // Equal weights: 8 and 8.
    let yaml = format!(
        "{NO_LIMITS}{}{}{}{}{}",
        nodes(2, 8),
        queue("nlp", 1),
        queue("cv", 1),
        jobs("nlp", 20),
        jobs("cv", 20)
    );
    assert_eq!(running_by_queue(&run(&yaml, "volcano")), (8, 8));
    // What a queue does not ask for goes to the other: cv asks for 2, nlp gets 14.
    let yaml = format!(
        "{NO_LIMITS}{}{}{}{}{}",
        nodes(2, 8),
        queue("nlp", 1),
        queue("cv", 1),
        jobs("nlp", 20),
        jobs("cv", 2)
    );
    assert_eq!(running_by_queue(&run(&yaml, "volcano")), (14, 2));
    // kube-default knows no queues: weights 1:3 change nothing; the two streams' jobs arrive
    // interleaved and take the GPUs in that order (8 and 8).
    let yaml = format!(
        "{NO_LIMITS}{}{}{}{}{}",
        nodes(2, 8),
        queue("nlp", 1),
        queue("cv", 3),
        jobs("nlp", 20),
        jobs("cv", 20)
    );
    assert_eq!(running_by_queue(&run(&yaml, "kube-default")), (8, 8));
    assert_eq!(
        running_by_queue(&run(&yaml, "volcano")),
        (4, 12),
        "the same under volcano follows the weights"
    );
}

#[test]
fn queue_rows_report_weights_shares_and_gpu_time() {
    let yaml = format!(
        "{NO_LIMITS}{}{}{}{}{}",
        nodes(2, 8),
        queue("nlp", 3),
        queue("cv", 1),
        jobs("nlp", 20),
        jobs("cv", 20)
    );
    let r = run(&yaml, "volcano");
    let names: Vec<&str> = r.queues.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(names, ["nlp", "cv"], "queues in order of first use");
    assert_eq!((r.queues[0].weight, r.queues[0].weight_share), (3, 0.75));
    assert_eq!((r.queues[1].weight, r.queues[1].weight_share), (1, 0.25));
    // 20 one-GPU jobs of an hour each: 20 GPU-hours per queue, whatever the order.
    for q in &r.queues {
        assert_eq!(q.gpu_milli_ms, 20 * 1000 * 3_600_000, "{}", q.name);
    }
    let mut csv = String::new();
    kubesim::observe::report::queue_rows(&r, &mut csv);
    let first = csv.lines().next().unwrap();
    assert!(
        first.starts_with("volcano,1,nlp,3,0.750000,20,20,20.000000,0.500000,"),
        "{first}"
    );
}

#[test]
fn queue_priority_goes_before_share_and_age() {
    // One 6-GPU and one 2-GPU node: only one of two 4-GPU pods can run. Equal weights give
    // each queue a deserved 4 GPUs, so the queue order decides: the older queue (first in the
    // file) goes first, unless the other has a higher `spec.priority`.
    let node = |name: &str, gpus: u32| {
        format!(
            "apiVersion: v1\nkind: Node\nmetadata: {{name: {name}}}\nstatus:\n  allocatable: {{cpu: \"8\", memory: 64Gi, nvidia.com/gpu: \"{gpus}\", pods: \"110\"}}\n---\n"
        )
    };
    let q = |name: &str, priority: i32| {
        format!(
            "apiVersion: scheduling.volcano.sh/v1beta1\nkind: Queue\nmetadata: {{name: {name}}}\nspec: {{weight: 1, priority: {priority}}}\n---\n"
        )
    };
    let job = |queue: &str| {
        format!(
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {queue}-job\n  annotations: {{kubesim.io/duration: 1h, scheduling.volcano.sh/queue-name: {queue}}}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{{name: c, image: x, resources: {{limits: {{cpu: \"1\", nvidia.com/gpu: \"4\"}}}}}}]\n---\n"
        )
    };
    let started = |r: &kubesim::observe::record::RunResult, name: &str| {
        r.jobs
            .iter()
            .find(|j| j.name == name)
            .and_then(|j| j.start)
            .map(|t| t.ms() / 1000)
    };
    let base = format!("{}{}", node("big", 6), node("small", 2));
    let r = run(
        &format!("{base}{}{}{}{}", q("a", 0), q("b", 0), job("a"), job("b")),
        "volcano",
    );
    assert_eq!((started(&r, "a-job"), started(&r, "b-job")), (Some(0), Some(3600)));
    let r = run(
        &format!("{base}{}{}{}{}", q("a", 0), q("b", 10), job("a"), job("b")),
        "volcano",
    );
    assert_eq!((started(&r, "b-job"), started(&r, "a-job")), (Some(0), Some(3600)));
}
