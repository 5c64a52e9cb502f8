//! Cloud Run Admin API v2 client: services and revisions become lanes; PATCH changes traffic.
//! A real client of the real API shapes, pointed at `https://run.googleapis.com` or the sandbox.

use std::time::Duration;

use serde::de::DeserializeOwned;

use super::auth::TokenSource;
use super::cloudrun_wire::{self as wire, ErrorBody};
use crate::config::profile::CloudRunTarget;
use crate::model::lane::ServiceState;

pub use super::cloudrun_state::service_state;

pub const GOOGLE_BASE_URL: &str = "https://run.googleapis.com";

/// A failed API call, naming the method and URL (never the token) and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub method: &'static str,
    pub url: String,
    pub http: Option<u16>,
    pub status: Option<String>,
    pub message: String,
    /// Seconds the server asked us to wait (`Retry-After`).
    pub retry_after: Option<u64>,
}

impl std::fmt::Display for ApiError {
    /// Redacted: an error body may echo the request's token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut text = String::new();
        self.write_unredacted(&mut text)?;
        f.write_str(&crate::redact::redact(&text))
    }
}

impl ApiError {
    fn write_unredacted(&self, f: &mut impl std::fmt::Write) -> std::fmt::Result {
        write!(f, "{} {}: ", self.method, self.url)?;
        if let Some(http) = self.http {
            write!(f, "HTTP {http} ")?;
        }
        if let Some(status) = &self.status {
            write!(f, "{status}: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(hint) = self.hint() {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    fn hint(&self) -> Option<&'static str> {
        match self.http {
            None => Some("is the API reachable from here?"),
            Some(401) => Some("the token was refused: refresh it with `gcloud auth login`"),
            Some(403) => Some("the account lacks permission on this service"),
            Some(404) => Some("check project, region and service in the profile"),
            Some(429) => Some("rate limited: polling will slow down"),
            _ => None,
        }
    }

    /// Worth retrying unchanged (429, 503, 504, transport errors).
    pub fn retryable(&self) -> bool {
        matches!(self.http, None | Some(429 | 503 | 504))
    }
}

#[derive(Debug, Clone)]
pub struct CloudRunClient {
    http: reqwest::Client,
    base_url: String,
    token: TokenSource,
    /// A poll not answered within this is abandoned (see [`CloudRunClient::poll_state`]).
    poll_timeout: Option<Duration>,
}

impl CloudRunClient {
    pub fn new(http: reqwest::Client, base_url: &str, token: TokenSource) -> CloudRunClient {
        CloudRunClient {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            token,
            poll_timeout: None,
        }
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
            request = request.timeout(Duration::from_secs(30));
            let token = self.token.token().await.map_err(|message| ApiError {
                method,
                url: url.clone(),
                http: None,
                status: None,
                message,
                retry_after: None,
            })?;
            if let Some(token) = token {
                super::http::credential_may_go_to(&url).map_err(|message| ApiError {
                    method,
                    url: url.clone(),
                    http: None,
                    status: None,
                    message: format!("{message} (or set auth = \"none\" for this target)"),
                    retry_after: None,
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
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok());
            let text = response
                .text()
                .await
                .map_err(|e| transport_error(method, &url, &e))?;
            if !(200..300).contains(&http) {
                let parsed = serde_json::from_str::<ErrorBody>(&text).ok();
                return Err(ApiError {
                    method,
                    url,
                    http: Some(http),
                    status: parsed.as_ref().map(|b| b.error.status.clone()),
                    message: parsed.map_or_else(|| snippet(&text), |b| b.error.message),
                    retry_after,
                });
            }
            return serde_json::from_str(&text).map_err(|e| ApiError {
                method,
                url,
                http: Some(http),
                status: None,
                message: format!("unexpected response body: {e}"),
                retry_after: None,
            });
        }
        Err(ApiError {
            method,
            url,
            http: Some(401),
            status: Some("UNAUTHENTICATED".into()),
            message: "token refused twice".into(),
            retry_after: None,
        })
    }

    pub async fn get_service(&self, name: &str) -> Result<wire::Service, ApiError> {
        self.send("GET", self.url(name), None).await
    }

    /// All revisions of a service, following `nextPageToken`.
    pub async fn list_revisions(&self, service: &str) -> Result<Vec<wire::Revision>, ApiError> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..20 {
            let mut url = format!("{}/revisions?pageSize=50", self.url(service));
            if let Some(t) = &token {
                url.push_str("&pageToken=");
                url.push_str(t);
            }
            let page: wire::ListRevisionsResponse = self.send("GET", url, None).await?;
            all.extend(page.revisions);
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        Ok(all)
    }

    /// `services.patch` with the full Service (as read by GET, then modified).
    pub async fn patch_service(
        &self,
        service: &wire::Service,
        update_mask: Option<&str>,
    ) -> Result<wire::Operation, ApiError> {
        let mut url = self.url(&service.name);
        if let Some(mask) = update_mask {
            url.push_str("?updateMask=");
            url.push_str(mask);
        }
        let body = serde_json::to_value(service).map_err(|e| ApiError {
            method: "PATCH",
            url: url.clone(),
            http: None,
            status: None,
            message: e.to_string(),
            retry_after: None,
        })?;
        self.send("PATCH", url, Some(&body)).await
    }

    pub async fn get_operation(&self, name: &str) -> Result<wire::Operation, ApiError> {
        self.send("GET", self.url(name), None).await
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

    /// One poll of a lane: the service and its revisions, as the model sees them.
    pub async fn fetch_state(&self, service: &str) -> Result<ServiceState, ApiError> {
        let svc = self.get_service(service).await?;
        let revisions = self.list_revisions(service).await?;
        Ok(service_state(&svc, &revisions))
    }
}

fn transport_error(method: &'static str, url: &str, e: &reqwest::Error) -> ApiError {
    let message = if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        "connection failed".to_string()
    } else {
        // reqwest errors carry the URL; ours already names it, and URLs never carry tokens.
        e.to_string()
    };
    ApiError {
        method,
        url: url.to_string(),
        http: None,
        status: None,
        message,
        retry_after: None,
    }
}

fn snippet(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.is_empty() {
        "empty body".into()
    } else if flat.chars().count() > 120 {
        format!("{}…", flat.chars().take(120).collect::<String>())
    } else {
        flat
    }
}

/// The URL's host parses as a loopback address (see [`super::http::is_loopback_url`]).
pub fn is_loopback(base_url: &str) -> bool {
    super::http::is_loopback_url(base_url)
}
