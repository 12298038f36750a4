//! [`RotatingFileHandler`]: a file rolled over by size and/or time, with
//! retention and background compression of the archives.

use std::ffi::OsString;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use jiff::tz::TimeZone;

use super::archive::ArchivePattern;
use super::open::{LogPath, create_new, open_archive, open_log};
use super::{Clock, HandlerStats, SystemClock};
use crate::config::{Compression, FileMode, RotateWhen, RotatingFileHandlerConfig};
use crate::entry::Entry;
use crate::error::Error;
use crate::error::ErrorKind;
use crate::formatters::Formatter;
use crate::formatters::format_line;
use crate::handlers::Handler;

/// Writes records to one file and rolls it over by size (`max_bytes`), by time
/// (`when`), or both (`type: rotating_file`).
///
/// **Writing.** Each record is one `write` to the live file, opened with
/// `O_APPEND`, under a shared lock that writers take together. Rolling over
/// takes that lock exclusively for a rename and an open only: the writers wait
/// for no more than that. Compression and retention run on a background
/// thread (`logfig-rotate-<file>`), never on a logging thread. A file may
/// exceed `max_bytes` by the lines of records written at the same instant.
///
/// **Archive names.** By index (the default): `app.log.1`, `app.log.2`, ...,
/// a sequence number that grows by one at each roll, so the highest number is
/// the newest archive. Archives are never renamed after they are made (unlike
/// Python's scheme, where every archive moves up one at each roll); retention
/// deletes the lowest numbers. By date (`archive: app.%Y-%m-%d.log`, see
/// `ArchivePattern` for what a pattern may hold):
/// the strftime fields are filled with the last second of the period that
/// ended (with time rotation) or the time of the roll (size only); a name
/// already taken in the same period gets `.1`, `.2`, ... appended. A name at
/// which anything exists (a dangling link too) is never used.
///
/// **Compression** (`compress: gzip`) writes `<archive>.gz.tmp`, syncs it to
/// disk, renames it to `<archive>.gz` (with the archive's modification time)
/// and only then deletes the plain archive: after a crash there is either the
/// plain archive or the complete `.gz`, and a stray `.gz.tmp` is deleted at the
/// next start (where leftover plain archives are compressed).
///
/// **Retention**, after each roll: the newest `backups` archives are kept,
/// archives older than `max_age` (by modification time) are deleted, then the
/// oldest are deleted while all together exceed `max_total_size`.
///
/// **Only its own files, never through a link.** Retention, compression and
/// the clean-up at start act only on regular files whose names this
/// handler's scheme produces, recognised exactly. Every file the handler
/// creates gets `permissions` and is created with `O_EXCL | O_NOFOLLOW`; a
/// symbolic link at one of its names is reported (through the next record's
/// error) and left alone. The log path must be a regular file, not a link:
/// rolling over renames it, and only while it is still the file the handler
/// has open.
///
/// **Restarts.** On open, the next sequence number is one above the highest
/// archive found, the live file is appended to, and the next rollover time is
/// computed from the live file's modification time, as Python does: a file
/// left from an earlier period rolls over at the first record.
///
/// Statistics: `emitted`, and `failed` (counted by the runtime: records
/// whose write failed).
///
/// # Examples
///
/// ```
/// use logfig::config::{RotatingFileHandlerConfig, Size};
/// use logfig::{Entry, Handler, PatternFormatter};
/// use logfig::__internal::RotatingFileHandler;
///
/// let dir = tempfile::tempdir()?;
/// let mut config = RotatingFileHandlerConfig::new(dir.path().join("app.log"));
/// config.max_bytes = Some(Size(10));
/// let handler = RotatingFileHandler::open(&config)?;
/// for message in ["first line", "second line"] {
///     let args = format_args!("{message}");
///     let record = log::Record::builder().args(args).build();
///     handler.emit(&Entry::new(&record), &PatternFormatter::message_only())?;
/// }
/// handler.close()?;
/// assert_eq!(std::fs::read_to_string(dir.path().join("app.log.1"))?, "first line\n");
/// assert_eq!(std::fs::read_to_string(dir.path().join("app.log"))?, "second line\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct RotatingFileHandler {
    path: PathBuf,
    permissions: u32,
    max_bytes: Option<u64>,
    schedule: Option<Schedule>,
    naming: Arc<Naming>,
    clock: Arc<dyn Clock>,
    live: RwLock<Live>,
    /// Bytes in the live file.
    size: AtomicU64,
    /// The next rollover time (`u64::MAX`: none), in seconds since the epoch.
    next_roll: AtomicU64,
    jobs: Arc<Jobs>,
    worker: Mutex<Option<JoinHandle<()>>>,
    emitted: AtomicU64,
    error: Arc<Mutex<Option<Error>>>,
    has_error: Arc<AtomicBool>,
}

