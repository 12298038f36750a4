//! Installing logfig: [`Builder`], the `init_*` entry points, the search for
//! a config file and the default config (Python's `basicConfig()`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{self, Config};
use crate::error::{Diagnostic, Error, ErrorKind};
use crate::graph::{self, Checked, Registry};
use crate::handle::Handle;
use crate::handlers::Handler;
use crate::load::{self, Format};
use crate::reload;
use crate::runtime::{Dispatcher, ErrorHook};

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
#[must_use = "a Builder does nothing until `init_file`, `init_str`, `init` or `build` is called"]
pub struct Builder {
    registry: Registry,
    on_error: Option<ErrorHook>,
    /// `install_tracing(false)`: `init_*` leave the global `tracing`
    /// subscriber alone.
    skip_tracing: bool,
    /// `env_directives(text)`: read instead of the `RUST_LOG` variable.
    env_text: Option<String>,
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builder")
            .field("registry", &self.registry)
            .field("on_error", &self.on_error.is_some())
            .field("install_tracing", &!self.skip_tracing)
            .field("env_directives", &self.env_text)
            .finish()
    }
}

impl Builder {
    /// A builder with no custom components and the default error hook.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a factory for `type: custom` handlers with `factory: name`.
    /// The factory gets the handler's `options` and runs at every build that
    /// makes the handler (at start and on reloads that change it).
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::{Builder, CaptureHandler, Config, Format};
    ///
    /// let capture = CaptureHandler::new();
    /// let handle = capture.clone();
    /// let dispatcher = Builder::new()
    ///     .handler_factory("capture", move |_options| Ok(Box::new(handle.clone())))
    ///     .build(&Config::from_str(
    ///         "version: 1\nhandlers:\n  c: { type: custom, factory: capture }\nroot: { level: INFO, handlers: [c] }\n",
    ///         Format::Yaml,
    ///     )?)?;
    /// log::set_max_level(log::LevelFilter::Trace); // the macros check it first
    /// log::warn!(logger: dispatcher, "disk almost full");
    /// assert_eq!(capture.lines(), ["disk almost full"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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

