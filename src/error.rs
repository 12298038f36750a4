//! The one error type of logfig, and the diagnostics a config can produce.
//!
//! An [`Error`] is opaque: ask it for its [`ErrorKind`] and, when it comes from a
//! config, for its [`Diagnostic`]s. Its `Display` prints every diagnostic, with the
//! source line and a caret, so `eprintln!("{e}")` tells a user everything they need
//! to fix a config in their editor.
//!
//! This module uses nothing else of the crate.

use std::fmt;
use std::path::{Path, PathBuf};

/// What kind of failure an [`Error`] is.
///
/// # Examples
///
/// ```
/// let err = logfig::Config::from_str("version: 2", logfig::Format::Yaml).unwrap_err();
/// assert_eq!(err.kind(), logfig::ErrorKind::Invalid);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading a file, or opening an output, failed.
    Io,
    /// The text is not valid YAML, TOML or JSON.
    Parse,
    /// The text parsed, but the config is wrong: an unknown key, a bad value, a
    /// dangling reference.
    Invalid,
    /// The config asks for something that a disabled cargo feature provides.
    FeatureDisabled,
    /// A global logger is already installed.
    AlreadyInitialized,
    /// A handler failed at run time.
    Handler,
    /// Anything else, including errors of custom components.
    Other,
}

impl ErrorKind {
    /// What a diagnostic made of an error of this kind is about.
    pub(crate) fn diagnostic_kind(self) -> DiagnosticKind {
        match self {
            ErrorKind::FeatureDisabled => DiagnosticKind::MissingFeature,
            _ => DiagnosticKind::Other,
        }
    }
}

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The config works, but probably not as intended.
    Warning,
    /// The config cannot be applied.
    Error,
}

/// What a [`Diagnostic`] is about, for callers that treat some problems
/// apart (the message text is for people and may change).
///
/// # Examples
///
/// ```
/// use logfig::DiagnosticKind;
///
/// let text = "version: 1\nhandlers:\n  spare: { type: null }\n";
/// let warnings = logfig::Config::from_str(text, logfig::Format::Yaml)?.validate()?;
/// assert_eq!(warnings[0].kind(), DiagnosticKind::Unused);
/// # Ok::<(), logfig::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DiagnosticKind {
    /// A handler that no logger (and no queue or memory handler) writes to:
    /// most often a knock-on of a misspelt reference.
    Unused,
    /// Something that a cargo feature of logfig left out of this build
    /// provides.
    MissingFeature,
    /// Any other problem.
    Other,
}

/// One problem found in a config: where it is and what is wrong.
///
/// `line` and `column` are 1-based; they are 0 when the config was built in code
/// and has no source text.
///
/// # Examples
///
/// ```
/// let text = "version: 1\nroot: { level: LOUD }\n";
/// let err = logfig::Config::from_str(text, logfig::Format::Yaml).unwrap_err();
/// let d = &err.diagnostics()[0];
/// assert_eq!((d.line(), d.column()), (2, 16));
/// assert_eq!(d.path(), "root.level");
/// assert!(d.message().contains("unknown level `LOUD`"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    severity: Severity,
    file: Option<PathBuf>,
    line: u32,
    column: u32,
    path: String,
    message: String,
    source_line: Option<String>,
    kind: DiagnosticKind,
}

