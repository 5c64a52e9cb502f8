//! Cloud Deploy API v1 subset over HTTP (`specs/clouddeploy-v1.discovery.json`): pipelines and
//! targets (get, list), releases and rollouts (create as LROs with `requestId` dedup, get, list),
//! `approve`, `advance`, `cancel`, `retryJob`, `rollbackTarget`, `operations.get`, and deploy
//! policies (create, get, list, delete), which restrict those actions ([`policy`]). [`answer`]
//! answers one request; the routes (and the sandbox control `GET|POST
//! /_sandbox/clouddeploy/faults`, [`sim::DeployFaults`]) are in `clouddeploy_routes`.

mod deploy_policy;
mod ids;
pub mod model;
pub mod policy;
mod policy_routes;
mod replies;
pub mod sim;
mod sim_verbs;

use std::collections::HashMap;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::cloudrun_sim::SimError;
use super::json_replies::{google_error, json_response};
use ids::err;
use policy::Action;
use policy_routes::{overrides, pipeline_id};
use replies::{create, operation_json, page, target_filter, target_json};
use sim::DeploySim;

fn reply(result: Result<Value, SimError>, details: Option<Value>) -> Response {
    match (result, details) {
        (Ok(value), _) => json_response(StatusCode::OK, &value),
        (Err(e), Some(details)) => {
            let body = json!({"error": {"code": e.http, "message": e.message, "status": e.status, "details": details}});
            let code = StatusCode::from_u16(e.http).unwrap_or(StatusCode::BAD_REQUEST);
            json_response(code, &body)
        }
        (Err(e), None) => google_error(e.http, e.status, &e.message),
    }
}

