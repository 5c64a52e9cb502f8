//! GitHub Actions: workflow runs and jobs as release phases; `workflow_dispatch` to trigger.

use std::collections::BTreeMap;

use serde::Deserialize;

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
    #[serde(default = "default_version_input")]
    pub version_input: String,
    /// A command that prints a token (e.g. `gh auth token`); else `GITHUB_TOKEN` / `GH_TOKEN`.
    pub token_command: Option<String>,
}

fn default_ref() -> String {
    "main".into()
}

fn default_version_input() -> String {
    "version".into()
}