#[derive(Debug)]
struct Live {
    file: File,
    /// The next index of index naming.
    next_seq: u64,
}

/// When time rollovers happen.
#[derive(Debug, Clone)]
struct Schedule {
    when: RotateWhen,
    interval: u32,
    at: (i8, i8, i8),
    tz: TimeZone,
}

/// How archives are named, and how they are recognised for retention.
#[derive(Debug)]
struct Naming {
    dir: PathBuf,
    /// The live file's name.
    base: String,
    /// How archives are named and recognised: `archive`, or numbered.
    scheme: ArchivePattern,
    tz: TimeZone,
    /// For the compressed archives and their temporary files.
    permissions: u32,
    compress: Compression,
    backups: Option<u32>,
    max_age: Option<Duration>,
    max_total_size: Option<u64>,
    /// `numbering: shift`: Python's renaming of every archive at each roll.
    shift: bool,
}

#[derive(Debug)]
enum Job {
    Startup,
    Rolled(PathBuf),
}

/// The jobs of the background thread: a list under a lock and a condition
/// variable rather than a channel, whose own copy of std's channel code (for
/// this one message type) weighed more in the crate's build than this.
#[derive(Debug, Default)]
struct Jobs {
    queue: Mutex<Queue>,
    ready: Condvar,
}

#[derive(Debug, Default)]
struct Queue {
    pending: Vec<Job>,
    /// Set by `close`, `drop`, and the thread's end: the thread ends once
    /// `pending` is done, and later jobs are dropped.
    closed: bool,
}

impl Jobs {
    /// Hands `job` to the thread, unless the handler was closed.
    fn send(&self, job: Job) {
        let mut q = lock(&self.queue);
        if !q.closed {
            q.pending.push(job);
            self.ready.notify_one();
        }
    }

    /// No more jobs: the thread finishes those pending, then ends.
    fn close(&self) {
        lock(&self.queue).closed = true;
        self.ready.notify_one();
    }

    /// The jobs pending, in order, waiting for some; empty once closed
    /// and done. Called by the thread only, which holds a [`Closing`].
    fn take(&self) -> Vec<Job> {
        let q = lock(&self.queue);
        let mut q = self
            .ready
            .wait_while(q, |q| q.pending.is_empty() && !q.closed)
            .unwrap_or_else(PoisonError::into_inner);
        std::mem::take(&mut q.pending)
    }
}

/// Closes the jobs when the thread ends, panicking or not: as a channel's
/// receiver gone, later jobs are dropped rather than kept for nobody.
struct Closing<'a>(&'a Jobs);

