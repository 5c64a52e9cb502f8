//! The GitHub REST client: conditional GETs (per-URL ETag + last body), rate-limit aware.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{ACCEPT, ETAG, IF_NONE_MATCH, LINK};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::ratelimit::{RateLimit, limited_until};
use super::wire::{ErrorBody, PendingDeployment, WorkflowRun, WorkflowRunList};
use super::{GithubError, PipelineConfig, Token};
use crate::providers::retry::{self, RetryPolicy};

/// The result of a conditional poll.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetched<T> {
    /// New data (HTTP 200 with a different body).
    Changed(T),
    /// HTTP 304: nothing changed since the last poll of this URL; skip any state change/redraw.
    Unchanged,
}

impl<T> Fetched<T> {
    pub fn changed(self) -> Option<T> {
        match self {
            Fetched::Changed(v) => Some(v),
            Fetched::Unchanged => None,
        }
    }
}

/// The last 200 of a URL: its ETag, its body and the `Link: rel="next"` it carried.
struct Cached {
    etag: String,
    body: Vec<u8>,
    next: Option<String>,
}

struct State {
    cache: HashMap<String, Cached>,
    rate: Option<RateLimit>,
    blocked: Option<(DateTime<Utc>, String)>,
    /// Every GET goes through it; POSTs are sent once.
    retry: RetryPolicy,
}

struct Inner {
    http: reqwest::Client,
    cfg: PipelineConfig,
    token: Option<Token>,
    state: Mutex<State>,
}

/// Cheap to clone: polling tasks share one client (and its ETag cache and rate-limit state).
#[derive(Clone)]
pub struct GithubClient {
    inner: Arc<Inner>,
}

impl fmt::Debug for GithubClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.inner.cfg;
        f.debug_struct("GithubClient")
            .field("base", &c.base())
            .field("repo", &format!("{}/{}", c.owner, c.repo))
            .field("workflow", &c.workflow)
            .field("token", &self.inner.token)
            .finish()
    }
}

