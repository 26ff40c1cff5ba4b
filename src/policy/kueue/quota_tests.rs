//! Hand-worked quota, flavor and preemption cases (semantics.md KQ-Q1, KQ-Q2, KQ-S1, KQ-S4,
//! scenarios S-Q1 and S-Q2). Amounts in millicores: `10 cpu` is 10_000.

use super::*;
use crate::input::spec::{
    ClusterQueueSpec, FlavorQuotasSpec, FlavorResourceQuota, KueuePreemption, QueueingStrategy, ResourceGroupSpec,
    SourceLoc, StopPolicy,
};

const CPU: i64 = 1000;

/// A resource quota of `n` cpus with optional limits (in cpus).
fn cpu(n: i64, borrowing: Option<i64>, lending: Option<i64>) -> FlavorResourceQuota {
    FlavorResourceQuota {
        name: "cpu".into(),
        nominal: n * CPU,
        borrowing_limit: borrowing.map(|b| b * CPU),
        lending_limit: lending.map(|l| l * CPU),
    }
}

/// A ClusterQueue with one group covering cpu, with `flavors` (name, quota) in order.
fn cq(name: &str, cohort: Option<&str>, flavors: Vec<(&str, FlavorResourceQuota)>) -> ClusterQueueSpec {
    ClusterQueueSpec {
        name: name.into(),
        cohort: cohort.map(str::to_string),
        namespace_selector: None,
        resource_groups: vec![ResourceGroupSpec {
            covered_resources: vec!["cpu".into()],
            flavors: flavors
                .into_iter()
                .map(|(f, q)| FlavorQuotasSpec {
                    name: f.into(),
                    resources: vec![q],
                })
                .collect(),
        }],
        queueing_strategy: QueueingStrategy::BestEffortFifo,
        preemption: KueuePreemption::default(),
        flavor_fungibility: FlavorFungibility::default(),
        stop_policy: StopPolicy::None,
        fair_sharing_weight: 1000,
        loc: SourceLoc::default(),
    }
}

/// The only (flavor, resource) of the single-flavor ClusterQueues: (`default`, cpu).
const FR: Fr = Fr { flavor: 0, resource: 0 };

fn one(name: &str, cohort: Option<&str>, q: FlavorResourceQuota) -> ClusterQueueSpec {
    cq(name, cohort, vec![("default", q)])
}

fn req(cpus: i64) -> Vec<(Fr, i64)> {
    vec![(FR, cpus * CPU)]
}

fn wl(id: WlId, cq: CqId, priority: i32, cpus: i64, reserved_ms: u64) -> AdmittedWorkload {
    AdmittedWorkload {
        id,
        cq,
        priority,
        usage: req(cpus),
        queue_order_ms: reserved_ms,
        quota_reserved_ms: reserved_ms,
        evicted: false,
    }
}

/// `tree` with the usage of `admitted` added.
fn admit(mut tree: QuotaTree, admitted: &[AdmittedWorkload]) -> QuotaTree {
    for w in admitted {
        tree.add_usage(w.cq, &w.usage);
    }
    tree
}

fn preemptor(cq: CqId, priority: i32, queue_order_ms: u64) -> Preemptor {
    Preemptor {
        cq,
        priority,
        queue_order_ms,
    }
}

/// An oracle for assignments where preemption is not looked at.
fn no_oracle(_: Fr, _: i64) -> (PreemptionPossibility, bool) {
    panic!("the oracle was not expected to be asked")
}

fn cpus(n: i64) -> ResourceList {
    ResourceList::from([("cpu".to_string(), n * CPU)])
}

// ----- KQ-Q1 / KQ-Q2 --------------------------------------------------------------------------

