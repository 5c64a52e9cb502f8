//! Commands this cockpit is running, per environment, as their progress reports tell them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::commands::run::Request;

/// A canary bake: traffic held at `percent` until `until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bake {
    pub percent: u8,
    pub until: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningCommand {
    /// `promote staging → prod`.
    pub label: String,
    pub request: Request,
    pub started: DateTime<Utc>,
    /// The latest progress line.
    pub last: String,
    pub bake: Option<Bake>,
    /// Paused by this cockpit (the rollout keeps the remaining bake time).
    pub paused: bool,
    /// Canary steps of the target, for the lane's deployment phases.
    pub steps: Vec<u8>,
    pub percent: Option<u8>,
}

#[derive(Debug, Clone, Default)]
pub struct Operations {
    pub running: BTreeMap<String, RunningCommand>,
}

/// `promote staging → prod`, for titles and messages.
pub fn request_label(request: &crate::commands::run::Request) -> String {
    use crate::commands::run::Request;
    match request {
        Request::Trigger { version, .. } => format!("trigger {version}"),
        Request::Promote { from, to, .. } => format!("promote {from} → {to}"),
        Request::Rollback { env, to: Some(rev) } => format!("rollback {env} to {rev}"),
        Request::Rollback { env, to: None } => format!("rollback {env}"),
    }
}
