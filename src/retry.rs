//! When a failed call is tried again, and how long to wait first.
//!
//! Only GET requests are retried: they change nothing, so sending one twice is
//! harmless. POST, PUT and DELETE are never retried automatically, so a create can
//! never happen twice.

use std::hash::{BuildHasher as _, RandomState};
use std::time::{Duration, SystemTime};

/// How GET requests are retried on connection errors, timeouts, 5xx and 429.
///
/// The wait before retry `n` (1-based) is a random duration between half and all
/// of `min(max_delay, initial_delay * 2^(n-1))` ("equal jitter"), unless the
/// server sent `Retry-After`: then exactly that, if it is at most
/// `max_retry_after`; a longer `Retry-After` ends the retries at once.
///
/// ```
/// use std::time::Duration;
/// use tiktalik::{Connection, RetryPolicy};
///
/// let conn = Connection::builder("KEY", "ULQ/dVl0JWsrP/J1fEREIkn7DCE=")
///     .retry(RetryPolicy::default().max_attempts(5).initial_delay(Duration::from_millis(200)))
///     .build()?;
/// # Ok::<(), tiktalik::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_delay: Duration,
    max_delay: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// One attempt and no retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// How many times a GET is sent at most, the first time included (at least 1).
    /// Defaults to 4.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The base of the exponential backoff. Defaults to 500 ms.
    pub fn initial_delay(mut self, delay: Duration) -> Self {
        self.initial_delay = delay;
        self
    }

    /// The cap on one backoff wait. Defaults to 10 s.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The longest `Retry-After` honoured; a longer one ends the retries. Defaults to 60 s.
    pub fn max_retry_after(mut self, delay: Duration) -> Self {
        self.max_retry_after = delay;
        self
    }

    /// How many times a GET is sent at most.
    #[must_use]
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before the attempt after `attempt` (1-based), or `None` to stop.
    pub(crate) fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        if let Some(wait) = retry_after {
            return (wait <= self.max_retry_after).then_some(wait);
        }
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        let ceiling = self
            .initial_delay
            .saturating_mul(factor)
            .min(self.max_delay);
        let half = ceiling / 2;
        let jitter = RandomState::new().hash_one(attempt) % (half.as_nanos().max(1) as u64);
        Some(half + Duration::from_nanos(jitter))
    }
}

/// Reads a `Retry-After` header: whole seconds, or an HTTP date measured from `now`.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let policy = RetryPolicy::default()
            .max_attempts(10)
            .initial_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(700));
        for (attempt, ceiling_ms) in [(1, 100), (2, 200), (3, 400), (4, 700), (9, 700)] {
            for _ in 0..50 {
                let d = policy.delay(attempt, None).unwrap();
                let ceiling = Duration::from_millis(ceiling_ms);
                assert!(d >= ceiling / 2 && d <= ceiling, "attempt {attempt}: {d:?}");
            }
        }
        assert_eq!(policy.delay(10, None), None);
        let spread: std::collections::HashSet<_> =
            (0..20).map(|_| policy.delay(3, None).unwrap()).collect();
        assert!(spread.len() > 1, "jitter should vary the wait");
    }

    #[test]
    fn retry_after_is_honoured_within_its_cap() {
        let policy = RetryPolicy::default().max_retry_after(Duration::from_secs(30));
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(7))),
            Some(Duration::from_secs(7))
        );
        assert_eq!(policy.delay(1, Some(Duration::from_secs(31))), None);
        assert_eq!(RetryPolicy::none().delay(1, Some(Duration::ZERO)), None);
        assert_eq!(RetryPolicy::none().max_attempts(0).attempts(), 1);
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = httpdate::parse_http_date("Thu, 03 Dec 2026 09:15:42 GMT").unwrap();
        assert_eq!(
            parse_retry_after(" 12 ", now),
            Some(Duration::from_secs(12))
        );
        assert_eq!(
            parse_retry_after("Thu, 03 Dec 2026 09:16:02 GMT", now),
            Some(Duration::from_secs(20))
        );
        assert_eq!(
            parse_retry_after("Thu, 03 Dec 2026 09:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
