//! The one worker thread of every output that owns a thread: `queue`, the
//! network outputs (`tcp`, `udp`, `syslog`), `http` and `smtp`.
//!
//! A [`Worker`] keeps the records a logging thread handed over (its
//! [`Backlog`]) under one short lock, bounded in records and in bytes with an
//! overflow policy, and runs one named thread that takes them in batches and
//! hands each batch to the output's [`Output::deliver`]. It answers flush
//! requests, stops on close, and counts every record it accepted: each one
//! ends up `emitted`, `dropped` (the overflow policy), `failed` (refused,
//! given up, or lost at close past the deadline) or, for now, `queued`.
//!
//! Every wait on the shutdown path is bounded by the output's `close_timeout`:
//! a flush that is not answered in time returns an error (its records stay
//! queued), a close that is not done in time counts what the thread still had
//! as `failed`, returns an error for the error hook, and leaves the thread to
//! finish its stuck call on its own. A logging thread blocked on a full
//! backlog (`overflow: block`) waits at most as long, then its record is
//! dropped and counted.
//!
//! The output supplies only what differs: what a batch is ([`Backlog`]), when
//! to take one ([`Output::plan`]), how to deliver it (and to reconnect or
//! retry), and what to do once caught up ([`Output::caught_up`]).
//!
//! The flag that marks a thread as inside logfig (dispatching a record, or
//! one of logfig's own threads) lives here too: a record logged on such a
//! thread goes to stderr, never back into the graph.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread::{JoinHandle, ThreadId};
use std::time::{Duration, Instant};

use super::HandlerStats;
use crate::config::{Overflow, WorkerConfig};
use crate::error::{Error, ErrorKind};

/// Marks the current thread as one of logfig's own (a worker, a rotation's
/// compressor) for good: a record logged on it goes to stderr, never back
/// into the graph. The flag lives with panic catching, which shares it.
pub(crate) use crate::catch::mark_internal_thread;

/// Locks `m`, taking the data of a poisoned lock as it is: every state kept
/// under these locks is valid between statements.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The records a worker holds, and what they weigh.
pub(crate) trait Backlog: Default + Send + 'static {
    /// Records held.
    fn len(&self) -> usize;
    /// Bytes the records hold (their text and their fixed size).
    fn bytes(&self) -> usize;
    /// Removes the oldest record that may be dropped (records at least as
    /// severe as `keep_from` may not); `false` when there is none.
    fn drop_oldest(&mut self, keep_from: Option<log::Level>) -> bool;
    /// Moves the `n` oldest records (all when `n >= len`) into `into`,
    /// which is empty.
    fn take(&mut self, n: usize, into: &mut Self);
    /// Forgets every record.
    fn clear(&mut self);
}

/// What a record of a [`Fifo`] weighs, in bytes.
pub(crate) trait Weigh {
    fn weight(&self) -> usize;
}

impl Weigh for Vec<u8> {
    fn weight(&self) -> usize {
        std::mem::size_of::<Self>() + self.len()
    }
}

/// A backlog of self-contained records, oldest first.
#[derive(Debug)]
pub(crate) struct Fifo<T> {
    items: VecDeque<T>,
    bytes: usize,
}

impl<T> Default for Fifo<T> {
    fn default() -> Self {
        Fifo {
            items: VecDeque::new(),
            bytes: 0,
        }
    }
}

impl<T: Weigh> Fifo<T> {
    pub(crate) fn push_back(&mut self, item: T) {
        self.bytes += item.weight();
        self.items.push_back(item);
    }

    pub(crate) fn pop_front(&mut self) -> Option<T> {
        let item = self.items.pop_front()?;
        self.bytes = self.bytes.saturating_sub(item.weight());
        Some(item)
    }

    pub(crate) fn remove(&mut self, i: usize) -> Option<T> {
        let item = self.items.remove(i)?;
        self.bytes = self.bytes.saturating_sub(item.weight());
        Some(item)
    }

    pub(crate) fn get(&self, i: usize) -> Option<&T> {
        self.items.get(i)
    }

    // reason: used by the batching outputs (`http`, `smtp`), which are
    // behind features.
    #[cfg_attr(
        not(any(feature = "http", feature = "smtp", feature = "otlp")),
        allow(dead_code)
    )]
    pub(crate) fn front(&self) -> Option<&T> {
        self.items.front()
    }

    // reason: used by the batching outputs (`http`, `smtp`), which are
    // behind features.
    #[cfg_attr(
        not(any(feature = "http", feature = "smtp", feature = "otlp")),
        allow(dead_code)
    )]
    pub(crate) fn items(&self) -> &VecDeque<T> {
        &self.items
    }

    /// Puts `front` (emptied) before the records held.
    fn prepend(&mut self, front: &mut Fifo<T>) {
        self.bytes += std::mem::take(&mut front.bytes);
        while let Some(item) = front.items.pop_back() {
            self.items.push_front(item);
        }
    }
}

