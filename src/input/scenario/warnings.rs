//! Warnings about a loaded scenario that will run but mislead: a cluster without nodes, workloads
//! that never end (no `kubesim.io/duration`, no duration distribution), resources no node offers
//! (often a typo: `nvidia.com/gpus`), node selectors no node matches, priority classes and
//! Volcano queues that are not defined, trace rows a Trace's import skipped (they are not
//! replayed), trace jobs requiring GPU models no node carries, and run times recorded in a
//! cluster export that are a lower bound (still running) or the last attempt only (restarted
//! containers), and what a JobSet asks for that kubesim does not simulate (failure
//! message patterns, exclusive placement, another controller in `managedBy`), what a TrainJob
//! asks for that is not simulated, and Deployments or
//! StatefulSets labelled for Kueue, whose pod integration is not simulated. Each names the object, where it is, and the fix. `run` and `validate` print
//! them; they never stop a run.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::quote;
use crate::input::spec::{
    ArrivalTemplate, KubeflowFramework, PodTemplate, RestartPolicy, Scenario, SourceLoc, WorkloadKind, WorkloadSpec,
};
use crate::input::trace::GPU_MODEL_LABEL;
use crate::limits::describe_ms;

/// At most this many warnings of one kind are listed; the rest are counted.
const MAX_PER_KIND: usize = 10;

/// One workload template to check: its kind and name, where it is, its pod templates, and
/// whether something else gives it a run time (an Arrivals duration, a trace's recorded one).
struct Checked<'a> {
    what: String,
    loc: &'a SourceLoc,
    templates: Vec<&'a PodTemplate>,
    timed_elsewhere: bool,
    /// A Volcano Job's `priorityClassName`, for templates that name none.
    job_class: Option<&'a str>,
}

fn checked<'a>(w: &'a WorkloadSpec, what: &str, timed_elsewhere: bool) -> Checked<'a> {
    let templates = w.templates();
    Checked {
        what: format!("{what} {}", quote(&format!("{}/{}", w.namespace, w.name))),
        loc: &w.loc,
        templates,
        // A Deployment's, ReplicaSet's, StatefulSet's or LeaderWorkerSet's pods run to the
        // horizon by design. A RayCluster's pods run to the horizon by design; a RayJob's run
        // time is its entrypoint's (the RayJob's kubesim.io/duration), its cluster's pods have
        // none.
        timed_elsewhere: timed_elsewhere
            || match &w.kind {
                WorkloadKind::Serving(_) | WorkloadKind::Lws(_) => true,
                WorkloadKind::Ray(r) => r.job.as_ref().is_none_or(|j| j.duration_ms.is_some()),
                _ => false,
            },
        job_class: match &w.kind {
            WorkloadKind::VolcanoJob(v) => v.priority_class_name.as_deref(),
            _ => None,
        },
    }
}

/// The workload templates to check: workloads, Arrivals templates, CronJob job templates.
fn items(sc: &Scenario) -> Vec<Checked<'_>> {
    let mut items: Vec<Checked> = Vec::new();
    let defaulted = |w: &WorkloadSpec| sc.sim.default_durations.iter().any(|r| r.matches(w));
    for w in &sc.workloads {
        items.push(checked(w, kind_name(w), defaulted(w)));
    }
    for a in &sc.arrivals {
        if let ArrivalTemplate::Workload(w) = &a.template {
            items.push(checked(
                w,
                &format!("Arrivals {} template", quote(&a.name)),
                a.duration.is_some() || defaulted(w),
            ));
        }
    }
    for c in &sc.cron_jobs {
        items.push(checked(
            &c.job,
            &format!("CronJob {} jobTemplate", quote(&c.name)),
            defaulted(&c.job),
        ));
    }
    items
}

