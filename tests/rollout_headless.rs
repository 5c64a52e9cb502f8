//! The whole cockpit, headless: the real loop (`runtime::run_on`) on a `TestBackend`, synthetic
//! keys, the sandbox on loopback and a temp ledger. Promote to prod through its canary from the
//! keyboard; quit mid-bake and hand the rollout over, then another process finishes it.
//! Every wait is a condition on the screen, the ledger or the sandbox, with a deadline.

#[path = "support/headless.rs"]
mod headless;
#[path = "support/rollout_world.rs"]
mod rollout_world;

use std::time::{Duration, Instant};

use clap::Parser;
use crossterm::event::KeyCode;
use flightdeck::cli::Cli;
use flightdeck::ledger::{Entry, Ledger, Payload};
use flightdeck::sandbox::{self, RunningSandbox};
use flightdeck::session::Session;
use headless::{Cockpit, wait};

fn sign_prod(ledger: &Ledger, profile: &flightdeck::config::Profile, release: &str) {
    for (actor, payload) in rollout_world::prod_signoffs(profile, release) {
        ledger.append(&actor, payload).unwrap();
    }
}

struct World {
    sandbox: RunningSandbox,
    dir: tempfile::TempDir,
}

impl World {
    async fn new() -> World {
        let sandbox = sandbox::start("127.0.0.1:0".parse().unwrap(), 200.0)
            .await
            .unwrap();
        World {
            sandbox,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn ledger_path(&self) -> std::path::PathBuf {
        self.dir.path().join("ledger.jsonl")
    }

    fn entries(&self) -> Vec<Entry> {
        Ledger::open(self.ledger_path())
            .unwrap()
            .read_all()
            .unwrap()
    }

    fn events(&self) -> Vec<String> {
        self.entries()
            .into_iter()
            .filter_map(|e| match e.payload {
                Payload::Rollout { event, .. } if event != "heartbeat" => Some(event),
                _ => None,
            })
            .collect()
    }

    fn serving(&self) -> Vec<(String, i32)> {
        let name = "projects/clarity-sandbox/locations/us-central1/services/clarity-backend-prod";
        self.sandbox
            .state
            .lock_cloudrun()
            .service(name)
            .unwrap()
            .serving
            .clone()
    }

    /// The cockpit on the sandbox profile with a 1 s bake in prod, prod signed off for 1.4.1.
    async fn cockpit(&self, bake_secs: u64) -> Cockpit {
        let addr = self.sandbox.addr.to_string();
        let cli = Cli::try_parse_from(["flightdeck", "--sandbox", &addr]).unwrap();
        let mut session = Session::open(&cli.globals.profile, cli.globals.sandbox)
            .await
            .unwrap();
        session.profile.ledger.path = Some(self.ledger_path());
        for env in &mut session.profile.environments {
            if let Some(canary) = &mut env.canary {
                canary.bake_secs = bake_secs;
            }
        }
        let ledger = Ledger::open(self.ledger_path()).unwrap();
        if ledger.read_all().unwrap().is_empty() {
            sign_prod(&ledger, &session.profile, "1.4.1");
        }
        headless::start(session, &cli.globals).await
    }
}

/// `]` `]` selects prod; `p` promotes staging's 1.4.1; prod asks for its name.
async fn promote_prod(c: &Cockpit) {
    c.wait_screen("1.4.1").await;
    c.key(KeyCode::Char(']'));
    c.key(KeyCode::Char(']'));
    c.key(KeyCode::Char('p'));
    c.wait_screen("Type `prod` to go ahead").await;
    c.type_text("prod");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promote_with_a_canary_from_the_keyboard_runs_in_the_loop_to_the_end() {
    let w = World::new().await;
    let old = w.serving()[0].0.clone();
    let c = w.cockpit(1).await;
    promote_prod(&c).await;
    wait("the rollout done in the ledger", || {
        w.events().last().map(String::as_str) == Some("done")
    })
    .await;
    let events = w.events();
    assert_eq!(
        events,
        [
            "plan", "step", "bake", "step", "bake", "step", "bake", "done"
        ],
        "every transition recorded, in order"
    );
    let serving = w.serving();
    assert_eq!(serving.len(), 1);
    assert_ne!(serving[0].0, old);
    assert_eq!(serving[0].1, 100);
    wait("the outcome", || {
        w.entries()
            .iter()
            .any(|e| matches!(e.payload, Payload::CommandOutcome { ok: true, .. }))
    })
    .await;
    c.key(KeyCode::Char('q'));
    let model = c.done.await.unwrap().unwrap();
    assert!(model.operations.hosted.is_empty());
}

/// `R` on prod rolls back in the loop: the change, then the lane's probes until healthy, then
/// the outcome, each one effect of `update`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_from_the_keyboard_runs_in_the_loop_until_prod_is_healthy() {
    let w = World::new().await;
    let before = w.serving();
    assert_eq!(before.len(), 1, "prod serves one revision: {before:?}");
    let c = w.cockpit(1).await;
    c.wait_screen("1.4.1").await;
    c.key(KeyCode::Char(']'));
    c.key(KeyCode::Char(']'));
    c.key(KeyCode::Char('R'));
    c.wait_screen("Roll back prod").await;
    c.key(KeyCode::Enter);
    c.wait_screen("Type `prod` to go ahead").await;
    c.type_text("prod");
    let outcome = || {
        w.entries().into_iter().find_map(|e| match e.payload {
            Payload::CommandOutcome { ok, detail, .. } => Some((ok, detail)),
            _ => None,
        })
    };
    wait("the rollback's outcome", || outcome().is_some()).await;
    let (ok, detail) = outcome().unwrap();
    assert!(ok, "{detail}");
    assert_eq!(detail["action"], "rollback");
    assert!(detail["healthy_after_secs"].as_f64().is_some(), "{detail}");
    let after = w.serving();
    assert_eq!(after.len(), 1);
    assert_ne!(after[0].0, before[0].0, "traffic moved");
    assert_eq!(after[0].1, 100);
    let commands = w
        .entries()
        .iter()
        .filter(|e| matches!(&e.payload, Payload::Command { action, .. } if action == "rollback"))
        .count();
    assert_eq!(commands, 1, "recorded once");
    c.wait_screen("healthy").await;
    c.key(KeyCode::Char('q'));
    let model = c.done.await.unwrap().unwrap();
    assert!(model.operations.changes.is_empty());
    assert!(model.operations.running.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quitting_mid_bake_asks_then_hands_over_and_another_process_finishes() {
    let w = World::new().await;
    let old = w.serving()[0].0.clone();
    let c = w.cockpit(600).await;
    promote_prod(&c).await;
    wait("the 10% bake", || {
        w.events().last().map(String::as_str) == Some("bake")
    })
    .await;
    c.key(KeyCode::Char('q'));
    c.wait_screen("Quit while driving").await;
    c.type_text("h");
    let model = c.done.await.unwrap().unwrap();
    assert!(model.quitting);
    assert_eq!(w.events().last().map(String::as_str), Some("released"));
    let handed_over = w.entries().into_iter().find_map(|e| match e.payload {
        Payload::CommandOutcome { ok, detail, .. } => Some((ok, detail)),
        _ => None,
    });
    let (ok, detail) = handed_over.expect("the hand-over is recorded as the outcome");
    assert!(!ok);
    assert_eq!(detail["status"], "handed_over");

    // A restarted cockpit sees it orphaned at once (the lease was released) and advances it.
    let c = w.cockpit(600).await;
    c.wait_screen("ORPHANED").await;
    c.key(KeyCode::Char(']'));
    c.key(KeyCode::Char(']'));
    c.key(KeyCode::Char('a'));
    // Advancing moves traffic: prod asks for its name first.
    c.wait_screen("Confirm: advance the rollout in prod").await;
    c.type_text("prod");
    wait("the 50% step", || {
        w.entries().iter().any(|e| {
            matches!(&e.payload, Payload::Rollout { event, state, .. }
                if event == "advance" && state["step_index"] == 1)
        })
    })
    .await;
    // Abort from the keyboard: traffic back, and the cockpit can quit without asking.
    wait("the 50% bake", || {
        w.events().last().map(String::as_str) == Some("bake")
    })
    .await;
    c.key(KeyCode::Char('x'));
    c.wait_screen("Confirm: abort the rollout in prod").await;
    c.type_text("prod");
    wait("aborted", || {
        w.events().last().map(String::as_str) == Some("aborted")
    })
    .await;
    assert_eq!(w.serving(), vec![(old, 100)]);
    c.key(KeyCode::Char('q'));
    let model = c.done.await.unwrap().unwrap();
    assert!(model.operations.hosted.is_empty());
}

/// The sandbox's GitHub: POST a JSON body, GET a JSON answer.
async fn github(w: &World, path: &str, body: Option<serde_json::Value>) -> serde_json::Value {
    let url = format!("{}{path}", w.sandbox.base_url());
    let http = reqwest::Client::new();
    let resp = match body {
        Some(b) => http.post(url).bearer_auth("sandbox").json(&b).send().await,
        None => http.get(url).send().await,
    };
    let resp = resp.unwrap();
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_waiting_on_prod_is_approved_from_the_keyboard_once_the_grid_is_go() {
    let w = World::new().await;
    let plan = serde_json::json!({"approval_gate": true, "job_secs": 1.0, "list_delay_secs": 0});
    github(&w, "/_sandbox/github/faults", Some(plan)).await;
    let dispatch = "/repos/clarity/clarity-backend/actions/workflows/release.yml/dispatches";
    let body = serde_json::json!({"ref": "main", "inputs": {"version": "1.4.1"}, "return_run_details": true});
    let run_id = github(&w, dispatch, Some(body)).await["workflow_run_id"]
        .as_u64()
        .unwrap();
    // prod is signed GO for 1.4.1 by alice and bob (the cockpit's account is neither).
    let c = w.cockpit(1).await;
    c.wait_screen("GitHub prod: approve v/V").await;
    c.wait_screen("prod waits for approval by oncall-lead, team release-managers")
        .await;
    c.key(KeyCode::Char(']'));
    c.key(KeyCode::Char(']'));
    c.key(KeyCode::Char('v'));
    c.wait_screen("Approve what waits on prod").await;
    c.type_text("from the cockpit");
    c.wait_screen("Type `prod` to go ahead").await;
    c.type_text("prod");
    let deadline = Instant::now() + Duration::from_secs(30);
    let reviews = loop {
        let reviews = github(&w, "/_sandbox/github/reviews", None).await;
        if !reviews.as_array().unwrap().is_empty() {
            break reviews;
        }
        assert!(
            Instant::now() < deadline,
            "no review sent:\n{}",
            c.screen.text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let sent = reviews.as_array().unwrap();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["run_id"], run_id);
    assert_eq!(sent[0]["state"], "approved");
    let comment = sent[0]["comment"].as_str().unwrap();
    assert!(comment.contains("prod / 1.4.1: GO"), "{comment}");
    assert!(comment.ends_with(": from the cockpit"), "{comment}");
    c.wait_screen("approve prod: approve prod for run").await;
    wait("the approval and its outcome in the ledger", || {
        w.entries().iter().any(|e| {
            matches!(&e.payload, Payload::CommandOutcome { ok: true, detail, .. }
                if detail["verb"] == "approve")
        })
    })
    .await;
    let run_path = format!("/repos/clarity/clarity-backend/actions/runs/{run_id}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while github(&w, &run_path, None).await["conclusion"] != "success" {
        assert!(Instant::now() < deadline, "the approved run did not finish");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        github(&w, "/_sandbox/github/reviews", None)
            .await
            .as_array()
            .unwrap()
            .len(),
        1,
        "sent once"
    );
    c.key(KeyCode::Char('q'));
}