#[test]
fn s_q1_borrowing_and_cohort_usage() {
    // Cohort {A 10, B 10}; A uses 15 (borrowing 5).
    let specs = [
        one("a", Some("c"), cpu(10, None, None)),
        one("b", Some("c"), cpu(10, None, None)),
    ];
    let mut t = QuotaTree::new(&specs);
    assert_eq!(t.cohorts.len(), 1);
    assert_eq!(t.cohorts[0].members, [0, 1]);
    assert_eq!(t.fits(0, &req(15)), FitMode::FitBorrowing);
    t.add_usage(0, &req(15));
    assert_eq!(t.cohort_subtree_quota(0, FR), 20 * CPU);
    assert_eq!(t.cohort_usage(0, FR), 15 * CPU);
    assert_eq!(t.available(1, FR), 5 * CPU, "B: 0 local + (20 - 15) in the cohort");
    assert_eq!(t.available(0, FR), 5 * CPU);
    assert_eq!(t.potential_available(1, FR), 20 * CPU);
    assert_eq!(t.fits(1, &req(10)), FitMode::NoFit);
    assert_eq!(t.fits(1, &req(5)), FitMode::Fit);
    assert!(t.borrowing_with(0, FR, 0));
    t.remove_usage(0, &req(15));
    assert_eq!(t.available(1, FR), 20 * CPU);
}

#[test]
fn s_q1_lending_limit_zero_keeps_b_local() {
    // B lendingLimit 0: its 10 cpus are local-only, so A can use at most 10.
    let specs = [
        one("a", Some("c"), cpu(10, None, None)),
        one("b", Some("c"), cpu(10, None, Some(0))),
    ];
    let t = QuotaTree::new(&specs);
    assert_eq!(t.local_quota(1, FR), 10 * CPU);
    assert_eq!(t.cohort_subtree_quota(0, FR), 10 * CPU);
    assert_eq!(t.potential_available(0, FR), 10 * CPU);
    assert_eq!(t.available(0, FR), 10 * CPU);
    assert_eq!(t.fits(0, &req(15)), FitMode::NoFit);
    // B still has its own 10 (local) on top of the cohort's 10.
    assert_eq!(t.available(1, FR), 20 * CPU);
    let a = assign_flavors(&t, 0, &cpus(15), &|_| true, &mut no_oracle);
    assert_eq!(a.mode.mode, PreemptionMode::NoFit, "15 > potential 10");
    assert!(a.flavors.is_empty());
}

#[test]
fn borrowing_limit_caps_what_can_be_borrowed() {
    // A nominal 10, borrowingLimit 2; B lends 20 unused.
    let specs = [
        one("a", Some("c"), cpu(10, Some(2), None)),
        one("b", Some("c"), cpu(20, None, None)),
    ];
    let t = QuotaTree::new(&specs);
    assert_eq!(t.available(0, FR), 12 * CPU, "min(30 - 0, 10 - 0 + 2)");
    assert_eq!(t.potential_available(0, FR), 12 * CPU);
    assert_eq!(t.fits(0, &req(12)), FitMode::FitBorrowing);
    assert_eq!(t.fits(0, &req(13)), FitMode::NoFit);
    assert_eq!(t.fits(0, &req(10)), FitMode::Fit);
    // Using 11 leaves 1 to borrow.
    let t = admit(t, &[wl(1, 0, 0, 11, 0)]);
    assert_eq!(t.available(0, FR), CPU);
    // B can still use the cohort minus what A took: 30 - 11.
    assert_eq!(t.available(1, FR), 19 * CPU);
}

#[test]
fn lending_limit_arithmetic() {
    // A nominal 10 lendingLimit 4: localQuota 6; B (nominal 10) can borrow at most 4 from A.
    let specs = [
        one("a", Some("c"), cpu(10, None, Some(4))),
        one("b", Some("c"), cpu(10, None, None)),
    ];
    let t = QuotaTree::new(&specs);
    assert_eq!(t.local_quota(0, FR), 6 * CPU);
    assert_eq!(t.local_quota(1, FR), 0);
    assert_eq!(t.cohort_subtree_quota(0, FR), 14 * CPU, "(10 - 6) + (10 - 0)");
    assert_eq!(t.available(1, FR), 14 * CPU, "B's 10 and A's 4");
    assert_eq!(t.available(0, FR), 20 * CPU, "A's local 6 and the cohort's 14");
    assert_eq!(t.fits(1, &req(15)), FitMode::NoFit);
    // B takes all it can: A keeps exactly its local 6.
    let t = admit(t, &[wl(1, 1, 0, 14, 0)]);
    assert_eq!(t.cohort_usage(0, FR), 14 * CPU);
    assert_eq!(t.available(0, FR), 6 * CPU);
    // A using its local quota does not count in the cohort.
    let t = admit(t, &[wl(2, 0, 0, 6, 0)]);
    assert_eq!(t.cohort_usage(0, FR), 14 * CPU);
    assert_eq!(t.available(0, FR), 0);
}

