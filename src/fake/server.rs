//! The fake's HTTP side: it runs a call backwards. Read the request, apply any
//! injected fault, check TKAuth with the crate's own `auth` code, decode the
//! form with the crate's own `encode` code, route, and answer in the real
//! service's shapes.

use std::io::{Read as _, Write as _};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use serde::Serialize;

use super::LoggedRequest;
use super::faults::{Fault, Faults};
use super::state::{Account, Failure, fail};
use crate::auth::{Credentials, StringToSign, content_md5};
use crate::clock::Clock;
use crate::computing::Details;
use crate::encode::{Fields, Form};

/// How far a request's `Date` may be from the server's clock.
const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// The largest request body the fake reads.
const MAX_BODY: u64 = 1024 * 1024;

/// The most requests the log keeps (the oldest go first).
const LOG_LIMIT: usize = 100_000;

/// What the server thread shares with the `FakeTiktalik` handle.
pub(crate) struct Shared {
    pub credentials: Credentials,
    pub clock: Arc<dyn Clock>,
    pub faults: Faults,
    pub account: Mutex<Account>,
    pub log: Mutex<Vec<LoggedRequest>>,
}

impl Shared {
    pub(crate) fn account(&self) -> MutexGuard<'_, Account> {
        self.account.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn log(&self) -> MutexGuard<'_, Vec<LoggedRequest>> {
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// An answer on its way out.
struct Reply {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    retry_after: Option<u64>,
}

impl Reply {
    fn json(value: &impl Serialize) -> Reply {
        Reply {
            status: 200,
            content_type: "application/json",
            // The models serialize infallibly (no maps with non-string keys).
            body: serde_json::to_vec(value).unwrap_or_default(),
            retry_after: None,
        }
    }

    /// An action's answer: no body, and so no JSON content type (the official 1.x
    /// client parses any `application/json` body, and an empty one is not JSON).
    fn empty() -> Reply {
        Reply {
            status: 200,
            content_type: "text/plain; charset=utf-8",
            body: Vec::new(),
            retry_after: None,
        }
    }

    fn failure(failure: &Failure) -> Reply {
        Reply {
            status: failure.status,
            content_type: "application/json",
            body: serde_json::to_vec(&serde_json::json!({ "description": failure.description }))
                .unwrap_or_default(),
            retry_after: None,
        }
    }

