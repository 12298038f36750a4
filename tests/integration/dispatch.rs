//! Routing: levels, hierarchy, propagate, filters, formatters, real files.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use logfig::{
    Builder, CaptureHandler, Config, Dispatcher, Entry, Error, Format, Formatter, Handler,
};

/// `log`'s macros check the global `log::max_level()` before calling any
/// logger, even one given with `logger:`; no global logger is installed here.
pub(crate) fn open_gate() {
    log::set_max_level(log::LevelFilter::Trace);
}

/// A dispatcher whose `custom` handlers named `a`, `b`, `c` capture lines.
fn captured(yaml: &str) -> (Dispatcher, [CaptureHandler; 3]) {
    let caps = [
        CaptureHandler::new(),
        CaptureHandler::new(),
        CaptureHandler::new(),
    ];
    let mut builder = Builder::new();
    for (name, cap) in ["a", "b", "c"].into_iter().zip(caps.clone()) {
        builder = builder.handler_factory(name, move |_| Ok(Box::new(cap.clone())));
    }
    let config = Config::from_str(yaml, Format::Yaml).unwrap();
    (builder.build(&config).unwrap(), caps)
}

const HIERARCHY: &str = r#"
version: 1
formatters:
  short: { format: "%(levelname)s %(name)s %(message)s" }
handlers:
  a: { type: custom, factory: a, formatter: short }
  b: { type: custom, factory: b, formatter: short, level: WARNING }
  c: { type: custom, factory: c, formatter: short }
loggers:
  app: { level: DEBUG, handlers: [a] }
  app::db: { level: INFO, handlers: [b] }
  app.quiet: { handlers: [c], propagate: false }
root: { level: ERROR, handlers: [c] }
"#;

#[test]
fn levels_inherit_and_records_propagate() {
    open_gate();
    let (d, [a, b, c]) = captured(HIERARCHY);
    log::debug!(logger: d, target: "app::web", "w1"); // app's DEBUG applies
    log::debug!(logger: d, target: "app::db::pool", "p1"); // app::db's INFO: dropped
    log::info!(logger: d, target: "app::db::pool", "p2"); // a (via app), not b (WARNING), c (root)
    log::warn!(logger: d, target: "app.db", "p3"); // b, a, c
    log::info!(logger: d, target: "app::quiet::x", "q1"); // c only, once: propagate false
    log::warn!(logger: d, target: "other", "o1"); // root is ERROR: dropped
    log::error!(logger: d, target: "other", "o2"); // c
    assert_eq!(
        a.lines(),
        [
            "DEBUG app::web w1",
            "INFO app::db::pool p2",
            "WARNING app.db p3"
        ]
    );
    assert_eq!(b.lines(), ["WARNING app.db p3"]);
    assert_eq!(
        c.lines(),
        [
            "DEBUG app::web w1",
            "INFO app::db::pool p2",
            "WARNING app.db p3",
            "INFO app::quiet::x q1",
            "ERROR other o2"
        ]
    );
}

#[test]
fn enabled_follows_the_effective_level() {
    open_gate();
    let (d, _) = captured(HIERARCHY);
    use log::Log;
    let meta = |target, level| log::Metadata::builder().target(target).level(level).build();
    assert!(d.enabled(&meta("app::web::x", log::Level::Debug)));
    assert!(!d.enabled(&meta("app::db", log::Level::Debug)));
    assert!(!d.enabled(&meta("elsewhere", log::Level::Warn)));
    assert!(d.enabled(&meta("elsewhere", log::Level::Error)));
    assert_eq!(d.max_level(), log::LevelFilter::Debug);
}

#[test]
fn logger_filters_apply_to_own_records_handler_filters_to_all() {
    open_gate();
    let yaml = r#"
version: 1
filters:
  no_health: { type: regex, pattern: "GET /health", action: deny }
  only_db: { name: app.db }
  below_error: { type: level, max: WARNING }
handlers:
  a: { type: custom, factory: a, filters: [only_db] }
  b: { type: custom, factory: b, filters: [below_error] }
loggers:
  app: { level: INFO, handlers: [a, b], filters: [no_health] }
"#;
    let (d, [a, b, _]) = captured(yaml);
    log::info!(logger: d, target: "app", "GET /health 200"); // denied by app's filter
    log::info!(logger: d, target: "app::web", "GET /health 200"); // app's filter is not applied (Python)
    log::info!(logger: d, target: "app::db", "query"); // a and b
    log::error!(logger: d, target: "app::db", "down"); // a only
    assert_eq!(a.lines(), ["query", "down"]);
    assert_eq!(b.lines(), ["GET /health 200", "query"]);
}

