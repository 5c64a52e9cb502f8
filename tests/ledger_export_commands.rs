//! `ledger export` is the record of a release: the commands with their overrides and outcomes,
//! how long each took, and the ledger head each was decided on; run here through the real CLI
//! against a sandbox on loopback.

use std::path::Path;

use clap::Parser;
use flightdeck::cli::ledger::{ExportArgs, ExportFormat, export_to};
use flightdeck::cli::{Cli, exit};
use flightdeck::config::Profile;
use flightdeck::ledger::{Actor, Ledger, Payload, Setup};
use flightdeck::sandbox;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_lists_commands_with_outcome_elapsed_time_and_head() {
    let sandbox = sandbox::start("127.0.0.1:0".parse().unwrap(), 200.0)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.jsonl");
    let note = Payload::Comment {
        env: "prod".into(),
        release: "1.4.0".into(),
        item: "Database".into(),
        role: "Technical Lead".into(),
        text: "backup taken".into(),
    };
    let bob = Actor {
        account: "bob".into(),
        uid: 1000,
        host: "bastion".into(),
        ssh_origin: None,
    };
    Ledger::open(&ledger).unwrap().append(&bob, note).unwrap();
    let head = Setup::plain(&ledger)
        .read()
        .unwrap()
        .head()
        .unwrap()
        .clone();

    let addr = sandbox.addr.to_string();
    let path = ledger.display().to_string();
    let argv = [
        "flightdeck",
        "--profile",
        "sandbox",
        "--sandbox",
        &addr,
        "rollback",
        "prod",
        "--yes",
        "--ledger",
        &path,
    ];
    assert_eq!(
        flightdeck::cli::main(Cli::try_parse_from(argv).unwrap()).await,
        exit::OK
    );

    let entries = Ledger::open(&ledger).unwrap().read_all().unwrap();
    let command = entries
        .iter()
        .find_map(|e| match &e.payload {
            Payload::Command { detail, .. } => Some(detail.clone()),
            _ => None,
        })
        .expect("the command was recorded");
    assert_eq!(command["ledger_head"]["hash"], head.line_hash.as_str());
    let elapsed = entries
        .iter()
        .find_map(|e| match &e.payload {
            Payload::CommandOutcome { detail, .. } => detail["elapsed_secs"].as_f64(),
            _ => None,
        })
        .expect("the outcome was recorded");
    assert!(elapsed > 0.0, "the real duration, not 0.0");

    let text = include_str!("../profiles/sandbox.toml");
    let profile = Profile::parse(Path::new("sandbox.toml"), text).unwrap();
    let args = ExportArgs {
        format: ExportFormat::Md,
        env: Some("prod".into()),
        release: None,
        ledger: None,
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let setup = Setup::plain(&ledger);
    assert_eq!(export_to(&args, &profile, &setup, &mut out, &mut err), 0);
    let md = String::from_utf8(out).unwrap();
    assert!(md.contains("## Commands"), "{md}");
    assert!(md.contains("| rollback | prod |"), "{md}");
    assert!(md.contains("| ok done"), "{md}");
    assert!(md.contains(&format!("seq 1 `{}`", head.line_hash)), "{md}");
    assert!(md.starts_with("Ledger head: `"), "{md}");
}
