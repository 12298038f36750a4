//! Decoding `type: http`.

use super::{Decoder, Fields};
use crate::config::fields;
use crate::config::{HandlerConfig, HttpFormat, HttpHandlerConfig};
use crate::error::join;

impl Decoder<'_> {
    pub(super) fn http(&mut self, f: &mut Fields<'_>, path: &str) -> Option<HandlerConfig> {
        let url = match f.take("url") {
            Some(n) => {
                let p = join(path, "url");
                let url = self.secret_url(n, &p)?;
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
                        &p,
                        "invalid URL: expected `http://host[:port]/path` or `https://...`",
                    );
                    return None;
                }
                Some(url)
            }
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
        c.batch_size = self.count_field(f, path, fields::BATCH_SIZE, c.batch_size);
        c.flush_interval = self.duration_field(f, path, fields::FLUSH_INTERVAL, c.flush_interval);
        c.timeout = self.duration_field(f, path, fields::TIMEOUT, c.timeout);
        if let Some(n) = f.take("headers") {
            let p = join(path, "headers");
            c.headers = self.secret_map(n, &p);
            for (k, v) in &c.headers {
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
        }
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
        c.tls = self.tls(f, path);
        if let (Some(tls), Some(n)) = (&c.tls, f.get("tls")) {
            let p = join(path, "tls");
            if !c.url.expose().to_ascii_lowercase().starts_with("https://") {
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
                    "`server_name` is not used by `http`: the certificate must name the URL's host",
                );
            }
        }
        c.worker = self.worker(f, path);
        c.common = self.common(f, path);
        url.map(|_| HandlerConfig::Http(c))
    }
}
