//! `kubesim explain`: one workload's timeline, what held it at a time in the words of the system
//! holding it, and its fit on the empty cluster, on hand-built cases for each holding system
//! (kube-scheduler, Kueue, Volcano, coscheduling) with the exact reason text; a name that is not
//! a workload's and a time outside the run are errors (exit 2).

use super::*;

fn sim(policy: &str, horizon: &str) -> String {
    format!(
        "apiVersion: kubesim.io/v1alpha1\nkind: Simulation\nmetadata: {{name: t}}\nspec: {{horizon: {horizon}, policies: [{policy}]}}\n"
    )
}

fn node(name: &str, gpus: u32, taints: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: Node\nmetadata: {{name: {name}}}\nspec: {{taints: [{taints}]}}\nstatus: {{allocatable: {{cpu: \"8\", memory: 64Gi, nvidia.com/gpu: \"{gpus}\", pods: \"110\"}}}}\n"
    )
}

/// `kubesim explain` on `yaml` with `flags`; its stdout when it succeeds.
fn explain(test: &str, yaml: &str, flags: &[&str]) -> String {
    let dir = TestDir::new(test);
    let f = dir.write("s.yaml", yaml);
    let mut args = vec!["explain".to_string(), f.display().to_string()];
    args.extend(flags.iter().map(|s| s.to_string()));
    let out = kubesim(&args, Some(&dir.path), &[]);
    out.assert_ok();
    assert!(
        files_in(&dir.path).len() == 1,
        "explain writes no file: {:?}",
        files_in(&dir.path)
    );
    out.stdout
}

/// The lines of `text` from the one starting with `from` to the end.
fn from<'a>(text: &'a str, start: &str) -> &'a str {
    let at = text.find(start).unwrap_or_else(|| panic!("no {start:?} in:\n{text}"));
    &text[at..]
}

/// A Job of two 6-GPU pods at 10 s: node-0 (8 GPUs) is tainted, node-1 has 4.
fn kube_case() -> String {
    let job = "---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: big\n  annotations: {kubesim.io/duration: 60s, kubesim.io/submit-at: 10s}\nspec:\n  parallelism: 2\n  completions: 2\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: x, resources: {limits: {nvidia.com/gpu: \"6\"}}}]\n";
    format!(
        "{}{}{}{job}",
        sim("kube-default", "10m"),
        node("node-0", 8, "{key: gpu, value: \"true\", effect: NoSchedule}"),
        node("node-1", 4, "")
    )
}

#[test]
fn kube_scheduler_holds_pods_no_node_fits_in_its_words() {
    // Each node fails its first Filter: node-0 TaintToleration, node-1 NodeResourcesFit (6 > 4
    // GPUs: unresolvable, so preemption helps on neither). The pods are attempted at 10 s and
    // again when unschedulablePods is flushed (podMaxInUnschedulablePodsDuration 5 min, on the
    // 30 s flush: 330 s).
    let out = explain("explain-kube", &kube_case(), &["--job", "big"]);
    assert!(
        out.starts_with("default/big (Job) under kube-default, seed 1; the run ended at 600.000 s\n"),
        "{out}"
    );
    assert_eq!(
        from(&out, "\nat 600.000 s"),
        "\nat 600.000 s: held by\n  \
         kube-scheduler (default/big-0, default/big-1): FailedScheduling since 10.000 s, last at 330.000 s, 2 attempts\n    \
         0/2 nodes are available: 1 Insufficient nvidia.com/gpu, 1 node(s) had untolerated taint(s). preemption: \
         0/2 nodes are available: 2 Preemption is not helpful for scheduling.\n\n\
         on an empty cluster: never fits: 0/2 nodes are available: 1 Insufficient nvidia.com/gpu, 1 node(s) had \
         untolerated taint(s).\n"
    );
    // Before it was submitted, and with --policy and --seed given.
    let early = explain(
        "explain-kube-early",
        &kube_case(),
        &[
            "--job",
            "default/big",
            "--at",
            "5",
            "--policy",
            "kube-binpack",
            "--seed",
            "7",
        ],
    );
    assert!(
        early.starts_with("default/big (Job) under kube-binpack, seed 7;"),
        "{early}"
    );
    assert!(
        early.contains("\nat 5.000 s: not created yet (created at 10.000 s)\n"),
        "{early}"
    );
}

#[test]
fn kueue_holds_a_job_whose_quota_is_short_by_flavor_and_resource() {
    // cq-a has 10 CPUs of flavor default-flavor; `first` takes 8 from 0 s, `second` asks 4 at
    // 10 s: 2 more needed (inadmissible). first's pod ends at 1000 s and its Job completes at
    // the controller's next sync, 1001 s, when Kueue releases its quota; its requeuer puts
    // second back 1 s later, admitted: it starts at 1002 s.
    let mut y = sim("kueue", "2000s");
    y += "---\napiVersion: v1\nkind: Node\nmetadata: {name: node-0}\nstatus:\n  allocatable: {cpu: \"64\", memory: 256Gi, pods: \"110\"}\n---\napiVersion: kueue.x-k8s.io/v1beta1\nkind: ResourceFlavor\nmetadata: {name: default-flavor}\n---\napiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata: {name: cq-a}\nspec:\n  namespaceSelector: {}\n  resourceGroups:\n  - coveredResources: [cpu]\n    flavors:\n    - name: default-flavor\n      resources:\n      - name: cpu\n        nominalQuota: 10\n---\napiVersion: kueue.x-k8s.io/v1beta1\nkind: LocalQueue\nmetadata: {name: cq-a, namespace: default}\nspec: {clusterQueue: cq-a}\n";
    for (name, cpu, at, dur) in [("first", 8, "0s", "1000s"), ("second", 4, "10s", "100s")] {
        y += &format!(
            "---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}\n  labels: {{kueue.x-k8s.io/queue-name: cq-a}}\n  annotations: {{kubesim.io/submit-at: {at}, kubesim.io/duration: {dur}}}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"{cpu}\"}}}}}}]\n"
        );
    }
    let out = explain("explain-kueue", &y, &["--job", "second"]);
    assert!(
        out.contains("        10.000 s  default/second  JobSuspended\n"),
        "the timeline shows the suspension:\n{out}"
    );
    assert!(
        out.contains("\n  submitted 10.000 s, started 1002.000 s, finished 1103.000 s: Complete\n"),
        "{out}"
    );
    assert_eq!(
        from(&out, "\nat "),
        format!(
            "\nat 1001.999 s (just before it started): held by\n  \
             Kueue (default/second): WaitingForQuota since 10.000 s\n    \
             couldn't assign flavors to pod set main: insufficient unused quota for cpu in flavor default-flavor, \
             2 more needed\n\n\
             on an empty cluster: it would have fitted at once, on submission at 10.000 s: the 1 pod it needs at once \
             fit on the 1 node present\n"
        )
    );
    // Once admitted, nothing holds it.
    let running = explain("explain-kueue-running", &y, &["--job", "second", "--at", "1050"]);
    assert!(
        running.contains("\nat 1050.000 s: running, nothing holds it\n"),
        "{running}"
    );
}

/// Five nodes of 4 GPUs; `fillers` of them held until the end by pods bound by name; a Volcano
/// job of 4 workers x 4 GPUs, all needed, at 10 s.
fn volcano_case(nodes: usize, fillers: usize, queue: &str) -> String {
    let mut y = sim("volcano", "1h");
    for i in 0..nodes {
        y += &node(&format!("node-{i}"), 4, "");
    }
    for i in nodes - fillers..nodes {
        y += &format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: filler-{i}, annotations: {{kubesim.io/duration: 2h}}}}\nspec:\n  restartPolicy: Never\n  nodeName: node-{i}\n  containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"1\"}}, limits: {{nvidia.com/gpu: 4}}}}}}]\n"
        );
    }
    y += &format!(
        "---\napiVersion: batch.volcano.sh/v1alpha1\nkind: Job\nmetadata:\n  name: train\n  annotations: {{kubesim.io/submit-at: 10s, kubesim.io/duration: 1h}}\nspec:\n  queue: {queue}\n  minAvailable: 4\n  tasks:\n  - name: worker\n    replicas: 4\n    template:\n      spec:\n        restartPolicy: Never\n        containers: [{{name: c, image: x, resources: {{limits: {{cpu: \"100m\", nvidia.com/gpu: \"4\"}}}}}}]\n"
    );
    y
}

