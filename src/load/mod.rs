//! Text → [`Config`]: parse (positions kept) → expand `${VAR}` → decode → check.
//!
//! No I/O here apart from reading the config file itself in [`load_path`].

pub(crate) mod budget;
mod code;
mod decode;
mod env;
mod json;
mod node;
mod python;
#[cfg(feature = "toml")]
mod toml;
#[cfg(feature = "yaml")]
mod yaml;

pub use code::ConfigBuilder;
#[cfg(feature = "serde")]
pub use code::serialized;
pub use code::written;

use std::path::Path;
use std::sync::Arc;

use crate::config::{Config, Origin, place};
use crate::error::{Diagnostic, DiagnosticKind, Error, ErrorKind, MAX_DIAGNOSTICS, Severity};
use crate::graph::Checked;

/// The syntax of a config text.
///
/// # Examples
///
/// ```
/// use logfig::Format;
///
/// assert_eq!(Format::from_path("conf/logging.yml"), Some(Format::Yaml));
/// assert_eq!(Format::from_path("logging.TOML"), Some(Format::Toml));
/// assert_eq!(Format::from_path("alembic.ini"), Some(Format::Ini));
/// assert_eq!(Format::from_path("logging.cfg"), None);
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
    /// Python's `logging.config.fileConfig` INI (`.ini`, `.conf`): read as
    /// CPython reads it, sections other than logging's ignored (so a whole
    /// `alembic.ini` or Pyramid `development.ini` works as it is).
    Ini,
}

impl Format {
    /// The format named by a file's extension (case-insensitive).
    pub fn from_path(path: impl AsRef<Path>) -> Option<Format> {
        let ext = path.as_ref().extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "yaml" | "yml" => Some(Format::Yaml),
            "toml" => Some(Format::Toml),
            "json" => Some(Format::Json),
            "ini" | "conf" => Some(Format::Ini),
            _ => None,
        }
    }

    /// The format's name, as in messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Yaml => "YAML",
            Format::Toml => "TOML",
            Format::Json => "JSON",
            Format::Ini => "INI",
        }
    }
}

/// Reads and checks the config file at `path`; the format comes from the
/// extension.
pub(crate) fn load_path(path: &Path) -> Result<(Config, Checked), Error> {
    let format = Format::from_path(path).ok_or_else(|| {
        Error::new(
            ErrorKind::Invalid,
            format!(
                "{}: cannot tell the config format from the file name; use .yaml, .yml, .toml, .json, or .ini/.conf for Python's fileConfig",
                path.display()
            ),
        )
    })?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("reading config file `{}`", path.display()), e))?;
    load_str(&text, format, Some(path))
}

/// Parses and checks config text. `file` only names the source in diagnostics.
/// Returns the config with its validation, which building its graph uses.
pub(crate) fn load_str(
    text: &str,
    format: Format,
    file: Option<&Path>,
) -> Result<(Config, Checked), Error> {
    load_with_env(text, format, file, &|k| std::env::var(k).ok())
}

pub(crate) fn load_with_env(
    text: &str,
    format: Format,
    file: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Config, Checked), Error> {
    let mut origin = Origin {
        file: file.map(Path::to_path_buf),
        text: None,
        lines: Arc::default(),
        spans: Arc::default(),
        failed: Arc::default(),
        secrets: Arc::default(),
        notes: Arc::default(),
        python: false,
    };
    // Before anything is copied or indexed.
    if let Some(d) = budget::text_too_long(text) {
        return Err(finish(ErrorKind::Parse, vec![d], 0, &origin));
    }
    origin.text = Some(Arc::from(text));
    origin.lines = Arc::new(crate::config::LineIndex::new(text));
    let mut budget = budget::Budget::new();
    let mut root =
        parse(text, format, &mut budget).map_err(|d| finish(ErrorKind::Parse, d, 0, &origin))?;
    let mut decoder = decode::Decoder::new(env, format, budget);
    decoder.expand(&mut root);
    // Python's dictConfig form (`class:`, `filename:`, `cfg://`) → logfig's,
    // after `${VAR}` expansion so `cfg://` copies expanded values.
    let mut translated = python::Translated::default();
    if !decoder.exhausted() {
        translated = python::translate(
            &mut root,
            &mut decoder,
            format == Format::Ini,
            (format == Format::Yaml).then_some(text),
        );
        origin.python = translated.python;
    }
    let mut config = if decoder.exhausted() {
        None
    } else {
        decoder.config(&root)
    };
    if let Some(c) = &mut config {
        translated.apply(c);
    }
    // A config over budget is refused whole: what was read of it is partial,
    // and checking it would only add knock-on errors (and work).
    let exhausted = decoder.exhausted();
    origin.spans = Arc::new(std::mem::take(&mut decoder.spans));
    origin.failed = Arc::new(std::mem::take(&mut decoder.failed));
    origin.secrets = Arc::new(std::mem::take(&mut decoder.secrets));
    let mut diagnostics = decoder.diagnostics;
    let omitted = decoder.omitted;
    let (Some(mut config), false) = (config, exhausted) else {
        return Err(finish(ErrorKind::Invalid, diagnostics, omitted, &origin));
    };
    // Warnings of the load itself (the Python path's), kept for every later
    // check: `logfig check`, the reload status.
    let notes: Vec<Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.severity() == Severity::Warning)
        .map(|d| place(d.clone(), &origin))
        .collect();
    origin.notes = Arc::new(notes);
    config.origin = origin;
    // Semantic checks run even when decoding found problems, so one pass
    // reports everything.
    let checked = crate::graph::check(&config);
    diagnostics.extend(checked.diagnostics.iter().cloned());
    if diagnostics.iter().any(|d| d.severity() == Severity::Error) {
        // "Not used" is most often a knock-on of a misspelt reference.
        diagnostics.retain(|d| d.kind() != DiagnosticKind::Unused);
    }
    if diagnostics.iter().any(|d| d.severity() == Severity::Error) {
        return Err(finish(
            ErrorKind::Invalid,
            diagnostics,
            omitted,
            &config.origin,
        ));
    }
    Ok((config, checked))
}

