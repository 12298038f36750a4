//! Hello world with log4rs's default features: a `log4rs.yaml` read at start.

fn main() {
    log4rs::init_file("log4rs.yaml", Default::default()).expect("log4rs.yaml");
    log::info!("hello, world");
}
