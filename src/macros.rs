//! logfig's own logging macros: `log`'s macros with a level decision cached at
//! every call site.
//!
//! `log` gives its backend no callsite identity, so a call that logfig's
//! config filters out (while some other target is verbose enough that
//! `log::max_level()` lets it through) costs a look-up by target in a
//! per-thread cache. These macros take the same arguments as `log`'s and
//! declare a `static` `Callsite` (`src/runtime/callsite.rs`) where they are
//! used: one atomic word with the running graph's epoch and its level for that
//! call site's target, so the same call costs two atomic loads and compares.
//! An enabled call goes on to `log`'s own macro, unchanged: the record goes
//! through the `log` facade to whatever logger is installed.
//!
//! Only targets that are the same at every call are cached: the default
//! target (`module_path!()`) and a string literal. `target: some_expr` and
//! `logger: …` forward to `log`'s macro without the callsite check (the
//! installed logfig still decides, through its per-thread cache).

/// Logs a message at `level`, as [`log::log!`], with a per-callsite cache of
/// logfig's level decision.
///
/// Takes what `log::log!` takes: format arguments, `target: "…"`, key-values
/// (`key = value`, `key:? = value`, `key:% = value`, … followed by `;`), and
/// `logger: …`. With logfig installed as the global logger, a call below the
/// level that logfig's running config gives its target returns after two
/// atomic loads; the decision is re-taken after every reload, `set_level`,
/// `clear_level` or `shutdown`. With another logger installed, or none, the
/// macro behaves as `log::log!`.
///
/// `target:` is cached only when it is a string literal: any other expression
/// goes straight to `log::log!`, as does `logger:`.
///
/// # Examples
///
/// ```
/// use log::Level;
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("app.log");
/// let yaml = format!(
///     "version: 1\nhandlers:\n  f: {{ type: file, path: '{}' }}\n\
///      loggers:\n  other: {{ level: DEBUG }}\nroot: {{ level: INFO, handlers: [f] }}\n",
///     path.display()
/// );
/// let handle = logfig::init_str(&yaml, logfig::Format::Yaml)?;
/// // One call site, called three times.
/// let debug = |n: u32| logfig::log!(target: "app", Level::Debug, "debug {n}");
/// debug(1); // `app` is at INFO: filtered out
/// // A level override takes effect at once, at every call site.
/// handle.set_level("app", logfig::config::Level::Debug, None)?;
/// debug(2);
/// handle.clear_level("app")?;
/// debug(3); // filtered out again
/// handle.flush();
/// assert_eq!(std::fs::read_to_string(&path)?, "debug 2\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[macro_export]
#[clippy::format_args]
macro_rules! log {
    // log!(logger: my_logger, …): not the global logger, nothing to cache.
    (logger: $logger:expr, $($arg:tt)+) => {
        $crate::__private::log::log!(logger: $logger, $($arg)+)
    };
    // log!(target: "my_target", Level::Info, …)
    (target: $target:literal, $lvl:expr, $($arg:tt)+) => {{
        let lvl: $crate::__private::log::Level = $lvl;
        static CALLSITE: $crate::__private::Callsite = $crate::__private::Callsite::new();
        if CALLSITE.enabled(lvl, $target) {
            $crate::__private::log::log!(target: $target, lvl, $($arg)+);
        }
    }};
    // log!(target: a_target_expression, Level::Info, …): may differ from one
    // call to the next, so not cached.
    (target: $target:expr, $lvl:expr, $($arg:tt)+) => {
        $crate::__private::log::log!(target: $target, $lvl, $($arg)+)
    };
    // log!(Level::Info, …)
    ($lvl:expr, $($arg:tt)+) => {{
        let lvl: $crate::__private::log::Level = $lvl;
        static CALLSITE: $crate::__private::Callsite = $crate::__private::Callsite::new();
        if CALLSITE.enabled(lvl, ::core::module_path!()) {
            $crate::__private::log::log!(target: ::core::module_path!(), lvl, $($arg)+);
        }
    }};
}

