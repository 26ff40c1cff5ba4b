//! Progress on stderr for work that takes more than about a second: runs done against runs to
//! do, how far the slowest running run is in simulated time (of its horizon, when it has one),
//! events simulated per second, an estimate of the time left, and the phases after the runs
//! (deriving the report, writing the files).
//!
//! As a bar when stderr is a terminal (shown once a second has passed, so short commands stay
//! silent); as plain `progress:` lines every few seconds when asked (`--progress`) and stderr is
//! not a terminal; otherwise nothing. It never touches results: the runs report to it through the
//! engine's probe ([`crate::sim::World::run_probed`]), which only reads the clock and the event
//! count.
//!
//! The estimate does not assume that every run costs the same: work is counted in events. A
//! finished run cost its events; a running run with a horizon is extrapolated from its events so
//! far and how far it is (events x horizon / now); a run not yet started, or without a horizon,
//! is expected to cost what the runs of its sweep point and policy cost on average (else of its
//! policy, else of its point, else all runs). Time left = elapsed x (expected events - events
//! done) / events done.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::engine::SimTime;

/// Delay before the bar appears.
const SHOW_AFTER: Duration = Duration::from_secs(1);
/// Least time between two redraws of the bar.
const REDRAW_EVERY: Duration = Duration::from_millis(200);
/// Least time between two plain progress lines.
const LINE_EVERY: Duration = Duration::from_secs(5);

/// Where progress goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Off,
    /// An indicatif bar (stderr is a terminal).
    Bar,
    /// Plain lines (asked for, stderr not a terminal).
    Lines,
}

/// One run as progress sees it.
#[derive(Clone, Debug)]
struct RunState {
    /// Its sweep point and policy (runs of one point and policy are expected to cost alike).
    point: usize,
    policy: String,
    /// Its horizon in ms, if the scenario has one.
    end_ms: Option<u64>,
    now_ms: u64,
    events: u64,
    started: bool,
    done: bool,
}

impl RunState {
    /// Its expected events, when they can be told from the run itself.
    fn cost(&self) -> Option<f64> {
        if self.done {
            return Some(self.events as f64);
        }
        match self.end_ms {
            Some(end) if self.now_ms > 0 && self.events > 0 => {
                Some(self.events as f64 * end as f64 / self.now_ms as f64)
            }
            _ => None,
        }
    }
}

struct State {
    runs: Vec<RunState>,
    last_draw: Option<Duration>,
    phase: Option<String>,
}

/// Progress of a command's runs (replications, sweep points).
pub struct Progress {
    bar: ProgressBar,
    mode: Mode,
    start: Instant,
    total: Option<u64>,
    what: String,
    state: Mutex<State>,
}

