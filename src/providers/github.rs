//! GitHub Actions: workflow runs and jobs as release phases; `workflow_dispatch` to trigger.
//!
//! - [`GithubClient`]: the REST client (conditional GETs with ETags, rate-limit aware).
//! - [`wire`]: the response shapes we read (a subset of the OpenAPI schemas).
//! - [`to_pipeline`]: a run + its jobs + pending deployments → [`crate::model::pipeline::Pipeline`].

use std::collections::BTreeMap;

use serde::Deserialize;

mod actions;
mod checks;
mod client;
mod convert;
mod error;
mod inputs;
mod paging;
mod ratelimit;
mod snapshot;
mod token;
pub mod wire;

pub use actions::DispatchOutcome;
pub use client::{Fetched, GithubClient};
pub use convert::{annotation, expected_durations, to_pipeline};
pub use error::GithubError;
pub use inputs::{DeclaredInputs, dispatch_inputs, parse_dispatch_inputs};
pub use ratelimit::RateLimit;
pub use snapshot::RunSnapshot;
pub use token::Token;

/// The default REST base URL (GitHub Enterprise Server: `https://HOST/api/v3`).
pub const DEFAULT_BASE_URL: &str = "https://api.github.com";

/// The build pipeline of a profile.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineConfig {
    /// Omitted in sandbox profiles; default `https://api.github.com` (GitHub Enterprise: `https://HOST/api/v3`).
    pub base_url: Option<String>,
    pub owner: String,
    pub repo: String,
    /// Workflow file name (e.g. `release.yml`) or id.
    pub workflow: String,
    #[serde(rename = "ref", default = "default_ref")]
    pub git_ref: String,
    /// Extra `workflow_dispatch` inputs; the version goes in `version_input`.
    #[serde(default)]
    pub inputs: BTreeMap<String, String>,
    /// The input that carries the version. Default: `version` when the workflow declares it,
    /// else none (the workflow builds what `ref` points at). Checked against the workflow file.
    #[serde(default)]
    pub version_input: Option<String>,
    /// A command that prints a token (e.g. `gh auth token`); else `GITHUB_TOKEN` / `GH_TOKEN`.
    pub token_command: Option<String>,
    /// Expected minutes per job name (e.g. `"Test Suite Execution" = 20`); jobs not listed use
    /// the seed-000 midpoints when their name matches, else the mean of the known ones.
    #[serde(default)]
    pub expected_minutes: BTreeMap<String, f64>,
    /// The GitHub environment (with required reviewers) that gates each flightdeck environment,
    /// e.g. `prod = "production"`; an environment not listed is gated by its own name.
    #[serde(default)]
    pub environments: BTreeMap<String, String>,
}

impl PipelineConfig {
    /// The GitHub environment that gates flightdeck environment `env`.
    pub fn github_environment<'a>(&'a self, env: &'a str) -> &'a str {
        self.environments.get(env).map_or(env, String::as_str)
    }

    /// The flightdeck environment a GitHub environment gates (the reverse of the above).
    pub fn flightdeck_environment<'a>(&'a self, github_env: &'a str) -> &'a str {
        self.environments
            .iter()
            .find(|(_, gh)| *gh == github_env)
            .map_or(github_env, |(env, _)| env.as_str())
    }

    /// The base URL without a trailing slash.
    pub fn base(&self) -> &str {
        self.base_url
            .as_deref()
            .unwrap_or(DEFAULT_BASE_URL)
            .trim_end_matches('/')
    }
}

fn default_ref() -> String {
    "main".into()
}
