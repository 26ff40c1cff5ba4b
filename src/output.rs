//! An experiment's outputs, and scale-out over shards.
//!
//! A [`Plan`] says what an experiment is (run, compare or sweep; the scenario; sweep points,
//! policies, seeds). Its units (point x policy x seed, [`crate::experiment::units`]) each
//! produce rows of the per-run tables (summary.csv, jobs.csv, timeseries.csv, events.csv; for
//! sweeps sweep_runs.csv). Every derived output (comparison.csv, sweep.csv, report.html and
//! plots) is computed by [`crate::html::derive()`] from the *text* of those tables, never from
//! in-memory results. So a single run and a merge of shards, which assemble the same table text
//! in the same unit order, give byte-identical files by construction.
//!
//! A shard (`--shard i/n`) writes its share of the tables and `kubesim-shard.txt` (the plan and
//! the shard index); `kubesim merge` checks that the shards are of one plan and complete, puts
//! the rows back in unit order and derives the rest.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{InputError, quote};
use crate::experiment::{Shard, Unit, units};
use crate::limits::{MAX_PLAN_BYTES, MAX_UNITS};
use crate::report::{
    CRONJOBS_HEADER, EVENTS_HEADER, FIDELITY_HEADER, JOBS_HEADER, QUEUE_TIMESERIES_HEADER, QUEUES_HEADER,
    SUMMARY_HEADER, TIMESERIES_HEADER, cronjob_rows, events_rows, fidelity_rows, jobs_rows, queue_rows,
    queue_timeseries_rows, summarize, summary_row, timeseries_rows,
};
use crate::sim::record::RunResult;

/// Name of the plan file in a shard's output folder.
pub const SHARD_FILE: &str = "kubesim-shard.txt";
const SHARD_FORMAT: &str = "1";

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

    fn to_text(&self) -> String {
        let mut lines = vec![
            format!("kind\t{}", self.kind.as_str()),
            format!("scenario\t{}", esc(&self.scenario)),
        ];
        lines.extend(self.about.iter().map(|a| format!("about\t{}", esc(a))));
        for p in &self.points {
            let mut l = "point".to_string();
            for (k, v) in &p.params {
                l.push_str(&format!("\t{}\t{}", esc(k), esc(v)));
            }
            lines.push(l);
        }
        lines.extend(self.policies.iter().map(|p| format!("policy\t{}", esc(p))));
        lines.extend(self.seeds.iter().map(|s| format!("seed\t{s}")));
        lines.push(format!("events\t{}", self.events));
        lines.push(format!("fidelity\t{}", self.fidelity));
        lines.push(format!("cron\t{}", self.cron));
        lines.push(format!("queues\t{}", self.queues));
        lines.extend(self.targets.iter().map(|t| format!("target\t{}", esc(t))));
        lines.join("\n") + "\n"
    }

    fn from_text(text: &str, file: &Path) -> Result<Plan, InputError> {
        let bad = |line: usize, why: String| {
            InputError::new(
                "",
                format!("not a kubesim shard plan: {why}"),
                "pass folders written by `kubesim ... --shard I/N` with this version of kubesim",
            )
            .at(file, line, None)
        };
        let mut plan = Plan {
            kind: Kind::Run,
            scenario: String::new(),
            about: vec![],
            points: vec![],
            policies: vec![],
            seeds: vec![],
            events: false,
            fidelity: false,
            cron: false,
            queues: false,
            targets: vec![],
        };
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            let mut parts = line.split('\t');
            let key = parts.next().unwrap_or("");
            let rest: Vec<String> = parts.map(unesc).collect();
            let one = || {
                rest.first()
                    .cloned()
                    .ok_or_else(|| bad(n, format!("{} has no value", quote(key))))
            };
            match key {
                "kind" => {
                    plan.kind = match one()?.as_str() {
                        "run" => Kind::Run,
                        "compare" => Kind::Compare,
                        "sweep" => Kind::Sweep,
                        _ => return Err(bad(n, "the kind is not run, compare or sweep".into())),
                    }
                }
                "scenario" => plan.scenario = one()?,
                "about" => plan.about.push(one()?),
                "point" => {
                    if !rest.len().is_multiple_of(2) {
                        return Err(bad(n, "a point needs path and value pairs".into()));
                    }
                    plan.points.push(Point {
                        params: rest.chunks(2).map(|c| (c[0].clone(), c[1].clone())).collect(),
                    });
                }
                "policy" => plan.policies.push(one()?),
                "seed" => plan
                    .seeds
                    .push(one()?.parse().map_err(|_| bad(n, "a seed is not a number".into()))?),
                "events" => plan.events = one()? == "true",
                "fidelity" => plan.fidelity = one()? == "true",
                "cron" => plan.cron = one()? == "true",
                "queues" => plan.queues = one()? == "true",
                "target" => plan.targets.push(one()?),
                "kubesim-shard" | "kubesim-version" | "shard" | "" => {}
                // Not echoed: a file that is not a plan may hold anything.
                _ => return Err(bad(n, "a line that is not part of a plan".into())),
            }
        }
        if plan.points.is_empty() || plan.policies.is_empty() || plan.seeds.is_empty() {
            return Err(bad(1, "no points, policies or seeds".into()));
        }
        if plan.unit_count() > MAX_UNITS {
            return Err(bad(
                1,
                format!("{} runs, beyond the limit of {MAX_UNITS}", plan.unit_count()),
            ));
        }
        Ok(plan)
    }
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\t', "\\t").replace('\n', "\\n")
}

