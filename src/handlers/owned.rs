//! Owned copies of records, for handlers that keep records past `emit`
//! (`queue`, `memory`).

use std::sync::Arc;
use std::time::SystemTime;

use crate::entry::Entry;
use crate::value::OwnedValue;

thread_local! {
    /// The last thread name copied on this thread, shared by its records.
    static NAME: std::cell::RefCell<Option<Arc<str>>> = const { std::cell::RefCell::new(None) };
}

thread_local! {
    /// Where messages are rendered before they are copied out at their size.
    static MESSAGE: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

/// Runs `f` with the text of `args`, rendered into a per-thread buffer (no
/// allocation once the buffer has grown to a message's size).
pub(crate) fn with_rendered<R>(args: &std::fmt::Arguments<'_>, f: impl FnOnce(&str) -> R) -> R {
    // Taken out while in use: a nested capture (an argument whose `Display`
    // logs) gets a fresh buffer.
    let mut buf = MESSAGE.try_with(std::cell::Cell::take).unwrap_or_default();
    buf.clear();
    let _ = std::fmt::Write::write_fmt(&mut buf, *args);
    let r = f(&buf);
    if buf.capacity() <= 64 << 10 {
        let _ = MESSAGE.try_with(|cell| cell.set(buf));
    }
    r
}

/// The text of `args`: borrowed when it is a literal, else in an allocation of
/// exactly its size (`args.to_string()` guesses a capacity and
/// `into_boxed_str` then reallocates to shrink it: a `realloc` per record).
fn render_message(args: &std::fmt::Arguments<'_>) -> Text {
    match args.as_str() {
        Some(s) => Text::Static(s),
        None => with_rendered(args, |s| Text::Owned(s.into())),
    }
}

/// `name` as a shared string, allocated once per thread rather than per record.
fn shared_name(name: &str) -> Arc<str> {
    NAME.try_with(|cell| {
        let mut cached = cell.try_borrow_mut().ok()?;
        match &*cached {
            Some(n) if **n == *name => Some(Arc::clone(n)),
            _ => {
                let n: Arc<str> = Arc::from(name);
                *cached = Some(Arc::clone(&n));
                Some(n)
            }
        }
    })
    .ok()
    .flatten()
    .unwrap_or_else(|| Arc::from(name))
}

/// A string a record borrows: kept as is when it is `'static` (the module path
/// and file that `log`'s macros pass, a literal message), copied otherwise,
/// either into its own allocation or into a text buffer shared by many records
/// (a queue's), so the common record costs no allocation for them.
#[derive(Debug, Clone)]
enum Text {
    Static(&'static str),
    Owned(Box<str>),
    /// A thread's name, shared by the records of that thread.
    Name(Arc<str>),
    /// `len` bytes at `start` of the text buffer the record was captured into.
    Shared {
        start: usize,
        len: usize,
    },
}

impl Text {
    /// The text; `shared` is the buffer of `Text::Shared` ranges.
    fn as_str<'a>(&'a self, shared: &'a str) -> &'a str {
        match self {
            Text::Static(s) => s,
            Text::Owned(s) => s,
            Text::Name(s) => s,
            Text::Shared { start, len } => shared.get(*start..*start + *len).unwrap_or(""),
        }
    }

    /// Bytes this text takes in a shared buffer.
    fn shared_len(&self) -> usize {
        match self {
            Text::Shared { len, .. } => *len,
            _ => 0,
        }
    }

    /// Bytes this text holds on its own (a memory handler's copies).
    fn owned_len(&self) -> usize {
        match self {
            Text::Owned(s) => s.len(),
            _ => 0,
        }
    }

    /// Copies a shared text from `old` to the end of `new`.
    fn relocate(&mut self, old: &str, new: &mut String) {
        if let Text::Shared { .. } = self {
            *self = Text::push(new, self.as_str(old));
        }
    }

    /// `s` appended to `shared`.
    fn push(shared: &mut String, s: &str) -> Text {
        let start = shared.len();
        shared.push_str(s);
        Text::Shared {
            start,
            len: s.len(),
        }
    }
}

/// A record's key-values, owned.
#[derive(Debug)]
pub(crate) struct Kvs(Vec<(Box<str>, OwnedValue)>);

impl Kvs {
    /// About the bytes the key-values hold.
    pub(crate) fn weight(&self) -> usize {
        kvs_weight(&self.0)
    }
}

fn kvs_weight(kvs: &[(Box<str>, OwnedValue)]) -> usize {
    kvs.iter()
        .map(|(k, v)| {
            std::mem::size_of::<(Box<str>, OwnedValue)>()
                + k.len()
                + match v {
                    OwnedValue::Str(s) => s.len(),
                    _ => 0,
                }
        })
        .sum()
}

struct OwnedKvs<'a>(&'a [(Box<str>, OwnedValue)]);

impl log::kv::Source for OwnedKvs<'_> {
    fn visit<'kvs>(
        &'kvs self,
        visitor: &mut dyn log::kv::VisitSource<'kvs>,
    ) -> Result<(), log::kv::Error> {
        for (k, v) in self.0 {
            visitor.visit_pair(log::kv::Key::from_str(k), v.to_value())?;
        }
        Ok(())
    }

    fn count(&self) -> usize {
        self.0.len()
    }
}

