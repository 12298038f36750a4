//! Network outputs: the `tcp` and `udp` handlers, and the sending thread and
//! transports they share with `syslog`.
//!
//! The logging thread renders the record to bytes and pushes them onto a
//! bounded queue ([`Pipe`]); it never touches a socket, so it never waits for
//! the network. One thread per handler (`logfig-net-<name>`) owns the socket:
//! it connects lazily, writes with the configured `timeout`, and after a
//! failure disconnects and retries the same record after an exponential
//! backoff, keeping up to `buffer` records (the oldest are dropped and
//! counted). Every record is therefore either written to a socket (`emitted`)
//! or counted as `dropped`; each failed attempt that will be repeated counts
//! as `retried`. With RELP (`syslog` with `transport: relp`) a record leaves
//! the buffer only when the server has answered for it, so the records a
//! broken connection took with it are sent again. Streams may be wrapped in
//! TLS (feature `tls`, see `tls.rs`).

use std::io::{self, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::path::PathBuf;
#[cfg(feature = "tls")]
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::worker::{Backlog, Ctx, Fifo, Output, Plan, Settings, Worker};
use super::{HandlerStats, relp};
use crate::config::{
    ConnectionConfig, Framing, Oversize, TcpHandlerConfig, TlsConfig, UdpHandlerConfig,
    WorkerConfig,
};
use crate::entry::Entry;
use crate::error::Error;
use crate::formatters::Formatter;
use crate::handlers::Handler;

/// The TLS client of a stream destination, when `tls` is configured.
#[cfg(feature = "tls")]
pub(crate) type Tls = Option<Arc<super::tls::Client>>;
/// Without the `tls` feature there is no TLS client (a config asking for
/// one is refused by [`tls_setup`]).
#[cfg(not(feature = "tls"))]
pub(crate) type Tls = ();

/// Reads the certificates and keys `config` names, for a server at `host`.
///
/// # Errors
///
/// A file that cannot be used (see `tls::Client::new`), or `tls` asked of a
/// build without the `tls` feature.
pub(crate) fn tls_setup(config: Option<&TlsConfig>, host: &str) -> Result<Tls, Error> {
    #[cfg(feature = "tls")]
    {
        config
            .map(|c| super::tls::Client::new(c, host).map(Arc::new))
            .transpose()
    }
    #[cfg(not(feature = "tls"))]
    {
        let _ = host;
        match config {
            Some(_) => Err(Error::new(
                crate::error::ErrorKind::FeatureDisabled,
                "`tls` requires the `tls` feature of logfig",
            )),
            None => Ok(()),
        }
    }
}

/// Where a [`Link`] sends, and how messages are framed on the wire.
#[derive(Debug, Clone)]
pub(crate) enum Dest {
    /// A TCP server, over TLS when `tls` is set; `framing` marks record
    /// boundaries (or, for RELP, makes a session).
    Tcp {
        host: String,
        port: u16,
        framing: WireFraming,
        tls: Tls,
    },
    /// A UDP server: one message per datagram, cut to `max` bytes.
    Udp {
        host: String,
        port: u16,
        max: usize,
        oversize: Oversize,
    },
    /// A local socket: datagrams, or a stream with NUL-ended messages.
    Unix { path: PathBuf },
}

/// Record boundaries on a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WireFraming {
    /// `record\n`.
    Line,
    /// 4-byte big-endian length, then the record.
    Length,
    /// `LEN SP record` (RFC 6587 octet counting).
    OctetCounting,
    /// RELP frames in a session; each record is acknowledged.
    Relp,
}

impl From<Framing> for WireFraming {
    fn from(f: Framing) -> Self {
        match f {
            Framing::Length => WireFraming::Length,
            _ => WireFraming::Line,
        }
    }
}

