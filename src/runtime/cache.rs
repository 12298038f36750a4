//! A per-thread cache of level decisions by target, so a filtered-out call
//! costs a few nanoseconds instead of a trie walk.
//!
//! Each graph gets a process-wide unique epoch when it is built; a slot holds
//! the decision for one target under one epoch, so every swap invalidates all
//! slots at once without touching them. Slots are found by the target's
//! address but matched by its bytes, so a target that is not `'static` (a
//! `String` freed and its memory reused for another) can never be mistaken for
//! another one. Targets longer than a slot's buffer are not cached. Nothing
//! here allocates or locks.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes of a target kept in a slot; longer targets take the uncached path.
const KEPT: usize = 48;
const WORDS: usize = KEPT / 8;
const SLOTS: usize = 64;

static NEXT_EPOCH: AtomicU64 = AtomicU64::new(1);

/// A new, never used epoch (0 is never handed out: it marks an empty slot).
pub(crate) fn next_epoch() -> u64 {
    NEXT_EPOCH.fetch_add(1, Ordering::Relaxed)
}

/// What the graph of one epoch decided for one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decision {
    pub(crate) level: log::LevelFilter,
    pub(crate) logger: u32,
    pub(crate) exact: bool,
}

/// One cached decision. Fields are separate cells so a lookup reads only what
/// it compares; the target's bytes are kept as little-endian words, zero padded.
struct Slot {
    epoch: Cell<u64>,
    /// `len | level << 8 | exact << 16 | logger << 32`.
    meta: Cell<u64>,
    words: [Cell<u64>; WORDS],
}

impl Slot {
    const fn new() -> Slot {
        Slot {
            epoch: Cell::new(0),
            meta: Cell::new(0),
            words: [const { Cell::new(0) }; WORDS],
        }
    }
}

thread_local! {
    static CACHE: [Slot; SLOTS] = const { [const { Slot::new() }; SLOTS] };
}

fn index(target: &str) -> usize {
    let addr = target.as_ptr() as usize;
    ((addr >> 3) ^ (addr >> 11) ^ target.len()) % SLOTS
}

/// The `i`th 8-byte word of `bytes`, zero padded.
#[inline(always)]
fn word(bytes: &[u8], i: usize) -> u64 {
    let start = i * 8;
    match bytes.get(start..start + 8) {
        Some(chunk) => {
            let mut w = [0u8; 8];
            w.copy_from_slice(chunk);
            u64::from_le_bytes(w)
        }
        None => {
            let mut w = 0u64;
            for (k, b) in bytes.get(start..).unwrap_or(&[]).iter().enumerate() {
                w |= u64::from(*b) << (8 * k);
            }
            w
        }
    }
}

fn level_from(bits: u64) -> log::LevelFilter {
    match bits {
        0 => log::LevelFilter::Off,
        1 => log::LevelFilter::Error,
        2 => log::LevelFilter::Warn,
        3 => log::LevelFilter::Info,
        4 => log::LevelFilter::Debug,
        _ => log::LevelFilter::Trace,
    }
}

/// The cached decision for `target` under `epoch`, if there is one.
#[inline]
pub(crate) fn get(epoch: u64, target: &str) -> Option<Decision> {
    let bytes = target.as_bytes();
    if bytes.len() > KEPT {
        return None;
    }
    CACHE
        .try_with(|cache| {
            let slot = &cache[index(target)];
            if slot.epoch.get() != epoch {
                return None;
            }
            let meta = slot.meta.get();
            if (meta & 0xff) as usize != bytes.len() {
                return None;
            }
            let words = bytes.len().div_ceil(8);
            if (0..words).any(|i| slot.words[i].get() != word(bytes, i)) {
                return None;
            }
            Some(Decision {
                level: level_from((meta >> 8) & 0xff),
                exact: (meta >> 16) & 1 == 1,
                logger: (meta >> 32) as u32,
            })
        })
        .ok()
        .flatten()
}

/// Remembers the decision for `target` under `epoch`.
#[inline]
pub(crate) fn put(epoch: u64, target: &str, decision: Decision) {
    let bytes = target.as_bytes();
    if bytes.len() > KEPT {
        return;
    }
    let _ = CACHE.try_with(|cache| {
        let slot = &cache[index(target)];
        for (i, w) in slot.words.iter().enumerate() {
            w.set(word(bytes, i));
        }
        let meta = bytes.len() as u64
            | (decision.level as u64) << 8
            | u64::from(decision.exact) << 16
            | u64::from(decision.logger) << 32;
        slot.meta.set(meta);
        slot.epoch.set(epoch);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_only_same_epoch_and_same_bytes() {
        let d = Decision {
            level: log::LevelFilter::Info,
            logger: 3,
            exact: true,
        };
        let e = next_epoch();
        assert_eq!(get(e, "app::db"), None);
        put(e, "app::db", d);
        assert_eq!(get(e, "app::db"), Some(d));
        assert_eq!(get(e + 1_000_000, "app::db"), None, "another epoch");
        // Same address and length, other bytes: a reused String.
        let mut s = String::from("app::db");
        let target: &str = &s;
        put(e, target, d);
        s.replace_range(0..3, "xyz");
        assert_eq!(get(e, &s), None);
        let long = "a".repeat(KEPT + 1);
        put(e, &long, d);
        assert_eq!(get(e, &long), None, "long targets are not cached");
    }
}
