//! Inputs from inputs: a small random generator and a structure-aware
//! mutator (byte edits, a dictionary of each target's tokens, repetition of
//! a slice, splicing from other seeds, interesting numbers).

/// xorshift64*: fast, seedable, and the same sequence everywhere.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        // Zero is xorshift's one fixed point.
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub(crate) fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Numbers that have found bugs in parsers before: limits of widths and
/// precisions, of integer types, of `core::fmt`.
const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "32",
    "33",
    "64",
    "255",
    "256",
    "999",
    "65535",
    "65536",
    "70000",
    "2147483648",
    "4294967296",
    "9223372036854775808",
    "18446744073709551616",
    "1000000000000",
    "99999999999999999999999999",
    "1e308",
    "1e999",
    "-0",
    "0x7f",
    "1_000",
];

/// Bytes that end, start or break things.
const BYTES: &[u8] = b"\0\t\n\r \"#$%'()*,-./0123456789:;<=>?@[\\]^_`{|}~\x7f";

/// Applies one to four mutations to `input`; `dictionary` holds the target's
/// tokens, `others` the seeds to splice from. The result is at most `max`
/// bytes.
pub(crate) fn mutate(
    rng: &mut Rng,
    input: &[u8],
    dictionary: &[&str],
    others: &[Vec<u8>],
    max: usize,
) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(10) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] = if rng.chance(2) {
                    *rng.pick(BYTES)
                } else {
                    rng.next() as u8
                };
            }
            1 | 2 => {
                let token = rng.pick(dictionary).as_bytes();
                out.splice(at..at, token.iter().copied());
            }
            3 if !out.is_empty() => {
                let len = 1 + rng.below(16.min(out.len()));
                let start = rng.below(out.len() - len + 1);
                out.drain(start..start + len);
            }
            4 if !out.is_empty() => {
                // Repeat a short slice many times: nesting, long lists, long
                // keys, the shapes of resource bombs.
                let len = 1 + rng.below(8.min(out.len()));
                let start = rng.below(out.len() - len + 1);
                let most = if rng.chance(4) { 2000 } else { 40 };
                let times = 1 + rng.below(most);
                let slice = out[start..start + len].to_vec();
                let copies = slice.iter().copied().cycle().take(len * times);
                out.splice(start..start, copies.collect::<Vec<_>>());
            }
            5 if !others.is_empty() => {
                let other = rng.pick(others);
                if !other.is_empty() {
                    let len = 1 + rng.below(64.min(other.len()));
                    let start = rng.below(other.len() - len + 1);
                    out.splice(at..at, other[start..start + len].iter().copied());
                }
            }
            6 => {
                // Replace a run of digits (or insert) with an interesting number.
                let number = rng.pick(NUMBERS).as_bytes();
                let end = out[at..]
                    .iter()
                    .position(|b| !b.is_ascii_digit())
                    .map_or(out.len(), |n| at + n);
                out.splice(at..end, number.iter().copied());
            }
            7 if !out.is_empty() => {
                // Duplicate a line (or a run of bytes) next to itself.
                let start = out[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                let end = out[at..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(out.len(), |n| at + n + 1);
                let line = out[start..end].to_vec();
                out.splice(end..end, line);
            }
            8 => {
                let token = rng.pick(dictionary).as_bytes();
                let end = (at + token.len()).min(out.len());
                out.splice(at..end, token.iter().copied());
            }
            _ => {
                out.insert(at, *rng.pick(BYTES));
            }
        }
        out.truncate(max);
    }
    out
}
