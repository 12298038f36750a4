//! One record as an OTLP `LogRecord` (protobuf or JSON), written on the
//! logging thread, and a batch of them as an `ExportLogsServiceRequest`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::SystemTime;

use super::{nested, proto};
use crate::config::OtlpProtocol;
use crate::entry::Entry;
use crate::formatters::write_json_str;

/// Most attributes of one record; more are counted in
/// `dropped_attributes_count` (the OpenTelemetry SDKs' default limit).
pub(crate) const MAX_ATTRIBUTES: usize = 128;
/// Longest string attribute value and key, in bytes; longer ones are cut at
/// a character boundary.
pub(crate) const MAX_VALUE: usize = 64 << 10;
/// Longest body, in bytes; a longer one is cut and the record counted as
/// `oversized`.
pub(crate) const MAX_BODY: usize = 1 << 20;
/// Longest scope (logger) name, in bytes.
pub(crate) const MAX_SCOPE: usize = 1024;

/// `s` cut to at most `max` bytes at a character boundary.
pub(super) fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The OpenTelemetry severity number of a level (log data model: TRACE 1,
/// DEBUG 5, INFO 9, WARN 13, ERROR 17; Rust's `log` has no level above
/// ERROR, so CRITICAL records arrive as ERROR).
pub(crate) fn severity_number(level: log::Level) -> u64 {
    match level {
        log::Level::Trace => 1,
        log::Level::Debug => 5,
        log::Level::Info => 9,
        log::Level::Warn => 13,
        log::Level::Error => 17,
    }
}

fn unix_nanos(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// `hex` as `N` bytes, when it is exactly `2 * N` hex digits and not all
/// zero (an all-zero id is invalid in W3C trace context).
fn hex_id<const N: usize>(hex: &str) -> Option<[u8; N]> {
    let h = hex.as_bytes();
    if h.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (i, pair) in h.chunks(2).enumerate() {
        let digit = |b: u8| (b as char).to_digit(16);
        out[i] = u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok()?;
    }
    out.iter().any(|&b| b != 0).then_some(out)
}

/// A typed value on its way to an `AnyValue`.
#[derive(Clone, Copy)]
pub(super) enum Any<'a> {
    Str(&'a str),
    Int(i64),
    Double(f64),
    Bool(bool),
    /// Only inside a nested value: `log` has no bytes of its own.
    Bytes(&'a [u8]),
    Empty,
}

/// Writes one `AnyValue` body (protobuf) or object (JSON).
pub(super) fn any_value(json: bool, out: &mut Vec<u8>, v: &Any<'_>) {
    match (json, v) {
        (false, Any::Str(s)) => proto::bytes(out, 1, cut(s, MAX_VALUE).as_bytes()),
        (false, Any::Bool(b)) => proto::uint(out, 2, u64::from(*b)),
        (false, Any::Int(i)) => proto::int(out, 3, *i),
        (false, Any::Double(d)) => proto::double(out, 4, *d),
        (false, Any::Bytes(b)) => proto::bytes(out, 7, b),
        (false, Any::Empty) => {}
        (true, Any::Str(s)) => json_string_value(out, cut(s, MAX_VALUE)),
        (true, Any::Bool(b)) => {
            out.extend_from_slice(if *b {
                b"{\"boolValue\":true}"
            } else {
                b"{\"boolValue\":false}"
            });
        }
        // Protobuf's JSON mapping writes 64-bit integers as strings.
        (true, Any::Int(i)) => {
            out.extend_from_slice(b"{\"intValue\":\"");
            push_int(out, *i);
            out.extend_from_slice(b"\"}");
        }
        (true, Any::Double(d)) => {
            if d.is_finite() {
                let _ = write!(Text(out), "{{\"doubleValue\":{d:?}}}");
            } else {
                let name = if d.is_nan() {
                    "NaN"
                } else if *d > 0.0 {
                    "Infinity"
                } else {
                    "-Infinity"
                };
                let _ = write!(Text(out), "{{\"doubleValue\":\"{name}\"}}");
            }
        }
        (true, Any::Bytes(b)) => {
            out.extend_from_slice(b"{\"bytesValue\":\"");
            base64(out, b);
            out.extend_from_slice(b"\"}");
        }
        (true, Any::Empty) => out.extend_from_slice(b"{}"),
    }
}

/// Standard base64 with padding (RFC 4648 §4), as protobuf's JSON mapping
/// writes `bytes`.
fn base64(out: &mut Vec<u8>, bytes: &[u8]) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]
            } else {
                b'='
            });
        }
    }
}

