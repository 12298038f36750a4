//! The `queue` handler against the plain `file` handler, both writing the same
//! `%`-formatted line to a real file in a temporary directory.
//!
//! - `caller/file`, `caller/queue_file`: what one `log::info!` costs the
//!   calling thread. For the queue, only the logging loop is timed (the queue
//!   is large enough never to fill during a batch); the flush that waits for
//!   the worker runs outside the measurement.
//! - `throughput_100k/file`, `throughput_100k/queue_file`: the time to log
//!   100,000 records and flush them all to the file.
//!
//! Run with `cargo bench --bench queue`.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use logfig::{Config, Dispatcher, Format};

const FORMAT: &str = "%(asctime)s %(levelname)-8s %(name)s: %(message)s";
const BATCH: u64 = 100_000;

fn dispatcher(dir: &std::path::Path, queued: bool) -> Dispatcher {
    let path = dir.join("bench.log");
    let handlers = if queued {
        format!(
            "  f: {{ type: file, path: '{}', formatter: plain }}\n  q: {{ type: queue, handlers: [f], capacity: {BATCH} }}\n",
            path.display()
        )
    } else {
        format!(
            "  f: {{ type: file, path: '{}', formatter: plain }}\n",
            path.display()
        )
    };
    let root = if queued { "q" } else { "f" };
    let text = format!(
        "version: 1\nformatters:\n  plain: {{ format: '{FORMAT}' }}\nhandlers:\n{handlers}root: {{ level: INFO, handlers: [{root}] }}\n"
    );
    Dispatcher::new(&Config::from_str(&text, Format::Yaml).expect("bench config"))
        .expect("dispatcher")
}

fn log_batch(d: &Dispatcher, n: u64) -> Duration {
    let start = Instant::now();
    for i in 0..n {
        log::info!(logger: d, target: "app::orders", "order {i} accepted");
    }
    start.elapsed()
}

fn bench(c: &mut Criterion) {
    log::set_max_level(log::LevelFilter::Trace);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut g = c.benchmark_group("caller");
    for (name, queued) in [("file", false), ("queue_file", true)] {
        let d = dispatcher(dir.path(), queued);
        g.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                let mut left = iters;
                while left > 0 {
                    let n = left.min(BATCH / 2);
                    total += log_batch(&d, n);
                    d.flush_handlers(); // untimed: the queue starts each batch empty
                    left -= n;
                }
                total
            })
        });
        d.shutdown();
    }
    g.finish();

    let mut g = c.benchmark_group("throughput_100k");
    g.sample_size(10);
    for (name, queued) in [("file", false), ("queue_file", true)] {
        let d = dispatcher(dir.path(), queued);
        g.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    log_batch(&d, BATCH);
                    d.flush_handlers();
                    total += start.elapsed();
                }
                total
            })
        });
        d.shutdown();
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
