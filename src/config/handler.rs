//! `handlers.<name>`: one struct per handler kind.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use super::{CustomOptions, Level, Secret, SecretUrl, Size};

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
    /// `type: rotating_file`: a file rolled over by size and/or time, with
    /// retention and optional gzip compression of the archives.
    RotatingFile(RotatingFileHandlerConfig),
    /// `type: watched_file`: a file reopened when an external tool (logrotate)
    /// moves or deletes it (Python's WatchedFileHandler).
    WatchedFile(WatchedFileHandlerConfig),
    /// `type: queue`: hands records to a background thread that writes them to
    /// other handlers (Python's QueueHandler with a QueueListener).
    Queue(QueueHandlerConfig),
    /// `type: memory`: buffers records and passes them to a target handler
    /// when full or when a severe record arrives (Python's MemoryHandler).
    Memory(MemoryHandlerConfig),
    /// `type: null`: discards every record (Python's NullHandler).
    Null(NullHandlerConfig),
    /// `type: tcp`: sends records over a TCP connection, reconnecting as needed
    /// (Python's SocketHandler, with text instead of pickles).
    Tcp(TcpHandlerConfig),
    /// `type: udp`: sends each record as one UDP datagram (Python's
    /// DatagramHandler, with text instead of pickles).
    Udp(UdpHandlerConfig),
    /// `type: syslog`: sends records to a syslog server over UDP, TCP or the
    /// local socket, in RFC 5424 or RFC 3164 format (Python's SysLogHandler).
    Syslog(SyslogHandlerConfig),
    /// `type: http`: POSTs batches of records to a URL (Python's
    /// HTTPHandler); needs the `http` feature.
    Http(HttpHandlerConfig),
    /// `type: smtp`: e-mails records, batched by time window and capped per
    /// hour (Python's SMTPHandler); needs the `smtp` feature.
    Smtp(SmtpHandlerConfig),
    /// `type: custom`: a handler registered in code under `factory`.
    Custom(CustomHandlerConfig),
}

impl HandlerConfig {
    /// The `type` names of the built-in kinds, for hints and the schema.
    pub const TYPES: &'static [&'static str] = &[
        "console",
        "file",
        "rotating_file",
        "watched_file",
        "queue",
        "memory",
        "null",
        "tcp",
        "udp",
        "syslog",
        "http",
        "smtp",
        "custom",
    ];

    /// The `type` of this handler.
    pub fn type_name(&self) -> &'static str {
        match self {
            HandlerConfig::Console(_) => "console",
            HandlerConfig::File(_) => "file",
            HandlerConfig::RotatingFile(_) => "rotating_file",
            HandlerConfig::WatchedFile(_) => "watched_file",
            HandlerConfig::Queue(_) => "queue",
            HandlerConfig::Memory(_) => "memory",
            HandlerConfig::Null(_) => "null",
            HandlerConfig::Tcp(_) => "tcp",
            HandlerConfig::Udp(_) => "udp",
            HandlerConfig::Syslog(_) => "syslog",
            HandlerConfig::Http(_) => "http",
            HandlerConfig::Smtp(_) => "smtp",
            HandlerConfig::Custom(_) => "custom",
        }
    }

    /// The settings every kind shares: level, formatter and filters.
    pub fn common(&self) -> &CommonHandlerConfig {
        match self {
            HandlerConfig::Console(c) => &c.common,
            HandlerConfig::File(c) => &c.common,
            HandlerConfig::RotatingFile(c) => &c.common,
            HandlerConfig::WatchedFile(c) => &c.common,
            HandlerConfig::Queue(c) => &c.common,
            HandlerConfig::Memory(c) => &c.common,
            HandlerConfig::Null(c) => &c.common,
            HandlerConfig::Tcp(c) => &c.common,
            HandlerConfig::Udp(c) => &c.common,
            HandlerConfig::Syslog(c) => &c.common,
            HandlerConfig::Http(c) => &c.common,
            HandlerConfig::Smtp(c) => &c.common,
            HandlerConfig::Custom(c) => &c.common,
        }
    }

    /// Mutable access to the shared settings.
    pub fn common_mut(&mut self) -> &mut CommonHandlerConfig {
        match self {
            HandlerConfig::Console(c) => &mut c.common,
            HandlerConfig::File(c) => &mut c.common,
            HandlerConfig::RotatingFile(c) => &mut c.common,
            HandlerConfig::WatchedFile(c) => &mut c.common,
            HandlerConfig::Queue(c) => &mut c.common,
            HandlerConfig::Memory(c) => &mut c.common,
            HandlerConfig::Null(c) => &mut c.common,
            HandlerConfig::Tcp(c) => &mut c.common,
            HandlerConfig::Udp(c) => &mut c.common,
            HandlerConfig::Syslog(c) => &mut c.common,
            HandlerConfig::Http(c) => &mut c.common,
            HandlerConfig::Smtp(c) => &mut c.common,
            HandlerConfig::Custom(c) => &mut c.common,
        }
    }

    /// The handlers this one hands its records to: a queue's `handlers`, a
    /// memory handler's `target`; empty for every other kind.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = logfig::Config::from_str(
    ///     "version: 1\nhandlers:\n  f: { type: file, path: app.log }\n  q: { type: queue, handlers: [f] }\nroot: { handlers: [q] }\n",
    ///     logfig::Format::Yaml,
    /// )?;
    /// assert_eq!(config.handlers["q"].targets(), ["f"]);
    /// assert!(config.handlers["f"].targets().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn targets(&self) -> &[String] {
        match self {
            HandlerConfig::Queue(c) => &c.handlers,
            HandlerConfig::Memory(c) => std::slice::from_ref(&c.target),
            _ => &[],
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
    /// Options passed to the factory as JSON. Default: null. Values of keys
    /// with secret-like names (`password`, `token`, `api_key`, ...) are
    /// never shown.
    #[serde(default, skip_serializing_if = "CustomOptions::is_null")]
    pub options: CustomOptions,
    /// Level, formatter and filters.
    #[serde(flatten)]
    pub common: CommonHandlerConfig,
}

