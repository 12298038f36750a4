//! `handlers.<name>`: one struct per handler kind.

use std::path::PathBuf;

use super::{Level, Size};

/// One handler (output), tagged by `type`.
///
/// The kinds form a closed set, so a typo in `type` is caught with a hint and the
/// schema lists every kind; components written in Rust come in through `custom`.
///
/// # Examples
///
/// ```
/// use logfig::config::HandlerConfig;
///
/// let config = logfig::Config::from_str(
///     "version: 1\nhandlers:\n  out: { type: file, path: app.log }\nroot: { handlers: [out] }\n",
///     logfig::Format::Yaml,
/// )?;
/// assert!(matches!(config.handlers["out"], HandlerConfig::File(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum HandlerConfig {
    /// `type: console`: writes to stdout or stderr, coloured by level on a terminal.
    Console(ConsoleHandlerConfig),
    /// `type: file`: appends to (or truncates) one file.
    File(FileHandlerConfig),
    /// `type: null`: discards every record (Python's NullHandler).
    Null(NullHandlerConfig),
    /// `type: custom`: a handler registered in code under `factory`.
    Custom(CustomHandlerConfig),
}

impl HandlerConfig {
    /// The `type` names of the built-in kinds, for hints and the schema.
    pub const TYPES: &'static [&'static str] = &["console", "file", "null", "custom"];

    /// The `type` of this handler.
    pub fn type_name(&self) -> &'static str {
        match self {
            HandlerConfig::Console(_) => "console",
            HandlerConfig::File(_) => "file",
            HandlerConfig::Null(_) => "null",
            HandlerConfig::Custom(_) => "custom",
        }
    }

    /// The settings every kind shares: level, formatter and filters.
    pub fn common(&self) -> &CommonHandlerConfig {
        match self {
            HandlerConfig::Console(c) => &c.common,
            HandlerConfig::File(c) => &c.common,
            HandlerConfig::Null(c) => &c.common,
            HandlerConfig::Custom(c) => &c.common,
        }
    }

    /// Mutable access to the shared settings.
    pub fn common_mut(&mut self) -> &mut CommonHandlerConfig {
        match self {
            HandlerConfig::Console(c) => &mut c.common,
            HandlerConfig::File(c) => &mut c.common,
            HandlerConfig::Null(c) => &mut c.common,
            HandlerConfig::Custom(c) => &mut c.common,
        }
    }
}

/// The keys every handler kind accepts.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CommonHandlerConfig {
    /// Minimum level of records this handler emits. Default: NOTSET (all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// Name of the formatter that renders records. Default: `%(message)s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatter: Option<String>,
    /// Names of filters a record must pass to reach this handler.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<String>,
}

/// Which standard stream a console handler writes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error (the default, as Python's StreamHandler).
    #[default]
    Stderr,
}

/// When a console handler colours its output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ColorMode {
    /// On a terminal, unless `NO_COLOR` is set; always when `CLICOLOR_FORCE` is set.
    #[default]
    Auto,
    /// Always, even into a pipe.
    Always,
    /// Never.
    Never,
}

/// `type: console`: writes each record to stdout or stderr.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct ConsoleHandlerConfig {
    /// `stdout` or `stderr`. Default: `stderr`.
    #[serde(default)]
    pub stream: Stream,
    /// `auto`, `always` or `never`: colour each line by level. Default: `auto`.
    #[serde(default)]
    pub color: ColorMode,
    /// Level, formatter and filters.
    #[serde(flatten)]
    pub common: CommonHandlerConfig,
}

/// How a file handler opens its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FileMode {
    /// Keep what the file holds and write after it (the default).
    #[default]
    Append,
    /// Empty the file when it is first opened (not on reloads that keep the handler).
    Truncate,
}

/// `type: file`: writes each record to one file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct FileHandlerConfig {
    /// Path of the log file; missing parent directories are created.
    pub path: PathBuf,
    /// `append` or `truncate`. Default: `append`.
    #[serde(default)]
    pub mode: FileMode,
    /// Unix permission bits for a newly created file, as an octal string such as
    /// `"0640"`. Default: `"0644"` (less the process umask).
    #[serde(default = "default_permissions", serialize_with = "octal")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub permissions: u32,
    /// Records at or above this level are written to the file at once; records
    /// below it may wait in a buffer (flushed when full, by `Handle::flush`, and at
    /// shutdown). Default: TRACE (every record is written at once).
    #[serde(default = "default_flush_level")]
    pub flush_level: Level,
    /// Size of the write buffer used for records below `flush_level`. Default: 8KiB.
    #[serde(default = "default_buffer")]
    pub buffer: Size,
    /// Level, formatter and filters.
    #[serde(flatten)]
    pub common: CommonHandlerConfig,
}

impl FileHandlerConfig {
    /// A config for a file at `path` with every other key at its default.
    ///
    /// # Examples
    ///
    /// ```
    /// let file = logfig::config::FileHandlerConfig::new("app.log");
    /// assert_eq!(file.permissions, 0o644);
    /// ```
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileHandlerConfig {
            path: path.into(),
            mode: FileMode::Append,
            permissions: default_permissions(),
            flush_level: default_flush_level(),
            buffer: default_buffer(),
            common: CommonHandlerConfig::default(),
        }
    }
}

pub(crate) fn default_permissions() -> u32 {
    0o644
}

fn default_flush_level() -> Level {
    Level::Trace
}

fn default_buffer() -> Size {
    Size(8 << 10)
}

fn octal<S: serde::Serializer>(mode: &u32, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("0{mode:o}"))
}

/// `type: null`: discards every record.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct NullHandlerConfig {
    /// Level, formatter and filters.
    #[serde(flatten)]
    pub common: CommonHandlerConfig,
}

/// `type: custom`: a handler built by a factory registered in code.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct CustomHandlerConfig {
    /// Name under which the factory was registered.
    pub factory: String,
    /// Options passed to the factory as JSON. Default: null.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub options: serde_json::Value,
    /// Level, formatter and filters.
    #[serde(flatten)]
    pub common: CommonHandlerConfig,
}
