//! Cloud Deploy v1 resources as flightdeck reads them (`specs/clouddeploy-v1.discovery.json`):
//! only the fields it uses; unknown fields are ignored, missing ones default.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeliveryPipeline {
    pub name: String,
    pub labels: std::collections::BTreeMap<String, String>,
    pub serial_pipeline: Option<SerialPipeline>,
    pub suspended: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SerialPipeline {
    pub stages: Vec<Stage>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Stage {
    pub target_id: String,
    pub strategy: Option<serde_json::Value>,
}

impl Stage {
    /// Canary percentages of a standard canary (`[]` for the standard strategy).
    pub fn canary_percentages(&self) -> Vec<u64> {
        self.strategy
            .as_ref()
            .and_then(|s| s.pointer("/canary/canaryDeployment/percentages"))
            .and_then(|p| p.as_array())
            .map(|a| a.iter().filter_map(serde_json::Value::as_u64).collect())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Target {
    pub name: String,
    pub labels: std::collections::BTreeMap<String, String>,
    pub target_id: String,
    pub require_approval: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Release {
    pub name: String,
    pub create_time: Option<chrono::DateTime<chrono::Utc>>,
    pub render_state: String,
    pub abandoned: bool,
    pub description: String,
    pub build_artifacts: Vec<BuildArtifact>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BuildArtifact {
    pub image: String,
    pub tag: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListReleasesResponse {
    pub releases: Vec<Release>,
    pub next_page_token: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Rollout {
    pub name: String,
    pub target_id: String,
    pub state: String,
    pub approval_state: String,
    pub create_time: Option<chrono::DateTime<chrono::Utc>>,
    pub deploy_start_time: Option<chrono::DateTime<chrono::Utc>>,
    pub deploy_end_time: Option<chrono::DateTime<chrono::Utc>>,
    pub phases: Vec<Phase>,
    pub rollback_of_rollout: String,
    pub failure_reason: String,
}

impl Rollout {
    /// The release this rollout belongs to (`…/releases/R/rollouts/X` → `…/releases/R`).
    pub fn release(&self) -> &str {
        self.name
            .rsplit_once("/rollouts/")
            .map_or("", |(release, _)| release)
    }

    pub fn id(&self) -> &str {
        short(&self.name)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Phase {
    pub id: String,
    pub state: String,
    pub deployment_jobs: Option<DeploymentJobs>,
}

impl Phase {
    /// The jobs present, in the order they run.
    pub fn jobs(&self) -> Vec<&Job> {
        let Some(jobs) = &self.deployment_jobs else {
            return Vec::new();
        };
        [
            &jobs.predeploy_job,
            &jobs.deploy_job,
            &jobs.verify_job,
            &jobs.postdeploy_job,
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeploymentJobs {
    pub predeploy_job: Option<Job>,
    pub deploy_job: Option<Job>,
    pub verify_job: Option<Job>,
    pub postdeploy_job: Option<Job>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Job {
    pub id: String,
    pub state: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListRolloutsResponse {
    pub rollouts: Vec<Rollout>,
    pub next_page_token: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Operation {
    pub name: String,
    pub done: bool,
    pub error: Option<Status>,
    pub response: Option<serde_json::Value>,
}

/// `google.rpc.Status` inside an operation (`code` is the number, not the name).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Status {
    pub code: i32,
    pub message: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RollbackTargetResponse {
    pub rollback_config: Option<RollbackConfig>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RollbackConfig {
    pub rollout: Option<Rollout>,
    pub starting_phase_id: String,
}

/// The last segment of a resource name.
pub fn short(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}