/// When a `rotating_file` handler rolls over on time, as Python's
/// TimedRotatingFileHandler's `when`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum RotateWhen {
    /// Every `interval` seconds.
    #[serde(rename = "S")]
    Seconds,
    /// Every `interval` minutes.
    #[serde(rename = "M")]
    Minutes,
    /// Every `interval` hours.
    #[serde(rename = "H")]
    Hours,
    /// Every `interval` days of 24 hours (not calendar days: see `midnight`).
    #[serde(rename = "D")]
    Days,
    /// Every `interval` calendar days at `at_time` (default 00:00), in local
    /// time or UTC; daylight saving changes are followed.
    #[serde(rename = "midnight")]
    Midnight,
    /// Mondays at `at_time`.
    #[serde(rename = "W0")]
    Monday,
    /// Tuesdays at `at_time`.
    #[serde(rename = "W1")]
    Tuesday,
    /// Wednesdays at `at_time`.
    #[serde(rename = "W2")]
    Wednesday,
    /// Thursdays at `at_time`.
    #[serde(rename = "W3")]
    Thursday,
    /// Fridays at `at_time`.
    #[serde(rename = "W4")]
    Friday,
    /// Saturdays at `at_time`.
    #[serde(rename = "W5")]
    Saturday,
    /// Sundays at `at_time`.
    #[serde(rename = "W6")]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Compression {
    /// Archives stay plain text (the default).
    #[default]
    None,
    /// Archives are gzipped (`app.log.17.gz`) by a background thread.
    Gzip,
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
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct RotatingFileHandlerConfig {
    /// Path of the live log file; missing parent directories are created.
    pub path: PathBuf,
    /// Unix permission bits for every file the handler creates (the log file,
    /// compressed archives, their temporary files), as an octal string such as
    /// `"0640"`. Default: `"0644"` (less the process umask).
    #[serde(default = "default_permissions", serialize_with = "octal")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub permissions: u32,
    /// Roll over before a record would make the file larger than this. Default:
    /// no size limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<Size>,
    /// Roll over on time: `S`, `M`, `H`, `D` (every `interval` seconds,
    /// minutes, hours, 24-hour days), `midnight` (every `interval` calendar
    /// days at `at_time`), or `W0`-`W6` (weekly, Monday to Sunday, at
    /// `at_time`). Case-insensitive. Default: no time rotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<RotateWhen>,
    /// How many units of `when` make one period. Default: 1.
    #[serde(default = "one")]
    pub interval: u32,
    /// Time of day of `midnight` and `W0`-`W6` rollovers, `HH:MM` or
    /// `HH:MM:SS`. Default: `00:00`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_time: Option<String>,
    /// Compute rollover times in UTC instead of local time. Default: false.
    #[serde(default)]
    pub utc: bool,
    /// File name of archives with strftime fields, relative to the log file's
    /// directory, such as `app.%Y-%m-%d.log`; it must begin with the log
    /// file's name up to its first dot, and take its fields from `%Y %m %d %H
    /// %M %S %F %y %j %G %g %V %U %W %u %w %s`. Default: the file name plus a
    /// growing sequence number (`app.log.1`, `app.log.2`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive: Option<String>,
    /// Keep at most this many archives; older ones are deleted. Default: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backups: Option<u32>,
    /// Delete archives older than this (by modification time), such as `7d`.
    /// Default: no limit.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::opt_duration_text"
    )]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub max_age: Option<Duration>,
    /// Delete the oldest archives while all archives together are larger than
    /// this. Default: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_total_size: Option<Size>,
    /// `none` or `gzip`: compress archives on a background thread (`gzip`
    /// needs the `gzip` feature). Default: `none`.
    #[serde(default)]
    pub compress: Compression,
    /// Level, formatter and filters.
    #[serde(flatten)]
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
            backups: None,
            max_age: None,
            max_total_size: None,
            compress: Compression::None,
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
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct WatchedFileHandlerConfig {
    /// Path of the log file; missing parent directories are created.
    pub path: PathBuf,
    /// Unix permission bits for a newly created file, as an octal string such as
    /// `"0640"`. Default: `"0644"` (less the process umask).
    #[serde(default = "default_permissions", serialize_with = "octal")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub permissions: u32,
    /// Level, formatter and filters.
    #[serde(flatten)]
    pub common: CommonHandlerConfig,
}

impl WatchedFileHandlerConfig {
    /// A config for a file at `path` with every other key at its default.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        WatchedFileHandlerConfig {
            path: path.into(),
            permissions: default_permissions(),
            common: CommonHandlerConfig::default(),
        }
    }
}

/// What a queue does with a record when it is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Overflow {
    /// Wait for room: nothing is lost (the default).
    #[default]
    Block,
    /// Drop the record that does not fit.
    DropNewest,
    /// Drop the oldest waiting record to make room.
    DropOldest,
}

