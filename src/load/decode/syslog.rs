//! Decoding `type: syslog`.

use super::{Decoder, Fields};
use crate::config::fields;
use crate::config::{Facility, HandlerConfig, SyslogFormat, SyslogHandlerConfig, SyslogTransport};
use crate::error::join;

impl Decoder<'_> {
    pub(super) fn syslog(&mut self, f: &mut Fields<'_>, path: &str) -> Option<HandlerConfig> {
        let mut c = SyslogHandlerConfig::default();
        let transports = [
            SyslogTransport::Udp,
            SyslogTransport::Tcp,
            SyslogTransport::Relp,
            SyslogTransport::Unix,
        ];
        if let Some(transport) = self.choice_value(f, path, fields::TRANSPORT, &transports) {
            c.transport = transport;
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
        let formats = [SyslogFormat::Rfc5424, SyslogFormat::Rfc3164];
        if let Some(format) = self.choice_value(f, path, fields::SYSLOG_FORMAT, &formats) {
            c.format = format;
        }
        if let Some(facility) = self.choice_value(f, path, fields::FACILITY, Facility::ALL) {
            c.facility = facility;
        }
        for (field, slot) in [
            (fields::APP_NAME, &mut c.app_name),
            (fields::HOSTNAME, &mut c.hostname),
            (fields::PROCID, &mut c.procid),
        ] {
            if let Some(token) = self.token_value(f, path, field) {
                *slot = Some(token);
            }
        }
        if let Some(sd_id) = self.token_value(f, path, fields::SD_ID) {
            c.sd_id = sd_id;
        }
        c.max_message = self.size_field(f, path, fields::MAX_MESSAGE, c.max_message);
        c.tls = self.tls(f, path);
        let datagram_or_unix = matches!(c.transport, SyslogTransport::Udp | SyslogTransport::Unix);
        if let Some(n) = f.get("tls").filter(|_| c.tls.is_some() && datagram_or_unix) {
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
