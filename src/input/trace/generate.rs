//! Synthetic traces: arrivals (Poisson, or diurnal by thinning a Poisson process with a
//! sinusoidal rate by hour of day), job sizes and durations drawn jointly either by resampling
//! whole jobs of a source trace (which keeps the correlation of size and duration) or from
//! lognormal fits per job shape, queues assigned by weight, and a rate given directly or solved
//! from a target offered load on a cluster.
//!
//! Why: real traces are one sample of one cluster; experiments need more load, longer runs, or
//! the same workload at several loads. Deterministic per seed: every random choice comes from a
//! named [`crate::engine::rng_stream`] (arrivals, sizes, queues), so changing the size model
//! does not change the arrival times, and nothing depends on hash order.

use std::collections::BTreeMap;

use rand::RngExt;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, Exp, LogNormal};

use super::TraceJob;
use crate::engine::{rng_stream, stable_hash};
use crate::error::InputError;

/// How arrivals are spread in time.
#[derive(Clone, Debug, PartialEq)]
pub enum Arrivals {
    /// A homogeneous Poisson process.
    Poisson,
    /// Rate(t) = mean x (1 + amplitude x cos(2 pi (hour(t) - peak_hour) / 24)): busiest at
    /// `peak_hour`, the mean over a day is the given rate. `amplitude` in [0, 1].
    Diurnal { amplitude: f64, peak_hour: f64 },
}

/// The arrival rate.
#[derive(Clone, Debug, PartialEq)]
pub enum Rate {
    /// Mean jobs per hour.
    JobsPerHour(f64),
    /// Solve for the rate that gives this offered load (GPU-seconds demanded per GPU-second of
    /// the cluster) on a cluster of `cluster_gpu_milli` GPUs.
    OfferedLoad { load: f64, cluster_gpu_milli: i64 },
}

/// One job shape of a lognormal size model.
#[derive(Clone, Debug, PartialEq)]
pub struct ShapeBucket {
    /// Relative frequency of the shape.
    pub weight: f64,
    pub pods: u32,
    pub gang: u32,
    pub cpu_milli: i64,
    pub memory_bytes: i64,
    pub gpu_milli: i64,
    /// Median duration, ms.
    pub median_ms: f64,
    /// Standard deviation of ln(duration).
    pub sigma: f64,
}

/// Where sizes and durations come from.
#[derive(Clone, Debug, PartialEq)]
pub enum SizeModel {
    /// Resample whole jobs of this trace (with replacement).
    Empirical(Vec<TraceJob>),
    /// Pick a shape by weight, then a lognormal duration.
    LogNormal(Vec<ShapeBucket>),
}

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct GenSpec {
    /// Number of jobs.
    pub jobs: u64,
    pub arrivals: Arrivals,
    pub rate: Rate,
    pub sizes: SizeModel,
    /// Queue name -> weight; each job gets one queue with probability proportional to its
    /// weight. Empty: no queue.
    pub queues: BTreeMap<String, f64>,
    /// Namespace of every job.
    pub namespace: String,
    /// Job ids are `<id_prefix><n>`, n from 1, zero-padded to 7 digits.
    pub id_prefix: String,
}

impl Default for GenSpec {
    fn default() -> Self {
        GenSpec {
            jobs: 1000,
            arrivals: Arrivals::Poisson,
            rate: Rate::JobsPerHour(60.0),
            sizes: SizeModel::LogNormal(vec![ShapeBucket {
                weight: 1.0,
                pods: 1,
                gang: 1,
                cpu_milli: 6000,
                memory_bytes: 47 << 30,
                gpu_milli: 1000,
                median_ms: 3_600_000.0,
                sigma: 1.0,
            }]),
            queues: BTreeMap::new(),
            namespace: "default".to_string(),
            id_prefix: "gen-".to_string(),
        }
    }
}

fn bad(field: &str, message: impl Into<String>, fix: &str) -> InputError {
    InputError::new(field, message, fix)
}

