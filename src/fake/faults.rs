//! Fault injection: latency, error statuses, throttling and broken connections,
//! for testing how clients cope.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// One injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Answer with this status and a JSON description, without touching the account.
    Status(u16),
    /// Answer 429 with `Retry-After` in whole seconds.
    Throttle(u64),
    /// Carry the request out, then break the connection instead of answering.
    Drop,
}

#[derive(Debug, Default)]
struct Inner {
    latency: Duration,
    /// Faults for the next requests, in order, each with how many requests it still hits.
    queue: VecDeque<(Fault, u32)>,
    /// How many of the next queued operations end with a failure code.
    failing_operations: u32,
}

/// The fake's fault switches. Clones control the same server.
///
/// Faults apply to the next requests in the order they were added; latency applies
/// to every request until changed.
///
/// ```
/// # fn main() -> Result<(), tiktalik::Error> {
/// use std::time::Duration;
/// let fake = tiktalik::fake::FakeTiktalik::start()?;
/// fake.faults().fail_next(2, 503); // the next two requests get 503
/// fake.faults().throttle_next(1, Duration::from_secs(1)); // then one 429
/// fake.faults().set_latency(Duration::from_millis(5)); // every request waits 5 ms
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Faults(Arc<Mutex<Inner>>);

impl Faults {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, fault: Fault, n: u32) {
        if n > 0 {
            self.lock().queue.push_back((fault, n));
        }
    }

    /// Delays every answer by `latency` (real time). Zero turns it off.
    pub fn set_latency(&self, latency: Duration) {
        self.lock().latency = latency;
    }

    /// Answers the next `n` requests with `status` (e.g. 500, 502, 503) and a JSON
    /// description, before checking or carrying them out.
    pub fn fail_next(&self, n: u32, status: u16) {
        self.push(Fault::Status(status), n);
    }

    /// Answers the next `n` requests with 429 and `Retry-After` (whole seconds).
    pub fn throttle_next(&self, n: u32, retry_after: Duration) {
        self.push(Fault::Throttle(retry_after.as_secs()), n);
    }

    /// Carries out the next `n` requests but breaks the connection instead of
    /// answering, as when an answer is lost on the way: the client sees a transport
    /// error although the call took effect.
    pub fn drop_next(&self, n: u32) {
        self.push(Fault::Drop, n);
    }

    /// Makes the next `n` operations queued on instances (install, stop, start,
    /// backup, ...) end with failure code 1 and no effect.
    pub fn fail_next_operations(&self, n: u32) {
        self.lock().failing_operations += n;
    }

    /// Whether the operation being queued now is to fail.
    pub(crate) fn take_operation_failure(&self) -> bool {
        let mut inner = self.lock();
        let fail = inner.failing_operations > 0;
        inner.failing_operations = inner.failing_operations.saturating_sub(1);
        fail
    }

    /// Removes every pending fault and the latency.
    pub fn clear(&self) {
        *self.lock() = Inner::default();
    }

    /// The latency and the fault (if any) for the request arriving now.
    pub(crate) fn take(&self) -> (Duration, Option<Fault>) {
        let mut inner = self.lock();
        let fault = match inner.queue.front_mut() {
            Some((fault, left)) => {
                let fault = *fault;
                *left -= 1;
                if *left == 0 {
                    inner.queue.pop_front();
                }
                Some(fault)
            }
            None => None,
        };
        (inner.latency, fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_apply_in_order_then_stop() {
        let faults = Faults::default();
        faults.fail_next(2, 503);
        faults.throttle_next(1, Duration::from_secs(3));
        faults.drop_next(0);
        let seen: Vec<_> = (0..4).map(|_| faults.take().1).collect();
        assert_eq!(
            seen,
            [
                Some(Fault::Status(503)),
                Some(Fault::Status(503)),
                Some(Fault::Throttle(3)),
                None
            ]
        );
    }
}
