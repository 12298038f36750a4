//! Decoding `type: console`.

use super::{Decoder, Fields};
use crate::config::{ColorMode, ConsoleHandlerConfig, HandlerConfig, Stream};
use crate::error::join;

impl Decoder<'_> {
    /// `type: console`.
    pub(super) fn console(&mut self, f: &mut Fields<'_>, path: &str) -> Option<HandlerConfig> {
        let mut c = ConsoleHandlerConfig::default();
        if let Some(n) = f.take("stream") {
            c.stream = self
                .choice(
                    n,
                    &join(path, "stream"),
                    "stream",
                    &["stdout", "stderr"],
                    &[Stream::Stdout, Stream::Stderr],
                )
                .unwrap_or_default();
        }
        if let Some(n) = f.take("color") {
            let modes = [ColorMode::Auto, ColorMode::Always, ColorMode::Never];
            c.color = self
                .choice(
                    n,
                    &join(path, "color"),
                    "color mode",
                    &["auto", "always", "never"],
                    &modes,
                )
                .unwrap_or_default();
        }
        if let Some(n) = f.take("capture") {
            c.capture = self.bool(n, &join(path, "capture")).unwrap_or_default();
        }
        c.common = self.common(f, path);
        Some(HandlerConfig::Console(c))
    }
}
