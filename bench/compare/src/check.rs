//! The line check after each run: every id `0..n` exactly once.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;

#[derive(Debug, Default)]
pub struct Check {
    pub bytes: u64,
    /// Lines with an `id=`.
    pub lines: u64,
    /// Distinct ids in `0..n`.
    pub unique: u64,
    pub duplicates: u64,
    pub out_of_range: u64,
    /// Lines without an `id=` (a peer's own notices).
    pub other: u64,
    pub first_line: Option<String>,
}

impl Check {
    pub fn missing(&self, n: u64) -> u64 {
        n.saturating_sub(self.unique)
    }

    /// Every id exactly once, nothing else.
    pub fn exact(&self, n: u64) -> bool {
        self.unique == n && self.duplicates == 0 && self.out_of_range == 0
    }
}

/// Reads every file and counts the ids of `0..n` it finds.
pub fn check(files: &[PathBuf], n: u64) -> std::io::Result<Check> {
    let mut seen = vec![0u64; usize::try_from(n.div_ceil(64)).unwrap_or(usize::MAX)];
    let mut c = Check::default();
    let mut line = Vec::with_capacity(256);
    for path in files {
        let mut reader = BufReader::with_capacity(1 << 20, File::open(path)?);
        loop {
            line.clear();
            let read = reader.read_until(b'\n', &mut line)?;
            if read == 0 {
                break;
            }
            c.bytes += read as u64;
            if c.first_line.is_none() {
                c.first_line = Some(String::from_utf8_lossy(&line).trim_end().to_string());
            }
            let Some(id) = id_of(&line) else {
                c.other += 1;
                continue;
            };
            c.lines += 1;
            if id >= n {
                c.out_of_range += 1;
                continue;
            }
            let (word, bit) = ((id / 64) as usize, id % 64);
            if seen[word] & (1 << bit) != 0 {
                c.duplicates += 1;
            } else {
                seen[word] |= 1 << bit;
                c.unique += 1;
            }
        }
    }
    Ok(c)
}

/// The number after `id=` (the message is `request handled id=N latency_us=M`).
fn id_of(line: &[u8]) -> Option<u64> {
    let at = line.windows(4).position(|w| w == b" id=")? + 4;
    let digits = line[at..].iter().take_while(|b| b.is_ascii_digit());
    let mut id: u64 = 0;
    let mut any = false;
    for d in digits {
        id = id.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
        any = true;
    }
    any.then_some(id)
}

/// The total size of the files (a disabled run must write nothing).
pub fn total_bytes(files: &[PathBuf]) -> u64 {
    files
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::id_of;

    #[test]
    fn ids() {
        assert_eq!(
            id_of(
                b"2026-11-27T10:15:34.630050Z  INFO bench: request handled id=17 latency_us=17\n"
            ),
            Some(17)
        );
        assert_eq!(id_of(b"x id= y"), None);
    }
}
