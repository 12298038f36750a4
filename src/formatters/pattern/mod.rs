//! [`PatternFormatter`]: Python's `logging.Formatter` in its three styles.
//!
//! The format is parsed once, in [`PatternFormatter::compile`], into literal bytes
//! and fields with a compiled spec; [`Formatter::format`] walks those pieces and
//! appends to the caller's buffer, with no parsing and, for the common
//! placeholders, no allocation.
//!
//! The output matches CPython 3.11's `logging.Formatter` byte for byte for the
//! same record (checked by `tests/integration/formatters/pattern_vs_cpython.rs`).

mod attr;
mod missing;
mod number;
mod parse;

use std::fmt;

#[cfg(any(feature = "cli", feature = "otlp"))]
pub(crate) use self::attr::level_name;
pub(crate) use self::attr::{Attr, Sink, Val, attr_value, write_text};
use self::attr::{Kind, write_message};
pub(crate) use self::missing::logging_error;
pub(crate) use self::number::write_repr_float;
use self::number::{is_numeric_type, pad_text, render_float, render_int, write_py_repr};
use self::parse::{Align, Conv, Raw, Sign, Spec};
use super::escape;
use super::time::{self, TimeFormat};
use super::{Formatter, MAX_PLACEHOLDERS};
use crate::config::{Escape, FormatStyle, MissingField, PatternFormatterConfig};
use crate::entry::Entry;
use crate::error::Error;
use crate::error::{ErrorKind, hint};

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
    /// With `missing: logging_error`, the key-values a record must have
    /// (placeholders without a default), in the format's order.
    required: Box<[Box<str>]>,
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
            required: Box::new([]),
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
        let required = if cfg.missing == MissingField::LoggingError {
            pieces
                .iter()
                .filter_map(|p| match p {
                    Piece::Field(f) => match &f.0 {
                        Field::Extra {
                            name,
                            default: None,
                        } => Some(name.clone()),
                        _ => None,
                    },
                    _ => None,
                })
                .collect()
        } else {
            Box::default()
        };
        Ok(PatternFormatter {
            pieces,
            time,
            escape: cfg.escape,
            one_scan,
            required,
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
    if cfg.validate && default.is_none() && cfg.missing == MissingField::Refuse {
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
        if !self.required.is_empty() {
            if let Some(name) = missing::first_missing(&self.required, entry) {
                return Err(missing::report(name, entry));
            }
        }
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

#[cfg(test)]
mod tests {
    use super::attr::*;
    use super::number::*;
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
            required: f.required.clone(),
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
        let spans = [crate::span::SpanRecord::new("req\x07")
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
