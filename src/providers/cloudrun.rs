//! Cloud Run Admin API v2 client: services and revisions become lanes; PATCH changes traffic.
//! A real client of the real API shapes, pointed at `https://run.googleapis.com` or the sandbox.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::de::DeserializeOwned;

use super::auth::TokenSource;
use super::cloudrun_error::{from_body, transport_error};
use super::cloudrun_wire as wire;
use super::retry::{self, Observer, RetryPolicy};
use crate::config::profile::CloudRunTarget;
use crate::model::lane::ServiceState;

pub use super::cloudrun_error::ApiError;
pub use super::cloudrun_state::service_state;

pub const GOOGLE_BASE_URL: &str = "https://run.googleapis.com";

#[derive(Debug, Clone)]
pub struct CloudRunClient {
    http: reqwest::Client,
    base_url: String,
    token: TokenSource,
    /// Revisions per service, with the service fields that say whether they may have changed.
    revisions: RevisionCache,
    /// A poll not answered within this is abandoned (see [`CloudRunClient::poll_state`]).
    poll_timeout: Option<Duration>,
    /// Every GET goes through it; POST and PATCH are sent once (the command engine decides).
    retry: RetryPolicy,
    observer: Option<Observer>,
    /// One request, connect to last body byte.
    call_timeout: Duration,
}

impl CloudRunClient {
    pub fn new(http: reqwest::Client, base_url: &str, token: TokenSource) -> CloudRunClient {
        CloudRunClient {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            token,
            revisions: RevisionCache::default(),
            poll_timeout: None,
            retry: RetryPolicy::GET,
            observer: None,
            call_timeout: Duration::from_secs(30),
        }
    }

    /// GETs follow `policy`, telling `observer` (if any) about each retry.
    pub fn with_retry(mut self, policy: RetryPolicy, observer: Option<Observer>) -> CloudRunClient {
        self.retry = policy;
        self.observer = observer;
        self
    }

    /// One request's limit; past it the request is a transport error (retried if a GET).
    pub fn with_call_timeout(mut self, timeout: Duration) -> CloudRunClient {
        self.call_timeout = timeout;
        self
    }

    /// Abandons a poll after `timeout` (one poll interval): a stalled API must not hold the lane's
    /// one in-flight slot, or the lane could not show fresh data soon after the API recovers.
    pub fn with_poll_timeout(mut self, timeout: Duration) -> CloudRunClient {
        self.poll_timeout = Some(timeout);
        self
    }

    /// A client for the profile's target, authenticating as its `auth` says.
    pub fn for_target(http: reqwest::Client, target: &CloudRunTarget) -> CloudRunClient {
        let base = target.base_url.as_deref().unwrap_or(GOOGLE_BASE_URL);
        let mode = target.auth.unwrap_or(super::auth::AuthMode::Google);
        CloudRunClient::new(http, base, TokenSource::for_mode(mode))
    }

    fn url(&self, name: &str) -> String {
        format!("{}/v2/{}", self.base_url, name)
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: &'static str,
        url: String,
        body: Option<&serde_json::Value>,
    ) -> Result<T, ApiError> {
        for attempt in 0..2 {
            let mut request = match method {
                "PATCH" => self.http.patch(&url),
                "POST" => self.http.post(&url),
                _ => self.http.get(&url),
            };
            request = request.timeout(self.call_timeout);
            let token = self
                .token
                .token()
                .await
                .map_err(|message| ApiError::unauthenticated(method, &url, message))?;
            if let Some(token) = token {
                crate::net::credential_may_go_to(&url).map_err(|message| {
                    let message = format!("{message} (or set auth = \"none\" for this target)");
                    ApiError::unauthenticated(method, &url, message)
                })?;
                request = request.bearer_auth(token.expose());
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = request
                .send()
                .await
                .map_err(|e| transport_error(method, &url, &e))?;
            let http = response.status().as_u16();
            if http == 401 && attempt == 0 && !matches!(self.token, TokenSource::None) {
                self.token.invalidate().await;
                continue;
            }
            let retry_after = crate::net::retry_after_secs(response.headers());
            let text = response
                .text()
                .await
                .map_err(|e| transport_error(method, &url, &e))?;
            if !(200..300).contains(&http) {
                return Err(from_body(method, url, http, &text, retry_after));
            }
            return serde_json::from_str(&text).map_err(|e| {
                let message = format!("unexpected response body: {e}");
                ApiError::new(method, &url, Some(http), message)
            });
        }
        let mut refused = ApiError::new(method, &url, Some(401), "token refused twice".into());
        refused.status = Some("UNAUTHENTICATED".into());
        Err(refused)
    }

    /// A GET under the shared retry policy.
    async fn get<T: DeserializeOwned>(&self, url: String) -> Result<T, ApiError> {
        retry::run(&self.retry, self.observer.as_ref(), || {
            self.send("GET", url.clone(), None)
        })
        .await
    }

    pub async fn get_service(&self, name: &str) -> Result<wire::Service, ApiError> {
        self.get(self.url(name)).await
    }

    /// `services.list` of `projects/P/locations/L`, following `nextPageToken`.
    pub async fn list_services(&self, parent: &str) -> Result<Vec<wire::Service>, ApiError> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let url = paged(&format!("{}/services", self.url(parent)), token.as_deref());
            let page: wire::ListServicesResponse = self.get(url).await?;
            all.extend(page.services);
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        Ok(all)
    }

