//! Logs in tests: shown for failing tests only, and records to assert on.
//!
//! [`init`] installs, once per process, a logger whose console output goes
//! through `eprint!`, which `cargo test` captures per test (as it captures
//! `println!`): a passing test's log lines stay out of the report, a failing
//! test's are printed with its failure. `RUST_LOG` applies on top, as
//! everywhere in logfig. [`captured`] collects the records that code logs on
//! the calling thread, to assert on them.
//!
//! A test that installs its own config gets the same capture with
//! `capture: true` on its console handlers (see
//! [`ConsoleHandlerConfig::capture`](crate::config::ConsoleHandlerConfig::capture)).
//!
//! Like libtest's own capture, only what the test's thread logs is captured
//! or collected; records from other threads (a `queue` handler's worker, a
//! thread the test spawns) are printed as they are.
//!
//! # Examples
//!
//! ```
//! logfig::test::init();
//! let (sum, records) = logfig::test::captured(|| {
//!     log::info!(target: "myapp::math", "adding");
//!     2 + 2
//! });
//! assert_eq!(sum, 4);
//! assert_eq!(records.len(), 1);
//! assert_eq!(records[0].level, log::Level::Info);
//! assert_eq!(records[0].target, "myapp::math");
//! assert_eq!(records[0].message, "adding");
//! ```

use std::cell::RefCell;
use std::sync::OnceLock;

use crate::config::{
    Config, ConsoleHandlerConfig, CustomHandlerConfig, Level, PatternFormatterConfig, Stream,
};
use crate::entry::Entry;
use crate::error::Error;
use crate::formatters::Formatter;
use crate::handlers::Handler;
use crate::init::Builder;

/// The format of [`init`]'s console lines.
const FORMAT: &str = "%(levelname)s %(name)s: %(message)s";
/// The factory name of the handler behind [`captured`].
const FACTORY: &str = "logfig_test_capture";

/// One record collected by [`captured`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CapturedRecord {
    /// The record's level.
    pub level: log::Level,
    /// The record's target (its logger's name).
    pub target: String,
    /// The message, formatted.
    pub message: String,
}

thread_local! {
    /// The records of the innermost [`captured`] call running on this thread.
    static COLLECTING: RefCell<Option<Vec<CapturedRecord>>> = const { RefCell::new(None) };
}

/// Installs the test logger, once per process; later calls do nothing, so
/// every test can call it first. Records at DEBUG and above (or what
/// `RUST_LOG` says) go to stderr as `LEVEL target: message` through
/// `eprint!`, which `cargo test` captures, and to [`captured`].
///
/// When another logger is installed already, nothing changes and records
/// keep going to that logger: a test helper must not fail a test.
///
/// # Examples
///
/// ```
/// logfig::test::init();
/// logfig::test::init(); // harmless
/// log::debug!("shown only if this test fails");
/// ```
pub fn init() {
    static INSTALLED: OnceLock<bool> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let config = config();
        Builder::new()
            .handler_factory(FACTORY, |_| Ok(Box::new(Collector)))
            .install(&config)
            // The handle only flushes on drop; the logger stays installed
            // for the life of the process either way.
            .map(drop)
            .is_ok()
    });
}

/// [`init`]'s config: a capturing console and the collector at DEBUG.
fn config() -> Config {
    let mut config = Config::default();
    config
        .formatters
        .insert("test".into(), PatternFormatterConfig::new(FORMAT).into());
    let console = ConsoleHandlerConfig {
        capture: true,
        ..ConsoleHandlerConfig::new(Stream::Stderr)
    }
    .with_formatter("test");
    config.handlers.insert("console".into(), console.into());
    let collector = CustomHandlerConfig {
        factory: FACTORY.into(),
        options: serde_json::Value::Null.into(),
        common: Default::default(),
    };
    config.handlers.insert("captured".into(), collector.into());
    config.root.level = Some(Level::Debug);
    config.root.handlers = vec!["console".into(), "captured".into()];
    config
}

/// Runs `f` and returns what it returned with the records it logged on
/// this thread through the logger [`init`] installed (calls nest: an inner
/// call collects its own records). Call [`init`] first.
///
/// # Examples
///
/// ```
/// logfig::test::init();
/// let ((), records) = logfig::test::captured(|| log::warn!("disk {}% full", 91));
/// assert!(records.iter().any(|r| r.message == "disk 91% full"));
/// ```
pub fn captured<R>(f: impl FnOnce() -> R) -> (R, Vec<CapturedRecord>) {
    /// Puts the outer call's collection back, also when `f` panics (a
    /// failing assert), and returns this call's.
    struct Restore(Option<Vec<CapturedRecord>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let outer = self.0.take();
            let _ = COLLECTING.try_with(|c| *c.borrow_mut() = outer);
        }
    }
    let outer = COLLECTING.with(|c| c.borrow_mut().replace(Vec::new()));
    let restore = Restore(outer);
    let result = f();
    let records = COLLECTING.with(|c| c.borrow_mut().take());
    drop(restore);
    (result, records.unwrap_or_default())
}

/// The handler behind [`captured`]: keeps records for the calling thread's
/// innermost `captured` call, if any.
#[derive(Debug)]
struct Collector;

impl Handler for Collector {
    fn emit(&self, entry: &Entry<'_>, _formatter: &dyn Formatter) -> Result<(), Error> {
        let record = entry.record();
        // `try_with`: a record logged from a thread-local destructor is dropped.
        let _ = COLLECTING.try_with(|c| {
            if let Some(records) = c.borrow_mut().as_mut() {
                records.push(CapturedRecord {
                    level: record.level(),
                    target: record.target().to_owned(),
                    message: record.args().to_string(),
                });
            }
        });
        Ok(())
    }
}
