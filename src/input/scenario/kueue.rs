//! Conversion of the Kueue objects (semantics.md 6.1, KQ-O1/O2): kueue.x-k8s.io v1beta1 and
//! v1beta2 ResourceFlavor, ClusterQueue, LocalQueue and WorkloadPriorityClass, with the checks of
//! Kueue's CRD schema and validating webhook for the modelled fields. Sources (kueue @ the
//! snapshot of semantics.md section 0): `apis/kueue/v1beta2/clusterqueue_types.go` (fields,
//! enums, defaults, list limits), `apis/kueue/v1beta1/clusterqueue_types.go` (`cohort`,
//! `admissionChecks`, the deprecated fungibility names `Borrow`/`Preempt`),
//! `apis/kueue/v1beta2/resourceflavor_types.go` (limits of 8, CEL rules),
//! `pkg/webhooks/clusterqueue_webhook.go` (`validateResourceGroups`, `validateFlavorQuotas`,
//! `validateLimit`, `validateLendingLimit`, `validateTotalFlavors`,
//! `validateTotalCoveredResources`, `validateFlavorResourceCombinations`,
//! `validatePreemption`).
//!
//! The two versions differ only in spelling: v1beta1 names the cohort `spec.cohort` and has
//! `spec.admissionChecks`; v1beta2 names it `spec.cohortName`, has neither, and adds
//! `spec.concurrentAdmissionPolicy`. Every field of the CRD schemas
//! (`config/components/crd/bases/kueue.x-k8s.io_{clusterqueues,localqueues,resourceflavors,
//! workloadpriorityclasses}.yaml`) loads; those that do not change what the simulator models
//! (admission checks, `admissionScope`, `concurrentAdmissionPolicy`, `fairSharing`,
//! `flavorFungibility.preference`, `stopPolicy`, a LocalQueue's `fairSharing` and `stopPolicy`, a
//! ResourceFlavor's `topologyName`, `status`) have their keys and enums checked and are listed
//! by `unmodelled`. Every other unknown field is an error.
//!
//! Cross-object references (a LocalQueue's ClusterQueue, a ClusterQueue's ResourceFlavors) are
//! returned as [`Ref`]s for the loader to check once every file is read. Real Kueue accepts a
//! dangling reference and leaves the queue inactive; the simulator rejects it instead, since
//! nothing in a scenario could ever make it active.

use crate::error::quote;
use std::collections::BTreeMap;

use super::k8s::{Meta, OBJECT_FIELDS, label_selector, opt, taint, toleration};
use super::view::{Error, F, Obj, Res};
use crate::input::spec::{
    BorrowPolicy, ClusterQueueSpec, FlavorFungibility, FlavorQuotasSpec, FlavorResourceQuota, FungibilityPolicy,
    KueuePreemption, LocalQueueSpec, QueueingStrategy, ReclaimPolicy, ResourceFlavorSpec, ResourceGroupSpec,
    SelectorOperator, SourceLoc, StopPolicy, TaintEffect, WithinCq, WorkloadPriorityClassSpec,
};

/// Most resource groups in a ClusterQueue (`ClusterQueueSpec.ResourceGroups` MaxItems).
pub(crate) const MAX_RESOURCE_GROUPS: usize = 16;
/// Most covered resources, and flavors, in one resource group (MaxItems of
/// `coveredResources`, `flavors` and `flavors[].resources`).
pub(crate) const MAX_GROUP_ITEMS: usize = 64;
/// Most flavors, and covered resources, across all groups of a ClusterQueue
/// (`validateTotalFlavors`, `validateTotalCoveredResources`).
pub(crate) const MAX_TOTAL_ITEMS: usize = 256;
/// Most (flavor, resource) combinations in one resource group
/// (`validateFlavorResourceCombinations`).
pub(crate) const MAX_GROUP_COMBINATIONS: usize = 512;
/// Most node labels, node taints and tolerations of a ResourceFlavor.
pub(crate) const MAX_FLAVOR_ITEMS: usize = 8;

