//! [`RotatingFileHandler`]: a file rolled over by size and/or time, with
//! retention and background compression of the archives.

use std::ffi::OsString;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use jiff::tz::TimeZone;

use super::file::open_file;
use super::{Clock, HandlerStats, SystemClock, format_line};
use crate::config::{Compression, FileMode, RotateWhen, RotatingFileHandlerConfig};
use crate::{Entry, Error, ErrorKind, Formatter, Handler};

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
/// deletes the lowest numbers. By date (`archive: app.%Y-%m-%d.log`): the
/// strftime fields are filled with the last second of the period that ended
/// (with time rotation) or the time of the roll (size only); a name already
/// taken in the same period gets `.1`, `.2`, ... appended.
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
/// **Restarts.** On open, the next sequence number is one above the highest
/// archive found, the live file is appended to, and the next rollover time is
/// computed from the live file's modification time, as Python does: a file
/// left from an earlier period rolls over at the first record.
///
/// Statistics: `emitted`.
///
/// # Examples
///
/// ```
/// use logfig::config::{RotatingFileHandlerConfig, Size};
/// use logfig::{Entry, Handler, PatternFormatter, RotatingFileHandler};
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
    jobs: Mutex<Option<Sender<Job>>>,
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
    /// `archive`, when names come from a date pattern; with the regex that
    /// recognises them.
    pattern: Option<(String, regex::Regex)>,
    tz: TimeZone,
    compress: Compression,
    backups: Option<u32>,
    max_age: Option<Duration>,
    max_total_size: Option<u64>,
}

#[derive(Debug)]
enum Job {
    Startup,
    Rolled(PathBuf),
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
    /// use logfig::{RotatingFileHandler, SystemClock};
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
        let pattern = match &config.archive {
            Some(p) => {
                // Refuse a pattern jiff cannot format, now rather than at a roll.
                let sample = jiff::Timestamp::UNIX_EPOCH.to_zoned(tz.clone());
                jiff::fmt::strtime::format(p.as_str(), &sample)
                    .map_err(|e| invalid(format!("invalid archive name `{p}`: {e}")))?;
                Some((p.clone(), archive_regex(p)?))
            }
            None => None,
        };
        let naming = Arc::new(Naming {
            dir,
            base,
            pattern,
            tz,
            compress: config.compress,
            backups: config.backups,
            max_age: config.max_age,
            max_total_size: config.max_total_size.map(|s| s.bytes()),
        });

        let file = open_file(&config.path, FileMode::Append, config.permissions)?;
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

        let (tx, rx) = std::sync::mpsc::channel();
        let error = Arc::new(Mutex::new(None));
        let has_error = Arc::new(AtomicBool::new(false));
        let worker = {
            let naming = Arc::clone(&naming);
            let clock = Arc::clone(&clock);
            let error = Arc::clone(&error);
            let has_error = Arc::clone(&has_error);
            std::thread::Builder::new()
                .name(format!("logfig-rotate-{}", naming.base))
                .spawn(move || naming.work(&rx, &*clock, &error, &has_error))
                .map_err(|e| Error::io("starting the rotation thread", e))?
        };
        let _ = tx.send(Job::Startup);
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
            jobs: Mutex::new(Some(tx)),
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
        if time_due && let Some(s) = &self.schedule {
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
        let archive = self.naming.next_archive(&mut live.next_seq, stamp);
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
        let file = open_file(&self.path, FileMode::Append, self.permissions)?;
        live.file = file;
        self.size.store(0, Ordering::Release);
        drop(live);
        if let Some(tx) = lock(&self.jobs).as_ref() {
            let _ = tx.send(Job::Rolled(archive));
        }
        Ok(())
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
            return roll_error.map_or(Ok(()), Err);
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
                .to_zoned(self.tz.clone())
                .ok()
                .map(|z| z.timestamp())
        };
        let mut day = ts.to_zoned(self.tz.clone()).date();
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
        Some(SystemTime::from(at(day)?))
    }
}

