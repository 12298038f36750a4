//! The deliverer of the outputs that POST batches of records (`http`,
//! `otlp`): when a batch goes, the request with its deadline at close, the
//! retries with backoff (or the server's `Retry-After`), and what each
//! batch counts as. What is each output's own, the body of a batch and the
//! reading of an answer, comes through [`Post`].

use std::collections::VecDeque;
use std::time::{Duration, Instant, SystemTime};

use super::worker::{Backlog, Ctx, Fifo, Output, Plan, Settings, Weigh, Worker};
use crate::config::{Secret, SecretUrl, TlsConfig, WorkerConfig};
use crate::error::Error;

/// The request body of one batch.
#[derive(Debug)]
pub(crate) struct Body {
    pub(crate) bytes: Vec<u8>,
    pub(crate) content_type: &'static str,
    /// `Content-Encoding`, when the bytes are compressed.
    pub(crate) encoding: Option<&'static str>,
}

/// An answer, as the server gave it.
// reason: only `otlp` reads `Retry-After` and the body; `http`, built alone,
// reads the status.
#[cfg_attr(not(feature = "otlp"), allow(dead_code))]
#[derive(Debug)]
pub(crate) struct Reply<'a> {
    pub(crate) status: u16,
    /// The delay the answer's `Retry-After` asks for, when it has a
    /// readable one.
    pub(crate) retry_after: Option<Duration>,
    /// The answer's body; empty when it is longer than
    /// [`Post::ANSWER_LIMIT`].
    pub(crate) body: &'a [u8],
}

/// What an answer comes to, as the output reads it.
#[derive(Debug)]
pub(crate) enum Answer {
    /// Accepted; `Some((n, why))` when the server refused `n` records of it
    /// all the same (OTLP's partial success).
    Accepted(Option<(u64, String)>),
    /// Worth another try, after this delay (capped at `max_backoff`) when
    /// given, else after the backoff.
    Retry(String, Option<Duration>),
    /// Refused for good.
    Refused(String),
}

/// What differs between the outputs that POST: the records they queue, the
/// body they make of a batch, and how they read an answer.
pub(crate) trait Post: std::fmt::Debug + Send + 'static {
    /// One record as the logging thread queued it.
    type Item: Weigh + Send + 'static;

    /// How a failure message names a request: `POST to`, `export to`.
    const VERB: &'static str;

    /// The most of an answer's body that is read (a hostile server cannot
    /// fill memory); reading it whole lets the connection be reused.
    const ANSWER_LIMIT: u64;

    /// When `item` was queued: a batch goes when its oldest record has
    /// waited the interval.
    fn queued(item: &Self::Item) -> Instant;

    /// The body of one batch, made once for all its attempts.
    fn encode(&self, batch: &VecDeque<Self::Item>) -> Body;

    /// What `reply` comes to.
    fn read(&self, reply: &Reply<'_>) -> Answer;
}

/// When a batch goes and how often it is tried.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Schedule {
    /// Records in a full batch (at least one).
    batch_size: usize,
    /// The longest the oldest record waits for a batch to fill.
    interval: Duration,
    max_retries: u32,
    /// The first delay between tries, doubled at each, up to `max_backoff`.
    backoff: Duration,
    max_backoff: Duration,
}

impl Schedule {
    /// A schedule from the config's values: a batch size of 0 is 1, and
    /// `max_backoff` is at least `backoff`.
    pub(crate) fn new(
        batch_size: u32,
        interval: Duration,
        max_retries: u32,
        backoff: Duration,
        max_backoff: Duration,
    ) -> Schedule {
        Schedule {
            batch_size: batch_size.max(1) as usize,
            interval,
            max_retries,
            backoff,
            max_backoff: max_backoff.max(backoff),
        }
    }
}

/// The sending side of a POSTing output, owned by its worker thread.
/// Secrets stay in their types, which print `***`.
#[derive(Debug)]
pub(crate) struct Deliverer<P> {
    post: P,
    url: SecretUrl,
    headers: Vec<(String, Secret)>,
    agent: ureq::Agent,
    schedule: Schedule,
}

impl<P: Post> Deliverer<P> {
    /// A deliverer that POSTs to `url` with `headers`, each request taking
    /// at most `timeout`, with the TLS settings of `tls`.
    ///
    /// # Errors
    ///
    /// When a file of `tls` cannot be read or holds no certificate or key.
    pub(crate) fn new(
        post: P,
        url: SecretUrl,
        headers: Vec<(String, Secret)>,
        timeout: Duration,
        tls: Option<&TlsConfig>,
        schedule: Schedule,
    ) -> Result<Deliverer<P>, Error> {
        Ok(Deliverer {
            post,
            url,
            headers,
            agent: super::agent::agent(timeout, tls)?,
            schedule,
        })
    }

