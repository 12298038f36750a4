//! `type: otlp`: the config of the OpenTelemetry (OTLP/HTTP) log exporter.

use std::collections::BTreeMap;
use std::time::Duration;

// The retry and buffer defaults are the network outputs' own.
use super::net::{default_backoff, default_max_backoff, default_net_buffer};
use super::{CommonHandlerConfig, TlsConfig, WorkerConfig};
use crate::config::{Secret, SecretUrl};

/// The body encoding of OTLP/HTTP requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum OtlpProtocol {
    /// Binary protobuf (`application/x-protobuf`), the OTLP default.
    #[default]
    #[cfg_attr(feature = "serde", serde(rename = "http/protobuf"))]
    HttpProtobuf,
    /// The OTLP JSON encoding (`application/json`).
    #[cfg_attr(feature = "serde", serde(rename = "http/json"))]
    HttpJson,
}

/// How OTLP request bodies are compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum OtlpCompression {
    /// Sent as they are (the OTLP default).
    #[default]
    None,
    /// `Content-Encoding: gzip`, compressed on the background thread.
    Gzip,
}

/// `type: otlp` (feature `otlp`): exports records as OpenTelemetry log
/// records over OTLP/HTTP, in batches, from a background thread.
///
/// Unset keys take the standard OpenTelemetry environment variables where
/// they exist (`OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`,
/// `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_HEADERS`,
/// `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_SERVICE_NAME`), read when the handler is
/// built; the config wins where both give a value. See the
/// [network guide](crate::guide::network) for the record mapping.
///
/// # Examples
///
/// ```
/// use logfig::config::{HandlerConfig, OtlpCompression, OtlpProtocol};
///
/// let config = logfig::Config::from_str(
///     "version: 1\nhandlers:\n  otel: { type: otlp, endpoint: 'http://collector:4318/v1/logs', compression: gzip, resource: { service.name: shop } }\nroot: { handlers: [otel] }\n",
///     logfig::Format::Yaml,
/// )?;
/// let HandlerConfig::Otlp(o) = &config.handlers["otel"] else { unreachable!() };
/// assert_eq!((o.protocol, o.compression), (OtlpProtocol::HttpProtobuf, OtlpCompression::Gzip));
/// assert_eq!(o.resource["service.name"], "shop");
/// assert_eq!(o.max_batch, 512);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct OtlpHandlerConfig {
    /// The full URL of the logs endpoint (`http://` or `https://`, path
    /// included; a port, if given, is 1 to 65535). Default:
    /// `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`, else
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` followed by `/v1/logs`, else
    /// `http://localhost:4318/v1/logs`. Its user, password and token-like
    /// query parameters are never shown.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub endpoint: Option<SecretUrl>,
    /// `http/protobuf` or `http/json`. Default: `http/protobuf`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub protocol: OtlpProtocol,
    /// Extra request headers, such as `Authorization: "Bearer ${TOKEN}"`,
    /// added to those of `OTEL_EXPORTER_OTLP_HEADERS` (these win). Values are
    /// never shown. At most 64 headers of at most 8KiB each.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "BTreeMap::is_empty")
    )]
    pub headers: BTreeMap<String, Secret>,
    /// `gzip` or `none`. Default: `none`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub compression: OtlpCompression,
    /// Longest time one request may take. Default: 10s.
    #[cfg_attr(
        feature = "serde",
        serde(default = "default_timeout", with = "crate::config::duration_text")
    )]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub timeout: Duration,
    /// Most records in one request, 1 to 10000. Default: 512.
    #[cfg_attr(feature = "serde", serde(default = "default_max_batch"))]
    pub max_batch: u32,
    /// Longest time a record waits for its batch to fill. Default: 1s.
    #[cfg_attr(
        feature = "serde",
        serde(default = "default_max_delay", with = "crate::config::duration_text")
    )]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub max_delay: Duration,
    /// Retries of a request that failed in a retryable way (connection error,
    /// timeout, 429, 502, 503, 504) before its records count as failed.
    /// Default: 5.
    #[cfg_attr(feature = "serde", serde(default = "default_max_retries"))]
    pub max_retries: u32,
    /// Wait before the first retry; it doubles after each, unless the server
    /// says how long in `Retry-After`. Default: 100ms.
    #[cfg_attr(
        feature = "serde",
        serde(default = "default_backoff", with = "crate::config::duration_text")
    )]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub backoff: Duration,
    /// Longest wait between retries, `Retry-After` included. Default: 30s.
    #[cfg_attr(
        feature = "serde",
        serde(default = "default_max_backoff", with = "crate::config::duration_text")
    )]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub max_backoff: Duration,
    /// Most records (a count: see `buffer_bytes` for bytes) waiting to be
    /// sent; when full, the oldest is dropped and counted. Default: 10000.
    #[cfg_attr(feature = "serde", serde(default = "default_net_buffer"))]
    pub buffer: u32,
    /// Resource attributes (`service.name`, `deployment.environment`, …),
    /// added to those of `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_SERVICE_NAME`
    /// (these win). At most 128. Default: none; `service.name` then defaults
    /// to `unknown_service:<program>`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "BTreeMap::is_empty")
    )]
    pub resource: BTreeMap<String, String>,
    /// For an `https://` endpoint: `ca_file` to trust only a private CA
    /// instead of Mozilla's roots, and `cert_file` with `key_file` for a
    /// client certificate, as for `http`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub tls: Option<TlsConfig>,
    /// `close_timeout` and `buffer_bytes`: the bounds of the background thread.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub worker: WorkerConfig,
    /// Level, formatter and filters. With a formatter, its text is the body
    /// of each log record; without one, the message is.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub common: CommonHandlerConfig,
}

impl Default for OtlpHandlerConfig {
    fn default() -> Self {
        OtlpHandlerConfig {
            endpoint: None,
            protocol: OtlpProtocol::default(),
            headers: BTreeMap::new(),
            compression: OtlpCompression::default(),
            timeout: default_timeout(),
            max_batch: default_max_batch(),
            max_delay: default_max_delay(),
            max_retries: default_max_retries(),
            backoff: default_backoff(),
            max_backoff: default_max_backoff(),
            buffer: default_net_buffer(),
            resource: BTreeMap::new(),
            tls: None,
            worker: WorkerConfig::default(),
            common: CommonHandlerConfig::default(),
        }
    }
}

impl OtlpHandlerConfig {
    /// A config for `endpoint` with every other key at its default.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = logfig::config::OtlpHandlerConfig::new("http://127.0.0.1:4318/v1/logs");
    /// assert_eq!(c.max_batch, 512);
    /// ```
    pub fn new(endpoint: impl Into<String>) -> Self {
        OtlpHandlerConfig {
            endpoint: Some(SecretUrl::new(endpoint)),
            ..OtlpHandlerConfig::default()
        }
    }
}

/// Most headers of an `otlp` handler (config and environment together).
pub(crate) const MAX_HEADERS: usize = 64;
/// Longest header value, in bytes.
pub(crate) const MAX_HEADER_VALUE: usize = 8 << 10;
/// Most resource attributes.
pub(crate) const MAX_RESOURCE: usize = 128;
/// Largest `max_batch`.
pub(crate) const MAX_BATCH: u32 = 10_000;

fn default_timeout() -> Duration {
    Duration::from_secs(10)
}

fn default_max_batch() -> u32 {
    512
}

fn default_max_delay() -> Duration {
    Duration::from_secs(1)
}

fn default_max_retries() -> u32 {
    5
}
