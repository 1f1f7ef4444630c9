//! The SDK against bare ureq and the official Python SDK, side by side, on 127.0.0.1.
//!
//! `cargo run --release --example bench [--calls N] [--sizes 10,1000,10000] [--quick]`
//!
//! 1. `get_instance` through the SDK, and the identical signed request through a bare
//!    `ureq::Agent` (signed once, body read but not decoded: the floor for this
//!    transport): median and p99 latency, calls per second.
//! 2. `list_instances` with every detail for accounts of each size: wall time of the
//!    call (which includes the fake building the answer), MB/s of JSON decoded the
//!    way the SDK decodes it, and the peak RSS of a fresh process that makes just
//!    that call, against the body size.
//! 3. When `python3` (or `$TIKTALIK_PYTHON`) has `tiktalik==2.0.0`, the official SDK
//!    making the same `get_instance` calls.
//!
//! The fake server runs in a child process (this program with `--serve`), so the
//! client's peak memory is its own. `--quick` is the tiny configuration CI runs.

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use tiktalik::auth::{Credentials, StringToSign};
use tiktalik::fake::FakeTiktalik;
use tiktalik::{Connection, Details, Instance};

const NODE_1: &str = "71717dfb-3e86-487f-bcf0-01f6856d6bcd";

type Failure = Box<dyn std::error::Error>;

/// The fake in a child process, killed on drop.
struct Server {
    url: String,
    key: String,
    secret: String,
    child: Child,
    _stdout: std::io::Lines<BufReader<ChildStdout>>,
}

impl Server {
    fn spawn(extra_instances: usize) -> Result<Server, Failure> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(["--serve", &extra_instances.to_string()])
            .stdout(Stdio::piped())
            .spawn()?;
        let mut lines = BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
        let mut next = || -> Result<String, Failure> {
            let line = lines.next().ok_or("the server said nothing")??;
            Ok(line.split_once('=').ok_or("not NAME=value")?.1.to_owned())
        };
        let (url, key, secret) = (next()?, next()?, next()?);
        Ok(Server {
            url,
            key,
            secret,
            child,
            _stdout: lines,
        })
    }

    fn connection(&self) -> Result<Connection, tiktalik::Error> {
        Connection::builder(self.key.clone(), &self.secret)
            .origin(self.url.clone())
            .no_proxy()
            .build()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(extra_instances: usize) -> Result<(), Failure> {
    let fake = FakeTiktalik::builder()
        .extra_instances(extra_instances)
        .start()?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "TIKTALIK_API_URL={}", fake.url())?;
    writeln!(out, "TIKTALIK_API_KEY={}", fake.api_key())?;
    writeln!(out, "TIKTALIK_API_SECRET={}", fake.api_secret())?;
    out.flush()?;
    loop {
        std::thread::park();
    }
}

/// The same GET the SDK makes, signed once, sent by a bare agent.
struct Bare {
    agent: ureq::Agent,
    url: String,
    date: String,
    authorization: String,
}

impl Bare {
    fn new(server: &Server, target: &str) -> Result<Bare, Failure> {
        let credentials = Credentials::new(server.key.clone(), &server.secret)?;
        let date = httpdate::fmt_http_date(std::time::SystemTime::now());
        let authorization = credentials.authorization(&StringToSign {
            method: "GET",
            content_md5: "",
            content_type: "",
            date: &date,
            target,
        });
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .build()
            .new_agent();
        Ok(Bare {
            agent,
            url: format!("{}{target}", server.url),
            date,
            authorization,
        })
    }

    fn call(&self) -> Result<Vec<u8>, Failure> {
        let mut response = self
            .agent
            .get(&self.url)
            .header("Date", &self.date)
            .header("Authorization", &self.authorization)
            .call()?;
        if response.status() != 200 {
            return Err(format!("bare request answered {}", response.status()).into());
        }
        Ok(response
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_vec()?)
    }
}

/// Latencies of one client, sorted.
struct Timings(Vec<Duration>);

impl Timings {
    fn percentile(&self, p: f64) -> Duration {
        let i = ((self.0.len() as f64 - 1.0) * p).round() as usize;
        self.0[i]
    }

    fn per_second(&self) -> f64 {
        self.0.len() as f64 / self.0.iter().sum::<Duration>().as_secs_f64()
    }
}

/// Runs `sdk` and `bare` alternately, call by call, so that whatever else the
/// machine does affects both alike.
fn race(
    calls: usize,
    mut sdk: impl FnMut() -> Result<(), Failure>,
    mut bare: impl FnMut() -> Result<(), Failure>,
) -> Result<(Timings, Timings), Failure> {
    for _ in 0..calls.min(500) {
        sdk()?;
        bare()?;
    }
    let (mut a, mut b) = (Vec::with_capacity(calls), Vec::with_capacity(calls));
    for _ in 0..calls {
        let started = Instant::now();
        sdk()?;
        let between = Instant::now();
        bare()?;
        a.push(between - started);
        b.push(between.elapsed());
    }
    a.sort();
    b.sort();
    Ok((Timings(a), Timings(b)))
}

