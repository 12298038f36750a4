//! The `tracing` layer: events through the same graph as `log` records, span
//! scopes in formatters, interest that follows reloads, disabled callsites that
//! never reach logfig.
//!
//! `tracing` keeps one interest per callsite for the whole process, combined
//! over every live subscriber, so these tests hold [`serial`] while their
//! scoped subscriber lives: a layer of another test could otherwise turn a
//! `never` callsite into a `sometimes` one. Nothing here sets a global
//! subscriber; the global install runs in a child process.

use std::sync::{Mutex, MutexGuard, PoisonError};

use ::tracing::subscriber::with_default;
use tracing_subscriber::layer::SubscriberExt;

use logfig::config::Level;
use logfig::{Builder, CaptureHandler, Config, Dispatcher, Format, TracingLayer};

use crate::dispatch::open_gate;

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A dispatcher whose `custom` handlers named `p` and `j` capture lines.
fn captured(yaml: &str) -> (Dispatcher, CaptureHandler, CaptureHandler) {
    let (p, j) = (CaptureHandler::new(), CaptureHandler::new());
    let (p2, j2) = (p.clone(), j.clone());
    let config = Config::from_str(yaml, Format::Yaml).unwrap();
    let d = Builder::new()
        .handler_factory("p", move |_| Ok(Box::new(p2.clone())))
        .handler_factory("j", move |_| Ok(Box::new(j2.clone())))
        .build(&config)
        .unwrap();
    (d, p, j)
}

fn subscriber(layer: TracingLayer) -> impl ::tracing::Subscriber + Send + Sync {
    tracing_subscriber::registry().with(layer)
}

const BOTH: &str = r#"
version: 1
formatters:
  pat: { format: "%(levelname)s %(name)s %(module_path)s: %(message)s [%(kv)s] <%(spans)s>" }
  brace: { format: "{levelname} {name}: {message} {kv} <{spans}>", style: "{" }
  js: { type: json, fields: [levelname, levelno, name, module_path, message, kv, spans] }
handlers:
  p: { type: custom, factory: p, formatter: pat }
  j: { type: custom, factory: j, formatter: js }
  b: { type: custom, factory: p, formatter: brace }
root: { level: DEBUG, handlers: [p, j, b] }
"#;

#[derive(Debug)]
#[allow(dead_code)] // reason: read through `Debug` only
struct Peer {
    host: &'static str,
    port: u16,
}

#[test]
fn log_records_and_tracing_events_render_alike() {
    let _serial = serial();
    open_gate();
    let (d, p, j) = captured(BOTH);
    let peer = Peer {
        host: "db",
        port: 5432,
    };
    log::warn!(
        logger: d, target: "app::api",
        user = "bob smith", n = 42, neg = -7, ok = true, ratio = 0.5, peer:? = peer;
        "request {} in {}ms", "done", 12
    );
    with_default(subscriber(d.tracing_layer()), || {
        ::tracing::warn!(
            target: "app::api",
            user = "bob smith", n = 42, neg = -7, ok = true, ratio = 0.5, peer = ?peer,
            "request {} in {}ms", "done", 12
        );
    });
    let lines = p.take();
    assert_eq!(lines.len(), 4, "{lines:#?}");
    let module = module_path!();
    assert_eq!(
        lines[0],
        format!(
            r#"WARNING app::api {module}: request done in 12ms [user="bob smith" n=42 neg=-7 ok=true ratio=0.5 peer="Peer {{ host: \"db\", port: 5432 }}"] <>"#
        )
    );
    assert_eq!(lines[0], lines[2], "pattern: log vs tracing");
    assert_eq!(lines[1], lines[3], "brace style: log vs tracing");
    let json = j.take();
    assert_eq!(json.len(), 2);
    assert_eq!(json[0], json[1], "json: log vs tracing");
    let v: serde_json::Value = serde_json::from_str(&json[1]).unwrap();
    assert_eq!(v["levelno"], 30);
    assert_eq!(v["kv"]["n"], 42, "integers stay integers");
    assert_eq!(v["kv"]["neg"], -7);
    assert_eq!(v["kv"]["ok"], true, "booleans stay booleans");
    assert_eq!(v["kv"]["ratio"], 0.5, "floats stay floats");
    assert_eq!(v["kv"]["user"], "bob smith");
    assert_eq!(
        v["spans"],
        serde_json::json!([]),
        "no spans for a log record"
    );
}

