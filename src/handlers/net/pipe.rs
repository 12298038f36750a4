//! The sending thread of the network outputs: a [`Worker`] whose output
//! writes queued records over a [`Link`], reconnecting with backoff.

use std::io::{self};
use std::time::{Duration, Instant};

use super::link::{Dest, Link, Sent, permanent};
use crate::config::{ConnectionConfig, WorkerConfig};
use crate::entry::Entry;
use crate::error::Error;
use crate::formatters::Formatter;
use crate::handlers::worker::{Backlog, Ctx, Fifo, Output, Plan, Settings, Worker};

/// Sending settings of a [`Pipe`].
#[derive(Debug, Clone)]
pub(crate) struct PipeOptions {
    pub(crate) capacity: usize,
    pub(crate) timeout: Duration,
    pub(crate) backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) worker: WorkerConfig,
}

impl PipeOptions {
    pub(crate) fn new(c: &ConnectionConfig, worker: &WorkerConfig) -> Self {
        PipeOptions {
            capacity: c.buffer.max(1) as usize,
            timeout: c.timeout,
            backoff: c.backoff,
            max_backoff: c.max_backoff.max(c.backoff),
            worker: worker.clone(),
        }
    }
}

/// At most this many records go out in one round, to let newer records and
/// a close in between long batches.
const ROUND: usize = 1024;

/// A bounded queue of rendered messages and the worker thread that sends
/// them over a [`Link`]. Pushing never blocks beyond one short lock: when
/// the buffer is full (`buffer` records or `buffer_bytes`), the oldest
/// waiting message is dropped and counted.
pub(crate) type Pipe = Worker<Frames>;

/// The sending side of a [`Pipe`], owned by its worker thread.
#[derive(Debug)]
struct Sender {
    link: Link,
    dest: String,
    options: PipeOptions,
    /// Wait before the next reconnect; doubles after each failure.
    delay: Duration,
    /// While the server is away: when to try again.
    retry_at: Option<Instant>,
    failing: bool,
}

/// Starts the sending thread of a [`Pipe`] to `dest`; nothing is connected
/// yet.
pub(crate) fn start_pipe(
    kind: &str,
    name: &str,
    dest: Dest,
    options: PipeOptions,
) -> Result<Pipe, Error> {
    let settings = Settings::new(kind, "net", name, options.capacity, &options.worker);
    let sender = Sender {
        dest: dest.describe(),
        link: Link::new(dest, options.timeout),
        delay: options.backoff,
        retry_at: None,
        failing: false,
        options,
    };
    Worker::start(settings, sender)
}

type Frames = Fifo<Vec<u8>>;

impl Output for Sender {
    type Backlog = Frames;

    fn plan(&mut self, _waiting: &Frames, _flushing: bool, closing: bool) -> Plan {
        match self.retry_at {
            // The server is away: the records wait in the backlog, where
            // `push` drops the oldest, and a flush cannot wait for the
            // server.
            Some(at) if !closing && Instant::now() < at => Plan::Wait(Some(at)),
            _ if closing => Plan::Take(usize::MAX),
            _ => Plan::Take(ROUND),
        }
    }

    fn deliver(&mut self, batch: &mut Frames, ctx: &Ctx<'_, Frames>) {
        if let Some(deadline) = ctx.closing() {
            self.drain_on_close(batch, deadline, ctx);
            return;
        }
        self.retry_at = None;
        self.link.check_alive();
        let (delivered, failure) = self.send(batch, None, ctx);
        if delivered > 0 && self.failing {
            self.failing = false;
            self.delay = self.options.backoff;
        }
        if let Some(e) = failure {
            self.link.disconnect();
            ctx.retried();
            if !self.failing {
                ctx.note(format!(
                    "{}: sending to {} failed ({e}); retrying with backoff, keeping up to {} records",
                    ctx.label(),
                    self.dest,
                    self.options.capacity
                ));
            }
            self.failing = true;
            self.retry_at = Some(Instant::now() + self.delay);
            self.delay = (self.delay * 2).min(self.options.max_backoff);
            ctx.give_back(batch);
        }
    }
}

