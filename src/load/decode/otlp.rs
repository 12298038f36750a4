//! Decoding `type: otlp`.

use super::{Decoder, Fields};
use crate::config::fields;
use crate::config::{
    HandlerConfig, MAX_HEADER_VALUE, MAX_HEADERS, MAX_RESOURCE, OtlpCompression, OtlpHandlerConfig,
    OtlpProtocol,
};
use crate::error::join;

impl Decoder<'_> {
    pub(super) fn otlp(&mut self, f: &mut Fields<'_>, path: &str) -> Option<HandlerConfig> {
        let mut c = OtlpHandlerConfig::default();
        let mut ok = true;
        if let Some(n) = f.take("endpoint") {
            c.endpoint = self.http_url(n, &join(path, "endpoint"));
            ok &= c.endpoint.is_some();
        }
        let protocols = [OtlpProtocol::HttpProtobuf, OtlpProtocol::HttpJson];
        if let Some(protocol) = self.choice_value(f, path, fields::OTLP_PROTOCOL, &protocols) {
            c.protocol = protocol;
        }
        if let Some(n) = f.get("headers") {
            c.headers = self.headers(f, path);
            let p = join(path, "headers");
            if c.headers.len() > MAX_HEADERS {
                self.error(n, &p, format!("at most {MAX_HEADERS} headers"));
            }
            for (k, v) in &c.headers {
                if v.expose().len() > MAX_HEADER_VALUE {
                    self.error(
                        n,
                        &join(&p, k),
                        format!("a header value may be at most {MAX_HEADER_VALUE} bytes"),
                    );
                }
            }
        }
        let compressions = [OtlpCompression::None, OtlpCompression::Gzip];
        if let Some(compression) =
            self.choice_value(f, path, fields::OTLP_COMPRESSION, &compressions)
        {
            c.compression = compression;
        }
        c.timeout = self.duration_field(f, path, fields::TIMEOUT, c.timeout);
        c.max_batch = self.count_field(f, path, fields::MAX_BATCH, c.max_batch);
        c.max_delay = self.duration_field(f, path, fields::MAX_DELAY, c.max_delay);
        c.max_retries = self.count_field(f, path, fields::OTLP_MAX_RETRIES, c.max_retries);
        c.backoff = self.duration_field(f, path, fields::BACKOFF, c.backoff);
        c.max_backoff = self.duration_field(f, path, fields::MAX_BACKOFF, c.max_backoff);
        if let Some(n) = f.get("max_backoff").filter(|_| c.max_backoff < c.backoff) {
            self.error(
                n,
                &join(path, "max_backoff"),
                "`max_backoff` must not be shorter than `backoff`",
            );
        }
        c.buffer = self.count_field(f, path, fields::BUFFER, c.buffer);
        if let Some(n) = f.take("resource") {
            let p = join(path, "resource");
            c.resource = self.string_map(n, &p);
            if c.resource.len() > MAX_RESOURCE {
                self.error(n, &p, format!("at most {MAX_RESOURCE} resource attributes"));
            }
            if c.resource.keys().any(String::is_empty) {
                self.error(n, &p, "a resource attribute needs a name");
            }
        }
        c.tls = self.url_tls(f, path, c.endpoint.as_ref(), "otlp");
        c.worker = self.worker(f, path);
        c.common = self.common(f, path);
        ok.then_some(HandlerConfig::Otlp(c))
    }
}
