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
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(tag = "type", rename_all = "snake_case"))]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum FormatStyle {
    /// `%(levelname)-8s`, Python's default.
    #[default]
    #[cfg_attr(feature = "serde", serde(rename = "%"))]
    Percent,
    /// `{levelname:<8}`, as `str.format`.
    #[cfg_attr(feature = "serde", serde(rename = "{"))]
    Brace,
    /// `${levelname}`, as `string.Template`.
    #[cfg_attr(feature = "serde", serde(rename = "$"))]
    Dollar,
}

/// Which characters of record-supplied text a pattern formatter escapes.
///
/// Record-supplied text is everything the record brings: the message, the
/// target (logger name), key-values (keys and values), span names and
/// fields, the thread name, the module path and file paths. The format's own
/// literal text, `datefmt` and `defaults` come from the config and are
/// written as they are.
///
/// An escaped character is written as Python's `repr()` writes it: `\r`,
/// `\n`, else `\x` and two lowercase hex digits (`\x1b` for ESC, `\x7f`
/// for DEL, `\x9b` for U+009B). Width and precision (`%(message)-20s`,
/// `{message:.10}`) measure the escaped text. `%(message)r` and `!r` are
/// unaffected: Python's `repr()` already escapes every control character.
///
/// # Examples
///
/// ```
/// use logfig::config::{Escape, FormatterConfig};
///
/// let config = logfig::Config::from_str(
///     "version: 1\nformatters:\n  plain: { format: '%(message)s', escape: lines }\n",
///     logfig::Format::Yaml,
/// )?;
/// let FormatterConfig::Pattern(p) = &config.formatters["plain"] else { unreachable!() };
/// assert_eq!(p.escape, Escape::Lines);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Escape {
    /// Terminal control characters: ESC and the other C0 controls except
    /// tab and newline, DEL, and the C1 controls U+0080 to U+009F (the
    /// default). A message cannot drive a terminal, move its cursor or
    /// overwrite a line; a multi-line message stays multi-line.
    #[default]
    Control,
    /// `control`, and newline too: one record is one line in a file, whatever
    /// its text (as log4j2's `%enc{...}{CRLF}`).
    Lines,
    /// Nothing: record text is written byte for byte, as CPython does.
    None,
}

impl Escape {
    /// The names of the modes, as written in a config.
    pub const NAMES: &'static [&'static str] = &["control", "lines", "none"];
}

/// What a pattern placeholder does that names no record attribute and has no
/// entry in `defaults`.
///
/// # Examples
///
/// ```
/// use logfig::config::{FormatterConfig, MissingField};
///
/// let config = logfig::Config::from_str(
///     "version: 1\nformatters:\n  f: { format: '%(request)s %(message)s', missing: logging_error }\n",
///     logfig::Format::Yaml,
/// )?;
/// let FormatterConfig::Pattern(p) = &config.formatters["f"] else { unreachable!() };
/// assert_eq!(p.missing, MissingField::LoggingError);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum MissingField {
    /// An error when the config is loaded; with `validate: false`, the
    /// record's key-value of that name, else nothing (the default).
    #[default]
    Refuse,
    /// CPython's `extra=` fields: the placeholder reads the record's
    /// key-value of that name; a record that lacks it is not written, and
    /// CPython's `--- Logging error ---` report (the missing name, the
    /// message) goes to stderr, as `Handler.handleError` writes it. The
    /// handler counts the record as failed. Python configs get this.
    LoggingError,
}

impl MissingField {
    /// The names of the modes, as written in a config.
    pub const NAMES: &'static [&'static str] = &["refuse", "logging_error"];
}

/// `type: pattern`: renders a record through a Python format string.
///
/// Placeholders are Python's record attributes (`asctime`, `created`,
/// `relativeCreated`, `msecs`, `levelname`, `levelno`, `name`, `message`, `module`,
/// `filename`, `pathname`, `lineno`, `funcName`, `process`, `processName`,
/// `thread`, `threadName`) plus Rust's (`target`, `module_path`, `kv`).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct PatternFormatterConfig {
    /// The format string. Default: the message alone (`%(message)s` in `%` style).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub format: Option<String>,
    /// strftime-style format of `asctime`. Default: `%Y-%m-%d %H:%M:%S` followed
    /// by `,` and the milliseconds, as Python.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub datefmt: Option<String>,
    /// `%`, `{` or `$`. Default: `%`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub style: FormatStyle,
    /// Render times in UTC instead of local time. Default: false.
    #[cfg_attr(feature = "serde", serde(default))]
    pub utc: bool,
    /// Check the format string when the config is loaded, as Python's
    /// `validate`. Default: true.
    #[cfg_attr(feature = "serde", serde(default = "super::yes"))]
    pub validate: bool,
    /// Values for placeholders that a record does not have, as Python's
    /// `defaults`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "BTreeMap::is_empty")
    )]
    pub defaults: BTreeMap<String, String>,
    /// Which characters of record-supplied text (message, target, key-values,
    /// spans, thread name, paths) are escaped: `control` (terminal control
    /// characters, not tab or newline), `lines` (those and newline, for one
    /// record a line) or `none` (CPython's bytes). Escapes look like Python's
    /// `repr()`: `\x1b`, `\r`, `\n`. Default: `control`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub escape: Escape,
    /// What a placeholder that names neither a record attribute nor an entry
    /// of `defaults` does: `refuse` (an error at load, with `validate: true`)
    /// or `logging_error` (read from the record's key-values; a record
    /// without it is dropped with CPython's logging error). Default: `refuse`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub missing: MissingField,
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
            escape: Escape::Control,
            missing: MissingField::Refuse,
        }
    }
}

/// `type: json`: one JSON object per record, always valid JSON.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct JsonFormatterConfig {
    /// Record attributes to include, in order (the names of pattern
    /// placeholders). `kv` adds the record's key-values. Default: `asctime`,
    /// `levelname`, `name`, `message`, `kv`.
    #[cfg_attr(feature = "serde", serde(default = "default_json_fields"))]
    pub fields: Vec<String>,
    /// Key names to use instead of the attribute names, such as
    /// `{asctime: time, levelname: level}`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "BTreeMap::is_empty")
    )]
    pub rename: BTreeMap<String, String>,
    /// Put the key-values at the top level instead of in an object under `kv`.
    /// Default: false.
    #[cfg_attr(feature = "serde", serde(default))]
    pub flatten_kv: bool,
    /// strftime-style format of `asctime`, with sub-second directives: `%f`
    /// (microseconds), `%N` (nanoseconds), `%3f`, `%.6f` and the like (one
    /// per datefmt). Default: RFC 3339 with microseconds, such as
    /// `2026-11-27T10:15:02.123456Z` (the offset instead of `Z` when `utc` is false).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub datefmt: Option<String>,
    /// Render times in UTC instead of local time. Default: true.
    #[cfg_attr(feature = "serde", serde(default = "super::yes"))]
    pub utc: bool,
}

impl Default for JsonFormatterConfig {
    fn default() -> Self {
        JsonFormatterConfig {
            fields: default_json_fields(),
            rename: BTreeMap::new(),
            flatten_kv: false,
            datefmt: None,
            utc: true,
        }
    }
}

pub(crate) fn default_json_fields() -> Vec<String> {
    ["asctime", "levelname", "name", "message", "kv"]
        .into_iter()
        .map(String::from)
        .collect()
}
