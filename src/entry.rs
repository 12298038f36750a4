//! [`Entry`]: one record on its way through the graph.

use std::cell::{Cell, OnceCell};
use std::sync::OnceLock;
use std::thread::Thread;
use std::time::SystemTime;

/// One record on its way through the graph: the `log::Record`, the time it was
/// created, and the thread and process that logged it.
///
/// The dispatcher makes one `Entry` per record and hands the same one to every
/// filter, handler and formatter, so they all see one timestamp. Queues and tests
/// make entries whose thread, process and time are given explicitly.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, SystemTime};
///
/// let record = log::Record::builder()
///     .args(format_args!("hello"))
///     .level(log::Level::Info)
///     .target("app::db")
///     .build();
/// let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// let entry = logfig::Entry::new(&record).with_time(time).with_thread(7, "worker");
/// assert_eq!(entry.thread_name(), Some("worker"));
/// assert_eq!(entry.time(), time);
/// ```
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    record: &'a log::Record<'a>,
    time: SystemTime,
    thread: Option<(u64, Option<&'a str>)>,
    current: OnceCell<Thread>,
    process: Option<u32>,
    /// The `tracing` span scope, root first; empty for `log` records.
    spans: &'a [crate::span::SpanRecord],
    /// `time` split into Unix seconds and nanoseconds, once: `asctime`,
    /// `created` and `msecs` of one record all need it.
    unix: Cell<Option<(i64, u32)>>,
}

impl<'a> Entry<'a> {
    /// An entry for a record logged now, on the current thread.
    pub fn new(record: &'a log::Record<'a>) -> Self {
        Entry {
            record,
            time: SystemTime::now(),
            thread: None,
            current: OnceCell::new(),
            process: None,
            spans: &[],
            unix: Cell::new(None),
        }
    }

    // Hidden: the runtime fills the time, thread, process and spans of every
    // record; these setters are for logfig's own queue, tracing layer and
    // CPython-oracle tests, which pin them to compare output byte for byte.
    #[doc(hidden)]
    /// Sets the creation time.
    pub fn with_time(mut self, time: SystemTime) -> Self {
        self.time = time;
        self.unix.set(None);
        self
    }

    // Hidden, as `with_time` is.
    #[doc(hidden)]
    /// Sets the thread that logged the record (for queues and tests).
    pub fn with_thread(mut self, id: u64, name: &'a str) -> Self {
        self.thread = Some((id, Some(name)));
        self
    }

    // Hidden, as `with_time` is.
    #[doc(hidden)]
    /// Sets the thread that logged the record, when that thread had no name
    /// (for queues, which write records on another thread).
    ///
    /// # Examples
    ///
    /// ```
    /// let record = log::Record::builder().args(format_args!("hi")).build();
    /// let entry = logfig::Entry::new(&record).with_unnamed_thread(3);
    /// assert_eq!((entry.thread_id(), entry.thread_name()), (3, None));
    /// ```
    pub fn with_unnamed_thread(mut self, id: u64) -> Self {
        self.thread = Some((id, None));
        self
    }

    // Hidden, as `with_time` is.
    #[doc(hidden)]
    /// Sets the process id (for tests).
    pub fn with_process(mut self, pid: u32) -> Self {
        self.process = Some(pid);
        self
    }

    /// The `log` record.
    pub fn record(&self) -> &'a log::Record<'a> {
        self.record
    }

    /// When the record was created.
    pub fn time(&self) -> SystemTime {
        self.time
    }

    /// [`time`](Entry::time) as whole seconds (floored) and nanoseconds since
    /// the Unix epoch, computed once per entry.
    pub(crate) fn unix_time(&self) -> (i64, u32) {
        if let Some(t) = self.unix.get() {
            return t;
        }
        let t = split_unix(self.time);
        self.unix.set(Some(t));
        t
    }

    /// The logger name: the record's target.
    pub fn name(&self) -> &'a str {
        self.record.target()
    }

    /// A number that identifies the logging thread within the process.
    pub fn thread_id(&self) -> u64 {
        match self.thread {
            Some((id, _)) => id,
            None => current_thread_id(),
        }
    }

    /// Whether this entry is handled on the thread that logged the record,
    /// not a copy a worker (`queue`) handles on its own thread later: only
    /// then is what the current thread says about itself the record's.
    /// (Only `journald` asks, for the thread's kernel id.)
    #[cfg(all(target_os = "linux", feature = "journald"))]
    pub(crate) fn on_logging_thread(&self) -> bool {
        self.thread.is_none()
    }

    /// The logging thread's name, if it has one.
    pub fn thread_name(&self) -> Option<&str> {
        match self.thread {
            Some((_, name)) => name,
            None => self.current.get_or_init(std::thread::current).name(),
        }
    }

    /// The process id.
    pub fn process_id(&self) -> u32 {
        self.process.unwrap_or_else(process_id)
    }

    // Hidden, as `with_time` is.
    #[doc(hidden)]
    /// Sets the span scope the record was logged in, root first (the
    /// `tracing` layer does, for each event).
    ///
    /// # Examples
    ///
    /// ```
    /// let spans = [logfig::SpanRecord::new("request"), logfig::SpanRecord::new("db")];
    /// let record = log::Record::builder().args(format_args!("hi")).build();
    /// let entry = logfig::Entry::new(&record).with_spans(&spans);
    /// assert_eq!(entry.spans()[1].name(), "db");
    /// ```
    pub fn with_spans(mut self, spans: &'a [crate::span::SpanRecord]) -> Self {
        self.spans = spans;
        self
    }

    /// The span scope the record was logged in, root first: the `tracing`
    /// spans entered when an event was recorded. Empty for `log` records.
    pub fn spans(&self) -> &'a [crate::span::SpanRecord] {
        self.spans
    }

    /// Time since the first logfig graph was built in this process.
    pub fn relative_created(&self) -> std::time::Duration {
        self.time.duration_since(start_time()).unwrap_or_default()
    }
}

/// The process id, read once: `getpid` is a system call on current glibc.
/// Seconds (floored) and nanoseconds of a time since the Unix epoch, also
/// before 1970.
pub(crate) fn split_unix(time: SystemTime) -> (i64, u32) {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => (
            i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            d.subsec_nanos(),
        ),
        Err(e) => {
            let d = e.duration();
            let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            match d.subsec_nanos() {
                0 => (-secs, 0),
                n => (-secs - 1, 1_000_000_000 - n),
            }
        }
    }
}

pub(crate) fn process_id() -> u32 {
    static PID: OnceLock<u32> = OnceLock::new();
    *PID.get_or_init(std::process::id)
}

/// The time logfig was first used in this process: Python's `relativeCreated`
/// counts from the import of `logging`.
pub(crate) fn start_time() -> SystemTime {
    static START: OnceLock<SystemTime> = OnceLock::new();
    *START.get_or_init(SystemTime::now)
}

thread_local! {
    static THREAD_ID: OnceCell<u64> = const { OnceCell::new() };
}

/// A small number per thread, assigned on first use (`ThreadId::as_u64` is not
/// stable).
pub(crate) fn current_thread_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    THREAD_ID
        .try_with(|cell| {
            *cell.get_or_init(|| NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
        })
        .unwrap_or(0)
}
