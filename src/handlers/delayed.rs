//! `delay: true`: a file handler opened at its first record (Python's
//! `FileHandler(delay=True)`), so a handler that never gets a record leaves
//! no file.

use std::sync::{Mutex, OnceLock, PoisonError};

use super::{Handler, HandlerStats};
use crate::entry::Entry;
use crate::error::Error;
use crate::formatters::Formatter;

/// Opens the real handler.
type Open = Box<dyn Fn() -> Result<Box<dyn Handler>, Error> + Send + Sync>;

/// A handler opened at its first record.
///
/// After the first record, each record costs one atomic load more than the
/// handler itself. An open that fails fails that record (counted by the
/// runtime, reported to the error hook) and the next record tries again, as
/// CPython's handler does.
pub(crate) struct Delayed {
    what: String,
    open: Open,
    handler: OnceLock<Box<dyn Handler>>,
    /// Held while opening, so two threads do not both create the file.
    opening: Mutex<()>,
}

impl std::fmt::Debug for Delayed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delayed")
            .field("what", &self.what)
            .field("handler", &self.handler.get())
            .finish_non_exhaustive()
    }
}

impl Delayed {
    /// `what` names the output, for `Debug`; `open` makes the handler.
    pub(crate) fn new(
        what: String,
        open: impl Fn() -> Result<Box<dyn Handler>, Error> + Send + Sync + 'static,
    ) -> Self {
        Delayed {
            what,
            open: Box::new(open),
            handler: OnceLock::new(),
            opening: Mutex::new(()),
        }
    }

    fn handler(&self) -> Result<&dyn Handler, Error> {
        if let Some(h) = self.handler.get() {
            return Ok(&**h);
        }
        let _opening = self.opening.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(h) = self.handler.get() {
            return Ok(&**h);
        }
        let h = (self.open)()?;
        Ok(&**self.handler.get_or_init(|| h))
    }
}

impl Handler for Delayed {
    fn emit(&self, entry: &Entry<'_>, formatter: &dyn Formatter) -> Result<(), Error> {
        self.handler()?.emit(entry, formatter)
    }

    fn flush(&self) -> Result<(), Error> {
        self.handler.get().map_or(Ok(()), |h| h.flush())
    }

    fn reopen(&self) -> Result<(), Error> {
        self.handler.get().map_or(Ok(()), |h| h.reopen())
    }

    fn close(&self) -> Result<(), Error> {
        self.handler.get().map_or(Ok(()), |h| h.close())
    }

    fn stats(&self) -> HandlerStats {
        self.handler.get().map(|h| h.stats()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FileHandlerConfig;
    use crate::formatters::PatternFormatter;
    use crate::handlers::FileHandler;

    #[test]
    fn the_file_appears_with_the_first_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/app.log");
        let config = FileHandlerConfig::new(&path);
        let h = Delayed::new("app.log".into(), move || {
            Ok(Box::new(FileHandler::open(&config)?))
        });
        h.flush().unwrap();
        h.reopen().unwrap();
        assert!(!path.exists());
        let record = log::Record::builder().args(format_args!("first")).build();
        h.emit(&Entry::new(&record), &PatternFormatter::message_only())
            .unwrap();
        h.close().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "first\n");
    }

    #[test]
    fn a_failed_open_fails_the_record_and_the_next_one_retries() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("blocker");
        std::fs::write(&blocker, "a file where a directory must be").unwrap();
        let path = blocker.join("app.log");
        let config = FileHandlerConfig::new(&path);
        let h = Delayed::new("app.log".into(), move || {
            Ok(Box::new(FileHandler::open(&config)?))
        });
        let record = log::Record::builder().args(format_args!("x")).build();
        let f = PatternFormatter::message_only();
        assert!(h.emit(&Entry::new(&record), &f).is_err());
        std::fs::remove_file(&blocker).unwrap();
        h.emit(&Entry::new(&record), &f).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "x\n");
    }
}
