//! Hostile input: random, truncated and mistyped answers never panic the SDK and
//! always come back as a typed error naming the call; any string is encoded so a
//! standard decoder gives it back, and never changes a path.

mod common;

use std::sync::{Arc, Mutex};

use common::{RecordingServer, Reply};
use proptest::prelude::*;
use tiktalik::encode::{Form, path_segment};
use tiktalik::{Connection, Details, Error};

const INSTANCE: &str = "71717dfb-3e86-487f-bcf0-01f6856d6bcd";

/// Cases per property; the README's Reliability section quotes these.
const DECODER_CASES: u32 = 512;
const ERROR_CASES: u32 = 256;
const ENCODING_CASES: u32 = 2048;
const PATH_CASES: u32 = 256;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // Failures are reported with their minimal input; nothing is written to disk.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A server that answers every request with the status and body the test sets.
struct Scripted {
    server: RecordingServer,
    reply: Arc<Mutex<(u16, Vec<u8>)>>,
    conn: Connection,
}

impl Scripted {
    fn start() -> Scripted {
        let reply = Arc::new(Mutex::new((200, Vec::new())));
        let shared = Arc::clone(&reply);
        let server = RecordingServer::start(move |_| {
            let (status, body) = shared.lock().unwrap().clone();
            Reply {
                status,
                content_type: "application/json",
                body,
                delay: std::time::Duration::ZERO,
            }
        });
        // Retries would only repeat the same answer here.
        let conn = server.connection().no_retries().build().unwrap();
        Scripted {
            server,
            reply,
            conn,
        }
    }

    fn answer(&self, status: u16, body: &[u8]) {
        *self.reply.lock().unwrap() = (status, body.to_vec());
    }

    /// Every decoding call of the SDK, with its name, made against the current answer.
    fn every_call(&self) -> Vec<(&'static str, Result<(), Error>)> {
        let c = &self.conn;
        let lb = "4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8";
        vec![
            ("list_instances", c.list_instances(Details::all()).map(drop)),
            (
                "get_instance",
                c.get_instance(INSTANCE, Details::all()).map(drop),
            ),
            (
                "list_instance_interfaces",
                c.list_instance_interfaces(INSTANCE).map(drop),
            ),
            (
                "get_instance_block_devices",
                c.get_instance_block_devices(INSTANCE).map(drop),
            ),
            ("list_images", c.list_images().map(drop)),
            ("get_image", c.get_image(INSTANCE).map(drop)),
            ("list_networks", c.list_networks().map(drop)),
            ("get_network", c.get_network(INSTANCE).map(drop)),
            ("list_products", c.list_products().map(drop)),
            ("list_loadbalancers", c.list_loadbalancers(true).map(drop)),
            ("get_loadbalancer", c.get_loadbalancer(lb).map(drop)),
            ("stop_instance", c.stop_instance(INSTANCE)),
        ]
    }
}

fn samples() -> Vec<serde_json::Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/conformance/sample-payloads.json"
    );
    let all: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(path).expect(path)).unwrap();
    all.into_values().collect()
}

/// Values of the wrong type, or out of any model's range.
fn hostile_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::json;
    prop_oneof![
        Just(json!(null)),
        Just(json!(true)),
        Just(json!(-1)),
        Just(json!(18_446_744_073_709_551_615u64)),
        Just(json!(-9_223_372_036_854_775_808i64)),
        Just(json!(1.5e300)),
        Just(json!("")),
        Just(json!("ż\u{0}\u{1F980}")),
        Just(json!([])),
        Just(json!({})),
        Just(json!([[[{"a": [null]}]]])),
        any::<i64>().prop_map(|n| json!(n)),
        ".{0,20}".prop_map(|s| json!(s)),
    ]
}

/// Replaces the value at a random path in `value` with `replacement`.
fn mutate(value: &mut serde_json::Value, choice: usize, replacement: serde_json::Value) {
    if choice % 3 != 0 {
        let child = match value {
            serde_json::Value::Object(map) if !map.is_empty() => {
                let n = map.len();
                map.values_mut().nth(choice % n)
            }
            serde_json::Value::Array(items) if !items.is_empty() => {
                let n = items.len();
                items.get_mut(choice % n)
            }
            _ => None,
        };
        if let Some(child) = child {
            return mutate(child, choice / 3, replacement);
        }
    }
    *value = replacement;
}

