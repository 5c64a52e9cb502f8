//! Google Cloud Deploy API v1 client: a delivery pipeline's targets become lanes; releases and
//! rollouts (with their phases and jobs) are what runs in them. A real client of the real shapes,
//! pointed at `https://clouddeploy.googleapis.com` or the sandbox.
//!
//! - [`wire`]: the resources as read; [`state`]: a target's lane, from the newest rollouts.
//! - Creates carry a `requestId` (a UUID the caller keeps for the whole intent, so a retry after an
//!   unknown outcome is ignored by the server); verbs without one are re-read before a retry.

pub mod policy;
pub mod state;
pub mod wire;

use std::time::Duration;

use serde::de::DeserializeOwned;

use super::auth::TokenSource;
use super::cloudrun::ApiError;
use super::cloudrun_error::from_body;
use super::retry::{self, Observer, RetryPolicy};

pub const GOOGLE_BASE_URL: &str = "https://clouddeploy.googleapis.com";

/// Where one lane lives in Cloud Deploy (the profile's `[environments.clouddeploy]`).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudDeployTarget {
    /// Omitted in sandbox profiles (filled with the sandbox address); default Google's.
    pub base_url: Option<String>,
    pub project: String,
    pub region: String,
    /// The delivery pipeline's id.
    pub pipeline: String,
    /// This lane's target id (a stage of the pipeline).
    pub target: String,
    /// The image a trigger deploys (`buildArtifacts[].image`, the name skaffold knows), tagged VERSION.
    #[serde(default = "default_artifact")]
    pub artifact: String,
    /// The repository that `VERSION` tags (default: the artifact name).
    pub image_repo: Option<String>,
    pub skaffold_config_uri: Option<String>,
    pub skaffold_config_path: Option<String>,
    /// `"google"` (application default credentials) or `"none"`; default: `"none"` in a profile
    /// with a `[sandbox]` section, else `"google"`.
    pub auth: Option<crate::providers::auth::AuthMode>,
}

fn default_artifact() -> String {
    "app".into()
}

impl CloudDeployTarget {
    pub fn location(&self) -> String {
        format!("projects/{}/locations/{}", self.project, self.region)
    }

    pub fn pipeline_name(&self) -> String {
        format!("{}/deliveryPipelines/{}", self.location(), self.pipeline)
    }
}

#[derive(Debug, Clone)]
pub struct CloudDeployClient {
    http: reqwest::Client,
    base_url: String,
    token: TokenSource,
    call_timeout: Duration,
    /// Every GET goes through it; POSTs are sent once (the command engine decides).
    retry: RetryPolicy,
    observer: Option<Observer>,
    /// A lane poll not answered within this is abandoned (`runtime::LaneSource::fetch`).
    poll_timeout: Option<Duration>,
}

impl CloudDeployClient {
    pub fn new(http: reqwest::Client, base_url: &str, token: TokenSource) -> CloudDeployClient {
        CloudDeployClient {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            token,
            call_timeout: Duration::from_secs(30),
            retry: RetryPolicy::GET,
            observer: None,
            poll_timeout: None,
        }
    }

    /// GETs follow `policy`, telling `observer` (if any) about each retry.
    pub fn with_retry(mut self, policy: RetryPolicy, observer: Option<Observer>) -> Self {
        self.retry = policy;
        self.observer = observer;
        self
    }

    /// Abandons a lane poll after `timeout` (one poll interval), as Cloud Run lanes do.
    pub fn with_poll_timeout(mut self, timeout: Duration) -> Self {
        self.poll_timeout = Some(timeout);
        self
    }

    pub fn poll_timeout(&self) -> Option<Duration> {
        self.poll_timeout
    }

    pub fn for_target(http: reqwest::Client, target: &CloudDeployTarget) -> CloudDeployClient {
        let base = target.base_url.as_deref().unwrap_or(GOOGLE_BASE_URL);
        let mode = target
            .auth
            .unwrap_or(crate::providers::auth::AuthMode::Google);
        CloudDeployClient::new(http, base, TokenSource::for_mode(mode))
    }

