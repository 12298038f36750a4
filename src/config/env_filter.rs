//! `env_filter`: level directives from an environment variable (`RUST_LOG`).

/// `env_filter`: where logfig reads env_logger-style level directives
/// (`RUST_LOG=myapp=debug,hyper=warn`) that it applies on top of the file's
/// loggers.
///
/// Each directive sets the level of the logger it names (a bare level sets
/// the root's), as `Handle::set_level` does: loggers the directives do not
/// name keep the file's levels, and handler levels still apply. Runtime
/// overrides win over the directives; the directives survive reloads.
/// Switch them off in production with `enabled: false`.
///
/// # Examples
///
/// ```
/// use logfig::{Config, Format};
///
/// let config = Config::from_str(
///     "version: 1\nenv_filter: { var: MYAPP_LOG, enabled: false }\n",
///     Format::Yaml,
/// )?;
/// assert_eq!(config.env_filter.var, "MYAPP_LOG");
/// assert!(!config.env_filter.enabled);
/// assert_eq!(logfig::config::EnvFilterConfig::default().var, "RUST_LOG");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct EnvFilterConfig {
    /// Read the variable and apply its directives. Default: true.
    #[serde(default = "super::yes")]
    pub enabled: bool,
    /// Name of the environment variable that holds the directives. Default: `RUST_LOG`.
    #[serde(default = "default_var")]
    pub var: String,
}

impl Default for EnvFilterConfig {
    fn default() -> Self {
        EnvFilterConfig {
            enabled: true,
            var: default_var(),
        }
    }
}

fn default_var() -> String {
    "RUST_LOG".to_owned()
}
