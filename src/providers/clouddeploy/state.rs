//! One target's lane: the newest rollout on it (with phases and jobs) and the release it runs,
//! read from the newest releases of the pipeline; and its shape as a lane ([`ServiceState`]).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::wire::{self, short};
use super::{CloudDeployClient, CloudDeployTarget};
use crate::model::lane::version_of_image;
use crate::model::lane::{
    DeployPhase, DeployRollout, PlatformFreeze, Readiness, RevisionInfo, ServiceCondition,
    ServiceState, TrafficSlice,
};
use crate::providers::cloudrun::ApiError;

/// How many of the newest releases a poll looks into for rollouts on the target.
pub const RELEASES_SCANNED: u32 = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhaseView {
    pub id: String,
    pub state: String,
    /// `(job id, state)` in the order they run (deploy, verify …).
    pub jobs: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RolloutView {
    pub name: String,
    pub release: String,
    /// The release's version (the tag of its first build artifact), or its id.
    pub version: String,
    pub image: String,
    pub state: String,
    pub approval_state: String,
    pub created: Option<DateTime<Utc>>,
    pub ended: Option<DateTime<Utc>>,
    pub phases: Vec<PhaseView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollback_of: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
}

impl RolloutView {
    pub fn id(&self) -> &str {
        short(&self.name)
    }

    /// The next phase that has not started, if the rollout waits to be advanced into it.
    pub fn next_phase(&self) -> Option<&PhaseView> {
        let any_running = self.phases.iter().any(|p| p.state == "IN_PROGRESS");
        (self.state == "IN_PROGRESS" && !any_running)
            .then(|| self.phases.iter().find(|p| p.state == "PENDING"))
            .flatten()
    }

    /// A failed job, as `(phase, job)`.
    pub fn failed_job(&self) -> Option<(&str, &str)> {
        self.phases.iter().find_map(|p| {
            p.jobs
                .iter()
                .find(|(_, s)| s == "FAILED")
                .map(|(j, _)| (p.id.as_str(), j.as_str()))
        })
    }

    /// Percent the rollout's release serves: the last finished canary phase, 100 once stable is done.
    pub fn percent(&self) -> u8 {
        if self.state == "SUCCEEDED" {
            return 100;
        }
        self.phases
            .iter()
            .filter(|p| p.state == "SUCCEEDED")
            .filter_map(|p| p.id.strip_prefix("canary-")?.parse::<u8>().ok())
            .max()
            .unwrap_or(0)
    }

    /// Resting: nothing moves until someone acts (or it is over).
    pub fn resting(&self) -> bool {
        self.state != "IN_PROGRESS" && self.state != "PENDING" && self.state != "CANCELLING"
            || self.next_phase().is_some()
            || self.failed_job().is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetState {
    pub target: String,
    pub target_id: String,
    pub require_approval: bool,
    /// The pipeline's stages, in order.
    pub stages: Vec<String>,
    /// The newest rollout on the target.
    pub current: Option<RolloutView>,
    /// The newest succeeded rollout (what the target runs).
    pub running: Option<RolloutView>,
    /// The deploy policies on this target, as freeze windows.
    pub freezes: Vec<PlatformFreeze>,
    /// Why the deploy policies could not be read (the service still enforces them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policies_unread: Option<String>,
}

impl TargetState {
    /// The stage after this target, if any.
    pub fn next_stage(&self) -> Option<&str> {
        let at = self.stages.iter().position(|s| *s == self.target_id)?;
        self.stages.get(at + 1).map(String::as_str)
    }
}

/// A rollout as shown; `releases` (when read) give its version and image.
pub fn view(rollout: &wire::Rollout, releases: &[wire::Release]) -> RolloutView {
    let release = releases.iter().find(|r| r.name == rollout.release());
    let image = release
        .and_then(|r| r.build_artifacts.first())
        .map(|a| a.tag.clone())
        .unwrap_or_default();
    let version = if image.is_empty() {
        short(rollout.release()).to_string()
    } else {
        version_of_image(&image)
    };
    RolloutView {
        name: rollout.name.clone(),
        release: rollout.release().to_string(),
        version,
        image,
        state: rollout.state.clone(),
        approval_state: rollout.approval_state.clone(),
        created: rollout.create_time,
        ended: rollout.deploy_end_time,
        phases: rollout
            .phases
            .iter()
            .map(|p| PhaseView {
                id: p.id.clone(),
                state: p.state.clone(),
                jobs: p
                    .jobs()
                    .iter()
                    .map(|j| (j.id.clone(), j.state.clone()))
                    .collect(),
            })
            .collect(),
        rollback_of: Some(rollout.rollback_of_rollout.clone()).filter(|s| !s.is_empty()),
        failure_reason: Some(rollout.failure_reason.clone()).filter(|s| !s.is_empty()),
    }
}

/// One poll of a target: pipeline, target, the newest releases and their rollouts on it.
pub async fn fetch(
    client: &CloudDeployClient,
    cfg: &CloudDeployTarget,
) -> Result<TargetState, ApiError> {
    let pipeline = client.get_pipeline(&cfg.pipeline_name()).await?;
    let target = client.get_target(&cfg.location(), &cfg.target).await?;
    let releases = client
        .list_releases(&cfg.pipeline_name(), RELEASES_SCANNED)
        .await?;
    let lists = releases
        .iter()
        .map(|r| client.list_rollouts(&r.name, Some(&cfg.target)));
    let mut rollouts = Vec::new();
    for list in futures::future::join_all(lists).await {
        rollouts.extend(list?);
    }
    let policies = client.list_deploy_policies(&cfg.location()).await;
    let policies = policies.map_err(|e| e.to_string());
    Ok(assemble(
        cfg, &pipeline, &target, &releases, rollouts, policies,
    ))
}

/// A target's state from the answers of one poll (`rollouts`: those of every release read).
pub fn assemble(
    cfg: &CloudDeployTarget,
    pipeline: &wire::DeliveryPipeline,
    target: &wire::Target,
    releases: &[wire::Release],
    mut rollouts: Vec<wire::Rollout>,
    policies: Result<Vec<super::policy::DeployPolicy>, String>,
) -> TargetState {
    rollouts.retain(|r| r.target_id == cfg.target);
    rollouts.sort_by_key(|r| r.create_time);
    let current = rollouts.last().map(|r| view(r, releases));
    let running = rollouts
        .iter()
        .filter(|r| r.state == "SUCCEEDED")
        .max_by_key(|r| r.deploy_end_time)
        .map(|r| view(r, releases));
    let (freezes, policies_unread) = match policies {
        Ok(list) => {
            let on = super::policy::Selected {
                pipeline_id: &cfg.pipeline,
                pipeline_labels: &pipeline.labels,
                target_id: &cfg.target,
                target_labels: &target.labels,
            };
            (super::policy::freezes(&list, &on), None)
        }
        Err(e) => (Vec::new(), Some(e)),
    };
    TargetState {
        target: target.name.clone(),
        target_id: cfg.target.clone(),
        require_approval: target.require_approval,
        stages: pipeline
            .serial_pipeline
            .as_ref()
            .map(|s| s.stages.iter().map(|st| st.target_id.clone()).collect())
            .unwrap_or_default(),
        current,
        running,
        freezes,
        policies_unread,
    }
}

fn slice(rollout: &RolloutView, percent: u8) -> TrafficSlice {
    TrafficSlice {
        revision: rollout.name.clone(),
        short: short(&rollout.release).to_string(),
        version: rollout.version.clone(),
        percent,
        tag: None,
    }
}

/// The target as a lane: traffic between the running release and a canary in flight.
pub fn lane_state(state: &TargetState) -> ServiceState {
    let (readiness, message) = match state.current.as_ref() {
        None => (
            Readiness::Unknown,
            Some("no rollout on this target yet".to_string()),
        ),
        Some(c) => match c.state.as_str() {
            "SUCCEEDED" => (Readiness::Ready, None),
            "PENDING_APPROVAL" => (
                Readiness::Pending,
                Some(format!("{} waits for approval", c.id())),
            ),
            "FAILED" | "HALTED" => (
                Readiness::Failed,
                Some(
                    c.failure_reason
                        .clone()
                        .unwrap_or_else(|| format!("{} failed", c.id())),
                ),
            ),
            "APPROVAL_REJECTED" | "CANCELLED" => (
                if state.running.is_some() {
                    Readiness::Ready
                } else {
                    Readiness::Unknown
                },
                Some(format!(
                    "{} {}",
                    c.id(),
                    c.state.to_lowercase().replace('_', " ")
                )),
            ),
            _ => match c.next_phase() {
                Some(next) => (
                    Readiness::Reconciling,
                    Some(format!("{} waits to advance to {}", c.id(), next.id)),
                ),
                None => (Readiness::Reconciling, None),
            },
        },
    };
    let mut traffic = Vec::new();
    let in_flight = state
        .current
        .as_ref()
        .filter(|c| c.state != "SUCCEEDED" && c.percent() > 0);
    match (in_flight, state.running.as_ref()) {
        (Some(canary), Some(running)) => {
            traffic.push(slice(running, 100 - canary.percent()));
            traffic.push(slice(canary, canary.percent()));
        }
        (Some(canary), None) => traffic.push(slice(canary, canary.percent())),
        (None, Some(running)) => traffic.push(slice(running, 100)),
        (None, None) => {}
    }
    traffic.sort_by_key(|t| std::cmp::Reverse(t.percent));
    let mut revisions: Vec<RevisionInfo> = [state.current.as_ref(), state.running.as_ref()]
        .into_iter()
        .flatten()
        .map(|r| RevisionInfo {
            name: r.name.clone(),
            short: r.id().to_string(),
            version: r.version.clone(),
            image: r.image.clone(),
            created: r.created,
            ready: r.state == "SUCCEEDED",
        })
        .collect();
    revisions.dedup_by(|a, b| a.name == b.name);
    ServiceState {
        name: state.target.clone(),
        uri: None,
        image: state
            .current
            .as_ref()
            .map(|c| c.image.clone())
            .unwrap_or_default(),
        generation: 0,
        observed_generation: 0,
        reconciling: state.current.as_ref().is_some_and(|c| !c.resting()),
        condition: ServiceCondition {
            readiness,
            message,
            reason: state.current.as_ref().map(|c| c.state.clone()),
            warning: false,
        },
        traffic,
        latest_ready: state.running.as_ref().map(|r| r.name.clone()),
        latest_created: state.current.as_ref().map(|r| r.name.clone()),
        revisions,
        rollout: state.current.as_ref().map(|c| DeployRollout {
            id: c.id().to_string(),
            version: c.version.clone(),
            state: c.state.clone(),
            phases: c
                .phases
                .iter()
                .map(|p| DeployPhase {
                    id: p.id.clone(),
                    state: p.state.clone(),
                    jobs: p.jobs.clone(),
                })
                .collect(),
            next_phase: c.next_phase().map(|p| p.id.clone()),
            failure: c.failure_reason.clone(),
        }),
        freezes: state.freezes.clone(),
        // The rendered manifests (env, scaling) are not read from Cloud Deploy.
        template: None,
    }
}