impl Dest {
    fn describe(&self) -> String {
        match self {
            Dest::Tcp {
                host,
                port,
                framing,
                tls,
            } => {
                #[cfg(feature = "tls")]
                let secure = tls.is_some();
                #[cfg(not(feature = "tls"))]
                let secure = {
                    let () = tls;
                    false
                };
                let scheme = match (*framing == WireFraming::Relp, secure) {
                    (true, true) => "relp+tls",
                    (true, false) => "relp",
                    (false, true) => "tcp+tls",
                    (false, false) => "tcp",
                };
                format!("{scheme}://{host}:{port}")
            }
            Dest::Udp { host, port, .. } => format!("udp://{host}:{port}"),
            Dest::Unix { path } => format!("unix:{}", path.display()),
        }
    }
}

#[derive(Debug)]
enum Conn {
    Tcp(TcpStream),
    #[cfg(feature = "tls")]
    Tls(Box<super::tls::Stream>),
    Udp(UdpSocket, SocketAddr),
    #[cfg(unix)]
    UnixDatagram(std::os::unix::net::UnixDatagram),
    #[cfg(unix)]
    UnixStream(std::os::unix::net::UnixStream),
}

/// The socket side of a network handler, owned by its sending thread.
#[derive(Debug)]
pub(crate) struct Link {
    dest: Dest,
    timeout: Duration,
    conn: Option<Conn>,
    /// The RELP session on `conn`, for `WireFraming::Relp`.
    relp: Option<relp::Session>,
    /// Framed bytes of the message being written (reused).
    wire: Vec<u8>,
}

/// What one send did with a message.
enum Sent {
    /// Written whole.
    Whole,
    /// Written, but cut or split to fit datagrams.
    Oversized,
    /// Written; delivered once the server acknowledges it (RELP).
    Pending,
}

/// Writes all of `bytes` to a stream connection.
fn write_stream(conn: &mut Conn, bytes: &[u8]) -> io::Result<()> {
    match conn {
        Conn::Tcp(s) => s.write_all(bytes),
        #[cfg(feature = "tls")]
        Conn::Tls(s) => s.write_all(bytes),
        #[cfg(unix)]
        Conn::UnixStream(s) => s.write_all(bytes),
        _ => Err(io::Error::other("not a stream")),
    }
}

/// Reads from a stream connection, waiting at most its read timeout.
fn read_stream(conn: &mut Conn, buf: &mut [u8]) -> io::Result<usize> {
    use std::io::Read;
    match conn {
        Conn::Tcp(s) => s.read(buf),
        #[cfg(feature = "tls")]
        Conn::Tls(s) => s.read(buf),
        _ => Err(io::Error::other("not a readable stream")),
    }
}

/// The next RELP frame from the server, read within the socket's timeout.
fn read_frame(conn: &mut Conn, session: &mut relp::Session) -> io::Result<relp::Frame> {
    let mut buf = [0u8; 4096];
    loop {
        if let Some(frame) = session.next_frame()? {
            return Ok(frame);
        }
        match read_stream(conn, &mut buf) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the RELP server closed the connection",
                ));
            }
            Ok(n) => session.unread.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "no RELP answer within `timeout`",
                ));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Opens a RELP session on a fresh connection.
fn open_relp(conn: &mut Conn) -> io::Result<relp::Session> {
    let mut out = Vec::new();
    relp::frame(&mut out, 1, "open", relp::open_offers().as_bytes());
    write_stream(conn, &out)?;
    let mut session = relp::Session::opened();
    let answer = read_frame(conn, &mut session)?;
    if answer.txnr != 1 || answer.command != "rsp" || !answer.ok() {
        return Err(io::Error::new(
            io::ErrorKind::ConnectionRefused,
            format!(
                "the RELP server refused the session ({} {}: {})",
                answer.txnr,
                answer.command,
                answer.status()
            ),
        ));
    }
    Ok(session)
}

fn resolve(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    let addrs: Vec<SocketAddr> = (host, port).to_socket_addrs()?.collect();
    if addrs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("`{host}` has no address"),
        ));
    }
    Ok(addrs)
}