impl Progress {
    /// Progress of `total` runs (unknown for a capacity search); `what` names them. `asked`:
    /// show plain lines even when stderr is not a terminal (`--progress`); `quiet`: show nothing.
    #[allow(
        clippy::disallowed_methods,
        reason = "wall time for the progress display only, never for a result"
    )]
    pub fn new(total: Option<u64>, what: &str, asked: bool, quiet: bool) -> Progress {
        let mode = match (quiet, std::io::stderr().is_terminal(), asked) {
            (true, _, _) => Mode::Off,
            (false, true, _) => Mode::Bar,
            (false, false, true) => Mode::Lines,
            (false, false, false) => Mode::Off,
        };
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::hidden());
        let template = if total.is_some() {
            format!("{{spinner}} [{{elapsed_precise}}] {{wide_bar}} {{pos}}/{{len}} {what}{{msg}}")
        } else {
            format!("{{spinner}} [{{elapsed_precise}}] {{pos}} {what}{{msg}}")
        };
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        Progress {
            bar,
            mode,
            start: Instant::now(),
            total,
            what: what.to_string(),
            state: Mutex::new(State {
                runs: Vec::new(),
                last_draw: None,
                phase: None,
            }),
        }
    }

    /// Is anything shown? When not, the runs need no probe.
    pub fn is_on(&self) -> bool {
        self.mode != Mode::Off
    }

    /// Runs about to start: each run's sweep point, policy and horizon (ms). Returns the index
    /// of the first, by which [`Progress::probe`] and [`Progress::run_done`] name them.
    pub fn add_runs(&self, runs: impl IntoIterator<Item = (usize, String, Option<u64>)>) -> usize {
        let mut st = self.lock();
        let first = st.runs.len();
        st.runs.extend(runs.into_iter().map(|(point, policy, end_ms)| RunState {
            point,
            policy,
            end_ms,
            now_ms: 0,
            events: 0,
            started: false,
            done: false,
        }));
        first
    }

    /// Run `k` is at simulated time `now` after `events` events (called from the engine's probe).
    pub fn probe(&self, k: usize, now: SimTime, events: u64) {
        if !self.is_on() {
            return;
        }
        let mut st = self.lock();
        if let Some(r) = st.runs.get_mut(k) {
            r.started = true;
            r.now_ms = now.ms();
            r.events = events;
        }
        self.draw(&mut st, false);
    }

    /// Run `k` ended at `now` after `events` events (0 and 0 if it failed).
    pub fn run_done(&self, k: usize, now: SimTime, events: u64) {
        if self.is_on() {
            let mut st = self.lock();
            if let Some(r) = st.runs.get_mut(k) {
                r.started = true;
                r.done = true;
                r.now_ms = now.ms();
                r.events = events;
            }
            self.draw(&mut st, false);
        }
        self.bar.inc(1);
    }

    /// The runs are over; the command now does `what` ("writing 7 files, 12.3 MB").
    pub fn phase(&self, what: &str) {
        if !self.is_on() {
            return;
        }
        let mut st = self.lock();
        st.phase = Some(what.to_string());
        self.draw(&mut st, true);
    }

    /// Remove the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panicking run thread ends the process (the panic hook); the state is display only.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Redraw if it is time (or `now_anyway`: a phase starts).
    fn draw(&self, st: &mut State, now_anyway: bool) {
        let elapsed = self.start.elapsed();
        let every = match self.mode {
            Mode::Off => return,
            Mode::Bar => REDRAW_EVERY,
            Mode::Lines => LINE_EVERY,
        };
        let due = match st.last_draw {
            None => elapsed >= SHOW_AFTER,
            Some(last) => elapsed >= last + every,
        };
        if !(due || now_anyway) {
            return;
        }
        st.last_draw = Some(elapsed);
        let msg = match &st.phase {
            Some(p) => format!(": {p}"),
            None => status(&st.runs, self.total, elapsed),
        };
        match self.mode {
            Mode::Bar => {
                if self.bar.is_hidden() {
                    self.bar.set_draw_target(ProgressDrawTarget::stderr());
                }
                self.bar.set_message(msg);
            }
            Mode::Lines => {
                let done = st.runs.iter().filter(|r| r.done).count();
                let of = self.total.map(|t| format!("/{t}")).unwrap_or_default();
                eprintln!("progress: [{}] {done}{of} {}{msg}", clock(elapsed), self.what);
            }
            Mode::Off => {}
        }
    }
}

/// ", slowest t 4.1 h / 12.0 h, 2.3M events/s, eta 1m 20s": the running run least far through
/// its horizon (just `t` when the command has one run).
fn status(runs: &[RunState], total: Option<u64>, elapsed: Duration) -> String {
    let mut parts = Vec::new();
    if let Some(slowest) = runs.iter().filter(|r| r.started && !r.done).min_by_key(|r| {
        (
            r.end_ms
                .map(|e| r.now_ms as f64 / e.max(1) as f64)
                .map(|f| (f * 1e6) as u64),
            r.now_ms,
        )
    }) {
        let of = slowest.end_ms.map(|e| format!(" / {}", span(e))).unwrap_or_default();
        let who = if total == Some(1) { "" } else { "slowest " };
        parts.push(format!("{who}t {}{of}", span(slowest.now_ms)));
    }
    let events: u64 = runs.iter().map(|r| r.events).sum();
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 && events > 0 {
        parts.push(format!("{} events/s", count(events as f64 / secs)));
    }
    if let Some(left) = eta(runs, total, elapsed) {
        parts.push(format!("eta {}", clock(left)));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(", {}", parts.join(", "))
    }
}

/// Runs expected to cost alike: (point, policy), either left out for a wider group.
type Group<'a> = (Option<usize>, Option<&'a str>);

