//! `handlers.<name>`: one struct per handler kind.

use super::{CustomOptions, Level};

mod console;
mod file;
mod http;
mod journald;
mod net;
mod otlp;
mod queue;
mod smtp;
mod syslog;
mod worker;

pub use console::{ColorMode, ConsoleHandlerConfig, Stream};
pub use file::{
    Compression, FileHandlerConfig, FileMode, Numbering, RotateWhen, RotatingFileHandlerConfig,
    WatchedFileHandlerConfig,
};
pub use http::{HttpFormat, HttpHandlerConfig};
pub use journald::JournaldHandlerConfig;
pub(crate) use journald::MAX_IDENTIFIER;
pub use net::{ConnectionConfig, Framing, Oversize, TcpHandlerConfig, TlsConfig, UdpHandlerConfig};
pub(crate) use otlp::{MAX_BATCH, MAX_HEADER_VALUE, MAX_HEADERS, MAX_RESOURCE};
pub use otlp::{OtlpCompression, OtlpHandlerConfig, OtlpProtocol};
pub use queue::{MemoryHandlerConfig, QueueHandlerConfig};
pub use smtp::{Credentials, SmtpHandlerConfig, StartTls};
pub use syslog::{Facility, SyslogFormat, SyslogHandlerConfig, SyslogTransport};
pub use worker::{Overflow, WorkerConfig};

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
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(tag = "type", rename_all = "snake_case"))]
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
    /// `type: otlp`: exports OpenTelemetry log records over OTLP/HTTP to a
    /// collector; needs the `otlp` feature.
    Otlp(OtlpHandlerConfig),
    /// `type: journald`: sends records to the systemd journal over its native
    /// protocol (Linux).
    Journald(JournaldHandlerConfig),
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
        "otlp",
        "journald",
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
            HandlerConfig::Otlp(_) => "otlp",
            HandlerConfig::Journald(_) => "journald",
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
            HandlerConfig::Otlp(c) => &c.common,
            HandlerConfig::Journald(c) => &c.common,
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
            HandlerConfig::Otlp(c) => &mut c.common,
            HandlerConfig::Journald(c) => &mut c.common,
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
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CommonHandlerConfig {
    /// Minimum level of records this handler emits. Default: NOTSET (all).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub level: Option<Level>,
    /// Name of the formatter that renders records. Default: `%(message)s`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub formatter: Option<String>,
    /// Names of filters a record must pass to reach this handler.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub filters: Vec<String>,
}

/// `type: null`: discards every record.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct NullHandlerConfig {
    /// Level, formatter and filters.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub common: CommonHandlerConfig,
}

/// `type: custom`: a handler built by a factory registered in code.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct CustomHandlerConfig {
    /// Name under which the factory was registered.
    pub factory: String,
    /// Options passed to the factory as JSON. Default: null. Values of keys
    /// with secret-like names (`password`, `token`, `api_key`, ...) are
    /// never shown.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "CustomOptions::is_null")
    )]
    pub options: CustomOptions,
    /// Level, formatter and filters.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub common: CommonHandlerConfig,
}
