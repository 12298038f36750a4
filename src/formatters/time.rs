//! Time rendering shared by the formatters: `created`, `msecs` and `asctime`.
//!
//! `asctime` follows Python's `Formatter.formatTime`: `time.strftime(datefmt,
//! localtime(created))`, or `%Y-%m-%d %H:%M:%S,mmm` without a `datefmt`. The
//! `datefmt` is translated once, at compile time, from C `strftime` (what Python
//! calls) to jiff's `strtime`, so the same `datefmt` gives the same text as
//! CPython on Linux:
//!
//! - `%c`, `%x`, `%X`, `%r` become their C-locale expansions (jiff has its own);
//! - directives glibc does not know (`%f`, `%N`, `%q`, `%Q`, `%:z`, `%.f`, ...)
//!   are printed literally, as glibc does;
//! - the `E` and `O` modifiers are dropped (C locale);
//! - `%Z` in UTC is `GMT`, as `time.gmtime` gives;
//! - `%s` is the true Unix time (glibc runs `mktime` on the broken-down time,
//!   which is off by the local offset when `utc: true`).
//!
//! That is the pattern formatter's path. The `json` formatter's is logfig's
//! own: RFC 3339 in UTC with microseconds by default, and one sub-second
//! directive in a `datefmt` (see `fraction`).
//!
//! The part of `asctime` that changes once a second is cached per thread and
//! formatter, so a record only pays for copying it and appending the
//! fraction of the second. No lock is held while formatting.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
#[cfg(test)]
use std::time::SystemTime;

use jiff::fmt::strtime::BrokenDownTime;
use jiff::tz::TimeZone;

use super::fraction::{self, Fraction};
use super::{MAX_PLACEHOLDERS, MAX_SPEC_NUMBER};

#[cfg(test)]
use crate::entry::split_unix as split;

/// Python's `record.created`: `time.time()`, which is the nanosecond count
/// divided by 1e9 (`_PyTime_AsSecondsDouble`), not `secs + nanos / 1e9`.
#[cfg(test)]
pub(crate) fn created(time: SystemTime) -> f64 {
    let (secs, nanos) = split(time);
    created_at(secs, nanos)
}

/// `created` of the time `secs` (floored) and `nanos` after the Unix epoch.
pub(crate) fn created_at(secs: i64, nanos: u32) -> f64 {
    if nanos == 0 {
        return secs as f64;
    }
    // The same integer converts to the same (correctly rounded) float from
    // u64 as from i128; u64's conversion is a few instructions, i128's a call.
    let small = u64::try_from(secs).ok().and_then(|s| {
        s.checked_mul(1_000_000_000)
            .and_then(|ns| ns.checked_add(u64::from(nanos)))
    });
    if let Some(ns) = small {
        return ns as f64 / 1e9;
    }
    let ns = i128::from(secs) * 1_000_000_000 + i128::from(nanos);
    ns as f64 / 1e9
}

/// Python 3.11's `record.msecs`: `int((created - int(created)) * 1000) + 0.0`.
///
/// This inherits the float rounding of CPython 3.11 (a time at `.001` gives
/// `0`), so that `asctime` and `msecs` match CPython byte for byte.
pub(crate) fn msecs(created: f64) -> f64 {
    ((created - trunc(created)) * 1000.0).trunc() + 0.0
}

/// `f64::trunc`, bit for bit, without the library call that `trunc` is on
/// x86-64 without SSE4.1: below 2^52 a float converts to the integer it
/// truncates to exactly, and back; `copysign` keeps `-0.0` for `-0.5`. At
/// 2^52 and above (and for infinities and NaN) a float is its own `trunc`.
pub(crate) fn trunc(x: f64) -> f64 {
    if x.abs() < 4_503_599_627_370_496.0 {
        (x as i64 as f64).copysign(x)
    } else {
        x
    }
}