impl GenSpec {
    /// Expected GPU-milli-ms demanded per job under the size model.
    pub fn expected_gpu_milli_ms(&self) -> f64 {
        match &self.sizes {
            SizeModel::Empirical(jobs) => {
                if jobs.is_empty() {
                    return 0.0;
                }
                let sum: f64 = jobs
                    .iter()
                    .map(|j| j.total_gpu_milli() as f64 * j.duration_ms as f64)
                    .sum();
                sum / jobs.len() as f64
            }
            SizeModel::LogNormal(b) => {
                let w: f64 = b.iter().map(|s| s.weight).sum();
                if w <= 0.0 {
                    return 0.0;
                }
                b.iter()
                    .map(|s| {
                        s.weight
                            * s.gpu_milli as f64
                            * f64::from(s.pods)
                            * s.median_ms
                            * (s.sigma * s.sigma / 2.0).exp()
                    })
                    .sum::<f64>()
                    / w
            }
        }
    }

    /// The mean arrival rate in jobs per ms.
    pub fn rate_per_ms(&self) -> Result<f64, InputError> {
        match self.rate {
            Rate::JobsPerHour(r) if r.is_finite() && r > 0.0 => Ok(r / 3_600_000.0),
            Rate::JobsPerHour(r) => Err(bad("rate", format!("jobs per hour {r}"), "give a positive rate")),
            Rate::OfferedLoad {
                load,
                cluster_gpu_milli,
            } => {
                if !(load.is_finite() && load > 0.0) || cluster_gpu_milli <= 0 {
                    return Err(bad(
                        "rate",
                        format!("offered load {load} on {cluster_gpu_milli} milli-GPUs"),
                        "give a positive load and a positive cluster GPU count",
                    ));
                }
                let per_job = self.expected_gpu_milli_ms();
                if per_job <= 0.0 {
                    return Err(bad(
                        "rate",
                        "the size model demands no GPU time, so no rate gives an offered load",
                        "use a size model with GPU jobs, or a rate in jobs per hour",
                    ));
                }
                // load = rate x E[GPU ms per job] / cluster GPUs.
                Ok(load * cluster_gpu_milli as f64 / per_job)
            }
        }
    }

    /// Checks the spec; [`generate`] yields nothing for an invalid one.
    pub fn validate(&self) -> Result<(), InputError> {
        if self.jobs > super::DEFAULT_MAX_JOBS {
            return Err(bad(
                "jobs",
                format!("{} jobs", self.jobs),
                "generate at most 50000000 jobs",
            ));
        }
        if let Arrivals::Diurnal { amplitude, peak_hour } = self.arrivals
            && !((0.0..=1.0).contains(&amplitude) && peak_hour.is_finite())
        {
            return Err(bad(
                "arrivals",
                format!("diurnal amplitude {amplitude}"),
                "amplitude is between 0 and 1",
            ));
        }
        match &self.sizes {
            SizeModel::Empirical(j) if j.is_empty() => {
                return Err(bad("sizes", "the source trace is empty", "resample a trace with jobs"));
            }
            SizeModel::LogNormal(b) => {
                if b.is_empty() || b.iter().map(|s| s.weight).sum::<f64>() <= 0.0 {
                    return Err(bad(
                        "sizes",
                        "no shape with a positive weight",
                        "give at least one shape",
                    ));
                }
                if let Some(s) = b.iter().find(|s| {
                    !(s.weight >= 0.0 && s.median_ms > 0.0 && s.sigma >= 0.0 && s.sigma.is_finite() && s.pods >= 1)
                        || s.gang < 1
                        || s.gang > s.pods
                }) {
                    return Err(bad(
                        "sizes",
                        format!("invalid shape {s:?}"),
                        "weights >= 0, median > 0, sigma >= 0, 1 <= gang <= pods",
                    ));
                }
            }
            SizeModel::Empirical(_) => {}
        }
        if self.queues.values().any(|w| !(w.is_finite() && *w >= 0.0))
            || (!self.queues.is_empty() && self.queues.values().sum::<f64>() <= 0.0)
        {
            return Err(bad(
                "queues",
                "queue weights must be >= 0 with a positive sum",
                "give each queue a weight such as 1",
            ));
        }
        self.rate_per_ms().map(|_| ())
    }
}

