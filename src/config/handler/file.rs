//! The file handlers: `file`, `rotating_file` (by size or time, with
//! retention and compression) and `watched_file`.

use std::path::PathBuf;
use std::time::Duration;

use super::CommonHandlerConfig;
use crate::config::{Level, Size};

/// How a file handler opens its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum FileMode {
    /// Keep what the file holds and write after it (the default).
    #[default]
    Append,
    /// Empty the file when it is first opened (not on reloads that keep the handler).
    Truncate,
}

/// `type: file`: writes each record to one file.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct FileHandlerConfig {
    /// Path of the log file; missing parent directories are created.
    pub path: PathBuf,
    /// `append` or `truncate`. Default: `append`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub mode: FileMode,
    /// Unix permission bits for a newly created file, as an octal string such as
    /// `"0640"`. Default: `"0644"` (less the process umask).
    #[cfg_attr(
        feature = "serde",
        serde(default = "default_permissions", serialize_with = "octal")
    )]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub permissions: u32,
    /// Records at or above this level are written to the file at once; records
    /// below it may wait in a buffer (flushed when full, by `Handle::flush`, and at
    /// shutdown). Default: TRACE (every record is written at once).
    #[cfg_attr(feature = "serde", serde(default = "default_flush_level"))]
    pub flush_level: Level,
    /// Size of the write buffer used for records below `flush_level`. Default: 8KiB.
    #[cfg_attr(feature = "serde", serde(default = "default_buffer"))]
    pub buffer: Size,
    /// Create and open the file at the first record that reaches the handler,
    /// not when the config is applied (Python's `delay=True`): a handler that
    /// never gets a record leaves no file. A file that cannot be opened then
    /// fails that record, and the next record tries again. Default: false.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "std::ops::Not::not")
    )]
    pub delay: bool,
    /// Level, formatter and filters.
    #[cfg_attr(feature = "serde", serde(flatten))]
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
            delay: false,
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

#[cfg(feature = "serde")]
fn octal<S: serde::Serializer>(mode: &u32, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("0{mode:o}"))
}

/// When a `rotating_file` handler rolls over on time, as Python's
/// TimedRotatingFileHandler's `when`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum RotateWhen {
    /// Every `interval` seconds.
    #[cfg_attr(feature = "serde", serde(rename = "S"))]
    Seconds,
    /// Every `interval` minutes.
    #[cfg_attr(feature = "serde", serde(rename = "M"))]
    Minutes,
    /// Every `interval` hours.
    #[cfg_attr(feature = "serde", serde(rename = "H"))]
    Hours,
    /// Every `interval` days of 24 hours (not calendar days: see `midnight`).
    #[cfg_attr(feature = "serde", serde(rename = "D"))]
    Days,
    /// Every `interval` calendar days at `at_time` (default 00:00), in local
    /// time or UTC; daylight saving changes are followed.
    #[cfg_attr(feature = "serde", serde(rename = "midnight"))]
    Midnight,
    /// Mondays at `at_time`.
    #[cfg_attr(feature = "serde", serde(rename = "W0"))]
    Monday,
    /// Tuesdays at `at_time`.
    #[cfg_attr(feature = "serde", serde(rename = "W1"))]
    Tuesday,
    /// Wednesdays at `at_time`.
    #[cfg_attr(feature = "serde", serde(rename = "W2"))]
    Wednesday,
    /// Thursdays at `at_time`.
    #[cfg_attr(feature = "serde", serde(rename = "W3"))]
    Thursday,
    /// Fridays at `at_time`.
    #[cfg_attr(feature = "serde", serde(rename = "W4"))]
    Friday,
    /// Saturdays at `at_time`.
    #[cfg_attr(feature = "serde", serde(rename = "W5"))]
    Saturday,
    /// Sundays at `at_time`.
    #[cfg_attr(feature = "serde", serde(rename = "W6"))]
    Sunday,
}

