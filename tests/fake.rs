//! The fake Tiktalik: faithful authentication and errors, a stateful account whose
//! operations progress on a manual clock, fault injection, and speed.

mod common;

use std::time::{Duration, Instant, SystemTime};

use tiktalik::clock::ManualClock;
use tiktalik::fake::{DEBIAN_IMAGE, FakeTiktalik};
use tiktalik::{Connection, Details, Error, InstanceState, NewInstance, Size};

const NODE_1: &str = "71717dfb-3e86-487f-bcf0-01f6856d6bcd";
const NODE_3: &str = "1a2b3c4d-5e6f-4718-9a0b-c1d2e3f4a5b6";

use common::manual_fake as manual;

fn all_networks(conn: &Connection) -> Vec<String> {
    conn.list_networks()
        .unwrap()
        .into_iter()
        .map(|n| n.uuid)
        .collect()
}

#[test]
fn seeded_account_looks_real() {
    let (_fake, _clock, conn) = manual();
    let instances = conn.list_instances(Details::all()).unwrap();
    for hostname in ["node-1", "node-2", "node-3"] {
        assert!(
            instances.iter().any(|i| i.hostname == hostname),
            "{hostname}"
        );
    }
    let node1 = instances.iter().find(|i| i.uuid == NODE_1).unwrap();
    assert!(node1.is_running());
    assert_eq!(node1.size(), Some(Size::units(4).unwrap()));
    assert_eq!(node1.gross_cost_per_hour, Some(0.13284));
    assert_eq!(node1.vpsimage.as_ref().unwrap().uuid, DEBIAN_IMAGE);
    assert!(node1.actions.as_ref().unwrap()[0].is_finished());
    assert_eq!(node1.interfaces.len(), 2);
    assert_eq!(
        conn.get_instance(NODE_3, Details::none()).unwrap().state,
        Some(InstanceState::Stopped)
    );
    let networks = conn.list_networks().unwrap();
    assert!(networks.iter().any(|n| n.public) && networks.iter().any(|n| !n.public));
    let images = conn.list_images().unwrap();
    assert!(images.iter().any(|i| i.is_backup()));
    assert!(images.iter().filter(|i| !i.is_backup()).count() >= 2);
    let products = conn.list_products().unwrap();
    for size in Size::all() {
        assert!(
            products.iter().any(|p| p.api_name == size.as_str()),
            "{size}"
        );
    }
    let disks = conn.get_instance_block_devices(NODE_1).unwrap();
    assert_eq!((disks[0].seq, disks[0].size_gb), (0, 40.0));
}

#[test]
fn create_installs_then_runs_as_time_passes() {
    let (_fake, clock, conn) = manual();
    let networks = all_networks(&conn);
    let web = conn
        .create_instance("web-123", Size::units(4).unwrap(), DEBIAN_IMAGE, &networks)
        .unwrap();
    assert_eq!(web.state, Some(InstanceState::Installing));
    assert!(!web.running);
    assert_eq!(web.interfaces.len(), networks.len());

    let mut seen = Vec::new();
    for _ in 0..7 {
        let now = conn.get_instance(&web.uuid, Details::all()).unwrap();
        let op = &now.actions.as_ref().unwrap()[0];
        seen.push((now.state, op.progress, now.actions_pending_count));
        clock.advance(Duration::from_secs(10));
    }
    let progress: Vec<u32> = seen.iter().map(|s| s.1).collect();
    assert_eq!(progress, [0, 16, 33, 50, 66, 83, 100]);
    assert_eq!(seen[5].0, Some(InstanceState::Installing));
    assert_eq!(seen[6], (Some(InstanceState::Running), 100, 0));
    assert!(
        conn.get_instance(&web.uuid, Details::none())
            .unwrap()
            .is_running()
    );
}

