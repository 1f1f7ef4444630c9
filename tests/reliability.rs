//! Faults and leaks: oversized, stalled and broken answers; injected faults on
//! every kind of change (never sent twice, always a typed error); and no secret or
//! signature in any Debug or Display.

mod common;

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{RecordingServer, Reply};
use tiktalik::fake::{DEBIAN_IMAGE, FakeTiktalik};
use tiktalik::loadbalancer::{Backend, BalancerType, NewLoadBalancer};
use tiktalik::{Connection, Details, Error, NewInstance, Size};

/// A TCP server that answers each connection with `script`, for answers no HTTP
/// server library would send: stalls, lies about lengths, endless bodies.
struct RawServer {
    url: String,
}

impl RawServer {
    fn start(script: impl Fn(TcpStream) + Send + Sync + 'static) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let script = Arc::new(script);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let script = Arc::clone(&script);
                std::thread::spawn(move || script(stream));
            }
        });
        RawServer { url }
    }

    fn connection(&self) -> tiktalik::ConnectionBuilder {
        Connection::builder(common::KEY, common::SECRET)
            .origin(&self.url)
            .no_proxy()
            .no_retries()
    }
}

/// Reads one request head (the test requests have no bodies to speak of).
fn read_head(stream: &mut TcpStream) {
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !seen.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
        seen.push(byte[0]);
    }
}

#[test]
fn an_endless_body_stops_at_the_limit_with_bounded_memory() {
    let written = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&written);
    let server = RawServer::start(move |mut s| {
        read_head(&mut s);
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n[");
        let element = br#"{"uuid": "71717dfb-3e86-487f-bcf0-01f6856d6bcd", "hostname": "node"},"#;
        let chunk = element.repeat(1000);
        while s.write_all(&chunk).is_ok() {
            counter.fetch_add(chunk.len(), Ordering::SeqCst);
        }
    });
    // Below the 2 MiB read whole, and above it (the streaming decoder).
    for limit in [1_000_000u64, 3_000_000] {
        written.store(0, Ordering::SeqCst);
        let conn = server
            .connection()
            .max_response_bytes(limit)
            .build()
            .unwrap();
        let err = conn.list_instances(Details::none()).unwrap_err();
        assert!(
            matches!(err, Error::BodyTooLarge { call: "list_instances", limit: l } if l == limit),
            "{err:?}"
        );
        drop(conn);
        std::thread::sleep(Duration::from_millis(50));
        // What the server got out is the limit plus socket buffers, not a gigabyte.
        let sent = written.load(Ordering::SeqCst) as u64;
        assert!(
            sent < limit + 16_000_000,
            "{sent} bytes went out for a {limit} limit"
        );
    }
}

#[test]
fn a_server_that_stalls_after_the_headers_times_out() {
    let server = RawServer::start(|mut s| {
        read_head(&mut s);
        let _ = s.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[",
        );
        std::thread::sleep(Duration::from_secs(3));
    });
    let conn = server
        .connection()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = conn.list_networks().unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    let err = conn.create_network("abc").unwrap_err();
    assert!(
        err.may_have_succeeded(),
        "a POST that timed out after sending: {err:?}"
    );
}

#[test]
fn a_server_that_closes_mid_body_is_a_transport_error() {
    let server = RawServer::start(|mut s| {
        read_head(&mut s);
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[{\"uuid\": ");
    });
    let conn = server.connection().build().unwrap();
    let err = conn.list_networks().unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                call: "list_networks",
                ..
            }
        ),
        "{err:?}"
    );
    let err = conn
        .get_network("e92e60c2-2993-4a0c-b635-c5e2b2462c7a")
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    let err = conn.create_network("abc").unwrap_err();
    assert!(
        matches!(
            err,
            Error::ResponseLost {
                call: "create_network",
                ..
            }
        ),
        "{err:?}"
    );
}

/// The fake's faults on every kind of change: each is sent exactly once and fails
/// with a typed error.
#[test]
fn no_change_is_ever_sent_twice_under_faults() {
    type Change = fn(&Connection, &str) -> Result<(), Error>;
    let changes: [(&str, &str, Change); 6] = [
        ("POST", "/instance", |c, _| {
            let spec = NewInstance::new("f-1", Size::HALF, DEBIAN_IMAGE).networks(["auto"]);
            c.create_instance_with(&spec).map(drop)
        }),
        ("DELETE", "/instance/", |c, id| c.delete_instance(id)),
        ("POST", "/start", |c, id| c.start_instance(id)),
        ("POST", "/network", |c, _| {
            c.create_network("faulty").map(drop)
        }),
        ("POST", "/loadbalancer", |c, _| {
            let spec = NewLoadBalancer::new("f", BalancerType::Tcp)
                .backend(Backend::new("10.0.0.1", 80, 1)?);
            c.create_loadbalancer(&spec).map(drop)
        }),
        ("PUT", "/backend", |c, _| {
            c.add_loadbalancer_backend(
                "4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8",
                Backend::new("10.0.0.2", 80, 1)?,
            )
        }),
    ];
    type Inject = fn(&FakeTiktalik);
    type Expect = fn(&Error) -> bool;
    let faults: [(&str, Inject, Expect); 5] = [
        (
            "503",
            |f| f.faults().fail_next(1, 503),
            |e| e.status() == Some(503),
        ),
        (
            "500",
            |f| f.faults().fail_next(1, 500),
            |e| e.status() == Some(500),
        ),
        (
            "429",
            |f| f.faults().throttle_next(1, Duration::from_secs(1)),
            |e| e.status() == Some(429) && e.retry_after() == Some(Duration::from_secs(1)),
        ),
        (
            "dropped",
            |f| f.faults().drop_next(1),
            Error::may_have_succeeded,
        ),
        (
            "latency",
            |f| f.faults().set_latency(Duration::from_millis(300)),
            Error::may_have_succeeded,
        ),
    ];
    for (fault, inject, expected) in faults {
        for (method, path, change) in changes {
            let (fake, _clock, _) = common::manual_fake();
            let conn = fake
                .connection_builder()
                .timeout(Duration::from_millis(100))
                .build()
                .unwrap();
            inject(&fake);
            let err = change(&conn, "71717dfb-3e86-487f-bcf0-01f6856d6bcd").unwrap_err();
            assert!(expected(&err), "{fault} on {method} {path}: {err:?}");
            assert_eq!(err.attempts(), 1, "{fault} on {method} {path}");
            fake.faults().clear();
            let sent = || {
                fake.requests()
                    .iter()
                    .filter(|r| r.method == method && r.target.contains(path))
                    .count()
            };
            // A delayed request shows in the log once the fake has slept and answered.
            let deadline = std::time::Instant::now() + Duration::from_secs(5);
            while sent() == 0 && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            let sent = sent();
            assert_eq!(sent, 1, "{fault} on {method} {path}: sent {sent} times");
        }
    }
}

