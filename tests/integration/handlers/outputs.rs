//! File outputs and the queue: `rotating_file`, `watched_file`, `queue`,
//! `memory`, and the `rate_limit` and `dedup` filters. Real files in temporary
//! directories; waits poll against a deadline; time rotation reads an injected
//! clock instead of sleeping.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime};

use logfig::config::{Compression, RotateWhen, RotatingFileHandlerConfig, Size};
use logfig::{
    Builder, CaptureHandler, Clock, Config, Dispatcher, Entry, Error, Format, Formatter, Handler,
    PatternFormatter, RotatingFileHandler,
};

use crate::dispatch::open_gate;

fn dispatcher(yaml: &str) -> Dispatcher {
    Dispatcher::new(&Config::from_str(yaml, Format::Yaml).unwrap()).unwrap()
}

fn quoted(p: &Path) -> String {
    format!("'{}'", p.display())
}

/// The lines of a plain or gzipped file.
fn read_lines(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap();
    let text = if path.extension().is_some_and(|e| e == "gz") {
        let mut s = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut s)
            .unwrap();
        s
    } else {
        String::from_utf8(bytes).unwrap()
    };
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "{}: ends in a partial line",
        path.display()
    );
    text.lines().map(str::to_owned).collect()
}

fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect()
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn rotating_file_keeps_every_line_exactly_once_across_rolls_and_gzip() {
    open_gate();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let d = dispatcher(&format!(
        "version: 1\nhandlers:\n  f: {{ type: rotating_file, path: {}, max_bytes: 16KiB, compress: gzip, backups: 100000 }}\nroot: {{ level: INFO, handlers: [f] }}\n",
        quoted(&path)
    ));
    const PER_THREAD: u64 = 100_000;
    std::thread::scope(|s| {
        for t in 0..2u64 {
            let d = &d;
            s.spawn(move || {
                for i in 0..PER_THREAD {
                    log::info!(logger: d, "{}", t * PER_THREAD + i);
                }
            });
        }
    });
    assert_eq!(d.stats()["f"].emitted, 2 * PER_THREAD);
    d.shutdown(); // waits for the compression of the last archives

    let all = names(dir.path());
    assert!(
        all.iter().all(|n| !n.ends_with(".tmp")),
        "a temporary file is left: {all:?}"
    );
    let archives: Vec<&String> = all.iter().filter(|n| *n != "app.log").collect();
    assert!(archives.len() > 10, "expected many rolls: {all:?}");
    assert!(
        archives.iter().all(|n| n.ends_with(".gz")),
        "an archive is not compressed: {all:?}"
    );
    let mut seen = vec![false; (2 * PER_THREAD) as usize];
    for name in &all {
        let file = dir.path().join(name);
        let lines = read_lines(&file);
        if name != "app.log" {
            let len = flate2_len(&file);
            assert!(len <= 16 * 1024 + 64, "{name} has {len} bytes");
        }
        for line in lines {
            let n: usize = line
                .parse()
                .unwrap_or_else(|_| panic!("{name}: split or mangled line {line:?}"));
            assert!(!seen[n], "{n} appears twice");
            seen[n] = true;
        }
    }
    let missing = seen.iter().filter(|s| !**s).count();
    assert_eq!(missing, 0, "{missing} numbers are missing");
}

/// The uncompressed size of a gzipped archive.
fn flate2_len(path: &Path) -> usize {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out.len()
}

fn emit(handler: &dyn Handler, message: &str) {
    emit_args(handler, format_args!("{message}"));
}

fn emit_args(handler: &dyn Handler, args: std::fmt::Arguments<'_>) {
    let record = log::Record::builder()
        .args(args)
        .level(log::Level::Info)
        .build();
    handler
        .emit(&Entry::new(&record), &PatternFormatter::message_only())
        .unwrap();
}

fn set_mtime(path: &Path, age: Duration) {
    let f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.set_modified(SystemTime::now() - age).unwrap();
}

