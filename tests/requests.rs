//! What goes on the wire: every captured request of the official SDK is reproduced
//! byte for byte by the matching SDK call, checked by a server that verifies the
//! signature with its own code.

mod common;

use std::time::Duration;

use common::{FixedClock, KEY, Recorded, RecordingServer, Reply};
use tiktalik::{Details, Error, NewInstance, Size};

#[derive(serde::Deserialize)]
struct VectorFile {
    vectors: Vec<Vector>,
}

#[derive(serde::Deserialize)]
struct Vector {
    name: String,
    method: String,
    target: String,
    date: String,
    content_type: String,
    content_md5: String,
    body: String,
    authorization: String,
}

const INSTANCE: &str = "71717dfb-3e86-487f-bcf0-01f6856d6bcd";
const IMAGE: &str = "bb3fcb4e-d4fe-4f86-9bae-e0b7b501a934";
const BACKUP: &str = "0f6b1a52-7c1e-4b0e-9f52-0d6c2a8f1e01";
const PUBLIC_NET: &str = "e92e60c2-2993-4a0c-b635-c5e2b2462c7a";
const PRIVATE_NET: &str = "5b1f4c0e-8a8e-4a53-9b0b-3f1d2c9e7a10";
const INTERFACE: &str = "c1a4d3f2-0b1e-4c2d-9e8f-7a6b5c4d3e2f";

/// Answers each request with the smallest JSON its call decodes.
fn minimal_reply(r: &Recorded) -> Reply {
    if let Some(rest) = r.target.strip_prefix("/api/v1/loadbalancer") {
        return match (r.method.as_str(), rest) {
            ("GET", query) if query.starts_with('?') => Reply::json(200, "[]"),
            ("GET", _) | ("POST", "") => Reply::json(200, "{}"),
            _ => Reply::empty(),
        };
    }
    let collection = r.method == "GET"
        && (r.target.contains("/instance?")
            || r.target.ends_with("/network")
            || r.target.ends_with("/image")
            || r.target.ends_with("/blockdevice")
            || r.target.ends_with("/interface"));
    match (r.method.as_str(), collection) {
        (_, true) => Reply::json(200, "[]"),
        ("GET", false) => Reply::json(200, "{}"),
        ("POST", _) if r.target.ends_with("/instance") || r.target.ends_with("/network") => {
            Reply::json(200, "{}")
        }
        _ => Reply::empty(),
    }
}

/// The SDK call that the official client made for each captured vector.
fn make_call(conn: &tiktalik::Connection, name: &str) -> Result<(), Error> {
    match name {
        "list_instances(cost=True)" => conn.list_instances(Details::cost()).map(drop),
        "list_instances(actions, vpsimage, cost)" => conn.list_instances(Details::all()).map(drop),
        "get_image" => conn.get_image(IMAGE).map(drop),
        "list_networks" => conn.list_networks().map(drop),
        "get_instance_block_devices" => conn.get_instance_block_devices(INSTANCE).map(drop),
        "create_instance(networks x2, ssh_key, disk)" => conn
            .create_instance_with(
                &NewInstance::new("web-123", "1s".parse()?, IMAGE)
                    .networks([PUBLIC_NET, PRIVATE_NET])
                    .ssh_key("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0+/x= alice@laptop")
                    .disk_size_gb(20),
            )
            .map(drop),
        "create_instance(size 0.25, one network)" => conn
            .create_instance("tiny-1", Size::QUARTER, IMAGE, &[PUBLIC_NET])
            .map(drop),
        "rename_image(unicode, spaces, reserved chars)" => {
            conn.rename_image(BACKUP, "Zażółć gęślą jaźń & co = 100%")
        }
        "backup(empty name)" => conn.backup_instance(INSTANCE, ""),
        "backup(named)" => conn.backup_instance(INSTANCE, "before upgrade"),
        "create_network" => conn.create_network("backend2").map(drop),
        "add_network_interface" => conn.add_network_interface(INSTANCE, PRIVATE_NET, 2),
        "remove_network_interface" => conn.remove_network_interface(INSTANCE, INTERFACE),
        "start" => conn.start_instance(INSTANCE),
        "delete_instance" => conn.delete_instance(INSTANCE),
        other => panic!("no SDK call mapped for vector {other:?}"),
    }
}

#[test]
fn every_signing_vector_is_reproduced_on_the_wire() {
    replay("signing-vectors.json", make_call);
}

