//! [`JsonFormatter`]: one JSON object per record.
//!
//! The keys are written in `fields` order, each pre-escaped once at compile
//! time; values keep their types. The output is valid JSON whatever the record
//! holds: strings are escaped, and non-finite floats become strings. Every
//! control character (C0, DEL, C1) is escaped as `\u00XX` (or `\n`, `\t`, ...),
//! so a JSON line holds no raw newline and cannot drive a terminal.

use std::collections::HashSet;

use super::Formatter;
use super::pattern::{Attr, Sink, Val, attr_value, write_repr_float, write_text};
use super::time::TimeFormat;
use crate::config::{Escape, JsonFormatterConfig};
use crate::entry::Entry;
use crate::error::Error;
use crate::error::{ErrorKind, hint};

#[derive(Debug, Clone)]
struct Field {
    attr: Attr,
    /// `"key":`, escaped.
    key: Box<[u8]>,
}

/// Renders each record as one JSON object, such as
/// `{"asctime":"2026-11-27T10:15:02.123456Z","levelname":"INFO","name":"app.db","message":"connected","kv":{"user":"bob","n":42}}`.
///
/// - Keys come in `fields` order (attribute names as for
///   [`PatternFormatter`](crate::PatternFormatter)), renamed by `rename`.
/// - `levelno`, `lineno`, `process` and `thread` are numbers; `created`,
///   `relativeCreated` and `msecs` are floats; `funcName` and `taskName` are
///   `null`, as are `pathname`, `filename`, `module` and `lineno` when the
///   record has no source location.
/// - `asctime` is RFC 3339 in UTC with microseconds
///   (`2026-11-27T10:15:02.123456Z`; with `utc: false`, local time and its
///   offset, `+01:00`), or `datefmt` when given: C `strftime` plus one
///   sub-second directive, `%f` (microseconds), `%N` (nanoseconds), `%3f`,
///   `%.6f` and the like.
/// - `kv` is an object of the record's key-values with their types kept (bools,
///   integers, floats; anything else as its `Display` text). Non-finite floats
///   become the strings `"NaN"`, `"Infinity"` and `"-Infinity"`.
/// - With `flatten_kv: true` the key-values are written at the top level, where
///   `kv` stands in `fields`. A key-value whose key is also the key of a field
///   is written as `kv.<key>`, so no key appears twice and nothing is lost.
/// - `spans` (not in the default `fields`) is the `tracing` span scope, root
///   first, as an array of `{"name": ..., "fields": {...}}` with the fields'
///   types kept; `[]` for `log` records.
/// - Strings escape `"`, `\` and every control character: C0 (`\n`, `\r`,
///   `\t`, `\b`, `\f`, else `\u00XX`), DEL and C1 (`\u007f`, `\u009b`). A
///   record is one line of valid JSON whatever its text; the text comes back
///   exactly when the JSON is parsed. (Key-value text is its `Display`
///   output, always UTF-8: `log::kv` hands out no raw bytes.)
///
/// # Examples
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use logfig::{Entry, Formatter, JsonFormatter};
/// use logfig::config::JsonFormatterConfig;
///
/// let mut config = JsonFormatterConfig::default();
/// config.rename.insert("levelname".into(), "level".into());
/// let formatter = JsonFormatter::new(&config)?;
///
/// let kvs = [("user", "bob"), ("id", "7")];
/// let record = log::Record::builder()
///     .args(format_args!("say \"hi\""))
///     .level(log::Level::Info)
///     .target("app.db")
///     .key_values(&kvs)
///     .build();
/// let time = SystemTime::UNIX_EPOCH + Duration::from_micros(1_764_238_502_123_456);
/// let mut out = Vec::new();
/// formatter.format(&Entry::new(&record).with_time(time), &mut out)?;
/// assert_eq!(
///     String::from_utf8(out)?,
///     r#"{"asctime":"2025-11-27T10:15:02.123456Z","level":"INFO","name":"app.db","message":"say \"hi\"","kv":{"user":"bob","id":"7"}}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct JsonFormatter {
    fields: Box<[Field]>,
    /// Output keys of the fields, to detect clashes with flattened key-values.
    keys: Box<[Box<str>]>,
    flatten_kv: bool,
    time: Option<TimeFormat>,
}

