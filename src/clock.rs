//! Time as the crate sees it: the `Date` header of every request, and (later) the
//! pauses between polls and retries.
//!
//! Everything that reads the time or sleeps goes through a [`Clock`], so tests can
//! fix the date (to reproduce a signature) or advance time without sleeping.

use std::time::{Duration, SystemTime};

/// A source of the current time and a way to wait.
///
/// The default is [`SystemClock`]. Install another with
/// [`ConnectionBuilder::clock`](crate::ConnectionBuilder::clock).
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use tiktalik::clock::Clock;
///
/// /// Always the same instant: every request carries the same `Date`.
/// struct Frozen(SystemTime);
///
/// impl Clock for Frozen {
///     fn now(&self) -> SystemTime {
///         self.0
///     }
///     fn sleep(&self, _: Duration) {}
/// }
/// ```
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> SystemTime;
    /// Waits for `duration` (a test clock may advance itself instead).
    fn sleep(&self, duration: Duration);
}

/// The operating system's clock and `std::thread::sleep`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}
