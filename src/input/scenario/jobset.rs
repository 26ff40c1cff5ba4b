//! jobset.x-k8s.io/v1alpha2 JobSets (docs/jobset.md, "Loading a JobSet"): the spec with the
//! JobSet webhook's defaults, the webhook's and the CRD schema's checks with their messages, and
//! each replicatedJob's Job template read as a batch/v1 Job spec (`k8s::job_spec`) with the
//! webhook's defaults for it (`completionMode: Indexed`, pods `restartPolicy: OnFailure`).
//!
//! Sources (kubernetes-sigs/jobset @ `08dfbdfd682714a9ab929633eca8dc95315187e7`, Apache-2.0):
//! `api/jobset/v1alpha2/jobset_types.go` (fields, enums, the CEL rule between startupPolicy and
//! dependsOn), `config/components/crd/bases/jobset.x-k8s.io_jobsets.yaml` (CRD defaults
//! `replicas: 1`, `groupName: default`, `restartStrategy: Recreate`; `replicas` minimum 0;
//! `dependsOn` maxItems 5), `pkg/webhooks/jobset_webhook.go` (`Default`, `ValidateCreate`,
//! `validateFailurePolicy`, `validateCoordinator`, `validateCoordinatorLabelValue`),
//! `pkg/features/features.go` (InPlaceRestart and RestartJob off by default: kubesim models that
//! build). The webhook aggregates its errors; kubesim reports the first it meets, each naming
//! file, line, field and fix.
//!
//! Loaded without effect on scheduling (no pod changes where it lands or how long it runs):
//! `network`, `coordinator`, `volumeClaimPolicies`, `groupName`, `managedBy` naming jobset's
//! own controller. Loaded and not simulated, listed by `unmodelled` and warned about
//! (`warnings`): `failurePolicy.rules[].onJobFailureMessagePatterns`, the
//! `alpha.jobset.sigs.k8s.io/exclusive-topology` annotation. A JobSet whose `managedBy` names
//! another controller is validated, then listed as not simulated (the JobSet controller skips it:
//! `managedByExternalController` in `pkg/controllers/jobset_controller.go`).

use std::collections::BTreeMap;

use super::k8s::{
    HintScope, Hints, JobDefaults, Meta, OBJECT_FIELDS, Workload, check_workload_pods, job_spec, opt, read_hints,
    read_meta, replicas_count,
};
use super::view::{F, Obj, Res};
use crate::error::quote;
use crate::input::resources::{dns1035_label_errors, dns1123_subdomain_errors, label_value_errors};
use crate::input::spec::{
    CompletionMode, JobSetAction, JobSetDependency, JobSetFailure, JobSetFailureRule, JobSetSpec, JobSetSuccess,
    ReplicatedJob, WorkloadKind,
};

/// `managedBy` of the JobSets jobset's own controller reconciles (`JobSetControllerName`).
pub(crate) const JOBSET_CONTROLLER: &str = "jobset.sigs.k8s.io/jobset-controller";
/// Exclusive placement per topology domain (`ExclusiveKey`): not simulated.
pub(crate) const EXCLUSIVE_TOPOLOGY: &str = "alpha.jobset.sigs.k8s.io/exclusive-topology";

const SPEC_FIELDS: &[&str] = &[
    "coordinator",
    "failurePolicy",
    "managedBy",
    "network",
    "replicatedJobs",
    "startupPolicy",
    "successPolicy",
    "suspend",
    "ttlSecondsAfterFinished",
    "volumeClaimPolicies",
];
const RJOB_FIELDS: &[&str] = &["dependsOn", "groupName", "name", "replicas", "template"];
const RULE_FIELDS: &[&str] = &[
    "action",
    "name",
    "onJobFailureMessagePatterns",
    "onJobFailureReasons",
    "targetReplicatedJobs",
];
/// `validOnJobFailureReasons`: the reasons of a failed Job's condition.
const JOB_FAILURE_REASONS: &[&str] = &[
    "BackoffLimitExceeded",
    "DeadlineExceeded",
    "FailedIndexes",
    "MaxFailedIndexesExceeded",
    "PodFailurePolicy",
];
/// `dependsOn` MaxItems.
const MAX_DEPENDS_ON: usize = 5;
/// `volumeClaimPolicies` and their `templates` MaxItems.
const MAX_VOLUME_CLAIMS: usize = 50;
/// `maxManagedByLength`.
const MAX_MANAGED_BY: usize = 63;
/// `maxRuleNameLength`.
const MAX_RULE_NAME: usize = 128;
/// The message apimachinery's DNS-1035 check gives a name that is too long, which the webhook
/// replaces with its own (`dns1035MaxLengthExceededErrorMsg`).
const TOO_LONG: &str = "must be no more than 63 characters";

