//! Cloud Deploy end to end against the embedded sandbox: release → promote → approve → advance
//! → rollbackTarget along dev → staging → prod (prod: canary 10/50 and an approval), the grid's
//! say over approval, lost create answers that must not create twice, a failed job retried, and
//! the same path through the real binary, and from the cockpit's keyboard.

#[path = "support/headless.rs"]
mod headless;

use std::time::Duration;

use clap::Parser;
use crossterm::event::KeyCode;

use flightdeck::commands::clouddeploy_gate::GateAction;
use flightdeck::commands::outcome::{Outcome, Status};
use flightdeck::commands::run::rollout_action as gate;
use flightdeck::commands::run::{Context, Request, execute};
use flightdeck::commands::{TriggerVia, WireOptions};
use flightdeck::config::Profile;
use flightdeck::ledger::{Actor, Decision, Ledger, Payload};
use flightdeck::sandbox::{self, RunningSandbox};

pub const PROFILE: &str = include_str!("../profiles/clouddeploy-sandbox.toml");

fn actor(name: &str) -> Actor {
    Actor {
        account: name.into(),
        uid: 1000,
        host: "bastion".into(),
        ssh_origin: None,
    }
}

struct World {
    sandbox: RunningSandbox,
    _dir: tempfile::TempDir,
    ctx: Context,
}

async fn world() -> World {
    let sandbox = sandbox::start("127.0.0.1:0".parse().unwrap(), 200.0)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut profile = Profile::parse(std::path::Path::new("cd.toml"), PROFILE).unwrap();
    for env in &mut profile.environments {
        env.clouddeploy.as_mut().unwrap().base_url = Some(sandbox.base_url());
    }
    let ctx = Context {
        profile,
        http: reqwest::Client::new(),
        actor: actor("carol"),
        ledger_path: dir.path().join("ledger.jsonl"),
        read_only: false,
        wire: WireOptions {
            call_timeout: Duration::from_secs(5),
            poll_initial: Duration::from_millis(30),
            poll_max: Duration::from_millis(100),
            op_deadline: Duration::from_secs(60),
            max_attempts: 6,
            backoff_base: Duration::from_millis(30),
        },
        probe_every: None,
        progress: flightdeck::commands::quiet(),
        yes: true,
        override_reason: None,
        confirm: None,
        control: Default::default(),
        release: Default::default(),
        lease: flightdeck::commands::run::DEFAULT_LEASE,
        github_token: Default::default(),
    };
    World {
        sandbox,
        _dir: dir,
        ctx,
    }
}

fn sign(ctx: &Context, env: &str, release: &str) {
    let ledger = Ledger::open(&ctx.ledger_path).unwrap();
    for item in &ctx.profile.signoff.items {
        for (i, role) in ctx.profile.signoff.roles.iter().enumerate() {
            let payload = Payload::Signoff {
                env: env.into(),
                release: release.into(),
                item: item.clone(),
                role: role.name.clone(),
                decision: Decision::Go,
                comment: None,
            };
            let who = if i % 2 == 0 { "alice" } else { "bob" };
            ledger.append(&actor(who), payload).unwrap();
        }
    }
}

async fn trigger(w: &World, version: &str) -> Outcome {
    let request = Request::Trigger {
        version: version.into(),
        via: TriggerVia::CloudRun,
    };
    execute(&w.ctx, request).await
}

async fn promote(w: &World, from: &str, to: &str) -> Outcome {
    let request = Request::Promote {
        from: from.into(),
        to: to.into(),
        bake_secs: None,
    };
    execute(&w.ctx, request).await
}

fn done(outcome: &Outcome) {
    assert_eq!(outcome.status, Status::Done, "{}", outcome.text());
}

