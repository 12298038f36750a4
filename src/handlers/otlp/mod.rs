//! [`OtlpHandler`]: OpenTelemetry log records exported over OTLP/HTTP by a
//! background thread (feature `otlp`).

mod env;
mod proto;
mod record;

use std::io::Write as _;
use std::time::{Duration, Instant};

use super::HandlerStats;
use super::worker::{
    Backlog, Ctx, Fifo, Output, Plan, Settings, Weigh, Worker, worker_handler_methods,
};
use crate::config::{OtlpCompression, OtlpHandlerConfig, OtlpProtocol, Secret, SecretUrl};
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
/// | `attributes` | each key-value with its type (integer, double, boolean, string; integers beyond 64 bits as strings), then `code.filepath`, `code.lineno`, `code.namespace`, `thread.id`, `thread.name`; at most 128, the rest counted in `dropped_attributes_count`; strings cut at 64KiB |
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

/// The sending side, owned by the worker thread. Secrets stay in their
/// types, which print `***`.
#[derive(Debug)]
struct Exporter {
    endpoint: SecretUrl,
    headers: Vec<(String, Secret)>,
    resource: Vec<u8>,
    protocol: OtlpProtocol,
    compression: OtlpCompression,
    agent: ureq::Agent,
    max_batch: usize,
    max_delay: Duration,
    max_retries: u32,
    backoff: Duration,
    max_backoff: Duration,
}

/// What one request came to.
enum Outcome {
    /// Accepted; some records may have been rejected.
    Accepted(Option<(u64, String)>),
    /// Worth another try, after the server's `Retry-After` if it gave one.
    Retry(String, Option<Duration>),
    /// Refused for good.
    Refused(String),
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
            endpoint: resolved.endpoint,
            headers: resolved.headers,
            resource: record::resource(&resolved.resource, config.protocol),
            protocol: config.protocol,
            compression: config.compression,
            agent: super::agent::agent(config.timeout, config.tls.as_ref())?,
            max_batch: config.max_batch.max(1) as usize,
            max_delay: config.max_delay,
            max_retries: config.max_retries,
            backoff: config.backoff,
            max_backoff: config.max_backoff.max(config.backoff),
        };
        let settings = Settings::new(
            "otlp",
            "otlp",
            name,
            config.buffer.max(1) as usize,
            &config.worker,
        );
        Ok(OtlpHandler {
            worker: Worker::start(settings, exporter)?,
            protocol: config.protocol,
        })
    }
}

/// The delay a `Retry-After` value asks for: whole seconds, or an HTTP
/// date (RFC 9110 §10.2.3).
fn retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = jiff::fmt::rfc2822::parse(v).ok()?.timestamp();
    let now = jiff::Timestamp::try_from(now).ok()?;
    Some(Duration::try_from(at.duration_since(now)).unwrap_or_default())
}

impl Exporter {
    fn post(&self, body: &[u8], closing: Option<Instant>) -> Outcome {
        let content_type = match self.protocol {
            OtlpProtocol::HttpJson => "application/json",
            _ => "application/x-protobuf",
        };
        let mut req = self
            .agent
            .post(self.endpoint.expose())
            .header("Content-Type", content_type);
        if let Some(deadline) = closing {
            // Closing: this request may take only what is left of
            // `close_timeout`.
            let left = deadline.saturating_duration_since(Instant::now());
            req = req
                .config()
                .timeout_global(Some(left.max(Duration::from_millis(1))))
                .build();
        }
        for (k, v) in &self.headers {
            req = req.header(k.as_str(), v.expose());
        }
        let gzipped;
        let body = if self.compression == OtlpCompression::Gzip {
            req = req.header("Content-Encoding", "gzip");
            let mut gz = flate2::write::GzEncoder::new(
                Vec::with_capacity(body.len() / 4),
                flate2::Compression::fast(),
            );
            // Writing into a Vec cannot fail.
            let _ = gz.write_all(body);
            gzipped = gz.finish().unwrap_or_default();
            &gzipped[..]
        } else {
            body
        };
        match req.send(body) {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let wait = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| retry_after(v, std::time::SystemTime::now()));
                // Read the answer (at most 64KiB: a hostile server cannot
                // fill memory) so the connection can be reused.
                let answer = resp
                    .into_body()
                    .with_config()
                    .limit(64 << 10)
                    .read_to_vec()
                    .unwrap_or_default();
                match status {
                    200..=299 => Outcome::Accepted(record::partial_success(&answer, self.protocol)),
                    429 | 502..=504 => Outcome::Retry(format!("answered {status}"), wait),
                    _ => Outcome::Refused(format!("answered {status}")),
                }
            }
            // ureq's errors name the host at most, never headers; the URL
            // shown is ours, without credentials.
            Err(e) => Outcome::Retry(
                match e {
                    ureq::Error::Io(io) => io.to_string(),
                    other => other.to_string(),
                },
                None,
            ),
        }
    }
}

