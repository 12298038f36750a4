//! Hostile and careless configs: format widths and precisions a record could
//! never afford, and configs that grow past what a process can hold or
//! recurse into. Each is refused with a clear error at its position, through
//! `init_str`, through `logfig check`, and as a hot edit while the
//! application keeps logging; the bombs are refused by a binary whose memory
//! is capped with `ulimit -v`.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use logfig::{Builder, Config, Format};

use crate::dispatch::open_gate;
use crate::network::wait_until;

#[path = "../../common/garbage.rs"]
mod garbage;
use garbage::garbage;

/// Generous: a reload normally lands in well under 100 ms, but refusing
/// the `cfg://` bomb costs over a second of CPU in a debug build, which a
/// loaded shared machine stretched past 30 s.
const DEADLINE: Duration = Duration::from_secs(180);

/// The format examples of issue 13: (format, style, what the error says).
const FORMATS: &[(&str, &str, &str)] = &[
    (
        "%(levelno).70000f",
        "%",
        "the precision in `%(levelno).70000f` is over 255, the largest a format allows",
    ),
    (
        "{levelno:.65535e}",
        "{",
        "the precision in `{levelno:.65535e}` is over 255, the largest a format allows",
    ),
    (
        "%(levelname)1000000000000s",
        "%",
        "the width in `%(levelname)1000000000000s` is over 255, the largest a format allows",
    ),
    (
        "%(message)1000000000000s",
        "%",
        "the width in `%(message)1000000000000s` is over 255, the largest a format allows",
    ),
    (
        "%(created).70000f",
        "%",
        "the precision in `%(created).70000f` is over 255, the largest a format allows",
    ),
];

/// A config whose formatter `f` (line 3, its `format` at column 16) has
/// `format` in `style`, with `datefmt` when given.
fn with_format(format: &str, style: &str, datefmt: Option<&str>) -> String {
    let datefmt = datefmt.map_or(String::new(), |d| format!(", datefmt: '{d}'"));
    format!(
        "version: 1\nformatters:\n  f: {{ format: '{format}', style: '{style}'{datefmt} }}\n\
         handlers:\n  out: {{ type: null, formatter: f }}\nroot: {{ handlers: [out] }}\n"
    )
}

/// `%1000Y` in a `datefmt`: (config, its column on line 3, the message).
fn datefmt_case() -> (String, u32, &'static str) {
    let text = with_format("%(asctime)s %(message)s", "%", Some("%d %1000Y"));
    let line = text.lines().nth(2).unwrap();
    let column = line.find("datefmt: ").unwrap() + "datefmt: ".len() + 1;
    (
        text,
        column as u32,
        "the width in `%1000Y` is over 255, the largest a datefmt allows",
    )
}

#[test]
fn format_bounds_are_errors_at_their_position_through_init_str() {
    for &(format, style, message) in FORMATS {
        let err = logfig::init_str(&with_format(format, style, None), Format::Yaml).unwrap_err();
        let d = &err.diagnostics()[0];
        assert_eq!(
            (d.line(), d.column(), d.path(), d.message()),
            (3, 16, "formatters.f.format", message),
            "{err}"
        );
    }
    let (text, column, message) = datefmt_case();
    let err = logfig::init_str(&text, Format::Yaml).unwrap_err();
    let d = &err.diagnostics()[0];
    assert_eq!(
        (d.line(), d.column(), d.path(), d.message()),
        (3, column, "formatters.f.datefmt", message),
        "{err}"
    );
}

