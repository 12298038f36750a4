//! [`QueueHandler`]: records go into a bounded queue; one background thread
//! writes them to the target handlers.
//!
//! The queue is a `Mutex<VecDeque>` with two condition variables rather than
//! `std::sync::mpsc::sync_channel`: `drop_oldest` must remove a record that is
//! already queued, and `drop_below` must look at a waiting record's level,
//! which a channel cannot do. One structure serves every policy. The lock is
//! held only to push one record (or, on the worker, to take the whole backlog
//! at once), never over formatting, I/O or user code: the message is rendered
//! and the key-values captured before it is taken. Under it, a record's
//! strings that are not `'static` (the rendered message, a literal target, the
//! thread name) are appended to one text buffer that goes to the worker with
//! the batch, so the calling thread allocates nothing per record (key-values
//! aside).

use std::collections::VecDeque;
use std::sync::Arc;

use super::HandlerStats;
use super::node::HandlerNode;
use super::owned::{Kvs, OwnedRecord};
use super::worker::{Backlog, Ctx, Output, Pushed, Settings, Worker, worker_handler_methods};
use crate::config::QueueHandlerConfig;
use crate::entry::Entry;
use crate::error::Error;
use crate::formatters::Formatter;
use crate::handlers::Handler;

/// Copies each record into a bounded queue and returns; a background thread
/// named `logfig-queue-<name>` writes the records to the target handlers
/// (`type: queue`, Python's QueueHandler with a QueueListener).
///
/// The logging thread formats nothing: it copies the record (message rendered
/// to text, key-values with their types, time, thread, process) and waits only
/// when the queue is full (`capacity` records or `buffer_bytes` bytes) and the
/// policy is `block` (or the record is at or above `drop_below`), and then at
/// most `close_timeout`, after which the record is dropped. Dropped records
/// are counted; once the worker has made room it writes a WARNING record on
/// the `logfig` target, `queue `q`: N records dropped`, through the targets.
/// `flush` and `close` return when every record queued before the call was
/// written (and the targets flushed), or after `close_timeout`: a flush then
/// returns an error, a close counts what was not written as `failed`. Whenever
/// the queue runs empty the worker flushes its targets, so a buffered `file`
/// (`flush_level`, `buffer`) behind a queue is written in large batches under
/// load and promptly when logging pauses.
///
/// Statistics: `emitted` (records passed to the targets by the worker, or by
/// the logging thread after close), `dropped`, `failed` (not written by the
/// end of `close_timeout`), `queued`, `queued_bytes`.
///
/// # Examples
///
/// ```
/// use logfig::{Config, Dispatcher, Format};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("app.log");
/// let text = format!(
///     "version: 1\nhandlers:\n  f: {{ type: file, path: '{}' }}\n  q: {{ type: queue, handlers: [f] }}\nroot: {{ level: INFO, handlers: [q] }}\n",
///     path.display()
/// );
/// let dispatcher = Dispatcher::new(&Config::from_str(&text, Format::Yaml)?)?;
/// log::set_max_level(log::LevelFilter::Trace);
/// log::info!(logger: dispatcher, "written by the queue's thread");
/// dispatcher.flush_handlers(); // waits for the queue
/// assert_eq!(std::fs::read_to_string(&path)?, "written by the queue's thread\n");
/// assert_eq!(dispatcher.stats()["q"].emitted, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct QueueHandler {
    worker: Worker<Records>,
    /// The handlers the worker writes to; also written directly after close.
    targets: Arc<[Arc<HandlerNode>]>,
}

/// The queue's backlog: records whose strings that are not `'static` sit in
/// one text buffer, so a record costs no allocation for them.
#[derive(Debug, Default)]
struct Records {
    records: VecDeque<OwnedRecord>,
    /// The strings of `records` that are not `'static` (messages, targets),
    /// one after the other.
    texts: String,
    /// Bytes of `texts` that belong to records `drop_oldest` removed.
    dead_text: usize,
    /// What the live records weigh ([`OwnedRecord::weight`]).
    bytes: usize,
}

