//! The routes of the sandbox's Cloud Deploy API v1 subset ([`super::clouddeploy`]): every
//! `/v1/…` request goes to [`clouddeploy::answer`] as of the simulated now, and
//! `GET|POST /_sandbox/clouddeploy/faults` shows or sets [`DeployFaults`].

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use axum::routing::{any, get};
use serde_json::{Value, json};

use super::clouddeploy::{self, sim::DeployFaults};
use super::json_replies::{google_error, json_response};
use super::state::SandboxState;

pub fn router() -> Router<Arc<SandboxState>> {
    Router::new().route("/v1/{*path}", any(dispatch)).route(
        "/_sandbox/clouddeploy/faults",
        get(get_faults).post(set_faults),
    )
}

async fn dispatch(
    State(state): State<Arc<SandboxState>>,
    method: Method,
    Path(path): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
    body: String,
) -> Response {
    let body: Value = if body.trim().is_empty() {
        json!({})
    } else {
        match serde_json::from_str(&body) {
            Ok(v) => v,
            Err(e) => {
                return google_error(400, "INVALID_ARGUMENT", &format!("invalid JSON body: {e}"));
            }
        }
    };
    let now = state.clock.now();
    let mut sim = state.lock_clouddeploy();
    clouddeploy::answer(&mut sim, now, &method, &path, &pairs, &body)
}

async fn get_faults(State(state): State<Arc<SandboxState>>) -> Response {
    let faults = state.lock_clouddeploy().faults.clone();
    json_response(
        StatusCode::OK,
        &serde_json::to_value(faults).unwrap_or_default(),
    )
}

async fn set_faults(State(state): State<Arc<SandboxState>>, body: String) -> Response {
    match serde_json::from_str::<DeployFaults>(&body) {
        Ok(faults) => {
            state.lock_clouddeploy().faults = faults.clone();
            json_response(
                StatusCode::OK,
                &serde_json::to_value(faults).unwrap_or_default(),
            )
        }
        Err(e) => google_error(400, "INVALID_ARGUMENT", &format!("clouddeploy faults: {e}")),
    }
}