/// Runs the built `logfig` binary under `sh` with `ulimit -v` (KiB):
/// (stdout, stderr, exit status, or `None` when a signal ended it).
#[cfg(feature = "cli")]
fn logfig_capped(args: &[&str], kib: u64) -> (String, String, Option<i32>) {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {kib} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_logfig"))
        .args(args)
        .env_remove("LOGFIG_CONFIG")
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

/// Enough for the binary and a config at the budget; far below what any of
/// the bombs allocated (6 GB and more).
#[cfg(feature = "cli")]
const MEMORY_KIB: u64 = 1 << 20;

#[cfg(feature = "cli")]
#[test]
fn format_bounds_are_errors_at_their_position_through_logfig_check() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases: Vec<(String, u32, &str, &str)> = FORMATS
        .iter()
        .map(|&(f, s, m)| (with_format(f, s, None), 16, "format", m))
        .collect();
    let (text, column, message) = datefmt_case();
    cases.push((text, column, "datefmt", message));
    for (i, (text, column, key, message)) in cases.into_iter().enumerate() {
        let path = dir.path().join(format!("case{i}.yaml"));
        fs::write(&path, &text).unwrap();
        let file = path.display().to_string();
        let (out, err, code) = logfig_capped(&["check", &file], MEMORY_KIB);
        let first = out.lines().next().unwrap_or_default();
        assert_eq!(
            first,
            format!("{file}:3:{column}: formatters.f.{key}: {message}"),
            "{out}{err}"
        );
        assert!(
            out.ends_with(&format!("{file}: invalid: 1 error\n")),
            "{out}"
        );
        assert_eq!(code, Some(1), "{out}{err}");
    }
}

/// A running application: a file handler at `log`, a thread logging to it
/// without pause, and the config file it is built from, watched.
struct App {
    config: PathBuf,
    log: PathBuf,
    handle: logfig::Handle,
    stop: Arc<AtomicBool>,
    logger: Option<std::thread::JoinHandle<u64>>,
    /// Last: removed after the handle is dropped.
    _dir: tempfile::TempDir,
}

impl App {
    fn start() -> App {
        open_gate();
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("logging.yaml");
        let log = dir.path().join("app.log");
        fs::write(
            &config,
            Self::text(&log, "'%(levelname)s %(message)s'", "INFO"),
        )
        .unwrap();
        let handle = Builder::new().build_file(&config).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let (d, s) = (handle.dispatcher().clone(), stop.clone());
        let logger = std::thread::spawn(move || {
            let mut n = 0;
            while !s.load(Ordering::Relaxed) {
                log::info!(logger: &d, "tick {n}");
                n += 1;
                std::thread::sleep(Duration::from_millis(1));
            }
            n
        });
        App {
            config,
            log,
            handle,
            stop,
            logger: Some(logger),
            _dir: dir,
        }
    }

    /// The config, its formatter's `format` (line 4, column 16) as given.
    fn text(log: &Path, format: &str, level: &str) -> String {
        format!(
            "version: 1\nreload: {{ debounce: 25ms }}\nformatters:\n  f: {{ format: {format} }}\n\
             handlers:\n  file: {{ type: file, path: '{}', formatter: f }}\n\
             root: {{ level: {level}, handlers: [file] }}\n",
            log.display()
        )
    }

    fn lines(&self) -> usize {
        fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .count()
    }

    /// Writes `text` as the config, waits for the reload to fail with
    /// `expected` in its report, and checks that records still arrive.
    fn bad_edit(&self, text: &str, expected: &str) {
        fs::write(&self.config, text).unwrap();
        wait_until(
            &format!("the edit to be refused with `{expected}`"),
            DEADLINE,
            || {
                self.handle
                    .reload_status()
                    .unwrap()
                    .last_error()
                    .is_some_and(|e| e.contains(expected))
            },
        );
        let before = self.lines();
        wait_until("records after a refused edit", DEADLINE, || {
            self.lines() > before + 5
        });
        assert!(!self.logger.as_ref().unwrap().is_finished());
    }

    /// Writes a valid config at DEBUG and waits until it applies.
    fn good_edit(&self) {
        let reloads = self.handle.reload_status().unwrap().reloads();
        fs::write(
            &self.config,
            Self::text(&self.log, "'%(levelname)s %(message)s'", "DEBUG"),
        )
        .unwrap();
        // The status is published after the new graph is swapped in: a
        // record at the new level can show up while the status still holds
        // the refused edit's error, so the wait is on the status.
        wait_until("the next valid edit to apply", DEADLINE, || {
            self.handle.reload_status().unwrap().reloads() > reloads
        });
        let status = self.handle.reload_status().unwrap();
        assert!(status.last_error().is_none(), "{status:?}");
        log::debug!(logger: self.handle.dispatcher(), "probe");
        let text = fs::read_to_string(&self.log).unwrap_or_default();
        assert!(text.contains("DEBUG probe"), "{text}");
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.logger.take() {
            let _ = t.join();
        }
    }
}

