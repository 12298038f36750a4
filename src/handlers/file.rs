//! [`FileHandler`]: one file, appended to with one `write` per record.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use arc_swap::ArcSwap;

use super::HandlerStats;
use super::open::{LogPath, open_log};
use crate::config::{FileHandlerConfig, FileMode};
use crate::entry::Entry;
use crate::error::Error;
use crate::error::ErrorKind;
use crate::formatters::Formatter;
use crate::formatters::format_line;
use crate::handlers::Handler;

/// Writes records to one file (`type: file`).
///
/// The file is opened in append mode (`O_APPEND`), so concurrent writers never
/// overwrite each other and each record reaches the kernel in one `write` call,
/// with no lock held over it. Records below `flush_level` go to a buffer instead,
/// written when it fills, when a record at `flush_level` or above arrives, on
/// `flush`, and on `close`.
///
/// **The path.** A new file is created with `O_EXCL | O_NOFOLLOW` and
/// `permissions`. An operator's symbolic link to an existing file is
/// followed; a link to a missing file is refused (no file is created through
/// it). A FIFO is opened without blocking and refused when it has no reader
/// (a full pipe then fails records rather than stall the application);
/// `/dev/null`, `/dev/zero`, `/dev/full`, `/dev/kmsg` and terminals are
/// written to; sockets, directories, block devices and other character
/// devices are refused.
///
/// Statistics: `failed` (records whose write failed: counted by the runtime,
/// and for a buffer that cannot be written out, by the handler: every record
/// whose whole line did not reach the file), `emitted` (records whose line
/// reached the file), and with a buffer `queued`.
///
/// # Examples
///
/// ```
/// use logfig::config::FileHandlerConfig;
/// use logfig::{Entry, Handler, PatternFormatter};
/// use logfig::__internal::FileHandler;
///
/// let dir = tempfile::tempdir()?;
/// let handler = FileHandler::open(&FileHandlerConfig::new(dir.path().join("logs/app.log")))?;
/// let record = log::Record::builder().args(format_args!("started")).build();
/// handler.emit(&Entry::new(&record), &PatternFormatter::message_only())?;
/// assert_eq!(std::fs::read_to_string(dir.path().join("logs/app.log"))?, "started\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct FileHandler {
    path: PathBuf,
    permissions: u32,
    /// Swapped by `reopen`; a write in flight finishes on the old descriptor.
    file: ArcSwap<File>,
    /// `None` when every record is written at once.
    buffered: Option<Buffered>,
    /// Records whose whole line reached the file. One relaxed add next to a
    /// `write` system call; `/status` and `logfig ctl status` show it.
    emitted: AtomicU64,
}

#[derive(Debug)]
struct Buffered {
    flush_level: log::LevelFilter,
    capacity: usize,
    /// Records waiting to be written.
    pending: Mutex<Pending>,
    /// Held while writing a taken buffer, so buffers reach the file in the order
    /// they were taken; appending records never waits for the write itself.
    /// Holds the spare buffer that is swapped in for the taken one, so that
    /// neither regrows after each write.
    writing: Mutex<Pending>,
    /// Records of buffers that could not be written (a full disk), all but
    /// those whose whole line reached the file before the failure.
    failed: AtomicU64,
}

#[derive(Debug, Default)]
struct Pending {
    bytes: Vec<u8>,
    /// Where each record's line ends in `bytes`.
    ends: Vec<usize>,
}