    /// The real service answers a bad signature with an HTML page, not JSON.
    fn unauthorized(reason: &str) -> Reply {
        Reply {
            status: 401,
            content_type: "text/html; charset=utf-8",
            body: format!(
                "<html><head><title>401 Unauthorized</title></head><body>\
                 <h1>401 Unauthorized</h1><p>{reason}</p></body></html>"
            )
            .into_bytes(),
            retry_after: None,
        }
    }
}

/// Serves requests until the server is unblocked.
pub(crate) fn serve(server: &tiny_http::Server, shared: &Shared) {
    for request in server.incoming_requests() {
        handle(shared, request);
    }
}

fn header<'a>(request: &'a tiny_http::Request, name: &'static str) -> &'a str {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map_or("", |h| h.value.as_str())
}

fn handle(shared: &Shared, mut request: tiny_http::Request) {
    let mut body = Vec::new();
    let read = request
        .as_reader()
        .take(MAX_BODY + 1)
        .read_to_end(&mut body);
    let (latency, fault) = shared.faults.take();
    if !latency.is_zero() {
        std::thread::sleep(latency);
    }
    let now = shared.clock.now();
    let reply = match fault {
        Some(Fault::Status(status)) => Reply::failure(&Failure {
            status,
            description: format!("Injected fault: HTTP {status}"),
        }),
        Some(Fault::Throttle(seconds)) => Reply {
            retry_after: Some(seconds),
            ..Reply::failure(&Failure {
                status: 429,
                description: "Too many requests, slow down".to_owned(),
            })
        },
        None | Some(Fault::Drop) if read.is_err() => Reply::failure(&Failure {
            status: 400,
            description: "Could not read the request body".to_owned(),
        }),
        None | Some(Fault::Drop) if body.len() as u64 > MAX_BODY => Reply::failure(&Failure {
            status: 413,
            description: "Request body too large".to_owned(),
        }),
        None | Some(Fault::Drop) => match authenticate(shared, &request, &body, now) {
            Err(reason) => Reply::unauthorized(reason),
            Ok(()) => {
                let mut account = shared.account();
                account.advance(now);
                route(
                    &mut account,
                    request.method().as_str(),
                    request.url(),
                    &body,
                    now,
                )
                .unwrap_or_else(|f| Reply::failure(&f))
            }
        },
    };
    {
        let mut log = shared.log();
        if log.len() >= LOG_LIMIT {
            log.drain(..LOG_LIMIT / 10);
        }
        log.push(LoggedRequest {
            method: request.method().as_str().to_owned(),
            target: request.url().to_owned(),
            status: if fault == Some(Fault::Drop) {
                0
            } else {
                reply.status
            },
        });
    }
    if fault == Some(Fault::Drop) {
        break_connection(request);
        return;
    }
    let mut response = tiny_http::Response::from_data(reply.body)
        .with_status_code(reply.status)
        .with_header(tiny_http::Header {
            field: "Content-Type".parse().expect("static header name"),
            value: reply.content_type.parse().expect("static header value"),
        })
        .with_header(tiny_http::Header {
            field: "Date".parse().expect("static header name"),
            value: httpdate::fmt_http_date(now)
                .parse()
                .expect("an HTTP date is ASCII"),
        });
    if let Some(seconds) = reply.retry_after {
        response.add_header(tiny_http::Header {
            field: "Retry-After".parse().expect("static header name"),
            value: seconds.to_string().parse().expect("digits are ASCII"),
        });
    }
    // A client that hung up already is not the fake's problem.
    let _ = request.respond(response);
}

/// Answers with a head and then a body that cannot be parsed, which any HTTP client
/// reports as a broken connection and then closes. tiny_http cannot close a
/// connection on demand, so this is the closest faithful failure.
fn break_connection(request: tiny_http::Request) {
    let mut writer = request.into_writer();
    let _ = writer.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
          Transfer-Encoding: chunked\r\n\r\n5\r\n[{\"uu\r\nzz\r\n",
    );
    let _ = writer.flush();
}

/// Checks the request as the real service does: a Date near the server's clock,
/// a Content-MD5 that matches the body, and a TKAuth signature of this key.
fn authenticate(
    shared: &Shared,
    request: &tiny_http::Request,
    body: &[u8],
    now: SystemTime,
) -> Result<(), &'static str> {
    let date = header(request, "Date");
    let Ok(sent) = httpdate::parse_http_date(date) else {
        return Err("missing or malformed Date header");
    };
    let skew = now
        .duration_since(sent)
        .or_else(|_| sent.duration_since(now))
        .unwrap_or_default();
    if skew > MAX_SKEW {
        return Err("the Date header is more than 15 minutes from the server's time");
    }
    let md5 = header(request, "Content-MD5");
    if !body.is_empty() && !md5.eq_ignore_ascii_case(&content_md5(body)) {
        return Err("Content-MD5 does not match the body");
    }
    let signed = StringToSign {
        method: request.method().as_str(),
        content_md5: md5,
        content_type: header(request, "Content-Type"),
        date,
        target: request.url(),
    };
    if shared
        .credentials
        .verify(&signed, header(request, "Authorization"))
    {
        Ok(())
    } else {
        Err("the signature does not match")
    }
}

/// Dispatches a computing call to the account.
fn route(
    account: &mut Account,
    method: &str,
    target: &str,
    body: &[u8],
    now: SystemTime,
) -> Result<Reply, Failure> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let form = Form::parse(body);
    let query = Form::parse(query.as_bytes());
    let decode = |rest: &str| -> Vec<String> {
        rest.split('/')
            .skip(1)
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .collect()
    };
    if let Some(rest) = path
        .strip_prefix(crate::LOADBALANCER_BASE_PATH)
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
    {
        let segments = decode(rest);
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        return route_balancers(account, method, &segments, &query, &form, now);
    }
    let Some(rest) = path
        .strip_prefix("/api/v2/computing")
        .or_else(|| path.strip_prefix("/api/v1/computing"))
    else {
        return fail(404, "Not found");
    };
    let segments = decode(rest);
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let details = || {
        let flag = |name: &str| query.get(name) == Some("true");
        Details {
            actions: flag("actions"),
            vpsimage: flag("vpsimage"),
            cost: flag("cost"),
        }
    };
    let empty = |r: Result<(), Failure>| r.map(|()| Reply::empty());
    match (method, segments.as_slice()) {
        ("GET", ["instance"]) => Ok(Reply::json(&account.list_instances(details()))),
        ("POST", ["instance"]) => Ok(Reply::json(&account.create_instance(&form, now)?)),
        ("GET", ["instance", id]) => Ok(Reply::json(&account.get_instance(id, details())?)),
        ("DELETE", ["instance", id]) => empty(account.delete_instance(id)),
        (
            "POST",
            [
                "instance",
                id,
                action @ ("start" | "stop" | "force_stop" | "install" | "backup"),
            ],
        ) => empty(account.instance_action(id, action, &form, now)),
        ("GET", ["instance", id, "interface"]) => Ok(Reply::json(&account.list_interfaces(id)?)),
        ("POST", ["instance", id, "interface"]) => empty(account.add_interface(id, &form)),
        ("DELETE", ["instance", id, "interface", interface]) => {
            empty(account.remove_interface(id, interface))
        }
        ("GET", ["instance", id, "blockdevice"]) => Ok(Reply::json(&account.block_devices(id)?)),
        ("GET", ["image"]) => Ok(Reply::json(&account.list_images())),
        ("GET", ["image", id]) => Ok(Reply::json(&account.get_image(id)?)),
        ("DELETE", ["image", id]) => empty(account.delete_image(id)),
        ("POST", ["image", id, "set_name"]) => empty(account.rename_image(id, &form)),
        ("GET", ["network"]) => Ok(Reply::json(&account.list_networks())),
        ("POST", ["network"]) => Ok(Reply::json(&account.create_network(&form)?)),
        ("GET", ["network", id]) => Ok(Reply::json(&account.get_network(id)?)),
        ("GET", ["product"]) => Ok(Reply::json(&account.list_products())),
        _ => fail(404, "Not found"),
    }
}

/// Dispatches a load-balancer call to the account.
fn route_balancers(
    account: &mut Account,
    method: &str,
    segments: &[&str],
    query: &Fields,
    form: &Fields,
    now: SystemTime,
) -> Result<Reply, Failure> {
    match (method, segments) {
        ("GET", []) => Ok(Reply::json(
            &account.list_balancers(query.get("history") == Some("true")),
        )),
        ("POST", []) => Ok(Reply::json(&account.create_balancer(form, now)?)),
        ("GET", [id]) => Ok(Reply::json(&account.get_balancer(id)?)),
        ("DELETE", [id]) => account.delete_balancer(id).map(|()| Reply::empty()),
        (_, [id, rest @ ..]) => account
            .change_balancer(method, id, rest, form, now)
            .map(|()| Reply::empty()),
        _ => fail(404, "Not found"),
    }
}
