//! Sweeps: a grid over scenario parameters (`--set PATH=VALUES`, any field of any object, see
//! [`crate::input::scenario::Override`]), and capacity planning (`--capacity PATH=LO..HI[:STEP]` with
//! `--target`s): the smallest value of one parameter (a NodePool's count, say) at which every
//! target holds, found by bisection.
//!
//! The search assumes what capacity planning assumes: more of the resource never makes a target
//! fail that held with less (monotone). It simulates the top of the range (if the target fails
//! there, no answer in range), the bottom, then halves the bracket: about log2(range / step) + 2
//! points instead of every point of the grid, all seeds and policies of a round in parallel.
//! Each policy has its own bracket; policies share the points they both need. Every point it
//! simulated is in the outputs (the explored curve), and a point above the answer that fails a
//! target (the assumption broken) is reported.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::path::PathBuf;

use crate::error::InputError;
use crate::experiment::output::Point;
use crate::experiment::progress::Progress;
use crate::experiment::{Events, Unit, run_units};
use crate::input::scenario::{self, Override};
use crate::input::spec::Scenario;
use crate::observe::analysis::{Aggregate, Row, Target};
use crate::observe::record::RunResult;

/// Bound on sweep points (each is a scenario load and a set of runs).
pub const MAX_POINTS: usize = 10_000;

/// A parameter and the values it takes.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub path: String,
    pub values: Vec<String>,
    /// The path parsed (checked before any run).
    pub over: Override,
}

fn fix_set(flag: &str) -> String {
    format!(
        "write {flag} PATH=VALUES with VALUES a comma list (4,8,16 or 3m,2m,1m) or an integer range \
         LO..HI or LO..HI:STEP (e.g. {flag} NodePool/gpu:spec.count=2..16:2)"
    )
}

/// Integer range `LO..HI[:STEP]`, inclusive.
fn int_range(s: &str) -> Option<(i64, i64, i64)> {
    let (range, step) = match s.split_once(':') {
        Some((r, st)) => (r, st.trim().parse::<i64>().ok()?),
        None => (s, 1),
    };
    let (lo, hi) = range.split_once("..")?;
    let lo: i64 = lo.trim().parse().ok()?;
    let hi: i64 = hi.trim().trim_start_matches('=').parse().ok()?;
    (step > 0 && lo <= hi).then_some((lo, hi, step))
}

impl Param {
    /// `PATH=VALUES` from `flag`.
    pub fn parse(flag: &str, arg: &str) -> Result<Param, InputError> {
        let (path, values) = arg
            .split_once('=')
            .ok_or_else(|| InputError::new(flag, format!("`{arg}` has no `=`"), fix_set(flag)))?;
        let path = path.trim();
        let over = Override::parse(flag, path, "")?;
        let values: Vec<String> = if let Some((lo, hi, step)) = int_range(values) {
            let n = (hi - lo) / step + 1;
            if n as usize > MAX_POINTS {
                return Err(InputError::new(
                    flag,
                    format!("`{values}` has {n} values; the limit is {MAX_POINTS}"),
                    "use a larger step",
                ));
            }
            (0..n).map(|i| (lo + i * step).to_string()).collect()
        } else if values.contains("..") {
            return Err(InputError::new(
                flag,
                format!("`{values}` is not a valid range"),
                fix_set(flag),
            ));
        } else {
            values.split(',').map(|v| v.trim().to_string()).collect()
        };
        if values.iter().any(String::is_empty) {
            return Err(InputError::new(
                flag,
                format!("`{arg}` has an empty value"),
                fix_set(flag),
            ));
        }
        Ok(Param {
            path: path.to_string(),
            values,
            over,
        })
    }
}

/// The grid of several parameters: every combination, the first parameter varying slowest.
pub fn grid(params: &[Param]) -> Result<Vec<Point>, InputError> {
    let total: usize = params.iter().map(|p| p.values.len()).product();
    if total > MAX_POINTS {
        return Err(InputError::new(
            "--set",
            format!("the grid has {total} points; the limit is {MAX_POINTS}"),
            "sweep fewer values, or split the sweep",
        ));
    }
    let mut points = vec![Point::default()];
    for p in params {
        points = points
            .into_iter()
            .flat_map(|pt| {
                p.values.iter().map(move |v| {
                    let mut q = pt.clone();
                    q.params.push((p.path.clone(), v.clone()));
                    q
                })
            })
            .collect();
    }
    Ok(points)
}