/// dev → staging → prod for `version`: promote, approve, advance through the canary.
async fn to_prod(w: &World, version: &str) {
    done(&trigger(w, version).await);
    done(&promote(w, "dev", "staging").await);
    sign(&w.ctx, "prod", version);
    let waiting = promote(w, "staging", "prod").await;
    done(&waiting);
    assert!(
        waiting.message.contains("waits for approval"),
        "{}",
        waiting.message
    );
    let approved = gate(&w.ctx, "prod", GateAction::Approve).await;
    done(&approved);
    assert!(approved.message.contains("at 10%"), "{}", approved.message);
    assert!(
        approved.text().starts_with("approve prod: done"),
        "{}",
        approved.text()
    );
    let half = gate(&w.ctx, "prod", GateAction::Advance(None)).await;
    assert!(half.message.contains("at 50%"), "{}", half.message);
    assert!(
        half.text().starts_with("advance prod: done"),
        "{}",
        half.text()
    );
    let verbs: Vec<String> = entries(&w.ctx)
        .into_iter()
        .filter_map(|p| match p {
            Payload::CommandOutcome { detail, .. } => detail["verb"].as_str().map(String::from),
            _ => None,
        })
        .collect();
    assert_eq!(verbs, ["approve", "advance"], "outcomes say what was done");
    let stable = gate(&w.ctx, "prod", GateAction::Advance(None)).await;
    done(&stable);
    assert!(
        stable.message.contains(&format!("prod runs {version}")),
        "{}",
        stable.message
    );
}

fn entries(ctx: &Context) -> Vec<Payload> {
    let ledger = Ledger::open(&ctx.ledger_path).unwrap();
    ledger
        .read_all()
        .unwrap()
        .into_iter()
        .map(|e| e.payload)
        .collect()
}

#[tokio::test]
async fn release_promote_approve_advance_and_roll_back_prod() {
    let w = world().await;
    let refused = promote(&w, "dev", "staging").await;
    assert_eq!(refused.status, Status::Failed, "nothing runs in dev yet");
    to_prod(&w, "1.4.2").await;
    // Without the grid's GO, approval is refused and nothing is sent.
    done(&trigger(&w, "1.4.3").await);
    done(&promote(&w, "dev", "staging").await);
    done(&promote(&w, "staging", "prod").await);
    let no_go = gate(&w.ctx, "prod", GateAction::Approve).await;
    assert_eq!(no_go.status, Status::Refused, "{}", no_go.text());
    assert!(no_go.message.contains("[signoff]"), "{}", no_go.message);
    sign(&w.ctx, "prod", "1.4.3");
    done(&gate(&w.ctx, "prod", GateAction::Approve).await);
    done(
        &gate(
            &w.ctx,
            "prod",
            GateAction::Advance(Some("canary-50".into())),
        )
        .await,
    );
    let wrong = gate(
        &w.ctx,
        "prod",
        GateAction::Advance(Some("canary-10".into())),
    )
    .await;
    assert_eq!(wrong.status, Status::Usage, "{}", wrong.text());
    // The cockpit's keys send this request (`a` on a Cloud Deploy lane).
    let cockpit_advance = Request::Gate {
        env: "prod".into(),
        action: GateAction::Advance(None),
        comment: None,
    };
    let advanced = execute(&w.ctx, cockpit_advance).await;
    done(&advanced);
    assert!(
        advanced.text().starts_with("advance prod: done"),
        "{}",
        advanced.text()
    );

    let rollback = execute(
        &w.ctx,
        Request::Rollback {
            env: "prod".into(),
            to: None,
        },
    )
    .await;
    done(&rollback);
    assert!(
        rollback.message.contains("waits for approval"),
        "{}",
        rollback.message
    );
    // Approving a rollback passes the rollback gates: no sign-off needed for the fix.
    let back = gate(&w.ctx, "prod", GateAction::Approve).await;
    done(&back);
    assert!(back.message.contains("prod runs 1.4.2"), "{}", back.message);
    {
        let sim = w.sandbox.state.lock_clouddeploy();
        let rollbacks: Vec<_> = sim
            .rollouts
            .values()
            .filter(|r| r.rollback_of.is_some())
            .collect();
        assert_eq!(rollbacks.len(), 1);
        assert_eq!(rollbacks[0].target_id, "prod");
    }
    let approvals: Vec<serde_json::Value> = entries(&w.ctx)
        .into_iter()
        .filter_map(|p| match p {
            Payload::Command { action, detail, .. } if action == "approve" => Some(detail),
            _ => None,
        })
        .collect();
    assert_eq!(
        approvals.len(),
        3,
        "two promotions and one rollback approved; the refused one never recorded as sent"
    );
    let comment = approvals[0]["comment"].as_str().unwrap();
    assert!(
        comment.contains("sign-off for prod / 1.4.2: GO"),
        "{comment}"
    );
    assert!(
        comment.contains("Technical Lead (alice)") && comment.contains("Ledger head"),
        "{comment}"
    );
}

