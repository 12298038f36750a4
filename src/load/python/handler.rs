//! Handler classes (`class: logging.handlers.RotatingFileHandler`) with
//! Python's argument names → logfig's handler kinds and keys.

use super::{COMMON, Translator, backticked, int_of, renamed, string_of};
use crate::config::HandlerConfig;
use crate::config::fields;
use crate::error::hint;
use crate::error::join;
use crate::load::node::{Key, Node, Value, index_of};

/// The handler classes understood here, for hints.
const CLASSES: &[&str] = &[
    "logging.StreamHandler",
    "logging.FileHandler",
    "logging.NullHandler",
    "logging.handlers.RotatingFileHandler",
    "logging.handlers.TimedRotatingFileHandler",
    "logging.handlers.WatchedFileHandler",
    "logging.handlers.MemoryHandler",
    "logging.handlers.QueueHandler",
    "logging.handlers.SocketHandler",
    "logging.handlers.DatagramHandler",
    "logging.handlers.SysLogHandler",
    "logging.handlers.SMTPHandler",
    "logging.handlers.HTTPHandler",
    JOURNAL,
];

/// python-systemd's handler, named by its whole path.
pub(super) const JOURNAL: &str = "systemd.journal.JournalHandler";

/// Python's handler classes (by their name in `logging` or
/// `logging.handlers`): the logfig kind each becomes, and the constructor's
/// parameters in order. A dictConfig handler takes them as keys; a
/// fileConfig handler's `args` names them by position.
const KINDS: &[(&str, &str, &[&str])] = &[
    ("StreamHandler", "console", &["stream"]),
    (
        "FileHandler",
        "file",
        &["filename", "mode", "encoding", "delay", "errors"],
    ),
    ("NullHandler", "null", &[]),
    (
        "RotatingFileHandler",
        "rotating_file",
        &[
            "filename",
            "mode",
            "maxBytes",
            "backupCount",
            "encoding",
            "delay",
            "errors",
        ],
    ),
    (
        "TimedRotatingFileHandler",
        "rotating_file",
        &[
            "filename",
            "when",
            "interval",
            "backupCount",
            "encoding",
            "delay",
            "utc",
            "atTime",
            "errors",
        ],
    ),
    (
        "WatchedFileHandler",
        "watched_file",
        &["filename", "mode", "encoding", "delay", "errors"],
    ),
    (
        "MemoryHandler",
        "memory",
        &["capacity", "flushLevel", "target", "flushOnClose"],
    ),
    // `queue` is the constructor's; the others are 3.12 dictConfig's keys.
    (
        "QueueHandler",
        "queue",
        &["queue", "handlers", "listener", "respect_handler_level"],
    ),
    ("SocketHandler", "tcp", &["host", "port"]),
    ("DatagramHandler", "udp", &["host", "port"]),
    (
        "SysLogHandler",
        "syslog",
        &["address", "facility", "socktype"],
    ),
    (
        "SMTPHandler",
        "smtp",
        &[
            "mailhost",
            "fromaddr",
            "toaddrs",
            "subject",
            "credentials",
            "secure",
            "timeout",
        ],
    ),
    (
        "HTTPHandler",
        "http",
        &["host", "url", "method", "secure", "credentials", "context"],
    ),
    // python-systemd's handler; its other keyword arguments are extra
    // journal fields, which logfig does not add.
    (
        JOURNAL,
        "journald",
        &["SYSLOG_IDENTIFIER", "sender_function"],
    ),
];

/// The logfig kind and the parameters of the handler class `short`
/// (`RotatingFileHandler`).
pub(super) fn class_of(short: &str) -> Option<(&'static str, &'static [&'static str])> {
    KINDS
        .iter()
        .find(|(name, _, _)| *name == short)
        .map(|&(_, kind, params)| (kind, params))
}

/// How a handler translates: its logfig `type`, and the keys it takes.
struct Class {
    /// The class as written (for messages).
    name: String,
    /// Python's argument names this class accepts, besides [`COMMON`].
    args: &'static [&'static str],
}