/// The longest prefix of `bytes` of at most `max` bytes that does not cut a
/// UTF-8 character (when `bytes` is UTF-8).
pub(crate) fn cut(bytes: &[u8], max: usize) -> usize {
    if bytes.len() <= max {
        return bytes.len();
    }
    let continuation = |i: usize| (bytes[i] & 0xC0) == 0x80;
    // Back up over continuation bytes (10xxxxxx), at most 3.
    let mut end = max;
    while end > max.saturating_sub(3) && end > 0 && continuation(end) {
        end -= 1;
    }
    if end == 0 || continuation(end) {
        max
    } else {
        end
    }
}

impl Link {
    pub(crate) fn new(dest: Dest, timeout: Duration) -> Link {
        Link {
            dest,
            timeout,
            conn: None,
            relp: None,
            wire: Vec::new(),
        }
    }

    fn connect(&mut self) -> io::Result<Conn> {
        match &self.dest {
            Dest::Tcp {
                host,
                port,
                framing,
                tls,
            } => {
                let mut last = None;
                for addr in resolve(host, *port)? {
                    match TcpStream::connect_timeout(&addr, self.timeout) {
                        Ok(s) => {
                            s.set_write_timeout(Some(self.timeout))?;
                            s.set_read_timeout(Some(self.timeout))?;
                            let _ = s.set_nodelay(true);
                            #[cfg(feature = "tls")]
                            let mut conn = match tls {
                                Some(client) => Conn::Tls(Box::new(client.connect(s)?)),
                                None => Conn::Tcp(s),
                            };
                            #[cfg(not(feature = "tls"))]
                            let mut conn = {
                                let () = tls;
                                Conn::Tcp(s)
                            };
                            if *framing == WireFraming::Relp {
                                self.relp = Some(open_relp(&mut conn)?);
                            }
                            return Ok(conn);
                        }
                        Err(e) => last = Some(e),
                    }
                }
                Err(last.unwrap_or_else(|| io::Error::other("no address")))
            }
            Dest::Udp { host, port, .. } => {
                let addr = resolve(host, *port)?[0];
                let local: SocketAddr = if addr.is_ipv4() {
                    ([0, 0, 0, 0], 0).into()
                } else {
                    ([0u16; 8], 0).into()
                };
                let s = UdpSocket::bind(local)?;
                s.set_write_timeout(Some(self.timeout))?;
                Ok(Conn::Udp(s, addr))
            }
            #[cfg(unix)]
            Dest::Unix { path } => {
                use std::os::unix::net::{UnixDatagram, UnixStream};
                let d = UnixDatagram::unbound()?;
                match d.connect(path) {
                    Ok(()) => {
                        d.set_write_timeout(Some(self.timeout))?;
                        Ok(Conn::UnixDatagram(d))
                    }
                    // EPROTOTYPE: the socket is a stream socket.
                    Err(e) if e.raw_os_error() == Some(91) => {
                        let s = UnixStream::connect(path)?;
                        s.set_write_timeout(Some(self.timeout))?;
                        Ok(Conn::UnixStream(s))
                    }
                    Err(e) => Err(e),
                }
            }
            #[cfg(not(unix))]
            Dest::Unix { .. } => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "unix sockets are not available on this platform",
            )),
        }
    }

    /// Drops a stream connection the server has closed, so the next write
    /// goes to a fresh one instead of into a socket nobody reads. With RELP
    /// nothing is in flight here, so anything the server sent (its
    /// `serverclose`) ends the session too.
    fn check_alive(&mut self) {
        let relp = self.relp.is_some();
        let alive = match &mut self.conn {
            Some(Conn::Tcp(s)) => {
                let mut b = [0u8; 1];
                let r = s.set_nonblocking(true).and_then(|()| s.peek(&mut b));
                let alive = match r {
                    Ok(0) => false,
                    Ok(_) => !relp,
                    Err(e) => e.kind() == io::ErrorKind::WouldBlock,
                };
                alive && s.set_nonblocking(false).is_ok()
            }
            #[cfg(feature = "tls")]
            Some(Conn::Tls(s)) => s.alive().is_some_and(|sent_data| !(sent_data && relp)),
            _ => true,
        };
        if !alive {
            self.disconnect();
        }
    }

    fn disconnect(&mut self) {
        match &mut self.conn {
            Some(Conn::Tcp(s)) => {
                let _ = s.shutdown(std::net::Shutdown::Both);
            }
            #[cfg(feature = "tls")]
            Some(Conn::Tls(s)) => s.shutdown(),
            _ => {}
        }
        self.conn = None;
        self.relp = None;
    }

    /// Bounds each read and write on the connection by `left` (the time
    /// to a deadline), so a close never waits longer than it was given.
    fn limit_io(&mut self, left: Duration) {
        let left = Some(left.max(Duration::from_millis(1)));
        let _ = match &self.conn {
            Some(Conn::Tcp(s)) => s.set_read_timeout(left).and(s.set_write_timeout(left)),
            #[cfg(feature = "tls")]
            Some(Conn::Tls(s)) => s.set_timeouts(left),
            #[cfg(unix)]
            Some(Conn::UnixStream(s)) => s.set_write_timeout(left),
            _ => Ok(()),
        };
    }

    /// Ends a RELP session politely (a `close` frame, its answer awaited
    /// until `deadline`) before the connection is dropped.
    fn close_session(&mut self, deadline: Instant) {
        self.limit_io(deadline.saturating_duration_since(Instant::now()));
        if let (Some(conn), Some(session)) = (&mut self.conn, &mut self.relp)
            && session.in_flight.is_empty()
        {
            self.wire.clear();
            relp::frame(&mut self.wire, session.take_txnr(), "close", b"");
            if write_stream(conn, &self.wire).is_ok() {
                let _ = read_frame(conn, session);
            }
        }
        self.disconnect();
    }

    /// Whether as many messages wait for their acknowledgement as may.
    fn window_full(&self) -> bool {
        self.relp
            .as_ref()
            .is_some_and(|s| s.in_flight.len() >= relp::WINDOW)
    }

    /// Reads RELP answers: all of them when `all`, else until the window has
    /// room. `answer` gets, in order, `Ok` for each message the server took
    /// and its status for each it refused.
    fn settle(&mut self, all: bool, mut answer: impl FnMut(Result<(), String>)) -> io::Result<()> {
        let (Some(conn), Some(session)) = (&mut self.conn, &mut self.relp) else {
            return Ok(());
        };
        while !session.in_flight.is_empty() && (all || session.in_flight.len() >= relp::WINDOW) {
            let frame = read_frame(conn, session)?;
            match (frame.txnr, frame.command.as_str()) {
                (t, "rsp") if session.in_flight.front() == Some(&t) => {
                    session.in_flight.pop_front();
                    answer(if frame.ok() {
                        Ok(())
                    } else {
                        Err(frame.status())
                    });
                }
                (0, "serverclose") => {
                    return Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "the RELP server closed the session",
                    ));
                }
                (t, command) => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("unexpected RELP frame `{t} {command}`"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Frames `message` for a TCP or TLS stream and writes it.
    fn send_stream(
        conn: &mut Conn,
        framing: WireFraming,
        session: &mut Option<relp::Session>,
        wire: &mut Vec<u8>,
        message: &[u8],
    ) -> io::Result<Sent> {
        use std::io::Write as _;
        wire.clear();
        match framing {
            WireFraming::Line => {
                wire.extend_from_slice(message);
                wire.push(b'\n');
            }
            WireFraming::Length => {
                let len = u32::try_from(message.len()).unwrap_or(u32::MAX);
                wire.extend_from_slice(&len.to_be_bytes());
                wire.extend_from_slice(&message[..len as usize]);
            }
            WireFraming::OctetCounting => {
                let _ = write!(wire, "{} ", message.len());
                wire.extend_from_slice(message);
            }
            WireFraming::Relp => {
                let Some(session) = session else {
                    return Err(io::Error::other("no RELP session"));
                };
                let txnr = session.take_txnr();
                relp::frame(wire, txnr, "syslog", message);
                write_stream(conn, wire)?;
                session.in_flight.push_back(txnr);
                return Ok(Sent::Pending);
            }
        }
        write_stream(conn, wire)?;
        Ok(Sent::Whole)
    }

    /// Writes one message, connecting first when needed.
    fn send(&mut self, message: &[u8]) -> io::Result<Sent> {
        if self.conn.is_none() {
            self.conn = Some(self.connect()?);
        }
        let Some(conn) = &mut self.conn else {
            return Err(io::Error::other("not connected"));
        };
        let framing = match &self.dest {
            Dest::Tcp { framing, .. } => *framing,
            _ => WireFraming::Line,
        };
        match conn {
            #[cfg(feature = "tls")]
            Conn::Tls(_) => {
                Self::send_stream(conn, framing, &mut self.relp, &mut self.wire, message)
            }
            Conn::Tcp(_) => {
                Self::send_stream(conn, framing, &mut self.relp, &mut self.wire, message)
            }
            Conn::Udp(s, addr) => {
                let (max, oversize) = match &self.dest {
                    Dest::Udp { max, oversize, .. } => (*max, *oversize),
                    _ => (usize::MAX, Oversize::Truncate),
                };
                if message.len() <= max {
                    s.send_to(message, *addr)?;
                    return Ok(Sent::Whole);
                }
                match oversize {
                    Oversize::Split => {
                        let mut rest = message;
                        while !rest.is_empty() {
                            let n = cut(rest, max);
                            s.send_to(&rest[..n], *addr)?;
                            rest = &rest[n..];
                        }
                    }
                    _ => {
                        s.send_to(&message[..cut(message, max)], *addr)?;
                    }
                }
                Ok(Sent::Oversized)
            }
            #[cfg(unix)]
            Conn::UnixDatagram(s) => {
                s.send(message)?;
                Ok(Sent::Whole)
            }
            #[cfg(unix)]
            Conn::UnixStream(s) => {
                self.wire.clear();
                self.wire.extend_from_slice(message);
                self.wire.push(0);
                s.write_all(&self.wire)?;
                Ok(Sent::Whole)
            }
        }
    }
}

/// An error that no retry can fix: the message itself is refused.
fn permanent(e: &io::Error) -> bool {
    // EMSGSIZE: larger than the socket accepts.
    e.raw_os_error() == Some(90) || e.kind() == io::ErrorKind::InvalidInput
}

/// Sending settings of a [`Pipe`].
#[derive(Debug, Clone)]
pub(crate) struct PipeOptions {
    pub(crate) capacity: usize,
    pub(crate) timeout: Duration,
    pub(crate) backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) worker: WorkerConfig,
}

