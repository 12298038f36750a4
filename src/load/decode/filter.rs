//! Decoding `filters.<name>`.

use super::Decoder;
use crate::config::fields;
use crate::config::{
    DedupFilterConfig, FilterAction, FilterConfig, LevelFilterConfig, NameFilterConfig,
    RateLimitFilterConfig, RegexFilterConfig,
};
use crate::error::join;
use crate::load::node::Node;

impl Decoder<'_> {
    pub(super) fn filter(&mut self, node: &Node, path: &str) -> Option<FilterConfig> {
        let mut f = self.fields(node, path)?;
        let default = (!f.has("type") && f.has("name")).then_some("name");
        let kind = self.kind(&mut f, "filter", FilterConfig::TYPES, default)?;
        let filter = match kind.as_str() {
            "level" => Some(FilterConfig::Level(LevelFilterConfig {
                min: self.level_value(&mut f, path, fields::MIN),
                max: self.level_value(&mut f, path, fields::MAX),
            })),
            "name" => {
                let mut c = NameFilterConfig::default();
                if let Some(n) = f.take("name") {
                    c.name = self.string(n, &join(path, "name")).unwrap_or_default();
                }
                Some(FilterConfig::Name(c))
            }
            "regex" => {
                let pattern = match f.take("pattern") {
                    Some(n) => self.string(n, &join(path, "pattern")),
                    None => {
                        self.error_at_path(
                            path,
                            "missing key `pattern`: the regular expression to match",
                        );
                        None
                    }
                };
                let actions = [FilterAction::Allow, FilterAction::Deny];
                let action = self
                    .choice_value(&mut f, path, fields::ACTION, &actions)
                    .unwrap_or(FilterAction::Allow);
                pattern.map(|pattern| FilterConfig::Regex(RegexFilterConfig { pattern, action }))
            }
            "rate_limit" => {
                let rate = match f.take("rate") {
                    Some(n) => {
                        let p = join(path, "rate");
                        match self.number(n, &p, 0.0) {
                            Some(0.0) => {
                                self.error(n, &p, "`rate` must be above 0 records a second");
                                None
                            }
                            r => r,
                        }
                    }
                    None => {
                        self.error_at_path(
                            path,
                            "missing key `rate`: how many records a second pass on average",
                        );
                        None
                    }
                };
                let mut c = RateLimitFilterConfig::new(rate.unwrap_or(1.0));
                c.burst = self.count_value(&mut f, path, fields::BURST);
                if let Some(level) = self.level_value(&mut f, path, fields::RATE_LIMIT_LEVEL) {
                    c.level = level;
                }
                rate.map(|_| FilterConfig::RateLimit(c))
            }
            "dedup" => {
                let mut c = DedupFilterConfig::default();
                c.repeats = self.count_field(&mut f, path, fields::REPEATS, c.repeats);
                c.window = self.duration_field(&mut f, path, fields::DEDUP_WINDOW, c.window);
                Some(FilterConfig::Dedup(c))
            }
            _ => None,
        };
        f.finish(self);
        filter
    }
}
