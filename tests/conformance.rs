//! The conformance suite: the official client libraries (Python `google-cloud-run`,
//! `google-cloud-deploy`, PyGithub) and the `gh` CLI drive a real `flightdeck sandbox`, for every
//! call flightdeck itself makes, and assert what they parse (`tests/conformance/*.py`).
//!
//! `tests/run.sh` provisions the Python environment and `gh`, and names the interpreter in
//! `FLIGHTDECK_CONFORMANCE_PYTHON`. Run without it, this test fails and says how to run it.

use std::process::Command;

#[test]
fn the_official_clients_accept_the_sandbox() {
    let Ok(python) = std::env::var("FLIGHTDECK_CONFORMANCE_PYTHON") else {
        panic!(
            "FLIGHTDECK_CONFORMANCE_PYTHON is not set: run the tests with `tests/run.sh`, which \
             creates the conformance suite's Python environment"
        );
    };
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/conformance");
    let output = Command::new(&python)
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", dir])
        .env("FLIGHTDECK_BIN", env!("CARGO_BIN_EXE_flightdeck"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the conformance suite failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains(" passed"),
        "the conformance suite ran no test:\n{stdout}"
    );
}