/// The bounds of every output that owns a background thread (`queue`, `tcp`,
/// `udp`, `syslog`, `http`, `smtp`): how long logfig waits for it on the
/// shutdown path, and how many bytes of records it may hold.
///
/// # Examples
///
/// ```
/// use logfig::config::HandlerConfig;
///
/// let config = logfig::Config::from_str(
///     "version: 1\nhandlers:\n  net: { type: tcp, host: 127.0.0.1, port: 5170, close_timeout: 2s, buffer_bytes: 16MiB }\nroot: { handlers: [net] }\n",
///     logfig::Format::Yaml,
/// )?;
/// let HandlerConfig::Tcp(net) = &config.handlers["net"] else { unreachable!() };
/// assert_eq!(net.worker.close_timeout, std::time::Duration::from_secs(2));
/// assert_eq!(net.worker.buffer_bytes.bytes(), 16 << 20);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct WorkerConfig {
    /// Longest wait for this output on the shutdown path: a flush
    /// (`Handle::flush`, dropping the `Handle`), a close (reload, shutdown),
    /// and a logging thread blocked on a full `queue` with `overflow: block`.
    /// Past it, a flush returns an error (the records stay queued), a close
    /// counts what could not be written as `failed`, a blocked record is
    /// dropped; each is reported through the error hook. At most 1h.
    /// Default: 5s.
    #[serde(default = "default_close_timeout", with = "super::duration_text")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub close_timeout: Duration,
    /// Most bytes of records held (waiting, and being written), beside the
    /// record count (`capacity` or `buffer`); the overflow policy applies at
    /// whichever bound is hit first. A single record larger than this is
    /// still taken when nothing else is held. Default: 64MiB.
    #[serde(default = "default_buffer_bytes")]
    pub buffer_bytes: Size,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            close_timeout: default_close_timeout(),
            buffer_bytes: default_buffer_bytes(),
        }
    }
}

fn default_close_timeout() -> Duration {
    Duration::from_secs(5)
}

fn default_buffer_bytes() -> Size {
    Size(64 << 20)
}

/// `type: queue`: the logging thread copies the record into a bounded queue and
/// returns; one background thread writes the records to `handlers`.
///
/// # Examples
///
/// ```
/// use logfig::config::{HandlerConfig, Overflow};
///
/// let config = logfig::Config::from_str(
///     "version: 1\nhandlers:\n  f: { type: file, path: app.log }\n  q: { type: queue, handlers: [f], overflow: drop_oldest, drop_below: WARNING }\nroot: { handlers: [q] }\n",
///     logfig::Format::Yaml,
/// )?;
/// let HandlerConfig::Queue(q) = &config.handlers["q"] else { unreachable!() };
/// assert_eq!(q.capacity, 10_000);
/// assert_eq!(q.overflow, Overflow::DropOldest);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct QueueHandlerConfig {
    /// Names of the handlers the background thread writes to; their own level,
    /// filters and formatter apply.
    pub handlers: Vec<String>,
    /// Most records waiting in the queue (a count; see `buffer_bytes` for
    /// bytes). Default: 10000.
    #[serde(default = "default_queue_capacity")]
    pub capacity: u32,
    /// `block` (wait for room), `drop_newest` or `drop_oldest`, when the queue
    /// is full. Default: `block`.
    #[serde(default)]
    pub overflow: Overflow,
    /// Records at or above this level are never dropped: they wait for room
    /// whatever `overflow` says. Default: none (every record may be dropped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_below: Option<Level>,
    /// `close_timeout` and `buffer_bytes`: the bounds of the background thread.
    #[serde(flatten)]
    pub worker: WorkerConfig,
    /// Level and filters (checked before queueing); the formatter is unused:
    /// the target handlers format.
    #[serde(flatten)]
    pub common: CommonHandlerConfig,
}

impl QueueHandlerConfig {
    /// A blocking queue of the default capacity in front of `handlers`.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = logfig::config::QueueHandlerConfig::new(["file"]);
    /// assert_eq!(q.capacity, 10_000);
    /// ```
    pub fn new<S: Into<String>>(handlers: impl IntoIterator<Item = S>) -> Self {
        QueueHandlerConfig {
            handlers: handlers.into_iter().map(Into::into).collect(),
            capacity: default_queue_capacity(),
            overflow: Overflow::Block,
            drop_below: None,
            worker: WorkerConfig::default(),
            common: CommonHandlerConfig::default(),
        }
    }
}

fn default_queue_capacity() -> u32 {
    10_000
}

/// `type: memory`: keeps up to `capacity` records and passes them all to
/// `target` when the buffer is full, when a record at `flush_level` or above
/// arrives, on flush and on close — so an ERROR comes with the DEBUG records
/// that led to it.
///
/// # Examples
///
/// ```
/// let m = logfig::config::MemoryHandlerConfig::new("file");
/// assert_eq!(m.flush_level, logfig::config::Level::Error);
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct MemoryHandlerConfig {
    /// Name of the handler that receives the buffered records; its own level,
    /// filters and formatter apply.
    pub target: String,
    /// Most records kept before they are passed on. Default: 1000.
    #[serde(default = "default_memory_capacity")]
    pub capacity: u32,
    /// A record at or above this level passes the buffer on at once. Default: ERROR.
    #[serde(default = "default_memory_flush_level")]
    pub flush_level: Level,
    /// Level and filters (checked before buffering); the formatter is unused:
    /// the target formats.
    #[serde(flatten)]
    pub common: CommonHandlerConfig,
}

impl MemoryHandlerConfig {
    /// A buffer of the default capacity in front of `target`.
    pub fn new(target: impl Into<String>) -> Self {
        MemoryHandlerConfig {
            target: target.into(),
            capacity: default_memory_capacity(),
            flush_level: default_memory_flush_level(),
            common: CommonHandlerConfig::default(),
        }
    }
}

fn default_memory_capacity() -> u32 {
    1000
}

fn default_memory_flush_level() -> Level {
    Level::Error
}

