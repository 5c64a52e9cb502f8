//! The simulated Cloud Run services: revisions, traffic, generations and long-running operations.
//! Time is passed in (simulated UTC), so the state machine is deterministic under test.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::clock::Rng;
use crate::providers::cloudrun_wire::{self as wire, Operation, TrafficTarget};

/// Simulated seconds a new revision takes to become ready; a traffic-only change is quicker.
pub const DEPLOY_SECS: i64 = 60;
pub const TRAFFIC_SECS: i64 = 10;

#[derive(Debug, Clone)]
pub struct SimRevision {
    pub name: String,
    pub image: String,
    pub created: DateTime<Utc>,
    pub generation: i64,
}

impl SimRevision {
    /// A revision whose image tag mentions `bad` fails its health checks.
    pub fn healthy(&self) -> bool {
        !wire::version_of_image(&self.image).contains("bad")
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
    pub image: String,
    pub revisions: Vec<SimRevision>,
    pub traffic: Vec<TrafficTarget>,
    pub serving: Vec<(String, i32)>,
    pub(super) pending: Option<PendingChange>,
    next_revision: u32,
}

#[derive(Debug, Clone)]
struct SimOperation {
    service: String,
    done_at: DateTime<Utc>,
}

/// Why a request was refused, as a Google error (HTTP status, `status`, message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimError {
    pub http: u16,
    pub status: &'static str,
    pub message: String,
}

impl SimError {
    fn new(http: u16, status: &'static str, message: impl Into<String>) -> SimError {
        SimError {
            http,
            status,
            message: message.into(),
        }
    }
}

#[derive(Debug)]
pub struct CloudRunSim {
    pub services: BTreeMap<String, SimService>,
    operations: BTreeMap<String, SimOperation>,
    rng: Rng,
}

pub const IMAGE_REPO: &str = "us-docker.pkg.dev/clarity-sandbox/clarity/clarity-backend";

impl CloudRunSim {
    /// dev, staging and prod of the seeds' service, each with a few past revisions.
    pub fn seeded(
        project: &str,
        region: &str,
        base_uri: &str,
        now: DateTime<Utc>,
        rng: Rng,
    ) -> Self {
        let mut sim = CloudRunSim {
            services: BTreeMap::new(),
            operations: BTreeMap::new(),
            rng,
        };
        let histories: [(&str, &[&str]); 3] = [
            ("dev", &["1.3.9", "1.4.0", "1.4.1", "1.4.2"]),
            ("staging", &["1.3.9", "1.4.0", "1.4.1"]),
            ("prod", &["1.3.8", "1.3.9", "1.4.0"]),
        ];
        for (env, versions) in histories {
            let short = format!("clarity-backend-{env}");
            let name = format!("projects/{project}/locations/{region}/services/{short}");
            let mut service = SimService {
                uid: format!("{:08x}-sim-{env}", sim.rng.next_u64() as u32),
                uri: format!("{base_uri}/apps/{short}"),
                created: now - Duration::days(90),
                updated: now - Duration::hours(5),
                generation: 0,
                observed_generation: 0,
                image: String::new(),
                revisions: Vec::new(),
                traffic: Vec::new(),
                serving: Vec::new(),
                pending: None,
                next_revision: 1,
                name,
                short,
            };
            let count = versions.len() as i64;
            for (i, version) in versions.iter().enumerate() {
                let image = format!("{IMAGE_REPO}:{version}");
                let created = now - Duration::days(3 * (count - i as i64));
                let revision = sim.new_revision(&mut service, image.clone(), created);
                service.revisions.push(revision);
                service.image = image;
            }
            if let Some(latest) = service.revisions.last() {
                service.traffic = vec![TrafficTarget::to_revision(&latest.name, 100)];
                service.serving = vec![(latest.name.clone(), 100)];
            }
            service.observed_generation = service.generation;
            sim.services.insert(service.name.clone(), service);
        }
        sim
    }

