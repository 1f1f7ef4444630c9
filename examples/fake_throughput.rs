//! How many small requests per second the fake answers on loopback, so it is
//! never the bottleneck of a test or a benchmark.
//!
//! `cargo run --release --example fake_throughput [REQUESTS]` (default 20000)
//!
//! One keep-alive client makes signed `get_network` calls (a ~200-byte answer) and
//! `list_instances` with every detail (a ~6 KiB answer, past tiny_http's 1 KiB
//! buffer, where a Nagle stall would show).

use std::time::Instant;

use tiktalik::Details;
use tiktalik::fake::FakeTiktalik;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let requests: u32 = std::env::args().nth(1).map_or(Ok(20_000), |n| n.parse())?;
    let fake = FakeTiktalik::start()?;
    let conn = fake.connection()?;
    let network = conn.list_networks()?.remove(0).uuid;

    let started = Instant::now();
    for _ in 0..requests {
        conn.get_network(&network)?;
    }
    let small = started.elapsed();

    let started = Instant::now();
    for _ in 0..requests / 4 {
        conn.list_instances(Details::all())?;
    }
    let large = started.elapsed();

    println!(
        "small answers: {requests} requests in {:.3} s = {:.0} requests/s",
        small.as_secs_f64(),
        f64::from(requests) / small.as_secs_f64()
    );
    println!(
        "6 KiB answers: {} requests in {:.3} s = {:.0} requests/s",
        requests / 4,
        large.as_secs_f64(),
        f64::from(requests / 4) / large.as_secs_f64()
    );
    Ok(())
}
