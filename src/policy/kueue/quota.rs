//! Kueue's quota arithmetic, flavor assignment and classical preemption target selection, as
//! pure functions over plain data (no World, no engine): the integrator keeps a [`QuotaTree`]
//! in step with admissions and releases, and asks it what fits and whom to preempt.
//!
//! Sources (kubernetes-sigs/kueue at the snapshot of semantics.md section 0):
//! `pkg/cache/scheduler/resource_node.go` (`localQuota`, `available`, `potentialAvailable`,
//! `addUsage`, `accumulateFromChild`, `QuantitiesFitInQuota`, `IsWithinNominalInResources`),
//! `pkg/cache/scheduler/clusterqueue_snapshot.go` (`Available` clamps at 0, `BorrowingWith`),
//! `pkg/scheduler/flavorassigner/flavorassigner.go` (`findFlavorForPodSets`,
//! `fitsResourceQuota`, `isPreferred`, `shouldTryNextFlavor`),
//! `pkg/scheduler/preemption/classical/hierarchical_preemption.go`
//! (`classifyPreemptionVariant`, `collectCandidatesForHierarchicalReclaim`),
//! `pkg/scheduler/preemption/classical/candidate_generator.go` (candidate order,
//! `candidateIsValid`), `pkg/scheduler/preemption/classical_strategy.go` (which borrowing
//! attempts are made, in which order), `pkg/scheduler/preemption/preemption.go` (`getTargets`,
//! `fillBackWorkloads`, `workloadQuotaFits`, `queueUnderNominalInResourcesNeedingPreemption`),
//! `pkg/scheduler/preemption/preemption_oracle.go` (`SimulatePreemption`) and
//! `pkg/scheduler/preemption/common/ordering.go` (`CandidatesOrdering`).
//!
//! Implemented exactly, for cohorts one level deep (a cohort is the set of ClusterQueues naming
//! it; there are no Cohort objects, so a cohort has no quota of its own and no parent):
//! - KQ-Q1/KQ-Q2: local quota, a cohort's subtree quota and usage, `available`,
//!   `potential_available`, borrowing limits and lending limits ([`QuotaTree`]).
//! - Flavor assignment of one pod-set group (the workload's total request per resource) with
//!   both `flavorFungibility` policies and either value of each ([`assign_flavors`]): per
//!   resource group, flavors in order; a flavor's mode is the worst of its requested
//!   resources' modes (Fit, Preempt with a preemption possibility from an oracle, NoFit); the
//!   search stops at a flavor unless the fungibility policy says to try the next, else the best
//!   flavor seen wins (`isPreferred` with the default preference BorrowingOverPreemption).
//!   With the defaults (whenCanBorrow MayStopSearch, whenCanPreempt TryNextFlavor) this picks
//!   the first flavor where everything fits, borrowing or not, else the best flavor where
//!   preemption can help (reclaim before priority preemption, then without borrowing before
//!   with), else NoFit.
//! - Classical preemption (KQ-S4, [`preemption_targets`]): candidates by `withinClusterQueue`
//!   and `reclaimWithinCohort`, the borrowing variants of `borrowWithinCohort` with
//!   `maxPriorityThreshold`, Kueue's candidate order, the borrowing attempts, the check that
//!   skips a candidate whose ClusterQueue stopped borrowing after earlier removals, greedy
//!   removal and fill-back. [`simulate_preemption`] is Kueue's preemption oracle, for
//!   [`assign_flavors`].
//!
//! Not implemented (the integrator decides whether they matter):
//! - Hierarchical cohorts, Cohort objects and cohort-level quotas; fair sharing (KQ-S5) and
//!   admission fair sharing (the LocalQueue-usage ordering key); configurable preemptions.
//! - The flavor scan state that makes a retried workload resume at the flavor after the last
//!   one tried (`FlavorScanState`): every assignment here starts at the first flavor.
//! - `flavorFungibility.preference` (PreemptionOverBorrowing) and the per-pod-set grouping of
//!   a workload (TAS groups): the request is one group, the workload's total.
//! - Matching a flavor's node labels and taints against the pod sets: the caller passes the
//!   eligible flavors as a predicate.
//! - Partial admission (`minCount`), topology-aware scheduling, admission checks.
//!
//! All amounts are canonical integer units (`spec` module doc); sums saturate instead of
//! overflowing.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::input::spec::{
    BorrowPolicy, ClusterQueueSpec, FlavorFungibility, FungibilityPolicy, KueuePreemption, ReclaimPolicy, ResourceList,
    WithinCq,
};
use crate::sim::WlId;

/// A ClusterQueue, by its index in [`QuotaTree::cqs`].
pub type CqId = usize;
/// A cohort, by its index in [`QuotaTree::cohorts`].
pub type CohortId = usize;

/// A (flavor, resource) pair, as indices into [`QuotaTree::flavors`] and
/// [`QuotaTree::resources`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Fr {
    pub flavor: usize,
    pub resource: usize,
}

/// The quota of one (flavor, resource) of a ClusterQueue (KQ-Q1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Quota {
    pub nominal: i64,
    pub borrowing_limit: Option<i64>,
    pub lending_limit: Option<i64>,
}

/// A resource group of a ClusterQueue: covered resources and flavors (in preference order),
/// as indices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub resources: Vec<usize>,
    pub flavors: Vec<usize>,
}

