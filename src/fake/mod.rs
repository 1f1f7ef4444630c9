//! A faithful, stateful fake of the Tiktalik Computing API on 127.0.0.1, for
//! tests and for trying the SDK without an account (feature `fake`).
//!
//! It checks TKAuth signatures with the crate's own signing code, answers in the
//! real service's shapes and errors (401 as an HTML page, 404 and 400 with a JSON
//! `description`), and keeps an account that changes as calls are made: created
//! instances install and then run, stops stop, backups make backup images.
//!
//! ```
//! use tiktalik::Details;
//! use tiktalik::fake::FakeTiktalik;
//!
//! # fn main() -> Result<(), tiktalik::Error> {
//! let fake = FakeTiktalik::start()?;
//! let conn = fake.connection()?;
//! let nodes = conn.list_instances(Details::none())?;
//! assert!(nodes.iter().any(|i| i.hostname == "node-1"));
//! # Ok(()) }
//! ```
//!
//! Time: by default the fake follows the system clock and operations take their
//! real-life durations divided by [`FakeBuilder::speed`]. With
//! [`FakeBuilder::manual_clock`], time stands still until the test moves it, and
//! the connection from [`FakeTiktalik::connection`] shares that clock, so a
//! client that sleeps on it advances the fake instantly.

mod balancers;
mod faults;
mod server;
mod state;

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

pub use faults::Faults;

use crate::auth::Credentials;
use crate::clock::{Clock, ManualClock, SystemClock};
use crate::{Connection, ConnectionBuilder, Error};

/// The API key the fake accepts unless told otherwise.
pub const DEFAULT_API_KEY: &str = "FAKEKEY0000000000001";

/// The API secret the fake accepts unless told otherwise (base64, like a real one).
pub const DEFAULT_API_SECRET: &str = "ZmFrZS10aWt0YWxpay1zZWNyZXQta2V5IQ==";

/// The UUID of the Debian image every seeded instance runs.
pub const DEBIAN_IMAGE: &str = state::DEBIAN;

/// One request as the fake saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoggedRequest {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: String,
    /// The request target: path and query as received.
    pub target: String,
    /// The status answered; 0 when the connection was broken on purpose.
    pub status: u16,
}

/// A running fake Tiktalik. Dropping it stops the server and frees the port.
///
/// A connection that a client keeps alive from before the drop is not closed by
/// the server (tiny_http cannot close it); a call on it waits for the client's
/// timeout. Drop clients with their fake, or make new connections.
pub struct FakeTiktalik {
    url: String,
    api_key: String,
    api_secret: String,
    shared: Arc<server::Shared>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl FakeTiktalik {
    /// Starts a fake on a free port with the default credentials, the system
    /// clock and speed 1.
    ///
    /// # Errors
    /// [`Error::Config`] when no port can be bound on 127.0.0.1.
    pub fn start() -> Result<Self, Error> {
        Self::builder().start()
    }

    /// Settings for a fake: port, credentials, clock, speed.
    pub fn builder() -> FakeBuilder {
        FakeBuilder::default()
    }

    /// The origin to point clients at, e.g. `http://127.0.0.1:40123`.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The port it listens on.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.server
            .server_addr()
            .to_ip()
            .map_or(0, |addr| addr.port())
    }

    /// The API key it accepts.
    #[must_use]
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The API secret it accepts (a fake one: safe to print).
    #[must_use]
    pub fn api_secret(&self) -> &str {
        &self.api_secret
    }

    /// A builder for a connection to this fake: its origin, its credentials, no
    /// proxy, and its clock. Change what you like before `build`.
    pub fn connection_builder(&self) -> ConnectionBuilder {
        Connection::builder(self.api_key.clone(), &self.api_secret)
            .origin(self.url.clone())
            .no_proxy()
            .clock(Arc::clone(&self.shared.clock))
    }

    /// A ready connection to this fake.
    ///
    /// # Errors
    /// Only if the fake's own settings are unusable (they are checked at start).
    pub fn connection(&self) -> Result<Connection, Error> {
        self.connection_builder().build()
    }

    /// The fault switches: latency, error statuses, throttling, broken connections.
    #[must_use]
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// The fake's clock (shared with connections from [`connection`](Self::connection)).
    #[must_use]
    pub fn clock(&self) -> &dyn Clock {
        &*self.shared.clock
    }

    /// Every request received so far (the newest 100,000 at most), oldest first.
    #[must_use]
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.log().clone()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        self.shared.log().clear();
    }
}

