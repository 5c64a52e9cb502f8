//! The script provider's `status`: the documented JSON on stdout, read into a lane.

use std::time::Duration;

use serde::Deserialize;

use super::script_run::run;
use super::script_values::{ScriptTarget, Values};
use crate::model::lane::{Readiness, RevisionInfo, ServiceCondition, ServiceState, TrafficSlice};

/// What `status` prints on stdout (one JSON object).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptStatus {
    /// The version serving most traffic.
    pub version: String,
    pub revision: Option<String>,
    pub image: Option<String>,
    #[serde(default = "ready_default")]
    pub ready: bool,
    pub message: Option<String>,
    /// The service's URL (probes of the lane use it).
    pub url: Option<String>,
    #[serde(default)]
    pub traffic: Vec<StatusSlice>,
    #[serde(default)]
    pub revisions: Vec<StatusRevision>,
}

fn ready_default() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusSlice {
    pub revision: String,
    pub version: Option<String>,
    pub percent: u8,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusRevision {
    pub name: String,
    pub version: Option<String>,
    pub image: Option<String>,
    #[serde(default = "ready_default")]
    pub ready: bool,
}

/// Runs `status` and reads its JSON; errors name the command and what is wrong.
pub async fn status(
    target: &ScriptTarget,
    env: &str,
    on_line: &(dyn Fn(&str) + Send + Sync),
) -> Result<ServiceState, String> {
    let values = Values {
        env: env.into(),
        ..Values::default()
    };
    let timeout = Duration::from_secs(target.status_timeout_secs);
    let result = run(
        target,
        "status",
        &target.status,
        &values,
        timeout,
        true,
        on_line,
    )
    .await?;
    let program = target.status.first().map_or("", String::as_str);
    if !result.ok() {
        return Err(format!("status command `{program}` {}", result.describe()));
    }
    let parsed: ScriptStatus = serde_json::from_str(result.stdout.trim()).map_err(|e| {
        format!("status command `{program}` printed no valid status JSON ({e}); see the README's script provider schema")
    })?;
    Ok(service_state(env, &parsed))
}

pub fn service_state(env: &str, s: &ScriptStatus) -> ServiceState {
    let revision = s.revision.clone().unwrap_or_else(|| s.version.clone());
    let mut traffic: Vec<TrafficSlice> = s
        .traffic
        .iter()
        .map(|t| TrafficSlice {
            revision: t.revision.clone(),
            short: t.revision.clone(),
            version: t.version.clone().unwrap_or_else(|| t.revision.clone()),
            percent: t.percent.min(100),
            tag: None,
        })
        .collect();
    if traffic.is_empty() {
        traffic.push(TrafficSlice {
            revision: revision.clone(),
            short: revision.clone(),
            version: s.version.clone(),
            percent: 100,
            tag: None,
        });
    }
    traffic.sort_by_key(|t| std::cmp::Reverse(t.percent));
    let revisions = s
        .revisions
        .iter()
        .map(|r| RevisionInfo {
            name: r.name.clone(),
            short: r.name.clone(),
            version: r.version.clone().unwrap_or_default(),
            image: r.image.clone().unwrap_or_default(),
            created: None,
            ready: r.ready,
        })
        .collect();
    ServiceState {
        name: env.to_string(),
        uri: s.url.clone(),
        image: s.image.clone().unwrap_or_default(),
        generation: 0,
        observed_generation: 0,
        reconciling: false,
        condition: ServiceCondition {
            readiness: if s.ready {
                Readiness::Ready
            } else {
                Readiness::Failed
            },
            message: s.message.clone(),
            reason: None,
            warning: false,
        },
        traffic,
        latest_ready: Some(revision.clone()),
        latest_created: Some(revision),
        revisions,
        rollout: None,
        freezes: Vec::new(),
        template: None,
    }
}
