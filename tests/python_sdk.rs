//! The official Python SDKs, clients nobody here wrote, drive the `fake_server`
//! example: 2.0.0 through the tutorial and a full round trip, 1.6.3.1 (the last
//! with the load-balancer API) through every load-balancer call.
//!
//! `.ci/run` installs each into a venv and runs this with
//! `TIKTALIK_PYTHON=<venv>/bin/python TIKTALIK_PYTHON_1X=<venv1>/bin/python
//! cargo test --test python_sdk -- --ignored`.

mod common;

/// Runs `script` with the python named by `python_var` against a fresh
/// `fake_server`; its output must end with `expected`.
fn drive(python_var: &str, script: &str, expected: &str) {
    let python = std::env::var(python_var)
        .unwrap_or_else(|_| panic!("{python_var} must name a python with the official SDK"));
    let server = common::FakeServerProcess::spawn(&["--speed", "60"]);
    let script = format!("{}/tests/python/{script}", env!("CARGO_MANIFEST_DIR"));
    let output = std::process::Command::new(python)
        .args([script.as_str(), &server.url, &server.key, &server.secret])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    print!("{stdout}");
    eprint!("{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the Python SDK's checks failed");
    assert!(stdout.trim_end().ends_with(expected), "{stdout}");
}

#[test]
#[ignore = "needs tiktalik==2.0.0 in a venv; .ci/run sets TIKTALIK_PYTHON and runs it"]
fn official_python_sdk_runs_against_the_fake_server() {
    drive("TIKTALIK_PYTHON", "conformance.py", "9 passed, 0 failed");
}

#[test]
#[ignore = "needs tiktalik==1.6.3.1 in a venv; .ci/run sets TIKTALIK_PYTHON_1X and runs it"]
fn official_python_sdk_1x_drives_the_fake_load_balancers() {
    drive(
        "TIKTALIK_PYTHON_1X",
        "loadbalancer.py",
        "5 passed, 0 failed",
    );
}
