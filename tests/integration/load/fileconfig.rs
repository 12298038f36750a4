//! `fileConfig` INI files end to end: hot reload of a `logging.ini`, and
//! `logfig check` on a broken one (every problem, each at its line and
//! column). The reading itself is unit-tested in `src/load/python/ini.rs`;
//! the corpus in `tests/python_real/fileconfig/` compares the output with
//! CPython's.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use logfig::Builder;

use crate::dispatch::open_gate;

const DEADLINE: Duration = Duration::from_secs(20);

fn ini(log: &Path, level: &str) -> String {
    format!(
        "[app:main]\nsecret = ${{not_read}} %(here)s\n\n[loggers]\nkeys = root, db\n\n[handlers]\nkeys = file, unused\n\n[formatters]\nkeys = f\n\n\
         [logger_root]\nlevel = {level}\nhandlers = file\n\n[logger_db]\nqualname = app.db\nhandlers =\npropagate = 1\n\n\
         [handler_file]\nclass = FileHandler\nargs = ('{}', 'w')\nformatter = f\n\n\
         [handler_unused]\nclass = NullHandler\n\n\
         [formatter_f]\nformat = %(levelname)s %(name)s %(message)s\n",
        log.display()
    )
}

#[test]
fn a_logging_ini_reloads_and_its_warnings_stay_out_of_the_output() {
    open_gate();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("logging.ini");
    let log = dir.path().join("app.log");
    fs::write(&config, ini(&log, "WARNING")).unwrap();
    let hooked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let seen = hooked.clone();
    let h = Builder::new()
        .on_error(move |what, e| seen.lock().unwrap().push(format!("{what}: {e}")))
        .build_file(&config)
        .unwrap();
    // The warnings of a Python config are in the status from the start.
    let first = h.reload_status().unwrap();
    assert!(
        first
            .diagnostics()
            .iter()
            .any(|d| d.message().contains("`unused` is not used")),
        "{first:?}"
    );
    let d = h.dispatcher();
    log::info!(logger: d, target: "app.db", "hidden");
    log::warn!(logger: d, target: "app.db", "shown");
    let tmp = dir.path().join("logging.ini.tmp");
    fs::write(&tmp, ini(&log, "DEBUG")).unwrap();
    fs::rename(&tmp, &config).unwrap();
    let start = Instant::now();
    let mut n = 0;
    while !fs::read_to_string(&log)
        .unwrap_or_default()
        .contains("DEBUG app.db probe")
    {
        assert!(start.elapsed() < DEADLINE, "the INI edit was not applied");
        n += 1;
        log::debug!(logger: d, target: "app.db", "probe {n}");
        std::thread::sleep(Duration::from_millis(5));
    }
    let status = h.reload_status().unwrap();
    assert!(status.reloads() >= 1, "{status:?}");
    let warnings: Vec<String> = status.diagnostics().iter().map(|d| d.to_string()).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("handler `unused` is not used")),
        "{warnings:?}"
    );
    // A broken edit: the error goes to the status and the hook, not to the
    // outputs (nor to stderr, which this process's test harness captures).
    fs::write(
        &tmp,
        ini(&log, "DEBUG").replace("propagate = 1", "propagate = no"),
    )
    .unwrap();
    fs::rename(&tmp, &config).unwrap();
    let start = Instant::now();
    while h.reload_status().unwrap().last_error().is_none() {
        assert!(
            start.elapsed() < DEADLINE,
            "the broken INI edit was not reported"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let error = h.reload_status().unwrap().last_error().unwrap().to_owned();
    assert!(error.contains("logger_db.propagate"), "{error}");
    assert!(
        hooked
            .lock()
            .unwrap()
            .iter()
            .any(|m| m.contains("logger_db.propagate")),
        "{:?}",
        hooked.lock().unwrap()
    );
    log::debug!(logger: d, target: "app.db", "still running");
    drop(h);
    let text = fs::read_to_string(&log).unwrap();
    assert!(text.contains("DEBUG app.db still running"), "{text}");
    assert!(text.starts_with("WARNING app.db shown\n"), "{text}");
    // No "reloaded" record, no warning: CPython writes neither.
    assert!(
        !text.contains("hidden") && !text.contains("logfig"),
        "{text}"
    );
}

#[cfg(feature = "cli")]
#[test]
fn logfig_check_reports_every_problem_of_an_ini_file_at_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.conf");
    fs::write(
        &bad,
        "[loggers]\nkeys = root, db\n[handlers]\nkeys = h\n[formatters]\nkeys =\n[logger_root]\nhandlers = h\n[logger_db]\nqualname = db\nhandlers = h\npropagate = no\n[handler_h]\nclass = StreamHandler\nargs = (sys.stdout, open('x'))\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_logfig"))
        .arg("check")
        .arg(&bad)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("bad.conf:12:13: logger_db.propagate: expected an integer"),
        "{text}"
    );
    assert!(
        text.contains("bad.conf:15:21: handler_h.args: `open(...)` is a call"),
        "{text}"
    );
    let ok = dir.path().join("alembic.ini");
    fs::copy(
        "tests/python_real/fileconfig/alembic_generic_template.ini",
        &ok,
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_logfig"))
        .arg("check")
        .arg(&ok)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}
