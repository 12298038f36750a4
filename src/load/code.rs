//! [`ConfigBuilder`]: a [`Config`] written in code, checked as a file is.
//!
//! The builder takes the same typed values the file decodes into
//! ([`HandlerConfig`], [`FormatterConfig`], [`FilterConfig`], [`LoggerConfig`]),
//! so a config from code and one from `logging.yaml` are one model. Its
//! check is the loader's own: the config is written out as JSON (secrets
//! whole, `${` escaped) and loaded, so every value check and every reference
//! check a file gets, a config from code gets too, with the same messages.

use crate::config::{
    Config, EnvFilterConfig, FilterConfig, FormatterConfig, HandlerConfig, Level, LoggerConfig,
    ReloadConfig,
};
use crate::error::{Diagnostic, Error, ErrorKind};

/// Builds a [`Config`] in code: loggers, handlers, formatters and filters as
/// typed values, checked by [`build`](ConfigBuilder::build) exactly as a
/// config file is. Start with [`Config::builder`].
///
/// # Examples
///
/// ```
/// use logfig::Config;
/// use logfig::config::{ConsoleHandlerConfig, Level, LoggerConfig, PatternFormatterConfig, Stream};
///
/// let config = Config::builder()
///     .formatter("plain", PatternFormatterConfig::new("%(levelname)s %(name)s: %(message)s"))
///     .handler("console", ConsoleHandlerConfig::new(Stream::Stderr).with_formatter("plain"))
///     .logger("myapp::db", LoggerConfig::new(Level::Debug))
///     .root(Level::Info, ["console"])
///     .build()?;
/// assert_eq!(config.loggers["myapp::db"].level, Some(Level::Debug));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ConfigBuilder {
    config: Config,
}

impl Config {
    /// A builder for a config written in code; see [`ConfigBuilder`].
    ///
    /// # Examples
    ///
    /// ```
    /// let config = logfig::Config::builder().build()?;
    /// assert_eq!(config, logfig::Config::default());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder {
            config: Config::default(),
        }
    }
}

impl ConfigBuilder {
    /// Adds (or replaces) formatter `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::config::JsonFormatterConfig;
    ///
    /// let config = logfig::Config::builder().formatter("machine", JsonFormatterConfig::default()).build()?;
    /// assert!(config.formatters.contains_key("machine"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn formatter(mut self, name: impl Into<String>, f: impl Into<FormatterConfig>) -> Self {
        self.config.formatters.insert(name.into(), f.into());
        self
    }

    /// Adds (or replaces) filter `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::config::{NameFilterConfig, NullHandlerConfig};
    ///
    /// let config = logfig::Config::builder()
    ///     .filter("mine", NameFilterConfig::new("myapp"))
    ///     .handler("sink", NullHandlerConfig::default().with_filters(["mine"]))
    ///     .root(None, ["sink"])
    ///     .build()?;
    /// assert!(config.filters.contains_key("mine"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn filter(mut self, name: impl Into<String>, f: impl Into<FilterConfig>) -> Self {
        self.config.filters.insert(name.into(), f.into());
        self
    }

    /// Adds (or replaces) handler `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::config::{FileHandlerConfig, Level};
    ///
    /// let config = logfig::Config::builder()
    ///     .handler("app", FileHandlerConfig::new("app.log").with_level(Level::Info))
    ///     .root(Level::Debug, ["app"])
    ///     .build()?;
    /// assert_eq!(config.handlers["app"].common().level, Some(Level::Info));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn handler(mut self, name: impl Into<String>, h: impl Into<HandlerConfig>) -> Self {
        self.config.handlers.insert(name.into(), h.into());
        self
    }

    /// Adds (or replaces) logger `name` (a `log` target: `myapp::db`).
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::config::{Level, LoggerConfig};
    ///
    /// let config = logfig::Config::builder()
    ///     .logger("hyper", LoggerConfig::new(Level::Warning).with_propagate(true))
    ///     .build()?;
    /// assert_eq!(config.loggers["hyper"].level, Some(Level::Warning));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn logger(mut self, name: impl Into<String>, logger: LoggerConfig) -> Self {
        self.config.loggers.insert(name.into(), logger);
        self
    }

    /// Sets the root logger's level (`None`: WARNING, Python's default) and
    /// handlers.
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::config::{Level, NullHandlerConfig};
    ///
    /// let config = logfig::Config::builder()
    ///     .handler("sink", NullHandlerConfig::default())
    ///     .root(Level::Error, ["sink"])
    ///     .build()?;
    /// assert_eq!(config.root.level, Some(Level::Error));
    /// assert_eq!(config.root.handlers, ["sink"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn root<S: Into<String>>(
        mut self,
        level: impl Into<Option<Level>>,
        handlers: impl IntoIterator<Item = S>,
    ) -> Self {
        self.config.root.level = level.into();
        self.config.root.handlers = handlers.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the root logger's filters.
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::config::NameFilterConfig;
    ///
    /// let config = logfig::Config::builder()
    ///     .filter("mine", NameFilterConfig::new("myapp"))
    ///     .root_filters(["mine"])
    ///     .build()?;
    /// assert_eq!(config.root.filters, ["mine"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn root_filters<S: Into<String>>(mut self, filters: impl IntoIterator<Item = S>) -> Self {
        self.config.root.filters = filters.into_iter().map(Into::into).collect();
        self
    }

    /// Sets where `RUST_LOG`-style directives are read from, or switches
    /// them off; see [`EnvFilterConfig`].
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::config::EnvFilterConfig;
    ///
    /// let config = logfig::Config::builder().env_filter(EnvFilterConfig::off()).build()?;
    /// assert!(!config.env_filter.enabled);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn env_filter(mut self, env_filter: EnvFilterConfig) -> Self {
        self.config.env_filter = env_filter;
        self
    }

    /// Sets the reload settings (used when the config is applied to a
    /// watched dispatcher).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut reload = logfig::config::ReloadConfig::default();
    /// reload.on_sighup = true;
    /// let config = logfig::Config::builder().reload(reload).build()?;
    /// assert!(config.reload.on_sighup);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reload(mut self, reload: ReloadConfig) -> Self {
        self.config.reload = reload;
        self
    }

    /// Sets `disable_existing_loggers` (default: false).
    ///
    /// # Examples
    ///
    /// ```
    /// let config = logfig::Config::builder().disable_existing_loggers(true).build()?;
    /// assert!(config.disable_existing_loggers);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn disable_existing_loggers(mut self, disable: bool) -> Self {
        self.config.disable_existing_loggers = disable;
        self
    }

    /// Checks the config as a config file is checked, every problem at
    /// once, and returns it.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) with the same
    /// diagnostics, by config path, that the same config written in a file
    /// gets (without a line and column: there is no file).
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::config::{ConsoleHandlerConfig, Stream};
    ///
    /// let err = logfig::Config::builder()
    ///     .handler("console", ConsoleHandlerConfig::new(Stream::Stdout).with_formatter("plian"))
    ///     .root(None, ["consol"])
    ///     .build()
    ///     .unwrap_err();
    /// let paths: Vec<&str> = err.diagnostics().iter().map(|d| d.path()).collect();
    /// assert_eq!(paths, ["handlers.console.formatter", "root.handlers[0]"]);
    /// ```
    pub fn build(self) -> Result<Config, crate::error::Error> {
        check(&self.config)?;
        Ok(self.config)
    }
}