/// How a `tcp` handler marks where one record ends and the next begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Framing {
    /// Each record is followed by a newline (`\n`): newline-delimited text or
    /// JSON, as Logstash, Fluent Bit and Vector read it (the default). A
    /// newline, carriage return or NUL inside a record is escaped (`\n`,
    /// `\r`, `\x00`), so record text cannot end a record.
    #[default]
    Line,
    /// Each record is preceded by its length in bytes, as a 4-byte big-endian
    /// unsigned integer (the framing of Python's SocketHandler).
    Length,
}

/// What a `udp` handler does with a record longer than `max_datagram`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Oversize {
    /// Send the first `max_datagram` bytes only (the default).
    #[default]
    Truncate,
    /// Send the record in as many datagrams as it takes.
    Split,
}

/// The connection settings shared by the `tcp` and `syslog` handlers: how long
/// one attempt may take, how many records wait while the server is away, and
/// how quickly reconnects are tried.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ConnectionConfig {
    /// Longest time one connect or write may take before it counts as failed.
    /// Logging threads never wait for the network: they only queue the record.
    /// Default: 1s.
    #[serde(default = "default_net_timeout", with = "super::duration_text")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub timeout: Duration,
    /// Most records (a count, not a size: see `buffer_bytes`) kept while the
    /// server cannot be reached; when full, the oldest record is dropped and
    /// counted. Default: 10000.
    #[serde(default = "default_net_buffer")]
    pub buffer: u32,
    /// Wait before the first reconnect after a failure; it doubles after each
    /// failed attempt, up to `max_backoff`. Default: 100ms.
    #[serde(default = "default_backoff", with = "super::duration_text")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub backoff: Duration,
    /// Longest wait between reconnect attempts. Default: 30s.
    #[serde(default = "default_max_backoff", with = "super::duration_text")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub max_backoff: Duration,
}

impl Default for ConnectionConfig {
    fn default() -> Self {
        ConnectionConfig {
            timeout: default_net_timeout(),
            buffer: default_net_buffer(),
            backoff: default_backoff(),
            max_backoff: default_max_backoff(),
        }
    }
}

fn default_net_timeout() -> Duration {
    Duration::from_secs(1)
}

fn default_net_buffer() -> u32 {
    10_000
}

fn default_backoff() -> Duration {
    Duration::from_millis(100)
}

fn default_max_backoff() -> Duration {
    Duration::from_secs(30)
}

/// TLS for the `tcp` and `syslog` handlers (feature `tls`, rustls): `tls: true`
/// for the defaults, or a map of the keys below; for `http` (feature `http`),
/// the settings of its `https://` URLs. The server's certificate is
/// always verified: against Mozilla's root certificates (webpki-roots), or
/// only against the CAs in `ca_file` when it is given. There is no switch to
/// turn verification off; for a self-signed server, put its certificate (or
/// its CA's) in `ca_file`.
///
/// # Examples
///
/// ```
/// use logfig::config::HandlerConfig;
///
/// let config = logfig::Config::from_str(
///     "version: 1\nhandlers:\n  net: { type: tcp, host: logs.example.com, port: 6514, tls: { ca_file: ca.pem } }\nroot: { handlers: [net] }\n",
///     logfig::Format::Yaml,
/// )?;
/// let HandlerConfig::Tcp(net) = &config.handlers["net"] else { unreachable!() };
/// let tls = net.tls.as_ref().expect("tls is on");
/// assert_eq!(tls.ca_file.as_deref(), Some(std::path::Path::new("ca.pem")));
/// assert_eq!(tls.server_name, None); // the certificate must name `host`
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct TlsConfig {
    /// PEM file of the CA certificates to trust instead of the built-in roots
    /// (for a private CA or a self-signed server). Default: Mozilla's roots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    /// The name the server's certificate must carry (a DNS name or an IP
    /// address). Default: `host`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
    /// PEM file of this client's certificate chain, for servers that ask for
    /// one (mutual TLS); needs `key_file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_file: Option<PathBuf>,
    /// PEM file of the private key of `cert_file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_file: Option<PathBuf>,
}

/// `type: tcp`: sends each record, rendered by its formatter, over one TCP
/// connection (typically JSON lines to Logstash, Fluent Bit or Vector).
///
/// The connection is opened at the first record, not when the config is
/// built; a background thread writes, and reconnects with exponential backoff
/// when the server goes away, keeping up to `buffer` records meanwhile.
///
/// # Examples
///
/// ```
/// use logfig::config::{Framing, HandlerConfig};
///
/// let config = logfig::Config::from_str(
///     "version: 1\nhandlers:\n  net: { type: tcp, host: 127.0.0.1, port: 5170, framing: length }\nroot: { handlers: [net] }\n",
///     logfig::Format::Yaml,
/// )?;
/// let HandlerConfig::Tcp(net) = &config.handlers["net"] else { unreachable!() };
/// assert_eq!((net.port, net.framing), (5170, Framing::Length));
/// assert_eq!(net.connection.buffer, 10_000);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct TcpHandlerConfig {
    /// Host name or IP address of the server.
    pub host: String,
    /// TCP port of the server.
    pub port: u16,
    /// `line` (a newline after each record) or `length` (a 4-byte big-endian
    /// length before each record). Default: `line`.
    #[serde(default)]
    pub framing: Framing,
    /// TLS (feature `tls`): `true`, or a map with `ca_file`, `server_name`,
    /// `cert_file`, `key_file`. Default: plain TCP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsConfig>,
    /// Timeout, buffer and reconnect backoff.
    #[serde(flatten)]
    pub connection: ConnectionConfig,
    /// `close_timeout` and `buffer_bytes`: the bounds of the background thread.
    #[serde(flatten)]
    pub worker: WorkerConfig,
    /// Level, formatter and filters.
    #[serde(flatten)]
    pub common: CommonHandlerConfig,
}

