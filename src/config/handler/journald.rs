//! `type: journald`: the config of the systemd journal output.

use std::path::PathBuf;

use super::net::default_net_buffer;
use super::{CommonHandlerConfig, WorkerConfig};

/// `type: journald` (Linux): sends each record to the systemd journal over
/// its native protocol, from a background thread.
///
/// The socket must exist when the config is built: a missing journal is a
/// config error, not records silently lost later. See the
/// [network guide](crate::guide::network) for the fields sent.
///
/// # Examples
///
/// ```
/// use logfig::config::HandlerConfig;
///
/// let config = logfig::Config::from_str(
///     "version: 1\nhandlers:\n  journal: { type: journald, syslog_identifier: shop }\nroot: { handlers: [journal] }\n",
///     logfig::Format::Yaml,
/// )?;
/// let HandlerConfig::Journald(j) = &config.handlers["journal"] else { unreachable!() };
/// assert_eq!(j.path, std::path::Path::new("/run/systemd/journal/socket"));
/// assert_eq!(j.syslog_identifier.as_deref(), Some("shop"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct JournaldHandlerConfig {
    /// The journal's native socket. Default: `/run/systemd/journal/socket`.
    #[cfg_attr(feature = "serde", serde(default = "default_path"))]
    pub path: PathBuf,
    /// `SYSLOG_IDENTIFIER` of every record (what `journalctl -t` selects):
    /// printable ASCII, at most 64 bytes. Default: the program's file name.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub syslog_identifier: Option<String>,
    /// Most records waiting to be sent; when full, the oldest is dropped and
    /// counted. Default: 10000.
    #[cfg_attr(feature = "serde", serde(default = "default_net_buffer"))]
    pub buffer: u32,
    /// `close_timeout` and `buffer_bytes`: the bounds of the background thread.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub worker: WorkerConfig,
    /// Level, formatter and filters. The formatter renders `MESSAGE`
    /// (default: the message alone).
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub common: CommonHandlerConfig,
}

impl Default for JournaldHandlerConfig {
    fn default() -> Self {
        JournaldHandlerConfig {
            path: default_path(),
            syslog_identifier: None,
            buffer: default_net_buffer(),
            worker: WorkerConfig::default(),
            common: CommonHandlerConfig::default(),
        }
    }
}

impl JournaldHandlerConfig {
    /// A config for the journal socket at `path`, every other key at its
    /// default.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = logfig::config::JournaldHandlerConfig::new("/run/systemd/journal/socket");
    /// assert_eq!(c.syslog_identifier, None);
    /// ```
    pub fn new(path: impl Into<PathBuf>) -> Self {
        JournaldHandlerConfig {
            path: path.into(),
            ..JournaldHandlerConfig::default()
        }
    }
}

/// Longest `syslog_identifier`, in bytes.
pub(crate) const MAX_IDENTIFIER: usize = 64;

fn default_path() -> PathBuf {
    PathBuf::from("/run/systemd/journal/socket")
}