/// The API version of a Kueue document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Version {
    V1beta1,
    V1beta2,
}

impl Version {
    /// The version of apiVersion `api`, if it is one the loader reads.
    pub fn of(api: &str) -> Option<Version> {
        match api {
            "kueue.x-k8s.io/v1beta1" => Some(Version::V1beta1),
            "kueue.x-k8s.io/v1beta2" => Some(Version::V1beta2),
            _ => None,
        }
    }
}

/// A reference to another object, with the error to report if the scenario lacks it.
pub(crate) struct Ref {
    pub name: String,
    pub err: Error,
}

/// A converted object and the objects it refers to.
pub(crate) struct WithRefs<T> {
    pub spec: T,
    pub refs: Vec<Ref>,
}

/// The value of an enum field, from `table`.
fn one_of<T: Copy>(f: &F, table: &[(&str, T)]) -> Res<T> {
    let s = f.str()?;
    table.iter().find(|(n, _)| *n == s).map(|(_, v)| *v).ok_or_else(|| {
        let names: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
        f.err(
            format!("unknown value {}", quote(s)),
            format!("write one of: {}", names.join(", ")),
        )
    })
}

/// An object name referred to by another object (a DNS-1123 subdomain, as Kueue's
/// `*Reference` types require).
fn reference(f: &F, what: &str) -> Res<String> {
    let s = f.name()?;
    if !crate::input::resources::is_dns1123_subdomain(&s) {
        return Err(f.err(
            format!("{} is not a valid {what} name", quote(&s)),
            "use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, \
             at most 253 characters (a DNS-1123 subdomain)",
        ));
    }
    Ok(s)
}

/// Rejects a list longer than `max`.
fn at_most(f: &F, len: usize, max: usize, what: &str) -> Res<()> {
    if len > max {
        return Err(f.err(
            format!("{len} {what}; Kueue allows at most {max}"),
            format!("keep at most {max} {what}"),
        ));
    }
    Ok(())
}

// ----- ResourceFlavor -------------------------------------------------------------------------

const FLAVOR_SPEC_FIELDS: &[&str] = &["nodeLabels", "nodeTaints", "tolerations", "topologyName"];

/// Converts a ResourceFlavor (`doc` is the whole object, `meta` its metadata).
pub(crate) fn resource_flavor(doc: &Obj, meta: Meta, loc: &SourceLoc) -> Res<ResourceFlavorSpec> {
    doc.deny_unknown(OBJECT_FIELDS, "a ResourceFlavor")?;
    let mut rf = ResourceFlavorSpec {
        name: meta.name,
        node_labels: BTreeMap::new(),
        node_taints: Vec::new(),
        tolerations: Vec::new(),
        loc: loc.clone(),
    };
    let Some(spec) = opt(doc.get("spec"), |f| f.obj())? else {
        return Ok(rf);
    };
    spec.deny_unknown(FLAVOR_SPEC_FIELDS, "a ResourceFlavor spec")?;
    if let Some(f) = spec.get("nodeLabels") {
        rf.node_labels = f.string_map()?;
        at_most(&f, rf.node_labels.len(), MAX_FLAVOR_ITEMS, "node labels")?;
    }
    if let Some(f) = spec.get("nodeTaints") {
        let items = f.seq()?;
        at_most(&f, items.len(), MAX_FLAVOR_ITEMS, "node taints")?;
        rf.node_taints = items.iter().map(taint).collect::<Res<Vec<_>>>()?;
    }
    if let Some(f) = spec.get("tolerations") {
        let items = f.seq()?;
        at_most(&f, items.len(), MAX_FLAVOR_ITEMS, "tolerations")?;
        for t in &items {
            let tol = toleration(t)?;
            if tol.toleration_seconds.is_some() && tol.effect != Some(TaintEffect::NoExecute) {
                return Err(t.err(
                    "tolerationSeconds is set but the effect is not NoExecute",
                    "write effect: NoExecute, or remove tolerationSeconds",
                ));
            }
            rf.tolerations.push(tol);
        }
    }
    if let Some(f) = spec.get("topologyName") {
        reference(&f, "Topology")?;
        if rf.node_labels.is_empty() {
            return Err(f.err(
                "a ResourceFlavor with a topologyName needs at least one node label",
                "add nodeLabels that select the flavor's nodes, or remove topologyName",
            ));
        }
    }
    Ok(rf)
}

