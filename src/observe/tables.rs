//! The per-run tables of an experiment: what it is ([`Plan`]: run, compare or sweep; the
//! scenario; sweep points, policies, seeds), its units in canonical order ([`Unit`], [`units`]:
//! point x policy x seed), and each unit's rows of every table ([`Tables`]: summary.csv, jobs.csv,
//! timeseries.csv, events.csv, ...; sweep_runs.csv for sweeps), as text in unit order.
//!
//! These are the inputs of everything derived ([`crate::observe::derive()`]). Writing them, the
//! shard plan file and `merge` are the experiment's ([`crate::experiment::output`]).

use std::path::PathBuf;

use rayon::prelude::*;

use crate::observe::record::RunResult;
use crate::observe::report::{
    CRONJOBS_HEADER, EVENTS_HEADER, FIDELITY_HEADER, JOBS_HEADER, QUEUE_TIMESERIES_HEADER, QUEUES_HEADER,
    RESOURCES_HEADER, SUMMARY_HEADER, TIMESERIES_HEADER, cronjob_rows, events_rows, fidelity_rows, jobs_rows,
    queue_rows, queue_timeseries_rows, resources_rows, summarize, summary_row, timeseries_rows,
};

/// Which command an experiment is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Run,
    Compare,
    Sweep,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::Compare => "compare",
            Kind::Sweep => "sweep",
        }
    }
}

/// One sweep point: the parameter paths and the values set there (empty outside sweeps).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Point {
    pub params: Vec<(String, String)>,
}

impl Point {
    /// `path=value; path=value`.
    pub fn label(&self) -> String {
        self.params
            .iter()
            .map(|(p, v)| format!("{p}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// What an experiment is: everything its derived outputs need besides the tables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub kind: Kind,
    /// The scenario's name.
    pub scenario: String,
    /// Lines describing the scenario for the report (cluster, workloads, horizon).
    pub about: Vec<String>,
    /// Sweep points; one empty point outside sweeps.
    pub points: Vec<Point>,
    pub policies: Vec<String>,
    pub seeds: Vec<u64>,
    /// events.csv is written.
    pub events: bool,
    /// fidelity.csv is written (a Trace records its own waits).
    pub fidelity: bool,
    /// cronjobs.csv is written (the scenario has CronJobs).
    pub cron: bool,
    /// queues.csv and queue_timeseries.csv are written (the scenario has queues).
    pub queues: bool,
    /// Sweep targets (`wait_p95_s<=3600`), as given.
    pub targets: Vec<String>,
    /// Practical thresholds of comparisons (`--negligible wait_mean_s=60`), as given.
    pub negligible: Vec<String>,
    /// The resource dimensions the scenario's nodes offer (not `pods`), sorted: which
    /// per-resource metrics and plots the outputs show (no GPU plots for a CPU-only trace).
    /// Empty: unknown, every metric is shown.
    pub resources: Vec<String>,
}

impl Plan {
    /// How many units [`Plan::units`] lists (saturating), to check before listing them.
    pub fn unit_count(&self) -> u64 {
        (self.points.len() as u64)
            .saturating_mul(self.policies.len() as u64)
            .saturating_mul(self.seeds.len() as u64)
    }

    pub fn units(&self) -> Vec<Unit> {
        units(self.points.len(), &self.policies, &self.seeds)
    }

    /// The per-run tables of this plan: (file name, header, columns that identify the unit).
    pub fn table_specs(&self) -> Vec<(&'static str, String, usize)> {
        match self.kind {
            Kind::Sweep => vec![("sweep_runs.csv", format!("point,{SUMMARY_HEADER}"), 3)],
            Kind::Run | Kind::Compare => {
                let mut v = vec![
                    ("summary.csv", SUMMARY_HEADER.to_string(), 2),
                    ("jobs.csv", JOBS_HEADER.to_string(), 2),
                    ("timeseries.csv", TIMESERIES_HEADER.to_string(), 2),
                    ("resources.csv", RESOURCES_HEADER.to_string(), 2),
                ];
                if self.events {
                    v.push(("events.csv", EVENTS_HEADER.to_string(), 2));
                }
                if self.fidelity {
                    v.push(("fidelity.csv", FIDELITY_HEADER.to_string(), 2));
                }
                if self.cron {
                    v.push(("cronjobs.csv", CRONJOBS_HEADER.to_string(), 2));
                }
                if self.queues {
                    v.push(("queues.csv", QUEUES_HEADER.to_string(), 2));
                    v.push(("queue_timeseries.csv", QUEUE_TIMESERIES_HEADER.to_string(), 2));
                }
                v
            }
        }
    }
}

/// One replication: a scenario variant (sweep point; 0 outside sweeps), a policy and a seed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unit {
    pub point: usize,
    pub policy: String,
    pub seed: u64,
}

/// Every unit of an experiment in its canonical order: point, then policy, then seed. Outputs
/// list runs in this order whatever ran them (threads, shards).
pub fn units(points: usize, policies: &[String], seeds: &[u64]) -> Vec<Unit> {
    let mut out = Vec::with_capacity(points * policies.len() * seeds.len());
    for point in 0..points {
        for policy in policies {
            for &seed in seeds {
                out.push(Unit {
                    point,
                    policy: policy.clone(),
                    seed,
                });
            }
        }
    }
    out
}

/// One unit's rows of a table: text, or a byte range of a file (events.csv).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Text(String),
    File { path: PathBuf, offset: u64, len: u64 },
}

impl Block {
    /// The rows as text. Only tables held in memory are read as text (derived outputs never
    /// read events.csv); asking a file block is a bug.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Block::Text(t) => t.as_bytes(),
            Block::File { path, .. } => panic!("rows on disk ({}) read as text", path.display()),
        }
    }
}