/// The warnings for `sc`, in a fixed order (by kind of problem, then file order).
pub fn warnings(sc: &Scenario) -> Vec<String> {
    let items = items(sc);
    let node_arrivals = sc
        .arrivals
        .iter()
        .any(|a| matches!(a.template, ArrivalTemplate::Node(_)));
    // Bare Kueue Workloads alone create no pods: they need no nodes.
    let makes_pods = !sc.traces.is_empty() || !sc.cron_jobs.is_empty() || sc.workload_specs().any(|w| !w.is_bare());
    let mut out = Vec::new();
    if sc.nodes.is_empty() && !node_arrivals && makes_pods {
        out.push(
            "the cluster has no nodes: no pod can ever start; add Node objects or a NodePool \
             (kubesim.io/v1alpha1, e.g. count: 8 with a GPU node template)"
                .to_string(),
        );
    }
    let mut never_end = Vec::new();
    let mut unoffered = Vec::new();
    let mut unmatched = Vec::new();
    let mut no_class = Vec::new();
    let offered: BTreeSet<&str> = sc
        .nodes
        .iter()
        .chain(sc.arrivals.iter().filter_map(|a| match &a.template {
            ArrivalTemplate::Node(n) => Some(&**n),
            ArrivalTemplate::Workload(_) => None,
        }))
        .flat_map(|n| n.allocatable.keys().map(String::as_str))
        .collect();
    let node_labels: Vec<BTreeMap<String, String>> = sc.nodes.iter().map(|n| n.labels_with_kubelet()).collect();
    let classes: BTreeSet<&str> = sc.priority_classes.iter().map(|p| p.name.as_str()).collect();
    for item in &items {
        let at = format!("{} ({})", item.what, item.loc);
        let runs_forever = item
            .templates
            .iter()
            .any(|t| t.hints.duration_ms.is_none() || t.restart_policy == RestartPolicy::Always);
        if runs_forever && !item.timed_elsewhere {
            never_end.push(at.clone());
        }
        for t in &item.templates {
            if !offered.is_empty() {
                for (r, v) in t.requests.iter().chain(t.limits.iter()) {
                    if *v > 0 && !offered.contains(r.as_str()) && !unoffered.iter().any(|(a, x)| *a == at && x == r) {
                        unoffered.push((at.clone(), r.clone()));
                    }
                }
            }
            if !node_labels.is_empty()
                && !t.node_selector.is_empty()
                && !node_labels
                    .iter()
                    .any(|l| t.node_selector.iter().all(|(k, v)| l.get(k) == Some(v)))
            {
                unmatched.push(at.clone());
            }
            if let Some(c) = t.priority_class_name.as_deref().or(item.job_class)
                && !classes.contains(c)
                && !no_class.iter().any(|(a, x)| *a == at && x == c)
            {
                no_class.push((at.clone(), c.to_string()));
            }
        }
    }
    never_ends(&mut out, never_end);
    list(&mut out, unoffered, |(at, r)| {
        format!(
            "{at} asks for {} that no node offers: it can never start; check the resource name \
             (nodes offer {})",
            quote(&r),
            offered.iter().copied().collect::<Vec<_>>().join(", ")
        )
    });
    list(&mut out, unmatched, |at| {
        format!("{at} has a nodeSelector that no node matches: it can never start; check the labels")
    });
    list(&mut out, no_class, |(at, c)| {
        format!(
            "{at} names PriorityClass {} that is not defined: it will be rejected; add the PriorityClass",
            quote(&c)
        )
    });
    undefined_queues(sc, &mut out);
    trace_skips(sc, &mut out);
    trace_gpu_models(sc, &mut out);
    recorded(sc, &mut out);
    kueue_config(sc, &mut out);
    jobsets(sc, &mut out);
    train_jobs(sc, &mut out);
    servings(sc, &mut out);
    kubeflow(sc, &mut out);
    mpi_jobs(sc, &mut out);
    rays(sc, &mut out);
    out
}

