//! Logging to the systemd journal, configured in `examples/journald.yaml`:
//! the message, its priority, the logger, the code location and each
//! key-value become journal fields.
//!
//! Run it on a systemd host with `cargo run --features journald --example journald`, then
//! `journalctl -t shop -o json -n 2`. Without a journal the config is
//! refused at start, with the socket's path.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/journald.yaml");
    let handle = logfig::init_file(config)?;
    log::info!(target: "shop::cart", user = "bob", items = 3; "checkout started");
    log::error!(target: "shop::pay", order = 17; "payment failed:\ncard declined");
    handle.flush();
    Ok(())
}
