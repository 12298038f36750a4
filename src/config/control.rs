//! `control`: the HTTP endpoint that changes levels of a running process
//! (issue #15). Plain data; the server lives in `crate::control` behind the
//! `control` feature.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::Secret;

/// Where the control endpoint listens: a TCP address or a unix socket.
///
/// # Examples
///
/// ```
/// use logfig::config::ControlListen;
///
/// let tcp: ControlListen = "127.0.0.1:9009".parse()?;
/// assert!(tcp.is_loopback());
/// let unix: ControlListen = "unix:/run/app/logfig.sock".parse()?;
/// assert_eq!(unix.to_string(), "unix:/run/app/logfig.sock");
/// assert!("localhost:9009".parse::<ControlListen>().is_err());
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ControlListen {
    /// An IP address and port (`127.0.0.1:9009`, `[::1]:9009`); port 0 picks
    /// a free one.
    Tcp(SocketAddr),
    /// A unix socket path (`unix:/run/app/logfig.sock`).
    Unix(PathBuf),
}

impl ControlListen {
    /// Whether this is a unix socket or a loopback IP address.
    pub fn is_loopback(&self) -> bool {
        match self {
            ControlListen::Tcp(a) => a.ip().is_loopback(),
            ControlListen::Unix(_) => true,
        }
    }
}

impl std::str::FromStr for ControlListen {
    type Err = String;

    /// Parses `IP:PORT` or `unix:PATH`. Host names are refused: resolving one
    /// is I/O, and a name that resolves elsewhere tomorrow would move the
    /// endpoint off loopback without a config change.
    fn from_str(s: &str) -> Result<Self, String> {
        if let Some(path) = s.strip_prefix("unix:") {
            if path.is_empty() {
                return Err(
                    "`unix:` needs a socket path, such as `unix:/run/app/logfig.sock`".into(),
                );
            }
            if path.len() > MAX_SOCKET_PATH {
                return Err(format!(
                    "the socket path is {} bytes long; unix sockets allow at most {MAX_SOCKET_PATH}",
                    path.len()
                ));
            }
            return Ok(ControlListen::Unix(PathBuf::from(path)));
        }
        s.parse::<SocketAddr>().map(ControlListen::Tcp).map_err(|_| {
            let hint = if s.starts_with("localhost") {
                " (use `127.0.0.1` for localhost)"
            } else {
                ""
            };
            format!("invalid listen address `{s}`: expected `IP:PORT` such as `127.0.0.1:9009`, or `unix:PATH`{hint}")
        })
    }
}

