//! `RUST_LOG` on top of the file: directives as level overrides that survive
//! reloads, are visible in `reload_status` and `explain`, are reported once
//! when bad, and can be switched off. The real variable is read by a child
//! process (this binary, re-run on one test with `RUST_LOG` set): a test
//! cannot set a variable for itself without `unsafe`.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use logfig::config::Level;
use logfig::{Builder, Config, Format, Handle};

use crate::dispatch::open_gate;

struct Fixture {
    _dir: tempfile::TempDir,
    config: PathBuf,
    log: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("logging.yaml");
        let log = dir.path().join("app.log");
        Fixture {
            _dir: dir,
            config,
            log,
        }
    }

    /// Root at `root`, `hyper` at WARNING, everything to app.log as
    /// `LEVEL target message`; `extra` goes at the top level.
    fn write(&self, root: &str, extra: &str) {
        let text = format!(
            "version: 1\n{extra}\nreload: {{ debounce: 25ms }}\nformatters:\n  f: {{ format: '%(levelname)s %(name)s %(message)s' }}\n\
             handlers:\n  file: {{ type: file, path: '{}', formatter: f }}\n\
             loggers:\n  hyper: {{ level: WARNING }}\nroot: {{ level: {root}, handlers: [file] }}\n",
            self.log.display()
        );
        fs::write(&self.config, text).unwrap();
    }

    fn lines(&self) -> Vec<String> {
        fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

fn probe(h: &Handle, tag: &str) {
    let d = h.dispatcher();
    log::debug!(logger: d, target: "myapp::db::pool", "{tag} db debug");
    log::trace!(logger: d, target: "myapp::db", "{tag} db trace");
    log::debug!(logger: d, target: "myapp::web", "{tag} web debug");
    log::info!(logger: d, target: "hyper::client", "{tag} hyper info");
    log::info!(logger: d, target: "other", "{tag} other info");
    h.flush();
}

#[test]
fn directives_apply_on_top_of_the_file_and_survive_a_reload() {
    open_gate();
    let fx = Fixture::new();
    fx.write("WARNING", "");
    let h = Builder::new()
        .env_directives("info,myapp::db=debug,hyper=info")
        .build_file(&fx.config)
        .unwrap();
    probe(&h, "one");
    let lines = fx.lines();
    assert!(
        lines.contains(&"DEBUG myapp::db::pool one db debug".into()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"INFO hyper::client one hyper info".into()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"INFO other one other info".into()),
        "{lines:?}"
    );
    assert!(
        !lines
            .iter()
            .any(|l| l.contains("db trace") || l.contains("web debug")),
        "{lines:?}"
    );
    // The running config is still the file's: directives sit on top.
    assert_eq!(h.dispatcher().config().root.level, Some(Level::Warning));

    // A reload (root to ERROR) keeps the directives on top.
    fx.write("ERROR", "");
    h.reload_now().unwrap();
    let status = h.reload_status().unwrap();
    assert_eq!(status.reloads(), 1);
    let env = status.env_filter().expect("the directives are shown");
    assert_eq!(env.var(), "RUST_LOG");
    assert_eq!(env.value(), "info,myapp::db=debug,hyper=info");
    assert_eq!(env.levels().len(), 3);
    probe(&h, "two");
    let lines = fx.lines();
    assert!(
        lines.contains(&"DEBUG myapp::db::pool two db debug".into()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"INFO other two other info".into()),
        "{lines:?}"
    );

    // A runtime override wins over a directive, and the directive returns
    // when it is cleared.
    h.set_level("myapp::db", Level::Error, None).unwrap();
    probe(&h, "three");
    assert!(!fx.lines().iter().any(|l| l.contains("three db")));
    h.clear_level("myapp::db").unwrap();
    probe(&h, "four");
    assert!(
        fx.lines()
            .contains(&"DEBUG myapp::db::pool four db debug".into())
    );
}

#[test]
fn enabled_false_switches_them_off_at_reload_too() {
    open_gate();
    let fx = Fixture::new();
    fx.write("WARNING", "");
    let h = Builder::new()
        .env_directives("debug")
        .build_file(&fx.config)
        .unwrap();
    assert_eq!(h.dispatcher().max_level(), log::LevelFilter::Debug);
    fx.write("WARNING", "env_filter: { enabled: false }");
    h.reload_now().unwrap();
    assert_eq!(h.dispatcher().max_level(), log::LevelFilter::Warn);
    assert!(h.reload_status().unwrap().env_filter().is_none());
    probe(&h, "off");
    assert!(fx.lines().is_empty(), "{:?}", fx.lines());
}

#[test]
fn a_bad_directive_is_reported_once_and_never_fails_a_start() {
    open_gate();
    let fx = Fixture::new();
    fx.write("WARNING", "");
    let h = Builder::new()
        .env_directives("myapp=loud,hyper=info/GET /health")
        .build_file(&fx.config)
        .unwrap();
    let reports = |lines: &[String]| {
        lines
            .iter()
            .filter(|l| l.starts_with("WARNING logfig warning: env_filter: RUST_LOG: ignored"))
            .count()
    };
    let lines = fx.lines();
    assert_eq!(reports(&lines), 1, "{lines:?}");
    let report = lines
        .iter()
        .find(|l| l.contains("RUST_LOG: ignored"))
        .unwrap();
    assert!(report.contains("`myapp=loud`: unknown level"), "{report}");
    assert!(
        report.contains("`/GET /health`: the `/regex` suffix is not supported"),
        "{report}"
    );
    // What could be read applies.
    probe(&h, "one");
    assert!(
        fx.lines()
            .contains(&"INFO hyper::client one hyper info".into())
    );

    // A reload: the same problem is not reported again, but stays visible.
    fx.write("ERROR", "");
    h.reload_now().unwrap();
    let status = h.reload_status().unwrap();
    assert!(
        status.diagnostics().is_empty(),
        "{:?}",
        status.diagnostics()
    );
    assert_eq!(status.env_filter().unwrap().ignored().len(), 2);
    assert_eq!(reports(&fx.lines()), 1, "{:?}", fx.lines());
}

#[test]
fn env_filter_keys_are_checked_like_the_rest_of_the_file() {
    let err = Config::from_str(
        "version: 1\nenv_filter:\n  var: ''\n  enabeld: true\n",
        Format::Yaml,
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("3:8: env_filter.var: the variable name is empty"),
        "{text}"
    );
    assert!(text.contains("4:3: env_filter"), "{text}");
    assert!(text.contains("enabeld"), "{text}");
    let ok = Config::from_str(
        "version = 1\n[env_filter]\nvar = \"APP_LOG\"\n",
        Format::Toml,
    )
    .unwrap();
    assert_eq!(ok.env_filter.var, "APP_LOG");
    assert!(ok.env_filter.enabled);
}

/// Runs this test binary on one test, with `vars` set.
pub(crate) fn rerun(test: &str, vars: &[(&str, &str)]) -> std::process::Output {
    rerun_in(test, &std::env::current_dir().unwrap(), vars)
}

/// [`rerun`] in working directory `dir`.
pub(crate) fn rerun_in(
    test: &str,
    dir: &std::path::Path,
    vars: &[(&str, &str)],
) -> std::process::Output {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.current_dir(dir);
    cmd.args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env("LOGFIG_ENV_FILTER_CHILD", "1")
        .env("NO_COLOR", "1")
        .env_remove("LOGFIG_CONFIG")
        .env_remove("RUST_LOG")
        .env_remove("APP_LOG");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// The child of `the_real_variable_is_read`: returns at once unless run by it.
#[test]
fn child_reads_the_variable() {
    if std::env::var_os("LOGFIG_ENV_FILTER_CHILD").is_none() {
        return;
    }
    let config = |extra: &str| {
        Config::from_str(
            &format!("version: 1\n{extra}\nroot: {{ level: WARNING }}\n"),
            Format::Yaml,
        )
        .unwrap()
    };
    // RUST_LOG=myapp=trace, APP_LOG=debug (set by the parent).
    let d = Builder::new().build(&config("")).unwrap();
    assert_eq!(d.max_level(), log::LevelFilter::Trace);
    assert_eq!(d.env_filter().unwrap().value(), "myapp=trace");
    let d = Builder::new()
        .build(&config("env_filter: { var: APP_LOG }"))
        .unwrap();
    assert_eq!(d.max_level(), log::LevelFilter::Debug);
    let d = Builder::new()
        .build(&config("env_filter: { enabled: false }"))
        .unwrap();
    assert_eq!(d.max_level(), log::LevelFilter::Warn);
    assert!(d.env_filter().is_none());
}

#[test]
fn the_real_variable_is_read() {
    let out = rerun(
        "env_filter::child_reads_the_variable",
        &[("RUST_LOG", "myapp=trace"), ("APP_LOG", "debug")],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[cfg(feature = "cli")]
#[test]
fn explain_shows_what_rust_log_sets() {
    let fx = Fixture::new();
    fx.write("WARNING", "");
    let path = fx.config.to_str().unwrap();
    let run = |rust_log: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_logfig"));
        cmd.args(["explain", path, "myapp::db::pool", "DEBUG"])
            .env_remove("RUST_LOG");
        if let Some(v) = rust_log {
            cmd.env("RUST_LOG", v);
        }
        String::from_utf8(cmd.output().unwrap().stdout).unwrap()
    };
    let plain = run(None);
    assert!(plain.contains("dropped"), "{plain}");
    assert!(!plain.contains("env:"), "{plain}");
    let with = run(Some("info,myapp::db=debug,x=?"));
    assert!(
        with.contains(
            "env: RUST_LOG=`info,myapp::db=debug,x=?`: root INFO, myapp::db DEBUG; ignored `x=?`"
        ),
        "{with}"
    );
    assert!(
        with.contains("level: DEBUG (set on `myapp::db` by RUST_LOG)"),
        "{with}"
    );
    assert!(with.contains("DEBUG passes the logger's level"), "{with}");
}

/// The child of `init_without_a_file_reads_rust_log`.
#[test]
fn child_inits_without_a_file() {
    if std::env::var_os("LOGFIG_ENV_FILTER_CHILD").is_none() {
        return;
    }
    let _handle = logfig::Builder::new().init().unwrap();
    log::debug!(target: "myapp::db", "shown: RUST_LOG says debug");
    log::trace!(target: "myapp::db", "not shown");
    log::info!(target: "other", "not shown either: the default root is WARNING");
}

#[test]
fn init_without_a_file_reads_rust_log() {
    let dir = tempfile::tempdir().unwrap();
    let out = rerun_in(
        "env_filter::child_inits_without_a_file",
        dir.path(),
        &[("RUST_LOG", "myapp=debug")],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // Python's basicConfig format, as `init()`'s default has it.
    assert!(
        stderr.contains("DEBUG:myapp::db:shown: RUST_LOG says debug"),
        "{stderr}"
    );
    assert!(!stderr.contains("not shown"), "{stderr}");
}