impl JsonFormatter {
    /// Compiles a JSON formatter from its config.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for an unknown or
    /// repeated field, a `rename` of a field that is not in `fields`, two fields
    /// with the same output key, or an invalid `datefmt`.
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::JsonFormatter;
    /// use logfig::config::JsonFormatterConfig;
    ///
    /// let mut config = JsonFormatterConfig::default();
    /// config.fields = vec!["levelname".into(), "mesage".into()];
    /// let err = JsonFormatter::new(&config).unwrap_err();
    /// assert!(err.to_string().contains("unknown field `mesage` (did you mean `message`?)"));
    /// ```
    pub fn new(cfg: &JsonFormatterConfig) -> Result<Self, Error> {
        Self::compile(cfg).map_err(|m| Error::new(ErrorKind::Invalid, m))
    }

    /// Compiles `cfg`; the error is a message without the config path.
    pub(crate) fn compile(cfg: &JsonFormatterConfig) -> Result<JsonFormatter, String> {
        Self::compile_keyed(cfg).map_err(|(_, message)| message)
    }

    /// Compiles `cfg`; the error names the key it is about (`fields` or
    /// `datefmt`), so a diagnostic can point at that key.
    pub(crate) fn compile_keyed(
        cfg: &JsonFormatterConfig,
    ) -> Result<JsonFormatter, (&'static str, String)> {
        let mut formatter = Self::compile_fields(cfg).map_err(|m| ("fields", m))?;
        if formatter.fields.iter().any(|f| f.attr == Attr::Asctime) {
            let time = TimeFormat::rfc3339(cfg.datefmt.as_deref(), cfg.utc);
            formatter.time = Some(time.map_err(|m| ("datefmt", m))?);
        }
        Ok(formatter)
    }

    /// The formatter without its time format: the fields to write and their
    /// keys, as JSON text.
    fn compile_fields(cfg: &JsonFormatterConfig) -> Result<JsonFormatter, String> {
        let mut fields = Vec::with_capacity(cfg.fields.len());
        let mut keys: Vec<Box<str>> = Vec::with_capacity(cfg.fields.len());
        let mut seen = HashSet::new();
        for name in &cfg.fields {
            let Some(attr) = Attr::from_name(name) else {
                return Err(format!(
                    "unknown field `{name}`{}",
                    hint(name, Attr::names())
                ));
            };
            if !seen.insert(name.as_str()) {
                return Err(format!("field `{name}` is listed twice"));
            }
            let key = cfg.rename.get(name).map_or(name.as_str(), String::as_str);
            if keys.iter().any(|k| **k == *key) {
                return Err(format!("two fields are written as key `{key}`"));
            }
            keys.push(key.into());
            let mut escaped = Vec::with_capacity(key.len() + 3);
            write_json_str(&mut escaped, key);
            escaped.push(b':');
            fields.push(Field {
                attr,
                key: escaped.into_boxed_slice(),
            });
        }
        for from in cfg.rename.keys() {
            if !seen.contains(from.as_str()) {
                let candidates = cfg.fields.iter().map(String::as_str);
                return Err(format!(
                    "rename of `{from}`, which is not in `fields`{}",
                    hint(from, candidates)
                ));
            }
        }
        Ok(JsonFormatter {
            fields: fields.into_boxed_slice(),
            keys: keys.into_boxed_slice(),
            flatten_kv: cfg.flatten_kv,
            time: None,
        })
    }

    fn write_value(&self, attr: Attr, entry: &Entry<'_>, out: &mut Vec<u8>) -> std::fmt::Result {
        let record = entry.record();
        let absent = match attr {
            Attr::Lineno => record.line().is_none(),
            Attr::Module | Attr::Filename | Attr::Pathname => record.file().is_none(),
            _ => false,
        };
        if absent {
            out.extend_from_slice(b"null");
            return Ok(());
        }
        match attr {
            Attr::Kv => {
                out.push(b'{');
                let mut v = KvVisitor {
                    out,
                    first: true,
                    clash: &[],
                };
                record
                    .key_values()
                    .visit(&mut v)
                    .map_err(|_| std::fmt::Error)?;
                out.push(b'}');
                Ok(())
            }
            Attr::Spans => write_spans(entry, out),
            _ => write_json_val(&attr_value(attr, entry), entry, self.time.as_ref(), out),
        }
    }
}

