//! Logging as configuration.
//!
//! logfig builds a whole logging setup — loggers, filters, handlers, formatters —
//! from a `logging.yaml` (or `.toml`, `.json`) shaped like Python's
//! `logging.config.dictConfig`, installs it as the backend of the [`log`](mod@log) facade,
//! and applies edits of the file while the program runs.
//!
//! # Quick start
//!
//! ```
//! let config = r#"
//! version: 1
//! formatters:
//!   plain: { format: "%(asctime)s %(levelname)-8s %(name)s: %(message)s" }
//! handlers:
//!   console: { type: console, stream: stderr, formatter: plain }
//! loggers:
//!   myapp::db: { level: DEBUG }
//! root: { level: INFO, handlers: [console] }
//! "#;
//! let handle = logfig::init_str(config, logfig::Format::Yaml)?;
//! log::info!("started");
//! log::debug!(target: "myapp::db::pool", "connection opened");
//! handle.flush();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The pipeline
//!
//! text → **parse** (positions kept) → [`Config`] (plain data, no I/O) →
//! **validate** (every problem at once, with file, line and column) → **build**
//! (opens files; reuses unchanged handlers) → **swap** into the running
//! [`Dispatcher`] → `log::set_max_level`. A config applies whole or changes
//! nothing, at start and on every reload.
//!
//! Logger names are `log` targets; the hierarchy splits on `::` and `.`, so
//! `myapp.db` and `myapp::db` are one logger, the child of `myapp`. Levels,
//! `propagate` and filters follow Python's rules.
//!
//! # Macros
//!
//! [`error!`], [`warn!`], [`info!`], [`debug!`], [`trace!`] and [`log!`] take
//! what `log`'s macros take and send records through the `log` facade as they
//! do; in addition, each call site caches the installed config's level for
//! its target, so a filtered-out call costs two atomic loads instead of a
//! look-up by target. `log`'s own macros work with logfig too.
//!
//! # Feature flags
//!
//! - `yaml` (default): YAML configs.
//! - `toml` (default): TOML configs.
//! - `schema` (default): [`schema()`], the JSON Schema of the config.
//! - `cli`: the `logfig` command-line tool.
//! - `tracing`: [`TracingLayer`], which routes `tracing` events through the
//!   same graph; `init_*` then also install a global `tracing` subscriber.
//! - `http`: the `http` handler (`HttpHandler`), which POSTs batches of
//!   records with `ureq` and rustls.
//! - `smtp`: the `smtp` handler (`SmtpHandler`), which e-mails records with
//!   `lettre` and rustls.
//!
//! # Supported Rust versions
//!
//! logfig is built and tested with Rust 1.95; the minimum supported version is
//! 1.95 and moves only with a minor release.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod build;
mod catch;
#[cfg(feature = "cli")]
#[cfg_attr(docsrs, doc(cfg(feature = "cli")))]
pub mod cli;
pub mod config;
mod entry;
mod error;
mod filters;
mod formatters;
mod handlers;
#[cfg(feature = "tracing")]
#[cfg_attr(docsrs, doc(cfg(feature = "tracing")))]
mod layer;
mod load;
mod macros;
mod reload;
mod runtime;
#[cfg(feature = "schema")]
mod schema;
mod span;
mod value;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use build::{HandlerFactory, Registry};
pub use config::Config;
pub use entry::Entry;
pub use error::{Diagnostic, Error, ErrorKind, Severity};
#[cfg(feature = "regex")]
pub use filters::RegexFilter;
pub use filters::{DedupFilter, Filter, RateLimitFilter, TargetFilter, ThresholdFilter};
pub use formatters::{Formatter, JsonFormatter, PatternFormatter};
pub use handlers::ArchivePattern;
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub use handlers::HttpHandler;
#[cfg(feature = "smtp")]
#[cfg_attr(docsrs, doc(cfg(feature = "smtp")))]
pub use handlers::SmtpHandler;
pub use handlers::{
    CaptureHandler, Clock, ConsoleHandler, FileHandler, Handler, HandlerStats, MemoryHandler,
    NullHandler, QueueHandler, RotatingFileHandler, SystemClock, WatchedFileHandler,
};
pub use handlers::{SyslogHandler, TcpHandler, UdpHandler};
#[cfg(feature = "tracing")]
#[cfg_attr(docsrs, doc(cfg(feature = "tracing")))]
pub use layer::TracingLayer;
pub use load::Format;
pub use reload::ReloadStatus;
pub use runtime::{Dispatcher, ErrorHook};
#[cfg(feature = "schema")]
#[cfg_attr(docsrs, doc(cfg(feature = "schema")))]
pub use schema::schema;
pub use span::SpanRecord;

