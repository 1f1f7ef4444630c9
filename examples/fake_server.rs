//! Runs the fake Tiktalik on 127.0.0.1 for any client (curl, the official Python
//! SDK, your own tools) until interrupted.
//!
//! `cargo run --example fake_server [--port N] [--speed X]`
//!
//! The first three lines of output are `TIKTALIK_API_URL=...`, `TIKTALIK_API_KEY=...`
//! and `TIKTALIK_API_SECRET=...`, ready for `export`. Operations take their real
//! durations divided by the speed (an install is 60 s at speed 1).

use std::io::Write as _;

use tiktalik::fake::FakeTiktalik;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut port = 0;
    let mut speed = 1.0;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--port" => port = value()?.parse()?,
            "--speed" => speed = value()?.parse()?,
            other => {
                return Err(format!("unknown argument {other:?}; use --port N, --speed X").into());
            }
        }
    }
    let fake = FakeTiktalik::builder().port(port).speed(speed).start()?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "TIKTALIK_API_URL={}", fake.url())?;
    writeln!(out, "TIKTALIK_API_KEY={}", fake.api_key())?;
    writeln!(out, "TIKTALIK_API_SECRET={}", fake.api_secret())?;
    writeln!(
        out,
        "serving the fake Tiktalik at speed {speed}; Ctrl-C stops it"
    )?;
    out.flush()?;
    drop(out);
    loop {
        std::thread::park();
    }
}
