//! `trigger --via github` against the embedded sandbox: a dispatch whose answer is lost (502
//! after the run was created) or that gives no run details finds its run instead of failing or
//! dispatching again; inputs the workflow does not declare are refused before anything is sent.

use std::time::Duration;

use flightdeck::commands::outcome::{Outcome, Status};
use flightdeck::commands::run::{Context, Request as Cmd, execute};
use flightdeck::commands::{TriggerVia, WireOptions};
use flightdeck::config::Profile;
use flightdeck::config::profile::SANDBOX_PROFILE;
use flightdeck::ledger::Actor;
use flightdeck::sandbox::{self, RunningSandbox};
use serde_json::{Value, json};

const RUNS: &str = "/repos/clarity/clarity-backend/actions/workflows/release.yml/runs";

struct World {
    sandbox: RunningSandbox,
    _dir: tempfile::TempDir,
    ctx: Context,
}

/// The sandbox profile with `pipeline_toml` added to its `[pipeline]` (keys) or after it (tables).
async fn world(pipeline_toml: &str) -> World {
    let sandbox = sandbox::start("127.0.0.1:0".parse().unwrap(), 200.0)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let text = if pipeline_toml.starts_with('[') {
        format!("{SANDBOX_PROFILE}\n{pipeline_toml}\n")
    } else {
        SANDBOX_PROFILE.replace("[pipeline]\n", &format!("[pipeline]\n{pipeline_toml}\n"))
    };
    let mut profile = Profile::parse(std::path::Path::new("sandbox.toml"), &text).unwrap();
    for env in &mut profile.environments {
        env.cloudrun.as_mut().unwrap().base_url = Some(sandbox.base_url());
    }
    profile.pipeline.as_mut().unwrap().base_url = Some(sandbox.base_url());
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
        wire: WireOptions {
            call_timeout: Duration::from_secs(5),
            poll_initial: Duration::from_millis(50),
            poll_max: Duration::from_millis(200),
            op_deadline: Duration::from_secs(60),
            max_attempts: 6,
            backoff_base: Duration::from_millis(50),
        },
        probe_every: Some(Duration::from_millis(20)),
        progress: flightdeck::commands::quiet(),
        yes: true,
        override_reason: None,
        prompt: false,
        control: Default::default(),
        release: Default::default(),
        host: None,
        lease: Duration::from_secs(5),
    };
    World {
        sandbox,
        _dir: dir,
        ctx,
    }
}

async fn faults(w: &World, plan: Value) {
    let resp = reqwest::Client::new()
        .post(format!("{}/_sandbox/github/faults", w.sandbox.base_url()))
        .json(&plan)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
}

/// Titles of every run the sandbox has (the listing delay waived for the count).
async fn run_titles(w: &World) -> Vec<String> {
    faults(w, json!({"list_delay_secs": 0})).await;
    let list: Value = reqwest::get(format!("{}{RUNS}?per_page=100", w.sandbox.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list["workflow_runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["display_title"].as_str().unwrap().to_string())
        .collect()
}

async fn trigger(w: &World, version: &str) -> Outcome {
    execute(
        &w.ctx,
        Cmd::Trigger {
            version: version.into(),
            via: TriggerVia::GithubDispatch,
        },
    )
    .await
}

fn ledger_lines(w: &World) -> usize {
    std::fs::read_to_string(&w.ctx.ledger_path)
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_dispatch_lost_answer_finds_the_run_and_sends_nothing_twice() {
    let w = world("").await;
    faults(&w, json!({"dispatch_status": 502})).await;
    let out = trigger(&w, "2.1.0").await;
    assert_eq!(out.status, Status::Done, "{}", out.message);
    assert!(
        out.message.contains("/actions/runs/") && out.message.contains("not sent again"),
        "{}",
        out.message
    );
    let titles = run_titles(&w).await;
    assert_eq!(
        titles.iter().filter(|t| t.contains("2.1.0")).count(),
        1,
        "one run, not two: {titles:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_dispatch_without_run_details_names_the_run_it_created() {
    let w = world("").await;
    // Someone else's run of the same workflow, dispatched just before ours.
    faults(&w, json!({"no_run_details": true})).await;
    let other = reqwest::Client::new()
        .post(format!(
            "{}/repos/clarity/clarity-backend/actions/workflows/release.yml/dispatches",
            w.sandbox.base_url()
        ))
        .bearer_auth("someone-else")
        .json(&json!({"ref": "main", "inputs": {"version": "2.2.0-other"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 204);
    let out = trigger(&w, "2.2.0").await;
    assert_eq!(out.status, Status::Done, "{}", out.message);
    let url = out.message.rsplit(' ').next().unwrap().to_string();
    let id = url.rsplit('/').next().unwrap();
    let run: Value = reqwest::get(format!(
        "{}/repos/clarity/clarity-backend/actions/runs/{id}",
        w.sandbox.base_url()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(run["display_title"], "Release 2.2.0", "{}", out.message);
    assert_eq!(
        run_titles(&w).await.len(),
        3,
        "the past run, the other, ours"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_dispatch_refuses_inputs_the_workflow_does_not_declare() {
    let w = world("[pipeline.inputs]\nregion = \"eu\"").await;
    let out = trigger(&w, "2.3.0").await;
    assert_eq!(out.status, Status::Usage, "{}", out.message);
    assert!(
        out.message.contains("inputs.region")
            && out.message.contains(".github/workflows/release.yml")
            && out.message.contains("version"),
        "{}",
        out.message
    );
    assert_eq!(ledger_lines(&w), 0, "nothing recorded: nothing was sent");
    assert_eq!(run_titles(&w).await.len(), 1, "no run dispatched");

    let w = world("version_input = \"tag\"").await;
    let out = trigger(&w, "2.3.0").await;
    assert_eq!(out.status, Status::Usage, "{}", out.message);
    assert!(
        out.message.contains("version_input = \"tag\""),
        "{}",
        out.message
    );
}
