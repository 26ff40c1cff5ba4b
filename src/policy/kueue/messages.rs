//! Why a Workload waits, in Kueue's words: the `QuotaReserved=False` condition's message and the
//! event Kueue writes with it each time a scheduling cycle leaves the Workload pending
//! (pkg/scheduler/scheduler.go `requeueAndUpdate`: `Eventf(wl, Warning, <reason>, <message>)`).
//!
//! - The reason is the granular one of `UnadmittedWorkloadsObservability` (beta, on by default
//!   since v0.19): `WaitingForQuota`, `ExceedsMaxQuota` or `NoMatchingFlavor` when no flavor
//!   can take the request (the assignment's `NoFitReason`, flavorassigner.go
//!   `resolveNoFitReason`: per flavor its most severe reason, the least severe over the flavors
//!   tried); `WaitingForQuota` when preemption could make room but finds no victims, or when the
//!   Workload fit but no longer does after an earlier admission of the cycle;
//!   `WaitingForPreemptedWorkloads` when it preempts.
//! - The message is the flavor assignment's (`Assignment.Message`): `couldn't assign flavors to
//!   pod set main: ` and its reasons sorted and joined by `, ` (`Status.Message`), each from
//!   `findFlavorForPodSets` / `checkFlavorForPodSets` / `fitsResourceQuota`:
//!   `resource <r> unavailable in ClusterQueue`, `untolerated taint {<key> <value> <effect>
//!   <nil>} in flavor <f>`, `flavor <f> doesn't match node affinity`, `insufficient quota for
//!   <r> in flavor <f>, previously considered podsets requests (0) + current podset request
//!   (<q>) > maximum capacity (<max>)`, `insufficient unused quota for <r> in flavor <f>, <q>
//!   more needed`; amounts as `resources.ResourceFormatter` prints them (cpu in millicores,
//!   memory in binary units, other resources as decimal quantities). A preempting Workload's
//!   message adds `. Pending the preemption of <n> workload(s)` (`markPreemptionOutcome`); one
//!   that no longer fits reads `Workload no longer fits after processing another workload`
//!   (`markSkipped`).
//!
//! Kubernetes' event recorder folds repeats of one event into a count; so a row is written when
//! the Workload's reason or message changes, not at every cycle that leaves it pending. A
//! batch/v1 Job has one pod set, `main`. With several resource groups, the reason comes from the
//! group that found no flavor (Kueue also counts the flavors other groups tried first).

use super::quota::{Assignment, PreemptionMode, Shortfall};
use super::{Wk, WkState};
use crate::input::quantity::format_quantity;
use crate::input::spec::TaintEffect;
use crate::sim::{WlId, World};

/// Kueue's `ResourceFormatter.ResourceQuantityString` for an amount in kubesim's canonical
/// units: cpu as a milli quantity, memory and ephemeral storage (and huge pages) in binary
/// form, every other resource as a decimal quantity.
pub(crate) fn kueue_quantity(resource: &str, v: i64) -> String {
    let binary = resource == "memory" || resource == "ephemeral-storage" || resource.starts_with("hugepages-");
    if !binary {
        return format_quantity(resource, v);
    }
    // newCanonicalQuantity(v, BinarySI): under 1024 a plain number, else the largest binary
    // suffix that divides exactly.
    const BINARY: [&str; 7] = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
    let (mut n, mut k) = (v, 0);
    while n.abs() >= 1024 && n % 1024 == 0 && k < 6 {
        n /= 1024;
        k += 1;
    }
    format!("{n}{}", BINARY[k])
}

fn effect_name(e: TaintEffect) -> &'static str {
    match e {
        TaintEffect::NoSchedule => "NoSchedule",
        TaintEffect::PreferNoSchedule => "PreferNoSchedule",
        TaintEffect::NoExecute => "NoExecute",
    }
}

impl World {
    /// The flavor assignment's message for a Workload that it does not admit.
    pub(crate) fn kueue_assignment_message(&self, wl: WlId, a: &Assignment) -> String {
        let k = self.sched.kueue.as_deref().expect("kueue");
        let tree = &k.tree;
        let template = self.kueue_template(wl);
        let mut reasons: Vec<String> = a
            .shortfalls
            .iter()
            .map(|s| match s {
                Shortfall::Uncovered { resource } => format!("resource {resource} unavailable in ClusterQueue"),
                Shortfall::Mismatch { flavor } => {
                    let fl = &k.flavors[*flavor];
                    let untolerated = fl.node_taints.iter().find(|t| {
                        t.effect != TaintEffect::PreferNoSchedule
                            && !template
                                .tolerations
                                .iter()
                                .any(|tol| crate::model::cluster::tolerates(tol, t))
                    });
                    match untolerated {
                        Some(t) => format!(
                            "untolerated taint {{{} {} {} <nil>}} in flavor {}",
                            t.key,
                            t.value,
                            effect_name(t.effect),
                            fl.name
                        ),
                        None => format!("flavor {} doesn't match node affinity", fl.name),
                    }
                }
                Shortfall::OverMax { fr, request, max } => {
                    let r = &tree.resources[fr.resource];
                    format!(
                        "insufficient quota for {r} in flavor {}, previously considered podsets requests (0) + \
                         current podset request ({}) > maximum capacity ({})",
                        tree.flavors[fr.flavor],
                        kueue_quantity(r, *request),
                        kueue_quantity(r, *max)
                    )
                }
                Shortfall::Unused { fr, more } => {
                    let r = &tree.resources[fr.resource];
                    format!(
                        "insufficient unused quota for {r} in flavor {}, {} more needed",
                        tree.flavors[fr.flavor],
                        kueue_quantity(r, *more)
                    )
                }
            })
            .collect();
        reasons.sort();
        format!("couldn't assign flavors to pod set main: {}", reasons.join(", "))
    }

