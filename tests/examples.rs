//! The examples as users run them: built binaries, against an in-process fake by
//! default, or against a fake named by the environment; each makes the tutorial's
//! calls in the tutorial's order.

use std::process::Command;

use tiktalik::fake::{DEBIAN_IMAGE, FakeTiktalik};

mod common;
use common::example;

fn run(mut command: Command) -> String {
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{command:?} failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn against(fake: &FakeTiktalik, name: &str) -> Command {
    let mut command = example(name);
    command
        .env("TIKTALIK_API_URL", fake.url())
        .env("TIKTALIK_API_KEY", fake.api_key())
        .env("TIKTALIK_API_SECRET", fake.api_secret());
    command
}

/// The calls the fake saw, as `METHOD target` without the base path.
fn calls(fake: &FakeTiktalik) -> Vec<String> {
    fake.requests()
        .iter()
        .map(|r| {
            let target = r.target.trim_start_matches("/api/v2/computing");
            format!("{} {target}", r.method)
        })
        .collect()
}

#[test]
fn tour_runs_on_the_built_in_fake() {
    let out = run(example("tour"));
    assert!(out.starts_with("(TIKTALIK_API_KEY is not set: running against an in-process fake"));
    for expected in [
        "Instance node-1 has 2 network interfaces",
        "Total cost per hour:",
        "0f6b1a52-7c1e-4b0e-9f52-0d6c2a8f1e01",
        "stopping node-1",
        "created web-123",
        "web-123: running, power on after 60 s",
        "web-123 is gone",
        "Done.",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
}

#[test]
fn tour_refuses_a_real_account_without_consent() {
    let fake = FakeTiktalik::start().unwrap();
    let output = against(&fake, "tour").output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--real-account"));
    assert!(
        fake.requests().iter().all(|r| r.method == "GET"),
        "nothing changed"
    );
}

#[test]
fn list_instances_lists_then_totals() {
    let fake = FakeTiktalik::start().unwrap();
    let out = run(against(&fake, "list_instances"));
    assert_eq!(
        calls(&fake),
        ["GET /instance?actions=false&vpsimage=false&cost=true"]
    );
    assert!(
        out.contains("Instance node-1 has 2 network interfaces"),
        "{out}"
    );
    assert!(
        out.contains("Instance db-1 has 1 network interfaces"),
        "{out}"
    );
    assert!(out.contains("Total cost per hour: 0.66420"), "{out}");
}

#[test]
fn list_backups_prints_uuid_and_time() {
    let fake = FakeTiktalik::start().unwrap();
    let out = run(against(&fake, "list_backups"));
    assert_eq!(calls(&fake), ["GET /image"]);
    assert_eq!(
        out.trim(),
        "0f6b1a52-7c1e-4b0e-9f52-0d6c2a8f1e01 2026-11-30 03:10:00 +0100 (UTC)"
    );
}

#[test]
fn stop_cluster_stops_each_matching_node() {
    let fake = FakeTiktalik::start().unwrap();
    run(against(&fake, "stop_cluster"));
    assert_eq!(
        calls(&fake),
        [
            "GET /instance?actions=false&vpsimage=false&cost=false",
            "POST /instance/71717dfb-3e86-487f-bcf0-01f6856d6bcd/stop",
            "POST /instance/2b3c4d5e-6f70-4819-8a2b-3c4d5e6f7081/stop",
            "POST /instance/1a2b3c4d-5e6f-4718-9a0b-c1d2e3f4a5b6/stop",
        ]
    );
    fake.clear_requests();
    let mut db = against(&fake, "stop_cluster");
    db.arg("db-");
    run(db);
    assert_eq!(calls(&fake).len(), 2);
}

#[test]
fn create_instance_attaches_every_network() {
    let fake = FakeTiktalik::start().unwrap();
    let mut command = against(&fake, "create_instance");
    command.args(["web-123", "4", DEBIAN_IMAGE]);
    let out = run(command);
    assert_eq!(calls(&fake), ["GET /network", "POST /instance"]);
    assert!(out.starts_with("created web-123"), "{out}");
    let conn = fake.connection().unwrap();
    let web = conn
        .list_instances(tiktalik::Details::none())
        .unwrap()
        .into_iter()
        .find(|i| i.hostname == "web-123")
        .unwrap();
    assert_eq!(web.interfaces.len(), conn.list_networks().unwrap().len());

    let mut bad = against(&fake, "create_instance");
    bad.args(["web-124", "17", DEBIAN_IMAGE]);
    let output = bad.output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not a size"));
}

#[test]
fn fake_server_prints_its_environment_first() {
    let server = common::FakeServerProcess::spawn(&["--speed", "60"]);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );
    let conn = tiktalik::Connection::builder(server.key.clone(), &server.secret)
        .origin(server.url.clone())
        .no_proxy()
        .build()
        .unwrap();
    let listed = conn.list_instances(tiktalik::Details::none()).unwrap();
    assert!(listed.iter().any(|i| i.hostname == "node-1"));
}

#[test]
fn load_balancer_walks_the_api() {
    let out = run(example("load_balancer"));
    for expected in [
        "created shop",
        "backend 10.12.0.7:80 weight 10",
        "add_backend 10.12.0.7:80:5",
        "modify_backend 10.12.0.7:80:10",
        "deleted shop",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    let fake = FakeTiktalik::start().unwrap();
    run(against(&fake, "load_balancer"));
    let calls: Vec<String> = calls(&fake)
        .iter()
        .map(|c| {
            // UUIDs differ from run to run: keep the method and the shape of the path.
            let (method, target) = c.split_once(' ').unwrap();
            let shape: Vec<&str> = target
                .split('/')
                .map(|s| if s.len() == 36 { "{uuid}" } else { s })
                .collect();
            format!("{method} {}", shape.join("/"))
        })
        .collect();
    assert_eq!(
        calls,
        [
            "POST /api/v1/loadbalancer",
            "PUT /api/v1/loadbalancer/{uuid}/backend",
            "GET /api/v1/loadbalancer/{uuid}",
            "PUT /api/v1/loadbalancer/{uuid}/backend/{uuid}",
            "GET /api/v1/loadbalancer?history=true",
            "DELETE /api/v1/loadbalancer/{uuid}",
        ]
    );
}