#[tokio::test]
async fn lost_create_answers_are_retried_with_the_same_request_id() {
    let w = world().await;
    w.sandbox
        .state
        .lock_clouddeploy()
        .faults
        .lose_next_create_answers = 1;
    let outcome = trigger(&w, "2.0.0").await;
    done(&outcome);
    let request_id = outcome.request_id.clone().unwrap();
    {
        let sim = w.sandbox.state.lock_clouddeploy();
        assert_eq!(sim.releases.len(), 1, "one release despite two sends");
        assert!(sim.request_ids.contains_key(&request_id));
        assert_eq!(sim.faults.lose_next_create_answers, 0);
    }
    w.sandbox
        .state
        .lock_clouddeploy()
        .faults
        .lose_next_create_answers = 1;
    done(&promote(&w, "dev", "staging").await);
    let sim = w.sandbox.state.lock_clouddeploy();
    let on_staging = sim
        .rollouts
        .values()
        .filter(|r| r.target_id == "staging")
        .count();
    assert_eq!(on_staging, 1, "one rollout despite a lost answer");
}

#[tokio::test]
async fn a_failed_job_is_retried_and_a_rejection_stops_prod() {
    let w = world().await;
    done(&trigger(&w, "3.0.0").await);
    w.sandbox
        .state
        .lock_clouddeploy()
        .faults
        .fail_next_deploy_jobs = 1;
    let failed = promote(&w, "dev", "staging").await;
    assert_eq!(failed.status, Status::Failed, "{}", failed.text());
    assert!(
        failed.message.contains("job deploy of phase stable failed"),
        "{}",
        failed.message
    );
    let retried = gate(&w.ctx, "staging", GateAction::Retry).await;
    done(&retried);
    assert!(
        retried.message.contains("staging runs 3.0.0"),
        "{}",
        retried.message
    );

    done(&promote(&w, "staging", "prod").await);
    let rejected = gate(&w.ctx, "prod", GateAction::Reject).await;
    done(&rejected);
    assert!(
        rejected.message.contains("rejected rollout"),
        "{}",
        rejected.message
    );
    let again = gate(&w.ctx, "prod", GateAction::Approve).await;
    assert_eq!(again.status, Status::Usage, "{}", again.text());
    let cancel = gate(&w.ctx, "prod", GateAction::Cancel).await;
    assert_eq!(
        cancel.status,
        Status::Usage,
        "a rejected rollout has nothing to cancel"
    );
}

#[test]
fn the_example_profiles_parse() {
    for name in [
        "clouddeploy.example.toml",
        "script.example.toml",
        "clouddeploy-sandbox.toml",
    ] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("profiles")
            .join(name);
        let profile = Profile::load_file(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            profile.environments.iter().all(|e| e.provider().is_some()),
            "{name}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_triggers_promotes_and_shows_phases() {
    let sandbox = sandbox::start("127.0.0.1:0".parse().unwrap(), 200.0)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let profile =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles/clouddeploy-sandbox.toml");
    let ledger = dir.path().join("ledger.jsonl");
    let addr = sandbox.addr.to_string();
    let cli = |args: &[&str]| {
        let mut all = vec!["--profile", profile.to_str().unwrap(), "--sandbox", &addr];
        all.extend_from_slice(args);
        let ledger = ledger.clone();
        let all: Vec<String> = all.iter().map(|s| s.to_string()).collect();
        tokio::task::spawn_blocking(move || {
            let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_flightdeck"));
            command.args(&all);
            if all.iter().any(|a| a == "trigger" || a == "promote") {
                command.args(["--yes", "--ledger", ledger.to_str().unwrap()]);
            }
            command.output().unwrap()
        })
    };
    let out = cli(&["trigger", "5.0.0"]).await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("trigger dev: done: dev runs 5.0.0"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("create release") && stderr.contains("requestId"),
        "{stderr}"
    );
    let out = cli(&["promote", "dev", "staging"]).await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cli(&["clouddeploy", "status"]).await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("staging  target staging: runs 5.0.0"),
        "{stdout}"
    );
    assert!(
        stdout.contains("stable succeeded [deploy succeeded, verify succeeded]"),
        "{stdout}"
    );
    assert!(
        stdout.contains("prod     target prod, approval required: runs nothing yet"),
        "{stdout}"
    );
    let out = cli(&["clouddeploy", "approve", "prod", "--yes"])
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "nothing waits on prod: a usage error"
    );
}

