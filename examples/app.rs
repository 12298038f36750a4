//! An app that logs at every level from several modules, in a loop, under
//! `examples/logging.yaml`. Edit that file while it runs and watch the output
//! follow (levels, formats, filters, outputs).
//!
//! Run it with `cargo run --example app` (`-- examples/logging.ini` for the
//! same config in Python's fileConfig form); stop it with Ctrl-C. With
//! `LOGFIG_EXAMPLE_SECONDS=N` it stops by itself after N seconds.

use std::time::{Duration, Instant};

mod db {
    pub(crate) fn query(i: u64) {
        log::trace!("planning query {i}");
        log::debug!("select * from orders where id = {i}");
        if i % 7 == 0 {
            log::warn!("query {i} took {} ms", 100 + i % 300);
        }
    }
}

mod http {
    pub(crate) fn serve(i: u64) {
        log::info!(method = "GET", status = 200; "GET /health 200");
        log::info!(method = "GET", status = 200, request = i; "GET /orders/{i} 200");
        if i % 11 == 0 {
            log::error!(status = 503; "GET /checkout 503: upstream unavailable");
        }
    }
}

mod jobs {
    pub(crate) fn tick(i: u64) {
        log::info!("job tick {i}");
        if i % 5 == 0 {
            log::warn!("job queue is {} deep", i % 50);
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo run --example app -- examples/logging.ini` runs the fileConfig form.
    let config = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/logging.yaml").to_owned()
    });
    let config = config.as_str();
    let handle = logfig::init_file(config)?;
    log::info!("logging under {config}; edit it and watch this output change (Ctrl-C stops)");
    let stop_after = std::env::var("LOGFIG_EXAMPLE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map(Duration::from_secs_f64);
    let start = Instant::now();
    let mut i = 0u64;
    while stop_after.is_none_or(|d| start.elapsed() < d) {
        db::query(i);
        http::serve(i);
        jobs::tick(i);
        i += 1;
        std::thread::sleep(Duration::from_millis(500));
    }
    handle.shutdown();
    Ok(())
}