impl Drop for Closing<'_> {
    fn drop(&mut self) {
        self.0.close();
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn secs(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn handler_error(what: String, e: std::io::Error) -> Error {
    Error::new(ErrorKind::Handler, format!("{what}: {e}"))
}

impl RotatingFileHandler {
    /// Opens (and creates, with missing parent directories) the file of
    /// `config`, with the system clock and the local time zone (UTC with
    /// `utc: true`).
    ///
    /// # Errors
    ///
    /// When the file cannot be opened, `at_time` or `archive` is invalid, or
    /// the background thread cannot be started.
    pub fn open(config: &RotatingFileHandlerConfig) -> Result<Self, Error> {
        Self::open_with_clock(config, Arc::new(SystemClock), None)
    }

    /// As [`open`](RotatingFileHandler::open), reading the time from `clock`
    /// and computing rollover times in `time_zone` (an IANA name such as
    /// `Europe/Berlin`) when given; for tests that move time across midnight
    /// or a daylight saving change.
    ///
    /// # Errors
    ///
    /// As [`open`](RotatingFileHandler::open), and when the time zone is unknown.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use logfig::config::{RotateWhen, RotatingFileHandlerConfig};
    /// use logfig::__internal::{RotatingFileHandler, SystemClock};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut config = RotatingFileHandlerConfig::new(dir.path().join("app.log"));
    /// config.when = Some(RotateWhen::Midnight);
    /// let handler =
    ///     RotatingFileHandler::open_with_clock(&config, Arc::new(SystemClock), Some("Europe/Berlin"))?;
    /// assert!(handler.next_rollover().is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_with_clock(
        config: &RotatingFileHandlerConfig,
        clock: Arc<dyn Clock>,
        time_zone: Option<&str>,
    ) -> Result<Self, Error> {
        let invalid = |m: String| Error::new(ErrorKind::Invalid, m);
        let tz = match time_zone {
            Some(name) => TimeZone::get(name)
                .map_err(|e| invalid(format!("unknown time zone `{name}`: {e}")))?,
            None if config.utc => TimeZone::UTC,
            None => TimeZone::system(),
        };
        let at = match &config.at_time {
            Some(t) => crate::config::parse_time_of_day(t).map_err(invalid)?,
            None => (0, 0, 0),
        };
        let schedule = config.when.map(|when| Schedule {
            when,
            interval: config.interval.max(1),
            at,
            tz: tz.clone(),
        });
        let base = config
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| invalid(format!("`{}` does not name a file", config.path.display())))?;
        let dir = match config.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let scheme = match &config.archive {
            Some(p) => ArchivePattern::parse(p, &base)?,
            None => ArchivePattern::numbered(&base),
        };
        let naming = Arc::new(Naming {
            dir,
            base,
            scheme,
            tz,
            permissions: config.permissions,
            compress: config.compress,
            backups: config.backups,
            max_age: config.max_age,
            max_total_size: config.max_total_size.map(|s| s.bytes()),
            shift: config.numbering == crate::config::Numbering::Shift
                && config.archive.is_none()
                && config.compress == Compression::None,
        });

        let file = open_log(
            &config.path,
            FileMode::Append,
            config.permissions,
            LogPath::RegularOnly,
        )?;
        let meta = file
            .metadata()
            .map_err(|e| Error::io(format!("reading `{}`", config.path.display()), e))?;
        let now = clock.now();
        let next_roll = match &schedule {
            Some(s) => {
                // As Python: the period of a file that holds records started
                // when it was last written.
                let since = if meta.len() > 0 {
                    meta.modified().unwrap_or(now)
                } else {
                    now
                };
                secs(s.next_after(since))
            }
            None => u64::MAX,
        };
        let next_seq = naming.highest_index() + 1;

        let jobs = Arc::new(Jobs::default());
        let error = Arc::new(Mutex::new(None));
        let has_error = Arc::new(AtomicBool::new(false));
        let worker = {
            let naming = Arc::clone(&naming);
            let clock = Arc::clone(&clock);
            let error = Arc::clone(&error);
            let has_error = Arc::clone(&has_error);
            let jobs = Arc::clone(&jobs);
            let name = format!("logfig-rotate-{}", naming.base);
            crate::catch::spawn(
                name,
                Box::new(move || naming.work(&jobs, &*clock, &error, &has_error)),
            )
            .map_err(|e| Error::io("starting the rotation thread", e))?
        };
        jobs.send(Job::Startup);
        Ok(RotatingFileHandler {
            path: config.path.clone(),
            permissions: config.permissions,
            max_bytes: config.max_bytes.map(|s| s.bytes()),
            schedule,
            naming,
            clock,
            live: RwLock::new(Live { file, next_seq }),
            size: AtomicU64::new(meta.len()),
            next_roll: AtomicU64::new(next_roll),
            jobs,
            worker: Mutex::new(Some(worker)),
            emitted: AtomicU64::new(0),
            error,
            has_error,
        })
    }

    /// The path of the live file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// When the next time rollover is due, if the handler rotates on time.
    pub fn next_rollover(&self) -> Option<SystemTime> {
        match self.next_roll.load(Ordering::Acquire) {
            u64::MAX => None,
            s => Some(SystemTime::UNIX_EPOCH + Duration::from_secs(s)),
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, Live> {
        self.live.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether a record of `len` bytes must go to a new file.
    fn due(&self, len: u64) -> bool {
        let size = self.size.load(Ordering::Acquire);
        if self
            .max_bytes
            .is_some_and(|max| size > 0 && size.saturating_add(len) > max)
        {
            return true;
        }
        let next = self.next_roll.load(Ordering::Acquire);
        next != u64::MAX && secs(self.clock.now()) >= next
    }

    /// Rolls over if still due: rename and reopen under the exclusive lock,
    /// the rest on the worker.
    fn roll(&self, len: u64) -> Result<(), Error> {
        let mut live = self.live.write().unwrap_or_else(PoisonError::into_inner);
        if !self.due(len) {
            return Ok(()); // another thread rolled meanwhile
        }
        let now = self.clock.now();
        let next = self.next_roll.load(Ordering::Acquire);
        let time_due = next != u64::MAX && secs(now) >= next;
        if let Some(s) = self.schedule.as_ref().filter(|_| time_due) {
            self.next_roll
                .store(secs(s.next_after(now)), Ordering::Release);
        }
        if self.size.load(Ordering::Acquire) == 0 {
            return Ok(()); // nothing to archive: an idle period
        }
        let stamp = if time_due {
            SystemTime::UNIX_EPOCH + Duration::from_secs(next.saturating_sub(1))
        } else {
            now
        };
        // Rename only the file this handler writes: not a link or a FIFO
        // put at the path since, nor a file of another program after
        // someone moved ours away (that one is reopened, not archived).
        if !self.path_is_live(&live.file)? {
            self.reopen_live(&mut live)?;
            return Err(Error::new(
                ErrorKind::Handler,
                format!(
                    "`{}` is no longer the file this handler wrote (moved away or replaced); writing to the file now at the path, without archiving it",
                    self.path.display()
                ),
            ));
        }
        let archive = if self.naming.shift {
            self.naming.shift_archives()?
        } else {
            self.naming
                .next_archive(&mut live.next_seq, stamp)
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::Handler,
                        format!(
                            "no free archive name for `{}` in `{}`",
                            self.path.display(),
                            self.naming.dir.display()
                        ),
                    )
                })?
        };
        std::fs::rename(&self.path, &archive).map_err(|e| {
            handler_error(
                format!(
                    "renaming `{}` to `{}`",
                    self.path.display(),
                    archive.display()
                ),
                e,
            )
        })?;
        self.reopen_live(&mut live)?;
        drop(live);
        self.jobs.send(Job::Rolled(archive));
        Ok(())
    }

    /// Opens the file at the path (creating it if needed) in place of the
    /// live one, with its size; the caller holds the exclusive lock.
    fn reopen_live(&self, live: &mut Live) -> Result<(), Error> {
        let file = open_log(
            &self.path,
            FileMode::Append,
            self.permissions,
            LogPath::RegularOnly,
        )?;
        let len = file.metadata().map_or(0, |m| m.len());
        live.file = file;
        self.size.store(len, Ordering::Release);
        Ok(())
    }

    /// Whether the path still names `file`, as a regular file. An error when
    /// something other than a regular file is there (a planted link).
    fn path_is_live(&self, file: &File) -> Result<bool, Error> {
        let at_path = match std::fs::symlink_metadata(&self.path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => {
                return Err(handler_error(
                    format!("reading `{}`", self.path.display()),
                    e,
                ));
            }
        };
        if !at_path.is_file() {
            return Err(Error::new(
                ErrorKind::Handler,
                format!(
                    "`{}` was replaced by a symbolic link or another kind of file; not rolling over, records still go to the file this handler has open",
                    self.path.display()
                ),
            ));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let open = file
                .metadata()
                .map_err(|e| handler_error(format!("reading `{}`", self.path.display()), e))?;
            Ok((open.dev(), open.ino()) == (at_path.dev(), at_path.ino()))
        }
        #[cfg(not(unix))]
        {
            let _ = file;
            Ok(true)
        }
    }

    fn write_line(&self, line: &[u8]) -> Result<(), Error> {
        let len = line.len() as u64;
        let mut roll_error = None;
        loop {
            let live = self.read();
            if roll_error.is_none() && self.due(len) {
                drop(live);
                // A failed roll still writes the record, to the old file.
                if let Err(e) = self.roll(len) {
                    roll_error = Some(e);
                }
                continue;
            }
            (&live.file)
                .write_all(line)
                .map_err(|e| handler_error(format!("writing `{}`", self.path.display()), e))?;
            self.size.fetch_add(len, Ordering::AcqRel);
            self.emitted.fetch_add(1, Ordering::Relaxed);
            // The record was written: the roll's error loses nothing.
            return roll_error.map_or(Ok(()), |e| Err(e.counted()));
        }
    }
}

