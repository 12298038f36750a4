//! One peer, one scenario, one process: install the peer as the global logger
//! (where it has one), log N records with the common call site, flush or drain,
//! and report the time per record.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Instant, SystemTime};

/// The file every peer writes to, inside its run's directory.
pub const LOG_FILE: &str = "bench.log";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// The call's level is above every configured level.
    Disabled,
    /// The call's target is below its logger's level while another target is
    /// at DEBUG, so the `log` facade's `max_level` lets the call through.
    DisabledOtherDebug,
    File1t,
    File2t,
    /// Through the peer's queue/async mode, timed until the queue is drained.
    AsyncSustained,
    /// Many records through one thread; resident size at 10% and at 100%.
    Memory,
    /// As `Memory`, through the peer's queue.
    MemoryQueue,
}

pub const SCENARIOS: [Scenario; 7] = [
    Scenario::Disabled,
    Scenario::DisabledOtherDebug,
    Scenario::File1t,
    Scenario::File2t,
    Scenario::AsyncSustained,
    Scenario::Memory,
    Scenario::MemoryQueue,
];

impl Scenario {
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Disabled => "disabled",
            Scenario::DisabledOtherDebug => "disabled_other_debug",
            Scenario::File1t => "file_1t",
            Scenario::File2t => "file_2t",
            Scenario::AsyncSustained => "async_sustained",
            Scenario::Memory => "memory",
            Scenario::MemoryQueue => "memory_queue",
        }
    }

    pub fn is_memory(self) -> bool {
        matches!(self, Scenario::Memory | Scenario::MemoryQueue)
    }

    pub fn is_disabled(self) -> bool {
        matches!(self, Scenario::Disabled | Scenario::DisabledOtherDebug)
    }

    fn threads(self) -> u64 {
        if self == Scenario::File2t { 2 } else { 1 }
    }

    /// The levels of the scenario, for peers configured by level names.
    fn levels(self) -> Levels {
        match self {
            Scenario::Disabled => Levels::AllWarn,
            Scenario::DisabledOtherDebug => Levels::OtherDebug,
            _ => Levels::BenchInfo,
        }
    }
}

impl FromStr for Scenario {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        SCENARIOS
            .into_iter()
            .find(|x| x.name() == s)
            .ok_or_else(|| format!("unknown scenario `{s}`"))
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Levels {
    /// Everything at WARN: `info!` is below every level.
    AllWarn,
    /// `bench` at WARN, `other` at DEBUG, the rest at WARN.
    OtherDebug,
    /// `bench` at INFO, the rest at WARN.
    BenchInfo,
}

impl Levels {
    /// As an `env_logger` / `flexi_logger` / `EnvFilter` spec.
    fn spec(self) -> &'static str {
        match self {
            Levels::AllWarn => "warn",
            Levels::OtherDebug => "warn,bench=warn,other=debug",
            Levels::BenchInfo => "warn,bench=info",
        }
    }

    /// The most verbose level anything is enabled at.
    fn max(self) -> log::LevelFilter {
        match self {
            Levels::AllWarn => log::LevelFilter::Warn,
            Levels::OtherDebug => log::LevelFilter::Debug,
            Levels::BenchInfo => log::LevelFilter::Info,
        }
    }

    /// The level of the `bench` target.
    fn bench(self) -> log::LevelFilter {
        match self {
            Levels::BenchInfo => log::LevelFilter::Info,
            _ => log::LevelFilter::Warn,
        }
    }
}

/// A peer (a row of the table) and the scenarios it has.
#[derive(Clone, Copy, Debug)]
pub struct Peer {
    pub id: &'static str,
    /// The row label.
    pub label: &'static str,
    pub scenarios: &'static [Scenario],
    /// Its async mode may drop records by design: the suite reports the loss
    /// instead of failing.
    pub lossy_async: bool,
    /// Shown in the async column for peers without an async mode.
    pub no_async: bool,
}

