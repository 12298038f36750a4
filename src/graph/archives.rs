//! The checks of `rotating_file` archive names against the whole config:
//! each `archive` pattern compiles, and no handler's archives can take the
//! name of another handler's file, or of another handler's archives, in the
//! same directory (each retention would delete the other's files). Pure.

use std::path::{Component, Path, PathBuf};

use crate::config::{Config, HandlerConfig};
use crate::error::Diagnostic;
use crate::handlers::ArchivePattern;

/// A handler that writes a file: its name, directory, file name, and the
/// archive scheme of a `rotating_file`.
struct Writer<'c> {
    name: &'c str,
    dir: PathBuf,
    file: String,
    scheme: Option<ArchivePattern>,
}

/// The directory of `path`, spelled without `.` components, so that
/// `./logs/a.log` and `logs/b.log` are seen in one directory. Links and
/// other spellings of one directory are not resolved (no I/O here).
fn dir_of(path: &Path) -> PathBuf {
    let dir: PathBuf = path
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .filter(|c| *c != Component::CurDir)
        .collect();
    if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    }
}

/// Most `rotating_file` handlers in one directory: comparing their schemes
/// takes time quadratic in their number (no real config comes near).
const MAX_PER_DIR: usize = 64;

/// Adds a diagnostic for every `archive` that does not compile and every
/// pair of handlers whose names can collide in one directory.
pub(super) fn check(config: &Config, out: &mut Vec<Diagnostic>) {
    let mut writers = Vec::new();
    for (name, h) in &config.handlers {
        let (path, archive) = match h {
            HandlerConfig::File(c) => (&c.path, None),
            HandlerConfig::WatchedFile(c) => (&c.path, None),
            HandlerConfig::RotatingFile(c) => (&c.path, Some(c.archive.as_deref())),
            _ => continue,
        };
        let Some(file) = path.file_name().and_then(|f| f.to_str()) else {
            continue;
        };
        let scheme = match archive {
            None => None,
            Some(None) => Some(ArchivePattern::numbered(file)),
            Some(Some(pattern)) => match ArchivePattern::parse(pattern, file) {
                Ok(p) => Some(p),
                Err(e) => {
                    let at = crate::error::join("handlers", name) + ".archive";
                    out.push(Diagnostic::error(at, e.to_string()));
                    continue;
                }
            },
        };
        writers.push(Writer {
            name,
            dir: dir_of(path),
            file: file.to_owned(),
            scheme,
        });
    }
    // Counted in a hash map: only the counts matter, not their order.
    let mut per_dir = std::collections::HashMap::<&Path, usize>::new();
    for w in writers.iter().filter(|w| w.scheme.is_some()) {
        let n = per_dir.entry(&w.dir).or_default();
        *n += 1;
        if *n == MAX_PER_DIR + 1 {
            out.push(Diagnostic::error(
                crate::error::join("handlers", w.name),
                format!(
                    "more than {MAX_PER_DIR} rotating_file handlers write into `{}`: more than the check that their archive names cannot collide takes",
                    w.dir.display()
                ),
            ));
        }
    }
    if per_dir.values().any(|&n| n > MAX_PER_DIR) {
        return;
    }
    for (i, a) in writers.iter().enumerate() {
        let Some(scheme) = &a.scheme else {
            continue;
        };
        let at = crate::error::join("handlers", a.name)
            + match config.handlers.get(a.name) {
                Some(HandlerConfig::RotatingFile(c)) if c.archive.is_some() => ".archive",
                _ => ".path",
            };
        for (j, b) in writers.iter().enumerate() {
            if i == j || a.dir != b.dir {
                continue;
            }
            if scheme.is_archive(&b.file) || scheme.is_temporary(&b.file) {
                out.push(Diagnostic::error(
                    at.clone(),
                    format!(
                        "handler `{}` writes `{}`, a name this handler's archives can take: retention would delete it",
                        b.name, b.file
                    ),
                ));
            } else if j > i
                && b.scheme
                    .as_ref()
                    .is_some_and(|other| scheme.overlaps(other))
            {
                out.push(Diagnostic::error(
                    at.clone(),
                    format!(
                        "the archives of handler `{}` can have the same names as this handler's, in the same directory: each handler's retention would delete the other's archives",
                        b.name
                    ),
                ));
            }
        }
    }
}
