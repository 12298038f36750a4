//! A record's attributes as Python's `LogRecord` names them (`levelname`,
//! `asctime`, `kv`, ...), their values, and how a value is written as text.

use std::fmt::{self, Write as _};

use super::number::{push_decimal, push_int, write_repr_float};
use crate::config::Escape;
use crate::entry::Entry;
use crate::formatters::escape;
use crate::formatters::time::{self, TimeFormat};

/// A record attribute, by its Python name (plus Rust's `target`,
/// `module_path`, `kv`, `spans`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attr {
    Asctime,
    Created,
    RelativeCreated,
    Msecs,
    Usecs,
    Levelname,
    Levelno,
    Name,
    Message,
    Module,
    Filename,
    Pathname,
    Lineno,
    FuncName,
    Process,
    ProcessName,
    Thread,
    ThreadName,
    TaskName,
    Target,
    ModulePath,
    Kv,
    Spans,
}

/// The static type of an attribute, used to check specs at compile time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Text,
    Int,
    Float,
}

impl Attr {
    /// Every attribute with its placeholder name.
    pub(crate) const ALL: &'static [(&'static str, Attr)] = &[
        ("asctime", Attr::Asctime),
        ("created", Attr::Created),
        ("relativeCreated", Attr::RelativeCreated),
        ("msecs", Attr::Msecs),
        ("usecs", Attr::Usecs),
        ("levelname", Attr::Levelname),
        ("levelno", Attr::Levelno),
        ("name", Attr::Name),
        ("message", Attr::Message),
        ("module", Attr::Module),
        ("filename", Attr::Filename),
        ("pathname", Attr::Pathname),
        ("lineno", Attr::Lineno),
        ("funcName", Attr::FuncName),
        ("process", Attr::Process),
        ("processName", Attr::ProcessName),
        ("thread", Attr::Thread),
        ("threadName", Attr::ThreadName),
        ("taskName", Attr::TaskName),
        ("target", Attr::Target),
        ("module_path", Attr::ModulePath),
        ("kv", Attr::Kv),
        ("spans", Attr::Spans),
    ];

    /// The attribute with this placeholder name (case-sensitive, as Python).
    pub(crate) fn from_name(name: &str) -> Option<Attr> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|&(_, a)| a)
    }

    /// The placeholder names, for did-you-mean hints.
    pub(crate) fn names() -> impl Iterator<Item = &'static str> {
        Self::ALL.iter().map(|&(n, _)| n)
    }

    pub(super) fn kind(self) -> Kind {
        match self {
            Attr::Created | Attr::RelativeCreated | Attr::Msecs => Kind::Float,
            Attr::Levelno | Attr::Lineno | Attr::Process | Attr::Thread | Attr::Usecs => Kind::Int,
            _ => Kind::Text,
        }
    }
}

/// Python's level name: `WARNING`, not `WARN`.
pub(crate) fn level_name(level: log::Level) -> &'static str {
    match level {
        log::Level::Error => "ERROR",
        log::Level::Warn => "WARNING",
        log::Level::Info => "INFO",
        log::Level::Debug => "DEBUG",
        log::Level::Trace => "TRACE",
    }
}

/// Python's level number (`TRACE` is 5, as most Python code registers it).
pub(crate) fn level_no(level: log::Level) -> i64 {
    match level {
        log::Level::Error => 40,
        log::Level::Warn => 30,
        log::Level::Info => 20,
        log::Level::Debug => 10,
        log::Level::Trace => 5,
    }
}

/// `os.path.basename` (POSIX: only `/` separates).
pub(crate) fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `os.path.splitext(basename)[0]`: leading dots do not start an extension.
pub(crate) fn module_of(path: &str) -> &str {
    let base = basename(path);
    let first = base.bytes().position(|b| b != b'.').unwrap_or(base.len());
    match base.rfind('.') {
        Some(dot) if dot > first => &base[..dot],
        _ => base,
    }
}

