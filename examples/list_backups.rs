//! The uuid and create time of every backup: the tutorial's second listing.
//!
//! `cargo run --example list_backups` (reads TIKTALIK_API_URL, TIKTALIK_API_KEY
//! and TIKTALIK_API_SECRET; without them it runs against an in-process fake).

mod common;

fn main() -> Result<(), tiktalik::Error> {
    let (conn, _fake) = common::connect()?;

    // Fetch all images available to the user
    let images = conn.list_images()?;
    // We're interested in backups only
    for b in images.iter().filter(|i| i.is_backup()) {
        println!("{} {}", b.uuid, b.create_time);
    }
    Ok(())
}
