//! Reload costs, measured on real files.
//!
//! - `reload_by_rename`: from the rename of a new config over the old one to
//!   the moment a record at the new level passes (events, debounce, read,
//!   parse, build, swap);
//! - `log_call_during_reload_storm`: one enabled logging call while another
//!   thread applies a config every millisecond; the longest single call seen is
//!   printed at the end, since logging threads must never wait for a reload.
//!
//! Run with `cargo bench --bench reload`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use logfig::{Builder, Config, Format};

fn config(dir: &std::path::Path, level: &str) -> String {
    format!(
        "version: 1\nhandlers:\n  f: {{ type: file, path: '{}' }}\nroot: {{ level: {level}, handlers: [f] }}\n",
        dir.join("bench.log").display()
    )
}

fn reload_by_rename(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("logging.yaml");
    std::fs::write(&path, config(dir.path(), "INFO")).expect("write");
    let handle = Builder::new().build_file(&path).expect("build");
    let d = handle.dispatcher().clone();
    let debug = log::Metadata::builder()
        .level(log::Level::Debug)
        .target("bench")
        .build();
    let mut level_is_debug = false;
    let mut group = c.benchmark_group("reload");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(15));
    group.bench_function("reload_by_rename", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                level_is_debug = !level_is_debug;
                let text = config(dir.path(), if level_is_debug { "DEBUG" } else { "INFO" });
                let tmp = dir.path().join("logging.yaml.tmp");
                std::fs::write(&tmp, text).expect("write");
                let start = Instant::now();
                std::fs::rename(&tmp, &path).expect("rename");
                while log::Log::enabled(&d, &debug) != level_is_debug {
                    std::hint::spin_loop();
                    assert!(
                        start.elapsed() < Duration::from_secs(10),
                        "reload never happened"
                    );
                }
                total += start.elapsed();
            }
            total
        })
    });
    group.finish();
}

fn log_call_during_reload_storm(c: &mut Criterion) {
    log::set_max_level(log::LevelFilter::Trace);
    let dir = tempfile::tempdir().expect("temp dir");
    let configs = [
        Config::from_str(&config(dir.path(), "INFO"), Format::Yaml).expect("config"),
        Config::from_str(
            &config(dir.path(), "INFO").replace("handlers: [f]", "handlers: [f], filters: []"),
            Format::Yaml,
        )
        .expect("config"),
    ];
    let d = Builder::new().build(&configs[0]).expect("build");
    let stop = Arc::new(AtomicBool::new(false));
    let storm = {
        let (d, stop) = (d.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut i = 0usize;
            // A thousand reloads a second: far beyond any real deployment,
            // and leaves the logging thread a core on a 2-core machine.
            while !stop.load(Ordering::Relaxed) {
                let _ = d.apply(&configs[i % 2]);
                i += 1;
                std::thread::sleep(Duration::from_millis(1));
            }
            i
        })
    };
    let max_ns = AtomicU64::new(0);
    c.bench_function("log_call_during_reload_storm", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for i in 0..iters {
                let start = Instant::now();
                log::info!(logger: d, target: "bench", "request handled id={i}");
                let took = start.elapsed();
                max_ns.fetch_max(took.as_nanos() as u64, Ordering::Relaxed);
                total += took;
            }
            total
        })
    });
    stop.store(true, Ordering::Relaxed);
    let reloads = storm.join().expect("storm thread");
    #[allow(clippy::print_stderr)] // reason: criterion reports means; the max is reported here
    {
        eprintln!(
            "log_call_during_reload_storm: longest single call {:.1} µs over {reloads} reloads",
            max_ns.load(Ordering::Relaxed) as f64 / 1000.0
        );
    }
}

criterion_group!(benches, reload_by_rename, log_call_during_reload_storm);
criterion_main!(benches);
