//! An API client's rate limit: client-go's token bucket, exact in integer time.
//!
//! Every Kubernetes component writes through a client whose requests pass a token bucket
//! (client-go `rest.Config{QPS, Burst}` → `util/flowcontrol.NewTokenBucketRateLimiter`, which
//! wraps `golang.org/x/time/rate.NewLimiter(rate.Limit(qps), burst)`; `Wait` reserves one
//! token and sleeps until it is due). The x/time/rate rules, `Limiter.reserveN`:
//! - the bucket starts full (`burst` tokens) and refills at `qps` tokens a second, up to `burst`;
//! - a request takes one token at once; when that leaves the count negative the request waits
//!   `-tokens / qps` seconds, and the debt stays, so later requests queue behind it in the order
//!   they were issued (first come, first served: a reservation is never reordered).
//!
//! Written as the equivalent virtual-scheduling form: `full_at` is the instant from which the
//! bucket would be full again; a request at `t` moves it to `max(full_at, t) + 1/qps` and is
//! due at `max(t, full_at' - burst/qps)`. Time is kept in units of `1 / (1000 * qps)` ms (qps
//! in thousandths), so every period is an exact integer (1/qps = 10^6 units) and the result is
//! rounded up to kubesim's millisecond: a request is never sent earlier than the real client
//! would send it, and at most 1 ms later.
//!
//! The components' default limits, from their sources (`ClientConnection` QPS / Burst):
//! | component | qps | burst | source |
//! |---|---|---|---|
//! | kube-controller-manager (each controller has its own client, so its own bucket) | 20 | 30 | kubernetes `pkg/controller/apis/config/v1alpha1/defaults.go`, `SetDefaults_KubeControllerManagerConfiguration` |
//! | kube-scheduler | 50 | 100 | kubernetes `pkg/scheduler/apis/config/v1/defaults.go`, `SetDefaults_KubeSchedulerConfiguration` |
//! | Kueue controller manager | 300 | 500 | kueue `apis/config/v1beta2/defaults.go`, `DefaultClientConnectionQPS` / `Burst` (Kueue's scheduler performance test runs its minimal Kueue at 50 / 100: `test/performance/scheduler/minimalkueue/main.go`) |
//! | volcano-scheduler | 2000 | 2000 | volcano `cmd/scheduler/app/options/options.go`, `defaultQPS` / `defaultBurst` |
//! | volcano-controller-manager | 50 | 100 | volcano `cmd/controller-manager/app/options/options.go`, `defaultQPS` / `defaultBurst` |
//!
//! [`ClientLimit::DEFAULTS`] holds that table. A run keeps one bucket per [`Client`] and every
//! modelled write takes its token through `World::api_send` (`sim::write`): Kueue's writes
//! (`policy::kueue::client`), the Job controller's pod creations, deletions, finalizer
//! removals and status updates (`controllers::job::client`), the Volcano job controller's
//! status updates, PodGroup creates and deletes, pod creations and deletions
//! (`controllers::volcano_job::client`), the binding scheduler's Bindings (`send_bind`) and
//! kube-scheduler's condition patches and preemptions (`policy::kube`); the components' other
//! writes do not pass a bucket yet.

use crate::engine::SimTime;

/// The API clients whose rate limits kubesim models, as `clientRateLimits` names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Client {
    Kueue,
    KubeScheduler,
    VolcanoScheduler,
    KubeControllerManager,
    VolcanoControllerManager,
}

impl Client {
    pub const COUNT: usize = 5;
    pub const ALL: [Client; Client::COUNT] = [
        Client::Kueue,
        Client::KubeScheduler,
        Client::VolcanoScheduler,
        Client::KubeControllerManager,
        Client::VolcanoControllerManager,
    ];

    /// Its key under `clientRateLimits`.
    pub fn key(self) -> &'static str {
        match self {
            Client::Kueue => "kueue",
            Client::KubeScheduler => "kube-scheduler",
            Client::VolcanoScheduler => "volcano-scheduler",
            Client::KubeControllerManager => "kube-controller-manager",
            Client::VolcanoControllerManager => "volcano-controller-manager",
        }
    }
}

/// One client's limit: `qps` in thousandths of a request per second (`20.0` QPS is `20_000`)
/// and `burst` requests. `qps_milli == 0` means unlimited (client-go: a negative QPS turns the
/// limiter off).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientLimit {
    pub qps_milli: u64,
    pub burst: u64,
}

impl ClientLimit {
    /// No limit: every request goes out when issued.
    pub const UNLIMITED: ClientLimit = ClientLimit { qps_milli: 0, burst: 0 };

    /// The components' default client limits (module doc table), by component name.
    pub const DEFAULTS: [(&'static str, ClientLimit); 5] = [
        (
            "kube-controller-manager",
            ClientLimit {
                qps_milli: 20_000,
                burst: 30,
            },
        ),
        (
            "kube-scheduler",
            ClientLimit {
                qps_milli: 50_000,
                burst: 100,
            },
        ),
        (
            "kueue",
            ClientLimit {
                qps_milli: 300_000,
                burst: 500,
            },
        ),
        (
            "volcano-scheduler",
            ClientLimit {
                qps_milli: 2_000_000,
                burst: 2_000,
            },
        ),
        (
            "volcano-controller-manager",
            ClientLimit {
                qps_milli: 50_000,
                burst: 100,
            },
        ),
    ];

    /// The default limit of the component named `name` (a key of [`ClientLimit::DEFAULTS`]).
    pub fn default_of(name: &str) -> Option<ClientLimit> {
        Self::DEFAULTS.iter().find(|(n, _)| *n == name).map(|(_, l)| *l)
    }
}

/// One period (1/qps) in the bucket's time units: 1/qps s = 10^6 / qps_milli ms = 10^6 units.
const PERIOD: u128 = 1_000_000;

/// A client-go token bucket (module doc). Requests must be offered in non-decreasing time
/// order, as the simulation issues them.
#[derive(Clone, Debug)]
pub struct TokenBucket {
    limit: ClientLimit,
    /// The instant from which the bucket is full again, in units of 1/qps_milli ms.
    full_at: u128,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(limit: ClientLimit) -> TokenBucket {
        TokenBucket { limit, full_at: 0 }
    }

