//! The `kubesim trace` commands: `import` (any supported format to the native format),
//! `stats` (what a trace demands), `generate` (a synthetic trace from a fitted or empirical
//! model of a real one, scaled to a number of jobs or an offered load). Output files are written
//! under a temporary name and renamed when complete.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::{TraceCommand, TraceOpts};
use crate::error::InputError;
use crate::experiment::outdir::{check_single, temp_path};
use crate::input::quantity::parse_quantity;
use crate::input::trace::generate::{Arrivals, GenSpec, Rate, SizeModel, fit_lognormal, generate_each};
use crate::input::trace::native::NativeWriter;
use crate::input::trace::sort::{RUN_JOBS, for_each_sorted};
use crate::input::trace::stats::stats;
use crate::input::trace::{ImportReport, Options, importer, read_sorted};

/// Write a native trace to `out` atomically, the jobs produced by `fill` through `NativeWriter`.
fn write_atomically(
    out: &Path,
    fill: &mut dyn FnMut(&mut NativeWriter) -> Result<u64, InputError>,
) -> Result<u64, InputError> {
    let io_err = |e: std::io::Error, p: &Path| {
        InputError::new(
            "-o",
            format!("cannot write {}: {e}", p.display()),
            "choose a writable output path",
        )
    };
    let dir = out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| io_err(e, dir))?;
    let name = out
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = temp_path(dir, &name);
    let result = (|| {
        let file = fs::File::create(&tmp).map_err(|e| io_err(e, &tmp))?;
        let mut w = BufWriter::new(file);
        let n = {
            let mut nw = NativeWriter::new(&mut w).map_err(|e| io_err(e, &tmp))?;
            fill(&mut nw)?
        };
        w.flush().map_err(|e| io_err(e, &tmp))?;
        w.get_ref().sync_all().map_err(|e| io_err(e, &tmp))?;
        Ok(n)
    })();
    match result {
        Ok(n) => {
            fs::rename(&tmp, out).map_err(|e| io_err(e, out))?;
            Ok(n)
        }
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn report_text(report: &ImportReport) -> String {
    let mut s = format!("read {} rows: {} jobs", report.rows_read, report.jobs);
    if !report.skipped.is_empty() {
        let parts: Vec<String> = report.skipped.iter().map(|(why, n)| format!("{n} {why}")).collect();
        s.push_str(&format!("; skipped {}", parts.join(", ")));
        for f in &report.first_skips {
            s.push_str(&format!("\n  skipped: {f}"));
        }
    }
    for (why, n) in &report.flagged {
        s.push_str(&format!("\n  kept {n} {why}"));
    }
    s
}

/// What a command prints: its text (stdout) and the import's summary of skips (stderr).
type Printed = (String, Option<String>);

/// `kubesim trace import`: a trace to the native format (stdout summary; the file at `out`,
/// by default the input's name with extension `.kubesim.csv` in the current folder). Jobs are
/// sorted through temporary files beside the output ([`for_each_sorted`]), so memory does
/// not grow with the trace.
pub fn import(
    format: &str,
    input: &Path,
    out: Option<PathBuf>,
    overwrite: bool,
    opts: &Options,
) -> Result<Printed, InputError> {
    let format = importer(format)?;
    let out = out.unwrap_or_else(|| {
        let stem = input.file_stem().map(|s| s.to_string_lossy().into_owned());
        PathBuf::from(format!("{}.kubesim.csv", stem.as_deref().unwrap_or("trace")))
    });
    check_single(&out, &[input], overwrite)?;
    let dir = out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let name = out
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut report = ImportReport::default();
    let n = write_atomically(&out, &mut |nw| {
        report = for_each_sorted(
            format,
            input,
            opts,
            RUN_JOBS,
            &|k| temp_path(&dir, &format!("{name}.run-{k}")),
            &mut |j| {
                nw.write(&j)
                    .map_err(|e| InputError::new("-o", format!("cannot write: {e}"), "choose a writable output path"))
            },
        )?;
        Ok(report.jobs)
    })?;
    let text = format!("{}\nwrote {n} jobs to {}\n", report_text(&report), out.display());
    Ok((text, report.summary()))
}

/// Total GPUs of a `--gpus` flag (`128`, `0.5`).
pub fn parse_gpus(s: &str) -> Result<i64, InputError> {
    parse_quantity("nvidia.com/gpu", s)
        .ok()
        .filter(|g| *g > 0)
        .ok_or_else(|| {
            InputError::new(
                "--gpus",
                format!("`{s}` is not a GPU count"),
                "write a positive number, e.g. --gpus 1024",
            )
        })
}

/// `kubesim trace stats`.
pub fn stats_cmd(format: &str, input: &Path, gpus: Option<&str>, opts: &Options) -> Result<Printed, InputError> {
    let format = importer(format)?;
    let cluster = gpus.map(parse_gpus).transpose()?;
    let (jobs, report) = read_sorted(format, input, opts)?;
    let text = format!("{}\n\n{}", report_text(&report), stats(&jobs, cluster));
    Ok((text, report.summary()))
}

/// Flags of `kubesim trace generate`.
pub struct GenerateArgs {
    pub from: Option<PathBuf>,
    pub format: String,
    /// `empirical` (resample whole jobs) or `lognormal` (fit per shape).
    pub model: String,
    pub jobs: u64,
    pub rate: Option<f64>,
    pub load: Option<f64>,
    pub gpus: Option<String>,
    /// `AMPLITUDE` or `AMPLITUDE@PEAK_HOUR`.
    pub diurnal: Option<String>,
    /// `name=weight`.
    pub queues: Vec<String>,
    pub namespace: String,
    pub seed: u64,
    pub out: PathBuf,
    /// Replace `out` if it exists.
    pub overwrite: bool,
}

/// `kubesim trace generate`.
pub fn generate_cmd(a: &GenerateArgs, opts: &Options) -> Result<String, InputError> {
    let inputs: Vec<&Path> = a.from.iter().map(PathBuf::as_path).collect();
    check_single(&a.out, &inputs, a.overwrite)?;
    let mut spec = GenSpec {
        jobs: a.jobs,
        namespace: a.namespace.clone(),
        ..GenSpec::default()
    };
    if let Some(from) = &a.from {
        spec.sizes = size_model(from, &a.format, &a.model, opts)?;
    }
    spec.rate = rate(a)?;
    if let Some(d) = &a.diurnal {
        spec.arrivals = diurnal(d)?;
    }
    for q in &a.queues {
        let (name, w) = q
            .split_once('=')
            .and_then(|(n, w)| Some((n.to_string(), w.parse::<f64>().ok()?)))
            .ok_or_else(|| {
                InputError::new(
                    "--queue",
                    format!("`{q}` is not NAME=WEIGHT"),
                    "write e.g. --queue nlp=5 --queue cv=3",
                )
            })?;
        spec.queues.insert(name, w);
    }
    spec.validate()?;
    let n = write_atomically(&a.out, &mut |nw| {
        let mut n = 0u64;
        generate_each(&spec, a.seed, &mut |j| {
            n += 1;
            nw.write(&j)
                .map_err(|e| InputError::new("-o", e.to_string(), "report this as a bug"))
        })?;
        Ok(n)
    })?;
    Ok(format!("wrote {n} jobs to {}\n", a.out.display()))
}

/// The sizes and durations of `generate --from`: the trace `from` of format `format`, resampled
/// (`empirical`) or fitted (`lognormal`).
fn size_model(from: &Path, format: &str, model: &str, opts: &Options) -> Result<SizeModel, InputError> {
    let format = importer(format)?;
    let (jobs, _) = read_sorted(format, from, opts)?;
    if jobs.is_empty() {
        return Err(InputError::new(
            "--from",
            "the source trace has no jobs",
            "give a trace with jobs",
        ));
    }
    match model {
        "empirical" => Ok(SizeModel::Empirical(jobs)),
        "lognormal" => Ok(SizeModel::LogNormal(fit_lognormal(&jobs))),
        other => Err(InputError::new(
            "--model",
            format!("unknown model `{other}`"),
            "use --model empirical (resample whole jobs) or --model lognormal (fit durations per shape)",
        )),
    }
}

/// The arrival rate of `generate`: `--rate`, or `--load` on `--gpus`.
fn rate(a: &GenerateArgs) -> Result<Rate, InputError> {
    match (a.rate, a.load) {
        (Some(_), Some(_)) => Err(InputError::new(
            "--load",
            "both --rate and --load given",
            "give one: --rate JOBS_PER_HOUR, or --load FRACTION --gpus N",
        )),
        (Some(r), None) => Ok(Rate::JobsPerHour(r)),
        (None, Some(l)) => {
            let g = a.gpus.as_deref().ok_or_else(|| {
                InputError::new(
                    "--gpus",
                    "--load needs the cluster's GPUs",
                    "add --gpus N (e.g. --gpus 1024)",
                )
            })?;
            Ok(Rate::OfferedLoad {
                load: l,
                cluster_gpu_milli: parse_gpus(g)?,
            })
        }
        (None, None) => Err(InputError::new(
            "--rate",
            "no arrival rate",
            "give --rate JOBS_PER_HOUR, or --load FRACTION --gpus N to solve for the rate",
        )),
    }
}

/// `--diurnal AMPLITUDE[@PEAK_HOUR]` (peak at 14:00 by default).
fn diurnal(d: &str) -> Result<Arrivals, InputError> {
    let bad = || {
        InputError::new(
            "--diurnal",
            format!("`{d}` is not AMPLITUDE or AMPLITUDE@PEAK_HOUR"),
            "write e.g. --diurnal 0.6@14 (rate swings 60% around the mean, busiest at 14:00)",
        )
    };
    let (amp, peak) = match d.split_once('@') {
        Some((a, p)) => (
            a.parse::<f64>().map_err(|_| bad())?,
            p.parse::<f64>().map_err(|_| bad())?,
        ),
        None => (d.parse::<f64>().map_err(|_| bad())?, 14.0),
    };
    Ok(Arrivals::Diurnal {
        amplitude: amp,
        peak_hour: peak,
    })
}

impl TraceOpts {
    fn options(&self) -> Result<Options, InputError> {
        let q = |flag: &str, res: &str, v: &Option<String>| -> Result<Option<i64>, InputError> {
            v.as_deref()
                .map(|s| {
                    parse_quantity(res, s)
                        .map_err(|m| InputError::new(flag, m, "write a quantity such as 6, 500m or 47Gi"))
                })
                .transpose()
        };
        Ok(Options {
            cpu_per_gpu_milli: q("--cpu-per-gpu", "cpu", &self.cpu_per_gpu)?,
            memory_per_gpu_bytes: q("--memory-per-gpu", "memory", &self.memory_per_gpu)?,
            swf_cpus_per_node: self.cpus_per_node,
            pai_task_table: self.task_table.clone(),
            include_unscheduled: self.include_unscheduled,
            ..Options::default()
        })
    }
}

/// `trace import`, `trace stats` or `trace generate`.
pub(super) fn run(cmd: TraceCommand) -> Result<(), InputError> {
    let (text, summary) = match cmd {
        TraceCommand::Import {
            format,
            input,
            out,
            overwrite,
            opts,
        } => import(&format, &input, out, overwrite, &opts.options()?)?,
        TraceCommand::Stats {
            input,
            format,
            gpus,
            opts,
        } => stats_cmd(&format, &input, gpus.as_deref(), &opts.options()?)?,
        TraceCommand::Generate {
            from,
            format,
            model,
            jobs,
            rate,
            load,
            gpus,
            diurnal,
            queues,
            namespace,
            seed,
            out,
            overwrite,
            opts,
        } => generate_cmd(
            &GenerateArgs {
                from,
                format,
                model,
                jobs,
                rate,
                load,
                gpus,
                diurnal,
                queues,
                namespace,
                seed,
                out,
                overwrite,
            },
            &opts.options()?,
        )
        .map(|t| (t, None))?,
    };
    if !super::ui::ui().quiet {
        print!("{text}");
    }
    if let Some(s) = summary {
        eprintln!("{s}");
    }
    Ok(())
}
