//! One poll of a run for callers that want everything at once (the CLI's `status`, tests):
//! run + jobs (+ pending deployments while `waiting`), all conditional.

use super::wire::{Job, PendingDeployment, WorkflowRun};
use super::{Fetched, GithubClient, GithubError};

/// A run with its jobs (and pending deployments when it waits for an approval).
#[derive(Debug, Clone, PartialEq)]
pub struct RunSnapshot {
    pub run: WorkflowRun,
    pub jobs: Vec<Job>,
    pub pending: Vec<PendingDeployment>,
}

impl GithubClient {
    /// One poll of a run: run + jobs (+ pending deployments while `waiting`), all conditional.
    /// `Unchanged` when every request was answered 304.
    pub async fn watch_run(&self, run_id: u64) -> Result<Fetched<RunSnapshot>, GithubError> {
        let run_url = self.run_url(run_id);
        let pending_url = format!("{run_url}/pending_deployments");
        let run_f = self.get_run(run_id).await?;
        let jobs_f = self.list_jobs(run_id).await?;
        let mut changed =
            matches!(run_f, Fetched::Changed(_)) || matches!(jobs_f, Fetched::Changed(_));
        let run = match run_f {
            Fetched::Changed(r) => r,
            Fetched::Unchanged => self.cached(&run_url)?,
        };
        let jobs = match jobs_f {
            Fetched::Changed(j) => j,
            Fetched::Unchanged => self.cached_jobs(run_id)?,
        };
        let pending = if run.status.as_deref() == Some("waiting") {
            match self.pending_deployments(run_id).await? {
                Fetched::Changed(p) => {
                    changed = true;
                    p
                }
                Fetched::Unchanged => self.cached(&pending_url)?,
            }
        } else {
            Vec::new()
        };
        Ok(if changed {
            Fetched::Changed(RunSnapshot {
                run,
                jobs: jobs.jobs,
                pending,
            })
        } else {
            Fetched::Unchanged
        })
    }
}
