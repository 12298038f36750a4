//! logfig's internals one at a time, so that a regression shows up where it
//! happens.
//!
//! - `lookup/<n>_loggers`: deciding the level of a target among `n`
//!   configured loggers, with the per-thread decision cache defeated (1,024
//!   distinct targets in turn): what the first call from a target costs, and
//!   every call when a program has more live targets than the cache keeps;
//! - `format/<style>`: one record through each formatter (`%`, `{`, `$`
//!   patterns with the same fields, and JSON) into a reused buffer;
//! - `handler/<type>`: one enabled `log::info!` through the whole path into
//!   each handler type, its output going nowhere that costs: `/dev/null` for
//!   the file kinds, a `null` handler behind `queue` and `memory`, and for the
//!   network kinds a reader on 127.0.0.1 (for `otlp`, an HTTP server answering
//!   200; for `journald`, a datagram socket in a temporary directory) that
//!   discards what it gets;
//! - `apply/swap`: building a graph from a config and swapping it in (what a
//!   reload costs once the file is parsed), handlers reused.
//!
//! Run with `cargo bench --bench internals` (`-- lookup` for one group).

use std::hint::black_box;
use std::io::Read;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use logfig::config::{Escape, FormatStyle, JsonFormatterConfig, PatternFormatterConfig};
use logfig::{Config, Dispatcher, Entry, Format, Formatter, JsonFormatter, PatternFormatter};

fn dispatcher(yaml: &str) -> Dispatcher {
    Dispatcher::new(&Config::from_str(yaml, Format::Yaml).expect("bench config"))
        .expect("dispatcher")
}

fn lookup(c: &mut Criterion) {
    let targets: Vec<String> = (0..1024)
        .map(|i| format!("service{}::module{}::handler", i % 1000, i))
        .collect();
    let mut g = c.benchmark_group("lookup");
    for n in [1usize, 10, 100, 1000] {
        let mut yaml = String::from("version: 1\nhandlers:\n  n: { type: null }\nloggers:\n");
        for i in 0..n {
            yaml.push_str(&format!("  service{i}::module{i}: {{ level: INFO }}\n"));
        }
        // One logger at DEBUG, so `log`'s global level lets DEBUG calls in.
        yaml.push_str("  other: { level: DEBUG }\nroot: { level: INFO, handlers: [n] }\n");
        let d = dispatcher(&yaml);
        let mut i = 0usize;
        g.bench_function(BenchmarkId::from_parameter(format!("{n}_loggers")), |b| {
            b.iter(|| {
                i = (i + 1) & 1023;
                let t: &str = &targets[i];
                log::debug!(logger: d, target: t, "request handled id={}", black_box(7));
            })
        });
    }
    g.finish();
}

/// Formats one INFO record with `args` and `kvs` into `buf`.
fn format_one(
    f: &dyn Formatter,
    args: std::fmt::Arguments<'_>,
    kvs: &[(&str, log::kv::Value<'_>)],
    buf: &mut Vec<u8>,
) {
    let record = log::Record::builder()
        .args(args)
        .level(log::Level::Info)
        .target("app::orders")
        .module_path_static(Some("app::orders"))
        .file_static(Some("src/orders.rs"))
        .line(Some(42))
        .key_values(&kvs)
        .build();
    f.format(&Entry::new(&record), buf).expect("format");
}

fn format(c: &mut Criterion) {
    let kvs: &[(&str, log::kv::Value<'_>)] = &[("user", log::kv::Value::from("ann"))];
    let fields = [
        (
            "percent",
            FormatStyle::Percent,
            "%(asctime)s %(levelname)-8s %(name)s: %(message)s",
        ),
        (
            "brace",
            FormatStyle::Brace,
            "{asctime} {levelname:<8} {name}: {message}",
        ),
        (
            "dollar",
            FormatStyle::Dollar,
            "${asctime} ${levelname} ${name}: ${message}",
        ),
    ];
    let mut formatters: Vec<(&str, Box<dyn Formatter>)> = fields
        .iter()
        .map(|(name, style, format)| {
            let mut config = PatternFormatterConfig::default();
            config.format = Some((*format).to_owned());
            config.style = *style;
            let f: Box<dyn Formatter> = Box::new(PatternFormatter::new(&config).expect("pattern"));
            (*name, f)
        })
        .collect();
    // The same `%` format writing record text as it is: the cost of the
    // default escaping (`escape: control`), measured in the same run.
    let mut config = PatternFormatterConfig::default();
    config.format = Some(fields[0].2.to_owned());
    config.escape = Escape::None;
    formatters.push((
        "percent_escape_none",
        Box::new(PatternFormatter::new(&config).expect("pattern")),
    ));
    formatters.push((
        "json",
        Box::new(JsonFormatter::new(&JsonFormatterConfig::default()).expect("json")),
    ));
    let mut g = c.benchmark_group("format");
    let mut buf = Vec::with_capacity(512);
    for (name, f) in &formatters {
        g.bench_function(*name, |b| {
            b.iter(|| {
                buf.clear();
                format_one(
                    &**f,
                    format_args!("request handled id={} latency_us={}", black_box(7), 7),
                    kvs,
                    &mut buf,
                );
                black_box(buf.len());
            })
        });
    }
    g.finish();
}

/// A TCP listener on 127.0.0.1 whose connections are read and discarded.
fn tcp_sink() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut conn = conn;
                let mut buf = [0u8; 1 << 16];
                while matches!(conn.read(&mut buf), Ok(n) if n > 0) {}
            });
        }
    });
    port
}