/// The answer to `METHOD /v1/{path}` with these query pairs and JSON body, as of the simulated
/// instant `now`.
pub fn answer(
    sim: &mut DeploySim,
    now: DateTime<Utc>,
    method: &Method,
    path: &str,
    pairs: &[(String, String)],
    body: &Value,
) -> Response {
    let query: HashMap<String, String> = pairs.iter().cloned().collect();
    sim.advance(now);
    let (resource, verb) = match path.rsplit_once(':') {
        Some((r, v)) if !v.contains('/') => (r.to_string(), Some(v.to_string())),
        _ => (path.to_string(), None),
    };
    let parts: Vec<&str> = resource.split('/').collect();
    let is_get = method == Method::GET;
    let overridden = overrides(pairs, body);
    let pipe = pipeline_id(&resource).to_string();
    let q = |k: &str| query.get(k).map(String::as_str).filter(|s| !s.is_empty());
    let result = match (parts.as_slice(), verb.as_deref(), is_get) {
        (["projects", _, "locations", _, "deliveryPipelines"], None, true) => {
            let list: Vec<Value> = sim
                .pipelines
                .values()
                .map(|p| p.json(&sim.targets))
                .collect();
            Ok(json!({"deliveryPipelines": list}))
        }
        (["projects", _, "locations", _, "deliveryPipelines", _], None, true) => {
            sim.pipeline(&resource).map(|p| p.json(&sim.targets))
        }
        (["projects", _, "locations", _, "targets"], None, true) => {
            let list: Vec<Value> = sim
                .targets
                .iter()
                .map(|(id, approval)| target_json(sim, id, *approval))
                .collect();
            Ok(json!({"targets": list}))
        }
        (["projects", _, "locations", _, "targets", id], None, true) => {
            match sim.targets.get(*id) {
                Some(approval) => Ok(target_json(sim, id, *approval)),
                None => Err(err(
                    404,
                    "NOT_FOUND",
                    format!("Resource '{resource}' was not found"),
                )),
            }
        }
        (["projects", _, "locations", _, "deployPolicies", ..], None, _) => {
            policy_routes::route(sim, method, &resource, &query, body, now)
        }
        (["projects", _, "locations", _, "operations", _], None, true) => {
            operation_json(sim, &resource, now)
        }
        (
            ["projects", _, "locations", _, "deliveryPipelines", _],
            Some("rollbackTarget"),
            false,
        ) => {
            let target = body.get("targetId").and_then(Value::as_str).unwrap_or("");
            sim.check_policies(&pipe, target, Action::Rollback, &overridden, now)
                .and_then(|()| sim.rollback_target(&resource, body, now))
                .map(|(rollout, _)| {
                let starting = body
                    .pointer("/rollbackConfig/startingPhaseId")
                    .and_then(Value::as_str)
                    .unwrap_or("stable");
                json!({"rollbackConfig": {"rollout": rollout.json(now), "startingPhaseId": starting}})
            })
        }
        ([.., "deliveryPipelines", _, "releases"], None, true) => {
            let prefix = format!("{resource}/");
            let mut list: Vec<&model::Release> = sim
                .releases
                .values()
                .filter(|r| r.name.starts_with(&prefix))
                .collect();
            list.sort_by_key(|r| r.created);
            let items = list.iter().map(|r| r.json(now)).collect();
            Ok(page("releases", items, &query))
        }
        ([.., "deliveryPipelines", _, "releases"], None, false) => {
            let pipeline = resource.trim_end_matches("/releases").to_string();
            create(sim, q("requestId"), now, |sim| {
                let id = q("releaseId")
                    .ok_or_else(|| err(400, "INVALID_ARGUMENT", "release_id is required"))?;
                // The release's first rollout is created on the first stage: a CREATE there.
                let first = sim
                    .pipeline(&pipeline)?
                    .stages
                    .first()
                    .map(|(t, _)| t.clone());
                if let Some(first) = first {
                    sim.check_policies(&pipe, &first, Action::Create, &overridden, now)?;
                }
                sim.create_release(&pipeline, id, body, now)
            })
        }
        ([.., "releases", _], None, true) => sim
            .releases
            .get(&resource)
            .map(|r| r.json(now))
            .ok_or_else(|| {
                err(
                    404,
                    "NOT_FOUND",
                    format!("Resource '{resource}' was not found"),
                )
            }),
        ([.., "releases", _, "rollouts"], None, true) => {
            let prefix = format!("{resource}/");
            let target = q("filter").and_then(target_filter);
            let mut list: Vec<&model::Rollout> = sim
                .rollouts
                .values()
                .filter(|r| r.name.starts_with(&prefix))
                .filter(|r| target.as_deref().is_none_or(|t| r.target_id == t))
                .collect();
            list.sort_by_key(|r| r.created);
            let items = list.iter().map(|r| r.json(now)).collect();
            Ok(page("rollouts", items, &query))
        }
        ([.., "releases", _, "rollouts"], None, false) => {
            let release = resource.trim_end_matches("/rollouts").to_string();
            create(sim, q("requestId"), now, |sim| {
                let id = q("rolloutId")
                    .ok_or_else(|| err(400, "INVALID_ARGUMENT", "rollout_id is required"))?;
                let target = body
                    .get("targetId")
                    .and_then(Value::as_str)
                    .ok_or_else(|| err(400, "INVALID_ARGUMENT", "rollout.target_id is required"))?;
                sim.check_policies(&pipe, target, Action::Create, &overridden, now)?;
                sim.create_rollout(&release, id, target, body, now)
            })
        }
        ([.., "rollouts", _], None, true) => sim
            .rollouts
            .get(&resource)
            .map(|r| r.json(now))
            .ok_or_else(|| {
                err(
                    404,
                    "NOT_FOUND",
                    format!("Resource '{resource}' was not found"),
                )
            }),
        ([.., "rollouts", _], Some(verb), false) => {
            let text = |k: &str| {
                body.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            let action = Action::of_verb(verb);
            let target = sim.rollouts.get(&resource).map(|r| r.target_id.clone());
            if let (Some(action), Some(target)) = (action, target)
                && let Err(e) = sim.check_policies(&pipe, &target, action, &overridden, now)
            {
                let details = sim.violation.take();
                return reply(Err(e), details);
            }
            let done = match verb {
                "approve" => {
                    let approved = body
                        .get("approved")
                        .and_then(Value::as_bool)
                        .unwrap_or(false);
                    sim.approve(&resource, approved, now)
                }
                "advance" => sim.advance_rollout(&resource, &text("phaseId"), now),
                "cancel" => sim.cancel(&resource, now),
                "retryJob" => sim.retry_job(&resource, &text("phaseId"), &text("jobId"), now),
                other => Err(err(
                    404,
                    "NOT_FOUND",
                    format!("no method {other:?} on rollouts"),
                )),
            };
            done.map(|()| json!({}))
        }
        _ => Err(err(
            404,
            "NOT_FOUND",
            format!("{method} /v1/{path} is not part of the sandbox's Cloud Deploy subset"),
        )),
    };
    let details = sim.violation.take().filter(|_| result.is_err());
    reply(result, details)
}