#[test]
fn every_loadbalancer_vector_is_reproduced_on_the_wire() {
    replay("loadbalancer-vectors.json", make_loadbalancer_call);
}

/// Makes the SDK call behind each captured vector of `file`, with the vectors'
/// Date, and compares what went on the wire with what the official SDK sent.
fn replay(file: &str, call: fn(&tiktalik::Connection, &str) -> Result<(), Error>) {
    let path = format!(
        "{}/../shared/conformance/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let file: VectorFile =
        serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).unwrap();
    let server = RecordingServer::start(minimal_reply);
    let date = httpdate::parse_http_date(&file.vectors[0].date).unwrap();
    let conn = server.connection().clock(FixedClock(date)).build().unwrap();

    for v in &file.vectors {
        call(&conn, &v.name).unwrap_or_else(|e| panic!("{}: {e}", v.name));
    }
    let seen = server.requests();
    assert_eq!(seen.len(), file.vectors.len());
    for (v, r) in file.vectors.iter().zip(&seen) {
        assert_eq!(r.method, v.method, "{}", v.name);
        assert_eq!(r.target, v.target, "{}", v.name);
        assert_eq!(
            String::from_utf8(r.body.clone()).unwrap(),
            v.body,
            "{}",
            v.name
        );
        assert_eq!(r.header("Date"), Some(v.date.as_str()), "{}", v.name);
        assert_eq!(
            r.header("Authorization"),
            Some(v.authorization.as_str()),
            "{}",
            v.name
        );
        let optional = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        assert_eq!(
            r.header("Content-MD5").map(str::to_owned),
            optional(&v.content_md5),
            "{}",
            v.name
        );
        assert_eq!(
            r.header("Content-Type").map(str::to_owned),
            optional(&v.content_type),
            "{}",
            v.name
        );
        assert!(
            r.signature_ok,
            "{}: independent signature check failed",
            v.name
        );
    }
}

const BALANCER: &str = "4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8";
const LB_BACKEND: &str = "5f6a7b8c-9d0e-4f1a-b2c3-d4e5f6a7b8c9";

/// The SDK call that the official client 1.x made for each load-balancer vector.
fn make_loadbalancer_call(conn: &tiktalik::Connection, name: &str) -> Result<(), Error> {
    use tiktalik::loadbalancer::{Backend, BackendChange, BalancerType, NewLoadBalancer};
    match name {
        "list_loadbalancers(history=True)" => conn.list_loadbalancers(true).map(drop),
        "get_loadbalancer" => conn.get_loadbalancer(BALANCER).map(drop),
        "create_loadbalancer(HTTP)" => conn
            .create_loadbalancer(
                &NewLoadBalancer::new("web", BalancerType::Http)
                    .backend(Backend::new("10.12.0.5", 80, 10)?)
                    .backend(Backend::new("10.12.0.6", 8080, 5)?)
                    .domains(["example.com", "www.example.com"]),
            )
            .map(drop),
        "create_loadbalancer(TCP, port, address)" => conn
            .create_loadbalancer(
                &NewLoadBalancer::new("db", BalancerType::Tcp)
                    .backend("10.12.0.9:5432:1".parse()?)
                    .address("37.233.98.200")
                    .port(5432),
            )
            .map(drop),
        "enable" => conn.enable_loadbalancer(BALANCER),
        "disable" => conn.disable_loadbalancer(BALANCER),
        "rename" => conn.rename_loadbalancer(BALANCER, "web-prod"),
        "delete" => conn.delete_loadbalancer(BALANCER),
        "set_domains" => {
            conn.set_loadbalancer_domains(BALANCER, &["a.example.com", "b.example.com"])
        }
        "add_domain" => conn.add_loadbalancer_domain(BALANCER, "c.example.com"),
        "remove_domain" => conn.remove_loadbalancer_domain(BALANCER, "c.example.com"),
        "set_backends" => {
            conn.set_loadbalancer_backends(BALANCER, &[Backend::new("10.12.0.5", 80, 10)?])
        }
        "add_backend" => conn.add_loadbalancer_backend(BALANCER, Backend::new("10.12.0.7", 80, 3)?),
        "remove_backend" => conn.remove_loadbalancer_backend(BALANCER, LB_BACKEND),
        "modify_backend(weight only)" => {
            conn.modify_loadbalancer_backend(BALANCER, LB_BACKEND, BackendChange::new().weight(20))
        }
        other => panic!("no SDK call mapped for vector {other:?}"),
    }
}

