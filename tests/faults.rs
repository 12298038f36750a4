//! Faults around the application, one real process per case: stderr that
//! cannot be written (`2>/dev/full`, a closed pipe, a pipe into `head -1`),
//! handlers that panic on every record, and panic hooks the application sets
//! before or after logfig. This binary re-runs itself with
//! `LOGFIG_FAULT_CASE` set to run one case in a fresh child, and checks the
//! child's exit status, its files and its stderr.

#![allow(clippy::print_stdout)]
// reason: a harness-less test reports on stdout, as libtest does
// reason: a test's helpers fail it loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use logfig::{Entry, Error, Formatter, Handler};

/// Generous: each child runs for a second or two; shared machines stall.
const DEADLINE: Duration = Duration::from_secs(120);

/// Records of each round of `failing_outputs`.
const RECORDS: usize = 500;

/// Where a child's stderr goes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stderr {
    /// A pipe the parent reads to the end.
    Captured,
    /// `/dev/full`: every write fails with ENOSPC.
    Full,
    /// A pipe whose reading end is closed: every write fails with EPIPE.
    ClosedPipe,
    /// A pipe the parent reads one line from, then closes (`| head -1`).
    HeadOne,
}

struct Case {
    name: &'static str,
    child: fn(),
    stderr: Stderr,
    check: fn(&Path, &str) -> Result<(), String>,
}

const CASES: &[Case] = &[
    Case {
        name: "failing_outputs_with_stderr_full",
        child: failing_outputs,
        stderr: Stderr::Full,
        check: all_records_logged,
    },
    Case {
        name: "failing_outputs_with_stderr_a_closed_pipe",
        child: failing_outputs,
        stderr: Stderr::ClosedPipe,
        check: all_records_logged,
    },
    Case {
        name: "failing_outputs_with_stderr_piped_into_head_1",
        child: failing_outputs,
        stderr: Stderr::HeadOne,
        check: all_records_logged,
    },
    Case {
        name: "failing_outputs_with_stderr_readable",
        child: failing_outputs,
        stderr: Stderr::Captured,
        check: failures_reported_on_stderr,
    },
    Case {
        name: "a_handler_panicking_on_every_record",
        child: panicking_handler,
        stderr: Stderr::Captured,
        check: panics_reported_once_then_counted,
    },
    Case {
        name: "an_app_hook_set_before_logfig",
        child: hook_set_before_logfig,
        stderr: Stderr::Captured,
        check: app_hook_sees_only_app_panics,
    },
    Case {
        name: "an_app_hook_set_after_logfig",
        child: hook_set_after_logfig,
        stderr: Stderr::Captured,
        check: app_hook_displaces_logfig_once,
    },
];

fn main() {
    if let Ok(name) = std::env::var("LOGFIG_FAULT_CASE") {
        let case = CASES.iter().find(|c| c.name == name).expect("unknown case");
        (case.child)();
        return;
    }
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let mut failed = 0;
    let mut ran = 0;
    for case in CASES {
        if !filter.is_empty() && !filter.iter().any(|f| case.name.contains(f.as_str())) {
            continue;
        }
        ran += 1;
        let result = run(case);
        println!(
            "test faults::{} ... {}",
            case.name,
            if result.is_ok() { "ok" } else { "FAILED" }
        );
        if let Err(why) = result {
            failed += 1;
            println!("{why}");
        }
    }
    println!("{} passed, {failed} failed", ran - failed);
    if failed > 0 {
        std::process::exit(1);
    }
}

