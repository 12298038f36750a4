//! Text → [`Config`]: parse (positions kept) → expand `${VAR}` → decode → check.
//!
//! No I/O here apart from reading the config file itself in [`load_path`].

mod decode;
mod env;
mod json;
mod node;
mod python;
#[cfg(feature = "toml")]
mod toml;
#[cfg(feature = "yaml")]
mod yaml;

pub(crate) use decode::join;

use std::path::Path;
use std::sync::Arc;

use crate::config::{Config, Origin};
use crate::error::{Diagnostic, Error, ErrorKind, Severity};

/// The syntax of a config text.
///
/// # Examples
///
/// ```
/// use logfig::Format;
///
/// assert_eq!(Format::from_path("conf/logging.yml"), Some(Format::Yaml));
/// assert_eq!(Format::from_path("logging.TOML"), Some(Format::Toml));
/// assert_eq!(Format::from_path("logging.ini"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// YAML (`.yaml`, `.yml`); needs the `yaml` feature.
    Yaml,
    /// TOML (`.toml`); needs the `toml` feature.
    Toml,
    /// JSON (`.json`).
    Json,
}

impl Format {
    /// The format named by a file's extension (case-insensitive).
    pub fn from_path(path: impl AsRef<Path>) -> Option<Format> {
        let ext = path.as_ref().extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "yaml" | "yml" => Some(Format::Yaml),
            "toml" => Some(Format::Toml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    /// The format's name, as in messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Yaml => "YAML",
            Format::Toml => "TOML",
            Format::Json => "JSON",
        }
    }
}

/// Reads and checks the config file at `path`; the format comes from the
/// extension.
pub(crate) fn load_path(path: &Path) -> Result<Config, Error> {
    let format = Format::from_path(path).ok_or_else(|| {
        Error::new(
            ErrorKind::Invalid,
            format!(
                "{}: cannot tell the config format from the file name; use .yaml, .yml, .toml or .json",
                path.display()
            ),
        )
    })?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("reading config file `{}`", path.display()), e))?;
    load_str(&text, format, Some(path))
}

/// Parses and checks config text. `file` only names the source in diagnostics.
pub(crate) fn load_str(text: &str, format: Format, file: Option<&Path>) -> Result<Config, Error> {
    load_with_env(text, format, file, &|k| std::env::var(k).ok())
}

pub(crate) fn load_with_env(
    text: &str,
    format: Format,
    file: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, Error> {
    let origin_text: Arc<str> = Arc::from(text);
    let mut origin = Origin {
        file: file.map(Path::to_path_buf),
        text: Some(origin_text),
        spans: Arc::default(),
        failed: Arc::default(),
        secrets: Arc::default(),
    };
    let mut root = parse(text, format).map_err(|d| finish(ErrorKind::Parse, d, &origin))?;
    let mut decoder = decode::Decoder::new(env, format);
    decoder.expand(&mut root, "");
    // Python's dictConfig form (`class:`, `filename:`, `cfg://`) → logfig's,
    // after `${VAR}` expansion so `cfg://` copies expanded values.
    python::translate(&mut root, &mut decoder.diagnostics, &mut decoder.failed);
    let config = decoder.config(&root);
    origin.spans = Arc::new(std::mem::take(&mut decoder.spans));
    origin.failed = Arc::new(std::mem::take(&mut decoder.failed));
    origin.secrets = Arc::new(std::mem::take(&mut decoder.secrets));
    let mut diagnostics = decoder.diagnostics;
    let Some(mut config) = config else {
        return Err(finish(ErrorKind::Invalid, diagnostics, &origin));
    };
    config.origin = origin;
    // Semantic checks run even when decoding found problems, so one pass
    // reports everything.
    diagnostics.extend(crate::build::validate(&config));
    if diagnostics.iter().any(|d| d.severity() == Severity::Error) {
        // "Not used" is most often a knock-on of a misspelt reference.
        diagnostics.retain(|d| {
            !(d.severity() == Severity::Warning
                && d.message().ends_with("is not used by any logger"))
        });
    }
    if diagnostics.iter().any(|d| d.severity() == Severity::Error) {
        return Err(finish(ErrorKind::Invalid, diagnostics, &config.origin));
    }
    Ok(config)
}

fn parse(text: &str, format: Format) -> Result<node::Node, Vec<Diagnostic>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match format {
        #[cfg(feature = "yaml")]
        Format::Yaml => yaml::parse(text).map_err(|d| vec![d]),
        #[cfg(feature = "toml")]
        Format::Toml => toml::parse(text),
        Format::Json => json::parse(text).map_err(|d| vec![d]),
        #[allow(unreachable_patterns)] // reason: reachable only with a format feature off
        other => Err(vec![Diagnostic::error(
            "",
            format!(
                "{} configs need the `{}` feature of logfig",
                other.name(),
                other.name().to_ascii_lowercase()
            ),
        )]),
    }
}

