//! The `http` handler: batches of records POSTed as JSON lines, Loki or
//! Elasticsearch bulk.

use std::collections::BTreeMap;
use std::time::Duration;

use super::net::{default_backoff, default_max_backoff, default_net_buffer};
use super::{CommonHandlerConfig, Credentials, TlsConfig, WorkerConfig};
use crate::config::{Secret, SecretUrl};

/// The body shape of the `http` handler's requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
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
/// exponential backoff (or after the answer's `Retry-After`, at most
/// `max_backoff`) up to `max_retries` times; then the batch is dropped and
/// counted. Other 4xx answers drop the batch at once.
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
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct HttpHandlerConfig {
    /// The `http://` or `https://` URL records are POSTed to; a port, if
    /// given, is 1 to 65535. Certificates are verified (rustls, Mozilla's
    /// roots). Its user and password and token-like query parameters are
    /// never shown.
    pub url: SecretUrl,
    /// `json_lines`, `json_array`, `loki` or `elasticsearch_bulk`: the body
    /// shape. Default: `json_lines`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub format: HttpFormat,
    /// Most records in one request. Default: 100.
    #[cfg_attr(feature = "serde", serde(default = "default_batch_size"))]
    pub batch_size: u32,
    /// Longest time a record waits for its batch to fill before it is sent.
    /// Default: 1s.
    #[cfg_attr(
        feature = "serde",
        serde(
            default = "default_flush_interval",
            with = "crate::config::duration_text"
        )
    )]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub flush_interval: Duration,
    /// Longest time one request may take. Default: 5s.
    #[cfg_attr(
        feature = "serde",
        serde(
            default = "default_http_timeout",
            with = "crate::config::duration_text"
        )
    )]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub timeout: Duration,
    /// Extra request headers, such as `Authorization: "Bearer ${TOKEN}"`
    /// (write secrets as `${VAR}`). Their values are never shown.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "BTreeMap::is_empty")
    )]
    pub headers: BTreeMap<String, Secret>,
    /// Retries of a failed request (connection error, 429 or 5xx) before its
    /// records are dropped and counted. Default: 3.
    #[cfg_attr(feature = "serde", serde(default = "default_max_retries"))]
    pub max_retries: u32,
    /// Wait before the first retry; it doubles after each. Default: 100ms.
    #[cfg_attr(
        feature = "serde",
        serde(default = "default_backoff", with = "crate::config::duration_text")
    )]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub backoff: Duration,
    /// Longest wait between retries. Default: 30s.
    #[cfg_attr(
        feature = "serde",
        serde(default = "default_max_backoff", with = "crate::config::duration_text")
    )]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub max_backoff: Duration,
    /// Most records (a count, not a size: see `buffer_bytes`) waiting to be
    /// sent; when full, the oldest is dropped and counted. Default: 10000.
    #[cfg_attr(feature = "serde", serde(default = "default_net_buffer"))]
    pub buffer: u32,
    /// User name and password for HTTP basic authentication. Default: none.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub credentials: Option<Credentials>,
    /// Stream labels of `format: loki`. Default: `{job: logfig}`.
    #[cfg_attr(
        feature = "serde",
        serde(default = "default_labels", skip_serializing_if = "BTreeMap::is_empty")
    )]
    pub labels: BTreeMap<String, String>,
    /// Target index of `format: elasticsearch_bulk`. Default: none (the index
    /// in the URL, such as `/logs/_bulk`).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub index: Option<String>,
    /// For an `https://` URL: `ca_file` to trust only a private CA instead of
    /// Mozilla's roots, and `cert_file` with `key_file` for a client
    /// certificate. The certificate must name the URL's host.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub tls: Option<TlsConfig>,
    /// `close_timeout` and `buffer_bytes`: the bounds of the background thread.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub worker: WorkerConfig,
    /// Level, formatter and filters.
    #[cfg_attr(feature = "serde", serde(flatten))]
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
    // Not `BTreeMap::from([..])`, which compiles a sort for one entry.
    let mut labels = BTreeMap::new();
    labels.insert("job".to_owned(), "logfig".to_owned());
    labels
}
