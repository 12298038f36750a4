//! Per-callsite level decisions for logfig's own macros (`logfig::info!` and
//! friends, in `src/macros.rs`).
//!
//! `log` gives a backend no callsite identity, so a filtered-out call through
//! `log`'s macros has to find its decision by target in the per-thread cache
//! (`cache.rs`). logfig's macros put a `static` [`Callsite`] at every call
//! site instead: one atomic word holding the epoch of the graph the decision
//! came from and the level that graph lets through for the call's target.
//!
//! [`INSTALLED_EPOCH`] mirrors the epoch of the graph of the dispatcher that is
//! installed as the global `log` backend, stored after the new graph is visible.
//! A callsite whose epoch equals it holds a decision of the running graph
//! (graphs are immutable and epochs are never reused, so the tag cannot lie);
//! any other callsite asks the installed dispatcher again, on a cold path.
//! Every change of levels (a reload, `set_level`, `clear_level`, an expiring
//! override, `shutdown`) swaps in a new graph, so it invalidates every
//! callsite at once without touching them.
//!
//! While logfig is not the installed logger, `INSTALLED_EPOCH` is 0 and a new
//! callsite's word says "epoch 0, every level": the macros then forward every
//! call that passes `log::max_level()`, exactly as `log`'s own macros do.
//! Nothing here allocates, locks or panics.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use super::Dispatcher;

/// The epoch of the installed dispatcher's running graph; 0 while logfig is not
/// the global `log` backend (0 is never a graph's epoch).
static INSTALLED_EPOCH: AtomicU64 = AtomicU64::new(0);

/// The dispatcher installed as the global `log` backend, if it is logfig's.
static INSTALLED: OnceLock<Dispatcher> = OnceLock::new();

/// Bits of a callsite's word that hold the level; the epoch is above them.
const LEVEL_BITS: u32 = 3;
const LEVEL_MASK: u64 = (1 << LEVEL_BITS) - 1;

/// Records `dispatcher` as the installed global backend. Called once, by
/// `install`, after `log::set_boxed_logger` succeeded, with the state lock held
/// so that no swap runs between this and the first [`publish`].
pub(crate) fn install(dispatcher: &Dispatcher) {
    let _ = INSTALLED.set(dispatcher.clone());
}

/// Makes `epoch` the installed dispatcher's current epoch. Called after every
/// swap of the installed dispatcher's graph, once the new graph is visible,
/// with the state lock held (swaps are serialised, and their epochs increase).
pub(crate) fn publish(epoch: u64) {
    INSTALLED_EPOCH.store(epoch, Ordering::Release);
}

/// The cached level decision of one call site of logfig's macros.
///
/// Not part of the API: the macros declare one `static` per call site.
#[doc(hidden)]
#[derive(Debug)]
pub struct Callsite {
    /// `epoch << LEVEL_BITS | level filter`. The initial value, epoch 0 with
    /// every level enabled, is what a callsite means while logfig is not
    /// installed.
    state: AtomicU64,
}

impl Callsite {
    /// A callsite with no decision yet.
    #[allow(clippy::new_without_default)] // reason: only used in `static` items, where `const fn new` is what is needed
    pub const fn new() -> Callsite {
        Callsite {
            state: AtomicU64::new(log::LevelFilter::Trace as u64),
        }
    }

    /// Whether a call at `level` to `target` from this call site is to be
    /// forwarded to `log`: `log`'s own checks (`STATIC_MAX_LEVEL`,
    /// `max_level()`), then the callsite's decision if it is of the running
    /// graph, else a fresh one. `target` must be the same at every call of this
    /// callsite.
    #[inline(always)]
    pub fn enabled(&'static self, level: log::Level, target: &'static str) -> bool {
        if level > log::STATIC_MAX_LEVEL || level > log::max_level() {
            return false;
        }
        // Relaxed is enough: a graph's epoch and its decisions never change,
        // so a tag that matches is right whatever else this thread sees; and a
        // swap that happened before this call (on this thread, or on one this
        // thread synchronised with) is seen by coherence.
        let epoch = INSTALLED_EPOCH.load(Ordering::Relaxed);
        let state = self.state.load(Ordering::Relaxed);
        if state >> LEVEL_BITS == epoch {
            return level as u64 <= state & LEVEL_MASK;
        }
        self.refresh(level, target)
    }

    /// Asks the installed dispatcher's running graph and keeps its answer,
    /// tagged with that graph's epoch.
    #[cold]
    #[inline(never)]
    fn refresh(&'static self, level: log::Level, target: &'static str) -> bool {
        let Some(dispatcher) = INSTALLED.get() else {
            // Unreachable while `INSTALLED_EPOCH` is set only after
            // `INSTALLED`; forwarding is what `log`'s macros would do.
            return true;
        };
        let graph = dispatcher.graph();
        let decision = graph.decide(target);
        self.state.store(
            graph.epoch << LEVEL_BITS | decision.level as u64,
            Ordering::Relaxed,
        );
        level <= decision.level
    }
}