/// Writes `bytes` (the lines ending at `ends`) to `file`; returns how many
/// lines reached it whole, and the error that stopped it.
fn write_lines(mut file: &File, bytes: &[u8], ends: &[usize]) -> (u64, std::io::Result<()>) {
    let mut done = 0;
    let mut result = Ok(());
    while done < bytes.len() {
        match file.write(&bytes[done..]) {
            Ok(0) => {
                result = Err(std::io::ErrorKind::WriteZero.into());
                break;
            }
            Ok(n) => done += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    (ends.partition_point(|&end| end <= done) as u64, result)
}

impl FileHandler {
    /// Opens (and creates, with missing parent directories) the file of `config`.
    ///
    /// # Errors
    ///
    /// When the directory or the file cannot be created or opened.
    pub fn open(config: &FileHandlerConfig) -> Result<Self, Error> {
        let file = open_log(
            &config.path,
            config.mode,
            config.permissions,
            LogPath::Follow,
        )?;
        let flush_level = config
            .flush_level
            .to_level_filter()
            .unwrap_or(log::LevelFilter::Trace);
        let buffered = (flush_level != log::LevelFilter::Trace).then(|| Buffered {
            flush_level,
            capacity: config.buffer.bytes().clamp(1, 64 << 20) as usize,
            pending: Mutex::new(Pending::default()),
            writing: Mutex::new(Pending::default()),
            failed: AtomicU64::new(0),
        });
        Ok(FileHandler {
            path: config.path.clone(),
            permissions: config.permissions,
            file: ArcSwap::from_pointee(file),
            buffered,
            emitted: AtomicU64::new(0),
        })
    }

    /// The path of the file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn write_error(&self, e: std::io::Error) -> Error {
        Error::new(
            ErrorKind::Handler,
            format!("writing `{}`: {e}", self.path.display()),
        )
    }

    /// Writes the buffered records out. The records of a failed write are
    /// counted here (those whose line did not reach the file whole), so the
    /// error is marked counted for the runtime.
    fn write_pending(&self, b: &Buffered) -> Result<(), Error> {
        let mut chunk = b.writing.lock().unwrap_or_else(PoisonError::into_inner);
        std::mem::swap(
            &mut *chunk,
            &mut *b.pending.lock().unwrap_or_else(PoisonError::into_inner),
        );
        if chunk.ends.is_empty() {
            return Ok(());
        }
        let (written, result) = write_lines(&self.file.load(), &chunk.bytes, &chunk.ends);
        let lines = chunk.ends.len() as u64;
        if chunk.bytes.capacity() > 2 * b.capacity {
            // One huge record: not kept around.
            *chunk = Pending::default();
        } else {
            chunk.bytes.clear();
            chunk.ends.clear();
        }
        drop(chunk);
        self.emitted.fetch_add(written, Ordering::Relaxed);
        let lost = lines - written;
        result.map_err(|e| {
            b.failed.fetch_add(lost, Ordering::Relaxed);
            let s = if lost == 1 { "" } else { "s" };
            Error::new(
                ErrorKind::Handler,
                format!(
                    "writing `{}`: {e}; {lost} buffered record{s} lost",
                    self.path.display()
                ),
            )
            .counted()
        })
    }
}

impl Handler for FileHandler {
    fn emit(&self, entry: &Entry<'_>, formatter: &dyn Formatter) -> Result<(), Error> {
        let Some(b) = &self.buffered else {
            format_line(entry, formatter, |line| {
                (&**self.file.load())
                    .write_all(line)
                    .map_err(|e| self.write_error(e))
            })?;
            self.emitted.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        };
        let must_write = format_line(entry, formatter, |line| {
            let mut pending = b.pending.lock().unwrap_or_else(PoisonError::into_inner);
            pending.bytes.extend_from_slice(line);
            let end = pending.bytes.len();
            pending.ends.push(end);
            Ok(pending.bytes.len() >= b.capacity || entry.record().level() <= b.flush_level)
        })?;
        if must_write {
            self.write_pending(b)
        } else {
            Ok(())
        }
    }

    fn reopen(&self) -> Result<(), Error> {
        self.flush()?;
        let file = open_log(
            &self.path,
            FileMode::Append,
            self.permissions,
            LogPath::Follow,
        )?;
        self.file.store(Arc::new(file));
        Ok(())
    }

    fn flush(&self) -> Result<(), Error> {
        match &self.buffered {
            Some(b) => self.write_pending(b),
            None => Ok(()),
        }
    }

    fn stats(&self) -> HandlerStats {
        let emitted = self.emitted.load(Ordering::Relaxed);
        match &self.buffered {
            Some(b) => HandlerStats {
                emitted,
                failed: b.failed.load(Ordering::Relaxed),
                queued: b
                    .pending
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .ends
                    .len() as u64,
                ..HandlerStats::default()
            },
            None => HandlerStats {
                emitted,
                ..HandlerStats::default()
            },
        }
    }
}
