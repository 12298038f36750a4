//! Parsing of the three Python format styles into raw pieces.
//!
//! This is syntax only: names are resolved and specs checked against the
//! attribute types in `mod.rs`. Errors are lowercase, without a trailing period,
//! and quote the offending text in backticks.

use crate::formatters::MAX_SPEC_NUMBER;

/// Alignment of a padded value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Align {
    Left,
    Right,
    Center,
    /// Padding between the sign (and `0x`) and the digits.
    AfterSign,
}

/// What to show for positive numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Sign {
    #[default]
    Minus,
    Plus,
    Space,
}

/// `!r`, `!a`, `%r`, `%a`: the value is replaced by its Python `repr`/`ascii`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Conv {
    #[default]
    None,
    Str,
    Repr,
    Ascii,
}

/// A conversion spec common to both `%` and `str.format`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Spec {
    /// `%`-style semantics (default right alignment, `0` ignored for text).
    pub(super) printf: bool,
    pub(super) fill: char,
    pub(super) align: Option<Align>,
    pub(super) sign: Sign,
    /// `z`: negative zero becomes zero.
    pub(super) z: bool,
    pub(super) alt: bool,
    pub(super) zero: bool,
    pub(super) width: usize,
    /// `,` or `_`.
    pub(super) grouping: Option<char>,
    pub(super) precision: Option<usize>,
    /// The presentation type (`s`, `d`, `f`, ...), `None` for an empty type.
    pub(super) ty: Option<char>,
    pub(super) conv: Conv,
}

impl Spec {
    /// `%(x)s` / `{x}`: the value as it is.
    pub(super) fn plain() -> Self {
        Spec {
            printf: false,
            fill: ' ',
            align: None,
            sign: Sign::Minus,
            z: false,
            alt: false,
            zero: false,
            width: 0,
            grouping: None,
            precision: None,
            ty: None,
            conv: Conv::None,
        }
    }

    /// Whether the value can be written as is, without any spec processing.
    pub(super) fn is_plain(&self) -> bool {
        self.width == 0
            && self.precision.is_none()
            && matches!(self.conv, Conv::None | Conv::Str)
            && matches!(self.ty, None | Some('s'))
    }
}

/// One piece of a parsed format.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Raw {
    Lit(String),
    Field {
        name: String,
        spec: Spec,
        /// The placeholder as written, for messages.
        text: String,
    },
}

fn push_lit(pieces: &mut Vec<Raw>, s: &str) {
    if s.is_empty() {
        return;
    }
    if let Some(Raw::Lit(l)) = pieces.last_mut() {
        l.push_str(s);
    } else {
        pieces.push(Raw::Lit(s.to_owned()));
    }
}

/// Shortens long text quoted in an error.
fn excerpt(s: &str) -> String {
    let mut it = s.char_indices();
    match it.nth(40) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_owned(),
    }
}

/// Rejects a width or precision above [`MAX_SPEC_NUMBER`]: checked once, here,
/// so rendering never meets one (`%(message)1000000000000s` would allocate a
/// terabyte per record, `%(created).70000f` panic inside `core::fmt`).
fn check_numbers(spec: &Spec, text: &str) -> Result<(), String> {
    for (what, n) in [("width", Some(spec.width)), ("precision", spec.precision)] {
        if n.is_some_and(|n| n > MAX_SPEC_NUMBER) {
            return Err(format!(
                "the {what} in `{}` is over {MAX_SPEC_NUMBER}, the largest a format allows",
                excerpt(text)
            ));
        }
    }
    Ok(())
}