impl<T: Weigh + Send + 'static> Backlog for Fifo<T> {
    fn len(&self) -> usize {
        self.items.len()
    }

    fn bytes(&self) -> usize {
        self.bytes
    }

    /// Fifo records carry no level: any may go.
    fn drop_oldest(&mut self, _keep_from: Option<log::Level>) -> bool {
        self.pop_front().is_some()
    }

    fn take(&mut self, n: usize, into: &mut Self) {
        if n >= self.items.len() {
            std::mem::swap(self, into);
            return;
        }
        for _ in 0..n {
            if let Some(item) = self.pop_front() {
                into.push_back(item);
            }
        }
    }

    fn clear(&mut self) {
        self.items.clear();
        self.bytes = 0;
    }
}

/// What the thread does next, as an output decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Take this many of the oldest records (at least one) and deliver them.
    Take(usize),
    /// Nothing to send now: wait for more records, or until this instant.
    /// A flush asked meanwhile is answered: it cannot wait for the output.
    Wait(Option<Instant>),
}

/// What differs between outputs: the shape of a batch, when to send one, and
/// how.
pub(crate) trait Output: Send + 'static {
    type Backlog: Backlog;

    /// Whether to take records now. Called under the worker's lock with at
    /// least one record waiting, so it does no I/O; `flushing` when a flush
    /// waits, `closing` once `close` was called (a `Wait` is then taken as
    /// `Take(usize::MAX)`).
    fn plan(&mut self, waiting: &Self::Backlog, flushing: bool, closing: bool) -> Plan {
        let _ = (waiting, flushing, closing);
        Plan::Take(usize::MAX)
    }

    /// While the thread waits with a deadline (a `Plan::Wait(Some(_))`),
    /// how many waiting records make a logging thread wake it early.
    fn wake_at(&self) -> usize {
        usize::MAX
    }

    /// Delivers `batch`: every record in it is counted through `ctx`
    /// (`emitted`, `failed`) or given back to the backlog. Whatever is
    /// neither is counted as failed when this returns.
    fn deliver(&mut self, batch: &mut Self::Backlog, ctx: &Ctx<'_, Self::Backlog>);

    /// Nothing is left to send now: a flush is being answered, the backlog
    /// ran empty after a delivery, or the thread is stopping.
    fn caught_up(&mut self, ctx: &Ctx<'_, Self::Backlog>) {
        let _ = ctx;
    }
}

/// How a worker is set up: names, bounds and policy.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// `queue `q``, `tcp `net``: how messages name the output.
    pub(crate) label: String,
    /// The thread's name, such as `logfig-queue-q`.
    pub(crate) thread: String,
    /// Most records waiting (records being delivered not counted).
    pub(crate) capacity: usize,
    /// Most bytes held: waiting and being delivered.
    pub(crate) max_bytes: usize,
    pub(crate) overflow: Overflow,
    /// Records at least this severe are never dropped by the policy.
    pub(crate) keep_from: Option<log::Level>,
    /// Longest wait of a flush, of a close, and of a logging thread blocked
    /// on a full backlog.
    pub(crate) close_timeout: Duration,
}

impl Settings {
    /// The settings of output `name` of `kind` (`tcp`), on thread
    /// `logfig-<thread>-<name>`: at most `capacity` records and
    /// `config.buffer_bytes` bytes, the oldest dropped first.
    pub(crate) fn new(
        kind: &str,
        thread: &str,
        name: &str,
        capacity: usize,
        config: &WorkerConfig,
    ) -> Settings {
        Settings {
            label: format!("{kind} `{name}`"),
            thread: format!("logfig-{thread}-{name}"),
            capacity,
            max_bytes: usize::try_from(config.buffer_bytes.bytes()).unwrap_or(usize::MAX),
            overflow: Overflow::DropOldest,
            keep_from: None,
            close_timeout: config.close_timeout,
        }
    }
}

/// What became of a record handed to [`Worker::push`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pushed {
    Queued,
    /// Dropped (and counted) by the overflow policy.
    Dropped,
    /// The worker is closed: the caller decides (and counts).
    Closed,
}

/// `in_flight` once a close gave up on the thread: what it still held was
/// counted as failed, and its late results count no more. The thread's late
/// subtractions keep it in the frozen range (at or above [`FROZEN_FROM`]), so
/// settling costs one `fetch_sub`, not a compare-and-swap loop.
const FROZEN: u64 = u64::MAX;
const FROZEN_FROM: u64 = 1 << 63;