/// Picks an index by cumulative weights.
fn pick(cum: &[f64], u: f64) -> usize {
    let total = cum.last().copied().unwrap_or(0.0);
    let x = u * total;
    cum.partition_point(|c| *c <= x).min(cum.len().saturating_sub(1))
}

fn cumulative(w: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    w.map(|x| {
        acc += x;
        acc
    })
    .collect()
}

/// Generates a trace, calling `sink` once per job in submit order (constant memory).
pub fn generate_each(
    spec: &GenSpec,
    seed: u64,
    sink: &mut dyn FnMut(TraceJob) -> Result<(), InputError>,
) -> Result<(), InputError> {
    spec.validate()?;
    let rate = spec.rate_per_ms()?;
    let mut arr: Xoshiro256PlusPlus = rng_stream(seed, stable_hash("trace.generate.arrivals"));
    let mut size: Xoshiro256PlusPlus = rng_stream(seed, stable_hash("trace.generate.sizes"));
    let mut qrng: Xoshiro256PlusPlus = rng_stream(seed, stable_hash("trace.generate.queues"));
    let (amplitude, peak_hour) = match spec.arrivals {
        Arrivals::Poisson => (0.0, 0.0),
        Arrivals::Diurnal { amplitude, peak_hour } => (amplitude, peak_hour),
    };
    let max_rate = rate * (1.0 + amplitude);
    let gap = Exp::new(max_rate).map_err(|e| bad("rate", format!("{e}"), "give a positive rate"))?;
    let queue_names: Vec<&String> = spec.queues.keys().collect();
    let queue_cum = cumulative(spec.queues.values().copied());
    let (shape_cum, lognormals) = match &spec.sizes {
        SizeModel::LogNormal(b) => {
            let ln: Result<Vec<LogNormal<f64>>, _> =
                b.iter().map(|s| LogNormal::new(s.median_ms.ln(), s.sigma)).collect();
            let ln = ln.map_err(|e| bad("sizes", format!("{e}"), "median > 0 and sigma >= 0"))?;
            (cumulative(b.iter().map(|s| s.weight)), ln)
        }
        SizeModel::Empirical(_) => (Vec::new(), Vec::new()),
    };
    let mut t = 0.0f64;
    let mut first: Option<f64> = None;
    for n in 1..=spec.jobs {
        // Thinning: candidates at the peak rate, kept with probability rate(t) / peak rate.
        loop {
            t += gap.sample(&mut arr);
            if amplitude == 0.0 {
                break;
            }
            let hour = (t / 3_600_000.0).rem_euclid(24.0);
            let r = 1.0 + amplitude * (std::f64::consts::TAU * (hour - peak_hour) / 24.0).cos();
            if arr.random::<f64>() * (1.0 + amplitude) < r {
                break;
            }
        }
        let t0 = *first.get_or_insert(t);
        let mut job = match &spec.sizes {
            SizeModel::Empirical(src) => {
                let s = &src[size.random_range(0..src.len())];
                TraceJob {
                    recorded_wait_ms: None,
                    gpu_models: String::new(),
                    patience_ms: None,
                    requested_ms: None,
                    ..s.clone()
                }
            }
            SizeModel::LogNormal(b) => {
                let k = pick(&shape_cum, size.random::<f64>());
                let s = &b[k];
                let d: f64 = lognormals[k].sample(&mut size);
                TraceJob {
                    gang: s.gang,
                    duration_ms: d.round().clamp(1.0, 1e15) as u64,
                    ..TraceJob::of_pods(
                        String::new(),
                        String::new(),
                        s.pods,
                        [s.cpu_milli, s.memory_bytes, s.gpu_milli],
                    )
                }
            }
        };
        job.id = format!("{}{n:07}", spec.id_prefix);
        job.submit_ms = (t - t0).round() as u64;
        job.namespace.clone_from(&spec.namespace);
        job.queue = if queue_names.is_empty() {
            String::new()
        } else {
            queue_names[pick(&queue_cum, qrng.random::<f64>())].clone()
        };
        sink(job)?;
    }
    Ok(())
}

