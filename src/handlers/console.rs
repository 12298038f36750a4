//! [`ConsoleHandler`]: stdout or stderr, coloured by level.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};

use anstyle::{AnsiColor, Effects, Style};

use crate::config::{ColorMode, Stream};
use crate::entry::Entry;
use crate::error::Error;
use crate::error::ErrorKind;
use crate::formatters::Formatter;
use crate::handlers::{Handler, HandlerStats};

/// Writes each record as one line to stdout or stderr (`type: console`).
///
/// Colour is decided once, when the handler is built: `always`, `never`, or
/// `auto` (colour on a terminal, none when `NO_COLOR` is set, always when
/// `CLICOLOR_FORCE` is set). Errors are red, warnings yellow, debug and trace
/// dimmed; the line is written with one `write` call.
///
/// Statistics: `emitted`, and `failed` (counted by the runtime: records
/// whose write failed).
///
/// # Examples
///
/// ```
/// use logfig::__internal::ConsoleHandler;
/// use logfig::config::{ColorMode, Stream};
///
/// let handler = ConsoleHandler::new(Stream::Stderr, ColorMode::Never);
/// assert!(!handler.colored());
/// ```
#[derive(Debug)]
pub struct ConsoleHandler {
    stream: Stream,
    colored: bool,
    /// Write through `print!`/`eprint!`, which libtest captures.
    capture: bool,
    /// What `color: auto` gave, for `captured(false)`.
    auto: Option<bool>,
    /// Records written.
    emitted: AtomicU64,
}

impl ConsoleHandler {
    /// A handler for `stream` with the given colour mode.
    pub fn new(stream: Stream, color: ColorMode) -> Self {
        let is_tty = match stream {
            Stream::Stdout => std::io::stdout().is_terminal(),
            Stream::Stderr => std::io::stderr().is_terminal(),
            Stream::PythonString => false,
        };
        let auto = (color == ColorMode::Auto).then(|| auto_color(is_tty, |k| std::env::var_os(k)));
        let colored = auto.unwrap_or(color == ColorMode::Always);
        ConsoleHandler {
            stream,
            colored,
            capture: false,
            auto,
            emitted: AtomicU64::new(0),
        }
    }

    /// Writes through Rust's `print!`/`eprint!` (`capture: true`): in
    /// `cargo test`, libtest captures those per test, so a passing test's
    /// lines stay out of the report and a failing test's are shown with it.
    /// Only what the test's own thread logs is captured (libtest's rule).
    /// `color: auto` gives no colour here: the lines end up in a report,
    /// not on a terminal.
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::__internal::ConsoleHandler;
    /// use logfig::config::{ColorMode, Stream};
    ///
    /// let handler = ConsoleHandler::new(Stream::Stderr, ColorMode::Auto).captured(true);
    /// assert!(handler.is_captured());
    /// assert!(!handler.colored());
    /// ```
    pub fn captured(mut self, capture: bool) -> Self {
        self.capture = capture;
        if let Some(auto) = self.auto {
            self.colored = auto && !capture;
        }
        self
    }

    /// Whether lines go through `print!`/`eprint!`; see [`captured`](Self::captured).
    pub fn is_captured(&self) -> bool {
        self.capture
    }

    /// Whether lines get colour.
    pub fn colored(&self) -> bool {
        self.colored
    }
}

/// `NO_COLOR` (non-empty) wins, then `CLICOLOR_FORCE` (non-empty, not `0`), then
/// the terminal check (<https://no-color.org>, <https://bixense.com/clicolors/>).
fn auto_color(is_tty: bool, var: impl Fn(&str) -> Option<std::ffi::OsString>) -> bool {
    let set = |k: &str| var(k).is_some_and(|v| !v.is_empty() && v != "0");
    if var("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    if set("CLICOLOR_FORCE") {
        return true;
    }
    is_tty && var("TERM").is_none_or(|t| t != "dumb")
}

/// Writes `bytes` with `print!`/`eprint!`, the path libtest captures (the
/// raw handles bypass it). Those macros panic when the real stream fails; the
/// runtime catches a handler's panic and reports it, as for any handler.
#[allow(clippy::print_stdout, clippy::print_stderr)] // reason: the capture path is the point
fn print_captured(stream: Stream, bytes: &[u8]) -> std::io::Result<()> {
    let text = String::from_utf8_lossy(bytes);
    match stream {
        Stream::Stdout => print!("{text}"),
        Stream::Stderr => eprint!("{text}"),
        Stream::PythonString => {}
    }
    Ok(())
}

