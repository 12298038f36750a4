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
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread::{JoinHandle, ThreadId};

use super::HandlerStats;
use super::owned::{Kvs, OwnedRecord, Target};
use crate::config::Overflow;
use crate::{Entry, Error, ErrorKind, Formatter, Handler};

/// Copies each record into a bounded queue and returns; a background thread
/// named `logfig-queue-<name>` writes the records to the target handlers
/// (`type: queue`, Python's QueueHandler with a QueueListener).
///
/// The logging thread formats nothing: it copies the record (message rendered
/// to text, key-values with their types, time, thread, process) and waits only
/// when the queue is full and the policy is `block` (or the record is at or
/// above `drop_below`). Dropped records are counted; once the worker has made
/// room it writes a WARNING record on the `logfig` target, `queue `q`: N records
/// dropped`, through the targets. `flush` and `close` return when every record
/// queued before the call was written (and the targets flushed). Whenever the
/// queue runs empty the worker flushes its targets, so a buffered `file`
/// (`flush_level`, `buffer`) behind a queue is written in large batches under
/// load and promptly when logging pauses.
///
/// Statistics: `emitted` (records written by the worker), `dropped`, `queued`.
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
    shared: Arc<Shared>,
    worker: Mutex<Option<JoinHandle<()>>>,
}

#[derive(Debug)]
struct Shared {
    name: String,
    capacity: usize,
    overflow: Overflow,
    /// Records at least this severe are never dropped.
    keep_from: Option<log::Level>,
    targets: Vec<Target>,
    state: Mutex<State>,
    /// Wakes the worker: records, a flush request, or close.
    work: Condvar,
    /// Wakes producers waiting for room.
    room: Condvar,
    done: Condvar,
    emitted: AtomicU64,
    dropped: AtomicU64,
    worker_id: OnceLock<ThreadId>,
    /// The last error of a target, returned by the next `emit`.
    error: Mutex<Option<Error>>,
    has_error: AtomicBool,
}

#[derive(Debug, Default)]
struct State {
    records: VecDeque<OwnedRecord>,
    /// The strings of `records` that are not `'static` (messages, targets),
    /// one after the other: a record costs no allocation for them.
    texts: String,
    /// Bytes of `texts` that belong to records `drop_oldest` removed.
    dead_text: usize,
    /// Flush requests made, and the last one the worker has completed.
    flush_asked: u64,
    flush_done: u64,
    /// Drops not yet reported through the targets.
    unreported: u64,
    closed: bool,
    /// The worker has exited.
    stopped: bool,
    /// The worker is blocked waiting for work: only then does a producer
    /// need to wake it (a condvar notification is a system call).
    worker_waiting: bool,
    /// Producers blocked until there is room: only then does the worker
    /// need to wake them (`notify_all` is a system call even with no one
    /// waiting).
    room_waiters: usize,
}

impl QueueHandler {
    /// Starts the worker thread.
    pub(crate) fn start(
        name: &str,
        capacity: usize,
        overflow: Overflow,
        keep_from: Option<log::Level>,
        targets: Vec<Target>,
    ) -> Result<QueueHandler, Error> {
        let shared = Arc::new(Shared {
            name: name.to_owned(),
            capacity: capacity.max(1),
            overflow,
            keep_from,
            targets,
            state: Mutex::new(State::default()),
            work: Condvar::new(),
            room: Condvar::new(),
            done: Condvar::new(),
            emitted: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            worker_id: OnceLock::new(),
            error: Mutex::new(None),
            has_error: AtomicBool::new(false),
        });
        let for_worker = Arc::clone(&shared);
        let handle = std::thread::Builder::new()
            .name(format!("logfig-queue-{name}"))
            .spawn(move || for_worker.run())
            .map_err(|e| Error::io(format!("starting the thread of queue `{name}`"), e))?;
        let _ = shared.worker_id.set(handle.thread().id());
        Ok(QueueHandler {
            shared,
            worker: Mutex::new(Some(handle)),
        })
    }
}