/// One ClusterQueue's quotas, current usage and policies. What never changes is shared, so
/// that copies of the tree (the cycle's view, the preemption simulations) copy only usage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CqQuota {
    pub name: Arc<str>,
    pub cohort: Option<CohortId>,
    pub groups: Arc<Vec<Group>>,
    /// Quotas of the (flavor, resource) pairs the ClusterQueue defines; others are 0.
    pub quotas: Arc<BTreeMap<Fr, Quota>>,
    /// Quota reserved by the workloads admitted to this ClusterQueue.
    pub usage: BTreeMap<Fr, i64>,
    pub preemption: KueuePreemption,
    pub fungibility: FlavorFungibility,
}

/// A cohort: the ClusterQueues that name it, in ClusterQueue order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cohort {
    pub name: String,
    pub members: Vec<CqId>,
}

/// All ClusterQueues and cohorts with their quotas and usage (KQ-Q1, KQ-Q2). A cohort's
/// quota and usage are derived from its members on every query, so only ClusterQueue usage
/// is state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuotaTree {
    /// Flavor names, in order of first appearance in the ClusterQueues.
    pub flavors: Arc<Vec<String>>,
    /// Resource names, in order of first appearance.
    pub resources: Arc<Vec<String>>,
    pub cqs: Vec<CqQuota>,
    pub cohorts: Arc<Vec<Cohort>>,
}

/// Whether a request fits a ClusterQueue now ([`QuotaTree::fits`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FitMode {
    /// Fits within the ClusterQueue's nominal quota.
    Fit,
    /// Fits, with some (flavor, resource) used above nominal (borrowed from the cohort).
    FitBorrowing,
    NoFit,
}

fn index_of(names: &mut Vec<String>, name: &str) -> usize {
    match names.iter().position(|n| n == name) {
        Some(i) => i,
        None => {
            names.push(name.to_string());
            names.len() - 1
        }
    }
}

impl QuotaTree {
    /// Builds the tree of `specs` with no usage: ClusterQueue `i` is `specs[i]`; a cohort
    /// exists for each name some ClusterQueue gives.
    pub fn new(specs: &[ClusterQueueSpec]) -> QuotaTree {
        let mut t = QuotaTree::default();
        for (id, spec) in specs.iter().enumerate() {
            let cohort = spec.cohort.as_deref().map(|name| t.cohort_index(name));
            if let Some(c) = cohort {
                Arc::make_mut(&mut t.cohorts)[c].members.push(id);
            }
            let mut groups = Vec::new();
            let mut quotas = BTreeMap::new();
            let mut cq = CqQuota {
                name: Arc::from(spec.name.as_str()),
                cohort,
                groups: Arc::default(),
                quotas: Arc::default(),
                usage: BTreeMap::new(),
                preemption: spec.preemption,
                fungibility: spec.flavor_fungibility,
            };
            for g in &spec.resource_groups {
                let resources: Vec<usize> = g
                    .covered_resources
                    .iter()
                    .map(|r| index_of(Arc::make_mut(&mut t.resources), r))
                    .collect();
                let mut flavors = Vec::new();
                for fq in &g.flavors {
                    let flavor = index_of(Arc::make_mut(&mut t.flavors), &fq.name);
                    flavors.push(flavor);
                    for (rq, &resource) in fq.resources.iter().zip(&resources) {
                        let q = Quota {
                            nominal: rq.nominal,
                            borrowing_limit: rq.borrowing_limit,
                            lending_limit: rq.lending_limit,
                        };
                        quotas.insert(Fr { flavor, resource }, q);
                    }
                }
                groups.push(Group { resources, flavors });
            }
            cq.groups = Arc::new(groups);
            cq.quotas = Arc::new(quotas);
            t.cqs.push(cq);
        }
        t
    }

    fn cohort_index(&mut self, name: &str) -> CohortId {
        match self.cohorts.iter().position(|c| c.name == name) {
            Some(i) => i,
            None => {
                Arc::make_mut(&mut self.cohorts).push(Cohort {
                    name: name.to_string(),
                    members: Vec::new(),
                });
                self.cohorts.len() - 1
            }
        }
    }

    /// The ClusterQueue named `name`.
    pub fn cq_id(&self, name: &str) -> Option<CqId> {
        self.cqs.iter().position(|c| *c.name == *name)
    }

    /// The pair of flavor `flavor` and resource `resource`, if both are known.
    pub fn fr(&self, flavor: &str, resource: &str) -> Option<Fr> {
        Some(Fr {
            flavor: self.flavors.iter().position(|f| f == flavor)?,
            resource: self.resources.iter().position(|r| r == resource)?,
        })
    }

    /// The quota of `fr` in `cq` (all zero if the ClusterQueue does not define it).
    pub fn quota(&self, cq: CqId, fr: Fr) -> Quota {
        self.cqs[cq].quotas.get(&fr).copied().unwrap_or_default()
    }

    /// The quota of `fr` reserved by `cq`'s admitted workloads.
    pub fn usage(&self, cq: CqId, fr: Fr) -> i64 {
        self.cqs[cq].usage.get(&fr).copied().unwrap_or(0)
    }

    /// Reserves `usage` in `cq` (a workload admitted). A cohort's usage follows (KQ-Q1).
    pub fn add_usage(&mut self, cq: CqId, usage: &[(Fr, i64)]) {
        for &(fr, v) in usage {
            let u = self.cqs[cq].usage.entry(fr).or_insert(0);
            *u = u.saturating_add(v);
        }
    }

