//! Cloud Run Admin API v2 subset over HTTP, as in `specs/run-v2.discovery.json`:
//! `services.list`, `services.get`, `services.patch` (with `updateMask`), `revisions.list`,
//! `revisions.get`, `operations.get` and `operations.wait`. Answers honour
//! `$alt=json;enum-encoding=int` (what the official REST transports send); errors carry
//! `details` (`google.rpc.ErrorInfo`); page tokens are opaque.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::cloudrun_json::encode;
use super::cloudrun_sim::SimError;
use super::json_replies::json_response;
use super::state::SandboxState;
use crate::providers::cloudrun_wire as wire;

type Params = Query<HashMap<String, String>>;
type ServicePath = Path<(String, String, String)>;

pub fn router() -> Router<Arc<SandboxState>> {
    Router::new()
        .route(
            "/v2/projects/{project}/locations/{location}/services",
            get(list_services),
        )
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

fn service_name((project, location, service): &(String, String, String)) -> String {
    format!("projects/{project}/locations/{location}/services/{service}")
}

/// A Google error body with an `ErrorInfo` detail, as `run.googleapis.com` sends.
pub fn error(e: SimError) -> Response {
    let body = json!({"error": {
        "code": e.http,
        "message": e.message,
        "status": e.status,
        "details": [{
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": e.reason,
            "domain": e.domain,
            "metadata": {"service": "run.googleapis.com"}
        }]
    }});
    let code = StatusCode::from_u16(e.http).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_response(code, &body)
}

fn ok<T: serde::Serialize>(value: &T, params: &HashMap<String, String>) -> Response {
    match serde_json::to_value(value) {
        Ok(json) => json_response(
            StatusCode::OK,
            &encode(json, params.get("$alt").map(String::as_str)),
        ),
        Err(e) => error(SimError::new(500, "INTERNAL", e.to_string())),
    }
}

/// Page tokens are opaque to clients; these carry an offset and a check, and need URL-encoding.
fn page_token(offset: usize) -> String {
    format!(
        "CgR{offset:x}+/{:x}=",
        offset.wrapping_mul(2_654_435_761) & 0xffff
    )
}

fn page_offset(params: &HashMap<String, String>) -> Result<usize, SimError> {
    let Some(token) = params.get("pageToken").filter(|t| !t.is_empty()) else {
        return Ok(0);
    };
    let invalid = || SimError::new(400, "INVALID_ARGUMENT", "Invalid page token");
    let offset = token
        .strip_prefix("CgR")
        .and_then(|rest| rest.split_once("+/"))
        .and_then(|(hex, _)| usize::from_str_radix(hex, 16).ok())
        .ok_or_else(invalid)?;
    (page_token(offset) == *token)
        .then_some(offset)
        .ok_or_else(invalid)
}

/// One page of `all` and the next token.
fn page<T: Clone>(
    all: &[T],
    params: &HashMap<String, String>,
) -> Result<(Vec<T>, Option<String>), SimError> {
    let size = params
        .get("pageSize")
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(100)
        .min(1000);
    let start = page_offset(params)?.min(all.len());
    let end = (start + size).min(all.len());
    Ok((
        all[start..end].to_vec(),
        (end < all.len()).then(|| page_token(end)),
    ))
}

async fn list_services(
    State(state): State<Arc<SandboxState>>,
    Path((project, location)): Path<(String, String)>,
    Query(params): Params,
) -> Response {
    let now = state.clock.now();
    let mut sim = state.lock_cloudrun();
    sim.advance(now);
    let prefix = format!("projects/{project}/locations/{location}/services/");
    let names: Vec<String> = sim
        .services
        .keys()
        .filter(|n| n.starts_with(&prefix))
        .cloned()
        .collect();
    let services: Result<Vec<_>, _> = names.iter().map(|n| sim.service_json(n, now)).collect();
    match services.and_then(|all| page(&all, &params)) {
        Ok((services, next_page_token)) => ok(
            &wire::ListServicesResponse {
                services,
                next_page_token,
            },
            &params,
        ),
        Err(e) => error(e),
    }
}

async fn get_service(
    State(state): State<Arc<SandboxState>>,
    Path(path): ServicePath,
    Query(params): Params,
) -> Response {
    let now = state.clock.now();
    let mut sim = state.lock_cloudrun();
    sim.advance(now);
    match sim.service_json(&service_name(&path), now) {
        Ok(service) => ok(&service, &params),
        Err(e) => error(e),
    }
}

async fn patch_service(
    State(state): State<Arc<SandboxState>>,
    Path(path): ServicePath,
    Query(params): Params,
    body: String,
) -> Response {
    let invalid = |m: String| error(SimError::new(400, "INVALID_ARGUMENT", m));
    let service: wire::Service = match serde_json::from_str::<Value>(&body) {
        // With an update mask the body may leave out `name` (it is in the URL).
        Ok(mut value) => {
            if let Some(map) = value.as_object_mut() {
                map.entry("name").or_insert_with(|| Value::from(""));
            }
            match serde_json::from_value(value) {
                Ok(service) => service,
                Err(e) => return invalid(format!("Invalid JSON payload received. {e}")),
            }
        }
        Err(e) => return invalid(format!("Invalid JSON payload received. {e}")),
    };
    let name = service_name(&path);
    if !service.name.is_empty() && service.name != name {
        return invalid("service.name does not match the URL".into());
    }
    let now = state.clock.now();
    let mask = params.get("updateMask").map(String::as_str);
    let mut sim = state.lock_cloudrun();
    if params.get("validateOnly").is_some_and(|v| v == "true") {
        return match sim.service_json(&name, now) {
            Ok(current) => ok(
                &wire::Operation {
                    name: format!(
                        "{}/operations/validate",
                        name.split("/services/").next().unwrap_or("")
                    ),
                    done: true,
                    response: serde_json::to_value(&current).ok(),
                    ..wire::Operation::default()
                },
                &params,
            ),
            Err(e) => error(e),
        };
    }
    match sim.patch(&name, &service, mask, now) {
        Ok(operation) => ok(&operation, &params),
        Err(e) => error(e),
    }
}

async fn list_revisions(
    State(state): State<Arc<SandboxState>>,
    Path(path): ServicePath,
    Query(params): Params,
) -> Response {
    let now = state.clock.now();
    let mut sim = state.lock_cloudrun();
    sim.advance(now);
    match sim
        .revisions_json(&service_name(&path))
        .and_then(|all| page(&all, &params))
    {
        Ok((revisions, next_page_token)) => ok(
            &wire::ListRevisionsResponse {
                revisions,
                next_page_token,
            },
            &params,
        ),
        Err(e) => error(e),
    }
}

async fn get_revision(
    State(state): State<Arc<SandboxState>>,
    Path((project, location, service, revision)): Path<(String, String, String, String)>,
    Query(params): Params,
) -> Response {
    let name = service_name(&(project, location, service));
    let now = state.clock.now();
    let mut sim = state.lock_cloudrun();
    sim.advance(now);
    let found = sim.service(&name).map(|s| {
        s.revisions
            .iter()
            .find(|r| r.name == revision)
            .map(|r| sim.revision_json(s, r))
    });
    match found {
        Ok(Some(found)) => ok(&found, &params),
        Ok(None) => error(SimError::new(
            404,
            "NOT_FOUND",
            format!("Resource '{name}/revisions/{revision}' was not found"),
        )),
        Err(e) => error(e),
    }
}

fn operation_name(project: &str, location: &str, operation: &str) -> String {
    format!("projects/{project}/locations/{location}/operations/{operation}")
}

async fn get_operation(
    State(state): State<Arc<SandboxState>>,
    Path((project, location, operation)): Path<(String, String, String)>,
    Query(params): Params,
) -> Response {
    let now = state.clock.now();
    let mut sim = state.lock_cloudrun();
    match sim.operation(&operation_name(&project, &location, &operation), now) {
        Ok(op) => ok(&op, &params),
        Err(e) => error(e),
    }
}

/// `POST v2/{name}:wait` blocks until the operation is done or the (simulated) timeout passes.
async fn wait_operation(
    State(state): State<Arc<SandboxState>>,
    Path((project, location, operation)): Path<(String, String, String)>,
    Query(params): Params,
    body: String,
) -> Response {
    let Some(operation) = operation.strip_suffix(":wait") else {
        return error(SimError::new(404, "NOT_FOUND", "unknown method"));
    };
    let timeout_secs = serde_json::from_str::<Value>(&body)
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
            Ok(op) if op.done || tokio::time::Instant::now() >= deadline => {
                return ok(&op, &params);
            }
            Ok(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            Err(e) => return error(e),
        }
    }
}
