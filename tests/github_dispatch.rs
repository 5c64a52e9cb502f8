//! `trigger --via github` against the embedded sandbox: a dispatch whose answer is lost (502
//! after the run was created) or that gives no run details finds its run instead of failing or
//! dispatching again; inputs the workflow does not declare are refused before anything is sent.
//! Environment approvals (`flightdeck approve`): a run waits on `production`; with the grid NO-GO
//! the approval is refused, once GO it is sent once (even when its answer is lost) with the comment
//! composed from the grid, and the run goes on; a rejection stops the run.

use std::time::Duration;

use flightdeck::commands::approve::Review;
use flightdeck::commands::outcome::{Outcome, Status};
use flightdeck::commands::run::{Context, Request as Cmd, execute, review as review_now};
use flightdeck::commands::{TriggerVia, WireOptions};
use flightdeck::config::Profile;
use flightdeck::config::profile::SANDBOX_PROFILE;
use flightdeck::ledger::{Actor, Decision, Ledger, Payload};
use flightdeck::policy::Gate;
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
        confirm: None,
        control: Default::default(),
        release: Default::default(),
        lease: Duration::from_secs(5),
        github_token: Default::default(),
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

const WAITING: &str = "/repos/clarity/clarity-backend/actions/runs?status=waiting";