#[test]
fn requests_reuse_one_connection_and_are_signed_with_the_current_date() {
    let server = RecordingServer::start(minimal_reply);
    let conn = server.connection().build().unwrap();
    for _ in 0..5 {
        conn.list_networks().unwrap();
    }
    let seen = server.requests();
    assert!(seen.iter().all(|r| r.signature_ok));
    assert!(
        seen.windows(2)
            .all(|w| w[0].remote_port == w[1].remote_port),
        "keep-alive: every call should reuse the first connection"
    );
    let date = httpdate::parse_http_date(seen[0].header("Date").unwrap()).unwrap();
    let skew = std::time::SystemTime::now()
        .duration_since(date)
        .unwrap_or_default();
    assert!(skew < Duration::from_secs(60));
    assert!(
        seen[0]
            .header("User-Agent")
            .unwrap()
            .starts_with("tiktalik-rust/")
    );
}

#[test]
fn samples_decode_into_models() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/conformance/sample-payloads.json"
    );
    let samples: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(path).expect(path)).unwrap();
    let sample = |prefix: &str| {
        samples
            .iter()
            .find(|(k, _)| k.starts_with(prefix))
            .map(|(_, v)| v.to_string())
            .unwrap_or_else(|| panic!("no sample {prefix}"))
    };
    let full = sample("instance (GET /instance/{uuid}");
    let listed = format!("[{}]", sample("instance (GET /instance, no flags)"));
    let server = RecordingServer::start(move |r| {
        if r.target.contains("/instance/") {
            Reply::json(200, &full)
        } else {
            Reply::json(200, &listed)
        }
    });
    let conn = server.connection().build().unwrap();
    let node1 = conn.get_instance(INSTANCE, Details::all()).unwrap();
    assert_eq!(node1.hostname, "node-1");
    assert!(node1.is_running());
    assert_eq!(node1.size(), Some(Size::units(4).unwrap()));
    assert_eq!(node1.interfaces.len(), 2);
    assert_eq!(
        node1.interfaces[1].network.as_ref().unwrap().name,
        "backend"
    );
    assert_eq!(node1.actions.as_ref().unwrap()[0].progress, 100);
    assert!(node1.actions.as_ref().unwrap()[0].is_finished());
    assert_eq!(node1.vpsimage.as_ref().unwrap().name, "Debian 12 64-bit");
    assert_eq!(node1.gross_cost_per_hour, Some(0.13284));
    let listed = conn.list_instances(Details::none()).unwrap();
    assert_eq!(listed[0].hostname, "node-3");
    assert_eq!(listed[0].state, Some(tiktalik::InstanceState::Stopped));
    assert!(listed[0].actions.is_none() && listed[0].gross_cost_per_hour.is_none());

    let models = [
        ("image (GET", "image"),
        ("backup (", "image"),
        ("network (", "network"),
        ("interface (", "interface"),
        ("block device (", "blockdevice"),
        ("product (", "product"),
    ];
    for (prefix, kind) in models {
        let json = sample(prefix);
        let ok = match kind {
            "image" => serde_json::from_str::<tiktalik::Image>(&json).is_ok(),
            "network" => serde_json::from_str::<tiktalik::Network>(&json).is_ok(),
            "interface" => serde_json::from_str::<tiktalik::Interface>(&json).is_ok(),
            "blockdevice" => serde_json::from_str::<tiktalik::BlockDevice>(&json).is_ok(),
            _ => serde_json::from_str::<tiktalik::Product>(&json)
                .is_ok_and(|p| p.api_name == "4" && p.cpu_units.as_deref() == Some("4")),
        };
        assert!(ok, "{prefix} did not decode");
    }
}