impl Records {
    /// Copies `entry` in (plain copies: no user code runs here).
    fn push(&mut self, entry: &Entry<'_>, message: Option<&str>, kvs: Kvs) {
        // What `OwnedRecord::weight` says, without walking the copy again:
        // its shared texts are what the capture appends.
        let fixed = OwnedRecord::SIZE + kvs.weight();
        let start = self.texts.len();
        let record = OwnedRecord::capture_in(entry, message, kvs, &mut self.texts);
        self.bytes += fixed + (self.texts.len() - start);
        self.records.push_back(record);
    }
}

impl Backlog for Records {
    fn len(&self) -> usize {
        self.records.len()
    }

    fn bytes(&self) -> usize {
        self.bytes
    }

    fn drop_oldest(&mut self, keep_from: Option<log::Level>) -> bool {
        // `log::Level` orders by verbosity: Error < Warn < ... < Trace.
        let Some(i) = self
            .records
            .iter()
            .position(|r| keep_from.is_none_or(|keep| r.level > keep))
        else {
            return false;
        };
        if let Some(gone) = self.records.remove(i) {
            // Its text stays in `texts` until the worker takes the batch, or
            // a compaction copies the live texts out.
            self.dead_text += gone.shared_len();
            self.bytes = self.bytes.saturating_sub(gone.weight());
        }
        compact_if_mostly_dead(self);
        true
    }

    fn take(&mut self, n: usize, into: &mut Self) {
        if n >= self.records.len() {
            // The queue's deque (and text buffer) keep their capacity for
            // the producers: taking them would leave an empty one, regrown
            // by doubling under the lock after every batch.
            std::mem::swap(self, into);
            return;
        }
        for mut record in self.records.drain(..n) {
            self.dead_text += record.shared_len();
            let weight = record.weight();
            self.bytes = self.bytes.saturating_sub(weight);
            record.relocate(&self.texts, &mut into.texts);
            into.bytes += weight;
            into.records.push_back(record);
        }
        compact_if_mostly_dead(self);
    }

    fn clear(&mut self) {
        self.records.clear();
        self.texts.clear();
        // Keep what a usual batch needs, not what one burst of huge
        // messages needed.
        self.texts.shrink_to(1 << 20);
        self.dead_text = 0;
        self.bytes = 0;
    }
}

/// While a target is stuck and `drop_oldest` replaces records, the texts of
/// the removed ones would pile up in `texts` until the worker takes the
/// batch: once they are most of a buffer of 1 MiB or more, the live texts are
/// copied into a fresh one (amortised: each byte is copied at most once more
/// per byte that died).
fn compact_if_mostly_dead(state: &mut Records) {
    if state.texts.len() < 1 << 20 || state.dead_text * 2 < state.texts.len() {
        return;
    }
    let mut fresh = String::with_capacity(state.texts.len() - state.dead_text);
    for record in &mut state.records {
        record.relocate(&state.texts, &mut fresh);
    }
    state.texts = fresh;
    state.dead_text = 0;
}

/// What the queue's worker does: write each record to the targets.
struct Writer {
    name: String,
    targets: Arc<[Arc<HandlerNode>]>,
}

impl Writer {
    fn write(&self, record: &OwnedRecord, texts: &str, ctx: &Ctx<'_, Records>) {
        record.with_entry_in(texts, |entry| {
            for t in self.targets.iter() {
                if let Err(e) = t.emit_quietly(entry) {
                    ctx.note(format!("queue `{}`: {e}", self.name));
                }
            }
        });
    }
}

impl Output for Writer {
    type Backlog = Records;

    fn deliver(&mut self, batch: &mut Records, ctx: &Ctx<'_, Records>) {
        // Counted once, at the end; a close that gives up meanwhile reads
        // the progress.
        let mut written = 0;
        for record in &batch.records {
            self.write(record, &batch.texts, ctx);
            written += 1;
            ctx.progress(written);
        }
        ctx.emitted(written);
        let dropped = ctx.dropped_before();
        if dropped > 0 {
            let s = if dropped == 1 { "" } else { "s" };
            let report = OwnedRecord::internal(
                log::Level::Warn,
                "logfig",
                format!("queue `{}`: {dropped} record{s} dropped", self.name),
            );
            self.write(&report, "", ctx);
        }
    }

