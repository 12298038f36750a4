//! The worker of every output with a thread: its backlog bounds, overflow
//! policy and close timeout.

use std::time::Duration;

use crate::config::Size;

/// What a queue does with a record when it is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Overflow {
    /// Wait for room: nothing is lost (the default).
    #[default]
    Block,
    /// Drop the record that does not fit.
    DropNewest,
    /// Drop the oldest waiting record to make room.
    DropOldest,
}

/// The bounds of every output that owns a background thread (`queue`, `tcp`,
/// `udp`, `syslog`, `http`, `smtp`): how long logfig waits for it on the
/// shutdown path, and how many bytes of records it may hold.
///
/// # Examples
///
/// ```
/// use logfig::config::HandlerConfig;
///
/// let config = logfig::Config::from_str(
///     "version: 1\nhandlers:\n  net: { type: tcp, host: 127.0.0.1, port: 5170, close_timeout: 2s, buffer_bytes: 16MiB }\nroot: { handlers: [net] }\n",
///     logfig::Format::Yaml,
/// )?;
/// let HandlerConfig::Tcp(net) = &config.handlers["net"] else { unreachable!() };
/// assert_eq!(net.worker.close_timeout, std::time::Duration::from_secs(2));
/// assert_eq!(net.worker.buffer_bytes.bytes(), 16 << 20);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct WorkerConfig {
    /// Longest wait for this output on the shutdown path: a flush
    /// (`Handle::flush`, dropping the `Handle`), a close (reload, shutdown),
    /// and a logging thread blocked on a full `queue` with `overflow: block`.
    /// Past it, a flush returns an error (the records stay queued), a close
    /// counts what could not be written as `failed`, a blocked record is
    /// dropped; each is reported through the error hook. At most 1h.
    /// Default: 5s.
    #[cfg_attr(
        feature = "serde",
        serde(
            default = "default_close_timeout",
            with = "crate::config::duration_text"
        )
    )]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub close_timeout: Duration,
    /// Most bytes of records held (waiting, and being written), beside the
    /// record count (`capacity` or `buffer`); the overflow policy applies at
    /// whichever bound is hit first. A single record larger than this is
    /// still taken when nothing else is held. Default: 64MiB.
    #[cfg_attr(feature = "serde", serde(default = "default_buffer_bytes"))]
    pub buffer_bytes: Size,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            close_timeout: default_close_timeout(),
            buffer_bytes: default_buffer_bytes(),
        }
    }
}

fn default_close_timeout() -> Duration {
    Duration::from_secs(5)
}

fn default_buffer_bytes() -> Size {
    Size(64 << 20)
}
