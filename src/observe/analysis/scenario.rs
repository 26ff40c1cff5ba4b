//! What the verdict says of the scenario's own kind: a trace replay's fidelity (the
//! Kolmogorov-Smirnov distance between recorded and simulated waits, fidelity.csv) and a cron
//! scenario's skipped and late runs (cronjobs.csv), per policy, means over its runs.

use crate::observe::analysis::{field, policy_records};
use crate::observe::tables::{Table, Tables};

/// A trace's replay fidelity under one policy, means over the runs that replayed it.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplayMean {
    pub policy: String,
    pub trace: String,
    pub runs: usize,
    /// The mean KS distance over the runs where it is defined (`None`: no trace job with a
    /// recorded wait started in any run).
    pub ks_distance: Option<f64>,
    /// Trace jobs with a recorded wait that started, and that never did, per run.
    pub jobs: f64,
    pub not_started: f64,
    /// Median recorded and simulated waits (s), means over the runs where jobs started.
    pub recorded_p50_s: Option<f64>,
    pub simulated_p50_s: Option<f64>,
}

/// KS distances up to this are a close replay.
pub const KS_CLOSE: f64 = 0.1;
/// KS distances above this are a poor replay (between: a moderate one).
pub const KS_POOR: f64 = 0.3;

/// A policy's CronJobs, summed over its CronJobs, means over its runs.
#[derive(Clone, Debug, PartialEq)]
pub struct CronMean {
    pub policy: String,
    pub runs: usize,
    pub cronjobs: usize,
    pub started: f64,
    pub skipped_forbid: f64,
    pub skipped_deadline: f64,
    pub skipped_suspended: f64,
    pub late_runs: f64,
    /// The largest lateness of any run (s).
    pub late_max_s: f64,
}

impl CronMean {
    /// Scheduled times that got no Job, per run.
    pub fn skipped(&self) -> f64 {
        self.skipped_forbid + self.skipped_deadline + self.skipped_suspended
    }
}

/// The column of `name` in `t` (`usize::MAX`, read as empty, when absent).
fn col(t: &Table, name: &str) -> usize {
    t.header.split(',').position(|c| c == name).unwrap_or(usize::MAX)
}

/// The policy's runs (units) in the tables.
fn runs_of(tables: &Tables, policy: &str) -> usize {
    tables.units.iter().filter(|u| u.policy == policy).count()
}

/// Per policy (in order) and trace (in order of first row), replay fidelity's means.
pub fn replay_means(tables: &Tables, policies: &[String]) -> Vec<ReplayMean> {
    let Some(t) = tables.get("fidelity.csv") else {
        return vec![];
    };
    let [trace, jobs, never, ks, rec, sim] = [
        "trace",
        "jobs",
        "not_started",
        "ks_distance",
        "recorded_p50_s",
        "simulated_p50_s",
    ]
    .map(|n| col(t, n));
    let mut out = Vec::new();
    for p in policies {
        let rows = policy_records(tables, "fidelity.csv", p);
        let mut traces: Vec<&str> = Vec::new();
        for r in &rows {
            let name = r.get(trace).unwrap_or("");
            if !traces.contains(&name) {
                traces.push(name);
            }
        }
        for name in traces {
            let mine: Vec<_> = rows.iter().filter(|r| r.get(trace).unwrap_or("") == name).collect();
            let n = mine.len() as f64;
            let mean_of = |c: usize, started_only: bool| {
                let v: Vec<f64> = mine
                    .iter()
                    .filter(|r| !started_only || field(r, jobs) > 0.0)
                    .filter_map(|r| r.get(c).and_then(|v| v.parse::<f64>().ok()))
                    .collect();
                (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
            };
            out.push(ReplayMean {
                policy: p.clone(),
                trace: name.to_string(),
                runs: mine.len(),
                ks_distance: mean_of(ks, false),
                jobs: mine.iter().map(|r| field(r, jobs)).sum::<f64>() / n,
                not_started: mine.iter().map(|r| field(r, never)).sum::<f64>() / n,
                recorded_p50_s: mean_of(rec, true),
                simulated_p50_s: mean_of(sim, true),
            });
        }
    }
    out
}

/// Per policy (in order), its CronJobs' totals per run.
pub fn cron_means(tables: &Tables, policies: &[String]) -> Vec<CronMean> {
    let Some(t) = tables.get("cronjobs.csv") else {
        return vec![];
    };
    let cols = [
        "started",
        "skipped_forbid",
        "skipped_deadline",
        "skipped_suspended",
        "late_runs",
    ]
    .map(|n| col(t, n));
    let late_max = col(t, "late_max_s");
    policies
        .iter()
        .map(|p| {
            let rows = policy_records(tables, "cronjobs.csv", p);
            let runs = runs_of(tables, p);
            let per_run = |c: usize| rows.iter().map(|r| field(r, c)).sum::<f64>() / runs.max(1) as f64;
            let [started, skipped_forbid, skipped_deadline, skipped_suspended, late_runs] = cols.map(per_run);
            CronMean {
                policy: p.clone(),
                runs,
                cronjobs: rows.len() / runs.max(1),
                started,
                skipped_forbid,
                skipped_deadline,
                skipped_suspended,
                late_runs,
                late_max_s: rows.iter().map(|r| field(r, late_max)).fold(0.0, f64::max),
            }
        })
        .collect()
}
