//! The hot path: [`Dispatcher`], the `log::Log` implementation.
//!
//! `log()` loads the current graph (one `ArcSwap` load, no lock), finds the
//! record's logger in the trie, checks the level, applies the logger's filters,
//! then each handler of the chain: level, filters, `emit`. A handler's panic
//! is caught (quietly: see `crate::catch`) and a failing handler's error goes
//! to the error hook, each reported at most once a second per handler, with
//! a count; the default hook's stderr writes cannot fail the logging call.

mod cache;
mod callsite;
mod close;
#[cfg(feature = "control")]
pub(crate) mod inspect;
#[cfg(feature = "tracing")]
pub(crate) mod interest;
mod overrides;

#[cfg(feature = "cli")]
pub(crate) use overrides::{read_env, with_env};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;

use crate::config::Config;
use crate::entry::Entry;
use crate::error::{Diagnostic, Error};
use crate::formatters::Formatter;
use crate::graph::{Checked, Registry};

use crate::graph::{Decision, Graph};
use crate::handlers::node::{Failure, HandlerNode};
#[doc(hidden)]
pub use callsite::Callsite;
use close::close_all;

/// Called with the handler's name and the error when a handler fails at run time.
pub(crate) type ErrorHook = Arc<dyn Fn(&str, &Error) + Send + Sync>;

/// Routes `log` records through a logger graph built from a [`Config`].
///
/// A `Dispatcher` is cheap to clone (clones share the graph). It implements
/// `log::Log`, so it can be used without installing it globally, with `log`'s
/// `logger:` argument, which is how tests use it. [`apply`](Dispatcher::apply)
/// replaces the graph atomically: records logged meanwhile on other threads go
/// through either the old graph or the new one, never neither.
///
/// `log`'s macros compare a record's level with the global `log::max_level()`
/// before they call any logger, even one passed with `logger:`; when the
/// dispatcher is not installed, raise that level yourself.
///
/// # Examples
///
/// ```
/// use logfig::{Config, Dispatcher, Format};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("app.log");
/// let text = format!(
///     "version: 1\nhandlers:\n  f: {{ type: file, path: '{}' }}\nroot: {{ level: INFO, handlers: [f] }}\n",
///     path.display()
/// );
/// let dispatcher = Dispatcher::new(&Config::from_str(&text, Format::Yaml)?)?;
/// // `log`'s macros check the global level first, even with `logger:`.
/// log::set_max_level(log::LevelFilter::Trace);
/// log::info!(logger: dispatcher, "hello");
/// log::debug!(logger: dispatcher, "not shown");
/// assert_eq!(std::fs::read_to_string(&path)?, "hello\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Dispatcher {
    pub(crate) shared: Arc<Shared>,
}

pub(crate) struct Shared {
    graph: ArcSwap<Graph>,
    /// The epoch of the graph in `graph`, stored after it: a reader that sees
    /// an epoch sees its graph (or a newer one).
    epoch: std::sync::atomic::AtomicU64,
    registry: Registry,
    on_error: Option<ErrorHook>,
    /// Serialises changes of the graph (reloads, overrides); holds the level
    /// overrides. Never taken by logging threads.
    state: Mutex<overrides::Overrides>,
    /// Wakes the override expiry thread.
    timer: Condvar,
    /// Set when installed as the global logger: swaps update `log::max_level`.
    pub(crate) global: AtomicBool,
    shut_down: AtomicBool,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("graph", &*self.shared.graph.load())
            .finish_non_exhaustive()
    }
}

impl Dispatcher {
    /// Builds a dispatcher for `config` with no custom components.
    ///
    /// # Errors
    ///
    /// When the config is invalid, or an output cannot be opened.
    pub fn new(config: &Config) -> Result<Dispatcher, Error> {
        let checked = crate::graph::check(config);
        Dispatcher::from_parts(config, checked, Registry::default(), None, None).map(|(d, _)| d)
    }