/// What logfig's macros expand to. Not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use crate::runtime::Callsite;
    pub use log;
}

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// Configures and installs logfig: custom components, the error hook.
///
/// The free functions [`init_file`], [`init_str`] and [`init`] are
/// `Builder::new()` followed by the same method.
///
/// # Examples
///
/// ```
/// use logfig::{Builder, Config, Format};
///
/// let config = Config::from_str("version: 1\nroot: { level: INFO }\n", Format::Yaml)?;
/// let dispatcher = Builder::new()
///     .on_error(|handler, err| eprintln!("{handler}: {err}"))
///     .build(&config)?;
/// assert_eq!(dispatcher.max_level(), log::LevelFilter::Info);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Default)]
pub struct Builder {
    registry: Registry,
    on_error: Option<ErrorHook>,
    /// `install_tracing(false)`: `init_*` leave the global `tracing`
    /// subscriber alone.
    skip_tracing: bool,
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builder")
            .field("registry", &self.registry)
            .field("on_error", &self.on_error.is_some())
            .field("install_tracing", &!self.skip_tracing)
            .finish()
    }
}

impl Builder {
    /// A builder with no custom components and the default error hook.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a factory for `type: custom` handlers with `factory: name`.
    pub fn handler_factory(
        mut self,
        name: impl Into<String>,
        factory: impl Fn(&serde_json::Value) -> Result<Box<dyn Handler>, Error> + Send + Sync + 'static,
    ) -> Self {
        self.registry.register_handler(name, Arc::new(factory));
        self
    }

    /// Replaces the default error hook (a rate-limited line on stderr) that
    /// receives run-time handler errors. It survives reloads.
    pub fn on_error(mut self, hook: impl Fn(&str, &Error) + Send + Sync + 'static) -> Self {
        self.on_error = Some(Arc::new(hook));
        self
    }

    /// Whether `init_file`, `init_str` and `init` also install a global
    /// `tracing` subscriber (`tracing_subscriber::registry()` with logfig's
    /// layer). Default: true. Turn it off to build the subscriber yourself
    /// from [`Handle::tracing_layer`] and other layers.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use tracing_subscriber::layer::SubscriberExt;
    ///
    /// let handle = logfig::Builder::new().install_tracing(false).init_file("logging.yaml")?;
    /// let subscriber = tracing_subscriber::registry().with(handle.tracing_layer());
    /// tracing::subscriber::set_global_default(subscriber)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "tracing")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tracing")))]
    pub fn install_tracing(mut self, install: bool) -> Self {
        self.skip_tracing = !install;
        self
    }

    /// Builds a dispatcher for `config` without installing it.
    ///
    /// # Errors
    ///
    /// When the config is invalid or an output cannot be opened.
    pub fn build(self, config: &Config) -> Result<Dispatcher, Error> {
        Dispatcher::from_parts(config, self.registry, self.on_error)
    }

