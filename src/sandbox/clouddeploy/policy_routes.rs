//! `projects.locations.deployPolicies` over HTTP: create (an LRO, `deployPolicyId`, `requestId`),
//! get, list (paged), delete (an LRO answering `google.protobuf.Empty`).

use std::collections::HashMap;

use axum::http::Method;
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::sim::{DeploySim, err};
use super::{create, operation_json, page};
use crate::sandbox::cloudrun_sim::SimError;

pub(super) fn route(
    sim: &mut DeploySim,
    method: &Method,
    resource: &str,
    query: &HashMap<String, String>,
    body: &Value,
    now: DateTime<Utc>,
) -> Result<Value, SimError> {
    let q = |k: &str| query.get(k).map(String::as_str).filter(|s| !s.is_empty());
    let collection = resource.ends_with("/deployPolicies");
    let missing = || {
        err(
            404,
            "NOT_FOUND",
            format!("Resource '{resource}' was not found"),
        )
    };
    match (collection, method.as_str()) {
        (true, "GET") => {
            let items = sim.policies.values().map(|p| p.json.clone()).collect();
            Ok(page("deployPolicies", items, query))
        }
        (true, "POST") => create(sim, q("requestId"), now, |sim| {
            let id = q("deployPolicyId")
                .ok_or_else(|| err(400, "INVALID_ARGUMENT", "deploy_policy_id is required"))?;
            sim.create_policy(id, body, now)
        }),
        (false, "GET") => sim
            .policies
            .get(resource)
            .map(|p| p.json.clone())
            .ok_or_else(missing),
        (false, "DELETE") => {
            sim.policies.remove(resource).ok_or_else(missing)?;
            let op = sim.new_operation("delete", resource, now, 0);
            operation_json(sim, &op, now)
        }
        _ => Err(err(
            404,
            "NOT_FOUND",
            format!("{method} /v1/{resource} is not part of the sandbox's Cloud Deploy subset"),
        )),
    }
}

/// `overrideDeployPolicy`: repeated in the query of a create, an array in a verb's body.
pub(super) fn overrides(query: &[(String, String)], body: &Value) -> Vec<String> {
    let mut out: Vec<String> = query
        .iter()
        .filter(|(k, _)| k == "overrideDeployPolicy")
        .map(|(_, v)| v.clone())
        .collect();
    if let Some(list) = body.get("overrideDeployPolicy").and_then(Value::as_array) {
        out.extend(list.iter().filter_map(|v| v.as_str().map(str::to_string)));
    }
    out
}

/// The pipeline id in a resource name (`…/deliveryPipelines/{id}/…`).
pub(super) fn pipeline_id(name: &str) -> &str {
    name.split("/deliveryPipelines/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("")
}