#[test]
fn no_secret_or_signature_in_any_debug_or_display() {
    let server = RecordingServer::start(|r| {
        if r.target.contains("/image") {
            Reply::html(401, "<html>401</html>")
        } else if r.target.contains("/network") {
            Reply::json(200, "{\"not\": \"a list\"")
        } else {
            Reply::json(404, r#"{"description": "Not found"}"#)
        }
    });
    let builder = server.connection();
    let mut texts = vec![format!("{builder:?}")];
    let conn = builder.no_retries().build().unwrap();
    texts.push(format!("{conn:?}"));
    texts.push(format!("{:?}", conn.credentials()));
    texts.push(format!(
        "{:?}",
        tiktalik::credentials::CredentialSources::new().explicit(common::KEY, common::SECRET)
    ));

    let (fake, _clock, fake_conn) = common::manual_fake();
    let web = fake_conn
        .create_instance("web-1", Size::HALF, DEBIAN_IMAGE, &["auto"])
        .unwrap();
    fake.faults().fail_next_operations(1);
    fake_conn
        .stop_instance("71717dfb-3e86-487f-bcf0-01f6856d6bcd")
        .unwrap();
    let refused = RawServer::start(drop);
    let errors: Vec<Error> = vec![
        conn.list_images().unwrap_err(), // Api 401
        conn.get_instance(web.uuid.as_str(), Details::none())
            .unwrap_err(), // Api 404
        conn.list_networks().unwrap_err(), // Decode
        conn.get_instance("nope", Details::none()).unwrap_err(), // InvalidInput
        Connection::new("K", "not base64!").unwrap_err(), // Config
        refused
            .connection()
            .build()
            .unwrap()
            .list_networks()
            .unwrap_err(), // Transport
        refused
            .connection()
            .build()
            .unwrap()
            .create_network("abc")
            .unwrap_err(), // ResponseLost
        server
            .connection()
            .max_response_bytes(3)
            .no_retries()
            .build()
            .unwrap()
            .list_networks()
            .unwrap_err(),
        fake_conn
            .wait_until_stopped("71717dfb-3e86-487f-bcf0-01f6856d6bcd")
            .unwrap_err(), // Wait
        fake_conn.find_instance("zzz").unwrap_err(), // NoMatch
        fake_conn.find_instance("node").unwrap_err(), // Ambiguous
    ];
    let timeout = RawServer::start(|mut s| {
        read_head(&mut s);
        std::thread::sleep(Duration::from_secs(2));
    });
    let mut errors = errors;
    errors.push(
        timeout
            .connection()
            .timeout(Duration::from_millis(100))
            .build()
            .unwrap()
            .list_networks()
            .unwrap_err(),
    );
    let kinds: std::collections::BTreeSet<String> = errors
        .iter()
        .map(|e| {
            format!("{e:?}")
                .split([' ', '(', '{'])
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    for kind in [
        "Api",
        "Decode",
        "InvalidInput",
        "Config",
        "Transport",
        "ResponseLost",
        "BodyTooLarge",
        "Wait",
        "NoMatch",
        "Ambiguous",
        "Timeout",
    ] {
        assert!(
            kinds.contains(kind),
            "no {kind} error was produced: {kinds:?}"
        );
    }
    for e in &errors {
        texts.push(format!("{e:?}"));
        texts.push(e.to_string());
    }

    let signatures: Vec<String> = server
        .requests()
        .iter()
        .filter_map(|r| r.header("Authorization"))
        .map(|a| a.rsplit(':').next().unwrap().to_owned())
        .collect();
    assert!(!signatures.is_empty());
    let fake_secret = fake.api_secret().to_owned();
    for text in &texts {
        for secret in [common::SECRET, fake_secret.as_str(), "not base64!"] {
            assert!(!text.contains(secret), "a secret in: {text}");
        }
        for signature in &signatures {
            assert!(!text.contains(signature.as_str()), "a signature in: {text}");
        }
    }
}