// ----- WorkloadPriorityClass ------------------------------------------------------------------

/// Converts a WorkloadPriorityClass (`value` and `description` are top-level fields).
pub(crate) fn workload_priority_class(doc: &Obj, name: String, loc: &SourceLoc) -> Res<WorkloadPriorityClassSpec> {
    doc.deny_unknown(
        &["apiVersion", "kind", "metadata", "value", "description"],
        "a WorkloadPriorityClass",
    )?;
    let value = doc
        .req("value", "add value: an integer priority (higher is more important)")?
        .i32()?;
    opt(doc.get("description"), |f| f.string())?;
    Ok(WorkloadPriorityClassSpec {
        name,
        value,
        loc: loc.clone(),
    })
}

// ----- LocalQueue -----------------------------------------------------------------------------

/// Converts a LocalQueue; its ClusterQueue is returned as a reference to check.
pub(crate) fn local_queue(doc: &Obj, meta: Meta, loc: &SourceLoc) -> Res<WithRefs<LocalQueueSpec>> {
    doc.deny_unknown(OBJECT_FIELDS, "a LocalQueue")?;
    let fix = "add spec: {clusterQueue: <the ClusterQueue that admits this queue's jobs>}";
    let spec = doc.req("spec", fix)?.obj()?;
    spec.deny_unknown(&["clusterQueue", "fairSharing", "stopPolicy"], "a LocalQueue spec")?;
    let cq_f = spec.req("clusterQueue", fix)?;
    opt(spec.get("stopPolicy"), |f| one_of(f, STOP))?;
    if let Some(f) = spec.get("fairSharing") {
        let o = f.obj()?;
        o.deny_unknown(&["weight"], "fairSharing")?;
        opt(o.get("weight"), |w| w.quantity("weight"))?;
    }
    let cluster_queue = reference(&cq_f, "ClusterQueue")?;
    let namespace = meta
        .namespace
        .unwrap_or_else(|| super::k8s::DEFAULT_NAMESPACE.to_string());
    let err = cq_f.err(
        format!(
            "LocalQueue \"{namespace}/{}\" names ClusterQueue {}, which the scenario does \
             not define",
            meta.name,
            quote(&cluster_queue)
        ),
        format!(
            "add a ClusterQueue named {} (kind: ClusterQueue, apiVersion: kueue.x-k8s.io/v1beta2)",
            quote(&cluster_queue)
        ),
    );
    Ok(WithRefs {
        refs: vec![Ref {
            name: cluster_queue.clone(),
            err,
        }],
        spec: LocalQueueSpec {
            namespace,
            name: meta.name,
            cluster_queue,
            loc: loc.clone(),
        },
    })
}

// ----- ClusterQueue ---------------------------------------------------------------------------

const CQ_SPEC_COMMON: &[&str] = &[
    "admissionChecksStrategy",
    "admissionScope",
    "fairSharing",
    "flavorFungibility",
    "namespaceSelector",
    "preemption",
    "queueingStrategy",
    "resourceGroups",
    "stopPolicy",
];

const QUEUEING: &[(&str, QueueingStrategy)] = &[
    ("StrictFIFO", QueueingStrategy::StrictFifo),
    ("BestEffortFIFO", QueueingStrategy::BestEffortFifo),
];

const WITHIN_CQ: &[(&str, WithinCq)] = &[
    ("Never", WithinCq::Never),
    ("LowerPriority", WithinCq::LowerPriority),
    ("LowerOrNewerEqualPriority", WithinCq::LowerOrNewerEqualPriority),
];

