//! [`OtlpHandler`]: OpenTelemetry log records exported over OTLP/HTTP by a
//! background thread (feature `otlp`).

mod env;
mod nested;
mod proto;
mod record;

use std::collections::VecDeque;
use std::io::Write as _;
use std::time::Instant;

use super::HandlerStats;
use super::post::{Answer, Body, Deliverer, Post, Reply, Schedule};
use super::worker::{Fifo, Weigh, Worker, worker_handler_methods};
use crate::config::{OtlpCompression, OtlpHandlerConfig, OtlpProtocol};
use crate::entry::Entry;
use crate::error::Error;
use crate::formatters::Formatter;
use crate::handlers::Handler;

/// Exports records as OpenTelemetry log records to an OTLP/HTTP endpoint,
/// such as an OpenTelemetry Collector (`type: otlp`, feature `otlp`).
///
/// The logging thread renders the record's body with the handler's
/// formatter (the message alone by default) and writes the whole
/// `LogRecord` (protobuf or JSON) into one buffer, which it queues; a
/// background thread named `logfig-otlp-<name>` sends a batch when
/// `max_batch` records wait or the oldest has waited `max_delay`, grouped by
/// logger under the resource, compressed with gzip if asked.
///
/// Each record becomes a `LogRecord`:
///
/// | field | from |
/// |---|---|
/// | `time_unix_nano` | when the record was made |
/// | `observed_time_unix_nano` | when the handler took it |
/// | `severity_number`, `severity_text` | TRACE 1, DEBUG 5, INFO 9, WARNING 13, ERROR 17 (CRITICAL is ERROR in Rust's `log`); the level's name |
/// | `body` | the formatter's text, as a string (at most 1MiB, then cut and counted as `oversized`) |
/// | `attributes` | each key-value with its type (integer, double, boolean, string; integers beyond 64 bits as strings; a value logged with `:serde` as a `kvlist_value`/`array_value` tree, at most 16 levels, 128 entries a level and 64KiB of text, the rest counted in `dropped_attributes_count`), then `code.filepath`, `code.lineno`, `code.namespace`, `thread.id`, `thread.name`; at most 128, the rest counted in `dropped_attributes_count`; strings cut at 64KiB |
/// | `trace_id`, `span_id` | key-values `trace_id` (32 hex digits) and `span_id` (16), else span fields of those names, innermost span first |
/// | scope | the logger name (the record's target), at most 1KiB |
///
/// The resource holds `resource` over `OTEL_SERVICE_NAME` over
/// `OTEL_RESOURCE_ATTRIBUTES`, with `telemetry.sdk.*` and a default
/// `service.name` of `unknown_service:<program>`.
///
/// A connection error, a timeout, 429, 502, 503 or 504 is retried after the
/// server's `Retry-After` (seconds or an HTTP date, at most `max_backoff`),
/// or else an exponential backoff, up to `max_retries` times; then the batch
/// counts as failed. Any other answer outside 2xx (400: a malformed request)
/// fails the batch at once. A 2xx answer with a partial success counts its
/// `rejected_log_records` as failed and passes its message to the error hook.
///
/// Header values and the endpoint's user and password never appear in
/// error messages or `Debug`. `flush` and `close` are bounded by
/// `close_timeout`, as for `http`.
///
/// Statistics: `emitted`, `dropped` (the buffer was full), `failed`
/// (refused, rejected, given up, or unsent at close), `retried`,
/// `oversized`, `queued`, `queued_bytes`.
///
/// # Examples
///
/// ```
/// let c = logfig::config::OtlpHandlerConfig::new("http://127.0.0.1:9/v1/logs");
/// let h = logfig::__internal::OtlpHandler::start("otel", &c)?;
/// logfig::Handler::close(&h)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct OtlpHandler {
    worker: Worker<Fifo<Item>>,
    protocol: OtlpProtocol,
}

/// One encoded record: its scope name, then its `LogRecord`.
#[derive(Debug)]
struct Item {
    queued: Instant,
    bytes: Vec<u8>,
    scope_len: usize,
}

impl Weigh for Item {
    fn weight(&self) -> usize {
        std::mem::size_of::<Item>() + self.bytes.len()
    }
}

