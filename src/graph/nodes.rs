//! The running graph: loggers in a trie of name segments, each with its
//! effective level, its own filters and the flattened chain of handlers that its
//! records reach.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::config::{Config, segments};
use crate::filters::Filter;
use crate::handlers::node::HandlerNode;

use super::names::Names;

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
    pub(crate) handlers: Names<Arc<HandlerNode>>,
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
        handlers: Names<Arc<HandlerNode>>,
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