/// Places diagnostics in the source (file, source line) and makes the error.
fn finish(kind: ErrorKind, diagnostics: Vec<Diagnostic>, origin: &Origin) -> Error {
    let placed = diagnostics.into_iter().map(|d| place(d, origin)).collect();
    Error::from_diagnostics(kind, placed)
}

/// Gives a diagnostic the position of its path (when it has none yet), the
/// file name and the text of its line.
pub(crate) fn place(d: Diagnostic, origin: &Origin) -> Diagnostic {
    let (line, column) = if d.line() > 0 {
        (d.line(), d.column())
    } else {
        origin.position(d.path()).unwrap_or((0, 0))
    };
    let source = if line > 0 {
        origin.line_text(line)
    } else {
        None
    };
    // A message may quote a value; a secret's text is cut out of it.
    let d = match origin.secrets.scrub(d.message()) {
        std::borrow::Cow::Owned(message) => d.with_message(message),
        std::borrow::Cow::Borrowed(_) => d,
    };
    d.at(line, column, source).in_file(origin.file.as_deref())
}

impl Config {
    /// Parses and checks config text: syntax, keys, types, references. Every
    /// problem is reported at once, each with line, column and config path.
    ///
    /// # Errors
    ///
    /// `ErrorKind::Parse` for a syntax error, `ErrorKind::Invalid` for anything
    /// else; [`Error::diagnostics`] lists the problems.
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::{Config, Format};
    ///
    /// let config = Config::from_str(r#"{"version": 1, "root": {"level": "DEBUG"}}"#, Format::Json)?;
    /// assert_eq!(config.root.level, Some(logfig::config::Level::Debug));
    ///
    /// let err = Config::from_str("version = 1\n[root]\nlevel = \"LOUD\"\n", Format::Toml).unwrap_err();
    /// assert_eq!(err.diagnostics()[0].line(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[allow(clippy::should_implement_trait)] // reason: needs the format, which `FromStr` cannot take
    pub fn from_str(text: &str, format: Format) -> Result<Config, Error> {
        load_str(text, format, None)
    }

    /// Reads and checks the config file at `path`; the format comes from its
    /// extension.
    ///
    /// # Errors
    ///
    /// As [`Config::from_str`], and `ErrorKind::Io` when the file cannot be read.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Config, Error> {
        load_path(path.as_ref())
    }

    /// Checks a config (one built in code, say) without building anything:
    /// references, formats, regexes. Returns the warnings.
    ///
    /// # Errors
    ///
    /// `ErrorKind::Invalid` with every problem found.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut config = logfig::Config::default();
    /// config.root.handlers.push("missing".into());
    /// let err = config.validate().unwrap_err();
    /// assert_eq!(err.diagnostics()[0].path(), "root.handlers[0]");
    /// ```
    pub fn validate(&self) -> Result<Vec<Diagnostic>, Error> {
        let (errors, warnings): (Vec<_>, Vec<_>) = crate::build::validate(self)
            .into_iter()
            .partition(|d| d.severity() == Severity::Error);
        if errors.is_empty() {
            Ok(warnings)
        } else {
            Err(Error::from_diagnostics(ErrorKind::Invalid, errors))
        }
    }
}
