//! Running a plan and writing its outputs: the units of this shard (or all) in parallel, then
//! the per-run tables (a shard's plan file) or everything derived from them, into an output
//! folder taken before anything runs.

use std::path::Path;

use crate::error::InputError;
use crate::experiment::outdir::{OutDir, Part};
use crate::experiment::output::{Kind, Plan, SHARD_FILE, Tables, shard_file};
use crate::experiment::progress::Progress;
use crate::experiment::{Events, Shard, Unit, run_units};
use crate::input::spec::Scenario;
use crate::limits::MAX_UNITS;
use crate::observe::derive;

/// The files a command will write that are known before it runs (the plots depend on the
/// results and are checked when written).
pub(super) fn expected_files(plan: &Plan, shard: Option<Shard>) -> Vec<String> {
    let mut names: Vec<String> = plan.table_specs().into_iter().map(|(n, _, _)| n.to_string()).collect();
    match (shard, plan.kind) {
        (Some(_), _) => names.push(SHARD_FILE.to_string()),
        (None, Kind::Compare) => names.extend(["comparison.csv".to_string(), "report.html".to_string()]),
        (None, Kind::Sweep) => names.extend(["sweep.csv".to_string(), "report.html".to_string()]),
        (None, Kind::Run) => names.push("report.html".to_string()),
    }
    names
}

/// Run a plan's units (this shard's, or all), then write its outputs into `out`, which is taken
/// (locked and checked) before anything runs.
pub(super) fn execute(
    plan: &Plan,
    scenarios: &[Scenario],
    out: &Path,
    shard: Option<Shard>,
    overwrite: bool,
) -> Result<(), InputError> {
    for sc in scenarios.iter().take(1) {
        note_not_simulated(sc);
    }
    // Counted before the list is built: seeds x points x policies can be billions.
    if plan.unit_count() > MAX_UNITS {
        return Err(InputError::new(
            "--seeds",
            format!("{} runs requested; the limit is {MAX_UNITS}", plan.unit_count()),
            "use fewer seeds, policies or sweep points, or split the work with --shard",
        ));
    }
    let all = plan.units();
    let mine: Vec<Unit> = match shard {
        Some(s) => all
            .iter()
            .enumerate()
            .filter(|(k, _)| s.owns(*k))
            .map(|(_, u)| u.clone())
            .collect(),
        None => all,
    };
    let mut dir = OutDir::open(out, overwrite)?;
    dir.check(&expected_files(plan, shard))?;
    // Events go to spool files in the folder (removed when `dir` is dropped), never to memory.
    let events = if plan.events {
        Events::Spool(out.to_path_buf())
    } else {
        Events::Off
    };
    let progress = Progress::new(Some(mine.len() as u64), "runs");
    let runs = run_units(scenarios, &mine, &events, Some(&progress));
    progress.finish();
    let runs = runs?;
    let tables = Tables::from_runs(plan, &mine, &runs);
    drop(runs);
    match shard {
        Some(s) => {
            let (name, plan_bytes) = shard_file(plan, s, &tables)?;
            let mut files = tables.parts();
            files.push((name, vec![Part::Bytes(&plan_bytes)]));
            dir.write(&files)?;
            println!(
                "shard {}/{}: {} of {} runs written to {}",
                s.index,
                s.count,
                mine.len(),
                plan.units().len(),
                out.display()
            );
            println!(
                "combine all {} shard folders with: kubesim merge FOLDER... --out DIR",
                s.count
            );
            Ok(())
        }
        None => write_all(plan, &tables, &mut dir),
    }
}

/// Derive and write every output of complete tables; print the terminal summary.
pub(super) fn write_all(plan: &Plan, tables: &Tables, dir: &mut OutDir) -> Result<(), InputError> {
    let derived = derive(plan, tables)?;
    let mut files = tables.parts();
    files.extend(derived.files.iter().map(|(n, b)| (n.clone(), vec![Part::Bytes(b)])));
    let written = dir.write(&files)?;
    let out = dir.path();
    print!("{}", derived.terminal);
    println!();
    let csvs: Vec<String> = written
        .iter()
        .filter(|p| p.parent() == Some(out))
        .filter_map(|p| p.file_name().map(|f| f.to_string_lossy().into_owned()))
        .collect();
    println!("wrote {} in {}", csvs.join(", "), out.display());
    println!("report: {}", out.join("report.html").display());
    Ok(())
}

/// Notes on stderr about what a run of the scenario will not do or will take long to do, and
/// warnings about inputs that will mislead (`input::scenario::warnings`).
pub(super) fn note_not_simulated(sc: &Scenario) {
    if !sc.cron_jobs.is_empty() && sc.sim.horizon_ms.is_none() {
        eprintln!(
            "note: the scenario has CronJobs and no horizon: they fire only while other work keeps the run going; \
             give the Simulation a horizon (e.g. horizon: 7d) to run them for a set time"
        );
    }
    if sc.cron_fires > crate::limits::WARN_CRON_FIRES {
        eprintln!(
            "note: the CronJobs fire about {} times in each run (every fire creates a Job and its pods): \
             expect a long run and large outputs; fire less often or shorten the horizon to go faster",
            sc.cron_fires
        );
    }
    for o in &sc.not_simulated {
        eprintln!(
            "note: {} {} `{}/{}` ({}) is not simulated yet in this version of kubesim; it was loaded and ignored",
            o.api_version, o.kind, o.namespace, o.name, o.loc
        );
    }
    if let Some(p) = sc.owned_pods.first() {
        eprintln!(
            "note: {} exported Pods (e.g. `{}/{}`, {}) belong to a Job or Volcano Job of the scenario, \
             whose simulated controller creates its own pods: they were loaded and set aside",
            sc.owned_pods.len(),
            p.namespace,
            p.name,
            p.loc
        );
    }
    if !sc.unmodelled.is_empty() {
        let fields: usize = sc.unmodelled.iter().map(|o| o.fields.len()).sum();
        eprintln!(
            "note: {fields} fields of {} objects are loaded but not simulated (e.g. {} of {} {}); \
             `kubesim validate` lists them",
            sc.unmodelled.len(),
            sc.unmodelled[0].fields[0],
            sc.unmodelled[0].kind,
            sc.unmodelled[0].name
        );
    }
    for w in crate::input::scenario::warnings(sc) {
        eprintln!("warning: {w}");
    }
}
