//! The whole official tutorial, step by step: instances and their cost, backups,
//! stopping the node-* cluster, creating web-123 in every network, waiting until
//! it runs, and cleaning up.
//!
//! `cargo run --example tour`
//!
//! Without TIKTALIK_API_KEY it runs against an in-process fake Tiktalik, so it
//! needs no account and no network. Against a real account it changes things
//! (it stops instances and creates one), so it asks for `--real-account` first.

mod common;

use tiktalik::{Details, Instance, Size, Waiter};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (conn, fake) = common::connect()?;
    if fake.is_none() && std::env::args().nth(1).as_deref() != Some("--real-account") {
        return Err("the tour stops node-* instances and creates web-123: \
                    run it with --real-account to do that to your account"
            .into());
    }

    println!("\n1. Instances, including cost per hour");
    let instances = conn.list_instances(Details::cost())?;
    for i in &instances {
        println!(
            "    Instance {} has {} network interfaces, costs {:.5}/h",
            i.hostname,
            i.interfaces.len(),
            i.gross_cost_per_hour.unwrap_or_default()
        );
    }
    let total: f64 = instances.iter().filter_map(|i| i.gross_cost_per_hour).sum();
    println!("    Total cost per hour: {total:.5}");

    println!("\n2. Backups");
    let images = conn.list_images()?;
    for b in images.iter().filter(|i| i.is_backup()) {
        println!("    {} {} ({})", b.uuid, b.create_time, b.name);
    }

    println!("\n3. Stop the node-* cluster");
    let nodes: Vec<&Instance> = instances
        .iter()
        .filter(|i| i.hostname.starts_with("node-") && i.running)
        .collect();
    for node in &nodes {
        println!("    stopping {}", node.hostname);
        node.stop(&conn)?;
    }
    for node in &nodes {
        Waiter::new()
            .on_progress(|p| println!("    {}: {p}", node.hostname))
            .until_stopped(&conn, &node.uuid)?;
    }

    println!("\n4. Create web-123 in every network");
    let image = images
        .iter()
        .find(|i| !i.is_backup() && i.name.starts_with("Debian"))
        .or_else(|| images.iter().find(|i| !i.is_backup()))
        .ok_or("no image to install")?;
    let networks = conn.list_networks()?;
    let network_uuids: Vec<&str> = networks.iter().map(|n| n.uuid.as_str()).collect();
    let web = conn.create_instance("web-123", Size::units(4)?, &image.uuid, &network_uuids)?;
    println!(
        "    created {} ({}) from {}",
        web.hostname, web.uuid, image.name
    );

    println!("\n5. Wait until it runs");
    let web = Waiter::new()
        .on_progress(|p| println!("    web-123: {p}"))
        .until_running(&conn, &web.uuid)?;
    for interface in &web.interfaces {
        let network = interface.network.as_ref().map_or("?", |n| n.name.as_str());
        println!("    eth{}: {} in {network}", interface.seq, interface.ip);
    }

    println!("\n6. Clean up: delete web-123, start the cluster again");
    web.delete(&conn)?;
    for node in &nodes {
        node.start(&conn)?;
    }
    conn.wait_until_gone(&web.uuid)?;
    println!("    web-123 is gone");
    println!("\nDone.");
    Ok(())
}