    /// Starts the worker thread `logfig-<kind>-<name>` of output `name`,
    /// with at most `buffer` records waiting (0 is 1).
    ///
    /// # Errors
    ///
    /// When the thread cannot be started.
    pub(crate) fn start(
        self,
        kind: &str,
        name: &str,
        buffer: u32,
        config: &WorkerConfig,
    ) -> Result<Worker<Fifo<P::Item>>, Error> {
        let settings = Settings::new(kind, kind, name, buffer.max(1) as usize, config);
        Worker::start(settings, self)
    }

    /// One attempt; while closing, it may take only what is left of
    /// `close_timeout`.
    fn send(&self, body: &Body, closing: Option<Instant>) -> Answer {
        let mut req = self
            .agent
            .post(self.url.expose())
            .header("Content-Type", body.content_type);
        if let Some(deadline) = closing {
            let left = deadline.saturating_duration_since(Instant::now());
            req = req
                .config()
                .timeout_global(Some(left.max(Duration::from_millis(1))))
                .build();
        }
        for (k, v) in &self.headers {
            req = req.header(k.as_str(), v.expose());
        }
        if let Some(encoding) = body.encoding {
            req = req.header("Content-Encoding", encoding);
        }
        match req.send(&body.bytes[..]) {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let wait = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| retry_after(v, SystemTime::now()));
                let answer = resp
                    .into_body()
                    .with_config()
                    .limit(P::ANSWER_LIMIT)
                    .read_to_vec()
                    .unwrap_or_default();
                self.post.read(&Reply {
                    status,
                    retry_after: wait,
                    body: &answer,
                })
            }
            // ureq's errors name the host at most, never headers; the URL
            // shown is ours, without credentials.
            Err(e) => Answer::Retry(
                match e {
                    ureq::Error::Io(io) => io.to_string(),
                    other => other.to_string(),
                },
                None,
            ),
        }
    }
}

/// The delay a `Retry-After` value asks for: whole seconds, or an HTTP
/// date (RFC 9110 §10.2.3).
fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = jiff::fmt::rfc2822::parse(v).ok()?.timestamp();
    let now = jiff::Timestamp::try_from(now).ok()?;
    Some(Duration::try_from(at.duration_since(now)).unwrap_or_default())
}

impl<P: Post> Output for Deliverer<P> {
    type Backlog = Fifo<P::Item>;

    fn plan(&mut self, waiting: &Self::Backlog, flushing: bool, closing: bool) -> Plan {
        let Schedule {
            batch_size,
            interval,
            ..
        } = self.schedule;
        if closing || flushing || waiting.len() >= batch_size {
            return Plan::Take(batch_size);
        }
        match waiting.front().map(P::queued) {
            Some(first) if first.elapsed() < interval => Plan::Wait(Some(first + interval)),
            _ => Plan::Take(batch_size),
        }
    }

    fn wake_at(&self) -> usize {
        self.schedule.batch_size
    }

    /// Sends one batch, retrying; returns when it was answered for good.
    /// While closing, one attempt only, and none past `close_timeout`.
    fn deliver(&mut self, batch: &mut Self::Backlog, ctx: &Ctx<'_, Self::Backlog>) {
        let n = batch.len() as u64;
        let body = self.post.encode(batch.items());
        let max_backoff = self.schedule.max_backoff;
        let mut delay = self.schedule.backoff;
        let mut attempt = 0;
        loop {
            if ctx.too_late(n) {
                return;
            }
            let closing = ctx.closing();
            match self.send(&body, closing) {
                Answer::Accepted(None) => {
                    ctx.emitted(n);
                    return;
                }
                Answer::Accepted(Some((rejected, why))) => {
                    let rejected = rejected.min(n);
                    ctx.emitted(n - rejected);
                    ctx.failed(rejected, || {
                        format!(
                            "{}: {} rejected {rejected} of {n} records (partial success: {why}); they count as failed",
                            ctx.label(),
                            self.url
                        )
                    });
                    return;
                }
                Answer::Refused(why) => {
                    ctx.failed(n, || {
                        format!(
                            "{}: {} {why}; {n} records count as failed",
                            ctx.label(),
                            self.url
                        )
                    });
                    return;
                }
                Answer::Retry(why, _)
                    if attempt >= self.schedule.max_retries || closing.is_some() =>
                {
                    ctx.failed(n, || {
                        format!(
                            "{}: {} {} failed ({why}) after {attempt} retries; {n} records count as failed",
                            ctx.label(),
                            P::VERB,
                            self.url
                        )
                    });
                    return;
                }
                Answer::Retry(_, wait) => {
                    attempt += 1;
                    ctx.retried();
                    // Sleep, waking early for close.
                    ctx.pause(Instant::now() + wait.unwrap_or(delay).min(max_backoff));
                    delay = (delay * 2).min(max_backoff);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        // 1_700_000_000 is Tue, 14 Nov 2023 22:13:20 GMT.
        assert_eq!(
            retry_after("Tue, 14 Nov 2023 22:13:30 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(retry_after("soon", now), None);
    }
}