impl Translator<'_, '_> {
    pub(super) fn handler(&mut self, node: &mut Node, path: &str) -> bool {
        let Value::Map(entries) = &mut node.value else {
            return true;
        };
        if !self.no_attributes(entries, path, "handler") {
            return false;
        }
        if entries.iter().any(|(k, _)| k.name == "type") {
            return true;
        }
        if let Some(i) = index_of(entries, "()") {
            // `(): logging.StreamHandler` calls the class with the other
            // keys, as `class:` does.
            let callable = string_of(&entries[i].1);
            let bare = callable.strip_prefix("ext://").unwrap_or(&callable);
            if self.python && CLASSES.contains(&bare) {
                entries[i].0.name = "class".into();
            } else {
                return self.factory(entries, i, path);
            }
        }
        if self.python {
            // `formatter: ''` is no formatter (719-725); a level may be
            // written `ext://logging.DEBUG`.
            entries.retain(|(k, v)| !(k.name == "formatter" && string_of(v).is_empty()));
            super::lenient::ext_level(entries);
        }
        let Some(i) = index_of(entries, "class") else {
            return true;
        };
        let (_, class_node) = entries.remove(i);
        let class = string_of(&class_node);
        let at = (class_node.line, class_node.column);
        let class_path = join(path, "class");
        let short = class
            .strip_prefix("ext://")
            .unwrap_or(&class)
            .strip_prefix("logging.")
            .unwrap_or(&class);
        let short = short.strip_prefix("handlers.").unwrap_or(short).to_owned();
        let short = short.as_str();
        let (kind, args) = match class_of(short) {
            Some(found) => found,
            None => {
                // Only a difference of case earns a hint: class names are
                // long and alike, so a near match is often the wrong one.
                let h = CLASSES
                    .iter()
                    .find(|c| c.eq_ignore_ascii_case(&class))
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                let message = if class.is_empty() {
                    format!("expected a handler class name, found {}", class_node.kind())
                } else if h.is_empty() {
                    format!(
                        "handler class `{class}` has no logfig counterpart; logfig understands the classes of Python's `logging` and `logging.handlers` ({}), python-systemd's `systemd.journal.JournalHandler`, `(): <factory>` for a handler registered in code, or write `type:` with one of {}",
                        CLASSES
                            .iter()
                            .filter(|c| c.starts_with("logging."))
                            .map(|c| c.rsplit('.').next().unwrap_or(c))
                            .collect::<Vec<_>>()
                            .join(", "),
                        backticked(HandlerConfig::TYPES)
                    )
                } else {
                    format!("unknown handler class `{class}`{h}")
                };
                self.error(&class_path, at.0, at.1, message);
                return false;
            }
        };
        if !HandlerConfig::TYPES.contains(&kind) {
            self.error(
                &class_path,
                at.0,
                at.1,
                format!(
                    "`{class}` maps to logfig's `{kind}` handler, which is not available in this version of logfig yet"
                ),
            );
            return false;
        }
        let class = Class { name: class, args };
        // Python's arguments this class does not take.
        let mut ok = true;
        for (k, _) in entries.iter() {
            if !COMMON.contains(&k.name.as_str()) && !class.args.contains(&k.name.as_str()) {
                let h = hint(&k.name, class.args.iter().chain(COMMON).copied());
                let expected = if h.is_empty() {
                    format!(
                        "; expected one of {}",
                        backticked(&[class.args, COMMON].concat())
                    )
                } else {
                    h
                };
                let (l, c) = (k.line, k.column);
                self.error(
                    &join(path, &k.name),
                    l,
                    c,
                    format!(
                        "unknown argument `{}` of `{}`{expected}",
                        k.name, class.name
                    ),
                );
                ok = false;
            }
        }
        // Translate even so: its own problems are reported in the same pass.
        let mut h = Handler {
            t: self,
            entries: std::mem::take(entries),
            out: Vec::new(),
            path,
            at,
            class: &class.name,
        };
        h.set("type", Value::Str(kind.to_owned()));
        let translated = match short {
            "StreamHandler" => h.stream(),
            "FileHandler" => h.file(),
            "NullHandler" => true,
            "RotatingFileHandler" => h.rotating(),
            "TimedRotatingFileHandler" => h.timed(),
            "WatchedFileHandler" => h.watched(),
            "MemoryHandler" => h.memory(),
            "QueueHandler" => h.queue(),
            JOURNAL => h.journal(),
            _ => h.network(short),
        };
        // The keys not consumed (level, formatter, filters) stay as they are.
        let mut out = std::mem::take(&mut h.out);
        out.append(&mut h.entries);
        *entries = out;
        ok && translated
    }

