//! [`HttpHandler`]: batches of records POSTed by a background thread (feature
//! `http`, with `ureq` and rustls).

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::time::{Instant, SystemTime};

use super::HandlerStats;
use super::post::{Answer, Body, Deliverer, Post, Reply, Schedule};
use super::worker::{Fifo, Weigh, Worker, worker_handler_methods};
use crate::config::{HttpFormat, HttpHandlerConfig, Secret};
use crate::entry::Entry;
use crate::error::Error;
use crate::formatters::Formatter;
use crate::handlers::Handler;

/// POSTs batches of records to a URL (`type: http`, feature `http`).
///
/// The logging thread renders the record with the handler's formatter and
/// queues it (at most `buffer` records and `buffer_bytes` bytes wait; the
/// oldest are dropped and counted). A background thread named
/// `logfig-http-<name>` sends a batch when `batch_size` records wait or the
/// oldest has waited `flush_interval`, in the body shape of `format`. A
/// connection error, a timeout, 429 or a 5xx answer is retried after an
/// exponential backoff, up to `max_retries` times; then the batch counts as
/// failed. Any other answer outside 2xx fails the batch at once. Batches go
/// out one at a time, in order.
///
/// Bodies are valid JSON whatever the formatter: with `json_lines`,
/// `json_array` and `elasticsearch_bulk`, a formatter that does not write
/// JSON (a pattern) gives each record as `{"message":"<text>"}`; with `loki`
/// each record's text is a JSON string. Record text can never add a line to a
/// `json_lines` or `elasticsearch_bulk` body.
///
/// Header values and the URL's user and password never appear in error
/// messages. `flush` sends what waits and returns when it was answered, at
/// most `close_timeout`; `close` sends what waits with one attempt per batch
/// within `close_timeout` and counts the rest as failed.
///
/// Statistics: `emitted` (records in batches the server accepted), `dropped`
/// (the buffer was full), `failed` (refused, given up after the retries, or
/// not sent by the end of `close_timeout`), `retried` (requests repeated),
/// `queued`, `queued_bytes`.
///
/// # Examples
///
/// ```
/// use std::io::{BufRead, BufReader, Read, Write};
/// use logfig::{Config, Dispatcher, Format};
///
/// let server = std::net::TcpListener::bind("127.0.0.1:0")?;
/// let port = server.local_addr()?.port();
/// let answer = std::thread::spawn(move || -> std::io::Result<String> {
///     let (conn, _) = server.accept()?;
///     let mut reader = BufReader::new(conn.try_clone()?);
///     let mut length = 0;
///     loop {
///         let mut line = String::new();
///         reader.read_line(&mut line)?;
///         if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
///             length = v.trim().parse().unwrap_or(0);
///         }
///         if line == "\r\n" { break; }
///     }
///     let mut body = vec![0; length];
///     reader.read_exact(&mut body)?;
///     (&conn).write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")?;
///     Ok(String::from_utf8_lossy(&body).into_owned())
/// });
/// let text = format!(
///     "version: 1\nhandlers:\n  web: {{ type: http, url: 'http://127.0.0.1:{port}/logs' }}\nroot: {{ level: INFO, handlers: [web] }}\n"
/// );
/// let dispatcher = Dispatcher::new(&Config::from_str(&text, Format::Yaml)?)?;
/// log::set_max_level(log::LevelFilter::Trace);
/// log::info!(logger: dispatcher, "posted");
/// dispatcher.flush_handlers();
/// assert_eq!(answer.join().unwrap()?, "{\"message\":\"posted\"}\n");
/// assert_eq!(dispatcher.stats()["web"].emitted, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct HttpHandler {
    worker: Worker<Fifo<Item>>,
    /// The body shape, which decides how a record is rendered.
    format: HttpFormat,
}

/// One rendered record.
#[derive(Debug)]
struct Item {
    time: SystemTime,
    queued: Instant,
    line: Vec<u8>,
}

impl Weigh for Item {
    fn weight(&self) -> usize {
        std::mem::size_of::<Item>() + self.line.len()
    }
}

/// The body shape of `format` and what it needs, owned by the worker
/// thread; the deliverer holds the URL and the headers.
#[derive(Debug)]
struct Shape {
    format: HttpFormat,
    labels: String,
    index_action: String,
}

/// Standard base64 with padding (RFC 4648 §4), for basic authentication.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

impl Shape {
    /// The body of one batch and its content type.
    fn body<'a>(&self, items: impl IntoIterator<Item = &'a Item>) -> (Vec<u8>, &'static str) {
        let mut out = Vec::new();
        match self.format {
            HttpFormat::JsonArray => {
                out.push(b'[');
                for (i, item) in items.into_iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(&item.line);
                }
                out.push(b']');
                (out, "application/json")
            }
            HttpFormat::Loki => {
                let mut s = String::from("{\"streams\":[{\"stream\":");
                s.push_str(&self.labels);
                s.push_str(",\"values\":[");
                for (i, item) in items.into_iter().enumerate() {
                    if i > 0 {
                        s.push(',');
                    }
                    let ns = item
                        .time
                        .duration_since(SystemTime::UNIX_EPOCH)
                        .map_or(0, |d| d.as_nanos());
                    let _ = write!(s, "[\"{ns}\",");
                    crate::formatters::escape::push_quoted(
                        &String::from_utf8_lossy(&item.line),
                        &mut s,
                    );
                    s.push(']');
                }
                s.push_str("]}]}");
                (s.into_bytes(), "application/json")
            }
            HttpFormat::ElasticsearchBulk => {
                for item in items {
                    out.extend_from_slice(self.index_action.as_bytes());
                    out.push(b'\n');
                    out.extend_from_slice(&item.line);
                    out.push(b'\n');
                }
                (out, "application/x-ndjson")
            }
            _ => {
                for item in items {
                    out.extend_from_slice(&item.line);
                    out.push(b'\n');
                }
                (out, "application/x-ndjson")
            }
        }
    }
}

