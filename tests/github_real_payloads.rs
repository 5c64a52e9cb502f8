//! The provider parses GitHub's own example responses (`tests/fixtures/real/github/`), not only
//! what the sandbox sends: timestamps with offsets and milliseconds, referenced workflows, team
//! reviewers, a wait timer, the dispatch response, GitHub's error bodies, a workflow file.

use std::path::PathBuf;

use base64::Engine;
use chrono::{DateTime, Utc};
use flightdeck::model::pipeline::{PhaseState, Reviewer, RunState};
use flightdeck::providers::github::wire::{
    CheckAnnotation, DispatchResponse, ErrorBody, JobList, PendingDeployment, WorkflowRun,
    WorkflowRunList,
};
use flightdeck::providers::github::{
    annotation, expected_durations, parse_dispatch_inputs, to_pipeline,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

fn load<T: DeserializeOwned>(name: &str) -> T {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests/fixtures/real/github",
        name,
    ]
    .iter()
    .collect();
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[test]
fn github_real_run_jobs_and_pending_deployments_make_a_pipeline() {
    let run: WorkflowRun = load("workflow_run.json");
    assert_eq!((run.id, run.run_number), (30433642, 562));
    assert_eq!(run.status.as_deref(), Some("queued"));
    assert_eq!(run.display_title, "Update README.md");
    let list: WorkflowRunList = load("workflow_runs.json");
    assert_eq!(list.workflow_runs[0], run);

    let jobs: JobList = load("jobs.json");
    let job = &jobs.jobs[0];
    assert_eq!(job.steps.len(), 10);
    // Step times come with an offset and milliseconds: the same instants in UTC.
    assert_eq!(job.steps[0].started_at, Some(at("2020-01-20T17:42:40Z")));
    assert_eq!(job.steps[9].completed_at, job.completed_at);

    let pending: Vec<PendingDeployment> = load("pending_deployments.json");
    let mut waiting = run.clone();
    waiting.status = Some("waiting".into());
    let p = to_pipeline(
        &waiting,
        &jobs.jobs,
        &pending,
        &expected_durations(None, 1.0),
    );
    assert_eq!(p.state, RunState::WaitingApproval);
    assert_eq!(p.phases[0].name, "build");
    assert_eq!(p.phases[0].state, PhaseState::Succeeded);
    assert_eq!((p.phases[0].steps_done, p.phases[0].steps_total), (10, 10));
    let a = &p.approvals[0];
    assert_eq!(
        (a.environment.as_str(), a.environment_id),
        ("staging", 161088068)
    );
    assert!(a.current_user_can_approve);
    assert_eq!(a.wait_timer_started_at, Some(at("2020-11-23T22:00:40Z")));
    assert_eq!(
        a.reviewers,
        vec![
            Reviewer::User("octocat".into()),
            Reviewer::Team("justice-league".into())
        ]
    );
    let queued = to_pipeline(&run, &[], &[], &expected_durations(None, 1.0));
    assert_eq!(queued.state, RunState::Queued);
    // Each step as the phase detail shows it, and the job's check run (same id as the job).
    let steps = &p.phases[0].steps;
    assert_eq!(steps.len(), 10);
    assert_eq!(
        (steps[7].number, steps[7].name.as_str()),
        (8, "Deploy to Heroku")
    );
    assert_eq!(
        steps[7]
            .completed_at
            .zip(steps[7].started_at)
            .map(|(c, s)| (c - s).num_seconds()),
        Some(100)
    );
    assert_eq!(p.phases[0].check_run_id, Some(399444496));
    let annotations: Vec<CheckAnnotation> = load("check_run_annotations.json");
    let a = annotation(&annotations[0]);
    assert_eq!(
        (a.level.as_str(), a.path.as_str(), a.start_line),
        ("warning", "README.md", 2)
    );
    assert_eq!(a.title.as_deref(), Some("Spell Checker"));
    assert_eq!(
        a.raw_details.as_deref(),
        Some("Do you mean 'bananas' or 'banana'?")
    );
}

#[test]
fn github_real_dispatch_response_errors_and_workflow_file() {
    let d: DispatchResponse = load("workflow_dispatch_response.json");
    assert_eq!(d.workflow_run_id, 1);
    assert!(d.html_url.ends_with("/actions/runs/1"));
    let e: ErrorBody = load("error_422_unexpected_inputs.json");
    assert_eq!(e.message, "Unexpected inputs provided: [\"region\"]");
    let e: ErrorBody = load("error_401.json");
    assert_eq!(e.message, "Requires authentication");
    let wf: Value = load("workflow.json");
    let file: Value = load("content_workflow_file.json");
    assert_eq!(file["path"], wf["path"]);
    let packed: String = file["content"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .collect();
    let yaml = base64::engine::general_purpose::STANDARD
        .decode(packed)
        .unwrap();
    let inputs = parse_dispatch_inputs(std::str::from_utf8(&yaml).unwrap()).unwrap();
    assert_eq!(inputs.get("version"), Some(&true));
    assert_eq!(
        inputs.get("dry_run"),
        Some(&false),
        "has a default: optional"
    );
}

/// A review's planner keeps what it read as data (`ReadValue::Json`) and reads it back: GitHub's
/// own runs and pending deployments come back the same.
#[test]
fn github_real_runs_and_pending_deployments_kept_as_data_read_back_the_same() {
    fn round_trip<T: serde::Serialize + DeserializeOwned>(value: &T) -> T {
        serde_json::from_value(serde_json::to_value(value).unwrap()).unwrap()
    }
    let list: WorkflowRunList = load("workflow_runs.json");
    assert_eq!(round_trip(&list.workflow_runs), list.workflow_runs);
    let run: WorkflowRun = load("workflow_run.json");
    assert_eq!(round_trip(&run), run);
    let pending: Vec<PendingDeployment> = load("pending_deployments.json");
    assert_eq!(round_trip(&pending), pending);
}