#[test]
fn volcano_holds_a_gang_that_is_not_ready() {
    // 3 free nodes for 4 workers: allocate places 3 and the 4th finds no node; the plan is
    // dropped. On the 5 empty nodes all 4 fit.
    let out = explain(
        "explain-volcano-gang",
        &volcano_case(5, 2, "default"),
        &["--job", "train"],
    );
    assert_eq!(
        from(&out, "\nat "),
        "\nat 3600.000 s: held by\n  \
         Volcano (default/train-pg0): Unschedulable since 11.000 s\n    \
         4/4 tasks in gang unschedulable: pod group is not ready, 4 Pending, 4 minAvailable; Pending: 1 \
         Unschedulable, 3 Schedulable. Origin reason is train-worker-3: 0/5 nodes are unavailable: 5 Insufficient \
         nvidia.com/gpu.\n\n\
         on an empty cluster: it would have fitted at once, on submission at 10.000 s: the 4 pods it needs at once \
         fit on the 5 nodes present\n"
    );
}

#[test]
fn volcano_holds_a_job_the_overused_cluster_does_not_enqueue() {
    // 3 nodes of 4 GPUs: 16 GPUs exceed overcommit's 12 x 1.2; the gang never fits at all.
    let out = explain(
        "explain-volcano-overused",
        &volcano_case(3, 0, "default"),
        &["--job", "train", "--at", "30m"],
    );
    assert_eq!(
        from(&out, "\nat "),
        "\nat 1800.000 s: held by\n  \
         Volcano (default/train-pg0): Unschedulable since 10.000 s\n    \
         resource in cluster is overused: overused nvidia.com/gpu\n  \
         Volcano (default/train-pg0): Unschedulable since 10.000 s\n    \
         0/0 tasks in gang unschedulable: pod group is not ready, 4 minAvailable\n\n\
         on an empty cluster: never fits: it needs 4 pods at once and only 3 fit on the 3 nodes (all empty)\n"
    );
}

