//! Hello world with env_logger's default features, configured by `RUST_LOG`.

fn main() {
    env_logger::init();
    log::info!("hello, world");
}