/// Bodies that are not what any call expects.
fn hostile_body() -> impl Strategy<Value = Vec<u8>> {
    let samples = samples();
    let n = samples.len();
    let truncated = (0..n, any::<prop::sample::Index>()).prop_map({
        let samples = samples.clone();
        move |(i, cut)| {
            let text = serde_json::to_vec(&samples[i]).unwrap();
            text[..cut.index(text.len())].to_vec()
        }
    });
    let mistyped = (0..n, any::<usize>(), hostile_value(), any::<bool>()).prop_map({
        let samples = samples.clone();
        move |(i, choice, value, listed)| {
            let mut sample = samples[i].clone();
            mutate(&mut sample, choice, value);
            let body = if listed {
                serde_json::json!([sample])
            } else {
                sample
            };
            serde_json::to_vec(&body).unwrap()
        }
    });
    let deep = (1usize..3000, any::<bool>()).prop_map(|(depth, objects)| {
        let (open, close) = if objects {
            ("{\"a\":", "}")
        } else {
            ("[", "]")
        };
        format!("{}1{}", open.repeat(depth), close.repeat(depth)).into_bytes()
    });
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..600),
        truncated,
        mistyped,
        deep,
        Just(b"<html><body>502 Bad Gateway</body></html>".to_vec()),
        Just(b"\xff\xfe[\"not utf-8\"]".to_vec()),
        Just(b"[1e999999]".to_vec()),
        Just(b"{\"uuid\": \"\\ud800\"}".to_vec()),
    ]
}

proptest! {
    #![proptest_config(config(DECODER_CASES))]

    #[test]
    fn hostile_answers_are_typed_errors_naming_the_call(body in hostile_body()) {
        thread_local!(static SERVER: Scripted = Scripted::start());
        SERVER.with(|s| {
            s.answer(200, &body);
            for (name, result) in s.every_call() {
                if let Err(e) = result {
                    prop_assert_eq!(e.call(), Some(name), "{}", e);
                    prop_assert!(
                        matches!(e, Error::Decode { .. }),
                        "{}: a 200 answer that does not decode is a Decode error: {:?}",
                        name,
                        e
                    );
                    prop_assert!(e.to_string().starts_with(name));
                }
            }
            Ok(())
        })?;
    }
}

proptest! {
    #![proptest_config(config(ERROR_CASES))]

    #[test]
    fn error_answers_keep_status_and_a_bounded_excerpt(
        status in prop_oneof![400u16..600, Just(401), Just(404), Just(429)],
        body in prop_oneof![
            hostile_body(),
            prop::collection::vec(any::<u8>(), 0..100_000),
            ".{0,300}".prop_map(|d| serde_json::to_vec(&serde_json::json!({ "description": d })).unwrap()),
        ],
    ) {
        thread_local!(static SERVER: Scripted = Scripted::start());
        SERVER.with(|s| {
            s.answer(status, &body);
            for (name, result) in s.every_call() {
                let e = result.expect_err("a non-2xx answer is an error");
                prop_assert_eq!(e.call(), Some(name));
                prop_assert_eq!(e.status(), Some(status));
                let Error::Api(api) = &e else {
                    return Err(TestCaseError::fail(format!("{name}: {e:?}")));
                };
                prop_assert!(api.body_excerpt.len() <= 512);
                let described = serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v.get("description").and_then(|d| d.as_str().map(str::to_owned)));
                prop_assert_eq!(api.description.clone(), described);
            }
            Ok(())
        })?;
    }
}

proptest! {
    #![proptest_config(config(ENCODING_CASES))]

    #[test]
    fn any_form_field_round_trips_through_a_standard_decoder(
        key in "\\PC{0,12}|[&=+%\\n\\r ]{0,6}",
        value in any::<String>(),
        other in "[&=+%?#/\\n ż]{0,10}",
    ) {
        let form = Form::new().field(&key, &value).field("networks[]", &other);
        let decoded: Vec<(String, String)> = form_urlencoded::parse(form.as_str().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        prop_assert_eq!(decoded, vec![(key, value), ("networks[]".to_owned(), other)]);
        prop_assert!(form.as_str().bytes().all(|b| b.is_ascii_graphic()));
    }

    #[test]
    fn any_path_segment_decodes_back_and_adds_no_component(segment in any::<String>()) {
        let encoded = path_segment(&segment);
        prop_assert!(
            encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)),
            "{}", encoded
        );
        let decoded = percent_encoding::percent_decode_str(&encoded).decode_utf8().unwrap();
        prop_assert_eq!(decoded, segment);
    }
}