/// Everything a `log::Record` and its [`Entry`] borrow, owned: the message
/// rendered once, target, source location, key-values with their types, the
/// creation time, the logging thread and the process.
#[derive(Debug, Clone)]
pub(crate) struct OwnedRecord {
    pub(crate) level: log::Level,
    target: Text,
    message: Text,
    module_path: Option<Text>,
    file: Option<Text>,
    line: Option<u32>,
    kvs: Vec<(Box<str>, OwnedValue)>,
    time: SystemTime,
    thread_id: u64,
    thread_name: Option<Text>,
    pid: u32,
}

impl OwnedRecord {
    /// The fixed size of a record, without its strings.
    pub(crate) const SIZE: usize = std::mem::size_of::<OwnedRecord>();

    /// About the bytes this record holds: its fixed size, its texts in the
    /// shared buffer, its key-values (for a queue's byte bound).
    pub(crate) fn weight(&self) -> usize {
        Self::SIZE + self.shared_len() + kvs_weight(&self.kvs)
    }

    /// [`weight`](OwnedRecord::weight) of a record made by
    /// [`capture`](OwnedRecord::capture), whose texts are its own (for a
    /// memory handler's byte bound); a queue's records share one buffer and
    /// keep the plain `weight` on their path.
    pub(crate) fn owned_weight(&self) -> usize {
        Self::SIZE + self.texts().map(Text::owned_len).sum::<usize>() + kvs_weight(&self.kvs)
    }

    /// Bytes this record takes in the shared text buffer it was captured into.
    pub(crate) fn shared_len(&self) -> usize {
        self.texts().map(Text::shared_len).sum()
    }

    fn texts(&self) -> impl Iterator<Item = &Text> {
        [
            Some(&self.target),
            Some(&self.message),
            self.module_path.as_ref(),
            self.file.as_ref(),
            self.thread_name.as_ref(),
        ]
        .into_iter()
        .flatten()
    }

    /// Moves this record's shared texts from `old` to the end of `new`.
    pub(crate) fn relocate(&mut self, old: &str, new: &mut String) {
        self.target.relocate(old, new);
        self.message.relocate(old, new);
        for t in [&mut self.module_path, &mut self.file, &mut self.thread_name]
            .into_iter()
            .flatten()
        {
            t.relocate(old, new);
        }
    }