#[test]
fn rotating_file_retention_by_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = RotatingFileHandlerConfig::new(dir.path().join("app.log"));
    c.max_bytes = Some(Size(8));
    c.backups = Some(3);
    let h = RotatingFileHandler::open(&c).unwrap();
    for i in 0..10 {
        emit(&h, &format!("line {i}"));
    }
    h.close().unwrap();
    // One line a file; archives are numbered by a growing sequence and never
    // renamed: the three newest are 7, 8, 9.
    let expected: BTreeSet<String> = ["app.log", "app.log.7", "app.log.8", "app.log.9"]
        .map(String::from)
        .into();
    assert_eq!(names(dir.path()), expected);
    assert_eq!(read_lines(&dir.path().join("app.log.7")), ["line 6"]);
    assert_eq!(read_lines(&dir.path().join("app.log.9")), ["line 8"]);
    assert_eq!(read_lines(&dir.path().join("app.log")), ["line 9"]);
}

#[test]
fn rotating_file_retention_by_age_and_size_and_restart_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    // Left by an earlier run: two old archives, one recent, a stray temporary
    // file of an interrupted compression, and a live file to append to.
    for (name, days) in [("app.log.1", 9), ("app.log.2", 8), ("app.log.3", 1)] {
        std::fs::write(dir.path().join(name), format!("{name}\n")).unwrap();
        set_mtime(&dir.path().join(name), Duration::from_secs(days * 86_400));
    }
    std::fs::write(dir.path().join("app.log.3.gz.tmp"), "half").unwrap();
    std::fs::write(&path, "earlier\n").unwrap();

    let mut c = RotatingFileHandlerConfig::new(&path);
    c.max_bytes = Some(Size(20));
    c.max_age = Some(Duration::from_secs(7 * 86_400));
    let h = RotatingFileHandler::open(&c).unwrap();
    emit(&h, "appended"); // 8 + 9 bytes: still fits
    emit(&h, "rolls over"); // next sequence number: 4
    h.close().unwrap();
    let expected: BTreeSet<String> = ["app.log", "app.log.3", "app.log.4"]
        .map(String::from)
        .into();
    assert_eq!(names(dir.path()), expected);
    assert_eq!(
        read_lines(&dir.path().join("app.log.4")),
        ["earlier", "appended"]
    );
    assert_eq!(read_lines(&path), ["rolls over"]);

    // By total size: archives of 8 bytes each, at most 20 bytes kept.
    let dir = tempfile::tempdir().unwrap();
    let mut c = RotatingFileHandlerConfig::new(dir.path().join("app.log"));
    c.max_bytes = Some(Size(8));
    c.max_total_size = Some(Size(20));
    let h = RotatingFileHandler::open(&c).unwrap();
    for i in 0..6 {
        emit(&h, &format!("line {i}"));
    }
    h.close().unwrap();
    let expected: BTreeSet<String> = ["app.log", "app.log.4", "app.log.5"]
        .map(String::from)
        .into();
    assert_eq!(names(dir.path()), expected);
}

#[test]
fn rotating_file_compresses_plain_archives_left_by_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.log.1"), "from before the crash\n").unwrap();
    let mut c = RotatingFileHandlerConfig::new(dir.path().join("app.log"));
    c.max_bytes = Some(Size(1 << 20));
    c.compress = Compression::Gzip;
    let h = RotatingFileHandler::open(&c).unwrap();
    h.close().unwrap();
    assert_eq!(
        read_lines(&dir.path().join("app.log.1.gz")),
        ["from before the crash"]
    );
    assert!(!dir.path().join("app.log.1").exists());
}

/// A clock the test moves by hand.
#[derive(Debug)]
struct ManualClock(Mutex<SystemTime>);

impl ManualClock {
    fn set(&self, t: SystemTime) {
        *self.0.lock().unwrap() = t;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

fn berlin(s: &str) -> SystemTime {
    let z: jiff::ZonedDateTime = format!("{s}[Europe/Berlin]").parse().unwrap();
    SystemTime::try_from(z.timestamp()).unwrap()
}

#[test]
fn time_rotation_across_midnight_and_daylight_saving() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock(Mutex::new(berlin("2026-03-28T22:00"))));
    let mut c = RotatingFileHandlerConfig::new(dir.path().join("app.log"));
    c.when = Some(RotateWhen::Midnight);
    c.archive = Some("app.%Y-%m-%d.log".into());
    c.max_bytes = Some(Size(1024));
    let h = RotatingFileHandler::open_with_clock(&c, clock.clone(), Some("Europe/Berlin")).unwrap();
    assert_eq!(h.next_rollover(), Some(berlin("2026-03-29T00:00")));

