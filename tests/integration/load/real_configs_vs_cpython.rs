//! Logging configs from real public projects, run by CPython and by logfig:
//! the same file and the same records must give the same bytes on stdout, on
//! stderr and in every file written (the groundwork of issue #17).
//!
//! `tests/python_real/dictconfig/*.{yaml,json}` are `dictConfig` files and
//! `tests/python_real/fileconfig/*.{ini,conf}` are `fileConfig` files, each
//! with a header naming its source and every adaptation (`STATUS.md` beside
//! them lists which of them logfig runs today, and why the others fail).
//! JSON has no comments, so a JSON file's header is the `.header` file beside
//! it. `${LOGFIG_COMPAT_DIR}` in a config is replaced, on both sides, by the
//! case's own empty output directory, which is also both sides' working
//! directory (relative log file names land there too). [`OTHERS`] adds the
//! examples' `logging.ini`, whose header lines live here.
//!
//! - CPython: `tests/python_real/oracle.py` loads the file as the projects do
//!   (PyYAML's `safe_load` or `json.load`, then `dictConfig`; `fileConfig` for
//!   INI), passes each record to its logger as `Logger.log` would, with a
//!   fixed time, thread, process and location and the record's `extra=`
//!   key-values, then `logging.shutdown()`.
//! - logfig: this test binary runs itself as a child, which loads the file
//!   with `Config::from_path` (the format from its extension), builds a
//!   `Dispatcher`, routes the same records (key-values as the `log` record's
//!   key-values) through `Dispatcher::log_entry`, then `shutdown()`.
//!
//! Records: python_compat's [`RECORDS`] for every config, plus, for each
//! logger a config names in a `# records:` directive, one record at each of
//! DEBUG, INFO, WARNING and ERROR. `# extra: LOGGER {json}` gives that logger's records those `extra=`
//! key-values (strings and integers).
//!
//! What counts as the same:
//! - a config CPython rejects (exit status not 0) must be rejected by logfig,
//!   and then nothing else is compared (CPython may have opened some files
//!   before it failed; logfig applies a config whole or not at all);
//! - stdout, stderr and every file, byte for byte, after each side's output
//!   directory is written `<dir>`, and after each `--- Logging error ---`
//!   report (CPython's traceback of a record it could not format or write) is
//!   cut down to its first line, the last line of its first traceback (the
//!   exception), and its `Message:` and `Arguments:` lines: tracebacks name
//!   CPython's own source lines, which differ between versions.
//!
//! [`KNOWN_FAILING`] lists the configs logfig does not run like CPython yet,
//! each with the reason; the test fails when one of them starts to match, so
//! the list only shrinks. `LOGFIG_REAL_REPORT=FILE` writes one line a config
//! (loaded or not, which outputs differ) for `STATUS.md`.
//!
//! Without `python3` and PyYAML the test prints why it was skipped; with
//! `LOGFIG_REQUIRE_SERVERS=1` it fails instead.
#![cfg(feature = "yaml")]

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use log::Level::{Debug, Error, Info, Warn};
use logfig::{Config, Dispatcher};

use super::dictconfig_vs_cpython::{
    BEGIN, END, PID, PLACEHOLDER, RECORDS, THREAD, between_markers, finish_child, levelno,
    log_as_record, read_files, time_of,
};

const DIR: &str = "tests/python_real";
/// Opens the child's stdout when the config was rejected; the error follows.
const REJECTED: &str = "\u{1e}logfig-real-rejected\n";

/// The configs logfig does not run like CPython yet, and why (STATUS.md has
/// the details). Remove an entry when its config starts to match.
const KNOWN_FAILING: &[(&str, &str)] = &[];

/// Configs outside the corpus that must run as CPython runs them too, with
/// the header lines they do not carry: the examples' `logging.ini` is the
/// `fileConfig` form a reader copies.
const OTHERS: &[(&str, &[&str])] = &[(
    "examples/logging.ini",
    &[
        "# source: logfig's own example",
        "# records: app.db app.http app.jobs",
    ],
)];

