//! The Arrivals object: copies of a Job, Pod, Volcano Job or Node template arriving `every`
//! interval, as a Poisson process, or `at` listed times, with optional duration and failure
//! distributions.

use super::super::k8s::{self, opt};
use super::super::kueue;
use super::super::view::{Error, F, Obj, Res, err_at};
use super::{KUBESIM_OBJECT_FIELDS, MAX_ARRIVALS, MAX_LIST_ENTRIES, MAX_NODES, check_template_kind};
use crate::input::spec::{
    ArrivalPattern, ArrivalTemplate, ArrivalsSpec, DurationDist, FailureDist, KubeflowFramework, SourceLoc,
};

/// An Arrivals object and the error to report if its Node copies exceed the node limit.
pub(crate) struct Arrivals {
    pub spec: ArrivalsSpec,
    pub count_err: Error,
}

pub(crate) fn arrivals(doc: &Obj, name: &str, loc: &SourceLoc) -> Res<Arrivals> {
    doc.deny_unknown(KUBESIM_OBJECT_FIELDS, "an Arrivals object")?;
    let spec = doc
        .req("spec", "add spec: {count, template, and one of every, poisson, at}")?
        .obj()?;
    spec.deny_unknown(
        &[
            "template", "count", "start", "every", "poisson", "at", "duration", "failure",
        ],
        "an Arrivals spec",
    )?;
    let template = arrival_template(&spec, name, loc)?;
    let (pattern_f, pattern) = arrival_pattern(&spec)?;
    let count = arrivals_total(&spec, &pattern)?;
    let count_err = match spec.get("count") {
        Some(c) => c.err(
            format!("the scenario has more than {MAX_NODES} nodes"),
            format!("keep the total number of nodes at most {MAX_NODES}"),
        ),
        None => pattern_f.err(
            format!("the scenario has more than {MAX_NODES} nodes"),
            format!("keep the total number of nodes at most {MAX_NODES}"),
        ),
    };
    let start_ms = opt(spec.get("start"), |f| f.duration_ms())?.unwrap_or(0);
    let duration = opt(spec.get("duration"), duration_dist)?;
    let failure = opt(spec.get("failure"), failure_dist)?;
    Ok(Arrivals {
        spec: ArrivalsSpec {
            name: name.to_string(),
            template,
            count,
            start_ms,
            pattern,
            duration,
            failure,
            loc: loc.clone(),
        },
        count_err,
    })
}

/// The `template`: a Job, Pod, Volcano Job, JobSet or Kueue Workload (a workload) or a Node,
/// named after the Arrivals object `name` if it has no name.
fn arrival_template(spec: &Obj, name: &str, loc: &SourceLoc) -> Res<ArrivalTemplate> {
    let t = spec.req(
        "template",
        "add template: a batch/v1 Job, v1 Pod, batch.volcano.sh/v1alpha1 Job, jobset.x-k8s.io/v1alpha2 \
         JobSet, kueue.x-k8s.io Workload or v1 Node object",
    )?;
    let t_obj = t.obj()?;
    let idx = check_template_kind(
        &t_obj,
        &[
            ("batch/v1", "Job"),
            ("v1", "Pod"),
            ("batch.volcano.sh/v1alpha1", "Job"),
            ("jobset.x-k8s.io/v1alpha2", "JobSet"),
            ("kubeflow.org/v1", "PyTorchJob"),
            ("kubeflow.org/v1", "TFJob"),
            ("kubeflow.org/v1", "JAXJob"),
            ("kubeflow.org/v1", "PaddleJob"),
            ("kubeflow.org/v1", "XGBoostJob"),
            ("kubeflow.org/v2beta1", "MPIJob"),
            ("v1", "Node"),
            ("kueue.x-k8s.io/v1beta1", "Workload"),
            ("kueue.x-k8s.io/v1beta2", "Workload"),
        ],
    )?;
    let workload_doc = [
        k8s::WorkloadDoc::Job,
        k8s::WorkloadDoc::Pod,
        k8s::WorkloadDoc::VolcanoJob,
        k8s::WorkloadDoc::JobSet,
        k8s::WorkloadDoc::Kubeflow(KubeflowFramework::PyTorch),
        k8s::WorkloadDoc::Kubeflow(KubeflowFramework::TensorFlow),
        k8s::WorkloadDoc::Kubeflow(KubeflowFramework::Jax),
        k8s::WorkloadDoc::Kubeflow(KubeflowFramework::Paddle),
        k8s::WorkloadDoc::Kubeflow(KubeflowFramework::XGBoost),
        k8s::WorkloadDoc::MPIJob,
    ];
    // After the workloads: the Node, then the Workloads of the two versions.
    let node = workload_doc.len();
    if idx > node {
        let version = if idx == node + 1 {
            kueue::Version::V1beta1
        } else {
            kueue::Version::V1beta2
        };
        let mut w = kueue::bare_workload(&t_obj, version, loc, false)?;
        if w.name.is_empty() {
            w.name = name.to_string();
        }
        return Ok(ArrivalTemplate::Workload(Box::new(w)));
    }
    Ok(if let Some(what) = workload_doc.get(idx) {
        let mut w = k8s::workload(&t_obj, *what, loc, false)?;
        if w.name.is_empty() {
            w.name = name.to_string();
        }
        ArrivalTemplate::Workload(Box::new(w))
    } else {
        let mut n = k8s::node(&t_obj, loc, false)?;
        if n.name.is_empty() {
            n.name = name.to_string();
        }
        ArrivalTemplate::Node(Box::new(n))
    })
}