#[test]
fn span_scope_reaches_pattern_and_json() {
    let _serial = serial();
    open_gate();
    let yaml = BOTH.replace(
        "root: { level: DEBUG",
        "loggers:\n  hidden: { level: INFO }\nroot: { level: DEBUG",
    );
    let (d, p, j) = captured(&yaml);
    with_default(subscriber(d.tracing_layer()), || {
        let outer = ::tracing::info_span!(target: "app", "outer", a = 1, who = "x y");
        let _o = outer.enter();
        // Below its target's level: disabled, so not part of the scope.
        let hidden = ::tracing::debug_span!(target: "hidden", "hidden", secret = 1);
        let _h = hidden.enter();
        let inner = ::tracing::info_span!(
            target: "app", "inner", b = true, late = ::tracing::field::Empty
        );
        inner.record("late", 2.5);
        let _i = inner.enter();
        let bare = ::tracing::info_span!(target: "app", "bare");
        let _b = bare.enter();
        ::tracing::info!(target: "app::api", id = 7u64, "in spans");
    });
    let lines = p.take();
    let module = module_path!();
    assert_eq!(
        lines[0],
        format!(
            r#"INFO app::api {module}: in spans [id=7] <outer{{a=1 who="x y"}}:inner{{b=true late=2.5}}:bare>"#
        )
    );
    assert_eq!(
        lines[1],
        r#"INFO app::api: in spans id=7 <outer{a=1 who="x y"}:inner{b=true late=2.5}:bare>"#
    );
    let v: serde_json::Value = serde_json::from_str(&j.take()[0]).unwrap();
    assert_eq!(
        v["spans"],
        serde_json::json!([
            { "name": "outer", "fields": { "a": 1, "who": "x y" } },
            { "name": "inner", "fields": { "b": true, "late": 2.5 } },
            { "name": "bare", "fields": {} },
        ])
    );
}

const RAISABLE: &str = r#"
version: 1
formatters:
  short: { format: "%(levelname)s %(name)s %(message)s" }
handlers:
  p: { type: custom, factory: p, formatter: short }
loggers:
  app::db: { level: INFO }
root: { level: INFO, handlers: [p] }
"#;

/// One `log` and one `tracing` callsite, the same ones before and after a
/// swap: `tracing` must have rebuilt its cached interest.
fn debug_both(d: &Dispatcher, n: u32) {
    log::debug!(logger: d, target: "app::db", "log {n}");
    ::tracing::debug!(target: "app::db", "tracing {n}");
}

/// The most verbose level logfig's layer says it may enable, as the scoped
/// subscriber reports it to tracing. Not `LevelFilter::current()`: that is
/// tracing's process-wide maximum over every live subscriber, which another
/// test's subscriber, alive on another thread, can raise at any moment.
fn current_max(layer: &TracingLayer) -> Option<::tracing::level_filters::LevelFilter> {
    tracing_subscriber::Layer::<tracing_subscriber::Registry>::max_level_hint(layer)
}

#[test]
fn a_reload_raising_a_target_to_debug_enables_log_and_tracing() {
    let _serial = serial();
    open_gate();
    let (d, p, _) = captured(RAISABLE);
    let layer = d.tracing_layer();
    let hint = layer.clone();
    with_default(subscriber(layer), || {
        debug_both(&d, 1);
        assert_eq!(p.take(), Vec::<String>::new());
        assert_eq!(
            current_max(&hint),
            Some(::tracing::level_filters::LevelFilter::INFO)
        );

        let loud = RAISABLE.replace("app::db: { level: INFO }", "app::db: { level: DEBUG }");
        d.apply(&Config::from_str(&loud, Format::Yaml).unwrap())
            .unwrap();
        debug_both(&d, 2);
        assert_eq!(p.take(), ["DEBUG app::db log 2", "DEBUG app::db tracing 2"]);
        assert_eq!(
            current_max(&hint),
            Some(::tracing::level_filters::LevelFilter::DEBUG)
        );

        d.apply(&Config::from_str(RAISABLE, Format::Yaml).unwrap())
            .unwrap();
        debug_both(&d, 3);
        assert_eq!(p.take(), Vec::<String>::new(), "lowered again");

        // A runtime override swaps the graph too, and so does its removal.
        d.set_level("app.db", Level::Debug, None).unwrap();
        debug_both(&d, 4);
        assert_eq!(p.take(), ["DEBUG app::db log 4", "DEBUG app::db tracing 4"]);
        d.clear_level("app.db").unwrap();
        debug_both(&d, 5);
        assert_eq!(p.take(), Vec::<String>::new());
    });
}

#[test]
fn callsites_disabled_by_config_never_reach_logfig() {
    let _serial = serial();
    open_gate();
    let yaml = r#"
version: 1
formatters:
  short: { format: "%(name)s %(message)s" }
handlers:
  p: { type: custom, factory: p, formatter: short }
  warn_only: { type: custom, factory: j, formatter: short, level: WARNING }
loggers:
  muted: { level: ERROR }
  chatty: { level: DEBUG, handlers: [warn_only], propagate: false }
root: { level: INFO, handlers: [p] }
"#;
    let (d, p, j) = captured(yaml);
    let layer = d.tracing_layer();
    let counter = layer.clone();
    with_default(subscriber(layer), || {
        for i in 0..10_000 {
            // Above its logger's level.
            ::tracing::info!(target: "muted::x", i, "dropped");
            // Within its logger's level, but no handler takes INFO.
            ::tracing::info!(target: "chatty", i, "dropped too");
        }
        assert_eq!(
            counter.events_seen(),
            0,
            "disabled callsites cost no logfig call"
        );
        ::tracing::info!(target: "app", "kept");
        ::tracing::warn!(target: "chatty", "kept too");
    });
    assert_eq!(
        counter.events_seen(),
        2,
        "one `on_event` each, no `enabled`"
    );
    assert_eq!(p.take(), ["app kept"]);
    assert_eq!(j.take(), ["chatty kept too"]);
}

