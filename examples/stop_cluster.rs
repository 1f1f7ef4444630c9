//! Stops every instance whose hostname starts with PREFIX (default `node-`), as
//! the tutorial stops its cluster.
//!
//! `cargo run --example stop_cluster [PREFIX]` (reads TIKTALIK_API_URL,
//! TIKTALIK_API_KEY and TIKTALIK_API_SECRET; without them it runs against an
//! in-process fake).

mod common;

use tiktalik::Details;

fn main() -> Result<(), tiktalik::Error> {
    let prefix = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "node-".to_owned());
    let (conn, _fake) = common::connect()?;

    let instances = conn.list_instances(Details::none())?;
    // We only want hostnames that start with the prefix
    let nodes = instances.iter().filter(|i| i.hostname.starts_with(&prefix));
    // Stop the cluster
    for node in nodes {
        println!("stopping {} ({})", node.hostname, node.uuid);
        node.stop(&conn)?;
    }
    Ok(())
}