const RECLAIM: &[(&str, ReclaimPolicy)] = &[
    ("Never", ReclaimPolicy::Never),
    ("LowerPriority", ReclaimPolicy::LowerPriority),
    ("Any", ReclaimPolicy::Any),
];

const BORROW: &[(&str, BorrowPolicy)] = &[
    ("Never", BorrowPolicy::Never),
    ("LowerPriority", BorrowPolicy::LowerPriority),
];

const STOP: &[(&str, StopPolicy)] = &[
    ("None", StopPolicy::None),
    ("Hold", StopPolicy::Hold),
    ("HoldAndDrain", StopPolicy::HoldAndDrain),
];

const FUNGIBILITY: &[(&str, FungibilityPolicy)] = &[
    ("MayStopSearch", FungibilityPolicy::MayStopSearch),
    ("TryNextFlavor", FungibilityPolicy::TryNextFlavor),
];

/// v1beta1 only: the deprecated names of MayStopSearch.
const FUNGIBILITY_BORROW_V1BETA1: &[(&str, FungibilityPolicy)] = &[
    ("MayStopSearch", FungibilityPolicy::MayStopSearch),
    ("TryNextFlavor", FungibilityPolicy::TryNextFlavor),
    ("Borrow", FungibilityPolicy::MayStopSearch),
];

const FUNGIBILITY_PREEMPT_V1BETA1: &[(&str, FungibilityPolicy)] = &[
    ("MayStopSearch", FungibilityPolicy::MayStopSearch),
    ("TryNextFlavor", FungibilityPolicy::TryNextFlavor),
    ("Preempt", FungibilityPolicy::MayStopSearch),
];

/// Converts a ClusterQueue; the ResourceFlavors it names are returned as references.
pub(crate) fn cluster_queue(
    doc: &Obj,
    version: Version,
    meta: Meta,
    loc: &SourceLoc,
) -> Res<WithRefs<ClusterQueueSpec>> {
    doc.deny_unknown(OBJECT_FIELDS, "a ClusterQueue")?;
    let mut cq = ClusterQueueSpec {
        name: meta.name,
        cohort: None,
        namespace_selector: None,
        resource_groups: Vec::new(),
        queueing_strategy: QueueingStrategy::default(),
        preemption: KueuePreemption::default(),
        flavor_fungibility: FlavorFungibility::default(),
        stop_policy: StopPolicy::default(),
        fair_sharing_weight: 1000,
        loc: loc.clone(),
    };
    let Some(spec) = opt(doc.get("spec"), |f| f.obj())? else {
        return Ok(WithRefs { spec: cq, refs: vec![] });
    };
    check_version_spelling(&spec, version)?;
    let (cohort_key, extra): (&str, &[&str]) = match version {
        Version::V1beta1 => ("cohort", &["admissionChecks", "cohort"]),
        Version::V1beta2 => ("cohortName", &["cohortName", "concurrentAdmissionPolicy"]),
    };
    let allowed: Vec<&str> = CQ_SPEC_COMMON.iter().chain(extra).copied().collect();
    spec.deny_unknown(&allowed, "a ClusterQueue spec")?;
    if let Some(f) = spec.get(cohort_key)
        && !f.str()?.is_empty()
    {
        cq.cohort = Some(reference(&f, "cohort")?);
    }
    let mut refs = Vec::new();
    if let Some(f) = spec.get("resourceGroups") {
        cq.resource_groups = resource_groups(&f, &cq, &mut refs)?;
    }
    cq.queueing_strategy = opt(spec.get("queueingStrategy"), |f| one_of(f, QUEUEING))?.unwrap_or_default();
    // Absent or null: no namespace (Kueue's nil selector); `{}`: every namespace.
    cq.namespace_selector = opt(spec.get("namespaceSelector"), namespace_selector)?;
    cq.preemption = opt(spec.get("preemption"), preemption)?.unwrap_or_default();
    cq.flavor_fungibility = opt(spec.get("flavorFungibility"), |f| fungibility(f, version))?.unwrap_or_default();
    cq.stop_policy = opt(spec.get("stopPolicy"), |f| one_of(f, STOP))?.unwrap_or_default();
    if let Some(f) = spec.get("fairSharing") {
        let o = f.obj()?;
        o.deny_unknown(&["weight"], "fairSharing")?;
        cq.fair_sharing_weight = opt(o.get("weight"), |w| w.quantity("weight"))?.unwrap_or(1000);
    }
    if let Some(f) = spec.get("admissionChecks") {
        for c in f.seq()? {
            c.name()?;
        }
    }
    unmodelled_cq_fields(&spec)?;
    Ok(WithRefs { spec: cq, refs })
}

