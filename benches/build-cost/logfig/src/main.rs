//! Hello world with logfig's default features: a `logging.yaml` read at start.

fn main() {
    let _handle = logfig::init_file("logging.yaml").expect("logging.yaml");
    log::info!("hello, world");
}
