//! CPython's `logging.Formatter` as the oracle for `PatternFormatter`.
//!
//! The same format strings and the same records (fixed time, name, level,
//! message, location, process and thread) go through logfig and through one
//! `python3` subprocess that receives every case as JSON on stdin and prints the
//! results as JSON. The output must be byte-identical.
//!
//! Local time: jiff and glibc both read the process's `TZ`, which a test cannot
//! change in-process (`set_var` is `unsafe` in edition 2024 and this crate
//! forbids `unsafe`). So the local-time cases run twice: in this process against
//! the machine's own zone (inherited by Python too), and in a child run of this
//! test binary with `TZ=Europe/Berlin` set for it and for its Python.
//!
//! Without `python3` the tests print why they were skipped; with
//! `LOGFIG_REQUIRE_SERVERS=1` they fail instead.

// Test code: a failed step should stop the test with its message.
#![allow(clippy::unwrap_used)]

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use logfig::config::{Escape, FormatStyle, PatternFormatterConfig};
use logfig::{Entry, Formatter, PatternFormatter};

const SCRIPT: &str = r#"
import json, logging, sys, time
logging.addLevelName(5, "TRACE")
data = json.load(sys.stdin)
mode = data.get("escape", "none")

def esc(s):
    # logfig's `escape` as its docs state it: CPython's output for the record
    # whose text was escaped first.
    if mode == "none" or not isinstance(s, str):
        return s
    out = []
    for c in s:
        o = ord(c)
        if c == "\t" or (c == "\n" and mode == "control"):
            out.append(c)
        elif c == "\r":
            out.append("\\r")
        elif c == "\n":
            out.append("\\n")
        elif o < 0x20 or 0x7f <= o <= 0x9f:
            out.append("\\x%02x" % o)
        else:
            out.append(c)
    return "".join(out)

results = []
for case in data["cases"]:
    res = []
    try:
        f = logging.Formatter(case["fmt"], case["datefmt"], case["style"],
                              defaults=case["defaults"] or None)
        if case["utc"]:
            f.converter = time.gmtime
    except Exception as e:
        results.append(["<python error: %r>" % e] * len(data["records"]))
        continue
    for r in data["records"]:
        rec = logging.LogRecord(esc(r["name"]), r["levelno"], esc(r["pathname"]),
                                r["lineno"], esc(r["msg"]), None, None, func=None)
        rec.created = r["created"]
        # CPython 3.11's formula, whatever the local Python version.
        rec.msecs = int((rec.created - int(rec.created)) * 1000) + 0.0
        rec.relativeCreated = 0.0
        rec.process = r["process"]
        rec.processName = "MainProcess"
        rec.thread = r["thread"]
        rec.threadName = esc(r["threadName"])
        rec.taskName = None
        for k, v in r["kvs"].items():
            setattr(rec, k, esc(v))
        try:
            res.append(f.format(rec))
        except Exception as e:
            res.append("<python error: %r>" % e)
    results.append(res)
json.dump(results, sys.stdout)
"#;

#[derive(Clone, Copy)]
enum Kv {
    S(&'static str),
    I(i64),
}

struct Rec {
    level: log::Level,
    name: &'static str,
    msg: &'static str,
    path: Option<&'static str>,
    line: Option<u32>,
    secs: u64,
    nanos: u32,
    thread: u64,
    thread_name: &'static str,
    pid: u32,
    kvs: &'static [(&'static str, Kv)],
}

impl Rec {
    fn time(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::new(self.secs, self.nanos)
    }

    /// `time.time()` for this instant: nanoseconds / 1e9, as CPython.
    fn created(&self) -> f64 {
        let ns = i128::from(self.secs) * 1_000_000_000 + i128::from(self.nanos);
        ns as f64 / 1e9
    }

    fn to_json(&self) -> serde_json::Value {
        let levelno = match self.level {
            log::Level::Error => 40,
            log::Level::Warn => 30,
            log::Level::Info => 20,
            log::Level::Debug => 10,
            log::Level::Trace => 5,
        };
        let kvs: serde_json::Map<String, serde_json::Value> = self
            .kvs
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Kv::S(s) => serde_json::Value::from(*s),
                    Kv::I(i) => serde_json::Value::from(*i),
                };
                ((*k).to_owned(), v)
            })
            .collect();
        serde_json::json!({
            "name": self.name,
            "levelno": levelno,
            "msg": self.msg,
            "pathname": self.path,
            "lineno": self.line.unwrap_or(0),
            "created": self.created(),
            "process": self.pid,
            "thread": self.thread,
            "threadName": self.thread_name,
            "kvs": kvs,
        })
    }
}