/// The regex that recognises archives of a date pattern: each strftime field
/// matches what it can produce, plus the optional `.N` and `.gz`.
fn archive_regex(pattern: &str) -> Result<regex::Regex, Error> {
    let mut re = String::from("^");
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            re.push_str(&regex::escape(&c.to_string()));
            continue;
        }
        let field = match chars.next() {
            Some('Y' | 'G') => r"\d{4}",
            Some('m' | 'd' | 'H' | 'M' | 'S' | 'y' | 'I' | 'U' | 'W' | 'V' | 'g') => r"\d{2}",
            Some('j') => r"\d{3}",
            Some('u' | 'w') => r"\d",
            Some('s') => r"\d+",
            Some('%') => "%",
            _ => ".+?",
        };
        re.push_str(field);
    }
    re.push_str(r"(\.\d+)?(\.gz)?$");
    regex::Regex::new(&re).map_err(|e| {
        Error::new(
            ErrorKind::Invalid,
            format!("invalid archive name `{pattern}`: {e}"),
        )
    })
}

impl Naming {
    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn taken(&self, name: &str) -> bool {
        let path = self.file(name);
        path.exists() || self.file(&format!("{name}.gz")).exists()
    }

    /// The path of the next archive; for index naming, uses and advances `seq`.
    fn next_archive(&self, seq: &mut u64, stamp: SystemTime) -> PathBuf {
        match &self.pattern {
            None => loop {
                let name = format!("{}.{}", self.base, *seq);
                *seq += 1;
                if !self.taken(&name) {
                    return self.file(&name);
                }
            },
            Some((pattern, _)) => {
                let zoned = jiff::Timestamp::try_from(stamp)
                    .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
                    .to_zoned(self.tz.clone());
                let name = jiff::fmt::strtime::format(pattern.as_str(), &zoned)
                    .unwrap_or_else(|_| format!("{}.{}", self.base, secs(stamp)));
                if !self.taken(&name) && name != self.base {
                    return self.file(&name);
                }
                (1..)
                    .map(|n| format!("{name}.{n}"))
                    .find(|n| !self.taken(n))
                    .map_or_else(|| self.file(&name), |n| self.file(&n))
            }
        }
    }

    /// The index of an index-named archive (`app.log.17`, `app.log.17.gz`).
    fn index_of(&self, name: &str) -> Option<u64> {
        let rest = name.strip_prefix(&self.base)?.strip_prefix('.')?;
        let digits = rest
            .strip_suffix(".gz.tmp")
            .or_else(|| rest.strip_suffix(".gz"))
            .unwrap_or(rest);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    }

