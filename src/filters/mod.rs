//! Filters: conditions a record must meet to reach a logger's or a handler's
//! output.

mod dedup;
mod rate_limit;

use std::fmt;

#[cfg(feature = "regex")]
use regex::Regex;

use crate::config::{FilterConfig, Level};
use crate::entry::Entry;

pub use dedup::DedupFilter;
pub use rate_limit::RateLimitFilter;

/// Decides whether a record passes.
///
/// # For implementors
///
/// Both methods are called from many threads at once and must not block.
/// `enabled` is the cheap pre-check on level and target used by
/// `log::Log::enabled`; `true` means "maybe".
///
/// # Examples
///
/// ```
/// use logfig::{Entry, Filter};
///
/// #[derive(Debug)]
/// struct NoSecrets;
///
/// impl Filter for NoSecrets {
///     fn matches(&self, entry: &Entry<'_>) -> bool {
///         !entry.record().args().to_string().contains("password")
///     }
/// }
///
/// let record = log::Record::builder().args(format_args!("password=hunter2")).build();
/// assert!(!NoSecrets.matches(&Entry::new(&record)));
/// ```
pub trait Filter: fmt::Debug + Send + Sync + 'static {
    /// Cheap check on level and target. `true` means "maybe".
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        let _ = metadata;
        true
    }

    /// Final verdict: does the record pass?
    fn matches(&self, entry: &Entry<'_>) -> bool;

    /// The verdict, for filters that also produce records of their own (the
    /// `dedup` filter's "message repeated N more times"): such records are
    /// passed to `report`, which emits them to the same output ahead of
    /// `entry`. The runtime calls this; the default is [`matches`](Filter::matches).
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::{Entry, Filter};
    ///
    /// #[derive(Debug)]
    /// struct InfoAndAbove;
    ///
    /// impl Filter for InfoAndAbove {
    ///     fn matches(&self, entry: &Entry<'_>) -> bool {
    ///         entry.record().level() <= log::Level::Info
    ///     }
    /// }
    ///
    /// let record = log::Record::builder().level(log::Level::Debug).build();
    /// let mut reported = 0;
    /// assert!(!InfoAndAbove.check(&Entry::new(&record), &mut |_| reported += 1));
    /// assert_eq!(reported, 0);
    /// ```
    fn check(&self, entry: &Entry<'_>, report: &mut dyn FnMut(&Entry<'_>)) -> bool {
        let _ = report;
        self.matches(entry)
    }
}

impl<T: Filter> From<T> for Box<dyn Filter> {
    fn from(f: T) -> Self {
        Box::new(f)
    }
}

/// Passes records whose level lies within `min..=max` (`type: level`).
///
/// # Examples
///
/// ```
/// use logfig::{Entry, Filter};
/// use logfig::__internal::ThresholdFilter;
///
/// let below_warning = ThresholdFilter::new(None, Some(log::Level::Info));
/// let record = log::Record::builder().level(log::Level::Error).build();
/// assert!(!below_warning.matches(&Entry::new(&record)));
/// ```
#[derive(Debug, Clone)]
pub struct ThresholdFilter {
    // `log::Level` orders Error < Warn < Info < Debug < Trace (by verbosity).
    least_verbose: Option<log::Level>,
    most_verbose: Option<log::Level>,
}

impl ThresholdFilter {
    /// Passes records at least as severe as `min` and at most as severe as `max`.
    pub fn new(min: Option<log::Level>, max: Option<log::Level>) -> Self {
        ThresholdFilter {
            most_verbose: min,
            least_verbose: max,
        }
    }

    fn passes(&self, level: log::Level) -> bool {
        self.most_verbose.is_none_or(|min| level <= min)
            && self.least_verbose.is_none_or(|max| level >= max)
    }
}

impl Filter for ThresholdFilter {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        self.passes(metadata.level())
    }

    fn matches(&self, entry: &Entry<'_>) -> bool {
        self.passes(entry.record().level())
    }
}

/// Python's `logging.Filter(name)`: passes records of one logger and its
/// descendants (`type: name`). `a.b` and `a::b` are the same name.
///
/// # Examples
///
/// ```
/// use logfig::{Entry, Filter};
/// use logfig::__internal::TargetFilter;
///
/// let filter = TargetFilter::new("app.db");
/// let record = log::Record::builder().target("app::db::pool").build();
/// assert!(filter.matches(&Entry::new(&record)));
/// let record = log::Record::builder().target("app::dbx").build();
/// assert!(!filter.matches(&Entry::new(&record)));
/// ```
#[derive(Debug, Clone)]
pub struct TargetFilter {
    segments: Vec<String>,
}

impl TargetFilter {
    /// Passes the logger `name` and its descendants; `""` passes everything.
    pub fn new(name: &str) -> Self {
        TargetFilter {
            segments: crate::config::segments(name).map(str::to_owned).collect(),
        }
    }

    fn passes(&self, target: &str) -> bool {
        let mut it = crate::config::segments(target);
        self.segments.iter().all(|s| it.next() == Some(s.as_str()))
    }
}

impl Filter for TargetFilter {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        self.passes(metadata.target())
    }

    fn matches(&self, entry: &Entry<'_>) -> bool {
        self.passes(entry.record().target())
    }
}