#[test]
fn s_q2_quota_without_cohort() {
    // Nominal 8, 6 used: 4 does not fit, 2 does.
    let t = admit(
        QuotaTree::new(&[one("q", None, cpu(8, None, None))]),
        &[wl(1, 0, 0, 6, 0)],
    );
    assert_eq!(t.available(0, FR), 2 * CPU);
    assert_eq!(t.fits(0, &req(4)), FitMode::NoFit);
    assert_eq!(t.fits(0, &req(2)), FitMode::Fit);
    // Over-admission (quota lowered under usage) clamps at 0.
    let t = admit(t, &[wl(2, 0, 0, 4, 0)]);
    assert_eq!(t.available(0, FR), 0);
    assert_eq!(t.fits(0, &[(FR, 0)]), FitMode::Fit);
}

// ----- Flavor assignment (KQ-S1) --------------------------------------------------------------

/// A in cohort with B; A has flavors `small` (4, B lends 4 there) and `big` (8).
fn two_flavors(fungibility: FlavorFungibility) -> QuotaTree {
    let mut a = cq(
        "a",
        Some("c"),
        vec![("small", cpu(4, None, None)), ("big", cpu(8, None, None))],
    );
    a.flavor_fungibility = fungibility;
    QuotaTree::new(&[a, cq("b", Some("c"), vec![("small", cpu(4, None, None))])])
}

#[test]
fn default_fungibility_stops_at_the_first_flavor_that_fits_even_borrowing() {
    let t = two_flavors(FlavorFungibility::default());
    let small = t.fr("small", "cpu").unwrap();
    let big = t.fr("big", "cpu").unwrap();
    // 3 fits in small without borrowing.
    let a = assign_flavors(&t, 0, &cpus(3), &|_| true, &mut no_oracle);
    assert_eq!(a.flavors[&0], small.flavor);
    assert_eq!(
        a.mode,
        GranularMode {
            mode: PreemptionMode::Fit,
            borrowing: false
        }
    );
    assert_eq!(a.usage, [(small, 3 * CPU)]);
    // 6 fits small only by borrowing from B: MayStopSearch takes it.
    let a = assign_flavors(&t, 0, &cpus(6), &|_| true, &mut no_oracle);
    assert_eq!((a.flavors[&0], a.mode.borrowing), (small.flavor, true));
    // 9 fits neither (small: potential 8; big: nominal 8, no cohort quota for big).
    let a = assign_flavors(&t, 0, &cpus(9), &|_| true, &mut no_oracle);
    assert_eq!(a.mode.mode, PreemptionMode::NoFit);
    // A flavor the pod sets cannot use (taints, selectors) is skipped.
    let a = assign_flavors(&t, 0, &cpus(3), &|f| f == big.flavor, &mut no_oracle);
    assert_eq!(a.flavors[&0], big.flavor);
}

#[test]
fn try_next_flavor_when_borrowing_prefers_a_later_flavor_without_borrowing() {
    let t = two_flavors(FlavorFungibility {
        when_can_borrow: FungibilityPolicy::TryNextFlavor,
        when_can_preempt: FungibilityPolicy::TryNextFlavor,
    });
    let big = t.fr("big", "cpu").unwrap();
    let a = assign_flavors(&t, 0, &cpus(6), &|_| true, &mut no_oracle);
    assert_eq!(a.flavors[&0], big.flavor);
    assert!(!a.mode.borrowing);
    // Nothing fits without borrowing: the best seen (the borrowing small) wins.
    let a = assign_flavors(&t, 0, &cpus(8), &|f| f != big.flavor, &mut no_oracle);
    assert_eq!((a.flavors[&0], a.mode.borrowing), (0, true));
}

