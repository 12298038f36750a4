//! Loading a config: text → `Config`, for each format, at 1k to 1M values.
//!
//! - `load/<format>/<values>`: a config of `values` scalar values (loggers of
//!   `{level, propagate}`), one logger per line in YAML and TOML, the whole
//!   document on one line in JSON (minified, the hard case for columns). The
//!   id says whether the config was read or refused: at 1,000,000 values
//!   (20 MB) the text is over the 2 MiB a config may be, and the figure is
//!   the time to refuse it;
//! - `load/toml/garbage_1MB`: one megabyte of random printable text read as
//!   TOML (every line an error; diagnostics are capped);
//! - `load/<format>/50MB`: a 50 MB config, refused for its size;
//! - `load/yaml/cfg_bomb`: 20,000 `cfg://` references to a 20,000-item list,
//!   refused when the copies reach the budget.
//!
//! - `build_file/50_formatters_50_filters`: `Builder::build_file` of a
//!   config with 50 `%`-style formatters, 50 regex filters and 50 `null`
//!   handlers using them: load, validation and assembly, where compiling the
//!   patterns and regexes is most of the work (each is compiled once).
//!
//! Loading must be linear in the text: each tenfold step should cost about
//! ten times as much. Run with `cargo bench --bench load`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use logfig::{Config, Format};

#[path = "../tests/common/garbage.rs"]
mod garbage;
use garbage::garbage;

/// A config of `values` scalar values in `format`: loggers of two values,
/// one a line (JSON: all on one line).
fn config(format: Format, values: usize) -> String {
    let loggers = values / 2;
    let mut s = String::with_capacity(values * 20);
    match format {
        Format::Yaml => {
            s.push_str("version: 1\nloggers:\n");
            for i in 0..loggers {
                s.push_str(&format!("  m{i}: {{level: 20, propagate: no}}\n"));
            }
        }
        Format::Toml => {
            s.push_str("version = 1\n[loggers]\n");
            for i in 0..loggers {
                s.push_str(&format!("m{i}={{level=20,propagate=false}}\n"));
            }
        }
        _ => {
            s.push_str("{\"version\":1,\"loggers\":{");
            for i in 0..loggers {
                if i > 0 {
                    s.push(',');
                }
                s.push_str(&format!("\"m{i}\":{{\"level\":20,\"propagate\":false}}"));
            }
            s.push_str("}}");
        }
    }
    s
}

const FORMATS: [(Format, &str); 3] = [
    (Format::Yaml, "yaml"),
    (Format::Toml, "toml"),
    (Format::Json, "json"),
];

fn load(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for (format, name) in FORMATS {
        for values in [1_000, 10_000, 100_000, 1_000_000] {
            let text = config(format, values);
            // Whether the figure is for reading the config or refusing it.
            let verdict = match Config::from_str(&text, format) {
                Ok(_) => "read",
                Err(_) => "refused",
            };
            let id = BenchmarkId::new(name, format!("{values}/{verdict}"));
            group.bench_with_input(id, &text, |b, text| {
                b.iter(|| black_box(Config::from_str(text, format)).is_ok())
            });
        }
    }
    let text = garbage(1 << 20);
    group.bench_function("toml/garbage_1MB", |b| {
        b.iter(|| black_box(Config::from_str(&text, Format::Toml)).is_err())
    });
    let mut bomb = String::from("version: 1\nbig:\n");
    for i in 0..20_000 {
        bomb.push_str(&format!("  - {i}\n"));
    }
    bomb.push_str("data:\n");
    for i in 0..20_000 {
        bomb.push_str(&format!("  k{i}: cfg://big\n"));
    }
    group.bench_function("yaml/cfg_bomb", |b| {
        b.iter(|| black_box(Config::from_str(&bomb, Format::Yaml)).is_err())
    });
    for (format, name) in FORMATS {
        let mut text = config(format, 10);
        text.extend(std::iter::repeat_n(' ', 50_000_000));
        group.bench_function(format!("{name}/50MB"), |b| {
            b.iter(|| black_box(Config::from_str(&text, format)).is_err())
        });
    }
    group.finish();
}

/// A config of `n` formatters, `n` regex filters and `n` null handlers, each
/// handler with its own formatter and filter, all on the root; not watched.
fn compiled_config(n: usize) -> String {
    let mut text = String::from("version: 1\nreload: { enabled: false }\nformatters:\n");
    for i in 0..n {
        text += &format!(
            "  f{i}: {{ format: '%(asctime)s %(levelname)-8s [%(name)s] {i} %(message)s' }}\n"
        );
    }
    text += "filters:\n";
    for i in 0..n {
        text += &format!(
            "  r{i}: {{ type: regex, pattern: '^GET /(health|ready|v{i})\\b', action: deny }}\n"
        );
    }
    text += "handlers:\n";
    for i in 0..n {
        text += &format!("  h{i}: {{ type: null, formatter: f{i}, filters: [r{i}] }}\n");
    }
    let names: Vec<String> = (0..n).map(|i| format!("h{i}")).collect();
    text += &format!(
        "root: {{ level: INFO, handlers: [{}] }}\n",
        names.join(", ")
    );
    text
}

fn build_file(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("logging.yaml");
    std::fs::write(&path, compiled_config(50)).expect("write");
    let mut group = c.benchmark_group("build_file");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("50_formatters_50_filters", |b| {
        b.iter(|| black_box(logfig::Builder::new().build_file(&path).expect("builds")))
    });
    group.finish();
}

criterion_group!(benches, load, build_file);
criterion_main!(benches);
