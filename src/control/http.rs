//! Just enough HTTP/1.1 for the control endpoint: one request per
//! connection, every part of it bounded, read against one deadline.
//!
//! A read timeout alone would let a client that sends one byte a second hold
//! a connection forever; every read here gets the time left before the
//! request's deadline instead, so a request arrives whole within `timeout`
//! or the connection is closed.

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

/// Longest request line (method, path, version).
pub(crate) const MAX_REQUEST_LINE: usize = 4096;
/// Longest request head: the request line and every header.
pub(crate) const MAX_HEAD: usize = 16 * 1024;
/// Most header fields.
pub(crate) const MAX_HEADERS: usize = 64;
/// Largest request body.
pub(crate) const MAX_BODY: usize = 16 * 1024;

/// A stream whose reads and writes can be given a timeout.
pub(crate) trait Conn: Read + Write {
    fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()>;
    fn set_write_timeout(&self, t: Option<Duration>) -> io::Result<()>;
}

impl Conn for std::net::TcpStream {
    fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        std::net::TcpStream::set_read_timeout(self, t)
    }
    fn set_write_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        std::net::TcpStream::set_write_timeout(self, t)
    }
}

#[cfg(unix)]
impl Conn for std::os::unix::net::UnixStream {
    fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        std::os::unix::net::UnixStream::set_read_timeout(self, t)
    }
    fn set_write_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        std::os::unix::net::UnixStream::set_write_timeout(self, t)
    }
}

/// One parsed request.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) method: String,
    /// The path, without the query string, not yet percent-decoded.
    pub(crate) path: String,
    pub(crate) authorization: Option<String>,
    /// The `Host` header, for the absolute links of the `/actuator` index.
    pub(crate) host: Option<String>,
    pub(crate) body: Vec<u8>,
}

/// Why a request could not be read: an answer to send, or nothing (the peer
/// went away or ran out of time).
#[derive(Debug)]
pub(crate) enum ReadError {
    Respond(u16, String),
    Gone,
}

fn bad(status: u16, message: impl Into<String>) -> ReadError {
    ReadError::Respond(status, message.into())
}

/// Reads once into `buf`, with the time left before `deadline`.
fn read_some(conn: &mut dyn Conn, deadline: Instant, buf: &mut [u8]) -> Result<usize, ReadError> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(bad(408, "the request took too long to arrive"));
    }
    conn.set_read_timeout(Some(left))
        .map_err(|_| ReadError::Gone)?;
    match conn.read(buf) {
        Ok(0) => Err(ReadError::Gone),
        Ok(n) => Ok(n),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            Err(bad(408, "the request took too long to arrive"))
        }
        Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(0),
        Err(_) => Err(ReadError::Gone),
    }
}