/// Generates a trace in memory: `spec.jobs` jobs sorted by submit time, the first at 0.
/// Deterministic per seed. An invalid spec (see [`GenSpec::validate`]) gives no jobs.
pub fn generate(spec: &GenSpec, seed: u64) -> Vec<TraceJob> {
    // Room for at most a million jobs up front: a larger request grows as jobs come, so a bad
    // `jobs` cannot reserve gigabytes before the spec is even checked.
    let mut out = Vec::with_capacity(usize::try_from(spec.jobs.min(1 << 20)).unwrap_or(0));
    let ok = generate_each(spec, seed, &mut |j| {
        out.push(j);
        Ok(())
    });
    if ok.is_err() {
        out.clear();
    }
    out
}

/// Fits the lognormal size model to a trace: one shape per distinct (pods, gang, GPUs, CPU,
/// memory) with its share of jobs, the median duration and the standard deviation of
/// ln(duration) (durations below 1 ms count as 1 ms).
pub fn fit_lognormal(jobs: &[TraceJob]) -> Vec<ShapeBucket> {
    let mut groups: BTreeMap<(u32, u32, i64, i64, i64), Vec<u64>> = BTreeMap::new();
    for j in jobs {
        groups
            .entry((j.pods, j.gang, j.gpu_milli, j.cpu_milli, j.memory_bytes))
            .or_default()
            .push(j.duration_ms.max(1));
    }
    groups
        .into_iter()
        .map(|((pods, gang, gpu_milli, cpu_milli, memory_bytes), mut d)| {
            d.sort_unstable();
            let n = d.len();
            let median = if n % 2 == 1 {
                d[n / 2] as f64
            } else {
                (d[n / 2 - 1] as f64 + d[n / 2] as f64) / 2.0
            };
            let logs: Vec<f64> = d.iter().map(|x| (*x as f64).ln()).collect();
            let mean = logs.iter().sum::<f64>() / n as f64;
            let var = if n > 1 {
                logs.iter().map(|l| (l - mean) * (l - mean)).sum::<f64>() / (n - 1) as f64
            } else {
                0.0
            };
            ShapeBucket {
                weight: n as f64,
                pods,
                gang,
                cpu_milli,
                memory_bytes,
                gpu_milli,
                median_ms: median,
                sigma: var.sqrt(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::native::write_native;
    use super::super::stats::stats;
    use super::super::testutil::excerpt;
    use super::super::{Options, openb, read_all};
    use super::*;

    fn spec() -> GenSpec {
        let mut queues = BTreeMap::new();
        queues.insert("a".to_string(), 3.0);
        queues.insert("b".to_string(), 1.0);
        GenSpec {
            jobs: 2000,
            queues,
            sizes: SizeModel::LogNormal(vec![
                ShapeBucket {
                    weight: 3.0,
                    pods: 1,
                    gang: 1,
                    cpu_milli: 6000,
                    memory_bytes: 47 << 30,
                    gpu_milli: 1000,
                    median_ms: 600_000.0,
                    sigma: 1.0,
                },
                ShapeBucket {
                    weight: 1.0,
                    pods: 4,
                    gang: 4,
                    cpu_milli: 48_000,
                    memory_bytes: 376 << 30,
                    gpu_milli: 8000,
                    median_ms: 3_600_000.0,
                    sigma: 0.5,
                },
            ]),
            ..GenSpec::default()
        }
    }

    fn bytes(jobs: &[TraceJob]) -> Vec<u8> {
        let mut out = Vec::new();
        write_native(&mut out, jobs.iter()).unwrap();
        out
    }

    #[test]
    fn reproducible_per_seed() {
        let s = spec();
        let a = generate(&s, 7);
        assert_eq!(a.len(), 2000);
        assert_eq!(bytes(&a), bytes(&generate(&s, 7)));
        assert_ne!(bytes(&a), bytes(&generate(&s, 8)));
        assert_eq!(a[0].submit_ms, 0);
        assert!(a.windows(2).all(|w| w[0].submit_ms <= w[1].submit_ms));
        // Queue shares 3:1.
        let qa = a.iter().filter(|j| j.queue == "a").count() as f64 / a.len() as f64;
        assert!((qa - 0.75).abs() < 0.04, "{qa}");
        // Shape shares 3:1 and gangs.
        let gangs = a.iter().filter(|j| j.gang == 4).count() as f64 / a.len() as f64;
        assert!((gangs - 0.25).abs() < 0.04, "{gangs}");
        assert_eq!(a[0].id, "gen-0000001");
    }

    #[test]
    fn offered_load_scaling_within_two_percent() {
        let mut s = spec();
        s.jobs = 200_000;
        s.rate = Rate::OfferedLoad {
            load: 0.8,
            cluster_gpu_milli: 512_000,
        };
        let jobs = generate(&s, 1);
        let load = stats(&jobs, Some(512_000)).offered_load.unwrap();
        assert!((load - 0.8).abs() / 0.8 < 0.02, "offered load {load}");
        // Diurnal arrivals keep the daily mean rate.
        s.arrivals = Arrivals::Diurnal {
            amplitude: 0.8,
            peak_hour: 14.0,
        };
        let jobs = generate(&s, 2);
        let st = stats(&jobs, Some(512_000));
        let load = st.offered_load.unwrap();
        assert!((load - 0.8).abs() / 0.8 < 0.02, "diurnal offered load {load}");
        let h = st.arrivals_by_hour;
        assert!(h[14] > 3 * h[2], "peak at 14h: {h:?}");
    }

    #[test]
    fn empirical_resampling_keeps_jobs_whole() {
        let (src, _) = read_all(
            &openb::Openb,
            &excerpt("openb/openb_pod_list_default.excerpt.csv"),
            &Options::default(),
        )
        .unwrap();
        let s = GenSpec {
            jobs: 500,
            sizes: SizeModel::Empirical(src.clone()),
            rate: Rate::OfferedLoad {
                load: 0.5,
                cluster_gpu_milli: 6_212_000,
            },
            ..GenSpec::default()
        };
        let g = generate(&s, 3);
        assert_eq!(g.len(), 500);
        for j in &g {
            assert!(src.iter().any(|o| (o.gpu_milli, o.cpu_milli, o.duration_ms, o.outcome)
                == (j.gpu_milli, j.cpu_milli, j.duration_ms, j.outcome)));
        }
        let fit = fit_lognormal(&src);
        assert!((fit.iter().map(|b| b.weight).sum::<f64>() - src.len() as f64).abs() < 1e-9);
        let g2 = generate(
            &GenSpec {
                sizes: SizeModel::LogNormal(fit),
                ..s
            },
            3,
        );
        assert_eq!(g2.len(), 500);
    }

    #[test]
    fn invalid_specs() {
        let mut s = spec();
        s.rate = Rate::JobsPerHour(0.0);
        assert!(s.validate().is_err());
        assert!(generate(&s, 1).is_empty());
        let mut s = spec();
        s.sizes = SizeModel::LogNormal(vec![]);
        assert_eq!(s.validate().unwrap_err().field, "sizes");
        let mut s = spec();
        s.queues.insert("c".into(), -1.0);
        assert_eq!(s.validate().unwrap_err().field, "queues");
        let mut s = spec();
        s.sizes = SizeModel::LogNormal(vec![ShapeBucket {
            gpu_milli: 0,
            ..GenSpec::default().sizes_first()
        }]);
        s.rate = Rate::OfferedLoad {
            load: 1.0,
            cluster_gpu_milli: 8000,
        };
        assert!(s.validate().unwrap_err().message.contains("no GPU time"));
    }

    impl GenSpec {
        fn sizes_first(&self) -> ShapeBucket {
            match &self.sizes {
                SizeModel::LogNormal(b) => b[0].clone(),
                SizeModel::Empirical(_) => unreachable!(),
            }
        }
    }
}
