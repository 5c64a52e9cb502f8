//! The simulated Cloud Run services: revisions, traffic, generations and long-running operations.
//! Time is passed in (simulated UTC), so the state machine is deterministic under test.
//!
//! As the real service: a service keeps every field it was given (sidecars, env, secrets,
//! volumes, scaling, labels, traffic tags); a new revision is made only when the template
//! changes; a filled-in `template.revision` that already exists is refused with 409
//! ALREADY_EXISTS; traffic names revisions by their short names; a revision whose image tag
//! mentions `crash` fails to start (the operation ends with a numeric `error.code`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::clock::{Rng, SimClock};
use crate::providers::cloudrun_wire::{self as wire, RevisionTemplate, RpcStatus, TrafficTarget};

/// Simulated seconds a new revision takes to become ready; a traffic-only change is quicker.
pub const DEPLOY_SECS: i64 = 60;
pub const TRAFFIC_SECS: i64 = 10;

#[derive(Debug, Clone)]
pub struct SimRevision {
    /// The short name, `clarity-backend-dev-00004-xyz`.
    pub name: String,
    /// The ingress container's image.
    pub image: String,
    pub template: RevisionTemplate,
    pub created: DateTime<Utc>,
    pub generation: i64,
    /// It never became ready (its container failed to start).
    pub failed: bool,
}

impl SimRevision {
    /// A revision whose image tag mentions `bad` fails its health checks (503).
    pub fn healthy(&self) -> bool {
        !wire::version_of_image(&self.image).contains("bad")
    }

    /// A revision whose image tag mentions `down` answers `200 {"status":"DOWN"}`, as a Spring
    /// Boot service configured to keep 200 for every status does.
    pub fn reports_down(&self) -> bool {
        wire::version_of_image(&self.image).contains("down")
    }
}

#[derive(Debug, Clone)]
pub(super) struct PendingChange {
    pub(super) ready_at: DateTime<Utc>,
    pub(super) revision: Option<SimRevision>,
    pub(super) traffic: Vec<TrafficTarget>,
}

#[derive(Debug, Clone)]
pub struct SimService {
    pub name: String,
    pub short: String,
    pub uid: String,
    pub uri: String,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub generation: i64,
    pub observed_generation: i64,
    /// The template as last written (its `revision` as the client gave it).
    pub template: RevisionTemplate,
    /// Every other writable field (labels, annotations, ingress, scaling, …), kept as given.
    pub fields: Map<String, Value>,
    pub revisions: Vec<SimRevision>,
    /// The traffic spec in effect.
    pub traffic: Vec<TrafficTarget>,
    /// What serves: `(short revision name, percent)`.
    pub serving: Vec<(String, i32)>,
    /// Why the last change failed, shown in the terminal condition until the next change.
    pub failure: Option<String>,
    pub(super) pending: Option<PendingChange>,
    pub(super) next_revision: u32,
}

impl SimService {
    /// The newest revision that became ready.
    pub fn latest_ready(&self) -> Option<&SimRevision> {
        self.revisions.iter().rev().find(|r| !r.failed)
    }

    /// The URL of a traffic tag, as Cloud Run forms it (`https://TAG---SERVICE-…run.app`).
    pub fn tag_uri(&self, tag: &str) -> String {
        let marker = format!("/apps/{}", self.short);
        self.uri
            .replace(&marker, &format!("/apps/{tag}---{}", self.short))
    }
}

#[derive(Debug, Clone)]
pub(super) struct SimOperation {
    pub(super) service: String,
    pub(super) done_at: DateTime<Utc>,
    pub(super) error: Option<RpcStatus>,
}

/// Why a request was refused, as a Google error (HTTP status, `status`, message, `ErrorInfo`
/// reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimError {
    pub http: u16,
    pub status: &'static str,
    pub message: String,
    pub reason: &'static str,
    pub domain: &'static str,
}

impl SimError {
    pub fn new(http: u16, status: &'static str, message: impl Into<String>) -> SimError {
        SimError {
            http,
            status,
            message: message.into(),
            reason: status,
            domain: "run.googleapis.com",
        }
    }
}

/// One `services.patch` as received, for tests that count what was applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchRecord {
    pub service: String,
    pub update_mask: Option<String>,
    /// Refused (4xx) or accepted.
    pub accepted: bool,
}

#[derive(Debug)]
pub struct CloudRunSim {
    pub services: BTreeMap<String, SimService>,
    /// Every `services.patch` received, in order.
    pub patch_log: Vec<PatchRecord>,
    pub(super) operations: BTreeMap<String, SimOperation>,
    pub(super) rng: Rng,
    pub(super) clock: SimClock,
}

pub const IMAGE_REPO: &str = "us-docker.pkg.dev/clarity-sandbox/clarity/clarity-backend";

