//! Where a loaded config came from, and how a diagnostic points into it: the
//! file, the text, the position of every value by config path, and where the
//! secrets are, so no diagnostic quotes one.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::LineIndex;
use super::SecretSpots;
use crate::error::Diagnostic;

/// The source of a loaded config: file name, text, and the position of every
/// value by config path, so checks after parsing can still point at a line.
#[derive(Clone, Default)]
pub(crate) struct Origin {
    pub(crate) file: Option<PathBuf>,
    pub(crate) text: Option<Arc<str>>,
    /// Where `text`'s lines start, so a diagnostic's source line costs no scan.
    pub(crate) lines: Arc<LineIndex>,
    pub(crate) spans: Arc<HashMap<String, (u32, u32)>>,
    /// Components that failed to load (`handlers.app`).
    pub(crate) failed: Arc<std::collections::HashSet<String>>,
    /// Where the secrets are, so diagnostics never quote them.
    pub(crate) secrets: Arc<SecretSpots>,
    /// Warnings found while loading (what the Python path ignored or
    /// coerced), placed: every check of the config repeats them.
    pub(crate) notes: Arc<Vec<Diagnostic>>,
    /// Written for Python (`class:` handlers, or a `fileConfig` INI file):
    /// CPython writes no diagnostics of its own, so logfig's about this
    /// config go to the reload status and the error hook, never through the
    /// graph or to stderr.
    pub(crate) python: bool,
}

impl Origin {
    /// The position of `path`, or of its nearest ancestor that has one.
    pub(crate) fn position(&self, path: &str) -> Option<(u32, u32)> {
        let mut p = path;
        loop {
            if let Some(pos) = self.spans.get(p) {
                return Some(*pos);
            }
            let cut = p.rfind(['.', '['])?;
            p = &p[..cut];
        }
    }

    /// The text of a 1-based line, unmasked: a diagnostic quotes it only
    /// through `secrets.mask_line`.
    pub(crate) fn line_text(&self, line: u32) -> Option<&str> {
        let text = self.text.as_deref()?;
        self.lines.line_text(text, line)
    }
}

impl PartialEq for Origin {
    fn eq(&self, _: &Origin) -> bool {
        // Two configs that say the same thing are equal wherever they came from.
        true
    }
}

impl std::fmt::Debug for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Origin")
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
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
        // Cut to the shown part first: masking copies what it is given, and
        // a minified config is one long line under every diagnostic.
        origin
            .line_text(line)
            .and_then(|l| snippet(l, column))
            .map(|s| origin.secrets.mask_line(line, &s))
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

/// The source line shown under a diagnostic: the whole line when it is short;
/// for a long one (minified JSON is one line), the part up to a little past
/// the column, or nothing when the column itself is far along.
fn snippet(line: &str, column: u32) -> Option<String> {
    const SHOWN: usize = 200;
    const AFTER: usize = 40;
    let column = column as usize;
    match line.char_indices().nth(SHOWN) {
        None => Some(line.to_owned()),
        Some(_) if column > SHOWN => None,
        Some(_) => {
            let end = line
                .char_indices()
                .nth(column + AFTER)
                .map_or(line.len(), |(i, _)| i);
            Some(format!("{}...", &line[..end]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_source_lines_are_cut_under_a_diagnostic() {
        assert_eq!(snippet("short line", 3).as_deref(), Some("short line"));
        let long = "x".repeat(100_000);
        let cut = snippet(&long, 10).unwrap();
        assert_eq!(cut, format!("{}...", "x".repeat(50)));
        assert_eq!(snippet(&long, 5_000), None);
        // A minified JSON config: every diagnostic is on its one line.
        let text =
            format!("{{\"version\": 1, \"root\": {{\"level\": \"LOUD\"}}, \"pad\": \"{long}\"}}");
        let err = crate::config::Config::from_str(&text, crate::load::Format::Json).unwrap_err();
        let d = &err.diagnostics()[0];
        assert_eq!((d.line(), d.column()), (1, 34));
        assert!(d.source_line().is_some_and(|l| l.len() < 200), "{d}");
    }
}