#[test]
fn format_bounds_are_refused_as_hot_edits_while_the_app_keeps_logging() {
    let app = App::start();
    for &(format, style, message) in FORMATS {
        let quoted = format!("'{format}', style: '{style}'");
        let text = App::text(&app.log, &quoted, "INFO");
        app.bad_edit(&text, &format!(":4:16: formatters.f.format: {message}"));
    }
    let (_, _, message) = datefmt_case();
    let quoted = "'%(asctime)s %(message)s', datefmt: '%1000Y'";
    app.bad_edit(
        &App::text(&app.log, quoted, "INFO"),
        &format!(":4:52: formatters.f.datefmt: {message}"),
    );
    app.good_edit();
}

/// 100,000 nested `${X:-...}` defaults overflowed the reload thread's stack
/// and aborted the process; 20,000 `cfg://` copies of a 20,000-item list
/// allocated past 6 GB on it.
#[test]
fn bombs_are_refused_as_hot_edits_while_the_app_keeps_logging() {
    let app = App::start();
    let nested = format!("{}x{}", "${X:-".repeat(100_000), "}".repeat(100_000));
    let text = format!(
        "version: 1\nreload: {{ debounce: 25ms }}\nhandlers:\n  file: {{ type: file, path: '{nested}' }}\nroot: {{ handlers: [file] }}\n"
    );
    app.bad_edit(
        &text,
        ":4:29: handlers.file.path: `${...}` nests more than 32 levels deep",
    );
    app.bad_edit(
        &cfg_bomb(),
        "the config holds more than 250000 values (YAML aliases and `cfg://` copies count as often as they are used): `cfg://big` copies too much",
    );
    let deep = format!(
        "version: 1\nreload: {{ debounce: 25ms }}\nx: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    app.bad_edit(&deep, "nest more than 32 levels deep");
    app.good_edit();
}

/// 20,000 `cfg://` references to a 20,000-item list (260 KB).
fn cfg_bomb() -> String {
    let mut text = String::from("version: 1\nbig:\n");
    for i in 0..20_000 {
        text.push_str(&format!("  - {i}\n"));
    }
    text.push_str("data:\n");
    for i in 0..20_000 {
        text.push_str(&format!("  k{i}: cfg://big\n"));
    }
    text
}

/// Each bomb is refused by `logfig check` with a clear error, in a process
/// that may not use more than [`MEMORY_KIB`].
#[cfg(feature = "cli")]
#[test]
fn bombs_are_refused_by_logfig_check_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let nested = format!("{}x{}", "${X:-".repeat(100_000), "}".repeat(100_000));
    let mut aliases = String::from("version: 1\na0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let p = i - 1;
        aliases.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{p}"); 9].join(", ")
        ));
    }
    let padding = " ".repeat(50_000_000);
    let cases = [
        (
            "cfg.yaml",
            cfg_bomb(),
            ":20014:8: data.k10: the config holds more than 250000 values",
        ),
        (
            "env.yaml",
            format!("version: 1\nhandlers:\n  h: {{ type: file, path: '{nested}' }}\n"),
            ":3:26: handlers.h.path: `${...}` nests more than 32 levels deep",
        ),
        (
            "aliases.yaml",
            aliases,
            "the config holds more than 250000 values",
        ),
        (
            "deep.json",
            format!(
                "{{\"version\": 1, \"x\": {}{}}}",
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
            ":1:52: lists and mappings nest more than 32 levels deep",
        ),
        (
            "deep.toml",
            format!(
                "version = 1\nx = {}{}\n",
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
            "nest more than 32 levels deep",
        ),
        (
            "big.yaml",
            format!("version: 1\n{padding}"),
            ":2:2097142: the config is 50000011 bytes long; logfig reads configs of at most 2 MiB",
        ),
        (
            "big.json",
            format!("{{\"version\": 1}}{padding}"),
            ":1:2097153: the config is 50000014 bytes long",
        ),
        (
            "big.toml",
            format!("version = 1\n{padding}"),
            ":2:2097141: the config is 50000012 bytes long",
        ),
    ];
    for (name, text, expected) in cases {
        let path = dir.path().join(name);
        fs::write(&path, text).unwrap();
        let file = path.display().to_string();
        let (out, err, code) = logfig_capped(&["check", &file], MEMORY_KIB);
        assert_eq!(code, Some(1), "{name}: {err}");
        assert!(
            out.starts_with(&file) && out.contains(expected),
            "{name}: {}",
            &out[..out.len().min(2000)]
        );
    }
}

/// A megabyte of random text read as TOML once printed 48,394 errors: the
/// first 100 are reported, then a count.
#[test]
fn diagnostics_of_garbage_are_capped() {
    let text = garbage(1 << 20);
    let err = Config::from_str(&text, Format::Toml).unwrap_err();
    let d = err.diagnostics();
    assert_eq!(d.len(), 101, "{err}");
    assert!(d[..100].iter().all(|d| d.line() > 0));
    assert!(
        d[100].message().starts_with("and ")
            && d[100]
                .message()
                .ends_with(" more problems; the first 100 are shown"),
        "{}",
        d[100]
    );
    assert!(d.windows(2).take(99).all(|w| w[0].line() <= w[1].line()));
}

/// `interval: 4294967295` weekly made the first rollover's date arithmetic
/// panic when the handler opened.
#[test]
fn rotation_intervals_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let config = |when: &str, interval: u64| {
        let text = format!(
            "version: 1\nhandlers:\n  f: {{ type: rotating_file, path: '{}', when: {when}, interval: {interval} }}\nroot: {{ handlers: [f] }}\n",
            dir.path().join("app.log").display()
        );
        Config::from_str(&text, Format::Yaml)
    };
    for (when, over) in [("W6", 5215), ("midnight", 36_501), ("S", 3_153_600_001)] {
        let err = config(when, over).unwrap_err();
        let d = &err.diagnostics()[0];
        assert_eq!(d.path(), "handlers.f.interval", "{err}");
        assert!(
            d.message()
                .ends_with("is over 100 years, the longest between two rollovers"),
            "{err}"
        );
        let c = config(when, over - 1).unwrap();
        let handle = Builder::new().build(&c).unwrap();
        open_gate();
        log::info!(logger: &handle, "a record");
    }
}