/// MPIJobs: workers the default cleanPodPolicy leaves running after the job, and a launcher
/// created before its workers run (docs/mpijob.md).
fn mpi_jobs(sc: &Scenario, out: &mut Vec<String>) {
    let mut kept = Vec::new();
    let mut early = Vec::new();
    for w in sc.workload_specs() {
        let WorkloadKind::MpiJob(m) = &w.kind else {
            continue;
        };
        if m.workers() == 0 {
            continue;
        }
        let named = format!("MPIJob {} ({})", quote(&format!("{}/{}", w.namespace, w.name)), w.loc);
        if m.run_policy.clean_pod_policy == crate::input::spec::CleanPodPolicy::None {
            kept.push((named.clone(), m.workers()));
        }
        if !m.wait_for_workers && m.launcher.template.pod_group.is_none() {
            early.push(named);
        }
    }
    list(out, kept, |(named, n)| {
        format!(
            "{named} has cleanPodPolicy None (the default): its {n} worker(s) keep running sshd after \
             the launcher ends, holding their resources to the end of the run, as in a cluster; set \
             spec.runPolicy.cleanPodPolicy: Running to free them when the job finishes"
        )
    });
    list(out, early, |named| {
        format!(
            "{named} creates its launcher at startup without gang scheduling: in a cluster mpirun may \
             start before every worker runs, fail and restart; kubesim starts the launcher's run once \
             every worker runs; set launcherCreationPolicy: WaitForWorkersReady (or a \
             runPolicy.schedulingPolicy) to compare like with like"
        )
    });
}

/// KubeRay objects (docs/ray.md): RayClusters (and RayJobs keeping their cluster) in a
/// scenario without a horizon (the run cannot end); RayJobs in InteractiveMode (the user
/// submits the job: it never runs); objects for a Kueue LocalQueue that Kueue's webhook
/// refuses (rejected under kueue); fields loaded and not simulated (listed by `unmodelled`); objects left to
/// MultiKueue (loaded, not run).
fn rays(sc: &Scenario, out: &mut Vec<String>) {
    let named = |w: &WorkloadSpec| {
        format!(
            "{} {} ({})",
            w.kind.api_kind(),
            quote(&format!("{}/{}", w.namespace, w.name)),
            w.loc
        )
    };
    let rays: Vec<(&WorkloadSpec, &crate::input::spec::RaySpec)> = sc
        .workloads
        .iter()
        .filter_map(|w| match &w.kind {
            WorkloadKind::Ray(r) => Some((w, r)),
            _ => None,
        })
        .collect();
    let forever: Vec<&WorkloadSpec> = rays
        .iter()
        .filter(|(_, r)| r.job.as_ref().is_none_or(|j| !j.shutdown_after_job_finishes))
        .map(|(w, _)| *w)
        .collect();
    if sc.sim.horizon_ms.is_none()
        && let Some(w) = forever.first()
    {
        let more = if forever.len() > 1 {
            format!(" and {} more", forever.len() - 1)
        } else {
            String::new()
        };
        out.push(format!(
            "{}{more} keep a Ray cluster until the horizon (a RayCluster never finishes; a RayJob \
             without shutdownAfterJobFinishes keeps its cluster), and the Simulation sets no \
             spec.horizon: the run cannot end, and stops with an error; set spec.horizon (e.g. 24h) \
             in the Simulation",
            named(w)
        ));
    }
    let interactive: Vec<String> = rays
        .iter()
        .filter(|(_, r)| {
            r.job
                .as_ref()
                .is_some_and(|j| j.submission_mode == crate::input::spec::RaySubmissionMode::Interactive)
        })
        .map(|(w, _)| named(w))
        .collect();
    list(out, interactive, |at| {
        format!(
            "{at} is in InteractiveMode: the user submits its job, which a run never does, so its \
             cluster runs and the RayJob never completes (its row censored); use K8sJobMode to run the entrypoint"
        )
    });
    const QUEUE_LABEL: &str = "kueue.x-k8s.io/queue-name";
    let refused: Vec<(String, String)> = rays
        .iter()
        .filter(|(w, _)| w.labels.contains_key(QUEUE_LABEL))
        .filter_map(|(w, r)| super::ray::kueue_refusal(w, r).map(|m| (named(w), m)))
        .collect();
    list(out, refused, |(at, m)| {
        format!(
            "{at} has the label {QUEUE_LABEL}, and Kueue's webhook refuses it: {m}; under kueue (which \
             manages RayJobs and RayClusters unless integrations.frameworks leaves them out) it is \
             rejected (not run); fix what the webhook names (shutdownAfterJobFinishes: true; \
             enableInTreeAutoscaling off, or a RayJob annotated kueue.x-k8s.io/elastic-job: \"true\")"
        )
    });
    let mut ignored = Vec::new();
    for o in sc
        .unmodelled
        .iter()
        .filter(|o| o.kind == "RayCluster" || o.kind == "RayJob")
    {
        for f in &o.fields {
            let effect = if f.ends_with("enableInTreeAutoscaling") || f.ends_with("autoscalerOptions") {
                "the autoscaler is not simulated: each worker group keeps its replicas (clamped to \
                 minReplicas and maxReplicas)"
            } else if f.ends_with("preRunningDeadlineSeconds") {
                "the RayJob does not fail when its job has not started by then"
            } else if f.ends_with("deletionStrategy") {
                "the cluster is deleted only by shutdownAfterJobFinishes"
            } else if f.ends_with("submitterConfig") {
                "the submitter Job's retries are not simulated: its first failure fails the RayJob"
            } else {
                continue;
            };
            ignored.push(format!(
                "{} {} ({}): {f} is not simulated: {effect}",
                o.kind,
                quote(&format!("{}/{}", o.namespace, o.name)),
                o.loc
            ));
        }
    }
    list(out, ignored, |m| format!("{m}; remove it to compare like with like"));
    let elsewhere: Vec<_> = sc
        .not_simulated
        .iter()
        .filter(|o| o.kind == "RayCluster" || o.kind == "RayJob")
        .collect();
    list(out, elsewhere, |o| {
        format!(
            "{} {} ({}) names kueue.x-k8s.io/multikueue in spec.managedBy: KubeRay leaves it to \
             MultiKueue, which kubesim does not simulate, so it is loaded and not run; remove \
             managedBy to run it",
            o.kind,
            quote(&format!("{}/{}", o.namespace, o.name)),
            o.loc
        )
    });
}