impl TcpHandlerConfig {
    /// A config for a server at `host`:`port` with every other key at its
    /// default.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = logfig::config::TcpHandlerConfig::new("127.0.0.1", 5170);
    /// assert_eq!(c.connection.timeout, std::time::Duration::from_secs(1));
    /// ```
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        TcpHandlerConfig {
            host: host.into(),
            port,
            framing: Framing::Line,
            tls: None,
            connection: ConnectionConfig::default(),
            worker: WorkerConfig::default(),
            common: CommonHandlerConfig::default(),
        }
    }
}

/// `type: udp`: sends each record, rendered by its formatter, as one UDP
/// datagram (no terminator). Sending never blocks a logging thread; a record
/// longer than `max_datagram` is truncated or split, and counted.
///
/// # Examples
///
/// ```
/// use logfig::config::{HandlerConfig, Oversize};
///
/// let config = logfig::Config::from_str(
///     "version: 1\nhandlers:\n  net: { type: udp, host: 127.0.0.1, port: 5170, max_datagram: 1400, oversize: split }\nroot: { handlers: [net] }\n",
///     logfig::Format::Yaml,
/// )?;
/// let HandlerConfig::Udp(net) = &config.handlers["net"] else { unreachable!() };
/// assert_eq!((net.max_datagram.bytes(), net.oversize), (1400, Oversize::Split));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct UdpHandlerConfig {
    /// Host name or IP address of the server.
    pub host: String,
    /// UDP port of the server.
    pub port: u16,
    /// Largest datagram sent, in bytes. Default: 65507 (the most UDP over IPv4
    /// carries); use 1400 or less to avoid IP fragmentation across a network.
    #[serde(default = "default_max_datagram")]
    pub max_datagram: Size,
    /// `truncate` or `split`: what happens to a longer record. Default: `truncate`.
    #[serde(default)]
    pub oversize: Oversize,
    /// Most records (a count, not a size: see `buffer_bytes`) waiting for the
    /// sending thread; when full, the oldest is dropped and counted. Default:
    /// 10000.
    #[serde(default = "default_net_buffer")]
    pub buffer: u32,
    /// `close_timeout` and `buffer_bytes`: the bounds of the background thread.
    #[serde(flatten)]
    pub worker: WorkerConfig,
    /// Level, formatter and filters.
    #[serde(flatten)]
    pub common: CommonHandlerConfig,
}

impl UdpHandlerConfig {
    /// A config for a server at `host`:`port` with every other key at its
    /// default.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = logfig::config::UdpHandlerConfig::new("127.0.0.1", 5170);
    /// assert_eq!(c.max_datagram.bytes(), 65507);
    /// ```
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        UdpHandlerConfig {
            host: host.into(),
            port,
            max_datagram: default_max_datagram(),
            oversize: Oversize::Truncate,
            buffer: default_net_buffer(),
            worker: WorkerConfig::default(),
            common: CommonHandlerConfig::default(),
        }
    }
}

fn default_max_datagram() -> Size {
    Size(65_507)
}

/// The message format of a `syslog` handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SyslogFormat {
    /// RFC 5424: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID - [SD] MSG`, with
    /// a UTC timestamp in microseconds and key-values as structured data (the
    /// default).
    #[default]
    Rfc5424,
    /// RFC 3164 (BSD): `<PRI>Mmm dd hh:mm:ss HOSTNAME APP-NAME[PROCID]: MSG`,
    /// local time; key-values are not sent.
    Rfc3164,
}

/// How a `syslog` handler reaches the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SyslogTransport {
    /// One datagram per message to `host`:`port` (the default, as Python's).
    #[default]
    Udp,
    /// A TCP connection to `host`:`port`, messages framed by octet counting
    /// (RFC 6587 §3.4.1); with `tls`, syslog over TLS (RFC 5425, port 6514
    /// by default).
    Tcp,
    /// RELP, the Reliable Event Logging Protocol of rsyslog's `imrelp`, to
    /// `host`:`port` (20514 by default): the server acknowledges every
    /// message, so records unacknowledged when a connection breaks are sent
    /// again on the next one. Nothing is lost across a server restart; a
    /// record the server took but could not acknowledge may arrive twice.
    Relp,
    /// The local socket at `path`: a datagram socket, or else a stream socket
    /// with each message ended by a NUL byte. A newline, carriage return or
    /// NUL inside a message is escaped (`\n`, `\r`, `\x00`): local syslog
    /// daemons end a message at either.
    Unix,
}

/// A syslog facility: the part of the system a message comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Facility {
    /// Kernel messages (0).
    Kern,
    /// User-level messages (1, the default).
    #[default]
    User,
    /// Mail system (2).
    Mail,
    /// System daemons (3).
    Daemon,
    /// Security and authorization (4).
    Auth,
    /// Messages of syslogd itself (5).
    Syslog,
    /// Line printer (6).
    Lpr,
    /// Network news (7).
    News,
    /// UUCP (8).
    Uucp,
    /// Clock daemon (9).
    Cron,
    /// Private security and authorization (10).
    Authpriv,
    /// FTP daemon (11).
    Ftp,
    /// NTP (12).
    Ntp,
    /// Log audit (13).
    Security,
    /// Log alert (14).
    Console,
    /// Clock daemon, as Solaris numbers it (15).
    SolarisCron,
    /// Local use 0 (16).
    Local0,
    /// Local use 1 (17).
    Local1,
    /// Local use 2 (18).
    Local2,
    /// Local use 3 (19).
    Local3,
    /// Local use 4 (20).
    Local4,
    /// Local use 5 (21).
    Local5,
    /// Local use 6 (22).
    Local6,
    /// Local use 7 (23).
    Local7,
}

