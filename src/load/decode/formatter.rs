//! Decoding `formatters.<name>`.

use super::Decoder;
use crate::config::{FormatStyle, FormatterConfig, JsonFormatterConfig, PatternFormatterConfig};
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
                if let Some(n) = f.take("style") {
                    let styles = [
                        FormatStyle::Percent,
                        FormatStyle::Brace,
                        FormatStyle::Dollar,
                    ];
                    c.style = self
                        .choice(n, &join(path, "style"), "style", &["%", "{", "$"], &styles)
                        .unwrap_or_default();
                }
                if let Some(n) = f.take("utc") {
                    c.utc = self.bool(n, &join(path, "utc")).unwrap_or_default();
                }
                if let Some(n) = f.take("validate") {
                    c.validate = self.bool(n, &join(path, "validate")).unwrap_or(true);
                }
                if let Some(n) = f.take("defaults") {
                    c.defaults = self.string_map(n, &join(path, "defaults"));
                }
                if let Some(n) = f.take("escape") {
                    use crate::config::Escape;
                    let modes = [Escape::Control, Escape::Lines, Escape::None];
                    c.escape = self
                        .choice(n, &join(path, "escape"), "escape", Escape::NAMES, &modes)
                        .unwrap_or_default();
                }
                if let Some(n) = f.take("missing") {
                    use crate::config::MissingField;
                    let modes = [MissingField::Refuse, MissingField::LoggingError];
                    c.missing = self
                        .choice(
                            n,
                            &join(path, "missing"),
                            "missing",
                            MissingField::NAMES,
                            &modes,
                        )
                        .unwrap_or_default();
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
                if let Some(n) = f.take("flatten_kv") {
                    c.flatten_kv = self.bool(n, &join(path, "flatten_kv")).unwrap_or_default();
                }
                if let Some(n) = f.take("datefmt") {
                    c.datefmt = self.string(n, &join(path, "datefmt"));
                }
                if let Some(n) = f.take("utc") {
                    c.utc = self.bool(n, &join(path, "utc")).unwrap_or(c.utc);
                }
                FormatterConfig::Json(c)
            }
            _ => return None,
        };
        f.finish(self);
        Some(formatter)
    }
}
