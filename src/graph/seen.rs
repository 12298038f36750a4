//! The targets the program logged to since a control endpoint started
//! (feature `control`, issue #15), for its `GET /loggers`.
//!
//! The only part on the logging path is [`note`], called on a level-cache miss
//! ([`Graph::decide`](super::Graph)): one relaxed atomic load while no control
//! endpoint runs. While one runs, a miss first asks a per-thread table of the
//! targets this thread already noted (by address and length, as the level
//! cache finds its slots), so a target too long for the level cache, which
//! misses on every call, costs a few instructions more, not a look-up in the
//! shared set. Only a target new to the thread takes the set's lock, with a
//! `try_lock` that never waits: a busy set skips the note, and a later miss
//! records it. (A target string freed and its memory reused by another may
//! pass for the noted one on that thread: the list is a view, not a record.)

use std::cell::Cell;
use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Control endpoints running in this process; targets are noted while > 0.
static TRACKING: AtomicUsize = AtomicUsize::new(0);

/// Targets seen since the first endpoint started, process-wide.
static SEEN: Mutex<BTreeSet<Box<str>>> = Mutex::new(BTreeSet::new());

/// Most targets kept: a program that logs to generated targets (one per
/// request id) must not grow the set without bound.
pub(crate) const MAX_SEEN: usize = 4096;

/// Longest target kept, in bytes.
pub(crate) const MAX_TARGET: usize = 256;

/// Notes that `target` was looked up, while an endpoint runs.
#[inline(always)]
pub(crate) fn note(target: &str) {
    if TRACKING.load(Ordering::Relaxed) != 0 {
        note_slow(target);
    }
}

/// Slots of the per-thread table of noted targets.
const NOTED_SLOTS: usize = 64;

thread_local! {
    /// `(address, length)` of targets this thread noted; `(0, 0)` is empty.
    static NOTED: [Cell<(usize, usize)>; NOTED_SLOTS] =
        const { [const { Cell::new((0, 0)) }; NOTED_SLOTS] };
}

#[cold]
#[inline(never)]
fn note_slow(target: &str) {
    if target.len() > MAX_TARGET || target.is_empty() {
        return;
    }
    let key = (target.as_ptr() as usize, target.len());
    // Fibonacci hashing: neighbouring heap strings spread over the slots.
    let mixed = (key.0 ^ key.1.rotate_left(32)).wrapping_mul(0x9E37_79B9_7F4A_7C15_u64 as usize);
    let slot = (mixed >> (usize::BITS - NOTED_SLOTS.trailing_zeros())) % NOTED_SLOTS;
    if NOTED.try_with(|n| n[slot].get() == key).unwrap_or(false) {
        return;
    }
    // Never wait on the logging path.
    let Ok(mut seen) = SEEN.try_lock() else {
        return;
    };
    if seen.len() < MAX_SEEN && !seen.contains(target) {
        seen.insert(target.into());
    }
    drop(seen);
    // Noted, or the set is full: either way this thread need not ask again.
    let _ = NOTED.try_with(|n| n[slot].set(key));
}

/// Marks one endpoint as running until the guard drops.
#[derive(Debug)]
pub(crate) struct Tracking(());

impl Tracking {
    pub(crate) fn start() -> Tracking {
        TRACKING.fetch_add(1, Ordering::Relaxed);
        Tracking(())
    }
}

impl Drop for Tracking {
    fn drop(&mut self) {
        TRACKING.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The targets seen so far.
pub(crate) fn seen() -> Vec<String> {
    SEEN.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
        .map(|t| t.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_targets_only_while_tracking_and_within_bounds() {
        note("inspect.before");
        let tracking = Tracking::start();
        note("inspect.during");
        note("inspect.during");
        note(&"x".repeat(MAX_TARGET + 1));
        let names: Vec<String> = (0..MAX_SEEN + 10)
            .map(|i| format!("inspect.many.{i}"))
            .collect();
        for n in &names {
            note(n);
        }
        drop(tracking);
        note("inspect.after");
        let seen = seen();
        assert!(seen.contains(&"inspect.during".to_owned()));
        assert_eq!(seen.iter().filter(|t| *t == "inspect.during").count(), 1);
        for absent in ["inspect.before", "inspect.after"] {
            assert!(!seen.contains(&absent.to_owned()), "{absent}");
        }
        assert!(seen.iter().all(|t| t.len() <= MAX_TARGET));
        assert_eq!(seen.len(), MAX_SEEN);
    }
}
