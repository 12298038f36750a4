//! Escaping record-supplied text on its way to the output.
//!
//! Record text is hostile until proven otherwise: a message can carry an ESC
//! sequence that retitles or clears the reader's terminal (tracing-subscriber's
//! CVE-2025-58160), or a newline and a fake timestamp that forge a second
//! record. The pattern formatter escapes each piece of record text right after
//! writing it ([`escape_from`]): text that needs nothing costs one scan of the
//! bytes just written (16 at a time), nothing moves and nothing is allocated;
//! text that needs escapes is fixed in place, growing the buffer once.
//!
//! Outputs whose framing a byte can break (a newline-framed TCP stream, a
//! NUL-framed local socket, a mail body) call [`escape_breaks`] on the bytes
//! any formatter rendered, since a custom formatter or `escape: none` may have
//! left them raw.
//!
//! An escaped character is written as Python's `repr()` writes it: `\r`, `\n`,
//! else `\x` and two lowercase hex digits (`\x1b`, `\x7f`, `\x9b` for U+009B).
//! The backslash itself is not escaped, so printable text stays byte for byte
//! what CPython writes; a reader can tell an escape from literal text only by
//! context, which is enough to read it and never enough to forge a record.

use crate::config::Escape;

/// The byte besides tab that `escape` leaves alone: newline for `control`;
/// tab again (that is, nothing more) for `lines`.
#[inline]
fn kept(escape: Escape) -> u8 {
    match escape {
        Escape::Lines => b'\t',
        _ => b'\n',
    }
}

/// Whether byte `b` may start a character that is escaped: a C0 control other
/// than tab and `kept`, DEL, or `0xC2`, the first byte of U+0080 to U+00BF
/// (the C1 controls are U+0080 to U+009F, so the next byte decides).
#[inline(always)]
fn suspect(b: u8, kept: u8) -> bool {
    (b < 0x20) & (b != b'\t') & (b != kept) | (b == 0x7f) | (b == 0xc2)
}

/// Whether `b` ends a record on a line- or NUL-framed output.
#[inline(always)]
fn breaks(b: u8) -> bool {
    (b == b'\n') | (b == b'\r') | (b == 0)
}

/// A cheap superset of [`suspect`] and [`breaks`] for one byte: below 0x20,
/// DEL, or 0x80..=0x9F (the second byte of a C1 control in UTF-8; also of
/// some other characters, which the exact test then clears).
#[inline(always)]
fn may_hit(b: u8) -> bool {
    (b.wrapping_add(1) & 0x7f) <= 0x20
}

const ONES: u64 = 0x0101_0101_0101_0101;

/// Whether some byte of the 8 in `w` is below `n` (n <= 128): the classic
/// SWAR test, exact for "any".
#[inline(always)]
fn word_has_less(w: u64, n: u8) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    w.wrapping_sub(ONES * u64::from(n)) & !w & HIGH != 0
}

/// Whether some byte of the 8 in `w` is `b`.
#[inline(always)]
fn word_has(w: u64, b: u8) -> bool {
    word_has_less(w ^ (ONES * u64::from(b)), 1)
}

/// Whether some byte of the 8 in `w` is below 0x20, DEL or 0xC2: another
/// cheap superset of [`suspect`] and [`breaks`].
#[inline(always)]
fn word_may_hit(w: u64) -> bool {
    word_has_less(w, 0x20) | word_has(w, 0x7f) | word_has(w, 0xc2)
}

