//! Waiting for long operations: until an instance runs, is stopped, has no
//! pending operations, or is gone; and restarting.
//!
//! A wait polls the instance (with its operations) every poll interval until the
//! goal is reached, the timeout runs out, the instance vanishes, or one of its
//! operations ends with a failure code. It sleeps on the connection's
//! [`Clock`](crate::clock::Clock), so against a fake with a manual clock it
//! finishes at once.
//!
//! ```no_run
//! use std::time::Duration;
//! use tiktalik::{Connection, Size, Waiter};
//!
//! # fn main() -> Result<(), tiktalik::Error> {
//! let conn = Connection::from_env()?;
//! let web = conn.create_instance("web-123", Size::units(4)?, "bb3fcb4e-d4fe-4f86-9bae-e0b7b501a934", &["auto"])?;
//! let web = Waiter::new()
//!     .timeout(Duration::from_secs(15 * 60))
//!     .on_progress(|p| println!("{p}"))
//!     .until_running(&conn, &web.uuid)?;
//! println!("{} runs at {}", web.hostname, web.interfaces[0].ip);
//! # Ok(()) }
//! ```

use std::collections::HashSet;
use std::fmt;
use std::time::Duration;

use crate::computing::{Details, Instance, InstanceState};
use crate::{Connection, Error};

/// How long a wait lasts by default: real installs take minutes.
pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(20 * 60);

/// How often a wait polls by default.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(5);

/// What a wait is waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Goal {
    /// Installed and running: state 12 and `running`.
    Running,
    /// Stopped: state 11 and not `running`.
    Stopped,
    /// No operation in progress: `actions_pending_count` is 0.
    Idle,
    /// Deleted: the instance answers 404.
    Gone,
}

impl Goal {
    fn reached(self, instance: &Instance) -> bool {
        match self {
            Goal::Running => instance.is_running(),
            Goal::Stopped => instance.state == Some(InstanceState::Stopped) && !instance.running,
            Goal::Idle => instance.actions_pending_count == 0,
            Goal::Gone => false,
        }
    }
}

impl fmt::Display for Goal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Goal::Running => "running",
            Goal::Stopped => "stopped",
            Goal::Idle => "idle",
            Goal::Gone => "gone",
        })
    }
}

/// What one poll saw; passed to the progress callback and kept in errors.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// The instance's state code.
    pub state: Option<InstanceState>,
    /// Whether it was running.
    pub running: bool,
    /// How many operations were pending.
    pub pending_operations: u32,
    /// The operation in progress, if any, e.g. `Create_Install: web-123`.
    pub operation: Option<String>,
    /// Its progress in percent.
    pub percent: Option<u32>,
    /// Time since the wait began, on the connection's clock.
    pub elapsed: Duration,
}

impl Progress {
    fn of(instance: &Instance, elapsed: Duration) -> Self {
        let current = instance
            .actions
            .iter()
            .flatten()
            .filter(|op| !op.is_finished())
            .min_by(|a, b| a.start_time.is_none().cmp(&b.start_time.is_none()));
        Progress {
            state: instance.state,
            running: instance.running,
            pending_operations: instance.actions_pending_count,
            operation: current.map(|op| op.description.clone()),
            percent: current.map(|op| op.progress),
            elapsed,
        }
    }
}

impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.state {
            Some(state) => write!(f, "{state}")?,
            None => f.write_str("no state")?,
        }
        f.write_str(if self.running {
            ", power on"
        } else {
            ", power off"
        })?;
        if let (Some(op), Some(percent)) = (&self.operation, self.percent) {
            write!(f, ", {op} {percent}%")?;
        }
        write!(f, " after {} s", self.elapsed.as_secs())
    }
}

/// Why a wait failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitFailure {
    /// The timeout ran out first.
    TimedOut,
    /// The instance was deleted (404) while waiting for it to run, stop or settle.
    Vanished,
    /// An operation ended with a failure code.
    OperationFailed {
        /// The operation, e.g. `Create_Install: web-123`.
        operation: String,
        /// Its end code (0 is success).
        end_code: i64,
        /// Its end description.
        end_desc: String,
    },
}

/// A failed wait: which instance, for what, why, and what was seen last.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WaitError {
    /// The instance waited for.
    pub uuid: String,
    /// What was waited for.
    pub goal: Goal,
    /// Why the wait ended.
    pub reason: WaitFailure,
    /// The last poll's view of the instance, if any poll succeeded.
    pub last_seen: Option<Progress>,
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "waiting for instance {} to be {}: ",
            self.uuid, self.goal
        )?;
        match &self.reason {
            WaitFailure::TimedOut => f.write_str("timed out")?,
            WaitFailure::Vanished => f.write_str("the instance no longer exists")?,
            WaitFailure::OperationFailed {
                operation,
                end_code,
                end_desc,
            } => write!(f, "{operation} failed with code {end_code}: {end_desc}")?,
        }
        if let Some(last) = &self.last_seen {
            write!(f, " (last seen: {last})")?;
        }
        Ok(())
    }
}