/// Checks `config` as the loader checks a file: as JSON, through the
/// decoder and the semantic checks. Positions point into text no one wrote,
/// so they are dropped; the config paths and messages stay.
fn check(config: &Config) -> Result<(), Error> {
    let (value, _) = written(config, true);
    let mut value = value.map_err(|e| {
        Error::new(
            ErrorKind::Invalid,
            format!("the config cannot be written out: {e}"),
        )
    })?;
    escape_dollars(&mut value);
    let text = value.to_string();
    // `${...}` is escaped, so the environment is never read.
    match super::load_with_env(&text, super::Format::Json, None, &|_| None) {
        Ok(_) => Ok(()),
        Err(e) => {
            let diagnostics = e
                .diagnostics()
                .iter()
                .map(|d| Diagnostic::new(d.severity(), d.path(), d.message()))
                .collect();
            Err(Error::from_diagnostics(e.kind(), diagnostics))
        }
    }
}

/// `config` as logfig writes it out (the value `check` loads, and
/// `logfig fmt`'s), secrets whole or as `***`, and how many were masked.
/// Hidden: for the test that holds it equal to serde's derive.
#[doc(hidden)]
pub fn written(config: &Config, show_secrets: bool) -> (Result<serde_json::Value, String>, usize) {
    crate::config::serializing(show_secrets, || crate::config::to_json(config))
}

/// `config` as serde's derive writes it, as [`written`] returns it. Hidden:
/// for the test that holds the two equal.
#[cfg(feature = "serde")]
#[doc(hidden)]
pub fn serialized(
    config: &Config,
    show_secrets: bool,
) -> (Result<serde_json::Value, String>, usize) {
    crate::config::serializing(show_secrets, || {
        serde_json::to_value(config).map_err(|e| e.to_string())
    })
}

/// A value from code means what it says: `${VAR}` in it is text, not a
/// variable, so it is escaped as a file would write it (`$${`).
fn escape_dollars(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) if s.contains("${") => *s = s.replace("${", "$${"),
        serde_json::Value::Array(items) => items.iter_mut().for_each(escape_dollars),
        serde_json::Value::Object(map) => map.values_mut().for_each(escape_dollars),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_stay_text() {
        for text in ["${HOME}/x", "$${HOME}", "$$${A}", "a$b", "${", "$"] {
            let mut v = serde_json::json!({ "k": [text] });
            escape_dollars(&mut v);
            let escaped = v["k"][0].as_str().unwrap().to_owned();
            let back = crate::load::env::expand(&escaped, &|_| Some("X".into()), 1000)
                .unwrap()
                .unwrap_or(escaped);
            assert_eq!(back, text);
        }
    }
}
