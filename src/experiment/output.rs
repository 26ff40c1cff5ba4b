//! An experiment's outputs, and scale-out over shards.
//!
//! The per-run tables ([`Tables`], with the [`Plan`] that says what the experiment is) are
//! observation's ([`crate::observe::tables`], re-exported here). Every derived output
//! (comparison.csv, sweep.csv, report.html and plots) is computed by [`crate::observe::derive()`]
//! from the *text* of those tables, never from in-memory results. So a single run and a merge of
//! shards, which assemble the same table text in the same unit order, give byte-identical files by
//! construction. This module writes the tables and the shard plan file, and merges shards.
//!
//! A shard (`--shard i/n`) writes its share of the tables and `kubesim-shard.txt` (the plan, the
//! shard index, and each table's row count, size and SHA-256); `kubesim merge` checks that the
//! shards are of one plan, complete and unaltered (a truncated or edited table is refused), puts
//! the rows back in unit order and derives the rest.
//!
//! Tables are text in memory, except events.csv, which can be far larger than the scenario: its
//! blocks are byte ranges of files (each run's spool, or a shard's events.csv), copied into the
//! output without being read into memory.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{InputError, quote};
use crate::experiment::Shard;
use crate::experiment::outdir::{FilePlan, Part};
use crate::limits::{MAX_PLAN_BYTES, MAX_UNITS};
use crate::observe::tables::Unit;
pub use crate::observe::tables::{Block, Kind, Plan, Point, Table, Tables};

/// Name of the plan file in a shard's output folder.
pub const SHARD_FILE: &str = "kubesim-shard.txt";
/// 2: each table's rows, bytes and SHA-256 are recorded.
const SHARD_FORMAT: &str = "2";

/// The shard plan file's text form of a plan.
impl Plan {
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
        lines.extend(self.negligible.iter().map(|t| format!("negligible\t{}", esc(t))));
        lines.extend(self.resources.iter().map(|r| format!("resource\t{}", esc(r))));
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
            negligible: vec![],
            resources: vec![],
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
                "negligible" => plan.negligible.push(one()?),
                "resource" => plan.resources.push(one()?),
                "kubesim-shard" | "kubesim-version" | "shard" | "table" | "" => {}
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

impl Block {
    fn part(&self) -> Part<'_> {
        match self {
            Block::Text(t) => Part::Bytes(t.as_bytes()),
            Block::File { path, offset, len } => Part::File {
                path,
                offset: *offset,
                len: *len,
            },
        }
    }
}

impl Table {
    /// The file's parts: the header line, then each unit's rows.
    fn parts(&self) -> Vec<Part<'_>> {
        let mut parts = Vec::with_capacity(self.blocks.len() + 2);
        parts.push(Part::Bytes(self.header.as_bytes()));
        parts.push(Part::Bytes(b"\n"));
        parts.extend(self.blocks.iter().map(Block::part));
        parts
    }

    /// Rows, bytes and SHA-256 of the whole file, read part by part.
    fn digest(&self) -> Result<Digested, InputError> {
        let mut d = Digested::default();
        for part in self.parts() {
            match part {
                Part::Bytes(b) => d.update(b),
                Part::File { path, offset, len } => {
                    let read_err = |e: std::io::Error| {
                        InputError::new(
                            "--out",
                            format!("cannot read {}: {e}", path.display()),
                            "run the command again",
                        )
                    };
                    let mut f = fs::File::open(path).map_err(read_err)?;
                    std::io::Seek::seek(&mut f, std::io::SeekFrom::Start(offset)).map_err(read_err)?;
                    let mut take = f.take(len);
                    let mut buf = vec![0u8; 1 << 16];
                    loop {
                        let n = take.read(&mut buf).map_err(read_err)?;
                        if n == 0 {
                            break;
                        }
                        d.update(&buf[..n]);
                    }
                }
            }
        }
        // The header line is not a row.
        d.rows -= 1;
        Ok(d)
    }
}

/// Size, CSV records and SHA-256 of a stream of bytes.
#[derive(Default)]
struct Digested {
    rows: u64,
    bytes: u64,
    sha: Sha256,
    in_quotes: bool,
}

impl Digested {
    fn update(&mut self, b: &[u8]) {
        self.sha.update(b);
        self.bytes += b.len() as u64;
        for &c in b {
            match c {
                b'"' => self.in_quotes = !self.in_quotes,
                b'\n' if !self.in_quotes => self.rows += 1,
                _ => {}
            }
        }
    }