impl Formatter for JsonFormatter {
    fn writes_json(&self) -> bool {
        true
    }

    fn format(&self, entry: &Entry<'_>, out: &mut Vec<u8>) -> Result<(), Error> {
        let fail = |_| Error::other("a value's `Display` implementation failed");
        out.push(b'{');
        let mut first = true;
        for field in self.fields.iter() {
            if field.attr == Attr::Kv && self.flatten_kv {
                let mut v = KvVisitor {
                    out,
                    first,
                    clash: &self.keys,
                };
                entry
                    .record()
                    .key_values()
                    .visit(&mut v)
                    .map_err(|_| Error::other("a key-value could not be written"))?;
                first = v.first;
                continue;
            }
            if !first {
                out.push(b',');
            }
            first = false;
            out.extend_from_slice(&field.key);
            self.write_value(field.attr, entry, out).map_err(fail)?;
        }
        out.push(b'}');
        Ok(())
    }
}

/// The span scope, root first, as
/// `[{"name":"outer","fields":{"a":1}},...]`; `[]` for `log` records.
fn write_spans(entry: &Entry<'_>, out: &mut Vec<u8>) -> std::fmt::Result {
    out.push(b'[');
    for (i, span) in entry.spans().iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"name\":");
        write_json_str(out, span.name());
        out.extend_from_slice(b",\"fields\":{");
        let mut v = KvVisitor {
            out,
            first: true,
            clash: &[],
        };
        log::kv::Source::visit(span, &mut v).map_err(|_| std::fmt::Error)?;
        out.extend_from_slice(b"}}");
    }
    out.push(b']');
    Ok(())
}

/// Writes key-values as `"k":v` pairs, typed.
struct KvVisitor<'o, 'k> {
    out: &'o mut Vec<u8>,
    first: bool,
    /// Field keys that a flattened key-value must not repeat.
    clash: &'k [Box<str>],
}

impl<'kvs> log::kv::VisitSource<'kvs> for KvVisitor<'_, '_> {
    fn visit_pair(
        &mut self,
        key: log::kv::Key<'kvs>,
        value: log::kv::Value<'kvs>,
    ) -> Result<(), log::kv::Error> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        let k = key.as_str();
        if self.clash.iter().any(|c| **c == *k) {
            let start = self.out.len();
            write_json_str(self.out, k);
            // `"message"` becomes `"kv.message"`.
            self.out.splice(start + 1..start + 1, *b"kv.");
        } else {
            write_json_str(self.out, k);
        }
        self.out.push(b':');
        let val = Val::from_kv(value);
        write_plain_json_val(&val, self.out)?;
        Ok(())
    }
}

/// A value that needs no entry or time (key-values).
fn write_plain_json_val(val: &Val<'_>, out: &mut Vec<u8>) -> std::fmt::Result {
    match val {
        Val::Value(v) => {
            let start = out.len();
            out.push(b'"');
            std::fmt::Write::write_fmt(&mut Sink(out), format_args!("{v}"))?;
            escape_from(out, start + 1);
            out.push(b'"');
            Ok(())
        }
        Val::Int(i) => std::fmt::Write::write_fmt(&mut Sink(out), format_args!("{i}")),
        Val::Float(f) => {
            write_json_float(out, *f);
            Ok(())
        }
        Val::Bool(b) => {
            out.extend_from_slice(if *b { b"true" } else { b"false" });
            Ok(())
        }
        _ => {
            out.extend_from_slice(b"null");
            Ok(())
        }
    }
}

fn write_json_val(
    val: &Val<'_>,
    entry: &Entry<'_>,
    time: Option<&TimeFormat>,
    out: &mut Vec<u8>,
) -> std::fmt::Result {
    match val {
        Val::Int(_) | Val::Float(_) | Val::Bool(_) => write_plain_json_val(val, out),
        Val::None => {
            out.extend_from_slice(b"null");
            Ok(())
        }
        _ => {
            out.push(b'"');
            let start = out.len();
            write_text(val, entry, time, Escape::None, out)?;
            escape_from(out, start);
            out.push(b'"');
            Ok(())
        }
    }
}

