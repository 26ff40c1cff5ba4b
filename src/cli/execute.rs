//! Running a plan and writing its outputs: the units of this shard (or all) in parallel, then
//! the per-run tables (a shard's plan file) or everything derived from them, into an output
//! folder taken before anything runs.

use std::path::Path;

use super::ui::{self, note, say};
use crate::error::InputError;
use crate::experiment::outdir::{OutDir, Part};
use crate::experiment::output::{Kind, Plan, SHARD_FILE, Tables, shard_file};
use crate::experiment::progress::Progress;
use crate::experiment::{Events, Shard, Unit, run_units};
use crate::input::spec::Scenario;
use crate::limits::MAX_UNITS;
use crate::observe::derive;
use crate::observe::render::json;
use crate::observe::tables::Block;

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
/// (locked and checked) before anything runs. `json`: stdout gets only [`json_document`].
pub(super) fn execute(
    plan: &Plan,
    scenarios: &[Scenario],
    out: &Path,
    shard: Option<Shard>,
    overwrite: bool,
    json: bool,
) -> Result<(), InputError> {
    for sc in scenarios.iter().take(1) {
        note_not_simulated(sc);
        warn_bare_workloads(sc, &plan.policies);
        for w in crate::input::scenario::policy_warnings(sc, &plan.policies) {
            eprintln!("warning: {w}");
        }
        warn_native_gangs(sc, &plan.policies);
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
    let progress = ui::progress(Some(mine.len() as u64));
    let runs = run_units(scenarios, &mine, &events, Some(&progress));
    let runs = runs.inspect_err(|_| progress.finish())?;
    if let Some(sc) = scenarios.first() {
        note_throttled(&runs, &sc.sim.client_limits);
    }
    let tables = Tables::from_runs(plan, &mine, &runs);
    drop(runs);
    match shard {
        Some(s) => {
            let (name, plan_bytes) = shard_file(plan, s, &tables)?;
            let mut files = tables.parts();
            files.push((name, vec![Part::Bytes(&plan_bytes)]));
            progress.phase(&writing(&files));
            let written = dir.write(&files);
            progress.finish();
            let written = written?;
            if json {
                print!("{}", json_document(plan, &tables, &[], out, &written, Some(s))?);
                return Ok(());
            }
            say!(
                "shard {}/{}: {} of {} runs written to {}",
                s.index,
                s.count,
                mine.len(),
                plan.units().len(),
                out.display()
            );
            say!(
                "combine all {} shard folders with: kubesim merge FOLDER... --out DIR",
                s.count
            );
            Ok(())
        }
        None => write_all(plan, &tables, &mut dir, &progress, json),
    }
}

/// Derive and write every output of complete tables; print the terminal summary (or, with
/// `json`, only [`json_document`] on stdout and the files written on stderr). `progress` shows
/// the phases and is finished here.
pub(super) fn write_all(
    plan: &Plan,
    tables: &Tables,
    dir: &mut OutDir,
    progress: &Progress,
    json: bool,
) -> Result<(), InputError> {
    progress.phase("deriving the analysis, report and plots");
    let derived = derive(plan, tables).inspect_err(|_| progress.finish())?;
    let mut files = tables.parts();
    files.extend(derived.files.iter().map(|(n, b)| (n.clone(), vec![Part::Bytes(b)])));
    progress.phase(&writing(&files));
    let written = dir.write(&files);
    progress.finish();
    let written = written?;
    let out = dir.path();
    let csvs: Vec<String> = written
        .iter()
        .filter(|p| p.parent() == Some(out))
        .filter_map(|p| p.file_name().map(|f| f.to_string_lossy().into_owned()))
        .collect();
    let wrote = format!(
        "wrote {} in {}\nreport: {}",
        csvs.join(", "),
        out.display(),
        out.join("report.html").display()
    );
    if json {
        print!("{}", json_document(plan, tables, &derived.files, out, &written, None)?);
        note!("{wrote}");
        return Ok(());
    }
    say!("{}", derived.terminal);
    say!("{wrote}");
    Ok(())
}

/// "writing 7 files (12.3 MB)" for the progress display.
fn writing(files: &[crate::experiment::outdir::FilePlan<'_>]) -> String {
    let bytes: u64 = files
        .iter()
        .flat_map(|(_, parts)| parts)
        .map(|p| match p {
            Part::Bytes(b) => b.len() as u64,
            Part::File { len, .. } => *len,
        })
        .sum();
    format!("writing {} files ({:.1} MB)", files.len(), bytes as f64 / 1e6)
}

/// The tables `--json` prints, by file name, under the key of their stem: the per-run summary
/// and the derived comparison or sweep (the same text their CSV files are written from).
const JSON_TABLES: [&str; 4] = ["summary.csv", "sweep_runs.csv", "comparison.csv", "sweep.csv"];

/// `--json`'s document: the command, scenario, output folder and files written, then each table
/// of [`JSON_TABLES`] the command wrote, as [`json::table`] makes it from the CSV text.
fn json_document(
    plan: &Plan,
    tables: &Tables,
    derived: &[(String, Vec<u8>)],
    out: &Path,
    written: &[std::path::PathBuf],
    shard: Option<Shard>,
) -> Result<String, InputError> {
    let files: Vec<String> = written
        .iter()
        .filter_map(|p| p.strip_prefix(out).ok())
        .map(|p| json::string(&p.to_string_lossy()))
        .collect();
    let mut fields = vec![
        ("command", json::string(plan.kind.as_str())),
        ("scenario", json::string(&plan.scenario)),
        ("out", json::string(&out.to_string_lossy())),
    ];
    if let Some(s) = shard {
        fields.push(("shard", json::string(&format!("{}/{}", s.index, s.count))));
    }
    fields.push(("files", format!("[{}]", files.join(", "))));
    for name in JSON_TABLES {
        let text = match tables.tables.iter().find(|t| t.name == name) {
            Some(t) => {
                let mut text = format!("{}\n", t.header);
                for b in &t.blocks {
                    if let Block::Text(rows) = b {
                        text.push_str(rows);
                    }
                }
                text
            }
            None => match derived.iter().find(|(n, _)| n == name) {
                Some((_, bytes)) => String::from_utf8_lossy(bytes).into_owned(),
                None => continue,
            },
        };
        fields.push((name.trim_end_matches(".csv"), json::table(name, &text)?));
    }
    Ok(json::object(&fields))
}

/// A warning when bare Kueue Workloads run under a policy without Kueue: nothing admits them
/// there, so they stay Pending and count as waiting (censored) in that policy's figures.
fn warn_bare_workloads(sc: &Scenario, policies: &[String]) {
    let any = sc.workload_specs().any(|w| w.is_bare());
    let without = crate::experiment::policies_without_kueue(policies);
    if any && !without.is_empty() {
        eprintln!(
            "warning: the scenario has bare Kueue Workloads, which only the kueue policy admits: under {} \
             they stay Pending (reason NoKueue) and count as waiting to the end of the run; compare \
             them under kueue only, or express the work as Jobs",
            without.join(", ")
        );
    }
}

/// A warning when `scheduling.k8s.io` PodGroups with a gang policy run under a policy other
/// than kube-gang (or coscheduling, to which every gang is a pod group): there the gang's pods
/// are placed as that policy places them, one by one under kube-scheduler without its gang
/// scheduling.
fn warn_native_gangs(sc: &Scenario, policies: &[String]) {
    let gangs: Vec<&crate::input::spec::GangPodGroupSpec> =
        sc.gang_pod_groups.iter().filter(|g| g.min_count.is_some()).collect();
    let Some(first) = gangs.first() else {
        return;
    };
    let without = crate::experiment::policies_without_gang_scheduling(policies);
    if !without.is_empty() {
        eprintln!(
            "warning: {} scheduling.k8s.io PodGroup gang(s) (the first {}/{} at {}) need kube-scheduler's gang \
             scheduling, which only the kube-gang policy runs: under {} their pods are scheduled one by one; \
             compare with --policy kube-gang (docs/kube-gang.md)",
            gangs.len(),
            first.namespace,
            first.name,
            first.loc,
            without.join(", ")
        );
    }
}

/// A note per API client whose rate limit held writes back by a second or more in some run,
/// with the limit used: kubesim's defaults are the components' own, which many clusters raise.
fn note_throttled(runs: &[crate::observe::record::RunResult], limits: &crate::input::spec::ClientLimits) {
    use crate::observe::record::Client;
    for c in Client::ALL {
        let delayed: u64 = runs.iter().map(|r| r.throttled[c as usize].0).sum();
        let longest = runs.iter().map(|r| r.throttled[c as usize].1).max().unwrap_or(0);
        let Some(limit) = limits.of(c) else {
            continue;
        };
        if longest >= 1000 {
            let whose = if limits.is_default(c) {
                "the component's default"
            } else {
                "as set in the Simulation"
            };
            note!(
                "note: {} of {}'s API writes waited for its client's rate limit ({} QPS, burst {}: {}), \
                 up to {} s each; if your cluster allows it more, set clientRateLimits.{} in the Simulation \
                 (docs/scenario.md, Client rate limits)",
                delayed,
                c.key(),
                crate::text::thousandths(limit.qps_milli as i64),
                limit.burst,
                whose,
                format!("{:.1}", longest as f64 / 1000.0),
                c.key()
            );
        }
    }
}

/// Notes on stderr about what a run of the scenario will not do or will take long to do, and
/// warnings about inputs that will mislead (`input::scenario::warnings`).
pub(super) fn note_not_simulated(sc: &Scenario) {
    if !sc.cron_jobs.is_empty() && sc.sim.horizon_ms.is_none() {
        note!(
            "note: the scenario has CronJobs and no horizon: they fire only while other work keeps the run going; \
             give the Simulation a horizon (e.g. horizon: 7d) to run them for a set time"
        );
    }
    if sc.cron_fires > crate::limits::WARN_CRON_FIRES {
        note!(
            "note: the CronJobs fire about {} times in each run (every fire creates a Job and its pods): \
             expect a long run and large outputs; fire less often or shorten the horizon to go faster",
            sc.cron_fires
        );
    }
    for o in &sc.not_simulated {
        note!(
            "note: {} {} `{}/{}` ({}) is not simulated yet in this version of kubesim; it was loaded and ignored",
            o.api_version,
            o.kind,
            o.namespace,
            o.name,
            o.loc
        );
    }
    if let Some(p) = sc.owned_pods.first() {
        note!(
            "note: {} exported Pods or Jobs (e.g. {} `{}/{}`, {}) belong to a Job, Volcano Job or JobSet of \
             the scenario, whose simulated controller creates its own: they were loaded and set aside",
            sc.owned_pods.len(),
            p.kind,
            p.namespace,
            p.name,
            p.loc
        );
    }
    if !sc.unmodelled.is_empty() {
        let fields: usize = sc.unmodelled.iter().map(|o| o.fields.len()).sum();
        note!(
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
