//! The client side of RELP, the Reliable Event Logging Protocol of rsyslog's
//! `imrelp` (librelp): frames, the session opening, and the acknowledgements
//! the sending thread of a `syslog` handler with `transport: relp` waits for.
//!
//! A frame is `TXNR SP COMMAND SP DATALEN [SP DATA] LF`. The client opens a
//! session (`1 open ...`), then sends each message as `TXNR syslog LEN MSG`;
//! the server answers every frame with `TXNR rsp LEN 200 OK` (or another
//! status) and may announce its shutdown with `0 serverclose 0`. Up to
//! [`WINDOW`] messages are sent before their answers are awaited.

use std::collections::VecDeque;
use std::io;

/// Messages sent and not yet acknowledged, at most (librelp's default).
pub(crate) const WINDOW: usize = 128;

/// The largest transaction number before it wraps to 1.
const MAX_TXNR: u32 = 999_999_999;

/// The header of a frame is short; anything longer is not RELP.
const MAX_HEADER: usize = 32;

/// One frame from the server.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Frame {
    pub(crate) txnr: u32,
    pub(crate) command: String,
    pub(crate) data: Vec<u8>,
}

impl Frame {
    /// Whether a `rsp` frame says `200` (accepted).
    pub(crate) fn ok(&self) -> bool {
        self.data.starts_with(b"200")
    }

    /// The status line of a `rsp` frame, for messages.
    pub(crate) fn status(&self) -> String {
        let line = self.data.split(|b| *b == b'\n').next().unwrap_or(&[]);
        String::from_utf8_lossy(line).into_owned()
    }
}

fn bad(what: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.into())
}

fn number(field: &[u8], what: &str) -> io::Result<usize> {
    if field.is_empty() || field.len() > 9 || !field.iter().all(u8::is_ascii_digit) {
        return Err(bad(format!(
            "RELP: invalid {what} `{}`",
            String::from_utf8_lossy(field)
        )));
    }
    Ok(field
        .iter()
        .fold(0usize, |n, d| n * 10 + usize::from(d - b'0')))
}

/// Parses the frame at the start of `buf`: `Ok(None)` while it is
/// incomplete, else the frame and the bytes it took.
pub(crate) fn parse(buf: &[u8]) -> io::Result<Option<(Frame, usize)>> {
    // TXNR SP COMMAND SP DATALEN, then SP DATA LF or (DATALEN 0) LF.
    let mut fields = [0usize; 3];
    let mut start = 0;
    for (k, end) in fields.iter_mut().enumerate() {
        let stop = |b: &u8| *b == b' ' || (k == 2 && *b == b'\n');
        match buf[start..].iter().position(stop) {
            Some(i) => {
                *end = start + i;
                start += i + 1;
            }
            None if buf.len() > MAX_HEADER => return Err(bad("RELP: frame header too long")),
            None => return Ok(None),
        }
    }
    let txnr = number(&buf[..fields[0]], "transaction number")?;
    let command = &buf[fields[0] + 1..fields[1]];
    if command.is_empty() || command.len() > 32 || !command.iter().all(u8::is_ascii_alphabetic) {
        return Err(bad("RELP: invalid command"));
    }
    let len = number(&buf[fields[1] + 1..fields[2]], "data length")?;
    let after_len = fields[2];
    let (data, end) = if len == 0 {
        // `0 serverclose 0\n`; a space before the LF is tolerated.
        let end = if buf[after_len] == b' ' {
            after_len + 1
        } else {
            after_len
        };
        (&buf[after_len..after_len], end)
    } else {
        if buf[after_len] != b' ' {
            return Err(bad("RELP: data length without data"));
        }
        let data_start = after_len + 1;
        if buf.len() < data_start + len + 1 {
            return Ok(None);
        }
        (&buf[data_start..data_start + len], data_start + len)
    };
    if buf.len() <= end {
        return Ok(None);
    }
    if buf[end] != b'\n' {
        return Err(bad("RELP: frame without its trailing LF"));
    }
    Ok(Some((
        Frame {
            txnr: txnr as u32,
            command: String::from_utf8_lossy(command).into_owned(),
            data: data.to_vec(),
        },
        end + 1,
    )))
}