impl RotateWhen {
    /// The accepted spellings (case-insensitive), in the order of
    /// [`RotateWhen::ALL`].
    pub const NAMES: &'static [&'static str] = &[
        "s", "m", "h", "d", "midnight", "w0", "w1", "w2", "w3", "w4", "w5", "w6",
    ];

    /// Every value, in the order of [`RotateWhen::NAMES`].
    pub const ALL: &'static [RotateWhen] = &[
        RotateWhen::Seconds,
        RotateWhen::Minutes,
        RotateWhen::Hours,
        RotateWhen::Days,
        RotateWhen::Midnight,
        RotateWhen::Monday,
        RotateWhen::Tuesday,
        RotateWhen::Wednesday,
        RotateWhen::Thursday,
        RotateWhen::Friday,
        RotateWhen::Saturday,
        RotateWhen::Sunday,
    ];

    /// For `W0`..`W6`, the weekday as days since Monday.
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::config::RotateWhen;
    ///
    /// assert_eq!(RotateWhen::Sunday.weekday(), Some(6));
    /// assert_eq!(RotateWhen::Midnight.weekday(), None);
    /// ```
    pub fn weekday(self) -> Option<u8> {
        let i = RotateWhen::ALL.iter().position(|w| *w == self)?;
        i.checked_sub(5).map(|d| d as u8)
    }
}

/// What is done to an archive after a roll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Compression {
    /// Archives stay plain text (the default).
    #[default]
    None,
    /// Archives are gzipped (`app.log.17.gz`) by a background thread.
    Gzip,
}

/// How a `rotating_file` numbers its archives when `archive` is unset.
///
/// # Examples
///
/// ```
/// use logfig::config::{HandlerConfig, Numbering};
///
/// let config = logfig::Config::from_str(
///     "version: 1\nhandlers:\n  app: { type: rotating_file, path: app.log, max_bytes: 1MiB, backups: 3, numbering: shift }\nroot: { handlers: [app] }\n",
///     logfig::Format::Yaml,
/// )?;
/// let HandlerConfig::RotatingFile(app) = &config.handlers["app"] else { unreachable!() };
/// assert_eq!(app.numbering, Numbering::Shift);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Numbering {
    /// `app.log.1` is the oldest; each roll takes the next number and no
    /// archive is renamed after it was made (the default).
    #[default]
    Sequence,
    /// Python's `RotatingFileHandler`: `app.log.1` is always the newest; each
    /// roll renames `app.log.N` to `app.log.N+1` (deleting the one at
    /// `backups`), then the live file to `app.log.1`. Needs `backups` of at
    /// least 1, and neither `archive` nor `compress`. Python configs get this.
    Shift,
}

/// `type: rotating_file`: writes to one file and rolls it over by size, by
/// time, or both.
///
/// Archive names: with `archive` unset, `<file>.<N>` where N is a sequence
/// number that grows by one at each roll (`app.log.1` is the oldest); no
/// archive is ever renamed after it was made, and retention deletes the
/// lowest numbers. With `archive` set, its strftime fields are filled with the
/// time of the period that ended (`app.%Y-%m-%d.log` gives `app.2026-03-29.log`),
/// and a second roll within one period adds `.1`, `.2`, ... to the name.
///
/// # Examples
///
/// ```
/// use logfig::config::HandlerConfig;
///
/// let config = logfig::Config::from_str(
///     "version: 1\nhandlers:\n  app: { type: rotating_file, path: app.log, max_bytes: 10MiB, backups: 7, compress: gzip }\nroot: { handlers: [app] }\n",
///     logfig::Format::Yaml,
/// )?;
/// let HandlerConfig::RotatingFile(app) = &config.handlers["app"] else { unreachable!() };
/// assert_eq!(app.max_bytes.map(|s| s.bytes()), Some(10 << 20));
/// assert_eq!(app.backups, Some(7));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct RotatingFileHandlerConfig {
    /// Path of the live log file; missing parent directories are created.
    pub path: PathBuf,
    /// Unix permission bits for every file the handler creates (the log file,
    /// compressed archives, their temporary files), as an octal string such as
    /// `"0640"`. Default: `"0644"` (less the process umask).
    #[cfg_attr(
        feature = "serde",
        serde(default = "default_permissions", serialize_with = "octal")
    )]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub permissions: u32,
    /// Roll over before a record would make the file larger than this. Default:
    /// no size limit.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub max_bytes: Option<Size>,
    /// Roll over on time: `S`, `M`, `H`, `D` (every `interval` seconds,
    /// minutes, hours, 24-hour days), `midnight` (every `interval` calendar
    /// days at `at_time`), or `W0`-`W6` (weekly, Monday to Sunday, at
    /// `at_time`). Case-insensitive. Default: no time rotation.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub when: Option<RotateWhen>,
    /// How many units of `when` make one period. Default: 1.
    #[cfg_attr(feature = "serde", serde(default = "one"))]
    pub interval: u32,
    /// Time of day of `midnight` and `W0`-`W6` rollovers, `HH:MM` or
    /// `HH:MM:SS`. Default: `00:00`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub at_time: Option<String>,
    /// Compute rollover times in UTC instead of local time. Default: false.
    #[cfg_attr(feature = "serde", serde(default))]
    pub utc: bool,
    /// File name of archives with strftime fields, relative to the log file's
    /// directory, such as `app.%Y-%m-%d.log`; it must begin with the log
    /// file's name up to its first dot, and take its fields from `%Y %m %d %H
    /// %M %S %F %y %j %G %g %V %U %W %u %w %s`. Default: the file name plus a
    /// growing sequence number (`app.log.1`, `app.log.2`, ...).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub archive: Option<String>,
    /// `sequence` (`app.log.1` oldest, never renamed) or `shift` (Python's:
    /// `app.log.1` newest, the others renamed up at each roll). Default:
    /// `sequence`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub numbering: Numbering,
    /// Keep at most this many archives; older ones are deleted. Default: no limit.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub backups: Option<u32>,
    /// Delete archives older than this (by modification time), such as `7d`.
    /// Default: no limit.
    #[cfg_attr(
        feature = "serde",
        serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "crate::config::opt_duration_text"
        )
    )]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub max_age: Option<Duration>,
    /// Delete the oldest archives while all archives together are larger than
    /// this. Default: no limit.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub max_total_size: Option<Size>,
    /// `none` or `gzip`: compress archives on a background thread (`gzip`
    /// needs the `gzip` feature). Default: `none`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub compress: Compression,
    /// Create and open the file at the first record that reaches the handler,
    /// not when the config is applied (Python's `delay=True`): a handler that
    /// never gets a record leaves no file. A file that cannot be opened then
    /// fails that record, and the next record tries again. Default: false.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "std::ops::Not::not")
    )]
    pub delay: bool,
    /// Level, formatter and filters.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub common: CommonHandlerConfig,
}

