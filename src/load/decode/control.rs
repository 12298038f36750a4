//! Decoding of `control`, the control endpoint (issue #15).

use super::Decoder;
use crate::config::control::{MAX_CONNECTIONS, MAX_RATE, MAX_TIMEOUT};
use crate::config::{ControlConfig, ControlListen};
use crate::error::join;
use crate::load::node::Node;

impl Decoder<'_> {
    /// `control`; `None` (with an error) when it cannot be served safely.
    pub(super) fn control(&mut self, node: &Node, path: &str) -> Option<ControlConfig> {
        let mut f = self.fields(node, path)?;
        let Some(n) = f.take("listen") else {
            self.error_at_path(
                path,
                "missing key `listen`: an address such as `127.0.0.1:9009`, or `unix:/run/app/logfig.sock`",
            );
            f.finish(self);
            return None;
        };
        let p = join(path, "listen");
        let listen = self.string(n, &p)?;
        let listen = match listen.parse::<ControlListen>() {
            Ok(l) => l,
            Err(e) => {
                self.error(n, &p, e);
                return None;
            }
        };
        let mut c = ControlConfig::new(listen);
        let before = self.errors();
        if let Some(n) = f.take("token") {
            c.token = self.secret(n, &join(path, "token"));
        }
        if let Some(n) = f.take("allow_remote") {
            c.allow_remote = self
                .bool(n, &join(path, "allow_remote"))
                .unwrap_or_default();
        }
        if let Some(n) = f.take("permissions") {
            c.permissions = self
                .permissions(n, &join(path, "permissions"))
                .unwrap_or(c.permissions);
        }
        let p = join(path, "max_connections");
        let max = i128::from(MAX_CONNECTIONS);
        if let Some(v) = f
            .take("max_connections")
            .and_then(|n| self.integer(n, &p, 1, max))
        {
            c.max_connections = v as u32;
        }
        let p = join(path, "rate_limit");
        let max = i128::from(MAX_RATE);
        if let Some(v) = f
            .take("rate_limit")
            .and_then(|n| self.integer(n, &p, 1, max))
        {
            c.rate_limit = v as u32;
        }
        if let Some(n) = f.take("timeout") {
            let p = join(path, "timeout");
            match self.duration(n, &p) {
                Some(d) if d.is_zero() || d > MAX_TIMEOUT => self.error(
                    n,
                    &p,
                    format!(
                        "`timeout` must be longer than 0 and at most {}",
                        crate::config::format_duration(MAX_TIMEOUT)
                    ),
                ),
                Some(d) => c.timeout = d,
                None => {}
            }
        }
        f.finish(self);
        for (key, message) in c.problems() {
            self.error_at_path(&join(path, key), message);
        }
        (self.errors() == before).then_some(c)
    }
}
