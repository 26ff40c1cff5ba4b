//! Scheduling policies: kube-scheduler with its plugins ([`kube`], coscheduling as a plugin at
//! its PreFilter, Permit and PostFilter points, its own gang scheduling as the Workload
//! Scheduling Cycle), volcano-scheduler ([`volcano`]: sessions, actions, plugins), Kueue's quota
//! admission in front of kube-scheduler ([`kueue`]) and a batch system's EASY backfilling over
//! whole workloads ([`backfill`]).
//!
//! [`POLICIES`] is the one registry of policies: a policy is a row naming which placer places
//! pods and with which plugins and actions. The CLI (`--policy`), the scenario validator
//! (`spec.policies`), error messages and the docs' policy table all read it (a test checks the
//! docs against it). A new combination of existing parts is one row; a new scheduler is a folder
//! here, one [`Placer`] variant and its rows (ARCHITECTURE.md, "How to add a policy").
//!
//! The World reaches the policy only through the hooks in [`hooks`]: a pod to place, a node
//! changed, resources released. Each hook dispatches on the placer, so the rest of the
//! simulation never asks which policy runs.

pub mod backfill;
pub mod hooks;
pub mod kube;
pub mod kueue;
pub mod volcano;

use crate::error::{InputError, quote};
use crate::model::cluster::Scoring;

/// The scheduler that binds pods to nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placer {
    /// kube-scheduler: one pod at a time from its scheduling queue ([`kube`]).
    Kube,
    /// volcano-scheduler: sessions over whole jobs ([`volcano`]).
    Volcano,
    /// A batch system's backfilling over whole workloads ([`backfill`]).
    Backfill,
}

/// One built-in policy: a placer and the plugins, actions and admission it runs with.
#[derive(Debug, PartialEq, Eq)]
pub struct PolicyDef {
    /// The name users write (`--policy`, `spec.policies`).
    pub name: &'static str,
    /// One line on what it models, for listings.
    pub summary: &'static str,
    pub placer: Placer,
    /// kube-scheduler's NodeResourcesFit scoring strategy (also the placer of `kueue`).
    pub scoring: Scoring,
    /// kube-scheduler runs the scheduler-plugins Coscheduling plugin.
    pub coscheduling: bool,
    /// kube-scheduler runs its own gang scheduling (GenericWorkload, v1.37): the
    /// GangScheduling plugin and the Workload Scheduling Cycle ([`kube::podgroup`]).
    pub workload_cycle: bool,
    /// volcano-scheduler runs the preempt and reclaim actions.
    pub volcano_preempt: bool,
    /// Kueue's quota admission gates workloads before the placer sees their pods.
    pub kueue: bool,
}

const fn kube(name: &'static str, summary: &'static str, scoring: Scoring) -> PolicyDef {
    PolicyDef {
        name,
        summary,
        placer: Placer::Kube,
        scoring,
        coscheduling: false,
        workload_cycle: false,
        volcano_preempt: false,
        kueue: false,
    }
}

/// The built-in policies, in the order listings show them.
pub const POLICIES: &[PolicyDef] = &[
    kube(
        "kube-default",
        "kube-scheduler's default profile, pod by pod, with DefaultPreemption",
        Scoring::LeastAllocated,
    ),
    kube(
        "kube-binpack",
        "kube-default with NodeResourcesFit MostAllocated",
        Scoring::MostAllocated,
    ),
    PolicyDef {
        workload_cycle: true,
        ..kube(
            "kube-gang",
            "kube-default plus kube-scheduler's own gang scheduling (Workload Scheduling Cycle, v1.37)",
            Scoring::LeastAllocated,
        )
    },
    PolicyDef {
        coscheduling: true,
        ..kube(
            "coscheduling",
            "kube-default plus the scheduler-plugins Coscheduling plugin (gangs)",
            Scoring::LeastAllocated,
        )
    },
    PolicyDef {
        placer: Placer::Volcano,
        ..kube(
            "volcano",
            "volcano-scheduler: enqueue, gang allocate, backfill; queues by proportion",
            Scoring::LeastAllocated,
        )
    },
    PolicyDef {
        placer: Placer::Volcano,
        volcano_preempt: true,
        ..kube(
            "volcano-preempt",
            "volcano plus the preempt and reclaim actions",
            Scoring::LeastAllocated,
        )
    },
    PolicyDef {
        kueue: true,
        ..kube(
            "kueue",
            "Kueue's quota admission in front of kube-default",
            Scoring::LeastAllocated,
        )
    },
    PolicyDef {
        placer: Placer::Backfill,
        ..kube(
            "easy-backfill",
            "EASY backfilling (FIFO, a reservation for the head) over whole workloads",
            Scoring::LeastAllocated,
        )
    },
];