/// The scenario of each point: the files loaded with the point's values set.
pub fn load_points(paths: &[PathBuf], points: &[Point]) -> Result<Vec<Scenario>, InputError> {
    points
        .iter()
        .map(|pt| {
            let overrides: Vec<Override> = pt
                .params
                .iter()
                .map(|(path, v)| Override::parse("--set", path, v))
                .collect::<Result<_, _>>()?;
            scenario::load_with(paths, &overrides).map_err(|e| {
                let mut e = e;
                if !pt.params.is_empty() {
                    e.message = format!("{} (at sweep point {})", e.message, pt.label());
                }
                e
            })
        })
        .collect()
}

/// The outcome of a capacity search.
pub struct CapacityRun {
    /// Points simulated, in increasing value.
    pub points: Vec<Point>,
    pub scenarios: Vec<Scenario>,
    pub units: Vec<Unit>,
    pub runs: Vec<RunResult>,
    /// Grid points in the range, and runs the grid would have taken.
    pub grid_points: u64,
    pub grid_runs: u64,
    /// One line per policy: the answer, or why there is none.
    pub answers: Vec<String>,
}

/// Capacity search over `param` (an integer range) for `policies` x `seeds`; the runs report to
/// `progress`.
pub fn capacity_search(
    paths: &[PathBuf],
    param: &Param,
    policies: &[String],
    seeds: &[u64],
    targets: &[Target],
    progress: &Progress,
) -> Result<CapacityRun, InputError> {
    let values: Vec<i64> = param.values.iter().filter_map(|v| v.parse().ok()).collect();
    if values.len() != param.values.len() || values.is_empty() {
        return Err(InputError::new(
            "--capacity",
            format!("`{}` needs an integer range", param.path),
            "write --capacity PATH=LO..HI or PATH=LO..HI:STEP (e.g. NodePool/gpu:spec.count=1..64)",
        ));
    }
    let mut brackets: Vec<Bracket> = policies.iter().map(|_| Bracket::new(values.len())).collect();
    let mut search = Search {
        paths,
        param,
        values,
        policies,
        seeds,
        targets,
        evaluated: Vec::new(),
        scenarios: Vec::new(),
        all_units: Vec::new(),
        all_runs: Vec::new(),
        meets: BTreeMap::new(),
    };
    loop {
        // What each policy needs next: (value index, policy).
        let wanted: Vec<(usize, usize)> = brackets
            .iter()
            .enumerate()
            .filter_map(|(pi, b)| b.wanted(search.values.len()).map(|vi| (vi, pi)))
            .collect();
        if wanted.is_empty() {
            break;
        }
        search.round(&wanted, progress)?;
        for (pi, b) in brackets.iter_mut().enumerate() {
            b.advance(search.values.len(), |vi| search.meets[&(vi, pi)]);
        }
    }
    Ok(search.finish(&brackets))
}

/// Where a policy's bracket is.
#[derive(PartialEq)]
enum State {
    /// The top of the range is to be simulated.
    Start,
    /// The top meets the targets; the bottom is to be simulated.
    TopKnown,
    /// Halving [lo, hi].
    Bisect,
    /// The answer is known, or there is none in range.
    Done,
}

/// One policy's search: the bracket (indexes into the values) [lo, hi], lo failing and hi
/// meeting the targets once known, and the answer (a value index) when found.
struct Bracket {
    lo: usize,
    hi: usize,
    state: State,
    answer: Option<usize>,
}

impl Bracket {
    fn new(values: usize) -> Bracket {
        Bracket {
            lo: 0,
            hi: values - 1,
            state: State::Start,
            answer: None,
        }
    }

    /// The value index to simulate next (of `values` values), or None when done.
    fn wanted(&self, values: usize) -> Option<usize> {
        match self.state {
            State::Start => Some(values - 1),
            State::TopKnown => Some(0),
            State::Bisect => Some((self.lo + self.hi) / 2),
            State::Done => None,
        }
    }

