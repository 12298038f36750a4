//! Conveniences for configs written in code: `From` each kind's config into
//! its enum ([`HandlerConfig`], [`FormatterConfig`], [`FilterConfig`]), small
//! constructors, and `with_*` setters. `crate::load::code` holds the builder
//! that checks such a config as a file is checked.

use super::{
    ConsoleHandlerConfig, DedupFilterConfig, EnvFilterConfig, FileHandlerConfig, FilterConfig,
    FormatterConfig, HandlerConfig, JsonFormatterConfig, Level, LevelFilterConfig, LoggerConfig,
    MemoryHandlerConfig, NameFilterConfig, NullHandlerConfig, PatternFormatterConfig,
    QueueHandlerConfig, RateLimitFilterConfig, RegexFilterConfig, RotatingFileHandlerConfig,
    Stream, SyslogHandlerConfig, TcpHandlerConfig, UdpHandlerConfig, WatchedFileHandlerConfig,
};
use super::{
    CustomHandlerConfig, HttpHandlerConfig, JournaldHandlerConfig, OtlpHandlerConfig,
    SmtpHandlerConfig,
};

macro_rules! into_enum {
    ($enum:ident { $($variant:ident($ty:ty)),* $(,)? }) => {
        $(
            impl From<$ty> for $enum {
                fn from(c: $ty) -> Self {
                    $enum::$variant(c)
                }
            }
        )*
    };
}

into_enum!(HandlerConfig {
    Console(ConsoleHandlerConfig),
    File(FileHandlerConfig),
    RotatingFile(RotatingFileHandlerConfig),
    WatchedFile(WatchedFileHandlerConfig),
    Queue(QueueHandlerConfig),
    Memory(MemoryHandlerConfig),
    Null(NullHandlerConfig),
    Tcp(TcpHandlerConfig),
    Udp(UdpHandlerConfig),
    Syslog(SyslogHandlerConfig),
    Http(HttpHandlerConfig),
    Smtp(SmtpHandlerConfig),
    Otlp(OtlpHandlerConfig),
    Journald(JournaldHandlerConfig),
    Custom(CustomHandlerConfig),
});

into_enum!(FormatterConfig {
    Pattern(PatternFormatterConfig),
    Json(JsonFormatterConfig),
});

into_enum!(FilterConfig {
    Level(LevelFilterConfig),
    Name(NameFilterConfig),
    Regex(RegexFilterConfig),
    RateLimit(RateLimitFilterConfig),
    Dedup(DedupFilterConfig),
});

/// The level, formatter and filters setters, on every handler kind and on
/// [`HandlerConfig`] itself.
macro_rules! common_setters {
    ($($ty:ty),* $(,)?) => {
        $(
            impl $ty {
                /// Sets the handler's level (`handlers.<name>.level`).
                ///
                /// See [`ConfigBuilder::handler`](crate::ConfigBuilder::handler) for an example.
                pub fn with_level(mut self, level: Level) -> Self {
                    self.common.level = Some(level);
                    self
                }

                /// Sets the handler's formatter by name (`handlers.<name>.formatter`).
                ///
                /// See [`ConfigBuilder`](crate::ConfigBuilder) for an example.
                pub fn with_formatter(mut self, formatter: impl Into<String>) -> Self {
                    self.common.formatter = Some(formatter.into());
                    self
                }

                /// Sets the handler's filters by name (`handlers.<name>.filters`).
                ///
                /// See [`ConfigBuilder::filter`](crate::ConfigBuilder::filter) for an example.
                pub fn with_filters<S: Into<String>>(
                    mut self,
                    filters: impl IntoIterator<Item = S>,
                ) -> Self {
                    self.common.filters = filters.into_iter().map(Into::into).collect();
                    self
                }
            }
        )*
    };
}

common_setters!(
    ConsoleHandlerConfig,
    FileHandlerConfig,
    RotatingFileHandlerConfig,
    WatchedFileHandlerConfig,
    QueueHandlerConfig,
    MemoryHandlerConfig,
    NullHandlerConfig,
    TcpHandlerConfig,
    UdpHandlerConfig,
    SyslogHandlerConfig,
    HttpHandlerConfig,
    SmtpHandlerConfig,
    OtlpHandlerConfig,
    JournaldHandlerConfig,
    CustomHandlerConfig,
);