impl Schedule {
    /// The first rollover time strictly after `t`.
    fn next_after(&self, t: SystemTime) -> SystemTime {
        let unit = match self.when {
            RotateWhen::Seconds => Some(1),
            RotateWhen::Minutes => Some(60),
            RotateWhen::Hours => Some(3600),
            RotateWhen::Days => Some(86_400),
            _ => None,
        };
        if let Some(unit) = unit {
            return t + Duration::from_secs(unit * u64::from(self.interval));
        }
        self.next_calendar(t)
            .unwrap_or_else(|| t + Duration::from_secs(86_400))
    }

    /// `midnight` and `W0`-`W6`: calendar days in the time zone, so a day
    /// with a daylight saving change is 23 or 25 hours long. A time of day
    /// that does not exist that day (skipped by the change) is taken as the
    /// same clock time plus the gap, as Python and jiff's `compatible` do.
    fn next_calendar(&self, t: SystemTime) -> Option<SystemTime> {
        let ts = jiff::Timestamp::try_from(t).ok()?;
        let (h, m, s) = self.at;
        let at = |d: jiff::civil::Date| -> Option<jiff::Timestamp> {
            d.at(h, m, s, 0)
                .to_zoned_datetime(self.tz.clone())
                .ok()
                .map(|z| z.timestamp())
        };
        let mut day = ts.to_zoned_datetime(self.tz.clone()).date();
        let weekday = self.when.weekday();
        // At most 8 days ahead: today may be the weekday but past the time.
        for _ in 0..8 {
            let right_day =
                weekday.is_none_or(|w| day.weekday().to_monday_zero_offset() == w as i8);
            if right_day && at(day)? > ts {
                break;
            }
            day = day.tomorrow().ok()?;
        }
        let extra = i64::from(self.interval - 1) * if weekday.is_some() { 7 } else { 1 };
        if extra > 0 {
            day = day.checked_add(jiff::Span::new().days(extra)).ok()?;
        }
        SystemTime::try_from(at(day)?).ok()
    }
}

