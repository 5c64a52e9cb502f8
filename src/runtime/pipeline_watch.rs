//! Watching the newest release run with as few counted requests as possible (a 304 is free on
//! GitHub): each poll is one conditional GET of the run's jobs (every page). The run itself is
//! read only when the jobs imply its status moved on (started, waiting, finished); while it
//! waits for an approval its pending deployments are polled too (conditional). Newer runs are
//! looked for now and then with a list that stays the same until one appears.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};

use crate::model::pipeline::{ExpectedDurations, Pipeline};
use crate::providers::github::wire::{Job, PendingDeployment, WorkflowRun};
use crate::providers::github::{Fetched, GithubClient, GithubError, to_pipeline};

/// What one poll found.
#[derive(Debug, Clone)]
pub enum PipelinePoll {
    /// Nothing changed since the last poll (every request answered 304).
    Unchanged,
    Changed(Box<Pipeline>),
    /// The workflow has no runs yet.
    NoRuns,
    /// The request failed; with `retry_at` when the server asked us to wait (rate limit).
    Failed {
        error: String,
        retry_at: Option<DateTime<Utc>>,
    },
}

#[derive(Debug, Default)]
struct Cache {
    /// The newest run of the workflow, as the last full list said.
    newest: Option<u64>,
    run: Option<WorkflowRun>,
    jobs: Vec<Job>,
    pending: Vec<PendingDeployment>,
}

#[derive(Debug, Clone)]
pub struct PipelineSource {
    pub client: GithubClient,
    pub expected: ExpectedDurations,
    cache: Arc<Mutex<Cache>>,
    /// A poll not answered within this is abandoned, as a lane's is.
    poll_timeout: Option<std::time::Duration>,
}

impl PipelineSource {
    pub fn new(client: GithubClient, expected: ExpectedDurations) -> PipelineSource {
        PipelineSource {
            client,
            expected,
            cache: Arc::new(Mutex::new(Cache::default())),
            poll_timeout: None,
        }
    }