proptest! {
    #![proptest_config(config(PATH_CASES))]

    #[test]
    fn a_path_argument_is_a_uuid_or_nothing_is_sent(
        id in prop_oneof![
            any::<String>(),
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[0-9a-f/?#.%-]{30,40}",
        ],
    ) {
        thread_local!(static SERVER: Scripted = Scripted::start());
        SERVER.with(|s| {
            s.answer(200, b"");
            let before = s.server.requests().len();
            match s.conn.start_instance(&id) {
                Ok(()) => {
                    let seen = s.server.requests();
                    prop_assert_eq!(seen.len(), before + 1);
                    let target = &seen[before].target;
                    prop_assert_eq!(target, &format!("/api/v2/computing/instance/{id}/start"));
                }
                Err(e) => {
                    prop_assert!(e.is_invalid_input(), "{}", e);
                    prop_assert_eq!(s.server.requests().len(), before, "nothing sent");
                }
            }
            Ok(())
        })?;
    }
}

/// Every constrained argument, refused before sending, with a message that says
/// what would be accepted.
#[test]
fn every_constrained_argument_is_refused_with_a_usable_message() {
    use tiktalik::loadbalancer::{Backend, BackendChange, BalancerType, NewLoadBalancer};
    use tiktalik::{NewInstance, Size};
    let s = Scripted::start();
    let c = &s.conn;
    let lb = "4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8";
    let image = "bb3fcb4e-d4fe-4f86-9bae-e0b7b501a934";
    let backend = Backend::new("10.0.0.1", 80, 1).unwrap();
    let cases: Vec<(Error, &str)> = vec![
        (
            c.get_instance("", Details::none()).unwrap_err(),
            "expected a UUID",
        ),
        (
            c.get_image("bb3fcb4e").unwrap_err(),
            "8-4-4-4-12 hex digits",
        ),
        (
            c.add_network_interface(INSTANCE, "net", 1).unwrap_err(),
            "8-4-4-4-12 hex digits",
        ),
        (
            c.add_network_interface(INSTANCE, image, 32).unwrap_err(),
            "use 0 (eth0) to 31",
        ),
        (
            c.remove_network_interface(INSTANCE, "eth1").unwrap_err(),
            "8-4-4-4-12 hex digits",
        ),
        ("4U".parse::<Size>().unwrap_err(), "use one of 0.25, 0.5, 1"),
        (Size::units(16).unwrap_err(), "PRO sizes are 1 to 15 units"),
        (
            c.create_instance_with(&NewInstance::new("w", "2s".parse().unwrap(), image))
                .unwrap_err(),
            "add .disk_size_gb(..)",
        ),
        (
            c.create_instance_with(&NewInstance::new("w", Size::HALF, image).disk_size_gb(0))
                .unwrap_err(),
            "0 GB is not a disk size",
        ),
        (
            c.create_instance("web_1", Size::HALF, image, &["auto"])
                .unwrap_err(),
            "letters, digits, '-' and '.'",
        ),
        (
            c.create_instance("w", Size::HALF, image, &["public"])
                .unwrap_err(),
            "8-4-4-4-12 hex digits",
        ),
        (
            c.create_network("Net").unwrap_err(),
            "only lowercase letters a-z and digits",
        ),
        (
            c.create_network("averyveryverylongname").unwrap_err(),
            "at most 15",
        ),
        (
            c.create_network("1net").unwrap_err(),
            "must not start with a digit",
        ),
        (c.rename_image(image, "").unwrap_err(), "it is empty"),
        (
            Backend::new("example.com", 80, 1).unwrap_err(),
            "IPv4 address such as 10.12.0.5",
        ),
        (
            Backend::new("10.0.0.1", 0, 1).unwrap_err(),
            "use 1 to 65535",
        ),
        (
            "10.0.0.1:80:-5".parse::<Backend>().unwrap_err(),
            "is not a number",
        ),
        (
            "10.0.0.1:80".parse::<Backend>().unwrap_err(),
            "is not ip:port:weight",
        ),
        (
            c.create_loadbalancer(&NewLoadBalancer::new("x", BalancerType::Http))
                .unwrap_err(),
            "at least one backend",
        ),
        (
            c.create_loadbalancer(
                &NewLoadBalancer::new("x", BalancerType::Unknown("UDP".into())).backend(backend),
            )
            .unwrap_err(),
            "not one of TCP, HTTP, HTTPS",
        ),
        (
            c.create_loadbalancer(
                &NewLoadBalancer::new("x", BalancerType::Http)
                    .backend(backend)
                    .port(81),
            )
            .unwrap_err(),
            "TCP balancers only",
        ),
        (
            c.create_loadbalancer(
                &NewLoadBalancer::new("x", BalancerType::Tcp)
                    .backend(backend)
                    .domain("a.com"),
            )
            .unwrap_err(),
            "HTTP and HTTPS balancers only",
        ),
        (c.rename_loadbalancer(lb, "\n").unwrap_err(), "it is empty"),
        (
            c.add_loadbalancer_domain(lb, "a b.com").unwrap_err(),
            "is not allowed",
        ),
        (
            c.set_loadbalancer_backends(lb, &[]).unwrap_err(),
            "at least one backend",
        ),
        (
            c.modify_loadbalancer_backend(lb, INSTANCE, BackendChange::new())
                .unwrap_err(),
            "set an ip, a port or a weight",
        ),
        (c.find_instance("").unwrap_err(), "it is empty"),
    ];
    for (err, hint) in cases {
        assert!(err.is_invalid_input(), "{err:?}");
        assert!(
            err.to_string().contains(hint),
            "{hint:?} missing from: {err}"
        );
    }
    assert!(s.server.requests().is_empty(), "nothing may be sent");
}