use Scenario::{
    AsyncSustained as A, Disabled as D, DisabledOtherDebug as O, File1t as F1, File2t as F2,
    Memory as M, MemoryQueue as MQ,
};

const LOG_ALL: &[Scenario] = &[D, O, F1, F2];

pub const PEERS: &[Peer] = &[
    peer("atomic", "baseline: one atomic load + compare", &[D], false),
    peer(
        "bufwriter",
        "baseline: `BufWriter<File>` + `write!`",
        &[F1, F2],
        false,
    ),
    peer(
        "write",
        "baseline: one `write(2)` per line, O_APPEND, no lock",
        &[F1, F2],
        false,
    ),
    peer(
        "logfig",
        "**logfig** (default: one `write` per record)",
        &[D, O, F1, F2, A, M, MQ],
        false,
    ),
    peer(
        "logfig-macros",
        "**logfig** (own macros: `logfig::info!`)",
        &[D, O],
        false,
    ),
    peer(
        "logfig-buffered",
        "**logfig** (`flush_level: ERROR`, `buffer: 64KiB`; async: `queue` in front)",
        &[F1, F2, A, M],
        false,
    ),
    peer("log4rs", "log4rs 1.4", LOG_ALL, true),
    peer("fern", "fern 0.7", LOG_ALL, true),
    peer(
        "flexi",
        "flexi_logger 0.31 (default, async = `WriteMode::Async`)",
        &[D, O, F1, F2, A],
        false,
    ),
    peer(
        "flexi-buffer",
        "flexi_logger 0.31 (BufferAndFlush)",
        &[F1, F2],
        false,
    ),
    peer("env_logger", "env_logger 0.11", LOG_ALL, true),
    peer(
        "tracing",
        "tracing 0.1 + fmt (native macros; async = non_blocking, lossless)",
        &[D, O, F1, F2, A],
        false,
    ),
    peer(
        "tracing-log",
        "`log` macros through tracing-log",
        LOG_ALL,
        false,
    ),
    peer(
        "spdlog",
        "spdlog-rs 0.5 (native macros; async = AsyncPoolSink, Block)",
        &[D, F1, F2, A],
        false,
    ),
    peer(
        "slog",
        "slog 2 + slog-term (async = slog-async, Block)",
        &[D, F1, F2, A],
        false,
    ),
    Peer {
        id: "ftlog",
        label: "ftlog 0.2 (always async; default bounded queue, drops when full)",
        scenarios: &[D, O, A],
        lossy_async: true,
        no_async: false,
    },
];

const fn peer(
    id: &'static str,
    label: &'static str,
    scenarios: &'static [Scenario],
    no_async: bool,
) -> Peer {
    Peer {
        id,
        label,
        scenarios,
        lossy_async: false,
        no_async,
    }
}

pub fn find(id: &str) -> Result<&'static Peer, String> {
    PEERS
        .iter()
        .find(|p| p.id == id)
        .ok_or_else(|| format!("unknown peer `{id}`"))
}