/// Matches the message against a regular expression (`type: regex`).
///
/// # Examples
///
/// ```
/// use logfig::{Entry, Filter};
/// use logfig::__internal::RegexFilter;
///
/// let filter = RegexFilter::new("GET /health", false)?;
/// let record = log::Record::builder().args(format_args!("GET /health 200")).build();
/// assert!(!filter.matches(&Entry::new(&record)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Needs the `regex` feature: the `regex` crate's literal and DFA
/// optimisations keep this filter cheap per record (a backtracking engine
/// such as `regex-lite` costs about 80 times as much on a typical message).
#[cfg(feature = "regex")]
#[cfg_attr(docsrs, doc(cfg(feature = "regex")))]
#[derive(Debug, Clone)]
pub struct RegexFilter {
    regex: Regex,
    allow: bool,
}

/// Compiled-program size cap: a config cannot make logfig build a huge automaton.
#[cfg(feature = "regex")]
const REGEX_SIZE_LIMIT: usize = 1 << 20;

#[cfg(feature = "regex")]
impl RegexFilter {
    /// Passes matching records when `allow`, else drops them.
    ///
    /// # Errors
    ///
    /// When the pattern does not compile or is too large.
    pub fn new(pattern: &str, allow: bool) -> Result<Self, crate::error::Error> {
        let regex = compile_regex(pattern)
            .map_err(|e| crate::error::Error::new(crate::error::ErrorKind::Invalid, e))?;
        Ok(RegexFilter { regex, allow })
    }
}

#[cfg(feature = "regex")]
pub(crate) fn compile_regex(pattern: &str) -> Result<Regex, String> {
    regex::RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| match e {
            regex::Error::Syntax(s) => {
                // The regex crate's syntax errors are multi-line drawings; keep the
                // last line, which says what is wrong.
                let last = s.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
                format!(
                    "invalid regex `{pattern}`: {}",
                    last.trim_start_matches("error: ")
                )
            }
            regex::Error::CompiledTooBig(n) => {
                format!("regex `{pattern}` is too large (compiled size over {n} bytes)")
            }
            other => format!("invalid regex `{pattern}`: {other}"),
        })
}

#[cfg(feature = "regex")]
impl Filter for RegexFilter {
    fn matches(&self, entry: &Entry<'_>) -> bool {
        let args = entry.record().args();
        let found = match args.as_str() {
            Some(s) => self.regex.is_match(s),
            None => crate::formatters::with_scratch(|buf| {
                use std::io::Write;
                let _ = write!(buf, "{args}");
                self.regex.is_match(&String::from_utf8_lossy(buf))
            }),
        };
        found == self.allow
    }
}

/// Builds the runtime filter for a config (no I/O).
///
/// # Errors
///
/// [`ErrorKind::Invalid`](crate::error::ErrorKind::Invalid) when a `regex`
/// pattern does not compile, and
/// [`ErrorKind::FeatureDisabled`](crate::error::ErrorKind::FeatureDisabled)
/// for a `regex` filter in a build without the `regex` feature; the message
/// is about the `pattern` key.
pub(crate) fn build(config: &FilterConfig) -> Result<Box<dyn Filter>, crate::error::Error> {
    Ok(match config {
        FilterConfig::Level(c) => {
            Box::new(ThresholdFilter::new(level_bound(c.min), level_bound(c.max)))
        }
        FilterConfig::Name(c) => Box::new(TargetFilter::new(&c.name)),
        #[cfg(feature = "regex")]
        FilterConfig::Regex(c) => Box::new(RegexFilter::new(
            &c.pattern,
            c.action == crate::config::FilterAction::Allow,
        )?),
        #[cfg(not(feature = "regex"))]
        FilterConfig::Regex(_) => {
            return Err(crate::error::Error::new(
                crate::error::ErrorKind::FeatureDisabled,
                "filter type `regex` requires the `regex` feature of logfig",
            ));
        }
        FilterConfig::RateLimit(c) => Box::new(RateLimitFilter::new(
            c.rate,
            c.effective_burst(),
            level_bound(Some(c.level)).unwrap_or(log::Level::Trace),
        )),
        FilterConfig::Dedup(c) => Box::new(DedupFilter::new(c.repeats, c.window)),
    })
}

fn level_bound(level: Option<Level>) -> Option<log::Level> {
    level
        .and_then(Level::to_level_filter)
        .and_then(|f| f.to_level())
}

#[cfg(not(feature = "regex"))]
#[cfg(test)]
mod without_regex {
    use crate::{Config, Format};

    #[test]
    fn a_regex_filter_names_the_feature_it_needs() {
        let text = r#"{"version": 1,
            "filters": {"no_health": {"type": "regex", "pattern": "GET /health"}},
            "root": {"filters": ["no_health"]}}"#;
        let err = Config::from_str(text, Format::Json).unwrap_err();
        let d = &err.diagnostics()[0];
        assert_eq!(d.path(), "filters.no_health.pattern");
        assert_eq!(
            d.message(),
            "filter type `regex` requires the `regex` feature of logfig"
        );
        assert_eq!(d.kind(), crate::error::DiagnosticKind::MissingFeature);
        assert_eq!(d.line(), 2);
    }
}
