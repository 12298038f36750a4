//! A connection to one destination (TCP, TLS, UDP, a Unix socket, RELP):
//! resolving, connecting, framing, writing, cutting what is too long.

use std::io::{self, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::path::PathBuf;
#[cfg(feature = "tls")]
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::{Framing, Oversize, TlsConfig};
use crate::error::Error;
use crate::handlers::relp;

/// The TLS client of a stream destination, when `tls` is configured.
#[cfg(feature = "tls")]
pub(crate) type Tls = Option<Arc<crate::handlers::tls::Client>>;
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
            .map(|c| crate::handlers::tls::Client::new(c, host).map(Arc::new))
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
    pub(super) fn describe(&self) -> String {
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
    Tls(Box<crate::handlers::tls::Stream>),
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
pub(super) enum Sent {
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
    pub(super) fn check_alive(&mut self) {
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

    pub(super) fn disconnect(&mut self) {
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
    pub(super) fn limit_io(&mut self, left: Duration) {
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
    pub(super) fn close_session(&mut self, deadline: Instant) {
        self.limit_io(deadline.saturating_duration_since(Instant::now()));
        if let (Some(conn), Some(session)) = (&mut self.conn, &mut self.relp) {
            if session.in_flight.is_empty() {
                self.wire.clear();
                relp::frame(&mut self.wire, session.take_txnr(), "close", b"");
                if write_stream(conn, &self.wire).is_ok() {
                    let _ = read_frame(conn, session);
                }
            }
        }
        self.disconnect();
    }

    /// Whether as many messages wait for their acknowledgement as may.
    pub(super) fn window_full(&self) -> bool {
        self.relp
            .as_ref()
            .is_some_and(|s| s.in_flight.len() >= relp::WINDOW)
    }

    /// Reads RELP answers: all of them when `all`, else until the window has
    /// room. `answer` gets, in order, `Ok` for each message the server took
    /// and its status for each it refused.
    pub(super) fn settle(
        &mut self,
        all: bool,
        mut answer: impl FnMut(Result<(), String>),
    ) -> io::Result<()> {
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
    pub(super) fn send(&mut self, message: &[u8]) -> io::Result<Sent> {
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
pub(super) fn permanent(e: &io::Error) -> bool {
    // EMSGSIZE: larger than the socket accepts.
    e.raw_os_error() == Some(90) || e.kind() == io::ErrorKind::InvalidInput
}
