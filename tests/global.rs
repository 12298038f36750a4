//! Behaviour of the global logger, one real process per case: a `log` backend
//! can be installed once per process. This binary re-runs itself with
//! `LOGFIG_GLOBAL_CASE` set to run one case in a fresh child.

#![allow(clippy::print_stdout)] // reason: a harness-less test reports on stdout, as libtest does

use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const CASES: &[(&str, fn())] = &[
    ("init_twice", init_twice),
    ("max_level", max_level),
    ("last_resort", last_resort),
    ("default_config", default_config),
    ("flush_at_exit", flush_at_exit),
    ("shutdown_under_load", shutdown_under_load),
    ("queue_at_exit", queue_at_exit),
    ("stuck_queue_at_exit", stuck_queue_at_exit),
    ("macros_follow_changes", macros_follow_changes),
    ("macros_without_logfig", macros_without_logfig),
];

fn main() {
    if let Ok(case) = std::env::var("LOGFIG_GLOBAL_CASE") {
        let (_, run) = CASES
            .iter()
            .find(|(n, _)| *n == case)
            .expect("unknown case");
        run();
        return;
    }
    let mut failed = 0;
    for (name, _) in CASES {
        let out = child(name, &[]);
        let ok = out.status.success() && check(name, &out);
        println!(
            "test global::{name} ... {}",
            if ok { "ok" } else { "FAILED" }
        );
        if !ok {
            failed += 1;
            println!(
                "--- stdout\n{}\n--- stderr\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    println!("{} passed, {failed} failed", CASES.len() - failed);
    if failed > 0 {
        std::process::exit(1);
    }
}

fn child(case: &str, env: &[(&str, &str)]) -> Output {
    let exe = std::env::current_exe().expect("current exe");
    let dir = std::env::temp_dir().join(format!("logfig-global-{case}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut cmd = Command::new(exe);
    cmd.env("LOGFIG_GLOBAL_CASE", case)
        .env("LOGFIG_TEST_DIR", &dir)
        .env_remove("LOGFIG_CONFIG")
        .env("NO_COLOR", "1")
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("running the test binary");
    // A child that hangs at exit is a failure, not a hung test run: the
    // limit is generous, each case takes a second or two.
    let deadline = Instant::now() + Duration::from_secs(120);
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for the child") {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            break child.wait().expect("waiting for the killed child");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}

/// Reads all of a child's pipe on a thread (so a full pipe cannot stall it).
fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        buf
    })
}

/// Checks done by the parent on the child's output and files.
fn check(case: &str, out: &Output) -> bool {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let dir = std::env::temp_dir().join(format!("logfig-global-{case}-{}", std::process::id()));
    let ok = match case {
        "last_resort" => stderr == "a warning\nan error\n",
        "default_config" => stderr == "WARNING:app:careful\nERROR:app::db:broken\n",
        "flush_at_exit" => {
            let text = std::fs::read_to_string(dir.join("exit.log")).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            lines.len() == 10_000
                && lines
                    .iter()
                    .enumerate()
                    .all(|(i, l)| *l == format!("record {i}"))
        }
        "queue_at_exit" => {
            let text = std::fs::read_to_string(dir.join("queued.log")).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            lines.len() == 100_000
                && lines
                    .iter()
                    .enumerate()
                    .all(|(i, l)| *l == format!("record {i}"))
        }
        // Returned from `main` (the parent saw it exit) and said what it
        // could not write.
        "stuck_queue_at_exit" => {
            stderr.contains("handler `q`: queue `q`: flush gave up after `close_timeout` (200ms) with 5 records still queued")
        }
        _ => true,
    };
    let _ = std::fs::remove_dir_all(&dir);
    ok
}

fn test_dir() -> std::path::PathBuf {
    std::env::var_os("LOGFIG_TEST_DIR")
        .expect("LOGFIG_TEST_DIR")
        .into()
}

fn init_twice() {
    let _h = logfig::init_str("version: 1\n", logfig::Format::Yaml).expect("first init");
    let err =
        logfig::init_str("version: 1\n", logfig::Format::Yaml).expect_err("second init must fail");
    assert_eq!(err.kind(), logfig::ErrorKind::AlreadyInitialized);
    assert!(err.to_string().contains("once per process"), "{err}");
}

fn max_level() {
    let h = logfig::init_str(
        "version: 1\nloggers:\n  app::db: { level: DEBUG }\nroot: { level: WARNING }\n",
        logfig::Format::Yaml,
    )
    .expect("init");
    assert_eq!(log::max_level(), log::LevelFilter::Debug);
    h.dispatcher()
        .apply(
            &logfig::Config::from_str("version: 1\nroot: { level: ERROR }\n", logfig::Format::Yaml)
                .expect("config"),
        )
        .expect("apply");
    assert_eq!(log::max_level(), log::LevelFilter::Error);
    h.shutdown();
    assert_eq!(log::max_level(), log::LevelFilter::Off);
}

fn last_resort() {
    let _h = logfig::init_str("version: 1\nroot: { level: INFO }\n", logfig::Format::Yaml)
        .expect("init");
    log::info!("not shown: below the last resort's WARNING");
    log::warn!("a warning");
    log::error!("an error");
}

fn default_config() {
    // No LOGFIG_CONFIG and no logging.* in the (empty) working directory.
    let _h = logfig::init().expect("init");
    log::info!(target: "app", "hidden");
    log::warn!(target: "app", "careful");
    log::error!(target: "app::db", "broken");
}

fn flush_at_exit() {
    let path = test_dir().join("exit.log");
    let yaml = format!(
        "version: 1\nhandlers:\n  f: {{ type: file, path: '{}', flush_level: ERROR, buffer: 1MiB }}\nroot: {{ level: INFO, handlers: [f] }}\n",
        path.display()
    );
    let _handle = logfig::init_str(&yaml, logfig::Format::Yaml).expect("init");
    for i in 0..10_000 {
        log::info!("record {i}");
    }
    // Returning from main drops the handle, which flushes.
}

fn shutdown_under_load() {
    let path = test_dir().join("load.log");
    let yaml = format!(
        "version: 1\nhandlers:\n  f: {{ type: file, path: '{}' }}\nroot: {{ level: INFO, handlers: [f] }}\n",
        path.display()
    );
    let handle = logfig::init_str(&yaml, logfig::Format::Yaml).expect("init");
    let threads: Vec<_> = (0..2)
        .map(|t| {
            std::thread::spawn(move || {
                for i in 0..20_000 {
                    log::info!("t{t} {i}");
                }
            })
        })
        .collect();
    while std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) < 1000 {
        std::thread::yield_now();
    }
    handle.shutdown();
    for t in threads {
        t.join().expect("a logging thread panicked");
    }
}

fn queue_at_exit() {
    let path = test_dir().join("queued.log");
    let yaml = format!(
        "version: 1\nhandlers:\n  f: {{ type: file, path: '{}' }}\n  q: {{ type: queue, handlers: [f], capacity: 1000 }}\nroot: {{ level: INFO, handlers: [q] }}\n",
        path.display()
    );
    let _handle = logfig::init_str(&yaml, logfig::Format::Yaml).expect("init");
    for i in 0..100_000 {
        log::info!("record {i}");
    }
    // Returning from main drops the handle, which waits for the queue.
}

/// A handler whose `emit` never returns: a target that hangs.
#[derive(Debug)]
struct Stuck;

impl logfig::Handler for Stuck {
    fn emit(
        &self,
        _entry: &logfig::Entry<'_>,
        _formatter: &dyn logfig::Formatter,
    ) -> Result<(), logfig::Error> {
        loop {
            std::thread::park();
        }
    }
}

fn stuck_queue_at_exit() {
    let yaml = "version: 1\nhandlers:\n  hang: { type: custom, factory: stuck }\n  q: { type: queue, handlers: [hang], close_timeout: 200ms }\nroot: { level: INFO, handlers: [q] }\n";
    let _handle = logfig::Builder::new()
        .handler_factory("stuck", |_| Ok(Box::new(Stuck)))
        .init_str(yaml, logfig::Format::Yaml)
        .expect("init");
    for i in 0..5 {
        log::info!("record {i}");
    }
    // Returning from main drops the handle, which flushes the queue: it
    // gives up after `close_timeout` and reports it on stderr.
}

/// A capture handler shared between the test and the graph.
fn capture_builder(capture: &logfig::CaptureHandler) -> logfig::Builder {
    let capture = capture.clone();
    logfig::Builder::new().handler_factory("capture", move |_| Ok(Box::new(capture.clone())))
}

/// One call site per form of logfig's macros: the cached ones (a literal
/// target, the default target) and the uncached ones.
fn app_at(level: log::Level, n: u32) {
    logfig::log!(target: "app", level, "app {level} {n}");
}
fn app_debug(n: u32) {
    logfig::debug!(target: "app", "app debug {n}");
}
fn default_target_info(n: u32) {
    logfig::info!("default {n}");
}
fn every_target_info(n: u32) {
    // One call site, a different target each call: must not be cached.
    for target in ["app", "quiet"] {
        logfig::info!(target: target, "{target} {n}");
    }
}

/// logfig's macros re-decide after every change of levels: a reload of the
/// file, `apply`, `set_level`, `clear_level`, an expiring override, shutdown;
/// on other threads too; and before logfig is installed they forward.
fn macros_follow_changes() {
    use log::Level::{Debug, Info, Trace};
    use logfig::config::Level as L;

    // Before install: no logfig, every call goes to `log` (no logger: dropped),
    // and the call sites keep nothing that could outlive the install.
    log::set_max_level(log::LevelFilter::Trace);
    app_at(Info, 0);
    app_debug(0);
    default_target_info(0);

    let path = test_dir().join("logging.yaml");
    let config = |app: &str| {
        format!(
            "version: 1\nformatters:\n  f: {{ format: '%(name)s %(message)s%(kv)s' }}\n\
             handlers:\n  c: {{ type: custom, factory: capture, formatter: f }}\n\
             loggers:\n  other: {{ level: DEBUG }}\n  app: {{ level: {app} }}\n  quiet: {{ level: WARNING }}\n  logfig: {{ level: WARNING }}\n\
             root: {{ level: INFO, handlers: [c] }}\nreload: {{ enabled: true }}\n"
        )
    };
    std::fs::write(&path, config("INFO")).expect("write config");
    let capture = logfig::CaptureHandler::new();
    let handle = capture_builder(&capture).init_file(&path).expect("init");
    assert_eq!(log::max_level(), log::LevelFilter::Debug);

    let step = |what: &str, expected: &[&str]| {
        assert_eq!(capture.take(), expected, "after {what}");
    };
    app_at(Info, 1);
    app_at(Debug, 1);
    app_debug(1);
    default_target_info(1);
    every_target_info(1);
    step(
        "install",
        &["app app INFO 1", "global default 1", "app app 1"],
    );

    // Reload by file: `app` at DEBUG.
    std::fs::write(&path, config("DEBUG")).expect("write config");
    handle.reload_now().expect("reload");
    app_at(Debug, 2);
    app_at(Trace, 2);
    app_debug(2);
    step("reload to DEBUG", &["app app DEBUG 2", "app app debug 2"]);

    // An override on top of the file, then its removal.
    handle
        .set_level("app", L::Warning, None)
        .expect("set_level");
    app_at(Info, 3);
    app_debug(3);
    every_target_info(3);
    step("set_level WARNING", &[]);
    handle.clear_level("app").expect("clear_level");
    app_debug(4);
    every_target_info(4);
    step("clear_level", &["app app debug 4", "app app 4"]);

    // `apply` from code, seen by a thread that learns of it through a channel.
    let (go, wait) = std::sync::mpsc::channel::<u32>();
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let logger = std::thread::spawn(move || {
        for n in wait {
            app_debug(n);
            done.send(()).expect("done");
        }
    });
    for (n, level) in [(5, "ERROR"), (6, "TRACE"), (7, "INFO"), (8, "DEBUG")] {
        let c = logfig::Config::from_str(&config(level), logfig::Format::Yaml).expect("config");
        handle.dispatcher().apply(&c).expect("apply");
        go.send(n).expect("go");
        finished.recv().expect("finished");
    }
    drop(go);
    logger.join().expect("logging thread");
    step(
        "apply on another thread",
        &["app app debug 6", "app app debug 8"],
    );

    // An override that expires by itself: poll until the file's level returns.
    handle
        .set_level("app", L::Error, Some(std::time::Duration::from_millis(50)))
        .expect("set_level with ttl");
    app_debug(9);
    step("set_level with ttl", &[]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut n = 10;
    while capture.lines().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the override never expired"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
        app_debug(n);
        n += 1;
    }
    assert_eq!(capture.take(), [format!("app app debug {}", n - 1)]);

    // Key-values pass through, in every form.
    // (The format puts `%(kv)s` right after the message.)
    logfig::info!(target: "app", id = 7, name:% = "x"; "kv ");
    logfig::log!(target: "app", Info, id = 8; "kv {} ", 2);
    logfig::info!(id = 9; "kv default ");
    let t = "app";
    logfig::info!(target: t, id = 10; "kv dynamic ");
    step(
        "key-values",
        &[
            "app kv id=7 name=x",
            "app kv 2 id=8",
            "global kv default id=9",
            "app kv dynamic id=10",
        ],
    );

    // `logger:` goes to that logger, not to the installed one.
    let other_capture = logfig::CaptureHandler::new();
    let other = capture_builder(&other_capture)
        .build(
            &logfig::Config::from_str(
                "version: 1\nhandlers:\n  c: { type: custom, factory: capture }\nroot: { level: DEBUG, handlers: [c] }\n",
                logfig::Format::Yaml,
            )
            .expect("config"),
        )
        .expect("dispatcher");
    logfig::debug!(logger: other, target: "app", "to the other {}", 1);
    logfig::info!(logger: other, "to the other {}", 2);
    step("logger:", &[]);
    assert_eq!(other_capture.take(), ["to the other 1", "to the other 2"]);

    handle.shutdown();
    app_at(log::Level::Error, 11);
    default_target_info(11);
    step("shutdown", &[]);
}

/// A `log::Log` that keeps what it receives, to compare logfig's macros with
/// `log`'s when logfig is not the installed logger.
struct Recorder(std::sync::Mutex<Vec<String>>);

impl log::Log for Recorder {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.target() != "never"
    }
    fn log(&self, record: &log::Record<'_>) {
        struct Kvs(String);
        impl<'k> log::kv::VisitSource<'k> for Kvs {
            fn visit_pair(
                &mut self,
                key: log::kv::Key<'k>,
                value: log::kv::Value<'k>,
            ) -> Result<(), log::kv::Error> {
                self.0.push_str(&format!(" {key}={value}"));
                Ok(())
            }
        }
        let mut kvs = Kvs(String::new());
        record
            .key_values()
            .visit(&mut kvs)
            .expect("visiting key-values");
        self.0.lock().expect("recorder").push(format!(
            "{} {} {} {:?} {:?}: {}{}",
            record.level(),
            record.target(),
            record.module_path().unwrap_or("-"),
            record.file(),
            record.line().is_some(),
            record.args(),
            kvs.0
        ));
    }
    fn flush(&self) {}
}

static RECORDER: Recorder = Recorder(std::sync::Mutex::new(Vec::new()));

/// With another logger installed, logfig's macros forward exactly what
/// `log`'s forward, whatever that logger's `enabled` says (as `log`'s do),
/// and respect `log::max_level()`.
fn macros_without_logfig() {
    log::set_logger(&RECORDER).expect("set_logger");
    let take = || std::mem::take(&mut *RECORDER.0.lock().expect("recorder"));
    for max in [
        log::LevelFilter::Trace,
        log::LevelFilter::Info,
        log::LevelFilter::Off,
    ] {
        log::set_max_level(max);
        for round in 0..2 {
            let t = if round == 0 { "dyn" } else { "never" };
            log::error!("e {round}");
            log::warn!(target: "never", "w {round}");
            log::info!(target: "app", id = round; "i {round}");
            log::debug!(target: t, "d {round}");
            log::trace!(a:? = "x", b = 2; "t {round}");
            log::log!(target: "app", log::Level::Debug, "l {round}");
            let expected = take();
            logfig::error!("e {round}");
            logfig::warn!(target: "never", "w {round}");
            logfig::info!(target: "app", id = round; "i {round}");
            logfig::debug!(target: t, "d {round}");
            logfig::trace!(a:? = "x", b = 2; "t {round}");
            logfig::log!(target: "app", log::Level::Debug, "l {round}");
            assert_eq!(take(), expected, "max level {max}, round {round}");
            let shown = match max {
                log::LevelFilter::Trace => 6,
                log::LevelFilter::Info => 3,
                _ => 0,
            };
            assert_eq!(expected.len(), shown, "{expected:?}");
        }
    }
}
