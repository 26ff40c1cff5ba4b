//! A progress bar on stderr for work that takes more than about a second: hidden at first, shown
//! once a second has passed and only when stderr is a terminal (silent in CI logs and pipes).
//! It never touches results: the simulation's outputs do not depend on it.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Delay before the bar appears.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// A bar counting finished units of work (replications, sweep points).
pub struct Progress {
    bar: ProgressBar,
    shown: AtomicBool,
    terminal: bool,
}

impl Progress {
    /// A bar for `total` units (a counter when the total is not known); `what` names them.
    pub fn new(total: Option<u64>, what: &str) -> Progress {
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::hidden());
        let template = if total.is_some() {
            format!("{{spinner}} [{{elapsed_precise}}] {{wide_bar}} {{pos}}/{{len}} {what} (eta {{eta}})")
        } else {
            format!("{{spinner}} [{{elapsed_precise}}] {{pos}} {what}")
        };
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        Progress {
            bar,
            shown: AtomicBool::new(false),
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// One more unit done.
    pub fn inc(&self) {
        if self.terminal && !self.shown.load(Ordering::Relaxed) && self.bar.elapsed() >= SHOW_AFTER {
            self.shown.store(true, Ordering::Relaxed);
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        self.bar.inc(1);
    }

    /// Remove the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