/// What a directory entry is, looked at without following links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Link,
    Other,
}

/// How many names `next_archive` tries before it gives up (a directory whose
/// entries cannot be looked at).
const NAME_TRIES: u64 = 10_000;

impl Naming {
    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Whether anything, a dangling link too, has `name` or the name of its
    /// compressed or temporary file: a roll never renames over an existing
    /// entry, nor makes an archive that cannot be compressed.
    fn taken(&self, name: &str) -> bool {
        [
            name.to_owned(),
            format!("{name}.gz"),
            format!("{name}.gz.tmp"),
        ]
        .iter()
        .any(|n| match std::fs::symlink_metadata(self.file(n)) {
            Ok(_) => true,
            Err(e) => e.kind() != std::io::ErrorKind::NotFound,
        })
    }

    /// The path of the next archive; for numbered names, uses and advances
    /// `seq`. `None` when no free name was found.
    fn next_archive(&self, seq: &mut u64, stamp: SystemTime) -> Option<PathBuf> {
        let zoned = jiff::Timestamp::try_from(stamp)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            .to_zoned_datetime(self.tz.clone());
        if !self.scheme.repeats() {
            for _ in 0..NAME_TRIES {
                let name = self.scheme.name_in(&zoned, *seq);
                *seq = seq.saturating_add(1);
                if !self.taken(&name) {
                    return Some(self.file(&name));
                }
            }
            return None;
        }
        let name = self.scheme.name_in(&zoned, 0);
        std::iter::once(name.clone())
            .chain((1..NAME_TRIES).map(|n| format!("{name}.{n}")))
            .find(|n| !self.taken(n))
            .map(|n| self.file(&n))
    }

    /// `numbering: shift`, as CPython's `RotatingFileHandler.doRollover`:
    /// `<file>.N-1` → `<file>.N` (the one there deleted), down to `<file>.1`
    /// → `<file>.2`; returns the path of `<file>.1`, free for the live file.
    /// Only regular files and links at these names are renamed or deleted,
    /// never followed.
    fn shift_archives(&self) -> Result<PathBuf, Error> {
        let n = self.backups.unwrap_or(1).max(1);
        let at = |i: u32| self.file(&format!("{}.{i}", self.base));
        let fail = |what: &str, p: &Path, e: std::io::Error| {
            handler_error(format!("{what} `{}`", p.display()), e)
        };
        let remove = |p: &Path| match std::fs::remove_file(p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(fail("deleting", p, e)),
            _ => Ok(()),
        };
        for i in (1..n).rev() {
            let (from, to) = (at(i), at(i + 1));
            if std::fs::symlink_metadata(&from).is_ok() {
                remove(&to)?;
                std::fs::rename(&from, &to).map_err(|e| fail("renaming", &from, e))?;
            }
        }
        let first = at(1);
        remove(&first)?;
        Ok(first)
    }

    /// The entries of the directory, with what they are.
    fn names(&self) -> Vec<(String, Kind)> {
        let Ok(rd) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        rd.filter_map(Result::ok)
            .filter_map(|e| {
                let kind = match e.file_type() {
                    Ok(t) if t.is_symlink() => Kind::Link,
                    Ok(t) if t.is_file() => Kind::File,
                    _ => Kind::Other,
                };
                Some((e.file_name().into_string().ok()?, kind))
            })
            .collect()
    }

    /// The highest number among numbered archives and their temporary files
    /// (of any kind of entry, so that a number is never used twice).
    fn highest_index(&self) -> u64 {
        self.names()
            .iter()
            .filter_map(|(n, _)| {
                let plain = n.strip_suffix(".gz.tmp").unwrap_or(n);
                self.scheme.recognise(plain)
            })
            .map(|r| r.seq)
            .max()
            .unwrap_or(0)
    }

    /// The error that reports entries this handler leaves alone: links (or
    /// other non-regular files) at names of its own files.
    fn left_alone(&self, mut names: Vec<String>) -> Result<(), Error> {
        if names.is_empty() {
            return Ok(());
        }
        names.sort();
        names.dedup();
        const SHOWN: usize = 5;
        let mut list = names
            .iter()
            .take(SHOWN)
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        if names.len() > SHOWN {
            list.push_str(&format!(" and {} more", names.len() - SHOWN));
        }
        Err(Error::new(
            ErrorKind::Handler,
            format!(
                "in `{}`, {list}: a symbolic link (or not a regular file) where a file of this handler belongs; left alone: logfig never follows, replaces or deletes it",
                self.dir.display()
            ),
        ))
    }