/// Whether some byte of `bytes` may be a `hit`: `false` means certainly
/// not. `word_hit` must be true of every 8 bytes that hold a `hit`.
#[inline(always)]
fn scan(bytes: &[u8], hit: impl Fn(u8) -> bool + Copy, word_hit: impl Fn(u64) -> bool) -> bool {
    let n = bytes.len();
    // A block of 16 bytes with no early exit inside: a few vector instructions.
    let block = |s: &[u8]| s.iter().fold(false, |a, &b| a | hit(b));
    if n >= 16 {
        let mut blocks = bytes.chunks_exact(16);
        for b in &mut blocks {
            if block(b) {
                return true;
            }
        }
        // The last 16 bytes cover the rest.
        !blocks.remainder().is_empty() && block(&bytes[n - 16..])
    } else if n >= 8 {
        // Two overlapping words.
        let word = |s: &[u8]| s.try_into().map_or(0, u64::from_le_bytes);
        word_hit(word(&bytes[..8])) || word_hit(word(&bytes[n - 8..]))
    } else {
        block(bytes)
    }
}

/// Whether `bytes` may hold a byte that [`suspect`] or [`breaks`] selects:
/// `false` means certainly not. The fast path of every escape, inlined where
/// text is written.
#[inline(always)]
fn may_hold(bytes: &[u8]) -> bool {
    scan(bytes, may_hit, word_may_hit)
}

/// Whether UTF-8 `text` may need an escape in a JSON string: a C0 control,
/// `"`, `\`, DEL or a C1 control. `false` means certainly not.
#[inline(always)]
pub(crate) fn may_need_json(text: &[u8]) -> bool {
    scan(
        text,
        |b| may_hit(b) | (b == b'"') | (b == b'\\'),
        |w| word_may_hit(w) | word_has(w, b'"') | word_has(w, b'\\'),
    )
}

