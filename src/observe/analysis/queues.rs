//! Queues: per queue of a policy's runs, the means of queues.csv over seeds, and the GPUs it
//! held over time (queue_timeseries.csv) pooled over seeds, with the level it is measured
//! against (what it deserved, else its weight's share of the cluster).

use crate::observe::analysis::{field, grid_width, policy_records, pool, ratio};
use crate::observe::tables::Tables;

/// One queue's results for a policy, means over its runs (queues.csv). Wait percentiles and
/// deserved GPUs average the runs that report them (`None` when none does).
#[derive(Clone, Debug, PartialEq)]
pub struct QueueMean {
    pub queue: String,
    pub runs: usize,
    pub weight_share: f64,
    pub jobs: f64,
    pub gpu_share: f64,
    pub wait_p50_s: Option<f64>,
    pub wait_p95_s: Option<f64>,
    pub preemptions: f64,
    pub reclaims: f64,
    pub gpu_h_lost: f64,
    pub deserved_gpus: Option<f64>,
    /// The share of the cluster the queue is promised, and on what basis.
    pub share: f64,
    pub share_basis: ShareBasis,
}

/// What a queue's promised share rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShareBasis {
    /// Its weight / the sum of the weights of the queues in use (Volcano's Queue objects).
    Weight,
    /// Its nominal GPU quota / the sum of the nominal GPU quotas of the queues in use (Kueue's
    /// ClusterQueues).
    NominalQuota,
}

impl ShareBasis {
    /// How the report labels it.
    pub fn label(self) -> &'static str {
        match self {
            ShareBasis::Weight => "weight",
            ShareBasis::NominalQuota => "nominal quota",
        }
    }
}

/// The policies whose queues.csv `deserved_gpus` is a ClusterQueue's nominal GPU quota (the
/// registry's `kueue` policies; a test holds the two lists equal): their queues' promised
/// shares are quota shares, not weight shares.
pub const QUOTA_POLICIES: &[&str] = &["kueue"];

/// Per queue of a policy's runs (in order of first appearance), the means of queues.csv.
pub fn queue_means(tables: &Tables, policy: &str) -> Vec<QueueMean> {
    // (queue, runs, sums of the always-present columns, (sum, count) of the optional ones)
    type Acc = (String, usize, [f64; 6], [(f64, usize); 3]);
    let mut acc: Vec<Acc> = Vec::new();
    for r in policy_records(tables, "queues.csv", policy) {
        let name = r.get(2).unwrap_or("").to_string();
        let at = match acc.iter().position(|a| a.0 == name) {
            Some(i) => i,
            None => {
                acc.push((name, 0, [0.0; 6], [(0.0, 0); 3]));
                acc.len() - 1
            }
        };
        let a = &mut acc[at];
        a.1 += 1;
        for (k, col) in [4, 5, 8, 11, 12, 13].into_iter().enumerate() {
            a.2[k] += field(&r, col);
        }
        for (k, col) in [9, 10, 14].into_iter().enumerate() {
            if let Some(v) = r.get(col).filter(|v| !v.is_empty()).and_then(|v| v.parse::<f64>().ok()) {
                a.3[k].0 += v;
                a.3[k].1 += 1;
            }
        }
    }
    let quota = QUOTA_POLICIES.contains(&policy);
    let quota_sum: f64 = acc
        .iter()
        .map(|a| if a.3[2].1 > 0 { a.3[2].0 / a.3[2].1 as f64 } else { 0.0 })
        .sum();
    let basis = if quota && quota_sum > 0.0 {
        ShareBasis::NominalQuota
    } else {
        ShareBasis::Weight
    };
    acc.into_iter()
        .map(|(queue, runs, s, o)| {
            let n = runs as f64;
            let opt = |(sum, count): (f64, usize)| (count > 0).then(|| sum / count as f64);
            QueueMean {
                queue,
                runs,
                weight_share: s[0] / n,
                jobs: s[1] / n,
                gpu_share: s[2] / n,
                wait_p50_s: opt(o[0]),
                wait_p95_s: opt(o[1]),
                preemptions: s[3] / n,
                reclaims: s[4] / n,
                gpu_h_lost: s[5] / n,
                deserved_gpus: opt(o[2]),
                share: match basis {
                    ShareBasis::Weight => s[0] / n,
                    ShareBasis::NominalQuota => opt(o[2]).unwrap_or(0.0) / quota_sum,
                },
                share_basis: basis,
            }
        })
        .collect()
}

