//! The `kubesim` command line: the clap definitions of every subcommand and `main`, a single
//! match that hands each subcommand to its function, one file per subcommand: `demo` (no
//! command), `simulate` (`run`, `compare`), `sweep`, `merge`, `trace` (`import`,
//! `stats`, `generate`), `validate` and `explain`; `completions` prints clap_complete's script
//! here. What the simulating commands share is in `plan` (from a scenario and the flags to a
//! plan) and `execute` (running a plan into its folder); the global flags (`--quiet`,
//! `--progress`) in `ui`.
//! Exit status: 0 done; 2 bad input or arguments (a message naming file, line, field and fix);
//! 1 an internal error (a bug).

mod demo;
mod execute;
mod explain;
mod merge;
mod plan;
mod simulate;
mod sweep;
pub mod trace;
mod ui;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use crate::experiment::output::Kind;

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
    /// Threads for the runs (1 to 1024); default: one per core. Results do not depend on it.
    #[arg(long, global = true, value_name = "N", value_parser = parse_threads)]
    threads: Option<usize>,
    /// Print only warnings, errors and --json's JSON: no tables, notes or progress.
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Show progress on stderr even when it is not a terminal (a line every 5 seconds).
    #[arg(long, global = true, conflicts_with = "quiet")]
    progress: bool,
}

/// `--threads N`: 1 to 1024.
fn parse_threads(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=1024).contains(&n) => Ok(n),
        _ => Err(format!(
            "`{}` is not a number of threads\n  fix: give a whole number from 1 to 1024, e.g. --threads 4",
            crate::error::cut(s)
        )),
    }
}

/// Flags shared by the commands that simulate.
#[derive(clap::Args)]
pub(crate) struct RunArgs {
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
    /// Print the summary (and the comparison or sweep) as JSON on stdout, nothing else.
    #[arg(long)]
    json: bool,
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
        /// METRIC=V (repeatable): a difference of at most V is `negligible` instead of better
        /// or worse. V in the metric's unit (0.01 = 1 percentage point, seconds, a count,
        /// GPU-hours), N% of the baseline's mean, or Npp for a fraction.
        #[arg(long = "negligible")]
        negligible: Vec<String>,
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
        /// Print the summary and the comparison or sweep as JSON on stdout, nothing else.
        #[arg(long)]
        json: bool,
    },
    /// Workload traces: import to the native format, statistics, synthetic generation.
    Trace {
        #[command(subcommand)]
        command: TraceCommand,
    },
    /// Check scenario files and print what they define (`-` reads standard input).
    Validate {
        #[arg(required = true)]
        scenario: Vec<PathBuf>,
    },
    /// Follow one workload through one run: its timeline, what held it at a time in the words
    /// of the system holding it, and when it would have fitted on an empty cluster.
    Explain {
        #[arg(required = true)]
        scenario: Vec<PathBuf>,
        /// The workload: `name` or `namespace/name` (the first created of that name).
        #[arg(long, required = true)]
        job: String,
        /// The policy to run; default: the Simulation's first.
        #[arg(long)]
        policy: Option<String>,
        /// The seed; default: the Simulation's `seed`.
        #[arg(long)]
        seed: Option<u64>,
        /// The time to explain, in seconds (3600) or as a duration (1h); default: just before
        /// the workload started, else the end of the run.
        #[arg(long)]
        at: Option<String>,
    },
    /// Print a shell completion script: bash, zsh, fish, elvish or powershell.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Options for traces that lack CPU or memory requests (see traces/README.md, Mappings).
#[derive(clap::Args)]
pub(crate) struct TraceOpts {
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
    /// openb: keep the pods never scheduled, each deleted at its deletion time if not ended.
    #[arg(long)]
    include_unscheduled: bool,
}

#[derive(Subcommand)]
pub(crate) enum TraceCommand {
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

/// `trace import`'s one-line help: "Convert a trace (philly, ..., kubesim) to the native format,
/// sorted by submit time", the formats from [`crate::input::trace::IMPORTERS`].
fn import_about() -> String {
    format!(
        "Convert a trace ({}) to the native format, sorted by submit time",
        crate::input::trace::names_native_last().join(", ")
    )
}

pub fn main() -> ExitCode {
    // Until a command says how many runs it makes: freed memory goes back at once.
    crate::experiment::memory_for_runs(1);
    std::panic::set_hook(Box::new(|info| {
        eprintln!("kubesim: internal error (a bug in kubesim, please report it): {info}");
        std::process::exit(1);
    }));
    let cli = Cli::parse();
    ui::set(ui::Ui {
        quiet: cli.quiet,
        progress: cli.progress,
    });
    if let Some(n) = cli.threads
        && let Err(e) = rayon::ThreadPoolBuilder::new().num_threads(n).build_global()
    {
        eprintln!("kubesim: internal error (a bug in kubesim, please report it): thread pool: {e}");
        return ExitCode::from(1);
    }
    let result = match cli.command {
        None => demo::run(),
        Some(Command::Run { scenario, args, events }) => simulate::run(Kind::Run, &scenario, args, events, &[]),
        Some(Command::Compare {
            scenario,
            args,
            events,
            negligible,
        }) => simulate::run(Kind::Compare, &scenario, args, events, &negligible),
        Some(Command::Sweep {
            scenario,
            set,
            capacity,
            targets,
            args,
        }) => sweep::run(&scenario, &set, capacity, &targets, args),
        Some(Command::Merge {
            shards,
            out,
            overwrite,
            json,
        }) => merge::run(&shards, &out, overwrite, json),
        Some(Command::Trace { command }) => trace::run(command),
        Some(Command::Validate { scenario }) => validate::run(&scenario),
        Some(Command::Explain {
            scenario,
            job,
            policy,
            seed,
            at,
        }) => explain::run(&scenario, &job, policy, seed, at.as_deref()),
        Some(Command::Completions { shell }) => {
            clap_complete::generate(shell, &mut Cli::command(), "kubesim", &mut std::io::stdout());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