impl CloudRunSim {
    pub(super) fn new_revision(
        &mut self,
        service: &mut SimService,
        template: &RevisionTemplate,
        created: DateTime<Utc>,
    ) -> SimRevision {
        let number = service.next_revision;
        service.next_revision += 1;
        let name = template
            .revision
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("{}-{number:05}-{}", service.short, self.rng.letters(3)));
        let image = wire::ingress_image(&template.containers);
        SimRevision {
            failed: false,
            template: RevisionTemplate {
                revision: Some(name.clone()),
                ..template.clone()
            },
            name,
            image,
            created,
            generation: service.generation,
        }
    }

    /// Applies every change whose simulated delay has passed.
    pub fn advance(&mut self, now: DateTime<Utc>) {
        for service in self.services.values_mut() {
            let due = service.pending.as_ref().is_some_and(|p| p.ready_at <= now);
            if !due {
                continue;
            }
            if let Some(change) = service.pending.take() {
                service.failure = None;
                if let Some(mut revision) = change.revision {
                    revision.failed = revision.image.contains("crash");
                    if revision.failed {
                        service.failure = Some(format!(
                            "Revision '{}' is not ready and cannot serve traffic. The user-provided \
                             container failed to start and listen on the port defined provided by \
                             the PORT=8080 environment variable.",
                            revision.name
                        ));
                    }
                    service.revisions.push(revision);
                }
                if service.failure.is_none() {
                    service.traffic = change.traffic;
                }
                service.serving = resolve_traffic(&service.traffic, service);
                service.observed_generation = service.generation;
                service.updated = change.ready_at;
            }
        }
    }

    pub fn service(&self, name: &str) -> Result<&SimService, SimError> {
        self.services.get(name).ok_or_else(|| {
            SimError::new(404, "NOT_FOUND", format!("Resource '{name}' was not found"))
        })
    }

    pub fn operation(
        &mut self,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<wire::Operation, SimError> {
        self.advance(now);
        let op = self.operations.get(name).cloned().ok_or_else(|| {
            SimError::new(
                404,
                "NOT_FOUND",
                format!("Operation '{name}' was not found"),
            )
        })?;
        let service = with_type(&self.service_json(&op.service, now)?);
        let done = op.done_at <= now;
        Ok(wire::Operation {
            name: name.to_string(),
            done,
            metadata: Some(service.clone()),
            response: (done && op.error.is_none()).then_some(service),
            error: if done { op.error } else { None },
        })
    }

    /// Which revision answers a request to the service (or to one of its traffic tags).
    pub fn pick_revision(&mut self, short: &str, tag: Option<&str>) -> Option<SimRevision> {
        let service = self.services.values().find(|s| s.short == short)?;
        let name = match tag {
            Some(tag) => {
                let target = service
                    .traffic
                    .iter()
                    .find(|t| t.tag.as_deref() == Some(tag))?;
                match &target.revision {
                    Some(r) if !wire::is_latest(target.kind.as_deref(), Some(r)) => r.clone(),
                    _ => service.latest_ready()?.name.clone(),
                }
            }
            None => {
                let roll = self.rng.below(100) as i32;
                let mut acc = 0;
                let chosen = service.serving.iter().find(|(_, percent)| {
                    acc += percent;
                    roll < acc
                });
                chosen.or(service.serving.last())?.0.clone()
            }
        };
        service.revisions.iter().find(|r| r.name == name).cloned()
    }

    /// A simulated time as clients see it: never ahead of the wall clock.
    pub fn shown(&self, t: DateTime<Utc>) -> String {
        rfc3339(self.clock.shown(t))
    }
}

/// `(short revision, percent)` serving: LATEST goes to the newest ready revision.
pub(super) fn resolve_traffic(
    traffic: &[TrafficTarget],
    service: &SimService,
) -> Vec<(String, i32)> {
    let latest = service
        .latest_ready()
        .map(|r| r.name.clone())
        .unwrap_or_default();
    traffic
        .iter()
        .filter(|t| t.percent.unwrap_or(0) > 0)
        .map(
            |t| match wire::is_latest(t.kind.as_deref(), t.revision.as_deref()) {
                true => (latest.clone(), t.percent.unwrap_or(0)),
                false => (
                    t.revision.clone().unwrap_or_default(),
                    t.percent.unwrap_or(0),
                ),
            },
        )
        .collect()
}

pub(super) fn with_type(service: &wire::Service) -> Value {
    let mut value = serde_json::to_value(service).unwrap_or_else(|_| Value::Object(Map::new()));
    if let Some(map) = value.as_object_mut() {
        map.insert(
            "@type".into(),
            Value::from("type.googleapis.com/google.cloud.run.v2.Service"),
        );
    }
    value
}

pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