/// Reads one request, or says what to answer instead.
pub(crate) fn read_request(conn: &mut dyn Conn, deadline: Instant) -> Result<Request, ReadError> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        if buf.len() >= MAX_HEAD {
            return Err(bad(
                431,
                format!("the request head is longer than {MAX_HEAD} bytes"),
            ));
        }
        if find(&buf, b"\r\n").is_none() && buf.len() > MAX_REQUEST_LINE {
            return Err(bad(
                414,
                format!("the request line is longer than {MAX_REQUEST_LINE} bytes"),
            ));
        }
        let want = (MAX_HEAD - buf.len()).min(chunk.len());
        let n = read_some(conn, deadline, &mut chunk[..want])?;
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buf[..head_end])
        .map_err(|_| bad(400, "the request head is not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let line = lines.next().unwrap_or_default();
    if line.len() > MAX_REQUEST_LINE {
        return Err(bad(
            414,
            format!("the request line is longer than {MAX_REQUEST_LINE} bytes"),
        ));
    }
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad(400, "malformed request line"));
    };
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(bad(
            505,
            format!("unsupported version `{}`", printable(version)),
        ));
    }
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(bad(400, "malformed method"));
    }
    if !target.starts_with('/') {
        return Err(bad(400, "the request target must be a path"));
    }
    let path = target.split(['?', '#']).next().unwrap_or_default();
    let mut request = Request {
        method: method.to_owned(),
        path: path.to_owned(),
        authorization: None,
        host: None,
        body: Vec::new(),
    };
    let mut length: Option<usize> = None;
    for (count, header) in lines.enumerate() {
        if count >= MAX_HEADERS {
            return Err(bad(431, format!("more than {MAX_HEADERS} header fields")));
        }
        let Some((name, value)) = header.split_once(':') else {
            return Err(bad(400, "malformed header field"));
        };
        if name.is_empty() || name.ends_with(' ') || name.ends_with('\t') {
            return Err(bad(400, "malformed header field"));
        }
        let value = value.trim_matches([' ', '\t']);
        if name.eq_ignore_ascii_case("content-length") {
            let n: usize = value
                .parse()
                .map_err(|_| bad(400, "invalid Content-Length"))?;
            if length.is_some_and(|l| l != n) {
                return Err(bad(400, "conflicting Content-Length fields"));
            }
            length = Some(n);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            // Chunked bodies are not needed here, and half-supporting them
            // is how request smuggling starts.
            return Err(bad(
                501,
                "Transfer-Encoding is not supported; send Content-Length",
            ));
        } else if name.eq_ignore_ascii_case("authorization") {
            request.authorization = Some(value.to_owned());
        } else if name.eq_ignore_ascii_case("host") {
            request.host = Some(value.to_owned());
        }
    }
    let length = length.unwrap_or(0);
    if length > MAX_BODY {
        return Err(bad(
            413,
            format!("the body is longer than {MAX_BODY} bytes"),
        ));
    }
    let mut body = buf.split_off(head_end + 4);
    if body.len() > length {
        // One request per connection: bytes after the body are ignored.
        body.truncate(length);
    }
    while body.len() < length {
        let want = (length - body.len()).min(chunk.len());
        let n = read_some(conn, deadline, &mut chunk[..want])?;
        body.extend_from_slice(&chunk[..n]);
    }
    request.body = body;
    Ok(request)
}

/// A response: status, content type, body.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) content_type: &'static str,
    pub(crate) body: Vec<u8>,
}

impl Response {
    pub(crate) fn json(status: u16, value: &serde_json::Value) -> Response {
        let mut body = serde_json::to_vec(value).unwrap_or_default();
        body.push(b'\n');
        Response {
            status,
            content_type: "application/json",
            body,
        }
    }

    /// `{"error": message, "status": status}`.
    pub(crate) fn error(status: u16, message: &str) -> Response {
        Response::json(
            status,
            &serde_json::json!({ "error": message, "status": status }),
        )
    }

    pub(crate) fn empty(status: u16) -> Response {
        Response {
            status,
            content_type: "application/json",
            body: Vec::new(),
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Internal Server Error",
    }
}

/// Writes `response` and closes the exchange (`Connection: close`).
pub(crate) fn write_response(
    conn: &mut dyn Conn,
    response: &Response,
    deadline: Instant,
) -> io::Result<()> {
    let deadline = deadline.max(Instant::now() + Duration::from_millis(100));
    let mut out = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len(),
    );
    if response.status == 401 {
        out.push_str("WWW-Authenticate: Bearer realm=\"logfig\"\r\n");
    }
    if response.content_type.starts_with("text/html") {
        // The page runs only its own inline script and talks only to this
        // endpoint; no other site may frame it.
        out.push_str(
            "Content-Security-Policy: default-src 'none'; script-src 'unsafe-inline'; \
             style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'\r\n",
        );
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&response.body);
    // A write timeout bounds one write: a peer reading a byte at a time
    // would hold the connection for ever. Each write gets the time left.
    let mut rest = &bytes[..];
    while !rest.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        conn.set_write_timeout(Some(left))?;
        match conn.write(rest) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => rest = &rest[n..],
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    conn.flush()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `s` with control characters replaced, for error messages.
pub(crate) fn printable(s: &str) -> String {
    s.chars()
        .take(256)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// Decodes `%XX` escapes of a path segment; `None` when malformed or not UTF-8.
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    struct Mem(Cursor<Vec<u8>>, Vec<u8>);
    impl Read for Mem {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.0.read(buf)
        }
    }
    impl Write for Mem {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.1.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    impl Conn for Mem {
        fn set_read_timeout(&self, _: Option<Duration>) -> io::Result<()> {
            Ok(())
        }
        fn set_write_timeout(&self, _: Option<Duration>) -> io::Result<()> {
            Ok(())
        }
    }

