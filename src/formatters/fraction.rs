//! Sub-second directives in `datefmt`, and warnings for directives that
//! render as themselves.
//!
//! Two paths read a `datefmt`:
//!
//! - the pattern formatter's `asctime` is Python's: `time.strftime`, which
//!   has no sub-second directive and prints one it does not know (`%f`,
//!   `%N`, `%.6f`) as it is. That stays so, byte for byte with CPython;
//!   sub-seconds come from the `msecs` and `usecs` attributes
//!   (`%(asctime)s.%(usecs)06d`).
//! - the `json` formatter's is logfig's own: `%f` (microseconds, as in
//!   Python's `datetime`), `%N` (nanoseconds), `%3f`/`%6f`/`%9f` (that many
//!   digits) and `%.3f`/`%.6f`/`%.9f` (the same after a `.`, jiff's
//!   spelling) render the fraction of the second, truncated. One per
//!   `datefmt`: the rest of the text is rendered once a second and cached.
//!
//! On both paths a directive that renders as itself is a mistake more often
//! than not (`"%H:%M:%S.%fZ"` in a pattern formatter gave `….%fZ`), so
//! loading the config warns about it, with its position.

use crate::config::FormatterConfig;
use crate::error::Diagnostic;

/// A sub-second directive: how many digits, and whether a `.` comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fraction {
    digits: u8,
    dot: bool,
}

impl Fraction {
    /// Appends the fraction of the second `nanos`, truncated to the digits,
    /// with one copy into `out`.
    #[inline]
    pub(crate) fn write(self, nanos: u32, out: &mut Vec<u8>) {
        let n = nanos.min(999_999_999);
        let mut buf = [b'.'; 10];
        // The usual widths by threes, with divisions by constants; others
        // digit by digit.
        match self.digits {
            3 => put_3digits(&mut buf[1..4], n / 1_000_000),
            6 => {
                put_3digits(&mut buf[1..4], n / 1_000_000);
                put_3digits(&mut buf[4..7], n / 1000 % 1000);
            }
            _ => {
                let mut rest = n;
                for slot in buf[1..].iter_mut().rev() {
                    *slot = b'0' + (rest % 10) as u8;
                    rest /= 10;
                }
            }
        }
        let start = usize::from(!self.dot);
        out.extend_from_slice(&buf[start..=usize::from(self.digits)]);
    }
}

/// `.` and the six digits of the microseconds of `nanos`: RFC 3339's
/// fraction as the `json` formatter writes it by default.
#[inline]
pub(crate) fn micros(nanos: u32) -> [u8; 7] {
    let mut buf = [b'.'; 7];
    let n = nanos.min(999_999_999);
    put_3digits(&mut buf[1..4], n / 1_000_000);
    put_3digits(&mut buf[4..7], n / 1000 % 1000);
    buf
}

/// Writes `n` (below 1000) as three digits into `to`.
#[inline(always)] // reason: per record, with constant divisors
fn put_3digits(to: &mut [u8], n: u32) {
    to[0] = b'0' + (n / 100) as u8;
    to[1] = b'0' + (n / 10 % 10) as u8;
    to[2] = b'0' + (n % 10) as u8;
}

/// One `%` directive of a `datefmt`, as glibc reads it.
struct Directive<'a> {
    /// Byte offset of its `%`.
    at: usize,
    /// Its text, `%` included.
    text: &'a str,
    /// The conversion character (`Y`, `f`, `.`...); `None` for a trailing `%`.
    conv: Option<char>,
}

/// The directives of `fmt`, in order; `%%` is skipped.
fn directives(fmt: &str) -> impl Iterator<Item = Directive<'_>> {
    let mut rest = fmt.char_indices().peekable();
    std::iter::from_fn(move || {
        loop {
            let (at, c) = rest.next()?;
            if c != '%' {
                continue;
            }
            while let Some(&(_, '-' | '_' | '0'..='9' | '^' | '#' | 'E' | 'O')) = rest.peek() {
                rest.next();
            }
            let Some((end, conv)) = rest.next() else {
                return Some(Directive {
                    at,
                    text: &fmt[at..],
                    conv: None,
                });
            };
            if conv == '%' {
                continue;
            }
            let mut stop = end + conv.len_utf8();
            // `%.6f` reads as one directive in messages (glibc sees `%.`).
            if conv == '.' {
                while let Some(&(i, d @ ('0'..='9' | 'f'))) = rest.peek() {
                    rest.next();
                    stop = i + 1;
                    if d == 'f' {
                        break;
                    }
                }
            }
            return Some(Directive {
                at,
                text: &fmt[at..stop],
                conv: Some(conv),
            });
        }
    })
}

/// The sub-second directive `text` stands for on logfig's own path.
fn fraction(text: &str) -> Option<Fraction> {
    let body = text.strip_prefix('%')?;
    let (dot, body) = match body.strip_prefix('.') {
        Some(b) => (true, b),
        None => (false, body),
    };
    let digits = match body {
        "f" if !dot => 6,
        "N" if !dot => 9,
        _ => {
            let n = body.strip_suffix('f')?;
            match n.parse::<u8>() {
                Ok(d @ 1..=9) if n.len() == 1 => d,
                _ => return None,
            }
        }
    };
    Some(Fraction { digits, dot })
}