#[test]
fn writes_exactly_the_configured_lines_to_files() {
    open_gate();
    let dir = tempfile::tempdir().unwrap();
    let yaml = format!(
        r#"
version: 1
formatters:
  plain: {{ format: "%(levelname)-8s %(name)s: %(message)s" }}
  machine: {{ type: json, fields: [levelname, name, message] }}
filters:
  no_health: {{ type: regex, pattern: "GET /health", action: deny }}
handlers:
  app:
    type: file
    path: "${{LOGFIG_TEST_NEVER_SET:-{dir}/logs}}/app.log"
    formatter: machine
    filters: [no_health]
  db: {{ type: file, path: "{dir}/db.log", formatter: plain, mode: truncate }}
loggers:
  myapp::db: {{ level: DEBUG, handlers: [db], propagate: false }}
  hyper: {{ level: WARNING }}
root: {{ level: INFO, handlers: [app] }}
"#,
        dir = dir.path().display()
    );
    std::fs::write(dir.path().join("db.log"), "old contents\n").unwrap();
    let d = Dispatcher::new(&Config::from_str(&yaml, Format::Yaml).unwrap()).unwrap();
    log::info!(logger: d, target: "myapp", "started");
    log::debug!(logger: d, target: "myapp", "hidden");
    log::info!(logger: d, target: "myapp::web", "GET /health 200");
    log::debug!(logger: d, target: "myapp::db", "select 1");
    log::info!(logger: d, target: "hyper::client", "noise");
    log::warn!(logger: d, target: "hyper::client", "slow \"upstream\"");
    d.shutdown();
    let app = std::fs::read_to_string(dir.path().join("logs/app.log")).unwrap();
    assert_eq!(
        app,
        concat!(
            r#"{"levelname":"INFO","name":"myapp","message":"started"}"#,
            "\n",
            r#"{"levelname":"WARNING","name":"hyper::client","message":"slow \"upstream\""}"#,
            "\n"
        )
    );
    let db = std::fs::read_to_string(dir.path().join("db.log")).unwrap();
    assert_eq!(db, "DEBUG    myapp::db: select 1\n");
}

#[test]
fn buffered_file_flushes_at_flush_level_and_on_flush() {
    open_gate();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.log");
    let yaml = format!(
        "version: 1\nhandlers:\n  f: {{ type: file, path: '{}', flush_level: ERROR, buffer: 1MiB }}\nroot: {{ level: DEBUG, handlers: [f] }}\n",
        path.display()
    );
    let d = Dispatcher::new(&Config::from_str(&yaml, Format::Yaml).unwrap()).unwrap();
    let read = || std::fs::read_to_string(&path).unwrap();
    log::info!(logger: d, "one");
    log::debug!(logger: d, "two");
    assert_eq!(read(), "", "records below flush_level wait in the buffer");
    log::error!(logger: d, "three");
    assert_eq!(
        read(),
        "one\ntwo\nthree\n",
        "an ERROR writes the buffer, in order"
    );
    log::info!(logger: d, "four");
    log::Log::flush(&d);
    assert_eq!(read(), "one\ntwo\nthree\nfour\n");
}

#[test]
fn last_resort_only_when_no_handler_in_chain() {
    open_gate();
    // With no handlers, WARNING+ goes to stderr (checked in tests/global.rs with
    // a real process); here: a handler anywhere in the chain suppresses it.
    let (d, [a, _, _]) = captured(
        "version: 1\nhandlers:\n  a: { type: custom, factory: a, level: CRITICAL }\nroot: { handlers: [a] }\n",
    );
    log::warn!(logger: d, "swallowed by a's level, as in Python");
    assert!(a.lines().is_empty());
}

#[derive(Debug, Default)]
struct Panicky(AtomicUsize);

impl Handler for Panicky {
    fn emit(&self, _: &Entry<'_>, _: &dyn Formatter) -> Result<(), Error> {
        self.0.fetch_add(1, Ordering::SeqCst);
        panic!("handler bug");
    }
}

#[test]
fn a_panicking_handler_is_contained_and_reported_once() {
    open_gate();
    let panicky = Arc::new(Panicky::default());
    let reports = Arc::new(std::sync::Mutex::new(Vec::new()));
    let cap = CaptureHandler::new();
    let (p, c, r) = (panicky.clone(), cap.clone(), reports.clone());
    let d = Builder::new()
        .handler_factory("panicky", move |_| Ok(Box::new(SharedHandler(p.clone()))))
        .handler_factory("cap", move |_| Ok(Box::new(c.clone())))
        .on_error(move |name, e| r.lock().unwrap().push(format!("{name}: {e}")))
        .build(
            &Config::from_str(
                "version: 1\nhandlers:\n  bad: { type: custom, factory: panicky }\n  good: { type: custom, factory: cap }\nroot: { level: INFO, handlers: [bad, good] }\n",
                Format::Yaml,
            )
            .unwrap(),
        )
        .unwrap();
    for i in 0..3 {
        log::info!(logger: d, "record {i}");
    }
    assert_eq!(panicky.0.load(Ordering::SeqCst), 3);
    assert_eq!(
        cap.lines(),
        ["record 0", "record 1", "record 2"],
        "the next handler still runs"
    );
    let reports = reports.lock().unwrap();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(
        reports[0].starts_with("bad: panicked: handler bug"),
        "{reports:?}"
    );
}

