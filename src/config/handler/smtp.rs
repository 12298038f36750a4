//! The `smtp` handler: records e-mailed, rate limited.

use std::time::Duration;

use super::net::default_net_buffer;
use super::{CommonHandlerConfig, WorkerConfig};
use crate::config::Secret;

/// When the `smtp` handler encrypts the connection with STARTTLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum StartTls {
    /// When the server offers it; plain text otherwise (the default).
    #[default]
    Auto,
    /// Always: a server without STARTTLS is an error.
    Always,
    /// Never: plain text (for a trusted local relay).
    Never,
}

/// User name and password (SMTP AUTH, HTTP basic authentication); write
/// them as `${VAR}`. Python's `[user, password]` pair is accepted too.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct Credentials {
    /// User name.
    pub username: String,
    /// Password, such as `${SMTP_PASSWORD}`. Never shown.
    pub password: Secret,
}

impl Credentials {
    /// Credentials from a user name and a password.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = logfig::config::Credentials::new("alerts", "hunter2");
    /// assert!(!format!("{c:?}").contains("hunter2"));
    /// ```
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Credentials {
            username: username.into(),
            password: Secret::new(password),
        }
    }
}

/// `type: smtp` (feature `smtp`): e-mails the records that reach it (set
/// `level: ERROR` for alerts) from a background thread.
///
/// The first record opens a `window`; every record that arrives within it
/// goes into the same message. At most `max_per_hour` messages are sent in
/// any hour: beyond that, records wait (up to `buffer`) and go out together
/// in the next message the cap allows, so an error storm does not become a
/// mail storm.
///
/// # Examples
///
/// ```
/// use logfig::config::{HandlerConfig, StartTls};
///
/// let config = logfig::Config::from_str(
///     "version: 1\nhandlers:\n  mail: { type: smtp, host: smtp.example.com, port: 587, from: app@example.com, to: [ops@example.com], level: ERROR, credentials: { username: app, password: secret } }\nroot: { handlers: [mail] }\n",
///     logfig::Format::Yaml,
/// )?;
/// let HandlerConfig::Smtp(m) = &config.handlers["mail"] else { unreachable!() };
/// assert_eq!((m.port, m.starttls, m.max_per_hour), (587, StartTls::Auto, 20));
/// assert_eq!(m.window, std::time::Duration::from_secs(10));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct SmtpHandlerConfig {
    /// Host name or IP address of the SMTP server, without a port (`port` holds it).
    pub host: String,
    /// Port of the SMTP server. Default: 25.
    #[cfg_attr(feature = "serde", serde(default = "default_smtp_port"))]
    pub port: u16,
    /// Sender address, such as `app@example.com` or `App <app@example.com>`.
    pub from: String,
    /// Recipient addresses.
    pub to: Vec<String>,
    /// Subject, a Python `%`-style pattern rendered from the message's first
    /// record; ` (+N more)` is added when the message holds more. Default:
    /// `%(levelname)s: %(message)s`.
    #[cfg_attr(feature = "serde", serde(default = "default_subject"))]
    pub subject: String,
    /// `auto` (when offered), `always` or `never`. Certificates are verified.
    /// Default: `auto`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub starttls: StartTls,
    /// User name and password for SMTP AUTH. Default: none.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub credentials: Option<Credentials>,
    /// How long the first record of a message waits for more to join it.
    /// Default: 10s.
    #[cfg_attr(
        feature = "serde",
        serde(default = "default_window", with = "crate::config::duration_text")
    )]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub window: Duration,
    /// Most messages sent in any hour. Default: 20.
    #[cfg_attr(feature = "serde", serde(default = "default_max_per_hour"))]
    pub max_per_hour: u32,
    /// Longest time one SMTP exchange may take. Default: 10s.
    #[cfg_attr(
        feature = "serde",
        serde(
            default = "default_smtp_timeout",
            with = "crate::config::duration_text"
        )
    )]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub timeout: Duration,
    /// Most records (a count, not a size: see `buffer_bytes`) waiting for the
    /// next message; when full, the oldest is dropped and counted. Default:
    /// 10000.
    #[cfg_attr(feature = "serde", serde(default = "default_net_buffer"))]
    pub buffer: u32,
    /// `close_timeout` and `buffer_bytes`: the bounds of the background thread.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub worker: WorkerConfig,
    /// Level, formatter and filters.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub common: CommonHandlerConfig,
}

impl SmtpHandlerConfig {
    /// A config sending from `from` to `to` through `host` with every other
    /// key at its default.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = logfig::config::SmtpHandlerConfig::new("127.0.0.1", "app@example.com", ["ops@example.com"]);
    /// assert_eq!(c.port, 25);
    /// ```
    pub fn new<S: Into<String>>(
        host: impl Into<String>,
        from: impl Into<String>,
        to: impl IntoIterator<Item = S>,
    ) -> Self {
        SmtpHandlerConfig {
            host: host.into(),
            port: default_smtp_port(),
            from: from.into(),
            to: to.into_iter().map(Into::into).collect(),
            subject: default_subject(),
            starttls: StartTls::Auto,
            credentials: None,
            window: default_window(),
            max_per_hour: default_max_per_hour(),
            timeout: default_smtp_timeout(),
            buffer: default_net_buffer(),
            worker: WorkerConfig::default(),
            common: CommonHandlerConfig::default(),
        }
    }
}

fn default_smtp_port() -> u16 {
    25
}

fn default_subject() -> String {
    "%(levelname)s: %(message)s".to_owned()
}

fn default_window() -> Duration {
    Duration::from_secs(10)
}

fn default_max_per_hour() -> u32 {
    20
}

fn default_smtp_timeout() -> Duration {
    Duration::from_secs(10)
}