    /// `(): name`: a handler registered in code under `name`, the other keys
    /// (except level, formatter and filters) its options.
    fn factory(&mut self, entries: &mut Vec<(Key, Node)>, i: usize, path: &str) -> bool {
        let (key, node) = entries.remove(i);
        let name = string_of(&node);
        let p = join(path, "()");
        if name.is_empty() || name.starts_with("ext://") || name.contains('.') {
            self.error(
                &p,
                key.line,
                key.column,
                format!(
                    "`(): {name}` names a Python callable, which logfig cannot call; register a handler factory in code (`Builder::handler_factory(\"name\", ...)`) and write `(): name` (the other keys become its options), or write `type:` with one of {}",
                    backticked(HandlerConfig::TYPES)
                ),
            );
            return false;
        }
        let (common, options): (Vec<_>, Vec<_>) = std::mem::take(entries)
            .into_iter()
            .partition(|(k, _)| COMMON.contains(&k.name.as_str()));
        let mut out = vec![
            (
                renamed(&key, "type"),
                Node::new(Value::Str("custom".into()), node.line, node.column),
            ),
            (renamed(&key, "factory"), node),
        ];
        if !options.is_empty() {
            let (line, column) = (options[0].0.line, options[0].0.column);
            out.push((
                Key {
                    name: "options".into(),
                    line,
                    column,
                },
                Node::new(Value::Map(options), line, column),
            ));
        }
        out.extend(common);
        *entries = out;
        true
    }
}

/// One handler being rewritten: keys are taken from `entries` and written,
/// renamed, to `out`.
struct Handler<'t, 'a, 'e, 'p> {
    t: &'t mut Translator<'a, 'e>,
    entries: Vec<(Key, Node)>,
    out: Vec<(Key, Node)>,
    path: &'p str,
    /// Position of the class name: where new keys point.
    at: (u32, u32),
    class: &'p str,
}

impl Handler<'_, '_, '_, '_> {
    fn take(&mut self, name: &str) -> Option<(Key, Node)> {
        let i = index_of(&self.entries, name)?;
        Some(self.entries.remove(i))
    }

    /// Adds a new key at the class's position.
    fn set(&mut self, name: &str, value: Value) {
        let (line, column) = self.at;
        self.out.push((
            Key {
                name: name.into(),
                line,
                column,
            },
            Node::new(value, line, column),
        ));
    }

    /// Moves `from` to `to`, keeping positions.
    fn rename(&mut self, from: &str, to: &str) -> bool {
        match self.take(from) {
            Some((k, v)) => {
                self.out.push((renamed(&k, to), v));
                true
            }
            None => false,
        }
    }

    fn error(&mut self, key: &str, node: &Node, message: impl Into<String>) {
        let p = join(self.path, key);
        self.t.error(&p, node.line, node.column, message);
    }

    fn missing(&mut self, key: &str, what: &str) {
        let (line, column) = self.at;
        let message = format!("`{}` needs `{key}`: {what}", self.class);
        self.t.error(self.path, line, column, message);
    }

    /// `filename`, required.
    fn filename(&mut self) -> bool {
        if self.rename("filename", "path") {
            true
        } else {
            self.missing("filename", "the log file's path");
            false
        }
    }

    /// `encoding` (UTF-8 only), `delay` and `errors`: accepted, and dropped.
    fn file_extras(&mut self) -> bool {
        let mut ok = true;
        if let Some((_, n)) = self.take("encoding") {
            let e = string_of(&n).to_ascii_lowercase().replace('_', "-");
            if !(n.value == Value::Null || e == "utf-8" || e == "utf8") {
                let shown = string_of(&n);
                self.error(
                    "encoding",
                    &n,
                    format!("logfig writes UTF-8 only, not `{shown}`; write `encoding: utf-8` or leave it out"),
                );
                ok = false;
            }
        }
        // `delay`: the file appears at the first record, as in CPython.
        let delay = self.take("delay").filter(|(_, n)| n.value != Value::Null);
        if let Some((k, mut n)) = delay {
            n.value = Value::Bool(super::lenient::truthy(&n, self.t.source).unwrap_or(false));
            self.out.push((renamed(&k, fields::DELAY.name), n));
        }
        let _ = self.take("errors");
        ok
    }

