//! What the control endpoint reads of a running dispatcher (feature
//! `control`, issue #15): the overrides with their remaining time, and the
//! level a name gets. The targets seen since start are `graph::seen`'s.

use std::time::{Duration, Instant};

use super::Dispatcher;
use crate::config::Level;

/// One runtime override, for display.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OverrideView {
    /// The normalised name (`a.b`); `""` is the root.
    pub(crate) name: String,
    pub(crate) level: Level,
    /// Time left before it reverts; `None`: until cleared.
    pub(crate) remaining: Option<Duration>,
}

impl Dispatcher {
    /// The level overrides now in force.
    pub(crate) fn overrides(&self) -> Vec<OverrideView> {
        let now = Instant::now();
        self.lock_state()
            .levels
            .iter()
            .filter(|(_, o)| o.expires.is_none_or(|e| e > now))
            .map(|(name, o)| OverrideView {
                name: name.clone(),
                level: o.level,
                remaining: o.expires.map(|e| e.saturating_duration_since(now)),
            })
            .collect()
    }

    /// The level that records of `target` pass at, in the running graph.
    pub(crate) fn effective_level(&self, target: &str) -> log::LevelFilter {
        self.shared.graph.load().level_of(target)
    }
}

/// `name` as overrides key it (`a::b` → `a.b`, `root` → `""`).
pub(crate) fn normal(name: &str) -> String {
    super::overrides::normal(name)
}