type Items = Fifo<Item>;

impl Output for Exporter {
    type Backlog = Items;

    fn plan(&mut self, waiting: &Items, flushing: bool, closing: bool) -> Plan {
        if closing || flushing || waiting.len() >= self.max_batch {
            return Plan::Take(self.max_batch);
        }
        match waiting.front() {
            Some(first) if first.queued.elapsed() < self.max_delay => {
                Plan::Wait(Some(first.queued + self.max_delay))
            }
            _ => Plan::Take(self.max_batch),
        }
    }

    fn wake_at(&self) -> usize {
        self.max_batch
    }

    /// Sends one batch, retrying; returns when it was answered for good.
    /// While closing, one attempt only, and none past `close_timeout`.
    fn deliver(&mut self, batch: &mut Items, ctx: &Ctx<'_, Items>) {
        let n = batch.len() as u64;
        let body = record::request(
            &self.resource,
            batch.items().iter().map(|i| record::Encoded {
                // Written from a `&str` on the logging thread.
                scope: std::str::from_utf8(&i.bytes[..i.scope_len]).unwrap_or(""),
                record: &i.bytes[i.scope_len..],
            }),
            self.protocol,
        );
        let mut delay = self.backoff;
        let mut attempt = 0;
        loop {
            if ctx.too_late(n) {
                return;
            }
            let closing = ctx.closing();
            match self.post(&body, closing) {
                Outcome::Accepted(None) => {
                    ctx.emitted(n);
                    return;
                }
                Outcome::Accepted(Some((rejected, why))) => {
                    let rejected = rejected.min(n);
                    ctx.emitted(n - rejected);
                    ctx.failed(rejected, || {
                        format!(
                            "{}: {} rejected {rejected} of {n} records (partial success: {why}); they count as failed",
                            ctx.label(),
                            self.endpoint
                        )
                    });
                    return;
                }
                Outcome::Refused(why) => {
                    ctx.failed(n, || {
                        format!(
                            "{}: {} {why}; {n} records count as failed",
                            ctx.label(),
                            self.endpoint
                        )
                    });
                    return;
                }
                Outcome::Retry(why, _) if attempt >= self.max_retries || closing.is_some() => {
                    ctx.failed(n, || {
                        format!(
                            "{}: export to {} failed ({why}) after {attempt} retries; {n} records count as failed",
                            ctx.label(),
                            self.endpoint
                        )
                    });
                    return;
                }
                Outcome::Retry(_, wait) => {
                    attempt += 1;
                    ctx.retried();
                    let pause = wait.unwrap_or(delay).min(self.max_backoff);
                    // Sleep, waking early for close.
                    ctx.pause(Instant::now() + pause);
                    delay = (delay * 2).min(self.max_backoff);
                }
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_and_dates() {
        let now = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        // 1_700_000_000 is Tue, 14 Nov 2023 22:13:20 GMT.
        assert_eq!(
            retry_after("Tue, 14 Nov 2023 22:13:30 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(retry_after("soon", now), None);
    }
}