    /// `mode: a|w` → `append|truncate`.
    fn mode(&mut self, allow_truncate: bool) -> bool {
        let Some((k, n)) = self.take("mode") else {
            return true;
        };
        let m = string_of(&n);
        if m == "a" && !allow_truncate {
            // The only mode there is: nothing to write.
            return true;
        }
        let ours = match m.as_str() {
            "a" => "append",
            "w" if allow_truncate => "truncate",
            _ => {
                let also = if allow_truncate { " or `w`" } else { "" };
                self.error(
                    "mode",
                    &n,
                    format!("mode `{m}` is not supported here; write `a`{also}"),
                );
                return false;
            }
        };
        self.out.push((
            renamed(&k, fields::FILE_MODE.name),
            Node::new(Value::Str(ours.into()), n.line, n.column),
        ));
        true
    }

    fn stream(&mut self) -> bool {
        // Python never colours; logfig colours on a terminal unless told not to.
        self.set(fields::COLOR.name, Value::Str("never".into()));
        let Some((k, n)) = self.take("stream") else {
            return true;
        };
        let ours = match &n.value {
            // `StreamHandler(None)` writes to sys.stderr.
            Value::Null => "stderr",
            Value::Str(s) => match s.as_str() {
                "ext://sys.stdout" | "ext://sys.__stdout__" => "stdout",
                "ext://sys.stderr" | "ext://sys.__stderr__" => "stderr",
                other if other.starts_with("ext://") => {
                    self.error(
                        "stream",
                        &n,
                        format!(
                            "`{other}` names a Python object; logfig's console handler writes to `ext://sys.stdout` or `ext://sys.stderr` only (for a file, use `logging.FileHandler` with `filename:`)"
                        ),
                    );
                    return false;
                }
                other => {
                    self.string_stream(other, &n);
                    // Never written to: the stream is marked after decoding.
                    "stderr"
                }
            },
            _ => {
                let found = n.kind();
                self.error(
                    "stream",
                    &n,
                    format!("expected `ext://sys.stdout` or `ext://sys.stderr`, found {found}"),
                );
                return false;
            }
        };
        self.out.push((
            renamed(&k, fields::STREAM.name),
            Node::new(Value::Str(ours.into()), n.line, n.column),
        ));
        true
    }

    /// `stream: sys.stdout`, a plain string (gunicorn 19's defaults):
    /// dictConfig hands StreamHandler the `str` itself, and every record
    /// then fails in `stream.write` (D15). The handler is built and fails the
    /// same way (`Stream::PythonString`), with a warning saying what was meant.
    fn string_stream(&mut self, text: &str, n: &Node) {
        let meant = if text.contains("stdout") {
            "`ext://sys.stdout`".to_owned()
        } else if text.contains("stderr") {
            "`ext://sys.stderr`".to_owned()
        } else {
            "`ext://sys.stdout` or `ext://sys.stderr`".to_owned()
        };
        let p = join(self.path, "stream");
        self.t.warn(
            &p,
            n.line,
            n.column,
            format!(
                "`{text}` is a plain string, not a stream: CPython's StreamHandler fails every record with `AttributeError: 'str' object has no attribute 'write'`, and so does logfig here (a `--- Logging error ---` report on stderr for each record, which is dropped); write {meant}"
            ),
        );
        self.t.string_streams.push(self.path.to_owned());
    }

    fn file(&mut self) -> bool {
        let a = self.filename();
        let b = self.mode(true);
        let c = self.file_extras();
        a && b && c
    }

    /// python-systemd's `JournalHandler`: `SYSLOG_IDENTIFIER` names the
    /// program; a `sender_function` is Python code, which logfig cannot call.
    fn journal(&mut self) -> bool {
        self.rename("SYSLOG_IDENTIFIER", fields::SYSLOG_IDENTIFIER.name);
        match self.take("sender_function") {
            Some((_, n)) => {
                self.error(
                    "sender_function",
                    &n,
                    "`sender_function` is a Python callable, which logfig cannot call; logfig's `journald` handler sends to the journal itself",
                );
                false
            }
            None => true,
        }
    }

    fn watched(&mut self) -> bool {
        let a = self.filename();
        let b = self.mode(false);
        let c = self.file_extras();
        a && b && c
    }