type ProgressCallback<'f> = Box<dyn FnMut(&Progress) + 'f>;

/// Settings for waits: timeout, poll interval and a progress callback.
///
/// One `Waiter` can serve many waits. [`Connection::wait_until_running`] and its
/// siblings use the defaults.
#[must_use]
pub struct Waiter<'f> {
    timeout: Duration,
    poll_interval: Duration,
    on_progress: Option<ProgressCallback<'f>>,
}

impl Default for Waiter<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Waiter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Waiter")
            .field("timeout", &self.timeout)
            .field("poll_interval", &self.poll_interval)
            .field("on_progress", &self.on_progress.is_some())
            .finish()
    }
}

impl<'f> Waiter<'f> {
    /// A waiter with the default timeout (20 minutes) and poll interval (5 s).
    pub fn new() -> Self {
        Waiter {
            timeout: DEFAULT_WAIT_TIMEOUT,
            poll_interval: DEFAULT_POLL_INTERVAL,
            on_progress: None,
        }
    }

    /// How long to wait at most. Defaults to 20 minutes.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long to sleep between polls. Defaults to 5 s.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// Called after every poll with what it saw. Defaults to none.
    pub fn on_progress(mut self, callback: impl FnMut(&Progress) + 'f) -> Self {
        self.on_progress = Some(Box::new(callback));
        self
    }

    /// Waits until the instance is installed and running (state 12 and `running`).
    ///
    /// # Errors
    /// [`Error::Wait`] when it times out, the instance vanishes or an operation
    /// fails; any error of [`Connection::get_instance`].
    pub fn until_running(&mut self, conn: &Connection, uuid: &str) -> Result<Instance, Error> {
        self.run(conn, uuid, Goal::Running).map(reached)
    }

    /// Waits until the instance is stopped (state 11, not `running`).
    ///
    /// # Errors
    /// As [`until_running`](Self::until_running).
    pub fn until_stopped(&mut self, conn: &Connection, uuid: &str) -> Result<Instance, Error> {
        self.run(conn, uuid, Goal::Stopped).map(reached)
    }

    /// Waits until the instance has no pending operations.
    ///
    /// # Errors
    /// As [`until_running`](Self::until_running).
    pub fn until_idle(&mut self, conn: &Connection, uuid: &str) -> Result<Instance, Error> {
        self.run(conn, uuid, Goal::Idle).map(reached)
    }

    /// Waits until the instance is gone (answers 404), as after a delete.
    ///
    /// # Errors
    /// [`Error::Wait`] when it times out; any error of [`Connection::get_instance`].
    pub fn until_gone(&mut self, conn: &Connection, uuid: &str) -> Result<(), Error> {
        self.run(conn, uuid, Goal::Gone).map(drop)
    }

    /// Stops the instance, waits until it is stopped, starts it and, when
    /// `wait_until_running`, waits until it runs again. Returns the instance as
    /// last seen.
    ///
    /// # Errors
    /// Any error of the stop, start or waits.
    pub fn restart(
        &mut self,
        conn: &Connection,
        uuid: &str,
        wait_until_running: bool,
    ) -> Result<Instance, Error> {
        conn.stop_instance(uuid)?;
        self.until_stopped(conn, uuid)?;
        conn.start_instance(uuid)?;
        if wait_until_running {
            self.until_running(conn, uuid)
        } else {
            conn.get_instance(uuid, Details::none())
        }
    }

