//! A failed Cloud Run call in words: method, URL (never the token), HTTP status, the Google
//! status and message, how long the server asked us to wait (`Retry-After` or
//! `google.rpc.RetryInfo`), and what to do about it.

use std::time::Duration;

use serde_json::Value;

use super::retry::{Retryable, Verdict};

use super::cloudrun_wire::ErrorBody;

/// A failed API call, naming the method and URL (never the token) and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub method: &'static str,
    pub url: String,
    pub http: Option<u16>,
    pub status: Option<String>,
    pub message: String,
    /// Seconds the server asked us to wait (`Retry-After`, or `RetryInfo.retryDelay` in details).
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
    pub fn new(method: &'static str, url: &str, http: Option<u16>, message: String) -> ApiError {
        ApiError {
            method,
            url: url.to_string(),
            http,
            status: None,
            message,
            retry_after: None,
        }
    }

    fn hint(&self) -> Option<&'static str> {
        match self.http {
            None if self.status.is_some() => None,
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
        self.is_transport() || matches!(self.http, Some(429 | 503 | 504))
    }

    /// No answer came (connection, TLS, timeout, cut-off body). Errors made before sending
    /// (no token, a credential refused for the URL) carry a status and are not transport errors.
    pub fn is_transport(&self) -> bool {
        self.http.is_none() && self.status.is_none()
    }

    /// A failure before anything was sent: no token, or a credential refused for this URL.
    pub fn unauthenticated(method: &'static str, url: &str, message: String) -> ApiError {
        ApiError {
            status: Some("UNAUTHENTICATED".into()),
            ..ApiError::new(method, url, None, message)
        }
    }
}

impl Retryable for ApiError {
    /// 429, any 5xx and transport errors, after `Retry-After` / `RetryInfo` when given.
    fn verdict(&self) -> Verdict {
        match self.http {
            None if self.is_transport() => Verdict::Retry { server_wait: None },
            Some(429 | 500..=599) => Verdict::Retry {
                server_wait: self.retry_after.map(Duration::from_secs),
            },
            _ => Verdict::Final,
        }
    }
}

pub(super) fn transport_error(method: &'static str, url: &str, e: &reqwest::Error) -> ApiError {
    ApiError::new(method, url, None, crate::net::transport_words(url, e))
}

pub(super) fn snippet(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.is_empty() {
        "empty body".into()
    } else if flat.chars().count() > 120 {
        format!("{}…", flat.chars().take(120).collect::<String>())
    } else {
        flat
    }
}

/// The error an HTTP answer `http` with body `text` stands for.
pub fn from_body(
    method: &'static str,
    url: String,
    http: u16,
    text: &str,
    retry_after_header: Option<u64>,
) -> ApiError {
    let parsed = serde_json::from_str::<ErrorBody>(text).ok();
    let details = parsed.as_ref().map_or(&[][..], |b| &b.error.details[..]);
    ApiError {
        method,
        url,
        http: Some(http),
        status: parsed.as_ref().map(|b| b.error.status.clone()),
        message: parsed
            .as_ref()
            .map_or_else(|| snippet(text), |b| b.error.message.clone()),
        retry_after: retry_delay(details).or(retry_after_header),
    }
}

fn detail_of<'a>(details: &'a [Value], kind: &str) -> Option<&'a Value> {
    details.iter().find(|d| {
        d.get("@type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.ends_with(&format!("/{kind}")))
    })
}

/// `RetryInfo.retryDelay` (a protobuf Duration such as `"1.500s"`), rounded up to whole seconds.
pub fn retry_delay(details: &[Value]) -> Option<u64> {
    let delay = detail_of(details, "google.rpc.RetryInfo")?.get("retryDelay")?;
    let secs = match delay {
        Value::String(s) => s.trim().strip_suffix('s')?.parse::<f64>().ok()?,
        // Some encoders write `{"seconds": 2, "nanos": 0}`.
        Value::Object(o) => {
            let whole = o.get("seconds").and_then(|v| {
                v.as_f64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            });
            whole.unwrap_or(0.0) + o.get("nanos").and_then(Value::as_f64).unwrap_or(0.0) / 1e9
        }
        _ => return None,
    };
    (secs.is_finite() && secs >= 0.0).then(|| secs.ceil() as u64)
}