    /// Loads the config file at `path`, installs it as the `log` backend and,
    /// when `reload.enabled` (the default), watches the file. With the
    /// `tracing` feature it also installs a global `tracing` subscriber over
    /// the same graph, unless [`install_tracing(false)`](Builder::install_tracing).
    ///
    /// # Errors
    ///
    /// When the file cannot be read, the config is invalid, an output cannot
    /// be opened, or a global logger (or, with the `tracing` feature, a global
    /// `tracing` subscriber) is already installed:
    /// [`ErrorKind::AlreadyInitialized`], and nothing is installed.
    pub fn init_file(self, path: impl AsRef<Path>) -> Result<Handle, Error> {
        let path = path.as_ref();
        let config = load::load_path(path)?;
        let watch = config.reload.enabled;
        let tracing = !self.skip_tracing;
        let dispatcher = self.build(&config)?;
        let mut handle = install(dispatcher, &config, tracing)?;
        if watch {
            handle.watcher = Some(reload::Watcher::start(
                handle.dispatcher.clone(),
                path.to_path_buf(),
                &config,
            )?);
        }
        Ok(handle)
    }

    /// Loads the config file at `path` and builds a dispatcher for it that
    /// watches the file (when `reload.enabled`), without installing it as the
    /// global `log` backend: for tests, and for programs that route records
    /// themselves (`log::info!(logger: handle.dispatcher(), ...)`).
    ///
    /// # Errors
    ///
    /// As [`init_file`](Builder::init_file), less the global logger.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let config = dir.path().join("logging.yaml");
    /// std::fs::write(&config, "version: 1\nroot: { level: DEBUG }\n")?;
    /// let handle = logfig::Builder::new().build_file(&config)?;
    /// assert_eq!(handle.dispatcher().max_level(), log::LevelFilter::Debug);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn build_file(self, path: impl AsRef<Path>) -> Result<Handle, Error> {
        let path = path.as_ref();
        let config = load::load_path(path)?;
        let dispatcher = self.build(&config)?;
        let watcher = if config.reload.enabled {
            Some(reload::Watcher::start(
                dispatcher.clone(),
                path.to_path_buf(),
                &config,
            )?)
        } else {
            None
        };
        Ok(Handle {
            dispatcher,
            watcher,
        })
    }

    /// Parses `text`, installs it as the `log` backend. Nothing is watched.
    ///
    /// # Errors
    ///
    /// As [`init_file`](Builder::init_file), less the file.
    pub fn init_str(self, text: &str, format: Format) -> Result<Handle, Error> {
        let config = load::load_str(text, format, None)?;
        let tracing = !self.skip_tracing;
        let dispatcher = self.build(&config)?;
        install(dispatcher, &config, tracing)
    }

    /// Installs the config file named by `LOGFIG_CONFIG`, else the first of
    /// `logging.yaml`, `logging.yml`, `logging.toml`, `logging.json` in the
    /// working directory, else a built-in default like Python's
    /// `logging.basicConfig()`: WARNING and above to stderr as
    /// `%(levelname)s:%(name)s:%(message)s`.
    ///
    /// # Errors
    ///
    /// As [`init_file`](Builder::init_file).
    pub fn init(self) -> Result<Handle, Error> {
        match find_config_file() {
            Some(path) => self.init_file(path),
            None => {
                let config = default_config();
                let tracing = !self.skip_tracing;
                let dispatcher = self.build(&config)?;
                install(dispatcher, &config, tracing)
            }
        }
    }
}