    /// Releases `usage` from `cq` (a workload finished or evicted).
    pub fn remove_usage(&mut self, cq: CqId, usage: &[(Fr, i64)]) {
        for &(fr, v) in usage {
            let u = self.cqs[cq].usage.entry(fr).or_insert(0);
            *u = u.saturating_sub(v);
        }
    }

    /// KQ-Q1 `localQuota`: the part of `cq`'s nominal quota never lent to its cohort,
    /// `max(0, nominal − lendingLimit)` with a lending limit, else 0.
    pub fn local_quota(&self, cq: CqId, fr: Fr) -> i64 {
        let q = self.quota(cq, fr);
        q.lending_limit.map_or(0, |l| q.nominal.saturating_sub(l).max(0))
    }

    /// KQ-Q1 a cohort's `SubtreeQuota`: Σ over members of `nominal − localQuota` (what the
    /// members lend).
    pub fn cohort_subtree_quota(&self, cohort: CohortId, fr: Fr) -> i64 {
        self.cohorts[cohort].members.iter().fold(0i64, |acc, &m| {
            acc.saturating_add(self.quota(m, fr).nominal.saturating_sub(self.local_quota(m, fr)))
        })
    }

    /// KQ-Q1 a cohort's `Usage`: Σ over members of `max(0, usage − localQuota)` (what the
    /// members use of the lent quota).
    pub fn cohort_usage(&self, cohort: CohortId, fr: Fr) -> i64 {
        self.cohorts[cohort].members.iter().fold(0i64, |acc, &m| {
            acc.saturating_add(self.usage(m, fr).saturating_sub(self.local_quota(m, fr)).max(0))
        })
    }

    /// KQ-Q2 `available`: how much more of `fr` a workload of `cq` can reserve now, never
    /// negative. Without a cohort `nominal − usage`; in a cohort `max(0, localQuota − usage)`
    /// plus what the cohort has left, capped by the borrowing limit:
    /// `min(cohortQuota − cohortUsage, storedInParent − usedInParent + borrowingLimit)`.
    pub fn available(&self, cq: CqId, fr: Fr) -> i64 {
        let q = self.quota(cq, fr);
        let usage = self.usage(cq, fr);
        let Some(cohort) = self.cqs[cq].cohort else {
            return q.nominal.saturating_sub(usage).max(0);
        };
        let local = self.local_quota(cq, fr);
        let mut parent = self
            .cohort_subtree_quota(cohort, fr)
            .saturating_sub(self.cohort_usage(cohort, fr));
        if let Some(limit) = q.borrowing_limit {
            let stored_in_parent = q.nominal.saturating_sub(local);
            let used_in_parent = usage.saturating_sub(local).max(0);
            parent = parent.min(stored_in_parent.saturating_sub(used_in_parent).saturating_add(limit));
        }
        local.saturating_sub(usage).max(0).saturating_add(parent).max(0)
    }

    /// KQ-Q2 `potentialAvailable`: the most of `fr` `cq` could hold with no usage anywhere:
    /// `nominal` without a cohort, else `localQuota + cohortQuota`, capped at
    /// `nominal + borrowingLimit`.
    pub fn potential_available(&self, cq: CqId, fr: Fr) -> i64 {
        let q = self.quota(cq, fr);
        let Some(cohort) = self.cqs[cq].cohort else {
            return q.nominal;
        };
        let all = self
            .local_quota(cq, fr)
            .saturating_add(self.cohort_subtree_quota(cohort, fr));
        match q.borrowing_limit {
            Some(limit) => all.min(q.nominal.saturating_add(limit)),
            None => all,
        }
    }

    /// Whether `cq` would use `fr` above its nominal quota (borrow, KQ-Q2) after reserving
    /// `val` more.
    pub fn borrowing_with(&self, cq: CqId, fr: Fr, val: i64) -> bool {
        self.quota(cq, fr).nominal < self.usage(cq, fr).saturating_add(val)
    }

    /// Whether `request` fits `cq` now: every amount at most [`QuotaTree::available`];
    /// borrowing if `cq` is in a cohort and some amount takes its (flavor, resource) above
    /// nominal (without a cohort there is nothing to borrow from).
    pub fn fits(&self, cq: CqId, request: &[(Fr, i64)]) -> FitMode {
        if request.iter().any(|&(fr, v)| v > self.available(cq, fr)) {
            return FitMode::NoFit;
        }
        let in_cohort = self.cqs[cq].cohort.is_some();
        if in_cohort && request.iter().any(|&(fr, v)| self.borrowing_with(cq, fr, v)) {
            FitMode::FitBorrowing
        } else {
            FitMode::Fit
        }
    }

    /// Whether `cq` uses at most its nominal quota of every pair in `frs`
    /// (`IsWithinNominalInResources`).
    fn within_nominal(&self, cq: CqId, frs: &[Fr]) -> bool {
        frs.iter().all(|&fr| !self.borrowing_with(cq, fr, 0))
    }

    /// The group of `cq` covering resource `resource`.
    fn group_of(&self, cq: CqId, resource: usize) -> Option<&Group> {
        self.cqs[cq].groups.iter().find(|g| g.resources.contains(&resource))
    }
}

// ----- Flavor assignment ----------------------------------------------------------------------

/// How a flavor can take a request, worst to best (Kueue's `preemptionMode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PreemptionMode {
    NoFit,
    /// Preemption could make room by quota, but the simulation found no victims.
    NoCandidates,
    /// Fits after preempting, some victim in the same ClusterQueue.
    Preempt,
    /// Fits after preempting only workloads of other ClusterQueues (reclaim).
    Reclaim,
    Fit,
}