/// A UDP socket on 127.0.0.1 whose datagrams are read and discarded.
fn udp_sink() -> u16 {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port = socket.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut buf = [0u8; 1 << 16];
        while socket.recv(&mut buf).is_ok() {}
    });
    port
}

/// An HTTP/1.1 server on 127.0.0.1 that answers every request 200 with an
/// empty body (the `otlp` handler's collector).
#[cfg(feature = "otlp")]
fn http_sink() -> u16 {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(conn.try_clone().expect("clone"));
                let mut conn = conn;
                loop {
                    let mut length = 0;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).is_err()
                        || conn
                            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                            .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    port
}

/// A datagram socket in `dir` whose datagrams are read and discarded (the
/// `journald` handler's journal).
#[cfg(all(target_os = "linux", feature = "journald"))]
fn journal_sink(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("journal.socket");
    let socket = std::os::unix::net::UnixDatagram::bind(&path).expect("bind");
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 1 << 20];
        while socket.recv(&mut buf).is_ok() {}
    });
    path
}

fn handlers(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let rotating = dir.path().join("rotating.log");
    let (tcp, udp, syslog) = (tcp_sink(), udp_sink(), udp_sink());
    #[allow(unused_mut)] // reason: the platform outputs are added per feature and OS
    let mut kinds: Vec<(&str, String)> = vec![
        ("null", "{ type: null }".into()),
        ("file", "{ type: file, path: /dev/null }".into()),
        (
            "file_buffered",
            "{ type: file, path: /dev/null, buffer: 64KiB, flush_level: ERROR }".into(),
        ),
        (
            "rotating_file",
            format!(
                "{{ type: rotating_file, path: '{}', max_bytes: 1GiB, backups: 1 }}",
                rotating.display()
            ),
        ),
        (
            "watched_file",
            "{ type: watched_file, path: /dev/null }".into(),
        ),
        ("queue", "{ type: queue, handlers: [sink] }".into()),
        (
            "memory",
            "{ type: memory, target: sink, capacity: 100 }".into(),
        ),
        (
            "tcp",
            format!("{{ type: tcp, host: 127.0.0.1, port: {tcp} }}"),
        ),
        (
            "udp",
            format!("{{ type: udp, host: 127.0.0.1, port: {udp} }}"),
        ),
        (
            "syslog_udp",
            format!("{{ type: syslog, host: 127.0.0.1, port: {syslog}, app_name: bench }}"),
        ),
    ];
    #[cfg(feature = "otlp")]
    kinds.push((
        "otlp",
        format!(
            "{{ type: otlp, endpoint: 'http://127.0.0.1:{}/v1/logs' }}",
            http_sink()
        ),
    ));
    #[cfg(all(target_os = "linux", feature = "journald"))]
    kinds.push((
        "journald",
        format!(
            "{{ type: journald, path: '{}' }}",
            journal_sink(dir.path()).display()
        ),
    ));
    let mut g = c.benchmark_group("handler");
    for (name, handler) in &kinds {
        let d = dispatcher(&format!(
            "version: 1\nformatters:\n  plain: {{ format: '%(asctime)s %(levelname)-8s %(name)s: %(message)s' }}\n\
             handlers:\n  h: {{ formatter: plain, {}\n  sink: {{ type: null }}\n\
             root: {{ level: INFO, handlers: [h] }}\n",
            handler.trim_start_matches('{')
        ));
        g.bench_function(*name, |b| {
            b.iter(|| {
                log::info!(logger: d, target: "app::orders", "request handled id={} latency_us={}", black_box(7), 7)
            })
        });
        // Bounded buffers (queue, network) drain before the next kind runs.
        d.shutdown();
    }
    g.finish();
}

fn apply(c: &mut Criterion) {
    let config = |level: &str| {
        Config::from_str(
            &format!(
                "version: 1\nformatters:\n  plain: {{ format: '%(asctime)s %(levelname)s %(name)s: %(message)s' }}\n\
                 handlers:\n  out: {{ type: file, path: /dev/null, formatter: plain }}\n\
                 loggers:\n  app::db: {{ level: {level} }}\n  app::web: {{ level: WARNING }}\n\
                 root: {{ level: INFO, handlers: [out] }}\n"
            ),
            Format::Yaml,
        )
        .expect("bench config")
    };
    let (a, b) = (config("DEBUG"), config("INFO"));
    let d = Dispatcher::new(&a).expect("dispatcher");
    let mut flip = false;
    c.bench_function("apply/swap", |bench| {
        bench.iter(|| {
            flip = !flip;
            d.apply(if flip { &b } else { &a }).expect("apply");
        })
    });
}

fn bench(c: &mut Criterion) {
    // `log`'s macros check the global max level before calling a logger.
    log::set_max_level(log::LevelFilter::Trace);
    lookup(c);
    format(c);
    handlers(c);
    apply(c);
}

criterion_group!(benches, bench);
criterion_main!(benches);