/// `v` in decimal.
fn push_uint(out: &mut Vec<u8>, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// `v` in decimal, with its sign.
fn push_int(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    push_uint(out, v.unsigned_abs());
}

/// `{"stringValue": s}`, `s` as it is: the caller bounds it.
fn json_string_value(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(b"{\"stringValue\":");
    write_json_str(out, s);
    out.push(b'}');
}

/// `fmt::Write` into a byte buffer.
struct Text<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Text<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// The `LogRecord` being written: attributes go straight into `out`.
struct Writer<'o> {
    json: bool,
    out: &'o mut Vec<u8>,
    /// Attributes written, and those left out past [`MAX_ATTRIBUTES`].
    count: usize,
    dropped: u32,
    trace_id: Option<[u8; 16]>,
    span_id: Option<[u8; 8]>,
}

impl Writer<'_> {
    fn attribute(&mut self, key: &str, value: &Any<'_>) {
        self.attribute_with(key, |json, out| any_value(json, out, value));
    }

    /// An attribute whose `AnyValue` body (protobuf) or object (JSON)
    /// `value` writes.
    fn attribute_with(&mut self, key: &str, value: impl FnOnce(bool, &mut Vec<u8>)) {
        if self.count >= MAX_ATTRIBUTES {
            self.dropped += 1;
            return;
        }
        self.count += 1;
        let key = cut(key, MAX_VALUE);
        if self.json {
            if self.count > 1 {
                self.out.push(b',');
            }
            self.out.extend_from_slice(b"{\"key\":");
            write_json_str(self.out, key);
            self.out.extend_from_slice(b",\"value\":");
            value(true, self.out);
            self.out.push(b'}');
        } else {
            proto::message(self.out, 6, |m| {
                proto::bytes(m, 1, key.as_bytes());
                proto::message(m, 2, |a| value(false, a));
            });
        }
    }

    /// A key-value of the record: `trace_id` and `span_id` in W3C hex
    /// become the record's ids; anything else an attribute, typed.
    fn key_value(&mut self, key: &str, value: &log::kv::Value<'_>) {
        if key == "trace_id" || key == "span_id" {
            let text = value
                .to_borrowed_str()
                .map_or_else(|| value.to_string().into(), std::borrow::Cow::Borrowed);
            if key == "trace_id" && self.trace_id.is_none() {
                self.trace_id = hex_id(&text);
                if self.trace_id.is_some() {
                    return;
                }
            } else if key == "span_id" && self.span_id.is_none() {
                self.span_id = hex_id(&text);
                if self.span_id.is_some() {
                    return;
                }
            }
        }
        struct Typed<'w, 'o, 'k> {
            w: &'w mut Writer<'o>,
            key: &'k str,
        }
        impl<'v> log::kv::VisitValue<'v> for Typed<'_, '_, '_> {
            /// A map, sequence, struct or enum (captured with `:serde`), or a
            /// value captured with `:?` or `:%`, which serializes as a string.
            fn visit_any(&mut self, value: log::kv::Value<'_>) -> Result<(), log::kv::Error> {
                let mut dropped = 0;
                self.w.attribute_with(self.key, |json, out| {
                    dropped = nested::write(json, out, &value);
                });
                self.w.dropped = self.w.dropped.saturating_add(dropped);
                Ok(())
            }
            fn visit_null(&mut self) -> Result<(), log::kv::Error> {
                self.w.attribute(self.key, &Any::Empty);
                Ok(())
            }
            fn visit_u64(&mut self, v: u64) -> Result<(), log::kv::Error> {
                match i64::try_from(v) {
                    Ok(i) => self.w.attribute(self.key, &Any::Int(i)),
                    // Beyond int64: kept exact, as text.
                    Err(_) => self.w.attribute(self.key, &Any::Str(&v.to_string())),
                }
                Ok(())
            }
            fn visit_i64(&mut self, v: i64) -> Result<(), log::kv::Error> {
                self.w.attribute(self.key, &Any::Int(v));
                Ok(())
            }
            fn visit_u128(&mut self, v: u128) -> Result<(), log::kv::Error> {
                match i64::try_from(v) {
                    Ok(i) => self.w.attribute(self.key, &Any::Int(i)),
                    Err(_) => self.w.attribute(self.key, &Any::Str(&v.to_string())),
                }
                Ok(())
            }
            fn visit_i128(&mut self, v: i128) -> Result<(), log::kv::Error> {
                match i64::try_from(v) {
                    Ok(i) => self.w.attribute(self.key, &Any::Int(i)),
                    Err(_) => self.w.attribute(self.key, &Any::Str(&v.to_string())),
                }
                Ok(())
            }
            fn visit_f64(&mut self, v: f64) -> Result<(), log::kv::Error> {
                self.w.attribute(self.key, &Any::Double(v));
                Ok(())
            }
            fn visit_bool(&mut self, v: bool) -> Result<(), log::kv::Error> {
                self.w.attribute(self.key, &Any::Bool(v));
                Ok(())
            }
            fn visit_str(&mut self, v: &str) -> Result<(), log::kv::Error> {
                self.w.attribute(self.key, &Any::Str(v));
                Ok(())
            }
            fn visit_borrowed_str(&mut self, v: &'v str) -> Result<(), log::kv::Error> {
                self.visit_str(v)
            }
            fn visit_char(&mut self, v: char) -> Result<(), log::kv::Error> {
                self.w
                    .attribute(self.key, &Any::Str(v.encode_utf8(&mut [0; 4])));
                Ok(())
            }
        }
        let _ = value.visit(Typed { w: self, key });
    }
}