    fn parse(text: &[u8]) -> Result<Request, ReadError> {
        let mut m = Mem(Cursor::new(text.to_vec()), Vec::new());
        read_request(&mut m, Instant::now() + Duration::from_secs(60))
    }

    fn status(r: Result<Request, ReadError>) -> u16 {
        match r {
            Ok(_) => 200,
            Err(ReadError::Respond(s, _)) => s,
            Err(ReadError::Gone) => 0,
        }
    }

    #[test]
    fn reads_a_request_with_a_body() {
        let r = parse(b"POST /loggers/a%3A%3Ab?x=1 HTTP/1.1\r\nAuthorization: Bearer t\r\nContent-Length: 5\r\n\r\nhelloEXTRA").unwrap();
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, "/loggers/a%3A%3Ab");
        assert_eq!(r.authorization.as_deref(), Some("Bearer t"));
        assert_eq!(r.body, b"hello");
        assert_eq!(percent_decode("a%3A%3Ab").as_deref(), Some("a::b"));
        assert_eq!(percent_decode("a%3"), None);
        assert_eq!(percent_decode("%ff"), None);
    }

    /// A peer that takes one byte at a time, slowly.
    struct Trickle(usize);
    impl Read for Trickle {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Ok(0)
        }
    }
    impl Write for Trickle {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            std::thread::sleep(Duration::from_millis(5));
            self.0 += 1;
            Ok(buf.len().min(1))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    impl Conn for Trickle {
        fn set_read_timeout(&self, _: Option<Duration>) -> io::Result<()> {
            Ok(())
        }
        fn set_write_timeout(&self, _: Option<Duration>) -> io::Result<()> {
            Ok(())
        }
    }

    /// A client reading its answer a byte at a time cannot hold the
    /// connection past the deadline: a write timeout bounds one write only.
    #[test]
    fn a_slow_reader_is_cut_at_the_deadline() {
        let mut peer = Trickle(0);
        let response = Response::json(200, &serde_json::json!({ "x": "y".repeat(4000) }));
        let result = write_response(&mut peer, &response, Instant::now());
        assert!(result.is_err());
        assert!(peer.0 < 4000, "{} bytes written", peer.0);
    }

    #[test]
    fn bounds_every_part() {
        let long_line = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_REQUEST_LINE));
        assert_eq!(status(parse(long_line.as_bytes())), 414);
        let many: String = (0..=MAX_HEADERS).map(|i| format!("X-{i}: v\r\n")).collect();
        assert_eq!(
            status(parse(format!("GET / HTTP/1.1\r\n{many}\r\n").as_bytes())),
            431
        );
        let big = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "v".repeat(MAX_HEAD));
        assert_eq!(status(parse(big.as_bytes())), 431);
        let body = format!(
            "POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
            MAX_BODY + 1
        );
        assert_eq!(status(parse(body.as_bytes())), 413);
        assert_eq!(
            status(parse(
                b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            )),
            501
        );
        assert_eq!(status(parse(b"GET / HTTP/2.0\r\n\r\n")), 505);
        assert_eq!(status(parse(b"GET  / HTTP/1.1\r\n\r\n")), 400);
        assert_eq!(status(parse(b"get / HTTP/1.1\r\n\r\n")), 400);
        assert_eq!(status(parse(b"GET / HTTP/1.1\r\nNoColon\r\n\r\n")), 400);
        assert_eq!(
            status(parse(
                b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"
            )),
            400
        );
        // A body shorter than announced: the peer is gone.
        assert_eq!(
            status(parse(b"POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\nab")),
            0
        );
    }
}
