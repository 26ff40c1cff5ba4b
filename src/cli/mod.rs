//! The `kubesim` command line: one function per subcommand, `main` a single match.
//! Exit status: 0 done; 2 bad input or arguments (a message naming file, line, field and fix);
//! 1 an internal error (a bug).

pub mod trace;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::InputError;
use crate::experiment::outdir::{OutDir, Part};
use crate::experiment::output::{Kind, Plan, Point, SHARD_FILE, Tables, merge, shard_file};
use crate::experiment::progress::Progress;
use crate::experiment::sweep::{Param, capacity_search, grid, load_points};
use crate::experiment::{Events, Shard, Unit, check_policies, parse_seeds, run_units};
use crate::input::scenario;
use crate::input::spec::Scenario;
use crate::observe::analysis::Target;
use crate::observe::html::derive;

use crate::limits::MAX_UNITS;

/// The scenario `kubesim` runs with no arguments.
const DEMO: &str = include_str!("../../scenarios/gang-contention.yaml");

#[derive(Parser)]
#[command(
    name = "kubesim",
    version,
    about = "Deterministic discrete-event simulator of Kubernetes batch and ML scheduling",
    long_about = "Deterministic discrete-event simulator of Kubernetes batch and ML scheduling.\n\nWith no command, runs the built-in demo scenario and prints its comparison."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

/// Flags shared by the commands that simulate.
#[derive(clap::Args)]
struct RunArgs {
    /// A policy to run (repeatable); default: the Simulation's `policies`.
    #[arg(long = "policy")]
    policies: Vec<String>,
    /// One seed; default: the Simulation's `seed`.
    #[arg(long, conflicts_with = "seeds")]
    seed: Option<u64>,
    /// An inclusive range of seeds, e.g. 1..20.
    #[arg(long)]
    seeds: Option<String>,
    /// Output folder; default: reports/<simulation name>/ for run, reports/<name>-compare/,
    /// reports/<name>-sweep-<params>/, reports/<name>-capacity-<param>/ (with --shard:
    /// .../shard-I-of-N/).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace files in the output folder that kubesim did not write (it never deletes them).
    #[arg(long)]
    overwrite: bool,
    /// Run only this share of the replications: I/N, 0 <= I < N. Combine the N folders with
    /// `kubesim merge`.
    #[arg(long)]
    shard: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate scenario files (YAML files or folders of them) and write jobs.csv, summary.csv,
    /// timeseries.csv, report.html and plots (and events.csv with --events).
    Run {
        /// Scenario files or folders.
        #[arg(required = true)]
        scenario: Vec<PathBuf>,
        #[command(flatten)]
        args: RunArgs,
        /// Also write events.csv, one row per pod, job and node transition.
        #[arg(long)]
        events: bool,
    },
    /// Compare policies on common random numbers: per metric the mean per policy and the
    /// difference against the first policy paired by seed, with 95% intervals (comparison.csv,
    /// report.html).
    Compare {
        #[arg(required = true)]
        scenario: Vec<PathBuf>,
        #[command(flatten)]
        args: RunArgs,
        /// Also write events.csv.
        #[arg(long)]
        events: bool,
    },
    /// Sweep scenario parameters over a grid (--set), or find the smallest capacity that meets
    /// targets (--capacity with --target); writes sweep.csv, sweep_runs.csv, report.html.
    Sweep {
        #[arg(required = true)]
        scenario: Vec<PathBuf>,
        /// PATH=VALUES (repeatable; the grid is every combination): PATH is Kind/name:field.path
        /// (NodePool/gpu:spec.count, Queue/nlp:spec.weight, Arrivals/exp:spec.poisson.meanInterval);
        /// VALUES a comma list or LO..HI[:STEP].
        #[arg(long = "set")]
        set: Vec<String>,
        /// PATH=LO..HI[:STEP]: search this integer parameter for the smallest value that meets
        /// every --target (bisection, assuming more is never worse).
        #[arg(long, conflicts_with = "set")]
        capacity: Option<String>,
        /// METRIC<=VALUE or METRIC>=VALUE on the mean over seeds (repeatable), e.g.
        /// 'wait_p95_s<=3600', 'deadlock_free>=0.95'.
        #[arg(long = "target")]
        targets: Vec<String>,
        #[command(flatten)]
        args: RunArgs,
    },
    /// Combine the output folders of `--shard I/N` runs into the files one run gives.
    Merge {
        /// The shard folders (all N of them).
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Output folder.
        #[arg(long, required = true)]
        out: PathBuf,
        /// Replace files in the output folder that kubesim did not write.
        #[arg(long)]
        overwrite: bool,
    },
    /// Workload traces: import to the native format, statistics, synthetic generation.
    Trace {
        #[command(subcommand)]
        command: TraceCommand,
    },
    /// Check scenario files and print what they define.
    Validate {
        #[arg(required = true)]
        scenario: Vec<PathBuf>,
    },
}