/// The levels of the records each `# records:` logger gets.
const PER_LOGGER: &[(log::Level, &str)] = &[
    (Debug, "debug detail"),
    (Info, "info event"),
    (Warn, "warning sign"),
    (Error, "error report"),
];

#[derive(Clone, Debug)]
enum Kv {
    S(String),
    I(i64),
}

#[derive(Clone, Debug)]
struct Rec {
    name: String,
    level: log::Level,
    msg: String,
    line: u32,
    kvs: Vec<(String, Kv)>,
}

pub(super) struct Case {
    /// `dictconfig/NAME.yaml`, relative to [`DIR`].
    pub(super) name: String,
    pub(super) path: PathBuf,
    pub(super) text: String,
    records: Vec<Rec>,
}

/// The header of a config: its leading comment lines, or for JSON the
/// `.header` file beside it.
fn header(path: &Path, text: &str) -> Vec<String> {
    if let Some((_, lines)) = OTHERS.iter().find(|(p, _)| path.ends_with(p)) {
        return lines.iter().map(|l| (*l).to_owned()).collect();
    }
    let lines: Vec<String> = if path.extension().is_some_and(|e| e == "json") {
        let mut h = path.as_os_str().to_owned();
        h.push(".header");
        std::fs::read_to_string(&h)
            .unwrap_or_else(|e| panic!("{}: a JSON config needs its header file: {e}", Path::new(&h).display()))
            .lines()
            .map(str::to_owned)
            .collect()
    } else {
        text.lines()
            .take_while(|l| l.starts_with('#') || l.starts_with(';') || l.trim().is_empty())
            .map(str::to_owned)
            .collect()
    };
    let named = lines.iter().any(|l| l.starts_with("# source: "));
    assert!(named, "{}: the header names no `# source:`", path.display());
    lines
}

fn records_of(path: &Path, header: &[String]) -> Vec<Rec> {
    let mut extra: BTreeMap<String, Vec<(String, Kv)>> = BTreeMap::new();
    let mut loggers = Vec::new();
    for line in header {
        if let Some(names) = line.strip_prefix("# records: ") {
            loggers.extend(names.split_whitespace().map(str::to_owned));
        } else if let Some(rest) = line.strip_prefix("# extra: ") {
            let (logger, json) = rest
                .split_once(' ')
                .unwrap_or_else(|| panic!("{}: `# extra: LOGGER {{json}}`", path.display()));
            let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(json)
                .unwrap_or_else(|e| panic!("{}: `# extra:` {e}", path.display()));
            let kvs = map
                .into_iter()
                .map(|(k, v)| {
                    let v = match v {
                        serde_json::Value::String(s) => Kv::S(s),
                        serde_json::Value::Number(n) => Kv::I(n.as_i64().unwrap()),
                        other => panic!("{}: extra value {other}", path.display()),
                    };
                    (k, v)
                })
                .collect();
            extra.insert(logger.to_owned(), kvs);
        }
    }
    let mut records: Vec<Rec> = RECORDS
        .iter()
        .map(|r| Rec {
            name: r.name.to_owned(),
            level: r.level,
            msg: r.msg.to_owned(),
            line: r.line,
            kvs: Vec::new(),
        })
        .collect();
    for (n, logger) in loggers.iter().enumerate() {
        for (i, &(level, what)) in PER_LOGGER.iter().enumerate() {
            records.push(Rec {
                name: logger.clone(),
                level,
                msg: format!("{logger}: {what}"),
                line: 100 + (n * 10 + i) as u32,
                kvs: Vec::new(),
            });
        }
    }
    for r in &mut records {
        if let Some(kvs) = extra.get(&r.name) {
            r.kvs = kvs.clone();
        }
    }
    records
}