impl Facility {
    /// The accepted names, in the order of the facility codes (0 to 23).
    pub const NAMES: &'static [&'static str] = &[
        "kern",
        "user",
        "mail",
        "daemon",
        "auth",
        "syslog",
        "lpr",
        "news",
        "uucp",
        "cron",
        "authpriv",
        "ftp",
        "ntp",
        "security",
        "console",
        "solaris_cron",
        "local0",
        "local1",
        "local2",
        "local3",
        "local4",
        "local5",
        "local6",
        "local7",
    ];

    /// Every facility, in the order of [`Facility::NAMES`].
    pub const ALL: &'static [Facility] = &[
        Facility::Kern,
        Facility::User,
        Facility::Mail,
        Facility::Daemon,
        Facility::Auth,
        Facility::Syslog,
        Facility::Lpr,
        Facility::News,
        Facility::Uucp,
        Facility::Cron,
        Facility::Authpriv,
        Facility::Ftp,
        Facility::Ntp,
        Facility::Security,
        Facility::Console,
        Facility::SolarisCron,
        Facility::Local0,
        Facility::Local1,
        Facility::Local2,
        Facility::Local3,
        Facility::Local4,
        Facility::Local5,
        Facility::Local6,
        Facility::Local7,
    ];

    /// The numeric code (RFC 5424 table 1).
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::config::Facility;
    ///
    /// assert_eq!(Facility::User.code(), 1);
    /// assert_eq!(Facility::Local7.code(), 23);
    /// ```
    pub fn code(self) -> u8 {
        Facility::ALL
            .iter()
            .position(|f| *f == self)
            .map_or(1, |i| i as u8)
    }
}

/// `type: syslog`: sends records to a syslog server (rsyslog, syslog-ng,
/// journald, Fluent Bit, Vector) over UDP, TCP or the local socket.
///
/// Severity comes from the level: ERROR (and CRITICAL) → 3 `err`, WARNING → 4
/// `warning`, INFO → 6 `info`, DEBUG and TRACE → 7 `debug`. The formatter
/// renders MSG only; the handler writes the header. With RFC 5424 the
/// record's key-values become one SD-ELEMENT `[sd_id key="value" ...]`.
/// Sending runs on a background thread with the reconnect and buffering of
/// `tcp`.
///
/// # Examples
///
/// ```
/// use logfig::config::{Facility, HandlerConfig, SyslogTransport};
///
/// let config = logfig::Config::from_str(
///     "version: 1\nhandlers:\n  sys: { type: syslog, transport: tcp, host: 127.0.0.1, port: 6514, facility: local3, app_name: billing }\nroot: { handlers: [sys] }\n",
///     logfig::Format::Yaml,
/// )?;
/// let HandlerConfig::Syslog(sys) = &config.handlers["sys"] else { unreachable!() };
/// assert_eq!((sys.transport, sys.facility), (SyslogTransport::Tcp, Facility::Local3));
/// assert_eq!(sys.sd_id, "logfig@32473");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct SyslogHandlerConfig {
    /// `udp`, `tcp`, `relp` or `unix`. Default: `udp`.
    #[serde(default)]
    pub transport: SyslogTransport,
    /// Server host name or IP address, for `udp` and `tcp`. Default: `localhost`.
    #[serde(default = "default_syslog_host")]
    pub host: String,
    /// Server port, for `udp`, `tcp` and `relp`. Default: 514; 6514 for `tcp`
    /// with `tls` (RFC 5425); 20514 for `relp`.
    #[serde(default = "default_syslog_port")]
    pub port: u16,
    /// Path of the local socket, for `unix`. Default: `/dev/log`.
    #[serde(default = "default_syslog_path")]
    pub path: PathBuf,
    /// `rfc5424` or `rfc3164`. Default: `rfc5424`.
    #[serde(default)]
    pub format: SyslogFormat,
    /// `kern`, `user`, `mail`, `daemon`, `auth`, `syslog`, `lpr`, `news`,
    /// `uucp`, `cron`, `authpriv`, `ftp`, `ntp`, `security`, `console`,
    /// `solaris_cron` or `local0`-`local7`. Default: `user`.
    #[serde(default)]
    pub facility: Facility,
    /// APP-NAME (the tag in RFC 3164). Default: the program's file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_name: Option<String>,
    /// HOSTNAME. Default: this machine's host name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// PROCID. Default: the process id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procid: Option<String>,
    /// SD-ID of the structured data element that carries the record's
    /// key-values (RFC 5424 only); a private SD-ID needs `@` and an enterprise
    /// number. Default: `logfig@32473`.
    #[serde(default = "default_sd_id")]
    pub sd_id: String,
    /// Longest message sent, in bytes; longer ones are truncated and counted.
    /// Default: 8KiB (rsyslog's default maximum).
    #[serde(default = "default_max_message")]
    pub max_message: Size,
    /// TLS (feature `tls`) for `tcp` and `relp`: `true`, or a map with
    /// `ca_file`, `server_name`, `cert_file`, `key_file`. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsConfig>,
    /// Timeout, buffer and reconnect backoff.
    #[serde(flatten)]
    pub connection: ConnectionConfig,
    /// `close_timeout` and `buffer_bytes`: the bounds of the background thread.
    #[serde(flatten)]
    pub worker: WorkerConfig,
    /// Level, formatter and filters.
    #[serde(flatten)]
    pub common: CommonHandlerConfig,
}

impl Default for SyslogHandlerConfig {
    fn default() -> Self {
        SyslogHandlerConfig {
            transport: SyslogTransport::Udp,
            host: default_syslog_host(),
            port: default_syslog_port(),
            path: default_syslog_path(),
            format: SyslogFormat::Rfc5424,
            facility: Facility::User,
            app_name: None,
            hostname: None,
            procid: None,
            sd_id: default_sd_id(),
            max_message: default_max_message(),
            tls: None,
            connection: ConnectionConfig::default(),
            worker: WorkerConfig::default(),
            common: CommonHandlerConfig::default(),
        }
    }
}