impl std::fmt::Display for ControlListen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ControlListen::Tcp(a) => write!(f, "{a}"),
            ControlListen::Unix(p) => write!(f, "unix:{}", p.display()),
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for ControlListen {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Longest unix socket path (`sun_path` holds 108 bytes on Linux, with its NUL).
pub(crate) const MAX_SOCKET_PATH: usize = 107;

/// Most simultaneous connections `max_connections` may allow.
pub(crate) const MAX_CONNECTIONS: u32 = 256;

/// Most requests per second `rate_limit` may allow.
pub(crate) const MAX_RATE: u32 = 10_000;

/// Longest `timeout`.
pub(crate) const MAX_TIMEOUT: Duration = Duration::from_secs(300);

/// Shortest `token`, in bytes: 16 random bytes (128 bits, such as
/// `openssl rand -hex 16`'s 32 characters) cannot be guessed through a
/// rate-limited endpoint, and a shorter floor would still let `secret` or a
/// name pass. The endpoint changes what a production process logs, so a
/// short token is refused rather than warned about.
pub(crate) const MIN_TOKEN: usize = 16;

/// `control`: an HTTP endpoint, in the shape of Spring Boot's actuator
/// `/loggers`, that changes levels of the running process and triggers
/// reloads. Off unless configured (and the `control` feature is built in);
/// the environment variable `LOGFIG_CONTROL` sets or overrides `listen` for
/// one deployment, with the token from `LOGFIG_CONTROL_TOKEN`.
///
/// # Examples
///
/// ```
/// use logfig::{Config, Format};
///
/// let config = Config::from_str(
///     "version: 1\ncontrol: { listen: 127.0.0.1:9009, token: 0123456789abcdef }\n",
///     Format::Yaml,
/// )?;
/// let control = config.control.as_ref().expect("configured");
/// assert_eq!(control.listen.to_string(), "127.0.0.1:9009");
/// assert_eq!(control.max_connections, 8);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct ControlConfig {
    /// Where to listen: `IP:PORT` (such as `127.0.0.1:9009`) or `unix:PATH`.
    /// Required.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub listen: ControlListen,
    /// The bearer token every JSON request must carry (`Authorization: Bearer
    /// …`), at least 16 bytes long. Required for TCP; optional for a unix
    /// socket, whose peer's uid is checked instead.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub token: Option<Secret>,
    /// Allow a TCP address other than loopback. Default: false (such an
    /// address is refused).
    #[cfg_attr(feature = "serde", serde(default))]
    pub allow_remote: bool,
    /// Unix permission bits of the socket file, as an octal string. Default:
    /// `"0600"`.
    #[cfg_attr(
        feature = "serde",
        serde(default = "default_permissions", serialize_with = "octal")
    )]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub permissions: u32,
    /// Connections served at once; more are closed at once. Default: 8, at
    /// most 256.
    #[cfg_attr(feature = "serde", serde(default = "default_max_connections"))]
    pub max_connections: u32,
    /// Requests accepted per second (more are answered `429`). Default: 20,
    /// at most 10000.
    #[cfg_attr(feature = "serde", serde(default = "default_rate_limit"))]
    pub rate_limit: u32,
    /// Longest time a request may take to arrive and its answer to leave.
    /// Default: 5s, at most 300s.
    #[cfg_attr(
        feature = "serde",
        serde(with = "duration_text", default = "default_timeout")
    )]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub timeout: Duration,
}

impl ControlConfig {
    /// A control config for `listen` with the defaults.
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::config::{ControlConfig, ControlListen};
    ///
    /// let c = ControlConfig::new(ControlListen::Unix("/tmp/app.sock".into()));
    /// assert_eq!(c.permissions, 0o600);
    /// ```
    pub fn new(listen: ControlListen) -> Self {
        ControlConfig {
            listen,
            token: None,
            allow_remote: false,
            permissions: default_permissions(),
            max_connections: default_max_connections(),
            rate_limit: default_rate_limit(),
            timeout: default_timeout(),
        }
    }

    /// What makes this config unsafe to serve, as `(key, message)`: a token
    /// shorter than [`MIN_TOKEN`], TCP without a token, a non-loopback
    /// address without `allow_remote`.
    pub(crate) fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        // The length only: the message is shown, the token never is.
        let len = self.token.as_ref().map_or(0, |t| t.expose().len());
        if len > 0 && len < MIN_TOKEN {
            out.push((
                "token",
                format!("the token is {len} bytes long; at least {MIN_TOKEN} are required (`openssl rand -hex 16` makes one)"),
            ));
        }
        if let ControlListen::Tcp(addr) = &self.listen {
            if self.token.as_ref().is_none_or(|t| t.expose().is_empty()) {
                out.push((
                    "token",
                    format!("listening on TCP (`{addr}`) requires a `token` (for example `token: ${{LOGFIG_CONTROL_TOKEN}}`)"),
                ));
            }
            if !addr.ip().is_loopback() && !self.allow_remote {
                out.push((
                    "listen",
                    format!("`{addr}` is not a loopback address: set `allow_remote: true` to serve the control endpoint beyond this host"),
                ));
            }
        }
        out
    }
}

fn default_permissions() -> u32 {
    0o600
}

fn default_max_connections() -> u32 {
    8
}

fn default_rate_limit() -> u32 {
    20
}

fn default_timeout() -> Duration {
    Duration::from_secs(5)
}

#[cfg(feature = "serde")]
fn octal<S: serde::Serializer>(mode: &u32, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("0{mode:o}"))
}

#[cfg(feature = "serde")]
mod duration_text {
    pub(super) fn serialize<S: serde::Serializer>(
        d: &std::time::Duration,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::super::format_duration(*d))
    }
}
