//! What every example starts with: a connection to the account in the environment
//! or, when `TIKTALIK_API_KEY` is not set, to an in-process fake Tiktalik.

use tiktalik::clock::ManualClock;
use tiktalik::fake::FakeTiktalik;
use tiktalik::{Connection, Error};

/// A connection, and the fake behind it when there is one: keep the fake alive
/// as long as the connection is used.
pub fn connect() -> Result<(Connection, Option<FakeTiktalik>), Error> {
    if std::env::var_os("TIKTALIK_API_KEY").is_some() {
        return Ok((Connection::from_env()?, None));
    }
    // Time in the fake moves only when the example sleeps on the connection's
    // clock, so waiting for an install costs nothing.
    let clock = ManualClock::new(std::time::SystemTime::now());
    let fake = FakeTiktalik::builder().manual_clock(&clock).start()?;
    println!(
        "(TIKTALIK_API_KEY is not set: running against an in-process fake Tiktalik at {})",
        fake.url()
    );
    Ok((fake.connection()?, Some(fake)))
}
