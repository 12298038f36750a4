//! Decoding the file handlers: `file`, `rotating_file`, `watched_file`.

use std::path::PathBuf;

use super::{Decoder, Fields};
use crate::config::fields;
use crate::config::{
    Compression, FileHandlerConfig, FileMode, HandlerConfig, Numbering, RotateWhen,
    RotatingFileHandlerConfig, WatchedFileHandlerConfig,
};
use crate::error::join;
use crate::load::node::{Node, Value};

impl Decoder<'_> {
    /// `type: file`.
    pub(super) fn file(&mut self, f: &mut Fields<'_>, path: &str) -> Option<HandlerConfig> {
        let file_path = self.file_path(f, path);
        let mut c = FileHandlerConfig::new(file_path.clone().unwrap_or_default());
        if let Some(mode) = self.choice_value(
            f,
            path,
            fields::FILE_MODE,
            &[FileMode::Append, FileMode::Truncate],
        ) {
            c.mode = mode;
        }
        (c.permissions, c.delay) = self.opening(f, path, (c.permissions, c.delay));
        if let Some(level) = self.level_value(f, path, fields::FLUSH_LEVEL) {
            c.flush_level = level;
        }
        c.buffer = self.size_field(f, path, fields::FILE_BUFFER, c.buffer);
        c.common = self.common(f, path);
        file_path.map(|_| HandlerConfig::File(c))
    }

    /// `type: watched_file`.
    pub(super) fn watched_file(&mut self, f: &mut Fields<'_>, path: &str) -> Option<HandlerConfig> {
        let file_path = self.file_path(f, path);
        let mut c = WatchedFileHandlerConfig::new(file_path.clone().unwrap_or_default());
        (c.permissions, c.delay) = self.opening(f, path, (c.permissions, c.delay));
        c.common = self.common(f, path);
        file_path.map(|_| HandlerConfig::WatchedFile(c))
    }

    /// How every file handler opens its file: `permissions` and `delay`,
    /// over `defaults`.
    fn opening(&mut self, f: &mut Fields<'_>, path: &str, defaults: (u32, bool)) -> (u32, bool) {
        let permissions = self.permissions_value(f, path, fields::PERMISSIONS);
        let delay = self.bool_value(f, path, fields::DELAY);
        (
            permissions.unwrap_or(defaults.0),
            delay.unwrap_or(defaults.1),
        )
    }

    /// The required, non-empty `path` of a file handler.
    pub(super) fn file_path(&mut self, f: &mut Fields<'_>, path: &str) -> Option<PathBuf> {
        let file_path = match f.take("path") {
            Some(n) => self.string(n, &join(path, "path")),
            None => {
                self.error_at_path(path, "missing key `path`: the log file's path");
                None
            }
        };
        if let Some(n) = f.get("path").filter(|_| file_path.as_deref() == Some("")) {
            self.error(n, &join(path, "path"), "the path is empty");
        }
        file_path.map(PathBuf::from)
    }

    pub(super) fn rotating_file(
        &mut self,
        f: &mut Fields<'_>,
        path: &str,
    ) -> Option<HandlerConfig> {
        let file_path = self.file_path(f, path);
        let mut c = RotatingFileHandlerConfig::new(file_path.clone().unwrap_or_default());
        (c.permissions, c.delay) = self.opening(f, path, (c.permissions, c.delay));
        c.max_bytes = self.size_value(f, path, fields::MAX_BYTES);
        c.when = self.choice_value(f, path, fields::WHEN, RotateWhen::ALL);
        c.interval = self.count_field(f, path, fields::INTERVAL, c.interval);
        if let Some(n) = f.take(fields::AT_TIME.name) {
            let p = join(path, fields::AT_TIME.name);
            if let Some(t) = self.string(n, &p) {
                match crate::config::parse_time_of_day(&t) {
                    Ok(_) => c.at_time = Some(t),
                    Err(e) => self.error(n, &p, e),
                }
            }
        }
        if let Some(utc) = self.bool_value(f, path, fields::UTC) {
            c.utc = utc;
        }
        if let Some(n) = f.take(fields::ARCHIVE.name) {
            let p = join(path, fields::ARCHIVE.name);
            if let Some(a) = self.string(n, &p) {
                if a.is_empty() || a.contains('/') || a.contains('\\') {
                    self.error(
                        n,
                        &p,
                        format!("invalid archive name `{a}`: expected a file name (no directory), such as `app.%Y-%m-%d.log`"),
                    );
                } else if !a.contains('%') {
                    self.error(
                        n,
                        &p,
                        format!("archive name `{a}` has no strftime field such as `%Y-%m-%d`: every archive would get the same name"),
                    );
                } else {
                    c.archive = Some(a);
                }
            }
        }
        c.backups = self.count_value(f, path, fields::BACKUPS);
        c.max_age = self.optional_duration(f, path, fields::MAX_AGE);
        c.max_total_size = self.size_value(f, path, fields::MAX_TOTAL_SIZE);
        if let Some(compress) = self.choice_value(
            f,
            path,
            fields::COMPRESS,
            &[Compression::None, Compression::Gzip],
        ) {
            c.compress = compress;
        }
        let numbering_node = f.get(fields::NUMBERING.name);
        if let Some(numbering) = self.choice_value(
            f,
            path,
            fields::NUMBERING,
            &[Numbering::Sequence, Numbering::Shift],
        ) {
            c.numbering = numbering;
        }
        let shift_misused = c.numbering == Numbering::Shift
            && (c.archive.is_some()
                || c.compress != Compression::None
                || c.backups.is_none_or(|b| b == 0));
        if let Some(n) = numbering_node.filter(|_| shift_misused) {
            self.error(
                n,
                &join(path, fields::NUMBERING.name),
                "`numbering: shift` renames numbered plain archives: it needs `backups` of at least 1, and neither `archive` nor `compress`",
            );
        }
        c.common = self.common(f, path);
        file_path.map(|_| HandlerConfig::RotatingFile(c))
    }

    pub(super) fn permissions(&mut self, node: &Node, path: &str) -> Option<u32> {
        self.note(path, node);
        let mode = match &node.value {
            Value::Int(i) => u32::try_from(*i).ok(),
            Value::Str(s) => {
                let t = s.trim();
                let t = t.strip_prefix("0o").unwrap_or(t);
                u32::from_str_radix(t, 8).ok()
            }
            _ => None,
        };
        match mode {
            Some(m) if m <= 0o7777 => Some(m),
            _ => {
                let shown = match &node.value {
                    Value::Str(s) => format!("`{s}`"),
                    Value::Int(i) => format!("`{i}`"),
                    _ => node.kind().to_owned(),
                };
                self.error(
                    node,
                    path,
                    format!("invalid permissions {shown}: expected unix permission bits as an octal string, such as `\"0640\"`"),
                );
                None
            }
        }
    }
}