#[derive(Debug, Default)]
struct State<B> {
    backlog: B,
    /// Bytes of the batch the thread is delivering.
    in_flight_bytes: usize,
    /// Flush requests made, and the last one the thread has answered.
    flush_asked: u64,
    flush_done: u64,
    /// Drops by the overflow policy not yet passed to `deliver`.
    unreported: u64,
    closed: bool,
    /// When a close stops waiting.
    deadline: Option<Instant>,
    /// The thread has exited.
    stopped: bool,
    /// While the thread waits: how many waiting records make a logging
    /// thread wake it (0: it is not waiting). A condvar notification is a
    /// system call, so producers only make one when it is needed.
    wake_len: usize,
    /// Logging threads blocked until there is room.
    room_waiters: usize,
    /// A flush gave up and the thread has finished nothing since: the next
    /// flush does not wait again (a `Handle` drop flushes, then retires).
    stalled: bool,
}

#[derive(Debug)]
struct Shared<B> {
    settings: Settings,
    state: Mutex<State<B>>,
    /// Wakes the thread: records, a flush request, or close.
    work: Condvar,
    /// Wakes logging threads waiting for room.
    room: Condvar,
    /// Wakes flush and close callers.
    done: Condvar,
    emitted: AtomicU64,
    dropped: AtomicU64,
    failed: AtomicU64,
    retried: AtomicU64,
    oversized: AtomicU64,
    /// Records the thread has taken and not yet counted; [`FROZEN`] once a
    /// close gave up on it.
    in_flight: AtomicU64,
    /// Records of the current batch delivered but not yet counted, for
    /// outputs that count a batch at its end ([`Ctx::progress`]).
    progress: AtomicU64,
    closing: AtomicBool,
    thread_id: OnceLock<ThreadId>,
    /// The last problem, returned (once) by the next `take_error`.
    error: Mutex<Option<String>>,
    has_error: AtomicBool,
}

/// A bounded backlog of records and the one thread that delivers them.
#[derive(Debug)]
pub(crate) struct Worker<B: Backlog> {
    shared: Arc<Shared<B>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

/// The worker's side of a delivery: counts, notes, and the close deadline.
#[derive(Debug)]
pub(crate) struct Ctx<'a, B> {
    shared: &'a Shared<B>,
    dropped: u64,
}

impl<B: Backlog> Worker<B> {
    /// Starts the thread, named `settings.thread`.
    ///
    /// # Errors
    ///
    /// When the thread cannot be started.
    pub(crate) fn start<O: Output<Backlog = B>>(
        settings: Settings,
        output: O,
    ) -> Result<Worker<B>, Error> {
        let name = settings.thread.clone();
        let label = settings.label.clone();
        let shared = Arc::new(Shared {
            settings: Settings {
                capacity: settings.capacity.max(1),
                max_bytes: settings.max_bytes.max(1),
                ..settings
            },
            state: Mutex::new(State::default()),
            work: Condvar::new(),
            room: Condvar::new(),
            done: Condvar::new(),
            emitted: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            retried: AtomicU64::new(0),
            oversized: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
            progress: AtomicU64::new(0),
            closing: AtomicBool::new(false),
            thread_id: OnceLock::new(),
            error: Mutex::new(None),
            has_error: AtomicBool::new(false),
        });
        let for_thread = Arc::clone(&shared);
        let handle = crate::catch::spawn(name, Box::new(move || for_thread.main(output)))
            .map_err(|e| Error::io(format!("starting the thread of {label}"), e))?;
        let _ = shared.thread_id.set(handle.thread().id());
        Ok(Worker {
            shared,
            thread: Mutex::new(Some(handle)),
        })
    }

    /// Hands one record to the thread: `put` adds it to the backlog (under
    /// the lock: plain copies only, no user code), `bytes` is about what it
    /// weighs, `level` decides whether the policy may drop it. When the
    /// backlog is full the overflow policy applies, at whichever bound
    /// (records or bytes) is hit first; `block` waits for room at most
    /// `close_timeout`, then drops the record.
    #[inline]
    pub(crate) fn push(&self, level: log::Level, bytes: usize, put: impl FnOnce(&mut B)) -> Pushed {
        let s = &*self.shared;
        let mut state = lock(&s.state);
        if state.closed {
            return Pushed::Closed;
        }
        if s.full(&state, bytes) {
            let droppable = s.settings.keep_from.is_none_or(|keep| level > keep);
            match s.settings.overflow {
                Overflow::DropNewest if droppable => {
                    s.count_drop(&mut state, 1);
                    return Pushed::Dropped;
                }
                Overflow::DropOldest if droppable => {
                    // When everything waiting must be kept, the newest goes.
                    while s.full(&state, bytes) {
                        if !state.backlog.drop_oldest(s.settings.keep_from) {
                            s.count_drop(&mut state, 1);
                            return Pushed::Dropped;
                        }
                        s.count_drop(&mut state, 1);
                        if state.backlog.len() == 0 {
                            break;
                        }
                    }
                }
                _ => {
                    if s.on_thread() {
                        // An output that logs into its own backlog: waiting
                        // would deadlock, so the record is dropped instead.
                        s.count_drop(&mut state, 1);
                        return Pushed::Dropped;
                    }
                    let deadline = Instant::now() + s.settings.close_timeout;
                    while s.full(&state, bytes) && !state.closed {
                        let left = deadline.saturating_duration_since(Instant::now());
                        if left.is_zero() {
                            s.count_drop(&mut state, 1);
                            drop(state);
                            s.note(format!(
                                "{}: full for `close_timeout` ({:?}); a record was dropped",
                                s.settings.label, s.settings.close_timeout
                            ));
                            return Pushed::Dropped;
                        }
                        state.room_waiters += 1;
                        state = s
                            .room
                            .wait_timeout(state, left)
                            .unwrap_or_else(PoisonError::into_inner)
                            .0;
                        state.room_waiters -= 1;
                    }
                    if state.closed {
                        return Pushed::Closed;
                    }
                }
            }
        }
        put(&mut state.backlog);
        let wake = state.wake_len != 0 && state.backlog.len() >= state.wake_len;
        if wake {
            state.wake_len = 0;
        }
        drop(state);
        if wake {
            s.work.notify_one();
        }
        Pushed::Queued
    }