    fn new_revision(
        &mut self,
        service: &mut SimService,
        image: String,
        created: DateTime<Utc>,
    ) -> SimRevision {
        let number = service.next_revision;
        service.next_revision += 1;
        service.generation += 1;
        SimRevision {
            name: format!("{}-{number:05}-{}", service.short, self.rng.letters(3)),
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
                if let Some(revision) = change.revision {
                    service.revisions.push(revision);
                }
                service.serving = resolve_traffic(&change.traffic, &service.revisions);
                service.traffic = change.traffic;
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

    /// `services.patch`: a new image makes a new revision; `traffic[]` sets the split.
    pub fn patch(
        &mut self,
        name: &str,
        body: &wire::Service,
        traffic_only: bool,
        now: DateTime<Utc>,
    ) -> Result<Operation, SimError> {
        self.advance(now);
        let mut service = self.service(name)?.clone();
        if service.pending.is_some() {
            return Err(SimError::new(
                409,
                "ABORTED",
                format!(
                    "Service '{}' is being updated; retry when the current operation is done",
                    service.short
                ),
            ));
        }
        let new_image = body
            .template
            .as_ref()
            .and_then(|t| t.containers.first())
            .map(|c| c.image.clone())
            .filter(|image| !traffic_only && *image != service.image);
        let revision = match new_image {
            Some(image) => {
                service.image = image.clone();
                Some(self.new_revision(&mut service, image, now))
            }
            None => {
                service.generation += 1;
                None
            }
        };
        let mut known = service.revisions.clone();
        known.extend(revision.clone());
        let traffic = if body.traffic.is_empty() {
            vec![TrafficTarget {
                kind: Some(wire::TRAFFIC_LATEST.into()),
                percent: Some(100),
                ..TrafficTarget::default()
            }]
        } else {
            body.traffic.clone()
        };
        validate_traffic(&traffic, &known)?;
        let delay = if revision.is_some() {
            DEPLOY_SECS
        } else {
            TRAFFIC_SECS
        };
        let operation = format!(
            "{}/operations/{:016x}",
            name.split("/services/").next().unwrap_or(name),
            self.rng.next_u64()
        );
        service.pending = Some(PendingChange {
            ready_at: now + Duration::seconds(delay),
            revision,
            traffic,
        });
        service.updated = now;
        self.operations.insert(
            operation.clone(),
            SimOperation {
                service: service.name.clone(),
                done_at: now + Duration::seconds(delay),
            },
        );
        self.services.insert(service.name.clone(), service);
        self.operation(&operation, now)
    }

    pub fn operation(&mut self, name: &str, now: DateTime<Utc>) -> Result<Operation, SimError> {
        self.advance(now);
        let op = self.operations.get(name).cloned().ok_or_else(|| {
            SimError::new(
                404,
                "NOT_FOUND",
                format!("Operation '{name}' was not found"),
            )
        })?;
        let service = self.service_json(&op.service, now)?;
        let done = op.done_at <= now;
        Ok(Operation {
            name: name.to_string(),
            done,
            metadata: Some(with_type(&service)),
            response: done.then(|| with_type(&service)),
            error: None,
        })
    }

    /// Which revision answers a request to the service, as the traffic split would pick it.
    pub fn pick_revision(&mut self, short: &str) -> Option<SimRevision> {
        let service = self.services.values().find(|s| s.short == short)?;
        let roll = self.rng.below(100) as i32;
        let mut acc = 0;
        let chosen = service.serving.iter().find(|(_, percent)| {
            acc += percent;
            roll < acc
        });
        let name = chosen.or(service.serving.last())?.0.clone();
        service.revisions.iter().find(|r| r.name == name).cloned()
    }
}

fn resolve_traffic(traffic: &[TrafficTarget], revisions: &[SimRevision]) -> Vec<(String, i32)> {
    let latest = revisions.last().map(|r| r.name.clone()).unwrap_or_default();
    traffic
        .iter()
        .filter(|t| t.percent.unwrap_or(0) > 0)
        .map(|t| match t.kind.as_deref() {
            Some(wire::TRAFFIC_LATEST) => (latest.clone(), t.percent.unwrap_or(0)),
            _ => (
                t.revision.clone().unwrap_or_default(),
                t.percent.unwrap_or(0),
            ),
        })
        .collect()
}

fn validate_traffic(traffic: &[TrafficTarget], known: &[SimRevision]) -> Result<(), SimError> {
    let total: i32 = traffic.iter().map(|t| t.percent.unwrap_or(0)).sum();
    if total != 100 {
        return Err(SimError::new(
            400,
            "INVALID_ARGUMENT",
            format!("traffic percents add up to {total}, not 100"),
        ));
    }
    for target in traffic {
        if target.kind.as_deref() == Some(wire::TRAFFIC_LATEST) {
            continue;
        }
        let Some(revision) = &target.revision else {
            return Err(SimError::new(
                400,
                "INVALID_ARGUMENT",
                "traffic target names no revision",
            ));
        };
        if !known.iter().any(|r| &r.name == revision) {
            return Err(SimError::new(
                400,
                "INVALID_ARGUMENT",
                format!("revision '{revision}' does not exist"),
            ));
        }
    }
    Ok(())
}

pub(super) fn with_type(service: &wire::Service) -> serde_json::Value {
    let mut value = serde_json::to_value(service).unwrap_or_else(|_| json!({}));
    if let Some(map) = value.as_object_mut() {
        map.insert(
            "@type".into(),
            json!("type.googleapis.com/google.cloud.run.v2.Service"),
        );
    }
    value
}

pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