    emit(&h, "saturday");
    clock.set(berlin("2026-03-29T00:00:01"));
    emit(&h, "sunday"); // rolls: Saturday's file is archived
    // Sunday 29 March 2026 has 23 hours in Berlin (clocks go 02:00 -> 03:00).
    assert_eq!(h.next_rollover(), Some(berlin("2026-03-30T00:00")));
    clock.set(berlin("2026-03-29T23:59:59"));
    emit(&h, "sunday night");
    clock.set(berlin("2026-03-30T00:00:00"));
    emit(&h, "monday");
    // A roll by size within one period gets a sequence suffix.
    emit(&h, &"x".repeat(1100));
    emit(&h, "monday later");
    h.close().unwrap();

    let d = dir.path();
    assert_eq!(read_lines(&d.join("app.2026-03-28.log")), ["saturday"]);
    assert_eq!(
        read_lines(&d.join("app.2026-03-29.log")),
        ["sunday", "sunday night"]
    );
    assert_eq!(read_lines(&d.join("app.2026-03-30.log")), ["monday"]);
    assert_eq!(read_lines(&d.join("app.2026-03-30.log.1")).len(), 1);
    assert_eq!(read_lines(&d.join("app.log")), ["monday later"]);

    // Autumn: Sunday 25 October 2026 has 25 hours.
    let dir = tempfile::tempdir().unwrap();
    clock.set(berlin("2026-10-24T12:00"));
    let mut c = RotatingFileHandlerConfig::new(dir.path().join("app.log"));
    c.when = Some(RotateWhen::Midnight);
    c.at_time = Some("02:30".into());
    let h = RotatingFileHandler::open_with_clock(&c, clock.clone(), Some("Europe/Berlin")).unwrap();
    assert_eq!(h.next_rollover(), Some(berlin("2026-10-25T02:30+02:00")));
    clock.set(berlin("2026-10-25T02:30+02:00"));
    emit(&h, "after the first 02:30");
    assert_eq!(h.next_rollover(), Some(berlin("2026-10-26T02:30")));
    h.close().unwrap();
}

#[test]
fn watched_file_follows_a_rename_within_one_record() {
    open_gate();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let d = dispatcher(&format!(
        "version: 1\nhandlers:\n  w: {{ type: watched_file, path: {} }}\nroot: {{ level: INFO, handlers: [w] }}\n",
        quoted(&path)
    ));
    log::info!(logger: d, "one");
    std::fs::rename(&path, dir.path().join("app.log.1")).unwrap(); // logrotate
    log::info!(logger: d, "two");
    std::fs::remove_file(&path).unwrap();
    log::info!(logger: d, "three");
    assert_eq!(read_lines(&dir.path().join("app.log.1")), ["one"]);
    assert_eq!(read_lines(&path), ["three"]);
    assert_eq!(d.stats()["w"].emitted, 3);
    // `Handle::reopen` (SIGHUP) reopens too.
    std::fs::rename(&path, dir.path().join("app.log.2")).unwrap();
    d.reopen();
    assert!(path.exists());
}

/// A handler that blocks every write until the test opens its gate, then
/// keeps the lines.
#[derive(Debug, Clone, Default)]
struct Gated {
    open: Arc<(Mutex<bool>, Condvar)>,
    lines: Arc<Mutex<Vec<String>>>,
    slow: Arc<AtomicBool>,
}

impl Gated {
    fn open(&self) {
        *self.open.0.lock().unwrap() = true;
        self.open.1.notify_all();
    }
}

impl Handler for Gated {
    fn emit(&self, entry: &Entry<'_>, formatter: &dyn Formatter) -> Result<(), Error> {
        let mut open = self.open.0.lock().unwrap();
        while !*open {
            open = self.open.1.wait(open).unwrap();
        }
        drop(open);
        if self.slow.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_micros(50));
        }
        let mut buf = Vec::new();
        formatter.format(entry, &mut buf)?;
        self.lines
            .lock()
            .unwrap()
            .push(String::from_utf8(buf).unwrap());
        Ok(())
    }
}