    /// Advance once the point [`Bracket::wanted`] is judged; `meets(vi)` says whether value
    /// index `vi` meets every target for this policy.
    fn advance(&mut self, values: usize, meets: impl Fn(usize) -> bool) {
        match self.state {
            State::Start => {
                if meets(values - 1) {
                    self.state = if values == 1 { State::Done } else { State::TopKnown };
                    if values == 1 {
                        self.answer = Some(0);
                    }
                } else {
                    self.state = State::Done;
                }
            }
            State::TopKnown => {
                if meets(0) {
                    self.answer = Some(0);
                    self.state = State::Done;
                } else {
                    self.state = State::Bisect;
                    if self.hi - self.lo <= 1 {
                        self.answer = Some(self.hi);
                        self.state = State::Done;
                    }
                }
            }
            State::Bisect => {
                let mid = (self.lo + self.hi) / 2;
                if meets(mid) {
                    self.hi = mid;
                } else {
                    self.lo = mid;
                }
                if self.hi - self.lo <= 1 {
                    self.answer = Some(self.hi);
                    self.state = State::Done;
                }
            }
            State::Done => {}
        }
    }
}

/// A capacity search's inputs and what it has simulated so far.
struct Search<'a> {
    paths: &'a [PathBuf],
    param: &'a Param,
    values: Vec<i64>,
    policies: &'a [String],
    seeds: &'a [u64],
    targets: &'a [Target],
    /// Value index of each loaded point, in load order (the scenario index).
    evaluated: Vec<usize>,
    scenarios: Vec<Scenario>,
    /// Every unit run, with its scenario index, and its result.
    all_units: Vec<(usize, Unit)>,
    all_runs: Vec<RunResult>,
    /// (value index, policy) -> meets every target.
    meets: BTreeMap<(usize, usize), bool>,
}

