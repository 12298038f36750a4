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
//! The part of `asctime` that changes once a second is cached per thread and
//! formatter, so a record only pays for copying it and appending the
//! milliseconds. No lock is held while formatting.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use jiff::fmt::strtime::BrokenDownTime;
use jiff::tz::TimeZone;

/// Seconds (floored) and nanoseconds of a time, also before 1970.
pub(crate) fn split(time: SystemTime) -> (i64, u32) {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => (
            i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            d.subsec_nanos(),
        ),
        Err(e) => {
            let d = e.duration();
            let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            match d.subsec_nanos() {
                0 => (-secs, 0),
                n => (-secs - 1, 1_000_000_000 - n),
            }
        }
    }
}

/// Python's `record.created`: `time.time()`, which is the nanosecond count
/// divided by 1e9 (`_PyTime_AsSecondsDouble`), not `secs + nanos / 1e9`.
pub(crate) fn created(time: SystemTime) -> f64 {
    let (secs, nanos) = split(time);
    if nanos == 0 {
        return secs as f64;
    }
    let ns = i128::from(secs) * 1_000_000_000 + i128::from(nanos);
    ns as f64 / 1e9
}

/// Python 3.11's `record.msecs`: `int((created - int(created)) * 1000) + 0.0`.
///
/// This inherits the float rounding of CPython 3.11 (a time at `.001` gives
/// `0`), so that `asctime` and `msecs` match CPython byte for byte.
pub(crate) fn msecs(created: f64) -> f64 {
    ((created - created.trunc()) * 1000.0).trunc() + 0.0
}

/// How `asctime` is rendered.
#[derive(Debug, Clone)]
enum Kind {
    /// Python's default: `%Y-%m-%d %H:%M:%S` then `,` and `%03d` msecs.
    Python,
    /// RFC 3339 with milliseconds and the offset: `2026-11-27T10:15:02.123+00:00`.
    Rfc3339Millis,
    /// A translated `datefmt` with no sub-second directive.
    Strftime(Box<str>),
}

/// A compiled `asctime` renderer: the time zone (resolved once), the format, and
/// an id that keys the per-thread cache.
#[derive(Debug, Clone)]
pub(crate) struct TimeFormat {
    id: u64,
    tz: TimeZone,
    kind: Kind,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl TimeFormat {
    /// The pattern formatter's `asctime`: Python's default without `datefmt`.
    pub(crate) fn python(datefmt: Option<&str>, utc: bool) -> Result<Self, String> {
        Self::build(datefmt, utc, Kind::Python)
    }

    /// The JSON formatter's `asctime`: RFC 3339 with milliseconds without
    /// `datefmt`.
    pub(crate) fn rfc3339(datefmt: Option<&str>, utc: bool) -> Result<Self, String> {
        Self::build(datefmt, utc, Kind::Rfc3339Millis)
    }

    fn build(datefmt: Option<&str>, utc: bool, default: Kind) -> Result<Self, String> {
        let kind = match datefmt {
            None => default,
            Some(f) => Kind::Strftime(translate(f, utc).into_boxed_str()),
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

    /// Appends `asctime` for `time`.
    pub(crate) fn write(&self, time: SystemTime, out: &mut Vec<u8>) {
        let (secs, nanos) = split(time);
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
                    self.finish(slot, time, nanos, out);
                }
                slot.valid
            })
            .unwrap_or(false);
        if !cached {
            let mut slot = Slot::default();
            if self.render_slot(secs, &mut slot).is_ok() {
                self.finish(&slot, time, nanos, out);
            }
        }
    }

    fn finish(&self, slot: &Slot, time: SystemTime, nanos: u32, out: &mut Vec<u8>) {
        out.extend_from_slice(slot.head.as_bytes());
        match self.kind {
            Kind::Python => {
                // `'%s,%03d' % (t, record.msecs)`: msecs is a float, `%d` truncates.
                let ms = msecs(created(time)) as u32;
                push_3digits(out, ms);
                out.extend_from_slice(slot.tail.as_bytes());
            }
            Kind::Rfc3339Millis => {
                push_3digits(out, nanos / 1_000_000);
                out.extend_from_slice(slot.tail.as_bytes());
            }
            Kind::Strftime(_) => {}
        }
    }

    /// Renders the per-second part of `asctime` into `slot`.
    fn render_slot(&self, secs: i64, slot: &mut Slot) -> Result<(), jiff::Error> {
        slot.head.clear();
        slot.tail.clear();
        let ts = jiff::Timestamp::new(secs, 0)?;
        let zoned = ts.to_zoned(self.tz.clone());
        let tm = BrokenDownTime::from(&zoned);
        match &self.kind {
            Kind::Python => {
                tm.format("%Y-%m-%d %H:%M:%S", &mut slot.head)?;
                slot.head.push(',');
            }
            Kind::Rfc3339Millis => {
                tm.format("%Y-%m-%dT%H:%M:%S", &mut slot.head)?;
                slot.head.push('.');
                tm.format("%:z", &mut slot.tail)?;
            }
            Kind::Strftime(f) => tm.format(f.as_bytes(), &mut slot.head)?,
        }
        Ok(())
    }
}

fn push_3digits(out: &mut Vec<u8>, n: u32) {
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

/// Translates a C `strftime` format (as Python's `time.strftime` passes it to
/// glibc, C locale) into the jiff `strtime` format that prints the same text.
pub(crate) fn translate(fmt: &str, utc: bool) -> String {
    let mut out = String::with_capacity(fmt.len() + 8);
    let mut chars = fmt.char_indices().peekable();
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
        match conv {
            'c' => out.push_str("%a %b %e %H:%M:%S %Y"),
            'x' => out.push_str("%m/%d/%y"),
            'X' => out.push_str("%H:%M:%S"),
            'r' => out.push_str("%I:%M:%S %p"),
            'Z' if utc => out.push_str("GMT"),
            '%' => out.push_str("%%"),
            'a' | 'A' | 'b' | 'B' | 'C' | 'd' | 'D' | 'e' | 'F' | 'g' | 'G' | 'h' | 'H' | 'I'
            | 'j' | 'k' | 'l' | 'm' | 'M' | 'n' | 'p' | 'P' | 'R' | 's' | 'S' | 't' | 'T' | 'u'
            | 'U' | 'V' | 'w' | 'W' | 'y' | 'Y' | 'z' | 'Z' => {
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
    out
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
        tf.write(time, &mut out);
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
            "2025-11-27T10:15:02.123+00:00"
        );
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
    fn before_epoch() {
        let t = SystemTime::UNIX_EPOCH - Duration::new(1, 500_000_000);
        assert_eq!(split(t), (-2, 500_000_000));
        assert_eq!(created(t), -1.5);
    }

    #[test]
    fn translation() {
        assert_eq!(translate("%c", false), "%a %b %e %H:%M:%S %Y");
        assert_eq!(translate("%f %N %:z %.f", false), "%%f %%N %%:z %%.f");
        assert_eq!(translate("%Z", true), "GMT");
        assert_eq!(translate("%Ey %Od 100%", false), "%y %d 100%%");
        assert_eq!(translate("%#a %-d %10Y", false), "%^a %-d %10Y");
        let tf = TimeFormat::python(Some("%c|%x|%X|%r|%Z|%f"), true).unwrap();
        assert_eq!(
            render(&tf, at(1_764_238_502, 0)),
            "Thu Nov 27 10:15:02 2025|11/27/25|10:15:02|10:15:02 AM|GMT|%f"
        );
    }
}