async fn get(w: &World, path: &str) -> Value {
    reqwest::get(format!("{}{path}", w.sandbox.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Waits (bounded) until the sandbox's run `id` satisfies `cond`; returns it.
async fn run_until(w: &World, id: u64, what: &str, cond: impl Fn(&Value) -> bool) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let run = get(
            w,
            &format!("/repos/clarity/clarity-backend/actions/runs/{id}"),
        )
        .await;
        if cond(&run) {
            return run;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "run never {what}: {run}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A run of `version` dispatched and waiting on the `production` environment; its id.
async fn waiting_run(w: &World, version: &str) -> u64 {
    faults(
        w,
        json!({"approval_gate": true, "approval_environment": "production", "job_secs": 1.0, "list_delay_secs": 0}),
    )
    .await;
    let out = trigger(w, version).await;
    assert_eq!(out.status, Status::Done, "{}", out.message);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let list = get(w, WAITING).await;
        if let Some(run) = list["workflow_runs"].as_array().unwrap().first() {
            return run["id"].as_u64().unwrap();
        }
        assert!(std::time::Instant::now() < deadline, "no run waits");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn reviews(w: &World) -> Vec<Value> {
    get(w, "/_sandbox/github/reviews")
        .await
        .as_array()
        .unwrap()
        .clone()
}

fn sign_go(w: &World, env: &str, release: &str) {
    let ledger = Ledger::open(&w.ctx.ledger_path).unwrap();
    for item in &w.ctx.profile.signoff.items {
        for (i, role) in w.ctx.profile.signoff.roles.iter().enumerate() {
            let who = if i % 2 == 0 { "alice" } else { "bob" };
            let actor = Actor {
                account: who.into(),
                uid: 1000,
                host: "bastion".into(),
                ssh_origin: None,
            };
            let payload = Payload::Signoff {
                env: env.into(),
                release: release.into(),
                item: item.clone(),
                role: role.name.clone(),
                decision: Decision::Go,
                comment: None,
            };
            ledger.append(&actor, payload).unwrap();
        }
    }
}

fn review(env: &str, reject: bool, comment: Option<&str>) -> Review {
    Review {
        env: env.into(),
        reject,
        comment: comment.map(str::to_string),
        run_id: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_approval_waits_for_the_grid_then_is_sent_once_and_the_run_goes_on() {
    let w = world("environments = { prod = \"production\" }").await;
    let id = waiting_run(&w, "1.6.0").await;

    let out = review_now(&w.ctx, &review("prod", false, None)).await;
    assert_eq!(out.status, Status::Refused, "{}", out.message);
    assert_eq!(
        flightdeck::cli::exit::of_status(out.status),
        3,
        "policy refusal"
    );
    assert!(
        out.refusals.iter().any(|r| r.gate == Gate::Signoff),
        "{}",
        out.message
    );
    assert!(reviews(&w).await.is_empty(), "nothing sent while NO-GO");

    sign_go(&w, "prod", "1.6.0");
    // The review lands but its answer is lost: it must be read back, not sent twice.
    faults(&w, json!({"review_status": 502})).await;
    let out = review_now(&w.ctx, &review("prod", false, Some("ship it"))).await;
    assert_eq!(out.status, Status::Done, "{}", out.message);
    assert!(
        out.text().starts_with("approve prod: done"),
        "{}",
        out.text()
    );
    assert!(out.message.contains("not sent again"), "{}", out.message);
    let sent = reviews(&w).await;
    assert_eq!(sent.len(), 1, "sent exactly once: {sent:?}");
    assert_eq!(sent[0]["state"], "approved");
    assert_eq!(sent[0]["run_id"], id);
    assert_eq!(sent[0]["environment_ids"], json!([161_171_787]));

    let ledger = Ledger::open(&w.ctx.ledger_path)
        .unwrap()
        .read_all()
        .unwrap();
    let (head, recorded_comment) = ledger
        .iter()
        .find_map(|e| match &e.payload {
            Payload::Command { action, detail, .. } if action == "approve" => Some((
                detail["ledger_head"]["hash"].as_str().unwrap().to_string(),
                detail["comment"].clone(),
            )),
            _ => None,
        })
        .expect("the approval is recorded before it is sent");
    let comment = sent[0]["comment"].as_str().unwrap();
    assert_eq!(recorded_comment, json!(comment));
    assert!(comment.contains("prod / 1.6.0: GO"), "{comment}");
    assert!(
        comment.contains("Technical Lead (alice): Components GO"),
        "{comment}"
    );
    assert!(
        comment.contains(&format!("Ledger head {head}")),
        "{comment}"
    );
    assert!(comment.ends_with("carol: ship it"), "{comment}");
    assert!(ledger.iter().any(|e| matches!(&e.payload,
        Payload::CommandOutcome { ok: true, detail, .. } if detail["verb"] == "approve")));

    let run = run_until(&w, id, "finished", |r| r["status"] == "completed").await;
    assert_eq!(
        run["conclusion"], "success",
        "the approved run goes on to the end"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_rejection_stops_the_run_and_a_non_reviewer_is_told_why() {
    let w = world("environments = { prod = \"production\" }").await;
    let id = waiting_run(&w, "1.7.0").await;

    faults(&w, json!({"not_reviewer": true})).await;
    // Past the client's own check, GitHub itself refuses a non-reviewer: nothing to review.
    let answer = reqwest::Client::new()
        .post(format!(
            "{}/repos/clarity/clarity-backend/actions/runs/{id}/pending_deployments",
            w.sandbox.base_url()
        ))
        .bearer_auth("flightdeck-sandbox")
        .json(&json!({"environment_ids": [161_171_787u64], "state": "approved", "comment": "me"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 422);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(
        body["message"], "No pending deployment requests to approve or reject",
        "{body}"
    );
    assert!(reviews(&w).await.is_empty(), "nothing was applied");
    let out = review_now(&w.ctx, &review("prod", true, None)).await;
    assert_eq!(out.status, Status::Usage, "{}", out.message);
    assert!(
        out.message
            .contains("you are not a required reviewer of production")
            && out.message.contains("oncall-lead or team release-managers"),
        "{}",
        out.message
    );
    faults(&w, json!({"clear": true})).await;
    faults(&w, json!({"approval_environment": "production"})).await;

    // No sign-off at all: rejecting is always allowed.
    let out = review_now(&w.ctx, &review("prod", true, Some("bad migration"))).await;
    assert_eq!(out.status, Status::Done, "{}", out.message);
    assert!(out.message.contains("rejected"), "{}", out.message);
    let sent = reviews(&w).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["state"], "rejected");
    assert!(
        sent[0]["comment"].as_str().unwrap().contains("NO-GO"),
        "{sent:?}"
    );
    let run = run_until(&w, id, "finished", |r| r["status"] == "completed").await;
    assert_eq!(run["conclusion"], "failure", "a rejection stops the run");

    let out = review_now(&w.ctx, &review("prod", false, None)).await;
    assert_eq!(
        out.status,
        Status::Usage,
        "nothing waits any more: {}",
        out.message
    );
}
