//! The `syslog` handler: RFC 3164 and 5424, transports, facilities.

use std::path::PathBuf;

use super::{CommonHandlerConfig, ConnectionConfig, TlsConfig, WorkerConfig};
use crate::config::Size;

/// The message format of a `syslog` handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
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
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct SyslogHandlerConfig {
    /// `udp`, `tcp`, `relp` or `unix`. Default: `udp`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub transport: SyslogTransport,
    /// Server host name or IP address, for `udp` and `tcp`, without a port
    /// (`port` holds it). Default: `localhost`.
    #[cfg_attr(feature = "serde", serde(default = "default_syslog_host"))]
    pub host: String,
    /// Server port, for `udp`, `tcp` and `relp`. Default: 514; 6514 for `tcp`
    /// with `tls` (RFC 5425); 20514 for `relp`.
    #[cfg_attr(feature = "serde", serde(default = "default_syslog_port"))]
    pub port: u16,
    /// Path of the local socket, for `unix`. Default: `/dev/log`.
    #[cfg_attr(feature = "serde", serde(default = "default_syslog_path"))]
    pub path: PathBuf,
    /// `rfc5424` or `rfc3164`. Default: `rfc5424`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub format: SyslogFormat,
    /// `kern`, `user`, `mail`, `daemon`, `auth`, `syslog`, `lpr`, `news`,
    /// `uucp`, `cron`, `authpriv`, `ftp`, `ntp`, `security`, `console`,
    /// `solaris_cron` or `local0`-`local7`. Default: `user`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub facility: Facility,
    /// APP-NAME (the tag in RFC 3164). Default: the program's file name.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub app_name: Option<String>,
    /// HOSTNAME. Default: this machine's host name.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub hostname: Option<String>,
    /// PROCID. Default: the process id.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub procid: Option<String>,
    /// SD-ID of the structured data element that carries the record's
    /// key-values (RFC 5424 only); a private SD-ID needs `@` and an enterprise
    /// number. Default: `logfig@32473`.
    #[cfg_attr(feature = "serde", serde(default = "default_sd_id"))]
    pub sd_id: String,
    /// Longest message sent, in bytes; longer ones are truncated and counted.
    /// Default: 8KiB (rsyslog's default maximum).
    #[cfg_attr(feature = "serde", serde(default = "default_max_message"))]
    pub max_message: Size,
    /// TLS (feature `tls`) for `tcp` and `relp`: `true`, or a map with
    /// `ca_file`, `server_name`, `cert_file`, `key_file`. Default: none.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub tls: Option<TlsConfig>,
    /// Timeout, buffer and reconnect backoff.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub connection: ConnectionConfig,
    /// `close_timeout` and `buffer_bytes`: the bounds of the background thread.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub worker: WorkerConfig,
    /// Level, formatter and filters.
    #[cfg_attr(feature = "serde", serde(flatten))]
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