/// The `smtp` handler's `subject` is a `%`-style format too: its bounds are
/// config errors found by `check` (and so by `logfig check`), not only when
/// the handler is built.
#[test]
fn an_smtp_subject_over_the_format_bounds_is_a_config_error_at_its_position() {
    let text = "version: 1\nhandlers:\n  m: { type: smtp, host: 127.0.0.1, from: a@example.com, to: [b@example.com], subject: '%(message)1000000000000s' }\nroot: { handlers: [m] }\n";
    let err = Config::from_str(text, Format::Yaml).unwrap_err();
    let d = &err.diagnostics()[0];
    let column = text.lines().nth(2).unwrap().find("'%(message)").unwrap() + 1;
    assert_eq!(
        (d.line(), d.column() as usize, d.path(), d.message()),
        (
            3,
            column,
            "handlers.m.subject",
            "the width in `%(message)1000000000000s` is over 255, the largest a format allows"
        ),
        "{err}"
    );
    // At the bound, and plain text (Python's SMTPHandler subject is one).
    for subject in ["'%(message)255s'", "Boom"] {
        let ok = text.replace("'%(message)1000000000000s'", subject);
        let config = Config::from_str(&ok, Format::Yaml).unwrap();
        Builder::new().build(&config).unwrap().shutdown();
    }
}