/// A PodGroup of minMember 11 (Permit wait 30 s) and 11 one-GPU pods on one 10-GPU node.
fn cosched_case() -> String {
    let mut y = sim("coscheduling", "100s");
    y += &node("node-0", 10, "");
    y += "---\napiVersion: scheduling.x-k8s.io/v1alpha1\nkind: PodGroup\nmetadata: {name: pg1}\nspec: {minMember: 11, scheduleTimeoutSeconds: 30}\n";
    for i in 0..11 {
        y += &format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: member-{i}, labels: {{scheduling.x-k8s.io/pod-group: pg1}}, annotations: {{kubesim.io/duration: 1h}}}}\nspec:\n  restartPolicy: Never\n  containers: [{{name: c, image: x, resources: {{limits: {{nvidia.com/gpu: 1}}}}}}]\n"
        );
    }
    y
}

#[test]
fn coscheduling_holds_members_at_permit_and_rejects_them_at_its_timeout() {
    // Ten members reserve the ten GPUs at 0 s and wait at Permit; the eleventh finds no node but
    // one missing member of 11 (9 %) is within podGroupRejectPercentage, so PostFilter rejects
    // nobody. At 30 s the first member's wait times out; Unreserve rejects its siblings.
    let y = cosched_case();
    let waiting = explain("explain-cosched-wait", &y, &["--job", "member-3", "--at", "20"]);
    assert_eq!(
        from(&waiting, "\nat "),
        "\nat 20.000 s: held by\n  \
         coscheduling (default/member-3): WaitingOnPermit since 0.000 s\n    \
         reserved on node-0, waiting at Permit for its PodGroup's minMember\n\n\
         on an empty cluster: never fits: it needs 11 pods at once and only 10 fit on the 1 node (all empty)\n"
    );
    let first = explain("explain-cosched-timeout", &y, &["--job", "member-0", "--at", "30"]);
    assert!(
        first.contains("\n        30.000 s  default/pg1  PodGroupRejected (x3, last at 90.000 s): PermitTimeout: 10 waiting pods rejected\n"),
        "{first}"
    );
    assert!(
        first.contains(
            "\nat 30.000 s: held by\n  coscheduling (default/member-0): FailedScheduling since 30.000 s\n    \
             rejected due to timeout after waiting 30s at plugin Coscheduling\n"
        ),
        "{first}"
    );
    let sibling = explain("explain-cosched-sibling", &y, &["--job", "member-3", "--at", "30"]);
    assert!(
        sibling.contains(
            "\nat 30.000 s: held by\n  coscheduling (default/member-3): FailedScheduling since 30.000 s\n    \
             rejection in Unreserve\n"
        ),
        "{sibling}"
    );
}

