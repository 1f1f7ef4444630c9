//! The load-balancer API: create an HTTP balancer with two backends and a domain,
//! add a backend, change a weight, list with history, delete.
//!
//! `cargo run --example load_balancer` (reads TIKTALIK_API_URL, TIKTALIK_API_KEY
//! and TIKTALIK_API_SECRET; without them it runs against an in-process fake).

mod common;

use tiktalik::loadbalancer::{Backend, BackendChange, BalancerType, NewLoadBalancer};

fn main() -> Result<(), tiktalik::Error> {
    let (conn, _fake) = common::connect()?;

    let web = conn.create_loadbalancer(
        &NewLoadBalancer::new("shop", BalancerType::Http)
            .backend(Backend::new("10.12.0.5", 80, 10)?)
            .backend(Backend::new("10.12.0.6", 80, 10)?)
            .domain("shop.example.com"),
    )?;
    println!("created {} ({}) at {}", web.name, web.uuid, web.address);

    conn.add_loadbalancer_backend(&web.uuid, Backend::new("10.12.0.7", 80, 5)?)?;
    let web = web.refresh(&conn)?;
    if let Some(third) = web.backend_at("10.12.0.7", 80) {
        // Give the new backend the same share as the others.
        conn.modify_loadbalancer_backend(&web.uuid, &third.uuid, BackendChange::new().weight(10))?;
    }

    for balancer in conn.list_loadbalancers(true)? {
        let kind = balancer.balancer_type.as_ref().map_or("?", |t| t.as_str());
        println!(
            "{} {} {} {:?}",
            balancer.uuid, balancer.name, kind, balancer.domains
        );
        for b in &balancer.backends {
            println!("    backend {}:{} weight {}", b.ip, b.port, b.weight);
        }
        for h in balancer.history.iter().flatten() {
            println!("    {} {} {}", h.time, h.action, h.arguments);
        }
    }

    web.delete(&conn)?;
    println!("deleted {}", web.name);
    Ok(())
}