    fn rotating(&mut self) -> bool {
        let max_bytes = self.take("maxBytes");
        let backups = self.take("backupCount");
        let max = max_bytes.as_ref().map_or(Some(0), |(_, n)| int_of(n));
        let count = backups.as_ref().map_or(Some(0), |(_, n)| int_of(n));
        let mut ok = true;
        for (name, taken, value) in [
            ("maxBytes", &max_bytes, max),
            ("backupCount", &backups, count),
        ] {
            if let Some((_, n)) = taken.as_ref().filter(|_| value.is_none_or(|v| v < 0)) {
                self.error(
                    name,
                    n,
                    format!("expected a whole number of at least 0, found {}", n.kind()),
                );
                ok = false;
            }
        }
        let (Some(max), Some(count)) = (max, count) else {
            return false;
        };
        if !ok {
            return false;
        }
        if max == 0 || count == 0 {
            // Python: "if either of maxBytes or backupCount is zero, rollover
            // never occurs"; that is a plain file, `mode` included.
            if let Some((_, n)) = self.out.iter_mut().find(|(k, _)| k.name == "type") {
                n.value = Value::Str("file".into());
            }
            let a = self.filename();
            let b = self.mode(true);
            let c = self.file_extras();
            return a && b && c;
        }
        let a = self.filename();
        // With a size limit Python always appends, whatever `mode` says.
        let _ = self.take("mode");
        let c = self.file_extras();
        // Python rolls over when the file would reach `maxBytes`
        // (`tell() + len(msg) >= maxBytes`); logfig when it would exceed
        // `max_bytes`: one byte less is the same rule.
        if let Some((mk, mn)) = max_bytes {
            self.out.push((
                renamed(&mk, fields::MAX_BYTES.name),
                Node::new(Value::Int((max - 1).max(1)), mn.line, mn.column),
            ));
        }
        if let Some((bk, bn)) = backups {
            self.out.push((renamed(&bk, fields::BACKUPS.name), bn));
        }
        // Python's archive names: `app.log.1` is the newest.
        self.set(fields::NUMBERING.name, Value::Str("shift".into()));
        a && c
    }

    fn timed(&mut self) -> bool {
        let file = self.entries.iter().find(|(k, _)| k.name == "filename");
        let base = file.map(|(_, n)| string_of(n)).unwrap_or_default();
        let a = self.filename();
        let c = self.file_extras();
        let when = match self.take("when") {
            Some((k, n)) => {
                let w = string_of(&n).to_ascii_lowercase();
                self.out.push((renamed(&k, fields::WHEN.name), n));
                w
            }
            None => {
                self.set(fields::WHEN.name, Value::Str("h".into()));
                "h".into()
            }
        };
        self.rename("interval", fields::INTERVAL.name);
        self.rename("utc", fields::UTC.name);
        self.rename("atTime", fields::AT_TIME.name);
        if let Some((k, mut n)) = self.take("backupCount") {
            // CPython keeps a string as it is and compares it only at a
            // rollover (where it fails): read its number, and say so.
            let read = match &n.value {
                Value::Str(s) if self.t.python => s.trim().parse::<u32>().ok().map(|c| (s, c)),
                _ => None,
            };
            if let Some((s, count)) = read {
                let message = format!(
                    "`backupCount` is the string `{s}`: logfig reads it as {count}; CPython keeps the string, and fails at its first rollover"
                );
                self.t
                    .warn(&join(self.path, "backupCount"), n.line, n.column, message);
                n.value = Value::Int(count.into());
            }
            // Python: 0 keeps every archive.
            if int_of(&n) != Some(0) {
                self.out.push((renamed(&k, fields::BACKUPS.name), n));
            }
        }
        // Python's archive names: `<file>.<suffix>` by the unit of `when`.
        let suffix = match when.as_str() {
            "s" => Some("%Y-%m-%d_%H-%M-%S"),
            "m" => Some("%Y-%m-%d_%H-%M"),
            "h" => Some("%Y-%m-%d_%H"),
            "d" | "midnight" => Some("%Y-%m-%d"),
            w if w.starts_with('w') => Some("%Y-%m-%d"),
            _ => None,
        };
        let name = std::path::Path::new(&base)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("");
        if let Some(suffix) = suffix.filter(|_| !name.is_empty() && !name.contains('%')) {
            self.set(fields::ARCHIVE.name, Value::Str(format!("{name}.{suffix}")));
        }
        a && c
    }

