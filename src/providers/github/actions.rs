//! Commands: `workflow_dispatch`, approving a waiting deployment, cancelling a run.
//! Mutations are never retried blindly (GitHub has no idempotency key for them).

use std::collections::BTreeSet;

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::client::decode;
use super::wire::{DispatchResponse, PendingDeployment, WorkflowRun, WorkflowRunList};
use super::{GithubClient, GithubError};

/// What a `workflow_dispatch` returned: the run id when GitHub returned run details (200),
/// none on a 204 (then use [`GithubClient::find_dispatched_run`]).
#[derive(Debug, Clone, PartialEq)]
pub struct DispatchOutcome {
    pub run_id: Option<u64>,
    pub html_url: Option<String>,
}

impl GithubClient {
    /// `workflow_dispatch` for `version` with the profile's inputs, unchecked (see
    /// [`super::dispatch_inputs`] to check them against the workflow first).
    pub async fn dispatch(&self, version: &str) -> Result<DispatchOutcome, GithubError> {
        let inputs = super::dispatch_inputs(self.cfg(), version, None).unwrap_or_default();
        self.dispatch_with(inputs).await
    }

    /// `workflow_dispatch` with `{ref, inputs, return_run_details: true}`. Not retried: after an
    /// unclear answer, look for the run with [`Self::find_dispatched_run`] instead.
    pub async fn dispatch_with(
        &self,
        inputs: Map<String, Value>,
    ) -> Result<DispatchOutcome, GithubError> {
        let body = json!({"ref": self.cfg().git_ref, "inputs": inputs, "return_run_details": true});
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

    /// The ids of `workflow_dispatch` runs created at or after `since` (taken before a dispatch,
    /// so that the run it creates can be told from runs that were already there).
    pub async fn dispatch_runs_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<BTreeSet<u64>, GithubError> {
        Ok(self
            .recent_dispatch_runs(since)
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect())
    }

    async fn recent_dispatch_runs(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<WorkflowRun>, GithubError> {
        let created = since.to_rfc3339_opts(SecondsFormat::Secs, true);
        let url = format!(
            "{}/runs?event=workflow_dispatch&created=%3E%3D{}&per_page=100",
            self.workflow_url(),
            created.replace(':', "%3A").replace('+', "%2B")
        );
        let list: WorkflowRunList = self.get_fresh(&url).await?;
        Ok(list.workflow_runs)
    }

    /// The run our dispatch created, if it is listed yet: a `workflow_dispatch` run on the
    /// profile's ref, created at or after `since`, not among `before`; when several qualify,
    /// the one whose title has `version` as a word (a run-name such as
    /// `Release ${{ inputs.version }}`), else the earliest. (Runs still unlisted when `before`
    /// was taken are why the title matters.)
    pub async fn find_dispatched_run(
        &self,
        since: DateTime<Utc>,
        before: &BTreeSet<u64>,
        version: &str,
    ) -> Result<Option<WorkflowRun>, GithubError> {
        let git_ref = self.cfg().git_ref.clone();
        let mut found: Vec<WorkflowRun> = self
            .recent_dispatch_runs(since)
            .await?
            .into_iter()
            .filter(|r| !before.contains(&r.id) && r.created_at >= since)
            .filter(|r| r.head_branch.as_deref().is_none_or(|b| b == git_ref))
            .collect();
        let names_version =
            |r: &WorkflowRun| r.display_title.split_whitespace().any(|w| w == version);
        found.sort_by_key(|r| (!names_version(r), r.created_at, r.id));
        Ok(found.into_iter().next())
    }

    /// The workflow's runs waiting on an environment approval, newest first (unconditional:
    /// a review is decided on what GitHub says now, not on a cached answer).
    pub async fn waiting_runs(&self) -> Result<Vec<WorkflowRun>, GithubError> {
        let url = format!("{}/runs?status=waiting&per_page=30", self.workflow_url());
        let resp = self.send(Method::GET, &url, None, None).await?;
        let bytes = resp.bytes().await.unwrap_or_default();
        let mut list: WorkflowRunList = decode(&url, &bytes)?;
        list.workflow_runs
            .retain(|r| r.status.as_deref() == Some("waiting"));
        list.workflow_runs
            .sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id)));
        Ok(list.workflow_runs)
    }

    /// A run's pending deployments as GitHub has them now (unconditional, like [`Self::waiting_runs`]).
    pub async fn pending_now(&self, run_id: u64) -> Result<Vec<PendingDeployment>, GithubError> {
        let url = format!("{}/pending_deployments", self.run_url(run_id));
        let resp = self.send(Method::GET, &url, None, None).await?;
        let bytes = resp.bytes().await.unwrap_or_default();
        decode(&url, &bytes)
    }

    /// A run as GitHub has it now (unconditional).
    pub async fn run_now(&self, run_id: u64) -> Result<WorkflowRun, GithubError> {
        let url = self.run_url(run_id);
        let resp = self.send(Method::GET, &url, None, None).await?;
        let bytes = resp.bytes().await.unwrap_or_default();
        decode(&url, &bytes)
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
