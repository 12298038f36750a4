//! [`MemoryHandler`]: buffers records and passes them on in bulk.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::HandlerStats;
use super::node::HandlerNode;
use super::owned::OwnedRecord;
use super::worker::lock;
use crate::entry::Entry;
use crate::error::Error;
use crate::formatters::Formatter;
use crate::handlers::Handler;

/// Keeps up to `capacity` records (and `buffer_bytes` of them) and passes
/// them all to its target when the buffer is full, when a record at
/// `flush_level` or above arrives, on `flush` and on `close` (`type: memory`,
/// Python's MemoryHandler): an ERROR reaches the target together with the
/// DEBUG records that led to it.
///
/// The records are owned copies, like a queue's. Passing the buffer on runs on
/// the thread whose record filled it (as in Python) and holds a lock over the
/// target's writes, so that buffers reach the target in order; put a `queue`
/// in front of the target to take that off the logging thread.
///
/// Statistics: `emitted` (records passed to the target), `queued` and
/// `queued_bytes` (records in the buffer).
///
/// # Examples
///
/// ```
/// use logfig::{Builder, CaptureHandler, Config, Format};
///
/// let capture = CaptureHandler::new();
/// let c = capture.clone();
/// let yaml = "version: 1\nhandlers:\n  out: { type: custom, factory: capture }\n  m: { type: memory, target: out, capacity: 100 }\nroot: { level: DEBUG, handlers: [m] }\n";
/// let dispatcher = Builder::new()
///     .handler_factory("capture", move |_| Ok(Box::new(c.clone())))
///     .build(&Config::from_str(yaml, Format::Yaml)?)?;
/// log::set_max_level(log::LevelFilter::Trace);
/// log::debug!(logger: dispatcher, "connecting");
/// assert!(capture.lines().is_empty());
/// log::error!(logger: dispatcher, "connection refused");
/// assert_eq!(capture.lines(), ["connecting", "connection refused"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct MemoryHandler {
    target: Arc<HandlerNode>,
    capacity: usize,
    max_bytes: usize,
    flush_level: log::LevelFilter,
    buffer: Mutex<Buffer>,
    /// Held while a taken buffer is written, so buffers keep their order.
    writing: Mutex<()>,
    emitted: AtomicU64,
}

/// The records kept, and about the bytes they hold.
#[derive(Debug, Default)]
struct Buffer {
    records: Vec<OwnedRecord>,
    bytes: usize,
}

impl MemoryHandler {
    pub(crate) fn new(
        target: Arc<HandlerNode>,
        capacity: usize,
        max_bytes: usize,
        flush_level: log::LevelFilter,
    ) -> Self {
        MemoryHandler {
            target,
            capacity: capacity.max(1),
            max_bytes,
            flush_level,
            buffer: Mutex::new(Buffer::default()),
            writing: Mutex::new(()),
            emitted: AtomicU64::new(0),
        }
    }

    /// Passes the buffered records to the target.
    fn pass_on(&self) -> Result<(), Error> {
        let _order = lock(&self.writing);
        let batch = std::mem::take(&mut *lock(&self.buffer)).records;
        let mut result = Ok(());
        for r in &batch {
            if let Err(e) = r.with_entry(|e| self.target.emit_quietly(e)) {
                result = Err(e);
            }
        }
        self.emitted
            .fetch_add(batch.len() as u64, Ordering::Relaxed);
        result
    }
}

impl Handler for MemoryHandler {
    fn emit(&self, entry: &Entry<'_>, _formatter: &dyn Formatter) -> Result<(), Error> {
        let record = OwnedRecord::capture(entry);
        let severe = record.level <= self.flush_level;
        let full = {
            let mut buffer = lock(&self.buffer);
            buffer.bytes += record.owned_weight();
            buffer.records.push(record);
            buffer.records.len() >= self.capacity || buffer.bytes >= self.max_bytes
        };
        if full || severe {
            self.pass_on()
        } else {
            Ok(())
        }
    }

    /// Passes the buffered records to the target, as Python's
    /// `MemoryHandler.flush`, and flushes the target.
    fn flush(&self) -> Result<(), Error> {
        self.pass_on()?;
        self.target.flush_quietly()
    }

    fn stats(&self) -> HandlerStats {
        let buffer = lock(&self.buffer);
        HandlerStats {
            emitted: self.emitted.load(Ordering::Relaxed),
            queued: buffer.records.len() as u64,
            queued_bytes: buffer.bytes as u64,
            ..HandlerStats::default()
        }
    }
}