    /// A dispatcher for `config`, from its validation `checked`; returns the
    /// config's warnings too.
    pub(crate) fn from_parts(
        config: &Config,
        checked: Checked,
        registry: Registry,
        on_error: Option<ErrorHook>,
        env_text: Option<String>,
    ) -> Result<(Dispatcher, Vec<Diagnostic>), Error> {
        // Before the first build: a factory's panic is caught quietly too.
        crate::catch::install();
        let mut overrides = overrides::Overrides {
            env_text,
            ..overrides::Overrides::default()
        };
        let env_warning = overrides.read_env(config);
        // Overrides change levels only: what validation compiled for the
        // file's config serves the overridden one.
        let (graph, warnings) = if overrides.is_empty() {
            crate::graph::build(config, checked, &registry, None)?
        } else {
            let mut built =
                crate::graph::build(&overrides.apply_to(config), checked, &registry, None)?;
            // Reloads compare against the file's config, not the overridden one.
            built.0.config = config.clone();
            built
        };
        let dispatcher = Dispatcher {
            shared: Arc::new(Shared {
                epoch: std::sync::atomic::AtomicU64::new(graph.epoch),
                graph: ArcSwap::from_pointee(graph),
                registry,
                on_error,
                state: Mutex::new(overrides),
                timer: Condvar::new(),
                global: AtomicBool::new(false),
                shut_down: AtomicBool::new(false),
            }),
        };
        if let Some(w) = env_warning {
            // Reported once, at start, through the new graph: a bad `RUST_LOG`
            // never fails a start. `Log::log` directly: the global level of
            // `log`'s macros is not set yet.
            log::Log::log(
                &dispatcher,
                &log::Record::builder()
                    .target("logfig")
                    .level(log::Level::Warn)
                    .args(format_args!("{w}"))
                    .build(),
            );
        }
        Ok((dispatcher, warnings))
    }

    /// The config of the running graph.
    pub fn config(&self) -> Config {
        self.shared.graph.load().config.clone()
    }

    /// The most verbose level any logger lets through.
    pub fn max_level(&self) -> log::LevelFilter {
        self.shared.graph.load().max_level
    }