impl PipeOptions {
    pub(crate) fn new(c: &ConnectionConfig, worker: &WorkerConfig) -> Self {
        PipeOptions {
            capacity: c.buffer.max(1) as usize,
            timeout: c.timeout,
            backoff: c.backoff,
            max_backoff: c.max_backoff.max(c.backoff),
            worker: worker.clone(),
        }
    }
}

/// At most this many records go out in one round, to let newer records and
/// a close in between long batches.
const ROUND: usize = 1024;

/// A bounded queue of rendered messages and the worker thread that sends
/// them over a [`Link`]. Pushing never blocks beyond one short lock: when
/// the buffer is full (`buffer` records or `buffer_bytes`), the oldest
/// waiting message is dropped and counted.
pub(crate) type Pipe = Worker<Frames>;

/// The sending side of a [`Pipe`], owned by its worker thread.
#[derive(Debug)]
struct Sender {
    link: Link,
    dest: String,
    options: PipeOptions,
    /// Wait before the next reconnect; doubles after each failure.
    delay: Duration,
    /// While the server is away: when to try again.
    retry_at: Option<Instant>,
    failing: bool,
}

/// Starts the sending thread of a [`Pipe`] to `dest`; nothing is connected
/// yet.
pub(crate) fn start_pipe(
    kind: &str,
    name: &str,
    dest: Dest,
    options: PipeOptions,
) -> Result<Pipe, Error> {
    let settings = Settings::new(kind, "net", name, options.capacity, &options.worker);
    let sender = Sender {
        dest: dest.describe(),
        link: Link::new(dest, options.timeout),
        delay: options.backoff,
        retry_at: None,
        failing: false,
        options,
    };
    Worker::start(settings, sender)
}