/// Checks the shape of the ClusterQueue fields kubesim loads without simulating (their keys
/// and enums, from `apis/kueue/v1beta2/clusterqueue_types.go`: `AdmissionChecksStrategy`,
/// `AdmissionScope`, `ConcurrentAdmissionPolicy`).
fn unmodelled_cq_fields(spec: &Obj) -> Res<()> {
    if let Some(f) = spec.get("admissionChecksStrategy") {
        let o = f.obj()?;
        o.deny_unknown(&["admissionChecks"], "admissionChecksStrategy")?;
        for c in opt(o.get("admissionChecks"), |f| f.seq())?.unwrap_or_default() {
            let co = c.obj()?;
            co.deny_unknown(&["name", "onFlavors"], "an admission check rule")?;
            co.req("name", "name the AdmissionCheck")?.name()?;
            for fl in opt(co.get("onFlavors"), |f| f.seq())?.unwrap_or_default() {
                reference(&fl, "ResourceFlavor")?;
            }
        }
    }
    if let Some(f) = spec.get("admissionScope") {
        let o = f.obj()?;
        o.deny_unknown(&["admissionMode"], "admissionScope")?;
        let modes = &[("UsageBasedAdmissionFairSharing", ()), ("NoAdmissionFairSharing", ())];
        o.req(
            "admissionMode",
            "write admissionMode: UsageBasedAdmissionFairSharing or NoAdmissionFairSharing",
        )
        .and_then(|m| one_of(&m, modes))?;
    }
    if let Some(f) = spec.get("concurrentAdmissionPolicy") {
        let o = f.obj()?;
        o.deny_unknown(&["migration"], "concurrentAdmissionPolicy")?;
        if let Some(m) = o.get("migration") {
            let mo = m.obj()?;
            mo.deny_unknown(&["constraints", "mode"], "concurrentAdmissionPolicy.migration")?;
            let modes = &[("TryPreferredFlavors", ()), ("RetainFirstAdmission", ())];
            opt(mo.get("mode"), |f| one_of(f, modes))?;
            if let Some(c) = mo.get("constraints") {
                let co = c.obj()?;
                co.deny_unknown(&["lastAcceptableFlavorName"], "migration.constraints")?;
                opt(co.get("lastAcceptableFlavorName"), |f| reference(f, "ResourceFlavor"))?;
            }
        }
    }
    Ok(())
}

/// Points a user who wrote the other version's spelling at the right one.
fn check_version_spelling(spec: &Obj, version: Version) -> Res<()> {
    let (wrong, right, fix) = match version {
        Version::V1beta1 => (
            "cohortName",
            "cohort",
            "write cohort (v1beta1), or use apiVersion kueue.x-k8s.io/v1beta2",
        ),
        Version::V1beta2 => (
            "cohort",
            "cohortName",
            "write cohortName (v1beta2), or use apiVersion kueue.x-k8s.io/v1beta1",
        ),
    };
    if let Some(f) = spec.get(wrong) {
        return Err(f.err(
            format!("unknown field `{wrong}` in a ClusterQueue spec: this version names it `{right}`"),
            fix,
        ));
    }
    if version == Version::V1beta2
        && let Some(f) = spec.get("admissionChecks")
    {
        return Err(f.err(
            "unknown field `admissionChecks` in a v1beta2 ClusterQueue spec",
            "write admissionChecksStrategy (v1beta2), or use apiVersion kueue.x-k8s.io/v1beta1",
        ));
    }
    Ok(())
}