impl Diagnostic {
    pub(crate) fn new(
        severity: Severity,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            file: None,
            line: 0,
            column: 0,
            path: path.into(),
            message: message.into(),
            source_line: None,
            kind: DiagnosticKind::Other,
        }
    }

    /// The same diagnostic, of `kind`.
    pub(crate) fn of_kind(mut self, kind: DiagnosticKind) -> Self {
        self.kind = kind;
        self
    }

    /// What the problem is about; see [`DiagnosticKind`].
    pub fn kind(&self) -> DiagnosticKind {
        self.kind
    }

    pub(crate) fn error(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, path, message)
    }

    pub(crate) fn warning(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, path, message)
    }

    /// Attaches a position and the text of the line it points into.
    pub(crate) fn at(mut self, line: u32, column: u32, source_line: Option<String>) -> Self {
        self.line = line;
        self.column = column;
        self.source_line = source_line;
        self
    }

    /// The same diagnostic with another message (one with secrets cut out).
    pub(crate) fn with_message(mut self, message: String) -> Self {
        self.message = message;
        self
    }

    pub(crate) fn in_file(mut self, file: Option<&Path>) -> Self {
        if self.file.is_none() {
            self.file = file.map(Path::to_path_buf);
        }
        self
    }

    /// Whether this is an error or a warning.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The config file, when the config came from one.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// 1-based line, or 0 when unknown.
    pub fn line(&self) -> u32 {
        self.line
    }

    /// 1-based column (in characters), or 0 when unknown.
    pub fn column(&self) -> u32 {
        self.column
    }

    /// The config path of the offending value, such as `handlers.app.max_bytes`
    /// or `loggers.myapp::db.handlers[0]`; empty for the whole document.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong, with a hint where one is cheap.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The text of the offending source line, when known.
    pub fn source_line(&self) -> Option<&str> {
        self.source_line.as_deref()
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{}:", file.display())?,
            None if self.line > 0 => f.write_str("<config>:")?,
            None => {}
        }
        if self.line > 0 {
            write!(f, "{}:{}:", self.line, self.column)?;
        }
        if self.file.is_some() || self.line > 0 {
            f.write_str(" ")?;
        }
        if self.severity == Severity::Warning {
            f.write_str("warning: ")?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)?;
        if let Some(src) = &self.source_line {
            let number = self.line.to_string();
            let pad = " ".repeat(number.len());
            // The caret goes under the column'th character; tabs are kept so the
            // caret lines up in a terminal.
            let caret_pad: String = src
                .chars()
                .take(self.column.saturating_sub(1) as usize)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(f, "\n{pad} |\n{number} | {src}\n{pad} | {caret_pad}^")?;
        }
        Ok(())
    }
}

/// Any error from loading, building, installing, or running a logger graph.
///
/// Errors that come from a config carry every problem found, as
/// [`diagnostics`](Error::diagnostics), sorted by position. `Display` prints all of
/// them, one after another.
///
/// # Examples
///
/// ```
/// let text = "version: 1\nroot: { handlers: [consol] }\nhandlers:\n  console: { type: console }\n";
/// let err = logfig::Config::from_str(text, logfig::Format::Yaml).unwrap_err();
/// let shown = err.to_string();
/// assert!(shown.contains("handler `consol` is not defined (did you mean `console`?)"), "{shown}");
/// ```
pub struct Error {
    kind: ErrorKind,
    repr: Box<Repr>,
}

struct Repr {
    message: Option<String>,
    diagnostics: Vec<Diagnostic>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
    /// See [`Error::counted`].
    counted: bool,
    /// See [`Error::reported`].
    reported: bool,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            repr: Box::new(Repr {
                message: Some(message.into()),
                diagnostics: Vec::new(),
                source: None,
                counted: false,
                reported: false,
            }),
        }
    }

    /// An error made of config diagnostics. Its kind is `Parse` when any diagnostic
    /// is a syntax error, else `Invalid`.
    pub(crate) fn from_diagnostics(kind: ErrorKind, mut diagnostics: Vec<Diagnostic>) -> Self {
        sort_diagnostics(&mut diagnostics);
        Error {
            kind,
            repr: Box::new(Repr {
                message: None,
                diagnostics,
                source: None,
                counted: false,
                reported: false,
            }),
        }
    }

    pub(crate) fn io(context: impl Into<String>, err: std::io::Error) -> Self {
        Error {
            kind: ErrorKind::Io,
            repr: Box::new(Repr {
                message: Some(context.into()),
                diagnostics: Vec::new(),
                source: Some(Box::new(err)),
                counted: false,
                reported: false,
            }),
        }
    }

    /// Wraps an error of a custom component (a handler, formatter or filter
    /// registered in code).
    ///
    /// # Examples
    ///
    /// ```
    /// let err = logfig::Error::other("disk quota exceeded");
    /// assert_eq!(err.kind(), logfig::ErrorKind::Other);
    /// assert_eq!(err.to_string(), "disk quota exceeded");
    /// ```
    pub fn other(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Error {
            kind: ErrorKind::Other,
            repr: Box::new(Repr {
                message: None,
                diagnostics: Vec::new(),
                source: Some(err.into()),
                counted: false,
                reported: false,
            }),
        }
    }

    /// The error's text and its sources, on one line (for one-line reports).
    pub(crate) fn full_message(&self) -> String {
        let mut s = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            s.push_str(": ");
            s.push_str(&cause.to_string());
            source = cause.source();
        }
        s
    }

    /// Marks a handler error that the runtime must not count as one failed
    /// record: the record was written and the error is about something else
    /// (a background compression), or the handler counted what was lost
    /// itself (a buffer of many records).
    pub(crate) fn counted(mut self) -> Self {
        self.repr.counted = true;
        self
    }

    /// Whether [`counted`](Error::counted) marked this error.
    pub(crate) fn is_counted(&self) -> bool {
        self.repr.counted
    }

    /// Marks a handler error that was reported already, where the user of
    /// that handler looks for it (CPython's `--- Logging error ---` on
    /// stderr, for a Python config): the runtime counts it, and reports it
    /// nowhere else.
    pub(crate) fn reported(mut self) -> Self {
        self.repr.reported = true;
        self
    }

    /// Whether [`reported`](Error::reported) marked this error.
    pub(crate) fn is_reported(&self) -> bool {
        self.repr.reported
    }

    /// What kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Every problem found in a config, sorted by file and position. Empty for
    /// errors that do not come from a config.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.repr.diagnostics
    }
}