type Frames = Fifo<Vec<u8>>;

impl Output for Sender {
    type Backlog = Frames;

    fn plan(&mut self, _waiting: &Frames, _flushing: bool, closing: bool) -> Plan {
        match self.retry_at {
            // The server is away: the records wait in the backlog, where
            // `push` drops the oldest, and a flush cannot wait for the
            // server.
            Some(at) if !closing && Instant::now() < at => Plan::Wait(Some(at)),
            _ if closing => Plan::Take(usize::MAX),
            _ => Plan::Take(ROUND),
        }
    }

    fn deliver(&mut self, batch: &mut Frames, ctx: &Ctx<'_, Frames>) {
        if let Some(deadline) = ctx.closing() {
            self.drain_on_close(batch, deadline, ctx);
            return;
        }
        self.retry_at = None;
        self.link.check_alive();
        let (delivered, failure) = self.send(batch, None, ctx);
        if delivered > 0 && self.failing {
            self.failing = false;
            self.delay = self.options.backoff;
        }
        if let Some(e) = failure {
            self.link.disconnect();
            ctx.retried();
            if !self.failing {
                ctx.note(format!(
                    "{}: sending to {} failed ({e}); retrying with backoff, keeping up to {} records",
                    ctx.label(),
                    self.dest,
                    self.options.capacity
                ));
            }
            self.failing = true;
            self.retry_at = Some(Instant::now() + self.delay);
            self.delay = (self.delay * 2).min(self.options.max_backoff);
            ctx.give_back(batch);
        }
    }
}

