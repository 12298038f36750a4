//! [`PatternFormatter`]: Python's `logging.Formatter` in its three styles.
//!
//! The format is parsed once, in [`PatternFormatter::compile`], into literal bytes
//! and fields with a compiled spec; [`Formatter::format`] walks those pieces and
//! appends to the caller's buffer, with no parsing and, for the common
//! placeholders, no allocation.
//!
//! The output matches CPython 3.11's `logging.Formatter` byte for byte for the
//! same record (checked by `tests/integration/python_oracle.rs`).

mod parse;

use std::fmt::{self, Write as _};

use self::parse::{Align, Conv, Raw, Sign, Spec};
use super::escape;
use super::time::{self, TimeFormat};
use super::{Formatter, MAX_PLACEHOLDERS};
use crate::config::{Escape, FormatStyle, PatternFormatterConfig};
use crate::error::{ErrorKind, hint};
use crate::{Entry, Error};

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
enum Kind {
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

    fn kind(self) -> Kind {
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
fn write_message(args: &fmt::Arguments<'_>, escape: Escape, out: &mut Vec<u8>) -> fmt::Result {
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
fn write_spans(spans: &[crate::SpanRecord], escape: Escape, out: &mut Vec<u8>) -> fmt::Result {
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
fn write_logfmt(source: &dyn log::kv::Source, escape: Escape, out: &mut Vec<u8>) -> fmt::Result {
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

/// What a placeholder reads.
#[derive(Debug, Clone)]
enum Field {
    Attr(Attr),
    /// A name that is not an attribute: a record key-value, else the default.
    Extra {
        name: Box<str>,
        default: Option<Box<str>>,
    },
}

#[derive(Debug, Clone)]
enum Piece {
    Lit(Box<[u8]>),
    /// Boxed: a field with its spec is ~100 bytes, every other piece fits in
    /// 16, and a format's pieces are read for every record.
    Field(Box<(Field, Spec)>),
    /// A field whose text depends on the record's level alone (`levelname`,
    /// `levelno`), rendered when the format is compiled, once per level:
    /// `[log::Level as usize - 1]`.
    ByLevel(Box<[Box<[u8]>; 5]>),
    /// A text attribute with a plain spec (`%(module)s`, `{threadName}`):
    /// written as it is, which is all `render` would do.
    Text(Attr),
    /// `%(message)s`: the message as it is.
    Message,
    /// `%(name)s`, `%(target)s`: the target as it is.
    Name,
    /// `%(asctime)s`: the time as it is.
    Asctime,
    /// `%(msecs)03d`, the usual companion of a `datefmt`: three digits when
    /// `msecs` is in 0..1000, as it is from 1970 on; else the generic path.
    Msecs3,
}

/// The piece for a field: the generic one, or a shortcut that renders the
/// same bytes.
fn field_piece(field: Field, spec: Spec) -> Piece {
    match field {
        Field::Attr(attr) if attr.kind() == Kind::Text && spec.is_plain() => match attr {
            Attr::Message => Piece::Message,
            Attr::Name | Attr::Target => Piece::Name,
            Attr::Asctime => Piece::Asctime,
            attr => Piece::Text(attr),
        },
        Field::Attr(Attr::Msecs) if spec == percent_03d() => Piece::Msecs3,
        field => Piece::Field(Box::new((field, spec))),
    }
}

fn display_failed() -> Error {
    Error::other("a value's `Display` implementation failed")
}

/// The spec of `%(...)03d`.
fn percent_03d() -> Spec {
    Spec {
        printf: true,
        zero: true,
        width: 3,
        ty: Some('d'),
        ..Spec::plain()
    }
}

/// Merges literals into the per-level texts next to them (`Z %(levelname)5s `
/// becomes one copy per record instead of three).
///
/// Each run of mergeable pieces is gathered into growing buffers, so the work
/// is linear in the format's length (merging pairwise would copy the run so
/// far for every piece of it).
fn fold_literals(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    // The run being merged: its leading literal (while no per-level text has
    // joined it), or one text per level.
    let mut lead: Option<Vec<u8>> = None;
    let mut texts: Option<[Vec<u8>; 5]> = None;
    let flush =
        |out: &mut Vec<Piece>, lead: &mut Option<Vec<u8>>, texts: &mut Option<[Vec<u8>; 5]>| {
            if let Some(t) = texts.take() {
                out.push(Piece::ByLevel(Box::new(t.map(Vec::into_boxed_slice))));
            } else if let Some(l) = lead.take() {
                out.push(Piece::Lit(l.into_boxed_slice()));
            }
        };
    for piece in pieces {
        match piece {
            Piece::Lit(lit) => match &mut texts {
                Some(t) => t.iter_mut().for_each(|t| t.extend_from_slice(&lit)),
                None => lead.get_or_insert_with(Vec::new).extend_from_slice(&lit),
            },
            Piece::ByLevel(next) => {
                let t = texts.get_or_insert_with(|| {
                    let l = lead.take().unwrap_or_default();
                    std::array::from_fn(|_| l.clone())
                });
                for (t, n) in t.iter_mut().zip(next.iter()) {
                    t.extend_from_slice(n);
                }
            }
            piece => {
                flush(&mut out, &mut lead, &mut texts);
                out.push(piece);
            }
        }
    }
    flush(&mut out, &mut lead, &mut texts);
    out
}

/// The texts of `attr` under `spec` for each level, rendered as `format`
/// would render them, if `attr` depends on the level alone.
fn by_level(attr: Attr, spec: &Spec) -> Option<Piece> {
    if !matches!(attr, Attr::Levelname | Attr::Levelno) {
        return None;
    }
    let mut texts: [Box<[u8]>; 5] = Default::default();
    for (level, text) in log::Level::iter().zip(texts.iter_mut()) {
        let record = log::Record::builder().level(level).build();
        let entry = Entry::new(&record);
        let mut out = Vec::new();
        render(
            &attr_value(attr, &entry),
            spec,
            &entry,
            None,
            Escape::None,
            &mut out,
        )
        .ok()?;
        *text = out.into_boxed_slice();
    }
    Some(Piece::ByLevel(Box::new(texts)))
}

/// A Python `logging.Formatter`: renders records through a `%`-, `{`- or
/// `$`-style format string.
///
/// Placeholders are Python's record attributes (`asctime`, `created`,
/// `relativeCreated`, `msecs`, `levelname`, `levelno`, `name`, `message`,
/// `module`, `filename`, `pathname`, `lineno`, `funcName`, `process`,
/// `processName`, `thread`, `threadName`, `taskName`) and Rust's (`target`,
/// `module_path`, `kv`: the record's key-values as `k=v k2="v 2"`, `spans`:
/// the `tracing` span scope as `outer{a=1}:inner{b=2}`, empty for `log`
/// records, and `usecs`: the microseconds of the second, an integer, for
/// `%(asctime)s.%(usecs)06d`; `datefmt` is `time.strftime`'s, which has no
/// sub-second directive). Any
/// other name reads the record key-value of that name (as Python's `extra=`),
/// else the config's `defaults`.
///
/// - `%` style supports the whole `%` operator spec (`%(lineno)05d`,
///   `%(levelname)-8s`, `%(created).3f`, `%(message)r`, `%%`); `{` style the
///   `str.format` mini-language (`{levelname:<8}`, `{lineno:>5,}`,
///   `{message!r}`, `{{`); `$` style `$name`, `${name}` and `$$`.
/// - `asctime` is `time.strftime(datefmt)` in local time (or UTC with
///   `utc: true`), by default `2026-11-27 10:15:02,123`.
/// - `funcName` is always `None`: Rust records carry no function name. Without
///   a source file, `pathname` and `filename` are `None`, `module` is
///   `Unknown module` and `lineno` 0 (Python's `LogRecord` with
///   `pathname=None`).
///
/// With `validate: true` (the default) unknown names, placeholders Python
/// would reject at format time and specs that do not fit an attribute's type
/// (`%(levelname)d`) are errors. With `validate: false` an unknown name renders
/// its key-value, else its default, else nothing; a value that does not fit
/// its conversion renders as text, padded to the width. A log line is never
/// lost to a formatting error.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use logfig::{Entry, Formatter, PatternFormatter};
/// use logfig::config::PatternFormatterConfig;
///
/// let mut config = PatternFormatterConfig::default();
/// config.format = Some("%(asctime)s %(levelname)-7s %(name)s: %(message)s".into());
/// config.utc = true;
/// let formatter = PatternFormatter::new(&config)?;
///
/// let record = log::Record::builder()
///     .args(format_args!("connected"))
///     .level(log::Level::Info)
///     .target("app.db")
///     .build();
/// let time = SystemTime::UNIX_EPOCH + Duration::from_millis(1_764_238_502_123);
/// let mut out = Vec::new();
/// formatter.format(&Entry::new(&record).with_time(time), &mut out)?;
/// assert_eq!(out, b"2025-11-27 10:15:02,123 INFO    app.db: connected");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct PatternFormatter {
    pieces: Box<[Piece]>,
    time: Option<TimeFormat>,
    /// What is escaped in record-supplied text.
    escape: Escape,
    /// Every text of the config's that reaches the output (literals, level
    /// names, `datefmt`, fills, defaults) needs no escape, so escaping the
    /// whole record at the end, in one scan, escapes exactly its record text.
    one_scan: bool,
}

impl PatternFormatter {
    /// Compiles a pattern formatter from its config.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) when the format or the
    /// `datefmt` is invalid, with a message such as ``unknown placeholder
    /// `levlname` (did you mean `levelname`?)``.
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::PatternFormatter;
    /// use logfig::config::{FormatStyle, PatternFormatterConfig};
    ///
    /// let mut config = PatternFormatterConfig::default();
    /// config.format = Some("{levelname:<8} {message}".into());
    /// config.style = FormatStyle::Brace;
    /// assert!(PatternFormatter::new(&config).is_ok());
    ///
    /// config.format = Some("{levlname} {message}".into());
    /// let err = PatternFormatter::new(&config).unwrap_err();
    /// assert!(err.to_string().contains("did you mean `levelname`?"));
    /// ```
    pub fn new(cfg: &PatternFormatterConfig) -> Result<Self, Error> {
        Self::compile(cfg).map_err(|m| Error::new(ErrorKind::Invalid, m))
    }

    /// Python's default formatter, `%(message)s`: the message alone.
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::{Entry, Formatter, PatternFormatter};
    ///
    /// let record = log::Record::builder().args(format_args!("ready")).build();
    /// let mut out = Vec::new();
    /// PatternFormatter::message_only().format(&Entry::new(&record), &mut out)?;
    /// assert_eq!(out, b"ready");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn message_only() -> Self {
        PatternFormatter {
            pieces: Box::new([Piece::Message]),
            time: None,
            escape: Escape::Control,
            one_scan: false,
        }
    }

    /// Compiles `cfg`; the error is a message without the config path.
    pub(crate) fn compile(cfg: &PatternFormatterConfig) -> Result<PatternFormatter, String> {
        Self::compile_keyed(cfg).map_err(|(_, message)| message)
    }

    /// Compiles `cfg`; the error names the key it is about (`format` or
    /// `datefmt`), so a diagnostic can point at that key.
    pub(crate) fn compile_keyed(
        cfg: &PatternFormatterConfig,
    ) -> Result<PatternFormatter, (&'static str, String)> {
        let (pieces, uses_time) = Self::compile_format(cfg).map_err(|m| ("format", m))?;
        let time = if uses_time {
            let time = TimeFormat::python(cfg.datefmt.as_deref(), cfg.utc);
            Some(time.map_err(|m| ("datefmt", m))?)
        } else {
            None
        };
        let one_scan = one_scan(&pieces, cfg);
        Ok(PatternFormatter {
            pieces,
            time,
            escape: cfg.escape,
            one_scan,
        })
    }

    /// The format's pieces, and whether one of them is `asctime`.
    fn compile_format(cfg: &PatternFormatterConfig) -> Result<(Box<[Piece]>, bool), String> {
        let Some(fmt) = cfg.format.as_deref() else {
            // `%(message)s`, `{message}` and `${message}` all mean this.
            return Ok((Box::new([Piece::Message]), false));
        };
        let (raw, style) = match cfg.style {
            FormatStyle::Brace => (parse::brace(fmt)?, "{"),
            FormatStyle::Dollar => (parse::dollar(fmt)?, "$"),
            _ => (parse::percent(fmt)?, "%"),
        };
        let fields = raw
            .iter()
            .filter(|p| matches!(p, Raw::Field { .. }))
            .count();
        if fields > MAX_PLACEHOLDERS {
            return Err(format!(
                "{fields} placeholders in one format: the most a format allows is {MAX_PLACEHOLDERS}"
            ));
        }
        if cfg.validate && fields == 0 {
            let example = match style {
                "{" => "`{message}`",
                "$" => "`${message}`",
                _ => "`%(message)s`",
            };
            return Err(format!(
                "invalid format `{fmt}` for `{style}` style: no placeholder such as {example}"
            ));
        }
        let mut pieces = Vec::with_capacity(raw.len());
        let mut uses_time = false;
        for piece in raw {
            match piece {
                Raw::Lit(l) => pieces.push(Piece::Lit(l.into_bytes().into_boxed_slice())),
                Raw::Field { name, spec, text } => {
                    let field = resolve(cfg, &name)?;
                    if let Field::Attr(attr) = field {
                        uses_time |= attr == Attr::Asctime;
                        if cfg.validate {
                            check_spec(attr, &name, &spec, &text)?;
                        }
                        if let Some(piece) = by_level(attr, &spec) {
                            pieces.push(piece);
                            continue;
                        }
                    }
                    pieces.push(field_piece(field, spec));
                }
            }
        }
        Ok((fold_literals(pieces).into_boxed_slice(), uses_time))
    }

    fn write_field(
        &self,
        field: &Field,
        spec: &Spec,
        entry: &Entry<'_>,
        out: &mut Vec<u8>,
    ) -> fmt::Result {
        match field {
            Field::Attr(attr) => {
                let val = attr_value(*attr, entry);
                render(&val, spec, entry, self.time.as_ref(), self.escape, out)
            }
            Field::Extra { name, default } => {
                let kvs = entry.record().key_values();
                if let Some(v) = kvs.get(log::kv::Key::from_str(name)) {
                    render(&Val::from_kv(v), spec, entry, None, self.escape, out)
                } else {
                    // A default is config text, not the record's.
                    let s = default.as_deref().unwrap_or("");
                    render(&Val::Str(s), spec, entry, None, Escape::None, out)
                }
            }
        }
    }
}

/// Whether `pieces` may escape a record's output in one scan at the end
/// ([`PatternFormatter::one_scan`]): only when no text the config supplies
/// would be escaped, so that the scan changes record text alone.
fn one_scan(pieces: &[Piece], cfg: &PatternFormatterConfig) -> bool {
    let clean = |text: &[u8]| {
        let mut escaped = text.to_vec();
        escape::escape_from(&mut escaped, 0, cfg.escape);
        escaped == text
    };
    let fill = |spec: &Spec| clean(spec.fill.encode_utf8(&mut [0; 4]).as_bytes());
    // `%n` writes a newline.
    let datefmt = cfg
        .datefmt
        .as_deref()
        .is_none_or(|d| clean(d.as_bytes()) && !d.contains("%n"));
    cfg.escape != Escape::None
        && datefmt
        && pieces.iter().all(|p| match p {
            Piece::Lit(l) => clean(l),
            Piece::ByLevel(texts) => texts.iter().all(|t| clean(t)),
            Piece::Field(f) => match &f.0 {
                Field::Extra { default, .. } => {
                    fill(&f.1) && default.as_deref().is_none_or(|d| clean(d.as_bytes()))
                }
                Field::Attr(_) => fill(&f.1),
            },
            _ => true,
        })
}

/// Resolves a placeholder name: an attribute, else a key-value or default.
fn resolve(cfg: &PatternFormatterConfig, name: &str) -> Result<Field, String> {
    if let Some(attr) = Attr::from_name(name) {
        return Ok(Field::Attr(attr));
    }
    let default = cfg.defaults.get(name);
    if cfg.validate && default.is_none() {
        let mut candidates: Vec<&str> = Attr::names().collect();
        candidates.extend(cfg.defaults.keys().map(String::as_str));
        let h = hint(name, candidates);
        return Err(if h.is_empty() {
            format!(
                "unknown placeholder `{name}` (a record key-value needs an entry in `defaults`, or `validate: false`)"
            )
        } else {
            format!("unknown placeholder `{name}`{h}")
        });
    }
    Ok(Field::Extra {
        name: name.into(),
        default: default.map(|d| d.as_str().into()),
    })
}

/// Rejects specs that CPython would reject when formatting this attribute.
fn check_spec(attr: Attr, name: &str, spec: &Spec, text: &str) -> Result<(), String> {
    let kind = if matches!(spec.conv, Conv::Repr | Conv::Ascii | Conv::Str) {
        Kind::Text
    } else {
        attr.kind()
    };
    let what = match kind {
        Kind::Text => "text",
        Kind::Int => "an integer",
        Kind::Float => "a float",
    };
    let bad = |why: &str| Err(format!("`{text}` {why}, but `{name}` is {what}"));
    if spec.printf {
        return match (kind, spec.ty) {
            (Kind::Text, Some(t)) if t != 's' => bad("needs a number"),
            (Kind::Float, Some('x' | 'X' | 'o' | 'c')) => bad("needs an integer"),
            _ => Ok(()),
        };
    }
    match kind {
        Kind::Text => {
            if !matches!(spec.ty, None | Some('s')) {
                return bad("formats a number");
            }
            if spec.sign != Sign::Minus
                || spec.alt
                || spec.z
                || spec.grouping.is_some()
                || spec.align == Some(Align::AfterSign)
            {
                return bad("has a numeric spec (sign, `#`, `z`, grouping or `=`)");
            }
        }
        Kind::Int => {
            if spec.ty == Some('s') {
                return bad("formats text");
            }
            let int_type = matches!(
                spec.ty,
                None | Some('b' | 'c' | 'd' | 'o' | 'x' | 'X' | 'n')
            );
            if int_type && spec.precision.is_some() {
                return bad("has a precision");
            }
            if int_type && spec.z {
                return bad("has `z`");
            }
        }
        Kind::Float => {
            if matches!(spec.ty, Some('b' | 'c' | 'd' | 'o' | 'x' | 'X' | 's')) {
                return bad("needs an integer or text");
            }
        }
    }
    Ok(())
}

impl Formatter for PatternFormatter {
    fn format(&self, entry: &Entry<'_>, out: &mut Vec<u8>) -> Result<(), Error> {
        let start = out.len();
        // Plain text pieces are escaped one by one, or all at once at the end.
        // (Fields with a spec escape themselves: their width measures the
        // escaped text. Escaping escaped text changes nothing.)
        let text_escape = if self.one_scan {
            Escape::None
        } else {
            self.escape
        };
        for piece in self.pieces.iter() {
            match piece {
                Piece::Lit(l) => out.extend_from_slice(l),
                Piece::ByLevel(texts) => {
                    out.extend_from_slice(&texts[entry.record().level() as usize - 1]);
                }
                Piece::Message => write_message(entry.record().args(), text_escape, out)
                    .map_err(|_| display_failed())?,
                Piece::Name => escape::push_str(out, entry.record().target(), text_escape),
                Piece::Asctime => {
                    if let Some(t) = &self.time {
                        t.write(entry.unix_time(), out);
                    }
                }
                Piece::Text(attr) => {
                    let val = attr_value(*attr, entry);
                    write_text(&val, entry, self.time.as_ref(), text_escape, out)
                        .map_err(|_| display_failed())?;
                }
                Piece::Msecs3 => {
                    let (secs, nanos) = entry.unix_time();
                    let ms = time::msecs(time::created_at(secs, nanos));
                    if (0.0..1000.0).contains(&ms) {
                        time::push_3digits(out, ms as u32);
                    } else {
                        self.write_field(&Field::Attr(Attr::Msecs), &percent_03d(), entry, out)
                            .map_err(|_| display_failed())?;
                    }
                }
                Piece::Field(field) => self
                    .write_field(&field.0, &field.1, entry, out)
                    .map_err(|_| display_failed())?,
            }
        }
        if self.one_scan {
            escape::escape_from(out, start, self.escape);
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Rendering: Python's `%` operator and `format()` on str, int and float.

/// Renders `val` under `spec`, escaping its text as `escape` says; width and
/// precision measure the escaped text.
fn render(
    val: &Val<'_>,
    spec: &Spec,
    entry: &Entry<'_>,
    time: Option<&TimeFormat>,
    escape: Escape,
    out: &mut Vec<u8>,
) -> fmt::Result {
    if spec.is_plain() && !matches!(val, Val::Int(_) | Val::Float(_)) {
        return write_text(val, entry, time, escape, out);
    }
    if matches!(spec.conv, Conv::Repr | Conv::Ascii) {
        let start = out.len();
        let quoted = matches!(
            val,
            Val::Str(_)
                | Val::Args(_)
                | Val::Value(_)
                | Val::Asctime
                | Val::KvAll
                | Val::Spans
                | Val::ThreadNo(_)
        );
        // `repr()` escapes every control character itself, as CPython's does:
        // the raw text goes in.
        write_text(val, entry, time, Escape::None, out)?;
        if quoted {
            let raw = out.split_off(start);
            let s = String::from_utf8_lossy(&raw);
            write_py_repr(out, &s, spec.conv == Conv::Ascii);
        }
        // Numbers, `None` and bools: their repr is their text, plain ASCII.
        return pad_text(out, start, spec);
    }
    let text_spec = spec.conv == Conv::Str;
    match *val {
        Val::Int(i) if !text_spec => render_int(out, spec, i),
        Val::Float(f) if !text_spec => render_float(out, spec, f),
        Val::Bool(b) if !text_spec && is_numeric_type(spec.ty) => {
            render_int(out, spec, i128::from(b))
        }
        _ => {
            let start = out.len();
            write_text(val, entry, time, escape, out)?;
            pad_text(out, start, spec)
        }
    }
}

fn is_numeric_type(ty: Option<char>) -> bool {
    matches!(ty, Some(t) if t != 's')
}

/// Applies precision (truncation) and width to the text at `out[start..]`.
fn pad_text(out: &mut Vec<u8>, start: usize, spec: &Spec) -> fmt::Result {
    if let Some(p) = spec.precision {
        let cut = char_indices(&out[start..]).nth(p).map(|(i, _)| i);
        if let Some(i) = cut {
            out.truncate(start + i);
        }
    }
    let align = if spec.printf {
        if spec.align == Some(Align::Left) {
            Align::Left
        } else {
            Align::Right
        }
    } else {
        match spec.align {
            None | Some(Align::Left) => Align::Left,
            Some(Align::AfterSign) => Align::Right,
            Some(a) => a,
        }
    };
    let fill = if spec.printf { ' ' } else { spec.fill };
    pad(out, start, start, spec.width, fill, align);
    Ok(())
}

/// Byte offsets of the UTF-8 characters in `b`.
fn char_indices(b: &[u8]) -> impl Iterator<Item = (usize, u8)> + '_ {
    b.iter()
        .enumerate()
        .filter(|&(_, &c)| (c & 0xC0) != 0x80)
        .map(|(i, &c)| (i, c))
}

/// Pads `out[start..]` to `width` characters; `mid` is where `=` alignment
/// puts the fill (after the sign and `0x`). Never allocates beyond growing
/// `out` (`Vec::splice` with a fill iterator collects into a temporary).
fn pad(out: &mut Vec<u8>, start: usize, mid: usize, width: usize, fill: char, align: Align) {
    let len = char_indices(&out[start..]).count();
    if len >= width {
        return;
    }
    let n = width - len;
    let mut buf = [0u8; 4];
    let fill = fill.encode_utf8(&mut buf).as_bytes();
    match align {
        Align::Left => push_fill(out, fill, n),
        Align::Right => insert_fill(out, start, fill, n),
        Align::AfterSign => insert_fill(out, mid, fill, n),
        Align::Center => {
            let left = n / 2;
            insert_fill(out, start, fill, left);
            push_fill(out, fill, n - left);
        }
    }
}

/// Appends `n` copies of `fill`.
fn push_fill(out: &mut Vec<u8>, fill: &[u8], n: usize) {
    match fill {
        [b] => out.resize(out.len() + n, *b),
        _ => (0..n).for_each(|_| out.extend_from_slice(fill)),
    }
}

/// Inserts `n` copies of `fill` at `at`.
fn insert_fill(out: &mut Vec<u8>, at: usize, fill: &[u8], n: usize) {
    let end = out.len();
    push_fill(out, fill, n);
    let k = end - at;
    let gap = out.len() - end;
    out.copy_within(at..at + k, at + gap);
    match fill {
        [b] => out[at..at + gap].fill(*b),
        _ => out[at..at + gap]
            .chunks_exact_mut(fill.len())
            .for_each(|c| c.copy_from_slice(fill)),
    }
}

/// The decimal digits of `n`, written at the end of `buf`, without `core::fmt`.
fn decimal_digits(buf: &mut [u8; 40], n: u128) -> &[u8] {
    let mut i = buf.len();
    match u64::try_from(n) {
        Ok(mut m) => loop {
            i -= 1;
            buf[i] = b'0' + (m % 10) as u8;
            m /= 10;
            if m == 0 {
                break;
            }
        },
        Err(_) => {
            let mut m = n;
            loop {
                i -= 1;
                buf[i] = b'0' + (m % 10) as u8;
                m /= 10;
                if m == 0 {
                    break;
                }
            }
        }
    }
    &buf[i..]
}

/// Appends the decimal digits of `n`.
fn push_decimal(out: &mut Vec<u8>, n: u128) {
    let mut buf = [0u8; 40];
    out.extend_from_slice(decimal_digits(&mut buf, n));
}

/// Appends `i` in decimal, as `{i}` would.
fn push_int(out: &mut Vec<u8>, i: i128) {
    if i < 0 {
        out.push(b'-');
    }
    push_decimal(out, i.unsigned_abs());
}

/// Number alignment: `-` / explicit align, else `0` pads after the sign.
fn number_align(spec: &Spec) -> (Align, char) {
    if spec.printf {
        if spec.align == Some(Align::Left) {
            (Align::Left, ' ')
        } else if spec.zero {
            (Align::AfterSign, '0')
        } else {
            (Align::Right, ' ')
        }
    } else {
        match spec.align {
            Some(a) => (a, spec.fill),
            None if spec.zero => (Align::AfterSign, spec.fill),
            None => (Align::Right, spec.fill),
        }
    }
}

fn push_sign(out: &mut Vec<u8>, negative: bool, sign: Sign) {
    match (negative, sign) {
        (true, _) => out.push(b'-'),
        (false, Sign::Plus) => out.push(b'+'),
        (false, Sign::Space) => out.push(b' '),
        (false, Sign::Minus) => {}
    }
}

fn render_int(out: &mut Vec<u8>, spec: &Spec, i: i128) -> fmt::Result {
    let ty = spec.ty.unwrap_or('d');
    match ty {
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' => return render_float(out, spec, i as f64),
        's' => {
            let start = out.len();
            push_int(out, i);
            return pad_text(out, start, spec);
        }
        'c' => {
            let start = out.len();
            let c = u32::try_from(i)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{FFFD}');
            out.extend_from_slice(c.encode_utf8(&mut [0u8; 4]).as_bytes());
            let (align, fill) = number_align(spec);
            pad(out, start, start, spec.width, fill, align);
            return Ok(());
        }
        _ => {}
    }
    if ty == 'd' && spec.grouping.is_none() && !(spec.printf && spec.precision.is_some()) {
        return render_decimal(out, spec, i);
    }
    let start = out.len();
    push_sign(out, i < 0, spec.sign);
    let abs = i.unsigned_abs();
    if spec.alt {
        match ty {
            'x' => out.extend_from_slice(b"0x"),
            'X' => out.extend_from_slice(b"0X"),
            'o' => out.extend_from_slice(b"0o"),
            'b' => out.extend_from_slice(b"0b"),
            _ => {}
        }
    }
    let mid = out.len();
    match ty {
        'x' => write!(Sink(out), "{abs:x}")?,
        'X' => write!(Sink(out), "{abs:X}")?,
        'o' => write!(Sink(out), "{abs:o}")?,
        'b' => write!(Sink(out), "{abs:b}")?,
        _ => push_decimal(out, abs),
    }
    if spec.printf
        && let Some(p) = spec.precision
    {
        let len = out.len() - mid;
        if len < p {
            out.splice(mid..mid, std::iter::repeat_n(b'0', p - len));
        }
    }
    let (align, fill) = number_align(spec);
    if let Some(sep) = spec.grouping {
        let every = if matches!(ty, 'x' | 'X' | 'o' | 'b') {
            4
        } else {
            3
        };
        if align == Align::AfterSign && fill == '0' {
            zero_extend_grouped(
                out,
                mid,
                out.len(),
                spec.width.saturating_sub(mid - start),
                every,
            );
        }
        group(out, mid, out.len(), sep as u8, every);
    }
    pad(out, start, mid, spec.width, fill, align);
    Ok(())
}

/// `render_int` for `d` without grouping or a `%`-style precision (`%(msecs)03d`,
/// `{lineno:>5}`): sign, digits and padding in one pass, no character counting.
fn render_decimal(out: &mut Vec<u8>, spec: &Spec, i: i128) -> fmt::Result {
    let mut buf = [0u8; 40];
    let digits = decimal_digits(&mut buf, i.unsigned_abs());
    let sign: &[u8] = match (i < 0, spec.sign) {
        (true, _) => b"-",
        (false, Sign::Plus) => b"+",
        (false, Sign::Space) => b" ",
        (false, Sign::Minus) => b"",
    };
    let len = sign.len() + digits.len();
    let (align, fill) = number_align(spec);
    if spec.width <= len {
        out.extend_from_slice(sign);
        out.extend_from_slice(digits);
        return Ok(());
    }
    let n = spec.width - len;
    let mut fbuf = [0u8; 4];
    let fill = fill.encode_utf8(&mut fbuf).as_bytes();
    match align {
        Align::Left => {
            out.extend_from_slice(sign);
            out.extend_from_slice(digits);
            push_fill(out, fill, n);
        }
        Align::Right => {
            push_fill(out, fill, n);
            out.extend_from_slice(sign);
            out.extend_from_slice(digits);
        }
        Align::AfterSign => {
            out.extend_from_slice(sign);
            push_fill(out, fill, n);
            out.extend_from_slice(digits);
        }
        Align::Center => {
            let left = n / 2;
            push_fill(out, fill, left);
            out.extend_from_slice(sign);
            out.extend_from_slice(digits);
            push_fill(out, fill, n - left);
        }
    }
    Ok(())
}

/// Zero padding with grouping pads with grouped zeros (`00,000,042`), as
/// CPython: prepends zeros to `out[from..end]` until the grouped digits fill
/// `min` characters.
fn zero_extend_grouped(out: &mut Vec<u8>, from: usize, end: usize, min: usize, every: usize) {
    let have = end - from;
    let mut n = have.max(1);
    while n + (n - 1) / every < min {
        n += 1;
    }
    if n > have {
        out.splice(from..from, std::iter::repeat_n(b'0', n - have));
    }
}

/// Inserts `sep` every `every` digits, counting from `end` back to `from`.
fn group(out: &mut Vec<u8>, from: usize, end: usize, sep: u8, every: usize) {
    let mut pos = end;
    while pos > from + every {
        pos -= every;
        out.insert(pos, sep);
    }
}

fn render_float(out: &mut Vec<u8>, spec: &Spec, v: f64) -> fmt::Result {
    let ty = spec.ty;
    if matches!(ty, Some('d')) && v.is_finite() {
        // `'%d' % 3.7` truncates; only `%`-style gets here (checked at compile).
        // (`msecs` takes this path for every record: skip the i128 conversion.)
        let i = if v.abs() < 9.0e18 {
            i128::from(v as i64)
        } else {
            v.trunc() as i128
        };
        return render_int(out, spec, i);
    }
    if matches!(ty, Some('s')) {
        let start = out.len();
        write_repr_float(out, v);
        return pad_text(out, start, spec);
    }
    let upper = matches!(ty, Some('E' | 'F' | 'G'));
    let start = out.len();
    let a = v.abs();
    if !a.is_finite() {
        let t: &[u8] = match (a.is_nan(), upper) {
            (true, false) => b"nan",
            (true, true) => b"NAN",
            (false, false) => b"inf",
            (false, true) => b"INF",
        };
        out.extend_from_slice(t);
        if ty == Some('%') {
            out.push(b'%');
        }
    } else {
        let prec = spec.precision;
        match ty {
            Some('f' | 'F') => write_fixed(out, a, prec.unwrap_or(6), spec.alt)?,
            Some('e' | 'E') => write_exp(out, a, prec.unwrap_or(6), spec.alt, upper)?,
            Some('g' | 'G' | 'n') => {
                write_general(out, a, prec.unwrap_or(6), spec.alt, upper, false)?;
            }
            Some('%') => {
                write_fixed(out, a * 100.0, prec.unwrap_or(6), spec.alt)?;
                out.push(b'%');
            }
            _ => match prec {
                None => write_repr_float(out, a),
                Some(p) => write_general(out, a, p, spec.alt, false, true)?,
            },
        }
        if let Some(sep) = spec.grouping {
            let mut int_end = start
                + out[start..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
            let (align, fill) = number_align(spec);
            if align == Align::AfterSign && fill == '0' {
                let sign_len = usize::from(v.is_sign_negative() || spec.sign != Sign::Minus);
                let rest = char_indices(&out[int_end..]).count();
                let min = spec.width.saturating_sub(sign_len + rest);
                let before = out.len();
                zero_extend_grouped(out, start, int_end, min, 3);
                int_end += out.len() - before;
            }
            group(out, start, int_end, sep as u8, 3);
        }
    }
    // `z`: a negative value that rounds to zero loses its `-`.
    let zero = spec.z && !out[start..].iter().any(|b| (b'1'..=b'9').contains(b));
    let negative = v.is_sign_negative() && !v.is_nan() && !zero;
    let sign_len = out.len();
    push_sign(out, negative, spec.sign);
    let sign_len = out.len() - sign_len;
    if sign_len > 0 {
        out[start..].rotate_right(sign_len);
    }
    let (align, fill) = number_align(spec);
    pad(out, start, start + sign_len, spec.width, fill, align);
    Ok(())
}

fn write_fixed(out: &mut Vec<u8>, a: f64, prec: usize, alt: bool) -> fmt::Result {
    write!(Sink(out), "{a:.prec$}")?;
    if alt && prec == 0 {
        out.push(b'.');
    }
    Ok(())
}

/// Rust writes `1.5e9`; Python `1.5e+09`. Returns the exponent.
fn fix_exponent(out: &mut Vec<u8>, from: usize, upper: bool, alt_dot: bool) -> i32 {
    let Some(e) = out[from..].iter().position(|&b| b == b'e') else {
        return 0;
    };
    let e = from + e;
    let exp: i32 = std::str::from_utf8(&out[e + 1..])
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    out.truncate(e);
    if alt_dot && !out[from..].contains(&b'.') {
        out.push(b'.');
    }
    out.push(if upper { b'E' } else { b'e' });
    out.push(if exp < 0 { b'-' } else { b'+' });
    let m = exp.unsigned_abs();
    if m < 10 {
        out.push(b'0');
    }
    let _ = write!(Sink(out), "{m}");
    exp
}

fn write_exp(out: &mut Vec<u8>, a: f64, prec: usize, alt: bool, upper: bool) -> fmt::Result {
    let from = out.len();
    write!(Sink(out), "{a:.prec$e}")?;
    fix_exponent(out, from, upper, alt);
    Ok(())
}

/// `g` (and the empty type with a precision, `add_dot_0`).
fn write_general(
    out: &mut Vec<u8>,
    a: f64,
    prec: usize,
    alt: bool,
    upper: bool,
    add_dot_0: bool,
) -> fmt::Result {
    let p = prec.max(1);
    let from = out.len();
    write!(Sink(out), "{a:.*e}", p - 1)?;
    let exp = out[from..]
        .iter()
        .position(|&b| b == b'e')
        .and_then(|e| {
            std::str::from_utf8(&out[from + e + 1..])
                .ok()?
                .parse::<i64>()
                .ok()
        })
        .unwrap_or(0);
    let limit = if add_dot_0 { p as i64 - 1 } else { p as i64 };
    let use_exp = exp < -4 || exp >= limit;
    if use_exp {
        let e = from + out[from..].iter().position(|&b| b == b'e').unwrap_or(0);
        if !alt {
            // Strip trailing zeros of the mantissa.
            let tail = out.split_off(e);
            strip_zeros(out, from);
            out.extend_from_slice(&tail);
        }
        fix_exponent(out, from, upper, alt);
    } else {
        out.truncate(from);
        let decimals = (p as i64 - 1 - exp).max(0) as usize;
        write!(Sink(out), "{a:.decimals$}")?;
        if alt {
            if !out[from..].contains(&b'.') {
                out.push(b'.');
            }
        } else {
            strip_zeros(out, from);
        }
        if add_dot_0 && !out[from..].contains(&b'.') {
            out.extend_from_slice(b".0");
        }
    }
    Ok(())
}

fn strip_zeros(out: &mut Vec<u8>, from: usize) {
    if out[from..].contains(&b'.') {
        while out.last() == Some(&b'0') {
            out.pop();
        }
        if out.last() == Some(&b'.') {
            out.pop();
        }
    }
}

/// Python's `repr(float)`: shortest round-trip digits, exponent outside
/// `1e-4 <= |x| < 1e16`.
pub(crate) fn write_repr_float(out: &mut Vec<u8>, v: f64) {
    if v.is_nan() {
        out.extend_from_slice(b"nan");
        return;
    }
    if v.is_sign_negative() {
        out.push(b'-');
    }
    let a = v.abs();
    if a.is_infinite() {
        out.extend_from_slice(b"inf");
        return;
    }
    // `{:e}` gives the shortest round-trip digits: `1.764238502123456e9`.
    let mut buf = [0u8; 40];
    let mut w = ArrayWriter {
        buf: &mut buf,
        len: 0,
    };
    if write!(w, "{a:e}").is_err() {
        return;
    }
    let len = w.len;
    let s = &buf[..len];
    let e = s.iter().position(|&b| b == b'e').unwrap_or(len);
    let exp: i32 = std::str::from_utf8(&s[e + 1..])
        .ok()
        .and_then(|x| x.parse().ok())
        .unwrap_or(0);
    let mut digits = [0u8; 24];
    let mut n = 0;
    for &b in &s[..e] {
        if b.is_ascii_digit() && n < digits.len() {
            digits[n] = b;
            n += 1;
        }
    }
    let digits = &digits[..n];
    if !(-4..16).contains(&exp) {
        out.push(digits[0]);
        if n > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        out.push(b'e');
        out.push(if exp < 0 { b'-' } else { b'+' });
        let m = exp.unsigned_abs();
        if m < 10 {
            out.push(b'0');
        }
        let _ = write!(Sink(out), "{m}");
        return;
    }
    let decpt = exp + 1;
    if decpt <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', decpt.unsigned_abs() as usize));
        out.extend_from_slice(digits);
    } else {
        let d = decpt as usize;
        if d >= n {
            out.extend_from_slice(digits);
            out.extend(std::iter::repeat_n(b'0', d - n));
            out.extend_from_slice(b".0");
        } else {
            out.extend_from_slice(&digits[..d]);
            out.push(b'.');
            out.extend_from_slice(&digits[d..]);
        }
    }
}

struct ArrayWriter<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl fmt::Write for ArrayWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let dst = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Python's `repr(str)` (or `ascii(str)`): quotes and escapes.
///
/// Printability follows `str.isprintable` for ASCII, Latin-1 and the common
/// invisible code points (separators, format characters, private use); other
/// code points print as themselves.
fn write_py_repr(out: &mut Vec<u8>, s: &str, ascii: bool) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut w = Sink(out);
    let _ = w.write_char(quote);
    for c in s.chars() {
        let _ = match c {
            '\\' => w.write_str("\\\\"),
            '\n' => w.write_str("\\n"),
            '\r' => w.write_str("\\r"),
            '\t' => w.write_str("\\t"),
            c if c == quote => write!(w, "\\{c}"),
            c if (' '..='~').contains(&c) => w.write_char(c),
            c if !ascii && is_printable(c) => w.write_char(c),
            c if (c as u32) < 0x100 => write!(w, "\\x{:02x}", c as u32),
            c if (c as u32) < 0x10000 => write!(w, "\\u{:04x}", c as u32),
            c => write!(w, "\\U{:08x}", c as u32),
        };
    }
    let _ = w.write_char(quote);
}

fn is_printable(c: char) -> bool {
    let u = c as u32;
    !(c.is_control()
        || u == 0xAD
        || u == 0xA0
        || u == 0x1680
        || (0x2000..=0x200F).contains(&u)
        || (0x2028..=0x202F).contains(&u)
        || (0x205F..=0x206F).contains(&u)
        || u == 0x3000
        || u == 0xFEFF
        || (0xD800..=0xF8FF).contains(&u)
        || (0xFFF0..=0xFFFB).contains(&u)
        || u == 0xFFFE
        || u == 0xFFFF
        || (0xE0000..=0xE007F).contains(&u)
        || u >= 0xF0000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    fn cfg(style: FormatStyle, fmt: &str) -> PatternFormatterConfig {
        PatternFormatterConfig {
            format: Some(fmt.into()),
            style,
            utc: true,
            ..Default::default()
        }
    }

    fn fmt_with(c: &PatternFormatterConfig) -> String {
        let f = PatternFormatter::compile(c).unwrap();
        let kvs: &[(&str, log::kv::Value<'_>)] = &[
            ("user", log::kv::Value::from("bob smith")),
            ("n", log::kv::Value::from(42i64)),
            ("ok", log::kv::Value::from(true)),
        ];
        let record = log::Record::builder()
            .args(format_args!("héllo 100%"))
            .level(log::Level::Warn)
            .target("app.db")
            .file(Some("src/app/db.rs"))
            .line(Some(42))
            .module_path(Some("app::db"))
            .key_values(&kvs)
            .build();
        let time = SystemTime::UNIX_EPOCH + Duration::new(1_764_238_502, 123_456_000);
        let entry = Entry::new(&record)
            .with_time(time)
            .with_thread(7, "worker")
            .with_process(1234);
        let mut out = Vec::new();
        f.format(&entry, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn pct(f: &str) -> String {
        fmt_with(&cfg(FormatStyle::Percent, f))
    }

    fn brc(f: &str) -> String {
        fmt_with(&cfg(FormatStyle::Brace, f))
    }

    #[test]
    fn percent_basics() {
        assert_eq!(
            pct("%(asctime)s %(levelname)-8s|%(name)s: %(message)s"),
            "2025-11-27 10:15:02,123 WARNING |app.db: héllo 100%"
        );
        assert_eq!(
            pct("%(levelno)03d %(lineno)5d %(msecs)03d"),
            "030    42 123"
        );
        assert_eq!(
            pct("%(module)s %(filename)s %(pathname)s"),
            "db db.rs src/app/db.rs"
        );
        assert_eq!(
            pct("%(created).3f %(created)s"),
            "1764238502.123 1764238502.123456"
        );
        assert_eq!(
            pct("%(message).3s|%(message)8.2s|%(message)r"),
            "hél|      hé|'héllo 100%'"
        );
        assert_eq!(
            pct("%(threadName)s %(thread)d %(process)d %(processName)s"),
            "worker 7 1234 MainProcess"
        );
        assert_eq!(
            pct("%(funcName)s %(taskName)s %(target)s %(module_path)s"),
            "None None app.db app::db"
        );
        assert_eq!(pct("%(kv)s"), "user=\"bob smith\" n=42 ok=true");
        assert_eq!(
            pct("%(lineno)#x %(lineno)#o %(lineno)+d %(lineno)x"),
            "0x2a 0o52 +42 2a"
        );
        assert_eq!(pct("%(created)e %(msecs)g"), "1.764239e+09 123");
        assert_eq!(pct("%(message)a"), "'h\\xe9llo 100%'");
    }

    #[test]
    fn brace_basics() {
        assert_eq!(
            brc("{levelname:<8}|{levelname:>8}|{levelname:*^9}"),
            "WARNING | WARNING|*WARNING*"
        );
        assert_eq!(
            brc("{lineno:05d} {lineno:+} {lineno:x} {lineno:#b}"),
            "00042 +42 2a 0b101010"
        );
        assert_eq!(
            brc("{created:.2f} {msecs} {created:,.1f}"),
            "1764238502.12 123.0 1,764,238,502.1"
        );
        assert_eq!(
            brc("{message!r} {{x}} {name!s:>8}"),
            "'héllo 100%' {x}   app.db"
        );
        assert_eq!(brc("{lineno:.2%} {created:.3}"), "4200.00% 1.76e+09");
    }

    #[test]
    fn dollar_basics() {
        let c = cfg(FormatStyle::Dollar, "$levelname ${name}: $message $$");
        assert_eq!(fmt_with(&c), "WARNING app.db: héllo 100% $");
    }

    #[test]
    fn defaults_and_kv() {
        let mut c = cfg(FormatStyle::Percent, "%(user)s %(n)04d %(missing)s|");
        c.defaults.insert("user".into(), "nobody".into());
        c.defaults.insert("missing".into(), "-".into());
        c.defaults.insert("n".into(), "0".into());
        assert_eq!(fmt_with(&c), "bob smith 0042 -|");
        c.validate = false;
        c.defaults.clear();
        c.format = Some("%(nothing)s|%(user)d".into());
        assert_eq!(fmt_with(&c), "|bob smith");
        let mut c = cfg(FormatStyle::Brace, "{n:>5} {user} {ok} {ok:d}");
        c.validate = false;
        assert_eq!(fmt_with(&c), "   42 bob smith true 1");
    }

    #[test]
    fn default_format() {
        let mut c = PatternFormatterConfig::default();
        assert_eq!(fmt_with(&c), "héllo 100%");
        c.style = FormatStyle::Brace;
        assert_eq!(fmt_with(&c), "héllo 100%");
    }

    #[test]
    fn errors() {
        let err = |style, f: &str| PatternFormatter::compile(&cfg(style, f)).unwrap_err();
        assert_eq!(
            err(FormatStyle::Percent, "%(levlname)s"),
            "unknown placeholder `levlname` (did you mean `levelname`?)"
        );
        assert!(
            err(FormatStyle::Percent, "%(zzz)s")
                .starts_with("unknown placeholder `zzz` (a record key-value")
        );
        assert_eq!(
            err(FormatStyle::Percent, "%(name"),
            "unterminated placeholder at `%(name`"
        );
        assert_eq!(
            err(FormatStyle::Percent, "%(lineno)q"),
            "invalid conversion `%(lineno)q`"
        );
        assert!(
            err(FormatStyle::Percent, "hello").starts_with("invalid format `hello` for `%` style")
        );
        assert!(
            err(FormatStyle::Brace, "hello").starts_with("invalid format `hello` for `{` style")
        );
        assert!(err(FormatStyle::Dollar, "$").starts_with("bare `$`"));
        assert_eq!(
            err(FormatStyle::Percent, "%(levelname)d"),
            "`%(levelname)d` needs a number, but `levelname` is text"
        );
        assert!(err(FormatStyle::Brace, "{lineno:.2}").contains("has a precision"));
        assert!(err(FormatStyle::Brace, "{created:d}").contains("needs an integer or text"));
        assert!(err(FormatStyle::Brace, "{message:+}").contains("numeric spec"));
        // validate: false accepts a format without placeholders.
        let mut c = cfg(FormatStyle::Percent, "static");
        c.validate = false;
        assert_eq!(fmt_with(&c), "static");
    }

    #[test]
    fn floats_like_python() {
        let f = |v: f64| {
            let mut o = Vec::new();
            write_repr_float(&mut o, v);
            String::from_utf8(o).unwrap()
        };
        assert_eq!(f(0.0), "0.0");
        assert_eq!(f(-0.0), "-0.0");
        assert_eq!(f(1e16), "1e+16");
        assert_eq!(f(1.5e-5), "1.5e-05");
        assert_eq!(f(0.0001), "0.0001");
        assert_eq!(f(123.0), "123.0");
        assert_eq!(f(1764238502.123456), "1764238502.123456");
        assert_eq!(f(f64::INFINITY), "inf");
        let g = |spec: &str, v: f64| {
            let s = parse::format_spec(spec).unwrap();
            let mut o = Vec::new();
            render_float(&mut o, &s, v).unwrap();
            String::from_utf8(o).unwrap()
        };
        assert_eq!(g(".4", 1234.5), "1.234e+03");
        assert_eq!(g("g", 0.00001234), "1.234e-05");
        assert_eq!(g("z.2f", -0.0001), "0.00");
        assert_eq!(g("+010.2f", -12.345678), "-000012.35");
        assert_eq!(g("#.0e", 12345.0), "1.e+04");
        assert_eq!(g("10", 123.0), "     123.0");
        assert_eq!(g("", 1e16), "1e+16");
    }

    #[test]
    fn repr_quotes() {
        let r = |s: &str| {
            let mut o = Vec::new();
            write_py_repr(&mut o, s, false);
            String::from_utf8(o).unwrap()
        };
        assert_eq!(r("it's"), "\"it's\"");
        assert_eq!(r("a'\"b\n"), "'a\\'\"b\\n'");
        assert_eq!(r("\u{1}é"), "'\\x01é'");
    }

    fn spec_of(style: FormatStyle, f: &str) -> Spec {
        let raw = match style {
            FormatStyle::Brace => parse::brace(f).unwrap(),
            _ => parse::percent(f).unwrap(),
        };
        raw.into_iter()
            .find_map(|p| match p {
                Raw::Field { spec, .. } => Some(spec),
                Raw::Lit(_) => None,
            })
            .unwrap()
    }

    #[test]
    fn decimal_fast_path_matches_generic() {
        // `n` takes the generic path and means `d` in the C locale.
        let values = [
            0,
            7,
            -7,
            42,
            -1_234_567,
            i128::from(i64::MAX),
            i128::from(u64::MAX) + 1,
            i128::MIN + 1,
        ];
        let specs = [
            "", "5", "<5", ">6", "^7", "=8", "+", " ", "05", "*^9", "+010", "é>6", "é=8", "-^8",
            "+<6", " =7", "1",
        ];
        for s in specs {
            let d = spec_of(FormatStyle::Brace, &format!("{{x:{s}d}}"));
            let n = spec_of(FormatStyle::Brace, &format!("{{x:{s}n}}"));
            for v in values {
                let (mut a, mut b) = (b"<".to_vec(), b"<".to_vec());
                render_int(&mut a, &d, v).unwrap();
                render_int(&mut b, &n, v).unwrap();
                assert_eq!(
                    String::from_utf8(a),
                    String::from_utf8(b),
                    "{{:{s}d}} of {v}"
                );
            }
        }
        // `%`-style: the same digits as `core::fmt`, padded as Python pads.
        for (f, v, want) in [
            ("%(x)03d", 7, "007"),
            ("%(x)03d", -7, "-07"),
            ("%(x)-5d|", 42, "42   |"),
            ("%(x)5d", -42, "  -42"),
            ("%(x)+d", 0, "+0"),
            ("%(x) 4d", 5, "   5"),
            (
                "%(x)d",
                -170_141_183_460_469_231_731_687_303_715_884_105_727,
                "-170141183460469231731687303715884105727",
            ),
        ] {
            let mut out = Vec::new();
            render_int(&mut out, &spec_of(FormatStyle::Percent, f), v).unwrap();
            let want = want.trim_end_matches('|');
            assert_eq!(String::from_utf8(out).unwrap(), want, "{f} of {v}");
        }
    }

    /// `f` with its shortcut pieces turned back into generic fields.
    fn generic(f: &PatternFormatter) -> PatternFormatter {
        let pieces = f
            .pieces
            .iter()
            .map(|p| match p {
                Piece::Text(attr) => Piece::Field(Box::new((Field::Attr(*attr), Spec::plain()))),
                Piece::Message => {
                    Piece::Field(Box::new((Field::Attr(Attr::Message), Spec::plain())))
                }
                Piece::Name => Piece::Field(Box::new((Field::Attr(Attr::Name), Spec::plain()))),
                Piece::Asctime => {
                    Piece::Field(Box::new((Field::Attr(Attr::Asctime), Spec::plain())))
                }
                Piece::Msecs3 => Piece::Field(Box::new((Field::Attr(Attr::Msecs), percent_03d()))),
                p => p.clone(),
            })
            .collect();
        PatternFormatter {
            pieces,
            time: f.time.clone(),
            escape: f.escape,
            one_scan: f.one_scan,
        }
    }

    #[test]
    fn shortcuts_render_like_the_generic_path() {
        assert_eq!(spec_of(FormatStyle::Percent, "%(msecs)03d"), percent_03d());
        let formats = [
            (
                FormatStyle::Percent,
                "%(asctime)s.%(msecs)03d %(levelname)5s %(name)s: %(message)s %(pathname)s %(funcName)s",
            ),
            (FormatStyle::Percent, "%(msecs)03d|%(msecs)04d|%(thread)s"),
            (
                FormatStyle::Brace,
                "{message} {name} {target} {module_path} {threadName} {asctime}",
            ),
            (FormatStyle::Dollar, "$message ${name}"),
        ];
        let times = [
            SystemTime::UNIX_EPOCH + Duration::new(1_764_238_502, 123_456_000),
            SystemTime::UNIX_EPOCH + Duration::new(1_764_238_502, 1_000_000),
            SystemTime::UNIX_EPOCH + Duration::new(1_764_238_502, 999_999_999),
            SystemTime::UNIX_EPOCH + Duration::new(5, 0),
            SystemTime::UNIX_EPOCH - Duration::new(1, 500_000_000),
            SystemTime::UNIX_EPOCH - Duration::new(0, 1),
        ];
        for (style, f) in formats {
            let fast = PatternFormatter::compile(&cfg(style, f)).unwrap();
            assert!(
                fast.pieces.iter().any(|p| matches!(
                    p,
                    Piece::Text(_) | Piece::Msecs3 | Piece::Message | Piece::Name | Piece::Asctime
                )),
                "{f}: no shortcut taken"
            );
            let slow = generic(&fast);
            let render = |f: &PatternFormatter, time: SystemTime, args: fmt::Arguments<'_>| {
                let record = log::Record::builder().args(args).target("app").build();
                let entry = Entry::new(&record).with_time(time).with_thread(3, "t");
                let mut out = Vec::new();
                f.format(&entry, &mut out).unwrap();
                String::from_utf8(out).unwrap()
            };
            for time in times {
                let n = 1;
                let a = render(&fast, time, format_args!("m {n}"));
                let b = render(&slow, time, format_args!("m {n}"));
                assert_eq!(a, b, "{f} at {time:?}");
            }
        }
    }

    #[test]
    fn pad_matches_splice() {
        fn reference(
            out: &mut Vec<u8>,
            start: usize,
            mid: usize,
            width: usize,
            fill: char,
            align: Align,
        ) {
            let len = char_indices(&out[start..]).count();
            if len >= width {
                return;
            }
            let n = width - len;
            let f = fill.to_string().repeat(n);
            let bytes = f.as_bytes();
            match align {
                Align::Left => out.extend_from_slice(bytes),
                Align::Right => {
                    out.splice(start..start, bytes.iter().copied());
                }
                Align::AfterSign => {
                    out.splice(mid..mid, bytes.iter().copied());
                }
                Align::Center => {
                    let left = fill.to_string().repeat(n / 2);
                    let right = fill.to_string().repeat(n - n / 2);
                    out.splice(start..start, left.bytes());
                    out.extend_from_slice(right.as_bytes());
                }
            }
        }
        for fill in [' ', '0', 'é', '€', '😀'] {
            for align in [Align::Left, Align::Right, Align::AfterSign, Align::Center] {
                for width in 0..9 {
                    for text in ["", "-1", "héllo", "-0x2a"] {
                        let mut a = b"pre:".to_vec();
                        a.extend_from_slice(text.as_bytes());
                        let mut b = a.clone();
                        let mid = 4 + usize::from(text.starts_with('-'));
                        pad(&mut a, 4, mid, width, fill, align);
                        reference(&mut b, 4, mid, width, fill, align);
                        assert_eq!(a, b, "{text:?} {width} {fill:?} {align:?}");
                    }
                }
            }
        }
    }

    /// Renders a record whose every text attribute is hostile.
    fn hostile(c: &PatternFormatterConfig) -> String {
        let f = PatternFormatter::compile(c).unwrap();
        let kvs: &[(&str, log::kv::Value<'_>)] = &[
            ("us\x1ber", log::kv::Value::from("bob\x1b[8m")),
            ("plain", log::kv::Value::from("a\u{9b}b")),
        ];
        let spans =
            [crate::SpanRecord::new("req\x07")
                .with_field("id\x1b", log::kv::Value::from("x\x7fy"))];
        let render = |record: &log::Record<'_>| {
            let entry = Entry::new(record)
                .with_thread(7, "w\x08")
                .with_spans(&spans);
            let mut out = Vec::new();
            f.format(&entry, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        let n = 1;
        render(
            &log::Record::builder()
                .args(format_args!("m{n}\x1b]0;t\x07\r\n\u{9b}2J\tend"))
                .level(log::Level::Warn)
                .target("app\x1b[2J")
                .file(Some("src/\x1b/db.rs"))
                .module_path(Some("app::\x1b"))
                .key_values(&kvs)
                .build(),
        )
    }

    #[test]
    fn record_text_is_escaped_and_the_format_s_own_text_is_not() {
        let mut c = cfg(
            FormatStyle::Percent,
            "\x1b[1m%(name)s\x1b[0m %(threadName)s %(pathname)s %(filename)s %(module)s %(module_path)s|%(message)s|%(kv)s|%(spans)s|%(plain)s|%(missing)s",
        );
        c.defaults.insert("plain".into(), "-".into());
        c.defaults.insert("missing".into(), "\x1b[7m".into());
        assert_eq!(
            hostile(&c),
            "\x1b[1mapp\\x1b[2J\x1b[0m w\\x08 src/\\x1b/db.rs db.rs db app::\\x1b|m1\\x1b]0;t\\x07\\r\n\\x9b2J\tend|us\\x1ber=\"bob\\u001b[8m\" plain=\"a\\u009bb\"|req\\x07{id\\x1b=\"x\\u007fy\"}|a\\x9bb|\x1b[7m"
        );
        c.escape = Escape::Lines;
        assert!(hostile(&c).contains("|m1\\x1b]0;t\\x07\\r\\n\\x9b2J\tend|"));
        c.escape = Escape::None;
        assert!(hostile(&c).contains("|m1\x1b]0;t\x07\r\n\u{9b}2J\tend|"));
        assert!(hostile(&c).starts_with("\x1b[1mapp\x1b[2J\x1b[0m w\x08 "));
    }

    #[test]
    fn one_scan_escapes_exactly_what_piece_by_piece_escaping_does() {
        let formats = [
            (
                FormatStyle::Percent,
                "%(levelname)s %(name)s [%(threadName)s] %(message)s %(kv)s",
            ),
            (
                FormatStyle::Percent,
                "%(message)-40s|%(name).5s|%(plain)s|%(missing)s %(spans)s",
            ),
            (
                FormatStyle::Brace,
                "{name:>20} {message!r} {module_path} {pathname}",
            ),
            (FormatStyle::Dollar, "$message\t${name}"),
        ];
        for (style, f) in formats {
            for escape in [Escape::Control, Escape::Lines] {
                let mut c = cfg(style, f);
                c.escape = escape;
                c.validate = false;
                let fast = PatternFormatter::compile(&c).unwrap();
                assert!(fast.one_scan, "{f}");
                let mut slow = fast.clone();
                slow.one_scan = false;
                let render = |f: &PatternFormatter| {
                    let mut s = Vec::new();
                    let n = 2;
                    let kvs: &[(&str, log::kv::Value<'_>)] =
                        &[("plain", log::kv::Value::from("a\u{9b}b\n"))];
                    f.format(
                        &Entry::new(
                            &log::Record::builder()
                                .args(format_args!("m{n}\x1b]0;t\x07\r\n\u{9b}\tend °"))
                                .target("app\x1b[2J")
                                .file(Some("src/\x1b/db.rs"))
                                .key_values(&kvs)
                                .build(),
                        )
                        .with_thread(7, "w\x08"),
                        &mut s,
                    )
                    .unwrap();
                    s
                };
                assert_eq!(render(&fast), render(&slow), "{f} {escape:?}");
            }
        }
        // Text of the config's own that would be escaped: piece by piece.
        for (f, datefmt, default) in [
            ("\x1b[1m%(message)s", None, "-"),
            ("%(asctime)s %(message)s", Some("%H%n%M"), "-"),
            ("%(message)s %(missing)s", None, "\x07"),
            ("{message:\x07<9}", None, "-"),
        ] {
            let style = if f.starts_with('{') {
                FormatStyle::Brace
            } else {
                FormatStyle::Percent
            };
            let mut c = cfg(style, f);
            c.datefmt = datefmt.map(str::to_owned);
            c.defaults.insert("missing".into(), default.into());
            c.escape = Escape::Lines;
            assert!(!PatternFormatter::compile(&c).unwrap().one_scan, "{f}");
        }
    }

    #[test]
    fn width_and_precision_measure_the_escaped_text() {
        let c = cfg(
            FormatStyle::Brace,
            "{message:.6}|{name:>14}|{threadName:*<8}|{message!r:.4}",
        );
        // `\x1b` is four characters wide; `repr` escapes the raw text itself.
        assert_eq!(hostile(&c), "m1\\x1b|    app\\x1b[2J|w\\x08***|'m1\\");
        let message_only = PatternFormatter::compile(&PatternFormatterConfig {
            escape: Escape::None,
            ..Default::default()
        })
        .unwrap();
        let record = log::Record::builder().args(format_args!("\x1b")).build();
        let mut out = Vec::new();
        message_only.format(&Entry::new(&record), &mut out).unwrap();
        assert_eq!(out, b"\x1b");
        out.clear();
        PatternFormatter::message_only()
            .format(&Entry::new(&record), &mut out)
            .unwrap();
        assert_eq!(out, b"\\x1b");
    }

    #[test]
    fn widths_and_precisions_over_the_bound_are_refused_at_compile_time() {
        for (style, fmt, what) in [
            (
                FormatStyle::Percent,
                "%(levelno).70000f",
                "the precision in `%(levelno).70000f`",
            ),
            (
                FormatStyle::Percent,
                "%(levelname)1000000000000s",
                "the width in",
            ),
            (
                FormatStyle::Percent,
                "%(message)1000000000000s",
                "the width in",
            ),
            (
                FormatStyle::Percent,
                "%(created).70000f",
                "the precision in",
            ),
            (
                FormatStyle::Percent,
                "%(message)-256s",
                "the width in `%(message)-256s`",
            ),
            (
                FormatStyle::Brace,
                "{levelno:.65535e}",
                "the precision in `{levelno:.65535e}`",
            ),
            (
                FormatStyle::Brace,
                "{message:*^99999999999999999999999}",
                "the width in",
            ),
            (FormatStyle::Brace, "{created:0256.1f}", "the width in"),
        ] {
            let e = PatternFormatter::compile_keyed(&cfg(style, fmt)).unwrap_err();
            assert_eq!(e.0, "format", "{fmt}");
            assert!(e.1.starts_with(what), "{fmt}: {}", e.1);
            assert!(
                e.1.ends_with("is over 255, the largest a format allows"),
                "{}",
                e.1
            );
        }
        let mut c = cfg(FormatStyle::Percent, "%(asctime)s %(message)s");
        c.datefmt = Some("%Y %1000d".into());
        let e = PatternFormatter::compile_keyed(&c).unwrap_err();
        assert_eq!(e.0, "datefmt");
        assert!(
            e.1.starts_with("the width in `%1000d` is over 255"),
            "{}",
            e.1
        );
    }

    /// Every attribute under every conversion at the largest width and
    /// precision renders without a panic, in a bounded number of bytes.
    #[test]
    fn the_largest_specs_render_for_every_attribute() {
        let n = crate::formatters::MAX_SPEC_NUMBER;
        let mut compiled = 0;
        for (name, _) in Attr::ALL {
            for ty in "sdfFeEgGxXoc%bn".chars() {
                for (style, fmt) in [
                    (FormatStyle::Percent, format!("%({name})-{n}.{n}{ty}")),
                    (FormatStyle::Percent, format!("%({name})+0{n}.{n}{ty}")),
                    (
                        FormatStyle::Brace,
                        format!("{{{name}:\u{1F600}^{n},.{n}{ty}}}"),
                    ),
                    (FormatStyle::Brace, format!("{{{name}!r:{n}.{n}}}")),
                ] {
                    let mut c = cfg(style, &fmt);
                    c.validate = false;
                    let Ok(f) = PatternFormatter::compile(&c) else {
                        continue;
                    };
                    compiled += 1;
                    let record = log::Record::builder()
                        .args(format_args!("héllo"))
                        .level(log::Level::Info)
                        .build();
                    let mut out = Vec::new();
                    f.format(&Entry::new(&record), &mut out).unwrap();
                    assert!(out.len() <= 4 * 2 * n + 64, "{fmt}: {} bytes", out.len());
                }
            }
        }
        assert!(compiled > 1000, "{compiled}");
    }

    #[test]
    fn placeholders_are_bounded() {
        let at_bound = "%(levelname)s ".repeat(crate::formatters::MAX_PLACEHOLDERS);
        assert!(PatternFormatter::compile(&cfg(FormatStyle::Percent, &at_bound)).is_ok());
        let over = "{message}".repeat(crate::formatters::MAX_PLACEHOLDERS + 1);
        let e = PatternFormatter::compile(&cfg(FormatStyle::Brace, &over)).unwrap_err();
        assert_eq!(
            e,
            "101 placeholders in one format: the most a format allows is 100"
        );
    }

    /// Literals fold into the per-level texts around them in one pass; the
    /// output is what the unfolded pieces would write.
    #[test]
    fn folding_keeps_the_text() {
        let fmt = "a%(levelname)sb%(levelno)dc%(message)sd%(levelname)se";
        assert_eq!(pct(fmt), "aWARNINGb30chéllo 100%dWARNINGe");
        let f = PatternFormatter::compile(&cfg(FormatStyle::Percent, fmt)).unwrap();
        assert_eq!(f.pieces.len(), 3, "{:?}", f.pieces);
    }

    #[test]
    fn paths() {
        assert_eq!(basename("src/app/db.rs"), "db.rs");
        assert_eq!(module_of("src/app/db.rs"), "db");
        assert_eq!(module_of("a/.bashrc"), ".bashrc");
        assert_eq!(module_of("x.tar.gz"), "x.tar");
    }
}
