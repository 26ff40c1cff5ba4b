//! Trace statistics: what a trace demands (GPU-hours, offered load), its shapes (GPUs per job,
//! gang sizes), when jobs arrive (hour of day, weekday) and how long they run and wait. Used to
//! sanity-check an import against the published numbers and to compare a generated trace with
//! its source.
//!
//! Conventions: percentiles are nearest-rank ([`crate::observe::stats::percentile`]); the trace span
//! is first to last submit; arrivals by hour and weekday are in UTC from `start_unix_s` (the
//! Unix time of submit 0) or, when it is unknown, as if the trace began on a Monday at 00:00.

use std::collections::BTreeMap;
use std::fmt;

use super::TraceJob;
use super::time::weekday;
use crate::observe::stats::percentile;

/// GPU-demand buckets: GPUs per job (all pods together; a fractional total rounds up).
pub const GPU_BUCKETS: [&str; 10] = ["0", "<1", "1", "2", "3-4", "5-8", "9-16", "17-32", "33-64", ">64"];

/// Nearest-rank percentiles of a set of times, ms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Percentiles {
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub max: u64,
}

impl Percentiles {
    fn of(mut v: Vec<u64>) -> Option<Percentiles> {
        v.sort_unstable();
        Some(Percentiles {
            p50: percentile(&v, 50.0)?,
            p90: percentile(&v, 90.0)?,
            p99: percentile(&v, 99.0)?,
            max: *v.last()?,
        })
    }
}

/// Summary statistics of a trace.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceStats {
    pub jobs: u64,
    /// Jobs with at least one GPU.
    pub gpu_jobs: u64,
    /// GPU-hours demanded: sum of GPUs x duration.
    pub gpu_hours: f64,
    /// Last submit - first submit, ms.
    pub span_ms: u64,
    /// Jobs per [`GPU_BUCKETS`] bucket, in that order.
    pub gpu_demand: [u64; 10],
    /// Jobs by gang size (1 = no gang), ascending.
    pub gang_sizes: Vec<(u32, u64)>,
    /// Arrivals by hour of day (UTC), 0..24.
    pub arrivals_by_hour: [u64; 24],
    /// Arrivals by weekday, Monday first.
    pub arrivals_by_weekday: [u64; 7],
    pub duration: Option<Percentiles>,
    /// Percentiles of the recorded waits, over the jobs that have one.
    pub wait: Option<Percentiles>,
    pub jobs_with_wait: u64,
    /// GPU-seconds demanded / (cluster GPUs x span), when a cluster size is given and span > 0.
    pub offered_load: Option<f64>,
    /// The Unix time of submit 0 used for the calendar tables, if known.
    pub start_unix_s: Option<i64>,
}

/// The bucket index of a job's total GPUs.
pub fn gpu_bucket(total_gpu_milli: i64) -> usize {
    if total_gpu_milli <= 0 {
        return 0;
    }
    if total_gpu_milli < 1000 {
        return 1;
    }
    match (total_gpu_milli + 999) / 1000 {
        1 => 2,
        2 => 3,
        3..=4 => 4,
        5..=8 => 5,
        9..=16 => 6,
        17..=32 => 7,
        33..=64 => 8,
        _ => 9,
    }
}

/// Statistics of `jobs`, as if the trace began on a Monday at 00:00 UTC.
pub fn stats(jobs: &[TraceJob], cluster_gpu_milli: Option<i64>) -> TraceStats {
    stats_at(jobs, cluster_gpu_milli, None)
}