/// The body of a batch (the resource, the records grouped by logger, gzip
/// if asked) and the reading of an answer, owned by the worker thread; the
/// deliverer holds the endpoint and the headers.
#[derive(Debug)]
struct Exporter {
    resource: Vec<u8>,
    protocol: OtlpProtocol,
    compression: OtlpCompression,
}

impl OtlpHandler {
    /// Applies the OpenTelemetry environment variables to `config` and
    /// starts the sending thread; nothing is connected yet.
    ///
    /// # Errors
    ///
    /// A malformed `OTEL_*` variable, a `tls` file that cannot be read, or
    /// a thread that cannot be started.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut c = logfig::config::OtlpHandlerConfig::new("http://127.0.0.1:9/v1/logs");
    /// c.resource.insert("service.name".into(), "shop".into());
    /// let h = logfig::__internal::OtlpHandler::start("otel", &c)?;
    /// logfig::Handler::close(&h)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn start(name: &str, config: &OtlpHandlerConfig) -> Result<OtlpHandler, Error> {
        let resolved = env::resolve(config, &|var| std::env::var(var).ok())?;
        let exporter = Exporter {
            resource: record::resource(&resolved.resource, config.protocol),
            protocol: config.protocol,
            compression: config.compression,
        };
        let schedule = Schedule::new(
            config.max_batch,
            config.max_delay,
            config.max_retries,
            config.backoff,
            config.max_backoff,
        );
        let worker = Deliverer::new(
            exporter,
            resolved.endpoint,
            resolved.headers,
            config.timeout,
            config.tls.as_ref(),
            schedule,
        )?
        .start("otlp", name, config.buffer, &config.worker)?;
        Ok(OtlpHandler {
            worker,
            protocol: config.protocol,
        })
    }
}

impl Post for Exporter {
    type Item = Item;

    const VERB: &'static str = "export to";

    /// 64KiB: a partial success is short, and a hostile server cannot fill
    /// memory.
    const ANSWER_LIMIT: u64 = 64 << 10;

    fn queued(item: &Item) -> Instant {
        item.queued
    }

    fn encode(&self, batch: &VecDeque<Item>) -> Body {
        let bytes = record::request(
            &self.resource,
            batch.iter().map(|i| record::Encoded {
                // Written from a `&str` on the logging thread.
                scope: std::str::from_utf8(&i.bytes[..i.scope_len]).unwrap_or(""),
                record: &i.bytes[i.scope_len..],
            }),
            self.protocol,
        );
        let content_type = match self.protocol {
            OtlpProtocol::HttpJson => "application/json",
            _ => "application/x-protobuf",
        };
        if self.compression != OtlpCompression::Gzip {
            return Body {
                bytes,
                content_type,
                encoding: None,
            };
        }
        let mut gz = flate2::write::GzEncoder::new(
            Vec::with_capacity(bytes.len() / 4),
            flate2::Compression::fast(),
        );
        // Writing into a Vec cannot fail.
        let _ = gz.write_all(&bytes);
        Body {
            bytes: gz.finish().unwrap_or_default(),
            content_type,
            encoding: Some("gzip"),
        }
    }

    /// 2xx accepts (a partial success refuses some records all the same);
    /// 429, 502, 503 and 504 are retried, after the server's `Retry-After`
    /// if it gave one (the OTLP specification's retryable answers); any
    /// other answer refuses.
    fn read(&self, reply: &Reply<'_>) -> Answer {
        match reply.status {
            200..=299 => Answer::Accepted(record::partial_success(reply.body, self.protocol)),
            status @ (429 | 502..=504) => {
                Answer::Retry(format!("answered {status}"), reply.retry_after)
            }
            status => Answer::Refused(format!("answered {status}")),
        }
    }
}

impl Handler for OtlpHandler {
    fn emit(&self, entry: &Entry<'_>, formatter: &dyn Formatter) -> Result<(), Error> {
        let mut bytes = Vec::with_capacity(256);
        let (scope_len, oversized) = crate::formatters::with_scratch(|body| {
            formatter.format(entry, body)?;
            Ok::<_, Error>(record::encode(entry, body, self.protocol, &mut bytes))
        })?;
        if oversized {
            self.worker.count_oversized();
        }
        self.worker.send(Item {
            queued: Instant::now(),
            bytes,
            scope_len,
        })
    }

    worker_handler_methods!(worker);
}