    /// Abandons a poll after `limit` (one poll interval): a stalled API must not hold the
    /// pipeline's one in-flight poll.
    pub fn with_poll_timeout(mut self, limit: std::time::Duration) -> PipelineSource {
        self.poll_timeout = Some(limit);
        self
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// One poll of run `known` (or of the newest run, when `look_for_newer` or none is known).
    pub async fn poll(&self, known: Option<u64>, look_for_newer: bool) -> PipelinePoll {
        let inner = self.poll_inner(known, look_for_newer);
        let result = match self.poll_timeout {
            Some(limit) => tokio::time::timeout(limit, inner)
                .await
                .unwrap_or_else(|_| {
                    Err(GithubError::Transport {
                        url: self.client.cfg_base().to_string(),
                        detail: format!("no answer within {} ms", limit.as_millis()),
                    })
                }),
            None => inner.await,
        };
        match result {
            Ok(poll) => poll,
            Err(error) => PipelinePoll::Failed {
                retry_at: match &error {
                    GithubError::RateLimited { until, .. } => Some(*until),
                    _ => None,
                },
                error: error.to_string(),
            },
        }
    }

    async fn poll_inner(
        &self,
        known: Option<u64>,
        look_for_newer: bool,
    ) -> Result<PipelinePoll, GithubError> {
        let mut run_id = known;
        if look_for_newer || known.is_none() {
            match self.newest_run(known).await? {
                Some(id) => run_id = Some(id),
                None if known.is_none() => return Ok(PipelinePoll::NoRuns),
                None => {}
            }
        }
        let Some(run_id) = run_id else {
            return Ok(PipelinePoll::NoRuns);
        };
        let switched = self.cache().run.as_ref().map(|r| r.id) != Some(run_id);
        if switched {
            let newest = self.cache().newest;
            *self.cache() = Cache {
                newest,
                ..Cache::default()
            };
        }
        let jobs = match self.client.list_jobs(run_id).await? {
            Fetched::Changed(list) => Some(list.jobs),
            Fetched::Unchanged if switched => Some(self.client.cached_jobs(run_id)?.jobs),
            Fetched::Unchanged => None,
        };
        let known_status = self
            .cache()
            .run
            .as_ref()
            .map(|r| status_class(r.status.as_deref()));
        let waiting = known_status == Some("waiting");
        if jobs.is_none() && !waiting {
            return Ok(PipelinePoll::Unchanged);
        }
        // The run is read only when the jobs say its status moved on (or it is not known yet).
        let run_moved = jobs
            .as_deref()
            .and_then(implied_status)
            .is_some_and(|implied| known_status != Some(implied));
        let run = if known_status.is_none() || run_moved {
            self.client.get_run(run_id).await?.changed()
        } else {
            None
        };
        let (run, jobs, changed) = {
            let mut cache = self.cache();
            let changed = jobs.is_some() || run.is_some();
            if let Some(run) = run {
                cache.run = Some(run);
            }
            if let Some(jobs) = jobs {
                cache.jobs = jobs;
            }
            match cache.run.clone() {
                Some(run) => (run, cache.jobs.clone(), changed),
                None => return Ok(PipelinePoll::Unchanged),
            }
        };
        let mut pending_changed = false;
        let pending = if run.status.as_deref() == Some("waiting") {
            if let Fetched::Changed(pending) = self.client.pending_deployments(run_id).await? {
                self.cache().pending = pending;
                pending_changed = true;
            }
            self.cache().pending.clone()
        } else {
            Vec::new()
        };
        if !changed && !pending_changed {
            return Ok(PipelinePoll::Unchanged);
        }
        Ok(PipelinePoll::Changed(Box::new(to_pipeline(
            &run,
            &jobs,
            &pending,
            &self.expected,
        ))))
    }

    /// A check run's annotations (a failed job's reasons), for the phase detail overlay.
    pub async fn annotations(
        &self,
        check_run_id: u64,
    ) -> Result<Vec<crate::model::phase_detail::Annotation>, String> {
        self.client
            .check_run_annotations(check_run_id)
            .await
            .map(|list| {
                list.iter()
                    .map(crate::providers::github::annotation)
                    .collect()
            })
            .map_err(|e| e.to_string())
    }

    /// The run to watch: a newer one than `known` if there is one. While the watched run is in
    /// progress, only runs created after it are asked for: that answer stays the same (a free 304)
    /// until a new run appears. Otherwise the newest run of the workflow.
    async fn newest_run(&self, known: Option<u64>) -> Result<Option<u64>, GithubError> {
        let watched = self.cache().run.clone().filter(|r| Some(r.id) == known);
        if let Some(run) = watched.filter(|r| r.status.as_deref() != Some("completed")) {
            return Ok(self
                .client
                .list_runs_created_after(run.created_at)
                .await?
                .changed()
                .and_then(|list| list.workflow_runs.into_iter().next())
                .map(|newer| newer.id));
        }
        match self.client.list_runs(1).await? {
            Fetched::Changed(list) => {
                let newest = list.workflow_runs.first().map(|r| r.id);
                self.cache().newest = newest;
                Ok(newest)
            }
            Fetched::Unchanged => Ok(self.cache().newest),
        }
    }
}

/// A run status as one of `queued`, `in_progress`, `waiting`, `completed`.
fn status_class(status: Option<&str>) -> &'static str {
    match status {
        Some("in_progress") => "in_progress",
        Some("waiting") => "waiting",
        Some("completed") => "completed",
        _ => "queued",
    }
}

/// The run status its jobs imply (none when there are no jobs yet).
fn implied_status(jobs: &[Job]) -> Option<&'static str> {
    if jobs.is_empty() {
        return None;
    }
    Some(if jobs.iter().any(|j| j.status == "waiting") {
        "waiting"
    } else if jobs.iter().all(|j| j.status == "completed") {
        "completed"
    } else if jobs
        .iter()
        .any(|j| j.status == "in_progress" || j.status == "completed")
    {
        "in_progress"
    } else {
        "queued"
    })
}
