//! Every bound kubesim puts on its input, in one place (docs/contract-additions.md, "Limits",
//! lists them with their reasons). A bound is checked where the input is read, before the
//! number sizes anything (a vector, a loop, a list of objects created up front), and a value
//! beyond it is an [`crate::error::InputError`] naming the file, line, field, value and bound.
//! Bounds follow Kubernetes where it has one; the others keep memory and time bounded
//! whatever the input (issue 12).

/// Nodes in a scenario: Node objects, NodePool copies, Arrivals of Nodes and Trace node lists
/// together (also the bound on one node inventory file).
pub const MAX_NODES: u64 = 1_000_000;

/// Copies of one Arrivals object.
pub const MAX_ARRIVALS: u64 = 10_000_000;

/// Entries of an `at` or `empirical` list.
pub const MAX_LIST_ENTRIES: usize = 100_000;

/// Jobs of one Trace object (the read stops at the first job beyond it).
pub const MAX_TRACE_JOBS: u64 = 20_000_000;

/// Pods one workload may have: a Job's `completions` and `parallelism`, a Volcano Job's
/// replicas summed over its tasks, a JobSet's pods summed over its Jobs (and its `replicas`), a
/// gang size, a PodGroup's `minMember`, a trace job's pods.
/// Kubernetes caps an Indexed Job's `parallelism` (and `maxFailedIndexes`) at 100,000; kubesim
/// applies the same number to every workload, since per-pod and per-index state is sized by it.
pub const MAX_WORKLOAD_PODS: u32 = 100_000;

/// Pods one run may hold at once. At load, the pods a scenario creates without any failure
/// (workloads times their copies, trace jobs times their pods) must stay within it; a run
/// that holds more (retries, CronJobs whose Jobs never end) stops with an error. Pods a Job has
/// accounted for and let go take no memory and do not count.
pub const MAX_PODS: usize = 50_000_000;

/// Pods one run may create in all, released or not: pod ids are 32-bit and never reused. The
/// default event bound stops a run long before (each pod is several events).
pub const MAX_POD_IDS: usize = 4_000_000_000;

/// Largest resource amount, in canonical units (bytes, millicores, milli-units): 2^53, which
/// is 8 PiB of memory or 9 x 10^12 cores. Exactly representable as a double (metrics and
/// shares are computed in f64), and far enough below `i64::MAX` that sums of a few amounts and
/// percent scores cannot overflow. Amounts times pod counts are checked where they are formed.
pub const MAX_QUANTITY: i64 = 1 << 53;

/// One year of 365 days, in ms.
pub const YEAR_MS: u64 = 365 * 24 * 3_600_000;

/// Longest Simulation `horizon`: 10 years. The event queue and time series are sized by what
/// happens, not by the horizon, but a horizon of centuries only means a run that never ends.
pub const MAX_HORIZON_MS: u64 = 10 * YEAR_MS;

/// Longest duration anywhere else in the input (run times, submit times, intervals, timeouts,
/// deadlines, trace times): 100 years. Simulated times are u64 ms (584 million years), so a
/// sum of such durations never overflows.
pub const MAX_DURATION_MS: u64 = 100 * YEAR_MS;

/// The latest simulated time: 1,000 years. A run without a horizon that still has work past
/// it stops with an error (a pod restarting forever, an endless chain of 100-year durations);
/// below it, a time plus any duration of the input cannot overflow.
pub const MAX_SIM_TIME_MS: u64 = 1_000 * YEAR_MS;

/// Runs (point x policy x seed) of one command, or of the shards `merge` combines: each run's
/// results are held until the outputs are written.
pub const MAX_UNITS: u64 = 1_000_000;

/// Largest shard plan file (`kubesim-shard.txt`) `merge` reads; real ones are kilobytes.
pub const MAX_PLAN_BYTES: u64 = 16 << 20;

/// A scenario whose CronJobs would fire more often than this within the run is refused at load.
pub const MAX_CRON_FIRES: u64 = 5_000_000;

/// Above this many estimated CronJob fires, `run` and `validate` print a note.
pub const WARN_CRON_FIRES: u64 = 500_000;

/// The bytes of the file at `path` if it has at most `max`, else `None`. Reads at most
/// `max + 1` bytes whatever the file claims to be: a device or a `/proc` file reports a size
/// of 0 and may never end.
pub fn read_file_at_most(path: &std::path::Path, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= max).then_some(bytes))
}

/// `value` as a duration for messages: `584942417y`, `36500d`, `90s`.
pub fn describe_ms(ms: u64) -> String {
    const DAY: u64 = 24 * 3_600_000;
    if ms >= YEAR_MS {
        format!("{}y", ms / YEAR_MS)
    } else if ms >= DAY {
        format!("{}d", ms / DAY)
    } else if ms >= 1000 {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// A bound in ms for messages: `10 years`, else as [`describe_ms`].
pub fn describe_limit(ms: u64) -> String {
    if ms >= YEAR_MS && ms.is_multiple_of(YEAR_MS) {
        format!("{} years", ms / YEAR_MS)
    } else {
        describe_ms(ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_described_in_their_largest_unit() {
        let cases: &[(&str, u64, &str)] = &[
            ("u64::MAX", u64::MAX, "584942417y"),
            ("the horizon bound", MAX_HORIZON_MS, "10y"),
            ("days", 3 * 24 * 3_600_000 + 5, "3d"),
            ("seconds", 90_500, "90s"),
            ("ms", 7, "7ms"),
        ];
        for (name, ms, want) in cases {
            assert_eq!(describe_ms(*ms), *want, "{name}");
        }
    }
}