    /// Replaces the running graph with one built from `config`, all or nothing.
    ///
    /// Handlers whose own settings did not change (only their level, formatter
    /// or filters, or nothing) carry over as the same instances: their files
    /// stay open. Handlers that are no longer used are flushed and closed after
    /// the swap. On error the running graph is left untouched. Returns the
    /// config's warnings.
    ///
    /// # Errors
    ///
    /// When the config is invalid or a new output cannot be opened.
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::{Config, Dispatcher, Format};
    ///
    /// let quiet = Config::from_str("version: 1\nroot: { level: ERROR }\n", Format::Yaml)?;
    /// let loud = Config::from_str("version: 1\nroot: { level: DEBUG }\n", Format::Yaml)?;
    /// let dispatcher = Dispatcher::new(&quiet)?;
    /// assert_eq!(dispatcher.max_level(), log::LevelFilter::Error);
    /// dispatcher.apply(&loud)?;
    /// assert_eq!(dispatcher.max_level(), log::LevelFilter::Debug);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply(&self, config: &Config) -> Result<Vec<Diagnostic>, Error> {
        self.apply_checked(config, None)
    }

    /// [`apply`](Dispatcher::apply), with `config` validated already
    /// (`checked`) when the caller loaded it.
    pub(crate) fn apply_checked(
        &self,
        config: &Config,
        checked: Option<Checked>,
    ) -> Result<Vec<Diagnostic>, Error> {
        let mut state = self.lock_state();
        if self.is_shut_down() {
            return Err(Error::new(
                crate::error::ErrorKind::Other,
                "the logger was shut down",
            ));
        }
        let merged;
        let (config, checked) = if config.incremental {
            merged = crate::graph::merge_incremental(&self.shared.graph.load().config, config)?;
            (&merged, None)
        } else {
            (config, checked)
        };
        let swapped = self.swap_in(&mut state, config, checked);
        drop(state);
        if swapped.is_ok() {
            refresh_tracing_interest();
        }
        swapped
    }

    fn lock_state(&self) -> MutexGuard<'_, overrides::Overrides> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Builds a graph for `file_config` with the overrides on top, swaps it
    /// in, and retires the handlers it does not carry over. `checked` is the
    /// validation of `file_config` when the caller has it: the overrides
    /// change levels only, so what it compiled serves, and its warnings are
    /// the file's. The caller holds the state lock.
    fn swap_in(
        &self,
        overrides: &mut overrides::Overrides,
        file_config: &Config,
        checked: Option<Checked>,
    ) -> Result<Vec<Diagnostic>, Error> {
        let old = self.shared.graph.load_full();
        let env_warning = overrides.read_env(file_config);
        let effective;
        let config = if overrides.is_empty() {
            file_config
        } else {
            effective = overrides.apply_to(file_config);
            &effective
        };
        let checked = checked.unwrap_or_else(|| crate::graph::check(config));
        let (mut graph, mut warnings) =
            crate::graph::build(config, checked, &self.shared.registry, Some(&old))?;
        warnings.extend(env_warning);
        // Reloads compare against the file's config, not the overridden one.
        graph.config = file_config.clone();
        let new = Arc::new(graph);
        let epoch = new.epoch;
        self.shared.graph.store(Arc::clone(&new));
        self.shared.epoch.store(epoch, Ordering::Release);
        self.update_global(epoch);
        self.retire(old, Some(&new));
        Ok(warnings)
    }

    /// Makes this dispatcher the global `log` backend's: from now on, every
    /// swap updates `log::max_level` and the epoch that logfig's macros check.
    /// Called once, after `log::set_boxed_logger` succeeded.
    pub(crate) fn mark_installed(&self) {
        // Under the state lock: a swap on another thread either completes
        // before (and this publishes its epoch) or starts after (and sees the
        // flag).
        let _state = self.lock_state();
        callsite::install(self);
        self.shared.global.store(true, Ordering::Release);
        self.update_global(self.shared.epoch.load(Ordering::Acquire));
    }

    /// After a swap to the graph of `epoch` (already visible), with the state
    /// lock held: when installed, publishes the graph's `max_level` to `log`
    /// and its epoch to logfig's macros.
    fn update_global(&self, epoch: u64) {
        if self.shared.global.load(Ordering::Acquire) {
            callsite::publish(epoch);
            log::set_max_level(self.shared.graph.load().max_level);
        }
    }

    /// Flushes every handler.
    pub fn flush_handlers(&self) {
        let graph = self.shared.graph.load();
        let _ = crate::catch::quietly(|| {
            for node in graph.handler_instances() {
                self.guarded(node, |h| h.handler.flush());
            }
        });
    }

    /// [`flush_handlers`](Dispatcher::flush_handlers) on the shutdown path
    /// (dropping a `Handle`): each handler's flush is waited for at most its
    /// bound (see `close::flush_all`), so a handler stuck for good cannot
    /// hang the application's exit.
    pub(crate) fn flush_handlers_bounded(&self) {
        let graph = self.shared.graph.load_full();
        let nodes: Vec<Arc<HandlerNode>> = graph.handler_instances().cloned().collect();
        close::flush_all(&nodes, &|node, e| {
            self.report_failure(node, Failure::Error(e));
        });
    }

    /// Reopens every handler's destination (files at their configured paths),
    /// for log rotation by an external tool.
    pub fn reopen(&self) {
        let graph = self.shared.graph.load();
        let _ = crate::catch::quietly(|| {
            for node in graph.handler_instances() {
                self.guarded(node, |h| h.handler.reopen());
            }
        });
    }

    /// Flushes and closes every handler, then stops routing records: later
    /// records are dropped. Safe to call while other threads log.
    pub fn shutdown(&self) {
        let _state = self.lock_state();
        if self.shared.shut_down.swap(true, Ordering::AcqRel) {
            return;
        }
        let old = self.shared.graph.load_full();
        let empty = crate::graph::empty_graph();
        let epoch = empty.epoch;
        self.shared.graph.store(Arc::new(empty));
        self.shared.epoch.store(epoch, Ordering::Release);
        self.update_global(epoch);
        self.retire(old, None);
        drop(_state);
        refresh_tracing_interest();
    }

    pub(crate) fn is_shut_down(&self) -> bool {
        self.shared.shut_down.load(Ordering::Acquire)
    }

    /// Runs a handler operation other than `emit` (flush, reopen), catching
    /// a panic and reporting an error. The thread is quiet already: inside
    /// the graph, or under `quietly`.
    fn guarded(&self, node: &HandlerNode, op: impl FnOnce(&HandlerNode) -> Result<(), Error>) {
        match crate::catch::caught(|| op(node)) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => self.report_failure(node, Failure::Error(e)),
            Err(caught) => self.report_failure(node, Failure::Panic(caught)),
        }
    }

    /// Reports a handler's failure to the error hook, errors and panics each
    /// at most once a second per handler, with a count of those suppressed.
    #[cold]
    fn report_failure(&self, node: &HandlerNode, failure: Failure) {
        match failure {
            Failure::Error(e) => {
                // Reported already (CPython's logging error): only counted.
                if e.is_reported() {
                    return;
                }
                if let Some(suppressed) = node.errors.due(now_secs()) {
                    self.report_now(&node.name, &e, suppressed);
                }
            }
            Failure::Panic(caught) => {
                // Reported like errors, with the count in the message (a
                // custom hook gets no separate count).
                if let Some(suppressed) = node.panics.due(now_secs()) {
                    let text = if node.panics_reported.swap(true, Ordering::Relaxed) {
                        format!(
                            "panicked {} more times since the last report, most recently: {caught}",
                            suppressed + 1
                        )
                    } else {
                        format!(
                            "panicked: {caught} (the handler stays in place; later panics are counted and reported at most once a second)"
                        )
                    };
                    self.report_now(
                        &node.name,
                        &Error::new(crate::error::ErrorKind::Handler, text),
                        0,
                    );
                }
            }
        }
    }

    /// Sends a problem of a Python config (a warning, a failed reload) to
    /// the error hook, if the application set one; else it stays in the
    /// reload status: CPython writes no such diagnostics, so logfig writes
    /// none to the outputs either.
    pub(crate) fn report_config(&self, e: &Error) {
        if let Some(hook) = self.shared.on_error.as_ref() {
            let _ = crate::catch::quietly(|| hook("logfig", e));
        }
    }

    fn report_now(&self, handler: &str, e: &Error, suppressed: u64) {
        report_to(self.shared.on_error.as_ref(), handler, e, suppressed);
    }

    /// The cached decision for `target`, if any, under the current epoch.
    #[inline]
    fn cached(&self, target: &str) -> Option<Decision> {
        cache::get(self.shared.epoch.load(Ordering::Acquire), target)
    }

    fn dispatch(
        &self,
        record: &log::Record<'_>,
        spans: &[crate::span::SpanRecord],
        known: Option<(u64, Decision)>,
    ) {
        self.route(record, known, || Entry::new(record).with_spans(spans));
    }

    /// Routes `entry` as `Log::log` routes a record, but with the entry's own
    /// time, thread and process: the differential tests against CPython's
    /// `logging` (tests/integration/load/dictconfig_vs_cpython.rs) need fixed ones. Not
    /// part of the API.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    ///
    /// let config = logfig::Config::from_str("version: 1\nroot: { level: INFO }\n", logfig::Format::Yaml)?;
    /// let dispatcher = logfig::Dispatcher::new(&config)?;
    /// let record = log::Record::builder().args(format_args!("hi")).level(log::Level::Debug).build();
    /// let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    /// // Below the root's level: dropped, as `Log::log` would.
    /// dispatcher.log_entry(&logfig::Entry::new(&record).with_time(time));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(hidden)]
    pub fn log_entry(&self, entry: &Entry<'_>) {
        match crate::catch::enter_graph() {
            Some(_guard) => {
                let escaping = crate::catch::Escaping;
                self.route(entry.record(), None, || entry.clone());
                escaping.done();
            }
            None => reentrant(entry.record()),
        }
    }

    /// The body of `dispatch`; `make_entry` runs only for a record that passes
    /// the logger's level. `known` is a decision the caller already looked up,
    /// with its epoch: used if it is the loaded graph's.
    fn route<'r>(
        &self,
        record: &'r log::Record<'r>,
        known: Option<(u64, Decision)>,
        make_entry: impl FnOnce() -> Entry<'r>,
    ) {
        let graph = self.shared.graph.load();
        let target = record.target();
        let decision = match known.filter(|&(epoch, _)| epoch == graph.epoch) {
            Some((_, d)) => d,
            None => match cache::get(graph.epoch, target) {
                Some(d) => d,
                None => {
                    let d = graph.decide(target);
                    cache::put(graph.epoch, target, d);
                    d
                }
            },
        };
        if record.level() > decision.level {
            return;
        }
        let (logger, exact) = (&graph.loggers[decision.logger as usize], decision.exact);
        let entry = make_entry();
        // `check` lets a filter add records of its own (dedup's summary).
        if exact
            && !logger
                .filters
                .iter()
                .all(|f| f.check(&entry, &mut |e| self.emit_chain(&logger.chain, e)))
        {
            return;
        }
        if logger.chain.is_empty() {
            last_resort(&entry);
            return;
        }
        self.emit_chain(&logger.chain, &entry);
    }

    fn emit_chain(&self, chain: &[Arc<HandlerNode>], entry: &Entry<'_>) {
        for node in chain {
            node.emit(entry, |failure| self.report_failure(node, failure));
        }
    }

    /// Counters of every handler of the running graph, by name; see
    /// [`HandlerStats`](crate::HandlerStats).
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::{Config, Dispatcher, Format};
    ///
    /// let config = Config::from_str("version: 1\nhandlers:\n  n: { type: null }\nroot: { handlers: [n] }\n", Format::Yaml)?;
    /// let stats = Dispatcher::new(&config)?.stats();
    /// assert_eq!(stats["n"].dropped, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stats(&self) -> std::collections::BTreeMap<String, crate::handlers::HandlerStats> {
        let graph = self.shared.graph.load();
        // Inserted, not collected: a collect sorts first, with a sort
        // compiled for this one element type; the names come sorted.
        let mut stats = std::collections::BTreeMap::new();
        for (name, node) in graph.handlers.iter() {
            stats.insert(name.clone(), node.stats());
        }
        stats
    }
}