/// Whether any byte of `bytes` is a `hit`.
#[inline]
fn any(bytes: &[u8], hit: impl Fn(u8) -> bool) -> bool {
    bytes.iter().any(|&b| hit(b))
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The escape of code point `c` (below U+0100): `\r`, `\n`, or `\xNN`, and
/// its length.
#[inline]
fn escape_of(c: u8) -> ([u8; 4], usize) {
    match c {
        b'\r' => (*b"\\r  ", 2),
        b'\n' => (*b"\\n  ", 2),
        _ => (
            [
                b'\\',
                b'x',
                HEX[usize::from(c >> 4)],
                HEX[usize::from(c & 0xf)],
            ],
            4,
        ),
    }
}

/// Appends `s` to `out`, escaping the characters `escape` selects.
#[inline(always)]
pub(crate) fn push_str(out: &mut Vec<u8>, s: &str, escape: Escape) {
    let start = out.len();
    out.extend_from_slice(s.as_bytes());
    escape_from(out, start, escape);
}

/// Escapes, in place, the characters `escape` selects in `out[start..]`: text
/// the caller just wrote there, UTF-8 from a `&str` or a `Display`.
#[inline(always)]
pub(crate) fn escape_from(out: &mut Vec<u8>, start: usize, escape: Escape) {
    if escape != Escape::None && may_hold(out.get(start..).unwrap_or_default()) {
        fix(out, start, kept(escape));
    }
}

/// What the character at `text[i]` becomes: how many bytes it takes and the
/// escape it gets, if any.
#[inline]
fn at(text: &[u8], i: usize, kept: u8) -> (usize, Option<u8>) {
    let b = text[i];
    match text.get(i + 1) {
        // UTF-8 of U+0080..=U+009F: C2 80..=C2 9F.
        Some(&n) if b == 0xc2 && n <= 0x9f => (2, Some(n)),
        _ if b != 0xc2 && suspect(b, kept) => (1, Some(b)),
        _ => (1, None),
    }
}

/// The slow path of [`escape_from`]: some character may need its escape.
#[cold]
#[inline(never)]
fn fix(out: &mut Vec<u8>, start: usize, kept: u8) {
    if !any(&out[start..], |b| suspect(b, kept)) {
        // Tab, a kept newline, or a non-ASCII character: nothing to do.
        return;
    }
    let end = out.len();
    let mut extra = 0;
    let mut i = start;
    while i < end {
        let (width, esc) = at(out, i, kept);
        if let Some(c) = esc {
            extra += escape_of(c).1 - width;
        }
        i += width;
    }
    if extra == 0 {
        // Only characters such as U+00A0 started with 0xC2.
        return;
    }
    out.resize(end + extra, 0);
    // From the back, each byte to its place: nothing is copied twice and the
    // text before `start` never moves. A C1 control is read as its two bytes
    // (0xC2 before a byte 0x80..=0x9F is always its lead byte in UTF-8).
    let mut w = end + extra;
    let mut r = end;
    while r > start {
        let b = out[r - 1];
        let c1 = (0x80..=0x9f).contains(&b) && r - 1 > start && out[r - 2] == 0xc2;
        if c1 || (b != 0xc2 && suspect(b, kept)) {
            let (seq, len) = escape_of(b);
            w -= len;
            out[w..w + len].copy_from_slice(&seq[..len]);
            r -= if c1 { 2 } else { 1 };
        } else {
            w -= 1;
            out[w] = b;
            r -= 1;
        }
    }
}

/// Escapes, in place, every newline, carriage return and NUL in `buf[from..]`
/// (`\n`, `\r`, `\x00`): the bytes that end a record on a line-framed stream
/// or a NUL-framed local socket. `buf` may hold any bytes (a custom formatter's
/// output); nothing moves and nothing is allocated when none is there.
pub(crate) fn escape_breaks(buf: &mut Vec<u8>, from: usize) {
    let tail = buf.get(from..).unwrap_or_default();
    if !may_hold(tail) || !any(tail, breaks) {
        return;
    }
    let extra: usize = tail
        .iter()
        .map(|&b| match b {
            b'\n' | b'\r' => 1,
            0 => 3,
            _ => 0,
        })
        .sum();
    let end = buf.len();
    buf.resize(end + extra, 0);
    let mut w = end + extra;
    for r in (from..end).rev() {
        let b = buf[r];
        if breaks(b) {
            let (seq, len) = escape_of(b);
            w -= len;
            buf[w..w + len].copy_from_slice(&seq[..len]);
        } else {
            w -= 1;
            buf[w] = b;
        }
    }
}

/// `s` as a double-quoted literal that JSON and YAML both read back as `s`:
/// `"` and `\` escaped, and by code point every control character (C0, DEL,
/// C1) and every other character YAML does not allow raw in a stream or
/// folds as a line break (U+2028, U+2029, U+FEFF, U+FFFE, U+FFFF).
#[cfg_attr(
    not(any(feature = "cli", feature = "http")),
    allow(dead_code, reason = "used by the http handler and logfig fmt only")
)]
pub(crate) fn push_quoted(s: &str, out: &mut String) {
    use std::fmt::Write as _;
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{2027}' | '\u{202a}'..='\u{d7ff}' => out.push(c),
            '\u{e000}'..='\u{fefe}' | '\u{ff00}'..='\u{fffd}' | '\u{10000}'.. => out.push(c),
            c => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(s: &str, e: Escape) -> String {
        let mut out = Vec::new();
        push_str(&mut out, s, e);
        String::from_utf8(out).unwrap()
    }

    /// The rule, one character at a time, as the docs state it.
    fn reference(s: &str, e: Escape) -> String {
        let mut out = String::new();
        for c in s.chars() {
            let u = c as u32;
            let escaped = match e {
                Escape::None => false,
                Escape::Control => {
                    (u < 0x20 && c != '\t' && c != '\n') || (0x7f..=0x9f).contains(&u)
                }
                Escape::Lines => (u < 0x20 && c != '\t') || (0x7f..=0x9f).contains(&u),
            };
            match (escaped, c) {
                (false, c) => out.push(c),
                (true, '\r') => out.push_str("\\r"),
                (true, '\n') => out.push_str("\\n"),
                (true, c) => out.push_str(&format!("\\x{u:02x}", u = c as u32)),
            }
        }
        out
    }

    #[test]
    fn terminal_controls_are_escaped_as_python_repr_writes_them() {
        let s = "a\x1b]0;pwned\x07b\x1b[2Jc\r\n\td\0\x7f\u{85}\u{9b}\u{9f}\u{a0}é\u{80}";
        assert_eq!(
            esc(s, Escape::Control),
            "a\\x1b]0;pwned\\x07b\\x1b[2Jc\\r\n\td\\x00\\x7f\\x85\\x9b\\x9f\u{a0}é\\x80"
        );
        assert_eq!(
            esc(s, Escape::Lines),
            "a\\x1b]0;pwned\\x07b\\x1b[2Jc\\r\\n\td\\x00\\x7f\\x85\\x9b\\x9f\u{a0}é\\x80"
        );
        assert_eq!(esc(s, Escape::None), s);
    }

    #[test]
    fn every_character_below_u0100_follows_the_rule_at_every_position() {
        // Each position relative to the 16-byte blocks, each neighbour.
        for mode in [Escape::Control, Escape::Lines, Escape::None] {
            for u in 0..0x100u32 {
                let c = char::from_u32(u).unwrap();
                for pad in 0..34 {
                    let s = format!("{}{c}{}", "x".repeat(pad), "yé".repeat(pad % 5));
                    assert_eq!(
                        esc(&s, mode),
                        reference(&s, mode),
                        "{mode:?} {u:#x} at {pad}"
                    );
                }
            }
        }
    }

    #[test]
    fn clean_text_is_copied_without_growing_the_buffer() {
        let text = "request handled id=7 latency_us=7 user=ann é ü 日本 \t tab";
        let mut out = Vec::with_capacity(text.len());
        let cap = out.capacity();
        push_str(&mut out, text, Escape::Control);
        assert_eq!(out, text.as_bytes());
        assert_eq!(out.capacity(), cap);
    }

    #[test]
    fn text_already_in_the_buffer_is_escaped_in_place_after_start() {
        let mut out = b"\x1b kept | ".to_vec();
        let start = out.len();
        out.extend_from_slice("7\x1b[7m\u{9b}x\u{a0}".as_bytes());
        escape_from(&mut out, start, Escape::Control);
        assert_eq!(out, "\x1b kept | 7\\x1b[7m\\x9bx\u{a0}".as_bytes());
        // Only U+00A0..U+00BF: nothing changes.
        let mut out = "°±\u{a0}".as_bytes().to_vec();
        escape_from(&mut out, 0, Escape::Lines);
        assert_eq!(out, "°±\u{a0}".as_bytes());
    }

    #[test]
    fn breaks_are_escaped_in_place_in_any_bytes() {
        let mut buf = b"<14>1 ok\nforged\0\r\xff".to_vec();
        escape_breaks(&mut buf, 6);
        assert_eq!(buf, b"<14>1 ok\\nforged\\x00\\r\xff");
        // Before `from`, nothing is touched.
        let mut buf = b"a\nb\nc".to_vec();
        escape_breaks(&mut buf, 2);
        assert_eq!(buf, b"a\nb\\nc");
        for pad in 0..40 {
            let mut buf = format!("{}\n{}", "x".repeat(pad), "y".repeat(pad)).into_bytes();
            escape_breaks(&mut buf, 0);
            assert_eq!(
                buf,
                format!("{}\\n{}", "x".repeat(pad), "y".repeat(pad)).as_bytes()
            );
            let mut clean = "z".repeat(pad).into_bytes();
            escape_breaks(&mut clean, 0);
            assert_eq!(clean, "z".repeat(pad).as_bytes());
        }
        let mut empty = Vec::new();
        escape_breaks(&mut empty, 0);
        escape_breaks(&mut empty, 5);
        assert!(empty.is_empty());
    }

    /// Every character up to U+30000 round-trips through JSON's reader.
    #[test]
    fn quoted_reads_back_as_json() {
        let text: String = (0..0x30000).filter_map(char::from_u32).collect();
        let mut out = String::new();
        push_quoted(&text, &mut out);
        assert_eq!(serde_json::from_str::<String>(&out).unwrap(), text);
        assert!(!out.contains(['\u{85}', '\u{2028}', '\u{7f}', '\u{1b}']));
    }
}