/// A namespaceSelector: a label selector whose operators are In, NotIn, Exists, DoesNotExist.
fn namespace_selector(f: &F) -> Res<crate::input::spec::LabelSelector> {
    let sel = label_selector(f)?;
    for (i, r) in sel.match_expressions.iter().enumerate() {
        if matches!(r.operator, SelectorOperator::Gt | SelectorOperator::Lt) {
            let e = f.obj()?.req("matchExpressions", "")?.seq()?[i].clone();
            return Err(e.err(
                "a label selector cannot use operator Gt or Lt",
                "write In, NotIn, Exists or DoesNotExist",
            ));
        }
    }
    Ok(sel)
}

fn preemption(f: &F) -> Res<KueuePreemption> {
    let o = f.obj()?;
    o.deny_unknown(
        &["borrowWithinCohort", "reclaimWithinCohort", "withinClusterQueue"],
        "a ClusterQueue preemption",
    )?;
    let mut p = KueuePreemption {
        within_cluster_queue: opt(o.get("withinClusterQueue"), |f| one_of(f, WITHIN_CQ))?.unwrap_or_default(),
        reclaim_within_cohort: opt(o.get("reclaimWithinCohort"), |f| one_of(f, RECLAIM))?.unwrap_or_default(),
        ..KueuePreemption::default()
    };
    if let Some(b) = o.get("borrowWithinCohort") {
        let bo = b.obj()?;
        bo.deny_unknown(&["maxPriorityThreshold", "policy"], "borrowWithinCohort")?;
        let policy_f = bo.get("policy");
        p.borrow_within_cohort = opt(policy_f.clone(), |f| one_of(f, BORROW))?.unwrap_or_default();
        p.max_priority_threshold = opt(bo.get("maxPriorityThreshold"), |f| f.i32())?;
        if p.borrow_within_cohort != BorrowPolicy::Never
            && p.reclaim_within_cohort == ReclaimPolicy::Never
            && let Some(pf) = policy_f
        {
            return Err(pf.err(
                "borrowWithinCohort.policy is not Never while reclaimWithinCohort is Never",
                "set reclaimWithinCohort to LowerPriority or Any, or borrowWithinCohort.policy to Never",
            ));
        }
    }
    Ok(p)
}

fn fungibility(f: &F, version: Version) -> Res<FlavorFungibility> {
    let o = f.obj()?;
    o.deny_unknown(&["preference", "whenCanBorrow", "whenCanPreempt"], "flavorFungibility")?;
    let preferences = &[("BorrowingOverPreemption", ()), ("PreemptionOverBorrowing", ())];
    opt(o.get("preference"), |f| one_of(f, preferences))?;
    let (borrow, preempt) = match version {
        Version::V1beta1 => (FUNGIBILITY_BORROW_V1BETA1, FUNGIBILITY_PREEMPT_V1BETA1),
        Version::V1beta2 => (FUNGIBILITY, FUNGIBILITY),
    };
    let d = FlavorFungibility::default();
    Ok(FlavorFungibility {
        when_can_borrow: opt(o.get("whenCanBorrow"), |f| one_of(f, borrow))?.unwrap_or(d.when_can_borrow),
        when_can_preempt: opt(o.get("whenCanPreempt"), |f| one_of(f, preempt))?.unwrap_or(d.when_can_preempt),
    })
}

/// Where each resource and flavor was first seen across the groups of one ClusterQueue.
#[derive(Default)]
struct Seen {
    resources: BTreeMap<String, usize>,
    flavors: BTreeMap<String, usize>,
    total_flavors: usize,
    total_resources: usize,
}