const RECORDS: &[Rec] = &[
    Rec {
        level: log::Level::Warn,
        name: "app.db",
        msg: "connected to ☃ db: 100% ok",
        path: Some("src/app/db.rs"),
        line: Some(42),
        secs: 1_764_238_502,
        nanos: 123_456_000,
        thread: 140_245_338_817_344,
        thread_name: "MainThread",
        pid: 4242,
        kvs: &[("user", Kv::S("alice")), ("request_id", Kv::I(7))],
    },
    Rec {
        // msecs near 999.
        level: log::Level::Info,
        name: "app",
        msg: "plain",
        path: Some("src/main.rs"),
        line: Some(7),
        secs: 1_764_238_502,
        nanos: 999_900_000,
        thread: 1,
        thread_name: "worker-1",
        pid: 1,
        kvs: &[],
    },
    Rec {
        level: log::Level::Debug,
        name: "app.http.client",
        msg: "é ü 日本 %s %(x)s {braces} $dollar 'q' \"dq\"",
        path: Some("/abs/path/to/client.tar.rs"),
        line: Some(12345),
        secs: 1_700_000_000,
        nanos: 0,
        thread: 99,
        thread_name: "tokio-runtime-worker",
        pid: 65535,
        kvs: &[],
    },
    Rec {
        // CRITICAL maps to ERROR in `log`; no source location.
        level: log::Level::Error,
        name: "app.db",
        msg: "boom\ttab",
        path: None,
        line: None,
        secs: 1_764_238_502,
        nanos: 500_500_000,
        thread: 2,
        thread_name: "MainThread",
        pid: 4242,
        kvs: &[],
    },
    Rec {
        level: log::Level::Trace,
        name: "t",
        msg: "",
        path: Some("x.rs"),
        line: Some(1),
        secs: 86_399,
        nanos: 750_000_000,
        thread: 3,
        thread_name: "t",
        pid: 2,
        kvs: &[],
    },
    Rec {
        // Summer time in Europe/Berlin.
        level: log::Level::Info,
        name: "app",
        msg: "summer",
        path: Some("src/lib.rs"),
        line: Some(3),
        secs: 1_751_360_400,
        nanos: 1_000_000,
        thread: 4,
        thread_name: "MainThread",
        pid: 3,
        kvs: &[("user", Kv::S("bob"))],
    },
];

struct Case {
    style: FormatStyle,
    fmt: &'static str,
    datefmt: Option<&'static str>,
    utc: bool,
    defaults: &'static [(&'static str, &'static str)],
}

const fn case(style: FormatStyle, fmt: &'static str) -> Case {
    Case {
        style,
        fmt,
        datefmt: None,
        utc: true,
        defaults: &[],
    }
}

const fn with_datefmt(mut c: Case, datefmt: &'static str) -> Case {
    c.datefmt = Some(datefmt);
    c
}

const fn local(mut c: Case) -> Case {
    c.utc = false;
    c
}

const fn with_defaults(mut c: Case, defaults: &'static [(&'static str, &'static str)]) -> Case {
    c.defaults = defaults;
    c
}

use FormatStyle::{Brace as B, Dollar as D, Percent as P};

