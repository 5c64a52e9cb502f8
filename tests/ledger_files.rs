//! The ledger file itself: created group-writable in a setgid directory (the shared-ledger
//! recipe), never created by a read-only run, and a missing file is named as missing.

use std::os::unix::fs::PermissionsExt;

use clap::Parser;
use flightdeck::cli::ledger::verify_to;
use flightdeck::cli::{Cli, exit};
use flightdeck::ledger::Ledger;
use flightdeck::sandbox;

#[test]
fn a_ledger_created_in_a_setgid_directory_is_group_writable() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o2770)).unwrap();
    let ledger = Ledger::open(shared.join("ledger.jsonl")).unwrap();
    let mode = std::fs::metadata(ledger.path())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o060, 0o060, "group read/write: {mode:o}");
    assert_eq!(mode & 0o002, 0, "never world-writable: {mode:o}");

    let private = dir.path().join("private");
    std::fs::create_dir(&private).unwrap();
    let ledger = Ledger::open(private.join("ledger.jsonl")).unwrap();
    let mode = std::fs::metadata(ledger.path())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o020,
        0,
        "outside a setgid directory the umask decides: {mode:o}"
    );
}

#[test]
fn verify_of_a_missing_file_says_it_does_not_exist_and_where() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nowhere.jsonl");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(verify_to(&path, &mut out, &mut err), exit::IO);
    let err = String::from_utf8(err).unwrap();
    assert!(err.contains("nowhere.jsonl: no ledger file there"), "{err}");
    assert!(err.contains("[ledger] path"), "{err}");
    assert!(
        !err.contains("writable"),
        "no hint about write access: {err}"
    );
    assert!(!path.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_runs_create_no_ledger_file() {
    let sandbox = sandbox::start("127.0.0.1:0".parse().unwrap(), 200.0)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.jsonl");
    let (addr, path) = (sandbox.addr.to_string(), ledger.display().to_string());
    for args in [
        &["--read-only", "promote", "staging", "prod", "--yes"][..],
        &["--read-only", "rollback", "prod", "--yes"],
    ] {
        let mut argv = vec!["flightdeck", "--profile", "sandbox", "--sandbox", &addr];
        argv.extend_from_slice(args);
        argv.extend_from_slice(&["--ledger", &path]);
        let code = flightdeck::cli::main(Cli::try_parse_from(argv).unwrap()).await;
        assert_eq!(code, exit::REFUSED, "{args:?}");
        assert!(!ledger.exists(), "{args:?} created the ledger file");
    }
}
