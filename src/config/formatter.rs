//! `formatters.<name>`: how records become text.

use std::collections::BTreeMap;

/// One formatter, tagged by `type`; without `type`, a pattern formatter (so
/// Python's `{format: ..., datefmt: ...}` works as written).
///
/// # Examples
///
/// ```
/// use logfig::config::FormatterConfig;
///
/// let config = logfig::Config::from_str(
///     "version: 1\nformatters:\n  plain: { format: '%(levelname)s %(message)s' }\n",
///     logfig::Format::Yaml,
/// )?;
/// assert!(matches!(config.formatters["plain"], FormatterConfig::Pattern(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FormatterConfig {
    /// `type: pattern` (the default): a Python format string.
    Pattern(PatternFormatterConfig),
    /// `type: json`: one JSON object per record.
    Json(JsonFormatterConfig),
}

impl FormatterConfig {
    /// The `type` names of the formatter kinds.
    pub const TYPES: &'static [&'static str] = &["pattern", "json"];
}

/// The placeholder syntax of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum FormatStyle {
    /// `%(levelname)-8s`, Python's default.
    #[default]
    #[serde(rename = "%")]
    Percent,
    /// `{levelname:<8}`, as `str.format`.
    #[serde(rename = "{")]
    Brace,
    /// `${levelname}`, as `string.Template`.
    #[serde(rename = "$")]
    Dollar,
}

/// `type: pattern`: renders a record through a Python format string.
///
/// Placeholders are Python's record attributes (`asctime`, `created`,
/// `relativeCreated`, `msecs`, `levelname`, `levelno`, `name`, `message`, `module`,
/// `filename`, `pathname`, `lineno`, `funcName`, `process`, `processName`,
/// `thread`, `threadName`) plus Rust's (`target`, `module_path`, `kv`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct PatternFormatterConfig {
    /// The format string. Default: the message alone (`%(message)s` in `%` style).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// strftime-style format of `asctime`. Default: `%Y-%m-%d %H:%M:%S` followed
    /// by `,` and the milliseconds, as Python.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datefmt: Option<String>,
    /// `%`, `{` or `$`. Default: `%`.
    #[serde(default)]
    pub style: FormatStyle,
    /// Render times in UTC instead of local time. Default: false.
    #[serde(default)]
    pub utc: bool,
    /// Check the format string when the config is loaded, as Python's
    /// `validate`. Default: true.
    #[serde(default = "super::yes")]
    pub validate: bool,
    /// Values for placeholders that a record does not have, as Python's
    /// `defaults`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub defaults: BTreeMap<String, String>,
}

impl Default for PatternFormatterConfig {
    fn default() -> Self {
        PatternFormatterConfig {
            format: None,
            datefmt: None,
            style: FormatStyle::Percent,
            utc: false,
            validate: true,
            defaults: BTreeMap::new(),
        }
    }
}

/// `type: json`: one JSON object per record, always valid JSON.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct JsonFormatterConfig {
    /// Record attributes to include, in order (the names of pattern
    /// placeholders). `kv` adds the record's key-values. Default: `asctime`,
    /// `levelname`, `name`, `message`, `kv`.
    #[serde(default = "default_json_fields")]
    pub fields: Vec<String>,
    /// Key names to use instead of the attribute names, such as
    /// `{asctime: time, levelname: level}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rename: BTreeMap<String, String>,
    /// Put the key-values at the top level instead of in an object under `kv`.
    /// Default: false.
    #[serde(default)]
    pub flatten_kv: bool,
    /// strftime-style format of `asctime`. Default: RFC 3339 with milliseconds,
    /// such as `2026-11-27T10:15:02.123+00:00`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datefmt: Option<String>,
    /// Render times in UTC instead of local time. Default: false.
    #[serde(default)]
    pub utc: bool,
}

impl Default for JsonFormatterConfig {
    fn default() -> Self {
        JsonFormatterConfig {
            fields: default_json_fields(),
            rename: BTreeMap::new(),
            flatten_kv: false,
            datefmt: None,
            utc: false,
        }
    }
}

pub(crate) fn default_json_fields() -> Vec<String> {
    ["asctime", "levelname", "name", "message", "kv"]
        .into_iter()
        .map(String::from)
        .collect()
}