    fn hex(self) -> String {
        self.sha.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl Tables {
    /// Files to write: every table in full, as parts (the header line, then each unit's rows).
    pub fn parts(&self) -> Vec<FilePlan<'_>> {
        self.tables.iter().map(|t| (t.name.to_string(), t.parts())).collect()
    }
}

/// The plan file of shard `shard` of `tables`: the plan, and each table's rows, size and
/// SHA-256, which [`merge`] checks.
pub fn shard_file(plan: &Plan, shard: Shard, tables: &Tables) -> Result<(String, Vec<u8>), InputError> {
    let mut text = format!(
        "kubesim-shard\t{SHARD_FORMAT}\nkubesim-version\t{}\nshard\t{}/{}\n{}",
        env!("CARGO_PKG_VERSION"),
        shard.index,
        shard.count,
        plan.to_text()
    );
    for t in &tables.tables {
        let d = t.digest()?;
        let (rows, bytes) = (d.rows, d.bytes);
        text.push_str(&format!("table\t{}\t{rows}\t{bytes}\t{}\n", t.name, d.hex()));
    }
    Ok((SHARD_FILE.to_string(), text.into_bytes()))
}

/// What a shard's plan file records of one table.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Recorded {
    rows: u64,
    bytes: u64,
    sha256: String,
}

/// The `table` lines of a shard's plan file, by table name.
fn recorded_tables(text: &str, file: &Path) -> Result<BTreeMap<String, Recorded>, InputError> {
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let Some(rest) = line.strip_prefix("table\t") else {
            continue;
        };
        let f: Vec<&str> = rest.split('\t').collect();
        let rec = match f.as_slice() {
            [name, rows, bytes, sha] if sha.len() == 64 => {
                rows.parse().ok().zip(bytes.parse().ok()).map(|(rows, bytes)| {
                    (
                        name.to_string(),
                        Recorded {
                            rows,
                            bytes,
                            sha256: sha.to_string(),
                        },
                    )
                })
            }
            _ => None,
        };
        let (name, rec) = rec.ok_or_else(|| {
            InputError::new(
                "",
                "not a kubesim shard plan: a damaged `table` line",
                "run the shard again",
            )
            .at(file, i + 1, None)
        })?;
        out.insert(name, rec);
    }
    Ok(out)
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

/// What to do when the shard folders given are not every shard of one experiment, once.
const FIX_RERUN: &str = "pass every shard folder of one experiment, each written by `--shard I/N`, once";

/// Read shard folders back into one plan and the complete tables, rows in unit order. Every
/// table must match what its shard's plan file recorded (rows, size, SHA-256).
pub fn merge(dirs: &[PathBuf]) -> Result<(Plan, Tables), InputError> {
    if dirs.is_empty() {
        return Err(InputError::new("", "no shard folder given", FIX_RERUN));
    }
    let (plan, shards, recorded) = read_shard_plans(dirs)?;
    check_complete(&shards)?;
    let units = plan.units();
    let index: UnitIndex = units
        .iter()
        .enumerate()
        .map(|(k, u)| ((u.point, u.policy.as_str(), u.seed), k))
        .collect();
    let mut tables = Vec::new();
    for (name, header, key_cols) in plan.table_specs() {
        let mut table = TableMerge {
            name,
            header,
            key_cols,
            index: &index,
            blocks: vec![None; units.len()],
            rows_per_unit: vec![0usize; units.len()],
        };
        for ((d, shard), rec) in dirs.iter().zip(&shards).zip(&recorded) {
            let path = d.join(name);
            verify_table(&path, name, rec.get(name))?;
            table.add_shard(&path, *shard)?;
        }
        tables.push(table.finish(&units)?);
    }
    Ok((plan, Tables { units, tables }))
}

/// The unit index of each (point, policy, seed) of a plan.
type UnitIndex<'a> = BTreeMap<(usize, &'a str, u64), usize>;

/// What a shard's plan file records of each table, by table name.
type RecordedTables = BTreeMap<String, Recorded>;

