//! The Cloud Deploy subset's answers: a create's long-running operation (with `requestId`
//! dedup and the lost-answer fault), operations, targets, and pages of a list.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::ids::err;
use super::sim::DeploySim;
use crate::sandbox::cloudrun_sim::{SimError, rfc3339};

const TYPE_PREFIX: &str = "type.googleapis.com/google.cloud.deploy.v1.";

/// A create: a repeated `requestId` answers the first request's operation; a lost-answer fault
/// applies the create and then answers 503.
pub(super) fn create(
    sim: &mut DeploySim,
    request_id: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
    apply: impl FnOnce(&mut DeploySim) -> Result<String, SimError>,
) -> Result<Value, SimError> {
    if let Some(op) = sim.seen_request(request_id)? {
        return operation_json(sim, &op, now);
    }
    let op = apply(sim)?;
    sim.remember_request(request_id, &op);
    if sim.faults.lose_next_create_answers > 0 {
        sim.faults.lose_next_create_answers -= 1;
        return Err(err(
            503,
            "UNAVAILABLE",
            "The service is currently unavailable (sandbox fault: the create was applied, its answer lost)",
        ));
    }
    operation_json(sim, &op, now)
}

pub(super) fn operation_json(
    sim: &DeploySim,
    name: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Value, SimError> {
    let op = sim
        .operations
        .get(name)
        .ok_or_else(|| err(404, "NOT_FOUND", format!("Resource '{name}' was not found")))?;
    let done = now >= op.done_at;
    let mut metadata = json!({
        "@type": format!("{TYPE_PREFIX}OperationMetadata"),
        "createTime": rfc3339(op.created),
        "target": op.target,
        "verb": op.verb,
        "requestedCancellation": false,
        "apiVersion": "v1",
    });
    let mut out = json!({"name": op.name, "done": done});
    if done {
        if let Some(map) = metadata.as_object_mut() {
            map.insert("endTime".into(), json!(rfc3339(op.done_at)));
        }
        let (kind, resource) = if op.verb == "delete" {
            ("google.protobuf.Empty", json!({}))
        } else if let Some(r) = sim.releases.get(&op.target) {
            ("Release", r.json(now))
        } else if let Some(r) = sim.rollouts.get(&op.target) {
            ("Rollout", r.json(now))
        } else if let Some(p) = sim.policies.get(&op.target) {
            ("DeployPolicy", p.json.clone())
        } else {
            ("Empty", json!({}))
        };
        let mut response = resource;
        if let Some(map) = response.as_object_mut() {
            let full = if kind.contains('.') {
                format!("type.googleapis.com/{kind}")
            } else {
                format!("{TYPE_PREFIX}{kind}")
            };
            map.insert("@type".into(), json!(full));
        }
        if let Some(map) = out.as_object_mut() {
            map.insert("response".into(), response);
        }
    }
    if let Some(map) = out.as_object_mut() {
        map.insert("metadata".into(), metadata);
    }
    Ok(out)
}

pub(super) fn target_json(sim: &DeploySim, id: &str, approval: bool) -> Value {
    json!({
        "name": format!("{}/targets/{id}", sim.parent()),
        "targetId": id,
        "requireApproval": approval,
        "run": {"location": format!("{}", sim.parent())},
    })
}

/// `targetId="prod"` (the one filter flightdeck sends).
pub(super) fn target_filter(filter: &str) -> Option<String> {
    let (key, value) = filter.split_once('=')?;
    (key.trim() == "targetId").then(|| value.trim().trim_matches('"').to_string())
}

pub(super) fn page(key: &str, items: Vec<Value>, query: &HashMap<String, String>) -> Value {
    let mut items = items;
    if query.get("orderBy").is_some_and(|o| o.contains("desc")) {
        items.reverse();
    }
    let size = query
        .get("pageSize")
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(50)
        .min(1000);
    let start = query
        .get("pageToken")
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(0);
    let end = (start + size).min(items.len());
    let slice: Vec<Value> = items
        .get(start..end)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    let mut out = serde_json::Map::new();
    out.insert(key.into(), Value::Array(slice));
    if end < items.len() {
        out.insert("nextPageToken".into(), json!(end.to_string()));
    }
    Value::Object(out)
}
