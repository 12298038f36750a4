//! Configs written in code: the same model as the file, the same checks and
//! messages, and installed as the global logger (in a child process: a
//! `log` backend can be installed once per process).

use std::path::Path;

use logfig::config::{
    ConsoleHandlerConfig, EnvFilterConfig, FileHandlerConfig, JsonFormatterConfig, Level,
    LoggerConfig, NameFilterConfig, PatternFormatterConfig, RegexFilterConfig,
    RotatingFileHandlerConfig, Size, Stream,
};
use logfig::{Config, Format};

use crate::env_filter::rerun;

fn code_config(log: &Path) -> logfig::ConfigBuilder {
    Config::builder()
        .formatter(
            "plain",
            PatternFormatterConfig::new("%(levelname)s %(name)s: %(message)s"),
        )
        .formatter("machine", JsonFormatterConfig::default())
        .filter("no_health", RegexFilterConfig::deny("GET /health"))
        .filter("mine", NameFilterConfig::new("myapp"))
        .handler(
            "console",
            ConsoleHandlerConfig::new(Stream::Stdout).with_formatter("plain"),
        )
        .handler(
            "app",
            FileHandlerConfig::new(log)
                .with_formatter("plain")
                .with_level(Level::Debug)
                .with_filters(["no_health"]),
        )
        .logger(
            "myapp::db",
            LoggerConfig::new(Level::Debug)
                .with_handlers(["app"])
                .with_propagate(false)
                .with_filters(["mine"]),
        )
        .root(Level::Info, ["console", "app"])
        .env_filter(EnvFilterConfig::off())
}

#[test]
fn a_config_from_code_is_the_config_from_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let from_code = code_config(&log).build().unwrap();
    let yaml = format!(
        r#"
version: 1
env_filter: {{ enabled: false }}
formatters:
  plain: {{ format: "%(levelname)s %(name)s: %(message)s" }}
  machine: {{ type: json }}
filters:
  no_health: {{ type: regex, pattern: "GET /health", action: deny }}
  mine: {{ name: myapp }}
handlers:
  console: {{ type: console, stream: stdout, formatter: plain }}
  app: {{ type: file, path: '{}', formatter: plain, level: DEBUG, filters: [no_health] }}
loggers:
  myapp::db: {{ level: DEBUG, handlers: [app], propagate: false, filters: [mine] }}
root: {{ level: INFO, handlers: [console, app] }}
"#,
        log.display()
    );
    assert_eq!(from_code, Config::from_str(&yaml, Format::Yaml).unwrap());
}

// A build without these features refuses the kinds (FeatureDisabled), from
// code as from the file.
#[cfg(all(feature = "otlp", feature = "journald"))]
#[test]
fn otlp_and_journald_handlers_from_code_are_the_files() {
    use logfig::config::{JournaldHandlerConfig, OtlpHandlerConfig};

    let from_code = Config::builder()
        .handler(
            "otel",
            OtlpHandlerConfig::new("http://127.0.0.1:4318/v1/logs").with_level(Level::Warning),
        )
        .handler(
            "journal",
            JournaldHandlerConfig::new("/run/systemd/journal/socket").with_filters(["mine"]),
        )
        .filter("mine", NameFilterConfig::new("myapp"))
        .root(Level::Info, ["otel", "journal"])
        .env_filter(EnvFilterConfig::off())
        .build()
        .unwrap();
    let yaml = r#"
version: 1
env_filter: { enabled: false }
filters:
  mine: { name: myapp }
handlers:
  otel: { type: otlp, endpoint: "http://127.0.0.1:4318/v1/logs", level: WARNING }
  journal: { type: journald, path: /run/systemd/journal/socket, filters: [mine] }
root: { level: INFO, handlers: [otel, journal] }
"#;
    assert_eq!(from_code, Config::from_str(yaml, Format::Yaml).unwrap());
}

/// (path, message) of every diagnostic.
fn problems(e: &logfig::Error) -> Vec<(String, String)> {
    e.diagnostics()
        .iter()
        .map(|d| (d.path().to_owned(), d.message().to_owned()))
        .collect()
}

#[test]
fn a_bad_config_from_code_gets_the_files_errors() {
    let mut rotating = RotatingFileHandlerConfig::new("logs/app.log");
    rotating.max_bytes = Some(Size(0));
    let err = Config::builder()
        .formatter(
            "plain",
            PatternFormatterConfig::new("%(levelname)s %(mesage)s"),
        )
        .handler("app", rotating.with_formatter("plian"))
        .handler(
            "out",
            ConsoleHandlerConfig::new(Stream::Stderr).with_formatter("plain"),
        )
        .logger("myapp", LoggerConfig::new(None).with_handlers(["ap"]))
        .root(Level::Info, ["out"])
        .env_filter(EnvFilterConfig::from_var("A=B"))
        .build()
        .unwrap_err();
    let yaml = r#"
version: 1
env_filter: { var: "A=B" }
formatters:
  plain: { format: "%(levelname)s %(mesage)s" }
handlers:
  app: { type: rotating_file, path: logs/app.log, max_bytes: 0, formatter: plian }
  out: { type: console, stream: stderr, formatter: plain }
loggers:
  myapp: { handlers: [ap] }
root: { level: INFO, handlers: [out] }
"#;
    let file_err = Config::from_str(yaml, Format::Yaml).unwrap_err();
    assert_eq!(err.kind(), file_err.kind());
    assert_eq!(problems(&err), problems(&file_err));
    assert!(problems(&err).len() >= 4, "{err}");
    // No position: there is no file to point into.
    assert!(err.diagnostics().iter().all(|d| d.line() == 0), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("handlers.app.max_bytes: `max_bytes` must be at least 1 byte"),
        "{text}"
    );
    assert!(
        text.contains("unknown placeholder `mesage` (did you mean `message`?)"),
        "{text}"
    );
}

#[test]
fn values_from_code_are_taken_literally() {
    // `${HOME}` in a value from code is text, not a variable.
    let config = Config::builder()
        .formatter("f", PatternFormatterConfig::new("${HOME} %(message)s"))
        .build()
        .unwrap();
    let logfig::config::FormatterConfig::Pattern(p) = &config.formatters["f"] else {
        panic!("a pattern formatter")
    };
    assert_eq!(p.format.as_deref(), Some("${HOME} %(message)s"));
}

/// The child of `a_config_from_code_is_installed_and_routes`.
#[test]
fn child_installs_a_config_from_code() {
    let Some(dir) = std::env::var_os("LOGFIG_CODE_CONFIG_DIR") else {
        return;
    };
    let log = Path::new(&dir).join("app.log");
    let config = code_config(&log).build().unwrap();
    let handle = logfig::Builder::new().install(&config).unwrap();
    log::info!(target: "myapp::db", "db ready");
    log::info!(target: "myapp::db", "GET /health");
    log::debug!(target: "web", "not at root's level");
    log::warn!(target: "web", "slow");
    // A second install is refused and installs nothing.
    let again = logfig::Builder::new().install(&config).unwrap_err();
    assert_eq!(again.kind(), logfig::ErrorKind::AlreadyInitialized);
    handle.flush();
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "INFO myapp::db: db ready\nWARNING web: slow\n"
    );
}

#[test]
fn a_config_from_code_is_installed_and_routes() {
    let dir = tempfile::tempdir().unwrap();
    let out = rerun(
        "load::code_config::child_installs_a_config_from_code",
        &[("LOGFIG_CODE_CONFIG_DIR", dir.path().to_str().unwrap())],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The console handler wrote the propagated record to stdout.
    assert!(stdout.contains("WARNING web: slow"), "{stdout}");
}