#[derive(Debug)]
struct SharedHandler<H>(Arc<H>);

impl<H: Handler> Handler for SharedHandler<H> {
    fn emit(&self, entry: &Entry<'_>, formatter: &dyn Formatter) -> Result<(), Error> {
        self.0.emit(entry, formatter)
    }
}

#[derive(Debug)]
struct Failing;

impl Handler for Failing {
    fn emit(&self, _: &Entry<'_>, _: &dyn Formatter) -> Result<(), Error> {
        Err(Error::other("disk full"))
    }
}

#[test]
fn handler_errors_reach_the_hook_rate_limited() {
    open_gate();
    let reports = Arc::new(AtomicUsize::new(0));
    let r = reports.clone();
    let d = Builder::new()
        .handler_factory("failing", |_| Ok(Box::new(Failing)))
        .on_error(move |name, e| {
            assert_eq!((name, e.to_string().as_str()), ("f", "disk full"));
            r.fetch_add(1, Ordering::SeqCst);
        })
        .build(
            &Config::from_str(
                "version: 1\nhandlers:\n  f: { type: custom, factory: failing }\nroot: { level: INFO, handlers: [f] }\n",
                Format::Yaml,
            )
            .unwrap(),
        )
        .unwrap();
    for _ in 0..1000 {
        log::info!(logger: d, "x");
    }
    // 1000 failures within a second or two: at most one report per second.
    let n = reports.load(Ordering::SeqCst);
    assert!((1..=3).contains(&n), "{n} reports");
}

#[derive(Debug)]
struct LogsFromInside(Dispatcher);

static INSIDE_CALLS: AtomicUsize = AtomicUsize::new(0);

impl Handler for LogsFromInside {
    fn emit(&self, _: &Entry<'_>, _: &dyn Formatter) -> Result<(), Error> {
        INSIDE_CALLS.fetch_add(1, Ordering::SeqCst);
        // Re-enters the same dispatcher: must not recurse into the graph.
        log::error!(logger: self.0, "from inside emit");
        Ok(())
    }
}

#[test]
fn logging_from_inside_a_handler_does_not_recurse() {
    open_gate();
    let calls = Arc::new(std::sync::Mutex::new(None::<Dispatcher>));
    let slot = calls.clone();
    let cap = CaptureHandler::new();
    let c = cap.clone();
    let config = Config::from_str(
        "version: 1\nhandlers:\n  inner: { type: custom, factory: inner }\n  cap: { type: custom, factory: cap }\nroot: { level: INFO, handlers: [cap, inner] }\n",
        Format::Yaml,
    )
    .unwrap();
    // The handler needs the dispatcher it lives in: build once to get it, then
    // apply the config again so the handler holds a clone.
    let d = Builder::new()
        .handler_factory("cap", move |_| Ok(Box::new(c.clone())))
        .handler_factory("inner", move |_| match slot.lock().unwrap().clone() {
            Some(d) => Ok(Box::new(LogsFromInside(d))),
            None => Ok(Box::new(logfig::__internal::NullHandler)),
        })
        .build(&config)
        .unwrap();
    *calls.lock().unwrap() = Some(d.clone());
    let mut changed = config.clone();
    if let Some(logfig::config::HandlerConfig::Custom(c)) = changed.handlers.get_mut("inner") {
        c.options = serde_json::json!({"rebuild": true}).into();
    }
    d.apply(&changed).unwrap();
    log::info!(logger: d, "outer");
    assert_eq!(
        INSIDE_CALLS.load(Ordering::SeqCst),
        1,
        "the logging handler ran once"
    );
    assert_eq!(
        cap.lines(),
        ["outer"],
        "the inner record went to stderr, not back into the graph"
    );
}

#[test]
fn apply_keeps_the_running_graph_on_error_and_reuses_handlers() {
    open_gate();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.log");
    let cfg = |level: &str| {
        format!(
            "version: 1\nhandlers:\n  f: {{ type: file, path: '{}', mode: truncate }}\nroot: {{ level: {level}, handlers: [f] }}\n",
            path.display()
        )
    };
    let d = Dispatcher::new(&Config::from_str(&cfg("INFO"), Format::Yaml).unwrap()).unwrap();
    log::info!(logger: d, "one");
    // Level-only change: same file handler, not truncated again.
    d.apply(&Config::from_str(&cfg("DEBUG"), Format::Yaml).unwrap())
        .unwrap();
    log::debug!(logger: d, "two");
    // A config whose output cannot open changes nothing.
    let bad = "version: 1\nhandlers:\n  f: { type: file, path: '/proc/no/such/dir/x.log' }\nroot: { level: ERROR, handlers: [f] }\n";
    let err = d
        .apply(&Config::from_str(bad, Format::Yaml).unwrap())
        .unwrap_err();
    assert_eq!(err.kind(), logfig::ErrorKind::Io);
    assert!(err.to_string().contains("handlers.f"), "{err}");
    log::debug!(logger: d, "three");
    d.shutdown();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "one\ntwo\nthree\n");
}

