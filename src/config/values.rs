//! Typed scalar values of the config: levels, sizes, durations.

use std::fmt;
use std::time::Duration;

/// A level name as written in a config: Python's names plus Rust's `TRACE`.
///
/// Parsing is case-insensitive and accepts the aliases `WARN` (WARNING) and
/// `FATAL` (CRITICAL), and Python's numbers (10 DEBUG, 20 INFO, 30 WARNING, 40
/// ERROR, 50 CRITICAL, 5 TRACE, 0 NOTSET); a number between two levels means the
/// next level up. `CRITICAL` maps to `log`'s `Error`; `OFF` lets nothing through.
///
/// # Examples
///
/// ```
/// use logfig::config::Level;
///
/// assert_eq!("warn".parse::<Level>(), Ok(Level::Warning));
/// assert_eq!(Level::from_number(25), Level::Warning);
/// assert_eq!(Level::Critical.to_level_filter(), Some(log::LevelFilter::Error));
/// assert_eq!(Level::NotSet.to_level_filter(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum Level {
    /// Inherit the ancestor's level (loggers) or let everything through (handlers).
    #[cfg_attr(feature = "schema", schemars(rename = "NOTSET"))]
    NotSet,
    /// Every record.
    #[cfg_attr(feature = "schema", schemars(rename = "TRACE"))]
    Trace,
    /// DEBUG and above.
    #[cfg_attr(feature = "schema", schemars(rename = "DEBUG"))]
    Debug,
    /// INFO and above.
    #[cfg_attr(feature = "schema", schemars(rename = "INFO"))]
    Info,
    /// WARNING and above.
    #[cfg_attr(feature = "schema", schemars(rename = "WARNING"))]
    Warning,
    /// ERROR and above.
    #[cfg_attr(feature = "schema", schemars(rename = "ERROR"))]
    Error,
    /// CRITICAL; `log` has no level above ERROR, so this lets ERROR through.
    #[cfg_attr(feature = "schema", schemars(rename = "CRITICAL"))]
    Critical,
    /// Nothing.
    #[cfg_attr(feature = "schema", schemars(rename = "OFF"))]
    Off,
}