pub fn cases() -> Vec<(&'static str, Vec<&'static str>)> {
    PEERS
        .iter()
        .map(|p| (p.id, p.scenarios.iter().map(|s| s.name()).collect()))
        .collect()
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Status {
    pub rss_kib: u64,
    pub hwm_kib: u64,
}

#[derive(Clone, Copy, Debug)]
pub struct Memory {
    pub at_10: Status,
    pub at_100: Status,
}

#[derive(Debug)]
pub struct Output {
    pub ns_per_msg: f64,
    pub memory: Option<Memory>,
}

/// The peer has no such mode (for example logfig's `queue` handler type does
/// not exist yet): the child prints this and the suite shows `n/a`.
pub const NOT_AVAILABLE: &str = "not available: ";

/// Runs `log` for ids `0..n` (split in two halves over two threads in
/// `file_2t`), drops it (with whatever it owns), then runs `finish` (flush,
/// drain, join), and times all of it.
fn drive<F: Fn(u64) + Sync>(scenario: Scenario, n: u64, log: F, finish: impl FnOnce()) -> Output {
    let start = Instant::now();
    let mut memory = None;
    match scenario.threads() {
        2 => {
            let half = n / 2;
            std::thread::scope(|s| {
                let log = &log;
                let other = s.spawn(move || (0..half).for_each(log));
                (half..n).for_each(log);
                other.join().expect("logging thread panicked");
            });
        }
        _ if scenario.is_memory() => {
            let tenth = n / 10;
            (0..tenth).for_each(&log);
            let at_10 = status();
            (tenth..n).for_each(&log);
            memory = Some(at_10);
        }
        _ => (0..n).for_each(&log),
    }
    drop(log);
    finish();
    let elapsed = start.elapsed();
    Output {
        ns_per_msg: elapsed.as_nanos() as f64 / n.max(1) as f64,
        memory: memory.map(|at_10| Memory {
            at_10,
            at_100: status(),
        }),
    }
}

/// VmRSS and VmHWM of this process, from `/proc/self/status`.
fn status() -> Status {
    let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    Status {
        rss_kib: field("VmRSS:"),
        hwm_kib: field("VmHWM:"),
    }
}

/// The common call site, through the `log` facade.
macro_rules! log_call {
    ($i:expr) => {
        log::info!(target: "bench", "request handled id={} latency_us={}", $i, $i % 1000)
    };
}

fn open_append(path: &Path) -> Result<File, String> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// The reference line's timestamp: `2026-11-27T10:15:34.630050Z`.
fn now_micros() -> humantime::Rfc3339Timestamp {
    humantime::format_rfc3339_micros(SystemTime::now())
}

pub fn run(id: &str, scenario: Scenario, n: u64, dir: &Path) -> Result<Output, String> {
    let peer = find(id)?;
    if !peer.scenarios.contains(&scenario) {
        return Err(format!("peer `{id}` has no scenario `{scenario}`"));
    }
    let path = dir.join(LOG_FILE);
    match id {
        "atomic" => Ok(atomic(scenario, n)),
        "bufwriter" => bufwriter(scenario, n, &path),
        "write" => write_per_line(scenario, n, &path),
        "logfig" => logfig(scenario, n, &path, false),
        "logfig-macros" => logfig_macros(scenario, n, &path),
        "logfig-buffered" => logfig(scenario, n, &path, true),
        "log4rs" => log4rs(scenario, n, &path),
        "fern" => fern(scenario, n, &path),
        "flexi" => flexi(scenario, n, &path, false),
        "flexi-buffer" => flexi(scenario, n, &path, true),
        "env_logger" => env_logger(scenario, n, &path),
        "tracing" => tracing(scenario, n, &path, false),
        "tracing-log" => tracing(scenario, n, &path, true),
        "spdlog" => spdlog(scenario, n, &path),
        "slog" => slog(scenario, n, &path),
        "ftlog" => ftlog(scenario, n, &path),
        _ => Err(format!("peer `{id}` has no runner")),
    }
}

// ---------------------------------------------------------------- baselines

static LEVEL: AtomicUsize = AtomicUsize::new(log::LevelFilter::Warn as usize);

fn atomic(scenario: Scenario, n: u64) -> Output {
    drive(
        scenario,
        n,
        |i| {
            // `black_box` keeps the load in the loop, as the `log` macros' load
            // of `max_level` is (it sits behind a call the optimizer cannot see
            // through); without it the whole loop folds away.
            if std::hint::black_box(&LEVEL).load(Ordering::Relaxed) >= log::Level::Info as usize {
                std::hint::black_box(i);
            }
        },
        || {},
    )
}

fn bufwriter(scenario: Scenario, n: u64, path: &Path) -> Result<Output, String> {
    let file = open_append(path)?;
    if scenario.threads() == 1 {
        // No lock: one thread owns the writer.
        let out = std::cell::RefCell::new(BufWriter::new(file));
        let log = |i: u64| {
            let mut w = out.borrow_mut();
            let _ = writeln!(
                w,
                "{}  INFO bench: request handled id={} latency_us={}",
                now_micros(),
                i,
                i % 1000
            );
        };
        // `RefCell` is not `Sync`: run the single-threaded loop by hand.
        let start = Instant::now();
        (0..n).for_each(log);
        out.borrow_mut().flush().map_err(|e| e.to_string())?;
        let ns = start.elapsed().as_nanos() as f64 / n.max(1) as f64;
        return Ok(Output {
            ns_per_msg: ns,
            memory: None,
        });
    }
    let out = Mutex::new(BufWriter::new(file));
    let log = |i: u64| {
        let mut w = out.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = writeln!(
            w,
            "{}  INFO bench: request handled id={} latency_us={}",
            now_micros(),
            i,
            i % 1000
        );
    };
    Ok(drive(scenario, n, log, || {
        let _ = out.lock().unwrap_or_else(PoisonError::into_inner).flush();
    }))
}

thread_local! {
    static LINE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn write_per_line(scenario: Scenario, n: u64, path: &Path) -> Result<Output, String> {
    let file = open_append(path)?;
    let log = |i: u64| {
        LINE.with_borrow_mut(|buf| {
            buf.clear();
            let _ = writeln!(
                buf,
                "{}  INFO bench: request handled id={} latency_us={}",
                now_micros(),
                i,
                i % 1000
            );
            let _ = (&file).write_all(buf);
        });
    };
    Ok(drive(scenario, n, log, || {}))
}

// ---------------------------------------------------------------- logfig

fn logfig(scenario: Scenario, n: u64, path: &Path, buffered: bool) -> Result<Output, String> {
    let loggers = match scenario.levels() {
        Levels::AllWarn => "{}",
        Levels::OtherDebug => "{ bench: { level: WARNING }, other: { level: DEBUG } }",
        Levels::BenchInfo => "{ bench: { level: INFO } }",
    };
    let file_extra = if buffered {
        ", flush_level: ERROR, buffer: 64KiB"
    } else {
        ""
    };
    let base = format!(
        "version: 1
formatters:
  line:
    format: '%(asctime)s.%(msecs)03dZ %(levelname)5s %(name)s: %(message)s'
    datefmt: '%Y-%m-%dT%H:%M:%S'
    utc: true
handlers:
  file: {{ type: file, path: '{}', formatter: line{file_extra} }}
loggers: {loggers}
",
        path.display()
    );
    if matches!(scenario, Scenario::AsyncSustained | Scenario::MemoryQueue) {
        return logfig_queue(scenario, n, &base);
    }
    let handle = logfig::init_str(
        &format!("{base}root: {{ level: WARNING, handlers: [file] }}\n"),
        logfig::Format::Yaml,
    )
    .map_err(|e| format!("logfig: {e}"))?;
    Ok(drive(
        scenario,
        n,
        |i| log_call!(i),
        move || {
            handle.flush();
            handle.shutdown();
        },
    ))
}

/// logfig with its own macros, which cache the level decision per call site:
/// the same call site shape and config as `logfig`, `logfig::info!` for
/// `log::info!`.
fn logfig_macros(scenario: Scenario, n: u64, path: &Path) -> Result<Output, String> {
    let loggers = match scenario.levels() {
        Levels::OtherDebug => "{ bench: { level: WARNING }, other: { level: DEBUG } }",
        _ => "{}",
    };
    let text = format!(
        "version: 1
handlers:
  file: {{ type: file, path: '{}' }}
loggers: {loggers}
root: {{ level: WARNING, handlers: [file] }}
",
        path.display()
    );
    let handle =
        logfig::init_str(&text, logfig::Format::Yaml).map_err(|e| format!("logfig: {e}"))?;
    Ok(drive(
        scenario,
        n,
        |i| logfig::info!(target: "bench", "request handled id={} latency_us={}", i, i % 1000),
        move || {
            handle.flush();
            handle.shutdown();
        },
    ))
}

fn logfig_queue(scenario: Scenario, n: u64, base: &str) -> Result<Output, String> {
    // The queue handler goes into the `handlers` map, after `file`.
    let text = base.replacen(
        "\nloggers:",
        "\n  queue: { type: queue, handlers: [file] }\nloggers:",
        1,
    ) + "root: { level: WARNING, handlers: [queue] }\n";
    let handle = logfig::init_str(&text, logfig::Format::Yaml).map_err(|e| {
        let e = e.to_string();
        format!(
            "{NOT_AVAILABLE}logfig's `type: queue` does not load: {}",
            e.lines().next().unwrap_or("")
        )
    })?;
    Ok(drive(
        scenario,
        n,
        |i| log_call!(i),
        move || {
            handle.flush();
            handle.shutdown();
        },
    ))
}

// ---------------------------------------------------------------- log backends

fn log4rs(scenario: Scenario, n: u64, path: &Path) -> Result<Output, String> {
    use log4rs::append::file::FileAppender;
    use log4rs::config::{Appender, Config, Logger, Root};
    use log4rs::encode::pattern::PatternEncoder;

    let encoder = PatternEncoder::new("{d(%Y-%m-%dT%H:%M:%S%.6fZ)(utc)} {l:>5} {t}: {m}{n}");
    let appender = FileAppender::builder()
        .encoder(Box::new(encoder))
        .build(path)
        .map_err(|e| format!("log4rs: {e}"))?;
    let levels = scenario.levels();
    let mut config =
        Config::builder().appender(Appender::builder().build("file", Box::new(appender)));
    if levels != Levels::AllWarn {
        config = config.logger(Logger::builder().build("bench", levels.bench()));
    }
    if levels == Levels::OtherDebug {
        config = config.logger(Logger::builder().build("other", log::LevelFilter::Debug));
    }
    let config = config
        .build(
            Root::builder()
                .appender("file")
                .build(log::LevelFilter::Warn),
        )
        .map_err(|e| format!("log4rs: {e}"))?;
    log4rs::init_config(config).map_err(|e| format!("log4rs: {e}"))?;
    Ok(drive(
        scenario,
        n,
        |i| log_call!(i),
        || log::logger().flush(),
    ))
}

fn fern(scenario: Scenario, n: u64, path: &Path) -> Result<Output, String> {
    let levels = scenario.levels();
    let mut dispatch = fern::Dispatch::new()
        .format(|out, message, record| {
            out.finish(format_args!(
                "{} {:>5} {}: {}",
                now_micros(),
                record.level(),
                record.target(),
                message
            ))
        })
        .level(log::LevelFilter::Warn);
    if levels != Levels::AllWarn {
        dispatch = dispatch.level_for("bench", levels.bench());
    }
    if levels == Levels::OtherDebug {
        dispatch = dispatch.level_for("other", log::LevelFilter::Debug);
    }
    dispatch
        .chain(fern::log_file(path).map_err(|e| format!("fern: {e}"))?)
        .apply()
        .map_err(|e| format!("fern: {e}"))?;
    Ok(drive(
        scenario,
        n,
        |i| log_call!(i),
        || log::logger().flush(),
    ))
}

fn flexi_line(
    w: &mut dyn Write,
    now: &mut flexi_logger::DeferredNow,
    record: &log::Record<'_>,
) -> io::Result<()> {
    write!(
        w,
        "{} {:>5} {}: {}",
        now.format("%Y-%m-%dT%H:%M:%S%.6fZ"),
        record.level(),
        record.target(),
        record.args()
    )
}

fn flexi(scenario: Scenario, n: u64, path: &Path, buffer: bool) -> Result<Output, String> {
    use flexi_logger::{FileSpec, Logger, WriteMode};
    let mode = match (scenario, buffer) {
        (Scenario::AsyncSustained, _) => WriteMode::Async,
        (_, true) => WriteMode::BufferAndFlush,
        (_, false) => WriteMode::Direct,
    };
    let handle = Logger::try_with_str(scenario.levels().spec())
        .map_err(|e| format!("flexi_logger: {e}"))?
        .log_to_file(FileSpec::try_from(path).map_err(|e| format!("flexi_logger: {e}"))?)
        .format(flexi_line)
        .use_utc()
        .write_mode(mode)
        .start()
        .map_err(|e| format!("flexi_logger: {e}"))?;
    Ok(drive(
        scenario,
        n,
        |i| log_call!(i),
        move || {
            handle.flush();
            handle.shutdown();
        },
    ))
}

fn env_logger(scenario: Scenario, n: u64, path: &Path) -> Result<Output, String> {
    let file = open_append(path)?;
    env_logger::Builder::new()
        .parse_filters(scenario.levels().spec())
        .target(env_logger::Target::Pipe(Box::new(file)))
        .format(|buf, record| {
            writeln!(
                buf,
                "{} {:>5} {}: {}",
                buf.timestamp_micros(),
                record.level(),
                record.target(),
                record.args()
            )
        })
        .try_init()
        .map_err(|e| format!("env_logger: {e}"))?;
    Ok(drive(
        scenario,
        n,
        |i| log_call!(i),
        || log::logger().flush(),
    ))
}

fn ftlog(scenario: Scenario, n: u64, path: &Path) -> Result<Output, String> {
    /// `INFO bench: message` (ftlog prepends its own time and delay).
    struct Line;
    struct Message {
        level: log::Level,
        target: String,
        args: String,
    }
    impl fmt::Display for Message {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{:>5} {}: {}", self.level, self.target, self.args)
        }
    }
    impl ftlog::FtLogFormat for Line {
        fn msg(&self, record: &log::Record<'_>) -> Box<dyn Send + Sync + fmt::Display> {
            Box::new(Message {
                level: record.level(),
                target: record.target().to_owned(),
                args: record.args().to_string(),
            })
        }
    }
    let levels = scenario.levels();
    let mut builder = ftlog::builder()
        .format(Line)
        .utc()
        .root(ftlog::appender::FileAppender::new(path))
        .max_log_level(levels.max())
        .root_log_level(log::LevelFilter::Warn);
    if levels != Levels::AllWarn {
        builder = builder.filter("bench", None, levels.bench());
    }
    if levels == Levels::OtherDebug {
        builder = builder.filter("other", None, log::LevelFilter::Debug);
    }
    let guard = builder.try_init().map_err(|e| format!("ftlog: {e}"))?;
    Ok(drive(
        scenario,
        n,
        |i| log_call!(i),
        move || {
            log::logger().flush();
            drop(guard);
        },
    ))
}

// ---------------------------------------------------------------- tracing

fn tracing(scenario: Scenario, n: u64, path: &Path, via_log: bool) -> Result<Output, String> {
    use tracing_subscriber::EnvFilter;
    use tracing_subscriber::util::SubscriberInitExt;

    let file = open_append(path)?;
    let filter =
        EnvFilter::try_new(scenario.levels().spec()).map_err(|e| format!("tracing: {e}"))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false);
    let mut guard = None;
    if scenario == Scenario::AsyncSustained {
        let (writer, g) = tracing_appender::non_blocking::NonBlockingBuilder::default()
            .lossy(false)
            .finish(file);
        guard = Some(g);
        builder
            .with_writer(writer)
            .finish()
            .try_init()
            .map_err(|e| format!("tracing: {e}"))?;
    } else if via_log {
        // `try_init` also installs tracing-log's `LogTracer` with the max level
        // of the filter, as applications do.
        builder
            .with_writer(file)
            .finish()
            .try_init()
            .map_err(|e| format!("tracing: {e}"))?;
    } else {
        tracing::subscriber::set_global_default(builder.with_writer(file).finish())
            .map_err(|e| format!("tracing: {e}"))?;
    }
    let finish = move || drop(guard);
    Ok(if via_log {
        drive(scenario, n, |i| log_call!(i), finish)
    } else {
        drive(
            scenario,
            n,
            |i| tracing::info!(target: "bench", "request handled id={} latency_us={}", i, i % 1000),
            finish,
        )
    })
}