fn style(level: log::Level) -> Style {
    match level {
        log::Level::Error => Style::new()
            .fg_color(Some(AnsiColor::Red.into()))
            .effects(Effects::BOLD),
        log::Level::Warn => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
        log::Level::Info => Style::new(),
        log::Level::Debug | log::Level::Trace => Style::new().effects(Effects::DIMMED),
    }
}

/// A record reaching a handler whose stream is a Python `str`: CPython
/// formats it (so a missing `extra=` field is reported first, as there),
/// then `stream.write` fails and `handleError` reports it on stderr.
fn python_string(entry: &Entry<'_>) -> Error {
    crate::formatters::logging_error(
        "writing the record to `stream:`, a plain string, not a stream",
        b"AttributeError: 'str' object has no attribute 'write'",
        entry,
    );
    Error::new(
        ErrorKind::Handler,
        "the handler's `stream:` is a plain string, not a stream (reported on stderr); write `ext://sys.stdout` or `ext://sys.stderr`",
    )
    .reported()
}

impl Handler for ConsoleHandler {
    fn emit(&self, entry: &Entry<'_>, formatter: &dyn Formatter) -> Result<(), Error> {
        let write = |bytes: &[u8]| -> std::io::Result<()> {
            if self.capture {
                return print_captured(self.stream, bytes);
            }
            match self.stream {
                Stream::Stdout => {
                    let mut out = std::io::stdout().lock();
                    out.write_all(bytes)?;
                    out.flush()
                }
                Stream::Stderr => std::io::stderr().lock().write_all(bytes),
                // Handled below, once the record is formatted.
                Stream::PythonString => Ok(()),
            }
        };
        let style = if self.colored {
            style(entry.record().level())
        } else {
            Style::new()
        };
        crate::formatters::with_scratch(|buf| {
            use std::io::Write as _;
            if style != Style::new() {
                let _ = write!(buf, "{}", style.render());
            }
            formatter.format(entry, buf)?;
            if matches!(self.stream, Stream::PythonString) {
                return Err(python_string(entry));
            }
            if style != Style::new() {
                let _ = write!(buf, "{}", style.render_reset());
            }
            buf.push(b'\n');
            write(buf).map_err(|e| {
                Error::new(
                    ErrorKind::Handler,
                    format!("writing to {:?}: {e}", self.stream),
                )
            })
        })?;
        self.emitted.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn stats(&self) -> HandlerStats {
        HandlerStats {
            emitted: self.emitted.load(Ordering::Relaxed),
            ..HandlerStats::default()
        }
    }

    fn flush(&self) -> Result<(), Error> {
        let r = match self.stream {
            Stream::Stdout => std::io::stdout().flush(),
            Stream::Stderr => std::io::stderr().flush(),
            // CPython flushes a stream only if it has `flush`; a `str` has not.
            Stream::PythonString => Ok(()),
        };
        r.map_err(|e| Error::io("flushing the console", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn a_python_string_stream_fails_every_record_after_formatting_it() {
        use crate::config::{FormatStyle, MissingField, PatternFormatterConfig};
        use crate::formatters::PatternFormatter;
        let handler = ConsoleHandler::new(Stream::PythonString, ColorMode::Auto);
        assert!(!handler.colored());
        let record = log::Record::builder().args(format_args!("hi")).build();
        let e = handler
            .emit(&Entry::new(&record), &PatternFormatter::message_only())
            .unwrap_err();
        assert!(e.is_reported(), "{e}");
        assert!(e.to_string().contains("plain string"), "{e}");
        // CPython formats first: a missing `extra=` field is what fails.
        let cfg = PatternFormatterConfig {
            format: Some("%(request)s %(message)s".into()),
            style: FormatStyle::Percent,
            missing: MissingField::LoggingError,
            ..PatternFormatterConfig::default()
        };
        let f = PatternFormatter::new(&cfg).unwrap();
        let e = handler.emit(&Entry::new(&record), &f).unwrap_err();
        assert!(e.to_string().contains("no `request`"), "{e}");
        assert!(handler.flush().is_ok());
    }

    #[test]
    fn color_rules() {
        assert!(auto_color(true, env(&[])));
        assert!(!auto_color(false, env(&[])));
        assert!(!auto_color(true, env(&[("NO_COLOR", "1")])));
        assert!(auto_color(false, env(&[("CLICOLOR_FORCE", "1")])));
        assert!(!auto_color(false, env(&[("CLICOLOR_FORCE", "0")])));
        assert!(!auto_color(
            true,
            env(&[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")])
        ));
        assert!(!auto_color(true, env(&[("TERM", "dumb")])));
    }
}
