//! Python's `dictConfig` files, run by CPython's `logging` and by logfig: the
//! same config and the same records must give the same bytes on stdout, on
//! stderr and in every file written.
//!
//! Each `tests/python_compat/*.yaml` is a dictConfig file in Python's own form
//! (most from the logging HOWTO and cookbook). `${LOGFIG_COMPAT_DIR}` in it is
//! replaced, textually and on both sides, by an empty directory of its own.
//!
//! - CPython: `tests/python_compat/oracle.py` gets the config (parsed from the
//!   YAML here, sent as JSON) and [`RECORDS`] on stdin, calls `dictConfig`,
//!   passes each record to its logger as `Logger.log` would, with a fixed time,
//!   thread, process and location, then `logging.shutdown()`.
//! - logfig: this test binary runs itself as a child (stdout and stderr need a
//!   process of their own), which loads the config with `Config::from_str`,
//!   builds a `Dispatcher`, routes the same records with the same time, thread
//!   and process through `Dispatcher::log_entry`, then `shutdown()`. The child
//!   brackets its output with markers, so libtest's own lines are left out.
//!
//! Both run with `TZ=UTC`. Directives in a config's leading comments:
//!
//! - `# compat: ascii-records`: leave out the record with non-ASCII text.
//!   Python's RotatingFileHandler measures a record in characters, logfig in
//!   bytes, so size rotation agrees on ASCII text only.
//! - `# compat: python-numbering`: rotated archives are compared after mapping
//!   logfig's numbers onto Python's. Python renames every archive at each roll
//!   (`app.log.1` is always the newest); logfig never renames an archive (the
//!   highest number is the newest). The mapping renames logfig's archives of
//!   each file, newest first, to `.1`, `.2`, ...
//! - `# compat: divergence: <why>`: a known, documented difference: the
//!   outputs must differ (when they stop differing, drop the directive).
//! - `# compat: logfig-only <why>`: CPython cannot run this config (a key of a
//!   newer Python); logfig must load and run it, and nothing is compared.
//!
//! Without `python3` the test prints why it was skipped; with
//! `LOGFIG_REQUIRE_SERVERS=1` it fails instead.
#![cfg(feature = "yaml")]

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use logfig::{Config, Dispatcher, Entry, Format};

const DIR: &str = "tests/python_compat";
pub(super) const PLACEHOLDER: &str = "${LOGFIG_COMPAT_DIR}";
pub(super) const BEGIN: &str = "\u{1e}logfig-compat-begin\n";
pub(super) const END: &str = "\u{1e}logfig-compat-end\n";

pub(super) struct Rec {
    pub(super) name: &'static str,
    pub(super) level: log::Level,
    pub(super) msg: &'static str,
    path: &'static str,
    pub(super) line: u32,
}

const fn rec(name: &'static str, level: log::Level, msg: &'static str, line: u32) -> Rec {
    Rec {
        name,
        level,
        msg,
        path: "src/app/main.py",
        line,
    }
}

use log::Level::{Debug, Error, Info, Trace, Warn};

/// The records every config gets, in order; the i-th is created at
/// `BASE + i * 1.25 s` (plus a few odd milliseconds).
pub(super) const RECORDS: &[Rec] = &[
    rec("app", Info, "service starting", 10),
    rec("app.db", Debug, "connecting to db", 20),
    rec("app.db", Warn, "slow query: 2.5s", 21),
    rec("app.http", Error, "request failed: 500", 30),
    rec("app.http.client", Trace, "trace detail", 31),
    rec("other", Warn, "unconfigured logger warns", 40),
    rec("other", Info, "unconfigured info", 41),
    rec("app", Info, "unicode: é ü 日本 ☃", 11),
    rec("app.db.pool", Error, "pool exhausted 100%", 22),
    rec("app.auth", Info, "user alice logged in", 50),
    rec("app.auth", Debug, "token refreshed", 51),
    rec("app", Warn, "disk usage 91%", 12),
    rec("noisy", Debug, "noise", 60),
    rec("noisy.sub", Warn, "noisy child warns", 61),
    rec("app.http", Info, "GET /health 200", 32),
    rec("app.http", Info, "GET /api/items 200", 33),
    rec("app.db", Error, "deadlock detected", 23),
    rec("app.auth", Warn, "password retry for bob", 52),
];

pub(super) const BASE_SECS: u64 = 1_764_238_502;
pub(super) const THREAD: u64 = 140_245_338_817_344;
pub(super) const PID: u32 = 4242;

/// The index of the one record with non-ASCII text.
const NON_ASCII: usize = 7;

pub(super) fn time_of(i: usize) -> (u64, u32) {
    let ms = 123 + i as u64 * 1250 + (i as u64 * 37) % 100;
    (
        BASE_SECS + ms / 1000,
        (ms % 1000) as u32 * 1_000_000 + 456_000,
    )
}

