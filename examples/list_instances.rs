//! Each instance with its number of network interfaces, then the total gross cost
//! per hour: the tutorial's first listing.
//!
//! `cargo run --example list_instances` (reads TIKTALIK_API_URL, TIKTALIK_API_KEY
//! and TIKTALIK_API_SECRET; without them it runs against an in-process fake).

mod common;

use tiktalik::Details;

fn main() -> Result<(), tiktalik::Error> {
    let (conn, _fake) = common::connect()?;

    // Fetch all instances, including cost per hour
    let instances = conn.list_instances(Details::cost())?;
    for i in &instances {
        println!(
            "Instance {} has {} network interfaces",
            i.hostname,
            i.interfaces.len()
        );
    }
    // Calculate total cost per hour
    let total: f64 = instances.iter().filter_map(|i| i.gross_cost_per_hour).sum();
    println!("Total cost per hour: {total:.5}");
    Ok(())
}