    /// Copies `entry`.
    pub(crate) fn capture(entry: &Entry<'_>) -> OwnedRecord {
        let message = render_message(entry.record().args());
        let thread_name = entry.thread_name().map(|n| Text::Name(shared_name(n)));
        let kvs = Self::capture_kvs(entry.record());
        Self::build(entry, message, thread_name, kvs, |s| Text::Owned(s.into()))
    }

    /// Copies `entry`, with its strings that are not `'static` appended to
    /// `shared` instead of allocated one by one, as ranges of it: the message
    /// is `message` (the rendered args) when given, else the args' literal;
    /// `kvs` are the record's, from [`capture_kvs`](OwnedRecord::capture_kvs).
    /// Runs no user code. Read the copy back with
    /// [`with_entry_in`](OwnedRecord::with_entry_in) and the same buffer.
    pub(crate) fn capture_in(
        entry: &Entry<'_>,
        message: Option<&str>,
        kvs: Kvs,
        shared: &mut String,
    ) -> OwnedRecord {
        let message = match (message, entry.record().args().as_str()) {
            (Some(m), _) => Text::push(shared, m),
            (None, Some(s)) => Text::Static(s),
            // Not reached from the queue, which renders non-literal args.
            (None, None) => render_message(entry.record().args()),
        };
        // Copied rather than shared: the queue's worker would drop the shared
        // name's count on another core for every record.
        let thread_name = entry.thread_name().map(|n| Text::push(shared, n));
        Self::build(entry, message, thread_name, kvs, |s| Text::push(shared, s))
    }