pub(super) fn levelno(level: log::Level) -> u32 {
    match level {
        Error => 40,
        Warn => 30,
        Info => 20,
        Debug => 10,
        Trace => 5,
    }
}

fn records(ascii: bool) -> Vec<(usize, &'static Rec)> {
    RECORDS
        .iter()
        .enumerate()
        .filter(|(i, _)| !(ascii && *i == NON_ASCII))
        .collect()
}

fn records_json(ascii: bool) -> serde_json::Value {
    records(ascii)
        .into_iter()
        .map(|(i, r)| {
            let (secs, nanos) = time_of(i);
            let ns = i128::from(secs) * 1_000_000_000 + i128::from(nanos);
            serde_json::json!({
                "name": r.name,
                "levelno": levelno(r.level),
                "msg": r.msg,
                "pathname": r.path,
                "lineno": r.line,
                "created": ns as f64 / 1e9,
                "process": PID,
                "thread": THREAD,
                "threadName": "MainThread",
            })
        })
        .collect()
}

struct Case {
    name: String,
    text: String,
    ascii: bool,
    python_numbering: bool,
    logfig_only: bool,
    divergence: bool,
}

fn cases() -> Vec<Case> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let directives: Vec<&str> = text
                .lines()
                .take_while(|l| l.starts_with('#'))
                .filter_map(|l| l.strip_prefix("# compat: "))
                .collect();
            let has = |d: &str| directives.iter().any(|x| x.starts_with(d));
            Case {
                name: p.file_stem().unwrap().to_string_lossy().into_owned(),
                ascii: has("ascii-records"),
                python_numbering: has("python-numbering"),
                logfig_only: has("logfig-only"),
                divergence: has("divergence"),
                text,
            }
        })
        .collect()
}

fn expand(text: &str, dir: &Path) -> String {
    text.replace(PLACEHOLDER, &dir.display().to_string())
}

/// What one side produced.
#[derive(Debug, PartialEq)]
struct Output {
    stdout: String,
    stderr: String,
    files: BTreeMap<String, String>,
}

