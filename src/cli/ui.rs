//! How the command speaks, set once from the global flags in `main`: `--quiet` (only warnings,
//! errors and JSON), `--progress` (progress lines even when stderr is not a terminal). Human
//! output goes through [`say!`] (stdout) and [`note!`] (stderr notes), which `--quiet` silences.

use std::sync::OnceLock;

use crate::experiment::progress::Progress;

#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Ui {
    pub quiet: bool,
    pub progress: bool,
}

static UI: OnceLock<Ui> = OnceLock::new();

/// Set the process's settings (once, in `main`).
pub(super) fn set(ui: Ui) {
    let _ = UI.set(ui);
}

/// The process's settings (the defaults before `main` sets them).
pub(crate) fn ui() -> Ui {
    UI.get().copied().unwrap_or_default()
}

/// Progress of `total` runs as the flags ask.
pub(super) fn progress(total: Option<u64>) -> Progress {
    let ui = ui();
    Progress::new(total, "runs", ui.progress, ui.quiet)
}

/// A human line on stdout, unless `--quiet`.
macro_rules! say {
    ($($arg:tt)*) => {
        if !$crate::cli::ui::ui().quiet {
            println!($($arg)*);
        }
    };
}

/// A note on stderr, unless `--quiet` (warnings and errors are never silenced).
macro_rules! note {
    ($($arg:tt)*) => {
        if !$crate::cli::ui::ui().quiet {
            eprintln!($($arg)*);
        }
    };
}

pub(crate) use {note, say};
