//! Decoding `formatters.<name>`.

use super::Decoder;
use crate::config::fields;
use crate::config::{
    Escape, FormatStyle, FormatterConfig, JsonFormatterConfig, MissingField, PatternFormatterConfig,
};
use crate::error::join;
use crate::load::node::Node;

impl Decoder<'_> {
    pub(super) fn formatter(&mut self, node: &Node, path: &str) -> Option<FormatterConfig> {
        let mut f = self.fields(node, path)?;
        let kind = self.kind(&mut f, "formatter", FormatterConfig::TYPES, Some("pattern"))?;
        let formatter = match kind.as_str() {
            "pattern" => {
                let mut c = PatternFormatterConfig::default();
                if let Some(n) = f.take("format") {
                    c.format = self.string(n, &join(path, "format"));
                }
                if let Some(n) = f.take("datefmt") {
                    c.datefmt = self.string(n, &join(path, "datefmt"));
                }
                let styles = [
                    FormatStyle::Percent,
                    FormatStyle::Brace,
                    FormatStyle::Dollar,
                ];
                if let Some(style) = self.choice_value(&mut f, path, fields::STYLE, &styles) {
                    c.style = style;
                }
                if let Some(utc) = self.bool_value(&mut f, path, fields::UTC) {
                    c.utc = utc;
                }
                if let Some(validate) = self.bool_value(&mut f, path, fields::VALIDATE) {
                    c.validate = validate;
                }
                if let Some(n) = f.take("defaults") {
                    c.defaults = self.string_map(n, &join(path, "defaults"));
                }
                let modes = [Escape::Control, Escape::Lines, Escape::None];
                if let Some(escape) = self.choice_value(&mut f, path, fields::ESCAPE, &modes) {
                    c.escape = escape;
                }
                let modes = [MissingField::Refuse, MissingField::LoggingError];
                if let Some(missing) = self.choice_value(&mut f, path, fields::MISSING, &modes) {
                    c.missing = missing;
                }
                FormatterConfig::Pattern(c)
            }
            "json" => {
                let mut c = JsonFormatterConfig::default();
                if let Some(n) = f.take("fields") {
                    c.fields = self.string_list(n, &join(path, "fields"));
                }
                if let Some(n) = f.take("rename") {
                    c.rename = self.string_map(n, &join(path, "rename"));
                }
                if let Some(flatten) = self.bool_value(&mut f, path, fields::FLATTEN_KV) {
                    c.flatten_kv = flatten;
                }
                if let Some(n) = f.take("datefmt") {
                    c.datefmt = self.string(n, &join(path, "datefmt"));
                }
                if let Some(utc) = self.bool_value(&mut f, path, fields::UTC) {
                    c.utc = utc;
                }
                FormatterConfig::Json(c)
            }
            _ => return None,
        };
        f.finish(self);
        Some(formatter)
    }
}