/// Every config of the corpus, then [`OTHERS`].
pub(super) fn cases() -> Vec<Case> {
    let mut files = Vec::new();
    for sub in ["dictconfig", "fileconfig"] {
        for e in std::fs::read_dir(Path::new(DIR).join(sub)).unwrap() {
            let p = e.unwrap().path();
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            if matches!(ext, "yaml" | "yml" | "json" | "ini" | "conf") {
                files.push(p);
            }
        }
    }
    files.sort();
    files.extend(OTHERS.iter().map(|(p, _)| PathBuf::from(p)));
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let header = header(&p, &text);
            Case {
                name: p
                    .strip_prefix(DIR)
                    .unwrap_or(&p)
                    .display()
                    .to_string()
                    .replace('\\', "/"),
                records: records_of(&p, &header),
                path: p,
                text,
            }
        })
        .collect()
}

fn records_json(records: &[Rec]) -> serde_json::Value {
    let list: Vec<serde_json::Value> = records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (secs, nanos) = time_of(i);
            let ns = i128::from(secs) * 1_000_000_000 + i128::from(nanos);
            let kvs: serde_json::Map<String, serde_json::Value> = r
                .kvs
                .iter()
                .map(|(k, v)| {
                    let v = match v {
                        Kv::S(s) => serde_json::Value::from(s.as_str()),
                        Kv::I(i) => serde_json::Value::from(*i),
                    };
                    (k.clone(), v)
                })
                .collect();
            serde_json::json!({
                "name": r.name,
                "levelno": levelno(r.level),
                "msg": r.msg,
                "pathname": "src/app/main.py",
                "lineno": r.line,
                "created": ns as f64 / 1e9,
                "process": PID,
                "thread": THREAD,
                "threadName": "MainThread",
                "kvs": kvs,
            })
        })
        .collect();
    serde_json::json!({ "records": list })
}

/// What one side produced.
#[derive(Debug, PartialEq)]
struct Output {
    /// The config was rejected: nothing else is compared.
    rejected: bool,
    stdout: String,
    stderr: String,
    files: BTreeMap<String, String>,
}

/// Cuts each `--- Logging error ---` report down to the lines that do not
/// depend on CPython's version: the first, the exception of its first
/// traceback, `Message:` and `Arguments:`.
fn normalize_logging_errors(s: &str) -> String {
    let mut out = String::new();
    let mut lines = s.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        if line != "--- Logging error ---\n" {
            out.push_str(line);
            continue;
        }
        out.push_str(line);
        let mut exception = None;
        let mut in_traceback = false;
        for l in lines.by_ref() {
            if l.starts_with("Traceback (most recent call last):") {
                in_traceback = exception.is_none();
            } else if in_traceback && !l.starts_with(' ') {
                exception = Some(l.to_owned());
                in_traceback = false;
            } else if l.starts_with("Message: ") {
                out.push_str(exception.as_deref().unwrap_or("<no exception>\n"));
                out.push_str(l);
            } else if l.starts_with("Arguments: ") {
                out.push_str(l);
                break;
            }
        }
    }
    out
}

fn tidy(s: &str, dir: &Path) -> String {
    normalize_logging_errors(&s.replace(&dir.display().to_string(), "<dir>"))
}

/// Writes `case`'s config, `${LOGFIG_COMPAT_DIR}` expanded to `out`, into
/// `cfg_dir` (outside `out`, so it is not one of the files compared).
fn write_config(case: &Case, cfg_dir: &Path, out: &Path) -> PathBuf {
    std::fs::create_dir_all(cfg_dir).unwrap();
    let file = cfg_dir.join(case.path.file_name().unwrap());
    let text = case.text.replace(PLACEHOLDER, &out.display().to_string());
    std::fs::write(&file, text).unwrap();
    file
}

