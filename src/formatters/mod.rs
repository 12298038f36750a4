//! Formatters: how an [`Entry`] becomes text.
//!
//! Formats are parsed and compiled once, when the graph is built; `format` only
//! walks the compiled pieces and appends to the caller's buffer.

pub(crate) mod escape;
mod fraction;
pub(crate) use fraction::datefmt_warnings;
mod json;
mod pattern;
mod scratch;
mod time;

use std::fmt;

use crate::entry::Entry;
use crate::error::Error;

/// The largest width or precision a format placeholder (`%(name)-8s`,
/// `{created:.3f}`) or a `datefmt` directive (`%10Y`) may carry. A larger one is
/// a config error when the format is compiled, so no record can ask for a
/// terabyte of padding or trip `core::fmt`'s precision limit (65,535). 255 is
/// what jiff, which renders `datefmt`, takes: one bound for every format.
pub(crate) const MAX_SPEC_NUMBER: usize = 255;

/// The most placeholders one format, and the most directives one `datefmt`,
/// may hold: with [`MAX_SPEC_NUMBER`] this bounds the padding a record can
/// cost (Python's default format has three).
pub(crate) const MAX_PLACEHOLDERS: usize = 100;

pub use json::JsonFormatter;
#[cfg(any(feature = "http", feature = "otlp"))]
pub(crate) use json::write_json_str;
/// The record attributes, by name: the JSON formatter's `fields` in the schema.
#[cfg(feature = "schema")]
pub(crate) use pattern::Attr;
pub use pattern::PatternFormatter;
#[cfg(any(feature = "cli", feature = "otlp"))]
pub(crate) use pattern::level_name;
pub(crate) use pattern::logging_error;
pub(crate) use scratch::{format_line, with_scratch};

/// Renders one record as text.
///
/// # For implementors
///
/// `format` is called from many threads at once. Append exactly one record to
/// `out`, with no line terminator: the handler owns framing (newlines, syslog
/// headers, JSON batches).
///
/// # Examples
///
/// ```
/// use logfig::{Entry, Error, Formatter};
///
/// #[derive(Debug)]
/// struct Shout;
///
/// impl Formatter for Shout {
///     fn format(&self, entry: &Entry<'_>, out: &mut Vec<u8>) -> Result<(), Error> {
///         out.extend_from_slice(entry.record().args().to_string().to_uppercase().as_bytes());
///         Ok(())
///     }
/// }
///
/// let record = log::Record::builder().args(format_args!("hi")).build();
/// let mut out = Vec::new();
/// Shout.format(&Entry::new(&record), &mut out)?;
/// assert_eq!(out, b"HI");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Formatter: fmt::Debug + Send + Sync + 'static {
    /// Appends exactly one record to `out`, with no line terminator.
    fn format(&self, entry: &Entry<'_>, out: &mut Vec<u8>) -> Result<(), Error>;

    /// Whether every record this formatter writes is one JSON value on one
    /// line (no raw newline or carriage return), whatever the record holds.
    ///
    /// Outputs whose body must be JSON (the `http` handler's `json_lines`,
    /// `json_array` and `elasticsearch_bulk`) send such a record as it is and
    /// wrap any other as `{"message": "<text>"}`, so a body stays valid JSON
    /// whatever the formatter; line-framed outputs (`tcp`, `udp`) skip
    /// looking for line breaks to escape in it. Default: `false`;
    /// [`JsonFormatter`] says `true`.
    ///
    /// # For implementors
    ///
    /// Say `true` only if no record can make the output invalid JSON: escape
    /// every string, and write non-finite floats as something JSON allows.
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::{Formatter, JsonFormatter, PatternFormatter};
    ///
    /// let json = JsonFormatter::new(&Default::default())?;
    /// assert!(json.writes_json());
    /// assert!(!PatternFormatter::message_only().writes_json());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn writes_json(&self) -> bool {
        false
    }
}

impl<T: Formatter> From<T> for Box<dyn Formatter> {
    fn from(f: T) -> Self {
        Box::new(f)
    }
}
