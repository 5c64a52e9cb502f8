//! Commands: `workflow_dispatch`, approving a waiting deployment, cancelling a run.
//! Mutations are never retried blindly (GitHub has no idempotency key for them).

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::client::decode;
use super::wire::{DispatchResponse, WorkflowRun, WorkflowRunList};
use super::{GithubClient, GithubError};

/// What a `workflow_dispatch` returned: the run id when GitHub returned run details (200),
/// none on a 204 (then use [`GithubClient::find_dispatched_run`]).
#[derive(Debug, Clone, PartialEq)]
pub struct DispatchOutcome {
    pub run_id: Option<u64>,
    pub html_url: Option<String>,
}

impl GithubClient {
    /// `workflow_dispatch` with `{ref, inputs: {…profile inputs, version_input: version}, return_run_details: true}`.
    /// Not retried: on a timeout, look for the run with [`Self::find_dispatched_run`] first.
    pub async fn dispatch(&self, version: &str) -> Result<DispatchOutcome, GithubError> {
        let c = self.cfg();
        let mut inputs = serde_json::Map::new();
        for (k, v) in &c.inputs {
            inputs.insert(k.clone(), Value::String(v.clone()));
        }
        inputs.insert(c.version_input.clone(), Value::String(version.into()));
        let body = json!({"ref": c.git_ref, "inputs": inputs, "return_run_details": true});
        let url = format!("{}/dispatches", self.workflow_url());
        let resp = self.send(Method::POST, &url, Some(&body), None).await?;
        if resp.status() == StatusCode::NO_CONTENT {
            return Ok(DispatchOutcome {
                run_id: None,
                html_url: None,
            });
        }
        let bytes = resp.bytes().await.unwrap_or_default();
        let r: DispatchResponse = decode(&url, &bytes)?;
        Ok(DispatchOutcome {
            run_id: Some(r.workflow_run_id),
            html_url: Some(r.html_url),
        })
    }

    /// The newest `workflow_dispatch` run created at or after `since` (after a 204 dispatch).
    pub async fn find_dispatched_run(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Option<WorkflowRun>, GithubError> {
        let created = since.to_rfc3339_opts(SecondsFormat::Secs, true);
        let url = format!(
            "{}/runs?event=workflow_dispatch&created=%3E%3D{}&per_page=10",
            self.workflow_url(),
            created.replace(':', "%3A").replace('+', "%2B")
        );
        let resp = self.send(Method::GET, &url, None, None).await?;
        let bytes = resp.bytes().await.unwrap_or_default();
        let list: WorkflowRunList = decode(&url, &bytes)?;
        Ok(list.workflow_runs.into_iter().max_by_key(|r| r.created_at))
    }

    /// Approves or rejects the waiting deployments of a run (needs a reviewer's user token).
    pub async fn review_pending(
        &self,
        run_id: u64,
        environment_ids: &[u64],
        approve: bool,
        comment: &str,
    ) -> Result<(), GithubError> {
        let state = if approve { "approved" } else { "rejected" };
        let body = json!({"environment_ids": environment_ids, "state": state, "comment": comment});
        let url = format!("{}/pending_deployments", self.run_url(run_id));
        self.send(Method::POST, &url, Some(&body), None)
            .await
            .map(drop)
    }

    /// Cancels a run (202). A 409 means it already finished: re-read the run.
    pub async fn cancel_run(&self, run_id: u64) -> Result<(), GithubError> {
        let url = format!("{}/cancel", self.run_url(run_id));
        self.send(Method::POST, &url, None, None).await.map(drop)
    }
}