/// The plan files of the shard folders `dirs`, in order: they must be of one plan and one shard
/// count, no shard twice. Returns the plan, and each folder's shard and recorded tables.
fn read_shard_plans(dirs: &[PathBuf]) -> Result<(Plan, Vec<Shard>, Vec<RecordedTables>), InputError> {
    let mut plan: Option<(Plan, PathBuf)> = None;
    let mut shards: Vec<Shard> = Vec::new();
    let mut recorded: Vec<RecordedTables> = Vec::new();
    for d in dirs {
        let path = d.join(SHARD_FILE);
        let (shard, p, rec) = read_shard_plan(&path)?;
        recorded.push(rec);
        let in_file = |message: String, fix: &str| InputError {
            file: Some(path.clone()),
            ..InputError::new("", message, fix)
        };
        match &plan {
            None => plan = Some((p, path.clone())),
            Some((first, first_path)) => {
                if *first != p {
                    return Err(in_file(
                        format!("this shard belongs to another experiment than {}", first_path.display()),
                        "merge only the shards of one command (same scenario, policies, seeds, points)",
                    ));
                }
            }
        }
        if let Some(first) = shards.first()
            && first.count != shard.count
        {
            return Err(in_file(
                format!("shard {}/{} among shards of {}", shard.index, shard.count, first.count),
                FIX_RERUN,
            ));
        }
        if shards.contains(&shard) {
            return Err(in_file(
                format!("shard {}/{} is given twice", shard.index, shard.count),
                FIX_RERUN,
            ));
        }
        shards.push(shard);
    }
    let (plan, _) = plan.expect("at least one shard folder was read");
    Ok((plan, shards, recorded))
}

/// One shard's plan file at `path`: its shard, its plan and what it records of each table.
fn read_shard_plan(path: &Path) -> Result<(Shard, Plan, RecordedTables), InputError> {
    let fix = "pass a folder written by `kubesim ... --shard I/N --out FOLDER`";
    let in_file = |message: String| InputError {
        file: Some(path.to_path_buf()),
        ..InputError::new("", message, fix)
    };
    let bytes = crate::limits::read_file_at_most(path, MAX_PLAN_BYTES)
        .map_err(|e| in_file(format!("cannot read: {e}")))?
        .ok_or_else(|| in_file(format!("not a shard plan: longer than {MAX_PLAN_BYTES} bytes")))?;
    let text = String::from_utf8(bytes).map_err(|_| in_file("not UTF-8 text".to_string()))?;
    let format = text
        .lines()
        .find_map(|l| l.strip_prefix("kubesim-shard\t"))
        .unwrap_or("");
    if format != SHARD_FORMAT {
        return Err(InputError {
            file: Some(path.to_path_buf()),
            ..InputError::new(
                "",
                "this shard was written by another version of kubesim",
                "run every shard again with this version",
            )
        });
    }
    let shard_line = text.lines().find_map(|l| l.strip_prefix("shard\t")).unwrap_or("");
    let shard = Shard::parse(shard_line).map_err(|e| InputError {
        file: Some(path.to_path_buf()),
        ..e
    })?;
    let plan = Plan::from_text(&text, path)?;
    let recorded = recorded_tables(&text, path)?;
    Ok((shard, plan, recorded))
}

/// Every shard `i/n` for `i` in `0..n` must be among `shards` (at least one).
fn check_complete(shards: &[Shard]) -> Result<(), InputError> {
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
    Ok(())
}

/// One table being merged: each unit's block of rows, taken from the shard that ran the unit.
struct TableMerge<'a> {
    name: &'static str,
    header: String,
    /// 3 if rows start with point, policy, seed; 2 if with policy, seed (point 0).
    key_cols: usize,
    index: &'a UnitIndex<'a>,
    blocks: Vec<Option<Block>>,
    rows_per_unit: Vec<usize>,
}

