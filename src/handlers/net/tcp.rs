//! The `tcp` handler.

use super::link::{Dest, tls_setup};
use super::pipe::{Pipe, PipeOptions, pipe_handler, rendered, start_pipe};
use crate::config::{Framing, TcpHandlerConfig};
use crate::entry::Entry;
use crate::error::Error;
use crate::formatters::Formatter;
use crate::handlers::Handler;
use crate::handlers::HandlerStats;

/// Sends records over TCP (`type: tcp`): each record rendered by the
/// handler's formatter and framed by a newline or a length prefix.
///
/// With newline framing (the default) a newline, carriage return or NUL in
/// the rendered record is escaped (`\n`, `\r`, `\x00`), whatever the
/// formatter, so record text can never end a record early and forge the next
/// one; a length prefix carries the record's bytes unchanged.
///
/// The logging thread only renders and queues the record; a background thread
/// named `logfig-net-<name>` connects at the first record, writes with the
/// configured `timeout`, and reconnects with exponential backoff. While the
/// server is away up to `buffer` records wait; beyond that the oldest are
/// dropped. `flush` waits until the queued records are written, or the server
/// is known to be away, or nothing moved for `timeout`; `close` tries for
/// `timeout` more and counts what is left as dropped.
///
/// With `tls` (feature `tls`) the connection is TLS (rustls): the server's
/// certificate is verified against Mozilla's roots or `ca_file`, at every
/// connect, before any record is written.
///
/// Statistics: `emitted` (written to the socket), `dropped`, `retried`
/// (failed attempts that were repeated), `queued`; `oversized` for `udp`.
///
/// # Examples
///
/// ```
/// use std::io::BufRead;
/// use logfig::{Config, Dispatcher, Format};
///
/// let server = std::net::TcpListener::bind("127.0.0.1:0")?;
/// let port = server.local_addr()?.port();
/// let text = format!(
///     "version: 1\nhandlers:\n  net: {{ type: tcp, host: 127.0.0.1, port: {port} }}\nroot: {{ level: INFO, handlers: [net] }}\n"
/// );
/// let dispatcher = Dispatcher::new(&Config::from_str(&text, Format::Yaml)?)?;
/// log::set_max_level(log::LevelFilter::Trace);
/// log::info!(logger: dispatcher, "over the wire");
/// let (conn, _) = server.accept()?;
/// let mut line = String::new();
/// std::io::BufReader::new(conn).read_line(&mut line)?;
/// assert_eq!(line, "over the wire\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct TcpHandler {
    pipe: Pipe,
    /// Newline framing: the record's own line breaks are escaped.
    line_framed: bool,
}

impl TcpHandler {
    /// Starts the sending thread; the connection is made at the first record.
    ///
    /// # Errors
    ///
    /// When the thread cannot be started, or the files `tls` names cannot
    /// be used (or `tls` is set without the `tls` feature).
    pub fn start(name: &str, config: &TcpHandlerConfig) -> Result<TcpHandler, Error> {
        let dest = Dest::Tcp {
            host: config.host.clone(),
            port: config.port,
            framing: config.framing.into(),
            tls: tls_setup(config.tls.as_ref(), &config.host)?,
        };
        let options = PipeOptions::new(&config.connection, &config.worker);
        let pipe = start_pipe("tcp", name, dest, options)?;
        Ok(TcpHandler {
            pipe,
            line_framed: config.framing != Framing::Length,
        })
    }
}

pipe_handler!(TcpHandler, |this, entry, formatter| rendered(
    entry,
    formatter,
    this.line_framed
));
