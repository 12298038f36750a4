//! [`SyslogHandler`]: RFC 5424 and RFC 3164 messages over UDP, TCP (octet
//! counting, RFC 6587) or the local socket, written here because the syslog
//! crates do not reconnect.

use super::HandlerStats;
use super::net::{Dest, Pipe, PipeOptions, WireFraming, cut, start_pipe, tls_setup};
use crate::config::{Escape, SyslogFormat, SyslogHandlerConfig, SyslogTransport};
use crate::entry::Entry;
use crate::error::Error;
use crate::formatters::Formatter;
use crate::formatters::escape;
use crate::handlers::Handler;

/// Sends records to a syslog server (`type: syslog`).
///
/// The logging thread renders the whole message (header, structured data, and
/// the formatter's output as MSG) and queues it; the sending thread of
/// [`TcpHandler`](crate::TcpHandler) delivers it, with the same timeout,
/// buffer and reconnect backoff.
///
/// Severity from the level: ERROR → 3 (`err`; `CRITICAL` is ERROR in Rust's
/// `log`), WARN → 4 (`warning`), INFO → 6 (`info`), DEBUG and TRACE → 7
/// (`debug`). PRI is `facility × 8 + severity`.
///
/// RFC 5424 messages carry a UTC timestamp with microseconds and, when the
/// record has key-values, one SD-ELEMENT `[sd_id key="value" ...]`: names are
/// cut to 32 characters with `=`, ` `, `]`, `"` and non-ASCII replaced by `_`,
/// values are escaped as RFC 5424 §6.3.3 asks (`"`, `\` and `]` get a
/// backslash), after their control characters were escaped as the pattern
/// formatter's `escape: lines` does (a newline becomes `\n`, sent as `\\n`,
/// which every parser reads back as `\n`). RFC 3164 messages carry local
/// time and no key-values. Messages longer than `max_message` are cut (and
/// counted in the `oversized` statistic).
///
/// Record text never splits a message: over UDP a datagram is one message,
/// over TCP octet counting (RFC 6587) and over RELP a length prefix carry the
/// message's bytes, newlines included, as data. On the local socket, whose
/// messages end at a NUL or a newline, the message's newlines, carriage
/// returns and NULs are escaped (`\n`, `\r`, `\x00`).
///
/// Statistics: `emitted`, `dropped`, `retried`, `queued`, as for `tcp`, and
/// `oversized`.
///
/// # Examples
///
/// ```
/// use logfig::{Config, Dispatcher, Format};
///
/// let server = std::net::UdpSocket::bind("127.0.0.1:0")?;
/// let port = server.local_addr()?.port();
/// let text = format!(
///     "version: 1\nhandlers:\n  sys: {{ type: syslog, port: {port}, host: 127.0.0.1, app_name: demo, hostname: web1, procid: '42' }}\nroot: {{ level: INFO, handlers: [sys] }}\n"
/// );
/// let dispatcher = Dispatcher::new(&Config::from_str(&text, Format::Yaml)?)?;
/// log::set_max_level(log::LevelFilter::Trace);
/// log::warn!(logger: dispatcher, user = "ann"; "disk low");
/// let mut buf = [0u8; 512];
/// let n = server.recv(&mut buf)?;
/// let message = std::str::from_utf8(&buf[..n])?;
/// assert!(message.starts_with("<12>1 "), "{message}"); // user.warning
/// assert!(message.ends_with(" web1 demo 42 - [logfig@32473 user=\"ann\"] disk low"), "{message}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SyslogHandler {
    pipe: Pipe,
    format: SyslogFormat,
    facility: u8,
    hostname: String,
    app_name: String,
    procid: String,
    sd_id: String,
    max_message: usize,
    /// The local socket: messages end at NUL or newline, so MSG escapes them.
    escape_breaks: bool,
}

/// The syslog severity of a level.
fn severity(level: log::Level) -> u8 {
    match level {
        log::Level::Error => 3,
        log::Level::Warn => 4,
        log::Level::Info => 6,
        log::Level::Debug | log::Level::Trace => 7,
    }
}

/// This machine's host name, or `-` (RFC 5424's NILVALUE).
fn local_hostname() -> String {
    let from_file = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok();
    let name = from_file
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default();
    printable(name.trim(), 255)
}