impl RotatingFileHandlerConfig {
    /// A config for a file at `path` with every other key at its default
    /// (no rotation until `max_bytes` or `when` is set).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut c = logfig::config::RotatingFileHandlerConfig::new("app.log");
    /// c.max_bytes = Some(logfig::config::Size(1 << 20));
    /// assert_eq!(c.interval, 1);
    /// ```
    pub fn new(path: impl Into<PathBuf>) -> Self {
        RotatingFileHandlerConfig {
            path: path.into(),
            permissions: default_permissions(),
            max_bytes: None,
            when: None,
            interval: one(),
            at_time: None,
            utc: false,
            archive: None,
            numbering: Numbering::Sequence,
            backups: None,
            max_age: None,
            max_total_size: None,
            compress: Compression::None,
            delay: false,
            common: CommonHandlerConfig::default(),
        }
    }
}

fn one() -> u32 {
    1
}

/// `type: watched_file`: writes to one file, reopening it at its path when it
/// was moved or deleted (Python's WatchedFileHandler).
///
/// Before each record the path is checked with one `stat` call (a few hundred
/// nanoseconds); when it no longer names the open file (other device or inode,
/// or missing), the file is reopened, so a logrotate `create` or `rename`
/// takes effect at the next record.
///
/// # Examples
///
/// ```
/// let c = logfig::config::WatchedFileHandlerConfig::new("/var/log/app.log");
/// assert_eq!(c.permissions, 0o644);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct WatchedFileHandlerConfig {
    /// Path of the log file; missing parent directories are created.
    pub path: PathBuf,
    /// Unix permission bits for a newly created file, as an octal string such as
    /// `"0640"`. Default: `"0644"` (less the process umask).
    #[cfg_attr(
        feature = "serde",
        serde(default = "default_permissions", serialize_with = "octal")
    )]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub permissions: u32,
    /// Create and open the file at the first record that reaches the handler,
    /// not when the config is applied (Python's `delay=True`): a handler that
    /// never gets a record leaves no file. A file that cannot be opened then
    /// fails that record, and the next record tries again. Default: false.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "std::ops::Not::not")
    )]
    pub delay: bool,
    /// Level, formatter and filters.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub common: CommonHandlerConfig,
}

impl WatchedFileHandlerConfig {
    /// A config for a file at `path` with every other key at its default.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        WatchedFileHandlerConfig {
            path: path.into(),
            permissions: default_permissions(),
            delay: false,
            common: CommonHandlerConfig::default(),
        }
    }
}