fn run_python(case: &Case, config: &Path, out: &Path) -> Result<Output, String> {
    let oracle = std::fs::canonicalize(Path::new(DIR).join("oracle.py")).unwrap();
    let mut child = Command::new("python3")
        .arg(oracle)
        .arg(config)
        .current_dir(out)
        .env("TZ", "UTC")
        .env("PYTHONUTF8", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run `python3`: {e}"))?;
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(records_json(&case.records).to_string().as_bytes())
        .unwrap();
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if stderr.contains("ModuleNotFoundError: No module named 'yaml'") {
        return Err("PyYAML is not installed".into());
    }
    Ok(Output {
        rejected: !output.status.success(),
        stdout: tidy(&String::from_utf8_lossy(&output.stdout), out),
        stderr: tidy(&stderr, out),
        files: read_files(out),
    })
}

/// logfig's side; `Err` when the child itself failed (a panic, say).
fn run_logfig(case: &Case, config: &Path, out: &Path) -> Result<(Output, String), String> {
    let exe = std::env::current_exe().unwrap();
    let output = Command::new(exe)
        .args([
            "load::real_configs_vs_cpython::logfig_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .current_dir(out)
        .env("TZ", "UTC")
        .env("LOGFIG_REAL_CHILD", config)
        .env("LOGFIG_REAL_CASE", case.path.canonicalize().unwrap())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if !(output.status.success() && stdout.contains(END)) {
        return Err(format!("the logfig child failed:\n{stdout}\n{stderr}"));
    }
    let stdout = between_markers(&stdout);
    let stderr = between_markers(&stderr);
    if let Some(why) = stdout.strip_prefix(REJECTED) {
        let output = Output {
            rejected: true,
            stdout: String::new(),
            stderr: String::new(),
            files: read_files(out),
        };
        // The error names the config by its temporary path: keep the name.
        let dir = format!("{}/", config.parent().unwrap().display());
        return Ok((output, why.trim().replace(&dir, "")));
    }
    let output = Output {
        rejected: false,
        stdout: tidy(&stdout, out),
        stderr: tidy(&stderr, out),
        files: read_files(out),
    };
    Ok((output, String::new()))
}

/// The logfig side, run in a child process by [`real_configs_match_cpython`].
#[test]
fn logfig_child() {
    let Some(config_file) = std::env::var_os("LOGFIG_REAL_CHILD") else {
        return;
    };
    let case_file = PathBuf::from(std::env::var_os("LOGFIG_REAL_CASE").unwrap());
    let text = std::fs::read_to_string(&case_file).unwrap();
    let records = records_of(&case_file, &header(&case_file, &text));
    std::io::stdout().write_all(BEGIN.as_bytes()).unwrap();
    std::io::stdout().flush().unwrap();
    std::io::stderr().write_all(BEGIN.as_bytes()).unwrap();
    let built = Config::from_path(&config_file).and_then(|c| Dispatcher::new(&c));
    let dispatcher = match built {
        Ok(d) => d,
        Err(e) => {
            let mut out = std::io::stdout();
            write!(out, "{REJECTED}{e}\n{END}").unwrap();
            out.flush().unwrap();
            std::io::stderr().write_all(END.as_bytes()).unwrap();
            return;
        }
    };
    for (i, r) in records.iter().enumerate() {
        let kvs: Vec<(&str, log::kv::Value<'_>)> = r
            .kvs
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Kv::S(s) => log::kv::Value::from(s.as_str()),
                    Kv::I(i) => log::kv::Value::from(*i),
                };
                (k.as_str(), v)
            })
            .collect();
        let args = format_args!("{}", r.msg);
        let record = log::Record::builder()
            .args(args)
            .level(r.level)
            .target(&r.name)
            .file(Some("src/app/main.py"))
            .line(Some(r.line))
            .key_values(&kvs)
            .build();
        log_as_record(&dispatcher, i, &record);
    }
    finish_child(&dispatcher);
}

/// Which of `ours` and `theirs` differ, for the report and the failure.
fn differences(ours: &Output, theirs: &Output) -> Vec<String> {
    let mut d = Vec::new();
    if ours.rejected != theirs.rejected {
        d.push(if theirs.rejected {
            "CPython rejects it, logfig loads it".to_owned()
        } else {
            "logfig rejects it".to_owned()
        });
        return d;
    }
    if ours.rejected {
        return d;
    }
    if ours.stdout != theirs.stdout {
        d.push("stdout".to_owned());
    }
    if ours.stderr != theirs.stderr {
        d.push("stderr".to_owned());
    }
    for (name, content) in &theirs.files {
        match ours.files.get(name) {
            None => d.push(format!("file {name} missing")),
            Some(c) if c != content => d.push(format!("file {name}")),
            Some(_) => {}
        }
    }
    for name in ours.files.keys() {
        if !theirs.files.contains_key(name) {
            d.push(format!("file {name} extra"));
        }
    }
    d
}

#[test]
fn real_configs_match_cpython() {
    if std::env::var_os("LOGFIG_REAL_CHILD").is_some() {
        return;
    }
    let cases = cases();
    let dict = cases.iter().filter(|c| c.name.starts_with("dict")).count();
    let file = cases.len() - dict - OTHERS.len();
    assert!(
        dict >= 30 && file >= 14,
        "expected at least 30 dictConfig and 14 fileConfig files in {DIR}, found {dict} and {file}"
    );
    for (name, _) in KNOWN_FAILING {
        assert!(
            cases.iter().any(|c| c.name == *name),
            "KNOWN_FAILING names `{name}`, which is not in {DIR}"
        );
    }
    let base = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut report = String::new();
    for case in &cases {
        let slug = case.name.replace(['/', '.'], "_");
        let py_out = base.path().join("python").join(&slug);
        let rs_out = base.path().join("logfig").join(&slug);
        std::fs::create_dir_all(&py_out).unwrap();
        std::fs::create_dir_all(&rs_out).unwrap();
        let py_config = write_config(
            case,
            &base.path().join("python-config").join(&slug),
            &py_out,
        );
        let rs_config = write_config(
            case,
            &base.path().join("logfig-config").join(&slug),
            &rs_out,
        );
        let theirs = match run_python(case, &py_config, &py_out) {
            Ok(o) => o,
            Err(why) => {
                crate::network::missing(
                    "python_real",
                    &format!("python3 with PyYAML ({why})"),
                    "apt-get install python3 python3-yaml, or pip install pyyaml",
                );
                return;
            }
        };
        if !theirs.rejected
            && theirs.stdout.is_empty()
            && theirs.stderr.is_empty()
            && theirs.files.values().all(String::is_empty)
        {
            failures.push(format!(
                "{}: CPython wrote nothing: a useless case",
                case.name
            ));
        }
        let (ours, why) = match run_logfig(case, &rs_config, &rs_out) {
            Ok(o) => o,
            Err(e) => {
                failures.push(format!("{}: {e}", case.name));
                report.push_str(&format!("{}\tchild failed\n", case.name));
                continue;
            }
        };
        let diff = differences(&ours, &theirs);
        report.push_str(&format!(
            "{}\tpython:{}\tlogfig:{}\t{}\t{}\n",
            case.name,
            if theirs.rejected { "rejects" } else { "loads" },
            if ours.rejected { "rejects" } else { "loads" },
            if diff.is_empty() {
                "same".to_owned()
            } else {
                diff.join(", ")
            },
            why.lines().next().unwrap_or("")
        ));
        let known = KNOWN_FAILING.iter().find(|(n, _)| *n == case.name);
        match (known, diff.is_empty()) {
            (Some((_, reason)), true) => failures.push(format!(
                "{}: listed in KNOWN_FAILING ({reason}) but logfig now matches CPython: remove it from the list (and from STATUS.md)",
                case.name
            )),
            (None, false) => failures.push(format!(
                "{}: differs from CPython ({}){}\n  python: {theirs:#?}\n  logfig: {ours:#?}",
                case.name,
                diff.join(", "),
                if why.is_empty() { String::new() } else { format!("\n  logfig's error: {why}") }
            )),
            _ => {}
        }
    }
    if let Some(path) = std::env::var_os("LOGFIG_REAL_REPORT") {
        std::fs::write(path, &report).unwrap();
    }
    assert!(
        failures.is_empty(),
        "{} of {} real configs are not as KNOWN_FAILING says:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