fn find_config_file() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("LOGFIG_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    [
        "logging.yaml",
        "logging.yml",
        "logging.toml",
        "logging.json",
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

/// Python's `basicConfig()`: WARNING and above to stderr.
fn default_config() -> Config {
    use config::{ConsoleHandlerConfig, FormatterConfig, HandlerConfig, PatternFormatterConfig};
    let mut config = Config::default();
    let fmt = PatternFormatterConfig {
        format: Some("%(levelname)s:%(name)s:%(message)s".into()),
        ..PatternFormatterConfig::default()
    };
    config
        .formatters
        .insert("default".into(), FormatterConfig::Pattern(fmt));
    let mut console = ConsoleHandlerConfig::default();
    console.common.formatter = Some("default".into());
    console.color = config::ColorMode::Never;
    config
        .handlers
        .insert("console".into(), HandlerConfig::Console(console));
    config.root.handlers = vec!["console".into()];
    config.root.level = Some(config::Level::Warning);
    config
}

/// Installs `dispatcher` as the `log` backend and, with the `tracing` feature
/// and `tracing`, as the global `tracing` subscriber. Both are checked before
/// either is installed, so a failure installs nothing.
fn install(dispatcher: Dispatcher, config: &Config, tracing: bool) -> Result<Handle, Error> {
    #[cfg(feature = "tracing")]
    if tracing && tracing_core::dispatcher::has_been_set() {
        dispatcher.shutdown();
        return Err(tracing_taken());
    }
    #[cfg(not(feature = "tracing"))]
    let _ = tracing;
    if let Err(e) = log::set_boxed_logger(Box::new(dispatcher.clone())) {
        // Close what this attempt opened (log4rs#259: a failed init leaked them).
        dispatcher.shutdown();
        return Err(Error::new(
            ErrorKind::AlreadyInitialized,
            format!(
                "cannot install logfig: {e}; a global logger can be installed once per process"
            ),
        ));
    }
    dispatcher.mark_installed();
    #[cfg(feature = "tracing")]
    if tracing {
        use tracing_subscriber::layer::SubscriberExt;
        let subscriber = tracing_subscriber::registry().with(dispatcher.tracing_layer());
        if tracing_core::dispatcher::set_global_default(tracing_core::Dispatch::new(subscriber))
            .is_err()
        {
            // Another thread set one since the check above. The `log` backend
            // cannot be taken back: it stops routing records.
            dispatcher.shutdown();
            return Err(tracing_taken());
        }
    }
    let handle = Handle {
        dispatcher,
        watcher: None,
    };
    // Warnings go through the new graph, on the `logfig` target.
    for w in build::validate(config) {
        log::warn!(target: "logfig", "{w}");
    }
    Ok(handle)
}

#[cfg(feature = "tracing")]
fn tracing_taken() -> Error {
    Error::new(
        ErrorKind::AlreadyInitialized,
        "cannot install logfig: a global `tracing` subscriber is already set, and one can be set \
         once per process; compose `handle.tracing_layer()` into your own subscriber instead \
         (with `Builder::new().install_tracing(false)`)",
    )
}

/// Loads the config file at `path`, installs it as the `log` backend, and
/// watches the file when `reload.enabled` (the default).
///
/// # Errors
///
/// See [`Builder::init_file`].
///
/// # Examples
///
/// ```no_run
/// let _handle = logfig::init_file("logging.yaml")?;
/// log::info!("configured");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn init_file(path: impl AsRef<Path>) -> Result<Handle, Error> {
    Builder::new().init_file(path)
}

/// Parses `text` as `format` and installs it as the `log` backend.
///
/// # Errors
///
/// See [`Builder::init_str`].
///
/// # Examples
///
/// ```
/// let _handle = logfig::init_str("version: 1\nroot: { level: ERROR }\n", logfig::Format::Yaml)?;
/// assert_eq!(log::max_level(), log::LevelFilter::Error);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn init_str(text: &str, format: Format) -> Result<Handle, Error> {
    Builder::new().init_str(text, format)
}

/// Installs the config named by `LOGFIG_CONFIG`, or `logging.yaml` (`.yml`,
/// `.toml`, `.json`) in the working directory, or Python's default.
///
/// # Errors
///
/// See [`Builder::init`].
///
/// # Examples
///
/// ```no_run
/// let _handle = logfig::init()?;
/// log::warn!("shown on stderr unless a config says otherwise");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn init() -> Result<Handle, Error> {
    Builder::new().init()
}

/// The installed logger: flush it, shut it down, watch its reloads.
///
/// Dropping the handle flushes every handler and stops watching the config
/// file; the logger itself stays installed (a `log` backend lives as long as
/// the process). Keep the handle alive in `main`.
///
/// # Examples
///
/// ```
/// let handle = logfig::init_str("version: 1\n", logfig::Format::Yaml)?;
/// log::warn!("going down");
/// handle.shutdown();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Handle {
    dispatcher: Dispatcher,
    watcher: Option<reload::Watcher>,
}

impl Handle {
    /// The installed dispatcher.
    pub fn dispatcher(&self) -> &Dispatcher {
        &self.dispatcher
    }

