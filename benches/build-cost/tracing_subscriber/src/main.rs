//! Hello world with tracing-subscriber's `fmt` and `env-filter`, configured by
//! `RUST_LOG`.

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    tracing::info!("hello, world");
}
