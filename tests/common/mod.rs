//! A local HTTP server for integration tests: it records every request, checks its
//! TKAuth signature and Content-MD5 with its own code (not the crate's signer), and
//! answers through a handler the test gives.

#![allow(dead_code)] // each test binary uses part of this module

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use md5::Digest as _;

pub const KEY: &str = "EXAMPLEKEY1234";
pub const SECRET: &str = "ULQ/dVl0JWsrP/J1fEREIkn7DCE=";

/// What the server saw of one request.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub remote_port: u16,
    /// The signature and Content-MD5 checked out.
    pub signature_ok: bool,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An answer: status, content type and body.
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// Wait this long before answering.
    pub delay: Duration,
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Reply {
        Reply {
            status,
            content_type: "application/json",
            body: body.as_bytes().to_vec(),
            delay: Duration::ZERO,
        }
    }

    pub fn html(status: u16, body: &str) -> Reply {
        Reply {
            status,
            content_type: "text/html",
            body: body.as_bytes().to_vec(),
            delay: Duration::ZERO,
        }
    }

    pub fn empty() -> Reply {
        Reply::json(200, "")
    }
}

type Handler = dyn Fn(&Recorded) -> Reply + Send + Sync;

pub struct RecordingServer {
    pub url: String,
    server: Arc<tiny_http::Server>,
    log: Arc<Mutex<Vec<Recorded>>>,
    thread: Option<JoinHandle<()>>,
}

fn independent_check(
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> bool {
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    if !body.is_empty() {
        let digest = md5::Md5::digest(body);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        if get("Content-MD5") != hex {
            return false;
        }
    }
    let canonical = format!(
        "{method}\n{}\n{}\n{}\n{target}",
        get("Content-MD5"),
        get("Content-Type"),
        get("Date")
    );
    let key = base64::engine::general_purpose::STANDARD
        .decode(SECRET)
        .unwrap();
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(&key).unwrap();
    mac.update(canonical.as_bytes());
    let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    get("Authorization") == format!("TKAuth {KEY}:{sig}")
}

impl RecordingServer {
    pub fn start(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Self {
        // TCP_NODELAY, inherited by accepted sockets: without it every answer over
        // tiny_http's 1 KiB buffer waits ~40 ms for a delayed ACK.
        let socket =
            socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        socket.set_tcp_nodelay(true).unwrap();
        socket
            .bind(&std::net::SocketAddr::from(([127, 0, 0, 1], 0)).into())
            .unwrap();
        socket.listen(64).unwrap();
        let listener: std::net::TcpListener = socket.into();
        let server = Arc::new(tiny_http::Server::from_listener(listener, None).unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let thread = {
            let server = Arc::clone(&server);
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                for mut request in server.incoming_requests() {
                    let mut body = Vec::new();
                    let _ = request.as_reader().read_to_end(&mut body);
                    let method = request.method().as_str().to_owned();
                    let target = request.url().to_owned();
                    let headers: Vec<(String, String)> = request
                        .headers()
                        .iter()
                        .map(|h| {
                            (
                                h.field.as_str().as_str().to_owned(),
                                h.value.as_str().to_owned(),
                            )
                        })
                        .collect();
                    let signature_ok = independent_check(&method, &target, &headers, &body);
                    let recorded = Recorded {
                        method,
                        target,
                        headers,
                        body,
                        remote_port: request.remote_addr().map_or(0, |a| a.port()),
                        signature_ok,
                    };
                    let reply = handler(&recorded);
                    log.lock().unwrap().push(recorded);
                    std::thread::sleep(reply.delay);
                    let response = tiny_http::Response::from_data(reply.body)
                        .with_status_code(reply.status)
                        .with_header(
                            tiny_http::Header::from_bytes("Content-Type", reply.content_type)
                                .unwrap(),
                        );
                    let _ = request.respond(response);
                }
            })
        };
        RecordingServer {
            url: format!("http://127.0.0.1:{port}"),
            server,
            log,
            thread: Some(thread),
        }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.log.lock().unwrap().clone()
    }

    pub fn connection(&self) -> tiktalik::ConnectionBuilder {
        tiktalik::Connection::builder(KEY, SECRET)
            .origin(&self.url)
            .no_proxy()
    }
}

impl Drop for RecordingServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A clock stuck at one instant, so every request carries the same Date.
pub struct FixedClock(pub SystemTime);

impl tiktalik::clock::Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
    fn sleep(&self, _: Duration) {}
}

