//! Decoding `type: smtp`.

use super::{Decoder, Fields};
use crate::config::fields;
use crate::config::{Credentials, HandlerConfig, SmtpHandlerConfig, StartTls};
use crate::error::join;
use crate::load::node::Node;

impl Decoder<'_> {
    /// An e-mail address (`a@b` or `Name <a@b>`), checked loosely here; the
    /// mail library checks it fully when the handler is built.
    pub(super) fn address(&mut self, n: &Node, path: &str) -> Option<String> {
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
    pub(super) fn credentials(&mut self, n: &Node, p: &str) -> Option<Credentials> {
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
        let modes = [StartTls::Auto, StartTls::Always, StartTls::Never];
        if let Some(starttls) = self.choice_value(f, path, fields::STARTTLS, &modes) {
            c.starttls = starttls;
        }
        if let Some(n) = f.take("credentials") {
            c.credentials = self.credentials(n, &join(path, "credentials"));
        }
        c.window = self.duration_field(f, path, fields::WINDOW, c.window);
        c.max_per_hour = self.count_field(f, path, fields::MAX_PER_HOUR, c.max_per_hour);
        c.timeout = self.duration_field(f, path, fields::TIMEOUT, c.timeout);
        c.buffer = self.count_field(f, path, fields::BUFFER, c.buffer);
        c.worker = self.worker(f, path);
        c.common = self.common(f, path);
        host.and(from).and(to).map(|_| HandlerConfig::Smtp(c))
    }
}
