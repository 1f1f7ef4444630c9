//! # tiktalik
//!
//! A blocking Rust SDK for the [Tiktalik Computing](https://tiktalik.com) REST API:
//! instances, images and backups, networks and products, and the load-balancer API
//! ([`loadbalancer`]).
//!
//! - One [`Connection`] on one keep-alive HTTP agent; plain methods that return
//!   `Result<T, tiktalik::Error>`. No async runtime.
//! - Method names follow the official Python SDK, so its tutorial ports line by line.
//! - Requests are signed exactly as the official clients sign them (`TKAuth`,
//!   HMAC-SHA1); see [`auth`].
//! - Bad arguments (a malformed UUID, an unknown size, a standard size without a
//!   disk size) are refused before anything is sent.
//!
//! ## Quick start: the official tutorial in Rust
//!
//! ```no_run
//! use tiktalik::{Connection, Details, Size};
//!
//! # fn main() -> Result<(), tiktalik::Error> {
//! let conn = Connection::new("<API Key>", "<API Secret>")?;
//!
//! // Fetch all instances, including cost per hour
//! let instances = conn.list_instances(Details::cost())?;
//! for i in &instances {
//!     println!("Instance {} has {} network interfaces", i.hostname, i.interfaces.len());
//! }
//! let total: f64 = instances.iter().filter_map(|i| i.gross_cost_per_hour).sum();
//!
//! // We're interested in backups only
//! for b in conn.list_images()?.iter().filter(|i| i.is_backup()) {
//!     println!("{} {}", b.uuid, b.create_time);
//! }
//!
//! // Stop the cluster
//! for node in conn.list_instances(Details::none())? {
//!     if node.hostname.starts_with("node-") {
//!         node.stop(&conn)?;
//!     }
//! }
//!
//! // Create an instance in every network the account can see
//! let networks: Vec<String> = conn.list_networks()?.into_iter().map(|n| n.uuid).collect();
//! conn.create_instance("web-123", Size::units(4)?, "bb3fcb4e-d4fe-4f86-9bae-e0b7b501a934", &networks)?;
//! # Ok(()) }
//! ```
//!
//! ## Configuration
//!
//! [`Connection::builder`] sets the origin (for a proxy or a local server), the API
//! version, the timeout (20 s by default), the proxy (from the environment by
//! default) and the user agent. [`Connection::from_env`] reads
//! `TIKTALIK_API_KEY`, `TIKTALIK_API_SECRET` and `TIKTALIK_API_URL`.
//!
//! ## Waiting and retries
//!
//! Long operations (install, stop, backup) are waited on with [`Waiter`] or the
//! shortcuts such as [`Instance::wait_until_running`]: a timeout, a poll interval,
//! a progress callback, and errors that say what happened. GET requests are retried
//! on transport errors, timeouts, 5xx and 429 ([`RetryPolicy`]); POST, PUT and DELETE
//! never are, and a lost answer is reported as [`Error::ResponseLost`].
//!
//! ## Credentials
//!
//! [`Connection::from_env`] takes them from `TIKTALIK_API_KEY` / `TIKTALIK_API_SECRET`,
//! `TIKTALIK_KEY` / `TIKTALIK_SECRET` or the official CLI's `~/.tiktalik/auth`; see
//! [`credentials::CredentialSources`].
//!
//! ## Errors
//!
//! Every call returns [`Error`]. API errors keep the HTTP status, the server's
//! description and an excerpt of the body; [`Error::is_not_found`] and friends
//! answer the common questions.
//!
//! ## Features
//!
//! - `rustls` (default): TLS through rustls with Mozilla's roots.
//! - `native-tls`: TLS through the platform's library.
//! - `platform-verifier`: check certificates with the operating system's verifier.
//! - `fake`: [`fake::FakeTiktalik`], a stateful fake of the API on 127.0.0.1.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod auth;
pub mod clock;
mod computing;
mod connection;
pub mod credentials;
mod de;
pub mod encode;
mod error;
#[cfg(feature = "fake")]
pub mod fake;
pub mod loadbalancer;
mod retry;
pub mod wait;

pub use computing::{
    Ambiguous, BlockDevice, Details, Image, ImageType, Instance, InstanceState, Interface,
    MAX_INTERFACE_SEQ, Network, NewInstance, Operation, Password, Product, Size,
    check_network_name,
};
pub use connection::{
    ApiVersion, Connection, ConnectionBuilder, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT,
    LOADBALANCER_BASE_PATH,
};
pub use error::{ApiError, Error};
pub use retry::RetryPolicy;
pub use wait::Waiter;

/// The README's examples, compiled as doc tests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