/// The most diagnostics one load reports: the first, by position, then a
/// count of the rest. A megabyte of garbage read as TOML once printed 48,394
/// errors, each with its source line.
pub(crate) const MAX_DIAGNOSTICS: usize = 100;

/// The config path of `key` under `path` (`handlers.app`), as diagnostics
/// name it.
pub(crate) fn join(path: &str, key: &str) -> String {
    // A key with no letters or digits (`""`, `::`) is quoted, so the path
    // stays readable.
    let key = if key.chars().any(char::is_alphanumeric) {
        key.to_owned()
    } else {
        format!("{key:?}")
    };
    if path.is_empty() {
        key
    } else {
        format!("{path}.{key}")
    }
}

pub(crate) fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.line == 0, a.line, a.column, &a.path, b.severity).cmp(&(
            b.line == 0,
            b.line,
            b.column,
            &b.path,
            a.severity,
        ))
    });
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind);
        if let Some(m) = &self.repr.message {
            d.field("message", m);
        }
        if !self.repr.diagnostics.is_empty() {
            d.field("diagnostics", &self.repr.diagnostics);
        }
        if let Some(s) = &self.repr.source {
            d.field("source", s);
        }
        d.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        if let Some(m) = &self.repr.message {
            f.write_str(m)?;
            first = false;
        }
        for d in &self.repr.diagnostics {
            if !first {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
            first = false;
        }
        // The source is printed here only when there is nothing else to say; else
        // it is returned from `source()` (never both).
        if let Some(s) = self.repr.source.as_ref().filter(|_| first) {
            write!(f, "{s}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        if self.repr.message.is_none() && self.repr.diagnostics.is_empty() {
            return None;
        }
        self.repr
            .source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

/// Words longer than this (in characters) get no hint: a comparison costs
/// the product of the two lengths, in time and memory (a config with a
/// 100,000-character name and a reference to another aborted allocating
/// 80 GB), and such a word is not a typo a hint would fix.
const HINT_MAX_CHARS: usize = 64;

/// The closest candidate to `word`, when one is close enough to be a likely typo.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    closest(word, &mut candidates.into_iter())
}

/// The body of [`did_you_mean`], compiled once rather than for each kind of
/// candidate list.
fn closest<'a>(word: &str, candidates: &mut dyn Iterator<Item = &'a str>) -> Option<&'a str> {
    let len = word.chars().count();
    if !(2..=HINT_MAX_CHARS).contains(&len) {
        // Any one character is one edit from any other: no useful hint.
        return None;
    }
    let lower = word.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for cand in candidates {
        let cand_len = cand.chars().count();
        let limit = (cand_len.max(len) / 3).max(1);
        // The distance is at least the difference in length: a candidate
        // that cannot be close is not compared (nor a long one at all).
        if cand_len.abs_diff(len) > limit {
            continue;
        }
        let d = levenshtein(&lower, &cand.to_ascii_lowercase());
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

/// ` (did you mean `x`?)` or the empty string.
pub(crate) fn hint<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match did_you_mean(word, candidates) {
        Some(c) => format!(" (did you mean `{c}`?)"),
        None => String::new(),
    }
}

/// Edit distance counting a swap of two neighbouring letters as one edit
/// (optimal string alignment), so `plian` is one step from `plain`.
fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("ap", ["app", "console"]), Some("app"));
        assert_eq!(
            did_you_mean("rotatng_file", ["file", "rotating_file"]),
            Some("rotating_file")
        );
        assert_eq!(did_you_mean("zzz", ["app", "console"]), None);
        assert_eq!(did_you_mean("plian", ["plain", "json"]), Some("plain"));
        assert_eq!(did_you_mean("#", ["%", "{", "$"]), None);
        assert_eq!(did_you_mean("WARN", ["WARNING"]), None);
    }

    #[test]
    fn display_has_caret() {
        let d = Diagnostic::error("root.level", "bad").at(2, 3, Some("a: b".into()));
        assert_eq!(
            d.to_string(),
            "<config>:2:3: root.level: bad\n  |\n2 | a: b\n  |   ^"
        );
    }
}