/// `target/<profile>/examples/<name>` (built by a whole `cargo test`), with the
/// TIKTALIK_* variables removed from its environment.
pub fn example(name: &str) -> std::process::Command {
    let exe = std::env::current_exe().unwrap();
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .unwrap()
        .join("examples");
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is not built: run the whole `cargo test` (or `cargo build --examples`)",
        path.display()
    );
    let mut command = std::process::Command::new(path);
    for var in [
        "TIKTALIK_API_KEY",
        "TIKTALIK_API_SECRET",
        "TIKTALIK_API_URL",
    ] {
        command.env_remove(var);
    }
    command
}

/// The `fake_server` example running in a child process; killed on drop.
pub struct FakeServerProcess {
    pub url: String,
    pub key: String,
    pub secret: String,
    child: std::process::Child,
    /// Kept open: a closed pipe would make the server's next write fail.
    _stdout: std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
}

impl FakeServerProcess {
    /// Starts it and reads the three `NAME=value` lines it must print first.
    pub fn spawn(args: &[&str]) -> Self {
        use std::io::BufRead as _;
        let mut child = example("fake_server")
            .args(args)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let mut value = |name: &str| {
            let line = lines.next().unwrap().unwrap();
            line.strip_prefix(&format!("{name}="))
                .unwrap_or_else(|| panic!("{line:?} should start with {name}="))
                .to_owned()
        };
        let url = value("TIKTALIK_API_URL");
        let key = value("TIKTALIK_API_KEY");
        let secret = value("TIKTALIK_API_SECRET");
        FakeServerProcess {
            url,
            key,
            secret,
            child,
            _stdout: lines,
        }
    }
}

impl Drop for FakeServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fake on a manual clock that starts now, and a connection sharing that clock.
pub fn manual_fake() -> (
    tiktalik::fake::FakeTiktalik,
    tiktalik::clock::ManualClock,
    tiktalik::Connection,
) {
    let clock = tiktalik::clock::ManualClock::new(SystemTime::now());
    let fake = tiktalik::fake::FakeTiktalik::builder()
        .manual_clock(&clock)
        .start()
        .unwrap();
    let conn = fake.connection().unwrap();
    (fake, clock, conn)
}

/// Sends a request the SDK would refuse to send, signed by hand for `fake`, and
/// returns the status and body. `signed_md5` replaces the body's true Content-MD5,
/// for a test that lies about it.
pub fn raw_request(
    fake: &tiktalik::fake::FakeTiktalik,
    method: &str,
    target: &str,
    body: &str,
    signed_md5: Option<&str>,
) -> (u16, String) {
    use tiktalik::auth::{Credentials, StringToSign, content_md5};
    let creds = Credentials::new(fake.api_key(), fake.api_secret()).unwrap();
    let date = httpdate::fmt_http_date(fake.clock().now());
    let md5 = match (signed_md5, body.is_empty()) {
        (Some(md5), _) => md5.to_owned(),
        (None, true) => String::new(),
        (None, false) => content_md5(body.as_bytes()),
    };
    let content_type = if md5.is_empty() {
        ""
    } else {
        "application/x-www-form-urlencoded"
    };
    let auth = creds.authorization(&StringToSign {
        method,
        content_md5: &md5,
        content_type,
        date: &date,
        target,
    });
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None) // 127.0.0.1 only, whatever the environment says
        .build()
        .into();
    let mut request = ureq::http::Request::builder()
        .method(method)
        .uri(format!("{}{target}", fake.url()))
        .header("Date", &date)
        .header("Authorization", &auth);
    if !md5.is_empty() {
        request = request
            .header("Content-Type", content_type)
            .header("Content-MD5", &md5);
    }
    let mut response = agent.run(request.body(body.as_bytes()).unwrap()).unwrap();
    let status = response.status().as_u16();
    (status, response.body_mut().read_to_string().unwrap())
}
