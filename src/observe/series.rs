//! GPU and CPU levels over time, in a bounded number of buckets: the data behind the
//! utilization, stranded-GPU and deadlock plots and `timeseries.csv`.
//!
//! Each bucket holds integrals (milli-GPU x ms) of the cluster's GPU capacity, the GPUs held by
//! bound pods, the GPUs busy doing work, the GPUs stranded in partial gangs, the same three
//! levels for CPUs (milli-CPU x ms; a cluster without GPUs is plotted by its CPUs), and the time
//! spent in deadlock. Buckets start [`FIRST_WIDTH_MS`] wide; when a run outgrows [`MAX_BUCKETS`] of
//! them, neighbours are merged pairwise and the width doubles. So memory is bounded whatever the
//! run's length, the widths of any two runs are the first width times a power of two (series
//! of different runs nest and can be averaged on the coarser grid), and the result depends only
//! on the levels and times, never on wall time.

/// Width of the first buckets.
pub const FIRST_WIDTH_MS: u64 = 60_000;
/// Bucket count that triggers a merge (after it a series has half as many).
pub const MAX_BUCKETS: usize = 512;

/// Integrals over one bucket (milli-GPU x ms; deadlock in ms).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bucket {
    pub capacity: u128,
    pub held: u128,
    pub busy: u128,
    pub stranded: u128,
    /// CPU capacity, held and busy (milli-CPU x ms).
    pub cpu: [u128; 3],
    pub deadlock_ms: u64,
}

impl Bucket {
    fn add(&mut self, o: &Bucket) {
        self.capacity += o.capacity;
        self.held += o.held;
        self.busy += o.busy;
        self.stranded += o.stranded;
        for (a, b) in self.cpu.iter_mut().zip(o.cpu) {
            *a += b;
        }
        self.deadlock_ms += o.deadlock_ms;
    }
}

/// Levels in force over an interval (milli-GPU; `cpu` in milli-CPU).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Levels {
    pub capacity: i64,
    pub held: i64,
    pub busy: i64,
    pub stranded: i64,
    /// CPU capacity, held and busy.
    pub cpu: [i64; 3],
    pub deadlocked: bool,
}

/// A bucketed series from t = 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Series {
    pub width_ms: u64,
    pub buckets: Vec<Bucket>,
}

impl Default for Series {
    fn default() -> Self {
        Series {
            width_ms: FIRST_WIDTH_MS,
            buckets: Vec::new(),
        }
    }
}

impl Series {
    /// Account `levels` over `[from, to)`.
    pub fn add(&mut self, from: u64, to: u64, levels: &Levels) {
        let mut t = from;
        while t < to {
            let mut idx = (t / self.width_ms) as usize;
            while idx >= MAX_BUCKETS {
                self.coarsen();
                idx = (t / self.width_ms) as usize;
            }
            let bucket_end = (idx as u64 + 1) * self.width_ms;
            let seg_end = to.min(bucket_end);
            let dt = seg_end - t;
            if self.buckets.len() <= idx {
                self.buckets.resize(idx + 1, Bucket::default());
            }
            let b = &mut self.buckets[idx];
            let dt128 = u128::from(dt);
            b.capacity += levels.capacity.max(0) as u128 * dt128;
            b.held += levels.held.max(0) as u128 * dt128;
            b.busy += levels.busy.max(0) as u128 * dt128;
            b.stranded += levels.stranded.max(0) as u128 * dt128;
            for (a, l) in b.cpu.iter_mut().zip(levels.cpu) {
                *a += l.max(0) as u128 * dt128;
            }
            if levels.deadlocked {
                b.deadlock_ms += dt;
            }
            t = seg_end;
        }
    }

    /// Merge neighbouring buckets pairwise; the width doubles.
    pub fn coarsen(&mut self) {
        let merged: Vec<Bucket> = self
            .buckets
            .chunks(2)
            .map(|pair| {
                let mut b = pair[0];
                if let Some(second) = pair.get(1) {
                    b.add(second);
                }
                b
            })
            .collect();
        self.buckets = merged;
        self.width_ms *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lv(held: i64) -> Levels {
        Levels {
            capacity: 8000,
            held,
            busy: held / 2,
            stranded: 0,
            cpu: [16_000, held * 2, held],
            deadlocked: held > 4000,
        }
    }

    #[test]
    fn intervals_split_at_bucket_edges() {
        let mut s = Series::default();
        s.add(0, 90_000, &lv(2000));
        s.add(90_000, 120_000, &lv(6000));
        assert_eq!(s.buckets.len(), 2);
        assert_eq!(s.buckets[0].held, 2000 * 60_000);
        assert_eq!(s.buckets[1].held, 2000 * 30_000 + 6000 * 30_000);
        assert_eq!(s.buckets[1].deadlock_ms, 30_000);
        assert_eq!(s.buckets[1].capacity, 8000 * 60_000);
        assert_eq!(
            s.buckets[1].cpu,
            [
                16_000 * 60_000,
                2 * (2000 * 30_000 + 6000 * 30_000),
                2000 * 30_000 + 6000 * 30_000
            ]
        );
    }

    #[test]
    fn long_runs_coarsen_and_keep_the_integrals() {
        let mut s = Series::default();
        let day = 86_400_000;
        let mut total = 0u128;
        for h in 0..240u64 {
            let held = ((h * 37) % 8 * 1000) as i64;
            s.add(h * day / 24, (h + 1) * day / 24, &lv(held));
            total += held as u128 * u128::from(day / 24);
        }
        assert!(
            s.buckets.len() <= MAX_BUCKETS && s.buckets.len() > MAX_BUCKETS / 4,
            "{}",
            s.buckets.len()
        );
        assert_eq!(s.width_ms % FIRST_WIDTH_MS, 0);
        assert!((s.width_ms / FIRST_WIDTH_MS).is_power_of_two());
        assert_eq!(s.buckets.iter().map(|b| b.held).sum::<u128>(), total);
        s.coarsen();
        assert_eq!(
            s.buckets.iter().map(|b| b.held).sum::<u128>(),
            total,
            "coarsening keeps the integral"
        );
        assert_eq!(
            s.buckets.iter().map(|b| b.cpu[1]).sum::<u128>(),
            2 * total,
            "and the CPUs'"
        );
    }

    #[test]
    fn a_late_start_fills_empty_buckets() {
        let mut s = Series::default();
        s.add(600_000, 660_000, &lv(1000));
        assert_eq!(s.buckets.len(), 11);
        assert_eq!(s.buckets[9], Bucket::default());
        assert_eq!(s.buckets[10].held, 1000 * 60_000);
    }
}
