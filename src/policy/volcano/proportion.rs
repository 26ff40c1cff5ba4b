//! Volcano's proportion plugin (semantics.md VC-Q2, `proportion.go OnSessionOpen`): each
//! session, the queues that have jobs share the cluster by weight, per resource dimension, by
//! water-filling: every round each unsatisfied queue gets its weight's part of what is left,
//! capped by its real capability and its request and raised to its guarantee; a queue whose
//! request is met (or whose share stopped growing) leaves; what queues gave back returns to the
//! pool; rounds stop when nothing is left or nothing changed. Shares are `allocated / deserved`
//! (the largest over dimensions); a queue is overused when `deserved <= allocated` in every
//! dimension.
//!
//! Arithmetic is f64 on milli-units, as Volcano's `Resource` is (float64 milli-CPU, bytes,
//! milli-scalars); results are only compared, never printed.

#![allow(
    clippy::needless_range_loop,
    reason = "vector arithmetic over several arrays indexed by resource dimension reads clearest as index loops"
)]

use crate::model::cluster::MAX_RESOURCES;

/// A resource vector in f64 (Volcano's `api.Resource`).
pub type Vec8 = [f64; MAX_RESOURCES];

/// One queue's inputs for a session.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueInput {
    pub weight: f64,
    /// `capability` (f64::INFINITY where unset).
    pub capability: Vec8,
    pub guarantee: Vec8,
    /// Requests of its allocated and pending tasks.
    pub request: Vec8,
}

fn le_all(a: &Vec8, b: &Vec8) -> bool {
    a.iter().zip(b).all(|(x, y)| x <= y)
}

/// Deserved resources per queue, in input order.
pub fn deserved(total: &Vec8, queues: &[QueueInput]) -> Vec<Vec8> {
    let n = queues.len();
    let mut sum_guarantee = [0.0; MAX_RESOURCES];
    for q in queues {
        for d in 0..MAX_RESOURCES {
            sum_guarantee[d] += q.guarantee[d];
        }
    }
    // realCapability = min(capability, total - Σguarantee + guarantee).
    let real_cap: Vec<Vec8> = queues
        .iter()
        .map(|q| {
            let mut r = [0.0; MAX_RESOURCES];
            for d in 0..MAX_RESOURCES {
                r[d] = q.capability[d].min(total[d] - sum_guarantee[d] + q.guarantee[d]);
            }
            r
        })
        .collect();
    let mut deserved = vec![[0.0; MAX_RESOURCES]; n];
    let mut met = vec![false; n];
    let mut remaining = *total;
    // Each round removes a queue or stops; the bound only guards against float oddities.
    for _round in 0..(n + 2) * 4 {
        let total_weight: f64 = (0..n).filter(|&i| !met[i]).map(|i| queues[i].weight).sum();
        if total_weight <= 0.0 {
            break;
        }
        let old_remaining = remaining;
        let mut increased = [0.0; MAX_RESOURCES];
        let mut decreased = [0.0; MAX_RESOURCES];
        for i in 0..n {
            if met[i] {
                continue;
            }
            let q = &queues[i];
            let old = deserved[i];
            let mut d = old;
            for k in 0..MAX_RESOURCES {
                d[k] += remaining[k] * q.weight / total_weight;
                d[k] = d[k].min(real_cap[i][k]);
                d[k] = d[k].min(q.request[k]);
                d[k] = d[k].max(q.guarantee[k]);
            }
            deserved[i] = d;
            if le_all(&q.request, &d) || d == old {
                met[i] = true;
            }
            for k in 0..MAX_RESOURCES {
                if d[k] > old[k] {
                    increased[k] += d[k] - old[k];
                } else {
                    decreased[k] += old[k] - d[k];
                }
            }
        }
        for k in 0..MAX_RESOURCES {
            remaining[k] = (remaining[k] - increased[k] + decreased[k]).max(0.0);
        }
        if remaining.iter().all(|&r| r <= 0.0) || remaining == old_remaining {
            break;
        }
    }
    deserved
}

/// `share = max over dimensions of allocated / deserved` (0/0 = 0, x/0 = 1).
pub fn share(allocated: &Vec8, deserved: &Vec8) -> f64 {
    let mut s: f64 = 0.0;
    for k in 0..MAX_RESOURCES {
        let v = if deserved[k] == 0.0 {
            if allocated[k] == 0.0 { 0.0 } else { 1.0 }
        } else {
            allocated[k] / deserved[k]
        };
        s = s.max(v);
    }
    s
}

/// Overused: `deserved <= allocated` in every dimension.
pub fn overused(allocated: &Vec8, deserved: &Vec8) -> bool {
    le_all(deserved, allocated)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INF: f64 = f64::INFINITY;

    fn v(cpu: f64) -> Vec8 {
        let mut r = [0.0; MAX_RESOURCES];
        r[0] = cpu;
        r
    }

    fn q(weight: f64, request: f64) -> QueueInput {
        let mut cap = [INF; MAX_RESOURCES];
        cap[1..].iter_mut().for_each(|c| *c = INF);
        QueueInput {
            weight,
            capability: cap,
            guarantee: v(0.0),
            request: v(request),
        }
    }

    #[test]
    fn weights_split_a_contended_cluster() {
        // 100 CPU, weights 5:3:2, everyone asks for more than the cluster: 50/30/20.
        let d = deserved(&v(100.0), &[q(5.0, 200.0), q(3.0, 200.0), q(2.0, 200.0)]);
        assert_eq!((d[0][0], d[1][0], d[2][0]), (50.0, 30.0, 20.0));
    }

    #[test]
    fn what_a_small_queue_does_not_need_goes_to_the_others() {
        // 100 CPU, equal weights; C asks 10. Round 1: 33.3 each, C capped at 10 (met), 23.3 back.
        // Round 2: A and B get 11.67 more each: 45 each.
        let d = deserved(&v(100.0), &[q(1.0, 200.0), q(1.0, 200.0), q(1.0, 10.0)]);
        assert!((d[0][0] - 45.0).abs() < 1e-9 && (d[1][0] - 45.0).abs() < 1e-9, "{d:?}");
        assert_eq!(d[2][0], 10.0);
    }

    #[test]
    fn capability_caps_and_guarantee_floors() {
        // 100 CPU, weights 1:1. A capability 20: A gets 20, B the rest (80).
        let mut a = q(1.0, 200.0);
        a.capability[0] = 20.0;
        let d = deserved(&v(100.0), &[a, q(1.0, 200.0)]);
        assert_eq!((d[0][0], d[1][0]), (20.0, 80.0));
        // Weights 1:9 but A guaranteed 30: A 30 (floor), B's real capability 100 - 30 = 70.
        let mut a = q(1.0, 200.0);
        a.guarantee = v(30.0);
        let d = deserved(&v(100.0), &[a, q(9.0, 200.0)]);
        assert_eq!(d[0][0], 30.0);
        assert!((d[1][0] - 70.0).abs() < 1e-9, "{d:?}");
    }

    #[test]
    fn shares_and_overuse() {
        assert_eq!(share(&v(25.0), &v(50.0)), 0.5);
        assert_eq!(share(&v(0.0), &v(0.0)), 0.0);
        assert_eq!(share(&v(3.0), &v(0.0)), 1.0);
        assert!(overused(&v(50.0), &v(50.0)));
        assert!(!overused(&v(49.0), &v(50.0)));
    }
}