/// How `asctime` is rendered.
#[derive(Debug, Clone)]
enum Kind {
    /// Python's default: `%Y-%m-%d %H:%M:%S` then `,` and `%03d` msecs.
    Python,
    /// RFC 3339 with microseconds and the offset, `Z` in UTC:
    /// `2026-11-27T10:15:02.123456Z`.
    Rfc3339Micros,
    /// A translated `datefmt` with no sub-second directive.
    Strftime(Box<str>),
    /// A `datefmt` (logfig's own path) with a sub-second directive: see
    /// [`TimeFormat::split`]. Without data, so that `Kind` keeps a single
    /// variant with data and its per-record `match` stays a niche check.
    Split,
}

/// A translated `datefmt` around its sub-second directive.
#[derive(Debug, Clone)]
struct Split {
    head: Box<str>,
    fraction: Fraction,
    tail: Box<str>,
}

/// A compiled `asctime` renderer: the time zone (resolved once), the format, and
/// an id that keys the per-thread cache.
#[derive(Debug, Clone)]
pub(crate) struct TimeFormat {
    id: u64,
    tz: TimeZone,
    kind: Kind,
    /// With [`Kind::Split`].
    split: Option<Box<Split>>,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl TimeFormat {
    /// The pattern formatter's `asctime`: Python's default without `datefmt`.
    pub(crate) fn python(datefmt: Option<&str>, utc: bool) -> Result<Self, String> {
        Self::build(datefmt, utc, Kind::Python)
    }

    /// The JSON formatter's `asctime`, logfig's own: RFC 3339 with
    /// microseconds without `datefmt`, sub-second directives in a `datefmt`.
    pub(crate) fn rfc3339(datefmt: Option<&str>, utc: bool) -> Result<Self, String> {
        Self::build(datefmt, utc, Kind::Rfc3339Micros)
    }

    fn build(datefmt: Option<&str>, utc: bool, default: Kind) -> Result<Self, String> {
        let own = matches!(default, Kind::Rfc3339Micros);
        let (kind, split) = match datefmt {
            None => (default, None),
            // Python's path has no sub-second directive (`time.strftime`).
            Some(f) => match if own { fraction::split(f)? } else { None } {
                Some((head, fraction, tail)) => (
                    Kind::Split,
                    Some(Box::new(Split {
                        head: translate(head, utc)?.into_boxed_str(),
                        fraction,
                        tail: translate(tail, utc)?.into_boxed_str(),
                    })),
                ),
                None => (Kind::Strftime(translate(f, utc)?.into_boxed_str()), None),
            },
        };
        let tz = if utc {
            TimeZone::UTC
        } else {
            TimeZone::system()
        };
        let this = TimeFormat {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            tz,
            kind,
            split,
        };
        // Render once now, so a datefmt jiff rejects fails at build time and
        // never per record.
        let mut probe = Slot::default();
        if let Err(e) = this.render_slot(1_764_238_502, &mut probe) {
            return Err(match datefmt {
                Some(f) => format!("invalid datefmt `{f}`: {e}"),
                None => format!("cannot render times: {e}"),
            });
        }
        Ok(this)
    }

    /// Appends `asctime` for the time `secs` (floored) and `nanos` after the
    /// Unix epoch.
    pub(crate) fn write(&self, (secs, nanos): (i64, u32), out: &mut Vec<u8>) {
        let cached = CACHE
            .try_with(|cache| {
                let Ok(mut cache) = cache.try_borrow_mut() else {
                    return false;
                };
                let slot = &mut cache[(self.id % SLOTS as u64) as usize];
                if slot.id != self.id || slot.secs != secs || !slot.valid {
                    slot.valid = self.render_slot(secs, slot).is_ok();
                    slot.id = self.id;
                    slot.secs = secs;
                }
                if slot.valid {
                    self.finish(slot, secs, nanos, out);
                }
                slot.valid
            })
            .unwrap_or(false);
        if !cached {
            let mut slot = Slot::default();
            if self.render_slot(secs, &mut slot).is_ok() {
                self.finish(&slot, secs, nanos, out);
            }
        }
    }

    fn finish(&self, slot: &Slot, secs: i64, nanos: u32, out: &mut Vec<u8>) {
        out.extend_from_slice(slot.head.as_bytes());
        match self.kind {
            Kind::Python => {
                // `'%s,%03d' % (t, record.msecs)`: msecs is a float, `%d` truncates.
                let ms = msecs(created_at(secs, nanos)) as u32;
                push_3digits(out, ms);
                out.extend_from_slice(slot.tail.as_bytes());
            }
            Kind::Rfc3339Micros | Kind::Split => self.finish_fraction(slot, nanos, out),
            Kind::Strftime(_) => {}
        }
    }

    /// The sub-second part of logfig's own path, and the tail. Not inlined:
    /// in `finish` its registers cost Python's path a dozen instructions a
    /// record (callgrind).
    #[inline(never)]
    fn finish_fraction(&self, slot: &Slot, nanos: u32, out: &mut Vec<u8>) {
        match &self.split {
            // A fixed length: one inline copy, no `memcpy` call.
            None => out.extend_from_slice(&fraction::micros(nanos)),
            Some(split) => split.fraction.write(nanos, out),
        }
        out.extend_from_slice(slot.tail.as_bytes());
    }

    /// Renders the per-second part of `asctime` into `slot`.
    fn render_slot(&self, secs: i64, slot: &mut Slot) -> Result<(), jiff::Error> {
        slot.head.clear();
        slot.tail.clear();
        let ts = jiff::Timestamp::new(secs, 0)?;
        let zoned = ts.to_zoned_datetime(self.tz.clone());
        let tm = BrokenDownTime::from(&zoned);
        match &self.kind {
            Kind::Python => {
                tm.format("%Y-%m-%d %H:%M:%S", &mut slot.head)?;
                slot.head.push(',');
            }
            Kind::Rfc3339Micros => {
                tm.format("%Y-%m-%dT%H:%M:%S", &mut slot.head)?;
                if self.tz == TimeZone::UTC {
                    slot.tail.push('Z');
                } else {
                    tm.format("%:z", &mut slot.tail)?;
                }
            }
            Kind::Strftime(f) => tm.format(f.as_bytes(), &mut slot.head)?,
            Kind::Split => {
                if let Some(split) = &self.split {
                    tm.format(split.head.as_bytes(), &mut slot.head)?;
                    tm.format(split.tail.as_bytes(), &mut slot.tail)?;
                }
            }
        }
        Ok(())
    }
}

pub(crate) fn push_3digits(out: &mut Vec<u8>, n: u32) {
    let n = n.min(999);
    out.extend_from_slice(&[
        b'0' + (n / 100) as u8,
        b'0' + (n / 10 % 10) as u8,
        b'0' + (n % 10) as u8,
    ]);
}

const SLOTS: usize = 4;

#[derive(Debug, Default)]
struct Slot {
    id: u64,
    secs: i64,
    valid: bool,
    head: String,
    tail: String,
}

thread_local! {
    // Direct-mapped by formatter id: a thread that writes through a console and a
    // file formatter keeps both entries.
    static CACHE: RefCell<[Slot; SLOTS]> = RefCell::new(Default::default());
}

/// The glibc directives that jiff renders the same way (flags and width
/// included).
const DIRECTIVES: &str = "aAbBCdDeFgGhHIjklmMnpPRsStTuUVwWyYzZ";

/// Translates a C `strftime` format (as Python's `time.strftime` passes it to
/// glibc, C locale) into the jiff `strtime` format that prints the same text.
///
/// A width above [`MAX_SPEC_NUMBER`] or more than [`MAX_PLACEHOLDERS`]
/// directives is an error, so rendering a second's `asctime` stays small.
pub(crate) fn translate(fmt: &str, utc: bool) -> Result<String, String> {
    let mut out = String::with_capacity(fmt.len() + 8);
    let mut chars = fmt.char_indices().peekable();
    let mut directives = 0usize;
    while let Some((start, c)) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = String::new();
        while let Some(&(_, f @ ('-' | '_' | '0' | '^' | '#'))) = chars.peek() {
            flags.push(f);
            chars.next();
        }
        let mut width = String::new();
        while let Some(&(_, d @ '0'..='9')) = chars.peek() {
            width.push(d);
            chars.next();
        }
        if let Some(&(_, 'E' | 'O')) = chars.peek() {
            chars.next();
        }
        let Some((end, conv)) = chars.next() else {
            // A trailing `%` (with flags) is printed as it is.
            out.push_str(&fmt[start..].replace('%', "%%"));
            break;
        };
        let raw = &fmt[start..end + conv.len_utf8()];
        // What glibc prints literally (`%%`, `%f`) costs nothing to bound.
        if conv != '%' && (DIRECTIVES.contains(conv) || "cxXr".contains(conv)) {
            let digits = width.trim_start_matches('0');
            if digits.len() > 3 || digits.parse::<usize>().is_ok_and(|w| w > MAX_SPEC_NUMBER) {
                return Err(format!(
                    "the width in `{}` is over {MAX_SPEC_NUMBER}, the largest a datefmt allows",
                    excerpt(raw)
                ));
            }
            directives += 1;
            if directives > MAX_PLACEHOLDERS {
                return Err(format!(
                    "more than {MAX_PLACEHOLDERS} `%` directives in one datefmt, the most it allows"
                ));
            }
        }
        match conv {
            'c' => out.push_str("%a %b %e %H:%M:%S %Y"),
            'x' => out.push_str("%m/%d/%y"),
            'X' => out.push_str("%H:%M:%S"),
            'r' => out.push_str("%I:%M:%S %p"),
            'Z' if utc => out.push_str("GMT"),
            '%' => out.push_str("%%"),
            c if DIRECTIVES.contains(c) => {
                // glibc's `#` uppercases names; jiff's swaps case.
                let flags = if matches!(conv, 'a' | 'A' | 'b' | 'B' | 'h') {
                    flags.replace('#', "^")
                } else {
                    flags.replace('#', "")
                };
                out.push('%');
                out.push_str(&flags);
                out.push_str(&width);
                out.push(conv);
            }
            _ => out.push_str(&raw.replace('%', "%%")),
        }
    }
    Ok(out)
}

