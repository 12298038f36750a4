//! A handler as the graph holds it ([`HandlerNode`]: with its level,
//! filters, formatter and failure count), and the one path by which a record
//! reaches it: [`HandlerNode::emit`], used by the dispatcher for every chain
//! and by the `queue` and `memory` handlers for their targets, and
//! [`HandlerNode::takes`], the same decision on metadata alone, used by the
//! `tracing` layer for a callsite's interest.
//!
//! It lives here, below the graph, because both the graph (which builds the
//! nodes) and the handlers that write to other handlers use it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::catch::Caught;
use crate::config::HandlerConfig;
use crate::entry::Entry;
use crate::error::{Error, ErrorKind};
use crate::filters::Filter;
use crate::formatters::Formatter;
use crate::handlers::{Handler, HandlerStats};

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
    /// this one when a reload keeps the handler, and with the queues and memory handlers that write to it, so it counts as long as
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
    pub(crate) fn stats(&self) -> HandlerStats {
        let mut stats = self.handler.stats();
        stats.failed = stats
            .failed
            .saturating_add(self.failed.load(Ordering::Relaxed));
        stats
    }
}

/// Why one record did not reach a handler's output; counted on the node
/// already (see [`HandlerNode::failed`]) when [`HandlerNode::emit`] passes it on.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The handler returned an error.
    Error(Error),
    /// The handler panicked; caught.
    Panic(Caught),
}

impl HandlerNode {
    /// Whether a record with `metadata` can reach this handler: its level
    /// and its filters' cheap `enabled` check. The decision of
    /// [`emit`](HandlerNode::emit) before the record exists.
    // reason: only the tracing layer asks before a record exists.
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    pub(crate) fn takes(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= self.level && self.filters.iter().all(|f| f.enabled(metadata))
    }

    /// Writes `entry` to the handler if it passes the handler's level and
    /// filters (with the records a filter adds, such as dedup's summary,
    /// written ahead of it), formatted with the handler's formatter. A
    /// failure is counted on the node, unless the handler counted it itself
    /// ([`Error::counted`]), and passed to `failed` (the caller reports it).
    ///
    /// The handler call is caught without making the thread quiet: the
    /// caller is inside the graph already, or calls through
    /// [`emit_quietly`](HandlerNode::emit_quietly).
    #[inline]
    pub(crate) fn emit(&self, entry: &Entry<'_>, mut failed: impl FnMut(Failure)) {
        if entry.record().level() > self.level {
            return;
        }
        if self
            .filters
            .iter()
            .all(|f| f.check(entry, &mut |e| self.write(e, &mut failed)))
        {
            self.write(entry, &mut failed);
        }
    }

    /// Formats and writes one record, catching a panic and counting a failure.
    #[inline(always)] // reason: the body of `emit`, once per handler of a chain
    fn write(&self, entry: &Entry<'_>, failed: &mut impl FnMut(Failure)) {
        match crate::catch::caught(|| self.handler.emit(entry, &*self.formatter)) {
            Ok(Ok(())) => {}
            // Counted in the error arms only: the success path pays nothing.
            Ok(Err(e)) => {
                if !e.is_counted() {
                    self.failed.fetch_add(1, Ordering::Relaxed);
                }
                failed(Failure::Error(e));
            }
            Err(caught) => {
                self.failed.fetch_add(1, Ordering::Relaxed);
                failed(Failure::Panic(caught));
            }
        }
    }

    /// [`emit`](HandlerNode::emit) from a thread that may be outside the
    /// graph (a queue's worker, a memory handler's flush): the first failure
    /// comes back as an error naming this handler, marked as counted so that
    /// the queue or memory handler returning it does not count it again. A
    /// panic of a filter is caught, and counted, too.
    pub(crate) fn emit_quietly(&self, entry: &Entry<'_>) -> Result<(), Error> {
        let mut first = None;
        let emitted = crate::catch::quietly(|| {
            self.emit(entry, |f| {
                first.get_or_insert(f);
            })
        });
        let failure = match emitted {
            Ok(()) => first,
            Err(caught) => {
                self.failed.fetch_add(1, Ordering::Relaxed);
                Some(Failure::Panic(caught))
            }
        };
        match failure {
            None => Ok(()),
            Some(Failure::Error(e)) => {
                let wrapped =
                    Error::new(ErrorKind::Handler, format!("handler `{}`: {e}", self.name))
                        .counted();
                // Reported already (CPython's logging error): only counted.
                Err(if e.is_reported() {
                    wrapped.reported()
                } else {
                    wrapped
                })
            }
            Some(Failure::Panic(caught)) => Err(Error::new(
                ErrorKind::Handler,
                format!("handler `{}` panicked: {caught}", self.name),
            )
            .counted()),
        }
    }