    /// The reason of a Workload no flavor can take (`resolveNoFitReason`), over the reasons of
    /// the one resource group kubesim reports.
    pub(crate) fn kueue_no_fit_reason(&self, a: &Assignment) -> &'static str {
        // Severity per flavor (most severe of its reasons), then the least over the flavors.
        let severity = |s: &Shortfall| match s {
            Shortfall::Uncovered { .. } | Shortfall::Mismatch { .. } => 3,
            Shortfall::OverMax { .. } => 2,
            Shortfall::Unused { .. } => 1,
        };
        let flavor_of = |s: &Shortfall| match s {
            Shortfall::Mismatch { flavor } => Some(*flavor),
            Shortfall::OverMax { fr, .. } | Shortfall::Unused { fr, .. } => Some(fr.flavor),
            Shortfall::Uncovered { .. } => None,
        };
        let mut per_flavor: std::collections::BTreeMap<Option<usize>, u8> = std::collections::BTreeMap::new();
        for s in &a.shortfalls {
            let e = per_flavor.entry(flavor_of(s)).or_default();
            *e = (*e).max(severity(s));
        }
        match per_flavor.values().copied().min().unwrap_or(3) {
            3 => "NoMatchingFlavor",
            2 => "ExceedsMaxQuota",
            _ => "WaitingForQuota",
        }
    }

    /// The event of a Workload a cycle leaves pending: its reason and message, when they
    /// differ from the last ones written for it (only when events are recorded).
    pub(crate) fn kueue_pending_event(&mut self, wl: WlId, a: &Assignment, outcome: Pending) {
        // With client limits on, the status write counts whether events are recorded or not.
        if !self.rec.record_events && !self.api_limited(crate::sim::Client::Kueue) {
            return;
        }
        if self.kq().wls[&wl].state != WkState::Pending {
            return;
        }
        // The message is a function of these (and of the workload's template): unchanged, no
        // event and no write, without formatting it (a cycle leaves most heads as they were).
        let made_of = PendingKey {
            outcome,
            no_fit: a.mode.mode == PreemptionMode::NoFit,
            shortfalls: a.shortfalls.clone(),
        };
        if self.kq().wls[&wl]
            .last_pending
            .as_ref()
            .is_some_and(|(m, _)| *m == made_of)
        {
            return;
        }
        let (reason, message) = match outcome {
            Pending::NoLongerFits => (
                "WaitingForQuota",
                "Workload no longer fits after processing another workload".to_string(),
            ),
            Pending::Preempting(n) => {
                let mut m = self.kueue_assignment_message(wl, a);
                if n > 0 {
                    m.push_str(&format!(". Pending the preemption of {n} workload(s)"));
                }
                ("WaitingForPreemptedWorkloads", m)
            }
            Pending::NotAssigned => {
                let reason = if a.mode.mode == PreemptionMode::NoFit {
                    self.kueue_no_fit_reason(a)
                } else {
                    "WaitingForQuota"
                };
                (reason, self.kueue_assignment_message(wl, a))
            }
        };
        let key = format!("{reason}\n{message}");
        let w: &mut Wk = self.kq().wls.get_mut(&wl).expect("workload");
        let same_text = w.last_pending.as_ref().is_some_and(|(_, k)| *k == key);
        w.last_pending = Some((made_of, key));
        if same_text {
            return;
        }
        // The status write, which the scheduler's cycle waits for.
        self.kueue_write(true);
        self.kueue_wl_touched(wl);
        let obj = self.wl_object(wl);
        self.event(
            || obj,
            reason,
            || crate::policy::kube::diagnosis::truncate_message(message),
        );
    }
}

/// What a pending event's reason and message are made from: equal keys give equal texts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PendingKey {
    outcome: Pending,
    no_fit: bool,
    shortfalls: Vec<Shortfall>,
}

/// How a cycle left a Workload pending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pending {
    /// No flavor assignment fits now (or preemption finds no victims).
    NotAssigned,
    /// It fit, but not after an earlier admission of the cycle.
    NoLongerFits,
    /// It preempts `n` Workloads and waits for their quota.
    Preempting(usize),
}

#[cfg(test)]
mod tests {
    use super::kueue_quantity;

    #[test]
    fn quantities_as_kueue_prints_them() {
        assert_eq!(kueue_quantity("nvidia.com/gpu", 4000), "4");
        assert_eq!(kueue_quantity("cpu", 1500), "1500m");
        assert_eq!(kueue_quantity("cpu", 64000), "64");
        assert_eq!(kueue_quantity("pods", 1_000_000), "1k");
        assert_eq!(kueue_quantity("memory", 64 << 30), "64Gi");
        assert_eq!(kueue_quantity("memory", 1536 << 20), "1536Mi");
        assert_eq!(kueue_quantity("memory", 1000), "1000");
        assert_eq!(kueue_quantity("memory", 0), "0");
    }
}