    /// Polls until `goal`; `None` when the goal was [`Goal::Gone`].
    fn run(
        &mut self,
        conn: &Connection,
        uuid: &str,
        goal: Goal,
    ) -> Result<Option<Instance>, Error> {
        let clock = conn.clock();
        let started = clock.now();
        let elapsed = || clock.now().duration_since(started).unwrap_or_default();
        let details = Details {
            actions: true,
            ..Details::none()
        };
        let fail = |reason, last_seen| {
            Error::Wait(Box::new(WaitError {
                uuid: uuid.to_owned(),
                goal,
                reason,
                last_seen,
            }))
        };
        // Operations that had ended before the wait began are history, not news.
        let mut settled: Option<HashSet<String>> = None;
        let mut last_seen = None;
        loop {
            match conn.get_instance(uuid, details) {
                Err(e) if e.is_not_found() => {
                    return if goal == Goal::Gone {
                        Ok(None)
                    } else {
                        Err(fail(WaitFailure::Vanished, last_seen))
                    };
                }
                Err(e) => return Err(e),
                Ok(instance) => {
                    let progress = Progress::of(&instance, elapsed());
                    if let Some(callback) = &mut self.on_progress {
                        callback(&progress);
                    }
                    let ops = instance.actions.iter().flatten();
                    let failed = match &mut settled {
                        None => {
                            settled = Some(
                                ops.filter(|op| op.is_finished())
                                    .map(|op| op.uuid.clone())
                                    .collect(),
                            );
                            None
                        }
                        Some(seen) => ops
                            .filter(|op| op.is_finished() && seen.insert(op.uuid.clone()))
                            .find(|op| op.end_code.is_some_and(|code| code != 0))
                            .cloned(),
                    };
                    last_seen = Some(progress);
                    if let Some(op) = failed {
                        let reason = WaitFailure::OperationFailed {
                            operation: op.description,
                            end_code: op.end_code.unwrap_or_default(),
                            end_desc: op.end_desc.unwrap_or_default(),
                        };
                        return Err(fail(reason, last_seen));
                    }
                    if goal.reached(&instance) {
                        return Ok(Some(instance));
                    }
                }
            }
            let waited = elapsed();
            if waited >= self.timeout {
                return Err(fail(WaitFailure::TimedOut, last_seen));
            }
            clock.sleep(self.poll_interval.min(self.timeout - waited));
        }
    }
}

/// The instance a reached goal returns. Only [`Goal::Gone`] ends without one, and
/// its caller drops the value, so the default is never seen.
fn reached(instance: Option<Instance>) -> Instance {
    instance.unwrap_or_default()
}

/// Waits with the default [`Waiter`] settings.
impl Connection {
    /// Waits until the instance runs, polling every 5 s for at most 20 minutes.
    /// See [`Waiter`] to change those or follow progress.
    ///
    /// # Errors
    /// As [`Waiter::until_running`].
    pub fn wait_until_running(&self, uuid: &str) -> Result<Instance, Error> {
        Waiter::new().until_running(self, uuid)
    }

    /// Waits until the instance is stopped, with the default [`Waiter`].
    ///
    /// # Errors
    /// As [`Waiter::until_stopped`].
    pub fn wait_until_stopped(&self, uuid: &str) -> Result<Instance, Error> {
        Waiter::new().until_stopped(self, uuid)
    }

    /// Waits until the instance has no pending operations, with the default [`Waiter`].
    ///
    /// # Errors
    /// As [`Waiter::until_idle`].
    pub fn wait_until_idle(&self, uuid: &str) -> Result<Instance, Error> {
        Waiter::new().until_idle(self, uuid)
    }

    /// Waits until the instance is gone, with the default [`Waiter`].
    ///
    /// # Errors
    /// As [`Waiter::until_gone`].
    pub fn wait_until_gone(&self, uuid: &str) -> Result<(), Error> {
        Waiter::new().until_gone(self, uuid)
    }

    /// Stop, wait until stopped, start, and optionally wait until running, with the
    /// default [`Waiter`].
    ///
    /// # Errors
    /// As [`Waiter::restart`].
    pub fn restart_instance(
        &self,
        uuid: &str,
        wait_until_running: bool,
    ) -> Result<Instance, Error> {
        Waiter::new().restart(self, uuid, wait_until_running)
    }
}

/// Waits on an instance at hand, with the default [`Waiter`].
impl Instance {
    /// Waits until this instance runs: `conn.create_instance(..)?.wait_until_running(&conn)?`.
    ///
    /// # Errors
    /// As [`Waiter::until_running`].
    pub fn wait_until_running(&self, conn: &Connection) -> Result<Instance, Error> {
        conn.wait_until_running(&self.uuid)
    }

    /// Waits until this instance is stopped.
    ///
    /// # Errors
    /// As [`Waiter::until_stopped`].
    pub fn wait_until_stopped(&self, conn: &Connection) -> Result<Instance, Error> {
        conn.wait_until_stopped(&self.uuid)
    }

    /// Restarts this instance: stop, wait, start, and optionally wait until it runs.
    ///
    /// # Errors
    /// As [`Waiter::restart`].
    pub fn restart(&self, conn: &Connection, wait_until_running: bool) -> Result<Instance, Error> {
        conn.restart_instance(&self.uuid, wait_until_running)
    }
}