#[test]
fn preemption_modes_try_the_next_flavor_and_keep_the_best() {
    let mut spec = cq(
        "a",
        None,
        vec![("small", cpu(4, None, None)), ("big", cpu(8, None, None))],
    );
    spec.preemption.within_cluster_queue = WithinCq::LowerPriority;
    let t = QuotaTree::new(&[spec]);
    let (small, big) = (t.fr("small", "cpu").unwrap(), t.fr("big", "cpu").unwrap());
    let t = admit(
        t,
        &[
            AdmittedWorkload {
                usage: vec![(small, 4 * CPU)],
                ..wl(1, 0, 0, 0, 0)
            },
            AdmittedWorkload {
                usage: vec![(big, 8 * CPU)],
                ..wl(2, 0, 5, 0, 0)
            },
        ],
    );
    let mut asked = Vec::new();
    let mut oracle = |fr: Fr, v: i64| {
        asked.push((fr, v));
        (PreemptionPossibility::Preempt, false)
    };
    let a = assign_flavors(&t, 0, &cpus(2), &|_| true, &mut oracle);
    // whenCanPreempt TryNextFlavor: both flavors asked; equal modes keep the first.
    assert_eq!(asked, [(small, 2 * CPU), (big, 2 * CPU)]);
    assert_eq!(a.flavors[&0], small.flavor);
    assert_eq!(a.mode.mode, PreemptionMode::Preempt);
    assert_eq!(a.need_preemption, [small]);
    // With Kueue's own oracle: only small has a lower-priority victim for a priority-3 job.
    let admitted = [
        AdmittedWorkload {
            usage: vec![(small, 4 * CPU)],
            ..wl(1, 0, 0, 0, 0)
        },
        AdmittedWorkload {
            usage: vec![(big, 8 * CPU)],
            ..wl(2, 0, 5, 0, 0)
        },
    ];
    let p = preemptor(0, 3, 100);
    let mut oracle = |fr: Fr, v: i64| simulate_preemption(&t, &p, &admitted, fr, v);
    let a = assign_flavors(&t, 0, &cpus(2), &|_| true, &mut oracle);
    assert_eq!((a.flavors[&0], a.mode.mode), (small.flavor, PreemptionMode::Preempt));
    // Without small, big has no candidate: NoCandidates, still a preemption mode.
    let a = assign_flavors(&t, 0, &cpus(2), &|f| f == big.flavor, &mut oracle);
    assert_eq!(a.mode.mode, PreemptionMode::NoCandidates);
    assert_eq!(a.need_preemption, [big]);
}

#[test]
fn uncovered_resources_and_two_groups() {
    let mut spec = one("a", None, cpu(8, None, None));
    spec.resource_groups.push(ResourceGroupSpec {
        covered_resources: vec!["nvidia.com/gpu".into(), "memory".into()],
        flavors: vec![FlavorQuotasSpec {
            name: "a100".into(),
            resources: vec![
                FlavorResourceQuota {
                    name: "nvidia.com/gpu".into(),
                    nominal: 8000,
                    borrowing_limit: None,
                    lending_limit: None,
                },
                FlavorResourceQuota {
                    name: "memory".into(),
                    nominal: 1 << 40,
                    borrowing_limit: None,
                    lending_limit: None,
                },
            ],
        }],
    });
    let t = QuotaTree::new(&[spec]);
    let request = ResourceList::from([
        ("cpu".to_string(), 4 * CPU),
        ("memory".to_string(), 1 << 30),
        ("nvidia.com/gpu".to_string(), 2000),
        ("example.com/fpga".to_string(), 0),
    ]);
    let a = assign_flavors(&t, 0, &request, &|_| true, &mut no_oracle);
    assert_eq!(a.mode.mode, PreemptionMode::Fit);
    let gpu = t.fr("a100", "nvidia.com/gpu").unwrap();
    let mem = t.fr("a100", "memory").unwrap();
    assert_eq!(a.usage, [(FR, 4 * CPU), (mem, 1 << 30), (gpu, 2000)]);
    // A requested resource the ClusterQueue does not cover.
    let mut request = request;
    request.insert("example.com/fpga".into(), 1000);
    let a = assign_flavors(&t, 0, &request, &|_| true, &mut no_oracle);
    assert_eq!(a.mode.mode, PreemptionMode::NoFit);
}

// ----- Classical preemption (KQ-S4) -----------------------------------------------------------

