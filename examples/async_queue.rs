//! Slow outputs moved off the application's threads, configured in
//! `examples/async_queue.yaml`: a `queue` in front of a file and the console
//! (with a drop policy for floods), a `memory` handler that writes the DEBUG
//! context of an ERROR, and the `rate_limit` and `dedup` filters. Prints the
//! handlers' statistics at the end.
//!
//! Run it with `LOG_DIR=/tmp/logs cargo run --example async_queue` (logs go to
//! `./logs` without `LOG_DIR`); stop it with Ctrl-C. With
//! `LOGFIG_EXAMPLE_SECONDS=N` it stops by itself after N seconds.

use std::time::{Duration, Instant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/async_queue.yaml");
    let handle = logfig::init_file(config)?;
    let stop_after = std::env::var("LOGFIG_EXAMPLE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map(Duration::from_secs_f64);
    let start = Instant::now();
    let workers: Vec<_> = (0..4)
        .map(|w| {
            std::thread::Builder::new()
                .name(format!("worker-{w}"))
                .spawn(move || {
                    let mut i = 0u64;
                    while stop_after.is_none_or(|d| start.elapsed() < d) {
                        log::info!(target: "app::jobs", job = i; "job {i} done");
                        log::debug!(target: "app::payments", "charging card for order {i}");
                        if i % 500 == 0 {
                            log::warn!(target: "app::jobs", "queue is deep");
                        }
                        if i % 2000 == 0 {
                            log::error!(target: "app::payments", "card declined for order {i}");
                        }
                        i += 1;
                        std::thread::sleep(Duration::from_micros(200));
                    }
                })
        })
        .collect::<Result<_, _>>()?;
    for w in workers {
        let _ = w.join();
    }
    handle.flush(); // waits until the queue has written everything
    for (name, s) in handle.stats() {
        log::warn!(
            "{name}: {} written, {} dropped, {} waiting",
            s.emitted,
            s.dropped,
            s.queued
        );
    }
    handle.shutdown();
    Ok(())
}
