//! Python's `dictConfig` form → logfig's form, on the [`Node`] tree, before
//! decoding.
//!
//! A `logging.yaml` written for Python's `logging.config.dictConfig` names its
//! handlers by class (`class: logging.handlers.RotatingFileHandler`) with
//! Python's argument names (`filename`, `maxBytes`, `backupCount`), and may
//! refer to other parts of the config with `cfg://`. This pass rewrites such a
//! tree into logfig's own form (`type: rotating_file`, `path`, `max_bytes`,
//! `backups`) so the one decoder reads both, and the two forms can mix in one
//! file. Values keep the positions of the user's lines, so every later
//! diagnostic still points at them; new keys take the position of the key they
//! replace.
//!
//! Python-only constructs (`()` factories naming Python callables, `ext://`
//! objects other than the standard streams, `.` attribute setting) are errors
//! saying what to write instead. A handler with any error is left out of the
//! tree and marked failed, so references to it are not reported again.
//!
//! Pure: no I/O.
//!
//! - `cfg.rs`: `cfg://` references;
//! - `handler.rs`: handler classes and their arguments;
//! - `lenient.rs`: what CPython accepts, coerces or ignores, on the Python path;
//! - `ini.rs`: `fileConfig` INI files, read into the same tree;
//! - `args.rs`: the Python literals of an INI file's `args` and `kwargs`.

mod args;
mod cfg;
mod handler;
pub(crate) mod ini;
mod lenient;

use std::collections::{HashMap, HashSet};

use self::cfg::Snapshot;
use super::decode::Decoder;
use super::node::{Key, Node, Trail, Value};
use crate::config::{Config, HandlerConfig, Stream};
use crate::error::Diagnostic;
use crate::error::join;

/// Keys every handler class takes, in both forms.
const COMMON: &[&str] = &["level", "formatter", "filters"];

/// logfig's top-level keys.
pub(super) const TOP_LEVEL: &[&str] = &[
    "version",
    "disable_existing_loggers",
    "incremental",
    "reload",
    "env_filter",
    "formatters",
    "filters",
    "handlers",
    "loggers",
    "root",
    "$schema",
];

/// Rewrites the Python form of `root` into logfig's, in place. Problems go to
/// the decoder's diagnostics; handlers that could not be translated are
/// removed and their paths (`handlers.<name>`) added to its `failed`.
///
/// `python` says the file is Python's whatever it holds (a `fileConfig` INI
/// file); else it is when a handler is written with `class:` or `()`, and
/// CPython's leniencies then apply (see `lenient.rs`). `source` is the YAML
/// text, to tell a quoted `"no"` from PyYAML's boolean `no`.
///
/// Returns whether the config is Python's (its diagnostics then stay out of
/// the application's outputs, see `Config::is_python`) and what the decoded
/// config must be told that logfig's spelling cannot say.
pub(crate) fn translate(
    root: &mut Node,
    d: &mut Decoder<'_>,
    python: bool,
    source: Option<&str>,
) -> Translated {
    let mut t = Translator {
        d,
        python,
        source,
        string_streams: Vec::new(),
    };
    t.python = translate_tree(&mut t, root);
    Translated {
        python: t.python,
        string_streams: t.string_streams,
    }
}

/// What [`translate`] found besides the tree it rewrote.
#[derive(Debug, Default)]
pub(crate) struct Translated {
    /// The file is Python's.
    pub(crate) python: bool,
    /// The paths (`handlers.<name>`) of the StreamHandlers whose `stream:` is
    /// a plain string: Python's `str` stream, which the tree cannot hold.
    string_streams: Vec<String>,
}

impl Translated {
    /// Marks in the decoded `config` what only the Python path makes: a
    /// console handler whose stream is a Python `str`.
    pub(crate) fn apply(&self, config: &mut Config) {
        if self.string_streams.is_empty() {
            return;
        }
        for (name, handler) in &mut config.handlers {
            if let HandlerConfig::Console(c) = handler {
                if self.string_streams.contains(&join("handlers", name)) {
                    c.stream = Stream::PythonString;
                }
            }
        }
    }
}