/// Kubeflow Trainer: the default runtimes taken from Trainer's manifests, what a TrainJob
/// carries that kubesim does not simulate (`activeDeadlineSeconds`, listed by `unmodelled`), and TrainJobs left to MultiKueue (loaded, not run).
fn train_jobs(sc: &Scenario, out: &mut Vec<String>) {
    for b in &sc.built_in_runtimes {
        let n = b.train_jobs.len();
        out.push(format!(
            "ClusterTrainingRuntime {} is not in the scenario: {n} TrainJob{} ({}, first at {}) run{} Trainer's \
             default copy ({}); add the runtime your cluster has to the scenario if it differs",
            quote(&b.name),
            if n == 1 { "" } else { "s" },
            b.train_jobs.iter().take(3).cloned().collect::<Vec<_>>().join(", ") + if n > 3 { ", ..." } else { "" },
            b.loc,
            if n == 1 { "s" } else { "" },
            b.source
        ));
    }
    let named = |ns: &str, name: &str, loc: &SourceLoc| format!("TrainJob {} ({loc})", quote(&format!("{ns}/{name}")));
    let mut ignored = Vec::new();
    for o in sc.unmodelled.iter().filter(|o| o.kind == "TrainJob") {
        for f in &o.fields {
            let effect = if f == "spec.activeDeadlineSeconds" {
                "it runs past the deadline, where Trainer fails it (DeadlineExceeded) and deletes its pods"
            } else {
                continue;
            };
            ignored.push(format!(
                "{}: {f} is not simulated: {effect}",
                named(&o.namespace, &o.name, &o.loc)
            ));
        }
    }
    list(out, ignored, |m| format!("{m}; remove it to compare like with like"));
    let elsewhere: Vec<_> = sc.not_simulated.iter().filter(|o| o.kind == "TrainJob").collect();
    list(out, elsewhere, |o| {
        format!(
            "{} has spec.managedBy: kueue.x-k8s.io/multikueue: Trainer's controller leaves it to \
             MultiKueue, which kubesim does not simulate, so it is loaded and not run; remove spec.managedBy \
             to run it",
            named(&o.namespace, &o.name, &o.loc)
        )
    });
}

