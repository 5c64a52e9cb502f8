//! The simulated services and revisions as Cloud Run v2 JSON (`GoogleCloudRunV2Service`,
//! `GoogleCloudRunV2Revision`) in the shapes the real API answers: full resource names in
//! `latestReadyRevision`/`latestCreatedRevision` and revision `name`, short names in traffic,
//! no revision on LATEST entries, tag URLs in `trafficStatuses[].uri`. Timestamps are never in
//! the future.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::cloudrun_sim::{CloudRunSim, SimError, SimRevision, SimService};
use crate::providers::cloudrun_enums::{CONDITION_STATES, SEVERITIES, TRAFFIC_TYPES};
use crate::providers::cloudrun_wire::{self as wire, Condition, TrafficTargetStatus};

fn condition(kind: &str, state: &str, at: String) -> Condition {
    Condition {
        kind: Some(kind.into()),
        state: Some(state.into()),
        last_transition_time: Some(at),
        ..Condition::default()
    }
}

impl CloudRunSim {
    pub fn service_json(&self, name: &str, now: DateTime<Utc>) -> Result<wire::Service, SimError> {
        let s = self.service(name)?;
        let reconciling = s.pending.is_some();
        let full = |revision: &str| format!("{}/revisions/{revision}", s.name);
        let latest_ready = s.latest_ready().map(|r| full(&r.name));
        let latest_created = s
            .pending
            .as_ref()
            .and_then(|p| p.revision.as_ref().map(|r| full(&r.name)))
            .or_else(|| s.revisions.last().map(|r| full(&r.name)));
        let since = self.shown(
            s.pending
                .as_ref()
                .map_or(s.updated, |p| p.ready_at.min(now)),
        );
        let mut ready = match (reconciling, &s.failure) {
            (true, _) => condition("Ready", "CONDITION_RECONCILING", since.clone()),
            (false, Some(_)) => condition("Ready", "CONDITION_FAILED", since.clone()),
            (false, None) => condition("Ready", "CONDITION_SUCCEEDED", since.clone()),
        };
        ready.message = match (reconciling, &s.failure) {
            (true, _) => Some("Deploying revision.".into()),
            (false, failure) => failure.clone(),
        };
        if s.failure.is_some() && !reconciling {
            ready.reason = Some("REVISION_FAILED".into());
        }
        let sub_state = if reconciling {
            "CONDITION_RECONCILING"
        } else {
            "CONDITION_SUCCEEDED"
        };
        let mut fields = s.fields.clone();
        fields.insert("createTime".into(), Value::from(self.shown(s.created)));
        fields.insert("updateTime".into(), Value::from(self.shown(s.updated)));
        fields.insert(
            "creator".into(),
            Value::from("deployer@clarity-sandbox.iam.gserviceaccount.com"),
        );
        fields.insert(
            "lastModifier".into(),
            Value::from("deployer@clarity-sandbox.iam.gserviceaccount.com"),
        );
        Ok(wire::Service {
            name: s.name.clone(),
            uid: Some(s.uid.clone()),
            generation: Some(s.generation.to_string()),
            create_time: None,
            update_time: None,
            template: Some(s.template.clone()),
            traffic: s
                .pending
                .as_ref()
                .map_or_else(|| s.traffic.clone(), |p| p.traffic.clone()),
            observed_generation: Some(s.observed_generation.to_string()),
            terminal_condition: Some(ready),
            conditions: vec![
                condition("RoutesReady", sub_state, since.clone()),
                condition("ConfigurationsReady", sub_state, since),
            ],
            latest_ready_revision: latest_ready,
            latest_created_revision: latest_created,
            traffic_statuses: traffic_statuses(s),
            uri: Some(s.uri.clone()),
            reconciling,
            etag: Some(format!("\"g{}-o{}\"", s.generation, s.observed_generation)),
            other: fields,
        })
    }

    pub fn revision_json(&self, s: &SimService, r: &SimRevision) -> wire::Revision {
        let at = self.shown(r.created);
        let mut ready = condition(
            "Ready",
            if r.failed {
                "CONDITION_FAILED"
            } else {
                "CONDITION_SUCCEEDED"
            },
            at.clone(),
        );
        if r.failed {
            ready.reason = Some("CONTAINER_MISSING".into());
            ready.message = Some(format!(
                "The user-provided container failed to start and listen on the port defined \
                 provided by the PORT=8080 environment variable. Image: {}",
                r.image
            ));
        }
        let mut other = r.template.other.clone();
        other.insert("updateTime".into(), Value::from(at.clone()));
        other.insert("launchStage".into(), Value::from("GA"));
        other.insert(
            "logUri".into(),
            Value::from(format!(
                "https://console.cloud.google.com/logs/viewer?resource=cloud_run_revision/revision_name/{}",
                r.name
            )),
        );
        wire::Revision {
            name: format!("{}/revisions/{}", s.name, r.name),
            uid: Some(format!("{:08x}-rev", r.generation)),
            generation: Some("1".into()),
            create_time: Some(at.clone()),
            service: Some(s.short.clone()),
            containers: r.template.containers.clone(),
            conditions: vec![
                ready,
                condition("ContainerHealthy", "CONDITION_SUCCEEDED", at),
            ],
            observed_generation: Some("1".into()),
            reconciling: false,
            etag: Some(format!("\"r{}\"", r.generation)),
            other,
        }
    }

    /// Newest first, as the real API lists them.
    pub fn revisions_json(&self, service: &str) -> Result<Vec<wire::Revision>, SimError> {
        let s = self.service(service)?;
        Ok(s.revisions
            .iter()
            .rev()
            .map(|r| self.revision_json(s, r))
            .collect())
    }
}

fn traffic_statuses(s: &SimService) -> Vec<TrafficTargetStatus> {
    s.traffic
        .iter()
        .map(|t| {
            let latest = wire::is_latest(t.kind.as_deref(), t.revision.as_deref());
            TrafficTargetStatus {
                kind: Some(
                    if latest {
                        wire::TRAFFIC_LATEST
                    } else {
                        wire::TRAFFIC_REVISION
                    }
                    .into(),
                ),
                revision: if latest { None } else { t.revision.clone() },
                percent: t.percent.filter(|p| *p > 0),
                tag: t.tag.clone(),
                uri: t.tag.as_deref().map(|tag| s.tag_uri(tag)),
            }
        })
        .collect()
}

/// The response body, with enums as numbers when the client asked (`$alt=json;enum-encoding=int`).
pub fn encode(value: Value, alt: Option<&str>) -> Value {
    if alt.is_some_and(|a| a.contains("enum-encoding=int")) {
        to_numbers(value)
    } else {
        value
    }
}

/// Enum names as their numbers, where the field is one of ours (`type` of traffic entries,
/// `state` and `severity` of conditions); everything else is left alone.
fn to_numbers(value: Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(to_numbers).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let table = match k.as_str() {
                        "type" => Some(TRAFFIC_TYPES),
                        "state" => Some(CONDITION_STATES),
                        "severity" => Some(SEVERITIES),
                        _ => None,
                    };
                    let number = table.and_then(|t| {
                        let name = v.as_str()?;
                        t.iter().position(|n| *n == name)
                    });
                    match number {
                        Some(n) => (k, Value::from(n)),
                        None => (k, to_numbers(v)),
                    }
                })
                .collect(),
        ),
        other => other,
    }
}