fn unesc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// One per-run table: its rows, as text, per unit of [`Tables::units`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub name: &'static str,
    pub header: String,
    pub blocks: Vec<String>,
}

impl Table {
    /// The whole file: header and every unit's rows in unit order.
    pub fn text(&self) -> String {
        let mut out = String::with_capacity(self.header.len() + 1 + self.blocks.iter().map(String::len).sum::<usize>());
        out.push_str(&self.header);
        out.push('\n');
        for b in &self.blocks {
            out.push_str(b);
        }
        out
    }
}

/// The per-run tables of some units of a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tables {
    pub units: Vec<Unit>,
    pub tables: Vec<Table>,
}

impl Tables {
    /// Tables from run results, `runs[i]` being the run of `units[i]`.
    pub fn from_runs(plan: &Plan, units: &[Unit], runs: &[RunResult]) -> Tables {
        let tables = plan
            .table_specs()
            .into_iter()
            .map(|(name, header, _)| {
                let blocks = units
                    .iter()
                    .zip(runs)
                    .map(|(u, r)| {
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
                            "events.csv" => events_rows(r, &mut s),
                            "fidelity.csv" => fidelity_rows(r, &mut s),
                            "cronjobs.csv" => cronjob_rows(r, &mut s),
                            "queues.csv" => queue_rows(r, &mut s),
                            "queue_timeseries.csv" => queue_timeseries_rows(r, &mut s),
                            _ => unreachable!("unknown table {name}"),
                        }
                        s
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

    /// Files to write: every table in full, as parts (the header line, then each unit's rows).
    pub fn parts(&self) -> Vec<(String, Vec<&[u8]>)> {
        self.tables
            .iter()
            .map(|t| {
                let mut parts: Vec<&[u8]> = Vec::with_capacity(t.blocks.len() + 2);
                parts.push(t.header.as_bytes());
                parts.push(b"\n");
                parts.extend(t.blocks.iter().map(|b| b.as_bytes()));
                (t.name.to_string(), parts)
            })
            .collect()
    }
}

/// The plan file of shard `shard`.
pub fn shard_file(plan: &Plan, shard: Shard) -> (String, Vec<u8>) {
    let text = format!(
        "kubesim-shard\t{SHARD_FORMAT}\nkubesim-version\t{}\nshard\t{}/{}\n{}",
        env!("CARGO_PKG_VERSION"),
        shard.index,
        shard.count,
        plan.to_text()
    );
    (SHARD_FILE.to_string(), text.into_bytes())
}

fn read_text(path: &Path, fix: &str) -> Result<String, InputError> {
    let bytes = fs::read(path).map_err(|e| InputError {
        file: Some(path.to_path_buf()),
        ..InputError::new("", format!("cannot read: {e}"), fix)
    })?;
    String::from_utf8(bytes).map_err(|_| InputError {
        file: Some(path.to_path_buf()),
        ..InputError::new("", "not UTF-8 text", fix)
    })
}

/// Read shard folders back into one plan and the complete tables, rows in unit order.
pub fn merge(dirs: &[PathBuf]) -> Result<(Plan, Tables), InputError> {
    let fix_rerun = "pass every shard folder of one experiment, each written by `--shard I/N`, once";
    if dirs.is_empty() {
        return Err(InputError::new("", "no shard folder given", fix_rerun));
    }
    let mut plan: Option<(Plan, PathBuf)> = None;
    let mut shards: Vec<Shard> = Vec::new();
    for d in dirs {
        let path = d.join(SHARD_FILE);
        let fix = "pass a folder written by `kubesim ... --shard I/N --out FOLDER`";
        let in_file = |message: String| InputError {
            file: Some(path.clone()),
            ..InputError::new("", message, fix)
        };
        let bytes = crate::limits::read_file_at_most(&path, MAX_PLAN_BYTES)
            .map_err(|e| in_file(format!("cannot read: {e}")))?
            .ok_or_else(|| in_file(format!("not a shard plan: longer than {MAX_PLAN_BYTES} bytes")))?;
        let text = String::from_utf8(bytes).map_err(|_| in_file("not UTF-8 text".to_string()))?;
        let shard_line = text.lines().find_map(|l| l.strip_prefix("shard\t")).unwrap_or("");
        let shard = Shard::parse(shard_line).map_err(|e| InputError {
            file: Some(path.clone()),
            ..e
        })?;
        let p = Plan::from_text(&text, &path)?;
        match &plan {
            None => plan = Some((p, path.clone())),
            Some((first, first_path)) => {
                if *first != p {
                    return Err(InputError {
                        file: Some(path.clone()),
                        ..InputError::new(
                            "",
                            format!("this shard belongs to another experiment than {}", first_path.display()),
                            "merge only the shards of one command (same scenario, policies, seeds, points)",
                        )
                    });
                }
            }
        }
        if let Some(first) = shards.first()
            && first.count != shard.count
        {
            return Err(InputError {
                file: Some(path.clone()),
                ..InputError::new(
                    "",
                    format!("shard {}/{} among shards of {}", shard.index, shard.count, first.count),
                    fix_rerun,
                )
            });
        }
        if shards.contains(&shard) {
            return Err(InputError {
                file: Some(path.clone()),
                ..InputError::new(
                    "",
                    format!("shard {}/{} is given twice", shard.index, shard.count),
                    fix_rerun,
                )
            });
        }
        shards.push(shard);
    }
    let (plan, _) = plan.expect("at least one shard folder was read");
    let count = shards[0].count;
    let missing: Vec<String> = (0..count)
        .filter(|i| !shards.iter().any(|s| s.index == *i))
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(InputError::new(
            "",
            format!("shards missing: {}", missing.join(", ")),
            "run the missing shards (same command with --shard I/N) and pass their folders too",
        ));
    }
    let units = plan.units();
    let index: BTreeMap<(usize, &str, u64), usize> = units
        .iter()
        .enumerate()
        .map(|(k, u)| ((u.point, u.policy.as_str(), u.seed), k))
        .collect();
    let mut tables = Vec::new();
    for (name, header, key_cols) in plan.table_specs() {
        let mut blocks = vec![String::new(); units.len()];
        let mut rows_per_unit = vec![0usize; units.len()];
        for (d, shard) in dirs.iter().zip(&shards) {
            let path = d.join(name);
            let text = read_text(&path, "the shard is incomplete: run it again")?;
            let (first, body) = text.split_once('\n').unwrap_or((&text, ""));
            if first != header {
                return Err(InputError {
                    file: Some(path.clone()),
                    ..InputError::new(
                        "",
                        "unexpected header",
                        "the shard was written by another kubesim version: run it again",
                    )
                });
            }
            let body_start = text.len() - body.len();
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(body.as_bytes());
            let mut rec = csv::StringRecord::new();
            let mut start = 0usize;
            loop {
                let more = rdr.read_record(&mut rec).map_err(|e| InputError {
                    file: Some(path.clone()),
                    ..InputError::new("", format!("bad CSV: {e}"), "the shard is damaged: run it again")
                })?;
                if !more {
                    break;
                }
                let end = rdr.position().byte() as usize;
                let line_no = rec.position().map_or(0, |p| p.line() as usize + 1);
                let bad_row = |why: &str| {
                    InputError::new(
                        "",
                        format!("row of {why}"),
                        "the shard is damaged or not of this plan: run it again",
                    )
                    .at(&path, line_no, None)
                };
                let field = |i: usize| rec.get(i).unwrap_or("");
                let (point, policy, seed) = if key_cols == 3 {
                    (field(0).parse::<usize>().ok(), field(1), field(2))
                } else {
                    (Some(0), field(0), field(1))
                };
                let key = point.zip(seed.parse::<u64>().ok()).map(|(p, s)| (p, policy, s));
                let k = key
                    .and_then(|k| index.get(&k).copied())
                    .ok_or_else(|| bad_row("a unit the plan does not have"))?;
                if !shard.owns(k) {
                    return Err(bad_row("another shard's unit"));
                }
                blocks[k].push_str(&text[body_start + start..body_start + end]);
                rows_per_unit[k] += 1;
                start = end;
            }
        }
        if (name == "summary.csv" || name == "sweep_runs.csv")
            && let Some(k) = rows_per_unit.iter().position(|&c| c != 1)
        {
            let u = &units[k];
            return Err(InputError::new(
                "",
                format!(
                    "{name}: {} rows for point {} policy {} seed {} (expected 1)",
                    rows_per_unit[k], u.point, u.policy, u.seed
                ),
                "a shard is incomplete or damaged: run it again",
            ));
        }
        tables.push(Table { name, header, blocks });
    }
    Ok((plan, Tables { units, tables }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_round_trip_through_text() {
        let plan = Plan {
            kind: Kind::Sweep,
            scenario: "a\tb".into(),
            about: vec!["16 nodes\nx".into(), "back\\slash".into()],
            points: vec![
                Point {
                    params: vec![("NodePool/gpu:spec.count".into(), "8".into())],
                },
                Point {
                    params: vec![("NodePool/gpu:spec.count".into(), "16".into())],
                },
            ],
            policies: vec!["kube-default".into(), "volcano".into()],
            seeds: vec![1, 2, 3],
            events: false,
            fidelity: true,
            cron: true,
            queues: true,
            targets: vec!["wait_p95_s<=3600".into()],
        };
        let text = plan.to_text();
        assert_eq!(Plan::from_text(&text, Path::new("x")).unwrap(), plan);
        assert!(Plan::from_text("bogus\t1\n", Path::new("x")).is_err());
    }
}