    /// Uses `directives` (env_logger's syntax, as in `RUST_LOG`) instead of
    /// the value of the config's `env_filter.var`, as env_logger's
    /// `parse_filters` does; `""` applies none. `env_filter.enabled: false`
    /// still switches them off. See [`EnvFilter`](crate::EnvFilter).
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::{Builder, Config, Format};
    ///
    /// let config = Config::from_str("version: 1\nroot: { level: WARNING }\n", Format::Yaml)?;
    /// let d = Builder::new().env_directives("info,myapp::db=trace").build(&config)?;
    /// assert_eq!(d.max_level(), log::LevelFilter::Trace);
    /// // The file's config is what reloads compare with; the directives sit on top.
    /// assert_eq!(d.config().root.level, Some(logfig::config::Level::Warning));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn env_directives(mut self, directives: impl Into<String>) -> Self {
        self.env_text = Some(directives.into());
        self
    }

    /// Installs `config` (from [`Config::builder`], or loaded) as the `log`
    /// backend and, with the `tracing` feature, as the global `tracing`
    /// subscriber (unless `install_tracing(false)`). Nothing is watched: for
    /// an application without a config file, or a library's tests.
    ///
    /// # Errors
    ///
    /// When the config is invalid, an output cannot be opened, or a global
    /// logger is already installed ([`ErrorKind::AlreadyInitialized`]; nothing
    /// is installed).
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::config::{ConsoleHandlerConfig, Level, PatternFormatterConfig, Stream};
    ///
    /// let config = logfig::Config::builder()
    ///     .formatter("plain", PatternFormatterConfig::new("%(levelname)s %(name)s: %(message)s"))
    ///     .handler("console", ConsoleHandlerConfig::new(Stream::Stderr).with_formatter("plain"))
    ///     .root(Level::Info, ["console"])
    ///     .build()?;
    /// let _handle = logfig::Builder::new().install(&config)?;
    /// log::info!("configured in code");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use = "the `Handle` flushes on drop; bind it (`let _handle = ...`)"]
    pub fn install(self, config: &Config) -> Result<Handle, Error> {
        let tracing = !self.skip_tracing;
        let checked = graph::check(config);
        let (dispatcher, warnings) = self.build_checked(config, checked)?;
        let mut handle = install(dispatcher, config, warnings, tracing)?;
        attach_control(&mut handle, None, config)?;
        Ok(handle)
    }

    /// Builds a dispatcher for `config` without installing it.
    ///
    /// # Errors
    ///
    /// When the config is invalid or an output cannot be opened.
    pub fn build(self, config: &Config) -> Result<Dispatcher, Error> {
        let checked = graph::check(config);
        self.build_checked(config, checked).map(|(d, _)| d)
    }

    /// [`build`](Builder::build) from the validation of `config`; returns its
    /// warnings too.
    fn build_checked(
        self,
        config: &Config,
        checked: Checked,
    ) -> Result<(Dispatcher, Vec<Diagnostic>), Error> {
        Dispatcher::from_parts(config, checked, self.registry, self.on_error, self.env_text)
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
    #[must_use = "the `Handle` keeps the watcher running and flushes on drop; bind it (`let _handle = ...`)"]
    pub fn init_file(self, path: impl AsRef<Path>) -> Result<Handle, Error> {
        let path = path.as_ref();
        let (config, checked) = load::load_path(path)?;
        let watch = config.reload.enabled;
        let tracing = !self.skip_tracing;
        let (dispatcher, warnings) = self.build_checked(&config, checked)?;
        let mut handle = install(dispatcher, &config, warnings.clone(), tracing)?;
        if watch {
            handle.watcher = Some(reload::Watcher::start(
                handle.dispatcher.clone(),
                path.to_path_buf(),
                &config,
                warnings,
            )?);
        }
        attach_control(&mut handle, Some(path), &config)?;
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
    #[must_use = "the `Handle` keeps the watcher running and flushes on drop; bind it (`let _handle = ...`)"]
    pub fn build_file(self, path: impl AsRef<Path>) -> Result<Handle, Error> {
        let path = path.as_ref();
        let (config, checked) = load::load_path(path)?;
        let (dispatcher, warnings) = self.build_checked(&config, checked)?;
        let watcher = if config.reload.enabled {
            Some(reload::Watcher::start(
                dispatcher.clone(),
                path.to_path_buf(),
                &config,
                warnings,
            )?)
        } else {
            None
        };
        let mut handle = Handle {
            dispatcher,
            watcher,
            #[cfg(feature = "control")]
            control: None,
        };
        attach_control(&mut handle, Some(path), &config)?;
        Ok(handle)
    }

    /// Parses `text`, installs it as the `log` backend. Nothing is watched.
    ///
    /// # Errors
    ///
    /// As [`init_file`](Builder::init_file), less the file.
    #[must_use = "the `Handle` keeps the watcher running and flushes on drop; bind it (`let _handle = ...`)"]
    pub fn init_str(self, text: &str, format: Format) -> Result<Handle, Error> {
        let (config, checked) = load::load_str(text, format, None)?;
        let tracing = !self.skip_tracing;
        let (dispatcher, warnings) = self.build_checked(&config, checked)?;
        let mut handle = install(dispatcher, &config, warnings, tracing)?;
        attach_control(&mut handle, None, &config)?;
        Ok(handle)
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
    #[must_use = "the `Handle` keeps the watcher running and flushes on drop; bind it (`let _handle = ...`)"]
    pub fn init(self) -> Result<Handle, Error> {
        match find_config_file() {
            Some(path) => self.init_file(path),
            None => self.install(&default_config()),
        }
    }
}

/// Starts the control endpoint of `config` (issue #15) for `handle`.
fn attach_control(handle: &mut Handle, file: Option<&Path>, config: &Config) -> Result<(), Error> {
    #[cfg(feature = "control")]
    {
        let link = handle.watcher.as_ref().map(reload::Watcher::link);
        handle.control =
            crate::control::Control::start(handle.dispatcher.clone(), link, file, config)?;
    }
    #[cfg(not(feature = "control"))]
    if config.control.is_some() {
        let _ = (handle, file);
        return Err(Error::new(
            ErrorKind::FeatureDisabled,
            "`control` requires the `control` feature of logfig",
        ));
    }
    Ok(())
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
fn install(
    dispatcher: Dispatcher,
    config: &Config,
    warnings: Vec<Diagnostic>,
    tracing: bool,
) -> Result<Handle, Error> {
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
        #[cfg(feature = "control")]
        control: None,
    };
    // Warnings go through the new graph, on the `logfig` target; those of a
    // Python config to the error hook only (CPython writes none).
    for w in warnings {
        if config.is_python() {
            let e = Error::from_diagnostics(ErrorKind::Invalid, vec![w]);
            handle.dispatcher.report_config(&e);
        } else {
            log::warn!(target: "logfig", "{w}");
        }
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
#[must_use = "the `Handle` keeps the watcher running and flushes on drop; bind it (`let _handle = ...`)"]
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
#[must_use = "the `Handle` keeps the watcher running and flushes on drop; bind it (`let _handle = ...`)"]
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
#[must_use = "the `Handle` keeps the watcher running and flushes on drop; bind it (`let _handle = ...`)"]
pub fn init() -> Result<Handle, Error> {
    Builder::new().init()
}