/// What the preemption oracle found for one (flavor, resource) ([`simulate_preemption`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PreemptionPossibility {
    NoCandidates,
    Preempt,
    Reclaim,
}

/// A mode and whether it borrows (Kueue's `granularMode`; with one-level cohorts the
/// borrowing level is 0 or 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GranularMode {
    pub mode: PreemptionMode,
    pub borrowing: bool,
}

impl GranularMode {
    const WORST: GranularMode = GranularMode {
        mode: PreemptionMode::NoFit,
        borrowing: true,
    };
    const BEST: GranularMode = GranularMode {
        mode: PreemptionMode::Fit,
        borrowing: false,
    };

    /// `isPreferred` with the default preference BorrowingOverPreemption: NoFit last,
    /// NoCandidates next, then the better preemption mode, then not borrowing.
    fn preferred_over(self, other: GranularMode) -> bool {
        if self.mode == PreemptionMode::NoFit {
            return false;
        }
        if other.mode == PreemptionMode::NoFit {
            return true;
        }
        let (a_nc, b_nc) = (
            self.mode == PreemptionMode::NoCandidates,
            other.mode == PreemptionMode::NoCandidates,
        );
        if a_nc != b_nc {
            return !a_nc;
        }
        if self.mode != other.mode {
            return self.mode > other.mode;
        }
        !self.borrowing && other.borrowing
    }

    /// `shouldTryNextFlavor`: NoFit and NoCandidates always; a preemption mode when
    /// whenCanPreempt is TryNextFlavor; borrowing when whenCanBorrow is TryNextFlavor.
    fn try_next_flavor(self, f: FlavorFungibility) -> bool {
        match self.mode {
            PreemptionMode::NoFit | PreemptionMode::NoCandidates => true,
            PreemptionMode::Preempt | PreemptionMode::Reclaim
                if f.when_can_preempt == FungibilityPolicy::TryNextFlavor =>
            {
                true
            }
            _ => self.borrowing && f.when_can_borrow == FungibilityPolicy::TryNextFlavor,
        }
    }
}

/// The flavors assigned to a workload's request ([`assign_flavors`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// The flavor of each requested resource (resource index → flavor index); resources of a
    /// group that found no flavor are absent.
    pub flavors: BTreeMap<usize, usize>,
    /// What admission reserves: the request per (flavor, resource).
    pub usage: Vec<(Fr, i64)>,
    /// The worst mode over the groups; NoFit if some requested resource got no flavor.
    pub mode: GranularMode,
    /// The (flavor, resource) pairs whose mode is a preemption mode: where victims are needed.
    pub need_preemption: Vec<Fr>,
    /// Why the assignment is not a plain fit, as Kueue's flavor assigner records it (its
    /// `Status` reasons): those of the first resource group that found no flavor, else those
    /// of every group whose chosen flavor does not simply fit (every flavor tried counts).
    pub shortfalls: Vec<Shortfall>,
}

/// One reason of Kueue's flavor assigner (flavorassigner.go), for the caller to word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shortfall {
    /// The pod template does not take the flavor: an untolerated taint or its node labels
    /// (`checkFlavorForPodSets`).
    Mismatch { flavor: usize },
    /// More than the ClusterQueue could ever hold (`fitsResourceQuota`, NoFit): `max` is
    /// `potentialAvailable`.
    OverMax { fr: Fr, request: i64, max: i64 },
    /// More than is unused now (`fitsResourceQuota`): `more` missing.
    Unused { fr: Fr, more: i64 },
    /// No resource group of the ClusterQueue covers the resource (`findFlavorForPodSets`).
    Uncovered { resource: String },
}

/// The reason `fitsResourceQuota` records for `val` of `fr`, if it does not simply fit.
fn shortfall(tree: &QuotaTree, cq: CqId, fr: Fr, val: i64) -> Option<Shortfall> {
    let max = tree.potential_available(cq, fr);
    if val > max {
        return Some(Shortfall::OverMax { fr, request: val, max });
    }
    let available = tree.available(cq, fr);
    (val > available).then_some(Shortfall::Unused {
        fr,
        more: val - available,
    })
}

/// The mode of assigning `fr` to `val` of a request (`fitsResourceQuota`): NoFit above
/// `potential_available`; Fit at most `available` (borrowing if above nominal); otherwise the
/// oracle's answer when preemption could help (`val <= nominal`, or the ClusterQueue may
/// preempt within itself or while borrowing), else NoFit.
fn resource_mode(
    tree: &QuotaTree,
    cq: CqId,
    fr: Fr,
    val: i64,
    oracle: &mut dyn FnMut(Fr, i64) -> (PreemptionPossibility, bool),
) -> GranularMode {
    if val > tree.potential_available(cq, fr) {
        return GranularMode::WORST;
    }
    let borrowing = tree.cqs[cq].cohort.is_some() && tree.borrowing_with(cq, fr, val);
    if val <= tree.available(cq, fr) {
        return GranularMode {
            mode: PreemptionMode::Fit,
            borrowing,
        };
    }
    let p = tree.cqs[cq].preemption;
    let may_preempt = val <= tree.quota(cq, fr).nominal
        || p.within_cluster_queue != WithinCq::Never
        || p.borrow_within_cohort != BorrowPolicy::Never;
    if !may_preempt {
        return GranularMode {
            mode: PreemptionMode::NoFit,
            borrowing,
        };
    }
    let (possibility, borrowing) = oracle(fr, val);
    let mode = match possibility {
        PreemptionPossibility::NoCandidates => PreemptionMode::NoCandidates,
        PreemptionPossibility::Preempt => PreemptionMode::Preempt,
        PreemptionPossibility::Reclaim => PreemptionMode::Reclaim,
    };
    GranularMode { mode, borrowing }
}

