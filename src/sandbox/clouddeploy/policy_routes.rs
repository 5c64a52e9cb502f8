//! `projects.locations.deployPolicies` over HTTP: create (an LRO, `deployPolicyId`, `requestId`),
//! get, list (paged), delete (an LRO answering `google.protobuf.Empty`); what a create must hold,
//! and where `overrideDeployPolicy` comes in.

use std::collections::HashMap;

use axum::http::Method;
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::replies::{create, operation_json, page};
use chrono_tz::Tz;

use super::ids::err;
use super::sim::DeploySim;
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

/// Enums sent as numbers (the official clients' REST transport asks `enum-encoding=int`) are
/// stored by name, as the service answers them.
pub(super) fn enum_names(policy: &mut Value) {
    const ACTIONS: [&str; 9] = [
        "ROLLOUT_ACTIONS_UNSPECIFIED",
        "ADVANCE",
        "APPROVE",
        "CANCEL",
        "CREATE",
        "IGNORE_JOB",
        "RETRY_JOB",
        "ROLLBACK",
        "TERMINATE_JOBRUN",
    ];
    const INVOKERS: [&str; 3] = ["INVOKER_UNSPECIFIED", "USER", "DEPLOY_AUTOMATION"];
    const DAYS: [&str; 8] = [
        "DAY_OF_WEEK_UNSPECIFIED",
        "MONDAY",
        "TUESDAY",
        "WEDNESDAY",
        "THURSDAY",
        "FRIDAY",
        "SATURDAY",
        "SUNDAY",
    ];
    let name = |list: &mut Value, names: &[&str]| {
        for item in list.as_array_mut().into_iter().flatten() {
            let named = item
                .as_u64()
                .and_then(|n| names.get(usize::try_from(n).ok()?));
            if let Some(named) = named {
                *item = Value::String((*named).to_string());
            }
        }
    };
    let rules = policy.get_mut("rules").and_then(Value::as_array_mut);
    for rule in rules.into_iter().flatten() {
        let Some(r) = rule.get_mut("rolloutRestriction") else {
            continue;
        };
        if let Some(a) = r.get_mut("actions") {
            name(a, &ACTIONS);
        }
        if let Some(i) = r.get_mut("invokers") {
            name(i, &INVOKERS);
        }
        let weekly = r
            .pointer_mut("/timeWindows/weeklyWindows")
            .and_then(Value::as_array_mut);
        for w in weekly.into_iter().flatten() {
            if let Some(d) = w.get_mut("daysOfWeek") {
                name(d, &DAYS);
            }
        }
    }
}

pub(super) fn validate(body: &Value) -> Result<(), SimError> {
    let invalid = |m: &str| err(400, "INVALID_ARGUMENT", m.to_string());
    let non_empty = |key: &str| {
        body.get(key)
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
    };
    if !non_empty("selectors") {
        return Err(invalid(
            "deploy_policy.selectors: at least one selector is required",
        ));
    }
    if !non_empty("rules") {
        return Err(invalid(
            "deploy_policy.rules: at least one rule is required",
        ));
    }
    for rule in body
        .get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let windows = rule.pointer("/rolloutRestriction/timeWindows");
        let Some(windows) = windows else {
            return Err(invalid("rollout_restriction.time_windows is required"));
        };
        let zone = windows
            .get("timeZone")
            .and_then(Value::as_str)
            .unwrap_or("");
        if zone.parse::<Tz>().is_err() {
            return Err(err(
                400,
                "INVALID_ARGUMENT",
                format!("time_windows.time_zone {zone:?} is not an IANA time zone"),
            ));
        }
    }
    Ok(())
}
