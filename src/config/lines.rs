//! Line and column of a byte offset in a config's text, in constant time.
//!
//! Found by scanning from the start, a position costs the length of the text:
//! a loader that asks for every value's position becomes quadratic (a 500,000
//! value JSON file took 28 s). The index is built once per text, in one pass,
//! and answers each question from a checkpoint every [`BLOCK`] bytes plus at
//! most one block of scanning.

/// Bytes between checkpoints: memory is two `u32` per block (an eighth of the
/// text's size); a lookup scans at most this many bytes.
const BLOCK: usize = 64;

/// Checkpoints of a text: how many lines and characters precede each block.
#[derive(Debug, Clone, Default)]
pub(crate) struct LineIndex {
    /// `newlines[k]`: the `\n` bytes in `text[..k * BLOCK]`.
    newlines: Vec<u32>,
    /// `chars[k]`: the UTF-8 characters in `text[..k * BLOCK]`.
    chars: Vec<u32>,
}

impl LineIndex {
    /// Indexes `text`, which must stay the text asked about. Offsets past
    /// `u32::MAX` are clamped: the loaders refuse texts that long long before.
    pub(crate) fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let blocks = bytes.len() / BLOCK + 1;
        let mut newlines = Vec::with_capacity(blocks);
        let mut chars = Vec::with_capacity(blocks);
        let (mut n, mut c) = (0u32, 0u32);
        newlines.push(0);
        chars.push(0);
        for block in bytes.chunks(BLOCK) {
            n = n.saturating_add(count_newlines(block));
            c = c.saturating_add(count_chars(block));
            newlines.push(n);
            chars.push(c);
        }
        LineIndex { newlines, chars }
    }

    /// The 1-based line and column (in characters) of byte `offset` of `text`.
    // reason: only the TOML loader maps byte offsets, and `toml` is not a default feature
    #[cfg_attr(not(feature = "toml"), allow(dead_code))]
    pub(crate) fn position(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let line = self.line_of(text, offset);
        let start = self.line_start(text, line).unwrap_or(0);
        let column = self.chars_before(text, offset) - self.chars_before(text, start) + 1;
        (line, column)
    }

    /// The text of 1-based `line`, without its line ending.
    pub(crate) fn line_text<'t>(&self, text: &'t str, line: u32) -> Option<&'t str> {
        let start = self.line_start(text, line)?;
        // The next line's start, found through the index too: searching for
        // the newline costs the line's length, and a minified JSON config is
        // one line with every diagnostic on it.
        let end = line
            .checked_add(1)
            .and_then(|next| self.line_start(text, next))
            .map_or(text.len(), |next| next - 1);
        Some(text.get(start..end)?.trim_end_matches('\r'))
    }

    fn line_of(&self, text: &str, offset: usize) -> u32 {
        let k = offset / BLOCK;
        let before = self.newlines.get(k).copied().unwrap_or(0);
        let tail = text.as_bytes().get(k * BLOCK..offset).unwrap_or(&[]);
        before
            .saturating_add(count_newlines(tail))
            .saturating_add(1)
    }

    /// The byte offset where 1-based `line` starts.
    fn line_start(&self, text: &str, line: u32) -> Option<usize> {
        let wanted = line.checked_sub(1)?;
        if wanted == 0 {
            return Some(0);
        }
        // The block holding the `wanted`-th newline: the last checkpoint
        // with fewer newlines before it.
        let k = self
            .newlines
            .partition_point(|&n| n < wanted)
            .checked_sub(1)?;
        let mut seen = self.newlines[k];
        let block = text.as_bytes().get(k * BLOCK..)?;
        for (i, &b) in block.iter().take(BLOCK).enumerate() {
            if b == b'\n' {
                seen += 1;
                if seen == wanted {
                    return Some(k * BLOCK + i + 1);
                }
            }
        }
        None
    }

    fn chars_before(&self, text: &str, offset: usize) -> u32 {
        let k = offset / BLOCK;
        let before = self.chars.get(k).copied().unwrap_or(0);
        let tail = text.as_bytes().get(k * BLOCK..offset).unwrap_or(&[]);
        before.saturating_add(count_chars(tail))
    }
}

fn count_newlines(bytes: &[u8]) -> u32 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u32
}

/// UTF-8 characters: every byte that does not continue a character.
fn count_chars(bytes: &[u8]) -> u32 {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scan the index replaces.
    fn scanned(text: &str, offset: usize) -> (u32, u32) {
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        (line as u32, before[start..].chars().count() as u32 + 1)
    }

    #[test]
    fn agrees_with_scanning_at_every_offset() {
        let mut text = String::new();
        for i in 0..300 {
            text.push_str(&"é".repeat(i % 7));
            text.push_str(&"x".repeat(i * 13 % 150));
            if i % 5 != 0 {
                text.push('\n');
            }
            if i % 11 == 0 {
                text.push_str("\r\n\n");
            }
        }
        let index = LineIndex::new(&text);
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            assert_eq!(
                index.position(&text, offset),
                scanned(&text, offset),
                "{offset}"
            );
        }
        let lines: Vec<&str> = text.split('\n').collect();
        for (i, l) in lines.iter().enumerate() {
            assert_eq!(
                index.line_text(&text, i as u32 + 1),
                Some(l.trim_end_matches('\r')),
                "line {}",
                i + 1
            );
        }
        assert_eq!(index.line_text(&text, lines.len() as u32 + 1), None);
        assert_eq!(index.line_text(&text, 0), None);
    }

    #[test]
    fn empty_and_one_line() {
        assert_eq!(LineIndex::new("").position("", 0), (1, 1));
        assert_eq!(LineIndex::new("").line_text("", 1), Some(""));
        let t = "abc";
        assert_eq!(LineIndex::new(t).position(t, 3), (1, 4));
    }
}
