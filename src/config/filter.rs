//! `filters.<name>`: conditions a record must meet.

use std::time::Duration;

use super::Level;

/// One filter, tagged by `type`; without `type`, a name filter (so Python's
/// `{name: a.b}` works as written).
///
/// # Examples
///
/// ```
/// use logfig::config::FilterConfig;
///
/// let config = logfig::Config::from_str(
///     "version: 1\nfilters:\n  mine: { type: name, name: myapp }\n",
///     logfig::Format::Yaml,
/// )?;
/// assert!(matches!(config.filters["mine"], FilterConfig::Name(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(tag = "type", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum FilterConfig {
    /// `type: level`: passes records within a level range.
    Level(LevelFilterConfig),
    /// `type: name`: passes records of one logger and its descendants.
    Name(NameFilterConfig),
    /// `type: regex`: matches the message against a regular expression.
    Regex(RegexFilterConfig),
    /// `type: rate_limit`: a token bucket that lets through at most `rate`
    /// records a second, in bursts of up to `burst`.
    RateLimit(RateLimitFilterConfig),
    /// `type: dedup`: suppresses a message repeated more than `repeats` times
    /// within `window`, then reports how many were suppressed.
    Dedup(DedupFilterConfig),
}

impl FilterConfig {
    /// The `type` names of the filter kinds.
    pub const TYPES: &'static [&'static str] = &["level", "name", "regex", "rate_limit", "dedup"];
}

/// `type: level`: passes records whose level is within `min..=max`.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct LevelFilterConfig {
    /// Least severe level that passes. Default: no lower bound.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub min: Option<Level>,
    /// Most severe level that passes, such as INFO to keep errors out of stdout.
    /// Default: no upper bound.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub max: Option<Level>,
}

/// `type: name`: Python's `logging.Filter(name)`: passes records of the logger
/// `name` and its descendants; an empty name passes everything.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct NameFilterConfig {
    /// Logger name (`a.b` or `a::b`). Default: empty (everything passes).
    #[cfg_attr(feature = "serde", serde(default))]
    pub name: String,
}

/// What a regex filter does with a record whose message matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum FilterAction {
    /// Pass only matching records (the default).
    #[default]
    Allow,
    /// Drop matching records.
    Deny,
}

/// `type: regex`: matches the formatted message (not the whole line) against a
/// regular expression, searched anywhere in the message. Linear-time regexes: no
/// config can make matching slow. Needs the `regex` feature.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct RegexFilterConfig {
    /// The regular expression (Rust `regex` syntax).
    pub pattern: String,
    /// `allow` (pass matching records) or `deny` (drop them). Default: `allow`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub action: FilterAction,
}

/// `type: rate_limit`: a token bucket (log4j2's BurstFilter). The bucket holds
/// up to `burst` tokens and refills at `rate` tokens a second; each record at
/// or below `level` takes one token and is dropped when none is left. Records
/// above `level` always pass and take no token.
///
/// # Examples
///
/// ```
/// use logfig::config::{FilterConfig, Level};
///
/// let config = logfig::Config::from_str(
///     "version: 1\nfilters:\n  calm: { type: rate_limit, rate: 10, burst: 100 }\n",
///     logfig::Format::Yaml,
/// )?;
/// let FilterConfig::RateLimit(calm) = &config.filters["calm"] else { unreachable!() };
/// assert_eq!((calm.rate, calm.burst, calm.level), (10.0, Some(100), Level::Warning));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct RateLimitFilterConfig {
    /// Records per second let through on average (may be fractional, such as
    /// `0.5`).
    pub rate: f64,
    /// Most records let through at once after a quiet spell. Default: `rate`
    /// rounded up (at least 1).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub burst: Option<u32>,
    /// The most severe level that is limited; records above it always pass.
    /// Default: WARNING.
    #[cfg_attr(feature = "serde", serde(default = "default_rate_limit_level"))]
    pub level: Level,
}

impl RateLimitFilterConfig {
    /// `rate` records per second, in bursts of `rate` (rounded up), limiting
    /// WARNING and below.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = logfig::config::RateLimitFilterConfig::new(2.5);
    /// assert_eq!(c.effective_burst(), 3);
    /// ```
    pub fn new(rate: f64) -> Self {
        RateLimitFilterConfig {
            rate,
            burst: None,
            level: default_rate_limit_level(),
        }
    }

    /// `burst`, or its default: `rate` rounded up, at least 1.
    pub fn effective_burst(&self) -> u32 {
        self.burst.unwrap_or_else(|| default_burst(self.rate))
    }
}

fn default_burst(rate: f64) -> u32 {
    if rate.is_finite() && rate > 1.0 {
        rate.ceil().min(f64::from(u32::MAX)) as u32
    } else {
        1
    }
}

fn default_rate_limit_level() -> Level {
    Level::Warning
}

/// `type: dedup`: lets a message (same logger, level and text) through
/// `repeats` times within `window`, suppresses further repeats, and when the
/// window ends or a different message arrives, emits one record `message
/// repeated N more times: <message>` at the message's level.
///
/// # Examples
///
/// ```
/// let d = logfig::config::DedupFilterConfig::default();
/// assert_eq!((d.repeats, d.window), (5, std::time::Duration::from_secs(60)));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct DedupFilterConfig {
    /// How many times one message passes within `window` before repeats are
    /// suppressed. Default: 5.
    #[cfg_attr(feature = "serde", serde(default = "default_repeats"))]
    pub repeats: u32,
    /// How long repeats of a message are counted, from its first occurrence,
    /// such as `30s`. Default: 60s.
    #[cfg_attr(
        feature = "serde",
        serde(with = "super::duration_text", default = "default_window")
    )]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub window: Duration,
}

impl Default for DedupFilterConfig {
    fn default() -> Self {
        DedupFilterConfig {
            repeats: default_repeats(),
            window: default_window(),
        }
    }
}

fn default_repeats() -> u32 {
    5
}

fn default_window() -> Duration {
    Duration::from_secs(60)
}