/// Percent-encodes one path segment (owner, repo or workflow file name).
pub(super) fn seg(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl GithubClient {
    /// Refuses a token bound for plain HTTP off loopback: it would cross the network in clear.
    pub fn new(cfg: &PipelineConfig, token: Option<Token>) -> Result<Self, GithubError> {
        if token.is_some() {
            crate::net::credential_may_go_to(cfg.base())
                .map_err(|detail| GithubError::Token { detail })?;
        }
        let loopback = crate::providers::cloudrun::is_loopback(cfg.base());
        let http = crate::net::builder(loopback)
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| GithubError::Transport {
                url: cfg.base().to_string(),
                detail: format!("cannot build HTTP client: {e}"),
            })?;
        let inner = Inner {
            http,
            cfg: cfg.clone(),
            token,
            state: Mutex::new(State {
                cache: HashMap::new(),
                rate: None,
                blocked: None,
                retry: RetryPolicy::GET,
            }),
        };
        Ok(GithubClient {
            inner: Arc::new(inner),
        })
    }

    /// GETs follow `policy` from now on (shared by every clone of this client).
    pub fn set_retry(&self, policy: RetryPolicy) {
        self.lock().retry = policy;
    }

    /// The budget from the last response, for the UI.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.lock().rate.clone()
    }

    /// Set after a rate-limit refusal: no request is sent before this time.
    pub fn blocked_until(&self) -> Option<DateTime<Utc>> {
        self.lock().blocked.as_ref().map(|b| b.0)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state holds plain data only; a panic elsewhere cannot leave it half-updated.
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The API's base URL, for errors that name no single request.
    pub fn cfg_base(&self) -> &str {
        self.inner.cfg.base()
    }

    pub(super) fn cfg(&self) -> &PipelineConfig {
        &self.inner.cfg
    }

    pub(super) fn repo_url(&self) -> String {
        let c = &self.inner.cfg;
        format!("{}/repos/{}/{}", c.base(), seg(&c.owner), seg(&c.repo))
    }

    pub(super) fn workflow_url(&self) -> String {
        format!(
            "{}/actions/workflows/{}",
            self.repo_url(),
            seg(&self.inner.cfg.workflow)
        )
    }

    pub(super) fn run_url(&self, run_id: u64) -> String {
        format!("{}/actions/runs/{run_id}", self.repo_url())
    }

    /// Sends one request; updates the rate-limit budget; maps refusals to errors.
    pub(super) async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        etag: Option<&str>,
    ) -> Result<reqwest::Response, GithubError> {
        let now = Utc::now();
        if let Some((until, reason)) = self.lock().blocked.clone().filter(|b| b.0 > now) {
            return Err(GithubError::RateLimited {
                url: url.into(),
                until,
                reason,
            });
        }
        let mut rb = self
            .inner
            .http
            .request(method.clone(), url)
            .header(ACCEPT, "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28");
        if let Some(t) = &self.inner.token {
            rb = rb.bearer_auth(t.secret());
        }
        if let Some(e) = etag {
            rb = rb.header(IF_NONE_MATCH, e);
        }
        if let Some(b) = body {
            rb = rb.json(b);
        }
        let resp = rb.send().await.map_err(|e| GithubError::Transport {
            url: url.into(),
            detail: crate::net::transport_words(url, &e),
        })?;
        let status = resp.status();
        if let Some(rl) = RateLimit::from_headers(resp.headers()) {
            self.lock().rate = Some(rl);
        }
        if status.is_success() || status == StatusCode::NOT_MODIFIED {
            self.lock().blocked = None;
            return Ok(resp);
        }
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.unwrap_or_default();
        let message: String = serde_json::from_slice::<ErrorBody>(&bytes)
            .map(|b| b.message.chars().take(200).collect())
            .unwrap_or_default();
        if let Some((until, reason)) = limited_until(status.as_u16(), &headers, &message, now) {
            self.lock().blocked = Some((until, reason.clone()));
            return Err(GithubError::RateLimited {
                url: url.into(),
                until,
                reason,
            });
        }
        Err(GithubError::Http {
            method: method.to_string(),
            url: url.into(),
            status: status.as_u16(),
            message,
        })
    }

    /// A conditional GET: sends the stored ETag; 304 → `Unchanged`.
    pub(super) async fn get_json<T: DeserializeOwned>(
        &self,
        url: &str,
    ) -> Result<Fetched<T>, GithubError> {
        Ok(self.get_page(url).await?.0)
    }

    /// A conditional GET of one page, with the `rel="next"` page's URL (remembered across 304s),
    /// under the shared retry policy.
    pub(super) async fn get_page<T: DeserializeOwned>(
        &self,
        url: &str,
    ) -> Result<(Fetched<T>, Option<String>), GithubError> {
        let policy = self.lock().retry;
        retry::run(&policy, None, || self.get_page_once(url)).await
    }

    /// A plain (unconditional) GET of JSON, under the shared retry policy.
    pub(super) async fn get_fresh<T: DeserializeOwned>(&self, url: &str) -> Result<T, GithubError> {
        let policy = self.lock().retry;
        retry::run(&policy, None, || async {
            let resp = self.send(Method::GET, url, None, None).await?;
            let bytes = resp.bytes().await.map_err(|e| GithubError::Transport {
                url: url.into(),
                detail: crate::net::transport_words(url, &e),
            })?;
            decode(url, &bytes)
        })
        .await
    }

    async fn get_page_once<T: DeserializeOwned>(
        &self,
        url: &str,
    ) -> Result<(Fetched<T>, Option<String>), GithubError> {
        let etag = self.lock().cache.get(url).map(|c| c.etag.clone());
        let resp = self.send(Method::GET, url, None, etag.as_deref()).await?;
        if resp.status() == StatusCode::NOT_MODIFIED {
            return Ok((Fetched::Unchanged, self.cached_next(url)));
        }
        let header = |name| {
            resp.headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(String::from)
        };
        let (new_etag, link) = (header(ETAG), header(LINK));
        let next = match link.as_deref().and_then(super::link::next_link) {
            Some(next) if next.starts_with(self.inner.cfg.base()) => Some(next),
            Some(other) => {
                return Err(GithubError::Decode {
                    url: url.into(),
                    detail: format!("a Link to another host ({other}); check base_url"),
                });
            }
            None => None,
        };
        let bytes = resp.bytes().await.map_err(|e| GithubError::Transport {
            url: url.into(),
            detail: crate::net::transport_words(url, &e),
        })?;
        let value = decode(url, &bytes)?;
        if let Some(etag) = new_etag {
            let body = bytes.to_vec();
            let cached = Cached {
                etag,
                body,
                next: next.clone(),
            };
            self.lock().cache.insert(url.into(), cached);
        }
        Ok((Fetched::Changed(value), next))
    }

    /// The `rel="next"` URL the last 200 of `url` carried.
    pub(super) fn cached_next(&self, url: &str) -> Option<String> {
        self.lock().cache.get(url).and_then(|c| c.next.clone())
    }

    /// The last body seen for a URL (after an `Unchanged`).
    pub(super) fn cached<T: DeserializeOwned>(&self, url: &str) -> Result<T, GithubError> {
        let body = self.lock().cache.get(url).map(|c| c.body.clone());
        match body {
            Some(b) => decode(url, &b),
            None => Err(GithubError::Decode {
                url: url.into(),
                detail: "304 without a cached body".into(),
            }),
        }
    }

    fn runs_list_url(&self, per_page: u8) -> String {
        format!(
            "{}/runs?per_page={}",
            self.workflow_url(),
            per_page.clamp(1, 100)
        )
    }

    /// The workflow's recent runs, newest first.
    pub async fn list_runs(&self, per_page: u8) -> Result<Fetched<WorkflowRunList>, GithubError> {
        self.get_json(&self.runs_list_url(per_page)).await
    }

    pub async fn get_run(&self, run_id: u64) -> Result<Fetched<WorkflowRun>, GithubError> {
        self.get_json(&self.run_url(run_id)).await
    }

    /// The URL of the first page of a run's jobs.
    pub(super) fn jobs_url(&self, run_id: u64) -> String {
        format!("{}/jobs?filter=latest&per_page=100", self.run_url(run_id))
    }

    pub async fn pending_deployments(
        &self,
        run_id: u64,
    ) -> Result<Fetched<Vec<PendingDeployment>>, GithubError> {
        self.get_json(&format!("{}/pending_deployments", self.run_url(run_id)))
            .await
    }
}

pub(super) fn decode<T: DeserializeOwned>(url: &str, bytes: &[u8]) -> Result<T, GithubError> {
    serde_json::from_slice(bytes).map_err(|e| GithubError::Decode {
        url: url.into(),
        detail: e.to_string(),
    })
}