/// S-Q1's cohort with B's reclaim policy `reclaim`; A's 15-cpu workload (id 1) admitted.
fn s_q1(reclaim: ReclaimPolicy) -> (QuotaTree, Vec<AdmittedWorkload>) {
    let mut b = one("b", Some("c"), cpu(10, None, None));
    b.preemption.reclaim_within_cohort = reclaim;
    let admitted = vec![wl(1, 0, 0, 15, 0)];
    let t = admit(
        QuotaTree::new(&[one("a", Some("c"), cpu(10, None, None)), b]),
        &admitted,
    );
    (t, admitted)
}

#[test]
fn s_q1_reclaim_any_evicts_the_borrower() {
    let (t, admitted) = s_q1(ReclaimPolicy::Any);
    // B's workload has a lower priority than A's: Any still reclaims.
    let p = preemptor(1, -5, 100_000);
    assert_eq!(preemption_targets(&t, &p, &req(10), &admitted), Some(vec![1]));
    assert_eq!(
        simulate_preemption(&t, &p, &admitted, FR, 10 * CPU),
        (PreemptionPossibility::Reclaim, false)
    );
    // LowerPriority needs B's workload to outrank A's.
    let (t, admitted) = s_q1(ReclaimPolicy::LowerPriority);
    assert_eq!(preemption_targets(&t, &p, &req(10), &admitted), None);
    let p = preemptor(1, 1, 100_000);
    assert_eq!(preemption_targets(&t, &p, &req(10), &admitted), Some(vec![1]));
}

#[test]
fn s_q1_reclaim_never_waits() {
    let (t, admitted) = s_q1(ReclaimPolicy::Never);
    let p = preemptor(1, 100, 100_000);
    assert_eq!(preemption_targets(&t, &p, &req(10), &admitted), None);
    assert_eq!(
        simulate_preemption(&t, &p, &admitted, FR, 10 * CPU),
        (PreemptionPossibility::NoCandidates, false)
    );
    // 5 cpus fit now: no victim needed.
    assert_eq!(preemption_targets(&t, &p, &req(5), &admitted), Some(vec![]));
}

#[test]
fn reclaim_stops_at_a_queue_back_within_nominal() {
    // A (nominal 10) runs w1 (2 cpus, newest) and w2 (10); B (nominal 10) runs wb (2, low
    // priority). B asks 10 with reclaim Any and withinClusterQueue LowerPriority: B would
    // borrow (2 + 10 > 10), so A's workloads may go only if B ends within nominal.
    let mut b = one("b", Some("c"), cpu(10, None, None));
    b.preemption.reclaim_within_cohort = ReclaimPolicy::Any;
    b.preemption.within_cluster_queue = WithinCq::LowerPriority;
    let admitted = vec![wl(1, 0, 0, 2, 20), wl(2, 0, 0, 10, 10), wl(3, 1, 0, 2, 30)];
    let t = admit(
        QuotaTree::new(&[one("a", Some("c"), cpu(10, None, None)), b]),
        &admitted,
    );
    assert_eq!(t.available(1, FR), 6 * CPU);
    // Without borrowing: w1 (A back at 10, within nominal), w2 skipped (A no longer
    // borrows), wb; fill-back keeps w1 out (B would see only 8).
    let p = preemptor(1, 5, 100);
    assert_eq!(preemption_targets(&t, &p, &req(10), &admitted), Some(vec![1, 3]));
}