/// Converts a JobSet (`doc` is the whole object, `meta` its metadata).
pub(crate) fn jobset(doc: &Obj, meta: &Meta) -> Res<Workload> {
    doc.deny_unknown(OBJECT_FIELDS, "a JobSet")?;
    let hints = read_hints(doc, HintScope::JobSet)?;
    let spec = doc
        .req(
            "spec",
            "add a spec with replicatedJobs: [{name, replicas, template: {spec: <a Job spec>}}]",
        )?
        .obj()?;
    Ok(Workload {
        kind: WorkloadKind::JobSet(jobset_spec(&spec, &meta.name, &hints)?),
        hints,
    })
}

/// Converts a JobSet's `spec` (`spec`) for a JobSet named `name` whose own annotations give
/// `hints`: also a Trainer runtime's `spec.template.spec` (`trainer`).
pub(crate) fn jobset_spec(spec: &Obj, name: &str, hints: &Hints) -> Res<JobSetSpec> {
    spec.deny_unknown(SPEC_FIELDS, "a JobSet spec")?;
    let rjobs = replicated_jobs(spec, name, hints)?;
    let names: Vec<&str> = rjobs.iter().map(|r| r.spec.name.as_str()).collect();
    let success = match spec.get("successPolicy") {
        Some(f) => success_policy(&f, &names)?,
        // The webhook's default: All, every replicatedJob.
        None => JobSetSuccess {
            any: false,
            targets: Vec::new(),
        },
    };
    let failure = opt(spec.get("failurePolicy"), |f| failure_policy(f, &names))?;
    let in_order = opt(spec.get("startupPolicy"), |f| startup_policy(f, &rjobs))?.unwrap_or(false);
    let subdomain = opt(spec.get("network"), network)?.flatten();
    opt(spec.get("managedBy"), managed_by)?;
    if let Some(c) = spec.get("coordinator") {
        coordinator(&c, name, subdomain.as_deref().unwrap_or(name), &rjobs)?;
    }
    opt(spec.get("volumeClaimPolicies"), volume_claim_policies)?;
    let suspend = opt(spec.get("suspend"), |f| f.bool())?.unwrap_or(false);
    let ttl_seconds_after_finished = opt(spec.get("ttlSecondsAfterFinished"), |f| {
        f.int_in(0, i128::from(i32::MAX)).map(|v| v as u64)
    })?;
    let replicated_jobs = rjobs
        .into_iter()
        .map(|mut r| {
            // constructJob: a child Job is suspended when (and only when) its JobSet is.
            r.spec.job.suspend = suspend;
            r.spec
        })
        .collect();
    Ok(JobSetSpec {
        replicated_jobs,
        success,
        failure,
        in_order,
        suspend,
        ttl_seconds_after_finished,
        train_job: None,
    })
}

/// Whether the JobSet `doc` names, in `spec.managedBy`, a controller other than jobset's own:
/// that controller skips it.
pub(crate) fn managed_elsewhere(doc: &Obj) -> Res<bool> {
    let Some(spec) = doc.get("spec") else {
        return Ok(false);
    };
    let managed_by = opt(spec.obj()?.get("managedBy"), |f| f.string())?;
    Ok(managed_by.is_some_and(|m| m != JOBSET_CONTROLLER))
}

/// The value of the enum field `f` among `values`, else the API server's `Unsupported value`.
fn one_of<T: Copy>(f: &F, values: &[(&str, T)]) -> Res<T> {
    let v = f.str()?;
    if let Some((_, t)) = values.iter().find(|(k, _)| *k == v) {
        return Ok(*t);
    }
    let supported: Vec<String> = values.iter().map(|(k, _)| format!("\"{k}\"")).collect();
    let names: Vec<&str> = values.iter().map(|(k, _)| *k).collect();
    Err(f.err(
        format!(
            "Unsupported value: {}: supported values: {}",
            quote(v),
            supported.join(", ")
        ),
        format!("write one of {}", names.join(", ")),
    ))
}