    /// The background thread: compression and retention.
    fn work(
        &self,
        jobs: &Jobs,
        clock: &dyn Clock,
        error: &Mutex<Option<Error>>,
        has_error: &AtomicBool,
    ) {
        super::worker::mark_internal_thread();
        // Problems wait for the next record to report them; several are
        // joined (up to a few kilobytes), so that none hides another.
        let keep = |r: Result<(), Error>| {
            if let Err(e) = r {
                let mut slot = lock(error);
                *slot = Some(match slot.take() {
                    Some(first) => {
                        let (old, new) = (first.to_string(), e.to_string());
                        if old.contains(&new) || old.len() >= 4096 {
                            first
                        } else {
                            Error::new(ErrorKind::Handler, format!("{old}; {new}"))
                        }
                    }
                    None => e,
                });
                has_error.store(true, Ordering::Release);
            }
        };
        let _closing = Closing(jobs);
        loop {
            let batch = jobs.take();
            if batch.is_empty() {
                // Closed, and nothing left.
                return;
            }
            for job in batch {
                // Links met in this pass, reported together.
                let mut links = Vec::new();
                match job {
                    Job::Startup => keep(self.startup(&mut links)),
                    Job::Rolled(archive) => {
                        if self.compress == Compression::Gzip {
                            keep(gzip(&archive, self.permissions));
                        }
                    }
                }
                keep(self.retain(clock.now(), &mut links));
                keep(self.left_alone(links));
            }
        }
    }

    /// Deletes stray temporary files of an interrupted compression and
    /// compresses plain archives a crash left behind. Touches only regular
    /// files whose names this handler's scheme produces.
    fn startup(&self, links: &mut Vec<String>) -> Result<(), Error> {
        let mut names = self.names();
        names.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, kind) in &names {
            if self.scheme.is_temporary(name) {
                match kind {
                    Kind::File => {
                        let _ = std::fs::remove_file(self.file(name));
                    }
                    Kind::Link => links.push(name.clone()),
                    Kind::Other => {}
                }
            }
        }
        let mut result = Ok(());
        if self.compress == Compression::Gzip {
            for (name, kind) in &names {
                // Plain archives only.
                if self.scheme.recognise(name).is_none_or(|r| r.gz) {
                    continue;
                }
                match kind {
                    Kind::File => {}
                    Kind::Link => {
                        links.push(name.clone());
                        continue;
                    }
                    Kind::Other => continue,
                }
                let gz = format!("{name}.gz");
                match std::fs::symlink_metadata(self.file(&gz)) {
                    // The crash came after the rename: the .gz is whole.
                    Ok(m) if m.is_file() => {
                        let _ = std::fs::remove_file(self.file(name));
                    }
                    Ok(_) => links.push(gz),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        if let Err(e) = gzip(&self.file(name), self.permissions) {
                            result = Err(e);
                        }
                    }
                    Err(e) => {
                        result = Err(handler_error(format!("reading `{gz}`"), e));
                    }
                }
            }
        }
        result
    }

    /// Applies `backups`, `max_age` and `max_total_size` to the regular files
    /// that are archives of this handler; adds the links among its names to
    /// `links`, to be reported.
    fn retain(&self, now: SystemTime, links: &mut Vec<String>) -> Result<(), Error> {
        let mut archives: Vec<(u64, SystemTime, String, u64)> = Vec::new();
        for (name, kind) in self.names() {
            if self.scheme.is_temporary(&name) {
                if kind == Kind::Link {
                    links.push(name);
                }
                continue;
            }
            let Some(found) = self.scheme.recognise(&name) else {
                continue;
            };
            match kind {
                Kind::File => {
                    let meta = std::fs::symlink_metadata(self.file(&name));
                    if let Some(m) = meta.ok().filter(std::fs::Metadata::is_file) {
                        archives.push((found.seq, m.modified().unwrap_or(now), name, m.len()));
                    }
                }
                Kind::Link => links.push(name),
                Kind::Other => {}
            }
        }
        if self.backups.is_none() && self.max_age.is_none() && self.max_total_size.is_none() {
            return Ok(());
        }
        // Newest first: by number, or by modification time then name;
        // shifted numbers count up from the newest.
        // One sort with the choice inside: each closure given to `sort_by`
        // compiles a whole sort of its own.
        let shift = self.shift;
        archives.sort_by(|a, b| {
            if shift {
                (a.0, &a.2).cmp(&(b.0, &b.2))
            } else {
                (b.0, b.1, &b.2).cmp(&(a.0, a.1, &a.2))
            }
        });
        let mut total = 0u64;
        for (i, (_, modified, name, len)) in archives.iter().enumerate() {
            total = total.saturating_add(*len);
            let too_many = self.backups.is_some_and(|b| i >= b as usize);
            let too_old = self
                .max_age
                .is_some_and(|age| now.duration_since(*modified).is_ok_and(|d| d > age));
            let too_big = self.max_total_size.is_some_and(|max| total > max);
            if too_many || too_old || too_big {
                let path = self.file(name);
                match std::fs::remove_file(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(handler_error(format!("deleting `{}`", path.display()), e));
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }
}

/// Writes `input` gzip-compressed to `out`, and hands `out` back (unsynced).
#[cfg(feature = "gzip")]
fn compress_into(input: &mut File, out: File) -> std::io::Result<File> {
    let mut encoder =
        flate2::write::GzEncoder::new(std::io::BufWriter::new(out), flate2::Compression::default());
    std::io::copy(input, &mut encoder)
        .and_then(|_| encoder.finish())
        .and_then(|w| w.into_inner().map_err(std::io::IntoInnerError::into_error))
}

/// Without the `gzip` feature the build refuses `compress: gzip`, so this
/// handler is never asked to compress.
#[cfg(not(feature = "gzip"))]
fn compress_into(_: &mut File, _: File) -> std::io::Result<File> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "`compress: gzip` requires the `gzip` feature of logfig",
    ))
}