/// Statistics of `jobs`; `start_unix_s` is the Unix time of submit 0 (for the hour-of-day and
/// weekday tables), `None` for a Monday 00:00 start.
pub fn stats_at(jobs: &[TraceJob], cluster_gpu_milli: Option<i64>, start_unix_s: Option<i64>) -> TraceStats {
    let mut gpu_milli_ms: i128 = 0;
    let mut gpu_demand = [0u64; 10];
    let mut gangs: BTreeMap<u32, u64> = BTreeMap::new();
    let mut by_hour = [0u64; 24];
    let mut by_weekday = [0u64; 7];
    let mut durations = Vec::with_capacity(jobs.len());
    let mut waits = Vec::new();
    let (mut first, mut last) = (u64::MAX, 0u64);
    let mut gpu_jobs = 0;
    // Monday 00:00 UTC: 1970-01-05.
    let origin_s = start_unix_s.unwrap_or(4 * 86_400);
    for j in jobs {
        let g = j.total_gpu_milli();
        gpu_milli_ms += i128::from(g) * i128::from(j.duration_ms);
        gpu_demand[gpu_bucket(g)] += 1;
        if g > 0 {
            gpu_jobs += 1;
        }
        *gangs.entry(j.gang).or_default() += 1;
        let t = origin_s + i64::try_from(j.submit_ms / 1000).unwrap_or(i64::MAX / 2);
        by_hour[(t.rem_euclid(86_400) / 3600) as usize] += 1;
        by_weekday[weekday(t.div_euclid(86_400)) as usize] += 1;
        durations.push(j.duration_ms);
        if let Some(w) = j.recorded_wait_ms {
            waits.push(w);
        }
        first = first.min(j.submit_ms);
        last = last.max(j.submit_ms);
    }
    let span_ms = if jobs.is_empty() { 0 } else { last - first };
    let offered_load = match cluster_gpu_milli {
        Some(c) if c > 0 && span_ms > 0 => Some(gpu_milli_ms as f64 / (c as f64 * span_ms as f64)),
        _ => None,
    };
    TraceStats {
        jobs: jobs.len() as u64,
        gpu_jobs,
        gpu_hours: gpu_milli_ms as f64 / 1000.0 / 3_600_000.0,
        span_ms,
        gpu_demand,
        gang_sizes: gangs.into_iter().collect(),
        arrivals_by_hour: by_hour,
        arrivals_by_weekday: by_weekday,
        duration: Percentiles::of(durations),
        jobs_with_wait: waits.len() as u64,
        wait: Percentiles::of(waits),
        offered_load,
        start_unix_s,
    }
}