/// Writes `entry` as one `LogRecord` (the message body of protobuf, or a
/// JSON object) after its scope name, into `out`; returns the length of the
/// scope name and whether the body had to be cut.
pub(super) fn encode(
    entry: &Entry<'_>,
    body: &[u8],
    protocol: OtlpProtocol,
    out: &mut Vec<u8>,
) -> (usize, bool) {
    let json = protocol == OtlpProtocol::HttpJson;
    let record = entry.record();
    let scope = cut(entry.name(), MAX_SCOPE);
    out.extend_from_slice(scope.as_bytes());
    let body = String::from_utf8_lossy(body);
    let cut_body = cut(&body, MAX_BODY);
    let oversized = cut_body.len() < body.len();
    let time = unix_nanos(entry.time());
    let observed = unix_nanos(SystemTime::now());
    let level = record.level();
    let text = crate::formatters::level_name(level);

    let mut w = Writer {
        json,
        out,
        count: 0,
        dropped: 0,
        trace_id: None,
        span_id: None,
    };
    if json {
        // Written piece by piece: `write!` costs more than the rest of
        // the header together.
        w.out.extend_from_slice(b"{\"timeUnixNano\":\"");
        push_uint(w.out, time);
        w.out.extend_from_slice(b"\",\"observedTimeUnixNano\":\"");
        push_uint(w.out, observed);
        w.out.extend_from_slice(b"\",\"severityNumber\":");
        push_uint(w.out, severity_number(level));
        w.out.extend_from_slice(b",\"severityText\":\"");
        w.out.extend_from_slice(text.as_bytes());
        w.out.extend_from_slice(b"\",\"body\":");
        // The body has its own bound (MAX_BODY), not an attribute's.
        json_string_value(w.out, cut_body);
        w.out.extend_from_slice(b",\"attributes\":[");
    } else {
        proto::fixed64(w.out, 1, time);
        proto::fixed64(w.out, 11, observed);
        proto::uint(w.out, 2, severity_number(level));
        proto::bytes(w.out, 3, text.as_bytes());
        // The body is the one large field: its size is known, so it is
        // written in place rather than shifted.
        let value_len = proto::len_prefix_len(1, cut_body.len()) + cut_body.len();
        proto::len_prefix(w.out, 5, value_len);
        proto::bytes(w.out, 1, cut_body.as_bytes());
    }

    struct Kvs<'w, 'o>(&'w mut Writer<'o>);
    impl<'kvs> log::kv::VisitSource<'kvs> for Kvs<'_, '_> {
        fn visit_pair(
            &mut self,
            key: log::kv::Key<'kvs>,
            value: log::kv::Value<'kvs>,
        ) -> Result<(), log::kv::Error> {
            self.0.key_value(key.as_str(), &value);
            Ok(())
        }
    }
    let _ = record.key_values().visit(&mut Kvs(&mut w));
    // Ids from the span scope, innermost first, when the record had none.
    for span in entry.spans().iter().rev() {
        for key in ["trace_id", "span_id"] {
            let have = if key == "trace_id" {
                w.trace_id.is_some()
            } else {
                w.span_id.is_some()
            };
            if have {
                continue;
            }
            if let Some(v) = log::kv::Source::get(span, log::kv::Key::from_str(key)) {
                let text = v.to_string();
                if key == "trace_id" {
                    w.trace_id = hex_id(&text);
                } else {
                    w.span_id = hex_id(&text);
                }
            }
        }
    }
    if let Some(file) = record.file() {
        w.attribute("code.filepath", &Any::Str(file));
    }
    if let Some(line) = record.line() {
        w.attribute("code.lineno", &Any::Int(i64::from(line)));
    }
    if let Some(module) = record.module_path() {
        w.attribute("code.namespace", &Any::Str(module));
    }
    w.attribute(
        "thread.id",
        &Any::Int(i64::try_from(entry.thread_id()).unwrap_or(i64::MAX)),
    );
    if let Some(name) = entry.thread_name() {
        w.attribute("thread.name", &Any::Str(name));
    }

    let (trace_id, span_id, dropped) = (w.trace_id, w.span_id, w.dropped);
    if json {
        out.push(b']');
        if dropped > 0 {
            let _ = write!(Text(out), ",\"droppedAttributesCount\":{dropped}");
        }
        // OTLP/JSON writes ids as hex, not base64 (the one difference from
        // protobuf's JSON mapping).
        for (name, id) in [
            ("traceId", trace_id.as_ref().map(|i| &i[..])),
            ("spanId", span_id.as_ref().map(|i| &i[..])),
        ] {
            if let Some(id) = id {
                let _ = write!(Text(out), ",\"{name}\":\"");
                for b in id {
                    let _ = write!(Text(out), "{b:02x}");
                }
                out.push(b'"');
            }
        }
        out.push(b'}');
    } else {
        if dropped > 0 {
            proto::uint(out, 7, u64::from(dropped));
        }
        if let Some(id) = trace_id {
            proto::bytes(out, 9, &id);
        }
        if let Some(id) = span_id {
            proto::bytes(out, 10, &id);
        }
    }
    (scope.len(), oversized)
}