    /// Flushes the handler from a thread that may be outside the graph,
    /// catching a panic.
    pub(crate) fn flush_quietly(&self) -> Result<(), Error> {
        crate::catch::quietly(|| self.handler.flush()).unwrap_or_else(|caught| {
            Err(Error::new(
                ErrorKind::Handler,
                format!("handler `{}` panicked while flushing: {caught}", self.name),
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::NullHandlerConfig;
    use crate::handlers::CaptureHandler;

    /// A handler that fails every record: with an error, or by panicking.
    #[derive(Debug)]
    struct Failing {
        panics: bool,
    }

    impl Handler for Failing {
        fn emit(&self, _: &Entry<'_>, _: &dyn Formatter) -> Result<(), Error> {
            if self.panics {
                panic!("broken handler");
            }
            Err(Error::new(ErrorKind::Other, "disk full"))
        }
    }

    /// Passes records whose message is not "drop me", reporting a record of
    /// its own ahead of each one it passes (as dedup's summary).
    #[derive(Debug)]
    struct Announcing;

    impl Filter for Announcing {
        fn matches(&self, entry: &Entry<'_>) -> bool {
            entry.record().args().to_string() != "drop me"
        }

        fn check(&self, entry: &Entry<'_>, report: &mut dyn FnMut(&Entry<'_>)) -> bool {
            let pass = self.matches(entry);
            if pass {
                let record = log::Record::builder()
                    .args(format_args!("announced"))
                    .level(log::Level::Warn)
                    .build();
                report(&Entry::new(&record));
            }
            pass
        }
    }

    fn node(handler: Arc<dyn Handler>, filters: Vec<Arc<dyn Filter>>) -> HandlerNode {
        HandlerNode::new(
            "h".into(),
            log::LevelFilter::Info,
            filters,
            Arc::new(crate::formatters::PatternFormatter::message_only()),
            handler,
            HandlerConfig::Null(NullHandlerConfig::default()),
        )
    }

    fn emit(node: &HandlerNode, level: log::Level, message: &str) -> Vec<Failure> {
        let mut failures = Vec::new();
        let _graph = crate::catch::enter_graph();
        node.emit(
            &Entry::new(
                &log::Record::builder()
                    .args(format_args!("{message}"))
                    .level(level)
                    .build(),
            ),
            |f| failures.push(f),
        );
        failures
    }

    #[test]
    fn emit_applies_the_level_and_the_filters_with_their_records() {
        let capture = CaptureHandler::new();
        let node = node(Arc::new(capture.clone()), vec![Arc::new(Announcing)]);
        assert!(emit(&node, log::Level::Debug, "below the level").is_empty());
        assert!(emit(&node, log::Level::Info, "drop me").is_empty());
        assert!(emit(&node, log::Level::Info, "kept").is_empty());
        assert_eq!(capture.lines(), ["announced", "kept"]);
        let meta = |level| log::Metadata::builder().level(level).build();
        assert!(node.takes(&meta(log::Level::Info)));
        assert!(!node.takes(&meta(log::Level::Debug)));
    }

    #[test]
    fn a_failure_is_counted_once_and_passed_on() {
        let erring = node(Arc::new(Failing { panics: false }), Vec::new());
        let failures = emit(&erring, log::Level::Error, "x");
        assert!(matches!(&failures[..], [Failure::Error(e)] if e.to_string() == "disk full"));
        let panicking = node(Arc::new(Failing { panics: true }), Vec::new());
        let failures = emit(&panicking, log::Level::Error, "x");
        assert!(
            matches!(&failures[..], [Failure::Panic(c)] if c.to_string().starts_with("broken handler"))
        );
        assert_eq!(erring.stats().failed, 1);
        assert_eq!(panicking.stats().failed, 1);
    }

    #[test]
    fn emit_quietly_names_the_handler_and_marks_the_error_counted() {
        crate::catch::install();
        let record = log::Record::builder()
            .args(format_args!("x"))
            .level(log::Level::Error)
            .build();
        let entry = Entry::new(&record);
        let erring = node(Arc::new(Failing { panics: false }), Vec::new());
        let e = erring.emit_quietly(&entry).unwrap_err();
        assert_eq!(e.to_string(), "handler `h`: disk full");
        assert!(e.is_counted());
        let panicking = node(Arc::new(Failing { panics: true }), Vec::new());
        let e = panicking.emit_quietly(&entry).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("handler `h` panicked: broken handler"),
            "{e}"
        );
        assert!(e.is_counted());
        assert_eq!(erring.stats().failed + panicking.stats().failed, 2);
    }
}