const POLICY: &str = "projects/clarity-sandbox/locations/us-central1/deployPolicies/year-end";

/// Creates, through the API, a deploy policy restricting CREATE on `target` from yesterday to
/// three days ahead (New York time): in force whatever the sandbox's fast clock says.
async fn freeze_target(base: &str, target: &str) {
    freeze(base, target, "year-end", &["CREATE"]).await;
}

async fn freeze(base: &str, target: &str, id: &str, actions: &[&str]) {
    let today = chrono::Utc::now().date_naive();
    let date = |d: chrono::NaiveDate| {
        use chrono::Datelike;
        serde_json::json!({"year": d.year(), "month": d.month(), "day": d.day()})
    };
    let body = serde_json::json!({
        "description": "year-end freeze",
        "selectors": [{"target": {"id": target}}],
        "rules": [{"rolloutRestriction": {"id": "no-rollouts", "actions": actions,
            "timeWindows": {"timeZone": "America/New_York", "oneTimeWindows": [{
                "startDate": date(today - chrono::Days::new(1)), "startTime": {},
                "endDate": date(today + chrono::Days::new(3)), "endTime": {"hours": 9}}]}}}],
    });
    let url = format!(
        "{base}/v1/projects/clarity-sandbox/locations/us-central1/deployPolicies?deployPolicyId={id}"
    );
    let answer = reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        answer.status().is_success(),
        "{}",
        answer.text().await.unwrap()
    );
}

fn staging_rollouts(w: &World) -> usize {
    let sim = w.sandbox.state.lock_clouddeploy();
    sim.rollouts
        .values()
        .filter(|r| r.target_id == "staging")
        .count()
}

