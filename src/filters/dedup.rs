//! [`DedupFilter`]: suppresses repeats of one message.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::entry::Entry;
use crate::filters::Filter;

/// Lets a message through `repeats` times within `window`, suppresses further
/// repeats, and reports them with one record, `message repeated N more times:
/// <message>`, at the message's level and logger, when the window has ended
/// or a different message arrives (`type: dedup`). A message is its logger,
/// level and text; key-values are not compared.
///
/// The report is made when the next record reaches the filter (no timer
/// thread): a run of repeats at the very end of a program is reported only if
/// another record follows.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use logfig::{Entry, Filter};
/// use logfig::__internal::DedupFilter;
///
/// let filter = DedupFilter::new(2, Duration::from_secs(60));
/// let same = log::Record::builder().args(format_args!("disk full")).build();
/// let passed = (0..5).filter(|_| filter.matches(&Entry::new(&same))).count();
/// assert_eq!(passed, 2);
/// let other = log::Record::builder().args(format_args!("disk ok")).build();
/// let mut reports = Vec::new();
/// assert!(filter.check(&Entry::new(&other), &mut |e| reports.push(e.record().args().to_string())));
/// assert_eq!(reports, ["message repeated 3 more times: disk full"]);
/// ```
#[derive(Debug)]
pub struct DedupFilter {
    repeats: u32,
    window: Duration,
    state: Mutex<Option<Run>>,
}

/// The message being counted.
#[derive(Debug)]
struct Run {
    target: String,
    level: log::Level,
    message: String,
    started: Instant,
    seen: u64,
}

impl Run {
    fn suppressed(&self, repeats: u32) -> u64 {
        self.seen.saturating_sub(u64::from(repeats))
    }
}

impl DedupFilter {
    /// Passes a message `repeats` times (at least 1) per `window`.
    pub fn new(repeats: u32, window: Duration) -> Self {
        DedupFilter {
            repeats: repeats.max(1),
            window,
            state: Mutex::new(None),
        }
    }

    fn decide(&self, entry: &Entry<'_>, now: Instant, report: &mut dyn FnMut(&Entry<'_>)) -> bool {
        let record = entry.record();
        let args = record.args();
        let text = match args.as_str() {
            Some(s) => std::borrow::Cow::Borrowed(s),
            None => std::borrow::Cow::Owned(args.to_string()),
        };
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let same = state.as_ref().is_some_and(|r| {
            r.level == record.level() && r.target == record.target() && r.message == text
        });
        let expired = state
            .as_ref()
            .is_some_and(|r| now.saturating_duration_since(r.started) >= self.window);
        if let Some(r) = state.as_mut().filter(|_| same && !expired) {
            r.seen += 1;
            return r.seen <= u64::from(self.repeats);
        }
        let finished = state.replace(Run {
            target: record.target().to_owned(),
            level: record.level(),
            message: text.into_owned(),
            started: now,
            seen: 1,
        });
        drop(state);
        if let Some(r) = finished {
            let n = r.suppressed(self.repeats);
            if n > 0 {
                let message = &r.message;
                let times = if n == 1 { "time" } else { "times" };
                summarise(
                    format_args!("message repeated {n} more {times}: {message}"),
                    &r,
                    report,
                );
            }
        }
        true
    }
}

fn summarise(args: std::fmt::Arguments<'_>, run: &Run, report: &mut dyn FnMut(&Entry<'_>)) {
    let summary = log::Record::builder()
        .args(args)
        .level(run.level)
        .target(&run.target)
        .build();
    report(&Entry::new(&summary));
}

impl Filter for DedupFilter {
    fn matches(&self, entry: &Entry<'_>) -> bool {
        self.decide(entry, Instant::now(), &mut |_| {})
    }

    fn check(&self, entry: &Entry<'_>, report: &mut dyn FnMut(&Entry<'_>)) -> bool {
        self.decide(entry, Instant::now(), report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_when_the_window_ends() {
        let f = DedupFilter::new(1, Duration::from_secs(10));
        let r = log::Record::builder().args(format_args!("same")).build();
        let t0 = Instant::now();
        let mut out = Vec::new();
        let pass = |t: Instant, out: &mut Vec<String>| {
            f.decide(&Entry::new(&r), t, &mut |e| {
                out.push(e.record().args().to_string())
            })
        };
        assert!(pass(t0, &mut out));
        assert!(!pass(t0 + Duration::from_secs(1), &mut out));
        assert!(!pass(t0 + Duration::from_secs(2), &mut out));
        // The window ended: the same message passes again, after the report.
        assert!(pass(t0 + Duration::from_secs(11), &mut out));
        assert_eq!(out, ["message repeated 2 more times: same"]);
    }
}