/// The attributes of the resource, written once when the handler starts:
/// the body of a `Resource` message, or its JSON object.
pub(super) fn resource(attributes: &[(String, String)], protocol: OtlpProtocol) -> Vec<u8> {
    let json = protocol == OtlpProtocol::HttpJson;
    let mut out = Vec::new();
    let mut w = Writer {
        json,
        out: &mut out,
        count: 0,
        dropped: 0,
        trace_id: None,
        span_id: None,
    };
    if json {
        w.out.extend_from_slice(b"{\"attributes\":[");
    }
    // A resource attribute is field 1 of `Resource`, where a record's is
    // field 6: written as a record's, then renumbered below.
    for (k, v) in attributes {
        w.attribute(k, &Any::Str(v));
    }
    if json {
        out.extend_from_slice(b"]}");
        return out;
    }
    // Re-key each attribute from field 6 to field 1: same wire type, and
    // both keys take one byte.
    let mut fixed = Vec::with_capacity(out.len());
    for (field, value) in proto::fields(&out).unwrap_or_default() {
        if let (6, proto::Field::Bytes(b)) = (field, value) {
            proto::bytes(&mut fixed, 1, b);
        }
    }
    fixed
}

/// One encoded record, as the batch sees it.
pub(super) struct Encoded<'a> {
    pub(super) scope: &'a str,
    pub(super) record: &'a [u8],
}

/// The body of one export request holding `records`, under `resource`.
pub(super) fn request<'a>(
    resource: &[u8],
    records: impl Iterator<Item = Encoded<'a>>,
    protocol: OtlpProtocol,
) -> Vec<u8> {
    // Records grouped by scope, each group in the order of its first record.
    let mut groups: Vec<(&str, Vec<&[u8]>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for r in records {
        let i = *index.entry(r.scope).or_insert_with(|| {
            groups.push((r.scope, Vec::new()));
            groups.len() - 1
        });
        groups[i].1.push(r.record);
    }
    if protocol == OtlpProtocol::HttpJson {
        let mut out = b"{\"resourceLogs\":[{\"resource\":".to_vec();
        out.extend_from_slice(resource);
        out.extend_from_slice(b",\"scopeLogs\":[");
        for (i, (scope, recs)) in groups.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"scope\":{\"name\":");
            write_json_str(&mut out, scope);
            out.extend_from_slice(b"},\"logRecords\":[");
            for (j, r) in recs.iter().enumerate() {
                if j > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(r);
            }
            out.extend_from_slice(b"]}");
        }
        out.extend_from_slice(b"]}]}");
        return out;
    }
    let field = |n: u32, len: usize| proto::len_prefix_len(n, len) + len;
    // ScopeLogs: scope (1) = InstrumentationScope { name (1) }, log_records (2).
    let sizes: Vec<(usize, usize)> = groups
        .iter()
        .map(|(scope, recs)| {
            let scope_msg = field(1, scope.len());
            let total = field(1, scope_msg) + recs.iter().map(|r| field(2, r.len())).sum::<usize>();
            (scope_msg, total)
        })
        .collect();
    // ResourceLogs: resource (1), scope_logs (2).
    let resource_logs =
        field(1, resource.len()) + sizes.iter().map(|(_, s)| field(2, *s)).sum::<usize>();
    let mut out = Vec::with_capacity(field(1, resource_logs));
    proto::len_prefix(&mut out, 1, resource_logs);
    proto::bytes(&mut out, 1, resource);
    for ((scope, recs), (scope_msg, total)) in groups.iter().zip(&sizes) {
        proto::len_prefix(&mut out, 2, *total);
        proto::len_prefix(&mut out, 1, *scope_msg);
        proto::bytes(&mut out, 1, scope.as_bytes());
        for r in recs {
            proto::bytes(&mut out, 2, r);
        }
    }
    out
}