const CASES: &[Case] = &[
    // `%` style.
    case(P, "%(asctime)s %(levelname)s %(name)s: %(message)s"),
    with_datefmt(
        case(P, "%(asctime)s,%(msecs)03d %(levelname)-8s %(message)s"),
        "%Y-%m-%d %H:%M:%S",
    ),
    case(P, "[%(levelname)8s] %(name)-10s|%(message)s"),
    case(P, "%(created)f %(created).3f %(created)s %(created)r"),
    case(P, "%(msecs)d %(msecs)s %(msecs)05.1f %(relativeCreated)s"),
    case(
        P,
        "%(levelno)d %(levelno)03d %(levelno)-4d| %(levelno)+d %(levelno) d %(levelno)x %(levelno)#X %(levelno)#o %(levelno)i %(levelno)u",
    ),
    case(P, "%(lineno)d %(pathname)s %(filename)s %(module)s"),
    case(P, "100%% %(message)s %%(name)s"),
    case(P, "%(process)d %(processName)s %(thread)d %(threadName)s"),
    case(P, "%(message).5s|%(message)20.3s|%(message)-12s|"),
    case(
        P,
        "%(message)r %(name)a %(levelname)r %(lineno)r %(created)r",
    ),
    case(
        P,
        "%(created)e %(created)E %(created).2g %(created)G %(msecs)#.0f %(msecs)g %(lineno)#g",
    ),
    with_datefmt(case(P, "%(asctime)s"), "%d/%b/%Y:%H:%M:%S %z"),
    with_datefmt(
        case(P, "%(asctime)s"),
        "%a %A %b %B %d %H %I %j %m %M %p %S %y %Y %%",
    ),
    with_datefmt(
        case(P, "%(asctime)s"),
        "%c | %x | %X | %r | %D %F %T %R %e %C %g %G %u %w %U %W %V %h %k %l %P",
    ),
    with_datefmt(case(P, "%(asctime)s"), "%Z %f %N %-d %_m %^a x%"),
    with_defaults(
        case(P, "%(user)s/%(request_id)s %(message)s"),
        &[("user", "-"), ("request_id", "none")],
    ),
    case(
        P,
        "%(lineno)5d|%(lineno)-5d|%(lineno)05d|%(lineno).4d|%(lineno)+07d",
    ),
    case(
        P,
        "%(levelno)c %(levelno)5c|%(funcName)s %(funcName)r %(taskName)s",
    ),
    case(
        P,
        "%(levelno)ld %(levelno)hd %(created)-20.2f| %(created)020.4f",
    ),
    // `{` style.
    case(B, "{asctime} {levelname} {name}: {message}"),
    with_datefmt(
        case(B, "{asctime} [{levelname:<8}] {name:>10}: {message}"),
        "%H:%M:%S",
    ),
    case(
        B,
        "{levelname:^11}|{levelname:*>9}|{levelname:.3}|{message:-^30}|{name:05}",
    ),
    case(
        B,
        "{created} {created:.3f} {created:,.2f} {created:e} {created:.4} {created:_.1f} {created:+.2f}",
    ),
    case(
        B,
        "{msecs} {msecs:03.0f} {msecs:.0f} {relativeCreated:.1f} {msecs:>8} {msecs:%} {msecs:.1%}",
    ),
    case(
        B,
        "{levelno} {levelno:05d} {levelno:+} {levelno: } {levelno:x} {levelno:#b} {levelno:=+6} {levelno:^7} {levelno:,}",
    ),
    case(
        B,
        "{lineno:>6,} {process:_} {thread} {threadName!r} {message!r} {name!a} {levelno!r:>5}",
    ),
    case(B, "{{literal}} {message} }}{{"),
    with_defaults(
        case(B, "{user} {request_id} {message}"),
        &[("user", "-"), ("request_id", "none")],
    ),
    case(
        B,
        "{process:010d} {lineno:x<6} {levelname!s:8}|{lineno:#x} {lineno:X}",
    ),
    case(
        B,
        "{created:g} {created:G} {msecs:e} {created:n} {levelno:n} {levelno:.2f} {levelno:e}",
    ),
    case(
        B,
        "{created:20} {created:<20}| {msecs:=10.2f} {lineno:_x} {thread:,}",
    ),
    case(
        B,
        "{lineno:010,} {lineno:08_x} {created:020,.2f} {levelno:+08,} {msecs:0=12,.1f} {lineno:*=+9}",
    ),
    case(
        B,
        "{message:^31}|{message:.4}|{created:.0f} {created:#.3g} {msecs:#g} {levelno:c} {levelno:#o} {created:.12}",
    ),
    case(
        P,
        "%(message)30s|%(message)-30.10s|%(created)#.0f %(levelno)#.3x %(msecs)+.2e",
    ),
    // `$` style.
    case(D, "$asctime $levelname ${name}: $message $$"),
    case(D, "${levelname}${name}$$${message}"),
    with_defaults(case(D, "$user $message"), &[("user", "anon")]),
    case(
        D,
        "$created $msecs $lineno $levelno $threadName $process $module $funcName",
    ),
];

/// Cases in local time: compared against the zone of the running process.
const LOCAL_CASES: &[Case] = &[
    local(case(P, "%(asctime)s %(message)s")),
    local(with_datefmt(
        case(P, "%(asctime)s"),
        "%Y-%m-%dT%H:%M:%S%z %Z",
    )),
    local(with_datefmt(case(B, "{asctime} {levelname}"), "%c %p")),
    local(case(D, "$asctime $name")),
];

fn style_str(style: FormatStyle) -> &'static str {
    match style {
        FormatStyle::Brace => "{",
        FormatStyle::Dollar => "$",
        _ => "%",
    }
}

