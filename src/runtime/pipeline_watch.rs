//! Watching the newest release run with as few counted requests as possible: each poll is one
//! conditional GET of the run's jobs; only when they changed are the run (and, while it waits
//! for an approval, its pending deployments) read. The newest run is looked up now and then.

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
    run: Option<WorkflowRun>,
    jobs: Vec<Job>,
    pending: Vec<PendingDeployment>,
}

#[derive(Debug, Clone)]
pub struct PipelineSource {
    pub client: GithubClient,
    pub expected: ExpectedDurations,
    cache: Arc<Mutex<Cache>>,
}

impl PipelineSource {
    pub fn new(client: GithubClient, expected: ExpectedDurations) -> PipelineSource {
        PipelineSource {
            client,
            expected,
            cache: Arc::new(Mutex::new(Cache::default())),
        }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// One poll of run `known` (or of the newest run, when `look_for_newer` or none is known).
    pub async fn poll(&self, known: Option<u64>, look_for_newer: bool) -> PipelinePoll {
        match self.poll_inner(known, look_for_newer).await {
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
        if (look_for_newer || known.is_none())
            && let Fetched::Changed(list) = self.client.list_runs(1).await?
        {
            match list.workflow_runs.into_iter().next() {
                Some(newest) => run_id = Some(newest.id),
                None => return Ok(PipelinePoll::NoRuns),
            }
        }
        let Some(run_id) = run_id else {
            return Ok(PipelinePoll::NoRuns);
        };
        let switched = self.cache().run.as_ref().map(|r| r.id) != Some(run_id);
        if switched {
            *self.cache() = Cache::default();
        }
        let jobs = match self.client.list_jobs(run_id).await? {
            Fetched::Changed(list) => Some(list.jobs),
            Fetched::Unchanged => None,
        };
        let waiting = self
            .cache()
            .run
            .as_ref()
            .is_some_and(|r| r.status.as_deref() == Some("waiting"));
        if jobs.is_none() && !switched && !waiting {
            return Ok(PipelinePoll::Unchanged);
        }
        let run = match self.client.get_run(run_id).await? {
            Fetched::Changed(run) => Some(run),
            Fetched::Unchanged => None,
        };
        if jobs.is_none() && run.is_none() {
            return Ok(PipelinePoll::Unchanged);
        }
        let (run, jobs) = {
            let mut cache = self.cache();
            if let Some(run) = run {
                cache.run = Some(run);
            }
            if let Some(jobs) = jobs {
                cache.jobs = jobs;
            }
            match cache.run.clone() {
                Some(run) => (run, cache.jobs.clone()),
                None => return Ok(PipelinePoll::Unchanged),
            }
        };
        let pending = if run.status.as_deref() == Some("waiting") {
            if let Fetched::Changed(pending) = self.client.pending_deployments(run_id).await? {
                self.cache().pending = pending;
            }
            self.cache().pending.clone()
        } else {
            Vec::new()
        };
        Ok(PipelinePoll::Changed(Box::new(to_pipeline(
            &run,
            &jobs,
            &pending,
            &self.expected,
        ))))
    }
}