/// The first 40 characters of `s`, for messages.
fn excerpt(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: u64, nanos: u32) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::new(secs, nanos)
    }

    fn render(tf: &TimeFormat, time: SystemTime) -> String {
        let mut out = Vec::new();
        tf.write(split(time), &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn python_default_shape() {
        let tf = TimeFormat::python(None, true).unwrap();
        let t = at(1_764_238_502, 123_456_000);
        assert_eq!(render(&tf, t), "2025-11-27 10:15:02,123");
        // Cached path gives the same text, and a new second re-renders.
        assert_eq!(render(&tf, t), "2025-11-27 10:15:02,123");
        assert_eq!(
            render(&tf, at(1_764_238_503, 999_000_000)),
            "2025-11-27 10:15:03,999"
        );
    }

    #[test]
    fn rfc3339_shape() {
        let tf = TimeFormat::rfc3339(None, true).unwrap();
        assert_eq!(
            render(&tf, at(1_764_238_502, 123_999_999)),
            "2025-11-27T10:15:02.123999Z"
        );
        // In local time: the offset, `+hh:mm` (jiff's `%:z`).
        let local = render(
            &TimeFormat::rfc3339(None, false).unwrap(),
            at(1_764_238_502, 5_000),
        );
        let (_, offset) = local.split_at(local.len() - 6);
        assert!(local.contains(".000005"), "{local}");
        assert!(
            offset.starts_with(['+', '-']) && &offset[3..4] == ":",
            "{local}"
        );
    }

    #[test]
    fn sub_second_directives_on_the_own_path_only() {
        let t = at(1_764_238_502, 123_456_789);
        let own = |f: &str| render(&TimeFormat::rfc3339(Some(f), true).unwrap(), t);
        assert_eq!(own("%Y-%m-%dT%H:%M:%S.%fZ"), "2025-11-27T10:15:02.123456Z");
        assert_eq!(own("%H:%M:%S%.3f"), "10:15:02.123");
        assert_eq!(own("%s.%N"), "1764238502.123456789");
        assert_eq!(own("[%9f] %% %Z"), "[123456789] % GMT");
        assert_eq!(own("%S %q"), "02 %q");
        // The cached second and a new one.
        let tf = TimeFormat::rfc3339(Some("%S.%6f"), true).unwrap();
        assert_eq!(render(&tf, at(1_764_238_502, 1_000)), "02.000001");
        assert_eq!(render(&tf, at(1_764_238_503, 999_999_000)), "03.999999");
        assert!(TimeFormat::rfc3339(Some("%f %f"), true).is_err());
        // Python's path prints them as `time.strftime` does.
        let py = TimeFormat::python(Some("%S.%f %N %.3f"), true).unwrap();
        assert_eq!(render(&py, t), "02.%f %N %.3f");
    }

    #[test]
    fn msecs_follows_python_311() {
        // CPython 3.11: int((1764238502.001 - 1764238502) * 1000) == 0.
        let c = created(at(1_764_238_502, 1_000_000));
        assert_eq!(msecs(c), 0.0);
        assert_eq!(msecs(created(at(1_764_238_502, 123_000_000))), 123.0);
        assert_eq!(msecs(created(at(5, 0))), 0.0);
    }

    #[test]
    fn created_fast_path_rounds_as_i128() {
        // The u64 conversion must give the float the i128 one gives, at
        // every magnitude (ties to even included).
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for secs in [1_i64, 59, 1_764_238_502, 4_102_444_800, 18_446_744_073] {
            for _ in 0..10_000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let nanos = (x % 1_000_000_000) as u32;
                let slow = (i128::from(secs) * 1_000_000_000 + i128::from(nanos)) as f64 / 1e9;
                assert_eq!(
                    created_at(secs, nanos).to_bits(),
                    slow.to_bits(),
                    "{secs}.{nanos:09}"
                );
            }
        }
    }

    #[test]
    fn trunc_is_f64_trunc() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut specials = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.0,
            -1.0,
            0.999_999_999_999_999_9,
            4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            -4_503_599_627_370_495.5,
            9.3e18,
            -9.3e18,
            1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1_764_238_502.664_123,
        ];
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            specials.push(f64::from_bits(x));
        }
        for v in specials {
            if v.is_nan() {
                assert!(trunc(v).is_nan());
            } else {
                assert_eq!(trunc(v).to_bits(), v.trunc().to_bits(), "{v:e}");
            }
        }
    }

    #[test]
    fn before_epoch() {
        let t = SystemTime::UNIX_EPOCH - Duration::new(1, 500_000_000);
        assert_eq!(split(t), (-2, 500_000_000));
        assert_eq!(created(t), -1.5);
    }

    #[test]
    fn translation() {
        let translate = |f: &str, utc: bool| translate(f, utc).unwrap();
        assert_eq!(translate("%c", false), "%a %b %e %H:%M:%S %Y");
        assert_eq!(translate("%f %N %:z %.f", false), "%%f %%N %%:z %%.f");
        assert_eq!(translate("%Z", true), "GMT");
        assert_eq!(translate("%Ey %Od 100%", false), "%y %d 100%%");
        assert_eq!(translate("%#a %-d %10Y", false), "%^a %-d %10Y");
        // Widths and directive counts are bounded; what glibc prints
        // literally is not a directive.
        assert_eq!(translate("%255Y %0255d", false), "%255Y %0255d");
        assert_eq!(
            super::translate("%256Y", false).unwrap_err(),
            "the width in `%256Y` is over 255, the largest a datefmt allows"
        );
        assert!(super::translate("%_99999999999999999999H", false).is_err());
        assert!(super::translate(&"%Y".repeat(100), false).is_ok());
        assert!(super::translate(&"%Y".repeat(101), false).is_err());
        assert!(super::translate(&format!("{}%1000f", "%%".repeat(200)), false).is_ok());
        let tf = TimeFormat::python(Some("%c|%x|%X|%r|%Z|%f"), true).unwrap();
        assert_eq!(
            render(&tf, at(1_764_238_502, 0)),
            "Thu Nov 27 10:15:02 2025|11/27/25|10:15:02|10:15:02 AM|GMT|%f"
        );
    }
}