/// The flavor chosen for one resource group and its mode (`findFlavorForPodSets`), or `None`
/// if no eligible flavor can take the group's request.
fn assign_group(
    tree: &QuotaTree,
    cq: CqId,
    group: &Group,
    request: &[(usize, i64)],
    flavor_ok: &dyn Fn(usize) -> bool,
    oracle: &mut dyn FnMut(Fr, i64) -> (PreemptionPossibility, bool),
    shortfalls: &mut Vec<Shortfall>,
) -> Option<(usize, GranularMode)> {
    let fungibility = tree.cqs[cq].fungibility;
    let mut best: Option<(usize, GranularMode)> = None;
    for &flavor in &group.flavors {
        if !flavor_ok(flavor) {
            shortfalls.push(Shortfall::Mismatch { flavor });
            continue;
        }
        let mut rep = GranularMode::BEST;
        for &(resource, val) in request {
            let fr = Fr { flavor, resource };
            shortfalls.extend(shortfall(tree, cq, fr, val));
            // Once the flavor cannot fit, the other resources only add their reasons.
            if rep.mode == PreemptionMode::NoFit {
                continue;
            }
            let mode = resource_mode(tree, cq, fr, val, oracle);
            if rep.preferred_over(mode) {
                rep = mode;
            }
        }
        if !rep.try_next_flavor(fungibility) {
            return Some((flavor, rep));
        }
        if rep.preferred_over(best.map_or(GranularMode::WORST, |(_, m)| m)) {
            best = Some((flavor, rep));
        }
    }
    best
}

/// Assigns flavors to a workload's total `request` (resource name → amount) in `cq`
/// (KQ-S1, `AssignFlavors` for one pod-set group): each resource group in the order of the
/// request's first resource in it, flavors in the group's order, `flavor_ok` deciding which
/// flavors the pod sets may use (node labels, taints). A requested resource the ClusterQueue
/// does not cover is NoFit unless its amount is 0; if the ClusterQueue covers `pods`, the
/// request should hold the pod count there (×1000, canonical units), as Kueue adds it.
/// `oracle(fr, amount)` answers whether
/// preempting makes room for `amount` of `fr` and whether the workload then borrows
/// ([`simulate_preemption`] is Kueue's).
pub fn assign_flavors(
    tree: &QuotaTree,
    cq: CqId,
    request: &ResourceList,
    flavor_ok: &dyn Fn(usize) -> bool,
    oracle: &mut dyn FnMut(Fr, i64) -> (PreemptionPossibility, bool),
) -> Assignment {
    let mut out = Assignment {
        flavors: BTreeMap::new(),
        usage: Vec::new(),
        mode: GranularMode::BEST,
        need_preemption: Vec::new(),
        shortfalls: Vec::new(),
    };
    for (name, &amount) in request {
        let group = tree
            .resources
            .iter()
            .position(|r| r == name)
            .and_then(|r| tree.group_of(cq, r).map(|g| (r, g)));
        let Some((resource, group)) = group else {
            if amount != 0 {
                out.mode = GranularMode::WORST;
                out.shortfalls = vec![Shortfall::Uncovered { resource: name.clone() }];
                return out;
            }
            continue;
        };
        if out.flavors.contains_key(&resource) {
            continue;
        }
        let group_request: Vec<(usize, i64)> = request
            .iter()
            .filter_map(|(n, &v)| {
                let r = tree.resources.iter().position(|x| x == n)?;
                group.resources.contains(&r).then_some((r, v))
            })
            .collect();
        let mut shortfalls = Vec::new();
        let Some((flavor, mode)) = assign_group(tree, cq, group, &group_request, flavor_ok, oracle, &mut shortfalls)
        else {
            out.mode = GranularMode::WORST;
            out.shortfalls = shortfalls;
            return out;
        };
        if mode.mode != PreemptionMode::Fit {
            out.shortfalls.extend(shortfalls);
        }
        record_group(&mut out, flavor, mode, &group_request);
    }
    out
}

/// Adds a group's chosen flavor to the assignment.
fn record_group(out: &mut Assignment, flavor: usize, mode: GranularMode, group_request: &[(usize, i64)]) {
    for &(resource, v) in group_request {
        let fr = Fr { flavor, resource };
        out.flavors.insert(resource, flavor);
        out.usage.push((fr, v));
        if matches!(
            mode.mode,
            PreemptionMode::NoCandidates | PreemptionMode::Preempt | PreemptionMode::Reclaim
        ) {
            out.need_preemption.push(fr);
        }
    }
    if out.mode.preferred_over(mode) {
        out.mode = mode;
    }
}

// ----- Classical preemption -------------------------------------------------------------------

/// The workload looking for room (its ClusterQueue, priority and queue-order timestamp, KQ-S2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preemptor {
    pub cq: CqId,
    pub priority: i32,
    /// Creation time, or the eviction time when requeued after an eviction (KQ-S2).
    pub queue_order_ms: u64,
}

