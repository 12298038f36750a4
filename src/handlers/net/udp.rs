//! The `udp` handler.

use super::link::Dest;
use super::pipe::{Pipe, PipeOptions, pipe_handler, rendered, start_pipe};
use crate::config::{ConnectionConfig, UdpHandlerConfig};
use crate::entry::Entry;
use crate::error::Error;
use crate::formatters::Formatter;
use crate::handlers::Handler;
use crate::handlers::HandlerStats;

/// Sends each record as one UDP datagram (`type: udp`), rendered by the
/// handler's formatter, without a terminator.
///
/// A newline, carriage return or NUL in the rendered record is escaped
/// (`\n`, `\r`, `\x00`): many UDP log receivers split a datagram into
/// records at newlines, and record text must not forge records there.
///
/// The logging thread only renders and queues the record; a background thread
/// sends. A record longer than `max_datagram` is truncated (at a UTF-8
/// character boundary) or split into several datagrams, and counted in the
/// `oversized` statistic. UDP has no delivery report: a record counts as
/// `emitted` once the datagram left the socket; a datagram lost on the
/// network or dropped by a busy receiver is not seen here.
///
/// # Examples
///
/// ```
/// use logfig::{Config, Dispatcher, Format};
///
/// let server = std::net::UdpSocket::bind("127.0.0.1:0")?;
/// let port = server.local_addr()?.port();
/// let text = format!(
///     "version: 1\nhandlers:\n  net: {{ type: udp, host: 127.0.0.1, port: {port} }}\nroot: {{ level: INFO, handlers: [net] }}\n"
/// );
/// let dispatcher = Dispatcher::new(&Config::from_str(&text, Format::Yaml)?)?;
/// log::set_max_level(log::LevelFilter::Trace);
/// log::info!(logger: dispatcher, "one datagram");
/// let mut buf = [0u8; 64];
/// let n = server.recv(&mut buf)?;
/// assert_eq!(&buf[..n], b"one datagram");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct UdpHandler {
    pipe: Pipe,
}

impl UdpHandler {
    /// Starts the sending thread; the socket is made at the first record.
    ///
    /// # Errors
    ///
    /// When the thread cannot be started.
    pub fn start(name: &str, config: &UdpHandlerConfig) -> Result<UdpHandler, Error> {
        let dest = Dest::Udp {
            host: config.host.clone(),
            port: config.port,
            max: usize::try_from(config.max_datagram.bytes())
                .unwrap_or(65_507)
                .clamp(1, 65_507),
            oversize: config.oversize,
        };
        let options = PipeOptions {
            capacity: config.buffer.max(1) as usize,
            ..PipeOptions::new(&ConnectionConfig::default(), &config.worker)
        };
        let pipe = start_pipe("udp", name, dest, options)?;
        Ok(UdpHandler { pipe })
    }

    /// Records that were longer than `max_datagram`, so truncated or split.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = logfig::config::UdpHandlerConfig::new("127.0.0.1", 9);
    /// let h = logfig::UdpHandler::start("u", &c)?;
    /// assert_eq!(h.oversized(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn oversized(&self) -> u64 {
        self.pipe.oversized()
    }
}

// A datagram is one record to the protocol, but many UDP log receivers split
// a datagram into records at newlines: its line breaks are escaped too.
pipe_handler!(UdpHandler, |_this, entry, formatter| rendered(
    entry, formatter, true
));