/// Serving workloads (and LeaderWorkerSets) in a scenario without a horizon (the run cannot
/// end); Deployments, StatefulSets and LeaderWorkerSets that ask Kueue to manage them (a
/// `kueue.x-k8s.io/queue-name` label on the object or its pod template): Kueue's pod and
/// LeaderWorkerSet integrations are not simulated, so their pods are scheduled without Kueue's
/// admission; and LeaderWorkerSets' exclusive placement (not simulated).
fn servings(sc: &Scenario, out: &mut Vec<String>) {
    // Serving replicas never end: without a horizon the run cannot end either.
    let serving = |w: &&WorkloadSpec| matches!(w.kind, WorkloadKind::Serving(_) | WorkloadKind::Lws(_));
    let first = sc.workload_specs().find(serving);
    if let (None, Some(w)) = (sc.sim.horizon_ms, first) {
        let n = sc.workload_specs().filter(serving).count();
        out.push(format!(
            "{} {} ({}){} run replicas until the horizon, and the Simulation sets no spec.horizon: the \
             run cannot end, and stops with an error; set spec.horizon (e.g. 24h) in the Simulation",
            w.kind.api_kind(),
            quote(&format!("{}/{}", w.namespace, w.name)),
            w.loc,
            if n > 1 {
                format!(" and {} more serving workloads", n - 1)
            } else {
                String::new()
            }
        ));
    }
    const QUEUE_LABEL: &str = "kueue.x-k8s.io/queue-name";
    let queued: Vec<String> = sc
        .workloads
        .iter()
        .filter_map(|w| match &w.kind {
            WorkloadKind::Serving(_) | WorkloadKind::Lws(_)
                if w.labels.contains_key(QUEUE_LABEL)
                    || w.templates().iter().any(|t| t.labels.contains_key(QUEUE_LABEL)) =>
            {
                Some(format!(
                    "{} {} ({})",
                    w.kind.api_kind(),
                    quote(&format!("{}/{}", w.namespace, w.name)),
                    w.loc
                ))
            }
            _ => None,
        })
        .collect();
    // `leaderworkerset.sigs.k8s.io/exclusive-topology` and `subgroup-exclusive-topology`: the
    // LWS pod webhook's pod affinity and anti-affinity per group (`pkg/webhooks/pod_webhook.go`).
    const EXCLUSIVE: [&str; 2] = [
        "leaderworkerset.sigs.k8s.io/exclusive-topology",
        "leaderworkerset.sigs.k8s.io/subgroup-exclusive-topology",
    ];
    let exclusive: Vec<String> = sc
        .workloads
        .iter()
        .filter(|w| matches!(w.kind, WorkloadKind::Lws(_)) && EXCLUSIVE.iter().any(|k| w.annotations.contains_key(*k)))
        .map(|w| {
            format!(
                "LeaderWorkerSet {} ({})",
                quote(&format!("{}/{}", w.namespace, w.name)),
                w.loc
            )
        })
        .collect();
    list(out, exclusive, |at| {
        format!(
            "{at} asks for exclusive placement (leaderworkerset.sigs.k8s.io/exclusive-topology): the pod \
             affinity that keeps one group per topology domain is not simulated, so its groups may share a \
             domain; remove the annotation to compare like with like"
        )
    });
    list(out, queued, |at| {
        format!(
            "{at} has the label {QUEUE_LABEL}: Kueue's pod integration (a Workload per pod, or per \
             StatefulSet pod group) is not simulated, so under kueue its pods are scheduled without \
             Kueue's admission and take no ClusterQueue quota; remove the label to compare like with like"
        )
    });
}

