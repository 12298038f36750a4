//! Decoding of the network handler kinds: `tcp`, `udp`, `syslog`.

use std::collections::BTreeMap;

use super::{Decoder, Fields, join};
use crate::config::{
    ConnectionConfig, Credentials, Facility, Framing, HandlerConfig, HttpFormat, HttpHandlerConfig,
    Oversize, Secret, SecretUrl, Size, SmtpHandlerConfig, StartTls, SyslogFormat,
    SyslogHandlerConfig, SyslogTransport, TcpHandlerConfig, TlsConfig, UdpHandlerConfig,
    WorkerConfig,
};
use crate::load::node::Node;

impl Decoder<'_> {
    /// A required, non-empty `host`.
    fn host(&mut self, f: &mut Fields<'_>, path: &str) -> Option<String> {
        match f.take("host") {
            Some(n) => {
                let p = join(path, "host");
                let host = self.string(n, &p)?;
                if host.trim().is_empty() {
                    self.error(n, &p, "the host is empty");
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

    fn port(&mut self, n: &Node, path: &str) -> Option<u16> {
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

    pub(super) fn buffer_records(&mut self, f: &mut Fields<'_>, path: &str, default: u32) -> u32 {
        f.take("buffer")
            .and_then(|n| self.integer(n, &join(path, "buffer"), 1, i128::from(u32::MAX)))
            .map_or(default, |v| v as u32)
    }

    pub(super) fn positive_duration(
        &mut self,
        f: &mut Fields<'_>,
        path: &str,
        key: &'static str,
        default: std::time::Duration,
    ) -> std::time::Duration {
        let Some(n) = f.take(key) else {
            return default;
        };
        let p = join(path, key);
        match self.duration(n, &p) {
            Some(d) if d.is_zero() => {
                self.error(n, &p, format!("`{key}` must be longer than 0"));
                default
            }
            Some(d) => d,
            None => default,
        }
    }

    /// `close_timeout` and `buffer_bytes`, the bounds of every output with a
    /// background thread.
    pub(super) fn worker(&mut self, f: &mut Fields<'_>, path: &str) -> WorkerConfig {
        const MAX_CLOSE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3600);
        let mut c = WorkerConfig::default();
        c.close_timeout = self.positive_duration(f, path, "close_timeout", c.close_timeout);
        if c.close_timeout > MAX_CLOSE_TIMEOUT
            && let Some(n) = f.get("close_timeout")
        {
            self.error(
                n,
                &join(path, "close_timeout"),
                "`close_timeout` must be at most 1h: it bounds how long shutdown waits",
            );
            c.close_timeout = MAX_CLOSE_TIMEOUT;
        }
        if let Some(n) = f.take("buffer_bytes") {
            let p = join(path, "buffer_bytes");
            match self.size(n, &p) {
                Some(0) => self.error(n, &p, "`buffer_bytes` must be at least 1 byte"),
                Some(b) => c.buffer_bytes = Size(b),
                None => {}
            }
        }
        c
    }

    fn connection(&mut self, f: &mut Fields<'_>, path: &str) -> ConnectionConfig {
        let d = ConnectionConfig::default();
        let c = ConnectionConfig {
            timeout: self.positive_duration(f, path, "timeout", d.timeout),
            buffer: self.buffer_records(f, path, d.buffer),
            backoff: self.positive_duration(f, path, "backoff", d.backoff),
            max_backoff: self.positive_duration(f, path, "max_backoff", d.max_backoff),
        };
        if c.max_backoff < c.backoff
            && let Some(n) = f.get("max_backoff")
        {
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
        if let Some(n) = f.take("framing") {
            c.framing = self
                .choice(
                    n,
                    &join(path, "framing"),
                    "framing",
                    &["line", "length"],
                    &[Framing::Line, Framing::Length],
                )
                .unwrap_or_default();
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
        if let Some(n) = f.take("max_datagram") {
            let p = join(path, "max_datagram");
            match self.size(n, &p) {
                Some(b) if (1..=65_507).contains(&b) => c.max_datagram = Size(b),
                Some(b) => self.error(
                    n,
                    &p,
                    format!("{b} is out of range: a UDP datagram carries 1 to 65507 bytes"),
                ),
                None => {}
            }
        }
        if let Some(n) = f.take("oversize") {
            c.oversize = self
                .choice(
                    n,
                    &join(path, "oversize"),
                    "oversize policy",
                    &["truncate", "split"],
                    &[Oversize::Truncate, Oversize::Split],
                )
                .unwrap_or_default();
        }
        c.buffer = self.buffer_records(f, path, c.buffer);
        c.worker = self.worker(f, path);
        c.common = self.common(f, path);
        host.and(port).map(|_| HandlerConfig::Udp(c))
    }

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

    pub(super) fn http(&mut self, f: &mut Fields<'_>, path: &str) -> Option<HandlerConfig> {
        let url = match f.take("url") {
            Some(n) => Some(self.http_url(n, &join(path, "url"))?),
            None => {
                self.error_at_path(path, "missing key `url`: where records are POSTed");
                None
            }
        };
        let mut c = HttpHandlerConfig::new(url.as_ref().map_or("", |u| u.expose()));
        if let Some(n) = f.take("format") {
            c.format = self
                .choice(
                    n,
                    &join(path, "format"),
                    "body format",
                    &["json_lines", "json_array", "loki", "elasticsearch_bulk"],
                    &[
                        HttpFormat::JsonLines,
                        HttpFormat::JsonArray,
                        HttpFormat::Loki,
                        HttpFormat::ElasticsearchBulk,
                    ],
                )
                .unwrap_or_default();
        }
        if let Some(n) = f.take("batch_size") {
            c.batch_size = self
                .integer(n, &join(path, "batch_size"), 1, i128::from(u32::MAX))
                .map_or(c.batch_size, |v| v as u32);
        }
        c.flush_interval = self.positive_duration(f, path, "flush_interval", c.flush_interval);
        c.timeout = self.positive_duration(f, path, "timeout", c.timeout);
        c.headers = self.headers(f, path);
        if let Some(n) = f.take("max_retries") {
            c.max_retries = self
                .integer(n, &join(path, "max_retries"), 0, i128::from(u32::MAX))
                .map_or(c.max_retries, |v| v as u32);
        }
        c.backoff = self.positive_duration(f, path, "backoff", c.backoff);
        c.max_backoff = self.positive_duration(f, path, "max_backoff", c.max_backoff);
        c.buffer = self.buffer_records(f, path, c.buffer);
        if let Some(n) = f.take("credentials") {
            c.credentials = self.credentials(n, &join(path, "credentials"));
        }
        if let Some(n) = f.take("labels") {
            let p = join(path, "labels");
            let labels = self.string_map(n, &p);
            if labels.is_empty() {
                self.error(
                    n,
                    &p,
                    "Loki needs at least one stream label, such as `{job: myapp}`",
                );
            }
            c.labels = labels;
        }
        if let Some(n) = f.take("index") {
            c.index = self.string(n, &join(path, "index"));
        }
        c.tls = self.url_tls(f, path, Some(&c.url), "http");
        c.worker = self.worker(f, path);
        c.common = self.common(f, path);
        url.map(|_| HandlerConfig::Http(c))
    }

    /// `tls` of an HTTP client whose server is `url`: it needs `https://`,
    /// and the certificate must name the URL's host (no `server_name`).
    pub(super) fn url_tls(
        &mut self,
        f: &mut Fields<'_>,
        path: &str,
        url: Option<&SecretUrl>,
        kind: &str,
    ) -> Option<TlsConfig> {
        let tls = self.tls(f, path);
        if let (Some(tls), Some(n)) = (&tls, f.get("tls")) {
            let p = join(path, "tls");
            if url.is_some_and(|u| !u.expose().to_ascii_lowercase().starts_with("https://")) {
                self.error(n, &p, "TLS settings need an `https://` URL");
            } else if tls.server_name.is_some() {
                let at = match &n.value {
                    crate::load::node::Value::Map(entries) => entries
                        .iter()
                        .find(|(k, _)| k.name == "server_name")
                        .map_or(n, |(_, v)| v),
                    _ => n,
                };
                self.error(
                    at,
                    &join(&p, "server_name"),
                    format!("`server_name` is not used by `{kind}`: the certificate must name the URL's host"),
                );
            }
        }
        tls
    }

    /// An `http://` or `https://` URL with a host, never shown in messages.
    pub(super) fn http_url(&mut self, n: &Node, p: &str) -> Option<SecretUrl> {
        let url = self.secret_url(n, p)?;
        let lower = url.expose().to_ascii_lowercase();
        let host = lower
            .split_once("://")
            .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(""));
        if !(lower.starts_with("http://") || lower.starts_with("https://"))
            || host.is_none_or(str::is_empty)
        {
            // The URL itself is not shown: it may carry a password.
            self.error(
                n,
                p,
                "invalid URL: expected `http://host[:port]/path` or `https://...`",
            );
            return None;
        }
        Some(url)
    }

    /// `headers`: HTTP header names and secret values, checked so that no
    /// value can add a header.
    pub(super) fn headers(&mut self, f: &mut Fields<'_>, path: &str) -> BTreeMap<String, Secret> {
        let Some(n) = f.take("headers") else {
            return BTreeMap::new();
        };
        let p = join(path, "headers");
        let headers = self.secret_map(n, &p);
        for (k, v) in &headers {
            let bad_name = k.is_empty()
                || !k
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            if bad_name {
                self.error(n, &p, format!("invalid header name `{k}`"));
            } else if v.expose().bytes().any(|b| b == b'\r' || b == b'\n') {
                // The value is not shown: it may be a token.
                self.error(
                    n,
                    &join(&p, k),
                    "a header value must not contain a line break",
                );
            }
        }
        headers
    }

    /// An e-mail address (`a@b` or `Name <a@b>`), checked loosely here; the
    /// mail library checks it fully when the handler is built.
    fn address(&mut self, n: &Node, path: &str) -> Option<String> {
        let a = self.string(n, path)?;
        if !a.contains('@') || a.contains(['\r', '\n']) {
            self.error(
                n,
                path,
                format!("invalid e-mail address `{a}`: expected `name@example.com`"),
            );
            return None;
        }
        Some(a)
    }

    /// `{username, password}`, or Python's `[username, password]`. The
    /// password is never echoed in a message.
    fn credentials(&mut self, n: &Node, p: &str) -> Option<Credentials> {
        use crate::load::node::Value;
        let (username, password) = match &n.value {
            Value::Seq(items) if items.len() == 2 => (
                self.string(&items[0], &format!("{p}[0]")),
                self.secret(&items[1], &format!("{p}[1]")),
            ),
            Value::Map(_) => {
                let mut cf = self.fields(n, p)?;
                let username = cf
                    .take("username")
                    .and_then(|v| self.string(v, &join(p, "username")));
                let password = cf
                    .take("password")
                    .and_then(|v| self.secret(v, &join(p, "password")));
                cf.finish(self);
                (username, password)
            }
            _ => (None, None),
        };
        match (username, password) {
            (Some(u), Some(pw)) => Some(Credentials::new(u, pw.expose())),
            _ => {
                self.error(
                    n,
                    p,
                    "credentials need `username` and `password` (write them as `${VAR}`)",
                );
                None
            }
        }
    }

    pub(super) fn smtp(&mut self, f: &mut Fields<'_>, path: &str) -> Option<HandlerConfig> {
        let host = self.host(f, path);
        let from = match f.take("from") {
            Some(n) => self.address(n, &join(path, "from")),
            None => {
                self.error_at_path(path, "missing key `from`: the sender's address");
                None
            }
        };
        let to = match f.take("to") {
            Some(n) => {
                let p = join(path, "to");
                let list = self.string_list(n, &p);
                if list.is_empty() {
                    self.error(n, &p, "at least one recipient is needed");
                }
                for (i, a) in list.iter().enumerate() {
                    if !a.contains('@') {
                        self.error(
                            n,
                            &format!("{p}[{i}]"),
                            format!("invalid e-mail address `{a}`: expected `name@example.com`"),
                        );
                    }
                }
                Some(list)
            }
            None => {
                self.error_at_path(path, "missing key `to`: the recipients' addresses");
                None
            }
        };
        let mut c = SmtpHandlerConfig::new(
            host.clone().unwrap_or_default(),
            from.clone().unwrap_or_default(),
            to.clone().unwrap_or_default(),
        );
        if let Some(n) = f.take("port") {
            c.port = self.port(n, path).unwrap_or(c.port);
        }
        if let Some(n) = f.take("subject") {
            c.subject = self.string(n, &join(path, "subject")).unwrap_or(c.subject);
        }
        if let Some(n) = f.take("starttls") {
            c.starttls = self
                .choice(
                    n,
                    &join(path, "starttls"),
                    "starttls mode",
                    &["auto", "always", "never"],
                    &[StartTls::Auto, StartTls::Always, StartTls::Never],
                )
                .unwrap_or_default();
        }
        if let Some(n) = f.take("credentials") {
            c.credentials = self.credentials(n, &join(path, "credentials"));
        }
        c.window = self.positive_duration(f, path, "window", c.window);
        if let Some(n) = f.take("max_per_hour") {
            c.max_per_hour = self
                .integer(n, &join(path, "max_per_hour"), 1, i128::from(u32::MAX))
                .map_or(c.max_per_hour, |v| v as u32);
        }
        c.timeout = self.positive_duration(f, path, "timeout", c.timeout);
        c.buffer = self.buffer_records(f, path, c.buffer);
        c.worker = self.worker(f, path);
        c.common = self.common(f, path);
        host.and(from).and(to).map(|_| HandlerConfig::Smtp(c))
    }
}
