//! The script provider end to end: a profile whose environments are run by the test platform of
//! `tests/fixtures/scripts/` deploys, promotes and rolls back under the usual gates and ledger;
//! a hanging script is killed with its process group at the timeout; a failing one fails the
//! command with its exit code and last line.

use std::path::{Path, PathBuf};
use std::time::Duration;

use flightdeck::commands::outcome::{Outcome, Status};
use flightdeck::commands::run::{Context, Request, execute};
use flightdeck::commands::{Progress, TriggerVia, WireOptions};
use flightdeck::config::Profile;
use flightdeck::ledger::{Actor, Ledger, Payload};
use flightdeck::runtime::LaneSource;

fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scripts")
}

fn profile_text(platform: &Path, trigger: &str, timeout: u64) -> String {
    let mut text = String::from("[service]\nname = \"clarity\"\n");
    for (env, policy) in [
        ("dev", ""),
        ("staging", ""),
        ("prod", "\n[environments.policy]\nrequire_signoff = true\n"),
    ] {
        text.push_str(&format!(
            r#"
[[environments]]
name = "{env}"
[environments.script]
status = ["./status.sh"]
trigger = ["{trigger}", "{{env}}", "{{version}}"]
promote = ["./promote.sh"]
rollback = ["./rollback.sh"]
timeout_secs = {timeout}
[environments.script.env]
FAKE_PLATFORM = "{platform}"
{policy}"#,
            platform = platform.display()
        ));
    }
    text
}

struct World {
    dir: tempfile::TempDir,
    ctx: Context,
    lines: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

fn world(trigger: &str, timeout: u64) -> World {
    let dir = tempfile::tempdir().unwrap();
    let text = profile_text(dir.path(), trigger, timeout);
    // The profile sits beside the scripts, so `./status.sh` resolves there.
    let profile = Profile::parse(&scripts().join("test-profile.toml"), &text).unwrap();
    let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = lines.clone();
    let ctx = Context {
        profile,
        http: reqwest::Client::new(),
        actor: Actor {
            account: "carol".into(),
            uid: 1000,
            host: "bastion".into(),
            ssh_origin: None,
        },
        ledger_path: dir.path().join("ledger.jsonl"),
        read_only: false,
        wire: WireOptions::default(),
        probe_every: None,
        progress: std::sync::Arc::new(move |p: &Progress| sink.lock().unwrap().push(p.to_string())),
        yes: true,
        override_reason: Some("test: the grid is not the point here".into()),
        confirm: None,
        control: Default::default(),
        release: Default::default(),
        lease: flightdeck::commands::run::DEFAULT_LEASE,
        github_token: Default::default(),
    };
    World { dir, ctx, lines }
}

fn state(w: &World, env: &str) -> String {
    std::fs::read_to_string(w.dir.path().join(env))
        .unwrap()
        .trim()
        .to_string()
}

async fn run(w: &World, request: Request) -> Outcome {
    execute(&w.ctx, request).await
}

fn trigger(version: &str) -> Request {
    Request::Trigger {
        version: version.into(),
        via: TriggerVia::CloudRun,
    }
}

#[tokio::test]
async fn scripts_deploy_promote_and_roll_back_under_gates_and_ledger() {
    let w = world("./deploy.sh", 30);
    let outcome = run(&w, trigger("1.4.2")).await;
    assert_eq!(outcome.status, Status::Done, "{}", outcome.text());
    assert_eq!(state(&w, "dev"), "1.4.2 1.0.0");
    assert_eq!(
        outcome
            .traffic
            .as_deref()
            .map(flightdeck::model::lane::split_text),
        Some("dev-1.4.2 100%".to_string())
    );
    let lines = w.lines.lock().unwrap().clone();
    let said = format!(
        "dev: deploying 1.4.2 to dev (request {})",
        outcome.request_id.as_deref().unwrap()
    );
    assert!(lines.contains(&said), "{lines:?}");
    assert!(
        lines.iter().any(|l| l == "dev: traffic 100% to 1.4.2"),
        "stderr streams too: {lines:?}"
    );

    let promoted = run(
        &w,
        Request::Promote {
            from: "dev".into(),
            to: "staging".into(),
            bake_secs: None,
        },
    )
    .await;
    assert_eq!(promoted.status, Status::Done, "{}", promoted.text());
    assert_eq!(state(&w, "staging"), "1.4.2 1.0.0");
    let again = run(
        &w,
        Request::Promote {
            from: "dev".into(),
            to: "staging".into(),
            bake_secs: None,
        },
    )
    .await;
    assert_eq!(again.status, Status::Failed);
    assert!(
        again.message.contains("nothing to promote"),
        "{}",
        again.message
    );

    let back = run(
        &w,
        Request::Rollback {
            env: "staging".into(),
            to: None,
        },
    )
    .await;
    assert_eq!(back.status, Status::Done, "{}", back.text());
    assert_eq!(state(&w, "staging"), "1.0.0 1.4.2");
    assert_eq!(back.from_revision.as_deref(), Some("staging-1.4.2"));
    assert_eq!(back.to_revision.as_deref(), Some("staging-1.0.0"));

    // prod needs the grid: the override reason waives it and is recorded.
    let prod = run(
        &w,
        Request::Promote {
            from: "dev".into(),
            to: "prod".into(),
            bake_secs: None,
        },
    )
    .await;
    assert_eq!(prod.status, Status::Done, "{}", prod.text());
    assert_eq!(prod.overridden, vec!["signoff".to_string()]);

    let ledger = Ledger::open(&w.ctx.ledger_path)
        .unwrap()
        .read_all()
        .unwrap();
    let commands: Vec<(String, String)> = ledger
        .iter()
        .filter_map(|e| match &e.payload {
            Payload::Command { action, env, .. } => Some((action.clone(), env.clone())),
            _ => None,
        })
        .collect();
    let expected = [
        ("trigger", "dev"),
        ("promote", "staging"),
        ("rollback", "staging"),
        ("promote", "prod"),
    ];
    assert_eq!(
        commands,
        expected.map(|(a, e)| (a.to_string(), e.to_string()))
    );
    let outcomes = ledger
        .iter()
        .filter(|e| matches!(e.payload, Payload::CommandOutcome { ok: true, .. }))
        .count();
    assert_eq!(outcomes, 4);
    assert!(
        ledger
            .iter()
            .any(|e| matches!(&e.payload, Payload::Override { gate, .. } if gate == "signoff"))
    );
    let calls = std::fs::read_to_string(w.dir.path().join("calls")).unwrap();
    assert_eq!(
        calls.lines().count(),
        4,
        "each command ran its script once: {calls}"
    );
}

#[tokio::test]
async fn a_hanging_script_is_killed_at_its_timeout() {
    let w = world("./hang.sh", 1);
    let started = std::time::Instant::now();
    let outcome = run(&w, trigger("9.9.9")).await;
    assert_eq!(outcome.status, Status::Failed, "{}", outcome.text());
    assert!(
        outcome.message.contains("timed out after 1s"),
        "{}",
        outcome.message
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    // The child it left behind went with the process group.
    let pid = std::fs::read_to_string(w.dir.path().join("hang.pid")).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while Path::new(&format!("/proc/{}", pid.trim())).exists()
        && !std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()))
            .unwrap_or_default()
            .contains(") Z ")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "sleep {pid} survived the timeout"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ledger = Ledger::open(&w.ctx.ledger_path)
        .unwrap()
        .read_all()
        .unwrap();
    assert!(
        ledger
            .iter()
            .any(|e| matches!(e.payload, Payload::CommandOutcome { ok: false, .. }))
    );
}

