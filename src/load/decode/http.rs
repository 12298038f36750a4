//! Decoding `type: http`.

use std::collections::BTreeMap;

use super::{Decoder, Fields};
use crate::config::fields;
use crate::config::{HandlerConfig, HttpFormat, HttpHandlerConfig, Secret, SecretUrl, TlsConfig};
use crate::error::join;
use crate::load::node::Node;

impl Decoder<'_> {
    pub(super) fn http(&mut self, f: &mut Fields<'_>, path: &str) -> Option<HandlerConfig> {
        let url = match f.take("url") {
            Some(n) => Some(self.http_url(n, &join(path, "url"))?),
            None => {
                self.error_at_path(path, "missing key `url`: where records are POSTed");
                None
            }
        };
        let mut c = HttpHandlerConfig::new(url.as_ref().map_or("", |u| u.expose()));
        let formats = [
            HttpFormat::JsonLines,
            HttpFormat::JsonArray,
            HttpFormat::Loki,
            HttpFormat::ElasticsearchBulk,
        ];
        if let Some(format) = self.choice_value(f, path, fields::HTTP_FORMAT, &formats) {
            c.format = format;
        }
        c.batch_size = self.count_field(f, path, fields::BATCH_SIZE, c.batch_size);
        c.flush_interval = self.duration_field(f, path, fields::FLUSH_INTERVAL, c.flush_interval);
        c.timeout = self.duration_field(f, path, fields::TIMEOUT, c.timeout);
        c.headers = self.headers(f, path);
        c.max_retries = self.count_field(f, path, fields::MAX_RETRIES, c.max_retries);
        c.backoff = self.duration_field(f, path, fields::BACKOFF, c.backoff);
        c.max_backoff = self.duration_field(f, path, fields::MAX_BACKOFF, c.max_backoff);
        c.buffer = self.count_field(f, path, fields::BUFFER, c.buffer);
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
        if let Some(problem) = host.and_then(crate::config::url_port_problem) {
            // Not quoted either: without an `@`, a password sits where a
            // port would.
            self.error(n, p, format!("invalid URL: {problem}"));
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
}