/// What a Kubeflow training job carries that changes a run in a cluster and that kubesim does not
/// simulate (listed by `unmodelled`): `elasticPolicy`; and jobs
/// whose `runPolicy.managedBy` leaves them to MultiKueue (loaded, not run).
fn kubeflow(sc: &Scenario, out: &mut Vec<String>) {
    let named = |kind: &str, ns: &str, name: &str, loc: &SourceLoc| {
        format!("{kind} {} ({loc})", quote(&format!("{ns}/{name}")))
    };
    let mut ignored = Vec::new();
    for o in sc
        .unmodelled
        .iter()
        .filter(|o| KubeflowFramework::from_kind(&o.kind).is_some())
    {
        for f in &o.fields {
            let effect = match f.as_str() {
                "spec.elasticPolicy" => {
                    "its replicas stay as written (no autoscaling between minReplicas and maxReplicas), \
                     and the job succeeds when every Worker has, where an elastic job succeeds at its \
                     first Worker's success"
                }
                _ => continue,
            };
            ignored.push(format!(
                "{}: {f} is not simulated: {effect}",
                named(&o.kind, &o.namespace, &o.name, &o.loc)
            ));
        }
    }
    list(out, ignored, |m| format!("{m}; remove it to compare like with like"));
    let elsewhere: Vec<_> = sc
        .not_simulated
        .iter()
        .filter(|o| KubeflowFramework::from_kind(&o.kind).is_some() || o.kind == "MPIJob")
        .collect();
    list(out, elsewhere, |o| {
        format!(
            "{} names {} in spec.runPolicy.managedBy: its operator leaves it to MultiKueue, \
             which kubesim does not simulate, so it is loaded and not run; remove managedBy to run it",
            named(&o.kind, &o.namespace, &o.name, &o.loc),
            super::kubeflow::MULTIKUEUE_CONTROLLER
        )
    });
}

/// What a JobSet carries that changes a run in a cluster and that kubesim does not simulate:
/// failure rules' `onJobFailureMessagePatterns` (listed by `unmodelled`), the
/// exclusive-placement annotation; and JobSets whose `managedBy` leaves them to a controller
/// kubesim does not simulate (loaded, not run).
fn jobsets(sc: &Scenario, out: &mut Vec<String>) {
    let named = |ns: &str, name: &str, loc: &SourceLoc| format!("JobSet {} ({loc})", quote(&format!("{ns}/{name}")));
    let mut ignored = Vec::new();
    for o in sc.unmodelled.iter().filter(|o| o.kind == "JobSet") {
        for f in &o.fields {
            let effect = if f.ends_with(".onJobFailureMessagePatterns") {
                "the rule applies to every failed Job its onJobFailureReasons and targetReplicatedJobs \
                 match, whatever the Job's failure message"
            } else {
                continue;
            };
            ignored.push(format!(
                "{}: {f} is not simulated: {effect}",
                named(&o.namespace, &o.name, &o.loc)
            ));
        }
    }
    for w in &sc.workloads {
        if let WorkloadKind::JobSet(s) = &w.kind {
            for (at, key) in super::jobset::exclusive_topology(&w.annotations, s) {
                ignored.push(format!(
                    "{}: the annotation {} ({at}: {}) is not simulated: its Jobs do not each get a \
                     topology domain of their own (no affinity to the Job's leader pod, no anti-affinity \
                     to other Jobs), so their pods are placed as any pod and pack more tightly than in a \
                     cluster",
                    named(&w.namespace, &w.name, &w.loc),
                    super::jobset::EXCLUSIVE_TOPOLOGY,
                    quote(key)
                ));
            }
        }
    }
    list(out, ignored, |m| format!("{m}; remove it to compare like with like"));
    let elsewhere: Vec<_> = sc.not_simulated.iter().filter(|o| o.kind == "JobSet").collect();
    list(out, elsewhere, |o| {
        format!(
            "{} names another controller in spec.managedBy: jobset's controller leaves it to that one, \
             which kubesim does not simulate, so it is loaded and not run; remove spec.managedBy (or \
             write {}) to run it",
            named(&o.namespace, &o.name, &o.loc),
            super::jobset::JOBSET_CONTROLLER
        )
    });
}