/// Sends a handler's error to `hook`, or to the default sink.
fn report_to(hook: Option<&ErrorHook>, handler: &str, e: &Error, suppressed: u64) {
    match hook {
        Some(hook) => {
            // A panicking hook is the application's bug; it must not
            // become a panic of the logging call.
            let _ = crate::catch::quietly(|| hook(handler, e));
        }
        None => default_error_sink(handler, e, suppressed),
    }
}

impl Drop for Shared {
    /// The last `Dispatcher` of a graph that was not shut down (a `Handle`
    /// dropped, a dispatcher built for a test): its handlers are retired as
    /// on shutdown, so what a worker could not write within its
    /// `close_timeout` is reported, not only counted. No logging thread can
    /// be inside the graph: each would hold a `Dispatcher`.
    fn drop(&mut self) {
        if !self.shut_down.load(Ordering::Acquire) {
            let graph = self.graph.load_full();
            let hook = self.on_error.as_ref();
            close_all(&retiring(&graph, None), &|name, e| {
                report_to(hook, name, e, 0);
            });
        }
    }
}

/// How long a swap waits for logging threads still inside the graph it
/// replaced before it retires that graph's handlers (see
/// [`Dispatcher::retire`]). A record is in a handler for microseconds; only a
/// handler stuck in `emit` (a dead NFS mount, a custom handler that blocks)
/// takes longer.
const RETIRE_WAIT: Duration = Duration::from_secs(2);