#[test]
fn borrow_within_cohort_threshold() {
    // A (nominal 10) borrows 6 with workloads of priority 1 (id 1, 6 cpus) and 8 (id 2, 10);
    // C lends 10 more; B (nominal 4, a priority-10 preemptor) asks 12, so it borrows 8 even
    // after reclaiming.
    let mut b = one("b", Some("c"), cpu(4, None, None));
    b.preemption.reclaim_within_cohort = ReclaimPolicy::Any;
    let admitted = vec![wl(1, 0, 1, 6, 20), wl(2, 0, 8, 10, 10)];
    let specs = |b: &ClusterQueueSpec| {
        [
            one("a", Some("c"), cpu(10, None, None)),
            b.clone(),
            one("c", Some("c"), cpu(10, None, None)),
        ]
    };
    let t = admit(QuotaTree::new(&specs(&b)), &admitted);
    assert_eq!(t.available(1, FR), 8 * CPU, "24 in the cohort, 16 used");
    let p = preemptor(1, 10, 100);
    // borrowWithinCohort Never: reclaiming would leave B borrowing, so nothing may be taken.
    assert_eq!(preemption_targets(&t, &p, &req(12), &admitted), None);
    // LowerPriority without threshold: the lowest-priority victim is enough (A back at 10,
    // B gets 14); A's other workload is spared, A no longer borrows.
    b.preemption.borrow_within_cohort = BorrowPolicy::LowerPriority;
    let t = admit(QuotaTree::new(&specs(&b)), &admitted);
    assert_eq!(preemption_targets(&t, &p, &req(12), &admitted), Some(vec![1]));
    // Threshold 0: priority 1 is above it, so it may go only if B ends within nominal.
    b.preemption.max_priority_threshold = Some(0);
    let t = admit(QuotaTree::new(&specs(&b)), &admitted);
    assert_eq!(preemption_targets(&t, &p, &req(12), &admitted), None);
    // Within nominal, the threshold does not matter: 4 cpus reclaim from A.
    let t = admit(t, &[wl(9, 2, 0, 8, 0)]);
    assert_eq!(t.available(1, FR), 0);
    assert_eq!(preemption_targets(&t, &p, &req(4), &admitted), Some(vec![1]));
}

#[test]
fn within_cq_lower_priority_picks_newest_lowest_and_fills_back() {
    // Nominal 10, all used: wa (prio 1, 2 cpus, admitted at 30), wb (prio 1, 6 cpus, at 20),
    // wc (prio 2, 2 cpus, at 40), wd (prio 20, higher than the preemptor).
    let mut spec = one("q", None, cpu(10, None, None));
    spec.preemption.within_cluster_queue = WithinCq::LowerPriority;
    let admitted = vec![
        wl(1, 0, 1, 2, 30),
        wl(2, 0, 1, 6, 20),
        wl(3, 0, 2, 2, 40),
        wl(4, 0, 20, 0, 5),
    ];
    let t = admit(QuotaTree::new(&[spec]), &admitted);
    let p = preemptor(0, 10, 100);
    // 2 cpus: the lowest priority, most recently admitted one.
    assert_eq!(preemption_targets(&t, &p, &req(2), &admitted), Some(vec![1]));
    // 6 cpus: greedy takes wa then wb; wa is given back (wb alone frees 6).
    assert_eq!(preemption_targets(&t, &p, &req(6), &admitted), Some(vec![2]));
    // 10 cpus: everyone below priority 10.
    let mut all = preemption_targets(&t, &p, &req(10), &admitted).unwrap();
    all.sort();
    assert_eq!(all, [1, 2, 3]);
    // 11: more than nominal, no cohort.
    assert_eq!(preemption_targets(&t, &p, &req(11), &admitted), None);
    // An already evicted workload is taken first, whatever its priority.
    let mut evicted = admitted.clone();
    evicted[2].evicted = true;
    assert_eq!(preemption_targets(&t, &p, &req(2), &evicted), Some(vec![3]));
}

#[test]
fn within_cq_lower_or_newer_equal_priority() {
    let mut spec = one("q", None, cpu(4, None, None));
    spec.preemption.within_cluster_queue = WithinCq::LowerOrNewerEqualPriority;
    // Equal priority: wold queued before the preemptor (50 < 100), wnew after (150).
    let wold = wl(1, 0, 5, 2, 50);
    let wnew = wl(2, 0, 5, 2, 150);
    let p = preemptor(0, 5, 100);
    let admitted = vec![wold.clone(), wnew];
    let t = admit(QuotaTree::new(std::slice::from_ref(&spec)), &admitted);
    assert_eq!(preemption_targets(&t, &p, &req(2), &admitted), Some(vec![2]));
    let admitted = vec![wold, wl(3, 0, 5, 2, 60)];
    let t = admit(QuotaTree::new(std::slice::from_ref(&spec)), &admitted);
    assert_eq!(preemption_targets(&t, &p, &req(2), &admitted), None);
    // LowerPriority never takes an equal priority.
    spec.preemption.within_cluster_queue = WithinCq::LowerPriority;
    let admitted = vec![wl(2, 0, 5, 4, 150)];
    let t = admit(QuotaTree::new(&[spec]), &admitted);
    assert_eq!(preemption_targets(&t, &p, &req(2), &admitted), None);
}