/// Runs `case` in a child and checks it: exit status 0, then the case's own
/// check of its directory and stderr.
fn run(case: &Case) -> Result<(), String> {
    let dir =
        std::env::temp_dir().join(format!("logfig-fault-{}-{}", case.name, std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut cmd = Command::new(std::env::current_exe().expect("current exe"));
    cmd.env("LOGFIG_FAULT_CASE", case.name)
        .env("LOGFIG_TEST_DIR", &dir)
        .env_remove("LOGFIG_CONFIG")
        .env_remove("RUST_BACKTRACE")
        .env("NO_COLOR", "1")
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    match case.stderr {
        Stderr::Captured | Stderr::HeadOne => {
            cmd.stderr(Stdio::piped());
        }
        Stderr::Full => match std::fs::OpenOptions::new().write(true).open("/dev/full") {
            Ok(full) => {
                cmd.stderr(full);
            }
            // Linux and the BSDs have it; elsewhere the closed pipe covers
            // failing writes.
            Err(e) => {
                println!("SKIPPED faults::{}: no /dev/full here ({e})", case.name);
                let _ = std::fs::remove_dir_all(&dir);
                return Ok(());
            }
        },
        Stderr::ClosedPipe => {
            // Tests are not in the package: the MSRV is the library's and
            // the binary's, and CI's toolchain runs the tests.
            #[allow(clippy::incompatible_msrv)]
            let (reader, writer) = std::io::pipe().expect("a pipe");
            drop(reader);
            cmd.stderr(writer);
        }
    }
    if case.stderr == Stderr::HeadOne {
        cmd.env("LOGFIG_WAIT_FOR_GO", "1");
    }
    let mut child = cmd.spawn().expect("running the test binary");
    // `cmd` holds the parent's copy of a pipe's writing end: drop it, or the
    // parent never sees the end of the child's stderr.
    drop(cmd);
    let stderr = match case.stderr {
        Stderr::Captured => {
            let mut text = String::new();
            let mut pipe = child.stderr.take().expect("piped stderr");
            std::io::Read::read_to_string(&mut pipe, &mut text).expect("reading stderr");
            text
        }
        Stderr::HeadOne => {
            let mut first = String::new();
            let mut pipe = BufReader::new(child.stderr.take().expect("piped stderr"));
            pipe.read_line(&mut first).expect("reading stderr");
            drop(pipe);
            // The child goes on only now that nobody reads its stderr.
            std::fs::write(dir.join("go"), "").expect("the go file");
            first
        }
        Stderr::Full | Stderr::ClosedPipe => String::new(),
    };
    let status = wait(&mut child)?;
    let result = if status.success() {
        (case.check)(&dir, &stderr)
    } else {
        Err(format!("exit status {status}"))
    };
    let _ = std::fs::remove_dir_all(&dir);
    result.map_err(|why| format!("{why}\n--- stderr\n{stderr}"))
}

fn wait(child: &mut Child) -> Result<std::process::ExitStatus, String> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("waiting for the child") {
            return Ok(status);
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            return Err("the child did not finish in time".to_owned());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn test_dir() -> PathBuf {
    std::env::var_os("LOGFIG_TEST_DIR")
        .expect("LOGFIG_TEST_DIR")
        .into()
}

// ---- handlers ------------------------------------------------------------

/// An output that always fails.
#[derive(Debug)]
struct Failing;

impl Handler for Failing {
    fn emit(&self, _: &Entry<'_>, _: &dyn Formatter) -> Result<(), Error> {
        Err(Error::other("this output always fails"))
    }
}

/// A handler that panics on every record.
#[derive(Debug)]
struct Boom;

impl Handler for Boom {
    fn emit(&self, _: &Entry<'_>, _: &dyn Formatter) -> Result<(), Error> {
        panic!("boom")
    }
}

/// A handler that logs from inside `emit` (as an HTTP client logging through
/// `log` does): the record goes to stderr, not back into the graph.
#[derive(Debug)]
struct Reentrant;

impl Handler for Reentrant {
    fn emit(&self, _: &Entry<'_>, _: &dyn Formatter) -> Result<(), Error> {
        log::warn!(target: "inner", "logged from inside a handler");
        Ok(())
    }
}

fn builder() -> logfig::Builder {
    logfig::Builder::new()
        .handler_factory("failing", |_| Ok(Box::new(Failing)))
        .handler_factory("boom", |_| Ok(Box::new(Boom)))
        .handler_factory("reentrant", |_| Ok(Box::new(Reentrant)))
}

// ---- failing outputs -----------------------------------------------------

/// Every path that writes to stderr on its own: the default error hook (a
/// failing output), a caught panic's report, the re-entrancy fallback, the
/// last resort (a logger with no handler), a console handler, a failed
/// reload. Round 1 names its handlers anew, so their first failures are
/// reported at once.
fn failing_outputs_config(round: u32) -> String {
    let log = test_dir().join("app.log");
    format!(
        "version: 1\nhandlers:\n  out: {{ type: file, path: '{}' }}\n  console{round}: {{ type: console, stream: stderr, level: WARNING }}\n  failing{round}: {{ type: custom, factory: failing }}\n  boom{round}: {{ type: custom, factory: boom }}\n  reentrant{round}: {{ type: custom, factory: reentrant }}\nloggers:\n  orphan: {{ level: WARNING, propagate: false }}\n  app: {{ handlers: [console{round}] }}\nroot: {{ level: INFO, handlers: [failing{round}, boom{round}, reentrant{round}, out] }}\n",
        log.display()
    )
}

fn failing_outputs() {
    let config = test_dir().join("logging.yaml");
    std::fs::write(&config, failing_outputs_config(0)).unwrap();
    let handle = builder().init_file(&config).expect("init");
    for round in 0..2 {
        if round == 1 {
            if std::env::var_os("LOGFIG_WAIT_FOR_GO").is_some() {
                let go = test_dir().join("go");
                let start = Instant::now();
                while !go.exists() {
                    assert!(start.elapsed() < DEADLINE, "no go from the parent");
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
            std::fs::write(&config, failing_outputs_config(1)).unwrap();
            handle.reload_now().expect("round 1's config applies");
        }
        for i in 0..RECORDS {
            log::info!(target: "app", "record {round} {i}");
            log::warn!(target: "orphan", "orphan {round} {i}");
            if i % 100 == 0 {
                log::warn!(target: "app", "to the console {round} {i}");
            }
        }
    }
    std::fs::write(&config, "version: 1\nroot: { levle: INFO }\n").unwrap();
    handle
        .reload_now()
        .expect_err("an invalid config is reported, not applied");
    log::info!(target: "app", "the end");
}

fn all_records_logged(dir: &Path, _stderr: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(dir.join("app.log")).map_err(|e| e.to_string())?;
    let records: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("record ") || *l == "the end")
        .collect();
    let expected: Vec<String> = (0..2)
        .flat_map(|r| (0..RECORDS).map(move |i| format!("record {r} {i}")))
        .chain(["the end".to_owned()])
        .collect();
    if records == expected {
        Ok(())
    } else {
        Err(format!(
            "app.log holds {} of the {} records",
            records.len(),
            expected.len()
        ))
    }
}

fn failures_reported_on_stderr(dir: &Path, stderr: &str) -> Result<(), String> {
    all_records_logged(dir, stderr)?;
    for expected in [
        "logfig: handler `failing0`: this output always fails",
        "logfig: handler `failing1`: this output always fails",
        "logfig: handler `boom0`: panicked: boom",
        "logfig (from inside a handler): WARN inner: logged from inside a handler",
        "orphan 1 499",
        "to the console 1 400",
        "logfig: reloading `",
    ] {
        if !stderr.contains(expected) {
            return Err(format!("stderr lacks {expected:?}"));
        }
    }
    Ok(())
}

// ---- panics --------------------------------------------------------------

/// 1,000 records to a handler that panics on each, and to a queue whose
/// target does; a second later, one more. Then the application's own panic,
/// which its panic hook must still report.
fn panic_storm(handle: &logfig::Handle) {
    for i in 0..1000 {
        log::info!("record {i}");
    }
    handle.flush();
    // Past the one-a-second limit: the next panic is reported, with a count.
    std::thread::sleep(Duration::from_millis(1100));
    log::info!("one more");
    handle.flush();
    log::info!("the queue's report comes with the next record");
    handle.flush();
    let _ = std::panic::catch_unwind(|| panic!("the app's own panic"));
}

const PANICKING: &str = "version: 1\nhandlers:\n  boom: { type: custom, factory: boom }\n  behind: { type: custom, factory: boom }\n  q: { type: queue, handlers: [behind] }\nroot: { level: INFO, handlers: [boom, q] }\n";

fn panicking_handler() {
    let handle = builder()
        .init_str(PANICKING, logfig::Format::Yaml)
        .expect("init");
    panic_storm(&handle);
}

/// Writes the payload of every panic on one stderr line.
fn app_hook() -> Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Send + Sync> {
    Box::new(|info| {
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .copied()
            .unwrap_or("?");
        let _ = writeln!(std::io::stderr().lock(), "app hook: {payload}");
    })
}

fn hook_set_before_logfig() {
    std::panic::set_hook(app_hook());
    let handle = builder()
        .init_str(PANICKING, logfig::Format::Yaml)
        .expect("init");
    panic_storm(&handle);
}

fn hook_set_after_logfig() {
    let handle = builder()
        .init_str(PANICKING, logfig::Format::Yaml)
        .expect("init");
    // Replaces logfig's wrapper without calling it.
    std::panic::set_hook(app_hook());
    panic_storm(&handle);
}

fn count(stderr: &str, what: &str) -> usize {
    stderr.lines().filter(|l| l.contains(what)).count()
}

/// The first panic is reported with the handler's name, the message and
/// where; the rest are counted in reports at most once a second; the queue's
/// target's panics arrive as the queue's rate-limited errors; Rust's panic
/// message appears only for the application's own panic.
fn panics_reported_once_then_counted(_dir: &Path, stderr: &str) -> Result<(), String> {
    let first = count(stderr, "logfig: handler `boom`: panicked: boom (at ");
    if first != 1 {
        return Err(format!("{first} first reports of `boom`, expected 1"));
    }
    let counted: u64 = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("logfig: handler `boom`: panicked "))
        .filter_map(|rest| rest.split(' ').next()?.parse::<u64>().ok())
        .sum();
    if counted != 1000 {
        return Err(format!(
            "the periodic reports count {counted} later panics, expected 1000"
        ));
    }
    if count(stderr, "handler `behind` panicked: boom") == 0 {
        return Err("the queue's target's panic is not reported".to_owned());
    }
    // Well under one line per record, however slow the machine.
    let lines = stderr.lines().count();
    if lines > 100 {
        return Err(format!("{lines} lines on stderr"));
    }
    if count(stderr, "panicked at") != 1 || !stderr.contains("the app's own panic") {
        return Err("Rust's panic message must appear once: for the app's own panic".to_owned());
    }
    Ok(())
}

fn app_hook_sees_only_app_panics(_dir: &Path, stderr: &str) -> Result<(), String> {
    if count(stderr, "app hook: boom") != 0 {
        return Err("the app's hook saw panics that logfig caught".to_owned());
    }
    if count(stderr, "app hook: the app's own panic") != 1 {
        return Err("the app's hook missed the app's own panic".to_owned());
    }
    if count(stderr, "logfig: handler `boom`: panicked: boom (at ") != 1 {
        return Err("logfig's own report is missing".to_owned());
    }
    Ok(())
}

/// The first caught panic reaches the application's hook (it displaced
/// logfig's); then logfig wraps it again and the rest stay quiet.
fn app_hook_displaces_logfig_once(_dir: &Path, stderr: &str) -> Result<(), String> {
    let leaked = count(stderr, "app hook: boom");
    // One on the logging thread, one on the queue's thread at most.
    if leaked > 2 {
        return Err(format!("{leaked} caught panics reached the app's hook"));
    }
    if count(stderr, "app hook: the app's own panic") != 1 {
        return Err("the app's hook missed the app's own panic".to_owned());
    }
    if count(stderr, "panicked at") != 0 {
        return Err("Rust's default hook ran though the app replaced it".to_owned());
    }
    Ok(())
}