    /// The key-values of `record`, owned. They may run a value's `Display`
    /// or `Debug`: user code, which a queue runs before taking its lock.
    pub(crate) fn capture_kvs(record: &log::Record<'_>) -> Kvs {
        let mut kvs = Vec::new();
        let source = record.key_values();
        if source.count() > 0 {
            struct Collect<'a>(&'a mut Vec<(Box<str>, OwnedValue)>);
            impl<'kvs> log::kv::VisitSource<'kvs> for Collect<'_> {
                fn visit_pair(
                    &mut self,
                    key: log::kv::Key<'kvs>,
                    value: log::kv::Value<'kvs>,
                ) -> Result<(), log::kv::Error> {
                    self.0
                        .push((key.as_str().into(), OwnedValue::capture(&value)));
                    Ok(())
                }
            }
            let _ = source.visit(&mut Collect(&mut kvs));
        }
        Kvs(kvs)
    }

    fn build(
        entry: &Entry<'_>,
        message: Text,
        thread_name: Option<Text>,
        kvs: Kvs,
        mut copy: impl FnMut(&str) -> Text,
    ) -> OwnedRecord {
        let record = entry.record();
        let kvs = kvs.0;
        OwnedRecord {
            level: record.level(),
            target: match record.module_path_static() {
                // The default target is the module path, a `'static` string.
                Some(m) if std::ptr::eq(m, record.target()) => Text::Static(m),
                _ => copy(record.target()),
            },
            message,
            module_path: match record.module_path_static() {
                Some(m) => Some(Text::Static(m)),
                None => record.module_path().map(&mut copy),
            },
            file: match record.file_static() {
                Some(f) => Some(Text::Static(f)),
                None => record.file().map(&mut copy),
            },
            line: record.line(),
            kvs,
            time: entry.time(),
            thread_id: entry.thread_id(),
            thread_name,
            pid: entry.process_id(),
        }
    }

    /// A record made by logfig itself (such as "N records dropped"), logged now
    /// on the current thread.
    pub(crate) fn internal(level: log::Level, target: &str, message: String) -> OwnedRecord {
        OwnedRecord {
            level,
            target: Text::Owned(target.into()),
            message: Text::Owned(message.into_boxed_str()),
            module_path: None,
            file: None,
            line: None,
            kvs: Vec::new(),
            time: SystemTime::now(),
            thread_id: crate::entry::current_thread_id(),
            thread_name: std::thread::current()
                .name()
                .map(|n| Text::Name(shared_name(n))),
            pid: crate::entry::process_id(),
        }
    }

    /// Runs `f` with an [`Entry`] that reads exactly like the original.
    pub(crate) fn with_entry<R>(&self, f: impl FnOnce(&Entry<'_>) -> R) -> R {
        self.with_entry_in("", f)
    }

    /// [`with_entry`](OwnedRecord::with_entry) for a record captured with
    /// [`capture_in`](OwnedRecord::capture_in) into `shared`.
    pub(crate) fn with_entry_in<R>(&self, shared: &str, f: impl FnOnce(&Entry<'_>) -> R) -> R {
        let message = self.message.as_str(shared);
        self.with_args(format_args!("{message}"), shared, f)
    }

    fn with_args<R>(
        &self,
        args: std::fmt::Arguments<'_>,
        shared: &str,
        f: impl FnOnce(&Entry<'_>) -> R,
    ) -> R {
        let kvs = OwnedKvs(&self.kvs);
        let record = log::Record::builder()
            .args(args)
            .level(self.level)
            .target(self.target.as_str(shared))
            .module_path(self.module_path.as_ref().map(|t| t.as_str(shared)))
            .file(self.file.as_ref().map(|t| t.as_str(shared)))
            .line(self.line)
            .key_values(&kvs)
            .build();
        let entry = Entry::new(&record)
            .with_time(self.time)
            .with_process(self.pid);
        let entry = match &self.thread_name {
            Some(name) => entry.with_thread(self.thread_id, name.as_str(shared)),
            None => entry.with_unnamed_thread(self.thread_id),
        };
        f(&entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formatters::Formatter;

    #[test]
    fn a_copy_reads_like_the_original() {
        let kvs: &[(&str, log::kv::Value<'_>)] = &[
            ("user", log::kv::Value::from("bob")),
            ("n", log::kv::Value::from(42i64)),
            ("ok", log::kv::Value::from(true)),
            ("ratio", log::kv::Value::from(0.5f64)),
        ];
        let args = format_args!("hello {}", 7);
        let record = log::Record::builder()
            .args(args)
            .level(log::Level::Warn)
            .target("app::db")
            .module_path(Some("app::db"))
            .file(Some("src/db.rs"))
            .line(Some(12))
            .key_values(&kvs)
            .build();
        let entry = Entry::new(&record)
            .with_thread(9, "worker")
            .with_process(77);
        let owned = OwnedRecord::capture(&entry);
        let json = crate::formatters::JsonFormatter::compile(
            &crate::config::JsonFormatterConfig::default(),
        )
        .unwrap();
        let render = |e: &Entry<'_>| {
            let mut a = Vec::new();
            json.format(e, &mut a).unwrap();
            let p = crate::formatters::PatternFormatter::compile(&crate::config::PatternFormatterConfig {
                format: Some(
                    "%(levelname)s %(name)s %(module)s %(lineno)d %(thread)d %(threadName)s %(process)d %(message)s %(kv)s"
                        .into(),
                ),
                ..Default::default()
            })
            .unwrap();
            p.format(e, &mut a).unwrap();
            String::from_utf8(a).unwrap()
        };
        let original = render(&entry);
        let copy = owned.with_entry(|e| render(e));
        assert_eq!(original, copy);
        assert!(copy.contains(r#""n":42"#), "{copy}");
        // Into a shared text buffer (a queue's), after other records' text.
        let mut shared = String::from("earlier records");
        let kvs = OwnedRecord::capture_kvs(entry.record());
        let in_shared = OwnedRecord::capture_in(&entry, Some("hello 7"), kvs, &mut shared);
        assert_eq!(in_shared.with_entry_in(&shared, |e| render(e)), original);
        // Message, thread name, target, module path, file: none `'static`
        // in this record.
        assert_eq!(
            shared,
            "earlier recordshello 7workerapp::dbapp::dbsrc/db.rs"
        );
    }
}
