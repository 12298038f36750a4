//! Where a logger's records go, from the config alone (pure, no I/O).
//!
//! Python's rules: a target is governed by its deepest configured ancestor (or
//! the root); a logger without a level takes its nearest configured ancestor's
//! (the root's default is WARNING); its records reach its own handlers, then its
//! ancestors', up to the first `propagate: false`. The graph builder and
//! `logfig explain` both read these rules from here, so they cannot drift apart.

use crate::config::{Config, Level, segments};

/// Where a logger's effective level comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LevelSource<'a> {
    /// The logger's own `level`.
    Own,
    /// The `level` of this configured ancestor (its config name).
    Ancestor(&'a str),
    /// `root.level`.
    Root,
    /// Nothing sets one: the root's default, WARNING.
    Default,
}

/// The resolved route of one configured logger (or the root).
#[derive(Debug, Clone)]
pub(crate) struct Route<'a> {
    /// The effective level (never NOTSET).
    pub(crate) level: Level,
    pub(crate) level_source: LevelSource<'a>,
    /// The loggers whose handlers the records reach, in order: a config name,
    /// or `None` for the root; with that logger's handler names.
    pub(crate) steps: Vec<(Option<&'a str>, &'a [String])>,
    /// The logger whose `propagate: false` ended the route.
    #[cfg_attr(not(feature = "cli"), allow(dead_code))]
    // reason: read by `logfig explain` only
    pub(crate) stopped_at: Option<&'a str>,
}

/// The configured loggers by normalised name (`a.b` and `a::b` are one
/// logger; with both spelt, the later one in name order wins, which
/// validation does not forbid).
#[derive(Debug)]
pub(crate) struct Loggers<'a> {
    config: &'a Config,
    /// Sorted by key, unique. A sorted vector, not a `BTreeMap`: built once
    /// per build and searched only then, it spares the crate a B-tree
    /// compiled for this one key type.
    by_key: Vec<(Vec<&'a str>, &'a str)>,
}

impl<'a> Loggers<'a> {
    pub(crate) fn new(config: &'a Config) -> Self {
        let mut by_key: Vec<(Vec<&str>, &str)> = config
            .loggers
            .keys()
            .map(|name| (segments(name).collect(), name.as_str()))
            .filter(|(key, _): &(Vec<&str>, _)| !key.is_empty())
            .collect();
        // Stable: names of one key stay in name order, and the later wins.
        by_key.sort_by(|a, b| a.0.cmp(&b.0));
        by_key.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.1 = later.1;
            }
            same
        });
        Loggers { config, by_key }
    }

    /// The config name of the logger whose normalised name is `key`.
    fn get(&self, key: &[&str]) -> Option<&'a str> {
        let i = self
            .by_key
            .binary_search_by(|(k, _)| k.as_slice().cmp(key))
            .ok()?;
        self.by_key.get(i).map(|(_, name)| *name)
    }

    /// Every configured logger: its name segments and its config name.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&[&'a str], &'a str)> {
        self.by_key.iter().map(|(k, n)| (k.as_slice(), *n))
    }

    /// The logger that governs `target`: the deepest configured ancestor (its
    /// config name), or `None` for the root; and whether it is exactly the
    /// target's own logger (the only case where its filters apply).
    #[cfg_attr(not(feature = "cli"), allow(dead_code))] // reason: used by `logfig explain` only
    pub(crate) fn lookup(&self, target: &str) -> (Option<&'a str>, bool) {
        let segs: Vec<&str> = segments(target).collect();
        for n in (1..=segs.len()).rev() {
            if let Some(name) = self.get(&segs[..n]) {
                return (Some(name), n == segs.len());
            }
        }
        (None, segs.is_empty())
    }

    /// The root's route.
    pub(crate) fn root(&self) -> Route<'a> {
        let (level, level_source) = match self.config.root.level {
            Some(l) if l != Level::NotSet => (l, LevelSource::Root),
            _ => (Level::Warning, LevelSource::Default),
        };
        Route {
            level,
            level_source,
            steps: vec![(None, &self.config.root.handlers)],
            stopped_at: None,
        }
    }

    /// The route of the configured logger `name` (a config name).
    pub(crate) fn route(&self, name: &'a str) -> Route<'a> {
        let key: Vec<&str> = segments(name).collect();
        let own = &self.config.loggers[name];
        // Ancestors, nearest first.
        let ancestors: Vec<&'a str> = (1..key.len())
            .rev()
            .filter_map(|n| self.get(&key[..n]))
            .collect();
        let root = self.root();
        let (level, level_source) = own
            .level
            .filter(|l| *l != Level::NotSet)
            .map(|l| (l, LevelSource::Own))
            .or_else(|| {
                ancestors.iter().find_map(|a| {
                    self.config.loggers[*a]
                        .level
                        .filter(|l| *l != Level::NotSet)
                        .map(|l| (l, LevelSource::Ancestor(a)))
                })
            })
            .unwrap_or((root.level, root.level_source));
        let mut steps = vec![(Some(name), own.handlers.as_slice())];
        let mut stopped_at = (!own.propagate).then_some(name);
        for a in &ancestors {
            if stopped_at.is_some() {
                break;
            }
            let logger = &self.config.loggers[*a];
            steps.push((Some(*a), logger.handlers.as_slice()));
            if !logger.propagate {
                stopped_at = Some(*a);
            }
        }
        if stopped_at.is_none() {
            steps.extend(root.steps);
        }
        Route {
            level,
            level_source,
            steps,
            stopped_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_follow_python() {
        // JSON: the only format compiled without features.
        let config = Config::from_str(
            r#"{"version": 1, "handlers": {"h": {"type": "console"}},
                "loggers": {"a": {"level": "INFO", "handlers": ["h"], "propagate": false},
                            "a.b.c": {"handlers": ["h"]}},
                "root": {"handlers": ["h"]}}"#,
            crate::load::Format::Json,
        )
        .unwrap_or_default();
        let loggers = Loggers::new(&config);
        assert_eq!(loggers.lookup("a::b::c::d"), (Some("a.b.c"), false));
        assert_eq!(loggers.lookup("a::b"), (Some("a"), false));
        assert_eq!(loggers.lookup("a"), (Some("a"), true));
        assert_eq!(loggers.lookup("zzz"), (None, false));
        let r = loggers.route("a.b.c");
        assert_eq!(r.level, Level::Info);
        assert_eq!(r.level_source, LevelSource::Ancestor("a"));
        assert_eq!(r.steps.len(), 2);
        assert_eq!(r.stopped_at, Some("a"));
        assert_eq!(loggers.root().level_source, LevelSource::Default);
    }
}
