//! The watcher thread's inbox and the one-shot answer to a manual reload.
//!
//! A list under a lock with a condition variable, not `std::sync::mpsc`:
//! these were the last std channels in the library, and a channel brings
//! std's whole channel implementation (its list, array and zero flavours) into
//! the crate's build, for each message type, where this needs a few dozen
//! lines. The same reasoning as `runtime/close.rs` and the rotation's jobs.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::Message;
use crate::error::{Error, ErrorKind};

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    ready: Condvar,
}

#[derive(Default)]
struct State {
    messages: VecDeque<Message>,
    /// The receiver is gone: sending fails, so the threads that send (the
    /// directory watch, the SIGHUP listener) end.
    closed: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Sends to the watcher thread; cloned for every thread that does.
#[derive(Clone)]
pub(super) struct Sender(Arc<Shared>);

/// The watcher thread's end; dropping it closes the inbox.
pub(super) struct Receiver(Arc<Shared>);

/// An inbox, with its two ends.
pub(super) fn inbox() -> (Sender, Receiver) {
    let shared = Arc::new(Shared::default());
    (Sender(Arc::clone(&shared)), Receiver(shared))
}

impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

impl Sender {
    /// Queues `message`; `false` when the watcher thread has ended. A
    /// `Changed` is a hint: one waiting already says as much, so a burst of
    /// changes (a file rewritten in a loop) holds one entry, not one each.
    pub(super) fn send(&self, message: Message) -> bool {
        let mut state = lock(&self.0.state);
        if state.closed {
            return false;
        }
        if matches!(message, Message::Changed)
            && state.messages.iter().any(|m| matches!(m, Message::Changed))
        {
            return true;
        }
        state.messages.push_back(message);
        self.0.ready.notify_one();
        true
    }
}

impl Receiver {
    /// The next message, waiting at most `timeout`; `None` when none came.
    pub(super) fn recv_timeout(&self, timeout: Duration) -> Option<Message> {
        let deadline = Instant::now().checked_add(timeout);
        let mut state = lock(&self.0.state);
        loop {
            if let Some(message) = state.messages.pop_front() {
                return Some(message);
            }
            let left = match deadline {
                Some(d) => d.checked_duration_since(Instant::now())?,
                // Beyond what an `Instant` holds: as good as for ever.
                None => Duration::from_secs(u64::from(u32::MAX)),
            };
            if left.is_zero() {
                return None;
            }
            state = self
                .0
                .ready
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let mut state = lock(&self.0.state);
        state.closed = true;
        // Replies waiting in the queue are dropped here, which answers them.
        state.messages.clear();
    }
}

/// The answer to a manual reload: a slot and a condition variable.
#[derive(Default)]
struct Slot {
    answer: Mutex<Option<Result<(), Error>>>,
    ready: Condvar,
}

/// The watcher's end of an answer. Dropped unanswered (the thread stopped
/// first), it answers that the watcher stopped, so no caller waits for ever.
pub(super) struct Reply(Option<Arc<Slot>>);

/// The caller's end of an answer.
pub(super) struct Answer(Arc<Slot>);

/// A reply and the answer it fills.
pub(super) fn reply() -> (Reply, Answer) {
    let slot = Arc::new(Slot::default());
    (Reply(Some(Arc::clone(&slot))), Answer(slot))
}

impl Reply {
    /// Answers the caller.
    pub(super) fn send(mut self, outcome: Result<(), Error>) {
        if let Some(slot) = self.0.take() {
            fill(&slot, outcome);
        }
    }
}

fn fill(slot: &Slot, outcome: Result<(), Error>) {
    *lock(&slot.answer) = Some(outcome);
    slot.ready.notify_all();
}

/// What a caller is told when the watcher thread is gone.
pub(super) fn stopped() -> Error {
    Error::new(ErrorKind::Other, "the config watcher has stopped")
}

impl Drop for Reply {
    fn drop(&mut self) {
        if let Some(slot) = self.0.take() {
            fill(&slot, Err(stopped()));
        }
    }
}

impl Answer {
    /// Waits for the answer.
    pub(super) fn wait(self) -> Result<(), Error> {
        let answer = lock(&self.0.answer);
        let mut answer = self
            .0
            .ready
            .wait_while(answer, |a| a.is_none())
            .unwrap_or_else(PoisonError::into_inner);
        answer.take().unwrap_or_else(|| Err(stopped()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_arrive_in_order_and_a_quiet_inbox_times_out() {
        let (tx, rx) = inbox();
        assert!(tx.send(Message::Hangup));
        assert!(tx.send(Message::Stop));
        assert!(matches!(
            rx.recv_timeout(Duration::ZERO),
            Some(Message::Hangup)
        ));
        assert!(matches!(
            rx.recv_timeout(Duration::MAX),
            Some(Message::Stop)
        ));
        assert!(rx.recv_timeout(Duration::from_millis(1)).is_none());
    }

    #[test]
    fn a_burst_of_changes_waits_as_one() {
        let (tx, rx) = inbox();
        for _ in 0..10_000 {
            assert!(tx.send(Message::Changed));
        }
        assert!(tx.send(Message::Hangup));
        assert!(tx.send(Message::Changed));
        assert!(matches!(
            rx.recv_timeout(Duration::ZERO),
            Some(Message::Changed)
        ));
        assert!(matches!(
            rx.recv_timeout(Duration::ZERO),
            Some(Message::Hangup)
        ));
        // Taken, a change may wait again.
        assert!(tx.send(Message::Changed));
        assert!(matches!(
            rx.recv_timeout(Duration::ZERO),
            Some(Message::Changed)
        ));
        assert!(rx.recv_timeout(Duration::ZERO).is_none());
    }

    #[test]
    fn a_message_from_another_thread_wakes_the_receiver() {
        let (tx, rx) = inbox();
        let t = std::thread::spawn(move || tx.send(Message::Stop));
        // No timed assertion: the wait is long, the message arrives.
        assert!(matches!(
            rx.recv_timeout(Duration::from_secs(600)),
            Some(Message::Stop)
        ));
        assert!(t.join().unwrap());
    }

    #[test]
    fn sending_fails_once_the_receiver_is_gone_and_a_queued_reply_is_answered() {
        let (tx, rx) = inbox();
        let (reply, answer) = reply();
        assert!(tx.send(Message::ReloadNow(reply)));
        drop(rx);
        assert!(!tx.send(Message::Stop));
        let e = answer.wait().unwrap_err();
        assert!(e.to_string().contains("stopped"), "{e}");
    }

    #[test]
    fn a_reply_answers_once_from_another_thread() {
        let (reply, answer) = reply();
        let t = std::thread::spawn(move || reply.send(Ok(())));
        assert!(answer.wait().is_ok());
        t.join().unwrap();
    }
}