fn secs(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

impl fmt::Display for TraceStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "jobs                 {}", self.jobs)?;
        writeln!(f, "GPU jobs             {}", self.gpu_jobs)?;
        writeln!(f, "GPU-hours            {:.1}", self.gpu_hours)?;
        writeln!(f, "span (s)             {}", secs(self.span_ms))?;
        match self.offered_load {
            Some(l) => writeln!(f, "offered load         {l:.3}")?,
            None => writeln!(f, "offered load         - (no cluster size given)")?,
        }
        writeln!(f)?;
        writeln!(f, "{:<22}{:>14}{:>14}", "time (s)", "duration", "wait")?;
        let pct =
            |p: Option<Percentiles>, k: usize| p.map_or("-".to_string(), |p| secs([p.p50, p.p90, p.p99, p.max][k]));
        for (k, name) in ["p50", "p90", "p99", "max"].iter().enumerate() {
            writeln!(f, "{:<22}{:>14}{:>14}", name, pct(self.duration, k), pct(self.wait, k))?;
        }
        writeln!(f, "{:<22}{:>14}{:>14}", "jobs", self.jobs, self.jobs_with_wait)?;
        writeln!(f)?;
        writeln!(f, "{:<22}{:>10}{:>9}", "GPUs per job", "jobs", "share")?;
        let share = |n: u64| {
            if self.jobs == 0 {
                0.0
            } else {
                100.0 * n as f64 / self.jobs as f64
            }
        };
        for (name, n) in GPU_BUCKETS.iter().zip(self.gpu_demand) {
            writeln!(f, "{:<22}{:>10}{:>8.1}%", name, n, share(n))?;
        }
        writeln!(f)?;
        writeln!(f, "{:<22}{:>10}{:>9}", "gang size", "jobs", "share")?;
        for (g, n) in &self.gang_sizes {
            let label = if *g == 1 {
                "1 (no gang)".to_string()
            } else {
                g.to_string()
            };
            writeln!(f, "{:<22}{:>10}{:>8.1}%", label, n, share(*n))?;
        }
        writeln!(f)?;
        let origin = match self.start_unix_s {
            Some(s) => format!("UTC, trace start at Unix time {s}"),
            None => "trace assumed to start Monday 00:00".to_string(),
        };
        writeln!(f, "arrivals by hour of day ({origin})")?;
        for row in 0..4 {
            let cells: Vec<String> = (0..6)
                .map(|c| row * 6 + c)
                .map(|h| format!("{h:02}h {:>8}", self.arrivals_by_hour[h]))
                .collect();
            writeln!(f, "  {}", cells.join("  "))?;
        }
        writeln!(f, "arrivals by weekday")?;
        for (d, n) in ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
            .iter()
            .zip(self.arrivals_by_weekday)
        {
            writeln!(f, "  {d} {n:>10}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::Outcome;
    use super::*;

    fn job(submit_s: u64, pods: u32, gpu_milli: i64, gang: u32, duration_s: u64, wait_s: Option<u64>) -> TraceJob {
        TraceJob {
            id: format!("j{submit_s}"),
            submit_ms: submit_s * 1000,
            namespace: "default".into(),
            queue: String::new(),
            priority_class: String::new(),
            pods,
            cpu_milli: 1000,
            memory_bytes: 1 << 30,
            gpu_milli,
            gang,
            duration_ms: duration_s * 1000,
            outcome: Outcome::Succeeded,
            exit_code: 0,
            recorded_wait_ms: wait_s.map(|w| w * 1000),
            gpu_models: String::new(),
            patience_ms: None,
            requested_ms: None,
        }
    }

    #[test]
    fn five_job_trace_by_hand() {
        let jobs = vec![
            job(0, 1, 0, 1, 100, Some(0)),                    // CPU job, Monday 00:00
            job(3_600, 1, 500, 1, 7_200, None),               // half a GPU for 2 h = 1 GPU-h, Mon 01h
            job(7_200, 1, 1000, 1, 3_600, Some(10)),          // 1 GPU-h, Mon 02h
            job(86_400 + 1_800, 2, 8000, 2, 1_800, Some(30)), // 16 GPUs x 0.5 h = 8 GPU-h, Tue 00h
            job(7 * 86_400, 4, 1000, 4, 36_000, Some(20)),    // 4 GPUs x 10 h = 40 GPU-h, next Mon 00h
        ];
        let s = stats(&jobs, Some(8000));
        assert_eq!(s.jobs, 5);
        assert_eq!(s.gpu_jobs, 4);
        assert!((s.gpu_hours - 50.0).abs() < 1e-9, "{}", s.gpu_hours);
        assert_eq!(s.span_ms, 604_800_000);
        // buckets: 0 | <1 | 1 | 2 | 3-4 | 5-8 | 9-16 ...
        assert_eq!(s.gpu_demand, [1, 1, 1, 0, 1, 0, 1, 0, 0, 0]);
        assert_eq!(s.gang_sizes, vec![(1, 3), (2, 1), (4, 1)]);
        let mut hours = [0u64; 24];
        hours[0] = 3;
        hours[1] = 1;
        hours[2] = 1;
        assert_eq!(s.arrivals_by_hour, hours);
        assert_eq!(s.arrivals_by_weekday, [4, 1, 0, 0, 0, 0, 0]);
        // durations sorted: 100, 1800, 3600, 7200, 36000: p50 = 3rd, p90 = p99 = max = 5th.
        let d = s.duration.unwrap();
        assert_eq!(
            (d.p50, d.p90, d.p99, d.max),
            (3_600_000, 36_000_000, 36_000_000, 36_000_000)
        );
        // waits 0, 10, 20, 30: p50 = 2nd = 10, p90 = 4th.
        let w = s.wait.unwrap();
        assert_eq!((w.p50, w.p90, w.max), (10_000, 30_000, 30_000));
        assert_eq!(s.jobs_with_wait, 4);
        // 50 GPU-h over 8 GPUs x 168 h.
        assert!((s.offered_load.unwrap() - 50.0 / (8.0 * 168.0)).abs() < 1e-12);
        // With a real start: 2017-10-01 was a Sunday; start at 23:00 UTC. Sunday: jobs 1 and 5;
        // hour 23: jobs 1, 4 (Monday 23:30) and 5.
        let sunday_23h = 17_440 * 86_400 + 23 * 3600;
        let s2 = stats_at(&jobs, None, Some(sunday_23h));
        assert_eq!(s2.arrivals_by_weekday, [3, 0, 0, 0, 0, 0, 2]);
        assert_eq!(s2.arrivals_by_hour[23], 3);
        assert_eq!(s2.offered_load, None);
        let text = s.to_string();
        assert!(text.contains("GPU-hours            50.0"), "{text}");
        assert!(text.contains("offered load         0.037"), "{text}");
        assert!(text.contains("1 (no gang)"), "{text}");
    }

    #[test]
    fn empty_trace() {
        let s = stats(&[], Some(1000));
        assert_eq!((s.jobs, s.span_ms, s.duration, s.offered_load), (0, 0, None, None));
        assert!(s.to_string().contains("jobs                 0"));
    }
}
