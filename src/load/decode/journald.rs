//! Decoding `type: journald`.

use super::{Decoder, Fields};
use crate::config::fields;
use crate::config::{HandlerConfig, JournaldHandlerConfig, MAX_IDENTIFIER};
use crate::error::join;

impl Decoder<'_> {
    pub(super) fn journald(&mut self, f: &mut Fields<'_>, path: &str) -> Option<HandlerConfig> {
        let mut c = JournaldHandlerConfig::default();
        let mut ok = true;
        if let Some(n) = f.take("path") {
            let p = join(path, "path");
            match self.string(n, &p) {
                Some(s) if s.is_empty() => {
                    self.error(n, &p, "the path is empty");
                    ok = false;
                }
                Some(s) => c.path = s.into(),
                None => ok = false,
            }
        }
        if let Some(n) = f.take("syslog_identifier") {
            let p = join(path, "syslog_identifier");
            match self.string(n, &p) {
                Some(s) if !fields::is_token(&s, MAX_IDENTIFIER, b"") => {
                    self.error(
                        n,
                        &p,
                        format!("the identifier must be 1 to {MAX_IDENTIFIER} printable ASCII characters without spaces"),
                    );
                    ok = false;
                }
                Some(s) => c.syslog_identifier = Some(s),
                None => ok = false,
            }
        }
        c.buffer = self.count_field(f, path, fields::BUFFER, c.buffer);
        c.worker = self.worker(f, path);
        c.common = self.common(f, path);
        ok.then_some(HandlerConfig::Journald(c))
    }
}