    /// Waits until every record handed over before the call was delivered
    /// (or the output cannot deliver now), at most `close_timeout`.
    ///
    /// # Errors
    ///
    /// When `close_timeout` passed first; the records stay queued.
    pub(crate) fn flush(&self) -> Result<(), Error> {
        let s = &*self.shared;
        if s.on_thread() {
            return Ok(());
        }
        let mut state = lock(&s.state);
        if state.stopped {
            return Ok(());
        }
        state.flush_asked += 1;
        let ticket = state.flush_asked;
        s.work.notify_one();
        let deadline = if state.stalled {
            Instant::now()
        } else {
            Instant::now() + s.settings.close_timeout
        };
        while state.flush_done < ticket && !state.stopped {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                state.stalled = true;
                let waiting = state.backlog.len() as u64 + s.in_flight();
                return Err(Error::new(
                    ErrorKind::Handler,
                    format!(
                        "{}: flush gave up after `close_timeout` ({:?}) with {waiting} records still queued",
                        s.settings.label, s.settings.close_timeout
                    ),
                ));
            }
            state = s
                .done
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        Ok(())
    }

    /// Delivers what waits (the output decides how, within
    /// `close_timeout`), then stops the thread. Later records are refused
    /// ([`Pushed::Closed`]).
    ///
    /// # Errors
    ///
    /// When the thread was not done within `close_timeout`: what it still
    /// held is counted as failed and the thread is left to finish its stuck
    /// call alone. Also the last problem the thread noted, and a thread that
    /// panicked.
    pub(crate) fn close(&self) -> Result<(), Error> {
        let s = &*self.shared;
        let deadline = {
            let mut state = lock(&s.state);
            if !state.closed {
                state.closed = true;
                state.deadline = Some(Instant::now() + s.settings.close_timeout);
                s.closing.store(true, Ordering::Release);
            }
            state.deadline.unwrap_or_else(Instant::now)
        };
        s.work.notify_all();
        s.room.notify_all();
        if s.on_thread() {
            return Ok(());
        }
        let Some(thread) = lock(&self.thread).take() else {
            return Ok(());
        };
        let mut state = lock(&s.state);
        while !state.stopped {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            state = s
                .done
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        if state.stopped {
            drop(state);
            if thread.join().is_err() {
                return Err(Error::new(
                    ErrorKind::Handler,
                    format!("the thread of {} panicked", s.settings.label),
                ));
            }
            return self.take_error();
        }
        let lost = s.give_up(&mut state);
        drop(state);
        // The thread is left running: it ends once its stuck call returns.
        drop(thread);
        Err(Error::new(
            ErrorKind::Handler,
            format!(
                "{}: not done within `close_timeout` ({:?}); {lost} records could not be written and count as failed",
                s.settings.label, s.settings.close_timeout
            ),
        ))
    }

    /// The counters, and what is queued now.
    pub(crate) fn stats(&self) -> HandlerStats {
        let s = &*self.shared;
        let state = lock(&s.state);
        HandlerStats {
            emitted: s.emitted.load(Ordering::Relaxed),
            dropped: s.dropped.load(Ordering::Relaxed),
            failed: s.failed.load(Ordering::Relaxed),
            retried: s.retried.load(Ordering::Relaxed),
            queued: state.backlog.len() as u64 + s.in_flight(),
            queued_bytes: (state.backlog.bytes() + state.in_flight_bytes) as u64,
            oversized: s.oversized.load(Ordering::Relaxed),
        }
    }

    /// The problem noted since the last call, as a handler error.
    #[inline]
    pub(crate) fn take_error(&self) -> Result<(), Error> {
        let s = &*self.shared;
        if !s.has_error.load(Ordering::Acquire) {
            return Ok(());
        }
        s.has_error.store(false, Ordering::Release);
        // The records it is about were counted by the worker: the runtime
        // must not count the record that brings the message as failed.
        match lock(&s.error).take() {
            Some(message) => Err(Error::new(ErrorKind::Handler, message).counted()),
            None => Ok(()),
        }
    }

    /// Records written by the caller itself (after close).
    pub(crate) fn count_emitted(&self, n: u64) {
        self.shared.emitted.fetch_add(n, Ordering::Relaxed);
    }

    /// Records the caller could not hand over or write.
    pub(crate) fn count_failed(&self, n: u64) {
        self.shared.failed.fetch_add(n, Ordering::Relaxed);
    }

    /// Records cut or split to fit, on the caller's side.
    pub(crate) fn count_oversized(&self) {
        self.shared.oversized.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn oversized(&self) -> u64 {
        self.shared.oversized.load(Ordering::Relaxed)
    }
}

impl<T: Weigh + Send + 'static> Worker<Fifo<T>> {
    /// Hands `item` to the thread ([`push`](Worker::push), with its
    /// weight; a record arriving after close counts as failed), and returns
    /// the problem the thread noted since the last call.
    pub(crate) fn send(&self, item: T) -> Result<(), Error> {
        let bytes = item.weight();
        // Records of these outputs carry no level for `drop_below`.
        if self.push(log::Level::Error, bytes, |b| b.push_back(item)) == Pushed::Closed {
            self.count_failed(1);
        }
        self.take_error()
    }
}

/// The `flush`, `close` and `stats` of a `Handler` whose output is the
/// [`Worker`] in field `$worker`, inside its `impl Handler` block.
macro_rules! worker_handler_methods {
    ($worker:ident) => {
        fn flush(&self) -> Result<(), Error> {
            self.$worker.flush()
        }

        fn close(&self) -> Result<(), Error> {
            self.$worker.close()
        }

        fn stats(&self) -> HandlerStats {
            self.$worker.stats()
        }
    };
}
pub(crate) use worker_handler_methods;

impl<B: Backlog> Drop for Worker<B> {
    fn drop(&mut self) {
        // A worker dropped without `close` (a graph that failed to build)
        // still stops its thread, within `close_timeout`.
        let _ = self.close();
    }
}

/// The thread's next step, decided under the lock.
enum Step {
    Take(usize),
    /// Nothing to deliver now: answer flushes up to `ticket`; `stop` when
    /// closed and empty.
    CaughtUp {
        ticket: u64,
        stop: bool,
    },
}

impl<B: Backlog> Shared<B> {
    fn on_thread(&self) -> bool {
        self.thread_id.get() == Some(&std::thread::current().id())
    }

