//! Decoding `type: console`.

use super::{Decoder, Fields};
use crate::config::fields;
use crate::config::{ColorMode, ConsoleHandlerConfig, HandlerConfig, Stream};

impl Decoder<'_> {
    /// `type: console`.
    pub(super) fn console(&mut self, f: &mut Fields<'_>, path: &str) -> Option<HandlerConfig> {
        let mut c = ConsoleHandlerConfig::default();
        let streams = [Stream::Stdout, Stream::Stderr];
        if let Some(stream) = self.choice_value(f, path, fields::STREAM, &streams) {
            c.stream = stream;
        }
        let modes = [ColorMode::Auto, ColorMode::Always, ColorMode::Never];
        if let Some(color) = self.choice_value(f, path, fields::COLOR, &modes) {
            c.color = color;
        }
        if let Some(capture) = self.bool_value(f, path, fields::CAPTURE) {
            c.capture = capture;
        }
        c.common = self.common(f, path);
        Some(HandlerConfig::Console(c))
    }
}