/// While a target is stuck and `drop_oldest` replaces records, the texts of
/// the removed ones would pile up in `texts` until the worker takes the
/// batch: once they are most of a buffer of 1 MiB or more, the live texts are
/// copied into a fresh one (amortised: each byte is copied at most once more
/// per byte that died).
fn compact_if_mostly_dead(state: &mut State) {
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

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn droppable(&self, level: log::Level) -> bool {
        // `log::Level` orders by verbosity: Error < Warn < ... < Trace.
        self.keep_from.is_none_or(|keep| level > keep)
    }

    fn on_worker(&self) -> bool {
        self.worker_id.get() == Some(&std::thread::current().id())
    }

    /// Queues a copy of `entry` (`message`: its rendered args, when they are
    /// not a literal; `kvs`: its key-values), or drops one record by the
    /// policy. Returns `false` when the queue is closed (the caller writes the
    /// record itself).
    fn push(&self, entry: &Entry<'_>, message: Option<&str>, kvs: Kvs) -> bool {
        let mut state = lock(&self.state);
        if state.closed {
            return false;
        }
        if state.records.len() >= self.capacity {
            let droppable = self.droppable(entry.record().level());
            match self.overflow {
                Overflow::DropNewest if droppable => {
                    self.count_drop(&mut state);
                    return true;
                }
                Overflow::DropOldest if droppable => {
                    // When everything waiting must be kept, the newest goes.
                    // (Its text stays in `texts` until the worker takes the
                    // batch, or a compaction copies the live texts out.)
                    if let Some(i) = state.records.iter().position(|r| self.droppable(r.level)) {
                        if let Some(gone) = state.records.remove(i) {
                            state.dead_text += gone.shared_len();
                        }
                        compact_if_mostly_dead(&mut state);
                        let state = &mut *state;
                        let record = OwnedRecord::capture_in(entry, message, kvs, &mut state.texts);
                        state.records.push_back(record);
                    }
                    self.count_drop(&mut state);
                    return true;
                }
                _ => {
                    if self.on_worker() {
                        // A target that logs into its own queue: waiting would
                        // deadlock, so the record is dropped instead.
                        self.count_drop(&mut state);
                        return true;
                    }
                    while state.records.len() >= self.capacity && !state.closed {
                        state.room_waiters += 1;
                        state = self
                            .room
                            .wait(state)
                            .unwrap_or_else(PoisonError::into_inner);
                        state.room_waiters -= 1;
                    }
                    if state.closed {
                        return false;
                    }
                }
            }
        }
        let wake = state.worker_waiting;
        // Plain copies: no user code runs under the lock.
        let state_ref = &mut *state;
        let record = OwnedRecord::capture_in(entry, message, kvs, &mut state_ref.texts);
        state_ref.records.push_back(record);
        drop(state);
        if wake {
            self.work.notify_one();
        }
        true
    }

    fn count_drop(&self, state: &mut State) {
        state.unreported += 1;
        self.dropped.fetch_add(1, Ordering::Relaxed);
    }

    fn write(&self, record: &OwnedRecord, texts: &str) {
        record.with_entry_in(texts, |entry| {
            for t in &self.targets {
                if let Err(e) = t.emit(entry) {
                    self.keep_error(e);
                }
            }
        });
    }

    fn keep_error(&self, e: Error) {
        *lock(&self.error) = Some(e);
        self.has_error.store(true, Ordering::Release);
    }

    /// The worker: takes the whole backlog at once, writes it without the
    /// lock, reports drops, answers flush requests; exits once closed and
    /// drained.
    fn run(&self) {
        crate::runtime::mark_internal_thread();
        // Swapped with the queue's deque, so producers push into one that
        // has kept its capacity (taking the deque left producers an empty
        // one, regrown by doubling, under the lock, after every batch).
        let mut batch = VecDeque::new();
        let mut texts = String::new();
        loop {
            let mut state = lock(&self.state);
            while state.records.is_empty() && state.flush_asked == state.flush_done && !state.closed
            {
                state.worker_waiting = true;
                state = self
                    .work
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
                state.worker_waiting = false;
            }
            std::mem::swap(&mut batch, &mut state.records);
            std::mem::swap(&mut texts, &mut state.texts);
            state.dead_text = 0;
            let flush = state.flush_asked;
            let pending_flush = flush != state.flush_done;
            let closing = state.closed;
            let dropped = std::mem::take(&mut state.unreported);
            let blocked = state.room_waiters > 0;
            drop(state);
            if blocked {
                self.room.notify_all();
            }

            let n = batch.len() as u64;
            for record in &batch {
                self.write(record, &texts);
            }
            // Outside the lock: freeing the records' strings takes time.
            batch.clear();
            texts.clear();
            // Keep what a usual batch needs, not what one burst of huge
            // messages needed.
            texts.shrink_to(1 << 20);
            self.emitted.fetch_add(n, Ordering::Relaxed);
            if dropped > 0 {
                let s = if dropped == 1 { "" } else { "s" };
                let report = OwnedRecord::internal(
                    log::Level::Warn,
                    "logfig",
                    format!("queue `{}`: {dropped} record{s} dropped", self.name),
                );
                self.write(&report, "");
            }
            // Ran empty: flush the targets, so a buffered file behind the
            // queue is written in batches yet never lags an idle queue.
            let idle = !pending_flush && n > 0 && lock(&self.state).records.is_empty();
            if idle {
                for t in &self.targets {
                    if let Err(e) = t.flush() {
                        self.keep_error(e);
                    }
                }
            }
            if pending_flush || (closing && n == 0) {
                for t in &self.targets {
                    if let Err(e) = t.flush() {
                        self.keep_error(e);
                    }
                }
                let mut state = lock(&self.state);
                state.flush_done = flush;
                if closing && state.records.is_empty() {
                    state.stopped = true;
                    drop(state);
                    self.done.notify_all();
                    return;
                }
                drop(state);
                self.done.notify_all();
            }
        }
    }

    /// Waits until every record queued before the call was written.
    fn flush(&self) {
        if self.on_worker() {
            return;
        }
        let mut state = lock(&self.state);
        if state.stopped {
            return;
        }
        state.flush_asked += 1;
        let ticket = state.flush_asked;
        self.work.notify_one();
        while state.flush_done < ticket && !state.stopped {
            state = self
                .done
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl Handler for QueueHandler {
    fn emit(&self, entry: &Entry<'_>, _formatter: &dyn Formatter) -> Result<(), Error> {
        // The message rendered and the key-values captured (user code: their
        // `Display` and `Debug`) outside the queue's lock; the rest is copied
        // under it.
        let kvs = OwnedRecord::capture_kvs(entry.record());
        let args = entry.record().args();
        let queued = match args.as_str() {
            Some(_) => self.shared.push(entry, None, kvs),
            None => super::owned::with_rendered(args, |m| self.shared.push(entry, Some(m), kvs)),
        };
        if !queued {
            // Closed: a thread that started logging before the swap. Write
            // the record here rather than lose it.
            for t in &self.shared.targets {
                t.emit(entry)?;
            }
        }
        if self.shared.has_error.swap(false, Ordering::AcqRel)
            && let Some(e) = lock(&self.shared.error).take()
        {
            return Err(Error::new(
                ErrorKind::Handler,
                format!("queue `{}`: {e}", self.shared.name),
            ));
        }
        Ok(())
    }

    fn flush(&self) -> Result<(), Error> {
        self.shared.flush();
        Ok(())
    }

    /// Writes everything queued, flushes the targets, and stops the thread.
    fn close(&self) -> Result<(), Error> {
        {
            let mut state = lock(&self.shared.state);
            state.closed = true;
        }
        self.shared.work.notify_one();
        self.shared.room.notify_all();
        let worker = lock(&self.worker).take();
        if let Some(w) = worker
            && !self.shared.on_worker()
            && w.join().is_err()
        {
            return Err(Error::new(
                ErrorKind::Handler,
                format!("the thread of queue `{}` panicked", self.shared.name),
            ));
        }
        Ok(())
    }

    fn stats(&self) -> HandlerStats {
        HandlerStats {
            emitted: self.shared.emitted.load(Ordering::Relaxed),
            dropped: self.shared.dropped.load(Ordering::Relaxed),
            queued: lock(&self.shared.state).records.len() as u64,
            ..HandlerStats::default()
        }
    }
}

impl Drop for QueueHandler {
    fn drop(&mut self) {
        // A queue dropped without `close` (a graph that failed to build)
        // still stops its thread.
        let _ = Handler::close(self);
    }
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
        let mut state = State::default();
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
        let drop_first = |state: &mut State| {
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
