//! The running graph: loggers in a trie of name segments, each with its
//! effective level, its own filters and the flattened chain of handlers that its
//! records reach.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::config::{Config, HandlerConfig, segments};
use crate::filters::Filter;
use crate::formatters::Formatter;
use crate::handlers::Handler;

/// One configured logger, with everything resolved at build time.
#[derive(Debug)]
pub(crate) struct LoggerNode {
    pub(crate) name: Box<str>,
    /// The effective level: this logger's, else the nearest ancestor's.
    pub(crate) level: log::LevelFilter,
    /// Applied only to records logged at exactly this logger (Python's rule).
    pub(crate) filters: Vec<Arc<dyn Filter>>,
    /// This logger's handlers, then its ancestors', up to the first
    /// `propagate: false`.
    pub(crate) chain: Vec<Arc<HandlerNode>>,
}

/// A handler with the settings that may change without replacing it.
#[derive(Debug)]
pub(crate) struct HandlerNode {
    pub(crate) name: String,
    pub(crate) level: log::LevelFilter,
    pub(crate) filters: Vec<Arc<dyn Filter>>,
    pub(crate) formatter: Arc<dyn Formatter>,
    pub(crate) handler: Arc<dyn Handler>,
    /// The kind-specific config (level, formatter and filters cleared): equal
    /// configs share one handler instance across reloads.
    pub(crate) identity: HandlerConfig,
    /// Limits the reports of this handler's errors.
    pub(crate) errors: RateLimit,
    /// Limits the reports of this handler's panics.
    pub(crate) panics: RateLimit,
    /// Set once the first panic was reported (with its full explanation).
    pub(crate) panics_reported: AtomicBool,
    /// Records whose `emit` returned an error or panicked, counted by the
    /// runtime for every kind (custom handlers too) and added to the
    /// handler's own `failed` in `stats`. Shared with the node that replaces
    /// this one when a reload keeps the handler, and with the `Target`s of
    /// queues and memory handlers that write to it, so it counts as long as
    /// the handler lives.
    pub(crate) failed: Arc<AtomicU64>,
}

/// At most one report a second: what a handler that fails (or panics) on
/// every record may print, with a count of what it did not.
#[derive(Debug, Default)]
pub(crate) struct RateLimit {
    /// The second of the last report (Unix time); 0 before the first.
    last: AtomicU64,
    /// Events since the last report that were not reported.
    suppressed: AtomicU64,
}

impl RateLimit {
    /// Whether a report is due at `now_secs`; if so, how many events were
    /// suppressed since the last one. Counts the event otherwise.
    pub(crate) fn due(&self, now_secs: u64) -> Option<u64> {
        let last = self.last.load(Ordering::Relaxed);
        if last != now_secs
            && self
                .last
                .compare_exchange(last, now_secs, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            Some(self.suppressed.swap(0, Ordering::Relaxed))
        } else {
            self.suppressed.fetch_add(1, Ordering::Relaxed);
            None
        }
    }
}

impl HandlerNode {
    pub(crate) fn new(
        name: String,
        level: log::LevelFilter,
        filters: Vec<Arc<dyn Filter>>,
        formatter: Arc<dyn Formatter>,
        handler: Arc<dyn Handler>,
        identity: HandlerConfig,
    ) -> Self {
        HandlerNode {
            name,
            level,
            filters,
            formatter,
            handler,
            identity,
            errors: RateLimit::default(),
            panics: RateLimit::default(),
            panics_reported: AtomicBool::new(false),
            failed: Arc::new(AtomicU64::new(0)),
        }
    }

    /// This node, counting failures on `failed` (the counter of the node it
    /// replaces, for a handler that a reload keeps).
    pub(crate) fn counting_on(mut self, failed: Arc<AtomicU64>) -> Self {
        self.failed = failed;
        self
    }

    /// The handler's counters, with the failures the runtime counted.
    pub(crate) fn stats(&self) -> crate::handlers::HandlerStats {
        let mut stats = self.handler.stats();
        stats.failed = stats
            .failed
            .saturating_add(self.failed.load(Ordering::Relaxed));
        stats
    }
}