#[test]
fn stop_start_backup_delete_follow_the_state_machine() {
    let (_fake, clock, conn) = manual();
    let node1 = conn.get_instance(NODE_1, Details::none()).unwrap();

    let err = node1.backup(&conn, "too early").unwrap_err();
    assert_eq!(err.status(), Some(400), "{err}");
    assert!(err.description().unwrap().contains("stopped"));

    node1.stop(&conn).unwrap();
    assert_eq!(node1.refresh(&conn).unwrap().actions_pending_count, 1);
    clock.advance(Duration::from_secs(10));
    let stopped = node1.refresh(&conn).unwrap();
    assert_eq!(
        (stopped.state, stopped.running),
        (Some(InstanceState::Stopped), false)
    );

    let backups_before = conn
        .list_images()
        .unwrap()
        .iter()
        .filter(|i| i.is_backup())
        .count();
    node1.backup(&conn, "before upgrade").unwrap();
    clock.advance(Duration::from_secs(30));
    let images = conn.list_images().unwrap();
    let backup = images.iter().find(|i| i.name == "before upgrade").unwrap();
    assert!(backup.is_backup());
    assert_eq!(backup.source_vps_size.as_deref(), Some("4"));
    assert_eq!(
        images.iter().filter(|i| i.is_backup()).count(),
        backups_before + 1
    );

    node1.start(&conn).unwrap();
    clock.advance(Duration::from_secs(10));
    assert!(node1.refresh(&conn).unwrap().is_running());

    node1.force_stop(&conn).unwrap();
    clock.advance(Duration::from_secs(2));
    assert!(!node1.refresh(&conn).unwrap().running);

    node1.delete(&conn).unwrap();
    let err = conn.get_instance(NODE_1, Details::none()).unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.description(), Some("Instance not found"));
    assert!(
        conn.list_instances(Details::none())
            .unwrap()
            .iter()
            .all(|i| i.uuid != NODE_1)
    );
}

#[test]
fn interfaces_networks_and_images_change_in_later_listings() {
    let (_fake, _clock, conn) = manual();
    let net = conn.create_network("cache2").unwrap();
    assert_eq!(net.name, "cache2");
    assert!(!net.public);
    assert_eq!(conn.get_network(&net.uuid).unwrap(), net);
    assert!(conn.list_networks().unwrap().contains(&net));

    conn.add_network_interface(NODE_3, &net.uuid, 2).unwrap();
    let interfaces = conn.list_instance_interfaces(NODE_3).unwrap();
    let eth2 = interfaces.iter().find(|i| i.seq == 2).unwrap();
    assert_eq!(eth2.network.as_ref().unwrap().uuid, net.uuid);
    assert!(eth2.ip.starts_with("10."), "{}", eth2.ip);
    let err = conn
        .add_network_interface(NODE_3, &net.uuid, 2)
        .unwrap_err();
    assert_eq!(err.status(), Some(400));

    conn.remove_network_interface(NODE_3, &eth2.uuid).unwrap();
    let after = conn.get_instance(NODE_3, Details::none()).unwrap();
    assert!(after.interfaces.iter().all(|i| i.uuid != eth2.uuid));
    let err = conn
        .remove_network_interface(NODE_3, &eth2.uuid)
        .unwrap_err();
    assert!(err.is_not_found());

    let backup = "0f6b1a52-7c1e-4b0e-9f52-0d6c2a8f1e01";
    conn.rename_image(backup, "Zażółć & co = 100%").unwrap();
    assert_eq!(conn.get_image(backup).unwrap().name, "Zażółć & co = 100%");
    let err = conn.delete_image(DEBIAN_IMAGE).unwrap_err();
    assert_eq!(err.status(), Some(403));
    conn.delete_image(backup).unwrap();
    assert!(conn.get_image(backup).unwrap_err().is_not_found());
}

/// A computing request the SDK refuses to send, so the fake's own checks answer.
fn raw(fake: &FakeTiktalik, method: &str, path: &str, body: &str) -> (u16, String) {
    common::raw_request(
        fake,
        method,
        &format!("/api/v2/computing{path}"),
        body,
        None,
    )
}