#[test]
fn two_threads_log_during_shutdown_without_panic() {
    open_gate();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.log");
    let yaml = format!(
        "version: 1\nhandlers:\n  f: {{ type: file, path: '{}', flush_level: ERROR }}\nroot: {{ level: INFO, handlers: [f] }}\n",
        path.display()
    );
    let d = Dispatcher::new(&Config::from_str(&yaml, Format::Yaml).unwrap()).unwrap();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let (d, stop) = (d.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) || i < 1000 {
                    log::info!(logger: d, "t{t} {i}");
                    i += 1;
                }
                i
            })
        })
        .collect();
    // Let both threads get going, then shut down under them.
    while std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) == 0 {
        log::error!(logger: d, "nudge");
        std::thread::yield_now();
    }
    d.shutdown();
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().expect("a logging thread panicked");
    }
    // Every line written is whole; records after shutdown were dropped.
    let text = std::fs::read_to_string(&path).unwrap();
    for line in text.lines() {
        assert!(
            line == "nudge" || line.starts_with("t0 ") || line.starts_with("t1 "),
            "torn line {line:?}"
        );
    }
}

#[test]
fn incremental_configs_change_only_levels() {
    open_gate();
    let (d, [a, _, _]) = captured(
        "version: 1\nhandlers:\n  a: { type: custom, factory: a, level: WARNING }\nloggers:\n  app: { level: INFO }\nroot: { level: INFO, handlers: [a] }\n",
    );
    log::info!(logger: d, target: "app", "hidden by a's level");
    let inc = Config::from_str(
        "version: 1\nincremental: true\nhandlers:\n  a: { level: DEBUG, formatter: ignored }\nloggers:\n  app: { level: DEBUG, handlers: [ignored] }\n",
        Format::Yaml,
    )
    .unwrap();
    d.apply(&inc).unwrap();
    log::debug!(logger: d, target: "app", "now shown");
    assert_eq!(a.lines(), ["now shown"]);
    // Naming a handler that the running config lacks changes nothing.
    let bad = Config::from_str(
        "version: 1\nincremental: true\nhandlers:\n  b: { level: ERROR }\n",
        Format::Yaml,
    )
    .unwrap();
    let err = d.apply(&bad).unwrap_err();
    assert!(
        err.to_string().contains("handler `b` is not configured"),
        "{err}"
    );
    log::debug!(logger: d, target: "app", "still shown");
    assert_eq!(a.lines(), ["now shown", "still shown"]);
}

#[test]
fn disable_existing_loggers_mutes_loggers_the_new_config_drops() {
    open_gate();
    let first = "version: 1\nhandlers:\n  a: { type: custom, factory: a }\nloggers:\n  old: { level: INFO }\n  kept: { level: INFO }\nroot: { level: INFO, handlers: [a] }\n";
    let (d, [a, _, _]) = captured(first);
    let second = Config::from_str(
        "version: 1\ndisable_existing_loggers: true\nhandlers:\n  a: { type: custom, factory: a }\nloggers:\n  kept: { level: INFO }\nroot: { level: INFO, handlers: [a] }\n",
        Format::Yaml,
    )
    .unwrap();
    d.apply(&second).unwrap();
    log::info!(logger: d, target: "old::child", "muted");
    log::info!(logger: d, target: "kept", "kept");
    log::info!(logger: d, target: "new", "new");
    assert_eq!(a.lines(), ["kept", "new"]);
    // Muted until a config names it again.
    let third = Config::from_str(first, Format::Yaml).unwrap();
    d.apply(&third).unwrap();
    log::info!(logger: d, target: "old", "back");
    assert_eq!(a.lines(), ["kept", "new", "back"]);
}

#[test]
fn a_handler_named_null_of_type_null() {
    open_gate();
    // YAML reads plain `null` as a null value; here it names the type and the handler.
    let config = Config::from_str(
        "version: 1\nhandlers:\n  null: { type: null }\nroot: { level: INFO, handlers: [null] }\n",
        Format::Yaml,
    )
    .unwrap();
    assert!(matches!(
        config.handlers["null"],
        logfig::config::HandlerConfig::Null(_)
    ));
    let d = Dispatcher::new(&config).unwrap();
    log::warn!(logger: d, "discarded");
}