    pub fn with_call_timeout(mut self, timeout: Duration) -> CloudDeployClient {
        self.call_timeout = timeout;
        self
    }

    fn url(&self, name: &str) -> String {
        format!("{}/v1/{}", self.base_url, name)
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: &'static str,
        url: String,
        body: Option<&serde_json::Value>,
    ) -> Result<T, ApiError> {
        let fail = |http, status, message: String| ApiError {
            method,
            url: url.clone(),
            http,
            status,
            message,
            retry_after: None,
        };
        let unauthenticated = |message| ApiError::unauthenticated(method, &url, message);
        for attempt in 0..2 {
            let mut request = match method {
                "POST" => self.http.post(&url),
                _ => self.http.get(&url),
            }
            .timeout(self.call_timeout);
            if let Some(token) = self.token.token().await.map_err(unauthenticated)? {
                super::http::credential_may_go_to(&url).map_err(unauthenticated)?;
                request = request.bearer_auth(token.expose());
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = request
                .send()
                .await
                .map_err(|e| fail(None, None, super::http::transport_words(&url, &e)))?;
            let http = response.status().as_u16();
            if http == 401 && attempt == 0 && !matches!(self.token, TokenSource::None) {
                self.token.invalidate().await;
                continue;
            }
            let retry_after = super::http::retry_after_secs(response.headers());
            let text = response
                .text()
                .await
                .map_err(|e| fail(None, None, super::http::transport_words(&url, &e)))?;
            if !(200..300).contains(&http) {
                return Err(from_body(method, url.clone(), http, &text, retry_after));
            }
            return serde_json::from_str(&text)
                .map_err(|e| fail(Some(http), None, format!("unexpected response body: {e}")));
        }
        Err(fail(
            Some(401),
            Some("UNAUTHENTICATED".into()),
            "token refused twice".into(),
        ))
    }

    /// A GET under the shared retry policy.
    async fn get<T: DeserializeOwned>(&self, url: String) -> Result<T, ApiError> {
        retry::run(&self.retry, self.observer.as_ref(), || {
            self.send("GET", url.clone(), None)
        })
        .await
    }

    pub async fn get_pipeline(&self, name: &str) -> Result<wire::DeliveryPipeline, ApiError> {
        self.get(self.url(name)).await
    }

    pub async fn get_target(&self, location: &str, id: &str) -> Result<wire::Target, ApiError> {
        self.get(self.url(&format!("{location}/targets/{id}")))
            .await
    }

    /// The newest releases of a pipeline, newest first (one page of `page_size`).
    pub async fn list_releases(
        &self,
        pipeline: &str,
        page_size: u32,
    ) -> Result<Vec<wire::Release>, ApiError> {
        let url = format!(
            "{}/releases?pageSize={page_size}&orderBy=createTime%20desc",
            self.url(pipeline)
        );
        let page: wire::ListReleasesResponse = self.get(url).await?;
        Ok(page.releases)
    }

    /// Rollouts of a release (all pages), optionally only those on `target_id`.
    pub async fn list_rollouts(
        &self,
        release: &str,
        target_id: Option<&str>,
    ) -> Result<Vec<wire::Rollout>, ApiError> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..20 {
            let mut url = format!("{}/rollouts?pageSize=100", self.url(release));
            if let Some(target) = target_id {
                url.push_str(&format!("&filter=targetId%3D%22{target}%22"));
            }
            if let Some(t) = &token {
                url.push_str(&format!("&pageToken={t}"));
            }
            let page: wire::ListRolloutsResponse = self.get(url).await?;
            all.extend(page.rollouts);
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        Ok(all)
    }

    pub async fn get_release(&self, name: &str) -> Result<wire::Release, ApiError> {
        self.get(self.url(name)).await
    }

    pub async fn get_rollout(&self, name: &str) -> Result<wire::Rollout, ApiError> {
        self.get(self.url(name)).await
    }

    /// `releases.create`; `request_id` must be the same UUID on every retry of one intent;
    /// `overrides` name the deploy policies to override.
    pub async fn create_release(
        &self,
        pipeline: &str,
        release_id: &str,
        request_id: &str,
        body: &serde_json::Value,
        overrides: &[String],
    ) -> Result<wire::Operation, ApiError> {
        let url = format!(
            "{}/releases?releaseId={release_id}&requestId={request_id}{}",
            self.url(pipeline),
            override_query(overrides)
        );
        self.send("POST", url, Some(body)).await
    }

    /// `rollouts.create` (a promotion); `request_id` as for [`Self::create_release`].
    pub async fn create_rollout(
        &self,
        release: &str,
        rollout_id: &str,
        request_id: &str,
        body: &serde_json::Value,
        overrides: &[String],
    ) -> Result<wire::Operation, ApiError> {
        let url = format!(
            "{}/rollouts?rolloutId={rollout_id}&requestId={request_id}{}",
            self.url(release),
            override_query(overrides)
        );
        self.send("POST", url, Some(body)).await
    }

    /// `approve` (`approved: false` rejects), `advance`, `cancel`, `retryJob`: no request id;
    /// `overrides` name the deploy policies to override.
    pub async fn rollout_verb(
        &self,
        rollout: &str,
        verb: RolloutVerb<'_>,
        overrides: &[String],
    ) -> Result<(), ApiError> {
        let (name, mut body) = match verb {
            RolloutVerb::Approve(approved) => {
                ("approve", serde_json::json!({"approved": approved}))
            }
            RolloutVerb::Advance(phase) => ("advance", serde_json::json!({"phaseId": phase})),
            RolloutVerb::Cancel => ("cancel", serde_json::json!({})),
            RolloutVerb::RetryJob { phase, job } => (
                "retryJob",
                serde_json::json!({"phaseId": phase, "jobId": job}),
            ),
        };
        if let (false, Some(map)) = (overrides.is_empty(), body.as_object_mut()) {
            map.insert("overrideDeployPolicy".into(), overrides.into());
        }
        let url = format!("{}:{name}", self.url(rollout));
        let _: serde_json::Value = self.send("POST", url, Some(&body)).await?;
        Ok(())
    }

    /// `deliveryPipelines.rollbackTarget` (synchronous; creates the rollback rollout).
    pub async fn rollback_target(
        &self,
        pipeline: &str,
        body: &serde_json::Value,
    ) -> Result<wire::RollbackTargetResponse, ApiError> {
        let url = format!("{}:rollbackTarget", self.url(pipeline));
        self.send("POST", url, Some(body)).await
    }

    /// The location's deploy policies (all pages).
    pub async fn list_deploy_policies(
        &self,
        location: &str,
    ) -> Result<Vec<policy::DeployPolicy>, ApiError> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..20 {
            let mut url = format!("{}/deployPolicies?pageSize=100", self.url(location));
            if let Some(t) = &token {
                url.push_str(&format!("&pageToken={t}"));
            }
            let page: policy::ListDeployPoliciesResponse = self.get(url).await?;
            all.extend(page.deploy_policies);
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        Ok(all)
    }

    pub async fn get_operation(&self, name: &str) -> Result<wire::Operation, ApiError> {
        self.get(self.url(name)).await
    }
}

/// `&overrideDeployPolicy=…` once per policy (a repeated query parameter of the creates).
fn override_query(overrides: &[String]) -> String {
    overrides
        .iter()
        .map(|name| format!("&overrideDeployPolicy={}", name.replace('&', "%26")))
        .collect()
}

/// The rollout methods without a request id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RolloutVerb<'a> {
    Approve(bool),
    Advance(&'a str),
    Cancel,
    RetryJob { phase: &'a str, job: &'a str },
}