#[tokio::test]
async fn a_deploy_policy_refuses_promote_until_a_reason_overrides_it() {
    let mut w = world().await;
    done(&trigger(&w, "6.0.0").await);
    freeze_target(&w.sandbox.base_url(), "staging").await;

    let refused = promote(&w, "dev", "staging").await;
    assert_eq!(refused.status, Status::Refused, "{}", refused.text());
    assert!(
        refused
            .message
            .contains("freeze window `deploy policy year-end/no-rollouts`")
            && refused.message.contains("America/New_York"),
        "the refusal names the policy and its window: {}",
        refused.message
    );
    assert_eq!(staging_rollouts(&w), 0, "nothing was sent");

    w.ctx.override_reason = Some("incident 42 hotfix".into());
    let allowed = promote(&w, "dev", "staging").await;
    done(&allowed);
    assert_eq!(
        staging_rollouts(&w),
        1,
        "the service let it through: the create named the policy in overrideDeployPolicy"
    );
    let payloads = entries(&w.ctx);
    let overrides: Vec<(String, String)> = payloads
        .iter()
        .filter_map(|p| match p {
            Payload::Override { gate, reason, .. } => Some((gate.clone(), reason.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        overrides,
        [("freeze".to_string(), "incident 42 hotfix".to_string())]
    );
    let sent = payloads.iter().rev().find_map(|p| match p {
        Payload::Command { action, detail, .. } if action == "promote" => {
            Some(detail["override_deploy_policy"].clone())
        }
        _ => None,
    });
    assert_eq!(sent, Some(serde_json::json!([POLICY])));
}

/// The real binary: promote refused inside the policy's window (exit 3, the policy named), allowed
/// with `--override-reason`; `status` and `status --json` show the freeze; the cockpit's lane too.
#[tokio::test(flavor = "multi_thread")]
async fn the_cli_and_the_cockpit_show_a_deploy_policy_freeze() {
    let sandbox = sandbox::start("127.0.0.1:0".parse().unwrap(), 200.0)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let profile =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles/clouddeploy-sandbox.toml");
    let ledger = dir.path().join("ledger.jsonl");
    let addr = sandbox.addr.to_string();
    let cli = |args: &[&str]| {
        let mut all: Vec<String> = ["--profile", profile.to_str().unwrap(), "--sandbox", &addr]
            .iter()
            .chain(args)
            .map(|s| s.to_string())
            .collect();
        if !args.contains(&"status") {
            all.extend([
                "--yes".into(),
                "--ledger".into(),
                ledger.display().to_string(),
            ]);
        }
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_flightdeck"))
                .args(&all)
                .output()
                .unwrap()
        })
    };
    let out = cli(&["trigger", "7.0.0"]).await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    freeze_target(&sandbox.base_url(), "staging").await;

    let out = cli(&["promote", "dev", "staging"]).await.unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(3), "refused: {said}");
    assert!(
        said.contains("deploy policy year-end/no-rollouts"),
        "{said}"
    );

    let out = cli(&["status"]).await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("freeze deploy policy year-end/no-rollouts (")
            && stdout.contains("America/New_York): FROZEN until"),
        "{stdout}"
    );
    let out = cli(&["clouddeploy", "status"]).await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("deploy policy year-end/no-rollouts (")
            && stdout.contains("; CREATE): FROZEN until"),
        "{stdout}"
    );
    let out = cli(&["status", "--json"]).await.unwrap();
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lanes = status["lanes"].as_array().unwrap();
    let staging = lanes.iter().find(|l| l["env"] == "staging").unwrap();
    assert_eq!(staging["freezes"][0]["policy"], POLICY, "{staging}");
    assert_eq!(
        staging["freezes"][0]["actions"],
        serde_json::json!(["CREATE"])
    );
    assert!(
        staging["freezes"][0]["active_until"].is_string(),
        "{staging}"
    );
    let dev = lanes.iter().find(|l| l["env"] == "dev").unwrap();
    assert_eq!(dev["freezes"], serde_json::json!([]), "not selected");

    // The cockpit: the staging lane, polled, says it is frozen and by what.
    let cli_args = flightdeck::cli::Cli::try_parse_from([
        "flightdeck",
        "--profile",
        profile.to_str().unwrap(),
        "--sandbox",
        &addr,
    ])
    .unwrap();
    let session =
        flightdeck::session::Session::open(&cli_args.globals.profile, cli_args.globals.sandbox)
            .await
            .unwrap();
    let mut model = session.model(true);
    let now = chrono::Utc::now();
    for (lane, source) in session
        .lane_sources(&session.client())
        .into_iter()
        .enumerate()
    {
        let result = source.fetch().await.map(Box::new);
        flightdeck::update::update(
            &mut model,
            flightdeck::msg::Msg::LaneFetched {
                lane,
                at: now,
                result,
            },
        );
    }
    flightdeck::update::update(&mut model, flightdeck::msg::Msg::Tick { now });
    let ui = flightdeck::ui::UiContext {
        theme: flightdeck::ui::Theme::default_for(false),
        symbols: flightdeck::ui::Symbols::ASCII,
    };
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 40)).unwrap();
    terminal
        .draw(|frame| flightdeck::ui::view(&model, &ui, frame))
        .unwrap();
    let screen = terminal.backend().to_string();
    assert!(
        screen.contains("frozen by year-end/no-rollouts until"),
        "{screen}"
    );

    let out = cli(&[
        "promote",
        "dev",
        "staging",
        "--override-reason",
        "incident 42",
    ])
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "overridden: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Cancelling, which flightdeck's own freeze never stops, meets a policy restricting CANCEL as
/// the service would: refused naming it, then sent with overrideDeployPolicy under a reason.
#[tokio::test]
async fn a_deploy_policy_restricting_cancel_stands_before_cancel_until_overridden() {
    let mut w = world().await;
    done(&trigger(&w, "8.0.0").await);
    done(&promote(&w, "dev", "staging").await);
    done(&promote(&w, "staging", "prod").await);
    freeze(&w.sandbox.base_url(), "prod", "no-cancel", &["CANCEL"]).await;
    let refused = gate(&w.ctx, "prod", GateAction::Cancel).await;
    assert_eq!(refused.status, Status::Refused, "{}", refused.text());
    assert!(
        refused
            .message
            .contains("CANCEL on `prod` is restricted by deploy policy no-cancel/no-rollouts"),
        "{}",
        refused.message
    );
    w.ctx.override_reason = Some("stuck rollout".into());
    let cancelled = gate(&w.ctx, "prod", GateAction::Cancel).await;
    done(&cancelled);
    assert!(
        cancelled.message.contains("cancelled rollout"),
        "{}",
        cancelled.message
    );
    let reasons: Vec<String> = entries(&w.ctx)
        .into_iter()
        .filter_map(|p| match p {
            Payload::Override { gate, reason, .. } => Some(format!("{gate}: {reason}")),
            _ => None,
        })
        .collect();
    assert_eq!(reasons, ["freeze: stuck rollout"]);
}