/// Peak and current resident memory of this process, in bytes (Linux).
fn memory() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb * 1024)
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

/// Child mode: one `list_instances` with every detail in a fresh process, then its
/// peak RSS, so nothing else this benchmark did is counted.
fn list_peak(url: &str, key: &str, secret: &str) -> Result<(), Failure> {
    let conn = Connection::builder(key, secret)
        .origin(url)
        .no_proxy()
        .build()?;
    let listed = conn.list_instances(Details::all())?;
    let (peak, _) = memory().ok_or("no /proc/self/status")?;
    println!("{peak} {}", listed.len());
    Ok(())
}

fn measure_list_peak(server: &Server) -> Result<Option<u64>, Failure> {
    let output = Command::new(std::env::current_exe()?)
        .args(["--list-peak", &server.url, &server.key, &server.secret])
        .output()?;
    if !output.status.success() {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&output.stdout);
    Ok(text.split_whitespace().next().and_then(|p| p.parse().ok()))
}

fn python_calls_per_second(server: &Server, calls: usize) -> Option<f64> {
    let python = std::env::var("TIKTALIK_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let script = r#"
import sys, time
from urllib.parse import urlparse
from tiktalik import TiktalikAuthConnection
url, key, secret, uuid, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
u = urlparse(url)
conn = TiktalikAuthConnection(key, secret, host=u.hostname, port=u.port, use_ssl=False)
for _ in range(20):
    conn.get_instance(uuid)
start = time.perf_counter()
for _ in range(n):
    conn.get_instance(uuid)
print(n / (time.perf_counter() - start))
"#;
    let output = Command::new(python)
        .args([
            "-c",
            script,
            &server.url,
            &server.key,
            &server.secret,
            NODE_1,
        ])
        .arg(calls.to_string())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8_lossy(&output.stdout).trim().parse().ok()
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    if let Some(extra) = value("--serve") {
        return serve(extra.parse()?);
    }
    if let [flag, url, key, secret] = args.as_slice() {
        if flag == "--list-peak" {
            return list_peak(url, key, secret);
        }
    }
    let quick = args.iter().any(|a| a == "--quick");
    let calls: usize =
        value("--calls").map_or(Ok(if quick { 200 } else { 5000 }), |n| n.parse())?;
    let sizes: Vec<usize> = value("--sizes")
        .unwrap_or_else(|| if quick { "10,100" } else { "10,1000,10000" }.to_owned())
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()?;

    let mut rows: Vec<[String; 4]> = Vec::new();
    let mut row = |what: String, value: String, target: &str, met: Option<bool>| {
        let verdict = match met {
            Some(true) => "yes",
            Some(false) => "NO",
            None => "",
        };
        rows.push([what, value, target.to_owned(), verdict.to_owned()]);
    };

    // 1. One call: the SDK against the bare transport.
    let server = Server::spawn(0)?;
    let conn = server.connection()?;
    let bare = Bare::new(
        &server,
        &format!("/api/v2/computing/instance/{NODE_1}?actions=false&vpsimage=false&cost=false"),
    )?;
    let (sdk, floor) = race(
        calls,
        || {
            conn.get_instance(NODE_1, Details::none())
                .map(drop)
                .map_err(Into::into)
        },
        || bare.call().map(drop),
    )?;
    let overhead = sdk.percentile(0.5).as_secs_f64() / floor.percentile(0.5).as_secs_f64() - 1.0;
    for (name, t) in [
        ("SDK get_instance", &sdk),
        ("bare ureq, same request", &floor),
    ] {
        row(
            format!("{name}: median / p99"),
            format!(
                "{:.1} / {:.1} µs",
                t.percentile(0.5).as_secs_f64() * 1e6,
                t.percentile(0.99).as_secs_f64() * 1e6
            ),
            "",
            None,
        );
        row(
            format!("{name}: calls/s"),
            format!("{:.0}", t.per_second()),
            "",
            None,
        );
    }
    row(
        "SDK cost over bare ureq (median)".to_owned(),
        format!("{:+.1} %", overhead * 100.0),
        "<= 15 %",
        Some(overhead <= 0.15),
    );

    // Is the server the bottleneck? Two bare clients at once should beat one.
    let started = Instant::now();
    let per_client = calls / 2;
    std::thread::scope(|s| -> Result<(), Failure> {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| -> Result<(), String> {
                    let mine = Bare::new(
                        &server,
                        &format!("/api/v2/computing/instance/{NODE_1}?actions=false&vpsimage=false&cost=false"),
                    )
                    .map_err(|e| e.to_string())?;
                    for _ in 0..per_client {
                        mine.call().map_err(|e| e.to_string())?;
                    }
                    Ok(())
                })
            })
            .collect();
        for w in workers {
            w.join().map_err(|_| "a client panicked")??;
        }
        Ok(())
    })?;
    let two = (2 * per_client) as f64 / started.elapsed().as_secs_f64();
    row(
        "fake server, two bare clients at once: calls/s".to_owned(),
        format!("{two:.0} ({:.2}x one client)", two / floor.per_second()),
        "> one client",
        Some(two > floor.per_second()),
    );

    // 3. The official Python SDK, same calls. Both sides run a plain loop of calls
    // on one connection, timed as a whole.
    let python_calls = calls.min(2000);
    match python_calls_per_second(&server, python_calls) {
        Some(python) => {
            let started = Instant::now();
            for _ in 0..calls {
                conn.get_instance(NODE_1, Details::none())?;
            }
            let loop_rate = calls as f64 / started.elapsed().as_secs_f64();
            row(
                "SDK get_instance in a loop: calls/s".to_owned(),
                format!("{loop_rate:.0}"),
                "",
                None,
            );
            row(
                "Python SDK get_instance in a loop: calls/s".to_owned(),
                format!("{python:.0}"),
                "",
                None,
            );
            let ratio = loop_rate / python;
            row(
                "SDK / Python SDK calls per second".to_owned(),
                format!("{ratio:.1}x"),
                ">= 8x",
                Some(ratio >= 8.0),
            );
        }
        None => row(
            "Python SDK".to_owned(),
            "skipped: no python3 with tiktalik==2.0.0 (set TIKTALIK_PYTHON)".to_owned(),
            "",
            None,
        ),
    }
    drop(conn);
    drop(server);

    // 2. Listing with every detail, per account size.
    for size in sizes {
        let server = Server::spawn(size.saturating_sub(4))?;
        let conn = server.connection()?;
        let body = Bare::new(
            &server,
            "/api/v2/computing/instance?actions=true&vpsimage=true&cost=true",
        )?
        .call()?;
        // Decoding alone: serde_json's slice parser, which the SDK runs on the whole
        // body up to 2 MiB and element by element over a window above that. Repeated
        // over about 20 MB so small bodies are timed too; freeing is not counted.
        let rounds = (20_000_000 / body.len()).clamp(2, 1000);
        let mut decode = Duration::ZERO;
        for round in 0..=rounds {
            let started = Instant::now();
            let decoded: Vec<Instance> = serde_json::from_slice(&body)?;
            let took = started.elapsed();
            assert_eq!(decoded.len(), size.max(4));
            drop(decoded);
            // The first round warms the heap.
            if round > 0 {
                decode += took;
            }
        }
        let decode = decode / rounds as u32;
        let body_len = body.len();
        drop(body);

        let mut best = Duration::MAX;
        for _ in 0..3 {
            let started = Instant::now();
            let listed = conn.list_instances(Details::all())?;
            best = best.min(started.elapsed());
            assert_eq!(listed.len(), size.max(4));
        }
        let peak = measure_list_peak(&server)?;
        let instances = size.max(4);
        row(
            format!("list_instances, {instances} instances: call wall time"),
            format!(
                "{:.2} ms for {:.2} MB = {:.0} MB/s",
                best.as_secs_f64() * 1e3,
                mb(body_len),
                mb(body_len) / best.as_secs_f64()
            ),
            "(includes the server)",
            None,
        );
        row(
            format!("list_instances, {instances} instances: decode only"),
            format!("{:.0} MB/s", mb(body_len) / decode.as_secs_f64()),
            ">= 150 MB/s",
            Some(mb(body_len) / decode.as_secs_f64() >= 150.0),
        );
        match peak {
            Some(peak) => {
                let limit = 3 * body_len as u64 + 10_000_000;
                row(
                    format!("list_instances, {instances} instances: peak RSS"),
                    format!(
                        "{:.1} MB ({:.1}x the body)",
                        peak as f64 / 1e6,
                        peak as f64 / body_len as f64
                    ),
                    &format!("< {:.1} MB", limit as f64 / 1e6),
                    Some(peak < limit),
                );
            }
            None => row(
                format!("list_instances, {instances} instances: peak RSS"),
                "not measured (needs Linux /proc/self/status)".to_owned(),
                "",
                None,
            ),
        }
    }

    if quick {
        println!("(--quick: a smoke run; the targets apply to a full --release run)");
    }
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let (w0, w1, w2) = (width(0), width(1), width(2).max(6));
    println!(
        "| {:w0$} | {:w1$} | {:w2$} | met |",
        "measurement", "value", "target"
    );
    println!(
        "|{}|{}|{}|-----|",
        "-".repeat(w0 + 2),
        "-".repeat(w1 + 2),
        "-".repeat(w2 + 2)
    );
    for [what, value, target, met] in &rows {
        println!("| {what:w0$} | {value:w1$} | {target:w2$} | {met:3} |");
    }
    Ok(())
}