fn write_json_float(out: &mut Vec<u8>, f: f64) {
    if f.is_finite() {
        write_repr_float(out, f);
    } else if f.is_nan() {
        out.extend_from_slice(b"\"NaN\"");
    } else if f > 0.0 {
        out.extend_from_slice(b"\"Infinity\"");
    } else {
        out.extend_from_slice(b"\"-Infinity\"");
    }
}

/// Whether byte `b` may need an escape: a C0 control, `"`, `\`, DEL, or
/// `0xC2`, which starts the UTF-8 of the C1 controls (and of U+00A0 to
/// U+00BF, which need none).
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\' || b == 0x7f || b == 0xc2
}

/// Escapes the raw text at `out[start..]` in place (copying only when some
/// byte needs escaping).
fn escape_from(out: &mut Vec<u8>, start: usize) {
    if !super::escape::may_need_json(&out[start..]) {
        return;
    }
    let Some(first) = out[start..].iter().position(|&b| needs_escape(b)) else {
        return;
    };
    let raw = out.split_off(start + first);
    push_escaped_bytes(out, &raw);
}

/// Appends `raw` (UTF-8) with JSON's escapes, C1 controls included.
fn push_escaped_bytes(out: &mut Vec<u8>, raw: &[u8]) {
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        match raw.get(i + 1) {
            Some(&n) if b == 0xc2 && (0x80..=0x9f).contains(&n) => {
                push_u00(out, n);
                i += 2;
            }
            _ => {
                push_escaped(out, b);
                i += 1;
            }
        }
    }
}

/// `\u00XX`.
fn push_u00(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(b"\\u00");
    out.push(HEX[usize::from(b >> 4)]);
    out.push(HEX[usize::from(b & 0xf)]);
}

/// Appends byte `b` of a string, escaped if JSON (or a terminal) needs it.
fn push_escaped(out: &mut Vec<u8>, b: u8) {
    match b {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        0x08 => out.extend_from_slice(b"\\b"),
        0x0c => out.extend_from_slice(b"\\f"),
        b if b < 0x20 || b == 0x7f => push_u00(out, b),
        b => out.push(b),
    }
}