/// The cockpit's own loop: `t` releases 5.0.0 into dev, `p` on staging promotes it. Each is read
/// and planned by a task, decided and recorded by `update`, then sent as one call whose outcome
/// `update` records.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_and_its_promote_from_the_keyboard_are_recorded_sent_and_concluded_once() {
    let sandbox = sandbox::start("127.0.0.1:0".parse().unwrap(), 200.0)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ledger_path = dir.path().join("ledger.jsonl");
    let profile =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles/clouddeploy-sandbox.toml");
    let addr = sandbox.addr.to_string();
    let args = [
        "flightdeck",
        "--profile",
        profile.to_str().unwrap(),
        "--sandbox",
        &addr,
    ];
    let cli = flightdeck::cli::Cli::try_parse_from(args).unwrap();
    let mut session = flightdeck::session::Session::open(&cli.globals.profile, cli.globals.sandbox)
        .await
        .unwrap();
    session.profile.ledger.path = Some(ledger_path.clone());
    let c = headless::start(session, &cli.globals).await;
    let ledger = Ledger::open(&ledger_path).unwrap();
    let concluded = |action: &str| {
        let entries = ledger.read_all().unwrap();
        let ids: Vec<String> = entries
            .iter()
            .filter_map(|e| match &e.payload {
                Payload::Command {
                    request_id,
                    action: a,
                    ..
                } if a == action => Some(request_id.clone()),
                _ => None,
            })
            .collect();
        let outcomes: Vec<(String, bool)> = entries
            .iter()
            .filter_map(|e| match &e.payload {
                Payload::CommandOutcome { request_id, ok, .. } if ids.contains(request_id) => {
                    Some((request_id.clone(), *ok))
                }
                _ => None,
            })
            .collect();
        (ids, outcomes)
    };

    c.wait_screen("dev").await;
    c.key(KeyCode::Char('t'));
    c.wait_screen("version, e.g. 1.5.0").await;
    c.type_text("5.0.0");
    c.wait_screen("Confirm").await;
    c.key(KeyCode::Enter);
    headless::wait("the trigger's outcome in the ledger", || {
        !concluded("trigger").1.is_empty()
    })
    .await;
    let (ids, outcomes) = concluded("trigger");
    assert_eq!(ids.len(), 1, "recorded once");
    assert_eq!(outcomes, [(ids[0].clone(), true)], "{}", c.screen.text());
    let labelled: Vec<String> = sandbox
        .state
        .lock_clouddeploy()
        .releases
        .values()
        .map(|r| r.body["labels"]["flightdeck-request"].to_string())
        .collect();
    assert_eq!(
        labelled,
        [format!("\"{}\"", ids[0])],
        "one release, carrying the record's request id"
    );

    c.key(KeyCode::Char(']'));
    c.key(KeyCode::Char('p'));
    c.wait_screen("Confirm").await;
    c.key(KeyCode::Enter);
    headless::wait("the promote's outcome in the ledger", || {
        !concluded("promote").1.is_empty()
    })
    .await;
    let (ids, outcomes) = concluded("promote");
    assert_eq!(outcomes, [(ids[0].clone(), true)], "{}", c.screen.text());
    c.wait_screen("staging runs 5.0.0").await;
    c.key(KeyCode::Char('q'));
    let model = c.done.await.unwrap().unwrap();
    assert!(model.operations.running.is_empty());
}