/// The one arrival pattern (`every`, `poisson` or `at`), with its field.
fn arrival_pattern<'a>(spec: &Obj<'a>) -> Res<(F<'a>, ArrivalPattern)> {
    let patterns: Vec<F> = ["every", "poisson", "at"].iter().filter_map(|k| spec.get(k)).collect();
    let pattern_f = match patterns.as_slice() {
        [] => {
            return Err(err_at(
                spec.pos,
                &format!("{}.every", spec.path),
                "missing arrival pattern",
                "add one of every: <duration>, poisson: {meanInterval: <duration>} or \
                 at: [<durations>]",
            ));
        }
        [one] => one.clone(),
        [_, second, ..] => {
            return Err(err_at(
                second.key_pos,
                &second.path,
                "two arrival patterns; an Arrivals object has exactly one",
                "keep one of every, poisson and at",
            ));
        }
    };
    let key = pattern_f.path.rsplit('.').next().unwrap_or("");
    let pattern = match key {
        "every" => ArrivalPattern::Every {
            interval_ms: pattern_f.duration_ms()?,
        },
        "poisson" => {
            let p = pattern_f.obj()?;
            p.deny_unknown(&["meanInterval"], "poisson")?;
            let m = p.req("meanInterval", "add meanInterval: the mean time between arrivals")?;
            let mean = m.duration_ms()?;
            if mean == 0 {
                return Err(m.err("meanInterval is zero", "write a positive duration such as 3m"));
            }
            ArrivalPattern::Poisson { mean_interval_ms: mean }
        }
        _ => ArrivalPattern::At {
            times_ms: duration_list(&pattern_f)?,
        },
    };
    Ok((pattern_f, pattern))
}

/// The number of arrivals: `count`, which `at` may imply and must then agree with.
fn arrivals_total(spec: &Obj, pattern: &ArrivalPattern) -> Res<u64> {
    Ok(match (pattern, spec.get("count")) {
        (ArrivalPattern::At { times_ms }, None) => times_ms.len() as u64,
        (ArrivalPattern::At { times_ms }, Some(c)) => {
            let n = arrivals_count(&c)?;
            if n != times_ms.len() as u64 {
                return Err(c.err(
                    format!(
                        "count is {n} but `at` lists {} times (one arrival per time)",
                        times_ms.len()
                    ),
                    "make count equal to the number of `at` entries, or remove count",
                ));
            }
            n
        }
        (_, Some(c)) => arrivals_count(&c)?,
        (_, None) => {
            return Err(spec.missing(
                "count",
                &format!("add count: the number of arrivals (1 to {MAX_ARRIVALS})"),
            ));
        }
    })
}

