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

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> SystemTime {
        (**self).now()
    }

    fn sleep(&self, duration: Duration) {
        (**self).sleep(duration);
    }
}

/// A clock that moves only when told to: `sleep` advances it instead of waiting.
///
/// Clones share the same time, so a test can hand one clone to a
/// [`Connection`](crate::Connection) and keep another to move time forward.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use tiktalik::clock::{Clock, ManualClock};
///
/// let clock = ManualClock::new(UNIX_EPOCH);
/// let shared = clock.clone();
/// shared.sleep(Duration::from_secs(90)); // returns at once
/// assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_secs(90));
/// ```
#[derive(Debug, Clone)]
pub struct ManualClock(std::sync::Arc<std::sync::Mutex<SystemTime>>);

impl ManualClock {
    /// A clock stopped at `start`.
    #[must_use]
    pub fn new(start: SystemTime) -> Self {
        ManualClock(std::sync::Arc::new(std::sync::Mutex::new(start)))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        *self.lock() += by;
    }

    /// Sets the clock to `time` (backwards too).
    pub fn set(&self, time: SystemTime) {
        *self.lock() = time;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SystemTime> {
        // A panic elsewhere cannot leave a SystemTime half-written: keep going.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.lock()
    }

    fn sleep(&self, duration: Duration) {
        self.advance(duration);
    }
}
