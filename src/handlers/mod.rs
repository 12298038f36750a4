//! Handlers: where records go.
//!
//! A handler writes one record to one destination. The runtime has already
//! applied the handler's level and filters, and hands it the formatter to use,
//! so the same handler instance survives a reload that changes only its level,
//! filters or format: its file stays open.

#[cfg(any(feature = "http", feature = "otlp"))]
mod agent;
mod archive;
mod capture;
mod clock;
mod console;
mod delayed;
mod file;
#[cfg(feature = "http")]
mod http;
#[cfg(all(target_os = "linux", feature = "journald"))]
mod journald;
mod memory;
mod net;
pub(crate) mod node;
mod open;
#[cfg(feature = "otlp")]
mod otlp;
mod owned;
#[cfg(any(feature = "http", feature = "otlp"))]
mod post;
mod queue;
mod relp;
mod rotating;
#[cfg(feature = "smtp")]
mod smtp;
mod syslog;
#[cfg(feature = "tls")]
mod tls;
mod watched;
pub(crate) mod worker;

use std::fmt;

use crate::entry::Entry;
use crate::error::Error;
use crate::formatters::Formatter;

pub use archive::ArchivePattern;
pub use capture::CaptureHandler;
pub use clock::{Clock, SystemClock};
pub use console::ConsoleHandler;
pub(crate) use delayed::Delayed;
pub use file::FileHandler;
#[cfg(feature = "http")]
pub use http::HttpHandler;
#[cfg(all(target_os = "linux", feature = "journald"))]
pub use journald::JournaldHandler;
pub use memory::MemoryHandler;
pub use net::{TcpHandler, UdpHandler};
#[cfg(feature = "otlp")]
pub use otlp::OtlpHandler;
pub use queue::QueueHandler;
pub use rotating::RotatingFileHandler;
#[cfg(feature = "smtp")]
pub use smtp::SmtpHandler;
#[cfg(feature = "smtp")]
pub(crate) use smtp::subject_formatter;
pub use syslog::SyslogHandler;
pub use watched::WatchedFileHandler;

/// Writes records to one destination: a stream, a file, a socket, a queue.
///
/// # For implementors
///
/// `emit` is called from many threads at once: use interior mutability, and do
/// not hold a lock over slow I/O when you can avoid it. The runtime has already
/// applied this handler's level and filters; render the record with the
/// `formatter` it passes (it is configured per handler and may change on reload
/// while the handler instance stays).
///
/// Every error `emit` returns (and every panic) counts one record in the
/// `failed` figure of [`Dispatcher::stats`](crate::Dispatcher::stats), on top
/// of the handler's own [`stats`](Handler::stats); return an error only for
/// a record that was not delivered.
///
/// # Examples
///
/// ```
/// use std::sync::Mutex;
/// use logfig::{Entry, Error, Formatter, Handler};
///
/// #[derive(Debug, Default)]
/// struct Lines(Mutex<Vec<String>>);
///
/// impl Handler for Lines {
///     fn emit(&self, entry: &Entry<'_>, formatter: &dyn Formatter) -> Result<(), Error> {
///         let mut buf = Vec::new();
///         formatter.format(entry, &mut buf)?;
///         self.0.lock().map_err(|_| Error::other("poisoned"))?.push(String::from_utf8_lossy(&buf).into_owned());
///         Ok(())
///     }
/// }
///
/// let handler = Lines::default();
/// let record = log::Record::builder().args(format_args!("hi")).build();
/// handler.emit(&Entry::new(&record), &logfig::PatternFormatter::message_only())?;
/// assert_eq!(handler.0.lock().unwrap()[0], "hi");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Handler: fmt::Debug + Send + Sync + 'static {
    /// Emits one record, rendered by `formatter`.
    fn emit(&self, entry: &Entry<'_>, formatter: &dyn Formatter) -> Result<(), Error>;

    /// Writes out buffered records. Called by `Log::flush`, `Handle::flush`, and
    /// before the handler is retired.
    fn flush(&self) -> Result<(), Error> {
        Ok(())
    }

    /// Reopens the destination: a file at its configured path, after an
    /// external tool (logrotate) renamed or removed it. Called by
    /// `Handle::reopen` and, with `reload.on_sighup`, on SIGHUP.
    fn reopen(&self) -> Result<(), Error> {
        Ok(())
    }

    /// Releases threads, files and sockets. Called once, after the graph that
    /// used the handler was swapped out and the logging threads that were
    /// inside it left it, off the logging threads (after `flush`). A record may
    /// still arrive from a thread that was stuck in the graph past the bounded
    /// wait of a shutdown: accept or drop it, never panic.
    fn close(&self) -> Result<(), Error> {
        self.flush()
    }

    /// Counters of this handler, for `Handle::stats`. The default is all zeros,
    /// for handlers that count nothing.
    fn stats(&self) -> HandlerStats {
        HandlerStats::default()
    }
}

/// Counters of one handler since it was built (a handler kept across reloads
/// keeps counting), as returned by `Handle::stats` and `Dispatcher::stats`.
///
/// Which counters a kind fills in is documented with the kind; others stay 0.
///
/// # Examples
///
/// ```
/// let mut stats = logfig::HandlerStats::default();
/// stats.emitted = 10;
/// assert_eq!((stats.emitted, stats.dropped), (10, 0));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HandlerStats {
    /// Records written to the destination.
    pub emitted: u64,
    /// Records discarded on purpose: a full queue's overflow policy.
    pub dropped: u64,
    /// Records the handler tried to deliver and could not: a write that failed
    /// (a full disk, a closed pipe), a peer that refused them, a send that gave
    /// up after its retries. Every record a handler accepted ends up in exactly
    /// one of `emitted`, `dropped`, `failed` or (for now) `queued`.
    pub failed: u64,
    /// Attempts repeated after a failure (outputs that retry, such as network
    /// handlers).
    pub retried: u64,
    /// Records waiting to be written at the moment of the call.
    pub queued: u64,
    /// Bytes the queued records hold at the moment of the call (outputs
    /// with a background thread, bounded by their `buffer_bytes`).
    pub queued_bytes: u64,
    /// Records longer than the destination takes, so cut or split (UDP
    /// datagrams, syslog messages); they are counted in `emitted` too.
    pub oversized: u64,
}

impl<T: Handler> From<T> for Box<dyn Handler> {
    fn from(h: T) -> Self {
        Box::new(h)
    }
}

/// Discards every record (`type: null`, Python's NullHandler).
///
/// # Examples
///
/// ```
/// use logfig::{Entry, Handler, PatternFormatter};
/// use logfig::__internal::NullHandler;
///
/// let record = log::Record::builder().args(format_args!("gone")).build();
/// NullHandler.emit(&Entry::new(&record), &PatternFormatter::message_only())?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct NullHandler;

impl Handler for NullHandler {
    fn emit(&self, _entry: &Entry<'_>, _formatter: &dyn Formatter) -> Result<(), Error> {
        Ok(())
    }
}