    fn in_flight(&self) -> u64 {
        match self.in_flight.load(Ordering::Acquire) {
            n if n >= FROZEN_FROM => 0,
            n => n,
        }
    }

    /// Whether one more record of `bytes` does not fit. The byte bound
    /// covers the batch being delivered too: it is what memory holds. A
    /// record alone may exceed it (else it could never be sent).
    #[inline]
    fn full(&self, state: &State<B>, bytes: usize) -> bool {
        let len = state.backlog.len();
        len >= self.settings.capacity
            || ((len > 0 || state.in_flight_bytes > 0)
                && state.backlog.bytes() + state.in_flight_bytes + bytes > self.settings.max_bytes)
    }

    fn count_drop(&self, state: &mut State<B>, n: u64) {
        state.unreported += n;
        self.dropped.fetch_add(n, Ordering::Relaxed);
    }

    fn note(&self, message: String) {
        *lock(&self.error) = Some(message);
        self.has_error.store(true, Ordering::Release);
    }

    /// Takes `n` off `in_flight` unless a close gave up on them; `true`
    /// when they are this caller's to count.
    #[inline]
    fn settle(&self, n: u64) -> bool {
        n > 0 && self.in_flight.fetch_sub(n, Ordering::AcqRel) < FROZEN_FROM
    }

    /// Counts everything held, waiting and in flight, as failed (but what
    /// the thread reported delivered as emitted), and freezes the thread's
    /// counting. Returns how many records failed.
    fn give_up(&self, state: &mut State<B>) -> u64 {
        let in_flight = match self.in_flight.swap(FROZEN, Ordering::AcqRel) {
            n if n >= FROZEN_FROM => 0,
            n => n,
        };
        let delivered = self.progress.load(Ordering::Acquire).min(in_flight);
        self.emitted.fetch_add(delivered, Ordering::Relaxed);
        let lost = state.backlog.len() as u64 + in_flight - delivered;
        state.backlog.clear();
        state.in_flight_bytes = 0;
        self.failed.fetch_add(lost, Ordering::Relaxed);
        lost
    }