fn resource_groups(f: &F, cq: &ClusterQueueSpec, refs: &mut Vec<Ref>) -> Res<Vec<ResourceGroupSpec>> {
    let items = f.seq()?;
    at_most(f, items.len(), MAX_RESOURCE_GROUPS, "resource groups")?;
    let mut seen = Seen::default();
    let mut out = Vec::new();
    for (gi, g) in items.iter().enumerate() {
        out.push(resource_group(g, gi, cq, &mut seen, refs)?);
        if seen.total_flavors > MAX_TOTAL_ITEMS {
            return Err(f.err(
                format!(
                    "{} flavors across the resource groups; Kueue allows at most {MAX_TOTAL_ITEMS}",
                    seen.total_flavors
                ),
                format!("keep at most {MAX_TOTAL_ITEMS} flavors in all"),
            ));
        }
        if seen.total_resources > MAX_TOTAL_ITEMS {
            return Err(f.err(
                format!(
                    "{} covered resources across the resource groups; Kueue allows at most {MAX_TOTAL_ITEMS}",
                    seen.total_resources
                ),
                format!("keep at most {MAX_TOTAL_ITEMS} covered resources in all"),
            ));
        }
    }
    Ok(out)
}

fn resource_group(
    g: &F,
    gi: usize,
    cq: &ClusterQueueSpec,
    seen: &mut Seen,
    refs: &mut Vec<Ref>,
) -> Res<ResourceGroupSpec> {
    let o = g.obj()?;
    o.deny_unknown(&["coveredResources", "flavors"], "a resource group")?;
    let covered_resources = covered_resources(&o, gi, seen)?;
    let flavors_f = o.req(
        "flavors",
        "list the flavors that provide the group's resources: flavors: [{name, resources: [...]}]",
    )?;
    let items = flavors_f.seq()?;
    if items.is_empty() {
        return Err(flavors_f.err("the resource group has no flavor", "list at least one flavor"));
    }
    at_most(&flavors_f, items.len(), MAX_GROUP_ITEMS, "flavors")?;
    let combinations = items.len() * covered_resources.len();
    if combinations > MAX_GROUP_COMBINATIONS {
        return Err(flavors_f.err(
            format!(
                "{combinations} flavor-resource combinations; Kueue allows at most {MAX_GROUP_COMBINATIONS} per group"
            ),
            "use fewer flavors or covered resources in this group",
        ));
    }
    seen.total_flavors += items.len();
    let mut flavors = Vec::new();
    for fq in &items {
        flavors.push(flavor_quotas(fq, gi, &covered_resources, cq, seen, refs)?);
    }
    Ok(ResourceGroupSpec {
        covered_resources,
        flavors,
    })
}

fn covered_resources(o: &Obj, gi: usize, seen: &mut Seen) -> Res<Vec<String>> {
    let f = o.req(
        "coveredResources",
        "list the resources this group covers: coveredResources: [cpu, memory]",
    )?;
    let items = f.seq()?;
    if items.is_empty() {
        return Err(f.err("coveredResources is empty", "list at least one resource"));
    }
    at_most(&f, items.len(), MAX_GROUP_ITEMS, "covered resources")?;
    seen.total_resources += items.len();
    let mut out = Vec::new();
    for r in &items {
        let name = r.name()?;
        if let Some(first) = seen.resources.get(&name) {
            let (msg, fix) = if *first == gi {
                ("twice in this group", "list each resource once")
            } else {
                (
                    "in two resource groups",
                    "cover each resource in one resource group only",
                )
            };
            return Err(r.err(
                format!(
                    "resource {} is covered {msg} (first in spec.resourceGroups[{first}])",
                    quote(&name)
                ),
                fix,
            ));
        }
        seen.resources.insert(name.clone(), gi);
        out.push(name);
    }
    Ok(out)
}

