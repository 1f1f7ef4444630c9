//! The official Python SDK (tiktalik==2.0.0), a client nobody here wrote, drives
//! the `fake_server` example through the tutorial and a full round trip.
//!
//! `.ci/run` installs the SDK into a venv and runs this with
//! `TIKTALIK_PYTHON=<venv>/bin/python cargo test --test python_sdk -- --ignored`.

mod common;

#[test]
#[ignore = "needs the official Python SDK in a venv; .ci/run sets TIKTALIK_PYTHON and runs it"]
fn official_python_sdk_runs_against_the_fake_server() {
    let python = std::env::var("TIKTALIK_PYTHON")
        .expect("TIKTALIK_PYTHON must name a python with tiktalik==2.0.0 installed");
    let server = common::FakeServerProcess::spawn(&["--speed", "60"]);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/conformance.py");
    let output = std::process::Command::new(python)
        .args([script, &server.url, &server.key, &server.secret])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    print!("{stdout}");
    eprint!("{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the Python SDK's checks failed");
    assert!(stdout.contains("9 passed, 0 failed"), "{stdout}");
}
