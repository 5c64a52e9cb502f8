//! Where each lane and the pipeline live, as the profile says: provider targets, no clients.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

/// The default GitHub REST base URL (GitHub Enterprise Server: `https://HOST/api/v3`).
pub const GITHUB_BASE_URL: &str = "https://api.github.com";

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
            .unwrap_or(GITHUB_BASE_URL)
            .trim_end_matches('/')
    }
}

fn default_ref() -> String {
    "main".into()
}

/// Where one lane lives in Cloud Deploy (the profile's `[environments.clouddeploy]`).
#[derive(Debug, Clone, Deserialize)]
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
    pub auth: Option<AuthMode>,
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

/// The profile's `[environments.script]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptTarget {
    /// Prints the lane's state as JSON on stdout.
    pub status: Vec<String>,
    pub trigger: Option<Vec<String>>,
    pub promote: Option<Vec<String>>,
    pub rollback: Option<Vec<String>>,
    /// Limit of one trigger, promote or rollback run.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// Limit of one status run.
    #[serde(default = "default_status_timeout")]
    pub status_timeout_secs: u64,
    /// Working directory (relative to the profile's directory); default the profile's directory.
    pub workdir: Option<PathBuf>,
    /// Extra environment variables for every run.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

fn default_timeout() -> u64 {
    900
}

fn default_status_timeout() -> u64 {
    30
}

/// How a target authenticates, written in the profile as `auth = "google" | "none"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    /// Google application default credentials.
    Google,
    /// No `Authorization` header (the sandbox).
    None,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_mode_is_spelled_in_lowercase() {
        #[derive(Deserialize)]
        struct T {
            auth: AuthMode,
        }
        let t: T = toml::from_str("auth = \"google\"").unwrap();
        assert_eq!(t.auth, AuthMode::Google);
        assert!(toml::from_str::<T>("auth = \"Google\"").is_err());
    }
}