/// A workload holding quota: its usage is part of [`QuotaTree`]'s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdmittedWorkload {
    pub id: WlId,
    pub cq: CqId,
    pub priority: i32,
    /// The quota it reserved per (flavor, resource).
    pub usage: Vec<(Fr, i64)>,
    /// Queue-order timestamp (for LowerOrNewerEqualPriority).
    pub queue_order_ms: u64,
    /// When its quota was reserved (the QuotaReserved condition).
    pub quota_reserved_ms: u64,
    /// Already evicted (preempted) and not yet released: such victims come first.
    pub evicted: bool,
}

/// The workloads holding quota, as the preemption functions read them: those of one
/// ClusterQueue at a time (candidates are looked for only in the ClusterQueues that may give
/// some, so a queue that cannot costs nothing however many workloads it holds). The result
/// never depends on the order within a ClusterQueue: candidates are sorted by a total order
/// that ends with the workload id.
pub trait AdmittedSet {
    /// The workloads of `cq` holding quota.
    fn in_cq(&self, cq: CqId) -> impl Iterator<Item = &AdmittedWorkload>;
}

impl AdmittedSet for [AdmittedWorkload] {
    fn in_cq(&self, cq: CqId) -> impl Iterator<Item = &AdmittedWorkload> {
        self.iter().filter(move |w| w.cq == cq)
    }
}

impl AdmittedSet for Vec<AdmittedWorkload> {
    fn in_cq(&self, cq: CqId) -> impl Iterator<Item = &AdmittedWorkload> {
        self.as_slice().in_cq(cq)
    }
}

impl<const N: usize> AdmittedSet for [AdmittedWorkload; N] {
    fn in_cq(&self, cq: CqId) -> impl Iterator<Item = &AdmittedWorkload> {
        self.as_slice().in_cq(cq)
    }
}

/// The workloads holding quota per ClusterQueue, by id: kept in step with admissions,
/// evictions and releases rather than rebuilt for each scheduling cycle.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AdmittedByCq {
    per_cq: Vec<BTreeMap<WlId, AdmittedWorkload>>,
}

impl AdmittedByCq {
    /// Adds (or replaces) a workload holding quota.
    pub fn insert(&mut self, wl: AdmittedWorkload) {
        if self.per_cq.len() <= wl.cq {
            self.per_cq.resize_with(wl.cq + 1, BTreeMap::new);
        }
        self.per_cq[wl.cq].insert(wl.id, wl);
    }

    /// The workload `id` of `cq`, to update it in place.
    pub fn get_mut(&mut self, cq: CqId, id: WlId) -> Option<&mut AdmittedWorkload> {
        self.per_cq.get_mut(cq)?.get_mut(&id)
    }

    /// Drops the workload `id` of `cq` (its quota released).
    pub fn remove(&mut self, cq: CqId, id: WlId) -> Option<AdmittedWorkload> {
        self.per_cq.get_mut(cq)?.remove(&id)
    }

    /// The workload `id` of `cq`, if it holds quota.
    pub fn get(&self, cq: CqId, id: WlId) -> Option<&AdmittedWorkload> {
        self.per_cq.get(cq)?.get(&id)
    }

    /// How many workloads hold quota of ClusterQueue `cq`.
    pub fn count(&self, cq: CqId) -> usize {
        self.per_cq.get(cq).map_or(0, BTreeMap::len)
    }

    /// How many workloads hold quota.
    pub fn len(&self) -> usize {
        self.per_cq.iter().map(BTreeMap::len).sum()
    }

    /// Whether no workload holds quota.
    pub fn is_empty(&self) -> bool {
        self.per_cq.iter().all(BTreeMap::is_empty)
    }
}

impl AdmittedSet for AdmittedByCq {
    fn in_cq(&self, cq: CqId) -> impl Iterator<Item = &AdmittedWorkload> {
        self.per_cq.get(cq).into_iter().flat_map(BTreeMap::values)
    }
}

/// How a candidate may be preempted (`preemptionVariant`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Variant {
    /// The preemptor fits within its nominal quota: reclaim regardless of borrowing.
    HierarchicalReclaim,
    /// Another ClusterQueue's workload, only if the preemptor then does not borrow.
    ReclaimWithoutBorrowing,
    /// Another ClusterQueue's workload, even if the preemptor then borrows
    /// (borrowWithinCohort, below the threshold).
    ReclaimWhileBorrowing,
    WithinCq,
}

impl Variant {
    /// The candidate list the variant belongs to, in Kueue's concatenation order.
    fn list(self) -> u8 {
        match self {
            Variant::HierarchicalReclaim => 0,
            Variant::ReclaimWithoutBorrowing | Variant::ReclaimWhileBorrowing => 1,
            Variant::WithinCq => 2,
        }
    }
}

struct Candidate<'a> {
    wl: &'a AdmittedWorkload,
    variant: Variant,
}

/// The pairs of `request` that do not fit `cq` now: where victims must make room (what
/// Kueue's flavor assigner marks Preempt).
fn need_preemption(tree: &QuotaTree, cq: CqId, request: &[(Fr, i64)]) -> Vec<Fr> {
    request
        .iter()
        .filter(|&&(fr, v)| v > tree.available(cq, fr))
        .map(|&(fr, _)| fr)
        .collect()
}

/// `withinClusterQueue` for a same-queue candidate: LowerPriority needs a lower priority;
/// LowerOrNewerEqualPriority also takes an equal priority with a newer queue-order timestamp.
fn within_cq_allows(p: &Preemptor, policy: WithinCq, c: &AdmittedWorkload) -> bool {
    match policy {
        WithinCq::Never => false,
        WithinCq::LowerPriority => c.priority < p.priority,
        WithinCq::LowerOrNewerEqualPriority => {
            c.priority < p.priority || (c.priority == p.priority && p.queue_order_ms < c.queue_order_ms)
        }
    }
}

