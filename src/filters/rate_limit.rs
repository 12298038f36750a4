//! [`RateLimitFilter`]: a token bucket.

use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use crate::entry::Entry;
use crate::filters::Filter;

/// Lets through at most `rate` records a second on average, in bursts of up to
/// `burst` (`type: rate_limit`, log4j2's BurstFilter). Records more severe
/// than `level` always pass and take no token.
///
/// The bucket is a tiny mutex around two numbers, taken only for records at or
/// below `level`; it is never held over anything but the arithmetic.
///
/// # Examples
///
/// ```
/// use logfig::{Entry, Filter, RateLimitFilter};
///
/// // One record a minute, bursts of 2, for WARNING and below.
/// let filter = RateLimitFilter::new(1.0 / 60.0, 2, log::Level::Warn);
/// let info = log::Record::builder().level(log::Level::Info).build();
/// let passed = (0..10).filter(|_| filter.matches(&Entry::new(&info))).count();
/// assert_eq!(passed, 2);
/// let error = log::Record::builder().level(log::Level::Error).build();
/// assert!(filter.matches(&Entry::new(&error)));
/// ```
#[derive(Debug)]
pub struct RateLimitFilter {
    rate: f64,
    burst: f64,
    /// The most severe level that is limited.
    level: log::Level,
    bucket: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl RateLimitFilter {
    /// `rate` tokens a second (above 0), a bucket of `burst` tokens (at least
    /// 1), limiting records at or below `level` in severity.
    pub fn new(rate: f64, burst: u32, level: log::Level) -> Self {
        let burst = f64::from(burst.max(1));
        RateLimitFilter {
            rate: if rate.is_finite() && rate > 0.0 {
                rate
            } else {
                f64::MIN_POSITIVE
            },
            burst,
            level,
            bucket: Mutex::new(Bucket {
                tokens: burst,
                last: Instant::now(),
            }),
        }
    }

    /// Takes a token at `now`, if one is left.
    fn take(&self, now: Instant) -> bool {
        let mut b = self.bucket.lock().unwrap_or_else(PoisonError::into_inner);
        let elapsed = now.saturating_duration_since(b.last).as_secs_f64();
        b.last = b.last.max(now);
        b.tokens = (b.tokens + elapsed * self.rate).min(self.burst);
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

impl Filter for RateLimitFilter {
    fn matches(&self, entry: &Entry<'_>) -> bool {
        // `log::Level` orders by verbosity: Error < Warn < ... < Trace.
        entry.record().level() < self.level || self.take(Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn refills_at_the_rate() {
        let f = RateLimitFilter::new(10.0, 5, log::Level::Warn);
        let t0 = Instant::now();
        assert_eq!((0..20).filter(|_| f.take(t0)).count(), 5);
        // 0.5 s later: 5 tokens again, not more (the bucket holds 5).
        let t1 = t0 + Duration::from_millis(500);
        assert_eq!((0..20).filter(|_| f.take(t1)).count(), 5);
        // 0.1 s later: 1 token.
        let t2 = t1 + Duration::from_millis(100);
        assert_eq!((0..20).filter(|_| f.take(t2)).count(), 1);
    }
}