fn default_syslog_host() -> String {
    "localhost".to_owned()
}

fn default_syslog_port() -> u16 {
    514
}

fn default_syslog_path() -> PathBuf {
    PathBuf::from("/dev/log")
}

fn default_sd_id() -> String {
    "logfig@32473".to_owned()
}

fn default_max_message() -> Size {
    Size(8 << 10)
}

/// The body shape of the `http` handler's requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum HttpFormat {
    /// One JSON object a line (`application/x-ndjson`), as rendered by a
    /// `type: json` formatter, or `{"message": "<text>"}` with the text of
    /// any other formatter (the default).
    #[default]
    JsonLines,
    /// A JSON array of the records (`application/json`), each as for
    /// `json_lines`.
    JsonArray,
    /// Grafana Loki's push API (`POST /loki/api/v1/push`): one stream with
    /// `labels`, each record a `[nanoseconds, line]` pair, the line being the
    /// formatter's text.
    Loki,
    /// Elasticsearch's `_bulk` API: an `index` action line (with `index`, when
    /// set) before each record, each record as for `json_lines`.
    ElasticsearchBulk,
}

/// `type: http` (feature `http`): POSTs batches of records, rendered by the
/// formatter, to `url` from a background thread.
///
/// A batch is sent when `batch_size` records wait or the oldest has waited
/// `flush_interval`. Connection errors, 429 and 5xx answers are retried with
/// exponential backoff up to `max_retries` times; then the batch is dropped
/// and counted. Other 4xx answers drop the batch at once.
///
/// # Examples
///
/// ```
/// use logfig::config::{HandlerConfig, HttpFormat};
///
/// let config = logfig::Config::from_str(
///     "version: 1\nhandlers:\n  loki: { type: http, url: 'http://127.0.0.1:3100/loki/api/v1/push', format: loki, batch_size: 500, headers: { X-Scope-OrgID: team } }\nroot: { handlers: [loki] }\n",
///     logfig::Format::Yaml,
/// )?;
/// let HandlerConfig::Http(h) = &config.handlers["loki"] else { unreachable!() };
/// assert_eq!((h.format, h.batch_size, h.max_retries), (HttpFormat::Loki, 500, 3));
/// assert_eq!(h.headers["X-Scope-OrgID"].expose(), "team");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct HttpHandlerConfig {
    /// The `http://` or `https://` URL records are POSTed to. Certificates are
    /// verified (rustls, Mozilla's roots). Its user and password and
    /// token-like query parameters are never shown.
    pub url: SecretUrl,
    /// `json_lines`, `json_array`, `loki` or `elasticsearch_bulk`: the body
    /// shape. Default: `json_lines`.
    #[serde(default)]
    pub format: HttpFormat,
    /// Most records in one request. Default: 100.
    #[serde(default = "default_batch_size")]
    pub batch_size: u32,
    /// Longest time a record waits for its batch to fill before it is sent.
    /// Default: 1s.
    #[serde(default = "default_flush_interval", with = "super::duration_text")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub flush_interval: Duration,
    /// Longest time one request may take. Default: 5s.
    #[serde(default = "default_http_timeout", with = "super::duration_text")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub timeout: Duration,
    /// Extra request headers, such as `Authorization: "Bearer ${TOKEN}"`
    /// (write secrets as `${VAR}`). Their values are never shown.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, Secret>,
    /// Retries of a failed request (connection error, 429 or 5xx) before its
    /// records are dropped and counted. Default: 3.
    #[serde(default = "default_max_retries")]
    pub max_retries: u32,
    /// Wait before the first retry; it doubles after each. Default: 100ms.
    #[serde(default = "default_backoff", with = "super::duration_text")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub backoff: Duration,
    /// Longest wait between retries. Default: 30s.
    #[serde(default = "default_max_backoff", with = "super::duration_text")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub max_backoff: Duration,
    /// Most records (a count, not a size: see `buffer_bytes`) waiting to be
    /// sent; when full, the oldest is dropped and counted. Default: 10000.
    #[serde(default = "default_net_buffer")]
    pub buffer: u32,
    /// User name and password for HTTP basic authentication. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Credentials>,
    /// Stream labels of `format: loki`. Default: `{job: logfig}`.
    #[serde(default = "default_labels", skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Target index of `format: elasticsearch_bulk`. Default: none (the index
    /// in the URL, such as `/logs/_bulk`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
    /// For an `https://` URL: `ca_file` to trust only a private CA instead of
    /// Mozilla's roots, and `cert_file` with `key_file` for a client
    /// certificate. The certificate must name the URL's host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsConfig>,
    /// `close_timeout` and `buffer_bytes`: the bounds of the background thread.
    #[serde(flatten)]
    pub worker: WorkerConfig,
    /// Level, formatter and filters.
    #[serde(flatten)]
    pub common: CommonHandlerConfig,
}

impl HttpHandlerConfig {
    /// A config for `url` with every other key at its default.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = logfig::config::HttpHandlerConfig::new("http://127.0.0.1:8080/logs");
    /// assert_eq!(c.batch_size, 100);
    /// ```
    pub fn new(url: impl Into<String>) -> Self {
        HttpHandlerConfig {
            url: SecretUrl::new(url),
            format: HttpFormat::JsonLines,
            batch_size: default_batch_size(),
            flush_interval: default_flush_interval(),
            timeout: default_http_timeout(),
            headers: BTreeMap::new(),
            max_retries: default_max_retries(),
            backoff: default_backoff(),
            max_backoff: default_max_backoff(),
            buffer: default_net_buffer(),
            credentials: None,
            labels: default_labels(),
            index: None,
            tls: None,
            worker: WorkerConfig::default(),
            common: CommonHandlerConfig::default(),
        }
    }
}

