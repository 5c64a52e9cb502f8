//! The headless `trigger` / `promote` / `rollback` commands through the real CLI entry point,
//! against a sandbox started in the test (loopback): exit codes, read-only, confirmation.

use clap::Parser;
use flightdeck::cli::{Cli, exit};
use flightdeck::ledger::Ledger;
use flightdeck::sandbox::{self, RunningSandbox};

fn revision_count(sandbox: &RunningSandbox) -> usize {
    let sim = sandbox.state.lock_cloudrun();
    sim.services.values().map(|s| s.revisions.len()).sum()
}

async fn run(sandbox: &RunningSandbox, ledger: &std::path::Path, args: &[&str]) -> i32 {
    let addr = sandbox.addr.to_string();
    let ledger = ledger.display().to_string();
    let mut argv = vec!["flightdeck", "--profile", "sandbox", "--sandbox", &addr];
    argv.extend_from_slice(args);
    argv.extend_from_slice(&["--ledger", &ledger]);
    flightdeck::cli::main(Cli::try_parse_from(argv).expect("valid arguments")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_refuses_every_command_and_sends_nothing() {
    let sandbox = sandbox::start("127.0.0.1:0".parse().unwrap(), 200.0)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.jsonl");
    let before = revision_count(&sandbox);
    for args in [
        &["--read-only", "trigger", "1.5.0"][..],
        &["--read-only", "promote", "dev", "staging", "--yes"],
        &[
            "--read-only",
            "promote",
            "staging",
            "prod",
            "--yes",
            "--override-reason",
            "no",
        ],
        &["--read-only", "rollback", "prod", "--yes", "--json"],
    ] {
        assert_eq!(
            run(&sandbox, &ledger, args).await,
            exit::REFUSED,
            "{args:?}"
        );
    }
    assert_eq!(revision_count(&sandbox), before);
    let written = Ledger::open(&ledger).unwrap().read_all().unwrap();
    assert!(
        written.is_empty(),
        "a refused command is not recorded as sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_for_usage_confirmation_and_success() {
    let sandbox = sandbox::start("127.0.0.1:0".parse().unwrap(), 200.0)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.jsonl");
    assert_eq!(
        run(&sandbox, &ledger, &["promote", "dev", "qa"]).await,
        exit::USAGE
    );
    assert_eq!(
        run(
            &sandbox,
            &ledger,
            &["rollback", "prod", "--to", "nope", "--yes"]
        )
        .await,
        exit::USAGE
    );
    // prod wants its name typed; tests have no terminal, so only --yes confirms.
    assert_eq!(
        run(&sandbox, &ledger, &["rollback", "prod"]).await,
        exit::REFUSED
    );
    // prod's promote needs sign-offs by someone else: refused, nothing sent.
    let before = revision_count(&sandbox);
    assert_eq!(
        run(&sandbox, &ledger, &["promote", "staging", "prod", "--yes"]).await,
        exit::REFUSED
    );
    assert_eq!(revision_count(&sandbox), before);
    assert_eq!(
        run(&sandbox, &ledger, &["rollback", "prod", "--yes", "--json"]).await,
        exit::OK
    );
    assert_eq!(
        run(&sandbox, &ledger, &["trigger", "1.6.0"]).await,
        exit::OK
    );
    assert_eq!(revision_count(&sandbox), before + 1);
}