impl Sender {
    /// Sends the records of `batch` from the front, none after `deadline`.
    /// A record leaves `batch` when it is written, or, with RELP, when the
    /// server answers for it; so after a failure `batch` still has every
    /// record that is not known to be delivered. Returns how many were
    /// delivered and the failure that stopped the round.
    fn send(
        &mut self,
        batch: &mut Frames,
        deadline: Option<Instant>,
        ctx: &Ctx<'_, Frames>,
    ) -> (u64, Option<io::Error>) {
        let link = &mut self.link;
        let dest = &self.dest;
        let mut delivered = 0u64;
        // `batch[..in_flight]` are written and wait for their answers.
        let mut in_flight = 0usize;
        loop {
            if let Some(d) = deadline {
                link.limit_io(d.saturating_duration_since(Instant::now()));
            }
            let late = deadline.is_some_and(|d| Instant::now() >= d);
            let more = in_flight < batch.len() && !late;
            if more && !link.window_full() {
                let Some(message) = batch.get(in_flight) else {
                    break (delivered, None);
                };
                match link.send(message) {
                    Ok(Sent::Pending) => in_flight += 1,
                    Ok(sent) => {
                        if matches!(sent, Sent::Oversized) {
                            ctx.oversized();
                        }
                        batch.remove(in_flight);
                        ctx.emitted(1);
                        delivered += 1;
                    }
                    Err(e) if permanent(&e) => {
                        batch.remove(in_flight);
                        ctx.failed(1, || {
                            format!(
                                "{}: {dest} refused a record ({e}); it counts as failed",
                                ctx.label()
                            )
                        });
                    }
                    Err(e) => break (delivered, Some(e)),
                }
                continue;
            }
            if in_flight == 0 {
                break (delivered, None);
            }
            if late {
                let e = io::Error::new(io::ErrorKind::TimedOut, "unanswered at `close_timeout`");
                break (delivered, Some(e));
            }
            let settled = link.settle(!more, |answer| {
                batch.pop_front();
                in_flight -= 1;
                match answer {
                    Ok(()) => {
                        ctx.emitted(1);
                        delivered += 1;
                    }
                    Err(status) => ctx.failed(1, || {
                        format!(
                            "{}: {dest} refused a record ({status}); it counts as failed",
                            ctx.label()
                        )
                    }),
                }
            });
            if let Err(e) = settled {
                break (delivered, Some(e));
            }
        }
    }