/// Writes `s` as a JSON string, quotes included, every control character
/// escaped.
pub(crate) fn write_json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    push_escaped_bytes(out, s.as_bytes());
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    fn render(cfg: &JsonFormatterConfig, kvs: &[(&str, log::kv::Value<'_>)], msg: &str) -> String {
        let f = JsonFormatter::compile(cfg).unwrap();
        let time = SystemTime::UNIX_EPOCH + Duration::new(1_764_238_502, 123_456_000);
        let mut out = Vec::new();
        f.format(
            &Entry::new(
                &log::Record::builder()
                    .args(format_args!("{msg}"))
                    .level(log::Level::Error)
                    .target("app.db")
                    .file(Some("src/app/db.rs"))
                    .line(Some(9))
                    .key_values(&kvs)
                    .build(),
            )
            .with_time(time)
            .with_thread(3, "main")
            .with_process(11),
            &mut out,
        )
        .unwrap();
        let s = String::from_utf8(out).unwrap();
        serde_json::from_str::<serde_json::Value>(&s).unwrap_or_else(|e| panic!("{e}: {s}"));
        s
    }

    fn cfg(fields: &[&str]) -> JsonFormatterConfig {
        JsonFormatterConfig {
            fields: fields.iter().map(|s| s.to_string()).collect(),
            utc: true,
            ..Default::default()
        }
    }

    #[test]
    fn default_fields() {
        let c = JsonFormatterConfig {
            utc: true,
            ..Default::default()
        };
        let kvs = [
            ("n", log::kv::Value::from(5u64)),
            ("f", log::kv::Value::from(f64::NAN)),
        ];
        assert_eq!(
            render(&c, &kvs, "a\"b\\c\n\u{1}"),
            r#"{"asctime":"2025-11-27T10:15:02.123456Z","levelname":"ERROR","name":"app.db","message":"a\"b\\c\n\u0001","kv":{"n":5,"f":"NaN"}}"#
        );
    }

    #[test]
    fn typed_fields() {
        let c = cfg(&[
            "levelno",
            "lineno",
            "created",
            "msecs",
            "process",
            "thread",
            "threadName",
            "funcName",
            "module",
        ]);
        assert_eq!(
            render(&c, &[], "x"),
            r#"{"levelno":40,"lineno":9,"created":1764238502.123456,"msecs":123.0,"process":11,"thread":3,"threadName":"main","funcName":null,"module":"db"}"#
        );
    }

    #[test]
    fn flatten_and_clash() {
        let mut c = cfg(&["message", "kv", "levelname"]);
        c.flatten_kv = true;
        let kvs = [
            ("message", log::kv::Value::from("dup")),
            ("ok", log::kv::Value::from(true)),
            ("x", log::kv::Value::from(-1.5f64)),
        ];
        assert_eq!(
            render(&c, &kvs, "m"),
            r#"{"message":"m","kv.message":"dup","ok":true,"x":-1.5,"levelname":"ERROR"}"#
        );
        assert_eq!(
            render(&c, &[], "m"),
            r#"{"message":"m","levelname":"ERROR"}"#
        );
        c.fields = vec!["kv".into(), "message".into()];
        assert_eq!(render(&c, &[], "m"), r#"{"message":"m"}"#);
    }

    #[test]
    fn compile_errors() {
        let e = JsonFormatter::compile(&cfg(&["levlname"])).unwrap_err();
        assert_eq!(e, "unknown field `levlname` (did you mean `levelname`?)");
        let e = JsonFormatter::compile(&cfg(&["name", "name"])).unwrap_err();
        assert_eq!(e, "field `name` is listed twice");
        let mut c = cfg(&["name", "message"]);
        c.rename.insert("name".into(), "message".into());
        assert_eq!(
            JsonFormatter::compile(&c).unwrap_err(),
            "two fields are written as key `message`"
        );
        let mut c = cfg(&["name"]);
        c.rename.insert("nam".into(), "logger".into());
        assert_eq!(
            JsonFormatter::compile(&c).unwrap_err(),
            "rename of `nam`, which is not in `fields` (did you mean `name`?)"
        );
    }

    #[test]
    fn every_character_stays_valid_json_and_comes_back() {
        let c = cfg(&["name", "message", "kv", "threadName"]);
        let f = JsonFormatter::compile(&c).unwrap();
        // Every code point below U+0100, a few beyond, at every offset of
        // the 16-byte blocks the escaper scans.
        let chars: Vec<char> = (0..0x100u32)
            .chain([0x2028, 0x2029, 0xfeff, 0x1f600])
            .filter_map(char::from_u32)
            .collect();
        for pad in 0..20 {
            let text: String = "x".repeat(pad) + &chars.iter().collect::<String>();
            let kvs: &[(&str, log::kv::Value<'_>)] = &[(&text, log::kv::Value::from(&*text))];
            let mut out = Vec::new();
            f.format(
                &Entry::new(
                    &log::Record::builder()
                        .args(format_args!("{text}"))
                        .target(&text)
                        .key_values(&kvs)
                        .build(),
                )
                .with_thread(1, &text),
                &mut out,
            )
            .unwrap();
            // One line, no raw control character of any kind.
            assert!(
                !String::from_utf8_lossy(&out).chars().any(char::is_control),
                "{out:?}"
            );
            let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
            assert_eq!(v["message"], text);
            assert_eq!(v["name"], text);
            assert_eq!(v["threadName"], text);
            assert_eq!(v["kv"][&text], text);
        }
    }

    #[test]
    fn datefmt() {
        let mut c = cfg(&["asctime"]);
        c.datefmt = Some("%d/%b/%Y:%H:%M:%S %z".into());
        assert_eq!(
            render(&c, &[], ""),
            r#"{"asctime":"27/Nov/2025:10:15:02 +0000"}"#
        );
    }
}
