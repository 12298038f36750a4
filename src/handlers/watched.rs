//! [`WatchedFileHandler`]: a file reopened when it was moved or deleted.

use std::fs::{File, Metadata};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::HandlerStats;
use super::open::{LogPath, open_log};
use crate::config::{FileMode, WatchedFileHandlerConfig};
use crate::entry::Entry;
use crate::error::Error;
use crate::error::ErrorKind;
use crate::formatters::Formatter;
use crate::formatters::format_line;
use crate::handlers::Handler;

/// Writes records to one file and, before each record, checks that the path
/// still names the open file (`type: watched_file`, Python's
/// WatchedFileHandler). When logrotate (or anyone) renamed or deleted it, the
/// file is reopened at the path, so the record lands in the new file.
///
/// The check is one `stat` of the path per record (a few hundred nanoseconds
/// on a local disk; more on network file systems), comparing device and inode
/// with the open file's. Writes go out with one `write` call under a shared
/// lock that only a reopen takes exclusively.
///
/// The path follows the rules of `type: file` (an operator's link to an
/// existing file is followed, none is created through; FIFOs and devices are
/// checked).
///
/// Statistics: `emitted`, and `failed` (counted by the runtime: records
/// whose write failed).
///
/// # Examples
///
/// ```
/// use logfig::config::WatchedFileHandlerConfig;
/// use logfig::{Entry, Handler, PatternFormatter, WatchedFileHandler};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("app.log");
/// let handler = WatchedFileHandler::open(&WatchedFileHandlerConfig::new(&path))?;
/// let record = log::Record::builder().args(format_args!("one")).build();
/// handler.emit(&Entry::new(&record), &PatternFormatter::message_only())?;
/// std::fs::rename(&path, dir.path().join("app.log.1"))?; // logrotate
/// let record = log::Record::builder().args(format_args!("two")).build();
/// handler.emit(&Entry::new(&record), &PatternFormatter::message_only())?;
/// assert_eq!(std::fs::read_to_string(&path)?, "two\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct WatchedFileHandler {
    path: PathBuf,
    permissions: u32,
    file: RwLock<Opened>,
    emitted: AtomicU64,
}

#[derive(Debug)]
struct Opened {
    file: File,
    id: Option<(u64, u64)>,
}

/// Device and inode: what tells one file from another at the same path.
#[cfg(unix)]
fn identity(m: &Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(_m: &Metadata) -> Option<(u64, u64)> {
    None
}

impl WatchedFileHandler {
    /// Opens (and creates, with missing parent directories) the file of `config`.
    ///
    /// # Errors
    ///
    /// When the directory or the file cannot be created or opened.
    pub fn open(config: &WatchedFileHandlerConfig) -> Result<Self, Error> {
        let opened = Self::open_at(&config.path, config.permissions)?;
        Ok(WatchedFileHandler {
            path: config.path.clone(),
            permissions: config.permissions,
            file: RwLock::new(opened),
            emitted: AtomicU64::new(0),
        })
    }

    /// The path of the file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn open_at(path: &Path, permissions: u32) -> Result<Opened, Error> {
        let file = open_log(path, FileMode::Append, permissions, LogPath::Follow)?;
        let id = file.metadata().ok().as_ref().and_then(identity);
        Ok(Opened { file, id })
    }

    fn read(&self) -> RwLockReadGuard<'_, Opened> {
        self.file.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Opened> {
        self.file.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the path no longer names the open file.
    fn stale(&self, opened: &Opened) -> bool {
        match std::fs::metadata(&self.path) {
            Ok(m) => identity(&m) != opened.id,
            Err(_) => true,
        }
    }
}

impl Handler for WatchedFileHandler {
    fn emit(&self, entry: &Entry<'_>, formatter: &dyn Formatter) -> Result<(), Error> {
        format_line(entry, formatter, |line| {
            let mut opened = self.read();
            if self.stale(&opened) {
                drop(opened);
                {
                    let mut w = self.write();
                    // Another thread may have reopened it meanwhile.
                    if self.stale(&w) {
                        *w = Self::open_at(&self.path, self.permissions)?;
                    }
                }
                opened = self.read();
            }
            (&opened.file).write_all(line).map_err(|e| {
                Error::new(
                    ErrorKind::Handler,
                    format!("writing `{}`: {e}", self.path.display()),
                )
            })?;
            self.emitted.fetch_add(1, Ordering::Relaxed);
            Ok(())
        })
    }

    fn reopen(&self) -> Result<(), Error> {
        let opened = Self::open_at(&self.path, self.permissions)?;
        *self.write() = opened;
        Ok(())
    }

    fn stats(&self) -> HandlerStats {
        HandlerStats {
            emitted: self.emitted.load(Ordering::Relaxed),
            ..HandlerStats::default()
        }
    }
}