impl Sender {
    /// Sends the records of `batch` from the front, none after `deadline`.
    /// A record leaves `batch` when it is written, or, with RELP, when the
    /// server answers for it; so after a failure `batch` still has every
    /// record that is not known to be delivered. Returns how many were
    /// delivered and the failure that stopped the round.
    fn send(
        &mut self,
        batch: &mut Frames,
        deadline: Option<Instant>,
        ctx: &Ctx<'_, Frames>,
    ) -> (u64, Option<io::Error>) {
        let link = &mut self.link;
        let dest = &self.dest;
        let mut delivered = 0u64;
        // `batch[..in_flight]` are written and wait for their answers.
        let mut in_flight = 0usize;
        loop {
            if let Some(d) = deadline {
                link.limit_io(d.saturating_duration_since(Instant::now()));
            }
            let late = deadline.is_some_and(|d| Instant::now() >= d);
            let more = in_flight < batch.len() && !late;
            if more && !link.window_full() {
                let Some(message) = batch.get(in_flight) else {
                    break (delivered, None);
                };
                match link.send(message) {
                    Ok(Sent::Pending) => in_flight += 1,
                    Ok(sent) => {
                        if matches!(sent, Sent::Oversized) {
                            ctx.oversized();
                        }
                        batch.remove(in_flight);
                        ctx.emitted(1);
                        delivered += 1;
                    }
                    Err(e) if permanent(&e) => {
                        batch.remove(in_flight);
                        ctx.failed(1, || {
                            format!(
                                "{}: {dest} refused a record ({e}); it counts as failed",
                                ctx.label()
                            )
                        });
                    }
                    Err(e) => break (delivered, Some(e)),
                }
                continue;
            }
            if in_flight == 0 {
                break (delivered, None);
            }
            if late {
                let e = io::Error::new(io::ErrorKind::TimedOut, "unanswered at `close_timeout`");
                break (delivered, Some(e));
            }
            let settled = link.settle(!more, |answer| {
                batch.pop_front();
                in_flight -= 1;
                match answer {
                    Ok(()) => {
                        ctx.emitted(1);
                        delivered += 1;
                    }
                    Err(status) => ctx.failed(1, || {
                        format!(
                            "{}: {dest} refused a record ({status}); it counts as failed",
                            ctx.label()
                        )
                    }),
                }
            });
            if let Err(e) = settled {
                break (delivered, Some(e));
            }
        }
    }

    /// At close: one more try for what is held, until `deadline` (none
    /// while the server is known to be away); the rest counts as failed.
    fn drain_on_close(&mut self, batch: &mut Frames, deadline: Instant, ctx: &Ctx<'_, Frames>) {
        if self.retry_at.is_none() {
            self.link.check_alive();
            if self.send(batch, Some(deadline), ctx).1.is_none() {
                self.link.close_session(deadline);
            }
        }
        self.link.disconnect();
        let lost = batch.len() as u64;
        if lost > 0 {
            ctx.failed(lost, || {
                format!(
                    "{}: closed with {lost} records not sent to {}; they count as failed",
                    ctx.label(),
                    self.dest
                )
            });
        }
    }
}

/// The `Handler` impl of an output whose worker thread sends what a `Pipe`
/// holds: `emit` renders the record with `$render` (an expression of `self`,
/// `entry` and `formatter` giving `Result<Vec<u8>, Error>`), queues the bytes
/// and reports the worker's last error; the rest delegates to the pipe.
macro_rules! pipe_handler {
    ($ty:ty, |$this:ident, $entry:ident, $formatter:ident| $render:expr) => {
        impl Handler for $ty {
            fn emit(&self, $entry: &Entry<'_>, $formatter: &dyn Formatter) -> Result<(), Error> {
                let $this = self;
                let message = $render?;
                $this.pipe.send(message)
            }

            $crate::handlers::worker::worker_handler_methods!(pipe);
        }
    };
}
pub(crate) use pipe_handler;

/// The record as the formatter renders it, in bytes the pipe can own. With
/// `escape_breaks`, its newlines, carriage returns and NULs are escaped
/// (`\n`, `\r`, `\x00`): where the receiver splits records at them, record
/// text must not add records, whatever the formatter left raw. (A formatter
/// that [writes JSON](Formatter::writes_json) leaves none.)
pub(crate) fn rendered(
    entry: &Entry<'_>,
    formatter: &dyn Formatter,
    escape_breaks: bool,
) -> Result<Vec<u8>, Error> {
    let mut message = Vec::with_capacity(128);
    formatter.format(entry, &mut message)?;
    if escape_breaks && !formatter.writes_json() {
        crate::formatters::escape::escape_breaks(&mut message, 0);
    }
    Ok(message)
}
