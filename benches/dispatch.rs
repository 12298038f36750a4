//! The cost of logfig's hot path, per record.
//!
//! - `disabled_other_target_debug`: a call whose target is below its logger's
//!   level while another logger is at DEBUG, so `log::max_level()` lets the
//!   call through and logfig has to decide;
//! - `enabled_pattern_null`: an enabled call through a `%`-style formatter
//!   into the `null` handler;
//! - `enabled_pattern_null_100_loggers`: the same with 100 configured loggers.
//!
//! Run with `cargo bench --bench dispatch`.

use criterion::{Criterion, criterion_group, criterion_main};
use logfig::{Config, Dispatcher, Format};
use std::hint::black_box;

fn config(extra_loggers: usize) -> Config {
    let mut yaml = String::from(
        "version: 1\nformatters:\n  plain: { format: '%(asctime)s %(levelname)-8s %(name)s: %(message)s' }\n\
         handlers:\n  null: { type: null, formatter: plain }\nloggers:\n  other::db: { level: DEBUG }\n",
    );
    for i in 0..extra_loggers {
        yaml.push_str(&format!("  service{i}::module{i}: {{ level: INFO }}\n"));
    }
    yaml.push_str("root: { level: INFO, handlers: [null] }\n");
    Config::from_str(&yaml, Format::Yaml).expect("bench config")
}

fn bench(c: &mut Criterion) {
    // `log`'s macros check the global max level before calling a logger.
    log::set_max_level(log::LevelFilter::Debug);
    let d = Dispatcher::new(&config(0)).expect("dispatcher");
    c.bench_function("disabled_other_target_debug", |b| {
        b.iter(|| log::debug!(logger: d, target: "bench", "request handled id={} latency_us={}", black_box(7), 7))
    });
    c.bench_function("enabled_pattern_null", |b| {
        b.iter(|| log::info!(logger: d, target: "bench", "request handled id={} latency_us={}", black_box(7), 7))
    });
    let d100 = Dispatcher::new(&config(100)).expect("dispatcher");
    c.bench_function("enabled_pattern_null_100_loggers", |b| {
        b.iter(|| {
            log::info!(logger: d100, target: "service42::module42::handler", "request handled id={} latency_us={}", black_box(7), 7)
        })
    });
    c.bench_function("disabled_100_loggers", |b| {
        b.iter(|| log::debug!(logger: d100, target: "service42::module42::handler", "request handled id={}", black_box(7)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
