//! Durations as people write them — `250ms`, `30s`, `1h30m`, `1h 30m`,
//! `1.5h`, `30 seconds` — read by one parser wherever a config holds a
//! duration. The schema's pattern is built from the same unit table
//! ([`UNITS`]), so an editor accepts exactly what the loader does.

use std::time::Duration;

/// The longest duration text read, in bytes: `1w 6d 23h 59m 59s 999ms` is 24,
/// and a value is rarely more than a few characters. Longer text is refused
/// before it is looked at.
pub(crate) const MAX_DURATION_TEXT: usize = 64;

/// The longest duration, in seconds (about 31,700 years): past it a value is
/// a mistake, and `Duration` arithmetic on it could overflow.
const MAX_SECS: f64 = 1e12;

/// The units, largest first: the names each may be written as (any case), and
/// its length in seconds. A duration writes its units in this order, each at
/// most once, as jiff's and Go's durations do (`1h30m`, not `30m1h`).
pub(crate) const UNITS: &[(&[&str], f64)] = &[
    (&["w", "week", "weeks"], 604_800.0),
    (&["d", "day", "days"], 86_400.0),
    (&["h", "hr", "hrs", "hour", "hours"], 3_600.0),
    (&["m", "min", "mins", "minute", "minutes"], 60.0),
    (&["s", "sec", "secs", "second", "seconds"], 1.0),
    (
        &["ms", "msec", "msecs", "millisecond", "milliseconds"],
        1e-3,
    ),
    (
        &["us", "µs", "usec", "usecs", "microsecond", "microseconds"],
        1e-6,
    ),
    (&["ns", "nsec", "nsecs", "nanosecond", "nanoseconds"], 1e-9),
];

/// What every duration error ends with: the forms accepted.
const FORMS: &str = "expected `0` or numbers with units from largest to smallest, such as `250ms`, `30s`, `1h30m`, `1.5h` or `30 seconds` (units: w, d, h, m, s, ms, us, ns, or their names)";

/// Parses a duration: `0`, or one or more `<number><unit>` parts, units from
/// largest to smallest, each at most once, optionally separated by spaces. A
/// number may have a fraction (`1.5h`); a number without a unit is refused
/// (is `30` seconds or milliseconds?). `1h30m` is 5400 seconds, as are
/// `1.5h` and `1 hour 30 minutes`.
pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
    if s.len() > MAX_DURATION_TEXT {
        return Err(format!(
            "invalid duration: {} bytes of text, at most {MAX_DURATION_TEXT}; {FORMS}",
            s.len()
        ));
    }
    let t = s.trim();
    if t == "0" {
        return Ok(Duration::ZERO);
    }
    let mut rest = t;
    let mut secs = 0.0;
    // The index in `UNITS` the next unit must come after.
    let mut next = 0;
    if rest.is_empty() {
        return Err(format!("invalid duration ``: {FORMS}"));
    }
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, after) = rest.split_at(num_len);
        let after = after.trim_start();
        let unit_len = after
            .find(|c: char| !(c.is_alphabetic()))
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        if unit.is_empty() && !num.is_empty() && after.is_empty() && next == 0 {
            return Err(format!(
                "invalid duration `{t}`: add a unit, such as `{t}s` or `{t}ms`"
            ));
        }
        let value: f64 = match num.parse() {
            Ok(v) if num.bytes().any(|b| b.is_ascii_digit()) => v,
            _ => return Err(format!("invalid duration `{t}`: {FORMS}")),
        };
        let lower = unit.to_lowercase();
        let Some(i) = UNITS
            .iter()
            .position(|(names, _)| names.contains(&lower.as_str()))
        else {
            let what = if unit.is_empty() {
                format!("no unit after `{num}`")
            } else {
                format!("unknown unit `{unit}`")
            };
            return Err(format!("invalid duration `{t}`: {what}; {FORMS}"));
        };
        if i < next {
            return Err(format!(
                "invalid duration `{t}`: `{unit}` after a smaller or the same unit; {FORMS}"
            ));
        }
        next = i + 1;
        secs += value * UNITS[i].1;
        rest = after.trim_start();
    }
    if !secs.is_finite() || secs > MAX_SECS {
        return Err(format!("invalid duration `{t}`: too long"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// The body of a regex (ECMA 262 and Rust `regex` alike) that matches what
/// [`parse_duration`] reads, once trimmed — except the empty text, which the
/// schema refuses on its own (a regex of optional parts cannot, without
/// look-ahead). Units are case-insensitive character classes.
#[cfg(feature = "schema")]
pub(crate) fn pattern_body(number: &str, ci: &dyn Fn(&str) -> String) -> String {
    let parts: String = UNITS
        .iter()
        .map(|(names, _)| {
            // Longest names first, so that a regex engine without
            // backtracking into alternatives still reads `ms` before `m`.
            let mut names: Vec<&str> = names.to_vec();
            names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
            let alts = names.iter().map(|n| ci(n)).collect::<Vec<_>>().join("|");
            format!(r"({number}\s*({alts})\s*)?")
        })
        .collect();
    format!("0|{parts}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_forms() {
        let ok = [
            ("250ms", 0.25),
            ("30s", 30.0),
            ("1h30m", 5400.0),
            ("1h 30m", 5400.0),
            ("1.5h", 5400.0),
            ("30 seconds", 30.0),
            ("2 Minutes", 120.0),
            ("1 hour 30 minutes", 5400.0),
            ("1w 6d 23h 59m 59s 999ms", 1_209_599.999),
            (" 7 d ", 604_800.0),
            ("0", 0.0),
            ("0s", 0.0),
            (".5s", 0.5),
            ("1.s", 1.0),
            ("3µs", 3e-6),
            ("10 ns", 1e-8),
        ];
        for (text, secs) in ok {
            let d = parse_duration(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert!((d.as_secs_f64() - secs).abs() < 1e-9, "{text}: {d:?}");
        }
    }

    #[test]
    fn errors_name_the_forms() {
        for bad in [
            "", "30", "1.5", "s", "1 parsec", "30m1h", "1h1h", "1h30", "1..5s", ".s", "1 s s",
            "-1s", "1e3s", "1h,30m",
        ] {
            let e = parse_duration(bad).expect_err(bad);
            assert!(
                e.contains("`250ms`") || e.contains("add a unit"),
                "{bad}: {e}"
            );
        }
        assert_eq!(
            parse_duration("30").unwrap_err(),
            "invalid duration `30`: add a unit, such as `30s` or `30ms`"
        );
        assert_eq!(
            parse_duration("99999999999999999999s").unwrap_err(),
            "invalid duration `99999999999999999999s`: too long"
        );
    }

    #[test]
    fn text_is_bounded() {
        let long = "1s".repeat(MAX_DURATION_TEXT);
        let e = parse_duration(&long).unwrap_err();
        assert!(e.contains("at most 64"), "{e}");
        assert!(!e.contains(&long), "the text is not echoed back");
    }
}
