//! Logs in `cargo test`: a passing test's lines stay out of the report, a
//! failing test's are shown with it. Checked on a real libtest run: this
//! binary re-runs itself on the `demo_` tests (which do nothing unless
//! `LOGFIG_CAPTURE_DEMO` is set) and the output of that run is read.

use logfig::config::{ColorMode, Stream};
use logfig::{Config, Format};

fn demo() -> bool {
    std::env::var_os("LOGFIG_CAPTURE_DEMO").is_some()
}

#[test]
fn demo_passes() {
    if !demo() {
        return;
    }
    logfig::test::init();
    log::info!(target: "demo", "line from the passing test");
    let ((), records) = logfig::test::captured(|| log::warn!(target: "demo", "collected"));
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].message, "collected");
}

#[test]
fn demo_fails() {
    if !demo() {
        return;
    }
    logfig::test::init();
    log::info!(target: "demo", "line from the failing test");
    panic!("failing on purpose");
}

/// The control: a console handler without `capture` writes to the raw
/// stream, which libtest cannot capture, so this passing test's line shows.
#[test]
fn demo_raw_passes() {
    if !demo() {
        return;
    }
    let config = Config::from_str(
        "version: 1\nhandlers:\n  c: { type: console, capture: false }\nroot: { level: INFO, handlers: [c] }\n",
        Format::Yaml,
    )
    .unwrap();
    let d = logfig::Dispatcher::new(&config).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    log::info!(logger: d, target: "demo", "raw line from a passing test");
}

#[test]
fn a_passing_tests_logs_stay_out_of_the_report() {
    // As `cargo test` runs a test binary: capture on, a name filter.
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .args(["capture::demo_", "--test-threads=1"])
        .env("LOGFIG_CAPTURE_DEMO", "1")
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .env_remove("LOGFIG_CONFIG")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let all = format!("--- stdout\n{stdout}\n--- stderr\n{stderr}");
    assert!(!out.status.success(), "demo_fails fails: {all}");
    assert!(stdout.contains("test capture::demo_passes ... ok"), "{all}");
    assert!(
        stdout.contains("test capture::demo_fails ... FAILED"),
        "{all}"
    );
    // The failing test's line is in its captured output, in the report.
    let report = stdout
        .split("---- capture::demo_fails stdout ----")
        .nth(1)
        .unwrap_or_else(|| panic!("no report for demo_fails: {all}"));
    assert!(
        report.contains("INFO demo: line from the failing test"),
        "{all}"
    );
    // The passing test's lines are nowhere.
    assert!(!all.contains("line from the passing test"), "{all}");
    assert!(!all.contains("collected"), "{all}");
    // The control shows that the check can see a line that escaped capture.
    assert!(stderr.contains("raw line from a passing test"), "{all}");
}

#[test]
fn capture_is_a_console_option() {
    let config = Config::from_str(
        "version: 1\nhandlers:\n  c: { type: console, capture: true, color: auto }\n",
        Format::Yaml,
    )
    .unwrap();
    let logfig::config::HandlerConfig::Console(c) = &config.handlers["c"] else {
        panic!("a console handler")
    };
    assert!(c.capture);
    let err = Config::from_str(
        "version: 1\nhandlers:\n  c: { type: console, capture: sometimes }\n",
        Format::Yaml,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("3:32: handlers.c.capture: expected true or false"),
        "{err}"
    );
    let h = logfig::ConsoleHandler::new(Stream::Stdout, ColorMode::Always).captured(true);
    assert!(h.is_captured() && h.colored(), "`always` stays on");
}