/// Options for traces that lack CPU or memory requests (see traces/README.md, Mappings).
#[derive(clap::Args)]
struct TraceOpts {
    /// CPU per GPU for traces without CPU requests (a quantity: 6, 500m).
    #[arg(long)]
    cpu_per_gpu: Option<String>,
    /// Memory per GPU for traces without memory requests (47Gi).
    #[arg(long)]
    memory_per_gpu: Option<String>,
    /// SWF: processors per node (pods = ceil(processors / this)).
    #[arg(long)]
    cpus_per_node: Option<u32>,
    /// PAI: the task table to join (default: pai_task_table.csv beside the job table).
    #[arg(long)]
    task_table: Option<PathBuf>,
}

impl TraceOpts {
    fn options(&self) -> Result<crate::input::trace::Options, InputError> {
        let q = |flag: &str, res: &str, v: &Option<String>| -> Result<Option<i64>, InputError> {
            v.as_deref()
                .map(|s| {
                    crate::input::quantity::parse_quantity(res, s)
                        .map_err(|m| InputError::new(flag, m, "write a quantity such as 6, 500m or 47Gi"))
                })
                .transpose()
        };
        Ok(crate::input::trace::Options {
            cpu_per_gpu_milli: q("--cpu-per-gpu", "cpu", &self.cpu_per_gpu)?,
            memory_per_gpu_bytes: q("--memory-per-gpu", "memory", &self.memory_per_gpu)?,
            swf_cpus_per_node: self.cpus_per_node,
            pai_task_table: self.task_table.clone(),
            ..crate::input::trace::Options::default()
        })
    }
}

#[derive(Subcommand)]
enum TraceCommand {
    // "Convert a trace (...) to the native format": the formats from the registry.
    #[command(about = import_about(), long_about = None)]
    Import {
        /// The trace's format.
        #[arg(long)]
        format: String,
        /// The trace file.
        input: PathBuf,
        /// The native trace to write (default: the input's file name with extension
        /// .kubesim.csv, in the current folder).
        #[arg(short = 'o', long = "out")]
        out: Option<PathBuf>,
        /// Replace the output file if it exists (never the input).
        #[arg(long)]
        overwrite: bool,
        #[command(flatten)]
        opts: TraceOpts,
    },
    /// Jobs, GPU demand, gang sizes, arrivals by hour and weekday, duration and wait
    /// percentiles, and the offered load on a cluster of --gpus GPUs.
    Stats {
        /// The trace file.
        input: PathBuf,
        /// The trace's format (default: kubesim, the native format).
        #[arg(long, default_value = "kubesim")]
        format: String,
        /// GPUs of the cluster, for the offered load.
        #[arg(long)]
        gpus: Option<String>,
        #[command(flatten)]
        opts: TraceOpts,
    },
    /// A synthetic native trace: Poisson or diurnal arrivals; sizes and durations resampled
    /// from a real trace (--model empirical) or fitted to it (--model lognormal); queues with
    /// shares; a number of jobs at a rate or at an offered load.
    Generate {
        /// The trace to model (default: a built-in single-GPU lognormal model).
        #[arg(long)]
        from: Option<PathBuf>,
        /// The format of --from.
        #[arg(long, default_value = "kubesim")]
        format: String,
        /// empirical (resample whole jobs) or lognormal (fit per job shape).
        #[arg(long, default_value = "empirical")]
        model: String,
        /// Number of jobs.
        #[arg(long)]
        jobs: u64,
        /// Mean arrivals per hour.
        #[arg(long)]
        rate: Option<f64>,
        /// Offered load (GPU-time demanded / GPU-time of the cluster) to scale the rate to;
        /// needs --gpus.
        #[arg(long)]
        load: Option<f64>,
        /// GPUs of the cluster (for --load).
        #[arg(long)]
        gpus: Option<String>,
        /// Diurnal arrivals: AMPLITUDE (0-1) or AMPLITUDE@PEAK_HOUR.
        #[arg(long)]
        diurnal: Option<String>,
        /// A queue and its share, NAME=WEIGHT (repeatable).
        #[arg(long = "queue")]
        queues: Vec<String>,
        /// Namespace of every job.
        #[arg(long, default_value = "default")]
        namespace: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The native trace to write.
        #[arg(short = 'o', long = "out", required = true)]
        out: PathBuf,
        /// Replace the output file if it exists (never the --from trace).
        #[arg(long)]
        overwrite: bool,
        #[command(flatten)]
        opts: TraceOpts,
    },
}