    /// The thread: runs the output, and whatever happens to it, says it
    /// stopped and counts what it left behind.
    fn main<O: Output<Backlog = B>>(&self, output: O) {
        mark_internal_thread();
        let ran = crate::catch::quietly(|| self.run(output));
        let mut state = lock(&self.state);
        let lost = self.give_up(&mut state);
        state.stopped = true;
        drop(state);
        if let Err(panic) = ran {
            self.note(format!(
                "{}: its thread panicked ({panic}); {lost} records were lost and count as failed",
                self.settings.label
            ));
        }
        self.done.notify_all();
        self.room.notify_all();
    }

    fn run<O: Output<Backlog = B>>(&self, mut output: O) {
        // Swapped with the backlog, so logging threads push into one that
        // has kept its capacity.
        let mut batch = B::default();
        // Delivered since the output last caught up.
        let mut dirty = false;
        loop {
            let mut state = lock(&self.state);
            state.in_flight_bytes = 0;
            if dirty {
                state.stalled = false;
            }
            if state.room_waiters > 0 {
                self.room.notify_all();
            }
            let step = loop {
                let flushing = state.flush_asked != state.flush_done;
                let empty = state.backlog.len() == 0;
                let plan = if empty {
                    Plan::Wait(None)
                } else if state.closed {
                    match output.plan(&state.backlog, flushing, true) {
                        Plan::Wait(_) => Plan::Take(usize::MAX),
                        take => take,
                    }
                } else {
                    output.plan(&state.backlog, flushing, false)
                };
                match plan {
                    Plan::Take(n) => break Step::Take(n.max(1)),
                    Plan::Wait(_) if flushing || (empty && (dirty || state.closed)) => {
                        break Step::CaughtUp {
                            ticket: state.flush_asked,
                            stop: empty && state.closed,
                        };
                    }
                    Plan::Wait(None) => {
                        state.wake_len = 1;
                        state = self
                            .work
                            .wait(state)
                            .unwrap_or_else(PoisonError::into_inner);
                        state.wake_len = 0;
                    }
                    Plan::Wait(Some(at)) => {
                        let left = at.saturating_duration_since(Instant::now());
                        if left.is_zero() {
                            // The output asked to wait until now: ask again.
                            continue;
                        }
                        state.wake_len = output.wake_at().max(1);
                        state = self
                            .work
                            .wait_timeout(state, left)
                            .unwrap_or_else(PoisonError::into_inner)
                            .0;
                        state.wake_len = 0;
                    }
                }
            };
            match step {
                Step::Take(n) => {
                    state.backlog.take(n, &mut batch);
                    state.in_flight_bytes = batch.bytes();
                    // Not frozen here: a close gives up under this lock, and
                    // leaves nothing to take.
                    self.progress.store(0, Ordering::Release);
                    self.in_flight
                        .fetch_add(batch.len() as u64, Ordering::AcqRel);
                    let dropped = std::mem::take(&mut state.unreported);
                    let blocked = state.room_waiters > 0;
                    drop(state);
                    if blocked {
                        self.room.notify_all();
                    }
                    let ctx = Ctx {
                        shared: self,
                        dropped,
                    };
                    output.deliver(&mut batch, &ctx);
                    // Whatever the output neither counted nor gave back.
                    let left = self.in_flight.load(Ordering::Acquire);
                    if left < FROZEN_FROM && left > 0 && self.settle(left) {
                        self.failed.fetch_add(left, Ordering::Relaxed);
                    }
                    // Outside the lock: freeing records takes time.
                    batch.clear();
                    dirty = true;
                }
                Step::CaughtUp { ticket, stop } => {
                    let asked = ticket != state.flush_done;
                    drop(state);
                    output.caught_up(&Ctx {
                        shared: self,
                        dropped: 0,
                    });
                    dirty = false;
                    let mut state = lock(&self.state);
                    state.flush_done = state.flush_done.max(ticket);
                    state.stalled = false;
                    let stopping = stop && state.backlog.len() == 0;
                    drop(state);
                    if asked && !stopping {
                        self.done.notify_all();
                    }
                    if stopping {
                        // `main` marks the thread stopped and wakes everyone.
                        return;
                    }
                }
            }
        }
    }
}

impl<B: Backlog> Ctx<'_, B> {
    /// `n` records of the batch were delivered.
    pub(crate) fn emitted(&self, n: u64) {
        if self.shared.settle(n) {
            self.shared.emitted.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// `n` records of the batch could not be delivered; `why` is noted for
    /// the error hook.
    pub(crate) fn failed(&self, n: u64, why: impl FnOnce() -> String) {
        if self.shared.settle(n) {
            self.shared.failed.fetch_add(n, Ordering::Relaxed);
            self.shared.note(why());
        }
    }

    /// `n` records of the batch are delivered so far and will be counted
    /// (with [`emitted`](Ctx::emitted)) when it ends: a plain store, for an
    /// output whose records are many and cheap (`queue`), so that a close
    /// that gives up mid-batch counts them as emitted, not failed.
    #[inline]
    pub(crate) fn progress(&self, n: u64) {
        self.shared.progress.store(n, Ordering::Release);
    }

    /// An attempt that failed and will be repeated.
    pub(crate) fn retried(&self) {
        self.shared.retried.fetch_add(1, Ordering::Relaxed);
    }

    /// A record cut or split to fit.
    pub(crate) fn oversized(&self) {
        self.shared.oversized.fetch_add(1, Ordering::Relaxed);
    }

    /// Records the overflow policy dropped since the last batch was taken.
    pub(crate) fn dropped_before(&self) -> u64 {
        self.dropped
    }

    /// Keeps `message` for the error hook (the next `emit` returns it).
    pub(crate) fn note(&self, message: String) {
        self.shared.note(message);
    }

    /// `queue `q``, `tcp `net``.
    pub(crate) fn label(&self) -> &str {
        &self.shared.settings.label
    }

    /// When a close stops waiting, once `close` was called.
    pub(crate) fn closing(&self) -> Option<Instant> {
        if !self.shared.closing.load(Ordering::Acquire) {
            return None;
        }
        lock(&self.shared.state).deadline
    }

    // reason: used by the batching outputs (`http`, `smtp`), which are
    // behind features.
    #[cfg_attr(
        not(any(feature = "http", feature = "smtp", feature = "otlp")),
        allow(dead_code)
    )]
    /// Whether `close_timeout` has run out: then the `n` records of the
    /// batch count as failed, unsent, and the caller stops.
    pub(crate) fn too_late(&self, n: u64) -> bool {
        let late = self.closing().is_some_and(|d| Instant::now() >= d);
        if late {
            self.failed(n, || {
                format!(
                    "{}: {n} records not sent by the end of `close_timeout`; they count as failed",
                    self.label()
                )
            });
        }
        late
    }