// ---------------------------------------------------------------- spdlog, slog

fn spdlog(scenario: Scenario, n: u64, path: &Path) -> Result<Output, String> {
    use spdlog::formatter::{PatternFormatter, pattern};
    use spdlog::sink::{AsyncPoolSink, FileSink, OverflowPolicy, Sink};
    use spdlog::{Level, LevelFilter, Logger, ThreadPool};

    let e = |e: spdlog::Error| format!("spdlog: {e}");
    let file: Arc<dyn Sink> = Arc::new(
        FileSink::builder()
            .path(path)
            .formatter(PatternFormatter::new(pattern!(
                "{year}-{month}-{day}T{hour}:{minute}:{second}.{microsecond}Z {level} {logger}: {payload}{eol}"
            )))
            .build()
            .map_err(e)?,
    );
    let sink = if scenario == Scenario::AsyncSustained {
        let pool = ThreadPool::builder().build_arc().map_err(e)?;
        Arc::new(
            AsyncPoolSink::builder()
                .sink(file)
                .overflow_policy(OverflowPolicy::Block)
                .thread_pool(pool)
                .build()
                .map_err(e)?,
        )
    } else {
        file
    };
    let level = if scenario == Scenario::Disabled {
        Level::Warn
    } else {
        Level::Info
    };
    let logger = Logger::builder()
        .name("bench")
        .sink(sink)
        .level_filter(LevelFilter::MoreSevereEqual(level))
        .build()
        .map_err(e)?;
    let logger = Arc::new(logger);
    let for_calls = Arc::clone(&logger);
    Ok(drive(
        scenario,
        n,
        move |i| spdlog::info!(logger: for_calls, "request handled id={} latency_us={}", i, i % 1000),
        // The pool's threads are joined, its queue drained, when the last
        // reference to the sink (and so to the pool) goes: here, after the
        // calls' reference was dropped.
        move || {
            logger.flush();
            drop(logger);
        },
    ))
}