/// The items of the list `f`, at most `max` (its CRD's MaxItems) `what`.
fn at_most<'a>(f: &F<'a>, max: usize, what: &str) -> Res<Vec<F<'a>>> {
    let items = f.seq()?;
    if items.len() > max {
        return Err(f.err(
            format!("Too many: {}: must have at most {max} items", items.len()),
            format!("keep at most {max} {what}"),
        ));
    }
    Ok(items)
}

/// The first message of a DNS-1035 check of `value` (blamed on `f`), the too-long one replaced
/// by `too_long` as the webhook does, with the fix `fix`.
fn dns1035(f: &F, value: &str, too_long: &str, fix: &str) -> Res<()> {
    match dns1035_label_errors(value).first() {
        None => Ok(()),
        Some(m) => {
            let long = m.contains(TOO_LONG);
            let m = if long { too_long } else { m.as_str() };
            // `fix` is about length; a name with other characters needs another.
            let fix = if long {
                fix
            } else {
                "write the JobSet's and the replicatedJob's names in lowercase letters, digits and '-', \
                 starting with a letter"
            };
            Err(f.err(
                format!("Invalid value: {} ({} characters): {m}", quote(value), value.len()),
                fix,
            ))
        }
    }
}

/// A replicatedJob as read, with what the checks of the other fields need.
struct RJob {
    spec: ReplicatedJob,
    /// `template.spec.completions` as written (the webhook sees the Job before its defaults).
    completions: Option<u32>,
    /// Whether it has `dependsOn`.
    depends_on: bool,
}

/// `spec.replicatedJobs`: at least one, names unique, at most
/// [`MAX_WORKLOAD_PODS`](crate::limits::MAX_WORKLOAD_PODS) pods in all.
fn replicated_jobs(spec: &Obj, js_name: &str, js_hints: &Hints) -> Res<Vec<RJob>> {
    let fix = "list the replicated Jobs: replicatedJobs: [{name, replicas, template: {spec: <a Job spec>}}]";
    let list_f = spec.req("replicatedJobs", fix)?;
    let items = list_f.seq()?;
    if items.is_empty() {
        // jobset accepts it, and such a JobSet never ends: refused as a mistake.
        return Err(list_f.err(
            "the JobSet has no replicatedJob: it would create no Job and never finish",
            fix,
        ));
    }
    let mut rjobs: Vec<RJob> = Vec::new();
    let mut pods: u64 = 0;
    for (i, f) in items.iter().enumerate() {
        let names: Vec<&str> = rjobs.iter().map(|r| r.spec.name.as_str()).collect();
        let r = replicated_job(f, i, js_name, js_hints, &names)?;
        let job = &r.spec.job;
        pods += u64::from(r.spec.replicas) * u64::from(job.completions.unwrap_or(job.parallelism.unwrap_or(1)));
        let fix = "use fewer replicas or smaller Jobs, or split the work into several JobSets";
        check_workload_pods(f, "replicatedJobs", pods, fix)?;
        rjobs.push(r);
    }
    Ok(rjobs)
}