impl ConsoleHandlerConfig {
    /// A console handler writing to `stream`, colour `auto`.
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::config::{ConsoleHandlerConfig, Stream};
    ///
    /// assert_eq!(ConsoleHandlerConfig::new(Stream::Stdout).stream, Stream::Stdout);
    /// ```
    pub fn new(stream: Stream) -> Self {
        ConsoleHandlerConfig {
            stream,
            ..ConsoleHandlerConfig::default()
        }
    }
}

impl PatternFormatterConfig {
    /// A `%`-style pattern formatter (`%(levelname)s %(message)s`).
    ///
    /// # Examples
    ///
    /// ```
    /// let f = logfig::config::PatternFormatterConfig::new("%(message)s");
    /// assert_eq!(f.format.as_deref(), Some("%(message)s"));
    /// ```
    pub fn new(format: impl Into<String>) -> Self {
        PatternFormatterConfig {
            format: Some(format.into()),
            ..PatternFormatterConfig::default()
        }
    }
}

impl NameFilterConfig {
    /// Lets through the records of logger `name` and its descendants.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(logfig::config::NameFilterConfig::new("myapp").name, "myapp");
    /// ```
    pub fn new(name: impl Into<String>) -> Self {
        NameFilterConfig { name: name.into() }
    }
}

impl RegexFilterConfig {
    /// Drops the records whose message matches `pattern`.
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::config::{FilterAction, RegexFilterConfig};
    ///
    /// assert_eq!(RegexFilterConfig::deny("GET /health").action, FilterAction::Deny);
    /// ```
    pub fn deny(pattern: impl Into<String>) -> Self {
        RegexFilterConfig {
            pattern: pattern.into(),
            action: super::FilterAction::Deny,
        }
    }

    /// Lets through only the records whose message matches `pattern`.
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::config::{FilterAction, RegexFilterConfig};
    ///
    /// assert_eq!(RegexFilterConfig::allow("^audit").action, FilterAction::Allow);
    /// ```
    pub fn allow(pattern: impl Into<String>) -> Self {
        RegexFilterConfig {
            pattern: pattern.into(),
            action: super::FilterAction::Allow,
        }
    }
}

impl LoggerConfig {
    /// A logger at `level` (`None`: inherit the ancestor's), propagating,
    /// with no handlers of its own.
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::config::{Level, LoggerConfig};
    ///
    /// let l = LoggerConfig::new(Level::Debug);
    /// assert_eq!(l.level, Some(Level::Debug));
    /// assert!(l.propagate);
    /// ```
    pub fn new(level: impl Into<Option<Level>>) -> Self {
        LoggerConfig {
            level: level.into(),
            ..LoggerConfig::default()
        }
    }

    /// Sets the logger's handlers by name.
    ///
    /// # Examples
    ///
    /// ```
    /// let l = logfig::config::LoggerConfig::new(None).with_handlers(["app"]);
    /// assert_eq!(l.handlers, ["app"]);
    /// ```
    pub fn with_handlers<S: Into<String>>(mut self, handlers: impl IntoIterator<Item = S>) -> Self {
        self.handlers = handlers.into_iter().map(Into::into).collect();
        self
    }

    /// Sets whether records also go to the ancestors' handlers.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!logfig::config::LoggerConfig::new(None).with_propagate(false).propagate);
    /// ```
    pub fn with_propagate(mut self, propagate: bool) -> Self {
        self.propagate = propagate;
        self
    }

    /// Sets the logger's filters by name.
    ///
    /// # Examples
    ///
    /// ```
    /// let l = logfig::config::LoggerConfig::new(None).with_filters(["mine"]);
    /// assert_eq!(l.filters, ["mine"]);
    /// ```
    pub fn with_filters<S: Into<String>>(mut self, filters: impl IntoIterator<Item = S>) -> Self {
        self.filters = filters.into_iter().map(Into::into).collect();
        self
    }
}

impl EnvFilterConfig {
    /// Directives read from variable `var` instead of `RUST_LOG`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(logfig::config::EnvFilterConfig::from_var("MYAPP_LOG").var, "MYAPP_LOG");
    /// ```
    pub fn from_var(var: impl Into<String>) -> Self {
        EnvFilterConfig {
            enabled: true,
            var: var.into(),
        }
    }

    /// No directives are read from the environment (for production).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!logfig::config::EnvFilterConfig::off().enabled);
    /// ```
    pub fn off() -> Self {
        EnvFilterConfig {
            enabled: false,
            ..EnvFilterConfig::default()
        }
    }
}
