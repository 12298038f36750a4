//! The per-thread buffer a record is formatted into: formatting allocates
//! nothing once the buffer has grown to a line's size. Handlers write lines
//! from it; filters that match on the formatted message use it too.

use std::cell::Cell;

use super::Formatter;
use crate::entry::Entry;
use crate::error::Error;

thread_local! {
    static SCRATCH: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// Runs `f` with an empty per-thread buffer, so formatting a record allocates
/// nothing once the buffer has grown to a line's size. The buffer is taken out
/// of the thread-local while `f` runs, so a nested use (a handler that logs, a
/// formatter inside a filter) simply gets a fresh one.
pub(crate) fn with_scratch<R>(f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    let mut buf = SCRATCH.try_with(Cell::take).unwrap_or_default();
    buf.clear();
    let r = f(&mut buf);
    // Don't keep a huge buffer alive because of one huge record.
    if buf.capacity() <= 64 << 10 {
        let _ = SCRATCH.try_with(|cell| {
            let other = cell.take();
            cell.set(if other.capacity() > buf.capacity() {
                other
            } else {
                buf
            });
        });
    }
    r
}

/// Formats `entry` followed by a newline into the per-thread buffer and passes
/// the bytes to `write`.
pub(crate) fn format_line<R>(
    entry: &Entry<'_>,
    formatter: &dyn Formatter,
    write: impl FnOnce(&[u8]) -> Result<R, Error>,
) -> Result<R, Error> {
    with_scratch(|buf| {
        formatter.format(entry, buf)?;
        buf.push(b'\n');
        write(buf)
    })
}
