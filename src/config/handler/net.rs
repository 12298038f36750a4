//! The network handlers `tcp` and `udp`: connection, framing, TLS, oversized
//! datagrams.

use std::path::PathBuf;
use std::time::Duration;

use super::{CommonHandlerConfig, WorkerConfig};
use crate::config::Size;

/// How a `tcp` handler marks where one record ends and the next begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
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
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ConnectionConfig {
    /// Longest time one connect or write may take before it counts as failed.
    /// Logging threads never wait for the network: they only queue the record.
    /// Default: 1s.
    #[cfg_attr(
        feature = "serde",
        serde(default = "default_net_timeout", with = "crate::config::duration_text")
    )]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub timeout: Duration,
    /// Most records (a count, not a size: see `buffer_bytes`) kept while the
    /// server cannot be reached; when full, the oldest record is dropped and
    /// counted. Default: 10000.
    #[cfg_attr(feature = "serde", serde(default = "default_net_buffer"))]
    pub buffer: u32,
    /// Wait before the first reconnect after a failure; it doubles after each
    /// failed attempt, up to `max_backoff`. Default: 100ms.
    #[cfg_attr(
        feature = "serde",
        serde(default = "default_backoff", with = "crate::config::duration_text")
    )]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub backoff: Duration,
    /// Longest wait between reconnect attempts. Default: 30s.
    #[cfg_attr(
        feature = "serde",
        serde(default = "default_max_backoff", with = "crate::config::duration_text")
    )]
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

pub(super) fn default_net_buffer() -> u32 {
    10_000
}

pub(super) fn default_backoff() -> Duration {
    Duration::from_millis(100)
}

pub(super) fn default_max_backoff() -> Duration {
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
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct TlsConfig {
    /// PEM file of the CA certificates to trust instead of the built-in roots
    /// (for a private CA or a self-signed server). Default: Mozilla's roots.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub ca_file: Option<PathBuf>,
    /// The name the server's certificate must carry (a DNS name or an IP
    /// address). Default: `host`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub server_name: Option<String>,
    /// PEM file of this client's certificate chain, for servers that ask for
    /// one (mutual TLS); needs `key_file`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub cert_file: Option<PathBuf>,
    /// PEM file of the private key of `cert_file`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
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
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct TcpHandlerConfig {
    /// Host name or IP address of the server, without a port (`port` holds it).
    pub host: String,
    /// TCP port of the server.
    pub port: u16,
    /// `line` (a newline after each record) or `length` (a 4-byte big-endian
    /// length before each record). Default: `line`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub framing: Framing,
    /// TLS (feature `tls`): `true`, or a map with `ca_file`, `server_name`,
    /// `cert_file`, `key_file`. Default: plain TCP.
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
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct UdpHandlerConfig {
    /// Host name or IP address of the server, without a port (`port` holds it).
    pub host: String,
    /// UDP port of the server.
    pub port: u16,
    /// Largest datagram sent, in bytes. Default: 65507 (the most UDP over IPv4
    /// carries); use 1400 or less to avoid IP fragmentation across a network.
    #[cfg_attr(feature = "serde", serde(default = "default_max_datagram"))]
    pub max_datagram: Size,
    /// `truncate` or `split`: what happens to a longer record. Default: `truncate`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub oversize: Oversize,
    /// Most records (a count, not a size: see `buffer_bytes`) waiting for the
    /// sending thread; when full, the oldest is dropped and counted. Default:
    /// 10000.
    #[cfg_attr(feature = "serde", serde(default = "default_net_buffer"))]
    pub buffer: u32,
    /// `close_timeout` and `buffer_bytes`: the bounds of the background thread.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub worker: WorkerConfig,
    /// Level, formatter and filters.
    #[cfg_attr(feature = "serde", serde(flatten))]
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
