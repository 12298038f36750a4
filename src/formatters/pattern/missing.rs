//! CPython's answer to a record that lacks an `extra=` field its format
//! names: `Handler.handleError` prints a `--- Logging error ---` report on
//! stderr and the record is not written. logfig does the same for a
//! formatter with `missing: logging_error` (every formatter of a Python
//! config), so a Python config gives exactly CPython's output.

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
/// The report has CPython's lines, but the traceback's: CPython's first
/// traceback ends in `KeyError: '<name>'`, which is kept; its frames name
/// CPython's own source, which a Rust process has not. `Message:` is the
/// `repr()` of the message; `Arguments:` is `None`, as a Rust record has its
/// arguments formatted already.
pub(super) fn report(name: &str, entry: &Entry<'_>) -> Error {
    let _ = std::io::stderr()
        .lock()
        .write_all(&report_text(name, entry));
    Error::new(
        ErrorKind::Handler,
        format!("the record has no `{name}` for the format (reported on stderr)"),
    )
    .reported()
}

/// The text of [`report`].
fn report_text(name: &str, entry: &Entry<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    out.extend_from_slice(b"--- Logging error ---\nTraceback (most recent call last):\n");
    out.extend_from_slice(
        b"  (logfig: formatting the record, with missing: logging_error)\nKeyError: ",
    );
    write_py_repr(&mut out, name, false);
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
        let text = String::from_utf8(report_text("request", &Entry::new(&record))).unwrap();
        assert_eq!(
            text,
            "--- Logging error ---\nTraceback (most recent call last):\n  (logfig: formatting the record, with missing: logging_error)\nKeyError: 'request'\nMessage: \"it's done\"\nArguments: None\n"
        );
    }
}