/// Parses a `%`-style format as Python's `fmt % record.__dict__` reads it.
pub(super) fn percent(fmt: &str) -> Result<Vec<Raw>, String> {
    let mut pieces = Vec::new();
    let mut rest = fmt;
    while let Some(pos) = rest.find('%') {
        push_lit(&mut pieces, &rest[..pos]);
        let at = &rest[pos..];
        let b = at.as_bytes();
        match b.get(1) {
            Some(b'%') => {
                push_lit(&mut pieces, "%");
                rest = &at[2..];
                continue;
            }
            Some(b'(') => {}
            None => {
                return Err(
                    "incomplete placeholder at `%` at the end (use `%%` for a literal `%`)".into(),
                );
            }
            Some(_) => {
                let end = at.char_indices().nth(3).map_or(at.len(), |(i, _)| i);
                return Err(format!(
                    "placeholder without a name at `{}` (use `%(name)s`, or `%%` for a literal `%`)",
                    excerpt(&at[..end])
                ));
            }
        }
        // Mapping key: balanced parentheses, as CPython.
        let Some(key_end) = closing(b, 1, b'(', b')') else {
            return Err(format!("unterminated placeholder at `{}`", excerpt(at)));
        };
        let name = &at[2..key_end];
        let mut spec = Spec::plain();
        spec.printf = true;
        let mut i = key_end + 1;
        while let Some(&c) = b.get(i) {
            match c {
                b'-' => spec.align = Some(Align::Left),
                b'+' => spec.sign = Sign::Plus,
                b' ' if spec.sign != Sign::Plus => spec.sign = Sign::Space,
                b' ' => {}
                b'#' => spec.alt = true,
                b'0' => spec.zero = true,
                _ => break,
            }
            i += 1;
        }
        let placeholder_end = |i: usize| at.get(..i).map_or_else(|| excerpt(at), excerpt);
        if b.get(i) == Some(&b'*') {
            return Err(format!(
                "`*` width is not supported in `{}`",
                placeholder_end(i + 2)
            ));
        }
        let (width, n) = digits(&b[i..]);
        spec.width = width;
        i += n;
        if b.get(i) == Some(&b'.') {
            i += 1;
            if b.get(i) == Some(&b'*') {
                return Err(format!(
                    "`*` precision is not supported in `{}`",
                    placeholder_end(i + 2)
                ));
            }
            let (p, n) = digits(&b[i..]);
            spec.precision = Some(p);
            i += n;
        }
        // Length modifiers are accepted and ignored, as by CPython.
        while matches!(b.get(i), Some(b'h' | b'l' | b'L')) {
            i += 1;
        }
        let Some(conv) = at[i..].chars().next() else {
            return Err(format!("incomplete placeholder `{}`", excerpt(at)));
        };
        let text = &at[..i + conv.len_utf8()];
        match conv {
            's' => spec.ty = Some('s'),
            'r' => {
                spec.ty = Some('s');
                spec.conv = Conv::Repr;
            }
            'a' => {
                spec.ty = Some('s');
                spec.conv = Conv::Ascii;
            }
            'i' | 'u' => spec.ty = Some('d'),
            'd' | 'f' | 'F' | 'e' | 'E' | 'g' | 'G' | 'x' | 'X' | 'o' | 'c' => {
                spec.ty = Some(conv);
            }
            _ => return Err(format!("invalid conversion `{}`", excerpt(text))),
        }
        check_numbers(&spec, text)?;
        pieces.push(Raw::Field {
            name: name.to_owned(),
            spec,
            text: text.to_owned(),
        });
        rest = &at[text.len()..];
    }
    push_lit(&mut pieces, rest);
    Ok(pieces)
}

fn digits(b: &[u8]) -> (usize, usize) {
    let mut n = 0usize;
    let mut len = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            break;
        }
        n = n.saturating_mul(10).saturating_add(usize::from(c - b'0'));
        len += 1;
    }
    (n, len)
}