impl TableMerge<'_> {
    /// Take the blocks of rows of `shard`'s copy of the table at `path` (already verified): each
    /// unit's rows must be together, of a unit of the plan that this shard owns.
    fn add_shard(&mut self, path: &Path, shard: Shard) -> Result<(), InputError> {
        // events.csv stays on disk (ranges of the shard's file); the rest is read as text.
        let text = if self.name == "events.csv" {
            None
        } else {
            Some(read_text(path, "the shard is incomplete: run it again")?)
        };
        let source: Box<dyn Read> = match &text {
            Some(t) => Box::new(t.as_bytes()),
            None => Box::new(std::io::BufReader::new(fs::File::open(path).map_err(|e| {
                InputError {
                    file: Some(path.to_path_buf()),
                    ..InputError::new("", format!("cannot read: {e}"), "the shard is incomplete: run it again")
                }
            })?)),
        };
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(source);
        let mut rec = csv::StringRecord::new();
        let damaged = |line: usize, why: &str| {
            InputError::new(
                "",
                why.to_string(),
                "the shard is damaged or not of this plan: run it again",
            )
            .at(path, line, None)
        };
        let mut start = 0u64;
        let mut first = true;
        // The unit whose rows are being read, and where they began.
        let mut current: Option<(usize, u64)> = None;
        let close = |cur: Option<(usize, u64)>, end: u64, blocks: &mut Vec<Option<Block>>| {
            if let Some((k, from)) = cur {
                blocks[k] = Some(match &text {
                    Some(t) => Block::Text(t[from as usize..end as usize].to_string()),
                    None => Block::File {
                        path: path.to_path_buf(),
                        offset: from,
                        len: end - from,
                    },
                });
            }
        };
        loop {
            let more = rdr
                .read_record(&mut rec)
                .map_err(|e| damaged(0, &format!("bad CSV: {e}")))?;
            if !more {
                break;
            }
            let end = rdr.position().byte();
            let line_no = rec.position().map_or(0, |p| p.line() as usize);
            if first {
                first = false;
                if rec.iter().collect::<Vec<_>>().join(",") != self.header {
                    return Err(damaged(1, "unexpected header"));
                }
                start = end;
                continue;
            }
            let k = self
                .unit_of(&rec)
                .ok_or_else(|| damaged(line_no, "row of a unit the plan does not have"))?;
            if !shard.owns(k) {
                return Err(damaged(line_no, "row of another shard's unit"));
            }
            if current.map(|(c, _)| c) != Some(k) {
                if self.blocks[k].is_some() {
                    return Err(damaged(line_no, "rows of one run are not together"));
                }
                close(current, start, &mut self.blocks);
                current = Some((k, start));
            }
            self.rows_per_unit[k] += 1;
            start = end;
        }
        close(current, start, &mut self.blocks);
        Ok(())
    }

    /// The unit a row belongs to, by its key columns; None if the plan has no such unit.
    fn unit_of(&self, rec: &csv::StringRecord) -> Option<usize> {
        let field = |i: usize| rec.get(i).unwrap_or("");
        let (point, policy, seed) = if self.key_cols == 3 {
            (field(0).parse::<usize>().ok(), field(1), field(2))
        } else {
            (Some(0), field(0), field(1))
        };
        let key = point.zip(seed.parse::<u64>().ok()).map(|(p, s)| (p, policy, s));
        key.and_then(|k| self.index.get(&k).copied())
    }

    /// The merged table, once every shard is in: the one-row-per-run tables must have exactly
    /// one row per unit; a unit without rows has an empty block.
    fn finish(self, units: &[Unit]) -> Result<Table, InputError> {
        let name = self.name;
        if (name == "summary.csv" || name == "sweep_runs.csv")
            && let Some(k) = self.rows_per_unit.iter().position(|&c| c != 1)
        {
            let u = &units[k];
            return Err(InputError::new(
                "",
                format!(
                    "{name}: {} rows for point {} policy {} seed {} (expected 1)",
                    self.rows_per_unit[k], u.point, u.policy, u.seed
                ),
                "a shard is incomplete or damaged: run it again",
            ));
        }
        let blocks = self
            .blocks
            .into_iter()
            .map(|b| b.unwrap_or_else(|| Block::Text(String::new())))
            .collect();
        Ok(Table {
            name,
            header: self.header,
            blocks,
        })
    }
}

/// A shard's table must be what its plan file recorded: same rows, size and SHA-256.
fn verify_table(path: &Path, name: &str, recorded: Option<&Recorded>) -> Result<(), InputError> {
    let fix = "the shard's files were changed after it ran: run that shard again";
    let at = |message: String| InputError {
        file: Some(path.to_path_buf()),
        ..InputError::new("", message, fix)
    };
    let rec = recorded.ok_or_else(|| at(format!("the shard's plan records no {name}")))?;
    let mut f = fs::File::open(path).map_err(|e| at(format!("cannot read: {e}")))?;
    let mut d = Digested::default();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(|e| at(format!("cannot read: {e}")))?;
        if n == 0 {
            break;
        }
        d.update(&buf[..n]);
    }
    let rows = d.rows.saturating_sub(1);
    let bytes = d.bytes;
    let sha = d.hex();
    if bytes < rec.bytes {
        return Err(at(format!(
            "truncated: {bytes} bytes and {rows} rows, where the shard wrote {} bytes and {} rows",
            rec.bytes, rec.rows
        )));
    }
    if (bytes, rows, sha.as_str()) != (rec.bytes, rec.rows, rec.sha256.as_str()) {
        return Err(at(format!(
            "edited: {bytes} bytes and {rows} rows with another checksum than the {} bytes and {} rows the shard wrote",
            rec.bytes, rec.rows
        )));
    }
    Ok(())
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
            negligible: vec!["wait_mean_s=5%".into(), "gpu_busy_util=1pp".into()],
            resources: vec!["cpu".into(), "nvidia.com/gpu".into()],
        };
        let text = plan.to_text();
        assert_eq!(Plan::from_text(&text, Path::new("x")).unwrap(), plan);
        assert!(Plan::from_text("bogus\t1\n", Path::new("x")).is_err());
    }
}
