//! The handlers that keep records for another: `queue` and `memory`.

use super::{CommonHandlerConfig, Overflow, WorkerConfig};
use crate::config::{Level, Size};

/// `type: queue`: the logging thread copies the record into a bounded queue and
/// returns; one background thread writes the records to `handlers`.
///
/// # Examples
///
/// ```
/// use logfig::config::{HandlerConfig, Overflow};
///
/// let config = logfig::Config::from_str(
///     "version: 1\nhandlers:\n  f: { type: file, path: app.log }\n  q: { type: queue, handlers: [f], overflow: drop_oldest, drop_below: WARNING }\nroot: { handlers: [q] }\n",
///     logfig::Format::Yaml,
/// )?;
/// let HandlerConfig::Queue(q) = &config.handlers["q"] else { unreachable!() };
/// assert_eq!(q.capacity, 10_000);
/// assert_eq!(q.overflow, Overflow::DropOldest);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct QueueHandlerConfig {
    /// Names of the handlers the background thread writes to; their own level,
    /// filters and formatter apply.
    pub handlers: Vec<String>,
    /// Most records waiting in the queue (a count; see `buffer_bytes` for
    /// bytes). Default: 10000.
    #[cfg_attr(feature = "serde", serde(default = "default_queue_capacity"))]
    pub capacity: u32,
    /// `block` (wait for room), `drop_newest` or `drop_oldest`, when the queue
    /// is full. Default: `block`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub overflow: Overflow,
    /// Records at or above this level are never dropped: they wait for room
    /// whatever `overflow` says. Default: none (every record may be dropped).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub drop_below: Option<Level>,
    /// `close_timeout` and `buffer_bytes`: the bounds of the background thread.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub worker: WorkerConfig,
    /// Level and filters (checked before queueing); the formatter is unused:
    /// the target handlers format.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub common: CommonHandlerConfig,
}

impl QueueHandlerConfig {
    /// A blocking queue of the default capacity in front of `handlers`.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = logfig::config::QueueHandlerConfig::new(["file"]);
    /// assert_eq!(q.capacity, 10_000);
    /// ```
    pub fn new<S: Into<String>>(handlers: impl IntoIterator<Item = S>) -> Self {
        QueueHandlerConfig {
            handlers: handlers.into_iter().map(Into::into).collect(),
            capacity: default_queue_capacity(),
            overflow: Overflow::Block,
            drop_below: None,
            worker: WorkerConfig::default(),
            common: CommonHandlerConfig::default(),
        }
    }
}

fn default_queue_capacity() -> u32 {
    10_000
}

/// `type: memory`: keeps up to `capacity` records and passes them all to
/// `target` when the buffer is full, when a record at `flush_level` or above
/// arrives, on flush and on close — so an ERROR comes with the DEBUG records
/// that led to it.
///
/// # Examples
///
/// ```
/// let m = logfig::config::MemoryHandlerConfig::new("file");
/// assert_eq!(m.flush_level, logfig::config::Level::Error);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct MemoryHandlerConfig {
    /// Name of the handler that receives the buffered records; its own level,
    /// filters and formatter apply.
    pub target: String,
    /// Most records kept before they are passed on. Default: 1000.
    #[cfg_attr(feature = "serde", serde(default = "default_memory_capacity"))]
    pub capacity: u32,
    /// A record at or above this level passes the buffer on at once. Default: ERROR.
    #[cfg_attr(feature = "serde", serde(default = "default_memory_flush_level"))]
    pub flush_level: Level,
    /// Most bytes of records kept, beside `capacity`: the buffer is passed on
    /// at whichever bound is hit first, so large records cannot make it hold
    /// gigabytes. Default: 64MiB.
    #[cfg_attr(feature = "serde", serde(default = "default_memory_buffer_bytes"))]
    pub buffer_bytes: Size,
    /// Level and filters (checked before buffering); the formatter is unused:
    /// the target formats.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub common: CommonHandlerConfig,
}

impl MemoryHandlerConfig {
    /// A buffer of the default capacity in front of `target`.
    pub fn new(target: impl Into<String>) -> Self {
        MemoryHandlerConfig {
            target: target.into(),
            capacity: default_memory_capacity(),
            flush_level: default_memory_flush_level(),
            buffer_bytes: default_memory_buffer_bytes(),
            common: CommonHandlerConfig::default(),
        }
    }
}

fn default_memory_capacity() -> u32 {
    1000
}

fn default_memory_flush_level() -> Level {
    Level::Error
}

/// The same default as the byte bound of the outputs with a thread.
fn default_memory_buffer_bytes() -> Size {
    WorkerConfig::default().buffer_bytes
}