/// The partial success of an export answer: records the server rejected,
/// and its message (cut to 512 bytes); `None` when it rejected none.
pub(super) fn partial_success(body: &[u8], protocol: OtlpProtocol) -> Option<(u64, String)> {
    let (rejected, message) = if protocol == OtlpProtocol::HttpJson {
        let v: serde_json::Value = serde_json::from_slice(body).ok()?;
        let p = v
            .get("partialSuccess")
            .or_else(|| v.get("partial_success"))?;
        let r = p
            .get("rejectedLogRecords")
            .or_else(|| p.get("rejected_log_records"))?;
        let n = r
            .as_u64()
            .or_else(|| r.as_str().and_then(|s| s.parse().ok()))?;
        let m = p
            .get("errorMessage")
            .or_else(|| p.get("error_message"))
            .and_then(|m| m.as_str())
            .unwrap_or("");
        (n, m.to_owned())
    } else {
        let top = proto::fields(body)?;
        let inner = top.iter().find_map(|(f, v)| match (f, v) {
            (1, proto::Field::Bytes(b)) => Some(*b),
            _ => None,
        })?;
        let mut n = 0;
        let mut m = String::new();
        for (f, v) in proto::fields(inner)? {
            match (f, v) {
                (1, proto::Field::Varint(v)) => n = v,
                (2, proto::Field::Bytes(b)) => m = String::from_utf8_lossy(b).into_owned(),
                _ => {}
            }
        }
        (n, m)
    };
    // A negative count (a broken server) reads as a huge one: not trusted.
    (rejected > 0 && rejected < i64::MAX as u64).then(|| {
        // The server's text reaches the error hook: no controls, one line.
        let mut m = Vec::new();
        crate::formatters::escape::push_str(
            &mut m,
            cut(&message, 512),
            crate::config::Escape::Lines,
        );
        (rejected, String::from_utf8_lossy(&m).into_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_w3c_hex_and_not_zero() {
        assert_eq!(hex_id::<2>("0aFf"), Some([0x0a, 0xff]));
        assert_eq!(hex_id::<2>("0000"), None);
        assert_eq!(hex_id::<2>("0a"), None);
        assert_eq!(hex_id::<2>("0g00"), None);
    }

    #[test]
    fn integers_are_written_as_display_writes_them() {
        for v in [0, 1, 9, 10, -1, -10, 1 << 40, i64::MIN, i64::MAX] {
            let mut out = Vec::new();
            push_int(&mut out, v);
            assert_eq!(out, v.to_string().as_bytes());
        }
        let mut out = Vec::new();
        push_uint(&mut out, u64::MAX);
        assert_eq!(out, u64::MAX.to_string().as_bytes());
    }

    #[test]
    fn cuts_keep_characters_whole() {
        assert_eq!(cut("héllo", 2), "h");
        assert_eq!(cut("hé", 3), "hé");
    }

    #[test]
    fn partial_success_reads_both_encodings() {
        let mut inner = Vec::new();
        proto::uint(&mut inner, 1, 3);
        proto::bytes(&mut inner, 2, b"bad\x1b[2J");
        let mut body = Vec::new();
        proto::bytes(&mut body, 1, &inner);
        let (n, m) = partial_success(&body, OtlpProtocol::HttpProtobuf).unwrap();
        assert_eq!(n, 3);
        assert!(!m.contains('\x1b'), "{m:?}");
        let json = br#"{"partialSuccess":{"rejectedLogRecords":"2","errorMessage":"x"}}"#;
        assert_eq!(
            partial_success(json, OtlpProtocol::HttpJson),
            Some((2, "x".to_owned()))
        );
        assert_eq!(partial_success(b"", OtlpProtocol::HttpProtobuf), None);
        assert_eq!(partial_success(b"{}", OtlpProtocol::HttpJson), None);
    }
}
