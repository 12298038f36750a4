//! Decoding of the network handler kinds: `tcp`, `udp`, `syslog`.

use super::{Decoder, Fields};
use crate::config::fields;
use crate::config::{
    ConnectionConfig, Framing, HandlerConfig, Oversize, TcpHandlerConfig, TlsConfig,
    UdpHandlerConfig,
};
use crate::error::join;
use crate::load::node::Node;

impl Decoder<'_> {
    /// A required, non-empty `host`.
    pub(super) fn host(&mut self, f: &mut Fields<'_>, path: &str) -> Option<String> {
        match f.take("host") {
            Some(n) => {
                let p = join(path, "host");
                let host = self.string(n, &p)?;
                if host.trim().is_empty() {
                    self.error(n, &p, "the host is empty");
                    return None;
                }
                // `host:port` would be looked up as a name with its port
                // (and its port never checked); an IPv6 address is a host,
                // colons and all.
                if host.contains(':') && host.parse::<std::net::Ipv6Addr>().is_err() {
                    self.error(
                        n,
                        &p,
                        format!("`{host}` holds a port: write the host alone, and the port as `port:` (1 to 65535)"),
                    );
                    return None;
                }
                Some(host)
            }
            None => {
                self.error_at_path(
                    path,
                    "missing key `host`: the server's host name or IP address",
                );
                None
            }
        }
    }

    pub(super) fn port(&mut self, n: &Node, path: &str) -> Option<u16> {
        self.integer(n, &join(path, "port"), 1, i128::from(u16::MAX))
            .map(|v| v as u16)
    }

    fn required_port(&mut self, f: &mut Fields<'_>, path: &str) -> Option<u16> {
        match f.take("port") {
            Some(n) => self.port(n, path),
            None => {
                self.error_at_path(path, "missing key `port`: the server's port");
                None
            }
        }
    }

    /// `buffer`: records (a count) waiting for a network output.
    pub(super) fn buffer_records(&mut self, f: &mut Fields<'_>, path: &str, default: u32) -> u32 {
        self.count_field(f, path, fields::BUFFER, default)
    }

    pub(super) fn connection(&mut self, f: &mut Fields<'_>, path: &str) -> ConnectionConfig {
        let d = ConnectionConfig::default();
        let c = ConnectionConfig {
            timeout: self.duration_field(f, path, fields::TIMEOUT, d.timeout),
            buffer: self.buffer_records(f, path, d.buffer),
            backoff: self.duration_field(f, path, fields::BACKOFF, d.backoff),
            max_backoff: self.duration_field(f, path, fields::MAX_BACKOFF, d.max_backoff),
        };
        if let Some(n) = f.get("max_backoff").filter(|_| c.max_backoff < c.backoff) {
            self.error(
                n,
                &join(path, "max_backoff"),
                "`max_backoff` must not be shorter than `backoff`",
            );
        }
        c
    }

    /// `tls: true | false | { ca_file, server_name, cert_file, key_file }`.
    pub(super) fn tls(&mut self, f: &mut Fields<'_>, path: &str) -> Option<TlsConfig> {
        use crate::load::node::Value;
        let n = f.take("tls")?;
        let p = join(path, "tls");
        if !matches!(n.value, Value::Map(_) | Value::Null) {
            return self.bool(n, &p).and_then(|on| on.then(TlsConfig::default));
        }
        let mut tf = self.fields(n, &p)?;
        let mut c = TlsConfig::default();
        for (key, slot) in [
            ("ca_file", &mut c.ca_file),
            ("cert_file", &mut c.cert_file),
            ("key_file", &mut c.key_file),
        ] {
            let Some(v) = tf.take(key) else { continue };
            let kp = join(&p, key);
            match self.string(v, &kp) {
                Some(s) if s.is_empty() => self.error(v, &kp, "the path is empty"),
                Some(s) => *slot = Some(s.into()),
                None => {}
            }
        }
        if let Some(v) = tf.take("server_name") {
            let kp = join(&p, "server_name");
            match self.string(v, &kp) {
                Some(s) if s.trim().is_empty() => self.error(v, &kp, "the server name is empty"),
                Some(s) => c.server_name = Some(s),
                None => {}
            }
        }
        if c.cert_file.is_some() != c.key_file.is_some() {
            let (given, missing) = if c.cert_file.is_some() {
                ("cert_file", "key_file")
            } else {
                ("key_file", "cert_file")
            };
            let at = tf.get(given).unwrap_or(n);
            self.error(
                at,
                &join(&p, given),
                format!("`{given}` needs `{missing}` too: a client certificate goes with its private key"),
            );
        }
        tf.finish(self);
        Some(c)
    }

    pub(super) fn tcp(&mut self, f: &mut Fields<'_>, path: &str) -> Option<HandlerConfig> {
        let host = self.host(f, path);
        let port = self.required_port(f, path);
        let mut c = TcpHandlerConfig::new(host.clone().unwrap_or_default(), port.unwrap_or(1));
        let framings = [Framing::Line, Framing::Length];
        if let Some(framing) = self.choice_value(f, path, fields::FRAMING, &framings) {
            c.framing = framing;
        }
        c.tls = self.tls(f, path);
        c.connection = self.connection(f, path);
        c.worker = self.worker(f, path);
        c.common = self.common(f, path);
        host.and(port).map(|_| HandlerConfig::Tcp(c))
    }

    pub(super) fn udp(&mut self, f: &mut Fields<'_>, path: &str) -> Option<HandlerConfig> {
        let host = self.host(f, path);
        let port = self.required_port(f, path);
        let mut c = UdpHandlerConfig::new(host.clone().unwrap_or_default(), port.unwrap_or(1));
        c.max_datagram = self.size_field(f, path, fields::MAX_DATAGRAM, c.max_datagram);
        let policies = [Oversize::Truncate, Oversize::Split];
        if let Some(oversize) = self.choice_value(f, path, fields::OVERSIZE, &policies) {
            c.oversize = oversize;
        }
        c.buffer = self.buffer_records(f, path, c.buffer);
        c.worker = self.worker(f, path);
        c.common = self.common(f, path);
        host.and(port).map(|_| HandlerConfig::Udp(c))
    }
}
