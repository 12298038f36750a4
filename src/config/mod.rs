//! The config file model: plain data, no I/O, no parser.
//!
//! A [`Config`] is what a `logging.yaml` (or `.toml`, `.json`) says, after `${VAR}`
//! expansion and with every value typed. It is `Clone + PartialEq`, so a reload can
//! tell an unchanged config from a changed one, and code can build one by hand.
//! The loader (`crate::load`) fills it from text; the builder (`crate::graph`) turns
//! it into a running graph. This module uses nothing else of the crate.

mod builder;
pub(crate) mod control;
mod duration;
mod encode;
mod env_filter;
pub(crate) mod fields;
mod filter;
mod formatter;
mod handler;
mod lines;
mod origin;
mod secret;
mod values;

use std::collections::BTreeMap;

pub use control::{ControlConfig, ControlListen};
pub(crate) use env_filter::check_var_name;
pub use env_filter::{EnvFilter, EnvFilterConfig};
pub use filter::{
    DedupFilterConfig, FilterAction, FilterConfig, LevelFilterConfig, NameFilterConfig,
    RateLimitFilterConfig, RegexFilterConfig,
};
pub use formatter::{
    Escape, FormatStyle, FormatterConfig, JsonFormatterConfig, MissingField, PatternFormatterConfig,
};
pub use handler::{
    ColorMode, CommonHandlerConfig, Compression, ConsoleHandlerConfig, CustomHandlerConfig,
    FileHandlerConfig, FileMode, HandlerConfig, MemoryHandlerConfig, NullHandlerConfig, Numbering,
    Overflow, QueueHandlerConfig, RotateWhen, RotatingFileHandlerConfig, Stream,
    WatchedFileHandlerConfig,
};
pub use handler::{
    ConnectionConfig, Credentials, Facility, Framing, HttpFormat, HttpHandlerConfig, Oversize,
    SmtpHandlerConfig, StartTls, SyslogFormat, SyslogHandlerConfig, SyslogTransport,
    TcpHandlerConfig, TlsConfig, UdpHandlerConfig, WorkerConfig,
};
pub use handler::{JournaldHandlerConfig, OtlpCompression, OtlpHandlerConfig, OtlpProtocol};
pub(crate) use handler::{MAX_BATCH, MAX_HEADER_VALUE, MAX_HEADERS, MAX_IDENTIFIER, MAX_RESOURCE};
pub(crate) use lines::LineIndex;
pub(crate) use origin::{Origin, place};
pub use secret::{CustomOptions, Secret, SecretUrl, is_secret_name};
pub use values::{Level, Size};

pub(crate) use encode::to_json;
pub(crate) use secret::serializing;
pub(crate) use secret::{SecretSpots, url_port_problem, url_secrets};

pub(crate) use duration::parse_duration;
#[cfg(feature = "schema")]
pub(crate) use duration::pattern_body as duration_pattern;
pub(crate) use values::{format_duration, parse_size, parse_time_of_day};

/// A whole logging config: the top level of `logging.yaml`.
///
/// The shape follows Python's `logging.config.dictConfig`, so a Python user
/// recognises it at a glance.
///
/// # Examples
///
/// ```
/// use logfig::{Config, Format};
///
/// let config = Config::from_str(
///     r#"
/// version: 1
/// handlers:
///   console: { type: console, stream: stderr }
/// root: { level: INFO, handlers: [console] }
/// "#,
///     Format::Yaml,
/// )?;
/// assert_eq!(config.root.level, Some(logfig::config::Level::Info));
/// assert!(config.handlers.contains_key("console"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct Config {
    /// Schema version of the config. Must be 1, as in Python's dictConfig.
    pub version: u32,
    /// Mute, on reload, the loggers that the previous config named and this one
    /// does not. Default: false (Python's default is true, its most reported pitfall).
    #[cfg_attr(feature = "serde", serde(default))]
    pub disable_existing_loggers: bool,
    /// Apply only the levels of this config on top of the running one, as
    /// Python's `incremental: true`. Default: false.
    #[cfg_attr(feature = "serde", serde(default))]
    pub incremental: bool,
    /// How the config file is watched for changes.
    #[cfg_attr(feature = "serde", serde(default))]
    pub reload: ReloadConfig,
    /// Level directives read from an environment variable (`RUST_LOG`),
    /// applied on top of the loggers below.
    #[cfg_attr(feature = "serde", serde(default))]
    pub env_filter: EnvFilterConfig,
    /// Named formatters, referenced by handlers.
    #[cfg_attr(feature = "serde", serde(default))]
    pub formatters: BTreeMap<String, FormatterConfig>,
    /// Named filters, referenced by loggers and handlers.
    #[cfg_attr(feature = "serde", serde(default))]
    pub filters: BTreeMap<String, FilterConfig>,
    /// Named handlers (outputs), referenced by loggers.
    #[cfg_attr(feature = "serde", serde(default))]
    pub handlers: BTreeMap<String, HandlerConfig>,
    /// Loggers by name. Names are `log` targets; `a::b` and `a.b` name the same
    /// logger, the child of `a`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub loggers: BTreeMap<String, LoggerConfig>,
    /// The root logger, ancestor of every other. Default level: WARNING.
    #[cfg_attr(feature = "serde", serde(default))]
    pub root: RootConfig,
    /// The control endpoint (feature `control`); off unless set here or by
    /// the `LOGFIG_CONTROL` environment variable.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub control: Option<ControlConfig>,
    /// With `incremental: true`: the handler levels to set, by handler name
    /// (`handlers` stays empty: as in Python, only levels are read).
    #[cfg_attr(feature = "serde", serde(skip))]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub handler_levels: BTreeMap<String, Option<Level>>,
    /// Where the config came from, for diagnostics; ignored by `==`.
    #[cfg_attr(feature = "serde", serde(skip))]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub(crate) origin: Origin,
}