    /// `revisions.get` by full name.
    pub async fn get_revision(&self, name: &str) -> Result<wire::Revision, ApiError> {
        self.get(self.url(name)).await
    }

    /// All revisions of a service, following `nextPageToken`.
    pub async fn list_revisions(&self, service: &str) -> Result<Vec<wire::Revision>, ApiError> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let url = paged(
                &format!("{}/revisions", self.url(service)),
                token.as_deref(),
            );
            let page: wire::ListRevisionsResponse = self.get(url).await?;
            all.extend(page.revisions);
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        Ok(all)
    }

    /// `services.patch`. Without a mask the full Service (as read by GET, then modified) replaces
    /// the old one; with `updateMask=traffic` only `{traffic}` is sent, so nothing else can be lost.
    pub async fn patch_service(
        &self,
        service: &wire::Service,
        update_mask: Option<&str>,
    ) -> Result<wire::Operation, ApiError> {
        let url = match update_mask {
            Some(mask) => with_query(&self.url(&service.name), &[("updateMask", mask)]),
            None => self.url(&service.name),
        };
        let body = match update_mask {
            Some("traffic") => serde_json::json!({ "traffic": service.traffic }),
            _ => serde_json::to_value(service)
                .map_err(|e| ApiError::new("PATCH", &url, None, e.to_string()))?,
        };
        self.send("PATCH", url, Some(&body)).await
    }

    pub async fn get_operation(&self, name: &str) -> Result<wire::Operation, ApiError> {
        self.get(self.url(name)).await
    }

    /// `operations.wait`: blocks server-side up to `timeout_secs`, then answers the operation.
    pub async fn wait_operation(
        &self,
        name: &str,
        timeout_secs: u32,
    ) -> Result<wire::Operation, ApiError> {
        let body = serde_json::json!({ "timeout": format!("{timeout_secs}s") });
        let url = format!("{}:wait", self.url(name));
        self.send("POST", url, Some(&body)).await
    }

    /// [`CloudRunClient::fetch_state`] within the poll timeout, if one is set.
    pub async fn poll_state(&self, service: &str) -> Result<ServiceState, ApiError> {
        let Some(limit) = self.poll_timeout else {
            return self.fetch_state(service).await;
        };
        tokio::time::timeout(limit, self.fetch_state(service))
            .await
            .unwrap_or_else(|_| {
                Err(ApiError {
                    method: "GET",
                    url: self.url(service),
                    http: None,
                    status: None,
                    message: format!("no answer within {} ms", limit.as_millis()),
                    retry_after: None,
                })
            })
    }

    /// One poll of a lane: the service, and its revisions only when the service says they changed
    /// (generation, latest created or latest ready revision). At steady state that is one request.
    pub async fn fetch_state(&self, service: &str) -> Result<ServiceState, ApiError> {
        let svc = self.get_service(service).await?;
        let key = RevisionsKey::of(&svc);
        let cached = self
            .revisions
            .lock()
            .ok()
            .and_then(|cache| cache.get(service).filter(|(k, _)| *k == key).cloned());
        let revisions = match cached {
            Some((_, revisions)) => revisions,
            None => {
                let revisions = self.list_revisions(service).await?;
                if let Ok(mut cache) = self.revisions.lock() {
                    cache.insert(service.to_string(), (key, revisions.clone()));
                }
                revisions
            }
        };
        Ok(service_state(&svc, &revisions))
    }
}

/// What must be unchanged for a cached revision list to still be right.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RevisionsKey {
    generation: Option<String>,
    latest_created: Option<String>,
    latest_ready: Option<String>,
}

impl RevisionsKey {
    fn of(svc: &wire::Service) -> RevisionsKey {
        RevisionsKey {
            generation: svc.generation.clone(),
            latest_created: svc.latest_created_revision.clone(),
            latest_ready: svc.latest_ready_revision.clone(),
        }
    }
}

type RevisionCache = Arc<Mutex<HashMap<String, (RevisionsKey, Vec<wire::Revision>)>>>;

const MAX_PAGES: usize = 20;

/// `base?pageSize=50[&pageToken=…]`, the opaque token percent-encoded.
fn paged(base: &str, token: Option<&str>) -> String {
    let mut pairs = vec![("pageSize", "50")];
    pairs.extend(token.map(|t| ("pageToken", t)));
    with_query(base, &pairs)
}

/// `base` with the query pairs appended, each percent-encoded.
fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    match reqwest::Url::parse(base) {
        Ok(mut url) => {
            url.query_pairs_mut().extend_pairs(pairs);
            url.to_string()
        }
        // Not a URL: the request will fail and name it; keep the text as it was.
        Err(_) => base.to_string(),
    }
}

/// The URL's host parses as a loopback address (see [`crate::net::is_loopback_url`]).
pub fn is_loopback(base_url: &str) -> bool {
    crate::net::is_loopback_url(base_url)
}