/// Time left, from work counted in events (module doc); None while nothing can be told.
fn eta(runs: &[RunState], total: Option<u64>, elapsed: Duration) -> Option<Duration> {
    let total = total? as usize;
    // Mean cost by (point, policy), by policy, by point, and overall, of the runs whose cost
    // can be told.
    let mut means: BTreeMap<Group<'_>, (f64, u64)> = BTreeMap::new();
    for r in runs {
        if let Some(c) = r.cost() {
            for key in [
                (Some(r.point), Some(r.policy.as_str())),
                (None, Some(r.policy.as_str())),
                (Some(r.point), None),
                (None, None),
            ] {
                let e = means.entry(key).or_default();
                e.0 += c;
                e.1 += 1;
            }
        }
    }
    let mean = |key| means.get(&key).map(|(s, n)| s / *n as f64);
    let overall = mean((None, None))?;
    let expected: f64 = runs
        .iter()
        .map(|r| {
            let p = r.policy.as_str();
            r.cost()
                .or_else(|| mean((Some(r.point), Some(p))))
                .or_else(|| mean((None, Some(p))))
                .or_else(|| mean((Some(r.point), None)))
                .unwrap_or(overall)
                .max(r.events as f64)
        })
        .sum::<f64>()
        + overall * total.saturating_sub(runs.len()) as f64;
    let done: u64 = runs.iter().map(|r| r.events).sum();
    if done == 0 {
        return None;
    }
    let left = elapsed.as_secs_f64() * (expected - done as f64).max(0.0) / done as f64;
    left.is_finite().then(|| Duration::from_secs_f64(left.min(1e9)))
}

/// Simulated milliseconds for a person: `45 s`, `12.5 min`, `4.1 h`, `3.2 d`.
fn span(ms: u64) -> String {
    let s = ms as f64 / 1000.0;
    if s < 60.0 {
        format!("{s:.0} s")
    } else if s < 3600.0 {
        format!("{:.1} min", s / 60.0)
    } else if s < 86_400.0 * 2.0 {
        format!("{:.1} h", s / 3600.0)
    } else {
        format!("{:.1} d", s / 86_400.0)
    }
}

/// Wall time: `42s`, `3m 05s`, `1h 02m`.
fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m {:02}s", s / 60, s % 60)
    } else {
        format!("{}h {:02}m", s / 3600, (s % 3600) / 60)
    }
}

/// A rate for a person: `950`, `12.3k`, `2.3M`.
fn count(v: f64) -> String {
    if v < 1e3 {
        format!("{v:.0}")
    } else if v < 1e6 {
        format!("{:.1}k", v / 1e3)
    } else {
        format!("{:.1}M", v / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(point: usize, end: Option<u64>, now: u64, events: u64, done: bool) -> RunState {
        RunState {
            point,
            policy: "p".into(),
            end_ms: end,
            now_ms: now,
            events,
            started: events > 0,
            done,
        }
    }

    #[test]
    fn the_estimate_counts_events_not_runs() {
        let ten = Duration::from_secs(10);
        // One run of a 100 s horizon, a quarter through after 10 s: 30 s left.
        let one = [run(0, Some(100_000), 25_000, 1_000, false)];
        assert_eq!(eta(&one, Some(1), ten), Some(Duration::from_secs(30)));
        // Point 0's run is done (1,000 events); point 1's run is a tenth through a horizon with
        // 900 events so far: it will cost 9,000. Work: 1,900 of 10,000 events in 10 s, so
        // 8,100 events are left: 42.6 s; counting runs (1 of 2 done) would say 10 s.
        let two = [
            run(0, Some(100_000), 100_000, 1_000, true),
            run(1, Some(100_000), 10_000, 900, false),
        ];
        let left = eta(&two, Some(2), ten).unwrap().as_secs_f64();
        assert!((left - 81.0 / 1.9).abs() < 1e-6, "{left}");
        // A run not started costs what its point's runs cost: 1,000 more.
        let three = [run(0, None, 50_000, 1_000, true), run(0, None, 0, 0, false)];
        assert_eq!(eta(&three, Some(2), ten), Some(ten));
        // Runs of another policy cost what that policy's runs cost, not what the others do.
        let mut four = [
            run(0, None, 50_000, 1_000, true),
            run(0, None, 50_000, 100, true),
            run(0, None, 0, 0, false),
        ];
        four[1].policy = "q".into();
        four[2].policy = "q".into();
        let left = eta(&four, Some(3), ten).unwrap().as_secs_f64();
        assert!((left - 10.0 * 100.0 / 1_100.0).abs() < 1e-6, "{left}");
        // Nothing done yet: no estimate.
        assert_eq!(eta(&[run(0, None, 0, 0, false)], Some(1), ten), None);
    }

    #[test]
    fn spans_and_clocks_read_well() {
        assert_eq!(span(45_000), "45 s");
        assert_eq!(span(750_000), "12.5 min");
        assert_eq!(span(4 * 3_600_000 + 360_000), "4.1 h");
        assert_eq!(clock(Duration::from_secs(185)), "3m 05s");
        assert_eq!(count(2_345_678.0), "2.3M");
    }
}
