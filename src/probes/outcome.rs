//! Plain data shared by the parsers, the HTTP probe, the engine and the verdict state.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};

use super::probe_format::ProbeFormat;

/// Bodies are read up to this many bytes; a longer body is a failure ("body over 64 KiB").
pub const DEFAULT_BODY_CAP: usize = 64 * 1024;
/// The raw body kept in an outcome for a details view.
pub const KEPT_BODY_CHARS: usize = 2048;
/// At most this many per-check details are kept from one response.
pub const MAX_CHECKS: usize = 64;

/// The health of one result (or one check): the three values every format maps onto.
/// Ordered by severity so `max` is "worst".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Pass,
    Warn,
    Fail,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Pass => "pass",
            Health::Warn => "warn",
            Health::Fail => "fail",
        }
    }
}

impl fmt::Display for Health {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Identifies a probe: the lane (environment) it belongs to and its name in the profile.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ProbeId {
    pub lane: String,
    pub name: String,
}

impl ProbeId {
    pub fn new(lane: impl Into<String>, name: impl Into<String>) -> Self {
        ProbeId {
            lane: lane.into(),
            name: name.into(),
        }
    }
}

impl fmt::Display for ProbeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.lane, self.name)
    }
}

/// A probe ready to run: final URL and settings. Its `Debug` never prints header values.
#[derive(Clone, PartialEq)]
pub struct ResolvedProbe {
    pub url: String,
    pub method: String,
    /// Sent as given; may hold tokens, so never printed.
    pub headers: Vec<(String, String)>,
    pub interval: Duration,
    pub timeout: Duration,
    /// When set, any other status is a failure; otherwise the format decides.
    pub expect_status: Option<u16>,
    pub format: ProbeFormat,
    pub body_cap: usize,
}

impl ResolvedProbe {
    /// A GET probe of `url` with the profile defaults (5 s interval, 2 s timeout, auto format).
    pub fn get(url: impl Into<String>) -> Self {
        ResolvedProbe {
            url: url.into(),
            method: "GET".into(),
            headers: Vec::new(),
            interval: Duration::from_secs(5),
            timeout: Duration::from_millis(2000),
            expect_status: None,
            format: ProbeFormat::Auto,
            body_cap: DEFAULT_BODY_CAP,
        }
    }
}

impl fmt::Debug for ResolvedProbe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("ResolvedProbe")
            .field("url", &redact_url(&self.url))
            .field("method", &self.method)
            .field("headers", &header_names)
            .field("interval", &self.interval)
            .field("timeout", &self.timeout)
            .field("expect_status", &self.expect_status)
            .field("format", &self.format)
            .field("body_cap", &self.body_cap)
            .finish()
    }
}

/// A URL fit for display: user info and the query string (which may carry tokens) removed.
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let rest = match rest.split_once('/') {
        Some((auth, path)) => format!("{}/{}", strip_userinfo(auth), path),
        None => strip_userinfo(rest).to_string(),
    };
    if scheme.is_empty() {
        rest
    } else {
        format!("{scheme}://{rest}")
    }
}

fn strip_userinfo(authority: &str) -> &str {
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
}

/// One named check inside a health response (IETF `checks`, Actuator `components`, k8s `[+]` lines).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckDetail {
    pub name: String,
    pub status: Health,
    pub message: Option<String>,
}

/// The result of one probe run. Every failure mode is an outcome with a reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeOutcome {
    /// `None` when no response arrived (timeout, refused, reset, garbage).
    pub http_status: Option<u16>,
    #[serde(rename = "latency_ms", serialize_with = "ser_ms")]
    pub latency: Duration,
    /// The health of this single result (before hysteresis).
    pub status: Health,
    /// The format that parsed the body (`status` when only the HTTP code decided).
    pub format: Option<ProbeFormat>,
    pub checks: Vec<CheckDetail>,
    /// Why this result is not a plain pass; `None` for a clean pass.
    pub reason: Option<String>,
    /// The start of the body (lossy UTF-8, at most [`KEPT_BODY_CHARS`] characters).
    pub body: String,
}

impl ProbeOutcome {
    /// An outcome without a response (connection error, timeout).
    pub fn no_response(latency: Duration, reason: impl Into<String>) -> Self {
        ProbeOutcome {
            http_status: None,
            latency,
            status: Health::Fail,
            format: None,
            checks: Vec::new(),
            reason: Some(reason.into()),
            body: String::new(),
        }
    }

    pub fn is_failure(&self) -> bool {
        self.status == Health::Fail
    }
}

fn ser_ms<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1000.0 * 10.0).round() / 10.0)
}

/// What the engine sends for every completed probe run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeReport {
    pub id: ProbeId,
    /// When the run completed.
    pub at: DateTime<Utc>,
    pub outcome: ProbeOutcome,
}

impl ProbeOutcome {
    /// The outcome with secrets a body or an error may echo masked (see [`crate::redact`]).
    pub fn redacted(mut self) -> ProbeOutcome {
        use crate::redact::redact;
        self.body = redact(&self.body);
        self.reason = self.reason.map(|r| redact(&r));
        for check in &mut self.checks {
            check.name = redact(&check.name);
            check.message = check.message.take().map(|m| redact(&m));
        }
        self
    }
}

/// The first `max` characters of `bytes` as lossy UTF-8.
pub fn keep_body(bytes: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(max * 4)]);
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_userinfo_and_query() {
        assert_eq!(
            redact_url("https://u:secret@h.example/health?token=abc"),
            "https://h.example/health"
        );
        assert_eq!(redact_url("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }

    #[test]
    fn debug_hides_header_values() {
        let mut p = ResolvedProbe::get("http://127.0.0.1/h");
        p.headers
            .push(("Authorization".into(), "Bearer s3cr3t".into()));
        let dbg = format!("{p:?}");
        assert!(dbg.contains("Authorization"));
        assert!(!dbg.contains("s3cr3t"));
    }

    #[test]
    fn health_orders_by_severity() {
        assert!(Health::Fail > Health::Warn && Health::Warn > Health::Pass);
    }
}