    /// At close: one more try for what is held, until `deadline` (none
    /// while the server is known to be away); the rest counts as failed.
    fn drain_on_close(&mut self, batch: &mut Frames, deadline: Instant, ctx: &Ctx<'_, Frames>) {
        if self.retry_at.is_none() {
            self.link.check_alive();
            if self.send(batch, Some(deadline), ctx).1.is_none() {
                self.link.close_session(deadline);
            }
        }
        self.link.disconnect();
        let lost = batch.len() as u64;
        if lost > 0 {
            ctx.failed(lost, || {
                format!(
                    "{}: closed with {lost} records not sent to {}; they count as failed",
                    ctx.label(),
                    self.dest
                )
            });
        }
    }
}

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

/// The `Handler` impl of an output whose worker thread sends what a `Pipe`
/// holds: `emit` renders the record with `$render` (an expression of `self`,
/// `entry` and `formatter` giving `Result<Vec<u8>, Error>`), queues the bytes
/// and reports the worker's last error; the rest delegates to the pipe.
macro_rules! pipe_handler {
    ($ty:ty, |$this:ident, $entry:ident, $formatter:ident| $render:expr) => {
        impl Handler for $ty {
            fn emit(&self, $entry: &Entry<'_>, $formatter: &dyn Formatter) -> Result<(), Error> {
                let $this = self;
                let message = $render?;
                $this.pipe.send(message)
            }

            $crate::handlers::worker::worker_handler_methods!(pipe);
        }
    };
}
pub(crate) use pipe_handler;

/// The record as the formatter renders it, in bytes the pipe can own. With
/// `escape_breaks`, its newlines, carriage returns and NULs are escaped
/// (`\n`, `\r`, `\x00`): where the receiver splits records at them, record
/// text must not add records, whatever the formatter left raw. (A formatter
/// that [writes JSON](Formatter::writes_json) leaves none.)
pub(crate) fn rendered(
    entry: &Entry<'_>,
    formatter: &dyn Formatter,
    escape_breaks: bool,
) -> Result<Vec<u8>, Error> {
    let mut message = Vec::with_capacity(128);
    formatter.format(entry, &mut message)?;
    if escape_breaks && !formatter.writes_json() {
        crate::formatters::escape::escape_breaks(&mut message, 0);
    }
    Ok(message)
}

pipe_handler!(TcpHandler, |this, entry, formatter| rendered(
    entry,
    formatter,
    this.line_framed
));

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

#[cfg(test)]
mod tests {
    use super::cut;

    #[test]
    fn cut_keeps_utf8_characters_whole() {
        assert_eq!(cut(b"abc", 5), 3);
        assert_eq!(cut(b"abcdef", 4), 4);
        let s = "aé".as_bytes(); // 61 c3 a9
        assert_eq!(cut(s, 2), 1);
        assert_eq!(cut(&[0x80; 10], 4), 4);
    }
}