/// The body of [`translate`]; returns whether the config is Python's.
fn translate_tree(t: &mut Translator<'_, '_>, root: &mut Node) -> bool {
    let python = t.python;
    if !matches!(root.value, Value::Map(_)) {
        return python;
    }
    let mut referenced = HashSet::new();
    if has_cfg(root) {
        // References name the config as written, before any is resolved.
        let snapshot = root.clone();
        let mut snapshot = Snapshot {
            root: &snapshot,
            index: HashMap::new(),
        };
        t.resolve_cfg(root, &Trail::Root, None, &mut snapshot, &mut referenced, 0);
    }
    if t.d.exhausted() {
        return t.python;
    }
    let Value::Map(top) = &mut root.value else {
        return t.python;
    };
    // Python ignores top-level keys it does not know, so dictConfig files
    // keep data for `cfg://` there; once resolved, such a key is dropped.
    // Unreferenced unknown keys stay, to be reported (a typo, most often).
    top.retain(|(k, _)| TOP_LEVEL.contains(&k.name.as_str()) || !referenced.contains(&k.name));
    t.python |= lenient::is_python(top);
    if t.python {
        t.lenient_top(top);
    }
    // An incremental config only sets levels of handlers: Python ignores
    // every other key, and so does the decoder.
    let incremental = top
        .iter()
        .any(|(k, v)| k.name == "incremental" && v.value == Value::Bool(true));
    for (key, node) in top.iter_mut() {
        match key.name.as_str() {
            "handlers" if !incremental => t.section(node, "handlers", Translator::handler),
            "formatters" => t.section(node, "formatters", Translator::formatter),
            "filters" => t.section(node, "filters", Translator::filter),
            _ => {}
        }
    }
    t.python
}

/// Whether any string of the tree is a `cfg://` reference.
fn has_cfg(node: &Node) -> bool {
    match &node.value {
        Value::Str(s) => s.starts_with("cfg://"),
        Value::Seq(items) => items.iter().any(has_cfg),
        Value::Map(entries) => entries.iter().any(|(_, v)| has_cfg(v)),
        _ => false,
    }
}

struct Translator<'a, 'e> {
    d: &'a mut Decoder<'e>,
    /// The file is written for Python: CPython's leniencies apply.
    python: bool,
    /// The YAML text, when the config is YAML.
    source: Option<&'a str>,
    /// See [`Translated`].
    string_streams: Vec<String>,
}

impl Translator<'_, '_> {
    fn error(&mut self, path: &str, line: u32, column: u32, message: impl Into<String>) {
        self.d
            .push(Diagnostic::error(path, message).at(line, column, None));
    }

    // ---- sections -------------------------------------------------------

    /// Translates each component of one section; a component whose
    /// translation fails is removed and marked failed.
    fn section(
        &mut self,
        node: &mut Node,
        section: &str,
        translate: fn(&mut Self, &mut Node, &str) -> bool,
    ) {
        let Value::Map(entries) = &mut node.value else {
            return;
        };
        let mut keep = Vec::with_capacity(entries.len());
        for (key, mut component) in std::mem::take(entries) {
            let path = join(section, &key.name);
            let before = self.errors();
            let ok = translate(self, &mut component, &path);
            if ok && self.errors() == before {
                keep.push((key, component));
            } else {
                self.d.failed.insert(path);
            }
        }
        *entries = keep;
    }

    fn errors(&self) -> usize {
        self.d.errors()
    }

    /// Reports a `.` key (Python sets the mapping's entries as attributes of
    /// the object it made); true when there was none.
    fn no_attributes(&mut self, entries: &[(Key, Node)], path: &str, what: &str) -> bool {
        let Some((k, _)) = entries.iter().find(|(k, _)| k.name == ".") else {
            return true;
        };
        self.error(
            &join(path, "."),
            k.line,
            k.column,
            format!(
                "`.` sets attributes on the Python object, which logfig cannot do; remove it and write each setting as a key of the {what}"
            ),
        );
        false
    }

