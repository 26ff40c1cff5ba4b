//! The engine alone: the hold model (pop one event, push one at a random later time) with a
//! constant number of pending events. Target: >= 10 million events/s with 1,000 pending.

use divan::Bencher;
use kubesim::engine::{Engine, SimTime, rng_stream};
use rand::RngExt;

fn main() {
    divan::main();
}

const HOLDS: u64 = 1_000_000;

#[divan::bench(args = [1_000, 100_000, 1_000_000], min_time = 1, sample_count = 10)]
fn hold(bencher: Bencher, pending: u64) {
    bencher
        .counter(divan::counter::ItemsCount::new(HOLDS))
        .with_inputs(|| {
            let mut e: Engine<u32> = Engine::new(u64::MAX, None);
            let mut rng = rng_stream(1, 0);
            for i in 0..pending {
                e.schedule(SimTime(rng.random_range(0..1_000_000)), (i % 4) as u8, i as u32);
            }
            (e, rng)
        })
        .bench_local_values(|(mut e, mut rng)| {
            for _ in 0..HOLDS {
                let (t, p) = e.pop().expect("an event");
                let dt: u64 = rng.random_range(1..2_000_000);
                e.schedule(t.plus_ms(dt), (p % 4) as u8, p);
            }
            e
        });
}
