//! A sandbox on loopback, a ledger (a file, or a PostgreSQL database), and the real binary
//! promoting into prod with a canary: what the rollout tests drive, kill and take over. Shared by
//! tests/rollout_takeover.rs (file ledger) and tests/ledger_postgres.rs (database ledger).
//! Waits are conditions with deadlines.

#![allow(dead_code)] // each test binary uses a different part of this helper

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use flightdeck::cli::exit;
use flightdeck::ledger::store::{self, LedgerLocation};
use flightdeck::ledger::{Actor, Decision, Entry, Payload};
use flightdeck::model::rollout::{Phase, Rollout};
use flightdeck::model::rollouts::Rollouts;
use flightdeck::sandbox::{self, RunningSandbox};

pub const LEASE_SECS: u64 = 2;
pub const BAKE_SECS: &str = "3";

pub struct World {
    pub sandbox: RunningSandbox,
    pub dir: tempfile::TempDir,
    /// A ledger file in `dir`, or a `postgres://` URL.
    ledger: PathBuf,
}

impl World {
    /// With a ledger file.
    pub async fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let ledger = dir.path().join("ledger.jsonl");
        World::with_ledger(dir, ledger).await
    }

    /// With the ledger at `url` (a `postgres://` URL).
    pub async fn on_database(url: &str) -> World {
        World::with_ledger(tempfile::tempdir().unwrap(), PathBuf::from(url)).await
    }

    async fn with_ledger(dir: tempfile::TempDir, ledger: PathBuf) -> World {
        let sandbox = sandbox::start("127.0.0.1:0".parse().unwrap(), 200.0)
            .await
            .unwrap();
        let w = World {
            sandbox,
            dir,
            ledger,
        };
        w.sign_prod("1.4.1");
        w
    }

    pub fn ledger(&self) -> PathBuf {
        self.ledger.clone()
    }

    fn location(&self) -> LedgerLocation {
        LedgerLocation::from_address(&self.ledger, None).unwrap()
    }

    /// The verified entries, from the file or the database.
    pub fn entries(&self) -> Vec<Entry> {
        store::read_all_blocking(&self.location()).unwrap()
    }

    /// alice and bob sign prod's grid GO for what staging runs (the sandbox starts at 1.4.1).
    pub fn sign_prod(&self, release: &str) {
        let profile = flightdeck::config::Profile::parse(
            Path::new("sandbox.toml"),
            include_str!("../../profiles/sandbox.toml"),
        )
        .unwrap();
        let signed = prod_signoffs(&profile, release);
        let location = self.location();
        for (actor, payload) in signed {
            store::append_blocking(&location, &actor, payload).unwrap();
        }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_flightdeck"));
        cmd.args(["--profile", "sandbox", "--sandbox"])
            .arg(self.sandbox.addr.to_string())
            .args(args)
            .arg("--ledger")
            .arg(self.ledger())
            .args(["--lease-secs", &LEASE_SECS.to_string()])
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env_remove("FLIGHTDECK_LOG")
            .stdin(Stdio::null());
        cmd
    }

    pub fn promote(&self, bake_secs: &str) -> Child {
        self.command(&[
            "promote",
            "staging",
            "prod",
            "--yes",
            "--bake-secs",
            bake_secs,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
    }

    pub fn rollout(&self, verb: &str) -> Output {
        self.command(&["rollout", verb, "prod"]).output().unwrap()
    }

    /// The prod rollout as the ledger tells it, once `pred` holds (deadline 60 s).
    pub fn wait_for(
        &self,
        what: &str,
        pred: impl Fn(&Rollout, &Entry) -> bool,
    ) -> (Rollout, Entry) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let entries = self.entries();
            let found = entries.iter().rev().find_map(|e| match &e.payload {
                Payload::Rollout { env, state, .. } if env == "prod" => {
                    let r: Rollout = serde_json::from_value(state.clone()).ok()?;
                    pred(&r, e).then(|| (r, e.clone()))
                }
                _ => None,
            });
            if let Some(found) = found {
                return found;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn serving(&self) -> Vec<(String, i32)> {
        let name = "projects/clarity-sandbox/locations/us-central1/services/clarity-backend-prod";
        let sim = self.sandbox.state.lock_cloudrun();
        sim.service(name).unwrap().serving.clone()
    }
}

pub fn event_of(entry: &Entry) -> &str {
    match &entry.payload {
        Payload::Rollout { event, .. } => event,
        _ => "",
    }
}

pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Holders of the rollout entries the fold accepted (a void claim is not driving).
pub fn accepted_holders(entries: &[Entry]) -> Vec<String> {
    let mut book = Rollouts::default();
    let mut holders = Vec::new();
    for entry in entries {
        book.apply(entry);
        if let Payload::Rollout { request_id, .. } = &entry.payload
            && let Some(t) = book.get(request_id)
            && t.last_seq == entry.seq
            && let Some(lease) = &t.lease
            && holders.last() != Some(&lease.holder)
        {
            holders.push(lease.holder.clone());
        }
    }
    holders
}

/// Kills the driver with `signal` during the 10% bake; checks the orphan is shown within one
/// lease, then takes it over with `rollout resume` and checks the remaining bake was honoured.
pub async fn takeover_after(signal: &str) {
    takeover_in(&World::new().await, signal).await;
}

/// [`takeover_after`] in `w` (whichever ledger it has).
pub async fn takeover_in(w: &World, signal: &str) {
    let old = w.serving()[0].0.clone();
    let first = w.promote(BAKE_SECS);
    let (baking, _) = w.wait_for("the 10% bake", |r, _| {
        matches!(r.phase, Phase::Baking { .. }) && r.current_percent() == 10
    });
    let Phase::Baking { until } = baking.phase else {
        unreachable!()
    };
    let status = Command::new("kill")
        .args([signal, &first.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let killed_at = Utc::now();
    let ended = first.wait_with_output().unwrap();
    if signal != "-9" {
        assert_eq!(
            ended.status.code(),
            Some(exit::HANDED_OVER),
            "{}",
            text(&ended)
        );
        let outcome = w.entries().into_iter().rev().find_map(|e| match e.payload {
            Payload::CommandOutcome { ok, detail, .. } => Some((ok, detail)),
            _ => None,
        });
        let (ok, detail) = outcome.expect("the handed-over promote recorded its outcome");
        assert!(!ok);
        assert_eq!(detail["status"], "handed_over");
    }

    // Orphaned within one lease period of the kill.
    let deadline = Instant::now() + Duration::from_secs(LEASE_SECS + 2);
    loop {
        let out = w.rollout("status");
        assert_eq!(out.status.code(), Some(exit::OK), "{}", text(&out));
        if text(&out).contains("ORPHANED") {
            break;
        }
        assert!(Instant::now() < deadline, "never orphaned: {}", text(&out));
        std::thread::sleep(Duration::from_millis(100));
    }
    let orphaned_after = (Utc::now() - killed_at).num_milliseconds();
    assert!(
        orphaned_after <= (LEASE_SECS as i64 + 1) * 1000,
        "orphaned {orphaned_after} ms after the kill"
    );

    let out = w.rollout("resume");
    assert_eq!(out.status.code(), Some(exit::OK), "{}", text(&out));
    let entries = w.entries();
    let step_50 = entries
        .iter()
        .find(|e| {
            event_of(e) == "step"
                && matches!(&e.payload, Payload::Rollout { state, .. } if state["step_index"] == 1)
        })
        .expect("the successor shifted to 50%");
    assert!(
        step_50.time >= until,
        "the remaining bake was honoured: 50% at {} before the bake's end {until}",
        step_50.time
    );
    let (done, _) = w.wait_for("done", |r, _| r.phase == Phase::Done);
    let new = done.to_revision.unwrap();
    assert_ne!(new, old);
    assert_eq!(w.serving(), vec![(new, 100)]);
    assert_eq!(
        accepted_holders(&entries).len(),
        2,
        "one driver, then its successor"
    );
    assert!(
        entries
            .iter()
            .any(|e| matches!(&e.payload, Payload::CommandOutcome { ok: true, .. })),
        "the successor recorded the outcome"
    );
}

/// `promote --detach`: the background process goes on after its terminal is gone (SIGHUP).
pub async fn detached_in(w: &World) {
    let out = w
        .command(&[
            "promote",
            "staging",
            "prod",
            "--yes",
            "--bake-secs",
            "1",
            "--detach",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(exit::OK), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    let pid = said
        .split("(pid ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .expect("the background pid is named");
    // The terminal goes away: the background process is told so, and goes on.
    let _ = Command::new("kill").args(["-HUP", pid]).status();
    let (done, _) = w.wait_for("done", |r, _| r.phase == Phase::Done);
    assert_eq!(w.serving(), vec![(done.to_revision.unwrap(), 100)]);
    // The state directory's name comes from `directories`; find the log wherever it is in it.
    let log = walk(&w.dir.path().join("state")).expect("a log in the state directory");
    let written = std::fs::read_to_string(log).unwrap();
    assert!(written.contains("baking"), "{written}");
}

/// The first `.log` file under `dir`.
pub fn walk(dir: &Path) -> Option<PathBuf> {
    for entry in std::fs::read_dir(dir).ok()? {
        let path = entry.ok()?.path();
        if path.is_dir() {
            if let Some(found) = walk(&path) {
                return Some(found);
            }
        } else if path.extension().is_some_and(|e| e == "log") {
            return Some(path);
        }
    }
    None
}

/// Every cell of prod's grid signed GO for `release`, by alice and bob in turn.
pub fn prod_signoffs(
    profile: &flightdeck::config::Profile,
    release: &str,
) -> Vec<(Actor, Payload)> {
    let mut signed = Vec::new();
    for item in &profile.signoff.items {
        for (i, role) in profile.signoff.roles.iter().enumerate() {
            let who = if i % 2 == 0 { "alice" } else { "bob" };
            let actor = Actor {
                account: who.into(),
                uid: 1000 + i as u32,
                host: "bastion".into(),
                ssh_origin: None,
            };
            let payload = Payload::Signoff {
                env: "prod".into(),
                release: release.into(),
                item: item.clone(),
                role: role.name.clone(),
                decision: Decision::Go,
                comment: None,
            };
            signed.push((actor, payload));
        }
    }
    signed
}
