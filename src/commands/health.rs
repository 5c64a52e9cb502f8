//! One-shot HTTP probes for commands: is the source lane green, is a lane healthy after a
//! rollback, does the canary's new revision pass. A 2xx answer passes; anything else, a timeout or
//! a connection error fails. (The probe engine with format parsers lives in `crate::probes`.)

use std::time::Duration;

use crate::config::profile::Environment;
use crate::policy::SourceHealth;

/// Sandbox services say which revision answered; real Cloud Run does not (then `None`).
pub const SERVED_BY_HEADER: &str = "x-served-by-revision";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeHit {
    pub url: String,
    pub pass: bool,
    /// The revision that answered, when the service says so.
    pub revision: Option<String>,
    pub detail: String,
}

/// The probe URLs of an environment: a probe's `url`, or the service URI joined with its `path`.
pub fn probe_urls(env: &Environment, service_uri: Option<&str>) -> Vec<(String, u64)> {
    env.probes
        .iter()
        .filter_map(|p| {
            let url = match (&p.url, &p.path, service_uri) {
                (Some(url), _, _) => url.clone(),
                (None, Some(path), Some(uri)) => {
                    format!(
                        "{}/{}",
                        uri.trim_end_matches('/'),
                        path.trim_start_matches('/')
                    )
                }
                _ => return None,
            };
            Some((url, p.timeout_ms.max(1)))
        })
        .collect()
}

/// The probe URL to watch a canary with: the one whose path ends in `health`, else the first.
pub fn health_url(env: &Environment, service_uri: Option<&str>) -> Option<(String, u64)> {
    let urls = probe_urls(env, service_uri);
    urls.iter()
        .find(|(u, _)| u.trim_end_matches('/').ends_with("health"))
        .or(urls.first())
        .cloned()
}

pub async fn probe_once(http: &reqwest::Client, url: &str, timeout_ms: u64) -> ProbeHit {
    let sent = http
        .get(url)
        .timeout(Duration::from_millis(timeout_ms))
        .send()
        .await;
    match sent {
        Ok(response) => {
            let status = response.status();
            let revision = response
                .headers()
                .get(SERVED_BY_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            ProbeHit {
                url: url.to_string(),
                pass: status.is_success(),
                revision,
                detail: format!("HTTP {}", status.as_u16()),
            }
        }
        Err(e) => ProbeHit {
            url: url.to_string(),
            pass: false,
            revision: None,
            detail: if e.is_timeout() {
                format!("timed out after {timeout_ms} ms")
            } else {
                "connection failed".into()
            },
        },
    }
}

/// Probes every URL once: all pass → green. No probes → unknown (never assumed green).
pub async fn source_health(http: &reqwest::Client, urls: &[(String, u64)]) -> SourceHealth {
    if urls.is_empty() {
        return SourceHealth::Unknown;
    }
    let mut failing = Vec::new();
    for (url, timeout_ms) in urls {
        let hit = probe_once(http, url, *timeout_ms).await;
        if !hit.pass {
            failing.push(format!("{} answered {}", hit.url, hit.detail));
        }
    }
    if failing.is_empty() {
        SourceHealth::Green
    } else {
        SourceHealth::NotGreen(failing.join("; "))
    }
}

/// Probes until every URL passes in one round, at most `rounds` rounds `every` apart.
/// Returns the failures of the last round (empty = healthy).
pub async fn wait_healthy(
    http: &reqwest::Client,
    urls: &[(String, u64)],
    rounds: u32,
    every: Duration,
) -> Vec<ProbeHit> {
    let mut failing = Vec::new();
    for round in 0..rounds.max(1) {
        if round > 0 {
            tokio::time::sleep(every).await;
        }
        failing.clear();
        for (url, timeout_ms) in urls {
            let hit = probe_once(http, url, *timeout_ms).await;
            if !hit.pass {
                failing.push(hit);
            }
        }
        if failing.is_empty() {
            break;
        }
    }
    failing
}
