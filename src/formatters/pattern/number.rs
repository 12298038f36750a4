//! Python's format-spec mini-language, as `str.format` and `%` apply it:
//! padding and alignment, integers, decimals, floats, and `repr`.

use std::fmt::{self, Write as _};

use super::attr::Sink;
use super::parse::{Align, Sign, Spec};

pub(super) fn is_numeric_type(ty: Option<char>) -> bool {
    matches!(ty, Some(t) if t != 's')
}

/// Applies precision (truncation) and width to the text at `out[start..]`.
pub(super) fn pad_text(out: &mut Vec<u8>, start: usize, spec: &Spec) -> fmt::Result {
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
pub(super) fn char_indices(b: &[u8]) -> impl Iterator<Item = (usize, u8)> + '_ {
    b.iter()
        .enumerate()
        .filter(|&(_, &c)| (c & 0xC0) != 0x80)
        .map(|(i, &c)| (i, c))
}

/// Pads `out[start..]` to `width` characters; `mid` is where `=` alignment
/// puts the fill (after the sign and `0x`). Never allocates beyond growing
/// `out` (`Vec::splice` with a fill iterator collects into a temporary).
pub(super) fn pad(
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
pub(super) fn push_fill(out: &mut Vec<u8>, fill: &[u8], n: usize) {
    match fill {
        [b] => out.resize(out.len() + n, *b),
        _ => (0..n).for_each(|_| out.extend_from_slice(fill)),
    }
}

/// Inserts `n` copies of `fill` at `at`.
pub(super) fn insert_fill(out: &mut Vec<u8>, at: usize, fill: &[u8], n: usize) {
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
pub(super) fn decimal_digits(buf: &mut [u8; 40], n: u128) -> &[u8] {
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
pub(super) fn push_decimal(out: &mut Vec<u8>, n: u128) {
    let mut buf = [0u8; 40];
    out.extend_from_slice(decimal_digits(&mut buf, n));
}

/// Appends `i` in decimal, as `{i}` would.
pub(super) fn push_int(out: &mut Vec<u8>, i: i128) {
    if i < 0 {
        out.push(b'-');
    }
    push_decimal(out, i.unsigned_abs());
}

/// Number alignment: `-` / explicit align, else `0` pads after the sign.
pub(super) fn number_align(spec: &Spec) -> (Align, char) {
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

pub(super) fn push_sign(out: &mut Vec<u8>, negative: bool, sign: Sign) {
    match (negative, sign) {
        (true, _) => out.push(b'-'),
        (false, Sign::Plus) => out.push(b'+'),
        (false, Sign::Space) => out.push(b' '),
        (false, Sign::Minus) => {}
    }
}

pub(super) fn render_int(out: &mut Vec<u8>, spec: &Spec, i: i128) -> fmt::Result {
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
    if let Some(p) = spec.precision.filter(|_| spec.printf) {
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
pub(super) fn render_decimal(out: &mut Vec<u8>, spec: &Spec, i: i128) -> fmt::Result {
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
pub(super) fn zero_extend_grouped(
    out: &mut Vec<u8>,
    from: usize,
    end: usize,
    min: usize,
    every: usize,
) {
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
pub(super) fn group(out: &mut Vec<u8>, from: usize, end: usize, sep: u8, every: usize) {
    let mut pos = end;
    while pos > from + every {
        pos -= every;
        out.insert(pos, sep);
    }
}

pub(super) fn render_float(out: &mut Vec<u8>, spec: &Spec, v: f64) -> fmt::Result {
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

pub(super) fn write_fixed(out: &mut Vec<u8>, a: f64, prec: usize, alt: bool) -> fmt::Result {
    write!(Sink(out), "{a:.prec$}")?;
    if alt && prec == 0 {
        out.push(b'.');
    }
    Ok(())
}

/// Rust writes `1.5e9`; Python `1.5e+09`. Returns the exponent.
pub(super) fn fix_exponent(out: &mut Vec<u8>, from: usize, upper: bool, alt_dot: bool) -> i32 {
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

pub(super) fn write_exp(
    out: &mut Vec<u8>,
    a: f64,
    prec: usize,
    alt: bool,
    upper: bool,
) -> fmt::Result {
    let from = out.len();
    write!(Sink(out), "{a:.prec$e}")?;
    fix_exponent(out, from, upper, alt);
    Ok(())
}

/// `g` (and the empty type with a precision, `add_dot_0`).
pub(super) fn write_general(
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

pub(super) fn strip_zeros(out: &mut Vec<u8>, from: usize) {
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

pub(super) struct ArrayWriter<'a> {
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
pub(super) fn write_py_repr(out: &mut Vec<u8>, s: &str, ascii: bool) {
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

pub(super) fn is_printable(c: char) -> bool {
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
