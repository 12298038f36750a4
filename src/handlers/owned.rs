//! Owned copies of records, for handlers that keep records past `emit`
//! (`queue`, `memory`), and the targets such handlers write to.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::SystemTime;

use crate::{Entry, Error, ErrorKind, Filter, Formatter, Handler};

/// A key-value with its type kept, so a formatter renders a queued record as
/// it would have rendered the original (numbers stay numbers in JSON).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum OwnedValue {
    Null,
    Bool(bool),
    Char(char),
    I64(i64),
    U64(u64),
    I128(i128),
    U128(u128),
    F64(f64),
    Str(Box<str>),
}

impl OwnedValue {
    fn capture(value: &log::kv::Value<'_>) -> OwnedValue {
        struct Capture(Option<OwnedValue>);
        impl<'v> log::kv::VisitValue<'v> for Capture {
            fn visit_any(&mut self, value: log::kv::Value<'_>) -> Result<(), log::kv::Error> {
                self.0 = Some(OwnedValue::Str(value.to_string().into_boxed_str()));
                Ok(())
            }
            fn visit_null(&mut self) -> Result<(), log::kv::Error> {
                self.0 = Some(OwnedValue::Null);
                Ok(())
            }
            fn visit_u64(&mut self, v: u64) -> Result<(), log::kv::Error> {
                self.0 = Some(OwnedValue::U64(v));
                Ok(())
            }
            fn visit_i64(&mut self, v: i64) -> Result<(), log::kv::Error> {
                self.0 = Some(OwnedValue::I64(v));
                Ok(())
            }
            fn visit_u128(&mut self, v: u128) -> Result<(), log::kv::Error> {
                self.0 = Some(OwnedValue::U128(v));
                Ok(())
            }
            fn visit_i128(&mut self, v: i128) -> Result<(), log::kv::Error> {
                self.0 = Some(OwnedValue::I128(v));
                Ok(())
            }
            fn visit_f64(&mut self, v: f64) -> Result<(), log::kv::Error> {
                self.0 = Some(OwnedValue::F64(v));
                Ok(())
            }
            fn visit_bool(&mut self, v: bool) -> Result<(), log::kv::Error> {
                self.0 = Some(OwnedValue::Bool(v));
                Ok(())
            }
            fn visit_str(&mut self, v: &str) -> Result<(), log::kv::Error> {
                self.0 = Some(OwnedValue::Str(v.into()));
                Ok(())
            }
            fn visit_char(&mut self, v: char) -> Result<(), log::kv::Error> {
                self.0 = Some(OwnedValue::Char(v));
                Ok(())
            }
        }
        let mut c = Capture(None);
        let _ = value.visit(&mut c);
        c.0.unwrap_or_else(|| OwnedValue::Str(value.to_string().into_boxed_str()))
    }

    fn to_value(&self) -> log::kv::Value<'_> {
        use log::kv::Value;
        match self {
            OwnedValue::Null => Value::null(),
            OwnedValue::Bool(v) => Value::from(*v),
            OwnedValue::Char(v) => Value::from(*v),
            OwnedValue::I64(v) => Value::from(*v),
            OwnedValue::U64(v) => Value::from(*v),
            OwnedValue::I128(v) => Value::from(*v),
            OwnedValue::U128(v) => Value::from(*v),
            OwnedValue::F64(v) => Value::from(*v),
            OwnedValue::Str(v) => Value::from(&**v),
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
    target: Box<str>,
    message: Box<str>,
    module_path: Option<Box<str>>,
    file: Option<Box<str>>,
    line: Option<u32>,
    kvs: Vec<(Box<str>, OwnedValue)>,
    time: SystemTime,
    thread_id: u64,
    thread_name: Option<Box<str>>,
    pid: u32,
}

impl OwnedRecord {
    /// Copies `entry`.
    pub(crate) fn capture(entry: &Entry<'_>) -> OwnedRecord {
        let record = entry.record();
        let args = record.args();
        let message = match args.as_str() {
            Some(s) => s.into(),
            None => args.to_string().into_boxed_str(),
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
            target: record.target().into(),
            message,
            module_path: record.module_path().map(Into::into),
            file: record.file().map(Into::into),
            line: record.line(),
            kvs,
            time: entry.time(),
            thread_id: entry.thread_id(),
            thread_name: entry.thread_name().map(Into::into),
            pid: entry.process_id(),
        }
    }

    /// A record made by logfig itself (such as "N records dropped"), logged now
    /// on the current thread.
    pub(crate) fn internal(level: log::Level, target: &str, message: String) -> OwnedRecord {
        OwnedRecord {
            level,
            target: target.into(),
            message: message.into_boxed_str(),
            module_path: None,
            file: None,
            line: None,
            kvs: Vec::new(),
            time: SystemTime::now(),
            thread_id: crate::entry::current_thread_id(),
            thread_name: std::thread::current().name().map(Into::into),
            pid: crate::entry::process_id(),
        }
    }

    /// Runs `f` with an [`Entry`] that reads exactly like the original.
    pub(crate) fn with_entry<R>(&self, f: impl FnOnce(&Entry<'_>) -> R) -> R {
        let message: &str = &self.message;
        self.with_args(format_args!("{message}"), f)
    }

    fn with_args<R>(&self, args: std::fmt::Arguments<'_>, f: impl FnOnce(&Entry<'_>) -> R) -> R {
        let kvs = OwnedKvs(&self.kvs);
        let record = log::Record::builder()
            .args(args)
            .level(self.level)
            .target(&self.target)
            .module_path(self.module_path.as_deref())
            .file(self.file.as_deref())
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
}
