//! logfig's `tracing` layer against tracing-subscriber's own stack, in one run.
//!
//! Three subscribers, each with the same filter meaning (`INFO`, `other::db` at
//! `DEBUG`, so `tracing`'s global max level lets DEBUG calls through and each
//! stack has to decide per callsite):
//!
//! - `logfig`: `registry()` + logfig's layer, into a handler that formats each
//!   record with `%(asctime)s %(levelname)-8s %(name)s: %(message)s %(kv)s`
//!   into a reused buffer and drops it;
//! - `fmt_envfilter`: `registry()` + `EnvFilter` + the `fmt` layer (no ANSI)
//!   writing to `std::io::sink`;
//! - `fmt_reload_envfilter`: the same with the `EnvFilter` inside
//!   `tracing_subscriber::reload::Layer`, the usual way to change levels at run
//!   time without logfig.
//!
//! For each, `disabled` is a DEBUG event at a target whose level is INFO, and
//! `enabled` an INFO event with a formatted message and two fields. The same
//! two callsites serve all three subscribers; only one subscriber lives at a
//! time, so each gets its own interest.
//!
//! Run with `cargo bench --features tracing --bench tracing`.

use std::cell::RefCell;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use logfig::{Builder, Config, Entry, Error, Format, Formatter, Handler};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{EnvFilter, fmt, reload};

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

const CONFIG: &str = "version: 1
formatters:
  plain: { format: '%(asctime)s %(levelname)-8s %(name)s: %(message)s %(kv)s' }
handlers:
  out: { type: custom, factory: format_only, formatter: plain }
loggers:
  other::db: { level: DEBUG }
root: { level: INFO, handlers: [out] }
";

/// The same meaning as `CONFIG`'s levels.
const DIRECTIVES: &str = "info,other::db=debug";

#[inline(never)]
fn disabled() {
    tracing::debug!(target: "bench::app", n = 1, "cache miss {}", 42);
}

#[inline(never)]
fn enabled() {
    tracing::info!(target: "bench::app", user = "bob", n = 42, "request {} in {}ms", "done", 12);
}

fn run(c: &mut Criterion, name: &str, subscriber: impl tracing::Subscriber + Send + Sync) {
    tracing::subscriber::with_default(subscriber, || {
        let mut group = c.benchmark_group(name);
        group.bench_function("disabled", |b| b.iter(disabled));
        group.bench_function("enabled", |b| b.iter(enabled));
        group.finish();
    });
}

fn bench(c: &mut Criterion) {
    let dispatcher = Builder::new()
        .handler_factory("format_only", |_| Ok(Box::new(FormatOnly)))
        .build(&Config::from_str(CONFIG, Format::Yaml).expect("bench config"))
        .expect("dispatcher");
    run(
        c,
        "logfig",
        tracing_subscriber::registry().with(dispatcher.tracing_layer()),
    );

    run(
        c,
        "fmt_envfilter",
        tracing_subscriber::registry()
            .with(EnvFilter::new(DIRECTIVES))
            .with(fmt::layer().with_ansi(false).with_writer(std::io::sink)),
    );

    let (filter, _handle) = reload::Layer::new(EnvFilter::new(DIRECTIVES));
    run(
        c,
        "fmt_reload_envfilter",
        tracing_subscriber::registry()
            .with(filter)
            .with(fmt::layer().with_ansi(false).with_writer(std::io::sink)),
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
