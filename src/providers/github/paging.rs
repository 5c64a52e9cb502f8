//! Lists that span pages (`Link: <…>; rel="next"`): a run's jobs past 100, each page a
//! conditional GET of its own; and the run list narrowed to runs created after a given one.

use chrono::{DateTime, SecondsFormat, Utc};

use super::wire::{JobList, WorkflowRunList};
use super::{Fetched, GithubClient, GithubError};

/// Pages followed at most (100 jobs each): GitHub caps a workflow run at 256 jobs per matrix.
const MAX_PAGES: usize = 20;

impl GithubClient {
    /// The jobs (with steps) of the latest attempt of a run, every page. `Unchanged` only when
    /// every page answered 304.
    pub async fn list_jobs(&self, run_id: u64) -> Result<Fetched<JobList>, GithubError> {
        let mut url = Some(self.jobs_url(run_id));
        let (mut changed, mut all) = (
            false,
            JobList {
                total_count: 0,
                jobs: Vec::new(),
            },
        );
        for _ in 0..MAX_PAGES {
            let Some(page_url) = url.take() else { break };
            let (fetched, next) = self.get_page::<JobList>(&page_url).await?;
            let page = match fetched {
                Fetched::Changed(page) => {
                    changed = true;
                    page
                }
                Fetched::Unchanged => self.cached(&page_url)?,
            };
            all.total_count = page.total_count;
            all.jobs.extend(page.jobs);
            url = next;
        }
        Ok(if changed {
            Fetched::Changed(all)
        } else {
            Fetched::Unchanged
        })
    }

    /// The jobs as last seen, every page (after `list_jobs` answered `Unchanged`).
    pub fn cached_jobs(&self, run_id: u64) -> Result<JobList, GithubError> {
        let mut url = Some(self.jobs_url(run_id));
        let mut all = JobList {
            total_count: 0,
            jobs: Vec::new(),
        };
        for _ in 0..MAX_PAGES {
            let Some(page_url) = url.take() else { break };
            let page: JobList = self.cached(&page_url)?;
            all.total_count = page.total_count;
            all.jobs.extend(page.jobs);
            url = self.cached_next(&page_url);
        }
        Ok(all)
    }

    /// Runs of the workflow created after `after` (whole seconds), newest first: while none
    /// exists the answer does not change, so polling it costs only 304s.
    pub async fn list_runs_created_after(
        &self,
        after: DateTime<Utc>,
    ) -> Result<Fetched<WorkflowRunList>, GithubError> {
        let at = after.to_rfc3339_opts(SecondsFormat::Secs, true);
        let url = format!(
            "{}/runs?per_page=1&created=%3E{}",
            self.workflow_url(),
            at.replace(':', "%3A")
        );
        self.get_json(&url).await
    }
}
