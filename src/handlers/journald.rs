//! [`JournaldHandler`]: records sent to the systemd journal over its native
//! protocol (Linux).

use std::io::Write as _;
use std::mem::MaybeUninit;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rustix::fs::{MemfdFlags, SealFlags};
use rustix::net::{SendAncillaryBuffer, SendAncillaryMessage, SendFlags};

use super::HandlerStats;
use super::worker::{Backlog, Ctx, Fifo, Output, Settings, Worker, worker_handler_methods};
use crate::config::JournaldHandlerConfig;
use crate::entry::Entry;
use crate::error::{Error, ErrorKind};
use crate::formatters::Formatter;
use crate::handlers::Handler;

/// Most key-value fields of one record; the rest are left out and the
/// record counted as `oversized`.
pub(crate) const MAX_FIELDS: usize = 256;
/// Longest field name: the journal's own limit.
pub(crate) const MAX_NAME: usize = 64;
/// Longest key-value value, in bytes.
pub(crate) const MAX_VALUE: usize = 64 << 10;
/// Longest `MESSAGE`, in bytes; with the bounds above an entry stays under
/// the 32MiB journald accepts from an unprivileged sender.
pub(crate) const MAX_MESSAGE: usize = 8 << 20;

/// The fields logfig sets itself: a key-value that maps to one of them is
/// prefixed with `KV_`, so it can neither replace nor repeat them.
const OWN_FIELDS: &[&str] = &[
    "MESSAGE",
    "PRIORITY",
    "SYSLOG_IDENTIFIER",
    "CODE_FILE",
    "CODE_LINE",
    "CODE_MODULE",
    "TID",
    "THREAD_NAME",
    "LOGGER",
];

/// Sends records to the systemd journal (`type: journald`, Linux), as
/// `journalctl` and every journal reader show them.
///
/// The logging thread writes the whole journal entry in the native protocol
/// into one buffer and queues it; a background thread named
/// `logfig-journald-<name>` sends each entry as one datagram to the socket at
/// `path`, or, when the entry is larger than a datagram may be, writes it
/// to a sealed memfd and passes that descriptor instead, as the protocol
/// provides. Values holding a newline (and all binary data) go in the
/// protocol's length-prefixed form, so a record can never add a field.
///
/// | field | value |
/// |---|---|
/// | `MESSAGE` | the formatter's text (the message by default), at most 8MiB |
/// | `PRIORITY` | the syslog severity: ERROR 3, WARNING 4, INFO 6, DEBUG and TRACE 7 |
/// | `SYSLOG_IDENTIFIER` | `syslog_identifier`, default the program's file name |
/// | `LOGGER` | the logger name (the record's target) |
/// | `CODE_FILE`, `CODE_LINE` | where the record was logged, when known |
/// | `CODE_MODULE` | the module path (`log` records carry no function name, so `CODE_FUNC` is not sent) |
/// | `TID`, `THREAD_NAME` | the logging thread's kernel id (left out for a record a `queue` relays: its worker's id is not the record's) and its name |
/// | key-values | one field each, named as below, the value as text (at most 64KiB) |
///
/// A key-value's name is upper-cased, every character other than `A`–`Z`,
/// `0`–`9` and `_` becomes `_`, it is prefixed with `KV_` when it would
/// start with a digit or `_` (fields starting with `_` are the journal's
/// trusted ones) or equal a field of the table above, and cut to 64 bytes:
/// `user.id` → `USER_ID`, `2fa` → `KV_2FA`, `message` → `KV_MESSAGE`. No
/// key-value is dropped for its name; past 256 of them the rest are left out
/// and the record counted as `oversized`.
///
/// The socket must exist when the handler starts: a missing journal is an
/// error at build time. A send that fails because journald restarted is
/// retried once on a new connection; a record it still cannot send counts
/// as failed. Sends wait at most `close_timeout`.
///
/// Statistics: `emitted`, `dropped` (the buffer was full), `failed`,
/// `oversized`, `queued`, `queued_bytes`.
///
/// # Examples
///
/// ```
/// let c = logfig::config::JournaldHandlerConfig::new("/nonexistent/journal.socket");
/// let err = logfig::__internal::JournaldHandler::start("journal", &c).unwrap_err();
/// assert!(err.to_string().contains("/nonexistent/journal.socket"));
/// ```
#[derive(Debug)]
pub struct JournaldHandler {
    worker: Worker<Fifo<Vec<u8>>>,
    /// `SYSLOG_IDENTIFIER=<identifier>\n`, written once.
    identifier: Vec<u8>,
}

/// The sending side, owned by the worker thread.
#[derive(Debug)]
struct Sender {
    path: PathBuf,
    socket: Option<UnixDatagram>,
    timeout: Duration,
}

fn connect(path: &Path, timeout: Duration) -> std::io::Result<UnixDatagram> {
    let socket = UnixDatagram::unbound()?;
    socket.connect(path)?;
    socket.set_write_timeout(Some(timeout))?;
    Ok(socket)
}