/// `classifyPreemptionVariant` for a workload of another ClusterQueue, or `None` if
/// `reclaimWithinCohort` forbids it.
fn cohort_variant(p: &Preemptor, policy: KueuePreemption, c: &AdmittedWorkload, advantage: bool) -> Option<Variant> {
    match policy.reclaim_within_cohort {
        ReclaimPolicy::Never => return None,
        ReclaimPolicy::LowerPriority if c.priority >= p.priority => return None,
        _ => {}
    }
    if advantage {
        return Some(Variant::HierarchicalReclaim);
    }
    if policy.borrow_within_cohort == BorrowPolicy::Never {
        return Some(Variant::ReclaimWithoutBorrowing);
    }
    let above = c.priority >= p.priority || policy.max_priority_threshold.is_some_and(|t| c.priority > t);
    Some(if above {
        Variant::ReclaimWithoutBorrowing
    } else {
        Variant::ReclaimWhileBorrowing
    })
}

/// The candidates in Kueue's order: evicted first, then by list (hierarchical reclaim,
/// other ClusterQueues, own ClusterQueue), lower priority, most recently admitted, id.
fn candidates<'a, A: AdmittedSet + ?Sized>(
    tree: &QuotaTree,
    p: &Preemptor,
    request: &[(Fr, i64)],
    need: &[Fr],
    admitted: &'a A,
) -> Vec<Candidate<'a>> {
    let cq = &tree.cqs[p.cq];
    let policy = cq.preemption;
    // `QuantitiesFitInQuota`: the whole request fits within the preemptor's nominal quota.
    let advantage = request.iter().all(|&(fr, v)| !tree.borrowing_with(p.cq, fr, v));
    let mut out = Vec::new();
    for (other, c) in tree.cqs.iter().enumerate() {
        // What makes a ClusterQueue's workloads candidates at all (the per-workload checks
        // below would reject each of them otherwise).
        let may_give = if other == p.cq {
            policy.within_cluster_queue != WithinCq::Never
        } else {
            policy.reclaim_within_cohort != ReclaimPolicy::Never
                && cq.cohort.is_some()
                && c.cohort == cq.cohort
                && !tree.within_nominal(other, need)
        };
        if !may_give {
            continue;
        }
        for wl in admitted.in_cq(other) {
            if !wl.usage.iter().any(|(fr, _)| need.contains(fr)) {
                continue;
            }
            let variant = if other == p.cq {
                within_cq_allows(p, policy.within_cluster_queue, wl).then_some(Variant::WithinCq)
            } else {
                cohort_variant(p, policy, wl, advantage)
            };
            if let Some(variant) = variant {
                out.push(Candidate { wl, variant });
            }
        }
    }
    out.sort_by_key(|c| {
        (
            !c.wl.evicted,
            c.variant.list(),
            c.wl.priority,
            Reverse(c.wl.quota_reserved_ms),
            c.wl.id,
        )
    });
    out
}

/// `workloadQuotaFits`: every amount available, and none borrowing unless allowed.
fn request_fits(tree: &QuotaTree, cq: CqId, request: &[(Fr, i64)], allow_borrowing: bool) -> bool {
    request
        .iter()
        .all(|&(fr, v)| (allow_borrowing || !tree.borrowing_with(cq, fr, v)) && v <= tree.available(cq, fr))
}

/// `candidateIsValid` at the moment the candidate is reached: a workload of another
/// ClusterQueue only while that queue still uses more than its nominal quota of some needed
/// pair, and not a ReclaimWithoutBorrowing one in an attempt that allows borrowing.
fn still_valid(sim: &QuotaTree, p: &Preemptor, c: &Candidate, need: &[Fr], allow_borrowing: bool) -> bool {
    if c.wl.cq == p.cq {
        return true;
    }
    if allow_borrowing && c.variant == Variant::ReclaimWithoutBorrowing {
        return false;
    }
    !sim.within_nominal(c.wl.cq, need)
}

/// One attempt (`getTargets` for one strategy): remove valid candidates in order until the
/// request fits, then fill back; `None` if it never fits.
fn attempt<'a>(
    tree: &QuotaTree,
    p: &Preemptor,
    request: &[(Fr, i64)],
    need: &[Fr],
    cands: &[Candidate<'a>],
    allow_borrowing: bool,
) -> Option<Vec<&'a AdmittedWorkload>> {
    let mut sim = tree.clone();
    let mut targets: Vec<&AdmittedWorkload> = Vec::new();
    for c in cands {
        if !still_valid(&sim, p, c, need, allow_borrowing) {
            continue;
        }
        sim.remove_usage(c.wl.cq, &c.wl.usage);
        targets.push(c.wl);
        if request_fits(&sim, p.cq, request, allow_borrowing) {
            fill_back(&mut sim, p, request, &mut targets, allow_borrowing);
            return Some(targets);
        }
    }
    None
}