pub(super) fn read_files(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                let bytes = std::fs::read(&p).unwrap();
                out.insert(rel, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
    out
}

/// Renames logfig's size-rotated archives (`X.N`, highest N newest) to
/// Python's numbering (`X.1` newest).
fn python_numbering(files: BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut groups: BTreeMap<String, Vec<(u64, String)>> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for (name, content) in files {
        match name.rsplit_once('.') {
            Some((base, n)) if n.parse::<u64>().is_ok() => {
                groups
                    .entry(base.to_owned())
                    .or_default()
                    .push((n.parse().unwrap(), content));
            }
            _ => {
                out.insert(name, content);
            }
        }
    }
    for (base, mut archives) in groups {
        archives.sort_by_key(|a| std::cmp::Reverse(a.0));
        for (i, (_, content)) in archives.into_iter().enumerate() {
            out.insert(format!("{base}.{}", i + 1), content);
        }
    }
    out
}

pub(super) fn between_markers(s: &str) -> String {
    let start = s.find(BEGIN).map_or(0, |i| i + BEGIN.len());
    let end = s[start..].find(END).map_or(s.len(), |i| start + i);
    s[start..end].to_owned()
}

fn run_python(case: &Case, dir: &Path) -> Result<Output, String> {
    let config: serde_json::Value = serde_saphyr::from_str(&expand(&case.text, dir))
        .unwrap_or_else(|e| panic!("{}: YAML → JSON: {e}", case.name));
    let input = serde_json::json!({ "config": config, "records": records_json(case.ascii) });
    let mut child = Command::new("python3")
        .arg(Path::new(DIR).join("oracle.py"))
        .env("TZ", "UTC")
        .env("PYTHONUTF8", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run `python3`: {e}"))?;
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.to_string().as_bytes()).unwrap();
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    // A failing script shows up as a difference on stderr (its traceback).
    let stderr = if output.status.success() {
        stderr
    } else {
        format!("{stderr}\n<python3 exited with {}>", output.status)
    };
    Ok(Output {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr,
        files: read_files(dir),
    })
}

fn run_logfig(case: &Case, dir: &Path) -> Result<Output, String> {
    let config_file = dir.with_extension("yaml");
    std::fs::write(&config_file, expand(&case.text, dir)).unwrap();
    let exe = std::env::current_exe().unwrap();
    let output = Command::new(exe)
        .args([
            "load::dictconfig_vs_cpython::logfig_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("TZ", "UTC")
        .env("LOGFIG_COMPAT_CHILD", &config_file)
        .env("LOGFIG_COMPAT_ASCII", if case.ascii { "1" } else { "0" })
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if !(output.status.success() && stdout.contains(END)) {
        return Err(format!(
            "{}: the logfig child failed:\n{stdout}\n{stderr}",
            case.name
        ));
    }
    std::fs::remove_file(&config_file).unwrap();
    let mut files = read_files(dir);
    if case.python_numbering {
        files = python_numbering(files);
    }
    Ok(Output {
        stdout: between_markers(&stdout),
        stderr: between_markers(&stderr),
        files,
    })
}

/// The logfig side, run in a child process by [`dictconfig_files_match_cpython`].
#[test]
fn logfig_child() {
    let Some(config_file) = std::env::var_os("LOGFIG_COMPAT_CHILD") else {
        return;
    };
    let ascii = std::env::var("LOGFIG_COMPAT_ASCII").as_deref() == Ok("1");
    let text = std::fs::read_to_string(&config_file).unwrap();
    let config = Config::from_str(&text, Format::Yaml).unwrap_or_else(|e| panic!("{e}"));
    let dispatcher = Dispatcher::new(&config).unwrap_or_else(|e| panic!("{e}"));
    std::io::stdout().write_all(BEGIN.as_bytes()).unwrap();
    std::io::stdout().flush().unwrap();
    std::io::stderr().write_all(BEGIN.as_bytes()).unwrap();
    for (i, r) in records(ascii) {
        let args = format_args!("{}", r.msg);
        let record = log::Record::builder()
            .args(args)
            .level(r.level)
            .target(r.name)
            .file(Some(r.path))
            .line(Some(r.line))
            .build();
        log_as_record(&dispatcher, i, &record);
    }
    finish_child(&dispatcher);
}

/// Routes `record`, the `i`-th of the set, with its fixed time, thread and
/// process, as both children do.
pub(super) fn log_as_record(dispatcher: &Dispatcher, i: usize, record: &log::Record<'_>) {
    let (secs, nanos) = time_of(i);
    let entry = Entry::new(record)
        .with_time(SystemTime::UNIX_EPOCH + Duration::new(secs, nanos))
        .with_thread(THREAD, "MainThread")
        .with_process(PID);
    dispatcher.log_entry(&entry);
}

/// Shuts `dispatcher` down (flushing every output), then closes both
/// streams' marked sections.
pub(super) fn finish_child(dispatcher: &Dispatcher) {
    dispatcher.shutdown();
    std::io::stdout().flush().unwrap();
    std::io::stdout().write_all(END.as_bytes()).unwrap();
    std::io::stdout().flush().unwrap();
    std::io::stderr().write_all(END.as_bytes()).unwrap();
}

#[test]
fn dictconfig_files_match_cpython() {
    if std::env::var_os("LOGFIG_COMPAT_CHILD").is_some() {
        return;
    }
    let cases = cases();
    assert!(
        cases.len() >= 30,
        "expected at least 30 configs in {DIR}, found {}",
        cases.len()
    );
    let base = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut compared = 0;
    for case in &cases {
        let rust_dir = base.path().join("logfig").join(&case.name);
        let py_dir = base.path().join("python").join(&case.name);
        std::fs::create_dir_all(&rust_dir).unwrap();
        std::fs::create_dir_all(&py_dir).unwrap();
        let ours = match run_logfig(case, &rust_dir) {
            Ok(o) => o,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        if case.logfig_only {
            continue;
        }
        let theirs = match run_python(case, &py_dir) {
            Ok(o) => o,
            Err(why) => {
                if std::env::var("LOGFIG_REQUIRE_SERVERS").as_deref() == Ok("1") {
                    panic!("python3 oracle required (LOGFIG_REQUIRE_SERVERS=1): {why}");
                }
                let _ = std::io::stderr().write_all(
                    format!("\n*** SKIPPED python_compat: {why}. Install python3 to compare with CPython. ***\n\n").as_bytes(),
                );
                return;
            }
        };
        compared += 1;
        if theirs.stdout.is_empty() && theirs.stderr.is_empty() && theirs.files.is_empty() {
            failures.push(format!(
                "{}: CPython wrote nothing: a useless case",
                case.name
            ));
        }
        let theirs = Output {
            // Paths in output name each side's own directory.
            stdout: theirs
                .stdout
                .replace(&py_dir.display().to_string(), "<dir>"),
            stderr: theirs
                .stderr
                .replace(&py_dir.display().to_string(), "<dir>"),
            files: theirs.files,
        };
        let ours = Output {
            stdout: ours
                .stdout
                .replace(&rust_dir.display().to_string(), "<dir>"),
            stderr: ours
                .stderr
                .replace(&rust_dir.display().to_string(), "<dir>"),
            files: ours.files,
        };
        if case.divergence {
            if ours == theirs {
                failures.push(format!(
                    "{}: marked `divergence` but logfig now matches CPython: drop the directive",
                    case.name
                ));
            }
        } else if ours != theirs {
            failures.push(format!(
                "{}:\n  python: {theirs:#?}\n  logfig: {ours:#?}",
                case.name
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {compared} configs differ from CPython:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