/// Parses a `{`-style format as `str.format` reads it.
pub(super) fn brace(fmt: &str) -> Result<Vec<Raw>, String> {
    let mut pieces = Vec::new();
    let b = fmt.as_bytes();
    let mut lit_start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'{' if b.get(i + 1) == Some(&b'{') => {
                push_lit(&mut pieces, &fmt[lit_start..=i]);
                i += 2;
                lit_start = i;
            }
            b'}' if b.get(i + 1) == Some(&b'}') => {
                push_lit(&mut pieces, &fmt[lit_start..=i]);
                i += 2;
                lit_start = i;
            }
            b'}' => {
                return Err(format!(
                    "single `}}` at `{}` (use `}}}}` for a literal `}}`)",
                    excerpt(&fmt[i..])
                ));
            }
            b'{' => {
                push_lit(&mut pieces, &fmt[lit_start..i]);
                // Find the matching `}`, allowing nested `{}` in the spec.
                let Some(end) = closing(b, i, b'{', b'}') else {
                    return Err(format!(
                        "unterminated placeholder at `{}`",
                        excerpt(&fmt[i..])
                    ));
                };
                let text = &fmt[i..=end];
                let inner = &fmt[i + 1..end];
                pieces.push(brace_field(inner, text)?);
                i = end + 1;
                lit_start = i;
            }
            _ => i += 1,
        }
    }
    push_lit(&mut pieces, &fmt[lit_start..]);
    Ok(pieces)
}

fn brace_field(inner: &str, text: &str) -> Result<Raw, String> {
    let name_end = inner.find(['!', ':']).unwrap_or(inner.len());
    let name = &inner[..name_end];
    if name.is_empty() {
        return Err(format!("placeholder without a name at `{}`", excerpt(text)));
    }
    if name.contains(['.', '[']) {
        return Err(format!(
            "attribute and index access are not supported in `{}`",
            excerpt(text)
        ));
    }
    if name.contains('{') {
        return Err(format!("unexpected `{{` in `{}`", excerpt(text)));
    }
    let mut rest = &inner[name_end..];
    let mut conv = Conv::None;
    if let Some(r) = rest.strip_prefix('!') {
        let mut cs = r.chars();
        conv = match cs.next() {
            Some('s') => Conv::Str,
            Some('r') => Conv::Repr,
            Some('a') => Conv::Ascii,
            Some(c) => {
                return Err(format!(
                    "invalid conversion `!{c}` in `{}` (expected `!r`, `!s` or `!a`)",
                    excerpt(text)
                ));
            }
            None => {
                return Err(format!(
                    "missing conversion after `!` in `{}`",
                    excerpt(text)
                ));
            }
        };
        rest = cs.as_str();
        if !rest.is_empty() && !rest.starts_with(':') {
            return Err(format!(
                "expected `:` after the conversion in `{}`",
                excerpt(text)
            ));
        }
    }
    let mut spec = match rest.strip_prefix(':') {
        Some(s) => {
            if s.contains(['{', '}']) {
                return Err(format!(
                    "nested placeholders in format specs are not supported in `{}`",
                    excerpt(text)
                ));
            }
            format_spec(s)
                .ok_or_else(|| format!("invalid format spec `{s}` in `{}`", excerpt(text)))?
        }
        None => Spec::plain(),
    };
    spec.conv = conv;
    check_numbers(&spec, text)?;
    Ok(Raw::Field {
        name: name.to_owned(),
        spec,
        text: text.to_owned(),
    })
}

