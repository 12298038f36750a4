//! [`Clock`]: where time-based handlers read the time, so tests can set it.

use std::fmt;
use std::time::SystemTime;

/// A source of the current time for handlers that act on time (rotation).
///
/// The system clock is the default; tests pass their own to move time across
/// midnight or a daylight saving change without sleeping.
///
/// # Examples
///
/// ```
/// use std::sync::Mutex;
/// use std::time::{Duration, SystemTime};
/// use logfig::__internal::Clock;
///
/// #[derive(Debug)]
/// struct Manual(Mutex<SystemTime>);
///
/// impl Clock for Manual {
///     fn now(&self) -> SystemTime {
///         *self.0.lock().unwrap()
///     }
/// }
///
/// let clock = Manual(Mutex::new(SystemTime::UNIX_EPOCH));
/// *clock.0.lock().unwrap() += Duration::from_secs(86_400);
/// assert_eq!(clock.now(), SystemTime::UNIX_EPOCH + Duration::from_secs(86_400));
/// ```
pub trait Clock: fmt::Debug + Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system's real-time clock.
///
/// # Examples
///
/// ```
/// use logfig::__internal::{Clock, SystemClock};
///
/// assert!(SystemClock.now() > std::time::SystemTime::UNIX_EPOCH);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}
