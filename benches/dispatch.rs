//! The cost of logfig's hot path, per record.
//!
//! - `disabled_other_target_debug`: a call whose target is below its logger's
//!   level while another logger is at DEBUG, so `log::max_level()` lets the
//!   call through and logfig has to decide;
//! - `enabled_pattern_null`: an enabled call into the `null` handler, which
//!   discards records without formatting them;
//! - `enabled_pattern_format`: an enabled call through a `%`-style formatter
//!   (asctime, padded level, name, message) into a handler that formats and
//!   discards;
//! - `enabled_pattern_format_100_loggers`: the same with 100 configured loggers;
//! - `installed_disabled_other_target_debug_log_macro` and `…_logfig_macro`:
//!   the first case with logfig installed as the global logger, through
//!   `log::debug!` and through logfig's own `logfig::debug!`, which caches the
//!   decision per call site.
//!
//! Run with `cargo bench --bench dispatch`.

use std::cell::RefCell;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use logfig::{Builder, Config, Dispatcher, Entry, Error, Format, Formatter, Handler};

/// Formats each record into a reused buffer and drops it.
#[derive(Debug)]
struct FormatOnly;

thread_local! {
    static BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

impl Handler for FormatOnly {
    fn emit(&self, entry: &Entry<'_>, formatter: &dyn Formatter) -> Result<(), Error> {
        BUF.with_borrow_mut(|buf| {
            buf.clear();
            formatter.format(entry, buf)?;
            black_box(buf.len());
            Ok(())
        })
    }
}

fn formatting(extra_loggers: usize) -> Dispatcher {
    let text = config_text(extra_loggers).replace(
        "{ type: null, formatter: plain }",
        "{ type: custom, factory: format_only, formatter: plain }",
    );
    Builder::new()
        .handler_factory("format_only", |_| Ok(Box::new(FormatOnly)))
        .build(&Config::from_str(&text, Format::Yaml).expect("bench config"))
        .expect("dispatcher")
}

fn config(extra_loggers: usize) -> Config {
    Config::from_str(&config_text(extra_loggers), Format::Yaml).expect("bench config")
}

fn config_text(extra_loggers: usize) -> String {
    let mut yaml = String::from(
        "version: 1\nformatters:\n  plain: { format: '%(asctime)s %(levelname)-8s %(name)s: %(message)s' }\n\
         handlers:\n  null: { type: null, formatter: plain }\nloggers:\n  other::db: { level: DEBUG }\n",
    );
    for i in 0..extra_loggers {
        yaml.push_str(&format!("  service{i}::module{i}: {{ level: INFO }}\n"));
    }
    yaml.push_str("root: { level: INFO, handlers: [null] }\n");
    yaml
}

/// A `log::Log` that decides nothing: the floor that `log`'s macros and the
/// `Record` they build cost before any backend runs.
struct Noop;

impl log::Log for Noop {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        false
    }
    fn log(&self, record: &log::Record<'_>) {
        black_box(record.level());
    }
    fn flush(&self) {}
}

fn bench(c: &mut Criterion) {
    // `log`'s macros check the global max level before calling a logger.
    log::set_max_level(log::LevelFilter::Debug);
    c.bench_function("floor_noop_logger", |b| {
        b.iter(|| log::debug!(logger: Noop, target: "bench", "request handled id={} latency_us={}", black_box(7), 7))
    });
    let d = Dispatcher::new(&config(0)).expect("dispatcher");
    c.bench_function("disabled_other_target_debug", |b| {
        b.iter(|| log::debug!(logger: d, target: "bench", "request handled id={} latency_us={}", black_box(7), 7))
    });
    c.bench_function("enabled_pattern_null", |b| {
        b.iter(|| log::info!(logger: d, target: "bench", "request handled id={} latency_us={}", black_box(7), 7))
    });
    let f = formatting(0);
    c.bench_function("enabled_pattern_format", |b| {
        b.iter(|| log::info!(logger: f, target: "bench", "request handled id={} latency_us={}", black_box(7), 7))
    });
    let f100 = formatting(100);
    c.bench_function("enabled_pattern_format_100_loggers", |b| {
        b.iter(|| {
            log::info!(logger: f100, target: "service42::module42::handler", "request handled id={} latency_us={}", black_box(7), 7)
        })
    });
    let d100 = Dispatcher::new(&config(100)).expect("dispatcher");
    c.bench_function("disabled_100_loggers", |b| {
        b.iter(|| log::debug!(logger: d100, target: "service42::module42::handler", "request handled id={}", black_box(7)))
    });
    // Last: installing sets the global logger and `log::max_level()` for good.
    let _handle = Builder::new()
        .init_str(&config_text(0), Format::Yaml)
        .expect("install");
    c.bench_function("installed_disabled_other_target_debug_log_macro", |b| {
        b.iter(
            || log::debug!(target: "bench", "request handled id={} latency_us={}", black_box(7), 7),
        )
    });
    c.bench_function("installed_disabled_other_target_debug_logfig_macro", |b| {
        b.iter(|| logfig::debug!(target: "bench", "request handled id={} latency_us={}", black_box(7), 7))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
