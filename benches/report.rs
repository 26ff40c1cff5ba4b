//! Experiment outputs: the demo comparison (scenarios/gang-contention.yaml, its policies x 10
//! seeds) from finished runs to files: the per-run tables, and everything derived from them
//! (comparison, 5 plots as SVG and PNG, report.html). Also one plot alone, and the runs
//! themselves for scale (parallel, as the CLI runs them).

use divan::Bencher;
use kubesim::experiment::output::{Kind, Plan, Point, Tables};
use kubesim::experiment::{Events, run_units, units};
use kubesim::input::scenario::load;
use kubesim::observe::derive;
use kubesim::observe::render::plot::{Chart, Series, Style, png, svg};

fn main() {
    divan::main();
}

fn plan_and_scenario() -> (Plan, kubesim::input::spec::Scenario) {
    let path = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/gang-contention.yaml"));
    let sc = load(&[path]).expect("scenario");
    let plan = Plan {
        kind: Kind::Compare,
        scenario: sc.name.clone(),
        about: vec![],
        points: vec![Point::default()],
        policies: sc.sim.policies.clone(),
        seeds: (1..=10).collect(),
        events: false,
        fidelity: false,
        cron: false,
        queues: false,
        targets: vec![],
        negligible: vec![],
        resources: vec![],
    };
    (plan, sc)
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn demo_runs(bencher: Bencher) {
    let (plan, sc) = plan_and_scenario();
    let us = units(1, &plan.policies, &plan.seeds);
    bencher.bench_local(|| run_units(std::slice::from_ref(&sc), &us, &Events::Off, None).expect("runs"));
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn demo_tables_and_report(bencher: Bencher) {
    let (plan, sc) = plan_and_scenario();
    let us = units(1, &plan.policies, &plan.seeds);
    let runs = run_units(std::slice::from_ref(&sc), &us, &Events::Off, None).expect("runs");
    bencher.bench_local(|| {
        let tables = Tables::from_runs(&plan, &us, &runs);
        derive(&plan, &tables).expect("derive")
    });
}

fn chart() -> Chart {
    let series = (0..3)
        .map(|s| Series {
            label: format!("policy {s}"),
            points: (0..400)
                .map(|i| (i as f64, ((i * (s + 3)) % 97) as f64 / 97.0))
                .collect(),
            style: Style::Step,
            colour: s as usize,
        })
        .collect();
    Chart {
        title: "GPU busy utilization".into(),
        x_label: "time (h)".into(),
        y_label: "busy GPUs / GPUs".into(),
        series,
        y_range: Some((0.0, 1.0)),
        error_bars: vec![],
    }
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn one_plot_svg(bencher: Bencher) {
    let c = chart();
    bencher.bench_local(|| svg(&c).expect("svg"));
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn one_plot_png(bencher: Bencher) {
    let c = chart();
    bencher.bench_local(|| png(&c).expect("png"));
}
