//! What watching a run costs: over a whole run of ten jobs, the cockpit's pipeline source pays at
//! most one counted request per change it shows (plus the first reads), and looking for newer
//! runs is free (304) until one appears. Bounded by poll count, not by time.

use std::time::Duration;

use flightdeck::model::pipeline::RunState;
use flightdeck::providers::github::{GithubClient, PipelineConfig, Token, expected_durations};
use flightdeck::runtime::{PipelinePoll, PipelineSource};
use flightdeck::sandbox::github::{Faults, GithubSim, router};
use serde_json::{Value, json};

const SPEED: f64 = 400.0;

async fn serve(sim: GithubSim) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router(sim)).await.ok() });
    format!("http://{addr}")
}

fn source(base: &str) -> PipelineSource {
    let cfg: PipelineConfig = toml::from_str(&format!(
        "base_url = \"{base}\"\nowner = \"clarity\"\nrepo = \"clarity-backend\"\nworkflow = \"release.yml\""
    ))
    .unwrap();
    let client = GithubClient::new(&cfg, Token::new("ghp_test")).unwrap();
    PipelineSource::new(client, expected_durations(Some(&cfg), SPEED))
}

#[tokio::test]
async fn github_watch_pays_one_counted_request_per_visible_change() {
    let sim = GithubSim::new(SPEED);
    sim.set_faults(Faults {
        job_secs: Some(120.0),
        list_delay_secs: Some(0.0),
        ..Faults::default()
    });
    let base = serve(sim.clone()).await;
    let run_id = dispatch(&base, "3.0.0").await;
    let src = source(&base);
    let before = sim.stats();
    let (mut known, mut changes, mut last_state) = (None, 0u64, None);
    for poll in 0..20_000u32 {
        // As the cockpit does: look for a newer run every fifth poll.
        match src.poll(known, poll % 5 == 0).await {
            PipelinePoll::Changed(p) => {
                changes += 1;
                known = Some(p.run_id);
                last_state = Some(p.state);
            }
            PipelinePoll::Unchanged => {}
            other => panic!("{other:?}"),
        }
        if last_state.is_some_and(|s| s.is_done()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(known, Some(run_id), "the newest run was watched");
    assert_eq!(last_state, Some(RunState::Succeeded));
    let after = sim.stats();
    let counted = after.counted - before.counted;
    // One per change (the jobs), plus: the run list and the run on the first read, the first
    // "created after" list (then 304s), and the run again when it starts and when it ends (its
    // status and conclusion are the run's own).
    assert!(
        counted <= changes + 5,
        "{counted} counted requests for {changes} visible changes"
    );
    assert!(changes >= 10, "every job was seen moving: {changes}");
    assert!(
        after.not_modified - before.not_modified > counted,
        "most polls were 304s"
    );

    // Looking for a newer run while none exists stays free (after one read of the list)...
    src.poll(known, true).await;
    let mid = sim.stats();
    for _ in 0..5 {
        assert!(matches!(
            src.poll(known, true).await,
            PipelinePoll::Unchanged
        ));
    }
    assert_eq!(sim.stats().counted, mid.counted, "no counted request");
    // ...and a new run is found.
    let second = dispatch(&base, "3.1.0").await;
    let mut found = None;
    for _ in 0..1000 {
        if let PipelinePoll::Changed(p) = src.poll(known, true).await {
            found = Some(p.run_id);
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(found, Some(second));
}

async fn dispatch(base: &str, version: &str) -> u64 {
    let out: Value = reqwest::Client::new()
        .post(format!(
            "{base}/repos/clarity/clarity-backend/actions/workflows/release.yml/dispatches"
        ))
        .bearer_auth("ghp_test")
        .json(&json!({"ref": "main", "inputs": {"version": version}, "return_run_details": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    out["workflow_run_id"].as_u64().unwrap()
}