impl Dispatcher {
    /// Flushes and closes the handlers of `old` that `new` does not carry
    /// over, once no logging thread can write into them any more, reporting
    /// their errors (a worker that gave up at its `close_timeout`). Runs on
    /// the applying thread, after the swap, never on a logging thread.
    ///
    /// A thread that loaded `old` before the swap may still be inside it and
    /// hand its handlers more records; closing them at once left the records
    /// written after the last flush in a retired buffer (issue 13: 1-9
    /// records of a buffered file lost in 5 reloads-under-load of 8). After
    /// the swap no thread can load `old` again, and arc-swap has turned every
    /// guard still holding it into a counted reference: once the count is
    /// down to ours, the handlers are drained and closed. Handlers the new
    /// graph kept are never closed; queues and memory handlers close before
    /// the handlers they write to. Nothing here touches the logging path.
    ///
    /// The wait is bounded by [`RETIRE_WAIT`]. Past it, a reload hands the
    /// rest to a `logfig-retire` thread, which closes the handlers when the
    /// last thread leaves them, and a shutdown closes them anyway; both say
    /// so through the error hook. A thread that applies a config from inside
    /// a handler (it holds `old` itself) hands off at once.
    fn retire(&self, old: Arc<Graph>, new: Option<&Graph>) {
        let retiring = retiring(&old, new);
        if retiring.is_empty() {
            return;
        }
        let hook = self.shared.on_error.clone();
        let report = move |name: &str, e: &Error| report_to(hook.as_ref(), name, e, 0);
        // Entering the graph fails on a thread that is inside it already.
        let inside = crate::catch::enter_graph().is_none();
        if !inside && readers_gone(&old, Some(RETIRE_WAIT)) {
            close_all(&retiring, &report);
            return;
        }
        let late = |nodes: &[Arc<HandlerNode>], what: &str| {
            for node in nodes {
                let e = Error::new(
                    crate::error::ErrorKind::Handler,
                    format!(
                        "a logging thread is still inside this retired handler after {}s; {what}",
                        RETIRE_WAIT.as_secs()
                    ),
                );
                report(&node.name, &e);
            }
        };
        if new.is_some() {
            let (nodes, report_later) = (retiring.clone(), report.clone());
            let handed = crate::catch::spawn(
                "logfig-retire".into(),
                Box::new(move || {
                    readers_gone(&old, None);
                    close_all(&nodes, &report_later);
                }),
            );
            match handed {
                Ok(_) if inside => return,
                Ok(_) => return late(&retiring, "it is closed when that thread leaves it"),
                Err(e) => {
                    let e = Error::io("starting the thread that retires handlers", e);
                    report("logfig", &e);
                }
            }
        }
        if !inside {
            late(
                &retiring,
                "closed anyway: records it still writes may be lost",
            );
        }
        close_all(&retiring, &report);
    }
}

