//! Shipping records to an OpenTelemetry Collector, configured in
//! `examples/otlp.yaml`: each record becomes an OTLP log record with its
//! key-values as typed attributes, the logger as its scope and the
//! `resource` map (plus `OTEL_*` variables) as its resource.
//!
//! Start a collector with an OTLP receiver on port 4318 (the README shows
//! a config), then run `cargo run --features otlp --example otlp`. Without
//! a collector the records count as failed, and the statistics say so.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/otlp.yaml");
    let handle = logfig::init_file(config)?;
    log::info!(target: "shop::cart", user = "bob", items = 3, total = 41.5; "checkout started");
    log::warn!(target: "shop::pay", order = 17, retry = true; "card declined, retrying");
    log::info!(
        target: "shop::pay",
        trace_id = "4bf92f3577b34da6a3ce929d0e0e4736",
        span_id = "00f067aa0ba902b7";
        "payment accepted"
    );
    handle.flush(); // waits for the batch to be answered (at most close_timeout)
    let s = handle.stats()["otel"];
    log::warn!("otel: {} exported, {} failed", s.emitted, s.failed);
    Ok(())
}