#[derive(Debug, Default)]
struct TrieNode {
    children: HashMap<Box<str>, u32>,
    logger: Option<u32>,
}

/// A built logger graph. Immutable once built; a reload builds a new one.
#[derive(Debug)]
pub(crate) struct Graph {
    pub(crate) config: Config,
    trie: Vec<TrieNode>,
    /// `loggers[0]` is the root logger.
    pub(crate) loggers: Vec<LoggerNode>,
    pub(crate) handlers: BTreeMap<String, Arc<HandlerNode>>,
    pub(crate) max_level: log::LevelFilter,
    /// Loggers muted by `disable_existing_loggers` (normalised names).
    pub(crate) disabled: Vec<String>,
    /// Unique in the process: keys the per-thread decision cache.
    pub(crate) epoch: u64,
}

static NEXT_EPOCH: AtomicU64 = AtomicU64::new(1);

/// A new, never used epoch (0 is never handed out: the run-time cache marks an empty slot with it).
pub(crate) fn next_epoch() -> u64 {
    NEXT_EPOCH.fetch_add(1, Ordering::Relaxed)
}

/// What the graph of one epoch decided for one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decision {
    pub(crate) level: log::LevelFilter,
    pub(crate) logger: u32,
    pub(crate) exact: bool,
}

impl Graph {
    /// A graph from resolved loggers; `loggers[0]` must be the root.
    pub(crate) fn new(
        config: Config,
        loggers: Vec<LoggerNode>,
        handlers: BTreeMap<String, Arc<HandlerNode>>,
    ) -> Self {
        let mut trie = vec![TrieNode {
            children: HashMap::new(),
            logger: Some(0),
        }];
        for (i, logger) in loggers.iter().enumerate().skip(1) {
            let mut cur = 0usize;
            for seg in segments(&logger.name) {
                let next = match trie[cur].children.get(seg) {
                    Some(&n) => n as usize,
                    None => {
                        trie.push(TrieNode::default());
                        let n = trie.len() - 1;
                        trie[cur].children.insert(seg.into(), n as u32);
                        n
                    }
                };
                cur = next;
            }
            trie[cur].logger = Some(i as u32);
        }
        let max_level = loggers
            .iter()
            .map(|l| l.level)
            .max()
            .unwrap_or(log::LevelFilter::Off);
        Graph {
            config,
            trie,
            loggers,
            handlers,
            max_level,
            disabled: Vec::new(),
            epoch: next_epoch(),
        }
    }

    /// The index of the logger that governs `target` (the deepest configured
    /// ancestor, or the root), and whether it is exactly `target`'s logger.
    fn lookup_index(&self, target: &str) -> (u32, bool) {
        let mut cur = 0usize;
        let mut best = 0u32;
        let mut exact = true;
        for seg in segments(target) {
            match self.trie[cur].children.get(seg) {
                Some(&next) => {
                    cur = next as usize;
                    match self.trie[cur].logger {
                        Some(l) => {
                            best = l;
                            exact = true;
                        }
                        None => exact = false,
                    }
                }
                None => {
                    exact = false;
                    break;
                }
            }
        }
        (best, exact)
    }

    /// The level `target` gets, without noting it as seen: for the control
    /// endpoint, whose queries are not the program's targets.
    #[cfg(feature = "control")]
    pub(crate) fn level_of(&self, target: &str) -> log::LevelFilter {
        self.loggers[self.lookup_index(target).0 as usize].level
    }

    /// The level decision for `target`, for the cache.
    pub(crate) fn decide(&self, target: &str) -> Decision {
        #[cfg(feature = "control")]
        super::seen::note(target);
        let (index, exact) = self.lookup_index(target);
        Decision {
            level: self.loggers[index as usize].level,
            logger: index,
            exact,
        }
    }

    /// Every distinct handler instance of the graph.
    pub(crate) fn handler_instances(&self) -> impl Iterator<Item = &Arc<HandlerNode>> {
        self.handlers.values()
    }
}