/// An Arrivals `count`, from 1 to [`MAX_ARRIVALS`].
fn arrivals_count(c: &F) -> Res<u64> {
    c.bounded(
        1,
        i128::from(MAX_ARRIVALS),
        "copies of an Arrivals object",
        "split the arrivals over several objects, or use a Trace",
    )
    .map(|v| v as u64)
}

/// A list of durations (at most [`MAX_LIST_ENTRIES`], at least one).
fn duration_list(f: &F) -> Res<Vec<u64>> {
    let items = f.seq()?;
    if items.is_empty() {
        return Err(f.err("the list is empty", "list at least one duration"));
    }
    if items.len() > MAX_LIST_ENTRIES {
        return Err(f.err(
            format!("{} entries exceed the limit of {MAX_LIST_ENTRIES}", items.len()),
            format!("list at most {MAX_LIST_ENTRIES} entries (use a Trace for longer series)"),
        ));
    }
    items.iter().map(F::duration_ms).collect()
}

pub(super) fn duration_dist(f: &F) -> Res<DurationDist> {
    let o = f.obj()?;
    let kinds = ["fixed", "uniform", "exponential", "lognormal", "empirical"];
    o.deny_unknown(&kinds, "a duration distribution")?;
    let present: Vec<&str> = kinds.iter().copied().filter(|k| o.has(k)).collect();
    if present.len() != 1 {
        return Err(f.err(
            format!(
                "a duration distribution has exactly one of {}; found {}",
                kinds.join(", "),
                present.len()
            ),
            "write e.g. duration: {fixed: 20m} or duration: {exponential: {mean: 30m}}",
        ));
    }
    let kind = present[0];
    let v = o.req(kind, "give the distribution its parameters")?;
    Ok(match kind {
        "fixed" => DurationDist::Fixed { ms: v.duration_ms()? },
        "uniform" => {
            let p = v.obj()?;
            p.deny_unknown(&["min", "max"], "uniform")?;
            let min_ms = p.req("min", "add min: a duration")?.duration_ms()?;
            let max_f = p.req("max", "add max: a duration")?;
            let max_ms = max_f.duration_ms()?;
            if min_ms > max_ms {
                return Err(max_f.err("max is smaller than min", "make max at least min"));
            }
            DurationDist::Uniform { min_ms, max_ms }
        }
        "exponential" => {
            let p = v.obj()?;
            p.deny_unknown(&["mean"], "exponential")?;
            let m = p.req("mean", "add mean: a duration")?;
            let mean_ms = m.duration_ms()?;
            if mean_ms == 0 {
                return Err(m.err("the mean is zero", "write a positive duration"));
            }
            DurationDist::Exponential { mean_ms }
        }
        "lognormal" => {
            let p = v.obj()?;
            p.deny_unknown(&["median", "sigma"], "lognormal")?;
            let m = p.req("median", "add median: a duration")?;
            let median_ms = m.duration_ms()?;
            if median_ms == 0 {
                return Err(m.err("the median is zero", "write a positive duration"));
            }
            let s = p.req("sigma", "add sigma: the standard deviation of ln(duration)")?;
            let sigma = s.f64()?;
            if !(0.0..=10.0).contains(&sigma) {
                return Err(s.err(
                    format!("sigma {sigma} is out of range"),
                    "write a sigma from 0 to 10 (typical values are 0.5 to 2)",
                ));
            }
            DurationDist::LogNormal { median_ms, sigma }
        }
        _ => DurationDist::Empirical {
            values_ms: duration_list(&v)?,
        },
    })
}

fn failure_dist(f: &F) -> Res<FailureDist> {
    let o = f.obj()?;
    o.deny_unknown(&["probability", "exitCode"], "failure")?;
    let p = o.req("probability", "add probability: a number from 0 to 1")?;
    let probability = p.f64()?;
    if !(0.0..=1.0).contains(&probability) {
        return Err(p.err(
            format!("probability {probability} is not between 0 and 1"),
            "write a probability from 0 to 1",
        ));
    }
    let exit_code = opt(o.get("exitCode"), |f| f.int_in(1, 255))?.unwrap_or(1) as i32;
    Ok(FailureDist { probability, exit_code })
}