#[test]
fn an_unknown_job_or_a_time_outside_the_run_is_an_error_naming_the_fix() {
    let dir = TestDir::new("explain-errors");
    let f = dir.write("s.yaml", &kube_case());
    let out = kubesim(["explain", f.to_str().unwrap(), "--job", "bgi"], Some(&dir.path), &[]);
    assert_input_error(
        "unknown job",
        &out,
        &[
            "error: --job: no workload named \"bgi\" in the run (policy kube-default, seed 1)".into(),
            "the closest: `default/big`".into(),
        ],
    );
    let out = kubesim(
        ["explain", f.to_str().unwrap(), "--job", "big", "--at", "2h"],
        Some(&dir.path),
        &[],
    );
    assert_input_error(
        "--at after the end",
        &out,
        &["error: --at: 7200.000 s is after the end of the run (policy kube-default, seed 1), at 600.000 s".into()],
    );
    let out = kubesim(
        ["explain", f.to_str().unwrap(), "--job", "big", "--at", "soon"],
        Some(&dir.path),
        &[],
    );
    assert_input_error("--at not a time", &out, &["error: --at: \"soon\" is not a time".into()]);
}

#[test]
fn a_bare_kueue_workload_needs_no_node() {
    // A bare Workload creates no pods: its fit on the empty cluster is not a node question.
    let yaml = format!(
        "{}---\napiVersion: kueue.x-k8s.io/v1beta2\nkind: ResourceFlavor\nmetadata: {{name: rf}}\n---\napiVersion: kueue.x-k8s.io/v1beta2\nkind: ClusterQueue\nmetadata: {{name: cq}}\nspec:\n  namespaceSelector: {{}}\n  resourceGroups:\n  - coveredResources: [cpu]\n    flavors: [{{name: rf, resources: [{{name: cpu, nominalQuota: 4}}]}}]\n---\napiVersion: kueue.x-k8s.io/v1beta2\nkind: LocalQueue\nmetadata: {{name: lq, namespace: default}}\nspec: {{clusterQueue: cq}}\n---\napiVersion: kueue.x-k8s.io/v1beta2\nkind: Workload\nmetadata:\n  name: w\n  annotations: {{kubesim.io/duration: 30s}}\nspec:\n  queueName: lq\n  podSets: [{{count: 2, template: {{spec: {{containers: [{{name: c, resources: {{requests: {{cpu: \"1\"}}}}}}]}}}}}}]\n",
        sim("kueue", "10m")
    );
    let out = explain("explain-bare", &yaml, &["--job", "w"]);
    assert!(out.contains("default/w (Workload) under kueue"), "{out}");
    assert!(out.contains("finished 30.000 s: Complete"), "{out}");
    assert!(
        out.contains("on an empty cluster: it needs no node: it creates no pods"),
        "{out}"
    );
}

#[test]
fn a_jobset_is_explained_with_its_jobs_and_their_pods() {
    // One 8-GPU node; a Job holds it 0-100 s; the JobSet's two Jobs of one 4-GPU pod wait for
    // it, and kube-scheduler's message is what holds them.
    let job = "---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: first, annotations: {kubesim.io/duration: 100s}}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: x, resources: {limits: {nvidia.com/gpu: \"8\"}}}]\n";
    let jobset = "---\napiVersion: jobset.x-k8s.io/v1alpha2\nkind: JobSet\nmetadata: {name: train, annotations: {kubesim.io/duration: 50s, kubesim.io/submit-at: 10s}}\nspec:\n  replicatedJobs:\n  - name: w\n    replicas: 2\n    template:\n      spec:\n        template:\n          spec:\n            containers: [{name: c, image: x, resources: {limits: {nvidia.com/gpu: \"4\"}}}]\n";
    let yaml = format!("{}{}{job}{jobset}", sim("kube-default", "1h"), node("n1", 8, ""));
    let out = explain("jobset", &yaml, &["--job", "train", "--at", "50s"]);
    assert!(out.contains("default/train (JobSet)"), "{out}");
    assert!(
        out.contains("default/train-w-0, default/train-w-1  JobCreated"),
        "{out}"
    );
    assert!(out.contains("started 100.000 s, finished 151.000 s: Complete"), "{out}");
    let held = from(&out, "at 50.000 s");
    assert!(
        held.contains("kube-scheduler (default/train-w-0-0-0, default/train-w-1-0-0)"),
        "{out}"
    );
    assert!(held.contains("Insufficient nvidia.com/gpu"), "{out}");
}