    fn formatter(&mut self, node: &mut Node, path: &str) -> bool {
        let Value::Map(entries) = &mut node.value else {
            return true;
        };
        if !self.no_attributes(entries, path, "formatter") {
            return false;
        }
        let factory = entries.iter().any(|(k, _)| k.name == "()");
        for factory_key in ["()", "class"] {
            let Some(i) = super::node::index_of(entries, factory_key) else {
                continue;
            };
            let (k, v) = &entries[i];
            let p = join(path, factory_key);
            let class = string_of(v);
            let bare = class.strip_prefix("ext://").unwrap_or(&class);
            if bare == "logging.Formatter" {
                entries.remove(i);
                if factory_key == "()" {
                    // `()` calls `logging.Formatter(**rest)`: its argument
                    // is `fmt`, not `format`.
                    for (k, _) in entries.iter_mut() {
                        if k.name == "fmt" {
                            k.name = "format".into();
                        }
                    }
                }
                continue;
            }
            let (line, column) = (k.line, k.column);
            self.error(
                &p,
                line,
                column,
                format!(
                    "`{factory_key}: {class}` names a Python formatter class, which logfig cannot call; remove it for Python's `logging.Formatter` (`format`, `datefmt`, `style`, `validate`, `defaults`), or write `type: json` for one JSON object a line"
                ),
            );
            return false;
        }
        if self.python {
            self.lenient_formatter(entries, path, factory);
        }
        true
    }

    fn filter(&mut self, node: &mut Node, path: &str) -> bool {
        let Value::Map(entries) = &mut node.value else {
            return true;
        };
        if !self.no_attributes(entries, path, "filter") {
            return false;
        }
        if self.python {
            self.lenient_filter(entries, path);
        }
        if let Some((k, v)) = entries.iter().find(|(k, _)| k.name == "()") {
            let p = join(path, "()");
            let callable = string_of(v);
            let (line, column) = (k.line, k.column);
            self.error(
                &p,
                line,
                column,
                format!(
                    "`(): {callable}` names a Python filter factory, which logfig cannot call; write `name:` for Python's `logging.Filter`, or `type:` with one of {}",
                    backticked(crate::config::FilterConfig::TYPES)
                ),
            );
            return false;
        }
        true
    }
}

fn renamed(key: &Key, name: &str) -> Key {
    Key {
        name: name.to_owned(),
        line: key.line,
        column: key.column,
    }
}

