//! Decoding `type: syslog`.

use super::{Decoder, Fields};
use crate::config::{
    Facility, HandlerConfig, Size, SyslogFormat, SyslogHandlerConfig, SyslogTransport,
};
use crate::error::join;

impl Decoder<'_> {
    pub(super) fn syslog(&mut self, f: &mut Fields<'_>, path: &str) -> Option<HandlerConfig> {
        let mut c = SyslogHandlerConfig::default();
        if let Some(n) = f.take("transport") {
            c.transport = self
                .choice(
                    n,
                    &join(path, "transport"),
                    "syslog transport",
                    &["udp", "tcp", "relp", "unix"],
                    &[
                        SyslogTransport::Udp,
                        SyslogTransport::Tcp,
                        SyslogTransport::Relp,
                        SyslogTransport::Unix,
                    ],
                )
                .unwrap_or_default();
        }
        if f.has("host") {
            c.host = self.host(f, path).unwrap_or(c.host);
        } else {
            f.take("host");
        }
        if let Some(n) = f.take("port") {
            c.port = self.port(n, path).unwrap_or(c.port);
        }
        if let Some(n) = f.take("path") {
            let p = join(path, "path");
            match self.string(n, &p) {
                Some(s) if s.is_empty() => self.error(n, &p, "the path is empty"),
                Some(s) => c.path = s.into(),
                None => {}
            }
        }
        if let Some(n) = f.take("format") {
            c.format = self
                .choice(
                    n,
                    &join(path, "format"),
                    "syslog format",
                    &["rfc5424", "rfc3164"],
                    &[SyslogFormat::Rfc5424, SyslogFormat::Rfc3164],
                )
                .unwrap_or_default();
        }
        if let Some(n) = f.take("facility") {
            c.facility = self
                .choice(
                    n,
                    &join(path, "facility"),
                    "facility",
                    Facility::NAMES,
                    Facility::ALL,
                )
                .unwrap_or_default();
        }
        for (key, slot, max) in [
            ("app_name", &mut c.app_name, 48),
            ("hostname", &mut c.hostname, 255),
            ("procid", &mut c.procid, 128),
        ] {
            let Some(n) = f.take(key) else { continue };
            let p = join(path, key);
            if let Some(s) = self.string(n, &p) {
                if s.is_empty() || s.len() > max || !s.bytes().all(|b| (33..=126).contains(&b)) {
                    self.error(
                        n,
                        &p,
                        format!("invalid {key} `{s}`: expected 1 to {max} printable ASCII characters without spaces (RFC 5424)"),
                    );
                } else {
                    *slot = Some(s);
                }
            }
        }
        if let Some(n) = f.take("sd_id") {
            let p = join(path, "sd_id");
            if let Some(s) = self.string(n, &p) {
                let valid = !s.is_empty()
                    && s.len() <= 32
                    && s.bytes()
                        .all(|b| (33..=126).contains(&b) && !b"= ]\"".contains(&b));
                if valid {
                    c.sd_id = s;
                } else {
                    self.error(
                        n,
                        &p,
                        format!("invalid SD-ID `{s}`: expected 1 to 32 printable ASCII characters without `=`, `]`, `\"` or spaces, such as `myapp@32473`"),
                    );
                }
            }
        }
        if let Some(n) = f.take("max_message") {
            let p = join(path, "max_message");
            match self.size(n, &p) {
                Some(b) if b >= 480 => c.max_message = Size(b),
                Some(b) => self.error(
                    n,
                    &p,
                    format!(
                        "{b} is too small: syslog servers accept at least 480 bytes (RFC 5424 §6.1)"
                    ),
                ),
                None => {}
            }
        }
        c.tls = self.tls(f, path);
        if c.tls.is_some()
            && matches!(c.transport, SyslogTransport::Udp | SyslogTransport::Unix)
            && let Some(n) = f.get("tls")
        {
            self.error(
                n,
                &join(path, "tls"),
                "TLS needs a stream: set `transport: tcp` (RFC 5425) or `transport: relp`",
            );
        }
        if !f.has("port") {
            c.port = match (c.transport, &c.tls) {
                (SyslogTransport::Relp, _) => 20514,
                (SyslogTransport::Tcp, Some(_)) => 6514,
                _ => c.port,
            };
        }
        c.connection = self.connection(f, path);
        c.worker = self.worker(f, path);
        c.common = self.common(f, path);
        Some(HandlerConfig::Syslog(c))
    }
}
