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

use crate::graph::Decision;

/// Bytes of a target kept in a slot; longer targets take the uncached path.
const KEPT: usize = 48;
const WORDS: usize = KEPT / 8;
const SLOTS: usize = 64;

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

/// Reads 8 bytes at `at` (the caller guarantees `at + 8 <= len`).
#[inline(always)]
fn load8(bytes: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(w)
}

/// The `i`th of the `words(len)` words that identify `bytes` together with its
/// length: 8-byte chunks, the last one read overlapping so that no partial
/// word needs a byte loop; targets up to 8 bytes fold into one word from
/// overlapping 4-byte (or single-byte) reads. Equal bytes give equal words;
/// with the length compared too, equal words mean equal bytes.
#[inline(always)]
fn word(bytes: &[u8], i: usize) -> u64 {
    let len = bytes.len();
    if len >= 8 {
        let at = if (i + 1) * 8 >= len { len - 8 } else { i * 8 };
        return load8(bytes, at);
    }
    if len >= 4 {
        let mut a = [0u8; 4];
        let mut b = [0u8; 4];
        a.copy_from_slice(&bytes[..4]);
        b.copy_from_slice(&bytes[len - 4..]);
        return u64::from(u32::from_le_bytes(a)) | u64::from(u32::from_le_bytes(b)) << 32;
    }
    match len {
        0 => 0,
        _ => u64::from(bytes[0]) | u64::from(bytes[len / 2]) << 8 | u64::from(bytes[len - 1]) << 16,
    }
}

fn words(len: usize) -> usize {
    len.div_ceil(8).max(1)
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
            if (0..words(bytes.len())).any(|i| slot.words[i].get() != word(bytes, i)) {
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
        for (i, w) in slot.words.iter().enumerate().take(words(bytes.len())) {
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
    use crate::graph::next_epoch;

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
        // Every length, a difference at every position, at the same address
        // (so the same slot is consulted and the bytes decide).
        for len in 0..=KEPT {
            let mut a: String = (0..len)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            put(e, &a, d);
            assert_eq!(get(e, &a), Some(d), "len {len}");
            for k in 0..len {
                a.get_mut(k..k + 1).unwrap().make_ascii_uppercase();
                assert_eq!(get(e, &a), None, "len {len}, byte {k} differs");
                a.get_mut(k..k + 1).unwrap().make_ascii_lowercase();
            }
            assert_eq!(get(e, &a), Some(d), "len {len}, restored");
        }
        let long = "a".repeat(KEPT + 1);
        put(e, &long, d);
        assert_eq!(get(e, &long), None, "long targets are not cached");
    }
}