impl JournaldHandler {
    /// Connects to the journal's socket and starts the sending thread.
    ///
    /// # Errors
    ///
    /// When the socket at `path` does not exist or does not take datagrams
    /// (journald is not running), or the thread cannot be started.
    pub fn start(name: &str, config: &JournaldHandlerConfig) -> Result<JournaldHandler, Error> {
        let socket = connect(&config.path, config.worker.close_timeout).map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!(
                    "cannot reach the journal at {}: {e} (is systemd-journald running? `path` names its socket)",
                    config.path.display()
                ),
            )
        })?;
        let identifier = config
            .syslog_identifier
            .clone()
            .unwrap_or_else(super::syslog::program_name);
        let mut field = Vec::new();
        put_field(&mut field, "SYSLOG_IDENTIFIER", identifier.as_bytes());
        let sender = Sender {
            path: config.path.clone(),
            socket: Some(socket),
            timeout: config.worker.close_timeout,
        };
        let settings = Settings::new(
            "journald",
            "journald",
            name,
            config.buffer.max(1) as usize,
            &config.worker,
        );
        Ok(JournaldHandler {
            worker: Worker::start(settings, sender)?,
            identifier: field,
        })
    }
}

/// Appends one field: `NAME=value\n`, or, when the value holds a newline,
/// `NAME\n`, its length as 64-bit little-endian, the value and `\n`.
fn put_field(out: &mut Vec<u8>, name: &str, value: &[u8]) {
    out.extend_from_slice(name.as_bytes());
    if value.contains(&b'\n') {
        out.push(b'\n');
        out.extend_from_slice(&(value.len() as u64).to_le_bytes());
    } else {
        out.push(b'=');
    }
    out.extend_from_slice(value);
    out.push(b'\n');
}

/// The journal field name of key `key`, by the rules of [`JournaldHandler`].
pub(crate) fn field_name(key: &str) -> String {
    let mut name: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    let leads_badly = !name.starts_with(|c: char| c.is_ascii_uppercase());
    if leads_badly || OWN_FIELDS.contains(&name.as_str()) {
        name.insert_str(0, "KV_");
    }
    name.truncate(MAX_NAME);
    name
}

/// `s` cut to at most `max` bytes at a character boundary.
fn cut(s: &[u8], max: usize) -> &[u8] {
    if s.len() <= max {
        return s;
    }
    // Text from `Display`: cut before a UTF-8 continuation byte.
    let mut end = max;
    while end > 0 && (s[end] & 0xc0) == 0x80 {
        end -= 1;
    }
    &s[..end]
}

thread_local! {
    /// This thread's kernel id, 0 until asked: `gettid` is a system call,
    /// made once per thread rather than once per record.
    static TID: std::cell::Cell<i32> = const { std::cell::Cell::new(0) };
}

/// The calling thread's kernel id.
fn kernel_tid() -> i32 {
    let ask = || rustix::thread::gettid().as_raw_nonzero().get();
    TID.try_with(|t| {
        if t.get() == 0 {
            t.set(ask());
        }
        t.get()
    })
    .unwrap_or_else(|_| ask())
}

fn priority(level: log::Level) -> &'static [u8] {
    match level {
        log::Level::Error => b"3",
        log::Level::Warn => b"4",
        log::Level::Info => b"6",
        log::Level::Debug | log::Level::Trace => b"7",
    }
}

impl Sender {
    /// Sends one entry: a datagram, or a sealed memfd when it is too large
    /// for one.
    fn send(&mut self, entry: &[u8]) -> std::io::Result<()> {
        let socket = match &self.socket {
            Some(s) => s,
            None => self.socket.insert(connect(&self.path, self.timeout)?),
        };
        match socket.send(entry) {
            Ok(_) => Ok(()),
            Err(e)
                if e.raw_os_error() == Some(libc::EMSGSIZE)
                    || e.raw_os_error() == Some(libc::ENOBUFS) =>
            {
                send_memfd(socket, entry)
            }
            Err(e) => Err(e),
        }
    }
}

/// Writes `entry` into a memfd, seals it against any change, and passes
/// the descriptor in an otherwise empty datagram (SCM_RIGHTS): journald
/// reads the entry from it.
fn send_memfd(socket: &UnixDatagram, entry: &[u8]) -> std::io::Result<()> {
    let fd = rustix::fs::memfd_create(
        "logfig-journal-entry",
        MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING,
    )?;
    let mut file = std::fs::File::from(fd);
    file.write_all(entry)?;
    rustix::fs::fcntl_add_seals(
        &file,
        SealFlags::SHRINK | SealFlags::GROW | SealFlags::WRITE | SealFlags::SEAL,
    )?;
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(1))];
    let mut control = SendAncillaryBuffer::new(&mut space);
    let fds = [std::os::fd::AsFd::as_fd(&file)];
    control.push(SendAncillaryMessage::ScmRights(&fds));
    rustix::net::sendmsg(socket, &[], &mut control, SendFlags::empty())?;
    Ok(())
}

