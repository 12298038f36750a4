//! What the control endpoint reads of a running dispatcher (feature
//! `control`, issue #15): the targets seen since start, the overrides with
//! their remaining time, and the level a name gets.
//!
//! The only part on the logging path is [`note`], called on a level-cache miss
//! (`Graph::decide`): one relaxed atomic load while no control endpoint runs.
//! While one runs, a miss also looks the target up in a bounded set behind a
//! `try_lock` that never waits: a busy set skips the note, and the next miss
//! of that target (after any reload or level change, or on another thread)
//! records it.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::Dispatcher;
use crate::config::Level;

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

#[cold]
#[inline(never)]
fn note_slow(target: &str) {
    if target.len() > MAX_TARGET || target.is_empty() {
        return;
    }
    // Never wait on the logging path.
    let Ok(mut seen) = SEEN.try_lock() else {
        return;
    };
    if seen.len() < MAX_SEEN && !seen.contains(target) {
        seen.insert(target.into());
    }
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

/// One runtime override, for display.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OverrideView {
    /// The normalised name (`a.b`); `""` is the root.
    pub(crate) name: String,
    pub(crate) level: Level,
    /// Time left before it reverts; `None`: until cleared.
    pub(crate) remaining: Option<Duration>,
}

impl Dispatcher {
    /// The level overrides now in force.
    pub(crate) fn overrides(&self) -> Vec<OverrideView> {
        let now = Instant::now();
        self.lock_state()
            .levels
            .iter()
            .filter(|(_, o)| o.expires.is_none_or(|e| e > now))
            .map(|(name, o)| OverrideView {
                name: name.clone(),
                level: o.level,
                remaining: o.expires.map(|e| e.saturating_duration_since(now)),
            })
            .collect()
    }

    /// The level that records of `target` pass at, in the running graph.
    pub(crate) fn effective_level(&self, target: &str) -> log::LevelFilter {
        self.shared.graph.load().decide(target).level
    }
}

/// `name` as overrides key it (`a::b` → `a.b`, `root` → `""`).
pub(crate) fn normal(name: &str) -> String {
    super::overrides::normal(name)
}