/// The file name of the running program, printable ASCII, at most 48 bytes.
pub(super) fn program_name() -> String {
    let exe = std::env::current_exe().ok();
    let name = exe
        .as_deref()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    printable(&name, 48)
}

/// `s` with every character outside printable ASCII (33-126) replaced by
/// `_`, cut to `max`; `-` when empty.
fn printable(s: &str, max: usize) -> String {
    let out: String = s
        .chars()
        .map(|c| if c.is_ascii_graphic() { c } else { '_' })
        .take(max)
        .collect();
    if out.is_empty() { "-".to_owned() } else { out }
}

/// Appends `[sd_id name="value" ...]` for the record's key-values, or `-`.
fn structured_data(sd_id: &str, record: &log::Record<'_>, out: &mut Vec<u8>) {
    struct Params<'o> {
        out: &'o mut Vec<u8>,
        any: bool,
        sd_id: &'o str,
    }
    impl<'kvs> log::kv::VisitSource<'kvs> for Params<'_> {
        fn visit_pair(
            &mut self,
            key: log::kv::Key<'kvs>,
            value: log::kv::Value<'kvs>,
        ) -> Result<(), log::kv::Error> {
            if !self.any {
                self.out.push(b'[');
                self.out.extend_from_slice(self.sd_id.as_bytes());
                self.any = true;
            }
            self.out.push(b' ');
            let name: String = key
                .as_str()
                .chars()
                .map(|c| {
                    if c.is_ascii_graphic() && !matches!(c, '=' | ']' | '"') {
                        c
                    } else {
                        '_'
                    }
                })
                .take(32)
                .collect();
            self.out
                .extend_from_slice(if name.is_empty() { "_" } else { &name }.as_bytes());
            self.out.extend_from_slice(b"=\"");
            let start = self.out.len();
            let _ = std::io::Write::write_fmt(self.out, format_args!("{value}"));
            escape_param(self.out, start);
            self.out.push(b'"');
            Ok(())
        }
    }
    let mut p = Params {
        out,
        any: false,
        sd_id,
    };
    let _ = record.key_values().visit(&mut p);
    if p.any {
        p.out.push(b']');
    } else {
        p.out.push(b'-');
    }
}

/// Escapes the PARAM-VALUE text at `out[start..]`: first its control
/// characters as `escape: lines` does (`\n`, `\x1b`: a value stays on one
/// line and cannot drive a terminal), then, as RFC 5424 §6.3.3 asks, `"`,
/// `\` and `]` with a backslash (so `\n` goes out as `\\n`, which strict and
/// lax parsers alike read back as `\n`).
fn escape_param(out: &mut Vec<u8>, start: usize) {
    escape::escape_from(out, start, Escape::Lines);
    let special = |b: &u8| matches!(b, b'"' | b'\\' | b']');
    let extra = out[start..].iter().filter(|b| special(b)).count();
    if extra == 0 {
        return;
    }
    // Grow once, then move each byte to its place from the back.
    let end = out.len();
    out.resize(end + extra, 0);
    let mut w = end + extra;
    for r in (start..end).rev() {
        let b = out[r];
        w -= 1;
        out[w] = b;
        if special(&b) {
            w -= 1;
            out[w] = b'\\';
        }
    }
}