/// The policy of a run: a row of [`POLICIES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy(&'static PolicyDef);

impl Policy {
    /// The built-in policy of this name, or an error listing the names.
    pub fn parse(name: &str) -> Result<Policy, InputError> {
        POLICIES.iter().find(|d| d.name == name).map(Policy).ok_or_else(|| {
            InputError::new(
                "policies",
                format!("unknown policy {}", quote(name)),
                format!("use one of {}", names().join(", ")),
            )
        })
    }

    /// The registry row.
    pub fn def(self) -> &'static PolicyDef {
        self.0
    }

    pub fn name(self) -> &'static str {
        self.0.name
    }

    /// volcano-scheduler places pods (with or without preemption).
    pub fn is_volcano(self) -> bool {
        self.0.placer == Placer::Volcano
    }
}

impl std::ops::Deref for Policy {
    type Target = PolicyDef;
    fn deref(&self) -> &PolicyDef {
        self.0
    }
}

/// The built-in policies' names, in registry order.
pub fn names() -> Vec<&'static str> {
    POLICIES.iter().map(|d| d.name).collect()
}

/// Whether `name` is a built-in policy.
pub fn is_builtin(name: &str) -> bool {
    POLICIES.iter().any(|d| d.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_parse_back() {
        for (i, d) in POLICIES.iter().enumerate() {
            assert!(!POLICIES[..i].iter().any(|e| e.name == d.name), "{} twice", d.name);
            assert_eq!(Policy::parse(d.name).unwrap().name(), d.name);
        }
        let e = Policy::parse("kube-defualt").unwrap_err();
        assert!(
            e.to_string()
                .contains(&format!("unknown policy {}", quote("kube-defualt"))),
            "{e}"
        );
        assert!(e.to_string().contains(&names().join(", ")), "{e}");
    }

    #[test]
    fn plugins_belong_to_their_placer() {
        for d in POLICIES {
            assert!(!d.coscheduling || d.placer == Placer::Kube, "{}", d.name);
            assert!(!d.workload_cycle || d.placer == Placer::Kube, "{}", d.name);
            assert!(!(d.workload_cycle && d.coscheduling), "{}: one gang plugin", d.name);
            assert!(!d.kueue || d.placer == Placer::Kube, "{}", d.name);
            assert!(!d.volcano_preempt || d.placer == Placer::Volcano, "{}", d.name);
        }
    }

    /// The docs' policy table (docs/scenario.md) and the `--policy` row (docs/cli.md) list
    /// exactly the registry's policies.
    #[test]
    fn docs_list_the_registry() {
        let root = env!("CARGO_MANIFEST_DIR");
        let scenario = std::fs::read_to_string(format!("{root}/docs/scenario.md")).unwrap();
        let table: Vec<&str> = scenario
            .lines()
            .skip_while(|l| !l.starts_with("| policy | what it models |"))
            .skip(2)
            .take_while(|l| l.starts_with("| `"))
            .map(|l| l.split('`').nth(1).unwrap())
            .collect();
        assert_eq!(table, names(), "docs/scenario.md's policy table");
        let cli = std::fs::read_to_string(format!("{root}/docs/cli.md")).unwrap();
        let row = cli.lines().find(|l| l.starts_with("| `--policy P`")).unwrap();
        let listed = names().iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
        assert!(row.contains(&listed), "docs/cli.md's --policy row lists {listed}");
    }
}
