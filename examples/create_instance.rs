//! Creates an instance attached to every network the account can see, as the
//! tutorial does.
//!
//! `cargo run --example create_instance HOSTNAME SIZE IMAGE_UUID` (reads
//! TIKTALIK_API_URL, TIKTALIK_API_KEY and TIKTALIK_API_SECRET; without them it
//! runs against an in-process fake).

mod common;

use tiktalik::Size;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [hostname, size, image_uuid] = args.as_slice() else {
        return Err("usage: create_instance HOSTNAME SIZE IMAGE_UUID".into());
    };
    // Size of the instance, e.g. "4" for 4U; checked before anything is sent.
    let size: Size = size.parse()?;
    let (conn, _fake) = common::connect()?;

    // We want the instance to be available in the public network, as well as all
    // our private networks: pass the UUIDs of all networks available to us.
    let networks = conn.list_networks()?;
    let network_uuids: Vec<&str> = networks.iter().map(|n| n.uuid.as_str()).collect();

    // Finally, create the instance
    let instance = conn.create_instance(hostname, size, image_uuid, &network_uuids)?;
    println!(
        "created {} ({}), state {:?}",
        instance.hostname, instance.uuid, instance.state
    );
    Ok(())
}