    fn memory(&mut self) -> bool {
        if !self.rename("capacity", fields::CAPACITY.name) {
            self.missing("capacity", "how many records the buffer holds");
            return false;
        }
        self.rename("flushLevel", "flush_level");
        if !self.rename("target", "target") {
            self.missing(
                "target",
                "the handler that receives the buffered records (logfig drops nothing silently)",
            );
            return false;
        }
        let no_flush = self
            .take("flushOnClose")
            .filter(|(_, n)| n.value == Value::Bool(false));
        if let Some((_, n)) = no_flush {
            self.error(
                "flushOnClose",
                &n,
                "logfig always passes buffered records on when the handler closes; remove `flushOnClose: false`",
            );
            return false;
        }
        true
    }

    fn queue(&mut self) -> bool {
        if let Some((k, n)) = self.take("queue") {
            // `queue.Queue` (by name, or `(): queue.Queue` with `maxsize`).
            let capacity = match &n.value {
                Value::Str(s) if is_queue_class(s) => Some(None),
                Value::Map(entries) => {
                    let class = entries
                        .iter()
                        .find(|(k, _)| k.name == "()")
                        .map(|(_, v)| string_of(v));
                    let maxsize = entries
                        .iter()
                        .find(|(k, _)| k.name == "maxsize")
                        .map(|(_, v)| v.clone());
                    let others = entries
                        .iter()
                        .any(|(k, _)| k.name != "()" && k.name != "maxsize");
                    match class {
                        Some(c) if is_queue_class(&c) && !others => Some(maxsize),
                        _ => None,
                    }
                }
                _ => None,
            };
            match capacity {
                Some(Some(size)) => {
                    // maxsize 0 (or less) is unbounded in Python: keep
                    // logfig's bounded default.
                    if int_of(&size).is_some_and(|v| v > 0) {
                        self.out.push((renamed(&k, fields::CAPACITY.name), size));
                    }
                }
                Some(None) => {}
                None => {
                    self.error(
                        "queue",
                        &n,
                        "logfig's queue is its own bounded queue; write `queue: queue.Queue` (or `(): queue.Queue` with `maxsize:`), or leave `queue` out",
                    );
                    return false;
                }
            }
        }
        if let Some((_, n)) = self.take("listener") {
            let l = string_of(&n);
            let bare = l.strip_prefix("ext://").unwrap_or(&l);
            if bare != "logging.handlers.QueueListener" {
                self.error(
                    "listener",
                    &n,
                    format!("`{l}` names a Python listener class, which logfig cannot call; logfig's queue has its own worker thread: leave `listener` out"),
                );
                return false;
            }
        }
        // logfig always applies the target handlers' levels, as Python's
        // `respect_handler_level: true`.
        let _ = self.take("respect_handler_level");
        self.rename("handlers", "handlers");
        true
    }

