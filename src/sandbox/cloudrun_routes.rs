//! Cloud Run Admin API v2 subset over HTTP: `services.get`, `services.patch`, `revisions.list`,
//! `revisions.get`, `operations.get` and `operations.wait`, as in `specs/run-v2.discovery.json`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

use super::SandboxState;
use super::cloudrun_sim::SimError;
use super::faults::{google_error, json_response};
use crate::providers::cloudrun_wire as wire;

pub fn router() -> Router<Arc<SandboxState>> {
    Router::new()
        .route(
            "/v2/projects/{project}/locations/{location}/services/{service}",
            get(get_service).patch(patch_service),
        )
        .route(
            "/v2/projects/{project}/locations/{location}/services/{service}/revisions",
            get(list_revisions),
        )
        .route(
            "/v2/projects/{project}/locations/{location}/services/{service}/revisions/{revision}",
            get(get_revision),
        )
        .route(
            "/v2/projects/{project}/locations/{location}/operations/{operation}",
            get(get_operation).post(wait_operation),
        )
}

type ServicePath = Path<(String, String, String)>;

fn service_name((project, location, service): &(String, String, String)) -> String {
    format!("projects/{project}/locations/{location}/services/{service}")
}

fn error(e: SimError) -> Response {
    google_error(e.http, e.status, &e.message)
}

fn ok<T: serde::Serialize>(value: &T) -> Response {
    match serde_json::to_value(value) {
        Ok(json) => json_response(StatusCode::OK, &json),
        Err(e) => google_error(500, "INTERNAL", &e.to_string()),
    }
}

async fn get_service(State(state): State<Arc<SandboxState>>, Path(path): ServicePath) -> Response {
    let now = state.clock.now();
    let mut sim = state.lock_cloudrun();
    sim.advance(now);
    match sim.service_json(&service_name(&path), now) {
        Ok(service) => ok(&service),
        Err(e) => error(e),
    }
}

async fn patch_service(
    State(state): State<Arc<SandboxState>>,
    Path(path): ServicePath,
    Query(query): Query<HashMap<String, String>>,
    body: String,
) -> Response {
    let service: wire::Service = match serde_json::from_str(&body) {
        Ok(service) => service,
        Err(e) => {
            return google_error(
                400,
                "INVALID_ARGUMENT",
                &format!("Invalid JSON payload received. {e}"),
            );
        }
    };
    let name = service_name(&path);
    if !service.name.is_empty() && service.name != name {
        return google_error(
            400,
            "INVALID_ARGUMENT",
            "service.name does not match the URL",
        );
    }
    let traffic_only = query
        .get("updateMask")
        .is_some_and(|mask| mask == "traffic");
    let now = state.clock.now();
    if query.get("validateOnly").is_some_and(|v| v == "true") {
        let sim = state.lock_cloudrun();
        return match sim.service_json(&name, now) {
            Ok(current) => ok(&wire::Operation {
                name: format!(
                    "{}/operations/validate",
                    name.split("/services/").next().unwrap_or("")
                ),
                done: true,
                response: serde_json::to_value(&current).ok(),
                ..wire::Operation::default()
            }),
            Err(e) => error(e),
        };
    }
    let mut sim = state.lock_cloudrun();
    match sim.patch(&name, &service, traffic_only, now) {
        Ok(operation) => ok(&operation),
        Err(e) => error(e),
    }
}

async fn list_revisions(
    State(state): State<Arc<SandboxState>>,
    Path(path): ServicePath,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let now = state.clock.now();
    let mut sim = state.lock_cloudrun();
    sim.advance(now);
    let all = match sim.revisions_json(&service_name(&path)) {
        Ok(all) => all,
        Err(e) => return error(e),
    };
    let page_size = query
        .get("pageSize")
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(100);
    let start = query
        .get("pageToken")
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(0);
    let end = (start + page_size).min(all.len());
    ok(&wire::ListRevisionsResponse {
        revisions: all.get(start..end).map(<[_]>::to_vec).unwrap_or_default(),
        next_page_token: (end < all.len()).then(|| end.to_string()),
    })
}

async fn get_revision(
    State(state): State<Arc<SandboxState>>,
    Path((project, location, service, revision)): Path<(String, String, String, String)>,
) -> Response {
    let name = service_name(&(project, location, service));
    let sim = state.lock_cloudrun();
    match sim.revisions_json(&name) {
        Ok(all) => match all
            .iter()
            .find(|r| r.name.ends_with(&format!("/revisions/{revision}")))
        {
            Some(found) => ok(found),
            None => google_error(
                404,
                "NOT_FOUND",
                &format!("Revision '{revision}' was not found"),
            ),
        },
        Err(e) => error(e),
    }
}

fn operation_name(project: &str, location: &str, operation: &str) -> String {
    format!("projects/{project}/locations/{location}/operations/{operation}")
}

async fn get_operation(
    State(state): State<Arc<SandboxState>>,
    Path((project, location, operation)): Path<(String, String, String)>,
) -> Response {
    let now = state.clock.now();
    let mut sim = state.lock_cloudrun();
    match sim.operation(&operation_name(&project, &location, &operation), now) {
        Ok(op) => ok(&op),
        Err(e) => error(e),
    }
}

/// `POST v2/{name}:wait` blocks until the operation is done or the (simulated) timeout passes.
async fn wait_operation(
    State(state): State<Arc<SandboxState>>,
    Path((project, location, operation)): Path<(String, String, String)>,
    body: String,
) -> Response {
    let Some(operation) = operation.strip_suffix(":wait") else {
        return google_error(404, "NOT_FOUND", "unknown method");
    };
    let timeout_secs = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| {
            v.get("timeout")
                .and_then(|t| t.as_str())
                .map(str::to_string)
        })
        .and_then(|t| t.trim_end_matches('s').parse::<f64>().ok())
        .unwrap_or(30.0);
    let name = operation_name(&project, &location, operation);
    let real_budget =
        Duration::from_secs_f64((timeout_secs / state.clock.speed()).clamp(0.0, 30.0));
    let deadline = tokio::time::Instant::now() + real_budget;
    loop {
        let result = state.lock_cloudrun().operation(&name, state.clock.now());
        match result {
            Ok(op) if op.done || tokio::time::Instant::now() >= deadline => return ok(&op),
            Ok(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            Err(e) => return error(e),
        }
    }
}
