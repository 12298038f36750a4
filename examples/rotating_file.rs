//! Rotating and watched log files, configured in `examples/rotating_file.yaml`:
//! `app.log` rolls over at 4 KiB or every 10 seconds into gzipped, numbered
//! archives (`app.log.1.gz`, ...), `daily.log` into one archive a day, and
//! `watched.log` follows logrotate. Watch the directory while it runs.
//!
//! Run it with `LOG_DIR=/tmp/logs cargo run --example rotating_file` (logs go
//! to `./logs` without `LOG_DIR`); stop it with Ctrl-C. With
//! `LOGFIG_EXAMPLE_SECONDS=N` it stops by itself after N seconds.

use std::time::{Duration, Instant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rotating_file.yaml");
    let handle = logfig::init_file(config)?;
    let stop_after = std::env::var("LOGFIG_EXAMPLE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map(Duration::from_secs_f64);
    let start = Instant::now();
    let mut i = 0u64;
    while stop_after.is_none_or(|d| start.elapsed() < d) {
        log::info!(target: "app::orders", "order {i} accepted");
        if i % 50 == 0 {
            log::warn!(target: "app::orders", "order {i} needs review");
        }
        i += 1;
        std::thread::sleep(Duration::from_millis(10));
    }
    for (name, stats) in handle.stats() {
        log::warn!("{name}: {} records written", stats.emitted);
    }
    handle.shutdown(); // waits for the last compression
    Ok(())
}
