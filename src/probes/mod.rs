//! Health probes: the engine, HTTP probing and health-format parsers.
//!
//! - [`formats`]: pure parsers for the health formats of API-CONTRACTS §4 and auto-detection.
//! - [`verdict`]: pure per-probe hysteresis state and the lane verdict (time is an argument).
//! - [`http`]: one probe over a shared `reqwest::Client` (all I/O of a single probe).
//! - [`engine`]: the scheduler: one tokio task per probe, jittered, never overlapping itself.
//! - [`cli`]: `flightdeck probe URL` with monitoring-plugin exit codes.
//!
//! No ratatui here: the TUI model holds [`verdict::ProbeState`] per probe and feeds it
//! [`ProbeReport`]s received from the engine's channel.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

pub mod engine;
pub mod formats;
pub mod http;
pub(crate) mod outcome;
mod probe_format;
pub mod verdict;

pub use engine::{ProbeEngine, ProbeEngineHandle};
pub use outcome::{CheckDetail, Health, ProbeId, ProbeOutcome, ProbeReport, ResolvedProbe};
pub use probe_format::ProbeFormat;
pub use verdict::{ProbeState, Verdict, VerdictView, lane_verdict};

/// One probe of an environment, as written in a profile.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeSpec {
    pub name: String,
    /// A path joined to the lane's service URI (e.g. `/health`), or
    pub path: Option<String>,
    /// a full URL.
    pub url: Option<String>,
    #[serde(default = "default_interval_secs")]
    pub interval_secs: f64,
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    #[serde(default = "default_method")]
    pub method: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    pub expect_status: Option<u16>,
    #[serde(default)]
    pub format: ProbeFormat,
    #[serde(default = "default_failure_threshold")]
    pub failure_threshold: u32,
    #[serde(default = "default_success_threshold")]
    pub success_threshold: u32,
}

impl ProbeSpec {
    /// The probe interval, clamped to at least 100 ms (a zero or negative interval would spin).
    pub fn interval(&self) -> Duration {
        let secs = if self.interval_secs.is_finite() {
            self.interval_secs.max(0.1)
        } else {
            default_interval_secs()
        };
        Duration::from_secs_f64(secs)
    }

    /// The final probe for a lane whose service URI is `base` (known once the service exists).
    /// `url` wins over `path`; a `path` needs a base. Errors name the probe, never header values.
    pub fn resolve(&self, base: Option<&str>) -> Result<ResolvedProbe, String> {
        let url = match (&self.url, &self.path, base) {
            (Some(url), _, _) => url.clone(),
            (None, Some(path), Some(base)) => join_url(base, path),
            (None, Some(_), None) => {
                return Err(format!(
                    "probe {:?}: the service URI is not known yet",
                    self.name
                ));
            }
            (None, None, _) => return Err(format!("probe {:?}: needs `path` or `url`", self.name)),
        };
        Ok(ResolvedProbe {
            url,
            method: self.method.to_ascii_uppercase(),
            headers: self
                .headers
                .iter()
                .map(|(k, v)| {
                    crate::redact::remember_header(k, v);
                    (k.clone(), v.clone())
                })
                .collect(),
            interval: self.interval(),
            timeout: Duration::from_millis(self.timeout_ms.max(1)),
            expect_status: self.expect_status,
            format: self.format,
            body_cap: outcome::DEFAULT_BODY_CAP,
        })
    }
}

/// Joins a base URI and a path with exactly one slash between them.
pub fn join_url(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

fn default_interval_secs() -> f64 {
    5.0
}
fn default_timeout_ms() -> u64 {
    2000
}
fn default_method() -> String {
    "GET".into()
}
fn default_failure_threshold() -> u32 {
    3
}
fn default_success_threshold() -> u32 {
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(toml_text: &str) -> ProbeSpec {
        toml::from_str(toml_text).expect("probe spec")
    }

    #[test]
    fn resolves_path_against_the_service_uri() {
        let s = spec("name = \"health\"\npath = \"/health\"\ninterval_secs = 2\n");
        let p = s
            .resolve(Some("https://svc-abc.run.app/"))
            .expect("resolved");
        assert_eq!(p.url, "https://svc-abc.run.app/health");
        assert_eq!(p.interval, Duration::from_secs(2));
        assert_eq!(p.timeout, Duration::from_millis(2000));
        assert!(s.resolve(None).is_err());
        let full = spec("name = \"x\"\nurl = \"http://127.0.0.1:9/livez\"\nformat = \"k8s\"\n");
        assert_eq!(full.resolve(None).expect("url").format, ProbeFormat::K8s);
        assert!(spec("name = \"x\"\n").resolve(Some("http://h")).is_err());
    }

    #[test]
    fn interval_is_clamped() {
        let s = spec("name = \"x\"\npath = \"/\"\ninterval_secs = 0\n");
        assert_eq!(s.interval(), Duration::from_millis(100));
    }
}