impl Drop for FakeTiktalik {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            // The serving thread only ends; a panic in it has already been reported.
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for FakeTiktalik {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeTiktalik")
            .field("url", &self.url)
            .field("api_key", &self.api_key)
            .finish_non_exhaustive()
    }
}

/// Settings for a [`FakeTiktalik`].
#[must_use]
pub struct FakeBuilder {
    port: u16,
    api_key: String,
    api_secret: String,
    clock: Arc<dyn Clock>,
    speed: f64,
    hosts: usize,
}

impl Default for FakeBuilder {
    fn default() -> Self {
        FakeBuilder {
            port: 0,
            api_key: DEFAULT_API_KEY.to_owned(),
            api_secret: DEFAULT_API_SECRET.to_owned(),
            clock: Arc::new(SystemClock),
            speed: 1.0,
            hosts: 0,
        }
    }
}

impl FakeBuilder {
    /// The port to listen on. Defaults to 0: a free port chosen by the system.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The credentials to accept. Defaults to [`DEFAULT_API_KEY`] and [`DEFAULT_API_SECRET`].
    pub fn credentials(
        mut self,
        api_key: impl Into<String>,
        api_secret: impl Into<String>,
    ) -> Self {
        self.api_key = api_key.into();
        self.api_secret = api_secret.into();
        self
    }

    /// How many times faster than real life operations run (an install takes 60 s
    /// at speed 1, 1 s at speed 60). Defaults to 1.
    pub fn speed(mut self, speed: f64) -> Self {
        self.speed = speed;
        self
    }

    /// Adds `n` running instances named `host-1` .. `host-n` to the seeded account,
    /// for load tests and benchmarks. Defaults to 0.
    pub fn extra_instances(mut self, n: usize) -> Self {
        self.hosts = n;
        self
    }

    /// Any clock; see [`manual_clock`](Self::manual_clock) for the usual test choice.
    /// Defaults to the system clock.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// A clock that stands still at `start` until moved with [`ManualClock::advance`]
    /// or by a client sleeping on it.
    pub fn manual_clock(self, clock: &ManualClock) -> Self {
        self.clock(clock.clone())
    }

    /// Binds 127.0.0.1 and starts serving in a background thread.
    ///
    /// # Errors
    /// [`Error::Config`] for unusable credentials or a port that cannot be bound.
    pub fn start(self) -> Result<FakeTiktalik, Error> {
        let credentials = Credentials::new(self.api_key.clone(), &self.api_secret)?;
        let listener = listen(self.port).map_err(|e| {
            Error::config(format!(
                "the fake cannot listen on 127.0.0.1:{}: {e}",
                self.port
            ))
        })?;
        let port = listener.local_addr().map_or(self.port, |a| a.port());
        let server = tiny_http::Server::from_listener(listener, None)
            .map_err(|e| Error::config(format!("the fake cannot start its server: {e}")))?;
        let server = Arc::new(server);
        let faults = Faults::default();
        let mut account = state::Account::seeded(self.clock.now(), self.speed, faults.clone());
        account.add_hosts(self.hosts, self.clock.now());
        let shared = Arc::new(server::Shared {
            credentials,
            account: Mutex::new(account),
            clock: self.clock,
            faults,
            log: Mutex::new(Vec::new()),
        });
        let thread = std::thread::Builder::new()
            .name(format!("fake-tiktalik-{port}"))
            .spawn({
                let server = Arc::clone(&server);
                let shared = Arc::clone(&shared);
                move || server::serve(&server, &shared)
            })
            .map_err(|e| Error::config(format!("the fake cannot start its thread: {e}")))?;
        Ok(FakeTiktalik {
            url: format!("http://127.0.0.1:{port}"),
            api_key: self.api_key,
            api_secret: self.api_secret,
            shared,
            server,
            thread: Some(thread),
        })
    }
}

/// A listener whose accepted sockets have TCP_NODELAY (Linux copies it from the
/// listening socket). tiny_http writes a response's head and body in separate
/// writes once the body outgrows its 1 KiB buffer; with Nagle on, the body then
/// waits for the client's delayed ACK, about 40 ms per call on keep-alive.
fn listen(port: u16) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    socket.set_tcp_nodelay(true)?;
    socket.bind(&SocketAddr::from((Ipv4Addr::LOCALHOST, port)).into())?;
    socket.listen(128)?;
    Ok(socket.into())
}