/// Volcano Jobs naming a queue the scenario does not define.
fn undefined_queues(sc: &Scenario, out: &mut Vec<String>) {
    let queues: BTreeSet<&str> = sc.queues.iter().map(|q| q.name.as_str()).collect();
    let undefined_queues: Vec<String> = sc
        .workloads
        .iter()
        .filter_map(|w| match &w.kind {
            WorkloadKind::VolcanoJob(v) => v
                .queue
                .as_deref()
                .filter(|q| *q != "default" && !queues.contains(q))
                .map(|q| format!("Volcano Job {} ({}) names queue {}", quote(&w.name), w.loc, quote(q))),
            _ => None,
        })
        .collect();
    list(out, undefined_queues, |m| {
        format!("{m}, which is not defined: add a Queue (scheduling.volcano.sh/v1beta1) of that name")
    });
}

/// Trace jobs that require GPU models (openb's `gpu_spec`) none of the scenario's nodes carries
/// in the label [`GPU_MODEL_LABEL`]: they can never start.
fn trace_gpu_models(sc: &Scenario, out: &mut Vec<String>) {
    let nodes = sc
        .nodes
        .iter()
        .chain(sc.arrivals.iter().filter_map(|a| match &a.template {
            ArrivalTemplate::Node(n) => Some(&**n),
            ArrivalTemplate::Workload(_) => None,
        }));
    let models: BTreeSet<&str> = nodes
        .filter_map(|n| n.labels.get(GPU_MODEL_LABEL))
        .map(String::as_str)
        .collect();
    for t in &sc.traces {
        // Per list of models no node carries, its jobs.
        let mut missing: BTreeMap<&str, u64> = BTreeMap::new();
        for j in t.jobs.iter() {
            let m = t.shapes[j.shape as usize].gpu_models.as_str();
            if !m.is_empty() && !m.split('|').any(|x| models.contains(x.trim())) {
                *missing.entry(m).or_default() += 1;
            }
        }
        if missing.is_empty() {
            continue;
        }
        let jobs: u64 = missing.values().sum();
        let lists: Vec<String> = missing.iter().map(|(m, n)| format!("{n} of {}", quote(m))).collect();
        out.push(format!(
            "Trace {} ({}): {jobs} jobs require GPU models that no node carries in the label {GPU_MODEL_LABEL} \
             ({}): they can never start; give the Trace its cluster's node list (nodes: {{path: ...}}) \
             or label nodes with those models",
            quote(&t.name),
            t.loc,
            lists.join(", ")
        ));
    }
}

/// Traces whose import skipped rows (or flagged jobs): the summary `trace import` prints, so
/// that a replay never drops rows without a word.
fn trace_skips(sc: &Scenario, out: &mut Vec<String>) {
    for t in &sc.traces {
        if let Some(s) = &t.import_summary {
            out.push(format!(
                "Trace {} ({}): reading {}: {s}; skipped rows are not replayed \
                 (`kubesim trace stats --format {} {}` lists them by reason)",
                quote(&t.name),
                t.loc,
                t.path.display(),
                t.format,
                t.path.display()
            ));
        }
    }
}

