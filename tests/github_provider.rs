//! The GitHub provider against the sandbox router on 127.0.0.1:0, with every request and
//! response checked against the OpenAPI subset. No wall-clock assertions: loops are bounded
//! by iteration count and wait for a state.

#[path = "support/openapi.rs"]
mod openapi;
#[path = "support/openapi_recorder.rs"]
mod openapi_recorder;

use std::time::Duration;

use chrono::Utc;
use flightdeck::model::pipeline::{ExpectedDurations, PhaseState, Pipeline, Reviewer, RunState};
use flightdeck::providers::github::{
    Fetched, GithubClient, GithubError, PipelineConfig, Token, expected_durations, to_pipeline,
};
use flightdeck::providers::retry::RetryPolicy;
use flightdeck::sandbox::faults::FaultRule;
use flightdeck::sandbox::github::{Faults, GithubSim};
use openapi::Spec;
use openapi_recorder::{Server, serve};
use serde_json::json;

const SPEED: f64 = 3000.0;

fn cfg(base: &str, extra: &str) -> PipelineConfig {
    toml::from_str(&format!(
        "base_url = \"{base}\"\nowner = \"clarity\"\nrepo = \"clarity-backend\"\nworkflow = \"release.yml\"\n{extra}"
    ))
    .unwrap()
}

/// A sandbox that lists a dispatched run at once (its listing delay is tested on its own).
fn sim(speed: f64) -> GithubSim {
    let sim = GithubSim::new(speed);
    sim.set_faults(Faults {
        list_delay_secs: Some(0.0),
        ..Faults::default()
    });
    sim
}

fn test_token() -> Option<Token> {
    Token::new("ghp_test-token")
}

async fn setup(extra: &str) -> (Server, GithubClient) {
    let server = serve(sim(SPEED), "").await;
    let client = GithubClient::new(&cfg(&server.base, extra), test_token()).unwrap();
    (server, client)
}

fn expected() -> ExpectedDurations {
    expected_durations(None, SPEED)
}