fn render(f: &PatternFormatter, r: &Rec) -> String {
    let kvs: Vec<(&str, log::kv::Value<'_>)> = r
        .kvs
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Kv::S(s) => log::kv::Value::from(*s),
                Kv::I(i) => log::kv::Value::from(*i),
            };
            (*k, v)
        })
        .collect();
    let mut out = Vec::new();
    let result = f.format(
        &Entry::new(
            &log::Record::builder()
                .args(format_args!("{}", r.msg))
                .level(r.level)
                .target(r.name)
                .file(r.path)
                .line(r.line)
                .key_values(&kvs)
                .build(),
        )
        .with_time(r.time())
        .with_thread(r.thread, r.thread_name)
        .with_process(r.pid),
        &mut out,
    );
    match result {
        Ok(()) => String::from_utf8_lossy(&out).into_owned(),
        Err(e) => format!("<logfig error: {e}>"),
    }
}

/// The name of an `escape` mode, for the script.
fn escape_str(escape: Escape) -> &'static str {
    match escape {
        Escape::Lines => "lines",
        Escape::None => "none",
        _ => "control",
    }
}

/// Runs every case on every record through python3 (the records' text
/// escaped first as `escape` says), or returns why it could not.
fn python(cases: &[Case], records: &[Rec], escape: Escape) -> Result<Vec<Vec<String>>, String> {
    let input = serde_json::json!({
        "escape": escape_str(escape),
        "records": records.iter().map(Rec::to_json).collect::<Vec<_>>(),
        "cases": cases.iter().map(|c| serde_json::json!({
            "fmt": c.fmt,
            "datefmt": c.datefmt,
            "style": style_str(c.style),
            "utc": c.utc,
            "defaults": c.defaults.iter().map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
                .collect::<serde_json::Map<_, _>>(),
        })).collect::<Vec<_>>(),
    });
    let mut child = Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run `python3`: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    stdin
        .write_all(input.to_string().as_bytes())
        .map_err(|e| format!("writing to python3: {e}"))?;
    drop(stdin);
    let output = child
        .wait_with_output()
        .map_err(|e| format!("waiting for python3: {e}"))?;
    if !output.status.success() {
        // A broken script is a test failure, not a missing oracle.
        panic!(
            "python3 failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(serde_json::from_slice(&output.stdout).unwrap())
}

/// Writes to the real stderr, past libtest's capture, so a skip is seen even
/// when the test passes.
fn loud(msg: &str) {
    let _ = std::io::stderr().write_all(format!("\n{msg}\n\n").as_bytes());
}

/// Compares logfig with CPython on every case and record; panics with a diff
/// of every mismatch.
fn compare(cases: &[Case], label: &str) {
    compare_on(cases, RECORDS, Escape::Control, label);
}

/// [`compare`] on `records`, with `escape` set in logfig and the records'
/// text escaped the same way before CPython formats it.
fn compare_on(cases: &[Case], records: &[Rec], escape: Escape, label: &str) {
    let expected = match python(cases, records, escape) {
        Ok(e) => e,
        Err(why) => {
            if std::env::var("LOGFIG_REQUIRE_SERVERS").as_deref() == Ok("1") {
                panic!("python3 oracle required (LOGFIG_REQUIRE_SERVERS=1): {why}");
            }
            loud(&format!(
                "*** SKIPPED python oracle ({label}): {why}. Install python3 to compare with CPython's logging. ***"
            ));
            return;
        }
    };
    let mut failures = Vec::new();
    let mut checked = 0;
    for (c, want) in cases.iter().zip(&expected) {
        let mut cfg = PatternFormatterConfig::default();
        cfg.format = Some(c.fmt.to_owned());
        cfg.datefmt = c.datefmt.map(str::to_owned);
        cfg.style = c.style;
        cfg.utc = c.utc;
        cfg.escape = escape;
        cfg.defaults = c
            .defaults
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let formatter = PatternFormatter::new(&cfg);
        for (i, (r, want)) in records.iter().zip(want).enumerate() {
            let got = match &formatter {
                Ok(f) => render(f, r),
                Err(e) => format!("<logfig compile error: {e}>"),
            };
            checked += 1;
            if got != *want {
                failures.push(format!(
                    "escape `{}` style `{}` format {:?} datefmt {:?} utc {} record #{i}:\n  python: {want:?}\n  logfig: {got:?}",
                    escape_str(escape),
                    style_str(c.style),
                    c.fmt,
                    c.datefmt,
                    c.utc
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} renderings differ from CPython ({label}):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert_eq!(checked, cases.len() * records.len());
}

/// Records whose text holds terminal controls, newlines and C1 controls in
/// every attribute a record supplies.
const CONTROL_RECORDS: &[Rec] = &[
    Rec {
        level: log::Level::Warn,
        name: "app\x1b[2J",
        msg: "login failed for bob\n2026-01-01 00:00:00,000 CRITICAL root: forged\r\x1b]0;pwned\x07\u{9b}31m\0\x7f\tend",
        path: Some("src/\x1b]0;x\x07/db.rs"),
        line: Some(42),
        secs: 1_764_238_502,
        nanos: 123_456_000,
        thread: 7,
        thread_name: "w\x08\u{85}",
        pid: 4242,
        kvs: &[("user", Kv::S("bob\x1b[8m\r\n"))],
    },
    Rec {
        level: log::Level::Info,
        name: "app",
        msg: "clean é ü 日本 ° \u{a0}",
        path: Some("src/main.rs"),
        line: Some(7),
        secs: 1_764_238_502,
        nanos: 999_900_000,
        thread: 1,
        thread_name: "MainThread",
        pid: 1,
        kvs: &[("user", Kv::S("alice"))],
    },
];

/// Formats for [`CONTROL_RECORDS`]: every record-supplied attribute, with
/// widths and precisions (they measure the escaped text). Conversions `r`
/// and `a` are left out: they escape the raw text themselves, as CPython's
/// (see `repr_of_control_characters_is_cpythons`).
const CONTROL_CASES: &[Case] = &[
    case(
        P,
        "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(pathname)s %(filename)s %(module)s: %(message)s",
    ),
    with_defaults(
        case(P, "%(message)-90s|%(message).24s|%(name)12s|%(user)s|"),
        &[("user", "-")],
    ),
    case(
        B,
        "{message:>100}|{name!s:^14}|{threadName:.3}|{pathname:<30}|",
    ),
    with_defaults(case(D, "$message ${name} $user"), &[("user", "-")]),
];

#[test]
fn control_characters_are_escaped_as_cpython_would_print_the_escaped_text() {
    for escape in [Escape::Control, Escape::Lines, Escape::None] {
        compare_on(CONTROL_CASES, CONTROL_RECORDS, escape, "control characters");
    }
}

#[test]
fn repr_of_control_characters_is_cpythons() {
    // `r` escapes the raw text as CPython's `repr()` does, whatever `escape`
    // says: the same bytes with `none` and with `lines`.
    let cases = &[
        case(P, "%(message)r %(name)a %(threadName)r"),
        case(B, "{message!r} {name!a}"),
    ];
    compare_on(cases, CONTROL_RECORDS, Escape::None, "repr, escape none");
    for c in cases {
        for escape in [Escape::Control, Escape::Lines] {
            let mut cfg = PatternFormatterConfig::default();
            cfg.format = Some(c.fmt.to_owned());
            cfg.style = c.style;
            let raw = PatternFormatter::new(&cfg).unwrap();
            cfg.escape = escape;
            let escaped = PatternFormatter::new(&cfg).unwrap();
            for r in CONTROL_RECORDS {
                assert_eq!(render(&escaped, r), render(&raw, r), "{}", c.fmt);
            }
        }
    }
}

#[test]
fn pattern_formatter_matches_cpython() {
    assert!(CASES.len() >= 30);
    compare(CASES, "utc");
}

#[test]
fn local_time_matches_cpython_in_this_zone() {
    compare(LOCAL_CASES, "local time, inherited TZ");
}

#[test]
fn local_time_matches_cpython_in_berlin() {
    if std::env::var_os("LOGFIG_ORACLE_TZ_CHILD").is_some() {
        compare(LOCAL_CASES, "local time, TZ=Europe/Berlin");
        return;
    }
    if !std::path::Path::new("/usr/share/zoneinfo/Europe/Berlin").exists() {
        loud("*** SKIPPED Europe/Berlin oracle: no tzdata at /usr/share/zoneinfo ***");
        return;
    }
    // Re-run this one test in a child process with its own TZ.
    let exe = std::env::current_exe().unwrap();
    let output = Command::new(exe)
        .args([
            "formatters::pattern_vs_cpython::local_time_matches_cpython_in_berlin",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("TZ", "Europe/Berlin")
        .env("LOGFIG_ORACLE_TZ_CHILD", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "TZ=Europe/Berlin child failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("1 passed"),
        "the child did not run the test:\n{stdout}\n{stderr}"
    );
    if stderr.contains("SKIPPED") {
        loud(&stderr);
    }
}