fn trace_cmd(cmd: TraceCommand) -> Result<(), InputError> {
    let text = match cmd {
        TraceCommand::Import {
            format,
            input,
            out,
            overwrite,
            opts,
        } => crate::cli::trace::import(&format, &input, out, overwrite, &opts.options()?)?,
        TraceCommand::Stats {
            input,
            format,
            gpus,
            opts,
        } => crate::cli::trace::stats_cmd(&format, &input, gpus.as_deref(), &opts.options()?)?,
        TraceCommand::Generate {
            from,
            format,
            model,
            jobs,
            rate,
            load,
            gpus,
            diurnal,
            queues,
            namespace,
            seed,
            out,
            overwrite,
            opts,
        } => crate::cli::trace::generate_cmd(
            &crate::cli::trace::GenerateArgs {
                from,
                format,
                model,
                jobs,
                rate,
                load,
                gpus,
                diurnal,
                queues,
                namespace,
                seed,
                out,
                overwrite,
            },
            &opts.options()?,
        )?,
    };
    print!("{text}");
    Ok(())
}

/// `trace import`'s one-line help: "Convert a trace (philly, ..., kubesim) to the native format,
/// sorted by submit time", the formats from [`crate::input::trace::IMPORTERS`].
fn import_about() -> String {
    format!(
        "Convert a trace ({}) to the native format, sorted by submit time",
        crate::input::trace::names_native_last().join(", ")
    )
}

