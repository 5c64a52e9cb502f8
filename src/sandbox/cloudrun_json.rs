//! The simulated services and revisions as Cloud Run v2 JSON (`GoogleCloudRunV2Service`,
//! `GoogleCloudRunV2Revision`): what `services.get` and `revisions.list` answer.

use chrono::{DateTime, Utc};

use super::cloudrun_sim::{CloudRunSim, SimError, rfc3339};
use crate::providers::cloudrun_wire::{
    self as wire, Condition, Container, RevisionTemplate, TrafficTargetStatus,
};

impl CloudRunSim {
    pub fn service_json(&self, name: &str, now: DateTime<Utc>) -> Result<wire::Service, SimError> {
        let s = self.service(name)?;
        let reconciling = s.pending.is_some();
        let latest_ready = s.revisions.last().map(|r| r.name.clone());
        let latest_created = s
            .pending
            .as_ref()
            .and_then(|p| p.revision.as_ref().map(|r| r.name.clone()))
            .or_else(|| latest_ready.clone());
        let since = s
            .pending
            .as_ref()
            .map_or(s.updated, |p| p.ready_at.min(now));
        let ready = Condition {
            kind: Some("Ready".into()),
            state: Some(
                if reconciling {
                    "CONDITION_RECONCILING"
                } else {
                    "CONDITION_SUCCEEDED"
                }
                .into(),
            ),
            message: reconciling.then(|| "Deploying revision.".to_string()),
            last_transition_time: Some(rfc3339(since)),
            reason: None,
            ..Condition::default()
        };
        Ok(wire::Service {
            name: s.name.clone(),
            uid: Some(s.uid.clone()),
            generation: Some(s.generation.to_string()),
            create_time: Some(rfc3339(s.created)),
            update_time: Some(rfc3339(s.updated)),
            template: Some(RevisionTemplate {
                revision: None,
                containers: vec![Container {
                    name: Some("app".into()),
                    image: s.image.clone(),
                    other: Default::default(),
                }],
                other: Default::default(),
            }),
            traffic: s
                .pending
                .as_ref()
                .map_or_else(|| s.traffic.clone(), |p| p.traffic.clone()),
            observed_generation: Some(s.observed_generation.to_string()),
            terminal_condition: Some(ready),
            conditions: Vec::new(),
            latest_ready_revision: latest_ready,
            latest_created_revision: latest_created,
            traffic_statuses: s
                .serving
                .iter()
                .map(|(revision, percent)| TrafficTargetStatus {
                    kind: Some(wire::TRAFFIC_REVISION.into()),
                    revision: Some(revision.clone()),
                    percent: Some(*percent),
                    tag: None,
                    uri: None,
                })
                .collect(),
            uri: Some(s.uri.clone()),
            reconciling,
            etag: Some(format!("\"g{}-o{}\"", s.generation, s.observed_generation)),
            other: Default::default(),
        })
    }

    pub fn revisions_json(&self, service: &str) -> Result<Vec<wire::Revision>, SimError> {
        let s = self.service(service)?;
        Ok(s.revisions
            .iter()
            .rev()
            .map(|r| wire::Revision {
                name: format!("{}/revisions/{}", s.name, r.name),
                uid: None,
                generation: Some(r.generation.to_string()),
                create_time: Some(rfc3339(r.created)),
                service: Some(s.short.clone()),
                containers: vec![Container {
                    name: Some("app".into()),
                    image: r.image.clone(),
                    other: Default::default(),
                }],
                conditions: vec![Condition {
                    kind: Some("Ready".into()),
                    state: Some("CONDITION_SUCCEEDED".into()),
                    ..Condition::default()
                }],
                observed_generation: Some(r.generation.to_string()),
                reconciling: false,
                etag: None,
                other: Default::default(),
            })
            .collect())
    }
}
