//! Rollouts that outlive their driver, with the real binary against a sandbox on loopback:
//! kill -9 (or SIGHUP, SIGTERM) the promoting process mid-bake; `rollout status` shows the
//! rollout orphaned within one lease; `rollout resume` takes it over and finishes it with the
//! remaining bake honoured; a second process pauses, advances and aborts a rollout it did not
//! start; `promote --detach` goes on without its terminal. Waits are conditions with deadlines.

#[path = "support/rollout_world.rs"]
mod world;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use flightdeck::cli::exit;
use flightdeck::ledger::Payload;
use flightdeck::model::rollout::Phase;
use flightdeck::model::rollouts::{Driver, Rollouts};
use world::{BAKE_SECS, LEASE_SECS, World, accepted_holders, event_of, takeover_after, text};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_bake_then_a_successor_finishes() {
    takeover_after("-9").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_mid_bake_hands_over() {
    takeover_after("-HUP").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_bake_hands_over_with_an_outcome() {
    takeover_after("-TERM").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_successors_never_drive_at_once() {
    let w = World::new().await;
    let mut first = w.promote(BAKE_SECS);
    w.wait_for("the 10% bake", |r, _| {
        matches!(r.phase, Phase::Baking { .. })
    });
    first.kill().unwrap();
    first.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(LEASE_SECS + 5);
    while !matches!(
        Rollouts::from_entries(&w.entries())
            .in_flight("prod")
            .map(|t| t.driver(Utc::now())),
        Some(Driver::Orphaned { .. })
    ) {
        assert!(Instant::now() < deadline, "never orphaned");
        std::thread::sleep(Duration::from_millis(50));
    }
    let b = w
        .command(&["rollout", "resume", "prod"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let c = w
        .command(&["rollout", "resume", "prod"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (b, c) = (b.wait_with_output().unwrap(), c.wait_with_output().unwrap());
    let entries = w.entries();
    let holders = accepted_holders(&entries);
    assert_eq!(
        holders.len(),
        2,
        "the dead driver, then exactly one successor: {holders:?}\n{}\n{}",
        text(&b),
        text(&c)
    );
    let shifts: Vec<_> = entries
        .iter()
        .filter(|e| event_of(e) == "step")
        .filter_map(|e| match &e.payload {
            Payload::Rollout { state, .. } => state["step_index"].as_u64(),
            _ => None,
        })
        .collect();
    assert_eq!(shifts, vec![0, 1, 2], "each step recorded once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_process_pauses_advances_and_aborts_a_rollout_it_did_not_start() {
    let w = World::new().await;
    let old = w.serving()[0].0.clone();
    let first = w.promote("600");
    w.wait_for("the 10% bake", |r, _| {
        matches!(r.phase, Phase::Baking { .. })
    });
    let out = w.rollout("pause");
    assert_eq!(out.status.code(), Some(exit::OK), "{}", text(&out));
    w.wait_for("paused", |r, _| matches!(r.phase, Phase::Paused { .. }));
    let out = w.rollout("advance");
    assert_eq!(out.status.code(), Some(exit::OK), "{}", text(&out));
    w.wait_for("the 50% step", |r, _| r.current_percent() == 50);
    let out = w.rollout("abort");
    assert_eq!(out.status.code(), Some(exit::OK), "{}", text(&out));
    let ended = first.wait_with_output().unwrap();
    assert_eq!(
        ended.status.code(),
        Some(exit::FAILURE),
        "aborted: {}",
        text(&ended)
    );
    w.wait_for("aborted", |r, _| matches!(r.phase, Phase::Aborted { .. }));
    assert_eq!(w.serving(), vec![(old, 100)]);
    let status = w.rollout("status");
    assert!(
        text(&status).contains("no rollout is in flight"),
        "{}",
        text(&status)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detached_promote_outlives_its_terminal() {
    world::detached_in(&World::new().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_says_so_when_the_cloud_no_longer_shows_the_recorded_split() {
    let w = World::new().await;
    let old = w.serving()[0].0.clone();
    let mut first = w.promote("600");
    w.wait_for("the 10% bake", |r, _| {
        matches!(r.phase, Phase::Baking { .. })
    });
    first.kill().unwrap();
    first.wait().unwrap();
    let out = w.rollout("status");
    assert!(!text(&out).contains("stale"), "{}", text(&out));
    // Traffic changed outside this rollout: a rollback recorded in another ledger.
    let elsewhere = w.dir.path().join("elsewhere.jsonl");
    let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(["--profile", "sandbox", "--sandbox"])
        .arg(w.sandbox.addr.to_string())
        .args(["rollback", "prod", "--yes", "--to", &old, "--ledger"])
        .arg(&elsewhere)
        .env("XDG_STATE_HOME", w.dir.path().join("state"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(exit::OK), "{}", text(&out));
    let out = w.rollout("status");
    let said = text(&out);
    assert!(said.contains("at 10%, but the cloud serves"), "{said}");
    assert!(said.contains("record is stale"), "{said}");
}

#[test]
fn detach_refuses_a_sandbox_that_would_end_with_this_process() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args([
            "--profile",
            "sandbox",
            "promote",
            "staging",
            "prod",
            "--yes",
        ])
        .args(["--detach", "--ledger"])
        .arg(dir.path().join("ledger.jsonl"))
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(exit::USAGE), "{}", text(&out));
    assert!(text(&out).contains("--sandbox ADDR"), "{}", text(&out));
    assert!(
        !dir.path().join("state").exists() || world::walk(&dir.path().join("state")).is_none(),
        "no background process, no log"
    );
}