impl Level {
    /// The names accepted in a config (without aliases), for hints and the schema.
    pub const NAMES: &'static [&'static str] = &[
        "NOTSET", "TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "OFF",
    ];

    /// The level for a Python level number; a number between two levels means
    /// the next level up.
    pub fn from_number(n: i64) -> Level {
        match n {
            i64::MIN..=0 => Level::NotSet,
            1..=5 => Level::Trace,
            6..=10 => Level::Debug,
            11..=20 => Level::Info,
            21..=30 => Level::Warning,
            31..=40 => Level::Error,
            41..=50 => Level::Critical,
            _ => Level::Off,
        }
    }

    /// The `log` threshold, or `None` for `NOTSET`.
    pub fn to_level_filter(self) -> Option<log::LevelFilter> {
        Some(match self {
            Level::NotSet => return None,
            Level::Trace => log::LevelFilter::Trace,
            Level::Debug => log::LevelFilter::Debug,
            Level::Info => log::LevelFilter::Info,
            Level::Warning => log::LevelFilter::Warn,
            Level::Error | Level::Critical => log::LevelFilter::Error,
            Level::Off => log::LevelFilter::Off,
        })
    }

    /// The config name, such as `WARNING`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::NotSet => "NOTSET",
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
            Level::Critical => "CRITICAL",
            Level::Off => "OFF",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Level {
    type Err = String;

    fn from_str(s: &str) -> Result<Level, String> {
        let t = s.trim();
        if let Ok(n) = t.parse::<i64>() {
            return Ok(Level::from_number(n));
        }
        Ok(match t.to_ascii_uppercase().as_str() {
            "NOTSET" => Level::NotSet,
            "TRACE" => Level::Trace,
            "DEBUG" => Level::Debug,
            "INFO" => Level::Info,
            "WARNING" | "WARN" => Level::Warning,
            "ERROR" => Level::Error,
            "CRITICAL" | "FATAL" => Level::Critical,
            "OFF" => Level::Off,
            _ => {
                let hint = crate_hint(t);
                let names: Vec<String> = Level::NAMES.iter().map(|n| format!("`{n}`")).collect();
                return Err(format!(
                    "unknown level `{t}`{hint}; expected one of {}",
                    names.join(", ")
                ));
            }
        })
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Level {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

// `config` uses nothing of the crate, so the hint is computed locally.
fn crate_hint(word: &str) -> String {
    let up = word.to_ascii_uppercase();
    Level::NAMES
        .iter()
        .chain(["WARN", "FATAL"].iter())
        .find(|n| {
            let common = n
                .chars()
                .zip(up.chars())
                .take_while(|(a, b)| a == b)
                .count();
            common >= 3 || (up.len() >= 3 && n.contains(up.as_str()))
        })
        .map(|n| format!(" (did you mean `{n}`?)"))
        .unwrap_or_default()
}

/// A size in bytes, written as `10MiB`, `512kB`, `64KiB`, `1GB` or a plain
/// number of bytes.
///
/// SI units (`kB`, `MB`, `GB`, `TB`) are powers of 1000, IEC units (`KiB`,
/// `MiB`, `GiB`, `TiB`) powers of 1024, and the bare letters `K`, `M`, `G`, `T`
/// (as in logrotate) powers of 1024. Units are case-insensitive.
///
/// # Examples
///
/// ```
/// use logfig::config::Size;
///
/// assert_eq!("10MiB".parse::<Size>()?.bytes(), 10 * 1024 * 1024);
/// assert_eq!("512kB".parse::<Size>()?.bytes(), 512_000);
/// assert!("ten".parse::<Size>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Size(pub u64);

impl Size {
    /// The number of bytes.
    pub fn bytes(self) -> u64 {
        self.0
    }
}

impl std::str::FromStr for Size {
    type Err = String;

    fn from_str(s: &str) -> Result<Size, String> {
        parse_size(s).map(Size)
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [(&str, u64); 4] = [
            ("TiB", 1 << 40),
            ("GiB", 1 << 30),
            ("MiB", 1 << 20),
            ("KiB", 1 << 10),
        ];
        for (name, unit) in UNITS {
            if self.0 >= unit && self.0 % unit == 0 {
                return write!(f, "{}{name}", self.0 / unit);
            }
        }
        write!(f, "{}B", self.0)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Size {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Size {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Size".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A size in bytes: a number, or a number with a unit (kB, MB, GB: powers of 1000; KiB, MiB, GiB or K, M, G: powers of 1024).",
            "anyOf": [
                { "type": "integer", "minimum": 0 },
                { "type": "string", "pattern": "^\\s*[0-9]+(\\.[0-9]+)?\\s*([kKmMgGtT]([iI]?[bB])?|[bB])?\\s*$" }
            ],
            "examples": ["10MiB", "512kB"]
        })
    }
}

/// Parses a size such as `10MiB`; see [`Size`].
pub(crate) fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let unit = unit.trim();
    let mult: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "t" | "tib" => 1 << 40,
        _ => {
            return Err(format!(
                "invalid size `{t}`: unknown unit `{unit}`; expected B, kB, MB, GB, KiB, MiB or GiB"
            ));
        }
    };
    if num.is_empty() {
        return Err(format!(
            "invalid size `{t}`: expected a number with an optional unit, such as `10MiB`"
        ));
    }
    let value: f64 = num.parse().map_err(|_| {
        format!("invalid size `{t}`: expected a number with an optional unit, such as `10MiB`")
    })?;
    let bytes = value * mult as f64;
    if !bytes.is_finite() || bytes > u64::MAX as f64 {
        return Err(format!("invalid size `{t}`: too large"));
    }
    Ok(bytes.round() as u64)
}

/// Parses a time of day, `HH:MM` or `HH:MM:SS` (24-hour clock), into hours,
/// minutes and seconds.
pub(crate) fn parse_time_of_day(s: &str) -> Result<(i8, i8, i8), String> {
    let t = s.trim();
    let bad =
        || format!("invalid time of day `{t}`: expected `HH:MM` or `HH:MM:SS`, such as `02:30`");
    let parts: Vec<&str> = t.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return Err(bad());
    }
    let mut out = [0i8; 3];
    for (i, p) in parts.iter().enumerate() {
        if p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        out[i] = p.parse().map_err(|_| bad())?;
    }
    if out[0] > 23 || out[1] > 59 || out[2] > 59 {
        return Err(format!(
            "invalid time of day `{t}`: out of range (00:00:00 to 23:59:59)"
        ));
    }
    Ok((out[0], out[1], out[2]))
}

/// The shortest exact text for a duration, such as `25ms` or `2s`.
pub(crate) fn format_duration(d: Duration) -> String {
    let ns = d.as_nanos();
    const UNITS: [(&str, u128); 7] = [
        ("w", 604_800_000_000_000),
        ("d", 86_400_000_000_000),
        ("h", 3_600_000_000_000),
        ("m", 60_000_000_000),
        ("s", 1_000_000_000),
        ("ms", 1_000_000),
        ("us", 1_000),
    ];
    if ns == 0 {
        return "0".into();
    }
    for (name, unit) in UNITS {
        if ns % unit == 0 {
            return format!("{}{name}", ns / unit);
        }
    }
    format!("{ns}ns")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10MiB"), Ok(10 << 20));
        assert_eq!(parse_size("512kB"), Ok(512_000));
        assert_eq!(parse_size("1.5K"), Ok(1536));
        assert_eq!(parse_size(" 7 "), Ok(7));
        assert!(parse_size("10 parsecs").is_err());
        assert!(parse_size("MiB").is_err());
        assert_eq!(Size(10 << 20).to_string(), "10MiB");
    }

    #[test]
    fn durations() {
        use crate::config::parse_duration;
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(7 * 86400)));
        assert!(parse_duration("30").is_err());
        assert_eq!(format_duration(Duration::from_millis(25)), "25ms");
        assert_eq!(format_duration(Duration::from_secs(120)), "2m");
    }

    #[test]
    fn levels() {
        assert_eq!("Fatal".parse::<Level>(), Ok(Level::Critical));
        assert_eq!("10".parse::<Level>(), Ok(Level::Debug));
        let err = "DEBG".parse::<Level>().unwrap_err();
        assert!(err.contains("did you mean `DEBUG`"), "{err}");
    }
}