impl SyslogHandler {
    /// Starts the sending thread; the connection is made at the first record.
    ///
    /// # Errors
    ///
    /// When the thread cannot be started, or the files `tls` names cannot
    /// be used (or `tls` is set without the `tls` feature).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut c = logfig::config::SyslogHandlerConfig::default();
    /// c.app_name = Some("demo".into());
    /// let h = logfig::SyslogHandler::start("sys", &c)?;
    /// assert_eq!(h.oversized(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn start(name: &str, config: &SyslogHandlerConfig) -> Result<SyslogHandler, Error> {
        let max_message = usize::try_from(config.max_message.bytes()).unwrap_or(usize::MAX);
        let dest = match config.transport {
            SyslogTransport::Tcp | SyslogTransport::Relp => Dest::Tcp {
                host: config.host.clone(),
                port: config.port,
                framing: if config.transport == SyslogTransport::Relp {
                    WireFraming::Relp
                } else {
                    WireFraming::OctetCounting
                },
                tls: tls_setup(config.tls.as_ref(), &config.host)?,
            },
            SyslogTransport::Unix => Dest::Unix {
                path: config.path.clone(),
            },
            _ => Dest::Udp {
                host: config.host.clone(),
                port: config.port,
                max: max_message.clamp(1, 65_507),
                oversize: crate::config::Oversize::Truncate,
            },
        };
        let escape_breaks = matches!(dest, Dest::Unix { .. });
        let options = PipeOptions::new(&config.connection, &config.worker);
        let pipe = start_pipe("syslog", name, dest, options)?;
        Ok(SyslogHandler {
            pipe,
            format: config.format,
            facility: config.facility.code(),
            hostname: config
                .hostname
                .as_deref()
                .map_or_else(local_hostname, |h| printable(h, 255)),
            app_name: config
                .app_name
                .as_deref()
                .map_or_else(program_name, |a| printable(a, 48)),
            procid: config
                .procid
                .as_deref()
                .map_or_else(|| std::process::id().to_string(), |p| printable(p, 128)),
            sd_id: config.sd_id.clone(),
            max_message,
            escape_breaks,
        })
    }

    /// Records longer than `max_message` that were cut.
    pub fn oversized(&self) -> u64 {
        self.pipe.oversized()
    }

    /// Renders the whole message: header, structured data, MSG.
    fn render(&self, entry: &Entry<'_>, formatter: &dyn Formatter) -> Result<Vec<u8>, Error> {
        use std::io::Write;
        let record = entry.record();
        let pri = u16::from(self.facility) * 8 + u16::from(severity(record.level()));
        let mut out = Vec::with_capacity(256);
        let time = jiff::Timestamp::try_from(entry.time()).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        match self.format {
            SyslogFormat::Rfc3164 => {
                let local = time.to_zoned_datetime(jiff::tz::TimeZone::system());
                let _ = write!(
                    out,
                    "<{pri}>{} {} {}[{}]: ",
                    local.strftime("%b %e %H:%M:%S"),
                    self.hostname,
                    self.app_name,
                    self.procid
                );
            }
            _ => {
                let _ = write!(
                    out,
                    "<{pri}>1 {} {} {} {} - ",
                    time.strftime("%Y-%m-%dT%H:%M:%S%.6fZ"),
                    self.hostname,
                    self.app_name,
                    self.procid
                );
                structured_data(&self.sd_id, record, &mut out);
                out.push(b' ');
            }
        }
        let msg = out.len();
        formatter.format(entry, &mut out)?;
        if self.escape_breaks {
            escape::escape_breaks(&mut out, msg);
        }
        if out.len() > self.max_message {
            out.truncate(cut(&out, self.max_message));
            self.pipe.count_oversized();
        }
        Ok(out)
    }
}

super::net::pipe_handler!(SyslogHandler, |this, entry, formatter| this
    .render(entry, formatter));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn param_values_are_escaped_per_rfc5424() {
        let mut out = b"x=".to_vec();
        out.extend_from_slice(r#"a"b\c]d"#.as_bytes());
        escape_param(&mut out, 2);
        assert_eq!(out, br#"x=a\"b\\c\]d"#);
        // Control characters first, as `\n` and `\x1b`, whose backslash is
        // then escaped too.
        let mut out = "a\nb\x1b[2J\u{9b}c\t".as_bytes().to_vec();
        escape_param(&mut out, 0);
        assert_eq!(out, b"a\\\\nb\\\\x1b[2J\\\\x9bc\t");
    }

    #[test]
    fn structured_data_names_are_sanitised() {
        let kvs: &[(&str, &str)] = &[("a b", "x"), ("q]\"=", "y")];
        let record = log::Record::builder()
            .args(format_args!("m"))
            .key_values(&kvs)
            .build();
        let mut out = Vec::new();
        structured_data("x@1", &record, &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), r#"[x@1 a_b="x" q___="y"]"#);
        let bare = log::Record::builder().args(format_args!("m")).build();
        let mut out = Vec::new();
        structured_data("x@1", &bare, &mut out);
        assert_eq!(out, b"-");
    }

    #[test]
    fn severities_follow_the_documented_mapping() {
        assert_eq!(severity(log::Level::Error), 3);
        assert_eq!(severity(log::Level::Warn), 4);
        assert_eq!(severity(log::Level::Info), 6);
        assert_eq!(severity(log::Level::Trace), 7);
    }
}
