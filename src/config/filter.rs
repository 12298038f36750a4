//! `filters.<name>`: conditions a record must meet.

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
///     "version: 1\nfilters:\n  no_health: { type: regex, pattern: 'GET /health', action: deny }\n",
///     logfig::Format::Yaml,
/// )?;
/// assert!(matches!(config.filters["no_health"], FilterConfig::Regex(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FilterConfig {
    /// `type: level`: passes records within a level range.
    Level(LevelFilterConfig),
    /// `type: name`: passes records of one logger and its descendants.
    Name(NameFilterConfig),
    /// `type: regex`: matches the message against a regular expression.
    Regex(RegexFilterConfig),
}

impl FilterConfig {
    /// The `type` names of the filter kinds.
    pub const TYPES: &'static [&'static str] = &["level", "name", "regex"];
}

/// `type: level`: passes records whose level is within `min..=max`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct LevelFilterConfig {
    /// Least severe level that passes. Default: no lower bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Level>,
    /// Most severe level that passes, such as INFO to keep errors out of stdout.
    /// Default: no upper bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Level>,
}

/// `type: name`: Python's `logging.Filter(name)`: passes records of the logger
/// `name` and its descendants; an empty name passes everything.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct NameFilterConfig {
    /// Logger name (`a.b` or `a::b`). Default: empty (everything passes).
    #[serde(default)]
    pub name: String,
}

/// What a regex filter does with a record whose message matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
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
/// config can make matching slow.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct RegexFilterConfig {
    /// The regular expression (Rust `regex` syntax).
    pub pattern: String,
    /// `allow` (pass matching records) or `deny` (drop them). Default: `allow`.
    #[serde(default)]
    pub action: FilterAction,
}
