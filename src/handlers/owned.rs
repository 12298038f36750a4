//! Owned copies of records, for handlers that keep records past `emit`
//! (`queue`, `memory`), and the targets such handlers write to.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::SystemTime;

use crate::value::OwnedValue;
use crate::{Entry, Error, ErrorKind, Filter, Formatter, Handler};

thread_local! {
    /// The last thread name copied on this thread, shared by its records.
    static NAME: std::cell::RefCell<Option<Arc<str>>> = const { std::cell::RefCell::new(None) };
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
/// and file that `log`'s macros pass), copied otherwise, so the common record
/// costs no allocation for them.
#[derive(Debug, Clone)]
enum Text {
    Static(&'static str),
    Owned(Box<str>),
}

impl Text {
    fn as_str(&self) -> &str {
        match self {
            Text::Static(s) => s,
            Text::Owned(s) => s,
        }
    }
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
    /// The message, then the target when it is not `'static`: one buffer,
    /// which a queue hands back to the logging threads for reuse.
    text: String,
    message_len: usize,
    /// The target when it is the `'static` module path; else it is in `text`.
    static_target: Option<&'static str>,
    module_path: Option<Text>,
    file: Option<Text>,
    line: Option<u32>,
    kvs: Vec<(Box<str>, OwnedValue)>,
    time: SystemTime,
    thread_id: u64,
    thread_name: Option<Arc<str>>,
    pid: u32,
}

impl OwnedRecord {
    /// Copies `entry`, to keep (its text takes no more memory than it needs).
    pub(crate) fn capture(entry: &Entry<'_>) -> OwnedRecord {
        let mut record = OwnedRecord::capture_in(entry, String::new());
        record.text.shrink_to_fit();
        record
    }

    /// Copies `entry`, writing its message (and target) into `text`, a buffer
    /// to reuse (see [`OwnedRecord::into_text`]).
    pub(crate) fn capture_in(entry: &Entry<'_>, mut text: String) -> OwnedRecord {
        let record = entry.record();
        let args = record.args();
        text.clear();
        match args.as_str() {
            Some(s) => text.push_str(s),
            None => {
                // Room for a typical message up front, so a new buffer costs
                // one allocation instead of a few growing ones.
                text.reserve(128);
                let _ = std::fmt::Write::write_fmt(&mut text, *args);
            }
        }
        let message_len = text.len();
        let static_target = match record.module_path_static() {
            // The default target is the module path, a `'static` string.
            Some(m) if std::ptr::eq(m, record.target()) => Some(m),
            _ => {
                text.push_str(record.target());
                None
            }
        };
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
        OwnedRecord {
            level: record.level(),
            text,
            message_len,
            static_target,
            module_path: match record.module_path_static() {
                Some(m) => Some(Text::Static(m)),
                None => record.module_path().map(|m| Text::Owned(m.into())),
            },
            file: match record.file_static() {
                Some(f) => Some(Text::Static(f)),
                None => record.file().map(|f| Text::Owned(f.into())),
            },
            line: record.line(),
            kvs,
            time: entry.time(),
            thread_id: entry.thread_id(),
            thread_name: entry.thread_name().map(shared_name),
            pid: entry.process_id(),
        }
    }

    /// A record made by logfig itself (such as "N records dropped"), logged now
    /// on the current thread.
    pub(crate) fn internal(level: log::Level, target: &str, message: String) -> OwnedRecord {
        let message_len = message.len();
        let mut text = message;
        text.push_str(target);
        OwnedRecord {
            level,
            text,
            message_len,
            static_target: None,
            module_path: None,
            file: None,
            line: None,
            kvs: Vec::new(),
            time: SystemTime::now(),
            thread_id: crate::entry::current_thread_id(),
            thread_name: std::thread::current().name().map(shared_name),
            pid: crate::entry::process_id(),
        }
    }

    /// The buffer of the message and target, for the next
    /// [`OwnedRecord::capture_in`].
    pub(crate) fn into_text(self) -> String {
        self.text
    }

    fn message(&self) -> &str {
        self.text.get(..self.message_len).unwrap_or_default()
    }

    fn target(&self) -> &str {
        match self.static_target {
            Some(t) => t,
            None => self.text.get(self.message_len..).unwrap_or_default(),
        }
    }

    /// Runs `f` with an [`Entry`] that reads exactly like the original.
    pub(crate) fn with_entry<R>(&self, f: impl FnOnce(&Entry<'_>) -> R) -> R {
        let message = self.message();
        self.with_args(format_args!("{message}"), f)
    }

    fn with_args<R>(&self, args: std::fmt::Arguments<'_>, f: impl FnOnce(&Entry<'_>) -> R) -> R {
        let kvs = OwnedKvs(&self.kvs);
        let record = log::Record::builder()
            .args(args)
            .level(self.level)
            .target(self.target())
            .module_path(self.module_path.as_ref().map(Text::as_str))
            .file(self.file.as_ref().map(Text::as_str))
            .line(self.line)
            .key_values(&kvs)
            .build();
        let entry = Entry::new(&record)
            .with_time(self.time)
            .with_process(self.pid);
        let entry = match &self.thread_name {
            Some(name) => entry.with_thread(self.thread_id, name),
            None => entry.with_unnamed_thread(self.thread_id),
        };
        f(&entry)
    }
}

/// A handler that a `queue` or `memory` handler writes to, with the level,
/// filters and formatter configured for it.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) name: String,
    pub(crate) level: log::LevelFilter,
    pub(crate) filters: Vec<Arc<dyn Filter>>,
    pub(crate) formatter: Arc<dyn Formatter>,
    pub(crate) handler: Arc<dyn Handler>,
}

impl Target {
    /// Emits `entry` if it passes this target's level and filters. Panics of
    /// the target are caught and returned as errors.
    pub(crate) fn emit(&self, entry: &Entry<'_>) -> Result<(), Error> {
        if entry.record().level() > self.level {
            return Ok(());
        }
        let run = || -> Result<(), Error> {
            let mut extra = Vec::new();
            let pass = self.filters.iter().all(|f| {
                f.check(entry, &mut |e: &Entry<'_>| {
                    extra.push(OwnedRecord::capture(e));
                })
            });
            for r in &extra {
                r.with_entry(|e| self.handler.emit(e, &*self.formatter))?;
            }
            if pass {
                self.handler.emit(entry, &*self.formatter)
            } else {
                Ok(())
            }
        };
        match catch_unwind(AssertUnwindSafe(run)) {
            Ok(r) => r.map_err(|e| {
                Error::new(ErrorKind::Handler, format!("handler `{}`: {e}", self.name))
            }),
            Err(_) => Err(Error::new(
                ErrorKind::Handler,
                format!("handler `{}` panicked", self.name),
            )),
        }
    }

    /// Flushes the target, catching panics.
    pub(crate) fn flush(&self) -> Result<(), Error> {
        catch_unwind(AssertUnwindSafe(|| self.handler.flush())).unwrap_or_else(|_| {
            Err(Error::new(
                ErrorKind::Handler,
                format!("handler `{}` panicked while flushing", self.name),
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let json =
            crate::JsonFormatter::compile(&crate::config::JsonFormatterConfig::default()).unwrap();
        let render = |e: &Entry<'_>| {
            let mut a = Vec::new();
            json.format(e, &mut a).unwrap();
            let p = crate::PatternFormatter::compile(&crate::config::PatternFormatterConfig {
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
    }

    #[test]
    fn a_reused_buffer_keeps_nothing_of_its_last_record() {
        fn capture(
            args: std::fmt::Arguments<'_>,
            target: &str,
            module: Option<&'static str>,
            text: String,
        ) -> OwnedRecord {
            let record = log::Record::builder()
                .args(args)
                .target(target)
                .module_path_static(module)
                .build();
            OwnedRecord::capture_in(&Entry::new(&record), text)
        }
        let render = |o: &OwnedRecord| {
            o.with_entry(|e| {
                (
                    e.record().target().to_owned(),
                    e.record().args().to_string(),
                )
            })
        };
        let filler = "x".repeat(200);
        let first = capture(
            format_args!("a long first message {filler}"),
            "a::long::first::target",
            None,
            String::new(),
        );
        let text = first.into_text();
        assert!(text.capacity() > 200);
        // A non-'static target goes into the buffer after the message ...
        let second = capture(format_args!("hi {}", 1), "t", None, text);
        assert_eq!(render(&second), ("t".to_owned(), "hi 1".to_owned()));
        // ... and the module path, when it is the target, stays out of it.
        let module: &'static str = "app::db";
        let third = capture(
            format_args!("plain"),
            module,
            Some(module),
            second.into_text(),
        );
        assert_eq!(render(&third), ("app::db".to_owned(), "plain".to_owned()));
        assert_eq!(third.into_text(), "plain");
    }
}
