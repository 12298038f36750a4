//! `log` and `tracing` under one config (`examples/tracing.yaml`): the same
//! loggers, levels, handlers and formatters for both, the span scope of
//! `tracing` events in the output, and one reload for both when the file
//! changes.
//!
//! Run it with `LOG_DIR=/tmp/logs cargo run --features tracing --example tracing`
//! (the JSON file goes to `./logs` without `LOG_DIR`); stop it with Ctrl-C.
//! With `LOGFIG_EXAMPLE_SECONDS=N` it stops by itself after N seconds.

use std::time::{Duration, Instant};

/// A library that logs through `log`.
mod legacy {
    pub(crate) fn reserve(item: &str, qty: u32) {
        log::info!(target: "legacy", "reserving {qty} x {item}"); // below WARNING: dropped
        if qty > 3 {
            log::warn!(target: "legacy", item, qty; "large reservation");
        }
    }
}

fn handle_order(id: u64) {
    let span = tracing::info_span!(target: "shop", "order", id, customer = tracing::field::Empty);
    let _order = span.enter();
    span.record("customer", "ada");
    tracing::info!(target: "shop", items = 2, total = 19.5, "order received");
    {
        let _db = tracing::info_span!(target: "shop::db", "db", table = "stock").entered();
        tracing::debug!(target: "shop::db", "select for update"); // shown at DEBUG only
        legacy::reserve("widget", (id % 5) as u32 + 1);
    }
    log::info!(target: "shop", order = id; "order {id} shipped"); // no spans: `log`
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/tracing.yaml");
    // Installs the `log` backend and a global `tracing` subscriber.
    let handle = logfig::init_file(config)?;
    let stop_after = std::env::var("LOGFIG_EXAMPLE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map(Duration::from_secs_f64);
    let start = Instant::now();
    let mut id = 0;
    while stop_after.is_none_or(|d| start.elapsed() < d) {
        handle_order(id);
        id += 1;
        std::thread::sleep(Duration::from_millis(500));
    }
    handle.shutdown();
    Ok(())
}
