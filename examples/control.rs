//! The control endpoint: change this program's levels from outside it.
//!
//! Run `cargo run --example control --features control`, open
//! <http://127.0.0.1:9009/> (token `s3cret-for-the-example`), or in another terminal:
//! `curl -H 'Authorization: Bearer s3cret-for-the-example' -d '{"configuredLevel":"DEBUG","ttl":"1m"}' http://127.0.0.1:9009/loggers/myapp.db`.
//! The program logs a DEBUG line to `myapp::db` every second; it shows while
//! the override lasts.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/control.yaml");
    let handle = logfig::init_file(config)?;
    log::info!("control endpoint on {:?}", handle.control_address());
    let rounds: u64 = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(u64::MAX);
    for i in 0..rounds {
        log::debug!(target: "myapp::db", "query {i}");
        log::info!(target: "myapp::web", "request {i}");
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
    Ok(())
}