/// A value on its way to the output.
#[derive(Debug)]
pub(crate) enum Val<'a> {
    Str(&'a str),
    Args(&'a fmt::Arguments<'a>),
    /// A key-value of the record that is not a number or bool.
    Value(log::kv::Value<'a>),
    Asctime,
    /// All key-values, logfmt style.
    KvAll,
    /// The `tracing` span scope, `outer{a=1}:inner{b=2}`.
    Spans,
    /// An unnamed thread: `Thread-<id>`.
    ThreadNo(u64),
    Int(i128),
    Float(f64),
    Bool(bool),
    /// Python's `None`.
    None,
}

impl<'a> Val<'a> {
    /// A record key-value, typed as the JSON formatter and `%d` want it.
    pub(crate) fn from_kv(v: log::kv::Value<'a>) -> Val<'a> {
        if let Some(b) = v.to_bool() {
            Val::Bool(b)
        } else if let Some(i) = v.to_i64() {
            Val::Int(i128::from(i))
        } else if let Some(u) = v.to_u64() {
            Val::Int(i128::from(u))
        } else if let Some(f) = v.to_f64() {
            Val::Float(f)
        } else {
            Val::Value(v)
        }
    }
}

/// The value of `attr` for `entry`.
///
/// Without a source file the record looks like Python's
/// `LogRecord(pathname=None, lineno=0, func=None)`: `pathname` and `filename`
/// are `None`, `module` is `Unknown module`, `lineno` is 0. `funcName` is
/// always `None` (Rust records carry no function name) and `taskName` is
/// `None` (Python 3.12 outside asyncio).
pub(crate) fn attr_value<'e>(attr: Attr, entry: &'e Entry<'_>) -> Val<'e> {
    let record = entry.record();
    match attr {
        Attr::Asctime => Val::Asctime,
        Attr::Created => {
            let (secs, nanos) = entry.unix_time();
            Val::Float(time::created_at(secs, nanos))
        }
        Attr::RelativeCreated => Val::Float(entry.relative_created().as_secs_f64() * 1000.0),
        Attr::Msecs => {
            let (secs, nanos) = entry.unix_time();
            Val::Float(time::msecs(time::created_at(secs, nanos)))
        }
        // logfig's own: the microseconds of the second, for `%(usecs)06d`
        // (Python's `msecs` stops at milliseconds).
        Attr::Usecs => Val::Int(i128::from(entry.unix_time().1 / 1000)),
        Attr::Levelname => Val::Str(level_name(record.level())),
        Attr::Levelno => Val::Int(i128::from(level_no(record.level()))),
        Attr::Name | Attr::Target => Val::Str(record.target()),
        Attr::Message => Val::Args(record.args()),
        Attr::Module => Val::Str(record.file().map_or("Unknown module", module_of)),
        Attr::Filename => record.file().map_or(Val::None, |f| Val::Str(basename(f))),
        Attr::Pathname => record.file().map_or(Val::None, Val::Str),
        Attr::Lineno => Val::Int(i128::from(record.line().unwrap_or(0))),
        Attr::FuncName | Attr::TaskName => Val::None,
        Attr::Process => Val::Int(i128::from(entry.process_id())),
        Attr::ProcessName => Val::Str("MainProcess"),
        Attr::Thread => Val::Int(i128::from(entry.thread_id())),
        Attr::ThreadName => match entry.thread_name() {
            Some(n) => Val::Str(n),
            None => Val::ThreadNo(entry.thread_id()),
        },
        Attr::ModulePath => record.module_path().map_or(Val::None, Val::Str),
        Attr::Kv => Val::KvAll,
        Attr::Spans => Val::Spans,
    }
}

/// Appends UTF-8 text to a byte buffer through `fmt::Write`.
pub(crate) struct Sink<'a>(pub(crate) &'a mut Vec<u8>);

impl fmt::Write for Sink<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// Writes the text of a text-like value (`str()` in Python), escaping the
/// record-supplied text as `escape` says while it is written.
pub(crate) fn write_text(
    val: &Val<'_>,
    entry: &Entry<'_>,
    time: Option<&TimeFormat>,
    escape: Escape,
    out: &mut Vec<u8>,
) -> fmt::Result {
    match val {
        Val::Str(s) => escape::push_str(out, s, escape),
        Val::Args(a) => write_message(a, escape, out)?,
        Val::Value(v) => {
            let start = out.len();
            write!(Sink(out), "{v}")?;
            escape::escape_from(out, start, escape);
        }
        Val::Asctime => {
            if let Some(t) = time {
                t.write(entry.unix_time(), out);
            }
        }
        Val::KvAll => write_logfmt(entry.record().key_values(), escape, out)?,
        Val::Spans => write_spans(entry.spans(), escape, out)?,
        Val::ThreadNo(n) => {
            out.extend_from_slice(b"Thread-");
            push_decimal(out, u128::from(*n));
        }
        Val::Int(i) => push_int(out, *i),
        Val::Float(f) => write_repr_float(out, *f),
        Val::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Val::None => out.extend_from_slice(b"None"),
    }
    Ok(())
}

/// The message: a literal as it is, else formatted straight into `out`;
/// then escaped in place.
#[inline(always)]
pub(super) fn write_message(
    args: &fmt::Arguments<'_>,
    escape: Escape,
    out: &mut Vec<u8>,
) -> fmt::Result {
    let start = out.len();
    match args.as_str() {
        Some(s) => out.extend_from_slice(s.as_bytes()),
        None => Sink(out).write_fmt(*args)?,
    }
    escape::escape_from(out, start, escape);
    Ok(())
}

/// The span scope, root first, as `outer{a=1}:inner{b="x y"}` (as
/// tracing-subscriber's `fmt` writes it, with `%(kv)s`'s quoting); a span
/// without fields is its bare name. Empty for `log` records.
pub(super) fn write_spans(
    spans: &[crate::span::SpanRecord],
    escape: Escape,
    out: &mut Vec<u8>,
) -> fmt::Result {
    use log::kv::Source as _;
    for (i, span) in spans.iter().enumerate() {
        if i > 0 {
            out.push(b':');
        }
        escape::push_str(out, span.name(), escape);
        if span.count() > 0 {
            out.push(b'{');
            write_logfmt(span, escape, out)?;
            out.push(b'}');
        }
    }
    Ok(())
}

/// Key-values (a record's, a span's) as `k=v k2="v 2"`. A value with a space,
/// `=`, `"` or a control character (C0, DEL, C1) is quoted, its controls
/// written as `\n`, `\r`, `\t` or `\u00XX` whatever `escape` says (that is
/// logfmt's quoting); keys are escaped as `escape` says.
pub(super) fn write_logfmt(
    source: &dyn log::kv::Source,
    escape: Escape,
    out: &mut Vec<u8>,
) -> fmt::Result {
    struct V<'o> {
        out: &'o mut Vec<u8>,
        first: bool,
        escape: Escape,
    }
    impl<'kvs> log::kv::VisitSource<'kvs> for V<'_> {
        fn visit_pair(
            &mut self,
            key: log::kv::Key<'kvs>,
            value: log::kv::Value<'kvs>,
        ) -> Result<(), log::kv::Error> {
            if !self.first {
                self.out.push(b' ');
            }
            self.first = false;
            escape::push_str(self.out, key.as_str(), self.escape);
            self.out.push(b'=');
            let start = self.out.len();
            write!(Sink(self.out), "{value}")?;
            let v = &self.out[start..];
            // `0xC2 0x80..=0x9F` is a C1 control in UTF-8.
            let c1 = |w: &[u8]| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1]);
            let needs_quotes = v.is_empty()
                || v.iter()
                    .any(|&b| b == b' ' || b == b'=' || b == b'"' || b < 0x20 || b == 0x7f)
                || v.windows(2).any(c1);
            if needs_quotes {
                let raw = self.out.split_off(start);
                self.out.push(b'"');
                let mut bytes = raw.iter().copied().peekable();
                while let Some(b) = bytes.next() {
                    match b {
                        b'"' => self.out.extend_from_slice(b"\\\""),
                        b'\\' => self.out.extend_from_slice(b"\\\\"),
                        b'\n' => self.out.extend_from_slice(b"\\n"),
                        b'\r' => self.out.extend_from_slice(b"\\r"),
                        b'\t' => self.out.extend_from_slice(b"\\t"),
                        b if b < 0x20 || b == 0x7f => {
                            write!(Sink(self.out), "\\u{b:04x}")?;
                        }
                        0xc2 if bytes.peek().is_some_and(|n| (0x80..=0x9f).contains(n)) => {
                            let n = bytes.next().unwrap_or_default();
                            write!(Sink(self.out), "\\u{n:04x}")?;
                        }
                        b => self.out.push(b),
                    }
                }
                self.out.push(b'"');
            }
            Ok(())
        }
    }
    let mut v = V {
        out,
        first: true,
        escape,
    };
    source.visit(&mut v).map_err(|_| fmt::Error)
}
