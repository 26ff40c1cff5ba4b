//! Rendering: the derived outputs as formatted from an [`Analysis`] (and the plan's names and
//! labels), computing nothing: the terminal text ([`text`]), comparison.csv or sweep.csv
//! ([`csv`]), the plots as SVG and PNG under `plots/` ([`figures`], drawn by [`plot`]), and
//! report.html ([`html`]); `--json`'s tables from the CSV text ([`json`]).

pub mod csv;
pub mod figures;
pub mod format;
pub mod html;
pub mod json;
pub mod plot;
pub mod text;

use crate::error::InputError;
use crate::observe::analysis::{Analysis, Findings};
use crate::observe::tables::Plan;

/// What an experiment derives: files to write and the text for the terminal.
pub struct Derived {
    pub files: Vec<(String, Vec<u8>)>,
    pub terminal: String,
}

/// Every derived output of an analyzed experiment.
pub fn render(plan: &Plan, a: &Analysis) -> Result<Derived, InputError> {
    let mut files = Vec::new();
    let (terminal, verdicts, mut sections, figures) = match &a.findings {
        Findings::Policies(f) => {
            let util = crate::observe::analysis::utilization(&plan.resources);
            let mut terminal = text::policy_table_text(&a.aggregates, util);
            let mut verdicts = match &f.comparison {
                Some(cmp) => {
                    files.push(("comparison.csv".to_string(), csv::comparison_csv(cmp).into_bytes()));
                    terminal.push('\n');
                    terminal.push_str(&text::comparison_table(cmp, plan.seeds.len()));
                    text::verdicts(cmp)
                }
                None => a.aggregates.iter().map(|x| text::run_sentence(x, util)).collect(),
            };
            let scenario = text::scenario_sentences(f);
            for line in &scenario {
                terminal.push_str(&format!("\n{line}\n"));
            }
            verdicts.extend(scenario);
            let sections = html::policy_sections(&a.aggregates, f);
            (terminal, verdicts, sections, figures::policy_figures(plan, f))
        }
        Findings::Sweep(s) => {
            files.push((
                "sweep.csv".to_string(),
                csv::sweep_csv(plan, &a.aggregates, s).into_bytes(),
            ));
            (
                text::sweep_table_text(plan, &a.aggregates, s),
                text::sweep_verdicts(plan, s),
                vec![html::sweep_section(plan, &a.aggregates, s)],
                figures::sweep_figures(plan, s),
            )
        }
    };
    // A figure of nothing but zeros is its sentence, in its place, and no file.
    let (notes, figures): (Vec<_>, Vec<_>) = figures.into_iter().partition(|f| f.zero_note().is_some());
    let drawn = figures::draw(&figures)?;
    let mut plots_html = String::new();
    for f in &notes {
        plots_html.push_str(&html::note(f.zero_note().unwrap_or_default()));
    }
    for (f, d) in figures.iter().zip(drawn) {
        plots_html.push_str(&html::figure(&f.stem, &d.svg, &f.caption));
        files.push((format!("plots/{}.svg", f.stem), d.svg.into_bytes()));
        files.push((format!("plots/{}.png", f.stem), d.png));
    }
    sections.push(html::section("Plots", &plots_html));
    let page = html::page(plan, &verdicts, &sections);
    files.push(("report.html".to_string(), page.into_bytes()));
    Ok(Derived { files, terminal })
}
