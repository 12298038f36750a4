//! `logfig check FILE...`: every problem of each file (or of standard input,
//! `-`), as text or JSON.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::{OutputFormat, plural};
use crate::error::Diagnostic;
use crate::error::ErrorKind;
use crate::error::Severity;
use crate::load::Format;

/// What checking one file found.
struct Checked {
    file: PathBuf,
    /// 0 valid, 1 invalid, 2 unreadable.
    status: u8,
    diagnostics: Vec<Diagnostic>,
    /// Why the file could not be read or loaded, when no diagnostic says it.
    message: Option<String>,
}

fn check_file(path: &Path, format_in: Option<Format>, warnings_as_errors: bool) -> Checked {
    // Loading validates (once); what it returns are the warnings.
    let (status, diagnostics, message) = match load_input(path, format_in) {
        Ok((_, checked)) => {
            let warnings = checked.diagnostics;
            let status = u8::from(warnings_as_errors && !warnings.is_empty());
            (status, warnings, None)
        }
        Err(e) if e.kind() == ErrorKind::Io => (2, Vec::new(), Some(e.full_message())),
        Err(e) if e.diagnostics().is_empty() => (1, Vec::new(), Some(e.full_message())),
        Err(e) => (1, e.diagnostics().to_vec(), None),
    };
    Checked {
        file: if is_stdin(path) {
            PathBuf::from(STDIN_NAME)
        } else {
            path.to_path_buf()
        },
        status,
        diagnostics,
        message,
    }
}

fn count(diagnostics: &[Diagnostic], severity: Severity) -> usize {
    diagnostics
        .iter()
        .filter(|d| d.severity() == severity)
        .count()
}

pub(super) fn check(
    files: &[PathBuf],
    format_in: Option<Format>,
    format: OutputFormat,
    warnings_as_errors: bool,
) -> (String, u8) {
    let results: Vec<Checked> = files
        .iter()
        .map(|f| check_file(f, format_in, warnings_as_errors))
        .collect();
    let status = results.iter().map(|r| r.status).max().unwrap_or(0);
    let text = match format {
        OutputFormat::Text => check_text(&results, warnings_as_errors),
        OutputFormat::Json => check_json(&results, status),
    };
    (text, status)
}

fn check_text(results: &[Checked], warnings_as_errors: bool) -> String {
    let mut s = String::new();
    for r in results {
        let file = r.file.display();
        for d in &r.diagnostics {
            s.push_str(&format!("{d}\n\n"));
        }
        let errors = count(&r.diagnostics, Severity::Error);
        let warnings = count(&r.diagnostics, Severity::Warning);
        let summary = match (r.status, &r.message) {
            (2, Some(m)) => format!("{file}: cannot read: {m}"),
            (_, Some(m)) => format!("{file}: invalid: {m}"),
            (0, None) if warnings == 0 => format!("{file}: ok"),
            (0, None) => format!("{file}: ok, {}", plural(warnings, "warning")),
            (_, None) if errors == 0 && warnings_as_errors => format!(
                "{file}: invalid: {} (--warnings-as-errors)",
                plural(warnings, "warning")
            ),
            (_, None) if warnings == 0 => format!("{file}: invalid: {}", plural(errors, "error")),
            (_, None) => format!(
                "{file}: invalid: {}, {}",
                plural(errors, "error"),
                plural(warnings, "warning")
            ),
        };
        s.push_str(&summary);
        s.push('\n');
    }
    s
}

fn check_json(results: &[Checked], status: u8) -> String {
    let files: Vec<Value> = results
        .iter()
        .map(|r| {
            let file = r.file.display().to_string();
            let mut diagnostics: Vec<Value> = r
                .diagnostics
                .iter()
                .map(|d| {
                    json!({
                        "severity": match d.severity() {
                            Severity::Error => "error",
                            Severity::Warning => "warning",
                        },
                        "file": d.file().map_or_else(|| file.clone(), |f| f.display().to_string()),
                        "line": d.line(),
                        "column": d.column(),
                        "path": d.path(),
                        "message": d.message(),
                    })
                })
                .collect();
            if let Some(m) = &r.message {
                diagnostics.push(json!({
                    "severity": "error",
                    "file": file,
                    "line": 0,
                    "column": 0,
                    "path": "",
                    "message": m,
                }));
            }
            let status = match r.status {
                0 => "ok",
                1 => "invalid",
                _ => "unreadable",
            };
            json!({
                "file": file,
                "status": status,
                "errors": count(&r.diagnostics, Severity::Error) + usize::from(r.message.is_some()),
                "warnings": count(&r.diagnostics, Severity::Warning),
                "diagnostics": diagnostics,
            })
        })
        .collect();
    let doc = json!({ "valid": status == 0, "files": files });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

// ---- standard input ------------------------------------------------------

/// How `check` names standard input in its output.
const STDIN_NAME: &str = "<stdin>";

pub(super) fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Loads one input of `check`: standard input for `-`, else the file; in
/// `format` when given, else by the file's extension or, for standard input,
/// by [`sniff`].
fn load_input(
    path: &Path,
    format: Option<Format>,
) -> Result<(crate::config::Config, crate::graph::Checked), crate::error::Error> {
    if !is_stdin(path) {
        return match format {
            None => crate::load::load_path(path),
            Some(format) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    crate::error::Error::io(format!("reading config file `{}`", path.display()), e)
                })?;
                crate::load::load_str(&text, format, Some(path))
            }
        };
    }
    let text = read_stdin()?;
    let format = format.unwrap_or_else(|| sniff(&text));
    crate::load::load_str(&text, format, Some(Path::new(STDIN_NAME)))
}

/// Reads standard input, at most one byte past the loader's size bound: a
/// longer input is refused by the loader, with its message, without first
/// being read whole.
fn read_stdin() -> Result<String, crate::error::Error> {
    use std::io::Read as _;
    let limit = crate::load::budget::MAX_TEXT as u64 + 1;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(limit)
        .read_to_end(&mut bytes)
        .map_err(|e| crate::error::Error::io("reading standard input", e))?;
    if bytes.len() as u64 == limit {
        // Cut anywhere, maybe inside a character: only its length matters now.
        return Ok(String::from_utf8_lossy(&bytes).into_owned());
    }
    String::from_utf8(bytes).map_err(|e| {
        crate::error::Error::io(
            "reading standard input",
            std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error()),
        )
    })
}

/// The format config text looks like, from its first line that is not blank
/// or a `#` comment: `{` starts JSON; a `[table]` header or `key = value` is
/// TOML; anything else (`key: value`, `---`) is YAML.
fn sniff(text: &str) -> Format {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(line) = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
    else {
        return Format::Yaml;
    };
    if line.starts_with('{') {
        return Format::Json;
    }
    let table = line.starts_with('[') && line.trim_end_matches(|c: char| c != ']').ends_with(']');
    let key = line
        .split_once('=')
        .is_some_and(|(k, _)| !k.trim().is_empty() && !k.contains(':'));
    if table || key {
        Format::Toml
    } else {
        Format::Yaml
    }
}