/// The segments of a logger name or target: `a::b.c` is `a`, `b`, `c`; the
/// hierarchy of loggers splits names here.
pub(crate) fn segments(name: &str) -> impl Iterator<Item = &str> {
    name.split([':', '.']).filter(|s| !s.is_empty())
}

impl Default for Config {
    /// An empty version 1 config: no handlers; WARNING and above reach Python's
    /// "last resort" output (stderr, message only).
    fn default() -> Self {
        Config {
            version: 1,
            disable_existing_loggers: false,
            incremental: false,
            reload: ReloadConfig::default(),
            env_filter: EnvFilterConfig::default(),
            formatters: BTreeMap::new(),
            filters: BTreeMap::new(),
            handlers: BTreeMap::new(),
            loggers: BTreeMap::new(),
            root: RootConfig::default(),
            control: None,
            handler_levels: BTreeMap::new(),
            origin: Origin::default(),
        }
    }
}

/// One named logger: `loggers.<name>`.
///
/// # Examples
///
/// ```
/// let logger = logfig::config::LoggerConfig::default();
/// assert!(logger.propagate);
/// assert_eq!(logger.level, None);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct LoggerConfig {
    /// Minimum level of records this logger lets through. Unset (or NOTSET): the
    /// nearest ancestor's level applies.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub level: Option<Level>,
    /// Handlers that receive this logger's records.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub handlers: Vec<String>,
    /// Whether records also go to the ancestors' handlers. Default: true.
    #[cfg_attr(feature = "serde", serde(default = "yes"))]
    pub propagate: bool,
    /// Filters applied to records logged at exactly this logger (as in Python,
    /// not to records propagated from descendants).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub filters: Vec<String>,
}

impl Default for LoggerConfig {
    fn default() -> Self {
        LoggerConfig {
            level: None,
            handlers: Vec::new(),
            propagate: true,
            filters: Vec::new(),
        }
    }
}

/// The root logger: `root`.
///
/// # Examples
///
/// ```
/// let root = logfig::config::RootConfig::default();
/// assert_eq!(root.level, None); // WARNING applies, as in Python
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct RootConfig {
    /// Minimum level for every logger that sets none. Default: WARNING.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub level: Option<Level>,
    /// Handlers that receive every propagated record.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub handlers: Vec<String>,
    /// Filters applied to records logged at the root logger itself.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub filters: Vec<String>,
}

/// How the watcher finds out that the config file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum ReloadMode {
    /// File system events, plus a slow safety poll; polling alone when no
    /// watcher can be created.
    #[default]
    Auto,
    /// File system events, plus the safety poll.
    Events,
    /// Polling only, every `poll_interval` (default 2s in this mode).
    Poll,
}

/// `reload`: watching the config file and applying its changes live.
///
/// # Examples
///
/// ```
/// let reload = logfig::config::ReloadConfig::default();
/// assert!(reload.enabled);
/// assert_eq!(reload.debounce, std::time::Duration::from_millis(25));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct ReloadConfig {
    /// Watch the file and apply its changes. Default: true (for configs loaded
    /// from a file).
    #[cfg_attr(feature = "serde", serde(default = "yes"))]
    pub enabled: bool,
    /// `auto`, `events` or `poll`. Default: `auto`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub mode: ReloadMode,
    /// Quiet time after the last file event before reading the file. Default: 25ms.
    #[cfg_attr(
        feature = "serde",
        serde(with = "duration_text", default = "default_debounce")
    )]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub debounce: std::time::Duration,
    /// Longest time events may postpone a reload. Default: 2s.
    #[cfg_attr(
        feature = "serde",
        serde(with = "duration_text", default = "default_max_wait")
    )]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub max_wait: std::time::Duration,
    /// Interval of the safety poll of the file's metadata. Default: 30s (2s in
    /// `poll` mode).
    #[cfg_attr(
        feature = "serde",
        serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "opt_duration_text"
        )
    )]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub poll_interval: Option<std::time::Duration>,
    /// On unix, reload the config and reopen file outputs on SIGHUP. Default: false.
    #[cfg_attr(feature = "serde", serde(default))]
    pub on_sighup: bool,
}

impl Default for ReloadConfig {
    fn default() -> Self {
        ReloadConfig {
            enabled: true,
            mode: ReloadMode::Auto,
            debounce: default_debounce(),
            max_wait: default_max_wait(),
            poll_interval: None,
            on_sighup: false,
        }
    }
}

fn default_debounce() -> std::time::Duration {
    std::time::Duration::from_millis(25)
}

fn default_max_wait() -> std::time::Duration {
    std::time::Duration::from_secs(2)
}

// reason: read only by `#[serde(default = "yes")]`, which only the schema
// derive evaluates (the config is decoded by hand, not by serde).
#[cfg_attr(not(feature = "schema"), allow(dead_code))]
fn yes() -> bool {
    true
}

#[cfg(feature = "serde")]
mod duration_text {
    pub(super) fn serialize<S: serde::Serializer>(
        d: &std::time::Duration,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_duration(*d))
    }
}

#[cfg(feature = "serde")]
mod opt_duration_text {
    pub(super) fn serialize<S: serde::Serializer>(
        d: &Option<std::time::Duration>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&super::format_duration(*d)),
            None => s.serialize_none(),
        }
    }
}