type Entries = Fifo<Vec<u8>>;

impl Output for Sender {
    type Backlog = Entries;

    fn deliver(&mut self, batch: &mut Entries, ctx: &Ctx<'_, Entries>) {
        while let Some(entry) = batch.pop_front() {
            let mut result = self.send(&entry);
            if result.is_err() {
                // journald restarted (a new socket at the same path): one
                // more try on a new connection.
                self.socket = None;
                result = self.send(&entry);
            }
            match result {
                Ok(()) => ctx.emitted(1),
                Err(e) => {
                    self.socket = None;
                    ctx.failed(1, || {
                        format!(
                            "{}: sending to {} failed: {e}; the record counts as failed",
                            ctx.label(),
                            self.path.display()
                        )
                    });
                }
            }
            if ctx.too_late(batch.len() as u64) {
                batch.clear();
                return;
            }
        }
    }
}

impl Handler for JournaldHandler {
    fn emit(&self, entry: &Entry<'_>, formatter: &dyn Formatter) -> Result<(), Error> {
        let record = entry.record();
        let mut out = Vec::with_capacity(256);
        let mut oversized = false;
        crate::formatters::with_scratch(|text| {
            formatter.format(entry, text)?;
            let message = cut(text, MAX_MESSAGE);
            oversized |= message.len() < text.len();
            put_field(&mut out, "MESSAGE", message);
            Ok::<_, Error>(())
        })?;
        put_field(&mut out, "PRIORITY", priority(record.level()));
        out.extend_from_slice(&self.identifier);
        put_field(&mut out, "LOGGER", record.target().as_bytes());
        if let Some(file) = record.file() {
            put_field(&mut out, "CODE_FILE", file.as_bytes());
        }
        if let Some(line) = record.line() {
            put_field(&mut out, "CODE_LINE", line.to_string().as_bytes());
        }
        if let Some(module) = record.module_path() {
            put_field(&mut out, "CODE_MODULE", module.as_bytes());
        }
        // A copy relayed by a worker is emitted on the worker's thread,
        // whose id is not the record's: no TID rather than a wrong one.
        if entry.on_logging_thread() {
            put_field(&mut out, "TID", kernel_tid().to_string().as_bytes());
        }
        if let Some(name) = entry.thread_name() {
            put_field(&mut out, "THREAD_NAME", name.as_bytes());
        }

        struct Fields<'o> {
            out: &'o mut Vec<u8>,
            count: usize,
            oversized: bool,
        }
        impl<'kvs> log::kv::VisitSource<'kvs> for Fields<'_> {
            fn visit_pair(
                &mut self,
                key: log::kv::Key<'kvs>,
                value: log::kv::Value<'kvs>,
            ) -> Result<(), log::kv::Error> {
                if self.count >= MAX_FIELDS {
                    self.oversized = true;
                    return Ok(());
                }
                self.count += 1;
                let text = match value.to_borrowed_str() {
                    Some(s) => std::borrow::Cow::Borrowed(s),
                    None => std::borrow::Cow::Owned(value.to_string()),
                };
                let v = cut(text.as_bytes(), MAX_VALUE);
                self.oversized |= v.len() < text.len();
                put_field(self.out, &field_name(key.as_str()), v);
                Ok(())
            }
        }
        let mut fields = Fields {
            out: &mut out,
            count: 0,
            oversized,
        };
        let _ = record.key_values().visit(&mut fields);
        if fields.oversized {
            self.worker.count_oversized();
        }
        self.worker.send(out)
    }

    worker_handler_methods!(worker);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_follow_the_documented_mapping() {
        for (key, name) in [
            ("user.id", "USER_ID"),
            ("userId", "USERID"),
            ("2fa", "KV_2FA"),
            ("_PID", "KV__PID"),
            ("message", "KV_MESSAGE"),
            ("", "KV_"),
            ("clé", "CL_"),
        ] {
            assert_eq!(field_name(key), name, "{key}");
        }
        assert_eq!(field_name(&"a".repeat(100)).len(), MAX_NAME);
    }

    #[test]
    fn values_with_newlines_take_the_binary_form() {
        let mut out = Vec::new();
        put_field(&mut out, "A", b"one");
        put_field(&mut out, "B", b"x\ny");
        let mut want = b"A=one\nB\n".to_vec();
        want.extend_from_slice(&3u64.to_le_bytes());
        want.extend_from_slice(b"x\ny\n");
        assert_eq!(out, want);
    }

    #[test]
    fn cuts_never_split_a_character() {
        assert_eq!(cut("aé".as_bytes(), 2), b"a");
        assert_eq!(cut(b"abc", 5), b"abc");
    }
}
