//! Response bodies as read from the GitHub REST API (fields we use; unknown fields ignored).
//! Names follow the OpenAPI schemas `workflow-run`, `job`, `pending-deployment`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `GET …/actions/workflows/{workflow_id}/runs`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WorkflowRunList {
    pub total_count: u64,
    pub workflow_runs: Vec<WorkflowRun>,
}

/// Schema `workflow-run`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WorkflowRun {
    pub id: u64,
    pub name: Option<String>,
    #[serde(default)]
    pub display_title: String,
    pub run_number: u64,
    #[serde(default)]
    pub run_attempt: Option<u64>,
    pub event: String,
    /// `queued`, `in_progress`, `waiting`, `completed`, …
    pub status: Option<String>,
    /// `success`, `failure`, `cancelled`, … once completed.
    pub conclusion: Option<String>,
    pub head_sha: String,
    pub head_branch: Option<String>,
    pub html_url: String,
    pub url: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub run_started_at: Option<DateTime<Utc>>,
}

/// `GET …/runs/{run_id}/jobs`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JobList {
    pub total_count: u64,
    pub jobs: Vec<Job>,
}

/// Schema `job`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Job {
    pub id: u64,
    pub run_id: u64,
    pub name: String,
    /// `queued|in_progress|completed|waiting|requested|pending`.
    pub status: String,
    pub conclusion: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub steps: Vec<Step>,
    #[serde(default)]
    pub runner_name: Option<String>,
    /// `…/check-runs/{id}`: a job is a check run (its annotations say why it failed).
    #[serde(default)]
    pub check_run_url: Option<String>,
}

impl Job {
    /// The id of the job's check run: the last segment of `check_run_url`, else the job's id
    /// (GitHub gives both the same number).
    pub fn check_run_id(&self) -> u64 {
        self.check_run_url
            .as_deref()
            .and_then(|url| url.rsplit('/').next())
            .and_then(|id| id.parse().ok())
            .unwrap_or(self.id)
    }
}

/// Schema `check-annotation` (`GET /repos/{o}/{r}/check-runs/{id}/annotations` returns an array).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CheckAnnotation {
    pub path: String,
    pub start_line: u64,
    pub end_line: u64,
    #[serde(default)]
    pub start_column: Option<u64>,
    #[serde(default)]
    pub end_column: Option<u64>,
    /// `notice`, `warning` or `failure`.
    #[serde(default)]
    pub annotation_level: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub raw_details: Option<String>,
    #[serde(default)]
    pub blob_href: String,
}

/// An item of `job.steps`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Step {
    pub number: u64,
    pub name: String,
    /// `queued|in_progress|completed`.
    pub status: String,
    pub conclusion: Option<String>,
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub completed_at: Option<DateTime<Utc>>,
}

/// Schema `pending-deployment` (the endpoint returns an array of these).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PendingDeployment {
    pub environment: PendingEnvironment,
    pub wait_timer: u64,
    pub wait_timer_started_at: Option<DateTime<Utc>>,
    pub current_user_can_approve: bool,
    pub reviewers: Vec<PendingReviewer>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PendingEnvironment {
    #[serde(default)]
    pub id: u64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub html_url: Option<String>,
}

/// `{type: User|Team, reviewer: simple-user | team}`: we keep the login (user) or name (team).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PendingReviewer {
    #[serde(rename = "type")]
    pub kind: String,
    pub reviewer: ReviewerRef,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReviewerRef {
    #[serde(default)]
    pub login: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub slug: Option<String>,
}

/// Schema `workflow-dispatch-response` (200 when `return_run_details` is true).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DispatchResponse {
    pub workflow_run_id: u64,
    pub run_url: String,
    pub html_url: String,
}

/// Schemas `basic-error` / `validation-error`: only the message is kept.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub message: String,
}
