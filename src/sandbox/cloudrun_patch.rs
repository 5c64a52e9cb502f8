//! `services.patch` as Cloud Run answers it: `updateMask` semantics (without a mask the body
//! replaces every writable field), a new revision only when the template changed, a reused
//! revision name refused with 409 ALREADY_EXISTS, traffic by short revision names with tags.

use chrono::Utc;
use chrono::{DateTime, Duration};
use serde_json::Value;

use super::cloudrun_sim::{
    CloudRunSim, DEPLOY_SECS, PatchRecord, PendingChange, SimError, SimOperation, SimRevision,
    TRAFFIC_SECS,
};
use crate::providers::cloudrun_wire::{self as wire, RevisionTemplate, RpcStatus, TrafficTarget};

/// Fields of a Service the server sets; a client sending them back changes nothing.
const OUTPUT_ONLY: &[&str] = &[
    "uid",
    "generation",
    "createTime",
    "updateTime",
    "deleteTime",
    "expireTime",
    "creator",
    "lastModifier",
    "observedGeneration",
    "terminalCondition",
    "conditions",
    "latestReadyRevision",
    "latestCreatedRevision",
    "trafficStatuses",
    "uri",
    "urls",
    "reconciling",
    "etag",
    "satisfiesPzs",
    "@type",
];

/// The template without its revision name, for "did the template change?".
fn shape(template: &RevisionTemplate) -> Value {
    let mut t = template.clone();
    t.revision = None;
    serde_json::to_value(t).unwrap_or_default()
}

impl CloudRunSim {
    /// `services.patch` with `update_mask` (comma-separated field paths) or, without one, a full
    /// replacement. Answers the long-running operation.
    pub fn patch(
        &mut self,
        name: &str,
        body: &wire::Service,
        update_mask: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<wire::Operation, SimError> {
        let result = self.apply_patch(name, body, update_mask, now);
        self.patch_log.push(PatchRecord {
            service: name.to_string(),
            update_mask: update_mask.map(str::to_string),
            accepted: result.is_ok(),
        });
        result
    }

    fn apply_patch(
        &mut self,
        name: &str,
        body: &wire::Service,
        update_mask: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<wire::Operation, SimError> {
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
        let paths: Option<Vec<&str>> = update_mask.map(|m| {
            m.split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect()
        });
        let wants = |field: &str| {
            paths.as_ref().is_none_or(|ps| {
                ps.iter()
                    .any(|p| *p == field || p.starts_with(&format!("{field}.")))
            })
        };
        let template = if wants("template") {
            body.template.clone().ok_or_else(|| {
                SimError::new(400, "INVALID_ARGUMENT", "service.template is required")
            })?
        } else {
            service.template.clone()
        };
        if wire::ingress_index(&template.containers).is_none() {
            return Err(SimError::new(
                400,
                "INVALID_ARGUMENT",
                "template.containers: exactly one container must declare `ports` (the ingress container)",
            ));
        }
        let traffic = if wants("traffic") {
            if body.traffic.is_empty() {
                vec![TrafficTarget {
                    kind: Some(wire::TRAFFIC_LATEST.into()),
                    percent: Some(100),
                    ..TrafficTarget::default()
                }]
            } else {
                body.traffic.clone()
            }
        } else {
            service.traffic.clone()
        };
        let given: Vec<(&String, &Value)> = body
            .other
            .iter()
            .filter(|(k, _)| !OUTPUT_ONLY.contains(&k.as_str()))
            .collect();
        match &paths {
            None => {
                service.fields = given
                    .into_iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            }
            Some(ps) => {
                for path in ps
                    .iter()
                    .filter(|p| !p.starts_with("template") && !p.starts_with("traffic"))
                {
                    let key = path.split('.').next().unwrap_or(path);
                    match body.other.get(key) {
                        Some(v) => service.fields.insert(key.to_string(), v.clone()),
                        None => service.fields.remove(key),
                    };
                }
            }
        }
        service.generation += 1;
        let revision = if shape(&template) != shape(&service.template) {
            if let Some(taken) = template.revision.as_deref().filter(|n| !n.is_empty()) {
                if service.revisions.iter().any(|r| r.name == taken) {
                    return Err(SimError {
                        reason: "REVISION_ALREADY_EXISTS",
                        ..SimError::new(
                            409,
                            "ALREADY_EXISTS",
                            format!(
                                "Revision named '{taken}' with different configuration already exists."
                            ),
                        )
                    });
                }
                if !taken.starts_with(&format!("{}-", service.short)) {
                    return Err(SimError::new(
                        400,
                        "INVALID_ARGUMENT",
                        format!(
                            "template.revision '{taken}' must start with '{}-'",
                            service.short
                        ),
                    ));
                }
            }
            Some(self.new_revision(&mut service, &template, now))
        } else {
            None
        };
        validate_traffic(&traffic, &service.revisions, revision.as_ref())?;
        service.template = template;
        let delay = if revision.is_some() {
            DEPLOY_SECS
        } else {
            TRAFFIC_SECS
        };
        let error = revision
            .as_ref()
            .filter(|r| r.image.contains("crash"))
            .map(|r| RpcStatus {
                code: 9,
                message: format!(
                    "Revision '{}' is not ready and cannot serve traffic.",
                    r.name
                ),
                details: Vec::new(),
            });
        let operation = format!(
            "{}/operations/{}",
            name.split("/services/").next().unwrap_or(name),
            uuid_like(self.rng.next_u64(), self.rng.next_u64())
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
                error,
            },
        );
        self.services.insert(service.name.clone(), service);
        self.operation(&operation, now)
    }
}

fn uuid_like(a: u64, b: u64) -> String {
    let hex = format!("{a:016x}{b:016x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn validate_traffic(
    traffic: &[TrafficTarget],
    known: &[SimRevision],
    new: Option<&SimRevision>,
) -> Result<(), SimError> {
    let invalid = |m: String| Err(SimError::new(400, "INVALID_ARGUMENT", m));
    let total: i32 = traffic.iter().map(|t| t.percent.unwrap_or(0)).sum();
    if total != 100 {
        return invalid(format!("traffic percents add up to {total}, not 100"));
    }
    let mut tags = Vec::new();
    for target in traffic {
        if let Some(tag) = &target.tag {
            if tags.contains(&tag) {
                return invalid(format!("tag '{tag}' is used more than once"));
            }
            tags.push(tag);
        }
        if wire::is_latest(target.kind.as_deref(), target.revision.as_deref()) {
            continue;
        }
        let Some(revision) = &target.revision else {
            return invalid("traffic target names no revision".into());
        };
        let exists = known.iter().chain(new).any(|r| &r.name == revision);
        if !exists {
            // The real API names revisions by their short names only.
            return invalid(format!(
                "Revision named '{revision}' with traffic not found"
            ));
        }
        if target.percent.unwrap_or(0) > 0 && known.iter().any(|r| &r.name == revision && r.failed)
        {
            return invalid(format!(
                "Revision '{revision}' is not ready and cannot serve traffic"
            ));
        }
    }
    Ok(())
}