/// Parses the format-spec mini-language:
/// `[[fill]align][sign][z][#][0][width][grouping][.precision][type]`.
pub(super) fn format_spec(s: &str) -> Option<Spec> {
    let mut spec = Spec::plain();
    let chars: Vec<char> = s.chars().collect();
    let align_of = |c: char| match c {
        '<' => Some(Align::Left),
        '>' => Some(Align::Right),
        '^' => Some(Align::Center),
        '=' => Some(Align::AfterSign),
        _ => None,
    };
    let mut i = 0;
    let has_fill = chars.len() >= 2 && align_of(chars[1]).is_some();
    if let Some(a) = chars.get(1).and_then(|&c| align_of(c)) {
        spec.fill = chars[0];
        spec.align = Some(a);
        i = 2;
    } else if let Some(a) = chars.first().and_then(|&c| align_of(c)) {
        spec.align = Some(a);
        i = 1;
    }
    match chars.get(i) {
        Some('+') => (spec.sign, i) = (Sign::Plus, i + 1),
        Some(' ') => (spec.sign, i) = (Sign::Space, i + 1),
        Some('-') => i += 1,
        _ => {}
    }
    if chars.get(i) == Some(&'z') {
        spec.z = true;
        i += 1;
    }
    if chars.get(i) == Some(&'#') {
        spec.alt = true;
        i += 1;
    }
    if chars.get(i) == Some(&'0') {
        spec.zero = true;
        i += 1;
        // `0` without an explicit fill pads with zeros (Python 3.10+, also text).
        if spec.align.is_none() || (spec.fill == ' ' && !has_fill) {
            spec.fill = '0';
        }
    }
    let mut width = 0usize;
    while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
        width = width.saturating_mul(10).saturating_add(d as usize);
        i += 1;
    }
    spec.width = width;
    if let Some(&g @ (',' | '_')) = chars.get(i) {
        spec.grouping = Some(g);
        i += 1;
    }
    if chars.get(i) == Some(&'.') {
        i += 1;
        let start = i;
        let mut p = 0usize;
        while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
            p = p.saturating_mul(10).saturating_add(d as usize);
            i += 1;
        }
        if i == start {
            return None;
        }
        spec.precision = Some(p);
    }
    if let Some(&t) = chars.get(i) {
        if !"bcdeEfFgGnosxX%".contains(t) {
            return None;
        }
        spec.ty = Some(t);
        i += 1;
    }
    (i == chars.len()).then_some(spec)
}

/// Parses a `$`-style format as `string.Template` reads it.
pub(super) fn dollar(fmt: &str) -> Result<Vec<Raw>, String> {
    let mut pieces = Vec::new();
    let mut rest = fmt;
    let is_start = |c: u8| c == b'_' || c.is_ascii_alphabetic();
    let is_cont = |c: u8| c == b'_' || c.is_ascii_alphanumeric();
    while let Some(pos) = rest.find('$') {
        push_lit(&mut pieces, &rest[..pos]);
        let at = &rest[pos..];
        let b = at.as_bytes();
        let (name, len) = match b.get(1) {
            Some(b'$') => {
                push_lit(&mut pieces, "$");
                rest = &at[2..];
                continue;
            }
            Some(&c) if is_start(c) => {
                let n = 1 + b[1..].iter().take_while(|&&c| is_cont(c)).count();
                (&at[1..n], n)
            }
            Some(b'{') if b.get(2).is_some_and(|&c| is_start(c)) => {
                let n = 2 + b[2..].iter().take_while(|&&c| is_cont(c)).count();
                if b.get(n) != Some(&b'}') {
                    return Err(format!(
                        "invalid placeholder at `{}` (use `${{name}}`, or `$$` for a literal `$`)",
                        excerpt(at)
                    ));
                }
                (&at[2..n], n + 1)
            }
            _ => {
                return Err(format!(
                    "bare `$` at `{}` (use `$name`, `${{name}}`, or `$$` for a literal `$`)",
                    excerpt(at)
                ));
            }
        };
        pieces.push(Raw::Field {
            name: name.to_owned(),
            spec: Spec::plain(),
            text: at[..len].to_owned(),
        });
        rest = &at[len..];
    }
    push_lit(&mut pieces, rest);
    Ok(pieces)
}