    fn names(&self) -> Vec<String> {
        std::fs::read_dir(&self.dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .filter_map(|e| e.file_name().into_string().ok())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn highest_index(&self) -> u64 {
        if self.pattern.is_some() {
            return 0;
        }
        self.names()
            .iter()
            .filter_map(|n| self.index_of(n))
            .max()
            .unwrap_or(0)
    }

    /// Whether `name` is an archive of this handler (plain or gzipped).
    fn is_archive(&self, name: &str) -> bool {
        if name == self.base || name.ends_with(".tmp") {
            return false;
        }
        match &self.pattern {
            None => self.index_of(name).is_some(),
            Some((_, re)) => re.is_match(name),
        }
    }

    /// The background thread: compression and retention.
    fn work(
        &self,
        jobs: &Receiver<Job>,
        clock: &dyn Clock,
        error: &Mutex<Option<Error>>,
        has_error: &AtomicBool,
    ) {
        super::worker::mark_internal_thread();
        let keep = |r: Result<(), Error>| {
            if let Err(e) = r {
                *lock(error) = Some(e);
                has_error.store(true, Ordering::Release);
            }
        };
        while let Ok(job) = jobs.recv() {
            match job {
                Job::Startup => keep(self.startup()),
                Job::Rolled(archive) => {
                    if self.compress == Compression::Gzip {
                        keep(gzip(&archive));
                    }
                }
            }
            keep(self.retain(clock.now()));
        }
    }

    /// Deletes stray `.gz.tmp` files and compresses plain archives a crash
    /// left behind.
    fn startup(&self) -> Result<(), Error> {
        let mut names = self.names();
        names.sort();
        for name in &names {
            let is_tmp =
                name.ends_with(".gz.tmp") && self.is_archive(name.trim_end_matches(".gz.tmp"));
            if is_tmp {
                let _ = std::fs::remove_file(self.file(name));
            }
        }
        if self.compress == Compression::Gzip {
            for name in &names {
                if self.is_archive(name) && !name.ends_with(".gz") {
                    let gz = self.file(&format!("{name}.gz"));
                    if gz.exists() {
                        // The crash came after the rename: the .gz is whole.
                        let _ = std::fs::remove_file(self.file(name));
                    } else {
                        gzip(&self.file(name))?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Applies `backups`, `max_age` and `max_total_size`.
    fn retain(&self, now: SystemTime) -> Result<(), Error> {
        if self.backups.is_none() && self.max_age.is_none() && self.max_total_size.is_none() {
            return Ok(());
        }
        let mut archives: Vec<(u64, SystemTime, String, u64)> = self
            .names()
            .into_iter()
            .filter(|n| self.is_archive(n))
            .filter_map(|n| {
                let m = std::fs::metadata(self.file(&n)).ok()?;
                let order = match &self.pattern {
                    None => self.index_of(&n).unwrap_or(0),
                    Some(_) => 0,
                };
                Some((order, m.modified().unwrap_or(now), n, m.len()))
            })
            .collect();
        // Newest first: by index, or by modification time then name.
        archives.sort_by(|a, b| (b.0, b.1, &b.2).cmp(&(a.0, a.1, &a.2)));
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
                if let Err(e) = std::fs::remove_file(&path)
                    && e.kind() != std::io::ErrorKind::NotFound
                {
                    return Err(handler_error(format!("deleting `{}`", path.display()), e));
                }
            }
        }
        Ok(())
    }
}

/// `archive` → `archive.gz.tmp` → synced → `archive.gz` (keeping the
/// modification time) → the plain archive deleted.
fn gzip(archive: &Path) -> Result<(), Error> {
    let mut gz_name = OsString::from(archive.as_os_str());
    gz_name.push(".gz");
    let gz = PathBuf::from(gz_name);
    let mut tmp_name = OsString::from(gz.as_os_str());
    tmp_name.push(".tmp");
    let tmp = PathBuf::from(tmp_name);
    let fail = |what: &str, p: &Path, e: std::io::Error| {
        handler_error(format!("{what} `{}`", p.display()), e)
    };
    let mut input = File::open(archive).map_err(|e| fail("opening", archive, e))?;
    let modified = input.metadata().and_then(|m| m.modified()).ok();
    let out = File::create(&tmp).map_err(|e| fail("creating", &tmp, e))?;
    let mut encoder =
        flate2::write::GzEncoder::new(std::io::BufWriter::new(out), flate2::Compression::default());
    let written = std::io::copy(&mut input, &mut encoder)
        .and_then(|_| encoder.finish())
        .and_then(|w| w.into_inner().map_err(std::io::IntoInnerError::into_error))
        .and_then(|f| {
            if let Some(t) = modified {
                f.set_modified(t)?;
            }
            f.sync_all()
        });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail("compressing", archive, e));
    }
    std::fs::rename(&tmp, &gz).map_err(|e| fail("renaming", &tmp, e))?;
    std::fs::remove_file(archive).map_err(|e| fail("deleting", archive, e))?;
    Ok(())
}

impl Handler for RotatingFileHandler {
    fn emit(&self, entry: &Entry<'_>, formatter: &dyn Formatter) -> Result<(), Error> {
        format_line(entry, formatter, |line| self.write_line(line))?;
        if self.has_error.swap(false, Ordering::AcqRel)
            && let Some(e) = lock(&self.error).take()
        {
            return Err(e);
        }
        Ok(())
    }

    fn reopen(&self) -> Result<(), Error> {
        let mut live = self.live.write().unwrap_or_else(PoisonError::into_inner);
        let file = open_file(&self.path, FileMode::Append, self.permissions)?;
        let len = file.metadata().map_or(0, |m| m.len());
        live.file = file;
        self.size.store(len, Ordering::Release);
        Ok(())
    }

    /// Waits for pending compression and retention, then stops the
    /// background thread. Records that still arrive go to the live file.
    fn close(&self) -> Result<(), Error> {
        drop(lock(&self.jobs).take());
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
        drop(lock(&self.jobs).take());
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
        let z: jiff::Zoned = format!("{s}[Europe/Berlin]").parse().unwrap();
        SystemTime::from(z.timestamp())
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

    #[test]
    fn archive_patterns_are_recognised() {
        let re = archive_regex("app.%Y-%m-%d.log").unwrap();
        for ok in [
            "app.2026-03-29.log",
            "app.2026-03-29.log.2",
            "app.2026-03-29.log.gz",
        ] {
            assert!(re.is_match(ok), "{ok}");
        }
        for bad in [
            "app.log",
            "app.2026-03-29.log.gz.tmp",
            "other.2026-03-29.log",
        ] {
            assert!(!re.is_match(bad), "{bad}");
        }
    }
}
