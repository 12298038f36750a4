//! Random printable text with a few newlines, the same every run: what a
//! careless edit or a wrong file might put where a config belongs. Shared by
//! `benches/load.rs` and the integration tests.

/// `len` bytes of printable ASCII and newlines from a fixed seed.
pub(crate) fn garbage(len: usize) -> String {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            match x % 97 {
                0..=2 => '\n',
                n => char::from(b' ' + (n % 95) as u8),
            }
        })
        .collect()
}
