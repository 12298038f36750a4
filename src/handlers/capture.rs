//! [`CaptureHandler`]: keeps rendered lines in memory, for tests.

use std::sync::{Arc, Mutex, PoisonError};

use crate::entry::Entry;
use crate::error::Error;
use crate::formatters::Formatter;
use crate::handlers::Handler;

/// Keeps every rendered line in memory. Clones share the same lines, so a test
/// can keep one clone and hand the other to the graph.
///
/// # Examples
///
/// ```
/// use logfig::{CaptureHandler, Entry, Handler, PatternFormatter};
///
/// let capture = CaptureHandler::new();
/// let record = log::Record::builder().args(format_args!("hello")).build();
/// capture.emit(&Entry::new(&record), &PatternFormatter::message_only())?;
/// assert_eq!(capture.lines(), ["hello"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct CaptureHandler {
    lines: Arc<Mutex<Vec<String>>>,
}

impl CaptureHandler {
    /// An empty capture.
    pub fn new() -> Self {
        Self::default()
    }

    /// The lines captured so far, oldest first.
    pub fn lines(&self) -> Vec<String> {
        self.lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Removes and returns the lines captured so far.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.lines.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Handler for CaptureHandler {
    fn emit(&self, entry: &Entry<'_>, formatter: &dyn Formatter) -> Result<(), Error> {
        let mut buf = Vec::new();
        formatter.format(entry, &mut buf)?;
        let line = String::from_utf8_lossy(&buf).into_owned();
        self.lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(line);
        Ok(())
    }
}