/// Polls a run until `done` holds (bounded), returning the last pipeline and every change seen.
async fn poll_until(
    client: &GithubClient,
    run_id: u64,
    done: impl Fn(&Pipeline) -> bool,
) -> (Pipeline, Vec<Pipeline>) {
    let mut seen: Vec<Pipeline> = Vec::new();
    for _ in 0..4000 {
        match client.watch_run(run_id).await {
            Ok(Fetched::Changed(s)) => {
                seen.push(to_pipeline(&s.run, &s.jobs, &s.pending, &expected()))
            }
            Ok(Fetched::Unchanged) => assert!(!seen.is_empty(), "304 before any 200"),
            Err(e) => panic!("poll failed: {e}"),
        }
        if let Some(p) = seen.last().filter(|p| done(p)) {
            return (p.clone(), seen);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!(
        "state not reached; last: {:?}",
        seen.last().map(|p| (p.state, p.current_phase()))
    );
}

#[tokio::test]
async fn github_provider_reads_past_run_and_second_poll_is_304() {
    let (server, client) = setup("").await;
    let list = client.list_runs(10).await.unwrap().changed().unwrap();
    assert_eq!(
        list.total_count, 1,
        "the sandbox starts with one completed run"
    );
    let past = &list.workflow_runs[0];
    assert_eq!(
        (past.status.as_deref(), past.conclusion.as_deref()),
        (Some("completed"), Some("success"))
    );
    assert_eq!(client.list_runs(10).await.unwrap(), Fetched::Unchanged);

    let snap = client.watch_run(past.id).await.unwrap().changed().unwrap();
    let p = to_pipeline(&snap.run, &snap.jobs, &snap.pending, &expected());
    assert_eq!(p.state, RunState::Succeeded);
    assert_eq!(p.phases.len(), 10);
    assert_eq!(p.phases[3].name, "Test Suite Execution");
    assert!(
        p.phases
            .iter()
            .all(|ph| ph.state == PhaseState::Succeeded && ph.steps_done == ph.steps_total)
    );
    assert!(p.phases.iter().all(|ph| (2..=4).contains(&ph.steps_total)));
    assert_eq!(
        client.watch_run(past.id).await.unwrap(),
        Fetched::Unchanged,
        "second poll answered 304"
    );

    let stats = server.sim.stats();
    assert_eq!(stats.not_modified, 3, "list + run + jobs answered 304");
    assert_eq!(stats.counted, 3, "304s are not counted");
    let rl = client.rate_limit().unwrap();
    assert_eq!(
        (rl.limit, rl.remaining, rl.resource.as_str()),
        (5000, 4997, "core")
    );
    server.assert_conformant(&Spec::load());
}

#[tokio::test]
async fn github_provider_dispatch_new_run_progresses_to_success() {
    let (server, client) = setup("[inputs]\nenvironment = \"prod\"").await;
    let out = client.dispatch("2.0.0").await.unwrap();
    let run_id = out.run_id.expect("return_run_details gives the run id");
    assert!(
        out.html_url
            .unwrap()
            .ends_with(&format!("/actions/runs/{run_id}"))
    );
    let list = client.list_runs(10).await.unwrap().changed().unwrap();
    assert_eq!(list.workflow_runs[0].id, run_id, "new run listed first");
    assert_eq!(list.workflow_runs[0].display_title, "Release 2.0.0");

    let (last, seen) = poll_until(&client, run_id, |p| p.state.is_done()).await;
    assert_eq!(last.state, RunState::Succeeded);
    assert!(
        last.phases
            .iter()
            .all(|ph| ph.state == PhaseState::Succeeded)
    );
    let running: Vec<usize> = seen
        .iter()
        .filter(|p| p.state == RunState::Running)
        .filter_map(|p| p.current_phase())
        .collect();
    assert!(!running.is_empty(), "saw the run in progress");
    assert!(
        running.windows(2).all(|w| w[0] <= w[1]),
        "phases advance in order: {running:?}"
    );

    let stats = server.sim.stats();
    assert!(
        stats.not_modified > 0,
        "unchanged polls answered 304: {stats:?}"
    );
    eprintln!("watching one run: {stats:?}");
    let ops = server.assert_conformant(&Spec::load());
    assert!(ops.contains(&"actions/create-workflow-dispatch".to_string()));
    assert!(ops.contains(&"actions/list-jobs-for-workflow-run".to_string()));
}

#[tokio::test]
async fn github_provider_run_failing_at_phase_6_names_the_step() {
    let (server, client) = setup("").await;
    let run_id = client
        .dispatch("3.0.0-fail-at-6")
        .await
        .unwrap()
        .run_id
        .unwrap();
    let (p, _) = poll_until(&client, run_id, |p| p.state.is_done()).await;
    assert_eq!(p.state, RunState::Failed);
    let (i, failed) = p.failure().unwrap();
    assert_eq!(
        (i, failed.name.as_str()),
        (5, "HIPAA Compliance Verification")
    );
    assert_eq!(failed.failed_step.as_deref(), Some("Verify data privacy"));
    assert_eq!(failed.conclusion.as_deref(), Some("failure"));
    assert!(
        p.phases[..5]
            .iter()
            .all(|ph| ph.state == PhaseState::Succeeded)
    );
    assert!(
        p.phases[6..]
            .iter()
            .all(|ph| ph.state == PhaseState::Skipped)
    );
    assert_eq!(p.current_phase(), Some(5));
    let steps: Vec<(&str, PhaseState)> = failed
        .steps
        .iter()
        .map(|s| (s.name.as_str(), s.state))
        .collect();
    assert_eq!(
        steps.last(),
        Some(&("Verify data privacy", PhaseState::Failed)),
        "{steps:?}"
    );
    assert!(
        steps[..steps.len() - 1]
            .iter()
            .all(|(_, s)| *s == PhaseState::Succeeded)
    );
    // Enter on the phase: the check run's annotations, in GitHub's shape; again, a free 304.
    let check_run = failed.check_run_id.unwrap();
    let annotations = client.check_run_annotations(check_run).await.unwrap();
    let levels: Vec<_> = annotations
        .iter()
        .map(|a| a.annotation_level.as_deref())
        .collect();
    assert_eq!(levels, [Some("failure"), Some("failure")]);
    assert!(
        annotations[0]
            .message
            .as_deref()
            .unwrap()
            .contains("fail_at_phase=6")
    );
    assert_eq!(
        annotations[1].message.as_deref(),
        Some("Process completed with exit code 1.")
    );
    let not_modified = server.sim.stats().not_modified;
    assert_eq!(
        client.check_run_annotations(check_run).await.unwrap(),
        annotations
    );
    assert_eq!(server.sim.stats().not_modified, not_modified + 1);
    // A passed phase's check run has none; an unknown one is GitHub's 404.
    let passed = p.phases[0].check_run_id.unwrap();
    assert!(
        client
            .check_run_annotations(passed)
            .await
            .unwrap()
            .is_empty()
    );
    let missing = client
        .check_run_annotations(check_run + 50)
        .await
        .unwrap_err();
    assert!(missing.to_string().contains("404"), "{missing}");
    server.assert_conformant(&Spec::load());
}

#[tokio::test]
async fn github_provider_waits_for_prod_approval_then_finishes() {
    let (server, client) = setup("[inputs]\nrequire_approval = \"true\"").await;
    let run_id = client.dispatch("4.0.0").await.unwrap().run_id.unwrap();
    let (p, _) = poll_until(&client, run_id, |p| p.state == RunState::WaitingApproval).await;
    let i = p.current_phase().unwrap();
    assert_eq!(p.phases[i].name, "Production Deployment");
    assert_eq!(p.phases[i].state, PhaseState::WaitingApproval);
    let a = &p.approvals[0];
    assert_eq!(a.environment, "prod");
    assert_eq!(
        a.reviewers,
        vec![
            Reviewer::User("oncall-lead".into()),
            Reviewer::Team("release-managers".into())
        ]
    );
    assert_eq!(
        client.watch_run(run_id).await.unwrap(),
        Fetched::Unchanged,
        "waiting is stable"
    );

    client
        .review_pending(run_id, &[a.environment_id], true, "ship it")
        .await
        .unwrap();
    let (p, _) = poll_until(&client, run_id, |p| p.state.is_done()).await;
    assert_eq!(p.state, RunState::Succeeded);
    server.assert_conformant(&Spec::load());
}

#[tokio::test]
async fn github_provider_429_is_rate_limited_then_succeeds() {
    let (server, client) = setup("").await;
    // Surfaced rather than waited out, to see the client's own blocking.
    client.set_retry(RetryPolicy {
        max_server_wait: Duration::ZERO,
        ..RetryPolicy::GET
    });
    server
        .faults(json!({"rate_limit": {"count": 1, "status": 429, "retry_after": 1}}))
        .await;
    let before = Utc::now();
    let err = client.list_runs(5).await.unwrap_err();
    let GithubError::RateLimited { until, ref url, .. } = err else {
        panic!("{err}")
    };
    assert!(url.ends_with("/actions/workflows/release.yml/runs?per_page=5"));
    assert!(
        until >= before + chrono::TimeDelta::seconds(1)
            && until <= Utc::now() + chrono::TimeDelta::seconds(1)
    );
    assert_eq!(client.blocked_until(), Some(until));
    // Before `until`, the client does not hammer the API.
    let sent = server.sim.stats().requests;
    assert!(matches!(
        client.list_runs(5).await,
        Err(GithubError::RateLimited { .. })
    ));
    assert_eq!(
        server.sim.stats().requests,
        sent,
        "no request sent while blocked"
    );
    tokio::time::sleep((until - Utc::now()).to_std().unwrap_or_default()).await;
    assert!(matches!(
        client.list_runs(5).await.unwrap(),
        Fetched::Changed(_)
    ));
    server.assert_conformant(&Spec::load());
}

#[tokio::test]
async fn github_provider_403_exhausted_waits_for_reset() {
    let (server, client) = setup("").await;
    client.set_retry(RetryPolicy {
        max_server_wait: Duration::ZERO,
        ..RetryPolicy::GET
    });
    server
        .faults(json!({"rate_limit": {"count": 1, "status": 403, "retry_after": 2}}))
        .await;
    let err = client.get_run(9_000_001).await.unwrap_err();
    let GithubError::RateLimited { until, .. } = err else {
        panic!("{err}")
    };
    let rl = client.rate_limit().unwrap();
    assert_eq!(
        (rl.remaining, rl.reset),
        (0, until),
        "waits until x-ratelimit-reset"
    );
    assert!(err.is_transient());
    tokio::time::sleep((until - Utc::now()).to_std().unwrap_or_default()).await;
    assert!(client.get_run(9_000_001).await.is_ok());
    server.assert_conformant(&Spec::load());
}

/// GitHub GETs share the one retry policy: a 502 page from a proxy, a reset, a secondary rate
/// limit with a short `Retry-After` are each ridden out; a long one is handed back at once.
#[tokio::test]
async fn github_gets_are_retried_under_the_shared_policy() {
    let running = flightdeck::sandbox::start("127.0.0.1:0".parse().unwrap(), SPEED)
        .await
        .unwrap();
    let state = running.state.clone();
    let client = GithubClient::new(&cfg(&running.base_url(), ""), test_token()).unwrap();
    let runs = "/repos/*/actions/workflows/*/runs";
    let set = |spec: &str| {
        state.lock_faults().rules = vec![FaultRule::parse(spec).unwrap()];
    };
    for spec in ["error:502:html@/repos/*#1", "reset@/repos/*#2"] {
        set(spec);
        let before = state.requests_seen("GET", runs);
        client.list_runs(5).await.expect(spec);
        let retries = if spec.ends_with("#2") { 2 } else { 1 };
        assert_eq!(
            state.requests_seen("GET", runs) - before,
            1 + retries,
            "{spec}"
        );
    }
    set("throttle:1@/repos/*#1");
    let started = std::time::Instant::now();
    client.list_runs(5).await.expect("after Retry-After: 1");
    assert!(started.elapsed() >= Duration::from_secs(1));
    set("error:404:github@/repos/*");
    let before = state.requests_seen("GET", "/repos/*");
    client.get_run(1).await.unwrap_err();
    assert_eq!(
        state.requests_seen("GET", "/repos/*") - before,
        1,
        "a 404 is final"
    );
    set("throttle:60@/repos/*#1");
    let before = state.requests_seen("GET", runs);
    let error = client.list_runs(5).await.unwrap_err();
    assert!(matches!(error, GithubError::RateLimited { .. }), "{error}");
    assert_eq!(
        state.requests_seen("GET", runs) - before,
        1,
        "not slept through"
    );
}

#[tokio::test]
async fn github_provider_errors_name_the_url_never_the_token() {
    let server = serve(GithubSim::new(SPEED), "").await;
    let mut c = cfg(&server.base, "");
    c.repo = "no-such-repo".into();
    let token = Token::new("ghp_s3cr3t-value").unwrap();
    let client = GithubClient::new(&c, Some(token.clone())).unwrap();
    let err = client.list_runs(5).await.unwrap_err();
    let text = format!("{err} {err:?} {client:?} {token:?}");
    assert!(text.contains(&format!("{}/repos/clarity/no-such-repo/", server.base)));
    assert!(text.contains("HTTP 404") && text.contains("check owner, repo and workflow"));
    assert!(!text.contains("s3cr3t"), "token leaked: {text}");
    let sent = &server.exchanges()[0];
    assert_eq!(sent.headers["authorization"], "Bearer ghp_s3cr3t-value");
    // A completed run cannot be cancelled: 409, with advice.
    let ok = GithubClient::new(&cfg(&server.base, ""), test_token()).unwrap();
    let err = ok.cancel_run(9_000_001).await.unwrap_err();
    assert!(
        matches!(err, GithubError::Http { status: 409, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn github_provider_works_under_an_enterprise_base_path_and_cancels() {
    let server = serve(sim(SPEED / 100.0), "/api/v3").await;
    let client = GithubClient::new(&cfg(&server.base, ""), test_token()).unwrap();
    let since = Utc::now() - chrono::TimeDelta::seconds(1);
    let run_id = client.dispatch("5.0.0").await.unwrap().run_id.unwrap();
    let found = client
        .find_dispatched_run(since, &Default::default(), "5.0.0")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, run_id);
    client.cancel_run(run_id).await.unwrap();
    let (p, _) = poll_until(&client, run_id, |p| p.state.is_done()).await;
    assert_eq!(p.state, RunState::Cancelled);
    assert!(
        server
            .exchanges()
            .iter()
            .all(|e| e.path.starts_with("/api/v3/repos/"))
    );
    server.assert_conformant(&Spec::load());
}

#[tokio::test]
async fn github_token_from_command_or_env() {
    let mut c = cfg("http://127.0.0.1:9", "");
    let env = |k: &str| (k == "GH_TOKEN").then(|| "from-gh-env".to_string());
    assert_eq!(
        Token::resolve_with(&c, env).await.unwrap(),
        Token::new("from-gh-env")
    );
    assert_eq!(Token::resolve_with(&c, |_| None).await.unwrap(), None);
    c.token_command = Some("printf '  tok-123 \\n'".into());
    assert_eq!(
        Token::resolve_with(&c, env).await.unwrap(),
        Token::new("tok-123")
    );
    c.token_command = Some("printf 'sec%sret-out' X; exit 3".into());
    let err = Token::resolve_with(&c, env).await.unwrap_err();
    assert!(
        !err.to_string().contains("secXret"),
        "command output must not be echoed: {err}"
    );
    assert!(err.to_string().contains("GITHUB_TOKEN"), "{err}");
}

#[test]
fn github_openapi_checker_rejects_bad_requests_and_bodies() {
    let spec = Spec::load();
    let dispatch = "/repos/o/r/actions/workflows/release.yml/dispatches";
    assert!(
        spec.check_request(
            "POST",
            dispatch,
            None,
            Some(&json!({"ref": "main", "inputs": {"version": "1"}}))
        )
        .is_ok()
    );
    assert!(
        spec.check_request("POST", dispatch, None, Some(&json!({"inputs": {}})))
            .is_err(),
        "ref required"
    );
    assert!(
        spec.check_request("POST", dispatch, None, Some(&json!({"ref": 3})))
            .is_err(),
        "ref is a string"
    );
    assert!(
        spec.check_request(
            "GET",
            "/repos/o/r/actions/runs/12/jobs",
            Some("filter=newest"),
            None
        )
        .is_err()
    );
    assert!(
        spec.check_request(
            "GET",
            "/repos/o/r/actions/runs/12/jobs",
            Some("bogus=1"),
            None
        )
        .is_err()
    );
    assert!(
        spec.check_request("GET", "/repos/o/r/actions/runs/abc", None, None)
            .is_err(),
        "run_id integer"
    );
    let review = "/repos/o/r/actions/runs/12/pending_deployments";
    assert!(
        spec.check_request(
            "POST",
            review,
            None,
            Some(&json!({"environment_ids": [1], "state": "ok", "comment": ""}))
        )
        .is_err()
    );
    assert!(
        spec.check_response(
            "GET",
            "/repos/o/r/actions/runs/12",
            200,
            Some(&json!({"id": 1}))
        )
        .is_err()
    );
    assert!(
        spec.check_response(
            "POST",
            "/repos/o/r/actions/runs/12/cancel",
            202,
            Some(&json!({}))
        )
        .is_ok()
    );
}