    /// A `tracing` layer over the installed graph, to compose into a
    /// subscriber of your own; see [`TracingLayer`] and
    /// [`Builder::install_tracing`].
    ///
    /// # Examples
    ///
    /// ```
    /// use tracing_subscriber::layer::SubscriberExt;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let config = dir.path().join("logging.yaml");
    /// std::fs::write(&config, "version: 1\nroot: { level: INFO }\n")?;
    /// let handle = logfig::Builder::new().build_file(&config)?;
    /// let subscriber = tracing_subscriber::registry().with(handle.tracing_layer());
    /// tracing::subscriber::with_default(subscriber, || tracing::info!("routed by logfig"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "tracing")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tracing")))]
    pub fn tracing_layer(&self) -> TracingLayer {
        self.dispatcher.tracing_layer()
    }

    /// Writes out every handler's buffered records.
    pub fn flush(&self) {
        self.dispatcher.flush_handlers();
    }

    /// Stops watching, flushes and closes every handler; later records are
    /// dropped. Safe while other threads log.
    pub fn shutdown(mut self) {
        self.watcher = None;
        self.dispatcher.shutdown();
    }

    /// Sets the level of logger `name` (`"root"` for the root) on top of the
    /// config's levels, optionally for a limited time; see
    /// [`Dispatcher::set_level`].
    ///
    /// # Errors
    ///
    /// When the logger was shut down.
    pub fn set_level(
        &self,
        name: &str,
        level: config::Level,
        ttl: Option<std::time::Duration>,
    ) -> Result<(), Error> {
        self.dispatcher.set_level(name, level, ttl)
    }

    /// Removes a level override; the config's level applies again.
    ///
    /// # Errors
    ///
    /// When the logger was shut down.
    pub fn clear_level(&self, name: &str) -> Result<(), Error> {
        self.dispatcher.clear_level(name)
    }

    /// Counters of every handler (records written, dropped, queued), by
    /// handler name; see [`HandlerStats`].
    ///
    /// # Examples
    ///
    /// ```
    /// let handle = logfig::Builder::new().init_str(
    ///     "version: 1\nhandlers:\n  n: { type: null }\nroot: { handlers: [n] }\n",
    ///     logfig::Format::Yaml,
    /// );
    /// # let Ok(handle) = handle else { return Ok(()) }; // a global logger may exist
    /// assert!(handle.stats().contains_key("n"));
    /// # Ok::<(), logfig::Error>(())
    /// ```
    pub fn stats(&self) -> std::collections::BTreeMap<String, HandlerStats> {
        self.dispatcher.stats()
    }

    /// Reopens every file output at its configured path (after logrotate moved
    /// the file away).
    pub fn reopen(&self) {
        self.dispatcher.reopen();
    }

    /// Calls `callback` on the watcher thread after every reload attempt that
    /// read a changed file, successful or not.
    pub fn on_reload(&self, callback: impl Fn(&ReloadStatus) + Send + Sync + 'static) {
        if let Some(w) = &self.watcher {
            w.on_reload(Arc::new(callback));
        }
    }

    /// What the last reload attempt did; `None` when the file is not watched.
    ///
    /// The status changes last: once it shows an attempt, the new graph (if
    /// any) is running, the reload's record is logged and the
    /// [`on_reload`](Handle::on_reload) callbacks have returned. Wait on it,
    /// not on the graph, to know that a reload is complete.
    pub fn reload_status(&self) -> Option<ReloadStatus> {
        self.watcher.as_ref().map(reload::Watcher::status)
    }

    /// Reads the config file now and applies it if it changed.
    ///
    /// # Errors
    ///
    /// When nothing is watched, or the file cannot be read or is invalid (the
    /// running config stays).
    pub fn reload_now(&self) -> Result<(), Error> {
        match &self.watcher {
            Some(w) => w.reload_now(),
            None => Err(Error::new(
                ErrorKind::Other,
                "no config file is watched (use `init_file` with `reload.enabled: true`)",
            )),
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.watcher = None;
        if !self.dispatcher.is_shut_down() {
            self.dispatcher.flush_handlers();
        }
    }
}