/// The replicatedJob `f` (index `i`; `earlier`: the names of those before it) of JobSet
/// `js_name`, whose pods' hints default to `js_hints`.
fn replicated_job(f: &F, i: usize, js_name: &str, js_hints: &Hints, earlier: &[&str]) -> Res<RJob> {
    let o = f.obj()?;
    o.deny_unknown(RJOB_FIELDS, "a replicatedJob")?;
    let name_f = o.req(
        "name",
        "name the replicatedJob (its Jobs are named <jobset>-<name>-<index>)",
    )?;
    let name = name_f.name()?;
    if let Some(first) = earlier.iter().position(|n| *n == name) {
        return Err(name_f.err(
            format!(
                "Duplicate value: two replicatedJobs are named {} (spec.replicatedJobs[{first}] and \
                 [{i}]; the API server refuses a name that repeats)",
                quote(&name)
            ),
            "give every replicatedJob its own name",
        ));
    }
    let replicas = replicas(&o)?;
    if let Some(g) = o.get("groupName") {
        let group = g.string()?;
        dns1035(
            &g,
            &group,
            ".spec.replicatedJob[].groupName is too long, must be less than 63 characters",
            "write a group name of lowercase letters, digits and '-', starting with a letter, at most \
             63 characters (or remove it: it defaults to \"default\")",
        )?;
    }
    let template = o
        .req(
            "template",
            "add template: the Job template (template.spec.template.spec.containers)",
        )?
        .obj()?;
    template.deny_unknown(&["metadata", "spec"], "a replicatedJob's Job template")?;
    let tmeta = read_meta(&template, false)?;
    let t_hints = read_hints(&template, HintScope::JobSetTemplate)?;
    let tspec = template
        .req("spec", "add the Job spec (template.spec.template.spec.containers)")?
        .obj()?;
    let (job, _) = job_spec(&tspec, &js_hints.overridden_by(&t_hints), JobDefaults::JOBSET)?;
    let completions = tspec.get("completions").and(job.completions);
    let rjob_f = o.get("replicas").unwrap_or_else(|| name_f.clone());
    if i64::from(job.parallelism.unwrap_or(1)) * i64::from(replicas) > i64::from(i32::MAX) {
        return Err(rjob_f.err(
            format!(
                "the product of replicas and parallelism must not exceed {} for replicatedJob '{}'",
                i32::MAX,
                name
            ),
            "use fewer replicas or a smaller parallelism",
        ));
    }
    let last_job = format!("{js_name}-{name}-{}", i64::from(replicas) - 1);
    dns1035(
        &name_f,
        &last_job,
        "JobSet name is too long, job names generated for this JobSet will exceed 63 characters",
        "shorten the JobSet's or the replicatedJob's name: every Job name <jobset>-<name>-<index> must \
         be a DNS-1035 label (lowercase letters, digits and '-', starting with a letter, at most 63 \
         characters)",
    )?;
    if job.completion_mode == CompletionMode::Indexed
        && let Some(c) = completions
    {
        let last_pod = format!("{last_job}-{}-abcde", i64::from(c) - 1);
        if let Some(m) = dns1035_label_errors(&last_pod).first() {
            let m = if m.contains(TOO_LONG) {
                "JobSet name is too long, pod names generated for this JobSet will exceed 63 characters"
            } else {
                m.as_str()
            };
            // The webhook shows the Job name as the value.
            return Err(name_f.err(
                format!("Invalid value: {}: {m}", quote(&last_job)),
                format!(
                    "shorten the JobSet's or the replicatedJob's name: the pod names \
                     <jobset>-<name>-<index>-<completion index>-<5 characters> must be at most 63 \
                     characters ({} is {})",
                    quote(&last_pod),
                    last_pod.len()
                ),
            ));
        }
    }
    let depends_on = o.get("dependsOn");
    let dependencies = match &depends_on {
        Some(d) => depends_on_list(d, i, &name, earlier)?,
        None => Vec::new(),
    };
    Ok(RJob {
        spec: ReplicatedJob {
            name,
            replicas,
            labels: tmeta.labels,
            annotations: tmeta.annotations,
            job,
            depends_on: dependencies,
        },
        completions,
        depends_on: depends_on.is_some(),
    })
}

/// `replicas`: default 1, at least 0 (the CRD's minimum), at most
/// [`MAX_WORKLOAD_PODS`](crate::limits::MAX_WORKLOAD_PODS).
fn replicas(o: &Obj) -> Res<u32> {
    replicas_count(
        o,
        |i| {
            (
                format!("replicas {i}: should be greater than or equal to 0 (the JobSet CRD's minimum)"),
                "write the number of Jobs, 0 or more (replicas defaults to 1)".to_string(),
            )
        },
        "Jobs per replicatedJob (kubesim's limit of pods per workload)",
        "use fewer replicas, or split the work into several JobSets",
    )
}