fn parse(
    text: &str,
    format: Format,
    budget: &mut budget::Budget,
) -> Result<node::Node, Vec<Diagnostic>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match format {
        #[cfg(feature = "yaml")]
        Format::Yaml => yaml::parse(text, budget).map_err(|d| vec![d]),
        #[cfg(feature = "toml")]
        Format::Toml => toml::parse(text, budget),
        Format::Json => json::parse(text, budget).map_err(|d| vec![d]),
        Format::Ini => python::ini::parse(text, budget),
        #[allow(unreachable_patterns)] // reason: reachable only with a format feature off
        other => Err(vec![
            Diagnostic::error(
                "",
                format!(
                    "{} configs need the `{}` feature of logfig",
                    other.name(),
                    other.name().to_ascii_lowercase()
                ),
            )
            .of_kind(DiagnosticKind::MissingFeature),
        ]),
    }
}

/// Places the first [`MAX_DIAGNOSTICS`] diagnostics in the source (file,
/// source line), counts the rest (and `omitted`, errors found but not kept),
/// and makes the error.
fn finish(
    kind: ErrorKind,
    mut diagnostics: Vec<Diagnostic>,
    omitted: usize,
    origin: &Origin,
) -> Error {
    let omitted = omitted + diagnostics.len().saturating_sub(MAX_DIAGNOSTICS);
    if omitted > 0 {
        // Positions first, so the ones kept are the first in the file.
        diagnostics = diagnostics
            .into_iter()
            .map(|d| position(d, origin))
            .collect();
        crate::error::sort_diagnostics(&mut diagnostics);
        diagnostics.truncate(MAX_DIAGNOSTICS);
    }
    let mut placed: Vec<Diagnostic> = diagnostics.into_iter().map(|d| place(d, origin)).collect();
    if omitted > 0 {
        placed.push(
            Diagnostic::error(
                "",
                format!("and {omitted} more problems; the first {MAX_DIAGNOSTICS} are shown"),
            )
            .in_file(origin.file.as_deref()),
        );
    }
    Error::from_diagnostics(kind, placed)
}

/// Gives a diagnostic the position of its path, when it has none yet.
fn position(d: Diagnostic, origin: &Origin) -> Diagnostic {
    if d.line() > 0 {
        return d;
    }
    let (line, column) = origin.position(d.path()).unwrap_or((0, 0));
    d.at(line, column, None)
}

impl Config {
    /// Whether the config is written for Python (`class:` handlers, or a
    /// `fileConfig` INI file): its diagnostics stay out of the outputs.
    pub(crate) fn is_python(&self) -> bool {
        self.origin.python
    }

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
    /// let err = Config::from_str("version: 1\nroot:\n  level: LOUD\n", Format::Yaml).unwrap_err();
    /// assert_eq!(err.diagnostics()[0].line(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[allow(clippy::should_implement_trait)] // reason: needs the format, which `FromStr` cannot take
    pub fn from_str(text: &str, format: Format) -> Result<Config, Error> {
        load_str(text, format, None).map(|(config, _)| config)
    }

    /// Reads and checks the config file at `path`; the format comes from its
    /// extension.
    ///
    /// # Errors
    ///
    /// As [`Config::from_str`], and `ErrorKind::Io` when the file cannot be read.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Config, Error> {
        load_path(path.as_ref()).map(|(config, _)| config)
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
        let (errors, warnings): (Vec<_>, Vec<_>) = crate::graph::validate(self)
            .into_iter()
            .partition(|d| d.severity() == Severity::Error);
        if errors.is_empty() {
            Ok(warnings)
        } else {
            Err(Error::from_diagnostics(ErrorKind::Invalid, errors))
        }
    }
}
