//! [`Handle`]: what `init_*` return to the application.

use std::sync::Arc;

use crate::config;
use crate::error::{Error, ErrorKind};
use crate::handlers::HandlerStats;
#[cfg(feature = "tracing")]
use crate::layer::TracingLayer;
use crate::reload::{self, ReloadStatus};
use crate::runtime::Dispatcher;

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
#[must_use = "dropping the handle stops watching the config file and flushes the handlers; keep it alive in `main`"]
pub struct Handle {
    pub(crate) dispatcher: Dispatcher,
    pub(crate) watcher: Option<reload::Watcher>,
    /// The control endpoint, stopped before the watcher.
    #[cfg(feature = "control")]
    pub(crate) control: Option<crate::control::Control>,
}

impl Handle {
    /// The installed dispatcher.
    pub fn dispatcher(&self) -> &Dispatcher {
        &self.dispatcher
    }

    /// A `tracing` layer over the installed graph, to compose into a
    /// subscriber of your own; see [`TracingLayer`] and
    /// [`Builder::install_tracing`](crate::Builder::install_tracing).
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
        #[cfg(feature = "control")]
        {
            self.control = None;
        }
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

    /// The address the control endpoint listens on (`127.0.0.1:40123`,
    /// `unix:/run/app/logfig.sock`): with `listen: 127.0.0.1:0`, the port
    /// the system picked. `None` when no endpoint is configured.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let config = dir.path().join("logging.yaml");
    /// std::fs::write(&config, "version: 1\ncontrol: { listen: 127.0.0.1:0, token: 0123456789abcdef }\n")?;
    /// let handle = logfig::Builder::new().build_file(&config)?;
    /// let address = handle.control_address().expect("serving");
    /// assert!(address.starts_with("127.0.0.1:"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "control")]
    #[cfg_attr(docsrs, doc(cfg(feature = "control")))]
    pub fn control_address(&self) -> Option<String> {
        self.control
            .as_ref()
            .and_then(crate::control::Control::address)
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
        #[cfg(feature = "control")]
        {
            self.control = None;
        }
        self.watcher = None;
        if !self.dispatcher.is_shut_down() {
            self.dispatcher.flush_handlers_bounded();
        }
    }
}