/// The body of `error!` … `trace!`: `log!` at one level.
#[doc(hidden)]
#[macro_export]
macro_rules! __level {
    // `$mac` is `log`'s macro of the same level, for the uncached forms.
    ($level:ident, $mac:ident, logger: $logger:expr, $($arg:tt)+) => {
        $crate::__private::log::$mac!(logger: $logger, $($arg)+)
    };
    ($level:ident, $mac:ident, target: $target:literal, $($arg:tt)+) => {
        $crate::log!(target: $target, $crate::__private::log::Level::$level, $($arg)+)
    };
    ($level:ident, $mac:ident, target: $target:expr, $($arg:tt)+) => {
        $crate::__private::log::$mac!(target: $target, $($arg)+)
    };
    ($level:ident, $mac:ident, $($arg:tt)+) => {
        $crate::log!($crate::__private::log::Level::$level, $($arg)+)
    };
}

/// Logs a message at the error level, as [`log::error!`]; see [`log!`](crate::log!)
/// for what logfig's macros add.
///
/// # Examples
///
/// ```
/// let _handle = logfig::init_str("version: 1\nroot: { level: WARNING }\n", logfig::Format::Yaml)?;
/// let (port, reason) = (22, "refused");
/// logfig::error!("connection to port {port} failed: {reason}");
/// logfig::error!(target: "app::net", port, reason:%; "connection failed");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[macro_export]
#[clippy::format_args]
macro_rules! error {
    ($($arg:tt)+) => { $crate::__level!(Error, error, $($arg)+) };
}

/// Logs a message at the warn level, as [`log::warn!`]; see [`log!`](crate::log!)
/// for what logfig's macros add.
///
/// # Examples
///
/// ```
/// let _handle = logfig::init_str("version: 1\nroot: { level: WARNING }\n", logfig::Format::Yaml)?;
/// let used = 0.93;
/// logfig::warn!("disk {:.0}% full", used * 100.0);
/// logfig::warn!(target: "app::disk", used; "disk nearly full");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[macro_export]
#[clippy::format_args]
macro_rules! warn {
    ($($arg:tt)+) => { $crate::__level!(Warn, warn, $($arg)+) };
}

/// Logs a message at the info level, as [`log::info!`]; see [`log!`](crate::log!)
/// for what logfig's macros add.
///
/// # Examples
///
/// ```
/// let _handle = logfig::init_str("version: 1\nroot: { level: INFO }\n", logfig::Format::Yaml)?;
/// let (id, latency_us) = (7, 120);
/// logfig::info!("request handled id={id} latency_us={latency_us}");
/// logfig::info!(target: "app::http", id, latency_us; "request handled");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[macro_export]
#[clippy::format_args]
macro_rules! info {
    ($($arg:tt)+) => { $crate::__level!(Info, info, $($arg)+) };
}

/// Logs a message at the debug level, as [`log::debug!`]; see [`log!`](crate::log!)
/// for what logfig's macros add.
///
/// # Examples
///
/// ```
/// let _handle = logfig::init_str(
///     "version: 1\nloggers:\n  app::db: { level: DEBUG }\nroot: { level: INFO }\n",
///     logfig::Format::Yaml,
/// )?;
/// // Filtered out at `app::cache`, for two atomic loads, though `app::db` is at DEBUG.
/// logfig::debug!(target: "app::cache", "hit {}", "user:7");
/// logfig::debug!(target: "app::db", rows = 3; "query done");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[macro_export]
#[clippy::format_args]
macro_rules! debug {
    ($($arg:tt)+) => { $crate::__level!(Debug, debug, $($arg)+) };
}

/// Logs a message at the trace level, as [`log::trace!`]; see [`log!`](crate::log!)
/// for what logfig's macros add.
///
/// # Examples
///
/// ```
/// let _handle = logfig::init_str("version: 1\nroot: { level: INFO }\n", logfig::Format::Yaml)?;
/// let frame = [0u8; 4];
/// logfig::trace!("frame {frame:?}");
/// logfig::trace!(target: "app::wire", len = frame.len(); "frame");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[macro_export]
#[clippy::format_args]
macro_rules! trace {
    ($($arg:tt)+) => { $crate::__level!(Trace, trace, $($arg)+) };
}

/// What logfig's macros expand to. Not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use crate::runtime::Callsite;
    pub use log;
}