/// The handler nodes of `old` that `new` does not carry over, in the order to
/// close them: queues and memory handlers before the handlers they write to.
fn retiring(old: &Graph, new: Option<&Graph>) -> Vec<Arc<HandlerNode>> {
    let mut order: Vec<&str> = crate::graph::dependency_order(&old.config);
    order.reverse();
    order.extend(
        old.handlers
            .keys()
            .map(String::as_str)
            .filter(|n| !old.config.handlers.contains_key(*n)),
    );
    order
        .into_iter()
        .filter_map(|n| old.handlers.get_key_value(n))
        .filter(|(name, node)| {
            !new.and_then(|g| g.handlers.get(name))
                .is_some_and(|n| Arc::ptr_eq(&n.handler, &node.handler))
        })
        .map(|(_, node)| Arc::clone(node))
        .collect()
}

/// Waits until the caller holds the only reference to `graph` (no logging
/// thread is inside it any more), for at most `limit`; returns whether it
/// did. Polls: yielding first (a record leaves a handler within
/// microseconds), then sleeping between looks, up to 1 ms apart within a
/// limit and 100 ms apart without one (a thread stuck in a handler).
fn readers_gone(graph: &Arc<Graph>, limit: Option<Duration>) -> bool {
    let start = Instant::now();
    let longest = match limit {
        Some(_) => Duration::from_millis(1),
        None => Duration::from_millis(100),
    };
    let mut pause = Duration::from_micros(20);
    let mut spins = 0u32;
    while Arc::strong_count(graph) > 1 {
        if spins < 100 {
            spins += 1;
            std::thread::yield_now();
            continue;
        }
        if limit.is_some_and(|l| start.elapsed() >= l) {
            return false;
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(longest);
    }
    true
}

/// The current Unix time in seconds, for the report rate limits.
fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The default error hook: one line on stderr. The write's result is
/// ignored: with stderr closed or full (`2>/dev/full`, a pipe into
/// `head -1`), `eprintln!` would panic inside the application's logging
/// call, and there is nowhere left to report to.
fn default_error_sink(handler: &str, e: &Error, suppressed: u64) {
    use std::io::Write;
    let mut line = Vec::with_capacity(128);
    let _ = if suppressed > 0 {
        write!(
            line,
            "logfig: handler `{handler}`: {e} ({suppressed} similar errors suppressed)"
        )
    } else {
        write!(line, "logfig: handler `{handler}`: {e}")
    };
    // An error may quote a peer (a mail server's refusal, a library's
    // message): on its way to a terminal, its controls are escaped as
    // record text is by default.
    crate::formatters::escape::escape_from(&mut line, 0, crate::config::Escape::Control);
    line.push(b'\n');
    let _ = std::io::stderr().lock().write_all(&line);
}

/// Python's `lastResort`: with no handler anywhere in the chain, WARNING and
/// above go to stderr as the bare message.
fn last_resort(entry: &Entry<'_>) {
    // Built once: `message_only` allocates its compiled pieces.
    static MESSAGE_ONLY: std::sync::OnceLock<crate::formatters::PatternFormatter> =
        std::sync::OnceLock::new();
    if entry.record().level() <= log::Level::Warn {
        let formatter = MESSAGE_ONLY.get_or_init(crate::formatters::PatternFormatter::message_only);
        let _ = crate::formatters::format_line(entry, formatter, |line| {
            use std::io::Write;
            std::io::stderr()
                .lock()
                .write_all(line)
                .map_err(|e| Error::io("writing to stderr", e))
        });
    }
}

/// A record logged from inside a handler (an HTTP client logging through `log`,
/// say) goes to stderr, never back into the graph, which could loop forever.
fn reentrant(record: &log::Record<'_>) {
    let entry = Entry::new(record);
    let _ = crate::formatters::format_line(&entry, &ReentrantFormat, |line| {
        use std::io::Write;
        std::io::stderr()
            .lock()
            .write_all(line)
            .map_err(|e| Error::io("writing to stderr", e))
    });
}

#[derive(Debug)]
struct ReentrantFormat;

impl Formatter for ReentrantFormat {
    fn format(&self, entry: &Entry<'_>, out: &mut Vec<u8>) -> Result<(), Error> {
        use std::io::Write;
        let r = entry.record();
        let start = out.len();
        write!(
            out,
            "logfig (from inside a handler): {} {}: {}",
            r.level(),
            r.target(),
            r.args()
        )
        .map_err(|e| Error::io("formatting", e))?;
        // Record text on its way to a terminal: escaped as a pattern
        // formatter's default does (the prefix has nothing to escape).
        crate::formatters::escape::escape_from(out, start, crate::config::Escape::Control);
        Ok(())
    }
}

impl Dispatcher {
    /// `Log::log` with the span scope of a `tracing` event (empty for `log`
    /// records): the one entry point of both facades.
    #[inline]
    pub(crate) fn log_with_spans(
        &self,
        record: &log::Record<'_>,
        spans: &[crate::span::SpanRecord],
    ) {
        // The fast path for filtered-out records: no graph load, no lock.
        let epoch = self.shared.epoch.load(Ordering::Acquire);
        let known = cache::get(epoch, record.target());
        if known.is_some_and(|d| record.level() > d.level) {
            return;
        }
        self.log_slow(record, spans, known.map(|d| (epoch, d)));
    }

    /// Everything past the cached level check; kept out of line so the fast
    /// path stays a small function with a small prologue. `known` is the
    /// decision that check found, so `route` need not look it up again.
    #[inline(never)]
    fn log_slow(
        &self,
        record: &log::Record<'_>,
        spans: &[crate::span::SpanRecord],
        known: Option<(u64, Decision)>,
    ) {
        match crate::catch::enter_graph() {
            Some(_guard) => {
                let escaping = crate::catch::Escaping;
                self.dispatch(record, spans, known);
                escaping.done();
            }
            None => reentrant(record),
        }
    }

    /// The running graph (one `ArcSwap` load).
    pub(crate) fn graph(&self) -> arc_swap::Guard<Arc<Graph>> {
        self.shared.graph.load()
    }
}

/// After a swap, has `tracing` ask the layers again about every callsite.
/// Runs with no lock of logfig's held: `tracing` takes its own locks and calls
/// back into the layer's `register_callsite`.
pub(crate) fn refresh_tracing_interest() {
    #[cfg(feature = "tracing")]
    interest::rebuild();
}

impl log::Log for Dispatcher {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        if let Some(d) = self.cached(metadata.target()) {
            return metadata.level() <= d.level;
        }
        let graph = self.shared.graph.load();
        let d = graph.decide(metadata.target());
        cache::put(graph.epoch, metadata.target(), d);
        metadata.level() <= d.level
    }

    fn log(&self, record: &log::Record<'_>) {
        self.log_with_spans(record, &[]);
    }

    fn flush(&self) {
        self.flush_handlers();
    }
}

/// Applies `config` to `dispatcher` unless it equals the running one; used by
/// the reload path.
pub(crate) fn apply_if_changed(
    dispatcher: &Dispatcher,
    config: &Config,
    checked: Checked,
) -> Result<Option<Vec<Diagnostic>>, Error> {
    if dispatcher.shared.graph.load().config == *config {
        return Ok(None);
    }
    dispatcher.apply_checked(config, Some(checked)).map(Some)
}