impl From<String> for Block {
    fn from(text: String) -> Block {
        Block::Text(text)
    }
}

/// One per-run table: its rows per unit of [`Tables::units`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub name: &'static str,
    pub header: String,
    pub blocks: Vec<Block>,
}

/// The per-run tables of some units of a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tables {
    pub units: Vec<Unit>,
    pub tables: Vec<Table>,
}

impl Tables {
    /// Tables from run results, `runs[i]` being the run of `units[i]`. A run's events are its
    /// spool file when it has one.
    pub fn from_runs(plan: &Plan, units: &[Unit], runs: &[RunResult]) -> Tables {
        // Rows are formatted in parallel over tables and runs; each block keeps its place.
        let tables = plan
            .table_specs()
            .into_par_iter()
            .map(|(name, header, _)| {
                let blocks = units
                    .par_iter()
                    .zip(runs)
                    .map(|(u, r)| {
                        if name == "events.csv"
                            && let Some(f) = &r.events_file
                        {
                            return Block::File {
                                path: f.path.clone(),
                                offset: 0,
                                len: f.bytes,
                            };
                        }
                        let mut s = String::new();
                        match name {
                            "summary.csv" => summary_row(&summarize(r), &mut s),
                            "sweep_runs.csv" => {
                                let mut row = String::new();
                                summary_row(&summarize(r), &mut row);
                                s = format!("{},{row}", u.point);
                            }
                            "jobs.csv" => jobs_rows(r, &mut s),
                            "timeseries.csv" => timeseries_rows(r, &mut s),
                            "resources.csv" => resources_rows(r, &mut s),
                            "events.csv" => events_rows(r, &mut s),
                            "fidelity.csv" => fidelity_rows(r, &mut s),
                            "cronjobs.csv" => cronjob_rows(r, &mut s),
                            "queues.csv" => queue_rows(r, &mut s),
                            "queue_timeseries.csv" => queue_timeseries_rows(r, &mut s),
                            _ => unreachable!("unknown table {name}"),
                        }
                        Block::Text(s)
                    })
                    .collect();
                Table { name, header, blocks }
            })
            .collect();
        Tables {
            units: units.to_vec(),
            tables,
        }
    }

    /// The table named `name`.
    pub fn get(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }
}