#[test]
fn bad_parameters_are_400_with_a_description() {
    let fake = FakeTiktalik::start().unwrap();
    let public = "e92e60c2-2993-4a0c-b635-c5e2b2462c7a";
    let base = format!("hostname=web-1&image_uuid={DEBIAN_IMAGE}&networks%5B%5D={public}");
    for (body, expected) in [
        (format!("{base}&size=17"), "Invalid size: 17"),
        (format!("{base}&size=2s"), "requires disk_size_gb"),
        (
            base.replace(DEBIAN_IMAGE, "00000000-0000-4000-8000-000000000000") + "&size=1",
            "Unknown image",
        ),
        (
            base.replace(public, "00000000-0000-4000-8000-000000000000") + "&size=1",
            "Unknown network",
        ),
    ] {
        let (status, text) = raw(&fake, "POST", "/instance", &body);
        assert_eq!(status, 400, "{body}: {text}");
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(
            json["description"].as_str().unwrap().contains(expected),
            "{text}"
        );
    }
    let (status, text) = raw(&fake, "POST", "/network", "name=Bad-Name");
    assert_eq!(status, 400);
    assert!(text.contains("network name"), "{text}");
    let (status, text) = raw(&fake, "GET", "/nothing/here", "");
    assert_eq!(
        (status, text.as_str()),
        (404, r#"{"description":"Not found"}"#)
    );
    // Standard size with a disk size is fine.
    let (status, _) = raw(
        &fake,
        "POST",
        "/instance",
        &format!("{base}&size=2s&disk_size_gb=20"),
    );
    assert_eq!(status, 200);
}

#[test]
fn authentication_is_checked_like_the_real_service() {
    let fake = FakeTiktalik::start().unwrap();
    let wrong_secret = Connection::builder(fake.api_key(), "d3Jvbmcgc2VjcmV0")
        .origin(fake.url())
        .no_proxy()
        .build()
        .unwrap();
    let err = wrong_secret.list_instances(Details::none()).unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert!(api.description.is_none(), "401 is HTML, not JSON");
    assert!(
        api.body_excerpt.starts_with("<html>"),
        "{}",
        api.body_excerpt
    );
    assert!(api.body_excerpt.contains("signature"));

    let wrong_key = Connection::builder("OTHERKEY", fake.api_secret())
        .origin(fake.url())
        .no_proxy()
        .build()
        .unwrap();
    assert!(wrong_key.list_networks().unwrap_err().is_unauthorized());

    let skewed = ManualClock::new(SystemTime::now() - Duration::from_secs(16 * 60));
    let late = fake
        .connection_builder()
        .clock(skewed.clone())
        .build()
        .unwrap();
    let err = late.list_networks().unwrap_err();
    assert!(err.is_unauthorized());
    assert!(err.to_string().contains("15 minutes"), "{err}");
    skewed.advance(Duration::from_secs(2 * 60));
    late.list_networks()
        .expect("14 minutes of skew is tolerated");

    // A body that does not match its Content-MD5.
    let one = tiktalik::auth::content_md5(b"name=one");
    let (status, text) = common::raw_request(
        &fake,
        "POST",
        "/api/v2/computing/network",
        "name=two",
        Some(&one),
    );
    assert_eq!(status, 401);
    assert!(text.contains("Content-MD5"), "{text}");
    assert!(
        fake.connection()
            .unwrap()
            .list_networks()
            .unwrap()
            .iter()
            .all(|n| n.name != "two")
    );
}

#[test]
fn injected_faults_reach_the_client_as_typed_errors() {
    let (fake, _clock, _) = manual();
    // Retries would hide the faults this test is about; see tests/retries.rs.
    let conn = fake.connection_builder().no_retries().build().unwrap();
    fake.faults().fail_next(2, 503);
    for _ in 0..2 {
        let err = conn.list_networks().unwrap_err();
        assert_eq!(err.status(), Some(503), "{err}");
    }
    conn.list_networks().unwrap();

    fake.faults().throttle_next(1, Duration::from_secs(7));
    let err = conn.list_networks().unwrap_err();
    assert_eq!(err.status(), Some(429));

    // A create whose answer is lost: reported as such, and it did take effect.
    fake.faults().drop_next(1);
    let spec = NewInstance::new("lost-1", Size::HALF, DEBIAN_IMAGE).networks(["auto"]);
    let err = conn.create_instance_with(&spec).unwrap_err();
    assert!(
        matches!(
            err,
            Error::ResponseLost {
                call: "create_instance",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.may_have_succeeded());
    let created: Vec<_> = conn
        .list_instances(Details::none())
        .unwrap()
        .into_iter()
        .filter(|i| i.hostname == "lost-1")
        .collect();
    assert_eq!(created.len(), 1, "the create happened exactly once");
    let posts = fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 1, "the SDK never re-sends a POST");

    fake.faults().set_latency(Duration::from_millis(400));
    let impatient = fake
        .connection_builder()
        .no_retries()
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    assert!(impatient.list_networks().unwrap_err().is_timeout());
    fake.faults().clear();
    conn.list_networks().unwrap();
}

#[test]
fn keep_alive_calls_do_not_stall_on_delayed_acks() {
    // With Nagle's algorithm on the fake's sockets, every answer larger than
    // tiny_http's 1 KiB buffer waits ~40 ms for a delayed ACK: 100 calls would take
    // 4 s or more. Without the stall they take a few milliseconds each at most.
    let fake = FakeTiktalik::start().unwrap();
    let conn = fake.connection().unwrap();
    let body_len = serde_json::to_vec(&conn.list_instances(Details::all()).unwrap())
        .unwrap()
        .len();
    assert!(
        body_len > 4096,
        "the answer must outgrow tiny_http's buffer ({body_len})"
    );
    let started = Instant::now();
    for _ in 0..100 {
        conn.list_instances(Details::all()).unwrap();
    }
    let took = started.elapsed();
    assert!(
        took < Duration::from_millis(1500),
        "100 calls took {took:?}"
    );
}

#[test]
fn dropping_the_fake_frees_its_port() {
    let fake = FakeTiktalik::start().unwrap();
    let port = fake.port();
    fake.connection().unwrap().list_networks().unwrap();
    let later = fake.connection_builder().no_retries().build().unwrap();
    drop(fake);
    let err = later.list_networks().unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    let again = FakeTiktalik::builder().port(port).start().unwrap();
    assert_eq!(again.port(), port);
    again.connection().unwrap().list_networks().unwrap();
}

#[test]
fn speed_scales_operations_in_real_time() {
    let fake = FakeTiktalik::builder().speed(600.0).start().unwrap();
    let conn = fake.connection().unwrap();
    let web = conn
        .create_instance("fast-1", Size::HALF, DEBIAN_IMAGE, &["auto"])
        .unwrap();
    // 60 s / 600 = 100 ms.
    std::thread::sleep(Duration::from_millis(150));
    assert!(web.refresh(&conn).unwrap().is_running());
}

#[test]
fn large_listings_stream_to_the_same_models() {
    // About 3 MB of JSON: past the 2 MiB the SDK reads whole, so it streams.
    let fake = FakeTiktalik::builder()
        .extra_instances(2000)
        .start()
        .unwrap();
    let conn = fake.connection().unwrap();
    let streamed = conn.list_instances(Details::all()).unwrap();
    assert_eq!(streamed.len(), 2004);

    let body = common::raw_request(
        &fake,
        "GET",
        "/api/v2/computing/instance?actions=true&vpsimage=true&cost=true",
        "",
        None,
    )
    .1;
    assert!(body.len() > 2 * 1024 * 1024, "{} bytes", body.len());
    let whole: Vec<tiktalik::Instance> = serde_json::from_str(&body).unwrap();
    assert_eq!(streamed, whole);

    let small = fake
        .connection_builder()
        .max_response_bytes(2_500_000)
        .build()
        .unwrap();
    let err = small.list_instances(Details::all()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::BodyTooLarge {
                call: "list_instances",
                limit: 2_500_000
            }
        ),
        "{err:?}"
    );
}