/// Splits a `datefmt` of logfig's own path around its sub-second directive:
/// (before, the fraction, after), or `None` when it has none.
///
/// # Errors
///
/// When it has more than one.
pub(crate) fn split(fmt: &str) -> Result<Option<(&str, Fraction, &str)>, String> {
    let mut found = None;
    for d in directives(fmt) {
        if let Some(f) = fraction(d.text) {
            if found.is_some() {
                return Err(format!(
                    "`{}` at character {}: a datefmt may hold one sub-second directive",
                    d.text,
                    char_position(fmt, d.at)
                ));
            }
            found = Some((&fmt[..d.at], f, &fmt[d.at + d.text.len()..]));
        }
    }
    Ok(found)
}

/// The directives C `strftime` (glibc, C locale) renders; the others it
/// prints as they are.
const KNOWN: &str = "aAbBcCdDeFgGhHIjklmMnpPrRsStTuUVwWxXyYzZ";

/// Warnings for the directives of `fmt` that render as themselves: on the
/// pattern formatter's path (`python`) every one glibc does not know, on
/// logfig's own path those that are not sub-second directives either.
fn unknown(fmt: &str, python: bool) -> Vec<String> {
    directives(fmt)
        .filter(|d| {
            let known = d.conv.is_some_and(|c| KNOWN.contains(c));
            !known && (python || fraction(d.text).is_none())
        })
        .map(|d| {
            let hint = if python && (d.text.ends_with('f') || d.text.ends_with('N')) {
                "; CPython's `time.strftime` has no sub-second directive: put `%(msecs)03d` or \
                 `%(usecs)06d` after `%(asctime)s` in the format, or use a `json` formatter, \
                 whose datefmt takes `%f`"
            } else if python {
                ", as CPython's `time.strftime` does"
            } else {
                "; sub-seconds are `%f`, `%N`, `%3f`, `%.6f` and the like"
            };
            format!(
                "`{}` at character {} is not a datefmt directive: it is printed as it is{hint}",
                d.text,
                char_position(fmt, d.at)
            )
        })
        .collect()
}

/// Warnings for the `datefmt` of formatter `config` at config path `path`:
/// its directives that render as themselves.
pub(crate) fn datefmt_warnings(path: &str, config: &FormatterConfig) -> Vec<Diagnostic> {
    let (datefmt, python) = match config {
        FormatterConfig::Pattern(c) => (c.datefmt.as_deref(), true),
        FormatterConfig::Json(c) => (c.datefmt.as_deref(), false),
    };
    let path = format!("{path}.datefmt");
    datefmt
        .map(|f| unknown(f, python))
        .unwrap_or_default()
        .into_iter()
        .map(|m| Diagnostic::warning(path.clone(), m))
        .collect()
}

/// The 1-based character position of byte offset `at`.
fn char_position(s: &str, at: usize) -> usize {
    s[..at].chars().count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(f: Fraction, nanos: u32) -> String {
        let mut out = Vec::new();
        f.write(nanos, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn fractions_truncate() {
        assert_eq!(&micros(123_456_789), b".123456");
        assert_eq!(&micros(2_000_000_000), b".999999");
        assert_eq!(written(fraction("%f").unwrap(), 5_000), "000005");
        assert_eq!(written(fraction("%N").unwrap(), 7), "000000007");
        assert_eq!(written(fraction("%3f").unwrap(), 999_999_999), "999");
        assert_eq!(written(fraction("%.9f").unwrap(), 1), ".000000001");
        assert_eq!(written(fraction("%.1f").unwrap(), 950_000_000), ".9");
        for not in ["%.f", "%0f", "%10f", "%.N", "%x", "%.10f", "%ff"] {
            assert_eq!(fraction(not), None, "{not}");
        }
    }

    #[test]
    fn split_around_the_one_fraction() {
        let (head, f, tail) = split("%Y-%m-%dT%H:%M:%S.%fZ").unwrap().unwrap();
        assert_eq!(
            (head, f, tail),
            ("%Y-%m-%dT%H:%M:%S.", fraction("%f").unwrap(), "Z")
        );
        let (head, _, tail) = split("%H:%M:%S%.3f %% %z").unwrap().unwrap();
        assert_eq!((head, tail), ("%H:%M:%S", " %% %z"));
        assert_eq!(split("%H:%M:%S %%f").unwrap(), None);
        let err = split("%S.%f and %N").unwrap_err();
        assert_eq!(
            err,
            "`%N` at character 11: a datefmt may hold one sub-second directive"
        );
    }

    #[test]
    fn warnings_name_the_directive_and_where() {
        let w = unknown("%Y-%m-%dT%H:%M:%S.%fZ", true);
        assert_eq!(w.len(), 1);
        assert!(
            w[0].starts_with("`%f` at character 19 is not a datefmt directive"),
            "{}",
            w[0]
        );
        assert!(w[0].contains("`%(usecs)06d`"), "{}", w[0]);
        assert!(unknown("%Y-%m-%dT%H:%M:%S.%fZ", false).is_empty());
        let w = unknown("é %q %.6f %-d %Ey %% x%", true);
        let texts: Vec<&str> = w.iter().map(|m| &m[..m.find(" at").unwrap()]).collect();
        assert_eq!(texts, ["`%q`", "`%.6f`", "`%`"]);
        assert!(w[0].contains("at character 3"), "{}", w[0]);
        let w = unknown("%S %q %.6f", false);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("sub-seconds are"), "{}", w[0]);
    }
}