impl Search<'_> {
    /// One round: load the new points, run every wanted (point, policy) x seed not yet judged
    /// in parallel, and judge each (point, policy).
    fn round(&mut self, wanted: &[(usize, usize)], progress: &Progress) -> Result<(), InputError> {
        let mut units: Vec<Unit> = Vec::new();
        for &(vi, pi) in wanted {
            let si = match self.evaluated.iter().position(|&v| v == vi) {
                Some(si) => si,
                None => {
                    let pt = self.point(vi);
                    self.scenarios
                        .extend(load_points(self.paths, std::slice::from_ref(&pt))?);
                    self.evaluated.push(vi);
                    self.evaluated.len() - 1
                }
            };
            if self.meets.contains_key(&(vi, pi)) {
                continue;
            }
            for &seed in self.seeds {
                units.push(Unit {
                    point: si,
                    policy: self.policies[pi].clone(),
                    seed,
                });
            }
        }
        let runs = run_units(&self.scenarios, &units, &Events::Off, Some(progress))?;
        // Judge each (point, policy) of this round.
        let summaries: Vec<Row> = units.iter().zip(&runs).map(|(u, r)| Row::from_run(u, r)).collect();
        let refs: Vec<&Row> = summaries.iter().collect();
        for &(vi, pi) in wanted {
            let si = self.evaluated.iter().position(|&v| v == vi).expect("loaded above");
            if let Entry::Vacant(e) = self.meets.entry((vi, pi)) {
                let agg = Aggregate::of(si, &self.policies[pi], &refs);
                e.insert(agg.meets(self.targets));
            }
        }
        self.all_units.extend(units.into_iter().map(|u| (u.point, u)));
        self.all_runs.extend(runs);
        Ok(())
    }

    /// The sweep point of value index `vi`.
    fn point(&self, vi: usize) -> Point {
        Point {
            params: vec![(self.param.path.clone(), self.values[vi].to_string())],
        }
    }

    /// The outcome: points ordered by value, units renumbered and in canonical order (point,
    /// policy, seed), and each policy's answer.
    fn finish(mut self, brackets: &[Bracket]) -> CapacityRun {
        let mut order: Vec<usize> = (0..self.evaluated.len()).collect();
        order.sort_by_key(|&si| self.evaluated[si]);
        let new_index = |si: usize| order.iter().position(|&o| o == si).expect("every point is ordered");
        let mut paired: Vec<(Unit, RunResult)> = std::mem::take(&mut self.all_units)
            .into_iter()
            .zip(std::mem::take(&mut self.all_runs))
            .map(|((si, mut u), r)| {
                u.point = new_index(si);
                (u, r)
            })
            .collect();
        let policies = self.policies;
        let policy_rank = |p: &str| policies.iter().position(|x| x == p).unwrap_or(usize::MAX);
        paired.sort_by(|(a, _), (b, _)| {
            (a.point, policy_rank(&a.policy), a.seed).cmp(&(b.point, policy_rank(&b.policy), b.seed))
        });
        let mut scen_opt: Vec<Option<Scenario>> = std::mem::take(&mut self.scenarios).into_iter().map(Some).collect();
        let scenarios: Vec<Scenario> = order.iter().map(|&si| scen_opt[si].take().expect("once")).collect();
        let points: Vec<Point> = order.iter().map(|&si| self.point(self.evaluated[si])).collect();
        let answers = policies
            .iter()
            .enumerate()
            .map(|(pi, p)| self.answer(pi, p, brackets[pi].answer))
            .collect();
        let (units, runs): (Vec<Unit>, Vec<RunResult>) = paired.into_iter().unzip();
        CapacityRun {
            points,
            scenarios,
            units,
            runs,
            grid_points: self.values.len() as u64,
            grid_runs: (self.values.len() * policies.len() * self.seeds.len()) as u64,
            answers,
        }
    }

    /// Policy `p`'s (index `pi`) answer line: the smallest value found (`answer`) and any larger
    /// value that fails, or that there is none in range.
    fn answer(&self, pi: usize, p: &str, answer: Option<usize>) -> String {
        let (param, values) = (self.param, &self.values);
        let targets_text: Vec<&str> = self.targets.iter().map(|t| t.text.as_str()).collect();
        match answer {
            Some(vi) => {
                let broken: Vec<String> = self
                    .meets
                    .iter()
                    .filter(|((v, q), ok)| *q == pi && *v > vi && !**ok)
                    .map(|((v, _), _)| values[*v].to_string())
                    .collect();
                let mut s = format!(
                    "{p}: smallest {} meeting {} is {}",
                    param.path,
                    targets_text.join(" and "),
                    values[vi]
                );
                if !broken.is_empty() {
                    s.push_str(&format!(
                        " (but the larger value(s) {} fail: not monotone, check the curve)",
                        broken.join(", ")
                    ));
                }
                s
            }
            None => format!(
                "{p}: {} fails even at {}={} (the top of the range): no answer in range",
                targets_text.join(" and "),
                param.path,
                values[values.len() - 1]
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_lists_and_ranges() {
        let p = Param::parse("--set", "NodePool/gpu:spec.count=2..8:2").unwrap();
        assert_eq!(p.values, ["2", "4", "6", "8"]);
        let p = Param::parse("--set", "Arrivals/a:spec.poisson.meanInterval=3m, 2m,1m").unwrap();
        assert_eq!(p.values, ["3m", "2m", "1m"]);
        for bad in [
            "NodePool/gpu:spec.count",
            "NodePool/gpu:spec.count=8..2",
            "x=1",
            "NodePool/gpu:spec.count=1,,2",
        ] {
            assert!(Param::parse("--set", bad).is_err(), "{bad}");
        }
        assert!(Param::parse("--set", "NodePool/gpu:spec.count=1..100000").is_err());
    }

    #[test]
    fn grids_vary_the_first_parameter_slowest() {
        let a = Param::parse("--set", "NodePool/a:spec.count=1,2").unwrap();
        let b = Param::parse("--set", "Queue/q:spec.weight=5,6,7").unwrap();
        let g = grid(&[a, b]).unwrap();
        assert_eq!(g.len(), 6);
        assert_eq!(g[0].label(), "NodePool/a:spec.count=1; Queue/q:spec.weight=5");
        assert_eq!(g[3].label(), "NodePool/a:spec.count=2; Queue/q:spec.weight=5");
    }
}
