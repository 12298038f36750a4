//! Decoding the file handlers: `file`, `rotating_file`, `watched_file`.

use std::path::PathBuf;

use super::{Decoder, Fields};
use crate::config::{
    Compression, FileHandlerConfig, FileMode, HandlerConfig, RotateWhen, RotatingFileHandlerConfig,
    WatchedFileHandlerConfig,
};
use crate::error::join;
use crate::load::node::{Node, Value};

impl Decoder<'_> {
    /// `type: file`.
    pub(super) fn file(&mut self, f: &mut Fields<'_>, path: &str) -> Option<HandlerConfig> {
        let file_path = match f.take("path") {
            Some(n) => self.string(n, &join(path, "path")),
            None => {
                self.error_at_path(path, "missing key `path`: the log file's path");
                None
            }
        };
        let mut c = FileHandlerConfig::new(PathBuf::from(file_path.clone().unwrap_or_default()));
        if file_path.as_deref() == Some("")
            && let Some(n) = f.get("path")
        {
            self.error(n, &join(path, "path"), "the path is empty");
        }
        if let Some(n) = f.take("mode") {
            let modes = [FileMode::Append, FileMode::Truncate];
            c.mode = self
                .choice(
                    n,
                    &join(path, "mode"),
                    "file mode",
                    &["append", "truncate"],
                    &modes,
                )
                .unwrap_or_default();
        }
        if let Some(n) = f.take("permissions") {
            c.permissions = self
                .permissions(n, &join(path, "permissions"))
                .unwrap_or(c.permissions);
        }
        if let Some(n) = f.take("delay") {
            c.delay = self.bool(n, &join(path, "delay")).unwrap_or_default();
        }
        if let Some(n) = f.take("flush_level") {
            c.flush_level = self
                .level(n, &join(path, "flush_level"))
                .unwrap_or(c.flush_level);
        }
        if let Some(n) = f.take("buffer") {
            let p = join(path, "buffer");
            match self.size(n, &p) {
                Some(0) => self.error(n, &p, "the buffer size must be at least 1 byte"),
                Some(b) => c.buffer = crate::config::Size(b),
                None => {}
            }
        }
        c.common = self.common(f, path);
        file_path.map(|_| HandlerConfig::File(c))
    }

    /// `type: watched_file`.
    pub(super) fn watched_file(&mut self, f: &mut Fields<'_>, path: &str) -> Option<HandlerConfig> {
        let file_path = self.file_path(f, path);
        let mut c = WatchedFileHandlerConfig::new(file_path.clone().unwrap_or_default());
        if let Some(n) = f.take("permissions") {
            c.permissions = self
                .permissions(n, &join(path, "permissions"))
                .unwrap_or(c.permissions);
        }
        if let Some(n) = f.take("delay") {
            c.delay = self.bool(n, &join(path, "delay")).unwrap_or_default();
        }
        c.common = self.common(f, path);
        file_path.map(|_| HandlerConfig::WatchedFile(c))
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
        if file_path.as_deref() == Some("")
            && let Some(n) = f.get("path")
        {
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
        if let Some(n) = f.take("permissions") {
            c.permissions = self
                .permissions(n, &join(path, "permissions"))
                .unwrap_or(c.permissions);
        }
        if let Some(n) = f.take("delay") {
            c.delay = self.bool(n, &join(path, "delay")).unwrap_or_default();
        }
        if let Some(n) = f.take("max_bytes") {
            let p = join(path, "max_bytes");
            match self.size(n, &p) {
                Some(0) => self.error(
                    n,
                    &p,
                    "`max_bytes` must be at least 1 byte (leave it out for no size limit)",
                ),
                Some(b) => c.max_bytes = Some(crate::config::Size(b)),
                None => {}
            }
        }
        if let Some(n) = f.take("when") {
            c.when = self.choice(
                n,
                &join(path, "when"),
                "rotation time",
                RotateWhen::NAMES,
                RotateWhen::ALL,
            );
        }
        if let Some(n) = f.take("interval") {
            c.interval = self
                .integer(n, &join(path, "interval"), 1, i128::from(u32::MAX))
                .map_or(1, |v| v as u32);
        }
        if let Some(n) = f.take("at_time") {
            let p = join(path, "at_time");
            if let Some(t) = self.string(n, &p) {
                match crate::config::parse_time_of_day(&t) {
                    Ok(_) => c.at_time = Some(t),
                    Err(e) => self.error(n, &p, e),
                }
            }
        }
        if let Some(n) = f.take("utc") {
            c.utc = self.bool(n, &join(path, "utc")).unwrap_or_default();
        }
        if let Some(n) = f.take("archive") {
            let p = join(path, "archive");
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
        if let Some(n) = f.take("backups") {
            c.backups = self
                .integer(n, &join(path, "backups"), 0, i128::from(u32::MAX))
                .map(|v| v as u32);
        }
        if let Some(n) = f.take("max_age") {
            let p = join(path, "max_age");
            match self.duration(n, &p) {
                Some(d) if d.is_zero() => self.error(n, &p, "`max_age` must be longer than 0"),
                d => c.max_age = d,
            }
        }
        if let Some(n) = f.take("max_total_size") {
            let p = join(path, "max_total_size");
            match self.size(n, &p) {
                Some(0) => self.error(n, &p, "`max_total_size` must be at least 1 byte"),
                b => c.max_total_size = b.map(crate::config::Size),
            }
        }
        if let Some(n) = f.take("compress") {
            c.compress = self
                .choice(
                    n,
                    &join(path, "compress"),
                    "compression",
                    &["none", "gzip"],
                    &[Compression::None, Compression::Gzip],
                )
                .unwrap_or_default();
        }
        if let Some(n) = f.take("numbering") {
            use crate::config::Numbering;
            let p = join(path, "numbering");
            c.numbering = self
                .choice(
                    n,
                    &p,
                    "numbering",
                    &["sequence", "shift"],
                    &[Numbering::Sequence, Numbering::Shift],
                )
                .unwrap_or_default();
            if c.numbering == Numbering::Shift
                && (c.archive.is_some()
                    || c.compress != Compression::None
                    || c.backups.is_none_or(|b| b == 0))
            {
                self.error(
                    n,
                    &p,
                    "`numbering: shift` renames numbered plain archives: it needs `backups` of at least 1, and neither `archive` nor `compress`",
                );
            }
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