    /// The network handlers, translated to the kinds of issue 7.
    fn network(&mut self, short: &str) -> bool {
        match short {
            "SocketHandler" | "DatagramHandler" => {
                self.rename("host", "host");
                self.rename("port", "port");
            }
            "SysLogHandler" => {
                if !self.entries.iter().any(|(k, _)| k.name == "address") {
                    // Python's default address: ('localhost', 514) over UDP.
                    self.set(fields::TRANSPORT.name, Value::Str("udp".into()));
                    self.set("host", Value::Str("localhost".into()));
                    self.set("port", Value::Int(514));
                }
                if let Some((k, n)) = self.take("address") {
                    match n.value {
                        Value::Seq(items) if items.len() == 2 => {
                            let mut items = items.into_iter();
                            if let (Some(host), Some(port)) = (items.next(), items.next()) {
                                if !self.entries.iter().any(|(k, _)| k.name == "socktype") {
                                    self.set(fields::TRANSPORT.name, Value::Str("udp".into()));
                                }
                                self.out.push((renamed(&k, "host"), host));
                                self.out.push((renamed(&k, "port"), port));
                            }
                        }
                        Value::Str(_) => {
                            self.set(fields::TRANSPORT.name, Value::Str("unix".into()));
                            self.out.push((renamed(&k, "path"), n));
                        }
                        _ => {
                            self.error(
                                "address",
                                &n,
                                "expected `[host, port]` or the path of a unix socket such as `/dev/log`",
                            );
                            return false;
                        }
                    }
                }
                if let Some((_, n)) = self.take("socktype") {
                    match string_of(&n).as_str() {
                        "ext://socket.SOCK_STREAM" => {
                            self.set(fields::TRANSPORT.name, Value::Str("tcp".into()))
                        }
                        "ext://socket.SOCK_DGRAM" => {}
                        other => {
                            self.error(
                                "socktype",
                                &n,
                                format!("expected `ext://socket.SOCK_DGRAM` or `ext://socket.SOCK_STREAM`, found `{other}`"),
                            );
                            return false;
                        }
                    }
                }
                self.rename("facility", fields::FACILITY.name);
            }
            "SMTPHandler" => {
                if let Some((k, n)) = self.take("mailhost") {
                    match n.value {
                        Value::Seq(items) if items.len() == 2 => {
                            let mut items = items.into_iter();
                            if let (Some(host), Some(port)) = (items.next(), items.next()) {
                                self.out.push((renamed(&k, "host"), host));
                                self.out.push((renamed(&k, "port"), port));
                            }
                        }
                        // `host:port` in one string, which smtplib splits
                        // at its one colon (an IPv6 address has more).
                        Value::Str(ref text) if text.matches(':').count() == 1 => {
                            let (host, port) = text.split_once(':').unwrap_or_default();
                            let port = match port.trim().parse::<i128>() {
                                Ok(p) => Value::Int(p),
                                Err(_) => Value::Str(port.to_owned()),
                            };
                            let host = Value::Str(host.to_owned());
                            let node = |value| Node { value, ..n.clone() };
                            self.out.push((renamed(&k, "host"), node(host)));
                            self.out.push((renamed(&k, "port"), node(port)));
                        }
                        _ => self.out.push((renamed(&k, "host"), n)),
                    }
                }
                self.rename("fromaddr", "from");
                self.rename("toaddrs", "to");
                self.rename("subject", "subject");
                self.rename("credentials", "credentials");
                // Python's `secure` (any value, even `()`) means STARTTLS.
                if let Some((k, mut n)) = self.take("secure") {
                    n.value = Value::Str("always".into());
                    self.out.push((renamed(&k, fields::STARTTLS.name), n));
                }
                // Python's timeout is in seconds, a number.
                if let Some((k, mut n)) = self.take("timeout") {
                    let secs = match n.value {
                        Value::Int(i) => Some(i as f64),
                        Value::Float(f) => Some(f),
                        _ => None,
                    };
                    if let Some(secs) = secs.filter(|s| s.is_finite() && *s >= 0.0) {
                        n.value = Value::Str(format!("{}ms", (secs * 1000.0).round() as u64));
                    }
                    self.out.push((renamed(&k, fields::TIMEOUT.name), n));
                }
            }
            _ => {
                // HTTPHandler: `host` + `url` make the URL.
                let host = self.take("host").map(|(_, n)| string_of(&n));
                let secure = self
                    .take("secure")
                    .is_some_and(|(_, n)| n.value == Value::Bool(true));
                if let Some((k, mut n)) = self.take("url") {
                    if let Some(host) = host {
                        let scheme = if secure { "https" } else { "http" };
                        n.value = Value::Str(format!("{scheme}://{host}{}", string_of(&n)));
                    }
                    self.out.push((renamed(&k, "url"), n));
                }
                // logfig's `http` POSTs batches of records as JSON; Python's
                // default GET (the record as query parameters) has no
                // counterpart, so only an explicit or implied POST is taken.
                if let Some((_, n)) = self.take("method") {
                    let method = string_of(&n);
                    if !method.eq_ignore_ascii_case("POST") {
                        self.error(
                            "method",
                            &n,
                            format!("logfig's `http` handler sends records with POST, as JSON; `method: {method}` has no counterpart (write `method: POST`, or drop the key)"),
                        );
                        return false;
                    }
                }
                self.rename("credentials", "credentials");
                let _ = self.take("context");
            }
        }
        true
    }
}

fn is_queue_class(s: &str) -> bool {
    let bare = s.strip_prefix("ext://").unwrap_or(s);
    bare == "queue.Queue" || bare == "queue.SimpleQueue"
}