#[test]
fn record_filters_apply_to_events() {
    let _serial = serial();
    open_gate();
    let yaml = r#"
version: 1
filters:
  no_health: { type: regex, pattern: "GET /health", action: deny }
handlers:
  p: { type: custom, factory: p, filters: [no_health] }
root: { level: INFO, handlers: [p] }
"#;
    let (d, p, _) = captured(yaml);
    let layer = d.tracing_layer();
    let counter = layer.clone();
    with_default(subscriber(layer), || {
        for path in ["/health", "/users"] {
            ::tracing::info!(target: "web", "GET {path} 200");
        }
    });
    assert_eq!(p.take(), ["GET /users 200"]);
    // `sometimes`: the regex needs the record, so `tracing` asks `enabled`
    // before each event, then delivers it.
    assert_eq!(counter.events_seen(), 4);
}

/// `init_str` with the feature installs both facades, and refuses (installing
/// nothing) when a global `tracing` subscriber exists; a reload of a watched
/// file (applied on the watcher thread) enables `tracing::debug!` as it does
/// `log::debug!`. Global state, so each case runs in a child process: this
/// test binary re-run on one test.
#[test]
fn init_installs_log_and_tracing_or_nothing() {
    for case in ["installs_both", "refuses_when_taken", "file_reload"] {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "tracing::global_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("LOGFIG_TRACING_CHILD", case)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{case}: {text}");
        assert!(text.contains("1 passed"), "{case}: {text}");
    }
}

#[test]
fn global_child() {
    let Ok(case) = std::env::var("LOGFIG_TRACING_CHILD") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("out.log");
    let yaml = format!(
        "version: 1\nformatters:\n  s: {{ format: '%(levelname)s %(name)s %(message)s %(kv)s' }}\n\
         handlers:\n  f: {{ type: file, path: '{}', formatter: s }}\n\
         root: {{ level: INFO, handlers: [f] }}\n",
        log_path.display()
    );
    match case.as_str() {
        "installs_both" => {
            let handle = logfig::init_str(&yaml, Format::Yaml).unwrap();
            log::info!(target: "app", n = 1; "from log");
            ::tracing::info!(target: "app", n = 1, "from tracing");
            ::tracing::debug!(target: "app", "below INFO");
            let err = logfig::init_str(&yaml, Format::Yaml).unwrap_err();
            assert_eq!(err.kind(), logfig::ErrorKind::AlreadyInitialized);
            assert!(err.to_string().contains("once per process"), "{err}");
            handle.flush();
            assert_eq!(
                std::fs::read_to_string(&log_path).unwrap(),
                "INFO app from log n=1\nINFO app from tracing n=1\n"
            );
        }
        "refuses_when_taken" => {
            ::tracing::subscriber::set_global_default(tracing_subscriber::registry()).unwrap();
            let err = logfig::init_str(&yaml, Format::Yaml).unwrap_err();
            assert_eq!(err.kind(), logfig::ErrorKind::AlreadyInitialized);
            assert!(err.to_string().contains("handle.tracing_layer()"), "{err}");
            // Nothing was installed: the `log` slot is still free.
            assert!(log::set_logger(&NOP).is_ok());
            // `install_tracing(false)` leaves `tracing` alone.
            let err = Builder::new()
                .install_tracing(false)
                .init_str(&yaml, Format::Yaml)
                .unwrap_err();
            assert!(err.to_string().contains("a global logger"), "{err}");
        }
        "file_reload" => {
            let path = dir.path().join("logging.yaml");
            let file = |level: &str| {
                yaml.replace("root:", &format!("loggers:\n  app::db: {{ level: {level} }}\n  logfig: {{ level: WARNING }}\nroot:"))
            };
            std::fs::write(&path, file("INFO")).unwrap();
            let handle = logfig::init_file(&path).unwrap();
            debug_both_global(1);
            std::fs::write(&path, file("DEBUG")).unwrap();
            handle.reload_now().unwrap();
            debug_both_global(2);
            std::fs::write(&path, file("INFO")).unwrap();
            handle.reload_now().unwrap();
            debug_both_global(3);
            handle.flush();
            assert_eq!(
                std::fs::read_to_string(&log_path).unwrap(),
                "DEBUG app::db log 2 \nDEBUG app::db tracing 2 \n"
            );
        }
        other => panic!("unknown case {other}"),
    }
}

/// Fixed `log` and `tracing` callsites, through the global logger and subscriber.
fn debug_both_global(n: u32) {
    log::debug!(target: "app::db", "log {n}");
    ::tracing::debug!(target: "app::db", "tracing {n}");
}

struct Nop;
static NOP: Nop = Nop;
impl log::Log for Nop {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        false
    }
    fn log(&self, _: &log::Record<'_>) {}
    fn flush(&self) {}
}