#[tokio::test]
async fn a_failing_script_fails_the_command_with_its_exit_code() {
    let w = world("./fail.sh", 30);
    let outcome = run(&w, trigger("1.5.0")).await;
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(
        outcome.message,
        "script.trigger exited with code 3: ERROR: quota exceeded for Cloud Build in us-central1"
    );
    assert_eq!(flightdeck::cli::exit::of_status(outcome.status), 1);
}

#[tokio::test]
async fn a_lane_reads_the_status_json_and_bad_json_is_named() {
    let w = world("./deploy.sh", 30);
    let env = w.ctx.profile.environment("dev").unwrap();
    let source = LaneSource::Script {
        env: "dev".into(),
        target: env.script.clone().unwrap(),
    };
    let lane = source.fetch().await.unwrap();
    assert_eq!(lane.version(), Some("1.0.0"));
    assert_eq!(lane.uri.as_deref(), Some("http://127.0.0.1:9/dev"));
    let mut broken = env.script.clone().unwrap();
    broken.status = vec!["./fail.sh".into()];
    broken.resolve_paths(&scripts());
    let error = LaneSource::Script {
        env: "dev".into(),
        target: broken,
    }
    .fetch()
    .await
    .unwrap_err();
    assert!(error.contains("exited with code 3"), "{error}");
    let mut not_json = env.script.clone().unwrap();
    not_json.status = vec!["/bin/echo".into(), "{version}".into()];
    let error = LaneSource::Script {
        env: "dev".into(),
        target: not_json,
    }
    .fetch()
    .await
    .unwrap_err();
    assert!(
        error.contains("has no value") || error.contains("no valid status JSON"),
        "{error}"
    );
}

#[test]
fn a_shell_string_and_unknown_placeholders_are_refused_with_the_line() {
    let text = "[service]\nname = \"x\"\n[[environments]]\nname = \"dev\"\n[environments.script]\nstatus = [\"./status.sh --env $ENV\"]\n";
    let error = Profile::parse(Path::new("p.toml"), text)
        .unwrap_err()
        .to_string();
    assert!(error.contains("looks like a shell command line"), "{error}");
    assert!(error.contains("p.toml:4"), "{error}");
    let text = "[service]\nname = \"x\"\n[[environments]]\nname = \"dev\"\n[environments.script]\nstatus = [\"./status.sh\", \"{branch}\"]\n";
    let error = Profile::parse(Path::new("p.toml"), text)
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown placeholder {branch}"), "{error}");
}