#[test]
fn errors_keep_status_description_and_excerpt() {
    let server = RecordingServer::start(|r| {
        if r.target.contains("/image") {
            Reply::html(401, "<html><body><h1>401 Unauthorized</h1></body></html>")
        } else if r.target.contains("/network") {
            Reply::json(200, "{\"not\": \"a list\"}")
        } else {
            Reply::json(404, r#"{"description": "Not found"}"#)
        }
    });
    let conn = server.connection().build().unwrap();

    let err = conn.get_instance(INSTANCE, Details::none()).unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(err.description(), Some("Not found"));
    assert_eq!(err.call(), Some("get_instance"));
    assert_eq!(
        err.to_string(),
        "get_instance: the server answered HTTP 404: Not found"
    );

    let err = conn.list_images().unwrap_err();
    assert!(err.is_unauthorized());
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.description, None);
    assert!(api.body_excerpt.contains("401 Unauthorized"));
    assert!(!format!("{err:?}{err}").contains(common::SECRET));

    let err = conn.list_networks().unwrap_err();
    assert!(
        matches!(
            err,
            Error::Decode {
                call: "list_networks",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn invalid_input_sends_nothing() {
    let server = RecordingServer::start(minimal_reply);
    let conn = server.connection().build().unwrap();
    let standard = NewInstance::new("web-1", "2s".parse().unwrap(), IMAGE).networks([PUBLIC_NET]);
    let failures = [
        conn.get_instance("", Details::none()).map(drop),
        conn.get_instance("../image", Details::none()).map(drop),
        conn.stop_instance("71717dfb-3e86-487f-bcf0-01f6856d6bcd/../x")
            .map(drop),
        conn.create_instance_with(&standard).map(drop),
        conn.create_instance_with(&standard.clone().disk_size_gb(0))
            .map(drop),
        conn.create_instance("web 1", Size::HALF, IMAGE, &[PUBLIC_NET])
            .map(drop),
        conn.create_instance("web-1", Size::HALF, "image", &[PUBLIC_NET])
            .map(drop),
        conn.create_instance("web-1", Size::HALF, IMAGE, &["public"])
            .map(drop),
        conn.create_network("Bad-Name").map(drop),
        conn.rename_image(BACKUP, " "),
        conn.remove_network_interface(INSTANCE, "x"),
        conn.add_network_interface(INSTANCE, "", 1),
    ];
    for (i, result) in failures.into_iter().enumerate() {
        let err = result.unwrap_err();
        assert!(err.is_invalid_input(), "case {i}: {err}");
    }
    let err = conn.create_instance_with(&standard).unwrap_err();
    assert!(err.to_string().contains("needs a disk size"), "{err}");
    assert!(server.requests().is_empty(), "nothing may be sent");
    // `auto` is a valid network
    conn.create_instance("web-1", Size::HALF, IMAGE, &["auto"])
        .unwrap();
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn slow_answers_time_out() {
    let server = RecordingServer::start(|_| Reply {
        delay: Duration::from_millis(1500),
        ..Reply::json(200, "[]")
    });
    let conn = server
        .connection()
        .no_retries()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = conn.list_networks().unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(err.call(), Some("list_networks"));
}

#[test]
fn large_bodies_are_refused() {
    let big = format!("[{}]", vec!["{}"; 10_000].join(","));
    let server = RecordingServer::start(move |_| Reply::json(200, &big));
    let conn = server
        .connection()
        .max_response_bytes(1024)
        .build()
        .unwrap();
    let err = conn.list_networks().unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 1024, .. }),
        "{err:?}"
    );
}

#[test]
fn api_version_one_uses_its_base_path() {
    let server = RecordingServer::start(minimal_reply);
    let conn = server
        .connection()
        .api_version(tiktalik::ApiVersion::V1)
        .build()
        .unwrap();
    conn.list_images().unwrap();
    assert_eq!(server.requests()[0].target, "/api/v1/computing/image");
    assert!(
        server.requests()[0]
            .header("Authorization")
            .unwrap()
            .starts_with(&format!("TKAuth {KEY}:"))
    );
}

#[test]
fn instance_methods_act_on_their_uuid() {
    let sample = format!(
        r#"[{{"uuid": "{INSTANCE}", "hostname": "node-1"}}, {{"uuid": "{IMAGE}", "hostname": "web"}}]"#
    );
    let server = RecordingServer::start(move |r| {
        if r.method == "GET" {
            Reply::json(200, &sample)
        } else {
            Reply::empty()
        }
    });
    let conn = server.connection().build().unwrap();
    for node in conn.list_instances(Details::none()).unwrap() {
        if node.hostname.starts_with("node-") {
            node.stop(&conn).unwrap();
        }
    }
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].method, "POST");
    assert_eq!(
        seen[1].target,
        format!("/api/v2/computing/instance/{INSTANCE}/stop")
    );
    assert_eq!(seen[1].header("Content-Length"), Some("0"));
    assert_eq!(seen[1].header("Content-Type"), None);
}
