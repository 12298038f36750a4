//! CPython's answer to a record that lacks an `extra=` field its format
//! names: `Handler.handleError` prints a `--- Logging error ---` report on
//! stderr and the record is not written. logfig does the same for a
//! formatter with `missing: logging_error` (every formatter of a Python
//! config), so a Python config gives exactly CPython's output.
//! [`logging_error`] writes the report itself, which the console handler
//! shares for a record CPython could not write (a Python config's `stream:`
//! given as a plain string).

use std::io::Write as _;

use super::number::write_py_repr;
use crate::entry::Entry;
use crate::error::{Error, ErrorKind};

/// The first of `required` that the record's key-values lack.
pub(super) fn first_missing<'r>(required: &'r [Box<str>], entry: &Entry<'_>) -> Option<&'r str> {
    let kvs = entry.record().key_values();
    required
        .iter()
        .find(|name| kvs.get(log::kv::Key::from_str(name)).is_none())
        .map(|name| &**name)
}

/// Writes CPython's report for a record that lacks the field `name` to
/// stderr, in one write, and returns the handler's error, marked reported.
///
/// CPython's first traceback ends in `KeyError: '<name>'`, which is kept.
pub(super) fn report(name: &str, entry: &Entry<'_>) -> Error {
    let mut exception = b"KeyError: ".to_vec();
    write_py_repr(&mut exception, name, false);
    logging_error(
        "formatting the record, with missing: logging_error",
        &exception,
        entry,
    );
    Error::new(
        ErrorKind::Handler,
        format!("the record has no `{name}` for the format (reported on stderr)"),
    )
    .reported()
}

/// Writes CPython's `--- Logging error ---` report (`Handler.handleError`)
/// for `entry` to stderr, in one write: the record failed with `exception`
/// (its last traceback line, `AttributeError: ...`) while logfig was
/// `doing` what the report's one frame line says.
///
/// The report has CPython's lines, but the traceback's frames: those name
/// CPython's own source, which a Rust process has not, so one line of
/// logfig's stands in for them. `Message:` is the `repr()` of the message;
/// `Arguments:` is `None`, as a Rust record has its arguments formatted
/// already.
pub(crate) fn logging_error(doing: &str, exception: &[u8], entry: &Entry<'_>) {
    let _ = std::io::stderr()
        .lock()
        .write_all(&report_text(doing, exception, entry));
}

/// The text of [`logging_error`].
fn report_text(doing: &str, exception: &[u8], entry: &Entry<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    out.extend_from_slice(
        b"--- Logging error ---\nTraceback (most recent call last):\n  (logfig: ",
    );
    out.extend_from_slice(doing.as_bytes());
    out.extend_from_slice(b")\n");
    out.extend_from_slice(exception);
    out.extend_from_slice(b"\nMessage: ");
    let message = entry.record().args().to_string();
    write_py_repr(&mut out, &message, false);
    out.extend_from_slice(b"\nArguments: None\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_has_cpythons_lines() {
        let record = log::Record::builder()
            .args(format_args!("it's done"))
            .build();
        let text = String::from_utf8(report_text(
            "formatting the record, with missing: logging_error",
            b"KeyError: 'request'",
            &Entry::new(&record),
        ))
        .unwrap();
        assert_eq!(
            text,
            "--- Logging error ---\nTraceback (most recent call last):\n  (logfig: formatting the record, with missing: logging_error)\nKeyError: 'request'\nMessage: \"it's done\"\nArguments: None\n"
        );
    }
}