/// A Cloud Deploy promote's planner, its reads made on the sandbox server as the cockpit's
/// runtime makes them: each lane's pipeline, target, releases and policies together, then every
/// release's rollout list together, then the ledger; and the plan creates a rollout of the
/// release dev runs.
#[tokio::test]
async fn a_promote_is_planned_from_reads_that_go_out_in_batches() {
    use flightdeck::commands::plan::Step;
    use flightdeck::commands::prepared::Prepared;
    use flightdeck::model::command_plan::{Outgoing, ProviderCall};
    use flightdeck::model::command_read::{Read, Reads};

    let w = world().await;
    done(&trigger(&w, "1.5.0").await);
    let posts = || w.sandbox.state.requests_seen("POST", "*");
    let posted = posts();
    let planning = w.ctx.planning(chrono::Utc::now());
    let request = Request::Promote {
        from: "dev".into(),
        to: "staging".into(),
        bake_secs: None,
    };
    let mut reads = Reads::default();
    let mut batches: Vec<Vec<Read>> = Vec::new();
    let plan = loop {
        match flightdeck::commands::route::next(&planning, &request, &reads) {
            Step::Read(batch) => {
                for read in &batch {
                    let answer = flightdeck::commands::read::perform(&w.ctx, read).await;
                    assert!(answer.is_ok(), "{read:?}: {answer:?}");
                    reads.insert(read.clone(), answer);
                }
                batches.push(batch);
            }
            Step::Planned(Prepared::Plan(plan)) => break plan,
            Step::Planned(Prepared::Ended(outcome)) => panic!("{}", outcome.text()),
        }
    };
    let lane = |env: &str| {
        vec![
            Read::CloudDeployPipeline { env: env.into() },
            Read::CloudDeployTarget { env: env.into() },
            Read::CloudDeployReleases { env: env.into() },
            Read::CloudDeployPolicies { env: env.into() },
        ]
    };
    let lists = |batch: &[Read], lane: &str| {
        batch.iter().all(
            |r| matches!(r, Read::CloudDeployRollouts { env, release } if env == lane && release.contains("/releases/")),
        )
    };
    assert_eq!(batches.len(), 5, "{batches:#?}");
    assert_eq!(batches[0], lane("dev"));
    assert!(
        !batches[1].is_empty() && lists(&batches[1], "dev"),
        "{:?}",
        batches[1]
    );
    assert_eq!(batches[2], lane("staging"));
    assert!(lists(&batches[3], "staging"), "{:?}", batches[3]);
    assert_eq!(batches[4], [Read::Ledger]);
    let Outgoing::Call(ProviderCall::CreateRollout {
        from_env, release, ..
    }) = &plan.send
    else {
        panic!("{:?}", plan.send);
    };
    assert_eq!(from_env, "dev");
    assert!(
        batches[1].iter().any(
            |r| matches!(r, Read::CloudDeployRollouts { release: read, .. } if read == release)
        ),
        "the release dev runs is one whose rollouts were read: {release}"
    );
    assert_eq!(plan.outcome.release.as_deref(), Some("1.5.0"));
    assert_eq!(posts(), posted, "planning sends nothing");
}