fn default_batch_size() -> u32 {
    100
}

fn default_flush_interval() -> Duration {
    Duration::from_secs(1)
}

fn default_http_timeout() -> Duration {
    Duration::from_secs(5)
}

fn default_max_retries() -> u32 {
    3
}

fn default_labels() -> BTreeMap<String, String> {
    BTreeMap::from([("job".to_owned(), "logfig".to_owned())])
}

/// When the `smtp` handler encrypts the connection with STARTTLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StartTls {
    /// When the server offers it; plain text otherwise (the default).
    #[default]
    Auto,
    /// Always: a server without STARTTLS is an error.
    Always,
    /// Never: plain text (for a trusted local relay).
    Never,
}

/// User name and password (SMTP AUTH, HTTP basic authentication); write
/// them as `${VAR}`. Python's `[user, password]` pair is accepted too.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct Credentials {
    /// User name.
    pub username: String,
    /// Password, such as `${SMTP_PASSWORD}`. Never shown.
    pub password: Secret,
}

impl Credentials {
    /// Credentials from a user name and a password.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = logfig::config::Credentials::new("alerts", "hunter2");
    /// assert!(!format!("{c:?}").contains("hunter2"));
    /// ```
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Credentials {
            username: username.into(),
            password: Secret::new(password),
        }
    }
}

/// `type: smtp` (feature `smtp`): e-mails the records that reach it (set
/// `level: ERROR` for alerts) from a background thread.
///
/// The first record opens a `window`; every record that arrives within it
/// goes into the same message. At most `max_per_hour` messages are sent in
/// any hour: beyond that, records wait (up to `buffer`) and go out together
/// in the next message the cap allows, so an error storm does not become a
/// mail storm.
///
/// # Examples
///
/// ```
/// use logfig::config::{HandlerConfig, StartTls};
///
/// let config = logfig::Config::from_str(
///     "version: 1\nhandlers:\n  mail: { type: smtp, host: smtp.example.com, port: 587, from: app@example.com, to: [ops@example.com], level: ERROR, credentials: { username: app, password: secret } }\nroot: { handlers: [mail] }\n",
///     logfig::Format::Yaml,
/// )?;
/// let HandlerConfig::Smtp(m) = &config.handlers["mail"] else { unreachable!() };
/// assert_eq!((m.port, m.starttls, m.max_per_hour), (587, StartTls::Auto, 20));
/// assert_eq!(m.window, std::time::Duration::from_secs(10));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct SmtpHandlerConfig {
    /// Host name or IP address of the SMTP server.
    pub host: String,
    /// Port of the SMTP server. Default: 25.
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// Sender address, such as `app@example.com` or `App <app@example.com>`.
    pub from: String,
    /// Recipient addresses.
    pub to: Vec<String>,
    /// Subject, a Python `%`-style pattern rendered from the message's first
    /// record; ` (+N more)` is added when the message holds more. Default:
    /// `%(levelname)s: %(message)s`.
    #[serde(default = "default_subject")]
    pub subject: String,
    /// `auto` (when offered), `always` or `never`. Certificates are verified.
    /// Default: `auto`.
    #[serde(default)]
    pub starttls: StartTls,
    /// User name and password for SMTP AUTH. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Credentials>,
    /// How long the first record of a message waits for more to join it.
    /// Default: 10s.
    #[serde(default = "default_window", with = "super::duration_text")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub window: Duration,
    /// Most messages sent in any hour. Default: 20.
    #[serde(default = "default_max_per_hour")]
    pub max_per_hour: u32,
    /// Longest time one SMTP exchange may take. Default: 10s.
    #[serde(default = "default_smtp_timeout", with = "super::duration_text")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub timeout: Duration,
    /// Most records (a count, not a size: see `buffer_bytes`) waiting for the
    /// next message; when full, the oldest is dropped and counted. Default:
    /// 10000.
    #[serde(default = "default_net_buffer")]
    pub buffer: u32,
    /// `close_timeout` and `buffer_bytes`: the bounds of the background thread.
    #[serde(flatten)]
    pub worker: WorkerConfig,
    /// Level, formatter and filters.
    #[serde(flatten)]
    pub common: CommonHandlerConfig,
}

impl SmtpHandlerConfig {
    /// A config sending from `from` to `to` through `host` with every other
    /// key at its default.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = logfig::config::SmtpHandlerConfig::new("127.0.0.1", "app@example.com", ["ops@example.com"]);
    /// assert_eq!(c.port, 25);
    /// ```
    pub fn new<S: Into<String>>(
        host: impl Into<String>,
        from: impl Into<String>,
        to: impl IntoIterator<Item = S>,
    ) -> Self {
        SmtpHandlerConfig {
            host: host.into(),
            port: default_smtp_port(),
            from: from.into(),
            to: to.into_iter().map(Into::into).collect(),
            subject: default_subject(),
            starttls: StartTls::Auto,
            credentials: None,
            window: default_window(),
            max_per_hour: default_max_per_hour(),
            timeout: default_smtp_timeout(),
            buffer: default_net_buffer(),
            worker: WorkerConfig::default(),
            common: CommonHandlerConfig::default(),
        }
    }
}

fn default_smtp_port() -> u16 {
    25
}

fn default_subject() -> String {
    "%(levelname)s: %(message)s".to_owned()
}

fn default_window() -> Duration {
    Duration::from_secs(10)
}

fn default_max_per_hour() -> u32 {
    20
}

fn default_smtp_timeout() -> Duration {
    Duration::from_secs(10)
}