fn flavor_quotas(
    fq: &F,
    gi: usize,
    covered: &[String],
    cq: &ClusterQueueSpec,
    seen: &mut Seen,
    refs: &mut Vec<Ref>,
) -> Res<FlavorQuotasSpec> {
    let o = fq.obj()?;
    o.deny_unknown(&["name", "resources"], "a flavor of a resource group")?;
    let name_f = o.req("name", "name the flavor: the metadata.name of a ResourceFlavor")?;
    let name = reference(&name_f, "ResourceFlavor")?;
    if let Some(first) = seen.flavors.get(&name) {
        return Err(name_f.err(
            format!(
                "flavor {} appears twice in the ClusterQueue (first in spec.resourceGroups[{first}])",
                quote(&name)
            ),
            "list each flavor once, in one resource group",
        ));
    }
    seen.flavors.insert(name.clone(), gi);
    refs.push(Ref {
        name: name.clone(),
        err: name_f.err(
            format!(
                "ClusterQueue {} names ResourceFlavor {}, which the scenario does not define",
                quote(&cq.name),
                quote(&name)
            ),
            format!(
                "add a ResourceFlavor named {} (kind: ResourceFlavor, apiVersion: kueue.x-k8s.io/v1beta2)",
                quote(&name)
            ),
        ),
    });
    let res_f = o.req(
        "resources",
        "give the quota of every covered resource: resources: [{name, nominalQuota}]",
    )?;
    let items = res_f.seq()?;
    if items.len() != covered.len() {
        return Err(res_f.err(
            format!(
                "the flavor lists {} resources; the group covers {} ({})",
                items.len(),
                covered.len(),
                covered.join(", ")
            ),
            "give one entry per covered resource, in the order of coveredResources",
        ));
    }
    let mut resources = Vec::new();
    for (r, want) in items.iter().zip(covered) {
        resources.push(resource_quota(r, want, cq)?);
    }
    Ok(FlavorQuotasSpec { name, resources })
}

fn resource_quota(r: &F, want: &str, cq: &ClusterQueueSpec) -> Res<FlavorResourceQuota> {
    let o = r.obj()?;
    o.deny_unknown(
        &["borrowingLimit", "lendingLimit", "name", "nominalQuota"],
        "a resource quota",
    )?;
    let name_f = o.req("name", &format!("write name: {want}"))?;
    let name = name_f.name()?;
    if name != want {
        return Err(name_f.err(
            format!(
                "resource {} is not the covered resource at this position ({})",
                quote(&name),
                quote(want)
            ),
            "list the resources in the order of coveredResources",
        ));
    }
    let nominal = o
        .req("nominalQuota", "add nominalQuota: the amount this ClusterQueue owns")?
        .quantity(&name)?;
    let limit = |key: &str| -> Res<Option<i64>> {
        let Some(f) = o.get(key) else {
            return Ok(None);
        };
        let v = f.quantity(&name)?;
        if cq.cohort.is_none() {
            return Err(f.err(
                format!("{key} is set but the ClusterQueue has no cohort"),
                format!("remove {key}, or put the ClusterQueue in a cohort"),
            ));
        }
        Ok(Some(v))
    };
    let borrowing_limit = limit("borrowingLimit")?;
    let lending_limit = limit("lendingLimit")?;
    if let (Some(l), Some(f)) = (lending_limit, o.get("lendingLimit"))
        && l > nominal
    {
        return Err(f.err(
            "lendingLimit is greater than nominalQuota",
            "write a lendingLimit of at most nominalQuota",
        ));
    }
    Ok(FlavorResourceQuota {
        name,
        nominal,
        borrowing_limit,
        lending_limit,
    })
}

#[cfg(test)]
mod tests;
mod workload;
pub(crate) use workload::{
    V1BETA1_SPEC as WORKLOAD_V1BETA1_SPEC, V1BETA2_SPEC as WORKLOAD_V1BETA2_SPEC, bare_workload,
    owned as workload_owned,
};