/// `archive` → `archive.gz.tmp` (created anew, with the handler's
/// permissions, never through a link) → synced → `archive.gz` (keeping the
/// modification time; never over an existing entry) → the plain archive
/// deleted. An archive that is gone already is no error.
fn gzip(archive: &Path, permissions: u32) -> Result<(), Error> {
    let mut gz_name = OsString::from(archive.as_os_str());
    gz_name.push(".gz");
    let gz = PathBuf::from(gz_name);
    let mut tmp_name = OsString::from(gz.as_os_str());
    tmp_name.push(".tmp");
    let tmp = PathBuf::from(tmp_name);
    let fail = |what: &str, p: &Path, e: std::io::Error| {
        handler_error(format!("{what} `{}`", p.display()), e)
    };
    let not_ours = |p: &Path| {
        Error::new(
            ErrorKind::Handler,
            format!(
                "`{}` exists and is not a file of this handler (a symbolic link?); left alone, and `{}` stays uncompressed",
                p.display(),
                archive.display()
            ),
        )
    };
    let mut input = match open_archive(archive) {
        Ok(f) => f,
        // Gone: rolls queued faster than compression, and the retention of
        // an earlier pass deleted this archive, as `backups` asked. Nothing
        // is left to compress, and nothing went wrong.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(fail("opening", archive, e)),
    };
    let modified = input.metadata().and_then(|m| m.modified()).ok();
    let out = match create_new(&tmp, permissions, false) {
        Ok(f) => f,
        // A regular file is a stray of an interrupted compression: replaced.
        // Anything else (a planted link) stays, and is reported.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            match std::fs::symlink_metadata(&tmp) {
                Ok(m) if m.is_file() => {
                    std::fs::remove_file(&tmp).map_err(|e| fail("deleting", &tmp, e))?;
                    create_new(&tmp, permissions, false).map_err(|e| fail("creating", &tmp, e))?
                }
                _ => return Err(not_ours(&tmp)),
            }
        }
        Err(e) => return Err(fail("creating", &tmp, e)),
    };
    let written = compress_into(&mut input, out).and_then(|f| {
        if let Some(t) = modified {
            f.set_modified(t)?;
        }
        f.sync_all()
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail("compressing", archive, e));
    }
    match std::fs::symlink_metadata(&gz) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        _ => {
            let _ = std::fs::remove_file(&tmp);
            return Err(not_ours(&gz));
        }
    }
    std::fs::rename(&tmp, &gz).map_err(|e| fail("renaming", &tmp, e))?;
    std::fs::remove_file(archive).map_err(|e| fail("deleting", archive, e))?;
    Ok(())
}

impl Handler for RotatingFileHandler {
    fn emit(&self, entry: &Entry<'_>, formatter: &dyn Formatter) -> Result<(), Error> {
        format_line(entry, formatter, |line| self.write_line(line))?;
        // A problem of the background thread, reported with this record,
        // which was written.
        if self.has_error.swap(false, Ordering::AcqRel) {
            if let Some(e) = lock(&self.error).take() {
                return Err(e.counted());
            }
        }
        Ok(())
    }

    fn reopen(&self) -> Result<(), Error> {
        let mut live = self.live.write().unwrap_or_else(PoisonError::into_inner);
        self.reopen_live(&mut live)
    }