/// A queue's name, weight share, mean deserved GPUs (Volcano proportion or a Kueue nominal
/// quota; `None` when not reported), and (bucket start in h, mean GPUs held) points.
pub type QueueCurve = (String, f64, Option<f64>, Vec<(f64, f64)>);

/// Per queue of a policy's runs: (queue, weight share, mean GPUs held per bucket start (h)),
/// pooled over seeds on the coarsest bucket grid; and the mean GPUs of the cluster.
pub fn pooled_queues(tables: &Tables, policy: &str) -> (Vec<QueueCurve>, f64) {
    if tables.get("queues.csv").is_none() {
        return (vec![], 0.0);
    }
    // Queues in order of first appearance, with their weight share and the sum and count of
    // their deserved GPUs over runs.
    let mut queues: Vec<(String, f64, f64, u32)> = Vec::new();
    for r in policy_records(tables, "queues.csv", policy) {
        let name = r.get(2).unwrap_or("").to_string();
        let at = match queues.iter().position(|q| q.0 == name) {
            Some(i) => i,
            None => {
                queues.push((name, field(&r, 4), 0.0, 0));
                queues.len() - 1
            }
        };
        if let Some(d) = r.get(14).filter(|d| !d.is_empty()).and_then(|d| d.parse::<f64>().ok()) {
            queues[at].2 += d;
            queues[at].3 += 1;
        }
    }
    // Columns: policy, seed, queue, t, covered, alloc_gpus.
    let rows = policy_records(tables, "queue_timeseries.csv", policy);
    let width = grid_width(&rows, 0..3, 3);
    let out = queues
        .iter()
        .map(|(name, share, deserved, n)| {
            let mine: Vec<csv::StringRecord> = rows
                .iter()
                .filter(|r| r.get(2) == Some(name.as_str()))
                .cloned()
                .collect();
            let pts = pool(&mine, width, |r| (field(r, 3), field(r, 4), [field(r, 5)]))
                .into_iter()
                .map(|(g, (held, cov))| (g as f64 * width / 3600.0, ratio(held[0], cov)))
                .collect();
            (name.clone(), *share, (*n > 0).then(|| deserved / f64::from(*n)), pts)
        })
        .collect();
    let gpus = pool(&policy_records(tables, "timeseries.csv", policy), f64::INFINITY, |r| {
        (0.0, field(r, 3), [field(r, 4)])
    })
    .into_values()
    .next()
    .map_or(0.0, |(sum, cov)| ratio(sum[0], cov));
    (out, gpus)
}

/// One policy's queues over time, pooled over seeds, with the level each is measured against.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueCurves {
    pub policy: String,
    pub queues: Vec<QueueCurve>,
    /// The cluster's mean GPUs.
    pub gpus: f64,
    /// The runs report what queues deserved (Volcano proportion, Kueue nominal quota): the
    /// references are those, for the queues that have one.
    pub deserved: bool,
    /// (queue, GPUs): the mean GPUs it deserved, or without any, its weight's share of the
    /// cluster's GPUs (weight / the sum of the weights of the queues in use, times the GPUs).
    pub references: Vec<(String, f64)>,
    /// The last bucket start of any queue (h), where the references end.
    pub end_h: f64,
}

/// A policy's queues over time ([`pooled_queues`]) with their references.
pub fn queue_curves(tables: &Tables, policy: &str) -> QueueCurves {
    let (queues, gpus) = pooled_queues(tables, policy);
    let end_h = queues
        .iter()
        .flat_map(|(_, _, _, pts)| pts.last().map(|p| p.0))
        .fold(0.0, f64::max);
    let deserved = queues.iter().any(|q| q.2.is_some());
    let references = queues
        .iter()
        .filter_map(|(name, share, des, _)| match des {
            Some(d) => Some((name.clone(), *d)),
            None if deserved => None,
            None => Some((name.clone(), share * gpus)),
        })
        .collect();
    QueueCurves {
        policy: policy.to_string(),
        queues,
        gpus,
        deserved,
        references,
        end_h,
    }
}
