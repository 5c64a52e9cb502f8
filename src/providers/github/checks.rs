//! A check run's annotations: why a job failed, in the job's own words. Read only when the user
//! opens a failed phase, as a conditional GET (opening it again costs a free 304).

use super::wire::CheckAnnotation;
use super::{Fetched, GithubClient, GithubError};

/// GitHub's largest page; a failed job rarely has more than a handful.
const PER_PAGE: u8 = 50;

impl GithubClient {
    /// `GET /repos/{o}/{r}/check-runs/{id}/annotations` (the first page).
    pub async fn check_run_annotations(
        &self,
        check_run_id: u64,
    ) -> Result<Vec<CheckAnnotation>, GithubError> {
        let url = format!(
            "{}/check-runs/{check_run_id}/annotations?per_page={PER_PAGE}",
            self.repo_url()
        );
        match self.get_json(&url).await? {
            Fetched::Changed(list) => Ok(list),
            Fetched::Unchanged => self.cached(&url),
        }
    }
}