fn queue_with(gated: &Gated, queue: &str) -> Dispatcher {
    let g = gated.clone();
    let yaml = format!(
        "version: 1\nformatters:\n  f: {{ format: '%(levelname)s %(message)s' }}\nhandlers:\n  slow: {{ type: custom, factory: gated, formatter: f }}\n  q: {{ type: queue, handlers: [slow], {queue} }}\nroot: {{ level: DEBUG, handlers: [q] }}\n"
    );
    Builder::new()
        .handler_factory("gated", move |_| Ok(Box::new(g.clone())))
        .build(&Config::from_str(&yaml, Format::Yaml).unwrap())
        .unwrap()
}

/// Logs `total` records (every 25th an ERROR) while the target is blocked
/// until the queue has dropped something; returns the written lines.
fn overflow_run(queue: &str) -> (Vec<String>, u64, u64) {
    open_gate();
    let gated = Gated::default();
    let d = queue_with(&gated, queue);
    let total = 1000u64;
    std::thread::scope(|s| {
        let (d, gated) = (&d, &gated);
        s.spawn(move || {
            wait_until("a drop", || d.stats()["q"].dropped > 0);
            gated.open();
        });
        for i in 0..total {
            if i % 25 == 0 {
                log::error!(logger: d, "{i}");
            } else {
                log::info!(logger: d, "{i}");
            }
        }
    });
    d.flush_handlers();
    let stats = d.stats()["q"];
    assert_eq!(stats.queued, 0);
    let lines = gated.lines.lock().unwrap().clone();
    (lines, stats.dropped, total)
}

fn check_overflow(lines: &[String], dropped: u64, total: u64) {
    let records: Vec<&String> = lines.iter().filter(|l| !l.contains("dropped")).collect();
    let reported: u64 = lines
        .iter()
        .filter(|l| l.starts_with("WARNING queue `q`: "))
        .map(|l| {
            l.split_whitespace()
                .nth(3)
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap()
        })
        .sum();
    assert!(dropped > 0);
    assert_eq!(
        records.len() as u64 + dropped,
        total,
        "written + dropped = logged"
    );
    assert_eq!(reported, dropped, "every drop is reported: {lines:?}");
    for i in (0..total).step_by(25) {
        assert!(
            records.contains(&&format!("ERROR {i}")),
            "ERROR {i} was dropped"
        );
    }
    // No duplicates, and the written records keep their order.
    let numbers: Vec<u64> = records
        .iter()
        .map(|l| l.split(' ').nth(1).unwrap().parse().unwrap())
        .collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
}

#[test]
fn queue_drop_newest_counts_and_keeps_severe_records() {
    let (lines, dropped, total) =
        overflow_run("capacity: 10, overflow: drop_newest, drop_below: ERROR");
    check_overflow(&lines, dropped, total);
}

#[test]
fn queue_drop_oldest_counts_and_keeps_severe_records() {
    let (lines, dropped, total) =
        overflow_run("capacity: 10, overflow: drop_oldest, drop_below: ERROR");
    check_overflow(&lines, dropped, total);
    // The newest records survive a drop_oldest queue.
    assert!(lines.iter().any(|l| l == "INFO 999"), "{lines:?}");
}

#[test]
fn queue_block_loses_nothing() {
    open_gate();
    let gated = Gated::default();
    gated.slow.store(true, Ordering::Relaxed);
    gated.open();
    let d = queue_with(&gated, "capacity: 8");
    std::thread::scope(|s| {
        for t in 0..2 {
            let d = &d;
            s.spawn(move || {
                for i in 0..500 {
                    log::info!(logger: d, "{t}-{i}");
                }
            });
        }
    });
    d.flush_handlers();
    let lines = gated.lines.lock().unwrap().clone();
    assert_eq!(lines.len(), 1000);
    for t in 0..2 {
        let mine: Vec<&String> = lines
            .iter()
            .filter(|l| l.starts_with(&format!("INFO {t}-")))
            .collect();
        let want: Vec<String> = (0..500).map(|i| format!("INFO {t}-{i}")).collect();
        assert_eq!(mine, want.iter().collect::<Vec<_>>());
    }
    let stats = d.stats()["q"];
    assert_eq!((stats.emitted, stats.dropped), (1000, 0));
    d.shutdown();
}