    /// Waits for pending compression and retention, then stops the
    /// background thread. Records that still arrive go to the live file.
    fn close(&self) -> Result<(), Error> {
        self.jobs.close();
        if let Some(w) = lock(&self.worker).take() {
            let _ = w.join();
        }
        match lock(&self.error).take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn stats(&self) -> HandlerStats {
        HandlerStats {
            emitted: self.emitted.load(Ordering::Relaxed),
            ..HandlerStats::default()
        }
    }
}

impl Drop for RotatingFileHandler {
    fn drop(&mut self) {
        self.jobs.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(when: RotateWhen, at: (i8, i8, i8)) -> Schedule {
        Schedule {
            when,
            interval: 1,
            at,
            tz: TimeZone::get("Europe/Berlin").unwrap(),
        }
    }

    fn berlin(s: &str) -> SystemTime {
        let z: jiff::ZonedDateTime = format!("{s}[Europe/Berlin]").parse().unwrap();
        SystemTime::try_from(z.timestamp()).unwrap()
    }

    #[test]
    fn calendar_rollovers_follow_daylight_saving() {
        let s = schedule(RotateWhen::Midnight, (0, 0, 0));
        // 2026-03-29 is 23 hours long in Berlin.
        let a = s.next_after(berlin("2026-03-28T12:00"));
        let b = s.next_after(a);
        assert_eq!(a, berlin("2026-03-29T00:00"));
        assert_eq!(b.duration_since(a).unwrap(), Duration::from_secs(23 * 3600));
        // 02:30 does not exist on 2026-03-29: 03:30 CEST instead.
        let s = schedule(RotateWhen::Midnight, (2, 30, 0));
        assert_eq!(
            s.next_after(berlin("2026-03-29T00:10")),
            berlin("2026-03-29T03:30")
        );
        // Weekly, Sundays.
        let s = schedule(RotateWhen::Sunday, (0, 0, 0));
        assert_eq!(
            s.next_after(berlin("2026-03-25T10:00")),
            berlin("2026-03-29T00:00")
        );
    }

    #[cfg(all(unix, feature = "gzip"))]
    #[test]
    fn gzip_never_writes_or_renames_through_a_planted_link() {
        use std::os::unix::fs::{PermissionsExt, symlink};
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim");
        let archive = dir.path().join("app.log.1");
        let (tmp, gz) = (
            dir.path().join("app.log.1.gz.tmp"),
            dir.path().join("app.log.1.gz"),
        );
        let reset = || {
            std::fs::write(&victim, "victim\n").unwrap();
            std::fs::write(&archive, "archived\n").unwrap();
        };
        // A link at the temporary name: left alone, nothing compressed.
        reset();
        symlink(&victim, &tmp).unwrap();
        let e = gzip(&archive, 0o600).unwrap_err().to_string();
        assert!(e.contains("left alone"), "{e}");
        assert!(tmp.symlink_metadata().unwrap().file_type().is_symlink());
        std::fs::remove_file(&tmp).unwrap();
        // A link at the compressed name: the temporary file is removed again.
        symlink(&victim, &gz).unwrap();
        let e = gzip(&archive, 0o600).unwrap_err().to_string();
        assert!(e.contains("left alone"), "{e}");
        assert!(tmp.symlink_metadata().is_err());
        assert!(gz.symlink_metadata().unwrap().file_type().is_symlink());
        std::fs::remove_file(&gz).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "victim\n");
        assert_eq!(std::fs::read_to_string(&archive).unwrap(), "archived\n");
        // The archive itself a link: not read through.
        std::fs::remove_file(&archive).unwrap();
        symlink(&victim, &archive).unwrap();
        assert!(gzip(&archive, 0o600).is_err());
        assert!(gz.symlink_metadata().is_err() && tmp.symlink_metadata().is_err());
        std::fs::remove_file(&archive).unwrap();
        // A stray regular temporary file (a crash) is replaced.
        reset();
        std::fs::write(&tmp, "half").unwrap();
        gzip(&archive, 0o600).unwrap();
        assert_eq!(gz.metadata().unwrap().permissions().mode() & 0o777, 0o600);
        assert!(archive.symlink_metadata().is_err() && tmp.symlink_metadata().is_err());
    }
}

#[cfg(not(feature = "gzip"))]
#[cfg(test)]
mod without_gzip {
    use crate::{Config, Dispatcher, ErrorKind, Format};

    #[test]
    fn compress_gzip_names_the_feature_it_needs_and_opens_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("app.log");
        let text = serde_json::json!({
            "version": 1,
            "handlers": {"app": {"type": "rotating_file", "path": log, "max_bytes": "1MiB", "compress": "gzip"}},
            "root": {"handlers": ["app"]},
        })
        .to_string();
        let config = Config::from_str(&text, Format::Json).unwrap();
        let err = Dispatcher::new(&config).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FeatureDisabled, "{err}");
        assert!(
            err.to_string()
                .contains("`compress: gzip` requires the `gzip` feature of logfig"),
            "{err}"
        );
        assert!(!log.exists(), "nothing is opened for a refused config");
    }
}