    // reason: used by `http` (its retry backoff), which is behind a
    // feature.
    #[cfg_attr(not(any(feature = "http", feature = "otlp")), allow(dead_code))]
    /// Waits until `until`, or until `close` is called; `false` in the
    /// second case.
    pub(crate) fn pause(&self, until: Instant) -> bool {
        let mut state = lock(&self.shared.state);
        while !state.closed {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return true;
            }
            state = self
                .shared
                .work
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        false
    }
}

impl<T: Weigh + Send + 'static> Ctx<'_, Fifo<T>> {
    /// Puts the undelivered rest of `batch` back in front of the backlog, so
    /// that while the output is away the overflow policy sees all of it
    /// (the oldest records go first when it is full).
    pub(crate) fn give_back(&self, batch: &mut Fifo<T>) {
        let s = self.shared;
        let n = batch.len() as u64;
        let mut state = lock(&s.state);
        if !s.settle(n) {
            // A close gave up on them: they are counted already.
            batch.clear();
            return;
        }
        state.in_flight_bytes = state.in_flight_bytes.saturating_sub(batch.bytes());
        state.backlog.prepend(batch);
        let mut dropped = 0;
        while s.full(&state, 0) && state.backlog.len() > 0 {
            state.backlog.pop_front();
            dropped += 1;
        }
        if dropped > 0 {
            s.count_drop(&mut state, dropped);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Seen = Arc<Mutex<Vec<Vec<u8>>>>;

    /// Counts batches into a shared list; blocks while `stuck` is set.
    struct Echo {
        seen: Seen,
        stuck: Arc<AtomicBool>,
    }

    impl Output for Echo {
        type Backlog = Fifo<Vec<u8>>;

        fn deliver(&mut self, batch: &mut Fifo<Vec<u8>>, ctx: &Ctx<'_, Fifo<Vec<u8>>>) {
            while self.stuck.load(Ordering::Acquire) {
                std::thread::sleep(Duration::from_millis(5));
            }
            let n = batch.len() as u64;
            lock(&self.seen).extend(batch.items().iter().cloned());
            ctx.emitted(n);
        }
    }

    fn settings(overflow: Overflow, capacity: usize, max_bytes: usize) -> Settings {
        Settings {
            label: "test `w`".into(),
            thread: "logfig-test-w".into(),
            capacity,
            max_bytes,
            overflow,
            keep_from: None,
            close_timeout: Duration::from_millis(200),
        }
    }

    fn echo(stuck: bool) -> (Echo, Seen, Arc<AtomicBool>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stuck = Arc::new(AtomicBool::new(stuck));
        let out = Echo {
            seen: Arc::clone(&seen),
            stuck: Arc::clone(&stuck),
        };
        (out, seen, stuck)
    }

    /// Polls `done` until it holds, against a deadline generous enough for
    /// a stalled machine: the tests wait on events, never on the clock.
    fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !done() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    fn push(w: &Worker<Fifo<Vec<u8>>>, bytes: Vec<u8>) -> Pushed {
        let weight = bytes.weight();
        w.push(log::Level::Info, weight, |b| b.push_back(bytes))
    }

    #[test]
    fn every_record_is_delivered_in_order_and_counted() {
        let (out, seen, _) = echo(false);
        let w = Worker::start(settings(Overflow::Block, 10, 1 << 20), out).unwrap();
        for i in 0..100u8 {
            assert_eq!(push(&w, vec![i]), Pushed::Queued);
        }
        w.flush().unwrap();
        assert_eq!(lock(&seen).len(), 100);
        assert!(lock(&seen).iter().enumerate().all(|(i, r)| r[0] == i as u8));
        w.close().unwrap();
        let s = w.stats();
        assert_eq!((s.emitted, s.dropped, s.failed, s.queued), (100, 0, 0, 0));
        assert_eq!(push(&w, vec![1]), Pushed::Closed);
    }

    #[test]
    fn a_stuck_output_bounds_flush_block_and_close_and_counts_the_rest() {
        let (out, seen, stuck) = echo(true);
        let w = Worker::start(settings(Overflow::Block, 2, 1 << 20), out).unwrap();
        // One taken by the thread (stuck), two waiting, the fourth blocks
        // for `close_timeout` and is dropped.
        assert_eq!(push(&w, vec![0]), Pushed::Queued);
        wait_for("the thread to take the first record", || {
            lock(&w.shared.state).backlog.len() == 0 && w.shared.in_flight() == 1
        });
        for i in 1..3u8 {
            assert_eq!(push(&w, vec![i]), Pushed::Queued);
        }
        assert_eq!(push(&w, vec![3]), Pushed::Dropped);
        assert!(w.take_error().is_err(), "the drop is reported");
        assert!(w.flush().is_err(), "a flush gives up");
        assert!(w.flush().is_err(), "and the next, at once, while stuck");
        let e = w.close().unwrap_err();
        assert!(e.to_string().contains("3 records"), "{e}");
        let s = w.stats();
        assert_eq!((s.emitted, s.dropped, s.failed, s.queued), (0, 1, 3, 0));
        // The thread ends once its call returns, and counts nothing more.
        stuck.store(false, Ordering::Release);
        wait_for("the thread to end", || lock(&w.shared.state).stopped);
        assert_eq!(w.stats().emitted, 0);
        assert_eq!(*lock(&seen), [vec![0]], "its call finished");
    }

    /// Delivers a batch record by record, reporting progress, and hangs at
    /// the record `[0xff]` until `release` is set.
    struct Halting(Arc<AtomicBool>);

    impl Output for Halting {
        type Backlog = Fifo<Vec<u8>>;

        fn deliver(&mut self, batch: &mut Fifo<Vec<u8>>, ctx: &Ctx<'_, Fifo<Vec<u8>>>) {
            let mut done = 0;
            for record in batch.items() {
                while record[0] == 0xff && !self.0.load(Ordering::Acquire) {
                    std::thread::sleep(Duration::from_millis(5));
                }
                done += 1;
                ctx.progress(done);
            }
            ctx.emitted(done);
        }
    }

    #[test]
    fn a_close_that_gives_up_mid_batch_counts_the_delivered_part_as_emitted() {
        let release = Arc::new(AtomicBool::new(false));
        let w = Worker::start(
            settings(Overflow::Block, 100, 1 << 20),
            Halting(Arc::clone(&release)),
        )
        .unwrap();
        {
            // One batch: held under the lock while it is filled.
            let mut state = lock(&w.shared.state);
            for r in [[1u8], [2], [3], [0xff], [5]] {
                state.backlog.push_back(r.to_vec());
            }
        }
        w.shared.work.notify_one();
        // A close that came before the thread delivered the first three
        // would count them failed: the test is about the part delivered.
        wait_for("the batch to reach the record that hangs", || {
            w.shared.progress.load(Ordering::Acquire) == 3
        });
        assert!(w.close().is_err());
        let s = w.stats();
        assert_eq!((s.emitted, s.failed, s.queued), (3, 2, 0), "{s:?}");
        release.store(true, Ordering::Release);
        wait_for("the thread to end", || lock(&w.shared.state).stopped);
        assert_eq!(w.stats().emitted, 3, "late results count no more");
    }

    #[test]
    fn the_byte_bound_drops_the_oldest_first() {
        let (out, _seen, stuck) = echo(true);
        let w = Worker::start(settings(Overflow::DropOldest, 1000, 10_000), out).unwrap();
        for i in 0..100u8 {
            push(&w, vec![i; 1000]);
        }
        let s = w.stats();
        assert!(s.queued_bytes <= 10_000 + 1024 + 24, "{s:?}");
        assert_eq!(s.queued + s.dropped, 100, "{s:?}");
        assert!(s.dropped >= 85, "{s:?}");
        stuck.store(false, Ordering::Release);
        w.close().unwrap();
        let s = w.stats();
        assert_eq!(s.emitted + s.dropped, 100, "{s:?}");
    }
}