/// Appends the frame `txnr command data` to `out`.
pub(crate) fn frame(out: &mut Vec<u8>, txnr: u32, command: &str, data: &[u8]) {
    use std::io::Write;
    let _ = write!(out, "{txnr} {command} {}", data.len());
    if !data.is_empty() {
        out.push(b' ');
        out.extend_from_slice(data);
    }
    out.push(b'\n');
}

/// The data of the `open` command: the offers logfig makes.
pub(crate) fn open_offers() -> String {
    format!(
        "relp_version=0\nrelp_software=logfig,{}\ncommands=syslog",
        env!("CARGO_PKG_VERSION")
    )
}

/// The state of one RELP session: the next transaction number, what is in
/// flight, and the bytes read but not yet parsed.
#[derive(Debug)]
pub(crate) struct Session {
    next: u32,
    pub(crate) in_flight: VecDeque<u32>,
    pub(crate) unread: Vec<u8>,
}

impl Session {
    /// A session whose `open` (transaction 1) has been answered.
    pub(crate) fn opened() -> Session {
        Session {
            next: 2,
            in_flight: VecDeque::new(),
            unread: Vec::new(),
        }
    }

    /// The transaction number for the next frame.
    pub(crate) fn take_txnr(&mut self) -> u32 {
        let t = self.next;
        self.next = if t >= MAX_TXNR { 1 } else { t + 1 };
        t
    }

    /// The next complete frame in `unread`, if there is one.
    pub(crate) fn next_frame(&mut self) -> io::Result<Option<Frame>> {
        match parse(&self.unread)? {
            Some((frame, used)) => {
                self.unread.drain(..used);
                Ok(Some(frame))
            }
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_partial_input_waits() {
        let mut out = Vec::new();
        frame(&mut out, 7, "syslog", b"<13>1 - - - - - - hi\nthere");
        frame(&mut out, 8, "close", b"");
        assert!(out.starts_with(b"7 syslog 26 <13>1"));
        let (a, used) = parse(&out).unwrap().unwrap();
        for cut in 0..used {
            assert_eq!(parse(&out[..cut]).unwrap(), None, "cut at {cut}");
        }
        assert_eq!(
            (a.txnr, a.command.as_str(), a.data.as_slice()),
            (7, "syslog", &b"<13>1 - - - - - - hi\nthere"[..])
        );
        let (b, rest) = parse(&out[used..]).unwrap().unwrap();
        assert_eq!((b.txnr, b.command.as_str(), b.data.len()), (8, "close", 0));
        assert_eq!(used + rest, out.len());
    }

    #[test]
    fn answers_parse_and_garbage_is_refused() {
        let (f, _) = parse(b"2 rsp 6 200 OK\n").unwrap().unwrap();
        assert!(f.ok());
        assert_eq!(f.status(), "200 OK");
        let (f, _) = parse(b"0 serverclose 0\n").unwrap().unwrap();
        assert_eq!((f.txnr, f.command.as_str()), (0, "serverclose"));
        let (f, _) = parse(b"3 rsp 10 500 error\n\n").unwrap().unwrap();
        assert!(!f.ok());
        assert!(parse(b"x rsp 0\n").is_err());
        assert!(parse(b"1 rsp 2 okX").is_err());
        assert!(parse(&[b'1'; 64]).is_err());
    }

    #[test]
    fn transaction_numbers_wrap_to_one() {
        let mut s = Session::opened();
        assert_eq!(s.take_txnr(), 2);
        s.next = MAX_TXNR;
        assert_eq!((s.take_txnr(), s.take_txnr()), (MAX_TXNR, 1));
    }
}