/// A replicatedJob's `dependsOn` (`d`; the replicatedJob `i`, named `name`, after `earlier`),
/// each as the index of the replicatedJob it waits for.
fn depends_on_list(d: &F, i: usize, name: &str, earlier: &[&str]) -> Res<Vec<JobSetDependency>> {
    if i == 0 {
        return Err(d.err(
            "DependsOn can't be set for the first ReplicatedJob",
            "remove dependsOn from the first replicatedJob (nothing comes before it)",
        ));
    }
    let mut out = Vec::new();
    for item in at_most(d, MAX_DEPENDS_ON, "dependencies")? {
        let io = item.obj()?;
        io.deny_unknown(&["name", "status"], "a dependsOn entry")?;
        let dep_f = io.req("name", "name the replicatedJob it waits for")?;
        let dep = dep_f.string()?;
        let complete = one_of(
            &io.req("status", "add status: Ready or Complete")?,
            &[("Ready", false), ("Complete", true)],
        )?;
        // The webhook adds the replicatedJob's own name before the check: itself passes.
        if dep != name && !earlier.contains(&dep.as_str()) {
            return Err(dep_f.err(
                format!("replicatedJob: {name} cannot depend on replicatedJob: {dep}"),
                format!("name a replicatedJob listed before it: {}", earlier.join(", ")),
            ));
        }
        // Itself (which the webhook lets pass) is index `i`: never reached.
        let rjob = earlier.iter().position(|e| *e == dep).unwrap_or(i);
        out.push(JobSetDependency { rjob, complete });
    }
    Ok(out)
}