/// The index of the bracket that closes the `open` at `b[start]`, counting
/// nested pairs; `None` when it is never closed. Both brackets are ASCII, so
/// byte indices are character boundaries.
fn closing(b: &[u8], start: usize, open: u8, close: u8) -> Option<usize> {
    let mut depth = 0usize;
    for (i, &c) in b.iter().enumerate().skip(start) {
        if c == open {
            depth += 1;
        } else if c == close {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(pieces: &[Raw]) -> Vec<String> {
        pieces
            .iter()
            .map(|p| match p {
                Raw::Lit(l) => format!("L{l}"),
                Raw::Field { name, .. } => format!("F{name}"),
            })
            .collect()
    }

    #[test]
    fn percent_pieces() {
        let p = percent("%(asctime)s %(levelname)-8s 100%% %(name)s").unwrap();
        assert_eq!(
            names(&p),
            ["Fasctime", "L ", "Flevelname", "L 100% ", "Fname"]
        );
        let Raw::Field { spec, .. } = &p[2] else {
            panic!()
        };
        assert_eq!(spec.align, Some(Align::Left));
        assert_eq!(spec.width, 8);
        let p = percent("%(lineno)+05.3ld").unwrap();
        let Raw::Field { spec, .. } = &p[0] else {
            panic!()
        };
        assert_eq!(
            (spec.sign, spec.zero, spec.width, spec.precision, spec.ty),
            (Sign::Plus, true, 5, Some(3), Some('d'))
        );
    }

    #[test]
    fn percent_errors() {
        assert_eq!(
            percent("%(name").unwrap_err(),
            "unterminated placeholder at `%(name`"
        );
        assert_eq!(
            percent("%(lineno)q").unwrap_err(),
            "invalid conversion `%(lineno)q`"
        );
        assert!(
            percent("50% done")
                .unwrap_err()
                .starts_with("placeholder without a name at `% d`")
        );
        assert!(
            percent("100%")
                .unwrap_err()
                .starts_with("incomplete placeholder")
        );
        assert!(
            percent("%(name)")
                .unwrap_err()
                .starts_with("incomplete placeholder `%(name)`")
        );
        assert!(percent("%(name)*s").unwrap_err().contains("`*` width"));
    }

    #[test]
    fn brace_pieces() {
        let p = brace("{{x}} {levelname:*^10} {message!r}").unwrap();
        assert_eq!(names(&p), ["L{x} ", "Flevelname", "L ", "Fmessage"]);
        let Raw::Field { spec, .. } = &p[1] else {
            panic!()
        };
        assert_eq!(
            (spec.fill, spec.align, spec.width),
            ('*', Some(Align::Center), 10)
        );
        let Raw::Field { spec, .. } = &p[3] else {
            panic!()
        };
        assert_eq!(spec.conv, Conv::Repr);
        assert!(
            brace("{name")
                .unwrap_err()
                .starts_with("unterminated placeholder at `{name`")
        );
        assert!(brace("a } b").unwrap_err().starts_with("single `}`"));
        assert!(
            brace("{}")
                .unwrap_err()
                .starts_with("placeholder without a name")
        );
        assert!(
            brace("{name!x}")
                .unwrap_err()
                .starts_with("invalid conversion `!x`")
        );
        assert!(brace("{name.upper}").unwrap_err().contains("attribute"));
        assert!(brace("{message:{w}}").unwrap_err().contains("nested"));
        assert!(
            brace("{lineno:5q}")
                .unwrap_err()
                .starts_with("invalid format spec `5q`")
        );
    }

    #[test]
    fn spec_grammar() {
        let s = format_spec("0=+z#012,.3f").unwrap();
        assert_eq!(s.fill, '0');
        assert_eq!(s.align, Some(Align::AfterSign));
        assert!(s.z && s.alt && s.zero);
        assert_eq!(
            (s.width, s.grouping, s.precision, s.ty),
            (12, Some(','), Some(3), Some('f'))
        );
        assert!(format_spec("").unwrap().is_plain());
        assert!(format_spec(".").is_none());
        assert!(format_spec("10dd").is_none());
    }

    #[test]
    fn dollar_pieces() {
        let p = dollar("$$ ${name}x $levelname.").unwrap();
        assert_eq!(names(&p), ["L$ ", "Fname", "Lx ", "Flevelname", "L."]);
        assert!(dollar("cost $5").unwrap_err().starts_with("bare `$`"));
        assert!(
            dollar("${name")
                .unwrap_err()
                .starts_with("invalid placeholder")
        );
    }
}