fn slog(scenario: Scenario, n: u64, path: &Path) -> Result<Output, String> {
    use slog::Drain;

    fn timestamp(w: &mut dyn Write) -> io::Result<()> {
        write!(w, "{}", now_micros())
    }
    let level = if scenario == Scenario::Disabled {
        slog::Level::Warning
    } else {
        slog::Level::Info
    };
    let file = open_append(path)?;
    let format = slog_term::FullFormat::new(slog_term::PlainSyncDecorator::new(file))
        .use_custom_timestamp(timestamp)
        .build()
        .fuse();
    if scenario == Scenario::AsyncSustained {
        let (drain, guard) = slog_async::Async::new(format)
            .overflow_strategy(slog_async::OverflowStrategy::Block)
            .build_with_guard();
        let log = slog::Logger::root(
            slog::LevelFilter::new(drain.fuse(), level).fuse(),
            slog::o!(),
        );
        return Ok(drive(
            scenario,
            n,
            |i| slog::info!(log, "request handled id={} latency_us={}", i, i % 1000),
            move || drop(guard),
        ));
    }
    let log = slog::Logger::root(slog::LevelFilter::new(format, level).fuse(), slog::o!());
    Ok(drive(
        scenario,
        n,
        |i| slog::info!(log, "request handled id={} latency_us={}", i, i % 1000),
        || {},
    ))
}

/// The run directory's log files, for the line check.
pub fn output_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}