/// `targetReplicatedJobs` of `o` as indexes into `names`, sorted, each once; `what` ends the
/// message of a name not found (the webhook's two wordings).
fn targets(o: &Obj, names: &[&str], what: &str) -> Res<Vec<usize>> {
    let Some(t) = o.get("targetReplicatedJobs") else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for item in t.seq()? {
        let n = item.string()?;
        match names.iter().position(|x| *x == n) {
            Some(i) => out.push(i),
            None => {
                return Err(item.err(
                    format!("invalid replicatedJob name '{}' {what}", crate::error::cut(&n)),
                    format!("name one of the replicatedJobs: {}", names.join(", ")),
                ));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// `spec.successPolicy`.
fn success_policy(f: &F, names: &[&str]) -> Res<JobSetSuccess> {
    let o = f.obj()?;
    o.deny_unknown(&["operator", "targetReplicatedJobs"], "a JobSet successPolicy")?;
    let any = one_of(
        &o.req("operator", "add operator: All or Any")?,
        &[("All", false), ("Any", true)],
    )?;
    let targets = targets(&o, names, "does not appear in .spec.ReplicatedJobs")?;
    Ok(JobSetSuccess { any, targets })
}

/// `spec.failurePolicy`: maxRestarts (a negative one acts as 0: the controller fails the JobSet
/// once `restarts >= maxRestarts`), the restart strategy, the rules (unnamed ones named
/// `failurePolicyRule<i>`).
fn failure_policy(f: &F, names: &[&str]) -> Res<JobSetFailure> {
    let o = f.obj()?;
    o.deny_unknown(&["maxRestarts", "restartStrategy", "rules"], "a JobSet failurePolicy")?;
    let max_restarts = opt(o.get("maxRestarts"), |f| f.i32())?.unwrap_or(0).max(0) as u32;
    let blocking = match o.get("restartStrategy") {
        None => false,
        Some(s) => {
            let strategies = [
                ("Recreate", Some(false)),
                ("BlockingRecreate", Some(true)),
                ("InPlaceRestart", None),
            ];
            one_of(&s, &strategies)?.ok_or_else(|| {
                s.err(
                    "InPlaceRestart restart strategy cannot be set when InPlaceRestart feature gate is disabled",
                    "write Recreate or BlockingRecreate (jobset's default build, which kubesim models, \
                     has the InPlaceRestart feature gate off)",
                )
            })?
        }
    };
    let items = opt(o.get("rules"), |f| f.seq())?.unwrap_or_default();
    // The webhook checks the actions of all rules first and stops there.
    for r in &items {
        if let Some(a) = r.obj()?.get("action")
            && matches!(a.str()?, "RestartJob" | "RestartJobAndIgnoreMaxRestarts")
        {
            return Err(a.err(
                "RestartJob and RestartJobAndIgnoreMaxRestarts failure policy actions are not allowed \
                 when RestartJob feature gate is disabled",
                "write FailJobSet, RestartJobSet or RestartJobSetAndIgnoreMaxRestarts (jobset's default \
                 build, which kubesim models, has the RestartJob feature gate off)",
            ));
        }
    }
    let mut rules: Vec<JobSetFailureRule> = Vec::new();
    for (i, r) in items.iter().enumerate() {
        let rule = failure_rule(r, i, names)?;
        if let Some(first) = rules.iter().position(|x| x.name == rule.name) {
            let at = r.obj()?.get("name").unwrap_or_else(|| r.clone());
            return Err(at.err(
                format!(
                    "rule names are not unique, rules with indices [{first} {i}] all have the same name '{}'",
                    crate::error::cut(&rule.name)
                ),
                "give every rule its own name (an unnamed rule i is named failurePolicyRule<i>)",
            ));
        }
        rules.push(rule);
    }
    Ok(JobSetFailure {
        max_restarts,
        blocking,
        rules,
    })
}

/// Failure policy rule `r` (index `i`).
fn failure_rule(r: &F, i: usize, names: &[&str]) -> Res<JobSetFailureRule> {
    let o = r.obj()?;
    o.deny_unknown(RULE_FIELDS, "a failurePolicy rule")?;
    let written = opt(o.get("name"), |f| f.string())?.filter(|n| !n.is_empty());
    let name_f = o.get("name").unwrap_or_else(|| r.clone());
    let name = written.unwrap_or_else(|| format!("failurePolicyRule{i}"));
    if name.len() > MAX_RULE_NAME {
        return Err(name_f.err(
            format!(
                "invalid failure policy rule name of length {}, the rule name must be at least 1 \
                 characters long and at most {MAX_RULE_NAME} characters long",
                name.len()
            ),
            format!("write a name of at most {MAX_RULE_NAME} characters"),
        ));
    }
    if !is_rule_name(&name) {
        return Err(name_f.err(
            format!(
                "invalid failure policy rule name '{}', a failure policy rule name must start with an \
                 alphabetic character, optionally followed by a string of alphanumeric characters or \
                 '_,:', and must end with an alphanumeric character or '_'",
                crate::error::cut(&name)
            ),
            "write a name matching ^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$",
        ));
    }
    let action = one_of(
        &o.req(
            "action",
            "add action: FailJobSet, RestartJobSet or RestartJobSetAndIgnoreMaxRestarts",
        )?,
        &[
            ("FailJobSet", JobSetAction::FailJobSet),
            ("RestartJobSet", JobSetAction::RestartJobSet),
            (
                "RestartJobSetAndIgnoreMaxRestarts",
                JobSetAction::RestartJobSetAndIgnoreMaxRestarts,
            ),
        ],
    )?;
    let mut reasons = Vec::new();
    for f in opt(o.get("onJobFailureReasons"), |f| f.seq())?.unwrap_or_default() {
        let reason = f.string()?;
        if !JOB_FAILURE_REASONS.contains(&reason.as_str()) {
            return Err(f.err(
                format!(
                    "invalid job failure reason '{}' in failure policy is not a recognized job failure reason",
                    crate::error::cut(&reason)
                ),
                format!("write one of {}", JOB_FAILURE_REASONS.join(", ")),
            ));
        }
        reasons.push(reason);
    }
    // Read for their types; not simulated (listed by `unmodelled`, warned about).
    for f in opt(o.get("onJobFailureMessagePatterns"), |f| f.seq())?.unwrap_or_default() {
        f.string()?;
    }
    let targets = targets(&o, names, "in failure policy does not appear in .spec.ReplicatedJobs")?;
    Ok(JobSetFailureRule {
        name,
        action,
        reasons,
        targets,
    })
}

/// `ruleNameFmt`: `^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$`.
fn is_rule_name(n: &str) -> bool {
    let b = n.as_bytes();
    let inner = |c: &u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b',' | b':');
    b.first().is_some_and(u8::is_ascii_alphabetic)
        && b.iter().all(inner)
        && b.last().is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

/// `spec.startupPolicy`: whether it is InOrder (refused with a `dependsOn`, the CEL rule).
fn startup_policy(f: &F, rjobs: &[RJob]) -> Res<bool> {
    let o = f.obj()?;
    o.deny_unknown(&["startupPolicyOrder"], "a JobSet startupPolicy")?;
    let order_f = o.req("startupPolicyOrder", "add startupPolicyOrder: AnyOrder or InOrder")?;
    let in_order = one_of(&order_f, &[("AnyOrder", false), ("InOrder", true)])?;
    if in_order && rjobs.iter().any(|r| r.depends_on) {
        return Err(order_f.err(
            "StartupPolicy and DependsOn APIs are mutually exclusive",
            "use one: startupPolicyOrder: InOrder, or dependsOn on the replicatedJobs",
        ));
    }
    Ok(in_order)
}

/// `spec.network` (no effect on scheduling): its subdomain, if written, checked.
fn network(f: &F) -> Res<Option<String>> {
    let o = f.obj()?;
    o.deny_unknown(
        &["enableDNSHostnames", "publishNotReadyAddresses", "subdomain"],
        "a JobSet network",
    )?;
    opt(o.get("enableDNSHostnames"), |f| f.bool())?;
    opt(o.get("publishNotReadyAddresses"), |f| f.bool())?;
    let Some(sf) = o.get("subdomain") else {
        return Ok(None);
    };
    let sub = sf.string()?;
    if sub.is_empty() {
        return Ok(None);
    }
    let fix = "write a subdomain of lowercase letters, digits and '-', starting with a letter, at most 63 \
               characters (it names the JobSet's headless Service)";
    if let Some(m) = dns1123_subdomain_errors(&sub).first() {
        return Err(sf.err(format!("Invalid value: {}: {m}", quote(&sub)), fix));
    }
    dns1035(
        &sf,
        &sub,
        ".spec.network.subdomain is too long, must be less than 63 characters",
        fix,
    )?;
    Ok(Some(sub))
}

/// `spec.managedBy`: a domain-prefixed path of at most 63 characters
/// (apimachinery `IsDomainPrefixedPath`).
fn managed_by(f: &F) -> Res<()> {
    let m = f.string()?;
    let fix = "write a domain-prefixed path such as jobset.sigs.k8s.io/jobset-controller (jobset's own \
               controller), at most 63 characters, or remove managedBy";
    let Some((host, path)) = m.split_once('/').filter(|(h, p)| !h.is_empty() && !p.is_empty()) else {
        return Err(f.err(
            format!(
                "Invalid value: {}: must be a domain-prefixed path (such as \"acme.io/foo\")",
                quote(&m)
            ),
            fix,
        ));
    };
    if let Some(e) = dns1123_subdomain_errors(host).first() {
        return Err(f.err(format!("Invalid value: {}: {e}", quote(host)), fix));
    }
    let path_ok = path
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || b"/-._~%!$&'()*+,;=:".contains(&c));
    if !path_ok {
        return Err(f.err(
            format!(
                "Invalid value: {}: Invalid path (regex used for validation is \
                 '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')",
                quote(path)
            ),
            fix,
        ));
    }
    if m.len() > MAX_MANAGED_BY {
        return Err(f.err(format!("Too long: may not be more than {MAX_MANAGED_BY} bytes"), fix));
    }
    Ok(())
}

/// `spec.coordinator` (no effect on scheduling), checked as `validateCoordinator` and
/// `validateCoordinatorLabelValue` do, for JobSet `js_name` whose subdomain is `subdomain`.
fn coordinator(f: &F, js_name: &str, subdomain: &str, rjobs: &[RJob]) -> Res<()> {
    let o = f.obj()?;
    o.deny_unknown(&["jobIndex", "podIndex", "replicatedJob"], "a JobSet coordinator")?;
    let rjob_f = o.req("replicatedJob", "name the replicatedJob of the coordinator pod")?;
    let rjob = rjob_f.string()?;
    let job_f = o.get("jobIndex").unwrap_or_else(|| f.clone());
    let pod_f = o.get("podIndex").unwrap_or_else(|| f.clone());
    let index = |k: &str| opt(o.get(k), |f| f.int_in(i128::from(i64::MIN), i128::from(i64::MAX)));
    let (job_index, pod_index) = (index("jobIndex")?.unwrap_or(0), index("podIndex")?.unwrap_or(0));
    let Some(r) = rjobs.iter().find(|r| r.spec.name == rjob) else {
        return Err(rjob_f.err(
            format!("coordinator replicatedJob {} does not exist", crate::error::cut(&rjob)),
            "name one of the replicatedJobs",
        ));
    };
    if job_index < 0 || job_index >= i128::from(r.spec.replicas) {
        return Err(job_f.err(
            format!("coordinator job index {job_index} is invalid for replicatedJob {rjob}"),
            format!(
                "write a jobIndex from 0 to {} (its replicas minus 1)",
                i64::from(r.spec.replicas) - 1
            ),
        ));
    }
    let Some(completions) = r
        .completions
        .filter(|_| r.spec.job.completion_mode == CompletionMode::Indexed)
    else {
        return Err(rjob_f.err(
            "job for coordinator pod must be indexed completion mode, and completions number must be set",
            "give that replicatedJob's Job template completions (and completionMode: Indexed, the default)",
        ));
    };
    if pod_index < 0 || pod_index >= i128::from(completions) {
        return Err(pod_f.err(
            format!("coordinator pod index {pod_index} is invalid for replicatedJob {rjob} job index {job_index}"),
            format!(
                "write a podIndex from 0 to {} (its completions minus 1)",
                i64::from(completions) - 1
            ),
        ));
    }
    let endpoint = format!("{js_name}-{rjob}-{job_index}-{pod_index}.{subdomain}");
    if let Some(e) = label_value_errors(&endpoint).first() {
        return Err(f.err(
            format!(
                "spec will lead to invalid label value {} for coordinator label \
                 \"jobset.sigs.k8s.io/coordinator\" (long JobSet / ReplicatedJob / SubDomain name?): {e}",
                quote(&endpoint)
            ),
            "shorten the JobSet's, the replicatedJob's or the subdomain's name",
        ));
    }
    Ok(())
}

/// `spec.volumeClaimPolicies` (not modelled: kubesim has no volumes): their shape and enums.
fn volume_claim_policies(f: &F) -> Res<()> {
    for p in at_most(f, MAX_VOLUME_CLAIMS, "volume claim policies")? {
        let po = p.obj()?;
        po.deny_unknown(&["retentionPolicy", "templates"], "a volumeClaimPolicy")?;
        if let Some(r) = po.get("retentionPolicy") {
            let ro = r.obj()?;
            ro.deny_unknown(&["whenDeleted"], "a volumeClaimPolicy retentionPolicy")?;
            if let Some(w) = ro.get("whenDeleted") {
                one_of(&w, &[("Delete", ()), ("Retain", ())])?;
            }
        }
        let templates = opt(po.get("templates"), |f| at_most(f, MAX_VOLUME_CLAIMS, "templates"))?;
        for t in templates.unwrap_or_default() {
            let to = t.obj()?;
            to.deny_unknown(OBJECT_FIELDS, "a PersistentVolumeClaim template")?;
            let meta = read_meta(&to, false)?;
            if meta.namespace.is_some_and(|n| !n.is_empty()) {
                return Err(t.err(
                    "namespace cannot be set for VolumeClaimPolicies templates",
                    "remove metadata.namespace (the claims are made in the JobSet's namespace)",
                ));
            }
        }
    }
    Ok(())
}

/// The exclusive-placement annotation's value on the JobSet (`annotations`) or on its
/// replicatedJob templates, with where it is (`metadata` or the template's path), if any.
pub(crate) fn exclusive_topology<'a>(
    annotations: &'a BTreeMap<String, String>,
    spec: &'a JobSetSpec,
) -> Vec<(String, &'a str)> {
    let mut out = Vec::new();
    if let Some(v) = annotations.get(EXCLUSIVE_TOPOLOGY) {
        out.push(("metadata.annotations".to_string(), v.as_str()));
    }
    for (i, r) in spec.replicated_jobs.iter().enumerate() {
        if let Some(v) = r.annotations.get(EXCLUSIVE_TOPOLOGY) {
            out.push((
                format!("spec.replicatedJobs[{i}].template.metadata.annotations"),
                v.as_str(),
            ));
        }
    }
    out
}
