//! The `kubesim` command line: one function per subcommand, `main` a single match.
//! Exit status: 0 done; 2 bad input or arguments (a message naming file, line, field and fix);
//! 1 an internal error (a bug).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use kubesim::error::InputError;
use kubesim::experiment::{check_policies, parse_seeds, run_all};
use kubesim::report::{aggregate, events_csv, jobs_csv, policy_table, summarize, summary_csv, table, write_outputs};
use kubesim::scenario;
use kubesim::spec::Scenario;

/// The scenario `kubesim` runs with no arguments.
const DEMO: &str = include_str!("../scenarios/gang-contention.yaml");

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

#[derive(Subcommand)]
enum Command {
    /// Simulate scenario files (YAML files or folders of them) and write jobs.csv, summary.csv
    /// (and events.csv with --events).
    Run {
        /// Scenario files or folders.
        #[arg(required = true)]
        scenario: Vec<PathBuf>,
        /// A policy to run (repeatable); default: the Simulation's `policies`.
        #[arg(long = "policy")]
        policies: Vec<String>,
        /// One seed; default: the Simulation's `seed`.
        #[arg(long, conflicts_with = "seeds")]
        seed: Option<u64>,
        /// An inclusive range of seeds, e.g. 1..20.
        #[arg(long)]
        seeds: Option<String>,
        /// Output folder; default: reports/<simulation name>/.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Also write events.csv, one row per pod, job and node transition.
        #[arg(long)]
        events: bool,
    },
    /// Check scenario files and print what they define.
    Validate {
        #[arg(required = true)]
        scenario: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("kubesim: internal error (a bug in kubesim, please report it): {info}");
        std::process::exit(1);
    }));
    let cli = Cli::parse();
    let result = match cli.command {
        None => demo(),
        Some(Command::Run {
            scenario,
            policies,
            seed,
            seeds,
            out,
            events,
        }) => run(&scenario, policies, seed, seeds, out, events),
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
        sc.nodes
            .iter()
            .map(|n| n.allocatable.get("nvidia.com/gpu").copied().unwrap_or(0))
            .sum::<i64>()
            / 1000,
        DEMO_SEEDS
    );
    simulate(&sc, sc.sim.policies.clone(), (1..=DEMO_SEEDS).collect(), None, false)
}

fn run(
    paths: &[PathBuf],
    policies: Vec<String>,
    seed: Option<u64>,
    seeds: Option<String>,
    out: Option<PathBuf>,
    events: bool,
) -> Result<(), InputError> {
    let sc = scenario::load(paths)?;
    let from_flag = !policies.is_empty();
    let policies = if from_flag { policies } else { sc.sim.policies.clone() };
    check_policies(&sc, &policies, from_flag)?;
    let seeds = match (seed, seeds) {
        (_, Some(range)) => parse_seeds(&range)?,
        (Some(s), None) => vec![s],
        (None, None) => vec![sc.sim.seed],
    };
    simulate(&sc, policies, seeds, out, events)
}

fn simulate(
    sc: &Scenario,
    policies: Vec<String>,
    seeds: Vec<u64>,
    out: Option<PathBuf>,
    events: bool,
) -> Result<(), InputError> {
    note_not_simulated(sc);
    let runs = run_all(sc, &policies, &seeds, events)?;
    let summaries: Vec<_> = runs.iter().map(summarize).collect();
    let mut files = vec![("jobs.csv", jobs_csv(&runs)), ("summary.csv", summary_csv(&summaries))];
    if events {
        files.push(("events.csv", events_csv(&runs)));
    }
    let dir = out.unwrap_or_else(|| PathBuf::from("reports").join(&sc.name));
    let written = write_outputs(&dir, &files)?;
    if seeds.len() > 1 {
        print!("{}", policy_table(&aggregate(&runs)));
    } else {
        print!("{}", table(&summaries));
    }
    println!();
    for w in written {
        println!("wrote {}", w.display());
    }
    Ok(())
}

fn note_not_simulated(sc: &Scenario) {
    for o in &sc.not_simulated {
        eprintln!(
            "note: {} {} `{}/{}` ({}) is not simulated yet in this version of kubesim; it was loaded and ignored",
            o.api_version, o.kind, o.namespace, o.name, o.loc
        );
    }
}

fn validate(paths: &[PathBuf]) -> Result<(), InputError> {
    let sc = scenario::load(paths)?;
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
            .map(|h| format!("{} s", kubesim::engine::SimTime(h)))
            .unwrap_or_else(|| "none (until idle)".into()),
        sc.sim.policies.join(", ")
    );
    println!("  nodes: {} ({} GPUs)", sc.nodes.len(), kubesim::report::gpus(gpus));
    println!("  priority classes: {}", sc.priority_classes.len());
    println!("  workloads: {}", sc.workloads.len());
    for w in &sc.workloads {
        let kind = match w.kind {
            kubesim::spec::WorkloadKind::Job(_) => "Job",
            kubesim::spec::WorkloadKind::Pod(_) => "Pod",
            kubesim::spec::WorkloadKind::VolcanoJob(_) => "VolcanoJob",
        };
        println!("    {kind} {}/{} ({})", w.namespace, w.name, w.loc);
    }
    println!("  pod groups: {}", sc.pod_groups.len());
    for g in &sc.pod_groups {
        let api = match g.api {
            kubesim::spec::PodGroupApi::Volcano => "Volcano",
            kubesim::spec::PodGroupApi::Coscheduling => "coscheduling",
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
    println!("  arrivals: {}", sc.arrivals.len());
    for a in &sc.arrivals {
        println!("    {} x{} ({})", a.name, a.count, a.loc);
    }
    if !sc.not_simulated.is_empty() {
        println!("  not simulated yet (loaded, ignored by runs):");
        for o in &sc.not_simulated {
            println!("    {} {}/{} ({})", o.kind, o.namespace, o.name, o.loc);
        }
    }
    Ok(())
}