impl HttpHandler {
    /// Starts the sending thread; nothing is connected yet.
    ///
    /// # Errors
    ///
    /// When the thread cannot be started.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = logfig::config::HttpHandlerConfig::new("http://127.0.0.1:9/logs");
    /// let h = logfig::__internal::HttpHandler::start("web", &c)?;
    /// logfig::Handler::close(&h)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn start(name: &str, config: &HttpHandlerConfig) -> Result<HttpHandler, Error> {
        let mut labels = String::from("{");
        for (i, (k, v)) in config.labels.iter().enumerate() {
            if i > 0 {
                labels.push(',');
            }
            crate::formatters::escape::push_quoted(k, &mut labels);
            labels.push(':');
            crate::formatters::escape::push_quoted(v, &mut labels);
        }
        labels.push('}');
        let index_action = match &config.index {
            Some(index) => {
                let mut s = String::from("{\"index\":{\"_index\":");
                crate::formatters::escape::push_quoted(index, &mut s);
                s.push_str("}}");
                s
            }
            None => "{\"index\":{}}".to_owned(),
        };
        let headers = config
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .chain(config.credentials.as_ref().map(|c| {
                let pair = format!("{}:{}", c.username, c.password.expose());
                (
                    "Authorization".to_owned(),
                    Secret::new(format!("Basic {}", base64(pair.as_bytes()))),
                )
            }))
            .collect();
        let shape = Shape {
            format: config.format,
            labels,
            index_action,
        };
        let schedule = Schedule::new(
            config.batch_size,
            config.flush_interval,
            config.max_retries,
            config.backoff,
            config.max_backoff,
        );
        let worker = Deliverer::new(
            shape,
            config.url.clone(),
            headers,
            config.timeout,
            config.tls.as_ref(),
            schedule,
        )?
        .start("http", name, config.buffer, &config.worker)?;
        Ok(HttpHandler {
            worker,
            format: config.format,
        })
    }
}

impl Post for Shape {
    type Item = Item;

    const VERB: &'static str = "POST to";

    /// The answer is not read, only drained so the connection can be
    /// reused: up to ureq's usual 10MiB.
    const ANSWER_LIMIT: u64 = 10 << 20;

    fn queued(item: &Item) -> Instant {
        item.queued
    }

    fn encode(&self, batch: &VecDeque<Item>) -> Body {
        let (bytes, content_type) = self.body(batch);
        Body {
            bytes,
            content_type,
            encoding: None,
        }
    }

    /// 2xx accepts; a 429 or a 5xx is retried after the server's
    /// `Retry-After` when it gives one (Loki, Elasticsearch and most gateways
    /// do when they shed load; capped at `max_backoff`), else after the
    /// backoff; any other answer refuses.
    fn read(&self, reply: &Reply<'_>) -> Answer {
        match reply.status {
            200..=299 => Answer::Accepted(None),
            status @ (429 | 500..=599) => {
                Answer::Retry(format!("answered {status}"), reply.retry_after)
            }
            status => Answer::Refused(format!("answered {status}")),
        }
    }
}

/// The record as one line of the body: for the JSON body formats, the
/// formatter's JSON as it is when it [writes JSON](Formatter::writes_json),
/// else `{"message":"<text>"}`, so the body stays valid JSON and record text
/// cannot add a line; for `loki`, the text (it becomes a JSON string).
fn body_line(
    entry: &Entry<'_>,
    formatter: &dyn Formatter,
    format: HttpFormat,
) -> Result<Vec<u8>, Error> {
    let mut line = Vec::with_capacity(128);
    if format == HttpFormat::Loki || formatter.writes_json() {
        formatter.format(entry, &mut line)?;
        return Ok(line);
    }
    crate::formatters::with_scratch(|text| {
        formatter.format(entry, text)?;
        line.extend_from_slice(b"{\"message\":");
        crate::formatters::write_json_str(&mut line, &String::from_utf8_lossy(text));
        line.push(b'}');
        Ok(line)
    })
}

impl Handler for HttpHandler {
    fn emit(&self, entry: &Entry<'_>, formatter: &dyn Formatter) -> Result<(), Error> {
        let line = body_line(entry, formatter, self.format)?;
        let item = Item {
            time: entry.time(),
            queued: Instant::now(),
            line,
        };
        self.worker.send(item)
    }

    worker_handler_methods!(worker);
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn loki_and_bulk_bodies_have_the_documented_shape() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_nanos(1_700_000_000_123_456_789);
        let items = vec![Item {
            time: t,
            queued: Instant::now(),
            line: b"a \"q\"\nb".to_vec(),
        }];
        let r = Shape {
            format: HttpFormat::Loki,
            labels: "{\"job\":\"x\"}".into(),
            index_action: "{\"index\":{}}".into(),
        };
        let (body, _) = r.body(&items);
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["streams"][0]["stream"]["job"], "x");
        assert_eq!(v["streams"][0]["values"][0][0], "1700000000123456789");
        assert_eq!(v["streams"][0]["values"][0][1], "a \"q\"\nb");
        let bulk = Shape {
            format: HttpFormat::ElasticsearchBulk,
            ..r
        };
        let (body, ct) = bulk.body(&items);
        assert_eq!(ct, "application/x-ndjson");
        assert_eq!(body, b"{\"index\":{}}\na \"q\"\nb\n");
    }
}