    /// Takes a token for a request issued at `now` and returns when the request goes out
    /// (`>= now`, rounded up to the millisecond).
    pub fn take(&mut self, now: SimTime) -> SimTime {
        let q = u128::from(self.limit.qps_milli);
        if q == 0 {
            return now;
        }
        let t = u128::from(now.0) * q;
        self.full_at = self.full_at.max(t) + PERIOD;
        let due = self
            .full_at
            .saturating_sub(u128::from(self.limit.burst) * PERIOD)
            .max(t);
        // Round up to the millisecond; `due <= full_at`, which fits the ms range times q.
        let ms = due.div_ceil(q);
        SimTime(u64::try_from(ms).unwrap_or(u64::MAX))
    }

    /// The tokens left at `now` (negative: requests waiting), in whole tokens rounded down
    /// (the tests' view of the bucket).
    #[cfg(test)]
    fn tokens_at(&self, now: SimTime) -> i128 {
        let q = u128::from(self.limit.qps_milli);
        if q == 0 {
            return i128::MAX;
        }
        let t = u128::from(now.0) * q;
        let debt = self.full_at.saturating_sub(t);
        let burst = i128::from(self.limit.burst);
        burst - i128::try_from(debt.div_ceil(PERIOD)).unwrap_or(i128::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> SimTime {
        SimTime(v)
    }

    #[test]
    fn a_burst_goes_out_at_once_then_the_steady_rate() {
        // kube-controller-manager: 20 QPS, burst 30. 40 creates issued at t = 0.
        let mut b = TokenBucket::new(ClientLimit::default_of("kube-controller-manager").unwrap());
        let due: Vec<u64> = (0..40).map(|_| b.take(ms(0)).0).collect();
        assert!(due[..30].iter().all(|&d| d == 0), "{due:?}");
        // then one every 50 ms: the 31st at 50 ms, the 40th at 500 ms
        let rest: Vec<u64> = (1..=10).map(|k| 50 * k).collect();
        assert_eq!(&due[30..], &rest[..]);
        assert_eq!(b.tokens_at(ms(500)), 0);
    }

    #[test]
    fn tokens_refill_while_idle_up_to_the_burst() {
        let mut b = TokenBucket::new(ClientLimit {
            qps_milli: 10_000,
            burst: 5,
        });
        for _ in 0..5 {
            assert_eq!(b.take(ms(0)), ms(0));
        }
        assert_eq!(b.tokens_at(ms(0)), 0);
        // 250 ms at 10/s refills 2.5 tokens: two requests go at once, the third waits for
        // the next whole token at 300 ms
        assert_eq!(b.take(ms(250)), ms(250));
        assert_eq!(b.take(ms(250)), ms(250));
        assert_eq!(b.take(ms(250)), ms(300));
        // a long idle time refills to the burst and no more
        assert_eq!(b.tokens_at(ms(60_000)), 5);
        let due: Vec<u64> = (0..7).map(|_| b.take(ms(60_000)).0).collect();
        assert_eq!(due, vec![60_000, 60_000, 60_000, 60_000, 60_000, 60_100, 60_200]);
    }

    #[test]
    fn a_request_queues_behind_earlier_waiting_ones() {
        // burst 1 at 2 QPS: requests issued at 0, 0, 100 ms go at 0, 500, 1000 ms
        let mut b = TokenBucket::new(ClientLimit {
            qps_milli: 2_000,
            burst: 1,
        });
        assert_eq!(b.take(ms(0)), ms(0));
        assert_eq!(b.take(ms(0)), ms(500));
        assert_eq!(b.take(ms(100)), ms(1_000));
        assert_eq!(b.tokens_at(ms(100)), -2);
    }

    #[test]
    fn fractional_periods_round_up_to_the_millisecond_without_drift() {
        // 300 QPS: one token every 3.333.. ms. After the burst of 500, request k (k >= 1)
        // is due at ceil(10 k / 3) ms; the 300th at exactly 1 s, with no accumulated error.
        let mut b = TokenBucket::new(ClientLimit::default_of("kueue").unwrap());
        for _ in 0..500 {
            assert_eq!(b.take(ms(0)), ms(0));
        }
        for k in 1..=300u64 {
            assert_eq!(b.take(ms(0)).0, (10 * k).div_ceil(3), "request {k} past the burst");
        }
        // fractional QPS: 0.5 QPS, burst 1 -> one every 2 s
        let mut slow = TokenBucket::new(ClientLimit {
            qps_milli: 500,
            burst: 1,
        });
        let due: Vec<u64> = (0..3).map(|_| slow.take(ms(0)).0).collect();
        assert_eq!(due, vec![0, 2_000, 4_000]);
    }

    #[test]
    fn unlimited_never_delays() {
        let mut b = TokenBucket::new(ClientLimit::UNLIMITED);
        for t in [0, 0, 0, 5, 5] {
            assert_eq!(b.take(ms(t)), ms(t));
        }
    }

    #[test]
    fn late_times_do_not_overflow() {
        let mut b = TokenBucket::new(ClientLimit::default_of("volcano-scheduler").unwrap());
        let far = SimTime(u64::MAX / 2);
        assert_eq!(b.take(far), far);
    }
}