#[test]
fn queue_is_reused_only_while_it_and_its_targets_are_unchanged() {
    open_gate();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let config = |level: &str, capacity: u32| {
        Config::from_str(
            &format!(
                "version: 1\nhandlers:\n  f: {{ type: file, path: {}, level: {level} }}\n  q: {{ type: queue, handlers: [f], capacity: {capacity} }}\nroot: {{ level: DEBUG, handlers: [q] }}\n",
                quoted(&path)
            ),
            Format::Yaml,
        )
        .unwrap()
    };
    let d = Dispatcher::new(&config("DEBUG", 100)).unwrap();
    log::debug!(logger: d, "a");
    d.flush_handlers();
    assert_eq!(d.stats()["q"].emitted, 1);
    // Unchanged: the same queue keeps counting.
    d.apply(&config("DEBUG", 100)).unwrap();
    log::debug!(logger: d, "b");
    d.flush_handlers();
    assert_eq!(d.stats()["q"].emitted, 2);
    // The target's level changed: a new queue, which applies it.
    d.apply(&config("INFO", 100)).unwrap();
    log::debug!(logger: d, "hidden");
    log::info!(logger: d, "c");
    d.flush_handlers();
    assert_eq!(d.stats()["q"].emitted, 2);
    assert_eq!(read_lines(&path), ["a", "b", "c"]);
}

#[test]
fn memory_passes_context_on_error_and_when_full() {
    open_gate();
    let capture = CaptureHandler::new();
    let c = capture.clone();
    let yaml = "version: 1\nformatters:\n  f: { format: '%(levelname)s %(message)s' }\nhandlers:\n  out: { type: custom, factory: capture, formatter: f }\n  m: { type: memory, target: out, capacity: 3 }\nroot: { level: DEBUG, handlers: [m] }\n";
    let d = Builder::new()
        .handler_factory("capture", move |_| Ok(Box::new(c.clone())))
        .build(&Config::from_str(yaml, Format::Yaml).unwrap())
        .unwrap();
    log::debug!(logger: d, "d1");
    log::info!(logger: d, "i1");
    assert!(capture.lines().is_empty());
    assert_eq!(d.stats()["m"].queued, 2);
    log::error!(logger: d, "boom");
    assert_eq!(capture.take(), ["DEBUG d1", "INFO i1", "ERROR boom"]);
    for i in 0..3 {
        log::debug!(logger: d, "{i}");
    }
    assert_eq!(capture.take(), ["DEBUG 0", "DEBUG 1", "DEBUG 2"]);
    log::debug!(logger: d, "kept until flush");
    d.flush_handlers();
    assert_eq!(capture.take(), ["DEBUG kept until flush"]);
}

#[test]
fn rate_limit_and_dedup_filters() {
    open_gate();
    let capture = CaptureHandler::new();
    let c = capture.clone();
    let yaml = "version: 1\nfilters:\n  calm: { type: rate_limit, rate: 0.001, burst: 3 }\n  once: { type: dedup, repeats: 2, window: 1h }\nhandlers:\n  a: { type: custom, factory: capture, filters: [once] }\n  b: { type: custom, factory: capture, filters: [calm] }\nloggers:\n  limited: { handlers: [b], propagate: false }\nroot: { level: DEBUG, handlers: [a] }\n";
    let d = Builder::new()
        .handler_factory("capture", move |_| Ok(Box::new(c.clone())))
        .build(&Config::from_str(yaml, Format::Yaml).unwrap())
        .unwrap();
    for _ in 0..10 {
        log::warn!(logger: d, "disk full");
    }
    log::warn!(logger: d, "disk ok");
    assert_eq!(
        capture.take(),
        [
            "disk full",
            "disk full",
            "message repeated 8 more times: disk full",
            "disk ok"
        ]
    );
    for i in 0..10 {
        log::info!(logger: d, target: "limited", "{i}");
    }
    log::error!(logger: d, target: "limited", "errors are not limited");
    assert_eq!(capture.take(), ["0", "1", "2", "errors are not limited"]);
}