    /// Ran empty, or a flush: flush the targets, so a buffered file behind
    /// the queue is written in batches yet never lags an idle queue.
    fn caught_up(&mut self, ctx: &Ctx<'_, Records>) {
        for t in self.targets.iter() {
            if let Err(e) = t.flush_quietly() {
                ctx.note(format!("queue `{}`: {e}", self.name));
            }
        }
    }
}

impl QueueHandler {
    /// Starts the worker thread.
    pub(crate) fn start(
        name: &str,
        config: &QueueHandlerConfig,
        targets: Vec<Arc<HandlerNode>>,
    ) -> Result<QueueHandler, Error> {
        let targets: Arc<[Arc<HandlerNode>]> = targets.into();
        let settings = Settings {
            overflow: config.overflow,
            keep_from: config
                .drop_below
                .and_then(|l| l.to_level_filter())
                .and_then(|f| f.to_level()),
            ..Settings::new(
                "queue",
                "queue",
                name,
                config.capacity as usize,
                &config.worker,
            )
        };
        let writer = Writer {
            name: name.to_owned(),
            targets: Arc::clone(&targets),
        };
        Ok(QueueHandler {
            worker: Worker::start(settings, writer)?,
            targets,
        })
    }

    /// Queues a copy of `entry` (`message`: its rendered args, when they are
    /// not a literal; `kvs`: its key-values).
    #[inline]
    fn push(&self, entry: &Entry<'_>, message: Option<&str>, kvs: Kvs) -> Pushed {
        let record = entry.record();
        // About what the copy weighs, for the byte bound (the message is
        // nearly all of it); the exact figure is counted once it is made.
        let bytes = OwnedRecord::SIZE + message.map_or(0, str::len);
        self.worker.push(record.level(), bytes, |records| {
            records.push(entry, message, kvs);
        })
    }
}

impl Handler for QueueHandler {
    fn emit(&self, entry: &Entry<'_>, _formatter: &dyn Formatter) -> Result<(), Error> {
        // The message rendered and the key-values captured (user code: their
        // `Display` and `Debug`) outside the queue's lock; the rest is copied
        // under it.
        let kvs = OwnedRecord::capture_kvs(entry.record());
        let args = entry.record().args();
        let pushed = match args.as_str() {
            Some(_) => self.push(entry, None, kvs),
            None => super::owned::with_rendered(args, |m| self.push(entry, Some(m), kvs)),
        };
        if pushed == Pushed::Closed {
            // Closed: a thread that started logging before the swap. Write
            // the record here rather than lose it.
            for t in self.targets.iter() {
                if let Err(e) = t.emit_quietly(entry) {
                    self.worker.count_failed(1);
                    return Err(e);
                }
            }
            self.worker.count_emitted(1);
        }
        self.worker.take_error()
    }

    // `close` writes everything queued, flushes the targets, and stops the
    // thread, within `close_timeout`.
    worker_handler_methods!(worker);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capture(record: &log::Record<'_>, message: &str, texts: &mut String) -> OwnedRecord {
        let kvs = OwnedRecord::capture_kvs(record);
        OwnedRecord::capture_in(&Entry::new(record), Some(message), kvs, texts)
    }

    #[test]
    fn texts_of_records_drop_oldest_removed_are_compacted_away() {
        let mut state = Records::default();
        for c in ['a', 'b', 'c'] {
            let message = c.to_string().repeat(600_000);
            let target = String::from("not::static");
            let owned = capture(
                &log::Record::builder()
                    .args(format_args!("{c}"))
                    .target(&target)
                    .build(),
                &message,
                &mut state.texts,
            );
            state.records.push_back(owned);
        }
        let total = state.texts.len();
        let drop_first = |state: &mut Records| {
            let gone = state.records.pop_front().expect("a record");
            state.dead_text += gone.shared_len();
            compact_if_mostly_dead(state);
        };
        drop_first(&mut state);
        assert_eq!(state.texts.len(), total, "a third dead: kept");
        drop_first(&mut state);
        assert!(state.texts.len() < total / 2, "two thirds dead: compacted");
        assert_eq!(state.dead_text, 0);
        let last = state.records.pop_front().expect("the last record");
        last.with_entry_in(&state.texts, |e| {
            assert_eq!(e.record().target(), "not::static");
            assert_eq!(e.record().args().to_string(), "c".repeat(600_000));
        });
    }
}
