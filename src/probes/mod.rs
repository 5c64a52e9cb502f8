//! Health probes: the engine, HTTP probing and health-format parsers.

use std::collections::BTreeMap;

use serde::Deserialize;

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

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProbeFormat {
    #[default]
    Auto,
    Ietf,
    Actuator,
    K8s,
    Json,
    Status,
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