/// The workloads that never end: each named (the first [`MAX_PER_KIND`] with the fix, then the
/// names of up to [`MAX_NAMED`] more), with the two fixes.
fn never_ends(out: &mut Vec<String>, never_end: Vec<String>) {
    const MAX_NAMED: usize = 100;
    let n = never_end.len();
    for at in never_end.iter().take(MAX_PER_KIND) {
        // A bare Kueue Workload has no pods: its own metadata carries the run time; an
        // MPIJob's is its launcher's (mpirun), a RayJob's its entrypoint's.
        let (what, place) = if at.starts_with("Workload ") {
            ("once admitted it holds its quota", "its metadata")
        } else if at.starts_with("MPIJob ") {
            ("its pods run", "its metadata or its Launcher's pod template")
        } else if at.starts_with("RayJob ") {
            ("its pods run", "the RayJob's metadata (the entrypoint's run time)")
        } else {
            ("its pods run", "its pod template")
        };
        out.push(format!(
            "{at} never ends: it has no run time, so {what} until the horizon (or forever); \
             add the annotation kubesim.io/duration (e.g. 30m) to {place}, or give the \
             Simulation a default (spec.defaultDuration: 30m, or rules by namespace, queue or labels)"
        ));
    }
    if n > MAX_PER_KIND {
        let more: Vec<&str> = never_end[MAX_PER_KIND..]
            .iter()
            .take(MAX_NAMED)
            .map(|at| at.split(" (").next().unwrap_or(at))
            .collect();
        let rest = n - MAX_PER_KIND - more.len();
        let tail = if rest > 0 {
            format!(" and {rest} more")
        } else {
            String::new()
        };
        out.push(format!(
            "{} more workloads never end, for the same reason and with the same fixes: {}{tail}",
            n - MAX_PER_KIND,
            more.join(", ")
        ));
    }
}

/// Run times taken from exports that mislead unless said: a lower bound for a workload still
/// running in the export, and the last attempt only of a pod whose containers restarted.
fn recorded(sc: &Scenario, out: &mut Vec<String>) {
    let lower: Vec<_> = sc.recorded_durations.iter().filter(|r| r.lower_bound).collect();
    list(out, lower, |r| {
        format!(
            "{} ({}) was still running in the export: its run time {} (from {} to {}, the latest \
             time in the files) is a lower bound; add the annotation kubesim.io/duration to give \
             the run time you expect",
            r.what,
            r.loc,
            describe_ms(r.duration_ms),
            r.since,
            r.until
        )
    });
    let restarted: Vec<_> = sc.recorded_durations.iter().filter(|r| r.restarts > 0).collect();
    list(out, restarted, |r| {
        format!(
            "{} ({}) restarted its containers {} times before the recorded run: its run time {} is \
             the last attempt's; add kubesim.io/failures or kubesim.io/duration to replay more",
            r.what,
            r.loc,
            r.restarts,
            describe_ms(r.duration_ms)
        )
    });
}

/// Fields of Kueue's Configuration that change admission in real Kueue but are not simulated.
fn kueue_config(sc: &Scenario, out: &mut Vec<String>) {
    let Some(loc) = &sc.kueue_config.loc else { return };
    for f in &sc.kueue_config.not_simulated {
        if let Some(gate) = f.strip_prefix("featureGates.") {
            out.push(format!(
                "Kueue Configuration ({loc}) sets the feature gate {gate}, which kubesim does not \
                 simulate: if it changes admission in your Kueue version, kueue runs admit as \
                 without it; remove it to compare like with like"
            ));
        } else if super::kueue_config::changes_admission(f) {
            out.push(format!(
                "Kueue Configuration ({loc}) sets {f}, which changes admission in real Kueue but is \
                 not simulated: kueue runs admit as without it; remove it to compare like with like"
            ));
        }
    }
}

fn kind_name(w: &WorkloadSpec) -> &'static str {
    match w.kind {
        WorkloadKind::Job(_) => "Job",
        WorkloadKind::Pod(_) => "Pod",
        WorkloadKind::VolcanoJob(_) => "Volcano Job",
        WorkloadKind::KueueWorkload(_) => "Workload",
        WorkloadKind::JobSet(_) => w.kind.api_kind(),
        WorkloadKind::Serving(ref s) => s.kind.api_kind(),
        WorkloadKind::Kubeflow(_) | WorkloadKind::MpiJob(_) | WorkloadKind::Ray(_) | WorkloadKind::Lws(_) => {
            w.kind.api_kind()
        }
    }
}

/// Up to [`MAX_PER_KIND`] messages, then how many more.
fn list<T>(out: &mut Vec<String>, items: Vec<T>, message: impl Fn(T) -> String) {
    let n = items.len();
    for item in items.into_iter().take(MAX_PER_KIND) {
        out.push(message(item));
    }
    if n > MAX_PER_KIND {
        out.push(format!("... and {} more like the last", n - MAX_PER_KIND));
    }
}