/// `fillBackWorkloads`: from the second-to-last target back to the first, re-admit each one
/// whose removal turns out not to be needed (Kueue's swap-remove, so the order is Kueue's).
fn fill_back(
    sim: &mut QuotaTree,
    p: &Preemptor,
    request: &[(Fr, i64)],
    targets: &mut Vec<&AdmittedWorkload>,
    allow_borrowing: bool,
) {
    for i in (0..targets.len().saturating_sub(1)).rev() {
        let wl = targets[i];
        sim.add_usage(wl.cq, &wl.usage);
        if request_fits(sim, p.cq, request, allow_borrowing) {
            targets.swap_remove(i);
        } else {
            sim.remove_usage(wl.cq, &wl.usage);
        }
    }
}

/// The borrowing attempts Kueue makes, in order (`classicalPreemptionStrategy`): only with
/// borrowing if no other ClusterQueue offers a candidate, or if borrowWithinCohort is off and
/// the preemptor's queue already uses its nominal quota of a needed pair; without borrowing
/// first if borrowWithinCohort is off and no candidate has a hierarchical advantage; else
/// with borrowing first.
fn attempts(tree: &QuotaTree, p: &Preemptor, need: &[Fr], cands: &[Candidate]) -> Vec<bool> {
    let no_other = cands.iter().all(|c| c.variant == Variant::WithinCq);
    let no_hierarchical = cands.iter().all(|c| c.variant != Variant::HierarchicalReclaim);
    let forbidden = tree.cqs[p.cq].preemption.borrow_within_cohort == BorrowPolicy::Never;
    let under_nominal = need
        .iter()
        .all(|&fr| tree.usage(p.cq, fr) < tree.quota(p.cq, fr).nominal);
    if no_other || (forbidden && !under_nominal) {
        vec![true]
    } else if forbidden && no_hierarchical {
        vec![false, true]
    } else {
        vec![true, false]
    }
}

/// Classical preemption (KQ-S4): the workloads to evict so that `request` (per flavor and
/// resource, as assigned) fits the preemptor's ClusterQueue, or `None` if no set of allowed
/// candidates makes it fit. `tree` holds the current usage, including every workload of
/// `admitted`. A request that already fits needs no victim: `Some(vec![])`.
///
/// Candidates use a pair the request cannot get now. Same ClusterQueue: by
/// `withinClusterQueue`. Another ClusterQueue of the cohort, while it uses more than its
/// nominal quota of such a pair: by `reclaimWithinCohort` (LowerPriority: lower priority;
/// Any: any); if the whole request fits within the preemptor's nominal quota they may be
/// preempted outright, otherwise only if the preemptor then stays within nominal, or, with
/// `borrowWithinCohort: LowerPriority`, while it borrows when the victim has a lower
/// priority at most `maxPriorityThreshold`. Victims are removed greedily in Kueue's order
/// until the request fits, then those not needed are given back (`fillBackWorkloads`).
pub fn preemption_targets<A: AdmittedSet + ?Sized>(
    tree: &QuotaTree,
    preemptor: &Preemptor,
    request: &[(Fr, i64)],
    admitted: &A,
) -> Option<Vec<WlId>> {
    target_workloads(tree, preemptor, request, admitted).map(|t| t.iter().map(|w| w.id).collect())
}

/// [`preemption_targets`], the victims themselves.
fn target_workloads<'a, A: AdmittedSet + ?Sized>(
    tree: &QuotaTree,
    preemptor: &Preemptor,
    request: &[(Fr, i64)],
    admitted: &'a A,
) -> Option<Vec<&'a AdmittedWorkload>> {
    if request_fits(tree, preemptor.cq, request, true) {
        return Some(Vec::new());
    }
    let need = need_preemption(tree, preemptor.cq, request);
    let cands = candidates(tree, preemptor, request, &need, admitted);
    if cands.is_empty() {
        return None; // every attempt would find nothing to remove
    }
    attempts(tree, preemptor, &need, &cands)
        .into_iter()
        .find_map(|borrow| attempt(tree, preemptor, request, &need, &cands, borrow))
}

/// Kueue's preemption oracle (`SimulatePreemption`) for [`assign_flavors`]: whether
/// preempting makes room for `amount` of `fr` alone, and whether the preemptor then borrows.
/// No victims: NoCandidates; some in the preemptor's ClusterQueue: Preempt; all elsewhere:
/// Reclaim.
pub fn simulate_preemption<A: AdmittedSet + ?Sized>(
    tree: &QuotaTree,
    preemptor: &Preemptor,
    admitted: &A,
    fr: Fr,
    amount: i64,
) -> (PreemptionPossibility, bool) {
    let cq = preemptor.cq;
    // `borrowing_with(cq, fr, amount)` with `usage` as `cq`'s usage of `fr`.
    let borrows =
        |usage: i64| tree.cqs[cq].cohort.is_some() && tree.quota(cq, fr).nominal < usage.saturating_add(amount);
    let victims = target_workloads(tree, preemptor, &[(fr, amount)], admitted).unwrap_or_default();
    if victims.is_empty() {
        return (PreemptionPossibility::NoCandidates, borrows(tree.usage(cq, fr)));
    }
    // The preemptor's usage once the victims are gone (as `remove_usage` takes it off).
    let mut usage = tree.usage(cq, fr);
    let mut same_cq = false;
    for wl in victims.into_iter().filter(|w| w.cq == cq) {
        for &(f, v) in &wl.usage {
            if f == fr {
                usage = usage.saturating_sub(v);
            }
        }
        same_cq = true;
    }
    let possibility = if same_cq {
        PreemptionPossibility::Preempt
    } else {
        PreemptionPossibility::Reclaim
    };
    (possibility, borrows(usage))
}

#[cfg(test)]
#[path = "quota_tests.rs"]
mod tests;