fn string_of(node: &Node) -> String {
    match &node.value {
        Value::Str(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

fn int_of(node: &Node) -> Option<i128> {
    match &node.value {
        Value::Int(i) => Some(*i),
        Value::Str(s) if node.expanded => s.trim().parse().ok(),
        _ => None,
    }
}

fn backticked(items: &[&str]) -> String {
    items
        .iter()
        .map(|t| format!("`{t}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::config::HandlerConfig;

    fn load(text: &str) -> Result<crate::config::Config, crate::error::Error> {
        crate::config::Config::from_str(text, crate::load::Format::Yaml)
    }

    #[test]
    fn classes_translate_to_kinds() {
        let c = load(
            "version: 1\nhandlers:\n  out: { class: logging.StreamHandler, stream: 'ext://sys.stdout' }\n  f: { class: logging.handlers.RotatingFileHandler, filename: a.log, maxBytes: 100, backupCount: 3 }\n  m: { class: logging.handlers.MemoryHandler, capacity: 10, target: 'cfg://handlers.f' }\nroot: { handlers: [out, m] }\n",
        )
        .unwrap();
        let HandlerConfig::RotatingFile(f) = &c.handlers["f"] else {
            panic!()
        };
        assert_eq!(f.max_bytes.map(|s| s.bytes()), Some(99));
        assert_eq!(f.backups, Some(3));
        assert_eq!(c.handlers["m"].targets(), ["f"]);
    }

    #[test]
    fn network_classes_translate_when_their_kinds_exist() {
        let text = "version: 1\nhandlers:\n  s: { class: logging.handlers.SysLogHandler, address: [localhost, 5514], facility: local0 }\n  t: { class: logging.handlers.SocketHandler, host: localhost, port: 9020 }\nroot: { handlers: [s, t] }\n";
        match load(text) {
            Ok(c) => {
                assert_eq!(c.handlers["s"].type_name(), "syslog");
                assert_eq!(c.handlers["t"].type_name(), "tcp");
            }
            Err(e) => {
                // Before issue 7 lands: a clear error naming the class.
                assert!(
                    e.to_string().contains("not available in this version"),
                    "{e}"
                );
            }
        }
    }

    #[test]
    fn python_systemd_journal_handler_is_journald_and_syslog_stays_syslog() {
        let text = "version: 1\nhandlers:\n  j: { class: systemd.journal.JournalHandler, SYSLOG_IDENTIFIER: shop, level: INFO }\n  s: { class: logging.handlers.SysLogHandler, address: /dev/log }\nroot: { handlers: [j, s] }\n";
        let c = load(text).unwrap();
        let crate::config::HandlerConfig::Journald(j) = &c.handlers["j"] else {
            panic!("{:?}", c.handlers["j"]);
        };
        assert_eq!(j.syslog_identifier.as_deref(), Some("shop"));
        assert_eq!(j.path, std::path::Path::new("/run/systemd/journal/socket"));
        assert_eq!(j.common.level, Some(crate::config::Level::Info));
        let crate::config::HandlerConfig::Syslog(s) = &c.handlers["s"] else {
            panic!("{:?}", c.handlers["s"]);
        };
        assert_eq!(s.path, std::path::Path::new("/dev/log"));
        let err = load(&text.replace("SYSLOG_IDENTIFIER: shop", "sender_function: ext://mod.send"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("handlers.j.sender_function"), "{err}");
    }

    #[test]
    fn mail_and_http_classes_translate() {
        let text = "version: 1\nhandlers:\n  m: { class: logging.handlers.SMTPHandler, mailhost: [mail.example, 2525], fromaddr: a@example.com, toaddrs: [b@example.com], subject: Boom, secure: [], timeout: 2.5, level: ERROR }\n  h: { class: logging.handlers.HTTPHandler, host: 'logs.example:8080', url: /ingest, method: POST }\nroot: { handlers: [m, h] }\n";
        let c = load(text).unwrap();
        let crate::config::HandlerConfig::Smtp(m) = &c.handlers["m"] else {
            panic!("{:?}", c.handlers["m"]);
        };
        assert_eq!((m.host.as_str(), m.port), ("mail.example", 2525));
        assert_eq!(m.timeout, std::time::Duration::from_millis(2500));
        assert_eq!(m.starttls, crate::config::StartTls::Always);
        let crate::config::HandlerConfig::Http(h) = &c.handlers["h"] else {
            panic!("{:?}", c.handlers["h"]);
        };
        assert_eq!(h.url.expose(), "http://logs.example:8080/ingest");
        // smtplib's `host:port` string.
        let c = load(&text.replace("[mail.example, 2525]", "'mail.example:2526'")).unwrap();
        let crate::config::HandlerConfig::Smtp(m) = &c.handlers["m"] else {
            panic!("{:?}", c.handlers["m"]);
        };
        assert_eq!((m.host.as_str(), m.port), ("mail.example", 2526));
        let e = load(&text.replace("[mail.example, 2525]", "'mail.example:99999'")).unwrap_err();
        assert_eq!(e.diagnostics()[0].path(), "handlers.m.port", "{e}");
        assert!(e.to_string().contains("99999 is out of range"), "{e}");
        let get = text.replace("method: POST", "method: GET");
        let err = load(&get).unwrap_err().to_string();
        assert!(err.contains("sends records with POST"), "{err}");
    }

    #[test]
    fn python_only_constructs_are_errors() {
        let e = load("version: 1\nhandlers:\n  h: { (): myapp.Handler }\n").unwrap_err();
        assert!(e.to_string().contains("names a Python callable"), "{e}");
        let e = load("version: 1\nhandlers:\n  h: { class: logging.StreamHandler, stream: 'ext://myapp.out' }\n").unwrap_err();
        assert!(e.to_string().contains("names a Python object"), "{e}");
        assert_eq!(e.diagnostics()[0].line(), 3);
    }

    #[test]
    fn a_plain_string_stream_is_pythons_str_stream_with_a_warning() {
        use crate::config::Stream;
        use crate::error::Severity;
        let text = "version: 1\nhandlers:\n  out: { class: logging.StreamHandler, stream: sys.stdout }\n  err: { class: logging.StreamHandler, stream: stderr }\n  none: { class: logging.StreamHandler, stream: ~ }\n  ok: { class: logging.StreamHandler, stream: 'ext://sys.stdout' }\nroot: { handlers: [out, err, none, ok] }\n";
        let c = load(text).unwrap();
        let stream = |name: &str| match &c.handlers[name] {
            HandlerConfig::Console(h) => h.stream,
            other => panic!("{other:?}"),
        };
        assert_eq!(stream("out"), Stream::PythonString);
        assert_eq!(stream("err"), Stream::PythonString);
        // `StreamHandler(None)` writes to sys.stderr.
        assert_eq!(stream("none"), Stream::Stderr);
        assert_eq!(stream("ok"), Stream::Stdout);
        let warnings: Vec<String> = c
            .validate()
            .unwrap()
            .iter()
            .filter(|d| d.severity() == Severity::Warning && d.path().ends_with(".stream"))
            .map(|d| format!("{}:{}: {}: {}", d.line(), d.column(), d.path(), d.message()))
            .collect();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].starts_with("3:48: handlers.out.stream: `sys.stdout` is a plain string")
                && warnings[0].ends_with("write `ext://sys.stdout`"),
            "{warnings:?}"
        );
        assert!(
            warnings[1].ends_with("write `ext://sys.stderr`"),
            "{warnings:?}"
        );
        // Anything but a string or null is still refused, and so is another
        // Python object.
        let e = load(&text.replace("stream: ~", "stream: 42")).unwrap_err();
        assert!(e.to_string().contains("found an integer"), "{e}");
        // logfig's own spelling stays strict.
        let e = load("version: 1\nhandlers:\n  c: { type: console, stream: sys.stdout }\nroot: { handlers: [c] }\n")
            .unwrap_err();
        assert!(e.to_string().contains("handlers.c.stream"), "{e}");
    }

    #[test]
    fn delay_creates_the_file_at_the_first_record() {
        let dir = tempfile::tempdir().unwrap();
        let (used, unused) = (dir.path().join("used.log"), dir.path().join("unused.log"));
        let text = format!(
            "version: 1\nhandlers:\n  u: {{ class: logging.FileHandler, filename: '{}', delay: true }}\n  n: {{ class: logging.handlers.RotatingFileHandler, filename: '{}', delay: 'yes', maxBytes: 100, backupCount: 1 }}\nloggers:\n  quiet: {{ handlers: [n], level: CRITICAL }}\nroot: {{ level: INFO, handlers: [u] }}\n",
            used.display(),
            unused.display()
        );
        let d = crate::runtime::Dispatcher::new(&load(&text).unwrap()).unwrap();
        assert!(!used.exists() && !unused.exists());
        let record = log::Record::builder()
            .args(format_args!("hello"))
            .level(log::Level::Info)
            .target("app")
            .build();
        d.log_entry(&crate::entry::Entry::new(&record));
        d.shutdown();
        assert_eq!(std::fs::read_to_string(&used).unwrap(), "hello\n");
        assert!(!unused.exists());
    }

    #[test]
    fn rotating_archives_are_numbered_as_python_numbers_them() {
        use crate::entry::Entry;
        use crate::formatters::PatternFormatter;
        use crate::handlers::{Handler, RotatingFileHandler};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        let text = format!(
            "version: 1\nhandlers:\n  r: {{ class: logging.handlers.RotatingFileHandler, filename: '{}', maxBytes: 3, backupCount: 2 }}\nroot: {{ handlers: [r] }}\n",
            path.display()
        );
        let c = load(&text).unwrap();
        let HandlerConfig::RotatingFile(r) = &c.handlers["r"] else {
            panic!()
        };
        assert_eq!(r.numbering, crate::config::Numbering::Shift);
        let h = RotatingFileHandler::open(r).unwrap();
        let f = PatternFormatter::message_only();
        for m in ["a", "b", "c", "d"] {
            let args = format_args!("{m}");
            let record = log::Record::builder().args(args).build();
            h.emit(&Entry::new(&record), &f).unwrap();
        }
        h.close().unwrap();
        let read = |n: &str| std::fs::read_to_string(dir.path().join(n)).unwrap();
        assert_eq!(
            (read("app.log"), read("app.log.1"), read("app.log.2")),
            ("d\n".into(), "c\n".into(), "b\n".into())
        );
        assert!(!dir.path().join("app.log.3").exists());
        // logfig's own spelling: shift needs numbered plain archives.
        let bad = "version: 1\nhandlers:\n  r: { type: rotating_file, path: a.log, max_bytes: 10, numbering: shift, compress: gzip, backups: 2 }\n";
        assert!(
            load(bad)
                .unwrap_err()
                .to_string()
                .contains("numbering: shift")
        );
    }
}