pub fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("kubesim: internal error (a bug in kubesim, please report it): {info}");
        std::process::exit(1);
    }));
    let cli = Cli::parse();
    let result = match cli.command {
        None => demo(),
        Some(Command::Run { scenario, args, events }) => simulate_cmd(Kind::Run, &scenario, args, events),
        Some(Command::Compare { scenario, args, events }) => simulate_cmd(Kind::Compare, &scenario, args, events),
        Some(Command::Sweep {
            scenario,
            set,
            capacity,
            targets,
            args,
        }) => sweep_cmd(&scenario, &set, capacity, &targets, args),
        Some(Command::Merge { shards, out, overwrite }) => merge_cmd(&shards, &out, overwrite),
        Some(Command::Trace { command }) => trace_cmd(command),
        Some(Command::Validate { scenario }) => validate(&scenario),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Seeds the demo runs for its deadlock rate.
const DEMO_SEEDS: u64 = 10;

fn demo() -> Result<(), InputError> {
    let sc = scenario::load_str("scenarios/gang-contention.yaml (built in)", DEMO)?;
    println!(
        "kubesim demo: {} ({} GPUs; gangs of 8-32 GPUs and single-GPU jobs; {} seeds per policy)\n",
        sc.name,
        total_gpus(&sc),
        DEMO_SEEDS
    );
    let plan = Plan {
        kind: Kind::Compare,
        scenario: sc.name.clone(),
        about: about(&sc),
        points: vec![Point::default()],
        policies: sc.sim.policies.clone(),
        seeds: (1..=DEMO_SEEDS).collect(),
        events: false,
        fidelity: has_fidelity(&sc),
        cron: !sc.cron_jobs.is_empty(),
        queues: has_queues(&sc),
        targets: vec![],
    };
    // Its own folder, so that `kubesim run` of the same scenario never meets the demo's files.
    let out = PathBuf::from("reports").join("demo");
    execute(&plan, &[sc], &out, None, false)
}

/// Does the scenario use queues (Volcano Queues, Kueue ClusterQueues, or workloads naming a
/// queue)?
fn has_queues(sc: &Scenario) -> bool {
    let named = |w: &crate::input::spec::WorkloadSpec| match &w.kind {
        crate::input::spec::WorkloadKind::VolcanoJob(v) => v.queue.is_some(),
        _ => w.annotations.contains_key(crate::controllers::replay::QUEUE_ANNOTATION),
    };
    !sc.queues.is_empty()
        || !sc.cluster_queues.is_empty()
        || sc.workloads.iter().any(named)
        || sc.arrivals.iter().any(|a| match &a.template {
            crate::input::spec::ArrivalTemplate::Workload(w) => named(w),
            crate::input::spec::ArrivalTemplate::Node(_) => false,
        })
        || sc.traces.iter().any(|t| t.shapes.iter().any(|s| !s.queue.is_empty()))
}

/// Does a Trace of the scenario record its own waits (so runs report replay fidelity)?
fn has_fidelity(sc: &Scenario) -> bool {
    sc.traces.iter().any(|t| t.recorded_waits)
}

fn total_gpus(sc: &Scenario) -> String {
    crate::observe::report::gpus(
        sc.nodes
            .iter()
            .map(|n| n.allocatable.get("nvidia.com/gpu").copied().unwrap_or(0))
            .sum::<i64>(),
    )
}

/// Lines describing a scenario for reports.
fn about(sc: &Scenario) -> Vec<String> {
    let mut shapes: Vec<(String, usize)> = Vec::new();
    for n in &sc.nodes {
        let shape = format!(
            "{} GPUs, {} CPUs, {} GiB",
            crate::observe::report::gpus(n.allocatable.get("nvidia.com/gpu").copied().unwrap_or(0)),
            crate::observe::report::gpus(n.allocatable.get("cpu").copied().unwrap_or(0)),
            n.allocatable.get("memory").copied().unwrap_or(0) / (1 << 30)
        );
        match shapes.iter_mut().find(|(s, _)| *s == shape) {
            Some((_, c)) => *c += 1,
            None => shapes.push((shape, 1)),
        }
    }
    let nodes: Vec<String> = shapes.iter().map(|(s, c)| format!("{c} x ({s})")).collect();
    let mut out = vec![format!(
        "cluster: {} nodes, {} GPUs: {}",
        sc.nodes.len(),
        total_gpus(sc),
        nodes.join(", ")
    )];
    if !sc.workloads.is_empty() {
        out.push(format!(
            "workloads: {} objects (Jobs, Pods, Volcano Jobs)",
            sc.workloads.len()
        ));
    }
    for a in &sc.arrivals {
        out.push(format!("arrivals {}: {} copies", a.name, a.count));
    }
    for c in &sc.cron_jobs {
        out.push(format!(
            "cronjob {}/{}: \"{}\"",
            c.namespace,
            c.name,
            c.schedule.as_str()
        ));
    }
    for t in &sc.traces {
        let span = t.jobs.last().map_or(0, |j| j.submit_ms) - t.jobs.first().map_or(0, |j| j.submit_ms);
        out.push(format!(
            "trace {}: {} jobs over {:.1} h",
            t.name,
            t.jobs.len(),
            span as f64 / 3_600_000.0
        ));
    }
    if !sc.queues.is_empty() {
        let qs: Vec<String> = sc
            .queues
            .iter()
            .map(|q| format!("{} (weight {})", q.name, q.weight))
            .collect();
        out.push(format!("queues: {}", qs.join(", ")));
    }
    out.push(match sc.sim.horizon_ms {
        Some(h) => format!("horizon: {} s", crate::engine::SimTime(h)),
        None => "horizon: none (each run ends when no work is left)".to_string(),
    });
    out
}

fn seeds_of(sc: &Scenario, args: &RunArgs) -> Result<Vec<u64>, InputError> {
    Ok(match (args.seed, &args.seeds) {
        (_, Some(range)) => parse_seeds(range)?,
        (Some(s), None) => vec![s],
        (None, None) => vec![sc.sim.seed],
    })
}

fn policies_of(sc: &Scenario, args: &RunArgs) -> Result<Vec<String>, InputError> {
    let from_flag = !args.policies.is_empty();
    let policies = if from_flag {
        args.policies.clone()
    } else {
        sc.sim.policies.clone()
    };
    check_policies(sc, &policies, from_flag)?;
    Ok(policies)
}

fn shard_of(args: &RunArgs) -> Result<Option<Shard>, InputError> {
    args.shard.as_deref().map(Shard::parse).transpose()
}

/// The output folder: `--out`, else `reports/<name>/` (name as the command makes it, so that
/// commands and sweeps of one scenario do not share a folder), plus `shard-I-of-N/` for a shard.
fn out_dir(args: &RunArgs, name: &str, shard: Option<Shard>) -> PathBuf {
    let base = args.out.clone().unwrap_or_else(|| PathBuf::from("reports").join(name));
    match (shard, &args.out) {
        (Some(s), None) => base.join(format!("shard-{}-of-{}", s.index, s.count)),
        _ => base,
    }
}

/// A folder-name part for parameter paths (`NodePool/gpu:spec.count` -> `nodepool-gpu-spec-count`),
/// shortened with a hash of the whole when long.
fn slug(paths: &[&str]) -> String {
    let mut s = String::new();
    for p in paths {
        if !s.is_empty() {
            s.push('_');
        }
        for c in p.chars() {
            if c.is_ascii_alphanumeric() {
                s.push(c.to_ascii_lowercase());
            } else if !s.ends_with(['-', '_']) && !s.is_empty() {
                s.push('-');
            }
        }
        while s.ends_with('-') {
            s.pop();
        }
    }
    if s.len() > 48 {
        let hash = crate::engine::stable_hash(&paths.join("\n"));
        s.truncate(39);
        s = format!("{}-{:08x}", s.trim_end_matches(['-', '_']), hash as u32);
    }
    s
}

fn simulate_cmd(kind: Kind, paths: &[PathBuf], args: RunArgs, events: bool) -> Result<(), InputError> {
    let sc = scenario::load(paths)?;
    let policies = policies_of(&sc, &args)?;
    if kind == Kind::Compare && policies.len() < 2 {
        return Err(InputError::new(
            "--policy",
            format!("compare needs at least two policies, got {}", policies.len()),
            "name two or more: --policy kube-default --policy volcano (the first is the baseline)",
        ));
    }
    let seeds = seeds_of(&sc, &args)?;
    let shard = shard_of(&args)?;
    let plan = Plan {
        kind,
        scenario: sc.name.clone(),
        about: about(&sc),
        points: vec![Point::default()],
        policies,
        seeds,
        events,
        fidelity: has_fidelity(&sc),
        cron: !sc.cron_jobs.is_empty(),
        queues: has_queues(&sc),
        targets: vec![],
    };
    let name = match kind {
        Kind::Compare => format!("{}-compare", sc.name),
        _ => sc.name.clone(),
    };
    let out = out_dir(&args, &name, shard);
    execute(&plan, &[sc], &out, shard, args.overwrite)
}

fn sweep_cmd(
    paths: &[PathBuf],
    set: &[String],
    capacity: Option<String>,
    targets: &[String],
    args: RunArgs,
) -> Result<(), InputError> {
    let base = scenario::load(paths)?;
    let policies = policies_of(&base, &args)?;
    let seeds = seeds_of(&base, &args)?;
    let shard = shard_of(&args)?;
    let parsed_targets: Vec<Target> = targets.iter().map(|t| Target::parse(t)).collect::<Result<_, _>>()?;
    let mut plan = Plan {
        kind: Kind::Sweep,
        scenario: base.name.clone(),
        about: about(&base).into_iter().map(|a| format!("base scenario {a}")).collect(),
        points: vec![],
        policies,
        seeds,
        events: false,
        fidelity: false,
        cron: false,
        queues: false,
        targets: targets.iter().map(|t| t.trim().to_string()).collect(),
    };
    if let Some(cap) = capacity {
        if shard.is_some() {
            return Err(InputError::new(
                "--shard",
                "a capacity search is sequential (each step depends on the last) and cannot be sharded",
                "shard a grid instead: --set PATH=LO..HI[:STEP] with --target marks the points that meet it",
            ));
        }
        if parsed_targets.is_empty() {
            return Err(InputError::new(
                "--target",
                "a capacity search needs at least one target",
                "add e.g. --target 'wait_p95_s<=3600' --target 'deadlock_free>=0.95'",
            ));
        }
        let param = Param::parse("--capacity", &cap)?;
        let out = out_dir(
            &args,
            &format!("{}-capacity-{}", base.name, slug(&[&param.path])),
            shard,
        );
        let mut dir = OutDir::open(&out, args.overwrite)?;
        dir.check(&expected_files(&plan, None))?;
        let found = capacity_search(paths, &param, &plan.policies, &plan.seeds, &parsed_targets)?;
        plan.points = found.points;
        plan.about.push(format!(
            "capacity search: simulated {} of the {} values of {} ({} runs instead of {} for the whole grid)",
            plan.points.len(),
            found.grid_points,
            param.path,
            found.runs.len(),
            found.grid_runs
        ));
        plan.about.extend(
            found
                .answers
                .into_iter()
                .filter(|a| a.contains("not monotone"))
                .map(|a| format!("capacity search: {a}")),
        );
        let tables = Tables::from_runs(&plan, &found.units, &found.runs);
        drop(found.runs);
        return write_all(&plan, &tables, &mut dir);
    }
    if set.is_empty() {
        return Err(InputError::new(
            "--set",
            "nothing to sweep",
            "give --set PATH=VALUES (a grid) or --capacity PATH=LO..HI with --target (a capacity search)",
        ));
    }
    let params: Vec<Param> = set.iter().map(|s| Param::parse("--set", s)).collect::<Result<_, _>>()?;
    let names: Vec<&str> = params.iter().map(|p| p.path.as_str()).collect();
    let out = out_dir(&args, &format!("{}-sweep-{}", base.name, slug(&names)), shard);
    plan.points = grid(&params)?;
    let scenarios = load_points(paths, &plan.points)?;
    execute(&plan, &scenarios, &out, shard, args.overwrite)
}

/// The files a command will write that are known before it runs (the plots depend on the
/// results and are checked when written).
fn expected_files(plan: &Plan, shard: Option<Shard>) -> Vec<String> {
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
fn execute(
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
fn write_all(plan: &Plan, tables: &Tables, dir: &mut OutDir) -> Result<(), InputError> {
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

fn merge_cmd(shards: &[PathBuf], out: &Path, overwrite: bool) -> Result<(), InputError> {
    let mut dir = OutDir::open(out, overwrite)?;
    let (plan, tables) = merge(shards)?;
    write_all(&plan, &tables, &mut dir)
}

fn note_not_simulated(sc: &Scenario) {
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
}

fn validate(paths: &[PathBuf]) -> Result<(), InputError> {
    let sc = scenario::load(paths)?;
    note_not_simulated(&sc);
    let gpus: i64 = sc
        .nodes
        .iter()
        .map(|n| n.allocatable.get("nvidia.com/gpu").copied().unwrap_or(0))
        .sum();
    println!("scenario {}: valid", sc.name);
    println!(
        "  simulation: seed {}, horizon {}, policies {}",
        sc.sim.seed,
        sc.sim
            .horizon_ms
            .map(|h| format!("{} s", crate::engine::SimTime(h)))
            .unwrap_or_else(|| "none (until idle)".into()),
        sc.sim.policies.join(", ")
    );
    println!(
        "  nodes: {} ({} GPUs)",
        sc.nodes.len(),
        crate::observe::report::gpus(gpus)
    );
    println!("  priority classes: {}", sc.priority_classes.len());
    println!("  workloads: {}", sc.workloads.len());
    for w in &sc.workloads {
        let kind = match w.kind {
            crate::input::spec::WorkloadKind::Job(_) => "Job",
            crate::input::spec::WorkloadKind::Pod(_) => "Pod",
            crate::input::spec::WorkloadKind::VolcanoJob(_) => "VolcanoJob",
        };
        println!("    {kind} {}/{} ({})", w.namespace, w.name, w.loc);
    }
    println!("  pod groups: {}", sc.pod_groups.len());
    for g in &sc.pod_groups {
        let api = match g.api {
            crate::input::spec::PodGroupApi::Volcano => "Volcano",
            crate::input::spec::PodGroupApi::Coscheduling => "coscheduling",
        };
        println!(
            "    {api} {}/{} minMember {} ({})",
            g.namespace, g.name, g.min_member, g.loc
        );
    }
    println!("  queues: {}", sc.queues.len());
    for q in &sc.queues {
        println!("    {} weight {} ({})", q.name, q.weight, q.loc);
    }
    println!(
        "  kueue: {} ClusterQueues, {} LocalQueues, {} ResourceFlavors, {} WorkloadPriorityClasses",
        sc.cluster_queues.len(),
        sc.local_queues.len(),
        sc.resource_flavors.len(),
        sc.workload_priority_classes.len()
    );
    for c in &sc.cluster_queues {
        let cohort = c
            .cohort
            .as_deref()
            .map(|co| format!(" cohort {co}"))
            .unwrap_or_default();
        println!("    ClusterQueue {}{cohort} ({})", c.name, c.loc);
    }
    for l in &sc.local_queues {
        println!(
            "    LocalQueue {}/{} -> {} ({})",
            l.namespace, l.name, l.cluster_queue, l.loc
        );
    }
    println!(
        "  admission: {} ResourceQuotas, {} LimitRanges",
        sc.resource_quotas.len(),
        sc.limit_ranges.len()
    );
    for q in &sc.resource_quotas {
        println!(
            "    ResourceQuota {}/{} ({} limits) ({})",
            q.namespace,
            q.name,
            q.hard.len(),
            q.loc
        );
    }
    for l in &sc.limit_ranges {
        println!(
            "    LimitRange {}/{} ({} items) ({})",
            l.namespace,
            l.name,
            l.items.len(),
            l.loc
        );
    }
    println!("  cron jobs: {}", sc.cron_jobs.len());
    for c in &sc.cron_jobs {
        println!(
            "    {}/{} \"{}\" {:?} ({})",
            c.namespace,
            c.name,
            c.schedule.as_str(),
            c.concurrency,
            c.loc
        );
    }
    println!("  fault models: {}", sc.faults.len());
    for f in &sc.faults {
        println!(
            "    {}: {} outages, {} scripted taints{} ({})",
            f.name,
            f.outages.len(),
            f.taints.len(),
            f.mtbf_ms
                .map(|m| format!(", random failures (mtbf {} s, mttr {} s)", m / 1000, f.mttr_ms / 1000))
                .unwrap_or_default(),
            f.loc
        );
    }
    println!("  traces: {}", sc.traces.len());
    for t in &sc.traces {
        println!("    {}: {} jobs ({})", t.name, t.jobs.len(), t.loc);
    }
    println!("  arrivals: {}", sc.arrivals.len());
    for a in &sc.arrivals {
        println!("    {} x{} ({})", a.name, a.count, a.loc);
    }
    if !sc.not_simulated.is_empty() {
        println!("  not simulated yet (loaded, ignored by runs):");
        if sc.cron_fires > crate::limits::WARN_CRON_FIRES {
            eprintln!(
                "note: the CronJobs fire about {} times in each run (every fire creates a Job and its pods): \
             expect a long run and large outputs; fire less often or shorten the horizon to go faster",
                sc.cron_fires
            );
        }
        for o in &sc.not_simulated {
            println!("    {} {}/{} ({})", o.kind, o.namespace, o.name, o.loc);
        }
    }
    Ok(())
}
